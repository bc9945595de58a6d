# Hardening (issue 8): the defects an audit found as a hostile module author
# and a hostile client, each with the request that showed it.  Handler:
# t/c-modules/ms_hostile/mod_ms_hostile.c (X-Hostile-RV: label=CODE),
# locations: t/conf/ms_hostile.conf.in; the examples at /props/ and /bulk/.
# docs/HOSTILE-INPUT.md lists every refusal with the test that covers it.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use IO::Socket::INET ();
use XML::LibXML ();
use FindBin;
use lib "$FindBin::Bin/lib";
use MSTest;
use MSTest::Check;

plan tests => 13;

my $H = '/ms_hostile';
my $INFO = qr/\[multistatus:info\].*\bmultistatus: /;

sub hrv {
    my ($res) = @_;
    my %rv;
    for my $h ($res->header('X-Hostile-RV')) {
        for (split /,\s*/, $h) {
            my ($k, $v) = split /=/, $_, 2;
            $rv{$k} = $v;
        }
    }
    return \%rv;
}

# A namespace-aware parse of the body, as a WebDAV client does it.
sub ns_ok {
    my ($body) = @_;
    return eval { XML::LibXML->new(no_network => 1)->parse_string($body); 1 };
}

sub status_of {
    my ($ms) = @_;
    return { map { $_->{href} => ($_->{code} // 'propstat') } @{ $ms->{responses} } };
}

my $PF = sub {
    my ($inner) = @_;
    return qq{<?xml version="1.0" encoding="utf-8"?>\n}
         . qq{<D:propfind xmlns:D="DAV:">$inner</D:propfind>};
};

# 1. A begin hook that closes or flushes: one prolog, one root.
subtest 'begin hook that closes or flushes' => sub {
    for my $mode (qw(close flush)) {
        for my $loc ("$H/buf0", $H) {
            my $res = req('GET', "$loc/begin-$mode");
            my $ms = check_207($res, "begin-$mode at $loc");
            my $body = $ms->{body};
            my $n = () = $body =~ /<\?xml/g;
            is($n, 1, "begin-$mode at $loc: one XML declaration");
            is(scalar @{ $ms->{responses} }, 42,
               "begin-$mode at $loc: 40 members and the hook's two");
            is(hrv($res)->{"begin-$mode"}, 'EINVAL',
               "begin-$mode at $loc: the call is refused in the begin hook");
            expect_log_count(1, "begin-$mode at $loc: one [error] line");
        }
    }
};

# 3. ap_rflush() after the commit does not free the open responses.
subtest 'a passing FLUSH keeps the open responses' => sub {
    my $res = req('GET', "$H/flushfree");
    my $ms = check_207($res, 'flushfree');
    is_deeply(status_of($ms), { "$H/flushfree/first" => 200,
                                "$H/flushfree/a" => 410,
                                "$H/flushfree/b" => 201 },
              'each response keeps its own status');
    expect_log_count(1, 'one [error] line: the ECONFLICT prop_add');
};

# 8. ms_add_status: a refused call leaves nothing; no result is lost.
subtest 'ms_add_status: refusals and conflicts' => sub {
    my $res = req('GET', "$H/addstatus");
    my $ms = check_207($res, 'addstatus');
    is_deeply(hrv($res), { a1 => 'OK', a2 => 'EINVAL', b1 => 'OK',
                           b2 => 'ECONFLICT', b3 => 'OK', c1 => 'OK',
                           c2 => 'ECONFLICT' }, 'return codes');
    my $st = status_of($ms);
    is_deeply($st, { "$H/addstatus/a" => 200, "$H/addstatus/b" => 200,
                     "$H/x/c" => 403 }, 'the first status of each href stays');
    my ($b) = grep { $_->{href} eq "$H/addstatus/b" } @{ $ms->{responses} };
    is($b && $b->{description}, 'same again', 'a repeated status may add a description');
    expect_log_count(3, 'one [error] line per refusal');
};

# 8. The bulk example: five names, five responses a client can match.
subtest 'bulk POST: every name answered' => sub {
    my @names = ('a', '../../etc/passwd', '/etc/passwd', 'b/../../../x', 'c');
    my $res = req('POST', '/bulk/', join("\n", @names) . "\n",
                  'Content-Type' => 'text/plain');
    my $ms = check_207($res, 'bulk POST');
    is(scalar @{ $ms->{responses} }, 5, 'five responses for five names')
        or diag($ms->{body});
    my %seen = map { $_->{href} => 1 } @{ $ms->{responses} };
    is(scalar keys %seen, 5, 'five different hrefs');
    ok(!(grep { $_ eq '/etc/passwd' } keys %seen),
       'no name is reported under an href outside the collection');
    expect_log_count(0, 'no [error] line');
};

# 6, 7, 10, 5 (client side), 2 (limit): PROPFIND bodies.
subtest 'PROPFIND bodies a client sends' => sub {
    my @bad = (
        [ 'digit name', '<D:prop><x:1 xmlns:x="urn:x"/></D:prop>' ],
        [ 'dash name', '<D:prop><x:-a xmlns:x="urn:x"/></D:prop>' ],
        [ 'two colons', '<D:prop><x:a:b xmlns:x="urn:x"/></D:prop>' ],
        [ 'empty prop', '<D:prop/>' ],
        [ 'xml namespace', '<D:prop><xml:foo/></D:prop>' ],
        [ 'xml namespace bound', '<D:prop><x:foo xmlns:x="http://www.w3.org/XML/1998/namespace"/></D:prop>' ],
        [ 'xmlns prefix', '<D:prop><xmlns:foo/></D:prop>' ],
        [ 'space in namespace', '<D:prop><x:foo xmlns:x="urn:a b"/></D:prop>' ],
        [ 'quote in namespace', '<D:prop><x:foo xmlns:x="urn:a&quot;b"/></D:prop>' ],
        [ 'duplicate attribute', '<D:prop xmlns:p="urn:x" xmlns:q="urn:x"><D:getetag p:a="1" q:a="2"/></D:prop>' ],
    );
    for my $where ("$H/pf/", '/props/') {
        for my $c (@bad) {
            my $res = req('PROPFIND', $where, $PF->($c->[1]), Depth => 1,
                          'Content-Type' => 'application/xml');
            is($res->code, 400, "$where, $c->[0]: 400")
                or diag($res->as_string);
            expect_log_count(0, "$where, $c->[0]: no [error] line");
        }
    }
    # include next to prop: ignored
    my $res = req('PROPFIND', "$H/pf/",
                  $PF->('<D:include><x:inc xmlns:x="urn:i"/></D:include>'
                        . '<D:prop><D:displayname/><y:p xmlns:y="urn:p"/></D:prop>'),
                  Depth => 0);
    my $ms = check_207($res, 'include next to prop');
    my @props = map { $_->{key} } map { @{ $_->{props} } }
                @{ $ms->{responses}[0]{propstats} || [] };
    is_deeply([sort @props], ['{DAV:}displayname', '{urn:p}p'],
              'only the prop names are answered');
    # the requested-property limit (default 1000)
    my $many = join '', map { "<x:p$_/>" } 1 .. 1001;
    $res = req('PROPFIND', "$H/pf/",
               $PF->(qq{<D:prop xmlns:x="urn:many">$many</D:prop>}), Depth => 0);
    is($res->code, 413, '1001 requested properties: 413');
    like($res->content, qr/MultiStatusMaxProperties/, 'the answer names the limit');
    $many = join '', map { "<x:p$_/>" } 1 .. 1000;
    $res = req('PROPFIND', "$H/pf/",
               $PF->(qq{<D:prop xmlns:x="urn:many">$many</D:prop>}), Depth => 0);
    is($res->code, 207, '1000 requested properties: 207');
    $many = join '', map { "<x:p$_/>" } 1 .. 11;
    $res = req('PROPFIND', "$H/pf10/",
               $PF->(qq{<D:prop xmlns:x="urn:many">$many</D:prop>}), Depth => 0);
    is($res->code, 413, 'MultiStatusMaxProperties 10: 11 names, 413');
};

# 9. PROPPATCH values keep CR in text and TAB/LF/CR in attributes.
subtest 'PROPPATCH values keep their characters' => sub {
    my $body = qq{<?xml version="1.0" encoding="utf-8"?>\n}
             . qq{<D:propertyupdate xmlns:D="DAV:" xmlns:z="urn:z"><D:set><D:prop>}
             . qq{<z:text>a&#13;b&#13;\nc</z:text>}
             . qq{<z:attr><v:v xmlns:v="urn:v" a="1&#9;2&#10;3&#13;4"/></z:attr>}
             . qq{</D:prop></D:set></D:propertyupdate>};
    my $res = req('PROPPATCH', "$H/pp", $body);
    my $ms = check_207($res, 'proppatch echo');
    my $xpc = ms_xpc($ms->{doc});
    $xpc->registerNs(z => 'urn:z');
    is($xpc->findvalue('//z:text'), "a\rb\r\nc", 'CR in text kept');
    $xpc->registerNs(v => 'urn:v');
    is($xpc->findvalue('//z:attr/v:v/@a'), "1\t2\n3\r4", 'TAB, LF, CR in an attribute kept');
};

# 11. Host header injection with MultiStatusHrefForm uri.
subtest 'Host header is never copied raw into hrefs' => sub {
    my $cfg = Apache::Test::config();
    my $port = $cfg->{vhosts}{ms_hostile_unsafe}{port};
    ok($port, 'the Unsafe virtual host has a port');
    my $mark = ms_log_mark();
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                     Timeout => 10) or die "connect: $!";
    print $sock "GET $H/plain HTTP/1.1\r\nHost: x\"><D:foo>\r\nConnection: close\r\n\r\n";
    local $/;
    my $raw = <$sock>;
    close $sock;
    my ($head, $body) = split /\r\n\r\n/, $raw, 2;
    like($head, qr{^HTTP/1\.1 207}, '207') or diag($raw);
    $body = _dechunk($body) if $head =~ /chunked/i;
    ok(ns_ok($body), 'the body is well-formed') or diag($body);
    unlike($body, qr/D:foo/, 'no injected element');
    like($body, qr{<D:href>/ms_hostile/plain/a</D:href>},
         'hrefs fall back to the path form');
    ms_expect_log($mark, qr/\[multistatus:info\].*Host/, 'logged at info');
};

sub _dechunk {
    my ($b) = @_;
    my $out = '';
    while ($b =~ s/^([0-9a-fA-F]+)\r\n//) {
        my $n = hex $1;
        last unless $n;
        $out .= substr($b, 0, $n, '');
        $b =~ s/^\r\n//;
    }
    return $out;
}

# 13. The API from a subrequest is refused; the main body stays valid.
subtest 'subrequests' => sub {
    my $res = req('GET', "$H/subreq");
    my $ms = check_207($res, 'subreq');
    is_deeply(hrv($res), { main1 => 'OK', sub => 'EINVAL', main2 => 'OK' },
              'return codes');
    is_deeply([sort keys %{ status_of($ms) }],
              ["$H/subreq/main-1", "$H/subreq/main-2"], 'only the main results');
    expect_log_count(1, 'one [error] line');
};

# 14a. HEAD renders no body (HTTP/1.1 here; HTTP/2 in t/hardening_h2.t).
subtest 'HEAD' => sub {
    my $get = ms_raw_request(GET => "$H/big");
    my $head = ms_raw_request(HEAD => "$H/big");
    is($head->{code}, 207, 'HEAD: 207');
    is($head->{body}, '', 'HEAD: no body');
    ok(length $get->{body} > 100000, 'GET: the big body');
};

# 14b. propname: no value, and no xml:lang either.
subtest 'propname drops xml:lang with the value' => sub {
    my $res = req('PROPFIND', "$H/pf/", $PF->('<D:propname/>'), Depth => 1);
    my $ms = check_207($res, 'propname');
    unlike($ms->{body}, qr/xml:lang/, 'no xml:lang in a propname answer');
    unlike($ms->{body}, qr/>name</, 'no value');
};

# 14c. Prefer return=minimal: dropped 404s leave no namespace behind.
subtest 'return=minimal declares no namespace of dropped properties' => sub {
    my $res = req('PROPFIND', "$H/pf/",
                  $PF->('<D:prop><D:displayname/><g:gone xmlns:g="urn:gone"/></D:prop>'),
                  Depth => 1, Prefer => 'return=minimal');
    my $ms = check_207($res, 'minimal');
    unlike($ms->{body}, qr/urn:gone/, 'urn:gone is not declared');
    like($ms->{body}, qr/displayname/, 'the found property is there');
};

# 13. Sizes that overflow are refused at startup (httpd -t).
subtest 'MultiStatusMaxResponses overflow' => sub {
    my $vars = Apache::Test::vars();
    my $conf = "$vars->{t_dir}/state-hardening-size.conf";
    my $so = "$vars->{src_dir}/mod_multistatus.so";
    for my $v ('18014398509481984K', '9223372036854775807', '99999999999M',
               '4294967296') {
        open my $fh, '>', $conf or die "$conf: $!";
        print $fh "ServerRoot $vars->{serverroot}\n",
                  "LoadModule mpm_prefork_module $vars->{ms_libexecdir}/mod_mpm_prefork.so\n",
                  "LoadModule multistatus_module $so\n",
                  "ErrorLog /dev/null\n",
                  "MultiStatusMaxResponses $v\n";
        close $fh;
        my $out = `$vars->{httpd} -t -f $conf 2>&1`;
        isnt($?, 0, "MultiStatusMaxResponses $v refused") or diag($out);
    }
    open my $fh, '>', $conf or die "$conf: $!";
    print $fh "ServerRoot $vars->{serverroot}\n",
              "LoadModule mpm_prefork_module $vars->{ms_libexecdir}/mod_mpm_prefork.so\n",
              "LoadModule multistatus_module $so\n", "ErrorLog /dev/null\n",
              "MultiStatusMaxResponses 2M\n";
    close $fh;
    my $out = `$vars->{httpd} -t -f $conf 2>&1`;
    is($?, 0, 'MultiStatusMaxResponses 2M accepted') or diag($out);
    unlink $conf;
};

# Nothing above logged at error level for client input.
subtest 'client input never logs at error level' => sub {
    my $mark = ms_log_mark();
    req('PROPFIND', '/props/', $PF->('<D:prop><x:1 xmlns:x="urn:x"/></D:prop>'), Depth => 1);
    req('PROPFIND', '/props/', $PF->('<D:prop/>'), Depth => 1);
    my @err = grep { /\[(?:[\w.-]*:)?(?:warn|error)\]/ } ms_log_since($mark);
    is(scalar @err, 0, 'no [warn]/[error] line') or diag(join "\n", @err);
};
