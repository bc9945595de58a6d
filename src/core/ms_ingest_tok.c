/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_ingest_tok.c: the strict tokenizer of the ingest parser, for UTF-8
 * (and US-ASCII) bodies, nearly all of them.  It checks every rule of XML
 * 1.0 and Namespaces 1.0 that a document without DTD can break
 * (characters, UTF-8, names as expat reads them, references, comments,
 * CDATA, PIs, the XML declaration, attributes, prefixes, reserved
 * namespaces), so that nothing it accepts can make the output malformed;
 * the unit tests and the fuzz target hold it against expat.  Tokens are
 * reported to the grammar; a token cut by a chunk's end waits in the
 * driver's carry (a start tag resumes where it stopped), long text is
 * passed on in pieces cut between characters.
 */
#include <string.h>
#include <strings.h>

#include "apr_lib.h"

#include "ms_ingest_int.h"

static apr_off_t at(const ms_ingest *ing, const char *p)
{
    return ing->base + (apr_off_t)(p - ing->win);
}

/* A qualified name at s, checked as it is scanned: its end; *colon the
 * colon's index (0: none); *slow 1 when qname_check must look (a name
 * beyond ASCII, or one that is wrong: qname_check says why). */
static APR_INLINE const char *scan_qname(const char *s, const char *e,
                                         apr_size_t *colon, int *slow)
{
    const char *p = s;
    unsigned acc = 0, k;

    *colon = 0;
    while (p < e && ((k = ms_ing_cls[(unsigned char)*p]) & C_NAMEANY)) {
        if (k & C_COLON) {
            if (*colon || p == s)
                acc |= C_HI;
            *colon = (apr_size_t)(p - s);
        }
        acc |= k;
        p++;
    }
    if (p > s && !(ms_ing_cls[(unsigned char)*s] & C_NSTART))
        acc |= C_HI;
    if (*colon && (s + *colon + 1 >= p
                   || !(ms_ing_cls[(unsigned char)s[*colon + 1]] & C_NSTART)))
        acc |= C_HI;
    *slow = (acc & C_HI) != 0;
    return p;
}

/* A name at s: its end (stops at the first byte that cannot be in one). */
static APR_INLINE const char *name_end(const char *s, const char *e)
{
    while (s < e && (ms_ing_cls[(unsigned char)*s] & C_NAMEANY))
        s++;
    return s;
}

/* Is the token at p the first of the window and already known not to end
 * before ing->hint bytes?  Where to start looking for its end. */
static APR_INLINE const char *scan_from(const ms_ingest *ing, const char *p,
                                        apr_size_t min)
{
    if (p == ing->win && ing->hint > min)
        return p + ing->hint;
    return p + min;
}

/* Tell the caller to wait for more: the token at p is incomplete and its
 * end was looked for up to e - back. */
static apr_size_t need_more(ms_ingest *ing, const char *p, const char *e,
                            apr_size_t back)
{
    apr_size_t have = (apr_size_t)(e - p);

    if (e < ing->mend) {
        /* the token was cut at max bytes and goes on: too long, however
         * the body was split */
        ms_ing_fail(ing, at(ing, p), "a markup token larger than %"
                    APR_SIZE_T_FMT " bytes", ing->max);
        return 0;
    }

    ing->hint = have > back ? have - back : 0;
    return 0;
}

/* Process a complete start tag [p, gt] whose attributes are in
 * ing->attrs. */
