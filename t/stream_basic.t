# Streaming (issue 4, behaviour 1): responses are rendered as the handler
# closes them; small bodies go out whole with a Content-Length, bodies past
# MultiStatusBufferSize stream (chunked on HTTP/1.1); ms_flush() pushes
# bytes out at once; a million responses stream in bounded memory.
# Handler: t/c-modules/ms_stream/mod_ms_stream.c (see its top comment for
# the query string); locations: t/conf/ms_stream.conf.in.  Every body goes
# through MSTest's ms_check_body (the million-response one in its
# streaming mode).
#
# No assertion on time: "bytes go out before the end" is shown with a gate.
# The handler stops half-way (pause=K&gate=NAME) until the test creates the
# file NAME; the test reads what arrived before it opens the gate.  What the
# handler has not finished cannot have been sent whole, however busy the
# machine.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use File::Spec::Functions qw(catfile);
use HTTP::Response ();
use IO::Select ();
use IO::Socket::INET ();
use Time::HiRes qw(time);
use XML::LibXML ();
use MSTest;

plan tests => 10;

my $CT = 'application/xml; charset=utf-8';
my $START = ms_log_mark();
my $GATES = Apache::Test::vars('t_state');
my $gate_n = 0;

# ------------------------------------------------------------------ helpers

# De-chunks what arrived; returns (body, 1 when the last chunk was there,
# [offsets in the body where each chunk ended]).
sub dechunk {
    my ($raw) = @_;
    my ($pos, @parts, @ends) = (0);
    my $off = 0;
    while (1) {
        my $eol = index $raw, "\r\n", $pos;
        return (join('', @parts), 0, \@ends) if $eol < 0;
        my ($size) = substr($raw, $pos, $eol - $pos) =~ /^([0-9a-fA-F]+)/
            or return (join('', @parts), 0, \@ends);
        $size = hex $size;
        $pos = $eol + 2;
        return (join('', @parts), 1, \@ends) if $size == 0;
        return (join('', @parts, substr($raw, $pos)), 0, \@ends) if length($raw) < $pos + $size;
        push @parts, substr $raw, $pos, $size;
        $off += $size;
        push @ends, $off;
        $pos += $size + 2;
    }
}

# One request on its own connection (the server closes it).  With
# gate => NAME, reads until $opt{before}->(head, body so far) is true or
# $opt{wait} seconds passed, keeps what had arrived (early_head,
# early_body: the body de-chunked), opens the gate (creates the file the
# handler waits for), then reads to the end.  Returns { code, headers (lc),
# head, chunked, body (de-chunked), complete (the last chunk arrived),
# chunk_ends, raw_body, early_head, early_body }.
sub get {
    my ($path, %opt) = @_;
    my $text = ms_raw_build(GET => $path, %opt);
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                     PeerPort => Apache::Test::vars('port'),
                                     Proto => 'tcp', Timeout => 10)
        or die "connect: $!";
    binmode $sock;
    print $sock $text;
    my $sel = IO::Select->new($sock);
    my ($buf, %r) = ('');
    my $gate = $opt{gate};
    my $until = time + ($opt{wait} // 60);
    # an incremental view of the body, for the gate's condition
    my ($hend, $cpos, $early, $part) = (-1, 0, '', '');
    while (1) {
        if ($gate) {
            if ($hend < 0 && ($hend = index $buf, "\r\n\r\n") >= 0) {
                $hend += 4;
                $cpos = $hend;
            }
            if ($hend >= 0) {
                my $chunked = substr($buf, 0, $hend) =~ /^Transfer-Encoding:\s*chunked/mi;
                if (!$chunked) {
                    $early = substr $buf, $hend;
                }
                else {
                    $part = '';
                    while ((my $eol = index $buf, "\r\n", $cpos) >= 0) {
                        my $size = hex substr($buf, $cpos, $eol - $cpos);
                        last if !$size;
                        if (length($buf) < $eol + 2 + $size + 2) {
                            # a chunk still arriving: what came of it counts
                            # (the module passes up to 256K at a time)
                            $part = substr $buf, $eol + 2, $size;
                            last;
                        }
                        $early .= substr $buf, $eol + 2, $size;
                        $cpos = $eol + 2 + $size + 2;
                    }
                }
            }
            my $head = $hend >= 0 ? substr($buf, 0, $hend) : substr($buf, 0);
            if (($opt{before} && $opt{before}->($head, $early . $part)) || time >= $until) {
                $r{early_head} = $head;
                $r{early_body} = $early . $part;
                open my $fh, '>', catfile($GATES, $gate) or die "cannot open the gate: $!";
                close $fh;
                $gate = undef;
            }
        }
        if (!$sel->can_read($gate ? 0.05 : 60)) {
            next if $gate;
            last;
        }
        my $n = sysread $sock, my $chunk, 1 << 20;
        if (!$n) {
            last unless $gate;
            $until = 0;     # closed early: open the gate, then stop
            next;
        }
        $buf .= $chunk;
    }
    close $sock;
    unlink catfile($GATES, $opt{gate}) if $opt{gate};
    my $h = index $buf, "\r\n\r\n";
    die "no complete header from $path\n" if $h < 0;
    $r{head} = substr $buf, 0, $h;
    my ($status, @lines) = split /\r\n/, $r{head};
    ($r{code}) = $status =~ m{^HTTP/1\.\d (\d{3})};
    for (@lines) {
        my ($k, $v) = /^([^:]+):\s*(.*)$/ or next;
        $r{headers}{ lc $k } = $v;
    }
    $r{raw_body} = substr $buf, $h + 4;
    $r{chunked} = ($r{headers}{'transfer-encoding'} // '') =~ /chunked/i ? 1 : 0;
    if ($r{chunked}) {
        @r{qw(body complete chunk_ends)} = dechunk($r{raw_body});
    }
    else {
        $r{body} = $r{raw_body};
        $r{complete} = defined $r{headers}{'content-length'}
            ? length($r{body}) == $r{headers}{'content-length'} : 1;
        $r{chunk_ends} = [];
    }
    return \%r;
}

sub new_gate { return "basic-$$-" . ++$gate_n }

# the handler's line about gate $name: opened (by the test) or timed out
sub gate_opened {
    my ($mark, $name, $what) = @_;
    ms_expect_log($mark, qr/ms_stream: \[[^\]]*\] gate \Q$name\E opened after \d+ ms/,
                  "$what: the handler waited for the gate, and the test opened it");
}

