/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_ingest_unit.c: unit tests of the ingest parser (src/core/ms_ingest*.c).
 *
 * Real bodies: the .xml files of tests/ingest/ are 207 bodies captured from mod_dav_fs
 * (tests/ingest/capture makes them again).  Each is fed to the parser
 * whole, one byte at a time and in random splits, through the tokenizer
 * and through expat, into a real document (ms_doc), and the body the
 * document renders is compared with the original, both read by apr_xml
 * (expat): the same responses in the same order, hrefs (the original's in
 * the module's form, a collection's with its '/'), statuses, properties
 * with their status, language and value (elements by namespace and name,
 * attributes, text), descriptions and errors.  Then bodies that must be
 * refused (malformed, truncated at every byte, DTDs and entities,
 * undeclared prefixes, not a multistatus): refused with a message that
 * says where, and the document ended with ms_doc_fail() stays
 * well-formed.  And a table of small documents on which the tokenizer
 * must agree with expat, accepting or refusing.
 *
 * Files: this one (captured bodies, encodings, limits, memory, splits,
 * main), ms_ingest_cases.c (crafted bodies, the tokenizer against expat),
 * ms_ingest_harness.c (the document, the feeding, the comparison).
 *
 * A plain program: each failed check prints a line; the exit status says
 * whether any failed.  Run by make check (srcdir locates the fixtures).
 */
#include "ms_ingest_unit.h"

/* ---------------------------------------------------------------- */
/* The captured mod_dav_fs bodies                                    */

static const char *fixtures[] = {
    "propfind-allprop-d0", "propfind-allprop-d1", "propfind-allprop-file",
    "propfind-empty-d1", "propfind-prop-d1", "propfind-propname-d1",
    "propfind-infinity", "propfind-locked-d1", "proppatch-set",
    "proppatch-fail", "lock-multistatus", "delete-multistatus",
    "delete-partial", "propfind-bench-d1", NULL
};

void test_fixtures(apr_pool_t *pool, const char *dir)
{
    int i, k;

    for (i = 0; fixtures[i]; i++) {
        apr_pool_t *p;
        apr_size_t len;
        char *body, why[200];
        apr_array_header_t *want;
        result r;
        const char *path = apr_pstrcat(pool, dir, "/", fixtures[i], ".xml",
                                       NULL);

        apr_pool_create(&p, pool);
        body = slurp(p, path, &len);
        CHECK(body != NULL, "fixture %s cannot be read", path);
        if (!body) {
            apr_pool_destroy(p);
            continue;
        }
        want = canon(p, body, len, 0, why, sizeof(why));
        CHECK(want != NULL && want->nelts > 0, "fixture %s: %s", path, why);
        if (!want) {
            apr_pool_destroy(p);
            continue;
        }
        r = round_trip(p, fixtures[i], body, len, 0, 0, MS_INGEST_AUTO, NULL,
                       want);
        CHECK(!r.expat, "%s went through expat", fixtures[i]);
        /* mod_dav's own prefixes and status lines are gone */
        CHECK(r.body && !strstr(r.body, "lp1:") && !strstr(r.body, "lp2:")
              && !strstr(r.body, "(status)"), "%s: mod_dav's prefixes or "
              "status lines are still there", fixtures[i]);
        free(r.body);
        r = round_trip(p, fixtures[i], body, len, 1, 0, MS_INGEST_AUTO, NULL,
                       want);
        free(r.body);
        for (k = 0; k < 6; k++) {
            r = round_trip(p, fixtures[i], body, len, k < 3 ? 7 : 300,
                           (unsigned)(k + 1), MS_INGEST_AUTO, NULL, want);
            free(r.body);
        }
        r = round_trip(p, fixtures[i], body, len, 0, 0, MS_INGEST_EXPAT, NULL,
                       want);
        CHECK(r.expat, "%s: expat was asked for", fixtures[i]);
        free(r.body);
        r = round_trip(p, fixtures[i], body, len, 13, 9, MS_INGEST_EXPAT, NULL,
                       want);
        free(r.body);
        apr_pool_destroy(p);
    }
}

