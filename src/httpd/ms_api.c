/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_api.c: the public entry points of mod_multistatus (see
 * include/mod_multistatus.h), their optional-function twins, the optional
 * hooks, and the glue between a request and its ms_doc.
 *
 * Everything that is about XML lives in src/core; this file only maps
 * requests to documents, logs refusals through the request, runs the hooks
 * when the core asks, and moves rendered chunks down the filter chain.
 * Calls ms_props.c (the rules of a request) and the core.
 */
#include <stdlib.h>

#include "apr_buckets.h"
#include "apr_strings.h"
#include "http_core.h"
#include "http_protocol.h"
#include "http_request.h"

#include "ms_private.h"

APR_IMPLEMENT_OPTIONAL_HOOK_RUN_ALL(ms, MS, int, multistatus_prepare_response,
                                    (request_rec *r, ms_response *resp),
                                    (r, resp), OK, DECLINED)
APR_IMPLEMENT_OPTIONAL_HOOK_RUN_ALL(ms, MS, int, multistatus_begin_body,
                                    (request_rec *r), (r), OK, DECLINED)
APR_IMPLEMENT_OPTIONAL_HOOK_RUN_ALL(ms, MS, int, multistatus_end_body,
                                    (request_rec *r), (r), OK, DECLINED)

/* ---------------------------------------------------------------- */
/* Document callbacks                                                */

static apr_status_t io_commit(void *baton, apr_off_t length)
{
    ms_req *rq = baton;
    request_rec *r = rq->r;

    r->status = HTTP_MULTI_STATUS;
    r->status_line = NULL;
    ap_set_content_type(r, rq->json ? "application/json"
                           : rq->conf->text_xml > 0
                           ? "text/xml; charset=\"utf-8\""
                           : "application/xml; charset=utf-8");
    /* the format depends on Accept wherever it is negotiated */
    if (rq->conf->json == MS_JSON_ON)
        apr_table_mergen(r->headers_out, "Vary", "Accept");
    /* whatever the handler said of its own body is not true of ours */
    apr_table_unset(r->headers_out, "Content-Length");
    apr_table_unset(r->headers_out, "Content-Encoding");
    apr_table_unset(r->headers_out, "Content-Range");
    apr_table_unset(r->headers_out, "ETag");
    apr_table_unset(r->headers_out, "Last-Modified");
    if (length >= 0)
        ap_set_content_length(r, length);
    /* mod_filter's harness (AddOutputFilterByType) steps aside for every
     * status but 200 unless this variable is set; a 207 is a success whose
     * body deserves compression like any 200's. */
    if (!apr_table_get(r->subprocess_env, "filter-errordocs"))
        apr_table_setn(r->subprocess_env, "filter-errordocs", "1");
    ms_props_commit_headers(rq);
    ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r,
                  "multistatus: committing 207, %s", length >= 0
                  ? apr_off_t_toa(r->pool, length) : "streamed body");
    return APR_SUCCESS;
}

/* Rendered chunks are passed on in batches of this many bytes, and the
 * last batch with the EOS.  The core output filter writes whatever it is
 * given at once, so every pass costs a writev and, on a client waiting in
 * poll, a wake-up: a 400 KB listing went out in 9 writes of 64 KB, and the
 * wake-ups were 8% of the server's CPU under keep-alive load (BENCHMARKS.md,
 * peers).  Bounded: this much per request on top of the current chunk.
 * A flush (ms_flush(), a FLUSH bucket, the commit of a streamed body)
 * passes at once. */
#ifndef MS_PASS_BYTES
#define MS_PASS_BYTES (256 * 1024)
#endif

static apr_status_t io_write(void *baton, char *buf, apr_size_t len,
                             int flush)
{
    ms_req *rq = baton;
    conn_rec *c = rq->r->connection;
    apr_status_t rv;

    if (buf) {
        APR_BRIGADE_INSERT_TAIL(rq->bb,
                                apr_bucket_heap_create(buf, len,
                                                       ms_chunk_free,
                                                       c->bucket_alloc));
        rq->held += len;
    }
    if (!flush && rq->held < MS_PASS_BYTES)
        return APR_SUCCESS;
    if (flush)
        APR_BRIGADE_INSERT_TAIL(rq->bb,
                                apr_bucket_flush_create(c->bucket_alloc));
    rq->held = 0;
    rv = ap_pass_brigade(rq->f->next, rq->bb);
    apr_brigade_cleanup(rq->bb);
    if (rv == APR_SUCCESS && c->aborted)
        rv = APR_ECONNABORTED;
    if (rv != APR_SUCCESS)
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, rv, rq->r,
                      "multistatus: the client went away; nothing more is "
                      "rendered");
    return rv;
}

