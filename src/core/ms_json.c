/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_json.c: the JSON rendering of a 207 document (APR only), chosen by
 * the glue (MultiStatusJSON and the request's Accept).  Same model, same
 * rules, hooks, limits and streaming as the XML renderer of ms_writer.c:
 * only the text differs.  The shape is docs/multistatus.schema.json:
 *
 *   {"multistatus":1,"responses":[
 *   {"href":"/a","status":200,"reason":"OK"},
 *   {"href":"/b","propstats":[{"status":200,"reason":"OK","properties":[
 *      {"namespace":"DAV:","name":"getetag","value":"\"x\""}, ...]}]}
 *   ],"description":"...","summary":{...}}
 *
 * Each response sits on a line of its own, so that a client can consume a
 * streamed body line by line as well as parse it whole.  Strings follow
 * RFC 8259, with U+2028 and U+2029 escaped too (JavaScript).  Text values
 * and descriptions are kept XML-escaped by the model: they are unescaped
 * here (the model writes only &amp; &lt; &gt; and &#13;).
 *
 * Uses the writer of ms_doc_int.h and the model's structures; called by
 * ms_writer.c only.
 */
#include <string.h>

#include "apr_strings.h"

#include "ms_xml.h"
#include "ms_doc_int.h"

/* ---------------------------------------------------------------- */
/* Strings                                                           */

/* Bytes that need a look: controls, '"', '\\', '&' (XML-escaped input)
 * and 0xE2 (the lead byte of U+2028 / U+2029). */
static unsigned char special[256];
static int json_ready;

/* ","status":N,"reason":"..."} built once per code: the end of a
 * status-form response after its href's text; a propstat's status is the
 * middle part (STATUS_SKIP bytes in, STATUS_TRIM shorter). */
static const char *status_json[600];
static apr_size_t status_json_len[600];
#define STATUS_SKIP 2   /* ", */
#define STATUS_TRIM 3   /* ", and } */

void ms_json_init(void)
{
    static char store[400 * 64];
    char *p = store;
    int c;

    if (json_ready)
        return;
    for (c = 0; c < 0x20; c++)
        special[c] = 1;
    special['"'] = special['\\'] = special['&'] = special[0xE2] = 1;
    for (c = 200; c < 600; c++) {
        /* reason phrases are plain ASCII: no escaping needed */
        int n = apr_snprintf(p, 64, "\",\"status\":%d,\"reason\":\"%s\"}", c,
                             ms_status_reason(c));
        status_json[c] = p;
        status_json_len[c] = (apr_size_t)n;
        p += n + 1;
    }
    json_ready = 1;
}

/* Eight bytes at a time: any byte that needs a look? (Exact as to
 * "whether", which is all the fast path needs.) */
#define ONES  APR_UINT64_C(0x0101010101010101)
#define HIGHS APR_UINT64_C(0x8080808080808080)
#define HAS_ZERO(x) (((x) - ONES) & ~(x) & HIGHS)
#define HAS_BYTE(x, c) HAS_ZERO((x) ^ (ONES * (c)))

static APR_INLINE int word_is_plain(apr_uint64_t x)
{
    return !((((x) - ONES * 0x20) & ~(x) & HIGHS)     /* < 0x20 */
             | HAS_BYTE(x, '"') | HAS_BYTE(x, '\\') | HAS_BYTE(x, '&')
             | HAS_BYTE(x, 0xE2));
}

#if defined(__SSE2__)
/* Sixteen bytes at a time, for the long runs of plain ASCII (a signed
 * compare with 0x20 also stops at bytes >= 0x80: the word test decides
 * those). */
static APR_INLINE int block_is_plain(const unsigned char *p)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i m = _mm_or_si128(
        _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                     _mm_cmpeq_epi8(v, _mm_set1_epi8('"'))),
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')),
                     _mm_cmpeq_epi8(v, _mm_set1_epi8('&'))));
    return _mm_movemask_epi8(m) == 0;
}
#endif

/* Decode the XML reference at s (one of those the model writes): its
 * length in the bits above 8 and the character in the low 8; 0 when it is
 * not one.  (One return value, no out-parameters: put_str() then takes
 * no local's address and needs no stack-protector check.) */
static apr_size_t xml_ref(const char *s, apr_size_t len)
{
    static const struct { const char *ref; apr_size_t len; char ch; } refs[] = {
        { "&amp;", 5, '&' }, { "&lt;", 4, '<' }, { "&gt;", 4, '>' },
        { "&#13;", 5, '\r' }, { "&quot;", 6, '"' }, { "&#9;", 4, '\t' },
        { "&#10;", 5, '\n' }
    };
    apr_size_t i;

    for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
        if (len >= refs[i].len && memcmp(s, refs[i].ref, refs[i].len) == 0)
            return refs[i].len << 8 | (unsigned char)refs[i].ch;
    }
    return 0;
}

