package MSBodies;

# Bodies and responses shared by the tests of Apache::TestMultiStatus.

use strict;
use warnings;

use Exporter 'import';
use File::Basename ();
use File::Spec ();
use HTTP::Response ();
use JSON::PP ();

our @EXPORT = qw(doc res $GOOD $GOOD_URI $DAV_FS
                 jdoc jres good_json summary_of real_res real_names $GOOD_JSON);

my $DECL = qq{<?xml version="1.0" encoding="utf-8"?>\n};

# A body as mod_multistatus writes it, around the given responses.
sub doc {
    my ($inner, %opt) = @_;
    my $ns = join '', map { qq{ xmlns:$_->[0]="$_->[1]"} } @{ $opt{ns} || [] };
    return $DECL . qq{<D:multistatus xmlns:D="DAV:"$ns>$inner</D:multistatus>\n};
}

# An HTTP::Response carrying a body.
sub res {
    my ($body, %opt) = @_;
    my $r = HTTP::Response->new($opt{code} // 207, $opt{message} // 'Multi-Status');
    $r->protocol('HTTP/1.1');
    $r->header('Content-Type' => $opt{type} // 'application/xml; charset=utf-8')
        unless exists $opt{type} && !defined $opt{type};
    $r->header(@$_) for @{ $opt{headers} || [] };
    $r->content($body);
    return $r;
}

# Every form mod_multistatus writes: status and propstat responses, values
# as text and XML, xml:lang, 404 names, errors, descriptions, a 3xx with its
# location, a code without a name, a late namespace declared on a response.
our $GOOD = doc(
    '<D:response><D:href>/dir/</D:href><D:propstat><D:prop>'
  . '<D:displayname>Tom &amp; Jerry</D:displayname>'
  . '<D:resourcetype><D:collection/></D:resourcetype>'
  . '<ns1:color xml:lang="en">green</ns1:color></D:prop>'
  . '<D:status>HTTP/1.1 200 OK</D:status></D:propstat>'
  . '<D:propstat><D:prop><ns1:missing/><D:getetag/></D:prop>'
  . '<D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>'
  . '<D:response><D:href>/dir/a%20b.txt</D:href><D:status>HTTP/1.1 204 No Content</D:status></D:response>'
  . '<D:response><D:href>/dir/locked(1).doc</D:href><D:status>HTTP/1.1 423 Locked</D:status>'
  . '<D:error><D:lock-token-submitted/></D:error>'
  . '<D:responsedescription>locked by alice</D:responsedescription></D:response>'
  . '<D:response><D:href>/dir/old</D:href><D:status>HTTP/1.1 301 Moved Permanently</D:status>'
  . '<D:location><D:href>/dir/new</D:href></D:location></D:response>'
  . '<D:response><D:href>/dir/odd?x=1</D:href><D:status>HTTP/1.1 299 Success</D:status></D:response>'
  . '<D:response xmlns:ns2="urn:example:late"><D:href>/dir/late</D:href><D:propstat><D:prop>'
  . '<ns2:p><ns2:q a="1">v</ns2:q></ns2:p></D:prop><D:status>HTTP/1.1 200 OK</D:status>'
  . '<D:responsedescription>late</D:responsedescription></D:propstat></D:response>'
  . '<D:responsedescription>done</D:responsedescription>',
    ns => [ [ ns1 => 'urn:example:props' ] ]);

# The same hrefs as absolute URIs.
(our $GOOD_URI = $GOOD) =~ s{<D:href>/}{<D:href>http://127.0.0.1:8529/}g;

# What mod_dav_fs sends: valid RFC 4918, but not the module's style
# (indentation, DAV: bound to several prefixes, an extension element).
our $DAV_FS = <<'EOX';
<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:ns0="DAV:">
<D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/">
<D:href>/dav/</D:href>
<D:propstat>
<D:prop>
<lp1:resourcetype><D:collection/></lp1:resourcetype>
<lp1:getlastmodified>Sun, 13 Sep 2020 12:26:40 GMT</lp1:getlastmodified>
<D:supportedlock>
<D:lockentry>
<D:lockscope><D:exclusive/></D:lockscope>
<D:locktype><D:write/></D:locktype>
</D:lockentry>
</D:supportedlock>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
<X:extension xmlns:X="urn:example:ext">allowed by RFC 4918 section 17</X:extension>
</D:response>
</D:multistatus>
EOX

# ---------------------------------------------------------------- JSON

# A JSON body laid out as mod_multistatus writes it: the opening line, one
# response per line, then the description and the summary (computed from
# the responses unless given).  $data: { responses => [...], description,
# summary }, any of them may be left out or replaced.
sub jdoc {
    my ($data) = @_;
    my $enc = JSON::PP->new->canonical->allow_nonref;
    my @r = map { $enc->encode($_) } @{ $data->{responses} || [] };
    my %rest = (summary => exists $data->{summary} ? $data->{summary}
                                                   : summary_of($data->{responses} || []));
    $rest{description} = $data->{description} if exists $data->{description};
    delete $rest{summary} unless defined $rest{summary};
    my $tail = join '', map { ',"' . $_ . '":' . $enc->encode($rest{$_}) } sort keys %rest;
    my $text = '{"multistatus":1,"responses":[' . "\n" . join(",\n", @r) . (@r ? "\n" : '')
             . ']' . $tail . "}\n";
    utf8::encode($text);
    return $text;
}

# An HTTP::Response with a JSON body.
sub jres {
    my ($body, %opt) = @_;
    return res($body, type => 'application/json', %opt);
}

# The summary of a list of responses, as the module counts (what is not of
# the shape is not counted).
sub summary_of {
    my ($list) = @_;
    my %s = (responses => scalar @$list, propstat_responses => 0,
             status => { map { ("${_}xx" => 0) } 2 .. 5 },
             properties => { map { ("${_}xx" => 0) } 2 .. 5 });
    my $class = sub { my ($c) = @_; defined $c && $c =~ /\A([2-5])\d\d\z/ ? "$1xx" : undef };
    for my $r (grep { ref $_ eq 'HASH' } @$list) {
        if (exists $r->{status}) {
            my $c = $class->($r->{status});
            $s{status}{$c}++ if $c && !exists $r->{propstats};
            next;
        }
        next unless ref $r->{propstats} eq 'ARRAY';
        $s{propstat_responses}++;
        for my $ps (grep { ref $_ eq 'HASH' } @{ $r->{propstats} }) {
            my $c = $class->($ps->{status});
            $s{properties}{$c} += @{ $ps->{properties} }
                if $c && ref $ps->{properties} eq 'ARRAY';
        }
    }
    return \%s;
}

# The same results as $GOOD, in JSON.
sub good_json {
    return {
        responses => [
            { href => '/dir/', propstats => [
                { status => 200, reason => 'OK', properties => [
                    { namespace => 'DAV:', name => 'displayname', value => 'Tom & Jerry' },
                    { namespace => 'DAV:', name => 'resourcetype', xml => '<D:collection/>' },
                    { namespace => 'urn:example:props', name => 'color', lang => 'en', value => 'green' } ] },
                { status => 404, reason => 'Not Found', properties => [
                    { namespace => 'urn:example:props', name => 'missing' },
                    { namespace => 'DAV:', name => 'getetag' } ] } ] },
            { href => '/dir/a%20b.txt', status => 204, reason => 'No Content' },
            { href => '/dir/locked(1).doc', status => 423, reason => 'Locked',
              error => { namespace => 'DAV:', name => 'lock-token-submitted' },
              description => 'locked by alice' },
            { href => '/dir/old', status => 301, reason => 'Moved Permanently', location => '/dir/new' },
            { href => '/dir/odd?x=1', status => 299, reason => 'Success' },
            { href => '/dir/late', propstats => [
                { status => 200, reason => 'OK', description => 'late', properties => [
                    { namespace => 'urn:example:late', name => 'p',
                      xml => '<ns2:q xmlns:ns2="urn:example:late" a="1">v</ns2:q>' } ] } ] },
        ],
        description => 'done',
    };
}
our $GOOD_JSON = jdoc(good_json());

# Real answers of mod_multistatus (perl/t/data, made by capture.pl): the
# names of the pairs NAME.xml and NAME.json, and one of them as an
# HTTP::Response (real_res('files.json')).
my $DATA = File::Spec->catdir(File::Basename::dirname(File::Spec->rel2abs(__FILE__)),
                              File::Spec->updir, 'data');

sub real_names {
    opendir my $dh, $DATA or die "$DATA: $!";
    return sort grep { -f File::Spec->catfile($DATA, "$_.xml") }
                map { /\A(.+)\.json\z/ ? $1 : () } readdir $dh;
}

sub real_res {
    my ($file) = @_;
    open my $fh, '<:raw', File::Spec->catfile($DATA, $file) or die "$DATA/$file: $!";
    my $text = do { local $/; <$fh> };
    my $r = HTTP::Response->parse($text);
    $r->protocol('HTTP/1.1');
    return $r;
}

1;
