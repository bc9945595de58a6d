/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_multistatus.h: the public API of mod_multistatus.
 *
 * mod_multistatus turns per-resource results registered by any handler into
 * a correct, streaming "207 Multi-Status" body (RFC 4918 sections 13, 14).
 * A handler says what happened to each resource; the module takes care of
 * the XML, the escaping of hrefs and text, namespace prefixes, grouping of
 * properties by status, the status line, the headers and the output filter.
 *
 * Usage, from a handler (direct calls; link nothing, just include this
 * header and load mod_multistatus before your module):
 *
 *     static int bulk_delete_handler(request_rec *r)
 *     {
 *         const char *member;
 *         ...
 *         for (each member of the collection r->uri) {
 *             int status = delete_one(member) ? HTTP_NO_CONTENT : HTTP_FORBIDDEN;
 *             // member is a path as httpd holds it (unescaped); a relative
 *             // path is resolved against the request-URI.
 *             ms_add_status(r, member, status, NULL);
 *         }
 *         return OK;     // the module answers 207 with one response each
 *     }
 *
 *     static int propfind_handler(request_rec *r)
 *     {
 *         ms_response *resp;
 *         const ms_propfind *pf;
 *         int rc = ms_propfind_read(r, &pf);  // Depth and body, checked
 *         if (rc != OK)
 *             return rc;                       // DONE: answered (400, 403)
 *         if (ms_response_open(r, r->uri, &resp) != APR_SUCCESS)
 *             return HTTP_INTERNAL_SERVER_ERROR;   // reason is in the log
 *         ms_prop_add(resp, "DAV:", "displayname", HTTP_OK,
 *                     MS_VALUE_TEXT, "Tom & Jerry");
 *         ms_prop_add(resp, "DAV:", "resourcetype", HTTP_OK,
 *                     MS_VALUE_XML, "<D:collection/>");
 *         ms_prop_add(resp, "urn:example", "color", HTTP_NOT_FOUND,
 *                     MS_VALUE_NONE, NULL);
 *         ms_response_close(resp);   // rendered and (when big) sent now
 *         return OK;                 // unanswered requested props: 404
 *     }
 *
 * The same calls through APR optional functions, so that your module loads
 * (and falls back to its own answer) when mod_multistatus is not loaded:
 *
 *     static ms_api api;                         // filled at startup
 *     static void retrieve(void) { ms_api_retrieve(&api); }
 *     ...  ap_hook_optional_fn_retrieve(retrieve, NULL, NULL, APR_HOOK_MIDDLE);
 *     ...  if (api.available) api.add_status(r, member, status, NULL);
 *
 * Contract common to every function that returns apr_status_t:
 *  - APR_SUCCESS, or one of the MS_E* codes below.  Every refused input
 *    (MS_EINVAL, MS_ECONFLICT, MS_EFINISHED) also logs one [error] line
 *    through the request saying what was wrong and which href it concerned;
 *    nothing of a refused call reaches the body.  MS_ELIMIT logs one [warn]
 *    line per request, MS_EDISABLED and MS_EABORTED only at debug level.
 *  - Strings are copied; the caller keeps ownership of what it passes.
 *  - An ms_response handle is valid from ms_response_open() until
 *    ms_response_close() or ms_flush() (which closes every open response),
 *    or until the handler returns.  Do not use it after.
 *  - Calls are for the request's own thread (as any request_rec use is).
 */
/*
 * The codes and types first: they need APR alone, and mod_multistatus' own
 * APR-only renderer (ms_doc.h) includes this part with MS_TYPES_ONLY
 * defined, so that the two can never disagree.
 */
#ifndef MOD_MULTISTATUS_TYPES
#define MOD_MULTISTATUS_TYPES

#include "apr_errno.h"

