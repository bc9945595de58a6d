/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_access.c: MultiStatusAccessCheck, the per-user access check of every
 * response before it is rendered.
 *
 * A 207 names resources and its properties reveal sizes, dates and types:
 * a listing must not show a user what httpd would not serve him.  For each
 * response but the request-URI's own (that request passed its own checks),
 * a lookup subrequest of the same method for the response's URI runs httpd's
 * access pipeline - translate_name, map_to_storage (the <Directory>,
 * <Files>, <Location> walks, .htaccess), access checkers, authentication
 * and authorization with the request's own credentials (a subrequest
 * carries the headers of its parent) - but no handler.  What it denies is
 * hidden (Hide) or turned into a bare 403 (Forbid).
 *
 * The decision is httpd's own: a lookup that ends with a status of 400 or
 * more (401, 403, 404 for an undecodable path, 500 for a broken
 * configuration) hides the response; fail closed.  Reusing a decision
 * between siblings is left to httpd, which already skips authentication
 * and authorization in a subrequest whose merged configuration is the very
 * one of its parent (ap_process_request_internal), and caches its walks
 * between subrequests of one request.
 *
 * Called by ms_api.c from the core's prepare callback, before the hooks;
 * calls the core only.
 */
#include "apr_strings.h"
#include "http_request.h"

#include "ms_private.h"

/* A passed lookup kept alive as the parent of the next lookups of its
 * kind (same last extension): see visible(). */
#define MS_ANCHORS 8
typedef struct {
    const char *ext;            /* "" for names without one */
    request_rec *rr;
} anchor;

struct ms_access_state {
    anchor a[MS_ANCHORS];
    int n;
};

/* The extension of the last segment of @a uri ("" when none). */
static const char *extension(const char *uri)
{
    const char *seg = strrchr(uri, '/');
    const char *dot;

    seg = seg ? seg + 1 : uri;
    dot = strrchr(seg, '.');
    return dot ? dot + 1 : "";
}

/* May the user of @a r see the resource of @a resp?  1 yes, 0 no.
 *
 * Reusing httpd's own proof: httpd skips authentication and authorization
 * in a subrequest whose merged configuration is that of its parent (the
 * parent passed them), and its walks hand a subrequest the merges cached by
 * its parent, so the same sections give the very same configuration.  A
 * lookup that passed under sections of its own (say <Files "*.key">) is
 * kept and made the parent of the next lookups of the same extension: when
 * they walk the same sections, httpd itself reuses its decision (no second
 * password check); when they do not, it decides from scratch.  Denied
 * lookups are never parents. */
static int visible(request_rec *r, ms_req *rq, ms_response *resp)
{
    const char *uri = ms_doc_response_uri_path(resp);
    struct ms_access_state *st = rq->access;
    request_rec *rr, *parent = r;
    const char *ext;
    int status, i;

    if (!uri || uri[0] != '/') {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "multistatus: access check: no path in href %s",
                      ms_doc_response_href(resp));
        return 0;
    }
    /* the query of an href is not part of what is authorized */
    if (strchr(uri, '?'))
        uri = apr_pstrmemdup(r->pool, uri, strcspn(uri, "?"));
    if (!st)
        st = rq->access = apr_pcalloc(r->pool, sizeof(*st));
    ext = extension(uri);
    for (i = 0; i < st->n; i++) {
        if (strcmp(st->a[i].ext, ext) == 0) {
            parent = st->a[i].rr;
            break;
        }
    }
    /* httpd logs the denials of the lookup as it logs any (at [error],
     * AH01630/AH01631, as for mod_autoindex's listings): README says how
     * to quiet them for a share (LogLevel authz_core:crit there). */
    rr = ap_sub_req_method_uri(r->method, uri, parent, NULL);
    status = rr->status;
    ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r,
                  "multistatus: access check of %s %s: %d%s%s", r->method,
                  uri, status, status < 400 ? "" : ", not listed",
                  parent != r && rr->per_dir_config == parent->per_dir_config
                  ? " (decision of a sibling, by httpd)" : "");
    if (status < 400 && parent == r && st->n < MS_ANCHORS
        && rr->per_dir_config != r->per_dir_config) {
        st->a[st->n].ext = apr_pstrdup(r->pool, ext);
        st->a[st->n].rr = rr;   /* lives as long as the request */
        st->n++;
    }
    else {
        ap_destroy_sub_req(rr);
    }
    return status < 400;
}

int ms_access_filter(ms_req *rq, ms_response *resp)
{
    request_rec *r = rq->r;

    if (rq->conf->access_check <= MS_ACCESS_OFF
        || ms_doc_response_is_base(resp) || visible(r, rq, resp))
        return 1;
    if (rq->conf->access_check == MS_ACCESS_FORBID) {
        ms_doc_forbid(resp, HTTP_FORBIDDEN);
        return 1;
    }
    ms_doc_hide(resp);
    return 0;
}
