/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_writer.c: the output side of a document (APR only): XML text out of
 * the model, and the bytes' way to the owner.
 *
 *  - Rendering a response is done in two passes of the same function: one
 *    that only counts bytes, one that writes them into space reserved in the
 *    output chunk.  Sharing one function keeps the two in step.
 *  - Output chunks come from io->buf_alloc (malloc without one); before
 *    commit they queue in the document, after it they are handed to
 *    io->write() as soon as they fill.
 *  - Commit: when the queued bytes exceed the buffer size, the body streams
 *    (io->commit with -1); when the document finishes first, it is sent
 *    whole with its length.
 *  - The root start tag is rendered last-minute, at commit, so that every
 *    namespace seen before the body starts is declared once on it.  A
 *    namespace first seen after commit is declared on each response that
 *    uses it.
 *  - root_first: responses rendered before the request-URI's own wait in a
 *    held buffer and follow it.
 *  - The tail: the 507 of a truncated listing, the multistatus-level
 *    description, the end tag; after a failure, a last response for the
 *    request-URI that says what happened.
 *
 * Uses ms_rules.c (applied before each response), ms_model.c (freeing
 * rendered responses), ms_ns.c's structures and ms_href.c/ms_xml.c.
 */
#include <stdlib.h>
#include <string.h>

#include "apr_file_io.h"
#include "apr_strings.h"

#include "ms_xml.h"
#include "ms_href.h"
#include "ms_doc_int.h"


/* Per status, built once: the status line, and the two runs of markup
 * around it that every response repeats (one copy instead of three):
 *   href_status  "</D:href><D:status>HTTP/1.1 NNN Reason</D:status>"
 *   prop_status  "</D:prop><D:status>HTTP/1.1 NNN Reason</D:status>" */
typedef struct {
    const char *s;
    apr_size_t len;
} piece;
static piece status_line[600], href_status[600], prop_status[600];
static piece href_status_end[600];  /* href_status + "</D:response>" */

void ms_out_init(void)
{
    static char store[400 * 4 * 96];
    char *p = store;
    int s, n;

    if (status_line[200].s)
        return;

    for (s = 200; s < 600; s++) {
        const char *reason = ms_status_reason(s);
        n = apr_snprintf(p, 96, "HTTP/1.1 %d %s", s, reason);
        status_line[s].s = p;
        status_line[s].len = (apr_size_t)n;
        p += n + 1;
        n = apr_snprintf(p, 96, "</D:href><D:status>HTTP/1.1 %d %s"
                         "</D:status>", s, reason);
        href_status[s].s = p;
        href_status[s].len = (apr_size_t)n;
        p += n + 1;
        n = apr_snprintf(p, 96, "</D:prop><D:status>HTTP/1.1 %d %s"
                         "</D:status>", s, reason);
        prop_status[s].s = p;
        prop_status[s].len = (apr_size_t)n;
        p += n + 1;
        n = apr_snprintf(p, 96, "%s</D:response>", href_status[s].s);
        href_status_end[s].s = p;
        href_status_end[s].len = (apr_size_t)n;
        p += n + 1;
    }
}




/* Room for @a n more bytes in the current chunk. */
/* Output buffers: the owner's allocator, or malloc. */
static char *buf_new(ms_doc *doc, apr_size_t size)
{
    char *p = doc->io.buf_alloc ? doc->io.buf_alloc(doc->io.baton, size)
                                : malloc(size);
    if (!p)
        abort();
    return p;
}

static void buf_del(ms_doc *doc, void *p)
{
    if (!p)
        return;
    if (doc->io.buf_free)
        doc->io.buf_free(doc->io.baton, p);
    else
        free(p);
}

static char *out_grow(ms_doc *doc, apr_size_t n);
static APR_INLINE char *out_reserve(ms_doc *doc, apr_size_t n)
{
    if (doc->out_cap - doc->out_len < n)
        return out_grow(doc, n);
    return doc->out + doc->out_len;
}

