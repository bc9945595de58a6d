/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_xml.h: character-level rules of a 207 body (APR only, no httpd).
 *
 * Checking and escaping are split in two steps so that callers can size
 * the destination exactly: a *_check/len function validates and returns the
 * escaped length, a *_to function writes that many bytes (no NUL) and
 * returns the end of what it wrote.  Nothing here allocates, except
 * ms_xml_check_fragment(), which parses in a caller-supplied scratch pool.
 */
#ifndef MS_XML_H
#define MS_XML_H

#include <string.h>

#include "apr.h"
#include "apr_pools.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Build the character tables; called by ms_doc_init() (and on first
 * use). */
void ms_xml_init(void);

/* Decode one UTF-8 sequence at @a s (@a n bytes available): its length,
 * with the code point in *cp, or 0 for an invalid sequence (overlong,
 * surrogate, beyond U+10FFFF, truncated). */
apr_size_t ms_xml_utf8_decode(const unsigned char *s, apr_size_t n,
                              apr_uint32_t *cp);

/* Validate @a len bytes of text for an XML 1.0 document: well-formed UTF-8
 * (no overlongs, no surrogates, nothing above U+10FFFF) and only XML Char
 * code points (no C0 controls but TAB LF CR, no U+FFFE/U+FFFF).  Returns
 * NULL when valid (and *esc_len = length once escaped as element content
 * if @a attr is 0, as an attribute value if 1), else a static message. */
const char *ms_xml_text_check(const char *s, apr_size_t len, int attr,
                              apr_size_t *esc_len);

/* Eight bytes at a time: is there any byte that needs a look (a control
 * character, a non-ASCII byte, or one of & < > " )?  Exact as to
 * "whether", which is all the fast path needs. */
#define MS_ONES  APR_UINT64_C(0x0101010101010101)
#define MS_HIGHS APR_UINT64_C(0x8080808080808080)
#define MS_HAS_ZERO(x) (((x) - MS_ONES) & ~(x) & MS_HIGHS)
#define MS_HAS_BYTE(x, c) MS_HAS_ZERO((x) ^ (MS_ONES * (c)))

static APR_INLINE int ms_xml_word_plain(apr_uint64_t x, int attr)
{
    return !((((x) - MS_ONES * 0x20) & ~(x) & MS_HIGHS)   /* < 0x20 */
             | (x & MS_HIGHS)                              /* >= 0x80 */
             | MS_HAS_BYTE(x, '&') | MS_HAS_BYTE(x, '<')
             | MS_HAS_BYTE(x, '>') | (attr ? MS_HAS_BYTE(x, '"') : 0));
}

#if defined(__SSE2__)
/* Sixteen bytes at a time: a signed compare with 0x20 catches the control
 * characters and every byte >= 0x80 at once. */
static APR_INLINE int ms_xml_block_plain(const unsigned char *p, int attr)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i m = _mm_or_si128(
        _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                     _mm_cmpeq_epi8(v, _mm_set1_epi8('&'))),
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('<')),
                     _mm_cmpeq_epi8(v, _mm_set1_epi8('>'))));
    if (attr)
        m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
    return _mm_movemask_epi8(m) == 0;
}
#endif

/* The fast path of ms_xml_text_check() + ms_xml_text_to() for element
 * text: copy @a len bytes of @a s to @a dst and return 1 when every byte is
 * printable ASCII that needs no escaping (nearly every value); return 0
 * otherwise (then @a dst holds garbage: take the slow path, which also
 * takes TAB and LF).  Inline: it runs for every value. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static APR_INLINE int ms_xml_text_copy(char *dst, const char *s,
                                       apr_size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    apr_size_t i;
    apr_uint64_t x;

#if defined(__SSE2__)
    if (len >= 16) {
        /* check and copy a block at a time; the last block overlaps */
        for (i = 0; i + 16 <= len; i += 16) {
            if (!ms_xml_block_plain(u + i, 0))
                return 0;
            _mm_storeu_si128((__m128i *)(void *)(dst + i),
                             _mm_loadu_si128((const __m128i *)(const void *)
                                             (u + i)));
        }
        if (i < len) {
            if (!ms_xml_block_plain(u + len - 16, 0))
                return 0;
            _mm_storeu_si128((__m128i *)(void *)(dst + len - 16),
                             _mm_loadu_si128((const __m128i *)(const void *)
                                             (u + len - 16)));
        }
        return 1;
    }
