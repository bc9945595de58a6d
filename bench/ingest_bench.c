/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ingest_bench.c: throughput of the ingest parser (src/core/ms_ingest*.c) on
 * mod_dav_fs's own 207 bodies, against plain expat with namespaces.
 *
 *     ingest_bench [N ...]          (default: 10000 100000)
 *     REPEAT=9 SHAPE=prop ingest_bench 10000
 *
 * For each N, a PROPFIND Depth 1 answer of mod_dav_fs over N files is
 * generated in memory, byte for byte in mod_dav's format (two shapes: the
 * six properties bench/run asks for, "prop", as in
 * tests/ingest/propfind-bench-d1.xml; and allprop, with supportedlock and
 * lockdiscovery, as in tests/ingest/propfind-allprop-d1.xml), and fed in
 * 8000-byte pieces (what mod_dav's brigade passes on) to:
 *   expat-ns     expat with namespace processing, handlers that only count
 *                (the yardstick: 36 ms, 138 MB/s, for 10,000 files
 *                on a quiet machine)
 *   ingest       the ingest parser into a real document (ms_doc): parse,
 *                register every response, render the new body (its chunks
 *                are counted and freed, as the filter chain would take
 *                them) -- the whole cost ingest adds to mod_dav
 *   ingest-expat the same through expat (the path of other encodings)
 *   api          the same responses registered by C calls (ms_doc_open,
 *                ms_doc_prop_add with text values, ms_doc_close): what the
 *                document costs without any parsing
 * Best of REPEAT runs (default 7); each run checks that N+1 responses were
 * rendered.  SHAPE=prop or SHAPE=allprop runs one shape only.  PROFILE=1
 * runs the tokenizer's ingest only, once per shape, PROFILE=expat expat
 * only (for valgrind --tool=callgrind).
 *
 * The estimate of ingest's overhead does not trust this run's absolute
 * times (the machine may be busy): it takes the ratio ingest / expat-ns
 * measured here, in the same run ("x expat"), and applies it to the two
 * figures the issue measured on a quiet machine for 10,000 files,
 * expat-ns 36 ms (EXPAT_MS) and mod_dav_fs 75 ms (MODDAV_MS):
 *     overhead = (ingest / expat-ns) * EXPAT_MS / MODDAV_MS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apr_general.h"
#include "apr_strings.h"

#include <expat.h>

#include "ms_doc.h"
#include "ms_ingest.h"

#define PIECE 8000

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---------------------------------------------------------------- */
/* mod_dav_fs's bodies                                               */

typedef struct {
    char *buf;
    size_t len, cap;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->buf = realloc(b->buf, b->cap);
        if (!b->buf)
            abort();
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

#define SB_LIT(b, lit) sb_put((b), (lit), sizeof(lit) - 1)

static const char lockentries[] =
    "<D:supportedlock>\n"
    "<D:lockentry>\n"
    "<D:lockscope><D:exclusive/></D:lockscope>\n"
    "<D:locktype><D:write/></D:locktype>\n"
    "</D:lockentry>\n"
    "<D:lockentry>\n"
    "<D:lockscope><D:shared/></D:lockscope>\n"
    "<D:locktype><D:write/></D:locktype>\n"
    "</D:lockentry>\n"
    "</D:supportedlock>\n"
    "<D:lockdiscovery/>\n";

/* The answer of mod_dav_fs to PROPFIND Depth 1 on /davfs/dN/ holding N
 * empty files fNNNNNNN.txt (bench/run's directories). */
static sbuf listing(long n, int allprop)
{
    sbuf b = { NULL, 0, 0 };
    char line[512];
    long i;
    int k;

    SB_LIT(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    if (allprop)
        SB_LIT(&b, "<D:multistatus xmlns:D=\"DAV:\">\n");
    else
        SB_LIT(&b, "<D:multistatus xmlns:D=\"DAV:\" xmlns:ns0=\"DAV:\">\n");
    /* the collection first */
    k = snprintf(line, sizeof(line),
                 "<D:response xmlns:lp1=\"DAV:\" xmlns:lp2=\"http://apache.org/"
                 "dav/props/\"%s>\n<D:href>/davfs/d%ld/</D:href>\n"
                 "<D:propstat>\n<D:prop>\n"
                 "<lp1:resourcetype><D:collection/></lp1:resourcetype>\n",
                 allprop ? "" : " xmlns:g0=\"DAV:\"", n);
    sb_put(&b, line, (size_t)k);
    if (allprop) {
        SB_LIT(&b, "<lp1:creationdate>2026-11-30T12:02:06Z</lp1:creationdate>\n"
               "<lp1:getlastmodified>Mon, 30 Nov 2026 12:02:06 GMT"
               "</lp1:getlastmodified>\n"
               "<lp1:getetag>\"b4000-6617d2dbfa762\"</lp1:getetag>\n");
        sb_put(&b, lockentries, sizeof(lockentries) - 1);
        SB_LIT(&b, "<D:getcontenttype>httpd/unix-directory</D:getcontenttype>\n"
               "</D:prop>\n<D:status>HTTP/1.1 200 OK</D:status>\n"
               "</D:propstat>\n</D:response>\n");
    }
    else {
        SB_LIT(&b, "<lp1:getlastmodified>Mon, 30 Nov 2026 12:02:06 GMT"
               "</lp1:getlastmodified>\n"
               "<lp1:creationdate>2026-11-30T12:02:06Z</lp1:creationdate>\n"
               "<lp1:getetag>\"b4000-6617d2dbfa762\"</lp1:getetag>\n"
               "<D:getcontenttype>httpd/unix-directory</D:getcontenttype>\n"
               "</D:prop>\n<D:status>HTTP/1.1 200 OK</D:status>\n"
               "</D:propstat>\n<D:propstat>\n<D:prop>\n"
               "<g0:getcontentlength/>\n</D:prop>\n"
               "<D:status>HTTP/1.1 404 Not Found</D:status>\n"
               "</D:propstat>\n</D:response>\n");
    }
    for (i = 1; i <= n; i++) {
        k = snprintf(line, sizeof(line),
                     "<D:response xmlns:lp1=\"DAV:\" xmlns:lp2=\"http://apache."
                     "org/dav/props/\">\n<D:href>/davfs/d%ld/f%07ld.txt</D:href>"
                     "\n<D:propstat>\n<D:prop>\n<lp1:resourcetype/>\n", n, i);
        sb_put(&b, line, (size_t)k);
        if (allprop) {
            SB_LIT(&b, "<lp1:creationdate>2026-11-30T12:02:06Z"
                   "</lp1:creationdate>\n"
                   "<lp1:getcontentlength>0</lp1:getcontentlength>\n"
                   "<lp1:getlastmodified>Mon, 30 Nov 2026 12:02:06 GMT"
                   "</lp1:getlastmodified>\n");
            k = snprintf(line, sizeof(line), "<lp1:getetag>\"0-%013lx\""
                         "</lp1:getetag>\n<lp2:executable>F</lp2:executable>\n",
                         0x6617d2dbfa762L + i);
            sb_put(&b, line, (size_t)k);
            sb_put(&b, lockentries, sizeof(lockentries) - 1);
        }
        else {
            SB_LIT(&b, "<lp1:getcontentlength>0</lp1:getcontentlength>\n"
                   "<lp1:getlastmodified>Mon, 30 Nov 2026 12:02:06 GMT"
                   "</lp1:getlastmodified>\n"
                   "<lp1:creationdate>2026-11-30T12:02:06Z"
                   "</lp1:creationdate>\n");
            k = snprintf(line, sizeof(line), "<lp1:getetag>\"0-%013lx\""
                         "</lp1:getetag>\n", 0x6617d2dbfa762L + i);
            sb_put(&b, line, (size_t)k);
        }
        SB_LIT(&b, "<D:getcontenttype>text/plain</D:getcontenttype>\n"
               "</D:prop>\n<D:status>HTTP/1.1 200 OK</D:status>\n"
               "</D:propstat>\n</D:response>\n");
    }
    SB_LIT(&b, "</D:multistatus>\n");
    return b;
}

/* ---------------------------------------------------------------- */
/* expat                                                             */

typedef struct {
    long elements, text;
} xcount;

static void XMLCALL xs(void *ud, const XML_Char *name, const XML_Char **atts)
{
    (void)name;
    (void)atts;
    ((xcount *)ud)->elements++;
}

static void XMLCALL xe(void *ud, const XML_Char *name)
{
    (void)ud;
    (void)name;
}

static void XMLCALL xt(void *ud, const XML_Char *s, int len)
{
    (void)s;
    ((xcount *)ud)->text += len;
}

static double run_expat(const sbuf *b, long *elements)
{
    XML_Parser xp = XML_ParserCreateNS(NULL, '\x01');
    xcount c = { 0, 0 };
    size_t off;
    double t0 = now_ms(), t;

    XML_SetUserData(xp, &c);
    XML_SetElementHandler(xp, xs, xe);
    XML_SetCharacterDataHandler(xp, xt);
    for (off = 0; off < b->len; off += PIECE) {
        size_t n = b->len - off < PIECE ? b->len - off : PIECE;
        if (XML_Parse(xp, b->buf + off, (int)n, 0) != XML_STATUS_OK)
            abort();
    }
    if (XML_Parse(xp, "", 0, 1) != XML_STATUS_OK)
        abort();
    t = now_ms() - t0;
    XML_ParserFree(xp);
    *elements = c.elements;
    return t;
}

/* ---------------------------------------------------------------- */
/* The document                                                      */

typedef struct {
    size_t bytes;
    int commits, refusals;
} sink;

static apr_status_t b_commit(void *baton, apr_off_t length)
{
    (void)length;
    ((sink *)baton)->commits++;
    return APR_SUCCESS;
}

static apr_status_t b_write(void *baton, char *buf, apr_size_t len, int flush)
{
    (void)flush;
    ((sink *)baton)->bytes += len;
    free(buf);
    return APR_SUCCESS;
}

static void b_refused(void *baton, apr_status_t rv, const char *msg)
{
    (void)rv;
    if (((sink *)baton)->refusals++ < 3)
        fprintf(stderr, "refused: %s\n", msg ? msg : "");
}

static ms_doc *new_doc(apr_pool_t *p, sink *s, long n)
{
    ms_doc_io io;
    ms_doc_opts o;

    memset(s, 0, sizeof(*s));
    memset(&io, 0, sizeof(io));
    io.baton = s;
    io.commit = b_commit;
    io.write = b_write;
    io.refused = b_refused;
    memset(&o, 0, sizeof(o));
    o.base_path = apr_psprintf(p, "/davfs/d%ld/", n);
    o.origin = "http://127.0.0.1:8307";
    o.buffer_size = 65536;      /* MultiStatusBufferSize's default */
    return ms_doc_create(p, &io, &o);
}

static double run_ingest(const sbuf *b, long n, ms_ingest_parser parser,
                         size_t *out, size_t *peak)
{
    apr_pool_t *p;
    sink s;
    ms_doc *doc;
    ms_ingest *ing;
    ms_ingest_opts o;
    size_t off;
    double t0, t;
    apr_status_t rv = APR_SUCCESS;

    apr_pool_create(&p, NULL);
    memset(&o, 0, sizeof(o));
    o.parser = parser;
    *peak = 0;
    t0 = now_ms();
    doc = new_doc(p, &s, n);
    ing = ms_ingest_create(p, doc, &o);
    for (off = 0; off < b->len && rv == APR_SUCCESS; off += PIECE) {
        size_t k = b->len - off < PIECE ? b->len - off : PIECE;
        rv = ms_ingest_feed(ing, b->buf + off, k);
        if (ms_ingest_footprint(ing) > *peak)
            *peak = ms_ingest_footprint(ing);
    }
    if (rv == APR_SUCCESS)
        rv = ms_ingest_done(ing);
    if (rv == APR_SUCCESS)
        rv = ms_doc_finish(doc);
    t = now_ms() - t0;
    if (rv != APR_SUCCESS || s.refusals || ms_doc_count(doc) != (size_t)n + 1) {
        fprintf(stderr, "ingest_bench: bad run: %s, %d refusals, %lu "
                "responses\n", ms_ingest_error(ing) ? ms_ingest_error(ing)
                : "-", s.refusals, (unsigned long)ms_doc_count(doc));
        exit(1);
    }
    *out = s.bytes;
    apr_pool_destroy(p);
    return t;
}

/* The same responses through C calls, values as text. */
static double run_api(long n, int allprop, size_t *out)
{
    apr_pool_t *p;
    sink s;
    ms_doc *doc;
    long i;
    double t0, t;
    int bad = 0;
    char href[64], etag[32];
    const char *locks = "<D:lockentry><D:lockscope><D:exclusive/>"
        "</D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>"
        "<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype>"
        "<D:write/></D:locktype></D:lockentry>";

    apr_pool_create(&p, NULL);
    t0 = now_ms();
    doc = new_doc(p, &s, n);
    for (i = 0; i <= n; i++) {
        ms_response *r;
        if (i)
            snprintf(href, sizeof(href), "/davfs/d%ld/f%07ld.txt", n, i);
        else
            snprintf(href, sizeof(href), "/davfs/d%ld/", n);
        snprintf(etag, sizeof(etag), "\"0-%013lx\"", 0x6617d2dbfa762L + i);
        bad += ms_doc_open(doc, href, 1, &r) != APR_SUCCESS;
        bad += ms_doc_prop_add(r, "DAV:", "resourcetype", 200, MS_VALUE_NONE,
                               NULL) != APR_SUCCESS;
        bad += ms_doc_prop_add(r, "DAV:", "getcontentlength", 200,
                               MS_VALUE_TEXT, "0") != APR_SUCCESS;
        bad += ms_doc_prop_add(r, "DAV:", "getlastmodified", 200,
                               MS_VALUE_TEXT, "Mon, 30 Nov 2026 12:02:06 GMT")
               != APR_SUCCESS;
        bad += ms_doc_prop_add(r, "DAV:", "creationdate", 200, MS_VALUE_TEXT,
                               "2026-11-30T12:02:06Z") != APR_SUCCESS;
        bad += ms_doc_prop_add(r, "DAV:", "getetag", 200, MS_VALUE_TEXT, etag)
               != APR_SUCCESS;
        if (allprop) {
            bad += ms_doc_prop_add(r, "http://apache.org/dav/props/",
                                   "executable", 200, MS_VALUE_TEXT, "F")
                   != APR_SUCCESS;
            /* as a handler would: XML values pay the fragment check */
            bad += ms_doc_prop_add(r, "DAV:", "supportedlock", 200,
                                   MS_VALUE_XML, locks) != APR_SUCCESS;
            bad += ms_doc_prop_add(r, "DAV:", "lockdiscovery", 200,
                                   MS_VALUE_NONE, NULL) != APR_SUCCESS;
        }
        bad += ms_doc_prop_add(r, "DAV:", "getcontenttype", 200,
                               MS_VALUE_TEXT, "text/plain") != APR_SUCCESS;
        bad += ms_doc_close(r) != APR_SUCCESS;
    }
    ms_doc_finish(doc);
    t = now_ms() - t0;
    if (bad || s.refusals) {
        fprintf(stderr, "ingest_bench: api run failed\n");
        exit(1);
    }
    *out = s.bytes;
    apr_pool_destroy(p);
    return t;
}

static double best(double a, double b)
{
    return a < 0 || b < a ? b : a;
}

int main(int argc, char **argv)
{
    static const long def[] = { 10000, 100000 };
    const long *ns = def;
    long args[16];
    int nn = 2, i, r, repeat = getenv("REPEAT") ? atoi(getenv("REPEAT")) : 7;
    double moddav = getenv("MODDAV_MS") ? atof(getenv("MODDAV_MS")) : 75.0;
    double expat_ms = getenv("EXPAT_MS") ? atof(getenv("EXPAT_MS")) : 36.0;

    if (argc > 1) {
        for (nn = 0; nn + 1 < argc && nn < 16; nn++)
            args[nn] = atol(argv[nn + 1]);
        ns = args;
    }
    if (repeat < 1)
        repeat = 1;
    apr_initialize();
    ms_doc_init();
    printf("%-8s %9s %7s | %9s %5s | %9s %5s %7s %6s %7s | %9s %5s | %9s "
           "| %s\n", "shape", "responses", "MB", "expat-ns", "MB/s", "ingest",
           "MB/s", "ns/resp", "bufKB", "x expat", "ing-expat", "MB/s", "api",
           "overhead vs mod_dav (est.)");
    for (i = 0; i < nn; i++) {
        int allprop;
        for (allprop = 0; allprop < 2; allprop++) {
            const char *only = getenv("SHAPE");
            sbuf b;
            double te = -1, ti = -1, tx = -1, ta = -1, mb;
            long elements = 0;
            size_t out = 0, peak = 0, pk;
            /* the expat path is slow at 100k: fewer runs are enough */
            int rx = ns[i] > 20000 ? 2 : repeat;

            if (only && strcmp(only, allprop ? "allprop" : "prop") != 0)
                continue;
            b = listing(ns[i], allprop);
            mb = b.len / 1e6;
            if (getenv("PROFILE")) {
                if (strcmp(getenv("PROFILE"), "expat") == 0)
                    run_expat(&b, &elements);
                else
                    run_ingest(&b, ns[i], MS_INGEST_AUTO, &out, &pk);
                free(b.buf);
                continue;
            }
            for (r = 0; r < repeat; r++) {
                te = best(te, run_expat(&b, &elements));
                ti = best(ti, run_ingest(&b, ns[i], MS_INGEST_AUTO, &out, &pk));
                if (pk > peak)
                    peak = pk;
                ta = best(ta, run_api(ns[i], allprop, &out));
                if (r < rx)
                    tx = best(tx, run_ingest(&b, ns[i], MS_INGEST_EXPAT, &out,
                                             &pk));
            }
            printf("%-8s %9ld %7.2f | %7.1fms %5.0f | %7.1fms %5.0f %7.0f "
                   "%6.1f %7.2f | %7.1fms %5.0f | %7.1fms | %.0f%%\n",
                   allprop ? "allprop" : "prop", ns[i] + 1, mb, te,
                   mb / te * 1e3, ti, mb / ti * 1e3, ti * 1e6 / (ns[i] + 1),
                   peak / 1024.0, ti / te, tx, mb / tx * 1e3, ta,
                   100.0 * ti / te * expat_ms / moddav);
            free(b.buf);
        }
    }
    apr_terminate();
    return 0;
}
