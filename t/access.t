# MultiStatusAccessCheck: a 207 lists only what the requesting user may
# access, by httpd's own rules (Require user / group / valid-user / all
# denied, <Files>, <FilesMatch>, <Location>, <Directory>, .htaccess,
# <Limit>, <LimitExcept>), for two Basic-auth users and anonymous clients.
#
# The oracle is httpd itself: for every child of the tree and every user,
# the listing shows the child exactly when a direct request of the same
# method on the child's href is not refused (401/403) - whatever its name
# (encoded slashes, dot segments, case, ';', double encoding, spaces).
# Then Forbid (bare 403s), Off (everything), Depth infinity, a streamed
# body, MultiStatusMaxResponses counting only what is sent, and a prepare
# hook that never sees a hidden response.
#
# Locations: t/conf/ms_access.conf.in; test module: mod_ms_access_probe.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use File::Path qw(make_path remove_tree);
use File::Spec::Functions qw(catfile);
use MIME::Base64 qw(encode_base64);
use FindBin;
use lib "$FindBin::Bin/lib";
use MSTest;

# ------------------------------------------------------------ the tree
my $docroot = Apache::Test::vars('documentroot');
my $top  = catfile($docroot, 'ms-access');
my $tree = catfile($top, 'tree');

# child (as on disk; '/' at the end: a folder) => who may see it
my @TREE = (
    'public.txt'       => 'all',
    'secret.key'       => 'alice',           # <Files "*.key">
    'UPPER.KEY'        => 'all',             # <Files> is case-sensitive here
    'semi;colon.key'   => 'alice',
    'x%2F.key'         => 'alice',           # a literal "%2F" in the name
    '%2e%2e.key'       => 'alice',           # double encoding of ".."
    'trail.key.'       => 'all',             # not "*.key"
    'sp ace.key'       => 'alice',
    'bob-notes.txt'    => 'bob',             # <FilesMatch "^bob-">
    '.htaccess'        => 'none',            # <Files ".ht*">
    'private/'         => 'alice',           # <Directory> Require user
    'private/inner.txt' => 'alice',
    'group/'           => 'bob',             # Require group staff
    'group/g.txt'      => 'bob',
    'denied/'          => 'none',            # Require all denied
    'denied/d.txt'     => 'none',
    'members/'         => 'users',           # Require valid-user
    'members/m.txt'    => 'users',
    'lim/'             => 'alice',           # <Limit PROPFIND>
    'limx/'            => 'bob',             # <LimitExcept GET HEAD OPTIONS>
    'ht/'              => 'bob',             # .htaccess: Require user bob
    'ht/.htaccess'     => 'none',
    'ht/h.txt'         => 'bob',
    'loc/'             => 'alice',           # <LocationMatch .../loc/>
    'loc/l.txt'        => 'alice',
    'sub/'             => 'all',
    'sub/ok.txt'       => 'all',
    'sub/deep.key'     => 'alice',           # <Files> applies below too
);
my %WHO = @TREE;
my @NAMES = grep { !ref } @TREE[grep { $_ % 2 == 0 } 0 .. $#TREE];

remove_tree($top);
make_path($tree);
for my $n (@NAMES) {
    my $p = catfile($tree, $n);
    if ($n =~ m{/$}) { make_path($p); next }
    open my $fh, '>', $p or die "$p: $!";
    print $fh $n eq 'ht/.htaccess' ? "Require user bob\n"
            : $n =~ /\.htaccess$/ ? "# nothing to configure here\n" : "content of $n\n";
    close $fh;
}
# passwords (apr1 MD5: fast enough for a lookup per child)
system('htpasswd', '-bcm', catfile($top, 'users'), 'alice', 'a-pass') == 0 or die "htpasswd";
system('htpasswd', '-bm',  catfile($top, 'users'), 'bob',   'b-pass') == 0 or die "htpasswd";
open my $g, '>', catfile($top, 'groups') or die;
print $g "staff: bob\n";
close $g;
system('chmod', '-R', 'a+rX', $top);

my %USERS = (anonymous => undef, alice => 'alice:a-pass', bob => 'bob:b-pass',
             'alice-bad-password' => 'alice:wrong');

sub may_see {
    my ($user, $name) = @_;
    my $who = $WHO{$name};
    my $u = $user eq 'alice-bad-password' ? 'anonymous' : $user;
    return 1 if $who eq 'all';
    return 0 if $who eq 'none' || $u eq 'anonymous';
    return 1 if $who eq 'users';
    return $who eq $u;
}

# the href mod_ms_files gives a name (RFC 3986 pchar kept raw, as it does)
sub enc {
    my ($s) = @_;
    $s =~ s{([^A-Za-z0-9\-._~!\$&'()*+,;=:\@/])}{sprintf '%%%02X', ord $1}ge;
    return $s;
}

sub auth { my $c = $USERS{$_[0]}; return $c ? (Authorization => 'Basic ' . encode_base64($c, '')) : () }

sub propfind {
    my ($user, $path, $depth, %opt) = @_;
    return ms_request(PROPFIND => $path, headers => [Depth => $depth, auth($user),
                      @{ $opt{headers} // [] }]);
}

plan tests => 1 + 4 * (2 + @NAMES) + 5 + 6 + 5 + 3;

# httpd logs the denials of the lookups like any other; the README's recipe
# (LogLevel authz_core:crit in the share's <Location>, as /ms-acc-probe/
# has) keeps a listing that hides children from filling the log.
{
    my $m = ms_log_mark();
    my $res = propfind('anonymous', '/ms-acc-probe/', 'infinity');
    my @noise = grep { /\[(?:[\w.-]*:)?(?:warn|error|crit|alert|emerg)\]/ } ms_log_since($m);
    ok($res->code == 207 && !@noise, 'with LogLevel authz_core:crit, a listing that hides children logs nothing at [warn] or above')
        or diag(join "\n", $res->status_line, @noise);
}

# direct requests of refused children log [error] lines (httpd's own)
my $mark = ms_log_mark();


# ------------------------------------------------------------ oracle
for my $user (sort keys %USERS) {
    my $res = propfind($user, '/ms-acc/', 'infinity');
    my $doc = ms_207($res, "$user: Depth infinity listing is a valid 207");
    my %seen = map { $_->{href} => $_ } ms_responses($doc);
    my @expect = ('/ms-acc/', map { '/ms-acc/' . enc($_) } grep { may_see($user, $_) } @NAMES);
    is_deeply([sort keys %seen], [sort @expect], "$user: exactly the children the rules allow")
        or diag("listed: @{[sort keys %seen]}");
    for my $n (@NAMES) {
        my $href = '/ms-acc/' . enc($n);
        my $direct = propfind($user, $href, 0);
        my $allowed = $direct->code != 401 && $direct->code != 403;
        is(exists $seen{$href} ? 1 : 0, $allowed ? 1 : 0,
           "$user: '$n' listed iff a direct PROPFIND is allowed (direct: " . $direct->code . ")");
    }
}

# ------------------------------------------------------------ Forbid
{
    my $res = propfind('anonymous', '/ms-acc-forbid/', 1);
    my $doc = ms_207($res, 'Forbid: a valid 207');
    my %r = map { $_->{href} => $_ } ms_responses($doc);
    my @top = grep { $_ !~ m{^[^/]+/.+} } @NAMES;
    is(scalar(keys %r), 1 + @top, 'Forbid: every child is still listed');
    my $sec = $r{'/ms-acc-forbid/secret.key'};
    is($sec && $sec->{code}, 403, 'Forbid: a refused child is a 403');
    ok($sec && !@{ $sec->{propstats} }, 'Forbid: ... with no property at all');
    is($r{'/ms-acc-forbid/public.txt'} && $r{'/ms-acc-forbid/public.txt'}{propstats}[0]{code}, 200,
       'Forbid: an allowed child keeps its properties');
}

# ------------------------------------------------------------ Off
{
    my $doc = ms_207(propfind('anonymous', '/ms-acc-off/', 1), 'Off: a valid 207');
    my @top = grep { $_ !~ m{^[^/]+/.+} } @NAMES;
    is(scalar(ms_responses($doc)), 1 + @top, 'Off: everything is listed (the default)');
    my $d1 = ms_207(propfind('alice', '/ms-acc/', 1), 'Hide Depth 1: a valid 207');
    my @want = ('/ms-acc/', map { '/ms-acc/' . enc($_) } grep { may_see('alice', $_) } @top);
    is_deeply([sort map { $_->{href} } ms_responses($d1)], [sort @want], 'Hide Depth 1: alice sees her children only');
    my $ds = ms_207(propfind('alice', '/ms-acc-stream/', 1), 'Hide, streamed body: a valid 207');
    (my $s = join ' ', sort map { $_->{href} } ms_responses($ds)) =~ s{/ms-acc-stream/}{/ms-acc/}g;
    is($s, join(' ', sort @want), 'Hide, streamed body: the same children');
}

# ------------------------------------------------------------ the limit counts what is sent
# MultiStatusMaxResponses 6 there: the anonymous client's listing (the
# collection and its visible children) fits, although the folder holds far
# more; alice sees more than 6 and gets the 507.
{
    my @top = grep { $_ !~ m{^[^/]+/.+} } @NAMES;
    my @vis = grep { may_see('anonymous', $_) } @top;
    my $doc = ms_207(propfind('anonymous', '/ms-acc-max/', 1), 'MaxResponses 6, anonymous: a valid 207');
    my @r = ms_responses($doc);
    is_deeply([sort map { $_->{href} } @r], [sort '/ms-acc-max/', map { '/ms-acc-max/' . enc($_) } @vis],
              "MaxResponses 6: the collection and its ${\ scalar @vis} visible children, no 507 (hidden ones do not count)");
    my $m = ms_log_mark();
    my $da = ms_207(propfind('alice', '/ms-acc-max/', 1), 'MaxResponses 6, alice: a valid 207');
    my @ra = ms_responses($da);
    is(scalar(@ra), 7, 'MaxResponses 6, alice: 6 responses and the 507');
    is($ra[-1]{code}, 507, '... the last one is the 507');
    ms_allow_log($m, qr/MultiStatusMaxResponses \(6\) reached/, wait => 5);
}

# ------------------------------------------------------------ hooks see only what is visible
{
    my $res = propfind('bob', '/ms-acc-probe/', 1);
    my $doc = ms_207($res, 'probe: a valid 207');
    my @seen = sort $res->header('X-MS-Seen');
    my @listed = sort map { $_->{href} } ms_responses($doc);
    ok(@seen > 2, 'probe: the hook saw responses (' . scalar(@seen) . ')');
    is_deeply(\@seen, \@listed, 'probe: the hook saw exactly the listed responses, never a hidden one');
}

ms_allow_log($mark, qr/AH01630|AH01631|AH01797|AH01617|AH01618|AH01619|AH01796|AH01664|AH01665|denied|not found|Password Mismatch|authentication failure/);
