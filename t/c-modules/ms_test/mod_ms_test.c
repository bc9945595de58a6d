/* SPDX-License-Identifier: Apache-2.0 */
#if CONFIG_FOR_HTTPD_TEST
<Location /ms_test/>
    SetHandler ms-test
</Location>
#endif

/*
 * mod_ms_test: the test consumer of mod_multistatus's public API.
 *
 * It reaches mod_multistatus only through the optional functions (c-modules
 * are loaded before the module under test), exactly as a third-party module
 * that must degrade gracefully would.  One handler, "ms-test", dispatches on
 * a scenario name: the last non-empty segment of the request-URI, so that
 * /ms_test/api/props, /deflate/ms_test/props and /ms_test/uri/props run the
 * same code under different configurations (t/conf/ms_api.conf.in).  Paths
 * the scenarios register are relative to the request-URI, or absolute below
 * /elsewhere/.  The query string may carry "n=NUMBER" (size of
 * the big listing) and "late=NUMBER" (index from which it uses a namespace
 * that was not known when the root element was written).
 *
 * Every API call whose result a test asserts is reported in a response
 * header "X-MS-RV: label=NAME" (NAME: OK, EINVAL, ECONFLICT, EFINISHED,
 * EDISABLED, ELIMIT, EABORTED or rvNNN), in err_headers_out so that it
 * survives an error answer.  Calls made after the headers went out (late
 * registration) are reported in the error log at info level instead:
 * "ms_test: report label=NAME".
 *
 * The property-method scenarios pf (PROPFIND), pp (PROPPATCH) and rep
 * (REPORT) read the request body themselves (it is not discarded for them):
 * see the comment before sc_pf (t/props_*.t, t/conf/ms_props.conf.in).
 *
 * The optional hooks of mod_multistatus are registered too; they act only
 * on requests whose note "ms-test-hooks" is set (scenario "hooks"):
 *  - prepare_response: hides responses whose path contains "hidden", sets
 *    status 410 on status-form responses whose path ends in "/chg", adds
 *    the property {urn:example:hook}added = "by hook" to propstat-form
 *    responses whose path ends in "/addprop";
 *  - begin_body: declares the namespace "urn:example:begin";
 *  - end_body: sets the multistatus-level description "set by end hook".
 */

#define APACHE_HTTPD_TEST_HANDLER         ms_test_handler
#define APACHE_HTTPD_TEST_LOG_TRANSACTION ms_test_log_transaction
#define APACHE_HTTPD_TEST_EXTRA_HOOKS     ms_test_register_extra

#include "apache_httpd_test.h"

#include "apr_strings.h"
#include "apr_buckets.h"
#include "util_filter.h"

#include "mod_multistatus.h"

APLOG_USE_MODULE(ms_test);

static ms_api api;

#define NOTE_HOOKS "ms-test-hooks"
#define NOTE_LATE  "ms-test-late"

static void ms_test_retrieve(void)
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

/* Report the result of one call to the test (see the top comment). */
static apr_status_t rep(request_rec *r, const char *label, apr_status_t rv)
{
    apr_table_add(r->err_headers_out, "X-MS-RV",
                  apr_pstrcat(r->pool, label, "=", rv_name(r->pool, rv),
                              NULL));
    return rv;
}

/* Report through the log: for calls made once the headers are gone. */
static void rep_log(request_rec *r, const char *label, apr_status_t rv)
{
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "ms_test: report %s=%s",
                  label, rv_name(r->pool, rv));
}

/* Open @a path, reporting a failure under @a label; NULL when refused. */
static ms_response *open_path(request_rec *r, const char *label,
                              const char *path)
{
    ms_response *resp = NULL;
    apr_status_t rv = api.response_open(r, path, &resp);

    if (rv != APR_SUCCESS) {
        rep(r, label, rv);
        return NULL;
    }
    return resp;
}

/* Report what the accessors say: X-MS-Acc: label href=H path=P status=S */
static void report_accessors(request_rec *r, const char *label,
                             const ms_response *resp)
{
    const char *href = api.response_href(resp);
    const char *path = api.response_path(resp);

    apr_table_add(r->err_headers_out, "X-MS-Acc",
                  apr_psprintf(r->pool, "%s href=%s path=%s status=%d",
                               label, href ? href : "(null)",
                               path ? path : "(null)",
                               api.response_status(resp)));
}

static long query_num(request_rec *r, const char *key, long dflt)
{
    const char *q = r->args;
    apr_size_t klen = strlen(key);

    while (q && *q) {
        if (strncmp(q, key, klen) == 0 && q[klen] == '=') {
            return strtol(q + klen + 1, NULL, 10);
        }
        q = strchr(q, '&');
        if (q) {
            q++;
        }
    }
    return dflt;
}

/* The request-URI without its trailing slashes, @a suffix appended. */
static const char *under(request_rec *r, const char *suffix)
{
    apr_size_t len = strlen(r->uri);

    while (len > 1 && r->uri[len - 1] == '/') {
        len--;
    }
    return apr_pstrcat(r->pool, apr_pstrmemdup(r->pool, r->uri, len),
                       suffix, NULL);
}

/* The same, each '/' doubled. */
static const char *under_doubled(request_rec *r, const char *suffix)
{
    const char *base = under(r, "");
    char *out = apr_palloc(r->pool, 2 * strlen(base) + 1), *o = out;

    for (; *base; base++) {
        if (*base == '/') {
            *o++ = '/';
        }
        *o++ = *base;
    }
    *o = '\0';
    return apr_pstrcat(r->pool, out, suffix, NULL);
}

/* The last non-empty segment of the request-URI. */
static const char *scenario_name(request_rec *r)
{
    const char *uri = r->uri;
    const char *end = uri + strlen(uri);
    const char *start;

    while (end > uri && end[-1] == '/') {
        end--;
    }
    start = end;
    while (start > uri && start[-1] != '/') {
        start--;
    }
    return apr_pstrmemdup(r->pool, start, end - start);
}

/*
 * Scenarios.  Each returns the handler's return value.
 */

/* A small body of both forms: used with every method, HEAD, deflate and
 * the configuration variants. */
static int sc_basic(request_rec *r)
{
    ms_response *resp = open_path(r, "open", r->uri);

    if (!resp) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    rep(r, "p1", api.prop_add(resp, "DAV:", "displayname", HTTP_OK,
                              MS_VALUE_TEXT, "Basic & <test>"));
    rep(r, "p2", api.prop_add(resp, "DAV:", "resourcetype", HTTP_OK,
                              MS_VALUE_XML, "<D:collection/>"));
    rep(r, "p3", api.prop_add(resp, "urn:example:basic", "color",
                              HTTP_NOT_FOUND, MS_VALUE_NONE, NULL));
    rep(r, "close", api.response_close(resp));
    rep(r, "s1", api.add_status(r, "member one", HTTP_OK, NULL));
    rep(r, "s2", api.add_status(r, "gone", HTTP_NOT_FOUND, "not here"));
    rep(r, "desc", api.set_description(r, "basic done"));
    return OK;
}

