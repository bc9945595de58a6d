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
 *
 * Files: this one (configuration, the handler, the return codes, the
 * text/plain fallback, URL -> file), ms_bulk_post.c (POST),
 * ms_bulk_delete.c (DELETE), mod_ms_bulk.h (what they share).
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

#include <errno.h>

#include "mod_ms_bulk.h"

APLOG_USE_MODULE(ms_bulk);

#define BULK_HANDLER    "ms-bulk"

/*
 * Configuration
 */

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

/*
 * Decide what the return code of a mod_multistatus call means for the
 * walk.  Every call has the same contract, so one function decides for
 * all of them.  MS_EDISABLED is handled by the callers, before this.
 */
void bulk_check_rv(bulk_ctx *ctx, apr_status_t rv)
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
void bulk_plain_start(bulk_ctx *ctx)
{
    if (!ctx->plain) {
        ctx->plain = 1;
        ap_set_content_type(ctx->r, "text/plain; charset=utf-8");
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, ctx->r,
                      "ms_bulk: multistatus disabled, answering text/plain");
    }
}

void bulk_plain(bulk_ctx *ctx, const char *path, int status,
                       const char *description)
{
    request_rec *r = ctx->r;

    bulk_plain_start(ctx);
    /* ap_escape_logitem() keeps control characters out of the text */
    ap_rprintf(r, "%d %s%s%s\n", status, ap_escape_logitem(r->pool, path),
               description ? ": " : "", description ? description : "");
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
apr_status_t bulk_fs_path(const bulk_conf *conf, const char *rel,
                                 char **fs, apr_pool_t *p)
{
    while (*rel == '/') {
        rel++;
    }
    return apr_filepath_merge(fs, conf->root, rel, APR_FILEPATH_SECUREROOT, p);
}

int bulk_status_for(apr_status_t rv)
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
