/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_fuzz.c: libFuzzer target for the APR-only renderer.
 *
 * The input is a little program: a list of operations, each an opcode byte
 * followed by NUL-terminated string arguments taken from the input.  Any
 * sequence is allowed: refusals are fine, but whatever the calls, the
 * finished body must be a well-formed, namespace-correct XML document
 * (checked with apr_xml, which is expat) with a multistatus root whose
 * every response carries exactly one href; it is namespace-well-formed
 * too (ms_xml_check_ns, what namespace-aware clients need); the headers
 * are committed once, before the first byte; a body sent whole is exactly
 * as long as the Content-Length it was committed with.  Hooks (prepare:
 * hide, change a status, add a property; begin: declare, try to close and
 * flush), write failures and several open handles at once are driven by
 * the input too.  A violation aborts, which libFuzzer reports with the
 * input that caused it.
 *
 *   make fuzz                  (builds tests/fuzz/ms_fuzz with clang)
 *   tests/fuzz/ms_fuzz -max_total_time=60 tests/fuzz/corpus
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apr_general.h"
#include "apr_strings.h"
#include "apr_xml.h"

#include "ms_doc.h"
#include "ms_xml.h"

typedef struct {
    char *body;
    apr_size_t len, cap;
    int commits, writes, fail_at, failed;
    apr_off_t length;
    int hook;                   /* what the prepare hook does */
    ms_doc *doc;
} sink;

static apr_status_t f_commit(void *baton, apr_off_t length)
{
    sink *s = baton;

    if (s->commits++ || s->writes) {
        fprintf(stderr, "commit twice, or after a write\n");
        abort();
    }
    s->length = length;
    return APR_SUCCESS;
}

static void f_prepare(void *baton, ms_response *resp)
{
    sink *s = baton;
    const char *h = ms_doc_response_href(resp);

    if (!s->hook || !h)
        return;
    if ((s->hook & 1) && strchr(h, 'h'))
        ms_doc_hide(resp);
    if ((s->hook & 2) && ms_doc_response_status(resp))
        ms_doc_set_status(resp, 200 + s->hook % 400);
    if (s->hook & 4)
        ms_doc_prop_add(resp, "urn:hook", "added", 200, MS_VALUE_TEXT, "x");
    if (s->hook & 8)
        ms_doc_close(resp);     /* refused */
}

static void f_begin(void *baton)
{
    sink *s = baton;
    ms_response *r = NULL;

    if (!(s->hook & 16))
        return;
    ms_doc_declare_ns(s->doc, "urn:begin");
    if (ms_doc_open(s->doc, "from-begin", 0, &r) == APR_SUCCESS) {
        ms_doc_set_status(r, 200);
        ms_doc_close(r);        /* refused: stays open */
    }
    ms_doc_flush(s->doc);       /* refused */
}

static apr_status_t f_write(void *baton, char *buf, apr_size_t len,
                            int flush)
{
    sink *s = baton;

    (void)flush;
    if (!s->commits) {
        fprintf(stderr, "a write before the commit\n");
        abort();
    }
    s->writes++;
    if (s->fail_at && s->writes >= s->fail_at) {
        free(buf);
        s->failed = 1;
        return APR_ECONNABORTED;
    }
    if (s->len + len + 1 > s->cap) {
        s->cap = (s->len + len + 1) * 2;
        s->body = realloc(s->body, s->cap);
    }
    if (len)
        memcpy(s->body + s->len, buf, len);
    s->len += len;
    free(buf);
    return APR_SUCCESS;
}

/* Pull the next NUL-terminated argument out of the input. */
typedef struct {
    const char *p, *end;
} cursor;

static const char *arg(cursor *c, apr_pool_t *pool)
{
    const char *start = c->p, *nul;

    if (c->p >= c->end)
        return "";
    nul = memchr(c->p, '\0', (size_t)(c->end - c->p));
    if (!nul) {
        c->p = c->end;
        return apr_pstrmemdup(pool, start, (apr_size_t)(c->end - start));
    }
    c->p = nul + 1;
    return start;
}

static int byte(cursor *c)
{
    return c->p < c->end ? (unsigned char)*c->p++ : 0;
}

