/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_doc_int.h: what the files of the core share and nobody else sees
 * (APR only).  The glue uses ms_doc.h; this header holds the structures of
 * the document model and the functions each core file offers the others.
 *
 * The core's files, lowest first; each calls only files above it in this
 * list, never one below (so there is no circle):
 *   ms_xml.c     characters: UTF-8 and XML checks, escaping, names, reasons
 *   ms_xmlns.c   namespaces: names, fragments' prefixes, the fragment check
 *   ms_href.c    hrefs: percent-encoding, normalisation, building, decoding
 *   ms_ns.c      namespaces and interned qualified names, prefixes
 *   ms_model.c   responses: arenas, open, the ms_add_status store, refusals
 *   ms_fill.c    filling a response: statuses, properties, propstats
 *   ms_rules.c   property-method rules applied to a response before output
 *   ms_json.c    the JSON renderer (called by ms_writer.c)
 *   ms_writer.c  output: rendering, chunks, commit, streaming, the tail
 *   ms_doc.c     the document's life: create, close, flush, finish, fail
 *   ms_parse.c   request bodies of the property methods, Prefer (used by
 *                the glue; calls ms_xml.c and ms_xmlns.c only)
 *   ms_ingest*.c a producer's 207 body parsed into the document with the
 *                calls of ms_doc.h (ms_ingest_int.h lists its files)
 */
#ifndef MS_DOC_INT_H
#define MS_DOC_INT_H

#include <stddef.h>              /* offsetof */
#include <stdlib.h>
#include <string.h>

#include "apr_hash.h"

#include "ms_doc.h"

#define CHUNK_SIZE   65536   /* output chunk: fewer, bigger socket writes */
#define BLOCK_FIRST  1024    /* a response's first arena block */
#define MAX_SPARES   8       /* first blocks kept for reuse */
#define HELD_MEM     (1024 * 1024)  /* held in memory; the rest spills */
#define OPEN_SCAN_MAX 16        /* open responses found by a scan, not a hash */
#define MS_IN_BEGIN  0x10000     /* ms_doc.preparing inside the begin hook */
#define ALIGN(n)     (((n) + 7) & ~(apr_size_t)7)

typedef struct ms_ns {
    const char *uri;
    const char *prefix;
    apr_size_t plen;
    const char *uri_attr;       /* escaped for an attribute value */
    apr_size_t uri_attr_len;
    int on_root;                /* declared on the root element */
    apr_size_t stamp;           /* last response that declared it */
    struct ms_ns *next;         /* in creation order */
    apr_hash_t *names;          /* its interned names (ms_qn), by name */
} ms_ns;

/* A qualified name, checked once per document and kept with its tags
 * ready to copy: property names repeat on every response of a listing.
 * The public API hands it out as an ms_qname (ms_qname_get). */
typedef struct ms_qname ms_qn;
struct ms_qname {
    ms_doc *doc;                /* whose name it is (handles are checked) */
    ms_ns *ns;
    const char *name;
    const char *open;           /* "<P:name" */
    apr_size_t open_len;
    const char *close;          /* "</P:name>" */
    apr_size_t close_len;
    const char *json;           /* {"namespace":..,"name":.. (ms_json.c,
                                 * made on first use) */
    apr_size_t json_len;
    apr_size_t mark;            /* ms_rules: seen on the response of this
                                 * mark (linear completeness checks) */
    apr_uint64_t bit;           /* its bit in ms_response.has (the first
                                 * 64 names of a document), or 0 */
};

/* A direct-mapped cache in front of the interned names, keyed by the
 * caller's string pointers (a hint only: hits are confirmed by strcmp). */
#define QCACHE_SIZE 64
typedef struct {
    const char *ns_ptr, *name_ptr;
    ms_qn *qn;
} qcache_entry;

typedef struct ms_block {
    struct ms_block *next;
    apr_size_t size;            /* bytes of data after the header */
    apr_size_t used;
} ms_block;
#define BLOCK_HDR ALIGN(sizeof(ms_block))

typedef struct ms_prop {
    ms_qn *qn;
    const char *value;          /* ready to emit (escaped or checked) */
    apr_size_t value_len;
    ms_value_kind kind;
    const char *frag;           /* "<P:name>value</P:name>" around value,
                                 * rendered in one copy (ms_fill.c), or
                                 * NULL */
    apr_size_t frag_len;
    const char *lang;           /* ready to emit, or NULL */
    apr_size_t lang_len;
    struct ms_prop *next;
} ms_prop;