#endif
    if (len >= 8) {
        for (i = 0; i + 8 <= len; i += 8) {
            memcpy(&x, u + i, 8);
            if (!ms_xml_word_plain(x, 0))
                return 0;
            memcpy(dst + i, &x, 8);
        }
        if (i < len) {
            memcpy(&x, u + len - 8, 8);
            if (!ms_xml_word_plain(x, 0))
                return 0;
            memcpy(dst + len - 8, &x, 8);
        }
        return 1;
    }
    if (len >= 4) {
        /* two overlapping 4-byte words: the eight-byte test on a word
         * that holds each of them twice */
        apr_uint32_t a, b;
        memcpy(&a, u, 4);
        memcpy(&b, u + len - 4, 4);
        x = ((apr_uint64_t)a << 32) | b;
        if (!ms_xml_word_plain(x, 0))
            return 0;
        memcpy(dst, &a, 4);
        memcpy(dst + len - 4, &b, 4);
        return 1;
    }
    for (i = 0; i < len; i++) {
        unsigned char c = u[i];
        if (c < 0x20 || c >= 0x80 || c == '&' || c == '<' || c == '>')
            return 0;
        dst[i] = (char)c;
    }
    return 1;
}

/* Write the escaped form of a checked text (& < > and CR as character
 * references; in attribute mode also " TAB LF). */
char *ms_xml_text_to(char *dst, const char *s, apr_size_t len, int attr);

/* Is @a s an XML NCName (a name without colon, XML 1.0 5th edition)? */
int ms_xml_is_ncname(const char *s);

/* As ms_xml_is_ncname(); a non-ASCII name is also tried on expat in a
 * subpool of @a pool (NULL: a root pool, for tests only). */
int ms_xml_is_ncname_in(apr_pool_t *pool, const char *s);

/* Is @a s a plausible language tag (BCP 47 shape: alnum and '-')? */
int ms_xml_is_lang(const char *s);

/* expat's verdict (through apr_xml) on @a frag as element content (only
 * D: bound from outside): NULL when well-formed, else expat's message (in
 * @a scratch). */
const char *ms_xml_expat_wf(apr_pool_t *scratch, const char *frag,
                            apr_size_t len);

/* Is [s, s+len) an NCName?  ASCII by table, the rest as
 * ms_xml_is_ncname_in() (in @a p). */
int ms_xml_ncname_n(apr_pool_t *p, const char *s, apr_size_t len);

/* Reason phrase for a status 200..599; unknown codes get the generic name
 * of their class ("Success", "Redirection", "Client Error", "Server
 * Error").  Never NULL for a valid status. */
const char *ms_status_reason(int status);

/* ---------------------------------------------------------------- */
/* ms_xmlns.c: Namespaces in XML 1.0                                 */

/* The two namespace names Namespaces in XML 1.0 reserves. */
#define MS_XML_NS   "http://www.w3.org/XML/1998/namespace"
#define MS_XMLNS_NS "http://www.w3.org/2000/xmlns/"

/* Can @a uri name a namespace of the body?  NULL if so, else a static
 * message: empty, reserved (xml, xmlns), not XML text, or not a URI
 * reference (space, control, quote, angle bracket, \ ^ ` { | }). */
const char *ms_xml_ns_uri_check(const char *uri, apr_size_t len);

/* The value of an attribute as a parser reads it: references decoded,
 * TAB LF CR as spaces.  NULL for a reference other than the predefined
 * entities and character references. */
char *ms_xml_attr_decode(apr_pool_t *p, const char *v, apr_size_t len,
                         apr_size_t *out_len);

/* Namespace well-formedness (Namespaces in XML 1.0) of XML text that expat
 * found well-formed: element and attribute names are QNames with declared
 * prefixes, xml/xmlns prefixes and names not misused, no prefix undeclared,
 * no two attributes with the same expanded name, no DOCTYPE.  @a fragment:
 * element content with D: bound to DAV: outside.  Linear in the text.
 * NULL if fine, else a static message. */
const char *ms_xml_check_ns(apr_pool_t *pool, const char *text,
                            apr_size_t len, int fragment);

/* Check that @a frag is well-formed element content using only the D:
 * prefix (bound to DAV:) and prefixes it declares.  NULL if fine, else a
 * message allocated in @a scratch. */
const char *ms_xml_check_fragment(apr_pool_t *scratch, const char *frag,
                                  apr_size_t len);

#endif /* MS_XML_H */
