/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_ingest_harness.c: the harness of the ingest parser's unit test: a
 * real document (ms_doc) whose body is collected, the parser fed in
 * whole, byte-by-byte or random splits, and the canonical reading of a
 * 207 body by apr_xml (expat) that compares an original with what the
 * module renders of it.  Also the checks of crafted bodies (refused,
 * accepted) that ms_ingest_cases.c uses.
 */
#include "ms_ingest_unit.h"

int failures, checks;

/* ---------------------------------------------------------------- */
/* A document whose body is collected                                */

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

ms_doc *new_doc(apr_pool_t *p, sink *s, const char *base,
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


/* Feed @a body split at the offsets produced by @a step: 0 = whole,
 * 1 = one byte at a time, else random pieces of 1..step bytes (seeded). */
result ingest(apr_pool_t *pool, const char *body, apr_size_t len,
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
apr_array_header_t *canon(apr_pool_t *p, const char *body,
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
int same(apr_array_header_t *a, apr_array_header_t *b,
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

char *slurp(apr_pool_t *p, const char *path, apr_size_t *len)
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
int well_formed(apr_pool_t *p, const char *body, apr_size_t len)
{
    char why[200];
    if (canon(p, body, len, 0, why, sizeof(why)))
        return 1;
    printf("  not well-formed: %s\n%.400s\n", why, body);
    return 0;
}

/* Ingest @a body in @a step splits with @a parser: accepted, and the same
 * facts as the original.  Returns the result (body malloc'd). */
result round_trip(apr_pool_t *p, const char *name, const char *body,
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


/* One response with one 200 property whose element is @a prop. */
const char *one_prop(apr_pool_t *p, const char *decls,
                            const char *prop)
{
    return apr_pstrcat(p, HDR "<D:multistatus xmlns:D=\"DAV:\"", decls,
                       "><D:response><D:href>/dav/x</D:href><D:propstat>"
                       "<D:prop>", prop, "</D:prop><D:status>HTTP/1.1 200 OK"
                       "</D:status></D:propstat></D:response>" END, NULL);
}

/* The body must be refused with a message holding @a what. */
void refused(apr_pool_t *p, const char *name, const char *body,
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
result accepted(apr_pool_t *p, const char *name, const char *body,
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

