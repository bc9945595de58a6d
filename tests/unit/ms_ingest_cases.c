/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_ingest_cases.c: crafted bodies for the ingest parser's unit test:
 * what must be refused (and where the message says), what is repaired
 * (status lines, hrefs, collections), property values kept as written
 * with the declarations they need, and a table of small documents on
 * which the tokenizer must agree with expat, accepting or refusing.
 */
#include "ms_ingest_unit.h"

void test_refusals(apr_pool_t *p)
{
    refused(p, "undeclared prefix", one_prop(p, "", "<x:a/>"),
            "undeclared namespace prefix 'x'");
    refused(p, "undeclared prefix on an attribute",
            one_prop(p, "", "<D:a y:b=\"1\"/>"), "undeclared");
    refused(p, "mismatched", one_prop(p, "", "<D:a></D:b>"), "mismatched");
    refused(p, "not a multistatus", HDR "<D:propfind xmlns:D=\"DAV:\"/>",
            "not a DAV:multistatus");
    refused(p, "no namespace", HDR "<multistatus><response/></multistatus>",
            "not a DAV:multistatus");
    refused(p, "billion laughs", HDR "<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
            "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
            MS "<D:response><D:href>&lol2;</D:href><D:status>HTTP/1.1 200 OK"
            "</D:status></D:response>" END, "DTD");
    refused(p, "external entity", HDR "<!DOCTYPE m [<!ENTITY x SYSTEM "
            "\"file:///etc/passwd\">]>" MS "<D:response><D:href>&x;</D:href>"
            "<D:status>HTTP/1.1 200 OK</D:status></D:response>" END, "DTD");
    refused(p, "undefined entity", one_prop(p, "", "<D:a>&nbsp;</D:a>"),
            "undefined entity");
    refused(p, "empty", "", "no document element");
    refused(p, "junk after", HDR MS END "x", "junk after");
    refused(p, "two roots", HDR MS END MS END, "junk after");
    refused(p, "text before", "x" MS END, "text before");
    refused(p, "bad UTF-8", one_prop(p, "", "<D:a>\xC3\x28</D:a>"),
            "invalid UTF-8");
    refused(p, "control character", one_prop(p, "", "<D:a>\x01</D:a>"),
            "control character");
    refused(p, "]]> in text", one_prop(p, "", "<D:a>]]></D:a>"), "']]>'");
    refused(p, "-- in comment", one_prop(p, "", "<D:a><!-- a -- b --></D:a>"),
            "'--'");
    refused(p, "duplicate attribute", one_prop(p, "", "<D:a b=\"1\" b=\"2\"/>"),
            "duplicate attribute");
    refused(p, "duplicate expanded attribute",
            one_prop(p, " xmlns:a=\"urn:x\" xmlns:b=\"urn:x\"",
                     "<D:a a:c=\"1\" b:c=\"2\"/>"), "duplicate attribute");
    refused(p, "xmlns:p=\"\"", one_prop(p, "", "<D:a xmlns:q=\"\"/>"),
            "empty namespace");
    refused(p, "xml prefix rebound",
            one_prop(p, "", "<D:a xmlns:xml=\"urn:x\"/>"), "prefix xml");
    refused(p, "xmlns declared", one_prop(p, "", "<D:a xmlns:xmlns=\"urn:x\"/>"),
            "prefix xmlns");
    refused(p, "no white space between attributes",
            one_prop(p, "", "<D:a b=\"1\"c=\"2\"/>"), "malformed start tag");
    refused(p, "'<' in attribute", one_prop(p, "", "<D:a b=\"<\"/>"),
            "'<' in an attribute");
    refused(p, "colon misplaced", one_prop(p, "", "<D:a:b/>"), "colon");
    refused(p, "XML declaration later", HDR MS "<?xml version=\"1.0\"?>" END,
            "XML declaration");
    refused(p, "response without href", HDR MS "<D:response><D:status>"
            "HTTP/1.1 200 OK</D:status></D:response>" END, "without DAV:href");
    refused(p, "status and propstat", HDR MS "<D:response><D:href>/a"
            "</D:href><D:status>HTTP/1.1 200 OK</D:status><D:propstat><D:prop>"
            "<D:a/></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>"
            "</D:response>" END, "both DAV:status and DAV:propstat");
    refused(p, "neither status nor propstat", HDR MS "<D:response><D:href>/a"
            "</D:href></D:response>" END, "neither");
    refused(p, "propstat without status", HDR MS "<D:response><D:href>/a"
            "</D:href><D:propstat><D:prop><D:a/></D:prop></D:propstat>"
            "</D:response>" END, "without DAV:status");
    refused(p, "bad status", HDR MS "<D:response><D:href>/a</D:href>"
            "<D:status>200 OK</D:status></D:response>" END, "status line");
    refused(p, "status 102", HDR MS "<D:response><D:href>/a</D:href>"
            "<D:status>HTTP/1.1 102 Processing</D:status></D:response>" END,
            "200..599");
    refused(p, "foreign href", HDR MS "<D:response><D:href>mailto:a@b"
            "</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>" END,
            "neither a path nor an http(s) URI");
    refused(p, "element in href", HDR MS "<D:response><D:href>/a<b/></D:href>"
            "<D:status>HTTP/1.1 200 OK</D:status></D:response>" END,
            "text-only");
    refused(p, "truncated in a tag", HDR MS "<D:response><D:hr",
            "inside a tag");
    refused(p, "truncated in content", HDR MS "<D:response><D:href>/a",
            "truncated");
    refused(p, "XML 1.1", "<?xml version=\"1.1\"?>" MS END, "version");

    /* bounds */
    {
        const char *big = one_prop(p, "", apr_pstrcat(p, "<D:a>",
                                   apr_psprintf(p, "%0*d", 3000, 7), "</D:a>",
                                   NULL));
        result r = ingest(p, big, strlen(big), 100, 1, MS_INGEST_AUTO, NULL,
                          1024, 0, NULL);
        CHECK(r.rv == MS_INGEST_EBODY && r.error
              && strstr(r.error, "larger than 1024"), "max_response: %s",
              r.error ? r.error : "accepted");
        free(r.body);
        big = apr_pstrcat(p, HDR MS "<D:response><D:href>/a</D:href><D:status>"
                          "HTTP/1.1 200 OK</D:status><D:responsedescription a=\"",
                          apr_psprintf(p, "%0*d", 3000, 7), "\"/></D:response>"
                          END, NULL);
        r = ingest(p, big, strlen(big), 1, 1, MS_INGEST_AUTO, NULL, 1024, 0,
                   NULL);
        CHECK(r.rv == MS_INGEST_EBODY && r.error
              && strstr(r.error, "token larger than 1024"), "max token: %s",
              r.error ? r.error : "accepted");
        free(r.body);
    }
}

