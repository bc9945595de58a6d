package Apache::TestMultiStatus;

# Assertions on 207 Multi-Status answers for Apache::Test suites.  The POD
# at the end is the manual; the comments here say why the code is as it is.

use 5.010;
use strict;
use warnings;

our $VERSION = '0.1.0';

use Carp ();
use Exporter 'import';
use File::Basename ();
use File::Spec ();
use Scalar::Util ();
use Test::Builder ();
use XML::LibXML ();

our @EXPORT = qw(
    multistatus_ok multistatus_parse
    href_status_is prop_status_is prop_is hrefs_are hrefs_unique
    PROPFIND
);
our @EXPORT_OK = qw(
    multistatus_problems multistatus_response multistatus_prop
    propfind_request propfind_body status_reason schema_file
);
our %EXPORT_TAGS = (all => [ @EXPORT, @EXPORT_OK ]);

my $DAV = 'DAV:';
my $XML_NS = 'http://www.w3.org/XML/1998/namespace';

# The schemas are installed beside this file; found from where it was loaded.
my $SCHEMA_DIR = File::Spec->catdir(
    File::Basename::dirname(File::Spec->rel2abs(__FILE__)), 'TestMultiStatus');
my %SCHEMA_CACHE;

# The reasons mod_multistatus writes in status lines (ms_status_reason() in
# ms_xml.c); other codes of 200..599 get the name of their class.
my %REASON = (
    200 => 'OK', 201 => 'Created', 202 => 'Accepted',
    203 => 'Non-Authoritative Information', 204 => 'No Content',
    205 => 'Reset Content', 206 => 'Partial Content', 207 => 'Multi-Status',
    208 => 'Already Reported', 226 => 'IM Used',
    300 => 'Multiple Choices', 301 => 'Moved Permanently', 302 => 'Found',
    303 => 'See Other', 304 => 'Not Modified', 305 => 'Use Proxy',
    307 => 'Temporary Redirect', 308 => 'Permanent Redirect',
    400 => 'Bad Request', 401 => 'Unauthorized', 402 => 'Payment Required',
    403 => 'Forbidden', 404 => 'Not Found', 405 => 'Method Not Allowed',
    406 => 'Not Acceptable', 407 => 'Proxy Authentication Required',
    408 => 'Request Timeout', 409 => 'Conflict', 410 => 'Gone',
    411 => 'Length Required', 412 => 'Precondition Failed',
    413 => 'Request Entity Too Large', 414 => 'Request-URI Too Long',
    415 => 'Unsupported Media Type', 416 => 'Requested Range Not Satisfiable',
    417 => 'Expectation Failed', 421 => 'Misdirected Request',
    422 => 'Unprocessable Entity', 423 => 'Locked', 424 => 'Failed Dependency',
    425 => 'Too Early', 426 => 'Upgrade Required',
    428 => 'Precondition Required', 429 => 'Too Many Requests',
    431 => 'Request Header Fields Too Large',
    451 => 'Unavailable For Legal Reasons',
    500 => 'Internal Server Error', 501 => 'Not Implemented',
    502 => 'Bad Gateway', 503 => 'Service Unavailable',
    504 => 'Gateway Timeout', 505 => 'HTTP Version Not Supported',
    506 => 'Variant Also Negotiates', 507 => 'Insufficient Storage',
    508 => 'Loop Detected', 510 => 'Not Extended',
    511 => 'Network Authentication Required',
);
my %CLASS = (2 => 'Success', 3 => 'Redirection', 4 => 'Client Error',
             5 => 'Server Error');

# Where RFC 4918 section 14 puts the DAV: elements of a multistatus: the
# children each structural element may have (values are free).
my %DAV_CHILDREN = (
    multistatus => { response => 1, responsedescription => 1 },
    response    => { href => 1, status => 1, propstat => 1, error => 1,
                     responsedescription => 1, location => 1 },
    propstat    => { prop => 1, status => 1, error => 1,
                     responsedescription => 1 },
    location    => { href => 1 },
);

