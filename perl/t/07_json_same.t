# A JSON answer reads into the same structure as the XML answer of the same
# request, so every assertion works on both unchanged; multistatus_same_ok
# compares the two renderings, and fails with the difference when one
# thing differs.  Real pairs of answers of mod_multistatus (perl/t/data).
use strict;
use warnings;
use Test::Tester;                   # before Test::Builder (Test::More)
use Test::More;
use FindBin;
use lib "$FindBin::Bin/lib";
use MSBodies;
use JSON::PP ();
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

# The plain structure without what only one rendering has: the parsed
# document and nodes (XML), the decoded data (JSON), the prefixes written
# in the XML body, the body itself and its format.
sub plain {
    my ($ms) = @_;
    my %m = %$ms;
    delete @m{qw(doc json body http format by_href)};
    $m{responses} = [ map {
        my %r = %$_;
        delete @r{qw(node json props)};
        $r{propstats} = [ map {
            my %ps = %$_;
            delete @ps{qw(node json)};
            $ps{props} = [ map { my %p = %$_; delete @p{qw(node json prefix)}; \%p } @{ $ps{props} } ];
            \%ps;
        } @{ $r{propstats} } ];
        \%r;
    } @{ $m{responses} } ];
    return \%m;
}

# ---------------------------------------------------------------- the same structure
my @names = real_names();
for my $n (@names) {
    my $x = multistatus_parse(real_res("$n.xml"));
    my $j = multistatus_parse(real_res("$n.json"));
    is($x->{format}, 'xml', "$n: the XML answer reads as XML");
    is($j->{format}, 'json', "$n: the JSON answer reads as JSON");
    is_deeply(plain($j), plain($x), "$n: the same structure from both");
    passes("$n: multistatus_same_ok(XML, JSON)", sub { multistatus_same_ok(real_res("$n.xml"), real_res("$n.json"), $n) });
    passes("$n: multistatus_same_ok(JSON, XML)", sub { multistatus_same_ok($j, $x, $n) });
}
{
    my $x = multistatus_parse(res($GOOD));
    my $j = multistatus_parse(jres($GOOD_JSON));
    # (but the XML text of the late value: its namespace is declared on the
    # response in $GOOD, in the value in JSON, which has no enclosing scope)
    my ($px, $pj) = map { plain($_) } $x, $j;
    is($pj->{responses}[5]{propstats}[0]{props}[0]{xml}, '<ns2:q xmlns:ns2="urn:example:late" a="1">v</ns2:q>',
       'hand-made: an XML value as the JSON body writes it');
    is($px->{responses}[5]{propstats}[0]{props}[0]{xml}, '<ns2:q a="1">v</ns2:q>',
       'hand-made: the same value as the XML body writes it');
    delete $_->{responses}[5]{propstats}[0]{props}[0]{xml} for $px, $pj;
    is_deeply($pj, $px, 'hand-made: the same structure from both');
    passes('hand-made: multistatus_same_ok', sub { multistatus_same_ok($x, $j) });
}

# ---------------------------------------------------------------- the structure of a JSON body
my $ms = multistatus_parse(jres($GOOD_JSON));
is($ms->{format}, 'json', 'format');
is($ms->{doc}, undef, 'no XML document');
is(ref $ms->{json}, 'HASH', 'the decoded body');
is($ms->{description}, 'done', 'multistatus description');
my ($dir, $ab, $locked, $old, $odd, $late) = @{ $ms->{responses} };
is($dir->{status}, undef, 'propstat form: no status');
is(scalar @{ $dir->{propstats} }, 2, 'two propstats');
my $dn = $dir->{props}{'{DAV:}displayname'};
is_deeply([ @$dn{qw(ns name key value xml code status empty)} ],
          [ 'DAV:', 'displayname', '{DAV:}displayname', 'Tom & Jerry', 'Tom &amp; Jerry', 200, 'HTTP/1.1 200 OK', 0 ],
          'property hash: text value, and as XML');
my $rt = $dir->{props}{'{DAV:}resourcetype'};
is($rt->{xml}, '<D:collection/>', 'XML value');
is($rt->{value}, '', 'XML value: its text');
is(ref $rt->{node}, 'XML::LibXML::Element', 'XML value: the property element');
is($dir->{props}{'{urn:example:props}color'}{lang}, 'en', 'lang');
is($dir->{props}{'{urn:example:props}missing'}{empty}, 1, '404 name: empty');
is_deeply([ $ab->{code}, $ab->{status} ], [ 204, 'HTTP/1.1 204 No Content' ], 'status form: the status line rebuilt');
is_deeply($locked->{error}, ['{DAV:}lock-token-submitted'], 'error');
is($locked->{description}, 'locked by alice', 'description');
is($old->{location}, '/dir/new', 'location');
is($odd->{status}, 'HTTP/1.1 299 Success', 'a code without a name');
is($late->{propstats}[0]{description}, 'late', 'propstat description');
is($late->{props}{'{urn:example:late}p'}{xml}, '<ns2:q xmlns:ns2="urn:example:late" a="1">v</ns2:q>',
   'XML value with its own namespace');

