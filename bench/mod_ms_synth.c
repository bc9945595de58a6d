/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_ms_synth.c: the synthetic consumer of mod_multistatus used by
 * bench/run.  Not an example to copy (see examples/ for those): it exists
 * to measure the module, so it does as little as a handler can.
 *
 *     <Location /synth>
 *         SetHandler ms-synth
 *     </Location>
 *
 *     GET /synth/?n=N&kind=status     N status-form responses (200)
 *     GET /synth/?n=N&kind=props      N propstat-form responses, each with
 *                                     4 DAV: text properties (200), their
 *                                     names checked once (ms_qname_get)
 *     GET /synth/?n=N&kind=add        N ms_add_status() results, left open
 *                                     until the handler returns
 *     PROPFIND /synth/?n=N&kind=rootlast  N propstat-form members closed
 *                                     one by one, the request-URI's own
 *                                     response last (the module holds the
 *                                     members until it comes)
 *
 * Every response is opened, filled and closed at once (streaming: the
 * module renders it at the close and sends it once the body passed
 * MultiStatusBufferSize), so the handler holds no per-response memory.
 * The hrefs are relative names resolved against the request-URI:
 * /synth/f0000001.txt, /synth/f0000002.txt, ...
 *
 * It reaches mod_multistatus through the optional functions, so it loads
 * in any order; without mod_multistatus it answers 503.
 */

#include <stdlib.h>
#include <string.h>

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_protocol.h"

#include "apr_strings.h"

#include "mod_multistatus.h"

module AP_MODULE_DECLARE_DATA ms_synth_module;

APLOG_USE_MODULE(ms_synth);

#define SYNTH_MAX_N 9999999L   /* names have 7 digits */

static ms_api api;

static void synth_retrieve(void)
{
    ms_api_retrieve(&api);
}

/* The value of @a key in the query string @a args ("n=10&kind=props"), or
 * NULL; copied into @a buf (at most @a size - 1 characters). */
static const char *query_arg(const char *args, const char *key,
                             char *buf, apr_size_t size)
{
    apr_size_t klen = strlen(key);

    while (args && *args) {
        const char *end = strchr(args, '&');
        apr_size_t len = end ? (apr_size_t)(end - args) : strlen(args);
        if (len > klen && strncmp(args, key, klen) == 0 && args[klen] == '=') {
            apr_size_t vlen = len - klen - 1;
            if (vlen >= size)
                vlen = size - 1;
            memcpy(buf, args + klen + 1, vlen);
            buf[vlen] = '\0';
            return buf;
        }
        args = end ? end + 1 : NULL;
    }
    return NULL;
}

/* "f0000041.txt" -> "f0000042.txt" (7 digits after the 'f') */
static void next_name(char *name)
{
    int d = 7;
    while (d > 0 && name[d] == '9')
        name[d--] = '0';
    if (d > 0)
        name[d]++;
}

/* @a v in decimal at the end of @a buf; returns where it starts. */
static const char *decimal(char *buf, apr_size_t size, long v)
{
    char *p = buf + size - 1;
    *p = '\0';
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0 && p > buf);
    return p;
}

static const char *const pname[4] = {
    "displayname", "getcontentlength", "getlastmodified", "getetag"
};

/* Property @a i of pname, by its checked name when there is one. */
static void synth_prop(ms_response *resp, const ms_qname *const *qn, int i,
                       const char *value)
{
    if (qn[i])
        api.prop_add_qname(resp, qn[i], HTTP_OK, MS_VALUE_TEXT, value);
    else
        api.prop_add(resp, "DAV:", pname[i], HTTP_OK, MS_VALUE_TEXT, value);
}

static int synth_handler(request_rec *r)
{
    char nbuf[32], kbuf[16], name[16];
    const char *v;
    const ms_qname *qn[4] = { NULL, NULL, NULL, NULL };
    long n = 1000, i;
    int props = 0, add = 0, rootlast = 0;
    apr_status_t rv = APR_SUCCESS;

    if (!r->handler || strcmp(r->handler, "ms-synth") != 0)
        return DECLINED;
    if (r->method_number != M_GET && r->method_number != M_PROPFIND)
        return HTTP_METHOD_NOT_ALLOWED;
    if (!api.available) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "ms_synth: mod_multistatus is not loaded");
        return HTTP_SERVICE_UNAVAILABLE;
    }

    if ((v = query_arg(r->args, "n", nbuf, sizeof(nbuf))) != NULL) {
        char *end;
        n = strtol(v, &end, 10);
        if (*end || n < 0 || n > SYNTH_MAX_N)
            return HTTP_BAD_REQUEST;
    }
    if ((v = query_arg(r->args, "kind", kbuf, sizeof(kbuf))) != NULL) {
        if (strcmp(v, "props") == 0)
            props = 1;
        else if (strcmp(v, "add") == 0)
            add = 1;
        else if (strcmp(v, "rootlast") == 0)
            rootlast = props = 1;
        else if (strcmp(v, "status") != 0)
            return HTTP_BAD_REQUEST;
    }
    if ((r->method_number == M_PROPFIND) != rootlast)
        return HTTP_METHOD_NOT_ALLOWED;
    if (add) {
        memcpy(name, "f0000000.txt", sizeof("f0000000.txt"));
        for (i = 1; i <= n && rv == APR_SUCCESS; i++) {
            next_name(name);
            rv = api.add_status(r, name, HTTP_OK, NULL);
        }
        return OK;
    }

    /* The property names checked once (API version 3), as a listing
     * handler does; by name with an older module. */
    for (i = 0; props && i < 4; i++)
        qn[i] = api.qname_get ? api.qname_get(r, "DAV:", pname[i]) : NULL;
    /* Names and values are made by hand, not with apr_snprintf: its cost
     * per call is a good part of what is measured here otherwise. */
    memcpy(name, "f0000000.txt", sizeof("f0000000.txt"));
    for (i = 1; i <= n && rv == APR_SUCCESS; i++) {
        ms_response *resp;

        next_name(name);
        rv = api.response_open(r, name, &resp);
        if (rv != APR_SUCCESS)
            break;      /* MS_EABORTED (client gone), MS_ELIMIT, ... */
        if (props) {
            char len[24];
            synth_prop(resp, qn, 0, name);
            synth_prop(resp, qn, 1, decimal(len, sizeof(len), i * 7));
            synth_prop(resp, qn, 2, "Mon, 01 Jan 2024 12:00:00 GMT");
            synth_prop(resp, qn, 3, "\"1c-5f3e2a1b4c5d6\"");
        }
        else {
            api.response_set_status(resp, HTTP_OK);
        }
        rv = api.response_close(resp);
    }
    if (rootlast && rv == APR_SUCCESS) {
        ms_response *resp;
        if (api.response_open(r, r->uri, &resp) == APR_SUCCESS) {
            api.prop_add(resp, "DAV:", "displayname", HTTP_OK,
                         MS_VALUE_TEXT, "synth");
            api.response_close(resp);
        }
    }
    return OK;
}

static void synth_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_optional_fn_retrieve(synth_retrieve, NULL, NULL,
                                 APR_HOOK_MIDDLE);
    ap_hook_handler(synth_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

module AP_MODULE_DECLARE_DATA ms_synth_module = {
    STANDARD20_MODULE_STUFF,
    NULL, NULL, NULL, NULL, NULL,
    synth_register_hooks
};
