/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_ms_files.c: an example consumer of mod_multistatus -- a read-only
 * WebDAV listing of a folder of the file system, the answer to PROPFIND a
 * real client (cadaver, davfs2, Finder, Windows' redirector) needs to
 * browse it, with the live properties mod_dav_fs gives.
 *
 * It is the module to copy when you write a PROPFIND handler: it shows the
 * whole pattern, with the work a handler still has to do (map URLs to
 * resources, say what it knows of each) and what it leaves to the module:
 *
 *   ms_propfind_read()   reads Depth and the body; answers 400 / 403 / 413
 *                        itself (the handler returns DONE)
 *   ms_propfind_wants()  tells whether a property is worth computing (asked
 *                        once per request, kept as flags)
 *   ms_response_open() / ms_prop_add() / ms_response_close()
 *                        one response per resource, rendered and streamed
 *                        at its close: a listing of any size needs the
 *                        memory of one entry
 * and the module then adds a 404 for every requested property the handler
 * did not report, drops the values in propname mode, honours Prefer /
 * Brief, puts the request-URI's own response first, escapes the hrefs and
 * the names, and ends the document well even when the listing is cut.
 *
 * It uses the DIRECT calls of mod_multistatus.h (nothing linked; the
 * symbols resolve from mod_multistatus.so at load time), so
 *
 *     LoadModule multistatus_module modules/mod_multistatus.so
 *     LoadModule ms_files_module    modules/mod_ms_files.so    # after it
 *
 * (mod_ms_props.c shows the optional-function way, for modules that must
 * also load without mod_multistatus).
 *
 * Configuration:
 *
 *     <Location /files>                 # no trailing slash: /files itself,
 *         SetHandler ms-files           #   the URL file managers ask for
 *         MsFilesRoot /srv/files        #   first, belongs to the share
 *     </Location>
 *     <Directory /srv/files>            # as for an Alias: access control
 *         Require all granted           #   and AddType etc. of the files
 *     </Directory>
 *     # optional: MultiStatusDepthInfinity On (default Off: 403)
 *     # optional: MsFilesTypeCache Off (default On: see files_type_of())
 *
 * MsFilesRoot maps URLs to files during translate_name, the way Alias
 * does: /files/a/b.txt is the file /srv/files/a/b.txt.  So httpd itself
 * knows the file (r->filename, r->finfo), <Directory> sections apply to
 * it, a sub-request for a member finds its content type exactly as a GET
 * of it would, and GET / HEAD of a file are simply left to httpd's default
 * handler (Range, conditional requests, ETag: all for free).
 *
 * Methods:
 *   OPTIONS   "DAV: 1", and the same Allow header as a 405 (httpd builds
 *             both from r->allowed: GET, HEAD, OPTIONS, PROPFIND, TRACE)
 *   GET, HEAD files, by the default handler; folders: a small HTML index
 *             of their members (files_index()), unless mod_dir found an
 *             index.html there first
 *   PROPFIND  Depth 0, 1, and infinity when MultiStatusDepthInfinity On
 *   others    405 Method Not Allowed (the tree is read-only)
 *
 * Properties (DAV:), as mod_dav_fs computes them:
 *   resourcetype       <D:collection/> for a folder, empty for a file
 *   getcontentlength   files only
 *   getlastmodified    mtime, RFC 1123 ("Tue, 15 Nov 1994 12:45:26 GMT")
 *   creationdate       ISO 8601 in UTC ("1994-11-15T12:45:26Z"); Unix
 *                      keeps no creation time, so the inode change time,
 *                      as mod_dav_fs does
 *   getetag            "SIZE-MTIME" in hex, httpd's default ETag format
 *   getcontenttype     files: from a sub-request (mod_mime, AddType,
 *                      ForceType...), as mod_dav does, but one per
 *                      extension and folder (files_type_of()); left out
 *                      when httpd knows none; folders: httpd/unix-directory
 *   displayname        the last segment of the path (mod_dav_fs has none)
 *   supportedlock, lockdiscovery   empty: nothing here can be locked
 * The entry ".DAV" (mod_dav_fs' property store) is never listed.
 */

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "mod_core.h"              /* ap_send_http_options() */

#include "apr_hash.h"
#include "apr_strings.h"
#include "apr_file_info.h"
#include "apr_portable.h"
#include "apr_time.h"

#if APR_HAVE_UNISTD_H
#include <unistd.h>             /* _POSIX_VERSION */
#endif
#if defined(_POSIX_VERSION) && _POSIX_VERSION >= 200809L
/* POSIX.1-2008: fstatat(), dirfd() and nanosecond times (st_mtim) */
#define FILES_STATAT 1
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#endif

#include "mod_multistatus.h"

module AP_MODULE_DECLARE_DATA ms_files_module;

APLOG_USE_MODULE(ms_files);

#define FILES_HANDLER  "ms-files"
#define FILES_HIDDEN   ".DAV"     /* mod_dav_fs' state folder */

/* What we stat; APR_FINFO_CTIME for creationdate. */
#define FILES_FINFO (APR_FINFO_TYPE | APR_FINFO_SIZE | APR_FINFO_MTIME \
                     | APR_FINFO_CTIME)

/*
 * Configuration
 */

typedef struct {
    const char *root;     /* MsFilesRoot, NULL when unset */
    const char *prefix;   /* the URL path of its <Location>, without the
                           * trailing '/' ("" for "/") */
    int type_cache;       /* MsFilesTypeCache: 1 On, 0 Off, -1 unset (On) */
} files_conf;

static void *files_create_dir_conf(apr_pool_t *p, char *dir)
{
    files_conf *conf = apr_pcalloc(p, sizeof(*conf));

    (void)dir;
    conf->type_cache = -1;
    return conf;
}

static void *files_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    files_conf *base = basev, *add = addv;
    files_conf *conf = apr_pcalloc(p, sizeof(*conf));

    /* root and prefix travel together: they describe one mapping */
    *conf = add->root ? *add : *base;
    conf->type_cache = add->type_cache != -1 ? add->type_cache
                                             : base->type_cache;
    return conf;
}

