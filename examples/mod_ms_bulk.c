/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_ms_bulk.c: an example consumer of mod_multistatus, the module to copy
 * when you write a handler that acts on many resources in one request and
 * reports one result per resource.
 *
 * It uses the DIRECT calls of include/mod_multistatus.h (ms_add_status,
 * ms_response_open, ...).  Nothing is linked: the symbols resolve from
 * mod_multistatus.so when httpd loads this module, so "LoadModule
 * multistatus_module" must come BEFORE "LoadModule ms_bulk_module"
 * (otherwise httpd stops with "undefined symbol: ms_...").  A module
 * that must also load without mod_multistatus uses the optional functions
 * instead: see mod_ms_props.c and ms_api_retrieve() in the header.
 *
 * Configuration:
 *
 *     <Location /bulk>
 *         SetHandler ms-bulk
 *         MsBulkRoot /srv/files          # the tree /bulk/ stands for
 *         MsBulkAllowDelete On           # default Off: DELETE answers 405
 *         MsBulkReportSuccess Off        # default Off, see DELETE below
 *     </Location>
 *
 * URL /bulk/a/b stands for the file system path /srv/files/a/b.
 *
 * POST /bulk/dir/ with a text/plain body of member names, one per line
 * (relative to the collection, at most 64 KiB; empty lines are ignored):
 * answers 207 with one response per name:
 *     200  the file or folder exists and the server may read it
 *     404  it does not exist
 *     403  it is not readable, is a symbolic link, or the name leads out of
 *          MsBulkRoot ("../../etc/passwd")
 *     422  the line is not a usable name (an absolute path, control
 *          characters); a responsedescription says why
 * A name listed twice gives one response (ms_add_status merges by href;
 * a second, different status for one href is refused, the first kept).
 * A name that leads out of the collection ("../../etc/passwd",
 * "/etc/passwd") is reported under the collection's href plus the whole
 * name as one percent-encoded segment (/bulk/dir/..%2F..%2Fetc%2Fpasswd),
 * so that every name gets its own response a client can match.
 *
 * DELETE /bulk/dir/ deletes the collection's members recursively, then the
 * collection itself (never the folder MsBulkRoot names: that one is only
 * emptied).  A member "X" is locked while a file "X.lock" sits next to it:
 * it is kept and reported 423 with the DAV:lock-token-submitted error (the
 * ".lock" file itself is kept too).  As RFC 4918 section 9.6.1 asks, the
 * 207 lists only the members that could not be deleted (403, 423, 500), and
 * not their parent folders (they are implied); with MsBulkReportSuccess On
 * it also lists every member deleted, with 204.  When everything was
 * deleted and nothing is reported, the answer is a plain 204; DELETE of a
 * single file answers its own status (204, 403, 404, 423) without a 207.
 * When the answer is full (MultiStatusMaxResponses), the walk stops and
 * what was not listed stays in place.
 *
 * With "MultiStatus Off" for the location, both answer text/plain, one
 * line per result: the graceful degradation a consumer module should have.
 */

#include <stddef.h>   /* offsetof */

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"

#include "apr_strings.h"
#include "apr_file_info.h"
#include "apr_file_io.h"
#include "apr_lib.h"

#include <errno.h>

#include "mod_multistatus.h"

module AP_MODULE_DECLARE_DATA ms_bulk_module;

APLOG_USE_MODULE(ms_bulk);

#define BULK_HANDLER    "ms-bulk"
#define BULK_MAX_BODY   (64 * 1024)   /* bytes of POST body we accept */
#define BULK_MAX_DEPTH  64            /* folder levels DELETE descends */
#define BULK_LOCK_EXT   ".lock"

/*
 * Configuration
 */

typedef struct {
    const char *root;     /* MsBulkRoot, NULL when unset */
    const char *prefix;   /* URL path of the <Location> that set the root,
                           * without trailing '/' ("" for "/") */
    int allow_delete;     /* MsBulkAllowDelete, -1 when unset */
    int report_success;   /* MsBulkReportSuccess, -1 when unset */
} bulk_conf;

static void *bulk_create_dir_conf(apr_pool_t *p, char *dir)
{
    bulk_conf *conf = apr_pcalloc(p, sizeof(*conf));

    (void)dir;
    conf->allow_delete = -1;
    conf->report_success = -1;
    return conf;
}