/* Status form: location, error, descriptions, reasons of known and
 * unknown codes, last status wins. */
static int sc_status(request_rec *r)
{
    static const int codes[] = { 200, 204, 302, 403, 404, 409, 423, 424,
                                 507, 250, 299, 399, 499, 599 };
    ms_response *resp;
    apr_size_t i;

    resp = open_path(r, "open-moved", "moved");
    if (resp) {
        rep(r, "moved-status", api.response_set_status(resp, 301));
        rep(r, "moved-loc",
            api.response_set_location(resp, "/elsewhere/new place/"));
        rep(r, "moved-desc",
            api.response_set_description(resp, "moved away"));
        rep(r, "moved-close", api.response_close(resp));
    }
    resp = open_path(r, "open-locked", "locked");
    if (resp) {
        rep(r, "locked-status", api.response_set_status(resp, 423));
        rep(r, "locked-error",
            api.response_set_error(resp, "DAV:", "lock-token-submitted"));
        rep(r, "locked-desc",
            api.response_set_description(resp, "locked by someone"));
        rep(r, "locked-close", api.response_close(resp));
    }
    resp = open_path(r, "open-custom", "custom-err");
    if (resp) {
        rep(r, "custom-status", api.response_set_status(resp, 403));
        rep(r, "custom-error",
            api.response_set_error(resp, "urn:example:err",
                                   "quota-exceeded"));
        rep(r, "custom-close", api.response_close(resp));
    }
    resp = open_path(r, "open-twice", "twice");
    if (resp) {
        rep(r, "twice-1", api.response_set_status(resp, 200));
        rep(r, "twice-2", api.response_set_status(resp, 410));
        /* refused: a location needs a 3xx status */
        rep(r, "loc-non3xx", api.response_set_location(resp, "/elsewhere"));
        rep(r, "twice-close", api.response_close(resp));
    }
    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        const char *name = apr_psprintf(r->pool, "s%d", codes[i]);
        rep(r, name, api.add_status(r, name, codes[i], NULL));
    }
    /* ms_add_status again on an open status-form href: last wins */
    rep(r, "again-1", api.add_status(r, "again", 200, NULL));
    rep(r, "again-2", api.add_status(r, "again", 404, "second call"));
    return OK;
}

/* Propstat form: the three value kinds, escaping, fragments, languages,
 * propstat and response level error/description. */
static int sc_props(request_rec *r)
{
    ms_response *resp = open_path(r, "open", "p1");

    if (!resp) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    rep(r, "displayname",
        api.prop_add(resp, "DAV:", "displayname", 200, MS_VALUE_TEXT,
                     "Tom & Jerry <b>"));
    rep(r, "getcontentlength",
        api.prop_add(resp, "DAV:", "getcontentlength", 200, MS_VALUE_TEXT,
                     "42"));
    rep(r, "resourcetype",
        api.prop_add(resp, "DAV:", "resourcetype", 200, MS_VALUE_XML,
                     "<D:collection/>"));
    rep(r, "esc",
        api.prop_add(resp, "urn:example:props", "esc", 200, MS_VALUE_TEXT,
                     "a & b < c > d \" e ' f caf\xc3\xa9 \xe2\x98\x83 "
                     "\xf0\x9d\x84\x9e \ttab\nnl ]]> end"));
    rep(r, "emptytext",
        api.prop_add(resp, "urn:example:props", "emptytext", 200,
                     MS_VALUE_TEXT, ""));
    rep(r, "frag",
        api.prop_add(resp, "urn:example:props", "frag", 200, MS_VALUE_XML,
                     "<x:a xmlns:x=\"urn:example:frag\" x:attr=\"1\">"
                     "v &amp; w</x:a><x:b xmlns:x=\"urn:example:frag\"/>"));
    rep(r, "fragdav",
        api.prop_add(resp, "urn:example:props", "fragdav", 200,
                     MS_VALUE_XML,
                     "<D:href>/a</D:href><D:href>/b%20c</D:href>"));
    rep(r, "fraglang",
        api.prop_add(resp, "urn:example:props", "fraglang", 200,
                     MS_VALUE_XML,
                     "<x:t xmlns:x=\"urn:example:frag\" xml:lang=\"de\">"
                     "Hallo</x:t>"));
    rep(r, "fragdefault",
        api.prop_add(resp, "urn:example:props", "fragdefault", 200,
                     MS_VALUE_XML,
                     "<foo xmlns=\"urn:example:default\">bar</foo>"));
    rep(r, "fragtext",
        api.prop_add(resp, "urn:example:props", "fragtext", 200,
                     MS_VALUE_XML, "just text &lt; escaped &#x263A;"));
    rep(r, "fragcdata",
        api.prop_add(resp, "urn:example:props", "fragcdata", 200,
                     MS_VALUE_XML, "<![CDATA[a<b&c]]>"));
    rep(r, "greeting",
        api.prop_add(resp, "urn:example:props", "greeting", 200,
                     MS_VALUE_TEXT, "Bonjour"));
    rep(r, "greeting-lang",
        api.prop_set_lang(resp, "urn:example:props", "greeting", "fr"));
    rep(r, "ola",
        api.prop_add(resp, "urn:example:props", "ola", 200, MS_VALUE_TEXT,
                     "Ol\xc3\xa1"));
    rep(r, "ola-lang",
        api.prop_set_lang(resp, "urn:example:props", "ola", "pt-BR"));
    rep(r, "lang-noprop",
        api.prop_set_lang(resp, "urn:example:props", "nosuchprop", "en"));
    rep(r, "missing",
        api.prop_add(resp, "urn:example:props", "missing", 404,
                     MS_VALUE_NONE, NULL));
    rep(r, "forbidden",
        api.prop_add(resp, "DAV:", "getetag", 403, MS_VALUE_NONE, NULL));
    rep(r, "ps-desc",
        api.propstat_set_description(resp, 403, "no access"));
    rep(r, "ps-error",
        api.propstat_set_error(resp, 403, "DAV:",
                               "cannot-modify-protected-property"));
    /* propstat created by its description alone (status 424) */
    rep(r, "ps424-desc",
        api.propstat_set_description(resp, 424, "dependency"));
    rep(r, "ps424-prop",
        api.prop_add(resp, "urn:example:props", "dep", 424, MS_VALUE_NONE,
                     NULL));
    rep(r, "resp-error",
        api.response_set_error(resp, "urn:example:props", "partial"));
    rep(r, "resp-desc",
        api.response_set_description(resp, "mixed results"));
    report_accessors(r, "p1", resp);
    rep(r, "close", api.response_close(resp));
    return OK;
}

