package MSTest::PerlLib;

# "use MSTest::PerlLib;" loads Apache::TestMultiStatus from perl/lib/ of
# this source tree (never one installed on the system), so that the suite
# tests the helper it ships, as its users' suites use it.  t/TEST sets
# MS_INCLUDE_DIR to the tree's include/ (also in a VPATH build, where t/ is
# a copy in the build tree).

use strict;
use warnings;

use File::Basename qw(dirname);
use File::Spec::Functions qw(catdir catfile rel2abs);

our $DIR = rel2abs(catdir($ENV{MS_INCLUDE_DIR}
                          ? ($ENV{MS_INCLUDE_DIR}, '..')
                          : (dirname(__FILE__), '..', '..', '..'),
                          'perl', 'lib'));
my $pm = catfile($DIR, 'Apache', 'TestMultiStatus.pm');
die "MSTest::PerlLib: $pm not found\n" unless -f $pm;
unshift @INC, $DIR unless grep { $_ eq $DIR } @INC;
require Apache::TestMultiStatus;
die "MSTest::PerlLib: Apache::TestMultiStatus was loaded from $INC{'Apache/TestMultiStatus.pm'}, not $DIR\n"
    unless rel2abs($INC{'Apache/TestMultiStatus.pm'}) eq $pm;

1;