static void *bulk_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    bulk_conf *base = basev, *add = addv;
    bulk_conf *conf = apr_pcalloc(p, sizeof(*conf));

    /* root and prefix travel together: they describe one mapping */
    conf->root = add->root ? add->root : base->root;
    conf->prefix = add->root ? add->prefix : base->prefix;
    conf->allow_delete = add->allow_delete != -1 ? add->allow_delete
                                                 : base->allow_delete;
    conf->report_success = add->report_success != -1 ? add->report_success
                                                     : base->report_success;
    return conf;
}

static const char *set_bulk_root(cmd_parms *cmd, void *dconf, const char *arg)
{
    bulk_conf *conf = dconf;
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIRECTORY | NOT_IN_FILES);
    apr_size_t len;

    if (err) {
        return err;
    }
    if (!ap_os_is_path_absolute(cmd->pool, arg)) {
        return "MsBulkRoot needs an absolute path";
    }
    conf->root = apr_pstrdup(cmd->pool, arg);
    /* cmd->path is the <Location> argument; NULL at server level ("/") */
    conf->prefix = apr_pstrdup(cmd->pool, cmd->path ? cmd->path : "");
    len = strlen(conf->prefix);
    while (len > 0 && conf->prefix[len - 1] == '/') {
        ((char *)conf->prefix)[--len] = '\0';
    }
    return NULL;
}

static const command_rec bulk_cmds[] = {
    AP_INIT_TAKE1("MsBulkRoot", set_bulk_root, NULL, ACCESS_CONF | RSRC_CONF,
                  "Folder that the enclosing <Location> stands for "
                  "(members of POST and DELETE requests live below it)"),
    AP_INIT_FLAG("MsBulkAllowDelete", ap_set_flag_slot,
                 (void *)offsetof(bulk_conf, allow_delete),
                 ACCESS_CONF | RSRC_CONF,
                 "On to let DELETE remove files below MsBulkRoot "
                 "(default Off)"),
    AP_INIT_FLAG("MsBulkReportSuccess", ap_set_flag_slot,
                 (void *)offsetof(bulk_conf, report_success),
                 ACCESS_CONF | RSRC_CONF,
                 "On to list members DELETE removed (204) as well as the "
                 "failures (default Off, as RFC 4918 9.6.1 asks)"),
    /* the end, spelled out: clang warns about a bare { NULL } */
    { NULL, { NULL }, NULL, 0, RAW_ARGS, NULL }
};

/*
 * Reporting results, and what the API's return codes mean
 */

typedef struct {
    request_rec *r;
    const bulk_conf *conf;
    int plain;       /* "MultiStatus Off" here: we answer text/plain */
    int stop;        /* the module asked us to stop walking */
    int reported;    /* results reported (207 or plain) */
    int failures;    /* DELETE: members that are still there */
} bulk_ctx;

/*
 * Decide what the return code of a mod_multistatus call means for the
 * walk.  Every call has the same contract, so one function decides for
 * all of them.  MS_EDISABLED is handled by the callers, before this.
 */
static void bulk_check_rv(bulk_ctx *ctx, apr_status_t rv)
{
    switch (rv) {
    case APR_SUCCESS:
        break;
    case MS_ELIMIT:
        /* MultiStatusMaxResponses reached: the module closes the body
         * with a marker saying the list is incomplete.  Work done from
         * here on would be invisible to the client, so stop; for DELETE
         * that means the rest stays in place, and the client may repeat
         * the request. */
    case MS_EABORTED:
        /* The client went away: nothing more is sent, stop working. */
    case MS_EFINISHED:
        /* Too late to register (cannot happen inside the handler; it
         * does from a logging hook).  Nothing more to do. */
        ctx->stop = 1;
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, rv, ctx->r,
                      "ms_bulk: stopping the walk");
        break;
    case MS_EINVAL:
    case MS_ECONFLICT:
    default:
        /* This one result was refused, and the module already logged one
         * line saying why and for which href.  Nothing of it reached the
         * body, which stays valid; the other results are still good, so
         * go on.  (Our inputs are checked, so this means a bug here.) */
        break;
    }
}