static const char *set_files_root(cmd_parms *cmd, void *dconf,
                                  const char *arg)
{
    files_conf *conf = dconf;
    const char *err = ap_check_cmd_context(cmd,
                                           NOT_IN_DIRECTORY | NOT_IN_FILES);
    char *prefix;
    apr_size_t len;

    if (err) {
        return err;
    }
    if (!ap_os_is_path_absolute(cmd->pool, arg)) {
        return "MsFilesRoot needs an absolute path";
    }
    if (cmd->path && cmd->path[0] != '/') {
        return "MsFilesRoot belongs in a <Location /path> section";
    }
    conf->root = apr_pstrdup(cmd->pool, arg);
    /* cmd->path is the <Location> argument (NULL at server level: "/") */
    prefix = apr_pstrdup(cmd->pool, cmd->path ? cmd->path : "");
    len = strlen(prefix);
    while (len > 0 && prefix[len - 1] == '/') {
        prefix[--len] = '\0';
    }
    conf->prefix = prefix;
    return NULL;
}

static const command_rec files_cmds[] = {
    AP_INIT_TAKE1("MsFilesRoot", set_files_root, NULL,
                  ACCESS_CONF | RSRC_CONF,
                  "Folder that the enclosing <Location> stands for"),
    AP_INIT_FLAG("MsFilesTypeCache", ap_set_flag_slot,
                 (void *)APR_OFFSETOF(files_conf, type_cache),
                 ACCESS_CONF | RSRC_CONF,
                 "On (default): one content-type sub-request per file name "
                 "extension and folder; Off: one per file"),
    { NULL, { NULL }, NULL, 0, RAW_ARGS, NULL }
};

/*
 * URL -> file: translate_name, as mod_alias does
 */

/* The <Location> has already been walked when translate_name runs (httpd
 * 2.4), so its MsFilesRoot is in r->per_dir_config.  r->uri is decoded and
 * free of "." and ".." segments; APR_FILEPATH_SECUREROOT refuses whatever
 * would still lead out of the root. */
static int files_translate(request_rec *r)
{
    files_conf *conf = ap_get_module_config(r->per_dir_config,
                                            &ms_files_module);
    const char *rel;
    char *fs;
    apr_size_t plen;

    if (!conf->root || r->uri[0] != '/') {
        return DECLINED;
    }
    plen = strlen(conf->prefix);
    if (strncmp(r->uri, conf->prefix, plen) != 0
        || (r->uri[plen] != '/' && r->uri[plen] != '\0')) {
        return DECLINED;   /* <Location /files> also matches /filesx */
    }
    for (rel = r->uri + plen; *rel == '/'; rel++)
        ;
    if (apr_filepath_merge(&fs, conf->root, rel,
                           APR_FILEPATH_SECUREROOT | APR_FILEPATH_NOTRELATIVE,
                           r->pool) != APR_SUCCESS) {
        return HTTP_FORBIDDEN;
    }
    r->filename = fs;   /* core's map_to_storage stats it into r->finfo */
    /* The share's root asked for without its slash ("/files" for
     * <Location /files>): file managers do so first (gvfs asks OPTIONS and
     * PROPFIND /files of dav://host/files/), and do not follow mod_dir's
     * redirect of a folder's URL to "/files/" for those methods (gvfs
     * fails).  mod_dir's own switch "redirect-carefully" (Debian sets it
     * for known WebDAV clients) keeps that redirect for GET only, so the
     * handler answers the other methods on the root itself, as on
     * "/files/" (RFC 4918 5.2).  Below the root the hrefs clients follow
     * end in '/', and folders asked for without it are redirected as by
     * mod_dav_fs. */
    if (r->method_number != M_GET && rel == r->uri + plen && *rel == '\0') {
        apr_table_setn(r->subprocess_env, "redirect-carefully", "1");
    }
    return OK;
}

/*
 * One resource: its properties
 */

/* The properties this example knows (all in DAV:), one bit each.  Which of
 * them the client wants is decided once per request (files_wanted()): a
 * listing would otherwise ask ms_propfind_wants() the same nine questions
 * for every entry. */
enum {
    FP_RESOURCETYPE     = 1 << 0,
    FP_GETCONTENTLENGTH = 1 << 1,
    FP_GETLASTMODIFIED  = 1 << 2,
    FP_CREATIONDATE     = 1 << 3,
    FP_GETETAG          = 1 << 4,
    FP_GETCONTENTTYPE   = 1 << 5,
    FP_DISPLAYNAME      = 1 << 6,
    FP_SUPPORTEDLOCK    = 1 << 7,
    FP_LOCKDISCOVERY    = 1 << 8
};

