#!/usr/bin/perl
# SPDX-License-Identifier: Apache-2.0
# A CGI script that answers 207 with a body chosen by its path info, for
# t/ingest.t (MultiStatusIngest): ok, malformed, truncated, entity, plain.
use strict;
use warnings;

my $what = $ENV{PATH_INFO} // '/ok';
$what =~ s{^/}{};
my $base = $ENV{SCRIPT_NAME} . '/' . $what;

my $head = qq{<?xml version="1.0" encoding="utf-8"?>\n};
my $open = qq{<ns0:multistatus xmlns:ns0="DAV:" xmlns:lp1="urn:example:live">\n};
my $r1 = qq{<ns0:response><ns0:href>$base/a%20b.txt</ns0:href><ns0:propstat><ns0:prop>}
       . qq{<lp1:size>12</lp1:size><ns0:displayname>a &amp; b</ns0:displayname>}
       . qq{</ns0:prop><ns0:status>HTTP/1.1 200 OK</ns0:status></ns0:propstat></ns0:response>\n};
my $r2 = qq{<ns0:response><ns0:href>$base/locked</ns0:href>}
       . qq{<ns0:status>HTTP/1.1 424 (status)</ns0:status></ns0:response>\n};
my $close = qq{</ns0:multistatus>\n};

my %body = (
    ok        => $head . $open . $r1 . $r2 . $close,
    malformed => $head . $open . $r1 . qq{<ns0:response><ns0:href>$base/x</ns0:href>}
                 . qq{<ns0:status>HTTP/1.1 200 OK</ns0:href></ns0:response>\n} . $r2 . $close,
    truncated => $head . $open . $r1 . $r2,
    entity    => $head . qq{<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>\n}
                 . $open . $r1 . qq{<ns0:response><ns0:href>$base/&lol2;</ns0:href>}
                 . qq{<ns0:status>HTTP/1.1 200 OK</ns0:status></ns0:response>\n} . $close,
    undeclared => $head . $open . $r1 . qq{<ns0:response><ns0:href>$base/u</ns0:href><ns0:propstat>}
                 . qq{<ns0:prop><zz:x/></ns0:prop><ns0:status>HTTP/1.1 200 OK</ns0:status>}
                 . qq{</ns0:propstat></ns0:response>\n} . $close,
);
my $body = $body{$what} // $body{ok};
binmode STDOUT;
$| = 1;
if ($what eq 'plain') {
    print "Status: 207 Multi-Status\r\nContent-Type: text/plain\r\n\r\nnot xml\n";
    exit 0;
}
print "Status: 207 Multi-Status\r\nContent-Type: text/xml; charset=\"utf-8\"\r\n"
    . "Content-Length: " . length($body) . "\r\n\r\n";
# in pieces, so the parser sees it split
while (length $body) {
    print substr($body, 0, 37, '');
}
exit 0;
