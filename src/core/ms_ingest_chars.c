/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_ingest_chars.c: characters of a producer's body, the bottom of the
 * ingest parser (calls no other ingest file).
 *
 * Owns the character classes, UTF-8 writing (reading is ms_xml.c's
 * ms_xml_utf8_decode, shared with the renderer), references
 * (the five predefined entities and character references: there is no
 * DTD), the check of text and attribute values against XML 1.0 (with an
 * SSE2 block scan: most bytes need no look), and their decoding.  One
 * file because the tokenizer's every text byte goes through check_chars
 * and the scan's tables are these.
 */
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "ms_xml.h"
#include "ms_ingest_int.h"

unsigned char ms_ing_cls[256];
unsigned char ms_ing_dec_cls[256];
static int cls_ready;

void ms_ing_cls_init(void)
{
    int c;

    if (cls_ready)
        return;
    for (c = 0; c < 256; c++) {
        unsigned char k = 0;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')
            k |= C_NSTART | C_NAME;
        if ((c >= '0' && c <= '9') || c == '-' || c == '.')
            k |= C_NAME;
        if (c == ':')
            k |= C_COLON;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            k |= C_WS;
        if ((c >= 0x20 && c < 0x80) || c == '\t' || c == '\n' || c == '\r') {
            if (c != '<' && c != '&' && c != ']')
                k |= C_TXT;
            if (c != '<' && c != '&')
                k |= C_ATT;
        }
        if (c >= 0x80)
            k |= C_HI;
        ms_ing_cls[c] = k;
        ms_ing_dec_cls[c] = (unsigned char)((c == '&' || c == '\r') ? 3
                                 : (c == '\t' || c == '\n') ? 2 : 0);
    }
    cls_ready = 1;
}

