/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_ms_files.c: an example consumer of mod_multistatus -- a read-only
 * WebDAV listing of a folder of the file system, the answer to PROPFIND a
 * real client (cadaver, davfs2, Finder, Windows' redirector) needs to
 * browse it, with the live properties mod_dav_fs gives.
 *
 * It is the module to copy when you write a PROPFIND handler: it shows the
 * whole pattern, with the work a handler still has to do (map URLs to
 * resources, say what it knows of each) and what it leaves to the module:
 *
 *   ms_propfind_read()   reads Depth and the body; answers 400 / 403 / 413
 *                        itself (the handler returns DONE)
 *   ms_propfind_wants()  tells whether a property is worth computing (asked
 *                        once per request, kept as flags)
 *   ms_response_open() / ms_prop_add() / ms_response_close()
 *                        one response per resource, rendered and streamed
 *                        at its close: a listing of any size needs the
 *                        memory of one entry
 * and the module then adds a 404 for every requested property the handler
 * did not report, drops the values in propname mode, honours Prefer /
 * Brief, puts the request-URI's own response first, escapes the hrefs and
 * the names, and ends the document well even when the listing is cut.
 *
 * It uses the DIRECT calls of mod_multistatus.h (nothing linked; the
 * symbols resolve from mod_multistatus.so at load time), so
 *
 *     LoadModule multistatus_module modules/mod_multistatus.so
 *     LoadModule ms_files_module    modules/mod_ms_files.so    # after it
 *
 * (mod_ms_props.c shows the optional-function way, for modules that must
 * also load without mod_multistatus).
 *
 * Configuration:
 *
 *     <Location /files>                 # no trailing slash: /files itself,
 *         SetHandler ms-files           #   the URL file managers ask for
 *         MsFilesRoot /srv/files        #   first, belongs to the share
 *     </Location>
 *     <Directory /srv/files>            # as for an Alias: access control
 *         Require all granted           #   and AddType etc. of the files
 *     </Directory>
 *     # optional: MultiStatusDepthInfinity On (default Off: 403)
 *     # optional: MsFilesTypeCache Off (default On: see files_type_of()
 *     #           in ms_files_props.c)
 *     # optional: MsFilesIOUring Off (default On: a folder's members are
 *     #           stat'ed in batches through io_uring on Linux; see
 *     #           ms_files_list.c)
 *
 * MsFilesRoot maps URLs to files during translate_name, the way Alias
 * does: /files/a/b.txt is the file /srv/files/a/b.txt.  So httpd itself
 * knows the file (r->filename, r->finfo), <Directory> sections apply to
 * it, a sub-request for a member finds its content type exactly as a GET
 * of it would, and GET / HEAD of a file are simply left to httpd's default
 * handler (Range, conditional requests, ETag: all for free).
 *
 * Methods:
 *   OPTIONS   "DAV: 1", and the same Allow header as a 405 (httpd builds
 *             both from r->allowed: GET, HEAD, OPTIONS, PROPFIND, TRACE)
 *   GET, HEAD files, by the default handler; folders: a small HTML index
 *             of their members (files_index()), unless mod_dir found an
 *             index.html there first
 *   PROPFIND  Depth 0, 1, and infinity when MultiStatusDepthInfinity On
 *   others    405 Method Not Allowed (the tree is read-only)
 *
 * Properties (DAV:), as mod_dav_fs computes them, in ms_files_props.c:
 * resourcetype, getcontentlength, getlastmodified, creationdate, getetag,
 * getcontenttype, displayname, supportedlock, lockdiscovery.
 * The entry ".DAV" (mod_dav_fs' property store) is never listed.
 *
 * The module is three files and a private header: this one
 * (configuration, the handler, the walk of a folder), ms_files_list.c (a
 * folder's members and their file info) and ms_files_props.c (one
 * resource's response: its properties and their formatting); with apxs:
 *
 *     apxs -c -o mod_ms_files.so mod_ms_files.c ms_files_list.c \
 *         ms_files_props.c
 */

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "mod_core.h"              /* ap_send_http_options() */

#include "apr_strings.h"
#include "apr_file_info.h"

#include "mod_ms_files.h"

module AP_MODULE_DECLARE_DATA ms_files_module;

APLOG_USE_MODULE(ms_files);

#define FILES_HANDLER  "ms-files"

/*
 * Configuration
 */

typedef struct {
    const char *root;     /* MsFilesRoot, NULL when unset */
    const char *prefix;   /* the URL path of its <Location>, without the
                           * trailing '/' ("" for "/") */
    int type_cache;       /* MsFilesTypeCache: 1 On, 0 Off, -1 unset (On) */
    int io_uring;         /* MsFilesIOUring: 1 On, 0 Off, -1 unset (On) */
} files_conf;

static void *files_create_dir_conf(apr_pool_t *p, char *dir)
{
    files_conf *conf = apr_pcalloc(p, sizeof(*conf));

    (void)dir;
    conf->type_cache = -1;
    conf->io_uring = -1;
    return conf;
}

static void *files_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    files_conf *base = basev, *add = addv;
    files_conf *conf = apr_pcalloc(p, sizeof(*conf));

    /* root and prefix travel together: they describe one mapping */
    *conf = add->root ? *add : *base;
    conf->type_cache = add->type_cache != -1 ? add->type_cache
                                             : base->type_cache;
    conf->io_uring = add->io_uring != -1 ? add->io_uring : base->io_uring;
    return conf;
}

static const char *set_files_root(cmd_parms *cmd, void *dconf,
                                  const char *arg)
{
    files_conf *conf = dconf;
    const char *err = ap_check_cmd_context(cmd,
                                           NOT_IN_DIRECTORY | NOT_IN_FILES);
    char *prefix;
    apr_size_t len;

    if (err) {
        return err;
    }
    if (!ap_os_is_path_absolute(cmd->pool, arg)) {
        return "MsFilesRoot needs an absolute path";
    }
    if (cmd->path && cmd->path[0] != '/') {
        return "MsFilesRoot belongs in a <Location /path> section";
    }
    conf->root = apr_pstrdup(cmd->pool, arg);
    /* cmd->path is the <Location> argument (NULL at server level: "/") */
    prefix = apr_pstrdup(cmd->pool, cmd->path ? cmd->path : "");
    len = strlen(prefix);
    while (len > 0 && prefix[len - 1] == '/') {
        prefix[--len] = '\0';
    }
    conf->prefix = prefix;
    return NULL;
}

static const command_rec files_cmds[] = {
    AP_INIT_TAKE1("MsFilesRoot", set_files_root, NULL,
                  ACCESS_CONF | RSRC_CONF,
                  "Folder that the enclosing <Location> stands for"),
    AP_INIT_FLAG("MsFilesTypeCache", ap_set_flag_slot,
                 (void *)APR_OFFSETOF(files_conf, type_cache),
                 ACCESS_CONF | RSRC_CONF,
                 "On (default): one content-type sub-request per file name "
                 "extension and folder; Off: one per file"),
    AP_INIT_FLAG("MsFilesIOUring", ap_set_flag_slot,
                 (void *)APR_OFFSETOF(files_conf, io_uring),
                 ACCESS_CONF | RSRC_CONF,
                 "On (default): a folder's members are stat'ed in batches "
                 "through io_uring where Linux allows it; Off: one "
                 "fstatat() per member"),
    { NULL, { NULL }, NULL, 0, RAW_ARGS, NULL }
};

/*
 * URL -> file: translate_name, as mod_alias does
 */

/* The <Location> has already been walked when translate_name runs (httpd
 * 2.4), so its MsFilesRoot is in r->per_dir_config.  r->uri is decoded and
 * free of "." and ".." segments; APR_FILEPATH_SECUREROOT refuses whatever
 * would still lead out of the root. */
static int files_translate(request_rec *r)
{
    files_conf *conf = ap_get_module_config(r->per_dir_config,
                                            &ms_files_module);
    const char *rel;
    char *fs;
    apr_size_t plen;

    if (!conf->root || r->uri[0] != '/') {
        return DECLINED;
    }
    plen = strlen(conf->prefix);
    if (strncmp(r->uri, conf->prefix, plen) != 0
        || (r->uri[plen] != '/' && r->uri[plen] != '\0')) {
        return DECLINED;   /* <Location /files> also matches /filesx */
    }
    for (rel = r->uri + plen; *rel == '/'; rel++)
        ;
    if (apr_filepath_merge(&fs, conf->root, rel,
                           APR_FILEPATH_SECUREROOT | APR_FILEPATH_NOTRELATIVE,
                           r->pool) != APR_SUCCESS) {
        return HTTP_FORBIDDEN;
    }
    r->filename = fs;   /* core's map_to_storage stats it into r->finfo */
    /* The share's root asked for without its slash ("/files" for
     * <Location /files>): file managers do so first (gvfs asks OPTIONS and
     * PROPFIND /files of dav://host/files/), and do not follow mod_dir's
     * redirect of a folder's URL to "/files/" for those methods (gvfs
     * fails).  mod_dir's own switch "redirect-carefully" (Debian sets it
     * for known WebDAV clients) keeps that redirect for GET only, so the
     * handler answers the other methods on the root itself, as on
     * "/files/" (RFC 4918 5.2).  Below the root the hrefs clients follow
     * end in '/', and folders asked for without it are redirected as by
     * mod_dav_fs. */
    if (r->method_number != M_GET && rel == r->uri + plen && *rel == '\0') {
        apr_table_setn(r->subprocess_env, "redirect-carefully", "1");
    }
    return OK;
}
/*
 * The walk
 */

/* A path with room after it for one member's name: the walk writes each
 * member's name there in turn, so listing a folder of any size takes one
 * buffer, not a string per member.  len counts the path and its final
 * '/' (none after "", the request-URI's own relative path). */
typedef struct {
    char *s;
    apr_size_t len;
    apr_size_t size;
} files_path;

static void files_path_init(files_path *fp, const char *s, apr_size_t len,
                            apr_pool_t *p)
{
    fp->size = len + 1 + 256 + 2;   /* names of up to 255 bytes (NAME_MAX
                                     * of most file systems), '/', NUL */
    fp->s = apr_palloc(p, fp->size);
    memcpy(fp->s, s, len);
    if (len && s[len - 1] != '/') {
        fp->s[len++] = '/';
    }
    fp->len = len;
    fp->s[len] = '\0';
}

/* The path of the member @a name (@a nlen bytes), with a '/' after it
 * when @a slash; valid until the next call. */
static const char *files_path_member(files_path *fp, const char *name,
                                     apr_size_t nlen, int slash,
                                     apr_pool_t *p)
{
    char *s;

    if (fp->len + nlen + 2 > fp->size) {   /* longer than any before */
        fp->size = 2 * (fp->len + nlen + 2);
        s = apr_palloc(p, fp->size);
        memcpy(s, fp->s, fp->len);
        fp->s = s;
    }
    memcpy(fp->s + fp->len, name, nlen);
    if (slash) {
        fp->s[fp->len + nlen++] = '/';
    }
    fp->s[fp->len + nlen] = '\0';
    return fp->s;
}

/* Report the members of the folder @a fs (@a fs_len bytes), whose path
 * relative to the request-URI is @a rel (@a rel_len bytes: "" for the
 * request-URI itself, else ending in '/'), and with @a infinite their
 * members too, depth first: each folder's response comes before its
 * members'.  Memory: one pool per folder level, with two path buffers and
 * the folder's content-type cache; nothing grows with the number of
 * members.  Members come in directory order (like mod_dav_fs): sorting
 * would need to hold a whole folder. */
static void files_walk(files_ctx *ctx, const char *rel, apr_size_t rel_len,
                       const char *fs, apr_size_t fs_len, int infinite,
                       int level, apr_pool_t *parent)
{
    apr_pool_t *p;
    files_list *list;
    files_path rel_path, fs_path;
    const files_member *m;
    apr_status_t rv;
    files_types *types;
    const char *child_rel;
    int is_dir;

    apr_pool_create(&p, parent);
    /* Depth infinity holds a batch per level: full ones for the first two,
     * small ones below, so that a tree thousands of levels deep does not
     * cost 28 KB a level */
    if ((rv = ms_files_list_open(&list, fs, ctx->io_uring,
                                 level < 2 ? 256 : 16, p)) != APR_SUCCESS) {
        /* not readable by httpd: the folder is listed, its members not */
        ap_log_rerror(APLOG_MARK, APLOG_INFO, rv, ctx->r,
                      "ms_files: cannot list %s", fs);
        apr_pool_destroy(p);
        return;
    }
    files_path_init(&rel_path, rel, rel_len, p);
    files_path_init(&fs_path, fs, fs_len, p);
    types = ctx->type_cache ? ms_files_types_make(p) : NULL;
    /* each member with the file info of its target, as mod_dav_fs
     * reports a symbolic link; one that vanished (or dangles) since the
     * read is not listed */
    while (!ctx->stop && (m = ms_files_list_next(list, ctx->r)) != NULL) {
        is_dir = m->fi.filetype == APR_DIR;
        child_rel = rel_path.len || is_dir
                    ? files_path_member(&rel_path, m->name, m->len, is_dir,
                                        p)
                    : m->name;
        /* a link's type is its own: Options FollowSymLinks and
         * SymLinksIfOwnerMatch apply to it, not to its neighbours */
        (void)ms_files_report(ctx, child_rel, m->name, &m->fi,
                              m->link ? NULL : types);
        /* not into links to folders: a link to ".." would never end */
        if (infinite && is_dir && !m->link) {
            files_walk(ctx, child_rel, rel_path.len + m->len + 1,
                       files_path_member(&fs_path, m->name, m->len, 0, p),
                       fs_path.len + m->len, infinite, level + 1, p);
        }
    }
    ms_files_list_close(list);
    apr_pool_destroy(p);
}

/* The last segment of @a uri ("/files/a b/" -> "a b"), for displayname. */
static const char *files_name(apr_pool_t *p, const char *uri)
{
    const char *end = uri + strlen(uri), *start;

    while (end > uri + 1 && end[-1] == '/') {
        end--;
    }
    for (start = end; start > uri && start[-1] != '/'; start--)
        ;
    return start < end ? apr_pstrmemdup(p, start, end - start) : "/";
}

/*
 * GET and HEAD of a folder: a small HTML index
 */

/* What a WebDAV share answers when a browser, or a client that checks
 * existence with HEAD before it lists (python3-webdavclient does), asks
 * for a folder: 200 and a list of links to its members, in directory
 * order (sorting would mean holding the whole folder), the same members a
 * PROPFIND lists.  mod_dir has already redirected "/files/dir" to
 * "/files/dir/" (DirectorySlash) or served an index.html of the folder;
 * without mod_dir the links are absolute paths and work either way. */
static int files_index(request_rec *r)
{
    apr_pool_t *scratch;
    files_list *list;
    files_path base;
    const files_member *m;
    apr_status_t rv;
    const char *html, *path;
    files_conf *conf = ap_get_module_config(r->per_dir_config,
                                            &ms_files_module);

    if ((rv = ms_files_list_open(&list, r->filename, conf->io_uring != 0,
                                 256, r->pool)) != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, rv, r,
                      "ms_files: cannot list %s", r->filename);
        return HTTP_FORBIDDEN;
    }
    ap_set_content_type(r, "text/html; charset=utf-8");
    if (r->header_only) {        /* HEAD: the same headers, no listing */
        ms_files_list_close(list);
        return OK;
    }
    files_path_init(&base, r->uri, strlen(r->uri), r->pool);

    html = ap_escape_html2(r->pool, base.s, 0);
    ap_rvputs(r, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
              "<title>Index of ", html, "</title></head>\n<body><h1>"
              "Index of ", html, "</h1>\n<ul>\n", NULL);
    /* the share's root has no parent inside the share */
    if (base.len > strlen(conf->prefix) + 1) {
        ap_rputs("<li><a href=\"../\">../</a></li>\n", r);
    }
    apr_pool_create(&scratch, r->pool);
    /* the same members a PROPFIND lists: dangling links left out */
    while ((m = ms_files_list_next(list, r)) != NULL) {
        int is_dir = m->fi.filetype == APR_DIR;

        path = files_path_member(&base, m->name, m->len, is_dir, r->pool);
        /* the href percent-encoded ("a b" -> a%20b, '#' and '?' too),
         * then both it and the name HTML-escaped ('&', '<') */
        ap_rvputs(r, "<li><a href=\"",
                  ap_escape_html2(scratch, ap_escape_uri(scratch, path), 0),
                  "\">", ap_escape_html2(scratch, m->name, 0),
                  is_dir ? "/" : "", "</a></li>\n", NULL);
        apr_pool_clear(scratch);
    }
    ms_files_list_close(list);
    apr_pool_destroy(scratch);
    ap_rputs("</ul>\n</body></html>\n", r);
    return OK;
}

/*
 * The handler
 */

static int files_propfind(request_rec *r, const files_conf *conf)
{
    files_ctx ctx;
    const ms_propfind *pf;
    apr_finfo_t fi;
    apr_status_t rv;
    const char *self;
    int rc;

    /* 1. The request-URI must exist: RFC 4918 wants a plain 404 here, not
     *    a 207 (clients loop otherwise).  Decide before registering
     *    anything: a request that registered nothing is left alone. */
    if (r->finfo.filetype == APR_NOFILE
        || (r->path_info && *r->path_info)) {   /* /files/a.txt/more */
        return HTTP_NOT_FOUND;
    }
    /* r->finfo is core's stat; ours also wants the ctime */
    rv = apr_stat(&fi, r->filename, FILES_FINFO, r->pool);
    if (rv != APR_SUCCESS && rv != APR_INCOMPLETE) {
        return HTTP_NOT_FOUND;
    }

    /* 2. Depth and body.  DONE: the module answered (400 bad body, 403
     *    Depth: infinity refused, 413 too big): no work for us. */
    if ((rc = ms_propfind_read(r, &pf)) != OK) {
        return rc;
    }
    ms_files_ctx_init(&ctx, r, pf, conf->type_cache != 0);   /* unset: On */
    ctx.io_uring = conf->io_uring != 0;                        /* unset: On */

    /* 3. The request-URI's own response; a collection's href ends in '/'
     *    (asked for as "/files/dir", it is "/files/dir/": see
     *    files_translate()) */
    self = r->uri;
    if (fi.filetype == APR_DIR && self[strlen(self) - 1] != '/') {
        self = apr_pstrcat(r->pool, self, "/", NULL);
        /* RFC 4918 5.2: answered as the URL with the slash, say which */
        apr_table_setn(r->headers_out, "Content-Location",
                       ap_escape_uri(r->pool, self));
    }
    ctx.base = self;
    rv = ms_files_report(&ctx, self, files_name(r->pool, self), &fi, NULL);
    if (rv == MS_EDISABLED) {
        /* "MultiStatus Off" here: a module with a fallback would answer on
         * its own now; this one has none */
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "ms_files: MultiStatus Off, PROPFIND not served");
        return HTTP_NOT_IMPLEMENTED;
    }

    /* 4. Its members, for Depth 1 and infinity */
    if (!ctx.stop && fi.filetype == APR_DIR && pf->depth != 0) {
        files_walk(&ctx, "", 0, r->filename, strlen(r->filename),
                   pf->depth == MS_DEPTH_INFINITY, 0, r->pool);
    }

    /* The module renders what is left and ends the document, also when
     * the walk stopped early (a 507 response says so on MS_ELIMIT). */
    return OK;
}

