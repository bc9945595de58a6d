package MSTest::Check;
# Checks shared by the t/api_*.t scripts, on top of MSTest: a request
# wrapper that remembers the error_log offset, the X-MS-RV return codes the
# test c-module reports, and check_207(), two assertions made by
# Apache::TestMultiStatus (perl/lib/ of this tree, through MSTest::PerlLib):
# a valid 207 of RFC 4918, then the module's own rules (strict mode).
use strict;
use warnings FATAL => 'all';

use Test::More import => ['!plan'];
use XML::LibXML ();
use MSTest;
use MSTest::PerlLib;
use Apache::TestMultiStatus ();

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

# What the module's own rules find wrong with a body (strict mode of
# Apache::TestMultiStatus); opt absolute => 1: hrefs are absolute URIs.
sub structure_problems {
    my ($doc, $body, %opt) = @_;
    return Apache::TestMultiStatus::multistatus_problems(
        $body, strict => 1, href_form => $opt{absolute} ? 'uri' : 'path');
}

# Two assertions: a valid 207 (status, Content-Type, RFC 4918 grammar),
# then the module's rules (strict mode, href form, HTTP/1.1 status line,
# Content-Encoding).  Returns { doc, body, responses => [...], desc } with
# Apache::TestMultiStatus's structure, plus the keys these scripts use:
# desc (responses, propstats), nchildren, value_text, value_xml (props).
# A body that is not valid gives an empty summary.
sub check_207 {
    my ($res, $name, %opt) = @_;
    my $ct = $opt{content_type} // 'application/xml; charset=utf-8';
    my $ms = Apache::TestMultiStatus::multistatus_ok(
        $res, "$name: 207 Multi-Status", content_type => $ct);
    my @why;
    my $ce = $res->header('Content-Encoding') // '';
    if ($opt{gunzip}) {
        push @why, "Content-Encoding is '$ce', not gzip" unless $ce eq 'gzip';
    }
    elsif ($ce ne '') {
        push @why, "Content-Encoding is '$ce', none expected";
    }
    push @why, 'status line: ' . ($res->protocol // '?') . ' ' . $res->status_line
        unless ($res->protocol // '') eq 'HTTP/1.1'
            && $res->status_line eq '207 Multi-Status';
    push @why, Apache::TestMultiStatus::multistatus_problems(
        $res, strict => 1, content_type => $ct,
        href_form => $opt{absolute} ? 'uri' : 'path');
    ok(!@why, "$name: status line, prefixes, declarations, hrefs, compact output")
        or diag(join "\n", @why[0 .. ($#why > 20 ? 20 : $#why)]);
    unless ($ms) {
        my $empty = qq{<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:"/>};
        $ms = Apache::TestMultiStatus::multistatus_parse($empty);
    }
    for my $r (@{ $ms->{responses} }) {
        $r->{desc} = $r->{description};
        for my $ps (@{ $r->{propstats} }) {
            $ps->{desc} = $ps->{description};
            for my $p (@{ $ps->{props} }) {
                $p->{value_text} = $p->{value};
                $p->{value_xml} = $p->{xml};
                $p->{nchildren} = () = $p->{node}->childNodes;
            }
        }
    }
    return { doc => $ms->{doc}, body => $ms->{body}, responses => $ms->{responses},
             desc => $ms->{description} };
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
