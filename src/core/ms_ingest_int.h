/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_ingest_int.h: what the files of the ingest parser share (private to
 * src/core/ms_ingest*.c; the glue and the tests use ms_ingest.h only).
 *
 * Owns the parser's state (struct ms_ingest and the records it holds),
 * the character classes, and the small helpers the hot paths of several
 * files need inlined (buffers, names store, bindings, text events).
 *
 * The files, each one concern, calling one way only (tests/check-layers):
 *
 *   ms_ingest.c          the driver: create, sniff the encoding and
 *                        choose the reader, feed and carry, done, the
 *                        accessors of ms_ingest.h
 *     ms_ingest_tok.c    the strict tokenizer (UTF-8 bodies)
 *     ms_ingest_expat.c  the expat reader (other encodings)
 *       ms_ingest_grammar.c  what a multistatus holds: start/end/text
 *                        events into the response being read, property
 *                        values captured with their declarations
 *         ms_ingest_replay.c  a response read: its form checked, status
 *                        lines and hrefs repaired, registered on the
 *                        ms_doc
 *       ms_ingest_names.c    qualified names, interned namespaces and
 *                        names, bindings in scope, the element stack
 *           ms_ingest_base.c   failures, notes, buffer growth
 *             ms_ingest_chars.c  characters: UTF-8, references, text
 *                        checks and decoding
 *
 * Cross-file functions are prefixed ms_ing_ (hidden in the module like
 * every core symbol: -fvisibility=hidden).
 */
#ifndef MS_INGEST_INT_H
#define MS_INGEST_INT_H

#include <string.h>

#include "apr_hash.h"

#include <expat.h>

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

extern unsigned char ms_ing_cls[256];
/* What decoding must look at: 1 in text (& CR), 2 in attribute values
 * (& CR TAB LF). */
extern unsigned char ms_ing_dec_cls[256];

/* Fill the tables (once; ms_ingest_create calls it). */
void ms_ing_cls_init(void);

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
/* ms_ingest_chars.c                                                 */


/* Check the characters of text (@a att 0) or of an attribute value (1) in
 * [s, e): XML characters in valid UTF-8, references, no "]]>" in text, no
 * '<' in values.  NULL if fine, else the bad byte (and *why). */
const char *ms_ing_check_chars(const char *s, const char *e, int att,
                               const char **why);

/* Decode checked text (references, line ends) into @a d; @a att: also
 * turn white space into spaces (attribute values).  Returns the length. */
apr_size_t ms_ing_decode_to(char *d, const char *s, apr_size_t len, int att);

/* ---------------------------------------------------------------- */
/* ms_ingest_base.c                                                  */

/* Grow the array @a p of *cap elements of @a size to hold @a need. */
void *ms_ing_grow(void *p, apr_size_t *cap, apr_size_t need,
                  apr_size_t size);

#define GROW(ing, arr, n, cap, need)                                     \
    ((need) <= (ing)->cap ? (void)0                                       \
     : (void)((ing)->arr = ms_ing_grow((ing)->arr, &(ing)->cap, (need),   \
                                       sizeof(*(ing)->arr))))

