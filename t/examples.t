# Tests of the example consumer modules, examples/mod_ms_bulk.c (direct
# calls) and examples/mod_ms_props.c (optional functions + the
# multistatus_prepare_response hook), with real requests.  Their Locations
# are in t/conf/ms_examples.conf.in; the trees they serve are (re)created
# here, below DocumentRoot/ms-examples, before the requests.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use File::Find ();
use File::Path qw(make_path remove_tree);
use File::Spec::Functions qw(catfile);
use FindBin;
use lib "$FindBin::Bin/lib";
use MSTest;

plan tests => 31;

my $DAV   = 'DAV:';
my $EX    = 'urn:example:props';
my $IS_ROOT = ($> == 0);

# ------------------------------------------------------------ the trees
my $docroot = Apache::Test::vars('documentroot');
my $top     = catfile($docroot, 'ms-examples');
my $user    = Apache::Test::vars('user');
my ($uid, $gid) = (getpwnam($user))[2, 3];

sub put {
    my ($path, $content) = @_;
    open my $fh, '>', $path or die "cannot write $path: $!";
    binmode $fh;
    print $fh $content;
    close $fh;
}

# what httpd (User nobody) may delete: chown to it when we are root
sub give_to_server {
    my @paths = @_;
    return unless $IS_ROOT && defined $uid;
    chown $uid, $gid, @paths;
}

# a folder whose members httpd may not delete
sub protect {
    my ($dir) = @_;
    if ($IS_ROOT) { chown 0, 0, $dir; chmod 0755, $dir; }
    else          { chmod 0555, $dir; }
}

sub tree_of {
    my ($dir) = @_;
    my @all;
    File::Find::find({ no_chdir => 1, wanted => sub { push @all, $_ } }, $dir);
    return @all;
}

if (-d $top) {
    # a non-root run leaves read-only folders behind
    File::Find::find({ no_chdir => 1, wanted => sub { chmod 0755, $_ if -d $_ } }, $top);
    remove_tree($top);
}

# POST checks: bulk/check
my $b = "$top/bulk";
make_path("$b/check/sub", "$top/props", "$top/verbose");
put("$b/check/README.txt", "readme\n");
put("$b/check/Tom & Jerry.txt", "cartoon\n");
put("$b/check/caf\xc3\xa9.txt", "menu\n");
put("$b/check/secret.txt", "secret\n");
put("$b/check/private-notes.txt", "hidden by the hook under /bulk/redacted/\n");
put("$b/other.txt", "one level up\n");
symlink('/etc/passwd', "$b/check/link") or die "symlink: $!";
chmod 0644, "$b/check/README.txt", "$b/check/Tom & Jerry.txt", "$b/check/caf\xc3\xa9.txt",
            "$b/check/private-notes.txt", "$b/other.txt";
chmod 0000, "$b/check/secret.txt";

# DELETE trees: some members can be deleted, some are locked, some protected
sub make_trash {
    my ($dir, $with_failures) = @_;
    make_path("$dir/nested/deeper");
    put("$dir/a.txt", "a\n");
    put("$dir/b c.txt", "b\n");
    put("$dir/nested/deeper/x.txt", "x\n");
    if ($with_failures) {
        make_path("$dir/keep");
        put("$dir/locked.doc", "doc\n");
        put("$dir/locked.doc.lock", "lock\n");
        put("$dir/keep/x.txt", "x\n");
    }
    give_to_server(tree_of($dir));
    protect("$dir/keep") if $with_failures;
}
make_trash("$b/trash", 1);
make_trash("$b/clean", 0);
make_trash("$top/verbose/trash", 1);
make_trash("$top/verbose/clean", 0);
put("$b/single.txt", "one\n");
put("$b/single-locked.txt", "one\n");
put("$b/single-locked.txt.lock", "lock\n");
give_to_server("$b", "$top/verbose", "$b/single.txt", "$b/single-locked.txt", "$b/single-locked.txt.lock");