/* Encode a code point as UTF-8; returns the length. */
static apr_size_t utf8_put(char *d, apr_uint32_t c)
{
    if (c < 0x80) {
        d[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        d[0] = (char)(0xC0 | (c >> 6));
        d[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        d[0] = (char)(0xE0 | (c >> 12));
        d[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        d[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | (c >> 18));
    d[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    d[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

static APR_INLINE int xml_char(apr_uint32_t c)
{
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
        || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/* ---------------------------------------------------------------- */
/* References, checks, decoding                                     */

/* A reference at s ('&'), within [s, e).  Returns its length (through
 * ';') and the code point, or 0 with *why set. */
static apr_size_t ref_get(const char *s, const char *e, apr_uint32_t *cp,
                          const char **why)
{
    const char *p = s + 1, *semi;
    apr_size_t n;

    semi = memchr(p, ';', (apr_size_t)(e - p) < 12 ? (apr_size_t)(e - p) : 12);
    if (!semi) {
        *why = "a '&' that starts no reference";
        return 0;
    }
    n = (apr_size_t)(semi - p);
    if (*p == '#') {
        apr_uint32_t v = 0;
        const char *d = p + 1;
        int hex = 0;
        if (d < semi && *d == 'x') {
            hex = 1;
            d++;
        }
        if (d == semi) {
            *why = "an empty character reference";
            return 0;
        }
        for (; d < semi; d++) {
            int dv;
            if (*d >= '0' && *d <= '9')
                dv = *d - '0';
            else if (hex && *d >= 'a' && *d <= 'f')
                dv = *d - 'a' + 10;
            else if (hex && *d >= 'A' && *d <= 'F')
                dv = *d - 'A' + 10;
            else {
                *why = "a malformed character reference";
                return 0;
            }
            v = v * (hex ? 16 : 10) + (apr_uint32_t)dv;
            if (v > 0x10FFFF) {
                *why = "a character reference beyond U+10FFFF";
                return 0;
            }
        }
        if (!xml_char(v)) {
            *why = "a reference to a character XML does not allow";
            return 0;
        }
        *cp = v;
        return n + 2;
    }
    if (n == 2 && p[0] == 'l' && p[1] == 't')
        *cp = '<';
    else if (n == 2 && p[0] == 'g' && p[1] == 't')
        *cp = '>';
    else if (n == 3 && memcmp(p, "amp", 3) == 0)
        *cp = '&';
    else if (n == 4 && memcmp(p, "apos", 4) == 0)
        *cp = '\'';
    else if (n == 4 && memcmp(p, "quot", 4) == 0)
        *cp = '"';
    else {
        *why = "a reference to an undefined entity (there is no DTD)";
        return 0;
    }
    return n + 2;
}

#if defined(__SSE2__)
/* Index of the first byte of 16 that needs a look (control, non-ASCII,
 * '&', and @a x: ']' in text, '<' in attribute values), or 16. */
static APR_INLINE int block_special(const char *p, char x)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i m = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                             _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('&')),
                                          _mm_cmpeq_epi8(v, _mm_set1_epi8(x))));
    int mask = _mm_movemask_epi8(m);
    return mask ? __builtin_ctz((unsigned)mask) : 16;
}
#endif

/* Check the characters of text (@a att 0) or of an attribute value (1) in
 * [s, e): XML characters in valid UTF-8, references, no "]]>" in text, no
 * '<' in values.  NULL if fine, else the bad byte (and *why). */
const char *ms_ing_check_chars(const char *s, const char *e, int att,
                               const char **why)
{
    const unsigned char ok = att ? C_ATT : C_TXT;
#if defined(__SSE2__)
    const char *s0 = s;
#endif

#if defined(__SSE2__)
    /* short texts (most values) in one or two blocks, the last one
     * overlapping the one before */
    if (e - s >= 16 && e - s <= 32
        && block_special(s, att ? '<' : ']') == 16
        && block_special(e - 16, att ? '<' : ']') == 16)
        return NULL;
#endif
    while (s < e) {
        unsigned char c;
#if defined(__SSE2__)
        while (e - s >= 16) {
            int k = block_special(s, att ? '<' : ']');
            s += k;
            if (k < 16)
                break;
        }
        if (s >= e)
            break;
        if (e - s < 16 && e - 16 >= s0 && block_special(e - 16,
                                                         att ? '<' : ']') == 16)
            break;              /* the tail is clean */
#endif
        c = (unsigned char)*s;
        if (ms_ing_cls[c] & ok) {
            s++;
            continue;
        }
        if (c == '&') {
            apr_uint32_t cp;
            apr_size_t n = ref_get(s, e, &cp, why);
            if (!n)
                return s;
            s += n;
        }
        else if (c == ']') {
            if (e - s >= 3 && s[1] == ']' && s[2] == '>') {
                *why = "']]>' in text";
                return s;
            }
            s++;
        }
        else if (c >= 0x80) {
            apr_uint32_t cp;
            apr_size_t n = ms_xml_utf8_decode((const unsigned char *)s,
                                           (apr_size_t)(e - s), &cp);
            if (!n) {
                *why = "invalid UTF-8";
                return s;
            }
            if (cp == 0xFFFE || cp == 0xFFFF) {
                *why = "a character XML does not allow (U+FFFE/U+FFFF)";
                return s;
            }
            s += n;
        }
        else {
            *why = c == '<' ? "'<' in an attribute value"
                            : "a control character XML does not allow";
            return s;
        }
    }
    return NULL;
}

/* Decode checked text (references, line ends) into @a d; @a att: also
 * turn white space into spaces (attribute values).  Returns the length. */
apr_size_t ms_ing_decode_to(char *d, const char *s, apr_size_t len, int att)
{
    const char *e = s + len;
    char *d0 = d;

    const unsigned char want = att ? 2 : 1;

    while (s < e) {
        const char *amp = s;
        while (amp < e && !(ms_ing_dec_cls[(unsigned char)*amp] & want))
            amp++;
        memcpy(d, s, (apr_size_t)(amp - s));
        d += amp - s;
        s = amp;
        if (s >= e)
            break;
        if (*s == '&') {
            apr_uint32_t cp = 0;
            const char *why;
            apr_size_t n = ref_get(s, e, &cp, &why);
            if (!n)
                n = 1, cp = '&';        /* cannot happen: checked */
            d += utf8_put(d, cp);
            s += n;
        }
        else if (*s == '\r') {
            *d++ = att ? ' ' : '\n';
            s += (s + 1 < e && s[1] == '\n') ? 2 : 1;
        }
        else {
            *d++ = ' ';
            s++;
        }
    }
    return (apr_size_t)(d - d0);
}