/* Output buffers: ms_chunks.c keeps the usual ones for the next chunk. */
static void *io_buf_alloc(void *baton, apr_size_t size)
{
    (void)baton;
    return ms_chunk_alloc(size);
}

static void io_buf_free(void *baton, void *buf)
{
    (void)baton;
    ms_chunk_free(buf);
}

apr_status_t ms_pass_eos(request_rec *r, ap_filter_t *next,
                         apr_bucket_brigade *bb)
{
    ms_req *rq = ms_req_find(r);

    if (rq && rq->bb && !APR_BRIGADE_EMPTY(rq->bb)) {
        APR_BRIGADE_PREPEND(bb, rq->bb);
        rq->held = 0;
    }
    return ap_pass_brigade(next, bb);
}

static void io_refused(void *baton, apr_status_t rv, const char *msg)
{
    ms_req *rq = baton;

    ap_log_rerror(APLOG_MARK, rv == MS_ELIMIT ? APLOG_WARNING : APLOG_ERR, 0,
                  rq->r, "multistatus: %s", msg);
}

static void hook_result(request_rec *r, const char *hook, int rc)
{
    if (rc != OK && rc != DECLINED)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "multistatus: a %s hook returned %d; the hooks after "
                      "it were skipped for this call", hook, rc);
}

static void io_begin(void *baton)
{
    ms_req *rq = baton;

    hook_result(rq->r, "multistatus_begin_body",
                ms_run_multistatus_begin_body(rq->r));
}

/* Before a response is rendered: the access check, then the hooks (they
 * see only what the user may see). */
static void io_prepare(void *baton, ms_response *resp)
{
    ms_req *rq = baton;

    if (!ms_access_filter(rq, resp) || !rq->hooks)
        return;
    hook_result(rq->r, "multistatus_prepare_response",
                ms_run_multistatus_prepare_response(rq->r, resp));
}

static void io_end(void *baton)
{
    ms_req *rq = baton;

    hook_result(rq->r, "multistatus_end_body",
                ms_run_multistatus_end_body(rq->r));
}

/* ---------------------------------------------------------------- */
/* The document of a request                                         */

/* The document of @a r, created (and the filter inserted) on first use. */
static ms_doc *make_doc(ms_req *rq, ap_filter_t *f);

static apr_status_t doc_for(request_rec *r, ms_doc **doc)
{
    ms_req *rq;

    *doc = NULL;
    if (!r) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, NULL,
                     "multistatus: a NULL request_rec was passed");
        return MS_EINVAL;
    }
    if (r->main) {
        /* a subrequest's output joins its parent's body: a 207 document
         * there would be a second root inside the first */
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "multistatus: called from a subrequest (%s); "
                      "register results on the main request", r->uri);
        return MS_EINVAL;
    }
    rq = ms_req_find(r);
    if (rq && rq->doc) {
        if (rq->error_won) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                          "multistatus: registration after the handler's "
                          "error status (%d) replaced the body", r->status);
            return MS_EFINISHED;
        }
        *doc = rq->doc;
        return APR_SUCCESS;
    }
    if (ms_conf(r)->enabled == 0) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "multistatus: MultiStatus Off here; the handler answers "
                      "on its own");
        return MS_EDISABLED;
    }
    if (r->sent_bodyct || r->eos_sent) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "multistatus: registration after the response was "
                      "sent");
        return MS_EFINISHED;
    }
    rq = ms_req_get(r);
    *doc = make_doc(rq, NULL);
    return APR_SUCCESS;
}

/* A request's document.  With @a f NULL (the C API), the MULTISTATUS filter
 * is inserted and output leaves through it; with @a f (the ingest filter,
 * ms_ingest_filter.c) output leaves via f->next and nothing is inserted. */