static apr_status_t stag_done(ms_ingest *ing, const char *p, const char *nend,
                              const char *gt, int empty)
{
    apr_off_t off = at(ing, p);
    apr_size_t qlen = (apr_size_t)(nend - p - 1), colon, i, j;
    apr_size_t nbinds0 = ing->nbinds, names0 = ing->names_len;
    const char *why;
    ev_start ev;
    elem *e;
    long bi;

    colon = ing->st_colon;
    if (ing->st_slow) {
        why = ms_ing_qname_check(ing, p + 1, qlen, &colon);
        if (why)
            return ms_ing_fail(ing, off, "not well-formed (%s)", why);
    }
    /* namespace declarations first: they apply to the tag itself */
    for (i = 0; i < ing->nattrs; i++) {
        attr *a = &ing->attrs[i];
        const char *an = p + a->name, *av = p + a->val;
        const char *pre;
        apr_size_t plen, vlen;
        char *v;
        const ns_ent *ns = NULL;

        if (a->slow) {
            why = ms_ing_qname_check(ing, an, a->name_len, &a->colon);
            if (why)
                return ms_ing_fail(ing, at(ing, an), "not well-formed (%s)",
                                   why);
        }
        if (a->colon == 5 && memcmp(an, "xmlns", 5) == 0) {
            pre = an + 6;
            plen = a->name_len - 6;
        }
        else if (!a->colon && a->name_len == 5 && memcmp(an, "xmlns", 5) == 0) {
            pre = "";
            plen = 0;
        }
        else
            continue;
        a->xmlns = 1;
        for (vlen = 0; vlen < a->val_len; vlen++) {
            if (ms_ing_dec_cls[(unsigned char)av[vlen]] & 2)
                break;
        }
        if (vlen == a->val_len) {
            v = (char *)av;             /* nothing to decode: read only */
        }
        else {
            v = tmp_get(ing, a->val_len + 1);
            vlen = ms_ing_decode_to(v, av, a->val_len, 1);
        }
        if (plen == 3 && memcmp(pre, "xml", 3) == 0) {
            if (vlen != sizeof(XML_NS) - 1 || memcmp(v, XML_NS, vlen) != 0)
                return ms_ing_fail(ing, at(ing, an), "the prefix xml bound to "
                                   "another namespace");
            continue;           /* always bound: nothing to push */
        }
        if (plen == 5 && memcmp(pre, "xmlns", 5) == 0)
            return ms_ing_fail(ing, at(ing, an), "the prefix xmlns declared");
        if ((vlen == sizeof(XML_NS) - 1 && memcmp(v, XML_NS, vlen) == 0)
            || (vlen == sizeof(XMLNS_NS) - 1
                && memcmp(v, XMLNS_NS, vlen) == 0))
            return ms_ing_fail(ing, at(ing, an), "a reserved namespace "
                               "bound to another prefix");
        if (vlen) {
            ns = ms_ing_ns_intern(ing, v, vlen, at(ing, an));
            if (!ns)
                return ing->status;
        }
        else if (plen) {
            return ms_ing_fail(ing, at(ing, an), "a prefix bound to the empty "
                               "namespace name");
        }
        ms_ing_bind_push(ing, pre, plen, ns);
    }
    /* the element's namespace */
    ev.raw = p;
    ev.raw_len = (apr_size_t)(gt - p) + 1;
    ev.name_end = qlen + 1;
    ev.atts = NULL;
    ev.other_attrs = 0;
    ing->nused = 0;
    if (colon) {
        if (colon == 3 && memcmp(p + 1, "xml", 3) == 0)
            ev.ns = ing->xml;
        else if (colon == 5 && memcmp(p + 1, "xmlns", 5) == 0)
            return ms_ing_fail(ing, off, "an element with the prefix xmlns");
        else {
            bi = bind_find(ing, p + 1, colon);
            if (bi < 0)
                return ms_ing_fail(ing, off, "an undeclared namespace prefix "
                                   "'%.*s'", (int)colon, p + 1);
            ev.ns = ing->binds[bi].ns;
            GROW(ing, used, 0, used_cap, ing->nused + 1);
            ing->used[ing->nused++] = (apr_size_t)bi;
        }
        ev.local = p + 2 + colon;
        ev.llen = qlen - colon - 1;
    }
    else {
        bi = bind_find(ing, NULL, 0);
        ev.ns = bi >= 0 ? ing->binds[bi].ns : NULL;
        if (bi >= 0 && ev.ns) {
            GROW(ing, used, 0, used_cap, ing->nused + 1);
            ing->used[ing->nused++] = (apr_size_t)bi;
        }
        ev.local = p + 1;
        ev.llen = qlen;
    }
    /* the element, then its other attributes */
    e = ms_ing_elem_push(ing, p + 1, qlen, nbinds0, names0, off);
    if (!e)
        return ing->status;
    for (i = 0; i < ing->nattrs; i++) {
        attr *a = &ing->attrs[i];
        const char *an = p + a->name;

        a->ns = NULL;
        for (j = 0; j < i; j++) {
            if (ing->attrs[j].name_len == a->name_len
                && memcmp(p + ing->attrs[j].name, an, a->name_len) == 0)
                return ms_ing_fail(ing, at(ing, an), "not well-formed "
                                   "(duplicate attribute)");
        }
        if (a->xmlns)
            continue;
        if (a->colon) {
            if (a->colon == 3 && memcmp(an, "xml", 3) == 0) {
                a->ns = ing->xml;
                if (a->name_len == 8 && memcmp(an + 4, "lang", 4) == 0) {
                    char *v = tmp_get(ing, a->val_len + 1);
                    apr_size_t vlen = ms_ing_decode_to(v, p + a->val,
                                                       a->val_len, 1);
                    e->lang_off = names_put(ing, v, vlen);
                    e->lang_len = vlen;
                    e->has_lang = 1;
                    continue;
                }
            }
            else {
                bi = bind_find(ing, an, a->colon);
                if (bi < 0)
                    return ms_ing_fail(ing, at(ing, an), "an undeclared "
                                       "namespace prefix '%.*s'",
                                       (int)a->colon, an);
                if (a->colon == 5 && memcmp(an, "xmlns", 5) == 0)
                    return ms_ing_fail(ing, at(ing, an), "an attribute with "
                                       "the prefix xmlns");
                a->ns = ing->binds[bi].ns;
                GROW(ing, used, 0, used_cap, ing->nused + 1);
                ing->used[ing->nused++] = (apr_size_t)bi;
            }
            /* two prefixes for one namespace: the same attribute */
            for (j = 0; j < i; j++) {
                const attr *b = &ing->attrs[j];
                if (b->ns == a->ns && !b->xmlns
                    && b->name_len - b->colon == a->name_len - a->colon
                    && memcmp(p + b->name + b->colon, an + a->colon,
                              a->name_len - a->colon) == 0)
                    return ms_ing_fail(ing, at(ing, an), "not well-formed "
                                       "(duplicate attribute in one "
                                       "namespace)");
            }
        }
        ev.other_attrs = 1;
    }
    if (ms_ing_g_start(ing, &ev, off))
        return ing->status;
    if (empty) {
        if (ms_ing_g_end(ing, NULL, 0, 1, off))
            return ing->status;
        elem_pop(ing);
        if (!ing->depth)
            ing->state = ST_EPILOG;
    }
    return APR_SUCCESS;
}