typedef struct ms_propstat {
    int status;
    ms_prop *first, *last;
    int keep;                   /* rendered even when it holds nothing */
    const char *desc;
    apr_size_t desc_len;
    ms_qn *err;
    struct ms_propstat *next;
} ms_propstat;

struct ms_response {
    /* set by whoever makes a response (response_new() and its two
     * callers in ms_model.c) ... */
    ms_doc *doc;
    ms_block *blocks;           /* the arena; this struct is in the first */
    ms_block *cur;              /* the block allocations come from */
    const char *href;           /* URI form, not XML-escaped */
    apr_size_t href_len;
    apr_size_t href_xml_len;
    apr_size_t seq;             /* order of opening (ms_doc.opened) */
    /* ... the rest starts zeroed (MS_RESPONSE_ZEROED) */
    ms_response *prev, *next;   /* open responses, in open order */
    const char *path;           /* decoded path, or NULL (made on demand) */
    int path_done;
    int status;                 /* 0: propstat form (or nothing yet) */
    const char *location;       /* URI form */
    apr_size_t location_len;
    ms_qn *err;
    const char *desc;
    apr_size_t desc_len;
    ms_propstat *ps_first, *ps_last;
    apr_uint64_t has;           /* bits (ms_qn.bit) of its properties: a
                                 * clear bit means "not there", no scan */
    int hidden;
    int is_base;                /* the request-URI's own response */
};
#define MS_RESPONSE_ZEROED offsetof(ms_response, prev)

/* A status-form result of ms_add_status that nobody holds a handle to: a
 * compact record (header, then the href) in the document's light store,
 * indexed by href in an open-addressing table of record numbers.  It
 * becomes a full response when opened, or just before it is rendered. */
typedef struct lrec {
    apr_uint32_t hash;
    apr_uint16_t status;
    apr_uint16_t dead;          /* rendered or turned into a response */
    apr_uint32_t href_len;
    apr_uint32_t seq;
    const char *desc;           /* escaped, in the pool, or NULL */
} lrec;
#define LBLOCK (1024 * 1024)    /* light store block */

typedef struct chunk {
    struct chunk *next;
    char *buf;
    apr_size_t len;
} chunk;

struct ms_doc {
    apr_pool_t *pool;
    ms_doc_io io;
    ms_doc_opts opts;
    apr_size_t base_len;
    const char *base_norm;      /* base_path, normalized */
    apr_size_t base_norm_len;
    const char *base_enc;       /* the request-URI's path, encoded */
    apr_size_t base_enc_len;
    const char *base_href;      /* the request-URI's href (URI form) */
    apr_size_t base_href_len;
    apr_size_t origin_len;

    char **lblocks;             /* light store: blocks of LBLOCK bytes */
    apr_size_t nlblocks, lblocks_cap, lused;  /* lused: in the last block */
    apr_uint32_t *ltab;         /* index: record refs (0: empty) */
    apr_size_t ltab_mask, lcount, llive;
    apr_size_t lnext;           /* first record not yet rendered */
    apr_hash_t *open_by_href;   /* used once many responses are open */
    ms_response *open_first, *open_last;
    apr_size_t open_count;
    apr_size_t opened;          /* responses ever opened (their order) */
    apr_size_t rendered;
    ms_block *spares;
    apr_size_t nspares;

    apr_hash_t *ns_by_uri;
    ms_ns *dav;
    ms_ns *nons;                /* no namespace (made on first use) */
    int nons_ok;                /* accept it: the ingest parser's documents
                                 * (a producer's property without a
                                 * namespace); the API refuses it */
    ms_ns *ns_first, *ns_last;
    ms_ns *last_ns;             /* one-entry cache: lookups come in runs */
    int ns_late;                /* a namespace is not on the root: some
                                 * responses declare their own */
    unsigned ns_generated;
    apr_size_t stamp;           /* per rendering pass (never wraps) */

    ms_doc_rules rules;
    ms_qn **want;               /* rules.want, interned */
    apr_uint64_t want_bits;     /* their bits, when every one has one */
    int rules_complete_only;    /* no propname, atomic or minimal rule */
    apr_size_t nqn;             /* names interned (the first 64 get bits) */
    apr_size_t mark;            /* last mark given to ms_qn.mark */
    qcache_entry qcache[QCACHE_SIZE];
    int base_done;              /* the request-URI's response was rendered */
    char *held;                 /* rendered responses waiting for it */
    apr_size_t held_len, held_cap;
    struct apr_file_t *spill;   /* held bytes past HELD_MEM, on disk */
    apr_off_t spilled;

