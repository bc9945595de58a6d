/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_ingest.c: a producer's 207 body, parsed as it streams, registered
 * on the document model (APR only, plus libexpat).  ms_ingest.h has the
 * contract; this file is the driver: it creates the parser, chooses the
 * reader from the first bytes (the tokenizer for UTF-8, expat for other
 * encodings), feeds the chunks (a token cut by a chunk's end waits in a
 * carry buffer), checks at the end that the document was complete, and
 * answers the accessors.  The other files, one concern each, are listed
 * in ms_ingest_int.h.
 *
 * The design in short:
 *
 *  - Two event sources, one grammar.  The tokenizer (UTF-8 bodies) and
 *    expat (other encodings) both report start tags with their namespace
 *    resolved, end tags and text to the multistatus grammar, which
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
 * The parser sits above ms_doc.c: it calls the functions of ms_doc.h,
 * and for a property's value the model's own allocation (ms_doc_int.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apr_strings.h"

#include "ms_doc_int.h"
#include "ms_ingest_int.h"

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

    ms_ing_cls_init();
    ing->pool = pool;
    ing->doc = doc;
    if (opts)
        ing->opts = *opts;
    ing->max = ing->opts.max_response ? ing->opts.max_response
                                      : MS_INGEST_MAX_RESPONSE;
    ing->err_off = -1;
    ing->ns_hash = apr_hash_make(pool);
    ing->slow_names = apr_hash_make(pool);
    ing->dav = ms_ing_ns_intern(ing, "DAV:", 4, 0);
    ing->nons = ms_ing_ns_intern(ing, "", 0, 0);
    /* a producer's properties without a namespace are kept (litmus's
     * propnullns): the C API still refuses them */
    doc->nons_ok = 1;
    ing->xml = ms_ing_ns_intern(ing, XML_NS, sizeof(XML_NS) - 1, 0);
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
        ms_ing_x_create(ing, cs);
        return 1;
    }
    if (cs && *cs && strcasecmp(cs, "utf-8") != 0) {
        ms_ing_x_create(ing, cs);
        return 1;
    }
    if (len < 4 && !final)
        return 0;
    if (len >= 2 && (((unsigned char)s[0] == 0xFE && (unsigned char)s[1] == 0xFF)
                     || ((unsigned char)s[0] == 0xFF
                         && (unsigned char)s[1] == 0xFE)
                     || (s[0] == 0 && s[1] == '<') || (s[0] == '<' && s[1] == 0))) {
        ms_ing_x_create(ing, NULL);
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
            ms_ing_x_create(ing, NULL);
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
                return ms_ing_x_feed(ing, s, n, final);
            buf = s;
            len = n;
            used = ms_ing_fast_run(ing, buf, len, final);
            ing->base += (apr_off_t)used;
            if (!ing->status && used < len) {
                memmove(ing->carry, buf + used, len - used);
                ing->carry_len = len - used;
            }
            goto check;
        }
    }
    if (ing->mode == MODE_EXPAT)
        return ms_ing_x_feed(ing, buf, len, final);
    if (ing->carry_len) {
        GROW(ing, carry, 0, carry_cap, ing->carry_len + len);
        memcpy(ing->carry + ing->carry_len, buf, len);
        ing->carry_len += len;
        used = ms_ing_fast_run(ing, ing->carry, ing->carry_len, final);
        ing->base += (apr_off_t)used;
        if (!ing->status) {
            memmove(ing->carry, ing->carry + used, ing->carry_len - used);
            ing->carry_len -= used;
        }
    }
    else {
        used = ms_ing_fast_run(ing, buf, len, final);
        ing->base += (apr_off_t)used;
        if (!ing->status && used < len) {
            GROW(ing, carry, 0, carry_cap, len - used);
            memcpy(ing->carry, buf + used, len - used);
            ing->carry_len = len - used;
        }
    }
check:
    if (!ing->status && ing->carry_len > ing->max)
        ms_ing_fail(ing, ing->base, "a markup token larger than %"
                    APR_SIZE_T_FMT " bytes", ing->max);
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
        ms_ing_x_feed(ing, "", 0, 1);
    if (ing->status)
        return ing->status;
    if (ing->mode == MODE_FAST) {
        if (ing->carry_len)
            return ms_ing_fail(ing, ing->base, "the body ends inside a tag "
                               "(truncated)");
        if (ing->depth) {
            const elem *top = &ing->stack[ing->depth - 1];
            return ms_ing_fail(ing, ing->base, "the body ends inside <%.*s> "
                               "(truncated: %" APR_SIZE_T_FMT " elements "
                               "open)",
                               (int)(top->name_len > 80 ? 80 : top->name_len),
                               ing->names + top->name_off, ing->depth);
        }
        if (ing->state != ST_EPILOG)
            return ms_ing_fail(ing, ing->base, "no document element (an empty "
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
