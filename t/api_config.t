# API tests (issue 2): the directives (MultiStatusContentType,
# MultiStatusHrefForm, MultiStatus Off, MultiStatusBufferSize), mod_deflate
# on 207 bodies, and streaming of big listings.  Handler:
# t/c-modules/ms_test/mod_ms_test.c; locations: t/conf/ms_api.conf.in.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use Apache::TestRequest ();
use HTTP::Request ();
use XML::LibXML ();
use FindBin;
use lib "$FindBin::Bin/lib";
use MSTest;
use MSTest::Check;

plan tests => 14;

my $B = '/ms_test/api';
my $ORIGIN = ms_url('');     # http://127.0.0.1:PORT

subtest 'MultiStatusContentType text/xml' => sub {
    my $res = req('GET', '/ms_test/textxml/basic');
    my $ms = check_207($res, 'text/xml', content_type => 'text/xml; charset="utf-8"');
    is($res->header('Content-Type'), 'text/xml; charset="utf-8"',
       'Content-Type text/xml; charset="utf-8"');
    is_deeply([map { $_->{href} } @{ $ms->{responses} }],
              ['/ms_test/textxml/basic', '/ms_test/textxml/basic/member%20one',
               '/ms_test/textxml/basic/gone'], 'hrefs');
};

subtest 'MultiStatusHrefForm uri' => sub {
    my $res = req('GET', '/ms_test/uri/basic');
    my $ms = check_207($res, 'href form uri', absolute => 1);
    my $b = "$ORIGIN/ms_test/uri/basic";
    is_deeply([map { $_->{href} } @{ $ms->{responses} }],
              [$b, "$b/member%20one", "$b/gone"], 'absolute URIs');

    $res = req('GET', '/ms_test/uri/status');
    $ms = check_207($res, 'href form uri, status', absolute => 1);
    expect_log_count(2, 'the refused location and the second status (issue 8) are logged');
    my ($moved) = grep { $_->{href} eq "$ORIGIN/ms_test/uri/status/moved" }
                  @{ $ms->{responses} };
    is($moved && $moved->{location}, "$ORIGIN/elsewhere/new%20place/",
       'location href is an absolute URI too');

    $res = req('GET', '/ms_test/uri/enc');
    $ms = check_207($res, 'href form uri, encoded hrefs', absolute => 1);
    expect_log_count(10, 'refused encoded hrefs logged');
    is_deeply([map { $_->{href} } @{ $ms->{responses} }],
              ["$ORIGIN/elsewhere/enc/a%20b", "$ORIGIN/elsewhere/enc/%E2%98%83",
               "$ORIGIN/elsewhere/enc/a&b", "$ORIGIN/ms_test/uri/enc/sub%20dir/x",
               "$ORIGIN/elsewhere/enc/abs"], 'encoded hrefs as absolute URIs');
    is_deeply([$res->header('X-MS-Acc')],
              ["absuri href=$ORIGIN/elsewhere/enc/abs path=/elsewhere/enc/abs status=0"],
              'ms_response_href gives the absolute URI, ms_response_path the path');

    $res = req('GET', '/ms_test/uri/paths');
    $ms = check_207($res, 'href form uri, paths', absolute => 1);
    is($ms->{responses}[0]{href}, "$ORIGIN/ms_test/uri/paths/a%20b",
       'first awkward path');
    is($ms->{responses}[14]{href}, "$ORIGIN/elsewhere/dbl/x/", '// removed');
};

subtest 'MultiStatus Off' => sub {
    my $res = req('GET', '/ms_test/off/disabled');
    is($res->code, 200, "the handler's own status");
    is($res->header('Content-Type'), 'text/plain', "the handler's Content-Type");
    is($res->content, "own answer: EDISABLED\n", "the handler's own body");
    is_deeply(rv($res), { add => 'EDISABLED', open => 'EDISABLED',
                          desc => 'EDISABLED' }, 'every call: MS_EDISABLED');
    expect_log_count(0, 'no [error] line (debug level only)');
};

subtest 'MultiStatus Off: a handler that does not check' => sub {
    my $res = req('GET', '/ms_test/off/nothing');
    is($res->code, 200, 'a request that registers nothing: untouched');
    is($res->content, "untouched\n", 'body');
};

