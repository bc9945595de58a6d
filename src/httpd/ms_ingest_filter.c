/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_ingest_filter.c: MultiStatusIngest, the httpd side of ingesting
 * another handler's 207 body (mod_dav, a proxied backend, a CGI script).
 *
 * The MULTISTATUS_INGEST output filter, inserted for every main request
 * where MultiStatusIngest is On, steps aside unless the response is a 207
 * with an XML media type, no Content-Encoding, a body (not HEAD) and no
 * document of the API.  Then it takes the request's document
 * (ms_ingest_doc in ms_api.c: the same rules, hooks, access check and
 * output as the API's, rendered through the filter's next), feeds the
 * producer's buckets to the core's parser (src/core/ms_ingest.h) as they
 * come, and finishes the document at EOS.  A refused or broken body ends
 * with a 500 for the request-URI and one log line.  Calls ms_api.c and
 * the core; mod_multistatus.c calls ms_ingest_register() only.
 */
#include "apr_strings.h"
#include "http_protocol.h"
#include "http_request.h"

#include "ms_private.h"
#include "ms_ingest.h"

static ap_filter_rec_t *ms_ingest_filter_handle;


typedef struct ingest_ctx {
    ms_ingest *ing;
    ms_doc *doc;
    int discard;        /* refused, failed or the client went away: the
                         * producer's data goes nowhere until EOS */
    int broke;          /* an error bucket came (a backend failed) */
    apr_off_t bytes;    /* of the producer's body, fed so far */
} ingest_ctx;

/* application/xml, text/xml or any type/subtype+xml. */
static int is_xml_type(const char *ct)
{
    const char *end = ct + strcspn(ct, "; \t");
    apr_size_t len = (apr_size_t)(end - ct);

    if ((len == 15 && !strncasecmp(ct, "application/xml", 15))
        || (len == 8 && !strncasecmp(ct, "text/xml", 8)))
        return 1;
    return len > 4 && !strncasecmp(end - 4, "+xml", 4)
           && memchr(ct, '/', len) != NULL;
}

/* The charset parameter of a media type, unquoted, or NULL. */
static const char *charset_of(apr_pool_t *p, const char *ct)
{
    const char *s = ct;

    while ((s = strchr(s, ';')) != NULL) {
        const char *v;
        apr_size_t len;
        s++;
        while (*s == ' ' || *s == '\t')
            s++;
        if (strncasecmp(s, "charset", 7))
            continue;
        v = s + 7;
        while (*v == ' ' || *v == '\t')
            v++;
        if (*v++ != '=')
            continue;
        while (*v == ' ' || *v == '\t')
            v++;
        if (*v == '"') {
            v++;
            len = strcspn(v, "\"");
        }
        else
            len = strcspn(v, "; \t");
        return len ? apr_pstrmemdup(p, v, len) : NULL;
    }
    return NULL;
}

/* Why this response is not ingested, or NULL when it is. */
static const char *ingest_skip(request_rec *r)
{
    const char *ce = r->content_encoding;
    ms_req *rq = ms_req_find(r);

    if (r->status != HTTP_MULTI_STATUS)
        return "not a 207";
    if (r->header_only)
        return "HEAD: no body to parse";
    if (rq && rq->doc)
        return "the handler uses the API";
    if (!r->content_type || !is_xml_type(r->content_type))
        return "not an XML media type";
    if (!ce)
        ce = apr_table_get(r->headers_out, "Content-Encoding");
    if (ce && *ce && strcasecmp(ce, "identity"))
        return "a Content-Encoding";
    return NULL;
}

static void ingest_refused(ingest_ctx *ctx, request_rec *r, const char *what)
{
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                  "multistatus: MultiStatusIngest: the 207 body of the "
                  "handler (%s) was refused: %s; %" APR_SIZE_T_FMT
                  " responses before it were sent, the body ends with a "
                  "500 for the request-URI", r->handler ? r->handler : "-",
                  what, ms_ingest_count(ctx->ing));
    ms_doc_fail(ctx->doc, HTTP_INTERNAL_SERVER_ERROR,
                "the multistatus body produced for this request was "
                "invalid or incomplete; the responses above were parsed "
                "before the fault");
    ctx->discard = 1;
}