void test_repairs(apr_pool_t *p)
{
    result r;
    const char *b;

    /* status lines by their code */
    b = HDR MS "<D:response><D:href>/dav/a</D:href><D:status>HTTP/1.0 424"
        "</D:status></D:response><D:response><D:href>/dav/b</D:href>"
        "<D:status> HTTP/1.1 423 whatever </D:status></D:response>" END;
    r = accepted(p, "status lines", b, "HTTP/1.1 424 Failed Dependency",
                 "whatever");
    CHECK(r.body && strstr(r.body, "HTTP/1.1 423 Locked"), "423");
    free(r.body);
    /* hrefs in the module's form */
    b = HDR MS "<D:response><D:href>http://backend:8080/dav/a%20b%c3%a9"
        "</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>"
        "<D:response><D:href>/dav/%7Euser/x y&amp;z(1)</D:href><D:status>"
        "HTTP/1.1 200 OK</D:status></D:response><D:response><D:href>"
        "/dav/a%2fb/./c//d</D:href><D:status>HTTP/1.1 200 OK</D:status>"
        "</D:response><D:response><D:href>\n  /dav/q?x=a b%2f  \n</D:href>"
        "<D:status>HTTP/1.1 200 OK</D:status></D:response>" END;
    r = accepted(p, "hrefs", b, "<D:href>/dav/a%20b%C3%A9</D:href>", "backend");
    CHECK(r.body && strstr(r.body, "<D:href>/dav/~user/x%20y&amp;z(1)</D:href>"),
          "re-encoded href:\n%s", B(r.body));
    CHECK(r.body && strstr(r.body, "<D:href>/dav/a%2Fb/c/d</D:href>"),
          "%%2F kept, dot segments: %s", B(r.body));
    CHECK(r.body && strstr(r.body, "<D:href>/dav/q?x=a%20b%2F</D:href>"),
          "query: %s", B(r.body));
    free(r.body);
    /* collections end in '/', in the 2xx propstat only */
    b = HDR MS "<D:response><D:href>/dav/dir</D:href><D:propstat><D:prop>"
        "<D:resourcetype><D:collection/></D:resourcetype></D:prop><D:status>"
        "HTTP/1.1 200 OK</D:status></D:propstat></D:response><D:response>"
        "<D:href>/dav/nodir</D:href><D:propstat><D:prop><D:resourcetype>"
        "<D:collection/></D:resourcetype></D:prop><D:status>HTTP/1.1 403 "
        "Forbidden</D:status></D:propstat></D:response>" END;
    r = accepted(p, "collections", b, "<D:href>/dav/dir/</D:href>",
                 "/dav/nodir/");
    free(r.body);
    /* several hrefs in a status response */
    b = HDR MS "<D:response><D:href>/dav/a</D:href><D:href>/dav/b</D:href>"
        "<D:href>/dav/c</D:href><D:status>HTTP/1.1 423 Locked</D:status>"
        "<D:responsedescription>held</D:responsedescription></D:response>" END;
    r = accepted(p, "several hrefs", b, "<D:href>/dav/c</D:href><D:status>"
                 "HTTP/1.1 423 Locked</D:status><D:responsedescription>held",
                 NULL);
    CHECK(r.count == 3, "3 responses, not %lu", (unsigned long)r.count);
    free(r.body);
}

