# API tests (issue 2): every refused input returns its MS_E* code, logs ONE
# [error] line "multistatus: ... (href ...)", and leaves nothing in a body
# that stays valid.  Also MS_ECONFLICT (status XOR propstat) and
# MS_EFINISHED (registration after the body was finished).  Handler:
# t/c-modules/ms_test/mod_ms_test.c (X-MS-RV: label=CODE).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use Apache::TestRequest ();
use HTTP::Request ();
use XML::LibXML ();
use FindBin;
use lib "$FindBin::Bin/lib";
use MSTest;
use MSTest::Check;

plan tests => 8;

my $B = '/ms_test/api';
my $ERR = qr/\[multistatus:error\].*\bmultistatus: /;

subtest 'refused hrefs and paths' => sub {
    my $res = req('GET', "$B/refuse_href");
    my $ms = check_207($res, 'refuse_href');
    is_deeply(rv($res), {
        'add-null' => 'EINVAL', 'add-empty' => 'EINVAL',
        'open-null' => 'EINVAL', 'open-empty' => 'EINVAL',
        'href-null' => 'EINVAL', 'href-empty' => 'EINVAL',
        'href-space' => 'EINVAL', 'href-pct' => 'EINVAL', ok => 'OK',
    }, 'return codes');
    expect_log_count(8, 'one [error] line per refusal');
    expect_log(qr/$ERR.*\(href \/elsewhere\/a b\)/, 'line names the href with a space');
    expect_log(qr/$ERR.*\(href \/elsewhere\/%zz\)/, 'line names the href with %zz');
    is_deeply([map { [$_->{href}, $_->{status}] } @{ $ms->{responses} }],
              [["$B/refuse_href/control", 'HTTP/1.1 200 OK']],
              'only the valid registration in the body');
};

subtest 'refused text' => sub {
    my $res = req('GET', "$B/refuse_text");
    my $ms = check_207($res, 'refuse_text');
    my @bad = map { "value-$_" }
        qw(badutf8 lonebyte overlong surrogate truncated ctl01 ctl1f fffe ffff);
    push @bad, qw(xmlvalue-badutf8 xmlvalue-ctl resp-desc ps-desc ms-desc add-desc);
    is_deeply(rv($res), { (map { $_ => 'EINVAL' } @bad),
                          map { $_ => 'OK' } qw(ok st close close-st) },
              'return codes');
    expect_log_count(scalar @bad, 'one [error] line per refusal');
    expect_log(qr/$ERR.*\(href [^)]*\/refuse_text\/t3\)/,
               'the refused ms_add_status names its href');
    is_deeply([map { $_->{href} } @{ $ms->{responses} }],
              ["$B/refuse_text/t1", "$B/refuse_text/t2"],
              'nothing of the refused ms_add_status (t3)');
    my ($t1, $t2) = @{ $ms->{responses} };
    is_deeply([map { [$_->{status}, [map { [$_->{key}, $_->{value}] } @{ $_->{props} }],
                      $_->{desc}] } @{ $t1 ? $t1->{propstats} : [] }],
              [['HTTP/1.1 200 OK', [['{urn:example:t}ok', 'fine']], undef]],
              't1: only the valid property, no description');
    is($t2 && $t2->{status}, 'HTTP/1.1 200 OK', 't2: its status');
    is($t2 && $t2->{desc}, undef, 't2: no description');
    is($ms->{desc}, undef, 'no multistatus description');
    unlike($ms->{body}, qr/bad|\x{ff}/, 'no refused text in the body');
};

subtest 'refused statuses' => sub {
    my $res = req('GET', "$B/refuse_status");
    my $ms = check_207($res, 'refuse_status');
    my @bad = qw(add100 add199 add600 add0 addneg set100 set600 prop600
                 prop101 psdesc99 pserr700);
    is_deeply(rv($res), { (map { $_ => 'EINVAL' } @bad),
                          map { $_ => 'OK' } qw(set200 propok close close-ps) },
              'return codes');
    expect_log_count(scalar @bad, 'one [error] line per refusal');
    expect_log(qr/$ERR.*\b100\b.*\(href [^)]*\/refuse_status\/s100\)/,
               'status 100: the line says 100 and names the href');
    expect_log(qr/$ERR.*\b600\b.*\(href [^)]*\/refuse_status\/s600\)/,
               'status 600: the line says 600 and names the href');
    is_deeply([map { $_->{href} } @{ $ms->{responses} }],
              ["$B/refuse_status/s-ok", "$B/refuse_status/ps-ok"],
              'no response for the refused hrefs');
    my ($s, $ps) = @{ $ms->{responses} };
    is($s && $s->{status}, 'HTTP/1.1 200 OK', 'status set after refusals');
    is_deeply([map { [$_->{status}, [map { $_->{key} } @{ $_->{props} }], $_->{desc}] }
               @{ $ps ? $ps->{propstats} : [] }],
              [['HTTP/1.1 200 OK', ['{urn:example:s}pok'], undef]],
              'only the valid property; no propstat of a refused status');
    unlike($ms->{body}, qr/HTTP\/1\.1 (1\d\d|[6-9]\d\d|0)/, 'no bad status line');
};

