/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_ingest_expat.c: the expat reader of the ingest parser, for bodies in
 * another encoding (UTF-16, ISO-8859-1, declared or given as charset) or
 * when asked (tests, bench).  Namespace processing with triplets; its
 * events go to the same grammar as the tokenizer's; DTDs and entity
 * declarations are refused (nothing is ever expanded), parameter entities
 * never parsed.
 */
#include <stdlib.h>
#include <string.h>

#include "ms_ingest_int.h"

/* uri SEP local [SEP prefix], or local */
static void x_split(const XML_Char *name, const char **uri, apr_size_t *ulen,
                    const char **local, apr_size_t *llen, const char **pre,
                    apr_size_t *plen)
{
    const char *s1 = strchr(name, EXPAT_SEP), *s2;

    if (!s1) {
        *uri = NULL;
        *ulen = 0;
        *local = name;
        *llen = strlen(name);
        *pre = NULL;
        *plen = 0;
        return;
    }
    *uri = name;
    *ulen = (apr_size_t)(s1 - name);
    *local = s1 + 1;
    s2 = strchr(s1 + 1, EXPAT_SEP);
    if (s2) {
        *llen = (apr_size_t)(s2 - s1 - 1);
        *pre = s2 + 1;
        *plen = strlen(s2 + 1);
    }
    else {
        *llen = strlen(s1 + 1);
        *pre = NULL;
        *plen = 0;
    }
}

static void x_stop(ms_ingest *ing)
{
    XML_StopParser(ing->xp, XML_FALSE);
}

static apr_off_t x_off(ms_ingest *ing)
{
    XML_Index i = XML_GetCurrentByteIndex(ing->xp);
    return i < 0 ? ing->base : (apr_off_t)i;
}

static void XMLCALL x_ns_start(void *ud, const XML_Char *prefix,
                               const XML_Char *uri)
{
    ms_ingest *ing = ud;
    const ns_ent *ns = NULL;

    if (ing->status)
        return;
    if (uri && *uri) {
        ns = ms_ing_ns_intern(ing, uri, strlen(uri), x_off(ing));
        if (!ns) {
            x_stop(ing);
            return;
        }
    }
    ms_ing_bind_push(ing, prefix ? prefix : "", prefix ? strlen(prefix) : 0,
                     ns);
    ing->x_pending++;
}

static void XMLCALL x_start(void *ud, const XML_Char *name,
                            const XML_Char **atts)
{
    ms_ingest *ing = ud;
    const char *uri, *local, *pre;
    apr_size_t ulen, llen, plen, i, nb0 = ing->nbinds - ing->x_pending;
    apr_size_t names0;
    apr_off_t off = x_off(ing);
    ev_start ev;
    elem *e;
    long bi;
    char *qn;

    if (ing->status)
        return;
    /* names of the pending bindings sit in the names store already:
     * they are popped with this element */
    names0 = nb0 < ing->nbinds ? ing->binds[nb0].poff : ing->names_len;
    ing->x_pending = 0;
    x_split(name, &uri, &ulen, &local, &llen, &pre, &plen);
    ev.ns = NULL;
    if (uri) {
        ev.ns = ms_ing_ns_intern(ing, uri, ulen, off);
        if (!ev.ns) {
            x_stop(ing);
            return;
        }
    }
    ev.local = local;
    ev.llen = llen;
    ev.raw = NULL;
    ev.raw_len = ev.name_end = 0;
    ev.atts = atts;
    ev.other_attrs = 0;
    ing->nused = 0;
    bi = bind_find(ing, pre ? pre : "", plen);
    if (bi >= 0 && (pre || ev.ns)) {
        GROW(ing, used, 0, used_cap, ing->nused + 1);
        ing->used[ing->nused++] = (apr_size_t)bi;
    }
    qn = tmp_get(ing, plen + 1 + llen + 1);
    if (pre) {
        memcpy(qn, pre, plen);
        qn[plen] = ':';
        memcpy(qn + plen + 1, local, llen);
    }
    else
        memcpy(qn, local, llen);
    e = ms_ing_elem_push(ing, qn, pre ? plen + 1 + llen : llen, nb0, names0,
                         off);
    if (!e) {
        x_stop(ing);
        return;
    }
    for (i = 0; atts[i]; i += 2) {
        const char *au, *al, *ap;
        apr_size_t aul, all, apl;
        x_split(atts[i], &au, &aul, &al, &all, &ap, &apl);
        if (au && aul == sizeof(XML_NS) - 1 && memcmp(au, XML_NS, aul) == 0) {
            if (all == 4 && memcmp(al, "lang", 4) == 0) {
                apr_size_t vl = strlen(atts[i + 1]);
                e->lang_off = names_put(ing, atts[i + 1], vl);
                e->lang_len = vl;
                e->has_lang = 1;
                continue;
            }
        }
        else if (ap) {
            bi = bind_find(ing, ap, apl);
            if (bi >= 0) {
                GROW(ing, used, 0, used_cap, ing->nused + 1);
                ing->used[ing->nused++] = (apr_size_t)bi;
            }
        }
        ev.other_attrs = 1;
    }
    if (ms_ing_g_start(ing, &ev, off))
        x_stop(ing);
}

