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
 *   ms_propfind_wants()  tells whether a property is worth computing
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
 *     <Location /files/>
 *         SetHandler ms-files
 *         MsFilesRoot /srv/files        # the folder /files/ stands for
 *     </Location>
 *     <Directory /srv/files>            # as for an Alias: access control
 *         Require all granted           #   and AddType etc. of the files
 *     </Directory>
 *     # optional: MultiStatusDepthInfinity On (default Off: 403)
 *
 * MsFilesRoot maps URLs to files during translate_name, the way Alias
 * does: /files/a/b.txt is the file /srv/files/a/b.txt.  So httpd itself
 * knows the file (r->filename, r->finfo), <Directory> sections apply to
 * it, a sub-request for a member finds its content type exactly as a GET
 * of it would, and GET / HEAD of a file are simply left to httpd's default
 * handler (Range, conditional requests, ETag: all for free).
 *
 * Methods:
 *   OPTIONS   "DAV: 1", "Allow: OPTIONS, GET, HEAD, PROPFIND"
 *   GET, HEAD files, by the default handler (folders: 404)
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
 *                      ForceType...), as mod_dav does; left out when httpd
 *                      knows none; folders: httpd/unix-directory
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

#include "apr_strings.h"
#include "apr_file_info.h"
#include "apr_time.h"

#include "mod_multistatus.h"

module AP_MODULE_DECLARE_DATA ms_files_module;

APLOG_USE_MODULE(ms_files);

#define FILES_HANDLER  "ms-files"
#define FILES_ALLOW    "OPTIONS, GET, HEAD, PROPFIND"
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
} files_conf;

static void *files_create_dir_conf(apr_pool_t *p, char *dir)
{
    (void)dir;
    return apr_pcalloc(p, sizeof(files_conf));
}

static void *files_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    files_conf *base = basev, *add = addv;
    files_conf *conf = apr_pcalloc(p, sizeof(*conf));

    /* root and prefix travel together: they describe one mapping */
    *conf = add->root ? *add : *base;
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
    return OK;
}

/*
 * One resource: its properties
 */

typedef struct {
    request_rec *r;
    const ms_propfind *pf;
    int names_only;       /* propname: the module drops values anyway */
    int stop;             /* the module said stop (limit, client gone) */
} files_ctx;

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

#define WANTS(ctx, name) ms_propfind_wants((ctx)->pf, "DAV:", (name))

/* The content type httpd gives the resource at @a uri (unescaped), found
 * the way mod_dav finds it: a GET sub-request, which runs translate_name
 * (ours), the <Directory> walk and mod_mime, but no handler.  NULL when
 * httpd knows none (no extension mod_mime knows, no ForceType). */
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

/* Report the resource at @a uri (unescaped; a collection's ends in '/'),
 * of file info @a fi, named @a name, and close its response at once: it is
 * rendered (and, past MultiStatusBufferSize, sent) now, and its memory
 * freed.  @a p is the caller's scratch pool for this entry.  Returns what
 * ms_response_open() said. */
static apr_status_t files_report(files_ctx *ctx, const char *uri,
                                 const char *name, const apr_finfo_t *fi,
                                 apr_pool_t *p)
{
    ms_response *resp;
    apr_status_t rv;
    int dir = fi->filetype == APR_DIR;

    /* absolute path: the module percent-encodes it ("a b" -> a%20b) */
    if ((rv = ms_response_open(ctx->r, uri, &resp)) != APR_SUCCESS) {
        files_check(ctx, rv);
        return rv;
    }

    /* Compute only what was asked for: ms_propfind_wants() is 1 for every
     * name under allprop and propname.  Properties asked for that we do not
     * add (getcontentlength of a folder, an unknown name) are answered 404
     * by the module. */
    if (WANTS(ctx, "resourcetype")) {
        /* D: is always bound to DAV:; a file's resourcetype is empty */
        files_prop(ctx, resp, "resourcetype",
                   dir ? MS_VALUE_XML : MS_VALUE_NONE,
                   dir ? "<D:collection/>" : NULL);
    }
    if (!dir && WANTS(ctx, "getcontentlength")) {
        files_prop(ctx, resp, "getcontentlength", MS_VALUE_TEXT,
                   apr_off_t_toa(p, fi->size));
    }
    if (WANTS(ctx, "getlastmodified")) {
        char *date = apr_palloc(p, APR_RFC822_DATE_LEN);

        apr_rfc822_date(date, fi->mtime);
        files_prop(ctx, resp, "getlastmodified", MS_VALUE_TEXT, date);
    }
    if (WANTS(ctx, "creationdate")) {
        apr_time_exp_t t;

        apr_time_exp_gmt(&t, fi->ctime);
        files_prop(ctx, resp, "creationdate", MS_VALUE_TEXT,
                   apr_psprintf(p, "%04d-%02d-%02dT%02d:%02d:%02dZ",
                                t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                                t.tm_hour, t.tm_min, t.tm_sec));
    }
    if (WANTS(ctx, "getetag")) {
        /* the ETag httpd's GET sends with the default FileETag (MTime
         * Size); GET marks it weak (W/) while the file is less than a
         * second old, a validator for PROPFIND need not */
        files_prop(ctx, resp, "getetag", MS_VALUE_TEXT,
                   apr_psprintf(p, "\"%" APR_UINT64_T_HEX_FMT "-%"
                                APR_UINT64_T_HEX_FMT "\"",
                                (apr_uint64_t)fi->size,
                                (apr_uint64_t)fi->mtime));
    }
    if (WANTS(ctx, "getcontenttype")) {
        /* a sub-request per file is the costly part of a listing: not for
         * propname, where the value would be dropped */
        const char *type = dir ? DIR_MAGIC_TYPE
                         : ctx->names_only ? ""
                         : files_content_type(ctx->r, uri, p);

        if (type) {
            files_prop(ctx, resp, "getcontenttype", MS_VALUE_TEXT, type);
        }
    }
    if (WANTS(ctx, "displayname")) {
        /* text: the module escapes it; a name that is not UTF-8 is
         * refused (and logged), the property is then left out */
        files_prop(ctx, resp, "displayname", MS_VALUE_TEXT, name);
    }
    if (WANTS(ctx, "supportedlock")) {
        files_prop(ctx, resp, "supportedlock", MS_VALUE_NONE, NULL);
    }
    if (WANTS(ctx, "lockdiscovery")) {
        files_prop(ctx, resp, "lockdiscovery", MS_VALUE_NONE, NULL);
    }

    /* Rendered now; the handle is invalid afterwards. */
    files_check(ctx, ms_response_close(resp));
    return APR_SUCCESS;
}