/* The same href registered several times, under several spellings:
 * one response; props grouped one propstat per status, first-seen order. */
static int sc_group(request_rec *r)
{
    ms_response *a, *b, *c;

    a = open_path(r, "open-a", under(r, "/r1"));
    if (!a) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    rep(r, "a1", api.prop_add(a, "DAV:", "displayname", 200, MS_VALUE_TEXT,
                              "one"));
    rep(r, "a2", api.prop_add(a, "urn:example:g", "missing", 404,
                              MS_VALUE_NONE, NULL));
    rep(r, "a3", api.prop_add(a, "urn:example:g", "moved", 200,
                              MS_VALUE_TEXT, "v1"));
    /* a status-form response in between */
    rep(r, "other", api.add_status(r, "other", 200, NULL));
    b = open_path(r, "open-b", "r1");               /* relative */
    if (b) {
        rep(r, "same-b", b == a ? APR_SUCCESS : APR_EGENERAL);
        rep(r, "b1", api.prop_add(b, "DAV:", "getetag", 200, MS_VALUE_TEXT,
                                  "\"e1\""));
        rep(r, "b2", api.prop_add(b, "urn:example:g", "forbidden", 403,
                                  MS_VALUE_NONE, NULL));
        rep(r, "b3", api.prop_add(b, "urn:example:g", "missing2", 404,
                                  MS_VALUE_NONE, NULL));
    }
    c = open_path(r, "open-c", under_doubled(r, "/./x/../r1"));
    if (c) {
        rep(r, "same-c", c == a ? APR_SUCCESS : APR_EGENERAL);
        /* re-adding moves the property to its new status */
        rep(r, "c1", api.prop_add(c, "urn:example:g", "moved", 403,
                                  MS_VALUE_NONE, NULL));
        /* re-adding with the same status replaces the value */
        rep(r, "c2", api.prop_add(c, "DAV:", "displayname", 200,
                                  MS_VALUE_TEXT, "uno"));
    }
    /* a second href left open, rendered at the end in open order */
    rep(r, "z", api.add_status(r, "zz-last", 204, NULL));
    rep(r, "y", api.add_status(r, "yy-after", 200, NULL));
    return OK;
}

/* Unescaped paths holding every awkward byte: names appended to the
 * request-URI, then absolute and relative paths. */
static const char *const awkward_names[] = {
    "/a b",
    "/hash#q?x=1",
    "/100%",
    "/pct%41",
    "/[v6]",
    "/caf\xc3\xa9",
    "/(x)!'*",
    "/a&b",
    "/$+,;=:@~-._",
    "/<>\"",
    "/back\\slash",
    "/{}|^`",
    "/ctl\x01",
    "/coll/",
    NULL
};
static const char *const awkward_paths[] = {
    "//elsewhere//dbl///x//",
    "/elsewhere/./dot/../dd",
    "rel x",
    "sub/../up",
    NULL
};

static int sc_paths(request_rec *r)
{
    int i, j;

    for (i = 0; awkward_names[i]; i++) {
        rep(r, apr_psprintf(r->pool, "path%d", i),
            api.add_status(r, under(r, awkward_names[i]), 200 + i, NULL));
    }
    for (j = 0; awkward_paths[j]; j++, i++) {
        rep(r, apr_psprintf(r->pool, "path%d", i),
            api.add_status(r, awkward_paths[j], 200 + i, NULL));
    }
    return OK;
}

/* ms_response_open_href: valid and refused encoded hrefs. */
static int sc_enc(request_rec *r)
{
    static const char *const good[] = {
        "/elsewhere/enc/a%20b",
        "/elsewhere/enc/%E2%98%83",
        "/elsewhere/enc/a&b",
        "sub%20dir/x",
        NULL
    };
    static const char *const bad[] = {
        "/elsewhere/enc/a b",
        "/elsewhere/enc/%zz",
        "/elsewhere/enc/%4",
        "/elsewhere/enc/<x>",
        "/elsewhere/enc/caf\xc3\xa9",
        "/elsewhere/enc/q\"",
        "/elsewhere/enc/{x}",
        "/elsewhere/enc/ctl\x01",
        NULL
    };
    ms_response *resp;
    apr_status_t rv;
    int i;

    for (i = 0; good[i]; i++) {
        rv = api.response_open_href(r, good[i], &resp);
        rep(r, apr_psprintf(r->pool, "good%d", i), rv);
        if (rv == APR_SUCCESS) {
            api.response_set_status(resp, 200);
            api.response_close(resp);
        }
    }
    /* an absolute URI of this very server */
    rv = api.response_open_href(r, ap_construct_url(r->pool, "/elsewhere/enc/abs",
                                                    r), &resp);
    rep(r, "absuri", rv);
    if (rv == APR_SUCCESS) {
        report_accessors(r, "absuri", resp);
        api.response_set_status(resp, 200);
        api.response_close(resp);
    }
    for (i = 0; bad[i]; i++) {
        resp = NULL;
        rv = api.response_open_href(r, bad[i], &resp);
        rep(r, apr_psprintf(r->pool, "bad%d", i), rv);
        if (rv == APR_SUCCESS && resp) {
            api.response_set_status(resp, 500);
        }
    }
    rep(r, "href-null", api.response_open_href(r, NULL, &resp));
    rep(r, "href-empty", api.response_open_href(r, "", &resp));
    return OK;
}

/* Many namespaces: conventional prefixes for the well-known ones, nsN for
 * the others in first-seen order, each declared once. */
static int sc_ns(request_rec *r)
{
    static const char *const uris[] = {
        "urn:example:first",
        "urn:ietf:params:xml:ns:caldav",
        "urn:ietf:params:xml:ns:carddav",
        "http://calendarserver.org/ns/",
        "urn:example:second",
        "http://apple.com/ns/ical/",
        "http://owncloud.org/ns",
        "http://nextcloud.org/ns",
        "http://sabredav.org/ns",
        "urn:schemas-microsoft-com:",
        "urn:example:third",
        NULL
    };
    ms_response *resp;
    int i, j;

    for (j = 0; j < 3; j++) {
        resp = open_path(r, apr_psprintf(r->pool, "open%d", j),
                         apr_psprintf(r->pool, "r%d", j));
        if (!resp) {
            continue;
        }
        for (i = 0; uris[i]; i++) {
            rep(r, apr_psprintf(r->pool, "r%d-%d", j, i),
                api.prop_add(resp, uris[i], "p", (i % 2) ? 200 : 404,
                             (i % 2) ? MS_VALUE_TEXT : MS_VALUE_NONE,
                             (i % 2) ? "v" : NULL));
        }
        api.response_close(resp);
    }
    /* twenty more unknown namespaces in one response */
    resp = open_path(r, "open-many", "many");
    if (resp) {
        for (i = 0; i < 20; i++) {
            rep(r, apr_psprintf(r->pool, "many%d", i),
                api.prop_add(resp,
                             apr_psprintf(r->pool, "urn:example:many:%02d",
                                          i),
                             "q", 200, MS_VALUE_NONE, NULL));
        }
        api.response_close(resp);
    }
    return OK;
}

