/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_doc.h: the core's interface to the glue: one 207 document being built
 * and rendered (APR only; the files of src/core implement it, see
 * ms_doc_int.h for which does what).
 *
 * The life of a document: ms_doc_create(); responses are opened, filled and
 * closed (closing renders a response into the output buffer and frees its
 * memory); ms_doc_finish() renders what is still open and the end of the
 * document.  Output leaves through the ms_doc_io callbacks: nothing is
 * written before commit(), which is called once, with the total length when
 * the whole body fit under buffer_size, or -1 when the body streams.
 *
 * Memory: a response lives in its own small malloc'd arena, released at
 * close; rendered text sits in malloc'd chunks handed over to write(),
 * which owns them from then on.  So a handler that closes each response
 * runs in constant memory whatever the number of responses.
 */
#ifndef MS_DOC_H
#define MS_DOC_H

#include "apr.h"
#include "apr_pools.h"
#include "apr_errno.h"

/* The public codes and value kinds (the APR-only part of the public
 * header). */
#define MS_TYPES_ONLY
#include "mod_multistatus.h"
#undef MS_TYPES_ONLY

typedef struct ms_doc ms_doc;

/* Callbacks from the document to its owner (the httpd glue, or a test). */
typedef struct ms_doc_io {
    void *baton;
    /* Headers: called once, before the first write.  @a length is the
     * whole body's size, or -1 when the body streams. */
    apr_status_t (*commit)(void *baton, apr_off_t length);
    /* Takes ownership of @a buf (from buf_alloc, or malloc when that is
     * NULL).  @a flush: the caller asked for the bytes to go out now. */
    apr_status_t (*write)(void *baton, char *buf, apr_size_t len, int flush);
    /* Optional: where output buffers come from and go back to (NULL:
     * malloc and free).  The module's (ms_chunks.c) keeps freed chunks
     * for the next one, where free() let glibc give them back to the
     * system and the next request faulted them in again. */
    void *(*buf_alloc)(void *baton, apr_size_t size);
    void (*buf_free)(void *baton, void *buf);
    /* A call was refused: one line saying why (may be NULL). */
    void (*refused)(void *baton, apr_status_t rv, const char *msg);
    /* Optional: before the root tag, before each response is rendered,
     * before the end tag (may be NULL). */
    void (*begin)(void *baton);
    void (*prepare)(void *baton, ms_response *resp);
    void (*end)(void *baton);
} ms_doc_io;

typedef struct ms_doc_opts {
    const char *base_path;    /* decoded request-URI path, e.g. "/dir/" */
    const char *origin;       /* "http://host:port" of this server: what
                               * an href of ours looks like as a URI */
    int absolute_uri;         /* hrefs as absolute URIs (else paths) */
    apr_size_t buffer_size;   /* bodies below it are sent whole */
    apr_size_t max_responses; /* 0: unlimited */
    int json;                 /* render JSON (ms_json.c) instead of XML */
    int no_body;              /* HEAD: hooks and rules run, responses are
                               * only measured (the length is what GET
                               * would send); nothing but the commit */
} ms_doc_opts;

/* Build the static tables (status lines, character classes).  Call once
 * before threads exist (post_config); later calls are harmless. */
void ms_doc_init(void);

/* Create a document in @a pool (its lifetime bounds the document's). */
ms_doc *ms_doc_create(apr_pool_t *pool, const ms_doc_io *io,
                      const ms_doc_opts *opts);

/* Responses (see mod_multistatus.h for the contracts). */
apr_status_t ms_doc_open(ms_doc *doc, const char *path, int encoded,
                         ms_response **resp);
/* As ms_doc_open(); *created says whether the response is new. */
apr_status_t ms_doc_open_ex(ms_doc *doc, const char *path, int encoded,
                            ms_response **resp, int *created);
/* The one-call status form (ms_add_status): open @a path, set @a status
 * and the optional @a desc.  All or nothing: a refused call changes
 * nothing, and a second, different status for an href that already has
 * one is refused (MS_ECONFLICT), so that no result is silently lost. */
apr_status_t ms_doc_add_status(ms_doc *doc, const char *path, int status,
                               const char *desc);
#define MS_DOC_HAVE_ADD_STATUS 1

/* Forget an open response without rendering it (a refused one-call
 * registration must leave no trace). */
void ms_doc_drop(ms_response *resp);
apr_status_t ms_doc_set_status(ms_response *resp, int status);
apr_status_t ms_doc_set_location(ms_response *resp, const char *path);
apr_status_t ms_doc_set_error(ms_response *resp, const char *ns,
                              const char *name);
apr_status_t ms_doc_set_description(ms_response *resp, const char *text);
apr_status_t ms_doc_prop_add(ms_response *resp, const char *ns,
                             const char *name, int status,
                             ms_value_kind kind, const char *value);
/* The interned name (refused: NULL, said through io->refused). */
const ms_qname *ms_doc_intern(ms_doc *doc, const char *ns, const char *name);
apr_status_t ms_doc_prop_add_qname(ms_response *resp, const ms_qname *qn,
                                   int status, ms_value_kind kind,
                                   const char *value);
