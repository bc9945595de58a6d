/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_ingest_unit.c: unit tests of the ingest parser (src/core/ms_ingest.c).
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
 * A plain program: each failed check prints a line; the exit status says
 * whether any failed.  Run by make check (srcdir locates the fixtures).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apr_general.h"
#include "apr_lib.h"
#include "apr_strings.h"
#include "apr_xml.h"
#include "apr_file_io.h"

#include <expat.h>

#include "ms_doc.h"
#include "ms_xml.h"
#include "ms_href.h"
#include "ms_ingest.h"

static int failures, checks;

/* A body for a message (NULL when there is none). */
#define B(s) ((s) ? (s) : "(none)")

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

/* ---------------------------------------------------------------- */
/* A document whose body is collected                                */

typedef struct {
    char *body;
    apr_size_t len, cap;
    int commits, refusals;
    char last_refusal[600];
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

static void s_refused(void *baton, apr_status_t rv, const char *msg)
{
    sink *s = baton;
    (void)rv;
    s->refusals++;
    apr_cpystrn(s->last_refusal, msg ? msg : "", sizeof(s->last_refusal));
}

static ms_doc *new_doc(apr_pool_t *p, sink *s, const char *base,
                       apr_size_t max_responses)
{
    ms_doc_io io;
    ms_doc_opts opts;

    memset(s, 0, sizeof(*s));
    memset(&io, 0, sizeof(io));
    io.baton = s;
    io.commit = s_commit;
    io.write = s_write;
    io.refused = s_refused;
    memset(&opts, 0, sizeof(opts));
    opts.base_path = base;
    opts.origin = "http://127.0.0.1:8207";
    opts.buffer_size = 4096;    /* small: long bodies stream */
    opts.max_responses = max_responses;
    return ms_doc_create(p, &io, &opts);
}

/* The result of one ingest. */
typedef struct {
    apr_status_t rv;
    const char *error;
    apr_off_t err_off;
    apr_size_t count;
    const char *note;
    int expat;
    char *body;                 /* the rendered document (malloc'd) */
    apr_size_t len;
    int refusals;
} result;

/* Feed @a body split at the offsets produced by @a step: 0 = whole,
 * 1 = one byte at a time, else random pieces of 1..step bytes (seeded). */
static result ingest(apr_pool_t *pool, const char *body, apr_size_t len,
                     int step, unsigned seed, ms_ingest_parser parser,
                     const char *charset, apr_size_t max_response,
                     apr_size_t max_responses, const char *base)
{
    apr_pool_t *p;
    sink s;
    ms_doc *doc;
    ms_ingest *ing;
    ms_ingest_opts o;
    apr_size_t off = 0;
    result r;
    apr_status_t rv = APR_SUCCESS;

    apr_pool_create(&p, pool);
    doc = new_doc(p, &s, base ? base : "/dav/", max_responses);
    memset(&o, 0, sizeof(o));
    o.parser = parser;
    o.charset = charset;
    o.max_response = max_response;
    ing = ms_ingest_create(p, doc, &o);
    srand(seed);
    while (off < len && rv == APR_SUCCESS) {
        apr_size_t n = len - off;
        if (step == 1)
            n = 1;
        else if (step > 1)
            n = 1 + (apr_size_t)rand() % (apr_size_t)step;
        if (n > len - off)
            n = len - off;
        rv = ms_ingest_feed(ing, body + off, n);
        off += n;
    }
    if (rv == APR_SUCCESS)
        rv = ms_ingest_done(ing);
    memset(&r, 0, sizeof(r));
    r.rv = rv;
    r.error = ms_ingest_error(ing) ? apr_pstrdup(pool, ms_ingest_error(ing))
                                   : NULL;
    r.err_off = ms_ingest_error_offset(ing);
    r.count = ms_ingest_count(ing);
    r.note = ms_ingest_note(ing, NULL) ? apr_pstrdup(pool,
                                                     ms_ingest_note(ing, NULL))
                                       : NULL;
    r.expat = ms_ingest_used_expat(ing);
    if (rv == APR_SUCCESS)
        ms_doc_finish(doc);
    else
        ms_doc_fail(doc, 500, ms_ingest_error(ing) ? ms_ingest_error(ing)
                                                   : "ingest failed");
    r.body = s.body;
    r.len = s.len;
    r.refusals = s.refusals;
    apr_pool_destroy(p);
    return r;
}

/* ---------------------------------------------------------------- */
/* Reading bodies back: a canonical list of what they say            */

static const char *uri_of(const apr_xml_doc *d, int ns)
{
    return ns >= 0 ? APR_XML_GET_URI_ITEM(d->namespaces, ns) : "";
}

static int is_dav(const apr_xml_doc *d, const apr_xml_elem *e,
                  const char *name)
{
    return e->ns >= 0 && strcmp(uri_of(d, e->ns), "DAV:") == 0
        && strcmp(e->name, name) == 0;
}

static void text_of(apr_pool_t *p, const apr_text_header *h, char **out)
{
    const apr_text *t;
    for (t = h->first; t; t = t->next)
        *out = apr_pstrcat(p, *out, t->text, NULL);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* An element as canonical text: {uri}name, sorted attributes, language
 * when it changes, content; then the text that follows it. */
static void canon_elem(apr_pool_t *p, const apr_xml_doc *d,
                       const apr_xml_elem *e, const char *plang, char **out)
{
    const apr_xml_attr *a;
    const apr_xml_elem *c;
    apr_array_header_t *attrs = apr_array_make(p, 4, sizeof(char *));
    int i;

    *out = apr_pstrcat(p, *out, "<{", uri_of(d, e->ns), "}", e->name, NULL);
    for (a = e->attr; a; a = a->next)
        APR_ARRAY_PUSH(attrs, char *) = apr_pstrcat(p, " {", uri_of(d, a->ns),
                                                    "}", a->name, "=\"",
                                                    a->value, "\"", NULL);
    qsort(attrs->elts, (size_t)attrs->nelts, sizeof(char *), cmp_str);
    for (i = 0; i < attrs->nelts; i++)
        *out = apr_pstrcat(p, *out, APR_ARRAY_IDX(attrs, i, char *), NULL);
    if (e->lang && (!plang || strcmp(plang, e->lang) != 0))
        *out = apr_pstrcat(p, *out, " lang=", e->lang, NULL);
    *out = apr_pstrcat(p, *out, ">", NULL);
    text_of(p, &e->first_cdata, out);
    for (c = e->first_child; c; c = c->next)
        canon_elem(p, d, c, e->lang, out);
    *out = apr_pstrcat(p, *out, "</>", NULL);
    text_of(p, &e->following_cdata, out);
}

static char *trim(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'
                     || e[-1] == '\r'))
        e--;
    *e = '\0';
    return s;
}

