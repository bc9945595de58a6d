package MSTest::Check;
# Checks shared by the t/api_*.t scripts, on top of MSTest: a request
# wrapper that remembers the error_log offset, the X-MS-RV return codes the
# test c-module reports, and check_207(), which adds to MSTest's schema
# validation the rules of MULTISTATUS-RULES.md that a schema cannot say
# (prefixes, declarations in scope, href forms, compact output).
use strict;
use warnings FATAL => 'all';

use Test::More import => ['!plan'];
use XML::LibXML ();
use MSTest;

use Exporter 'import';
our @EXPORT = qw(req rv children structure_problems check_207
                 expect_log_count expect_log);

our $MARK = 0;    # error_log offset before the last request

sub req {
    my ($method, $path, $body, @headers) = @_;
    $MARK = ms_log_mark();
    return ms_request($method, $path, headers => \@headers,
                      defined $body ? (body => $body) : ());
}

# { label => 'OK' | 'EINVAL' | ... } from the X-MS-RV headers
sub rv {
    my ($res) = @_;
    my %rv;
    for my $h ($res->header('X-MS-RV')) {
        for (split /,\s*/, $h) {
            my ($k, $v) = split /=/, $_, 2;
            $rv{$k} = $v;
        }
    }
    return \%rv;
}