/* The handler writes a body of its own after registering: replaced. */
static int sc_ownbody(request_rec *r)
{
    rep(r, "s1", api.add_status(r, "x", 200, NULL));
    ap_set_content_type(r, "text/html");
    ap_rputs("<html>handler's own body</html>\n", r);
    return OK;
}

/* ... and before registering (small, still buffered): replaced too. */
static int sc_ownbody_first(request_rec *r)
{
    ap_set_content_type(r, "text/html");
    ap_rputs("<html>written first</html>\n", r);
    rep(r, "s1", api.add_status(r, "x", 200, NULL));
    return OK;
}

/* Registers, then returns an error status: the error wins. */
static int sc_errwins(request_rec *r)
{
    rep(r, "s1", api.add_status(r, "x", 200, NULL));
    return HTTP_FORBIDDEN;
}

/* Registers, then sets an error status itself and writes its own body. */
static int sc_errstatus(request_rec *r)
{
    rep(r, "s1", api.add_status(r, "x", 200, NULL));
    r->status = HTTP_CONFLICT;
    ap_set_content_type(r, "text/plain");
    ap_rputs("handler conflict\n", r);
    return OK;
}

/* Registers nothing: the answer is the handler's own. */
static int sc_nothing(request_rec *r)
{
    ap_set_content_type(r, "text/plain");
    ap_rputs("untouched\n", r);
    return OK;
}

/* A listing of n responses (default 5000), each closed at once, with an
 * ms_flush() every 1000; from index "late" on, propstat responses use a
 * namespace nobody knew when the root was written. */
static int sc_big(request_rec *r)
{
    long n = query_num(r, "n", 5000);
    long late = query_num(r, "late", -1);
    long i;
    apr_status_t rv, first_bad = APR_SUCCESS;

    apr_table_setn(r->err_headers_out, "X-MS-Big", "start");
    for (i = 0; i < n; i++) {
        ms_response *resp;
        const char *path = apr_psprintf(r->pool, "item-%05ld", i);

        rv = api.response_open(r, path, &resp);
        if (rv == APR_SUCCESS) {
            if (i % 2 == 0) {
                rv = api.response_set_status(resp, 200);
            }
            else {
                rv = api.prop_add(resp, "DAV:", "displayname", 200,
                                  MS_VALUE_TEXT,
                                  apr_psprintf(r->pool, "item %ld", i));
                if (rv == APR_SUCCESS && late >= 0 && i >= late) {
                    rv = api.prop_add(resp, "urn:example:late", "lp", 200,
                                      MS_VALUE_TEXT, "late");
                }
            }
            if (rv == APR_SUCCESS) {
                rv = api.response_close(resp);
            }
        }
        if (rv != APR_SUCCESS && first_bad == APR_SUCCESS) {
            first_bad = rv;
            rep_log(r, apr_psprintf(r->pool, "big-%ld", i), rv);
        }
        if (i % 1000 == 999) {
            rv = api.flush(r);
            if (rv != APR_SUCCESS && first_bad == APR_SUCCESS) {
                first_bad = rv;
                rep_log(r, "big-flush", rv);
            }
        }
    }
    api.set_description(r, apr_psprintf(r->pool, "%ld items", n));
    return OK;
}

/* The optional hooks at work (see the top comment). */
static int sc_hooks(request_rec *r)
{
    ms_response *resp;

    apr_table_setn(r->notes, NOTE_HOOKS, "1");
    rep(r, "visible", api.add_status(r, "visible", 200, NULL));
    rep(r, "hidden", api.add_status(r, "hidden-one", 200, NULL));
    rep(r, "chg", api.add_status(r, "chg", 200, NULL));
    resp = open_path(r, "open-addprop", "addprop");
    if (resp) {
        rep(r, "addprop", api.prop_add(resp, "DAV:", "displayname", 200,
                                       MS_VALUE_TEXT, "hooked"));
        rep(r, "beginns", api.prop_add(resp, "urn:example:begin", "b", 200,
                                       MS_VALUE_TEXT, "uses begin ns"));
        rep(r, "close-addprop", api.response_close(resp));
    }
    resp = open_path(r, "open-hidden2", "sub/hidden/two");
    if (resp) {
        rep(r, "hidden2", api.prop_add(resp, "DAV:", "displayname", 200,
                                       MS_VALUE_TEXT, "secret"));
        rep(r, "close-hidden2", api.response_close(resp));
    }
    rep(r, "desc", api.set_description(r, "set by handler"));
    return OK;
}

/* A response opened and left without status or property. */
static int sc_empty_resp(request_rec *r)
{
    ms_response *resp = open_path(r, "open", "empty");

    rep(r, "ok", api.add_status(r, "fine", 200, NULL));
    return resp ? OK : HTTP_INTERNAL_SERVER_ERROR;
}

/* Refused hrefs and paths. */
static int sc_refuse_href(request_rec *r)
{
    ms_response *resp = NULL;

    rep(r, "add-null", api.add_status(r, NULL, 200, NULL));
    rep(r, "add-empty", api.add_status(r, "", 200, NULL));
    rep(r, "open-null", api.response_open(r, NULL, &resp));
    rep(r, "open-empty", api.response_open(r, "", &resp));
    rep(r, "href-null", api.response_open_href(r, NULL, &resp));
    rep(r, "href-empty", api.response_open_href(r, "", &resp));
    rep(r, "href-space", api.response_open_href(r, "/elsewhere/a b", &resp));
    rep(r, "href-pct", api.response_open_href(r, "/elsewhere/%zz", &resp));
    rep(r, "ok", api.add_status(r, "control", 200, NULL));
    return OK;
}

