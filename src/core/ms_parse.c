/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_parse.c: what clients and administrators send, read without httpd
 * (APR only, so that it can be fuzzed): sizes of the directives, and (see
 * ms_doc.h) the bodies of PROPFIND and PROPPATCH and the Prefer header.
 * Calls ms_xml.c and ms_xmlns.c only.
 */
#include <string.h>

#include "apr_lib.h"
#include "apr_strings.h"

#include "ms_xml.h"
#include "ms_doc.h"

const char *ms_parse_size(const char *arg, apr_off_t max, apr_off_t *out)
{
    char *end;
    apr_off_t n, unit = 1;

    if (!arg || !apr_isdigit(*arg))
        return "not a number";
    if (apr_strtoff(&n, arg, &end, 10) != APR_SUCCESS || n < 0)
        return "not a number (or too large)";
    if (*end == 'K' || *end == 'k')
        unit = 1024, end++;
    else if (*end == 'M' || *end == 'm')
        unit = 1024 * 1024, end++;
    if (*end)
        return "trailing characters after the number";
    /* compare before multiplying: n * unit may not fit */
    if (n > max / unit)
        return "too large";
    *out = n * unit;
    return NULL;
}

/* ---------------------------------------------------------------- */
/* Request bodies                                                    */

#include "apr_xml.h"

/* Parse @a body: well-formed (expat), then namespace-well-formed. */
static int parse_xml(apr_pool_t *p, const char *body, apr_size_t len,
                     apr_xml_doc **doc, const char **why)
{
    apr_xml_parser *parser = apr_xml_parser_create(p);
    char errbuf[200];
    const char *bad;

    *doc = NULL;
    if (apr_xml_parser_feed(parser, body, len) != APR_SUCCESS
        || apr_xml_parser_done(parser, doc) != APR_SUCCESS) {
        apr_xml_parser_geterror(parser, errbuf, sizeof(errbuf));
        *why = apr_pstrcat(p, "the body is not well-formed XML: ", errbuf,
                           NULL);
        return 400;
    }
    bad = ms_xml_check_ns(p, body, len, 0);
    if (bad) {
        *why = apr_pstrcat(p, "the body is not namespace-well-formed XML: ",
                           bad, NULL);
        return 400;
    }
    return 0;
}

static int is_dav(const apr_xml_elem *e, const char *name)
{
    return e->ns == APR_XML_NS_DAV_ID && strcmp(e->name, name) == 0;
}

/* Namespace @a i of the request, as its declaration means it: apr_xml
 * keeps the attribute's text, references and all ("urn:a&amp;b"). */
static const char *ns_name(apr_pool_t *p, const apr_xml_doc *doc, int i)
{
    const char *raw = APR_XML_GET_URI_ITEM(doc->namespaces, i);
    apr_size_t n;

    return strchr(raw, '&') ? ms_xml_attr_decode(p, raw, strlen(raw), &n)
                            : raw;
}

/* Check the name of property element @a e; NULL and *ns set, or why not. */
static const char *prop_name(apr_pool_t *p, const apr_xml_doc *doc,
                             const apr_xml_elem *e, const char **ns)
{
    const char *bad;

    if (e->ns < 0)
        return apr_psprintf(p, "property <%.100s> has no namespace (not "
                            "supported)", e->name);
    *ns = ns_name(p, doc, e->ns);
    if (!*ns)
        return "a namespace name with an unknown reference";
    bad = ms_xml_ns_uri_check(*ns, strlen(*ns));
    if (bad)
        return apr_psprintf(p, "property <%.100s> has an unusable namespace "
                            "name: %s", e->name, bad);
    if (!ms_xml_is_ncname_in(p, e->name))
        return apr_psprintf(p, "property name '%.100s' is not an XML name",
                            e->name);
    return NULL;
}

static int too_many(apr_pool_t *p, apr_size_t n, apr_size_t max,
                    const char **why)
{
    *why = apr_psprintf(p, "the request names more than %" APR_SIZE_T_FMT
                        " properties (MultiStatusMaxProperties)", max);
    (void)n;
    return 413;
}

/* The property names under <prop> or <include>. */
static int collect(apr_pool_t *p, const apr_xml_doc *doc,
                   const apr_xml_elem *parent, apr_array_header_t *out,
                   apr_size_t max, const char **why)
{
    const apr_xml_elem *e;

    for (e = parent->first_child; e; e = e->next) {
        ms_propname *pn;
        const char *ns = NULL;
        if ((*why = prop_name(p, doc, e, &ns)) != NULL)
            return 400;
        if (max && (apr_size_t)out->nelts >= max)
            return too_many(p, (apr_size_t)out->nelts + 1, max, why);
        pn = apr_array_push(out);
        pn->ns = ns;
        pn->name = e->name;
    }
    return 0;
}

int ms_parse_propfind(apr_pool_t *p, const char *body, apr_size_t len,
                      apr_size_t max_props, ms_propfind *pf,
                      const char **why)
{
    apr_xml_doc *doc;
    const apr_xml_elem *e, *prop = NULL, *include = NULL;
    apr_array_header_t *names = apr_array_make(p, 8, sizeof(ms_propname));
    int kinds = 0, status;

    pf->type = MS_PROPFIND_ALLPROP;
    pf->props = names;
    if (!len)
        return 0;                       /* RFC 4918 9.1: allprop */
    if ((status = parse_xml(p, body, len, &doc, why)) != 0)
        return status;
    if (!is_dav(doc->root, "propfind")) {
        *why = "the body is not a DAV:propfind document";
        return 400;
    }
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
            prop = e;
            kinds++;
        }
        else if (is_dav(e, "include")) {
            include = e;
        }
        /* other elements: ignored, as RFC 4918 17 asks */
    }
    if (kinds != 1) {
        *why = "DAV:propfind must hold exactly one of prop, propname, "
               "allprop";
        return 400;
    }
    if (pf->type == MS_PROPFIND_PROP) {
        if (!prop->first_child) {
            *why = "DAV:prop names no property";
            return 400;
        }
        return collect(p, doc, prop, names, max_props, why);
    }
    /* <include> means something next to allprop only (RFC 4918 14.8);
     * elsewhere it is ignored, as mod_dav does */
    if (pf->type == MS_PROPFIND_ALLPROP && include)
        return collect(p, doc, include, names, max_props, why);
    return 0;
}

