/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_ingest_unit.h: what the files of the ingest parser's unit test share
 * (tests/unit/ms_ingest_unit.c: fixtures, encodings, memory and main;
 * ms_ingest_harness.c: a real document into a buffer, the feeding in
 * splits, the canonical reading of a 207 by apr_xml; ms_ingest_cases.c:
 * crafted bodies refused, repaired, values, the tokenizer against expat).
 */
#ifndef MS_INGEST_UNIT_H
#define MS_INGEST_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apr_general.h"
#include "apr_lib.h"
#include "apr_strings.h"
#include "apr_xml.h"
#include "apr_file_io.h"

#include <expat.h>

#include "ms_doc.h"
#include "ms_xml.h"
#include "ms_href.h"
#include "ms_ingest.h"

extern int failures, checks;

/* A body for a message (NULL when there is none). */
#define B(s) ((s) ? (s) : "(none)")

#define CHECK(cond, ...)                                               \
    do {                                                               \
        checks++;                                                      \
        if (!(cond)) {                                                 \
            failures++;                                                \
            printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);     \
            printf(__VA_ARGS__);                                       \
            printf("\n");                                              \
        }                                                              \
    } while (0)

/* A document whose body is collected (malloc'd, NUL-terminated). */
typedef struct {
    char *body;
    apr_size_t len, cap;
    int commits, refusals;
    char last_refusal[600];
} sink;

/* A document of base path @a base that writes into @a s. */
ms_doc *new_doc(apr_pool_t *p, sink *s, const char *base,
                apr_size_t max_responses);

/* The result of one ingest. */
typedef struct {
    apr_status_t rv;
    const char *error;
    apr_off_t err_off;
    apr_size_t count;
    const char *note;
    int expat;
    char *body;                 /* the rendered document (malloc'd) */
    apr_size_t len;
    int refusals;
} result;

/* Feed @a body split at the offsets produced by @a step: 0 = whole,
 * 1 = one byte at a time, else random pieces of 1..step bytes (seeded). */
result ingest(apr_pool_t *pool, const char *body, apr_size_t len,
              int step, unsigned seed, ms_ingest_parser parser,
              const char *charset, apr_size_t max_response,
              apr_size_t max_responses, const char *base);

/* What a body says, one line per fact, in document order (properties of
 * a response sorted).  NULL when not well-formed. */
apr_array_header_t *canon(apr_pool_t *p, const char *body, apr_size_t len,
                          int ours, char *why, apr_size_t whylen);

/* Same facts?  Prints the first difference. */
int same(apr_array_header_t *a, apr_array_header_t *b, const char *what);

/* A file's content (NULL if it cannot be read). */
char *slurp(apr_pool_t *p, const char *path, apr_size_t *len);

/* Is the document well-formed (apr_xml), with a multistatus root? */
int well_formed(apr_pool_t *p, const char *body, apr_size_t len);

/* Ingest @a body in @a step splits with @a parser: accepted, and the same
 * facts as the original.  Returns the result (body malloc'd). */
result round_trip(apr_pool_t *p, const char *name, const char *body,
                  apr_size_t len, int step, unsigned seed,
                  ms_ingest_parser parser, const char *charset,
                  apr_array_header_t *want);

#define HDR "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
#define MS  "<D:multistatus xmlns:D=\"DAV:\">"
#define END "</D:multistatus>"


/* One response with one 200 property whose element is @a prop. */
const char *one_prop(apr_pool_t *p, const char *decls, const char *prop);

/* The body must be refused with a message holding @a what. */
void refused(apr_pool_t *p, const char *name, const char *body,
             const char *what);

/* The body is accepted; the output holds @a want (and not @a unwanted). */
result accepted(apr_pool_t *p, const char *name, const char *body,
                const char *want, const char *unwanted);

/* ms_ingest_unit.c */
void test_fixtures(apr_pool_t *pool, const char *dir);
void test_truncated(apr_pool_t *pool, const char *dir);
void test_encodings(apr_pool_t *p, const char *dir);
void test_limit(apr_pool_t *p, const char *dir);
void test_bounded(apr_pool_t *p);
void test_split_invariance(apr_pool_t *p);

/* ms_ingest_cases.c */
void test_refusals(apr_pool_t *p);
void test_repairs(apr_pool_t *p);
void test_values(apr_pool_t *p);
void test_agreement(apr_pool_t *p);

#endif /* MS_INGEST_UNIT_H */
