# SPDX-License-Identifier: Apache-2.0
# The module says which release it is (issue 14): "mod_multistatus/X.Y.Z"
# in the Server header (ServerTokens Full, httpd's default, which the test
# server keeps), a notice line at startup, both with MULTISTATUS_VERSION of
# the header -- the one place the version is written (configure.ac reads it
# from there too).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use File::Spec::Functions qw(catfile);
use FindBin;
use lib "$FindBin::Bin/lib";
use MSTest;

plan tests => 4;

my $header = catfile($ENV{MS_INCLUDE_DIR} // "$FindBin::Bin/../include", 'mod_multistatus.h');
my $version;
if (open my $fh, '<', $header) {
    while (<$fh>) {
        $version = $1 if /^#define MULTISTATUS_VERSION "([^"]+)"/;
    }
}
like($version // '', qr/^\d+\.\d+\.\d+$/, "MULTISTATUS_VERSION in $header")
    or $version = 'none';

my $res = ms_request(GET => '/index.html');
like($res->header('Server') // '', qr{(?:^|\s)mod_multistatus/\Q$version\E(?:\s|$)},
     'the Server header names mod_multistatus/VERSION')
    or diag 'Server: ' . ($res->header('Server') // '(none)');

my $log = catfile(Apache::Test::vars('t_logs'), 'error_log');
my @log;
if (open my $fh, '<', $log) {
    @log = <$fh>;
}
my @ours = grep { /\[multistatus:notice\].*mod_multistatus \Q$version\E loaded \(API version \d+\)/ } @log;
my @starts = grep { /resuming normal operations/ } @log;
ok(@starts && @ours == @starts,
   'a startup line at notice names the version, once per start (not per configuration pass)')
    or diag @ours, @starts;
like($starts[0] // '', qr{mod_multistatus/\Q$version\E configured},
     "httpd's own startup line names it too");