    apr_size_t emitted;         /* responses in the body, the module's own
                                 * included (JSON summary) */
    int json_href_raw;          /* JSON: hrefs need no escaping (ms_json.c) */
    int out_any;                /* a response went into the output stream
                                 * (JSON: a comma before the next one) */
    apr_size_t sum_status[6];   /* JSON summary: status-form responses and */
    apr_size_t sum_props[6];    /* properties, by status class (index 2..5) */
    apr_size_t sum_propstat;    /* propstat-form responses */

    const char *desc;           /* multistatus-level, escaped */
    apr_size_t desc_len;

    char *out;                  /* current output chunk */
    apr_size_t out_len, out_cap;
    chunk *pend_first, *pend_last;
    apr_size_t pend_bytes;
    apr_size_t measured;        /* no_body: bytes not rendered */

    char *scratch;              /* reused for href building */
    apr_size_t scratch_cap;
    /* the last href built by ms_href_build(): its text (in the scratch
     * buffer), length, length once XML-escaped, and whether it is a member
     * below the request-URI (a clean relative path: never the same
     * resource) */
    const char *href_out;
    apr_size_t href_out_len;
    apr_size_t href_xml_len;    /* of the last href built (ms_href_build) */
    int href_member;
    apr_size_t origin_amps, base_amps;  /* their '&' (ms_href_base) */

    int preparing;              /* inside a prepare hook (+1 each), or the
                                 * begin hook (+MS_IN_BEGIN): no close */
    int begun;                  /* begin hook ran */
    int root_written;
    int committed;
    int finished;
    int limited;
    apr_status_t aborted;       /* write failed: client gone */
};

/* ---------------------------------------------------------------- */
/* Status lines, built once: "HTTP/1.1 NNN Reason".                  */

/* ---------------------------------------------------------------- */
/* Small shared predicates                                           */

static APR_INLINE int ms_status_ok(int status)
{
    return status >= 200 && status <= 599;
}

/* A propstat with nothing to render (the rules may have emptied it). */
static APR_INLINE int ms_propstat_empty(const ms_propstat *ps)
{
    return !ps->first && !ps->desc && !ps->err && !ps->keep;
}

/* Append @a p to the properties of @a ps (ms_fill.c, ms_rules.c). */
static APR_INLINE void ms_propstat_append(ms_propstat *ps, ms_prop *p)
{
    p->next = NULL;
    if (ps->last)
        ps->last->next = p;
    else
        ps->first = p;
    ps->last = p;
}

/* ---------------------------------------------------------------- */
/* The writer of the renderers (ms_writer.c, ms_json.c)              */

/* A writer writes into [p, end) and always counts in n; when a piece does
 * not fit (or p is NULL from the start) it stops writing and only counts,
 * so the caller can reserve n bytes and render again. */
typedef struct {
    char *p, *end;
    apr_size_t n;
} ms_writer;

static APR_INLINE int room(ms_writer *w, apr_size_t len)
{
    if (w->p && (apr_size_t)(w->end - w->p) < len)
        w->p = NULL;
    return w->p != NULL;
}

/* memcpy, with the short copies of tags and values inline (two
 * overlapping 8-byte moves): a call costs more than such a copy. */
static APR_INLINE char *ms_copy(char *d, const char *s, apr_size_t n)
{
    if (n >= 8 && n <= 16) {
        apr_uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &b, 8);
    }
    else if (n > 16 && n <= 32) {
        apr_uint64_t a, b, c, e;
        memcpy(&a, s, 8);
        memcpy(&b, s + 8, 8);
        memcpy(&c, s + n - 16, 8);
        memcpy(&e, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + 8, &b, 8);
        memcpy(d + n - 16, &c, 8);
        memcpy(d + n - 8, &e, 8);
    }
    else {
        memcpy(d, s, n);
    }
    return d + n;
}

static APR_INLINE void put(ms_writer *w, const char *s, apr_size_t len)
{
    if (room(w, len))
        w->p = ms_copy(w->p, s, len);
    w->n += len;
}

static APR_INLINE void writer_at(ms_writer *w, char *p, apr_size_t size)
{
    w->p = p;
    w->end = p + size;
    w->n = 0;
}
#define PUTS(w, lit) put((w), (lit), sizeof(lit) - 1)