# ---------------------------------------------------------------- assertions on JSON, unchanged
passes('href_status_is, code', sub { href_status_is($ms, '/dir/a b.txt', 204) });
passes('href_status_is, code and reason', sub { href_status_is($ms, '/dir/locked(1).doc', '423 Locked') });
passes('href_status_is, whole line', sub { href_status_is($ms, '/dir/old', 'HTTP/1.1 301 Moved Permanently') });
passes('prop_status_is', sub { prop_status_is($ms, '/dir/', '{urn:example:props}missing', 404) });
passes('prop_is, text', sub { prop_is($ms, '/dir/', 'displayname', 200, 'Tom & Jerry') });
passes('prop_is, qr//', sub { prop_is($ms, '/dir/', [ 'urn:example:props', 'color' ], 200, qr/^gr/) });
passes('prop_is, no value', sub { prop_is($ms, '/dir/', 'getetag', 404, undef) });
passes('prop_is, xml', sub { prop_is($ms, '/dir/', 'resourcetype', 200, { xml => '<D:collection/>' }) });
passes('prop_is, elements', sub { prop_is($ms, '/dir/', 'resourcetype', 200, { elements => ['{DAV:}collection'] }) });
passes('hrefs_are', sub { hrefs_are($ms, [ '/dir/', '/dir/a b.txt', '/dir/locked(1).doc', '/dir/old',
                                            '/dir/odd?x=1', '/dir/late' ]) });
passes('hrefs_unique', sub { hrefs_unique($ms) });
passes('an HTTP::Response, parsed on the spot', sub { prop_is(jres($GOOD_JSON), '/dir/', 'displayname', 200, 'Tom & Jerry') });
passes('a body string, parsed on the spot', sub { href_status_is($GOOD_JSON, '/dir/a%20b.txt', 204) });

fails('href_status_is, wrong status', sub { href_status_is($ms, '/dir/a b.txt', 200) },
      qr{response /dir/a%20b\.txt: status is 'HTTP/1\.1 204 No Content', expected '200'});
fails('href_status_is, propstat form', sub { href_status_is($ms, '/dir/', 200) },
      qr{response /dir/ has propstats, not a status: HTTP/1\.1 200 OK, HTTP/1\.1 404 Not Found});
fails('prop_is, wrong value', sub { prop_is($ms, '/dir/', 'displayname', 200, 'Tom') },
      qr{property \{DAV:\}displayname of /dir/: value is 'Tom & Jerry', expected 'Tom'});
fails('prop_is, elements', sub { prop_is($ms, '/dir/', 'resourcetype', 200, { elements => [] }) },
      qr{property \{DAV:\}resourcetype of /dir/: value is '' \(XML '<D:collection/>'\), expected child elements \[\]});
fails('prop_status_is, absent', sub { prop_status_is($ms, '/dir/', 'quota', 404) },
      qr{no property \{DAV:\}quota in response /dir/; it has \{DAV:\}displayname \(200\)});
fails('hrefs_are', sub { hrefs_are($ms, ['/dir/']) },
      qr{unexpected: /dir/a%20b\.txt});
fails('hrefs_unique', sub { hrefs_unique(jres(jdoc({ responses => [ { href => '/a', status => 200, reason => 'OK' },
                                                                   { href => '/a', status => 404, reason => 'Not Found' } ] }))) },
      qr{href /a appears 2 times});
fails('an assertion on a body that is not JSON', sub { href_status_is(jres('{"multistatus":1,'), '/a', 200) },
      qr{not JSON \(line 1\)});

# ---------------------------------------------------------------- multistatus_same_ok fails on a difference
# The real answers of api-props, the JSON one changed by $edit on its data.
sub changed {
    my ($edit, $name) = @_;
    my $res = real_res("$name.json");
    my $data = JSON::PP->new->utf8->decode($res->content);
    $edit->($data);
    $res->content(jdoc({ responses => $data->{responses},
                         exists $data->{description} ? (description => $data->{description}) : (),
                         summary => $data->{summary} }));
    return $res;
}
my $XP = real_res('api-props.xml');
my $first = sub { $_[0]{responses}[0] };
my $prop = sub { $first->($_[0])->{propstats}[0]{properties}[$_[1]] };
my $XS = real_res('api-status.xml');
my $files_x = real_res('files.xml');

