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
use B ();
use JSON::PP ();
use Scalar::Util ();
use Test::Builder ();
use XML::LibXML ();

our @EXPORT = qw(
    multistatus_ok multistatus_parse multistatus_same_ok
    href_status_is prop_status_is prop_is hrefs_are hrefs_unique
    PROPFIND
);
our @EXPORT_OK = qw(
    multistatus_problems multistatus_response multistatus_prop
    propfind_request propfind_body status_reason schema_file json_schema_file
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

# ------------------------------------------------------------------ JSON

# The JSON rendering of MultiStatusJSON (docs/multistatus.schema.json) is
# read into the same structure as the XML one: status lines are rebuilt
# from status and reason, XML values parsed into the element they would be
# in the XML body, so that every assertion works on both.

sub _is_json_type {
    my ($ct) = @_;
    return defined $ct && $ct =~ m{\A\s*application/(?:[\w.+-]+\+)?json\s*(?:;|\z)}i;
}

sub _is_xml_type {
    my $type = _media_type($_[0]);
    return $type eq 'application/xml' || $type eq 'text/xml';
}

# 'json' or 'xml': the Content-Type says, else the first character does.
sub _format_of {
    my ($body, $http) = @_;
    if ($http && defined $http->{content_type}) {
        return 'json' if _is_json_type($http->{content_type});
        return 'xml' if _is_xml_type($http->{content_type});
    }
    return defined $body && $body =~ /\A[\x20\t\r\n]*[\{\[]/ ? 'json' : 'xml';
}

# The JSON type of a decoded value, read from how JSON::PP made it: a
# number is made without a string part, a string without a number part.
# (So a value is typed before anything uses it: using a string as a number
# or a number as a string adds the other part.  The checks below copy a
# value before they show it.)
sub _jtype {
    my ($v) = @_;
    return 'null' unless defined $v;
    if (my $ref = ref $v) {
        return 'object' if $ref eq 'HASH';
        return 'array' if $ref eq 'ARRAY';
        return 'boolean' if JSON::PP::is_bool($v);
        return 'unknown';
    }
    my $flags = B::svref_2object(\$v)->FLAGS;
    return 'string' if $flags & B::SVp_POK();
    if ($flags & (B::SVp_IOK() | B::SVp_NOK())) {
        return ($flags & B::SVp_NOK()) && $v != int $v ? 'number' : 'integer';
    }
    return 'string';
}

my %A_TYPE = (object => 'an object', array => 'an array', string => 'a string',
              integer => 'an integer', number => 'a number', boolean => 'a boolean',
              null => 'null', unknown => 'something else');

# A value as JSON, for messages (on a copy: the original keeps its type).
sub _jshow {
    my ($v) = @_;
    my $s = eval { JSON::PP->new->canonical->allow_nonref->encode($v) }
            // '?';
    $s = substr($s, 0, 60) . '...' if length $s > 63;
    return $s;
}

my $JSON;
sub _json { $JSON ||= JSON::PP->new->utf8->allow_nonref }

sub _line_of {
    my ($text, $offset) = @_;
    return 1 + (substr($text, 0, $offset) =~ tr/\n//);
}

# Raw control characters inside strings: not JSON (RFC 8259 section 7).
# Lists them with their line, for a body JSON::PP refused.
sub _json_raw_controls {
    my ($chars) = @_;
    my @p;
    while ($chars =~ /"((?:[^"\\]|\\.)*)"/gs) {
        my ($str, $end) = ($1, pos $chars);
        next unless $str =~ /([\x00-\x1f])/;
        my $c = ord $1;
        my %esc = (9 => '\t', 10 => '\n', 13 => '\r', 8 => '\b', 12 => '\f');
        my $line = _line_of($chars, $end - length($str) - 1 + $-[1]);
        push @p, sprintf('raw control character U+%04X inside a string (line %d): '
                         . 'JSON escapes it (%s)', $c, $line,
                         $esc{$c} // sprintf('\u%04x', $c));
        last if @p >= 5;
    }
    return @p;
}

# (data, undef, chars) or (undef, why)
sub _parse_json {
    my ($body) = @_;
    my $chars = $body;
    return (undef, 'not valid UTF-8 (RFC 8259 section 8.1: a JSON text is UTF-8)')
        unless utf8::decode($chars);
    my $data = eval { _json()->decode($body) };
    return ($data, undef, $chars) if !$@;
    my @raw = _json_raw_controls($chars);
    return (undef, join("\n", map { "not JSON: $_" } @raw)) if @raw;
    (my $why = "$@") =~ s/ at \S+ line \d+\.?\s*\z//s;
    my $where = $why =~ /at character offset (\d+)/ ? ' (line ' . _line_of($chars, $1) . ')' : '';
    return (undef, "not JSON$where: $why");
}

sub _xml_text_escape {
    my ($s) = @_;
    $s =~ s/&/&amp;/g;
    $s =~ s/</&lt;/g;
    $s =~ s/>/&gt;/g;
    $s =~ s/\r/&#13;/g;
    return $s;
}

# An xml value as the element it stands in in the XML body, D: bound to
# DAV: as there: (element, undef) or (undef, why).
sub _json_prop_element {
    my ($ns, $name, $lang, $frag) = @_;
    my $prefix = 'D';
    if ($ns ne $DAV) {
        $prefix = 'P';
        $prefix .= '1' while $frag =~ /\b\Q$prefix\E:/;
    }
    my $attr = $ns eq $DAV ? '' : " xmlns:$prefix=\"" . _xml_escape($ns) . '"';
    $attr .= ' xml:lang="' . _xml_escape($lang) . '"' if defined $lang;
    my $text = qq{<w xmlns:D="DAV:"><$prefix:$name$attr>$frag</$prefix:$name></w>};
    utf8::encode($text);
    my ($doc, $why) = _parse_xml($text);
    return (undef, $why) unless $doc;
    return (($doc->documentElement->childNodes)[0], undef);
}

# Is the fragment well-formed where it stands (inside a property element,
# with D: for DAV:)?  undef when it is, else why not.
sub _json_fragment_problem {
    my ($frag) = @_;
    my $text = qq{<value xmlns:D="DAV:">$frag</value>};
    utf8::encode($text);
    my (undef, $why) = _parse_xml($text);
    return $why;
}

sub _json_status_line {
    my ($status, $reason) = @_;
    my $t = _jtype($status);
    my $code = $t eq 'integer' || ($t eq 'string' && $status =~ /\A[0-9]{3}\z/)
             ? 0 + $status : undef;
    my $shown = defined $code ? $code : _jshow($status);
    my $line = 'HTTP/1.1 ' . $shown;
    $line .= ' ' . $reason if defined $reason && !ref $reason;
    return ($line, $code);
}

sub _json_error_names {
    my ($e) = @_;
    return [] unless ref $e eq 'HASH';
    my ($ns, $name) = ($e->{namespace}, $e->{name});
    return [ '{' . ($ns // '') . '}' . ($name // '') ];
}

sub _jstr {
    my ($v) = @_;
    return defined $v && !ref $v ? "$v" : undef;
}

# The plain structure of a decoded JSON body.  Lenient, as _build_xml: it
# takes what is there.
sub _build_json {
    my ($data, $body, $http) = @_;
    my %ms = (format => 'json', body => $body, http => $http, doc => undef, json => $data,
              responses => [], by_href => {}, description => undef);
    return \%ms unless ref $data eq 'HASH';
    my %parsed;
    $ms{description} = _jstr($data->{description});
    my $list = ref $data->{responses} eq 'ARRAY' ? $data->{responses} : [];
    for my $jr (@$list) {
        next unless ref $jr eq 'HASH';
        my %r = (href => undef, hrefs => [], status => undef, code => undef,
                 propstats => [], props => {}, description => _jstr($jr->{description}),
                 error => exists $jr->{error} ? _json_error_names($jr->{error}) : [],
                 location => _jstr($jr->{location}), node => undef, json => $jr);
        push @{ $r{hrefs} }, "$jr->{href}"
            if _jtype($jr->{href}) eq 'string' && length $jr->{href};
        @r{qw(status code)} = _json_status_line($jr->{status}, $jr->{reason})
            if exists $jr->{status};
        my $pss = ref $jr->{propstats} eq 'ARRAY' ? $jr->{propstats} : [];
        for my $jps (@$pss) {
            next unless ref $jps eq 'HASH';
            my %ps = (status => undef, code => undef, props => [],
                      description => _jstr($jps->{description}),
                      error => exists $jps->{error} ? _json_error_names($jps->{error}) : [],
                      node => undef, json => $jps);
            @ps{qw(status code)} = _json_status_line($jps->{status}, $jps->{reason})
                if exists $jps->{status};
            my $props = ref $jps->{properties} eq 'ARRAY' ? $jps->{properties} : [];
            for my $jp (@$props) {
                next unless ref $jp eq 'HASH';
                my $ns = _jstr($jp->{namespace}) // '';
                my $name = _jstr($jp->{name}) // '';
                my $lang = _jstr($jp->{lang});
                my %p = (ns => $ns, name => $name, key => "{$ns}$name", prefix => undef,
                         lang => $lang, value => '', xml => '', empty => 1, node => undef,
                         json => $jp);
                if (defined(my $frag = _jstr($jp->{xml}))) {
                    # (one parse for the same value of the same property:
                    # a listing repeats them)
                    my $c = $parsed{ join "\0", $ns, $name, $lang // "\1", $frag } ||= do {
                        my ($el) = length $name ? _json_prop_element($ns, $name, $lang, $frag) : ();
                        $el ? [ $el, $el->textContent, join('', map { $_->toString } $el->childNodes),
                                $el->hasChildNodes ? 0 : 1 ]
                            : [ undef, '', $frag, length $frag ? 0 : 1 ];
                    };
                    @p{qw(node value xml empty)} = @$c;
                }
                elsif (defined(my $v = _jstr($jp->{value}))) {
                    @p{qw(value xml empty)} = ($v, _xml_text_escape($v), length $v ? 0 : 1);
                }
                push @{ $ps{props} }, \%p;
            }
            for my $p (@{ $ps{props} }) {
                $p->{status} = $ps{status};
                $p->{code} = $ps{code};
                $r{props}{ $p->{key} } //= $p;
            }
            push @{ $r{propstats} }, \%ps;
        }
        $r{href} = $r{hrefs}[0];
        push @{ $ms{responses} }, \%r;
        $ms{by_href}{ $r{href} } //= \%r if defined $r{href};
    }
    return \%ms;
}

sub _parse {
    my ($thing) = @_;
    my ($body, $http, $problem) = _input($thing);
    return (undef, $problem) if $problem;
    return (undef, 'empty body') unless defined $body && length $body;
    if (_format_of($body, $http) eq 'json') {
        my ($data, $why) = _parse_json($body);
        return (undef, $why) if defined $why;
        return (_build_json($data, $body, $http), undef);
    }
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
    elsif (_is_json_type($ct)) {
        push @p, "Content-Type is '$ct': mod_multistatus sends application/json "
                 . '(RFC 8259 defines no parameter)'
            if $opt{strict} && $ct ne 'application/json';
    }
    else {
        my $type = _media_type($ct);
        push @p, "Content-Type is '$ct', not an XML type (application/xml or text/xml) "
                 . 'nor JSON (application/json)'
            unless $type eq 'application/xml' || $type eq 'text/xml';
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

# hrefs of any body (XML or JSON): none twice (RFC 4918 section 14.24), one
# form (section 8.3), and the form asked for.
sub _href_problems {
    my ($ms, %opt) = @_;
    my (@p, %count, %forms);
    my @rs = @{ $ms->{responses} };
    for my $i (0 .. $#rs) {
        my $r = $rs[$i];
        # the truncation marker (RFC 5323, RFC 6578): a last response with
        # 507 for the request-URI, which the listing may already hold
        my $marker = $i == $#rs && $i > 0 && ($r->{code} // 0) == 507;
        for my $h (@{ $r->{hrefs} }) {
            $count{$h}++ unless $marker;
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
    }
    push @p, _href_problems($ms, %opt);
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
    my $format = _format_of($body, $http);
    if (defined $opt{format}) {
        Carp::croak("format must be 'xml' or 'json', not '$opt{format}'")
            unless $opt{format} eq 'xml' || $opt{format} eq 'json';
        push @p, 'the answer is ' . uc($format)
                 . ($http ? ' (Content-Type ' . ($http->{content_type} // 'none') . ')' : '')
                 . ', not ' . uc($opt{format}) . ' as asked'
            if $format ne $opt{format};
    }
    return _check_json($body, $http, \@p, %opt) if $format eq 'json';
    my ($doc, $why) = _parse_xml($body);
    return (undef, @p, $why) unless $doc;
    my $ms = _build_xml($doc, $body, $http);
    push @p, _grammar_problems($ms, %opt);
    push @p, _strict_problems($ms, %opt) if $opt{strict};
    push @p, _schema_problems($doc, %opt);
    return ($ms, @p);
}

# ------------------------------------------------------------------ JSON checks

# The members each object of the shape may have (docs/multistatus.schema.json).
my %JSON_MEMBERS = (
    top      => [qw(multistatus responses description summary)],
    response => [qw(href status reason propstats error description location)],
    propstat => [qw(status reason properties error description)],
    property => [qw(namespace name lang value xml)],
    error    => [qw(namespace name)],
    summary  => [qw(responses status propstat_responses properties)],
    classes  => [qw(2xx 3xx 4xx 5xx)],
);

# An XML NCName (a local name of a property or an error element).
my $NCNAME = qr/\A[\p{L}_][\p{L}\p{N}_.\-\x{B7}\x{300}-\x{36F}\x{203F}\x{2040}]*\z/;

# Problems of an object of the shape: its type, unknown members (those
# when $kind is given; else by _json_members later, once it has a name).
sub _json_object_problem {
    my ($v, $what, $kind, $p) = @_;
    my $t = _jtype($v);
    if ($t ne 'object') {
        push @$p, "$what is $A_TYPE{$t}, not an object";
        return 0;
    }
    _json_members($v, $what, $kind, $p) if $kind;
    return 1;
}

sub _json_members {
    my ($v, $what, $kind, $p) = @_;
    my %known = map { $_ => 1 } @{ $JSON_MEMBERS{$kind} };
    for my $k (sort keys %$v) {
        push @$p, "unknown member \"$k\" in $what (the shape has "
                  . join(', ', @{ $JSON_MEMBERS{$kind} }) . ')' unless $known{$k};
    }
}

# A member that must be a non-empty string (when present, or always).
sub _json_string_problem {
    my ($obj, $key, $what, $p, %o) = @_;
    unless (exists $obj->{$key}) {
        push @$p, "$what has no $key" if $o{required};
        return;
    }
    my $t = _jtype($obj->{$key});
    if ($t ne 'string') {
        push @$p, "$key of $what is $A_TYPE{$t} (" . _jshow($obj->{$key}) . '), not a string';
    }
    elsif ($o{nonempty} && !length $obj->{$key}) {
        push @$p, "$key of $what is an empty string";
    }
}

# status and reason of a response or a propstat: the code, or undef.
sub _json_status_problem {
    my ($obj, $what, $p, %opt) = @_;
    unless (exists $obj->{status}) {
        push @$p, "$what has no status";
        return undef;
    }
    my $v = $obj->{status};
    my $t = _jtype($v);
    my $code;
    if ($t ne 'integer') {
        push @$p, "status of $what is $A_TYPE{$t} (" . _jshow($v) . '), not an integer';
    }
    elsif ($v >= 100 && $v <= 199) {
        push @$p, 'status ' . _jshow($v) . " in $what: a 1xx status is never recorded in a 207 (RFC 4918 section 13)";
    }
    elsif ($v < 200 || $v > 599) {
        push @$p, 'status ' . _jshow($v) . " in $what is not an HTTP status code of a 207 (200..599)";
    }
    else {
        $code = 0 + _jshow($v);
    }
    if (!exists $obj->{reason}) {
        push @$p, "$what has a status but no reason";
    }
    else {
        my $rt = _jtype($obj->{reason});
        if ($rt ne 'string' || !length $obj->{reason}) {
            push @$p, "reason of $what is " . ($rt eq 'string' ? 'an empty string' : "$A_TYPE{$rt}")
                      . ', not a reason phrase';
        }
        elsif ($opt{strict} && defined $code && $obj->{reason} ne status_reason($code)) {
            push @$p, "status $code with reason '$obj->{reason}' in $what: mod_multistatus writes '"
                      . status_reason($code) . "'";
        }
    }
    return $code;
}

sub _json_error_problem {
    my ($obj, $what, $p, %opt) = @_;
    return unless exists $obj->{error};
    my $e = $obj->{error};
    my $ew = "the error of $what";
    return unless _json_object_problem($e, $ew, 'error', $p);
    _json_string_problem($e, $_, $ew, $p, required => 1, nonempty => 1) for qw(namespace name);
    if ($opt{strict} && _jtype($e->{name}) eq 'string' && length $e->{name}
        && $e->{name} !~ $NCNAME) {
        push @$p, "$ew: '$e->{name}' is not an XML name";
    }
}

# The structural rules of docs/multistatus.schema.json, and those it cannot
# say (counts, hrefs), on a decoded body; with strict, the module's own.
# Returns (problems, [ counts by class ]).
sub _json_grammar_problems {
    my ($data, %opt) = @_;
    my @p;
    my $t = _jtype($data);
    if ($t ne 'object') {
        return ("the top level is $A_TYPE{$t}, not an object "
                . '({"multistatus":1,"responses":[...],"summary":{...}})');
    }
    if (!exists $data->{multistatus}) {
        push @p, 'no "multistatus" member at the top level (1, the version of the shape): '
                 . 'not a multistatus body';
    }
    elsif (_jtype($data->{multistatus}) ne 'integer' || $data->{multistatus} != 1) {
        push @p, 'multistatus is ' . _jshow($data->{multistatus}) . ', not 1 (the version of the shape)';
    }
    _json_object_problem($data, 'the top level', 'top', \@p);
    _json_string_problem($data, 'description', 'the multistatus', \@p);
    my $rt = exists $data->{responses} ? _jtype($data->{responses}) : 'none';
    if ($rt ne 'array') {
        push @p, $rt eq 'none' ? 'no "responses" member at the top level'
                               : "responses is $A_TYPE{$rt}, not an array";
        return @p;
    }
    # counts for the summary: status-form responses by class; propstat
    # responses; properties by class of their propstat
    my (%st, %pr, $n_ps, $unclassified, %frag_why);
    $st{$_} = $pr{$_} = 0 for 2 .. 5;
    $n_ps = 0;
    my $i = 0;
    for my $r (@{ $data->{responses} }) {
        $i++;
        my $name = "response #$i";
        next unless _json_object_problem($r, $name, undef, \@p);
        if (!exists $r->{href}) {
            push @p, "$name has no href";
        }
        elsif (_jtype($r->{href}) ne 'string' || !length $r->{href}) {
            _json_string_problem($r, 'href', $name, \@p, nonempty => 1);
        }
        else {
            $name = "response $r->{href}";
        }
        _json_members($r, $name, 'response', \@p);
        my ($has_s, $has_ps) = (exists $r->{status}, exists $r->{propstats});
        if ($has_s && $has_ps) {
            push @p, "$name has both a status and propstats (RFC 4918 section 14.24: one or the other)";
        }
        elsif (!$has_s && !$has_ps) {
            push @p, "$name has neither a status nor propstats";
        }
        my $code;
        if ($has_s) {
            $code = _json_status_problem($r, $name, \@p, %opt);
            $unclassified++ unless defined $code;
            $st{ substr $code, 0, 1 }++ if defined $code && !$has_ps;
        }
        elsif (exists $r->{reason}) {
            push @p, "$name has a reason but no status";
        }
        _json_error_problem($r, $name, \@p, %opt);
        _json_string_problem($r, 'description', $name, \@p);
        _json_string_problem($r, 'location', $name, \@p, nonempty => 1);
        if ($opt{strict} && exists $r->{location}) {
            push @p, "$name has a location but no 3xx status (a location goes with a redirection only)"
                unless defined $code && $code >= 300 && $code <= 399;
        }
        next unless $has_ps;
        my $pt = _jtype($r->{propstats});
        if ($pt ne 'array') {
            push @p, "propstats of $name is $A_TYPE{$pt}, not an array";
            next;
        }
        push @p, "propstats of $name is an empty array (a propstat-form response has at least one)"
            unless @{ $r->{propstats} };
        $n_ps++ unless $has_s;
        my (%ps_status, %prop_seen);
        my $j = 0;
        for my $ps (@{ $r->{propstats} }) {
            $j++;
            my $where = "propstat #$j of $name";
            next unless _json_object_problem($ps, $where, undef, \@p);
            my $pcode = _json_status_problem($ps, $where, \@p, %opt);
            $unclassified++ unless defined $pcode;
            $where = "propstat #$j ($pcode) of $name" if defined $pcode;
            _json_members($ps, $where, 'propstat', \@p);
            if (defined $pcode) {
                push @p, "$name has two propstats for status $pcode (properties are grouped by status)"
                    if $opt{strict} && $ps_status{$pcode}++ == 1;
            }
            _json_error_problem($ps, $where, \@p, %opt);
            _json_string_problem($ps, 'description', $where, \@p);
            if (!exists $ps->{properties}) {
                push @p, "$where has no properties";
                next;
            }
            my $lt = _jtype($ps->{properties});
            if ($lt ne 'array') {
                push @p, "properties of $where is $A_TYPE{$lt}, not an array";
                next;
            }
            $pr{ substr $pcode, 0, 1 } += @{ $ps->{properties} } if defined $pcode && !$has_s;
            my $k = 0;
            for my $prop (@{ $ps->{properties} }) {
                $k++;
                my $pw = "property #$k of $where";
                next unless _json_object_problem($prop, $pw, undef, \@p);
                _json_string_problem($prop, $_, $pw, \@p, required => 1, nonempty => 1)
                    for qw(namespace name);
                my $named = _jtype($prop->{namespace}) eq 'string' && _jtype($prop->{name}) eq 'string';
                $pw = "property {$prop->{namespace}}$prop->{name} of $name" if $named;
                _json_members($prop, $pw, 'property', \@p);
                _json_string_problem($prop, $_, $pw, \@p) for qw(lang value xml);
                if (exists $prop->{value} && exists $prop->{xml}) {
                    push @p, "$pw has both a value and an xml value (one or the other)";
                }
                elsif (exists $prop->{xml} && _jtype($prop->{xml}) eq 'string') {
                    my $why = $frag_why{ $prop->{xml} } //= _json_fragment_problem($prop->{xml}) // '';
                    push @p, "the xml value of $pw is not an XML fragment (D: is DAV:, other prefixes are declared in it): $why"
                        if $why;
                }
                next unless $opt{strict} && $named;
                push @p, "$pw: '$prop->{name}' is not an XML name"
                    unless $prop->{name} =~ $NCNAME;
                push @p, "property {$prop->{namespace}}$prop->{name} appears twice in $name"
                    if $prop_seen{"{$prop->{namespace}}$prop->{name}"}++ == 1;
                push @p, "$pw has a value in its $pcode propstat (a property that failed has no value)"
                    if defined $pcode && ($pcode < 200 || $pcode > 299)
                       && (exists $prop->{xml} || exists $prop->{value});
            }
        }
    }
    push @p, _json_summary_problems($data, scalar @{ $data->{responses} },
                                    $unclassified ? () : (\%st, $n_ps, \%pr));
    return @p;
}

sub _json_summary_problems {
    my ($data, $n, $st, $n_ps, $pr) = @_;
    return 'no summary at the top level (the counts a streamed body gives at its end)'
        unless exists $data->{summary};
    my @p;
    my $s = $data->{summary};
    return @p unless _json_object_problem($s, 'the summary', 'summary', \@p);
    # $want undef: the member only (the counts by class are compared when
    # every status of the body has a class)
    my $count = sub {
        my ($v, $what, $want, $of) = @_;
        unless (defined $v) {
            push @p, "the summary has no $what";
            return;
        }
        my $t = _jtype($v);
        if ($t ne 'integer' || $v < 0) {
            push @p, "summary.$what is " . _jshow($v) . ', not a count';
        }
        elsif (defined $want && $v != $want) {
            push @p, "summary.$what is " . _jshow($v) . ", but $of is $want";
        }
    };
    $count->($s->{responses}, 'responses', $n, 'the number of responses');
    $count->($s->{propstat_responses}, 'propstat_responses', $st && $n_ps,
             'the number of responses in propstat form');
    for my $k (qw(status properties)) {
        unless (exists $s->{$k}) {
            push @p, "the summary has no $k";
            next;
        }
        next unless _json_object_problem($s->{$k}, "summary.$k", 'classes', \@p);
        for my $c (2 .. 5) {
            $count->($s->{$k}{"${c}xx"}, "$k.${c}xx",
                     $st && ($k eq 'status' ? $st->{$c} : $pr->{$c}),
                     $k eq 'status' ? "the number of status-form responses with a ${c}xx status"
                                    : "the number of properties in ${c}xx propstats");
        }
    }
    return @p;
}

# What the text of a JSON body shows: one response per line (the first
# line opens the list, the last closes it, each line between holds one
# response and a comma after it but the last); no member twice in an
# object; with strict, the module's compact output: no whitespace outside
# strings but those line breaks, U+2028 and U+2029 escaped, the first line
# as the module writes it.  One pass over the text (it is JSON already):
# each step skips what is not a string or a bracket, then takes one.
sub _json_text_problems {
    my ($chars, $data, %opt) = @_;
    my @p;
    my $n = ref $data eq 'HASH' && ref $data->{responses} eq 'ARRAY'
          ? scalar @{ $data->{responses} } : undef;
    my (@stack, @resp, $list_depth);    # @resp: [ start, end, line ] of each response
    my ($line, $dups) = (1, 0);
    my $key;                            # the last key read in the top-level object
    my $key_decoder = JSON::PP->new->allow_nonref;
    while ($chars =~ /\G([^"{}\[\]]*+)(?:("(?:[^"\\]++|\\.)*+")([ \t\r\n]*+:)?|([{\[])|([}\]]))/gc) {
        $line += ($1 =~ tr/\n//) if length $1;
        if (defined $2) {
            next unless defined $3;
            my $k = index($2, '\\') < 0 ? substr($2, 1, -1) : $key_decoder->decode($2);
            my $top = $stack[-1] or next;
            if ($top->{keys}{$k}++ == 1 && $dups++ < 5) {
                push @p, "member \"$k\" appears twice in an object (line $line)";
            }
            $key = $k if @stack == 1;
            $line += ($3 =~ tr/\n//);
        }
        elsif (defined $4) {
            if (defined $list_depth && @stack == $list_depth && $4 eq '{') {
                push @resp, [ $-[4], undef, $line ];
            }
            push @stack, { keys => {} };
            $list_depth = 2 if $4 eq '[' && @stack == 2 && defined $key && $key eq 'responses'
                               && !defined $list_depth;
        }
        else {
            pop @stack;
            if (defined $list_depth && @stack == $list_depth && @resp && !defined $resp[-1][1]) {
                $resp[-1][1] = $-[5];
                push @{ $resp[-1] }, $line;
            }
            undef $list_depth if defined $list_depth && @stack < $list_depth;
        }
    }
    my $lines = 1 + ($chars =~ tr/\n//) - ($chars =~ /\n\z/ ? 1 : 0);
    if ($n && @resp == $n) {
        my $where = sub { my ($k) = @_; my $h = $data->{responses}[$k - 1]{href};
                          "response #$k" . (defined $h && !ref $h ? " ($h)" : '') };
        my @bad;
        for my $k (1 .. $n) {
            my ($start, $end, $l1, $l2) = @{ $resp[$k - 1] };
            my $bol = rindex($chars, "\n", $start) + 1;
            my $eol = index($chars, "\n", $end);
            $eol = length $chars if $eol < 0;
            my $after = substr($chars, $end + 1, $eol - $end - 1);
            if ($l1 != $l2) {
                push @bad, $where->($k) . " spans lines $l1 to $l2";
            }
            elsif (substr($chars, $bol, $start - $bol) !~ /\A[ \t\r]*\z/) {
                push @bad, $where->($k) . " does not begin line $l1";
            }
            elsif ($after !~ ($k < $n ? qr/\A[ \t\r]*,[ \t\r]*\z/ : qr/\A[ \t\r]*\z/)) {
                push @bad, $where->($k) . " is followed on line $l1 by more than "
                           . ($k < $n ? 'a comma' : 'the end of the line');
            }
        }
        if (@bad || $lines != $n + 2) {
            push @p, "the $n responses are not one per line"
                     . (@bad ? ': ' . join('; ', @bad[0 .. ($#bad < 2 ? $#bad : 2)])
                               . (@bad > 3 ? '; ...' : '')
                             : ": the body has $lines " . ($lines == 1 ? 'line' : 'lines')
                               . ', not ' . ($n + 2))
                     . ' (the first line opens the list, each response stands on a line of its own, '
                     . 'the last line closes the list: a client reads a streamed body line by line)';
        }
    }
    if ($opt{strict}) {
        push @p, 'the first line is not {"multistatus":1,"responses":[ (as mod_multistatus writes it)'
            unless $chars =~ /\A\{"multistatus":1,"responses":\[\n/;
        push @p, 'the body does not end with a line break' unless $chars =~ /\n\z/;
        # (raw U+2028 / U+2029 can only stand in strings)
        if ($chars =~ /([\x{2028}\x{2029}])/) {
            my $c = ord $1;
            push @p, sprintf 'raw U+%04X inside a string (line %d): mod_multistatus escapes it '
                             . '(\u%04x), so that a body is also JavaScript',
                             $c, _line_of($chars, $-[1]), $c;
        }
        (my $skeleton = $chars) =~ s/"(?:[^"\\]++|\\.)*+"/""/g;
        my %ws;
        while ($skeleton =~ /[ \t\r]/g) {
            $ws{ 1 + (substr($skeleton, 0, $-[0]) =~ tr/\n//) }++;
            last if keys %ws > 5;
        }
        if (%ws) {
            my @l = sort { $a <=> $b } keys %ws;
            push @p, 'whitespace outside strings on line' . (@l > 1 ? 's ' : ' ')
                     . join(', ', @l[0 .. ($#l < 4 ? $#l : 4)]) . (@l > 5 ? ', ...' : '')
                     . ' (the output is compact: only a line break before each response and the end of the list)';
        }
    }
    return @p;
}

# ------------------------------------------------------------------ JSON Schema

# docs/multistatus.schema.json, installed beside the module, applied by a
# small validator of the keywords it uses (draft 2020-12 semantics); a
# schema with another keyword is refused rather than half applied.
my %JS_KEYWORDS = map { $_ => 1 } qw(
    $schema $id $comment $defs title description examples default
    type const enum required properties additionalProperties
    items minItems maxItems minProperties maxProperties
    minimum maximum exclusiveMinimum exclusiveMaximum minLength maxLength pattern
    oneOf anyOf allOf not $ref
);
my %JSON_SCHEMA_CACHE;

sub json_schema_file {
    return File::Spec->catfile($SCHEMA_DIR, 'multistatus.schema.json');
}

sub _json_schema {
    my ($file) = @_;
    return $JSON_SCHEMA_CACHE{$file} ||= do {
        Carp::croak("Apache::TestMultiStatus: JSON schema $file not found") unless -f $file;
        open my $fh, '<:raw', $file
            or Carp::croak("Apache::TestMultiStatus: cannot read $file: $!");
        my $text = do { local $/; <$fh> };
        my $s = eval { _json()->decode($text) }
            or Carp::croak("Apache::TestMultiStatus: $file is not JSON: $@");
        _js_keywords($s, $file, '#');
        $s;
    };
}

sub _js_keywords {
    my ($s, $file, $where) = @_;
    return unless ref $s eq 'HASH';
    for my $k (sort keys %$s) {
        Carp::croak("Apache::TestMultiStatus: $file uses the keyword '$k' ($where), "
                    . 'which its JSON Schema validator does not implement')
            unless $JS_KEYWORDS{$k};
    }
    for my $k (qw(items not additionalProperties)) {
        _js_keywords($s->{$k}, $file, "$where/$k") if ref $s->{$k} eq 'HASH';
    }
    for my $k (qw(properties $defs)) {
        next unless ref $s->{$k} eq 'HASH';
        _js_keywords($s->{$k}{$_}, $file, "$where/$k/$_") for sort keys %{ $s->{$k} };
    }
    for my $k (qw(oneOf anyOf allOf)) {
        next unless ref $s->{$k} eq 'ARRAY';
        my $i = 0;
        _js_keywords($_, $file, "$where/$k/" . $i++) for @{ $s->{$k} };
    }
}

# JSON equality (for const and enum): same type, same value.
sub _js_equal {
    my ($a, $b) = @_;
    my ($ta, $tb) = (_jtype($a), _jtype($b));
    $ta = 'number' if $ta eq 'integer';
    $tb = 'number' if $tb eq 'integer';
    return 0 unless $ta eq $tb;
    return 1 if $ta eq 'null';
    return ($a ? 1 : 0) == ($b ? 1 : 0) if $ta eq 'boolean';
    return $a == $b if $ta eq 'number';
    return $a eq $b if $ta eq 'string';
    if ($ta eq 'array') {
        return 0 unless @$a == @$b;
        _js_equal($a->[$_], $b->[$_]) || return 0 for 0 .. $#$a;
        return 1;
    }
    return 0 unless keys %$a == keys %$b;
    for my $k (keys %$a) {
        return 0 unless exists $b->{$k} && _js_equal($a->{$k}, $b->{$k});
    }
    return 1;
}

my %JS_POINTER_CACHE;
sub _js_pointer {
    my ($root, $ref) = @_;
    my $cached = $JS_POINTER_CACHE{ Scalar::Util::refaddr($root) . $ref };
    return $cached if $cached;
    Carp::croak("Apache::TestMultiStatus: JSON schema reference '$ref' is not local (#/...)")
        unless $ref =~ m{\A#(/.*)?\z};
    my $s = $root;
    for my $part (split m{/}, substr($ref, 2)) {
        $part =~ s/~1/\//g;
        $part =~ s/~0/~/g;
        $s = ref $s eq 'HASH' ? $s->{$part} : ref $s eq 'ARRAY' ? $s->[$part] : undef;
        Carp::croak("Apache::TestMultiStatus: JSON schema reference '$ref' leads nowhere")
            unless defined $s;
    }
    return $JS_POINTER_CACHE{ Scalar::Util::refaddr($root) . $ref } = $s;
}

# Errors of $v against schema $s, as "where: what" (where a JSON pointer).
sub _js_validate {
    my ($root, $s, $v, $where, $err) = @_;
    my $at = length $where ? $where : '(top level)';
    if (JSON::PP::is_bool($s)) {
        push @$err, "$at: not allowed here" unless $s;
        return;
    }
    if (defined $s->{'$ref'}) {
        _js_validate($root, _js_pointer($root, $s->{'$ref'}), $v, $where, $err);
    }
    my $t = _jtype($v);
    if (defined(my $types = $s->{type})) {
        my @want = ref $types ? @$types : ($types);
        my $ok = grep { $_ eq $t || ($_ eq 'number' && $t eq 'integer') } @want;
        unless ($ok) {
            push @$err, "$at: $A_TYPE{$t}, not " . join(' or ', map { $A_TYPE{$_} // $_ } @want);
            return;
        }
    }
    if (exists $s->{const} && !_js_equal($v, $s->{const})) {
        push @$err, "$at: " . _jshow($v) . ', not ' . _jshow($s->{const});
    }
    if ($s->{enum} && !grep { _js_equal($v, $_) } @{ $s->{enum} }) {
        push @$err, "$at: " . _jshow($v) . ', not one of ' . join(', ', map { _jshow($_) } @{ $s->{enum} });
    }
    if ($t eq 'object') {
        for my $k (@{ $s->{required} || [] }) {
            push @$err, "$at: no member \"$k\"" unless exists $v->{$k};
        }
        my $props = $s->{properties} || {};
        for my $k (sort keys %$v) {
            if ($props->{$k}) {
                _js_validate($root, $props->{$k}, $v->{$k}, "$where/$k", $err);
            }
            elsif (exists $s->{additionalProperties}) {
                my $ap = $s->{additionalProperties};
                if (JSON::PP::is_bool($ap) && !$ap) {
                    push @$err, "$at: member \"$k\" is not allowed";
                }
                else {
                    _js_validate($root, $ap, $v->{$k}, "$where/$k", $err);
                }
            }
        }
        push @$err, "$at: fewer than $s->{minProperties} members"
            if defined $s->{minProperties} && keys %$v < $s->{minProperties};
        push @$err, "$at: more than $s->{maxProperties} members"
            if defined $s->{maxProperties} && keys %$v > $s->{maxProperties};
    }
    elsif ($t eq 'array') {
        push @$err, "$at: fewer than $s->{minItems} items"
            if defined $s->{minItems} && @$v < $s->{minItems};
        push @$err, "$at: more than $s->{maxItems} items"
            if defined $s->{maxItems} && @$v > $s->{maxItems};
        if ($s->{items}) {
            _js_validate($root, $s->{items}, $v->[$_], "$where/$_", $err) for 0 .. $#$v;
        }
    }
    elsif ($t eq 'string') {
        push @$err, "$at: shorter than $s->{minLength} characters"
            if defined $s->{minLength} && length $v < $s->{minLength};
        push @$err, "$at: longer than $s->{maxLength} characters"
            if defined $s->{maxLength} && length $v > $s->{maxLength};
        push @$err, "$at: " . _jshow($v) . " does not match $s->{pattern}"
            if defined $s->{pattern} && $v !~ /$s->{pattern}/;
    }
    elsif ($t eq 'integer' || $t eq 'number') {
        my $n = $v;     # numeric use only
        push @$err, "$at: " . _jshow($v) . " is below $s->{minimum}"
            if defined $s->{minimum} && $n < $s->{minimum};
        push @$err, "$at: " . _jshow($v) . " is above $s->{maximum}"
            if defined $s->{maximum} && $n > $s->{maximum};
        push @$err, "$at: " . _jshow($v) . " is not above $s->{exclusiveMinimum}"
            if defined $s->{exclusiveMinimum} && $n <= $s->{exclusiveMinimum};
        push @$err, "$at: " . _jshow($v) . " is not below $s->{exclusiveMaximum}"
            if defined $s->{exclusiveMaximum} && $n >= $s->{exclusiveMaximum};
    }
    for my $sub (@{ $s->{allOf} || [] }) {
        _js_validate($root, $sub, $v, $where, $err);
    }
    for my $kw (qw(anyOf oneOf)) {
        next unless $s->{$kw};
        my (@why, $n);
        for my $sub (@{ $s->{$kw} }) {
            my @e;
            _js_validate($root, $sub, $v, $where, \@e);
            @e ? push @why, $e[0] : $n++;
        }
        $n //= 0;
        if ($n == 0) {
            my $i = 0;
            push @$err, "$at: matches none of the " . @{ $s->{$kw} } . " alternatives of $kw ("
                        . join('; ', map { ++$i . ". $_" } @why) . ')';
        }
        elsif ($kw eq 'oneOf' && $n > 1) {
            push @$err, "$at: matches $n alternatives of oneOf, not exactly one";
        }
    }
    if (defined $s->{not}) {
        my @e;
        _js_validate($root, $s->{not}, $v, $where, \@e);
        unless (@e) {
            my $n = $s->{not};
            my $what = ref $n eq 'HASH' && keys %$n == 1 && $n->{required}
                     ? 'has ' . join(' and ', map { "\"$_\"" } @{ $n->{required} })
                       . (@{ $n->{required} } > 1 ? ' together' : '')
                     : 'matches what "not" excludes';
            push @$err, "$at: $what";
        }
    }
}

sub _json_schema_problems {
    my ($data, %opt) = @_;
    my $file = $opt{json_schema} // json_schema_file();
    my $schema = _json_schema($file);
    my @err;
    _js_validate($schema, $schema, $data, '', \@err);
    return () unless @err;
    my %seen;
    @err = grep { !$seen{$_}++ } @err;
    my $more = @err > 8 ? '; ... (' . @err . ' in all)' : '';
    @err = @err[0 .. 7] if @err > 8;
    return 'not valid against ' . File::Basename::basename($file) . ': '
           . join('; ', @err) . $more;
}

# (ms or undef, problems...) of a JSON body: the checks in Perl first (each
# says what is wrong in the shape's words), the schema's verdict after; the
# structure is built last (it reads numbers as strings).
sub _check_json {
    my ($body, $http, $p, %opt) = @_;
    my @p = @$p;
    my ($data, $why, $chars) = _parse_json($body);
    return (undef, @p, $why) if defined $why;
    my @g = _json_grammar_problems($data, %opt);
    my @t = _json_text_problems($chars, $data, %opt);
    my @s = _json_schema_problems($data, %opt);
    my $ms = _build_json($data, $body, $http);
    push @p, @g, @t;
    push @p, _href_problems($ms, %opt);
    if ($opt{strict}) {
        my %seen;
        for my $r (@{ $ms->{responses} }) {
            for my $h (@{ $r->{hrefs} }, defined $r->{location} ? $r->{location} : ()) {
                next if $seen{$h}++;
                my $w = _href_syntax($h);
                push @p, "href '$h' in response " . ($r->{href} // '?') . ": $w" if $w;
            }
        }
    }
    push @p, @s;
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
        my @have = _prop_elements($p);
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

# ------------------------------------------------------------------ XML and JSON

# A value as a comparable string, whatever its rendering: text, and
# elements by namespace and local name with their attributes (prefixes and
# where namespaces are declared do not count).
sub _node_shape {
    my ($node) = @_;
    my (@out, $text);
    my $flush = sub { push @out, 'text ' . _jshow($text) if defined $text && length $text; undef $text };
    for my $c ($node->childNodes) {
        my $t = $c->nodeType;
        if ($t == XML::LibXML::XML_TEXT_NODE() || $t == XML::LibXML::XML_CDATA_SECTION_NODE()) {
            $text .= $c->data;
            next;
        }
        $flush->();
        if ($t == XML::LibXML::XML_ELEMENT_NODE()) {
            my @attr = sort map { _clark($_) . '=' . _jshow($_->value) }
                       grep { $_->nodeType == XML::LibXML::XML_ATTRIBUTE_NODE() } $c->attributes;
            push @out, _clark($c) . (@attr ? '[' . join(' ', @attr) . ']' : '')
                       . '(' . _node_shape($c) . ')';
        }
        elsif ($t == XML::LibXML::XML_COMMENT_NODE()) {
            push @out, 'comment ' . _jshow($c->data);
        }
        elsif ($t == XML::LibXML::XML_PI_NODE()) {
            push @out, 'pi ' . $c->nodeName . ' ' . _jshow($c->textContent);
        }
    }
    $flush->();
    return join ' ', @out;
}

sub _value_shape {
    my ($p) = @_;
    return _node_shape($p->{node}) if $p->{node};
    return length $p->{value} ? 'text ' . _jshow($p->{value}) : '';
}

sub _prop_elements {
    my ($p) = @_;
    return $p->{node} ? map { _clark($_) } _elements($p->{node}) : ();
}

sub _fmt_name {
    my ($ms) = @_;
    return uc $ms->{format};
}

# Differences between two parsed renderings of one request, as lines.
sub _differences {
    my ($a, $b) = @_;
    my ($A, $B) = (_fmt_name($a), _fmt_name($b));
    my @d;
    my $diff = sub {
        my ($where, $what, $x, $y) = @_;
        return if (defined $x ? $x : "\0undef") eq (defined $y ? $y : "\0undef");
        my $show = sub { defined $_[0] ? "'$_[0]'" : 'none' };
        push @d, "$where: $what " . $show->($x) . " in $A, " . $show->($y) . " in $B";
    };
    if ($a->{http} && $b->{http}) {
        $diff->('the answers', 'HTTP status', $a->{http}{status_line}, $b->{http}{status_line});
    }
    $diff->('the multistatus', 'description', $a->{description}, $b->{description});
    my @ra = @{ $a->{responses} };
    my @rb = @{ $b->{responses} };
    if (@ra != @rb) {
        my %in_b = map { ($_->{href} // '') => 1 } @rb;
        my %in_a = map { ($_->{href} // '') => 1 } @ra;
        my @only_a = grep { !$in_b{$_} } map { $_->{href} // '(no href)' } @ra;
        my @only_b = grep { !$in_a{$_} } map { $_->{href} // '(no href)' } @rb;
        push @d, scalar(@ra) . " responses in $A, " . scalar(@rb) . " in $B"
                 . (@only_a ? "; only in $A: " . join(', ', @only_a) : '')
                 . (@only_b ? "; only in $B: " . join(', ', @only_b) : '');
    }
    my $n = @ra < @rb ? @ra : @rb;
    for my $i (0 .. $n - 1) {
        my ($x, $y) = ($ra[$i], $rb[$i]);
        my $where = 'response #' . ($i + 1);
        if (($x->{href} // '') ne ($y->{href} // '')) {
            $diff->($where, 'href', $x->{href}, $y->{href});
            next;
        }
        $where .= " $x->{href}" if defined $x->{href};
        $diff->($where, 'status', $x->{status}, $y->{status});
        $diff->($where, 'error', join(' ', @{ $x->{error} }), join(' ', @{ $y->{error} }));
        $diff->($where, 'description', $x->{description}, $y->{description});
        $diff->($where, 'location', $x->{location}, $y->{location});
        my @pa = @{ $x->{propstats} };
        my @pb = @{ $y->{propstats} };
        my $list = sub { join ', ', map { $_->{code} // $_->{status} // '?' } @_ };
        if (@pa != @pb) {
            $diff->($where, 'propstats', $list->(@pa), $list->(@pb));
            next;
        }
        for my $j (0 .. $#pa) {
            my ($s, $t) = ($pa[$j], $pb[$j]);
            my $pw = "$where, propstat #" . ($j + 1);
            $diff->($pw, 'status', $s->{status}, $t->{status});
            $diff->($pw, 'error', join(' ', @{ $s->{error} }), join(' ', @{ $t->{error} }));
            $diff->($pw, 'description', $s->{description}, $t->{description});
            my $keys_a = join ', ', map { $_->{key} } @{ $s->{props} };
            my $keys_b = join ', ', map { $_->{key} } @{ $t->{props} };
            if ($keys_a ne $keys_b) {
                $diff->($pw, 'properties', $keys_a, $keys_b);
                next;
            }
            for my $k (0 .. $#{ $s->{props} }) {
                my ($u, $v) = ($s->{props}[$k], $t->{props}[$k]);
                my $qw = "$where, property $u->{key}";
                $diff->($qw, 'xml:lang', $u->{lang}, $v->{lang});
                next if _value_shape($u) eq _value_shape($v);
                my $show = sub {
                    my ($p) = @_;
                    return 'no value' if $p->{empty};
                    return $p->{xml} =~ /</ ? "XML '$p->{xml}'" : "'$p->{value}'";
                };
                push @d, "$qw: value " . $show->($u) . " in $A, " . $show->($v) . " in $B";
            }
        }
    }
    return @d;
}

sub multistatus_same_ok {
    my ($one, $two, $name) = @_;
    $name //= 'the XML and the JSON answers say the same';
    my ($a, $why_a) = _ms_or_why($one);
    my ($b, $why_b) = _ms_or_why($two);
    return _assert(0, $name, ($a ? () : "the first answer: $why_a"),
                             ($b ? () : "the second answer: $why_b")) unless $a && $b;
    if ($a->{format} eq $b->{format}) {
        my $ct = join ' and ', map { $_->{http} ? 'Content-Type ' . ($_->{http}{content_type} // '(none)') : 'a body' } $a, $b;
        return _assert(0, $name, 'both answers are ' . _fmt_name($a) . " ($ct): "
                                 . 'one XML and one JSON rendering are compared');
    }
    my @d = _differences($a, $b);
    my $more = @d > 20 ? '... (' . @d . ' differences in all)' : undef;
    @d = (@d[0 .. 19], $more) if $more;
    return _assert(!@d, $name, @d);
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
    my %known = map { $_ => 1 } qw(depth props allprop include propname body prefer brief json headers);
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
    push @h, Accept => 'application/json' if $opt{json};
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

  plan tests => 8;

  my @props = ('displayname', '{urn:example:props}color');
  my $res = PROPFIND('/dav/', depth => 1, props => \@props);
  my $ms = multistatus_ok($res, 'PROPFIND answers a valid 207');
  hrefs_are($ms, ['/dav/', '/dav/a b.txt'], 'the folder and its file');
  prop_is($ms, '/dav/a b.txt', 'displayname', 200, 'a b.txt');
  prop_status_is($ms, '/dav/a b.txt', '{urn:example:props}color', 404);
  hrefs_unique($ms);

  # MultiStatusJSON On: the same request in JSON, the same assertions
  my $json = PROPFIND('/dav/', depth => 1, props => \@props, json => 1);
  my $jms = multistatus_ok($json, 'the same in JSON: a valid 207', format => 'json');
  prop_is($jms, '/dav/a b.txt', 'displayname', 200, 'a b.txt');
  multistatus_same_ok($res, $json, 'XML and JSON say the same');

=head1 DESCRIPTION

A 207 Multi-Status answer (RFC 4918 sections 13 and 14) holds one result
per resource.  This module checks that such an answer is valid and lets a
test assert on its results in one line each, with a diagnostic that says
what was found when an assertion fails.  It works with any server; with
C<< strict => 1 >> it also holds the body to every rule of the answers
mod_multistatus writes.

It reads the XML body of RFC 4918 and the JSON rendering of
mod_multistatus's C<MultiStatusJSON> (see L</JSON BODIES>) into the same
structure, so that every assertion works on both unchanged, and
C<multistatus_same_ok> checks that the two renderings of a request say the
same.

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

=item * no href appears in two responses (14.24; a last response with 507, the
truncation marker of RFC 5323 and RFC 6578, may repeat the request-URI), and
every href of the
body has the same form: all absolute paths or all absolute URIs (8.3);

=item * the RELAX NG schema of that grammar, F<multistatus.rng>, installed
with the module.

=back

A JSON body (C<Content-Type: application/json>) gets the checks of
L</JSON BODIES> instead of the XML ones.

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

=item format => 'json' or 'xml'

The rendering wanted: a JSON answer to a request that asked for JSON (and
not the XML a server sends when it ignores C<Accept>), or an XML one.

=item json_schema => $file

For a JSON body: validate against another JSON Schema instead of the
installed F<multistatus.schema.json> (with the keywords that one uses:
type, const, enum, required, properties, additionalProperties, items,
minItems, maxItems, minimum, maximum, minLength, maxLength, pattern, oneOf,
anyOf, allOf, not, local $ref; a schema with another keyword is refused).

=back

=head2 multistatus_problems($res, %options)

The same checks without a test: the list of problems, empty when the body
is valid.  Not exported by default.

=head2 multistatus_parse($res_or_body)

Parses without validating and returns the structure; dies, saying why,
when the body is not XML (or not JSON).  Reads whatever is there: an
element that does not belong is skipped, a missing one is C<undef>.

=head1 JSON BODIES

mod_multistatus renders a 207 as JSON where C<MultiStatusJSON> says so
(C<On>: when the request's C<Accept> prefers C<application/json>;
C<Always>), in the shape of F<docs/multistatus.schema.json>:

  {"multistatus":1,"responses":[
  {"href":"/dav/a","propstats":[{"status":200,"reason":"OK","properties":[
    {"namespace":"DAV:","name":"resourcetype","xml":"<D:collection/>"}]}]},
  {"href":"/dav/b","status":423,"reason":"Locked","error":{"namespace":"DAV:","name":"lock-token-submitted"}}
  ],"summary":{"responses":2,"status":{"2xx":0,"3xx":0,"4xx":1,"5xx":0},
  "propstat_responses":1,"properties":{"2xx":1,"3xx":0,"4xx":0,"5xx":0}}}

A response whose Content-Type is a JSON type is read as JSON (a body
string: when it starts with C<{> or C<[>), into the structure of an XML
body: the status line is rebuilt from C<status> and C<reason>
(C<HTTP/1.1 423 Locked>), a property's C<value> is its text and C<xml> its
XML value, parsed with C<D:> bound to C<DAV:> as in the XML body, an
C<error> becomes C<['{DAV:}lock-token-submitted']>.  So every assertion
works on a JSON answer as on an XML one.

C<multistatus_ok> checks of a JSON body, with a message for each fault:

=over

=item * the body is UTF-8 and JSON (RFC 8259): a raw control character in
a string is named with its line; no member appears twice in an object;

=item * the rules of F<multistatus.schema.json>, in Perl: an object with
C<multistatus> 1, C<responses> and C<summary>, and no other member than
C<description>; each response an object with a non-empty C<href>, and
either C<status> (an integer of 200..599, 1xx never) with its C<reason>, or
C<propstats> (a non-empty list, each with C<status>, C<reason> and
C<properties>); each property with C<namespace> and C<name>, then C<lang>,
and C<value> or C<xml> (never both); C<error> with C<namespace> and
C<name>; C<description> and C<location> strings; no member the shape does
not have;

=item * an C<xml> value is an XML fragment where it stands: well-formed,
each prefix declared in it but C<D:>;

=item * the summary counts what the body holds: the responses, the
status-form ones by class, the propstat-form ones, their properties by the
class of their propstat;

=item * one response per line: the first line opens the list, the last
closes it, and each line between is one response (a comma after it but the
last), so that a client can read a streamed body line by line;

=item * the hrefs: none twice, one form, and the C<href_form> asked for,
as in XML;

=item * then the installed schema itself, by a validator of the keywords it
uses.

=back

In strict mode, also: the Content-Type is exactly C<application/json>;
the reasons are the module's (as for XML: C<404 Not Found>,
C<299 Success>); the output is compact (no whitespace outside strings but
the line breaks of the responses), starts with
C<{"multistatus":1,"responses":[> and ends with a line break; U+2028 and
U+2029 are escaped; the hrefs and locations have the syntax of the module's
(as for XML); a location goes with a 3xx status; properties are grouped by
status, once per response, with no value when they failed; property and
error names are XML names.

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

=head2 multistatus_same_ok($xml, $json, $name)

The XML and the JSON renderings of one request say the same (responses,
parsed structures or bodies, in either order; one of each): the same HTTP
status, the same hrefs in the same order, and for each response the same
status line, error, description and location, the same propstats in the
same order with the same properties in the same order, each with the same
C<xml:lang> and the same value.  Values are compared as text and elements
(namespace, local name, attributes), not as written: a prefix or where a
namespace is declared does not count.  The diagnostic names each
difference (20 at most):

  #   response #2 /dav/a%20b.txt, property {DAV:}getetag: value '"x1"' in XML, '"x2"' in JSON

It fails, saying so, when both answers are XML (the server ignored
C<Accept>) or both JSON.  It parses; it does not validate (use
C<multistatus_ok> on each).

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

=item json => 1

C<Accept: application/json>: the JSON rendering where the server has
C<MultiStatusJSON On>.

=item headers => [ Name => $value, ... ]

More headers.

=back

=head2 propfind_request($url, %options), propfind_body(%options)

The L<HTTP::Request> that C<PROPFIND> would send, and the body alone (not
exported by default).

=head1 STRUCTURE

A plain hash:

  {
    format      => 'xml',               # or 'json'
    body        => $bytes,              # decoded of any Content-Encoding
    http        => { code, status_line, protocol, content_type, headers } # or undef
    doc         => $xml_libxml_document,   # (XML)
    json        => $decoded_body,          # (JSON)
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

A JSON body fills the same structure (C<< format => 'json' >>), and each
hash has a C<json> key: its part of the decoded body.  There is no C<doc>,
and no C<node> but that of a property with an C<xml> value: the property
element built around it, in a document where C<D:> is C<DAV:>.  A status
line is rebuilt (C<HTTP/1.1 $status $reason>); a property's C<prefix> is
undef; its C<xml> is its text escaped, or its XML value as the parser
writes it back, the same as from the XML body (but where the XML body
declares a namespace outside the value, which JSON cannot).

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

=item json_schema_file()

The path of the installed JSON schema.

=back

=head1 FILES

F<Apache/TestMultiStatus/multistatus.rng> (RFC 4918 section 14, for any
server), F<Apache/TestMultiStatus/multistatus-strict.rng> (the output of
mod_multistatus) and F<Apache/TestMultiStatus/multistatus.schema.json> (its
JSON rendering, a copy of the project's F<docs/multistatus.schema.json>),
installed beside the module and found relative to it.

=head1 SEE ALSO

L<Apache::Test>, L<Apache::TestRequest>, L<Test::More>, L<JSON::PP>,
RFC 4918, RFC 8259, the README of mod_multistatus.

=head1 LICENSE

Apache License, Version 2.0, as mod_multistatus.

=cut
