# Runs last (tests run in sorted order): the suite fails if t/logs/error_log
# holds a line of level warn or worse ([error], [multistatus:warn], ...), or a
# child crash, that no test declared as expected.  Tests declare the lines
# they provoke with MSTest's ms_expect_log()/ms_allow_log(), which append them
# to t/logs/expected_log_lines (emptied, with error_log, when t/TEST starts
# the server).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use File::Spec::Functions qw(catfile);
use Time::HiRes qw(sleep);
use MSTest;

plan tests => 2;

my $logs = Apache::Test::vars('t_logs');
my $error_log = catfile($logs, 'error_log');
my $expected_file = catfile($logs, 'expected_log_lines');

# a last request, then a moment, so that lines logged after earlier
# responses (log_transaction hooks, cleanups) are in the file
ms_raw_request(GET => '/index.html');
sleep 0.5;

ok(-f $error_log, "$error_log exists");

my %expected;
if (open my $fh, '<', $expected_file) {
    while (my $l = <$fh>) {
        chomp $l;
        $expected{$l}++;
    }
}

my @unexpected;
if (open my $fh, '<', $error_log) {
    while (my $l = <$fh>) {
        chomp $l;
        my $bad = $l =~ /^\[[^\]]*\] \[(?:[\w.-]*:)?(?:warn|error|crit|alert|emerg)\]/
               || $l =~ /exit signal|Segmentation fault|AddressSanitizer|double free|stack smashing/;
        next unless $bad;
        if ($expected{$l}) {
            $expected{$l}--;
            next;
        }
        push @unexpected, $l;
    }
}

is(scalar @unexpected, 0, 'no unexpected [warn]/[error] (or worse) line in error_log')
    or diag("unexpected lines:\n" . join "\n", map { "  $_" } @unexpected);
