/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_files_props.c: the mod_ms_files example's live properties -- one
 * resource's response, what goes in it and how its values are formatted.
 * (mod_ms_files.c has the configuration, the handler and the walk.)
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
 *
 * A listing runs this once per member, hundreds of thousands of times for
 * a big folder, so it is written to cost little: the properties asked for
 * are known once per request (flags), values are formatted into buffers
 * (no pool allocation, no apr_psprintf()), dates once per second of the
 * file times and their calendar part once per day, and ms_prop_add() gets
 * each value in the cheapest form it takes (MS_VALUE_NONE for an empty
 * element, MS_VALUE_TEXT for text, MS_VALUE_XML only for the one value
 * that is markup).
 */

#include "httpd.h"
#include "http_request.h"
#include "mod_core.h"              /* DIR_MAGIC_TYPE */

#include "apr_hash.h"
#include "apr_strings.h"
#include "apr_time.h"

#include "mod_ms_files.h"

/* The properties this example knows (all in DAV:), one bit each.  Which of
 * them the client wants is decided once per request (ms_files_ctx_init()):
 * a listing would otherwise ask ms_propfind_wants() the same nine
 * questions for every entry. */
enum {
    FPI_RESOURCETYPE, FPI_GETCONTENTLENGTH, FPI_GETLASTMODIFIED,
    FPI_CREATIONDATE, FPI_GETETAG, FPI_GETCONTENTTYPE, FPI_DISPLAYNAME,
    FPI_SUPPORTEDLOCK, FPI_LOCKDISCOVERY
};
#define FP(x) (1u << FPI_##x)

/* In FPI_* order. */
static const char *const files_props[FILES_NPROPS] = {
    "resourcetype", "getcontentlength", "getlastmodified", "creationdate",
    "getetag", "getcontenttype", "displayname", "supportedlock",
    "lockdiscovery"
};

/* ms_propfind_wants() is 1 for every name under allprop and propname, and
 * for the names listed in a prop request. */
