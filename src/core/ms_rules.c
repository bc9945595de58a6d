/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_rules.c: the property-method rules (APR only), applied to each
 * response after the prepare hooks and just before it is rendered:
 *   noroot    Prefer depth-noroot: the request-URI's own response hidden
 *   complete  every requested property answered (404 for PROPFIND, the
 *             want_status for PROPPATCH), whatever the handler forgot
 *   propname  names only, never values
 *   atomic    PROPPATCH: one failure turns every success into 424
 *   minimal   Prefer return=minimal / Brief: 404 propstats dropped
 * The glue (src/httpd/ms_props.c) decides which rules a request gets; this
 * file only applies them.  Uses ms_model.c and ms_ns.c.
 */
#include <string.h>

#include "ms_doc_int.h"

apr_status_t ms_doc_set_rules(ms_doc *doc, const ms_doc_rules *rules)
{
    apr_size_t i;
    const char *why = NULL;

    int root_written = doc->root_written;

    doc->rules = *rules;
    doc->want = apr_pcalloc(doc->pool, (rules->nwant + 1) * sizeof(ms_qn *));
    /* under return=minimal the names nobody answers are dropped with their
     * 404s: their namespaces are declared where used, not on the root */
    if (rules->minimal)
        doc->root_written = 1;
    for (i = 0; i < rules->nwant; i++) {
        doc->want[i] = ms_qn_get(doc, rules->want[i].ns, rules->want[i].name,
                                 &why);
        if (!doc->want[i]) {
            doc->root_written = root_written;
            doc->rules.nwant = 0;
            return ms_model_refuse(doc, MS_EINVAL, NULL, "requested property "
                                   "{%.100s}%.100s cannot be answered: %s",
                                   rules->want[i].ns ? rules->want[i].ns : "",
                                   rules->want[i].name
                                   ? rules->want[i].name : "",
                                   why);
        }
    }
    doc->root_written = root_written;
    doc->rules_complete_only = !rules->propname && !rules->atomic
                               && !rules->minimal;
    /* with a bit for every requested name, "all answered" is one test */
    doc->want_bits = 0;
    for (i = 0; i < rules->nwant; i++) {
        if (!doc->want[i]->bit) {
            doc->want_bits = 0;
            break;
        }
        doc->want_bits |= doc->want[i]->bit;
    }
    return APR_SUCCESS;
}

/* Mark every property name of @a resp with a fresh mark: then "does the
 * response have name X" is X->mark == mark, one compare (the rules used to
 * scan the response once per requested name: quadratic). */
static apr_size_t mark_props(const ms_response *resp)
{
    const ms_propstat *ps;
    const ms_prop *p;
    apr_size_t m = ++resp->doc->mark;

    for (ps = resp->ps_first; ps; ps = ps->next) {
        for (p = ps->first; p; p = p->next)
            p->qn->mark = m;
    }
    return m;
}

int ms_doc_response_failed(const ms_response *resp)
{
    const ms_doc *doc = resp->doc;
    const ms_propstat *ps;
    apr_size_t i;
    int want_fails;

    for (ps = resp->ps_first; ps; ps = ps->next) {
        if (ps->first && (ps->status < 200 || ps->status > 299))
            return 1;
    }
    /* a requested name still unanswered will be added with want_status:
     * if that is a failure (PROPPATCH), the response fails already */
    want_fails = doc->rules.want_status
                 && (doc->rules.want_status < 200
                     || doc->rules.want_status > 299);
    if (want_fails && !resp->status && doc->rules.nwant) {
        apr_size_t m = mark_props(resp);
        for (i = 0; i < doc->rules.nwant; i++) {
            if (doc->want[i]->mark != m)
                return 1;
        }
    }
    return 0;
}

/* Append an existing property to the propstat of @a status. */
static void prop_append(ms_response *resp, ms_prop *p, int status)
{
    ms_propstat_append(ms_model_propstat_get(resp, status), p);
}

void ms_rules_apply_props(ms_response *resp)
{
    ms_doc *doc = resp->doc;
    const ms_doc_rules *ru = &doc->rules;
    ms_propstat *ps;
    ms_prop *p, *next;
    apr_size_t i;

    if (ru->nwant && (!doc->want_bits || (doc->want_bits & ~resp->has))) {
        apr_size_t m = mark_props(resp);
        for (i = 0; i < ru->nwant; i++) {
            if (doc->want[i]->mark == m)
                continue;       /* answered (or asked twice) */
            doc->want[i]->mark = m;
            p = ms_model_alloc(resp, sizeof(*p));
            memset(p, 0, sizeof(*p));
            p->qn = doc->want[i];
            resp->has |= p->qn->bit;
            prop_append(resp, p, ru->want_status ? ru->want_status : 404);
        }
    }
    if (ru->propname) {
        /* names only: no value, and no xml:lang (it is about the value) */
        for (ps = resp->ps_first; ps; ps = ps->next) {
            for (p = ps->first; p; p = p->next) {
                p->kind = MS_VALUE_NONE;
                p->value = NULL;
                p->value_len = 0;
                p->frag = NULL;
                p->lang = NULL;
                p->lang_len = 0;
            }
        }
    }
    if (ru->atomic && ms_doc_response_failed(resp)) {
        /* move every 2xx property to 424, values dropped (RFC 4918 9.2) */
        for (ps = resp->ps_first; ps; ps = ps->next) {
            if (ps->status < 200 || ps->status > 299)
                continue;
            for (p = ps->first; p; p = next) {
                next = p->next;
                p->kind = MS_VALUE_NONE;
                p->value = NULL;
                p->value_len = 0;
                p->frag = NULL;
                p->lang = NULL;
                p->lang_len = 0;
                prop_append(resp, p, 424);
            }
            ps->first = ps->last = NULL;
            ps->desc = NULL;
            ps->err = NULL;
        }
    }
    if (ru->minimal) {
        int left = 0;
        for (ps = resp->ps_first; ps; ps = ps->next) {
            if (ps->status == 404) {
                ps->first = ps->last = NULL;
                ps->desc = NULL;
                ps->err = NULL;
            }
            left |= !ms_propstat_empty(ps);
        }
        /* RFC 4918 wants one propstat at least: an empty 200 says "nothing
         * else to report" without breaking the grammar */
        if (!left && resp->ps_first)
            ms_model_propstat_get(resp, 200)->keep = 1;
    }
}

/* ---------------------------------------------------------------- */
