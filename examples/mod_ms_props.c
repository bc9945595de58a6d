/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_ms_props.c: an example consumer of mod_multistatus that answers
 * PROPFIND for a folder tree with a handful of properties, and redacts
 * resources from every 207 answer through an optional hook.
 *
 * Unlike mod_ms_bulk.c (direct calls), this module reaches mod_multistatus
 * through its APR OPTIONAL FUNCTIONS (ms_api_retrieve() in the header).
 * It links nothing and needs no load order: it loads, and degrades to a
 * clear 501 for PROPFIND, when mod_multistatus is not loaded at all; the
 * redaction hook simply never runs then.
 *
 * Configuration:
 *
 *     <Location /files>
 *         SetHandler ms-props
 *         MsPropsRoot /srv/files           # the tree /files/ stands for
 *         MsPropsColor *.txt green         # urn:example:props color, by
 *         MsPropsColor Photos blue         #   name pattern (first match)
 *         MsPropsHidePrivate On            # default Off
 *     </Location>
 *
 * PROPFIND with Depth: 0 or 1.  mod_multistatus reads the request
 * (ms.propfind_read): it refuses Depth: infinity (or none) with 403 and
 * DAV:propfind-finite-depth, and a bad body with 400, before this module
 * does any work; the body may be empty (allprop), <D:allprop/>,
 * <D:propname/> or <D:prop> with the properties wanted.  Known properties:
 *     D:displayname       the name, as text (the module escapes it)
 *     D:resourcetype      <D:collection/> for a folder, empty for a file
 *     D:getcontentlength  files only (404 for a folder when asked for)
 *     D:getlastmodified   RFC 1123 date
 *     E:color             (E = urn:example:props) from MsPropsColor, with
 *                         xml:lang="en"; 404 when no pattern matches
 * Any other property asked for is answered 404 by mod_multistatus (RFC 4918
 * 9.1): this module only reports what it knows.
 *
 * MsPropsHidePrivate On: every resource with a path segment starting with
 * "private" is left out of every 207 answer below this location, whichever
 * handler produced it (that is what the multistatus_prepare_response hook
 * is for), and PROPFIND on such a resource itself answers 404.
 */

#include <stddef.h>   /* offsetof */

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"

#include "apr_strings.h"
#include "apr_file_info.h"
#include "apr_fnmatch.h"
#include "apr_tables.h"

#include "mod_multistatus.h"

module AP_MODULE_DECLARE_DATA ms_props_module;

APLOG_USE_MODULE(ms_props);

#define PROPS_HANDLER "ms-props"
#define PROPS_NS      "urn:example:props"

/* The API, filled by props_retrieve() once every module is loaded.
 * Read-only afterwards, so threads may share it. */
static ms_api ms;

/*
 * Configuration
 */

typedef struct {
    const char *pattern;   /* apr_fnmatch() pattern on the name */
    const char *color;
} props_color;

typedef struct {
    const char *root;       /* MsPropsRoot, NULL when unset */
    const char *prefix;     /* its <Location>, without trailing '/' */
    int hide_private;       /* MsPropsHidePrivate, -1 when unset */
    apr_array_header_t *colors;   /* of props_color */
} props_conf;

static void *props_create_dir_conf(apr_pool_t *p, char *dir)
{
    props_conf *conf = apr_pcalloc(p, sizeof(*conf));

    (void)dir;
    conf->hide_private = -1;
    conf->colors = apr_array_make(p, 4, sizeof(props_color));
    return conf;
}

static void *props_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    props_conf *base = basev, *add = addv;
    props_conf *conf = apr_pcalloc(p, sizeof(*conf));

    conf->root = add->root ? add->root : base->root;
    conf->prefix = add->root ? add->prefix : base->prefix;
    conf->hide_private = add->hide_private != -1 ? add->hide_private
                                                 : base->hide_private;
    /* the inner section's patterns first, then the outer ones */
    conf->colors = apr_array_append(p, add->colors, base->colors);
    return conf;
}