void ms_files_ctx_init(files_ctx *ctx, request_rec *r, const ms_propfind *pf,
                       int type_cache)
{
    apr_size_t i;

    memset(ctx, 0, sizeof(*ctx));
    ctx->r = r;
    ctx->pf = pf;
    ctx->names_only = pf->type == MS_PROPFIND_PROPNAME;
    ctx->type_cache = type_cache;
    for (i = 0; i < FILES_NPROPS; i++) {
        if (ms_propfind_wants(pf, "DAV:", files_props[i])) {
            ctx->wanted |= 1u << i;
            /* checked once here, not on every ms_prop_add() */
            ctx->qname[i] = ms_qname_get(r, "DAV:", files_props[i]);
        }
    }
    for (i = 0; i < FILES_DATE_SLOTS; i++) {
        ctx->modified[i].sec = ctx->modified[i].day = APR_INT64_MIN;
        ctx->created[i].sec = ctx->created[i].day = APR_INT64_MIN;
    }
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

/* Property @a i (FPI_*) by the name checked in ms_files_ctx_init(); by
 * its string if that failed (the call then says why, with its code). */
static APR_INLINE void files_prop(files_ctx *ctx, ms_response *resp, int i,
                                  ms_value_kind kind, const char *value)
{
    if (ctx->names_only) {
        kind = MS_VALUE_NONE;
        value = NULL;
    }
    files_check(ctx, ctx->qname[i]
                     ? ms_prop_add_qname(resp, ctx->qname[i], HTTP_OK, kind,
                                         value)
                     : ms_prop_add(resp, "DAV:", files_props[i], HTTP_OK,
                                   kind, value));
}

/*
 * Values.  ms_prop_add() copies what it is given, so they are formatted
 * into buffers on the caller's stack (or kept in the request's files_ctx):
 * no pool allocation for each of the hundreds of thousands of values a big
 * listing holds.
 */

#define FILES_NUM_LEN   21   /* 2^64 - 1 in decimal, and the NUL */
#define FILES_ETAG_LEN  36   /* '"', 16 hex digits, '-', 16, '"', NUL */

/* Numbers are written backwards, from the end of their buffer, and the
 * start returned: no digit count first, no copy afterwards.  (A constant
 * base: the compiler turns / 10 into a multiplication, / 16 into a shift.) */

/* @a v in decimal, ending just before @a end */
static char *files_dec_back(char *end, apr_uint64_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

/* @a v in lower-case hex, ending just before @a end */
static char *files_hex_back(char *end, apr_uint64_t v)
{
    do {
        *--end = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    return end;
}

/* The ETag httpd's GET sends with the default FileETag (MTime Size):
 * "SIZE-MTIME", both in hex, MTIME in microseconds.  GET marks it weak
 * (W/) while the file is less than a second old; a validator for PROPFIND
 * need not.  @a buf has FILES_ETAG_LEN bytes; returns the value's start. */
static const char *files_etag(char *buf, const apr_finfo_t *fi)
{
    char *s = buf + FILES_ETAG_LEN - 1;

    *s = '\0';
    *--s = '"';
    s = files_hex_back(s, (apr_uint64_t)fi->mtime);
    *--s = '-';
    s = files_hex_back(s, (apr_uint64_t)fi->size);
    *--s = '"';
    return s;
}

static char *files_2digits(char *out, int v)
{
    out[0] = (char)('0' + v / 10);
    out[1] = (char)('0' + v % 10);
    return out + 2;
}

/* The civil date of @a days since 1970-01-01 (proleptic Gregorian), with
 * plain arithmetic: gmtime_r() (behind apr_time_exp_gmt()) takes a lock
 * and goes through the time zone code.  Counting in 400-year eras of
 * 146097 days from 0000-03-01: starting the year in March puts the leap
 * day at its end, so months are regular: 153 days every 5 months.
 * apr_time_t spans +-292,000 years: days fit an int. */
static void files_civil(int days, int *year, int *mon, int *mday, int *wday)
{
    int era, doe, yoe, doy, mp;

    *wday = (days % 7 + 11) % 7;   /* 1970-01-01: a Thursday */
    days += 719468;                /* 0000-03-01 .. 1970-01-01 */
    era = (days >= 0 ? days : days - 146096) / 146097;
    doe = days - era * 146097;                                /* 0..146096 */
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);            /* 0..365 */
    mp = (5 * doy + 2) / 153;                   /* 0 = March .. 11 = Feb */
    *mday = doy - (153 * mp + 2) / 5 + 1;
    *mon = mp < 10 ? mp + 3 : mp - 9;
    *year = yoe + era * 400 + (*mon <= 2);
}

/* The date part of @a d for @a days: RFC 1123 ("Tue, 15 Nov 1994 ", as
 * apr_rfc822_date() writes it), or with @a iso ISO 8601 ("1994-11-15T").
 * 0 for a year of more than 4 digits, which the caller formats the slow
 * way. */
static int files_date_day(files_date *d, int days, int iso)
{
    static const char wdays[] = "SunMonTueWedThuFriSat";
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int year, mon, mday, wday;
    char *e = d->text;

    files_civil(days, &year, &mon, &mday, &wday);
    if (year < 0 || year > 9999) {   /* not from this world */
        return 0;
    }
    if (iso) {
        e = files_2digits(e, year / 100);
        e = files_2digits(e, year % 100);
        *e++ = '-';
        e = files_2digits(e, mon);
        *e++ = '-';
        e = files_2digits(e, mday);
        memcpy(e, "T00:00:00Z", 11);   /* the time follows */
    }
    else {
        memcpy(e, wdays + 3 * wday, 3);
        e += 3;
        *e++ = ',';
        *e++ = ' ';
        e = files_2digits(e, mday);
        *e++ = ' ';
        memcpy(e, months + 3 * (mon - 1), 3);
        e += 3;
        *e++ = ' ';
        e = files_2digits(e, year / 100);
        e = files_2digits(e, year % 100);
        memcpy(e, " 00:00:00 GMT", 14);
    }
    return 1;
}

/* Format @a t, of the second @a secs, into the slot @a d (see
 * files_date_of()): its date part only when the slot's day was another. */
static void files_date_set(files_date *d, apr_time_t t, apr_int64_t secs,
                           int iso)
{
    apr_int64_t days = secs / 86400;
    int rem = (int)(secs % 86400);
    char *e;

    if (rem < 0) {             /* before 1970: floor, not truncation */
        rem += 86400;
        days--;
    }
    if (days != d->day) {
        if (!files_date_day(d, (int)days, iso)) {
            int year, mon, mday, wday;

            if (iso) {
                files_civil((int)days, &year, &mon, &mday, &wday);
                apr_snprintf(d->text, FILES_DATE_LEN,
                             "%04d-%02d-%02dT%02d:%02d:%02dZ", year, mon,
                             mday, rem / 3600, rem % 3600 / 60, rem % 60);
            }
            else {
                apr_rfc822_date(d->text, t);
            }
            d->sec = secs;
            d->day = APR_INT64_MIN;   /* text has no date part to reuse */
            return;
        }
        d->day = days;
    }
    /* the time of day: "hh:mm:ss" after "1994-11-15T" or "Tue, 15 Nov
     * 1994 " */
    e = d->text + (iso ? 11 : 17);
    e = files_2digits(e, rem / 3600);
    *e++ = ':';
    e = files_2digits(e, rem % 3600 / 60);
    *e++ = ':';
    files_2digits(e, rem % 60);
    d->sec = secs;
}

/* @a t as a date: RFC 1123 for getlastmodified, with @a iso ISO 8601 in
 * UTC for creationdate (the form RFC 4918 gives it).  Whole seconds,
 * truncated toward zero as APR does.  @a table holds the dates of the
 * last FILES_DATE_SLOTS seconds seen (one slot per second modulo
 * FILES_DATE_SLOTS): members come in directory order, not by time, and
 * files written together share a few seconds.  Only a second not in the
 * table is formatted, and its date part only when the slot's day was
 * another. */
static const char *files_date_of(files_date *table, apr_time_t t, int iso)
{
    apr_int64_t secs = t / APR_USEC_PER_SEC;
    files_date *d = &table[(apr_uint64_t)secs % FILES_DATE_SLOTS];

    if (secs != d->sec) {
        files_date_set(d, t, secs, iso);
    }
    return d->text;
}

/*
 * getcontenttype
 */

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

/* One key's answer; type "" when httpd knows none. */
typedef struct {
    const char *key;
    const char *type;
} files_type;

/* A folder's content types found so far (see files_type_of()). */
struct files_types {
    apr_hash_t *hash;         /* key -> files_type */
    const files_type *last;   /* the last one used */
};

files_types *ms_files_types_make(apr_pool_t *p)
{
    files_types *types = apr_palloc(p, sizeof(*types));

    types->hash = apr_hash_make(p);
    types->last = NULL;
    return types;
}

/* getcontenttype of the member @a name (at @a path, relative to the
 * request-URI) of a folder whose types found so far are in @a types (NULL:
 * no cache, ask httpd): the type httpd gives it, found the way mod_dav
 * finds it, by a GET sub-request, which runs translate_name (ours), the
 * <Location> and <Directory> walks and mod_mime, but no handler.  Left out
 * when httpd knows none (no extension mod_mime knows, no ForceType).
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
static void files_type_of(files_ctx *ctx, ms_response *resp,
                          files_types *types, const char *path,
                          const char *name)
{
    const char *key = NULL, *type;
    const files_type *known;
    files_type *ft;
    apr_pool_t *p, *tp;
    request_rec *rr;

    if (types) {
        key = files_type_key(name);
        /* the members of a folder mostly share one key: the last one
         * first, without hashing */
        known = types->last && !strcmp(types->last->key, key)
                ? types->last : apr_hash_get(types->hash, key,
                                             APR_HASH_KEY_STRING);
        if (known) {
            types->last = known;
            if (*known->type) {
                files_prop(ctx, resp, FPI_GETCONTENTTYPE, MS_VALUE_TEXT,
                           known->type);
            }
            return;
        }
    }
    /* A pool for this lookup alone: its memory goes when it is done. */
    apr_pool_create(&p, ctx->r->pool);
    /* the sub-request wants the URL path, encoded: it decodes it */
    if (path[0] != '/') {
        path = apr_pstrcat(p, ctx->base, path, NULL);
    }
    rr = ap_sub_req_lookup_uri(ap_escape_uri(p, path), ctx->r, NULL);
    type = rr->content_type;
    if (type) {
        files_prop(ctx, resp, FPI_GETCONTENTTYPE, MS_VALUE_TEXT, type);
    }
    if (types && apr_hash_count(types->hash) < FILES_TYPES_MAX) {
        /* the folder's pool: it lives as long as the cache */
        tp = apr_hash_pool_get(types->hash);
        ft = apr_palloc(tp, sizeof(*ft));
        ft->key = apr_pstrdup(tp, key);
        ft->type = apr_pstrdup(tp, type ? type : "");
        apr_hash_set(types->hash, ft->key, APR_HASH_KEY_STRING, ft);
        types->last = ft;
    }
    ap_destroy_sub_req(rr);   /* frees its pool: constant memory */
    apr_pool_destroy(p);
}