/* An href as a decoded path ("%2F" kept), for comparing two forms. */
static char *href_decoded(apr_pool_t *p, const char *h)
{
    char *out = apr_palloc(p, strlen(h) + 2), *o = out;
    const char *s = h;

    if (strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0) {
        s = strchr(s + 8, '/');
        if (!s)
            s = "/";
    }
    for (; *s; s++) {
        if (*s == '%' && apr_isxdigit(s[1]) && apr_isxdigit(s[2])) {
            char hx[3] = { s[1], s[2], 0 };
            int c = (int)strtol(hx, NULL, 16);
            if (c == '/') {
                memcpy(o, "%2F", 3);
                o += 3;
            }
            else
                *o++ = (char)c;
            s += 2;
        }
        else
            *o++ = *s;
    }
    *o = '\0';
    return out;
}

static int status_code(const char *s)
{
    const char *sp;
    s = strstr(s, "HTTP/");
    if (!s)
        return -1;
    sp = strchr(s, ' ');
    return sp ? atoi(sp + 1) : -1;
}

/* What a body says, one line per fact, in document order (properties of
 * a response sorted).  NULL when not well-formed. */
static apr_array_header_t *canon(apr_pool_t *p, const char *body,
                                 apr_size_t len, int ours, char *why,
                                 apr_size_t whylen)
{
    apr_xml_parser *parser = apr_xml_parser_create(p);
    apr_xml_doc *d = NULL;
    apr_array_header_t *lines = apr_array_make(p, 64, sizeof(char *));
    const apr_xml_elem *r, *c, *ps, *x, *pr;

    if (apr_xml_parser_feed(parser, body, len) != APR_SUCCESS
        || apr_xml_parser_done(parser, &d) != APR_SUCCESS) {
        apr_xml_parser_geterror(parser, why, whylen);
        return NULL;
    }
    if (!is_dav(d, d->root, "multistatus")) {
        apr_cpystrn(why, "root is not DAV:multistatus", whylen);
        return NULL;
    }
    for (r = d->root->first_child; r; r = r->next) {
        apr_array_header_t *hrefs = apr_array_make(p, 2, sizeof(char *));
        apr_array_header_t *facts = apr_array_make(p, 16, sizeof(char *));
        int collection = 0, i, j;

        if (is_dav(d, r, "responsedescription")) {
            char *t = apr_pstrdup(p, "");
            text_of(p, &r->first_cdata, &t);
            APR_ARRAY_PUSH(lines, char *) = apr_pstrcat(p, "MD ", t, NULL);
            continue;
        }
        if (!is_dav(d, r, "response"))
            continue;
        for (c = r->first_child; c; c = c->next) {
            char *t = apr_pstrdup(p, "");
            if (is_dav(d, c, "href")) {
                text_of(p, &c->first_cdata, &t);
                APR_ARRAY_PUSH(hrefs, char *) = trim(t);
            }
            else if (is_dav(d, c, "status")) {
                text_of(p, &c->first_cdata, &t);
                APR_ARRAY_PUSH(facts, char *) = apr_psprintf(p, "S %d",
                                                             status_code(t));
                if (ours) {
                    int code = status_code(t);
                    CHECK(strcmp(t, apr_psprintf(p, "HTTP/1.1 %d %s", code,
                                 ms_status_reason(code))) == 0,
                          "status line '%s'", t);
                }
            }
            else if (is_dav(d, c, "responsedescription")) {
                text_of(p, &c->first_cdata, &t);
                APR_ARRAY_PUSH(facts, char *) = apr_pstrcat(p, "D ", t, NULL);
            }
            else if (is_dav(d, c, "error") && c->first_child) {
                APR_ARRAY_PUSH(facts, char *) = apr_pstrcat(p, "E {",
                    uri_of(d, c->first_child->ns), "}",
                    c->first_child->name, NULL);
            }
            else if (is_dav(d, c, "location") && c->first_child) {
                text_of(p, &c->first_child->first_cdata, &t);
                APR_ARRAY_PUSH(facts, char *) = apr_pstrcat(p, "L ",
                    href_decoded(p, trim(t)), NULL);
            }
            else if (is_dav(d, c, "propstat")) {
                int code = -1;
                for (x = c->first_child; x; x = x->next) {
                    if (is_dav(d, x, "status")) {
                        char *st = apr_pstrdup(p, "");
                        text_of(p, &x->first_cdata, &st);
                        code = status_code(st);
                        if (ours)
                            CHECK(strcmp(st, apr_psprintf(p, "HTTP/1.1 %d %s",
                                  code, ms_status_reason(code))) == 0,
                                  "status line '%s'", st);
                    }
                }
                for (ps = c->first_child; ps; ps = ps->next) {
                    char *tt = apr_pstrdup(p, "");
                    if (is_dav(d, ps, "prop")) {
                        for (pr = ps->first_child; pr; pr = pr->next) {
                            char *v = apr_pstrdup(p, "");
                            const apr_xml_elem *k;
                            text_of(p, &pr->first_cdata, &v);
                            for (k = pr->first_child; k; k = k->next)
                                canon_elem(p, d, k, pr->lang, &v);
                            APR_ARRAY_PUSH(facts, char *) = apr_psprintf(p,
                                "P {%s}%s %d lang=%s = %s", uri_of(d, pr->ns),
                                pr->name, code, pr->lang ? pr->lang : "",
                                v);
                            if (is_dav(d, pr, "resourcetype") && code >= 200
                                && code < 300) {
                                for (k = pr->first_child; k; k = k->next)
                                    collection |= is_dav(d, k, "collection");
                            }
                        }
                    }
                    else if (is_dav(d, ps, "responsedescription")) {
                        text_of(p, &ps->first_cdata, &tt);
                        APR_ARRAY_PUSH(facts, char *) = apr_psprintf(p,
                            "PD %d %s", code, tt);
                    }
                    else if (is_dav(d, ps, "error") && ps->first_child) {
                        APR_ARRAY_PUSH(facts, char *) = apr_psprintf(p,
                            "PE %d {%s}%s", code,
                            uri_of(d, ps->first_child->ns),
                            ps->first_child->name);
                    }
                }
            }
        }
        qsort(facts->elts, (size_t)facts->nelts, sizeof(char *), cmp_str);
        for (i = 0; i < hrefs->nelts; i++) {
            char *h = href_decoded(p, APR_ARRAY_IDX(hrefs, i, char *));
            if (collection && h[strlen(h) - 1] != '/')
                h = apr_pstrcat(p, h, "/", NULL);
            if (ours) {
                /* the module's form: what its encoder makes of the path */
                const char *raw = APR_ARRAY_IDX(hrefs, i, char *);
                if (!strstr(h, "%2F") && !strchr(raw, '?')) {
                    char *enc = apr_palloc(p, 3 * strlen(h) + 1);
                    *ms_href_path_to(enc, h, strlen(h)) = '\0';
                    CHECK(strcmp(enc, raw) == 0, "href '%s' is not in the "
                          "module's form ('%s')", raw, enc);
                }
            }
            APR_ARRAY_PUSH(lines, char *) = apr_pstrcat(p, "R ", h, NULL);
            for (j = 0; j < facts->nelts; j++)
                APR_ARRAY_PUSH(lines, char *) = APR_ARRAY_IDX(facts, j, char *);
        }
    }
    return lines;
}

