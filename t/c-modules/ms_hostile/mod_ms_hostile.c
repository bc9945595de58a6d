#if CONFIG_FOR_HTTPD_TEST
<Location /ms_hostile/>
    SetHandler ms-hostile
</Location>
#endif

/*
 * mod_ms_hostile: the hostile module author of the hardening tests
 * (t/hardening_*.t, docs/HOSTILE-INPUT.md).  It calls mod_multistatus the
 * way the audit did: from the begin hook, around ap_rflush(), from a
 * subrequest, with refused and conflicting one-call registrations.
 *
 * One handler, "ms-hostile"; the scenario is the last non-empty segment of
 * the request-URI (so /ms_hostile/buf0/begin runs "begin" under the
 * configuration of /ms_hostile/buf0/, t/conf/ms_hostile.conf.in).  The
 * return code of every call a test asserts goes into a response header
 * "X-Hostile-RV: label=NAME" (err_headers_out, before the headers leave),
 * NAME being OK, EINVAL, ECONFLICT, EFINISHED, EDISABLED, ELIMIT, EABORTED
 * or rvNNN.
 */

#define APACHE_HTTPD_TEST_HANDLER     ms_hostile_handler
#define APACHE_HTTPD_TEST_EXTRA_HOOKS ms_hostile_register_extra

#include "apache_httpd_test.h"

#include "apr_strings.h"
#include "http_request.h"

#include "mod_multistatus.h"

APLOG_USE_MODULE(ms_hostile);

static ms_api api;

#define NOTE_BEGIN "ms-hostile-begin"

static void hostile_retrieve(void)
{
    ms_api_retrieve(&api);
}

static const char *rv_name(apr_pool_t *p, apr_status_t rv)
{
    switch (rv) {
    case APR_SUCCESS:  return "OK";
    case MS_EINVAL:    return "EINVAL";
    case MS_ECONFLICT: return "ECONFLICT";
    case MS_EFINISHED: return "EFINISHED";
    case MS_EDISABLED: return "EDISABLED";
    case MS_ELIMIT:    return "ELIMIT";
    case MS_EABORTED:  return "EABORTED";
    default:           return apr_psprintf(p, "rv%d", (int)rv);
    }
}

static apr_status_t rep(request_rec *r, const char *label, apr_status_t rv)
{
    request_rec *top = r;

    while (top->main)
        top = top->main;
    apr_table_add(top->err_headers_out, "X-Hostile-RV",
                  apr_pstrcat(r->pool, label, "=", rv_name(r->pool, rv),
                              NULL));
    return rv;
}

/* The begin hook: registers and closes (and flushes) while the root
 * element is being written.  Mode in the note: "close" or "flush". */
static int hostile_begin(request_rec *r)
{
    const char *mode = apr_table_get(r->notes, NOTE_BEGIN);
    ms_response *resp = NULL;

    if (!mode)
        return DECLINED;
    rep(r, "begin-add", api.add_status(r, "from-begin", 200, NULL));
    if (rep(r, "begin-open", api.response_open(r, "from-begin-2", &resp))
        == APR_SUCCESS) {
        api.response_set_status(resp, 200);
        if (!strcmp(mode, "close"))
            rep(r, "begin-close", api.response_close(resp));
    }
    if (!strcmp(mode, "flush"))
        rep(r, "begin-flush", api.flush(r));
    return OK;
}

/* 1: the begin hook closes or flushes; many small responses around it. */
static int sc_begin(request_rec *r, const char *mode)
{
    int i;

    apr_table_setn(r->notes, NOTE_BEGIN, mode);
    for (i = 0; i < 40; i++) {
        ms_response *resp;
        if (api.response_open(r, apr_psprintf(r->pool, "m%02d", i), &resp)
            != APR_SUCCESS)
            return HTTP_INTERNAL_SERVER_ERROR;
        api.response_set_status(resp, 200);
        api.response_close(resp);
    }
    return OK;
}

/* 3: a flush that passes by (ap_rflush) after the commit must not free the
 * responses the handler holds. */
static int sc_flushfree(request_rec *r)
{
    ms_response *a = NULL, *b = NULL;

    rep(r, "first", api.add_status(r, "first", 200, NULL));
    rep(r, "flush", api.flush(r));          /* committed: streaming */
    if (api.response_open(r, "a", &a) != APR_SUCCESS)
        return HTTP_INTERNAL_SERVER_ERROR;
    ap_rflush(r);
    if (api.response_open(r, "b", &b) != APR_SUCCESS)
        return HTTP_INTERNAL_SERVER_ERROR;
    api.response_set_status(b, 201);
    api.response_set_status(a, 410);
    ap_rflush(r);
    api.prop_add(a, "urn:x", "y", 200, MS_VALUE_TEXT, "z");  /* ECONFLICT */
    api.response_close(a);
    api.response_close(b);
    return OK;
}

/* 8: a refused one-call registration on an open href changes nothing; a
 * second, different status for one href is refused. */