/*
 * The degraded answer: with "MultiStatus Off" every call returns
 * MS_EDISABLED and registers nothing, and the handler answers on its own.
 * A text/plain line per result ("403 secret.txt: not readable") keeps
 * the information for a human or a script.  The same fallback serves a
 * module that finds mod_multistatus missing through ms_api_retrieve().
 */
static void bulk_plain_start(bulk_ctx *ctx)
{
    if (!ctx->plain) {
        ctx->plain = 1;
        ap_set_content_type(ctx->r, "text/plain; charset=utf-8");
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, ctx->r,
                      "ms_bulk: multistatus disabled, answering text/plain");
    }
}

static void bulk_plain(bulk_ctx *ctx, const char *path, int status,
                       const char *description)
{
    request_rec *r = ctx->r;

    bulk_plain_start(ctx);
    /* ap_escape_logitem() keeps control characters out of the text */
    ap_rprintf(r, "%d %s%s%s\n", status, ap_escape_logitem(r->pool, path),
               description ? ": " : "", description ? description : "");
}

/*
 * POST: one result per name, with the one-call form ms_add_status().
 * It leaves the response open, so a name listed twice (or "a" and "./a")
 * lands in one response (a different second status is refused: the
 * first stays).  Open responses live
 * until the handler returns: fine for a list bounded by BULK_MAX_BODY.
 */
/* Does @a name, resolved against the collection, leave it (an absolute
 * path, or more ".." segments than it went down)? */
static int bulk_name_escapes(const char *name)
{
    int depth = 0;
    const char *p = name, *e;

    if (*name == '/') {
        return 1;
    }
    while (*p) {
        e = p + strcspn(p, "/");
        if (e - p == 2 && p[0] == '.' && p[1] == '.') {
            if (--depth < 0) {
                return 1;
            }
        }
        else if (e > p && !(e - p == 1 && p[0] == '.')) {
            depth++;
        }
        p = *e ? e + 1 : e;
    }
    return 0;
}

/* A name that leaves the collection is reported under an href that keeps
 * it whole, as one segment below the collection ("../../etc/passwd" ->
 * /bulk/..%2F..%2Fetc%2Fpasswd): the client decodes it back to what it
 * sent, and it never collides with the result of another name. */
static apr_status_t bulk_add_whole(request_rec *r, const char *name,
                                   int status, const char *description)
{
    static const char hex[] = "0123456789ABCDEF";
    char *enc = apr_palloc(r->pool, 3 * strlen(name) + 1), *o = enc;
    const unsigned char *c;
    ms_response *resp;
    apr_status_t rv;

    for (c = (const unsigned char *)name; *c; c++) {
        if (apr_isalnum(*c) || *c == '-' || *c == '_' || *c == '~') {
            *o++ = (char)*c;
        }
        else {
            *o++ = '%';
            *o++ = hex[*c >> 4];
            *o++ = hex[*c & 15];
        }
    }
    *o = '\0';
    rv = ms_response_open_href(r, enc, &resp);
    if (rv == APR_SUCCESS && ms_response_status(resp)
        && ms_response_status(resp) != status) {
        return MS_ECONFLICT;    /* the same name twice: first result kept */
    }
    if (rv == APR_SUCCESS) {
        rv = ms_response_set_status(resp, status);
    }
    if (rv == APR_SUCCESS && description) {
        rv = ms_response_set_description(resp, description);
    }
    return rv;
}

static void bulk_add(bulk_ctx *ctx, const char *path, int status,
                     const char *description)
{
    apr_status_t rv;

    if (ctx->stop) {
        return;
    }
    ctx->reported++;
    if (!ctx->plain) {
        /* path is a name relative to the request-URI, unescaped: the
         * module resolves it ("a b" under /bulk/ -> /bulk/a%20b); one
         * that would resolve outside the collection keeps its own href */
        rv = bulk_name_escapes(path)
             ? bulk_add_whole(ctx->r, path, status, description)
             : ms_add_status(ctx->r, path, status, description);
        if (rv != MS_EDISABLED) {
            bulk_check_rv(ctx, rv);
            return;
        }
    }
    bulk_plain(ctx, path, status, description);
}

