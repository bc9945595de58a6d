/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_props.c: the property methods (PROPFIND, PROPPATCH; Prefer for REPORT
 * too).  Reads and checks the request body before the handler does any
 * per-resource work, and turns what the request asked for into the
 * ms_doc_rules that src/core/ms_rules.c applies to every response:
 * completeness, propname, PROPPATCH atomicity, RFC 8144 minimal answers,
 * root first.  Called by ms_api.c; calls only the core.
 */
#include "apr_lib.h"
#include "apr_strings.h"
#include "apr_xml.h"
#include "http_core.h"
#include "http_protocol.h"
#include "http_request.h"

#include "ms_private.h"

/* ---------------------------------------------------------------- */
/* Answers the module gives itself                                   */

static int answer(request_rec *r, int status, const char *ctype,
                  const char *body)
{
    /* what the client still sends is of no use now */
    ap_discard_request_body(r);
    r->status = status;
    ap_set_content_type(r, ctype);
    ap_set_content_length(r, (apr_off_t)strlen(body));
    if (!r->header_only)
        ap_rputs(body, r);
    return DONE;
}

static int refuse_body(request_rec *r, int status, const char *what)
{
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  "multistatus: %s request refused with %d: %s", r->method,
                  status, what);
    return answer(r, status, "text/plain; charset=utf-8",
                  apr_pstrcat(r->pool, r->method, " refused: ", what, "\n",
                              NULL));
}

/* ---------------------------------------------------------------- */
/* Reading the body                                                  */

/* Read the request body into *body (*len 0 for none), at most
 * LimitXMLRequestBody bytes.  Returns 0, or the status to answer with *why
 * set.  The parsing is the core's (src/core/ms_parse.c). */
static int read_body(request_rec *r, const char **body, apr_size_t *len,
                     const char **why)
{
    apr_bucket_brigade *bb;
    apr_off_t limit = (apr_off_t)ap_get_limit_xml_body(r);
    apr_off_t total = 0;
    apr_array_header_t *parts;
    int eos = 0;

    *body = "";
    *len = 0;
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    parts = apr_array_make(r->pool, 4, sizeof(char));
    while (!eos) {
        apr_bucket *b;
        apr_status_t rv = ap_get_brigade(r->input_filters, bb,
                                         AP_MODE_READBYTES, APR_BLOCK_READ,
                                         8192);
        if (rv != APR_SUCCESS) {
            *why = "the request body could not be read";
            return ap_map_http_request_error(rv, HTTP_BAD_REQUEST);
        }
        for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
             b = APR_BUCKET_NEXT(b)) {
            const char *data;
            apr_size_t n;

            if (APR_BUCKET_IS_EOS(b)) {
                eos = 1;
                break;
            }
            if (APR_BUCKET_IS_METADATA(b))
                continue;
            if (apr_bucket_read(b, &data, &n, APR_BLOCK_READ)
                != APR_SUCCESS) {
                *why = "the request body could not be read";
                return HTTP_BAD_REQUEST;
            }
            total += (apr_off_t)n;
            if (limit && total > limit) {
                *why = apr_psprintf(r->pool, "the body is larger than "
                                    "LimitXMLRequestBody (%" APR_OFF_T_FMT
                                    " bytes)", limit);
                return HTTP_REQUEST_ENTITY_TOO_LARGE;
            }
            if (n) {
                char *dst;
                apr_size_t at = (apr_size_t)parts->nelts;
                /* grow by doubling (apr_array_push grows one element) */
                while ((apr_size_t)parts->nalloc < at + n) {
                    char *nb = apr_palloc(r->pool,
                                          (apr_size_t)parts->nalloc * 2 + n);
                    memcpy(nb, parts->elts, at);
                    parts->elts = nb;
                    parts->nalloc = parts->nalloc * 2 + (int)n;
                }
                dst = parts->elts + at;
                memcpy(dst, data, n);
                parts->nelts += (int)n;
            }
        }
        apr_brigade_cleanup(bb);
    }
    *body = parts->elts;
    *len = (apr_size_t)parts->nelts;
    return 0;
}

