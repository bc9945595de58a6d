/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_xml.h: character-level rules of a 207 body (APR only, no httpd).
 *
 * Checking and escaping are split in two steps so that callers can size
 * the destination exactly: a *_check/len function validates and returns the
 * escaped length, a *_to function writes that many bytes (no NUL) and
 * returns the end of what it wrote.  Nothing here allocates, except
 * ms_xml_check_fragment(), which parses in a caller-supplied scratch pool.
 */
#ifndef MS_XML_H
#define MS_XML_H

#include "apr.h"
#include "apr_pools.h"

/* Build the character tables; called by ms_doc_init() (and on first
 * use). */
void ms_xml_init(void);

/* Validate @a len bytes of text for an XML 1.0 document: well-formed UTF-8
 * (no overlongs, no surrogates, nothing above U+10FFFF) and only XML Char
 * code points (no C0 controls but TAB LF CR, no U+FFFE/U+FFFF).  Returns
 * NULL when valid (and *esc_len = length once escaped as element content
 * if @a attr is 0, as an attribute value if 1), else a static message. */
const char *ms_xml_text_check(const char *s, apr_size_t len, int attr,
                              apr_size_t *esc_len);

/* The fast path of ms_xml_text_check() + ms_xml_text_to() for element
 * text: copy @a len bytes of @a s to @a dst and return 1 when every byte is
 * printable ASCII that needs no escaping (nearly every value); return 0
 * otherwise (then @a dst holds garbage: take the slow path). */
int ms_xml_text_copy(char *dst, const char *s, apr_size_t len);

/* Write the escaped form of a checked text (& < > and CR as character
 * references; in attribute mode also " TAB LF). */
char *ms_xml_text_to(char *dst, const char *s, apr_size_t len, int attr);

/* Is @a s an XML NCName (a name without colon, XML 1.0 5th edition)? */
int ms_xml_is_ncname(const char *s);

/* As ms_xml_is_ncname(); a non-ASCII name is also tried on expat in a
 * subpool of @a pool (NULL: a root pool, for tests only). */
int ms_xml_is_ncname_in(apr_pool_t *pool, const char *s);

/* The two namespace names Namespaces in XML 1.0 reserves. */
#define MS_XML_NS   "http://www.w3.org/XML/1998/namespace"
#define MS_XMLNS_NS "http://www.w3.org/2000/xmlns/"

/* Can @a uri name a namespace of the body?  NULL if so, else a static
 * message: empty, reserved (xml, xmlns), not XML text, or not a URI
 * reference (space, control, quote, angle bracket, \ ^ ` { | }). */
const char *ms_xml_ns_uri_check(const char *uri, apr_size_t len);

/* The value of an attribute as a parser reads it: references decoded,
 * TAB LF CR as spaces.  NULL for a reference other than the predefined
 * entities and character references. */
char *ms_xml_attr_decode(apr_pool_t *p, const char *v, apr_size_t len,
                         apr_size_t *out_len);

/* Namespace well-formedness (Namespaces in XML 1.0) of XML text that expat
 * found well-formed: element and attribute names are QNames with declared
 * prefixes, xml/xmlns prefixes and names not misused, no prefix undeclared,
 * no two attributes with the same expanded name, no DOCTYPE.  @a fragment:
 * element content with D: bound to DAV: outside.  Linear in the text.
 * NULL if fine, else a static message. */
const char *ms_xml_check_ns(apr_pool_t *pool, const char *text,
                            apr_size_t len, int fragment);

/* Is @a s a plausible language tag (BCP 47 shape: alnum and '-')? */
int ms_xml_is_lang(const char *s);

/* Check that @a frag is well-formed element content using only the D:
 * prefix (bound to DAV:) and prefixes it declares.  NULL if fine, else a
 * message allocated in @a scratch. */
const char *ms_xml_check_fragment(apr_pool_t *scratch, const char *frag,
                                  apr_size_t len);

/* Reason phrase for a status 200..599; unknown codes get the generic name
 * of their class ("Success", "Redirection", "Client Error", "Server
 * Error").  Never NULL for a valid status. */
const char *ms_status_reason(int status);

#endif /* MS_XML_H */
