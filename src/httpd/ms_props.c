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

/* Parse the request body into *doc (NULL for an empty body).  Returns 0,
 * or the status to answer with *why set. */
static int read_xml(request_rec *r, apr_xml_doc **doc, const char **why)
{
    apr_bucket_brigade *bb;
    apr_xml_parser *parser;
    apr_off_t limit = (apr_off_t)ap_get_limit_xml_body(r);
    apr_off_t total = 0;
    int eos = 0;
    char errbuf[200];

    *doc = NULL;
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    parser = apr_xml_parser_create(r->pool);
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
            apr_size_t len;

            if (APR_BUCKET_IS_EOS(b)) {
                eos = 1;
                break;
            }
            if (APR_BUCKET_IS_METADATA(b))
                continue;
            if (apr_bucket_read(b, &data, &len, APR_BLOCK_READ)
                != APR_SUCCESS) {
                *why = "the request body could not be read";
                return HTTP_BAD_REQUEST;
            }
            total += (apr_off_t)len;
            if (limit && total > limit) {
                *why = apr_psprintf(r->pool, "the body is larger than "
                                    "LimitXMLRequestBody (%" APR_OFF_T_FMT
                                    " bytes)", limit);
                return HTTP_REQUEST_ENTITY_TOO_LARGE;
            }
            if (len && apr_xml_parser_feed(parser, data, len)
                       != APR_SUCCESS) {
                apr_xml_parser_geterror(parser, errbuf, sizeof(errbuf));
                *why = apr_pstrcat(r->pool, "the body is not well-formed "
                                   "XML: ", errbuf, NULL);
                return HTTP_BAD_REQUEST;
            }
        }
        apr_brigade_cleanup(bb);
    }
    if (total == 0)
        return 0;
    if (apr_xml_parser_done(parser, doc) != APR_SUCCESS) {
        apr_xml_parser_geterror(parser, errbuf, sizeof(errbuf));
        *why = apr_pstrcat(r->pool, "the body is not well-formed XML: ",
                           errbuf, NULL);
        return HTTP_BAD_REQUEST;
    }
    return 0;
}

static int is_dav(const apr_xml_elem *e, const char *name)
{
    return e->ns == APR_XML_NS_DAV_ID && strcmp(e->name, name) == 0;
}

