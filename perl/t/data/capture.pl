#!/usr/bin/perl
# How the bodies of this folder were made: real answers of mod_multistatus,
# each request once with Accept: application/xml and once with
# Accept: application/json, from the test server of the project's suite
# (t/conf/ms_json.conf.in; t/json.t creates the tree of /ms-json-files/):
#
#   t/TEST -start-httpd -port PORT
#   perl perl/t/data/capture.pl http://127.0.0.1:PORT perl/t/data
#   t/TEST -stop
#
# Each file holds the status line, the Content-Type and the body.
use strict;
use warnings;
use LWP::UserAgent;
use HTTP::Request;

my ($base, $dir) = @ARGV;
die "usage: $0 BASE-URL DIR\n" unless $base && $dir && -d $dir;
my $ua = LWP::UserAgent->new(timeout => 60);
my $allprop = '<?xml version="1.0" encoding="utf-8"?>'
            . '<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>';

# name => [ method, path, headers, body ]
my %req = (
    (map { ("api-$_" => [ GET => "/ms-json/$_" ]) } qw(basic status props group paths enc ns hooks)),
    files    => [ PROPFIND => '/ms-json-files/', [ Depth => 1 ], $allprop ],
    limit    => [ GET => '/ms-json-max/list?n=20' ],
    stream   => [ GET => '/ms-json-stream/list?n=300&form=props&flush=100' ],
);
for my $name (sort keys %req) {
    my ($method, $path, $h, $body) = @{ $req{$name} };
    for my $fmt (qw(xml json)) {
        my $r = HTTP::Request->new($method => $base . $path,
                                   [ @{ $h || [] }, Accept => "application/$fmt" ], $body);
        my $res = $ua->request($r);
        die "$name ($fmt): " . $res->status_line . "\n" unless $res->code == 207;
        open my $fh, '>:raw', "$dir/$name.$fmt" or die "$dir/$name.$fmt: $!";
        print $fh 'HTTP/1.1 ', $res->status_line, "\n",
                  'Content-Type: ', scalar $res->header('Content-Type'), "\n\n", $res->content;
        close $fh;
        printf "%-14s %-4s %7d bytes\n", $name, $fmt, length $res->content;
    }
}
