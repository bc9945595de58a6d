/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_xmlns.c: Namespaces in XML 1.0 for the XML the module is given (APR
 * only): namespace names, the prefixes and attributes of XML fragments
 * (property values, PROPPATCH values, error and description text), and
 * the whole check of a fragment (expat's well-formedness, then the
 * namespace rules expat does not apply to a fragment).  Uses ms_xml.c
 * (characters, names, expat) and nothing else of ours.
 */
#include <stdlib.h>
#include <string.h>

#include "apr_hash.h"
#include "apr_lib.h"
#include "apr_tables.h"
#include "apr_strings.h"

#include "ms_xml.h"

const char *ms_xml_check_fragment(apr_pool_t *scratch, const char *frag,
                                  apr_size_t len)
{
    const char *bad = ms_xml_expat_wf(scratch, frag, len);

    return bad ? bad : ms_xml_check_ns(scratch, frag, len, 1);
}

const char *ms_xml_ns_uri_check(const char *uri, apr_size_t len)
{
    apr_size_t i, esc;
    const char *bad;

    if (!len)
        return "an empty namespace name";
    if ((len == sizeof(MS_XML_NS) - 1 && !memcmp(uri, MS_XML_NS, len))
        || (len == sizeof(MS_XMLNS_NS) - 1 && !memcmp(uri, MS_XMLNS_NS, len)))
        return "a reserved namespace name (xml or xmlns)";
    bad = ms_xml_text_check(uri, len, 1, &esc);
    if (bad)
        return bad;
    /* a URI reference (an IRI: bytes above 0x7F are UTF-8, checked): no
     * space, control, quote, angle bracket, or the other characters RFC
     * 3986 never allows */
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)uri[i];
        if (c <= 0x20 || c == 0x7F || c == '"' || c == '<' || c == '>'
            || c == '\\' || c == '^' || c == '`' || c == '{' || c == '|'
            || c == '}')
            return "a namespace name that is not a URI reference";
    }
    return NULL;
}


/* A prefix binding in scope.  Bindings shadow each other through
 * prev_same (the binding of the same prefix further out), so that a lookup
 * is one hash probe, whatever the depth or the number of bindings. */
typedef struct binding {
    const char *prefix;         /* "" for the default namespace */
    apr_size_t plen;
    const char *uri;            /* decoded */
    apr_size_t ulen;
    struct binding *prev_same;
    int depth;
} binding;

typedef struct {
    apr_pool_t *p;
    apr_hash_t *by_prefix;      /* prefix -> innermost binding */
    apr_array_header_t *stack;  /* binding *, in order of declaration */
} ns_scope;

static binding *scope_find(ns_scope *sc, const char *prefix, apr_size_t len)
{
    return apr_hash_get(sc->by_prefix, prefix, (apr_ssize_t)len);
}

static void scope_bind(ns_scope *sc, int depth, const char *prefix,
                       apr_size_t plen, const char *uri, apr_size_t ulen)
{
    binding *b = apr_palloc(sc->p, sizeof(*b));

    b->prefix = prefix;
    b->plen = plen;
    b->uri = uri;
    b->ulen = ulen;
    b->depth = depth;
    b->prev_same = scope_find(sc, prefix, plen);
    apr_hash_set(sc->by_prefix, prefix, (apr_ssize_t)plen, b);
    APR_ARRAY_PUSH(sc->stack, binding *) = b;
}

static void scope_pop(ns_scope *sc, int depth)
{
    while (sc->stack->nelts) {
        binding *b = APR_ARRAY_IDX(sc->stack, sc->stack->nelts - 1,
                                   binding *);
        if (b->depth < depth)
            break;
        apr_hash_set(sc->by_prefix, b->prefix, (apr_ssize_t)b->plen,
                     b->prev_same);
        sc->stack->nelts--;
    }
}

/* Decode the references of an attribute value (well-formedness was checked
 * by expat: only the predefined entities and character references occur;
 * whitespace is normalized to spaces as a parser does). */