/*
 * DELETE: the walk can be as big as the tree, so each result is rendered
 * and released at once with ms_response_close(): memory stays constant,
 * and once the body is past MultiStatusBufferSize it streams to the client
 * as the walk goes.  The member must not be reported again afterwards (a
 * directory walk never meets a member twice).
 *
 * Open before acting: when a member will be reported whatever happens
 * (MsBulkReportSuccess On), its response is opened BEFORE it is deleted.
 * If the module refuses the open (MS_ELIMIT: MultiStatusMaxResponses
 * reached), the walk stops and the member stays: nothing is deleted that
 * the answer does not mention.  (A failure changes nothing on disk, so it
 * can be opened after the fact.)
 */
static ms_response *bulk_reserve(bulk_ctx *ctx, const char *path)
{
    ms_response *resp = NULL;
    apr_status_t rv;

    if (ctx->conf->report_success != 1 || ctx->plain || ctx->stop) {
        return NULL;
    }
    rv = ms_response_open(ctx->r, path, &resp);
    if (rv == MS_EDISABLED) {
        bulk_plain_start(ctx);
        return NULL;
    }
    bulk_check_rv(ctx, rv);
    return rv == APR_SUCCESS ? resp : NULL;
}

/* Report one result: into @a resp when bulk_reserve() opened it, else
 * into a response opened now.  The response is closed either way. */
static void bulk_report(bulk_ctx *ctx, ms_response *resp, const char *path,
                        int status, const char *description, int locked)
{
    apr_status_t rv, crv;

    if (ctx->plain) {
        ctx->reported++;
        bulk_plain(ctx, path, status, description);
        return;
    }
    if (!resp) {
        if (ctx->stop) {
            return;
        }
        rv = ms_response_open(ctx->r, path, &resp);
        if (rv == MS_EDISABLED) {
            ctx->reported++;
            bulk_plain(ctx, path, status, description);
            return;
        }
        if (rv != APR_SUCCESS) {
            bulk_check_rv(ctx, rv);   /* no handle: nothing to close */
            return;
        }
    }
    ctx->reported++;
    rv = ms_response_set_status(resp, status);
    if (rv == APR_SUCCESS && locked) {
        /* RFC 4918 16: the precondition a 423 failed */
        rv = ms_response_set_error(resp, "DAV:", "lock-token-submitted");
    }
    if (rv == APR_SUCCESS && description) {
        rv = ms_response_set_description(resp, description);
    }
    /* Close even after a refusal: the handle must not leak, and what was
     * accepted is still worth sending.  (Had the status itself been
     * refused, the module would render the response as 500.) */
    crv = ms_response_close(resp);
    bulk_check_rv(ctx, rv != APR_SUCCESS ? rv : crv);
}

/*
 * Mapping URLs to files
 */

/* The part of r->uri below the <Location>: "" or "/a/b".  NULL when the
 * request is not below it (a <Location /bulk> also matches "/bulkfoo"). */
static const char *bulk_uri_rel(request_rec *r, const bulk_conf *conf)
{
    apr_size_t plen = strlen(conf->prefix);

    if (strncmp(r->uri, conf->prefix, plen) != 0
        || (r->uri[plen] != '\0' && r->uri[plen] != '/')) {
        return NULL;
    }
    return r->uri + plen;
}

/* Merge @a rel (may hold "..") below MsBulkRoot.  Refuses, with
 * APR_EABOVEROOT, any path that climbs above the root even for a moment
 * ("a/../../root/b" too).  Leading '/' are dropped: @a rel is a URL path
 * below the <Location>, and an absolute path would leave the root. */
static apr_status_t bulk_fs_path(const bulk_conf *conf, const char *rel,
                                 char **fs, apr_pool_t *p)
{
    while (*rel == '/') {
        rel++;
    }
    return apr_filepath_merge(fs, conf->root, rel, APR_FILEPATH_SECUREROOT, p);
}