/* Truncated at every byte: refused ("truncated" or malformed), the
 * responses before the cut are there, the document is well-formed and
 * ends with the failure response. */
void test_truncated(apr_pool_t *pool, const char *dir)
{
    apr_pool_t *p;
    apr_size_t len, cut, ends = 0;
    char *body;
    int bad = 0;

    apr_pool_create(&p, pool);
    body = slurp(p, apr_pstrcat(p, dir, "/propfind-allprop-d1.xml", NULL),
                 &len);
    if (!body) {
        CHECK(0, "fixture missing");
        return;
    }
    /* the end tag (and what follows it) complete the document */
    len = (apr_size_t)(strstr(body, "</D:multistatus>") - body) + 15;
    for (cut = 0; cut < len && bad < 3; cut++) {
        apr_size_t complete = 0;
        const char *s = body;
        result r = ingest(p, body, cut, cut % 2 ? 1 : 0, 0, MS_INGEST_AUTO,
                          NULL, 0, 0, NULL);
        while ((s = strstr(s, "</D:response>")) != NULL
               && (apr_size_t)(s - body) + 13 <= cut) {
            complete++;
            s++;
        }
        if (r.rv != MS_INGEST_EBODY || !r.error || r.count != complete
            || !well_formed(p, r.body, r.len)
            || !strstr(r.body, "500 Internal Server Error")) {
            bad++;
            CHECK(0, "cut at %lu: rv %d, error %s, %lu responses of %lu",
                  (unsigned long)cut, r.rv, r.error ? r.error : "-",
                  (unsigned long)r.count, (unsigned long)complete);
        }
        if (r.error && strstr(r.error, "truncated"))
            ends++;
        free(r.body);
    }
    CHECK(ends > len / 2, "only %lu of %lu cuts said 'truncated'",
          (unsigned long)ends, (unsigned long)len);
    apr_pool_destroy(p);
}


void test_encodings(apr_pool_t *p, const char *dir)
{
    const char *latin = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
        MS "<D:response><D:href>/dav/caf\xE9</D:href><D:propstat><D:prop>"
        "<D:displayname>caf\xE9</D:displayname></D:prop><D:status>HTTP/1.1 "
        "200 OK</D:status></D:propstat></D:response>" END;
    result r = ingest(p, latin, strlen(latin), 1, 0, MS_INGEST_AUTO, NULL, 0,
                      0, NULL);
    apr_size_t len, i;
    char *body, *u16;

    CHECK(r.rv == APR_SUCCESS && r.expat, "latin-1: %s",
          r.error ? r.error : "tokenizer");
    CHECK(r.body && strstr(r.body, "<D:href>/dav/caf%C3%A9</D:href>")
          && strstr(r.body, "caf\xC3\xA9</D:displayname>"), "latin-1:\n%s",
          r.body);
    free(r.body);
    /* the charset of the Content-Type wins */
    r = ingest(p, strstr(latin, "?>") + 2, strlen(strstr(latin, "?>") + 2),
               0, 0, MS_INGEST_AUTO,
               "iso-8859-1", 0, 0, NULL);
    CHECK(r.rv == APR_SUCCESS && r.expat, "charset: %s",
          r.error ? r.error : "tokenizer");
    free(r.body);
    /* UTF-16 (with a BOM): every byte of an ASCII body widened */
    body = slurp(p, apr_pstrcat(p, dir, "/propfind-allprop-d1.xml", NULL),
                 &len);
    if (body) {
        char why[200];
        apr_array_header_t *want;
        char *ascii = apr_pstrdup(p, "<?xml version=\"1.0\" encoding=\"UTF-16\"?>"
                                  MS "<D:response><D:href>/dav/a%20b</D:href>"
                                  "<D:propstat><D:prop><D:getetag>\"x\""
                                  "</D:getetag></D:prop><D:status>HTTP/1.1 200"
                                  " OK</D:status></D:propstat></D:response>"
                                  END);
        apr_size_t al = strlen(ascii);
        u16 = apr_palloc(p, 2 * al + 2);
        u16[0] = '\xFF';
        u16[1] = '\xFE';
        for (i = 0; i < al; i++) {
            u16[2 + 2 * i] = ascii[i];
            u16[3 + 2 * i] = 0;
        }
        want = canon(p, strstr(ascii, "?>") + 2,
                     strlen(strstr(ascii, "?>") + 2), 0, why, sizeof(why));
        r = ingest(p, u16, 2 * al + 2, 5, 3, MS_INGEST_AUTO, NULL, 0, 0, NULL);
        CHECK(r.rv == APR_SUCCESS && r.expat, "UTF-16: %s",
              r.error ? r.error : "tokenizer");
        if (r.rv == APR_SUCCESS) {
            apr_array_header_t *got = canon(p, r.body, r.len, 1, why,
                                            sizeof(why));
            CHECK(got && want && same(want, got, "UTF-16"), "UTF-16 facts");
        }
        free(r.body);
    }
}

