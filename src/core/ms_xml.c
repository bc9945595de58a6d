/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_xml.c: character-level rules of a 207 body (APR only, no httpd):
 * UTF-8 and XML Char validation, escaping of text and attribute values,
 * XML names and language tags, expat's verdict on a piece of XML, and the
 * reason phrases of status codes.  The lowest layer of the core: it calls
 * nothing of ours (namespaces and fragments are ms_xmlns.c's).  See ms_xml.h for the contracts and MULTISTATUS-RULES
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
apr_size_t ms_xml_utf8_decode(const unsigned char *s, apr_size_t n,
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
            apr_size_t n = ms_xml_utf8_decode(u + i, len - i, &cp);
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
    ok = strchr(name, ':') == NULL && ms_xml_expat_wf(p, doc, strlen(doc)) == NULL;
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
        apr_size_t n = ms_xml_utf8_decode(u + i, len - i, &cp);
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


/* Well-formedness, by expat (through apr_xml), of element content. */
const char *ms_xml_expat_wf(apr_pool_t *scratch, const char *frag,
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

/* Is [s, s+len) an NCName?  ASCII by table, the rest through
 * ms_xml_is_ncname_in() (which also asks expat). */
int ms_xml_ncname_n(apr_pool_t *p, const char *s, apr_size_t len)
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
