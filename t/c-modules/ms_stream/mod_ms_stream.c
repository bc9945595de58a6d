/* SPDX-License-Identifier: Apache-2.0 */
#if CONFIG_FOR_HTTPD_TEST
<Location /ms_stream/>
    SetHandler ms-stream
</Location>
#endif

/*
 * mod_ms_stream: the streaming, failure and limit scenarios of
 * mod_multistatus (issue 4), for t/stream_*.t.
 *
 * Like mod_ms_test it reaches mod_multistatus only through the optional
 * functions (ms_api_retrieve).  One handler, "ms-stream"; the locations and
 * their MultiStatus* settings are in t/conf/ms_stream.conf.in.  The handler
 * walks a synthetic listing, steered by the query string:
 *
 *   n=N          responses to report (default 10); paths "iK" (K = 0..N-1)
 *                relative to the request-URI
 *   form=status  status form (200) through open + set_status + close
 *                (default); form=props: propstat form, {DAV:}displayname
 *                "item K" 200 and {urn:example:stream}size 200;
 *                form=add: ms_add_status (responses stay open until the
 *                next ms_flush() or the end)
 *   flush=K      ms_flush() after every K responses
 *   pause=K      after K responses: ms_flush() (unless noflush=1), then
 *                sleep sleep=MS milliseconds (default 1000), or with
 *                gate=NAME wait until the client opens the gate: creates
 *                the file NAME in the directory MS_STREAM_GATE_DIR (set by
 *                t/conf/ms_stream.conf.in; NAME: letters, digits, '-'),
 *                for at most gatewait=MS milliseconds (default 60000);
 *                then go on
 *   open=K       the last K responses are left open (never closed)
 *   junk=1       after each ms_flush() the handler writes bytes of its own
 *                and flushes them (ap_rputs + ap_rflush): they must never
 *                reach the client
 *   bad=K        at response K, set status 100 (refused: MS_EINVAL) and
 *                treat it as fatal: return 500 at once
 *   ret=CODE     what the handler returns at the end: ok (default), done
 *                (DONE), a number (e.g. 500, 503, 403), or set500 (sets
 *                r->status = 500 itself and returns OK)
 *   keepon=1     on MS_ELIMIT, keep calling (default: stop walking)
 *   mem=1        log VmHWM/VmRSS of this process before and after; the
 *                peak (VmHWM) is first reset to the current RSS (value 5
 *                written to /proc/self/clear_refs), so that an earlier,
 *                bigger request of this child cannot hide the growth
 *
 * What the handler saw is logged at info level, every line tagged with the
 * request header X-Test-Id (ID):
 *   "ms_stream: [ID] done registered=R refusals=F first=K:NAME"
 *        at the end (first refused call: its index and result, or -1:OK);
 *        the same text goes in the response header X-MS-Stream (seen only
 *        when the headers had not been committed yet)
 *   "ms_stream: [ID] stopped after N responses with MS_EABORTED"
 *        when a registration call says the client is gone; then
 *   "ms_stream: [ID] after abort: open=.. add_status=.. flush=.. desc=.."
 *        what further calls return
 *   "ms_stream: [ID] stopped after N responses with MS_ELIMIT"
 *        when the limit stops the walk
 *   "ms_stream: [ID] memory reset=ok|failed hwm_before=KB hwm_after=KB
 *    rss_before=KB rss_after=KB" (mem=1)
 *   "ms_stream: [ID] gate NAME opened after MS ms" (by the client), or
 *   "ms_stream: [ID] gate NAME timed out after MS ms" (gate=NAME)
 */

#define APACHE_HTTPD_TEST_HANDLER     ms_stream_handler
#define APACHE_HTTPD_TEST_EXTRA_HOOKS ms_stream_register_extra

#include "apache_httpd_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apr_file_info.h"
#include "apr_lib.h"
#include "apr_strings.h"
#include "apr_time.h"

#include "mod_multistatus.h"

APLOG_USE_MODULE(ms_stream);

static ms_api api;

static void ms_stream_retrieve(void)
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

static long query_num(request_rec *r, const char *key, long dflt)
{
    const char *v = query_str(r, key);

    return v ? strtol(v, NULL, 10) : dflt;
}

static const char *test_id(request_rec *r)
{
    const char *id = apr_table_get(r->headers_in, "X-Test-Id");

    return id ? id : "-";
}

/* VmHWM and VmRSS of this process, in kB (-1 when unknown). */
static void read_mem(long *hwm, long *rss)
{
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");

    *hwm = *rss = -1;
    if (!f) {
        return;
    }
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "VmHWM:", 6) == 0) {
            *hwm = strtol(line + 6, NULL, 10);
        }
        else if (strncmp(line, "VmRSS:", 6) == 0) {
            *rss = strtol(line + 6, NULL, 10);
        }
    }
    fclose(f);
}