/* The length of the JSON form of the byte @a c (not 0xE2's sequences). */
static APR_INLINE apr_size_t json_char_len(unsigned char c)
{
    if (c >= 0x20)
        return c == '"' || c == '\\' ? 2 : 1;
    return c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f'
           ? 2 : 6;
}

/* The JSON form of one character @a c, written at @a buf (room for
 * json_char_len(c) bytes). */
static void json_char(unsigned char c, char *buf)
{
    static const char hex[] = "0123456789abcdef";
    char e = 0;

    switch (c) {
    case '"':  e = '"'; break;
    case '\\': e = '\\'; break;
    case '\n': e = 'n'; break;
    case '\r': e = 'r'; break;
    case '\t': e = 't'; break;
    case '\b': e = 'b'; break;
    case '\f': e = 'f'; break;
    default:
        if (c < 0x20) {
            buf[0] = '\\';
            buf[1] = 'u';
            buf[2] = '0';
            buf[3] = '0';
            buf[4] = hex[c >> 4];
            buf[5] = hex[c & 15];
            return;
        }
        buf[0] = (char)c;
        return;
    }
    buf[0] = '\\';
    buf[1] = e;
}

/* The first byte at or after @a u that needs a look (or @a e): sixteen,
 * then eight bytes at a time. */
static APR_INLINE const unsigned char *skip_plain(const unsigned char *u,
                                                 const unsigned char *e)
{
#if defined(__SSE2__)
    while (e - u >= 16 && block_is_plain(u))
        u += 16;
#endif
    while (e - u >= 8) {
        apr_uint64_t x;
        memcpy(&x, u, 8);
        if (!word_is_plain(x))
            break;
        u += 8;
    }
    while (u < e && !special[*u])
        u++;
    return u;
}

/* Write @a s as the inside of a JSON string; @a xml: it is XML-escaped
 * text (references are decoded first).  Counts when it does not fit.
 * The slow path of put_text(): runs of plain bytes copied whole, the
 * bytes between them escaped one by one. */
