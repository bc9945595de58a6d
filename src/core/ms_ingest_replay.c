/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_ingest_replay.c: a DAV:response read by the grammar, registered on the
 * document: its form checked (href, status xor propstats), what is
 * unambiguous repaired (status lines taken by their code, hrefs in the
 * module's one form, absolute http(s) URIs as paths, a collection's href
 * ending in '/'), then the same calls the C API makes (ms_doc_open,
 * status, properties with their values as checked XML, descriptions,
 * errors, location, ms_doc_close).  Sits on ms_doc.h and, for a value's
 * storage, ms_doc_int.h.
 */
#include <string.h>
#include <strings.h>

#include "apr_lib.h"
#include "apr_strings.h"

#include "ms_xml.h"
#include "ms_href.h"
#include "ms_doc_int.h"
#include "ms_ingest_int.h"

void ms_ing_response_reset(ms_ingest *ing)
{
    ing->rb_len = 0;
    ing->nhrefs = ing->nprops = ing->npss = 0;
    ing->r_status = 0;
    ing->r_has_desc = ing->r_has_loc = 0;
    ing->r_err = NULL;
}

/* A status line: its code ("HTTP/1.1 424 (status)" is 424), or -1. */
int ms_ing_parse_status(const char *s, apr_size_t len)
{
    const char *e = s + len;
    int code;

    while (s < e && is_ws((unsigned char)*s))
        s++;
    if (e - s < 5 || memcmp(s, "HTTP/", 5) != 0)
        return -1;
    s += 5;
    if (s >= e || !(*s >= '0' && *s <= '9'))
        return -1;
    while (s < e && ((*s >= '0' && *s <= '9') || *s == '.'))
        s++;
    if (s >= e || (*s != ' ' && *s != '\t'))
        return -1;
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    if (e - s < 3 || !apr_isdigit(s[0]) || !apr_isdigit(s[1])
        || !apr_isdigit(s[2]) || (e - s > 3 && !is_ws((unsigned char)s[3])))
        return -1;
    code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
    return code;
}

/* The path part of an href: a path as is, an http(s) URI without its
 * scheme and authority.  NULL when it is neither. */
static const char *href_path(const char *s, apr_size_t *len)
{
    const char *e = s + *len, *c = s;

    while (c < e && (apr_isalnum(*c) || *c == '+' || *c == '-' || *c == '.'))
        c++;
    if (c < e && *c == ':' && c > s && apr_isalpha(*s)) {
        apr_size_t n = (apr_size_t)(c - s);
        if (!((n == 4 && strncasecmp(s, "http", 4) == 0)
              || (n == 5 && strncasecmp(s, "https", 5) == 0))
            || e - c < 3 || c[1] != '/' || c[2] != '/')
            return NULL;
        s = c + 1;
    }
    if (e - s >= 2 && s[0] == '/' && s[1] == '/') {
        s += 2;
        while (s < e && *s != '/' && *s != '?' && *s != '#')
            s++;
        if (s == e || *s != '/') {
            /* no path: the root ("http://h" or "http://h?q") */
            *len = (apr_size_t)(e - s);
            return s == e ? "/" : s;   /* "?q" is fixed by the caller */
        }
    }
    *len = (apr_size_t)(e - s);
    return s;
}

