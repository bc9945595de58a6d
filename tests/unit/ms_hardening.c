/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_hardening.c: regression tests of the APR-only core for the defects of
 * the hardening issue (docs/HOSTILE-INPUT.md lists them with the tests
 * that cover each).  A plain program, like ms_unit: every failed check
 * prints, the exit status counts the failures.  Every finished body is
 * parsed with expat in namespace mode (what a WebDAV client does), so a
 * body that is well-formed but not namespace-well-formed fails here.
 *
 * Memory checks count the bytes the C library has handed out
 * (mallinfo2), not time: they are exact whatever the machine's load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>

#include <expat.h>

#include "apr_general.h"
#include "apr_strings.h"

#include "ms_doc.h"

static int failures, checks;

#ifndef MS_DOC_HAVE_ADD_STATUS
/* Before the hardening the core had no one-call form: what the glue's
 * ms_add_status() did with it. */
static apr_status_t ms_doc_add_status(ms_doc *doc, const char *path,
                                      int status, const char *desc)
{
    ms_response *r;
    apr_status_t rv = ms_doc_open(doc, path, 0, &r);
    if (rv == APR_SUCCESS)
        rv = ms_doc_set_status(r, status);
    if (rv == APR_SUCCESS && desc)
        rv = ms_doc_set_description(r, desc);
    return rv;
}
#endif

#define CHECK(cond, ...)                                               \
    do {                                                               \
        checks++;                                                      \
        if (!(cond)) {                                                 \
            failures++;                                                \
            printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);     \
            printf(__VA_ARGS__);                                       \
            printf("\n");                                              \
        }                                                              \
    } while (0)

typedef struct sink {
    apr_pool_t *pool;
    char *body;
    apr_size_t len, cap;
    int commits, refusals;
    apr_status_t last_rv;
    char last_msg[600];
    ms_doc *doc;
    int begin_mode;             /* what the begin callback does */
    apr_status_t begin_rv;
    int keep;                   /* keep the body (else only count it) */
} sink;

static apr_status_t s_commit(void *baton, apr_off_t length)
{
    sink *s = baton;
    (void)length;
    s->commits++;
    return APR_SUCCESS;
}

static apr_status_t s_write(void *baton, char *buf, apr_size_t len, int flush)
{
    sink *s = baton;
    (void)flush;
    if (s->keep) {
        if (s->len + len + 1 > s->cap) {
            s->cap = (s->len + len + 1) * 2;
            s->body = realloc(s->body, s->cap);
        }
        if (len)
            memcpy(s->body + s->len, buf, len);
        s->body[s->len + len] = '\0';
    }
    s->len += len;
    free(buf);
    return APR_SUCCESS;
}

static void s_refused(void *baton, apr_status_t rv, const char *msg)
{
    sink *s = baton;
    s->refusals++;
    s->last_rv = rv;
    apr_cpystrn(s->last_msg, msg, sizeof(s->last_msg));
}

/* The begin callback: a hook that registers and closes (1) or flushes
 * (2) while the root element is being written. */
static void s_begin(void *baton)
{
    sink *s = baton;
    ms_response *r = NULL;

    if (s->begin_mode == 1) {
        if (ms_doc_open(s->doc, "from-begin", 0, &r) == APR_SUCCESS) {
            ms_doc_set_status(r, 200);
            s->begin_rv = ms_doc_close(r);
        }
    }
    else if (s->begin_mode == 2) {
        if (ms_doc_open(s->doc, "from-begin", 0, &r) == APR_SUCCESS)
            ms_doc_set_status(r, 200);
        s->begin_rv = ms_doc_flush(s->doc);
    }
}

static ms_doc *new_doc(apr_pool_t *p, sink *s, const char *base,
                       apr_size_t bufsize, int begin_mode)
{
    ms_doc_io io;
    ms_doc_opts opts;

    free(s->body);
    memset(s, 0, sizeof(*s));
    s->pool = p;
    s->keep = 1;
    s->begin_mode = begin_mode;
    memset(&io, 0, sizeof(io));
    io.baton = s;
    io.commit = s_commit;
    io.write = s_write;
    io.refused = s_refused;
    io.begin = s_begin;
    memset(&opts, 0, sizeof(opts));
    opts.base_path = base;
    opts.origin = "http://example.org:8080";
    opts.buffer_size = bufsize;
    s->doc = ms_doc_create(p, &io, &opts);
    return s->doc;
}

/* Namespace-well-formed, as a namespace-aware client parses it? */
static int ns_well_formed(const char *body, apr_size_t len)
{
    XML_Parser x = XML_ParserCreateNS(NULL, '\x01');
    int ok = XML_Parse(x, body, (int)len, 1) == XML_STATUS_OK;

    if (!ok)
        printf("  namespace-aware parse: %s at line %lu\n",
               XML_ErrorString(XML_GetErrorCode(x)),
               (unsigned long)XML_GetCurrentLineNumber(x));
    XML_ParserFree(x);
    return ok;
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    const char *p = hay;

    while (p && (p = strstr(p, needle)) != NULL) {
        n++;
        p += strlen(needle);
    }
    return n;
}