/* The limit of responses: the rest is checked, nothing registered, the
 * document ends with the 507. */
void test_limit(apr_pool_t *p, const char *dir)
{
    apr_size_t len;
    char *body = slurp(p, apr_pstrcat(p, dir, "/propfind-allprop-d1.xml",
                                      NULL), &len);
    result r;

    if (!body)
        return;
    r = ingest(p, body, len, 0, 0, MS_INGEST_AUTO, NULL, 0, 2, NULL);
    CHECK(r.rv == APR_SUCCESS && r.count == 2, "limit: %d, %lu", r.rv,
          (unsigned long)r.count);
    CHECK(r.body && strstr(r.body, "507 Insufficient Storage"), "507");
    free(r.body);
}

#define RESP_FMT "<D:response xmlns:lp1=\"DAV:\"><D:href>/dav/" \
    "f%07d.txt</D:href><D:propstat><D:prop><lp1:getcontentlength>%d" \
    "</lp1:getcontentlength><D:supportedlock><D:lockentry><D:lockscope>" \
    "<D:exclusive/></D:lockscope></D:lockentry></D:supportedlock>" \
    "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>" \
    "</D:response>\n"

/* Memory: a long listing in 8 KB chunks keeps the parser's buffers small
 * and the body streams. */
void test_bounded(apr_pool_t *p)
{
    apr_pool_t *sp;
    sink s;
    ms_doc *doc;
    ms_ingest *ing;
    char chunk[8192 + 512];
    apr_size_t used = 0, peak = 0, held = 0;
    int i, n = 20000;
    apr_status_t rv;

    apr_pool_create(&sp, p);
    doc = new_doc(sp, &s, "/dav/", 0);
    ing = ms_ingest_create(sp, doc, NULL);
    rv = ms_ingest_feed(ing, HDR MS, strlen(HDR MS));
    for (i = 0; i < n && rv == APR_SUCCESS; i++) {
        used += (apr_size_t)apr_snprintf(chunk + used, sizeof(chunk) - used,
                                         RESP_FMT, i, i);
        if (used > 8192 || i == n - 1) {
            /* split mid-token on purpose */
            rv = ms_ingest_feed(ing, chunk, used - 7);
            if (rv == APR_SUCCESS)
                rv = ms_ingest_feed(ing, chunk + used - 7, 7);
            used = 0;
            if (s.len > peak)
                peak = s.len;
            if (ms_ingest_footprint(ing) > held)
                held = ms_ingest_footprint(ing);
            /* the sink would pass chunks on: keep only a count */
            s.len = 0;
        }
    }
    if (rv == APR_SUCCESS)
        rv = ms_ingest_feed(ing, END, strlen(END));
    if (rv == APR_SUCCESS)
        rv = ms_ingest_done(ing);
    CHECK(rv == APR_SUCCESS, "long listing: %s", ms_ingest_error(ing));
    CHECK(ms_ingest_count(ing) == (apr_size_t)n, "%lu responses",
          (unsigned long)ms_ingest_count(ing));
    CHECK(ms_doc_committed(doc) && s.commits == 1, "the body streamed");
    /* 20,000 responses, 5 MB: the parser held a few KB at most */
    CHECK(held > 0 && held < 64 * 1024, "parser buffers up to %lu bytes",
          (unsigned long)held);
    CHECK(ms_ingest_footprint(ing) == 0, "buffers kept after done: %lu",
          (unsigned long)ms_ingest_footprint(ing));
    CHECK(ms_ingest_feed(ing, "x", 1) == MS_EFINISHED, "feed after done");
    CHECK(ms_doc_open_count(doc) == 0, "responses left open");
    ms_doc_finish(doc);
    free(s.body);
    apr_pool_destroy(sp);
}

