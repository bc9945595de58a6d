# Limits (issue 4, behaviour 5): MultiStatusMaxResponses N -> exactly N
# responses, the next registration returns MS_ELIMIT (one [warn] line per
# request, however many calls are refused), and the body ends with a
# response for the request-URI carrying 507 Insufficient Storage and a
# responsedescription.  Handler: t/c-modules/ms_stream/mod_ms_stream.c;
# /ms_stream/limit/ has MultiStatusMaxResponses 10 (small body, sent
# whole), /ms_stream/limitbig/ 3000 with MultiStatusBufferSize 1024 (the
# limit is reached while streaming).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use HTTP::Response ();
use MSTest;

plan tests => 6;

my $id = 0;
my $START = ms_log_mark();

sub get {
    my ($path, %opt) = @_;
    my $tid = 'limit-' . ++$id;
    my @h = (@{ $opt{headers} || [] }, 'X-Test-Id' => $tid);
    my $raw = ms_raw_request($opt{method} || 'GET', $path, %opt, headers => \@h);
    my $res = HTTP::Response->new($raw->{code}, $raw->{reason},
                                  [ map { @$_ } @{ $raw->{header_list} } ],
                                  $raw->{body});
    return ($raw, $res, $tid);
}

sub items { my ($base, $from, $to) = @_; map { "$base/i$_" } $from .. $to }

sub check_limited {
    my ($doc, $base, $n, $what) = @_;
    my @r = ms_responses($doc);
    is_deeply([ map { $_->{href} } @r ], [ items($base, 0, $n - 1), $base ],
              "$what: exactly $n responses, then one for the request-URI");
    is($r[-1]{status}, 'HTTP/1.1 507 Insufficient Storage', "$what: 507");
    is($r[-1]{description},
       "the listing was truncated after $n responses (MultiStatusMaxResponses)",
       "$what: with a responsedescription");
}

# the [warn] line of the limit, for the registration that reached it;
# exactly one, read once the request's connection closed
sub one_warn {
    my ($mark, $n, $href, $what) = @_;
    ms_expect_log_count($mark,
        qr{\[multistatus:warn\].*multistatus: MultiStatusMaxResponses \($n\) reached: the body will end with a 507 \(href \Q$href\E\)},
        1, "$what: the [warn] line, once");
    my @all = grep { /MultiStatusMaxResponses/ } ms_log_since($mark);
    is(scalar @all, 1, "$what: no other line about the limit") or diag(join "\n", @all);
}

subtest 'MultiStatusMaxResponses 10, the handler stops at MS_ELIMIT' => sub {
    for my $form (qw(status props add)) {
        my $mark = ms_log_mark();
        my ($raw, $res, $tid) = get("/ms_stream/limit/list?n=30&form=$form");
        my $doc = ms_207($res, "form=$form: 207");
        check_limited($doc, '/ms_stream/limit/list', 10, "form=$form") if $doc;
        is($raw->{headers}{'x-ms-stream'}, 'registered=10 refusals=1 first=10:ELIMIT',
           "form=$form: registration 11 returned MS_ELIMIT");
        is($raw->{headers}{'content-length'}, length $raw->{body},
           "form=$form: small body, Content-Length");
        ms_expect_log($mark, qr{ms_stream: \[$tid\] stopped after 10 responses with MS_ELIMIT},
                      "form=$form: the handler stopped walking");
        one_warn($mark, 10, '/ms_stream/limit/list/i10', "form=$form");
    }
};

subtest 'the handler keeps calling after MS_ELIMIT: every call refused, one [warn]' => sub {
    my $mark = ms_log_mark();
    my ($raw, $res) = get('/ms_stream/limit/list?n=30&keepon=1');
    my $doc = ms_207($res, 'a valid 207');
    check_limited($doc, '/ms_stream/limit/list', 10, 'keepon') if $doc;
    is($raw->{headers}{'x-ms-stream'}, 'registered=10 refusals=20 first=10:ELIMIT',
       'the 20 calls past the limit all returned MS_ELIMIT');
    one_warn($mark, 10, '/ms_stream/limit/list/i10', 'keepon');
};

subtest 'exactly at the limit: no truncation' => sub {
    my $mark = ms_log_mark();
    my ($raw, $res) = get('/ms_stream/limit/list?n=10');
    my $doc = ms_207($res, 'a valid 207');
    is_deeply([ map { $_->{href} } ms_responses($doc) ],
              [ items('/ms_stream/limit/list', 0, 9) ],
              '10 responses, no 507') if $doc;
    is($raw->{headers}{'x-ms-stream'}, 'registered=10 refusals=0 first=-1:OK',
       'no call refused');
    ms_expect_log_count($mark, qr/MultiStatusMaxResponses/, 0,
                        'no [warn] (read once the connection closed)');
};

subtest 'the limit reached while streaming (3000, buffer 1024)' => sub {
    for my $form (qw(status props)) {
        my $mark = ms_log_mark();
        my ($raw, $res, $tid) = get("/ms_stream/limitbig/list?n=5000&form=$form");
        is($raw->{chunked}, 1, "form=$form: streamed (chunked)");
        my $doc = ms_207($res, "form=$form: 207");
        check_limited($doc, '/ms_stream/limitbig/list', 3000, "form=$form") if $doc;
        ms_expect_log($mark, qr{ms_stream: \[$tid\] stopped after 3000 responses with MS_ELIMIT},
                      "form=$form: registration 3001 returned MS_ELIMIT");
        one_warn($mark, 3000, '/ms_stream/limitbig/list/i3000', "form=$form");
    }
};

subtest 'the limit, then the handler fails: the failure is the last word' => sub {
    my $mark = ms_log_mark();
    my ($raw, $res) = get('/ms_stream/limitbig/list?n=5000&ret=500');
    my $doc = ms_207($res, 'a valid 207');
    if ($doc) {
        my @r = ms_responses($doc);
        is_deeply([ map { $_->{href} } @r ],
                  [ items('/ms_stream/limitbig/list', 0, 2999), '/ms_stream/limitbig/list' ],
                  '3000 responses, then ONE for the request-URI');
        is($r[-1]{status}, 'HTTP/1.1 500 Internal Server Error', 'carrying 500');
    }
    one_warn($mark, 3000, '/ms_stream/limitbig/list/i3000', 'limit+500');
    ms_expect_log($mark, qr{multistatus: the handler failed with status 500 after the 207},
                  'the [error] line of the failure');
};

subtest 'the limit through mod_deflate and on HTTP/1.0' => sub {
    # /deflate/ms_stream/limit/ has MultiStatusMaxResponses 10 too
    my $mark = ms_log_mark();
    my ($raw, $res) = get('/deflate/ms_stream/limit/list?n=30',
                          headers => [ 'Accept-Encoding' => 'gzip' ]);
    my $doc = ms_207($res, 'deflate: 207, gzip', gunzip => 1);
    check_limited($doc, '/deflate/ms_stream/limit/list', 10, 'deflate') if $doc;
    one_warn($mark, 10, '/deflate/ms_stream/limit/list/i10', 'deflate');

    $mark = ms_log_mark();
    ($raw, $res) = get('/ms_stream/limitbig/list?n=5000', proto => 'HTTP/1.0');
    is($raw->{chunked}, 0, 'HTTP/1.0: not chunked');
    $doc = ms_207($res, 'HTTP/1.0: 207');
    check_limited($doc, '/ms_stream/limitbig/list', 3000, 'HTTP/1.0') if $doc;
    one_warn($mark, 3000, '/ms_stream/limitbig/list/i3000', 'HTTP/1.0');
};