void test_values(apr_pool_t *p)
{
    result r;
    const char *b;

    /* a prefix declared outside the value is declared again on it; D: for
     * DAV: needs nothing; the property's own prefix is the writer's */
    b = one_prop(p, " xmlns:E=\"urn:e\" xmlns:F=\"urn:f\"",
                 "<E:tags><E:t F:k=\"1\">a &amp; b</E:t><D:href>/x</D:href>"
                 "<E:t>2</E:t></E:tags>");
    r = accepted(p, "outer prefixes", b,
                 "<E:t xmlns:E=\"urn:e\" xmlns:F=\"urn:f\" F:k=\"1\">a &amp; "
                 "b</E:t><D:href>/x</D:href><E:t xmlns:E=\"urn:e\">2</E:t>",
                 NULL);
    free(r.body);
    /* the default namespace */
    b = one_prop(p, "", "<x xmlns=\"urn:d\"><y><z>1</z></y></x>");
    r = accepted(p, "default namespace", b, "<y xmlns=\"urn:d\"><z>1</z></y>",
                 NULL);
    free(r.body);
    /* D bound to another namespace inside */
    b = apr_pstrcat(p, HDR "<M:multistatus xmlns:M=\"DAV:\" xmlns:D=\"urn:o\">"
                    "<M:response><M:href>/dav/x</M:href><M:propstat><M:prop>"
                    "<M:p><D:v>1</D:v></M:p></M:prop><M:status>HTTP/1.1 200 OK"
                    "</M:status></M:propstat></M:response></M:multistatus>",
                    NULL);
    r = accepted(p, "D rebound", b, "<D:v xmlns:D=\"urn:o\">1</D:v>", NULL);
    free(r.body);
    /* declared on the property element itself (mod_dav's lock owner) */
    b = one_prop(p, "", "<ns0:owner xmlns:ns0=\"urn:own\"><ns0:href>mailto:a"
                 "</ns0:href></ns0:owner>");
    r = accepted(p, "declared on the property", b,
                 "<ns0:href xmlns:ns0=\"urn:own\">mailto:a</ns0:href>", NULL);
    free(r.body);
    /* xml:lang, own and inherited; CDATA, comments, PIs in values */
    b = one_prop(p, " xmlns:Z=\"urn:z\"", "<Z:a xml:lang=\"fr\">b</Z:a>"
                 "<Z:b>x<![CDATA[<&>]]>y<!-- c --><?pi d?></Z:b>");
    r = accepted(p, "lang, CDATA", b, "<ns1:a xml:lang=\"fr\">b</ns1:a>", NULL);
    CHECK(r.body && strstr(r.body, "x<![CDATA[<&>]]>y<!-- c --><?pi d?>"),
          "CDATA/comment/PI kept:\n%s", B(r.body));
    free(r.body);
    b = apr_pstrcat(p, HDR "<D:multistatus xmlns:D=\"DAV:\" xml:lang=\"de\">"
                    "<D:response><D:href>/dav/x</D:href><D:propstat><D:prop>"
                    "<D:displayname>Haus</D:displayname></D:prop><D:status>"
                    "HTTP/1.1 200 OK</D:status></D:propstat></D:response>" END,
                    NULL);
    r = accepted(p, "inherited lang", b, "<D:displayname xml:lang=\"de\">Haus",
                 NULL);
    free(r.body);
    /* text kept as written: references and all */
    b = one_prop(p, "", "<D:displayname>Tom &amp; Jerry &#x263A; &lt;3"
                 "</D:displayname>");
    r = accepted(p, "text", b, "Tom &amp; Jerry", NULL);
    free(r.body);
    /* CDATA and references in an href */
    b = HDR MS "<D:response><D:href><![CDATA[/dav/a&b]]>&#x2F;c</D:href>"
        "<D:status>HTTP/1.1 200 OK</D:status></D:response>" END;
    r = accepted(p, "CDATA href", b, "<D:href>/dav/a&amp;b/c</D:href>", NULL);
    free(r.body);
    /* descriptions, errors, location, multistatus description */
    b = HDR MS "<D:response><D:href>/dav/m</D:href><D:status>HTTP/1.1 301 "
        "Moved</D:status><D:error><D:lock-token-submitted><D:href>/dav/l"
        "</D:href></D:lock-token-submitted></D:error><D:responsedescription>"
        "moved &amp; gone</D:responsedescription><D:location><D:href>"
        "http://h/dav/new%20place</D:href></D:location></D:response>"
        "<D:response><D:href>/dav/p</D:href><D:propstat><D:prop><D:a/>"
        "</D:prop><D:status>HTTP/1.1 403 Forbidden</D:status><D:error>"
        "<D:cannot-modify-protected-property/></D:error>"
        "<D:responsedescription>no</D:responsedescription></D:propstat>"
        "</D:response><D:responsedescription>all &lt;done&gt;"
        "</D:responsedescription>" END;
    r = accepted(p, "descriptions", b, "<D:location><D:href>/dav/new%20place"
                 "</D:href></D:location>", NULL);
    CHECK(r.body && strstr(r.body, "<D:error><D:lock-token-submitted/>"
                           "</D:error><D:responsedescription>moved &amp; gone"),
          "error, description:\n%s", B(r.body));
    CHECK(r.body && strstr(r.body, "<D:error><D:cannot-modify-protected-"
                           "property/></D:error><D:responsedescription>no"),
          "propstat error:\n%s", B(r.body));
    CHECK(r.body && strstr(r.body, "<D:responsedescription>all &lt;done&gt;"
                           "</D:responsedescription></D:multistatus>"),
          "multistatus description:\n%s", B(r.body));
    CHECK(r.note && strstr(r.note, "content of an error code"), "note: %s",
          r.note ? r.note : "(none)");
    free(r.body);
    /* an empty propstat is kept */
    b = HDR MS "<D:response><D:href>/dav/e</D:href><D:propstat><D:prop/>"
        "<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>" END;
    r = accepted(p, "empty propstat", b, "<D:propstat><D:prop></D:prop>"
                 "<D:status>HTTP/1.1 200 OK", "500");
    free(r.body);
    /* unknown elements are left out, with a note */
    b = HDR MS "<D:response><D:href>/dav/u</D:href><X:y xmlns:X=\"urn:x\">"
        "<D:href>/no</D:href></X:y><D:status>HTTP/1.1 200 OK</D:status>"
        "</D:response><D:sync-token>t1</D:sync-token>" END;
    r = accepted(p, "unknown", b, "<D:href>/dav/u</D:href>", "/no");
    CHECK(r.note && strstr(r.note, "{urn:x}y in DAV:response was left out"),
          "note: %s", B(r.note));
    free(r.body);
    /* what the model has no place for is left out, and said so */
    /* a property without a namespace is kept, unprefixed (litmus's
     * propnullns) */
    b = one_prop(p, "", "<nons>1</nons><D:kept a=\"1\">2</D:kept>");
    r = accepted(p, "no namespace", b, "<nons>1</nons><D:kept>2</D:kept>",
                 "xmlns=");
    free(r.body);
    b = one_prop(p, "", "<D:kept a=\"1\">2</D:kept>");
    r = accepted(p, "property attributes", b, "<D:kept>2</D:kept>", "a=");
    CHECK(r.note && strstr(r.note, "attributes of property kept"),
          "note: %s", B(r.note));
    free(r.body);
}