/* Resets VmHWM of this process to its current RSS; 1 when done.  (httpd
 * keeps its children dumpable, so that they own their /proc files, when
 * CoreDumpDirectory is set: t/conf/httpd.conf.in sets it.) */
static int reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    int ok;

    if (!f) {
        return 0;
    }
    ok = fputs("5", f) >= 0;
    return fclose(f) == 0 && ok;
}

/* Waits until the client creates the file @a name in MS_STREAM_GATE_DIR,
 * for at most @a max_ms; logs which came first. */
static void wait_gate(request_rec *r, const char *name, long max_ms)
{
    const char *dir = apr_table_get(r->subprocess_env, "MS_STREAM_GATE_DIR");
    const char *c, *path;
    apr_time_t t0 = apr_time_now();
    apr_finfo_t fi;
    int open = 0;

    for (c = name; *c; c++) {
        if (!apr_isalnum(*c) && *c != '-') {
            break;
        }
    }
    if (!dir || !*name || *c) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "ms_stream: [%s] gate '%s': bad name or no "
                      "MS_STREAM_GATE_DIR", test_id(r), name);
        return;
    }
    path = apr_pstrcat(r->pool, dir, "/", name, NULL);
    while (!(open = apr_stat(&fi, path, APR_FINFO_TYPE, r->pool)
                    == APR_SUCCESS)
           && apr_time_now() - t0 < apr_time_from_msec(max_ms)) {
        apr_sleep(apr_time_from_msec(10));
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  "ms_stream: [%s] gate %s %s after %ld ms", test_id(r), name,
                  open ? "opened" : "timed out",
                  (long)apr_time_as_msec(apr_time_now() - t0));
}

typedef struct {
    request_rec *r;
    long registered;        /* responses fully reported */
    long refusals;          /* calls that did not return APR_SUCCESS */
    long first_at;          /* index of the first refused call, or -1 */
    apr_status_t first_rv;
    int junk;
} walk;

static void note_rv(walk *w, long i, apr_status_t rv)
{
    if (rv == APR_SUCCESS) {
        return;
    }
    w->refusals++;
    if (w->first_at < 0) {
        w->first_at = i;
        w->first_rv = rv;
    }
}

static apr_status_t do_flush(walk *w)
{
    apr_status_t rv = api.flush(w->r);

    if (rv == APR_SUCCESS && w->junk) {
        /* the handler's own body: the module must drop it */
        ap_rputs("JUNK-FROM-THE-HANDLER", w->r);
        ap_rflush(w->r);
    }
    return rv;
}

/* Report resource @a i; leaves it open when @a keep_open. */
static apr_status_t report_one(walk *w, const char *form, long i,
                               int keep_open)
{
    request_rec *r = w->r;
    char path[32];
    ms_response *resp = NULL;
    apr_status_t rv;

    apr_snprintf(path, sizeof(path), "i%ld", i);
    if (strcmp(form, "add") == 0) {
        return api.add_status(r, path, HTTP_OK, NULL);
    }
    rv = api.response_open(r, path, &resp);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (strcmp(form, "props") == 0) {
        char name[32];
        apr_snprintf(name, sizeof(name), "item %ld", i);
        rv = api.prop_add(resp, "DAV:", "displayname", HTTP_OK,
                          MS_VALUE_TEXT, name);
        if (rv == APR_SUCCESS) {
            rv = api.prop_add(resp, "urn:example:stream", "size", HTTP_OK,
                              MS_VALUE_TEXT, name + 5);
        }
    }
    else {
        rv = api.response_set_status(resp, HTTP_OK);
    }
    if (rv == APR_SUCCESS && !keep_open) {
        rv = api.response_close(resp);
    }
    return rv;
}

static void log_after_abort(request_rec *r)
{
    ms_response *resp = NULL;
    apr_status_t o = api.response_open(r, "after-abort", &resp);
    apr_status_t a = api.add_status(r, "after-abort-2", HTTP_OK, NULL);
    apr_status_t f = api.flush(r);
    apr_status_t d = api.set_description(r, "after abort");

    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  "ms_stream: [%s] after abort: open=%s add_status=%s "
                  "flush=%s desc=%s", test_id(r), rv_name(r->pool, o),
                  rv_name(r->pool, a), rv_name(r->pool, f),
                  rv_name(r->pool, d));
}

