# API tests (issue 2): what a handler registers through mod_multistatus's
# optional functions becomes a correct 207 body.  The handler is
# t/c-modules/ms_test/mod_ms_test.c; the scenario is the last segment of the
# request-URI.  Every 207 body is parsed and validated (RELAX NG) and checked
# for prefixes, declarations and compactness before the exact assertions.
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

plan tests => 19;

my $CT = 'application/xml; charset=utf-8';
my $B  = '/ms_test/api';

#
# basic: both forms, with every method; headers and wire format
#
for my $method (qw(GET POST PROPFIND PROPPATCH DELETE)) {
    subtest "basic $method" => sub {
        my $body = $method =~ /^(POST|PROPFIND|PROPPATCH)$/
            ? '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>'
            : undef;
        my $res = req($method, '/ms_test/api/basic', $body,
                      $body ? ('Content-Type' => 'application/xml') : ());
        my $ms = check_207($res, "$method /ms_test/api/basic");
        check_basic($ms, '/ms_test/api/basic');
        is_deeply(rv($res), { map { $_ => 'OK' }
                              qw(p1 p2 p3 close s1 s2 desc) },
                  'every call returned APR_SUCCESS');
        is($res->header('Content-Length'), length($res->content),
           'small body: Content-Length is the body length');
    };
}

subtest 'HEAD' => sub {
    # HEAD, then a GET on the same connection (raw socket: LWP would drop
    # a body sent after a HEAD): a body after the HEAD's headers would be
    # read as the start of the GET's answer, or left over after it
    my @out = eval {
        ms_raw([ ms_raw_build(HEAD => "$B/basic", keepalive => 1),
                 ms_raw_build(GET => "$B/basic") ]);
    };
    is(scalar @out, 2, 'HEAD then GET on one connection: two answers, no byte more')
        or diag($@);
    my ($head, $get) = @out;
    is($head && $head->{code}, 207, 'HEAD: 207');
    is($head && $head->{reason}, 'Multi-Status', 'HEAD: reason');
    is($head && $head->{headers}{'content-type'}, $CT, 'HEAD: Content-Type');
    my $ms = check_207($get ? ms_http_response($get) : HTTP::Response->new(500),
                       'the GET after the HEAD');
    is($head && $head->{headers}{'content-length'}, $get && length($get->{body}),
       "HEAD: the Content-Length of the GET's body");
};

#
# status form
#
subtest 'status form' => sub {
    my $res = req('GET', "$B/status");
    my $ms = check_207($res, 'GET status');
    my $rv = rv($res);
    is($rv->{'loc-non3xx'}, 'EINVAL', 'location on a 410 refused');
    # issue 8: a second, different status for one href is refused
    expect_log_count(2, 'one [error] line for each refused call');
    is_deeply($rv, { 'loc-non3xx' => 'EINVAL', 'again-2' => 'ECONFLICT', map { $_ => 'OK' }
                     qw(moved-status moved-loc moved-desc moved-close locked-status
                        locked-error locked-desc locked-close custom-status custom-error
                        custom-close twice-1 twice-2 twice-close s200 s204 s302 s403
                        s404 s409 s423 s424 s507 s250 s299 s399 s499 s599 again-1) },
              'every other call was made and succeeded (ms_add_status twice with another status: ECONFLICT)');
    my $b = "$B/status/";
    my @want = (
        [ "${b}moved",  'HTTP/1.1 301 Moved Permanently' ],
        [ "${b}locked", 'HTTP/1.1 423 Locked' ],
        [ "${b}custom-err", 'HTTP/1.1 403 Forbidden' ],
        [ "${b}twice",  'HTTP/1.1 410 Gone' ],
        [ "${b}s200", 'HTTP/1.1 200 OK' ],
        [ "${b}s204", 'HTTP/1.1 204 No Content' ],
        [ "${b}s302", 'HTTP/1.1 302 Found' ],
        [ "${b}s403", 'HTTP/1.1 403 Forbidden' ],
        [ "${b}s404", 'HTTP/1.1 404 Not Found' ],
        [ "${b}s409", 'HTTP/1.1 409 Conflict' ],
        [ "${b}s423", 'HTTP/1.1 423 Locked' ],
        [ "${b}s424", 'HTTP/1.1 424 Failed Dependency' ],
        [ "${b}s507", 'HTTP/1.1 507 Insufficient Storage' ],
        [ "${b}s250", 'HTTP/1.1 250 Success' ],
        [ "${b}s299", 'HTTP/1.1 299 Success' ],
        [ "${b}s399", 'HTTP/1.1 399 Redirection' ],
        [ "${b}s499", 'HTTP/1.1 499 Client Error' ],
        [ "${b}s599", 'HTTP/1.1 599 Server Error' ],
        [ "${b}again", 'HTTP/1.1 200 OK' ],
    );
    is_deeply([map { [$_->{href}, $_->{status}] } @{ $ms->{responses} }],
              \@want, 'hrefs, statuses and reasons, in close/open order');
    my %r = map { $_->{href} => $_ } @{ $ms->{responses} };
    is($r{"${b}moved"}{location}, '/elsewhere/new%20place/', '301: location href');
    is($r{"${b}moved"}{desc}, 'moved away', '301: description');
    is_deeply($r{"${b}locked"}{error}, ['{DAV:}lock-token-submitted'],
              '423: error element');
    is($r{"${b}locked"}{desc}, 'locked by someone', '423: description');
    is_deeply($r{"${b}custom-err"}{error},
              ['{urn:example:err}quota-exceeded'], 'error in own namespace');
    is($r{"${b}again"}{desc}, undef, 'ms_add_status twice: the first result kept whole');
    my @with_loc = grep { defined $_->{location} } @{ $ms->{responses} };
    is(scalar @with_loc, 1, 'location only on the 3xx response');
    is($r{"${b}twice"}{location}, undef, 'no location on 410');
    for (@{ $ms->{responses} }) {
        is_deeply($_->{propstats}, [], "$_->{href}: no propstat")
            or last;
    }
};

