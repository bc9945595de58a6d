/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_multistatus.c: configuration, hook registration and the output
 * filter of mod_multistatus.
 *
 * A handler registers per-resource results through the API
 * (include/mod_multistatus.h, implemented in src/httpd/ms_api.c); the first
 * registration inserts the MULTISTATUS filter.  Rendering happens as the
 * handler closes responses (src/core); the filter's job is only to finish
 * the document at EOS, to throw away whatever body the handler wrote
 * itself, and to step aside when the handler's error status wins.
 */
#include "apr_strings.h"
#include "http_core.h"           /* ap_state_query() */
#include "http_protocol.h"
#include "http_request.h"

#include "ms_private.h"

ap_filter_rec_t *ms_filter_handle;
ap_filter_rec_t *ms_fail_filter_handle;

/* ---------------------------------------------------------------- */
/* Configuration                                                     */

static void *create_dir_conf(apr_pool_t *p, char *dir)
{
    ms_dir_conf *conf = apr_pcalloc(p, sizeof(*conf));

    (void)dir;
    conf->enabled = MS_UNSET;
    conf->text_xml = MS_UNSET;
    conf->href_uri = MS_UNSET;
    conf->buffer_size = MS_UNSET;
    conf->max_responses = MS_UNSET;
    conf->prefer = MS_UNSET;
    conf->depth_infinity = MS_UNSET;
    conf->access_check = MS_UNSET;
    conf->json = MS_UNSET;
    conf->max_props = MS_UNSET;
    conf->ingest = MS_UNSET;
    return conf;
}

#define MERGE(field) conf->field = (add->field != MS_UNSET) ? add->field \
                                                            : base->field

static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    const ms_dir_conf *base = basev, *add = addv;
    ms_dir_conf *conf = apr_pcalloc(p, sizeof(*conf));

    MERGE(enabled);
    MERGE(text_xml);
    MERGE(href_uri);
    MERGE(buffer_size);
    MERGE(max_responses);
    MERGE(prefer);
    MERGE(depth_infinity);
    MERGE(access_check);
    MERGE(json);
    MERGE(max_props);
    MERGE(ingest);
    return conf;
}

static const char *set_content_type(cmd_parms *cmd, void *dconf,
                                    const char *arg)
{
    ms_dir_conf *conf = dconf;

    (void)cmd;
    if (!strcasecmp(arg, "application/xml"))
        conf->text_xml = 0;
    else if (!strcasecmp(arg, "text/xml"))
        conf->text_xml = 1;
    else
        return "MultiStatusContentType takes application/xml or text/xml";
    return NULL;
}

static const char *set_href_form(cmd_parms *cmd, void *dconf, const char *arg)
{
    ms_dir_conf *conf = dconf;

    (void)cmd;
    if (!strcasecmp(arg, "path"))
        conf->href_uri = 0;
    else if (!strcasecmp(arg, "uri"))
        conf->href_uri = 1;
    else
        return "MultiStatusHrefForm takes path or uri";
    return NULL;
}

static const char *set_access_check(cmd_parms *cmd, void *dconf,
                                    const char *arg)
{
    ms_dir_conf *conf = dconf;

    (void)cmd;
    if (!strcasecmp(arg, "off"))
        conf->access_check = MS_ACCESS_OFF;
    else if (!strcasecmp(arg, "hide"))
        conf->access_check = MS_ACCESS_HIDE;
    else if (!strcasecmp(arg, "forbid"))
        conf->access_check = MS_ACCESS_FORBID;
    else
        return "MultiStatusAccessCheck takes Off, Hide or Forbid";
    return NULL;
}

static const char *set_json(cmd_parms *cmd, void *dconf, const char *arg)
{
    ms_dir_conf *conf = dconf;

    (void)cmd;
    if (!strcasecmp(arg, "off"))
        conf->json = MS_JSON_OFF;
    else if (!strcasecmp(arg, "on"))
        conf->json = MS_JSON_ON;
    else if (!strcasecmp(arg, "always"))
        conf->json = MS_JSON_ALWAYS;
    else
        return "MultiStatusJSON takes Off, On or Always";
    return NULL;
}