static void XMLCALL x_end(void *ud, const XML_Char *name)
{
    ms_ingest *ing = ud;

    (void)name;
    if (ing->status)
        return;
    if (ms_ing_g_end(ing, NULL, 0, 0, x_off(ing))) {
        x_stop(ing);
        return;
    }
    elem_pop(ing);
}

static void XMLCALL x_text(void *ud, const XML_Char *s, int len)
{
    ms_ingest *ing = ud;

    if (ing->status)
        return;
    g_text(ing, s, (apr_size_t)len, 0);
    if (ing->status)
        x_stop(ing);
}

static void XMLCALL x_doctype(void *ud, const XML_Char *name,
                              const XML_Char *sysid, const XML_Char *pubid,
                              int has_internal_subset)
{
    ms_ingest *ing = ud;

    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal_subset;
    ms_ing_fail(ing, x_off(ing), "a DTD (<!DOCTYPE>): not accepted, "
                "entities are never expanded");
    x_stop(ing);
}

static void XMLCALL x_entity(void *ud, const XML_Char *name, int is_param,
                             const XML_Char *value, int value_length,
                             const XML_Char *base, const XML_Char *sysid,
                             const XML_Char *pubid, const XML_Char *notation)
{
    ms_ingest *ing = ud;

    (void)name; (void)is_param; (void)value; (void)value_length;
    (void)base; (void)sysid; (void)pubid; (void)notation;
    ms_ing_fail(ing, x_off(ing), "an entity declaration: not accepted");
    x_stop(ing);
}

static void XMLCALL x_xmldecl(void *ud, const XML_Char *version,
                              const XML_Char *encoding, int standalone)
{
    ms_ingest *ing = ud;

    (void)encoding;
    (void)standalone;
    if (version && strcmp(version, "1.0") != 0) {
        ms_ing_fail(ing, x_off(ing), "XML version '%.20s' (only 1.0 is read)",
                    version);
        x_stop(ing);
    }
}

apr_status_t ms_ing_x_feed(ms_ingest *ing, const char *buf, apr_size_t len,
                           int final)
{
    do {
        int n = len > 1 << 30 ? 1 << 30 : (int)len;
        if (XML_Parse(ing->xp, buf, n, final && (apr_size_t)n == len)
            != XML_STATUS_OK) {
            if (!ing->status) {
                enum XML_Error code = XML_GetErrorCode(ing->xp);
                XML_Index i = XML_GetCurrentByteIndex(ing->xp);
                ms_ing_fail(ing, i < 0 ? ing->base : (apr_off_t)i,
                            "not well-formed (%s)", XML_ErrorString(code));
            }
            return ing->status;
        }
        buf += n;
        len -= (apr_size_t)n;
    } while (len);
    return ing->status;
}

void ms_ing_x_create(ms_ingest *ing, const char *encoding)
{
    ing->xp = XML_ParserCreateNS(encoding, EXPAT_SEP);
    if (!ing->xp)
        abort();
    XML_SetUserData(ing->xp, ing);
    XML_SetReturnNSTriplet(ing->xp, 1);
    XML_SetElementHandler(ing->xp, x_start, x_end);
    XML_SetCharacterDataHandler(ing->xp, x_text);
    XML_SetStartNamespaceDeclHandler(ing->xp, x_ns_start);
    XML_SetStartDoctypeDeclHandler(ing->xp, x_doctype);
    XML_SetEntityDeclHandler(ing->xp, x_entity);
    XML_SetXmlDeclHandler(ing->xp, x_xmldecl);
    XML_SetParamEntityParsing(ing->xp, XML_PARAM_ENTITY_PARSING_NEVER);
    ing->mode = MODE_EXPAT;
}