/* Serializing a property's content as a self-contained fragment.  apr_xml
 * numbers the namespaces of the request (prefixes ns0, ns1, ...); each
 * top-level element of the fragment declares the ones its subtree uses,
 * and nothing else, so the value can be stored and sent back as is.  Text
 * and attribute values are escaped so that a parser gives back exactly
 * what was read: CR in text, TAB LF CR in attributes as references (RFC
 * 4918 4.4: dead properties keep them). */
typedef struct {
    apr_pool_t *p;
    const apr_xml_doc *doc;
    apr_array_header_t *parts;
} frag_out;

#define PUT(o, s) (APR_ARRAY_PUSH((o)->parts, const char *) = (s))

static void put_esc(frag_out *o, const char *s, int attr)
{
    apr_size_t len = strlen(s), esc;
    char *d;

    if (ms_xml_text_check(s, len, attr, &esc))
        return;                 /* cannot happen: expat read it */
    if (esc == len) {
        PUT(o, s);
        return;
    }
    d = apr_palloc(o->p, esc + 1);
    *ms_xml_text_to(d, s, len, attr) = '\0';
    PUT(o, d);
}

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
        put_esc(o, t->text, 0);
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
        if (used[i]) {
            const char *uri = ns_name(o->p, o->doc, i);
            PUT(o, apr_psprintf(o->p, " xmlns:ns%d=\"", i));
            put_esc(o, uri ? uri : "", 1);
            PUT(o, "\"");
        }
    }
    if (e->lang && (!parent_lang || strcmp(e->lang, parent_lang) != 0)) {
        PUT(o, " xml:lang=\"");
        put_esc(o, e->lang, 1);
        PUT(o, "\"");
    }
    for (a = e->attr; a; a = a->next) {
        PUT(o, " ");
        PUT(o, qname(o->p, a->ns, a->name));
        PUT(o, "=\"");
        put_esc(o, a->value, 1);
        PUT(o, "\"");
    }
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

static const char *inner_xml(apr_pool_t *p, const apr_xml_doc *doc,
                             const apr_xml_elem *prop)
{
    frag_out o;
    const apr_xml_elem *c;

    o.p = p;
    o.doc = doc;
    o.parts = apr_array_make(p, 16, sizeof(const char *));
    put_text(&o, &prop->first_cdata);
    for (c = prop->first_child; c; c = c->next) {
        char *used = apr_pcalloc(p, (apr_size_t)doc->namespaces->nelts + 1);
        mark_ns(c, used);
        put_elem(&o, c, NULL, used);
        put_text(&o, &c->following_cdata);
    }
    return apr_array_pstrcat(p, o.parts, '\0');
}

int ms_parse_proppatch(apr_pool_t *p, const char *body, apr_size_t len,
                       apr_size_t max_props, apr_array_header_t **out,
                       const char **why)
{
    apr_array_header_t *ops;
    apr_xml_doc *doc = NULL;
    const apr_xml_elem *e, *prop, *pe;
    int status;

    *out = NULL;
    if (len && (status = parse_xml(p, body, len, &doc, why)) != 0)
        return status;
    if (!doc || !is_dav(doc->root, "propertyupdate")) {
        *why = "the body is not a DAV:propertyupdate document";
        return 400;
    }
    ops = apr_array_make(p, 8, sizeof(ms_proppatch_op));
    for (e = doc->root->first_child; e; e = e->next) {
        int remove = is_dav(e, "remove");
        if (!remove && !is_dav(e, "set"))
            continue;           /* unknown elements are ignored */
        for (prop = e->first_child; prop; prop = prop->next) {
            if (!is_dav(prop, "prop"))
                continue;
            for (pe = prop->first_child; pe; pe = pe->next) {
                ms_proppatch_op *op;
                const char *ns = NULL;
                if ((*why = prop_name(p, doc, pe, &ns)) != NULL)
                    return 400;
                if (max_props && (apr_size_t)ops->nelts >= max_props)
                    return too_many(p, (apr_size_t)ops->nelts + 1,
                                    max_props, why);
                op = apr_array_push(ops);
                op->remove = remove;
                op->ns = ns;
                op->name = pe->name;
                op->lang = pe->lang;
                op->value = remove ? NULL : inner_xml(p, doc, pe);
            }
        }
    }
    if (!ops->nelts) {
        *why = "DAV:propertyupdate holds no set or remove instruction";
        return 400;
    }
    *out = ops;
    return 0;
}

/* ---------------------------------------------------------------- */
/* Prefer (RFC 7240, RFC 8144)                                       */

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

void ms_parse_prefer(const char *value, int *minimal, int *noroot)
{
    const char *p = value;

    /* preferences separated by commas, each
     *     token [ BWS "=" BWS ( token / quoted-string ) ] *( ";" param )
     * (RFC 7240 section 2); the parameters are not used here */
    while (p && *p) {
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
            *minimal = 1;
        else if (token_is(nb, ne, "depth-noroot") && !eq)
            *noroot = 1;
        p = *end ? end + 1 : end;
    }
}