/*
 * The walk
 */

/* Report the members of the folder @a fs (URL @a uri, ending in '/'), and
 * with @a infinite their members too, depth first: each folder's response
 * comes before its members'.  Memory: one pool per folder level, cleared
 * after each entry.  Members come in directory order (like mod_dav_fs):
 * sorting would need to hold a whole folder. */
static void files_walk(files_ctx *ctx, const char *uri, const char *fs,
                       int infinite, apr_pool_t *parent)
{
    apr_pool_t *p, *scratch;
    apr_dir_t *dir;
    apr_finfo_t dirent, fi;
    apr_status_t rv;

    apr_pool_create(&p, parent);
    apr_pool_create(&scratch, p);
    if ((rv = apr_dir_open(&dir, fs, p)) != APR_SUCCESS) {
        /* not readable by httpd: the folder is listed, its members not */
        ap_log_rerror(APLOG_MARK, APLOG_INFO, rv, ctx->r,
                      "ms_files: cannot list %s", fs);
        apr_pool_destroy(p);
        return;
    }
    while (!ctx->stop) {
        const char *child_fs, *child_uri;
        int link;

        rv = apr_dir_read(&dirent, APR_FINFO_NAME | APR_FINFO_TYPE, dir);
        if (rv != APR_SUCCESS && rv != APR_INCOMPLETE) {
            break;   /* APR_ENOENT: the end */
        }
        if (!strcmp(dirent.name, ".") || !strcmp(dirent.name, "..")
            || !strcmp(dirent.name, FILES_HIDDEN)) {
            continue;
        }
        child_fs = apr_pstrcat(scratch, fs,
                               fs[strlen(fs) - 1] == '/' ? "" : "/",
                               dirent.name, NULL);
        /* the target of a symbolic link, as mod_dav_fs reports it; one
         * that vanished (or dangles) since the read is skipped */
        rv = apr_stat(&fi, child_fs, FILES_FINFO, scratch);
        if (rv == APR_SUCCESS || rv == APR_INCOMPLETE) {
            link = (dirent.valid & APR_FINFO_TYPE)
                   && dirent.filetype == APR_LNK;
            child_uri = apr_pstrcat(scratch, uri, dirent.name,
                                    fi.filetype == APR_DIR ? "/" : "", NULL);
            (void)files_report(ctx, child_uri, dirent.name, &fi, scratch);
            /* not into links to folders: a link to ".." would never end */
            if (infinite && fi.filetype == APR_DIR && !link) {
                files_walk(ctx, child_uri, child_fs, infinite, p);
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
 * The handler
 */

static int files_propfind(request_rec *r)
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

    /* 3. The request-URI's own response; a collection's href ends in '/'
     *    (mod_dir normally redirects "/files/dir" to "/files/dir/" first) */
    self = r->uri;
    if (fi.filetype == APR_DIR && self[strlen(self) - 1] != '/') {
        self = apr_pstrcat(r->pool, self, "/", NULL);
    }
    rv = files_report(&ctx, self, files_name(r->pool, self), &fi, r->pool);
    if (rv == MS_EDISABLED) {
        /* "MultiStatus Off" here: a module with a fallback would answer on
         * its own now; this one has none */
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "ms_files: MultiStatus Off, PROPFIND not served");
        return HTTP_NOT_IMPLEMENTED;
    }

    /* 4. Its members, for Depth 1 and infinity */
    if (!ctx.stop && fi.filetype == APR_DIR && ctx.pf->depth != 0) {
        files_walk(&ctx, self, r->filename,
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
    /* what httpd lists in the Allow header of a 405 (HEAD comes with GET) */
    ap_allow_standard_methods(r, REPLACE_ALLOW, M_GET, M_OPTIONS, M_PROPFIND,
                              -1);

    switch (r->method_number) {
    case M_GET:   /* and HEAD: httpd's default handler serves the file */
        return DECLINED;
    case M_OPTIONS:
        /* class 1 (no locks); clients check it before they browse.
         * MS-Author-Via: Microsoft's clients want it, as mod_dav sends. */
        apr_table_setn(r->headers_out, "DAV", "1");
        apr_table_setn(r->headers_out, "MS-Author-Via", "DAV");
        apr_table_setn(r->headers_out, "Allow", FILES_ALLOW);
        ap_set_content_type(r, NULL);   /* no body: no type (mod_mime set
                                         * the resource's) */
        ap_set_content_length(r, 0);
        return OK;
    case M_PROPFIND:
        return files_propfind(r);
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
