/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_ingest_grammar.c: the multistatus grammar, one for both readers.  The
 * tokenizer and expat report start tags with their namespace resolved,
 * end tags and text; this file knows what a DAV:multistatus holds and
 * reads each DAV:response into the response buffer: hrefs, statuses,
 * descriptions, errors, location, propstats and their properties.  A
 * property's value is captured as written (tokenizer) or serialized back
 * (expat), and each top-level element of a value gets the namespace
 * declarations that came from outside it.  At a response's end it hands
 * over to ms_ingest_replay.c.  (Text events, inlined in the readers, are
 * in ms_ingest_int.h.)
 */
#include <string.h>

#include "ms_xml.h"
#include "ms_ingest_int.h"

static APR_INLINE int dav_is(const ev_start *ev, const char *name,
                             apr_size_t len)
{
    return ev->ns && ev->ns->dav && ev->llen == len
        && memcmp(ev->local, name, len) == 0;
}

/* A value element uses binding @a bi: when it was declared outside the
 * value, the top-level element of the value must declare it again (the
 * writer's DAV: is D:, so D: for DAV: needs nothing). */
static void need_binding(ms_ingest *ing, apr_size_t bi)
{
    const binding *b = &ing->binds[bi];
    apr_size_t i;

    if (b->depth > ing->prop_depth || !b->ns)
        return;
    if (b->plen == 1 && ing->names[b->poff] == 'D' && b->ns->dav)
        return;
    for (i = 0; i < ing->nneed; i++) {
        if (ing->need[i] == bi)
            return;
    }
    GROW(ing, need, 0, need_cap, ing->nneed + 1);
    ing->need[ing->nneed++] = bi;
}

/* The end of a top-level value element: insert the declarations it needs
 * after its name. */
static void need_insert(ms_ingest *ing, apr_size_t where)
{
    apr_size_t i, n = 0;
    char *p;

    for (i = 0; i < ing->nneed; i++) {
        const binding *b = &ing->binds[ing->need[i]];
        n += 6 + (b->plen ? 1 + b->plen : 0) + 2 + b->ns->attr_len + 1;
    }
    if (!n || !rb_room(ing, n))
        return;
    p = ing->rb + where;
    memmove(p + n, p, ing->rb_len - where);
    for (i = 0; i < ing->nneed; i++) {
        const binding *b = &ing->binds[ing->need[i]];
        memcpy(p, " xmlns", 6);
        p += 6;
        if (b->plen) {
            *p++ = ':';
            memcpy(p, ing->names + b->poff, b->plen);
            p += b->plen;
        }
        *p++ = '=';
        *p++ = '"';
        memcpy(p, b->ns->attr, b->ns->attr_len);
        p += b->ns->attr_len;
        *p++ = '"';
    }
    ing->rb_len += n;
    ing->nneed = 0;
}

/* Escaped text into the response buffer (expat's decoded text). */
void ms_ing_rb_escaped(ms_ingest *ing, const char *s, apr_size_t len, int att)
{
    apr_size_t esc;
    char *p;

    if (ms_xml_text_check(s, len, att, &esc))
        return;                 /* expat passes only XML characters */
    p = rb_room(ing, esc);
    if (p) {
        ms_xml_text_to(p, s, len, att);
        ing->rb_len += esc;
    }
}

/* "prefix:local" of an expat triplet name. */
static void x_qname(ms_ingest *ing, const XML_Char *name)
{
    const char *s1 = strchr(name, EXPAT_SEP), *s2;

    if (!s1) {
        rb_put(ing, name, strlen(name));
        return;
    }
    s2 = strchr(s1 + 1, EXPAT_SEP);
    if (s2) {
        rb_put(ing, s2 + 1, strlen(s2 + 1));
        rb_put(ing, ":", 1);
        rb_put(ing, s1 + 1, (apr_size_t)(s2 - s1 - 1));
    }
    else {
        rb_put(ing, s1 + 1, strlen(s1 + 1));
    }
}

/* A start tag inside a value: as written (tokenizer) or serialized back
 * (expat); returns where declarations would be inserted. */
static apr_size_t value_tag(ms_ingest *ing, const ev_start *ev, elem *e)
{
    apr_size_t i, where;

    for (i = 0; i < ing->nused; i++)
        need_binding(ing, ing->used[i]);
    if (ev->raw) {
        where = ing->rb_len + ev->name_end;
        rb_put(ing, ev->raw, ev->raw_len);
        return where;
    }
    rb_put(ing, "<", 1);
    rb_put(ing, ing->names + e->name_off, e->name_len);
    where = ing->rb_len;
    for (i = e->nbinds; i < ing->nbinds; i++) {
        const binding *b = &ing->binds[i];
        rb_put(ing, " xmlns", 6);
        if (b->plen) {
            rb_put(ing, ":", 1);
            rb_put(ing, ing->names + b->poff, b->plen);
        }
        rb_put(ing, "=\"", 2);
        if (b->ns)
            rb_put(ing, b->ns->attr, b->ns->attr_len);
        rb_put(ing, "\"", 1);
    }
    for (i = 0; ev->atts && ev->atts[i]; i += 2) {
        rb_put(ing, " ", 1);
        x_qname(ing, ev->atts[i]);
        rb_put(ing, "=\"", 2);
        ms_ing_rb_escaped(ing, ev->atts[i + 1], strlen(ev->atts[i + 1]), 1);
        rb_put(ing, "\"", 1);
    }
    rb_put(ing, ">", 1);
    return where;
}

