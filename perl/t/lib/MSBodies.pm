package MSBodies;

# Bodies and responses shared by the tests of Apache::TestMultiStatus.

use strict;
use warnings;

use Exporter 'import';
use HTTP::Response ();

our @EXPORT = qw(doc res $GOOD $GOOD_URI $DAV_FS);

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

1;