/* A start tag at p.  Returns its length, 0 to wait for more (or on
 * failure, with ing->status set).  Resumable: when the tag waits in the
 * carry, what was read of it (the name, whole attributes, how far the
 * closing quote of the last one was looked for) is kept, so that a long
 * tag arriving in small pieces is read once. */
static apr_size_t tok_stag(ms_ingest *ing, const char *p, const char *e)
{
    const char *s, *n;

    if (ing->state == ST_EPILOG) {
        ms_ing_fail(ing, at(ing, p), "not well-formed (junk after the "
                    "document element)");
        return 0;
    }
    if (p == ing->win && ing->st_nend) {
        n = p + ing->st_nend;
        s = p + ing->st_pos;
        ing->nattrs = ing->st_nattrs;
    }
    else {
        n = scan_qname(p + 1, e, &ing->st_colon, &ing->st_slow);
        if (n == e)
            return need_more(ing, p, e, 0);
        if (n == p + 1) {
            ms_ing_fail(ing, at(ing, p), "not well-formed (invalid token)");
            return 0;
        }
        s = n;
        ing->nattrs = 0;
        ing->st_qscan = 0;
    }
    for (;;) {
        const char *ws = s, *an, *ae, *q, *from;
        apr_size_t colon;
        int slow;
        attr *a;

        /* a resumed tag stops here too: remember where this attribute
         * (or the end of the tag) starts */
        ing->st_nend = (apr_size_t)(n - p);
        ing->st_pos = (apr_size_t)(s - p);
        ing->st_nattrs = ing->nattrs;
        s = skip_ws(s, e);
        if (s >= e)
            return need_more(ing, p, e, 0);
        if (*s == '>') {
            ing->st_nend = 0;
            if (stag_done(ing, p, n, s, 0))
                return 0;
            return (apr_size_t)(s + 1 - p);
        }
        if (*s == '/') {
            if (s + 1 >= e)
                return need_more(ing, p, e, 0);
            if (s[1] != '>')
                break;
            ing->st_nend = 0;
            if (stag_done(ing, p, n, s + 1, 1))
                return 0;
            return (apr_size_t)(s + 2 - p);
        }
        if (s == ws)
            break;              /* attributes need white space before */
        an = s;
        ae = scan_qname(s, e, &colon, &slow);
        if (ae == e)
            return need_more(ing, p, e, 0);
        if (ae == an)
            break;
        s = skip_ws(ae, e);
        if (s >= e)
            return need_more(ing, p, e, 0);
        if (*s != '=')
            break;
        s = skip_ws(s + 1, e);
        if (s >= e)
            return need_more(ing, p, e, 0);
        if (*s != '"' && *s != '\'')
            break;
        from = s + 1;
        if (ing->st_qscan > (apr_size_t)(from - p))
            from = p + ing->st_qscan;
        q = memchr(from, *s, (apr_size_t)(e - from));
        if (!q) {
            ing->st_qscan = (apr_size_t)(e - p);
            return need_more(ing, p, e, 0);
        }
        ing->st_qscan = 0;
        {
            const char *why = NULL;
            const char *bad = ms_ing_check_chars(s + 1, q, 1, &why);
            if (bad) {
                ms_ing_fail(ing, at(ing, bad), "not well-formed (%s)", why);
                return 0;
            }
        }
        if (ing->nattrs >= MAX_ATTRS) {
            ms_ing_fail(ing, at(ing, p), "more than %d attributes on one "
                        "element", MAX_ATTRS);
            return 0;
        }
        GROW(ing, attrs, 0, attrs_cap, ing->nattrs + 1);
        a = &ing->attrs[ing->nattrs++];
        a->name = (apr_size_t)(an - p);
        a->name_len = (apr_size_t)(ae - an);
        a->val = (apr_size_t)(s + 1 - p);
        a->val_len = (apr_size_t)(q - s - 1);
        a->xmlns = 0;
        a->colon = colon;
        a->slow = slow;
        s = q + 1;
    }
    ing->st_nend = 0;
    ms_ing_fail(ing, at(ing, s), "not well-formed (a malformed start tag)");
    return 0;
}