/* Error codes (apr_status_t), in APR's user error space. */
#define MS_ERRSPACE   (APR_OS_START_USERERR + 20700)
/** Refused input: bad href, status, text, XML fragment, name or namespace. */
#define MS_EINVAL     (MS_ERRSPACE + 1)
/** Status form and propstat form mixed on one href (RFC 4918: XOR). */
#define MS_ECONFLICT  (MS_ERRSPACE + 2)
/** The body is finished (or the handler already sent its own): too late. */
#define MS_EFINISHED  (MS_ERRSPACE + 3)
/** "MultiStatus Off" applies to this request: answer on your own. */
#define MS_EDISABLED  (MS_ERRSPACE + 4)
/** MultiStatusMaxResponses reached: stop walking, the body says so. */
#define MS_ELIMIT     (MS_ERRSPACE + 5)
/** The client went away: stop walking, nothing more is sent. */
#define MS_EABORTED   (MS_ERRSPACE + 6)

/** One response element being built.  Opaque. */
typedef struct ms_response ms_response;

/** A property name checked once for a request (ms_qname_get).  Opaque. */
typedef struct ms_qname ms_qname;

/** What the value argument of ms_prop_add() holds. */
typedef enum {
    MS_VALUE_NONE = 0,  /**< no value: an empty element (propname, 404s) */
    MS_VALUE_TEXT = 1,  /**< text, escaped by the module */
    MS_VALUE_XML  = 2   /**< inner XML; may use D: for DAV: and namespaces
                         *   it declares itself; checked well-formed */
} ms_value_kind;

/* The property-method types (see "Property methods" below): APR only, so
 * that mod_multistatus parses request bodies in its APR-only core. */
#include "apr_tables.h"

/** Depth: infinity, as found in ms_propfind.depth. */
#define MS_DEPTH_INFINITY (-1)

/** What a PROPFIND asks for. */
typedef enum {
    MS_PROPFIND_ALLPROP = 0,    /**< allprop (or an empty body) */
    MS_PROPFIND_PROPNAME = 1,   /**< names only: values are never sent */
    MS_PROPFIND_PROP = 2        /**< the listed properties */
} ms_propfind_type;

/** A property name: namespace URI and local name. */
typedef struct ms_propname {
    const char *ns;
    const char *name;
} ms_propname;

/** A parsed PROPFIND request (owned by the request pool). */
typedef struct ms_propfind {
    ms_propfind_type type;
    int depth;                        /**< 0, 1 or MS_DEPTH_INFINITY */
    /** MS_PROPFIND_PROP: the requested properties; MS_PROPFIND_ALLPROP:
     * the ones named in <include>; elements are ms_propname. */
    const apr_array_header_t *props;
} ms_propfind;

/** One PROPPATCH instruction, in document order. */
typedef struct ms_proppatch_op {
    int remove;               /**< 0: set, 1: remove */
    const char *ns;           /**< namespace URI of the property */
    const char *name;         /**< local name */
    /** set: the property element's content as an XML fragment, with the
     * namespace declarations it needs (store it, or pass it back with
     * MS_VALUE_XML); NULL for remove */
    const char *value;
    const char *lang;         /**< xml:lang in scope, or NULL */
} ms_proppatch_op;

#endif /* MOD_MULTISTATUS_TYPES */

#ifndef MS_TYPES_ONLY
#ifndef MOD_MULTISTATUS_H
#define MOD_MULTISTATUS_H

#include "httpd.h"
#include "apr_optional.h"
#include "apr_optional_hooks.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Release of mod_multistatus this header belongs to.  configure.ac reads
 * it from here (the one place it is written); the module names it in the
 * Server header (ServerTokens Full) and in a startup line of the error log. */
#define MULTISTATUS_VERSION "0.1.0"

/** API version: bumped when a function or hook is added (minor) or
 * changed incompatibly (major * 1000). */
#define MULTISTATUS_API_VERSION 3

/** Name of the output filter; the first registration inserts it, so a
 * handler never needs to add it (use it by name for SetOutputFilter). */
#define MULTISTATUS_FILTER_NAME "MULTISTATUS"

/* Export macros, in the style of AP_DECLARE. */
#if !defined(WIN32)
/* mod_multistatus is built with -fvisibility=hidden: these mark what it
 * exports (and are harmless in a consumer's build). */
