# SPDX-License-Identifier: Apache-2.0
# The WebDAV share of examples/mod_ms_files.c as real clients use it
# (issue 14): the share's root with and without its trailing slash, GET and
# HEAD of folders (a small HTML index), one Allow header for OPTIONS and
# 405, and three clients from Debian packages, each listing the whole tree:
#   - gio (GNOME's gvfs, gvfs-backends), under its own D-Bus session: mounts
#     dav://127.0.0.1:PORT/ms-share and dav://.../ms-share/, lists, reads;
#   - davix (davix-ls, davix-get), on /ms-share without the slash;
#   - python3-webdavclient (webdav3), which checks each folder with HEAD
#     before it lists it.
# Every listing is compared with the tree on disk, and davix's with what it
# lists of mod_dav_fs serving the same tree.
# scripts/test installs the clients; a missing one fails here.
#
# Locations: t/conf/ms_files.conf.in (/ms-share, /ms-share-dav).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use File::Path qw(make_path remove_tree);
use File::Temp qw(tempdir);
use File::Spec::Functions qw(catfile);
use FindBin;
use lib "$FindBin::Bin/lib";
use URI::Escape qw(uri_unescape);
use MSTest;

plan tests => 39;

my $SHARE = '/ms-share';
my $DAVFS = '/ms-share-dav';

# ------------------------------------------------------------ the tree
my $docroot = Apache::Test::vars('documentroot');
my $top  = catfile($docroot, 'ms-share');
my $tree = catfile($top, 'tree');

