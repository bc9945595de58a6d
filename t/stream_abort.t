# Client gone (issue 4, behaviour 4): the client closes the connection in
# the middle of a huge streamed listing; the handler's next registration
# calls return MS_EABORTED and it stops walking (the test module logs
# "ms_stream: [ID] stopped after N responses with MS_EABORTED").  Every
# later call returns MS_EABORTED too, and nothing is logged at warn or
# above.  Handler: t/c-modules/ms_stream/mod_ms_stream.c.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use IO::Select ();
use IO::Socket::INET ();
use Socket qw(SOL_SOCKET SO_LINGER);
use Time::HiRes qw(time);
use XML::LibXML ();
use MSTest;

plan tests => 4;

my $TOTAL = 20_000_000;     # about 2 GB and a minute of rendering if it went on

# Sends the request, reads until $want body bytes arrived, closes.
# Returns (head, body prefix, seconds).
sub read_some_then_close {
    my ($text, $want, %opt) = @_;
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                     PeerPort => Apache::Test::vars('port'),
                                     Proto => 'tcp', Timeout => 10)
        or die "connect: $!";
    binmode $sock;
    # close with a reset: the server learns at its next write
    setsockopt($sock, SOL_SOCKET, SO_LINGER, pack('ii', 1, 0)) if $opt{reset};
    print $sock $text;
    my $sel = IO::Select->new($sock);
    my $buf = '';
    my $t0 = time;
    # (60 s: a generous bound for a busy machine, not an assertion)
    while (time - $t0 < 60 && $sel->can_read(60)) {
        my $n = sysread $sock, my $chunk, 65536;
        last unless $n;
        $buf .= $chunk;
        my $h = index $buf, "\r\n\r\n";
        last if $h >= 0 && length($buf) - $h - 4 >= $want;
    }
    close $sock;
    my $h = index $buf, "\r\n\r\n";
    return (substr($buf, 0, $h), substr($buf, $h + 4), time - $t0);
}

for my $case ([ 'close', 0, 'chunked' ], [ 'reset', 1, 'chunked' ],
              [ 'close-http10', 0, 'HTTP/1.0' ]) {
    my ($name, $reset, $proto) = @$case;
    subtest "client closes mid-stream ($name)" => sub {
        my $mark = ms_log_mark();
        my $tid = "abort-$name";
        my $text = ms_raw_build(GET => "/ms_stream/list?n=$TOTAL",
                                headers => [ 'X-Test-Id' => $tid ],
                                $proto eq 'HTTP/1.0' ? (proto => 'HTTP/1.0') : ());
        my ($head, $body) = read_some_then_close($text, 256 * 1024, reset => $reset);
        like($head, qr{\AHTTP/1\.1 207 Multi-Status\r\n}, '207 headers arrived');
        ok(length $body >= 256 * 1024, 'then 256 KB of the body, and the client left');

        # the handler goes on after the client left: wait for its lines (a
        # generous bound, for a busy machine; nothing is asserted on time)
        my ($line) = ms_expect_log($mark,
            qr{ms_stream: \[$tid\] stopped after \d+ responses with MS_EABORTED},
            'the handler saw MS_EABORTED and stopped', timeout => 60);
        # bounded work, counted in responses: what the socket buffers held
        # when the client left (a few MB), not the 20 million asked for
        my ($n) = ($line // '') =~ /stopped after (\d+) responses/;
        ok(defined $n && $n < $TOTAL / 20,
           sprintf('it stopped after %s of %d responses (< 5%%)', $n // '?', $TOTAL));
        my ($after) = ms_allow_log($mark, qr{ms_stream: \[$tid\] after abort:}, wait => 60);
        like($after // '',
             qr{open=EABORTED add_status=EABORTED flush=EABORTED desc=EABORTED},
             'every later call returns MS_EABORTED');
        my ($done) = ms_allow_log($mark, qr{ms_stream: \[$tid\] done }, wait => 60);
        like($done // '', qr{first=\d+:EABORTED}, 'the first refused call said MS_EABORTED');

        # what arrived before the close is the start of a well-formed
        # document (prolog, root, whole responses)
        my $xml = $body;
        if ($proto ne 'HTTP/1.0') {
            my ($pos, @parts) = (0);
            while ((my $eol = index $xml, "\r\n", $pos) >= 0) {
                my $size = hex substr($xml, $pos, $eol - $pos);
                last if !$size || length($xml) < $eol + 2 + $size;
                push @parts, substr $xml, $eol + 2, $size;
                $pos = $eol + 2 + $size + 2;
            }
            $xml = join '', @parts;
        }
        $xml =~ s{(</D:response>)(?:(?!</D:response>).)*\z}{$1}s;
        my $doc = eval { ms_parse($xml . '</D:multistatus>', 'the bytes received, closed') };
        ok($doc, 'the bytes received, cut after the last whole response and closed, '
                 . 'are an acceptable 207') or diag($@);

        # the handler's last line ("done") is there: judge what it logged
        ms_log_clean($mark, 'nothing logged at warn or above');
    };
}

subtest 'the server is fine afterwards' => sub {
    my $res = ms_request(GET => '/ms_stream/list?n=3');
    my $doc = ms_207($res, 'a new request: 207');
    is(scalar(ms_responses($doc)), 3, '3 responses') if $doc;
};