#if defined(__GNUC__) && __GNUC__ >= 4
#define MS_DECLARE(type)            __attribute__((visibility("default"))) type
#define MS_DECLARE_NONSTD(type)     __attribute__((visibility("default"))) type
#define MS_DECLARE_DATA             __attribute__((visibility("default")))
#else
#define MS_DECLARE(type)            type
#define MS_DECLARE_NONSTD(type)     type
#define MS_DECLARE_DATA
#endif
#elif defined(MS_DECLARE_EXPORT)
#define MS_DECLARE(type)            __declspec(dllexport) type __stdcall
#define MS_DECLARE_NONSTD(type)     __declspec(dllexport) type
#define MS_DECLARE_DATA             __declspec(dllexport)
#else
#define MS_DECLARE(type)            __declspec(dllimport) type __stdcall
#define MS_DECLARE_NONSTD(type)     __declspec(dllimport) type
#define MS_DECLARE_DATA             __declspec(dllimport)
#endif


/*
 * Responses
 */

/** Open (or find, if it is still open) the response for @a path, an
 * unescaped path as httpd holds r->uri; a relative path is resolved against
 * the request-URI taken as a collection ("a b" under /dir -> /dir/a%20b).
 * The module percent-encodes it, removes dot segments and "//".  Opening an
 * href that is still open returns the same handle (results are merged). */
MS_DECLARE(apr_status_t) ms_response_open(request_rec *r, const char *path,
                                          ms_response **resp);

/** As ms_response_open(), for an already percent-encoded @a href (absolute
 * path, path relative to the request-URI, or an absolute URI of this very
 * server).  Refused if it holds a character a URI cannot hold or a bad %XX. */
MS_DECLARE(apr_status_t) ms_response_open_href(request_rec *r,
                                               const char *href,
                                               ms_response **resp);

/** Status form: the result of the resource is @a status (200..599).  On a
 * response that has properties: MS_ECONFLICT.  May be called again (last
 * wins), which is how a hook changes a status. */
MS_DECLARE(apr_status_t) ms_response_set_status(ms_response *resp, int status);

/** Location of a 3xx status-form result (unescaped path, resolved as in
 * ms_response_open()).  Refused unless the status set is 3xx. */
MS_DECLARE(apr_status_t) ms_response_set_location(ms_response *resp,
                                                  const char *path);

/** Response-level error element: a precondition/postcondition code
 * <ns:name/>, e.g. ("DAV:", "lock-token-submitted").  Last wins. */
MS_DECLARE(apr_status_t) ms_response_set_error(ms_response *resp,
                                               const char *ns,
                                               const char *name);

/** Response-level responsedescription (text).  Last wins. */
MS_DECLARE(apr_status_t) ms_response_set_description(ms_response *resp,
                                                     const char *text);

/** Property result: <ns:name> with @a status (200..599) and a value of
 * @a kind.  Properties are grouped into one propstat per status, in
 * first-seen order.  Adding a property the response already has replaces its
 * status and value (moving it to its new propstat): this is how a hook
 * changes a property's status.  On a status-form response: MS_ECONFLICT. */
MS_DECLARE(apr_status_t) ms_prop_add(ms_response *resp, const char *ns,
                                     const char *name, int status,
                                     ms_value_kind kind, const char *value);

/** The property name <ns:name>, checked once for request @a r: for
 * handlers that add the same names to many responses (a listing), which
 * then skip the check and the lookup by name on every call.  NULL when the
 * name is refused (logged, as ms_prop_add() would).  Valid until the
 * request ends, for @a r's responses only.  Since API version 3. */
MS_DECLARE(const ms_qname *) ms_qname_get(request_rec *r, const char *ns,
                                          const char *name);

/** ms_prop_add() with a name from ms_qname_get() (same rules and codes;
 * MS_EINVAL for NULL or another request's name).  Since API version 3. */
MS_DECLARE(apr_status_t) ms_prop_add_qname(ms_response *resp,
                                           const ms_qname *qname, int status,
                                           ms_value_kind kind,
                                           const char *value);

/** Language of a property's value, rendered as xml:lang on the property
 * element (a BCP 47 tag such as "en" or "pt-BR").  The property must have
 * been added. */
MS_DECLARE(apr_status_t) ms_prop_set_lang(ms_response *resp, const char *ns,
                                          const char *name, const char *lang);

