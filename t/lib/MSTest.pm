package MSTest;

# Helpers shared by the mod_multistatus test scripts.
#
#   use Apache::Test qw(-withtestmore);
#   use Test::More import => ['!plan'];
#   use MSTest;                         # t/TEST puts t/lib on @INC
#
#   plan tests => 3;
#   my $res = ms_request(PROPFIND => '/ms_test/props', headers => [Depth => 1]);
#   my $doc = ms_207($res, 'propfind answer');        # 1 assertion
#   my ($r) = ms_responses($doc);
#   is($r->{href}, '/ms_test/props');
#   is(ms_prop($r, 'DAV:', 'displayname')->{code}, 200);
#
# Parsing (no assertion; dies with the reason, which fails the script):
#   ms_check_body($body, %opt)  THE check of a 207 body: every 207 the suite parses
#                               goes through it (ms_parse, ms_validate, ms_207 call
#                               it).  Returns ($doc, @why): the document and the
#                               reasons it is not acceptable (empty when it is).
#                               opt foreign => 1: the body of another server
#                               (mod_dav_fs comparisons), not of this module;
#                               opt stream => 1: a body too big for a DOM (read
#                               with XML::LibXML::Reader): $doc is then a summary
#                               { responses => N, bytes => N }.
#   ms_parse($body [, $what, %opt])  ms_check_body, dies unless acceptable -> document
#   ms_validate($body [, %opt]) undef if acceptable, else the reason (string)
#   ms_xpc($doc_or_node)        XML::LibXML::XPathContext with d => 'DAV:'
#   ms_responses($doc)          list of response hashes (see below), in document order
#   ms_by_href($doc)            { href => response hash }
#   ms_prop($resp, $ns, $name)  the prop hash of that property (with its propstat's status/code), or undef
#   ms_description($doc)        the multistatus-level responsedescription text, or undef
#
#   response hash: { href, hrefs => [all hrefs], status ('HTTP/1.1 200 OK' or undef),
#                    code (200 or undef), propstats => [propstat...], description, error,
#                    location, node }
#   propstat hash: { status, code, props => [prop...], description, error, node }
#   prop hash:     { ns, name, prefix, lang, value_xml, value_text, empty, node,
#                    status, code (of its propstat) }
#   error:         undef, or [ '{ns}name', ... ] (Clark notation of its child elements)
#
# Assertions (each is exactly ONE test, with diagnostics on failure):
#   ms_207($res, $name, %opt)   HTTP::Response is an acceptable 207: status, Content-Type
#                               (opt content_type, default 'application/xml; charset=utf-8'),
#                               XML declaration, ms_check_body; returns the document
#                               (undef on failure).  opt gunzip => 1: body is
#                               gzip-compressed (Content-Encoding gzip); opt foreign
#                               and stream: as for ms_check_body.
#   ms_expect_log($mark, qr/.../, $name, %opt)
#                               a line matching is in t/logs/error_log since $mark;
#                               read once (opt timeout => seconds: wait for one, for
#                               lines of requests still running on the server); every
#                               matching line is recorded as expected; returns the lines.
#   ms_expect_log_count($mark, qr/.../, $n, $name)
#                               exactly $n such lines since $mark, read once; recorded.
#   ms_log_clean($mark, $name, %opt)
#                               no line since $mark that the suite-wide check would
#                               reject (warn or worse, crashes, child stderr), unless
#                               recorded as expected; opt except => qr/.../ (lines a
#                               later check of this file declares).
#
# Error log (t/logs/error_log).  The log of a request is complete when its
# connection has closed: ms_request, ms_raw_request and ms_raw (last request
# without keep-alive) return only after the server closed the connection, so
# that lines logged after the answer (log_transaction, pool cleanups) are in.
#   ms_log_mark()               current size: pass it to the functions below
#   ms_log_since($mark)         the lines written since (chomped)
#   ms_allow_log($mark, qr/.../, %opt)  record matching lines as expected, no assertion
#                               (opt wait => seconds to wait for one); returns them
#   ms_expected_log($line...)   record exact lines as expected (by text)
#   $MSTest::LOG_BAD            what the suite-wide check rejects (regexp)
#   ms_log_problems($logs_dir)  lines of error_log that it rejects and no test
#                               declared (t/zz_errorlog.t and the check after
#                               the server stopped, ms_check_log_after_shutdown)
#
# Lines are recorded by their offset in error_log (t/logs/expected_log_lines:
# "OFFSET<TAB>LINE", "-<TAB>LINE" for lines recorded by text): recording a
# line twice declares it once.
#
# HTTP:
#   ms_url($path)               http://127.0.0.1:PORT$path
#   ms_request($method, $path, headers => [k => v, ...], body => $bytes)  -> HTTP::Response
#                               (its own connection, closed by the server: see above)
#   ms_lwp_request(...)         the same through LWP (Apache::TestRequest's agent)
#   ms_http_response($raw)      HTTP::Response of a raw response hash
#   ms_raw_build($method, $path, %opt)  request text; opt headers => [k => v, ...], body,
#                               proto ('HTTP/1.1' default, or 'HTTP/1.0'), keepalive (0),
#                               no_host (1: no Host header)
#   ms_raw_request($method, $path, %opt)  one request on its own connection -> raw response hash
#   ms_raw($text | [$text1, $text2, ...], %opt)  sends raw request text(s) on ONE connection
#                               (pipelined), reads the answers; list of raw response hashes
#                               (scalar context: the first).  opt timeout (60 s).  When the
#                               last request closes the connection, reads up to the close.
#                               opt allow_close => 1: the server may close the connection
#                               after an answer (returns the answers it gave, nothing
#                               may be left unparsed)
#   raw response hash: { status_line, proto, code, reason, headers => { lc name => value
#                        (repeats joined by ', ') }, header_list => [[name, value], ...],
#                        head (raw header text), body (de-chunked), chunked (0/1),
#                        interim => [1xx hashes] }
#   ms_gunzip($bytes)           gunzipped bytes (dies on bad data)
#
# Every script that uses MSTest records at its end, in t/logs/ms_test_runs,
# its plan, the tests it ran, failed and skipped: make check fails unless
# every t/*.t ran all its planned tests, none skipped (ms_check_runs).

