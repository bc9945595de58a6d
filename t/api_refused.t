# API tests (issue 2): every refused input returns its MS_E* code, logs ONE
# [error] line "multistatus: ... (href ...)", and leaves nothing in a body
# that stays valid.  Also MS_ECONFLICT (status XOR propstat) and
# MS_EFINISHED (registration after the body was finished).  Handler:
# t/c-modules/ms_test/mod_ms_test.c (X-MS-RV: label=CODE).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use Apache::TestRequest ();
use HTTP::Request ();
use XML::LibXML ();
use FindBin;
use lib "$FindBin::Bin/lib";
use MSTest;

plan tests => 8;

my $B = '/ms_test/api';
my $ERR = qr/\[multistatus:error\].*\bmultistatus: /;

subtest 'refused hrefs and paths' => sub {
    my $res = req('GET', "$B/refuse_href");
    my $ms = check_207($res, 'refuse_href');
    is_deeply(rv($res), {
        'add-null' => 'EINVAL', 'add-empty' => 'EINVAL',
        'open-null' => 'EINVAL', 'open-empty' => 'EINVAL',
        'href-null' => 'EINVAL', 'href-empty' => 'EINVAL',
        'href-space' => 'EINVAL', 'href-pct' => 'EINVAL', ok => 'OK',
    }, 'return codes');
    expect_log_count(8, 'one [error] line per refusal');
    expect_log(qr/$ERR.*\(href \/elsewhere\/a b\)/, 'line names the href with a space');
    expect_log(qr/$ERR.*\(href \/elsewhere\/%zz\)/, 'line names the href with %zz');
    is_deeply([map { [$_->{href}, $_->{status}] } @{ $ms->{responses} }],
              [["$B/refuse_href/control", 'HTTP/1.1 200 OK']],
              'only the valid registration in the body');
};

subtest 'refused text' => sub {
    my $res = req('GET', "$B/refuse_text");
    my $ms = check_207($res, 'refuse_text');
    my @bad = map { "value-$_" }
        qw(badutf8 lonebyte overlong surrogate truncated ctl01 ctl1f fffe ffff);
    push @bad, qw(xmlvalue-badutf8 xmlvalue-ctl resp-desc ps-desc ms-desc add-desc);
    is_deeply(rv($res), { (map { $_ => 'EINVAL' } @bad),
                          map { $_ => 'OK' } qw(ok st close close-st) },
              'return codes');
    expect_log_count(scalar @bad, 'one [error] line per refusal');
    expect_log(qr/$ERR.*\(href [^)]*\/refuse_text\/t3\)/,
               'the refused ms_add_status names its href');
    is_deeply([map { $_->{href} } @{ $ms->{responses} }],
              ["$B/refuse_text/t1", "$B/refuse_text/t2"],
              'nothing of the refused ms_add_status (t3)');
    my ($t1, $t2) = @{ $ms->{responses} };
    is_deeply([map { [$_->{status}, [map { [$_->{key}, $_->{value}] } @{ $_->{props} }],
                      $_->{desc}] } @{ $t1 ? $t1->{propstats} : [] }],
              [['HTTP/1.1 200 OK', [['{urn:example:t}ok', 'fine']], undef]],
              't1: only the valid property, no description');
    is($t2 && $t2->{status}, 'HTTP/1.1 200 OK', 't2: its status');
    is($t2 && $t2->{desc}, undef, 't2: no description');
    is($ms->{desc}, undef, 'no multistatus description');
    unlike($ms->{body}, qr/bad|\x{ff}/, 'no refused text in the body');
};

subtest 'refused statuses' => sub {
    my $res = req('GET', "$B/refuse_status");
    my $ms = check_207($res, 'refuse_status');
    my @bad = qw(add100 add199 add600 add0 addneg set100 set600 prop600
                 prop101 psdesc99 pserr700);
    is_deeply(rv($res), { (map { $_ => 'EINVAL' } @bad),
                          map { $_ => 'OK' } qw(set200 propok close close-ps) },
              'return codes');
    expect_log_count(scalar @bad, 'one [error] line per refusal');
    expect_log(qr/$ERR.*\b100\b.*\(href [^)]*\/refuse_status\/s100\)/,
               'status 100: the line says 100 and names the href');
    expect_log(qr/$ERR.*\b600\b.*\(href [^)]*\/refuse_status\/s600\)/,
               'status 600: the line says 600 and names the href');
    is_deeply([map { $_->{href} } @{ $ms->{responses} }],
              ["$B/refuse_status/s-ok", "$B/refuse_status/ps-ok"],
              'no response for the refused hrefs');
    my ($s, $ps) = @{ $ms->{responses} };
    is($s && $s->{status}, 'HTTP/1.1 200 OK', 'status set after refusals');
    is_deeply([map { [$_->{status}, [map { $_->{key} } @{ $_->{props} }], $_->{desc}] }
               @{ $ps ? $ps->{propstats} : [] }],
              [['HTTP/1.1 200 OK', ['{urn:example:s}pok'], undef]],
              'only the valid property; no propstat of a refused status');
    unlike($ms->{body}, qr/HTTP\/1\.1 (1\d\d|[6-9]\d\d|0)/, 'no bad status line');
};

