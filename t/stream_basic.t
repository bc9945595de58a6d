# Streaming (issue 4, behaviour 1): responses are rendered as the handler
# closes them; small bodies go out whole with a Content-Length, bodies past
# MultiStatusBufferSize stream (chunked on HTTP/1.1); ms_flush() pushes
# bytes out at once; a million responses go out in bounded time and memory.
# Handler: t/c-modules/ms_stream/mod_ms_stream.c (see its top comment for
# the query string); locations: t/conf/ms_stream.conf.in.  Every body is
# parsed with XML::LibXML (and validated against t/schema/multistatus.rng,
# except the million-response one, which is read with XML::LibXML::Reader).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use HTTP::Response ();
use IO::Select ();
use IO::Socket::INET ();
use Time::HiRes qw(time);
use XML::LibXML ();
use XML::LibXML::Reader ();
use MSTest;

plan tests => 10;

my $CT = 'application/xml; charset=utf-8';
my $START = ms_log_mark();

# ------------------------------------------------------------------ helpers

# One request on its own connection (the server closes it), read with the
# arrival time of every read.  Returns { code, headers (lc), head, chunked,
# body (de-chunked), complete (the last chunk arrived), t_head (headers
# complete), t_body (first body byte), t_end, reads => [[t, bytes so far of
# the raw body]], raw_body }.
sub timed_get {
    my ($path, %opt) = @_;
    my $text = ms_raw_build(GET => $path, %opt);
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                     PeerPort => Apache::Test::vars('port'),
                                     Proto => 'tcp', Timeout => 10)
        or die "connect: $!";
    binmode $sock;
    my $t0 = time;
    print $sock $text;
    my $sel = IO::Select->new($sock);
    my ($buf, $hend, %r) = ('', -1);
    $r{reads} = [];
    while ($sel->can_read(30)) {
        my $n = sysread $sock, my $chunk, 1 << 20;
        last unless $n;
        $buf .= $chunk;
        my $t = time - $t0;
        if ($hend < 0 && ($hend = index $buf, "\r\n\r\n") >= 0) {
            $hend += 4;
            $r{t_head} = $t;
        }
        if ($hend >= 0 && length($buf) > $hend) {
            $r{t_body} //= $t;
            push @{ $r{reads} }, [ $t, length($buf) - $hend ];
        }
    }
    $r{t_end} = time - $t0;
    close $sock;
    die "no complete header from $path\n" if $hend < 0;
    $r{head} = substr $buf, 0, $hend - 4;
    my ($status, @lines) = split /\r\n/, $r{head};
    ($r{code}) = $status =~ m{^HTTP/1\.\d (\d{3})};
    for (@lines) {
        my ($k, $v) = /^([^:]+):\s*(.*)$/ or next;
        $r{headers}{ lc $k } = $v;
    }
    $r{raw_body} = substr $buf, $hend;
    $r{chunked} = ($r{headers}{'transfer-encoding'} // '') =~ /chunked/i ? 1 : 0;
    if ($r{chunked}) {
        @r{qw(body complete)} = dechunk($r{raw_body});
    }
    else {
        $r{body} = $r{raw_body};
        $r{complete} = defined $r{headers}{'content-length'}
            ? length($r{body}) == $r{headers}{'content-length'} : 1;
    }
    return \%r;
}

# De-chunks what arrived; returns (body, 1 when the last chunk was there).
sub dechunk {
    my ($raw) = @_;
    my ($pos, @parts) = (0);
    while (1) {
        my $eol = index $raw, "\r\n", $pos;
        return (join('', @parts), 0) if $eol < 0;
        my ($size) = substr($raw, $pos, $eol - $pos) =~ /^([0-9a-fA-F]+)/
            or return (join('', @parts), 0);
        $size = hex $size;
        $pos = $eol + 2;
        return (join('', @parts), 1) if $size == 0;
        return (join('', @parts, substr($raw, $pos)), 0) if length($raw) < $pos + $size;
        push @parts, substr $raw, $pos, $size;
        $pos += $size + 2;
    }
}