/* Same facts?  Prints the first difference. */
static int same(apr_array_header_t *a, apr_array_header_t *b,
                const char *what)
{
    int i;

    for (i = 0; i < a->nelts && i < b->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(a, i, char *), APR_ARRAY_IDX(b, i, char *))) {
            printf("  %s: line %d differs:\n    original: %.300s\n"
                   "    ingested: %.300s\n", what, i,
                   APR_ARRAY_IDX(a, i, char *), APR_ARRAY_IDX(b, i, char *));
            return 0;
        }
    }
    if (a->nelts != b->nelts) {
        printf("  %s: %d facts in the original, %d ingested (first extra: "
               "%.200s)\n", what, a->nelts, b->nelts,
               a->nelts > b->nelts ? APR_ARRAY_IDX(a, b->nelts, char *)
                                   : APR_ARRAY_IDX(b, a->nelts, char *));
        return 0;
    }
    return 1;
}

static char *slurp(apr_pool_t *p, const char *path, apr_size_t *len)
{
    apr_file_t *f;
    apr_finfo_t fi;
    char *buf;

    if (apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY,
                      APR_FPROT_OS_DEFAULT, p) != APR_SUCCESS)
        return NULL;
    apr_file_info_get(&fi, APR_FINFO_SIZE, f);
    buf = apr_palloc(p, (apr_size_t)fi.size + 1);
    *len = (apr_size_t)fi.size;
    apr_file_read_full(f, buf, *len, NULL);
    buf[*len] = '\0';
    apr_file_close(f);
    return buf;
}

/* Is the document well-formed (apr_xml), with a multistatus root? */
static int well_formed(apr_pool_t *p, const char *body, apr_size_t len)
{
    char why[200];
    if (canon(p, body, len, 0, why, sizeof(why)))
        return 1;
    printf("  not well-formed: %s\n%.400s\n", why, body);
    return 0;
}

/* Ingest @a body in @a step splits with @a parser: accepted, and the same
 * facts as the original.  Returns the result (body malloc'd). */