static int files_handler(request_rec *r)
{
    files_conf *conf;

    if (!r->handler || strcmp(r->handler, FILES_HANDLER) != 0) {
        return DECLINED;
    }
    conf = ap_get_module_config(r->per_dir_config, &ms_files_module);
    if (!conf->root) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "ms_files: SetHandler " FILES_HANDLER
                      " without MsFilesRoot");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* The methods of the share.  httpd builds the Allow header of a 405
     * and of OPTIONS (ap_send_http_options()) from them, the same way:
     * HEAD comes with GET, TRACE unless TraceEnable Off. */
    ap_allow_standard_methods(r, REPLACE_ALLOW, M_GET, M_OPTIONS, M_PROPFIND,
                              -1);

    switch (r->method_number) {
    case M_GET:   /* and HEAD */
        if (r->finfo.filetype == APR_DIR
            && !(r->path_info && *r->path_info)) {
            return files_index(r);
        }
        return DECLINED;   /* a file: httpd's default handler serves it */
    case M_OPTIONS:
        /* class 1 (no locks); clients check it before they browse.
         * MS-Author-Via: Microsoft's clients want it, as mod_dav sends. */
        apr_table_setn(r->headers_out, "DAV", "1");
        apr_table_setn(r->headers_out, "MS-Author-Via", "DAV");
        ap_set_content_type(r, NULL);   /* no body: no type (mod_mime set
                                         * the resource's) */
        ap_set_content_length(r, 0);
        return ap_send_http_options(r);
    case M_PROPFIND:
        return files_propfind(r, conf);
    default:
        return HTTP_METHOD_NOT_ALLOWED;
    }
}

static void files_child_init(apr_pool_t *pchild, server_rec *s)
{
    (void)s;
    ms_files_list_child_init(pchild);
}

static void files_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_child_init(files_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    /* before core's own translation (APR_HOOK_REALLY_LAST) */
    ap_hook_translate_name(files_translate, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(files_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

module AP_MODULE_DECLARE_DATA ms_files_module = {
    STANDARD20_MODULE_STUFF,
    files_create_dir_conf,    /* per-directory config */
    files_merge_dir_conf,
    NULL,                     /* per-server config */
    NULL,
    files_cmds,
    files_register_hooks,
    AP_MODULE_FLAG_NONE
};