char *ms_xml_attr_decode(apr_pool_t *p, const char *v, apr_size_t len,
                         apr_size_t *out_len)
{
    char *out = apr_palloc(p, len + 1), *o = out;
    apr_size_t i = 0;

    while (i < len) {
        if (v[i] == '&') {
            const char *semi = memchr(v + i, ';', len - i);
            apr_size_t n = semi ? (apr_size_t)(semi - (v + i)) : 0;
            if (!semi)
                return NULL;
            if (n == 3 && !memcmp(v + i, "&lt", 3))
                *o++ = '<';
            else if (n == 3 && !memcmp(v + i, "&gt", 3))
                *o++ = '>';
            else if (n == 4 && !memcmp(v + i, "&amp", 4))
                *o++ = '&';
            else if (n == 5 && !memcmp(v + i, "&quot", 5))
                *o++ = '"';
            else if (n == 5 && !memcmp(v + i, "&apos", 5))
                *o++ = '\'';
            else if (n >= 3 && v[i + 1] == '#') {
                apr_uint64_t cp = 0;
                apr_size_t k = i + 2;
                int hex = v[k] == 'x';
                if (hex)
                    k++;
                if (k == i + n)
                    return NULL;
                for (; k < i + n; k++) {
                    int d = apr_isdigit(v[k]) ? v[k] - '0'
                          : hex && apr_isxdigit(v[k])
                            ? apr_tolower(v[k]) - 'a' + 10 : -1;
                    if (d < 0)
                        return NULL;
                    cp = cp * (hex ? 16 : 10) + (apr_uint64_t)d;
                    if (cp > 0x10FFFF)
                        return NULL;
                }
                if (cp < 0x80) {
                    *o++ = (char)cp;
                }
                else if (cp < 0x800) {
                    *o++ = (char)(0xC0 | (cp >> 6));
                    *o++ = (char)(0x80 | (cp & 0x3F));
                }
                else if (cp < 0x10000) {
                    *o++ = (char)(0xE0 | (cp >> 12));
                    *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                    *o++ = (char)(0x80 | (cp & 0x3F));
                }
                else {
                    *o++ = (char)(0xF0 | (cp >> 18));
                    *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
                    *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                    *o++ = (char)(0x80 | (cp & 0x3F));
                }
            }
            else {
                return NULL;    /* an entity we cannot know */
            }
            i += n + 1;
        }
        else {
            char c = v[i++];
            *o++ = (c == '\t' || c == '\n' || c == '\r') ? ' ' : c;
        }
    }
    *o = '\0';
    *out_len = (apr_size_t)(o - out);
    return out;
}

typedef struct {
    const char *name;           /* start of the QName in the text */
    apr_size_t len, colon;      /* colon: offset of ':' or 0 */
    const char *val;
    apr_size_t vlen;
} raw_attr;

typedef struct {
    const char *uri;
    apr_size_t ulen;
    const char *local;
    apr_size_t llen;
} exp_name;

static int exp_cmp(const void *a, const void *b)
{
    const exp_name *x = a, *y = b;
    apr_size_t n = x->ulen < y->ulen ? x->ulen : y->ulen;
    int c = memcmp(x->uri, y->uri, n);

    if (c || x->ulen != y->ulen)
        return c ? c : (x->ulen < y->ulen ? -1 : 1);
    n = x->llen < y->llen ? x->llen : y->llen;
    c = memcmp(x->local, y->local, n);
    if (c || x->llen != y->llen)
        return c ? c : (x->llen < y->llen ? -1 : 1);
    return 0;
}

/* Is [s, s+len) a QName: NCName or NCName:NCName?  *colon: offset of the
 * colon, 0 when unprefixed. */
static int qname_ok(apr_pool_t *p, const char *s, apr_size_t len,
                    apr_size_t *colon)
{
    const char *c = memchr(s, ':', len);

    *colon = 0;
    if (!c)
        return ms_xml_ncname_n(p, s, len);
    *colon = (apr_size_t)(c - s);
    return ms_xml_ncname_n(p, s, *colon)
        && ms_xml_ncname_n(p, c + 1, len - *colon - 1);
}