subtest 'deflate: no Accept-Encoding' => sub {
    my $res = req('GET', '/deflate/ms_test/basic');
    my $ms = check_207($res, 'deflate location, identity');
    is($res->header('Content-Encoding'), undef, 'not compressed');
    is_deeply([map { $_->{href} } @{ $ms->{responses} }],
              ['/deflate/ms_test/basic', '/deflate/ms_test/basic/member%20one',
               '/deflate/ms_test/basic/gone'], 'hrefs');
};

for my $method (qw(GET PROPFIND)) {
    subtest "deflate: $method with Accept-Encoding: gzip" => sub {
        my $res = req($method, '/deflate/ms_test/props', undef,
                      'Accept-Encoding' => 'gzip', Depth => 0);
        my $ms = check_207($res, 'gzip', gunzip => 1);
        expect_log_count(1, 'the refused call of the scenario is logged');
        is($res->header('Content-Encoding'), 'gzip', 'Content-Encoding gzip');
        like($res->header('Vary') // '', qr/Accept-Encoding/i, 'Vary');
        my ($r) = @{ $ms->{responses} };
        is($r && $r->{href}, '/deflate/ms_test/props/p1', 'href');
        my %p = map { $_->{key} => $_->{value} } map { @{ $_->{props} } }
                @{ $r ? $r->{propstats} : [] };
        is($p{'{DAV:}displayname'}, 'Tom & Jerry <b>', 'text value survives');
        is($p{'{urn:example:props}ola'}, "Ol\x{e1}", 'UTF-8 survives');
    };
}

subtest 'deflate: big listing, gzip' => sub {
    my $res = req('GET', '/deflate/ms_test/big?n=5000', undef,
                  'Accept-Encoding' => 'gzip');
    my $ms = check_207($res, 'big gzip', gunzip => 1);
    is($res->header('Content-Encoding'), 'gzip', 'Content-Encoding gzip');
    ok(length($ms->{body}) > 65536, 'uncompressed body > 64 KiB');
    check_big($ms, '/deflate/ms_test/big', 5000);
};

subtest 'big listing streams (HTTP/1.1, chunked)' => sub {
    $MSTest::Check::MARK = ms_log_mark();
    my $raw = ms_raw_request('GET', "$B/big?n=5000");
    is($raw->{code}, 207, '207');
    is($raw->{reason}, 'Multi-Status', 'reason');
    is($raw->{proto}, 'HTTP/1.1', 'HTTP/1.1');
    is($raw->{headers}{'content-type'}, 'application/xml; charset=utf-8',
       'Content-Type');
    is($raw->{headers}{'content-length'}, undef, 'no Content-Length');
    is($raw->{chunked}, 1, 'chunked');
    ok(length($raw->{body}) > 65536, 'body > 64 KiB');
    my $res = HTTP::Response->new($raw->{code}, $raw->{reason},
                                  [map { @$_ } @{ $raw->{header_list} }],
                                  $raw->{body});
    $res->protocol($raw->{proto});
    my $ms = check_207($res, 'big');
    check_big($ms, "$B/big", 5000);
    expect_log_count(0, 'no [error] line');
};

subtest 'big listing: namespace first used after the root was sent' => sub {
    my $res = req('GET', "$B/big?n=5000&late=4000");
    my $ms = check_207($res, 'late namespace');
    is($res->header('Content-Length'), undef, 'streamed: no Content-Length');
    check_big($ms, "$B/big", 5000);
    my @users = grep { grep { $_->{ns} eq 'urn:example:late' }
                       map { @{ $_->{props} } } @{ $_->{propstats} } }
                @{ $ms->{responses} };
    is(scalar @users, 500, '500 responses use the late namespace');
    my @undeclared = grep {
        !grep { ($_->declaredURI // '') eq 'urn:example:late' } $_->{node}->getNamespaces
    } @users;
    is(scalar @undeclared, 0, 'each declares it on its response element')
        or diag("first: $undeclared[0]{href}");
    my %prefixes = map { $_->{prefix} => 1 } grep { $_->{ns} eq 'urn:example:late' }
                   map { @{ $_->{props} } } map { @{ $_->{propstats} } } @users;
    is(scalar keys %prefixes, 1, 'always with the same prefix');
};

subtest 'MultiStatusBufferSize 1024: small listing streams' => sub {
    my $res = req('GET', '/ms_test/small/big?n=100');
    my $ms = check_207($res, 'small buffer');
    is($res->header('Content-Length'), undef, 'no Content-Length');
    check_big($ms, '/ms_test/small/big', 100);

    $res = req('GET', '/ms_test/small/big?n=5');
    $ms = check_207($res, 'small buffer, small body');
    ok(length($res->content) < 1024, 'body below 1024 bytes');
    is($res->header('Content-Length'), length($res->content),
       'body below the buffer: Content-Length');
    check_big($ms, '/ms_test/small/big', 5);
};

subtest 'MultiStatusBufferSize 1024: namespaces while streaming' => sub {
    my $res = req('PROPFIND', '/ms_test/small/ns', undef, Depth => 1);
    my $ms = check_207($res, 'small buffer, namespaces');
    my %used;
    for my $r (@{ $ms->{responses} }) {
        for my $ps (@{ $r->{propstats} }) {
            $used{$_->{ns}}{$_->{prefix}}++ for @{ $ps->{props} };
        }
    }
    is(join(',', keys %{ $used{'urn:ietf:params:xml:ns:caldav'} || {} }), 'C',
       'caldav is C');
    is(join(',', keys %{ $used{'urn:example:first'} || {} }), 'ns1',
       'first unknown namespace is ns1');
    is(scalar(grep { keys %{ $used{$_} } != 1 } keys %used), 0,
       'one prefix per namespace in the whole body');
    is(scalar @{ $ms->{responses} }, 4, '4 responses');
};

# HEAD, then a GET on the same connection (raw socket: LWP would drop a
# body sent after a HEAD): a body after the HEAD's headers would be read as
# the start of the GET's answer, or left over after it.
sub head_then_get {
    my ($path, @h) = @_;
    my @out = eval {
        ms_raw([ ms_raw_build(HEAD => $path, headers => \@h, keepalive => 1),
                 ms_raw_build(GET => "$B/basic") ]);
    };
    is(scalar @out, 2, "HEAD $path then GET on one connection: two answers, no byte more")
        or diag($@);
    my $ms = check_207($out[1] ? ms_http_response($out[1]) : HTTP::Response->new(500),
                       "the GET after HEAD $path");
    is_deeply([ map { $_->{href} } @{ $ms->{responses} } ],
              [ "$B/basic", "$B/basic/member%20one", "$B/basic/gone" ],
              'the GET has its own body');
    return $out[0] || {};
}

subtest 'HEAD of a big listing' => sub {
    my $h = head_then_get("$B/big?n=5000");
    is($h->{code}, 207, '207');
    is($h->{headers}{'content-type'}, 'application/xml; charset=utf-8',
       'Content-Type');
    isnt($h->{headers}{'transfer-encoding'} // '', 'chunked',
         'no chunked framing announced');
};

subtest 'HEAD with deflate' => sub {
    my $h = head_then_get('/deflate/ms_test/basic', 'Accept-Encoding' => 'gzip');
    is($h->{code}, 207, '207');
    is($h->{headers}{'content-encoding'}, 'gzip', 'Content-Encoding gzip, as the GET');
};

sub check_big {
    my ($ms, $base, $n) = @_;
    my @r = @{ $ms->{responses} };
    is(scalar @r, $n, "$n responses");
    my @bad_href = grep { $r[$_]{href} ne sprintf('%s/item-%05d', $base, $_) } 0 .. $#r;
    is(scalar @bad_href, 0, 'hrefs item-00000... in order')
        or diag("first wrong: #$bad_href[0]: $r[$bad_href[0]]{href}");
    my @bad = grep {
        my $x = $r[$_];
        $_ % 2 == 0
            ? ($x->{status} // '') ne 'HTTP/1.1 200 OK'
            : (defined $x->{status} || @{ $x->{propstats} } != 1
               || $x->{propstats}[0]{status} ne 'HTTP/1.1 200 OK'
               || $x->{propstats}[0]{props}[0]{value} ne "item $_")
    } 0 .. $#r;
    is(scalar @bad, 0, 'even: status 200; odd: displayname "item N"')
        or diag("first wrong: #$bad[0]");
    is($ms->{desc}, "$n items", 'multistatus description after the responses');
}

__END__
