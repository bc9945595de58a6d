/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_fuzz_ingest.c: libFuzzer target for the ingest parser (ms_ingest*.c).
 *
 * The input is a producer's body, as is (the captured bodies of
 * tests/ingest/ are the seeds).  Each input is ingested three times into
 * a real document: through the tokenizer whole, through the tokenizer in
 * pieces whose sizes come from a hash of the input, and through expat.
 * Whatever the input, and whether it is accepted or refused:
 *   - the rendered body is a well-formed, namespace-correct document
 *     (apr_xml, that is expat) with a DAV:multistatus root whose every
 *     response has one href and status XOR propstat;
 *   - the split does not change anything: the same body, byte for byte,
 *     the same verdict;
 *   - what the tokenizer accepts, expat with namespaces accepts too (no
 *     body is taken that a client's parser would refuse).
 * A violation aborts, which libFuzzer reports with the input.
 *
 *   make fuzz-ingest      (builds every target, runs this one FUZZ_SECONDS)
 *   tests/fuzz/ms_fuzz_ingest -dict=tests/fuzz/ms_fuzz_ingest.dict CORPUS \
 *       tests/fuzz/seeds-ingest tests/ingest
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apr_general.h"
#include "apr_strings.h"
#include "apr_xml.h"

#include <expat.h>

#include "ms_doc.h"
#include "ms_ingest.h"

typedef struct {
    char *body;
    apr_size_t len, cap;
} sink;

static apr_status_t f_commit(void *baton, apr_off_t length)
{
    (void)baton;
    (void)length;
    return APR_SUCCESS;
}

static apr_status_t f_write(void *baton, char *buf, apr_size_t len,
                            int flush)
{
    sink *s = baton;

    (void)flush;
    if (s->len + len + 1 > s->cap) {
        s->cap = (s->len + len + 1) * 2;
        s->body = realloc(s->body, s->cap);
        if (!s->body)
            abort();
    }
    if (len)
        memcpy(s->body + s->len, buf, len);
    s->len += len;
    s->body[s->len] = '\0';
    free(buf);
    return APR_SUCCESS;
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
        if (hrefs != 1 || (status != 0) == (propstat != 0) || status > 1) {
            fprintf(stderr, "bad response structure:\n%.*s\n", (int)s->len,
                    s->body);
            abort();
        }
    }
}

/* One ingest: @a step 0 whole, else pieces of 1..step bytes from @a h. */
static apr_status_t run(const uint8_t *data, size_t size,
                        ms_ingest_parser parser, unsigned step, uint32_t h,
                        int rules, sink *s)
{
    apr_pool_t *pool;
    ms_doc_io io;
    ms_doc_opts opts;
    ms_doc *doc;
    ms_ingest *ing;
    ms_ingest_opts o;
    size_t off = 0;
    apr_status_t rv = APR_SUCCESS;

    apr_pool_create(&pool, NULL);
    memset(s, 0, sizeof(*s));
    memset(&io, 0, sizeof(io));
    io.baton = s;
    io.commit = f_commit;
    io.write = f_write;
    memset(&opts, 0, sizeof(opts));
    opts.base_path = "/dav/";
    opts.origin = "http://example.org:8080";
    opts.absolute_uri = rules & 32;
    opts.buffer_size = 512;
    opts.max_responses = rules & 64 ? 3 : 0;
    doc = ms_doc_create(pool, &io, &opts);
    if (rules & 15) {
        ms_doc_rules ru;
        memset(&ru, 0, sizeof(ru));
        ru.propname = rules & 1;
        ru.atomic = rules & 2;
        ru.minimal = rules & 4;
        ru.noroot = rules & 8;
        ru.root_first = rules & 16;
        ms_doc_set_rules(doc, &ru);
    }
    memset(&o, 0, sizeof(o));
    o.parser = parser;
    o.max_response = 4096;
    ing = ms_ingest_create(pool, doc, &o);
    while (off < size && rv == APR_SUCCESS) {
        size_t n = size - off;
        if (step) {
            h = h * 1103515245u + 12345u;
            n = 1 + (h >> 16) % step;
            if (n > size - off)
                n = size - off;
        }
        rv = ms_ingest_feed(ing, (const char *)data + off, n);
        off += n;
    }
    if (rv == APR_SUCCESS)
        rv = ms_ingest_done(ing);
    if (rv == APR_SUCCESS)
        ms_doc_finish(doc);
    else
        ms_doc_fail(doc, 500, ms_ingest_error(ing) ? ms_ingest_error(ing)
                                                   : "refused");
    check_doc(pool, s);
    apr_pool_destroy(pool);
    return rv;
}

static int expat_accepts(const uint8_t *data, size_t size)
{
    XML_Parser xp = XML_ParserCreateNS(NULL, '\x01');
    int ok = XML_Parse(xp, (const char *)data, (int)size, 1) == XML_STATUS_OK;
    XML_ParserFree(xp);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    sink whole, split, viaexpat;
    apr_status_t rv1, rv2, rv3;
    uint32_t h = 2166136261u;
    size_t i;
    int rules;

    if (!ready) {
        apr_initialize();
        ms_doc_init();
        ready = 1;
    }
    if (size > 1 << 20)
        return 0;
    for (i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    rules = (int)(h >> 25);
    rv1 = run(data, size, MS_INGEST_AUTO, 0, h, rules, &whole);
    rv2 = run(data, size, MS_INGEST_AUTO, 1 + h % 64, h, rules, &split);
    rv3 = run(data, size, MS_INGEST_EXPAT, 1 + h % 13, h, rules, &viaexpat);
    (void)rv3;
    if (rv1 != rv2 || whole.len != split.len
        || memcmp(whole.body, split.body, whole.len) != 0) {
        fprintf(stderr, "the split changed the result (%d/%d):\n%.*s\n---\n"
                "%.*s\n", rv1, rv2, (int)whole.len, whole.body,
                (int)split.len, split.body);
        abort();
    }
    if (rv1 == APR_SUCCESS && !expat_accepts(data, size)) {
        fprintf(stderr, "the tokenizer accepted what expat refuses\n");
        abort();
    }
    free(whole.body);
    free(split.body);
    free(viaexpat.body);
    return 0;
}
