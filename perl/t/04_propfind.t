# The PROPFIND request builder: bodies (parsed back with a real parser),
# headers, and the refusals of options that make no sense.
use strict;
use warnings;
use Test::More;
use XML::LibXML;
use Apache::TestMultiStatus qw(:all);

my $URL = 'http://127.0.0.1:8529/dav/';

# Clark names of the children of the propfind's first child, and its name
sub shape {
    my ($body) = @_;
    my $doc = XML::LibXML->load_xml(string => $body);
    my $root = $doc->documentElement;
    my $clark = sub { '{' . ($_[0]->namespaceURI // '') . '}' . $_[0]->localname };
    my @top = grep { $_->nodeType == XML_ELEMENT_NODE } $root->childNodes;
    return [ $clark->($root),
             map { [ $clark->($_), map { $clark->($_) } grep { $_->nodeType == XML_ELEMENT_NODE } $_->childNodes ] } @top ];
}

# ---------------------------------------------------------------- bodies
is_deeply(shape(propfind_body(props => [ 'displayname', '{urn:x}color', [ 'urn:y', 'size' ], '{DAV:}getetag' ])),
          [ '{DAV:}propfind', [ '{DAV:}prop', '{DAV:}displayname', '{urn:x}color', '{urn:y}size', '{DAV:}getetag' ] ],
          'prop list');
like(propfind_body(props => ['{urn:x}a', '{urn:x}b']), qr{^<\?xml version="1\.0" encoding="utf-8"\?>\n<D:propfind xmlns:D="DAV:" xmlns:ns1="urn:x"><D:prop><ns1:a/><ns1:b/></D:prop></D:propfind>$},
     'prop list: D: for DAV:, one prefix per namespace');
is_deeply(shape(propfind_body(allprop => 1)), [ '{DAV:}propfind', ['{DAV:}allprop'] ], 'allprop');
is_deeply(shape(propfind_body(allprop => 1, include => ['{urn:x}c'])),
          [ '{DAV:}propfind', ['{DAV:}allprop'], [ '{DAV:}include', '{urn:x}c' ] ], 'allprop with include');
is_deeply(shape(propfind_body(propname => 1)), [ '{DAV:}propfind', ['{DAV:}propname'] ], 'propname');
is(propfind_body(), '', 'nothing asked: an empty body');
is_deeply(shape(propfind_body(props => ['{urn:a&b}p'])), [ '{DAV:}propfind', [ '{DAV:}prop', '{urn:a&b}p' ] ],
          'a namespace that needs escaping');

ok(!eval { propfind_body(props => ['a'], propname => 1); 1 }, 'props and propname exclude each other');
like($@, qr/exclude each other/, 'saying so');
ok(!eval { propfind_body(include => ['a']); 1 }, 'include without allprop is refused');
ok(!eval { propfind_body(props => ['a b']); 1 }, 'a name that is not an XML name is refused');
ok(!eval { propfind_body(props => ['{}a']); 1 }, 'a property without namespace is refused');

# ---------------------------------------------------------------- requests
my $req = propfind_request($URL, depth => 1, props => ['displayname'], prefer => [ 'return=minimal', 'depth-noroot' ],
                           brief => 1, headers => [ 'X-Test' => 'yes' ]);
isa_ok($req, 'HTTP::Request');
is($req->method, 'PROPFIND', 'method');
is($req->uri, $URL, 'an absolute URL is used as given');
is($req->header('Depth'), '1', 'Depth');
is($req->header('Prefer'), 'return=minimal, depth-noroot', 'Prefer: a list is joined');
is($req->header('Brief'), 't', 'Brief');
is($req->header('X-Test'), 'yes', 'extra headers');
is($req->header('Accept'), undef, 'no Accept unless asked');
is(propfind_request($URL, json => 1)->header('Accept'), 'application/json', 'json => 1: Accept: application/json');
is($req->header('Content-Type'), 'application/xml; charset=utf-8', 'Content-Type of a body');
is($req->header('Content-Length'), length($req->content), 'Content-Length');
is($req->content, propfind_body(props => ['displayname']), 'the body');

my $empty = propfind_request($URL, depth => 0);
is($empty->content, '', 'no body asked: empty');
is($empty->header('Content-Length'), 0, 'Content-Length 0');
is($empty->header('Content-Type'), undef, 'no Content-Type without a body');
is(propfind_request($URL)->header('Depth'), undef, 'no Depth unless given');
is(propfind_request($URL, depth => 'infinity')->header('Depth'), 'infinity', 'Depth: infinity');
is(propfind_request($URL, body => '<x/>')->content, '<x/>', 'a body of your own, as it is');

ok(!eval { propfind_request($URL, depth => 2); 1 }, 'Depth 2 is refused');
ok(!eval { propfind_request($URL, deep => 1); 1 }, 'an unknown option is refused');
like($@, qr/unknown option 'deep'/, 'naming it');

done_testing();
