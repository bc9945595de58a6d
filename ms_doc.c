/*
 * ms_doc.c: the 207 document model and renderer (APR only, no httpd).
 *
 * Design, in short (ms_doc.h has the contracts):
 *  - A response lives in a malloc'd arena of its own (first block recycled
 *    through a small spare list), so closing it returns its memory at once.
 *  - Rendering a response is done in two passes of the same function: one
 *    that only counts bytes, one that writes them into space reserved in the
 *    output chunk.  Sharing one function keeps the two in step.
 *  - Output chunks are malloc'd; before commit they queue in the document,
 *    after it they are handed to io->write() as soon as they fill.
 *  - The root start tag is rendered last-minute, at commit, so that every
 *    namespace seen before the body starts is declared once on it.  A
 *    namespace first seen after commit is declared on each response that
 *    uses it.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "apr_hash.h"
#include "apr_lib.h"
#include "apr_strings.h"

#include "ms_xml.h"
#include "ms_doc.h"

#define CHUNK_SIZE   65536   /* output chunk: fewer, bigger socket writes */
#define BLOCK_FIRST  1024    /* a response's first arena block */
#define MAX_SPARES   8       /* first blocks kept for reuse */
#define OPEN_SCAN_MAX 16       /* open responses found by a scan, not a hash */
#define ALIGN(n)     (((n) + 7) & ~(apr_size_t)7)

typedef struct ms_ns {
    const char *uri;
    const char *prefix;
    apr_size_t plen;
    const char *uri_attr;       /* escaped for an attribute value */
    apr_size_t uri_attr_len;
    int on_root;                /* declared on the root element */
    apr_uint32_t stamp;         /* last response that declared it */
    struct ms_ns *next;         /* in creation order */
    apr_hash_t *names;          /* its interned names (ms_qn), by name */
} ms_ns;

/* A qualified name, checked once per document and kept with its tags
 * ready to copy: property names repeat on every response of a listing. */
typedef struct ms_qn {
    ms_ns *ns;
    const char *name;
    const char *open;           /* "<P:name" */
    apr_size_t open_len;
    const char *close;          /* "</P:name>" */
    apr_size_t close_len;
} ms_qn;

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
    ms_doc *doc;
    ms_block *blocks;           /* the arena; this struct is in the first */
    ms_block *cur;              /* the block allocations come from */
    ms_response *prev, *next;   /* open responses, in open order */
    const char *href;           /* URI form, not XML-escaped */
    apr_size_t href_len;
    apr_size_t href_xml_len;
    const char *path;           /* decoded path, or NULL (made on demand) */
    int path_done;
    int status;                 /* 0: propstat form (or nothing yet) */
    const char *location;       /* URI form */
    apr_size_t location_len;
    ms_qn *err;
    const char *desc;
    apr_size_t desc_len;
    ms_propstat *ps_first, *ps_last;
    int hidden;
    int is_base;                /* the request-URI's own response */
};

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

    apr_hash_t *open_by_href;   /* used once many responses are open */
    ms_response *open_first, *open_last;
    apr_size_t open_count;
    apr_size_t opened;          /* responses ever opened (for the limit) */
    apr_size_t rendered;
    ms_block *spares;
    apr_size_t nspares;

    apr_hash_t *ns_by_uri;
    ms_ns *dav;
    ms_ns *ns_first, *ns_last;
    ms_ns *last_ns;             /* one-entry cache: lookups come in runs */
    unsigned ns_generated;
    apr_uint32_t stamp;

    ms_doc_rules rules;
    ms_qn **want;               /* rules.want, interned */
    qcache_entry qcache[QCACHE_SIZE];
    int base_done;              /* the request-URI's response was rendered */
    char *held;                 /* rendered responses waiting for it */
    apr_size_t held_len, held_cap;

    const char *desc;           /* multistatus-level, escaped */
    apr_size_t desc_len;

    char *out;                  /* current output chunk */
    apr_size_t out_len, out_cap;
    chunk *pend_first, *pend_last;
    apr_size_t pend_bytes;

    char *scratch;              /* reused for href building */
    apr_size_t scratch_cap;

    int preparing;              /* inside a prepare hook */
    int begun;                  /* begin hook ran */
    int root_written;
    int committed;
    int finished;
    int limited;
    apr_status_t aborted;       /* write failed: client gone */
};

/* ---------------------------------------------------------------- */
/* Status lines, built once: "HTTP/1.1 NNN Reason".                  */

static const char *status_line[600];
static apr_size_t status_line_len[600];

static void build_status_lines(void)
{
    static char store[400 * 48];
    char *p = store;
    int s;

    for (s = 200; s < 600; s++) {
        int n = apr_snprintf(p, 48, "HTTP/1.1 %d %s", s, ms_status_reason(s));
        status_line[s] = p;
        status_line_len[s] = (apr_size_t)n;
        p += n + 1;
    }
}

void ms_doc_init(void)
{
    ms_xml_init();
    if (!status_line[200])
        build_status_lines();
}

static int status_ok(int status)
{
    return status >= 200 && status <= 599;
}

/* ---------------------------------------------------------------- */
/* Refusals                                                          */

static apr_status_t refuse(ms_doc *doc, apr_status_t rv, const char *href,
                           const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    apr_size_t n;

    va_start(ap, fmt);
    n = apr_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (href && n < sizeof(msg))
        apr_snprintf(msg + n, sizeof(msg) - n, " (href %.200s)", href);
    if (doc->io.refused)
        doc->io.refused(doc->io.baton, rv, msg);
    return rv;
}

static apr_status_t usable(ms_doc *doc)
{
    if (doc->finished)
        return refuse(doc, MS_EFINISHED, NULL,
                      "registration after the body was finished");
    if (doc->aborted)
        return MS_EABORTED;     /* quiet: the client left, logged once */
    return APR_SUCCESS;
}

static apr_status_t resp_usable(ms_response *resp, int closing)
{
    apr_status_t rv = usable(resp->doc);

    if (rv == APR_SUCCESS && closing && resp->doc->preparing)
        rv = refuse(resp->doc, MS_EINVAL, resp->href,
                    "responses cannot be closed from a prepare hook");
    return rv;
}

/* ---------------------------------------------------------------- */
/* Arenas                                                            */

static void *ralloc(ms_response *resp, apr_size_t n)
{
    ms_block *b = resp->cur;
    void *p;

    n = ALIGN(n);
    if (b->size - b->used < n) {
        apr_size_t size = b->size * 2;
        while (size < n)
            size *= 2;
        b = malloc(BLOCK_HDR + size);
        if (!b)
            abort();            /* as apr_palloc does when out of memory */
        b->size = size;
        b->used = 0;
        /* the first block holds the response itself: keep it first */
        b->next = resp->blocks->next;
        resp->blocks->next = b;
        resp->cur = b;
    }
    p = (char *)b + BLOCK_HDR + b->used;
    b->used += n;
    return p;
}

