/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_bulk_delete.c: DELETE of the mod_ms_bulk example (see mod_ms_bulk.c):
 * a collection's members, recursively, the failures reported.
 */

#include "httpd.h"
#include "http_log.h"
#include "http_protocol.h"

#include "apr_strings.h"
#include "apr_file_info.h"
#include "apr_file_io.h"
#include "apr_lib.h"

#include "mod_ms_bulk.h"

APLOG_USE_MODULE(ms_bulk);

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

int bulk_delete(bulk_ctx *ctx, const char *rel)
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