/* A start tag: what it is in a multistatus. */
apr_status_t ms_ing_g_start(ms_ingest *ing, const ev_start *ev, apr_off_t off)
{
    elem *e = &ing->stack[ing->depth - 1];
    int parent = ing->depth > 1 ? ing->stack[ing->depth - 2].kind : K_NONE;
    int k = K_SKIP;

    switch (parent) {
    case K_NONE:
        if (!dav_is(ev, "multistatus", 11))
            return ms_ing_fail(ing, off, "not a DAV:multistatus (the root "
                               "element is {%s}%.*s)",
                               ev->ns ? ev->ns->uri : "", (int)ev->llen,
                               ev->local);
        k = K_MS;
        break;
    case K_MS:
        if (dav_is(ev, "response", 8)) {
            k = K_RESP;
            ms_ing_response_reset(ing);
            ing->r_start = off;
        }
        else if (dav_is(ev, "responsedescription", 19)) {
            k = K_MSDESC;
            ing->rb_len = 0;
            ing->r_start = off;
        }
        else {
            ms_ing_note(ing, "{%s}%.*s in DAV:multistatus was left out",
                        ev->ns ? ev->ns->uri : "", (int)ev->llen, ev->local);
        }
        break;
    case K_RESP:
        if (dav_is(ev, "href", 4))
            k = K_HREF;
        else if (dav_is(ev, "status", 6)) {
            if (ing->r_status)
                return ms_ing_fail(ing, off, "a second DAV:status in a "
                                   "DAV:response");
            k = K_STATUS;
        }
        else if (dav_is(ev, "propstat", 8)) {
            in_ps *ps;
            GROW(ing, pss, 0, pss_cap, ing->npss + 1);
            ps = &ing->pss[ing->npss++];
            memset(ps, 0, sizeof(*ps));
            k = K_PS;
        }
        else if (dav_is(ev, "error", 5))
            k = K_RERR;
        else if (dav_is(ev, "responsedescription", 19))
            k = K_RDESC;
        else if (dav_is(ev, "location", 8))
            k = K_LOC;
        else
            ms_ing_note(ing, "{%s}%.*s in DAV:response was left out",
                        ev->ns ? ev->ns->uri : "", (int)ev->llen, ev->local);
        break;
    case K_PS:
        if (dav_is(ev, "prop", 4))
            k = K_PROP;
        else if (dav_is(ev, "status", 6)) {
            if (ing->pss[ing->npss - 1].status)
                return ms_ing_fail(ing, off, "a second DAV:status in a "
                                   "DAV:propstat");
            k = K_PSSTATUS;
        }
        else if (dav_is(ev, "error", 5))
            k = K_PSERR;
        else if (dav_is(ev, "responsedescription", 19))
            k = K_PSDESC;
        else
            ms_ing_note(ing, "{%s}%.*s in DAV:propstat was left out",
                        ev->ns ? ev->ns->uri : "", (int)ev->llen, ev->local);
        break;
    case K_PROP:
        {
            in_prop *pr;
            const qname *q = ms_ing_q_intern(ing, ev->ns ? ev->ns : ing->nons,
                                             ev->local, ev->llen, off);
            if (!q)
                return ing->status;
            GROW(ing, props, 0, props_cap, ing->nprops + 1);
            pr = &ing->props[ing->nprops++];
            memset(pr, 0, sizeof(*pr));
            pr->q = q;
            pr->ps = ing->npss - 1;
            ing->pss[pr->ps].nprops++;
            if (e->has_lang) {
                pr->has_lang = 1;
                pr->lang.off = ing->rb_len;
                pr->lang.len = e->lang_len;
                rb_put(ing, ing->names + e->lang_off, e->lang_len);
            }
            if (ev->other_attrs)
                ms_ing_note(ing, "attributes of property %.*s were left out",
                            (int)ev->llen, ev->local);
            k = K_PROPERTY;
            e->cap_off = ing->rb_len;
            ing->prop_depth = ing->depth;
            ing->nneed = 0;
        }
        break;
    case K_PROPERTY:
    case K_VAL:
        k = K_VAL;
        e->cap_off = value_tag(ing, ev, e);
        if (parent == K_PROPERTY) {
            in_prop *pr = &ing->props[ing->nprops - 1];
            if (pr->q->ns->dav && pr->q->len == 12
                && memcmp(pr->q->name, "resourcetype", 12) == 0
                && dav_is(ev, "collection", 10))
                pr->collection = 1;
        }
        break;
    case K_RERR:
    case K_PSERR:
        k = K_ERRCODE;
        if (!ev->ns) {
            ms_ing_note(ing, "an error code without namespace was left out");
            break;
        }
        {
            const qname *q = ms_ing_q_intern(ing, ev->ns, ev->local,
                                             ev->llen, off);
            const qname **slot = parent == K_RERR ? &ing->r_err
                                 : &ing->pss[ing->npss - 1].err;
            if (!q)
                return ing->status;
            if (*slot)
                ms_ing_note(ing, "error codes after the first were left out");
            else
                *slot = q;
        }
        break;
    case K_ERRCODE:
        ms_ing_note(ing, "the content of an error code was left out");
        break;
    case K_LOC:
        if (dav_is(ev, "href", 4))
            k = K_LOCHREF;
        break;
    case K_HREF: case K_STATUS: case K_RDESC: case K_MSDESC:
    case K_LOCHREF: case K_PSSTATUS: case K_PSDESC:
        return ms_ing_fail(ing, off, "an element inside a text-only DAV: "
                           "element");
    default:
        break;
    }
    e->kind = (unsigned char)k;
    if (k == K_HREF || k == K_STATUS || k == K_RDESC || k == K_MSDESC
        || k == K_LOCHREF || k == K_PSSTATUS || k == K_PSDESC)
        e->cap_off = ing->rb_len;
    return ing->status;
}

