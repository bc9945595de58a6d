/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_href.c: everything about hrefs (APR only, no httpd).  The primitives
 * (ms_href.h): percent-encoding of decoded paths, checks of encoded ones,
 * normalisation of dot segments and '//', decoding, escaping for XML.  The
 * document-aware part (ms_doc_int.h): the request-URI's own href, and the
 * href of a path a handler registers, relative or absolute, decoded or
 * encoded, in the document's one form (path or absolute URI).
 *
 * It calls nothing else of ours (with ms_xml.c, the bottom of the core).
 */
#include <string.h>
#include <strings.h>

#include "apr_lib.h"
#include "apr_strings.h"

#include "ms_href.h"
#include "ms_doc_int.h"

/* Bytes an href path may carry raw: unreserved, sub-delims, ':' '@' '/'. */
static unsigned char path_raw[256];
/* Bytes an encoded href may carry: the above plus '?' and '%'. */
static unsigned char href_ok[256];
/* Bytes that continue a run in encode_clean(): path_raw without '/' (a
 * segment starts after it) and '&' (counted: XML writes it as &amp;). */
static unsigned char seg_run[256];
static int href_ready;

void ms_href_init(void)
{
    int c;
    const char *p;

    if (href_ready)
        return;
    for (c = 'A'; c <= 'Z'; c++)
        path_raw[c] = 1;
    for (c = 'a'; c <= 'z'; c++)
        path_raw[c] = 1;
    for (c = '0'; c <= '9'; c++)
        path_raw[c] = 1;
    for (p = "-._~!$&'()*+,;=:@/"; *p; p++)
        path_raw[(unsigned char)*p] = 1;
    memcpy(href_ok, path_raw, sizeof(href_ok));
    memcpy(seg_run, path_raw, sizeof(seg_run));
    seg_run['/'] = 0;
    seg_run['&'] = 0;
    href_ok['?'] = 1;
    href_ok['%'] = 1;
    href_ready = 1;
}

/* Built at post_config, before any thread exists; on first use in tests. */
#define HREF_READY() do { if (!href_ready) ms_href_init(); } while (0)

/* ---------------------------------------------------------------- */
/* Primitives                                                        */

apr_size_t ms_href_path_len(const char *path, apr_size_t len)
{
    const unsigned char *u = (const unsigned char *)path;
    apr_size_t i, out = len;

    HREF_READY();
    for (i = 0; i < len; i++) {
        if (!path_raw[u[i]])
            out += 2;
    }
    return out;
}

char *ms_href_path_to(char *dst, const char *path, apr_size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *u = (const unsigned char *)path;
    apr_size_t i = 0, j;

    HREF_READY();
    while (i < len) {
        /* the run of bytes that stay as they are, four at a time, copied
         * in one go (nearly every path is one run) */
        for (j = i; j + 4 <= len && (path_raw[u[j]] & path_raw[u[j + 1]]
                                     & path_raw[u[j + 2]]
                                     & path_raw[u[j + 3]]); j += 4)
            ;
        while (j < len && path_raw[u[j]])
            j++;
        dst = ms_copy(dst, path + i, j - i);
        if (j == len)
            break;
        *dst++ = '%';
        *dst++ = hex[u[j] >> 4];
        *dst++ = hex[u[j] & 15];
        i = j + 1;
    }
    return dst;
}

const char *ms_href_check_encoded(const char *href, apr_size_t len)
{
    const unsigned char *u = (const unsigned char *)href;
    apr_size_t i;

    HREF_READY();
    for (i = 0; i < len; i++) {
        if (!href_ok[u[i]])
            return (u[i] == '#') ? "a fragment ('#') in an href"
                                 : "a character a URI cannot hold";
        if (u[i] == '%' && (i + 2 >= len || !apr_isxdigit(u[i + 1])
                            || !apr_isxdigit(u[i + 2])))
            return "a '%' not followed by two hex digits";
    }
    return NULL;
}

apr_size_t ms_path_normalize(char *path, apr_size_t len)
{
    apr_size_t i = 0, out = 0;

    if (len == 0 || path[0] != '/')
        return len;
    path[out++] = '/';
    while (i < len) {
        apr_size_t j, seg;

        if (path[i] == '/') {
            i++;
            continue;
        }
        for (j = i; j < len && path[j] != '/'; j++)
            ;
        seg = j - i;
        if (seg == 1 && path[i] == '.') {
            /* "." is dropped; the '/' before it stays */
        }
        else if (seg == 2 && path[i] == '.' && path[i + 1] == '.') {
            /* ".." removes the last segment written, never the root */
            if (out > 1) {
                out--;
                while (out > 1 && path[out - 1] != '/')
                    out--;
            }
        }
        else {
            memmove(path + out, path + i, seg);
            out += seg;
            if (j < len)
                path[out++] = '/';
        }
        i = j;
    }
    return out;
}

