# The assertions on results: each passes on the right answer, fails on a
# wrong one with a diagnostic naming what was found, and counts as one test.
use strict;
use warnings;
use Test::Tester;                   # before Test::Builder (Test::More)
use Test::More;
use FindBin;
use lib "$FindBin::Bin/lib";
use MSBodies;
use Apache::TestMultiStatus qw(:all);

sub run_one {
    my ($code) = @_;
    my ($premature, @results) = run_tests($code);
    die "premature output: $premature" if $premature;
    die 'expected exactly one assertion, got ' . @results unless @results == 1;
    return ($results[0]{ok}, $results[0]{diag}, $results[0]{name});
}

sub passes {
    my ($what, $code) = @_;
    my ($ok, $diag) = run_one($code);
    ok($ok, "passes: $what") or diag($diag);
}

sub fails {
    my ($what, $code, $re) = @_;
    my ($ok, $diag) = run_one($code);
    ok(!$ok, "fails: $what");
    like($diag, $re, "diagnostic: $what");
}

my $ms = multistatus_parse(res($GOOD));

# ---------------------------------------------------------------- structure
is($ms->{format}, 'xml', 'format');
is(scalar @{ $ms->{responses} }, 6, 'six responses');
is($ms->{description}, 'done', 'multistatus description');
is($ms->{http}{code}, 207, 'HTTP status kept');
my ($dir, $ab, $locked, $old) = @{ $ms->{responses} };
is($dir->{href}, '/dir/', 'href');
is($dir->{status}, undef, 'propstat form: no status');
is(scalar @{ $dir->{propstats} }, 2, 'two propstats');
my $dn = $dir->{props}{'{DAV:}displayname'};
is_deeply([ @$dn{qw(ns name key value code status empty)} ],
          [ 'DAV:', 'displayname', '{DAV:}displayname', 'Tom & Jerry', 200, 'HTTP/1.1 200 OK', 0 ],
          'property hash');
is($dir->{props}{'{DAV:}resourcetype'}{xml}, '<D:collection/>', 'XML value');
is($dir->{props}{'{urn:example:props}color'}{lang}, 'en', 'xml:lang');
is($dir->{props}{'{urn:example:props}missing'}{empty}, 1, '404 name: empty');
is($dir->{props}{'{urn:example:props}missing'}{code}, 404, '404 name: code');
is_deeply([ $ab->{code}, $ab->{status} ], [ 204, 'HTTP/1.1 204 No Content' ], 'status form');
is_deeply($ab->{error}, [], 'no error: an empty list');
is_deeply($locked->{error}, ['{DAV:}lock-token-submitted'], 'error codes');
is($locked->{description}, 'locked by alice', 'responsedescription');
is($old->{location}, '/dir/new', 'location');
is($ms->{by_href}{'/dir/old'}, $old, 'by_href');
is(multistatus_response($ms, '/dir/a b.txt'), $ab, 'multistatus_response, decoded href');
is(multistatus_prop($ms, '/dir/', 'displayname'), $dn, 'multistatus_prop');
is(multistatus_prop($ms, '/dir/', 'nothere'), undef, 'multistatus_prop: undef when absent');
is(multistatus_parse($ms), $ms, 'multistatus_parse of a structure is the structure');
ok(!eval { multistatus_parse('<a>'); 1 }, 'multistatus_parse dies on a body that is not XML');
like($@, qr/multistatus_parse: not well-formed XML/, 'saying why');

# ---------------------------------------------------------------- href_status_is
passes('status by code', sub { href_status_is($ms, '/dir/a%20b.txt', 204) });
passes('status by code and reason', sub { href_status_is($ms, '/dir/a%20b.txt', '204 No Content') });
passes('status by line', sub { href_status_is($ms, '/dir/locked(1).doc', 'HTTP/1.1 423 Locked') });
passes('href given unescaped', sub { href_status_is($ms, '/dir/a b.txt', 204) });
passes('a response or a body is parsed on the spot', sub { href_status_is(res($GOOD), '/dir/old', 301) });
passes('a path finds an absolute URI', sub { href_status_is(res($GOOD_URI), '/dir/old', 301) });
passes('an absolute URI', sub { href_status_is($GOOD_URI, 'http://127.0.0.1:8529/dir/old', 301) });
fails('wrong code', sub { href_status_is($ms, '/dir/locked(1).doc', 200) },
      qr{response /dir/locked\(1\)\.doc: status is 'HTTP/1\.1 423 Locked', expected '200' \(responsedescription: 'locked by alice'\)});
fails('wrong reason', sub { href_status_is($ms, '/dir/locked(1).doc', '423 Gone') },
      qr{status is 'HTTP/1\.1 423 Locked', expected '423 Gone'});
fails('unknown href', sub { href_status_is($ms, '/dir/nope', 200) },
      qr{no response for href /dir/nope; hrefs in the body: /dir/, /dir/a%20b\.txt, });
fails('propstat form', sub { href_status_is($ms, '/dir/', 200) },
      qr{response /dir/ has propstats, not a status: HTTP/1\.1 200 OK, HTTP/1\.1 404 Not Found});
fails('no multistatus', sub { href_status_is(undef, '/a', 200) }, qr{no multistatus \(undef\) to look in});
fails('a body that is not XML', sub { href_status_is('oops', '/a', 200) }, qr{not well-formed XML});
{
    my (undef, undef, $name) = run_one(sub { href_status_is($ms, '/dir/old', 301) });
    is($name, '/dir/old has status 301', 'a default test name');
}