/* Refuse the body: the first failure wins.  Returns the sticky status. */
apr_status_t ms_ing_fail(ms_ingest *ing, apr_off_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Something left out: the first note is kept, the others counted. */
void ms_ing_note(ms_ingest *ing, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static APR_INLINE int is_ws(unsigned char c)
{
    return (ms_ing_cls[c] & C_WS) != 0;
}

static APR_INLINE const char *skip_ws(const char *s, const char *e)
{
    while (s < e && is_ws((unsigned char)*s))
        s++;
    return s;
}

/* Room for @a n more bytes in the response buffer, or NULL (refused: a
 * response larger than the bound). */
static APR_INLINE char *rb_room(ms_ingest *ing, apr_size_t n)
{
    if (ing->rb_len + n > ing->max + 1024) {
        ms_ing_fail(ing, ing->r_start, "a response larger than %"
                    APR_SIZE_T_FMT " bytes", ing->max);
        return NULL;
    }
    GROW(ing, rb, 0, rb_cap, ing->rb_len + n);
    return ing->rb + ing->rb_len;
}

/* Append to the response buffer. */
static APR_INLINE void rb_put(ms_ingest *ing, const char *s, apr_size_t n)
{
    char *p = rb_room(ing, n);

    if (p) {
        memcpy(p, s, n);
        ing->rb_len += n;
    }
}

/* The scratch buffer (decoded attribute values, hrefs), @a n bytes. */
static APR_INLINE char *tmp_get(ms_ingest *ing, apr_size_t n)
{
    GROW(ing, tmp, 0, tmp_cap, n);
    return ing->tmp;
}

/* ---------------------------------------------------------------- */
/* ms_ingest_names.c                                                 */

/* A qualified name: one colon at most, not at either end, each part an
 * NCName.  *colon: the colon's index, 0 when none.  NULL if fine, else
 * why not. */
const char *ms_ing_qname_check(ms_ingest *ing, const char *s, apr_size_t len,
                               apr_size_t *colon);

/* The interned namespace URI (NULL: refused, ing->status set). */
const ns_ent *ms_ing_ns_intern(ms_ingest *ing, const char *uri,
                               apr_size_t len, apr_off_t off);

/* The interned {ns}name (NULL: refused, ing->status set). */
const qname *ms_ing_q_intern(ms_ingest *ing, const ns_ent *ns,
                             const char *s, apr_size_t len, apr_off_t off);

/* A binding of @a prefix (plen 0: the default namespace) declared on the
 * element about to be pushed. */
void ms_ing_bind_push(ms_ingest *ing, const char *prefix, apr_size_t plen,
                      const ns_ent *ns);

/* Open an element (qname as written); NULL when nested too deep. */
elem *ms_ing_elem_push(ms_ingest *ing, const char *qn, apr_size_t qlen,
                       apr_size_t nbinds_before, apr_size_t names_before,
                       apr_off_t off);

/* Append to the names store; returns the offset. */
static APR_INLINE apr_size_t names_put(ms_ingest *ing, const char *s,
                                       apr_size_t len)
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

/* Close the innermost element: its bindings and names go. */
static APR_INLINE void elem_pop(ms_ingest *ing)
{
    elem *e = &ing->stack[--ing->depth];

    ing->nbinds = e->nbinds;
    ing->names_len = e->names_len;
}

/* ---------------------------------------------------------------- */
/* ms_ingest_replay.c                                                */

/* A new DAV:response begins. */
void ms_ing_response_reset(ms_ingest *ing);

/* A status line: its code ("HTTP/1.1 424 (status)" is 424), or -1. */
int ms_ing_parse_status(const char *s, apr_size_t len);

/* A model call failed: stop, saying what it was about. */
apr_status_t ms_ing_model_failed(ms_ingest *ing, apr_status_t rv,
                                 const char *what);

/* The end of a DAV:response: check its form, register it. */
apr_status_t ms_ing_replay(ms_ingest *ing);

/* ---------------------------------------------------------------- */
/* ms_ingest_grammar.c                                               */

/* A start tag (the element is pushed already): what it is in a
 * multistatus. */
apr_status_t ms_ing_g_start(ms_ingest *ing, const ev_start *ev,
                            apr_off_t off);

/* The end of an element (the tag as written, or NULL: expat, or the end
 * of an empty-element tag when @a empty); the caller pops it after. */
apr_status_t ms_ing_g_end(ms_ingest *ing, const char *raw, apr_size_t len,
                          int empty, apr_off_t off);

/* Escaped text into the response buffer (expat's decoded text). */
void ms_ing_rb_escaped(ms_ingest *ing, const char *s, apr_size_t len,
                       int att);

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
            ms_ing_rb_escaped(ing, s, len, 0);
        break;
    case K_HREF: case K_STATUS: case K_RDESC: case K_MSDESC:
    case K_LOCHREF: case K_PSSTATUS: case K_PSDESC:
        if (!raw)
            rb_put(ing, s, len);
        else {
            char *p = rb_room(ing, len);
            if (p)
                ing->rb_len += ms_ing_decode_to(p, s, len, 0);
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
static APR_INLINE void g_cdata(ms_ingest *ing, const char *raw,
                               apr_size_t raw_len, const char *s,
                               apr_size_t len)
{
    int k = ing->depth ? ing->stack[ing->depth - 1].kind : K_NONE;

    if (k == K_PROPERTY || k == K_VAL)
        rb_put(ing, raw, raw_len);
    else
        g_text(ing, s, len, 0);
}

/* ---------------------------------------------------------------- */
/* ms_ingest_tok.c, ms_ingest_expat.c                                */

/* Tokens of [buf, buf+len) until one is incomplete: how many bytes were
 * consumed.  @a final: the body ends here. */
apr_size_t ms_ing_fast_run(ms_ingest *ing, const char *buf, apr_size_t len,
                           int final);

/* Read the body with expat from now on (@a encoding: NULL to sniff). */
void ms_ing_x_create(ms_ingest *ing, const char *encoding);

/* The next bytes to expat. */
apr_status_t ms_ing_x_feed(ms_ingest *ing, const char *buf, apr_size_t len,
                           int final);

#endif /* MS_INGEST_INT_H */