static int sc_addstatus(request_rec *r)
{
    rep(r, "a1", api.add_status(r, "a", 200, NULL));
    rep(r, "a2", api.add_status(r, "a", 404, "bad \x01 text"));
    rep(r, "b1", api.add_status(r, "b", 200, NULL));
    rep(r, "b2", api.add_status(r, "b", 403, "other"));
    rep(r, "b3", api.add_status(r, "./b", 200, "same again"));
    rep(r, "c1", api.add_status(r, "/ms_hostile/x/c", 403, NULL));
    rep(r, "c2", api.add_status(r, "../x/../x/c", 404, NULL));
    return OK;
}

/* 13: the API called from a subrequest. */
static int sc_subreq(request_rec *r)
{
    request_rec *sub;

    rep(r, "main1", api.add_status(r, "main-1", 200, NULL));
    sub = ap_sub_req_lookup_uri("/ms_hostile/sub/inner", r, r->output_filters);
    if (sub && sub->status == HTTP_OK)
        ap_run_sub_req(sub);
    if (sub)
        ap_destroy_sub_req(sub);
    rep(r, "main2", api.add_status(r, "main-2", 200, NULL));
    return OK;
}

static int sc_inner(request_rec *r)
{
    rep(r, "sub", api.add_status(r, "from-sub", 200, NULL));
    return OK;
}

/* A PROPFIND answered from what the client asked: the request-URI and two
 * members, each with DAV:displayname (and, for propname/lang checks, a
 * language), everything else left to the module's completeness rule. */
static int sc_pf(request_rec *r)
{
    const ms_propfind *pf;
    int i, rc = api.propfind_read(r, &pf);

    if (rc != OK)
        return rc;
    for (i = 0; i < 3; i++) {
        ms_response *resp;
        const char *path = i ? apr_psprintf(r->pool, "member%d", i) : r->uri;
        if (api.response_open(r, path, &resp) != APR_SUCCESS)
            return HTTP_INTERNAL_SERVER_ERROR;
        if (api.propfind_wants(pf, "DAV:", "displayname")) {
            api.prop_add(resp, "DAV:", "displayname", 200, MS_VALUE_TEXT,
                         "name");
            api.prop_set_lang(resp, "DAV:", "displayname", "en");
        }
        api.response_close(resp);
    }
    return OK;
}

/* A PROPPATCH that gives each value back as it was read (MS_VALUE_XML),
 * so that the test sees what a stored dead property would look like. */
static int sc_pp(request_rec *r)
{
    const apr_array_header_t *ops;
    ms_response *resp;
    int i, rc = api.proppatch_read(r, &ops);

    if (rc != OK)
        return rc;
    if (api.response_open(r, r->uri, &resp) != APR_SUCCESS)
        return HTTP_INTERNAL_SERVER_ERROR;
    for (i = 0; i < ops->nelts; i++) {
        const ms_proppatch_op *op = &APR_ARRAY_IDX(ops, i, ms_proppatch_op);
        rep(r, op->name, api.prop_add(resp, op->ns, op->name, 200,
                                      op->remove ? MS_VALUE_NONE
                                                 : MS_VALUE_XML,
                                      op->value));
    }
    api.response_close(resp);
    return OK;
}

/* A big status-form listing (n responses), for HEAD. */
static int sc_big(request_rec *r)
{
    int i, n = 3000;

    for (i = 0; i < n; i++)
        api.add_status(r, apr_psprintf(r->pool, "member-%05d", i), 200,
                       NULL);
    return OK;
}

static int ms_hostile_handler(request_rec *r)
{
    const char *sc, *end;

    if (!r->handler || strcmp(r->handler, "ms-hostile"))
        return DECLINED;
    if (!api.available) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "ms_hostile: mod_multistatus is not loaded");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    end = r->uri + strlen(r->uri);
    while (end > r->uri && end[-1] == '/')
        end--;
    sc = end;
    while (sc > r->uri && sc[-1] != '/')
        sc--;
    sc = apr_pstrmemdup(r->pool, sc, (apr_size_t)(end - sc));
    if (r->method_number == M_PROPFIND)
        return sc_pf(r);
    if (r->method_number == M_PROPPATCH)
        return sc_pp(r);
    if (!strcmp(sc, "begin-close"))
        return sc_begin(r, "close");
    if (!strcmp(sc, "begin-flush"))
        return sc_begin(r, "flush");
    if (!strcmp(sc, "flushfree"))
        return sc_flushfree(r);
    if (!strcmp(sc, "addstatus"))
        return sc_addstatus(r);
    if (!strcmp(sc, "subreq"))
        return sc_subreq(r);
    if (!strcmp(sc, "inner"))
        return sc_inner(r);
    if (!strcmp(sc, "big"))
        return sc_big(r);
    if (!strcmp(sc, "plain")) {
        api.add_status(r, "a", 200, NULL);
        api.add_status(r, "b", 404, NULL);
        return OK;
    }
    return HTTP_NOT_FOUND;
}

static void ms_hostile_register_extra(apr_pool_t *p)
{
    (void)p;
    ap_hook_optional_fn_retrieve(hostile_retrieve, NULL, NULL,
                                 APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ms, multistatus_begin_body, hostile_begin, NULL, NULL,
                      APR_HOOK_MIDDLE);
}

APACHE_HTTPD_TEST_MODULE(ms_hostile);
