# Property methods, issue 3 point 5: Prefer (RFC 7240, RFC 8144) and Brief.
#  - Prefer: return=minimal and Brief: t drop the 404 propstats of
#    PROPFIND, PROPPATCH and REPORT answers;
#  - Prefer: depth-noroot drops the request-URI's own response (PROPFIND,
#    REPORT; not PROPPATCH, whose only response is the request-URI's);
#  - Preference-Applied names exactly what was asked through Prefer and
#    applied; Vary names Prefer and Brief on every such 207;
#  - a response left without a propstat keeps the grammar: one empty 200
#    propstat (validated against the schema);
#  - MultiStatusPrefer Off turns all of it off.
#
# Handlers: scenarios "pf", "pp" and "rep" of t/c-modules/ms_test/mod_ms_test.c.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use FindBin;
use lib "$FindBin::Bin/lib";
use MSTest;

plan tests => 13;

my $B   = '/ms_test/props';
my $OFF = '/ms_test/props_noprefer';

my $PF_BODY = '<D:propfind xmlns:D="DAV:" xmlns:e="urn:example:e"><D:prop>'
    . '<D:displayname/><e:color/><e:secret/><e:nothere/><D:getetag/></D:prop></D:propfind>';
my $PP_BODY = '<D:propertyupdate xmlns:D="DAV:" xmlns:p="urn:example:p">'
    . '<D:set><D:prop><p:gone-one>1</p:gone-one></D:prop></D:set></D:propertyupdate>';
my $PP_OK   = '<D:propertyupdate xmlns:D="DAV:" xmlns:p="urn:example:p">'
    . '<D:set><D:prop><p:fine>1</p:fine></D:prop></D:set>'
    . '<D:remove><D:prop><p:also/></D:prop></D:remove></D:propertyupdate>';

sub send_req {
    my ($method, $path, @h) = @_;
    my %body = (PROPFIND => $PF_BODY, PROPPATCH => $PP_BODY,
                REPORT => '<x:q xmlns:x="urn:example:report"/>');
    my $body = $method eq 'PROPPATCH' && $path =~ /ok$/ ? $PP_OK : $body{$method};
    $path =~ s/ok$//;
    return ms_request($method => $path,
                      headers => [ Depth => 1, 'Content-Type' => 'application/xml', @h ],
                      body => $body);
}

sub codes_of {
    my ($r) = @_;
    return [ map { $_->{code} } @{ $r->{propstats} } ];
}

sub vary_tokens {
    my ($res) = @_;
    return { map { lc($_) => 1 } map { split /\s*,\s*/ } $res->header('Vary') };
}

