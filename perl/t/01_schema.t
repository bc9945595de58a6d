# The two RELAX NG schemas on their own (no Perl check involved): the strict
# one rejects every broken body of issue 15 that the permissive one lets
# through; status lines are exactly the module's (ms_status_reason() in
# ms_xml.c), code by code.
use strict;
use warnings;
use Test::More;
use FindBin;
use File::Spec;
use lib "$FindBin::Bin/lib";
use MSBodies;
use XML::LibXML;
use Apache::TestMultiStatus qw(status_reason schema_file);

my $top = File::Spec->rel2abs("$FindBin::Bin/../..");
my %schema = map { $_ => XML::LibXML::RelaxNG->new(location => schema_file($_ eq 'strict')) }
             qw(strict permissive);

# '' when valid, else libxml2's message
sub invalid {
    my ($which, $body) = @_;
    my $doc = XML::LibXML->load_xml(string => $body);
    return eval { $schema{$which}->validate($doc); 1 } ? '' : ($@ || 'invalid');
}

sub body { doc($_[0], ns => [ [ ns1 => 'urn:x' ] ]) }

my $status = '<D:status>HTTP/1.1 200 OK</D:status>';
my $resp = "<D:response><D:href>/a</D:href>$status</D:response>";

# ---------------------------------------------------------------- good bodies
for my $w (qw(strict permissive)) {
    is(invalid($w, $GOOD), '', "$w: module output with paths is valid");
    is(invalid($w, $GOOD_URI), '', "$w: module output with URIs is valid");
    is(invalid($w, doc('')), '', "$w: an empty multistatus is valid");
    is(invalid($w, body('<D:response><D:href>/a</D:href><D:propstat><D:prop>'
                         . '<D:sync-token>http://x/1</D:sync-token></D:prop>'
                         . "$status</D:propstat></D:response>")), '',
       "$w: DAV:sync-token as a property (RFC 6578 section 4) is valid");
}
is(invalid('permissive', $DAV_FS), '', 'permissive: a mod_dav_fs body is valid');
isnt(invalid('strict', $DAV_FS), '', 'strict: a mod_dav_fs body is not');