static ms_doc *make_doc(ms_req *rq, ap_filter_t *f)
{
    request_rec *r = rq->r;
    ms_doc_io io;
    ms_doc_opts opts;

    rq->bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);

    memset(&io, 0, sizeof(io));
    io.baton = rq;
    io.commit = io_commit;
    io.write = io_write;
    io.buf_alloc = io_buf_alloc;
    io.buf_free = io_buf_free;
    io.refused = io_refused;
    io.begin = io_begin;
    /* running the optional hook costs a hash lookup per response: skip it
     * when no module registered one (they register at startup) */
    rq->hooks = apr_optional_hook_get("multistatus_prepare_response") != NULL;
    io.prepare = rq->hooks || rq->conf->access_check > MS_ACCESS_OFF
                 ? io_prepare : NULL;
    io.end = io_end;

    memset(&opts, 0, sizeof(opts));
    opts.base_path = r->uri;
    opts.origin = ap_construct_url(r->pool, "", r);
    opts.absolute_uri = rq->conf->href_uri > 0;
    if (opts.absolute_uri) {
        /* the origin is built from the Host header: never copied raw */
        const char *why = ms_doc_check_origin(opts.origin);
        if (why) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                          "multistatus: the request's Host makes no usable "
                          "origin (%s): hrefs fall back to the path form",
                          why);
            opts.absolute_uri = 0;
            opts.origin = "";
        }
    }
    opts.buffer_size = rq->conf->buffer_size >= 0
                       ? (apr_size_t)rq->conf->buffer_size
                       : MS_DEFAULT_BUFFER_SIZE;
    /* HEAD: nothing of the body is rendered (mod_http2 would send what
     * reaches it as DATA frames) */
    opts.no_body = r->header_only;
    opts.max_responses = rq->conf->max_responses > 0
                         ? (apr_size_t)rq->conf->max_responses : 0;
    rq->json = rq->conf->json == MS_JSON_ALWAYS
               || (rq->conf->json == MS_JSON_ON && ms_wants_json(r));
    opts.json = rq->json;
    rq->doc = ms_doc_create(r->pool, &io, &opts);
    ms_props_apply_rules(rq);
    rq->f = f ? f : ap_add_output_filter_handle(ms_filter_handle, rq, r,
                                                r->connection);
    return rq->doc;
}

ms_doc *ms_ingest_doc(request_rec *r, ap_filter_t *f)
{
    ms_req *rq = ms_req_get(r);

    /* the producer's body goes; its length is not ours (io_commit sets
     * the length of what is rendered) */
    apr_table_unset(r->headers_out, "Content-Length");
    return make_doc(rq, f);
}

/* A handle that is NULL cannot name its request: log through the server. */
#define CHECK_RESP(resp)                                                  \
    do {                                                                  \
        if (!(resp)) {                                                    \
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, NULL,                  \
                         "multistatus: a NULL ms_response was passed to " \
                         "%s", __func__);                                 \
            return MS_EINVAL;                                             \
        }                                                                 \
    } while (0)

/* ---------------------------------------------------------------- */
/* Entry points                                                      */

static apr_status_t open_response(request_rec *r, const char *path,
                                  int encoded, ms_response **resp)
{
    ms_doc *doc;
    ms_req *rq;
    apr_status_t rv;

    /* once per response of a listing: the document that exists, at once */
    if (r && !r->main && (rq = ms_req_find(r)) != NULL && rq->doc
        && !rq->error_won)
        return ms_doc_open(rq->doc, path, encoded, resp);
    rv = doc_for(r, &doc);
    if (rv) {
        if (resp)
            *resp = NULL;
        return rv;
    }
    return ms_doc_open(doc, path, encoded, resp);
}

MS_DECLARE(apr_status_t) ms_response_open(request_rec *r, const char *path,
                                          ms_response **resp)
{
    return open_response(r, path, 0, resp);
}

MS_DECLARE(apr_status_t) ms_response_open_href(request_rec *r,
                                               const char *href,
                                               ms_response **resp)
{
    return open_response(r, href, 1, resp);
}

MS_DECLARE(apr_status_t) ms_response_set_status(ms_response *resp, int status)
{
    CHECK_RESP(resp);
    return ms_doc_set_status(resp, status);
}

MS_DECLARE(apr_status_t) ms_response_set_location(ms_response *resp,
                                                  const char *path)
{
    CHECK_RESP(resp);
    return ms_doc_set_location(resp, path);
}

MS_DECLARE(apr_status_t) ms_response_set_error(ms_response *resp,
                                               const char *ns,
                                               const char *name)
{
    CHECK_RESP(resp);
    return ms_doc_set_error(resp, ns, name);
}

MS_DECLARE(apr_status_t) ms_response_set_description(ms_response *resp,
                                                     const char *text)
{
    CHECK_RESP(resp);
    return ms_doc_set_description(resp, text);
}

MS_DECLARE(apr_status_t) ms_prop_add(ms_response *resp, const char *ns,
                                     const char *name, int status,
                                     ms_value_kind kind, const char *value)
{
    CHECK_RESP(resp);
    return ms_doc_prop_add(resp, ns, name, status, kind, value);
}

MS_DECLARE(const ms_qname *) ms_qname_get(request_rec *r, const char *ns,
                                          const char *name)
{
    ms_doc *doc;

    if (doc_for(r, &doc) != APR_SUCCESS)
        return NULL;
    return ms_doc_intern(doc, ns, name);
}

MS_DECLARE(apr_status_t) ms_prop_add_qname(ms_response *resp,
                                           const ms_qname *qname, int status,
                                           ms_value_kind kind,
                                           const char *value)
{
    CHECK_RESP(resp);
    return ms_doc_prop_add_qname(resp, qname, status, kind, value);
}