static char *out_grow(ms_doc *doc, apr_size_t n)
{
    if (doc->out_len)
        ms_out_ship(doc, 0);       /* leaves no buffer behind */
    if (doc->out_cap - doc->out_len < n) {
        apr_size_t cap = CHUNK_SIZE;
        while (cap < n)
            cap *= 2;
        buf_del(doc, doc->out);     /* empty: nothing to keep */
        doc->out = buf_new(doc, cap);
        doc->out_cap = cap;
    }
    return doc->out + doc->out_len;
}

/* Hand the current chunk over: to io->write() once committed, to the
 * pending queue before. */
apr_status_t ms_out_ship(ms_doc *doc, int flush)
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
            buf_del(doc, buf);
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
    if (doc->aborted || doc->opts.no_body) {
        buf_del(doc, buf);
        return doc->aborted;
    }
    if (!len) {
        buf_del(doc, buf);
        buf = NULL;
    }
    rv = doc->io.write(doc->io.baton, buf, len, flush);
    if (rv != APR_SUCCESS)
        doc->aborted = rv;
    return rv;
}


static APR_INLINE void put_href(ms_writer *w, const char *href,
                                apr_size_t len, apr_size_t xml_len)
{
    if (room(w, xml_len)) {
        if (xml_len == len) {
            w->p = ms_copy(w->p, href, len);
        }
        else {
            w->p = ms_href_xml_to(w->p, href, len);
        }
    }
    w->n += xml_len;
}

static void put_status(ms_writer *w, int status)
{
    PUTS(w, "<D:status>");
    put(w, status_line[status].s, status_line[status].len);
    PUTS(w, "</D:status>");
}

static void put_error(ms_writer *w, const ms_qn *qn)
{
    PUTS(w, "<D:error>");
    put(w, qn->open, qn->open_len);
    PUTS(w, "/></D:error>");
}

static void put_desc(ms_writer *w, const char *desc, apr_size_t len)
{
    PUTS(w, "<D:responsedescription>");
    put(w, desc, len);
    PUTS(w, "</D:responsedescription>");
}

static void put_decl(ms_writer *w, ms_ns *ns)
{
    PUTS(w, " xmlns:");
    put(w, ns->prefix, ns->plen);
    PUTS(w, "=\"");
    put(w, ns->uri_attr, ns->uri_attr_len);
    PUTS(w, "\"");
}

/* Declare on the response element what the root does not declare. */
static void need_ns(ms_writer *w, ms_ns *ns, apr_size_t stamp)
{
    if (ns->on_root || ns->stamp == stamp)
        return;
    ns->stamp = stamp;
    put_decl(w, ns);
}