#
# propstat form
#
subtest 'propstat form' => sub {
    my $res = req('GET', "$B/props");
    my $ms = check_207($res, 'GET props');
    my $rv = rv($res);
    is($rv->{'lang-noprop'}, 'EINVAL', 'xml:lang of a property never added');
    expect_log_count(1, 'one [error] line for it');
    is_deeply($rv, { 'lang-noprop' => 'EINVAL', map { $_ => 'OK' }
                     qw(displayname getcontentlength resourcetype esc emptytext frag
                        fragdav fraglang fragdefault fragtext fragcdata greeting
                        greeting-lang ola ola-lang missing forbidden ps-desc ps-error
                        ps424-desc ps424-prop resp-error resp-desc close) },
              'every other call was made and succeeded');
    is_deeply([$res->header('X-MS-Acc')],
              ["p1 href=$B/props/p1 path=$B/props/p1 status=0"],
              'accessors: href, path, status 0 for a propstat response');
    is(scalar @{ $ms->{responses} }, 1, 'one response');
    my $r = $ms->{responses}[0];
    is($r->{href}, "$B/props/p1", 'href');
    is($r->{status}, undef, 'no status element');
    is_deeply([map { $_->{status} } @{ $r->{propstats} }],
              ['HTTP/1.1 200 OK', 'HTTP/1.1 404 Not Found',
               'HTTP/1.1 403 Forbidden', 'HTTP/1.1 424 Failed Dependency'],
              'one propstat per status, first-seen order');
    my ($ok, $nf, $fb, $dep) = @{ $r->{propstats} };
    my $P = 'urn:example:props';
    is_deeply([map { $_->{key} } @{ $ok->{props} }],
              ['{DAV:}displayname', '{DAV:}getcontentlength',
               '{DAV:}resourcetype', "{$P}esc", "{$P}emptytext",
               "{$P}frag", "{$P}fragdav", "{$P}fraglang", "{$P}fragdefault",
               "{$P}fragtext", "{$P}fragcdata", "{$P}greeting", "{$P}ola"],
              '200 props in add order');
    my %p = map { $_->{key} => $_ } @{ $ok->{props} };
    is($p{'{DAV:}displayname'}{value}, 'Tom & Jerry <b>', 'text value');
    like($res->content, qr{<D:displayname>Tom &amp; Jerry &lt;b(&gt;|>)</D:displayname>},
         'text escaped on the wire');
    is($p{'{DAV:}getcontentlength'}{value}, '42', 'getcontentlength');
    is_deeply(children($p{'{DAV:}resourcetype'}{node}), ['{DAV:}collection'],
              'resourcetype: <D:collection/>');
    is($p{"{$P}esc"}{value},
       "a & b < c > d \" e ' f caf\x{e9} \x{2603} \x{1d11e} \ttab\nnl ]]> end",
       'escaping: & < > quotes, non-ASCII, TAB, LF, ]]>');
    like($res->content, qr/\bnl \]\]&gt; end</, '"]]>" in text escaped on the wire');
    is($p{"{$P}emptytext"}{value}, '', 'empty text');
    my $frag = $p{"{$P}frag"}{node};
    is_deeply(children($frag), ['{urn:example:frag}a', '{urn:example:frag}b'],
              'fragment with its own namespace: children');
    is($frag->firstChild->getAttributeNS('urn:example:frag', 'attr'), '1',
       'fragment: namespaced attribute kept');
    is($frag->firstChild->textContent, 'v & w', 'fragment: entity kept');
    is_deeply(children($p{"{$P}fragdav"}{node}), ['{DAV:}href', '{DAV:}href'],
              'fragment using D:');
    is($p{"{$P}fragdav"}{value}, '/a/b%20c', 'fragment using D: text');
    my $t = $p{"{$P}fraglang"}{node}->firstChild;
    is($t->getAttributeNS('http://www.w3.org/XML/1998/namespace', 'lang'),
       'de', 'fragment with xml:lang');
    is($t->textContent, 'Hallo', 'fragment with xml:lang: text');
    is_deeply(children($p{"{$P}fragdefault"}{node}), ['{urn:example:default}foo'],
              'fragment with a default namespace');
    is($p{"{$P}fragtext"}{value}, "just text < escaped \x{263a}",
       'text-only fragment');
    is($p{"{$P}fragcdata"}{value}, 'a<b&c', 'CDATA fragment');
    is($p{"{$P}greeting"}{lang}, 'fr', 'ms_prop_set_lang: xml:lang="fr"');
    is($p{"{$P}greeting"}{value}, 'Bonjour', 'ms_prop_set_lang: value');
    is($p{"{$P}ola"}{lang}, 'pt-BR', 'xml:lang="pt-BR"');
    is($p{"{$P}ola"}{value}, "Ol\x{e1}", 'non-ASCII value');
    is($p{'{DAV:}displayname'}{lang}, undef, 'no xml:lang where none set');
    is_deeply([map { [$_->{key}, $_->{value}, $_->{nchildren}] } @{ $nf->{props} }],
              [["{$P}missing", '', 0]], '404: empty element');
    is_deeply([map { $_->{key} } @{ $fb->{props} }], ['{DAV:}getetag'],
              '403 props');
    is($fb->{desc}, 'no access', 'propstat responsedescription');
    is_deeply($fb->{error}, ['{DAV:}cannot-modify-protected-property'],
              'propstat error');
    is($ok->{desc}, undef, 'no description on the 200 propstat');
    is_deeply($ok->{error}, [], 'no error on the 200 propstat');
    is_deeply([map { $_->{key} } @{ $dep->{props} }], ["{$P}dep"],
              '424 propstat created by its description');
    is($dep->{desc}, 'dependency', '424 description');
    is_deeply($r->{error}, ["{$P}partial"], 'response-level error');
    is($r->{desc}, 'mixed results', 'response-level description');
    is($ms->{desc}, undef, 'no multistatus-level description');
};