static result round_trip(apr_pool_t *p, const char *name, const char *body,
                         apr_size_t len, int step, unsigned seed,
                         ms_ingest_parser parser, const char *charset,
                         apr_array_header_t *want)
{
    result r = ingest(p, body, len, step, seed, parser, charset, 0, 0, NULL);
    char why[200];
    apr_array_header_t *got;
    const char *what = apr_psprintf(p, "%s (step %d, seed %u, %s)", name,
                                    step, seed, parser ? "expat" : "auto");

    CHECK(r.rv == APR_SUCCESS, "%s: refused: %s", what,
          r.error ? r.error : "(no message)");
    CHECK(r.refusals == 0, "%s: %d refusals", what, r.refusals);
    got = canon(p, r.body, r.len, 1, why, sizeof(why));
    CHECK(got != NULL, "%s: output not well-formed: %s", what, why);
    if (got && want)
        CHECK(same(want, got, what), "%s: facts differ", what);
    return r;
}

/* ---------------------------------------------------------------- */
/* The captured mod_dav_fs bodies                                    */

static const char *fixtures[] = {
    "propfind-allprop-d0", "propfind-allprop-d1", "propfind-allprop-file",
    "propfind-empty-d1", "propfind-prop-d1", "propfind-propname-d1",
    "propfind-infinity", "propfind-locked-d1", "proppatch-set",
    "proppatch-fail", "lock-multistatus", "delete-multistatus",
    "delete-partial", "propfind-bench-d1", NULL
};

static void test_fixtures(apr_pool_t *pool, const char *dir)
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
static void test_truncated(apr_pool_t *pool, const char *dir)
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

/* ---------------------------------------------------------------- */
/* Crafted bodies                                                    */

#define HDR "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
#define MS  "<D:multistatus xmlns:D=\"DAV:\">"
#define END "</D:multistatus>"

/* One response with one 200 property whose element is @a prop. */
static const char *one_prop(apr_pool_t *p, const char *decls,
                            const char *prop)
{
    return apr_pstrcat(p, HDR "<D:multistatus xmlns:D=\"DAV:\"", decls,
                       "><D:response><D:href>/dav/x</D:href><D:propstat>"
                       "<D:prop>", prop, "</D:prop><D:status>HTTP/1.1 200 OK"
                       "</D:status></D:propstat></D:response>" END, NULL);
}

/* The body must be refused with a message holding @a what. */
static void refused(apr_pool_t *p, const char *name, const char *body,
                    const char *what)
{
    int parser;

    for (parser = 0; parser < 2; parser++) {
        int step;
        for (step = 0; step < 2; step++) {
            result r = ingest(p, body, strlen(body), step, 0,
                              (ms_ingest_parser)parser, NULL, 0, 0, NULL);
            CHECK(r.rv == MS_INGEST_EBODY, "%s (%s, step %d): accepted",
                  name, parser ? "expat" : "auto", step);
            CHECK(r.error && strstr(r.error, " at byte "), "%s: message "
                  "without offset: %s", name, r.error ? r.error : "(none)");
            if (!parser)
                CHECK(r.error && strstr(r.error, what), "%s: message '%s' "
                      "does not say '%s'", name, r.error ? r.error : "(none)",
                      what);
            CHECK(r.body && well_formed(p, r.body, r.len)
                  && strstr(r.body, "500 Internal Server Error"),
                  "%s: the failed document is not well-formed", name);
            free(r.body);
        }
    }
}

/* The body is accepted; the output holds @a want (and not @a unwanted). */
static result accepted(apr_pool_t *p, const char *name, const char *body,
                       const char *want, const char *unwanted)
{
    int parser;
    result r;

    for (parser = 1; parser >= 0; parser--) {
        r = ingest(p, body, strlen(body), parser ? 0 : 1, 0,
                   (ms_ingest_parser)parser, NULL, 0, 0, NULL);
        CHECK(r.rv == APR_SUCCESS, "%s (%s): refused: %s", name,
              parser ? "expat" : "auto", r.error ? r.error : "");
        CHECK(r.body && well_formed(p, r.body, r.len), "%s: not well-formed",
              name);
        CHECK(r.body && (!want || strstr(r.body, want)), "%s (%s): no '%s' "
              "in\n%s", name, parser ? "expat" : "auto", want,
              B(r.body));
        CHECK(r.body && (!unwanted || !strstr(r.body, unwanted)),
              "%s: '%s' in\n%s", name, unwanted, B(r.body));
        if (parser)
            free(r.body);
    }
    return r;                   /* the tokenizer's (body malloc'd) */
}

