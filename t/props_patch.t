# Property methods, issue 3 point 3: PROPPATCH atomicity (RFC 4918 9.2).
# When one instruction of a resource fails, those the handler reported as
# successful are sent as 424 Failed Dependency (values dropped) and
# ms_response_failed() says 1 so that the handler rolls back; an
# instruction the handler left unanswered is 500 (it may not have been
# applied) and makes the others 424 too; all successful: 200s and 0.
# PROPPATCH always answers 207 (never 204 or an empty 200).
#
# Handler: scenario "pp" of t/c-modules/ms_test/mod_ms_test.c, which answers
# each instruction by the property's local name: ro-* 403 (with the propstat
# error DAV:cannot-modify-protected-property), conflict* 409, gone* 404,
# skip* not answered, others 200 (with the value when ?echo=1); it reports
# ms_response_failed() before closing the response in X-MS-Failed.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use FindBin;
use lib "$FindBin::Bin/lib";
use MSTest;

plan tests => 7;

my $B = '/ms_test/props';

sub update {
    my (@instr) = @_;       # [ set|remove, local name, value ]...
    my $x = '<?xml version="1.0" encoding="utf-8"?>'
          . '<D:propertyupdate xmlns:D="DAV:" xmlns:p="urn:example:p">';
    for my $i (@instr) {
        my ($what, $name, $value) = @$i;
        $x .= "<D:$what><D:prop>"
            . (defined $value ? "<p:$name>$value</p:$name>" : "<p:$name/>")
            . "</D:prop></D:$what>";
    }
    return $x . '</D:propertyupdate>';
}

sub proppatch {
    my ($path, $body, @h) = @_;
    return ms_request(PROPPATCH => $path,
                      headers => [ 'Content-Type' => 'application/xml; charset=utf-8', @h ],
                      body => $body);
}

# { code => [ local names ] } of the only response, and that response
sub statuses {
    my ($doc) = @_;
    my @r = ms_responses($doc);
    my %s;
    for my $ps (@{ $r[0]{propstats} }) {
        push @{ $s{ $ps->{code} } }, map { $_->{name} } @{ $ps->{props} };
    }
    return (\%s, $r[0], scalar @r);
}

subtest 'all instructions succeed: 200s, not failed' => sub {
    my $res = proppatch("$B/pp", update([ set => 'a', 'x' ], [ remove => 'b' ], [ set => 'c', '<p:i>y</p:i>' ]));
    my $doc = ms_207($res, 'a 207, not 200 or 204');
    is($res->header('X-MS-Failed'), 0, 'ms_response_failed() = 0');
    return unless $doc;
    my ($s, $r, $n) = statuses($doc);
    is($n, 1, 'one response');
    is($r->{href}, "$B/pp", 'for the request-URI');
    is_deeply($s, { 200 => [qw(a b c)] }, 'one 200 propstat, instructions in order');
};

for my $case ([ 'ro-prop', 403, 'Forbidden' ], [ 'conflict', 409, 'Conflict' ],
              [ 'gone', 404, 'Not Found' ]) {
    my ($name, $code, $reason) = @$case;
    subtest "one instruction fails with $code: the others 424" => sub {
        my $res = proppatch("$B/pp?echo=1",
                            update([ set => 'a', 'value a' ], [ set => $name, 'v' ],
                                   [ remove => 'b' ], [ set => 'c', '<p:i xml:lang="en">y</p:i>' ]));
        my $doc = ms_207($res, 'valid 207');
        is($res->header('X-MS-Failed'), 1, 'ms_response_failed() = 1: the handler must roll back');
        return unless $doc;
        my ($s, $r) = statuses($doc);
        is_deeply($s, { $code => [$name], 424 => [qw(a b c)] }, "$name $code, every other one 424");
        my %line = map { $_->{code} => $_->{status} } @{ $r->{propstats} };
        is($line{424}, 'HTTP/1.1 424 Failed Dependency', '424 status line');
        is($line{$code}, "HTTP/1.1 $code $reason", "$code status line");
        my @valued = grep { !$_->{empty} } map { @{ $_->{props} } }
                     grep { $_->{code} == 424 } @{ $r->{propstats} };
        is(scalar @valued, 0, '424s carry no value');
        if ($code == 403) {
            my ($ps) = grep { $_->{code} == 403 } @{ $r->{propstats} };
            is_deeply($ps->{error}, [ '{DAV:}cannot-modify-protected-property' ],
                      'the failing propstat keeps its error element');
        }
        unlike($res->content, qr/value a/, 'the value of a is gone');
    };
}

subtest 'an unanswered instruction: 500, the others 424, handler told' => sub {
    my $res = proppatch("$B/pp", update([ set => 'a', '1' ], [ set => 'skip-me', '2' ],
                                        [ remove => 'b' ]));
    my $doc = ms_207($res, 'valid 207');
    if ($doc) {
        my ($s) = statuses($doc);
        is_deeply($s, { 500 => ['skip-me'], 424 => [qw(a b)] },
                  'unanswered instruction 500, the others 424');
    }
    # The handler applied a and b; they are reported 424 (not applied), so
    # the handler must be told to roll them back -- the header's contract:
    # "1 when ... the module will send the successful ones as 424".
    is($res->header('X-MS-Failed'), 1,
       'ms_response_failed() = 1 (the module will send a and b as 424)');
};

subtest 'several failures: each keeps its status' => sub {
    my $res = proppatch("$B/pp", update([ set => 'ro-1', '1' ], [ set => 'a', '1' ],
                                        [ set => 'conflict-2', '2' ], [ remove => 'skip-3' ]));
    my $doc = ms_207($res, 'valid 207');
    is($res->header('X-MS-Failed'), 1, 'failed');
    return unless $doc;
    my ($s) = statuses($doc);
    is_deeply($s, { 403 => ['ro-1'], 424 => ['a'], 409 => ['conflict-2'], 500 => ['skip-3'] },
              'one propstat per status');
};

subtest 'PROPPATCH stays 207 whatever is asked' => sub {
    for my $h ([], [ Prefer => 'return=minimal' ], [ Brief => 't' ],
               [ Prefer => 'return=minimal', Brief => 't' ]) {
        my $res = proppatch("$B/pp", update([ set => 'a', 'x' ]), @$h);
        my $doc = ms_207($res, 'headers [' . join(': ', @$h) . ']: 207 with a body');
        next unless $doc;
        my ($s) = statuses($doc);
        is_deeply($s, { 200 => ['a'] }, 'the successful instruction is listed');
    }
};