static apr_size_t tok_etag(ms_ingest *ing, const char *p, const char *e)
{
    const char *s, *n, *gt;
    const elem *top;

    /* nearly always: the name of the open element, then '>' */
    if (ing->depth) {
        top = &ing->stack[ing->depth - 1];
        if ((apr_size_t)(e - p) > top->name_len + 2
            && p[2 + top->name_len] == '>'
            && memcmp(p + 2, ing->names + top->name_off, top->name_len) == 0) {
            gt = p + 2 + top->name_len;
            goto matched;
        }
    }
    s = scan_from(ing, p, 2);

    gt = memchr(s, '>', (apr_size_t)(e - s));
    if (!gt)
        return need_more(ing, p, e, 0);
    n = name_end(p + 2, gt);
    if (skip_ws(n, gt) != gt || n == p + 2) {
        ms_ing_fail(ing, at(ing, p), "not well-formed (a malformed end tag)");
        return 0;
    }
    if (!ing->depth) {
        ms_ing_fail(ing, at(ing, p), "not well-formed (an end tag outside the "
                    "document element)");
        return 0;
    }
    top = &ing->stack[ing->depth - 1];
    if (top->name_len != (apr_size_t)(n - p - 2)
        || memcmp(ing->names + top->name_off, p + 2, top->name_len) != 0) {
        ms_ing_fail(ing, at(ing, p), "not well-formed (mismatched tag: "
                    "</%.*s> closes <%.*s>)",
                    (int)(n - p - 2 > 80 ? 80 : n - p - 2), p + 2,
                    (int)(top->name_len > 80 ? 80 : top->name_len),
                    ing->names + top->name_off);
        return 0;
    }
matched:
    if (ms_ing_g_end(ing, p, (apr_size_t)(gt + 1 - p), 0, at(ing, p)))
        return 0;
    elem_pop(ing);
    if (!ing->depth)
        ing->state = ST_EPILOG;
    return (apr_size_t)(gt + 1 - p);
}