static int bulk_status_for(apr_status_t rv)
{
    if (APR_STATUS_IS_ENOENT(rv) || APR_STATUS_IS_ENOTDIR(rv)) {
        return HTTP_NOT_FOUND;
    }
    if (APR_STATUS_IS_EACCES(rv) || rv == APR_FROM_OS_ERROR(EPERM)
        || rv == APR_FROM_OS_ERROR(EROFS)) {
        return HTTP_FORBIDDEN;
    }
    return HTTP_INTERNAL_SERVER_ERROR;
}

/*
 * POST: check a list of names
 */

/* Read the whole (small) request body into a NUL-terminated buffer. */
static int bulk_read_body(request_rec *r, char **body, apr_size_t *len)
{
    char *buf;
    apr_size_t got = 0;
    long n;
    int rc;

    if ((rc = ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK)) != OK) {
        return rc;
    }
    buf = apr_palloc(r->pool, BULK_MAX_BODY + 2);
    if (ap_should_client_block(r)) {
        while (got <= BULK_MAX_BODY) {
            n = ap_get_client_block(r, buf + got, BULK_MAX_BODY + 1 - got);
            if (n == 0) {
                break;
            }
            if (n < 0) {
                return HTTP_BAD_REQUEST;
            }
            got += (apr_size_t)n;
        }
        if (got > BULK_MAX_BODY) {
            return HTTP_REQUEST_ENTITY_TOO_LARGE;
        }
    }
    buf[got] = '\0';
    *body = buf;
    *len = got;
    return OK;
}

/* Why @a name is not a usable member name, or NULL when it is. */
static const char *bulk_name_problem(const char *name, apr_size_t len)
{
    apr_size_t i;

    if (name[0] == '/') {
        return "names are relative to the collection; "
               "an absolute path is not accepted";
    }
    for (i = 0; i < len; i++) {
        if (apr_iscntrl((unsigned char)name[i])) {
            return "control characters are not accepted in names";
        }
    }
    return NULL;
}

/* The result for one name: which status, and why (NULL: no need to say). */
static int bulk_check_one(request_rec *r, const bulk_conf *conf,
                          const char *dir_rel, const char *name,
                          const char **why, apr_pool_t *p)
{
    apr_finfo_t fi;
    apr_file_t *fd;
    apr_dir_t *dir;
    apr_status_t rv;
    char *fs;
    int status;

    *why = NULL;
    rv = bulk_fs_path(conf, apr_pstrcat(p, dir_rel, "/", name, NULL), &fs, p);
    if (APR_STATUS_IS_EABOVEROOT(rv)) {
        *why = "outside the tree this location serves";
        return HTTP_FORBIDDEN;
    }
    if (rv != APR_SUCCESS) {
        *why = "not a valid file name";
        return HTTP_UNPROCESSABLE_ENTITY;
    }
    /* APR_FINFO_LINK: look at a symbolic link, not where it points (it
     * could point out of the tree) */
    rv = apr_stat(&fi, fs, APR_FINFO_TYPE | APR_FINFO_LINK, p);
    if (rv != APR_SUCCESS && rv != APR_INCOMPLETE) {
        status = bulk_status_for(rv);
        if (status == HTTP_FORBIDDEN) {
            *why = "a folder on the way is not readable";
        }
        else if (status != HTTP_NOT_FOUND) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, rv, r,
                          "ms_bulk: cannot stat %s", fs);
        }
        return status;
    }
    switch (fi.filetype) {
    case APR_DIR:
        rv = apr_dir_open(&dir, fs, p);
        if (rv == APR_SUCCESS) {
            apr_dir_close(dir);
        }
        break;
    case APR_REG:
        rv = apr_file_open(&fd, fs, APR_FOPEN_READ, APR_OS_DEFAULT, p);
        if (rv == APR_SUCCESS) {
            apr_file_close(fd);
        }
        break;
    case APR_LNK:
        *why = "symbolic links are not followed";
        return HTTP_FORBIDDEN;
    default:
        *why = "neither a file nor a folder";
        return HTTP_FORBIDDEN;
    }
    if (rv == APR_SUCCESS) {
        return HTTP_OK;
    }
    status = bulk_status_for(rv);
    if (status == HTTP_FORBIDDEN) {
        *why = "not readable";
    }
    return status;
}

