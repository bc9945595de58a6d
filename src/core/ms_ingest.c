/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_ingest.c: a producer's 207 body, parsed as it streams, registered on
 * the document model (APR only, plus libexpat).  ms_ingest.h has the
 * contract; the design in short:
 *
 *  - Two event sources, one grammar.  The tokenizer (UTF-8 bodies) and
 *    expat (other encodings) both report start tags with their namespace
 *    resolved, end tags and text to the multistatus grammar below, which
 *    knows what a multistatus holds.
 *  - One response at a time.  A DAV:response is read into a buffer of its
 *    own (hrefs, status, propstats with their properties and values,
 *    descriptions, errors, location), then registered on the ms_doc and
 *    closed: the href is only final once the resourcetype was seen (a
 *    collection ends in '/'), a propstat's status comes after its
 *    properties.  The buffer is reused, so memory is bounded by the
 *    largest response.
 *  - Values as they are.  The tokenizer copies a property's content as the
 *    producer wrote it (it checked every byte of it), and puts on each
 *    top-level element of the value the namespace declarations that came
 *    from outside the value (DAV: as D: excepted, the writer declares it).
 *    Expat's events are serialized back instead.  The value is handed to
 *    the model as checked XML (no second parse: a fragment check is an
 *    expat parser per value, 18 us).
 *  - The tokenizer is strict: every rule of XML 1.0 and Namespaces 1.0
 *    that a document without DTD can break is checked (characters, UTF-8,
 *    names as expat reads them, references, comments, CDATA, PIs,
 *    attributes, prefixes, reserved namespaces), so that nothing it
 *    accepts can make the output malformed.  The unit tests and the fuzz
 *    target hold it against expat.
 *  - Chunks: a token cut by the end of a chunk waits in a carry buffer for
 *    the next one; long text is passed on in pieces cut between
 *    characters.
 *
 * Sits above ms_doc.c: it calls the functions of ms_doc.h, and for a
 * property's value the model's own allocation (ms_doc_int.h).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apr_hash.h"
#include "apr_lib.h"
#include "apr_strings.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <expat.h>

#include "ms_xml.h"
#include "ms_href.h"
#include "ms_doc_int.h"
#include "ms_ingest.h"

#define XML_NS      "http://www.w3.org/XML/1998/namespace"
#define XMLNS_NS    "http://www.w3.org/2000/xmlns/"
#define MAX_DEPTH   1024        /* nesting of elements */
#define MAX_ATTRS   256         /* attributes of one element */
#define MAX_NS      1024        /* distinct namespace URIs in a body */
#define MAX_QNAMES  10000       /* distinct property and error names */
#define EXPAT_SEP   '\x01'      /* never in a name or a URI */
#define NS_RECENT   4           /* namespaces looked up without hashing */
#define QHINTS      32          /* property names remembered by place */

/* ---------------------------------------------------------------- */
/* Character classes (ASCII; bytes >= 0x80 are C_HI)                 */

#define C_NSTART 0x01           /* may start a name: A-Z a-z _ */
#define C_NAME   0x02           /* may follow: the above, 0-9 - . */
#define C_COLON  0x04
#define C_WS     0x08           /* space TAB LF CR */
#define C_TXT    0x10           /* as is in text: not < & ] nor controls */
#define C_ATT    0x20           /* as is in attribute values: not < & */
#define C_HI     0x40           /* >= 0x80: UTF-8 */
#define C_NAMEANY (C_NSTART | C_NAME | C_COLON | C_HI)

static unsigned char cls[256];
/* What decoding must look at: 1 in text (& CR), 2 in attribute values
 * (& CR TAB LF). */
static unsigned char dec_cls[256];
static int cls_ready;

static void cls_init(void)
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
        cls[c] = k;
        dec_cls[c] = (unsigned char)((c == '&' || c == '\r') ? 3
                                 : (c == '\t' || c == '\n') ? 2 : 0);
    }
    cls_ready = 1;
}

/* ---------------------------------------------------------------- */
/* Structures                                                        */

/* An interned namespace URI (stable for the parser's life: the model's
 * name cache is keyed by the pointers it is given). */
typedef struct ns_ent {
    const char *uri;
    apr_size_t len;
    const char *attr;           /* escaped for an attribute value */
    apr_size_t attr_len;
    int dav;                    /* "DAV:" */
} ns_ent;

/* An interned property or error name. */
typedef struct qname {
    const ns_ent *ns;
    const char *name;
    apr_size_t len;
    apr_uint32_t hash;
} qname;

/* A namespace binding in scope; the prefix is in the names store. */
typedef struct binding {
    apr_size_t poff, plen;      /* plen 0: the default namespace */
    const ns_ent *ns;           /* NULL: xmlns="" */
    apr_size_t depth;           /* depth of the element declaring it */
} binding;

/* The grammar's view of an open element. */
enum {
    K_NONE, K_MS, K_MSDESC, K_RESP, K_HREF, K_STATUS, K_RDESC, K_RERR,
    K_LOC, K_LOCHREF, K_PS, K_PSSTATUS, K_PSDESC, K_PSERR, K_PROP,
    K_PROPERTY, K_VAL, K_ERRCODE, K_SKIP
};

typedef struct elem {
    apr_size_t name_off, name_len;  /* qname as written (names store) */
    apr_size_t nbinds;          /* bindings before this element's own */
    apr_size_t names_len;       /* names store length before it */
    apr_size_t cap_off;         /* capture start, or insertion point */
    apr_size_t lang_off, lang_len;  /* xml:lang in scope (names store) */
    int has_lang;
    unsigned char kind;
} elem;

/* An attribute of the tag being read (offsets from the tag's '<'). */
typedef struct attr {
    apr_size_t name, name_len, colon;   /* colon: 0 when none */
    apr_size_t val, val_len;
    const ns_ent *ns;
    int xmlns;                  /* a namespace declaration */
    int slow;                   /* its name needs qname_check */
} attr;

typedef struct span {
    apr_size_t off, len;
} span;

typedef struct in_prop {
    const qname *q;
    span val;
    span lang;
    int has_lang;
    int collection;             /* resourcetype holding DAV:collection */
    apr_size_t ps;              /* index of its propstat */
} in_prop;

typedef struct in_ps {
    int status;
    span desc;
    int has_desc;
    const qname *err;
    apr_size_t nprops;
} in_ps;

/* What the event sources report of a start tag. */
typedef struct ev_start {
    const ns_ent *ns;           /* NULL: no namespace */
    const char *local;
    apr_size_t llen;
    int other_attrs;            /* attributes beside xmlns and xml:lang */
    /* tokenizer: the tag as written, its qname's end; expat: NULL */
    const char *raw;
    apr_size_t raw_len, name_end;
    const XML_Char **atts;      /* expat: the attributes (triplets) */
} ev_start;

enum { ST_START, ST_PROLOG, ST_CONTENT, ST_EPILOG };
enum { MODE_SNIFF, MODE_FAST, MODE_EXPAT };

struct ms_ingest {
    apr_pool_t *pool;
    ms_doc *doc;
    ms_ingest_opts opts;
    apr_size_t max;
    apr_status_t status;        /* sticky failure */
    const char *error;
    apr_off_t err_off;
    apr_size_t count;
    const char *note;
    apr_size_t notes;
    int skip;                   /* the response limit was reached */
    int finished;               /* ms_ingest_done() was called */
    int mode;

    /* input */
    apr_off_t base;             /* offset of the window's first byte */
    const char *win;
    const char *mend;           /* the data's end (tokens are cut at max) */
    char *carry;
    apr_size_t carry_len, carry_cap;
    apr_size_t hint;            /* token at the window's start: no end
                                 * before this many bytes */
    apr_size_t st_nend;         /* a start tag waiting: its name's end, */
    apr_size_t st_pos;          /* where reading goes on, */
    apr_size_t st_nattrs;       /* its attributes read, */
    apr_size_t st_qscan;        /* no closing quote before this */
    apr_size_t st_colon;        /* its name's colon, */
    int st_slow;                /* and whether qname_check must look */
    int state;
    int bom;                    /* a byte order mark was skipped */

    /* elements, bindings, names */
    elem *stack;
    apr_size_t depth, stack_cap;
    binding *binds;
    apr_size_t nbinds, binds_cap;
    char *names;
    apr_size_t names_len, names_cap;
    attr *attrs;
    apr_size_t nattrs, attrs_cap;
    apr_size_t *used;           /* bindings a start tag uses */
    apr_size_t nused, used_cap;
    char *tmp;                  /* decoded attribute values, hrefs */
    apr_size_t tmp_cap;

    /* namespaces and names */
    apr_hash_t *ns_hash;
    apr_size_t ns_count;
    ns_ent *ns_recent[4];
    unsigned ns_next;
    const ns_ent *dav;
    const ns_ent *xml;
    const ns_ent *nons;         /* no namespace: "" */
    qname **qtab;
    apr_size_t qcap, qcount;
    qname *qhint[QHINTS];       /* by place in the response */
    apr_hash_t *slow_names;     /* non-ASCII names checked */

    /* the response being read */
    char *rb;
    apr_size_t rb_len, rb_cap;
    span *hrefs;
    apr_size_t nhrefs, hrefs_cap;
    in_prop *props;
    apr_size_t nprops, props_cap;
    in_ps *pss;
    apr_size_t npss, pss_cap;
    int r_status;
    span r_desc;
    int r_has_desc;
    const qname *r_err;
    span r_loc;
    int r_has_loc;
    apr_off_t r_start;
    apr_size_t prop_depth;      /* depth of the property being read */
    apr_size_t *need;           /* outer bindings a value element uses */
    apr_size_t nneed, need_cap;

    /* expat */
    XML_Parser xp;
    apr_size_t x_pending;       /* bindings declared for the next start */
};

/* ---------------------------------------------------------------- */
/* Small helpers                                                     */

static void *grow(void *p, apr_size_t *cap, apr_size_t need, apr_size_t size)
{
    apr_size_t c = *cap ? *cap : 16;

    if (need <= *cap)
        return p;
    while (c < need)
        c *= 2;
    p = realloc(p, c * size);
    if (!p)
        abort();                /* as apr_palloc does */
    *cap = c;
    return p;
}

#define GROW(ing, arr, n, cap, need)                                     \
    ((need) <= (ing)->cap ? (void)0                                       \
     : (void)((ing)->arr = grow((ing)->arr, &(ing)->cap, (need),          \
                                sizeof(*(ing)->arr))))

static apr_off_t at(const ms_ingest *ing, const char *p)
{
    return ing->base + (apr_off_t)(p - ing->win);
}