# pchar of RFC 3986, as one character (a %XX escape is checked apart)
my $PCHAR = qr{[A-Za-z0-9\-._~!\$&'()*+,;=:\@]};

sub _tb { Test::Builder->new }

sub status_reason {
    my ($code) = @_;
    return undef unless defined $code && $code =~ /\A[2-5][0-9]{2}\z/;
    return $REASON{$code} // $CLASS{ substr $code, 0, 1 };
}

sub schema_file {
    my ($strict) = @_;
    return File::Spec->catfile($SCHEMA_DIR,
                               $strict ? 'multistatus-strict.rng' : 'multistatus.rng');
}

sub _schema {
    my ($file) = @_;
    return $SCHEMA_CACHE{$file} ||= do {
        Carp::croak("Apache::TestMultiStatus: schema $file not found")
            unless -f $file;
        XML::LibXML::RelaxNG->new(location => $file);
    };
}

# ------------------------------------------------------------------ input

# ($body, $http, $problem) from an HTTP::Response or a string.  $http holds
# what the checks need of the response; $problem says why the body could
# not be had (a bad Content-Encoding).
sub _input {
    my ($thing) = @_;
    Carp::croak('Apache::TestMultiStatus: no response or body given')
        unless defined $thing;
    if (Scalar::Util::blessed($thing) && $thing->isa('HTTP::Response')) {
        my %http = (
            code         => $thing->code,
            status_line  => $thing->status_line,
            protocol     => $thing->protocol,
            content_type => scalar $thing->header('Content-Type'),
            headers      => $thing->headers->as_string,
        );
        my $body = $thing->content;
        my $ce = lc($thing->header('Content-Encoding') // '');
        $ce =~ s/\s+//g;
        my $problem;
        if ($ce ne '' && $ce ne 'identity') {
            my $dec = eval { $thing->decoded_content(charset => 'none') };
            if (defined $dec) {
                $body = $dec;
            }
            else {
                (my $why = $@ || 'unknown error') =~ s/ at \S+ line \d+.*//s;
                $problem = "cannot decode the body (Content-Encoding: $ce): $why";
            }
        }
        return ($body, \%http, $problem);
    }
    if (ref $thing eq 'HASH' && $thing->{responses}) {
        return ($thing->{body}, $thing->{http}, undef);
    }
    Carp::croak('Apache::TestMultiStatus: expected an HTTP::Response or a body string, got '
                . ref $thing) if ref $thing;
    my $body = $thing;
    utf8::encode($body) if utf8::is_utf8($body);
    return ($body, undef, undef);
}

# Messages quote the body: control and non-ASCII characters are shown as
# \x{...}, so that a diagnostic prints the same on any terminal.
sub _printable {
    my ($s) = @_;
    $s =~ s/([^\x20-\x7e\n])/sprintf '\\x{%x}', ord $1/ge;
    return $s;
}

sub _excerpt {
    my ($s, $max) = @_;
    $max ||= 4000;
    return '(none)' unless defined $s;
    return length($s) > $max
        ? substr($s, 0, $max) . "\n... (" . length($s) . ' bytes in all)' : $s;
}

# ------------------------------------------------------------------ parsing

my $PARSER;

# (doc, undef) or (undef, why)
sub _parse_xml {
    my ($body) = @_;
    $PARSER ||= XML::LibXML->new(no_network => 1, load_ext_dtd => 0,
                                 expand_entities => 0, huge => 0,
                                 line_numbers => 1);
    my $doc = eval { $PARSER->parse_string($body) };
    return ($doc, undef) if $doc;
    my $err = "$@";
    # libxml2's messages, without the source excerpts it appends; a
    # well-formedness error says more than the namespace errors it causes
    my @msg = $err =~ /^:(\d+): ((?:parser|namespace) error\s*:.*?)\s*$/mg;
    my ($line, $first);
    for (my $i = 0; $i < @msg; $i += 2) {
        ($line, $first) = @msg[$i, $i + 1];
        last if $first =~ /^parser error/;
    }
    unless (defined $first) {
        ($first = $err) =~ s/ at \S+ line \d+.*//s;
        $first =~ s/\s+\z//;
    }
    my $where = defined $line ? " (line $line)" : '';
    if ($first =~ /^namespace error\s*:\s*(.*)/) {
        my $what = $1;
        if ($what =~ /Namespace prefix (\S+) on (\S+) is not defined/) {
            return (undef, "undeclared namespace prefix '$1' (on <$1:$2>)$where: "
                           . 'the body is not namespace-well-formed');
        }
        return (undef, "not namespace-well-formed$where: $what");
    }
    $first =~ s/^parser error\s*:\s*//;
    return (undef, "not well-formed XML$where: $first");
}

sub _clark {
    my ($node) = @_;
    return '{' . ($node->namespaceURI // '') . '}' . $node->localname;
}

sub _is_dav {
    my ($node, $name) = @_;
    return $node->nodeType == XML::LibXML::XML_ELEMENT_NODE()
        && ($node->namespaceURI // '') eq $DAV
        && (!defined $name || $node->localname eq $name);
}

sub _elements {
    my ($node) = @_;
    return grep { $_->nodeType == XML::LibXML::XML_ELEMENT_NODE() } $node->childNodes;
}

sub _code {
    my ($line) = @_;
    return undef unless defined $line;
    return $line =~ m{\AHTTP/\d+\.\d+ (\d{3})(?: |\z)} ? $1 + 0 : undef;
}

sub _error_names {
    my ($el) = @_;
    return [] unless $el;
    return [ map { _clark($_) } _elements($el) ];
}

# The plain structure of a parsed multistatus document.  Lenient: it takes
# what is there (the checks say what is wrong).
sub _build_xml {
    my ($doc, $body, $http) = @_;
    my $root = $doc->documentElement;
    my %ms = (format => 'xml', body => $body, http => $http, doc => $doc,
              responses => [], by_href => {}, description => undef);
    for my $el (_elements($root)) {
        if (_is_dav($el, 'responsedescription')) {
            $ms{description} = $el->textContent;
            next;
        }
        next unless _is_dav($el, 'response');
        my %r = (href => undef, hrefs => [], status => undef, code => undef,
                 propstats => [], props => {}, description => undef,
                 error => [], location => undef, node => $el);
        for my $c (_elements($el)) {
            next unless ($c->namespaceURI // '') eq $DAV;
            my $n = $c->localname;
            if ($n eq 'href') {
                push @{ $r{hrefs} }, $c->textContent;
            }
            elsif ($n eq 'status') {
                $r{status} = $c->textContent;
                $r{code} = _code($r{status});
            }
            elsif ($n eq 'responsedescription') {
                $r{description} = $c->textContent;
            }
            elsif ($n eq 'error') {
                $r{error} = _error_names($c);
            }
            elsif ($n eq 'location') {
                my ($h) = grep { _is_dav($_, 'href') } _elements($c);
                $r{location} = $h ? $h->textContent : undef;
            }
            elsif ($n eq 'propstat') {
                my %ps = (status => undef, code => undef, props => [],
                          description => undef, error => [], node => $c);
                for my $pc (_elements($c)) {
                    next unless ($pc->namespaceURI // '') eq $DAV;
                    my $pn = $pc->localname;
                    if ($pn eq 'status') {
                        $ps{status} = $pc->textContent;
                        $ps{code} = _code($ps{status});
                    }
                    elsif ($pn eq 'responsedescription') {
                        $ps{description} = $pc->textContent;
                    }
                    elsif ($pn eq 'error') {
                        $ps{error} = _error_names($pc);
                    }
                    elsif ($pn eq 'prop') {
                        for my $p (_elements($pc)) {
                            push @{ $ps{props} }, {
                                ns     => $p->namespaceURI // '',
                                name   => $p->localname,
                                key    => _clark($p),
                                prefix => $p->prefix,
                                lang   => $p->getAttributeNS($XML_NS, 'lang'),
                                value  => $p->textContent,
                                xml    => join('', map { $_->toString } $p->childNodes),
                                empty  => $p->hasChildNodes ? 0 : 1,
                                node   => $p,
                            };
                        }
                    }
                }
                for my $p (@{ $ps{props} }) {
                    $p->{status} = $ps{status};
                    $p->{code} = $ps{code};
                    $r{props}{ $p->{key} } //= $p;
                }
                push @{ $r{propstats} }, \%ps;
            }
        }
        $r{href} = $r{hrefs}[0];
        push @{ $ms{responses} }, \%r;
        for my $h (@{ $r{hrefs} }) {
            $ms{by_href}{$h} //= \%r;
        }
    }
    return \%ms;
}

# Where a JSON rendering would come in: _parse_json would build the same
# structure (format => 'json', no doc, no node, xml undef).
sub _is_json_type {
    my ($ct) = @_;
    return defined $ct && $ct =~ m{\A\s*application/(?:[\w.+-]+\+)?json\s*(?:;|\z)}i;
}

sub _parse {
    my ($thing) = @_;
    my ($body, $http, $problem) = _input($thing);
    return (undef, $problem) if $problem;
    return (undef, 'empty body') unless defined $body && length $body;
    return (undef, 'JSON bodies are not supported yet (content type '
                   . $http->{content_type} . ')')
        if $http && _is_json_type($http->{content_type});
    my ($doc, $why) = _parse_xml($body);
    return (undef, $why) unless $doc;
    return (_build_xml($doc, $body, $http), undef);
}

sub multistatus_parse {
    my ($thing) = @_;
    return $thing if ref $thing eq 'HASH' && $thing->{responses};
    my ($ms, $why) = _parse($thing);
    Carp::croak("multistatus_parse: $why") unless $ms;
    return $ms;
}

# ------------------------------------------------------------------ checks

sub _media_type {
    my ($ct) = @_;
    return '' unless defined $ct;
    my ($type) = split /;/, $ct, 2;
    $type =~ s/\s+//g;
    return lc $type;
}

sub _charset {
    my ($ct) = @_;
    return undef unless defined $ct && $ct =~ /;\s*charset\s*=\s*"?([^";\s]+)"?/i;
    return lc $1;
}

sub _http_problems {
    my ($http, %opt) = @_;
    my @p;
    push @p, "HTTP status is '$http->{status_line}', not 207 Multi-Status"
        unless $http->{code} == 207;
    my $ct = $http->{content_type};
    if (defined $opt{content_type}) {
        my $want = $opt{content_type};
        my $ok = ref $want eq 'Regexp' ? defined $ct && $ct =~ $want
                                       : defined $ct && $ct eq $want;
        push @p, 'Content-Type is ' . (defined $ct ? "'$ct'" : 'missing')
                 . ", not '$want'" unless $ok;
    }
    elsif (!defined $ct || $ct eq '') {
        push @p, 'no Content-Type header (a 207 body is application/xml)';
    }
    else {
        my $type = _media_type($ct);
        push @p, "Content-Type is '$ct', not an XML type (application/xml or text/xml)"
            unless $type eq 'application/xml' || $type eq 'text/xml'
                || _is_json_type($ct);
        if ($opt{strict}) {
            my $cs = _charset($ct);
            push @p, "Content-Type '$ct' does not say charset=utf-8"
                unless defined $cs && $cs eq 'utf-8';
        }
    }
    return @p;
}

# Which form an href has: 'uri' (absolute URI), 'path' (absolute path) or
# 'relative'.
sub _href_form {
    my ($h) = @_;
    return 'uri' if $h =~ m{\A[A-Za-z][A-Za-z0-9+.\-]*:};
    return 'path' if $h =~ m{\A/};
    return 'relative';
}

sub _resp_name {
    my ($r, $i) = @_;
    return defined $r->{href} ? "response $r->{href}" : 'response #' . ($i + 1);
}

# RFC 4918 rules that hold for any server.
sub _grammar_problems {
    my ($ms, %opt) = @_;
    my @p;
    my $root = $ms->{doc}->documentElement;
    unless (_is_dav($root, 'multistatus')) {
        push @p, 'root element is <' . $root->nodeName . '> ' . _clark($root)
                 . ', not {DAV:}multistatus';
        return @p;
    }
    my (%count, %forms);
    my $check_line = sub {
        my ($line, $where) = @_;
        unless (defined $line) {
            push @p, "$where has no status";
            return;
        }
        unless ($line =~ m{\AHTTP/1\.[01] (\d{3}) \S}) {
            push @p, "bad status line '$line' in $where (want 'HTTP/1.1 NNN Reason')";
            return;
        }
        my $code = $1;
        if ($code < 200) {
            push @p, "status $code in $where: a 1xx status is never recorded in a 207 (RFC 4918 section 13)";
        }
        elsif ($code > 599) {
            push @p, "status $code in $where is not an HTTP status code (100..599)";
        }
    };
    my $i = 0;
    for my $r (@{ $ms->{responses} }) {
        my $name = _resp_name($r, $i++);
        push @p, "$name has no href" unless @{ $r->{hrefs} };
        my $has_status = grep { _is_dav($_, 'status') } _elements($r->{node});
        if ($has_status && @{ $r->{propstats} }) {
            push @p, "$name has both a status and propstats (RFC 4918 section 14.24: one or the other)";
        }
        elsif (!$has_status && !@{ $r->{propstats} }) {
            push @p, "$name has neither a status nor a propstat";
        }
        $check_line->($r->{status}, $name) if $has_status;
        push @p, "$name has more than one href but no status (extra hrefs go with the status form)"
            if @{ $r->{hrefs} } > 1 && !$has_status;
        my $j = 0;
        for my $ps (@{ $r->{propstats} }) {
            $j++;
            my $where = "propstat #$j of $name";
            push @p, "$where has no prop"
                unless grep { _is_dav($_, 'prop') } _elements($ps->{node});
            $check_line->($ps->{status}, $where);
        }
        for my $h (@{ $r->{hrefs} }) {
            $count{$h}++;
            push @{ $forms{ _href_form($h) } }, $h;
        }
    }
    for my $h (sort grep { $count{$_} > 1 } keys %count) {
        push @p, "href $h appears in $count{$h} responses (RFC 4918 section 14.24: at most one)";
    }
    if (keys %forms > 1) {
        push @p, 'hrefs mix forms in one body ('
                 . join(', ', map { "$_: $forms{$_}[0]" } sort keys %forms)
                 . '); RFC 4918 section 8.3 wants one form';
    }
    elsif (keys %forms == 1 && (keys %forms)[0] eq 'relative') {
        push @p, "hrefs are relative references ($forms{relative}[0]): "
                 . 'a 207 uses absolute paths or absolute URIs';
    }
    if ($opt{href_form}) {
        my $want = $opt{href_form};
        Carp::croak("href_form must be 'path' or 'uri', not '$want'")
            unless $want eq 'path' || $want eq 'uri';
        for my $form (grep { $_ ne $want } sort keys %forms) {
            push @p, ($want eq 'uri' ? 'href not an absolute URI: ' : 'href not an absolute path: ')
                     . $forms{$form}[0];
        }
    }
    return @p;
}

# An href as mod_multistatus writes them (the strict schema has the same
# grammar; this says what is wrong).
sub _href_syntax {
    my ($h) = @_;
    my $path = $h;
    if ($h =~ m{\A([A-Za-z][A-Za-z0-9+.\-]*):}) {
        return "an absolute URI of scheme '$1' (http or https only)"
            unless $1 eq 'http' || $1 eq 'https';
        return 'an absolute URI without an authority and a path'
            unless $h =~ s{\Ahttps?://([A-Za-z0-9\-.]+|\[[0-9A-Fa-f:.]+\])(:[0-9]+)?(?=/)}{};
        $path = $h;
    }
    return 'not an absolute path or an absolute URI' unless $path =~ m{\A/};
    return "a fragment ('#')" if $path =~ /#/;
    my ($p, $q) = split /\?/, $path, 2;
    return 'a bad percent-escape (% not followed by two hex digits)'
        if $path =~ /%(?![0-9A-Fa-f]{2})/;
    if (my ($c) = $p =~ m{((?:(?!$PCHAR)[^/%]))}) {
        return sprintf "a character a URI path cannot hold ('%s', U+%04X; percent-encode it)",
            $c, ord $c;
    }
    if (defined $q && (my ($c2) = $q =~ m{((?:(?!$PCHAR)[^/?%]))})) {
        return sprintf "a character a URI query cannot hold ('%s', U+%04X)", $c2, ord $c2;
    }
    return "an empty path segment ('//')" if $p =~ m{//};
    return "a '.' or '..' segment" if $p =~ m{/\.\.?(?:/|\z)};
    return undef;
}

# mod_multistatus's own rules: what its output always is.
sub _strict_problems {
    my ($ms, %opt) = @_;
    my @p;
    my $body = $ms->{body};
    push @p, 'the body does not start with <?xml version="1.0" encoding="utf-8"?>'
        unless $body =~ /\A<\?xml version="1\.0" encoding="utf-8"\?>/;
    push @p, 'the root start tag is not <D:multistatus xmlns:D="DAV:" (DAV: bound to D first)'
        unless $body =~ /\A<\?xml[^>]*\?>\r?\n?<D:multistatus xmlns:D="DAV:"[ >\/]/;
    push @p, 'the body has a DOCTYPE' if $ms->{doc}->internalSubset;
    my $root = $ms->{doc}->documentElement;
    return @p unless _is_dav($root, 'multistatus');

    # Namespaces and layout, element by element.  $in_value: inside a
    # property value or an error code (content is free there), or inside
    # an element already reported as misplaced.
    my %seen_problem;
    my $add = sub { push @p, $_[0] unless $seen_problem{ $_[0] }++ };
    my %text_only = map { $_ => 1 } qw(href status responsedescription);
    my $walk;
    $walk = sub {
        my ($el, $scope, $in_value) = @_;
        my %scope = %$scope;
        my $label = '<' . $el->nodeName . '>';
        my $uri = $el->namespaceURI // '';
        # the module's declarations: on the root and the responses, each
        # namespace once in scope (a value brings its own, as it likes)
        unless ($in_value) {
            for my $ns ($el->getNamespaces) {
                my $nsuri = $ns->declaredURI // '';
                my $prefix = $ns->declaredPrefix // '';
                $add->("namespace $nsuri declared again (as '$prefix') on $label, in the scope of prefix '$scope{$nsuri}'")
                    if exists $scope{$nsuri} && $nsuri ne '';
                $add->("DAV: bound to prefix '$prefix' on $label (always D)")
                    if $nsuri eq $DAV && $prefix ne 'D';
                $add->("default namespace declared on $label (namespaces have prefixes)")
                    if $prefix eq '';
                $add->("namespace $nsuri declared on $label (mod_multistatus declares them on the root or a response)")
                    unless $uri eq $DAV && ($el->localname eq 'multistatus' || $el->localname eq 'response');
                $scope{$nsuri} = $prefix;
            }
            $add->("DAV: element $label without the prefix D")
                if $uri eq $DAV && ($el->prefix // '') ne 'D';
        }
        my $all_free = $in_value;   # children walked as values
        my @free;                   # or some of them
        if (!$in_value) {
            my $parent = $el->parentNode;
            my $pname = $parent->nodeType == XML::LibXML::XML_ELEMENT_NODE()
                        && ($parent->namespaceURI // '') eq $DAV ? $parent->localname : '';
            if ($pname eq 'prop') {
                # a property: its value is free; xml:lang only
                $add->("property $label has no namespace") if $uri eq '';
                for my $a ($el->attributes) {
                    next if $a->nodeType != XML::LibXML::XML_ATTRIBUTE_NODE();
                    next if ($a->namespaceURI // '') eq $XML_NS && $a->localname eq 'lang';
                    $add->('attribute ' . $a->nodeName . " on property $label (a property carries xml:lang only)");
                }
                $all_free = 1;
            }
            elsif ($pname eq 'error') {
                # a condition code: one empty element
                $add->("error code $label is not empty") if $el->hasChildNodes;
                $add->("error code $label has no namespace") if $uri eq '';
                $all_free = 1;
            }
            else {
                # an element of the grammar (the root, or a child its
                # parent found in place)
                my $name = $el->localname;
                for my $a ($el->attributes) {
                    next if $a->nodeType != XML::LibXML::XML_ATTRIBUTE_NODE();
                    $add->('attribute ' . $a->nodeName . " on $label (only properties carry xml:lang; the elements of the grammar have no attribute)");
                }
                my $allowed = $DAV_CHILDREN{$name};
                for my $c ($el->childNodes) {
                    if ($c->nodeType != XML::LibXML::XML_ELEMENT_NODE()) {
                        $add->("text or whitespace inside $label (the output is compact)")
                            unless $text_only{$name};
                        next;
                    }
                    next if $name eq 'prop' || $name eq 'error';
                    my $cu = $c->namespaceURI // '';
                    if ($text_only{$name}) {
                        $add->('element <' . $c->nodeName . "> inside $label (text only)");
                        push @free, $c;
                    }
                    elsif ($cu ne $DAV) {
                        $add->('<' . $c->nodeName . "> directly inside $label: properties belong inside <D:prop>, no other element may stand there");
                        push @free, $c;
                    }
                    elsif (!$allowed->{ $c->localname }) {
                        $add->('<' . $c->nodeName . "> inside $label: RFC 4918 section 14 does not put it there");
                        push @free, $c;
                    }
                }
            }
        }
        for my $c (_elements($el)) {
            $walk->($c, \%scope, $all_free || scalar grep { $_->isSameNode($c) } @free);
        }
    };
    $walk->($root, { xml => $XML_NS }, 0);
    undef $walk;

    my $check_line = sub {
        my ($line, $where) = @_;
        return unless defined $line && $line =~ m{\AHTTP/\d+\.\d+ (\d{3}) (.*)\z}s;
        my ($code, $reason) = ($1, $2);
        return if $code < 200 || $code > 599;    # said already
        my $want = "HTTP/1.1 $code " . status_reason($code);
        push @p, "status line '$line' in $where: mod_multistatus writes '$want'"
            unless $line eq $want;
    };
    my %hrefs_seen;
    my $i = 0;
    for my $r (@{ $ms->{responses} }) {
        my $name = _resp_name($r, $i++);
        $check_line->($r->{status}, $name);
        push @p, "$name has " . @{ $r->{hrefs} } . ' hrefs (mod_multistatus writes one per response)'
            if @{ $r->{hrefs} } > 1;
        for my $h (@{ $r->{hrefs} }, defined $r->{location} ? $r->{location} : ()) {
            next if $hrefs_seen{$h}++;
            my $why = _href_syntax($h);
            push @p, "href '$h' in $name: $why" if $why;
        }
        if (grep { _is_dav($_, 'location') } _elements($r->{node})) {
            push @p, "$name has a location but no 3xx status (a location goes with a redirection only)"
                unless defined $r->{code} && $r->{code} >= 300 && $r->{code} <= 399;
        }
        my (%ps_status, %prop_seen);
        my $j = 0;
        for my $ps (@{ $r->{propstats} }) {
            $j++;
            my $where = "propstat #$j of $name";
            $check_line->($ps->{status}, $where);
            if (defined $ps->{code}) {
                push @p, "$name has two propstats for status $ps->{code} (properties are grouped by status)"
                    if $ps_status{ $ps->{code} }++ == 1;
            }
            for my $pr (@{ $ps->{props} }) {
                push @p, "property $pr->{key} appears twice in $name"
                    if $prop_seen{ $pr->{key} }++ == 1;
                if (defined $ps->{code} && ($ps->{code} < 200 || $ps->{code} > 299)
                    && !$pr->{empty}) {
                    push @p, "property $pr->{key} of $name has a value in its $ps->{code} propstat "
                             . '(a property that failed has no value)';
                }
            }
        }
    }
    return @p;
}

sub _schema_problems {
    my ($doc, %opt) = @_;
    my $file = $opt{schema} // schema_file($opt{strict});
    my $ok = eval { _schema($file)->validate($doc); 1 };
    return () if $ok;
    # libxml2 reports each level of the failed match: keep the lines that
    # name an element, with their line numbers, without the generic ones
    my (@msg, %seen);
    for my $line (split /\n/, "$@") {
        my ($n, $m) = $line =~ /:(\d+): .*?validity error : (.*)/ or next;
        next if $m =~ /^(?:failed to compare type|Error validating (?:value|datatype))/;
        $m .= " (line $n)" if $n;
        push @msg, $m unless $seen{$m}++;
    }
    @msg = ("$@") unless @msg;
    return 'not valid against ' . File::Basename::basename($file) . ': ' . join('; ', @msg);
}

# (ms or undef, problems...)
sub _check {
    my ($ms, @p) = _check_raw(@_);
    return ($ms, map { _printable($_) } @p);
}

sub _check_raw {
    my ($thing, %opt) = @_;
    my ($body, $http, $problem) = _input($thing);
    my @p;
    push @p, _http_problems($http, %opt) if $http;
    push @p, $problem if $problem;
    return (undef, @p, 'empty body') if !$problem && !(defined $body && length $body);
    return (undef, @p) if $problem;
    utf8::encode($body) if utf8::is_utf8($body);
    if ($http && _is_json_type($http->{content_type})) {
        return (undef, @p, 'JSON bodies are not supported yet');
    }
    my ($doc, $why) = _parse_xml($body);
    return (undef, @p, $why) unless $doc;
    my $ms = _build_xml($doc, $body, $http);
    push @p, _grammar_problems($ms, %opt);
    push @p, _strict_problems($ms, %opt) if $opt{strict};
    push @p, _schema_problems($doc, %opt);
    return ($ms, @p);
}

sub multistatus_problems {
    my ($thing, %opt) = @_;
    my (undef, @p) = _check($thing, %opt);
    return @p;
}

# ------------------------------------------------------------------ assertions

sub multistatus_ok {
    my ($thing, $name, %opt) = @_;
    my $tb = _tb();
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my ($ms, @p) = defined $thing ? _check($thing, %opt) : (undef, 'no response given');
    my $ok = $tb->ok(!@p, $name // 'a valid 207 Multi-Status');
    return $ms if $ok;
    $tb->diag('  ' . $_) for @p;
    my ($body, $http) = defined $thing ? eval { _input($thing) } : ();
    $tb->diag("headers:\n" . $http->{headers}) if $http;
    $tb->diag("body:\n" . _excerpt($body));
    return undef;
}

# The structure for an assertion: a parsed one, or one parsed now.
sub _ms_or_why {
    my ($thing) = @_;
    return (undef, 'no multistatus (undef) to look in') unless defined $thing;
    return ($thing, undef) if ref $thing eq 'HASH' && $thing->{responses};
    my ($ms, $why) = eval { _parse($thing) };
    return (undef, $@ || $why) unless $ms;
    return ($ms, undef);
}

sub _unescape {
    my ($s) = @_;
    $s =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
    return $s;
}

sub _href_key {
    my ($h, $strip_origin) = @_;
    $h =~ s{\A[A-Za-z][A-Za-z0-9+.\-]*://[^/]*}{} if $strip_origin;
    return _unescape($h);
}

sub _href_list {
    my ($ms) = @_;
    my @h = map { @{ $_->{hrefs} } } @{ $ms->{responses} };
    my $more = @h > 30 ? ' ... (' . @h . ' in all)' : '';
    @h = @h[0 .. 29] if @h > 30;
    return @h ? join(', ', @h) . $more : '(none: the multistatus is empty)';
}

# (response, undef) or (undef, why).  Exact href first; then the same
# resource written otherwise (percent-encoding, or a path for an absolute
# URI).
sub _find_response {
    my ($ms, $href) = @_;
    return (undef, 'no href given') unless defined $href;
    return ($ms->{by_href}{$href}, undef) if $ms->{by_href}{$href};
    my $strip = _href_form($href) ne 'uri';
    my $key = _href_key($href, $strip);
    my @hit = grep { my $r = $_; grep { _href_key($_, $strip) eq $key } @{ $r->{hrefs} } }
              @{ $ms->{responses} };
    return ($hit[0], undef) if @hit == 1;
    return (undef, "href $href matches " . @hit . ' responses: '
                   . join(', ', map { $_->{href} // '?' } @hit)) if @hit;
    return (undef, "no response for href $href; hrefs in the body: " . _href_list($ms));
}

sub multistatus_response {
    my ($thing, $href) = @_;
    my ($ms) = _ms_or_why($thing);
    return undef unless $ms;
    my ($r) = _find_response($ms, $href);
    return $r;
}

sub _propname {
    my ($spec) = @_;
    Carp::croak('no property name given') unless defined $spec;
    return @$spec if ref $spec eq 'ARRAY';
    return ($1, $2) if $spec =~ /\A\{(.*)\}(.+)\z/s;
    return ($DAV, $spec);
}

sub _find_prop {
    my ($r, $spec) = @_;
    my ($ns, $name) = _propname($spec);
    my @hit;
    for my $ps (@{ $r->{propstats} }) {
        push @hit, grep { $_->{ns} eq $ns && $_->{name} eq $name } @{ $ps->{props} };
    }
    return ($hit[0], undef) if @hit == 1;
    return (undef, "property {$ns}$name appears " . @hit . " times in response $r->{href}")
        if @hit;
    my @have = map { "$_->{key} ($_->{code})" }
               map { @{ $_->{props} } } @{ $r->{propstats} };
    return (undef, "no property {$ns}$name in response $r->{href}; it has "
                   . (@have ? join(', ', @have)
                            : defined $r->{status} ? "a status ($r->{status}), no propstat"
                                                   : 'no property'));
}

sub multistatus_prop {
    my ($thing, $href, $prop) = @_;
    my $r = multistatus_response($thing, $href) or return undef;
    my ($p) = _find_prop($r, $prop);
    return $p;
}

# '' when $line matches the wanted status (a code, "NNN Reason" or a whole
# status line), else why not.
sub _status_mismatch {
    my ($line, $code, $want) = @_;
    return 'no status' unless defined $line;
    if ($want =~ /\A\d{3}\z/) {
        return '' if defined $code && $code == $want;
    }
    elsif ($want =~ m{\AHTTP/}) {
        return '' if $line eq $want;
    }
    else {
        return '' if $line =~ m{\AHTTP/\d+\.\d+ \Q$want\E\z};
    }
    return "status is '$line', expected '$want'";
}

sub _assert {
    my ($ok, $name, @diag) = @_;
    my $tb = _tb();
    local $Test::Builder::Level = $Test::Builder::Level + 2;
    $tb->ok($ok, $name) or $tb->diag('  ' . join("\n  ", map { _printable($_) } @diag));
    return $ok;
}

sub href_status_is {
    my ($thing, $href, $status, $name) = @_;
    $name //= "$href has status $status";
    my ($ms, $why) = _ms_or_why($thing);
    return _assert(0, $name, $why) unless $ms;
    my ($r, $why2) = _find_response($ms, $href);
    return _assert(0, $name, $why2) unless $r;
    return _assert(0, $name, "response $r->{href} has propstats, not a status: "
                             . join(', ', map { $_->{status} // '?' } @{ $r->{propstats} }))
        if !defined $r->{status} && @{ $r->{propstats} };
    my $mis = _status_mismatch($r->{status}, $r->{code}, $status);
    return _assert(!$mis, $name, "response $r->{href}: $mis"
                   . (defined $r->{description} ? " (responsedescription: '$r->{description}')" : ''));
}

sub prop_status_is {
    my ($thing, $href, $prop, $status, $name) = @_;
    my ($ns, $pn) = _propname($prop);
    $name //= "{$ns}$pn of $href has status $status";
    my ($ms, $why) = _ms_or_why($thing);
    return _assert(0, $name, $why) unless $ms;
    my ($r, $why2) = _find_response($ms, $href);
    return _assert(0, $name, $why2) unless $r;
    my ($p, $why3) = _find_prop($r, $prop);
    return _assert(0, $name, $why3) unless $p;
    my $mis = _status_mismatch($p->{status}, $p->{code}, $status);
    return _assert(!$mis, $name, "property $p->{key} of $r->{href}: $mis");
}

sub _show {
    my ($v) = @_;
    return 'no value (an empty element)' unless defined $v;
    return "'$v'" unless ref $v;
    return "text matching $v" if ref $v eq 'Regexp';
    return "XML '$v->{xml}'" if ref $v eq 'HASH' && exists $v->{xml};
    return 'child elements [' . join(', ', @{ $v->{elements} }) . ']'
        if ref $v eq 'HASH' && $v->{elements};
    return "$v";
}

sub prop_is {
    my ($thing, $href, $prop, $status, $value, $name) = @_;
    my ($ns, $pn) = _propname($prop);
    $name //= "{$ns}$pn of $href is " . _show($value);
    my ($ms, $why) = _ms_or_why($thing);
    return _assert(0, $name, $why) unless $ms;
    my ($r, $why2) = _find_response($ms, $href);
    return _assert(0, $name, $why2) unless $r;
    my ($p, $why3) = _find_prop($r, $prop);
    return _assert(0, $name, $why3) unless $p;
    my @why;
    if (defined $status) {
        my $mis = _status_mismatch($p->{status}, $p->{code}, $status);
        push @why, $mis if $mis;
    }
    my $ok;
    if (!defined $value) {
        $ok = $p->{empty};
    }
    elsif (ref $value eq 'Regexp') {
        $ok = $p->{value} =~ $value;
    }
    elsif (ref $value eq 'HASH' && exists $value->{xml}) {
        $ok = defined $p->{xml} && $p->{xml} eq $value->{xml};
    }
    elsif (ref $value eq 'HASH' && $value->{elements}) {
        my @have = $p->{node} ? map { _clark($_) } _elements($p->{node}) : ();
        $ok = "@have" eq "@{ $value->{elements} }";
    }
    elsif (!ref $value) {
        $ok = $p->{value} eq $value;
    }
    else {
        Carp::croak('prop_is: a value is a string, a qr//, undef, { xml => ... } or { elements => [...] }');
    }
    unless ($ok) {
        my $have = $p->{empty} ? 'no value (an empty element)'
                 : "'$p->{value}'" . (defined $p->{xml} && $p->{xml} =~ /</ ? " (XML '$p->{xml}')" : '');
        push @why, 'value is ' . $have . ', expected ' . _show($value);
    }
    return _assert(!@why, $name, map { "property $p->{key} of $r->{href}: $_" } @why);
}

sub hrefs_are {
    my ($thing, $want, $name) = @_;
    Carp::croak('hrefs_are: the expected hrefs are an array reference')
        unless ref $want eq 'ARRAY';
    $name //= 'hrefs are ' . join(', ', @$want);
    my ($ms, $why) = _ms_or_why($thing);
    return _assert(0, $name, $why) unless $ms;
    my $strip = !grep { _href_form($_) eq 'uri' } @$want;
    my (%have, %expect);
    for my $r (@{ $ms->{responses} }) {
        push @{ $have{ _href_key($_, $strip) } }, $_ for @{ $r->{hrefs} };
    }
    push @{ $expect{ _href_key($_, $strip) } }, $_ for @$want;
    my (@missing, @extra);
    for my $k (sort keys %expect) {
        my $n = @{ $expect{$k} } - @{ $have{$k} || [] };
        push @missing, ($expect{$k}[0]) x $n if $n > 0;
    }
    for my $k (sort keys %have) {
        my $n = @{ $have{$k} } - @{ $expect{$k} || [] };
        push @extra, ($have{$k}[0]) x $n if $n > 0;
    }
    my @diag;
    push @diag, 'missing:    ' . join(', ', @missing) if @missing;
    push @diag, 'unexpected: ' . join(', ', @extra) if @extra;
    push @diag, 'hrefs in the body: ' . _href_list($ms) if @diag;
    return _assert(!@diag, $name, @diag);
}

sub hrefs_unique {
    my ($thing, $name) = @_;
    $name //= 'no href appears twice';
    my ($ms, $why) = _ms_or_why($thing);
    return _assert(0, $name, $why) unless $ms;
    my %n;
    $n{$_}++ for map { @{ $_->{hrefs} } } @{ $ms->{responses} };
    my @dup = grep { $n{$_} > 1 } sort keys %n;
    return _assert(!@dup, $name, map { "href $_ appears $n{$_} times" } @dup);
}

# ------------------------------------------------------------------ PROPFIND

sub _xml_escape {
    my ($s) = @_;
    $s =~ s/&/&amp;/g;
    $s =~ s/</&lt;/g;
    $s =~ s/>/&gt;/g;
    $s =~ s/"/&quot;/g;
    return $s;
}

sub propfind_body {
    my (%opt) = @_;
    my @modes = grep { $opt{$_} } qw(props allprop propname);
    Carp::croak('propfind_body: props, allprop and propname exclude each other')
        if @modes > 1;
    Carp::croak('propfind_body: include goes with allprop') if $opt{include} && !$opt{allprop};
    return '' unless @modes;
    my (%prefix, @decl);
    my $n = 0;
    my $tag = sub {
        my ($spec) = @_;
        my ($ns, $name) = _propname($spec);
        Carp::croak("propfind_body: '$name' is not an XML name")
            unless $name =~ /\A[^\W\d][\w.\-]*\z/;
        Carp::croak("propfind_body: property $name has no namespace") if $ns eq '';
        unless (exists $prefix{$ns}) {
            $prefix{$ns} = $ns eq $DAV ? 'D' : 'ns' . ++$n;
            push @decl, " xmlns:$prefix{$ns}=\"" . _xml_escape($ns) . '"' unless $ns eq $DAV;
        }
        return "<$prefix{$ns}:$name/>";
    };
    my $inner;
    if ($opt{props}) {
        $inner = '<D:prop>' . join('', map { $tag->($_) } @{ $opt{props} }) . '</D:prop>';
    }
    elsif ($opt{propname}) {
        $inner = '<D:propname/>';
    }
    else {
        $inner = '<D:allprop/>';
        $inner .= '<D:include>' . join('', map { $tag->($_) } @{ $opt{include} }) . '</D:include>'
            if $opt{include} && @{ $opt{include} };
    }
    return qq{<?xml version="1.0" encoding="utf-8"?>\n}
         . qq{<D:propfind xmlns:D="DAV:"} . join('', @decl) . ">$inner</D:propfind>";
}

sub propfind_request {
    my ($url, %opt) = @_;
    require HTTP::Request;
    Carp::croak('propfind_request: no URL given') unless defined $url;
    my %known = map { $_ => 1 } qw(depth props allprop include propname body prefer brief headers);
    for (sort keys %opt) {
        Carp::croak("propfind_request: unknown option '$_'") unless $known{$_};
    }
    if ($url !~ m{\A\w+://}) {
        require Apache::TestRequest;
        $url = Apache::TestRequest::resolve_url($url);
    }
    my $body = exists $opt{body} ? $opt{body} : propfind_body(%opt);
    my @h;
    if (defined $opt{depth}) {
        Carp::croak("propfind_request: depth is 0, 1 or infinity, not '$opt{depth}'")
            unless $opt{depth} =~ /\A(?:0|1|infinity)\z/;
        push @h, Depth => $opt{depth};
    }
    if (defined $opt{prefer}) {
        push @h, Prefer => ref $opt{prefer} ? join(', ', @{ $opt{prefer} }) : $opt{prefer};
    }
    push @h, Brief => 't' if $opt{brief};
    push @h, 'Content-Type' => 'application/xml; charset=utf-8'
        if defined $body && length $body;
    push @h, @{ $opt{headers} } if $opt{headers};
    my $req = HTTP::Request->new(PROPFIND => $url, \@h, $body);
    $req->header('Content-Length' => length($body // ''));
    return $req;
}

sub PROPFIND {
    my ($url, %opt) = @_;
    require Apache::TestRequest;
    my $req = propfind_request($url, %opt);
    my $ua = Apache::TestRequest::user_agent()
        or Carp::croak('PROPFIND: Apache::TestRequest has no user agent (is LWP installed?)');
    my $res = $ua->request($req);
    { no warnings 'once'; Apache::TestRequest::lwp_trace($res) if $Apache::TestRequest::DebugLWP; }
    return $res;
}

1;

__END__

=head1 NAME

Apache::TestMultiStatus - assert on 207 Multi-Status answers in Apache::Test suites

=head1 SYNOPSIS

  use strict;
  use warnings;
  use Apache::Test qw(-withtestmore);
  use Test::More import => ['!plan'];
  use Apache::TestMultiStatus;

  plan tests => 5;

  my $res = PROPFIND('/dav/', depth => 1,
                     props => ['displayname', '{urn:example:props}color']);
  my $ms = multistatus_ok($res, 'PROPFIND answers a valid 207');
  hrefs_are($ms, ['/dav/', '/dav/a b.txt'], 'the folder and its file');
  prop_is($ms, '/dav/a b.txt', 'displayname', 200, 'a b.txt');
  prop_status_is($ms, '/dav/a b.txt', '{urn:example:props}color', 404);
  hrefs_unique($ms);

=head1 DESCRIPTION

A 207 Multi-Status answer (RFC 4918 sections 13 and 14) holds one result
per resource.  This module checks that such an answer is valid and lets a
test assert on its results in one line each, with a diagnostic that says
what was found when an assertion fails.  It works with any server; with
C<< strict => 1 >> it also holds the body to every rule of the answers
mod_multistatus writes.

Each assertion is exactly one test for L<Test::More>'s plan.  The
assertions take what C<multistatus_ok> or C<multistatus_parse> returned, or
an L<HTTP::Response> (as L<Apache::TestRequest> returns) or a body string,
which they parse on the spot without validating it.

=head1 VALIDATION

=head2 multistatus_ok($res, $name, %options)

One test: C<$res> (an L<HTTP::Response>, or a body string) is a valid 207
answer.  Returns the parsed structure (see L</STRUCTURE>) when it is, and
C<undef> after printing every problem found, the headers and the body when
it is not.  Checked:

=over

=item * the HTTP status is 207 and the Content-Type an XML type
(C<application/xml> or C<text/xml>); a C<Content-Encoding> (gzip, deflate)
is undone first;

=item * the body is well-formed XML and namespace-well-formed: every prefix
is declared, no attribute is given twice through two prefixes;

=item * the grammar of RFC 4918 section 14: the root is C<DAV:multistatus>,
each response has an href and either a status or propstats (never both,
never neither), each propstat a prop and a status, status lines are
C<HTTP/1.1 NNN Reason> with NNN in 200..599 (1xx are never recorded);

=item * no href appears in two responses (14.24), and every href of the
body has the same form: all absolute paths or all absolute URIs (8.3);

=item * the RELAX NG schema of that grammar, F<multistatus.rng>, installed
with the module.

=back

Options:

=over

=item strict => 1

Also the rules of mod_multistatus's own output, for suites that test a
handler written with it (see L</STRICT MODE>).

=item content_type => $string or qr/.../

The exact Content-Type wanted (or a pattern), instead of any XML type.

=item href_form => 'path' or 'uri'

Every href must be an absolute path (C</dir/a>), or an absolute URI
(C<http://host/dir/a>).

=item schema => $file

Validate against another RELAX NG schema (an extension of yours), instead
of the installed one.

=back

=head2 multistatus_problems($res, %options)

The same checks without a test: the list of problems, empty when the body
is valid.  Not exported by default.

=head2 multistatus_parse($res_or_body)

Parses without validating and returns the structure; dies, saying why,
when the body is not XML.  Reads whatever is there: an element that does
not belong is skipped, a missing one is C<undef>.

=head1 STRICT MODE

C<< strict => 1 >> adds what mod_multistatus always does, so that a test of a
module built on it fails when the module's output slips.  With it,
F<multistatus-strict.rng> replaces F<multistatus.rng>, and:

=over

=item * the body starts with C<< <?xml version="1.0" encoding="utf-8"?> >>
then C<< <D:multistatus xmlns:D="DAV:" >>; the Content-Type has
C<charset=utf-8>; no DOCTYPE;

=item * C<DAV:> is always the prefix C<D>; no default namespace outside
property values; no namespace is declared twice in scope;

=item * compact output: no text or whitespace between the elements of the
grammar;

=item * no element of another namespace directly inside multistatus,
response, propstat or location (a property belongs inside prop), and a DAV:
element only where RFC 4918 section 14 puts it (so no C<DAV:sync-token> in
a multistatus); no attribute on those elements (C<xml:lang> included); a
property carries C<xml:lang> only, and has a namespace;

=item * the status line's reason is the one mod_multistatus writes for the
code: C<HTTP/1.1 404 Not Found>, never C<HTTP/1.1 200 Not Found>; a code it
has no name for gets the name of its class (C<HTTP/1.1 299 Success>);

=item * one href per response, made of RFC 3986 path characters (others
percent-encoded), no C<//>, no C<.> or C<..> segment, no fragment;

=item * a location only with a 3xx status; an error holds one empty
element;

=item * properties grouped: one propstat per status, a property once per
response; a property of a failed (non-2xx) propstat has no value.

=back

=head1 ASSERTIONS

In each, C<$ms> is what C<multistatus_ok> or C<multistatus_parse> returned
(or a response or body, parsed on the spot); C<$name> is optional.

An C<$href> is matched exactly first; failing that, it matches the href
that names the same resource once percent-escapes are decoded, so
C<'/dir/a b.txt'> finds C</dir/a%20b.txt>, and a path finds the absolute
URI ending in it.

A C<$status> is a code (C<404>), a code and reason (C<'404 Not Found'>) or
a whole status line (C<'HTTP/1.1 404 Not Found'>).

A C<$prop> is a name in Clark notation (C<'{urn:example:props}color'>), an
array reference C<[$namespace, $name]>, or a bare name for the C<DAV:>
namespace (C<'displayname'>).

=head2 href_status_is($ms, $href, $status, $name)

The response of C<$href> has the status C<$status> (status form).

=head2 prop_status_is($ms, $href, $prop, $status, $name)

Property C<$prop> of C<$href> is in a propstat of status C<$status>.

=head2 prop_is($ms, $href, $prop, $status, $value, $name)

Property C<$prop> of C<$href> has the status C<$status> (C<undef>: any) and
the value C<$value>: a string (its text), a C<qr//> the text matches,
C<undef> (an empty element: no value), C<< { xml => $string } >> (its
content as XML, as the parser writes it back), or
C<< { elements => ['{DAV:}collection'] } >> (the names of its child elements,
in order).

=head2 hrefs_are($ms, \@hrefs, $name)

The hrefs of the body are exactly C<@hrefs>, in any order, as many times as
listed.  The diagnostic lists what is missing and what is unexpected.

=head2 hrefs_unique($ms, $name)

No href appears twice.

=head1 PROPFIND REQUESTS

=head2 PROPFIND($url, %options)

Sends a PROPFIND through L<Apache::TestRequest>'s user agent (a path is
resolved against the test server, as for C<GET>) and returns the
L<HTTP::Response>.  The body is built from the options:

=over

=item depth => 0, 1 or 'infinity'

The Depth header (none when not given: the server then assumes infinity).

=item props => [ $prop, ... ]

A C<< <D:prop> >> request for these properties.

=item allprop => 1, include => [ $prop, ... ]

An C<< <D:allprop/> >> request, with C<< <D:include> >> when given.

=item propname => 1

A C<< <D:propname/> >> request.

=item body => $xml

This body as it is (none of the three above; C<''> or no option at all
sends an empty body, which RFC 4918 reads as allprop).

=item prefer => 'return=minimal' or [ ... ], brief => 1

A Prefer header (a list is joined with commas), a C<Brief: t> header.

=item headers => [ Name => $value, ... ]

More headers.

=back

=head2 propfind_request($url, %options), propfind_body(%options)

The L<HTTP::Request> that C<PROPFIND> would send, and the body alone (not
exported by default).

=head1 STRUCTURE

A plain hash:

  {
    format      => 'xml',
    body        => $bytes,              # decoded of any Content-Encoding
    http        => { code, status_line, protocol, content_type, headers } # or undef
    doc         => $xml_libxml_document,
    description => $text,               # of the multistatus, or undef
    responses   => [ $response, ... ],  # in body order
    by_href     => { $href => $response },
  }

  $response = {
    href => $href, hrefs => [ $href, ... ],   # as written (percent-encoded)
    status => 'HTTP/1.1 204 No Content', code => 204,   # or undef (propstat form)
    propstats => [ { status, code, props => [ $prop, ... ],
                     description, error, node } ],
    props => { '{ns}name' => $prop },   # every property of the response
    description => $text, error => [ '{DAV:}lock-token-submitted' ],
    location => $href, node => $element,
  }

  $prop = { ns, name, key => '{ns}name', prefix, lang,
            value => $text, xml => $inner_xml, empty => 0 or 1,
            status, code, node }

C<error> is an empty list when there is no error element.  The C<node> and
C<doc> keys are L<XML::LibXML> objects, for what the rest does not say.
A JSON rendering of a multistatus would fill the same structure
(C<< format => 'json' >>, no C<doc> or C<node>); it is not supported yet.

=head1 OTHER FUNCTIONS

Not exported by default (C<use Apache::TestMultiStatus qw(:all)> exports
everything):

=over

=item multistatus_response($ms, $href), multistatus_prop($ms, $href, $prop)

The response or property hash, or C<undef>.

=item status_reason($code)

The reason mod_multistatus writes for a code of 200..599.

=item schema_file($strict)

The path of the installed schema (strict or permissive).

=back

=head1 FILES

F<Apache/TestMultiStatus/multistatus.rng> (RFC 4918 section 14, for any
server) and F<Apache/TestMultiStatus/multistatus-strict.rng> (the output of
mod_multistatus), installed beside the module and found relative to it.

=head1 SEE ALSO

L<Apache::Test>, L<Apache::TestRequest>, L<Test::More>, RFC 4918,
the README of mod_multistatus.

=head1 LICENSE

Apache License, Version 2.0, as mod_multistatus.

=cut