use strict;
use warnings;

use Exporter 'import';
use Carp qw(croak);
use File::Basename qw(basename dirname);
use File::Spec::Functions qw(catfile rel2abs);
use Fcntl qw(:flock SEEK_SET);
use IO::Socket::INET ();
use IO::Select ();
use Time::HiRes qw(time sleep);
use Test::Builder ();
use XML::LibXML ();
use MSTest::PerlLib ();     # Apache::TestMultiStatus from this tree's perl/lib
use XML::LibXML::Reader ();
use Apache::Test ();
use Apache::TestRequest ();
use HTTP::Request ();
use HTTP::Response ();

our @EXPORT = qw(
    ms_check_body ms_parse ms_validate ms_xpc ms_responses ms_by_href ms_prop
    ms_description ms_207
    ms_log_mark ms_log_since ms_expect_log ms_expect_log_count ms_log_clean
    ms_allow_log ms_expected_log
    ms_url ms_request ms_lwp_request ms_http_response ms_raw ms_raw_build
    ms_raw_request ms_gunzip
);

my $DAV = 'DAV:';
my $SCHEMA_FILE = rel2abs(catfile(dirname(__FILE__), '..', 'schema', 'multistatus.rng'));
my $schema;

sub _tb { Test::Builder->new }

# ------------------------------------------------------------------ parsing

sub _schema {
    $schema ||= XML::LibXML::RelaxNG->new(location => $SCHEMA_FILE);
    return $schema;
}

