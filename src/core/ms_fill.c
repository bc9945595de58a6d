/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_fill.c: filling an open response (APR only): its status, location,
 * error and description, and its properties in propstats, each checked
 * when it is registered (names interned by ms_ns.c, text by ms_xml.c) and
 * refused with a code and one line through io->refused, leaving nothing
 * behind.  Uses ms_model.c (arenas, refusals, the status checks), ms_href.c
 * and ms_ns.c; ms_rules.c uses its propstat and property lookups.
 */
#include <string.h>

#include "apr_strings.h"

#include "ms_xml.h"
#include "ms_href.h"
#include "ms_doc_int.h"

/* ---------------------------------------------------------------- */
/* Filling a response                                                */

static apr_status_t prep_qname(ms_response *resp, const char *what,
                               const char *ns, const char *name,
                               ms_qn **out)
{
    const char *why = NULL;

    *out = ms_qn_get(resp->doc, ns, name, &why);
    if (!*out)
        return ms_model_refuse(resp->doc, MS_EINVAL, resp->href,
                               "%s with %s", what, why);
    return APR_SUCCESS;
}

apr_status_t ms_doc_set_status(ms_response *resp, int status)
{
    apr_status_t rv = ms_model_check_status(resp, status, 0, "a status");

    if (rv)
        return rv;
    resp->status = status;
    if (status < 300 || status > 399)
        resp->location = NULL;  /* location is for 3xx only */
    return APR_SUCCESS;
}


apr_status_t ms_doc_set_location(ms_response *resp, const char *path)
{
    ms_doc *doc = resp->doc;
    const char *bad;
    apr_status_t rv = ms_model_resp_usable(resp, 0);

    if (rv)
        return rv;
    if (resp->status < 300 || resp->status > 399)
        return ms_model_refuse(doc, MS_EINVAL, resp->href,
                               "a location needs a 3xx status (status is %d)",
                               resp->status);
    if (!path || !*path)
        return ms_model_refuse(doc, MS_EINVAL, resp->href,
                               "an empty location");
    bad = ms_href_build(doc, path, 0);
    if (bad)
        return ms_model_refuse(doc, MS_EINVAL, resp->href,
                               "location refused: %s", bad);
    resp->location = ms_model_strdup(resp, doc->href_out, doc->href_out_len);
    resp->location_len = doc->href_out_len;
    return APR_SUCCESS;
}

apr_status_t ms_doc_set_error(ms_response *resp, const char *ns,
                              const char *name)
{
    apr_status_t rv = ms_model_resp_usable(resp, 0);

    if (rv)
        return rv;
    return prep_qname(resp, "an error element", ns, name, &resp->err);
}

apr_status_t ms_doc_set_description(ms_response *resp, const char *text)
{
    apr_status_t rv = ms_model_resp_usable(resp, 0);

    if (rv)
        return rv;
    return ms_model_prep_text(resp->doc, resp, "a responsedescription", text,
                              &resp->desc, &resp->desc_len);
}

ms_propstat *ms_model_propstat_get(ms_response *resp, int status)
{
    ms_propstat *ps = resp->ps_last;

    if (ps && ps->status == status)
        return ps;              /* properties come in runs of one status */
    for (ps = resp->ps_first; ps; ps = ps->next) {
        if (ps->status == status)
            return ps;
    }
    ps = ms_model_alloc(resp, sizeof(*ps));
    memset(ps, 0, sizeof(*ps));
    ps->status = status;
    if (resp->ps_last)
        resp->ps_last->next = ps;
    else
        resp->ps_first = ps;
    resp->ps_last = ps;
    return ps;
}

ms_prop *ms_model_prop_find(ms_response *resp, const ms_qn *qn, int unlink)
{
    ms_propstat *ps;
    ms_prop *p, *prev;

    for (ps = resp->ps_first; ps; ps = ps->next) {
        for (prev = NULL, p = ps->first; p; prev = p, p = p->next) {
            if (p->qn != qn)
                continue;
            if (unlink) {
                if (prev)
                    prev->next = p->next;
                else
                    ps->first = p->next;
                if (ps->last == p)
                    ps->last = prev;
                p->next = NULL;
            }
            return p;
        }
    }
    return NULL;
}