static const struct {
    const char *name;
    unsigned int bit;
} files_props[] = {
    { "resourcetype",     FP_RESOURCETYPE },
    { "getcontentlength", FP_GETCONTENTLENGTH },
    { "getlastmodified",  FP_GETLASTMODIFIED },
    { "creationdate",     FP_CREATIONDATE },
    { "getetag",          FP_GETETAG },
    { "getcontenttype",   FP_GETCONTENTTYPE },
    { "displayname",      FP_DISPLAYNAME },
    { "supportedlock",    FP_SUPPORTEDLOCK },
    { "lockdiscovery",    FP_LOCKDISCOVERY }
};

typedef struct {
    request_rec *r;
    const char *base;     /* the request-URI, ending in '/' for a folder */
    const ms_propfind *pf;
    unsigned int wanted;  /* FP_* bits of the properties to report */
    int names_only;       /* propname: the module drops values anyway */
    int type_cache;       /* MsFilesTypeCache (see files_type_of()) */
    int stop;             /* the module said stop (limit, client gone) */
} files_ctx;

/* ms_propfind_wants() is 1 for every name under allprop and propname, and
 * for the names listed in a prop request. */
static unsigned int files_wanted(const ms_propfind *pf)
{
    unsigned int wanted = 0;
    apr_size_t i;

    for (i = 0; i < sizeof(files_props) / sizeof(files_props[0]); i++) {
        if (ms_propfind_wants(pf, "DAV:", files_props[i].name)) {
            wanted |= files_props[i].bit;
        }
    }
    return wanted;
}

/* Every API call returns APR_SUCCESS or an MS_E* code; this is what they
 * mean to a walker.  MS_EINVAL (a refused value: the module logged why)
 * concerns one item only: go on. */
static void files_check(files_ctx *ctx, apr_status_t rv)
{
    if (rv == MS_ELIMIT        /* MultiStatusMaxResponses: the body says so */
        || rv == MS_EABORTED   /* the client left: nothing is sent anymore */
        || rv == MS_EFINISHED  /* too late for this body */
        || rv == MS_EDISABLED) {   /* MultiStatus Off: see files_propfind */
        ctx->stop = 1;
    }
}

static void files_prop(files_ctx *ctx, ms_response *resp, const char *name,
                       ms_value_kind kind, const char *value)
{
    files_check(ctx, ms_prop_add(resp, "DAV:", name, HTTP_OK,
                                 ctx->names_only ? MS_VALUE_NONE : kind,
                                 ctx->names_only ? NULL : value));
}

/*
 * Values.  ms_prop_add() copies what it is given, so they are formatted
 * into buffers on the caller's stack: no pool allocation, no
 * apr_psprintf() for each of the hundreds of thousands of values a big
 * listing holds.
 */

#define FILES_NUM_LEN   21   /* 2^64 - 1 in decimal, and the NUL */
#define FILES_ETAG_LEN  36   /* '"', 16 hex digits, '-', 16, '"', NUL */
#define FILES_ISO_LEN   32   /* "1994-11-15T12:45:26Z" and room for odd
                              * years */

/* The digits of @a v, written backwards from the end of @a tmp, copied
 * to @a out with a NUL; returns the position of the NUL.  (Two loops with
 * a constant base: the compiler turns / 10 into a multiplication and / 16
 * into a shift, where a variable base would cost real divisions.) */
static char *files_digits(char *out, const char *tmp, const char *t)
{
    apr_size_t len = (apr_size_t)(tmp + FILES_NUM_LEN - t);

    memcpy(out, t, len);
    out[len] = '\0';
    return out + len;
}

