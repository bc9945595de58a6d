# SPDX-License-Identifier: Apache-2.0
# MultiStatusIngest (issue 9) as real clients see it: a mod_dav_fs share
# with ingest on (/ms-ingest-share/), listed folder by folder by three
# clients from Debian packages, each listing compared with the folder's
# real content on disk (names with spaces, &, %, #, parentheses and
# non-ASCII letters, an empty folder, nested folders, file sizes):
#   - cadaver (its "ls" of every folder);
#   - neon's 207 parser (ne_props, what cadaver and litmus use), through
#     t/neon/ms_neon_ls.c, Depth 1 in every folder, with resourcetype and
#     getcontentlength;
#   - rclone (its webdav backend, "lsf -R": a PROPFIND Depth 1 per folder).
# Each client's listing of the ingested share is also the same as of
# mod_dav_fs alone over the same tree (/ms-ingest-share-raw/).
# scripts/test installs the clients; a missing one fails here.
#
# Locations: t/conf/ms_ingest.conf.in.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use File::Path qw(make_path remove_tree);
use File::Temp qw(tempdir);
use File::Spec::Functions qw(catfile);
use FindBin;
use lib "$FindBin::Bin/lib";
use MSTest;

plan tests => 18;

my $SHARE = '/ms-ingest-share/';
my $RAW   = '/ms-ingest-share-raw/';

