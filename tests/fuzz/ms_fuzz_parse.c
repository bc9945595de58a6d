/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_fuzz_parse.c: libFuzzer target for what clients send (src/core,
 * ms_parse.c): PROPFIND and PROPPATCH bodies and the Prefer header.  The
 * first byte chooses the parser; the rest is the input.  Whatever the
 * input, the parser answers 0, 400 or 413, and what it accepts is usable:
 *  - PROPFIND: every requested name is accepted by a document's rules
 *    (ms_doc_set_rules), so no client input can reach the error log;
 *  - PROPPATCH: every value, given back with MS_VALUE_XML, is accepted by
 *    ms_doc_prop_add and renders into a namespace-well-formed body.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apr_general.h"
#include "apr_strings.h"

#include "ms_doc.h"
#include "ms_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    char *body;
    apr_size_t len;
    int refusals;
    char msg[600];
} sink;

static apr_status_t f_commit(void *b, apr_off_t l)
{
    (void)b;
    (void)l;
    return APR_SUCCESS;
}

static apr_status_t f_write(void *baton, char *buf, apr_size_t len, int fl)
{
    sink *s = baton;
    (void)fl;
    s->body = realloc(s->body, s->len + len + 1);
    if (len)
        memcpy(s->body + s->len, buf, len);
    s->len += len;
    free(buf);
    return APR_SUCCESS;
}

static void f_refused(void *baton, apr_status_t rv, const char *msg)
{
    sink *s = baton;
    (void)rv;
    s->refusals++;
    apr_cpystrn(s->msg, msg, sizeof(s->msg));
}

static ms_doc *new_doc(apr_pool_t *p, sink *s)
{
    ms_doc_io io;
    ms_doc_opts opts;

    memset(&io, 0, sizeof(io));
    io.baton = s;
    io.commit = f_commit;
    io.write = f_write;
    io.refused = f_refused;
    memset(&opts, 0, sizeof(opts));
    opts.base_path = "/";
    opts.buffer_size = 65536;
    return ms_doc_create(p, &io, &opts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    apr_pool_t *p;
    const char *why = NULL, *body;
    sink s;
    int st, i;

    if (!ready) {
        apr_initialize();
        ms_doc_init();
        ready = 1;
    }
    if (size < 1)
        return 0;
    apr_pool_create(&p, NULL);
    memset(&s, 0, sizeof(s));
    body = (const char *)data + 1;
    size--;
    switch (data[0] % 3) {
    case 0: {
        ms_propfind pf;
        ms_doc *doc;
        ms_doc_rules ru;
        ms_doc_qname *want;
        st = ms_parse_propfind(p, body, size, 1000, &pf, &why);
        if (st != 0 && st != 400 && st != 413)
            abort();
        if (st)
            break;
        doc = new_doc(p, &s);
        memset(&ru, 0, sizeof(ru));
        want = apr_pcalloc(p, (apr_size_t)(pf.props->nelts + 1)
                              * sizeof(*want));
        for (i = 0; i < pf.props->nelts; i++) {
            want[i].ns = APR_ARRAY_IDX(pf.props, i, ms_propname).ns;
            want[i].name = APR_ARRAY_IDX(pf.props, i, ms_propname).name;
        }
        ru.want = want;
        ru.nwant = (apr_size_t)pf.props->nelts;
        if (ms_doc_set_rules(doc, &ru) != APR_SUCCESS) {
            fprintf(stderr, "accepted PROPFIND name refused: %s\n", s.msg);
            abort();
        }
        break;
    }
    case 1: {
        apr_array_header_t *ops;
        ms_doc *doc;
        ms_response *r;
        st = ms_parse_proppatch(p, body, size, 1000, &ops, &why);
        if (st != 0 && st != 400 && st != 413)
            abort();
        if (st)
            break;
        doc = new_doc(p, &s);
        if (ms_doc_open(doc, "/x", 0, &r) != APR_SUCCESS)
            abort();
        for (i = 0; i < ops->nelts; i++) {
            const ms_proppatch_op *op = &APR_ARRAY_IDX(ops, i,
                                                       ms_proppatch_op);
            if (ms_doc_prop_add(r, op->ns, op->name, 200,
                                op->remove ? MS_VALUE_NONE : MS_VALUE_XML,
                                op->value) != APR_SUCCESS) {
                fprintf(stderr, "PROPPATCH value refused back: %s\n[%s]\n",
                        s.msg, op->value ? op->value : "");
                abort();
            }
        }
        ms_doc_close(r);
        ms_doc_finish(doc);
        if (ms_xml_check_ns(p, s.body, s.len, 0)) {
            fprintf(stderr, "body not namespace-well-formed: %.*s\n",
                    (int)s.len, s.body);
            abort();
        }
        break;
    }
    default: {
        int minimal = 0, noroot = 0;
        char *v = apr_pstrmemdup(p, body, size);
        ms_parse_prefer(v, &minimal, &noroot);
        break;
    }
    }
    free(s.body);
    apr_pool_destroy(p);
    return 0;
}
