/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_xml.c: character-level rules of a 207 body (APR only, no httpd):
 * UTF-8 and XML Char validation, escaping of text and attribute values,
 * XML names and language tags, well-formedness of XML fragments, and the
 * reason phrases of status codes.  The lowest layer of the core: it calls
 * nothing of ours.  See ms_xml.h for the contracts and MULTISTATUS-RULES
 * for the reasons.
 */
#include <stdlib.h>
#include <string.h>

#include "apr_hash.h"
#include "apr_lib.h"
#include "apr_tables.h"
#include "apr_strings.h"
#include "apr_xml.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "ms_xml.h"

/* Decode one UTF-8 sequence at s (n bytes available).  Returns its length
 * and stores the code point, or 0 for an invalid sequence (overlong,
 * surrogate, beyond U+10FFFF, truncated). */
static apr_size_t utf8_decode(const unsigned char *s, apr_size_t n,
                              apr_uint32_t *cp)
{
    apr_uint32_t c = s[0];

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        if (n < 2 || (s[1] & 0xC0) != 0x80)
            return 0;
        *cp = ((c & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        *cp = ((c & 0x0F) << 12) | ((apr_uint32_t)(s[1] & 0x3F) << 6)
              | (s[2] & 0x3F);
        if (*cp < 0x800 || (*cp >= 0xD800 && *cp <= 0xDFFF))
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80
            || (s[3] & 0xC0) != 0x80)
            return 0;
        *cp = ((c & 0x07) << 18) | ((apr_uint32_t)(s[1] & 0x3F) << 12)
              | ((apr_uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        if (*cp < 0x10000 || *cp > 0x10FFFF)
            return 0;
        return 4;
    }
    return 0;
}

/* What escaping costs per ASCII byte: 0 = forbidden in XML 1.0, 1 = as is,
 * n = length of the reference written instead.  Two tables: element
 * content and attribute value. */
static unsigned char text_cost[2][128];
static int tables_ready;

/* ASCII name characters: 1 may start a name, 2 may only follow. */
static unsigned char name_ascii[128];

void ms_xml_init(void)
{
    int c, m;

    if (tables_ready)
        return;
    for (m = 0; m < 2; m++) {
        for (c = 0; c < 128; c++)
            text_cost[m][c] = (c < 0x20) ? 0 : 1;
        text_cost[m]['&'] = 5;          /* &amp; */
        text_cost[m]['<'] = 4;          /* &lt;  */
        text_cost[m]['>'] = 4;          /* &gt;  */
        text_cost[m]['\r'] = 5;         /* &#13; (parsers would fold CR) */
        text_cost[m]['\t'] = m ? 4 : 1; /* &#9;  in attributes */
        text_cost[m]['\n'] = m ? 5 : 1; /* &#10; in attributes */
        text_cost[m]['"'] = m ? 6 : 1;  /* &quot; */
        text_cost[m][0x7F] = 1;         /* DEL is an XML Char */
    }
    for (c = 'A'; c <= 'Z'; c++)
        name_ascii[c] = 1;
    for (c = 'a'; c <= 'z'; c++)
        name_ascii[c] = 1;
    name_ascii['_'] = 1;
    for (c = '0'; c <= '9'; c++)
        name_ascii[c] = 2;
    name_ascii['-'] = 2;
    name_ascii['.'] = 2;
    tables_ready = 1;
}

/* The tables are tiny and built on first use; the module also calls this
 * path during post_config, before any thread exists. */
#define READY() do { if (!tables_ready) ms_xml_init(); } while (0)


/* Is the whole text plain ASCII that needs no escaping?  Nearly every
 * value is; a block at a time, the last block overlapping the one before. */
static APR_INLINE int all_plain(const unsigned char *u, apr_size_t len,
                                int attr, const unsigned char *cost)
{
    apr_uint64_t x;
    apr_size_t i;

#if defined(__SSE2__)
    if (len >= 16) {
        for (i = 0; i + 16 <= len; i += 16) {
            if (!ms_xml_block_plain(u + i, attr))
                return 0;
        }
        return i == len || ms_xml_block_plain(u + len - 16, attr);
    }
#endif
    if (len < 8) {
        for (i = 0; i < len; i++) {
            if (u[i] >= 0x80 || cost[u[i]] != 1)
                return 0;
        }
        return 1;
    }
    for (i = 0; i + 8 <= len; i += 8) {
        memcpy(&x, u + i, 8);
        if (!ms_xml_word_plain(x, attr))
            return 0;
    }
    if (i < len) {
        memcpy(&x, u + len - 8, 8);
        return ms_xml_word_plain(x, attr);
    }
    return 1;
}

const char *ms_xml_text_check(const char *s, apr_size_t len, int attr,
                              apr_size_t *esc_len)
{
    const unsigned char *u = (const unsigned char *)s;
    const unsigned char *cost;
    apr_size_t i = 0, out = 0;

    READY();
    cost = text_cost[attr ? 1 : 0];
    if (all_plain(u, len, attr, cost)) {
        *esc_len = len;
        return NULL;
    }
    while (i < len) {
        unsigned char c = u[i];
        if (c < 0x80) {
            unsigned k = cost[c];
            if (!k)
                return "a control character XML 1.0 cannot carry";
            out += k - 1;
            i++;
        }
        else {
            apr_uint32_t cp;
            apr_size_t n = utf8_decode(u + i, len - i, &cp);
            if (!n)
                return "invalid UTF-8";
            if (cp == 0xFFFE || cp == 0xFFFF)
                return "a noncharacter (U+FFFE/U+FFFF) XML 1.0 cannot carry";
            i += n;
        }
    }
    /* out counted only what escaping adds */
    *esc_len = len + out;
    return NULL;
}

char *ms_xml_text_to(char *dst, const char *s, apr_size_t len, int attr)
{
    const unsigned char *cost;
    apr_size_t i, run = 0;

    READY();
    cost = text_cost[attr ? 1 : 0];
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *ref;
        apr_size_t rl;

        if (c >= 0x80 || cost[c] == 1) {
            run++;
            continue;
        }
        /* flush the raw run before the reference */
        memcpy(dst, s + i - run, run);
        dst += run;
        run = 0;
        switch (c) {
        case '&':  ref = "&amp;";  break;
        case '<':  ref = "&lt;";   break;
        case '>':  ref = "&gt;";   break;
        case '\r': ref = "&#13;";  break;
        case '\t': ref = "&#9;";   break;
        case '\n': ref = "&#10;";  break;
        default:   ref = "&quot;"; break;
        }
        rl = strlen(ref);
        memcpy(dst, ref, rl);
        dst += rl;
    }
    memcpy(dst, s + len - run, run);
    return dst + run;
}

static int name_start_cp(apr_uint32_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'
        || (c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xF6)
        || (c >= 0xF8 && c <= 0x2FF) || (c >= 0x370 && c <= 0x37D)
        || (c >= 0x37F && c <= 0x1FFF) || (c >= 0x200C && c <= 0x200D)
        || (c >= 0x2070 && c <= 0x218F) || (c >= 0x2C00 && c <= 0x2FEF)
        || (c >= 0x3001 && c <= 0xD7FF) || (c >= 0xF900 && c <= 0xFDCF)
        || (c >= 0xFDF0 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0xEFFFF);
}

static int name_cp(apr_uint32_t c)
{
    return name_start_cp(c) || c == '-' || c == '.'
        || (c >= '0' && c <= '9') || c == 0xB7
        || (c >= 0x300 && c <= 0x36F) || (c >= 0x203F && c <= 0x2040);
}

static const char *expat_wf(apr_pool_t *scratch, const char *frag,
                             apr_size_t len);

/* @a parent: the caller's pool (a child of APR's global pool would
 * serialise every thread on its mutex). */
static int expat_accepts_name(apr_pool_t *parent, const char *name)
{
    apr_pool_t *p;
    const char *doc;
    int ok;

    if (apr_pool_create(&p, parent) != APR_SUCCESS)
        return 0;
    doc = apr_pstrcat(p, "<x:", name, " xmlns:x=\"urn:x\"/>", NULL);
    ok = strchr(name, ':') == NULL && expat_wf(p, doc, strlen(doc)) == NULL;
    apr_pool_destroy(p);
    return ok;
}

int ms_xml_is_ncname(const char *s)
{
    return ms_xml_is_ncname_in(NULL, s);
}

int ms_xml_is_ncname_in(apr_pool_t *pool, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    apr_size_t len, i = 0;

    if (!s || !*s)
        return 0;
    READY();
    /* ASCII names (nearly all) by table */
    if (u[0] < 0x80 && name_ascii[u[0]] == 1) {
        for (i = 1; u[i] && u[i] < 0x80 && name_ascii[u[i]]; i++)
            ;
        if (!u[i])
            return 1;
        if (u[i] < 0x80)
            return 0;
    }
    len = i + strlen(s + i);
    while (i < len) {
        apr_uint32_t cp;
        apr_size_t n = utf8_decode(u + i, len - i, &cp);
        if (!n || !(i == 0 ? name_start_cp(cp) : name_cp(cp)))
            return 0;
        i += n;
    }
    /* Non-ASCII: XML 1.0 5th edition allows more name characters than
     * older parsers (expat, hence neon, litmus, cadaver) accept.  A name
     * must be read by every client, so it must pass expat too. */
    return expat_accepts_name(pool, s);
}

int ms_xml_is_lang(const char *s)
{
    const char *p;

    if (!s || !apr_isalpha(*s))
        return 0;
    for (p = s; *p; p++) {
        if (!apr_isalnum(*p) && *p != '-')
            return 0;
    }
    return p - s <= 64;
}

const char *ms_xml_check_fragment(apr_pool_t *scratch, const char *frag,
                                  apr_size_t len)
{
    const char *bad = expat_wf(scratch, frag, len);

    return bad ? bad : ms_xml_check_ns(scratch, frag, len, 1);
}

/* Well-formedness, by expat (through apr_xml), of element content. */
static const char *expat_wf(apr_pool_t *scratch, const char *frag,
                            apr_size_t len)
{
    static const char head[] = "<w xmlns:D=\"DAV:\">";
    static const char tail[] = "</w>";
    apr_xml_parser *parser;
    apr_xml_doc *doc = NULL;
    apr_status_t rv;
    char errbuf[160];

    /* A NUL inside the given length would be cut by every consumer. */
    if (memchr(frag, '\0', len))
        return "a NUL byte";
    /* Wrapping the fragment in one element lets expat check exactly what
     * the body will hold: balance, names, entities, characters, and
     * prefixes (only D: is bound from outside). */
    parser = apr_xml_parser_create(scratch);
    rv = apr_xml_parser_feed(parser, head, sizeof(head) - 1);
    if (rv == APR_SUCCESS)
        rv = apr_xml_parser_feed(parser, frag, len);
    if (rv == APR_SUCCESS)
        rv = apr_xml_parser_feed(parser, tail, sizeof(tail) - 1);
    if (rv == APR_SUCCESS)
        rv = apr_xml_parser_done(parser, &doc);
    if (rv == APR_SUCCESS)
        return NULL;
    apr_xml_parser_geterror(parser, errbuf, sizeof(errbuf));
    return apr_pstrdup(scratch, errbuf);
}

const char *ms_status_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 207: return "Multi-Status";
    case 208: return "Already Reported";
    case 226: return "IM Used";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 305: return "Use Proxy";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Request Entity Too Large";
    case 414: return "Request-URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Requested Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Entity";
    case 423: return "Locked";
    case 424: return "Failed Dependency";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    case 506: return "Variant Also Negotiates";
    case 507: return "Insufficient Storage";
    case 508: return "Loop Detected";
    case 510: return "Not Extended";
    case 511: return "Network Authentication Required";
    default: break;
    }
    if (status >= 200 && status < 300)
        return "Success";
    if (status >= 300 && status < 400)
        return "Redirection";
    if (status >= 400 && status < 500)
        return "Client Error";
    if (status >= 500 && status < 600)
        return "Server Error";
    return NULL;
}


/* ---------------------------------------------------------------- */
/* Namespaces in XML 1.0                                             */

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

/* Is [s, s+len) an NCName?  ASCII by table, the rest through
 * ms_xml_is_ncname_in() (which also asks expat). */
static int ncname_n(apr_pool_t *p, const char *s, apr_size_t len)
{
    apr_size_t i;

    if (!len)
        return 0;
    READY();
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80)
            return ms_xml_is_ncname_in(p, apr_pstrmemdup(p, s, len));
        if (!name_ascii[c] || (i == 0 && name_ascii[c] != 1))
            return 0;
    }
    return 1;
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
        return ncname_n(p, s, len);
    *colon = (apr_size_t)(c - s);
    return ncname_n(p, s, *colon)
        && ncname_n(p, c + 1, len - *colon - 1);
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
            if (!ncname_n(sp, pfx, plen))
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