static int bulk_post(bulk_ctx *ctx, const char *rel)
{
    request_rec *r = ctx->r;
    const char *ctype = apr_table_get(r->headers_in, "Content-Type");
    const char *why;
    char *body, *line, *next, *name;
    apr_size_t len, llen;
    apr_pool_t *scratch;
    apr_finfo_t fi;
    apr_status_t rv;
    char *fs;
    int rc, status, lineno = 0;

    /* The request-URI must be a collection we serve. */
    if (bulk_fs_path(ctx->conf, rel, &fs, r->pool) != APR_SUCCESS) {
        return HTTP_FORBIDDEN;
    }
    rv = apr_stat(&fi, fs, APR_FINFO_TYPE, r->pool);
    if (rv != APR_SUCCESS && rv != APR_INCOMPLETE) {
        return bulk_status_for(rv);
    }
    if (fi.filetype != APR_DIR) {
        return HTTP_CONFLICT;   /* members only exist below a folder */
    }
    if (ctype && strncasecmp(ctype, "text/plain", 10) != 0) {
        return HTTP_UNSUPPORTED_MEDIA_TYPE;
    }
    if ((rc = bulk_read_body(r, &body, &len)) != OK) {
        return rc;
    }
    if (memchr(body, '\0', len)) {
        return HTTP_BAD_REQUEST;   /* not text */
    }

    /* Strings given to the API are copied by it, so a scratch pool,
     * cleared for each name, is enough for what we build per name. */
    apr_pool_create(&scratch, r->pool);
    for (line = body; line < body + len && !ctx->stop; line = next) {
        apr_pool_clear(scratch);
        lineno++;
        next = memchr(line, '\n', body + len - line);
        llen = next ? (apr_size_t)(next - line) : (apr_size_t)(body + len - line);
        next = line + llen + 1;
        if (llen > 0 && line[llen - 1] == '\r') {
            llen--;
        }
        if (llen == 0) {
            continue;   /* blank lines separate nothing; skip them */
        }
        name = apr_pstrmemdup(scratch, line, llen);
        if ((why = bulk_name_problem(name, llen)) != NULL) {
            /* 422: the request is understood but this line is unusable.
             * The description says which line, never the line itself
             * (it may not be UTF-8, which XML could not carry). */
            bulk_add(ctx, name, HTTP_UNPROCESSABLE_ENTITY,
                     apr_psprintf(scratch, "line %d: %s", lineno, why));
            continue;
        }
        status = bulk_check_one(r, ctx->conf, rel, name, &why, scratch);
        bulk_add(ctx, name, status, why);
    }
    apr_pool_destroy(scratch);

    /* An empty list registered nothing: the module leaves the request
     * alone, so answer it ourselves. */
    return ctx->reported ? OK : HTTP_NO_CONTENT;
}

/*
 * DELETE: remove a collection's members, reporting each
 */

/* A member "X" is locked while "X.lock" exists next to it. */
static int bulk_is_locked(const char *fs, apr_pool_t *p)
{
    apr_finfo_t fi;

    return apr_stat(&fi, apr_pstrcat(p, fs, BULK_LOCK_EXT, NULL),
                    APR_FINFO_TYPE | APR_FINFO_LINK, p) == APR_SUCCESS;
}

/* A "X.lock" whose "X" exists belongs to its lock: DELETE keeps it. */
static int bulk_is_lock_file(const char *fs, apr_pool_t *p)
{
    apr_size_t len = strlen(fs), elen = sizeof(BULK_LOCK_EXT) - 1;
    apr_finfo_t fi;

    return len > elen && strcmp(fs + len - elen, BULK_LOCK_EXT) == 0
           && apr_stat(&fi, apr_pstrmemdup(p, fs, len - elen),
                       APR_FINFO_TYPE | APR_FINFO_LINK, p) == APR_SUCCESS;
}

/* Report a member deleted: only asked for with MsBulkReportSuccess On
 * (RFC 4918 9.6.1: 204 is the default, a 207 need not repeat it).
 * @a resp: what bulk_reserve() returned for it. */
static void bulk_deleted(bulk_ctx *ctx, ms_response *resp, const char *uri)
{
    if (ctx->conf->report_success == 1) {
        bulk_report(ctx, resp, uri, HTTP_NO_CONTENT, NULL, 0);
    }
}