static void render_response(ms_writer *w, ms_response *resp, apr_size_t stamp)
{
    const ms_propstat *ps;
    const ms_prop *p;

    if (!resp->doc->ns_late) {
        PUTS(w, "<D:response><D:href>");
    }
    else {
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
    }
    put_href(w, resp->href, resp->href_len, resp->href_xml_len);
    if (resp->status) {
        put(w, href_status[resp->status].s, href_status[resp->status].len);
    }
    else {
        PUTS(w, "</D:href>");
        for (ps = resp->ps_first; ps; ps = ps->next) {
            if (ms_propstat_empty(ps))
                continue;
            PUTS(w, "<D:propstat><D:prop>");
            for (p = ps->first; p; p = p->next) {
                if (p->frag && !p->lang) {
                    /* "<P:name>value</P:name>", made when it was added */
                    put(w, p->frag, p->frag_len);
                    continue;
                }
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
            put(w, prop_status[ps->status].s, prop_status[ps->status].len);
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

void ms_out_begin(ms_doc *doc)
{
    if (doc->begun)
        return;
    doc->begun = 1;
    if (doc->io.begin) {
        /* the hook may open and fill responses; closing or flushing would
         * commit from inside the commit: refused (ms_model_resp_usable,
         * ms_doc_flush) */
        doc->preparing += MS_IN_BEGIN;
        doc->io.begin(doc->io.baton);
        doc->preparing -= MS_IN_BEGIN;
    }
}

/* The XML declaration and root start tag, in an output buffer. */
static char *render_prolog(ms_doc *doc, apr_size_t *len)
{
    static const char head[] =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<D:multistatus xmlns:D=\"DAV:\"";
    ms_writer w = { NULL, NULL, 0 };
    ms_ns *ns;
    char *buf;
    int pass;

    ms_out_begin(doc);
    doc->root_written = 1;      /* from now on, new namespaces are local */
    buf = NULL;
    for (pass = 0; pass < 2; pass++) {
        if (doc->opts.json) {
            ms_json_prolog(&w, doc);
        }
        else {
            PUTS(&w, head);
            for (ns = doc->ns_first; ns; ns = ns->next) {
                if (ns->on_root)
                    put_decl(&w, ns);
            }
            PUTS(&w, ">");
        }
        if (pass == 0) {
            *len = w.n;
            buf = buf_new(doc, w.n);
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
    if (doc->opts.no_body) {
        /* HEAD: the headers only (a flush sends them) */
        buf_del(doc, prolog);
        for (c = doc->pend_first; c; c = next) {
            next = c->next;
            buf_del(doc, c->buf);
            free(c);
        }
        doc->pend_first = doc->pend_last = NULL;
        doc->pend_bytes = 0;
        if (rv == APR_SUCCESS)
            rv = doc->io.write(doc->io.baton, NULL, 0, 1);
        if (rv != APR_SUCCESS)
            doc->aborted = rv;
        return rv;
    }
    if (rv == APR_SUCCESS)
        rv = doc->io.write(doc->io.baton, prolog, prolog_len, 0);
    else
        buf_del(doc, prolog);
    for (c = doc->pend_first; c; c = next) {
        next = c->next;
        if (rv == APR_SUCCESS)
            rv = doc->io.write(doc->io.baton, c->buf, c->len, 0);
        else
            buf_del(doc, c->buf);
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

apr_status_t ms_out_commit_streaming(ms_doc *doc)
{
    apr_size_t len;
    char *prolog;

    if (doc->committed)
        return APR_SUCCESS;
    /* what is in the current chunk joins the queue, behind the prolog */
    ms_out_ship(doc, 0);
    prolog = render_prolog(doc, &len);
    return commit(doc, -1, prolog, len);
}

/* Past HELD_MEM, what is held goes to a temporary file (deleted on
 * close): a listing whose request-URI comes last would otherwise hold the
 * whole body in memory.  Falls back to memory if no file can be made. */
static void held_spill(ms_doc *doc)
{
    apr_size_t n = doc->held_len;
    const char *dir = NULL;

    if (!doc->spill) {
        if (apr_temp_dir_get(&dir, doc->pool) != APR_SUCCESS
            || apr_file_mktemp(&doc->spill,
                               apr_pstrcat(doc->pool, dir,
                                           "/mod_multistatus.XXXXXX", NULL),
                               APR_FOPEN_CREATE | APR_FOPEN_READ
                               | APR_FOPEN_WRITE | APR_FOPEN_EXCL
                               | APR_FOPEN_DELONCLOSE, doc->pool)
               != APR_SUCCESS) {
            doc->spill = NULL;
            return;
        }
    }
    if (apr_file_write_full(doc->spill, doc->held, n, NULL) != APR_SUCCESS)
        return;                 /* keep it in memory */
    doc->spilled += (apr_off_t)n;
    doc->held_len = 0;
}

static char *held_reserve(ms_doc *doc, apr_size_t n)
{
    if (doc->held_len && doc->held_len + n > HELD_MEM)
        held_spill(doc);
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
    if (doc->spill) {
        apr_off_t off = 0;
        apr_size_t n;
        apr_file_seek(doc->spill, APR_SET, &off);
        while (doc->spilled > 0) {
            n = doc->spilled > CHUNK_SIZE ? CHUNK_SIZE
                                          : (apr_size_t)doc->spilled;
            if (apr_file_read_full(doc->spill, out_reserve(doc, n), n, &n)
                != APR_SUCCESS)
                break;
            doc->out_len += n;
            doc->spilled -= (apr_off_t)n;
            /* stream as it goes: the body is big by definition */
            if (!doc->committed && doc->pend_bytes + doc->out_len
                                   > doc->opts.buffer_size)
                ms_out_commit_streaming(doc);
            else if (doc->committed && doc->out_len >= CHUNK_SIZE)
                ms_out_ship(doc, 0);
        }
        apr_file_close(doc->spill);
        doc->spill = NULL;
        doc->spilled = 0;
    }
    if (doc->held_len) {
        /* JSON: each held response starts with a comma; none goes before
         * the first response of the stream */
        apr_size_t skip = doc->opts.json && !doc->out_any ? 1 : 0;
        memcpy(out_reserve(doc, doc->held_len - skip), doc->held + skip,
               doc->held_len - skip);
        doc->out_len += doc->held_len - skip;
        doc->out_any = 1;
    }
    free(doc->held);
    doc->held = NULL;
    doc->held_len = doc->held_cap = 0;
}

/* One response in the document's format (a held one always gets its
 * JSON comma: release_held() drops it if nothing came before). */
static void render_one(ms_writer *w, ms_response *resp, int hold)
{
    ms_doc *doc = resp->doc;

    if (doc->opts.json)
        ms_json_response(w, resp, hold || doc->out_any);
    else
        render_response(w, resp, doc->stamp);
}

apr_status_t ms_out_render(ms_response *resp)
{
    ms_doc *doc = resp->doc;
    ms_writer w = { NULL, NULL, 0 };
    apr_status_t rv = APR_SUCCESS;
    char *p;

    if (doc->io.prepare && !doc->aborted) {
        doc->preparing++;
        doc->io.prepare(doc->io.baton, resp);
        doc->preparing--;
    }
    ms_model_unlink(resp);
    ms_rules_apply(resp);
    if (resp->hidden && resp->is_base)
        release_held(doc);
    if (!resp->hidden && !doc->aborted) {
        const ms_propstat *ps;
        int any = resp->status != 0;
        /* while the request-URI's response is awaited, the others wait in
         * the held buffer (root_first) */
        int hold = doc->rules.root_first && !doc->base_done && !resp->is_base;

        for (ps = resp->ps_first; ps && !any; ps = ps->next)
            any = !ms_propstat_empty(ps);
        if (!any) {
            /* a response needs status XOR propstat: say what happened
             * rather than drop the resource from the listing */
            ms_model_refuse(doc, MS_EINVAL, resp->href,
                            "no status and no property was registered for "
                            "this response; it is sent as 500");
            resp->status = 500;
            resp->ps_first = NULL;
            resp->desc = "mod_multistatus: the handler registered no result "
                         "for this resource";
            resp->desc_len = strlen(resp->desc);
        }
#if defined(__GNUC__)
        if (__builtin_expect(doc->opts.no_body, 0)) {
#else
        if (doc->opts.no_body) {
#endif
            /* HEAD: count what GET would send, render nothing (in the
             * order GET sends, so a JSON comma before all but the first) */
            doc->stamp++;
            if (doc->opts.json) {
                ms_json_response(&w, resp, doc->out_any);
                ms_json_count(doc, resp);
            }
            else {
                render_response(&w, resp, doc->stamp);
            }
            doc->measured += w.n;
            doc->rendered++;
            doc->emitted++;
            doc->out_any = 1;
            if (resp->is_base)
                doc->base_done = 1;
            ms_model_free(resp);
            return APR_SUCCESS;
        }
        if (resp->status && !hold && !doc->opts.json && !resp->err
            && !resp->desc && !resp->location) {
            /* the bare status form, the commonest response: its exact
             * size first, then three copies */
            const piece *t = &href_status_end[resp->status];
            apr_size_t need = sizeof("<D:response><D:href>") - 1
                              + resp->href_xml_len + t->len;
            char *o = out_reserve(doc, need);

            memcpy(o, "<D:response><D:href>",
                   sizeof("<D:response><D:href>") - 1);
            o += sizeof("<D:response><D:href>") - 1;
            o = resp->href_xml_len == resp->href_len
                ? ms_copy(o, resp->href, resp->href_len)
                : ms_href_xml_to(o, resp->href, resp->href_len);
            memcpy(o, t->s, t->len);
            w.n = need;
        }
        else {
            /* first try in the room left in the current buffer; if the
             * response does not fit, reserve what it counted and render
             * again (namespaces not on the root are declared per
             * response: a new stamp for each pass) */
            p = hold ? held_reserve(doc, 512) : out_reserve(doc, 512);
            writer_at(&w, p, hold ? doc->held_cap - doc->held_len
                                  : doc->out_cap - doc->out_len);
            doc->stamp++;
            render_one(&w, resp, hold);
            if (!w.p) {
                apr_size_t need = w.n;
                p = hold ? held_reserve(doc, need) : out_reserve(doc, need);
                writer_at(&w, p, need);
                doc->stamp++;
                render_one(&w, resp, hold);
            }
        }
        if (hold) {
            doc->held_len += w.n;
        }
        else {
            doc->out_len += w.n;
            doc->out_any = 1;
        }
        doc->rendered++;
        doc->emitted++;
        if (doc->opts.json)
            ms_json_count(doc, resp);
        if (resp->is_base)
            release_held(doc);
        if (!doc->committed) {
            if (doc->pend_bytes + doc->out_len > doc->opts.buffer_size)
                rv = ms_out_commit_streaming(doc);
        }
        else if (doc->out_len >= CHUNK_SIZE) {
            rv = ms_out_ship(doc, 0);
        }
    }
    ms_model_free(resp);
    return rv;
}

void ms_out_own(ms_doc *doc, int status, const char *why)
{
    ms_writer w = { NULL, NULL, 0 };
    apr_size_t esc = 0, xl = ms_href_xml_len(doc->base_href,
                                             doc->base_href_len);
    int pass;

    if (ms_xml_text_check(why, strlen(why), 0, &esc))
        why = "", esc = 0;
    for (pass = 0; pass < 2; pass++) {
        if (doc->opts.json) {
            ms_json_own(&w, doc, status, why, doc->out_any);
            if (pass == 0)
                writer_at(&w, out_reserve(doc, w.n), w.n);
            continue;
        }
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
    doc->out_any = 1;
    doc->emitted++;
    doc->sum_status[status / 100]++;
}

apr_status_t ms_out_finish(ms_doc *doc)
{
    ms_writer w = { NULL, NULL, 0 };
    apr_status_t rv = APR_SUCCESS;
    int pass;

    release_held(doc);
    if (doc->limited)
        ms_out_own(doc, 507, apr_psprintf(doc->pool,
                   "the listing was truncated after %" APR_SIZE_T_FMT
                   " responses (MultiStatusMaxResponses)",
                   doc->opts.max_responses));
    for (pass = 0; pass < 2; pass++) {
        if (doc->opts.json) {
            ms_json_tail(&w, doc);
        }
        else {
            if (doc->desc)
                put_desc(&w, doc->desc, doc->desc_len);
            PUTS(&w, "</D:multistatus>\n");
        }
        if (pass == 0)
            writer_at(&w, out_reserve(doc, w.n), w.n);
    }
    doc->out_len += w.n;
    doc->finished = 1;
    if (!doc->committed) {
        apr_size_t plen;
        char *prolog = render_prolog(doc, &plen);
        apr_off_t total;
        ms_out_ship(doc, 0);
        total = (apr_off_t)(plen + doc->pend_bytes + doc->measured);
        rv = commit(doc, total, prolog, plen);
    }
    else if (!doc->aborted) {
        rv = ms_out_ship(doc, 0);
    }
    return rv;
}

void ms_out_release(ms_doc *doc)
{
    chunk *c, *cn;

    for (c = doc->pend_first; c; c = cn) {
        cn = c->next;
        buf_del(doc, c->buf);
        free(c);
    }
    doc->pend_first = doc->pend_last = NULL;
    buf_del(doc, doc->out);
    doc->out = NULL;
    free(doc->held);
    doc->held = NULL;
}