static const char *set_props_root(cmd_parms *cmd, void *dconf,
                                  const char *arg)
{
    props_conf *conf = dconf;
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIRECTORY | NOT_IN_FILES);
    apr_size_t len;

    if (err) {
        return err;
    }
    if (!ap_os_is_path_absolute(cmd->pool, arg)) {
        return "MsPropsRoot needs an absolute path";
    }
    conf->root = apr_pstrdup(cmd->pool, arg);
    conf->prefix = apr_pstrdup(cmd->pool, cmd->path ? cmd->path : "");
    len = strlen(conf->prefix);
    while (len > 0 && conf->prefix[len - 1] == '/') {
        ((char *)conf->prefix)[--len] = '\0';
    }
    return NULL;
}

static const char *add_props_color(cmd_parms *cmd, void *dconf,
                                   const char *pattern, const char *color)
{
    props_conf *conf = dconf;
    props_color *c = apr_array_push(conf->colors);

    c->pattern = apr_pstrdup(cmd->pool, pattern);
    c->color = apr_pstrdup(cmd->pool, color);
    return NULL;
}

static const command_rec props_cmds[] = {
    AP_INIT_TAKE1("MsPropsRoot", set_props_root, NULL,
                  ACCESS_CONF | RSRC_CONF,
                  "Folder that the enclosing <Location> stands for"),
    AP_INIT_TAKE2("MsPropsColor", add_props_color, NULL,
                  ACCESS_CONF | RSRC_CONF,
                  "A name pattern (as in a shell) and the color property "
                  "of the resources it matches; repeatable, first wins"),
    AP_INIT_FLAG("MsPropsHidePrivate", ap_set_flag_slot,
                 (void *)offsetof(props_conf, hide_private),
                 ACCESS_CONF | RSRC_CONF,
                 "On to leave resources named private* out of 207 answers "
                 "(default Off)"),
    /* the end, spelled out: clang warns about a bare { NULL } */
    { NULL, { NULL }, NULL, 0, RAW_ARGS, NULL }
};

/*
 * Redaction: the multistatus_prepare_response hook
 */

/* Does a segment of @a path start with "private"? */
static int props_is_private(const char *path)
{
    return strncmp(path, "private", 7) == 0
           || strstr(path, "/private") != NULL;
}

/*
 * Runs for every response of every 207 answer of the server, just before
 * it is rendered, whichever handler registered it; @a resp is valid only
 * during the call.  We act only where MsPropsHidePrivate On applies to the
 * request, and only decide, through ms_response_hide(), whether the
 * response is sent at all.  Returns DECLINED when it did nothing, OK when
 * it hid the response (any other value would be logged by the module and
 * stop the hooks after ours for this response).
 */
static int props_prepare_response(request_rec *r, ms_response *resp)
{
    props_conf *conf = ap_get_module_config(r->per_dir_config,
                                            &ms_props_module);
    const char *path;

    if (conf->hide_private != 1 || !ms.available) {
        return DECLINED;
    }
    /* NULL when the href is no path of ours (e.g. an absolute URI of
     * another server): nothing to judge */
    path = ms.response_path(resp);
    if (!path || !props_is_private(path)) {
        return DECLINED;
    }
    ms.response_hide(resp);
    ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r,
                  "ms_props: hid %s", ms.response_href(resp));
    return OK;
}

/*
 * Properties
 */

typedef ms_propname props_name;

typedef struct {
    request_rec *r;
    const props_conf *conf;
    const ms_propfind *pf;      /* what the client asked for */
    int stop;                   /* the module asked us to stop */
} props_ctx;

/* What the return code of an API call means; same contract for all. */
static void props_check_rv(props_ctx *ctx, apr_status_t rv)
{
    if (rv == MS_ELIMIT || rv == MS_EABORTED || rv == MS_EFINISHED) {
        /* too many responses (the body says it is incomplete), client
         * gone, or too late: listing more is wasted work */
        ctx->stop = 1;
    }
    /* MS_EINVAL, MS_ECONFLICT: this one item was refused and logged;
     * the rest of the body is fine, go on. */
}

/* The value of one known property of @a fi, named @a name: its status
 * and value.  Returns 0 when we do not know the property at all. */
