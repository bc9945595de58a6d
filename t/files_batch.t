# Tests of examples/ms_files_list.c: a folder's members read and stat'ed in
# batches (FILES_BATCH = 256 names, or 16 KB of names), through io_uring
# where Linux allows it (MsFilesIOUring On, the default), else one fstatat()
# per member.  A tree big enough for several batches (long names that end
# a batch early, symbolic links to files and folders, dangling links, a
# member the server may not stat, mod_dav_fs' ".DAV") is listed at Depth 1
# and infinity with io_uring (/ms-batch/) and without (/ms-batch-off/):
#   - both answers must be the same bytes (hrefs aside), and
#   - each must list exactly what is on disk, with each file's size and
#     modification time;
# the HTML index of GET too.  Then: where this kernel lets a process make an
# io_uring, the server's children must have io_uring worker threads (the
# rings are used, not silently bypassed); where it does not, the module
# must say once, at level info, that it lists with fstatat().  Last, a
# private httpd started under a seccomp filter that refuses io_uring
# (t/seccomp/ms_no_uring.c, as a container would) must list the same bytes
# with MsFilesIOUring On, say once that io_uring was refused, and have no
# io_uring thread.
#
# Locations: t/conf/ms_files.conf.in.  The tree is (re)created here, below
# DocumentRoot/ms-batch/tree.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use File::Path qw(make_path remove_tree);
use File::Spec::Functions qw(catfile);
use FindBin;
use lib "$FindBin::Bin/lib";
use HTTP::Date qw(time2str);
use File::Temp qw(tempdir);
use HTTP::Request;
use IO::Socket::INET;
use LWP::UserAgent;
use POSIX ();
use Time::HiRes qw(sleep);
use URI::Escape qw(uri_unescape);
use MSTest;

plan tests => 33;

my $ON  = '/ms-batch/';
my $OFF = '/ms-batch-off/';

# ------------------------------------------------------------ the tree
my $docroot = Apache::Test::vars('documentroot');
my $top  = catfile($docroot, 'ms-batch');
my $tree = catfile($top, 'tree');
my $T0   = 1600000000;

remove_tree($top) if -d $top;
make_path($tree);

my %size;    # relative path => size, for every regular file
my %mtime;   # relative path => mtime, for files and folders
my $n = 0;
sub file {
    my ($rel, $bytes) = @_;
    my $path = "$tree/$rel";
    open my $fh, '>', $path or die "cannot write $path: $!";
    binmode $fh;
    print $fh 'x' x $bytes;
    close $fh;
    chmod 0644, $path;
    my $t = $T0 + 37 * $n++;
    utime $t, $t, $path;
    $size{$rel} = $bytes;
    $mtime{$rel} = $t;
}
# 700 files, names 8 to 250 bytes long: more than two batches of names
for my $i (1 .. 700) {
    my $name = sprintf('f%04d-', $i) . ('n' x (($i * 7) % 243));
    $name .= '.txt' if $i % 3;
    file($name, ($i * 13) % 1000);
}
# 70 names of 255 bytes (NAME_MAX): 16 KB of names ends a batch early
for my $i (1 .. 70) {
    my $name = sprintf('L%03d-', $i);
    file($name . ('l' x (255 - length $name)), $i);
}
# awkward names
file("caf\xc3\xa9 & co #1.txt", 5);
file('100% sure?.txt', 6);
# folders, listed at Depth infinity while their parent's batch is open
make_path("$tree/sub/deeper");
for my $i (1 .. 300) {
    file(sprintf('sub/s%03d.dat', $i), $i);
}
# two levels down, Depth infinity reads 16 members a batch: 40 is three
for my $i (1 .. 40) {
    file(sprintf('sub/deeper/d%02d', $i), 100 + $i);
}
# mod_dav_fs' state folder: never listed
make_path("$tree/.DAV");
file('.DAV/state', 1);
delete $size{'.DAV/state'};
delete $mtime{'.DAV/state'};
# symbolic links: to a file, to a folder (listed as their targets), and
# dangling ones (left out)
symlink('f0001-nnnnnnn.txt', "$tree/link-file") or die "symlink: $!";
symlink('sub', "$tree/link-dir") or die "symlink: $!";
for my $i (1 .. 20) {
    symlink("gone-$i", "$tree/dangle-$i") or die "symlink: $!";
}
# a member the server's user may not stat (its folder is root's, 0700):
# left out too, when the server does not run as this user
make_path("$tree/locked");
file('locked/secret', 9);
chmod 0700, "$tree/locked";
symlink('locked/secret', "$tree/into-locked") or die "symlink: $!";
my $server_can_stat_locked = $> != 0;   # as root, the children are nobody