/** responsedescription of the propstat of @a status (created if needed). */
MS_DECLARE(apr_status_t) ms_propstat_set_description(ms_response *resp,
                                                     int status,
                                                     const char *text);

/** error element of the propstat of @a status (created if needed). */
MS_DECLARE(apr_status_t) ms_propstat_set_error(ms_response *resp, int status,
                                               const char *ns,
                                               const char *name);

/** Leave this response out of the body (e.g. a resource the user may not
 * see).  Meant for the multistatus_prepare_response hook. */
MS_DECLARE(apr_status_t) ms_response_hide(ms_response *resp);

/** The handler is done with this response: it is rendered now and its
 * memory released; once the body passed MultiStatusBufferSize it is also
 * sent.  The handle is invalid afterwards, and the href must not be
 * registered again (the module keeps no memory of closed hrefs, which is
 * what keeps big listings in constant memory).  Responses never closed are
 * rendered when the handler returns, in the order they were opened. */
MS_DECLARE(apr_status_t) ms_response_close(ms_response *resp);

/** Accessors, for hooks: the href as it will be sent (percent-encoded;
 * absolute URI when MultiStatusHrefForm uri), the decoded path (NULL when
 * the href does not decode to a path), and the status (0 for a propstat
 * response). */
MS_DECLARE(const char *) ms_response_href(const ms_response *resp);
MS_DECLARE(const char *) ms_response_path(const ms_response *resp);
MS_DECLARE(int) ms_response_status(const ms_response *resp);

/*
 * Request-level calls
 */

/** One call for a status-form result: open @a path, set @a status and the
 * optional @a description (NULL for none).  The response stays open, so a
 * later call for the same href adds to it (and is refused with MS_ECONFLICT
 * if it is propstat form); it is rendered at ms_flush() or at the end. */
MS_DECLARE(apr_status_t) ms_add_status(request_rec *r, const char *path,
                                       int status, const char *description);

/** Multistatus-level responsedescription (text).  Last wins. */
MS_DECLARE(apr_status_t) ms_set_description(request_rec *r, const char *text);

/** Declare namespace @a uri on the root element when called before the
 * body starts (from the multistatus_begin_body hook, or before the first
 * close); later it is declared on each response that uses it. */
MS_DECLARE(apr_status_t) ms_declare_namespace(request_rec *r, const char *uri);

/** Close every open response and push everything rendered so far to the
 * client now.  This commits the headers: the body then streams (no
 * Content-Length), so call it for progress on long operations, not after
 * every response. */
MS_DECLARE(apr_status_t) ms_flush(request_rec *r);

/*
 * Property methods.  For PROPFIND and PROPPATCH the module reads the request
 * body itself and applies the RFC 4918 / RFC 8144 rules to every response
 * the handler reports, so that a handler only says what it knows:
 *  - every property the client named gets an answer: what the handler did
 *    not answer is reported 404 Not Found (PROPFIND);
 *  - in propname mode no value is ever sent;
 *  - PROPPATCH is atomic: when any instruction of a resource failed, those
 *    reported as succeeded are sent as 424 Failed Dependency
 *    (ms_response_failed() tells the handler, to roll back);
 *  - Prefer: return=minimal / Brief: t drop the 404 propstats, Prefer:
 *    depth-noroot drops the request-URI's own response (PROPFIND, REPORT);
 *  - the request-URI's own response comes first (PROPFIND).
 */

/** Read and parse the PROPFIND request of @a r (Depth header and body).
 * Returns OK with *pf set (later calls return the same), or DONE when the
 * module answered the request itself: 400 with a message for a body that
 * is not a well-formed propfind document or a bad Depth, 403 with the
 * DAV:propfind-finite-depth body when Depth: infinity is refused
 * (MultiStatusDepthInfinity Off).  On DONE, return DONE from your handler
 * before any per-resource work.  Any other method: HTTP_METHOD_NOT_ALLOWED
 * (logged). */
MS_DECLARE(int) ms_propfind_read(request_rec *r, const ms_propfind **pf);

