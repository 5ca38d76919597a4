# Every public package and method is documented: Test::Pod::Coverage per
# package, each against its own POD file (so a method documented for one
# class does not count for another).
use strict;
use warnings;
use Test::More;
eval { require Test::Pod::Coverage; Test::Pod::Coverage->VERSION(1.08); 1 }
    or plan skip_all => 'Test::Pod::Coverage (Debian: libtest-pod-coverage-perl) is required';
require PolyIPC;

my @packages = ('PolyIPC', map { "PolyIPC::$_" } qw(Semaphore SharedMemory MessageQueue Error LeakSnapshot));
push @packages, 'PolyIPC::SemaphoreSet' if PolyIPC::SemaphoreSet->can('new');
# SWIG's generated accessor plumbing (swig_<attr>_get/_set) is private; the
# public accessors are <attr> and set_<attr>.
my $private = { also_private => [qr/^swig_\w+_[gs]et$/] };
for my $p (@packages) {
    Test::Pod::Coverage::pod_coverage_ok($p, $private, "$p is fully documented");
}

# The check can fail: a package with an undocumented method is caught.
eval 'package PolyIPC::Semaphore; sub undocumented_probe { } 1' or die $@;
require Pod::Coverage;
my $pc = Pod::Coverage->new(package => 'PolyIPC::Semaphore', %$private);
ok(defined $pc->coverage && $pc->coverage < 1, 'an undocumented method is detected');
is_deeply([$pc->uncovered], ['undocumented_probe'], '... and only that one');
done_testing();