/* A size with an optional K or M suffix: ms_parse_size() (src/core, so
 * that the unit tests reach it), which refuses what would overflow. */
#define parse_size ms_parse_size

static const char *set_buffer_size(cmd_parms *cmd, void *dconf,
                                   const char *arg)
{
    ms_dir_conf *conf = dconf;
    const char *err = parse_size(arg, 64 * 1024 * 1024, &conf->buffer_size);

    return err ? apr_psprintf(cmd->pool, "MultiStatusBufferSize '%s': %s "
                              "(bytes, K or M, at most 64M)", arg, err)
               : NULL;
}

static const char *set_max_responses(cmd_parms *cmd, void *dconf,
                                     const char *arg)
{
    ms_dir_conf *conf = dconf;
    const char *err = parse_size(arg, APR_INT32_MAX, &conf->max_responses);

    return err ? apr_psprintf(cmd->pool, "MultiStatusMaxResponses '%s': %s "
                              "(a count, 0 for no limit)", arg, err)
               : NULL;
}

static const char *set_max_props(cmd_parms *cmd, void *dconf,
                                 const char *arg)
{
    ms_dir_conf *conf = dconf;
    const char *err = parse_size(arg, APR_INT32_MAX, &conf->max_props);

    return err ? apr_psprintf(cmd->pool, "MultiStatusMaxProperties '%s': %s "
                              "(a count, 0 for no limit)", arg, err)
               : NULL;
}

static const command_rec ms_cmds[] = {
    AP_INIT_FLAG("MultiStatus", ap_set_flag_slot,
                 (void *)APR_OFFSETOF(ms_dir_conf, enabled),
                 RSRC_CONF | ACCESS_CONF,
                 "On (default) lets handlers answer 207 through "
                 "mod_multistatus; Off makes its API refuse (MS_EDISABLED)"),
    AP_INIT_TAKE1("MultiStatusContentType", set_content_type, NULL,
                  RSRC_CONF | ACCESS_CONF,
                  "application/xml (default) or text/xml, for legacy "
                  "clients"),
    AP_INIT_TAKE1("MultiStatusHrefForm", set_href_form, NULL,
                  RSRC_CONF | ACCESS_CONF,
                  "path (default): hrefs are absolute paths; uri: absolute "
                  "URIs built from the request"),
    AP_INIT_TAKE1("MultiStatusBufferSize", set_buffer_size, NULL,
                  RSRC_CONF | ACCESS_CONF,
                  "bodies below this size (default 64K) are sent whole with "
                  "a Content-Length; bigger ones stream"),
    AP_INIT_TAKE1("MultiStatusMaxResponses", set_max_responses, NULL,
                  RSRC_CONF | ACCESS_CONF,
                  "most responses in one body (default 0: no limit); past "
                  "it the body ends with a 507 for the request-URI"),
    AP_INIT_FLAG("MultiStatusPrefer", ap_set_flag_slot,
                 (void *)APR_OFFSETOF(ms_dir_conf, prefer),
                 RSRC_CONF | ACCESS_CONF,
                 "On (default): honour Prefer: return=minimal, depth-noroot "
                 "and Brief: t on PROPFIND, PROPPATCH and REPORT"),
    AP_INIT_FLAG("MultiStatusDepthInfinity", ap_set_flag_slot,
                 (void *)APR_OFFSETOF(ms_dir_conf, depth_infinity),
                 RSRC_CONF | ACCESS_CONF,
                 "Off (default): ms_propfind_read() refuses Depth: infinity "
                 "with 403 DAV:propfind-finite-depth; On allows it"),
    AP_INIT_TAKE1("MultiStatusAccessCheck", set_access_check, NULL,
                  RSRC_CONF | ACCESS_CONF,
                  "Off (default); Hide: responses whose URI the user may not "
                  "access are left out; Forbid: they are sent as a bare 403"),
    AP_INIT_TAKE1("MultiStatusJSON", set_json, NULL,
                  RSRC_CONF | ACCESS_CONF,
                  "Off (default): XML only; On: JSON when the client's Accept "
                  "prefers application/json; Always: JSON only"),
    AP_INIT_TAKE1("MultiStatusMaxProperties", set_max_props, NULL,
                  RSRC_CONF | ACCESS_CONF,
                  "most properties a PROPFIND or PROPPATCH may name "
                  "(default 1000, 0: no limit); past it the module answers "
                  "413"),
    AP_INIT_FLAG("MultiStatusIngest", ap_set_flag_slot,
                 (void *)APR_OFFSETOF(ms_dir_conf, ingest),
                 RSRC_CONF | ACCESS_CONF,
                 "Off (default); On: a 207 XML body written by another "
                 "handler (mod_dav, a proxied backend, a CGI script) is "
                 "parsed and rendered like the API's results"),
    { NULL }
};