for my $d ('sub/deeper', 'sub', 'locked') {
    my $t = $T0 - 3600;
    utime $t, $t, "$tree/$d";
    $mtime{$d} = $t;
}
chmod 0755, $top, $tree, "$tree/sub", "$tree/sub/deeper";

# What Depth 1 lists: relative path => [ is_dir, size, mtime ]
my %want1;
for my $rel (keys %size) {
    next if $rel =~ m{/};
    $want1{$rel} = [ 0, $size{$rel}, $mtime{$rel} ];
}
$want1{'sub/'}      = [ 1, undef, $mtime{sub} ];
$want1{'locked/'}   = [ 1, undef, $mtime{locked} ];
$want1{'link-file'} = [ 0, $size{'f0001-nnnnnnn.txt'}, $mtime{'f0001-nnnnnnn.txt'} ];
$want1{'link-dir/'} = [ 1, undef, $mtime{sub} ];
$want1{'into-locked'} = [ 0, 9, $mtime{'locked/secret'} ] if $server_can_stat_locked;
# What Depth infinity adds: the members of sub/ and sub/deeper/ (not
# through link-dir/: links to folders are not followed), and of locked/
# only if the server can read it
my %wantinf = %want1;
for my $rel (keys %size) {
    next unless $rel =~ m{^sub/};
    $wantinf{$rel} = [ 0, $size{$rel}, $mtime{$rel} ];
}
$wantinf{'sub/deeper/'} = [ 1, undef, $mtime{'sub/deeper'} ];
$wantinf{'locked/secret'} = [ 0, 9, $mtime{'locked/secret'} ] if $server_can_stat_locked;

# ------------------------------------------------------------ helpers
my $PROPS = qq{<?xml version="1.0" encoding="utf-8"?>}
          . qq{<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/>}
          . qq{<D:getcontentlength/><D:getlastmodified/><D:getetag/>}
          . qq{</D:prop></D:propfind>};

sub propfind {
    my ($loc, $depth) = @_;
    return ms_request(PROPFIND => $loc,
                      headers => [ Depth => $depth,
                                   'Content-Type' => 'application/xml' ],
                      body => $PROPS);
}

