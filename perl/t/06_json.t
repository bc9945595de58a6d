# JSON bodies (MultiStatusJSON): a catalogue of broken ones, each making
# multistatus_ok fail with a diagnostic that names the fault; real answers
# of mod_multistatus (perl/t/data) and hand-made good ones passing, strict.
# As in 02_catalogue.t, the assertions run inside Test::Tester.
use strict;
use warnings;
use Test::Tester;                   # before Test::Builder (Test::More)
use Test::More;
use FindBin;
use lib "$FindBin::Bin/lib";
use MSBodies;
use Apache::TestMultiStatus qw(:all);

sub run_one {
    my ($code) = @_;
    my ($premature, @results) = run_tests($code);
    die "premature output: $premature" if $premature;
    die 'expected exactly one assertion, got ' . @results unless @results == 1;
    return ($results[0]{ok}, $results[0]{diag});
}

# good_json() changed by $edit (its summary recounted unless $edit sets one)
sub edited {
    my ($edit) = @_;
    my $d = good_json();
    $edit->($d);
    return jres(jdoc($d));
}

# The good body's text changed by a substitution (a fault the encoder cannot
# make); dies when the substitution does not apply, so a case cannot rot.
sub text_edit {
    my ($from, $to, $body) = @_;
    my $t = $body // $GOOD_JSON;
    $t =~ s/$from/$to/ or die "text_edit: $from not found";
    return $t;
}

my $P = sub { $_[0]{responses}[0] };               # /dir/, propstat form
my $S = sub { $_[0]{responses}[1] };               # /dir/a%20b.txt, 204
my $a_status = { href => '/a', status => 200, reason => 'OK' };