static int props_value(props_ctx *ctx, const apr_finfo_t *fi,
                       const char *display, const props_name *pn,
                       int *status, ms_value_kind *kind, const char **value,
                       apr_pool_t *p)
{
    const props_color *c;
    int i;

    *status = HTTP_OK;
    *kind = MS_VALUE_TEXT;
    if (!strcmp(pn->ns, "DAV:")) {
        if (!strcmp(pn->name, "displayname")) {
            *value = display;
        }
        else if (!strcmp(pn->name, "resourcetype")) {
            /* an XML fragment; D: is always bound to DAV: */
            *kind = fi->filetype == APR_DIR ? MS_VALUE_XML : MS_VALUE_NONE;
            *value = fi->filetype == APR_DIR ? "<D:collection/>" : NULL;
        }
        else if (!strcmp(pn->name, "getcontentlength")) {
            if (fi->filetype == APR_DIR) {
                *status = HTTP_NOT_FOUND;   /* folders have none */
                *kind = MS_VALUE_NONE;
                *value = NULL;
            }
            else {
                *value = apr_off_t_toa(p, fi->size);
            }
        }
        else if (!strcmp(pn->name, "getlastmodified")) {
            char *date = apr_palloc(p, APR_RFC822_DATE_LEN);

            apr_rfc822_date(date, fi->mtime);
            *value = date;
        }
        else {
            return 0;
        }
        return 1;
    }
    if (!strcmp(pn->ns, PROPS_NS) && !strcmp(pn->name, "color")) {
        for (i = 0; i < ctx->conf->colors->nelts; i++) {
            c = &APR_ARRAY_IDX(ctx->conf->colors, i, props_color);
            if (apr_fnmatch(c->pattern, display, 0) == APR_SUCCESS) {
                *value = c->color;
                return 1;
            }
        }
        *status = HTTP_NOT_FOUND;   /* we know it, this one has none */
        *kind = MS_VALUE_NONE;
        *value = NULL;
        return 1;
    }
    return 0;
}

static const props_name props_known[] = {
    { "DAV:", "displayname" },
    { "DAV:", "resourcetype" },
    { "DAV:", "getcontentlength" },
    { "DAV:", "getlastmodified" },
    { PROPS_NS, "color" },
};

/* Add one property to @a resp, handling refusals. */
static void props_add(props_ctx *ctx, ms_response *resp,
                      const props_name *pn, int status, ms_value_kind kind,
                      const char *value)
{
    apr_status_t rv = ms.prop_add(resp, pn->ns, pn->name, status, kind,
                                  value);

    if (rv == MS_EINVAL && kind == MS_VALUE_TEXT) {
        /* The text was refused (a file name that is not UTF-8, say): the
         * module logged it.  The property still gets an answer, without
         * a value, so the client is not left wondering. */
        rv = ms.prop_add(resp, pn->ns, pn->name, HTTP_NOT_FOUND,
                         MS_VALUE_NONE, NULL);
    }
    else if (rv == APR_SUCCESS && status == HTTP_OK
             && !strcmp(pn->ns, PROPS_NS)) {
        rv = ms.prop_set_lang(resp, pn->ns, pn->name, "en");
    }
    props_check_rv(ctx, rv);
}

/* One response: the properties of the resource at @a fs, URL @a path
 * (unescaped), opened, filled and closed at once so that a long listing
 * needs no more memory than one entry. */
static void props_one(props_ctx *ctx, const char *path, const char *fs,
                      const char *display, apr_pool_t *p)
{
    ms_response *resp;
    apr_finfo_t fi;
    apr_status_t rv;
    const char *value;
    ms_value_kind kind;
    int i, n, status;

    rv = apr_stat(&fi, fs, APR_FINFO_TYPE | APR_FINFO_SIZE | APR_FINFO_MTIME
                           | APR_FINFO_LINK, p);
    if (rv != APR_SUCCESS && rv != APR_INCOMPLETE) {
        return;   /* gone since it was listed */
    }
    if ((rv = ms.response_open(ctx->r, path, &resp)) != APR_SUCCESS) {
        props_check_rv(ctx, rv);
        return;
    }
    /* Report every known property the request wants; mod_multistatus
     * answers 404 for those asked for that we do not know, and drops the
     * values in propname mode. */
    n = (int)(sizeof(props_known) / sizeof(props_known[0]));
    for (i = 0; i < n && !ctx->stop; i++) {
        const props_name *pn = &props_known[i];

        if (!ms.propfind_wants(ctx->pf, pn->ns, pn->name)) {
            continue;   /* not asked for: skip the work */
        }
        if (!props_value(ctx, &fi, display, pn, &status, &kind, &value,
                         p)) {
            continue;
        }
        if (status != HTTP_OK && ctx->pf->type != MS_PROPFIND_PROP) {
            continue;   /* allprop/propname list what exists */
        }
        props_add(ctx, resp, pn, status, kind, value);
    }
    /* Rendered now (the prepare_response hooks run first: ours may hide
     * it); the handle is invalid afterwards. */
    props_check_rv(ctx, ms.response_close(resp));
}

