/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_bulk_post.c: POST of the mod_ms_bulk example (see mod_ms_bulk.c):
 * a text/plain list of member names, one result per name.
 */

#include "httpd.h"
#include "http_log.h"
#include "http_protocol.h"

#include "apr_strings.h"
#include "apr_file_info.h"
#include "apr_file_io.h"
#include "apr_lib.h"

#include "mod_ms_bulk.h"

APLOG_USE_MODULE(ms_bulk);

/*
 * POST: one result per name, with the one-call form ms_add_status().
 * It leaves the response open, so a name listed twice (or "a" and "./a")
 * lands in one response (a different second status is refused: the
 * first stays).  Open responses live
 * until the handler returns: fine for a list bounded by BULK_MAX_BODY.
 */
/* Does @a name, resolved against the collection, leave it (an absolute
 * path, or more ".." segments than it went down)? */
static int bulk_name_escapes(const char *name)
{
    int depth = 0;
    const char *p = name, *e;

    if (*name == '/') {
        return 1;
    }
    while (*p) {
        e = p + strcspn(p, "/");
        if (e - p == 2 && p[0] == '.' && p[1] == '.') {
            if (--depth < 0) {
                return 1;
            }
        }
        else if (e > p && !(e - p == 1 && p[0] == '.')) {
            depth++;
        }
        p = *e ? e + 1 : e;
    }
    return 0;
}

/* A name that leaves the collection is reported under an href that keeps
 * it whole, as one segment below the collection ("../../etc/passwd" ->
 * /bulk/..%2F..%2Fetc%2Fpasswd): the client decodes it back to what it
 * sent, and it never collides with the result of another name. */
static apr_status_t bulk_add_whole(request_rec *r, const char *name,
                                   int status, const char *description)
{
    static const char hex[] = "0123456789ABCDEF";
    char *enc = apr_palloc(r->pool, 3 * strlen(name) + 1), *o = enc;
    const unsigned char *c;
    ms_response *resp;
    apr_status_t rv;

    for (c = (const unsigned char *)name; *c; c++) {
        if (apr_isalnum(*c) || *c == '-' || *c == '_' || *c == '~') {
            *o++ = (char)*c;
        }
        else {
            *o++ = '%';
            *o++ = hex[*c >> 4];
            *o++ = hex[*c & 15];
        }
    }
    *o = '\0';
    rv = ms_response_open_href(r, enc, &resp);
    if (rv == APR_SUCCESS && ms_response_status(resp)
        && ms_response_status(resp) != status) {
        return MS_ECONFLICT;    /* the same name twice: first result kept */
    }
    if (rv == APR_SUCCESS) {
        rv = ms_response_set_status(resp, status);
    }
    if (rv == APR_SUCCESS && description) {
        rv = ms_response_set_description(resp, description);
    }
    return rv;
}

static void bulk_add(bulk_ctx *ctx, const char *path, int status,
                     const char *description)
{
    apr_status_t rv;

    if (ctx->stop) {
        return;
    }
    ctx->reported++;
    if (!ctx->plain) {
        /* path is a name relative to the request-URI, unescaped: the
         * module resolves it ("a b" under /bulk/ -> /bulk/a%20b); one
         * that would resolve outside the collection keeps its own href */
        rv = bulk_name_escapes(path)
             ? bulk_add_whole(ctx->r, path, status, description)
             : ms_add_status(ctx->r, path, status, description);
        if (rv != MS_EDISABLED) {
            bulk_check_rv(ctx, rv);
            return;
        }
    }
    bulk_plain(ctx, path, status, description);
}

/*
 * POST: check a list of names
 */

/* Read the whole (small) request body into a NUL-terminated buffer. */
static int bulk_read_body(request_rec *r, char **body, apr_size_t *len)
{
    char *buf;
    apr_size_t got = 0;
    long n;
    int rc;

    if ((rc = ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK)) != OK) {
        return rc;
    }
    buf = apr_palloc(r->pool, BULK_MAX_BODY + 2);
    if (ap_should_client_block(r)) {
        while (got <= BULK_MAX_BODY) {
            n = ap_get_client_block(r, buf + got, BULK_MAX_BODY + 1 - got);
            if (n == 0) {
                break;
            }
            if (n < 0) {
                return HTTP_BAD_REQUEST;
            }
            got += (apr_size_t)n;
        }
        if (got > BULK_MAX_BODY) {
            return HTTP_REQUEST_ENTITY_TOO_LARGE;
        }
    }
    buf[got] = '\0';
    *body = buf;
    *len = got;
    return OK;
}

/* Why @a name is not a usable member name, or NULL when it is. */
static const char *bulk_name_problem(const char *name, apr_size_t len)
{
    apr_size_t i;

    if (name[0] == '/') {
        return "names are relative to the collection; "
               "an absolute path is not accepted";
    }
    for (i = 0; i < len; i++) {
        if (apr_iscntrl((unsigned char)name[i])) {
            return "control characters are not accepted in names";
        }
    }
    return NULL;
}