# Check one 207 against %$want; returns the number of mismatches (each
# told with diag)
sub check_listing {
    my ($doc, $loc, $want, $name) = @_;
    my @bad;
    my %seen;
    my @rs = ms_responses($doc);
    for my $r (@rs) {
        my $href = uri_unescape($r->{href});
        unless ($href =~ s{^\Q$loc\E}{}) {
            push @bad, "href $r->{href} is not below $loc";
            next;
        }
        next if $href eq '';    # the folder itself
        push @bad, "$href listed twice" if $seen{$href}++;
        my $w = $want->{$href};
        unless ($w) {
            push @bad, "$href is listed but should not be";
            next;
        }
        my %p;
        for my $ps (@{ $r->{propstats} }) {
            for my $p (@{ $ps->{props} }) {
                $p{ $p->{name} } = [ $ps->{code}, $p->{value_text}, $p->{value_xml} ];
            }
        }
        my $is_dir = ($p{resourcetype}[2] // '') =~ /collection/ ? 1 : 0;
        push @bad, "$href: collection $is_dir, want $w->[0]" if $is_dir != $w->[0];
        if (!$w->[0]) {
            my $len = $p{getcontentlength} && $p{getcontentlength}[0] == 200
                      ? $p{getcontentlength}[1] : '(none)';
            push @bad, "$href: getcontentlength $len, want $w->[1]" if $len ne $w->[1];
        }
        my $lm = $p{getlastmodified} ? $p{getlastmodified}[1] : '(none)';
        push @bad, "$href: getlastmodified $lm, want " . time2str($w->[2])
            if $lm ne time2str($w->[2]);
    }
    for my $rel (sort keys %$want) {
        push @bad, "$rel is missing" unless $seen{$rel};
    }
    ok(!@bad, $name) or diag(join "\n", @bad[0 .. ($#bad < 20 ? $#bad : 19)]);
    return scalar @bad;
}

sub same_body {
    my ($on, $off, $name) = @_;
    (my $off_as_on = $off) =~ s{\Q$OFF\E}{$ON}g;
    ok(length($on) > 0 && $on eq $off_as_on, $name)
        or diag('first difference at byte '
                . (grep { substr($on, $_, 1) ne substr($off_as_on, $_, 1) }
                   0 .. length $on)[0]);
}

# ------------------------------------------------------------ Depth 1 and infinity
my $mark = ms_log_mark();
my %body;
for my $case ([ 1, \%want1 ], [ 'infinity', \%wantinf ]) {
    my ($depth, $want) = @$case;
    for my $loc ($ON, $OFF) {
        my $res = propfind($loc, $depth);
        my $doc = ms_207($res, "PROPFIND Depth $depth $loc: a valid 207");
        $body{$loc} = $res->content;
        my @rs = $doc ? ms_responses($doc) : ();
        is(scalar @rs, 1 + keys %$want,
           "Depth $depth $loc: the folder and " . keys(%$want) . ' listable members below it');
        check_listing($doc, $loc, $want,
                      "Depth $depth $loc: each member once, its size and date as on disk");
    }
    same_body($body{$ON}, $body{$OFF},
              "Depth $depth: with io_uring and without, the same body");
}

# the sub-folder alone (300 members: two batches, the second short)
for my $loc ($ON, $OFF) {
    my $res = propfind("${loc}sub/", 1);
    my $doc = ms_207($res, "PROPFIND Depth 1 ${loc}sub/: a valid 207");
    $body{$loc} = $res->content;
    my @rs = $doc ? ms_responses($doc) : ();
    is(scalar @rs, 1 + 300 + 1, "${loc}sub/: itself, 300 files and deeper/");
}
same_body($body{$ON}, $body{$OFF}, 'sub/: with io_uring and without, the same body');

# ------------------------------------------------------------ GET: the index
for my $loc ($ON, $OFF) {
    my $res = ms_request(GET => $loc);
    is($res->code, 200, "GET $loc: 200");
    $body{$loc} = $res->content;
}
my @links = $body{$ON} =~ /<li><a href="/g;
is(scalar @links, scalar keys %want1, 'GET: the index lists the same members as Depth 1');
same_body($body{$ON}, $body{$OFF}, 'GET: with io_uring and without, the same index');

# ------------------------------------------------------------ the rings are used
# Can this process make an io_uring?  io_uring_setup is system call 425 on
# every Linux architecture but alpha; 120 bytes of struct io_uring_params.
my $params = "\0" x 120;
my $fd = $^O eq 'linux' ? syscall(425, 8, $params) : -1;
my $kernel_allows = $fd >= 0;
POSIX::close($fd) if $kernel_allows;

my $pidfile = catfile(Apache::Test::vars('t_logs'), 'httpd.pid');
open my $ph, '<', $pidfile or die "cannot read $pidfile: $!";
chomp(my $main = <$ph>);
close $ph;

# the comm of every thread of the children of the process $main
sub worker_threads {
    my ($main) = @_;
    my @comm;
    for my $stat (glob '/proc/[0-9]*/stat') {
        open my $fh, '<', $stat or next;
        my $line = <$fh>;
        close $fh;
        next unless defined $line && $line =~ /\) \S+ (\d+) /;
        next unless $1 == $main;
        (my $dir = $stat) =~ s{/stat$}{};
        for my $c (glob "$dir/task/*/comm") {
            open my $cf, '<', $c or next;
            chomp(my $name = <$cf> // '');
            close $cf;
            push @comm, $name;
        }
    }
    return @comm;
}

if ($kernel_allows) {
    my @iou;
    for (1 .. 40) {
        @iou = grep { /^iou-wrk/ } worker_threads($main);
        last if @iou;
        propfind($ON, 1);
        sleep 0.05;
    }
    ok(scalar @iou, 'io_uring allowed here: the children have io_uring worker '
                    . 'threads after listings with MsFilesIOUring On')
        or diag('threads of the children: ' . join ' ', worker_threads($main));
    my @refused = grep { /io_uring refused/ } ms_log_since($mark);
    ok(!@refused, 'and no "io_uring refused" line') or diag(join "\n", @refused);
}
else {
    my @said = ms_expect_log($mark, qr/\[ms_files:info\].*io_uring refused, folders are listed with one fstatat\(\) per member/,
                             'io_uring refused here: the module says so at level info', timeout => 2);
    # once per child process, not once per listing
    propfind($ON, 1) for 1 .. 10;
    @said = ms_allow_log($mark, qr/io_uring refused/, wait => 1);
    my %per_pid;
    $per_pid{ /\[pid (\d+)/ ? $1 : 'none' }++ for @said;
    my @twice = grep { $per_pid{$_} > 1 } sort keys %per_pid;
    ok(@said && !@twice, 'said once per child process, not once per listing')
        or diag("lines per pid: " . join ' ', map { "$_=$per_pid{$_}" } sort keys %per_pid);
}

# ------------------------------------------------------------ refused by seccomp
# A private httpd (one event child) with the module and the example, the
# tree at /b/ with MsFilesIOUring On (its default), started through
# ms_no_uring: io_uring_setup() fails with EPERM in it and its children.
my $vars = Apache::Test::vars();
my $tmp  = tempdir(CLEANUP => 1);
chmod 0755, $tmp;
my $wrap = "$tmp/ms_no_uring";
my $cc = `gcc -Wall -Wextra -Werror -o '$wrap' '$FindBin::Bin/seccomp/ms_no_uring.c' 2>&1`;
ok($? == 0 && -x $wrap, 'ms_no_uring.c builds') or diag($cc);

my $port = do {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 1) or die "no port: $!";
    my $p = $s->sockport;
    close $s;
    $p;
};
my $conf = "$tmp/httpd.conf";
my $lib  = $vars->{ms_libexecdir};
open my $ch, '>', $conf or die "$conf: $!";
print $ch <<"CONF";
ServerRoot "$tmp"
Listen 127.0.0.1:$port
ServerName 127.0.0.1:$port
PidFile "$tmp/httpd.pid"
DefaultRuntimeDir "$tmp"
ErrorLog "$tmp/error_log"
LogLevel info
User "$vars->{user}"
Group "$vars->{group}"
LoadModule mpm_event_module "$lib/mod_mpm_event.so"
<IfModule !unixd_module>
    LoadModule unixd_module "$lib/mod_unixd.so"
</IfModule>
<IfModule !authz_core_module>
    LoadModule authz_core_module "$lib/mod_authz_core.so"
</IfModule>
LoadModule multistatus_module "$vars->{src_dir}/mod_multistatus.so"
LoadModule ms_files_module "$vars->{ms_examples_dir}/mod_ms_files.so"
StartServers 1
ServerLimit 1
ThreadsPerChild 4
MaxRequestWorkers 4
<Directory "$tree">
    Require all granted
</Directory>
<Location /b/>
    SetHandler ms-files
    MsFilesRoot "$tree"
    MultiStatusDepthInfinity On
</Location>
CONF
close $ch;
system($wrap, $vars->{httpd}, '-f', $conf, '-k', 'start');
my $ppid;
for (1 .. 100) {
    if (open my $pf, '<', "$tmp/httpd.pid") {
        chomp($ppid = <$pf> // '');
        close $pf;
        last if $ppid && IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port");
    }
    sleep 0.1;
}
ok($ppid && kill(0, $ppid), "the private httpd runs under the filter (port $port)")
    or diag(`cat '$tmp/error_log' 2>&1`);

my $ua = LWP::UserAgent->new(timeout => 30);
for my $depth (1, 'infinity') {
    my $req = HTTP::Request->new(PROPFIND => "http://127.0.0.1:$port/b/",
                                 [ Depth => $depth, 'Content-Type' => 'application/xml' ],
                                 $PROPS);
    my $res = $ua->request($req);
    my $off = propfind($OFF, $depth)->content;
    (my $as_off = $res->content) =~ s{/b/}{$OFF}g;
    ok($res->code == 207 && length($off) > 1000 && $as_off eq $off,
       "refused: Depth $depth, the same body as MsFilesIOUring Off")
        or diag('status ' . $res->code . ', ' . length($res->content) . ' bytes against '
                . length($off));
}

my @log = do { open my $lf, '<', "$tmp/error_log" or die $!; <$lf> };
my @said = grep { /\[ms_files:info\].*io_uring refused, folders are listed with one fstatat\(\) per member/ } @log;
is(scalar @said, 1, 'refused: said once, at level info, for several listings')
    or diag(@log);
my @bad = grep { /\[(?:\w+:)?(?:warn|error|crit|alert|emerg)\]/ } @log;
ok(!@bad, 'refused: nothing at warn or worse') or diag(@bad);
my @iou = grep { /^iou-wrk/ } worker_threads($ppid);
ok(!@iou && scalar(worker_threads($ppid)) > 0,
   'refused: the child has threads, none of them io_uring workers');

kill 'TERM', $ppid if $ppid;
for (1 .. 100) {
    last unless $ppid && kill 0, $ppid;
    sleep 0.1;
}
ok(!($ppid && kill 0, $ppid), 'the private httpd stopped');