/* ---------------------------------------------------------------- */
/* ms_ns.c                                                           */

/* The namespace of @a uri, created on first use (NULL with *why set when
 * unusable).  Before the root is written, new ones go on the root. */
ms_ns *ms_ns_get(ms_doc *doc, const char *uri, const char **why);

/* The interned name {ns}name, created (and checked) on first use.  NULL
 * with *why set when the namespace or the name is unusable. */
ms_qn *ms_qn_get(ms_doc *doc, const char *ns, const char *name,
                 const char **why);

/* ---------------------------------------------------------------- */
/* ms_href.c (the document-aware part; ms_href.h has the primitives)  */

/* Build the href of @a path (a decoded path, or an encoded href when
 * @a encoded) in the document's scratch buffer; on success doc->href_out
 * points into it (valid until the next call), with doc->href_out_len,
 * doc->href_xml_len and doc->href_member.  (In the document, not in
 * out-parameters: a local whose address is taken costs the hot caller a
 * stack-protector check.)  Returns a message on refusal. */
const char *ms_href_build(ms_doc *doc, const char *path, int encoded);

/* Do two hrefs name the same resource (a collection's trailing slash
 * being optional)? */
static APR_INLINE int ms_href_same_resource(const char *a, apr_size_t alen,
                                            const char *b, apr_size_t blen)
{
    if (alen && a[alen - 1] == '/')
        alen--;
    if (blen && b[blen - 1] == '/')
        blen--;
    return alen == blen && memcmp(a, b, alen) == 0;
}

/* The request-URI's own href, set up once at document creation. */
void ms_href_base(ms_doc *doc);

/* Free the scratch buffer (document cleanup). */
void ms_href_release(ms_doc *doc);

/* ---------------------------------------------------------------- */
/* ms_model.c                                                        */