/* A value ready to render: "<P:name>" value "</P:name>" in one piece of
 * the response's arena (rendered with one copy; p->value points inside).
 * Text is checked and copied in one pass; only text that needs escaping
 * (or is refused) takes the slow path.  NULL with *why set on refusal. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static APR_INLINE char *value_frag(ms_response *resp, const ms_qn *qn,
                        ms_value_kind kind, const char *value,
                        apr_size_t *vlen, const char **why)
{
    apr_size_t len = strlen(value), esc;
    apr_size_t head = qn->open_len + 1;
    char *f, *v;

    f = ms_model_alloc(resp, head + len + qn->close_len + 1);
    v = ms_copy(f, qn->open, qn->open_len);
    *v++ = '>';
    if (kind == MS_VALUE_TEXT && !ms_xml_text_copy(v, value, len)) {
        *why = ms_xml_text_check(value, len, 0, &esc);
        if (*why)
            return NULL;
        if (esc != len) {
            f = ms_model_alloc(resp, head + esc + qn->close_len + 1);
            v = ms_copy(f, qn->open, qn->open_len);
            *v++ = '>';
        }
        ms_xml_text_to(v, value, len, 0);
        len = esc;
    }
    else if (kind == MS_VALUE_XML) {
        memcpy(v, value, len);
    }
    *ms_copy(v + len, qn->close, qn->close_len) = '\0';
    *vlen = len;
    return f;
}

/* Append @a p to the propstat of @a status. */
static APR_INLINE void prop_link(ms_response *resp, ms_prop *p, int status)
{
    ms_propstat *ps = resp->ps_last;

    if (!ps) {
        /* the response's first property: its first propstat */
        ps = ms_model_alloc(resp, sizeof(*ps));
        memset(ps, 0, sizeof(*ps));
        ps->status = status;
        resp->ps_first = resp->ps_last = ps;
    }
    else if (ps->status != status) {
        ps = ms_model_propstat_get(resp, status);
    }
    ms_propstat_append(ps, p);
}

/* Add (or move) a property with a checked name to @a resp: every case. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static apr_status_t prop_put_any(ms_response *resp, ms_qn *qn, int status,
                                 ms_value_kind kind, const char *value)
{
    ms_doc *doc = resp->doc;
    const char *frag = NULL, *bad = NULL;
    apr_size_t vlen = 0;
    ms_prop *p;

    switch (kind) {
    case MS_VALUE_NONE:
        break;
    case MS_VALUE_TEXT:
        if (!value)
            return ms_model_refuse(doc, MS_EINVAL, resp->href,
                                   "a property value is NULL");
        if (!*value)
            break;              /* an empty element, as NONE */
        frag = value_frag(resp, qn, kind, value, &vlen, &bad);
        if (!frag)
            return ms_model_refuse(doc, MS_EINVAL, resp->href,
                                   "a property value holds %s", bad);
        break;
    case MS_VALUE_XML:
        if (!value)
            return ms_model_refuse(doc, MS_EINVAL, resp->href,
                                   "property %s: NULL XML value", qn->name);
        {
            apr_pool_t *scratch;
            if (apr_pool_create(&scratch, doc->pool) != APR_SUCCESS)
                return ms_model_refuse(doc, MS_EINVAL, resp->href,
                                       "property %s: out of memory",
                                       qn->name);
            bad = ms_xml_check_fragment(scratch, value, strlen(value));
            if (bad) {
                apr_status_t rv = ms_model_refuse(doc, MS_EINVAL, resp->href,
                                                  "property %s: the XML value "
                                                  "is refused: %s", qn->name,
                                                  bad);
                apr_pool_destroy(scratch);
                return rv;
            }
            apr_pool_destroy(scratch);
        }
        if (*value)
            frag = value_frag(resp, qn, kind, value, &vlen, &bad);
        break;
    default:
        return ms_model_refuse(doc, MS_EINVAL, resp->href,
                               "property %s: unknown value kind %d", qn->name,
                               (int)kind);
    }
    /* a clear bit proves the name is not there yet: no scan */
    p = qn->bit && !(resp->has & qn->bit) ? NULL
                                          : ms_model_prop_find(resp, qn, 1);
    if (!p) {
        p = ms_model_alloc(resp, sizeof(*p));
        p->qn = qn;
        p->lang = NULL;
        p->lang_len = 0;
        resp->has |= qn->bit;
    }
    p->kind = kind;
    p->frag = frag;
    p->frag_len = frag ? qn->open_len + 1 + vlen + qn->close_len : 0;
    p->value = frag ? frag + qn->open_len + 1 : NULL;
    p->value_len = vlen;
    prop_link(resp, p, status);
    return APR_SUCCESS;
}

/* The common case first: a text value that needs no escaping, for a name
 * the response does not have yet.  The property and its fragment are one
 * allocation; anything else takes prop_put_any(). */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static APR_INLINE apr_status_t prop_put(ms_response *resp, ms_qn *qn,
                                        int status, ms_value_kind kind,
                                        const char *value)
{
    ms_prop *p;

    if (!qn->bit || (resp->has & qn->bit))
        return prop_put_any(resp, qn, status, kind, value);
    if (kind == MS_VALUE_TEXT && value && *value) {
        apr_size_t len = strlen(value);
        apr_size_t size = sizeof(ms_prop) + qn->open_len + 1 + len
                          + qn->close_len + 1;
        char *f, *v;

        p = ms_model_alloc(resp, size);
        f = (char *)(p + 1);
        v = ms_copy(f, qn->open, qn->open_len);
        *v++ = '>';
        if (!ms_xml_text_copy(v, value, len)) {
            ms_model_unalloc(resp, size);   /* it was the last allocation */
            return prop_put_any(resp, qn, status, kind, value);
        }
        *ms_copy(v + len, qn->close, qn->close_len) = '\0';
        p->frag = f;
        p->frag_len = (apr_size_t)(v - f) + len + qn->close_len;
        p->value = v;
        p->value_len = len;
    }
    else if (kind == MS_VALUE_NONE) {
        p = ms_model_alloc(resp, sizeof(*p));
        p->frag = NULL;
        p->frag_len = 0;
        p->value = NULL;
        p->value_len = 0;
    }
    else {
        return prop_put_any(resp, qn, status, kind, value);
    }
    p->qn = qn;
    p->kind = kind;
    p->lang = NULL;
    p->lang_len = 0;
    resp->has |= qn->bit;
    prop_link(resp, p, status);
    return APR_SUCCESS;
}