static int sc_list(request_rec *r)
{
    long n = query_num(r, "n", 10);
    long flush_every = query_num(r, "flush", 0);
    long pause = query_num(r, "pause", -1);
    long sleep_ms = query_num(r, "sleep", 1000);
    long gate_ms = query_num(r, "gatewait", 60000);
    const char *gate = query_str(r, "gate");
    long leave_open = query_num(r, "open", 0);
    long bad = query_num(r, "bad", -1);
    int noflush = query_num(r, "noflush", 0) != 0;
    int keepon = query_num(r, "keepon", 0) != 0;
    int mem = query_num(r, "mem", 0) != 0;
    const char *form = query_str(r, "form");
    const char *ret = query_str(r, "ret");
    const char *summary;
    long hwm0 = -1, rss0 = -1, hwm1, rss1;
    int reset = 0;
    walk w;
    long i;

    memset(&w, 0, sizeof(w));
    w.r = r;
    w.first_at = -1;
    w.junk = query_num(r, "junk", 0) != 0;
    if (!form) {
        form = "status";
    }
    if (mem) {
        reset = reset_peak();
        read_mem(&hwm0, &rss0);
    }
    for (i = 0; i < n; i++) {
        apr_status_t rv;

        if (i == bad) {
            ms_response *resp = NULL;
            rv = api.response_open(r, "bad", &resp);
            if (rv == APR_SUCCESS) {
                rv = api.response_set_status(resp, 100);
            }
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                          "ms_stream: [%s] fatal refusal at %ld: %s",
                          test_id(r), i, rv_name(r->pool, rv));
            apr_table_setn(r->err_headers_out, "X-MS-Stream",
                           apr_psprintf(r->pool, "fatal=%s",
                                        rv_name(r->pool, rv)));
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        if (i == pause) {
            if (!noflush) {
                note_rv(&w, i, do_flush(&w));
            }
            if (gate) {
                wait_gate(r, gate, gate_ms);
            }
            else {
                apr_sleep(apr_time_from_msec(sleep_ms));
            }
        }
        rv = report_one(&w, form, i, i >= n - leave_open);
        note_rv(&w, i, rv);
        if (rv == APR_SUCCESS) {
            w.registered++;
        }
        else if (rv == MS_EABORTED) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                          "ms_stream: [%s] stopped after %ld responses with "
                          "MS_EABORTED", test_id(r), w.registered);
            log_after_abort(r);
            break;
        }
        else if (rv == MS_ELIMIT && !keepon) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                          "ms_stream: [%s] stopped after %ld responses with "
                          "MS_ELIMIT", test_id(r), w.registered);
            break;
        }
        if (flush_every > 0 && (i + 1) % flush_every == 0) {
            rv = do_flush(&w);
            note_rv(&w, i, rv);
            if (rv == MS_EABORTED) {
                ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                              "ms_stream: [%s] stopped after %ld responses "
                              "with MS_EABORTED", test_id(r), w.registered);
                log_after_abort(r);
                break;
            }
        }
    }
    if (mem) {
        read_mem(&hwm1, &rss1);
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "ms_stream: [%s] memory reset=%s hwm_before=%ld "
                      "hwm_after=%ld rss_before=%ld rss_after=%ld", test_id(r),
                      reset ? "ok" : "failed", hwm0, hwm1, rss0, rss1);
    }
    summary = apr_psprintf(r->pool, "registered=%ld refusals=%ld first=%ld:%s",
                           w.registered, w.refusals, w.first_at,
                           rv_name(r->pool, w.first_rv));
    apr_table_setn(r->err_headers_out, "X-MS-Stream", summary);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "ms_stream: [%s] done %s",
                  test_id(r), summary);

    if (!ret || strcmp(ret, "ok") == 0) {
        return OK;
    }
    if (strcmp(ret, "done") == 0) {
        return DONE;
    }
    if (strcmp(ret, "set500") == 0) {
        r->status = HTTP_INTERNAL_SERVER_ERROR;
        return OK;
    }
    return (int)strtol(ret, NULL, 10);
}

static int ms_stream_handler(request_rec *r)
{
    const char *name;
    int rc;

    if (!r->handler || strcmp(r->handler, "ms-stream") != 0) {
        return DECLINED;
    }
    if (!api.available && !ms_api_retrieve(&api)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "ms_stream: mod_multistatus is not loaded");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    rc = ap_discard_request_body(r);
    if (rc != OK) {
        return rc;
    }
    name = strrchr(r->uri, '/');
    name = name ? name + 1 : r->uri;
    if (strcmp(name, "list") == 0) {
        return sc_list(r);
    }
    return HTTP_NOT_FOUND;
}

static void ms_stream_register_extra(apr_pool_t *p)
{
    (void)p;
    ap_hook_optional_fn_retrieve(ms_stream_retrieve, NULL, NULL,
                                 APR_HOOK_MIDDLE);
}

APACHE_HTTPD_TEST_MODULE(ms_stream);