/** Should the handler report property <ns:name>?  Always 1 for allprop and
 * propname (a handler reports its properties; in propname mode the module
 * drops the values), for prop: 1 when it was requested. */
MS_DECLARE(int) ms_propfind_wants(const ms_propfind *pf, const char *ns,
                                  const char *name);

/** Read and parse the PROPPATCH body of @a r into @a ops (elements are
 * ms_proppatch_op).  Returns OK, or DONE after answering 400 itself (not a
 * well-formed propertyupdate document), as ms_propfind_read(). */
MS_DECLARE(int) ms_proppatch_read(request_rec *r,
                                  const apr_array_header_t **ops);

/** 1 when a property of @a resp has a status outside 2xx: for PROPPATCH the
 * module will send the successful ones as 424, so the handler must roll
 * them back.  0 otherwise. */
MS_DECLARE(int) ms_response_failed(const ms_response *resp);

/*
 * Optional functions: the same entry points, by name.
 */
APR_DECLARE_OPTIONAL_FN(apr_status_t, ms_response_open,
                        (request_rec *r, const char *path, ms_response **resp));
APR_DECLARE_OPTIONAL_FN(apr_status_t, ms_response_open_href,
                        (request_rec *r, const char *href, ms_response **resp));
APR_DECLARE_OPTIONAL_FN(apr_status_t, ms_response_set_status,
                        (ms_response *resp, int status));
APR_DECLARE_OPTIONAL_FN(apr_status_t, ms_response_set_location,
                        (ms_response *resp, const char *path));
APR_DECLARE_OPTIONAL_FN(apr_status_t, ms_response_set_error,
                        (ms_response *resp, const char *ns, const char *name));
APR_DECLARE_OPTIONAL_FN(apr_status_t, ms_response_set_description,
                        (ms_response *resp, const char *text));
APR_DECLARE_OPTIONAL_FN(apr_status_t, ms_prop_add,
                        (ms_response *resp, const char *ns, const char *name,
                         int status, ms_value_kind kind, const char *value));
APR_DECLARE_OPTIONAL_FN(const ms_qname *, ms_qname_get,
                        (request_rec *r, const char *ns, const char *name));
APR_DECLARE_OPTIONAL_FN(apr_status_t, ms_prop_add_qname,
                        (ms_response *resp, const ms_qname *qname, int status,
                         ms_value_kind kind, const char *value));
APR_DECLARE_OPTIONAL_FN(apr_status_t, ms_prop_set_lang,
                        (ms_response *resp, const char *ns, const char *name,
                         const char *lang));
APR_DECLARE_OPTIONAL_FN(apr_status_t, ms_propstat_set_description,
                        (ms_response *resp, int status, const char *text));
APR_DECLARE_OPTIONAL_FN(apr_status_t, ms_propstat_set_error,
                        (ms_response *resp, int status, const char *ns,
                         const char *name));
APR_DECLARE_OPTIONAL_FN(apr_status_t, ms_response_hide, (ms_response *resp));
APR_DECLARE_OPTIONAL_FN(apr_status_t, ms_response_close, (ms_response *resp));
APR_DECLARE_OPTIONAL_FN(const char *, ms_response_href,
                        (const ms_response *resp));
APR_DECLARE_OPTIONAL_FN(const char *, ms_response_path,
                        (const ms_response *resp));
APR_DECLARE_OPTIONAL_FN(int, ms_response_status, (const ms_response *resp));
APR_DECLARE_OPTIONAL_FN(apr_status_t, ms_add_status,
                        (request_rec *r, const char *path, int status,
                         const char *description));
APR_DECLARE_OPTIONAL_FN(apr_status_t, ms_set_description,
                        (request_rec *r, const char *text));
APR_DECLARE_OPTIONAL_FN(apr_status_t, ms_declare_namespace,
                        (request_rec *r, const char *uri));
APR_DECLARE_OPTIONAL_FN(apr_status_t, ms_flush, (request_rec *r));
APR_DECLARE_OPTIONAL_FN(int, ms_propfind_read,
                        (request_rec *r, const ms_propfind **pf));