# Clark names of the element children of a node
sub children {
    my ($node) = @_;
    return [] unless $node;
    return [ map { '{' . ($_->namespaceURI // '') . '}' . $_->localname }
             grep { $_->nodeType == XML::LibXML::XML_ELEMENT_NODE() }
             $node->childNodes ];
}

# The structure rules of MULTISTATUS-RULES.md that a schema cannot say.
sub structure_problems {
    my ($doc, $body, %opt) = @_;
    my @why;
    push @why, 'root start tag is not <D:multistatus xmlns:D="DAV:"'
        unless $body =~ /\A<\?xml version="1\.0" encoding="utf-8"\?>\r?\n?<D:multistatus xmlns:D="DAV:"[ >\/]/;
    my $root = $doc->documentElement;
    my %structural = map { $_ => 1 }
        qw(multistatus response propstat prop error location);
    my %seen_href;
    my @hrefs;
    my $walk;
    $walk = sub {
        my ($el, $scope, $in_value) = @_;
        my %scope = %$scope;
        for my $ns ($el->getNamespaces) {
            my $uri = $ns->declaredURI // '';
            my $prefix = $ns->declaredPrefix // '';
            push @why, "namespace $uri declared again (as '$prefix') in the scope of '$scope{$uri}' on <" . $el->nodeName . '>'
                if exists $scope{$uri} && $uri ne '';
            push @why, "DAV: bound to prefix '$prefix'"
                if $uri eq 'DAV:' && $prefix ne 'D';
            push @why, "default namespace declared on <" . $el->nodeName . '>'
                if $prefix eq '' && !$in_value;
            $scope{$uri} = $prefix;
        }
        my $uri = $el->namespaceURI // '';
        push @why, "DAV: element <" . $el->nodeName . "> without prefix D"
            if $uri eq 'DAV:' && ($el->prefix // '') ne 'D';
        if (!$in_value && $uri eq 'DAV:' && $structural{ $el->localname }) {
            for my $c ($el->childNodes) {
                next if $c->nodeType == XML::LibXML::XML_ELEMENT_NODE();
                push @why, "text or whitespace inside <" . $el->nodeName . "> (not compact)";
                last;
            }
        }
        if (!$in_value && $uri eq 'DAV:' && $el->localname eq 'href') {
            push @hrefs, $el->textContent;
            my $p = $el->parentNode;
            if ($p->localname eq 'response') {
                push @why, "href " . $el->textContent . " in two responses"
                    if $seen_href{ $el->textContent }++;
            }
        }
        my $child_in_value = $in_value
            || ($uri eq 'DAV:' && $el->localname eq 'prop'
                && $el->parentNode->localname eq 'propstat')
            || ($uri eq 'DAV:' && $el->localname eq 'error');
        for my $c ($el->childNodes) {
            $walk->($c, \%scope, $child_in_value)
                if $c->nodeType == XML::LibXML::XML_ELEMENT_NODE();
        }
    };
    $walk->($root, { xml => 'http://www.w3.org/XML/1998/namespace' }, 0);
    undef $walk;
    my $abs = grep { m{^https?://} } @hrefs;
    if ($opt{absolute}) {
        push @why, "href not an absolute URI: $_" for grep { !m{^https?://} } @hrefs;
    }
    else {
        push @why, "href not an absolute path: $_" for grep { !m{^/} } @hrefs;
    }
    for (@hrefs) {
        (my $path = $_) =~ s{^https?://[^/]*}{};
        push @why, "// in href $_" if $path =~ m{//};
        push @why, "bad %-escape in href $_" if $path =~ /%(?![0-9A-F]{2})/;
        push @why, "character a URI cannot hold in href $_"
            if $path =~ m{[^A-Za-z0-9\-._~!\$&'()*+,;=:@/%]};
    }
    return @why;
}

# ms_207 (one assertion) + the structure rules (one assertion).  Returns
# { doc, responses => [...], desc } with MSTest's response hashes, plus the
# keys these scripts use: desc, key ("{ns}name"), value, nchildren; error
# [] when absent.  A body that is not valid gives an empty summary.
sub check_207 {
    my ($res, $name, %opt) = @_;
    my $doc = ms_207($res, "$name: 207 Multi-Status",
                     $opt{content_type} ? (content_type => $opt{content_type}) : (),
                     $opt{gunzip} ? (gunzip => 1) : ());
    my $body = $opt{gunzip} ? eval { ms_gunzip($res->content) } // ''
                            : $res->content;
    my @why = $doc ? structure_problems($doc, $body, %opt)
                   : ('no valid document');
    push @why, 'status line: ' . ($res->protocol // '?') . ' ' . $res->status_line
        unless ($res->protocol // '') eq 'HTTP/1.1'
            && $res->status_line eq '207 Multi-Status';
    ok(!@why, "$name: status line, prefixes, declarations, hrefs, compact output")
        or diag(join "\n", @why[0 .. ($#why > 20 ? 20 : $#why)]);
    $doc ||= XML::LibXML->load_xml(string => '<D:multistatus xmlns:D="DAV:"/>');
    my @resp = ms_responses($doc);
    for my $r (@resp) {
        $r->{desc} = $r->{description};
        $r->{error} ||= [];
        for my $ps (@{ $r->{propstats} }) {
            $ps->{desc} = $ps->{description};
            $ps->{error} ||= [];
            for my $p (@{ $ps->{props} }) {
                $p->{key} = "{$p->{ns}}$p->{name}";
                $p->{value} = $p->{value_text};
                $p->{nchildren} = () = $p->{node}->childNodes;
            }
        }
    }
    return { doc => $doc, body => $body, responses => \@resp,
             desc => ms_description($doc) };
}

# exactly one line per refusal: $n "[multistatus:error] ... multistatus: "
# lines since the request (recorded as expected for t/zz_errorlog.t)
sub expect_log_count {
    my ($n, $name, $re) = @_;
    $re ||= qr/\[multistatus:error\].*\bmultistatus: /;
    my @hit = ms_allow_log($MARK, $re, wait => ($n ? 2 : 0));
    # a moment more: lines of one request are written before its answer
    @hit = ms_allow_log($MARK, $re) if @hit < $n;
    is(scalar @hit, $n, $name) or diag(join "\n", ms_log_since($MARK));
    return @hit;
}

sub expect_log {
    my ($re, $name) = @_;
    return ms_expect_log($MARK, $re, $name);
}

1;