static apr_size_t max_props(const ms_req *rq)
{
    return rq->conf->max_props >= 0 ? (apr_size_t)rq->conf->max_props
                                    : MS_DEFAULT_MAX_PROPS;
}

/* ---------------------------------------------------------------- */
/* PROPFIND                                                          */

static int parse_depth(request_rec *r, int *depth)
{
    const char *h = apr_table_get(r->headers_in, "Depth");

    if (!h || !strcasecmp(h, "infinity"))
        *depth = MS_DEPTH_INFINITY;     /* RFC 4918 9.1: missing = infinity */
    else if (!strcmp(h, "0"))
        *depth = 0;
    else if (!strcmp(h, "1"))
        *depth = 1;
    else
        return -1;
    return 0;
}

MS_DECLARE(int) ms_propfind_read(request_rec *r, const ms_propfind **out)
{
    ms_req *rq;
    ms_propfind *pf;
    const char *why = NULL, *body;
    apr_size_t len;
    int status;

    if (out)
        *out = NULL;
    if (!r || !out) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, r ? r->server : NULL,
                     "multistatus: ms_propfind_read needs a request and a "
                     "result pointer");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (r->method_number != M_PROPFIND) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "multistatus: ms_propfind_read called for a %s "
                      "request", r->method);
        return HTTP_METHOD_NOT_ALLOWED;
    }
    rq = ms_req_get(r);
    if (rq->pf) {
        *out = rq->pf;
        return OK;
    }
    pf = apr_pcalloc(r->pool, sizeof(*pf));
    if (parse_depth(r, &pf->depth) != 0)
        return refuse_body(r, HTTP_BAD_REQUEST, "Depth must be 0, 1 or "
                           "infinity");
    if (pf->depth == MS_DEPTH_INFINITY && rq->conf->depth_infinity <= 0) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "multistatus: PROPFIND with Depth: infinity refused "
                      "(MultiStatusDepthInfinity Off)");
        return answer(r, HTTP_FORBIDDEN, rq->conf->text_xml > 0
                      ? "text/xml; charset=\"utf-8\""
                      : "application/xml; charset=utf-8",
                      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                      "<D:error xmlns:D=\"DAV:\"><D:propfind-finite-depth/>"
                      "</D:error>\n");
    }
    status = read_body(r, &body, &len, &why);
    if (!status)
        status = ms_parse_propfind(r->pool, body, len, max_props(rq), pf,
                                   &why);
    if (status)
        return refuse_body(r, status, why);
    rq->pf = pf;
    ms_props_apply_rules(rq);
    *out = pf;
    return OK;
}

MS_DECLARE(int) ms_propfind_wants(const ms_propfind *pf, const char *ns,
                                  const char *name)
{
    int i;

    if (!pf || pf->type != MS_PROPFIND_PROP)
        return 1;
    if (!ns || !name)
        return 0;
    for (i = 0; i < pf->props->nelts; i++) {
        const ms_propname *pn = &APR_ARRAY_IDX(pf->props, i, ms_propname);
        if (!strcmp(pn->name, name) && !strcmp(pn->ns, ns))
            return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- */
/* PROPPATCH                                                         */

MS_DECLARE(int) ms_proppatch_read(request_rec *r,
                                  const apr_array_header_t **out)
{
    ms_req *rq;
    apr_array_header_t *ops;
    const char *why = NULL, *body;
    apr_size_t len;
    int status;

    if (out)
        *out = NULL;
    if (!r || !out) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, r ? r->server : NULL,
                     "multistatus: ms_proppatch_read needs a request and a "
                     "result pointer");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (r->method_number != M_PROPPATCH) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "multistatus: ms_proppatch_read called for a %s "
                      "request", r->method);
        return HTTP_METHOD_NOT_ALLOWED;
    }
    rq = ms_req_get(r);
    if (rq->ops) {
        *out = rq->ops;
        return OK;
    }
    status = read_body(r, &body, &len, &why);
    if (!status)
        status = ms_parse_proppatch(r->pool, body, len, max_props(rq), &ops,
                                    &why);
    if (status)
        return refuse_body(r, status, why);
    rq->ops = ops;
    ms_props_apply_rules(rq);
    *out = ops;
    return OK;
}

