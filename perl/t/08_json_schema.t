# The JSON schema: the copy installed with the module is the project's
# docs/multistatus.schema.json; the module's validator of it agrees with a
# reference implementation (Debian's python3-jsonschema) on hundreds of
# bodies, good ones and every single fault that can be made of a good one
# (a member left out, of another type, emptied, out of range, one more);
# and the checks in Perl reject every body the schema rejects, so that each
# rule of the schema also has a message in the shape's words.
use strict;
use warnings;
use Test::More;
use FindBin;
use File::Spec;
use File::Temp qw(tempfile);
use lib "$FindBin::Bin/lib";
use MSBodies;
use JSON::PP ();
use Apache::TestMultiStatus qw(json_schema_file schema_file multistatus_problems);

my $PYTHON = '/usr/bin/python3';

sub slurp {
    my ($f) = @_;
    open my $fh, '<:raw', $f or die "$f: $!";
    local $/;
    return <$fh>;
}

# ---------------------------------------------------------------- the installed copy
my $docs = File::Spec->catfile($FindBin::Bin, File::Spec->updir, File::Spec->updir,
                               'docs', 'multistatus.schema.json');
my $copy = json_schema_file();
ok(-f $copy, "the schema is beside the module ($copy)");
is(File::Spec->catpath((File::Spec->splitpath($copy))[0, 1], ''),
   File::Spec->catpath((File::Spec->splitpath(schema_file(0)))[0, 1], ''),
   'in the folder of the RELAX NG schemas');
ok(slurp($copy) eq slurp($docs), 'the copy is docs/multistatus.schema.json, byte for byte')
    or diag("cp $docs $copy");

# ---------------------------------------------------------------- the bodies
my $enc = JSON::PP->new->canonical->allow_nonref;
my @docs;           # [ name, JSON text ]
push @docs, [ "real: $_", real_res("$_.json")->content ] for real_names();
push @docs, [ 'hand-made', $GOOD_JSON ];

# every fault of one place of a good body
sub walk {
    my ($v, $path, $out) = @_;
    push @$out, $path;
    if (ref $v eq 'HASH') {
        walk($v->{$_}, [ @$path, $_ ], $out) for sort keys %$v;
    }
    elsif (ref $v eq 'ARRAY') {
        walk($v->[$_], [ @$path, $_ ], $out) for 0 .. $#$v;
    }
}
sub at {
    my ($d, $path) = @_;
    $d = ref $d eq 'HASH' ? $d->{$_} : $d->[$_] for @$path;
    return $d;
}
my $base = { multistatus => 1, %{ good_json() }, summary => summary_of(good_json()->{responses}) };
my @paths;
walk($base, [], \@paths);
my @values = ([ 'a string', 'x' ], [ 'an empty string', '' ], [ 'an integer', 7 ], [ 'a number', 2.5 ],
              [ '-1', -1 ], [ '0', 0 ], [ '600', 600 ], [ '199', 199 ], [ '200.0', '200.0' ],
              [ 'null', undef ], [ 'true', JSON::PP::true ], [ 'an array', [] ], [ 'an object', {} ]);