#define IS_WS(c) ((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r')

static const char *skip_to(const char *p, const char *end, const char *tok)
{
    apr_size_t tl = strlen(tok);

    while (p + tl <= end) {
        const char *q = memchr(p, tok[0], (apr_size_t)(end - p));
        if (!q || q + tl > end)
            return NULL;
        if (!memcmp(q, tok, tl))
            return q + tl;
        p = q + 1;
    }
    return NULL;
}

const char *ms_xml_check_ns(apr_pool_t *pool, const char *text,
                            apr_size_t len, int fragment)
{
    const char *p = text, *end = text + len;
    ns_scope sc;
    apr_array_header_t *attrs, *exp;
    int depth = 0, i;
    apr_pool_t *sp;
    const char *why = NULL;

    if (apr_pool_create(&sp, pool) != APR_SUCCESS)
        return "out of memory";
    sc.p = sp;
    sc.by_prefix = apr_hash_make(sp);
    sc.stack = apr_array_make(sp, 16, sizeof(binding *));
    attrs = apr_array_make(sp, 8, sizeof(raw_attr));
    exp = apr_array_make(sp, 8, sizeof(exp_name));
    if (fragment)
        scope_bind(&sc, 0, "D", 1, "DAV:", 4);

#define FAIL(msg) do { why = (msg); goto done; } while (0)
    while (p < end) {
        const char *name, *q;
        apr_size_t nlen, colon;
        int empty = 0;

        p = memchr(p, '<', (apr_size_t)(end - p));
        if (!p)
            break;
        if (end - p >= 4 && !memcmp(p, "<!--", 4)) {
            if (!(p = skip_to(p + 4, end, "-->")))
                FAIL("an unterminated comment");
            continue;
        }
        if (end - p >= 9 && !memcmp(p, "<![CDATA[", 9)) {
            if (!(p = skip_to(p + 9, end, "]]>")))
                FAIL("an unterminated CDATA section");
            continue;
        }
        if (end - p >= 2 && p[1] == '?') {
            if (!(p = skip_to(p + 2, end, "?>")))
                FAIL("an unterminated processing instruction");
            continue;
        }
        if (end - p >= 2 && p[1] == '!')
            FAIL("a document type declaration (not accepted here)");
        if (end - p >= 2 && p[1] == '/') {
            if (!(p = memchr(p, '>', (apr_size_t)(end - p))))
                FAIL("an unterminated end tag");
            p++;
            scope_pop(&sc, depth);
            depth--;
            continue;
        }
        /* a start tag: its name, then its attributes */
        name = ++p;
        while (p < end && !IS_WS(*p) && *p != '/' && *p != '>')
            p++;
        nlen = (apr_size_t)(p - name);
        attrs->nelts = 0;
        for (;;) {
            raw_attr *a;
            char quote;
            while (p < end && IS_WS(*p))
                p++;
            if (p >= end)
                FAIL("an unterminated start tag");
            if (*p == '>') {
                p++;
                break;
            }
            if (*p == '/') {
                if (p + 1 >= end || p[1] != '>')
                    FAIL("a malformed start tag");
                empty = 1;
                p += 2;
                break;
            }
            a = apr_array_push(attrs);
            a->name = p;
            while (p < end && !IS_WS(*p) && *p != '=')
                p++;
            a->len = (apr_size_t)(p - a->name);
            while (p < end && IS_WS(*p))
                p++;
            if (p >= end || *p != '=')
                FAIL("an attribute without a value");
            p++;
            while (p < end && IS_WS(*p))
                p++;
            if (p >= end || (*p != '"' && *p != '\''))
                FAIL("an attribute value without quotes");
            quote = *p++;
            a->val = p;
            q = memchr(p, quote, (apr_size_t)(end - p));
            if (!q)
                FAIL("an unterminated attribute value");
            a->vlen = (apr_size_t)(q - p);
            p = q + 1;
        }
        depth++;
        /* declarations first: they apply to the element's own name */
        for (i = 0; i < attrs->nelts; i++) {
            raw_attr *a = &APR_ARRAY_IDX(attrs, i, raw_attr);
            const char *uri, *pfx;
            apr_size_t ulen, plen;
            int is_xml_ns, is_xmlns_ns;

            if (a->len < 5 || memcmp(a->name, "xmlns", 5)
                || (a->len > 5 && a->name[5] != ':'))
                continue;
            uri = ms_xml_attr_decode(sp, a->val, a->vlen, &ulen);
            if (!uri)
                FAIL("an attribute value with an unknown reference");
            is_xml_ns = ulen == sizeof(MS_XML_NS) - 1
                        && !memcmp(uri, MS_XML_NS, ulen);
            is_xmlns_ns = ulen == sizeof(MS_XMLNS_NS) - 1
                          && !memcmp(uri, MS_XMLNS_NS, ulen);
            if (a->len == 5) {
                if (is_xml_ns || is_xmlns_ns)
                    FAIL("the default namespace bound to a reserved name");
                scope_bind(&sc, depth, "", 0, uri, ulen);
                continue;
            }
            pfx = a->name + 6;
            plen = a->len - 6;
            if (!ms_xml_ncname_n(sp, pfx, plen))
                FAIL("a namespace prefix that is not an NCName");
            if (plen == 5 && !memcmp(pfx, "xmlns", 5))
                FAIL("the xmlns prefix declared");
            if (plen == 3 && !memcmp(pfx, "xml", 3)) {
                if (!is_xml_ns)
                    FAIL("the xml prefix bound to another name");
                continue;
            }
            if (is_xml_ns || is_xmlns_ns)
                FAIL("a prefix bound to a reserved namespace name");
            if (!ulen)
                FAIL("a prefix undeclared (xmlns:p=\"\")");
            scope_bind(&sc, depth, pfx, plen, uri, ulen);
        }
        if (!qname_ok(sp, name, nlen, &colon))
            FAIL("an element name that is not a QName");
        if (colon) {
            if (colon == 5 && !memcmp(name, "xmlns", 5))
                FAIL("an element with the xmlns prefix");
            if (!(colon == 3 && !memcmp(name, "xml", 3))
                && !scope_find(&sc, name, colon))
                FAIL("an element prefix that is not declared");
        }
        /* attributes: QNames, declared prefixes, unique expanded names */
        exp->nelts = 0;
        for (i = 0; i < attrs->nelts; i++) {
            raw_attr *a = &APR_ARRAY_IDX(attrs, i, raw_attr);
            exp_name *x;
            binding *b;

            if (a->len >= 5 && !memcmp(a->name, "xmlns", 5)
                && (a->len == 5 || a->name[5] == ':'))
                continue;
            if (!qname_ok(sp, a->name, a->len, &a->colon))
                FAIL("an attribute name that is not a QName");
            if (!a->colon)
                continue;       /* no namespace: expat saw them unique */
            x = apr_array_push(exp);
            if (a->colon == 3 && !memcmp(a->name, "xml", 3)) {
                x->uri = MS_XML_NS;
                x->ulen = sizeof(MS_XML_NS) - 1;
            }
            else if (!(b = scope_find(&sc, a->name, a->colon)) || !b->ulen) {
                FAIL("an attribute prefix that is not declared");
            }
            else {
                x->uri = b->uri;
                x->ulen = b->ulen;
            }
            x->local = a->name + a->colon + 1;
            x->llen = a->len - a->colon - 1;
        }
        if (exp->nelts > 1) {
            qsort(exp->elts, (size_t)exp->nelts, sizeof(exp_name), exp_cmp);
            for (i = 1; i < exp->nelts; i++) {
                if (!exp_cmp(&APR_ARRAY_IDX(exp, i - 1, exp_name),
                             &APR_ARRAY_IDX(exp, i, exp_name)))
                    FAIL("two attributes with the same expanded name");
            }
        }
        if (empty) {
            scope_pop(&sc, depth);
            depth--;
        }
    }
#undef FAIL
done:
    apr_pool_destroy(sp);
    return why;
}