static char *rstrdup(ms_response *resp, const char *s, apr_size_t len)
{
    char *p = ralloc(resp, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

static ms_response *response_new(ms_doc *doc)
{
    ms_block *b;
    ms_response *resp;

    if (doc->spares) {
        b = doc->spares;
        doc->spares = b->next;
        doc->nspares--;
    }
    else {
        b = malloc(BLOCK_HDR + BLOCK_FIRST);
        if (!b)
            abort();
        b->size = BLOCK_FIRST;
    }
    b->next = NULL;
    b->used = ALIGN(sizeof(ms_response));
    resp = (ms_response *)((char *)b + BLOCK_HDR);
    memset(resp, 0, sizeof(*resp));
    resp->doc = doc;
    resp->blocks = b;
    resp->cur = b;
    return resp;
}

static void response_free(ms_response *resp)
{
    ms_doc *doc = resp->doc;
    ms_block *b = resp->blocks, *next;

    /* the first block is the one that holds resp: recycle it */
    next = b->next;
    if (doc->nspares < MAX_SPARES) {
        b->next = doc->spares;
        doc->spares = b;
        doc->nspares++;
    }
    else {
        free(b);
    }
    for (b = next; b; b = next) {
        next = b->next;
        free(b);
    }
}

static void unlink_open(ms_response *resp)
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

/* ---------------------------------------------------------------- */
/* Document                                                          */

static apr_status_t doc_cleanup(void *data)
{
    ms_doc *doc = data;
    ms_response *resp, *next;
    chunk *c, *cn;
    ms_block *b, *bn;

    for (resp = doc->open_first; resp; resp = next) {
        next = resp->next;
        response_free(resp);
    }
    doc->open_first = doc->open_last = NULL;
    for (c = doc->pend_first; c; c = cn) {
        cn = c->next;
        free(c->buf);
        free(c);
    }
    doc->pend_first = doc->pend_last = NULL;
    for (b = doc->spares; b; b = bn) {
        bn = b->next;
        free(b);
    }
    doc->spares = NULL;
    free(doc->out);
    doc->out = NULL;
    free(doc->scratch);
    doc->scratch = NULL;
    free(doc->held);
    doc->held = NULL;
    return APR_SUCCESS;
}

static char *scratch_get(ms_doc *doc, apr_size_t n)
{
    if (n > doc->scratch_cap) {
        apr_size_t cap = doc->scratch_cap ? doc->scratch_cap : 1024;
        while (cap < n)
            cap *= 2;
        free(doc->scratch);
        doc->scratch = malloc(cap);
        if (!doc->scratch)
            abort();
        doc->scratch_cap = cap;
    }
    return doc->scratch;
}

ms_doc *ms_doc_create(apr_pool_t *pool, const ms_doc_io *io,
                      const ms_doc_opts *opts)
{
    ms_doc *doc = apr_pcalloc(pool, sizeof(*doc));
    apr_size_t n;
    char *p, *e;

    ms_doc_init();
    doc->pool = pool;
    doc->io = *io;
    doc->opts = *opts;
    doc->opts.base_path = opts->base_path && *opts->base_path == '/'
                          ? opts->base_path : "/";
    doc->opts.origin = opts->origin ? opts->origin : "";
    doc->origin_len = strlen(doc->opts.origin);
    doc->base_len = strlen(doc->opts.base_path);
    doc->ns_by_uri = apr_hash_make(pool);

    doc->dav = apr_pcalloc(pool, sizeof(ms_ns));
    doc->dav->uri = "DAV:";
    doc->dav->prefix = "D";
    doc->dav->plen = 1;
    doc->dav->uri_attr = "DAV:";
    doc->dav->uri_attr_len = 4;
    doc->dav->on_root = 1;

    /* the request-URI's own href, for the responses the module adds */
    n = doc->base_len;
    p = apr_palloc(pool, n + 1);
    memcpy(p, doc->opts.base_path, n);
    n = ms_path_normalize(p, n);
    p[n] = '\0';
    doc->base_norm = p;
    doc->base_norm_len = n;
    doc->base_enc_len = ms_href_path_len(p, n);
    e = apr_palloc(pool, doc->origin_len + doc->base_enc_len + 1);
    memcpy(e, doc->opts.origin, doc->origin_len);
    *ms_href_path_to(e + doc->origin_len, p, n) = '\0';
    doc->base_enc = e + doc->origin_len;
    doc->base_href = doc->opts.absolute_uri ? e : doc->base_enc;
    doc->base_href_len = strlen(doc->base_href);

    apr_pool_cleanup_register(pool, doc, doc_cleanup, apr_pool_cleanup_null);
    return doc;
}

int ms_doc_committed(const ms_doc *doc) { return doc->committed; }
int ms_doc_finished(const ms_doc *doc) { return doc->finished; }
apr_size_t ms_doc_count(const ms_doc *doc) { return doc->rendered; }
apr_size_t ms_doc_open_count(const ms_doc *doc) { return doc->open_count; }
ms_doc *ms_doc_of(const ms_response *resp) { return resp->doc; }

/* ---------------------------------------------------------------- */
/* Namespaces                                                        */

static const struct { const char *uri, *prefix; } well_known[] = {
    { "urn:ietf:params:xml:ns:caldav",  "C" },
    { "urn:ietf:params:xml:ns:carddav", "CARD" },
    { "http://calendarserver.org/ns/",  "CS" },
    { "http://apple.com/ns/ical/",      "ICAL" },
    { "http://owncloud.org/ns",         "oc" },
    { "http://nextcloud.org/ns",        "nc" },
    { "http://sabredav.org/ns",         "s" },
    { "urn:schemas-microsoft-com:",     "Z" },
    { NULL, NULL }
};

static ms_ns *ns_get(ms_doc *doc, const char *uri, const char **why)
{
    ms_ns *ns;
    apr_size_t len, esc;
    const char *bad;
    char *p;
    int i;

    if (!uri || !*uri) {
        *why = "an empty namespace URI";
        return NULL;
    }
    if (uri[0] == 'D' && strcmp(uri, "DAV:") == 0)
        return doc->dav;
    if (doc->last_ns && strcmp(uri, doc->last_ns->uri) == 0)
        return doc->last_ns;
    len = strlen(uri);
    ns = apr_hash_get(doc->ns_by_uri, uri, len);
    if (!ns) {
        bad = ms_xml_text_check(uri, len, 1, &esc);
        if (bad) {
            *why = apr_pstrcat(doc->pool, "a namespace URI holding ", bad,
                               NULL);
            return NULL;
        }
        ns = apr_pcalloc(doc->pool, sizeof(*ns));
        ns->uri = apr_pstrmemdup(doc->pool, uri, len);
        p = apr_palloc(doc->pool, esc + 1);
        *ms_xml_text_to(p, uri, len, 1) = '\0';
        ns->uri_attr = p;
        ns->uri_attr_len = esc;
        for (i = 0; well_known[i].uri; i++) {
            if (strcmp(uri, well_known[i].uri) == 0) {
                ns->prefix = well_known[i].prefix;
                break;
            }
        }
        if (!ns->prefix)
            ns->prefix = apr_psprintf(doc->pool, "ns%u", ++doc->ns_generated);
        ns->plen = strlen(ns->prefix);
        /* before the root is written, everything goes on the root */
        ns->on_root = !doc->root_written;
        if (doc->ns_last)
            doc->ns_last->next = ns;
        else
            doc->ns_first = ns;
        doc->ns_last = ns;
        apr_hash_set(doc->ns_by_uri, ns->uri, len, ns);
    }
    doc->last_ns = ns;
    return ns;
}

/* The interned name {ns}name, created (and checked) on first use.  NULL
 * with *why set when the namespace or the name is unusable. */
static ms_qn *qn_get(ms_doc *doc, const char *ns, const char *name,
                     const char **why)
{
    qcache_entry *ce = &doc->qcache[(((apr_uintptr_t)name >> 3)
                                     ^ ((apr_uintptr_t)ns >> 4))
                                    % QCACHE_SIZE];
    ms_ns *n;
    ms_qn *qn;
    apr_size_t len, plen;
    char *t;

    if (ce->qn && ce->name_ptr == name && ce->ns_ptr == ns && ns && name
        && strcmp(ce->qn->name, name) == 0
        && strcmp(ce->qn->ns->uri, ns) == 0)
        return ce->qn;
    n = ns_get(doc, ns, why);
    if (!n)
        return NULL;
    if (!name || !*name) {
        *why = "an empty local name";
        return NULL;
    }
    len = strlen(name);
    qn = n->names ? apr_hash_get(n->names, name, len) : NULL;
    if (!qn) {
        if (!ms_xml_is_ncname(name)) {
            *why = apr_psprintf(doc->pool, "a local name that is not an XML "
                                "name: '%.80s'", name);
            return NULL;
        }
        if (!n->names)
            n->names = apr_hash_make(doc->pool);
        plen = n->plen;
        qn = apr_palloc(doc->pool, sizeof(*qn));
        qn->ns = n;
        qn->name = apr_pstrmemdup(doc->pool, name, len);
        t = apr_palloc(doc->pool, 1 + plen + 1 + len + 1);
        t[0] = '<';
        memcpy(t + 1, n->prefix, plen);
        t[1 + plen] = ':';
        memcpy(t + 2 + plen, name, len + 1);
        qn->open = t;
        qn->open_len = 2 + plen + len;
        qn->close = apr_pstrcat(doc->pool, "</", n->prefix, ":", name, ">",
                                NULL);
        qn->close_len = qn->open_len + 2;
        apr_hash_set(n->names, qn->name, len, qn);
    }
    ce->ns_ptr = ns;
    ce->name_ptr = name;
    ce->qn = qn;
    return qn;
}

apr_status_t ms_doc_declare_ns(ms_doc *doc, const char *uri)
{
    const char *why = NULL;
    apr_status_t rv = usable(doc);

    if (rv)
        return rv;
    if (!ns_get(doc, uri, &why))
        return refuse(doc, MS_EINVAL, NULL, "cannot declare namespace: %s",
                      why);
    return APR_SUCCESS;
}

/* ---------------------------------------------------------------- */
/* Text                                                              */

/* Check and escape text, into @a resp's arena (or the document's pool). */
static apr_status_t prep_text(ms_doc *doc, ms_response *resp,
                              const char *what, const char *text,
                              const char **out, apr_size_t *out_len)
{
    apr_size_t len, esc;
    const char *bad;
    char *p;

    if (!text)
        return refuse(doc, MS_EINVAL, resp ? resp->href : NULL,
                      "%s is NULL", what);
    len = strlen(text);
    bad = ms_xml_text_check(text, len, 0, &esc);
    if (bad)
        return refuse(doc, MS_EINVAL, resp ? resp->href : NULL,
                      "%s holds %s", what, bad);
    p = resp ? ralloc(resp, esc + 1) : apr_palloc(doc->pool, esc + 1);
    if (esc == len)
        memcpy(p, text, len + 1);       /* nothing to escape */
    else
        *ms_xml_text_to(p, text, len, 0) = '\0';
    *out = p;
    *out_len = esc;
    return APR_SUCCESS;
}

static apr_status_t prep_qname(ms_response *resp, const char *what,
                               const char *ns, const char *name,
                               ms_qn **out)
{
    const char *why = NULL;

    *out = qn_get(resp->doc, ns, name, &why);
    if (!*out)
        return refuse(resp->doc, MS_EINVAL, resp->href, "%s with %s", what,
                      why);
    return APR_SUCCESS;
}

/* ---------------------------------------------------------------- */
/* hrefs                                                             */

/* Does a path hold "//", "." or ".." segments?  Most never do, and then
 * the normalization (a copy and a second scan) can be skipped. */
static int needs_normalize(const char *s, apr_size_t len)
{
    const char *p = s, *end = s + len;

    if (p < end && *p == '/')
        p++;                    /* the root of an absolute path */
    for (;;) {
        /* p is at the start of a segment */
        if (p < end && (*p == '/' || (*p == '.'
            && (p + 1 == end || p[1] == '/'
                || (p[1] == '.' && (p + 2 == end || p[2] == '/'))))))
            return 1;
        p = memchr(p, '/', (apr_size_t)(end - p));
        if (!p)
            return 0;
        p++;
    }
}

/* The fast path of build_href(): an unescaped path without anything to
 * normalize, appended to the (normalized) base when relative. */
static void build_clean(ms_doc *doc, const char *path, apr_size_t len,
                        const char **href, apr_size_t *href_len)
{
    int rel = path[0] != '/';
    int slash = rel && doc->base_norm[doc->base_norm_len - 1] != '/';
    char *h = scratch_get(doc, doc->origin_len + doc->base_enc_len + 1
                               + 3 * len + 1);
    char *e = h;

    if (doc->opts.absolute_uri) {
        memcpy(e, doc->opts.origin, doc->origin_len);
        e += doc->origin_len;
    }
    if (rel) {
        memcpy(e, doc->base_enc, doc->base_enc_len);
        e += doc->base_enc_len;
        if (slash)
            *e++ = '/';
    }
    e = ms_href_path_to(e, path, len);
    *e = '\0';
    *href = h;
    *href_len = (apr_size_t)(e - h);
}

/* Build the href of @a path in the scratch buffer; on success *href points
 * into it.  Returns a message on refusal. */

static const char *build_href(ms_doc *doc, const char *path, int encoded,
                              const char **href, apr_size_t *href_len)
{
    apr_size_t len = strlen(path), n, blen, qlen = 0;
    const char *query = NULL, *base;
    char *s, *h, *e;
    int rel;

    if (encoded) {
        const char *bad, *c;
        /* an absolute URI is only taken for this very server */
        if (doc->origin_len && strncasecmp(path, doc->opts.origin,
                                           doc->origin_len) == 0
            && path[doc->origin_len] == '/') {
            path += doc->origin_len;
            len -= doc->origin_len;
        }
        else {
            for (c = path; apr_isalnum(*c) || *c == '+' || *c == '-'
                           || *c == '.'; c++)
                ;
            if (*c == ':' && apr_isalpha(*path))
                return "an absolute URI that is not of this server";
        }
        bad = ms_href_check_encoded(path, len);
        if (bad)
            return bad;
        query = memchr(path, '?', len);
        if (query) {
            qlen = len - (apr_size_t)(query - path);
            len -= qlen;
        }
        base = doc->base_enc;
        blen = doc->base_enc_len;
    }
    else {
        if (!needs_normalize(path, len)) {
            build_clean(doc, path, len, href, href_len);
            return NULL;
        }
        base = doc->base_norm;
        blen = doc->base_norm_len;
    }
    /* scratch layout: [joined path][NUL][href: origin, path, query][NUL] */
    rel = path[0] != '/';
    n = (rel ? blen + 1 : 0) + len;
    s = scratch_get(doc, n + 1 + doc->origin_len + (encoded ? n : 3 * n)
                         + qlen + 1);
    e = s;
    if (rel) {
        memcpy(e, base, blen);
        e += blen;
        *e++ = '/';
    }
    memcpy(e, path, len);
    n = ms_path_normalize(s, n);
    s[n] = '\0';
    h = e = s + n + 1;
    if (doc->opts.absolute_uri) {
        memcpy(e, doc->opts.origin, doc->origin_len);
        e += doc->origin_len;
    }
    if (encoded) {
        memcpy(e, s, n);
        e += n;
        if (qlen) {
            memcpy(e, query, qlen);
            e += qlen;
        }
    }
    else {
        e = ms_href_path_to(e, s, n);
    }
    *e = '\0';
    *href = h;
    *href_len = (apr_size_t)(e - h);
    return NULL;
}

/* The open response of @a href.  Handlers that close as they go have one
 * or two open at a time: a scan beats hashing every href three times. */
static ms_response *find_open(ms_doc *doc, const char *href, apr_size_t len)
{
    ms_response *o;

    if (doc->open_by_href)
        return apr_hash_get(doc->open_by_href, href, len);
    for (o = doc->open_last; o; o = o->prev) {
        if (o->href_len == len && memcmp(o->href, href, len) == 0)
            return o;
    }
    return NULL;
}

/* Do two hrefs name the same resource (a collection's trailing slash
 * being optional)? */
static int same_resource(const char *a, apr_size_t alen, const char *b,
                         apr_size_t blen)
{
    if (alen && a[alen - 1] == '/')
        alen--;
    if (blen && b[blen - 1] == '/')
        blen--;
    return alen == blen && memcmp(a, b, alen) == 0;
}

apr_status_t ms_doc_open(ms_doc *doc, const char *path, int encoded,
                         ms_response **out)
{
    return ms_doc_open_ex(doc, path, encoded, out, NULL);
}

apr_status_t ms_doc_open_ex(ms_doc *doc, const char *path, int encoded,
                            ms_response **out, int *created)
{
    ms_response *resp;
    const char *href, *bad;
    apr_size_t href_len;
    apr_status_t rv;

    if (out)
        *out = NULL;
    if ((rv = usable(doc)) != APR_SUCCESS)
        return rv;
    if (!out)
        return refuse(doc, MS_EINVAL, path, "NULL response pointer");
    if (!path || !*path)
        return refuse(doc, MS_EINVAL, NULL, "%s href",
                      path ? "an empty" : "a NULL");
    bad = build_href(doc, path, encoded, &href, &href_len);
    if (bad)
        return refuse(doc, MS_EINVAL, path, "href refused: %s", bad);
    resp = find_open(doc, href, href_len);
    if (created)
        *created = resp == NULL;
    if (resp) {
        *out = resp;
        return APR_SUCCESS;
    }
    if (doc->opts.max_responses && doc->opened >= doc->opts.max_responses) {
        if (!doc->limited) {
            doc->limited = 1;
            return refuse(doc, MS_ELIMIT, href,
                          "MultiStatusMaxResponses (%" APR_SIZE_T_FMT
                          ") reached: the body will end with a 507",
                          doc->opts.max_responses);
        }
        return MS_ELIMIT;
    }
    resp = response_new(doc);
    resp->href = rstrdup(resp, href, href_len);
    resp->href_len = href_len;
    resp->href_xml_len = ms_href_xml_len(href, href_len);
    /* the decoded path is made on demand (hooks ask for it, few do) */
    resp->is_base = same_resource(href, href_len, doc->base_href,
                                  doc->base_href_len);
    resp->prev = doc->open_last;
    if (doc->open_last)
        doc->open_last->next = resp;
    else
        doc->open_first = resp;
    doc->open_last = resp;
    doc->open_count++;
    doc->opened++;
    if (doc->open_by_href) {
        apr_hash_set(doc->open_by_href, resp->href, href_len, resp);
    }
    else if (doc->open_count > OPEN_SCAN_MAX) {
        /* many open at once (a buffering handler): index them */
        ms_response *o;
        doc->open_by_href = apr_hash_make(doc->pool);
        for (o = doc->open_first; o; o = o->next)
            apr_hash_set(doc->open_by_href, o->href, o->href_len, o);
    }
    *out = resp;
    return APR_SUCCESS;
}

const char *ms_doc_response_href(const ms_response *resp)
{
    return resp->href;
}

const char *ms_doc_response_path(const ms_response *resp)
{
    ms_response *r = (ms_response *)resp;   /* a cache, not a change */
    const ms_doc *doc = resp->doc;
    const char *h = resp->href;
    apr_size_t len = resp->href_len;
    const char *q;
    char *p;

    if (r->path_done)
        return r->path;
    r->path_done = 1;
    if (doc->opts.absolute_uri) {
        h += doc->origin_len;
        len -= doc->origin_len;
    }
    q = memchr(h, '?', len);            /* a query is not part of a path */
    if (q)
        len = (apr_size_t)(q - h);
    p = ralloc(r, len + 1);
    r->path = ms_href_decode(p, h, len) == 0 ? p : NULL;
    return r->path;
}

int ms_doc_response_status(const ms_response *resp)
{
    return resp->status;
}

/* ---------------------------------------------------------------- */
/* Filling a response                                                */

/* What every call that carries a status checks: the response is usable,
 * the status is in 200..599, and status XOR propstat holds (@a propstat:
 * the call adds to the propstats; @a what names it in the log). */
static apr_status_t check_status(ms_response *resp, int status, int propstat,
                                 const char *what)
{
    apr_status_t rv = resp_usable(resp, 0);

    if (rv)
        return rv;
    if (!status_ok(status))
        return refuse(resp->doc, MS_EINVAL, resp->href,
                      "status %d is outside 200..599", status);
    if (propstat ? resp->status != 0 : resp->ps_first != NULL)
        return refuse(resp->doc, MS_ECONFLICT, resp->href,
                      "%s for a response that has %s (status and propstat "
                      "are exclusive)", what,
                      propstat ? "a status" : "properties");
    return APR_SUCCESS;
}

apr_status_t ms_doc_set_status(ms_response *resp, int status)
{
    apr_status_t rv = check_status(resp, status, 0, "a status");

    if (rv)
        return rv;
    resp->status = status;
    if (status < 300 || status > 399)
        resp->location = NULL;  /* location is for 3xx only */
    return APR_SUCCESS;
}

apr_status_t ms_doc_set_location(ms_response *resp, const char *path)
{
    ms_doc *doc = resp->doc;
    const char *href, *bad;
    apr_size_t len;
    apr_status_t rv = resp_usable(resp, 0);

    if (rv)
        return rv;
    if (resp->status < 300 || resp->status > 399)
        return refuse(doc, MS_EINVAL, resp->href,
                      "a location needs a 3xx status (status is %d)",
                      resp->status);
    if (!path || !*path)
        return refuse(doc, MS_EINVAL, resp->href, "an empty location");
    bad = build_href(doc, path, 0, &href, &len);
    if (bad)
        return refuse(doc, MS_EINVAL, resp->href, "location refused: %s",
                      bad);
    resp->location = rstrdup(resp, href, len);
    resp->location_len = len;
    return APR_SUCCESS;
}

apr_status_t ms_doc_set_error(ms_response *resp, const char *ns,
                              const char *name)
{
    apr_status_t rv = resp_usable(resp, 0);

    if (rv)
        return rv;
    return prep_qname(resp, "an error element", ns, name, &resp->err);
}

apr_status_t ms_doc_set_description(ms_response *resp, const char *text)
{
    apr_status_t rv = resp_usable(resp, 0);

    if (rv)
        return rv;
    return prep_text(resp->doc, resp, "a responsedescription", text,
                     &resp->desc, &resp->desc_len);
}

static int propstat_empty(const ms_propstat *ps)
{
    return !ps->first && !ps->desc && !ps->err && !ps->keep;
}

static ms_propstat *propstat_get(ms_response *resp, int status)
{
    ms_propstat *ps;

    for (ps = resp->ps_first; ps; ps = ps->next) {
        if (ps->status == status)
            return ps;
    }
    ps = ralloc(resp, sizeof(*ps));
    memset(ps, 0, sizeof(*ps));
    ps->status = status;
    if (resp->ps_last)
        resp->ps_last->next = ps;
    else
        resp->ps_first = ps;
    resp->ps_last = ps;
    return ps;
}

/* Find a property by name; unlink it from its propstat if @a unlink. */
static ms_prop *prop_find(ms_response *resp, const ms_qn *qn, int unlink)
{
    ms_propstat *ps;
    ms_prop *p, *prev;

    for (ps = resp->ps_first; ps; ps = ps->next) {
        for (prev = NULL, p = ps->first; p; prev = p, p = p->next) {
            if (p->qn != qn)
                continue;
            if (unlink) {
                if (prev)
                    prev->next = p->next;
                else
                    ps->first = p->next;
                if (ps->last == p)
                    ps->last = prev;
                p->next = NULL;
            }
            return p;
        }
    }
    return NULL;
}

apr_status_t ms_doc_prop_add(ms_response *resp, const char *ns,
                             const char *name, int status,
                             ms_value_kind kind, const char *value)
{
    ms_doc *doc = resp->doc;
    ms_qn *qn;
    const char *val = NULL, *bad = NULL;
    apr_size_t vlen = 0;
    ms_prop *p;
    ms_propstat *ps;
    apr_status_t rv = check_status(resp, status, 1, "a property");

    if (rv)
        return rv;
    /* name first: its checks are cheap and the message names it */
    qn = qn_get(doc, ns, name, &bad);
    if (!qn)
        return refuse(doc, MS_EINVAL, resp->href, "a property with %s", bad);
    switch (kind) {
    case MS_VALUE_NONE:
        break;
    case MS_VALUE_TEXT:
        rv = prep_text(doc, resp, "a property value", value, &val, &vlen);
        if (rv)
            return rv;
        break;
    case MS_VALUE_XML:
        if (!value)
            return refuse(doc, MS_EINVAL, resp->href,
                          "property %s: NULL XML value", name);
        vlen = strlen(value);
        {
            apr_pool_t *scratch;
            apr_pool_create(&scratch, doc->pool);
            bad = ms_xml_check_fragment(scratch, value, vlen);
            if (bad) {
                rv = refuse(doc, MS_EINVAL, resp->href,
                            "property %s: the XML value is refused: %s",
                            name, bad);
                apr_pool_destroy(scratch);
                return rv;
            }
            apr_pool_destroy(scratch);
        }
        val = rstrdup(resp, value, vlen);
        break;
    default:
        return refuse(doc, MS_EINVAL, resp->href,
                      "property %s: unknown value kind %d", name, (int)kind);
    }
    p = prop_find(resp, qn, 1);
    if (!p) {
        p = ralloc(resp, sizeof(*p));
        memset(p, 0, sizeof(*p));
        p->qn = qn;
    }
    p->kind = kind;
    p->value = val;
    p->value_len = vlen;
    ps = propstat_get(resp, status);
    if (ps->last)
        ps->last->next = p;
    else
        ps->first = p;
    ps->last = p;
    return APR_SUCCESS;
}

apr_status_t ms_doc_prop_set_lang(ms_response *resp, const char *ns,
                                  const char *name, const char *lang)
{
    const char *why = NULL;
    ms_qn *qn;
    ms_prop *p = NULL;
    apr_status_t rv = resp_usable(resp, 0);

    if (rv)
        return rv;
    if (!ms_xml_is_lang(lang))
        return refuse(resp->doc, MS_EINVAL, resp->href,
                      "'%.80s' is not a language tag", lang ? lang : "(null)");
    qn = qn_get(resp->doc, ns, name, &why);
    if (!qn || !(p = prop_find(resp, qn, 0)))
        return refuse(resp->doc, MS_EINVAL, resp->href,
                      "xml:lang for a property that was not added: %.80s",
                      name ? name : "(null)");
    p->lang_len = strlen(lang);
    p->lang = rstrdup(resp, lang, p->lang_len);
    return APR_SUCCESS;
}

apr_status_t ms_doc_propstat_set_description(ms_response *resp, int status,
                                             const char *text)
{
    const char *d;
    apr_size_t dl;
    ms_propstat *ps;
    apr_status_t rv = check_status(resp, status, 1,
                                   "a propstat description");

    if (rv)
        return rv;
    rv = prep_text(resp->doc, resp, "a propstat responsedescription", text,
                   &d, &dl);
    if (rv)
        return rv;
    ps = propstat_get(resp, status);
    ps->desc = d;
    ps->desc_len = dl;
    return APR_SUCCESS;
}

apr_status_t ms_doc_propstat_set_error(ms_response *resp, int status,
                                       const char *ns, const char *name)
{
    ms_qn *qn;
    ms_propstat *ps;
    apr_status_t rv = check_status(resp, status, 1, "a propstat error");

    if (rv)
        return rv;
    rv = prep_qname(resp, "a propstat error element", ns, name, &qn);
    if (rv)
        return rv;
    ps = propstat_get(resp, status);
    ps->err = qn;
    return APR_SUCCESS;
}

apr_status_t ms_doc_hide(ms_response *resp)
{
    apr_status_t rv = resp_usable(resp, 0);

    if (rv)
        return rv;
    resp->hidden = 1;
    return APR_SUCCESS;
}

/* ---------------------------------------------------------------- */
/* Property-method rules                                             */

apr_status_t ms_doc_set_rules(ms_doc *doc, const ms_doc_rules *rules)
{
    apr_size_t i;
    const char *why = NULL;

    doc->rules = *rules;
    doc->want = apr_pcalloc(doc->pool, (rules->nwant + 1) * sizeof(ms_qn *));
    for (i = 0; i < rules->nwant; i++) {
        doc->want[i] = qn_get(doc, rules->want[i].ns, rules->want[i].name,
                              &why);
        if (!doc->want[i]) {
            doc->rules.nwant = 0;
            return refuse(doc, MS_EINVAL, NULL, "requested property "
                          "{%.100s}%.100s cannot be answered: %s",
                          rules->want[i].ns ? rules->want[i].ns : "",
                          rules->want[i].name ? rules->want[i].name : "",
                          why);
        }
    }
    return APR_SUCCESS;
}

int ms_doc_response_failed(const ms_response *resp)
{
    const ms_doc *doc = resp->doc;
    const ms_propstat *ps;
    apr_size_t i;
    int want_fails;

    for (ps = resp->ps_first; ps; ps = ps->next) {
        if (ps->first && (ps->status < 200 || ps->status > 299))
            return 1;
    }
    /* a requested name still unanswered will be added with want_status:
     * if that is a failure (PROPPATCH), the response fails already */
    want_fails = doc->rules.want_status
                 && (doc->rules.want_status < 200
                     || doc->rules.want_status > 299);
    for (i = 0; want_fails && !resp->status && i < doc->rules.nwant; i++) {
        if (!prop_find((ms_response *)resp, doc->want[i], 0))
            return 1;
    }
    return 0;
}

/* Append an existing property to the propstat of @a status. */
static void prop_append(ms_response *resp, ms_prop *p, int status)
{
    ms_propstat *ps = propstat_get(resp, status);

    p->next = NULL;
    if (ps->last)
        ps->last->next = p;
    else
        ps->first = p;
    ps->last = p;
}

static void apply_rules(ms_response *resp)
{
    ms_doc *doc = resp->doc;
    const ms_doc_rules *ru = &doc->rules;
    ms_propstat *ps;
    ms_prop *p, *next;
    apr_size_t i;

    if (resp->is_base && ru->noroot)
        resp->hidden = 1;
    if (resp->status || resp->hidden)
        return;
    for (i = 0; i < ru->nwant; i++) {
        if (!prop_find(resp, doc->want[i], 0)) {
            p = ralloc(resp, sizeof(*p));
            memset(p, 0, sizeof(*p));
            p->qn = doc->want[i];
            prop_append(resp, p, ru->want_status ? ru->want_status : 404);
        }
    }
    if (ru->propname) {
        for (ps = resp->ps_first; ps; ps = ps->next) {
            for (p = ps->first; p; p = p->next) {
                p->kind = MS_VALUE_NONE;
                p->value = NULL;
                p->value_len = 0;
            }
        }
    }
    if (ru->atomic && ms_doc_response_failed(resp)) {
        /* move every 2xx property to 424, values dropped (RFC 4918 9.2) */
        for (ps = resp->ps_first; ps; ps = ps->next) {
            if (ps->status < 200 || ps->status > 299)
                continue;
            for (p = ps->first; p; p = next) {
                next = p->next;
                p->kind = MS_VALUE_NONE;
                p->value = NULL;
                p->value_len = 0;
                prop_append(resp, p, 424);
            }
            ps->first = ps->last = NULL;
            ps->desc = NULL;
            ps->err = NULL;
        }
    }
    if (ru->minimal) {
        int left = 0;
        for (ps = resp->ps_first; ps; ps = ps->next) {
            if (ps->status == 404) {
                ps->first = ps->last = NULL;
                ps->desc = NULL;
                ps->err = NULL;
            }
            left |= !propstat_empty(ps);
        }
        /* RFC 4918 wants one propstat at least: an empty 200 says "nothing
         * else to report" without breaking the grammar */
        if (!left && resp->ps_first)
            propstat_get(resp, 200)->keep = 1;
    }
}

/* ---------------------------------------------------------------- */
/* Output                                                            */

static apr_status_t ship(ms_doc *doc, int flush);

/* Room for @a n more bytes in the current chunk. */
static char *out_reserve(ms_doc *doc, apr_size_t n)
{
    if (doc->out_cap - doc->out_len < n) {
        if (doc->out_len)
            ship(doc, 0);       /* leaves no buffer behind */
        if (doc->out_cap - doc->out_len < n) {
            apr_size_t cap = CHUNK_SIZE;
            while (cap < n)
                cap *= 2;
            doc->out = realloc(doc->out, cap);
            if (!doc->out)
                abort();
            doc->out_cap = cap;
        }
    }
    return doc->out + doc->out_len;
}

/* Hand the current chunk over: to io->write() once committed, to the
 * pending queue before. */
static apr_status_t ship(ms_doc *doc, int flush)
{
    apr_status_t rv = APR_SUCCESS;
    char *buf = doc->out;
    apr_size_t len = doc->out_len;

    if (!len && !flush)
        return APR_SUCCESS;
    doc->out = NULL;
    doc->out_len = doc->out_cap = 0;
    if (!doc->committed) {
        chunk *c;
        if (!len) {
            free(buf);
            return APR_SUCCESS;
        }
        c = malloc(sizeof(*c));
        if (!c)
            abort();
        c->buf = buf;
        c->len = len;
        c->next = NULL;
        if (doc->pend_last)
            doc->pend_last->next = c;
        else
            doc->pend_first = c;
        doc->pend_last = c;
        doc->pend_bytes += len;
        return APR_SUCCESS;
    }
    if (doc->aborted) {
        free(buf);
        return doc->aborted;
    }
    if (!len) {
        free(buf);
        buf = NULL;
    }
    rv = doc->io.write(doc->io.baton, buf, len, flush);
    if (rv != APR_SUCCESS)
        doc->aborted = rv;
    return rv;
}

/* A writer writes into [p, end) and always counts in n; when a piece does
 * not fit (or p is NULL from the start) it stops writing and only counts,
 * so the caller can reserve n bytes and render again. */
typedef struct {
    char *p, *end;
    apr_size_t n;
} writer;

static APR_INLINE int room(writer *w, apr_size_t len)
{
    if (w->p && (apr_size_t)(w->end - w->p) < len)
        w->p = NULL;
    return w->p != NULL;
}

static APR_INLINE void put(writer *w, const char *s, apr_size_t len)
{
    if (room(w, len)) {
        memcpy(w->p, s, len);
        w->p += len;
    }
    w->n += len;
}

static APR_INLINE void writer_at(writer *w, char *p, apr_size_t size)
{
    w->p = p;
    w->end = p + size;
    w->n = 0;
}
#define PUTS(w, lit) put((w), (lit), sizeof(lit) - 1)

static void put_href(writer *w, const char *href, apr_size_t len,
                     apr_size_t xml_len)
{
    if (room(w, xml_len)) {
        if (xml_len == len) {
            memcpy(w->p, href, len);
            w->p += len;
        }
        else {
            w->p = ms_href_xml_to(w->p, href, len);
        }
    }
    w->n += xml_len;
}

static void put_status(writer *w, int status)
{
    PUTS(w, "<D:status>");
    put(w, status_line[status], status_line_len[status]);
    PUTS(w, "</D:status>");
}

static void put_error(writer *w, const ms_qn *qn)
{
    PUTS(w, "<D:error>");
    put(w, qn->open, qn->open_len);
    PUTS(w, "/></D:error>");
}

static void put_desc(writer *w, const char *desc, apr_size_t len)
{
    PUTS(w, "<D:responsedescription>");
    put(w, desc, len);
    PUTS(w, "</D:responsedescription>");
}

static void put_decl(writer *w, ms_ns *ns)
{
    PUTS(w, " xmlns:");
    put(w, ns->prefix, ns->plen);
    PUTS(w, "=\"");
    put(w, ns->uri_attr, ns->uri_attr_len);
    PUTS(w, "\"");
}

/* Declare on the response element what the root does not declare. */
static void need_ns(writer *w, ms_ns *ns, apr_uint32_t stamp)
{
    if (ns->on_root || ns->stamp == stamp)
        return;
    ns->stamp = stamp;
    put_decl(w, ns);
}

static void render_response(writer *w, ms_response *resp, apr_uint32_t stamp)
{
    const ms_propstat *ps;
    const ms_prop *p;

    PUTS(w, "<D:response");
    if (resp->err)
        need_ns(w, resp->err->ns, stamp);
    for (ps = resp->ps_first; ps; ps = ps->next) {
        for (p = ps->first; p; p = p->next)
            need_ns(w, p->qn->ns, stamp);
        if (ps->err)
            need_ns(w, ps->err->ns, stamp);
    }
    PUTS(w, "><D:href>");
    put_href(w, resp->href, resp->href_len, resp->href_xml_len);
    PUTS(w, "</D:href>");
    if (resp->status) {
        put_status(w, resp->status);
    }
    else {
        for (ps = resp->ps_first; ps; ps = ps->next) {
            if (propstat_empty(ps))
                continue;
            PUTS(w, "<D:propstat><D:prop>");
            for (p = ps->first; p; p = p->next) {
                put(w, p->qn->open, p->qn->open_len);
                if (p->lang) {
                    PUTS(w, " xml:lang=\"");
                    put(w, p->lang, p->lang_len);
                    PUTS(w, "\"");
                }
                if (p->kind == MS_VALUE_NONE || !p->value_len) {
                    PUTS(w, "/>");
                    continue;
                }
                PUTS(w, ">");
                put(w, p->value, p->value_len);
                put(w, p->qn->close, p->qn->close_len);
            }
            PUTS(w, "</D:prop>");
            put_status(w, ps->status);
            if (ps->err)
                put_error(w, ps->err);
            if (ps->desc)
                put_desc(w, ps->desc, ps->desc_len);
            PUTS(w, "</D:propstat>");
        }
    }
    if (resp->err)
        put_error(w, resp->err);
    if (resp->desc)
        put_desc(w, resp->desc, resp->desc_len);
    if (resp->location) {
        PUTS(w, "<D:location><D:href>");
        put_href(w, resp->location, resp->location_len,
                 ms_href_xml_len(resp->location, resp->location_len));
        PUTS(w, "</D:href></D:location>");
    }
    PUTS(w, "</D:response>");
}

static void run_begin(ms_doc *doc)
{
    if (doc->begun)
        return;
    doc->begun = 1;
    if (doc->io.begin)
        doc->io.begin(doc->io.baton);
}

/* The XML declaration and root start tag, in a malloc'd buffer. */
static char *render_prolog(ms_doc *doc, apr_size_t *len)
{
    static const char head[] =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<D:multistatus xmlns:D=\"DAV:\"";
    writer w = { NULL, NULL, 0 };
    ms_ns *ns;
    char *buf;
    int pass;

    run_begin(doc);
    doc->root_written = 1;      /* from now on, new namespaces are local */
    buf = NULL;
    for (pass = 0; pass < 2; pass++) {
        PUTS(&w, head);
        for (ns = doc->ns_first; ns; ns = ns->next) {
            if (ns->on_root)
                put_decl(&w, ns);
        }
        PUTS(&w, ">");
        if (pass == 0) {
            *len = w.n;
            buf = malloc(w.n);
            if (!buf)
                abort();
            writer_at(&w, buf, w.n);
        }
    }
    return buf;
}

/* Commit the headers and send the prolog and everything pending. */
static apr_status_t commit(ms_doc *doc, apr_off_t length, char *prolog,
                           apr_size_t prolog_len)
{
    chunk *c, *next;
    apr_status_t rv;

    doc->committed = 1;
    rv = doc->io.commit(doc->io.baton, length);
    if (rv == APR_SUCCESS)
        rv = doc->io.write(doc->io.baton, prolog, prolog_len, 0);
    else
        free(prolog);
    for (c = doc->pend_first; c; c = next) {
        next = c->next;
        if (rv == APR_SUCCESS)
            rv = doc->io.write(doc->io.baton, c->buf, c->len, 0);
        else
            free(c->buf);
        free(c);
    }
    doc->pend_first = doc->pend_last = NULL;
    doc->pend_bytes = 0;
    /* A streamed body is committed for real only once the headers left:
     * filters below (mod_deflate) may hold all they were given.  Until
     * then the handler's error could still replace the 207. */
    if (rv == APR_SUCCESS && length < 0)
        rv = doc->io.write(doc->io.baton, NULL, 0, 1);
    if (rv != APR_SUCCESS)
        doc->aborted = rv;
    return rv;
}

static apr_status_t commit_streaming(ms_doc *doc)
{
    apr_size_t len;
    char *prolog;

    if (doc->committed)
        return APR_SUCCESS;
    /* what is in the current chunk joins the queue, behind the prolog */
    ship(doc, 0);
    prolog = render_prolog(doc, &len);
    return commit(doc, -1, prolog, len);
}

static char *held_reserve(ms_doc *doc, apr_size_t n)
{
    if (doc->held_cap - doc->held_len < n) {
        apr_size_t cap = doc->held_cap ? doc->held_cap * 2 : CHUNK_SIZE;
        while (cap - doc->held_len < n)
            cap *= 2;
        doc->held = realloc(doc->held, cap);
        if (!doc->held)
            abort();
        doc->held_cap = cap;
    }
    return doc->held + doc->held_len;
}

/* The request-URI's response is out (or will never come): what waited
 * for it follows it. */
static void release_held(ms_doc *doc)
{
    doc->base_done = 1;
    if (doc->held_len) {
        memcpy(out_reserve(doc, doc->held_len), doc->held, doc->held_len);
        doc->out_len += doc->held_len;
    }
    free(doc->held);
    doc->held = NULL;
    doc->held_len = doc->held_cap = 0;
}

/* Render one response (closing it), unless hidden; frees it. */
static apr_status_t render_and_free(ms_response *resp)
{
    ms_doc *doc = resp->doc;
    writer w = { NULL, NULL, 0 };
    apr_status_t rv = APR_SUCCESS;
    char *p;

    if (doc->io.prepare && !doc->aborted) {
        doc->preparing++;
        doc->io.prepare(doc->io.baton, resp);
        doc->preparing--;
    }
    unlink_open(resp);
    apply_rules(resp);
    if (resp->hidden && resp->is_base)
        release_held(doc);
    if (!resp->hidden && !doc->aborted) {
        const ms_propstat *ps;
        int any = resp->status != 0;
        /* while the request-URI's response is awaited, the others wait in
         * the held buffer (root_first) */
        int hold = doc->rules.root_first && !doc->base_done && !resp->is_base;

        for (ps = resp->ps_first; ps && !any; ps = ps->next)
            any = !propstat_empty(ps);
        if (!any) {
            /* a response needs status XOR propstat: say what happened
             * rather than drop the resource from the listing */
            refuse(doc, MS_EINVAL, resp->href,
                   "no status and no property was registered for this "
                   "response; it is sent as 500");
            resp->status = 500;
            resp->ps_first = NULL;
            resp->desc = "mod_multistatus: the handler registered no result "
                         "for this resource";
            resp->desc_len = strlen(resp->desc);
        }
        /* first try in the room left in the current buffer; if the
         * response does not fit, reserve what it counted and render again
         * (namespaces not on the root are declared per response: a new
         * stamp for each pass) */
        p = hold ? held_reserve(doc, 512) : out_reserve(doc, 512);
        writer_at(&w, p, hold ? doc->held_cap - doc->held_len
                              : doc->out_cap - doc->out_len);
        doc->stamp++;
        render_response(&w, resp, doc->stamp);
        if (!w.p) {
            apr_size_t need = w.n;
            p = hold ? held_reserve(doc, need) : out_reserve(doc, need);
            writer_at(&w, p, need);
            doc->stamp++;
            render_response(&w, resp, doc->stamp);
        }
        if (hold)
            doc->held_len += w.n;
        else
            doc->out_len += w.n;
        doc->rendered++;
        if (resp->is_base)
            release_held(doc);
        if (!doc->committed) {
            if (doc->pend_bytes + doc->out_len > doc->opts.buffer_size)
                rv = commit_streaming(doc);
        }
        else if (doc->out_len >= CHUNK_SIZE) {
            rv = ship(doc, 0);
        }
    }
    response_free(resp);
    return rv;
}

apr_status_t ms_doc_close(ms_response *resp)
{
    apr_status_t rv = resp_usable(resp, 1);

    if (rv)
        return rv;
    rv = render_and_free(resp);
    return rv ? MS_EABORTED : APR_SUCCESS;
}

static apr_status_t close_all(ms_doc *doc)
{
    apr_status_t rv = APR_SUCCESS;

    while (doc->open_first && rv == APR_SUCCESS)
        rv = render_and_free(doc->open_first);
    return rv;
}

apr_status_t ms_doc_flush(ms_doc *doc)
{
    apr_status_t rv = usable(doc);

    if (rv)
        return rv;
    if (doc->preparing)
        return refuse(doc, MS_EINVAL, NULL,
                      "ms_flush cannot be called from a prepare hook");
    rv = close_all(doc);
    if (rv == APR_SUCCESS)
        rv = commit_streaming(doc);
    if (rv == APR_SUCCESS)
        rv = ship(doc, 1);
    return rv ? MS_EABORTED : APR_SUCCESS;
}

apr_status_t ms_doc_set_ms_description(ms_doc *doc, const char *text)
{
    apr_status_t rv = usable(doc);

    if (rv)
        return rv;
    return prep_text(doc, NULL, "the multistatus responsedescription", text,
                     &doc->desc, &doc->desc_len);
}

/* A response for the request-URI that the module adds itself. */
static void render_own(ms_doc *doc, int status, const char *why)
{
    writer w = { NULL, NULL, 0 };
    apr_size_t esc = 0, xl = ms_href_xml_len(doc->base_href,
                                             doc->base_href_len);
    int pass;

    if (ms_xml_text_check(why, strlen(why), 0, &esc))
        why = "", esc = 0;
    for (pass = 0; pass < 2; pass++) {
        PUTS(&w, "<D:response><D:href>");
        put_href(&w, doc->base_href, doc->base_href_len, xl);
        PUTS(&w, "</D:href>");
        put_status(&w, status);
        PUTS(&w, "<D:responsedescription>");
        if (room(&w, esc))
            w.p = ms_xml_text_to(w.p, why, strlen(why), 0);
        w.n += esc;
        PUTS(&w, "</D:responsedescription></D:response>");
        if (pass == 0)
            writer_at(&w, out_reserve(doc, w.n), w.n);
    }
    doc->out_len += w.n;
}

static apr_status_t finish_tail(ms_doc *doc)
{
    writer w = { NULL, NULL, 0 };
    apr_status_t rv = APR_SUCCESS;
    int pass;

    release_held(doc);
    if (doc->limited)
        render_own(doc, 507, apr_psprintf(doc->pool,
                   "the listing was truncated after %" APR_SIZE_T_FMT
                   " responses (MultiStatusMaxResponses)",
                   doc->opts.max_responses));
    for (pass = 0; pass < 2; pass++) {
        if (doc->desc)
            put_desc(&w, doc->desc, doc->desc_len);
        PUTS(&w, "</D:multistatus>\n");
        if (pass == 0)
            writer_at(&w, out_reserve(doc, w.n), w.n);
    }
    doc->out_len += w.n;
    doc->finished = 1;
    if (!doc->committed) {
        apr_size_t plen;
        char *prolog = render_prolog(doc, &plen);
        apr_off_t total;
        ship(doc, 0);
        total = (apr_off_t)(plen + doc->pend_bytes);
        rv = commit(doc, total, prolog, plen);
    }
    else if (!doc->aborted) {
        rv = ship(doc, 0);
    }
    return rv;
}

apr_status_t ms_doc_finish(ms_doc *doc)
{
    apr_status_t rv = usable(doc);

    if (rv)
        return rv;
    run_begin(doc);
    rv = close_all(doc);
    if (rv == APR_SUCCESS && doc->io.end)
        doc->io.end(doc->io.baton);
    if (rv == APR_SUCCESS)
        rv = close_all(doc);
    if (doc->aborted) {
        doc->finished = 1;
        return MS_EABORTED;
    }
    return finish_tail(doc);
}

static void drop_open(ms_doc *doc)
{
    while (doc->open_first) {
        ms_response *resp = doc->open_first;
        unlink_open(resp);
        response_free(resp);
    }
}

apr_status_t ms_doc_fail(ms_doc *doc, int status, const char *why)
{
    if (doc->finished)
        return MS_EFINISHED;
    drop_open(doc);
    if (doc->aborted) {
        doc->finished = 1;
        return MS_EABORTED;
    }
    render_own(doc, status_ok(status) ? status : 500, why ? why : "");
    doc->limited = 0;
    return finish_tail(doc);
}

void ms_doc_drop(ms_response *resp)
{
    unlink_open(resp);
    response_free(resp);
}

void ms_doc_discard(ms_doc *doc)
{
    drop_open(doc);
    doc->finished = 1;
}