for my $path (@paths) {
    my $where = '/' . join('/', @$path);
    my $parent = @$path ? [ @$path[0 .. $#$path - 1] ] : undef;
    for my $v (@values) {
        my $d = JSON::PP->new->decode($enc->encode($base));
        if (@$path) {
            my $p = at($d, $parent);
            ref $p eq 'HASH' ? ($p->{ $path->[-1] } = $v->[1]) : ($p->[ $path->[-1] ] = $v->[1]);
        }
        else {
            $d = $v->[1];
        }
        my $text = $enc->encode($d);
        $text =~ s/"200\.0"/200.0/;
        push @docs, [ "$where: $v->[0]", $text ];
    }
    next unless $parent;
    my $p = at(JSON::PP->new->decode($enc->encode($base)), $parent);
    my $d = JSON::PP->new->decode($enc->encode($base));
    my $q = at($d, $parent);
    if (ref $q eq 'HASH') {
        delete $q->{ $path->[-1] };
        push @docs, [ "$where: left out", $enc->encode($d) ];
    }
}
for my $path (grep { ref at($base, $_) eq 'HASH' } @paths) {
    my $d = JSON::PP->new->decode($enc->encode($base));
    at($d, $path)->{unknown} = 1;
    push @docs, [ '/' . join('/', @$path) . ': one member more', $enc->encode($d) ];
}
# the oneOf and not of the schema, one by one
my %r = (href => '/a');
for my $case ([ 'status and reason', { %r, status => 200, reason => 'OK' }, 1 ],
              [ 'status alone', { %r, status => 200 }, 0 ],
              [ 'reason alone', { %r, reason => 'OK' }, 0 ],
              [ 'propstats and reason', { %r, reason => 'OK', propstats => [ { status => 200, reason => 'OK', properties => [] } ] }, 0 ],
              [ 'propstats and status', { %r, status => 200, propstats => [ { status => 200, reason => 'OK', properties => [] } ] }, 0 ],
              [ 'all three', { %r, status => 200, reason => 'OK', propstats => [ { status => 200, reason => 'OK', properties => [] } ] }, 0 ],
              [ 'href alone', { %r }, 0 ],
              [ 'value and xml', { %r, propstats => [ { status => 200, reason => 'OK', properties => [
                    { namespace => 'DAV:', name => 'x', value => 'a', xml => 'a' } ] } ] }, 0 ],
              [ 'lang alone', { %r, propstats => [ { status => 200, reason => 'OK', properties => [
                    { namespace => 'DAV:', name => 'x', lang => 'en' } ] } ] }, 1 ]) {
    push @docs, [ "response: $case->[0]", $enc->encode({ multistatus => 1, responses => [ $case->[1] ],
                                                         summary => summary_of([ $case->[1] ]) }) ];
}
cmp_ok(scalar @docs, '>', 500, scalar(@docs) . ' bodies');

# ---------------------------------------------------------------- the reference's verdicts
my ($fh, $file) = tempfile(UNLINK => 1);
binmode $fh;
print $fh JSON::PP->new->utf8->encode([ map { $_->[1] } @docs ]);
close $fh;
-x $PYTHON or BAIL_OUT("$PYTHON is missing (Debian's python3-jsonschema is needed)");
my @py = qx{$PYTHON -c 'import json, sys, jsonschema
schema = json.load(open(sys.argv[1], "rb"))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
for text in json.load(open(sys.argv[2], "rb")):
    errs = list(v.iter_errors(json.loads(text)))
    print("valid" if not errs else "invalid: " + errs[0].message.replace("\\n", " "))
' '$copy' '$file' 2>&1};
is($?, 0, 'python3-jsonschema ran') or BAIL_OUT("python3 jsonschema: @py");
is(scalar @py, scalar @docs, 'one verdict per body');
chomp @py;

my ($valid, $invalid, $agree) = (0, 0, 0);
for my $i (0 .. $#docs) {
    my ($name, $text) = @{ $docs[$i] };
    my $data = JSON::PP->new->allow_nonref->decode($text);
    my @mine = Apache::TestMultiStatus::_json_schema_problems($data);
    my $ref_ok = $py[$i] eq 'valid';
    $ref_ok ? $valid++ : $invalid++;
    if (!!$ref_ok == !@mine) {
        $agree++;
    }
    else {
        fail("$name: the module's validator agrees with python3-jsonschema");
        diag("python3-jsonschema: $py[$i]\nthe module: " . (@mine ? "@mine" : 'valid') . "\n$text");
    }
    next if $ref_ok;
    # the checks in Perl say it too, in the shape's words
    my @words = Apache::TestMultiStatus::_json_grammar_problems(
        JSON::PP->new->allow_nonref->decode($text));
    ok(scalar @words, "$name: the checks in Perl reject it as the schema does")
        or diag("python3-jsonschema: $py[$i]\n$text");
}
is($agree, scalar @docs, "the module's validator and python3-jsonschema agree on all "
                         . @docs . " bodies ($valid valid, $invalid invalid)");
cmp_ok($valid, '>=', 20, 'good bodies among them');
cmp_ok($invalid, '>=', 300, 'and faulty ones');

# ---------------------------------------------------------------- a schema it cannot apply
{
    my ($sfh, $sfile) = tempfile(SUFFIX => '.json', UNLINK => 1);
    print $sfh '{"type":"object","patternProperties":{"^x":{"type":"string"}}}';
    close $sfh;
    ok(!eval { multistatus_problems($GOOD_JSON, json_schema => $sfile); 1 },
       'a schema with a keyword the validator does not implement is refused');
    like($@, qr/uses the keyword 'patternProperties' \(#\), which its JSON Schema validator does not implement/,
         'saying which keyword');
}

done_testing();
