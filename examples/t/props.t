# A user's tests of mod_ms_props: PROPFIND answers, asserted with
# Apache::TestMultiStatus.  Each assertion is one test.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use Apache::TestUtil qw(t_mkdir t_write_file);
use Apache::TestMultiStatus qw(:all);

plan tests => 20;

my $E = 'urn:example:props';

# The tree /props/ stands for (MsPropsRoot in t/conf/extra.conf.in).
my $root = Apache::Test::vars('documentroot') . '/props';
t_mkdir("$root/Documents");
t_write_file("$root/Documents/Tom & Jerry.txt", '8 bytes.');
t_write_file("$root/Documents/photo.jpg", 'x' x 10);
t_write_file("$root/Documents/private-notes.txt", 'hidden');

# Depth 1: the folder first, then its members, private ones left out.
my $res = PROPFIND('/props/Documents/', depth => 1,
                   props => [qw(displayname resourcetype getcontentlength),
                             "{$E}color", "{$E}flavour"]);
my $ms = multistatus_ok($res, 'Depth 1: a valid 207', strict => 1);
hrefs_are($ms, ['/props/Documents/', '/props/Documents/Tom & Jerry.txt',
                '/props/Documents/photo.jpg'], 'the folder and its public files');
is($ms && $ms->{responses}[0]{href}, '/props/Documents/', 'the folder comes first');
hrefs_unique($ms);
prop_is($ms, '/props/Documents/', 'resourcetype', 200,
        { elements => ['{DAV:}collection'] }, 'a folder is a collection');
prop_status_is($ms, '/props/Documents/', 'getcontentlength', 404,
               'a folder has no length');
prop_is($ms, '/props/Documents/Tom & Jerry.txt', 'displayname', 200, 'Tom & Jerry.txt');
prop_is($ms, '/props/Documents/Tom & Jerry.txt', 'getcontentlength', 200, '8');
prop_is($ms, '/props/Documents/Tom & Jerry.txt', 'resourcetype', 200, undef,
        'a file is no collection');
prop_is($ms, '/props/Documents/Tom & Jerry.txt', "{$E}color", 200, 'green',
        'MsPropsColor *.txt');
prop_status_is($ms, '/props/Documents/photo.jpg', "{$E}color", 404,
               'no colour for a .jpg');
prop_status_is($ms, '/props/Documents/photo.jpg', "{$E}flavour", 404,
               'a property the module does not know: 404');

# Prefer: return=minimal leaves the 404s out.
$res = PROPFIND('/props/Documents/photo.jpg', depth => 0,
                props => ['displayname', "{$E}flavour"], prefer => 'return=minimal');
$ms = multistatus_ok($res, 'return=minimal: a valid 207', strict => 1);
prop_is($ms, '/props/Documents/photo.jpg', 'displayname', 200, 'photo.jpg');
ok(!multistatus_prop($ms, '/props/Documents/photo.jpg', "{$E}flavour"),
   'return=minimal: no 404 propstat');
is($res->header('Preference-Applied'), 'return=minimal', 'Preference-Applied');

# propname: the names, no values.
$res = PROPFIND('/props/Documents/Tom%20&%20Jerry.txt', depth => 0, propname => 1);
$ms = multistatus_ok($res, 'propname: a valid 207', strict => 1);
prop_is($ms, '/props/Documents/Tom & Jerry.txt', 'displayname', 200, undef,
        'propname: displayname without its value');

# What is not a 207.
is(PROPFIND('/props/Documents/private-notes.txt', depth => 0)->code, 404,
   'a private file is not found');
is(PROPFIND('/props/nowhere/', depth => 0)->code, 404, 'a missing folder: 404');