passes('a JSON answer re-encoded unchanged', sub { multistatus_same_ok($XP, changed(sub {}, 'api-props')) });
my @differ = (
    [ 'a text value', $XP, changed(sub { $prop->($_[0], 0)->{value} = 'Tom & Jerry' }, 'api-props'),
      qr{response #1 /ms-json/props/p1, property \{DAV:\}displayname: value 'Tom & Jerry <b>' in XML, 'Tom & Jerry' in JSON} ],
    [ 'an XML value', $XP, changed(sub { $prop->($_[0], 2)->{xml} = '<D:principal/>' }, 'api-props'),
      qr{property \{DAV:\}resourcetype: value XML '<D:collection/>' in XML, XML '<D:principal/>' in JSON} ],
    [ 'an attribute inside an XML value', $XP, changed(sub { $prop->($_[0], 5)->{xml} =~ s/x:attr="1"/x:attr="2"/ or die }, 'api-props'),
      qr{property \{urn:example:props\}frag: value XML '<x:a xmlns:x="urn:example:frag" x:attr="1">} ],
    [ 'a value given as text instead of XML', $XP, changed(sub { my $p = $prop->($_[0], 2); delete $p->{xml}; $p->{value} = '' }, 'api-props'),
      qr{property \{DAV:\}resourcetype: value XML '<D:collection/>' in XML, no value in JSON} ],
    [ 'xml:lang', $XP, changed(sub { $prop->($_[0], 11)->{lang} = 'en' }, 'api-props'),
      qr{property \{urn:example:props\}greeting: xml:lang 'fr' in XML, 'en' in JSON} ],
    [ 'a property left out', $XP, changed(sub { splice @{ $first->($_[0])->{propstats}[0]{properties} }, 1, 1 }, 'api-props'),
      qr{propstat #1: properties '\{DAV:\}displayname, \{DAV:\}getcontentlength, \{DAV:\}resourcetype, .*' in XML, '\{DAV:\}displayname, \{DAV:\}resourcetype, } ],
    [ 'a propstat status', $XP, changed(sub { @{ $first->($_[0])->{propstats}[1] }{qw(status reason)} = (403, 'Forbidden') }, 'api-props'),
      qr{response #1 /ms-json/props/p1, propstat #2: status 'HTTP/1\.1 404 Not Found' in XML, 'HTTP/1\.1 403 Forbidden' in JSON} ],
    [ 'a response status', $XS, changed(sub { $first->($_[0])->{status} = 299 }, 'api-status'),
      qr{response #1 \S+: status 'HTTP/1\.1 \d+ [^']+' in XML, 'HTTP/1\.1 299 [^']+' in JSON} ],
    [ 'responses in another order', $files_x, changed(sub { my $r = $_[0]{responses}; @$r[0, 1] = @$r[1, 0] }, 'files'),
      qr{response #1: href '/ms-json-files/' in XML, '/ms-json-files/[^']+' in JSON} ],
    [ 'a response left out', $files_x, changed(sub { pop @{ $_[0]{responses} } }, 'files'),
      qr{\d+ responses in XML, \d+ in JSON; only in XML: /ms-json-files/} ],
    [ 'a description', real_res('limit.xml'), changed(sub { $_[0]{responses}[-1]{description} = 'full' }, 'limit'),
      qr{response #6 /ms-json-max/list: description 'the listing was truncated after 5 responses \(MultiStatusMaxResponses\)' in XML, 'full' in JSON} ],
    [ 'an error', res($GOOD), jres(jdoc(do { my $d = good_json(); $d->{responses}[2]{error}{name} = 'no-conflicting-lock'; $d })),
      qr{response #3 /dir/locked\(1\)\.doc: error '\{DAV:\}lock-token-submitted' in XML, '\{DAV:\}no-conflicting-lock' in JSON} ],
    [ 'a location', res($GOOD), jres(jdoc(do { my $d = good_json(); $d->{responses}[3]{location} = '/dir/newer'; $d })),
      qr{response #4 /dir/old: location '/dir/new' in XML, '/dir/newer' in JSON} ],
    [ 'the multistatus description', res($GOOD), jres(jdoc(do { my $d = good_json(); delete $d->{description}; $d })),
      qr{the multistatus: description 'done' in XML, none in JSON} ],
    [ 'two XML answers', $XP, real_res('api-props.xml'),
      qr{both answers are XML \(Content-Type application/xml; charset=utf-8 and Content-Type application/xml; charset=utf-8\): one XML and one JSON rendering are compared} ],
    [ 'two JSON answers', real_res('api-props.json'), real_res('api-props.json'),
      qr{both answers are JSON} ],
    [ 'a JSON answer that is not JSON', $XP, jres('{"multistatus":1,'),
      qr{the second answer: not JSON} ],
    [ 'an HTTP status', $XP, jres($GOOD_JSON, code => 200, message => 'OK'),
      qr{the answers: HTTP status '207 Multi-Status' in XML, '200 OK' in JSON} ],
);
for my $case (@differ) {
    my ($what, $x, $j, $re) = @$case;
    fails("multistatus_same_ok: $what", sub { multistatus_same_ok($x, $j, $what) }, $re);
}

done_testing();