APR_DECLARE_OPTIONAL_FN(int, ms_propfind_wants,
                        (const ms_propfind *pf, const char *ns,
                         const char *name));
APR_DECLARE_OPTIONAL_FN(int, ms_proppatch_read,
                        (request_rec *r, const apr_array_header_t **ops));
APR_DECLARE_OPTIONAL_FN(int, ms_response_failed, (const ms_response *resp));
APR_DECLARE_OPTIONAL_FN(int, ms_api_version, (void));

/** The whole API as optional functions, filled by ms_api_retrieve(). */
typedef struct ms_api {
    int available;      /**< 1 when mod_multistatus is loaded */
    int version;        /**< its MULTISTATUS_API_VERSION */
    APR_OPTIONAL_FN_TYPE(ms_response_open) *response_open;
    APR_OPTIONAL_FN_TYPE(ms_response_open_href) *response_open_href;
    APR_OPTIONAL_FN_TYPE(ms_response_set_status) *response_set_status;
    APR_OPTIONAL_FN_TYPE(ms_response_set_location) *response_set_location;
    APR_OPTIONAL_FN_TYPE(ms_response_set_error) *response_set_error;
    APR_OPTIONAL_FN_TYPE(ms_response_set_description) *response_set_description;
    APR_OPTIONAL_FN_TYPE(ms_prop_add) *prop_add;
    APR_OPTIONAL_FN_TYPE(ms_prop_set_lang) *prop_set_lang;
    APR_OPTIONAL_FN_TYPE(ms_propstat_set_description) *propstat_set_description;
    APR_OPTIONAL_FN_TYPE(ms_propstat_set_error) *propstat_set_error;
    APR_OPTIONAL_FN_TYPE(ms_response_hide) *response_hide;
    APR_OPTIONAL_FN_TYPE(ms_response_close) *response_close;
    APR_OPTIONAL_FN_TYPE(ms_response_href) *response_href;
    APR_OPTIONAL_FN_TYPE(ms_response_path) *response_path;
    APR_OPTIONAL_FN_TYPE(ms_response_status) *response_status;
    APR_OPTIONAL_FN_TYPE(ms_add_status) *add_status;
    APR_OPTIONAL_FN_TYPE(ms_set_description) *set_description;
    APR_OPTIONAL_FN_TYPE(ms_declare_namespace) *declare_namespace;
    APR_OPTIONAL_FN_TYPE(ms_flush) *flush;
    APR_OPTIONAL_FN_TYPE(ms_propfind_read) *propfind_read;
    APR_OPTIONAL_FN_TYPE(ms_propfind_wants) *propfind_wants;
    APR_OPTIONAL_FN_TYPE(ms_proppatch_read) *proppatch_read;
    APR_OPTIONAL_FN_TYPE(ms_response_failed) *response_failed;
    /* API version 3 (NULL with an older module: not needed for available) */
    APR_OPTIONAL_FN_TYPE(ms_qname_get) *qname_get;
    APR_OPTIONAL_FN_TYPE(ms_prop_add_qname) *prop_add_qname;
} ms_api;

/** Fill @a api from the optional functions.  Call it from your
 * optional_fn_retrieve hook (not earlier: mod_multistatus may load after
 * you; note that httpd runs post_config before optional_fn_retrieve, so
 * call it there too if you want to report a missing mod_multistatus at
 * startup).  Returns api->available: 1 when every entry point was found. */
