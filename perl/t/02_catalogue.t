# A catalogue of broken 207 bodies: each must make multistatus_ok fail
# with a diagnostic that names the fault; good bodies must pass.  The
# assertions run inside Test::Tester, which records them instead of
# counting them, so a failure there is checked, not reported.
use strict;
use warnings;
use Test::Tester;                   # before Test::Builder (Test::More)
use Test::More;
use FindBin;
use lib "$FindBin::Bin/lib";
use MSBodies;
use Apache::TestMultiStatus qw(:all);

# One assertion run in Test::Tester: (ok, diag text)
sub run_one {
    my ($code) = @_;
    my ($premature, @results) = run_tests($code);
    die "premature output: $premature" if $premature;
    die 'expected exactly one assertion, got ' . @results unless @results == 1;
    return ($results[0]{ok}, $results[0]{diag});
}

# Wrap responses in a root that declares D (and ns1 = urn:x).
sub body { doc($_[0], ns => [ [ ns1 => 'urn:x' ] ]) }

my $ok_resp = '<D:response><D:href>/a</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>';
my $prop_resp = '<D:response><D:href>/p</D:href><D:propstat><D:prop><D:displayname>x</D:displayname>'
              . '</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>';

# [ name, response or body, options, qr/the diagnostic/ ]
my @broken = (
    # --- issue 12: what any server gets wrong (default mode)
    [ 'not XML', res('this is not XML'), {}, qr/not well-formed XML \(line 1\): Start tag expected/ ],
    [ 'truncated body', res(substr(body($ok_resp), 0, 60)), {}, qr/not well-formed XML/ ],
    [ 'empty body', res(''), {}, qr/empty body/ ],
    [ 'undeclared prefix',
      res(body('<D:response><D:href>/a</D:href><D:propstat><D:prop><Z:nope/></D:prop>'
               . '<D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>')), {},
      qr/undeclared namespace prefix 'Z' \(on <Z:nope>\)/ ],
    [ 'an attribute twice through two prefixes',
      res(doc('<D:response p:b="1" q:b="2"><D:href>/a</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>',
              ns => [ [ p => 'urn:same' ], [ q => 'urn:same' ] ])), {},
      qr/not namespace-well-formed.*Attribute b in 'urn:same' redefined/ ],
    [ 'wrong root (DAV:propfind)',
      res(qq{<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:"/>}), {},
      qr/root element is <D:propfind> \{DAV:\}propfind, not \{DAV:\}multistatus/ ],
    [ 'wrong root (multistatus without namespace)',
      res(qq{<?xml version="1.0"?>\n<multistatus/>}), {},
      qr/root element is <multistatus> \{\}multistatus, not \{DAV:\}multistatus/ ],
    [ 'response without href',
      res(body('<D:response><D:status>HTTP/1.1 200 OK</D:status></D:response>')), {},
      qr/response #1 has no href/ ],
    [ 'status and propstat both',
      res(body('<D:response><D:href>/a</D:href><D:status>HTTP/1.1 200 OK</D:status>'
               . '<D:propstat><D:prop><D:getetag/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status>'
               . '</D:propstat></D:response>')), {},
      qr{response /a has both a status and propstats} ],
    [ 'neither status nor propstat',
      res(body('<D:response><D:href>/a</D:href></D:response>')), {},
      qr{response /a has neither a status nor a propstat} ],
    [ '1xx status',
      res(body('<D:response><D:href>/a</D:href><D:status>HTTP/1.1 102 Processing</D:status></D:response>')), {},
      qr{status 102 in response /a: a 1xx status is never recorded in a 207} ],
    [ '1xx status in a propstat',
      res(body('<D:response><D:href>/a</D:href><D:propstat><D:prop><D:getetag/></D:prop>'
               . '<D:status>HTTP/1.1 100 Continue</D:status></D:propstat></D:response>')), {},
      qr{status 100 in propstat #1 of response /a: a 1xx status} ],
    [ 'status code out of range',
      res(body('<D:response><D:href>/a</D:href><D:status>HTTP/1.1 600 Odd</D:status></D:response>')), {},
      qr{status 600 in response /a is not an HTTP status code} ],
    [ 'duplicate href',
      res(body($ok_resp . $ok_resp)), {},
      qr{href /a appears in 2 responses \(RFC 4918 section 14\.24} ],
    [ 'mixed href forms',
      res(body($ok_resp . '<D:response><D:href>http://h/b</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>')), {},
      qr{hrefs mix forms in one body \(path: /a, uri: http://h/b\)} ],
    [ 'relative hrefs',
      res(body('<D:response><D:href>a</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>')), {},
      qr{hrefs are relative references \(a\)} ],
    [ 'bad status line (no reason)',
      res(body('<D:response><D:href>/a</D:href><D:status>HTTP/1.1 200</D:status></D:response>')), {},
      qr{bad status line 'HTTP/1\.1 200' in response /a \(want 'HTTP/1\.1 NNN Reason'\)} ],
    [ 'bad status line (just a code)',
      res(body('<D:response><D:href>/a</D:href><D:status>404</D:status></D:response>')), {},
      qr{bad status line '404' in response /a} ],
    [ 'propstat without prop',
      res(body('<D:response><D:href>/a</D:href><D:propstat><D:status>HTTP/1.1 200 OK</D:status>'
               . '</D:propstat></D:response>')), {},
      qr{propstat #1 of response /a has no prop} ],
    [ 'not a 207', res(body($ok_resp), code => 200, message => 'OK'), {},
      qr{HTTP status is '200 OK', not 207 Multi-Status} ],
    [ 'HTML content type', res(body($ok_resp), type => 'text/html'), {},
      qr{Content-Type is 'text/html', not an XML type} ],
    [ 'no content type', res(body($ok_resp), type => undef), {},
      qr{no Content-Type header} ],
    [ 'content type other than the one asked', res(body($ok_resp), type => 'text/xml'),
      { content_type => 'application/xml; charset=utf-8' },
      qr{Content-Type is 'text/xml', not 'application/xml; charset=utf-8'} ],
    [ 'a gzip body that is not gzip',
      res(body($ok_resp), headers => [ [ 'Content-Encoding' => 'gzip' ] ]), {},
      qr{cannot decode the body \(Content-Encoding: gzip\)} ],
    [ 'an absolute path where absolute URIs are wanted', res(body($ok_resp)), { href_form => 'uri' },
      qr{href not an absolute URI: /a} ],
    [ 'a DAV: element the grammar does not have (schema)',
      res(body('<D:response><D:href>/a</D:href><D:status>HTTP/1.1 200 OK</D:status>'
               . '<D:bogus/></D:response>')), {},
      qr{not valid against multistatus\.rng: .*bogus} ],

    # --- issue 15: what the permissive schema let through (strict mode)
    [ 'a property straight inside D:response', res(body(
          '<D:response><D:href>/a</D:href><ns1:color>red</ns1:color>'
          . '<D:status>HTTP/1.1 200 OK</D:status></D:response>')), { strict => 1 },
      qr{<ns1:color> directly inside <D:response>: properties belong inside <D:prop>} ],
    [ 'a property straight inside D:propstat', res(body(
          '<D:response><D:href>/a</D:href><D:propstat><D:prop/><ns1:color>red</ns1:color>'
          . '<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>')), { strict => 1 },
      qr{<ns1:color> directly inside <D:propstat>} ],
    [ 'a property straight inside D:multistatus', res(body($ok_resp . '<ns1:color>red</ns1:color>')),
      { strict => 1 }, qr{<ns1:color> directly inside <D:multistatus>} ],
    [ 'xml:lang on D:response', res(body(
          '<D:response xml:lang="en"><D:href>/a</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>')),
      { strict => 1 }, qr{attribute xml:lang on <D:response>} ],
    [ 'xml:lang on D:responsedescription', res(body(
          '<D:response><D:href>/a</D:href><D:status>HTTP/1.1 200 OK</D:status>'
          . '<D:responsedescription xml:lang="en">x</D:responsedescription></D:response>')),
      { strict => 1 }, qr{attribute xml:lang on <D:responsedescription>} ],
    [ 'HTTP/1.1 200 Not Found', res(body(
          '<D:response><D:href>/a</D:href><D:status>HTTP/1.1 200 Not Found</D:status></D:response>')),
      { strict => 1 }, qr{status line 'HTTP/1\.1 200 Not Found' in response /a: mod_multistatus writes 'HTTP/1\.1 200 OK'} ],
    [ 'a known code with its class name', res(body(
          '<D:response><D:href>/a</D:href><D:status>HTTP/1.1 226 Success</D:status></D:response>')),
      { strict => 1 }, qr{mod_multistatus writes 'HTTP/1\.1 226 IM Used'} ],
    [ 'HTTP/1.0 status line', res(body(
          '<D:response><D:href>/a</D:href><D:status>HTTP/1.0 200 OK</D:status></D:response>')),
      { strict => 1 }, qr{status line 'HTTP/1\.0 200 OK' in response /a} ],
    [ 'href /a%zz//<b>e-acute', res(body(
          "<D:response><D:href>/a%zz//&lt;b&gt;\xc3\xa9</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>")),
      { strict => 1 }, qr{href '/a%zz//<b>\\x\{e9\}' in response .*: a bad percent-escape} ],
    [ 'href with a raw space', res(body(
          '<D:response><D:href>/a b</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>')),
      { strict => 1 }, qr{href '/a b' in response /a b: a character a URI path cannot hold \(' ', U\+0020} ],
    [ 'href with //', res(body(
          '<D:response><D:href>/a//b</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>')),
      { strict => 1 }, qr{href '/a//b' .*: an empty path segment} ],
    [ 'href with a dot segment', res(body(
          '<D:response><D:href>/a/../b</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>')),
      { strict => 1 }, qr{href '/a/\.\./b' .*: a '\.' or '\.\.' segment} ],
    [ 'href with a fragment', res(body(
          '<D:response><D:href>/a#b</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>')),
      { strict => 1 }, qr{href '/a#b' .*: a fragment} ],
    [ 'a value inside a 404 property', res(body(
          '<D:response><D:href>/a</D:href><D:propstat><D:prop><ns1:color>red</ns1:color></D:prop>'
          . '<D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>')),
      { strict => 1 }, qr{property \{urn:x\}color of response /a has a value in its 404 propstat} ],
    [ 'DAV:sync-token in the multistatus', res(body($ok_resp . '<D:sync-token>http://x/1</D:sync-token>')),
      { strict => 1 }, qr{<D:sync-token> inside <D:multistatus>: RFC 4918 section 14 does not put it there} ],
    [ 'DAV:sync-token in a response', res(body(
          '<D:response><D:href>/a</D:href><D:status>HTTP/1.1 200 OK</D:status>'
          . '<D:sync-token>http://x/1</D:sync-token></D:response>')),
      { strict => 1 }, qr{<D:sync-token> inside <D:response>} ],

    # --- the rest of the module's own rules (strict mode)
    [ 'no XML declaration', res(qq{<D:multistatus xmlns:D="DAV:">$ok_resp</D:multistatus>}),
      { strict => 1 }, qr{the body does not start with <\?xml version="1\.0" encoding="utf-8"\?>} ],
    [ 'DAV: in the default namespace', res(qq{<?xml version="1.0" encoding="utf-8"?>\n}
          . '<multistatus xmlns="DAV:"><response><href>/a</href><status>HTTP/1.1 200 OK</status>'
          . '</response></multistatus>'),
      { strict => 1 }, qr{root start tag is not <D:multistatus xmlns:D="DAV:".*default namespace declared on <multistatus>}s ],
    [ 'DAV: bound to another prefix', res(doc(
          '<d:response><d:href>/a</d:href><d:status>HTTP/1.1 200 OK</d:status></d:response>',
          ns => [ [ d => 'DAV:' ] ])),
      { strict => 1 }, qr{namespace DAV: declared again \(as 'd'\).*DAV: bound to prefix 'd' on <D:multistatus>}s ],
    [ 'a namespace declared twice in scope', res(doc(
          '<D:response xmlns:ns2="urn:x"><D:href>/a</D:href><D:propstat><D:prop><ns2:c/></D:prop>'
          . '<D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>',
          ns => [ [ ns1 => 'urn:x' ] ])),
      { strict => 1 }, qr{namespace urn:x declared again \(as 'ns2'\) on <D:response>, in the scope of prefix 'ns1'} ],
    [ 'a namespace declared on a propstat', res(body(
          '<D:response><D:href>/a</D:href><D:propstat xmlns:ns2="urn:y"><D:prop><ns2:c/></D:prop>'
          . '<D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>')),
      { strict => 1 }, qr{namespace urn:y declared on <D:propstat>} ],
    [ 'indented output', res(body("\n  $ok_resp\n")),
      { strict => 1 }, qr{text or whitespace inside <D:multistatus> \(the output is compact\)} ],
    [ 'two hrefs in one response', res(body(
          '<D:response><D:href>/a</D:href><D:href>/b</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>')),
      { strict => 1 }, qr{response /a has 2 hrefs} ],
    [ 'a location with a 200', res(body(
          '<D:response><D:href>/a</D:href><D:status>HTTP/1.1 200 OK</D:status>'
          . '<D:location><D:href>/b</D:href></D:location></D:response>')),
      { strict => 1 }, qr{response /a has a location but no 3xx status} ],
    [ 'an error code with content', res(body(
          '<D:response><D:href>/a</D:href><D:status>HTTP/1.1 423 Locked</D:status>'
          . '<D:error><D:lock-token-submitted><D:href>/a</D:href></D:lock-token-submitted></D:error></D:response>')),
      { strict => 1 }, qr{error code <D:lock-token-submitted> is not empty} ],
    [ 'two propstats of one status', res(body(
          '<D:response><D:href>/a</D:href>'
          . '<D:propstat><D:prop><D:getetag/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>'
          . '<D:propstat><D:prop><ns1:c/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>'
          . '</D:response>')),
      { strict => 1 }, qr{response /a has two propstats for status 404} ],
    [ 'a property twice in one response', res(body(
          '<D:response><D:href>/a</D:href>'
          . '<D:propstat><D:prop><D:getetag>"x"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>'
          . '<D:propstat><D:prop><D:getetag/></D:prop><D:status>HTTP/1.1 403 Forbidden</D:status></D:propstat>'
          . '</D:response>')),
      { strict => 1 }, qr{property \{DAV:\}getetag appears twice in response /a} ],
    [ 'an attribute on a property other than xml:lang', res(body(
          '<D:response><D:href>/a</D:href><D:propstat><D:prop><ns1:c ns1:x="1">v</ns1:c></D:prop>'
          . '<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>')),
      { strict => 1 }, qr{attribute ns1:x on property <ns1:c> \(a property carries xml:lang only\)} ],
    [ 'a property without namespace', res(body(
          '<D:response><D:href>/a</D:href><D:propstat><D:prop><plain/></D:prop>'
          . '<D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>')),
      { strict => 1 }, qr{property <plain> has no namespace} ],
    [ 'an element inside an href', res(body(
          '<D:response><D:href>/a<ns1:b/></D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>')),
      { strict => 1 }, qr{element <ns1:b> inside <D:href> \(text only\)} ],
    [ 'a content type without charset', res(body($ok_resp), type => 'application/xml'),
      { strict => 1 }, qr{Content-Type 'application/xml' does not say charset=utf-8} ],
    [ 'mod_dav_fs style (valid RFC 4918, not the module)', res($DAV_FS), { strict => 1 },
      qr{DAV: bound to prefix 'ns0'.*text or whitespace.*<X:extension> directly inside <D:response>}s ],
);

for my $case (@broken) {
    my ($name, $res, $opt, $re) = @$case;
    my ($ok, $diag) = run_one(sub { multistatus_ok($res, $name, %$opt) });
    ok(!$ok, "$name: multistatus_ok fails");
    like($diag, $re, "$name: the diagnostic says why");
    like($diag, qr/^body:\n/m, "$name: the diagnostic shows the body");
    # the same problems without a test
    my @p = multistatus_problems($res, %$opt);
    ok(scalar @p, "$name: multistatus_problems lists it");
}

# Strict problems are reported only in strict mode: each strict case that is
# still RFC 4918 passes by default (so the two modes are really different).
my %rfc_ok = map { $_ => 1 } ('xml:lang on D:response', 'xml:lang on D:responsedescription',
    'HTTP/1.1 200 Not Found', 'a known code with its class name', 'HTTP/1.0 status line',
    'a value inside a 404 property', 'DAV:sync-token in the multistatus', 'no XML declaration',
    'DAV: in the default namespace', 'DAV: bound to another prefix', 'a namespace declared twice in scope',
    'indented output', 'two hrefs in one response', 'two propstats of one status',
    'mod_dav_fs style (valid RFC 4918, not the module)', 'a content type without charset',
    'href with //', 'href with a dot segment', 'a location with a 200');
for my $case (grep { $rfc_ok{ $_->[0] } } @broken) {
    my ($name, $res) = @$case;
    is_deeply([ multistatus_problems($res) ], [], "$name: valid in the default mode");
}
is(scalar(grep { $rfc_ok{ $_->[0] } } @broken), scalar(keys %rfc_ok), 'every default-mode case exists');

# Good bodies pass, and multistatus_ok returns the structure.
for my $good (
    [ 'module output, paths', res($GOOD), { strict => 1, href_form => 'path' } ],
    [ 'module output, URIs', res($GOOD_URI), { strict => 1, href_form => 'uri' } ],
    [ 'module output, default mode', res($GOOD), {} ],
    [ 'module output as a string', $GOOD, { strict => 1 } ],
    [ 'an empty multistatus', res(doc('')), { strict => 1 } ],
    [ 'text/xml with a quoted charset', res($GOOD, type => 'text/xml; charset="utf-8"'), { strict => 1 } ],
    [ 'mod_dav_fs', res($DAV_FS, type => 'text/xml; charset="utf-8"'), {} ],
) {
    my ($name, $thing, $opt) = @$good;
    my $ret;
    my ($ok, $diag) = run_one(sub { $ret = multistatus_ok($thing, $name, %$opt) });
    ok($ok, "$name: multistatus_ok passes") or diag($diag);
    is(ref $ret, 'HASH', "$name: returns the structure");
}

# A gzip-encoded body is decoded first.
{
    require IO::Compress::Gzip;
    my $gz;
    IO::Compress::Gzip::gzip(\$GOOD => \$gz) or die 'gzip failed';
    my ($ok, $diag) = run_one(sub {
        multistatus_ok(res($gz, headers => [ [ 'Content-Encoding' => 'gzip' ] ]), 'gzip', strict => 1) });
    ok($ok, 'a gzip-encoded body is checked decoded') or diag($diag);
}

# No response at all fails, it does not die.
{
    my ($ok, $diag) = run_one(sub { multistatus_ok(undef, 'nothing') });
    ok(!$ok, 'multistatus_ok(undef) fails');
    like($diag, qr/no response given/, 'and says so');
}

done_testing();