subtest 'refused XML fragments' => sub {
    my $res = req('GET', "$B/refuse_xml");
    my $ms = check_207($res, 'refuse_xml');
    my @bad = qw(unclosed mismatch lt amp entity undeclared undeclattr noquote
                 dupattr stray-end decl doctype badname badcharref);
    is_deeply(rv($res), { (map { $_ => 'EINVAL' } @bad), ok => 'OK', close => 'OK' },
              'return codes');
    expect_log_count(scalar @bad, 'one [error] line per refusal');
    my ($x) = @{ $ms->{responses} };
    is_deeply([map { [$_->{status}, [map { $_->{key} } @{ $_->{props} }]] }
               @{ $x ? $x->{propstats} : [] }],
              [['HTTP/1.1 200 OK', ['{urn:example:x}ok']]],
              'only the valid fragment');
    is(scalar @{ $ms->{responses} }, 1, 'one response');
};

subtest 'refused namespaces and names' => sub {
    my $res = req('GET', "$B/refuse_name");
    my $ms = check_207($res, 'refuse_name');
    my @bad = qw(ns-empty ns-null name-empty name-null name-digit name-colon
                 name-space err-ns-empty err-name-empty pserr-name ns-decl-empty);
    is_deeply(rv($res), { (map { $_ => 'EINVAL' } @bad),
                          map { $_ => 'OK' } qw(ok st close close-st) },
              'return codes');
    expect_log_count(scalar @bad, 'one [error] line per refusal');
    my ($n1, $n2) = @{ $ms->{responses} };
    is_deeply([map { [$_->{status}, [map { $_->{key} } @{ $_->{props} }], $_->{error}] }
               @{ $n1 ? $n1->{propstats} : [] }],
              [['HTTP/1.1 200 OK', ['{urn:example:n}ok'], []]],
              'n1: only the valid property, no error');
    is($n2 && $n2->{status}, 'HTTP/1.1 403 Forbidden', 'n2: 403');
    is_deeply($n2 && $n2->{error}, [], 'n2: no error element');
};

subtest 'status XOR propstat: MS_ECONFLICT' => sub {
    my $res = req('GET', "$B/conflict");
    my $ms = check_207($res, 'conflict');
    is_deeply(rv($res), { 's-first' => 'OK', 'p-first' => 'OK',
                          'prop-on-status' => 'ECONFLICT',
                          'status-on-props' => 'ECONFLICT',
                          'add-on-props' => 'ECONFLICT' }, 'return codes');
    expect_log_count(3, 'one [error] line per refusal');
    is_deeply([map { [$_->{href}, $_->{status},
                      [map { map { [$_->{key}, $_->{value}] } @{ $_->{props} } }
                       @{ $_->{propstats} }]] } @{ $ms->{responses} }],
              [["$B/conflict/st-first", 'HTTP/1.1 200 OK', []],
               ["$B/conflict/ps-first", undef, [['{DAV:}displayname', 'kept']]]],
              'each href keeps its first form');
};

subtest 'registration after the handler sent EOS: MS_EFINISHED' => sub {
    my $res = req('GET', "$B/late_eos");
    my $ms = check_207($res, 'late_eos');
    is(rv($res)->{s1}, 'OK', 'registration before EOS accepted');
    expect_log(qr/\[ms_test:info\].*ms_test: report late-eos-pass=OK/,
               'EOS passed');
    expect_log(qr/\[ms_test:info\].*ms_test: report late-eos-add=EFINISHED/,
               'ms_add_status after EOS: MS_EFINISHED');
    expect_log(qr/\[ms_test:info\].*ms_test: report late-eos-desc=EFINISHED/,
               'ms_set_description after EOS: MS_EFINISHED');
    expect_log_count(2, 'one [error] line per refusal');
    is_deeply([map { [$_->{href}, $_->{status}] } @{ $ms->{responses} }],
              [["$B/late_eos/before-eos", 'HTTP/1.1 200 OK']],
              'body: only what was registered before');
    is($ms->{desc}, undef, 'no description');
};

subtest 'registration from log_transaction: MS_EFINISHED' => sub {
    my $res = req('GET', "$B/late_log");
    my $ms = check_207($res, 'late_log');
    is(rv($res)->{s1}, 'OK', 'registration in the handler accepted');
    expect_log(qr/\[ms_test:info\].*ms_test: report late-log-add=EFINISHED/,
               'ms_add_status from log_transaction: MS_EFINISHED');
    expect_log_count(1, 'one [error] line for it');
    is_deeply([map { [$_->{href}, $_->{status}] } @{ $ms->{responses} }],
              [["$B/late_log/before-log", 'HTTP/1.1 200 OK']], 'body');
};

# ------------------------------------------------------------------ helpers
# (the same block is in every t/api_*.t: each script stands alone)

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


__END__