/* @a v in decimal at @a out (room for FILES_NUM_LEN) */
static char *files_dec(char *out, apr_uint64_t v)
{
    char tmp[FILES_NUM_LEN], *t = tmp + FILES_NUM_LEN;

    do {
        *--t = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return files_digits(out, tmp, t);
}

/* @a v in lower-case hex at @a out (room for FILES_NUM_LEN) */
static char *files_hex(char *out, apr_uint64_t v)
{
    char tmp[FILES_NUM_LEN], *t = tmp + FILES_NUM_LEN;

    do {
        *--t = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    return files_digits(out, tmp, t);
}

/* The ETag httpd's GET sends with the default FileETag (MTime Size):
 * "SIZE-MTIME", both in hex, MTIME in microseconds.  GET marks it weak
 * (W/) while the file is less than a second old; a validator for PROPFIND
 * need not. */
static void files_etag(char *buf, const apr_finfo_t *fi)
{
    char *e = buf;

    *e++ = '"';
    e = files_hex(e, (apr_uint64_t)fi->size);
    *e++ = '-';
    e = files_hex(e, (apr_uint64_t)fi->mtime);
    *e++ = '"';
    *e = '\0';
}

static char *files_2digits(char *out, int v)
{
    out[0] = (char)('0' + v / 10);
    out[1] = (char)('0' + v % 10);
    return out + 2;
}

/* Date and time of day in UTC, as apr_time_exp_gmt() gives them but with
 * plain arithmetic: gmtime_r() (behind apr_time_exp_gmt()) takes a lock
 * and goes through the time zone code, which costs more than all the rest
 * of formatting an entry's two dates. */
typedef struct {
    int year;     /* e.g. 1994 */
    int mon;      /* 1..12 */
    int mday;     /* 1..31 */
    int wday;     /* 0 = Sunday */
    int hour, min, sec;
} files_tm;

static void files_gmtime(files_tm *tm, apr_time_t t)
{
    /* whole seconds truncated toward zero, as APR does */
    apr_int64_t secs = t / APR_USEC_PER_SEC;
    int days = (int)(secs / 86400), rem = (int)(secs % 86400);
    int era, doe, yoe, doy, mp;   /* apr_time_t spans +-292,000 years:
                                   * days fit an int */

    if (rem < 0) {             /* before 1970: floor, not truncation */
        rem += 86400;
        days--;
    }
    tm->hour = rem / 3600;
    tm->min = rem % 3600 / 60;
    tm->sec = rem % 60;
    tm->wday = (days % 7 + 11) % 7;   /* 1970-01-01: a Thursday */

    /* Days since 1970-01-01 to a civil date, counting in 400-year eras of
     * 146097 days from 0000-03-01: starting the year in March puts the leap
     * day at its end, so months are regular: 153 days every 5 months. */
    days += 719468;            /* 0000-03-01 .. 1970-01-01 */
    era = (days >= 0 ? days : days - 146096) / 146097;
    doe = days - era * 146097;                                /* 0..146096 */
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);            /* 0..365 */
    mp = (5 * doy + 2) / 153;                   /* 0 = March .. 11 = Feb */
    tm->mday = doy - (153 * mp + 2) / 5 + 1;
    tm->mon = mp < 10 ? mp + 3 : mp - 9;
    tm->year = yoe + era * 400 + (tm->mon <= 2);
}

/* RFC 1123, as apr_rfc822_date() writes it (getlastmodified): "Tue, 15
 * Nov 1994 12:45:26 GMT".  @a buf has room for APR_RFC822_DATE_LEN. */
static void files_rfc1123(char *buf, apr_time_t t)
{
    static const char days[] = "SunMonTueWedThuFriSat";
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    files_tm tm;
    char *e = buf;

    files_gmtime(&tm, t);
    if (tm.year < 0 || tm.year > 9999) {   /* not from this world */
        apr_rfc822_date(buf, t);
        return;
    }
    memcpy(e, days + 3 * tm.wday, 3);
    e += 3;
    *e++ = ',';
    *e++ = ' ';
    e = files_2digits(e, tm.mday);
    *e++ = ' ';
    memcpy(e, months + 3 * (tm.mon - 1), 3);
    e += 3;
    *e++ = ' ';
    e = files_2digits(e, tm.year / 100);
    e = files_2digits(e, tm.year % 100);
    *e++ = ' ';
    e = files_2digits(e, tm.hour);
    *e++ = ':';
    e = files_2digits(e, tm.min);
    *e++ = ':';
    e = files_2digits(e, tm.sec);
    memcpy(e, " GMT", 5);      /* with the NUL */
}

/* ISO 8601 in UTC, the form RFC 4918 gives creationdate:
 * "1994-11-15T12:45:26Z".  @a buf has room for FILES_ISO_LEN. */
static void files_iso8601(char *buf, apr_time_t t)
{
    files_tm tm;
    char *e = buf;

    files_gmtime(&tm, t);
    if (tm.year < 0 || tm.year > 9999) {   /* not from this world */
        apr_snprintf(buf, FILES_ISO_LEN, "%04d-%02d-%02dT%02d:%02d:%02dZ",
                     tm.year, tm.mon, tm.mday, tm.hour, tm.min, tm.sec);
        return;
    }
    e = files_2digits(e, tm.year / 100);
    e = files_2digits(e, tm.year % 100);
    *e++ = '-';
    e = files_2digits(e, tm.mon);
    *e++ = '-';
    e = files_2digits(e, tm.mday);
    *e++ = 'T';
    e = files_2digits(e, tm.hour);
    *e++ = ':';
    e = files_2digits(e, tm.min);
    *e++ = ':';
    e = files_2digits(e, tm.sec);
    *e++ = 'Z';
    *e = '\0';
}

/*
 * getcontenttype
 */

/* The content type httpd gives the resource at @a uri (unescaped), found
 * the way mod_dav finds it: a GET sub-request, which runs translate_name
 * (ours), the <Location> and <Directory> walks and mod_mime, but no
 * handler.  NULL when httpd knows none (no extension mod_mime knows, no
 * ForceType). */
static const char *files_content_type(request_rec *r, const char *uri,
                                      apr_pool_t *p)
{
    request_rec *rr;
    const char *type = NULL;

    /* the sub-request decodes its URI: hand it an encoded one */
    rr = ap_sub_req_lookup_uri(ap_escape_uri(p, uri), r, NULL);
    if (rr->content_type) {
        type = apr_pstrdup(p, rr->content_type);
    }
    ap_destroy_sub_req(rr);   /* frees its pool: constant memory */
    return type;
}

/* The part of a file name mod_mime reads the type from: all its
 * extensions ("a.tar.gz" -> "tar.gz"; "" for none).  As mod_mime does,
 * leading dots belong to the base name (".png" is a hidden file called
 * png, without extension), the base name ends at the next dot, and every
 * dot-separated part after it is an extension.  So two names of one key
 * get the same answer from mod_mime. */
static const char *files_type_key(const char *name)
{
    const char *dot;

    while (*name == '.') {
        name++;
    }
    dot = strchr(name, '.');
    return dot ? dot + 1 : "";
}

/* Most keys a folder's cache holds: past it, members of new keys get a
 * sub-request each, so that a folder of odd names cannot grow memory. */
#define FILES_TYPES_MAX 256

/* The content type of the member @a name (at @a path, relative to the
 * request-URI) of a folder whose types found so far are in @a types (NULL:
 * no cache, ask httpd).
 *
 * The sub-request is the costly part of a listing (about as much as all
 * the rest of an entry), and its answer rarely differs between members:
 * they share their folder's configuration (<Directory>, .htaccess,
 * ForceType), and mod_mime goes by the extensions only.  So the first
 * member of each extension key makes the real sub-request, and the others
 * of that key in the same folder reuse its answer.
 *
 * What this cannot see is configuration that picks particular names:
 * <Files>, <FilesMatch>, <LocationMatch> (or <If>, RewriteRule [T=]) that
 * set a type for some names of an extension and not for others, or
 * mod_mime_magic, which reads the type from the content.  There every
 * member of the key gets the type of the first one listed;
 * "MsFilesTypeCache Off" gives each file its own sub-request, as mod_dav
 * does. */
static const char *files_type_of(files_ctx *ctx, apr_hash_t *types,
                                 const char *path, const char *name,
                                 apr_pool_t *p)
{
    const char *key, *type;
    apr_pool_t *tp;

    if (types) {
        key = files_type_key(name);
        type = apr_hash_get(types, key, APR_HASH_KEY_STRING);
        if (type) {
            return *type ? type : NULL;   /* "": httpd knows none */
        }
    }
    /* the sub-request wants the URL path */
    if (path[0] != '/') {
        path = apr_pstrcat(p, ctx->base, path, NULL);
    }
    type = files_content_type(ctx->r, path, p);
    if (!types) {
        return type;
    }
    if (apr_hash_count(types) < FILES_TYPES_MAX) {
        /* the folder's pool: it lives as long as the cache */
        tp = apr_hash_pool_get(types);
        apr_hash_set(types, apr_pstrdup(tp, key), APR_HASH_KEY_STRING,
                     apr_pstrdup(tp, type ? type : ""));
    }
    return type;
}

/*
 * One response
 */

/* Report the resource at @a path (unescaped; absolute, or relative to the
 * request-URI; a collection's ends in '/'), of file info @a fi, named
 * @a name, and close its response at once: it is rendered (and, past
 * MultiStatusBufferSize, sent) now, and its memory freed.  @a types: the
 * folder's content-type cache (NULL for none).  @a p is the caller's
 * scratch pool for this entry.  Returns what ms_response_open() said. */
static apr_status_t files_report(files_ctx *ctx, const char *path,
                                 const char *name, const apr_finfo_t *fi,
                                 apr_hash_t *types, apr_pool_t *p)
{
    ms_response *resp;
    apr_status_t rv;
    int dir = fi->filetype == APR_DIR;
    unsigned int want = ctx->wanted;
    char num[FILES_NUM_LEN], etag[FILES_ETAG_LEN];
    char modified[APR_RFC822_DATE_LEN], created[FILES_ISO_LEN];

    /* The module percent-encodes the path ("a b" -> a%20b).  A member's is
     * relative to the request-URI ("a b" under /dir/ is /dir/a%20b): the
     * module encodes the request-URI's part once per request, not for
     * every member. */
    if ((rv = ms_response_open(ctx->r, path, &resp)) != APR_SUCCESS) {
        files_check(ctx, rv);
        return rv;
    }

    /* Compute only what was asked for.  Properties asked for that we do
     * not add (getcontentlength of a folder, an unknown name) are answered
     * 404 by the module. */
    if (want & FP_RESOURCETYPE) {
        /* D: is always bound to DAV:; a file's resourcetype is empty */
        files_prop(ctx, resp, "resourcetype",
                   dir ? MS_VALUE_XML : MS_VALUE_NONE,
                   dir ? "<D:collection/>" : NULL);
    }
    if (!dir && (want & FP_GETCONTENTLENGTH)) {
        files_dec(num, (apr_uint64_t)fi->size);
        files_prop(ctx, resp, "getcontentlength", MS_VALUE_TEXT, num);
    }
    if (want & FP_GETLASTMODIFIED) {
        files_rfc1123(modified, fi->mtime);
        files_prop(ctx, resp, "getlastmodified", MS_VALUE_TEXT, modified);
    }
    if (want & FP_CREATIONDATE) {
        files_iso8601(created, fi->ctime);
        files_prop(ctx, resp, "creationdate", MS_VALUE_TEXT, created);
    }
    if (want & FP_GETETAG) {
        files_etag(etag, fi);
        files_prop(ctx, resp, "getetag", MS_VALUE_TEXT, etag);
    }
    if (want & FP_GETCONTENTTYPE) {
        /* not for propname, where the value would be dropped */
        const char *type = dir ? DIR_MAGIC_TYPE
                         : ctx->names_only ? ""
                         : files_type_of(ctx, types, path, name, p);

        if (type) {
            files_prop(ctx, resp, "getcontenttype", MS_VALUE_TEXT, type);
        }
    }
    if (want & FP_DISPLAYNAME) {
        /* text: the module escapes it; a name that is not UTF-8 is
         * refused (and logged), the property is then left out */
        files_prop(ctx, resp, "displayname", MS_VALUE_TEXT, name);
    }
    if (want & FP_SUPPORTEDLOCK) {
        files_prop(ctx, resp, "supportedlock", MS_VALUE_NONE, NULL);
    }
    if (want & FP_LOCKDISCOVERY) {
        files_prop(ctx, resp, "lockdiscovery", MS_VALUE_NONE, NULL);
    }

    /* Rendered now; the handle is invalid afterwards. */
    files_check(ctx, ms_response_close(resp));
    return APR_SUCCESS;
}

/*
 * The walk
 */

/* @a dir (@a dlen bytes) then @a name (@a nlen) and, with @a slash, a
 * '/', in @a p: apr_pstrcat() would measure every part again, for every
 * member of a listing. */
static char *files_join(apr_pool_t *p, const char *dir, apr_size_t dlen,
                        const char *name, apr_size_t nlen, int slash)
{
    char *s = apr_palloc(p, dlen + nlen + 2);

    memcpy(s, dir, dlen);
    memcpy(s + dlen, name, nlen);
    if (slash) {
        s[dlen + nlen++] = '/';
    }
    s[dlen + nlen] = '\0';
    return s;
}

/* The file info of the member @a name (@a len bytes) of the open folder
 * @a dir (path @a fs, @a fs_len bytes, ending in '/'), its target for a symbolic link: what apr_stat(FILES_FINFO)
 * gives.  Where POSIX.1-2008 is there, fstatat() relative to the open
 * folder: the kernel then looks up one name, not every segment of the
 * path again, and that lookup is the largest single cost of a listing
 * (more than the whole 207 rendering).  mtime and ctime get their
 * microseconds as APR gives them: getetag must equal the ETag of a GET. */
static apr_status_t files_stat(apr_finfo_t *fi, apr_dir_t *dir,
                               const char *fs, apr_size_t fs_len,
                               const char *name, apr_size_t len,
                               apr_pool_t *p)
{
#ifdef FILES_STATAT
    apr_os_dir_t *d;
    struct stat st;

    if (apr_os_dir_get(&d, dir) == APR_SUCCESS) {
        if (fstatat(dirfd(d), name, &st, 0) != 0) {
            return APR_FROM_OS_ERROR(errno);
        }
        memset(fi, 0, sizeof(*fi));
        fi->pool = p;
        fi->valid = FILES_FINFO;
        fi->filetype = S_ISDIR(st.st_mode) ? APR_DIR
                     : S_ISREG(st.st_mode) ? APR_REG : APR_UNKFILE;
        fi->size = st.st_size;
        fi->mtime = apr_time_from_sec(st.st_mtime)
                    + st.st_mtim.tv_nsec / 1000;
        fi->ctime = apr_time_from_sec(st.st_ctime)
                    + st.st_ctim.tv_nsec / 1000;
        return APR_SUCCESS;
    }
#endif
    return apr_stat(fi, files_join(p, fs, fs_len, name, len, 0), FILES_FINFO,
                    p);
}

/* Report the members of the folder @a fs (path @a rel relative to the
 * request-URI: "" for the request-URI itself, else ending in '/'), and
 * with @a infinite their members too, depth first: each folder's response
 * comes before its members'.  Memory: one pool per folder level (with the
 * folder's content-type cache), cleared after each entry.  Members come in
 * directory order (like mod_dav_fs): sorting would need to hold a whole
 * folder. */
static void files_walk(files_ctx *ctx, const char *rel, const char *fs,
                       int infinite, apr_pool_t *parent)
{
    apr_pool_t *p, *scratch;
    apr_dir_t *dir;
    apr_finfo_t dirent, fi;
    apr_status_t rv;
    apr_hash_t *types;
    apr_size_t rel_len = strlen(rel), fs_len = strlen(fs);

    apr_pool_create(&p, parent);
    apr_pool_create(&scratch, p);
    if ((rv = apr_dir_open(&dir, fs, p)) != APR_SUCCESS) {
        /* not readable by httpd: the folder is listed, its members not */
        ap_log_rerror(APLOG_MARK, APLOG_INFO, rv, ctx->r,
                      "ms_files: cannot list %s", fs);
        apr_pool_destroy(p);
        return;
    }
    if (fs[fs_len - 1] != '/') {
        fs = apr_pstrcat(p, fs, "/", NULL);
        fs_len++;
    }
    types = ctx->type_cache ? apr_hash_make(p) : NULL;
    while (!ctx->stop) {
        const char *child_rel;
        apr_size_t len;
        int link, is_dir;

        rv = apr_dir_read(&dirent, APR_FINFO_NAME | APR_FINFO_TYPE, dir);
        if (rv != APR_SUCCESS && rv != APR_INCOMPLETE) {
            break;   /* APR_ENOENT: the end */
        }
        if (!strcmp(dirent.name, ".") || !strcmp(dirent.name, "..")
            || !strcmp(dirent.name, FILES_HIDDEN)) {
            continue;
        }
        len = strlen(dirent.name);
        /* the target of a symbolic link, as mod_dav_fs reports it; one
         * that vanished (or dangles) since the read is skipped */
        rv = files_stat(&fi, dir, fs, fs_len, dirent.name, len, scratch);
        if (rv == APR_SUCCESS || rv == APR_INCOMPLETE) {
            link = (dirent.valid & APR_FINFO_TYPE)
                   && dirent.filetype == APR_LNK;
            is_dir = fi.filetype == APR_DIR;
            child_rel = rel_len || is_dir
                        ? files_join(scratch, rel, rel_len, dirent.name, len,
                                     is_dir)
                        : dirent.name;
            /* a link's type is its own: Options FollowSymLinks and
             * SymLinksIfOwnerMatch apply to it, not to its neighbours */
            (void)files_report(ctx, child_rel, dirent.name, &fi,
                               link ? NULL : types, scratch);
            /* not into links to folders: a link to ".." would never end */
            if (infinite && is_dir && !link) {
                files_walk(ctx, child_rel,
                           files_join(scratch, fs, fs_len, dirent.name, len,
                                      0),
                           infinite, p);
            }
        }
        apr_pool_clear(scratch);
    }
    apr_dir_close(dir);
    apr_pool_destroy(p);
}

/* The last segment of @a uri ("/files/a b/" -> "a b"), for displayname. */
static const char *files_name(apr_pool_t *p, const char *uri)
{
    const char *end = uri + strlen(uri), *start;

    while (end > uri + 1 && end[-1] == '/') {
        end--;
    }
    for (start = end; start > uri && start[-1] != '/'; start--)
        ;
    return start < end ? apr_pstrmemdup(p, start, end - start) : "/";
}

/*
 * GET and HEAD of a folder: a small HTML index
 */

/* What a WebDAV share answers when a browser, or a client that checks
 * existence with HEAD before it lists (python3-webdavclient does), asks
 * for a folder: 200 and a list of links to its members, in directory
 * order (sorting would mean holding the whole folder), the same members a
 * PROPFIND lists.  mod_dir has already redirected "/files/dir" to
 * "/files/dir/" (DirectorySlash) or served an index.html of the folder;
 * without mod_dir the links are absolute paths and work either way. */
static int files_index(request_rec *r)
{
    apr_pool_t *scratch;
    apr_dir_t *dir;
    apr_finfo_t dirent, fi;
    apr_status_t rv;
    const char *base, *fs, *html;
    apr_size_t base_len, fs_len;
    files_conf *conf = ap_get_module_config(r->per_dir_config,
                                            &ms_files_module);

    if ((rv = apr_dir_open(&dir, r->filename, r->pool)) != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, rv, r,
                      "ms_files: cannot list %s", r->filename);
        return HTTP_FORBIDDEN;
    }
    base = r->uri;
    base_len = strlen(base);
    if (base[base_len - 1] != '/') {
        base = apr_pstrcat(r->pool, base, "/", NULL);
        base_len++;
    }
    fs = r->filename;
    fs_len = strlen(fs);
    if (fs[fs_len - 1] != '/') {
        fs = apr_pstrcat(r->pool, fs, "/", NULL);
        fs_len++;
    }
    ap_set_content_type(r, "text/html; charset=utf-8");
    if (r->header_only) {        /* HEAD: the same headers, no listing */
        apr_dir_close(dir);
        return OK;
    }

    html = ap_escape_html2(r->pool, base, 0);
    ap_rvputs(r, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
              "<title>Index of ", html, "</title></head>\n<body><h1>"
              "Index of ", html, "</h1>\n<ul>\n", NULL);
    /* the share's root has no parent inside the share */
    if (base_len > strlen(conf->prefix) + 1) {
        ap_rputs("<li><a href=\"../\">../</a></li>\n", r);
    }
    apr_pool_create(&scratch, r->pool);
    for (;;) {
        const char *path;
        apr_size_t len;
        int is_dir;

        rv = apr_dir_read(&dirent, APR_FINFO_NAME | APR_FINFO_TYPE, dir);
        if (rv != APR_SUCCESS && rv != APR_INCOMPLETE) {
            break;   /* APR_ENOENT: the end */
        }
        if (!strcmp(dirent.name, ".") || !strcmp(dirent.name, "..")
            || !strcmp(dirent.name, FILES_HIDDEN)) {
            continue;
        }
        len = strlen(dirent.name);
        /* as in the PROPFIND walk: a link's target, dangling ones left out */
        rv = files_stat(&fi, dir, fs, fs_len, dirent.name, len, scratch);
        if (rv == APR_SUCCESS || rv == APR_INCOMPLETE) {
            is_dir = fi.filetype == APR_DIR;
            path = files_join(scratch, base, base_len, dirent.name, len,
                              is_dir);
            /* the href percent-encoded ("a b" -> a%20b, '#' and '?'
             * too), then both it and the name HTML-escaped ('&', '<') */
            ap_rvputs(r, "<li><a href=\"",
                      ap_escape_html2(scratch, ap_escape_uri(scratch, path),
                                      0),
                      "\">", ap_escape_html2(scratch, dirent.name, 0),
                      is_dir ? "/" : "", "</a></li>\n", NULL);
        }
        apr_pool_clear(scratch);
    }
    apr_dir_close(dir);
    apr_pool_destroy(scratch);
    ap_rputs("</ul>\n</body></html>\n", r);
    return OK;
}