MS_DECLARE(apr_status_t) ms_prop_set_lang(ms_response *resp, const char *ns,
                                          const char *name, const char *lang)
{
    CHECK_RESP(resp);
    return ms_doc_prop_set_lang(resp, ns, name, lang);
}

MS_DECLARE(apr_status_t) ms_propstat_set_description(ms_response *resp,
                                                     int status,
                                                     const char *text)
{
    CHECK_RESP(resp);
    return ms_doc_propstat_set_description(resp, status, text);
}

MS_DECLARE(apr_status_t) ms_propstat_set_error(ms_response *resp, int status,
                                               const char *ns,
                                               const char *name)
{
    CHECK_RESP(resp);
    return ms_doc_propstat_set_error(resp, status, ns, name);
}

MS_DECLARE(apr_status_t) ms_response_hide(ms_response *resp)
{
    CHECK_RESP(resp);
    return ms_doc_hide(resp);
}

MS_DECLARE(apr_status_t) ms_response_close(ms_response *resp)
{
    CHECK_RESP(resp);
    return ms_doc_close(resp);
}

MS_DECLARE(int) ms_response_failed(const ms_response *resp)
{
    return resp ? ms_doc_response_failed(resp) : 0;
}

MS_DECLARE(const char *) ms_response_href(const ms_response *resp)
{
    return resp ? ms_doc_response_href(resp) : NULL;
}

MS_DECLARE(const char *) ms_response_path(const ms_response *resp)
{
    return resp ? ms_doc_response_path(resp) : NULL;
}

MS_DECLARE(int) ms_response_status(const ms_response *resp)
{
    return resp ? ms_doc_response_status(resp) : 0;
}

MS_DECLARE(apr_status_t) ms_add_status(request_rec *r, const char *path,
                                       int status, const char *description)
{
    ms_doc *doc;
    apr_status_t rv = doc_for(r, &doc);

    /* all or nothing, and never a second status for one href */
    return rv ? rv : ms_doc_add_status(doc, path, status, description);
}

MS_DECLARE(apr_status_t) ms_set_description(request_rec *r, const char *text)
{
    ms_doc *doc;
    apr_status_t rv = doc_for(r, &doc);

    return rv ? rv : ms_doc_set_ms_description(doc, text);
}

MS_DECLARE(apr_status_t) ms_declare_namespace(request_rec *r, const char *uri)
{
    ms_doc *doc;
    apr_status_t rv = doc_for(r, &doc);

    return rv ? rv : ms_doc_declare_ns(doc, uri);
}

MS_DECLARE(apr_status_t) ms_flush(request_rec *r)
{
    ms_doc *doc;
    apr_status_t rv = doc_for(r, &doc);

    return rv ? rv : ms_doc_flush(doc);
}

static int ms_api_version(void)
{
    return MULTISTATUS_API_VERSION;
}

void ms_register_api(void)
{
    APR_REGISTER_OPTIONAL_FN(ms_response_open);
    APR_REGISTER_OPTIONAL_FN(ms_response_open_href);
    APR_REGISTER_OPTIONAL_FN(ms_response_set_status);
    APR_REGISTER_OPTIONAL_FN(ms_response_set_location);
    APR_REGISTER_OPTIONAL_FN(ms_response_set_error);
    APR_REGISTER_OPTIONAL_FN(ms_response_set_description);
    APR_REGISTER_OPTIONAL_FN(ms_prop_add);
    APR_REGISTER_OPTIONAL_FN(ms_qname_get);
    APR_REGISTER_OPTIONAL_FN(ms_prop_add_qname);
    APR_REGISTER_OPTIONAL_FN(ms_prop_set_lang);
    APR_REGISTER_OPTIONAL_FN(ms_propstat_set_description);
    APR_REGISTER_OPTIONAL_FN(ms_propstat_set_error);
    APR_REGISTER_OPTIONAL_FN(ms_response_hide);
    APR_REGISTER_OPTIONAL_FN(ms_response_close);
    APR_REGISTER_OPTIONAL_FN(ms_response_href);
    APR_REGISTER_OPTIONAL_FN(ms_response_path);
    APR_REGISTER_OPTIONAL_FN(ms_response_status);
    APR_REGISTER_OPTIONAL_FN(ms_add_status);
    APR_REGISTER_OPTIONAL_FN(ms_set_description);
    APR_REGISTER_OPTIONAL_FN(ms_declare_namespace);
    APR_REGISTER_OPTIONAL_FN(ms_flush);
    APR_REGISTER_OPTIONAL_FN(ms_api_version);
    APR_REGISTER_OPTIONAL_FN(ms_propfind_read);
    APR_REGISTER_OPTIONAL_FN(ms_propfind_wants);
    APR_REGISTER_OPTIONAL_FN(ms_proppatch_read);
    APR_REGISTER_OPTIONAL_FN(ms_response_failed);
}
