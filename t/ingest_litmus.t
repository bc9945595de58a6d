# SPDX-License-Identifier: Apache-2.0
# litmus (neon's WebDAV server test suite, Debian package litmus) against a
# writable mod_dav_fs share with MultiStatusIngest On: the same tests pass
# as on the same share without it, and none fails.
#
# Locations: /ms-ingest-litmus/ and /ms-ingest-litmus-raw/ in
# t/conf/ms_ingest.conf.in.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use File::Path qw(make_path remove_tree);
use File::Spec::Functions qw(catfile);
use File::Temp qw(tempdir);
use FindBin;
use lib "$FindBin::Bin/lib";
use MSTest;

plan tests => 7;

my $docroot = Apache::Test::vars('documentroot');
my $top = catfile($docroot, 'ms-ingest-litmus');
remove_tree($top);
make_path(catfile($top, 'on'), catfile($top, 'off'));
system('chmod', '-R', 'a+rwX', $top) == 0 or die 'chmod';

my $litmus = '/usr/bin/litmus';
ok(-x $litmus, 'litmus is installed (scripts/test installs it)');

# { suite => [run, passed, failed] } and the whole output
sub run_litmus {
    my ($path) = @_;
    my $dir = tempdir(CLEANUP => 1);
    my $url = ms_url($path);
    my $out = `cd $dir && $litmus $url 2>&1`;
    my %s;
    while ($out =~ /<- summary for `(\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed/g) {
        $s{$1} = [$2, $3, $4];
    }
    return (\%s, $out);
}

sub total {
    my ($s, $i) = @_;
    my $n = 0;
    $n += $_->[$i] for values %$s;
    return $n;
}

my $mark = ms_log_mark();
my ($raw, $rawout) = run_litmus('/ms-ingest-litmus-raw/');
my $mark2 = ms_log_mark();
my ($ing, $ingout) = run_litmus('/ms-ingest-litmus/');

ok(total($raw, 1) >= 100, 'mod_dav_fs alone passes ' . total($raw, 1) . ' litmus tests')
    or diag $rawout;
is(total($raw, 2), 0, 'mod_dav_fs alone: no failure') or diag $rawout;
is(total($ing, 1), total($raw, 1), 'with MultiStatusIngest On: ' . total($ing, 1) . ' pass, as without')
    or diag $ingout;
is(total($ing, 2), 0, 'with MultiStatusIngest On: no failure') or diag $ingout;
is_deeply([sort keys %$ing], [sort keys %$raw], 'the same suites ran')
    or diag $ingout;

# what mod_dav says of litmus's deliberate mistakes is mod_dav's business;
# the module says nothing at error level
my @ms = grep { /\[multistatus:(?:error|warn)/ } ms_log_since($mark2);
is(scalar(@ms), 0, 'no multistatus error or warning during the run') or diag join "\n", @ms;
ms_allow_log($mark, qr/\[(?:dav|dav_fs|core|http):error\]/);