# A body too big for a DOM: well-formed to the end, the root is
# DAV:multistatus; the summary counts the responses.  (Validation against
# the schema while streaming is quadratic in libxml2: not done here.)
sub _check_stream {
    my ($body) = @_;
    my ($count, $rv, $root) = (0, -1);
    my $ok = eval {
        my $rd = XML::LibXML::Reader->new(string => $body, no_network => 1,
                                          load_ext_dtd => 0, expand_entities => 0);
        $rv = $rd->nextElement;
        $root = $rv == 1 ? '{' . ($rd->namespaceURI // '') . '}' . $rd->localName : '(none)';
        $count++ while ($rv = $rd->nextElement('response', $DAV)) == 1;
        1;
    };
    return (undef, "not well-formed XML: " . ($@ || 'unknown error')) unless $ok;
    return (undef, "the XML reader stopped with $rv before the end") unless $rv == 0;
    return (undef, "the root is $root, not {DAV:}multistatus") unless $root eq '{DAV:}multistatus';
    return ({ responses => $count, bytes => length $body });
}

# THE check of a 207 body (see the top of this file): every 207 body the
# suite parses comes through here, so that a stricter check is added in one
# place.  Returns ($doc, @why); @why empty when the body is acceptable.
sub ms_check_body {
    my ($body, %opt) = @_;
    return (undef, 'no body') unless defined $body && length $body;
    return _check_stream($body) if $opt{stream};
    my $doc = eval {
        XML::LibXML->new(no_network => 1, load_ext_dtd => 0, expand_entities => 0)
                   ->parse_string($body);
    };
    return (undef, "not well-formed XML: " . ($@ || 'unknown error')) unless $doc;
    my $ok = eval { _schema()->validate($doc); 1 };
    return ($doc, "not valid against multistatus.rng: " . ($@ || 'unknown error'))
        unless $ok;
    # The installed helper's checks (dogfooding, issue 12): the RFC 4918
    # grammar, prefixes and declarations, one href form, no href twice;
    # strict (the module's own output rules) unless the body is another
    # server's (foreign => 1: mod_dav_fs in t/files.t).
    my @p = Apache::TestMultiStatus::multistatus_problems($body, strict => !$opt{foreign});
    return ($doc, @p) if @p;
    return ($doc);
}

sub _excerpt {
    my ($body) = @_;
    return '(undef)' unless defined $body;
    return length($body) > 4000 ? substr($body, 0, 4000) . "\n... (" . length($body) . " bytes)" : $body;
}

sub ms_validate {
    my ($body, %opt) = @_;
    my (undef, @why) = ms_check_body($body, %opt);
    return @why ? join('; ', @why) : undef;
}

sub ms_parse {
    my ($body, $what, %opt) = @_;
    my ($doc, @why) = ms_check_body($body, %opt);
    if (@why) {
        _tb()->diag("body" . ($what ? " of $what" : '') . ":\n" . _excerpt($body));
        croak "ms_parse" . ($what ? " ($what)" : '') . ': ' . join('; ', @why);
    }
    return $doc;
}

sub ms_xpc {
    my ($node) = @_;
    my $xpc = XML::LibXML::XPathContext->new($node);
    $xpc->registerNs(d => $DAV);
    return $xpc;
}

sub _text {
    my ($node) = @_;
    return defined $node ? $node->textContent : undef;
}

sub _error_list {
    my ($xpc, $parent) = @_;
    my ($err) = $xpc->findnodes('d:error', $parent);
    return undef unless $err;
    return [ map { '{' . ($_->namespaceURI // '') . '}' . $_->localname }
             grep { $_->nodeType == XML::LibXML::XML_ELEMENT_NODE() } $err->childNodes ];
}

sub _code {
    my ($status) = @_;
    return undef unless defined $status;
    return $status =~ m{^HTTP/\d\.\d (\d{3})} ? $1 + 0 : undef;
}

sub ms_responses {
    my ($doc) = @_;
    croak 'ms_responses: no document' unless $doc;
    my $xpc = ms_xpc($doc);
    my @out;
    for my $rn ($xpc->findnodes('/d:multistatus/d:response')) {
        my @hrefs = map { $_->textContent } $xpc->findnodes('d:href', $rn);
        my ($st) = $xpc->findnodes('d:status', $rn);
        my ($desc) = $xpc->findnodes('d:responsedescription', $rn);
        my ($loc) = $xpc->findnodes('d:location/d:href', $rn);
        my %r = (
            href        => $hrefs[0],
            hrefs       => \@hrefs,
            status      => _text($st),
            code        => _code(_text($st)),
            description => _text($desc),
            error       => _error_list($xpc, $rn),
            location    => _text($loc),
            node        => $rn,
            propstats   => [],
        );
        for my $psn ($xpc->findnodes('d:propstat', $rn)) {
            my ($pst) = $xpc->findnodes('d:status', $psn);
            my ($pdesc) = $xpc->findnodes('d:responsedescription', $psn);
            my %ps = (
                status      => _text($pst),
                code        => _code(_text($pst)),
                description => _text($pdesc),
                error       => _error_list($xpc, $psn),
                node        => $psn,
                props       => [],
            );
            for my $pn ($xpc->findnodes('d:prop/*', $psn)) {
                my $inner = join '', map { $_->toString } $pn->childNodes;
                push @{ $ps{props} }, {
                    ns         => $pn->namespaceURI // '',
                    name       => $pn->localname,
                    prefix     => $pn->prefix,
                    lang       => $pn->getAttributeNS('http://www.w3.org/XML/1998/namespace', 'lang'),
                    value_xml  => $inner,
                    value_text => $pn->textContent,
                    empty      => ($pn->hasChildNodes ? 0 : 1),
                    node       => $pn,
                    status     => $ps{status},
                    code       => $ps{code},
                };
            }
            push @{ $r{propstats} }, \%ps;
        }
        push @out, \%r;
    }
    return @out;
}

sub ms_by_href {
    my ($doc) = @_;
    my %h;
    for my $r (ms_responses($doc)) {
        croak "ms_by_href: href $r->{href} appears twice" if exists $h{ $r->{href} };
        $h{ $r->{href} } = $r;
    }
    return \%h;
}

sub ms_prop {
    my ($resp, $ns, $name) = @_;
    for my $ps (@{ $resp->{propstats} || [] }) {
        for my $p (@{ $ps->{props} }) {
            return $p if $p->{ns} eq $ns && $p->{name} eq $name;
        }
    }
    return undef;
}

sub ms_description {
    my ($doc) = @_;
    my ($d) = ms_xpc($doc)->findnodes('/d:multistatus/d:responsedescription');
    return _text($d);
}

sub ms_gunzip {
    my ($bytes) = @_;
    require IO::Uncompress::Gunzip;
    my $out;
    no warnings 'once';
    IO::Uncompress::Gunzip::gunzip(\$bytes => \$out)
        or die "gunzip failed: $IO::Uncompress::Gunzip::GunzipError\n";
    return $out;
}

sub ms_207 {
    my ($res, $name, %opt) = @_;
    my $tb = _tb();
    my $want_ct = $opt{content_type} // 'application/xml; charset=utf-8';
    my @why;
    my $body = $res->content;
    if ($opt{gunzip}) {
        my $ce = $res->header('Content-Encoding') // '';
        push @why, "Content-Encoding is '$ce', not gzip" unless $ce eq 'gzip';
        $body = eval { ms_gunzip($body) };
        push @why, "cannot gunzip the body: $@" unless defined $body;
    }
    push @why, 'status is ' . $res->status_line . ', not 207' unless $res->code == 207;
    my $ct = $res->header('Content-Type') // '(none)';
    push @why, "Content-Type is '$ct', not '$want_ct'" unless $ct eq $want_ct;
    my ($doc, @bad);
    if (defined $body) {
        push @why, 'body does not start with <?xml version="1.0" encoding="utf-8"?>'
            unless $body =~ /\A<\?xml version="1\.0" encoding="utf-8"\?>/;
        ($doc, @bad) = ms_check_body($body, foreign => $opt{foreign}, stream => $opt{stream});
        push @why, @bad;
    }
    my $ok = $tb->ok(!@why, $name // '207 Multi-Status');
    unless ($ok) {
        $tb->diag("  $_") for @why;
        $tb->diag("headers:\n" . $res->headers->as_string);
        $tb->diag("body:\n" . _excerpt($body));
    }
    return $ok ? $doc : undef;
}

# ------------------------------------------------------------------ error log

# What the suite-wide check rejects: a line of level warn or worse (any
# module), a child's crash, and anything that is not a line of httpd's own
# format: children's stderr (glibc's "free(): invalid pointer", sanitizer
# reports, UBSan's "runtime error:") lands in error_log as it is.
our $LOG_BAD = qr{
      ^\[[^\]]*\]\ \[(?:[\w.-]*:)?(?:warn|error|crit|alert|emerg)\]
    | ^(?!\[[A-Z][a-z]{2}\ [A-Z][a-z]{2}\ [\d ]\d\ [\d:.]+\ \d{4}\]\ \[[\w.-]*:\w+\]\ )
    | exit\ signal | Segmentation\ fault | AddressSanitizer | LeakSanitizer
    | runtime\ error: | double\ free | free\(\): | malloc\(\): | realloc\(\):
    | malloc_consolidate | munmap_chunk | corrupted\ (?:size|double-linked|top)
    | stack\ smashing | \*\*\*\ .*\ \*\*\*
}x;

sub _t_logs {
    my $logs = eval { Apache::Test::vars('t_logs') };
    return $logs if $logs;
    return rel2abs(catfile(dirname(__FILE__), '..', 'logs'));
}
sub _error_log    { catfile($_[0] // _t_logs(), 'error_log') }
sub _expected_log { catfile($_[0] // _t_logs(), 'expected_log_lines') }
sub _runs_file    { catfile($_[0] // _t_logs(), 'ms_test_runs') }

sub ms_log_mark {
    my $size = -s _error_log();
    return $size || 0;
}

# [offset, line] of every complete line written since $mark
sub _entries {
    my ($mark, $file) = @_;
    $mark ||= 0;
    $file //= _error_log();
    open my $fh, '<', $file or return ();
    my $size = -s $fh || 0;
    $mark = 0 if $mark > $size;     # the log was reset
    seek $fh, $mark, SEEK_SET;
    local $/ = "\n";
    my @out;
    my $pos = $mark;
    while (my $l = <$fh>) {
        last unless $l =~ /\n\z/;   # a line being written
        my $len = length $l;
        chomp $l;
        push @out, [ $pos, $l ];
        $pos += $len;
    }
    close $fh;
    return @out;
}

sub ms_log_since {
    my ($mark) = @_;
    return map { $_->[1] } _entries($mark);
}

sub _record {
    my (@entries) = @_;     # [offset or '-', line]
    return unless @entries;
    my $file = _expected_log();
    open my $fh, '>>', $file or die "cannot append to $file: $!";
    flock $fh, LOCK_EX;
    print $fh "$_->[0]\t$_->[1]\n" for @entries;
    close $fh;
    return;
}

sub ms_expected_log {
    my @lines = @_;
    _record(map { [ '-', $_ ] } @lines);
    return;
}

# (matching entries, all entries); waits up to $timeout for one match
sub _wait_for {
    my ($mark, $re, $timeout) = @_;
    my $until = time + ($timeout || 0);
    my @all;
    while (1) {
        @all = _entries($mark);
        my @hit = grep { $_->[1] =~ $re } @all;
        return (\@hit, \@all) if @hit || time >= $until;
        sleep 0.05;
    }
}

sub ms_allow_log {
    my ($mark, $re, %opt) = @_;
    my ($hit) = _wait_for($mark, $re, $opt{wait} // 0);
    _record(@$hit);
    return map { $_->[1] } @$hit;
}

sub ms_expect_log {
    my ($mark, $re, $name, %opt) = @_;
    my ($hit, $all) = _wait_for($mark, $re, $opt{timeout} // 0);
    _record(@$hit);
    my $tb = _tb();
    my $ok = $tb->ok(scalar(@$hit), $name // "error_log has a line matching $re");
    unless ($ok) {
        $tb->diag("no line matching $re in error_log since offset $mark; new lines:");
        $tb->diag("  $_->[1]") for @$all;
    }
    return map { $_->[1] } @$hit;
}

sub ms_expect_log_count {
    my ($mark, $re, $n, $name) = @_;
    my @all = _entries($mark);
    my @hit = grep { $_->[1] =~ $re } @all;
    _record(@hit);
    my $tb = _tb();
    my $ok = $tb->is_num(scalar @hit, $n, $name // "error_log has $n lines matching $re");
    unless ($ok) {
        $tb->diag("lines since offset $mark:");
        $tb->diag("  $_->[1]") for @all;
    }
    return map { $_->[1] } @hit;
}

# { offset => 1 } and { line => count } of what the tests declared
sub _expected {
    my ($logs) = @_;
    my (%at, %text);
    if (open my $fh, '<', _expected_log($logs)) {
        while (my $l = <$fh>) {
            chomp $l;
            my ($where, $line) = split /\t/, $l, 2;
            next unless defined $line;
            if ($where eq '-') { $text{$line}++ }
            else               { $at{$where} = 1 }
        }
    }
    return (\%at, \%text);
}

# Lines since $mark that $LOG_BAD rejects and that no test declared.
sub _unexpected {
    my ($mark, $logs) = @_;
    my ($at, $text) = _expected($logs);
    my @bad;
    for my $e (_entries($mark, _error_log($logs))) {
        next unless $e->[1] =~ $LOG_BAD;
        next if $at->{ $e->[0] };
        if ($text->{ $e->[1] }) {
            $text->{ $e->[1] }--;
            next;
        }
        push @bad, $e->[1];
    }
    return @bad;
}

sub ms_log_problems {
    my ($logs) = @_;
    return _unexpected(0, $logs);
}

sub ms_log_clean {
    my ($mark, $name, %opt) = @_;
    my @bad = _unexpected($mark);
    @bad = grep { $_ !~ $opt{except} } @bad if $opt{except};
    my $tb = _tb();
    my $ok = $tb->is_num(scalar @bad, 0, $name // 'no unexpected warn/error (or worse) line in error_log');
    $tb->diag("unexpected lines:\n" . join "\n", map { "  $_" } @bad) unless $ok;
    return $ok;
}

# make check, after t/TEST returned (the server stopped): the whole error
# log judged, shutdown included.  Prints what is wrong; returns 1 when fine.
sub ms_check_log_after_shutdown {
    my ($logs) = @_;
    my @why;
    my $log = _error_log($logs);
    my $pidfile = catfile($logs, 'httpd.pid');
    if (-e $pidfile) {
        open my $fh, '<', $pidfile;
        my $pid = $fh ? <$fh> : undef;
        chomp $pid if defined $pid;
        push @why, "the server is still running (pid " . ($pid // '?') . ")"
            if $pid && $pid =~ /^\d+$/ && kill 0, $pid;
    }
    if (!-f $log) {
        push @why, "$log does not exist";
    }
    else {
        my @all = map { $_->[1] } _entries(0, $log);
        push @why, "$log does not say the server shut down ('caught SIGTERM, shutting down')"
            unless grep { /caught SIGTERM, shutting down/ } @all;
        push @why, map { "unexpected line: $_" } _unexpected(0, $logs);
    }
    if (@why) {
        print "FAIL: error_log after the server stopped ($log):\n";
        print "  $_\n" for @why;
        return 0;
    }
    print "PASS: error_log after the server stopped: nothing unexpected\n";
    return 1;
}

# ------------------------------------------------------------------ runs

# At the end of every script: what it planned, ran, failed and skipped.
my $RUN_PID = $$;
END {
    if ($$ == $RUN_PID && $0 =~ /\.t\z/) {
        my $tb = Test::Builder->new;
        my $hub = eval { require Test2::API; Test2::API::test2_stack()->top };
        my $plan = $hub ? $hub->plan : undef;
        $plan = 'none' unless defined $plan;
        my $ran = $tb->current_test;
        my $failed = grep { !$_ } $tb->summary;
        my $skipped = grep { ($_->{type} // '') eq 'skip' } $tb->details;
        if (open my $fh, '>>', _runs_file()) {
            flock $fh, LOCK_EX;
            printf $fh "%s plan=%s ran=%d failed=%d skipped=%d\n",
                   basename($0), $plan, $ran, $failed, $skipped;
            close $fh;
        }
    }
}

# make check: every named script ran all its planned tests, none failed,
# none skipped.  Prints what is wrong; returns 1 when fine.
sub ms_check_runs {
    my ($logs, @scripts) = @_;
    my %run;
    if (open my $fh, '<', _runs_file($logs)) {
        while (<$fh>) {
            my ($name, %f) = split /[ =]/;
            chomp %f;
            $run{$name} = \%f;
        }
    }
    my @why;
    for my $t (map { basename($_) } @scripts) {
        my $r = $run{$t};
        if (!$r) {
            push @why, "$t did not run (or died before its end)";
            next;
        }
        if ($r->{plan} !~ /^\d+$/) {
            push @why, "$t: plan $r->{plan} (skipped as a whole, or no plan)";
            next;
        }
        push @why, "$t: ran $r->{ran} of $r->{plan} planned tests" if $r->{ran} != $r->{plan};
        push @why, "$t: $r->{failed} failed" if $r->{failed};
        push @why, "$t: $r->{skipped} skipped" if $r->{skipped};
    }
    if (@why) {
        print "FAIL: the Apache::Test scripts did not all run in full:\n";
        print "  $_\n" for @why;
        return 0;
    }
    printf "PASS: all %d Apache::Test scripts ran every planned test, none skipped\n",
           scalar @scripts;
    return 1;
}

# ------------------------------------------------------------------ HTTP

sub _port {
    my $port = eval { Apache::Test::vars('port') };
    croak 'cannot find the test server port' unless $port;
    return $port;
}

sub ms_url {
    my ($path) = @_;
    return 'http://127.0.0.1:' . _port() . $path;
}

sub _pairs {
    my ($h) = @_;
    return () unless $h;
    return ref $h eq 'HASH' ? map { ($_ => $h->{$_}) } sort keys %$h : @$h;
}

sub ms_http_response {
    my ($raw, $method, $path) = @_;
    my $res = HTTP::Response->new($raw->{code}, $raw->{reason},
                                  [ map { @$_ } @{ $raw->{header_list} } ], $raw->{body});
    $res->protocol($raw->{proto});
    $res->request(HTTP::Request->new($method => ms_url($path))) if $method;
    return $res;
}

# One request on its own connection; returns when the server has closed it
# (the request's log lines are all in error_log then).
sub ms_request {
    my ($method, $path, %opt) = @_;
    my $raw = ms_raw_request($method, $path, headers => $opt{headers},
                             defined $opt{body} ? (body => $opt{body}) : (),
                             defined $opt{timeout} ? (timeout => $opt{timeout}) : ());
    return ms_http_response($raw, $method, $path);
}

sub ms_lwp_request {
    my ($method, $path, %opt) = @_;
    my $req = HTTP::Request->new($method => ms_url($path), [ _pairs($opt{headers}) ],
                                 $opt{body});
    $req->header('Content-Length' => length $opt{body}) if defined $opt{body};
    return Apache::TestRequest::user_agent(reset => 0)->request($req);
}

sub ms_raw_build {
    my ($method, $path, %opt) = @_;
    my $proto = $opt{proto} // 'HTTP/1.1';
    my @h = _pairs($opt{headers});
    my %have = map { lc($h[2 * $_]) => 1 } 0 .. (@h / 2 - 1);
    my $text = "$method $path $proto\r\n";
    $text .= 'Host: 127.0.0.1:' . _port() . "\r\n" unless $have{host} || $opt{no_host};
    while (my ($k, $v) = splice @h, 0, 2) {
        $text .= "$k: $v\r\n";
    }
    if (defined $opt{body} && !$have{'content-length'} && !$have{'transfer-encoding'}) {
        $text .= 'Content-Length: ' . length($opt{body}) . "\r\n";
    }
    unless ($have{connection}) {
        if ($opt{keepalive}) {
            $text .= "Connection: keep-alive\r\n" if $proto eq 'HTTP/1.0';
        }
        else {
            $text .= "Connection: close\r\n";
        }
    }
    $text .= "\r\n";
    $text .= $opt{body} if defined $opt{body};
    return $text;
}

sub ms_raw_request {
    my ($method, $path, %opt) = @_;
    my $timeout = delete $opt{timeout};
    my ($r) = ms_raw(ms_raw_build($method, $path, %opt),
                     defined $timeout ? (timeout => $timeout) : ());
    return $r;
}

# Parses one response at the start of $$buf.  Returns the hash and removes
# it from $$buf, or returns undef when more bytes are needed (at EOF, a body
# delimited by the end of the connection is complete).
sub _parse_one {
    my ($buf, $is_head, $eof) = @_;
    my $end = index $$buf, "\r\n\r\n";
    return undef if $end < 0;
    my $head = substr $$buf, 0, $end;
    my ($status_line, @hl) = split /\r\n/, $head;
    my ($proto, $code, $reason) = $status_line =~ m{^(HTTP/\d\.\d) (\d{3})(?: (.*))?$}
        or die "bad status line: $status_line\n";
    my (%h, @list);
    for (@hl) {
        my ($k, $v) = /^([^:]+):[ \t]*(.*?)[ \t]*$/ or die "bad header line: $_\n";
        push @list, [ $k, $v ];
        $h{ lc $k } = exists $h{ lc $k } ? "$h{lc $k}, $v" : $v;
    }
    my %r = (status_line => $status_line, proto => $proto, code => $code + 0,
             reason => $reason // '', headers => \%h, header_list => \@list,
             head => $head, chunked => 0, body => '');
    my $pos = $end + 4;
    if ($is_head || $code =~ /^1/ || $code == 204 || $code == 304) {
        substr($$buf, 0, $pos) = '';
        return \%r;
    }
    if (($h{'transfer-encoding'} // '') =~ /chunked/i) {
        $r{chunked} = 1;
        my $body = '';
        while (1) {
            my $eol = index $$buf, "\r\n", $pos;
            return undef if $eol < 0;
            my ($size) = substr($$buf, $pos, $eol - $pos) =~ /^([0-9a-fA-F]+)/
                or die "bad chunk size line\n";
            $size = hex $size;
            $pos = $eol + 2;
            if ($size == 0) {
                # trailers, up to an empty line
                while (1) {
                    my $e = index $$buf, "\r\n", $pos;
                    return undef if $e < 0;
                    my $line = substr $$buf, $pos, $e - $pos;
                    $pos = $e + 2;
                    last if $line eq '';
                }
                last;
            }
            return undef if length($$buf) < $pos + $size + 2;
            $body .= substr $$buf, $pos, $size;
            $pos += $size + 2;
        }
        $r{body} = $body;
    }
    elsif (defined $h{'content-length'}) {
        my $len = $h{'content-length'};
        return undef if length($$buf) < $pos + $len;
        $r{body} = substr $$buf, $pos, $len;
        $pos += $len;
    }
    else {
        return undef unless $eof;
        $r{body} = substr $$buf, $pos;
        $pos = length $$buf;
    }
    substr($$buf, 0, $pos) = '';
    return \%r;
}

sub ms_raw {
    my ($requests, %opt) = @_;
    my @reqs = ref $requests ? @$requests : ($requests);
    my $timeout = $opt{timeout} // 60;    # a bound for failures, not a time limit
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => _port(),
                                     Proto => 'tcp', Timeout => $timeout)
        or croak "cannot connect to 127.0.0.1:" . _port() . ": $!";
    binmode $sock;
    $sock->autoflush(1);
    print $sock join '', @reqs;

    my @heads = map { /^HEAD / ? 1 : 0 } @reqs;
    my $closes = $reqs[-1] =~ /^Connection: close\r$/mi ? 1 : 0;
    my (@out, @interim);
    my $buf = '';
    my $eof = 0;
    my $sel = IO::Select->new($sock);
    my $until = time + $timeout;
    while (@out < @reqs || ($closes && !$eof)) {
        # parse what we have
        while (@out < @reqs) {
            my $r = _parse_one(\$buf, $heads[@out], $eof);
            last unless $r;
            if ($r->{code} >= 100 && $r->{code} < 200 && $r->{code} != 101) {
                push @interim, $r;
                next;
            }
            $r->{interim} = [ splice @interim ];
            push @out, $r;
        }
        last if $eof || (@out == @reqs && !$closes);
        my $left = $until - time;
        last if $left <= 0;
        next unless $sel->can_read($left);
        my $n = sysread $sock, my $chunk, 65536;
        if (!$n) {
            $eof = 1;
            next;
        }
        $buf .= $chunk;
    }
    close $sock;
    croak sprintf('ms_raw: got %d of %d responses (%s); unparsed: %s', scalar @out,
                  scalar @reqs, $eof ? 'connection closed' : 'timeout', _excerpt($buf))
        if @out < @reqs && !($opt{allow_close} && $eof && !length $buf);
    croak sprintf('ms_raw: the server did not close the connection within %d s '
                  . '(%d bytes after the last answer)', $timeout, length $buf)
        if $closes && !$eof;
    croak sprintf('ms_raw: %d bytes after the last answer: %s', length $buf, _excerpt($buf))
        if $closes && length $buf;
    return wantarray ? @out : $out[0];
}

1;
