# SPDX-License-Identifier: Apache-2.0
# MultiStatusIngest (issue 9): 207 bodies written by mod_dav_fs, a CGI
# script and a proxied backend go through the module: D: prefixes,
# application/xml, status lines from the code, Prefer and depth-noroot,
# MultiStatusAccessCheck; bad bodies end well-formed with a 500 for the
# request-URI and one log line.
#
# Locations: t/conf/ms_ingest.conf.in; CGI: t/cgi-bin/ms_ingest.pl.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use File::Path qw(make_path remove_tree);
use File::Spec::Functions qw(catfile);
use FindBin;
use lib "$FindBin::Bin/lib";
use MSTest;

plan tests => 80;

# ------------------------------------------------------------ the tree
my $docroot = Apache::Test::vars('documentroot');
my $top = catfile($docroot, 'ms-ingest');
my $tree = catfile($top, 'tree');
remove_tree($top);
make_path(map { catfile($tree, $_) } qw(sub private), 'with space');
for my $f ('a.txt', 'b & c.txt', 'sub/d.txt', 'private/secret.txt', 'with space/e.txt') {
    open my $fh, '>', catfile($tree, $f) or die "$f: $!";
    print $fh "content of $f\n";
    close $fh;
}
# the children (User nobody) write properties and locks
system('chmod', '-R', 'a+rwX', $top) == 0 or die 'chmod';

my $ALLPROP = '<?xml version="1.0" encoding="utf-8"?>'
            . '<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>';
my $PROP = '<?xml version="1.0" encoding="utf-8"?>'
         . '<D:propfind xmlns:D="DAV:"><D:prop><D:getcontentlength/>'
         . '<D:resourcetype/><X:nothere xmlns:X="urn:x"/></D:prop></D:propfind>';
my $PROPNAME = '<?xml version="1.0" encoding="utf-8"?>'
             . '<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>';

sub propfind {
    my ($path, $depth, $body, @h) = @_;
    return ms_request(PROPFIND => $path, headers => [Depth => $depth, @h,
                      'Content-Type' => 'application/xml'], body => $body);
}

# what mod_dav says, and what we say: the same hrefs, the same properties
sub summary {
    my ($doc) = @_;
    my %s;
    for my $r (ms_responses($doc)) {
        my $h = $r->{href};
        $h =~ s{^/ms-ingest-(dav|raw|hide)/}{/};
        $s{$h} = join ' ', sort map {
            my $ps = $_;
            map { "$_->{ns}$_->{name}=$ps->{code}" } @{ $ps->{props} }
        } @{ $r->{propstats} };
        $s{$h} .= " status=$r->{code}" if $r->{code};
    }
    return \%s;
}

sub prefixes_ok {
    my ($body, $what) = @_;
    my @bad;
    push @bad, 'no D:multistatus root declaring DAV: once'
        unless $body =~ /<D:multistatus xmlns:D="DAV:"/;
    push @bad, 'producer prefixes (lp1, g0, ns0) left'
        if $body =~ /<(?:lp\d+|g\d+|ns0):/;
    my %n;
    $n{$1}++ while $body =~ /xmlns:[A-Za-z0-9]+="([^"]*)"/g;
    push @bad, map { "$_ declared $n{$_} times" } grep { $n{$_} != 1 } sort keys %n;
    push @bad, 'DAV: under another prefix than D' if $body =~ /xmlns:(?!D=)[A-Za-z0-9]+="DAV:"/;
    ok(!@bad, "$what: D: prefix, each namespace declared once") or diag join "\n", @bad, $body;
}