static void bulk_failed(bulk_ctx *ctx, ms_response *resp, const char *uri,
                        int status, const char *why, int locked)
{
    ctx->failures++;
    bulk_report(ctx, resp, uri, status, why, locked);
}

/* Delete what is inside folder @a fs (URL @a uri, ending in '/').
 * Returns how many members stay behind. */
static int bulk_delete_members(bulk_ctx *ctx, const char *fs,
                               const char *uri, int depth)
{
    request_rec *r = ctx->r;
    apr_pool_t *p, *scratch;
    apr_dir_t *dir;
    apr_finfo_t fi;
    apr_status_t rv;
    const char *child, *child_uri;
    ms_response *resp;
    int left = 0, sub;

    apr_pool_create(&p, r->pool);
    apr_pool_create(&scratch, p);
    if ((rv = apr_dir_open(&dir, fs, p)) != APR_SUCCESS) {
        bulk_failed(ctx, NULL, uri, bulk_status_for(rv), "cannot be listed",
                    0);
        apr_pool_destroy(p);
        return 1;
    }
    while (!ctx->stop
           && apr_dir_read(&fi, APR_FINFO_NAME, dir) == APR_SUCCESS) {
        apr_pool_clear(scratch);
        if (!strcmp(fi.name, ".") || !strcmp(fi.name, "..")) {
            continue;
        }
        child = apr_pstrcat(scratch, fs, "/", fi.name, NULL);
        /* lstat: a symbolic link is seen as itself, never followed */
        rv = apr_stat(&fi, child, APR_FINFO_TYPE | APR_FINFO_LINK, scratch);
        if (rv != APR_SUCCESS && rv != APR_INCOMPLETE) {
            if (!APR_STATUS_IS_ENOENT(rv)) {   /* gone meanwhile: fine */
                child_uri = apr_pstrcat(scratch, uri,
                                        apr_filepath_name_get(child), NULL);
                bulk_failed(ctx, NULL, child_uri, bulk_status_for(rv), NULL,
                            0);
                left++;
            }
            continue;
        }
        child_uri = apr_pstrcat(scratch, uri, apr_filepath_name_get(child),
                                fi.filetype == APR_DIR ? "/" : "", NULL);
        if (bulk_is_lock_file(child, scratch)) {
            left++;   /* not reported: its member is, with 423 */
            continue;
        }
        if (bulk_is_locked(child, scratch)) {
            bulk_failed(ctx, NULL, child_uri, HTTP_LOCKED,
                        "locked: a .lock file protects it", 1);
            left++;
            continue;
        }
        if (fi.filetype == APR_DIR) {
            if (depth >= BULK_MAX_DEPTH) {
                bulk_failed(ctx, NULL, child_uri, HTTP_FORBIDDEN,
                            "too deep for this server", 0);
                left++;
                continue;
            }
            /* Recursion uses a pool of its own, freed on return. */
            sub = bulk_delete_members(ctx, child, child_uri, depth + 1);
            if (sub > 0 || ctx->stop) {
                /* RFC 4918 9.6.1: the folder of a member that failed is
                 * not reported (no 424): the member's error says it. */
                left++;
                continue;
            }
        }
        resp = bulk_reserve(ctx, child_uri);
        if (ctx->stop) {
            left++;   /* the answer is full: this one stays */
            break;
        }
        if (fi.filetype == APR_DIR) {
            rv = apr_dir_remove(child, scratch);
        }
        else {
            /* a symbolic link is removed itself, never what it points to */
            rv = apr_file_remove(child, scratch);
        }
        if (rv == APR_SUCCESS || APR_STATUS_IS_ENOENT(rv)) {
            bulk_deleted(ctx, resp, child_uri);
        }
        else {
            if (bulk_status_for(rv) == HTTP_INTERNAL_SERVER_ERROR) {
                ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r,
                              "ms_bulk: cannot delete %s", child);
            }
            bulk_failed(ctx, resp, child_uri, bulk_status_for(rv), NULL, 0);
            left++;
        }
    }
    apr_dir_close(dir);
    apr_pool_destroy(p);
    return left;
}