# [ name, response or body, options, qr/the diagnostic/ ]
my @broken = (
    # --- not JSON, or not a multistatus
    [ 'not JSON', jres('Internal Server Error'), {},
      qr/not JSON \(line 1\): malformed JSON string/ ],
    [ 'an XML body sent as application/json', jres($GOOD), {},
      qr/not JSON \(line 1\): malformed JSON string/ ],
    [ 'truncated JSON', jres(substr($GOOD_JSON, 0, 200)), {},
      qr/not JSON \(line 2\)/ ],
    [ 'a trailing comma', jres(text_edit(qr/\n\]/, ",\n]")), {}, qr/not JSON \(line \d\)/ ],
    [ 'not UTF-8', jres(text_edit(qr/Tom/, "T\xf6m")), {},
      qr/not valid UTF-8 \(RFC 8259 section 8\.1/ ],
    [ 'a raw TAB inside a string', jres(text_edit(qr/Tom & Jerry/, "Tom\tJerry")), {},
      qr/not JSON: raw control character U\+0009 inside a string \(line 2\): JSON escapes it \(\\t\)/ ],
    [ 'a raw line break inside a string', jres(text_edit(qr/locked by alice/, "locked\nby alice")), {},
      qr/raw control character U\+000A inside a string \(line 4\): JSON escapes it \(\\n\)/ ],
    [ 'a raw U+0001 inside a string', jres(text_edit(qr/green/, "gr\x01een")), {},
      qr/raw control character U\+0001 inside a string \(line 2\): JSON escapes it \(\\u0001\)/ ],
    [ 'top level: an array', jres(qq{[\n{"href":"/a","status":200,"reason":"OK"}\n]\n}), {},
      qr/the top level is an array, not an object \(\{"multistatus":1,"responses":\[\.\.\.\],"summary":\{\.\.\.\}\}\)/ ],
    [ 'top level: a string', jres(qq{"multistatus"}), {}, qr/the top level is a string, not an object/ ],
    [ 'no "multistatus" member', jres(text_edit(qr/"multistatus":1,/, '')), {},
      qr/no "multistatus" member at the top level \(1, the version of the shape\): not a multistatus body/ ],
    [ 'multistatus 2', jres(text_edit(qr/"multistatus":1/, '"multistatus":2')), {},
      qr/multistatus is 2, not 1 \(the version of the shape\)/ ],
    [ 'no "responses" member', jres(qq{{"multistatus":1,"summary":{}}\n}), {},
      qr/no "responses" member at the top level/ ],
    [ 'responses: an object', jres(qq{{"multistatus":1,"responses":{}}\n}), {},
      qr/responses is an object, not an array/ ],
    [ 'an unknown member at the top level', edited(sub { $_[0]{extra} = 1; $_[0]{responses}[0]{x} = 1 }), {},
      qr/unknown member "x" in response \/dir\/ \(the shape has href, status, reason, propstats, error, description, location\)/ ],
    [ 'an unknown member at the top level (text)', jres(text_edit(qr/"description":"done"/, '"describe":"done"')), {},
      qr/unknown member "describe" in the top level/ ],

    # --- responses
    [ 'a response that is a string', edited(sub { $_[0]{responses}[1] = '/dir/a%20b.txt' }), {},
      qr/response #2 is a string, not an object/ ],
    [ 'a response without href', edited(sub { delete $S->($_[0])->{href} }), {},
      qr/response #2 has no href/ ],
    [ 'an empty href', edited(sub { $S->($_[0])->{href} = '' }), {},
      qr/href of response #2 is an empty string/ ],
    [ 'an href that is a number', edited(sub { $S->($_[0])->{href} = 42 }), {},
      qr/href of response #2 is an integer \(42\), not a string/ ],
    [ 'status and propstats both', edited(sub { @{ $P->($_[0]) }{qw(status reason)} = (200, 'OK') }), {},
      qr{response /dir/ has both a status and propstats \(RFC 4918 section 14\.24: one or the other\)} ],
    [ 'neither status nor propstats', edited(sub { delete @{ $S->($_[0]) }{qw(status reason)} }), {},
      qr{response /dir/a%20b\.txt has neither a status nor propstats} ],
    [ 'status 600', edited(sub { $S->($_[0])->{status} = 600 }), {},
      qr{status 600 in response /dir/a%20b\.txt is not an HTTP status code of a 207 \(200\.\.599\)} ],
    [ 'status 102 (1xx)', edited(sub { @{ $S->($_[0]) }{qw(status reason)} = (102, 'Processing') }), {},
      qr{status 102 in response /dir/a%20b\.txt: a 1xx status is never recorded in a 207} ],
    [ 'status 100 in a propstat', edited(sub { $P->($_[0])->{propstats}[1]{status} = 100 }), {},
      qr{status 100 in propstat #2 of response /dir/: a 1xx status} ],
    [ 'status as a string', edited(sub { $S->($_[0])->{status} = '204' }), {},
      qr{status of response /dir/a%20b\.txt is a string \("204"\), not an integer} ],
    [ 'status with a fraction', edited(sub { $S->($_[0])->{status} = 204.5 }), {},
      qr{status of response /dir/a%20b\.txt is a number \(204\.5\), not an integer} ],
    [ 'a status without reason', edited(sub { delete $S->($_[0])->{reason} }), {},
      qr{response /dir/a%20b\.txt has a status but no reason} ],
    [ 'an empty reason', edited(sub { $S->($_[0])->{reason} = '' }), {},
      qr{reason of response /dir/a%20b\.txt is an empty string, not a reason phrase} ],
    [ 'a reason without status', edited(sub { $P->($_[0])->{reason} = 'OK' }), {},
      qr{response /dir/ has a reason but no status} ],
    [ 'an empty error', edited(sub { $_[0]{responses}[2]{error} = {} }), {},
      qr{the error of response /dir/locked\(1\)\.doc has no namespace.*the error of response /dir/locked\(1\)\.doc has no name}s ],
    [ 'an error that is a string', edited(sub { $_[0]{responses}[2]{error} = 'locked' }), {},
      qr{the error of response /dir/locked\(1\)\.doc is a string, not an object} ],
    [ 'a location that is an object', edited(sub { $_[0]{responses}[3]{location} = { href => '/dir/new' } }), {},
      qr{location of response /dir/old is an object \(\{"href":"/dir/new"\}\), not a string} ],
    [ 'a description that is a number', edited(sub { $_[0]{responses}[2]{description} = 7 }), {},
      qr{description of response /dir/locked\(1\)\.doc is an integer \(7\), not a string} ],

    # --- propstats and properties
    [ 'propstats: an empty array', edited(sub { $P->($_[0])->{propstats} = [] }), {},
      qr{propstats of response /dir/ is an empty array \(a propstat-form response has at least one\)} ],
    [ 'propstats: an object', edited(sub { $P->($_[0])->{propstats} = {} }), {},
      qr{propstats of response /dir/ is an object, not an array} ],
    [ 'a propstat without status', edited(sub { delete $P->($_[0])->{propstats}[1]{status} }), {},
      qr{propstat #2 of response /dir/ has no status} ],
    [ 'a propstat without properties', edited(sub { delete $P->($_[0])->{propstats}[1]{properties} }), {},
      qr{propstat #2 \(404\) of response /dir/ has no properties} ],
    [ 'an unknown member in a propstat', edited(sub { $P->($_[0])->{propstats}[0]{prop} = [] }), {},
      qr{unknown member "prop" in propstat #1 \(200\) of response /dir/} ],
    [ 'a property without name', edited(sub { delete $P->($_[0])->{propstats}[0]{properties}[0]{name} }), {},
      qr{property #1 of propstat #1 \(200\) of response /dir/ has no name} ],
    [ 'a property with an empty namespace', edited(sub { $P->($_[0])->{propstats}[0]{properties}[0]{namespace} = '' }), {},
      qr{namespace of property #1 of propstat #1 \(200\) of response /dir/ is an empty string} ],
    [ 'a property with a value and an xml value', edited(sub {
          $P->($_[0])->{propstats}[0]{properties}[1]{value} = 'collection' }), {},
      qr{property \{DAV:\}resourcetype of response /dir/ has both a value and an xml value \(one or the other\)} ],
    [ 'an xml value that is not well-formed', edited(sub {
          $P->($_[0])->{propstats}[0]{properties}[1]{xml} = '<D:collection>' }), {},
      qr{the xml value of property \{DAV:\}resourcetype of response /dir/ is not an XML fragment .*: not well-formed XML} ],
    [ 'an xml value with an undeclared prefix', edited(sub {
          $P->($_[0])->{propstats}[0]{properties}[1]{xml} = '<Z:collection/>' }), {},
      qr{the xml value of property \{DAV:\}resourcetype of response /dir/ is not an XML fragment.*undeclared namespace prefix 'Z'} ],
    [ 'a value that is a number', edited(sub { $P->($_[0])->{propstats}[0]{properties}[0]{value} = 8 }), {},
      qr{value of property \{DAV:\}displayname of response /dir/ is an integer \(8\), not a string} ],
    [ 'an unknown member in a property', edited(sub { $P->($_[0])->{propstats}[0]{properties}[0]{type} = 'text' }), {},
      qr{unknown member "type" in property \{DAV:\}displayname of response /dir/ \(the shape has namespace, name, lang, value, xml\)} ],

    # --- the summary
    [ 'no summary', edited(sub { $_[0]{summary} = undef }), {},
      qr/no summary at the top level \(the counts a streamed body gives at its end\)/ ],
    [ 'summary: responses miscounted', edited(sub { $_[0]{summary} = summary_of($_[0]{responses}); $_[0]{summary}{responses} = 5 }), {},
      qr/summary\.responses is 5, but the number of responses is 6/ ],
    [ 'summary: a status class miscounted', edited(sub { $_[0]{summary} = summary_of($_[0]{responses}); $_[0]{summary}{status}{'4xx'} = 0 }), {},
      qr/summary\.status\.4xx is 0, but the number of status-form responses with a 4xx status is 1/ ],
    [ 'summary: properties miscounted', edited(sub { $_[0]{summary} = summary_of($_[0]{responses}); $_[0]{summary}{properties}{'2xx'} = 3 }), {},
      qr/summary\.properties\.2xx is 3, but the number of properties in 2xx propstats is 4/ ],
    [ 'summary: propstat responses miscounted', edited(sub { $_[0]{summary} = summary_of($_[0]{responses}); $_[0]{summary}{propstat_responses} = 6 }), {},
      qr/summary\.propstat_responses is 6, but the number of responses in propstat form is 2/ ],
    [ 'summary: a class missing', edited(sub { $_[0]{summary} = summary_of($_[0]{responses}); delete $_[0]{summary}{status}{'5xx'} }), {},
      qr/the summary has no status\.5xx/ ],
    [ 'summary: a negative count', edited(sub { $_[0]{summary} = summary_of($_[0]{responses}); $_[0]{summary}{status}{'5xx'} = -1 }), {},
      qr/summary\.status\.5xx is -1, not a count/ ],
    [ 'summary: an array', edited(sub { $_[0]{summary} = [6] }), {},
      qr/the summary is an array, not an object/ ],

    # --- hrefs
    [ 'duplicate href', edited(sub { push @{ $_[0]{responses} }, { %$a_status, href => '/dir/old' } }), {},
      qr{href /dir/old appears in 2 responses \(RFC 4918 section 14\.24: at most one\)} ],
    [ 'mixed href forms', edited(sub { push @{ $_[0]{responses} }, { %$a_status, href => 'http://h/b' } }), {},
      qr{hrefs mix forms in one body \(path: /dir/, uri: http://h/b\)} ],
    [ 'relative hrefs', jres(jdoc({ responses => [ { %$a_status, href => 'a' } ] })), {},
      qr{hrefs are relative references \(a\)} ],
    [ 'an absolute path where absolute URIs are wanted', jres($GOOD_JSON), { href_form => 'uri' },
      qr{href not an absolute URI: /dir/} ],

    # --- the text
    [ 'a member twice in an object', jres(text_edit(qr/"reason":"No Content"/, '"reason":"No Content","reason":"OK"')), {},
      qr/member "reason" appears twice in an object \(line 3\)/ ],
    [ 'all on one line', jres(JSON::PP->new->canonical->utf8->encode({ multistatus => 1, %{ good_json() },
                                                                 summary => summary_of(good_json()->{responses}) })), {},
      qr/the 6 responses are not one per line: response #1 \(\/dir\/\) does not begin line 1; response #2 .*; \.\.\. \(the first line opens the list, each response stands on a line of its own, the last line closes the list: a client reads a streamed body line by line\)/ ],
    [ 'pretty-printed', jres(JSON::PP->new->canonical->pretty->utf8->encode({ multistatus => 1, %{ good_json() },
                                                                        summary => summary_of(good_json()->{responses}) })), {},
      qr/the 6 responses are not one per line: response #1 \(\/dir\/\) spans lines 5 to 45; response #2 \(\/dir\/a%20b\.txt\) spans lines 46 to 50/ ],
    [ 'two responses on a line, one over two', jres(text_edit(qr/,"status":204/, qq{,\n"status":204},
                                                     text_edit(qr/\},\n\{"href":"\/dir\/a%20b/, '},{"href":"/dir/a%20b'))), {},
      qr/the 6 responses are not one per line: response #1 \(\/dir\/\) is followed on line 2 by more than a comma; response #2 \(\/dir\/a%20b\.txt\) spans lines 2 to 3/ ],
    [ 'the list opened on the line of the first response', jres(text_edit(qr/"responses":\[\n/, qq{"responses":\n[})), {},
      qr/the 6 responses are not one per line: response #1 \(\/dir\/\) does not begin line 2/ ],
    [ 'the list closed on the line of the last response', jres(text_edit(qr/\n\]/, qq{]\n})), {},
      qr/the 6 responses are not one per line: response #6 \(\/dir\/late\) is followed on line 7 by more than the end of the line/ ],
    [ 'an empty line among the responses', jres(text_edit(qr/,\n\{"href":"\/dir\/old"/, qq(,\n\n{"href":"/dir/old"))), {},
      qr/the 6 responses are not one per line: the body has 9 lines, not 8/ ],
    [ 'not a 207', jres($GOOD_JSON, code => 200, message => 'OK'), {},
      qr{HTTP status is '200 OK', not 207 Multi-Status} ],
    [ 'JSON sent as text/plain', res($GOOD_JSON, type => 'text/plain'), {},
      qr{Content-Type is 'text/plain', not an XML type \(application/xml or text/xml\) nor JSON \(application/json\)} ],
    [ 'XML where JSON is asked for', res($GOOD), { format => 'json' },
      qr{the answer is XML \(Content-Type application/xml; charset=utf-8\), not JSON as asked} ],
    [ 'JSON where XML is asked for', jres($GOOD_JSON), { format => 'xml' },
      qr{the answer is JSON \(Content-Type application/json\), not XML as asked} ],
    [ 'a gzip body that is not gzip', jres($GOOD_JSON, headers => [ [ 'Content-Encoding' => 'gzip' ] ]), {},
      qr{cannot decode the body \(Content-Encoding: gzip\)} ],

    # --- a schema of one's own (json_schema): responses at most 1
    [ 'a schema of the test\'s own', jres($GOOD_JSON), { json_schema => "$FindBin::Bin/data/one-response.schema.json" },
      qr{not valid against one-response\.schema\.json: /responses: more than 1 items} ],

    # --- strict: what mod_multistatus always does
    [ 'status 204 with the reason OK', edited(sub { $S->($_[0])->{reason} = 'OK' }), { strict => 1 },
      qr{status 204 with reason 'OK' in response /dir/a%20b\.txt: mod_multistatus writes 'No Content'} ],
    [ 'a known code with its class name', edited(sub { @{ $S->($_[0]) }{qw(status reason)} = (226, 'Success') }), { strict => 1 },
      qr{status 226 with reason 'Success' in response /dir/a%20b\.txt: mod_multistatus writes 'IM Used'} ],
    [ '404 OK in a propstat', edited(sub { $P->($_[0])->{propstats}[1]{reason} = 'OK' }), { strict => 1 },
      qr{status 404 with reason 'OK' in propstat #2 of response /dir/: mod_multistatus writes 'Not Found'} ],
    [ 'a charset on application/json', jres($GOOD_JSON, type => 'application/json; charset=utf-8'), { strict => 1 },
      qr{Content-Type is 'application/json; charset=utf-8': mod_multistatus sends application/json} ],
    [ 'a raw U+2028 in a string', jres(text_edit(qr/green/, "gr\xe2\x80\xa8een")), { strict => 1 },
      qr{raw U\+2028 inside a string \(line 2\): mod_multistatus escapes it \(\\u2028\)} ],
    [ 'a space after a colon', jres(text_edit(qr/"status":204/, '"status": 204')), { strict => 1 },
      qr{whitespace outside strings on line 3 \(the output is compact} ],
    [ 'the first line otherwise', jres(text_edit(qr/\A\{"multistatus":1,"responses":\[/, '{"responses":[', $GOOD_JSON) =~ s/\n\]/\n],"multistatus":1/r), { strict => 1 },
      qr{the first line is not \{"multistatus":1,"responses":\[ \(as mod_multistatus writes it\)} ],
    [ 'no line break at the end', jres(text_edit(qr/\n\z/, '')), { strict => 1 },
      qr{the body does not end with a line break} ],
    [ 'an href with a raw space', edited(sub { $S->($_[0])->{href} = '/dir/a b.txt' }), { strict => 1 },
      qr{href '/dir/a b\.txt' in response /dir/a b\.txt: a character a URI path cannot hold \(' ', U\+0020} ],
    [ 'an href with //', edited(sub { $S->($_[0])->{href} = '/dir//b' }), { strict => 1 },
      qr{href '/dir//b' .*: an empty path segment} ],
    [ 'a location with a bad escape', edited(sub { $_[0]{responses}[3]{location} = '/dir/%zz' }), { strict => 1 },
      qr{href '/dir/%zz' in response /dir/old: a bad percent-escape} ],
    [ 'a location with a 200', edited(sub { @{ $_[0]{responses}[3] }{qw(status reason)} = (200, 'OK') }), { strict => 1 },
      qr{response /dir/old has a location but no 3xx status} ],
    [ 'two propstats of one status', edited(sub { $P->($_[0])->{propstats}[1]{status} = 200;
                                                   $P->($_[0])->{propstats}[1]{reason} = 'OK' }), { strict => 1 },
      qr{response /dir/ has two propstats for status 200 \(properties are grouped by status\)} ],
    [ 'a property twice in one response', edited(sub { $P->($_[0])->{propstats}[1]{properties}[0] =
                                                       { namespace => 'DAV:', name => 'displayname' } }), { strict => 1 },
      qr{property \{DAV:\}displayname appears twice in response /dir/} ],
    [ 'a value in a 404 property', edited(sub { $P->($_[0])->{propstats}[1]{properties}[0]{value} = 'red' }), { strict => 1 },
      qr{property \{urn:example:props\}missing of response /dir/ has a value in its 404 propstat} ],
    [ 'a property name that is not an XML name', edited(sub { $P->($_[0])->{propstats}[0]{properties}[2]{name} = 'col or' }), { strict => 1 },
      qr{property \{urn:example:props\}col or of response /dir/: 'col or' is not an XML name} ],
    [ 'an error name that is not an XML name', edited(sub { $_[0]{responses}[2]{error}{name} = '1st' }), { strict => 1 },
      qr{the error of response /dir/locked\(1\)\.doc: '1st' is not an XML name} ],
);
for my $case (@broken) {
    my ($name, $res, $opt, $re) = @$case;
    my ($ok, $diag) = run_one(sub { multistatus_ok($res, $name, %$opt) });
    ok(!$ok, "$name: multistatus_ok fails");
    like($diag, $re, "$name: the diagnostic says why");
    like($diag, qr/^body:\n/m, "$name: the diagnostic shows the body");
    my @p = multistatus_problems($res, %$opt);
    ok(scalar @p, "$name: multistatus_problems lists it");
}

# Strict problems only in strict mode: these bodies keep the published shape.
my %shape_ok = map { $_ => 1 } ('status 204 with the reason OK', 'a known code with its class name',
    '404 OK in a propstat', 'a charset on application/json', 'a raw U+2028 in a string',
    'a space after a colon', 'the first line otherwise', 'no line break at the end',
    'an href with //', 'a location with a bad escape', 'a location with a 200',
    'two propstats of one status', 'a property twice in one response', 'a value in a 404 property',
    'a property name that is not an XML name', 'an error name that is not an XML name');
for my $case (grep { $shape_ok{ $_->[0] } } @broken) {
    my ($name, $res) = @$case;
    is_deeply([ multistatus_problems($res) ], [], "$name: valid in the default mode");
}
is(scalar(grep { $shape_ok{ $_->[0] } } @broken), scalar(keys %shape_ok), 'every default-mode case exists');

# ---------------------------------------------------------------- good bodies
for my $good (
    [ 'hand-made, every form', jres($GOOD_JSON), { strict => 1, href_form => 'path', format => 'json' } ],
    [ 'hand-made, as a string', $GOOD_JSON, { strict => 1 } ],
    [ 'hand-made, URIs', jres($GOOD_JSON =~ s{"(href|location)":"/}{"$1":"http://127.0.0.1:8529/}gr),
      { strict => 1, href_form => 'uri' } ],
    [ 'an empty multistatus', jres(jdoc({ responses => [] })), { strict => 1 } ],
    [ 'U+2028 escaped', jres(text_edit(qr/green/, 'gr\u2028een')), { strict => 1 } ],
    (map { [ "mod_multistatus: $_.json", real_res("$_.json"), { strict => 1 } ] } real_names()),
) {
    my ($name, $thing, $opt) = @$good;
    my $ret;
    my ($ok, $diag) = run_one(sub { $ret = multistatus_ok($thing, $name, %$opt) });
    ok($ok, "$name: multistatus_ok passes") or diag($diag);
    is(ref $ret eq 'HASH' && $ret->{format}, 'json', "$name: returns the structure of a JSON body");
}
my @real = real_names();
cmp_ok(scalar @real, '>=', 10, 'the real bodies are there');

# A gzip-encoded JSON body is decoded first.
{
    require IO::Compress::Gzip;
    my $gz;
    IO::Compress::Gzip::gzip(\$GOOD_JSON => \$gz) or die 'gzip failed';
    my ($ok, $diag) = run_one(sub {
        multistatus_ok(jres($gz, headers => [ [ 'Content-Encoding' => 'gzip' ] ]), 'gzip', strict => 1) });
    ok($ok, 'a gzip-encoded JSON body is checked decoded') or diag($diag);
}

# multistatus_parse says why it cannot read a body.
ok(!eval { multistatus_parse(jres('{"multistatus":')); 1 }, 'multistatus_parse dies on a body that is not JSON');
like($@, qr/multistatus_parse: not JSON/, 'and says so');

done_testing();
