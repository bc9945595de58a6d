/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_fastpath.c: the fast paths of the renderer (issue 13) against plain
 * reference implementations written here, byte for byte:
 *   - property values: the one-pass check-and-copy (ms_xml_text_copy) and
 *     its fall back to escaping, for every length from 0 to 40 with every
 *     kind of byte at every position;
 *   - interned names (ms_doc_intern / ms_doc_prop_add_qname): the same
 *     body as by name; a NULL name, another document's name, a bad name;
 *   - the name bits: re-adding (moving) a property, more than 64 names in
 *     one document, the completeness rule with and without bits;
 *   - the href encoder's runs: every length with a byte to encode at every
 *     position.
 * Every body is also parsed (apr_xml).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apr_general.h"
#include "apr_strings.h"
#include "apr_xml.h"

#include "ms_doc.h"

static int failures, checks;

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

typedef struct {
    apr_pool_t *pool;
    char *body;
    apr_size_t len;
    int refusals;
    apr_status_t last_rv;
} sink;

static apr_status_t s_commit(void *baton, apr_off_t length)
{
    (void)baton;
    (void)length;
    return APR_SUCCESS;
}

static apr_status_t s_write(void *baton, char *buf, apr_size_t len, int flush)
{
    sink *s = baton;
    char *nb = apr_palloc(s->pool, s->len + len + 1);

    (void)flush;
    if (s->len)
        memcpy(nb, s->body, s->len);
    if (len)
        memcpy(nb + s->len, buf, len);
    s->len += len;
    nb[s->len] = '\0';
    s->body = nb;
    free(buf);
    return APR_SUCCESS;
}

static void s_refused(void *baton, apr_status_t rv, const char *msg)
{
    sink *s = baton;
    (void)msg;
    s->refusals++;
    s->last_rv = rv;
}

static ms_doc *new_doc(apr_pool_t *p, sink *s)
{
    ms_doc_io io;
    ms_doc_opts opts;

    memset(s, 0, sizeof(*s));
    s->pool = p;
    memset(&io, 0, sizeof(io));
    io.baton = s;
    io.commit = s_commit;
    io.write = s_write;
    io.refused = s_refused;
    memset(&opts, 0, sizeof(opts));
    opts.base_path = "/d/";
    opts.origin = "http://example.org";
    opts.buffer_size = 65536;
    return ms_doc_create(p, &io, &opts);
}

static int well_formed(apr_pool_t *p, const char *body, apr_size_t len)
{
    apr_xml_parser *parser = apr_xml_parser_create(p);
    apr_xml_doc *doc;

    return apr_xml_parser_feed(parser, body, len) == APR_SUCCESS
           && apr_xml_parser_done(parser, &doc) == APR_SUCCESS;
}

/* The reference: XML element text as the renderer must write it, or NULL
 * when the text cannot be carried (control bytes, bad UTF-8, written here
 * for the few kinds of bytes the tests use). */
static const char *ref_text(apr_pool_t *p, const char *s)
{
    char *out = apr_palloc(p, strlen(s) * 6 + 1), *o = out;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '&')
            o += sprintf(o, "&amp;");
        else if (c == '<')
            o += sprintf(o, "&lt;");
        else if (c == '>')
            o += sprintf(o, "&gt;");
        else if (c == '\r')
            o += sprintf(o, "&#13;");
        else if (c == '\t' || c == '\n' || (c >= 0x20 && c < 0x80))
            *o++ = (char)c;
        else if (c == 0xC3 && (unsigned char)s[1] == 0xA9) {
            *o++ = (char)c;             /* U+00E9, two bytes */
            *o++ = s[1];
            s++;
        }
        else
            return NULL;                /* a control byte, 0xFF */
    }
    *o = '\0';
    return out;
}

/* The bytes put at each position of the values. */
static const char *const specials[] = {
    "&", "<", ">", "\r", "\t", "\n", "\"", "\xC3\xA9", "\x01", "\xFF", "\x7F"
};
#define NSPECIALS (sizeof(specials) / sizeof(specials[0]))

