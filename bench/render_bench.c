/* SPDX-License-Identifier: Apache-2.0 */
/*
 * render_bench.c: instructions (or nanoseconds) per rendered response of
 * the APR-only renderer (ms_doc.c + ms_xml.c), for bench/run case 4.
 *
 *     render_bench status|props|qprops N [repeat]
 *
 * Builds one document (base /bench/, MultiStatusBufferSize 65536, as the
 * module's default) and reports N responses into it, each opened, filled
 * and closed at once -- what a streaming handler does:
 *     status  ms_doc_open + ms_doc_set_status(200) + ms_doc_close
 *     props   ms_doc_open + 4 x ms_doc_prop_add(DAV:, 200, TEXT) + close
 *     qprops  the same with the names checked once (ms_qname_get(), as a
 *             listing handler does): ms_doc_prop_add_qname
 * into a sink that frees every chunk it is handed (the httpd glue passes
 * them down the filter chain instead).  The names and values are prepared
 * before, outside the measured function bench_render(), so that
 *
 *     valgrind --tool=callgrind --toggle-collect=bench_render \
 *              render_bench status N
 *
 * counts the renderer only; bench/run does it at two N and divides the
 * difference by the difference of N (which also cancels the fixed cost of
 * the first call).  Without valgrind it prints the wall time per response
 * (best of @a repeat runs) and checks that the body looks complete.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apr_general.h"
#include "apr_strings.h"

#include "ms_doc.h"

typedef struct {
    apr_size_t bytes;
    apr_size_t writes;
    int commits;
    int refusals;
    char tail[32];          /* the last bytes seen, to check the end tag */
} bench_sink;

static apr_status_t b_commit(void *baton, apr_off_t length)
{
    bench_sink *s = baton;
    (void)length;
    s->commits++;
    return APR_SUCCESS;
}

static apr_status_t b_write(void *baton, char *buf, apr_size_t len, int flush)
{
    bench_sink *s = baton;
    (void)flush;
    s->bytes += len;
    s->writes++;
    {
        /* keep the last bytes of the body (for the end-tag check) */
        apr_size_t keep = sizeof(s->tail) - 1, have = strlen(s->tail);
        apr_size_t take = len < keep ? len : keep;
        apr_size_t old = have + take > keep ? keep - take : have;
        memmove(s->tail, s->tail + have - old, old);
        memcpy(s->tail + old, buf + len - take, take);
        s->tail[old + take] = '\0';
    }
    free(buf);
    return APR_SUCCESS;
}

static void b_refused(void *baton, apr_status_t rv, const char *msg)
{
    bench_sink *s = baton;
    s->refusals++;
    fprintf(stderr, "refused (%d): %s\n", (int)rv, msg ? msg : "");
}

typedef struct {
    const char *name;
    const char *len;
} item;

/* The measured part.  noinline: callgrind's --toggle-collect needs it as a
 * function of its own. */
