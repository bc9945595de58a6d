# Property methods, issue 3 points 2 and 4.
#  2. Completeness: every property the client named is answered for every
#     resource the handler reported; what the handler left unanswered is
#     404, in the one 404 propstat of the response; in propname mode no
#     value is sent, even when the handler supplied one.
#  4. Client namespaces: the namespaces of the client's request come back
#     declared (valid XML), DAV: is D on the root, and no namespace URI is
#     declared twice in scope.
#
# Handler: scenario "pf" of t/c-modules/ms_test/mod_ms_test.c (what it knows
# of each resource is listed in its comment: displayname, resourcetype,
# color (not on b), secret 403, nothere 404, expensive).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use XML::LibXML ();
use FindBin;
use lib "$FindBin::Bin/lib";
use MSTest;

plan tests => 8;

my $B    = '/ms_test/props';
my $XMLD = '<?xml version="1.0" encoding="utf-8"?>';
my @MEMBERS = ("$B/pf/", "$B/pf/c", "$B/pf/a", "$B/pf/b");

sub propfind {
    my ($path, $depth, $body, @h) = @_;
    return ms_request(PROPFIND => $path,
                      headers => [ Depth => $depth, @h,
                                   (defined $body ? ('Content-Type' => 'application/xml') : ()) ],
                      body => $body);
}

sub clark { my ($p) = @_; return "{$p->{ns}}$p->{name}" }

# { label => 'OK' | 'EINVAL' | ... } of the X-MS-RV headers (every call the
# handler made and its result)
sub rv_of {
    my ($res) = @_;
    return { map { split /=/, $_, 2 } map { split /,\s*/ } $res->header('X-MS-RV') };
}

# status code => [ Clark names in document order ] of one response
sub by_status {
    my ($r) = @_;
    my %s;
    for my $ps (@{ $r->{propstats} }) {
        push @{ $s{ $ps->{code} } }, map { clark($_) } @{ $ps->{props} };
    }
    return \%s;
}

