/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_ns.c: namespaces and qualified names of a document (APR only).
 *
 * DAV: is always "D" and declared on the root.  Other namespaces get a
 * well-known short prefix (C for CalDAV, CARD for CardDAV, ...) or nsN in
 * order of first use, each declared once: on the root element when first
 * seen before the root is written (the root is written last-minute, at
 * commit), else on each response that uses it.  Names are checked and
 * interned once per document with their start and end tags ready to copy,
 * because the same few property names repeat on every response.
 */
#include <string.h>

#include "apr_strings.h"

#include "ms_xml.h"
#include "ms_doc_int.h"

static const struct { const char *uri, *prefix; } well_known[] = {
    { "urn:ietf:params:xml:ns:caldav",  "C" },
    { "urn:ietf:params:xml:ns:carddav", "CARD" },
    { "http://calendarserver.org/ns/",  "CS" },
    { "http://apple.com/ns/ical/",      "ICAL" },
    { "http://owncloud.org/ns",         "oc" },
    { "http://nextcloud.org/ns",        "nc" },
    { "http://sabredav.org/ns",         "s" },
    { "urn:schemas-microsoft-com:",     "Z" },
    { NULL, NULL }
};

ms_ns *ms_ns_get(ms_doc *doc, const char *uri, const char **why)
{
    ms_ns *ns;
    apr_size_t len, esc;
    const char *bad;
    char *p;
    int i;

    if (!uri || !*uri) {
        if (uri && doc->nons_ok) {
            /* unprefixed, never declared: the writer declares no default
             * namespace, so an unprefixed name is in no namespace */
            if (!doc->nons) {
                doc->nons = apr_pcalloc(doc->pool, sizeof(*doc->nons));
                doc->nons->uri = "";
                doc->nons->prefix = "";
                doc->nons->uri_attr = "";
                doc->nons->on_root = 1;
            }
            return doc->nons;
        }
        *why = "an empty namespace URI";
        return NULL;
    }
    if (uri[0] == 'D' && strcmp(uri, "DAV:") == 0)
        return doc->dav;
    if (doc->last_ns && strcmp(uri, doc->last_ns->uri) == 0)
        return doc->last_ns;
    len = strlen(uri);
    ns = apr_hash_get(doc->ns_by_uri, uri, len);
    if (!ns) {
        bad = ms_xml_ns_uri_check(uri, len);
        if (!bad)
            bad = ms_xml_text_check(uri, len, 1, &esc);
        if (bad) {
            *why = apr_pstrcat(doc->pool, "a namespace URI holding ", bad,
                               NULL);
            return NULL;
        }
        ns = apr_pcalloc(doc->pool, sizeof(*ns));
        ns->uri = apr_pstrmemdup(doc->pool, uri, len);
        p = apr_palloc(doc->pool, esc + 1);
        *ms_xml_text_to(p, uri, len, 1) = '\0';
        ns->uri_attr = p;
        ns->uri_attr_len = esc;
        for (i = 0; well_known[i].uri; i++) {
            if (strcmp(uri, well_known[i].uri) == 0) {
                ns->prefix = well_known[i].prefix;
                break;
            }
        }
        if (!ns->prefix)
            ns->prefix = apr_psprintf(doc->pool, "ns%u", ++doc->ns_generated);
        ns->plen = strlen(ns->prefix);
        /* before the root is written, everything goes on the root */
        ns->on_root = !doc->root_written;
        doc->ns_late |= !ns->on_root;
        if (doc->ns_last)
            doc->ns_last->next = ns;
        else
            doc->ns_first = ns;
        doc->ns_last = ns;
        apr_hash_set(doc->ns_by_uri, ns->uri, len, ns);
    }
    doc->last_ns = ns;
    return ns;
}

ms_qn *ms_qn_get(ms_doc *doc, const char *ns, const char *name,
                 const char **why)
{
    qcache_entry *ce = &doc->qcache[(((apr_uintptr_t)name >> 3)
                                     ^ ((apr_uintptr_t)ns >> 4))
                                    % QCACHE_SIZE];
    ms_ns *n;
    ms_qn *qn;
    apr_size_t len, plen;
    char *t;

    if (ce->qn && ce->name_ptr == name && ce->ns_ptr == ns && ns && name
        && strcmp(ce->qn->name, name) == 0
        && strcmp(ce->qn->ns->uri, ns) == 0)
        return ce->qn;
    n = ms_ns_get(doc, ns, why);
    if (!n)
        return NULL;
    if (!name || !*name) {
        *why = "an empty local name";
        return NULL;
    }
    len = strlen(name);
    qn = n->names ? apr_hash_get(n->names, name, len) : NULL;
    if (!qn) {
        if (!ms_xml_is_ncname_in(doc->pool, name)) {
            *why = apr_psprintf(doc->pool, "a local name that is not an XML "
                                "name: '%.80s'", name);
            return NULL;
        }
        if (!n->names)
            n->names = apr_hash_make(doc->pool);
        plen = n->plen;
        qn = apr_pcalloc(doc->pool, sizeof(*qn));
        qn->doc = doc;
        qn->ns = n;
        qn->mark = 0;
        qn->bit = doc->nqn < 64 ? (apr_uint64_t)1 << doc->nqn : 0;
        doc->nqn++;
        qn->name = apr_pstrmemdup(doc->pool, name, len);
        t = apr_palloc(doc->pool, 1 + plen + 1 + len + 1);
        t[0] = '<';
        memcpy(t + 1, n->prefix, plen);
        if (plen) {
            t[1 + plen] = ':';
            plen++;
        }
        memcpy(t + 1 + plen, name, len + 1);
        qn->open = t;
        qn->open_len = 1 + plen + len;
        qn->close = apr_pstrcat(doc->pool, "</", n->prefix, n->plen ? ":" : "",
                                name, ">", NULL);
        qn->close_len = qn->open_len + 2;
        apr_hash_set(n->names, qn->name, len, qn);
    }
    ce->ns_ptr = ns;
    ce->name_ptr = name;
    ce->qn = qn;
    return qn;
}