/*
 * Helpers
 */

/* Refuse Depth: infinity the way RFC 4918 9.1 describes (reached only when
 * MultiStatusDepthInfinity On lets it through: this example walks one
 * level at most). */
static int props_refuse_infinity(request_rec *r)
{
    r->status = HTTP_FORBIDDEN;
    ap_set_content_type(r, "application/xml; charset=utf-8");
    ap_rputs("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
             "<D:error xmlns:D=\"DAV:\"><D:propfind-finite-depth/></D:error>\n",
             r);
    return DONE;
}

/* The last segment of @a uri ("/files/a b/" -> "a b"), for displayname. */
static const char *props_display(apr_pool_t *p, const char *uri)
{
    apr_size_t len = strlen(uri);
    const char *start;

    while (len > 1 && uri[len - 1] == '/') {
        len--;
    }
    for (start = uri + len; start > uri && start[-1] != '/'; start--)
        ;
    return len > 0 && start < uri + len
           ? apr_pstrmemdup(p, start, uri + len - start) : "/";
}

static int props_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The handler
 */

static int props_handler(request_rec *r)
{
    props_conf *conf;
    props_ctx ctx;
    const char *rel, *self;
    apr_array_header_t *names;
    apr_pool_t *scratch;
    apr_finfo_t fi, dfi;
    apr_dir_t *dir;
    apr_status_t rv;
    char *fs;
    int rc, i;

    if (!r->handler || strcmp(r->handler, PROPS_HANDLER) != 0) {
        return DECLINED;
    }
    ap_allow_standard_methods(r, MERGE_ALLOW, M_PROPFIND, -1);
    if (r->method_number == M_OPTIONS) {
        return DECLINED;
    }
    if (r->method_number != M_PROPFIND) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    if (!ms.available) {
        /* Graceful degradation: the module loaded without
         * mod_multistatus and says so; a module with a fallback (its own
         * XML writer, a plain listing) would use it here. */
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "ms_props: mod_multistatus is not loaded");
        return HTTP_NOT_IMPLEMENTED;
    }
    conf = ap_get_module_config(r->per_dir_config, &ms_props_module);
    if (!conf->root) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "ms_props: SetHandler " PROPS_HANDLER
                      " without MsPropsRoot");
        return HTTP_INTERNAL_SERVER_ERROR;
    }

    /* URL -> file, as in mod_ms_bulk.c */
    if (strncmp(r->uri, conf->prefix, strlen(conf->prefix)) != 0) {
        return HTTP_NOT_FOUND;
    }
    rel = r->uri + strlen(conf->prefix);
    if (*rel && *rel != '/') {
        return HTTP_NOT_FOUND;   /* <Location /files> also matches /filesx */
    }
    if (conf->hide_private == 1 && props_is_private(rel)) {
        return HTTP_NOT_FOUND;   /* hidden from listings: and from itself */
    }
    while (*rel == '/') {
        rel++;
    }
    if (apr_filepath_merge(&fs, conf->root, rel, APR_FILEPATH_SECUREROOT,
                           r->pool) != APR_SUCCESS) {
        return HTTP_FORBIDDEN;
    }

    memset(&ctx, 0, sizeof(ctx));
    ctx.r = r;
    ctx.conf = conf;
    /* Depth and body, read by mod_multistatus before any per-resource
     * work; on DONE it has answered already (400, 403) */
    if ((rc = ms.propfind_read(r, &ctx.pf)) != OK) {
        return rc;
    }
    if (ctx.pf->depth == MS_DEPTH_INFINITY) {
        return props_refuse_infinity(r);
    }

    /* RFC 4918: PROPFIND on a missing resource is a plain 404, not 207 */
    rv = apr_stat(&fi, fs, APR_FINFO_TYPE | APR_FINFO_LINK, r->pool);
    if (rv != APR_SUCCESS && rv != APR_INCOMPLETE) {
        return APR_STATUS_IS_EACCES(rv) ? HTTP_FORBIDDEN : HTTP_NOT_FOUND;
    }
    if (fi.filetype == APR_DIR && r->uri[strlen(r->uri) - 1] != '/') {
        self = apr_pstrcat(r->pool, r->uri, "/", NULL);  /* collections end in '/' */
    }
    else {
        self = r->uri;
    }

    /* The request-URI first: several clients expect it so. */
    props_one(&ctx, self, fs, props_display(r->pool, self), r->pool);
    if (ctx.stop || fi.filetype != APR_DIR || ctx.pf->depth != 1) {
        return OK;
    }

    /* Depth: 1.  Sorted, so the answer is the same on every run. */
    names = apr_array_make(r->pool, 16, sizeof(const char *));
    if ((rv = apr_dir_open(&dir, fs, r->pool)) != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, rv, r,
                      "ms_props: cannot list %s", fs);
        return OK;   /* the request-URI's own response is there */
    }
    while (apr_dir_read(&dfi, APR_FINFO_NAME, dir) == APR_SUCCESS) {
        if (strcmp(dfi.name, ".") && strcmp(dfi.name, "..")) {
            APR_ARRAY_PUSH(names, const char *) =
                apr_pstrdup(r->pool, dfi.name);
        }
    }
    apr_dir_close(dir);
    qsort(names->elts, names->nelts, sizeof(const char *), props_cmp);

    apr_pool_create(&scratch, r->pool);
    for (i = 0; i < names->nelts && !ctx.stop; i++) {
        const char *name = APR_ARRAY_IDX(names, i, const char *);
        const char *child = apr_pstrcat(scratch, fs, "/", name, NULL);

        rv = apr_stat(&dfi, child, APR_FINFO_TYPE | APR_FINFO_LINK, scratch);
        /* unescaped, relative to the request-URI: the module resolves
         * and percent-encodes it ("a b" -> /files/a%20b) */
        props_one(&ctx,
                  apr_pstrcat(scratch, name,
                              rv == APR_SUCCESS && dfi.filetype == APR_DIR
                              ? "/" : "", NULL),
                  child, name, scratch);
        apr_pool_clear(scratch);
    }
    apr_pool_destroy(scratch);
    return OK;
}

