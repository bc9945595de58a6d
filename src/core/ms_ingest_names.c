/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_ingest_names.c: names in a producer's body: qualified names checked
 * (non-ASCII ones as expat reads them, once per name), namespace URIs and
 * {ns}names interned for the parser's life (the model's name cache is
 * keyed by their pointers), bindings in scope and the element stack that
 * both readers (tokenizer and expat) keep.
 */
#include <stdlib.h>
#include <string.h>

#include "apr_strings.h"

#include "ms_xml.h"
#include "ms_ingest_int.h"

/* Non-ASCII names: XML 1.0 fifth edition, and only what expat (so every
 * client) reads too; checked once per name. */
static int name_part_ok(ms_ingest *ing, const char *s, apr_size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    apr_size_t i;
    const char *copy;
    int ok;

    if (!len)
        return 0;
    for (i = 0; i < len; i++) {
        if (u[i] >= 0x80)
            break;
        if (!(ms_ing_cls[u[i]] & (i ? C_NAME : C_NSTART)))
            return 0;
    }
    if (i == len)
        return 1;
    if (apr_hash_get(ing->slow_names, s, (apr_ssize_t)len))
        return 1;
    copy = apr_pstrmemdup(ing->pool, s, len);
    ok = ms_xml_is_ncname(copy);
    if (ok && apr_hash_count(ing->slow_names) < 1024)
        apr_hash_set(ing->slow_names, copy, (apr_ssize_t)len, "");
    return ok;
}

/* A qualified name: one colon at most, not at either end, each part an
 * NCName.  *colon: the colon's index, 0 when none. */
const char *ms_ing_qname_check(ms_ingest *ing, const char *s, apr_size_t len,
                               apr_size_t *colon)
{
    const char *c = memchr(s, ':', len);

    *colon = 0;
    if (c) {
        apr_size_t k = (apr_size_t)(c - s);
        if (k == 0 || k + 1 == len || memchr(c + 1, ':', len - k - 1))
            return "a name with a misplaced colon";
        if (!name_part_ok(ing, s, k) || !name_part_ok(ing, c + 1, len - k - 1))
            return "an invalid name";
        *colon = k;
        return NULL;
    }
    return name_part_ok(ing, s, len) ? NULL : "an invalid name";
}

const ns_ent *ms_ing_ns_intern(ms_ingest *ing, const char *uri,
                               apr_size_t len, apr_off_t off)
{
    ns_ent *ns;
    apr_size_t esc, i;
    char *p;

    /* the same few declarations come on every response */
    for (i = 0; i < NS_RECENT; i++) {
        ns = ing->ns_recent[i];
        if (ns && ns->len == len && memcmp(ns->uri, uri, len) == 0)
            return ns;
    }
    ns = apr_hash_get(ing->ns_hash, uri, (apr_ssize_t)len);
    if (ns) {
        ing->ns_recent[ing->ns_next++ % NS_RECENT] = ns;
        return ns;
    }
    if (ing->ns_count >= MAX_NS) {
        ms_ing_fail(ing, off, "more than %d distinct namespaces", MAX_NS);
        return NULL;
    }
    if (ms_xml_text_check(uri, len, 1, &esc)) {
        ms_ing_fail(ing, off, "a namespace URI holding a character XML does "
                    "not allow");
        return NULL;
    }
    ns = apr_pcalloc(ing->pool, sizeof(*ns));
    ns->uri = apr_pstrmemdup(ing->pool, uri, len);
    ns->len = len;
    p = apr_palloc(ing->pool, esc + 1);
    *ms_xml_text_to(p, uri, len, 1) = '\0';
    ns->attr = p;
    ns->attr_len = esc;
    ns->dav = len == 4 && memcmp(uri, "DAV:", 4) == 0;
    apr_hash_set(ing->ns_hash, ns->uri, (apr_ssize_t)len, ns);
    ing->ns_count++;
    ing->ns_recent[ing->ns_next++ % NS_RECENT] = ns;
    return ns;
}