/* Check [s, e) as plain characters: '<' and '&' taken as they are. */
static const char *check_plain(const char *s, const char *e, const char **why)
{
    while (s < e) {
        const char *stop = s, *bad;
        while (stop < e && *stop != '<' && *stop != '&')
            stop++;
        bad = ms_ing_check_chars(s, stop, 1, why);
        if (bad)
            return bad;
        s = stop + 1;
    }
    return NULL;
}

/* <!-- comment --> */
static apr_size_t tok_comment(ms_ingest *ing, const char *p, const char *e)
{
    const char *s = scan_from(ing, p, 4), *d, *why = NULL, *bad;

    for (;;) {
        d = memchr(s, '-', (apr_size_t)(e - s));
        if (!d || e - d < 3)
            return need_more(ing, p, e, 2);
        if (d[1] == '-')
            break;
        s = d + 1;
    }
    if (d[2] != '>') {
        ms_ing_fail(ing, at(ing, d), "not well-formed ('--' in a comment)");
        return 0;
    }
    bad = check_plain(p + 4, d, &why);
    if (bad) {
        ms_ing_fail(ing, at(ing, bad), "not well-formed (%s)", why);
        return 0;
    }
    g_markup(ing, p, (apr_size_t)(d + 3 - p));
    return (apr_size_t)(d + 3 - p);
}

/* <![CDATA[ ... ]]> */
static apr_size_t tok_cdata(ms_ingest *ing, const char *p, const char *e)
{
    const char *s = scan_from(ing, p, 9), *d, *why = NULL, *bad;

    if (!ing->depth) {
        ms_ing_fail(ing, at(ing, p), "not well-formed (a CDATA section "
                    "outside the document element)");
        return 0;
    }
    for (;;) {
        d = memchr(s, ']', (apr_size_t)(e - s));
        if (!d || e - d < 3)
            return need_more(ing, p, e, 2);
        if (d[1] == ']' && d[2] == '>')
            break;
        s = d + 1;
    }
    bad = check_plain(p + 9, d, &why);
    if (bad) {
        ms_ing_fail(ing, at(ing, bad), "not well-formed (%s)", why);
        return 0;
    }
    g_cdata(ing, p, (apr_size_t)(d + 3 - p), p + 9, (apr_size_t)(d - p - 9));
    return (apr_size_t)(d + 3 - p);
}

/* <?target ...?> (not the XML declaration) */
static apr_size_t tok_pi(ms_ingest *ing, const char *p, const char *e)
{
    const char *s = scan_from(ing, p, 2), *d, *n, *why = NULL, *bad;
    apr_size_t colon;

    for (;;) {
        d = memchr(s, '?', (apr_size_t)(e - s));
        if (!d || e - d < 2)
            return need_more(ing, p, e, 1);
        if (d[1] == '>')
            break;
        s = d + 1;
    }
    n = name_end(p + 2, d);
    if (n == p + 2 || (n < d && !is_ws((unsigned char)*n))
        || ms_ing_qname_check(ing, p + 2, (apr_size_t)(n - p - 2), &colon)
        || colon) {
        ms_ing_fail(ing, at(ing, p), "not well-formed (a malformed processing "
                    "instruction)");
        return 0;
    }
    if (n - p - 2 == 3 && strncasecmp(p + 2, "xml", 3) == 0) {
        ms_ing_fail(ing, at(ing, p), "not well-formed (an XML declaration "
                    "not at the start of the body)");
        return 0;
    }
    bad = check_plain(n, d, &why);
    if (bad) {
        ms_ing_fail(ing, at(ing, bad), "not well-formed (%s)", why);
        return 0;
    }
    g_markup(ing, p, (apr_size_t)(d + 2 - p));
    return (apr_size_t)(d + 2 - p);
}

/* The XML declaration at the very start: version 1.0, an encoding the
 * tokenizer reads (UTF-8), standalone. */
