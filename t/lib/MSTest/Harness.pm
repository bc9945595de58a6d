package MSTest::Harness;

# TAP::Harness that prints the failed tests and their diagnostics (diag()
# goes to STDOUT under Apache::Test, which a quiet harness would swallow),
# so that a failing make check says why.  t/TEST.PL selects it through
# HARNESS_SUBCLASS.

use strict;
use warnings;
use base 'TAP::Harness';

sub new {
    my ($class, $args) = @_;
    $args ||= {};
    $args->{failures} = 1 unless exists $args->{failures};
    $args->{comments} = 1 unless exists $args->{comments};
    return $class->SUPER::new($args);
}

1;
