/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_model.c: the responses of a document (APR only): what a handler
 * registers, checked when it is registered.
 *
 * A response lives in a malloc'd arena of its own (its first block
 * recycled through a small spare list), so that rendering it at close
 * returns its memory at once: a handler that closes as it goes runs in
 * constant memory.  Every call checks its input and refuses with a code and
 * one line through io->refused; a refused call changes nothing.  Open
 * responses are found by href: by a scan while few are open, by a hash
 * once many are (a handler that buffers).
 *
 * Uses ms_href.c (building hrefs), ms_ns.c (interned names) and ms_xml.c
 * (text checks); rendering is ms_writer.c's business, not this file's.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "apr_strings.h"

#include "ms_xml.h"
#include "ms_href.h"
#include "ms_doc_int.h"

/* ---------------------------------------------------------------- */
/* Refusals                                                          */

apr_status_t ms_model_refuse(ms_doc *doc, apr_status_t rv, const char *href,
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

apr_status_t ms_model_unusable(ms_doc *doc, ms_response *resp)
{
    if (doc->finished)
        return ms_model_refuse(doc, MS_EFINISHED, NULL,
                               "registration after the body was finished");
    if (doc->aborted)
        return MS_EABORTED;     /* quiet: the client left, logged once */
    if (resp && doc->preparing && doc->preparing < MS_IN_BEGIN)
        return ms_model_refuse(doc, MS_EINVAL, resp->href,
                               "responses cannot be closed from a prepare "
                               "hook");
    if (resp && doc->preparing >= MS_IN_BEGIN)
        return ms_model_refuse(doc, MS_EINVAL, resp->href,
                               "responses cannot be closed from a "
                               "begin_body hook (the root element is being "
                               "written); it stays open");
    return APR_SUCCESS;
}

/* ---------------------------------------------------------------- */
/* Arenas                                                            */

/* The slow path of ms_model_alloc() (ms_doc_int.h): a new block, twice
 * the last one's size. */
void *ms_model_alloc_slow(ms_response *resp, apr_size_t n)
{
    ms_block *b = resp->cur;
    apr_size_t size = b->size * 2;
    void *p;

    while (size < n)
        size *= 2;
    b = malloc(BLOCK_HDR + size);
    if (!b)
        abort();                /* as apr_palloc does when out of memory */
    b->size = size;
    b->used = 0;
    /* the first block holds the response itself: keep it first */
    b->next = resp->blocks->next;
    resp->blocks->next = b;
    resp->cur = b;
    p = (char *)b + BLOCK_HDR;
    b->used = n;
    return p;
}


/* Inlined into ms_doc_open_ex (once per response: the render bench counts
 * its instructions). */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static APR_INLINE ms_response *response_new(ms_doc *doc)
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
    /* the fields before MS_RESPONSE_ZEROED are the callers' to set */
    memset((char *)resp + MS_RESPONSE_ZEROED, 0,
           sizeof(*resp) - MS_RESPONSE_ZEROED);
    resp->doc = doc;
    resp->blocks = b;
    resp->cur = b;
    return resp;
}

void ms_model_free(ms_response *resp)
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

void ms_model_drop_open(ms_doc *doc)
{
    doc->open_count -= doc->llive;
    ms_model_light_release(doc);
    while (doc->open_first) {
        ms_response *resp = doc->open_first;
        ms_model_unlink(resp);
        ms_model_free(resp);
    }
}

apr_status_t ms_model_prep_text(ms_doc *doc, ms_response *resp,
                                const char *what, const char *text,
                                const char **out, apr_size_t *out_len)
{
    apr_size_t len, esc;
    const char *bad;
    char *p;

    if (!text)
        return ms_model_refuse(doc, MS_EINVAL, resp ? resp->href : NULL,
                               "%s is NULL", what);
    len = strlen(text);
    bad = ms_xml_text_check(text, len, 0, &esc);
    if (bad)
        return ms_model_refuse(doc, MS_EINVAL, resp ? resp->href : NULL,
                               "%s holds %s", what, bad);
    p = resp ? ms_model_alloc(resp, esc + 1) : apr_palloc(doc->pool, esc + 1);
    if (esc == len)
        memcpy(p, text, len + 1);       /* nothing to escape */
    else
        *ms_xml_text_to(p, text, len, 0) = '\0';
    *out = p;
    *out_len = esc;
    return APR_SUCCESS;
}