# name (bytes, as on disk; '/' at the end: a folder) => content
my @FILES = (
    'a b.txt'                          => "hello\n",
    'Tom & Jerry.txt'                  => "cartoon\n",
    '100% #1.txt'                      => "percent and hash\n",
    "caf\xc3\xa9 menu.txt"             => "soupe du jour\n",
    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.txt" => "konnichiwa\n",
    'empty/'                           => undef,
    'sub dir/'                         => undef,
    'sub dir/note.txt'                 => "note\n",
    'sub dir/deeper/'                  => undef,
    'sub dir/deeper/d.txt'             => "deep\n",
    'Jazz & Blues/'                    => undef,
    'Jazz & Blues/take #5 (100%).txt'  => "a standard\n",
);
my %FILES = @FILES;
my @ALL = @FILES[grep { !($_ % 2) } 0 .. $#FILES];   # every path, in order
my @TOP = grep { m{^[^/]+/?$} } @ALL;

remove_tree($top) if -d $top;
make_path($tree);
for my $name (@ALL) {
    my $path = "$tree/$name";
    if ($name =~ m{/$}) {
        make_path($path);
        next;
    }
    open my $fh, '>', $path or die "cannot write $path: $!";
    binmode $fh;
    print $fh $FILES{$name};
    close $fh;
}
for my $name (@ALL) {                   # the children run as nobody
    chmod((-d "$tree/$name" ? 0755 : 0644), "$tree/$name");
}
chmod 0755, $top, $tree;

my ($HOSTPORT) = ms_url('/') =~ m{^http://([^/]+)/};

# percent-encoding of a path for the URLs we give the clients
sub enc {
    my ($s) = @_;
    $s =~ s{([^A-Za-z0-9\-._~/])}{sprintf '%%%02X', ord $1}ge;
    return $s;
}

sub sorted { return [sort @_] }

# the members of folder $dir ('' for the root) as "name" or "name/"
sub members {
    my ($dir) = @_;
    return sorted(map { substr($_, length $dir) }
                  grep { index($_, $dir) == 0 && substr($_, length $dir) =~ m{^[^/]+/?$} }
                  @ALL);
}

my $tmp = tempdir('ms-share-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0700, $tmp;

sub run_cmd {
    my ($cmd) = @_;
    my $out = `$cmd 2>&1`;
    return ($? >> 8, $out);
}

sub have {
    my ($tool) = @_;
    return scalar grep { -x "$_/$tool" } split /:/, $ENV{PATH} // '';
}

# ------------------------------------------------------------ HTTP: root, Allow
{
    my $res = ms_request(OPTIONS => $SHARE);
    is($res->code . ' ' . ($res->header('DAV') // '-'), '200 1',
       'OPTIONS /ms-share (no slash): 200 with DAV: 1, the share root belongs to the share');
    my $allow = $res->header('Allow') // '';
    is(join(',', sort split /\s*,\s*/, $allow), 'GET,HEAD,OPTIONS,PROPFIND,TRACE',
       'OPTIONS: Allow lists the methods of the share') or diag "Allow: $allow";
    my $r405 = ms_request(DELETE => "$SHARE/a%20b.txt");
    is($r405->code, 405, 'DELETE: 405');
    is($r405->header('Allow') // '', $allow, 'the 405 sends the same Allow header as OPTIONS');

    # PROPFIND on the root without its slash: answered as the root (mod_dir
    # would redirect it, and gvfs does not follow that redirect)
    my $pf = ms_request(PROPFIND => $SHARE, headers => [Depth => 1]);
    my $doc = ms_207($pf, 'PROPFIND /ms-share (no slash): 207');
    my @r = $doc ? ms_responses($doc) : ();
    is($r[0]{href} // '', "$SHARE/", 'its first response is the root, /ms-share/');
    is(scalar(@r), 1 + @TOP, 'and one response per member');
    is($pf->header('Content-Location') // '', "$SHARE/",
       'Content-Location: /ms-share/ (RFC 4918 5.2)');
    # below the root, a folder without its slash is redirected, as by mod_dav_fs
    is(ms_request(PROPFIND => "$SHARE/empty", headers => [Depth => 0])->code, 301,
       'PROPFIND of a subfolder without its slash: 301 (mod_dir)');
}

# ------------------------------------------------------------ HTTP: GET/HEAD of folders
# the links of an index page, decoded, relative to the share
sub index_links {
    my ($html, $dir) = @_;
    my @links;
    while ($html =~ /<a href="([^"]*)">/g) {
        (my $h = $1) =~ s/&amp;/&/g;
        next if $h eq '../';
        my $p = uri_unescape($h);
        return ["bad link $h"] unless index($p, "$SHARE/$dir") == 0;
        push @links, substr($p, length "$SHARE/$dir");
    }
    return sorted(@links);
}

{
    my $res = ms_request(GET => "$SHARE/");
    is($res->code . ' ' . ($res->header('Content-Type') // ''), '200 text/html; charset=utf-8',
       'GET of the share root: 200, an HTML index');
    my $html = $res->content;
    is_deeply(index_links($html, ''), members(''), 'the index links every member, escaped')
        or diag $html;
    unlike($html, qr{href="\.\./"}, 'no parent link at the root of the share');
    like($html, qr{<a href="/ms-share/Tom%20&amp;%20Jerry\.txt">Tom &amp; Jerry\.txt</a>},
         'hrefs percent-encoded, then HTML-escaped; names HTML-escaped');
    like($html, qr{<a href="/ms-share/100%25%20%231\.txt">}, '% and # encoded in hrefs');

    $res = ms_request(GET => enc("$SHARE/sub dir/"));
    is($res->code, 200, 'GET of a subfolder: 200');
    is_deeply(index_links($res->content, 'sub dir/'), members('sub dir/'),
              'its index links its members (folders with a slash)') or diag $res->content;
    like($res->content, qr{<a href="\.\./">}, 'and its parent');

    $res = ms_request(HEAD => enc("$SHARE/sub dir/"));
    is($res->code . ' ' . length($res->content), '200 0', 'HEAD of a folder: 200, no body');
    is(ms_request(HEAD => "$SHARE/nothere/")->code, 404, 'HEAD of a missing folder: 404');
    my $raw = ms_raw_request(GET => $SHARE);
    is($raw->{code} . ' ' . ($raw->{headers}{location} // ''), '301 ' . ms_url("$SHARE/"),
       'GET /ms-share: 301 to the folder URL, for browsers (mod_dir)');
}

# ------------------------------------------------------------ davix
{
    ok(have('davix-ls') && have('davix-get'), 'davix is installed (scripts/test installs it)')
        or diag 'apt-get install davix';
    my $url = "http://$HOSTPORT$SHARE";
    # davix prints the last segment of each href, as sent
    my ($rc, $out) = run_cmd("timeout 60 davix-ls '$url'");
    my @names = map { uri_unescape($_) } grep { length } split /\n/, $out;
    is($rc, 0, "davix-ls $url (no slash) exits 0") or diag $out;
    is_deeply(sorted(@names), sorted(map { s{/$}{}r } @TOP), 'davix-ls lists every member')
        or diag $out;

    ($rc, $out) = run_cmd("timeout 60 davix-ls '$url" . enc('/Jazz & Blues/') . "'");
    is_deeply([map { uri_unescape($_) } grep { length } split /\n/, $out], ['take #5 (100%).txt'],
              'davix-ls of a subfolder with &, #, % in its names') or diag $out;

    ($rc, $out) = run_cmd("timeout 60 davix-get '$url" . enc("/caf\xc3\xa9 menu.txt") . "'");
    is($out, "soupe du jour\n", 'davix-get reads a file with a non-ASCII name');

    my ($rc2, $out2) = run_cmd("timeout 60 davix-ls 'http://$HOSTPORT$DAVFS'");
    is_deeply(sorted(map { uri_unescape($_) } grep { length } split /\n/, $out2), sorted(@names),
              'davix-ls lists the same of mod_dav_fs') or diag $out2;
}

# ------------------------------------------------------------ python3-webdavclient
my $PY = '/usr/bin/python3';   # the Debian package's, not another python on PATH
my $py_walk = <<'EOF';
import sys
from webdav3.client import Client
client = Client({'webdav_hostname': sys.argv[1], 'webdav_root': sys.argv[2]})
def walk(path):
    # check() is a HEAD; list() a PROPFIND Depth 1
    if not client.check(path or '/'):
        print('NOT FOUND ' + path)
        return
    for name in client.list(path):
        print('PATH ' + path + name)
        if name.endswith('/'):
            walk(path + name)
walk('')
print('DONE')
EOF
{
    my $script = "$tmp/walk.py";
    open my $fh, '>', $script or die $!;
    print $fh $py_walk;
    close $fh;
    my ($rc, $out) = run_cmd("cd '$tmp' && HOME='$tmp' timeout 60 $PY -c 'import webdav3.client'");
    is($rc, 0, 'python3-webdavclient is installed (scripts/test installs it)') or diag $out;

    ($rc, $out) = run_cmd("cd '$tmp' && HOME='$tmp' timeout 120 $PY '$script' 'http://$HOSTPORT' '$SHARE/'");
    my @paths = map { /^PATH (.*)$/ ? $1 : () } split /\n/, $out;
    ok($rc == 0 && $out =~ /^DONE$/m && $out !~ /NOT FOUND/,
       'webdavclient walks the share (HEAD, then PROPFIND, in every folder)') or diag $out;
    is_deeply(sorted(@paths), sorted(@ALL), 'webdavclient lists every file and folder')
        or diag $out;
}

# ------------------------------------------------------------ gio (gvfs)
# One D-Bus session per run (dbus-run-session): gvfsd is started on it and
# ends with it.  A private HOME and XDG_RUNTIME_DIR; no FUSE mount, no volume
# monitors (nothing of the machine's desktop is used).
sub gio_session {
    my ($mount, @cmds) = @_;
    my $script = "$tmp/gio.sh";
    open my $fh, '>', $script or die $!;
    print $fh "set -e\n", "gio mount '$mount'\n";
    for my $c (@cmds) {
        print $fh "echo '== $c->[0]'\n", "$c->[1]\n";
    }
    print $fh "echo '== end'\n", "gio mount -u '$mount' || true\n";
    close $fh;
    my $run = "$tmp/xdg-run";
    mkdir $run, 0700 unless -d $run;
    my ($rc, $out) = run_cmd("cd '$tmp' && env -u DBUS_SESSION_BUS_ADDRESS HOME='$tmp' "
        . "XDG_RUNTIME_DIR='$run' XDG_CONFIG_HOME='$tmp/config' XDG_DATA_HOME='$tmp/data' "
        . "XDG_CACHE_HOME='$tmp/cache' GVFS_DISABLE_FUSE=1 GIO_USE_VOLUME_MONITOR=unix "
        . "timeout 90 dbus-run-session -- sh '$script'");
    my %sect;
    my $cur = '';
    for my $l (split /\n/, $out) {
        if ($l =~ /^== (.*)$/) { $cur = $1; next }
        push @{ $sect{$cur} }, $l if length $cur;
    }
    return ($rc, $out, \%sect);
}

# "gio list -a standard::type" lines: "name\tsize\t(type)"
sub gio_names {
    my ($lines) = @_;
    return sorted(map { /^([^\t]+)\t\d+\t\((\w+)\)/ ? ($2 eq 'directory' ? "$1/" : $1) : "?$_" }
                  @{ $lines // [] });
}

{
    ok(have('gio') && have('dbus-run-session') && -x '/usr/libexec/gvfsd-dav',
       'gio, dbus-run-session and gvfsd-dav are installed (scripts/test installs gvfs-backends)');
    my $base = "dav://$HOSTPORT$SHARE";
    # the case of the issue: the share's root without its slash
    my ($rc, $out, $s) = gio_session($base,
        [top  => "gio list -a standard::type '$base/'"],
        [sub  => "gio list -a standard::type '$base" . enc('/sub dir/') . "'"],
        [deep => "gio list -a standard::type '$base" . enc('/sub dir/deeper/') . "'"],
        [jazz => "gio list -a standard::type '$base" . enc('/Jazz & Blues/') . "'"],
        [cat  => "gio cat '$base" . enc("/caf\xc3\xa9 menu.txt") . "'"],
        [cat2 => "gio cat '$base" . enc('/100% #1.txt') . "'"]);
    ok($rc == 0 && exists $s->{end}, "gio mounts $base (no slash), lists and reads") or diag $out;
    is_deeply(gio_names($s->{top}), members(''), 'gio lists every member of the root')
        or diag $out;
    is_deeply(gio_names($s->{sub}), members('sub dir/'), 'gio lists "sub dir"') or diag $out;
    is_deeply(gio_names($s->{deep}), members('sub dir/deeper/'), 'gio lists "sub dir/deeper"')
        or diag $out;
    is_deeply(gio_names($s->{jazz}), members('Jazz & Blues/'), 'gio lists "Jazz & Blues"')
        or diag $out;
    is(join("\n", @{ $s->{cat} // [] }) . "\n", "soupe du jour\n", 'gio reads "café menu.txt"');
    is(join("\n", @{ $s->{cat2} // [] }) . "\n", "percent and hash\n", 'gio reads "100% #1.txt"');

    # and with the slash, as a user types it in a file manager
    ($rc, $out, $s) = gio_session("$base/",
        [top => "gio list -a standard::type '$base/'"]);
    ok($rc == 0 && exists $s->{end}, "gio mounts $base/") or diag $out;
    is_deeply(gio_names($s->{top}), members(''), 'and lists every member') or diag $out;
}
