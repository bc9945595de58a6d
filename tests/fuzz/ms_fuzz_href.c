/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_fuzz_href.c: libFuzzer target for the href primitives (src/core,
 * ms_href.h).  For any byte string taken as a decoded path:
 *  - the encoded form has exactly the length ms_href_path_len() said, only
 *    characters an href may hold, and passes ms_href_check_encoded();
 *  - it decodes back to the very bytes (unless the path holds a NUL or
 *    '/', which a single decoded segment cannot carry: then decoding a
 *    %2F or %00 must refuse);
 *  - normalisation never grows a path, keeps it absolute, leaves no "//",
 *    "." or ".." segment, and is idempotent;
 *  - XML escaping of an href has the length ms_href_xml_len() said.
 * The input taken as an encoded href must never crash the checks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apr_general.h"

#include "ms_href.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const uint8_t *data, size_t size)
{
    fprintf(stderr, "ms_fuzz_href: %s (input %zu bytes)\n", what, size);
    (void)data;
    abort();
}

static int has_dot_segment(const char *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        size_t j = i;
        while (j < n && p[j] != '/')
            j++;
        if (j > i && ((j - i == 1 && p[i] == '.')
                      || (j - i == 2 && p[i] == '.' && p[i + 1] == '.')))
            return 1;
        if (j < n && j + 1 < n && p[j + 1] == '/')
            return 1;           /* "//" */
        i = j + 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    const char *in = (const char *)data;
    apr_size_t elen, xlen, n, m;
    char *enc, *dec, *x, *norm, *norm2;

    if (!ready) {
        apr_initialize();
        ms_href_init();
        ready = 1;
    }
    if (size > 4096)
        return 0;
    /* decoded path -> href -> path */
    elen = ms_href_path_len(in, size);
    enc = malloc(elen + 1);
    if ((apr_size_t)(ms_href_path_to(enc, in, size) - enc) != elen)
        fail("ms_href_path_to wrote another length", data, size);
    enc[elen] = '\0';
    if (ms_href_check_encoded(enc, elen) && !memchr(in, '?', size)
        && !memchr(in, '#', size))
        fail("an encoded path fails ms_href_check_encoded", data, size);
    dec = malloc(elen + 1);
    if (ms_href_decode(dec, enc, elen) == 0) {
        if (strlen(dec) != size || memcmp(dec, in, size))
            if (!memchr(in, '\0', size))
                fail("decode(encode(path)) != path", data, size);
    }
    /* XML escaping of the href */
    xlen = ms_href_xml_len(enc, elen);
    x = malloc(xlen + 1);
    if ((apr_size_t)(ms_href_xml_to(x, enc, elen) - x) != xlen)
        fail("ms_href_xml_to wrote another length", data, size);
    /* normalisation of an absolute path */
    norm = malloc(size + 2);
    norm[0] = '/';
    memcpy(norm + 1, in, size);
    n = ms_path_normalize(norm, size + 1);
    if (n > size + 1 || n == 0 || norm[0] != '/')
        fail("normalisation grew or lost the root", data, size);
    if (!memchr(in, '\0', size) && has_dot_segment(norm, n))
        fail("normalisation left a dot segment or //", data, size);
    norm2 = malloc(n + 1);
    memcpy(norm2, norm, n);
    m = ms_path_normalize(norm2, n);
    if (m != n || memcmp(norm, norm2, n))
        fail("normalisation is not idempotent", data, size);
    /* the input as an encoded href: checks must hold up */
    if (!ms_href_check_encoded(in, size)) {
        char *d2 = malloc(size + 1);
        ms_href_decode(d2, in, size);
        free(d2);
    }
    free(enc);
    free(dec);
    free(x);
    free(norm);
    free(norm2);
    return 0;
}
