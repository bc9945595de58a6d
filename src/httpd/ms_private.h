/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_private.h: what the httpd-facing files of mod_multistatus share
 * (mod_multistatus.c and src/httpd/).  Not installed; consumers use
 * include/mod_multistatus.h.
 *
 * The glue, from the top: mod_multistatus.c (configuration, the filters,
 * hooks) -> src/httpd/ms_api.c (the public entry points, a request's
 * document) -> src/httpd/ms_props.c (property methods: request bodies,
 * Prefer, the rules of a request) -> src/core (APR only).
 */
#ifndef MS_PRIVATE_H
#define MS_PRIVATE_H

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "util_filter.h"

#include "mod_multistatus.h"
#include "ms_doc.h"

#ifdef APLOG_USE_MODULE
APLOG_USE_MODULE(multistatus);
#endif
/* The module is built with hidden visibility: only what the public header
 * marks with MS_DECLARE, and the module record, leave the .so. */
#if defined(__GNUC__) && __GNUC__ >= 4
#define MS_MODULE_EXPORT __attribute__((visibility("default")))
#else
#define MS_MODULE_EXPORT
#endif
extern MS_MODULE_EXPORT module AP_MODULE_DECLARE_DATA multistatus_module;

#define MS_UNSET (-1)

/* Per-directory configuration (MS_UNSET: inherit). */
typedef struct ms_dir_conf {
    int enabled;                /* MultiStatus */
    int text_xml;               /* MultiStatusContentType text/xml */
    int href_uri;               /* MultiStatusHrefForm uri */
    apr_off_t buffer_size;      /* MultiStatusBufferSize */
    apr_off_t max_responses;    /* MultiStatusMaxResponses, 0: unlimited */
    int prefer;                 /* MultiStatusPrefer */
    int depth_infinity;         /* MultiStatusDepthInfinity */
    int access_check;           /* MultiStatusAccessCheck (MS_ACCESS_*) */
    int json;                   /* MultiStatusJSON (MS_JSON_*) */
    apr_off_t max_props;        /* MultiStatusMaxProperties, 0: unlimited */
    int ingest;                 /* MultiStatusIngest */
} ms_dir_conf;

#define MS_ACCESS_OFF    0
#define MS_ACCESS_HIDE   1
#define MS_ACCESS_FORBID 2

#define MS_JSON_OFF    0
#define MS_JSON_ON     1        /* by the request's Accept */
#define MS_JSON_ALWAYS 2

#define MS_DEFAULT_BUFFER_SIZE 65536
/* Properties one PROPFIND or PROPPATCH may name (each costs work on every
 * response of the answer). */
#define MS_DEFAULT_MAX_PROPS 1000

/* One request's state: created by the first registration. */
typedef struct ms_req {
    request_rec *r;
    const ms_dir_conf *conf;
    ms_doc *doc;
    ap_filter_t *f;             /* our filter; output leaves via f->next */
    apr_bucket_brigade *bb;     /* rendered bytes not passed yet */
    apr_size_t held;            /* their size */
    int error_won;              /* the handler's error status replaced us */
    const ms_propfind *pf;      /* PROPFIND, once read */
    const apr_array_header_t *ops;  /* PROPPATCH, once read */
    const char *applied;        /* Preference-Applied value, or NULL */
    int failing;                /* finishing after a failure (post commit) */
    int hooks;                  /* prepare hooks are registered */
    struct ms_access_state *access; /* ms_access.c, made on first use */
    int json;                   /* this body is rendered as JSON */
} ms_req;

/* The filter (registered in mod_multistatus.c). */
extern ap_filter_rec_t *ms_filter_handle;
extern ap_filter_rec_t *ms_fail_filter_handle;

/* The configuration and state of a request (inline: every file of the
 * glue needs them, and none should depend on another for so little). */
static APR_INLINE const ms_dir_conf *ms_conf(request_rec *r)
{
    return ap_get_module_config(r->per_dir_config, &multistatus_module);
}

static APR_INLINE ms_req *ms_req_find(request_rec *r)
{
    return ap_get_module_config(r->request_config, &multistatus_module);
}

/* The state of @a r, created on first use (no document yet). */
static APR_INLINE ms_req *ms_req_get(request_rec *r)
{
    ms_req *rq = ms_req_find(r);

    if (!rq) {
        rq = apr_pcalloc(r->pool, sizeof(*rq));
        rq->r = r;
        rq->conf = ms_conf(r);
        ap_set_module_config(r->request_config, &multistatus_module, rq);
    }
    return rq;
}

/* ms_api.c: pass @a bb (the EOS and whatever follows it) to @a next
 * behind the rendered bytes the request still holds (rendered output
 * leaves in batches of MS_PASS_BYTES; the last one goes with the EOS). */
apr_status_t ms_pass_eos(request_rec *r, ap_filter_t *next,
                         apr_bucket_brigade *bb);

/* ms_chunks.c: output chunks, the usual size kept for reuse across the
 * process's requests.  ms_chunks_init() in child_init; ms_chunk_alloc()
 * returns NULL when out of memory; ms_chunk_free() also frees a chunk's
 * heap bucket. */
void ms_chunks_init(apr_pool_t *pchild);
void *ms_chunk_alloc(apr_size_t size);
void ms_chunk_free(void *buf);

/* ms_api.c: register the optional functions. */
void ms_register_api(void);

/* ms_api.c: the document of a request whose 207 body another handler
 * writes (MultiStatusIngest), rendered through @a f->next (the ingest
 * filter).  The caller checked that the request has no document yet. */
ms_doc *ms_ingest_doc(request_rec *r, ap_filter_t *f);

/* ms_ingest_filter.c: register the MULTISTATUS_INGEST filter and the hook
 * that inserts it (MultiStatusIngest On). */
void ms_ingest_register(void);

/* ms_access.c: MultiStatusAccessCheck for one response, before the hooks:
 * hides it or turns it into a bare 403 when the user may not access its
 * URI.  Returns 1 when the response is still to be rendered. */
int ms_access_filter(ms_req *rq, ms_response *resp);

/* ms_negotiate.c: does the client prefer JSON to XML (Accept, q-values)? */
int ms_wants_json(request_rec *r);

/* ms_props.c: the property-method rules of a request, installed on its
 * document (again when a PROPFIND/PROPPATCH body is read later), and the
 * headers they imply at commit. */
void ms_props_apply_rules(ms_req *rq);
void ms_props_commit_headers(ms_req *rq);

#endif /* MS_PRIVATE_H */