# big trees
for my $name (qw(stream limit)) {
    my $n = $name eq 'stream' ? 300 : 20;
    make_path("$top/$name/dir");
    put(sprintf("%s/%s/dir/member-%03d.txt", $top, $name, $_), "$_\n") for 1 .. $n;
    give_to_server(tree_of("$top/$name"));
}

# PROPFIND: props
my $p = "$top/props";
make_path("$p/Documents", "$p/Photos/summer", "$p/private");
put("$p/README.txt", "0123456789");               # 10 bytes
put("$p/Documents/Tom & Jerry.txt", "cartoon\n");
put("$p/Documents/100% done.txt", "done\n");
put("$p/Documents/Q1 #3.txt", "q1\n");
put("$p/Documents/caf\xc3\xa9.txt", "menu\n");
put("$p/Documents/private-notes.txt", "hidden\n");
put("$p/Photos/summer/beach.jpg", "jpg\n");
put("$p/private/diary.txt", "diary\n");
put("$p/private-plans.txt", "plans\n");
File::Find::find({ no_chdir => 1,
                   wanted => sub { chmod((-d $_ ? 0755 : 0644), $_) unless -l $_ } }, $p);
chmod 0755, $top, $b, "$b/check", "$b/check/sub", "$top/verbose";

# ------------------------------------------------------------ helpers
sub codes {
    my ($doc) = @_;
    return { map { $_->{href} => $_->{code} } ms_responses($doc) };
}

sub post_names {
    my ($path, @lines) = @_;
    return ms_request(POST => $path, headers => ['Content-Type' => 'text/plain'],
                      body => join('', map { "$_\n" } @lines));
}

