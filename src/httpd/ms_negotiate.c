/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_negotiate.c: which format a 207 is rendered in (MultiStatusJSON and
 * the request's Accept header).
 *
 * JSON only when the client prefers it: application/json must carry a
 * q-value above 0, higher than the XML types named explicitly
 * (application/xml, text/xml) and not lower than a wildcard (any type,
 * or any application type).  Absent Accept, a lone wildcard, equal
 * preferences with XML, or an
 * unparsable header keep XML: every WebDAV client reads XML, and only a
 * client that asks gets something else.  Called by ms_api.c.
 */
#include "apr_lib.h"
#include "apr_strings.h"

#include "ms_private.h"

/* q of one media range's parameters ("; q=0.5"), 1000ths; 1000 when none;
 * -1 when malformed. */
static int parse_q(const char *params)
{
    const char *p = params;

    while ((p = strchr(p, ';')) != NULL) {
        p++;
        while (apr_isspace(*p))
            p++;
        if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            const char *v = p + 2;
            int q = 0, digits = 0;
            if (*v == '1') {
                v++;
                if (*v == '.')
                    for (v++; *v == '0' && digits < 3; v++, digits++)
                        ;
                q = 1000;
            }
            else if (*v == '0') {
                v++;
                if (*v == '.') {
                    for (v++; apr_isdigit(*v) && digits < 3; v++, digits++)
                        q = q * 10 + (*v - '0');
                }
                for (; digits < 3; digits++)
                    q *= 10;
            }
            else {
                return -1;
            }
            while (apr_isspace(*v))
                v++;
            return (*v == '\0' || *v == ';') ? q : -1;
        }
    }
    return 1000;
}

int ms_wants_json(request_rec *r)
{
    const char *accept = apr_table_get(r->headers_in, "Accept");
    char *list, *item, *state;
    int q_json = 0, q_xml = 0, q_wild = 0;

    if (!accept)
        return 0;
    list = apr_pstrdup(r->pool, accept);
    for (item = apr_strtok(list, ",", &state); item;
         item = apr_strtok(NULL, ",", &state)) {
        char *params = strchr(item, ';');
        char *type = item, *end;
        int q;

        while (apr_isspace(*type))
            type++;
        end = params ? params : type + strlen(type);
        while (end > type && apr_isspace(end[-1]))
            end--;
        q = parse_q(params ? params : "");
        if (q < 0)
            return 0;       /* do not guess */
        if (params)
            *params = '\0';
        *end = '\0';
        if (!strcasecmp(type, "application/json"))
            q_json = q > q_json ? q : q_json;
        else if (!strcasecmp(type, "application/xml")
                 || !strcasecmp(type, "text/xml"))
            q_xml = q > q_xml ? q : q_xml;
        else if (!strcmp(type, "*/*") || !strcasecmp(type, "application/*"))
            q_wild = q > q_wild ? q : q_wild;
    }
    return q_json > 0 && q_json > q_xml && q_json >= q_wild;
}