/* ---------------------------------------------------------------- */
/* Prefer (RFC 7240, RFC 8144) and the rules                         */

typedef struct {
    int minimal;        /* return=minimal or Brief: t */
    int asked_minimal;  /* ... through Prefer (for Preference-Applied) */
    int noroot;         /* depth-noroot */
} prefs;

/* One Prefer header (the parsing is the core's, ms_parse_prefer()). */
static int prefer_one(void *data, const char *key, const char *value)
{
    prefs *pr = data;
    int minimal = 0;

    (void)key;
    ms_parse_prefer(value, &minimal, &pr->noroot);
    if (minimal)
        pr->minimal = pr->asked_minimal = 1;
    return 1;
}

static int is_property_method(const request_rec *r)
{
    return r->method_number == M_PROPFIND || r->method_number == M_PROPPATCH
           || r->method_number == M_REPORT;
}

void ms_props_apply_rules(ms_req *rq)
{
    request_rec *r = rq->r;
    ms_doc_rules ru;
    prefs pr;
    const char *brief;
    const apr_array_header_t *names = NULL;
    ms_doc_qname *want;
    int i;

    if (!rq->doc || !is_property_method(r))
        return;
    memset(&ru, 0, sizeof(ru));
    memset(&pr, 0, sizeof(pr));
    if (r->method_number == M_PROPFIND) {
        ru.root_first = 1;
        if (rq->pf) {
            ru.propname = rq->pf->type == MS_PROPFIND_PROPNAME;
            names = rq->pf->props;
        }
    }
    else if (r->method_number == M_PROPPATCH && rq->ops) {
        /* atomicity is about the instructions the module read: a handler
         * that parses its own body keeps its own semantics */
        ru.atomic = 1;
        /* an instruction the handler did not answer may not have been
         * applied: it fails, and so the others become 424 */
        ru.want_status = HTTP_INTERNAL_SERVER_ERROR;
    }
    if (rq->conf->prefer != 0) {
        apr_table_do(prefer_one, &pr, r->headers_in, "Prefer", NULL);
        brief = apr_table_get(r->headers_in, "Brief");
        if (brief && (brief[0] == 't' || brief[0] == 'T') && !brief[1])
            pr.minimal = 1;
        ru.minimal = pr.minimal;
        ru.noroot = pr.noroot && r->method_number != M_PROPPATCH;
        rq->applied = NULL;
        if (pr.asked_minimal)
            rq->applied = "return=minimal";
        if (ru.noroot)
            rq->applied = rq->applied ? "return=minimal, depth-noroot"
                                      : "depth-noroot";
    }
    if (rq->ops) {
        apr_array_header_t *a = apr_array_make(r->pool, rq->ops->nelts,
                                               sizeof(ms_propname));
        for (i = 0; i < rq->ops->nelts; i++) {
            const ms_proppatch_op *op = &APR_ARRAY_IDX(rq->ops, i,
                                                       ms_proppatch_op);
            ms_propname *pn = apr_array_push(a);
            pn->ns = op->ns;
            pn->name = op->name;
        }
        names = a;
    }
    if (names && names->nelts) {
        want = apr_palloc(r->pool, names->nelts * sizeof(*want));
        for (i = 0; i < names->nelts; i++) {
            const ms_propname *pn = &APR_ARRAY_IDX(names, i, ms_propname);
            want[i].ns = pn->ns;
            want[i].name = pn->name;
        }
        ru.want = want;
        ru.nwant = (apr_size_t)names->nelts;
    }
    ms_doc_set_rules(rq->doc, &ru);
}

void ms_props_commit_headers(ms_req *rq)
{
    request_rec *r = rq->r;

    if (!is_property_method(r) || rq->conf->prefer == 0)
        return;
    /* the answer depends on these request headers, for caches */
    apr_table_mergen(r->headers_out, "Vary", "Brief");
    apr_table_mergen(r->headers_out, "Vary", "Prefer");
    if (rq->applied)
        apr_table_setn(r->headers_out, "Preference-Applied", rq->applied);
}
