# Property methods, issue 3 point 1: the module reads the request.
# PROPFIND bodies (empty = allprop, allprop + include, propname, prop list),
# PROPPATCH instructions (ordered, values as XML fragments with their
# namespaces and xml:lang), Depth, and the refusals: 400 (bad body or Depth),
# 403 DAV:propfind-finite-depth (Depth: infinity unless
# MultiStatusDepthInfinity On), 413 (LimitXMLRequestBody) -- answered before
# the handler does any per-resource work.
#
# The handler is the "pf" / "pp" scenario of t/c-modules/ms_test/mod_ms_test.c:
# it echoes what ms_propfind_read / ms_proppatch_read parsed in response
# headers (X-MS-PF, X-MS-PF-Prop, X-MS-Op) and logs "ms_test: [ID] ..." lines
# (ID = the request's X-Test-Id) for the read's return code and for the
# per-resource work it did.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use MIME::Base64 qw(decode_base64);
use XML::LibXML ();
use FindBin;
use lib "$FindBin::Bin/lib";
use MSTest;

plan tests => 13;

my $B    = '/ms_test/props';
my $INF  = '/ms_test/props_inf';
my $XMLD = '<?xml version="1.0" encoding="utf-8"?>';
my $n    = 0;

# PROPFIND/PROPPATCH with an id; returns (HTTP::Response, id, log mark).
sub call {
    my ($method, $path, %o) = @_;
    my $id = 'props_request-' . ++$n;
    my @h = ('X-Test-Id' => $id);
    push @h, Depth => $o{depth} if defined $o{depth};
    push @h, 'Content-Type' => 'application/xml; charset=utf-8'
        if defined $o{body} && length $o{body};
    push @h, @{ $o{headers} || [] };
    my $mark = ms_log_mark();
    my $res = ms_request($method => $path, headers => \@h, body => $o{body});
    return ($res, $id, $mark);
}