# What had arrived of the (raw) body @a $secs after the request was sent.
sub raw_before {
    my ($r, $secs) = @_;
    my $len = 0;
    for (@{ $r->{reads} }) {
        $len = $_->[1] if $_->[0] < $secs;
    }
    return substr $r->{raw_body}, 0, $len;
}

# An HTTP::Response of a timed_get / ms_raw answer, for ms_207().
sub as_res {
    my ($r) = @_;
    my $res = HTTP::Response->new($r->{code}, 'Multi-Status',
                                  [ %{ $r->{headers} } ], $r->{body});
    return $res;
}

sub hrefs { map { $_->{href} } ms_responses($_[0]) }

sub items {
    my ($base, $from, $to) = @_;
    return map { "$base/i$_" } $from .. $to;
}

# ------------------------------------------------------------------ tests

subtest 'small body: whole, with Content-Length, no chunking' => sub {
    for my $form (qw(status props add)) {
        my $r = timed_get("/ms_stream/list?n=20&form=$form");
        my $doc = ms_207(as_res($r), "form=$form: 207");
        is($r->{chunked}, 0, "form=$form: not chunked");
        is($r->{headers}{'content-length'}, length $r->{body},
           "form=$form: Content-Length is the body length");
        is_deeply([ hrefs($doc) ], [ items('/ms_stream/list', 0, 19) ],
                  "form=$form: 20 responses in close order");
    }
};

subtest 'past MultiStatusBufferSize (2048): no Content-Length, chunked' => sub {
    # below the threshold in the same location: still whole
    my $r = timed_get('/ms_stream/small/list?n=5');
    my $doc = ms_207(as_res($r), 'n=5 below 2048 bytes: 207');
    ok(length($r->{body}) < 2048, 'body below 2048 bytes');
    is($r->{headers}{'content-length'}, length $r->{body}, 'Content-Length');
    is($r->{chunked}, 0, 'not chunked');

    for my $form (qw(status props add)) {
        $r = timed_get("/ms_stream/small/list?n=300&form=$form");
        $doc = ms_207(as_res($r), "n=300 form=$form: 207");
        is($r->{headers}{'content-length'}, undef, "form=$form: no Content-Length");
        is($r->{chunked}, 1, "form=$form: Transfer-Encoding: chunked");
        ok($r->{complete}, "form=$form: the last chunk arrived");
        is_deeply([ hrefs($doc) ], [ items('/ms_stream/small/list', 0, 299) ],
                  "form=$form: 300 responses in order");
        if ($form eq 'props') {
            my ($last) = (ms_responses($doc))[-1];
            is(ms_prop($last, 'urn:example:stream', 'size')->{value_text}, '299',
               'a namespace first used while streaming is declared where used');
        }
    }
    # the default threshold (64K): 300 responses stay below it
    $r = timed_get('/ms_stream/list?n=300');
    ms_207(as_res($r), 'default buffer, n=300: 207');
    ok(length($r->{body}) < 65536 && defined $r->{headers}{'content-length'},
       'default buffer: a body below 64K has a Content-Length');
    $r = timed_get('/ms_stream/list?n=1000');
    ms_207(as_res($r), 'default buffer, n=1000: 207');
    ok(length($r->{body}) > 65536 && $r->{chunked}
       && !defined $r->{headers}{'content-length'},
       'default buffer: a body past 64K is chunked, without Content-Length');
};

