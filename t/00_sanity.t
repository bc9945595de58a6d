# The test server is up on 127.0.0.1, mod_multistatus and the two example
# modules are loaded (checked through requests, not need_module, which cannot
# see modules loaded from our own config), and the MULTISTATUS filter used by
# name leaves a request that registered nothing untouched.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use Apache::TestRequest qw(GET_BODY);
use IO::Socket::INET ();
use MSTest;

plan tests => 14;

# The server listens on 127.0.0.1 only: a connection to another loopback
# address (127.0.0.2 reaches the same host on Linux) is refused.
my $port = Apache::Test::vars('port');
my $lo = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Timeout => 10);
ok($lo, "127.0.0.1:$port accepts a connection");
my $other = IO::Socket::INET->new(PeerAddr => '127.0.0.2', PeerPort => $port, Timeout => 10);
my $why = $!;
ok(!$other, "127.0.0.2:$port does not (the server listens on 127.0.0.1 only)")
    or diag("connected to 127.0.0.2:$port");
like($other ? '' : "$why", qr/refused/i, '... refused, not timed out');

my $raw = ms_raw_request(GET => '/index.html');
is($raw->{code}, 200, 'GET /index.html on 127.0.0.1 answers 200')
    or diag($raw->{head});
my $index = $raw->{body};
ok(length $index, 'index.html has a body');

my $mark = ms_log_mark();
my $res = ms_request(GET => '/ms-sanity/index.html');
is($res->code, 200, 'GET /ms-sanity/index.html answers 200');
is($res->header('X-Multistatus-Loaded'), 'yes', 'mod_multistatus is loaded');
is($res->header('X-Ms-Bulk-Loaded'), 'yes', 'example mod_ms_bulk is loaded');
is($res->header('X-Ms-Props-Loaded'), 'yes', 'example mod_ms_props is loaded');

$res = ms_request(GET => '/ms-sanity/filter/index.html');
is($res->code, 200, 'GET through SetOutputFilter MULTISTATUS answers 200');
is($res->content, $index, 'the filter leaves a request that registered nothing untouched');
like($res->header('Content-Type') // '', qr{^text/html}, '... and its Content-Type');

# (each request returned once the server closed its connection: its lines
# are in)
ms_log_clean($mark, 'no error or warning logged by these requests');

# Apache::Test's own client and the raw helper agree
is(GET_BODY('/index.html'), $index, 'Apache::TestRequest reaches the same server');