/* Refused text: invalid UTF-8, characters XML 1.0 forbids. */
static int sc_refuse_text(request_rec *r)
{
    static const struct {
        const char *label;
        const char *text;
    } bad[] = {
        { "badutf8",   "a\xc3\x28" },
        { "lonebyte",  "\xff" },
        { "overlong",  "\xc0\xaf" },
        { "surrogate", "\xed\xa0\x80" },
        { "truncated", "abc\xe2\x98" },
        { "ctl01",     "a\x01" "b" },
        { "ctl1f",     "\x1f" },
        { "fffe",      "\xef\xbf\xbe" },
        { "ffff",      "\xef\xbf\xbf" },
        { NULL, NULL }
    };
    ms_response *resp = open_path(r, "open", "t1");
    ms_response *st = open_path(r, "open-st", "t2");
    int i;

    if (!resp || !st) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    rep(r, "ok", api.prop_add(resp, "urn:example:t", "ok", 200,
                              MS_VALUE_TEXT, "fine"));
    rep(r, "st", api.response_set_status(st, 200));
    for (i = 0; bad[i].label; i++) {
        rep(r, apr_pstrcat(r->pool, "value-", bad[i].label, NULL),
            api.prop_add(resp, "urn:example:t", bad[i].label, 200,
                         MS_VALUE_TEXT, bad[i].text));
    }
    rep(r, "xmlvalue-badutf8",
        api.prop_add(resp, "urn:example:t", "xbad", 200, MS_VALUE_XML,
                     "<D:x>\xff</D:x>"));
    rep(r, "xmlvalue-ctl",
        api.prop_add(resp, "urn:example:t", "xctl", 200, MS_VALUE_XML,
                     "<D:x>a\x02</D:x>"));
    rep(r, "resp-desc",
        api.response_set_description(st, "bad \xff desc"));
    rep(r, "ps-desc",
        api.propstat_set_description(resp, 200, "bad \x01 desc"));
    rep(r, "ms-desc", api.set_description(r, "bad \xef\xbf\xbe desc"));
    rep(r, "add-desc", api.add_status(r, "t3", 200, "bad\xc0\xaf"));
    rep(r, "close", api.response_close(resp));
    rep(r, "close-st", api.response_close(st));
    return OK;
}

/* Refused statuses. */
static int sc_refuse_status(request_rec *r)
{
    ms_response *resp = open_path(r, "open", "s-ok");
    ms_response *ps = open_path(r, "open-ps", "ps-ok");

    if (!resp || !ps) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    rep(r, "add100", api.add_status(r, "s100", 100, NULL));
    rep(r, "add199", api.add_status(r, "s199", 199, NULL));
    rep(r, "add600", api.add_status(r, "s600", 600, NULL));
    rep(r, "add0", api.add_status(r, "s0", 0, NULL));
    rep(r, "addneg", api.add_status(r, "sneg", -200, NULL));
    rep(r, "set100", api.response_set_status(resp, 100));
    rep(r, "set600", api.response_set_status(resp, 600));
    rep(r, "set200", api.response_set_status(resp, 200));
    rep(r, "prop600", api.prop_add(ps, "urn:example:s", "p600", 600,
                                   MS_VALUE_NONE, NULL));
    rep(r, "prop101", api.prop_add(ps, "urn:example:s", "p101", 101,
                                   MS_VALUE_NONE, NULL));
    rep(r, "propok", api.prop_add(ps, "urn:example:s", "pok", 200,
                                  MS_VALUE_NONE, NULL));
    rep(r, "psdesc99", api.propstat_set_description(ps, 99, "x"));
    rep(r, "pserr700", api.propstat_set_error(ps, 700, "DAV:", "x"));
    rep(r, "close", api.response_close(resp));
    rep(r, "close-ps", api.response_close(ps));
    return OK;
}

/* Refused XML fragments. */
static int sc_refuse_xml(request_rec *r)
{
    static const struct {
        const char *label;
        const char *frag;
    } bad[] = {
        { "unclosed",   "<D:a>" },
        { "mismatch",   "<D:a></D:b>" },
        { "lt",         "a < b" },
        { "amp",        "a & b" },
        { "entity",     "&bogus;" },
        { "undeclared", "<x:y/>" },
        { "undeclattr", "<D:a x:b=\"1\"/>" },
        { "noquote",    "<D:a b=1/>" },
        { "dupattr",    "<D:a b=\"1\" b=\"2\"/>" },
        { "stray-end",  "</D:a>" },
        { "decl",       "<?xml version=\"1.0\"?><D:a/>" },
        { "doctype",    "<!DOCTYPE x><D:a/>" },
        { "badname",    "<1a/>" },
        { "badcharref", "&#0;" },
        { NULL, NULL }
    };
    ms_response *resp = open_path(r, "open", "x1");
    int i;

    if (!resp) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    rep(r, "ok", api.prop_add(resp, "urn:example:x", "ok", 200,
                              MS_VALUE_XML, "<D:href>/fine</D:href>"));
    for (i = 0; bad[i].label; i++) {
        rep(r, bad[i].label,
            api.prop_add(resp, "urn:example:x", bad[i].label, 200,
                         MS_VALUE_XML, bad[i].frag));
    }
    rep(r, "close", api.response_close(resp));
    return OK;
}

/* Refused namespaces and names. */
static int sc_refuse_name(request_rec *r)
{
    ms_response *resp = open_path(r, "open", "n1");
    ms_response *st = open_path(r, "open-st", "n2");

    if (!resp || !st) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    rep(r, "ok", api.prop_add(resp, "urn:example:n", "ok", 200,
                              MS_VALUE_NONE, NULL));
    rep(r, "st", api.response_set_status(st, 403));
    rep(r, "ns-empty", api.prop_add(resp, "", "a", 200, MS_VALUE_NONE,
                                    NULL));
    rep(r, "ns-null", api.prop_add(resp, NULL, "b", 200, MS_VALUE_NONE,
                                   NULL));
    rep(r, "name-empty", api.prop_add(resp, "urn:example:n", "", 200,
                                      MS_VALUE_NONE, NULL));
    rep(r, "name-null", api.prop_add(resp, "urn:example:n", NULL, 200,
                                     MS_VALUE_NONE, NULL));
    rep(r, "name-digit", api.prop_add(resp, "urn:example:n", "1abc", 200,
                                      MS_VALUE_NONE, NULL));
    rep(r, "name-colon", api.prop_add(resp, "urn:example:n", "a:b", 200,
                                      MS_VALUE_NONE, NULL));
    rep(r, "name-space", api.prop_add(resp, "urn:example:n", "a b", 200,
                                      MS_VALUE_NONE, NULL));
    rep(r, "err-ns-empty", api.response_set_error(st, "", "x"));
    rep(r, "err-name-empty", api.response_set_error(st, "DAV:", ""));
    rep(r, "pserr-name", api.propstat_set_error(resp, 200, "DAV:", "a b"));
    rep(r, "ns-decl-empty", api.declare_namespace(r, ""));
    rep(r, "close", api.response_close(resp));
    rep(r, "close-st", api.response_close(st));
    return OK;
}