static void test_values(apr_pool_t *p)
{
    apr_size_t len, pos, k;

    for (len = 0; len <= 40; len++) {
        for (k = 0; k <= NSPECIALS; k++) {
            for (pos = 0; pos < (k < NSPECIALS ? len : 1); pos++) {
                sink s;
                ms_doc *doc = new_doc(p, &s);
                const ms_qname *q = ms_doc_intern(doc, "DAV:", "displayname");
                ms_response *r;
                char *v = apr_palloc(p, len + 4);
                const char *want;
                const char *ref;
                apr_size_t i;
                apr_status_t rv, rv2;

                for (i = 0; i < len; i++)
                    v[i] = (char)('a' + (i * 7) % 26);
                v[len] = '\0';
                if (k < NSPECIALS)
                    v = apr_pstrcat(p, apr_pstrndup(p, v, pos), specials[k],
                                    v + pos + 1, NULL);
                ref = ref_text(p, v);
                ms_doc_open(doc, "a", 0, &r);
                /* by name and by interned name, on two properties */
                rv = ms_doc_prop_add_qname(r, q, 200, MS_VALUE_TEXT, v);
                rv2 = ms_doc_prop_add(r, "DAV:", "comment", 200,
                                      MS_VALUE_TEXT, v);
                ms_doc_prop_add(r, "DAV:", "getetag", 200, MS_VALUE_TEXT,
                                "\"e\"");
                ms_doc_close(r);
                ms_doc_finish(doc);
                if (!ref) {
                    CHECK(rv == MS_EINVAL && rv2 == MS_EINVAL,
                          "len %lu special %lu at %lu: refused",
                          (unsigned long)len, (unsigned long)k,
                          (unsigned long)pos);
                    CHECK(!strstr(s.body, "displayname")
                          && !strstr(s.body, "comment"),
                          "refused leaves nothing: %s", s.body);
                }
                else {
                    CHECK(rv == APR_SUCCESS && rv2 == APR_SUCCESS,
                          "len %lu special %lu at %lu: accepted",
                          (unsigned long)len, (unsigned long)k,
                          (unsigned long)pos);
                    want = *ref
                        ? apr_pstrcat(p, "<D:prop><D:displayname>", ref,
                                      "</D:displayname><D:comment>", ref,
                                      "</D:comment><D:getetag>\"e\""
                                      "</D:getetag></D:prop>", NULL)
                        : "<D:prop><D:displayname/><D:comment/><D:getetag>"
                          "\"e\"</D:getetag></D:prop>";
                    CHECK(strstr(s.body, want) != NULL,
                          "len %lu special %lu at %lu:\n%s\nwant %s",
                          (unsigned long)len, (unsigned long)k,
                          (unsigned long)pos, s.body, want);
                }
                CHECK(well_formed(p, s.body, s.len), "well-formed: %s",
                      s.body);
            }
        }
    }
}

static void test_qnames(apr_pool_t *p)
{
    sink s, s2;
    ms_doc *doc = new_doc(p, &s), *other = new_doc(p, &s2);
    const ms_qname *q = ms_doc_intern(doc, "urn:x", "a");
    const ms_qname *q2 = ms_doc_intern(other, "urn:x", "a");
    ms_response *r;

    CHECK(q && q2, "interned");
    CHECK(ms_doc_intern(doc, "urn:x", "1bad") == NULL && s.refusals == 1
          && s.last_rv == MS_EINVAL, "a bad name is refused and said");
    CHECK(ms_doc_intern(doc, "", "a") == NULL && s.refusals == 2,
          "an empty namespace is refused");
    CHECK(ms_doc_intern(doc, "urn:x", "a") == q, "interned once");
    ms_doc_open(doc, "a", 0, &r);
    CHECK(ms_doc_prop_add_qname(r, NULL, 200, MS_VALUE_TEXT, "v")
          == MS_EINVAL, "NULL name");
    CHECK(ms_doc_prop_add_qname(r, q2, 200, MS_VALUE_TEXT, "v")
          == MS_EINVAL, "another document's name");
    CHECK(ms_doc_prop_add_qname(r, q, 999, MS_VALUE_TEXT, "v")
          == MS_EINVAL, "bad status");
    CHECK(ms_doc_prop_add_qname(r, q, 200, MS_VALUE_TEXT, NULL)
          == MS_EINVAL, "NULL text");
    CHECK(ms_doc_prop_add_qname(r, q, 200, MS_VALUE_XML, "<b/>")
          == APR_SUCCESS, "xml value");
    /* a fast-path value moved to 403, then given a language */
    CHECK(ms_doc_prop_add(r, "urn:x", "c", 200, MS_VALUE_TEXT, "plain text")
          == APR_SUCCESS, "c");
    CHECK(ms_doc_prop_add(r, "urn:x", "c", 403, MS_VALUE_TEXT, "moved one")
          == APR_SUCCESS, "c moved");
    CHECK(ms_doc_prop_set_lang(r, "urn:x", "c", "en") == APR_SUCCESS, "lang");
    ms_doc_close(r);
    ms_doc_finish(doc);
    ms_doc_finish(other);
    CHECK(strstr(s.body, "<D:propstat><D:prop><ns1:a><b/></ns1:a></D:prop>"
                 "<D:status>HTTP/1.1 200 OK</D:status></D:propstat>"
                 "<D:propstat><D:prop><ns1:c xml:lang=\"en\">moved one"
                 "</ns1:c></D:prop><D:status>HTTP/1.1 403 Forbidden"
                 "</D:status></D:propstat>") != NULL, "%s", s.body);
    CHECK(well_formed(p, s.body, s.len), "well-formed");
}