# ---------------------------------------------------------------- prop_status_is
passes('DAV: property by bare name', sub { prop_status_is($ms, '/dir/', 'displayname', 200) });
passes('Clark notation', sub { prop_status_is($ms, '/dir/', '{urn:example:props}missing', 404) });
passes('array reference', sub { prop_status_is($ms, '/dir/', [ 'urn:example:props', 'missing' ], '404 Not Found') });
fails('wrong status', sub { prop_status_is($ms, '/dir/', 'getetag', 200) },
      qr{property \{DAV:\}getetag of /dir/: status is 'HTTP/1\.1 404 Not Found', expected '200'});
fails('absent property', sub { prop_status_is($ms, '/dir/', 'getcontentlength', 200) },
      qr{no property \{DAV:\}getcontentlength in response /dir/; it has \{DAV:\}displayname \(200\), .*\{DAV:\}getetag \(404\)});
fails('a status-form response', sub { prop_status_is($ms, '/dir/old', 'getetag', 200) },
      qr{no property \{DAV:\}getetag in response /dir/old; it has a status \(HTTP/1\.1 301 Moved Permanently\), no propstat});

# ---------------------------------------------------------------- prop_is
passes('text value', sub { prop_is($ms, '/dir/', 'displayname', 200, 'Tom & Jerry') });
passes('regex', sub { prop_is($ms, '/dir/', 'displayname', 200, qr/^Tom/) });
passes('any status', sub { prop_is($ms, '/dir/', 'displayname', undef, 'Tom & Jerry') });
passes('no value', sub { prop_is($ms, '/dir/', 'getetag', 404, undef) });
passes('XML value', sub { prop_is($ms, '/dir/', 'resourcetype', 200, { xml => '<D:collection/>' }) });
passes('child elements', sub { prop_is($ms, '/dir/', 'resourcetype', 200, { elements => ['{DAV:}collection'] }) });
passes('nested XML value', sub { prop_is($ms, '/dir/late', '{urn:example:late}p', 200,
                                         { xml => '<ns2:q a="1">v</ns2:q>' }) });
fails('wrong text', sub { prop_is($ms, '/dir/', 'displayname', 200, 'Tom and Jerry') },
      qr{property \{DAV:\}displayname of /dir/: value is 'Tom & Jerry', expected 'Tom and Jerry'});
fails('a value where none is expected', sub { prop_is($ms, '/dir/', 'displayname', 200, undef) },
      qr{value is 'Tom & Jerry', expected no value \(an empty element\)});
fails('no value where one is expected', sub { prop_is($ms, '/dir/', 'getetag', 404, '"x"') },
      qr{value is no value \(an empty element\), expected '"x"'});
fails('wrong status and value', sub { prop_is($ms, '/dir/', '{urn:example:props}color', 404, 'red') },
      qr{status is 'HTTP/1\.1 200 OK', expected '404'\n.*value is 'green', expected 'red'});
fails('wrong elements', sub { prop_is($ms, '/dir/', 'resourcetype', 200, { elements => [] }) },
      qr{value is '' \(XML '<D:collection/>'\), expected child elements \[\]});
fails('regex', sub { prop_is($ms, '/dir/', 'displayname', 200, qr/^Jerry/) },
      qr{expected text matching});

# ---------------------------------------------------------------- hrefs_are
my @all = ('/dir/', '/dir/a%20b.txt', '/dir/locked(1).doc', '/dir/old', '/dir/odd?x=1', '/dir/late');
passes('exact list', sub { hrefs_are($ms, [@all]) });
passes('any order, unescaped', sub { hrefs_are($ms, [ reverse('/dir/a b.txt', @all[0, 2 .. 5]) ]) });
passes('paths for absolute URIs', sub { hrefs_are(res($GOOD_URI), [@all]) });
passes('empty multistatus', sub { hrefs_are(doc(''), []) });
fails('one missing, one unexpected', sub { hrefs_are($ms, [ @all[0 .. 4], '/dir/other' ]) },
      qr{missing:    /dir/other\n.*unexpected: /dir/late\n.*hrefs in the body: /dir/, }s);
fails('expected twice', sub { hrefs_are($ms, [ @all, '/dir/' ]) }, qr{missing:    /dir/\n});
fails('nothing in the body', sub { hrefs_are(doc(''), ['/a']) },
      qr{missing:    /a\n.*hrefs in the body: \(none: the multistatus is empty\)}s);

# ---------------------------------------------------------------- hrefs_unique
passes('unique', sub { hrefs_unique($ms) });
my $dup = doc('<D:response><D:href>/a</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>' x 3);
fails('an href three times', sub { hrefs_unique($dup) }, qr{href /a appears 3 times});
fails('and hrefs_are sees it', sub { hrefs_are($dup, ['/a']) }, qr{unexpected: /a, /a});

# ---------------------------------------------------------------- argument errors
ok(!eval { hrefs_are($ms, '/a'); 1 }, 'hrefs_are wants an array reference');
ok(!eval { prop_is($ms, '/dir/', 'displayname', 200, [1]); 1 }, 'prop_is refuses an odd value');
ok(!eval { multistatus_ok(res($GOOD), 'x', href_form => 'both'); 1 }, 'href_form is path or uri');

done_testing();