/* ---------------------------------------------------------------- */
/* 1. The begin hook re-entering the commit                          */

static void test_begin_hook(apr_pool_t *p)
{
    sink s = { 0 };
    int mode;
    apr_size_t bufsize[] = { 0, 64 };
    int b;

    for (mode = 1; mode <= 2; mode++) {
        for (b = 0; b < 2; b++) {
            ms_doc *doc = new_doc(p, &s, "/dir/", bufsize[b], mode);
            ms_response *r;
            int i;
            for (i = 0; i < 20; i++) {
                ms_doc_open(doc, apr_psprintf(p, "m%d", i), 0, &r);
                ms_doc_set_status(r, 200);
                ms_doc_close(r);
            }
            ms_doc_finish(doc);
            CHECK(s.body && count_of(s.body, "<?xml") == 1
                  && count_of(s.body, "<D:multistatus") == 1,
                  "begin mode %d, buffer %d: one prolog, one root (body: "
                  "%.300s)", mode, (int)bufsize[b], s.body ? s.body : "");
            CHECK(s.body && ns_well_formed(s.body, s.len),
                  "begin mode %d, buffer %d: well-formed", mode,
                  (int)bufsize[b]);
            CHECK(s.commits == 1, "begin mode %d: one commit (%d)", mode,
                  s.commits);
            CHECK(s.body && count_of(s.body, "from-begin") == 1,
                  "begin mode %d: the hook's response is in the body once",
                  mode);
        }
    }
    free(s.body);
}

/* ---------------------------------------------------------------- */
/* 4. XML fragments that are not namespace-well-formed               */

static void test_fragments(apr_pool_t *p)
{
    static const char *bad[] = {
        "<a xmlns:p=\"urn:x\" xmlns:q=\"urn:x\" p:b=\"1\" q:b=\"2\"/>",
        "<xmlns:a/>",
        "<D:a:b/>",
        "<a:b:c xmlns:a=\"urn:a\"/>",
        "<:a/>",
        "<a xmlns:xml=\"urn:not-xml\"/>",
        "<a xmlns:xmlns=\"urn:x\"/>",
        "<a xmlns:p=\"http://www.w3.org/XML/1998/namespace\"/>",
        "<a xmlns:p=\"http://www.w3.org/2000/xmlns/\"/>",
        "<a xmlns=\"http://www.w3.org/2000/xmlns/\"/>",
        "<a xmlns=\"http://www.w3.org/XML/1998/namespace\"/>",
        "<a xmlns:p=\"\"/>",
        "<a xmlns:p=\"urn:x\" xmlns:q=\"urn:x\"><b p:c=\"1\" q:c=\"2\"/></a>",
        "<a xmlns:p=\"urn:x\" xmlns:q=\"urn&#x3a;x\" p:b=\"1\" q:b=\"2\"/>",
        "<a D:x=\"1\" xmlns:E=\"DAV:\" E:x=\"2\"/>",
        "<a xmlns:1=\"urn:x\"/>",
        "<a p:=\"1\"/>",
    };
    static const char *good[] = {
        "<a xmlns:p=\"urn:x\" xmlns:q=\"urn:y\" p:b=\"1\" q:b=\"2\"/>",
        "<a xml:lang=\"en\" xml:space=\"preserve\"/>",
        "<a xmlns:xml=\"http://www.w3.org/XML/1998/namespace\"/>",
        "<D:href>x</D:href><a b=\"1\" D:b=\"2\"/>",
        "text &amp; <!-- c --> <![CDATA[<x:y:z>]]> <?pi x?>",
        "<a xmlns=\"urn:d\"><b xmlns=\"\"/></a>",
    };
    sink s = { 0 };
    apr_size_t i;
    ms_doc *doc = new_doc(p, &s, "/", 65536, 0);
    ms_response *r;

    ms_doc_open(doc, "f", 0, &r);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        apr_status_t rv = ms_doc_prop_add(r, "urn:t", apr_psprintf(p, "b%d",
                                          (int)i), 200, MS_VALUE_XML, bad[i]);
        CHECK(rv == MS_EINVAL, "fragment refused: %s (rv %d)", bad[i],
              (int)rv);
    }
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        apr_status_t rv = ms_doc_prop_add(r, "urn:t", apr_psprintf(p, "g%d",
                                          (int)i), 200, MS_VALUE_XML, good[i]);
        CHECK(rv == APR_SUCCESS, "fragment accepted: %s (%s)", good[i],
              s.last_msg);
    }
    ms_doc_close(r);
    ms_doc_finish(doc);
    CHECK(ns_well_formed(s.body, s.len), "fragments: body namespace-"
          "well-formed: %.2000s", s.body);
    free(s.body);
}

/* ---------------------------------------------------------------- */
/* 5. Namespace names: reserved ones, and ones that are no URI        */