/* ---------------------------------------------------------------- */
/* The filter                                                        */

static void drop_results(ms_req *rq, const char *why)
{
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, rq->r,
                  "multistatus: %s (status %d): %" APR_SIZE_T_FMT
                  " rendered and %" APR_SIZE_T_FMT " open results dropped",
                  why, rq->r->status, ms_doc_count(rq->doc),
                  ms_doc_open_count(rq->doc));
    ms_doc_discard(rq->doc);
    rq->error_won = 1;
}

/* End a committed document after the handler's failure: the last response,
 * for the request-URI, carries the status. */
static void fail_document(ms_req *rq)
{
    ms_doc_fail(rq->doc, rq->r->status,
                apr_psprintf(rq->r->pool, "the request failed with status %d "
                             "after the listing started", rq->r->status));
}

static apr_status_t ms_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    ms_req *rq = f->ctx;
    request_rec *r = f->r;
    apr_size_t dropped = 0;

    /* Added by name with nothing registered, or the error won: step
     * aside. */
    if (!rq || !rq->doc || rq->error_won) {
        ap_remove_output_filter(f);
        return ap_pass_brigade(f->next, bb);
    }
    if (r->status >= 400 && !ms_doc_committed(rq->doc)) {
        drop_results(rq, "the handler's error status wins");
        ap_remove_output_filter(f);
        return ap_pass_brigade(f->next, bb);
    }
    while (!APR_BRIGADE_EMPTY(bb)) {
        apr_bucket *b = APR_BRIGADE_FIRST(bb);

        if (APR_BUCKET_IS_EOS(b)) {
            if (ms_doc_finished(rq->doc)) {
                /* finished already */
            }
            else if (r->status >= 400) {
                /* the handler set an error status itself after the 207
                 * went out: say so in the body, as for a returned one */
                ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                              "multistatus: the handler failed with status "
                              "%d after the 207 was sent (it set r->status); "
                              "the body ends with a response saying so",
                              r->status);
                fail_document(rq);
                r->status = HTTP_MULTI_STATUS;  /* what the client got */
            }
            else {
                ms_doc_finish(rq->doc);
            }
            ap_remove_output_filter(f);
            if (dropped)
                ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r,
                              "multistatus: %" APR_SIZE_T_FMT " bytes the "
                              "handler wrote were replaced", dropped);
            /* the EOS and anything after it go on, behind the last
             * rendered bytes */
            return ms_pass_eos(r, f->next, bb);
        }
        if (APR_BUCKET_IS_FLUSH(b) && ms_doc_committed(rq->doc)) {
            /* the handler (or anyone) wants bytes out: what is rendered
             * goes; open responses stay open, their handles valid */
            apr_status_t rv = ms_doc_push(rq->doc);
            apr_bucket_delete(b);
            if (rv == MS_EABORTED)
                return APR_ECONNABORTED;
            continue;
        }
        /* the handler's own body is replaced by ours */
        if (!APR_BUCKET_IS_METADATA(b))
            dropped += b->length == (apr_size_t)-1 ? 0 : b->length;
        apr_bucket_delete(b);
    }
    return APR_SUCCESS;
}