#
# the same href registered again, under several spellings
#
subtest 'grouping' => sub {
    my $res = req('PROPFIND', "$B/group", undef, Depth => 1);
    my $ms = check_207($res, 'PROPFIND group');
    is_deeply(rv($res), { map { $_ => 'OK' }
                          qw(a1 a2 a3 other same-b b1 b2 b3 same-c c1 c2 z y) },
              'every call was made and succeeded (same handle for the same href)');
    is_deeply([map { $_->{href} } @{ $ms->{responses} }],
              ["$B/group/r1", "$B/group/other", "$B/group/zz-last",
               "$B/group/yy-after"],
              'one response per href, in open order');
    my $r = $ms->{responses}[0];
    is_deeply([map { $_->{status} } @{ $r->{propstats} }],
              ['HTTP/1.1 200 OK', 'HTTP/1.1 404 Not Found',
               'HTTP/1.1 403 Forbidden'], 'propstats in first-seen order');
    my ($ok, $nf, $fb) = map { $_->{props} } @{ $r->{propstats} };
    is_deeply([sort map { $_->{key} } @$ok],
              ['{DAV:}displayname', '{DAV:}getetag'], '200 props');
    my %v = map { $_->{key} => $_->{value} } @$ok;
    is($v{'{DAV:}displayname'}, 'uno', 're-added prop: value replaced');
    is($v{'{DAV:}getetag'}, '"e1"', 'quotes in text');
    is_deeply([map { $_->{key} } @$nf],
              ['{urn:example:g}missing', '{urn:example:g}missing2'],
              '404 props in add order');
    is_deeply([map { $_->{key} } @$fb],
              ['{urn:example:g}forbidden', '{urn:example:g}moved'],
              're-added prop moved to its new status');
    is($ms->{responses}[2]{status}, 'HTTP/1.1 204 No Content', '204 line');
};