/* Other encodings go through expat. */

/* ---------------------------------------------------------------- */
/* The tokenizer against expat                                       */

/* Does expat, with namespace processing, accept @a doc? */
static int expat_accepts(const char *doc, apr_size_t len)
{
    XML_Parser xp = XML_ParserCreateNS(NULL, '\x01');
    int ok = XML_Parse(xp, doc, (int)len, 1) == XML_STATUS_OK;
    XML_ParserFree(xp);
    return ok;
}

void test_agreement(apr_pool_t *p)
{
    /* property contents: the tokenizer accepts exactly what expat does */
    static const char *cases[] = {
        "<D:a/>", "<D:a></D:a>", "<D:a>x</D:a>", "<D:a >x</D:a >",
        "<D:a\tb='1'\n/>", "<D:a b=\"'\" c='\"'/>", "<D:a b='&#60;'/>",
        "<D:a b='&lt;'/>", "<D:a b='x&y'/>", "<D:a b='&#0;'/>",
        "<D:a>&#x10FFFF;</D:a>", "<D:a>&#x110000;</D:a>", "<D:a>&#xD800;</D:a>",
        "<D:a>&#xFFFE;</D:a>", "<D:a>&#65;&#x41;</D:a>", "<D:a>&#;</D:a>",
        "<D:a>&#x;</D:a>", "<D:a>&amp</D:a>", "<D:a>& amp;</D:a>",
        "<D:a>&apos;&quot;&gt;</D:a>", "<D:a>]]</D:a>", "<D:a>]]&gt;</D:a>",
        "<D:a>] ]></D:a>", "<D:a><![CDATA[]]]]><![CDATA[>]]></D:a>",
        "<D:a><!----></D:a>", "<D:a><!-- - --></D:a>", "<D:a><!-----></D:a>",
        "<D:a><!-- a --->", "<D:a><?p?></D:a>", "<D:a><?p x?></D:a>",
        "<D:a><?px?></D:a>", "<D:a><?xml x?></D:a>", "<D:a><?XmL x?></D:a>",
        "<D:a><?x:y z?></D:a>", "<D:a><? x?></D:a>", "<D:1/>", "<D:-a/>",
        "<D:a.b-c_d/>", "<D:\xC3\xA9t\xC3\xA9/>", "<D:\xE2\x80\x8C/>",
        "<D:a\xCC\x80/>", "<D:\xCC\x80/>", "<D:a b:c='1' xmlns:b='urn:b'/>",
        "<D:a xmlns:b='urn:b' xmlns:c='urn:b' b:x='1' c:x='2'/>",
        "<D:a xmlns='urn:d'><b/></D:a>", "<D:a xmlns=''><b/></D:a>",
        "<D:a xmlns:b=''/>", "<D:a xmlns:xml='" "http://www.w3.org/XML/1998/"
        "namespace" "'/>", "<D:a xmlns:x='http://www.w3.org/XML/1998/"
        "namespace'/>", "<D:a xmlns='http://www.w3.org/2000/xmlns/'/>",
        "<D:a xml:lang='en' xml:space='preserve'/>", "<D:a xml:foo='1'/>",
        "<xml:a/>", "<xmlns:a/>", "<D:a xmlns:='urn:x'/>", "<:a/>", "<D:a:/>",
        "<D:a b='1' b='1'/>", "<D:a b = '1'/>", "<D:a b='1'c='2'/>",
        "<D:a b=1/>", "<D:a b/>", "<D:a/ >", "<D:a></D:a >", "<D:a></ D:a>",
        "<D:a>\xEF\xBF\xBE</D:a>", "<D:a>\xF0\x9F\x98\x80</D:a>",
        "<D:a>\xED\xA0\x80</D:a>", "<D:a>\xC0\xAF</D:a>", "<D:a>\x7F</D:a>",
        "<D:a>\x0B</D:a>", "<D:a>\r\n\t</D:a>", "<D:a b='\t\n'/>",
        "<D:a b='\xC3'/>", "<D:a><b:c xmlns:b='urn:1'><b:d/></b:c></D:a>",
        "<D:a><b:c xmlns:b='urn:1'/><b:d/></D:a>", "<D:a>\xC2\x85</D:a>",
        "<D:a>\xE2\x80\xA8</D:a>", "<D:a b='<'/>", "<D:a b='>'/>",
        "<D:a>></D:a>", "<!DOCTYPE a><D:a/>", "<D:a><!DOCTYPE a></D:a>",
        "<D:a><!ELEMENT a ANY></D:a>", "<D:a><![CDATA[x]]></D:a>",
        "<D:a><![cdata[x]]></D:a>", "<D:a>&#x41</D:a>", "<D:a>&#1234567;</D:a>",
        "<D:a>&#99999999999999999999;</D:a>", "<D:a>&lt;&lt</D:a>",
        NULL
    };
    int i, k, yes = 0, no = 0;

    for (i = 0; cases[i]; i++) {
        const char *doc = one_prop(p, "", cases[i]);
        int want = expat_accepts(doc, strlen(doc));
        if (want)
            yes++;
        else
            no++;
        for (k = 0; k < 3; k++) {
            result r = ingest(p, doc, strlen(doc), k == 2 ? 3 : k, 5,
                              MS_INGEST_AUTO, NULL, 0, 0, NULL);
            /* no-namespace properties are left out, not refused; what
             * the tokenizer passes and the renderer then refuses (an
             * element in the xml namespace: the hardening's rule) is the
             * model's refusal, not a disagreement with expat */
            int model = want && r.error
                        && strstr(r.error, "refused by the renderer") != NULL;
            CHECK((r.rv == APR_SUCCESS) == want || model, "'%s' (step %d): expat %s, "
                  "the tokenizer %s (%s)", cases[i], k,
                  want ? "accepts" : "refuses",
                  r.rv == APR_SUCCESS ? "accepts" : "refuses",
                  r.error ? r.error : "");
            CHECK(r.body && well_formed(p, r.body, r.len), "'%s': output",
                  cases[i]);
            free(r.body);
        }
    }
    /* a table where expat takes all or nothing would prove little */
    CHECK(yes >= 20 && no >= 20, "expat accepts %d and refuses %d cases",
          yes, no);
}