static int hexval(int c)
{
    return (c >= '0' && c <= '9') ? c - '0' : (apr_tolower(c) - 'a' + 10);
}

int ms_href_decode(char *dst, const char *href, apr_size_t len)
{
    apr_size_t i;

    for (i = 0; i < len; i++) {
        if (href[i] == '%' && i + 2 < len
            && apr_isxdigit(href[i + 1]) && apr_isxdigit(href[i + 2])) {
            int c = hexval(href[i + 1]) * 16 + hexval(href[i + 2]);
            if (c == 0 || c == '/')
                return -1;
            *dst++ = (char)c;
            i += 2;
        }
        else {
            *dst++ = href[i];
        }
    }
    *dst = '\0';
    return 0;
}

apr_size_t ms_href_xml_len(const char *s, apr_size_t len)
{
    apr_size_t out = len;
    const char *amp, *end = s + len;

    while ((amp = memchr(s, '&', (apr_size_t)(end - s))) != NULL) {
        out += 4;
        s = amp + 1;
    }
    return out;
}

char *ms_href_xml_to(char *dst, const char *s, apr_size_t len)
{
    const char *amp;

    while (len && (amp = memchr(s, '&', len)) != NULL) {
        apr_size_t run = (apr_size_t)(amp - s);
        memcpy(dst, s, run);
        memcpy(dst + run, "&amp;", 5);
        dst += run + 5;
        s += run + 1;
        len -= run + 1;
    }
    memcpy(dst, s, len);
    return dst + len;
}


/* ---------------------------------------------------------------- */
/* The hrefs of a document                                           */

static char *scratch_get(ms_doc *doc, apr_size_t n)
{
    if (n > doc->scratch_cap) {
        apr_size_t cap = doc->scratch_cap ? doc->scratch_cap : 1024;
        while (cap < n)
            cap *= 2;
        free(doc->scratch);
        doc->scratch = malloc(cap);
        if (!doc->scratch)
            abort();
        doc->scratch_cap = cap;
    }
    return doc->scratch;
}

void ms_href_release(ms_doc *doc)
{
    free(doc->scratch);
    doc->scratch = NULL;
    doc->scratch_cap = 0;
}

void ms_href_base(ms_doc *doc)
{
    apr_size_t n = doc->base_len;
    char *p, *e;

    p = apr_palloc(doc->pool, n + 1);
    memcpy(p, doc->opts.base_path, n);
    n = ms_path_normalize(p, n);
    p[n] = '\0';
    doc->base_norm = p;
    doc->base_norm_len = n;
    doc->base_enc_len = ms_href_path_len(p, n);
    e = apr_palloc(doc->pool, doc->origin_len + doc->base_enc_len + 1);
    memcpy(e, doc->opts.origin, doc->origin_len);
    *ms_href_path_to(e + doc->origin_len, p, n) = '\0';
    doc->base_enc = e + doc->origin_len;
    doc->base_href = doc->opts.absolute_uri ? e : doc->base_enc;
    doc->base_href_len = strlen(doc->base_href);
    /* what their '&' add in XML, counted once (build_clean) */
    doc->origin_amps = (ms_href_xml_len(doc->opts.origin, doc->origin_len)
                        - doc->origin_len) / 4;
    doc->base_amps = (ms_href_xml_len(doc->base_enc, doc->base_enc_len)
                      - doc->base_enc_len) / 4;
}


/* Percent-encode @a path into @a dst in one pass that also proves it
 * needs no normalization: NULL when a segment is empty ("//"), "." or
 * "..", else the end; *amps counts the '&' (4 more bytes each in XML). */
static char *encode_clean(char *dst, const char *path, apr_size_t len,
                          apr_size_t *amps)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *u = (const unsigned char *)path;
    apr_size_t i = 0, j, n = 0;

    if (len && u[0] == '/') {
        *dst++ = '/';           /* the root of an absolute path */
        i = 1;
    }
    for (;;) {
        /* i is at the start of a segment */
        if (i < len && (u[i] == '/'
                        || (u[i] == '.'
                            && (i + 1 == len || u[i + 1] == '/'
                                || (u[i + 1] == '.'
                                    && (i + 2 == len || u[i + 2] == '/'))))))
            return NULL;
        for (;;) {
            unsigned char c;
            for (j = i; j + 4 <= len && (seg_run[u[j]] & seg_run[u[j + 1]]
                                         & seg_run[u[j + 2]]
                                         & seg_run[u[j + 3]]); j += 4)
                ;
            while (j < len && seg_run[u[j]])
                j++;
            dst = ms_copy(dst, path + i, j - i);
            if (j == len) {
                *amps = n;
                return dst;
            }
            c = u[j];
            i = j + 1;
            if (c == '/') {
                *dst++ = '/';
                break;
            }
            if (c == '&') {
                *dst++ = '&';
                n++;
                continue;
            }
            *dst++ = '%';
            *dst++ = hex[c >> 4];
            *dst++ = hex[c & 15];
        }
    }
}