/* However a body is split, the result is the same, byte for byte: the
 * verdict, the message and its offset (cases the fuzz target found). */
void test_split_invariance(apr_pool_t *p)
{
    const char *cases[] = {
        /* a BOM, then junk: the offset counts the BOM once */
        "\xEF\xBB\xBFml version=\"1.0\"?>" MS END,
        "\xEF\xBB\xBF\xEF\xBB\xBF" MS END,
        /* an '&' whose ';' is past another '&' */
        NULL, NULL, NULL, NULL, NULL
    };
    int i, step;

    cases[2] = one_prop(p, "", "<D:a>blue &acom&gt;p</D:a>");
    /* a quoted value holding '>' that never ends */
    cases[3] = apr_pstrcat(p, HDR MS "<D:response a=\"x>y", apr_psprintf(p,
                           "%0*d", 3000, 1), "</D:response>" END, NULL);
    /* a token longer than the bound, whole or split */
    cases[4] = one_prop(p, "", apr_pstrcat(p, "<D:a b=\"", apr_psprintf(p,
                        "%0*d", 3000, 1), "\"/>", NULL));
    /* an encoding declared past the first 512 bytes */
    cases[5] = apr_pstrcat(p, "<?xml version=\"1.0\"", apr_psprintf(p,
                           "%*s", 600, ""), "encoding=\"ISO-8859-1\"?>" MS END,
                           NULL);
    for (i = 0; cases[i]; i++) {
        result whole = ingest(p, cases[i], strlen(cases[i]), 0, 0,
                              MS_INGEST_AUTO, NULL, 1024, 0, NULL);
        for (step = 1; step < 40; step += 7) {
            result r = ingest(p, cases[i], strlen(cases[i]), step,
                              (unsigned)step, MS_INGEST_AUTO, NULL, 1024, 0,
                              NULL);
            CHECK(r.rv == whole.rv && r.len == whole.len
                  && memcmp(r.body, whole.body, r.len) == 0,
                  "case %d, step %d: '%s' whole, '%s' split", i, step,
                  whole.error ? whole.error : "accepted",
                  r.error ? r.error : "accepted");
            free(r.body);
        }
        free(whole.body);
    }
}

int main(int argc, char **argv)
{
    apr_pool_t *pool;
    const char *srcdir = getenv("srcdir");
    const char *dir;

    (void)argc;
    (void)argv;
    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&pool, NULL);
    ms_doc_init();
    dir = apr_pstrcat(pool, srcdir ? srcdir : ".", "/tests/ingest", NULL);

    test_fixtures(pool, dir);
    test_truncated(pool, dir);
    test_refusals(pool);
    test_repairs(pool);
    test_values(pool);
    test_encodings(pool, dir);
    test_limit(pool, dir);
    test_bounded(pool);
    test_split_invariance(pool);
    test_agreement(pool);

    printf("%s: %d checks, %d failed\n", argv[0], checks, failures);
    apr_pool_destroy(pool);
    return failures ? 1 : 0;
}
