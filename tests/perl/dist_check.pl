# The Perl distribution as a user gets it (ctest `perl_distribution`): from a
# clean copy of the tree, `perl Makefile.PL && make dist` in bindings/perl;
# the tarball unpacked elsewhere builds, tests and installs (INSTALL_BASE)
# with SWIG hidden from PATH (a fake swig that records being called); then,
# against the INSTALLED copy only (PERL5LIB): a smoke test, the corpus runner
# and the man pages; finally `make disttest`.
# Not a .t file: prove (ctest `perl`) must not run it, nor the dist ship it.
use strict;
use warnings;
use Test::More;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Copy qw(copy);
use File::Path qw(make_path remove_tree);
use File::Temp qw(tempdir);
use JSON::PP ();

my $ROOT = abs_path(dirname(abs_path(__FILE__)) . '/../..');
my @TREE = qw(VERSION LICENSE README.md CHANGELOG.md core swig bindings/perl tests/perl tests/corpus tests/nocrash);
my $tmp = tempdir('polyipc-perl-dist-XXXXXX', TMPDIR => 1, CLEANUP => 1);

sub slurp { my ($p) = @_; open my $fh, '<', $p or die "$p: $!\n"; local $/; return scalar <$fh> }
(my $VERSION = slurp("$ROOT/VERSION")) =~ s/\s+\z//;

# run(\%env, $dir, @cmd): output (stdout+stderr); dies with it on failure.
sub run {
    my ($env, $dir, @cmd) = @_;
    my $pid = open(my $out, '-|') // die "fork: $!\n";
    if (!$pid) {
        open STDERR, '>&', \*STDOUT or die;
        chdir $dir or die "chdir $dir: $!\n";
        for my $k (keys %$env) { defined $env->{$k} ? ($ENV{$k} = $env->{$k}) : delete $ENV{$k} }
        exec @cmd or die "exec @cmd: $!\n";
    }
    local $/;
    my $text = <$out> // '';
    close $out;
    die "`@cmd` in $dir failed ($?):\n$text" if $?;
    return $text;
}

# A clean copy of the tree: what a checkout has, without build output.
my $src = "$tmp/src";
for my $rel (@TREE) {
    die "$rel is missing from the source tree\n" unless -e "$ROOT/$rel";
    make_path(dirname("$src/$rel"));
    run({}, $ROOT, 'cp', '-R', $rel, "$src/$rel");
}
my $perl_dir = "$src/bindings/perl";
remove_tree(glob("$perl_dir/{Makefile,Makefile.old,MYMETA.*,blib,pm_to_blib,PolyIPC.pm,PolyIPC_wrap.c,PolyIPC.bs,*.o,polyipc_version.h,PolyIPC-*}"));

# A PATH without SWIG: every other program, and a fake swig that records its use.
my $bin = "$tmp/bin";
make_path($bin);
for my $dir (split /:/, $ENV{PATH}) {
    for my $prog (glob "$dir/*") {
        (my $name = $prog) =~ s{.*/}{};
        next if $name =~ /^swig/ || -e "$bin/$name" || !-f $prog || !-x $prog;
        symlink($prog, "$bin/$name") or die "symlink $prog: $!\n";
    }
}
for my $name (qw(swig swig4.0)) {
    open my $fh, '>', "$bin/$name" or die;
    print $fh "#!/bin/sh\necho \"\$0 \$*\" >> '$bin/swig-called'\nexit 1\n";
    close $fh;
    chmod 0755, "$bin/$name";
}
my %no_swig = (PATH => $bin, SWIG => undef, PERL5LIB => undef, PERL_MM_OPT => undef, MAKEFLAGS => undef);

# 1. make dist (a checkout: SWIG runs here).
run({}, $perl_dir, $^X, 'Makefile.PL');
run({}, $perl_dir, 'make', 'dist');
my $tarball = "$perl_dir/PolyIPC-$VERSION.tar.gz";
ok(-f $tarball, "make dist made PolyIPC-$VERSION.tar.gz");

my @listed = grep { !m{/\z} } split /\n/, run({}, $tmp, 'tar', '-tzf', $tarball);
s{^PolyIPC-\Q$VERSION\E/}{} for @listed;
my %in = map { $_ => 1 } @listed;
my $build = JSON::PP->new->decode(slurp("$ROOT/core/build.json"));
my @expected = (qw(Makefile.PL MANIFEST META.json META.yml Changes README LICENSE VERSION PolyIPC.pm PolyIPC_wrap.c
                   lib/PolyIPC.pod lib/PolyIPC/Semaphore.pod t/00-smoke.t t/corpus.t t/lib/PolyIPCTest.pm nocrash/cases.json
                   core/build.json core/include/polyipc.h core/include/polyipc_version.h.in),
                (map { "core/$_" } @{ $build->{sources} }), (map { s{.*/}{corpus/}r } glob "$ROOT/tests/corpus/*.json"));
ok($in{$_}, "the dist holds $_") for @expected;
is_deeply([grep { /\.(?:o|so|bs)\z|^Makefile\z|^blib/ } @listed], [], 'nothing built is in the dist');

