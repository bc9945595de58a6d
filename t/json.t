# MultiStatusJSON: the JSON rendering of the same results, chosen by
# content negotiation.  Every JSON body is parsed by a real JSON parser
# (JSON::PP), validated against docs/multistatus.schema.json by Debian's
# python3-jsonschema, and compared with the XML rendering of the same
# request: same hrefs in the same order, statuses, properties, values.
# Then negotiation (q-values), Vary, Always/Off, HEAD, gzip, a streamed
# body, a failure after commit, the response limit, and hostile strings
# (file names with TAB, LF, CR, quotes, backslashes, U+2028/U+2029).
#
# Locations: t/conf/ms_json.conf.in.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use File::Path qw(make_path remove_tree);
use File::Spec::Functions qw(catfile);
use File::Temp qw(tempfile);
use JSON::PP ();
use Encode qw(decode_utf8);
use FindBin;
use lib "$FindBin::Bin/lib";
use MSTest;

my $SCHEMA = catfile($FindBin::Bin, '..', 'docs', 'multistatus.schema.json');
-f $SCHEMA or $SCHEMA = catfile(Apache::Test::vars('top_dir'), 'docs', 'multistatus.schema.json');
my $PY = '/usr/bin/python3';

# ------------------------------------------------------------ helpers
# Validate a JSON text against the schema: undef when valid, else why.
sub schema_error {
    my ($text) = @_;
    my ($fh, $file) = tempfile(UNLINK => 1);
    binmode $fh;
    print $fh $text;
    close $fh;
    my $out = qx{$PY -c 'import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
doc = json.load(open(sys.argv[2], "rb"))
errs = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc), key=str)
print("\\n".join(e.message + " at " + "/".join(map(str, e.absolute_path)) for e in errs[:5]))
sys.exit(1 if errs else 0)' '$SCHEMA' '$file' 2>&1};
    return $? == 0 ? undef : ($out || "python3 jsonschema failed ($?)");
}