apr_status_t ms_doc_prop_add(ms_response *resp, const char *ns,
                             const char *name, int status,
                             ms_value_kind kind, const char *value)
{
    ms_qn *qn;
    const char *bad = NULL;
    apr_status_t rv = ms_model_check_status(resp, status, 1, "a property");

    if (rv)
        return rv;
    /* name first: its checks are cheap and the message names it */
    qn = ms_qn_get(resp->doc, ns, name, &bad);
    if (!qn)
        return ms_model_refuse(resp->doc, MS_EINVAL, resp->href,
                               "a property with %s", bad);
    return prop_put(resp, qn, status, kind, value);
}

const ms_qname *ms_doc_intern(ms_doc *doc, const char *ns, const char *name)
{
    const char *bad = NULL;
    ms_qn *qn;

    if (ms_model_usable(doc) != APR_SUCCESS)
        return NULL;
    qn = ms_qn_get(doc, ns, name, &bad);
    if (!qn)
        ms_model_refuse(doc, MS_EINVAL, NULL, "a property name with %s", bad);
    return qn;
}

apr_status_t ms_doc_prop_add_qname(ms_response *resp, const ms_qname *qname,
                                   int status, ms_value_kind kind,
                                   const char *value)
{
    apr_status_t rv = ms_model_check_status(resp, status, 1, "a property");

    if (rv)
        return rv;
    if (!qname || qname->doc != resp->doc)
        return ms_model_refuse(resp->doc, MS_EINVAL, resp->href,
                               "a property name that is %s",
                               qname ? "another request's" : "NULL");
    return prop_put(resp, (ms_qn *)qname, status, kind, value);
}

apr_status_t ms_doc_prop_set_lang(ms_response *resp, const char *ns,
                                  const char *name, const char *lang)
{
    const char *why = NULL;
    ms_qn *qn;
    ms_prop *p = NULL;
    apr_status_t rv = ms_model_resp_usable(resp, 0);

    if (rv)
        return rv;
    if (!ms_xml_is_lang(lang))
        return ms_model_refuse(resp->doc, MS_EINVAL, resp->href,
                               "'%.80s' is not a language tag",
                               lang ? lang : "(null)");
    qn = ms_qn_get(resp->doc, ns, name, &why);
    if (!qn || !(p = ms_model_prop_find(resp, qn, 0)))
        return ms_model_refuse(resp->doc, MS_EINVAL, resp->href,
                               "xml:lang for a property that was not "
                               "added: %.80s", name ? name : "(null)");
    p->lang_len = strlen(lang);
    p->lang = ms_model_strdup(resp, lang, p->lang_len);
    return APR_SUCCESS;
}

apr_status_t ms_doc_propstat_set_description(ms_response *resp, int status,
                                             const char *text)
{
    const char *d;
    apr_size_t dl;
    ms_propstat *ps;
    apr_status_t rv = ms_model_check_status(resp, status, 1,
                                   "a propstat description");

    if (rv)
        return rv;
    rv = ms_model_prep_text(resp->doc, resp,
                            "a propstat responsedescription", text, &d, &dl);
    if (rv)
        return rv;
    ps = ms_model_propstat_get(resp, status);
    ps->desc = d;
    ps->desc_len = dl;
    return APR_SUCCESS;
}

apr_status_t ms_doc_propstat_set_error(ms_response *resp, int status,
                                       const char *ns, const char *name)
{
    ms_qn *qn;
    ms_propstat *ps;
    apr_status_t rv = ms_model_check_status(resp, status, 1, "a propstat error");

    if (rv)
        return rv;
    rv = prep_qname(resp, "a propstat error element", ns, name, &qn);
    if (rv)
        return rv;
    ps = ms_model_propstat_get(resp, status);
    ps->err = qn;
    return APR_SUCCESS;
}

apr_status_t ms_doc_hide(ms_response *resp)
{
    apr_status_t rv = ms_model_resp_usable(resp, 0);

    if (rv)
        return rv;
    resp->hidden = 1;
    return APR_SUCCESS;
}