static APR_INLINE int ms_api_retrieve(ms_api *api)
{
    APR_OPTIONAL_FN_TYPE(ms_api_version) *version =
        APR_RETRIEVE_OPTIONAL_FN(ms_api_version);
    api->response_open = APR_RETRIEVE_OPTIONAL_FN(ms_response_open);
    api->response_open_href = APR_RETRIEVE_OPTIONAL_FN(ms_response_open_href);
    api->response_set_status = APR_RETRIEVE_OPTIONAL_FN(ms_response_set_status);
    api->response_set_location =
        APR_RETRIEVE_OPTIONAL_FN(ms_response_set_location);
    api->response_set_error = APR_RETRIEVE_OPTIONAL_FN(ms_response_set_error);
    api->response_set_description =
        APR_RETRIEVE_OPTIONAL_FN(ms_response_set_description);
    api->prop_add = APR_RETRIEVE_OPTIONAL_FN(ms_prop_add);
    api->prop_set_lang = APR_RETRIEVE_OPTIONAL_FN(ms_prop_set_lang);
    api->propstat_set_description =
        APR_RETRIEVE_OPTIONAL_FN(ms_propstat_set_description);
    api->propstat_set_error = APR_RETRIEVE_OPTIONAL_FN(ms_propstat_set_error);
    api->response_hide = APR_RETRIEVE_OPTIONAL_FN(ms_response_hide);
    api->response_close = APR_RETRIEVE_OPTIONAL_FN(ms_response_close);
    api->response_href = APR_RETRIEVE_OPTIONAL_FN(ms_response_href);
    api->response_path = APR_RETRIEVE_OPTIONAL_FN(ms_response_path);
    api->response_status = APR_RETRIEVE_OPTIONAL_FN(ms_response_status);
    api->add_status = APR_RETRIEVE_OPTIONAL_FN(ms_add_status);
    api->set_description = APR_RETRIEVE_OPTIONAL_FN(ms_set_description);
    api->declare_namespace = APR_RETRIEVE_OPTIONAL_FN(ms_declare_namespace);
    api->flush = APR_RETRIEVE_OPTIONAL_FN(ms_flush);
    api->propfind_read = APR_RETRIEVE_OPTIONAL_FN(ms_propfind_read);
    api->propfind_wants = APR_RETRIEVE_OPTIONAL_FN(ms_propfind_wants);
    api->proppatch_read = APR_RETRIEVE_OPTIONAL_FN(ms_proppatch_read);
    api->response_failed = APR_RETRIEVE_OPTIONAL_FN(ms_response_failed);
    api->qname_get = APR_RETRIEVE_OPTIONAL_FN(ms_qname_get);
    api->prop_add_qname = APR_RETRIEVE_OPTIONAL_FN(ms_prop_add_qname);
    api->version = version ? version() : 0;
    api->available = version && api->response_open && api->response_open_href
        && api->response_set_status && api->response_set_location
        && api->response_set_error && api->response_set_description
        && api->prop_add && api->prop_set_lang
        && api->propstat_set_description && api->propstat_set_error
        && api->response_hide && api->response_close && api->response_href
        && api->response_path && api->response_status && api->add_status
        && api->set_description && api->declare_namespace && api->flush
        && api->propfind_read && api->propfind_wants && api->proppatch_read
        && api->response_failed;
    return api->available;
}

/*
 * Optional hooks: other modules take part without the handler knowing them.
 * Register with, for example,
 *     APR_OPTIONAL_HOOK(ms, multistatus_prepare_response, my_fn,
 *                       NULL, NULL, APR_HOOK_MIDDLE);
 * from your register_hooks (it works whether or not mod_multistatus is
 * loaded).  Every hook returns OK or DECLINED; any other value stops the
 * hooks that follow for this call and is logged; the body stays valid.
 */

/** Called once for each response, just before it is rendered (at its
 * close, at ms_flush() or when the handler returns).  The hook may add
 * properties or change statuses (ms_prop_add, ms_response_set_status,
 * ms_response_set_description, ...) or hide it (ms_response_hide).  @a resp
 * is valid only during the call. */
APR_DECLARE_EXTERNAL_HOOK(ms, MS, int, multistatus_prepare_response,
                          (request_rec *r, ms_response *resp))

/** Called once per body, just before the root element is written: the
 * place to ms_declare_namespace() what the responses will use. */
APR_DECLARE_EXTERNAL_HOOK(ms, MS, int, multistatus_begin_body,
                          (request_rec *r))

/** Called once per body, after the handler returned and every open response
 * was rendered, before the closing tag: the place for ms_set_description()
 * (responses opened here are rendered too). */
APR_DECLARE_EXTERNAL_HOOK(ms, MS, int, multistatus_end_body,
                          (request_rec *r))

#ifdef __cplusplus
}
#endif

#endif /* MOD_MULTISTATUS_H */
#endif /* MS_TYPES_ONLY */
