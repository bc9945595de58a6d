# Failures (issue 4, behaviours 2 and 3).
#  - Before commit (the body is still buffered): the handler's error status
#    wins: a plain error response, no 207.
#  - After commit (headers and part of the body went out): the document is
#    finished well-formed, with a last response for the request-URI that
#    carries the handler's status and a responsedescription; one [error]
#    line "multistatus: the handler failed with status N after the 207 was
#    sent...".
#  - What "aborting" means in httpd, tested here: a handler that returns
#    DONE half-way (httpd takes DONE as "the response is complete": the
#    document is finished normally, open responses included), and one that
#    sets r->status to an error itself and returns OK.
# Handler: t/c-modules/ms_stream/mod_ms_stream.c; /ms_stream/small/ has
# MultiStatusBufferSize 2048 (60 responses are past it), /ms_stream/ the
# default 64K (3 responses stay buffered).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use HTTP::Response ();
use MSTest;

plan tests => 14;

my $CT = 'application/xml; charset=utf-8';
my %REASON = (403 => 'Forbidden', 500 => 'Internal Server Error',
              503 => 'Service Unavailable');
my $id = 0;
my $START = ms_log_mark();

# GET through a raw connection; returns (raw answer, HTTP::Response).
sub get {
    my ($path, %opt) = @_;
    my $tid = 'fail-' . ++$id;
    my @h = (@{ $opt{headers} || [] }, 'X-Test-Id' => $tid);
    my $raw = ms_raw_request($opt{method} || 'GET', $path, %opt, headers => \@h);
    my $res = HTTP::Response->new($raw->{code}, $raw->{reason},
                                  [ map { @$_ } @{ $raw->{header_list} } ],
                                  $raw->{body});
    $res->protocol($raw->{proto});
    return ($raw, $res, $tid);
}

sub items { my ($base, $from, $to) = @_; map { "$base/i$_" } $from .. $to }

# The body ends with the request-URI's response carrying @a $code.
sub check_failed_doc {
    my ($doc, $base, $code, $want_items, $what) = @_;
    my @r = ms_responses($doc);
    my $last = $r[-1];
    is_deeply([ map { $_->{href} } @r ], [ @$want_items, $base ],
              "$what: the listed responses, then one for the request-URI");
    is($last->{status}, "HTTP/1.1 $code $REASON{$code}", "$what: it carries $code");
    is($last->{description},
       "the request failed with status $code after the listing started",
       "$what: with a responsedescription");
    is(scalar(grep { $_->{href} eq $base } @r), 1,
       "$what: only one response for the request-URI");
}

# ------------------------------------------------------------ before commit

subtest 'before commit: the error status wins (plain error response)' => sub {
    for my $code (500, 403, 503) {
        for my $where ('/ms_stream', '/ms_stream/small') {
            my ($raw, $res) = get("$where/list?n=3&ret=$code");
            is($raw->{code}, $code, "$where ret=$code: status $code");
            like($raw->{headers}{'content-type'} // '', qr{^text/html},
                 "$where ret=$code: httpd's error page");
            unlike($raw->{body}, qr/multistatus/, "$where ret=$code: no 207 body");
            is($raw->{headers}{'x-ms-stream'}, 'registered=3 refusals=0 first=-1:OK',
               "$where ret=$code: the handler had registered 3 results");
        }
    }
};

subtest 'before commit: open responses and ms_add_status results are dropped too' => sub {
    my ($raw) = get('/ms_stream/list?n=5&open=3&ret=500');
    is($raw->{code}, 500, 'open responses: 500');
    unlike($raw->{body}, qr/multistatus/, 'no 207 body');
    ($raw) = get('/ms_stream/list?n=5&form=add&ret=500');
    is($raw->{code}, 500, 'ms_add_status: 500');
    unlike($raw->{body}, qr/multistatus/, 'no 207 body');
    ($raw) = get('/ms_stream/list?n=5&ret=500', method => 'HEAD');
    is($raw->{code}, 500, 'HEAD: 500');
};