# ------------------------------------------------------------ mod_ms_bulk: POST
{
    my $res = post_names('/bulk/check/',
        'README.txt',                 # 1
        'Tom & Jerry.txt',            # 2
        "caf\xc3\xa9.txt",            # 3
        'sub',                        # 4
        'missing.txt',                # 5
        'secret.txt',                 # 6
        '../../../etc/passwd',        # 7: escapes the tree
        '../other.txt',               # 8: up, but still inside
        '/etc/passwd',                # 9: absolute
        "a\tb",                       # 10: control character
        'link',                       # 11: symbolic link
        '',                           # 12: blank, ignored
        'README.txt',                 # 13: again: one response
        './sub',                      # 14: same href as "sub"
    );
    my $doc = ms_207($res, 'POST /bulk/check/: 207');
    subtest 'POST: one result per name' => sub {
        plan skip_all => 'no 207' unless $doc;
        my $by = eval { ms_by_href($doc) };
        ok($by, 'every href appears once') or diag($@);
        $by ||= {};
        my %want = (
            '/bulk/check/README.txt'            => 200,
            '/bulk/check/Tom%20&%20Jerry.txt'   => 200,
            '/bulk/check/caf%C3%A9.txt'         => 200,
            '/bulk/check/sub'                   => 200,
            '/bulk/check/missing.txt'           => 404,
            '/bulk/check/secret.txt'            => 403,
            # names that leave the collection keep their own href (issue 8)
            '/bulk/check/%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd' => 403,
            '/bulk/check/%2Fetc%2Fpasswd'       => 422,
            '/bulk/check/%2E%2E%2Fother%2Etxt'  => 200,
            '/bulk/check/a%09b'                 => 422,
            '/bulk/check/link'                  => 403,
        );
        is_deeply(codes($doc), \%want, 'hrefs and statuses')
            or diag(explain(codes($doc)));
        like($by->{'/bulk/check/a%09b'}{description} // '', qr/^line 10: control characters/,
             '422 says which line and why');
        like($by->{'/bulk/check/%2Fetc%2Fpasswd'}{description} // '', qr/^line 9: .*absolute/,
             'an absolute name has its own response');
        like($by->{'/bulk/check/link'}{description} // '', qr/symbolic link/, 'symlink: why');
        like($by->{'/bulk/check/secret.txt'}{description} // '', qr/not readable/,
             'unreadable: why');
        is($by->{'/bulk/check/README.txt'}{description}, undef, '200 has no description');
        like($res->content, qr{<D:href>/bulk/check/Tom%20&amp;%20Jerry.txt</D:href>},
             'the & of an href is XML-escaped on the wire');
    };
}

{
    my $res = post_names('/bulk/check/', '../../../etc/passwd');
    my $doc = ms_207($res, 'POST: a name leading out of the tree');
    my ($r) = $doc ? ms_responses($doc) : ();
    is_deeply([ $r && $r->{href}, $r && $r->{code}, $r && $r->{description} ],
              [ '/bulk/check/%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd', 403,
                'outside the tree this location serves' ],
              'POST: escaping the tree is 403, with a reason');
}

subtest 'POST: plain answers when there is nothing to list' => sub {
    is(ms_request(POST => '/bulk/check/', body => '')->code, 204, 'empty body: 204');
    is(post_names('/bulk/check/', '', '')->code, 204, 'blank lines only: 204');
    is(ms_request(POST => '/bulk/check/', headers => ['Content-Type' => 'application/json'],
                  body => '["a"]')->code, 415, 'not text/plain: 415');
    is(post_names('/bulk/nowhere/', 'a')->code, 404, 'missing collection: 404');
    is(post_names('/bulk/other.txt', 'a')->code, 409, 'not a collection: 409');
    is(ms_request(POST => '/bulk/check/', headers => ['Content-Type' => 'text/plain'],
                  body => "a\0b\n")->code, 400, 'NUL in the body: 400');
    is(ms_request(POST => '/bulk/check/', headers => ['Content-Type' => 'text/plain'],
                  body => ('x' x (64 * 1024 + 1)))->code, 413, 'too big: 413');
    my $res = ms_request(GET => '/bulk/check/');
    is($res->code, 405, 'GET: 405');
    like($res->header('Allow') // '', qr/POST.*DELETE|DELETE.*POST/, 'Allow lists POST, DELETE');
    unlike(ms_request(GET => '/bulk/ro/check/')->header('Allow') // '', qr/DELETE/,
           'no DELETE in Allow where it is off');
};

# MultiStatus Off: every call returns MS_EDISABLED, the handler degrades
{
    my $res = post_names('/bulk/off/check/', 'README.txt', 'missing.txt', 'secret.txt');
    is_deeply([ $res->code, scalar($res->header('Content-Type')), $res->content ],
              [ 200, 'text/plain; charset=utf-8',
                "200 README.txt\n404 missing.txt\n403 secret.txt: not readable\n" ],
              'MultiStatus Off: the handler answers text/plain on its own');
}

# the redaction hook of mod_ms_props also applies to mod_ms_bulk's answers
{
    my $res = post_names('/bulk/redacted/check/', 'README.txt', 'private-notes.txt', 'missing.txt');
    my $doc = ms_207($res, 'POST /bulk/redacted/: 207');
    is_deeply($doc ? codes($doc) : undef,
              { '/bulk/redacted/check/README.txt' => 200,
                '/bulk/redacted/check/missing.txt' => 404 },
              'MsPropsHidePrivate On hides private* from another handler\'s 207');
}

# ------------------------------------------------------------ mod_ms_bulk: DELETE
{
    my $res = ms_request(DELETE => '/bulk/trash/');
    my $doc = ms_207($res, 'DELETE /bulk/trash/: 207');
    subtest 'DELETE: only failures are listed (RFC 4918 9.6.1)' => sub {
        plan skip_all => 'no 207' unless $doc;
        is_deeply(codes($doc), { '/bulk/trash/locked.doc' => 423,
                                 '/bulk/trash/keep/x.txt' => 403 },
                  'the locked and the protected member, nothing else')
            or diag(explain(codes($doc)));
        my $by = ms_by_href($doc);
        is_deeply($by->{'/bulk/trash/locked.doc'}{error}, ["{DAV:}lock-token-submitted"],
                  '423 carries DAV:lock-token-submitted');
        ok(!-e "$b/trash/a.txt" && !-e "$b/trash/b c.txt" && !-e "$b/trash/nested",
           'the others are gone');
        ok(-e "$b/trash/locked.doc" && -e "$b/trash/locked.doc.lock" && -e "$b/trash/keep/x.txt",
           'locked and protected members stay, with the lock file');
        ok(-d "$b/trash", 'the collection stays (it still has members)');
    };
}

{
    my $res = ms_request(DELETE => '/bulk/verbose/trash/');
    my $doc = ms_207($res, 'DELETE /bulk/verbose/trash/: 207');
    my $t = '/bulk/verbose/trash/';
    is_deeply($doc ? codes($doc) : undef,
              { "${t}a.txt" => 204, "${t}b%20c.txt" => 204,
                "${t}nested/deeper/x.txt" => 204, "${t}nested/deeper/" => 204,
                "${t}nested/" => 204, "${t}locked.doc" => 423, "${t}keep/x.txt" => 403 },
              'MsBulkReportSuccess On: every member, 204 included, no parent of a failure');
}

{
    my $res = ms_request(DELETE => '/bulk/verbose/clean/');
    my $doc = ms_207($res, 'DELETE /bulk/verbose/clean/: 207');
    my $t = '/bulk/verbose/clean/';
    my @hrefs = $doc ? map { $_->{href} } ms_responses($doc) : ();
    is_deeply([ $hrefs[-1], scalar @hrefs, -e "$top/verbose/clean" ? 1 : 0 ],
              [ $t, 6, 0 ],
              'all deleted: the collection itself too, reported last');
}

# streaming: 300 members, MultiStatusBufferSize 1024
{
    my $res = ms_request(DELETE => '/bulk/stream/dir/');
    my $doc = ms_207($res, 'DELETE /bulk/stream/dir/ (300 members): 207');
    my @r = $doc ? ms_responses($doc) : ();
    is_deeply([ scalar @r, scalar(grep { $_->{code} == 204 } @r), $r[-1] && $r[-1]{href},
                scalar($res->header('Content-Length')), -e "$top/stream/dir" ? 1 : 0 ],
              [ 301, 301, '/bulk/stream/dir/', undef, 0 ],
              'streamed (no Content-Length): 300 members and the folder, all 204');
}

# MultiStatusMaxResponses 5: the walk stops, what is not listed stays
{
    my $mark = ms_log_mark();
    my $res = ms_request(DELETE => '/bulk/limit/dir/');
    my $doc = ms_207($res, 'DELETE /bulk/limit/dir/ past MultiStatusMaxResponses: 207');
    my @r = $doc ? ms_responses($doc) : ();
    my @deleted = grep { $_->{code} == 204 } @r;
    my $left = () = glob("$top/limit/dir/*");
    is_deeply([ scalar @deleted, $left, scalar(grep { $_->{code} == 507 } @r),
                $r[-1] && $r[-1]{code}, $r[-1] && $r[-1]{href} ],
              [ 5, 15, 1, 507, '/bulk/limit/dir/' ],
              'MS_ELIMIT: 5 deleted and listed, 15 stay, the body ends with a 507 '
              . 'for the collection');
    ms_expect_log_count($mark, qr/\[multistatus:warn\].*MultiStatusMaxResponses/, 1,
                        'the module warns once when the limit is reached');
}

subtest 'DELETE: plain answers' => sub {
    my $res = ms_request(DELETE => '/bulk/clean/');
    is($res->code, 204, 'everything deleted, nothing to list: plain 204');
    ok(!-e "$b/clean", 'the collection is gone');
    is(ms_request(DELETE => '/bulk/single.txt')->code, 204, 'one file: 204');
    ok(!-e "$b/single.txt", 'it is gone');
    is(ms_request(DELETE => '/bulk/single-locked.txt')->code, 423, 'one locked file: 423');
    ok(-e "$b/single-locked.txt" && -e "$b/single-locked.txt.lock",
       'the locked file and its lock file are still there');
    is(ms_request(DELETE => '/bulk/nothing.txt')->code, 404, 'missing: 404');
    is(ms_request(DELETE => '/bulk/ro/check/')->code, 405, 'MsBulkAllowDelete Off: 405');
    ok(-e "$b/check/README.txt", 'nothing deleted there');
};

# ------------------------------------------------------------ mod_ms_props
sub propfind {
    my ($path, $depth, $body) = @_;
    return ms_request(PROPFIND => $path,
                      headers => [ (defined $depth ? (Depth => $depth) : ()),
                                   ($body ? ('Content-Type' => 'application/xml') : ()) ],
                      body => $body);
}

{
    my $res = propfind('/props/', 1);
    my $doc = ms_207($res, 'PROPFIND Depth 1 /props/: 207');
    subtest 'PROPFIND Depth 1: allprop over a folder' => sub {
        plan skip_all => 'no 207' unless $doc;
        my @r = ms_responses($doc);
        is_deeply([ map { $_->{href} } @r ],
                  [ '/props/', '/props/Documents/', '/props/Photos/', '/props/README.txt' ],
                  'request-URI first, members sorted, private* hidden');
        my %by = map { $_->{href} => $_ } @r;
        my $readme = $by{'/props/README.txt'};
        is(ms_prop($readme, $DAV, 'displayname')->{value_text}, 'README.txt', 'displayname');
        is(ms_prop($readme, $DAV, 'getcontentlength')->{value_text}, '10', 'getcontentlength');
        ok(ms_prop($readme, $DAV, 'resourcetype')->{empty}, 'file: empty resourcetype');
        like(ms_prop($readme, $DAV, 'getlastmodified')->{value_text} // '',
             qr/^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/, 'getlastmodified: RFC 1123');
        my $color = ms_prop($readme, $EX, 'color');
        is_deeply([ $color->{value_text}, $color->{lang}, $color->{code} ],
                  [ 'green', 'en', 200 ], 'custom namespace property, with xml:lang');
        my $docs = $by{'/props/Documents/'};
        is(ms_prop($docs, $DAV, 'resourcetype')->{value_xml}, '<D:collection/>',
           'folder: <D:collection/>');
        is(ms_prop($docs, $DAV, 'getcontentlength'), undef,
           'allprop lists no 404s (no length for a folder)');
        is(ms_prop($by{'/props/Photos/'}, $EX, 'color')->{value_text}, 'blue',
           'MsPropsColor on a folder');
        is(ms_prop($by{'/props/'}, $DAV, 'displayname')->{value_text}, 'props',
           'displayname of the location itself');
        is(scalar(map { @{ $_->{propstats} } } @r), 4, 'one propstat per response (all 200)');
    };
}

{
    my $res = propfind('/props/Documents', 1);
    my $doc = ms_207($res, 'PROPFIND Depth 1 /props/Documents: 207');
    subtest 'PROPFIND: escaping of hrefs and text' => sub {
        plan skip_all => 'no 207' unless $doc;
        my @r = ms_responses($doc);
        is_deeply([ map { $_->{href} } @r ],
                  [ '/props/Documents/', '/props/Documents/100%25%20done.txt',
                    '/props/Documents/Q1%20%233.txt', '/props/Documents/Tom%20&%20Jerry.txt',
                    '/props/Documents/caf%C3%A9.txt' ],
                  'collection href ends in /, names percent-encoded, private-notes hidden');
        my %by = map { $_->{href} => $_ } @r;
        is(ms_prop($by{'/props/Documents/Tom%20&%20Jerry.txt'}, $DAV, 'displayname')->{value_text},
           'Tom & Jerry.txt', 'displayname with &');
        my $cafe = ms_prop($by{'/props/Documents/caf%C3%A9.txt'}, $DAV, 'displayname');
        is($cafe->{value_text}, "caf\x{e9}.txt", 'non-ASCII displayname');
        like($res->content, qr{<D:displayname>Tom &amp; Jerry\.txt</D:displayname>},
             '& escaped on the wire');
    };
}

{
    my $body = '<?xml version="1.0" encoding="utf-8"?>'
             . '<D:propfind xmlns:D="DAV:" xmlns:E="urn:example:props" xmlns:X="http://example.com/x">'
             . '<D:prop><D:displayname/><D:getcontentlength/><E:color/><X:rating/>'
             . '<D:quota-used-bytes/></D:prop></D:propfind>';
    my $res = propfind('/props/Photos/', 0, $body);
    my $doc = ms_207($res, 'PROPFIND Depth 0 with <D:prop>: 207');
    subtest 'PROPFIND <D:prop>: found 200, unknown 404, one propstat each' => sub {
        plan skip_all => 'no 207' unless $doc;
        my @r = ms_responses($doc);
        is(scalar @r, 1, 'Depth 0: one response');
        my @ps = @{ $r[0]{propstats} };
        is_deeply([ map { $_->{code} } @ps ], [ 200, 404 ], 'propstats in first-seen order');
        is_deeply([ map { "{$_->{ns}}$_->{name}" } @{ $ps[0]{props} } ],
                  [ '{DAV:}displayname', "{$EX}color" ], '200: the known ones');
        is_deeply([ map { "{$_->{ns}}$_->{name}" } @{ $ps[1]{props} } ],
                  [ '{DAV:}getcontentlength', '{http://example.com/x}rating',
                    '{DAV:}quota-used-bytes' ],
                  '404: length of a folder, and what the module does not know');
        ok(!(grep { !$_->{empty} } @{ $ps[1]{props} }), '404 properties are empty');
    };
}

{
    my $body = '<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>';
    my $res = propfind('/props/README.txt', 0, $body);
    my $doc = ms_207($res, 'PROPFIND propname: 207');
    my ($r) = $doc ? ms_responses($doc) : ();
    my @props = $r ? @{ $r->{propstats}[0]{props} } : ();
    is_deeply([ map { [ "{$_->{ns}}$_->{name}", $_->{empty} ] } @props ],
              [ map { [ $_, 1 ] } '{DAV:}displayname', '{DAV:}resourcetype',
                '{DAV:}getcontentlength', '{DAV:}getlastmodified', "{$EX}color" ],
              'propname: names only, empty elements');
}

subtest 'PROPFIND: plain answers' => sub {
    my $res = propfind('/props/', undef);
    is($res->code, 403, 'no Depth (infinity): 403');
    like($res->content, qr{<D:error xmlns:D="DAV:"><D:propfind-finite-depth/></D:error>},
         'with DAV:propfind-finite-depth');
    is(propfind('/props/', 'infinity')->code, 403, 'Depth: infinity: 403');
    is(propfind('/props/', '2')->code, 400, 'Depth: 2: 400');
    is(propfind('/props/nothing.txt', 0)->code, 404, 'missing resource: plain 404');
    is(propfind('/props/private/', 0)->code, 404, 'hidden resource: 404');
    is(propfind('/props/private-plans.txt', 0)->code, 404, 'hidden file: 404');
    is(propfind('/props/', 0, '<D:propfind xmlns:D="DAV:"><D:prop><nons/></D:prop></D:propfind>')->code,
       400, 'a property in no namespace: 400');
    my $mark = ms_log_mark();
    is(propfind('/props/', 0, '<not xml')->code, 400, 'malformed body: 400');
    # httpd's own XML parser logs the client's bad XML at [error]
    ms_allow_log($mark, qr/XML parser error|XML parse/);
    $res = ms_request(GET => '/props/README.txt');
    is($res->code, 405, 'GET: 405');
    like($res->header('Allow') // '', qr/PROPFIND/, 'Allow lists PROPFIND');
};

{
    my $res = propfind('/props/all/', 1);
    my $doc = ms_207($res, 'PROPFIND /props/all/ (hook off): 207');
    is_deeply([ $doc ? map { $_->{href} } ms_responses($doc) : () ],
              [ '/props/all/', '/props/all/Documents/', '/props/all/Photos/',
                '/props/all/README.txt', '/props/all/private/', '/props/all/private-plans.txt' ],
              'MsPropsHidePrivate Off: private* listed');
}
