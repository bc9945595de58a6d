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
    const char *href, *bad;
    apr_size_t len;
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
    bad = ms_href_build(doc, path, 0, &href, &len);
    if (bad)
        return ms_model_refuse(doc, MS_EINVAL, resp->href,
                               "location refused: %s", bad);
    resp->location = ms_model_strdup(resp, href, len);
    resp->location_len = len;
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
    ms_propstat *ps;

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

apr_status_t ms_doc_prop_add(ms_response *resp, const char *ns,
                             const char *name, int status,
                             ms_value_kind kind, const char *value)
{
    ms_doc *doc = resp->doc;
    ms_qn *qn;
    const char *val = NULL, *bad = NULL;
    apr_size_t vlen = 0;
    ms_prop *p;
    ms_propstat *ps;
    apr_status_t rv = ms_model_check_status(resp, status, 1, "a property");

    if (rv)
        return rv;
    /* name first: its checks are cheap and the message names it */
    qn = ms_qn_get(doc, ns, name, &bad);
    if (!qn)
        return ms_model_refuse(doc, MS_EINVAL, resp->href,
                               "a property with %s", bad);
    switch (kind) {
    case MS_VALUE_NONE:
        break;
    case MS_VALUE_TEXT:
        rv = ms_model_prep_text(doc, resp, "a property value", value, &val,
                                &vlen);
        if (rv)
            return rv;
        break;
    case MS_VALUE_XML:
        if (!value)
            return ms_model_refuse(doc, MS_EINVAL, resp->href,
                                   "property %s: NULL XML value", name);
        vlen = strlen(value);
        {
            apr_pool_t *scratch;
            if (apr_pool_create(&scratch, doc->pool) != APR_SUCCESS)
                return ms_model_refuse(doc, MS_EINVAL, resp->href,
                                       "property %s: out of memory", name);
            bad = ms_xml_check_fragment(scratch, value, vlen);
            if (bad) {
                rv = ms_model_refuse(doc, MS_EINVAL, resp->href,
                                     "property %s: the XML value is "
                                     "refused: %s", name, bad);
                apr_pool_destroy(scratch);
                return rv;
            }
            apr_pool_destroy(scratch);
        }
        val = ms_model_strdup(resp, value, vlen);
        break;
    default:
        return ms_model_refuse(doc, MS_EINVAL, resp->href,
                               "property %s: unknown value kind %d", name,
                               (int)kind);
    }
    p = ms_model_prop_find(resp, qn, 1);
    if (!p) {
        p = ms_model_alloc(resp, sizeof(*p));
        memset(p, 0, sizeof(*p));
        p->qn = qn;
    }
    p->kind = kind;
    p->value = val;
    p->value_len = vlen;
    ps = ms_model_propstat_get(resp, status);
    if (ps->last)
        ps->last->next = p;
    else
        ps->first = p;
    ps->last = p;
    return APR_SUCCESS;
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