subtest 'before commit: refused input treated as fatal' => sub {
    my $mark = ms_log_mark();
    my ($raw) = get('/ms_stream/list?n=5&bad=2');
    is($raw->{code}, 500, 'status 500');
    is($raw->{headers}{'x-ms-stream'}, 'fatal=EINVAL', 'the refusal was MS_EINVAL');
    unlike($raw->{body}, qr/multistatus/, 'no 207 body');
    ms_expect_log_count($mark,
        qr{\[multistatus:error\].*multistatus: status 100 is outside 200\.\.599 \(href /ms_stream/list/bad\)},
        1, 'the refusal is logged, once');
};

subtest 'before commit: the handler sets r->status = 500 itself' => sub {
    my ($raw) = get('/ms_stream/list?n=3&ret=set500');
    is($raw->{code}, 500, 'status 500');
    is($raw->{body}, '', 'the handler wrote nothing: empty body');
};

# ------------------------------------------------------------- after commit

subtest 'after commit: the handler returns 500 or 503' => sub {
    for my $code (500, 503) {
        my $mark = ms_log_mark();
        my ($raw, $res, $tid) = get("/ms_stream/small/list?n=60&ret=$code");
        my $doc = ms_207($res, "ret=$code after 60 responses: a valid 207");
        is($raw->{chunked}, 1, "ret=$code: chunked, and the last chunk arrived");
        check_failed_doc($doc, '/ms_stream/small/list', $code,
                         [ items('/ms_stream/small/list', 0, 59) ], "ret=$code")
            if $doc;
        ms_expect_log($mark,
            qr{\[multistatus:error\].*multistatus: the handler failed with status $code after the 207 was sent},
            "ret=$code: the [error] line");
    }
};

subtest 'after commit: a 4xx status (403)' => sub {
    my $mark = ms_log_mark();
    my ($raw, $res) = get('/ms_stream/small/list?n=60&ret=403');
    my $doc = ms_207($res, 'ret=403 after commit: a valid 207');
    check_failed_doc($doc, '/ms_stream/small/list', 403,
                     [ items('/ms_stream/small/list', 0, 59) ], 'ret=403') if $doc;
    ms_expect_log($mark, qr{multistatus: the handler failed with status 403 after the 207},
                  'the [error] line');
};

subtest 'after commit: propstat form, ms_flush, and bytes of its own' => sub {
    my $mark = ms_log_mark();
    my ($raw, $res) = get('/ms_stream/small/list?n=60&form=props&flush=7&junk=1&ret=500');
    my $doc = ms_207($res, 'propstat form, flushed, then 500: a valid 207');
    unlike($raw->{body}, qr/JUNK/, 'none of the handler\'s own bytes');
    check_failed_doc($doc, '/ms_stream/small/list', 500,
                     [ items('/ms_stream/small/list', 0, 59) ], 'props') if $doc;
    ms_expect_log($mark, qr{multistatus: the handler failed with status 500 after the 207},
                  'the [error] line');
};

subtest 'after commit: responses still open when the handler fails' => sub {
    # the last 5 were never closed: they are not reported (the handler
    # failed before it finished them); the 55 closed ones are all there
    my $mark = ms_log_mark();
    my ($raw, $res) = get('/ms_stream/small/list?n=60&open=5&ret=500');
    my $doc = ms_207($res, 'open responses, then 500: a valid 207');
    check_failed_doc($doc, '/ms_stream/small/list', 500,
                     [ items('/ms_stream/small/list', 0, 54) ], 'open=5') if $doc;
    ms_expect_log($mark, qr{multistatus: the handler failed with status 500 after the 207},
                  'the [error] line');
};

subtest 'after commit: through mod_deflate' => sub {
    # flush=10: ms_flush() pushes the compressed bytes, and the headers, out
    # before the failure.  Without it, mod_deflate still holds everything
    # (60 responses compress to less than its buffer) when the handler
    # fails, although mod_multistatus has committed the 207.
    for my $q ('n=60&flush=10&ret=500', 'n=60&ret=500') {
        my $mark = ms_log_mark();
        my ($raw, $res) = get("/deflate/ms_stream/small/list?$q",
                              headers => [ 'Accept-Encoding' => 'gzip' ]);
        my $doc = ms_207($res, "$q: the body inflates to a valid 207", gunzip => 1);
        check_failed_doc($doc, '/deflate/ms_stream/small/list', 500,
                         [ items('/deflate/ms_stream/small/list', 0, 59) ], "deflate $q")
            if $doc;
        ms_expect_log($mark, qr{multistatus: the handler failed with status 500 after the 207},
                      "$q: the [error] line");
    }
};

