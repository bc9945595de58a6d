/*
 * ms_private.h: what the httpd-facing files of mod_multistatus share.
 * Not installed; consumers use include/mod_multistatus.h.
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
extern module AP_MODULE_DECLARE_DATA multistatus_module;

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
} ms_dir_conf;

#define MS_DEFAULT_BUFFER_SIZE 65536

/* One request's state: created by the first registration. */
typedef struct ms_req {
    request_rec *r;
    const ms_dir_conf *conf;
    ms_doc *doc;
    ap_filter_t *f;             /* our filter; output leaves via f->next */
    apr_bucket_brigade *bb;     /* reused for every pass */
    int error_won;              /* the handler's error status replaced us */
    const ms_propfind *pf;      /* PROPFIND, once read */
    const apr_array_header_t *ops;  /* PROPPATCH, once read */
    const char *applied;        /* Preference-Applied value, or NULL */
    int failing;                /* finishing after a failure (post commit) */
} ms_req;

/* The filter (registered in mod_multistatus.c). */
extern ap_filter_rec_t *ms_filter_handle;
extern ap_filter_rec_t *ms_fail_filter_handle;

/* ms_api.c */
ms_req *ms_req_find(request_rec *r);
ms_req *ms_req_get(request_rec *r);
const ms_dir_conf *ms_conf(request_rec *r);
void ms_register_api(void);

/* ms_props.c: the property-method rules of a request, installed on its
 * document (again when a PROPFIND/PROPPATCH body is read later), and the
 * headers they imply at commit. */
void ms_props_apply_rules(ms_req *rq);
void ms_props_commit_headers(ms_req *rq);

#endif /* MS_PRIVATE_H */