static int bulk_delete(bulk_ctx *ctx, const char *rel)
{
    request_rec *r = ctx->r;
    apr_finfo_t fi;
    apr_status_t rv;
    const char *uri;
    ms_response *resp;
    char *fs;
    int is_root = (rel[0] == '\0' || strspn(rel, "/") == strlen(rel));
    int status;

    if (bulk_fs_path(ctx->conf, rel, &fs, r->pool) != APR_SUCCESS) {
        return HTTP_FORBIDDEN;
    }
    rv = apr_stat(&fi, fs, APR_FINFO_TYPE | APR_FINFO_LINK, r->pool);
    if (rv != APR_SUCCESS && rv != APR_INCOMPLETE) {
        return bulk_status_for(rv);
    }
    if (!is_root && bulk_is_locked(fs, r->pool)) {
        return HTTP_LOCKED;
    }
    if (fi.filetype != APR_DIR) {
        /* One resource, one status: no 207 needed (nothing registered,
         * so the module leaves this answer alone). */
        rv = apr_file_remove(fs, r->pool);
        return rv == APR_SUCCESS ? HTTP_NO_CONTENT : bulk_status_for(rv);
    }

    uri = r->uri[strlen(r->uri) - 1] == '/' ? r->uri
                                            : apr_pstrcat(r->pool, r->uri,
                                                          "/", NULL);
    bulk_delete_members(ctx, fs, uri, 0);
    if (ctx->stop) {
        return OK;   /* the body says what happened so far */
    }
    if (ctx->failures == 0 && !is_root) {
        /* the collection itself, last; reserved first as its members */
        resp = ctx->reported ? bulk_reserve(ctx, uri) : NULL;
        if (ctx->stop) {
            return OK;
        }
        rv = apr_dir_remove(fs, r->pool);
        status = rv == APR_SUCCESS ? HTTP_NO_CONTENT : bulk_status_for(rv);
        if (ctx->reported == 0) {
            return status;   /* a plain answer says it all */
        }
        if (status == HTTP_NO_CONTENT) {
            bulk_deleted(ctx, resp, uri);
        }
        else {
            bulk_failed(ctx, resp, uri, status, NULL, 0);
        }
    }
    if (ctx->reported == 0) {
        return HTTP_NO_CONTENT;   /* the root, emptied; nothing to list */
    }
    return OK;   /* the module answers 207 with what we reported */
}

/*
 * The handler
 */

static int bulk_handler(request_rec *r)
{
    bulk_conf *conf;
    bulk_ctx ctx;
    const char *rel;

    if (!r->handler || strcmp(r->handler, BULK_HANDLER) != 0) {
        return DECLINED;
    }
    conf = ap_get_module_config(r->per_dir_config, &ms_bulk_module);
    /* what the Allow header of a 405 (or OPTIONS) lists */
    ap_allow_standard_methods(r, MERGE_ALLOW, M_POST, -1);
    if (conf->allow_delete == 1) {
        ap_allow_standard_methods(r, MERGE_ALLOW, M_DELETE, -1);
    }
    if (r->method_number == M_OPTIONS) {
        return DECLINED;   /* the default handler answers with Allow: */
    }
    if (r->method_number != M_POST
        && !(r->method_number == M_DELETE && conf->allow_delete == 1)) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    if (!conf->root) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "ms_bulk: SetHandler " BULK_HANDLER " without MsBulkRoot");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if ((rel = bulk_uri_rel(r, conf)) == NULL) {
        return HTTP_NOT_FOUND;
    }

    memset(&ctx, 0, sizeof(ctx));
    ctx.r = r;
    ctx.conf = conf;
    /* Returning OK after registering results: the module answers 207.
     * Returning an error status (>= 400) instead: the error wins and the
     * results are dropped, so a handler may still bail out late. */
    return r->method_number == M_POST ? bulk_post(&ctx, rel)
                                      : bulk_delete(&ctx, rel);
}

static void bulk_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_handler(bulk_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

module AP_MODULE_DECLARE_DATA ms_bulk_module = {
    STANDARD20_MODULE_STUFF,
    bulk_create_dir_conf,     /* per-directory config */
    bulk_merge_dir_conf,
    NULL,                     /* per-server config */
    NULL,
    bulk_cmds,
    bulk_register_hooks,
    AP_MODULE_FLAG_NONE
};
