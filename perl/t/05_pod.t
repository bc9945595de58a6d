# The manual: valid POD, and every exported function documented in it.
use strict;
use warnings;
use Test::More;
use Pod::Checker ();
use Apache::TestMultiStatus ();

my $file = $INC{'Apache/TestMultiStatus.pm'};
open my $out, '>', \my $messages or die;
my $checker = Pod::Checker->new(-warnings => 2);
$checker->parse_from_file($file, $out);
is($checker->num_errors, 0, 'no POD error') or diag($messages);
is($checker->num_warnings, 0, 'no POD warning') or diag($messages);

open my $fh, '<', $file or die "$file: $!";
my $src = do { local $/; <$fh> };
my ($pod) = $src =~ /^(=head1 NAME.*)/ms;
for my $f (@Apache::TestMultiStatus::EXPORT, @Apache::TestMultiStatus::EXPORT_OK) {
    ok(Apache::TestMultiStatus->can($f), "$f exists");
    like($pod, qr/^=(?:head2|item) .*\b\Q$f\E\b/m, "$f is documented");
}
like($pod, qr/^=head1 SYNOPSIS/m, 'a synopsis');

done_testing();