/* After commit, the handler's error cannot change the status any more:
 * this filter takes the place of the error page and ends the document
 * with a response that says what happened. */
static apr_status_t ms_fail_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    ms_req *rq = f->ctx;
    apr_bucket *b;

    for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        if (APR_BUCKET_IS_EOS(b) && !rq->failing) {
            apr_bucket_brigade *eos;
            rq->failing = 1;
            fail_document(rq);
            eos = apr_brigade_create(rq->r->pool,
                                     rq->r->connection->bucket_alloc);
            APR_BRIGADE_INSERT_TAIL(eos, apr_bucket_eos_create(
                                    rq->r->connection->bucket_alloc));
            ms_pass_eos(rq->r, rq->f->next, eos);
        }
    }
    apr_brigade_cleanup(bb);
    return APR_SUCCESS;
}

/* ---------------------------------------------------------------- */
/* Hooks                                                             */

static void ms_insert_error_filter(request_rec *r)
{
    ms_req *rq = ms_req_find(r);

    if (!rq || !rq->doc || rq->error_won || ms_doc_finished(rq->doc))
        return;
    if (!ms_doc_committed(rq->doc)) {
        drop_results(rq, "the handler returned an error status");
        return;
    }
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                  "multistatus: the handler failed with status %d after the "
                  "207 was sent; the body ends with a response saying so",
                  r->status);
    ap_add_output_filter_handle(ms_fail_filter_handle, rq, r, r->connection);
}

static int ms_log_transaction(request_rec *r)
{
    ms_req *rq = ms_req_find(r);

    /* a handler that errored before its results could be rendered */
    if (rq && rq->doc && !rq->error_won && !ms_doc_finished(rq->doc))
        drop_results(rq, "the request ended before the body was finished");
    return DECLINED;
}

static int ms_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                          apr_pool_t *ptemp, server_rec *s)
{
    (void)plog;
    (void)ptemp;
    ms_doc_init();
    /* "mod_multistatus/X.Y.Z" in the Server header (ServerTokens Full) */
    ap_add_version_component(pconf, "mod_multistatus/" MULTISTATUS_VERSION);
    /* once per start or restart, not for the configuration check pass */
    if (ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_CREATE_PRE_CONFIG)
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s,
                     "mod_multistatus " MULTISTATUS_VERSION
                     " loaded (API version %d)", MULTISTATUS_API_VERSION);
    return OK;
}

static void ms_child_init(apr_pool_t *pchild, server_rec *s)
{
    (void)s;
    ms_chunks_init(pchild);
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    ms_register_api();
    ms_filter_handle = ap_register_output_filter(MULTISTATUS_FILTER_NAME,
                                                 ms_filter, NULL,
                                                 AP_FTYPE_RESOURCE);
    ms_fail_filter_handle = ap_register_output_filter("MULTISTATUS_FAIL",
                                                      ms_fail_filter, NULL,
                                                      AP_FTYPE_RESOURCE);
    ms_ingest_register();
    ap_hook_post_config(ms_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(ms_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_insert_error_filter(ms_insert_error_filter, NULL, NULL,
                                APR_HOOK_MIDDLE);
    ap_hook_log_transaction(ms_log_transaction, NULL, NULL,
                            APR_HOOK_REALLY_FIRST);
}

MS_MODULE_EXPORT module AP_MODULE_DECLARE_DATA multistatus_module = {
    STANDARD20_MODULE_STUFF,
    create_dir_conf,
    merge_dir_conf,
    NULL,
    NULL,
    ms_cmds,
    register_hooks,
#ifdef AP_MODULE_FLAG_NONE
    AP_MODULE_FLAG_NONE
#endif
};