/* The property names under <prop> or <include>. */
static const char *collect_names(request_rec *r, const apr_xml_doc *doc,
                                 const apr_xml_elem *parent,
                                 apr_array_header_t *out)
{
    const apr_xml_elem *e;

    for (e = parent->first_child; e; e = e->next) {
        ms_propname *pn;
        if (e->ns == APR_XML_NS_NONE)
            return apr_psprintf(r->pool, "property <%s> has no namespace "
                                "(not supported)", e->name);
        pn = apr_array_push(out);
        pn->ns = APR_XML_GET_URI_ITEM(doc->namespaces, e->ns);
        pn->name = e->name;
    }
    return NULL;
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
    apr_xml_doc *doc;
    const apr_xml_elem *e;
    const char *why = NULL;
    int status, kinds = 0;

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
    status = read_xml(r, &doc, &why);
    if (status)
        return refuse_body(r, status, why);
    pf->type = MS_PROPFIND_ALLPROP;
    pf->props = apr_array_make(r->pool, 8, sizeof(ms_propname));
    if (doc) {
        if (!is_dav(doc->root, "propfind"))
            return refuse_body(r, HTTP_BAD_REQUEST, "the body is not a "
                               "DAV:propfind document");
        for (e = doc->root->first_child; e; e = e->next) {
            if (is_dav(e, "allprop")) {
                pf->type = MS_PROPFIND_ALLPROP;
                kinds++;
            }
            else if (is_dav(e, "propname")) {
                pf->type = MS_PROPFIND_PROPNAME;
                kinds++;
            }
            else if (is_dav(e, "prop")) {
                pf->type = MS_PROPFIND_PROP;
                kinds++;
                why = collect_names(r, doc, e,
                                    (apr_array_header_t *)pf->props);
            }
            else if (is_dav(e, "include")) {
                why = collect_names(r, doc, e,
                                    (apr_array_header_t *)pf->props);
            }
            /* other elements: ignored, as RFC 4918 17 asks */
            if (why)
                return refuse_body(r, HTTP_BAD_REQUEST, why);
        }
        if (kinds != 1)
            return refuse_body(r, HTTP_BAD_REQUEST, "DAV:propfind must hold "
                               "exactly one of prop, propname, allprop");
        if (pf->type == MS_PROPFIND_PROPNAME)
            apr_array_clear((apr_array_header_t *)pf->props);
    }
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

/* Serializing a property's content as a self-contained fragment.  apr_xml
 * numbers the namespaces of the request (prefixes ns0, ns1, ...); each
 * top-level element of the fragment declares the ones its subtree uses,
 * and nothing else, so the value can be stored and sent back as is. */
typedef struct {
    apr_pool_t *p;
    const apr_xml_doc *doc;
    apr_array_header_t *parts;
} frag_out;

#define PUT(o, s) (APR_ARRAY_PUSH((o)->parts, const char *) = (s))

static void mark_ns(const apr_xml_elem *e, char *used)
{
    const apr_xml_attr *a;
    const apr_xml_elem *c;

    if (e->ns >= 0)
        used[e->ns] = 1;
    for (a = e->attr; a; a = a->next)
        if (a->ns >= 0)
            used[a->ns] = 1;
    for (c = e->first_child; c; c = c->next)
        mark_ns(c, used);
}

static const char *qname(apr_pool_t *p, int ns, const char *name)
{
    return ns >= 0 ? apr_psprintf(p, "ns%d:%s", ns, name) : name;
}

static void put_text(frag_out *o, const apr_text_header *th)
{
    const apr_text *t;

    for (t = th->first; t; t = t->next)
        PUT(o, t->text);
}

/* @a used: the namespaces to declare here (top-level elements only). */
static void put_elem(frag_out *o, const apr_xml_elem *e,
                     const char *parent_lang, const char *used)
{
    const char *name = qname(o->p, e->ns, e->name);
    const apr_xml_attr *a;
    const apr_xml_elem *c;
    int i;

    PUT(o, "<");
    PUT(o, name);
    for (i = 0; used && i < o->doc->namespaces->nelts; i++) {
        if (used[i])
            PUT(o, apr_psprintf(o->p, " xmlns:ns%d=\"%s\"", i,
                                apr_xml_quote_string(o->p,
                                    APR_XML_GET_URI_ITEM(o->doc->namespaces,
                                                         i), 1)));
    }
    if (e->lang && (!parent_lang || strcmp(e->lang, parent_lang) != 0))
        PUT(o, apr_psprintf(o->p, " xml:lang=\"%s\"",
                            apr_xml_quote_string(o->p, e->lang, 1)));
    for (a = e->attr; a; a = a->next)   /* values quoted already */
        PUT(o, apr_psprintf(o->p, " %s=\"%s\"", qname(o->p, a->ns, a->name),
                            a->value));
    if (!e->first_child && !e->first_cdata.first) {
        PUT(o, "/>");
        return;
    }
    PUT(o, ">");
    put_text(o, &e->first_cdata);
    for (c = e->first_child; c; c = c->next) {
        put_elem(o, c, e->lang, NULL);
        put_text(o, &c->following_cdata);
    }
    PUT(o, "</");
    PUT(o, name);
    PUT(o, ">");
}

/* The content of a property element as a fragment that carries its own
 * namespace declarations. */
static const char *inner_xml(apr_pool_t *p, const apr_xml_doc *doc,
                             apr_xml_elem *prop)
{
    frag_out o;
    apr_xml_elem *c;

    o.p = p;
    o.doc = doc;
    o.parts = apr_array_make(p, 16, sizeof(const char *));
    apr_xml_quote_elem(p, prop);        /* text and attribute values */
    put_text(&o, &prop->first_cdata);
    for (c = prop->first_child; c; c = c->next) {
        char *used = apr_pcalloc(p, doc->namespaces->nelts + 1);
        mark_ns(c, used);
        put_elem(&o, c, NULL, used);
        put_text(&o, &c->following_cdata);
    }
    return apr_array_pstrcat(p, o.parts, '\0');
}

MS_DECLARE(int) ms_proppatch_read(request_rec *r,
                                  const apr_array_header_t **out)
{
    ms_req *rq;
    apr_array_header_t *ops;
    apr_xml_doc *doc;
    apr_xml_elem *e, *prop, *pe;
    const char *why = NULL;
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
    status = read_xml(r, &doc, &why);
    if (status)
        return refuse_body(r, status, why);
    if (!doc || !is_dav(doc->root, "propertyupdate"))
        return refuse_body(r, HTTP_BAD_REQUEST, "the body is not a "
                           "DAV:propertyupdate document");
    ops = apr_array_make(r->pool, 8, sizeof(ms_proppatch_op));
    for (e = doc->root->first_child; e; e = e->next) {
        int remove = is_dav(e, "remove");
        if (!remove && !is_dav(e, "set"))
            continue;           /* unknown elements are ignored */
        for (prop = e->first_child; prop; prop = prop->next) {
            if (!is_dav(prop, "prop"))
                continue;
            for (pe = prop->first_child; pe; pe = pe->next) {
                ms_proppatch_op *op;
                if (pe->ns == APR_XML_NS_NONE)
                    return refuse_body(r, HTTP_BAD_REQUEST, apr_psprintf(
                                       r->pool, "property <%s> has no "
                                       "namespace (not supported)",
                                       pe->name));
                op = apr_array_push(ops);
                op->remove = remove;
                op->ns = APR_XML_GET_URI_ITEM(doc->namespaces, pe->ns);
                op->name = pe->name;
                op->lang = pe->lang;
                op->value = remove ? NULL : inner_xml(r->pool, doc, pe);
            }
        }
    }
    if (!ops->nelts)
        return refuse_body(r, HTTP_BAD_REQUEST, "DAV:propertyupdate holds "
                           "no set or remove instruction");
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

/* Trim spaces and tabs around [*b, *e). */
static void trim(const char **b, const char **e)
{
    while (*b < *e && apr_isspace(**b))
        (*b)++;
    while (*e > *b && apr_isspace((*e)[-1]))
        (*e)--;
}

static int token_is(const char *b, const char *e, const char *tok)
{
    apr_size_t n = strlen(tok);

    return (apr_size_t)(e - b) == n && strncasecmp(b, tok, n) == 0;
}

/* One Prefer header: preferences separated by commas, each
 *     token [ BWS "=" BWS ( token / quoted-string ) ] *( ";" parameter )
 * (RFC 7240 section 2); the parameters are not used here. */
static int prefer_one(void *data, const char *key, const char *value)
{
    prefs *pr = data;
    const char *p = value;

    (void)key;
    while (*p) {
        const char *end = p + strcspn(p, ",");
        const char *semi = memchr(p, ';', (apr_size_t)(end - p));
        const char *pe = semi ? semi : end;
        const char *eq = memchr(p, '=', (apr_size_t)(pe - p));
        const char *nb = p, *ne = eq ? eq : pe;
        const char *vb = eq ? eq + 1 : pe, *ve = pe;

        trim(&nb, &ne);
        trim(&vb, &ve);
        if (ve - vb >= 2 && *vb == '"' && ve[-1] == '"') {
            vb++;
            ve--;
        }
        if (token_is(nb, ne, "return") && token_is(vb, ve, "minimal"))
            pr->minimal = pr->asked_minimal = 1;
        else if (token_is(nb, ne, "depth-noroot") && !eq)
            pr->noroot = 1;
        p = *end ? end + 1 : end;
    }
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