static void test_refusals(apr_pool_t *p)
{
    refused(p, "undeclared prefix", one_prop(p, "", "<x:a/>"),
            "undeclared namespace prefix 'x'");
    refused(p, "undeclared prefix on an attribute",
            one_prop(p, "", "<D:a y:b=\"1\"/>"), "undeclared");
    refused(p, "mismatched", one_prop(p, "", "<D:a></D:b>"), "mismatched");
    refused(p, "not a multistatus", HDR "<D:propfind xmlns:D=\"DAV:\"/>",
            "not a DAV:multistatus");
    refused(p, "no namespace", HDR "<multistatus><response/></multistatus>",
            "not a DAV:multistatus");
    refused(p, "billion laughs", HDR "<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
            "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
            MS "<D:response><D:href>&lol2;</D:href><D:status>HTTP/1.1 200 OK"
            "</D:status></D:response>" END, "DTD");
    refused(p, "external entity", HDR "<!DOCTYPE m [<!ENTITY x SYSTEM "
            "\"file:///etc/passwd\">]>" MS "<D:response><D:href>&x;</D:href>"
            "<D:status>HTTP/1.1 200 OK</D:status></D:response>" END, "DTD");
    refused(p, "undefined entity", one_prop(p, "", "<D:a>&nbsp;</D:a>"),
            "undefined entity");
    refused(p, "empty", "", "no document element");
    refused(p, "junk after", HDR MS END "x", "junk after");
    refused(p, "two roots", HDR MS END MS END, "junk after");
    refused(p, "text before", "x" MS END, "text before");
    refused(p, "bad UTF-8", one_prop(p, "", "<D:a>\xC3\x28</D:a>"),
            "invalid UTF-8");
    refused(p, "control character", one_prop(p, "", "<D:a>\x01</D:a>"),
            "control character");
    refused(p, "]]> in text", one_prop(p, "", "<D:a>]]></D:a>"), "']]>'");
    refused(p, "-- in comment", one_prop(p, "", "<D:a><!-- a -- b --></D:a>"),
            "'--'");
    refused(p, "duplicate attribute", one_prop(p, "", "<D:a b=\"1\" b=\"2\"/>"),
            "duplicate attribute");
    refused(p, "duplicate expanded attribute",
            one_prop(p, " xmlns:a=\"urn:x\" xmlns:b=\"urn:x\"",
                     "<D:a a:c=\"1\" b:c=\"2\"/>"), "duplicate attribute");
    refused(p, "xmlns:p=\"\"", one_prop(p, "", "<D:a xmlns:q=\"\"/>"),
            "empty namespace");
    refused(p, "xml prefix rebound",
            one_prop(p, "", "<D:a xmlns:xml=\"urn:x\"/>"), "prefix xml");
    refused(p, "xmlns declared", one_prop(p, "", "<D:a xmlns:xmlns=\"urn:x\"/>"),
            "prefix xmlns");
    refused(p, "no white space between attributes",
            one_prop(p, "", "<D:a b=\"1\"c=\"2\"/>"), "malformed start tag");
    refused(p, "'<' in attribute", one_prop(p, "", "<D:a b=\"<\"/>"),
            "'<' in an attribute");
    refused(p, "colon misplaced", one_prop(p, "", "<D:a:b/>"), "colon");
    refused(p, "XML declaration later", HDR MS "<?xml version=\"1.0\"?>" END,
            "XML declaration");
    refused(p, "response without href", HDR MS "<D:response><D:status>"
            "HTTP/1.1 200 OK</D:status></D:response>" END, "without DAV:href");
    refused(p, "status and propstat", HDR MS "<D:response><D:href>/a"
            "</D:href><D:status>HTTP/1.1 200 OK</D:status><D:propstat><D:prop>"
            "<D:a/></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>"
            "</D:response>" END, "both DAV:status and DAV:propstat");
    refused(p, "neither status nor propstat", HDR MS "<D:response><D:href>/a"
            "</D:href></D:response>" END, "neither");
    refused(p, "propstat without status", HDR MS "<D:response><D:href>/a"
            "</D:href><D:propstat><D:prop><D:a/></D:prop></D:propstat>"
            "</D:response>" END, "without DAV:status");
    refused(p, "bad status", HDR MS "<D:response><D:href>/a</D:href>"
            "<D:status>200 OK</D:status></D:response>" END, "status line");
    refused(p, "status 102", HDR MS "<D:response><D:href>/a</D:href>"
            "<D:status>HTTP/1.1 102 Processing</D:status></D:response>" END,
            "200..599");
    refused(p, "foreign href", HDR MS "<D:response><D:href>mailto:a@b"
            "</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>" END,
            "neither a path nor an http(s) URI");
    refused(p, "element in href", HDR MS "<D:response><D:href>/a<b/></D:href>"
            "<D:status>HTTP/1.1 200 OK</D:status></D:response>" END,
            "text-only");
    refused(p, "truncated in a tag", HDR MS "<D:response><D:hr",
            "inside a tag");
    refused(p, "truncated in content", HDR MS "<D:response><D:href>/a",
            "truncated");
    refused(p, "XML 1.1", "<?xml version=\"1.1\"?>" MS END, "version");

    /* bounds */
    {
        const char *big = one_prop(p, "", apr_pstrcat(p, "<D:a>",
                                   apr_psprintf(p, "%0*d", 3000, 7), "</D:a>",
                                   NULL));
        result r = ingest(p, big, strlen(big), 100, 1, MS_INGEST_AUTO, NULL,
                          1024, 0, NULL);
        CHECK(r.rv == MS_INGEST_EBODY && r.error
              && strstr(r.error, "larger than 1024"), "max_response: %s",
              r.error ? r.error : "accepted");
        free(r.body);
        big = apr_pstrcat(p, HDR MS "<D:response><D:href>/a</D:href><D:status>"
                          "HTTP/1.1 200 OK</D:status><D:responsedescription a=\"",
                          apr_psprintf(p, "%0*d", 3000, 7), "\"/></D:response>"
                          END, NULL);
        r = ingest(p, big, strlen(big), 1, 1, MS_INGEST_AUTO, NULL, 1024, 0,
                   NULL);
        CHECK(r.rv == MS_INGEST_EBODY && r.error
              && strstr(r.error, "token larger than 1024"), "max token: %s",
              r.error ? r.error : "accepted");
        free(r.body);
    }
}