static apr_size_t tok_xmldecl(ms_ingest *ing, const char *p, const char *e)
{
    const char *s = scan_from(ing, p, 5), *d, *v, *ve;
    const char *names[3] = { "version", "encoding", "standalone" };
    int i, seen = 0;

    for (;;) {
        d = memchr(s, '?', (apr_size_t)(e - s));
        if (!d || e - d < 2) {
            if (e - p >= 512) {
                ms_ing_fail(ing, at(ing, p), "not well-formed (an XML "
                            "declaration longer than 512 bytes)");
                return 0;
            }
            return need_more(ing, p, e, 1);
        }
        if (d[1] == '>')
            break;
        s = d + 1;
    }
    if (d + 2 - p > 512) {
        ms_ing_fail(ing, at(ing, p), "not well-formed (an XML declaration "
                    "longer than 512 bytes)");
        return 0;
    }
    s = p + 5;
    for (i = 0; i < 3; i++) {
        const char *t = skip_ws(s, d);
        apr_size_t nl = strlen(names[i]);
        if (t == s || (apr_size_t)(d - t) < nl || memcmp(t, names[i], nl) != 0) {
            if (i == 0)
                break;
            continue;
        }
        t = skip_ws(t + nl, d);
        if (t >= d || *t != '=')
            break;
        t = skip_ws(t + 1, d);
        if (t >= d || (*t != '"' && *t != '\''))
            break;
        v = t + 1;
        ve = memchr(v, *t, (apr_size_t)(d - v));
        if (!ve)
            break;
        if (i == 0 && !(ve - v == 3 && memcmp(v, "1.0", 3) == 0)) {
            ms_ing_fail(ing, at(ing, v), "XML version '%.*s' (only 1.0 is "
                        "read)", (int)(ve - v > 20 ? 20 : ve - v), v);
            return 0;
        }
        if (i == 1 && !(ve - v == 5 && strncasecmp(v, "utf-8", 5) == 0)
            && !(ing->opts.charset
                 && strcasecmp(ing->opts.charset, "utf-8") == 0)) {
            ms_ing_fail(ing, at(ing, v), "encoding '%.*s' read as UTF-8",
                        (int)(ve - v > 40 ? 40 : ve - v), v);
            return 0;
        }
        if (i == 2 && !(ve - v == 3 && memcmp(v, "yes", 3) == 0)
            && !(ve - v == 2 && memcmp(v, "no", 2) == 0))
            break;
        if (i == 1 && (ve == v || !apr_isalpha(*v)))
            break;
        seen |= 1 << i;
        s = ve + 1;
    }
    if (!(seen & 1) || skip_ws(s, d) != d) {
        ms_ing_fail(ing, at(ing, p), "not well-formed (a malformed XML "
                    "declaration)");
        return 0;
    }
    return (apr_size_t)(d + 2 - p);
}

static apr_size_t tok_markup(ms_ingest *ing, const char *p, const char *e)
{
    apr_size_t left;

    if ((apr_size_t)(e - p) > ing->max)
        e = p + ing->max;
    left = (apr_size_t)(e - p);

    if (left < 2)
        return need_more(ing, p, e, 0);
    switch (p[1]) {
    case '/':
        return tok_etag(ing, p, e);
    case '?':
        return tok_pi(ing, p, e);
    case '!':
        if (left < 4)
            return need_more(ing, p, e, 0);
        if (p[2] == '-' && p[3] == '-')
            return tok_comment(ing, p, e);
        if (left < 9 && memcmp(p, "<![CDATA[", left) == 0)
            return need_more(ing, p, e, 0);
        if (left >= 9 && memcmp(p, "<![CDATA[", 9) == 0)
            return tok_cdata(ing, p, e);
        if (left < 9 && memcmp(p, "<!DOCTYPE", left) == 0)
            return need_more(ing, p, e, 0);
        if (left >= 9 && memcmp(p, "<!DOCTYPE", 9) == 0)
            ms_ing_fail(ing, at(ing, p), "a DTD (<!DOCTYPE>): not accepted, "
                        "entities are never expanded");
        else
            ms_ing_fail(ing, at(ing, p), "not well-formed (invalid token)");
        return 0;
    default:
        return tok_stag(ing, p, e);
    }
}