#
# hrefs from awkward unescaped paths
#
subtest 'paths' => sub {
    for my $uri ("$B/paths", "$B/paths/") {
        my $res = req('GET', $uri);
        my $ms = check_207($res, "GET $uri");
        is_deeply(rv($res), { map { ("path$_" => 'OK') } 0 .. 17 },
                  "$uri: every call was made and succeeded");
        my @want = ((map { "$B/paths/$_" }
                     'a%20b', 'hash%23q%3Fx=1', '100%25', 'pct%2541',
                     '%5Bv6%5D', 'caf%C3%A9', "(x)!'*", 'a&b',
                     '$+,;=:@~-._', '%3C%3E%22', 'back%5Cslash',
                     '%7B%7D%7C%5E%60', 'ctl%01', 'coll/'),
                    '/elsewhere/dbl/x/', '/elsewhere/dd',
                    "$B/paths/rel%20x", "$B/paths/up");
        is_deeply([map { $_->{href} } @{ $ms->{responses} }], \@want,
                  "$uri: hrefs percent-encoded, dot segments and // removed");
        is_deeply([map { $_->{status} =~ /^HTTP\/1\.1 (\d+) / ? $1 : '' }
                   @{ $ms->{responses} }], [200 .. 200 + $#want],
                  "$uri: each href with its own status");
        like($res->content, qr{<D:href>\Q$B\E/paths/a&amp;b</D:href>},
             "$uri: & XML-escaped in href");
        unlike($res->content, qr{//}, "$uri: no // anywhere in the body");
    }
};

#
# ms_response_open_href: already-encoded hrefs
#
subtest 'encoded hrefs' => sub {
    my $res = req('GET', "$B/enc");
    my $ms = check_207($res, 'GET enc');
    my $rv = rv($res);
    is_deeply({ map { $_ => $rv->{$_} } grep { /^(good|absuri)/ } keys %$rv },
              { good0 => 'OK', good1 => 'OK', good2 => 'OK', good3 => 'OK',
                absuri => 'OK' }, 'valid encoded hrefs accepted');
    is_deeply({ map { $_ => $rv->{$_} } grep { /^(bad|href-)/ } keys %$rv },
              { (map { ("bad$_" => 'EINVAL') } 0 .. 7),
                'href-null' => 'EINVAL', 'href-empty' => 'EINVAL' },
              'invalid encoded hrefs refused');
    is_deeply([map { $_->{href} } @{ $ms->{responses} }],
              ['/elsewhere/enc/a%20b', '/elsewhere/enc/%E2%98%83',
               '/elsewhere/enc/a&b', "$B/enc/sub%20dir/x",
               '/elsewhere/enc/abs'],
              'encoded hrefs kept, relative resolved, own absolute URI as path');
    is_deeply([$res->header('X-MS-Acc')],
              ['absuri href=/elsewhere/enc/abs path=/elsewhere/enc/abs status=0'],
              'accessors of an absolute-URI href');
    expect_log_count(10, 'one [error] line per refused href');
};

#
# namespaces: conventional prefixes, nsN in first-seen order, declared once
#
subtest 'namespaces' => sub {
    my $res = req('PROPFIND', "$B/ns", undef, Depth => 1);
    my $ms = check_207($res, 'PROPFIND ns');
    is_deeply(rv($res), { map { $_ => 'OK' }
                          (map { my $r = $_; map { "$r-$_" } 0 .. 10 } qw(r0 r1 r2)),
                          (map { "many$_" } 0 .. 19) },
              'every call was made and succeeded');
    my %want = (
        'urn:example:first'              => 'ns1',
        'urn:ietf:params:xml:ns:caldav'  => 'C',
        'urn:ietf:params:xml:ns:carddav' => 'CARD',
        'http://calendarserver.org/ns/'  => 'CS',
        'urn:example:second'             => 'ns2',
        'http://apple.com/ns/ical/'      => 'ICAL',
        'http://owncloud.org/ns'         => 'oc',
        'http://nextcloud.org/ns'        => 'nc',
        'http://sabredav.org/ns'         => 's',
        'urn:schemas-microsoft-com:'     => 'Z',
        'urn:example:third'              => 'ns3',
        (map { sprintf('urn:example:many:%02d', $_) => 'ns' . ($_ + 4) }
         0 .. 19),
    );
    my $root = $ms->{doc}->documentElement;
    my %decl = map { $_->declaredURI => $_->declaredPrefix }
               $root->getNamespaces;
    is($decl{'DAV:'}, 'D', 'DAV: is D on the root');
    delete $decl{'DAV:'};
    is_deeply(\%decl, \%want,
              'every namespace declared on the root with its prefix');
    my %used;
    for my $r (@{ $ms->{responses} }) {
        for my $ps (@{ $r->{propstats} }) {
            $used{$_->{ns}}{$_->{prefix}}++ for @{ $ps->{props} };
        }
    }
    delete $used{'DAV:'};
    is_deeply({ map { $_ => join(',', keys %{ $used{$_} }) } keys %used },
              \%want, 'each namespace used with one stable prefix');
    is_deeply([map { $_->{href} } @{ $ms->{responses} }],
              ["$B/ns/r0", "$B/ns/r1", "$B/ns/r2", "$B/ns/many"], 'hrefs');
    is_deeply([map { $_->{status} } @{ $ms->{responses}[0]{propstats} }],
              ['HTTP/1.1 404 Not Found', 'HTTP/1.1 200 OK'], 'grouping');
};

#
# the optional hooks
#
subtest 'hooks' => sub {
    my $res = req('PROPFIND', "$B/hooks", undef, Depth => 1);
    my $ms = check_207($res, 'PROPFIND hooks');
    my $rv = rv($res);
    is_deeply($rv, { map { $_ => 'OK' }
                     qw(visible hidden chg addprop beginns hook-prop close-addprop
                        hidden2 hook-hide close-hidden2 desc hook-begin hook-status
                        hook-end) },
              'every call was made and succeeded, in the handler and in the hooks');
    ok(exists $rv->{$_}, "hook ran: $_")
        for qw(hook-begin hook-end hook-hide hook-status hook-prop);
    is_deeply([map { [$_->{href}, $_->{status}] } @{ $ms->{responses} }],
              [["$B/hooks/addprop", undef],
               ["$B/hooks/visible", 'HTTP/1.1 200 OK'],
               ["$B/hooks/chg", 'HTTP/1.1 410 Gone']],
              'prepare hook: hidden responses left out, status changed');
    my $r = $ms->{responses}[0];
    is_deeply([map { [$_->{key}, $_->{value}] } @{ $r->{propstats}[0]{props} }],
              [['{DAV:}displayname', 'hooked'],
               ['{urn:example:begin}b', 'uses begin ns'],
               ['{urn:example:hook}added', 'by hook']],
              'prepare hook: property added');
    is(scalar @{ $r->{propstats} }, 1, 'one propstat');
    unlike($res->content, qr/secret|hidden/, 'nothing of hidden responses');
    my $root = $ms->{doc}->documentElement;
    my %decl = map { $_->declaredURI => $_->declaredPrefix }
               $root->getNamespaces;
    like($decl{'urn:example:begin'} // '', qr/^ns\d+$/,
         'begin hook: namespace declared on the root');
    is($r->{propstats}[0]{props}[1]{prefix}, $decl{'urn:example:begin'},
       'and used with that prefix');
    is($ms->{desc}, 'set by end hook', 'end hook: multistatus description');
};

#
# what the handler does besides registering
#
subtest 'handler writes its own body after registering' => sub {
    my $res = req('GET', "$B/ownbody");
    my $ms = check_207($res, 'GET ownbody');
    is_deeply([map { [$_->{href}, $_->{status}] } @{ $ms->{responses} }],
              [["$B/ownbody/x", 'HTTP/1.1 200 OK']], 'the results');
    unlike($res->content, qr/own body|html/, "handler's body replaced");
};

subtest 'handler writes its own body before registering' => sub {
    my $res = req('GET', "$B/ownbody_first");
    is(rv($res)->{s1}, 'OK', 'registration after a small write accepted');
    my $ms = check_207($res, 'GET ownbody_first');
    is_deeply([map { [$_->{href}, $_->{status}] } @{ $ms->{responses} }],
              [["$B/ownbody_first/x", 'HTTP/1.1 200 OK']], 'the results');
    unlike($res->content, qr/written first|html/, "handler's body replaced");
};

subtest 'handler returns an error: the error wins' => sub {
    my $res = req('GET', "$B/errwins");
    is(rv($res)->{s1}, 'OK', 'registration accepted');
    is($res->code, 403, 'status 403, not 207');
    unlike($res->content, qr/multistatus|errwins\/x/, 'results dropped');
    unlike($res->header('Content-Type') // '', qr/xml/, 'not an XML answer');
};

subtest 'handler sets an error status itself' => sub {
    my $res = req('GET', "$B/errstatus");
    is(rv($res)->{s1}, 'OK', 'registration accepted');
    is($res->code, 409, 'status 409');
    is($res->content, "handler conflict\n", "the handler's own body");
    is($res->header('Content-Type'), 'text/plain', "handler's Content-Type");
};

subtest 'handler registers nothing: untouched' => sub {
    my $res = req('GET', "$B/nothing");
    is($res->code, 200, 'status 200');
    is($res->content, "untouched\n", "the handler's own body");
    is($res->header('Content-Type'), 'text/plain', "handler's Content-Type");
};

subtest 'response left without status or property' => sub {
    my $res = req('GET', "$B/empty_resp");
    my $ms = check_207($res, 'GET empty_resp');
    is_deeply([map { [$_->{href}, $_->{status}] } @{ $ms->{responses} }],
              [["$B/empty_resp/empty", 'HTTP/1.1 500 Internal Server Error'],
               ["$B/empty_resp/fine", 'HTTP/1.1 200 OK']],
              'rendered as 500, in open order');
    is($ms->{responses}[0]{desc},
       'mod_multistatus: the handler registered no result for this resource',
       'with a responsedescription that says why');
    expect_log(qr/\[multistatus:error\].*multistatus: .*\(href [^)]*empty_resp\/empty\)/,
               'logged at error');
};


sub check_basic {
    my ($ms, $base) = @_;
    is_deeply([map { $_->{href} } @{ $ms->{responses} }],
              [$base, "$base/member%20one", "$base/gone"], 'hrefs');
    my ($self, $one, $gone) = @{ $ms->{responses} };
    is($self->{status}, undef, 'propstat form: no status');
    is_deeply([map { $_->{status} } @{ $self->{propstats} }],
              ['HTTP/1.1 200 OK', 'HTTP/1.1 404 Not Found'], 'propstats');
    my @p = @{ $self->{propstats}[0]{props} };
    is_deeply([map { $_->{key} } @p],
              ['{DAV:}displayname', '{DAV:}resourcetype'], '200 props');
    is($p[0]{value}, 'Basic & <test>', 'displayname');
    is_deeply(children($p[1]{node}), ['{DAV:}collection'], 'resourcetype');
    is_deeply([map { [$_->{key}, $_->{nchildren}, $_->{value}] }
               @{ $self->{propstats}[1]{props} }],
              [['{urn:example:basic}color', 0, '']], '404 prop, empty');
    is($one->{status}, 'HTTP/1.1 200 OK', 'member one: 200');
    is($gone->{status}, 'HTTP/1.1 404 Not Found', 'gone: 404');
    is($gone->{desc}, 'not here', 'gone: description');
    is($ms->{desc}, 'basic done', 'multistatus description');
}

__END__