/* The end of the producer's body: finish the document. */
static void ingest_end(ingest_ctx *ctx, request_rec *r)
{
    apr_status_t rv;

    if (ctx->discard || ms_doc_finished(ctx->doc))
        return;
    if (ctx->broke) {
        ingest_refused(ctx, r, apr_psprintf(r->pool, "the producer failed "
                       "(an error bucket: a backend broke off) at byte %"
                       APR_OFF_T_FMT, ctx->bytes));
        return;
    }
    rv = ms_ingest_done(ctx->ing);
    if (rv == MS_INGEST_EBODY)
        ingest_refused(ctx, r, ms_ingest_error(ctx->ing));
    else if (rv == APR_SUCCESS)
        ms_doc_finish(ctx->doc);
    else
        ms_doc_fail(ctx->doc, HTTP_INTERNAL_SERVER_ERROR, NULL);
}

static apr_status_t ms_ingest_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    ingest_ctx *ctx = f->ctx;
    request_rec *r = f->r;
    apr_status_t rv;

    if (!ctx) {
        const char *why = ingest_skip(r);
        ms_ingest_opts opts;

        if (why) {
            ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r,
                          "multistatus: MultiStatusIngest: status %d, %s: "
                          "the body passes as it is", r->status, why);
            ap_remove_output_filter(f);
            return ap_pass_brigade(f->next, bb);
        }
        f->ctx = ctx = apr_pcalloc(r->pool, sizeof(*ctx));
        ctx->doc = ms_ingest_doc(r, f);
        memset(&opts, 0, sizeof(opts));
        opts.charset = charset_of(r->pool, r->content_type);
        ctx->ing = ms_ingest_create(r->pool, ctx->doc, &opts);
        ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r,
                      "multistatus: MultiStatusIngest: parsing the 207 body "
                      "of the handler (%s)", r->handler ? r->handler : "-");
    }
    while (!APR_BRIGADE_EMPTY(bb)) {
        apr_bucket *b = APR_BRIGADE_FIRST(bb);
        const char *data;
        apr_size_t len;

        if (APR_BUCKET_IS_EOS(b)) {
            ingest_end(ctx, r);
            ap_remove_output_filter(f);
            /* the EOS and anything after it go on, behind the last
             * rendered bytes */
            return ms_pass_eos(r, f->next, bb);
        }
        if (APR_BUCKET_IS_METADATA(b)) {
            if (AP_BUCKET_IS_ERROR(b))
                ctx->broke = 1;
            else if (APR_BUCKET_IS_FLUSH(b) && !ctx->discard
                     && ms_doc_committed(ctx->doc)
                     && ms_doc_push(ctx->doc) == MS_EABORTED) {
                apr_bucket_delete(b);
                ctx->discard = 1;
                return APR_ECONNABORTED;
            }
            apr_bucket_delete(b);
            continue;
        }
        if (ctx->discard || ctx->broke) {
            apr_bucket_delete(b);
            continue;
        }
        rv = apr_bucket_read(b, &data, &len, APR_BLOCK_READ);
        if (rv != APR_SUCCESS) {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, rv, r,
                          "multistatus: MultiStatusIngest: reading the "
                          "producer's body failed");
            ctx->broke = 1;
            apr_bucket_delete(b);
            continue;
        }
        ctx->bytes += (apr_off_t)len;
        rv = len ? ms_ingest_feed(ctx->ing, data, len) : APR_SUCCESS;
        apr_bucket_delete(b);
        if (rv == MS_INGEST_EBODY)
            ingest_refused(ctx, r, ms_ingest_error(ctx->ing));
        else if (rv != APR_SUCCESS) {
            /* the client went away: the producer may stop */
            ctx->discard = 1;
            apr_brigade_cleanup(bb);
            return APR_ECONNABORTED;
        }
    }
    return APR_SUCCESS;
}

static void ms_insert_ingest(request_rec *r)
{
    const ms_dir_conf *conf;

    if (r->main)
        return;
    conf = ms_conf(r);
    if (conf->ingest > 0 && conf->enabled != 0)
        ap_add_output_filter_handle(ms_ingest_filter_handle, NULL, r,
                                    r->connection);
}

void ms_ingest_register(void)
{
    ms_ingest_filter_handle = ap_register_output_filter(
        "MULTISTATUS_INGEST", ms_ingest_filter, NULL, AP_FTYPE_RESOURCE);
    ap_hook_insert_filter(ms_insert_ingest, NULL, NULL, APR_HOOK_MIDDLE);
}