static APR_INLINE int hexv(int c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* Bytes of a query kept as they are (RFC 3986 query chars but '%'). */
static int query_ok(unsigned char c)
{
    return apr_isalnum(c) || (c && strchr("-._~!$&'()*+,;=:@/?", c));
}

/* The producer's href (text, decoded from XML) in the module's one form:
 * %XX only where a path must have it, in upper case; an encoded '/' stays
 * encoded; a collection ends in '/'.  NUL-terminated in ing->tmp.  NULL if
 * unusable (*why). */
static const char *href_norm(ms_ingest *ing, const char *h, apr_size_t len,
                             int collection, const char **why)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *e, *q, *p;
    apr_size_t plen, qlen, n;
    char *out, *o, *dec;

    while (len && is_ws((unsigned char)*h))
        h++, len--;
    while (len && is_ws((unsigned char)h[len - 1]))
        len--;
    if (!len) {
        *why = "an empty href";
        return NULL;
    }
    p = href_path(h, &len);
    if (!p) {
        *why = "an href that is neither a path nor an http(s) URI";
        return NULL;
    }
    if (*p == '?') {            /* "http://host?q": the root's query */
        q = p;
        qlen = len;
        plen = 0;
        p = "/";
        plen = 1;
    }
    else {
        e = p + len;
        q = memchr(p, '?', len);
        plen = q ? (apr_size_t)(q - p) : len;
        qlen = q ? (apr_size_t)(e - q) : 0;
    }
    /* worst case: every byte of the path becomes %XX, plus '/', the
     * query's bytes %XX, NUL; the decoded path needs plen more */
    out = tmp_get(ing, 3 * plen + 1 + 3 * qlen + 1 + plen + 1);
    dec = out + 3 * plen + 1 + 3 * qlen + 1;
    o = out;
    e = p + plen;
    while (p < e) {
        /* a piece up to an encoded '/' is decoded, then encoded again */
        char *d = dec;
        while (p < e) {
            if (*p == '%' && e - p >= 3 && apr_isxdigit(p[1])
                && apr_isxdigit(p[2])) {
                int c = hexv(p[1]) * 16 + hexv(p[2]);
                if (c == '/')
                    break;
                *d++ = (char)c;
                p += 3;
            }
            else {
                *d++ = *p++;
            }
        }
        o = ms_href_path_to(o, dec, (apr_size_t)(d - dec));
        if (p < e) {
            memcpy(o, "%2F", 3);
            o += 3;
            p += 3;
        }
    }
    if (collection && (o == out || o[-1] != '/'))
        *o++ = '/';
    for (n = 0; n < qlen; n++) {
        unsigned char c = (unsigned char)q[n];
        if (c == '%' && n + 2 < qlen && apr_isxdigit(q[n + 1])
            && apr_isxdigit(q[n + 2])) {
            *o++ = '%';
            *o++ = (char)apr_toupper(q[n + 1]);
            *o++ = (char)apr_toupper(q[n + 2]);
            n += 2;
        }
        else if (query_ok(c)) {
            *o++ = (char)c;
        }
        else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}

/* A model call failed: stop, saying what it was about. */
apr_status_t ms_ing_model_failed(ms_ingest *ing, apr_status_t rv,
                                 const char *what)
{
    if (rv == MS_EABORTED || rv == MS_EFINISHED) {
        if (!ing->status)
            ing->status = rv;
        return rv;
    }
    return ms_ing_fail(ing, ing->r_start, "the DAV:response starting here was "
                       "refused by the renderer (%s)", what);
}

/* A property with its value as checked XML: the model's checks run (name,
 * status, form), the fragment check is skipped because every byte of the
 * value was checked here. */
static apr_status_t prop_put(ms_response *resp, const qname *q, int status,
                             const char *val, apr_size_t len)
{
    apr_status_t rv = ms_doc_prop_add(resp, q->ns->uri, q->name, status,
                                      MS_VALUE_NONE, NULL);
    ms_prop *p;

    if (rv != APR_SUCCESS || !len)
        return rv;
    p = ms_model_propstat_get(resp, status)->last;
    p->kind = MS_VALUE_XML;
    p->value = ms_model_strdup(resp, val, len);
    p->value_len = len;
    return APR_SUCCESS;
}

/* Register one href of the response just read.  */
static apr_status_t replay_one(ms_ingest *ing, const span *hs, int collection)
{
    ms_response *resp;
    const char *href, *why = NULL;
    apr_status_t rv;
    apr_size_t i, j;
    const char *rb = ing->rb;

    href = href_norm(ing, rb + hs->off, hs->len, collection, &why);
    if (!href)
        return ms_ing_fail(ing, ing->r_start, "%s ('%.*s') in the "
                           "DAV:response starting here", why,
                           (int)(hs->len > 200 ? 200 : hs->len), rb + hs->off);
    rv = ms_doc_open(ing->doc, href, 1, &resp);
    if (rv == MS_ELIMIT) {
        ing->skip = 1;
        return APR_SUCCESS;
    }
    if (rv != APR_SUCCESS)
        return ms_ing_model_failed(ing, rv, apr_psprintf(ing->pool,
                                                         "href '%.200s'",
                                                         href));
    if (ing->r_status) {
        rv = ms_doc_set_status(resp, ing->r_status);
        if (rv == APR_SUCCESS && ing->r_has_loc) {
            if (ing->r_status >= 300 && ing->r_status <= 399) {
                apr_size_t ll = ing->r_loc.len;
                const char *lp = href_path(rb + ing->r_loc.off, &ll);
                const char *qm = lp ? memchr(lp, '?', ll) : NULL;
                char *dec;
                if (qm) {
                    ms_ing_note(ing, "the query of a DAV:location was "
                                "dropped");
                    ll = (apr_size_t)(qm - lp);
                }
                dec = lp && ll ? apr_palloc(ing->pool, ll + 1) : NULL;
                if (dec && ms_href_decode(dec, lp, ll) == 0 && *dec)
                    rv = ms_doc_set_location(resp, dec);
                else
                    ms_ing_note(ing, "a DAV:location that is not a path was "
                                "dropped");
            }
            else {
                ms_ing_note(ing, "a DAV:location without a 3xx status was "
                            "dropped");
            }
        }
    }
    for (i = 0; rv == APR_SUCCESS && i < ing->npss; i++) {
        const in_ps *ps = &ing->pss[i];
        for (j = 0; rv == APR_SUCCESS && j < ing->nprops; j++) {
            const in_prop *pr = &ing->props[j];
            if (pr->ps != i)
                continue;
            rv = prop_put(resp, pr->q, ps->status, rb + pr->val.off,
                          pr->val.len);
            if (rv == APR_SUCCESS && pr->has_lang && pr->lang.len) {
                char lang[72];
                apr_size_t ln = pr->lang.len < 71 ? pr->lang.len : 71;
                memcpy(lang, rb + pr->lang.off, ln);
                lang[ln] = '\0';
                if (ms_xml_is_lang(lang) && ln == pr->lang.len)
                    rv = ms_doc_prop_set_lang(resp, pr->q->ns->uri,
                                              pr->q->name, lang);
                else
                    ms_ing_note(ing, "xml:lang '%.40s' is not a language tag: "
                                "dropped", lang);
            }
        }
        if (rv == APR_SUCCESS && !ps->nprops)
            ms_model_propstat_get(resp, ps->status)->keep = 1;
        if (rv == APR_SUCCESS && ps->has_desc)
            rv = ms_doc_propstat_set_description(resp, ps->status,
                                                 rb + ps->desc.off);
        if (rv == APR_SUCCESS && ps->err)
            rv = ms_doc_propstat_set_error(resp, ps->status, ps->err->ns->uri,
                                           ps->err->name);
    }
    if (rv == APR_SUCCESS && ing->r_err)
        rv = ms_doc_set_error(resp, ing->r_err->ns->uri, ing->r_err->name);
    if (rv == APR_SUCCESS && ing->r_has_desc)
        rv = ms_doc_set_description(resp, rb + ing->r_desc.off);
    if (rv != APR_SUCCESS) {
        if (rv != MS_EABORTED && rv != MS_EFINISHED)
            ms_doc_drop(resp);
        return ms_ing_model_failed(ing, rv, apr_psprintf(ing->pool, "href "
                                                         "'%.200s'", href));
    }
    rv = ms_doc_close(resp);
    if (rv != APR_SUCCESS)
        return ms_ing_model_failed(ing, rv, "close");
    ing->count++;
    return APR_SUCCESS;
}

/* The end of a DAV:response: check its form, register it. */
apr_status_t ms_ing_replay(ms_ingest *ing)
{
    apr_size_t i;
    int collection = 0;

    if (!ing->nhrefs)
        return ms_ing_fail(ing, ing->r_start, "a DAV:response without "
                           "DAV:href");
    if (ing->r_status && ing->npss)
        return ms_ing_fail(ing, ing->r_start, "a DAV:response with both "
                           "DAV:status and DAV:propstat");
    if (!ing->r_status && !ing->npss)
        return ms_ing_fail(ing, ing->r_start, "a DAV:response with neither "
                           "DAV:status nor DAV:propstat");
    if (ing->npss && ing->nhrefs > 1)
        return ms_ing_fail(ing, ing->r_start, "a DAV:response with "
                           "DAV:propstat and more than one DAV:href");
    if (ing->skip)
        return APR_SUCCESS;
    for (i = 0; i < ing->nprops; i++) {
        const in_prop *pr = &ing->props[i];
        int st = ing->pss[pr->ps].status;
        if (pr->collection && st >= 200 && st <= 299)
            collection = 1;
    }
    for (i = 0; i < ing->nhrefs && !ing->skip; i++) {
        apr_status_t rv = replay_one(ing, &ing->hrefs[i], collection);
        if (rv)
            return rv;
    }
    return APR_SUCCESS;
}
