/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_href.h: the href primitives of a 207 body (APR only, no httpd):
 * percent-encoding of paths, checks of encoded hrefs, dot-segment
 * normalisation, decoding, and XML-escaping of hrefs.  Nothing here
 * allocates: *_len functions size, *_to functions write (no NUL).
 */
#ifndef MS_HREF_H
#define MS_HREF_H

#include "apr.h"

/* Build the byte tables; called by ms_doc_init() (and on first use). */
void ms_href_init(void);

/* hrefs.  ms_href_path_len() returns the percent-encoded length of an
 * unescaped path; ms_href_path_to() writes it.  Bytes outside RFC 3986 pchar
 * and '/' are encoded; ( ) ! ' * stay raw (gvfs mistreats %28). */
apr_size_t ms_href_path_len(const char *path, apr_size_t len);
char *ms_href_path_to(char *dst, const char *path, apr_size_t len);

/* Validate an already percent-encoded href (path, query allowed, no
 * fragment).  NULL when valid, else a static message. */
const char *ms_href_check_encoded(const char *href, apr_size_t len);

/* Normalize an absolute path in place: collapse runs of '/', resolve "."
 * and ".." (never above the root).  Keeps a trailing slash.  Returns the
 * new length.  Works for decoded and encoded paths alike ('?' ends the
 * path part in encoded mode: pass the length of the path part only). */
apr_size_t ms_path_normalize(char *path, apr_size_t len);

/* Decode %XX of an encoded path into @a dst (at least len+1 bytes);
 * returns 0 on success, -1 for a decoded NUL or '/' (not a plain path). */
int ms_href_decode(char *dst, const char *href, apr_size_t len);

/* Length of @a s once '&' is written as "&amp;" (other XML specials never
 * occur in an encoded href), and the writer. */
apr_size_t ms_href_xml_len(const char *s, apr_size_t len);
char *ms_href_xml_to(char *dst, const char *s, apr_size_t len);

/* Is @a origin "http[s]://host[:port]" with a host that is a reg-name
 * (unreserved, %XX, sub-delims but '&' '\'') or an IP literal, and a
 * port of digits?  NULL if so, else a static message. */
const char *ms_href_origin_check(const char *origin);

#endif /* MS_HREF_H */
