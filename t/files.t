# Tests of examples/mod_ms_files.c, the read-only WebDAV listing built on
# mod_multistatus: PROPFIND Depth 0 / 1 / infinity, allprop, propname,
# property lists with unknown names, escaping of awkward names, OPTIONS,
# GET, the content-type cache (MsFilesTypeCache); then real clients (cadaver's "ls", neon's 207 parser through
# t/neon/ms_neon_ls.c) and a comparison, resource by resource and property
# by property, with mod_dav_fs serving the same folder in the same server.
#
# Locations: t/conf/ms_files.conf.in.  The tree is (re)created here, below
# DocumentRoot/ms-files/tree, with fixed modification times.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use File::Path qw(make_path remove_tree);
use File::Temp qw(tempdir);
use File::Spec::Functions qw(catfile);
use FindBin;
use lib "$FindBin::Bin/lib";
use Encode qw(decode_utf8);
use HTTP::Date qw(time2str);
use POSIX qw(strftime);
use URI::Escape qw(uri_unescape);
use MSTest;

plan tests => 108;

my $DAV  = 'DAV:';
my $X    = 'urn:example:files';
my $MS   = '/ms-files/';
my $INF  = '/ms-files-inf/';
my $MAX  = '/ms-files-max/';
my $OFF  = '/ms-files-off/';
my $NC   = '/ms-files-nc/';         # MsFilesTypeCache Off
my $MODDAV = '/ms-files-dav/';      # mod_dav_fs, same folder

# ------------------------------------------------------------ the tree
my $docroot = Apache::Test::vars('documentroot');
my $top  = catfile($docroot, 'ms-files');
my $tree = catfile($top, 'tree');
my $MTIME = 1600000000;   # Sun, 13 Sep 2020 12:26:40 GMT

# name (bytes, as on disk; '/' at the end: a folder) => content
my @FILES = (
    'a b.txt'              => "hello\n",
    'Tom & Jerry.html'     => "<p>cartoon</p>\n",
    '100% #1.txt'          => "percent and hash\n",
    "caf\xc3\xa9.txt"      => "menu\n",
    'q?mark.txt'           => "question\n",
    "it's (1).txt"         => "quote and parens\n",
    'README'               => "no extension: httpd knows no type\n",
    'data.xml'             => "<x/>\n",
    'empty/'               => undef,
    'sub dir/'             => undef,
    'sub dir/note.txt'     => "note\n",
    'sub dir/deeper/'      => undef,
    'sub dir/deeper/d.txt' => "deep\n",
    "\xc3\x9cber/"         => undef,
    "\xc3\x9cber/x.txt"    => "x\n",
    # names whose extensions mod_mime reads in odd ways (the example's
    # content-type cache must give each what mod_mime gives it)
    'types/'               => undef,
    'types/a.txt'          => "a\n",
    'types/.txt'           => "a hidden file called txt: no extension\n",
    'types/.hidden.txt'    => "hidden, extension txt\n",
    'types/b.txt.html'     => "two extensions, the last type wins\n",
    'types/c.html.txt'     => "the other way round\n",
    'types/d.html'         => "<p>d</p>\n",
    'types/E.TXT'          => "upper case\n",
    'types/noext'          => "no extension\n",
    'types/dot.'           => "an empty extension\n",
    # t/conf/ms_files.conf.in: <FilesMatch "^special\."> ForceType here
    'forced/'              => undef,
    'forced/plain.txt'     => "plain\n",
    'forced/special.txt'   => "special\n",
    'forced/other.txt'     => "other\n",
    'forced/more.txt'      => "more\n",
);
my %FILES = @FILES;

