# Property methods, issue 3 point 6: the request-URI's own response comes
# first in a PROPFIND answer, however late the handler reports it (closed
# last, left open, reported without its trailing slash, after a flush of
# the buffer); the others keep their registration order.  depth-noroot
# hides it without disturbing the others.
#
# Handler: scenario "pf" of t/c-modules/ms_test/mod_ms_test.c; the query
# "order=" says when it reports the request-URI (first, last, mid, open,
# none, slash); members are c, a, b (and a/deep under Depth infinity).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use FindBin;
use lib "$FindBin::Bin/lib";
use MSTest;

plan tests => 5;

my $B   = '/ms_test/props';
my $INF = '/ms_test/props_inf';

sub hrefs_of {
    my ($path, $depth, @h) = @_;
    my $res = ms_request(PROPFIND => $path, headers => [ Depth => $depth, @h ]);
    my $doc = ms_207($res, "PROPFIND $path (Depth $depth" . (@h ? ", @h" : '') . '): valid 207');
    return ($doc ? [ map { $_->{href} } ms_responses($doc) ] : undef, $res);
}

subtest 'Depth 1: request-URI first, members in registration order' => sub {
    for my $order (qw(first last mid open slash)) {
        my ($h) = hrefs_of("$B/pf/?order=$order", 1);
        # slash: the handler's spelling of the request-URI (no trailing
        # slash) is kept, and still recognised as the request-URI
        my $root = $order eq 'slash' ? "$B/pf" : "$B/pf/";
        is_deeply($h, [ $root, "$B/pf/c", "$B/pf/a", "$B/pf/b" ], "order=$order");
    }
    my ($h) = hrefs_of("$B/pf/?order=none", 1);
    is_deeply($h, [ "$B/pf/c", "$B/pf/a", "$B/pf/b" ], 'no request-URI response: registration order');
};

subtest 'Depth infinity: the same with a deeper member' => sub {
    for my $order (qw(first last mid open)) {
        my ($h) = hrefs_of("$INF/pf/?order=$order", 'infinity');
        is_deeply($h, [ "$INF/pf/", "$INF/pf/c", "$INF/pf/a", "$INF/pf/a/deep", "$INF/pf/b" ],
                  "order=$order");
    }
};

subtest 'request-URI without trailing slash in the request' => sub {
    my ($h) = hrefs_of("$B/pf?order=last", 1);
    is_deeply($h, [ "$B/pf", "$B/pf/c", "$B/pf/a", "$B/pf/b" ], 'order=last, /pf');
};

subtest 'depth-noroot: hidden, the rest in order' => sub {
    for my $order (qw(first last mid open slash)) {
        my ($h, $res) = hrefs_of("$B/pf/?order=$order", 1, Prefer => 'depth-noroot');
        is_deeply($h, [ "$B/pf/c", "$B/pf/a", "$B/pf/b" ], "order=$order");
        is($res->header('Preference-Applied'), 'depth-noroot', 'Preference-Applied: depth-noroot');
    }
};

subtest 'streamed body (MultiStatusBufferSize 200): still first' => sub {
    my $S = '/ms_test/props_small';
    for my $order (qw(last mid open)) {
        my ($h, $res) = hrefs_of("$S/pf/?order=$order", 'infinity');
        is_deeply($h, [ "$S/pf/", "$S/pf/c", "$S/pf/a", "$S/pf/a/deep", "$S/pf/b" ], "order=$order");
        ok(!defined $res->header('Content-Length'), 'the body was streamed (no Content-Length)');
    }
    my ($h) = hrefs_of("$S/pf/?order=none", 'infinity');
    is_deeply($h, [ "$S/pf/c", "$S/pf/a", "$S/pf/a/deep", "$S/pf/b" ],
              'no request-URI response: everything held is sent at the end, in order');
};