/* Where a piece of text may be cut at the end of a chunk: not inside a
 * UTF-8 sequence or a reference, not before a ']' or CR that the next
 * chunk may complete ("]]>", CR LF). */
static const char *text_cut(const char *s, const char *e)
{
    const char *c = e, *amp;
    int i;

    for (i = 1; i <= 4 && e - i >= s; i++) {
        unsigned char b = (unsigned char)e[-i];
        if ((b & 0xC0) == 0x80)
            continue;
        if (b >= 0xC0 && b < 0xF8) {
            int need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
            if (need > i)
                c = e - i;
        }
        break;
    }
    /* the earliest '&' whose reference (up to 12 bytes on, see
     * ref_get) may not be all there */
    for (amp = c - 12 > s ? c - 12 : s; amp < c; amp++) {
        if (*amp == '&' && !memchr(amp, ';', (apr_size_t)(c - amp))) {
            c = amp;
            break;
        }
    }
    for (i = 0; i < 3 && c > s && (c[-1] == ']' || c[-1] == '\r'); i++)
        c--;
    return c;
}

/* Text at p, up to the next '<' (or what may be taken of it). */
static apr_size_t tok_text(ms_ingest *ing, const char *p, const char *e,
                           int final)
{
    const char *q, *stop, *why = NULL, *bad;

    /* the line end between two tags: nothing to check or keep outside
     * a value */
    if (e - p > 1 && p[1] == '<' && is_ws((unsigned char)*p)) {
        if (ing->depth)
            g_text(ing, p, 1, 1);
        return ing->status ? 0 : 1;
    }
    q = memchr(p, '<', (apr_size_t)(e - p));
    stop = q ? q : e;

    if (!q && !final) {
        stop = text_cut(p, e);
        if (stop == p)
            return need_more(ing, p, e, 0);
    }
    if (ing->depth == 0) {
        const char *c;
        for (c = p; c < stop; c++) {
            if (!is_ws((unsigned char)*c)) {
                ms_ing_fail(ing, at(ing, c), ing->state == ST_EPILOG
                            ? "not well-formed (junk after the document "
                              "element)"
                            : "not well-formed (text before the document "
                              "element)");
                return 0;
            }
        }
        return (apr_size_t)(stop - p);
    }
    bad = ms_ing_check_chars(p, stop, 0, &why);
    if (bad) {
        ms_ing_fail(ing, at(ing, bad), "not well-formed (%s)", why);
        return 0;
    }
    g_text(ing, p, (apr_size_t)(stop - p), 1);
    if (ing->status)
        return 0;
    return (apr_size_t)(stop - p);
}

/* Tokens of [buf, buf+len) until one is incomplete: how many bytes were
 * consumed.  @a final: the body ends here. */
apr_size_t ms_ing_fast_run(ms_ingest *ing, const char *buf, apr_size_t len,
                           int final)
{
    const char *p = buf, *e = buf + len;

    ing->win = buf;
    if (ing->state == ST_START) {
        if (len < 6 && !final) {
            ing->hint = 0;
            return 0;
        }
        if (!ing->bom && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
            /* a BOM: the rest waits for its own look */
            ing->bom = 1;
            p += 3;
            if (e - p < 6 && !final)
                return 3;
        }
        if (e - p >= 6 && memcmp(p, "<?xml", 5) == 0 && is_ws((unsigned char)p[5])) {
            apr_size_t n;
            ing->mend = e;      /* no cut: the declaration has its own */
            n = tok_xmldecl(ing, p, e);
            if (!n)
                return (apr_size_t)(p - buf);
            p += n;
        }
        ing->state = ST_PROLOG;
    }
    ing->mend = e;
    while (p < e) {
        apr_size_t n;
        if (*p == '<') {
            n = tok_markup(ing, p, e);
            if (n && ing->state == ST_PROLOG && ing->depth)
                ing->state = ST_CONTENT;
        }
        else
            n = tok_text(ing, p, e, final);
        if (!n)
            break;
        ing->hint = 0;
        ing->st_nend = 0;
        p += n;
    }
    return (apr_size_t)(p - buf);
}