# An HTTP::Response of a get() answer, for ms_207().
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

sub closed_responses { my ($xml) = @_; return () = $xml =~ m{</D:response>}g }

# ------------------------------------------------------------------ tests

subtest 'small body: whole, with Content-Length, no chunking' => sub {
    for my $form (qw(status props add)) {
        my $r = get("/ms_stream/list?n=20&form=$form");
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
    my $r = get('/ms_stream/small/list?n=5');
    my $doc = ms_207(as_res($r), 'n=5 below 2048 bytes: 207');
    ok(length($r->{body}) < 2048, 'body below 2048 bytes');
    is($r->{headers}{'content-length'}, length $r->{body}, 'Content-Length');
    is($r->{chunked}, 0, 'not chunked');

    for my $form (qw(status props add)) {
        $r = get("/ms_stream/small/list?n=300&form=$form");
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
    $r = get('/ms_stream/list?n=300');
    ms_207(as_res($r), 'default buffer, n=300: 207');
    ok(length($r->{body}) < 65536 && defined $r->{headers}{'content-length'},
       'default buffer: a body below 64K has a Content-Length');
    $r = get('/ms_stream/list?n=1000');
    ms_207(as_res($r), 'default buffer, n=1000: 207');
    ok(length($r->{body}) > 65536 && $r->{chunked}
       && !defined $r->{headers}{'content-length'},
       'default buffer: a body past 64K is chunked, without Content-Length');
};

subtest 'ms_flush: the flushed responses reach the client before the handler goes on' => sub {
    # 3 responses, ms_flush(), then the handler waits for the gate
    my $mark = ms_log_mark();
    my $gate = new_gate();
    my $r = get("/ms_stream/list?n=6&pause=3&gate=$gate", gate => $gate,
                before => sub { closed_responses($_[1]) >= 3 });
    my $doc = ms_207(as_res($r), 'flush, gate, 3 more: 207');
    is_deeply([ hrefs($doc) ], [ items('/ms_stream/list', 0, 5) ], '6 responses');
    is($r->{headers}{'content-length'}, undef, 'flushed: no Content-Length');
    is($r->{chunked}, 1, 'flushed: chunked');
    like($r->{early_body}, qr{\A<\?xml version="1\.0" encoding="utf-8"\?>\s*<D:multistatus },
         'before the handler went on: the prolog');
    is_deeply([ $r->{early_body} =~ m{<D:href>([^<]+)</D:href>}g ],
              [ items('/ms_stream/list', 0, 2) ],
              'before the handler went on: exactly the 3 flushed responses');
    gate_opened($mark, $gate, 'flush');

    # the same without the flush: nothing at all leaves before the end.
    # (The handler cannot finish before the gate opens, so this holds
    # however long the test waits; it waits 1 s.)
    $gate = new_gate();
    $r = get("/ms_stream/list?n=6&pause=3&gate=$gate&noflush=1", gate => $gate,
             wait => 1);
    is($r->{early_head}, '', 'without ms_flush: not a byte before the handler finished, '
       . 'not even the headers');
    $doc = ms_207(as_res($r), 'gate without flush: 207');
    is($r->{headers}{'content-length'}, length $r->{body},
       'without ms_flush: Content-Length');
    is(scalar(hrefs($doc)), 6, '6 responses');
    gate_opened($mark, $gate, 'no flush');
};

subtest 'ms_flush through mod_deflate: compressed bytes go out early' => sub {
    require Compress::Raw::Zlib;
    my $mark = ms_log_mark();
    my $gate = new_gate();
    my $inflated = sub {
        my ($inf) = Compress::Raw::Zlib::Inflate->new(
            -WindowBits => Compress::Raw::Zlib::WANT_GZIP());
        my $plain = '';
        my $in = $_[0];
        $inf->inflate($in, $plain);
        return $plain;
    };
    my $r = get("/deflate/ms_stream/list?n=6&pause=3&gate=$gate", gate => $gate,
                headers => [ 'Accept-Encoding' => 'gzip' ],
                before => sub { closed_responses($inflated->($_[1])) >= 3 });
    is($r->{headers}{'content-encoding'}, 'gzip', 'Content-Encoding: gzip');
    is_deeply([ $inflated->($r->{early_body}) =~ m{<D:href>([^<]+)</D:href>}g ],
              [ items('/deflate/ms_stream/list', 0, 2) ],
              'before the handler went on, the bytes inflate to the 3 flushed responses');
    my $doc = ms_207(as_res($r), 'whole body: gzip of a valid 207', gunzip => 1);
    is_deeply([ hrefs($doc) ], [ items('/deflate/ms_stream/list', 0, 5) ], '6 responses')
        if $doc;
    gate_opened($mark, $gate, 'deflate');
};

subtest 'responses are rendered as they are closed (periodic flush)' => sub {
    # ms_flush every 100 of 1000: each flush ends a chunk, right after the
    # response it followed (without the flushes the body goes out in 64K
    # chunks, which end elsewhere)
    my %boundary_at;
    for my $flush (100, 0) {
        my $r = get("/ms_stream/list?n=1000&flush=$flush&form=props");
        my $doc = ms_207(as_res($r), "flush=$flush: 207");
        is($r->{chunked}, 1, "flush=$flush: chunked");
        is_deeply([ hrefs($doc) ], [ items('/ms_stream/list', 0, 999) ],
                  "flush=$flush: 1000 responses");
        my %ends = map { $_ => 1 } @{ $r->{chunk_ends} };
        $boundary_at{$flush} = [ grep {
            my $at = index $r->{body}, "<D:href>/ms_stream/list/i$_</D:href>";
            my $end = index($r->{body}, '</D:response>', $at) + length '</D:response>';
            $at >= 0 && $ends{$end};
        } map { 100 * $_ - 1 } 1 .. 10 ];
    }
    is_deeply($boundary_at{100}, [ map { 100 * $_ - 1 } 1 .. 10 ],
              'with ms_flush every 100: a chunk ends right after i99, i199, ... i999');
    ok(@{ $boundary_at{0} } < 10,
       'without: not there (' . scalar(@{ $boundary_at{0} }) . ' of 10 by chance)');
    # ms_add_status keeps responses open: ms_flush renders them
    my $r = get('/ms_stream/list?n=1000&flush=100&form=add');
    my $doc = ms_207(as_res($r), 'ms_add_status + flush every 100: 207');
    is_deeply([ hrefs($doc) ], [ items('/ms_stream/list', 0, 999) ],
              '1000 responses, in order');
};

subtest "the handler's own body bytes never reach the client" => sub {
    my $r = get('/ms_stream/small/list?n=100&flush=10&junk=1');
    my $doc = ms_207(as_res($r), 'handler writes + ap_rflush after each ms_flush: 207');
    unlike($r->{body}, qr/JUNK/, 'no byte of the handler\'s own body');
    is(scalar(hrefs($doc)), 100, '100 responses');
};

subtest 'responses left open are rendered at the end, in open order' => sub {
    my $r = get('/ms_stream/small/list?n=100&open=10');
    my $doc = ms_207(as_res($r), 'last 10 never closed: 207');
    is_deeply([ hrefs($doc) ], [ items('/ms_stream/small/list', 0, 99) ],
              'all 100, the open ones last in open order');
};

subtest 'a million responses: streamed, in bounded memory' => sub {
    my $mark = ms_log_mark();
    my $n = 1_000_000;
    my $k = 200_000;
    my $gate = new_gate();
    # the handler stops after $k responses (no ms_flush) until the gate
    # opens: by then the client has everything but what the module may
    # hold: the output chunk being filled (64K) and the batch not passed
    # yet (under 256K): at most 320K, some 3,300 responses of 100 bytes
    my $want = '<D:href>/ms_stream/list/i' . ($k - 4000) . '</D:href>';
    my $r = get("/ms_stream/list?n=$n&mem=1&pause=$k&noflush=1&gate=$gate", gate => $gate,
                headers => [ 'X-Test-Id' => 'million' ],
                before => sub { index($_[1], $want, length($_[1]) - 200_000) >= 0 });
    is($r->{code}, 207, 'status 207');
    is($r->{headers}{'content-type'}, $CT, 'Content-Type');
    is($r->{chunked}, 1, 'chunked');
    ok($r->{complete}, 'the last chunk arrived');
    ok(index($r->{early_body}, $want) >= 0,
       sprintf('while the handler waited after %d responses, the client had them up to i%d '
               . '(%d bytes)', $k, $k - 4000, length $r->{early_body}));
    gate_opened($mark, $gate, 'million');

    # the body through ms_check_body (streaming: a DOM of 100 MB would not do)
    my $sum = ms_207(as_res($r), "$n responses: a well-formed 207 to the end", stream => 1);
    is($sum && $sum->{responses}, $n, "$n response elements");
    my $ok_status = () = $r->{body} =~ m{<D:status>HTTP/1\.1 200 OK</D:status></D:response>}g;
    is($ok_status, $n, "$n statuses HTTP/1.1 200 OK");
    like(substr($r->{body}, 0, 200),
         qr{\A<\?xml version="1\.0" encoding="utf-8"\?>\s*<D:multistatus xmlns:D="DAV:"><D:response><D:href>/ms_stream/list/i0</D:href>},
         'starts with the prolog and i0');
    like(substr($r->{body}, -200),
         qr{<D:href>/ms_stream/list/i999999</D:href><D:status>HTTP/1\.1 200 OK</D:status></D:response></D:multistatus>\s*\z},
         'ends with i999999 and the closing tag');

    # memory: the handler resets the child's peak (VmHWM) to its current
    # RSS first, so that an earlier, bigger request of this child cannot
    # hide a growth
    my ($line) = ms_allow_log($mark, qr/ms_stream: \[million\] memory /);
    ok($line, 'the handler reported its memory') or return;
    my %m = $line =~ /(\w+)=(-?\w+)/g;
    is($m{reset}, 'ok', 'the peak was reset (/proc/self/clear_refs)');
    ok($m{hwm_before} > 0 && $m{hwm_before} - $m{rss_before} < 1024,
       "after the reset the peak is the current RSS ($m{hwm_before} kB, RSS $m{rss_before} kB)");
    my $growth = $m{hwm_after} - $m{hwm_before};
    ok($growth < 8 * 1024,
       "peak memory (VmHWM) of the serving child grew by $growth kB (< 8 MB) "
       . "over $n responses");
    note("million: VmHWM $m{hwm_before} -> $m{hwm_after} kB, "
         . "VmRSS $m{rss_before} -> $m{rss_after} kB");
};

subtest 'a streamed body validates (RELAX NG) at 20,000 responses' => sub {
    my $r = get('/ms_stream/list?n=20000&form=props&flush=5000');
    my $doc = ms_207(as_res($r), '20,000 propstat responses: valid 207');
    is(scalar(hrefs($doc)), 20000, '20,000 responses');
};

subtest 'no [warn]/[error] line from these requests' => sub {
    # (the suite-wide check is t/zz_errorlog.t, and make check once the
    # server has stopped; here: nothing unexpected while this file ran)
    ms_log_clean($START, 'none');
};