/*
 * The handler
 */

static int files_propfind(request_rec *r, const files_conf *conf)
{
    files_ctx ctx;
    apr_finfo_t fi;
    apr_status_t rv;
    const char *self;
    int rc;

    /* 1. The request-URI must exist: RFC 4918 wants a plain 404 here, not
     *    a 207 (clients loop otherwise).  Decide before registering
     *    anything: a request that registered nothing is left alone. */
    if (r->finfo.filetype == APR_NOFILE
        || (r->path_info && *r->path_info)) {   /* /files/a.txt/more */
        return HTTP_NOT_FOUND;
    }
    /* r->finfo is core's stat; ours also wants the ctime */
    rv = apr_stat(&fi, r->filename, FILES_FINFO, r->pool);
    if (rv != APR_SUCCESS && rv != APR_INCOMPLETE) {
        return HTTP_NOT_FOUND;
    }

    /* 2. Depth and body.  DONE: the module answered (400 bad body, 403
     *    Depth: infinity refused, 413 too big): no work for us. */
    memset(&ctx, 0, sizeof(ctx));
    ctx.r = r;
    if ((rc = ms_propfind_read(r, &ctx.pf)) != OK) {
        return rc;
    }
    ctx.names_only = ctx.pf->type == MS_PROPFIND_PROPNAME;
    ctx.wanted = files_wanted(ctx.pf);
    ctx.type_cache = conf->type_cache != 0;   /* unset: On */

    /* 3. The request-URI's own response; a collection's href ends in '/'
     *    (asked for as "/files/dir", it is "/files/dir/": see
     *    files_translate()) */
    self = r->uri;
    if (fi.filetype == APR_DIR && self[strlen(self) - 1] != '/') {
        self = apr_pstrcat(r->pool, self, "/", NULL);
        /* RFC 4918 5.2: answered as the URL with the slash, say which */
        apr_table_setn(r->headers_out, "Content-Location",
                       ap_escape_uri(r->pool, self));
    }
    ctx.base = self;
    rv = files_report(&ctx, self, files_name(r->pool, self), &fi, NULL,
                      r->pool);
    if (rv == MS_EDISABLED) {
        /* "MultiStatus Off" here: a module with a fallback would answer on
         * its own now; this one has none */
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "ms_files: MultiStatus Off, PROPFIND not served");
        return HTTP_NOT_IMPLEMENTED;
    }

    /* 4. Its members, for Depth 1 and infinity */
    if (!ctx.stop && fi.filetype == APR_DIR && ctx.pf->depth != 0) {
        files_walk(&ctx, "", r->filename,
                   ctx.pf->depth == MS_DEPTH_INFINITY, r->pool);
    }

    /* The module renders what is left and ends the document, also when
     * the walk stopped early (a 507 response says so on MS_ELIMIT). */
    return OK;
}