# One assertion: a 207 in JSON, parsed and schema-valid.  Returns the data.
sub json_207 {
    my ($res, $name, %opt) = @_;
    my @why;
    push @why, 'status ' . $res->status_line . ', not 207' unless $res->code == 207;
    my $ct = $res->header('Content-Type') // '(none)';
    push @why, "Content-Type '$ct', not application/json" unless $ct eq 'application/json';
    my $body = $res->content;
    if ($opt{gunzip}) {
        $body = eval { ms_gunzip($body) };
        push @why, "cannot gunzip: $@" unless defined $body;
    }
    my $data = defined $body ? eval { JSON::PP->new->utf8->decode($body) } : undef;
    push @why, "not JSON: $@" if defined $body && !$data;
    if ($data) {
        my $err = schema_error($body);
        push @why, "schema: $err" if $err;
        push @why, 'summary.responses ' . $data->{summary}{responses} . ' != ' . scalar(@{ $data->{responses} })
            unless $data->{summary}{responses} == @{ $data->{responses} };
        # one response per line: a streamed body can be read line by line
        my @lines = grep { /^\{"href"/ } split /\n/, $body;
        push @why, scalar(@lines) . ' response lines for ' . scalar(@{ $data->{responses} }) . ' responses'
            unless @lines == @{ $data->{responses} };
    }
    ok(!@why, $name) or diag(join("\n", @why, 'body: ' . substr($body // '', 0, 600)));
    return @why ? undef : $data;
}

# The XML body as the same structure as the JSON one, for comparison.
sub xml_as_json {
    my ($doc) = @_;
    my @out;
    for my $r (ms_responses($doc)) {
        my %j = (href => $r->{href});
        if (defined $r->{code}) {
            $j{status} = $r->{code};
        }
        else {
            $j{propstats} = [ map {
                my $ps = $_;
                +{ status => $ps->{code},
                   properties => [ map { prop_xml($_) } @{ $ps->{props} } ] }
            } @{ $r->{propstats} } ];
        }
        $j{description} = $r->{description} if defined $r->{description};
        push @out, \%j;
    }
    return \@out;
}

sub prop_xml {
    my ($p) = @_;
    my %q = (namespace => $p->{ns}, name => $p->{name});
    $q{lang} = $p->{lang} if defined $p->{lang};
    my @kids = $p->{node}->childNodes;
    if (grep { $_->nodeType == 1 } @kids) {
        $q{xml_text} = $p->{node}->textContent;
        $q{xml_elems} = [ map { '{' . ($_->namespaceURI // '') . '}' . $_->localname }
                          $p->{node}->findnodes('.//*') ];
    }
    elsif (@kids) {
        $q{value} = $p->{node}->textContent;
    }
    return \%q;
}

# The JSON structure reduced to what the XML one carries.
sub json_norm {
    my ($data) = @_;
    my @out;
    for my $r (@{ $data->{responses} }) {
        my %j = (href => $r->{href});
        $j{status} = $r->{status} if defined $r->{status};
        if ($r->{propstats}) {
            $j{propstats} = [ map {
                my $ps = $_;
                +{ status => $ps->{status},
                   properties => [ map { prop_json($_) } @{ $ps->{properties} } ] }
            } @{ $r->{propstats} } ];
        }
        $j{description} = $r->{description} if defined $r->{description};
        push @out, \%j;
    }
    return \@out;
}

sub prop_json {
    my ($p) = @_;
    my %q = (namespace => $p->{namespace}, name => $p->{name});
    $q{lang} = $p->{lang} if defined $p->{lang};
    if (defined $p->{xml}) {
        # parse the fragment as it stands inside the property element
        my $w = XML::LibXML->load_xml(string => qq{<w xmlns:D="DAV:">$p->{xml}</w>})->documentElement;
        if ($w->findnodes('./*')) {
            $q{xml_text} = $w->textContent;
            $q{xml_elems} = [ map { '{' . ($_->namespaceURI // '') . '}' . $_->localname }
                              $w->findnodes('.//*') ];
        }
        elsif (length $w->textContent) {
            $q{value} = $w->textContent;     # a fragment of text only
        }
    }
    elsif (defined $p->{value} && length $p->{value}) {
        $q{value} = $p->{value};
    }
    return \%q;
}

sub req {
    my ($method, $path, %h) = @_;
    my $body = delete $h{body};
    return ms_request($method => $path, headers => [%h], defined $body ? (body => $body) : ());
}

my $PF_ALL = '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>';

# ------------------------------------------------------------ the tree of mod_ms_files
my $docroot = Apache::Test::vars('documentroot');
my $top = catfile($docroot, 'ms-json');
my $tree = catfile($top, 'tree');
remove_tree($top);
make_path(catfile($tree, 'sub dir'));
# hostile names: the displayname carries them as text
my @HOSTILE = ("tab\there", "nl\nhere", "cr\rhere", 'q"uote', 'back\\slash',
               "ls\xe2\x80\xa8sep", "ps\xe2\x80\xa9sep", 'amp&lt<gt>', "caf\xc3\xa9 \xe6\x97\xa5");
for my $n (@HOSTILE, 'plain.txt', 'sub dir/x.txt') {
    open my $fh, '>', catfile($tree, $n) or die "$n: $!";
    print $fh "x\n";
    close $fh;
}
system('chmod', '-R', 'a+rX', $top);

my @SCENARIOS = qw(basic status props group paths enc ns hooks);

plan tests => 3 * @SCENARIOS + 16 + 4 + 7 + 6 + 3 + 5 + @HOSTILE;

# ------------------------------------------------------------ every API path: XML and JSON say the same
# (the scenarios make refused calls on purpose: their [error] lines are
# expected, as in t/api_*.t)
my $scenario_mark = ms_log_mark();
for my $sc (@SCENARIOS) {
    my $x = req(GET => "/ms-json/$sc", Accept => 'application/xml');
    my $xdoc = ms_207($x, "$sc: XML by Accept: application/xml");
    my $j = req(GET => "/ms-json/$sc", Accept => 'application/json');
    my $jd = json_207($j, "$sc: JSON by Accept: application/json");
    is_deeply($jd && json_norm($jd), $xdoc && xml_as_json($xdoc), "$sc: same hrefs, statuses, properties and values")
        or diag(explain($jd && json_norm($jd)), explain($xdoc && xml_as_json($xdoc)));
}

ms_allow_log($scenario_mark, qr{\[multistatus:error\] .* multistatus: (?:.*\(href (?:/ms-json/|/elsewhere/)|a NULL href|an empty href)});

# ------------------------------------------------------------ negotiation
my @ACCEPT = (
    [ undef,                                            'xml' ],
    [ '*/*',                                            'xml' ],
    [ 'application/json',                               'json' ],
    [ 'Application/JSON',                               'json' ],
    [ 'application/json, text/plain, */*',              'json' ],
    [ 'application/json;q=0.8, */*',                    'xml' ],
    [ 'application/json;q=0.5, application/xml',        'xml' ],
    [ 'application/xml;q=0.5, application/json',        'json' ],
    [ 'application/json, application/xml',              'xml' ],
    [ 'application/json;q=0',                           'xml' ],
    [ 'application/json;q=1.0',                         'json' ],
    [ 'application/json ; q=0.9 , text/xml;q=0.3',      'json' ],
    [ 'application/json;q=abc',                         'xml' ],
    [ 'text/html',                                      'xml' ],
);
for my $a (@ACCEPT) {
    my ($accept, $want) = @$a;
    my $res = req(GET => '/ms-json/basic', defined $accept ? (Accept => $accept) : ());
    my $ct = $res->header('Content-Type') // '';
    my $got = $ct eq 'application/json' ? 'json' : $ct =~ m{^application/xml} ? 'xml' : "other ($ct)";
    is($got, $want, 'Accept ' . ($accept // '(none)') . " -> $want");
}
{
    my $res = req(GET => '/ms-json/basic', Accept => 'application/xml');
    like(join(',', $res->header('Vary')), qr/\bAccept\b/, 'Vary: Accept where JSON is negotiated (XML answer too)');
    my $off = req(GET => '/ms-json-off/basic', Accept => 'application/json');
    ok($off->code == 207 && ($off->header('Content-Type') // '') =~ m{^application/xml}
       && join(',', $off->header('Vary')) !~ /\bAccept\b/,
       'MultiStatusJSON Off (the default): XML whatever Accept says, no Vary: Accept');
}

# ------------------------------------------------------------ Always
{
    my $res = req(GET => '/ms-json-always/basic', Accept => 'application/xml');
    json_207($res, 'Always: JSON even for Accept: application/xml');
    ok(join(',', $res->header('Vary')) !~ /\bAccept\b/, 'Always: no Vary: Accept (nothing is negotiated)');
    my $none = req(GET => '/ms-json-always/basic');
    json_207($none, 'Always: JSON without Accept');
    my $props = json_207(req(GET => '/ms-json-always/props'), 'Always: propstat form');
}

ms_allow_log($scenario_mark, qr{\[multistatus:error\] .* multistatus: .*\(href /ms-json-always/});

# ------------------------------------------------------------ HEAD, gzip
{
    my $gm = ms_log_mark();
    my @r = ms_raw([ ms_raw_build(HEAD => '/ms-json/basic', headers => [Accept => 'application/json'], keepalive => 1),
                     ms_raw_build(GET  => '/ms-json/basic', headers => [Accept => 'application/json']) ]);
    is($r[0]{code}, 207, 'HEAD: 207');
    is($r[0]{headers}{'content-type'}, 'application/json', 'HEAD: application/json');
    is(length($r[0]{body}), 0, 'HEAD: no body (the GET after it on the same connection parses)');
    is($r[0]{headers}{'content-length'}, length($r[1]{body}),
       'HEAD: its Content-Length is the length of the JSON body GET sends');
    my $ok = eval { JSON::PP->new->utf8->decode($r[1]{body}) };
    ok($ok && @{ $ok->{responses} }, 'the GET after the HEAD: a JSON body');
    my $gz = req(GET => '/ms-json-gz/props', Accept => 'application/json', 'Accept-Encoding' => 'gzip');
    is($gz->header('Content-Encoding') // '', 'gzip', 'gzip: Content-Encoding gzip');
    json_207($gz, 'gzip: the body gunzips to valid JSON', gunzip => 1);
    ms_allow_log($gm, qr{\[multistatus:error\] .* multistatus: .*\(href /ms-json-gz/});
}

# ------------------------------------------------------------ streaming, failure, limit
{
    my $r = req(GET => '/ms-json-stream/list?n=20000&form=props&flush=5000', Accept => 'application/json');
    ok(!defined $r->header('Content-Length'), 'streamed: no Content-Length');
    my $d = json_207($r, 'streamed: 20,000 responses, valid JSON');
    is($d && scalar(@{ $d->{responses} }), 20000, 'streamed: 20,000 responses');
    is($d && $d->{summary}{propstat_responses}, 20000, 'streamed: summary counts them');
    my $fm = ms_log_mark();
    my $f = req(GET => '/ms-json-stream/list?n=3000&flush=500&ret=503', Accept => 'application/json',
                'X-Test-Id' => 'json-fail');
    ms_allow_log($fm, qr/the handler failed with status 503 after the 207 was sent/, wait => 5);
    my $fd = json_207($f, 'failure after commit: still valid JSON');
    my $last = $fd && $fd->{responses}[-1];
    ok($last && $last->{status} == 503 && $last->{href} eq '/ms-json-stream/list' && length($last->{description} // ''),
       'failure after commit: the last response is the request-URI with 503 and a description')
        or diag(explain($last));
}
{
    my $m = ms_log_mark();
    my $d = json_207(req(GET => '/ms-json-max/list?n=20', Accept => 'application/json'), 'limit: valid JSON');
    my @r = $d ? @{ $d->{responses} } : ();
    ok(@r == 6 && $r[-1]{status} == 507, 'limit: 5 responses, then the 507') or diag(scalar @r);
    is($d && $d->{summary}{status}{'5xx'}, 1, 'limit: the summary counts the 507');
    ms_allow_log($m, qr/MultiStatusMaxResponses \(5\) reached/, wait => 5);
}

# ------------------------------------------------------------ mod_ms_files: XML and JSON, hostile names
{
    my $x = req(PROPFIND => '/ms-json-files/', Depth => 1, Accept => 'application/xml', body => $PF_ALL);
    my $xdoc = ms_207($x, 'files: XML');
    my $j = req(PROPFIND => '/ms-json-files/', Depth => 1, Accept => 'application/json', body => $PF_ALL);
    my $jd = json_207($j, 'files: JSON');
    is_deeply($jd && json_norm($jd), $xdoc && xml_as_json($xdoc), 'files: the same listing in both')
        or diag(explain($jd && json_norm($jd)));
    my %dn;
    for my $r ($jd ? @{ $jd->{responses} } : ()) {
        for my $ps (@{ $r->{propstats} || [] }) {
            for my $p (@{ $ps->{properties} }) {
                $dn{$p->{value}} = 1 if $p->{name} eq 'displayname' && defined $p->{value};
            }
        }
    }
    like($j->content, qr/\\u2028/, 'U+2028 is escaped as \\u2028 (JavaScript-safe)');
    unlike($j->content, qr/[\x00-\x1f](?<!\n)/, 'no raw control character in the JSON text (but the line breaks between responses)');
    for my $n (@HOSTILE) {
        ok($dn{ decode_utf8($n) }, 'hostile name round-trips: ' . JSON::PP->new->ascii->encode([decode_utf8($n)]));
    }
}
