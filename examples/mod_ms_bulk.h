/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_ms_bulk.h: what the three files of the mod_ms_bulk example share.
 *
 *   mod_ms_bulk.c      configuration, the handler, what the API's return
 *                      codes mean, the text/plain fallback, URL -> file
 *   ms_bulk_post.c     POST: check a list of names, one result per name
 *                      (ms_add_status, responses left open)
 *   ms_bulk_delete.c   DELETE: the recursive walk, each result closed at
 *                      once (ms_response_open / ms_response_close)
 *
 * Not a public header: nothing outside the example includes it.
 */

#ifndef MOD_MS_BULK_H
#define MOD_MS_BULK_H

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"

#include "mod_multistatus.h"

/* Functions one file of the module calls in another.  A module's .so is
 * loaded into httpd with its global symbols visible to every other module:
 * with GCC and clang they are kept out of that global namespace. */
#if defined(__GNUC__) && __GNUC__ >= 4
#define BULK_LOCAL __attribute__((visibility("hidden")))
#else
#define BULK_LOCAL
#endif

extern module AP_MODULE_DECLARE_DATA ms_bulk_module;

#define BULK_MAX_BODY   (64 * 1024)   /* bytes of POST body we accept */
#define BULK_MAX_DEPTH  64            /* folder levels DELETE descends */
#define BULK_LOCK_EXT   ".lock"

/* Configuration (per directory) */
typedef struct {
    const char *root;     /* MsBulkRoot, NULL when unset */
    const char *prefix;   /* URL path of the <Location> that set the root,
                           * without trailing '/' ("" for "/") */
    int allow_delete;     /* MsBulkAllowDelete, -1 when unset */
    int report_success;   /* MsBulkReportSuccess, -1 when unset */
} bulk_conf;

/* One request */
typedef struct {
    request_rec *r;
    const bulk_conf *conf;
    int plain;       /* "MultiStatus Off" here: we answer text/plain */
    int stop;        /* the module asked us to stop walking */
    int reported;    /* results reported (207 or plain) */
    int failures;    /* DELETE: members that are still there */
} bulk_ctx;

/* mod_ms_bulk.c: what a return code of mod_multistatus means for the walk
 * (sets ctx->stop when the walk must end) */
BULK_LOCAL void bulk_check_rv(bulk_ctx *ctx, apr_status_t rv);

/* mod_ms_bulk.c: the text/plain answer of "MultiStatus Off" */
BULK_LOCAL void bulk_plain_start(bulk_ctx *ctx);
BULK_LOCAL void bulk_plain(bulk_ctx *ctx, const char *path, int status,
                           const char *description);

/* mod_ms_bulk.c: @a rel (a URL path below the <Location>) as a file below
 * MsBulkRoot (APR_EABOVEROOT when it climbs out), and the HTTP status of
 * a file system error */
BULK_LOCAL apr_status_t bulk_fs_path(const bulk_conf *conf, const char *rel,
                                     char **fs, apr_pool_t *p);
BULK_LOCAL int bulk_status_for(apr_status_t rv);

/* ms_bulk_post.c, ms_bulk_delete.c: the methods (a status for the handler
 * to return: OK once results are registered) */
BULK_LOCAL int bulk_post(bulk_ctx *ctx, const char *rel);
BULK_LOCAL int bulk_delete(bulk_ctx *ctx, const char *rel);

#endif /* MOD_MS_BULK_H */