# ------------------------------------------------------------ the tree
my $docroot = Apache::Test::vars('documentroot');
my $top  = catfile($docroot, 'ms-ingest-share');
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
my @ALL = @FILES[grep { !($_ % 2) } 0 .. $#FILES];
my @DIRS = ('', grep { m{/$} } @ALL);                 # every folder, the root ''

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
system('chmod', '-R', 'a+rX', $top) == 0 or die 'chmod';

# the members of folder $dir ('' for the root), as "name" or "name/", read
# from the disk (not from @FILES: what is there is what must be listed)
sub on_disk {
    my ($dir) = @_;
    opendir my $dh, "$tree/$dir" or die "$tree/$dir: $!";
    my @m = map { -d "$tree/$dir$_" ? "$_/" : $_ } grep { !/^\.\.?$/ } readdir $dh;
    closedir $dh;
    return [sort @m];
}

# "name" => size of every file of the tree, "name/" => -1 for folders
sub sizes_on_disk {
    my %s;
    for my $d (@DIRS) {
        $s{"$d$_"} = m{/$} ? -1 : -s "$tree/$d$_" for @{ on_disk($d) };
    }
    return \%s;
}

# percent-encoding of a path for the URLs we give the clients
sub enc {
    my ($s) = @_;
    $s =~ s{([^A-Za-z0-9\-._~/])}{sprintf '%%%02X', ord $1}ge;
    return $s;
}

my $mark = ms_log_mark();
my $tmp = tempdir('ms-ingest-share-XXXXXX', TMPDIR => 1, CLEANUP => 1);
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

# the share's own 207 first: what the clients parse is the module's body
{
    my $res = ms_request(PROPFIND => $SHARE, headers => [Depth => 1]);
    my $doc = ms_207($res, 'PROPFIND Depth 1 of the ingested share: a 207 of the module');
    my @r = $doc ? ms_responses($doc) : ();
    is(scalar(@r), 1 + @{ on_disk('') }, 'one response for the root and each member');
}

# ------------------------------------------------------------ cadaver
# { folder => [members: "name/" for folders, "name size" for files] }
sub cadaver_walk {
    my ($base) = @_;
    my $script = "$tmp/cadaver.in";
    open my $fh, '>', $script or die $!;
    # "ls FOLDER" rather than "cd": cadaver's cd compares the href of the
    # answer with the path it escaped itself ('&' as %26), and refuses a
    # folder whose name has a '&' on any server
    print $fh qq{ls "$base$_"\n} for @DIRS;
    print $fh "quit\n";
    close $fh;
    # HOME: an empty folder, so no ~/.netrc or ~/.cadaverrc is read
    my ($rc, $out) = run_cmd("cd '$tmp' && HOME='$tmp' timeout 60 cadaver '"
                             . ms_url($base) . "' < '$script'");
    my (%l, $cur);
    for my $line (split /\n/, $out) {
        if ($line =~ /^Listing collection `(.*)': (?:succeeded|collection is empty)\.$/) {
            $cur = $1;
            $cur =~ s{^\Q$base\E}{};
            $l{$cur} = [];
        }
        elsif (defined $cur && $line =~ /^(Coll:)?\s+(.+?)\s+(\d+)\s+\w{3}\s+\d+\s+[\d:]+$/) {
            push @{ $l{$cur} }, $1 ? "$2/" : "$2 $3";
        }
    }
    $_ = [sort @$_] for values %l;
    return ($rc, $out, \%l);
}

{
    ok(have('cadaver'), 'cadaver is installed (scripts/test installs it)')
        or diag 'apt-get install cadaver';
    my ($rc, $out, $l) = cadaver_walk($SHARE);
    is($rc, 0, 'cadaver lists every folder of the ingested share, exit 0') or diag $out;
    my %want;
    for my $d (@DIRS) {
        $want{$d} = [sort map { m{/$} ? $_ : "$_ " . -s "$tree/$d$_" } @{ on_disk($d) }];
    }
    is_deeply($l, \%want, 'cadaver: each folder lists what is on disk (names, sizes, folders)')
        or diag $out;
    my ($rc2, $out2, $l2) = cadaver_walk($RAW);
    is_deeply($l, $l2, 'cadaver: the same listings as of mod_dav_fs alone') or diag $out2;
}

# ------------------------------------------------------------ neon's 207 parser
my $neon = "$tmp/ms_neon_ls";
{
    my $src = catfile($FindBin::Bin, 'neon', 'ms_neon_ls.c');
    my $out = `gcc -Wall -o '$neon' '$src' \$(pkg-config --cflags --libs neon) 2>&1`;
    ok($? == 0 && -x $neon, 'ms_neon_ls.c builds against libneon27-dev (scripts/test installs it)')
        or diag $out;
}

# Depth 1 in every folder: ({ decoded path => { "{ns}name" => [code, value] } },
# responses, failures, output)
sub neon_walk {
    my ($base) = @_;
    my (%res, $n, @fail, $all);
    for my $d (@DIRS) {
        my $url = ms_url(enc("$base$d"));
        my ($rc, $out) = run_cmd("'$neon' '$url' 1 '{DAV:}resourcetype' '{DAV:}getcontentlength'");
        $all .= $out;
        push @fail, "$d: exit $rc" if $rc;
        my $cur;
        for my $l (split /\n/, $out) {
            if ($l =~ /^PATH (.*)$/) {
                (my $p = $1) =~ s{^\Q$base\E}{};
                $cur = $res{$p} = {};
            }
            elsif ($l =~ /^PROP (\d+) (\{[^}]*\}\S+) ?(.*)$/ && $cur) { $cur->{$2} = [$1, $3] }
            elsif ($l =~ /^DONE (\d+)$/) { $n += $1 }
        }
    }
    return (\%res, $n, \@fail, $all);
}

{
    my ($res, $n, $fail, $out) = neon_walk($SHARE);
    is_deeply($fail, [], 'neon parses the Depth 1 PROPFIND of every folder without error')
        or diag $out;
    is($n, scalar(@DIRS) + scalar(@ALL), 'neon: one result per folder and member')
        or diag $out;
    # every path neon decoded, folders with their '/', and its size
    my %got;
    for my $p (keys %$res) {
        next if $p eq '';
        my $coll = ($res->{$p}{'{DAV:}resourcetype'}[1] // '') =~ /collection/;
        $got{$p} = $coll ? -1 : $res->{$p}{'{DAV:}getcontentlength'}[1] // 'none';
    }
    is_deeply(\%got, sizes_on_disk(), 'neon: the paths, collections and sizes are those on disk')
        or diag $out;
    ok(exists $res->{''}, 'neon: the root is listed as the share root');
    my ($raw) = neon_walk($RAW);
    is_deeply($res, $raw, 'neon: the same results as from mod_dav_fs alone');
}

# ------------------------------------------------------------ rclone
# "path;size" of every file and folder ("dir/;-1"), recursive
sub rclone_ls {
    my ($base) = @_;
    my $url = ms_url(enc($base));
    # no configuration file: the remote is given on the command line
    return run_cmd("cd '$tmp' && HOME='$tmp' RCLONE_CONFIG=/dev/null timeout 120 "
                   . "rclone lsf -R --format ps --webdav-url '$url' :webdav:");
}

{
    ok(have('rclone'), 'rclone is installed (scripts/test installs it)')
        or diag 'apt-get install rclone';
    my ($rc, $out) = rclone_ls($SHARE);
    is($rc, 0, 'rclone lsf -R of the ingested share exits 0') or diag $out;
    my %got = map { /^(.*);(-?\d+)$/ ? ($1 => $2) : ("?$_" => 0) } grep { length } split /\n/, $out;
    is_deeply(\%got, sizes_on_disk(), 'rclone lists every file and folder with its size')
        or diag $out;
    my ($rc2, $out2) = rclone_ls($RAW);
    # (rclone lists folders concurrently: compare the lines, not their order)
    is_deeply([sort split /\n/, $out], [sort split /\n/, $out2],
              'rclone: the same listing as of mod_dav_fs alone') or diag $out2;
    # and a file through the share, by name
    ($rc, $out) = run_cmd("cd '$tmp' && HOME='$tmp' RCLONE_CONFIG=/dev/null timeout 60 "
                          . "rclone cat --webdav-url '" . ms_url(enc($SHARE)) . "' "
                          . "':webdav:Jazz & Blues/take #5 (100%).txt'");
    is($out, "a standard\n", 'rclone reads a file whose name needs encoding');
}

# ------------------------------------------------------------ the log
# the clients' requests log nothing at warn or worse (zz_errorlog.t and
# make check judge the whole log as well)
ms_log_clean($mark, 'the clients\' requests log no warning or error');