# 2. Unpacked elsewhere: build, test and install with SWIG absent.
run({}, $tmp, 'tar', '-xzf', $tarball);
my $dist = "$tmp/PolyIPC-$VERSION";
is_deeply([sort map { (split ' ')[0] } grep { /\S/ } split /\n/, slurp("$dist/MANIFEST")], [sort @listed], 'MANIFEST lists exactly the files of the dist');
my $meta = JSON::PP->new->decode(slurp("$dist/META.json"));
is_deeply($meta->{license}, ['bsd'], 'META.json: license');
like($meta->{resources}{repository}{url} // '', qr{^https://github\.com/polyipc/polyipc}, 'META.json: repository');
ok(exists $meta->{prereqs}{test}{requires}{'Test::More'}, 'META.json: test prerequisites');
ok(exists $meta->{prereqs}{configure}{requires}{'JSON::PP'}, 'META.json: configure prerequisites');
like(slurp("$dist/META.yml"), qr/^license: bsd$/m, 'META.yml: license');
is(slurp("$dist/Changes"), slurp("$ROOT/CHANGELOG.md"), 'Changes is CHANGELOG.md');

my $prefix = "$tmp/prefix";
run(\%no_swig, $dist, $^X, 'Makefile.PL', "INSTALL_BASE=$prefix");
run(\%no_swig, $dist, 'make');
my $test_out = run(\%no_swig, $dist, 'make', 'test');
like($test_out, qr/^Result: PASS$/m, 'make test passes in the unpacked dist');
run(\%no_swig, $dist, 'make', 'install');
ok(!-e "$bin/swig-called", 'SWIG was never called') or diag(slurp("$bin/swig-called"));
like(run(\%no_swig, $tmp, 'sh', '-c', 'command -v swig'), qr{^\Q$bin\E/swig$}, 'only the fake swig is on PATH');

# 3. The installed copy.
my %installed = (PERL5LIB => "$prefix/lib/perl5");
my $from_install = qq{BEGIN { require PolyIPC; die "PolyIPC loaded from \$INC{'PolyIPC.pm'}\\n" unless index(\$INC{'PolyIPC.pm'}, '$prefix/') == 0 }};
my $smoke = run(\%installed, $tmp, $^X, '-e', $from_install . q{
    use PolyIPC qw(:all);
    my $q = PolyIPC::MessageQueue->new(IPC_PRIVATE, flags => IPC_CREX);
    my $s = PolyIPC::Semaphore->new(IPC_PRIVATE, flags => IPC_CREX, initial_value => 1);
    my $m = PolyIPC::SharedMemory->new(IPC_PRIVATE, flags => IPC_CREX, size => 16);
    my @r = eval {
        $q->send("a\0\xff", type => 5);
        $s->acquire; $m->write("dist", offset => 2); $s->release;
        my ($data, $type) = $q->receive;
        (unpack('H*', $data), $type, $m->read(4, offset => 2), $PolyIPC::VERSION);
    };
    my $err = $@;
    $q->remove; $s->remove; $m->detach; $m->remove;
    die $err if $err;
    print join(',', @r), "\n";
});
is($smoke, "6100ff,5,dist,$VERSION\n", 'smoke test against the installed copy');

my $report = "$tmp/corpus-report";
my $in_namespace = q{"$@"; rc=$?
left=$(cat /proc/sysvipc/sem /proc/sysvipc/shm /proc/sysvipc/msg | grep -cv '^ *key')
if [ "$left" -ne 0 ]; then echo "LEAK: $left System V object(s) left behind"; ipcs -a; rc=1; fi
exit $rc};
my $outer = readlink('/proc/self/ns/ipc');
my $corpus = run({ %installed, POLYIPC_CORPUS_REPORT => $report, POLYIPC_CORPUS_DIR => "$dist/corpus",
                   POLYIPC_OUTER_IPC_NS => $outer },
                 $tmp, 'unshare', '--ipc', '--', 'sh', '-c', $in_namespace, 'sh',
                 $^X, '-e', $from_install . ' do $ARGV[0]; die $@ if $@', "$dist/t/corpus.t");
my ($total, $executed, $passed) = slurp($report) =~ /total=(\d+) executed=(\d+) passed=(\d+)/;
ok($total && $executed, "the corpus ran against the installed copy ($executed of $total)") or diag($corpus);
is($passed, $executed, 'every applicable corpus scenario passed');

for my $page (qw(PolyIPC PolyIPC::Semaphore PolyIPC::SemaphoreSet PolyIPC::SharedMemory PolyIPC::MessageQueue PolyIPC::Error)) {
    my $path = run({}, $tmp, 'man', '-M', "$prefix/man", '-w', $page);
    like($path, qr{^\Q$prefix\E/man/man3/\Q$page\E\.3pm}, "man -M finds $page");
    my $text = run({ MANPAGER => 'cat', PAGER => 'cat', MANWIDTH => 80 }, $tmp, 'man', '-M', "$prefix/man", $page);
    like($text, qr/^NAME\s*\n\s+\Q$page\E - /m, "man $page shows its NAME section");
}

# 4. make disttest in the checkout (the dist built and tested as it unpacks).
like(run({}, $perl_dir, 'make', 'disttest'), qr/^Result: PASS$/m, 'make disttest passes');

done_testing();