subtest 'after commit: HTTP/1.0 (close-delimited)' => sub {
    my $mark = ms_log_mark();
    my ($raw, $res) = get('/ms_stream/small/list?n=60&ret=503', proto => 'HTTP/1.0');
    is($raw->{chunked}, 0, 'not chunked');
    is($raw->{headers}{'content-length'}, undef, 'no Content-Length');
    my $doc = ms_207($res, 'HTTP/1.0, then 503: a valid 207');
    check_failed_doc($doc, '/ms_stream/small/list', 503,
                     [ items('/ms_stream/small/list', 0, 59) ], 'HTTP/1.0') if $doc;
    ms_expect_log($mark, qr{multistatus: the handler failed with status 503 after the 207},
                  'the [error] line');
};

subtest 'after commit: the connection after a failed 207' => sub {
    # httpd keeps the connection after a 403: the next pipelined request is
    # answered; it closes it after a 500 (ap_status_drops_connection): the
    # next request is not answered at all -- but never wrongly
    for my $c ([ 403, 2 ], [ 500, 1 ]) {
        my ($code, $answers) = @$c;
        my $mark = ms_log_mark();
        my @reqs = (ms_raw_build(GET => "/ms_stream/small/list?n=60&ret=$code",
                                 keepalive => 1),
                    ms_raw_build(GET => '/ms_stream/list?n=2'));
        my @out = eval { ms_raw(\@reqs, allow_close => 1) };
        is(scalar @out, $answers, "ret=$code: $answers answer(s) on the connection, "
           . ($answers == 2 ? 'kept open' : 'closed after the first'))
            or diag($@);
        my $doc = ms_207($out[0] ? ms_http_response($out[0]) : HTTP::Response->new(500),
                         "ret=$code, pipelined: the first answer is a valid 207");
        is($doc && (ms_responses($doc))[-1]{code}, $code, "ret=$code: it ends with $code");
        if ($answers == 2) {
            $doc = ms_207($out[1] ? ms_http_response($out[1]) : HTTP::Response->new(500),
                          "ret=$code, pipelined: the second request is answered correctly");
            is_deeply([ $doc ? map { $_->{href} } ms_responses($doc) : () ],
                      [ items('/ms_stream/list', 0, 1) ], 'with its own 2 responses');
        }
        ms_expect_log($mark, qr{multistatus: the handler failed with status $code after the 207},
                      "ret=$code: the [error] line");
    }
};

subtest 'handler returns DONE half-way (httpd: the response is complete)' => sub {
    my $mark = ms_log_mark();
    my ($raw, $res) = get('/ms_stream/small/list?n=60&open=5&ret=done');
    my $doc = ms_207($res, 'DONE after commit: a valid 207');
    is_deeply([ map { $_->{href} } ms_responses($doc) ],
              [ items('/ms_stream/small/list', 0, 59) ],
              'finished normally: all 60, the open ones included') if $doc;
    ($raw, $res) = get('/ms_stream/list?n=3&ret=done');
    $doc = ms_207($res, 'DONE before commit: a valid 207');
    is(scalar(ms_responses($doc)), 3, 'all 3') if $doc;
    ms_log_clean($mark, 'nothing logged at warn or above');
};

subtest 'after commit: the handler sets r->status = 500 itself and returns OK' => sub {
    # As before commit, an error status the handler set itself must not be
    # reported as a success: the body must end with a 500 for the
    # request-URI, as when the handler returns 500.
    my $mark = ms_log_mark();
    my ($raw, $res) = get('/ms_stream/small/list?n=60&ret=set500');
    my $doc = ms_207($res, 'r->status = 500 after commit: a valid 207');
    check_failed_doc($doc, '/ms_stream/small/list', 500,
                     [ items('/ms_stream/small/list', 0, 59) ], 'set500') if $doc;
    ms_expect_log($mark, qr{\[multistatus:error\].*multistatus: the handler failed with status 500 after the 207 was sent \(it set r->status\)},
                  'set500: the failure is logged');
};

subtest 'no unexpected [warn]/[error] line from this file' => sub {
    # every line provoked above was declared with ms_expect_log and co
    # (checked suite-wide by t/zz_errorlog.t and once the server stopped)
    ms_log_clean($START, 'none');
};