static void check_doc(apr_pool_t *pool, const sink *s)
{
    apr_xml_parser *parser = apr_xml_parser_create(pool);
    apr_xml_doc *doc = NULL;
    apr_xml_elem *e, *c;
    char err[200];

    if (apr_xml_parser_feed(parser, s->body, s->len) != APR_SUCCESS
        || apr_xml_parser_done(parser, &doc) != APR_SUCCESS) {
        apr_xml_parser_geterror(parser, err, sizeof(err));
        fprintf(stderr, "malformed body (%s):\n%.*s\n", err, (int)s->len,
                s->body);
        abort();
    }
    if (ms_xml_check_ns(pool, s->body, s->len, 0)) {
        fprintf(stderr, "body not namespace-well-formed (%s):\n%.*s\n",
                ms_xml_check_ns(pool, s->body, s->len, 0), (int)s->len,
                s->body);
        abort();
    }
    if (s->length >= 0 && (apr_off_t)s->len != s->length) {
        fprintf(stderr, "Content-Length %ld, body %lu bytes\n",
                (long)s->length, (unsigned long)s->len);
        abort();
    }
    if (doc->root->ns != APR_XML_NS_DAV_ID
        || strcmp(doc->root->name, "multistatus") != 0)
        abort();
    for (e = doc->root->first_child; e; e = e->next) {
        int hrefs = 0, status = 0, propstat = 0;
        if (strcmp(e->name, "responsedescription") == 0)
            continue;
        if (strcmp(e->name, "response") != 0)
            abort();
        for (c = e->first_child; c; c = c->next) {
            hrefs += strcmp(c->name, "href") == 0;
            status += strcmp(c->name, "status") == 0;
            propstat += strcmp(c->name, "propstat") == 0;
        }
        /* one href, and status XOR propstat */
        if (hrefs != 1 || (status != 0) == (propstat != 0) || status > 1) {
            fprintf(stderr, "bad response structure:\n%.*s\n", (int)s->len,
                    s->body);
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    apr_pool_t *pool;
    sink s;
    ms_doc_io io;
    ms_doc_opts opts;
    ms_doc *doc;
    ms_response *handles[4] = { NULL, NULL, NULL, NULL };
    ms_response *resp = NULL;
    cursor c;
    int ops = 0, h = 0;

    if (!ready) {
        apr_initialize();
        ms_doc_init();
        ready = 1;
    }
    apr_pool_create(&pool, NULL);
    memset(&s, 0, sizeof(s));
    c.p = (const char *)data;
    c.end = (const char *)data + size;
    memset(&io, 0, sizeof(io));
    io.baton = &s;
    io.commit = f_commit;
    io.write = f_write;
    io.prepare = f_prepare;
    io.begin = f_begin;
    memset(&opts, 0, sizeof(opts));
    opts.base_path = "/base dir/";
    opts.origin = "http://example.org:8080";
    opts.absolute_uri = byte(&c) & 1;
    opts.buffer_size = (apr_size_t)byte(&c) * 64;
    opts.max_responses = (apr_size_t)(byte(&c) % 8);
    s.hook = byte(&c);
    s.fail_at = byte(&c) % 16;
    doc = ms_doc_create(pool, &io, &opts);
    s.doc = doc;

    while (c.p < c.end && ops++ < 200) {
        int op = byte(&c), st = byte(&c);
        /* mostly 200..599 (every one reachable), sometimes out of range */
        st = (st & 128) ? 200 + (st * 256 + byte(&c)) % 400 : 150 + st * 4;
        /* several handles at once: the top bits pick one */
        h = (op >> 6) & 3;
        resp = handles[h];
        switch (op % 15) {
        case 0:
            if (ms_doc_open(doc, arg(&c, pool), 0, &resp) != APR_SUCCESS)
                resp = NULL;
            break;
        case 1:
            if (ms_doc_open(doc, arg(&c, pool), 1, &resp) != APR_SUCCESS)
                resp = NULL;
            break;
        case 2:
            if (resp)
                ms_doc_set_status(resp, st);
            break;
        case 3:
            if (resp) {
                const char *ns = arg(&c, pool), *name = arg(&c, pool);
                ms_doc_prop_add(resp, ns, name, st,
                                (ms_value_kind)(op / 12 % 3), arg(&c, pool));
            }
            break;
        case 4:
            if (resp)
                ms_doc_set_description(resp, arg(&c, pool));
            break;
        case 5:
            if (resp)
                ms_doc_close(resp);
            resp = NULL;
            /* an open href is one handle: forget every copy of it */
            for (h = 0; h < 4; h++)
                if (handles[h] == handles[(op >> 6) & 3])
                    handles[h] = NULL;
            break;
        case 12:
            ms_doc_add_status(doc, arg(&c, pool), st, (op & 16)
                              ? arg(&c, pool) : NULL);
            break;
        case 13:
            ms_doc_push(doc);
            break;
        case 14:
            if (resp)
                ms_doc_hide(resp);
            break;
        case 6:
            if (resp)
                ms_doc_set_location(resp, arg(&c, pool));
            break;
        case 7:
            if (resp) {
                const char *ns = arg(&c, pool);
                if (op & 16)
                    ms_doc_set_error(resp, ns, arg(&c, pool));
                else
                    ms_doc_propstat_set_error(resp, st, ns, arg(&c, pool));
            }
            break;
        case 8:
            if (resp)
                ms_doc_propstat_set_description(resp, st, arg(&c, pool));
            break;
        case 9:
            if (resp) {
                const char *ns = arg(&c, pool), *name = arg(&c, pool);
                ms_doc_prop_set_lang(resp, ns, name, arg(&c, pool));
            }
            break;
        case 10:
            ms_doc_declare_ns(doc, arg(&c, pool));
            break;
        default:
            if (op & 16) {
                ms_doc_set_ms_description(doc, arg(&c, pool));
            }
            else if (op & 32) {
                /* the property-method rules, with requested names */
                ms_doc_rules ru;
                ms_doc_qname *want = apr_pcalloc(pool, 2 * sizeof(*want));
                int flags = byte(&c);
                memset(&ru, 0, sizeof(ru));
                want[0].ns = arg(&c, pool);
                want[0].name = arg(&c, pool);
                want[1].ns = "DAV:";
                want[1].name = "getetag";
                ru.want = want;
                ru.nwant = 2;
                ru.want_status = flags & 64 ? 500 : 404;
                ru.propname = flags & 1;
                ru.atomic = flags & 2;
                ru.minimal = flags & 4;
                ru.noroot = flags & 8;
                ru.root_first = flags & 16;
                ms_doc_set_rules(doc, &ru);
            }
            else {
                ms_doc_flush(doc);
                /* flush closes every open response */
                memset(handles, 0, sizeof(handles));
                resp = NULL;
            }
            break;
        }
        if (op % 15 != 5 && !(op % 15 == 11 && !(op & 48)))
            handles[(op >> 6) & 3] = resp;
    }
    ms_doc_finish(doc);
    if (!s.failed)
        check_doc(pool, &s);
    free(s.body);
    apr_pool_destroy(pool);
    return 0;
}