static apr_uint32_t qhash(const ns_ent *ns, const char *s, apr_size_t len)
{
    apr_uint32_t h = 2166136261u ^ (apr_uint32_t)((apr_uintptr_t)ns >> 4);
    apr_size_t i;

    for (i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* The interned {ns}name (open addressing; names repeat on every
 * response). */
const qname *ms_ing_q_intern(ms_ingest *ing, const ns_ent *ns,
                             const char *s, apr_size_t len, apr_off_t off)
{
    apr_uint32_t h;
    apr_size_t mask, i;
    qname *q;
    /* a producer lists properties in the same order on every response:
     * the name at this place last time is likely the one */
    qname **hint = &ing->qhint[ing->nprops % QHINTS];

    if (*hint && (*hint)->ns == ns && (*hint)->len == len
        && memcmp((*hint)->name, s, len) == 0)
        return *hint;
    h = qhash(ns, s, len);

    if (!ing->qcap) {
        ing->qcap = 64;
        ing->qtab = calloc(ing->qcap, sizeof(*ing->qtab));
        if (!ing->qtab)
            abort();
    }
    mask = ing->qcap - 1;
    for (i = h & mask; (q = ing->qtab[i]) != NULL; i = (i + 1) & mask) {
        if (q->hash == h && q->ns == ns && q->len == len
            && memcmp(q->name, s, len) == 0)
            return *hint = q;
    }
    if (ing->qcount >= MAX_QNAMES) {
        ms_ing_fail(ing, off, "more than %d distinct property names",
                    MAX_QNAMES);
        return NULL;
    }
    q = apr_palloc(ing->pool, sizeof(*q));
    q->ns = ns;
    q->name = apr_pstrmemdup(ing->pool, s, len);
    q->len = len;
    q->hash = h;
    ing->qtab[i] = q;
    *hint = q;
    if (++ing->qcount * 2 > ing->qcap) {
        qname **old = ing->qtab;
        apr_size_t ocap = ing->qcap, j;
        ing->qcap *= 2;
        ing->qtab = calloc(ing->qcap, sizeof(*ing->qtab));
        if (!ing->qtab)
            abort();
        mask = ing->qcap - 1;
        for (j = 0; j < ocap; j++) {
            if (old[j]) {
                for (i = old[j]->hash & mask; ing->qtab[i]; i = (i + 1) & mask)
                    ;
                ing->qtab[i] = old[j];
            }
        }
        free(old);
    }
    return q;
}

void ms_ing_bind_push(ms_ingest *ing, const char *prefix, apr_size_t plen,
                      const ns_ent *ns)
{
    binding *b;

    GROW(ing, binds, 0, binds_cap, ing->nbinds + 1);
    b = &ing->binds[ing->nbinds++];
    b->poff = names_put(ing, prefix, plen);
    b->plen = plen;
    b->ns = ns;
    b->depth = ing->depth + 1;
}

elem *ms_ing_elem_push(ms_ingest *ing, const char *qn, apr_size_t qlen,
                       apr_size_t nbinds_before, apr_size_t names_before,
                       apr_off_t off)
{
    elem *e;

    if (ing->depth >= MAX_DEPTH) {
        ms_ing_fail(ing, off, "elements nested deeper than %d", MAX_DEPTH);
        return NULL;
    }
    GROW(ing, stack, 0, stack_cap, ing->depth + 1);
    e = &ing->stack[ing->depth];
    e->nbinds = nbinds_before;
    e->names_len = names_before;
    e->name_off = names_put(ing, qn, qlen);
    e->name_len = qlen;
    e->kind = K_NONE;
    e->cap_off = 0;
    if (ing->depth) {
        const elem *pe = &ing->stack[ing->depth - 1];
        e->has_lang = pe->has_lang;
        e->lang_off = pe->lang_off;
        e->lang_len = pe->lang_len;
    }
    else {
        e->has_lang = 0;
        e->lang_off = e->lang_len = 0;
    }
    ing->depth++;
    return e;
}
