# Streamed bodies and the protocol (issue 4, behaviour 6): mod_deflate,
# HEAD, HTTP/1.0 clients (no chunking: close-delimited) and keep-alive (the
# next request on the connection is served correctly after a streamed one,
# pipelined or sent after the answer).  Handler:
# t/c-modules/ms_stream/mod_ms_stream.c; /ms_stream/small/ and
# /deflate/ms_stream/small/ have MultiStatusBufferSize 2048 (300 responses
# stream), /deflate/ gets DEFLATE for application/xml (extra.conf.in).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use HTTP::Response ();
use IO::Select ();
use IO::Socket::INET ();
use MSTest;

plan tests => 9;

my $START = ms_log_mark();

sub res_of {
    my ($raw) = @_;
    my $res = HTTP::Response->new($raw->{code}, $raw->{reason},
                                  [ map { @$_ } @{ $raw->{header_list} } ],
                                  $raw->{body});
    $res->protocol($raw->{proto});
    return $res;
}

sub items { my ($base, $from, $to) = @_; map { "$base/i$_" } $from .. $to }
sub hrefs { map { $_->{href} } ms_responses($_[0]) }

subtest 'mod_deflate on a streamed body' => sub {
    for my $case ([ '/deflate/ms_stream/small/list', 300 ],
                  [ '/deflate/ms_stream/list', 2000 ]) {
        my ($path, $n) = @$case;
        my $raw = ms_raw_request(GET => "$path?n=$n&form=props",
                                 headers => [ 'Accept-Encoding' => 'gzip' ]);
        is($raw->{headers}{'content-encoding'}, 'gzip', "$path n=$n: Content-Encoding gzip");
        # (framing is mod_deflate's business: it keeps compressed output
        # until it has a buffer full or a flush, so a body that compresses
        # well may still leave at EOS, with a Content-Length)
        ok($raw->{chunked} || defined $raw->{headers}{'content-length'},
           "$path n=$n: chunked or with a Content-Length");
        like($raw->{headers}{vary} // '', qr/Accept-Encoding/i, "$path n=$n: Vary");
        my $doc = ms_207(res_of($raw), "$path n=$n: gunzipped, a valid 207", gunzip => 1);
        is_deeply([ hrefs($doc) ], [ items($path, 0, $n - 1) ], "$path n=$n: all $n")
            if $doc;
    }
    # flushed through deflate, in several pieces
    my $raw = ms_raw_request(GET => '/deflate/ms_stream/list?n=1000&flush=100',
                             headers => [ 'Accept-Encoding' => 'gzip' ]);
    is($raw->{chunked}, 1, 'ms_flush every 100 through deflate: chunked');
    is($raw->{headers}{'content-length'}, undef, 'no Content-Length');
    my $doc = ms_207(res_of($raw), 'ms_flush every 100 through deflate: valid', gunzip => 1);
    is(scalar(hrefs($doc)), 1000, '1000 responses') if $doc;
    # a client that does not accept gzip gets the plain stream
    $raw = ms_raw_request(GET => '/deflate/ms_stream/small/list?n=300');
    is($raw->{headers}{'content-encoding'}, undef, 'no Accept-Encoding: not compressed');
    $doc = ms_207(res_of($raw), 'no Accept-Encoding: valid');
    is(scalar(hrefs($doc)), 300, '300 responses') if $doc;
};

subtest 'HEAD of a streamed listing: headers only' => sub {
    for my $path ('/ms_stream/small/list?n=300', '/ms_stream/list?n=100000',
                  '/deflate/ms_stream/small/list?n=300') {
        my @h = $path =~ /deflate/ ? ('Accept-Encoding' => 'gzip') : ();
        # HEAD, then a GET on the same connection: the HEAD has no body
        my @out = ms_raw([ ms_raw_build(HEAD => $path, headers => \@h, keepalive => 1),
                           ms_raw_build(GET => '/ms_stream/list?n=2') ]);
        is($out[0]{code}, 207, "HEAD $path: 207");
        is($out[0]{headers}{'content-type'}, 'application/xml; charset=utf-8',
           "HEAD $path: Content-Type");
        is($out[0]{body}, '', "HEAD $path: no body");
        isnt($out[0]{headers}{'transfer-encoding'} // '', 'chunked',
             "HEAD $path: no chunked framing announced");
        my $doc = ms_207(res_of($out[1]), "HEAD $path: the next request is answered");
        is_deeply([ hrefs($doc) ], [ items('/ms_stream/list', 0, 1) ],
                  "HEAD $path: with its own body") if $doc;
    }
};

subtest 'HTTP/1.0: close-delimited, no chunking' => sub {
    for my $path ('/ms_stream/small/list?n=300', '/ms_stream/list?n=5000&flush=1000') {
        my $raw = ms_raw_request(GET => $path, proto => 'HTTP/1.0');
        is($raw->{proto}, 'HTTP/1.1', "$path: answered as HTTP/1.1 (as httpd does)");
        is($raw->{chunked}, 0, "$path: not chunked");
        is($raw->{headers}{'content-length'}, undef, "$path: no Content-Length");
        my $doc = ms_207(res_of($raw), "$path: the body up to the close is a valid 207");
        my ($n) = $path =~ /n=(\d+)/;
        is(scalar(hrefs($doc)), $n, "$path: all $n responses") if $doc;
    }
    my $raw = ms_raw_request(GET => '/deflate/ms_stream/small/list?n=300', proto => 'HTTP/1.0',
                             headers => [ 'Accept-Encoding' => 'gzip' ]);
    is($raw->{chunked}, 0, 'deflate: not chunked');
    my $doc = ms_207(res_of($raw), 'HTTP/1.0 + deflate: gunzipped, valid', gunzip => 1);
    is(scalar(hrefs($doc)), 300, '300 responses') if $doc;
};

subtest 'HTTP/1.0 keep-alive: a streamed body ends the connection' => sub {
    # a streamed body has no length: the server must close after it
    my @reqs = (ms_raw_build(GET => '/ms_stream/small/list?n=300', proto => 'HTTP/1.0',
                             keepalive => 1),
                ms_raw_build(GET => '/ms_stream/list?n=2', proto => 'HTTP/1.0'));
    my @out = eval { ms_raw(\@reqs) };
    like($@, qr/got 1 of 2 responses \(connection closed\)/,
         'the connection closed after the streamed body');
    my $raw = ms_raw_request(GET => '/ms_stream/small/list?n=300', proto => 'HTTP/1.0',
                             keepalive => 1);
    unlike($raw->{headers}{connection} // '', qr/keep-alive/i, 'no Connection: keep-alive');
    my $doc = ms_207(res_of($raw), 'the streamed body is complete and valid');
    is(scalar(hrefs($doc)), 300, '300 responses') if $doc;

    # a small body has a Content-Length: keep-alive works
    @out = ms_raw([ ms_raw_build(GET => '/ms_stream/list?n=3', proto => 'HTTP/1.0',
                                 keepalive => 1),
                    ms_raw_build(GET => '/ms_stream/list?n=2', proto => 'HTTP/1.0') ]);
    like($out[0]{headers}{connection} // '', qr/keep-alive/i, 'small body: kept alive');
    is(scalar(hrefs(ms_207(res_of($out[0]), 'first: valid') || return)), 3, 'first: 3');
    is(scalar(hrefs(ms_207(res_of($out[1]), 'second: valid') || return)), 2, 'second: 2');
};

subtest 'HTTP/1.1 keep-alive: pipelined requests after streamed bodies' => sub {
    my $mark = ms_log_mark();
    my @paths = ('/ms_stream/small/list?n=300',            # streamed
                 '/ms_stream/list?n=6&pause=3&sleep=300',   # flushed
                 '/deflate/ms_stream/small/list?n=300',     # streamed + gzip
                 '/ms_stream/limitbig/list?n=5000',         # limited, 507
                 '/ms_stream/list?n=3');                    # small
    my @reqs = map { ms_raw_build(GET => $paths[$_],
                                  headers => [ 'Accept-Encoding' => 'gzip' ],
                                  keepalive => $_ < $#paths) } 0 .. $#paths;
    my @out = ms_raw(\@reqs, timeout => 120);   # a bound for failures only
    is(scalar @out, scalar @paths, 'every request answered on one connection');
    my @want = (300, 6, 300, 3001, 3);
    for my $i (0 .. $#paths) {
        my $gz = ($out[$i]{headers}{'content-encoding'} // '') eq 'gzip';
        my $doc = ms_207(res_of($out[$i]), "answer $i ($paths[$i]): valid",
                         $gz ? (gunzip => 1) : ());
        my ($base) = $paths[$i] =~ /^([^?]+)/;
        my @h = $doc ? hrefs($doc) : ();
        is(scalar @h, $want[$i], "answer $i: $want[$i] responses");
        like($h[0] // '', qr{^\Q$base\E/i0$}, "answer $i: its own hrefs");
    }
    # (the connection closed after the last answer: the lines are in)
    ms_expect_log_count($mark, qr{MultiStatusMaxResponses \(3000\) reached}, 1,
                        'answer 3 reached the limit: one [warn] line');
};

# Sends each request after the previous answer was read, on one socket.
sub sequential {
    my (@reqs) = @_;
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                     PeerPort => Apache::Test::vars('port'),
                                     Proto => 'tcp', Timeout => 10)
        or die "connect: $!";
    binmode $sock;
    my $sel = IO::Select->new($sock);
    my @out;
    my $buf = '';
    for my $req (@reqs) {
        print $sock $req;
        my $head_only = $req =~ /^HEAD /;
        my $r;
        while (1) {
            if ((my $h = index $buf, "\r\n\r\n") >= 0) {
                my $head = substr $buf, 0, $h;
                my %hd = map { /^([^:]+):\s*(.*)$/ ? (lc $1 => $2) : () } split /\r\n/, $head;
                my ($code) = $head =~ m{^HTTP/1\.\d (\d+)};
                my $rest = substr $buf, $h + 4;
                if ($head_only) {
                    $r = { code => $code, headers => \%hd, body => '' };
                    $buf = $rest;
                }
                elsif (($hd{'transfer-encoding'} // '') =~ /chunked/) {
                    my ($pos, @parts) = (0);
                    while ((my $eol = index $rest, "\r\n", $pos) >= 0) {
                        my $size = hex substr($rest, $pos, $eol - $pos);
                        if (!$size) {
                            if (length($rest) >= $eol + 4) {
                                $r = { code => $code, headers => \%hd, chunked => 1,
                                       body => join '', @parts };
                                $buf = substr $rest, $eol + 4;
                            }
                            last;
                        }
                        last if length($rest) < $eol + 2 + $size + 2;
                        push @parts, substr $rest, $eol + 2, $size;
                        $pos = $eol + 2 + $size + 2;
                    }
                }
                elsif (defined $hd{'content-length'}
                       && length($rest) >= $hd{'content-length'}) {
                    $r = { code => $code, headers => \%hd,
                           body => substr($rest, 0, $hd{'content-length'}) };
                    $buf = substr $rest, $hd{'content-length'};
                }
            }
            last if $r;
            $sel->can_read(60) or last;    # a bound for failures only
            my $n = sysread $sock, my $chunk, 65536;
            last unless $n;
            $buf .= $chunk;
        }
        push @out, $r;
        last unless $r;
    }
    close $sock;
    return @out;
}

subtest 'HTTP/1.1 keep-alive: the next request sent after a streamed answer' => sub {
    my @out = sequential(
        ms_raw_build(GET => '/ms_stream/small/list?n=300', keepalive => 1),
        ms_raw_build(HEAD => '/ms_stream/small/list?n=300', keepalive => 1),
        ms_raw_build(GET => '/ms_stream/list?n=2000&flush=500', keepalive => 1),
        ms_raw_build(GET => '/ms_stream/list?n=3'));
    is(scalar(grep { defined } @out), 4, '4 answers on one connection');
    my @want = ([ 1, 300 ], [ 0, 0 ], [ 1, 2000 ], [ 0, 3 ]);
    for my $i (0 .. 3) {
        my $r = $out[$i] or next;
        is($r->{code}, 207, "answer $i: 207");
        if ($i == 1) {
            is($r->{body}, '', 'HEAD: no body');
            next;
        }
        is($r->{chunked} ? 1 : 0, $want[$i][0], "answer $i: chunked=$want[$i][0]");
        my $res = HTTP::Response->new(207, 'Multi-Status', [ %{ $r->{headers} } ], $r->{body});
        my $doc = ms_207($res, "answer $i: valid");
        is(scalar(hrefs($doc)), $want[$i][1], "answer $i: $want[$i][1] responses") if $doc;
    }
};

subtest 'keep-alive: three streamed bodies in a row, pipelined' => sub {
    my @out = ms_raw([ map { ms_raw_build(GET => '/ms_stream/small/list?n=300',
                                          keepalive => 1) } 1 .. 3 ]);
    is(scalar @out, 3, '3 answers');
    is(scalar(grep { my $d = eval { ms_parse($_->{body}) }; $d && ms_responses($d) == 300 } @out),
       3, 'each a valid 207 with 300 responses');
};

subtest 'LWP (ordinary client) on streamed bodies' => sub {
    my $res = ms_lwp_request(GET => '/ms_stream/small/list?n=300');
    my $doc = ms_207($res, 'GET streamed: valid');
    is(scalar(hrefs($doc)), 300, '300 responses') if $doc;
    $res = ms_lwp_request(GET => '/deflate/ms_stream/small/list?n=300',
                          headers => [ 'Accept-Encoding' => 'gzip' ]);
    $doc = ms_207($res, 'GET streamed + gzip: valid', gunzip => 1);
    is(scalar(hrefs($doc)), 300, '300 responses') if $doc;
};

subtest 'no unexpected [warn]/[error] line from this file' => sub {
    # (every request of this file returned once its connection closed)
    ms_log_clean($START, 'none');
};