/* More names than bits; requested names beyond the bits too. */
static void test_many_names(apr_pool_t *p)
{
    sink s;
    ms_doc *doc = new_doc(p, &s);
    ms_doc_rules rules;
    ms_doc_qname want[3];
    ms_response *r;
    int i, j;

    for (i = 0; i < 70; i++)
        ms_doc_intern(doc, "urn:m", apr_psprintf(p, "n%d", i));
    want[0].ns = "urn:m"; want[0].name = "n3";     /* has a bit */
    want[1].ns = "urn:m"; want[1].name = "n68";    /* has none */
    want[2].ns = "urn:m"; want[2].name = "w80";    /* new: none */
    memset(&rules, 0, sizeof(rules));
    rules.want = want;
    rules.nwant = 3;
    CHECK(ms_doc_set_rules(doc, &rules) == APR_SUCCESS, "rules");
    for (j = 0; j < 3; j++) {
        ms_doc_open(doc, apr_psprintf(p, "r%d", j), 0, &r);
        for (i = 0; i < 70; i++) {
            if (i % 3 == j)
                continue;
            ms_doc_prop_add(r, "urn:m", apr_psprintf(p, "n%d", i), 200,
                            MS_VALUE_TEXT, "1");
            /* and again, moved: one property, never two */
            ms_doc_prop_add(r, "urn:m", apr_psprintf(p, "n%d", i), 200,
                            MS_VALUE_TEXT, "2");
        }
        ms_doc_close(r);
    }
    ms_doc_finish(doc);
    CHECK(well_formed(p, s.body, s.len), "well-formed");
    for (j = 0; j < 3; j++) {
        const char *a = strstr(s.body, apr_psprintf(p, "/d/r%d<", j));
        const char *e = a ? strstr(a, "</D:response>") : NULL;
        const char *resp = a && e ? apr_pstrndup(p, a, (apr_size_t)(e - a)) : "";
        for (i = 0; i < 70; i++) {
            const char *full = apr_psprintf(p, "<ns1:n%d>2</ns1:n%d>", i, i);
            const char *empty = apr_psprintf(p, "<ns1:n%d/>", i);
            const char *f = strstr(resp, full);
            if (i % 3 == j) {
                int wanted = i == 3 || i == 68;
                CHECK(!f && (strstr(resp, empty) != NULL) == wanted,
                      "r%d n%d: 404 only when requested: %s", j, i, resp);
            }
            else {
                CHECK(f && !strstr(f + 1, full), "r%d n%d once: %s", j, i,
                      resp);
            }
        }
        CHECK(strstr(resp, "<ns1:w80/>") != NULL, "r%d: w80 404", j);
    }
}

/* The reference href encoder: what ms_href_path_to must produce. */
static const char *ref_href(apr_pool_t *p, const char *s)
{
    static const char keep[] = "-._~!$&'()*+,;=:@/";
    char *out = apr_palloc(p, strlen(s) * 3 + 1), *o = out;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9') || (c && strchr(keep, c)))
            *o++ = (char)c;
        else
            o += sprintf(o, "%%%02X", c);
    }
    *o = '\0';
    return out;
}