/*
 * Startup
 */

/* The oldest API version this module works with: a module that uses an
 * entry point added later names the version that introduced it. */
#define PROPS_MIN_API_VERSION 2   /* ms_propfind_read() */

/* Look the optional functions up.  Called from the optional_fn_retrieve
 * hook, the documented place (it runs once every module is loaded,
 * whatever their order), and from post_config, which httpd runs BEFORE
 * that hook but also after all modules are loaded: so that the check
 * below sees the truth. */
static void props_retrieve(void)
{
    if (ms_api_retrieve(&ms) && ms.version < PROPS_MIN_API_VERSION) {
        ms.available = 0;
    }
}

/* Say clearly, once per (re)start, when the dependency is missing. */
static int props_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    (void)pconf; (void)plog; (void)ptemp;
    props_retrieve();
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK;   /* the first, dry run of the configuration */
    }
    if (!ms.available) {
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s,
                     "ms_props: mod_multistatus %s: PROPFIND on ms-props "
                     "locations answers 501",
                     ms.version ? "is too old" : "is not loaded");
    }
    return OK;
}

static void props_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_optional_fn_retrieve(props_retrieve, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(props_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(props_handler, NULL, NULL, APR_HOOK_MIDDLE);
    /* An optional hook: registering works whether or not mod_multistatus
     * is (or will be) loaded; without it the hook is never run. */
    APR_OPTIONAL_HOOK(ms, multistatus_prepare_response,
                      props_prepare_response, NULL, NULL, APR_HOOK_MIDDLE);
}

module AP_MODULE_DECLARE_DATA ms_props_module = {
    STANDARD20_MODULE_STUFF,
    props_create_dir_conf,    /* per-directory config */
    props_merge_dir_conf,
    NULL,                     /* per-server config */
    NULL,
    props_cmds,
    props_register_hooks,
    AP_MODULE_FLAG_NONE
};