static void test_repairs(apr_pool_t *p)
{
    result r;
    const char *b;

    /* status lines by their code */
    b = HDR MS "<D:response><D:href>/dav/a</D:href><D:status>HTTP/1.0 424"
        "</D:status></D:response><D:response><D:href>/dav/b</D:href>"
        "<D:status> HTTP/1.1 423 whatever </D:status></D:response>" END;
    r = accepted(p, "status lines", b, "HTTP/1.1 424 Failed Dependency",
                 "whatever");
    CHECK(r.body && strstr(r.body, "HTTP/1.1 423 Locked"), "423");
    free(r.body);
    /* hrefs in the module's form */
    b = HDR MS "<D:response><D:href>http://backend:8080/dav/a%20b%c3%a9"
        "</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>"
        "<D:response><D:href>/dav/%7Euser/x y&amp;z(1)</D:href><D:status>"
        "HTTP/1.1 200 OK</D:status></D:response><D:response><D:href>"
        "/dav/a%2fb/./c//d</D:href><D:status>HTTP/1.1 200 OK</D:status>"
        "</D:response><D:response><D:href>\n  /dav/q?x=a b%2f  \n</D:href>"
        "<D:status>HTTP/1.1 200 OK</D:status></D:response>" END;
    r = accepted(p, "hrefs", b, "<D:href>/dav/a%20b%C3%A9</D:href>", "backend");
    CHECK(r.body && strstr(r.body, "<D:href>/dav/~user/x%20y&amp;z(1)</D:href>"),
          "re-encoded href:\n%s", B(r.body));
    CHECK(r.body && strstr(r.body, "<D:href>/dav/a%2Fb/c/d</D:href>"),
          "%%2F kept, dot segments: %s", B(r.body));
    CHECK(r.body && strstr(r.body, "<D:href>/dav/q?x=a%20b%2F</D:href>"),
          "query: %s", B(r.body));
    free(r.body);
    /* collections end in '/', in the 2xx propstat only */
    b = HDR MS "<D:response><D:href>/dav/dir</D:href><D:propstat><D:prop>"
        "<D:resourcetype><D:collection/></D:resourcetype></D:prop><D:status>"
        "HTTP/1.1 200 OK</D:status></D:propstat></D:response><D:response>"
        "<D:href>/dav/nodir</D:href><D:propstat><D:prop><D:resourcetype>"
        "<D:collection/></D:resourcetype></D:prop><D:status>HTTP/1.1 403 "
        "Forbidden</D:status></D:propstat></D:response>" END;
    r = accepted(p, "collections", b, "<D:href>/dav/dir/</D:href>",
                 "/dav/nodir/");
    free(r.body);
    /* several hrefs in a status response */
    b = HDR MS "<D:response><D:href>/dav/a</D:href><D:href>/dav/b</D:href>"
        "<D:href>/dav/c</D:href><D:status>HTTP/1.1 423 Locked</D:status>"
        "<D:responsedescription>held</D:responsedescription></D:response>" END;
    r = accepted(p, "several hrefs", b, "<D:href>/dav/c</D:href><D:status>"
                 "HTTP/1.1 423 Locked</D:status><D:responsedescription>held",
                 NULL);
    CHECK(r.count == 3, "3 responses, not %lu", (unsigned long)r.count);
    free(r.body);
}