/* The fast path of ms_href_build(): an unescaped path without anything to
 * normalize, appended to the (normalized) base when relative.  0 when the
 * path needs normalizing after all. */
static int build_clean(ms_doc *doc, const char *path, apr_size_t len)
{
    int rel = path[0] != '/';
    int slash = rel && doc->base_norm[doc->base_norm_len - 1] != '/';
    char *h = scratch_get(doc, doc->origin_len + doc->base_enc_len + 1
                               + 3 * len + 1);
    char *e = h;
    apr_size_t amps = 0, extra = 0;

    if (doc->opts.absolute_uri) {
        e = ms_copy(e, doc->opts.origin, doc->origin_len);
        extra = doc->origin_amps;
    }
    if (rel) {
        e = ms_copy(e, doc->base_enc, doc->base_enc_len);
        extra += doc->base_amps;
        if (slash)
            *e++ = '/';
    }
    e = encode_clean(e, path, len, &amps);
    if (!e)
        return 0;
    *e = '\0';
    doc->href_out = h;
    doc->href_out_len = (apr_size_t)(e - h);
    doc->href_xml_len = doc->href_out_len + 4 * (amps + extra);
    /* a clean relative path adds a segment to the request-URI */
    doc->href_member = rel;
    return 1;
}

const char *ms_href_build(ms_doc *doc, const char *path, int encoded)
{
    apr_size_t len = strlen(path), n, blen, qlen = 0;
    const char *query = NULL, *base;
    char *s, *h, *e;
    int rel;

    if (encoded) {
        const char *bad, *c;
        /* an absolute URI is only taken for this very server */
        if (doc->origin_len && strncasecmp(path, doc->opts.origin,
                                           doc->origin_len) == 0
            && path[doc->origin_len] == '/') {
            path += doc->origin_len;
            len -= doc->origin_len;
        }
        else {
            for (c = path; apr_isalnum(*c) || *c == '+' || *c == '-'
                           || *c == '.'; c++)
                ;
            if (*c == ':' && apr_isalpha(*path))
                return "an absolute URI that is not of this server";
        }
        bad = ms_href_check_encoded(path, len);
        if (bad)
            return bad;
        query = memchr(path, '?', len);
        if (query) {
            qlen = len - (apr_size_t)(query - path);
            len -= qlen;
        }
        base = doc->base_enc;
        blen = doc->base_enc_len;
    }
    else {
        if (build_clean(doc, path, len))
            return NULL;
        base = doc->base_norm;
        blen = doc->base_norm_len;
    }
    /* scratch layout: [joined path][NUL][href: origin, path, query][NUL] */
    rel = path[0] != '/';
    n = (rel ? blen + 1 : 0) + len;
    s = scratch_get(doc, n + 1 + doc->origin_len + (encoded ? n : 3 * n)
                         + qlen + 1);
    e = s;
    if (rel) {
        memcpy(e, base, blen);
        e += blen;
        *e++ = '/';
    }
    memcpy(e, path, len);
    n = ms_path_normalize(s, n);
    s[n] = '\0';
    h = e = s + n + 1;
    if (doc->opts.absolute_uri) {
        memcpy(e, doc->opts.origin, doc->origin_len);
        e += doc->origin_len;
    }
    if (encoded) {
        memcpy(e, s, n);
        e += n;
        if (qlen) {
            memcpy(e, query, qlen);
            e += qlen;
        }
    }
    else {
        e = ms_href_path_to(e, s, n);
    }
    *e = '\0';
    doc->href_out = h;
    doc->href_out_len = (apr_size_t)(e - h);
    doc->href_xml_len = ms_href_xml_len(h, doc->href_out_len);
    doc->href_member = 0;       /* normalized: it may be the base itself */
    return NULL;
}

const char *ms_href_origin_check(const char *origin)
{
    const char *p = origin, *h;

    if (!origin)
        return "no origin";
    if (!strncasecmp(p, "http://", 7))
        p += 7;
    else if (!strncasecmp(p, "https://", 8))
        p += 8;
    else
        return "a scheme other than http or https";
    h = p;
    if (*p == '[') {
        for (p++; apr_isxdigit(*p) || *p == ':' || *p == '.'; p++)
            ;
        if (*p++ != ']')
            return "a malformed IP literal";
    }
    else {
        for (; *p && *p != ':'; p++) {
            unsigned char c = (unsigned char)*p;
            if (apr_isalnum(c) || strchr("-._~!$()*+,;=", c))
                continue;
            if (c == '%' && apr_isxdigit(p[1]) && apr_isxdigit(p[2])) {
                p += 2;
                continue;
            }
            return "a host name with a character a URI cannot hold";
        }
    }
    if (p == h)
        return "an empty host name";
    if (*p == ':') {
        for (p++; apr_isdigit(*p); p++)
            ;
    }
    return *p ? "a malformed port" : NULL;
}