sub pf_header { my ($res) = @_; return $res->header('X-MS-PF') // '(none)' }
sub pf_props  { my ($res) = @_; return [ $res->header('X-MS-PF-Prop') ] }

# the lines this request's handler logged
sub handler_lines {
    my ($mark, $id, $what) = @_;
    return grep { /ms_test: \[\Q$id\E\] \Q$what\E/ } ms_log_since($mark);
}

# A refusal: status, content type, message, [info] line, no work.
sub check_refused {
    my ($res, $id, $mark, $code, $method, $msg_re, $name) = @_;
    subtest $name => sub {
        is($res->code, $code, "answered $code") or diag($res->as_string);
        is($res->header('Content-Type'), 'text/plain; charset=utf-8',
           'text/plain message');
        like($res->content, qr/\A\Q$method\E refused: $msg_re\n\z/,
             'the message says why');
        ms_expect_log($mark, qr/\[multistatus:info\].*multistatus: \Q$method\E request refused with $code: $msg_re/,
                      'logged at info');
        my $read = $method eq 'PROPFIND' ? 'propfind_read' : 'proppatch_read';
        ms_expect_log($mark, qr/ms_test: \[\Q$id\E\] $read=-2$/,
                      "the handler got DONE from $read");
        is(scalar(handler_lines($mark, $id, 'work')), 0,
           'the handler did no per-resource work');
        ok(!$res->header('X-MS-RV'), 'no registration call was made');
        ok(!$res->header('Preference-Applied'), 'no Preference-Applied');
    };
}

# ------------------------------------------------------------ PROPFIND bodies

subtest 'empty body = allprop' => sub {
    for my $variant ([ 'no body', undef ], [ 'Content-Length: 0', '' ]) {
        my ($res, $id) = call(PROPFIND => "$B/pf/", depth => 0, body => $variant->[1]);
        my $doc = ms_207($res, "$variant->[0]: 207");
        is(pf_header($res), 'type=allprop depth=0 n=0', "$variant->[0]: parsed as allprop");
        is_deeply(pf_props($res), [], "$variant->[0]: no property named");
        next unless $doc;
        my @r = ms_responses($doc);
        is(scalar @r, 1, 'Depth 0: one response');
        is($r[0]{href}, "$B/pf/", 'the request-URI');
        is(ms_prop($r[0], 'DAV:', 'displayname')->{value_text}, 'root', 'displayname value');
        is(ms_prop($r[0], 'urn:example:e', 'color')->{code}, 200, 'allprop property 200');
        is(ms_prop($r[0], 'urn:example:e', 'expensive'), undef,
           'a property outside allprop is not sent');
    }
};

subtest 'allprop + include' => sub {
    my $body = $XMLD . '<D:propfind xmlns:D="DAV:" xmlns:e="urn:example:e">'
        . '<D:allprop/><D:include><e:expensive/><q:unknown xmlns:q="urn:example:q"/>'
        . '</D:include></D:propfind>';
    my ($res) = call(PROPFIND => "$B/pf/", depth => 1, body => $body);
    my $doc = ms_207($res, 'answer is a valid 207');
    is(pf_header($res), 'type=allprop depth=1 n=2', 'allprop with two included names');
    is_deeply(pf_props($res), [ '{urn:example:e}expensive', '{urn:example:q}unknown' ],
              'the include list, in order');
    return unless $doc;
    my @r = ms_responses($doc);
    is(scalar @r, 4, 'Depth 1: request-URI and three members');
    for my $r (@r) {
        is(ms_prop($r, 'urn:example:e', 'expensive')->{value_text}, 'costly',
           "$r->{href}: included property answered by the handler");
        is(ms_prop($r, 'urn:example:q', 'unknown')->{code}, 404,
           "$r->{href}: included unknown property 404");
        is(ms_prop($r, 'DAV:', 'displayname')->{code}, 200, "$r->{href}: allprop ones too");
    }
};

subtest 'propname' => sub {
    my $body = $XMLD . '<propfind xmlns="DAV:"><propname/></propfind>';
    my ($res) = call(PROPFIND => "$B/pf/", depth => 0, body => $body);
    my $doc = ms_207($res, 'answer is a valid 207');
    is(pf_header($res), 'type=propname depth=0 n=0', 'parsed as propname (default namespace)');
    return unless $doc;
    my ($r) = ms_responses($doc);
    my @names = map { "{$_->{ns}}$_->{name}" } map { @{ $_->{props} } } @{ $r->{propstats} };
    is(scalar @names, 6, 'six names') or diag("@names");
};

subtest 'prop list: namespaces and names as the client wrote them' => sub {
    my $body = $XMLD . '<D:propfind xmlns:D="DAV:" xmlns:e="urn:example:e">'
        . '<D:prop><D:displayname/><e:color/>'
        . '<x:a xmlns:x="urn:example:x"/><b xmlns="urn:example:default"/>'
        . '<D:getetag/><y:c xmlns:y="urn:example:x"/>'
        . '<z:long-name.v2 xmlns:z="http://example.com/ns/a%20b?q#f"/>'
        . '</D:prop></D:propfind>';
    my ($res) = call(PROPFIND => "$B/pf/", depth => 0, body => $body);
    ms_207($res, 'answer is a valid 207');
    is(pf_header($res), 'type=prop depth=0 n=7', 'prop list of 7');
    is_deeply(pf_props($res), [
        '{DAV:}displayname', '{urn:example:e}color', '{urn:example:x}a',
        '{urn:example:default}b', '{DAV:}getetag', '{urn:example:x}c',
        '{http://example.com/ns/a%20b?q#f}long-name.v2',
    ], 'namespace URIs and local names, in document order');
    is($res->header('X-MS-PF-Again'), 'same', 'a second ms_propfind_read returns the same');
};

subtest 'unknown elements are ignored (RFC 4918 17)' => sub {
    my $body = $XMLD . '<D:propfind xmlns:D="DAV:" xmlns:o="urn:example:other">'
        . '<o:hint>x</o:hint><D:prop><D:displayname/></D:prop><D:unknown/></D:propfind>';
    my ($res) = call(PROPFIND => "$B/pf/", depth => 0, body => $body);
    ms_207($res, 'answer is a valid 207');
    is(pf_header($res), 'type=prop depth=0 n=1', 'the prop list only');
};

subtest 'chunked request body' => sub {
    my $body = '<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:displayname/></D:prop></D:propfind>';
    my $chunked = join('', map { sprintf("%x\r\n%s\r\n", length $_, $_) }
                           unpack('(A13)*', $body)) . "0\r\n\r\n";
    my $r = ms_raw_request(PROPFIND => "$B/pf/", body => $chunked,
                           headers => [ Depth => 0, 'Transfer-Encoding' => 'chunked',
                                        'Content-Type' => 'application/xml' ]);
    is($r->{code}, 207, '207');
    my $doc = eval { ms_parse($r->{body}, 'chunked PROPFIND') };
    ok($doc, 'valid body') or diag($@);
    like($r->{headers}{'x-ms-pf'} // '', qr/^type=prop depth=0 n=2$/, 'both properties parsed');
    if ($doc) {
        my ($resp) = ms_responses($doc);
        is(ms_prop($resp, 'DAV:', 'getetag')->{code}, 404, 'getetag 404');
    }
};

# ------------------------------------------------------------ PROPPATCH

subtest 'PROPPATCH: ordered instructions, values with namespaces and xml:lang' => sub {
    my $body = $XMLD
        . '<D:propertyupdate xmlns:D="DAV:" xmlns:p="urn:example:p" xmlns:v="urn:example:v">'
        . '<D:set xml:lang="de"><D:prop>'
        .   '<p:title xml:lang="fr">Le <v:b attr="1">gras &amp; fin</v:b> &lt;ok&gt;</p:title>'
        .   '<p:plain>text only</p:plain>'
        . '</D:prop></D:set>'
        . '<D:remove><D:prop><p:old/><q:older xmlns:q="urn:example:q"/></D:prop></D:remove>'
        . '<D:set><D:prop><p:empty/>'
        .   '<p:nested><v:a><D:href>/x</D:href><w xmlns="urn:example:w">deflt</w></v:a></p:nested>'
        . '</D:prop></D:set>'
        . '<D:remove><D:prop><p:last/></D:prop></D:remove>'
        . '</D:propertyupdate>';
    my ($res, $id, $mark) = call(PROPPATCH => "$B/pp?echo=1", body => $body);
    my $doc = ms_207($res, 'answer is a valid 207');
    is($res->header('X-MS-PP-N'), 7, 'seven instructions');
    my @ops = map { [ split / /, $_ ] } $res->header('X-MS-Op');
    is_deeply([ map { "$_->[0] $_->[1] $_->[2] $_->[3]" } @ops ], [
        '0 set {urn:example:p}title lang=fr',
        '1 set {urn:example:p}plain lang=de',
        '2 remove {urn:example:p}old lang=-',
        '3 remove {urn:example:q}older lang=-',
        '4 set {urn:example:p}empty lang=-',
        '5 set {urn:example:p}nested lang=-',
        '6 remove {urn:example:p}last lang=-',
    ], 'set/remove in document order, namespaces, names, xml:lang in scope');
    my %val = map { $_->[0] => ($_->[4] eq 'value=-' ? undef
                                : decode_base64(substr $_->[4], 6)) } @ops;
    ok(!defined $val{2} && !defined $val{6}, 'remove: no value');
    is($val{4}, '', 'empty set: empty value');
    is($val{1}, 'text only', 'text value');

    # the fragments parse on their own, with their namespaces intact
    my $wrap = sub { XML::LibXML->new->parse_string("<wrap>$_[0]</wrap>")->documentElement };
    my $t = eval { $wrap->($val{0}) };
    ok($t, 'title value is a well-formed fragment') or diag("$@ in: $val{0}");
    if ($t) {
        is($t->textContent, 'Le gras & fin <ok>', 'title text');
        my ($b) = grep { $_->nodeType == 1 } $t->childNodes;
        is($b && $b->namespaceURI, 'urn:example:v', 'child element keeps its namespace');
        is($b && $b->localname, 'b', 'child element name');
        is($b && $b->getAttribute('attr'), '1', 'attribute kept');
    }
    my $nest = eval { $wrap->($val{5}) };
    ok($nest, 'nested value is a well-formed fragment') or diag("$@ in: $val{5}");
    if ($nest) {
        my $xpc = XML::LibXML::XPathContext->new($nest);
        $xpc->registerNs(v => 'urn:example:v');
        $xpc->registerNs(d => 'DAV:');
        $xpc->registerNs(w => 'urn:example:w');
        is($xpc->findvalue('v:a/d:href'), '/x', 'DAV:href inside the value');
        is($xpc->findvalue('v:a/w:w'), 'deflt', 'default-namespace element inside the value');
    }
    return unless $doc;
    # handed back to ms_prop_add(MS_VALUE_XML), the values render as sent
    my ($r) = ms_responses($doc);
    my $title = ms_prop($r, 'urn:example:p', 'title');
    ok($title, 'title in the 207');
    if ($title) {
        is($title->{value_text}, 'Le gras & fin <ok>', 'title text in the 207');
        is($title->{lang}, 'fr', 'xml:lang="fr" in the 207');
        my ($b) = grep { $_->nodeType == 1 } $title->{node}->childNodes;
        is($b && $b->namespaceURI, 'urn:example:v', 'value element namespace in the 207');
    }
    is(ms_prop($r, 'urn:example:p', 'plain')->{lang}, 'de', 'xml:lang inherited from D:set');
    # each of the seven handed back with ms_prop_add (the two with an
    # xml:lang with ms_prop_set_lang too), each accepted
    my %rv = map { split /=/, $_, 2 } map { split /,\s*/ } $res->header('X-MS-RV');
    is_deeply(\%rv, { (map { ("op$_" => 'OK') } 0 .. 6), 'op0-lang' => 'OK',
                      'op1-lang' => 'OK', close => 'OK' },
              'every value was handed back to ms_prop_add, and accepted');
    is(scalar(handler_lines($mark, $id, 'work registrations=7')), 1, 'the handler worked');
};

# ------------------------------------------------------------ refusals: 400

my @bad_propfind = (
    [ 'not well-formed', $XMLD . '<D:propfind xmlns:D="DAV:"><D:prop>',
      qr/the body is not well-formed XML: .+/ ],
    [ 'not XML', 'hello world', qr/the body is not well-formed XML: .+/ ],
    [ 'undeclared prefix', '<D:propfind xmlns:D="DAV:"><D:prop><x:a/></D:prop></D:propfind>',
      qr/the body is not well-formed XML: .+/ ],
    [ 'wrong root', '<D:propertyupdate xmlns:D="DAV:"><D:set/></D:propertyupdate>',
      qr/the body is not a DAV:propfind document/ ],
    [ 'propfind in another namespace', '<propfind xmlns="urn:example:notdav"><allprop/></propfind>',
      qr/the body is not a DAV:propfind document/ ],
    [ 'propfind in no namespace', '<propfind><allprop/></propfind>',
      qr/the body is not a DAV:propfind document/ ],
    [ 'empty propfind', '<D:propfind xmlns:D="DAV:"/>',
      qr/DAV:propfind must hold exactly one of prop, propname, allprop/ ],
    [ 'include only', '<D:propfind xmlns:D="DAV:"><D:include><D:getetag/></D:include></D:propfind>',
      qr/DAV:propfind must hold exactly one of prop, propname, allprop/ ],
    [ 'prop and allprop', '<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop><D:allprop/></D:propfind>',
      qr/DAV:propfind must hold exactly one of prop, propname, allprop/ ],
    [ 'propname twice', '<D:propfind xmlns:D="DAV:"><D:propname/><D:propname/></D:propfind>',
      qr/DAV:propfind must hold exactly one of prop, propname, allprop/ ],
    [ 'property without namespace', '<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><foo/></D:prop></D:propfind>',
      qr/property <foo> has no namespace \(not supported\)/ ],
    [ 'property undeclaring the default namespace',
      '<propfind xmlns="DAV:"><prop><getetag/><bar xmlns=""/></prop></propfind>',
      qr/property <bar> has no namespace \(not supported\)/ ],
);

subtest 'PROPFIND: bad bodies -> 400 before any work' => sub {
    plan tests => scalar @bad_propfind;
    for my $c (@bad_propfind) {
        my ($res, $id, $mark) = call(PROPFIND => "$B/pf/", depth => 1, body => $c->[1]);
        check_refused($res, $id, $mark, 400, 'PROPFIND', $c->[2], $c->[0]);
    }
};

my @bad_proppatch = (
    [ 'not well-formed', '<D:propertyupdate xmlns:D="DAV:"><D:set>',
      qr/the body is not well-formed XML: .+/ ],
    [ 'empty body', '', qr/the body is not a DAV:propertyupdate document/ ],
    [ 'wrong root', '<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>',
      qr/the body is not a DAV:propertyupdate document/ ],
    [ 'no instruction', '<D:propertyupdate xmlns:D="DAV:"/>',
      qr/DAV:propertyupdate holds no set or remove instruction/ ],
    [ 'empty set', '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop/></D:set></D:propertyupdate>',
      qr/DAV:propertyupdate holds no set or remove instruction/ ],
    [ 'property without namespace',
      '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><bar>1</bar></D:prop></D:set></D:propertyupdate>',
      qr/property <bar> has no namespace \(not supported\)/ ],
);

subtest 'PROPPATCH: bad bodies -> 400 before any work' => sub {
    plan tests => scalar @bad_proppatch;
    for my $c (@bad_proppatch) {
        my ($res, $id, $mark) = call(PROPPATCH => "$B/pp", body => $c->[1]);
        check_refused($res, $id, $mark, 400, 'PROPPATCH', $c->[2], $c->[0]);
    }
};

subtest 'LimitXMLRequestBody -> 413 before any work' => sub {
    my $body = $XMLD . '<D:propfind xmlns:D="DAV:"><D:prop>'
        . ('<D:getetag/>' x 40) . '</D:prop></D:propfind>';
    my ($res, $id, $mark) = call(PROPFIND => '/ms_test/props_limit/pf/', depth => 0, body => $body);
    check_refused($res, $id, $mark, 413, 'PROPFIND',
                  qr/the body is larger than LimitXMLRequestBody \(200 bytes\)/, 'PROPFIND 413');
    ($res, $id, $mark) = call(PROPFIND => '/ms_test/props_limit/pf/', depth => 0,
                              body => '<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>');
    ms_207($res, 'a body below the limit is read');
};

# ------------------------------------------------------------ Depth

subtest 'Depth parsing' => sub {
    my @ok = (
        [ $B,   '0',        'depth=0',        1 ],
        [ $B,   '1',        'depth=1',        4 ],
        [ $INF, 'infinity', 'depth=infinity', 5 ],
        [ $INF, 'Infinity', 'depth=infinity', 5 ],
        [ $INF, undef,      'depth=infinity', 5 ],
    );
    for my $c (@ok) {
        my $d = $c->[1] // '(missing)';
        my ($res) = call(PROPFIND => "$c->[0]/pf/", depth => $c->[1]);
        my $doc = ms_207($res, "Depth $d under $c->[0]: 207");
        is(pf_header($res), "type=allprop $c->[2] n=0", "Depth $d parsed as $c->[2]");
        is(scalar(ms_responses($doc)), $c->[3], "$c->[3] responses") if $doc;
        if ($doc && $c->[3] == 5) {
            ok(ms_by_href($doc)->{"$c->[0]/pf/a/deep"}, 'the deep member is listed');
        }
    }
    for my $bogus ('2', 'one', '-1', 'infinite', '1,0', '') {
        my ($res, $id, $mark) = call(PROPFIND => "$B/pf/", depth => $bogus);
        check_refused($res, $id, $mark, 400, 'PROPFIND',
                      qr/Depth must be 0, 1 or infinity/, "Depth '$bogus' -> 400");
    }
};

sub check_finite_depth {
    my ($res, $id, $mark, $ct, $name) = @_;
    subtest $name => sub {
        is($res->code, 403, '403') or diag($res->as_string);
        is($res->header('Content-Type'), $ct, 'Content-Type');
        my $doc = eval { XML::LibXML->new(no_network => 1)->parse_string($res->content) };
        ok($doc, 'the body is XML') or diag($@);
        like($res->content, qr/\A<\?xml version="1\.0" encoding="utf-8"\?>/, 'XML declaration');
        if ($doc) {
            my $root = $doc->documentElement;
            is('{' . ($root->namespaceURI // '') . '}' . $root->localname, '{DAV:}error',
               'root is DAV:error');
            my @kids = grep { $_->nodeType == 1 } $root->childNodes;
            is_deeply([ map { '{' . ($_->namespaceURI // '') . '}' . $_->localname } @kids ],
                      [ '{DAV:}propfind-finite-depth' ], 'exactly DAV:propfind-finite-depth');
            ok(!$kids[0] || !$kids[0]->hasChildNodes, 'an empty precondition element');
            is(scalar(grep { $_->nodeType == 3 && $_->data =~ /\S/ } $root->childNodes), 0,
               'no text');
        }
        ms_expect_log($mark, qr/\[multistatus:info\].*multistatus: PROPFIND with Depth: infinity refused/,
                      'logged at info');
        ms_expect_log($mark, qr/ms_test: \[\Q$id\E\] propfind_read=-2$/, 'the handler got DONE');
        is(scalar(handler_lines($mark, $id, 'work')), 0, 'no per-resource work');
    };
}

subtest 'Depth: infinity refused -> 403 DAV:propfind-finite-depth' => sub {
    my $ct = 'application/xml; charset=utf-8';
    check_finite_depth(call(PROPFIND => "$B/pf/", depth => 'infinity'), $ct, 'Depth: infinity');
    check_finite_depth(call(PROPFIND => "$B/pf/"), $ct, 'Depth missing (= infinity)');
    check_finite_depth(call(PROPFIND => "$B/pf/", depth => 'infinity',
                            body => '<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>'),
                       $ct, 'Depth: infinity with a body');
    check_finite_depth(call(PROPFIND => '/ms_test/props_textxml/pf/', depth => 'infinity'),
                       'text/xml; charset="utf-8"', 'under MultiStatusContentType text/xml');
};

# ------------------------------------------------------------ misuse

subtest 'reading a body of the wrong method: 405 and one [error] line' => sub {
    my ($res, $id, $mark) = call(GET => "$B/pf/");
    is($res->code, 405, 'ms_propfind_read from GET: 405');
    ms_expect_log($mark, qr/\[multistatus:error\].*multistatus: ms_propfind_read called for a GET request/,
                  'logged');
    ($res, $id, $mark) = call(PROPFIND => "$B/pp", depth => 0);
    is($res->code, 405, 'ms_proppatch_read from PROPFIND: 405');
    ms_expect_log($mark, qr/\[multistatus:error\].*multistatus: ms_proppatch_read called for a PROPFIND request/,
                  'logged');
};