# Namespace declarations: D on the root for DAV:, no URI declared twice in
# scope, every element's namespace declared (LibXML parsed it: it is).
sub namespace_problems {
    my ($doc) = @_;
    my @why;
    my $root = $doc->documentElement;
    push @why, 'root element prefix is ' . ($root->prefix // '(none)') . ', not D'
        unless ($root->prefix // '') eq 'D';
    my %rootdecl = map { (($_->declaredPrefix // '') => $_->declaredURI) } $root->getNamespaces;
    push @why, 'xmlns:D="DAV:" is not declared on the root' unless ($rootdecl{D} // '') eq 'DAV:';
    my $walk;
    $walk = sub {
        my ($el, $scope) = @_;
        my %s = %$scope;
        for my $ns ($el->getNamespaces) {
            my $uri = $ns->declaredURI // '';
            my $pfx = $ns->declaredPrefix // '';
            push @why, sprintf('namespace "%s" declared again as "%s" on <%s> (already "%s" in scope)',
                               $uri, $pfx, $el->nodeName, $s{$uri})
                if exists $s{$uri};
            $s{$uri} = $pfx;
        }
        $walk->($_, \%s) for grep { $_->nodeType == XML::LibXML::XML_ELEMENT_NODE() } $el->childNodes;
    };
    $walk->($root, {});
    return @why;
}

# ------------------------------------------------------------ point 2

subtest 'prop list: every property answered for every resource' => sub {
    my $body = $XMLD . '<D:propfind xmlns:D="DAV:" xmlns:e="urn:example:e" xmlns:c="urn:example:client">'
        . '<D:prop><D:displayname/><e:color/><e:secret/><e:nothere/><c:u1/>'
        . '<u2 xmlns="urn:example:default"/><e:expensive/></D:prop></D:propfind>';
    my $res = propfind("$B/pf/?order=last", 1, $body);
    my $doc = ms_207($res, 'Depth 1 prop list: valid 207');
    return unless $doc;
    my $by = ms_by_href($doc);
    is_deeply([ sort keys %$by ], [ sort @MEMBERS ], 'every reported resource is listed');
    my @asked = ('{DAV:}displayname', '{urn:example:e}color', '{urn:example:e}secret',
                 '{urn:example:e}nothere', '{urn:example:client}u1', '{urn:example:default}u2',
                 '{urn:example:e}expensive');
    for my $href (@MEMBERS) {
        my $r = $by->{$href} or next;
        my @all = map { clark($_) } map { @{ $_->{props} } } @{ $r->{propstats} };
        is_deeply([ sort @all ], [ sort @asked ], "$href: each requested property exactly once");
        my @codes = map { $_->{code} } @{ $r->{propstats} };
        my %seen;
        is(scalar(grep { $seen{$_}++ } @codes), 0, "$href: one propstat per status (@codes)");
        my $s = by_status($r);
        my $b = $href =~ m{/b$};
        is_deeply($s->{200}, [ '{DAV:}displayname', ($b ? () : '{urn:example:e}color'),
                               '{urn:example:e}expensive' ], "$href: 200s (handler)");
        is_deeply($s->{403}, [ '{urn:example:e}secret' ], "$href: 403 (handler)");
        is_deeply($s->{404}, [ '{urn:example:e}nothere',
                               ($b ? '{urn:example:e}color' : ()),
                               '{urn:example:client}u1', '{urn:example:default}u2' ],
                  "$href: one 404 propstat: the handler's, then the unanswered ones in request order");
        for my $p (grep { $_->{code} == 404 } map { @{ $_->{props} } } @{ $r->{propstats} }) {
            ok($p->{empty}, "$href: 404 " . clark($p) . ' has no value');
        }
    }
    is(ms_prop($by->{"$B/pf/a"}, 'urn:example:e', 'expensive')->{value_text}, 'costly',
       'values of 200s are kept');
    # every call the handler makes for these (its comment: no color on b),
    # and every one succeeded
    my %want_rv = map {
        my $x = $_;
        ((map { ("$x-$_" => 'OK') } 'displayname', ($x eq 'b' ? () : 'color'),
                                     qw(secret nothere expensive)),
         "close-$x" => 'OK');
    } qw(c a b root);
    is_deeply(rv_of($res), \%want_rv, 'every handler call was made and succeeded');
};

subtest 'responses left open get the rule too' => sub {
    my $body = '<D:propfind xmlns:D="DAV:"><D:prop><D:displayname/><D:getetag/></D:prop></D:propfind>';
    my $doc = ms_207(propfind("$B/pf/?order=open", 1, $body), 'valid 207');
    return unless $doc;
    is_deeply([ map { $_->{href} } ms_responses($doc) ], [ @MEMBERS ],
              'all four responses, the request-URI first');
    for my $r (ms_responses($doc)) {
        is_deeply(by_status($r), { 200 => ['{DAV:}displayname'], 404 => ['{DAV:}getetag'] },
                  "$r->{href}: getetag 404");
    }
};

subtest 'allprop + include: included names answered' => sub {
    my $body = '<D:propfind xmlns:D="DAV:"><D:allprop/><D:include>'
        . '<D:getetag/><D:displayname/></D:include></D:propfind>';
    my $doc = ms_207(propfind("$B/pf/", 1, $body), 'valid 207');
    return unless $doc;
    is_deeply([ sort map { $_->{href} } ms_responses($doc) ], [ sort @MEMBERS ],
              'all four responses');
    for my $r (ms_responses($doc)) {
        my $s = by_status($r);
        is_deeply($s->{404}, [ '{DAV:}getetag' ], "$r->{href}: included unknown name 404");
        is(scalar(grep { $_ eq '{DAV:}displayname' } @{ $s->{200} }), 1,
           "$r->{href}: included known name once, 200");
    }
};

subtest 'propname: names only, never values' => sub {
    my $body = '<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>';
    my $res = propfind("$B/pf/", 1, $body);
    my $doc = ms_207($res, 'valid 207');
    return unless $doc;
    is(scalar(ms_responses($doc)), 4, 'four responses');
    for my $r (ms_responses($doc)) {
        my @props = map { @{ $_->{props} } } @{ $r->{propstats} };
        my $b = $r->{href} =~ m{/b$};
        is(scalar @props, $b ? 5 : 6, "$r->{href}: every name the handler reported");
        my @valued = grep { !$_->{empty} } @props;
        is_deeply([ map { clark($_) } @valued ], [], "$r->{href}: no property has a value");
        ok(!grep({ $_->{code} == 404 && $_->{name} ne 'nothere' } @props),
           "$r->{href}: no 404 added (nothing was named)");
    }
    # the handler did supply values (it is told to in propname mode)
    my $rv = rv_of($res);
    is_deeply([ map { $rv->{"$_-displayname"} } qw(root c a b) ], [ ('OK') x 4 ],
              'the handler added values (displayname of each resource)');
    unlike($res->content, qr/>root<|>blue<|>costly<|collection/, 'no value text anywhere in the body');
};

# ------------------------------------------------------------ point 4

subtest 'client namespaces declared once, D on the root' => sub {
    # the client binds D to another namespace and uses DAV: as d, a default
    # namespace, a prefix bound twice to one URI, a well-known namespace
    my $body = $XMLD . '<d:propfind xmlns:d="DAV:" xmlns:D="urn:example:notdav">'
        . '<d:prop><d:displayname/><D:x/><D:y/>'
        . '<q xmlns="urn:example:default"/>'
        . '<a:one xmlns:a="urn:example:same"/><b:two xmlns:b="urn:example:same"/>'
        . '<C:calendar-home-set xmlns:C="urn:ietf:params:xml:ns:caldav"/>'
        . '<ns1:trap xmlns:ns1="urn:example:trap"/>'
        . '</d:prop></d:propfind>';
    my $res = propfind("$B/pf/", 1, $body);
    my $doc = ms_207($res, 'valid 207');
    return unless $doc;
    my @why = namespace_problems($doc);
    is_deeply(\@why, [], 'no redundant declaration; D is DAV: on the root') or diag($res->content);
    my $root = $doc->documentElement;
    my %decl;
    $decl{ $_->declaredURI }++ for $root->getNamespaces;
    for my $uri ('urn:example:notdav', 'urn:example:default', 'urn:example:same',
                 'urn:ietf:params:xml:ns:caldav', 'urn:example:trap') {
        is($decl{$uri}, 1, "$uri declared once on the root");
    }
    my $r = ms_by_href($doc)->{"$B/pf/"};
    for my $p ([ 'urn:example:notdav', 'x' ], [ 'urn:example:notdav', 'y' ],
               [ 'urn:example:default', 'q' ], [ 'urn:example:same', 'one' ],
               [ 'urn:example:same', 'two' ], [ 'urn:ietf:params:xml:ns:caldav', 'calendar-home-set' ],
               [ 'urn:example:trap', 'trap' ]) {
        my $prop = ms_prop($r, @$p);
        is($prop && $prop->{code}, 404, "{$p->[0]}$p->[1] echoed back (404) in its namespace");
        isnt($prop && $prop->{prefix}, 'D', "{$p->[0]}$p->[1] is not on prefix D")
            if $p->[0] ne 'DAV:';
    }
    my $cal = ms_prop($r, 'urn:ietf:params:xml:ns:caldav', 'calendar-home-set');
    is($cal && $cal->{prefix}, 'C', 'CalDAV gets its conventional prefix C');
    my @d = ms_xpc($doc)->findnodes('//*[namespace-uri()="DAV:"]');
    is(scalar(grep { ($_->prefix // '') ne 'D' } @d), 0, 'every DAV: element uses D:');
};

subtest 'namespaces: declarations stay valid when return=minimal drops the 404s' => sub {
    my $body = '<D:propfind xmlns:D="DAV:"><D:prop><D:displayname/>'
        . '<z:zz xmlns:z="urn:example:z"/></D:prop></D:propfind>';
    my $res = propfind("$B/pf/", 1, $body, Prefer => 'return=minimal');
    my $doc = ms_207($res, 'valid 207');
    return unless $doc;
    is_deeply([ namespace_problems($doc) ], [], 'declarations still fine');
    like($res->content, qr/xmlns:D="DAV:"/, 'D declared');
};

subtest 'PROPPATCH: client namespaces declared once' => sub {
    my $body = '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>'
        . '<p:ro-x xmlns:p="urn:example:p1">1</p:ro-x><q:fine xmlns:q="urn:example:p2">2</q:fine>'
        . '</D:prop></D:set><D:remove><D:prop><r:gone xmlns:r="urn:example:p3"/>'
        . '<t xmlns="urn:example:p1"/></D:prop></D:remove></D:propertyupdate>';
    my $res = ms_request(PROPPATCH => "$B/pp", headers => [ 'Content-Type' => 'application/xml' ],
                         body => $body);
    my $doc = ms_207($res, 'valid 207');
    return unless $doc;
    is_deeply([ namespace_problems($doc) ], [], 'no redundant declaration; D on the root')
        or diag($res->content);
    my ($r) = ms_responses($doc);
    my @names = sort map { clark($_) } map { @{ $_->{props} } } @{ $r->{propstats} };
    is_deeply(\@names, [ '{urn:example:p1}ro-x', '{urn:example:p1}t', '{urn:example:p2}fine',
                         '{urn:example:p3}gone' ], 'every instruction echoed in its namespace');
};

subtest 'Depth 0: only the request-URI, complete' => sub {
    my $body = '<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:displayname/></D:prop></D:propfind>';
    my $doc = ms_207(propfind("$B/pf/", 0, $body), 'valid 207');
    return unless $doc;
    my @r = ms_responses($doc);
    is(scalar @r, 1, 'one response');
    is_deeply(by_status($r[0]), { 200 => ['{DAV:}displayname'], 404 => ['{DAV:}getetag'] },
              'answered');
};