__attribute__((noinline))
int bench_render(ms_doc *doc, const item *items, long n, int props)
{
    long i;
    int bad = 0;
    const ms_qname *q[4] = { NULL, NULL, NULL, NULL };

    if (props == 2) {
        /* the names checked once, as a listing handler does with
         * ms_qname_get() */
        q[0] = ms_doc_intern(doc, "DAV:", "displayname");
        q[1] = ms_doc_intern(doc, "DAV:", "getcontentlength");
        q[2] = ms_doc_intern(doc, "DAV:", "getlastmodified");
        q[3] = ms_doc_intern(doc, "DAV:", "getetag");
    }
    for (i = 0; i < n; i++) {
        ms_response *resp;
        if (ms_doc_open(doc, items[i].name, 0, &resp) != APR_SUCCESS) {
            bad++;
            continue;
        }
        if (props == 2) {
            bad += ms_doc_prop_add_qname(resp, q[0], 200, MS_VALUE_TEXT,
                                         items[i].name) != 0;
            bad += ms_doc_prop_add_qname(resp, q[1], 200, MS_VALUE_TEXT,
                                         items[i].len) != 0;
            bad += ms_doc_prop_add_qname(resp, q[2], 200, MS_VALUE_TEXT,
                                         "Mon, 01 Jan 2024 12:00:00 GMT")
                   != 0;
            bad += ms_doc_prop_add_qname(resp, q[3], 200, MS_VALUE_TEXT,
                                         "\"1c-5f3e2a1b4c5d6\"") != 0;
        }
        else if (props) {
            bad += ms_doc_prop_add(resp, "DAV:", "displayname", 200,
                                   MS_VALUE_TEXT, items[i].name) != 0;
            bad += ms_doc_prop_add(resp, "DAV:", "getcontentlength", 200,
                                   MS_VALUE_TEXT, items[i].len) != 0;
            bad += ms_doc_prop_add(resp, "DAV:", "getlastmodified", 200,
                                   MS_VALUE_TEXT,
                                   "Mon, 01 Jan 2024 12:00:00 GMT") != 0;
            bad += ms_doc_prop_add(resp, "DAV:", "getetag", 200,
                                   MS_VALUE_TEXT,
                                   "\"1c-5f3e2a1b4c5d6\"") != 0;
        }
        else {
            bad += ms_doc_set_status(resp, 200) != 0;
        }
        bad += ms_doc_close(resp) != 0;
    }
    return bad;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    apr_pool_t *pool, *prep;
    item *items;
    long n, i;
    int props, repeat, rep, bad = 0;
    double best = -1;
    bench_sink s;

    if (argc < 3 || (strcmp(argv[1], "status") && strcmp(argv[1], "props")
                     && strcmp(argv[1], "qprops"))) {
        fprintf(stderr, "usage: %s status|props|qprops N [repeat]\n",
                argv[0]);
        return 2;
    }
    props = strcmp(argv[1], "props") == 0 ? 1
            : strcmp(argv[1], "qprops") == 0 ? 2 : 0;
    n = atol(argv[2]);
    repeat = argc > 3 ? atoi(argv[3]) : 1;
    if (n < 0 || repeat < 1)
        return 2;

    apr_initialize();
    apr_pool_create(&prep, NULL);
    ms_doc_init();

    items = apr_pcalloc(prep, sizeof(*items) * (n ? n : 1));
    for (i = 0; i < n; i++) {
        items[i].name = apr_psprintf(prep, "f%07ld.txt", i + 1);
        items[i].len = apr_psprintf(prep, "%ld", (i + 1) * 7);
    }

    for (rep = 0; rep < repeat; rep++) {
        ms_doc_io io;
        ms_doc_opts opts;
        ms_doc *doc;
        double t0, t;

        memset(&s, 0, sizeof(s));
        memset(&io, 0, sizeof(io));
        io.baton = &s;
        io.commit = b_commit;
        io.write = b_write;
        io.refused = b_refused;
        memset(&opts, 0, sizeof(opts));
        opts.base_path = "/bench/";
        opts.origin = "http://127.0.0.1:8307";
        opts.buffer_size = 65536;
        opts.json = getenv("BENCH_JSON") != NULL;  /* the JSON renderer */

        apr_pool_create(&pool, NULL);
        doc = ms_doc_create(pool, &io, &opts);
        t0 = now_ns();
        bad += bench_render(doc, items, n, props);
        t = now_ns() - t0;
        ms_doc_finish(doc);
        apr_pool_destroy(pool);
        if (best < 0 || t < best)
            best = t;
    }

    /* the end of the body: the root's end tag, or JSON's closing braces */
    if (bad || s.refusals || s.commits != 1
        || !strstr(s.tail, getenv("BENCH_JSON") ? "}}}" : "multistatus")) {
        fprintf(stderr, "render_bench: bad run (bad=%d refusals=%d "
                "commits=%d tail=%s)\n", bad, s.refusals, s.commits, s.tail);
        return 1;
    }
    printf("kind=%s n=%ld bytes=%lu writes=%lu ns_per_response=%.1f\n",
           argv[1], n, (unsigned long)s.bytes, (unsigned long)s.writes,
           n ? best / n : 0.0);
    apr_pool_destroy(prep);
    apr_terminate();
    return 0;
}