/* The end of an element (the tag as written, or NULL: expat, or the end
 * of an empty-element tag when @a empty). */
apr_status_t ms_ing_g_end(ms_ingest *ing, const char *raw, apr_size_t len,
                          int empty, apr_off_t off)
{
    elem *e = &ing->stack[ing->depth - 1];
    span s;
    char *txt;

    switch (e->kind) {
    case K_VAL:
        if (raw)
            rb_put(ing, raw, len);
        else if (!empty) {
            rb_put(ing, "</", 2);
            rb_put(ing, ing->names + e->name_off, e->name_len);
            rb_put(ing, ">", 1);
        }
        if (ing->depth == ing->prop_depth + 1 && ing->nneed)
            need_insert(ing, e->cap_off);
        return ing->status;
    case K_PROPERTY:
        ing->props[ing->nprops - 1].val.off = e->cap_off;
        ing->props[ing->nprops - 1].val.len = ing->rb_len - e->cap_off;
        return ing->status;
    case K_RESP:
        return ms_ing_replay(ing);
    case K_PS:
        if (!ing->pss[ing->npss - 1].status)
            return ms_ing_fail(ing, off, "a DAV:propstat without DAV:status");
        return APR_SUCCESS;
    case K_HREF: case K_STATUS: case K_RDESC: case K_MSDESC:
    case K_LOCHREF: case K_PSSTATUS: case K_PSDESC:
        break;
    default:
        return APR_SUCCESS;
    }
    /* the text-only elements */
    s.off = e->cap_off;
    s.len = ing->rb_len - e->cap_off;
    rb_put(ing, "", 1);             /* NUL: the model takes C strings */
    if (ing->status)
        return ing->status;
    txt = ing->rb + s.off;
    if (memchr(txt, '\0', s.len))   /* cannot come from XML; be sure */
        return ms_ing_fail(ing, off, "a NUL character in text");
    switch (e->kind) {
    case K_HREF:
        GROW(ing, hrefs, 0, hrefs_cap, ing->nhrefs + 1);
        ing->hrefs[ing->nhrefs++] = s;
        break;
    case K_LOCHREF:
        ing->r_loc = s;
        ing->r_has_loc = 1;
        break;
    case K_STATUS:
    case K_PSSTATUS: {
        int code = ms_ing_parse_status(txt, s.len);
        if (code < 200 || code > 599)
            return ms_ing_fail(ing, off, "a DAV:status that is not a status "
                               "line with a code in 200..599 ('%.60s')", txt);
        if (e->kind == K_STATUS)
            ing->r_status = code;
        else
            ing->pss[ing->npss - 1].status = code;
        break;
    }
    case K_RDESC:
        ing->r_desc = s;
        ing->r_has_desc = 1;
        break;
    case K_PSDESC:
        ing->pss[ing->npss - 1].desc = s;
        ing->pss[ing->npss - 1].has_desc = 1;
        break;
    case K_MSDESC: {
        apr_status_t rv = ms_doc_set_ms_description(ing->doc, txt);
        ing->rb_len = 0;
        if (rv)
            return ms_ing_model_failed(ing, rv, "the multistatus description");
        break;
    }
    default:
        break;
    }
    return APR_SUCCESS;
}