static int files_handler(request_rec *r)
{
    files_conf *conf;

    if (!r->handler || strcmp(r->handler, FILES_HANDLER) != 0) {
        return DECLINED;
    }
    conf = ap_get_module_config(r->per_dir_config, &ms_files_module);
    if (!conf->root) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "ms_files: SetHandler " FILES_HANDLER
                      " without MsFilesRoot");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* The methods of the share.  httpd builds the Allow header of a 405
     * and of OPTIONS (ap_send_http_options()) from them, the same way:
     * HEAD comes with GET, TRACE unless TraceEnable Off. */
    ap_allow_standard_methods(r, REPLACE_ALLOW, M_GET, M_OPTIONS, M_PROPFIND,
                              -1);

    switch (r->method_number) {
    case M_GET:   /* and HEAD */
        if (r->finfo.filetype == APR_DIR
            && !(r->path_info && *r->path_info)) {
            return files_index(r);
        }
        return DECLINED;   /* a file: httpd's default handler serves it */
    case M_OPTIONS:
        /* class 1 (no locks); clients check it before they browse.
         * MS-Author-Via: Microsoft's clients want it, as mod_dav sends. */
        apr_table_setn(r->headers_out, "DAV", "1");
        apr_table_setn(r->headers_out, "MS-Author-Via", "DAV");
        ap_set_content_type(r, NULL);   /* no body: no type (mod_mime set
                                         * the resource's) */
        ap_set_content_length(r, 0);
        return ap_send_http_options(r);
    case M_PROPFIND:
        return files_propfind(r, conf);
    default:
        return HTTP_METHOD_NOT_ALLOWED;
    }
}

static void files_register_hooks(apr_pool_t *p)
{
    (void)p;
    /* before core's own translation (APR_HOOK_REALLY_LAST) */
    ap_hook_translate_name(files_translate, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(files_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

module AP_MODULE_DECLARE_DATA ms_files_module = {
    STANDARD20_MODULE_STUFF,
    files_create_dir_conf,    /* per-directory config */
    files_merge_dir_conf,
    NULL,                     /* per-server config */
    NULL,
    files_cmds,
    files_register_hooks,
    AP_MODULE_FLAG_NONE
};