/* ---------------------------------------------------------------- */
/* The light store: status-form results of ms_add_status             */

static apr_uint32_t lhash(const char *s, apr_size_t len)
{
    apr_uint32_t h = 2166136261u;       /* FNV-1a */
    apr_size_t i;

    for (i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* Record ref: block number << 20 | offset (8-aligned, so never 0 with the
 * first record at offset 8). */
static lrec *lrec_at(const ms_doc *doc, apr_uint32_t ref)
{
    return (lrec *)(void *)(doc->lblocks[ref >> 20] + (ref & (LBLOCK - 1)));
}

static const char *lrec_href(const lrec *l)
{
    return (const char *)(l + 1);
}

static apr_uint32_t *lslot(ms_doc *doc, const char *href, apr_size_t len,
                           apr_uint32_t h)
{
    apr_size_t i = h & doc->ltab_mask;

    for (;; i = (i + 1) & doc->ltab_mask) {
        lrec *l;
        if (!doc->ltab[i])
            return &doc->ltab[i];
        l = lrec_at(doc, doc->ltab[i]);
        if (l->hash == h && l->href_len == len
            && !memcmp(lrec_href(l), href, len))
            return &doc->ltab[i];
    }
}

static lrec *light_find(ms_doc *doc, const char *href, apr_size_t len)
{
    apr_uint32_t *slot;
    lrec *l;

    if (!doc->llive)
        return NULL;
    slot = lslot(doc, href, len, lhash(href, len));
    if (!*slot)
        return NULL;
    l = lrec_at(doc, *slot);
    return l->dead ? NULL : l;
}

static void ltab_grow(ms_doc *doc)
{
    apr_size_t n = doc->ltab_mask ? (doc->ltab_mask + 1) * 2 : 1024, i;
    apr_uint32_t *old = doc->ltab;
    apr_size_t oldn = doc->ltab_mask ? doc->ltab_mask + 1 : 0;

    doc->ltab = calloc(n, sizeof(apr_uint32_t));
    if (!doc->ltab)
        abort();
    doc->ltab_mask = n - 1;
    for (i = 0; i < oldn; i++) {
        if (old[i]) {
            lrec *l = lrec_at(doc, old[i]);
            apr_size_t j = l->hash & doc->ltab_mask;
            while (doc->ltab[j])
                j = (j + 1) & doc->ltab_mask;
            doc->ltab[j] = old[i];
        }
    }
    free(old);
}

static apr_status_t light_add(ms_doc *doc, const char *href, apr_size_t len,
                              int status, const char *desc)
{
    apr_size_t need = ALIGN(sizeof(lrec) + len);
    apr_uint32_t ref, h = lhash(href, len), *slot;
    lrec *l;

    if (need > LBLOCK - 8 || doc->nlblocks >= 4095)
        return APR_ENOMEM;      /* the caller takes the full path */
    if (!doc->open_by_href) {
        ms_response *o;
        doc->open_by_href = apr_hash_make(doc->pool);
        for (o = doc->open_first; o; o = o->next)
            apr_hash_set(doc->open_by_href, o->href, o->href_len, o);
    }
    if (!doc->nlblocks || doc->lused + need > LBLOCK) {
        if (doc->nlblocks == doc->lblocks_cap) {
            doc->lblocks_cap = doc->lblocks_cap ? doc->lblocks_cap * 2 : 16;
            doc->lblocks = realloc(doc->lblocks,
                                   doc->lblocks_cap * sizeof(char *));
            if (!doc->lblocks)
                abort();
        }
        doc->lblocks[doc->nlblocks] = malloc(LBLOCK);
        if (!doc->lblocks[doc->nlblocks])
            abort();
        doc->nlblocks++;
        doc->lused = 8;
    }
    ref = (apr_uint32_t)(((doc->nlblocks - 1) << 20) | doc->lused);
    l = lrec_at(doc, ref);
    l->hash = h;
    l->status = (apr_uint16_t)status;
    l->dead = 0;
    l->href_len = (apr_uint32_t)len;
    l->seq = (apr_uint32_t)doc->opened;
    l->desc = desc;
    memcpy((char *)(l + 1), href, len);
    doc->lused += need;
    /* each block starts with the bytes it uses (for the walk in order) */
    *(apr_size_t *)(void *)doc->lblocks[doc->nlblocks - 1] = doc->lused;
    if ((doc->lcount + 1) * 2 > doc->ltab_mask + 1)
        ltab_grow(doc);
    slot = lslot(doc, href, len, h);
    *slot = ref;
    doc->lcount++;
    doc->llive++;
    doc->open_count++;
    doc->opened++;
    return APR_SUCCESS;
}

void ms_model_light_release(ms_doc *doc)
{
    apr_size_t i;

    for (i = 0; i < doc->nlblocks; i++)
        free(doc->lblocks[i]);
    free(doc->lblocks);
    free(doc->ltab);
    doc->lblocks = NULL;
    doc->ltab = NULL;
    doc->nlblocks = doc->lblocks_cap = doc->lused = 0;
    doc->ltab_mask = doc->lcount = doc->llive = doc->lnext = 0;
}

/* Insert @a resp into the open list by its seq (an upgraded light record
 * keeps its place in the opening order). */
static void link_open(ms_doc *doc, ms_response *resp)
{
    ms_response *after = doc->open_last;

    if (doc->open_first && doc->open_first->seq > resp->seq)
        after = NULL;           /* first of all (the walk in order) */
    while (after && after->seq > resp->seq)
        after = after->prev;
    resp->prev = after;
    resp->next = after ? after->next : doc->open_first;
    if (resp->next)
        resp->next->prev = resp;
    else
        doc->open_last = resp;
    if (after)
        after->next = resp;
    else
        doc->open_first = resp;
    doc->open_count++;
    if (doc->open_by_href)
        apr_hash_set(doc->open_by_href, resp->href, resp->href_len, resp);
}

/* A light record becomes a full response (open, in its place). */
static ms_response *light_upgrade(ms_doc *doc, lrec *l)
{
    ms_response *resp = response_new(doc);

    l->dead = 1;
    doc->llive--;
    doc->open_count--;
    resp->href = ms_model_strdup(resp, lrec_href(l), l->href_len);
    resp->href_len = l->href_len;
    resp->href_xml_len = ms_href_xml_len(resp->href, resp->href_len);
    resp->is_base = ms_href_same_resource(resp->href, resp->href_len,
                                          doc->base_href,
                                          doc->base_href_len);
    resp->status = l->status;
    resp->desc = l->desc;
    resp->desc_len = l->desc ? strlen(l->desc) : 0;
    resp->seq = l->seq;
    link_open(doc, resp);
    return resp;
}

ms_response *ms_model_next_open(ms_doc *doc)
{
    /* the light records in storage (= opening) order, merged with the
     * full responses by seq */
    while (doc->llive) {
        apr_size_t b = doc->lnext / LBLOCK, off = doc->lnext % LBLOCK, used;
        lrec *l;
        if (b >= doc->nlblocks)
            break;
        used = *(apr_size_t *)(void *)doc->lblocks[b];
        if (off < 8)
            off = 8;
        if (off >= used) {
            doc->lnext = (b + 1) * LBLOCK;
            continue;
        }
        l = (lrec *)(void *)(doc->lblocks[b] + off);
        if (!l->dead && doc->open_first && doc->open_first->seq < l->seq)
            break;
        doc->lnext = b * LBLOCK + off + ALIGN(sizeof(lrec) + l->href_len);
        if (!l->dead)
            return light_upgrade(doc, l);
    }
    return doc->open_first;
}

/* ---------------------------------------------------------------- */
/* Opening                                                           */

/* The open response of @a href.  Handlers that close as they go have one
 * or two open at a time: a scan beats hashing every href three times. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static APR_INLINE ms_response *find_open(ms_doc *doc, const char *href,
                                         apr_size_t len)
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


/* ms_doc_open() and ms_doc_open_ex(), inlined into each (once per
 * response: a call less). */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static APR_INLINE apr_status_t open_ex(ms_doc *doc, const char *path,
                                       int encoded, ms_response **out,
                                       int *created);

apr_status_t ms_doc_open(ms_doc *doc, const char *path, int encoded,
                         ms_response **out)
{
    return open_ex(doc, path, encoded, out, NULL);
}

apr_status_t ms_doc_open_ex(ms_doc *doc, const char *path, int encoded,
                            ms_response **out, int *created)
{
    return open_ex(doc, path, encoded, out, created);
}

static APR_INLINE apr_status_t open_ex(ms_doc *doc, const char *path,
                                       int encoded, ms_response **out,
                                       int *created)
{
    ms_response *resp;
    const char *href, *bad;
    apr_size_t href_len;
    apr_status_t rv;

    if (out)
        *out = NULL;
    if ((rv = ms_model_usable(doc)) != APR_SUCCESS)
        return rv;
    if (!out)
        return ms_model_refuse(doc, MS_EINVAL, path, "NULL response pointer");
    if (!path || !*path)
        return ms_model_refuse(doc, MS_EINVAL, NULL, "%s href",
                               path ? "an empty" : "a NULL");
    bad = ms_href_build(doc, path, encoded);
    if (bad)
        return ms_model_refuse(doc, MS_EINVAL, path, "href refused: %s", bad);
    href = doc->href_out;
    href_len = doc->href_out_len;
    resp = find_open(doc, href, href_len);
    if (!resp && doc->open_by_href && doc->llive) {
        /* light records exist only with the index (light_add makes it):
         * the common path pays nothing for them */
        lrec *l = light_find(doc, href, href_len);
        if (l)
            resp = light_upgrade(doc, l);
    }
    if (created)
        *created = resp == NULL;
    if (resp) {
        *out = resp;
        return APR_SUCCESS;
    }
    /* the limit counts what is sent: a response hidden at its close (by a
     * hook or the access check) frees its place */
    if (doc->opts.max_responses
        && doc->rendered + doc->open_count >= doc->opts.max_responses) {
        if (!doc->limited) {
            doc->limited = 1;
            return ms_model_refuse(doc, MS_ELIMIT, href,
                                   "MultiStatusMaxResponses (%" APR_SIZE_T_FMT
                                   ") reached: the body will end with a 507",
                                   doc->opts.max_responses);
        }
        return MS_ELIMIT;
    }
    resp = response_new(doc);
    resp->href = ms_model_strdup(resp, href, href_len);
    resp->href_len = href_len;
    resp->href_xml_len = doc->href_xml_len;
    /* the decoded path is made on demand (hooks ask for it, few do) */
    /* a member below the request-URI cannot be it: no compare */
    resp->is_base = !doc->href_member
                    && ms_href_same_resource(href, href_len, doc->base_href,
                                             doc->base_href_len);
    resp->seq = doc->opened++;
    resp->prev = doc->open_last;
    if (doc->open_last)
        doc->open_last->next = resp;
    else
        doc->open_first = resp;
    doc->open_last = resp;
    doc->open_count++;
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
    p = ms_model_alloc(r, len + 1);
    r->path = ms_href_decode(p, h, len) == 0 ? p : NULL;
    return r->path;
}

int ms_doc_response_status(const ms_response *resp)
{
    return resp->status;
}


/* ---------------------------------------------------------------- */
/* Status checks and ms_add_status                                  */

/* What every call that carries a status checks: the response is usable,
 * the status is in 200..599, and status XOR propstat holds (@a propstat:
 * the call adds to the propstats; @a what names it in the log). */
apr_status_t ms_model_check_status_slow(ms_response *resp, int status,
                                        int propstat, const char *what)
{
    apr_status_t rv = ms_model_resp_usable(resp, 0);

    if (rv)
        return rv;
    if (!ms_status_ok(status))
        return ms_model_refuse(resp->doc, MS_EINVAL, resp->href,
                               "status %d is outside 200..599", status);
    if (propstat ? resp->status != 0 : resp->ps_first != NULL)
        return ms_model_refuse(resp->doc, MS_ECONFLICT, resp->href,
                               "%s for a response that has %s (status and "
                               "propstat are exclusive)", what,
                               propstat ? "a status" : "properties");
    return APR_SUCCESS;
}

apr_status_t ms_doc_add_status(ms_doc *doc, const char *path, int status,
                               const char *desc)
{
    ms_response *resp;
    const char *d = NULL;
    apr_size_t dl = 0;
    int created = 0;
    apr_status_t rv = ms_model_usable(doc);
    const char *href, *bad;
    apr_size_t href_len;
    lrec *l;

    if (rv)
        return rv;
    if (!path || !*path)
        return ms_model_refuse(doc, MS_EINVAL, NULL, "%s href",
                               path ? "an empty" : "a NULL");
    bad = ms_href_build(doc, path, 0);
    if (bad)
        return ms_model_refuse(doc, MS_EINVAL, path, "href refused: %s", bad);
    href = doc->href_out;
    href_len = doc->href_out_len;
    /* not open as a full response: the compact record (no handle) */
    if (!find_open(doc, href, href_len) && href_len < 65536) {
        if (!ms_status_ok(status))
            return ms_model_refuse(doc, MS_EINVAL, href,
                                   "status %d is outside 200..599", status);
        if (desc) {
            apr_size_t esc;
            char *e;
            dl = strlen(desc);
            bad = ms_xml_text_check(desc, dl, 0, &esc);
            if (bad)
                return ms_model_refuse(doc, MS_EINVAL, href,
                                       "a responsedescription holds %s",
                                       bad);
            e = apr_palloc(doc->pool, esc + 1);
            *ms_xml_text_to(e, desc, dl, 0) = '\0';
            d = e;
            dl = esc;
        }
        l = light_find(doc, href, href_len);
        if (l) {
            if (l->status != status)
                return ms_model_refuse(doc, MS_ECONFLICT, href,
                                       "a second result (%d) for an href "
                                       "that already has %d: the first is "
                                       "kept", status, l->status);
            if (d)
                l->desc = d;
            return APR_SUCCESS;
        }
        if (doc->opts.max_responses
            && doc->rendered + doc->open_count >= doc->opts.max_responses)
            return ms_doc_open_ex(doc, path, 0, &resp, &created);
        if (light_add(doc, href, href_len, status, d) == APR_SUCCESS)
            return APR_SUCCESS;
        d = NULL;
    }
    rv = ms_doc_open_ex(doc, path, 0, &resp, &created);
    if (rv)
        return rv;
    rv = ms_model_check_status(resp, status, 0, "a status");
    if (rv == APR_SUCCESS && desc)
        rv = ms_model_prep_text(doc, resp, "a responsedescription", desc,
                                &d, &dl);
    if (rv == APR_SUCCESS && !created && resp->status
        && resp->status != status)
        rv = ms_model_refuse(doc, MS_ECONFLICT, resp->href,
                             "a second result (%d) for an href that already "
                             "has %d: the first is kept", status,
                             resp->status);
    if (rv) {
        /* one call, one result: a refused one leaves nothing behind */
        if (created) {
            ms_model_unlink(resp);
            ms_model_free(resp);
        }
        return rv;
    }
    resp->status = status;
    if (status < 300 || status > 399)
        resp->location = NULL;
    if (d) {
        resp->desc = d;
        resp->desc_len = dl;
    }
    return APR_SUCCESS;
}

/* ---------------------------------------------------------------- */
/* For the access check                                              */

const char *ms_doc_response_uri_path(const ms_response *resp)
{
    const ms_doc *doc = resp->doc;

    return doc->opts.absolute_uri ? resp->href + doc->origin_len
                                  : resp->href;
}

int ms_doc_response_is_base(const ms_response *resp)
{
    return resp->is_base;
}

void ms_doc_forbid(ms_response *resp, int status)
{
    resp->status = ms_status_ok(status) ? status : 403;
    resp->ps_first = resp->ps_last = NULL;
    resp->has = 0;
    resp->err = NULL;
    resp->desc = NULL;
    resp->desc_len = 0;
    resp->location = NULL;
    resp->location_len = 0;
}