/* Status form and propstat form mixed on one href. */
static int sc_conflict(request_rec *r)
{
    ms_response *resp;

    rep(r, "s-first", api.add_status(r, "st-first", 200, NULL));
    resp = open_path(r, "open-st", "st-first");
    if (resp) {
        rep(r, "prop-on-status",
            api.prop_add(resp, "DAV:", "displayname", 200, MS_VALUE_TEXT,
                         "x"));
    }
    resp = open_path(r, "open-ps", "ps-first");
    if (resp) {
        rep(r, "p-first", api.prop_add(resp, "DAV:", "displayname", 200,
                                       MS_VALUE_TEXT, "kept"));
        rep(r, "status-on-props", api.response_set_status(resp, 404));
    }
    rep(r, "add-on-props", api.add_status(r, "ps-first", 403, NULL));
    return OK;
}

/* Registration after the body was finished, within the handler: it sends
 * the EOS itself, then registers again. */
static int sc_late_eos(request_rec *r)
{
    apr_bucket_brigade *bb;
    apr_status_t rv;

    rep(r, "s1", api.add_status(r, "before-eos", 200, NULL));
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(bb->bucket_alloc));
    rv = ap_pass_brigade(r->output_filters, bb);
    rep_log(r, "late-eos-pass", rv);
    rep_log(r, "late-eos-add", api.add_status(r, "after-eos", 200, NULL));
    rep_log(r, "late-eos-desc", api.set_description(r, "too late"));
    return OK;
}

/* Registration after the body was finished, from log_transaction. */
static int sc_late_log(request_rec *r)
{
    apr_table_setn(r->notes, NOTE_LATE, "1");
    rep(r, "s1", api.add_status(r, "before-log", 200, NULL));
    return OK;
}

/* Under "MultiStatus Off": every call says MS_EDISABLED; the handler then
 * answers on its own. */
static int sc_disabled(request_rec *r)
{
    ms_response *resp = NULL;
    apr_status_t rv;

    rv = rep(r, "add", api.add_status(r, "x", 200, NULL));
    rep(r, "open", api.response_open(r, "y", &resp));
    rep(r, "desc", api.set_description(r, "d"));
    if (rv != APR_SUCCESS) {
        ap_set_content_type(r, "text/plain");
        ap_rprintf(r, "own answer: %s\n", rv_name(r->pool, rv));
    }
    return OK;
}

/*
 * Property methods (issue 3).  These scenarios read the request body
 * through ms_propfind_read / ms_proppatch_read, so the dispatcher does not
 * discard it for them (see body_scenarios below).  Every line they log
 * carries the request header X-Test-Id ("ms_test: [ID] ..."), so that a
 * test finds what its own request did:
 *   "ms_test: [ID] propfind_read=RC" / "proppatch_read=RC" (OK 0, DONE -2)
 *   "ms_test: [ID] work registrations=N"  (only after per-resource work)
 *
 * pf (PROPFIND, t/props_*.t): echoes what the module parsed
 *   X-MS-PF: type=allprop|propname|prop depth=0|1|infinity n=N
 *   X-MS-PF-Prop: {ns}name   (one per parsed property, in order)
 *   X-MS-PF-Again: same|different   (second ms_propfind_read call)
 * then reports the request-URI and, for Depth >= 1, the members c, a, b
 * (in that order), for Depth infinity also a/deep after a.  Each resource
 * knows these properties (pf_known below); the handler reports those that
 * ms_propfind_wants() says (allprop: the allprop ones plus those in
 * <include>; propname: all of them, with their values):
 *   {DAV:}displayname 200 text, {DAV:}resourcetype 200 <D:collection/>,
 *   {urn:example:e}color 200 "blue" (not on b), {urn:example:e}secret 403,
 *   {urn:example:e}nothere 404 (prop mode only), {urn:example:e}expensive
 *   200 "costly" (only when named: prop list or include).
 * Query "order=": first (default: request-URI first, then c a b), last
 * (members closed first, request-URI closed last), mid (c, request-URI, a,
 * b), open (nothing closed; request-URI opened last), none (no response for
 * the request-URI), slash (request-URI reported last, without its trailing
 * slash).
 *
 * pp (PROPPATCH): echoes the parsed instructions
 *   X-MS-PP-N: N
 *   X-MS-Op: I set|remove {ns}name lang=L|- value=BASE64|-
 * then answers each one on the request-URI's response, by local name:
 * ro-* 403 (+ propstat error DAV:cannot-modify-protected-property),
 * conflict* 409, gone* 404, skip* not answered, anything else 200 (with
 * the parsed value as MS_VALUE_XML, and its xml:lang, when query echo=1).
 *   X-MS-Failed: 0|1   (ms_response_failed() before the close)
 *
 * rep (REPORT): request-URI with {DAV:}displayname 200 and
 * {urn:example:e}nothere 404; member x with only 404s; member y with only
 * a 200 (for Prefer / Brief).
 */

static const char *test_id(request_rec *r)
{
    const char *id = apr_table_get(r->headers_in, "X-Test-Id");

    return id ? id : "-";
}

static const char *query_str(request_rec *r, const char *key)
{
    const char *q = r->args;
    apr_size_t klen = strlen(key);

    while (q && *q) {
        if (strncmp(q, key, klen) == 0 && q[klen] == '=') {
            const char *v = q + klen + 1;
            return apr_pstrmemdup(r->pool, v, strcspn(v, "&"));
        }
        q = strchr(q, '&');
        if (q) {
            q++;
        }
    }
    return NULL;
}

typedef struct {
    const char *ns;
    const char *name;
    int status;
    ms_value_kind kind;
    const char *value;      /* NULL for displayname: the resource's label */
    int in_allprop;         /* reported for allprop without <include> */
    int prop_only;          /* reported only for an explicit prop list */
} pf_prop;

static const pf_prop pf_known[] = {
    { "DAV:", "displayname", 200, MS_VALUE_TEXT, NULL, 1, 0 },
    { "DAV:", "resourcetype", 200, MS_VALUE_XML, "<D:collection/>", 1, 0 },
    { "urn:example:e", "color", 200, MS_VALUE_TEXT, "blue", 1, 0 },
    { "urn:example:e", "secret", 403, MS_VALUE_NONE, NULL, 1, 0 },
    { "urn:example:e", "nothere", 404, MS_VALUE_NONE, NULL, 0, 1 },
    { "urn:example:e", "expensive", 200, MS_VALUE_TEXT, "costly", 0, 0 },
    { NULL, NULL, 0, MS_VALUE_NONE, NULL, 0, 0 }
};