static void test_values(apr_pool_t *p)
{
    result r;
    const char *b;

    /* a prefix declared outside the value is declared again on it; D: for
     * DAV: needs nothing; the property's own prefix is the writer's */
    b = one_prop(p, " xmlns:E=\"urn:e\" xmlns:F=\"urn:f\"",
                 "<E:tags><E:t F:k=\"1\">a &amp; b</E:t><D:href>/x</D:href>"
                 "<E:t>2</E:t></E:tags>");
    r = accepted(p, "outer prefixes", b,
                 "<E:t xmlns:E=\"urn:e\" xmlns:F=\"urn:f\" F:k=\"1\">a &amp; "
                 "b</E:t><D:href>/x</D:href><E:t xmlns:E=\"urn:e\">2</E:t>",
                 NULL);
    free(r.body);
    /* the default namespace */
    b = one_prop(p, "", "<x xmlns=\"urn:d\"><y><z>1</z></y></x>");
    r = accepted(p, "default namespace", b, "<y xmlns=\"urn:d\"><z>1</z></y>",
                 NULL);
    free(r.body);
    /* D bound to another namespace inside */
    b = apr_pstrcat(p, HDR "<M:multistatus xmlns:M=\"DAV:\" xmlns:D=\"urn:o\">"
                    "<M:response><M:href>/dav/x</M:href><M:propstat><M:prop>"
                    "<M:p><D:v>1</D:v></M:p></M:prop><M:status>HTTP/1.1 200 OK"
                    "</M:status></M:propstat></M:response></M:multistatus>",
                    NULL);
    r = accepted(p, "D rebound", b, "<D:v xmlns:D=\"urn:o\">1</D:v>", NULL);
    free(r.body);
    /* declared on the property element itself (mod_dav's lock owner) */
    b = one_prop(p, "", "<ns0:owner xmlns:ns0=\"urn:own\"><ns0:href>mailto:a"
                 "</ns0:href></ns0:owner>");
    r = accepted(p, "declared on the property", b,
                 "<ns0:href xmlns:ns0=\"urn:own\">mailto:a</ns0:href>", NULL);
    free(r.body);
    /* xml:lang, own and inherited; CDATA, comments, PIs in values */
    b = one_prop(p, " xmlns:Z=\"urn:z\"", "<Z:a xml:lang=\"fr\">b</Z:a>"
                 "<Z:b>x<![CDATA[<&>]]>y<!-- c --><?pi d?></Z:b>");
    r = accepted(p, "lang, CDATA", b, "<ns1:a xml:lang=\"fr\">b</ns1:a>", NULL);
    CHECK(r.body && strstr(r.body, "x<![CDATA[<&>]]>y<!-- c --><?pi d?>"),
          "CDATA/comment/PI kept:\n%s", B(r.body));
    free(r.body);
    b = apr_pstrcat(p, HDR "<D:multistatus xmlns:D=\"DAV:\" xml:lang=\"de\">"
                    "<D:response><D:href>/dav/x</D:href><D:propstat><D:prop>"
                    "<D:displayname>Haus</D:displayname></D:prop><D:status>"
                    "HTTP/1.1 200 OK</D:status></D:propstat></D:response>" END,
                    NULL);
    r = accepted(p, "inherited lang", b, "<D:displayname xml:lang=\"de\">Haus",
                 NULL);
    free(r.body);
    /* text kept as written: references and all */
    b = one_prop(p, "", "<D:displayname>Tom &amp; Jerry &#x263A; &lt;3"
                 "</D:displayname>");
    r = accepted(p, "text", b, "Tom &amp; Jerry", NULL);
    free(r.body);
    /* CDATA and references in an href */
    b = HDR MS "<D:response><D:href><![CDATA[/dav/a&b]]>&#x2F;c</D:href>"
        "<D:status>HTTP/1.1 200 OK</D:status></D:response>" END;
    r = accepted(p, "CDATA href", b, "<D:href>/dav/a&amp;b/c</D:href>", NULL);
    free(r.body);
    /* descriptions, errors, location, multistatus description */
    b = HDR MS "<D:response><D:href>/dav/m</D:href><D:status>HTTP/1.1 301 "
        "Moved</D:status><D:error><D:lock-token-submitted><D:href>/dav/l"
        "</D:href></D:lock-token-submitted></D:error><D:responsedescription>"
        "moved &amp; gone</D:responsedescription><D:location><D:href>"
        "http://h/dav/new%20place</D:href></D:location></D:response>"
        "<D:response><D:href>/dav/p</D:href><D:propstat><D:prop><D:a/>"
        "</D:prop><D:status>HTTP/1.1 403 Forbidden</D:status><D:error>"
        "<D:cannot-modify-protected-property/></D:error>"
        "<D:responsedescription>no</D:responsedescription></D:propstat>"
        "</D:response><D:responsedescription>all &lt;done&gt;"
        "</D:responsedescription>" END;
    r = accepted(p, "descriptions", b, "<D:location><D:href>/dav/new%20place"
                 "</D:href></D:location>", NULL);
    CHECK(r.body && strstr(r.body, "<D:error><D:lock-token-submitted/>"
                           "</D:error><D:responsedescription>moved &amp; gone"),
          "error, description:\n%s", B(r.body));
    CHECK(r.body && strstr(r.body, "<D:error><D:cannot-modify-protected-"
                           "property/></D:error><D:responsedescription>no"),
          "propstat error:\n%s", B(r.body));
    CHECK(r.body && strstr(r.body, "<D:responsedescription>all &lt;done&gt;"
                           "</D:responsedescription></D:multistatus>"),
          "multistatus description:\n%s", B(r.body));
    CHECK(r.note && strstr(r.note, "content of an error code"), "note: %s",
          r.note ? r.note : "(none)");
    free(r.body);
    /* an empty propstat is kept */
    b = HDR MS "<D:response><D:href>/dav/e</D:href><D:propstat><D:prop/>"
        "<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>" END;
    r = accepted(p, "empty propstat", b, "<D:propstat><D:prop></D:prop>"
                 "<D:status>HTTP/1.1 200 OK", "500");
    free(r.body);
    /* unknown elements are left out, with a note */
    b = HDR MS "<D:response><D:href>/dav/u</D:href><X:y xmlns:X=\"urn:x\">"
        "<D:href>/no</D:href></X:y><D:status>HTTP/1.1 200 OK</D:status>"
        "</D:response><D:sync-token>t1</D:sync-token>" END;
    r = accepted(p, "unknown", b, "<D:href>/dav/u</D:href>", "/no");
    CHECK(r.note && strstr(r.note, "{urn:x}y in DAV:response was left out"),
          "note: %s", B(r.note));
    free(r.body);
    /* what the model has no place for is left out, and said so */
    /* a property without a namespace is kept, unprefixed (litmus's
     * propnullns) */
    b = one_prop(p, "", "<nons>1</nons><D:kept a=\"1\">2</D:kept>");
    r = accepted(p, "no namespace", b, "<nons>1</nons><D:kept>2</D:kept>",
                 "xmlns=");
    free(r.body);
    b = one_prop(p, "", "<D:kept a=\"1\">2</D:kept>");
    r = accepted(p, "property attributes", b, "<D:kept>2</D:kept>", "a=");
    CHECK(r.note && strstr(r.note, "attributes of property kept"),
          "note: %s", B(r.note));
    free(r.body);
}

/* Other encodings go through expat. */
static void test_encodings(apr_pool_t *p, const char *dir)
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
static void test_limit(apr_pool_t *p, const char *dir)
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
static void test_bounded(apr_pool_t *p)
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
static void test_split_invariance(apr_pool_t *p)
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

/* ---------------------------------------------------------------- */
/* The tokenizer against expat                                       */

/* Does expat, with namespace processing, accept @a doc? */
static int expat_accepts(const char *doc, apr_size_t len)
{
    XML_Parser xp = XML_ParserCreateNS(NULL, '\x01');
    int ok = XML_Parse(xp, doc, (int)len, 1) == XML_STATUS_OK;
    XML_ParserFree(xp);
    return ok;
}