static void test_ns_names(apr_pool_t *p)
{
    static const char *bad[] = {
        "http://www.w3.org/XML/1998/namespace",
        "http://www.w3.org/2000/xmlns/",
        "urn:a\"b", "urn:a<b", "urn:a b", "urn:a\tb", "urn:a\nb",
        "urn:a>b", "urn:{x}", "urn:a\\b", "urn:a`b", "urn:a^b", "urn:a|b",
    };
    sink s = { 0 };
    apr_size_t i;
    ms_doc *doc = new_doc(p, &s, "/", 65536, 0);
    ms_response *r;

    ms_doc_open(doc, "n", 0, &r);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK(ms_doc_prop_add(r, bad[i], "x", 404, MS_VALUE_NONE, NULL)
              == MS_EINVAL, "property namespace refused: '%s'", bad[i]);
        CHECK(ms_doc_declare_ns(doc, bad[i]) == MS_EINVAL,
              "declared namespace refused: '%s'", bad[i]);
        CHECK(ms_doc_set_error(r, bad[i], "e") == MS_EINVAL,
              "error namespace refused: '%s'", bad[i]);
    }
    CHECK(ms_doc_prop_add(r, "urn:ok:caf\xc3\xa9", "x", 200, MS_VALUE_TEXT,
                          "1") == APR_SUCCESS, "an IRI namespace is fine");
    CHECK(ms_doc_prop_add(r, "http://example.org/ns#frag?q=%41", "x", 200,
                          MS_VALUE_TEXT, "1") == APR_SUCCESS,
          "a URI with fragment and query is fine");
    ms_doc_close(r);
    ms_doc_finish(doc);
    CHECK(ns_well_formed(s.body, s.len), "namespaces: body namespace-"
          "well-formed: %.2000s", s.body);
    free(s.body);
}

/* ---------------------------------------------------------------- */
/* 12. Memory: open status-form results, and root-last listings       */

#if defined(__SANITIZE_ADDRESS__)
/* the sanitizers' allocator interface (gcc ships no header for it) */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

static size_t heap_used(void)
{
#if defined(__SANITIZE_ADDRESS__)
    /* make check-sanitizers: ASan's allocator, not glibc's, holds the heap */
    return __sanitizer_get_current_allocated_bytes();
#else
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
#endif
}

static void test_memory(apr_pool_t *p)
{
    sink s = { 0 };
    apr_pool_t *sub;
    ms_doc *doc;
    ms_response *r;
    size_t before, peak;
    long i, n = 200000;

    /* n status-form results left open (what ms_add_status does) */
    apr_pool_create(&sub, p);
    before = heap_used();
    doc = new_doc(sub, &s, "/big/", 65536, 0);
    s.keep = 0;
    for (i = 0; i < n; i++) {
        char name[32];
        apr_snprintf(name, sizeof(name), "member-%07ld", i);
        if (ms_doc_add_status(doc, name, 200, NULL) != APR_SUCCESS)
            break;
    }
    peak = heap_used();
    printf("# %ld open status-form results: %lu bytes each\n", n,
           (unsigned long)((peak - before) / (size_t)n));
    CHECK(i == n, "all %ld registered (%ld)", n, i);
    CHECK(ms_doc_open_count(doc) == (apr_size_t)n, "all open");
    /* 64 MB per million, href included */
    CHECK((peak - before) / (size_t)n <= 64, "open status-form results: %lu "
          "bytes each (at most 64)", (unsigned long)((peak - before) / n));
    ms_doc_finish(doc);
    CHECK(ms_doc_count(doc) == (apr_size_t)n, "all rendered");
    apr_pool_destroy(sub);

    /* a PROPFIND listing whose request-URI comes last: the others wait */
    apr_pool_create(&sub, p);
    before = heap_used();
    doc = new_doc(sub, &s, "/big/", 65536, 0);
    s.keep = 0;
    {
        ms_doc_rules ru;
        memset(&ru, 0, sizeof(ru));
        ru.root_first = 1;
        ms_doc_set_rules(doc, &ru);
    }
    for (i = 0; i < n; i++) {
        char name[32];
        apr_snprintf(name, sizeof(name), "member-%07ld", i);
        ms_doc_open(doc, name, 0, &r);
        ms_doc_prop_add(r, "DAV:", "getcontentlength", 200, MS_VALUE_TEXT,
                        "1234");
        ms_doc_close(r);
    }
    peak = heap_used();
    printf("# root-last listing of %ld responses: %lu bytes held\n", n,
           (unsigned long)(peak - before));
    CHECK(peak - before <= 8 * 1024 * 1024, "root-last listing of %ld: %lu "
          "bytes held (at most 8 MB)", n, (unsigned long)(peak - before));
    ms_doc_open(doc, "/big/", 0, &r);
    ms_doc_prop_add(r, "DAV:", "getcontentlength", 200, MS_VALUE_TEXT, "0");
    ms_doc_close(r);
    ms_doc_finish(doc);
    CHECK(ms_doc_count(doc) == (apr_size_t)n + 1, "all rendered");
    apr_pool_destroy(sub);
    free(s.body);
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&p, NULL);
    ms_doc_init();

    test_begin_hook(p);
    test_fragments(p);
    test_ns_names(p);
    test_memory(p);

    printf("# hardening: %d checks, %d failures\n", checks, failures);
    if (!failures)
        printf("# PASS: %d\n", checks);
    apr_pool_destroy(p);
    return failures > 100 ? 100 : failures;
}
