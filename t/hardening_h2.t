# HEAD of a big 207 over HTTP/2 (issue 14): mod_http2 turns whatever body
# reaches it into DATA frames, so for HEAD (r->header_only) the module must
# render nothing.  Client: nghttp (Debian's nghttp2-client), h2c with prior
# knowledge, against the virtual host ms_hostile_h2 (t/conf/ms_hostile.conf.in).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use FindBin;
use lib "$FindBin::Bin/lib";
use MSTest;

if (($ENV{MS_TEST_MPM} || '') eq 'prefork') {
    # mod_http2 does not run under prefork: the same big HEAD over HTTP/1.1
    # (HEAD then GET on one connection: the HEAD must carry no byte of body,
    # and announce the length the GET sends)
    plan tests => 3;
    my @r = ms_raw([ ms_raw_build(HEAD => '/ms_hostile/big', keepalive => 1),
                     ms_raw_build(GET  => '/ms_hostile/big') ], timeout => 60);
    is($r[0]{code}, 207, 'prefork, HTTP/1.1: HEAD of the big 207');
    is(length($r[0]{body} // ''), 0, 'prefork, HTTP/1.1: HEAD sends no body');
    ok(($r[1]{code} // 0) == 207 && length($r[1]{body} // '') > 100000,
       'prefork, HTTP/1.1: the GET after it on the same connection gets the whole body');
    exit 0;
}
plan tests => 7;

my $port = Apache::Test::config()->{vhosts}{ms_hostile_h2}{port};
ok($port, 'the h2c virtual host has a port');
my $url = "http://127.0.0.1:$port/ms_hostile/big";

sub nghttp {
    my (@args) = @_;
    my $out = `nghttp -nv @args '$url' 2>&1`;
    return ($? >> 8, $out);
}

sub data_bytes {
    my ($out) = @_;
    my $n = 0;
    $n += $1 while $out =~ /recv DATA frame <length=(\d+)/g;
    return $n;
}

my ($rc, $get) = nghttp();
is($rc, 0, 'nghttp GET ran') or diag($get);
like($get, qr/recv \(stream_id=\d+\) :status: 207/, 'GET over h2: 207');
ok(data_bytes($get) > 100000, 'GET over h2: the body comes as DATA frames');

($rc, my $head) = nghttp('-H', "':method: HEAD'");
is($rc, 0, 'nghttp HEAD ran') or diag($head);
like($head, qr/recv \(stream_id=\d+\) :status: 207/, 'HEAD over h2: 207');
is(data_bytes($head), 0, 'HEAD over h2: no DATA bytes')
    or diag(substr($head, 0, 3000));