# ------------------------------------------------------------ mod_dav_fs
for my $case (['allprop', $ALLPROP], ['prop', $PROP], ['propname', $PROPNAME]) {
    my ($name, $body) = @$case;
    for my $depth (0, 1) {
        my $raw = propfind('/ms-ingest-raw/', $depth, $body);
        # mod_dav's own body (text/xml, lp1 prefixes) through the suite's
        # check of another server's 207
        my ($rawdoc, @why) = $raw->code == 207 ? ms_check_body($raw->content, foreign => 1)
                                               : (undef, 'status ' . $raw->code);
        ok($rawdoc && !@why, "mod_dav alone: $name Depth $depth is an acceptable 207")
            or diag join "\n", @why, $raw->content;
        my $res = propfind('/ms-ingest-dav/', $depth, $body);
        my $doc = ms_207($res, "ingest: $name Depth $depth");
        prefixes_ok($res->content, "ingest: $name Depth $depth");
        # compare the content
        my %want;
        if ($rawdoc) {
            my $xpc = ms_xpc($rawdoc);
            for my $rn ($xpc->findnodes('/d:multistatus/d:response')) {
                my ($h) = map { $_->textContent } $xpc->findnodes('d:href', $rn);
                $h =~ s{^/ms-ingest-raw/}{/};
                $h =~ s/%([0-9a-f]{2})/'%' . uc $1/ge;
                my @p;
                for my $ps ($xpc->findnodes('d:propstat', $rn)) {
                    my ($st) = map { $_->textContent } $xpc->findnodes('d:status', $ps);
                    my ($code) = $st =~ /(\d{3})/;
                    push @p, map { ($_->namespaceURI // '') . $_->localName . "=$code" }
                             grep { $_->nodeType == 1 } $xpc->findnodes('d:prop/*', $ps);
                }
                $want{$h} = join ' ', sort @p;
            }
        }
        is_deeply($doc ? summary($doc) : undef, \%want,
                  "ingest: $name Depth $depth lists what mod_dav lists");
    }
}

# the root's href and collection form
{
    my $res = propfind('/ms-ingest-dav/', 1, $PROP);
    my $doc = ms_207($res, 'ingest: Depth 1 again');
    my @r = $doc ? ms_responses($doc) : ();
    is($r[0]{href}, '/ms-ingest-dav/', 'root first');
    ok((grep { $_->{href} eq '/ms-ingest-dav/with%20space/' } @r),
       'a collection href ends in / and spaces are %20');
    ok((grep { $_->{href} eq '/ms-ingest-dav/b%20&%20c.txt' } @r),
       'hrefs in the module\'s one form');
}

# Prefer: return=minimal and depth-noroot
{
    my $res = propfind('/ms-ingest-dav/', 1, $PROP, Prefer => 'return=minimal, depth-noroot');
    my $doc = ms_207($res, 'ingest: Prefer minimal, depth-noroot');
    my @r = $doc ? ms_responses($doc) : ();
    ok(!(grep { $_->{href} eq '/ms-ingest-dav/' } @r), 'depth-noroot: no root response');
    ok(@r >= 4, 'depth-noroot: the children are there (' . scalar(@r) . ')');
    ok(!(grep { my $r = $_; grep { $_->{code} == 404 } @{ $r->{propstats} } } @r),
       'return=minimal: no 404 propstat');
    like($res->header('Preference-Applied') // '', qr/return=minimal/,
         'Preference-Applied');
    like(join(',', $res->header('Vary')), qr/Prefer/, 'Vary: Prefer');
    my $brief = propfind('/ms-ingest-dav/', 0, $PROP, Brief => 't');
    my $bdoc = ms_207($brief, 'ingest: Brief: t');
    my ($b) = $bdoc ? ms_responses($bdoc) : ();
    ok($b && !(grep { $_->{code} == 404 } @{ $b->{propstats} }), 'Brief: no 404 propstat');
}

# MultiStatusAccessCheck Hide on a mod_dav share
{
    my $res = propfind('/ms-ingest-hide/', 1, $PROP);
    my $doc = ms_207($res, 'ingest + Hide: 207');
    my @h = $doc ? map { $_->{href} } ms_responses($doc) : ();
    ok(!(grep { m{/private/} } @h), 'Hide: the denied folder is left out');
    ok((grep { m{/sub/$} } @h), 'Hide: the others are listed');
}

# a prepare hook (mod_ms_access_probe records the hrefs it is shown) on
# mod_dav's responses
{
    my $res = propfind('/ms-acc-probe/ingest/', 1, $PROP);
    my $doc = ms_207($res, 'ingest + hook: 207');
    my @listed = $doc ? map { $_->{href} } ms_responses($doc) : ();
    my @seen = map { split /,\s*/ } $res->header('X-MS-Seen');
    ok(@listed >= 5, 'hook: mod_dav listed the tree (' . scalar(@listed) . ')');
    is_deeply([sort @seen], [sort @listed], 'hook: the prepare hook saw every response of mod_dav');
}

# PROPPATCH and LOCK
{
    my $pp = '<?xml version="1.0" encoding="utf-8"?>'
           . '<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:example:z"><D:set><D:prop>'
           . '<Z:color>red</Z:color></D:prop></D:set></D:propertyupdate>';
    my $res = ms_request(PROPPATCH => '/ms-ingest-dav/a.txt', body => $pp,
                         headers => ['Content-Type' => 'application/xml']);
    my $doc = ms_207($res, 'ingest: PROPPATCH');
    prefixes_ok($res->content, 'ingest: PROPPATCH');
    my ($r) = $doc ? ms_responses($doc) : ();
    is($r && ms_prop($r, 'urn:example:z', 'color') && ms_prop($r, 'urn:example:z', 'color')->{code},
       200, 'PROPPATCH: the property was set');
    my $get = propfind('/ms-ingest-dav/a.txt', 0, '<?xml version="1.0" encoding="utf-8"?>'
        . '<D:propfind xmlns:D="DAV:" xmlns:Z="urn:example:z"><D:prop><Z:color/></D:prop></D:propfind>');
    my $gdoc = ms_207($get, 'ingest: PROPFIND of a dead property');
    my ($g) = $gdoc ? ms_responses($gdoc) : ();
    is($g && ms_prop($g, 'urn:example:z', 'color') && ms_prop($g, 'urn:example:z', 'color')->{value_text},
       'red', 'the dead property comes back');
}

# ------------------------------------------------------------ CGI
{
    my $res = ms_request(GET => '/ms-ingest-cgi/ms_ingest.pl/ok');
    my $doc = ms_207($res, 'CGI: a good body');
    prefixes_ok($res->content, 'CGI: a good body');
    my $by = $doc ? ms_by_href($doc) : {};
    my $a = $by->{'/ms-ingest-cgi/ms_ingest.pl/ok/a%20b.txt'};
    is($a && ms_prop($a, 'urn:example:live', 'size') && ms_prop($a, 'urn:example:live', 'size')->{value_text},
       '12', 'CGI: a property of another namespace');
    is($by->{'/ms-ingest-cgi/ms_ingest.pl/ok/locked'}{status}, 'HTTP/1.1 424 Failed Dependency',
       'CGI: the status line rewritten from the code');
    my $raw = ms_request(GET => '/ms-ingest-cgi-raw/ms_ingest.pl/ok');
    like($raw->content, qr/ns0:multistatus/, 'CGI without ingest: the body as the script wrote it');
    my $plain = ms_request(GET => '/ms-ingest-cgi/ms_ingest.pl/plain');
    is($plain->content, "not xml\n", 'CGI: a 207 that is not XML passes as it is');
}

for my $bad (['malformed', qr/not well-formed|mismatched/],
             ['truncated', qr/truncated|end of the body|incomplete/i],
             ['entity', qr/DTD|DOCTYPE|entit/i],
             ['undeclared', qr/undeclared|prefix/i]) {
    my ($what, $why) = @$bad;
    my $mark = ms_log_mark();
    my $res = ms_request(GET => "/ms-ingest-cgi/ms_ingest.pl/$what");
    my $doc = ms_207($res, "CGI: a $what body ends well-formed");
    my @r = $doc ? ms_responses($doc) : ();
    my $last = $r[-1] // {};
    is(($last->{href} // '') . ' ' . ($last->{code} // ''),
       "/ms-ingest-cgi/ms_ingest.pl/$what 500", "CGI $what: the last response is a 500 for the request-URI");
    # (the DTD comes before any response: there is nothing to keep)
    ok((grep { $_->{href} =~ m{/a%20b\.txt$} } @r), "CGI $what: what came before is kept")
        unless $what eq 'entity';
    unlike($res->content, qr/lollol/, "CGI $what: no entity expanded") if $what eq 'entity';
    my @l = ms_expect_log($mark, qr/\[multistatus:error\].*MultiStatusIngest: .*refused: .*at byte \d+/,
                          "CGI $what: one log line says what and where");
    is(scalar(@l), 1, "CGI $what: exactly one");
    like($l[0] // '', $why, "CGI $what: the reason");
}

# ------------------------------------------------------------ mod_proxy_http
{
    my $res = ms_request(GET => '/ms-ingest-proxy/ms_ingest.pl/ok');
    my $doc = ms_207($res, 'proxy: a backend\'s 207');
    prefixes_ok($res->content, 'proxy: a backend\'s 207');
    my @r = $doc ? ms_responses($doc) : ();
    is(scalar(@r), 2, 'proxy: both responses');
}
