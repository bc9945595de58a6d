/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_ingest.h: a producer's 207 body turned into the core's document
 * model as it streams (APR only, plus libexpat for other encodings).
 *
 * A second producer of responses beside the C API: the body another
 * handler wrote (mod_dav, a proxied backend, a CGI script) is fed in
 * chunks as they arrive; each DAV:response is parsed into a small buffer,
 * then registered on the ms_doc with the same calls the API uses
 * (ms_doc_open with the href encoded, status, properties with their
 * values as XML, descriptions, errors, location) and closed at once, so
 * memory stays bounded by one response whatever the body's size.  Every
 * later step (hooks, rules, namespaces, href form, streaming) is the
 * document's.
 *
 * What is repaired on the way, because it is unambiguous: status lines are
 * taken by their code (the writer writes the reason), hrefs are re-encoded
 * in the module's one form (%XX in upper case, only what must be encoded),
 * absolute http(s) URIs become paths, and the href of a collection
 * (DAV:resourcetype holding DAV:collection) ends in '/'.  Namespace
 * prefixes are the writer's: a property value keeps its own prefixes and
 * gets the declarations it needs.
 *
 * What stops the parse (MS_INGEST_EBODY, with a message that says what and
 * at which byte): a body that is not well-formed XML or not
 * namespace-well-formed (undeclared prefixes), that is not a
 * DAV:multistatus, that breaks the multistatus grammar (a response without
 * href, with both status and propstat, a propstat without status, an
 * unparsable status line), that is truncated, that holds a DTD (entities
 * are never expanded: no external entities, no entity bombs), or a single
 * response or markup token larger than max_response.  Everything
 * registered before stays valid: the caller ends the document with
 * ms_doc_fail().
 *
 * Parsers: UTF-8 (and US-ASCII) bodies, nearly all of them, go through a
 * strict tokenizer written for this job, which copies property values as
 * they are (no decoding and re-escaping); bodies in another encoding
 * (UTF-16, ISO-8859-1, declared or given as charset) go through expat with
 * namespace processing, which checks the same rules.
 */
#ifndef MS_INGEST_H
#define MS_INGEST_H

#include "ms_doc.h"

/* The producer's body was refused (see ms_ingest_error()).  A code of the
 * core's own, outside the public ones. */
#define MS_INGEST_EBODY (MS_ERRSPACE + 64)

/* Default bound of one response (and of one markup token). */
#define MS_INGEST_MAX_RESPONSE (16 * 1024 * 1024)

typedef struct ms_ingest ms_ingest;

typedef enum {
    MS_INGEST_AUTO = 0,     /* the tokenizer for UTF-8, expat otherwise */
    MS_INGEST_EXPAT = 1     /* expat whatever the encoding (tests, bench) */
} ms_ingest_parser;

typedef struct ms_ingest_opts {
    /* charset parameter of the body's Content-Type, or NULL: when given
     * it wins over the XML declaration (RFC 7303) */
    const char *charset;
    /* largest response (and markup token) accepted, in bytes; 0: the
     * default MS_INGEST_MAX_RESPONSE */
    apr_size_t max_response;
    ms_ingest_parser parser;
} ms_ingest_opts;

/* A parser that registers what it reads on @a doc.  Allocated in @a pool;
 * its buffers are malloc'd, released at ms_ingest_done() or by a cleanup
 * of @a pool. */
ms_ingest *ms_ingest_create(apr_pool_t *pool, ms_doc *doc,
                            const ms_ingest_opts *opts);

/* The next @a len bytes of the body (any split is fine, down to one byte).
 * APR_SUCCESS; MS_INGEST_EBODY when the body was refused (sticky: later
 * calls return it at once and do nothing); MS_EABORTED when the document
 * cannot take more (the client went away).  Past MultiStatusMaxResponses
 * the body is still checked but nothing more is registered. */
apr_status_t ms_ingest_feed(ms_ingest *ing, const char *buf, apr_size_t len);

/* The end of the body: checks that the document was complete.  Returns as
 * ms_ingest_feed().  The caller then finishes the document
 * (ms_doc_finish) or ends it with ms_doc_fail(doc, 500, error).  Later
 * calls of ms_ingest_feed() return MS_EFINISHED (or the refusal). */
apr_status_t ms_ingest_done(ms_ingest *ing);

/* Why the body was refused ("not well-formed (mismatched tag) at byte
 * 1234"), or NULL. */
const char *ms_ingest_error(const ms_ingest *ing);

/* Byte offset of the refusal, or -1. */
apr_off_t ms_ingest_error_offset(const ms_ingest *ing);

/* Responses registered on the document so far (hrefs of status-form
 * responses that carry several count one each). */
apr_size_t ms_ingest_count(const ms_ingest *ing);

/* What was left out because the model has no place for it (attributes on
 * property elements, unknown elements, error codes after the first): the
 * first such note and, in *count, how many there were.  NULL if none. */
const char *ms_ingest_note(const ms_ingest *ing, apr_size_t *count);

/* Bytes the parser holds in its own buffers now (not counting expat's
 * nor the pool): bounded by the largest response, whatever the body. */
apr_size_t ms_ingest_footprint(const ms_ingest *ing);

/* 1 when the body went through expat (another encoding, or asked). */
int ms_ingest_used_expat(const ms_ingest *ing);

#endif /* MS_INGEST_H */