static APR_INLINE int is_ws(unsigned char c)
{
    return (cls[c] & C_WS) != 0;
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

/* One UTF-8 sequence at s (n bytes there): its length, 0 if invalid. */
static apr_size_t utf8_get(const unsigned char *s, apr_size_t n,
                           apr_uint32_t *cp)
{
    apr_uint32_t c = s[0];

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        if (n < 2 || (s[1] & 0xC0) != 0x80)
            return 0;
        *cp = ((c & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        *cp = ((c & 0x0F) << 12) | ((apr_uint32_t)(s[1] & 0x3F) << 6)
              | (s[2] & 0x3F);
        if (*cp < 0x800 || (*cp >= 0xD800 && *cp <= 0xDFFF))
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80
            || (s[3] & 0xC0) != 0x80)
            return 0;
        *cp = ((c & 0x07) << 18) | ((apr_uint32_t)(s[1] & 0x3F) << 12)
              | ((apr_uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        if (*cp < 0x10000 || *cp > 0x10FFFF)
            return 0;
        return 4;
    }
    return 0;
}

static APR_INLINE int xml_char(apr_uint32_t c)
{
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
        || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/* Producer bytes in a message: whatever is not printable ASCII or valid
 * UTF-8 becomes '?' (the message may end up in the body). */
static void sanitize(char *s)
{
    apr_size_t n = strlen(s), i = 0;

    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        apr_uint32_t cp;
        apr_size_t k;
        if (c >= 0x20 && c < 0x7F) {
            i++;
            continue;
        }
        k = c >= 0x80 ? utf8_get((const unsigned char *)s + i, n - i, &cp)
                      : 0;
        if (k && cp != 0xFFFE && cp != 0xFFFF) {
            i += k;
            continue;
        }
        s[i++] = '?';
    }
}

/* Refuse the body: the first failure wins. */
static apr_status_t fail(ms_ingest *ing, apr_off_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static apr_status_t fail(ms_ingest *ing, apr_off_t off, const char *fmt, ...)
{
    va_list ap;
    const char *msg;

    if (ing->status)
        return ing->status;
    va_start(ap, fmt);
    msg = apr_pvsprintf(ing->pool, fmt, ap);
    va_end(ap);
    sanitize((char *)msg);
    ing->status = MS_INGEST_EBODY;
    ing->err_off = off;
    ing->error = apr_psprintf(ing->pool, "%s at byte %" APR_OFF_T_FMT, msg,
                              off);
    return ing->status;
}

static void note(ms_ingest *ing, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note(ms_ingest *ing, const char *fmt, ...)
{
    va_list ap;

    if (!ing->notes++) {
        char *msg;
        va_start(ap, fmt);
        msg = apr_pvsprintf(ing->pool, fmt, ap);
        va_end(ap);
        sanitize(msg);
        ing->note = msg;
    }
}

/* Append to the response buffer. */
static char *rb_room(ms_ingest *ing, apr_size_t n)
{
    if (ing->rb_len + n > ing->max + 1024) {
        fail(ing, ing->r_start, "a response larger than %"
             APR_SIZE_T_FMT " bytes", ing->max);
        return NULL;
    }
    GROW(ing, rb, 0, rb_cap, ing->rb_len + n);
    return ing->rb + ing->rb_len;
}

static void rb_put(ms_ingest *ing, const char *s, apr_size_t n)
{
    char *p = rb_room(ing, n);

    if (p) {
        memcpy(p, s, n);
        ing->rb_len += n;
    }
}

/* ---------------------------------------------------------------- */
/* Characters and references                                         */

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
static const char *check_chars(const char *s, const char *e, int att,
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
        if (cls[c] & ok) {
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
            apr_size_t n = utf8_get((const unsigned char *)s,
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
static apr_size_t decode_to(char *d, const char *s, apr_size_t len, int att)
{
    const char *e = s + len;
    char *d0 = d;

    const unsigned char want = att ? 2 : 1;

    while (s < e) {
        const char *amp = s;
        while (amp < e && !(dec_cls[(unsigned char)*amp] & want))
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

static char *tmp_get(ms_ingest *ing, apr_size_t n)
{
    GROW(ing, tmp, 0, tmp_cap, n);
    return ing->tmp;
}

/* ---------------------------------------------------------------- */
/* Names                                                             */

/* Non-ASCII names: XML 1.0 fifth edition, and only what expat (so every
 * client) reads too; checked once per name. */
static int name_part_ok(ms_ingest *ing, const char *s, apr_size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    apr_size_t i;
    const char *copy;
    int ok;

    if (!len)
        return 0;
    for (i = 0; i < len; i++) {
        if (u[i] >= 0x80)
            break;
        if (!(cls[u[i]] & (i ? C_NAME : C_NSTART)))
            return 0;
    }
    if (i == len)
        return 1;
    if (apr_hash_get(ing->slow_names, s, (apr_ssize_t)len))
        return 1;
    copy = apr_pstrmemdup(ing->pool, s, len);
    ok = ms_xml_is_ncname(copy);
    if (ok && apr_hash_count(ing->slow_names) < 1024)
        apr_hash_set(ing->slow_names, copy, (apr_ssize_t)len, "");
    return ok;
}

/* A qualified name: one colon at most, not at either end, each part an
 * NCName.  *colon: the colon's index, 0 when none. */
static const char *qname_check(ms_ingest *ing, const char *s, apr_size_t len,
                               apr_size_t *colon)
{
    const char *c = memchr(s, ':', len);

    *colon = 0;
    if (c) {
        apr_size_t k = (apr_size_t)(c - s);
        if (k == 0 || k + 1 == len || memchr(c + 1, ':', len - k - 1))
            return "a name with a misplaced colon";
        if (!name_part_ok(ing, s, k) || !name_part_ok(ing, c + 1, len - k - 1))
            return "an invalid name";
        *colon = k;
        return NULL;
    }
    return name_part_ok(ing, s, len) ? NULL : "an invalid name";
}

/* ---------------------------------------------------------------- */
/* Namespaces and interned names                                     */

static const ns_ent *ns_intern(ms_ingest *ing, const char *uri,
                               apr_size_t len, apr_off_t off)
{
    ns_ent *ns;
    apr_size_t esc, i;
    char *p;

    /* the same few declarations come on every response */
    for (i = 0; i < NS_RECENT; i++) {
        ns = ing->ns_recent[i];
        if (ns && ns->len == len && memcmp(ns->uri, uri, len) == 0)
            return ns;
    }
    ns = apr_hash_get(ing->ns_hash, uri, (apr_ssize_t)len);
    if (ns) {
        ing->ns_recent[ing->ns_next++ % NS_RECENT] = ns;
        return ns;
    }
    if (ing->ns_count >= MAX_NS) {
        fail(ing, off, "more than %d distinct namespaces", MAX_NS);
        return NULL;
    }
    if (ms_xml_text_check(uri, len, 1, &esc)) {
        fail(ing, off, "a namespace URI holding a character XML does not "
             "allow");
        return NULL;
    }
    ns = apr_pcalloc(ing->pool, sizeof(*ns));
    ns->uri = apr_pstrmemdup(ing->pool, uri, len);
    ns->len = len;
    p = apr_palloc(ing->pool, esc + 1);
    *ms_xml_text_to(p, uri, len, 1) = '\0';
    ns->attr = p;
    ns->attr_len = esc;
    ns->dav = len == 4 && memcmp(uri, "DAV:", 4) == 0;
    apr_hash_set(ing->ns_hash, ns->uri, (apr_ssize_t)len, ns);
    ing->ns_count++;
    ing->ns_recent[ing->ns_next++ % NS_RECENT] = ns;
    return ns;
}

static apr_uint32_t qhash(const ns_ent *ns, const char *s, apr_size_t len)
{
    apr_uint32_t h = 2166136261u ^ (apr_uint32_t)((apr_uintptr_t)ns >> 4);
    apr_size_t i;

    for (i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* The interned {ns}name (open addressing; names repeat on every
 * response). */
static const qname *q_intern(ms_ingest *ing, const ns_ent *ns,
                             const char *s, apr_size_t len, apr_off_t off)
{
    apr_uint32_t h;
    apr_size_t mask, i;
    qname *q;
    /* a producer lists properties in the same order on every response:
     * the name at this place last time is likely the one */
    qname **hint = &ing->qhint[ing->nprops % QHINTS];

    if (*hint && (*hint)->ns == ns && (*hint)->len == len
        && memcmp((*hint)->name, s, len) == 0)
        return *hint;
    h = qhash(ns, s, len);

    if (!ing->qcap) {
        ing->qcap = 64;
        ing->qtab = calloc(ing->qcap, sizeof(*ing->qtab));
        if (!ing->qtab)
            abort();
    }
    mask = ing->qcap - 1;
    for (i = h & mask; (q = ing->qtab[i]) != NULL; i = (i + 1) & mask) {
        if (q->hash == h && q->ns == ns && q->len == len
            && memcmp(q->name, s, len) == 0)
            return *hint = q;
    }
    if (ing->qcount >= MAX_QNAMES) {
        fail(ing, off, "more than %d distinct property names", MAX_QNAMES);
        return NULL;
    }
    q = apr_palloc(ing->pool, sizeof(*q));
    q->ns = ns;
    q->name = apr_pstrmemdup(ing->pool, s, len);
    q->len = len;
    q->hash = h;
    ing->qtab[i] = q;
    *hint = q;
    if (++ing->qcount * 2 > ing->qcap) {
        qname **old = ing->qtab;
        apr_size_t ocap = ing->qcap, j;
        ing->qcap *= 2;
        ing->qtab = calloc(ing->qcap, sizeof(*ing->qtab));
        if (!ing->qtab)
            abort();
        mask = ing->qcap - 1;
        for (j = 0; j < ocap; j++) {
            if (old[j]) {
                for (i = old[j]->hash & mask; ing->qtab[i]; i = (i + 1) & mask)
                    ;
                ing->qtab[i] = old[j];
            }
        }
        free(old);
    }
    return q;
}

static apr_size_t names_put(ms_ingest *ing, const char *s, apr_size_t len)
{
    apr_size_t off = ing->names_len;

    GROW(ing, names, 0, names_cap, off + len + 1);
    memcpy(ing->names + off, s, len);
    ing->names_len = off + len;
    return off;
}

/* The binding of @a prefix (plen 0: the default namespace), innermost
 * first; its index, or -1. */
static APR_INLINE long bind_find(const ms_ingest *ing, const char *prefix,
                                 apr_size_t plen)
{
    apr_size_t i = ing->nbinds;

    while (i--) {
        const binding *b = &ing->binds[i];
        if (b->plen == plen
            && (!plen || memcmp(ing->names + b->poff, prefix, plen) == 0))
            return (long)i;
    }
    return -1;
}

static void bind_push(ms_ingest *ing, const char *prefix, apr_size_t plen,
                      const ns_ent *ns)
{
    binding *b;

    GROW(ing, binds, 0, binds_cap, ing->nbinds + 1);
    b = &ing->binds[ing->nbinds++];
    b->poff = names_put(ing, prefix, plen);
    b->plen = plen;
    b->ns = ns;
    b->depth = ing->depth + 1;
}

/* ---------------------------------------------------------------- */
/* The multistatus grammar                                           */

static APR_INLINE int dav_is(const ev_start *ev, const char *name,
                             apr_size_t len)
{
    return ev->ns && ev->ns->dav && ev->llen == len
        && memcmp(ev->local, name, len) == 0;
}

static void response_reset(ms_ingest *ing)
{
    ing->rb_len = 0;
    ing->nhrefs = ing->nprops = ing->npss = 0;
    ing->r_status = 0;
    ing->r_has_desc = ing->r_has_loc = 0;
    ing->r_err = NULL;
}

/* A status line: its code ("HTTP/1.1 424 (status)" is 424), or -1. */
static int parse_status(const char *s, apr_size_t len)
{
    const char *e = s + len;
    int code;

    while (s < e && is_ws((unsigned char)*s))
        s++;
    if (e - s < 5 || memcmp(s, "HTTP/", 5) != 0)
        return -1;
    s += 5;
    if (s >= e || !(*s >= '0' && *s <= '9'))
        return -1;
    while (s < e && ((*s >= '0' && *s <= '9') || *s == '.'))
        s++;
    if (s >= e || (*s != ' ' && *s != '\t'))
        return -1;
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    if (e - s < 3 || !apr_isdigit(s[0]) || !apr_isdigit(s[1])
        || !apr_isdigit(s[2]) || (e - s > 3 && !is_ws((unsigned char)s[3])))
        return -1;
    code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
    return code;
}

/* The path part of an href: a path as is, an http(s) URI without its
 * scheme and authority.  NULL when it is neither. */
static const char *href_path(const char *s, apr_size_t *len)
{
    const char *e = s + *len, *c = s;

    while (c < e && (apr_isalnum(*c) || *c == '+' || *c == '-' || *c == '.'))
        c++;
    if (c < e && *c == ':' && c > s && apr_isalpha(*s)) {
        apr_size_t n = (apr_size_t)(c - s);
        if (!((n == 4 && strncasecmp(s, "http", 4) == 0)
              || (n == 5 && strncasecmp(s, "https", 5) == 0))
            || e - c < 3 || c[1] != '/' || c[2] != '/')
            return NULL;
        s = c + 1;
    }
    if (e - s >= 2 && s[0] == '/' && s[1] == '/') {
        s += 2;
        while (s < e && *s != '/' && *s != '?' && *s != '#')
            s++;
        if (s == e || *s != '/') {
            /* no path: the root ("http://h" or "http://h?q") */
            *len = (apr_size_t)(e - s);
            return s == e ? "/" : s;   /* "?q" is fixed by the caller */
        }
    }
    *len = (apr_size_t)(e - s);
    return s;
}

static APR_INLINE int hexv(int c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* Bytes of a query kept as they are (RFC 3986 query chars but '%'). */
static int query_ok(unsigned char c)
{
    return apr_isalnum(c) || (c && strchr("-._~!$&'()*+,;=:@/?", c));
}

/* The producer's href (text, decoded from XML) in the module's one form:
 * %XX only where a path must have it, in upper case; an encoded '/' stays
 * encoded; a collection ends in '/'.  NUL-terminated in ing->tmp.  NULL if
 * unusable (*why). */
static const char *href_norm(ms_ingest *ing, const char *h, apr_size_t len,
                             int collection, const char **why)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *e, *q, *p;
    apr_size_t plen, qlen, n;
    char *out, *o, *dec;

    while (len && is_ws((unsigned char)*h))
        h++, len--;
    while (len && is_ws((unsigned char)h[len - 1]))
        len--;
    if (!len) {
        *why = "an empty href";
        return NULL;
    }
    p = href_path(h, &len);
    if (!p) {
        *why = "an href that is neither a path nor an http(s) URI";
        return NULL;
    }
    if (*p == '?') {            /* "http://host?q": the root's query */
        q = p;
        qlen = len;
        plen = 0;
        p = "/";
        plen = 1;
    }
    else {
        e = p + len;
        q = memchr(p, '?', len);
        plen = q ? (apr_size_t)(q - p) : len;
        qlen = q ? (apr_size_t)(e - q) : 0;
    }
    /* worst case: every byte of the path becomes %XX, plus '/', the
     * query's bytes %XX, NUL; the decoded path needs plen more */
    out = tmp_get(ing, 3 * plen + 1 + 3 * qlen + 1 + plen + 1);
    dec = out + 3 * plen + 1 + 3 * qlen + 1;
    o = out;
    e = p + plen;
    while (p < e) {
        /* a piece up to an encoded '/' is decoded, then encoded again */
        char *d = dec;
        while (p < e) {
            if (*p == '%' && e - p >= 3 && apr_isxdigit(p[1])
                && apr_isxdigit(p[2])) {
                int c = hexv(p[1]) * 16 + hexv(p[2]);
                if (c == '/')
                    break;
                *d++ = (char)c;
                p += 3;
            }
            else {
                *d++ = *p++;
            }
        }
        o = ms_href_path_to(o, dec, (apr_size_t)(d - dec));
        if (p < e) {
            memcpy(o, "%2F", 3);
            o += 3;
            p += 3;
        }
    }
    if (collection && (o == out || o[-1] != '/'))
        *o++ = '/';
    for (n = 0; n < qlen; n++) {
        unsigned char c = (unsigned char)q[n];
        if (c == '%' && n + 2 < qlen && apr_isxdigit(q[n + 1])
            && apr_isxdigit(q[n + 2])) {
            *o++ = '%';
            *o++ = (char)apr_toupper(q[n + 1]);
            *o++ = (char)apr_toupper(q[n + 2]);
            n += 2;
        }
        else if (query_ok(c)) {
            *o++ = (char)c;
        }
        else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}

/* A model call failed: stop, saying what it was about. */
static apr_status_t model_failed(ms_ingest *ing, apr_status_t rv,
                                 const char *what)
{
    if (rv == MS_EABORTED || rv == MS_EFINISHED) {
        if (!ing->status)
            ing->status = rv;
        return rv;
    }
    return fail(ing, ing->r_start, "the DAV:response starting here was "
                "refused by the renderer (%s)", what);
}

/* A property with its value as checked XML: the model's checks run (name,
 * status, form), the fragment check is skipped because every byte of the
 * value was checked here. */
static apr_status_t prop_put(ms_response *resp, const qname *q, int status,
                             const char *val, apr_size_t len)
{
    apr_status_t rv = ms_doc_prop_add(resp, q->ns->uri, q->name, status,
                                      MS_VALUE_NONE, NULL);
    ms_prop *p;

    if (rv != APR_SUCCESS || !len)
        return rv;
    p = ms_model_propstat_get(resp, status)->last;
    p->kind = MS_VALUE_XML;
    p->value = ms_model_strdup(resp, val, len);
    p->value_len = len;
    return APR_SUCCESS;
}

/* Register one href of the response just read.  */
static apr_status_t replay_one(ms_ingest *ing, const span *hs, int collection)
{
    ms_response *resp;
    const char *href, *why = NULL;
    apr_status_t rv;
    apr_size_t i, j;
    const char *rb = ing->rb;

    href = href_norm(ing, rb + hs->off, hs->len, collection, &why);
    if (!href)
        return fail(ing, ing->r_start, "%s ('%.*s') in the DAV:response "
                    "starting here", why, (int)(hs->len > 200 ? 200 : hs->len),
                    rb + hs->off);
    rv = ms_doc_open(ing->doc, href, 1, &resp);
    if (rv == MS_ELIMIT) {
        ing->skip = 1;
        return APR_SUCCESS;
    }
    if (rv != APR_SUCCESS)
        return model_failed(ing, rv, apr_psprintf(ing->pool, "href '%.200s'",
                                                  href));
    if (ing->r_status) {
        rv = ms_doc_set_status(resp, ing->r_status);
        if (rv == APR_SUCCESS && ing->r_has_loc) {
            if (ing->r_status >= 300 && ing->r_status <= 399) {
                apr_size_t ll = ing->r_loc.len;
                const char *lp = href_path(rb + ing->r_loc.off, &ll);
                const char *qm = lp ? memchr(lp, '?', ll) : NULL;
                char *dec;
                if (qm) {
                    note(ing, "the query of a DAV:location was dropped");
                    ll = (apr_size_t)(qm - lp);
                }
                dec = lp && ll ? apr_palloc(ing->pool, ll + 1) : NULL;
                if (dec && ms_href_decode(dec, lp, ll) == 0 && *dec)
                    rv = ms_doc_set_location(resp, dec);
                else
                    note(ing, "a DAV:location that is not a path was "
                         "dropped");
            }
            else {
                note(ing, "a DAV:location without a 3xx status was "
                     "dropped");
            }
        }
    }
    for (i = 0; rv == APR_SUCCESS && i < ing->npss; i++) {
        const in_ps *ps = &ing->pss[i];
        for (j = 0; rv == APR_SUCCESS && j < ing->nprops; j++) {
            const in_prop *pr = &ing->props[j];
            if (pr->ps != i)
                continue;
            rv = prop_put(resp, pr->q, ps->status, rb + pr->val.off,
                          pr->val.len);
            if (rv == APR_SUCCESS && pr->has_lang && pr->lang.len) {
                char lang[72];
                apr_size_t ln = pr->lang.len < 71 ? pr->lang.len : 71;
                memcpy(lang, rb + pr->lang.off, ln);
                lang[ln] = '\0';
                if (ms_xml_is_lang(lang) && ln == pr->lang.len)
                    rv = ms_doc_prop_set_lang(resp, pr->q->ns->uri,
                                              pr->q->name, lang);
                else
                    note(ing, "xml:lang '%.40s' is not a language tag: "
                         "dropped", lang);
            }
        }
        if (rv == APR_SUCCESS && !ps->nprops)
            ms_model_propstat_get(resp, ps->status)->keep = 1;
        if (rv == APR_SUCCESS && ps->has_desc)
            rv = ms_doc_propstat_set_description(resp, ps->status,
                                                 rb + ps->desc.off);
        if (rv == APR_SUCCESS && ps->err)
            rv = ms_doc_propstat_set_error(resp, ps->status, ps->err->ns->uri,
                                           ps->err->name);
    }
    if (rv == APR_SUCCESS && ing->r_err)
        rv = ms_doc_set_error(resp, ing->r_err->ns->uri, ing->r_err->name);
    if (rv == APR_SUCCESS && ing->r_has_desc)
        rv = ms_doc_set_description(resp, rb + ing->r_desc.off);
    if (rv != APR_SUCCESS) {
        if (rv != MS_EABORTED && rv != MS_EFINISHED)
            ms_doc_drop(resp);
        return model_failed(ing, rv, apr_psprintf(ing->pool, "href "
                                                  "'%.200s'", href));
    }
    rv = ms_doc_close(resp);
    if (rv != APR_SUCCESS)
        return model_failed(ing, rv, "close");
    ing->count++;
    return APR_SUCCESS;
}

/* The end of a DAV:response: check its form, register it. */
static apr_status_t replay(ms_ingest *ing)
{
    apr_size_t i;
    int collection = 0;

    if (!ing->nhrefs)
        return fail(ing, ing->r_start, "a DAV:response without DAV:href");
    if (ing->r_status && ing->npss)
        return fail(ing, ing->r_start, "a DAV:response with both "
                    "DAV:status and DAV:propstat");
    if (!ing->r_status && !ing->npss)
        return fail(ing, ing->r_start, "a DAV:response with neither "
                    "DAV:status nor DAV:propstat");
    if (ing->npss && ing->nhrefs > 1)
        return fail(ing, ing->r_start, "a DAV:response with DAV:propstat "
                    "and more than one DAV:href");
    if (ing->skip)
        return APR_SUCCESS;
    for (i = 0; i < ing->nprops; i++) {
        const in_prop *pr = &ing->props[i];
        int st = ing->pss[pr->ps].status;
        if (pr->collection && st >= 200 && st <= 299)
            collection = 1;
    }
    for (i = 0; i < ing->nhrefs && !ing->skip; i++) {
        apr_status_t rv = replay_one(ing, &ing->hrefs[i], collection);
        if (rv)
            return rv;
    }
    return APR_SUCCESS;
}

/* A value element uses binding @a bi: when it was declared outside the
 * value, the top-level element of the value must declare it again (the
 * writer's DAV: is D:, so D: for DAV: needs nothing). */
static void need_binding(ms_ingest *ing, apr_size_t bi)
{
    const binding *b = &ing->binds[bi];
    apr_size_t i;

    if (b->depth > ing->prop_depth || !b->ns)
        return;
    if (b->plen == 1 && ing->names[b->poff] == 'D' && b->ns->dav)
        return;
    for (i = 0; i < ing->nneed; i++) {
        if (ing->need[i] == bi)
            return;
    }
    GROW(ing, need, 0, need_cap, ing->nneed + 1);
    ing->need[ing->nneed++] = bi;
}

/* The end of a top-level value element: insert the declarations it needs
 * after its name. */
static void need_insert(ms_ingest *ing, apr_size_t where)
{
    apr_size_t i, n = 0;
    char *p;

    for (i = 0; i < ing->nneed; i++) {
        const binding *b = &ing->binds[ing->need[i]];
        n += 6 + (b->plen ? 1 + b->plen : 0) + 2 + b->ns->attr_len + 1;
    }
    if (!n || !rb_room(ing, n))
        return;
    p = ing->rb + where;
    memmove(p + n, p, ing->rb_len - where);
    for (i = 0; i < ing->nneed; i++) {
        const binding *b = &ing->binds[ing->need[i]];
        memcpy(p, " xmlns", 6);
        p += 6;
        if (b->plen) {
            *p++ = ':';
            memcpy(p, ing->names + b->poff, b->plen);
            p += b->plen;
        }
        *p++ = '=';
        *p++ = '"';
        memcpy(p, b->ns->attr, b->ns->attr_len);
        p += b->ns->attr_len;
        *p++ = '"';
    }
    ing->rb_len += n;
    ing->nneed = 0;
}

/* Escaped text into the response buffer (expat's decoded text). */
static void rb_escaped(ms_ingest *ing, const char *s, apr_size_t len, int att)
{
    apr_size_t esc;
    char *p;

    if (ms_xml_text_check(s, len, att, &esc))
        return;                 /* expat passes only XML characters */
    p = rb_room(ing, esc);
    if (p) {
        ms_xml_text_to(p, s, len, att);
        ing->rb_len += esc;
    }
}

/* "prefix:local" of an expat triplet name. */
static void x_qname(ms_ingest *ing, const XML_Char *name)
{
    const char *s1 = strchr(name, EXPAT_SEP), *s2;

    if (!s1) {
        rb_put(ing, name, strlen(name));
        return;
    }
    s2 = strchr(s1 + 1, EXPAT_SEP);
    if (s2) {
        rb_put(ing, s2 + 1, strlen(s2 + 1));
        rb_put(ing, ":", 1);
        rb_put(ing, s1 + 1, (apr_size_t)(s2 - s1 - 1));
    }
    else {
        rb_put(ing, s1 + 1, strlen(s1 + 1));
    }
}

/* A start tag inside a value: as written (tokenizer) or serialized back
 * (expat); returns where declarations would be inserted. */
static apr_size_t value_tag(ms_ingest *ing, const ev_start *ev, elem *e)
{
    apr_size_t i, where;

    for (i = 0; i < ing->nused; i++)
        need_binding(ing, ing->used[i]);
    if (ev->raw) {
        where = ing->rb_len + ev->name_end;
        rb_put(ing, ev->raw, ev->raw_len);
        return where;
    }
    rb_put(ing, "<", 1);
    rb_put(ing, ing->names + e->name_off, e->name_len);
    where = ing->rb_len;
    for (i = e->nbinds; i < ing->nbinds; i++) {
        const binding *b = &ing->binds[i];
        rb_put(ing, " xmlns", 6);
        if (b->plen) {
            rb_put(ing, ":", 1);
            rb_put(ing, ing->names + b->poff, b->plen);
        }
        rb_put(ing, "=\"", 2);
        if (b->ns)
            rb_put(ing, b->ns->attr, b->ns->attr_len);
        rb_put(ing, "\"", 1);
    }
    for (i = 0; ev->atts && ev->atts[i]; i += 2) {
        rb_put(ing, " ", 1);
        x_qname(ing, ev->atts[i]);
        rb_put(ing, "=\"", 2);
        rb_escaped(ing, ev->atts[i + 1], strlen(ev->atts[i + 1]), 1);
        rb_put(ing, "\"", 1);
    }
    rb_put(ing, ">", 1);
    return where;
}

/* A start tag: what it is in a multistatus. */
static apr_status_t g_start(ms_ingest *ing, const ev_start *ev, apr_off_t off)
{
    elem *e = &ing->stack[ing->depth - 1];
    int parent = ing->depth > 1 ? ing->stack[ing->depth - 2].kind : K_NONE;
    int k = K_SKIP;

    switch (parent) {
    case K_NONE:
        if (!dav_is(ev, "multistatus", 11))
            return fail(ing, off, "not a DAV:multistatus (the root element "
                        "is {%s}%.*s)", ev->ns ? ev->ns->uri : "",
                        (int)ev->llen, ev->local);
        k = K_MS;
        break;
    case K_MS:
        if (dav_is(ev, "response", 8)) {
            k = K_RESP;
            response_reset(ing);
            ing->r_start = off;
        }
        else if (dav_is(ev, "responsedescription", 19)) {
            k = K_MSDESC;
            ing->rb_len = 0;
            ing->r_start = off;
        }
        else {
            note(ing, "{%s}%.*s in DAV:multistatus was left out",
                 ev->ns ? ev->ns->uri : "", (int)ev->llen, ev->local);
        }
        break;
    case K_RESP:
        if (dav_is(ev, "href", 4))
            k = K_HREF;
        else if (dav_is(ev, "status", 6)) {
            if (ing->r_status)
                return fail(ing, off, "a second DAV:status in a "
                            "DAV:response");
            k = K_STATUS;
        }
        else if (dav_is(ev, "propstat", 8)) {
            in_ps *ps;
            GROW(ing, pss, 0, pss_cap, ing->npss + 1);
            ps = &ing->pss[ing->npss++];
            memset(ps, 0, sizeof(*ps));
            k = K_PS;
        }
        else if (dav_is(ev, "error", 5))
            k = K_RERR;
        else if (dav_is(ev, "responsedescription", 19))
            k = K_RDESC;
        else if (dav_is(ev, "location", 8))
            k = K_LOC;
        else
            note(ing, "{%s}%.*s in DAV:response was left out",
                 ev->ns ? ev->ns->uri : "", (int)ev->llen, ev->local);
        break;
    case K_PS:
        if (dav_is(ev, "prop", 4))
            k = K_PROP;
        else if (dav_is(ev, "status", 6)) {
            if (ing->pss[ing->npss - 1].status)
                return fail(ing, off, "a second DAV:status in a "
                            "DAV:propstat");
            k = K_PSSTATUS;
        }
        else if (dav_is(ev, "error", 5))
            k = K_PSERR;
        else if (dav_is(ev, "responsedescription", 19))
            k = K_PSDESC;
        else
            note(ing, "{%s}%.*s in DAV:propstat was left out",
                 ev->ns ? ev->ns->uri : "", (int)ev->llen, ev->local);
        break;
    case K_PROP:
        {
            in_prop *pr;
            const qname *q = q_intern(ing, ev->ns ? ev->ns : ing->nons,
                                      ev->local, ev->llen, off);
            if (!q)
                return ing->status;
            GROW(ing, props, 0, props_cap, ing->nprops + 1);
            pr = &ing->props[ing->nprops++];
            memset(pr, 0, sizeof(*pr));
            pr->q = q;
            pr->ps = ing->npss - 1;
            ing->pss[pr->ps].nprops++;
            if (e->has_lang) {
                pr->has_lang = 1;
                pr->lang.off = ing->rb_len;
                pr->lang.len = e->lang_len;
                rb_put(ing, ing->names + e->lang_off, e->lang_len);
            }
            if (ev->other_attrs)
                note(ing, "attributes of property %.*s were left out",
                     (int)ev->llen, ev->local);
            k = K_PROPERTY;
            e->cap_off = ing->rb_len;
            ing->prop_depth = ing->depth;
            ing->nneed = 0;
        }
        break;
    case K_PROPERTY:
    case K_VAL:
        k = K_VAL;
        e->cap_off = value_tag(ing, ev, e);
        if (parent == K_PROPERTY) {
            in_prop *pr = &ing->props[ing->nprops - 1];
            if (pr->q->ns->dav && pr->q->len == 12
                && memcmp(pr->q->name, "resourcetype", 12) == 0
                && dav_is(ev, "collection", 10))
                pr->collection = 1;
        }
        break;
    case K_RERR:
    case K_PSERR:
        k = K_ERRCODE;
        if (!ev->ns) {
            note(ing, "an error code without namespace was left out");
            break;
        }
        {
            const qname *q = q_intern(ing, ev->ns, ev->local, ev->llen, off);
            const qname **slot = parent == K_RERR ? &ing->r_err
                                 : &ing->pss[ing->npss - 1].err;
            if (!q)
                return ing->status;
            if (*slot)
                note(ing, "error codes after the first were left out");
            else
                *slot = q;
        }
        break;
    case K_ERRCODE:
        note(ing, "the content of an error code was left out");
        break;
    case K_LOC:
        if (dav_is(ev, "href", 4))
            k = K_LOCHREF;
        break;
    case K_HREF: case K_STATUS: case K_RDESC: case K_MSDESC:
    case K_LOCHREF: case K_PSSTATUS: case K_PSDESC:
        return fail(ing, off, "an element inside a text-only DAV: element");
    default:
        break;
    }
    e->kind = (unsigned char)k;
    if (k == K_HREF || k == K_STATUS || k == K_RDESC || k == K_MSDESC
        || k == K_LOCHREF || k == K_PSSTATUS || k == K_PSDESC)
        e->cap_off = ing->rb_len;
    return ing->status;
}

/* The end of an element (the tag as written, or NULL: expat, or the end
 * of an empty-element tag when @a empty). */
static apr_status_t g_end(ms_ingest *ing, const char *raw, apr_size_t len,
                          int empty, apr_off_t off)
{
    elem *e = &ing->stack[ing->depth - 1];
    span s;
    char *txt;

    switch (e->kind) {
    case K_VAL:
        if (raw)
            rb_put(ing, raw, len);
        else if (!empty) {
            rb_put(ing, "</", 2);
            rb_put(ing, ing->names + e->name_off, e->name_len);
            rb_put(ing, ">", 1);
        }
        if (ing->depth == ing->prop_depth + 1 && ing->nneed)
            need_insert(ing, e->cap_off);
        return ing->status;
    case K_PROPERTY:
        ing->props[ing->nprops - 1].val.off = e->cap_off;
        ing->props[ing->nprops - 1].val.len = ing->rb_len - e->cap_off;
        return ing->status;
    case K_RESP:
        return replay(ing);
    case K_PS:
        if (!ing->pss[ing->npss - 1].status)
            return fail(ing, off, "a DAV:propstat without DAV:status");
        return APR_SUCCESS;
    case K_HREF: case K_STATUS: case K_RDESC: case K_MSDESC:
    case K_LOCHREF: case K_PSSTATUS: case K_PSDESC:
        break;
    default:
        return APR_SUCCESS;
    }
    /* the text-only elements */
    s.off = e->cap_off;
    s.len = ing->rb_len - e->cap_off;
    rb_put(ing, "", 1);             /* NUL: the model takes C strings */
    if (ing->status)
        return ing->status;
    txt = ing->rb + s.off;
    if (memchr(txt, '\0', s.len))   /* cannot come from XML; be sure */
        return fail(ing, off, "a NUL character in text");
    switch (e->kind) {
    case K_HREF:
        GROW(ing, hrefs, 0, hrefs_cap, ing->nhrefs + 1);
        ing->hrefs[ing->nhrefs++] = s;
        break;
    case K_LOCHREF:
        ing->r_loc = s;
        ing->r_has_loc = 1;
        break;
    case K_STATUS:
    case K_PSSTATUS: {
        int code = parse_status(txt, s.len);
        if (code < 200 || code > 599)
            return fail(ing, off, "a DAV:status that is not a status line "
                        "with a code in 200..599 ('%.60s')", txt);
        if (e->kind == K_STATUS)
            ing->r_status = code;
        else
            ing->pss[ing->npss - 1].status = code;
        break;
    }
    case K_RDESC:
        ing->r_desc = s;
        ing->r_has_desc = 1;
        break;
    case K_PSDESC:
        ing->pss[ing->npss - 1].desc = s;
        ing->pss[ing->npss - 1].has_desc = 1;
        break;
    case K_MSDESC: {
        apr_status_t rv = ms_doc_set_ms_description(ing->doc, txt);
        ing->rb_len = 0;
        if (rv)
            return model_failed(ing, rv, "the multistatus description");
        break;
    }
    default:
        break;
    }
    return APR_SUCCESS;
}

/* Text: raw XML (tokenizer) or decoded (expat). */
static APR_INLINE void g_text(ms_ingest *ing, const char *s, apr_size_t len,
                              int raw)
{
    int k = ing->depth ? ing->stack[ing->depth - 1].kind : K_NONE;

    switch (k) {
    case K_PROPERTY:
    case K_VAL:
        if (raw)
            rb_put(ing, s, len);
        else
            rb_escaped(ing, s, len, 0);
        break;
    case K_HREF: case K_STATUS: case K_RDESC: case K_MSDESC:
    case K_LOCHREF: case K_PSSTATUS: case K_PSDESC:
        if (!raw)
            rb_put(ing, s, len);
        else {
            char *p = rb_room(ing, len);
            if (p)
                ing->rb_len += decode_to(p, s, len, 0);
        }
        break;
    default:
        break;
    }
}

/* A comment or PI (as written, tokenizer only): kept inside values. */
static APR_INLINE void g_markup(ms_ingest *ing, const char *s, apr_size_t len)
{
    int k = ing->depth ? ing->stack[ing->depth - 1].kind : K_NONE;

    if (k == K_PROPERTY || k == K_VAL)
        rb_put(ing, s, len);
}

/* A CDATA section (tokenizer): as written in values, its text in the
 * text-only elements. */
static void g_cdata(ms_ingest *ing, const char *raw, apr_size_t raw_len,
                    const char *s, apr_size_t len)
{
    int k = ing->depth ? ing->stack[ing->depth - 1].kind : K_NONE;

    if (k == K_PROPERTY || k == K_VAL)
        rb_put(ing, raw, raw_len);
    else
        g_text(ing, s, len, 0);
}

/* ---------------------------------------------------------------- */
/* Elements and bindings, for both event sources                     */

static elem *elem_push(ms_ingest *ing, const char *qn, apr_size_t qlen,
                       apr_size_t nbinds_before, apr_size_t names_before,
                       apr_off_t off)
{
    elem *e;

    if (ing->depth >= MAX_DEPTH) {
        fail(ing, off, "elements nested deeper than %d", MAX_DEPTH);
        return NULL;
    }
    GROW(ing, stack, 0, stack_cap, ing->depth + 1);
    e = &ing->stack[ing->depth];
    e->nbinds = nbinds_before;
    e->names_len = names_before;
    e->name_off = names_put(ing, qn, qlen);
    e->name_len = qlen;
    e->kind = K_NONE;
    e->cap_off = 0;
    if (ing->depth) {
        const elem *pe = &ing->stack[ing->depth - 1];
        e->has_lang = pe->has_lang;
        e->lang_off = pe->lang_off;
        e->lang_len = pe->lang_len;
    }
    else {
        e->has_lang = 0;
        e->lang_off = e->lang_len = 0;
    }
    ing->depth++;
    return e;
}

static void elem_pop(ms_ingest *ing)
{
    elem *e = &ing->stack[--ing->depth];

    ing->nbinds = e->nbinds;
    ing->names_len = e->names_len;
}

/* ---------------------------------------------------------------- */
/* The tokenizer                                                     */

/* A qualified name at s, checked as it is scanned: its end; *colon the
 * colon's index (0: none); *slow 1 when qname_check must look (a name
 * beyond ASCII, or one that is wrong: qname_check says why). */
static APR_INLINE const char *scan_qname(const char *s, const char *e,
                                         apr_size_t *colon, int *slow)
{
    const char *p = s;
    unsigned acc = 0, k;

    *colon = 0;
    while (p < e && ((k = cls[(unsigned char)*p]) & C_NAMEANY)) {
        if (k & C_COLON) {
            if (*colon || p == s)
                acc |= C_HI;
            *colon = (apr_size_t)(p - s);
        }
        acc |= k;
        p++;
    }
    if (p > s && !(cls[(unsigned char)*s] & C_NSTART))
        acc |= C_HI;
    if (*colon && (s + *colon + 1 >= p
                   || !(cls[(unsigned char)s[*colon + 1]] & C_NSTART)))
        acc |= C_HI;
    *slow = (acc & C_HI) != 0;
    return p;
}

/* A name at s: its end (stops at the first byte that cannot be in one). */
static APR_INLINE const char *name_end(const char *s, const char *e)
{
    while (s < e && (cls[(unsigned char)*s] & C_NAMEANY))
        s++;
    return s;
}

static APR_INLINE const char *skip_ws(const char *s, const char *e)
{
    while (s < e && is_ws((unsigned char)*s))
        s++;
    return s;
}

/* Is the token at p the first of the window and already known not to end
 * before ing->hint bytes?  Where to start looking for its end. */
static APR_INLINE const char *scan_from(const ms_ingest *ing, const char *p,
                                        apr_size_t min)
{
    if (p == ing->win && ing->hint > min)
        return p + ing->hint;
    return p + min;
}

/* Tell the caller to wait for more: the token at p is incomplete and its
 * end was looked for up to e - back. */
static apr_size_t need_more(ms_ingest *ing, const char *p, const char *e,
                            apr_size_t back)
{
    apr_size_t have = (apr_size_t)(e - p);

    if (e < ing->mend) {
        /* the token was cut at max bytes and goes on: too long, however
         * the body was split */
        fail(ing, at(ing, p), "a markup token larger than %" APR_SIZE_T_FMT
             " bytes", ing->max);
        return 0;
    }

    ing->hint = have > back ? have - back : 0;
    return 0;
}

/* Process a complete start tag [p, gt] whose attributes are in
 * ing->attrs. */
static apr_status_t stag_done(ms_ingest *ing, const char *p, const char *nend,
                              const char *gt, int empty)
{
    apr_off_t off = at(ing, p);
    apr_size_t qlen = (apr_size_t)(nend - p - 1), colon, i, j;
    apr_size_t nbinds0 = ing->nbinds, names0 = ing->names_len;
    const char *why;
    ev_start ev;
    elem *e;
    long bi;

    colon = ing->st_colon;
    if (ing->st_slow) {
        why = qname_check(ing, p + 1, qlen, &colon);
        if (why)
            return fail(ing, off, "not well-formed (%s)", why);
    }
    /* namespace declarations first: they apply to the tag itself */
    for (i = 0; i < ing->nattrs; i++) {
        attr *a = &ing->attrs[i];
        const char *an = p + a->name, *av = p + a->val;
        const char *pre;
        apr_size_t plen, vlen;
        char *v;
        const ns_ent *ns = NULL;

        if (a->slow) {
            why = qname_check(ing, an, a->name_len, &a->colon);
            if (why)
                return fail(ing, at(ing, an), "not well-formed (%s)", why);
        }
        if (a->colon == 5 && memcmp(an, "xmlns", 5) == 0) {
            pre = an + 6;
            plen = a->name_len - 6;
        }
        else if (!a->colon && a->name_len == 5 && memcmp(an, "xmlns", 5) == 0) {
            pre = "";
            plen = 0;
        }
        else
            continue;
        a->xmlns = 1;
        for (vlen = 0; vlen < a->val_len; vlen++) {
            if (dec_cls[(unsigned char)av[vlen]] & 2)
                break;
        }
        if (vlen == a->val_len) {
            v = (char *)av;             /* nothing to decode: read only */
        }
        else {
            v = tmp_get(ing, a->val_len + 1);
            vlen = decode_to(v, av, a->val_len, 1);
        }
        if (plen == 3 && memcmp(pre, "xml", 3) == 0) {
            if (vlen != sizeof(XML_NS) - 1 || memcmp(v, XML_NS, vlen) != 0)
                return fail(ing, at(ing, an), "the prefix xml bound to "
                            "another namespace");
            continue;           /* always bound: nothing to push */
        }
        if (plen == 5 && memcmp(pre, "xmlns", 5) == 0)
            return fail(ing, at(ing, an), "the prefix xmlns declared");
        if ((vlen == sizeof(XML_NS) - 1 && memcmp(v, XML_NS, vlen) == 0)
            || (vlen == sizeof(XMLNS_NS) - 1
                && memcmp(v, XMLNS_NS, vlen) == 0))
            return fail(ing, at(ing, an), "a reserved namespace bound to "
                        "another prefix");
        if (vlen) {
            ns = ns_intern(ing, v, vlen, at(ing, an));
            if (!ns)
                return ing->status;
        }
        else if (plen) {
            return fail(ing, at(ing, an), "a prefix bound to the empty "
                        "namespace name");
        }
        bind_push(ing, pre, plen, ns);
    }
    /* the element's namespace */
    ev.raw = p;
    ev.raw_len = (apr_size_t)(gt - p) + 1;
    ev.name_end = qlen + 1;
    ev.atts = NULL;
    ev.other_attrs = 0;
    ing->nused = 0;
    if (colon) {
        if (colon == 3 && memcmp(p + 1, "xml", 3) == 0)
            ev.ns = ing->xml;
        else if (colon == 5 && memcmp(p + 1, "xmlns", 5) == 0)
            return fail(ing, off, "an element with the prefix xmlns");
        else {
            bi = bind_find(ing, p + 1, colon);
            if (bi < 0)
                return fail(ing, off, "an undeclared namespace prefix "
                            "'%.*s'", (int)colon, p + 1);
            ev.ns = ing->binds[bi].ns;
            GROW(ing, used, 0, used_cap, ing->nused + 1);
            ing->used[ing->nused++] = (apr_size_t)bi;
        }
        ev.local = p + 2 + colon;
        ev.llen = qlen - colon - 1;
    }
    else {
        bi = bind_find(ing, NULL, 0);
        ev.ns = bi >= 0 ? ing->binds[bi].ns : NULL;
        if (bi >= 0 && ev.ns) {
            GROW(ing, used, 0, used_cap, ing->nused + 1);
            ing->used[ing->nused++] = (apr_size_t)bi;
        }
        ev.local = p + 1;
        ev.llen = qlen;
    }
    /* the element, then its other attributes */
    e = elem_push(ing, p + 1, qlen, nbinds0, names0, off);
    if (!e)
        return ing->status;
    for (i = 0; i < ing->nattrs; i++) {
        attr *a = &ing->attrs[i];
        const char *an = p + a->name;

        a->ns = NULL;
        for (j = 0; j < i; j++) {
            if (ing->attrs[j].name_len == a->name_len
                && memcmp(p + ing->attrs[j].name, an, a->name_len) == 0)
                return fail(ing, at(ing, an), "not well-formed (duplicate "
                            "attribute)");
        }
        if (a->xmlns)
            continue;
        if (a->colon) {
            if (a->colon == 3 && memcmp(an, "xml", 3) == 0) {
                a->ns = ing->xml;
                if (a->name_len == 8 && memcmp(an + 4, "lang", 4) == 0) {
                    char *v = tmp_get(ing, a->val_len + 1);
                    apr_size_t vlen = decode_to(v, p + a->val, a->val_len, 1);
                    e->lang_off = names_put(ing, v, vlen);
                    e->lang_len = vlen;
                    e->has_lang = 1;
                    continue;
                }
            }
            else {
                bi = bind_find(ing, an, a->colon);
                if (bi < 0)
                    return fail(ing, at(ing, an), "an undeclared namespace "
                                "prefix '%.*s'", (int)a->colon, an);
                if (a->colon == 5 && memcmp(an, "xmlns", 5) == 0)
                    return fail(ing, at(ing, an), "an attribute with the "
                                "prefix xmlns");
                a->ns = ing->binds[bi].ns;
                GROW(ing, used, 0, used_cap, ing->nused + 1);
                ing->used[ing->nused++] = (apr_size_t)bi;
            }
            /* two prefixes for one namespace: the same attribute */
            for (j = 0; j < i; j++) {
                const attr *b = &ing->attrs[j];
                if (b->ns == a->ns && !b->xmlns
                    && b->name_len - b->colon == a->name_len - a->colon
                    && memcmp(p + b->name + b->colon, an + a->colon,
                              a->name_len - a->colon) == 0)
                    return fail(ing, at(ing, an), "not well-formed "
                                "(duplicate attribute in one namespace)");
            }
        }
        ev.other_attrs = 1;
    }
    if (g_start(ing, &ev, off))
        return ing->status;
    if (empty) {
        if (g_end(ing, NULL, 0, 1, off))
            return ing->status;
        elem_pop(ing);
        if (!ing->depth)
            ing->state = ST_EPILOG;
    }
    return APR_SUCCESS;
}

/* A start tag at p.  Returns its length, 0 to wait for more (or on
 * failure, with ing->status set).  Resumable: when the tag waits in the
 * carry, what was read of it (the name, whole attributes, how far the
 * closing quote of the last one was looked for) is kept, so that a long
 * tag arriving in small pieces is read once. */
static apr_size_t tok_stag(ms_ingest *ing, const char *p, const char *e)
{
    const char *s, *n;

    if (ing->state == ST_EPILOG) {
        fail(ing, at(ing, p), "not well-formed (junk after the document "
             "element)");
        return 0;
    }
    if (p == ing->win && ing->st_nend) {
        n = p + ing->st_nend;
        s = p + ing->st_pos;
        ing->nattrs = ing->st_nattrs;
    }
    else {
        n = scan_qname(p + 1, e, &ing->st_colon, &ing->st_slow);
        if (n == e)
            return need_more(ing, p, e, 0);
        if (n == p + 1) {
            fail(ing, at(ing, p), "not well-formed (invalid token)");
            return 0;
        }
        s = n;
        ing->nattrs = 0;
        ing->st_qscan = 0;
    }
    for (;;) {
        const char *ws = s, *an, *ae, *q, *from;
        apr_size_t colon;
        int slow;
        attr *a;

        /* a resumed tag stops here too: remember where this attribute
         * (or the end of the tag) starts */
        ing->st_nend = (apr_size_t)(n - p);
        ing->st_pos = (apr_size_t)(s - p);
        ing->st_nattrs = ing->nattrs;
        s = skip_ws(s, e);
        if (s >= e)
            return need_more(ing, p, e, 0);
        if (*s == '>') {
            ing->st_nend = 0;
            if (stag_done(ing, p, n, s, 0))
                return 0;
            return (apr_size_t)(s + 1 - p);
        }
        if (*s == '/') {
            if (s + 1 >= e)
                return need_more(ing, p, e, 0);
            if (s[1] != '>')
                break;
            ing->st_nend = 0;
            if (stag_done(ing, p, n, s + 1, 1))
                return 0;
            return (apr_size_t)(s + 2 - p);
        }
        if (s == ws)
            break;              /* attributes need white space before */
        an = s;
        ae = scan_qname(s, e, &colon, &slow);
        if (ae == e)
            return need_more(ing, p, e, 0);
        if (ae == an)
            break;
        s = skip_ws(ae, e);
        if (s >= e)
            return need_more(ing, p, e, 0);
        if (*s != '=')
            break;
        s = skip_ws(s + 1, e);
        if (s >= e)
            return need_more(ing, p, e, 0);
        if (*s != '"' && *s != '\'')
            break;
        from = s + 1;
        if (ing->st_qscan > (apr_size_t)(from - p))
            from = p + ing->st_qscan;
        q = memchr(from, *s, (apr_size_t)(e - from));
        if (!q) {
            ing->st_qscan = (apr_size_t)(e - p);
            return need_more(ing, p, e, 0);
        }
        ing->st_qscan = 0;
        {
            const char *why = NULL, *bad = check_chars(s + 1, q, 1, &why);
            if (bad) {
                fail(ing, at(ing, bad), "not well-formed (%s)", why);
                return 0;
            }
        }
        if (ing->nattrs >= MAX_ATTRS) {
            fail(ing, at(ing, p), "more than %d attributes on one element",
                 MAX_ATTRS);
            return 0;
        }
        GROW(ing, attrs, 0, attrs_cap, ing->nattrs + 1);
        a = &ing->attrs[ing->nattrs++];
        a->name = (apr_size_t)(an - p);
        a->name_len = (apr_size_t)(ae - an);
        a->val = (apr_size_t)(s + 1 - p);
        a->val_len = (apr_size_t)(q - s - 1);
        a->xmlns = 0;
        a->colon = colon;
        a->slow = slow;
        s = q + 1;
    }
    ing->st_nend = 0;
    fail(ing, at(ing, s), "not well-formed (a malformed start tag)");
    return 0;
}

static apr_size_t tok_etag(ms_ingest *ing, const char *p, const char *e)
{
    const char *s, *n, *gt;
    const elem *top;

    /* nearly always: the name of the open element, then '>' */
    if (ing->depth) {
        top = &ing->stack[ing->depth - 1];
        if ((apr_size_t)(e - p) > top->name_len + 2
            && p[2 + top->name_len] == '>'
            && memcmp(p + 2, ing->names + top->name_off, top->name_len) == 0) {
            gt = p + 2 + top->name_len;
            goto matched;
        }
    }
    s = scan_from(ing, p, 2);

    gt = memchr(s, '>', (apr_size_t)(e - s));
    if (!gt)
        return need_more(ing, p, e, 0);
    n = name_end(p + 2, gt);
    if (skip_ws(n, gt) != gt || n == p + 2) {
        fail(ing, at(ing, p), "not well-formed (a malformed end tag)");
        return 0;
    }
    if (!ing->depth) {
        fail(ing, at(ing, p), "not well-formed (an end tag outside the "
             "document element)");
        return 0;
    }
    top = &ing->stack[ing->depth - 1];
    if (top->name_len != (apr_size_t)(n - p - 2)
        || memcmp(ing->names + top->name_off, p + 2, top->name_len) != 0) {
        fail(ing, at(ing, p), "not well-formed (mismatched tag: </%.*s> "
             "closes <%.*s>)", (int)(n - p - 2 > 80 ? 80 : n - p - 2), p + 2,
             (int)(top->name_len > 80 ? 80 : top->name_len),
             ing->names + top->name_off);
        return 0;
    }
matched:
    if (g_end(ing, p, (apr_size_t)(gt + 1 - p), 0, at(ing, p)))
        return 0;
    elem_pop(ing);
    if (!ing->depth)
        ing->state = ST_EPILOG;
    return (apr_size_t)(gt + 1 - p);
}

/* Check [s, e) as plain characters: '<' and '&' taken as they are. */
static const char *check_plain(const char *s, const char *e, const char **why)
{
    while (s < e) {
        const char *stop = s, *bad;
        while (stop < e && *stop != '<' && *stop != '&')
            stop++;
        bad = check_chars(s, stop, 1, why);
        if (bad)
            return bad;
        s = stop + 1;
    }
    return NULL;
}

/* <!-- comment --> */
static apr_size_t tok_comment(ms_ingest *ing, const char *p, const char *e)
{
    const char *s = scan_from(ing, p, 4), *d, *why = NULL, *bad;

    for (;;) {
        d = memchr(s, '-', (apr_size_t)(e - s));
        if (!d || e - d < 3)
            return need_more(ing, p, e, 2);
        if (d[1] == '-')
            break;
        s = d + 1;
    }
    if (d[2] != '>') {
        fail(ing, at(ing, d), "not well-formed ('--' in a comment)");
        return 0;
    }
    bad = check_plain(p + 4, d, &why);
    if (bad) {
        fail(ing, at(ing, bad), "not well-formed (%s)", why);
        return 0;
    }
    g_markup(ing, p, (apr_size_t)(d + 3 - p));
    return (apr_size_t)(d + 3 - p);
}

/* <![CDATA[ ... ]]> */
static apr_size_t tok_cdata(ms_ingest *ing, const char *p, const char *e)
{
    const char *s = scan_from(ing, p, 9), *d, *why = NULL, *bad;

    if (!ing->depth) {
        fail(ing, at(ing, p), "not well-formed (a CDATA section outside "
             "the document element)");
        return 0;
    }
    for (;;) {
        d = memchr(s, ']', (apr_size_t)(e - s));
        if (!d || e - d < 3)
            return need_more(ing, p, e, 2);
        if (d[1] == ']' && d[2] == '>')
            break;
        s = d + 1;
    }
    bad = check_plain(p + 9, d, &why);
    if (bad) {
        fail(ing, at(ing, bad), "not well-formed (%s)", why);
        return 0;
    }
    g_cdata(ing, p, (apr_size_t)(d + 3 - p), p + 9, (apr_size_t)(d - p - 9));
    return (apr_size_t)(d + 3 - p);
}

/* <?target ...?> (not the XML declaration) */
static apr_size_t tok_pi(ms_ingest *ing, const char *p, const char *e)
{
    const char *s = scan_from(ing, p, 2), *d, *n, *why = NULL, *bad;
    apr_size_t colon;

    for (;;) {
        d = memchr(s, '?', (apr_size_t)(e - s));
        if (!d || e - d < 2)
            return need_more(ing, p, e, 1);
        if (d[1] == '>')
            break;
        s = d + 1;
    }
    n = name_end(p + 2, d);
    if (n == p + 2 || (n < d && !is_ws((unsigned char)*n))
        || qname_check(ing, p + 2, (apr_size_t)(n - p - 2), &colon) || colon) {
        fail(ing, at(ing, p), "not well-formed (a malformed processing "
             "instruction)");
        return 0;
    }
    if (n - p - 2 == 3 && strncasecmp(p + 2, "xml", 3) == 0) {
        fail(ing, at(ing, p), "not well-formed (an XML declaration not at "
             "the start of the body)");
        return 0;
    }
    bad = check_plain(n, d, &why);
    if (bad) {
        fail(ing, at(ing, bad), "not well-formed (%s)", why);
        return 0;
    }
    g_markup(ing, p, (apr_size_t)(d + 2 - p));
    return (apr_size_t)(d + 2 - p);
}

/* The XML declaration at the very start: version 1.0, an encoding the
 * tokenizer reads (UTF-8), standalone. */
static apr_size_t tok_xmldecl(ms_ingest *ing, const char *p, const char *e)
{
    const char *s = scan_from(ing, p, 5), *d, *v, *ve;
    const char *names[3] = { "version", "encoding", "standalone" };
    int i, seen = 0;

    for (;;) {
        d = memchr(s, '?', (apr_size_t)(e - s));
        if (!d || e - d < 2) {
            if (e - p >= 512) {
                fail(ing, at(ing, p), "not well-formed (an XML declaration "
                     "longer than 512 bytes)");
                return 0;
            }
            return need_more(ing, p, e, 1);
        }
        if (d[1] == '>')
            break;
        s = d + 1;
    }
    if (d + 2 - p > 512) {
        fail(ing, at(ing, p), "not well-formed (an XML declaration longer "
             "than 512 bytes)");
        return 0;
    }
    s = p + 5;
    for (i = 0; i < 3; i++) {
        const char *t = skip_ws(s, d);
        apr_size_t nl = strlen(names[i]);
        if (t == s || (apr_size_t)(d - t) < nl || memcmp(t, names[i], nl) != 0) {
            if (i == 0)
                break;
            continue;
        }
        t = skip_ws(t + nl, d);
        if (t >= d || *t != '=')
            break;
        t = skip_ws(t + 1, d);
        if (t >= d || (*t != '"' && *t != '\''))
            break;
        v = t + 1;
        ve = memchr(v, *t, (apr_size_t)(d - v));
        if (!ve)
            break;
        if (i == 0 && !(ve - v == 3 && memcmp(v, "1.0", 3) == 0)) {
            fail(ing, at(ing, v), "XML version '%.*s' (only 1.0 is read)",
                 (int)(ve - v > 20 ? 20 : ve - v), v);
            return 0;
        }
        if (i == 1 && !(ve - v == 5 && strncasecmp(v, "utf-8", 5) == 0)
            && !(ing->opts.charset
                 && strcasecmp(ing->opts.charset, "utf-8") == 0)) {
            fail(ing, at(ing, v), "encoding '%.*s' read as UTF-8",
                 (int)(ve - v > 40 ? 40 : ve - v), v);
            return 0;
        }
        if (i == 2 && !(ve - v == 3 && memcmp(v, "yes", 3) == 0)
            && !(ve - v == 2 && memcmp(v, "no", 2) == 0))
            break;
        if (i == 1 && (ve == v || !apr_isalpha(*v)))
            break;
        seen |= 1 << i;
        s = ve + 1;
    }
    if (!(seen & 1) || skip_ws(s, d) != d) {
        fail(ing, at(ing, p), "not well-formed (a malformed XML "
             "declaration)");
        return 0;
    }
    return (apr_size_t)(d + 2 - p);
}

static apr_size_t tok_markup(ms_ingest *ing, const char *p, const char *e)
{
    apr_size_t left;

    if ((apr_size_t)(e - p) > ing->max)
        e = p + ing->max;
    left = (apr_size_t)(e - p);

    if (left < 2)
        return need_more(ing, p, e, 0);
    switch (p[1]) {
    case '/':
        return tok_etag(ing, p, e);
    case '?':
        return tok_pi(ing, p, e);
    case '!':
        if (left < 4)
            return need_more(ing, p, e, 0);
        if (p[2] == '-' && p[3] == '-')
            return tok_comment(ing, p, e);
        if (left < 9 && memcmp(p, "<![CDATA[", left) == 0)
            return need_more(ing, p, e, 0);
        if (left >= 9 && memcmp(p, "<![CDATA[", 9) == 0)
            return tok_cdata(ing, p, e);
        if (left < 9 && memcmp(p, "<!DOCTYPE", left) == 0)
            return need_more(ing, p, e, 0);
        if (left >= 9 && memcmp(p, "<!DOCTYPE", 9) == 0)
            fail(ing, at(ing, p), "a DTD (<!DOCTYPE>): not accepted, "
                 "entities are never expanded");
        else
            fail(ing, at(ing, p), "not well-formed (invalid token)");
        return 0;
    default:
        return tok_stag(ing, p, e);
    }
}

/* Where a piece of text may be cut at the end of a chunk: not inside a
 * UTF-8 sequence or a reference, not before a ']' or CR that the next
 * chunk may complete ("]]>", CR LF). */
static const char *text_cut(const char *s, const char *e)
{
    const char *c = e, *amp;
    int i;

    for (i = 1; i <= 4 && e - i >= s; i++) {
        unsigned char b = (unsigned char)e[-i];
        if ((b & 0xC0) == 0x80)
            continue;
        if (b >= 0xC0 && b < 0xF8) {
            int need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
            if (need > i)
                c = e - i;
        }
        break;
    }
    /* the earliest '&' whose reference (up to 12 bytes on, see
     * ref_get) may not be all there */
    for (amp = c - 12 > s ? c - 12 : s; amp < c; amp++) {
        if (*amp == '&' && !memchr(amp, ';', (apr_size_t)(c - amp))) {
            c = amp;
            break;
        }
    }
    for (i = 0; i < 3 && c > s && (c[-1] == ']' || c[-1] == '\r'); i++)
        c--;
    return c;
}

/* Text at p, up to the next '<' (or what may be taken of it). */
static apr_size_t tok_text(ms_ingest *ing, const char *p, const char *e,
                           int final)
{
    const char *q, *stop, *why = NULL, *bad;

    /* the line end between two tags: nothing to check or keep outside
     * a value */
    if (e - p > 1 && p[1] == '<' && is_ws((unsigned char)*p)) {
        if (ing->depth)
            g_text(ing, p, 1, 1);
        return ing->status ? 0 : 1;
    }
    q = memchr(p, '<', (apr_size_t)(e - p));
    stop = q ? q : e;

    if (!q && !final) {
        stop = text_cut(p, e);
        if (stop == p)
            return need_more(ing, p, e, 0);
    }
    if (ing->depth == 0) {
        const char *c;
        for (c = p; c < stop; c++) {
            if (!is_ws((unsigned char)*c)) {
                fail(ing, at(ing, c), ing->state == ST_EPILOG
                     ? "not well-formed (junk after the document element)"
                     : "not well-formed (text before the document "
                       "element)");
                return 0;
            }
        }
        return (apr_size_t)(stop - p);
    }
    bad = check_chars(p, stop, 0, &why);
    if (bad) {
        fail(ing, at(ing, bad), "not well-formed (%s)", why);
        return 0;
    }
    g_text(ing, p, (apr_size_t)(stop - p), 1);
    if (ing->status)
        return 0;
    return (apr_size_t)(stop - p);
}

/* Tokens of [buf, buf+len) until one is incomplete: how many bytes were
 * consumed.  @a final: the body ends here. */
static apr_size_t fast_run(ms_ingest *ing, const char *buf, apr_size_t len,
                           int final)
{
    const char *p = buf, *e = buf + len;

    ing->win = buf;
    if (ing->state == ST_START) {
        if (len < 6 && !final) {
            ing->hint = 0;
            return 0;
        }
        if (!ing->bom && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
            /* a BOM: the rest waits for its own look */
            ing->bom = 1;
            p += 3;
            if (e - p < 6 && !final)
                return 3;
        }
        if (e - p >= 6 && memcmp(p, "<?xml", 5) == 0 && is_ws((unsigned char)p[5])) {
            apr_size_t n;
            ing->mend = e;      /* no cut: the declaration has its own */
            n = tok_xmldecl(ing, p, e);
            if (!n)
                return (apr_size_t)(p - buf);
            p += n;
        }
        ing->state = ST_PROLOG;
    }
    ing->mend = e;
    while (p < e) {
        apr_size_t n;
        if (*p == '<') {
            n = tok_markup(ing, p, e);
            if (n && ing->state == ST_PROLOG && ing->depth)
                ing->state = ST_CONTENT;
        }
        else
            n = tok_text(ing, p, e, final);
        if (!n)
            break;
        ing->hint = 0;
        ing->st_nend = 0;
        p += n;
    }
    return (apr_size_t)(p - buf);
}

/* ---------------------------------------------------------------- */
/* expat (bodies in another encoding)                                */

/* uri SEP local [SEP prefix], or local */
static void x_split(const XML_Char *name, const char **uri, apr_size_t *ulen,
                    const char **local, apr_size_t *llen, const char **pre,
                    apr_size_t *plen)
{
    const char *s1 = strchr(name, EXPAT_SEP), *s2;

    if (!s1) {
        *uri = NULL;
        *ulen = 0;
        *local = name;
        *llen = strlen(name);
        *pre = NULL;
        *plen = 0;
        return;
    }
    *uri = name;
    *ulen = (apr_size_t)(s1 - name);
    *local = s1 + 1;
    s2 = strchr(s1 + 1, EXPAT_SEP);
    if (s2) {
        *llen = (apr_size_t)(s2 - s1 - 1);
        *pre = s2 + 1;
        *plen = strlen(s2 + 1);
    }
    else {
        *llen = strlen(s1 + 1);
        *pre = NULL;
        *plen = 0;
    }
}

static void x_stop(ms_ingest *ing)
{
    XML_StopParser(ing->xp, XML_FALSE);
}

static apr_off_t x_off(ms_ingest *ing)
{
    XML_Index i = XML_GetCurrentByteIndex(ing->xp);
    return i < 0 ? ing->base : (apr_off_t)i;
}

static void XMLCALL x_ns_start(void *ud, const XML_Char *prefix,
                               const XML_Char *uri)
{
    ms_ingest *ing = ud;
    const ns_ent *ns = NULL;

    if (ing->status)
        return;
    if (uri && *uri) {
        ns = ns_intern(ing, uri, strlen(uri), x_off(ing));
        if (!ns) {
            x_stop(ing);
            return;
        }
    }
    bind_push(ing, prefix ? prefix : "", prefix ? strlen(prefix) : 0, ns);
    ing->x_pending++;
}

static void XMLCALL x_start(void *ud, const XML_Char *name,
                            const XML_Char **atts)
{
    ms_ingest *ing = ud;
    const char *uri, *local, *pre;
    apr_size_t ulen, llen, plen, i, nb0 = ing->nbinds - ing->x_pending;
    apr_size_t names0;
    apr_off_t off = x_off(ing);
    ev_start ev;
    elem *e;
    long bi;
    char *qn;

    if (ing->status)
        return;
    /* names of the pending bindings sit in the names store already:
     * they are popped with this element */
    names0 = nb0 < ing->nbinds ? ing->binds[nb0].poff : ing->names_len;
    ing->x_pending = 0;
    x_split(name, &uri, &ulen, &local, &llen, &pre, &plen);
    ev.ns = NULL;
    if (uri) {
        ev.ns = ns_intern(ing, uri, ulen, off);
        if (!ev.ns) {
            x_stop(ing);
            return;
        }
    }
    ev.local = local;
    ev.llen = llen;
    ev.raw = NULL;
    ev.raw_len = ev.name_end = 0;
    ev.atts = atts;
    ev.other_attrs = 0;
    ing->nused = 0;
    bi = bind_find(ing, pre ? pre : "", plen);
    if (bi >= 0 && (pre || ev.ns)) {
        GROW(ing, used, 0, used_cap, ing->nused + 1);
        ing->used[ing->nused++] = (apr_size_t)bi;
    }
    qn = tmp_get(ing, plen + 1 + llen + 1);
    if (pre) {
        memcpy(qn, pre, plen);
        qn[plen] = ':';
        memcpy(qn + plen + 1, local, llen);
    }
    else
        memcpy(qn, local, llen);
    e = elem_push(ing, qn, pre ? plen + 1 + llen : llen, nb0, names0, off);
    if (!e) {
        x_stop(ing);
        return;
    }
    for (i = 0; atts[i]; i += 2) {
        const char *au, *al, *ap;
        apr_size_t aul, all, apl;
        x_split(atts[i], &au, &aul, &al, &all, &ap, &apl);
        if (au && aul == sizeof(XML_NS) - 1 && memcmp(au, XML_NS, aul) == 0) {
            if (all == 4 && memcmp(al, "lang", 4) == 0) {
                apr_size_t vl = strlen(atts[i + 1]);
                e->lang_off = names_put(ing, atts[i + 1], vl);
                e->lang_len = vl;
                e->has_lang = 1;
                continue;
            }
        }
        else if (ap) {
            bi = bind_find(ing, ap, apl);
            if (bi >= 0) {
                GROW(ing, used, 0, used_cap, ing->nused + 1);
                ing->used[ing->nused++] = (apr_size_t)bi;
            }
        }
        ev.other_attrs = 1;
    }
    if (g_start(ing, &ev, off))
        x_stop(ing);
}

static void XMLCALL x_end(void *ud, const XML_Char *name)
{
    ms_ingest *ing = ud;

    (void)name;
    if (ing->status)
        return;
    if (g_end(ing, NULL, 0, 0, x_off(ing))) {
        x_stop(ing);
        return;
    }
    elem_pop(ing);
}

static void XMLCALL x_text(void *ud, const XML_Char *s, int len)
{
    ms_ingest *ing = ud;

    if (ing->status)
        return;
    g_text(ing, s, (apr_size_t)len, 0);
    if (ing->status)
        x_stop(ing);
}

static void XMLCALL x_doctype(void *ud, const XML_Char *name,
                              const XML_Char *sysid, const XML_Char *pubid,
                              int has_internal_subset)
{
    ms_ingest *ing = ud;

    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal_subset;
    fail(ing, x_off(ing), "a DTD (<!DOCTYPE>): not accepted, entities are "
         "never expanded");
    x_stop(ing);
}

static void XMLCALL x_entity(void *ud, const XML_Char *name, int is_param,
                             const XML_Char *value, int value_length,
                             const XML_Char *base, const XML_Char *sysid,
                             const XML_Char *pubid, const XML_Char *notation)
{
    ms_ingest *ing = ud;

    (void)name; (void)is_param; (void)value; (void)value_length;
    (void)base; (void)sysid; (void)pubid; (void)notation;
    fail(ing, x_off(ing), "an entity declaration: not accepted");
    x_stop(ing);
}

static void XMLCALL x_xmldecl(void *ud, const XML_Char *version,
                              const XML_Char *encoding, int standalone)
{
    ms_ingest *ing = ud;

    (void)encoding;
    (void)standalone;
    if (version && strcmp(version, "1.0") != 0) {
        fail(ing, x_off(ing), "XML version '%.20s' (only 1.0 is read)",
             version);
        x_stop(ing);
    }
}

static apr_status_t x_feed(ms_ingest *ing, const char *buf, apr_size_t len,
                           int final)
{
    do {
        int n = len > 1 << 30 ? 1 << 30 : (int)len;
        if (XML_Parse(ing->xp, buf, n, final && (apr_size_t)n == len)
            != XML_STATUS_OK) {
            if (!ing->status) {
                enum XML_Error code = XML_GetErrorCode(ing->xp);
                XML_Index i = XML_GetCurrentByteIndex(ing->xp);
                fail(ing, i < 0 ? ing->base : (apr_off_t)i,
                     "not well-formed (%s)", XML_ErrorString(code));
            }
            return ing->status;
        }
        buf += n;
        len -= (apr_size_t)n;
    } while (len);
    return ing->status;
}

static void x_create(ms_ingest *ing, const char *encoding)
{
    ing->xp = XML_ParserCreateNS(encoding, EXPAT_SEP);
    if (!ing->xp)
        abort();
    XML_SetUserData(ing->xp, ing);
    XML_SetReturnNSTriplet(ing->xp, 1);
    XML_SetElementHandler(ing->xp, x_start, x_end);
    XML_SetCharacterDataHandler(ing->xp, x_text);
    XML_SetStartNamespaceDeclHandler(ing->xp, x_ns_start);
    XML_SetStartDoctypeDeclHandler(ing->xp, x_doctype);
    XML_SetEntityDeclHandler(ing->xp, x_entity);
    XML_SetXmlDeclHandler(ing->xp, x_xmldecl);
    XML_SetParamEntityParsing(ing->xp, XML_PARAM_ENTITY_PARSING_NEVER);
    ing->mode = MODE_EXPAT;
}

/* ---------------------------------------------------------------- */
/* The public side                                                   */

static apr_status_t ingest_cleanup(void *data)
{
    ms_ingest *ing = data;

    if (ing->xp)
        XML_ParserFree(ing->xp);
    ing->xp = NULL;
    free(ing->carry);
    free(ing->stack);
    free(ing->binds);
    free(ing->names);
    free(ing->attrs);
    free(ing->used);
    free(ing->tmp);
    free(ing->qtab);
    free(ing->rb);
    free(ing->hrefs);
    free(ing->props);
    free(ing->pss);
    free(ing->need);
    ing->carry = NULL;
    ing->stack = NULL;
    ing->binds = NULL;
    ing->names = NULL;
    ing->attrs = NULL;
    ing->used = NULL;
    ing->tmp = NULL;
    ing->qtab = NULL;
    ing->rb = NULL;
    ing->hrefs = NULL;
    ing->props = NULL;
    ing->pss = NULL;
    ing->need = NULL;
    ing->carry_cap = ing->stack_cap = ing->binds_cap = ing->names_cap = 0;
    ing->attrs_cap = ing->used_cap = ing->tmp_cap = ing->qcap = 0;
    ing->rb_cap = ing->hrefs_cap = ing->props_cap = ing->pss_cap = 0;
    ing->need_cap = 0;
    return APR_SUCCESS;
}

ms_ingest *ms_ingest_create(apr_pool_t *pool, ms_doc *doc,
                            const ms_ingest_opts *opts)
{
    ms_ingest *ing = apr_pcalloc(pool, sizeof(*ing));

    cls_init();
    ing->pool = pool;
    ing->doc = doc;
    if (opts)
        ing->opts = *opts;
    ing->max = ing->opts.max_response ? ing->opts.max_response
                                      : MS_INGEST_MAX_RESPONSE;
    ing->err_off = -1;
    ing->ns_hash = apr_hash_make(pool);
    ing->slow_names = apr_hash_make(pool);
    ing->dav = ns_intern(ing, "DAV:", 4, 0);
    ing->nons = ns_intern(ing, "", 0, 0);
    /* a producer's properties without a namespace are kept (litmus's
     * propnullns): the C API still refuses them */
    doc->nons_ok = 1;
    ing->xml = ns_intern(ing, XML_NS, sizeof(XML_NS) - 1, 0);
    ing->state = ST_START;
    ing->mode = MODE_SNIFF;
    apr_pool_cleanup_register(pool, ing, ingest_cleanup,
                              apr_pool_cleanup_null);
    return ing;
}

#define SNIFF_MAX 512           /* an XML declaration longer is refused */

/* The end ("?>") of the XML declaration at s, within its first SNIFF_MAX
 * bytes, or NULL. */
static const char *decl_end(const char *s, const char *e)
{
    const char *d;

    if (e - s > SNIFF_MAX)
        e = s + SNIFF_MAX;
    for (d = s + 5; d + 1 < e; d++) {
        if (d[0] == '?' && d[1] == '>')
            return d;
    }
    return NULL;
}

/* The encoding named by the XML declaration [s, d), or NULL (UTF-8). */
static const char *sniff_encoding(ms_ingest *ing, const char *s,
                                  const char *d)
{
    const char *k, *v, *ve;

    for (k = s + 5; k + 8 <= d; k++) {
        if (memcmp(k, "encoding", 8) == 0)
            break;
    }
    if (k + 8 > d)
        return NULL;
    v = skip_ws(k + 8, d);
    if (v >= d || *v != '=')
        return NULL;
    v = skip_ws(v + 1, d);
    if (v >= d || (*v != '"' && *v != '\''))
        return NULL;
    ve = memchr(v + 1, *v, (apr_size_t)(d - v - 1));
    if (!ve || (ve - v - 1 == 5 && strncasecmp(v + 1, "utf-8", 5) == 0))
        return NULL;
    return apr_pstrmemdup(ing->pool, v + 1, (apr_size_t)(ve - v - 1));
}

/* Choose the parser from the first bytes: 1 when chosen, 0 to wait.  The
 * choice depends on the first SNIFF_MAX bytes only, never on how they
 * were split. */
static int sniff(ms_ingest *ing, const char *s, apr_size_t len, int final)
{
    const char *e = s + len;
    const char *cs = ing->opts.charset;

    if (ing->opts.parser == MS_INGEST_EXPAT) {
        x_create(ing, cs);
        return 1;
    }
    if (cs && *cs && strcasecmp(cs, "utf-8") != 0) {
        x_create(ing, cs);
        return 1;
    }
    if (len < 4 && !final)
        return 0;
    if (len >= 2 && (((unsigned char)s[0] == 0xFE && (unsigned char)s[1] == 0xFF)
                     || ((unsigned char)s[0] == 0xFF
                         && (unsigned char)s[1] == 0xFE)
                     || (s[0] == 0 && s[1] == '<') || (s[0] == '<' && s[1] == 0))) {
        x_create(ing, NULL);
        return 1;
    }
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        s += 3;
    if (e - s >= 6 && memcmp(s, "<?xml", 5) == 0 && is_ws((unsigned char)s[5])
        && !cs) {
        const char *d = decl_end(s, e);
        if (!d && e - s < SNIFF_MAX && !final)
            return 0;
        if (d && sniff_encoding(ing, s, d)) {
            x_create(ing, NULL);
            return 1;
        }
    }
    else if (e - s < 6 && !final && memcmp(s, "<?xml", (apr_size_t)(e - s)) == 0)
        return 0;
    ing->mode = MODE_FAST;
    return 1;
}

static apr_status_t feed(ms_ingest *ing, const char *buf, apr_size_t len,
                         int final)
{
    apr_size_t used;

    if (ing->mode == MODE_SNIFF) {
        const char *s = buf;
        apr_size_t n = len;
        if (ing->carry_len) {
            GROW(ing, carry, 0, carry_cap, ing->carry_len + len);
            memcpy(ing->carry + ing->carry_len, buf, len);
            ing->carry_len += len;
            s = ing->carry;
            n = ing->carry_len;
        }
        if (!sniff(ing, s, n, final)) {
            if (!ing->carry_len) {
                GROW(ing, carry, 0, carry_cap, len);
                memcpy(ing->carry, buf, len);
                ing->carry_len = len;
            }
            return APR_SUCCESS;
        }
        if (ing->carry_len) {
            ing->carry_len = 0;
            /* the carry holds it all now: feed it as one chunk */
            if (ing->mode == MODE_EXPAT)
                return x_feed(ing, s, n, final);
            buf = s;
            len = n;
            used = fast_run(ing, buf, len, final);
            ing->base += (apr_off_t)used;
            if (!ing->status && used < len) {
                memmove(ing->carry, buf + used, len - used);
                ing->carry_len = len - used;
            }
            goto check;
        }
    }
    if (ing->mode == MODE_EXPAT)
        return x_feed(ing, buf, len, final);
    if (ing->carry_len) {
        GROW(ing, carry, 0, carry_cap, ing->carry_len + len);
        memcpy(ing->carry + ing->carry_len, buf, len);
        ing->carry_len += len;
        used = fast_run(ing, ing->carry, ing->carry_len, final);
        ing->base += (apr_off_t)used;
        if (!ing->status) {
            memmove(ing->carry, ing->carry + used, ing->carry_len - used);
            ing->carry_len -= used;
        }
    }
    else {
        used = fast_run(ing, buf, len, final);
        ing->base += (apr_off_t)used;
        if (!ing->status && used < len) {
            GROW(ing, carry, 0, carry_cap, len - used);
            memcpy(ing->carry, buf + used, len - used);
            ing->carry_len = len - used;
        }
    }
check:
    if (!ing->status && ing->carry_len > ing->max)
        fail(ing, ing->base, "a markup token larger than %" APR_SIZE_T_FMT
             " bytes", ing->max);
    return ing->status;
}

apr_status_t ms_ingest_feed(ms_ingest *ing, const char *buf, apr_size_t len)
{
    if (ing->status)
        return ing->status;
    if (ing->finished)
        return MS_EFINISHED;
    if (!len)
        return APR_SUCCESS;
    return feed(ing, buf, len, 0);
}

static apr_status_t done(ms_ingest *ing)
{
    if (ing->status)
        return ing->status;
    if (ing->mode == MODE_SNIFF || ing->carry_len)
        feed(ing, "", 0, 1);
    else if (ing->mode == MODE_EXPAT)
        x_feed(ing, "", 0, 1);
    if (ing->status)
        return ing->status;
    if (ing->mode == MODE_FAST) {
        if (ing->carry_len)
            return fail(ing, ing->base, "the body ends inside a tag "
                        "(truncated)");
        if (ing->depth)
            return fail(ing, ing->base, "the body ends inside <%.*s> "
                        "(truncated: %" APR_SIZE_T_FMT " elements open)",
                        (int)(ing->stack[ing->depth - 1].name_len > 80 ? 80
                              : ing->stack[ing->depth - 1].name_len),
                        ing->names + ing->stack[ing->depth - 1].name_off,
                        ing->depth);
        if (ing->state != ST_EPILOG)
            return fail(ing, ing->base, "no document element (an empty "
                        "body)");
    }
    return APR_SUCCESS;
}

apr_status_t ms_ingest_done(ms_ingest *ing)
{
    apr_status_t rv;

    if (ing->finished)
        return ing->status ? ing->status : APR_SUCCESS;
    rv = done(ing);
    ing->finished = 1;
    ingest_cleanup(ing);        /* the buffers are not needed any more */
    return rv;
}

const char *ms_ingest_error(const ms_ingest *ing)
{
    return ing->status == MS_INGEST_EBODY ? ing->error : NULL;
}

apr_off_t ms_ingest_error_offset(const ms_ingest *ing)
{
    return ing->status == MS_INGEST_EBODY ? ing->err_off : -1;
}

apr_size_t ms_ingest_count(const ms_ingest *ing)
{
    return ing->count;
}

const char *ms_ingest_note(const ms_ingest *ing, apr_size_t *count)
{
    if (count)
        *count = ing->notes;
    return ing->note;
}

apr_size_t ms_ingest_footprint(const ms_ingest *ing)
{
    return ing->carry_cap + ing->stack_cap * sizeof(elem)
        + ing->binds_cap * sizeof(binding) + ing->names_cap
        + ing->attrs_cap * sizeof(attr) + ing->used_cap * sizeof(apr_size_t)
        + ing->tmp_cap + ing->qcap * sizeof(qname *) + ing->rb_cap
        + ing->hrefs_cap * sizeof(span) + ing->props_cap * sizeof(in_prop)
        + ing->pss_cap * sizeof(in_ps) + ing->need_cap * sizeof(apr_size_t);
}

int ms_ingest_used_expat(const ms_ingest *ing)
{
    return ing->mode == MODE_EXPAT;
}