subtest 'refused XML fragments' => sub {
    my $res = req('GET', "$B/refuse_xml");
    my $ms = check_207($res, 'refuse_xml');
    my @bad = qw(unclosed mismatch lt amp entity undeclared undeclattr noquote
                 dupattr stray-end decl doctype badname badcharref);
    is_deeply(rv($res), { (map { $_ => 'EINVAL' } @bad), ok => 'OK', close => 'OK' },
              'return codes');
    expect_log_count(scalar @bad, 'one [error] line per refusal');
    my ($x) = @{ $ms->{responses} };
    is_deeply([map { [$_->{status}, [map { $_->{key} } @{ $_->{props} }]] }
               @{ $x ? $x->{propstats} : [] }],
              [['HTTP/1.1 200 OK', ['{urn:example:x}ok']]],
              'only the valid fragment');
    is(scalar @{ $ms->{responses} }, 1, 'one response');
};

subtest 'refused namespaces and names' => sub {
    my $res = req('GET', "$B/refuse_name");
    my $ms = check_207($res, 'refuse_name');
    my @bad = qw(ns-empty ns-null name-empty name-null name-digit name-colon
                 name-space err-ns-empty err-name-empty pserr-name ns-decl-empty);
    is_deeply(rv($res), { (map { $_ => 'EINVAL' } @bad),
                          map { $_ => 'OK' } qw(ok st close close-st) },
              'return codes');
    expect_log_count(scalar @bad, 'one [error] line per refusal');
    my ($n1, $n2) = @{ $ms->{responses} };
    is_deeply([map { [$_->{status}, [map { $_->{key} } @{ $_->{props} }], $_->{error}] }
               @{ $n1 ? $n1->{propstats} : [] }],
              [['HTTP/1.1 200 OK', ['{urn:example:n}ok'], []]],
              'n1: only the valid property, no error');
    is($n2 && $n2->{status}, 'HTTP/1.1 403 Forbidden', 'n2: 403');
    is_deeply($n2 && $n2->{error}, [], 'n2: no error element');
};

subtest 'status XOR propstat: MS_ECONFLICT' => sub {
    my $res = req('GET', "$B/conflict");
    my $ms = check_207($res, 'conflict');
    is_deeply(rv($res), { 's-first' => 'OK', 'p-first' => 'OK',
                          'prop-on-status' => 'ECONFLICT',
                          'status-on-props' => 'ECONFLICT',
                          'add-on-props' => 'ECONFLICT' }, 'return codes');
    expect_log_count(3, 'one [error] line per refusal');
    is_deeply([map { [$_->{href}, $_->{status},
                      [map { map { [$_->{key}, $_->{value}] } @{ $_->{props} } }
                       @{ $_->{propstats} }]] } @{ $ms->{responses} }],
              [["$B/conflict/st-first", 'HTTP/1.1 200 OK', []],
               ["$B/conflict/ps-first", undef, [['{DAV:}displayname', 'kept']]]],
              'each href keeps its first form');
};

subtest 'registration after the handler sent EOS: MS_EFINISHED' => sub {
    my $res = req('GET', "$B/late_eos");
    my $ms = check_207($res, 'late_eos');
    is(rv($res)->{s1}, 'OK', 'registration before EOS accepted');
    expect_log(qr/\[ms_test:info\].*ms_test: report late-eos-pass=OK/,
               'EOS passed');
    expect_log(qr/\[ms_test:info\].*ms_test: report late-eos-add=EFINISHED/,
               'ms_add_status after EOS: MS_EFINISHED');
    expect_log(qr/\[ms_test:info\].*ms_test: report late-eos-desc=EFINISHED/,
               'ms_set_description after EOS: MS_EFINISHED');
    expect_log_count(2, 'one [error] line per refusal');
    is_deeply([map { [$_->{href}, $_->{status}] } @{ $ms->{responses} }],
              [["$B/late_eos/before-eos", 'HTTP/1.1 200 OK']],
              'body: only what was registered before');
    is($ms->{desc}, undef, 'no description');
};

subtest 'registration from log_transaction: MS_EFINISHED' => sub {
    my $res = req('GET', "$B/late_log");
    my $ms = check_207($res, 'late_log');
    is(rv($res)->{s1}, 'OK', 'registration in the handler accepted');
    expect_log(qr/\[ms_test:info\].*ms_test: report late-log-add=EFINISHED/,
               'ms_add_status from log_transaction: MS_EFINISHED');
    expect_log_count(1, 'one [error] line for it');
    is_deeply([map { [$_->{href}, $_->{status}] } @{ $ms->{responses} }],
              [["$B/late_log/before-log", 'HTTP/1.1 200 OK']], 'body');
};

__END__