/*
 * One response
 */

apr_status_t ms_files_report(files_ctx *ctx, const char *path,
                             const char *name, const apr_finfo_t *fi,
                             files_types *types)
{
    ms_response *resp;
    apr_status_t rv;
    int dir = fi->filetype == APR_DIR;
    unsigned int want = ctx->wanted;
    char num[FILES_NUM_LEN], etag[FILES_ETAG_LEN];

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
    if (want & FP(RESOURCETYPE)) {
        /* D: is always bound to DAV:; a file's resourcetype is empty */
        files_prop(ctx, resp, FPI_RESOURCETYPE,
                   dir ? MS_VALUE_XML : MS_VALUE_NONE,
                   dir ? "<D:collection/>" : NULL);
    }
    if (!dir && (want & FP(GETCONTENTLENGTH))) {
        num[FILES_NUM_LEN - 1] = '\0';
        files_prop(ctx, resp, FPI_GETCONTENTLENGTH, MS_VALUE_TEXT,
                   files_dec_back(num + FILES_NUM_LEN - 1,
                                  (apr_uint64_t)fi->size));
    }
    if (want & FP(GETLASTMODIFIED)) {
        files_prop(ctx, resp, FPI_GETLASTMODIFIED, MS_VALUE_TEXT,
                   files_date_of(ctx->modified, fi->mtime, 0));
    }
    if (want & FP(CREATIONDATE)) {
        files_prop(ctx, resp, FPI_CREATIONDATE, MS_VALUE_TEXT,
                   files_date_of(ctx->created, fi->ctime, 1));
    }
    if (want & FP(GETETAG)) {
        files_prop(ctx, resp, FPI_GETETAG, MS_VALUE_TEXT, files_etag(etag, fi));
    }
    if (want & FP(GETCONTENTTYPE)) {
        if (dir) {
            files_prop(ctx, resp, FPI_GETCONTENTTYPE, MS_VALUE_TEXT,
                       DIR_MAGIC_TYPE);
        }
        else if (ctx->names_only) {   /* no lookup for a dropped value */
            files_prop(ctx, resp, FPI_GETCONTENTTYPE, MS_VALUE_NONE, NULL);
        }
        else {
            files_type_of(ctx, resp, types, path, name);
        }
    }
    if (want & FP(DISPLAYNAME)) {
        /* text: the module escapes it; a name that is not UTF-8 is
         * refused (and logged), the property is then left out */
        files_prop(ctx, resp, FPI_DISPLAYNAME, MS_VALUE_TEXT, name);
    }
    if (want & FP(SUPPORTEDLOCK)) {
        files_prop(ctx, resp, FPI_SUPPORTEDLOCK, MS_VALUE_NONE, NULL);
    }
    if (want & FP(LOCKDISCOVERY)) {
        files_prop(ctx, resp, FPI_LOCKDISCOVERY, MS_VALUE_NONE, NULL);
    }

    /* Rendered now; the handle is invalid afterwards. */
    files_check(ctx, ms_response_close(resp));
    return APR_SUCCESS;
}