static void test_agreement(apr_pool_t *p)
{
    /* property contents: the tokenizer accepts exactly what expat does */
    static const char *cases[] = {
        "<D:a/>", "<D:a></D:a>", "<D:a>x</D:a>", "<D:a >x</D:a >",
        "<D:a\tb='1'\n/>", "<D:a b=\"'\" c='\"'/>", "<D:a b='&#60;'/>",
        "<D:a b='&lt;'/>", "<D:a b='x&y'/>", "<D:a b='&#0;'/>",
        "<D:a>&#x10FFFF;</D:a>", "<D:a>&#x110000;</D:a>", "<D:a>&#xD800;</D:a>",
        "<D:a>&#xFFFE;</D:a>", "<D:a>&#65;&#x41;</D:a>", "<D:a>&#;</D:a>",
        "<D:a>&#x;</D:a>", "<D:a>&amp</D:a>", "<D:a>& amp;</D:a>",
        "<D:a>&apos;&quot;&gt;</D:a>", "<D:a>]]</D:a>", "<D:a>]]&gt;</D:a>",
        "<D:a>] ]></D:a>", "<D:a><![CDATA[]]]]><![CDATA[>]]></D:a>",
        "<D:a><!----></D:a>", "<D:a><!-- - --></D:a>", "<D:a><!-----></D:a>",
        "<D:a><!-- a --->", "<D:a><?p?></D:a>", "<D:a><?p x?></D:a>",
        "<D:a><?px?></D:a>", "<D:a><?xml x?></D:a>", "<D:a><?XmL x?></D:a>",
        "<D:a><?x:y z?></D:a>", "<D:a><? x?></D:a>", "<D:1/>", "<D:-a/>",
        "<D:a.b-c_d/>", "<D:\xC3\xA9t\xC3\xA9/>", "<D:\xE2\x80\x8C/>",
        "<D:a\xCC\x80/>", "<D:\xCC\x80/>", "<D:a b:c='1' xmlns:b='urn:b'/>",
        "<D:a xmlns:b='urn:b' xmlns:c='urn:b' b:x='1' c:x='2'/>",
        "<D:a xmlns='urn:d'><b/></D:a>", "<D:a xmlns=''><b/></D:a>",
        "<D:a xmlns:b=''/>", "<D:a xmlns:xml='" "http://www.w3.org/XML/1998/"
        "namespace" "'/>", "<D:a xmlns:x='http://www.w3.org/XML/1998/"
        "namespace'/>", "<D:a xmlns='http://www.w3.org/2000/xmlns/'/>",
        "<D:a xml:lang='en' xml:space='preserve'/>", "<D:a xml:foo='1'/>",
        "<xml:a/>", "<xmlns:a/>", "<D:a xmlns:='urn:x'/>", "<:a/>", "<D:a:/>",
        "<D:a b='1' b='1'/>", "<D:a b = '1'/>", "<D:a b='1'c='2'/>",
        "<D:a b=1/>", "<D:a b/>", "<D:a/ >", "<D:a></D:a >", "<D:a></ D:a>",
        "<D:a>\xEF\xBF\xBE</D:a>", "<D:a>\xF0\x9F\x98\x80</D:a>",
        "<D:a>\xED\xA0\x80</D:a>", "<D:a>\xC0\xAF</D:a>", "<D:a>\x7F</D:a>",
        "<D:a>\x0B</D:a>", "<D:a>\r\n\t</D:a>", "<D:a b='\t\n'/>",
        "<D:a b='\xC3'/>", "<D:a><b:c xmlns:b='urn:1'><b:d/></b:c></D:a>",
        "<D:a><b:c xmlns:b='urn:1'/><b:d/></D:a>", "<D:a>\xC2\x85</D:a>",
        "<D:a>\xE2\x80\xA8</D:a>", "<D:a b='<'/>", "<D:a b='>'/>",
        "<D:a>></D:a>", "<!DOCTYPE a><D:a/>", "<D:a><!DOCTYPE a></D:a>",
        "<D:a><!ELEMENT a ANY></D:a>", "<D:a><![CDATA[x]]></D:a>",
        "<D:a><![cdata[x]]></D:a>", "<D:a>&#x41</D:a>", "<D:a>&#1234567;</D:a>",
        "<D:a>&#99999999999999999999;</D:a>", "<D:a>&lt;&lt</D:a>",
        NULL
    };
    int i, k, yes = 0, no = 0;

    for (i = 0; cases[i]; i++) {
        const char *doc = one_prop(p, "", cases[i]);
        int want = expat_accepts(doc, strlen(doc));
        if (want)
            yes++;
        else
            no++;
        for (k = 0; k < 3; k++) {
            result r = ingest(p, doc, strlen(doc), k == 2 ? 3 : k, 5,
                              MS_INGEST_AUTO, NULL, 0, 0, NULL);
            /* no-namespace properties are left out, not refused; what
             * the tokenizer passes and the renderer then refuses (an
             * element in the xml namespace: the hardening's rule) is the
             * model's refusal, not a disagreement with expat */
            int model = want && r.error
                        && strstr(r.error, "refused by the renderer") != NULL;
            CHECK((r.rv == APR_SUCCESS) == want || model, "'%s' (step %d): expat %s, "
                  "the tokenizer %s (%s)", cases[i], k,
                  want ? "accepts" : "refuses",
                  r.rv == APR_SUCCESS ? "accepts" : "refuses",
                  r.error ? r.error : "");
            CHECK(r.body && well_formed(p, r.body, r.len), "'%s': output",
                  cases[i]);
            free(r.body);
        }
    }
    /* a table where expat takes all or nothing would prove little */
    CHECK(yes >= 20 && no >= 20, "expat accepts %d and refuses %d cases",
          yes, no);
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