/* The result for one name: which status, and why (NULL: no need to say). */
static int bulk_check_one(request_rec *r, const bulk_conf *conf,
                          const char *dir_rel, const char *name,
                          const char **why, apr_pool_t *p)
{
    apr_finfo_t fi;
    apr_file_t *fd;
    apr_dir_t *dir;
    apr_status_t rv;
    char *fs;
    int status;

    *why = NULL;
    rv = bulk_fs_path(conf, apr_pstrcat(p, dir_rel, "/", name, NULL), &fs, p);
    if (APR_STATUS_IS_EABOVEROOT(rv)) {
        *why = "outside the tree this location serves";
        return HTTP_FORBIDDEN;
    }
    if (rv != APR_SUCCESS) {
        *why = "not a valid file name";
        return HTTP_UNPROCESSABLE_ENTITY;
    }
    /* APR_FINFO_LINK: look at a symbolic link, not where it points (it
     * could point out of the tree) */
    rv = apr_stat(&fi, fs, APR_FINFO_TYPE | APR_FINFO_LINK, p);
    if (rv != APR_SUCCESS && rv != APR_INCOMPLETE) {
        status = bulk_status_for(rv);
        if (status == HTTP_FORBIDDEN) {
            *why = "a folder on the way is not readable";
        }
        else if (status != HTTP_NOT_FOUND) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, rv, r,
                          "ms_bulk: cannot stat %s", fs);
        }
        return status;
    }
    switch (fi.filetype) {
    case APR_DIR:
        rv = apr_dir_open(&dir, fs, p);
        if (rv == APR_SUCCESS) {
            apr_dir_close(dir);
        }
        break;
    case APR_REG:
        rv = apr_file_open(&fd, fs, APR_FOPEN_READ, APR_OS_DEFAULT, p);
        if (rv == APR_SUCCESS) {
            apr_file_close(fd);
        }
        break;
    case APR_LNK:
        *why = "symbolic links are not followed";
        return HTTP_FORBIDDEN;
    default:
        *why = "neither a file nor a folder";
        return HTTP_FORBIDDEN;
    }
    if (rv == APR_SUCCESS) {
        return HTTP_OK;
    }
    status = bulk_status_for(rv);
    if (status == HTTP_FORBIDDEN) {
        *why = "not readable";
    }
    return status;
}

int bulk_post(bulk_ctx *ctx, const char *rel)
{
    request_rec *r = ctx->r;
    const char *ctype = apr_table_get(r->headers_in, "Content-Type");
    const char *why;
    char *body, *line, *next, *name;
    apr_size_t len, llen;
    apr_pool_t *scratch;
    apr_finfo_t fi;
    apr_status_t rv;
    char *fs;
    int rc, status, lineno = 0;

    /* The request-URI must be a collection we serve. */
    if (bulk_fs_path(ctx->conf, rel, &fs, r->pool) != APR_SUCCESS) {
        return HTTP_FORBIDDEN;
    }
    rv = apr_stat(&fi, fs, APR_FINFO_TYPE, r->pool);
    if (rv != APR_SUCCESS && rv != APR_INCOMPLETE) {
        return bulk_status_for(rv);
    }
    if (fi.filetype != APR_DIR) {
        return HTTP_CONFLICT;   /* members only exist below a folder */
    }
    if (ctype && strncasecmp(ctype, "text/plain", 10) != 0) {
        return HTTP_UNSUPPORTED_MEDIA_TYPE;
    }
    if ((rc = bulk_read_body(r, &body, &len)) != OK) {
        return rc;
    }
    if (memchr(body, '\0', len)) {
        return HTTP_BAD_REQUEST;   /* not text */
    }

    /* Strings given to the API are copied by it, so a scratch pool,
     * cleared for each name, is enough for what we build per name. */
    apr_pool_create(&scratch, r->pool);
    for (line = body; line < body + len && !ctx->stop; line = next) {
        apr_pool_clear(scratch);
        lineno++;
        next = memchr(line, '\n', body + len - line);
        llen = next ? (apr_size_t)(next - line) : (apr_size_t)(body + len - line);
        next = line + llen + 1;
        if (llen > 0 && line[llen - 1] == '\r') {
            llen--;
        }
        if (llen == 0) {
            continue;   /* blank lines separate nothing; skip them */
        }
        name = apr_pstrmemdup(scratch, line, llen);
        if ((why = bulk_name_problem(name, llen)) != NULL) {
            /* 422: the request is understood but this line is unusable.
             * The description says which line, never the line itself
             * (it may not be UTF-8, which XML could not carry). */
            bulk_add(ctx, name, HTTP_UNPROCESSABLE_ENTITY,
                     apr_psprintf(scratch, "line %d: %s", lineno, why));
            continue;
        }
        status = bulk_check_one(r, ctx->conf, rel, name, &why, scratch);
        bulk_add(ctx, name, status, why);
    }
    apr_pool_destroy(scratch);

    /* An empty list registered nothing: the module leaves the request
     * alone, so answer it ourselves. */
    return ctx->reported ? OK : HTTP_NO_CONTENT;
}
