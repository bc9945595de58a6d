#!/usr/bin/perl
# make check-perl: after "make install DESTDIR=STAGE", run as
#   cd / && env -u PERL5LIB perl -ISTAGE/VENDORLIB perl/check-install.pl STAGE/VENDORLIB
# Checks that perl finds Apache::TestMultiStatus in the staged tree (not
# elsewhere), that the module finds its schemas beside itself there (RELAX
# NG and JSON), and that it tells a good body from a bad one with them.
use strict;
use warnings;

my $lib = shift or die "usage: $0 STAGED-VENDORLIB\n";
require Apache::TestMultiStatus;
my $pm = $INC{'Apache/TestMultiStatus.pm'};
die "FAIL: perl -I$lib loads Apache::TestMultiStatus from $pm\n"
    unless index($pm, "$lib/") == 0;
for my $s (Apache::TestMultiStatus::schema_file(0), Apache::TestMultiStatus::schema_file(1),
           Apache::TestMultiStatus::json_schema_file()) {
    die "FAIL: the module looks for its schema at $s\n"
        unless index($s, "$lib/") == 0 && -f $s;
}
my $ok = qq{<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:">}
       . '<D:response><D:href>/a</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>'
       . '</D:multistatus>';
(my $bad = $ok) =~ s/200 OK/200 Not Found/;
my @p = Apache::TestMultiStatus::multistatus_problems($ok, strict => 1);
die "FAIL: the staged module refuses a good body: @p\n" if @p;
die "FAIL: the staged module lets a bad status line through\n"
    unless Apache::TestMultiStatus::multistatus_problems($bad, strict => 1);
my $json = '{"multistatus":1,"responses":[' . "\n"
         . '{"href":"/a","status":200,"reason":"OK"}' . "\n"
         . '],"summary":{"responses":1,"status":{"2xx":1,"3xx":0,"4xx":0,"5xx":0},'
         . '"propstat_responses":0,"properties":{"2xx":0,"3xx":0,"4xx":0,"5xx":0}}}' . "\n";
@p = Apache::TestMultiStatus::multistatus_problems($json, strict => 1);
die "FAIL: the staged module refuses a good JSON body: @p\n" if @p;
(my $bad_json = $json) =~ s/"status":200/"status":600/;
die "FAIL: the staged module lets a JSON status 600 through\n"
    unless grep { /not valid against multistatus\.schema\.json/ }
           Apache::TestMultiStatus::multistatus_problems($bad_json);
print "PASS: make install DESTDIR=... puts Apache::TestMultiStatus and its schemas where perl -I finds them\n";
