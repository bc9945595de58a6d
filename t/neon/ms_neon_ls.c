/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_neon_ls.c: a PROPFIND through neon's 207 parser (ne_props / ne_207,
 * the parser cadaver and litmus use), for t/files.t.
 *
 *   ms_neon_ls URL DEPTH [{ns}name ...]
 *
 * DEPTH is 0, 1 or infinity; without property names it asks for allprop.
 * Prints one block per response neon parsed:
 *
 *   RESPONSE <path of the href, as sent (percent-encoded)>
 *   PATH <the same, decoded by neon>
 *   PROP <status code> {<ns>}<name> <value, with \n \r \t \\ escaped>
 *   ...
 *
 * then "DONE <number of responses>".  Exit status 0 when neon reports
 * success, 1 (and "ERROR <neon's message>" on stderr) otherwise.
 *
 * Build: gcc ms_neon_ls.c $(pkg-config --cflags --libs neon)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ne_session.h>
#include <ne_props.h>
#include <ne_basic.h>   /* NE_DEPTH_* */
#include <ne_uri.h>
#include <ne_string.h>
#include <ne_utils.h>

static int responses;

/* value on one line */
static void print_escaped(const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '\n': fputs("\\n", stdout); break;
        case '\r': fputs("\\r", stdout); break;
        case '\t': fputs("\\t", stdout); break;
        case '\\': fputs("\\\\", stdout); break;
        default:   putchar(*s);
        }
    }
}

static int print_prop(void *userdata, const ne_propname *pname,
                      const char *value, const ne_status *status)
{
    (void)userdata;
    printf("PROP %d {%s}%s ", status ? status->code : 0,
           pname->nspace ? pname->nspace : "", pname->name);
    print_escaped(value);
    putchar('\n');
    return 0;   /* go on */
}

static void print_response(void *userdata, const ne_uri *uri,
                           const ne_prop_result_set *set)
{
    char *path;

    (void)userdata;
    responses++;
    path = ne_path_unescape(uri->path);
    printf("RESPONSE %s\nPATH %s\n", uri->path, path ? path : "(undecodable)");
    free(path);
    ne_propset_iterate(set, print_prop, NULL);
}

int main(int argc, char **argv)
{
    ne_uri uri;
    ne_session *sess;
    ne_propname *props = NULL;
    int depth, i, rc;

    if (argc < 3) {
        fprintf(stderr, "usage: %s URL 0|1|infinity [{ns}name ...]\n", argv[0]);
        return 2;
    }
    if (ne_sock_init() != 0) {
        fprintf(stderr, "ERROR ne_sock_init failed\n");
        return 1;
    }
    memset(&uri, 0, sizeof(uri));
    if (ne_uri_parse(argv[1], &uri) != 0 || !uri.host || !uri.path) {
        fprintf(stderr, "ERROR cannot parse %s\n", argv[1]);
        return 2;
    }
    if (uri.port == 0) {
        uri.port = ne_uri_defaultport(uri.scheme);
    }
    depth = !strcmp(argv[2], "0") ? NE_DEPTH_ZERO
          : !strcmp(argv[2], "1") ? NE_DEPTH_ONE : NE_DEPTH_INFINITE;

    if (argc > 3) {   /* "{ns}name" */
        props = calloc((size_t)argc - 2, sizeof(*props));
        for (i = 3; i < argc; i++) {
            char *ns = ne_strdup(argv[i]), *end = strchr(ns, '}');

            if (ns[0] != '{' || !end) {
                fprintf(stderr, "ERROR property %s is not {ns}name\n", argv[i]);
                return 2;
            }
            *end = '\0';
            props[i - 3].nspace = ns + 1;
            props[i - 3].name = end + 1;
        }
    }

    sess = ne_session_create(uri.scheme, uri.host, uri.port);
    rc = ne_simple_propfind(sess, uri.path, depth, props, print_response, NULL);
    if (rc != NE_OK) {
        fprintf(stderr, "ERROR %s\n", ne_get_error(sess));
        ne_session_destroy(sess);
        return 1;
    }
    printf("DONE %d\n", responses);
    ne_session_destroy(sess);
    ne_uri_free(&uri);
    return 0;
}