static void put_str(ms_writer *w, const char *s, apr_size_t len, int xml)
{
    const unsigned char *u = (const unsigned char *)s;
    const unsigned char *e = u + len;

    for (;;) {
        const unsigned char *run = u;
        unsigned char c;
        apr_size_t ref;

        u = skip_plain(u, e);
        put(w, (const char *)run, (apr_size_t)(u - run));
        if (u == e)
            return;
        c = *u;
        if (c == '&' && xml && (ref = xml_ref((const char *)u,
                                              (apr_size_t)(e - u))) != 0) {
            c = (unsigned char)(ref & 0xFF);
            u += ref >> 8;
        }
        else if (c == 0xE2 && e - u >= 3 && u[1] == 0x80
                 && (u[2] == 0xA8 || u[2] == 0xA9)) {
            put(w, u[2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
            u += 3;
            continue;
        }
        else {
            u++;
        }
        {
            apr_size_t n = json_char_len(c);

            if (room(w, n)) {
                json_char(c, w->p);
                w->p += n;
            }
            w->n += n;
        }
    }
}

/* No byte of these eight that needs a look, nor any byte >= 0x80 (the
 * fast path below is for plain ASCII). */
static APR_INLINE int word_is_ascii(apr_uint64_t x)
{
    return !((((x) - ONES * 0x20) & ~(x) & HIGHS) | (x & HIGHS)
             | HAS_BYTE(x, '"') | HAS_BYTE(x, '\\') | HAS_BYTE(x, '&'));
}

/* put_str() for the common case, inline: plain ASCII (nearly every
 * value, name and href) is checked in a few overlapping words and copied
 * at once; anything else goes to put_str(). */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static APR_INLINE void put_text(ms_writer *w, const char *s, apr_size_t len,
                                int xml)
{
    const unsigned char *u = (const unsigned char *)s;
    int plain = 1;

    if (len >= 16) {
#if defined(__SSE2__)
        apr_size_t i;

        for (i = 0; plain && i + 16 <= len; i += 16)
            plain = block_is_plain(u + i);
        if (plain && i < len)
            plain = block_is_plain(u + len - 16);
#else
        plain = 0;
#endif
    }
    else if (len >= 8) {
        apr_uint64_t a, b;

        memcpy(&a, u, 8);
        memcpy(&b, u + len - 8, 8);
        plain = word_is_ascii(a) && word_is_ascii(b);
    }
    else if (len >= 4) {
        apr_uint32_t a, b;

        memcpy(&a, u, 4);
        memcpy(&b, u + len - 4, 4);
        plain = word_is_ascii(((apr_uint64_t)a << 32) | b);
    }
    else {
        apr_size_t i;

        for (i = 0; i < len; i++)
            plain &= u[i] >= 0x20 && u[i] < 0x80 && !special[u[i]];
    }
    if (plain)
        put(w, s, len);
    else
        put_str(w, s, len, xml);
}

static void put_qstr(ms_writer *w, const char *s, apr_size_t len, int xml)
{
    PUTS(w, "\"");
    put_text(w, s, len, xml);
    PUTS(w, "\"");
}

/* "status":N,"reason":"..." */
static void put_status(ms_writer *w, int status)
{
    put(w, status_json[status] + STATUS_SKIP,
        status_json_len[status] - STATUS_TRIM);
}

#define VALUE_OPEN ",\"value\":\""
#define VALUE_OPEN_LEN (sizeof(VALUE_OPEN) - 1)

/* {"namespace":"...","name":"..." of a property, made once per name and
 * document (the same few names repeat on every response), followed in
 * the same string by ,"value":" (@a value: written too, for a text value
 * without a language: one copy instead of two). */
static void prop_json_make(ms_doc *doc, ms_qn *qn)
{
    {
        ms_writer m = { NULL, NULL, 0 };
        char *buf;
        int pass;

        for (pass = 0; pass < 2; pass++) {
            PUTS(&m, "{\"namespace\":");
            put_qstr(&m, qn->ns->uri, strlen(qn->ns->uri), 0);
            PUTS(&m, ",\"name\":");
            put_qstr(&m, qn->name, strlen(qn->name), 0);
            PUTS(&m, VALUE_OPEN);
            if (pass == 0) {
                buf = apr_palloc(doc->pool, m.n);
                qn->json_len = m.n;
                qn->json = buf;
                writer_at(&m, buf, m.n);
            }
        }
    }
}

static APR_INLINE void put_prop_start(ms_writer *w, ms_doc *doc, ms_qn *qn,
                                      int value)
{
    if (!qn->json)
        prop_json_make(doc, qn);
    put(w, qn->json, value ? qn->json_len : qn->json_len - VALUE_OPEN_LEN);
}

/* "error":{"namespace":"...","name":"..."}: the element of a DAV:error,
 * like the type of an RFC 9457 problem. */
static void put_error(ms_writer *w, const ms_qn *qn)
{
    PUTS(w, ",\"error\":{\"namespace\":");
    put_qstr(w, qn->ns->uri, strlen(qn->ns->uri), 0);
    PUTS(w, ",\"name\":");
    put_qstr(w, qn->name, strlen(qn->name), 0);
    PUTS(w, "}");
}

/* ---------------------------------------------------------------- */
/* The document                                                      */

/* An href as a JSON string.  The path part never needs escaping: the
 * model percent-encodes everything outside RFC 3986's pchar, and checks
 * encoded hrefs against the same set; only the origin of the uri form
 * (from the Host header) is looked at, once per document. */
static void put_href(ms_writer *w, const ms_doc *doc, const char *href,
                     apr_size_t len)
{
    PUTS(w, "\"");
    if (doc->json_href_raw)
        put(w, href, len);
    else
        put_str(w, href, len, 0);
    PUTS(w, "\"");
}

void ms_json_setup(ms_doc *doc)
{
    const unsigned char *o = (const unsigned char *)doc->opts.origin;
    apr_size_t i;

    doc->json_href_raw = 1;
    for (i = 0; doc->opts.absolute_uri && i < doc->origin_len; i++)
        doc->json_href_raw &= !special[o[i]];
}

void ms_json_prolog(ms_writer *w, ms_doc *doc)
{
    (void)doc;
    PUTS(w, "{\"multistatus\":1,\"responses\":[");
}

void ms_json_response(ms_writer *w, const ms_response *resp, int comma)
{
    const ms_propstat *ps;
    const ms_prop *p;
    int first_ps = 1;

    /* the status form alone (most listings): three copies */
    if (resp->status && resp->doc->json_href_raw && !resp->err
        && !resp->desc && !resp->location) {
        if (comma)
            PUTS(w, ",\n{\"href\":\"");
        else
            PUTS(w, "\n{\"href\":\"");
        put(w, resp->href, resp->href_len);
        put(w, status_json[resp->status], status_json_len[resp->status]);
        return;
    }
    if (comma)
        PUTS(w, ",");
    PUTS(w, "\n{\"href\":");
    put_href(w, resp->doc, resp->href, resp->href_len);
    if (resp->status) {
        PUTS(w, ",");
        put_status(w, resp->status);
    }
    else {
        PUTS(w, ",\"propstats\":[");
        for (ps = resp->ps_first; ps; ps = ps->next) {
            int first_p = 1;

            if (ms_propstat_empty(ps))
                continue;
            if (!first_ps)
                PUTS(w, ",");
            PUTS(w, "{");
            first_ps = 0;
            put_status(w, ps->status);
            PUTS(w, ",\"properties\":[");
            for (p = ps->first; p; p = p->next) {
                if (!first_p)
                    PUTS(w, ",");
                first_p = 0;
                if (p->kind == MS_VALUE_TEXT && !p->lang) {
                    /* {"namespace":..,"name":..,"value":" in one copy */
                    put_prop_start(w, resp->doc, p->qn, 1);
                    put_text(w, p->value ? p->value : "", p->value_len, 1);
                    PUTS(w, "\"}");
                    continue;
                }
                put_prop_start(w, resp->doc, p->qn, 0);
                if (p->lang) {
                    PUTS(w, ",\"lang\":");
                    put_qstr(w, p->lang, p->lang_len, 0);
                }
                if (p->kind == MS_VALUE_TEXT) {
                    PUTS(w, ",\"value\":");
                    put_qstr(w, p->value ? p->value : "", p->value_len, 1);
                }
                else if (p->kind == MS_VALUE_XML) {
                    /* the fragment as it would stand inside the property
                     * element of the XML body */
                    PUTS(w, ",\"xml\":");
                    put_qstr(w, p->value ? p->value : "", p->value_len, 0);
                }
                PUTS(w, "}");
            }
            PUTS(w, "]");
            if (ps->err)
                put_error(w, ps->err);
            if (ps->desc) {
                PUTS(w, ",\"description\":");
                put_qstr(w, ps->desc, ps->desc_len, 1);
            }
            PUTS(w, "}");
        }
        PUTS(w, "]");
    }
    if (resp->err)
        put_error(w, resp->err);
    if (resp->desc) {
        PUTS(w, ",\"description\":");
        put_qstr(w, resp->desc, resp->desc_len, 1);
    }
    if (resp->location) {
        PUTS(w, ",\"location\":");
        put_href(w, resp->doc, resp->location, resp->location_len);
    }
    PUTS(w, "}");
}

void ms_json_own(ms_writer *w, ms_doc *doc, int status, const char *why,
                 int comma)
{
    if (comma)
        PUTS(w, ",");
    PUTS(w, "\n{\"href\":");
    put_href(w, doc, doc->base_href, doc->base_href_len);
    PUTS(w, ",");
    put_status(w, status);
    PUTS(w, ",\"description\":");
    /* raw text (the module's own message), checked by the caller */
    put_qstr(w, why, strlen(why), 0);
    PUTS(w, "}");
}

static void put_classes(ms_writer *w, const apr_size_t *count)
{
    static const char *const name[6] = { "", "", "2xx", "3xx", "4xx",
                                         "5xx" };
    char buf[32];
    int c, n;

    PUTS(w, "{");
    for (c = 2; c <= 5; c++) {
        n = apr_snprintf(buf, sizeof(buf), "%s\"%s\":%" APR_SIZE_T_FMT,
                         c > 2 ? "," : "", name[c], count[c]);
        put(w, buf, (apr_size_t)n);
    }
    PUTS(w, "}");
}

void ms_json_tail(ms_writer *w, ms_doc *doc)
{
    char buf[64];
    int n;

    PUTS(w, "\n]");
    if (doc->desc) {
        PUTS(w, ",\"description\":");
        put_qstr(w, doc->desc, doc->desc_len, 1);
    }
    n = apr_snprintf(buf, sizeof(buf),
                     ",\"summary\":{\"responses\":%" APR_SIZE_T_FMT,
                     doc->emitted);
    put(w, buf, (apr_size_t)n);
    PUTS(w, ",\"status\":");
    put_classes(w, doc->sum_status);
    n = apr_snprintf(buf, sizeof(buf),
                     ",\"propstat_responses\":%" APR_SIZE_T_FMT,
                     doc->sum_propstat);
    put(w, buf, (apr_size_t)n);
    PUTS(w, ",\"properties\":");
    put_classes(w, doc->sum_props);
    PUTS(w, "}}\n");
}

void ms_json_count(ms_doc *doc, const ms_response *resp)
{
    const ms_propstat *ps;
    const ms_prop *p;

    if (resp->status) {
        doc->sum_status[resp->status / 100]++;
        return;
    }
    doc->sum_propstat++;
    for (ps = resp->ps_first; ps; ps = ps->next) {
        for (p = ps->first; p; p = p->next)
            doc->sum_props[ps->status / 100]++;
    }
}