# ---------------------------------------------------------------- issue 15, item 1
my @issue15 = (
    [ 'a property straight inside D:response',
      body("<D:response><D:href>/a</D:href>$status<ns1:color>red</ns1:color></D:response>") ],
    [ 'a property straight inside D:propstat',
      body('<D:response><D:href>/a</D:href><D:propstat><D:prop/>'
           . "$status<ns1:color>red</ns1:color></D:propstat></D:response>") ],
    [ 'a property straight inside D:multistatus', body("$resp<ns1:color>red</ns1:color>") ],
    [ 'a property straight inside D:location',
      body('<D:response><D:href>/a</D:href><D:status>HTTP/1.1 301 Moved Permanently</D:status>'
           . '<D:location><D:href>/b</D:href><ns1:color>red</ns1:color></D:location></D:response>') ],
    [ 'xml:lang on D:multistatus',
      qq{<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:" xml:lang="en">$resp</D:multistatus>} ],
    (map { [ "xml:lang on D:$_->[0]", body($_->[1]) ] }
     [ response => "<D:response xml:lang=\"en\"><D:href>/a</D:href>$status</D:response>" ],
     [ href => "<D:response><D:href xml:lang=\"en\">/a</D:href>$status</D:response>" ],
     [ status => '<D:response><D:href>/a</D:href><D:status xml:lang="en">HTTP/1.1 200 OK</D:status></D:response>' ],
     [ propstat => '<D:response><D:href>/a</D:href><D:propstat xml:lang="en"><D:prop/>'
                   . "$status</D:propstat></D:response>" ],
     [ prop => '<D:response><D:href>/a</D:href><D:propstat><D:prop xml:lang="en"/>'
               . "$status</D:propstat></D:response>" ],
     [ responsedescription => "<D:response><D:href>/a</D:href>$status"
                              . '<D:responsedescription xml:lang="en">x</D:responsedescription></D:response>' ],
     [ error => '<D:response><D:href>/a</D:href><D:status>HTTP/1.1 423 Locked</D:status>'
                . '<D:error xml:lang="en"><D:lock-token-submitted/></D:error></D:response>' ],
     [ location => '<D:response><D:href>/a</D:href><D:status>HTTP/1.1 301 Moved Permanently</D:status>'
                   . '<D:location xml:lang="en"><D:href>/b</D:href></D:location></D:response>' ]),
    [ 'HTTP/1.1 200 Not Found', body('<D:response><D:href>/a</D:href>'
                                     . '<D:status>HTTP/1.1 200 Not Found</D:status></D:response>') ],
    [ 'HTTP/1.1 404 OK in a propstat', body('<D:response><D:href>/a</D:href><D:propstat><D:prop><D:getetag/>'
                                            . '</D:prop><D:status>HTTP/1.1 404 OK</D:status></D:propstat></D:response>') ],
    [ 'href /a%zz//<b>e-acute', body("<D:response><D:href>/a%zz//&lt;b&gt;\xc3\xa9</D:href>$status</D:response>") ],
    [ 'href with a bad escape', body("<D:response><D:href>/a%zz</D:href>$status</D:response>") ],
    [ 'href with //', body("<D:response><D:href>/a//b</D:href>$status</D:response>") ],
    [ 'href with <', body("<D:response><D:href>/a&lt;b</D:href>$status</D:response>") ],
    [ 'href with a non-ASCII character', body("<D:response><D:href>/\xc3\xa9</D:href>$status</D:response>") ],
    [ 'a value inside a 404 property',
      body('<D:response><D:href>/a</D:href><D:propstat><D:prop><ns1:color>red</ns1:color></D:prop>'
           . '<D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>') ],
    [ 'an XML value inside a 404 property',
      body('<D:response><D:href>/a</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype>'
           . '</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>') ],
    [ 'DAV:sync-token at the end of D:multistatus', body("$resp<D:sync-token>http://x/1</D:sync-token>") ],
    [ 'DAV:sync-token in D:response',
      body("<D:response><D:href>/a</D:href>$status<D:sync-token>http://x/1</D:sync-token></D:response>") ],
    [ 'DAV:sync-token in D:propstat',
      body('<D:response><D:href>/a</D:href><D:propstat><D:prop/>'
           . "$status<D:sync-token>http://x/1</D:sync-token></D:propstat></D:response>") ],
);
for my $case (@issue15) {
    my ($name, $body) = @$case;
    isnt(invalid('strict', $body), '', "strict schema rejects: $name");
}
# What the permissive schema (the suite's t/schema/multistatus.rng before
# this change) accepted: the bodies the strict one was written for.
for my $name ('a property straight inside D:response', 'a property straight inside D:propstat',
              'a property straight inside D:multistatus', 'xml:lang on D:response',
              'HTTP/1.1 200 Not Found', 'href /a%zz//<b>e-acute', 'a value inside a 404 property',
              'DAV:sync-token at the end of D:multistatus') {
    my ($case) = grep { $_->[0] eq $name } @issue15;
    is(invalid('permissive', $case->[1]), '', "the permissive schema accepts: $name");
}

# More of the strict grammar.
my @more = (
    [ 'a location with a 200', "<D:response><D:href>/a</D:href>$status<D:location><D:href>/b</D:href></D:location></D:response>" ],
    [ 'a location in a propstat response', '<D:response><D:href>/a</D:href><D:propstat><D:prop/>'
      . "$status</D:propstat><D:location><D:href>/b</D:href></D:location></D:response>" ],
    [ 'two hrefs', "<D:response><D:href>/a</D:href><D:href>/b</D:href>$status</D:response>" ],
    [ 'an error with two codes', '<D:response><D:href>/a</D:href><D:status>HTTP/1.1 423 Locked</D:status>'
      . '<D:error><D:lock-token-submitted/><D:no-conflicting-lock/></D:error></D:response>' ],
    [ 'an error code with content', '<D:response><D:href>/a</D:href><D:status>HTTP/1.1 423 Locked</D:status>'
      . '<D:error><D:lock-token-submitted><D:href>/a</D:href></D:lock-token-submitted></D:error></D:response>' ],
    [ 'an attribute on a property', '<D:response><D:href>/a</D:href><D:propstat><D:prop>'
      . "<ns1:c ns1:x=\"1\"/></D:prop>$status</D:propstat></D:response>" ],
    [ 'a bad language tag', '<D:response><D:href>/a</D:href><D:propstat><D:prop>'
      . "<ns1:c xml:lang=\"en us\"/></D:prop>$status</D:propstat></D:response>" ],
    [ 'a property without namespace', '<D:response><D:href>/a</D:href><D:propstat><D:prop>'
      . "<plain/></D:prop>$status</D:propstat></D:response>" ],
    [ 'an element in a responsedescription', "<D:response><D:href>/a</D:href>$status"
      . '<D:responsedescription>a <ns1:b/></D:responsedescription></D:response>' ],
    [ 'a dot segment', "<D:response><D:href>/a/./b</D:href>$status</D:response>" ],
    [ 'a dot-dot segment', "<D:response><D:href>/a/../b</D:href>$status</D:response>" ],
    [ 'a fragment', "<D:response><D:href>/a#b</D:href>$status</D:response>" ],
    [ 'a relative href', "<D:response><D:href>a</D:href>$status</D:response>" ],
    [ 'an ftp URI', "<D:response><D:href>ftp://h/a</D:href>$status</D:response>" ],
    [ 'HTTP/1.0', '<D:response><D:href>/a</D:href><D:status>HTTP/1.0 200 OK</D:status></D:response>' ],
    [ 'two spaces', '<D:response><D:href>/a</D:href><D:status>HTTP/1.1  200 OK</D:status></D:response>' ],
    [ 'a trailing space', '<D:response><D:href>/a</D:href><D:status>HTTP/1.1 200 OK </D:status></D:response>' ],
);
for my $case (@more) {
    isnt(invalid('strict', body($case->[1])), '', "strict schema rejects: $case->[0]");
}
my @fine = (
    [ 'segments starting with dots', "<D:response><D:href>/.a/..b/.../a.</D:href>$status</D:response>" ],
    [ 'sub-delims, : and @ raw', "<D:response><D:href>/a(1)!\$&amp;'*+,;=:\@~_-.x/</D:href>$status</D:response>" ],
    [ 'a query', "<D:response><D:href>/a?x=1&amp;y=/z?</D:href>$status</D:response>" ],
    [ 'lowercase escapes', "<D:response><D:href>/a%c3%a9</D:href>$status</D:response>" ],
    [ 'an https URI with a port', "<D:response><D:href>https://example.org:8443/</D:href>$status</D:response>" ],
    [ 'an IPv6 URI', "<D:response><D:href>http://[::1]:80/a</D:href>$status</D:response>" ],
    [ 'the root', "<D:response><D:href>/</D:href>$status</D:response>" ],
    [ 'an empty 200 propstat (return=minimal)', "<D:response><D:href>/a</D:href><D:propstat><D:prop></D:prop>$status</D:propstat></D:response>" ],
    [ 'xml:lang on an empty 404 property', '<D:response><D:href>/a</D:href><D:propstat><D:prop>'
      . '<ns1:c xml:lang="fr-CA"/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>' ],
);
for my $case (@fine) {
    is(invalid('strict', body($case->[1])), '', "strict schema accepts: $case->[0]");
}

# ---------------------------------------------------------------- status lines
# Every code 100..699 with the reasons that could be confused: the strict
# schema takes exactly "HTTP/1.1 NNN <status_reason(NNN)>", in response and
# propstat alike; the permissive one any reason for 200..599.
my %classes = map { $_ => 1 } qw(Success Redirection), 'Client Error', 'Server Error';
my (@bad_accept, @good_reject, @perm_reject);
for my $code (100 .. 699) {
    my $want = status_reason($code);
    my %try = map { $_ => 1 } grep { defined } $want, keys %classes, 'OK', 'Not Found', 'Processing';
    for my $reason (sort keys %try) {
        my $line = "HTTP/1.1 $code $reason";
        my $expect = defined $want && $reason eq $want;
        for my $b (body("<D:response><D:href>/a</D:href><D:status>$line</D:status></D:response>"),
                   body('<D:response><D:href>/a</D:href><D:propstat><D:prop/>'
                        . "<D:status>$line</D:status></D:propstat></D:response>")) {
            my $valid = invalid('strict', $b) eq '';
            push @bad_accept, $line if $valid && !$expect;
            push @good_reject, $line if !$valid && $expect;
            my $pvalid = invalid('permissive', $b) eq '';
            push @perm_reject, $line if $pvalid != ($code >= 200 && $code <= 599);
        }
    }
}
is_deeply(\@bad_accept, [], 'strict schema: no status line with a wrong reason passes');
is_deeply(\@good_reject, [], 'strict schema: every line the module writes passes');
is_deeply(\@perm_reject, [], 'permissive schema: any reason for 200..599, nothing else');
is(status_reason(299), 'Success', 'a code without a name: its class');
is(status_reason(199), undef, 'no reason outside 200..599');

# The Perl table is the C table: read ms_status_reason() from the source.
{
    my ($c) = grep { -f } map { File::Spec->catfile($top, @$_) } [ 'src', 'core', 'ms_xml.c' ], [ 'src', 'ms_xml.c' ], [ 'ms_xml.c' ];
    ok($c, 'ms_xml.c found in the source tree') or BAIL_OUT("no ms_xml.c below $top");
    open my $fh, '<', $c or die "$c: $!";
    my $src = do { local $/; <$fh> };
    my ($fn) = $src =~ /\bms_status_reason\s*\(int status\)\s*\{(.*?)\n\}/s;
    ok($fn, 'ms_status_reason() found in ms_xml.c');
    my %c = ($fn // '') =~ /case (\d{3}): return "([^"]+)";/g;
    my @codes = sort keys %c;
    cmp_ok(scalar @codes, '>', 50, 'its table has the codes') or diag("found: @codes");
    my @diff = grep { (status_reason($_) // '') ne $c{$_} } @codes;
    is_deeply(\@diff, [], 'Apache::TestMultiStatus names every code as the module does');
    my %cls = ($fn // '') =~ /status >= (\d)00 && status < \d00\)\s*return "([^"]+)";/g;
    is_deeply(\%cls, { 2 => 'Success', 3 => 'Redirection', 4 => 'Client Error', 5 => 'Server Error' },
              'and the classes of the codes it does not name');
    my @extra = grep { !exists $c{$_} && !$classes{ status_reason($_) } } 200 .. 599;
    is_deeply(\@extra, [], 'and names no code the module does not');
}

# ---------------------------------------------------------------- the suite's copy
# t/schema/multistatus.rng (read by t/lib/MSTest.pm) is the installed
# permissive schema, until the suite reads it from the module.
{
    my $copy = File::Spec->catfile($top, 't', 'schema', 'multistatus.rng');
    my $read = sub { open my $fh, '<', $_[0] or return "(cannot read $_[0]: $!)"; local $/; <$fh> };
    is($read->($copy), $read->(schema_file(0)), 't/schema/multistatus.rng is the installed permissive schema');
}

done_testing();
