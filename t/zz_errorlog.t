# The error log while the server is still up (the same check runs again in
# make check once the server has stopped, shutdown included: see
# ms_check_log_after_shutdown in t/lib/MSTest.pm and check-apache in
# Makefile.am).  The suite fails if t/logs/error_log holds a line that
# $MSTest::LOG_BAD rejects (level warn or worse, a child's crash, child
# stderr such as glibc's "free(): ..." or UBSan's "runtime error:") that no
# test declared as expected.  Tests declare the lines they provoke with
# MSTest's ms_expect_log()/ms_expect_log_count()/ms_allow_log(), which record
# them in t/logs/expected_log_lines (emptied, with error_log, when t/TEST
# starts the server).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use File::Spec::Functions qw(catfile);
use MSTest;

plan tests => 3;

my $logs = Apache::Test::vars('t_logs');
my $error_log = catfile($logs, 'error_log');

# a last request (it returns once the server closed its connection)
my $raw = ms_raw_request(GET => '/index.html');
is($raw->{code}, 200, 'the server still answers');

ok(-s $error_log, "$error_log exists and is not empty");

my @unexpected = MSTest::ms_log_problems($logs);
is(scalar @unexpected, 0, 'no unexpected [warn]/[error] (or worse), crash or stderr line in error_log')
    or diag("unexpected lines:\n" . join "\n", map { "  $_" } @unexpected);
