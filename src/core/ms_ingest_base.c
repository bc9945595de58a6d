/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_ingest_base.c: what every file of the ingest parser uses: its
 * failure (the first one wins, sticky, with the byte offset), its notes
 * (what was left out), and the growth of its malloc'd arrays.
 *
 * Messages may quote the producer's bytes and may end up in the body, so
 * they are sanitized here (printable ASCII or valid UTF-8 only).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "apr_strings.h"

#include "ms_xml.h"
#include "ms_ingest_int.h"

void *ms_ing_grow(void *p, apr_size_t *cap, apr_size_t need, apr_size_t size)
{
    apr_size_t c = *cap ? *cap : 16;

    if (need <= *cap)
        return p;
    while (c < need)
        c *= 2;
    p = realloc(p, c * size);
    if (!p)
        abort();                /* as apr_palloc does */
    *cap = c;
    return p;
}

/* Producer bytes in a message: whatever is not printable ASCII or valid
 * UTF-8 becomes '?' (the message may end up in the body). */
static void sanitize(char *s)
{
    apr_size_t n = strlen(s), i = 0;

    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        apr_uint32_t cp;
        apr_size_t k;
        if (c >= 0x20 && c < 0x7F) {
            i++;
            continue;
        }
        k = c >= 0x80 ? ms_xml_utf8_decode((const unsigned char *)s + i, n - i,
                                        &cp)
                      : 0;
        if (k && cp != 0xFFFE && cp != 0xFFFF) {
            i += k;
            continue;
        }
        s[i++] = '?';
    }
}

/* Refuse the body: the first failure wins. */
apr_status_t ms_ing_fail(ms_ingest *ing, apr_off_t off, const char *fmt, ...)
{
    va_list ap;
    const char *msg;

    if (ing->status)
        return ing->status;
    va_start(ap, fmt);
    msg = apr_pvsprintf(ing->pool, fmt, ap);
    va_end(ap);
    sanitize((char *)msg);
    ing->status = MS_INGEST_EBODY;
    ing->err_off = off;
    ing->error = apr_psprintf(ing->pool, "%s at byte %" APR_OFF_T_FMT, msg,
                              off);
    return ing->status;
}

/* Something left out: the first note is kept, the others counted. */
void ms_ing_note(ms_ingest *ing, const char *fmt, ...)
{
    va_list ap;

    if (!ing->notes++) {
        char *msg;
        va_start(ap, fmt);
        msg = apr_pvsprintf(ing->pool, fmt, ap);
        va_end(ap);
        sanitize(msg);
        ing->note = msg;
    }
}
