/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_doc.c: the life of one 207 document (APR only), the entry points of
 * the core for the glue (ms_doc.h has the contracts): creation and
 * cleanup, document-level registrations, close and flush, finish, failure
 * and discard.  The top of the core: it calls ms_writer.c for output,
 * ms_model.c for responses, ms_ns.c and ms_href.c, and nothing calls it
 * back.  The design note is in README.md ("Design").
 */
#include <stdlib.h>
#include <string.h>

#include "apr_strings.h"

#include "ms_xml.h"
#include "ms_href.h"
#include "ms_doc_int.h"

void ms_doc_init(void)
{
    ms_xml_init();
    ms_href_init();
    ms_out_init();
    ms_json_init();
}

static apr_status_t doc_cleanup(void *data)
{
    ms_doc *doc = data;
    ms_response *resp, *next;
    ms_block *b, *bn;

    for (resp = doc->open_first; resp; resp = next) {
        next = resp->next;
        ms_model_free(resp);
    }
    doc->open_first = doc->open_last = NULL;
    for (b = doc->spares; b; b = bn) {
        bn = b->next;
        free(b);
    }
    doc->spares = NULL;
    ms_model_light_release(doc);
    ms_out_release(doc);
    ms_href_release(doc);
    return APR_SUCCESS;
}

ms_doc *ms_doc_create(apr_pool_t *pool, const ms_doc_io *io,
                      const ms_doc_opts *opts)
{
    ms_doc *doc = apr_pcalloc(pool, sizeof(*doc));

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
    doc->rules_complete_only = 1;   /* no rules until ms_doc_set_rules() */

    doc->dav = apr_pcalloc(pool, sizeof(ms_ns));
    doc->dav->uri = "DAV:";
    doc->dav->prefix = "D";
    doc->dav->plen = 1;
    doc->dav->uri_attr = "DAV:";
    doc->dav->uri_attr_len = 4;
    doc->dav->on_root = 1;

    /* the request-URI's own href, for the responses the module adds */
    ms_href_base(doc);
    if (doc->opts.json)
        ms_json_setup(doc);

    apr_pool_cleanup_register(pool, doc, doc_cleanup, apr_pool_cleanup_null);
    return doc;
}

int ms_doc_committed(const ms_doc *doc) { return doc->committed; }
int ms_doc_finished(const ms_doc *doc) { return doc->finished; }
apr_size_t ms_doc_count(const ms_doc *doc) { return doc->rendered; }
apr_size_t ms_doc_open_count(const ms_doc *doc) { return doc->open_count; }
ms_doc *ms_doc_of(const ms_response *resp) { return resp->doc; }

apr_status_t ms_doc_declare_ns(ms_doc *doc, const char *uri)
{
    const char *why = NULL;
    apr_status_t rv = ms_model_usable(doc);

    if (rv)
        return rv;
    if (!ms_ns_get(doc, uri, &why))
        return ms_model_refuse(doc, MS_EINVAL, NULL,
                               "cannot declare namespace: %s", why);
    return APR_SUCCESS;
}

/* ---------------------------------------------------------------- */
/* Close, flush, finish                                              */

apr_status_t ms_doc_close(ms_response *resp)
{
    apr_status_t rv = ms_model_resp_usable(resp, 1);

    if (rv)
        return rv;
    rv = ms_out_render(resp);
    return rv ? MS_EABORTED : APR_SUCCESS;
}

static apr_status_t close_all(ms_doc *doc)
{
    apr_status_t rv = APR_SUCCESS;

    ms_response *resp;

    while (rv == APR_SUCCESS && (resp = ms_model_next_open(doc)) != NULL)
        rv = ms_out_render(resp);
    return rv;
}

apr_status_t ms_doc_flush(ms_doc *doc)
{
    apr_status_t rv = ms_model_usable(doc);

    if (rv)
        return rv;
    if (doc->preparing)
        return ms_model_refuse(doc, MS_EINVAL, NULL, "ms_flush cannot be "
                               "called from a %s hook",
                               doc->preparing >= MS_IN_BEGIN
                               ? "begin_body" : "prepare_response");
    rv = close_all(doc);
    if (rv == APR_SUCCESS)
        rv = ms_out_commit_streaming(doc);
    if (rv == APR_SUCCESS)
        rv = ms_out_ship(doc, 1);
    return rv ? MS_EABORTED : APR_SUCCESS;
}

apr_status_t ms_doc_push(ms_doc *doc)
{
    if (!doc->committed || doc->finished || doc->aborted)
        return doc->aborted ? MS_EABORTED : APR_SUCCESS;
    return ms_out_ship(doc, 1) ? MS_EABORTED : APR_SUCCESS;
}

const char *ms_doc_check_origin(const char *origin)
{
    return ms_href_origin_check(origin);
}

apr_status_t ms_doc_set_ms_description(ms_doc *doc, const char *text)
{
    apr_status_t rv = ms_model_usable(doc);

    if (rv)
        return rv;
    return ms_model_prep_text(doc, NULL,
                              "the multistatus responsedescription", text,
                              &doc->desc, &doc->desc_len);
}

apr_status_t ms_doc_finish(ms_doc *doc)
{
    apr_status_t rv = ms_model_usable(doc);

    if (rv)
        return rv;
    ms_out_begin(doc);
    rv = close_all(doc);
    if (rv == APR_SUCCESS && doc->io.end)
        doc->io.end(doc->io.baton);
    if (rv == APR_SUCCESS)
        rv = close_all(doc);
    if (doc->aborted) {
        doc->finished = 1;
        return MS_EABORTED;
    }
    return ms_out_finish(doc);
}

apr_status_t ms_doc_fail(ms_doc *doc, int status, const char *why)
{
    if (doc->finished)
        return MS_EFINISHED;
    ms_model_drop_open(doc);
    if (doc->aborted) {
        doc->finished = 1;
        return MS_EABORTED;
    }
    ms_out_own(doc, ms_status_ok(status) ? status : 500, why ? why : "");
    doc->limited = 0;
    return ms_out_finish(doc);
}

void ms_doc_drop(ms_response *resp)
{
    ms_model_unlink(resp);
    ms_model_free(resp);
}

void ms_doc_discard(ms_doc *doc)
{
    ms_model_drop_open(doc);
    doc->finished = 1;
}