/* Tell the owner why a call was refused (io->refused) and return @a rv. */
apr_status_t ms_model_refuse(ms_doc *doc, apr_status_t rv, const char *href,
                             const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The slow path of the two below: says why (@a resp: a close). */
apr_status_t ms_model_unusable(ms_doc *doc, ms_response *resp);
/* APR_SUCCESS, or why nothing may be registered any more. */
static APR_INLINE apr_status_t ms_model_usable(ms_doc *doc)
{
    if (doc->finished || doc->aborted)
        return ms_model_unusable(doc, NULL);
    return APR_SUCCESS;
}
/* As ms_model_usable(), and a close is refused inside a prepare hook. */
static APR_INLINE apr_status_t ms_model_resp_usable(ms_response *resp,
                                                    int closing)
{
    ms_doc *doc = resp->doc;

    if (doc->finished || doc->aborted)
        return ms_model_unusable(doc, NULL);
    if (closing && doc->preparing)
        return ms_model_unusable(doc, resp);
    return APR_SUCCESS;
}

/* Allocation in a response's arena (freed with the response). */
void *ms_model_alloc_slow(ms_response *resp, apr_size_t n);
static APR_INLINE void *ms_model_alloc(ms_response *resp, apr_size_t n)
{
    ms_block *b = resp->cur;
    void *p;

    n = ALIGN(n);
    if (b->size - b->used < n)
        return ms_model_alloc_slow(resp, n);
    p = (char *)b + BLOCK_HDR + b->used;
    b->used += n;
    return p;
}
/* Give back the last allocation of @a n bytes (ms_model_alloc() always
 * allocates from resp->cur, also after making a new block). */
static APR_INLINE void ms_model_unalloc(ms_response *resp, apr_size_t n)
{
    resp->cur->used -= ALIGN(n);
}
static APR_INLINE char *ms_model_strdup(ms_response *resp, const char *s,
                                        apr_size_t len)
{
    char *p = ms_model_alloc(resp, len + 1);
    *ms_copy(p, s, len) = '\0';
    return p;
}

/* What every call that carries a status checks: the response is usable,
 * the status is in 200..599, and status XOR propstat holds (@a propstat:
 * the call adds to the propstats; @a what names it in the log). */
apr_status_t ms_model_check_status_slow(ms_response *resp, int status,
                                        int propstat, const char *what);
static APR_INLINE apr_status_t ms_model_check_status(ms_response *resp,
                                                     int status, int propstat,
                                                     const char *what)
{
    const ms_doc *doc = resp->doc;

    if (!doc->finished && !doc->aborted && ms_status_ok(status)
        && (propstat ? resp->status == 0 : resp->ps_first == NULL))
        return APR_SUCCESS;
    return ms_model_check_status_slow(resp, status, propstat, what);
}

/* Check and escape text into @a resp's arena (or the document's pool). */
apr_status_t ms_model_prep_text(ms_doc *doc, ms_response *resp,
                                const char *what, const char *text,
                                const char **out, apr_size_t *out_len);

/* The propstat of @a status, created empty at the end if missing. */
ms_propstat *ms_model_propstat_get(ms_response *resp, int status);
/* Find a property by name; unlink it from its propstat if @a unlink. */
ms_prop *ms_model_prop_find(ms_response *resp, const ms_qn *qn, int unlink);

/* Take an open response off the open list (inline: once per response). */
static APR_INLINE void ms_model_unlink(ms_response *resp)
{
    ms_doc *doc = resp->doc;

    if (doc->open_by_href)
        apr_hash_set(doc->open_by_href, resp->href, resp->href_len, NULL);
    if (resp->prev)
        resp->prev->next = resp->next;
    else
        doc->open_first = resp->next;
    if (resp->next)
        resp->next->prev = resp->prev;
    else
        doc->open_last = resp->prev;
    doc->open_count--;
}
/* Free a response's memory (its first block is kept for reuse). */
void ms_model_free(ms_response *resp);
/* Free every open response without rendering (cleanup, failure). */
void ms_model_drop_open(ms_doc *doc);
/* The next open result in opening order (full or light, the light one
 * turned into a full response now), or NULL. */
ms_response *ms_model_next_open(ms_doc *doc);
/* Free the light store. */
void ms_model_light_release(ms_doc *doc);

/* ---------------------------------------------------------------- */
/* ms_rules.c                                                        */

/* Apply the property-method rules to @a resp, just before rendering.
 * The test in front is the whole work for a status-form response. */
void ms_rules_apply_props(ms_response *resp);
static APR_INLINE void ms_rules_apply(ms_response *resp)
{
    const ms_doc *doc = resp->doc;

    if (resp->is_base && doc->rules.noroot)
        resp->hidden = 1;
    if (resp->status || resp->hidden)
        return;
    /* only completeness to check, and every requested name answered */
    if (doc->rules_complete_only
        && (!doc->rules.nwant
            || (doc->want_bits && !(doc->want_bits & ~resp->has))))
        return;
    ms_rules_apply_props(resp);
}

/* ---------------------------------------------------------------- */
/* ms_json.c: the JSON renderer (docs/multistatus.schema.json)       */

/* Build the tables (once, before threads: ms_doc_init). */
void ms_json_init(void);
/* At document creation: what the renderer decides once per document. */
void ms_json_setup(ms_doc *doc);
/* The start of the document, up to the opening of the responses. */
void ms_json_prolog(ms_writer *w, ms_doc *doc);
/* One response; @a comma: one goes before it. */
void ms_json_response(ms_writer *w, const ms_response *resp, int comma);
/* A response for the request-URI that the module adds itself. */
void ms_json_own(ms_writer *w, ms_doc *doc, int status, const char *why,
                 int comma);
/* The end: the description, the summary, the closing brace. */
void ms_json_tail(ms_writer *w, ms_doc *doc);
/* Count @a resp (rendered once) into the summary. */
void ms_json_count(ms_doc *doc, const ms_response *resp);

/* ---------------------------------------------------------------- */
/* ms_writer.c                                                       */

/* Build the status lines (once, before threads). */
void ms_out_init(void);
/* Run the begin callback once. */
void ms_out_begin(ms_doc *doc);
/* Prepare (hooks), apply the rules, render @a resp unless hidden, and
 * free it.  Commits a streamed body when the buffer is exceeded. */
apr_status_t ms_out_render(ms_response *resp);
/* Commit as a streamed body (no-op once committed). */
apr_status_t ms_out_commit_streaming(ms_doc *doc);
/* Hand the current chunk to the owner (or queue it before commit). */
apr_status_t ms_out_ship(ms_doc *doc, int how);
/* A response for the request-URI that the module adds itself. */
void ms_out_own(ms_doc *doc, int status, const char *why);
/* The 507 if limited, the description, the end tag; commit if not yet. */
apr_status_t ms_out_finish(ms_doc *doc);
/* Free the output buffers (document cleanup). */
void ms_out_release(ms_doc *doc);

#endif /* MS_DOC_INT_H */