static void test_hrefs(apr_pool_t *p)
{
    static const char *const odd[] = { " ", "%", "?", "#", "\xC3\xA9", "&",
                                       "\"", "<", "[" };
    apr_size_t len, pos, k;

    for (len = 1; len <= 24; len++) {
        for (k = 0; k < sizeof(odd) / sizeof(odd[0]); k++) {
            for (pos = 0; pos < len; pos++) {
                sink s;
                ms_doc *doc = new_doc(p, &s);
                ms_response *r;
                char *name = apr_palloc(p, len + 1), *want;
                const char *a, *e;
                apr_size_t i;

                for (i = 0; i < len; i++)
                    name[i] = (char)('a' + (i * 5) % 26);
                name[len] = '\0';
                name = apr_pstrcat(p, apr_pstrndup(p, name, pos), odd[k],
                                   name + pos + 1, NULL);
                want = apr_pstrcat(p, "<D:href>/d/", ref_href(p, name),
                                   "</D:href>", NULL);
                if (strchr(want, '&'))  /* XML-escaped in the body */
                    want = apr_pstrcat(p, apr_pstrndup(p, want,
                                       (apr_size_t)(strchr(want, '&')
                                                    - want)),
                                       "&amp;", strchr(want, '&') + 1,
                                       NULL);
                CHECK(ms_doc_open(doc, name, 0, &r) == APR_SUCCESS,
                      "open %s", name);
                ms_doc_set_status(r, 200);
                ms_doc_close(r);
                ms_doc_finish(doc);
                a = strstr(s.body, "<D:href>");
                e = a ? strstr(a, "</D:href>") : NULL;
                CHECK(a && e && !strncmp(a, want, strlen(want)),
                      "href of '%s': %s, want %s", name, s.body, want);
            }
        }
    }
}

/* Reference: "/d/" + @a path with "", "." and ".." segments resolved (the
 * request-URI /d/ is the base; ".." never climbs above the root). */
static const char *ref_resolve(apr_pool_t *p, const char *path)
{
    char *segs[64];
    int n = 0, i;
    char *copy = apr_pstrdup(p, path[0] == '/' ? path + 1
                                : apr_pstrcat(p, "d/", path, NULL));
    char *last, *seg = apr_strtok(copy, "/", &last);
    apr_size_t len = strlen(path);
    /* a path ending in "/", "/." or "/.." names a collection: the '/'
     * before a dropped "." stays */
    int trailing = (len && path[len - 1] == '/')
                   || !strcmp(path, ".") || !strcmp(path, "..")
                   || (len >= 2 && !strcmp(path + len - 2, "/."))
                   || (len >= 3 && !strcmp(path + len - 3, "/.."));
    const char *out = "";

    for (; seg; seg = apr_strtok(NULL, "/", &last)) {
        if (!strcmp(seg, "."))
            continue;
        if (!strcmp(seg, "..")) {
            if (n)
                n--;
            continue;
        }
        segs[n++] = seg;
    }
    for (i = 0; i < n; i++)
        out = apr_pstrcat(p, out, "/", segs[i], NULL);
    if (!*out || trailing)
        out = apr_pstrcat(p, out, "/", NULL);
    return out;
}

/* Paths that need normalizing leave the one-pass encoder for the slow
 * path; those that look like it but do not ("..a", ".a.") stay. */
static void test_dot_segments(apr_pool_t *p)
{
    static const char *const seg[] = { ".", "..", "", ".a", "a.", "..a",
                                       "...", "a" };
    /* what goes before and after the segment */
    static const char *const form[][2] = {
        { "", "" }, { "", "/" }, { "x/", "" }, { "x/", "/y" }, { "/", "" },
        { "/x/", "/y" }, { "", "/y" }, { "/", "/" }
    };
    apr_size_t i, k;

    for (i = 0; i < sizeof(seg) / sizeof(seg[0]); i++) {
        for (k = 0; k < sizeof(form) / sizeof(form[0]); k++) {
            sink s;
            ms_doc *doc = new_doc(p, &s);
            ms_response *r;
            const char *path = apr_pstrcat(p, form[k][0], seg[i],
                                           form[k][1], NULL);
            const char *want, *a;

            if (!*path)
                continue;
            want = apr_pstrcat(p, "<D:href>", ref_resolve(p, path),
                               "</D:href>", NULL);
            CHECK(ms_doc_open(doc, path, 0, &r) == APR_SUCCESS, "open %s",
                  path);
            ms_doc_set_status(r, 200);
            ms_doc_close(r);
            ms_doc_finish(doc);
            a = strstr(s.body, "<D:href>");
            CHECK(a && !strncmp(a, want, strlen(want)),
                  "href of '%s': %s, want %s", path, s.body, want);
        }
    }
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);
    ms_doc_init();
    test_values(p);
    test_qnames(p);
    test_many_names(p);
    test_hrefs(p);
    test_dot_segments(p);
    apr_pool_destroy(p);
    apr_terminate();
    printf("%d checks, %d failures\n", checks, failures);
    /* a floor, so that a loop that stopped running cannot pass */
    if (checks < 20000) {
        printf("FAIL: only %d checks ran\n", checks);
        return 1;
    }
    return failures ? 1 : 0;
}