apr_status_t ms_doc_prop_set_lang(ms_response *resp, const char *ns,
                                  const char *name, const char *lang);
apr_status_t ms_doc_propstat_set_description(ms_response *resp, int status,
                                             const char *text);
apr_status_t ms_doc_propstat_set_error(ms_response *resp, int status,
                                       const char *ns, const char *name);
apr_status_t ms_doc_hide(ms_response *resp);
apr_status_t ms_doc_close(ms_response *resp);
const char *ms_doc_response_href(const ms_response *resp);
const char *ms_doc_response_path(const ms_response *resp);
int ms_doc_response_status(const ms_response *resp);
/* The href's path and query, without the origin of the uri form. */
const char *ms_doc_response_uri_path(const ms_response *resp);
/* Is it the request-URI's own response? */
int ms_doc_response_is_base(const ms_response *resp);
/* Turn @a resp into a bare status-form response: properties, propstats,
 * error, description and location are dropped (an access denial must not
 * reveal them). */
void ms_doc_forbid(ms_response *resp, int status);
ms_doc *ms_doc_of(const ms_response *resp);

/* Rules of the property methods, applied to each propstat-form response
 * after the prepare hook, in this order: complete, propname, atomic,
 * minimal.  Status-form responses only see noroot. */
typedef struct ms_doc_qname {
    const char *ns;
    const char *name;
} ms_doc_qname;

typedef struct ms_doc_rules {
    const ms_doc_qname *want;   /* requested properties: each response */
    apr_size_t nwant;           /* lacking one gets it with want_status */
    int want_status;            /* 404 (PROPFIND); 0 means 404 */
    int propname;               /* never send values */
    int atomic;                 /* any non-2xx: the 2xx ones become 424 */
    int minimal;                /* drop 404 propstats */
    int noroot;                 /* hide the request-URI's own response */
    int root_first;             /* the request-URI's response goes first */
} ms_doc_rules;

/* Install @a rules (copied; the names must outlive the document).  Their
 * namespaces are declared at once, so they go on the root element.
 * Returns MS_EINVAL if a name is unusable (empty namespace, not an NCName). */
apr_status_t ms_doc_set_rules(ms_doc *doc, const ms_doc_rules *rules);

/* 1 when a property of @a resp has a non-2xx status. */
int ms_doc_response_failed(const ms_response *resp);

/* Document level. */
apr_status_t ms_doc_set_ms_description(ms_doc *doc, const char *text);
apr_status_t ms_doc_declare_ns(ms_doc *doc, const char *uri);
apr_status_t ms_doc_flush(ms_doc *doc);
/* Push what is rendered to the owner now (a FLUSH that passed by): open
 * responses stay open, their handles valid.  No-op before commit. */
apr_status_t ms_doc_push(ms_doc *doc);

/* Is @a origin ("scheme://host[:port]") safe to prepend to hrefs?  NULL if
 * so, else why not (a Host header with markup, spaces, ...). */
const char *ms_doc_check_origin(const char *origin);

/* Request bodies and headers (ms_parse.c).  The parsers return 0, or the
 * status to answer (400: not a well-formed, namespace-well-formed document
 * of the method, a property name or namespace that cannot be answered, an
 * empty DAV:prop; 413: more than @a max_props names, 0 = no limit) with
 * *why set.  Results live in @a p.  An empty PROPFIND body is allprop;
 * <include> counts next to allprop only. */
int ms_parse_propfind(apr_pool_t *p, const char *body, apr_size_t len,
                      apr_size_t max_props, ms_propfind *pf,
                      const char **why);
int ms_parse_proppatch(apr_pool_t *p, const char *body, apr_size_t len,
                       apr_size_t max_props, apr_array_header_t **ops,
                       const char **why);
/* One Prefer header value: sets *minimal (return=minimal) and *noroot
 * (depth-noroot) when asked; leaves them alone otherwise. */
void ms_parse_prefer(const char *value, int *minimal, int *noroot);

/* A size with an optional K or M suffix, at most @a max: NULL and *out, or
 * why not (overflow included).  For the directives. */
const char *ms_parse_size(const char *arg, apr_off_t max, apr_off_t *out);

/* Render everything still open and the end of the document, then commit
 * (if not yet) and write the rest.  After it, every call is refused with
 * MS_EFINISHED. */
apr_status_t ms_doc_finish(ms_doc *doc);

/* Finish after a failure: open responses are dropped (they may be
 * incomplete) and a last response for the request-URI carries @a status
 * and @a why.  Used when the handler fails after the headers went out. */
apr_status_t ms_doc_fail(ms_doc *doc, int status, const char *why);

/* Forget everything without rendering (the handler's error wins). */
void ms_doc_discard(ms_doc *doc);

/* State, for the glue. */
int ms_doc_committed(const ms_doc *doc);
int ms_doc_finished(const ms_doc *doc);
apr_size_t ms_doc_count(const ms_doc *doc);       /* responses rendered */
apr_size_t ms_doc_open_count(const ms_doc *doc);  /* responses open */

#endif /* MS_DOC_H */