remove_tree($top) if -d $top;
make_path($tree);
for (my $i = 0; $i < @FILES; $i += 2) {
    my ($name, $content) = @FILES[$i, $i + 1];
    my $path = "$tree/$name";
    if ($name =~ m{/$}) {
        make_path($path);
        next;
    }
    open my $fh, '>', $path or die "cannot write $path: $!";
    binmode $fh;
    print $fh $content;
    close $fh;
}
# the children run as nobody: readable by all; fixed times, members
# before their folder (writing a member changes its folder's mtime)
my @NAMES = @FILES[grep { !($_ % 2) } 0 .. $#FILES];
for my $name (reverse @NAMES) {
    my $path = "$tree/$name";
    chmod((-d $path ? 0755 : 0644), $path);
    utime $MTIME, $MTIME, $path;
}
chmod 0755, $top, $tree;
utime $MTIME, $MTIME, $tree;

# Depth: 1 members of the root, and every resource below it
my @TOP  = grep { m{^[^/]+/?$} } @NAMES;
my @ALL  = @NAMES;

# ------------------------------------------------------------ helpers

# percent-encoding the module promises: every byte but unreserved,
# sub-delims, ':', '@' and '/'
sub enc {
    my ($s) = @_;
    $s =~ s{([^A-Za-z0-9\-._~!\$&'()*+,;=:\@/])}{sprintf '%%%02X', ord $1}ge;
    return $s;
}

sub propfind {
    my ($path, $depth, $body, @headers) = @_;
    return ms_request(PROPFIND => $path,
                      headers => [ (defined $depth ? (Depth => $depth) : ()),
                                   (defined $body ? ('Content-Type' => 'application/xml') : ()),
                                   @headers ],
                      body => $body);
}

sub prop_body {
    my (@names) = @_;   # 'D:name' or 'X:name'
    return qq{<?xml version="1.0" encoding="utf-8"?>}
         . qq{<D:propfind xmlns:D="DAV:" xmlns:X="$X"><D:prop>}
         . join('', map { "<$_/>" } @names)
         . qq{</D:prop></D:propfind>};
}
my $ALLPROP  = qq{<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>};
my $PROPNAME = qq{<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>};

# { "{ns}name" => { code, text, collection (0/1), empty } } of a response
sub props_of {
    my ($r) = @_;
    my %p;
    for my $ps (@{ $r->{propstats} }) {
        for my $p (@{ $ps->{props} }) {
            $p{"{$p->{ns}}$p->{name}"} = {
                code  => $ps->{code},
                text  => $p->{value_text},
                empty => $p->{empty},
                collection => scalar(grep { $_->nodeType == 1
                                            && ($_->namespaceURI // '') eq $DAV
                                            && $_->localname eq 'collection' }
                                     $p->{node}->childNodes) ? 1 : 0,
            };
        }
    }
    return \%p;
}

sub rfc1123 { time2str($_[0]) }
sub iso8601 { strftime('%Y-%m-%dT%H:%M:%SZ', gmtime $_[0]) }
sub etag_of {
    my ($path) = @_;
    my @st = stat $path or die "stat $path: $!";
    return sprintf '"%x-%x"', $st[7], $st[9] * 1_000_000;
}

# ------------------------------------------------------------ OPTIONS, GET, 404, 405
{
    my $res = ms_request(OPTIONS => $MS);
    is($res->code, 200, 'OPTIONS: 200');
    is($res->header('DAV'), '1', 'OPTIONS: DAV: 1 (class 1, no locks)');
    like($res->header('Allow') // '', qr/\bPROPFIND\b/, 'OPTIONS: Allow lists PROPFIND');

    $res = ms_request(GET => $MS . 'a%20b.txt');
    is($res->code . ' ' . $res->content, "200 hello\n", 'GET of a file: served by the default handler');
    my $get_etag = $res->header('ETag');
    $res = ms_request(HEAD => $MS . 'a%20b.txt');
    is($res->code, 200, 'HEAD of a file: 200');

    my $doc = ms_207(propfind($MS . 'a%20b.txt', 0, prop_body('D:getetag')), 'PROPFIND getetag');
    my ($r) = $doc ? ms_responses($doc) : ();
    is($r ? props_of($r)->{"{DAV:}getetag"}{text} : undef, $get_etag,
       'getetag equals the ETag of a GET');

    $res = propfind($MS . 'missing.txt', 0);
    is($res->code, 404, 'PROPFIND of a missing resource: a plain 404, no 207');
    $res = propfind($MS . 'a%20b.txt/more', 0);
    is($res->code, 404, 'PROPFIND below a file (path info): 404');

    $res = ms_request(DELETE => $MS . 'a%20b.txt');
    is($res->code, 405, 'DELETE: 405 (read-only)');
    like($res->header('Allow') // '', qr/PROPFIND/, '405 lists the allowed methods');
    ok(-f "$tree/a b.txt", 'the file is still there');

    $res = propfind($OFF, 0);
    is($res->code, 501, 'MultiStatus Off: 501 (the example has no fallback)');
}

# ------------------------------------------------------------ Depth 0
{
    my $doc = ms_207(propfind($MS, 0), 'Depth 0 on the root, empty body (allprop)');
    my @r = $doc ? ms_responses($doc) : ();
    is(scalar @r, 1, 'Depth 0: one response');
    is($r[0]{href}, $MS, 'Depth 0: the request-URI, with its trailing slash');
    my $p = $r[0] ? props_of($r[0]) : {};
    is($p->{"{DAV:}resourcetype"}{collection}, 1, 'root: resourcetype <D:collection/>');
    is($p->{"{DAV:}getcontenttype"}{text}, 'httpd/unix-directory', 'root: getcontenttype httpd/unix-directory');
    ok(!exists $p->{"{DAV:}getcontentlength"}, 'root: no getcontentlength under allprop');
    is($p->{"{DAV:}getlastmodified"}{text}, rfc1123($MTIME), 'root: getlastmodified, RFC 1123');
    is($p->{"{DAV:}creationdate"}{text}, iso8601((stat $tree)[10]),
       'root: creationdate, ISO 8601 of the ctime (as mod_dav_fs)');
    is($p->{"{DAV:}displayname"}{text}, 'ms-files', 'root: displayname');
    ok($p->{"{DAV:}supportedlock"}{empty} && $p->{"{DAV:}lockdiscovery"}{empty},
       'root: supportedlock and lockdiscovery empty');
    is(join(',', sort map { $_->{code} } @{ $r[0]{propstats} || [] }), '200',
       'allprop: one propstat, 200');

    # A folder without its trailing slash: mod_dir redirects it (301), as
    # it does for mod_dav_fs; where DirectorySlash is Off the handler
    # answers, and the href still ends in '/'.
    my $res = propfind($MS . 'sub%20dir', 0);
    is($res->code . ' ' . ($res->header('Location') // ''), '301 ' . ms_url($MS . 'sub%20dir/'),
       'a folder without its slash: 301 from mod_dir');
    is(propfind($MODDAV . 'sub%20dir', 0)->code, 301, '(the same for mod_dav_fs)');
    $doc = ms_207(propfind($INF . 'sub%20dir', 0), 'DirectorySlash Off: Depth 0 on a folder without its slash');
    @r = $doc ? ms_responses($doc) : ();
    is($r[0] ? $r[0]{href} : undef, $INF . 'sub%20dir/', "a folder's href ends in '/'");

    $doc = ms_207(propfind($MS . 'caf%C3%A9.txt', 0, $ALLPROP), 'Depth 0 on a file, allprop');
    @r = $doc ? ms_responses($doc) : ();
    $p = @r ? props_of($r[0]) : {};
    my $f = "$tree/caf\xc3\xa9.txt";
    is($r[0] ? $r[0]{href} : undef, $MS . 'caf%C3%A9.txt', 'file: href');
    ok($p->{"{DAV:}resourcetype"}{empty}, 'file: resourcetype empty');
    is($p->{"{DAV:}getcontentlength"}{text}, -s $f, 'file: getcontentlength');
    is($p->{"{DAV:}getcontenttype"}{text}, 'text/plain', 'file: getcontenttype from mod_mime');
    is($p->{"{DAV:}getetag"}{text}, etag_of($f), 'file: getetag "SIZE-MTIME" (hex)');
    is($p->{"{DAV:}displayname"}{text}, "caf\x{e9}.txt", 'file: displayname, UTF-8');
}

# ------------------------------------------------------------ Depth 1
{
    my $doc = ms_207(propfind($MS, 1), 'Depth 1 on the root');
    my @r = $doc ? ms_responses($doc) : ();
    is($r[0] ? $r[0]{href} : undef, $MS, "Depth 1: the request-URI's response first");
    is_deeply([ sort map { $_->{href} } @r ],
              [ sort $MS, map { $MS . enc($_) } @TOP ],
              'Depth 1: exactly the members, escaped, folders ending in /');
    my %by = map { $_->{href} => $_ } @r;
    my @bad;
    for my $name (@TOP) {
        my $r = $by{ $MS . enc($name) } or next;
        my $p = props_of($r);
        (my $display = $name) =~ s{/$}{};
        my $is_dir = $name =~ m{/$} ? 1 : 0;
        push @bad, "$name: displayname '" . ($p->{"{DAV:}displayname"}{text} // '') . "'"
            unless ($p->{"{DAV:}displayname"}{text} // '') eq decode_utf8($display);
        push @bad, "$name: resourcetype" unless $p->{"{DAV:}resourcetype"}{collection} == $is_dir;
        push @bad, "$name: getcontentlength"
            unless $is_dir ? !exists $p->{"{DAV:}getcontentlength"}
                           : ($p->{"{DAV:}getcontentlength"}{text} // '') eq length $FILES{$name};
        push @bad, "$name: getlastmodified"
            unless ($p->{"{DAV:}getlastmodified"}{text} // '') eq rfc1123($MTIME);
        my %type = (txt => 'text/plain', html => 'text/html', xml => 'application/xml');
        my ($ext) = $name =~ /\.(\w+)$/;
        my $want_type = $is_dir ? 'httpd/unix-directory' : $ext ? $type{$ext} : undef;
        push @bad, "$name: getcontenttype"
            if defined $want_type && ($p->{"{DAV:}getcontenttype"}{text} // '') ne $want_type;
    }
    is_deeply(\@bad, [], 'Depth 1: displayname, resourcetype, getcontentlength, getlastmodified, getcontenttype of every member')
        or diag explain \@bad;

    # escaping of awkward names, as the client reads them
    my %want = (
        'Tom%20&%20Jerry.html' => 'Tom & Jerry.html',
        '100%25%20%231.txt'    => '100% #1.txt',
        'q%3Fmark.txt'         => 'q?mark.txt',
        "it's%20(1).txt"       => "it's (1).txt",
        '%C3%9Cber/'           => "\x{dc}ber",
    );
    for my $href (sort keys %want) {
        my $r = $by{"$MS$href"};
        is($r ? props_of($r)->{"{DAV:}displayname"}{text} : undef, $want{$href},
           "href $MS$href (displayname '$want{$href}')");
    }

    # README: httpd knows no type: no getcontenttype under allprop, 404 when asked
    ok($by{"${MS}README"} && !exists props_of($by{"${MS}README"})->{"{DAV:}getcontenttype"},
       'README (no known type): no getcontenttype under allprop');
    # (t/conf/httpd.conf.in: AddType application/xml .xml)
    is(props_of($by{"${MS}data.xml"} || { propstats => [] })->{"{DAV:}getcontenttype"}{text},
       'application/xml', 'data.xml: application/xml, from the server configuration');
}

# ------------------------------------------------------------ Depth infinity
{
    my $res = propfind($MS, 'infinity');
    is($res->code, 403, 'Depth: infinity refused by default: 403');
    like($res->content, qr{<D:error xmlns:D="DAV:"><D:propfind-finite-depth/></D:error>},
         '403 body: DAV:propfind-finite-depth');
    $res = propfind($MS, undef);
    is($res->code, 403, 'no Depth header means infinity: 403');

    my $doc = ms_207(propfind($INF, 'infinity', prop_body('D:resourcetype')),
                     'Depth: infinity with MultiStatusDepthInfinity On');
    my @r = $doc ? ms_responses($doc) : ();
    is_deeply([ sort map { $_->{href} } @r ],
              [ sort $INF, map { $INF . enc($_) } @ALL ],
              'Depth: infinity: the whole tree');
    my %pos;
    @pos{ map { $_->{href} } @r } = 0 .. $#r;
    my @order_bad = grep { m{^(.*/)[^/]+/?$} && defined $pos{$1} && $pos{$1} > $pos{$_} } keys %pos;
    is_deeply(\@order_bad, [], 'every folder comes before its members');
}

# ------------------------------------------------------------ propname, prop lists
{
    my $doc = ms_207(propfind($MS, 1, $PROPNAME), 'propname, Depth 1');
    my @r = $doc ? ms_responses($doc) : ();
    my @valued = map { my $r = $_; map { "$r->{href} $_" } grep { !props_of($r)->{$_}{empty} } keys %{ props_of($r) } } @r;
    is_deeply(\@valued, [], 'propname: no value at all');
    my %root = $r[0] ? %{ props_of($r[0]) } : ();
    is_deeply([ sort keys %root ],
              [ sort map { "{DAV:}$_" } qw(resourcetype getlastmodified creationdate getetag
                                           getcontenttype displayname supportedlock lockdiscovery) ],
              'propname: the names of a folder');
    my ($file) = grep { $_->{href} eq "${MS}a%20b.txt" } @r;
    ok($file && props_of($file)->{"{DAV:}getcontentlength"}, 'propname: a file has getcontentlength');

    $doc = ms_207(propfind($MS, 1, prop_body(qw(D:displayname D:getcontentlength X:color D:quota-used-bytes))),
                  'prop list with unknown properties');
    @r = $doc ? ms_responses($doc) : ();
    my @bad;
    for my $r (@r) {
        my $is_dir = $r->{href} =~ m{/$};
        my @ps = @{ $r->{propstats} };
        my %names = map { $_->{code} => join(',', sort map { $_->{name} } @{ $_->{props} }) } @ps;
        my $want404 = join ',', sort(($is_dir ? 'getcontentlength' : ()), 'color', 'quota-used-bytes');
        my $want200 = join ',', sort('displayname', ($is_dir ? () : 'getcontentlength'));
        push @bad, "$r->{href}: " . join(' ', map { "$_=$names{$_}" } sort keys %names)
            unless @ps == 2 && ($names{404} // '') eq $want404 && ($names{200} // '') eq $want200;
    }
    is(scalar(@r), 1 + @TOP, 'prop list: one response per resource');
    is_deeply(\@bad, [], 'prop list: known ones 200, unknown ones grouped in one 404 propstat')
        or diag explain \@bad;
    my $x = $doc ? ms_xpc($doc)->findnodes('//*[local-name()="color"]')->[0] : undef;
    is($x ? $x->namespaceURI : undef, $X, "the client's namespace is declared for its 404s");
}

# ------------------------------------------------------------ MultiStatusMaxResponses
{
    my $mark = ms_log_mark();
    my $doc = ms_207(propfind($MAX, 1), 'MultiStatusMaxResponses 3');
    my @r = $doc ? ms_responses($doc) : ();
    is_deeply([ map { defined $_->{code} ? 'status' : 'propstat' } @r ],
              [ ('propstat') x 3, 'status' ], 'the walk stopped after 3 responses');
    is_deeply([ map { $_ && ($_->{href}, $_->{code}) } $r[-1] ], [ $MAX, 507 ],
              'the body ends with a 507 for the request-URI: the answer is cut');
    ms_expect_log_count($mark, qr/\[multistatus:warn\].*MultiStatusMaxResponses/, 1,
                        'the limit is logged once at warn');
}

# ------------------------------------------------------------ cadaver
my $tmp = tempdir('ms-files-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $tmp;

sub cadaver_ls {
    my ($path) = @_;
    my $script = "$tmp/cadaver.in";
    open my $fh, '>', $script or die $!;
    print $fh qq{ls\ncd "sub dir"\nls\nquit\n};
    close $fh;
    my $url = ms_url($path);
    # HOME: an empty folder, so no ~/.netrc or ~/.cadaverrc is read
    my $out = `cd $tmp && HOME=$tmp timeout 30 cadaver '$url' < cadaver.in 2>&1`;
    return ($? >> 8, $out);
}

{
    my $have = grep { -x "$_/cadaver" } split /:/, $ENV{PATH} // '';
    ok($have, 'cadaver is installed (scripts/test installs it)')
        or diag 'apt-get install cadaver';
    my ($rc, $out) = cadaver_ls($MS);
    is($rc, 0, 'cadaver exits 0');
    like($out, qr{Listing collection `/ms-files/': succeeded\.}, 'cadaver: listing of /ms-files/ succeeded')
        or diag $out;
    my @missing = grep { my $n = $_; $n =~ s{/$}{};
                         $out !~ /^(?:Coll:)?\s+\Q$n\E\s+\d+\s/m } @TOP;
    is_deeply(\@missing, [], 'cadaver ls shows every member') or diag $out;
    like($out, qr{^Coll:\s+sub dir\s}m, 'cadaver: "sub dir" is a collection');
    like($out, qr{Listing collection `/ms-files/sub dir/': succeeded\.(?s:.*)^Coll:\s+deeper\s(?s:.*)^\s+note\.txt\s+5\s}m,
         'cadaver: cd into "sub dir" and ls');

    # the same session against mod_dav_fs: the same listing, line by line
    my ($rc2, $out2) = cadaver_ls($MODDAV);
    my @l1 = grep { /^(?:Coll:)?\s+\S.*\s\d+\s+\w{3}\s/ } split /\n/, $out;
    my @l2 = grep { /^(?:Coll:)?\s+\S.*\s\d+\s+\w{3}\s/ } split /\n/, $out2;
    ok(@l1 > 0 && $rc2 == 0, 'cadaver lists mod_dav_fs too');
    is_deeply(\@l1, \@l2, 'cadaver: the same listing lines as for mod_dav_fs (names, sizes, dates)');
}

# ------------------------------------------------------------ neon's 207 parser
my $neon = "$tmp/ms_neon_ls";
{
    my $src = catfile($FindBin::Bin, 'neon', 'ms_neon_ls.c');
    my $out = `gcc -Wall -o '$neon' '$src' \$(pkg-config --cflags --libs neon) 2>&1`;
    ok($? == 0 && -x $neon, 'ms_neon_ls.c builds against libneon27-dev (scripts/test installs it)')
        or diag $out;
}

# { decoded path => { "{ns}name" => [code, value] } }, response count, exit code
sub neon_ls {
    my ($path, $depth, @props) = @_;
    my $url = ms_url($path);
    my $out = `'$neon' '$url' $depth @{[ map { "'$_'" } @props ]} 2>&1`;
    my $rc = $? >> 8;
    my (%res, $cur, $done);
    for my $l (split /\n/, $out) {
        if ($l =~ /^PATH (.*)$/)                 { $cur = $res{$1} = {} }
        elsif ($l =~ /^PROP (\d+) (\{[^}]*\}\S+) ?(.*)$/ && $cur) { $cur->{$2} = [$1, $3] }
        elsif ($l =~ /^DONE (\d+)$/)             { $done = $1 }
    }
    return (\%res, $done, $rc, $out);
}

{
    my ($res, $done, $rc, $out) = neon_ls($MS, 1);
    is($rc, 0, 'neon: Depth 1 PROPFIND parsed without error') or diag $out;
    is($done, 1 + @TOP, 'neon: one result per resource');
    is_deeply([ sort keys %$res ], [ sort $MS, map { "$MS$_" } @TOP ],
              'neon: the decoded paths are the names on disk') or diag $out;
    my @bad;
    for my $name (@TOP) {
        my $p = $res->{"$MS$name"} or next;
        if ($name =~ m{/$}) {
            push @bad, "$name resourcetype" unless ($p->{'{DAV:}resourcetype'}[1] // '') =~ /collection/;
        }
        else {
            push @bad, "$name getcontentlength"
                unless ($p->{'{DAV:}getcontentlength'}[1] // '') eq length $FILES{$name};
        }
        push @bad, "$name getlastmodified" unless ($p->{'{DAV:}getlastmodified'}[0] // 0) == 200;
    }
    is_deeply(\@bad, [], 'neon: resourcetype / getcontentlength / getlastmodified as expected')
        or diag $out;

    ($res, $done, $rc, $out) = neon_ls($MS . 'sub%20dir/', 1, '{DAV:}getcontentlength', "{$X}color");
    my @not404 = grep { ($res->{$_}{"{$X}color"}[0] // 0) != 404 } keys %$res;
    ok($rc == 0 && keys(%$res) == 3 && !@not404, 'neon: unknown property reported 404 for each resource')
        or diag $out;

    # neon reads both servers alike: the same resources, and for the
    # compared properties (see below) the same statuses and values
    my ($ours) = neon_ls($MS, 1);
    my ($dav) = neon_ls($MODDAV, 1);
    my %o = map { (my $k = $_) =~ s{^\Q$MS\E}{}; $k => $ours->{$_} } keys %$ours;
    my %d = map { (my $k = $_) =~ s{^\Q$MODDAV\E}{}; $k => $dav->{$_} } keys %$dav;
    is_deeply([ sort keys %o ], [ sort '', @TOP ],
              'neon read every resource of the listing of mod_ms_files');
    is_deeply([ sort keys %o ], [ sort keys %d ], 'neon: the same resources as mod_dav_fs');
    my (@diff, $compared);
    for my $k (sort keys %o) {
        for my $n (qw(getcontentlength getlastmodified creationdate getcontenttype getetag)) {
            $compared++ if $o{$k}{"{DAV:}$n"} && $d{$k} && $d{$k}{"{DAV:}$n"};
            my ($x, $y) = map { $_->{$k} && $_->{$k}{"{DAV:}$n"} ? join(' ', @{ $_->{$k}{"{DAV:}$n"} }) : '(absent)' } \%o, \%d;
            push @diff, "'$k' $n: ours '$x', mod_dav_fs '$y'" if $x ne $y;
        }
    }
    push @diff, 'fewer than one compared value per resource' unless ($compared // 0) > keys %o;
    is_deeply(\@diff, [], 'neon: the same property values as from mod_dav_fs') or diag explain \@diff;
}

# ------------------------------------------------------------ mod_dav_fs
# The same PROPFIND against mod_ms_files and mod_dav_fs ("Dav On" on an
# Alias of the same folder), compared resource by resource (hrefs decoded,
# mapped by the part after the location), status by status, property by
# property.  Compared: resourcetype, getcontentlength, getlastmodified,
# creationdate, getcontenttype, getetag, lockdiscovery.  Excluded, by name:
#  - supportedlock: mod_dav_fs (with DavLockDB) lists its lock entries; the
#    example is read-only and offers none, so it is empty (both present);
#  - displayname: not a live property of mod_dav_fs (a dead property it
#    would only have after a PROPPATCH); the example sends the name;
#  - {http://apache.org/dav/props/}executable: mod_dav_fs' own property.
# getetag is compared: both use httpd's default format "SIZE-MTIME" (hex),
# and the tree's times are in the past, so neither is weak.  (Should a
# mod_dav_fs release honour FileETag differently, exclude it here: the
# format of an entity tag is the server's choice, only equality counts.)
my @COMPARED = qw(resourcetype getcontentlength getlastmodified creationdate
                  getcontenttype getetag lockdiscovery);
my %ONLY_OURS   = map { $_ => 1 } ('{DAV:}displayname');
my %ONLY_THEIRS = map { $_ => 1 } ('{http://apache.org/dav/props/}executable');

# { suffix => { "{ns}name" => "code value" } } of a 207, plus hrefs in order
sub normalized {
    my ($doc, $prefix, $names) = @_;
    my (%out, @order);
    for my $r (ms_responses($doc)) {
        my $suffix = uri_unescape($r->{href});
        $suffix =~ s{^\Q$prefix\E}{} or $suffix = "(outside $prefix: $r->{href})";
        push @order, $suffix;
        my $p = props_of($r);
        my %n;
        for my $k (keys %$p) {
            my ($name) = $k =~ /^\{DAV:\}(.*)$/;
            next if $names && !($name && grep { $_ eq $name } @$names);
            $n{$k} = "$p->{$k}{code} "
                   . ($name && $name eq 'resourcetype' ? ($p->{$k}{collection} ? 'collection' : '')
                                                       : $p->{$k}{text});
        }
        $n{status} = $r->{code} if defined $r->{code};
        $out{$suffix} = \%n;
    }
    return (\%out, \@order);
}

sub compare {
    my ($what, $ours_path, $dav_path, $depth, $body, $names, $ours_prefix) = @_;
    my $ours = ms_207(propfind($ours_path, $depth, $body), "$what: mod_ms_files answers 207");
    my $dav_res = propfind($dav_path, $depth, $body);
    my $dav = ms_207($dav_res, "$what: mod_dav_fs answers 207 (valid against the schema)",
                     content_type => 'text/xml; charset="utf-8"', foreign => 1);
    return fail("$what: compared") unless $ours && $dav;
    my ($a, $ao) = normalized($ours, $ours_prefix // $MS, $names);
    my ($b, $bo) = normalized($dav, $MODDAV, $names);
    my @diff;
    for my $s (sort keys %{ { %$a, %$b } }) {
        if (!$a->{$s} || !$b->{$s}) {
            push @diff, ($a->{$s} ? 'only mod_ms_files' : 'only mod_dav_fs') . ": '$s'";
            next;
        }
        for my $k (sort keys %{ { %{ $a->{$s} }, %{ $b->{$s} } } }) {
            next if $ONLY_OURS{$k} && !exists $b->{$s}{$k};
            next if $ONLY_THEIRS{$k} && !exists $a->{$s}{$k};
            next if $k eq '{DAV:}supportedlock' && exists $a->{$s}{$k} && exists $b->{$s}{$k};
            my ($x, $y) = ($a->{$s}{$k} // '(absent)', $b->{$s}{$k} // '(absent)');
            push @diff, "'$s' $k: mod_ms_files '$x', mod_dav_fs '$y'" if $x ne $y;
        }
    }
    my $compared = 0;
    $compared += keys %{ $a->{$_} } for keys %$a;
    push @diff, 'nothing was compared' unless $compared > 2 * keys %$a;
    push @diff, "first response: mod_ms_files '$ao->[0]', mod_dav_fs '$bo->[0]'"
        if ($ao->[0] // '') ne ($bo->[0] // '');
    return is_deeply(\@diff, [], "$what: same hrefs, statuses and property values as mod_dav_fs")
        || diag explain \@diff;
}

compare('Depth 1, prop list', $MS, $MODDAV, 1,
        prop_body(map { "D:$_" } @COMPARED, 'displayname'), [ @COMPARED ]);
compare('Depth 1 of a subfolder, prop list', $MS . 'sub%20dir/', $MODDAV . 'sub%20dir/', 1,
        prop_body(map { "D:$_" } @COMPARED), [ @COMPARED ]);
compare('Depth 0 of a file, prop list', $MS . 'README', $MODDAV . 'README', 0,
        prop_body(map { "D:$_" } @COMPARED), [ @COMPARED ]);
compare('Depth 1, allprop (all names but the documented exclusions)', $MS, $MODDAV, 1, $ALLPROP, undef);
compare('Depth 1, empty body', $MS . "%C3%9Cber/", $MODDAV . "%C3%9Cber/", 1, undef, undef);

# ------------------------------------------------------------ getcontenttype cache
# The example asks httpd (a sub-request) for the content type of the first
# file of each extension key in a folder and reuses the answer for the
# others (MsFilesTypeCache On, the default).  Names with dots in odd places
# must still get what mod_mime gives each of them: as from mod_dav_fs,
# which makes a sub-request per file.
compare('Depth 1 of types/ (odd extensions), type cache On', $MS . 'types/', $MODDAV . 'types/', 1,
        prop_body(map { "D:$_" } @COMPARED), [ @COMPARED ]);

# A type given to particular names (<FilesMatch "^special\."> ForceType in
# forced/): MsFilesTypeCache Off gives every file its own, as mod_dav_fs...
compare('MsFilesTypeCache Off, Depth 1 of forced/ (a <FilesMatch> ForceType)',
        $NC . 'forced/', $MODDAV . 'forced/', 1, prop_body(map { "D:$_" } @COMPARED), [ @COMPARED ], $NC);

sub txt_types {   # { href => getcontenttype } of the .txt members, and the hrefs in order
    my ($doc) = @_;
    my @r = grep { $_->{href} =~ /\.txt$/ } ($doc ? ms_responses($doc) : ());
    return ({ map { $_->{href} => props_of($_)->{"{DAV:}getcontenttype"}{text} // '(none)' } @r },
            [ map { $_->{href} } @r ]);
}
{
    my ($types) = txt_types(ms_207(propfind($NC . 'forced/', 1, prop_body('D:getcontenttype')),
                                   'MsFilesTypeCache Off: Depth 1 of forced/'));
    is_deeply($types, { map { ("${NC}forced/$_.txt" => $_ eq 'special' ? 'application/x-special' : 'text/plain') }
                        qw(plain special other more) },
              'MsFilesTypeCache Off: special.txt gets its forced type, the other .txt files text/plain');

    # ...while with the cache On (README: the documented difference) every
    # .txt file of the folder gets the type of the first one listed
    my $order;
    ($types, $order) = txt_types(ms_207(propfind($MS . 'forced/', 1, prop_body('D:getcontenttype')),
                                        'type cache On: Depth 1 of forced/'));
    is(scalar(@$order), 4, 'forced/: the four .txt files are listed');
    my $first = $order->[0] // '';
    my $want = $first =~ m{/special\.txt$} ? 'application/x-special' : 'text/plain';
    is($types->{$first}, $want, "type cache On: the first .txt listed ($first) gets its own type");
    is_deeply([ grep { $types->{$_} ne $want } @$order ], [],
              'type cache On: every other .txt file of the folder gets that same type');
}