sub applied {
    my ($res) = @_;
    my $v = $res->header('Preference-Applied');
    return defined $v ? join(',', sort map { s/^\s+|\s+$//gr } split /,/, $v) : undef;
}

# the 207 + headers checks common to every request: returns the document
sub answer {
    my ($res, $name, $want_applied, %o) = @_;
    my $doc = ms_207($res, "$name: valid 207");
    my $vary = vary_tokens($res);
    if ($o{off}) {
        ok(!$vary->{prefer} && !$vary->{brief}, "$name: no Vary on Prefer/Brief (cannot vary)")
            or diag('Vary: ' . ($res->header('Vary') // ''));
    }
    else {
        ok($vary->{prefer} && $vary->{brief}, "$name: Vary names Prefer and Brief")
            or diag('Vary: ' . ($res->header('Vary') // ''));
    }
    is(applied($res), $want_applied, "$name: Preference-Applied "
       . ($want_applied // 'absent'));
    return $doc;
}

my $ROOT = "$B/pf/";

subtest 'PROPFIND without preference: 404s kept' => sub {
    my $res = send_req(PROPFIND => $ROOT);
    my $doc = answer($res, 'no Prefer', undef) or return;
    my $by = ms_by_href($doc);
    is(scalar keys %$by, 4, 'four responses');
    is_deeply(codes_of($by->{$ROOT}), [ 200, 403, 404 ], 'request-URI: 200, 403, 404');
};

for my $h ([ 'Prefer: return=minimal', [ Prefer => 'return=minimal' ], 'return=minimal' ],
           [ 'Prefer: return="minimal"', [ Prefer => 'return="minimal"' ], 'return=minimal' ],
           [ 'Brief: t', [ Brief => 't' ], undef ],
           [ 'Prefer: return = minimal (BWS, RFC 7240 section 2)', [ Prefer => 'return = minimal' ],
             'return=minimal' ],
           [ 'Prefer among others', [ Prefer => 'respond-async, wait=10',
                                      Prefer => 'handling=lenient, return=minimal; x=y' ],
             'return=minimal' ]) {
    my ($name, $hdr, $want) = @$h;
    subtest "PROPFIND, $name: 404 propstats dropped" => sub {
        my $res = send_req(PROPFIND => $ROOT, @$hdr);
        my $doc = answer($res, $name, $want) or return;
        my @r = ms_responses($doc);
        is(scalar @r, 4, 'every resource still listed');
        for my $r (@r) {
            is_deeply(codes_of($r), [ 200, 403 ], "$r->{href}: 200 and 403 left");
        }
        ok(ms_prop($r[0], 'DAV:', 'displayname'), '200 property kept');
        is(ms_prop($r[0], 'DAV:', 'getetag'), undef, 'module-added 404 dropped');
        is(ms_prop($r[0], 'urn:example:e', 'nothere'), undef, 'handler 404 dropped');
    };
}

subtest 'not a minimal request: nothing dropped' => sub {
    for my $hdr ([ Prefer => 'return=representation' ], [ Brief => 'f' ],
                 [ Prefer => 'return=minimalist' ], [ Prefer => 'depth-noroot-x' ]) {
        my $res = send_req(PROPFIND => $ROOT, @$hdr);
        my $doc = answer($res, "@$hdr", undef) or next;
        my @r = ms_responses($doc);
        is(scalar @r, 4, "@$hdr: four responses");
        is_deeply(codes_of($r[0]), [ 200, 403, 404 ], "@$hdr: 404 kept");
    }
};

subtest 'PROPFIND: a response left without propstat gets an empty 200' => sub {
    my $body = '<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:lockdiscovery/></D:prop></D:propfind>';
    my $res = ms_request(PROPFIND => $ROOT, headers => [ Depth => 1, Prefer => 'return=minimal' ],
                         body => $body);
    my $doc = answer($res, 'only unknown properties', 'return=minimal') or return;
    my @r = ms_responses($doc);
    is(scalar @r, 4, 'every resource still listed');
    for my $r (@r) {
        is(scalar @{ $r->{propstats} }, 1, "$r->{href}: one propstat");
        is($r->{propstats}[0]{status}, 'HTTP/1.1 200 OK', "$r->{href}: 200");
        is(scalar @{ $r->{propstats}[0]{props} }, 0, "$r->{href}: empty prop");
        my @prop = ms_xpc($r->{node})->findnodes('d:propstat/d:prop', $r->{node});
        is(scalar @prop, 1, "$r->{href}: the prop element is there (grammar)");
    }
};

subtest 'PROPFIND, depth-noroot and both' => sub {
    my $res = send_req(PROPFIND => $ROOT, Prefer => 'depth-noroot');
    my $doc = answer($res, 'depth-noroot', 'depth-noroot');
    if ($doc) {
        my $by = ms_by_href($doc);
        is_deeply([ sort keys %$by ], [ "${ROOT}a", "${ROOT}b", "${ROOT}c" ], 'request-URI dropped');
        is_deeply(codes_of($by->{"${ROOT}a"}), [ 200, 403, 404 ], 'members keep their 404s');
    }
    $res = send_req(PROPFIND => $ROOT, Prefer => 'return=minimal, depth-noroot');
    $doc = answer($res, 'both', 'depth-noroot,return=minimal');
    if ($doc) {
        my @r = ms_responses($doc);
        is_deeply([ map { $_->{href} } @r ], [ "${ROOT}c", "${ROOT}a", "${ROOT}b" ], 'no request-URI');
        is_deeply([ map { @{ codes_of($_) } } @r ], [ 200, 403, 200, 403, 200, 403 ], 'no 404');
    }
    $res = send_req(PROPFIND => $ROOT, Prefer => 'depth-noroot', Brief => 't');
    $doc = answer($res, 'depth-noroot + Brief', 'depth-noroot');
    if ($doc) {
        my @r = ms_responses($doc);
        is(scalar @r, 3, 'no request-URI');
        is_deeply([ map { @{ codes_of($_) } } @r ], [ 200, 403, 200, 403, 200, 403 ], 'no 404 (Brief)');
    }
    # Depth 0 + depth-noroot: an empty multistatus is still a valid document
    $res = ms_request(PROPFIND => $ROOT, headers => [ Depth => 0, Prefer => 'depth-noroot' ]);
    $doc = answer($res, 'Depth 0 + depth-noroot', 'depth-noroot');
    is(scalar(ms_responses($doc)), 0, 'no response at all') if $doc;
};

subtest 'PROPPATCH: Prefer and Brief' => sub {
    my $res = send_req(PROPPATCH => "$B/pp");
    my $doc = answer($res, 'PROPPATCH', undef);
    if ($doc) {
        my ($r) = ms_responses($doc);
        is_deeply(codes_of($r), [404], 'the 404 instruction is reported');
    }
    for my $hdr ([ Prefer => 'return=minimal' ], [ Brief => 't' ]) {
        my $want = $hdr->[0] eq 'Prefer' ? 'return=minimal' : undef;
        $res = send_req(PROPPATCH => "$B/pp", @$hdr);
        $doc = answer($res, "PROPPATCH @$hdr", $want) or next;
        my @r = ms_responses($doc);
        is(scalar @r, 1, "@$hdr: the request-URI's response stays");
        is_deeply(codes_of($r[0]), [200], "@$hdr: 404 dropped, an empty 200 propstat instead");
        is(scalar @{ $r[0]{propstats}[0]{props} }, 0, "@$hdr: empty prop");
    }
    $res = send_req(PROPPATCH => "$B/ppok", Prefer => 'return=minimal');
    $doc = answer($res, 'PROPPATCH all fine + minimal', 'return=minimal');
    if ($doc) {
        my ($r) = ms_responses($doc);
        is_deeply(codes_of($r), [200], 'the 200s stay (no 404 to drop)');
        is(scalar @{ $r->{propstats}[0]{props} }, 2, 'both instructions listed');
    }
    $res = send_req(PROPPATCH => "$B/ppok", Prefer => 'depth-noroot');
    $doc = answer($res, 'PROPPATCH depth-noroot (not applied)', undef);
    is(scalar(ms_responses($doc)), 1, 'the request-URI is kept') if $doc;
};

subtest 'REPORT: Prefer and Brief' => sub {
    my $R = "$B/rep/";
    my $res = send_req(REPORT => $R);
    my $doc = answer($res, 'REPORT', undef);
    if ($doc) {
        my $by = ms_by_href($doc);
        is_deeply(codes_of($by->{$R}), [ 200, 404 ], 'request-URI 200 + 404');
        is_deeply(codes_of($by->{"${R}x"}), [404], 'x: 404 only');
    }
    for my $c ([ [ Prefer => 'return=minimal' ], 'return=minimal' ], [ [ Brief => 't' ], undef ]) {
        my ($hdr, $want) = @$c;
        $res = send_req(REPORT => $R, @$hdr);
        $doc = answer($res, "REPORT @$hdr", $want) or next;
        my $by = ms_by_href($doc);
        is_deeply(codes_of($by->{$R}), [200], "@$hdr: request-URI 404 dropped");
        is_deeply(codes_of($by->{"${R}x"}), [200], "@$hdr: x left with an empty 200 propstat");
        is(scalar @{ $by->{"${R}x"}{propstats}[0]{props} }, 0, "@$hdr: empty prop");
        is_deeply(codes_of($by->{"${R}y"}), [200], "@$hdr: y unchanged");
    }
    $res = send_req(REPORT => $R, Prefer => 'depth-noroot, return=minimal');
    $doc = answer($res, 'REPORT both', 'depth-noroot,return=minimal');
    if ($doc) {
        is_deeply([ map { $_->{href} } ms_responses($doc) ], [ "${R}x", "${R}y" ], 'request-URI dropped');
    }
};

subtest 'MultiStatusPrefer Off: nothing dropped, no Preference-Applied' => sub {
    my @all = (Prefer => 'return=minimal, depth-noroot', Brief => 't');
    my $res = send_req(PROPFIND => "$OFF/pf/", @all);
    my $doc = answer($res, 'PROPFIND', undef, off => 1);
    if ($doc) {
        my @r = ms_responses($doc);
        is($r[0]{href}, "$OFF/pf/", 'request-URI kept (and first)');
        is(scalar @r, 4, 'four responses');
        is_deeply(codes_of($r[0]), [ 200, 403, 404 ], '404s kept');
    }
    $res = send_req(PROPPATCH => "$OFF/pp", @all);
    $doc = answer($res, 'PROPPATCH', undef, off => 1);
    if ($doc) {
        my ($r) = ms_responses($doc);
        is_deeply(codes_of($r), [404], '404 kept');
    }
    $res = send_req(REPORT => "$OFF/rep/", @all);
    $doc = answer($res, 'REPORT', undef, off => 1);
    if ($doc) {
        my @r = ms_responses($doc);
        is(scalar @r, 3, 'request-URI kept');
        is_deeply(codes_of($r[0]), [ 200, 404 ], '404 kept');
    }
};

subtest 'other methods: no Vary, no Preference-Applied' => sub {
    my $res = ms_request(GET => '/ms_test/api/basic', headers => [ Prefer => 'return=minimal' ]);
    my $doc = ms_207($res, 'GET 207');
    ok(!vary_tokens($res)->{prefer}, 'no Vary: Prefer on a GET 207');
    ok(!defined $res->header('Preference-Applied'), 'no Preference-Applied');
    is(scalar(grep { $_->{code} && $_->{code} == 404 } ms_responses($doc)), 1,
       'status-form 404 untouched') if $doc;
};
