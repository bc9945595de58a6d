/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_ms_access_probe: a test module for MultiStatusAccessCheck
 * (t/access.t).  Its multistatus_prepare_response hook records every href
 * it is shown, below /ms-acc-probe/, as an "X-MS-Seen" response header:
 * the access check runs before the hooks, so a hidden response must never
 * appear there.  (Bodies there are small: they are sent whole, and the
 * headers leave after every hook ran.)
 */
#if CONFIG_FOR_HTTPD_TEST
#endif

#define APACHE_HTTPD_TEST_HANDLER     ms_access_probe_handler
#define APACHE_HTTPD_TEST_EXTRA_HOOKS ms_access_probe_register

#include "apache_httpd_test.h"

#include <string.h>

#include "apr_optional.h"
#include "mod_multistatus.h"

static int ms_access_probe_handler(request_rec *r)
{
    (void)r;
    return DECLINED;
}

static int probe_prepare(request_rec *r, ms_response *resp)
{
    APR_OPTIONAL_FN_TYPE(ms_response_href) *href =
        APR_RETRIEVE_OPTIONAL_FN(ms_response_href);

    if (!href || strncmp(r->uri, "/ms-acc-probe/", 14) != 0)
        return DECLINED;
    apr_table_add(r->headers_out, "X-MS-Seen", href(resp));
    return OK;
}

static void ms_access_probe_register(apr_pool_t *p)
{
    (void)p;
    APR_OPTIONAL_HOOK(ms, multistatus_prepare_response, probe_prepare,
                      NULL, NULL, APR_HOOK_MIDDLE);
}

APACHE_HTTPD_TEST_MODULE(ms_access_probe);