static int pf_named(const ms_propfind *pf, const char *ns, const char *name)
{
    int i;

    for (i = 0; i < pf->props->nelts; i++) {
        const ms_propname *pn = &APR_ARRAY_IDX(pf->props, i, ms_propname);
        if (strcmp(pn->ns, ns) == 0 && strcmp(pn->name, name) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Report one resource; returns the handle (closed and NULL when @a close). */
static ms_response *pf_resource(request_rec *r, const ms_propfind *pf,
                                const char *path, const char *label,
                                int close, int *count)
{
    ms_response *resp = open_path(r, apr_pstrcat(r->pool, "open-", label,
                                                 NULL), path);
    int i;

    if (!resp) {
        return NULL;
    }
    for (i = 0; pf_known[i].ns; i++) {
        const pf_prop *p = &pf_known[i];
        int want;

        if (strcmp(p->name, "color") == 0 && strcmp(label, "b") == 0) {
            continue;
        }
        switch (pf->type) {
        case MS_PROPFIND_PROP:
            want = api.propfind_wants(pf, p->ns, p->name);
            break;
        case MS_PROPFIND_ALLPROP:
            want = !p->prop_only
                   && (p->in_allprop || pf_named(pf, p->ns, p->name));
            break;
        default:            /* propname: every name (values too) */
            want = 1;
            break;
        }
        if (!want) {
            continue;
        }
        rep(r, apr_pstrcat(r->pool, label, "-", p->name, NULL),
            api.prop_add(resp, p->ns, p->name, p->status, p->kind,
                         p->value ? p->value : label));
        (*count)++;
    }
    if (close) {
        rep(r, apr_pstrcat(r->pool, "close-", label, NULL),
            api.response_close(resp));
        return NULL;
    }
    return resp;
}

static int sc_pf(request_rec *r)
{
    const ms_propfind *pf = NULL, *again = NULL;
    const char *order = query_str(r, "order");
    const char *root = r->uri;
    int rc, i, count = 0, close = 1;
    int members = 0;
    static const char *const names[] = { "c", "a", "b" };

    rc = api.propfind_read(r, &pf);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  "ms_test: [%s] propfind_read=%d", test_id(r), rc);
    if (rc != OK) {
        return rc;
    }
    rc = api.propfind_read(r, &again);
    apr_table_setn(r->err_headers_out, "X-MS-PF-Again",
                   rc == OK && again == pf ? "same" : "different");
    apr_table_setn(r->err_headers_out, "X-MS-PF",
                   apr_psprintf(r->pool, "type=%s depth=%s n=%d",
                                pf->type == MS_PROPFIND_ALLPROP ? "allprop"
                                : pf->type == MS_PROPFIND_PROPNAME
                                  ? "propname" : "prop",
                                pf->depth == MS_DEPTH_INFINITY ? "infinity"
                                : apr_itoa(r->pool, pf->depth),
                                pf->props->nelts));
    for (i = 0; i < pf->props->nelts; i++) {
        const ms_propname *pn = &APR_ARRAY_IDX(pf->props, i, ms_propname);
        apr_table_add(r->err_headers_out, "X-MS-PF-Prop",
                      apr_pstrcat(r->pool, "{", pn->ns, "}", pn->name, NULL));
    }
    if (!order) {
        order = "first";
    }
    if (strcmp(order, "slash") == 0) {
        root = under(r, "");
        order = "last";
    }
    if (strcmp(order, "open") == 0) {
        close = 0;
    }
    if (strcmp(order, "first") == 0) {
        pf_resource(r, pf, root, "root", 1, &count);
    }
    if (pf->depth != 0) {
        for (i = 0; i < 3; i++) {
            pf_resource(r, pf, names[i], names[i], close, &count);
            members++;
            if (i == 0 && strcmp(order, "mid") == 0) {
                pf_resource(r, pf, root, "root", 1, &count);
            }
            if (i == 1 && pf->depth == MS_DEPTH_INFINITY) {
                pf_resource(r, pf, "a/deep", "deep", close, &count);
            }
        }
    }
    if (strcmp(order, "last") == 0 || strcmp(order, "open") == 0
        || (strcmp(order, "mid") == 0 && members == 0)) {
        pf_resource(r, pf, root, "root", close, &count);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  "ms_test: [%s] work registrations=%d", test_id(r), count);
    return OK;
}

static int sc_pp(request_rec *r)
{
    const apr_array_header_t *ops = NULL;
    ms_response *resp;
    int rc, i, count = 0, echo = query_num(r, "echo", 0) != 0;

    rc = api.proppatch_read(r, &ops);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  "ms_test: [%s] proppatch_read=%d", test_id(r), rc);
    if (rc != OK) {
        return rc;
    }
    apr_table_setn(r->err_headers_out, "X-MS-PP-N",
                   apr_itoa(r->pool, ops->nelts));
    resp = open_path(r, "open", r->uri);
    if (!resp) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    for (i = 0; i < ops->nelts; i++) {
        const ms_proppatch_op *op = &APR_ARRAY_IDX(ops, i, ms_proppatch_op);
        const char *label = apr_psprintf(r->pool, "op%d", i);

        apr_table_add(r->err_headers_out, "X-MS-Op",
                      apr_psprintf(r->pool, "%d %s {%s}%s lang=%s value=%s",
                                   i, op->remove ? "remove" : "set", op->ns,
                                   op->name, op->lang ? op->lang : "-",
                                   op->value
                                   ? ap_pbase64encode(r->pool,
                                                      (char *)op->value)
                                   : "-"));
        if (strncmp(op->name, "skip", 4) == 0) {
            continue;
        }
        count++;
        if (strncmp(op->name, "ro-", 3) == 0) {
            rep(r, label, api.prop_add(resp, op->ns, op->name, 403,
                                       MS_VALUE_NONE, NULL));
            rep(r, apr_pstrcat(r->pool, label, "-err", NULL),
                api.propstat_set_error(resp, 403, "DAV:",
                                       "cannot-modify-protected-property"));
        }
        else if (strncmp(op->name, "conflict", 8) == 0) {
            rep(r, label, api.prop_add(resp, op->ns, op->name, 409,
                                       MS_VALUE_NONE, NULL));
        }
        else if (strncmp(op->name, "gone", 4) == 0) {
            rep(r, label, api.prop_add(resp, op->ns, op->name, 404,
                                       MS_VALUE_NONE, NULL));
        }
        else if (echo && !op->remove) {
            rep(r, label, api.prop_add(resp, op->ns, op->name, 200,
                                       MS_VALUE_XML, op->value));
            if (op->lang) {
                rep(r, apr_pstrcat(r->pool, label, "-lang", NULL),
                    api.prop_set_lang(resp, op->ns, op->name, op->lang));
            }
        }
        else {
            rep(r, label, api.prop_add(resp, op->ns, op->name, 200,
                                       MS_VALUE_NONE, NULL));
        }
    }
    apr_table_setn(r->err_headers_out, "X-MS-Failed",
                   apr_itoa(r->pool, api.response_failed(resp)));
    rep(r, "close", api.response_close(resp));
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  "ms_test: [%s] work registrations=%d", test_id(r), count);
    return OK;
}