subtest 'ms_flush: the first responses go out before the handler sleeps' => sub {
    # 3 responses, ms_flush(), sleep 1.5 s, 3 more
    my $r = timed_get('/ms_stream/list?n=6&pause=3&sleep=1500');
    my $doc = ms_207(as_res($r), 'flush then sleep: 207');
    is_deeply([ hrefs($doc) ], [ items('/ms_stream/list', 0, 5) ], '6 responses');
    is($r->{headers}{'content-length'}, undef, 'flushed: no Content-Length');
    is($r->{chunked}, 1, 'flushed: chunked');
    ok(defined $r->{t_body} && $r->{t_body} < 0.8,
       sprintf('first body bytes after %.2f s (< 0.8 s)', $r->{t_body} // -1));
    ok($r->{t_end} >= 1.4, sprintf('body complete after %.2f s (>= 1.4 s)', $r->{t_end}));
    my ($early) = dechunk(raw_before($r, 1.0));
    like($early, qr{\A<\?xml version="1\.0" encoding="utf-8"\?>\s*<D:multistatus },
         'before the sleep ended: the prolog');
    is_deeply([ $early =~ m{<D:href>([^<]+)</D:href>}g ],
              [ items('/ms_stream/list', 0, 2) ],
              'before the sleep ended: exactly the 3 flushed responses');

    # the same without the flush: nothing at all before the end
    $r = timed_get('/ms_stream/list?n=6&pause=3&sleep=1500&noflush=1');
    $doc = ms_207(as_res($r), 'sleep without flush: 207');
    ok(defined $r->{t_head} && $r->{t_head} >= 1.4,
       sprintf('without ms_flush the headers wait for the end (%.2f s)', $r->{t_head} // -1));
    is($r->{headers}{'content-length'}, length $r->{body},
       'without ms_flush: Content-Length');
    is(scalar(hrefs($doc)), 6, '6 responses');
};

subtest 'ms_flush through mod_deflate: compressed bytes go out early' => sub {
    require Compress::Raw::Zlib;
    my $r = timed_get('/deflate/ms_stream/list?n=6&pause=3&sleep=1500',
                      headers => [ 'Accept-Encoding' => 'gzip' ]);
    is($r->{headers}{'content-encoding'}, 'gzip', 'Content-Encoding: gzip');
    ok(defined $r->{t_body} && $r->{t_body} < 0.8,
       sprintf('first compressed bytes after %.2f s', $r->{t_body} // -1));
    my ($early) = dechunk(raw_before($r, 1.0));
    my ($inf) = Compress::Raw::Zlib::Inflate->new(
        -WindowBits => Compress::Raw::Zlib::WANT_GZIP());
    my $plain = '';
    $inf->inflate($early, $plain);
    is_deeply([ $plain =~ m{<D:href>([^<]+)</D:href>}g ],
              [ items('/deflate/ms_stream/list', 0, 2) ],
              'the early bytes inflate to the 3 flushed responses');
    my $res = as_res($r);
    my $doc = ms_207($res, 'whole body: gzip of a valid 207', gunzip => 1);
    is(scalar(hrefs($doc)), 6, '6 responses') if $doc;
};

subtest 'responses are rendered as they are closed (periodic flush)' => sub {
    # ms_flush every 100 of 1000: the body is chunked and complete, in order
    my $r = timed_get('/ms_stream/list?n=1000&flush=100&form=props');
    my $doc = ms_207(as_res($r), 'flush every 100: 207');
    is($r->{chunked}, 1, 'chunked');
    ok(@{ $r->{reads} } >= 1, 'body read');
    is_deeply([ hrefs($doc) ], [ items('/ms_stream/list', 0, 999) ], '1000 responses');
    # ms_add_status keeps responses open: ms_flush renders them
    $r = timed_get('/ms_stream/list?n=1000&flush=100&form=add');
    $doc = ms_207(as_res($r), 'ms_add_status + flush every 100: 207');
    is_deeply([ hrefs($doc) ], [ items('/ms_stream/list', 0, 999) ],
              '1000 responses, in order');
};

subtest "the handler's own body bytes never reach the client" => sub {
    my $r = timed_get('/ms_stream/small/list?n=100&flush=10&junk=1');
    my $doc = ms_207(as_res($r), 'handler writes + ap_rflush after each ms_flush: 207');
    unlike($r->{body}, qr/JUNK/, 'no byte of the handler\'s own body');
    is(scalar(hrefs($doc)), 100, '100 responses');
};

subtest 'responses left open are rendered at the end, in open order' => sub {
    my $r = timed_get('/ms_stream/small/list?n=100&open=10');
    my $doc = ms_207(as_res($r), 'last 10 never closed: 207');
    is_deeply([ hrefs($doc) ], [ items('/ms_stream/small/list', 0, 99) ],
              'all 100, the open ones last in open order');
};

subtest 'a million responses: bounded time and memory' => sub {
    my $mark = ms_log_mark();
    my $n = 1_000_000;
    my $t0 = time;
    my $r = timed_get("/ms_stream/list?n=$n&mem=1",
                      headers => [ 'X-Test-Id' => 'million' ]);
    my $secs = time - $t0;
    is($r->{code}, 207, 'status 207');
    is($r->{headers}{'content-type'}, $CT, 'Content-Type');
    is($r->{chunked}, 1, 'chunked');
    ok($r->{complete}, 'the last chunk arrived');
    ok($secs < 15, sprintf('whole body (%d bytes) in %.2f s (< 15 s)',
                           length $r->{body}, $secs));
    ok(defined $r->{t_body} && $r->{t_body} < 1,
       sprintf('first body bytes after %.3f s (< 1 s)', $r->{t_body} // -1));

    # well-formed (streaming parser: a DOM of 100 MB would not do), and
    # exactly the responses expected
    my ($count, $rv, $err) = (0, -1);
    eval {
        my $rd = XML::LibXML::Reader->new(string => $r->{body}, no_network => 1);
        $count++ while ($rv = $rd->nextElement('response', 'DAV:')) == 1;
        1;
    } or $err = $@;
    ok(!defined $err && $rv == 0, 'XML::LibXML::Reader: well-formed to the end')
        or diag($err // "reader returned $rv");
    is($count, $n, "$n response elements");
    my $ok_status = () = $r->{body} =~ m{<D:status>HTTP/1\.1 200 OK</D:status></D:response>}g;
    is($ok_status, $n, "$n statuses HTTP/1.1 200 OK");
    like(substr($r->{body}, 0, 200),
         qr{\A<\?xml version="1\.0" encoding="utf-8"\?>\s*<D:multistatus xmlns:D="DAV:"><D:response><D:href>/ms_stream/list/i0</D:href>},
         'starts with the prolog and i0');
    like(substr($r->{body}, -200),
         qr{<D:href>/ms_stream/list/i999999</D:href><D:status>HTTP/1\.1 200 OK</D:status></D:response></D:multistatus>\s*\z},
         'ends with i999999 and the closing tag');

    my ($line) = ms_allow_log($mark, qr/ms_stream: \[million\] memory /, wait => 5);
    ok($line, 'the handler reported its memory') or return;
    my %m = $line =~ /(\w+)=(-?\d+)/g;
    ok($m{hwm_before} > 0 && $m{hwm_after} > 0, 'VmHWM read from /proc/self/status');
    my $growth = $m{hwm_after} - $m{hwm_before};
    ok($growth < 8 * 1024,
       "peak memory (VmHWM) of the serving child grew by $growth kB (< 8 MB) "
       . "over $n responses");
    note("million: $secs s, VmHWM $m{hwm_before} -> $m{hwm_after} kB, "
         . "VmRSS $m{rss_before} -> $m{rss_after} kB");
};

subtest 'a streamed body validates (RELAX NG) at 20,000 responses' => sub {
    my $r = timed_get('/ms_stream/list?n=20000&form=props&flush=5000');
    my $doc = ms_207(as_res($r), '20,000 propstat responses: valid 207');
    is(scalar(hrefs($doc)), 20000, '20,000 responses');
};

subtest 'no [warn]/[error] line from these requests' => sub {
    # (the suite-wide check is t/zz_errorlog.t; here: nothing was logged
    # at warn or above while this file ran)
    my @bad = grep { /\[(?:[\w.-]*:)?(?:warn|error|crit|alert|emerg)\]/ }
              ms_log_since($START);
    is(scalar @bad, 0, 'none') or diag(join "\n", @bad);
};