static int sc_rep(request_rec *r)
{
    ms_response *resp;
    int rc = ap_discard_request_body(r);

    if (rc != OK) {
        return rc;
    }
    resp = open_path(r, "open-root", r->uri);
    if (!resp) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    rep(r, "root-dn", api.prop_add(resp, "DAV:", "displayname", 200,
                                   MS_VALUE_TEXT, "report root"));
    rep(r, "root-nothere", api.prop_add(resp, "urn:example:e", "nothere",
                                        404, MS_VALUE_NONE, NULL));
    rep(r, "close-root", api.response_close(resp));
    resp = open_path(r, "open-x", "x");
    if (resp) {
        rep(r, "x-1", api.prop_add(resp, "urn:example:e", "nothere", 404,
                                   MS_VALUE_NONE, NULL));
        rep(r, "x-2", api.prop_add(resp, "DAV:", "getetag", 404,
                                   MS_VALUE_NONE, NULL));
        rep(r, "close-x", api.response_close(resp));
    }
    resp = open_path(r, "open-y", "y");
    if (resp) {
        rep(r, "y-1", api.prop_add(resp, "DAV:", "getetag", 200,
                                   MS_VALUE_TEXT, "\"y1\""));
        rep(r, "close-y", api.response_close(resp));
    }
    return OK;
}

/* Scenarios that read the request body themselves (not discarded). */
static const struct {
    const char *name;
    int (*fn)(request_rec *r);
} body_scenarios[] = {
    { "pf",  sc_pf },
    { "pp",  sc_pp },
    { "rep", sc_rep },
    { NULL, NULL }
};

static const struct {
    const char *name;
    int (*fn)(request_rec *r);
} scenarios[] = {
    { "basic",         sc_basic },
    { "status",        sc_status },
    { "props",         sc_props },
    { "group",         sc_group },
    { "paths",         sc_paths },
    { "enc",           sc_enc },
    { "ns",            sc_ns },
    { "ownbody",       sc_ownbody },
    { "ownbody_first", sc_ownbody_first },
    { "errwins",       sc_errwins },
    { "errstatus",     sc_errstatus },
    { "nothing",       sc_nothing },
    { "big",           sc_big },
    { "hooks",         sc_hooks },
    { "empty_resp",    sc_empty_resp },
    { "refuse_href",   sc_refuse_href },
    { "refuse_text",   sc_refuse_text },
    { "refuse_status", sc_refuse_status },
    { "refuse_xml",    sc_refuse_xml },
    { "refuse_name",   sc_refuse_name },
    { "conflict",      sc_conflict },
    { "late_eos",      sc_late_eos },
    { "late_log",      sc_late_log },
    { "disabled",      sc_disabled },
    { NULL, NULL }
};

static int ms_test_handler(request_rec *r)
{
    const char *name;
    int i, rc;

    if (!r->handler || strcmp(r->handler, "ms-test") != 0) {
        return DECLINED;
    }
    if (!api.available && !ms_api_retrieve(&api)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "ms_test: mod_multistatus is not loaded");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_table_setn(r->err_headers_out, "X-MS-API-Version",
                   apr_itoa(r->pool, api.version));
    name = scenario_name(r);
    for (i = 0; body_scenarios[i].name; i++) {
        if (strcmp(body_scenarios[i].name, name) == 0) {
            return body_scenarios[i].fn(r);
        }
    }
    rc = ap_discard_request_body(r);
    if (rc != OK) {
        return rc;
    }
    for (i = 0; scenarios[i].name; i++) {
        if (strcmp(scenarios[i].name, name) == 0) {
            return scenarios[i].fn(r);
        }
    }
    return HTTP_NOT_FOUND;
}

/*
 * Late registration from log_transaction: the body is long finished.
 */
static int ms_test_log_transaction(request_rec *r)
{
    if (!apr_table_get(r->notes, NOTE_LATE) || !api.available) {
        return DECLINED;
    }
    rep_log(r, "late-log-add", api.add_status(r, "after-log", 200, NULL));
    return DECLINED;
}

/*
 * The optional hooks.
 */
static int ms_test_prepare(request_rec *r, ms_response *resp)
{
    const char *path;
    apr_size_t len;

    if (!apr_table_get(r->notes, NOTE_HOOKS)) {
        return DECLINED;
    }
    path = api.response_path(resp);
    if (!path) {
        return DECLINED;
    }
    len = strlen(path);
    if (strstr(path, "hidden")) {
        rep(r, "hook-hide", api.response_hide(resp));
    }
    else if (len >= 4 && strcmp(path + len - 4, "/chg") == 0) {
        rep(r, "hook-status", api.response_set_status(resp, HTTP_GONE));
    }
    else if (len >= 8 && strcmp(path + len - 8, "/addprop") == 0) {
        rep(r, "hook-prop", api.prop_add(resp, "urn:example:hook", "added",
                                         200, MS_VALUE_TEXT, "by hook"));
    }
    return OK;
}

static int ms_test_begin(request_rec *r)
{
    if (!apr_table_get(r->notes, NOTE_HOOKS)) {
        return DECLINED;
    }
    rep(r, "hook-begin", api.declare_namespace(r, "urn:example:begin"));
    return OK;
}

static int ms_test_end(request_rec *r)
{
    if (!apr_table_get(r->notes, NOTE_HOOKS)) {
        return DECLINED;
    }
    rep(r, "hook-end", api.set_description(r, "set by end hook"));
    return OK;
}

static void ms_test_register_extra(apr_pool_t *p)
{
    (void)p;
    ap_hook_optional_fn_retrieve(ms_test_retrieve, NULL, NULL,
                                 APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ms, multistatus_prepare_response, ms_test_prepare,
                      NULL, NULL, APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ms, multistatus_begin_body, ms_test_begin,
                      NULL, NULL, APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ms, multistatus_end_body, ms_test_end,
                      NULL, NULL, APR_HOOK_MIDDLE);
}

APACHE_HTTPD_TEST_MODULE(ms_test);
