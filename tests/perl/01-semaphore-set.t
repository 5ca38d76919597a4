# PolyIPC::SemaphoreSet: atomic multi-operation sets, with Perl idioms
# (named arguments, lists for values, array refs for operations).
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::Bin/lib";
use PolyIPCTest;
use PolyIPC qw(:all);
use Time::HiRes qw(setitimer ITIMER_REAL);

my $s = track(PolyIPC::SemaphoreSet->new(IPC_PRIVATE, nsems => 3, flags => IPC_CREX, mode => 0640,
                                         initial_value => 1));
isa_ok($s, 'PolyIPC::SemaphoreSet');
is($s->nsems, 3, 'nsems');
is($s->mode, 0640, 'mode');
is($s->key, 0, 'key');
is_deeply([$s->values], [1, 1, 1], 'initial values applied to every semaphore');
$s->set_values(2, 0, 5);
is_deeply([$s->values], [2, 0, 5], 'set_values takes a list');
error_ok(sub { $s->op([[0, -1], [1, -1, IPC_NOWAIT], [2, 3]]) }, 'PolyIPC::BusyError',
         'an operation that would block fails whole');
is_deeply([$s->values], [2, 0, 5], 'nothing changed');
$s->op([[0, -2], [1, 4], [2, -5]], timeout => 0);
is_deeply([$s->values], [0, 4, 0], 'all operations applied at once');
is($s->value(1), 4, 'value($index)');
$s->set_value(2, 7);
is($s->value(2), 7, 'set_value($index, $value)');
is($s->last_pid(0), $$, 'last_pid($index)');
is($s->last_pid(1), $$, 'last_pid after an operation');
is($s->waiting_for_nonzero(0), 0, 'waiting_for_nonzero($index)');
is($s->waiting_for_zero(0), 0, 'waiting_for_zero($index)');
ok($s->o_time > 0, 'o_time');
is($s->uid, $<, 'uid');
is($s->cuid, $<, 'cuid');
is($s->cgid, (split ' ', $()[0], 'cgid');
$s->set_mode(0600);
is($s->mode, 0600, 'set_mode');
$s->set_uid($<);
$s->set_gid((split ' ', $()[0]);
is($s->gid, (split ' ', $()[0], 'set_gid');

my $t0 = now();
error_ok(sub { $s->op([[0, -1]], timeout => 0.1) }, 'PolyIPC::BusyError', 'op(timeout => 0.1) expires');
cmp_ok(now() - $t0, '>=', 0.08, '... after waiting');

# a %SIG handler runs during a blocked op and the op then completes
my $fired = 0;
local $SIG{ALRM} = sub { setitimer(ITIMER_REAL, 0); $fired++ or $s->set_value(0, 1) };
setitimer(ITIMER_REAL, 0.1, 0.1);
$s->op([[0, -1], [1, -1]], timeout => 20);
setitimer(ITIMER_REAL, 0);
ok($fired >= 1, 'a signal handler ran while op waited');
is_deeply([$s->values], [0, 3, 7], 'then the op completed atomically');

for my $bad (['nope', 'WrongTypeError'], [[[0]], 'WrongTypeError'], [[['x', 1]], 'WrongTypeError'],
             [[[3, 1]], 'InvalidArgumentError'], [[[0, 1, 0x7fff0000]], 'InvalidArgumentError'],
             [[[0, 40000]], 'InvalidArgumentError'], [[undef], 'WrongTypeError'], [[{}], 'WrongTypeError']) {
    error_ok(sub { $s->op($bad->[0]) }, "PolyIPC::$bad->[1]", "bad ops refused with $bad->[1]");
}
error_ok(sub { $s->op([[0, 1]], tmeout => 1) }, 'PolyIPC::WrongTypeError', 'an unknown named argument');
error_ok(sub { $s->op() }, 'PolyIPC::WrongTypeError', 'op without operations');
error_ok(sub { $s->set_values(1, 2) }, 'PolyIPC::InvalidArgumentError', 'set_values needs nsems items');
error_ok(sub { $s->set_values(1, 2, 'x') }, 'PolyIPC::WrongTypeError', 'set_values needs integers');
error_ok(sub { $s->value(3) }, 'PolyIPC::InvalidArgumentError', 'an index out of range');
error_ok(sub { $s->value }, 'PolyIPC::WrongTypeError', 'value without an index');
is_deeply([$s->values], [0, 3, 7], 'bad input changed nothing');
error_ok(sub { PolyIPC::SemaphoreSet->new(undef, nsems => 0, flags => IPC_CREX) },
         'PolyIPC::InvalidArgumentError', 'nsems 0 when creating');

my $e = error_ok(sub { $s->op([[0, -1]], timeout => 0) }, 'PolyIPC::BusyError', 'errors name the caller');
is($e->file, __FILE__, '... file') if ref $e;

$s->remove;
error_ok(sub { $s->values }, 'PolyIPC::ExistentialError', 'values after remove');
error_ok(sub { $s->op([[0, 1]]) }, 'PolyIPC::ExistentialError', 'op after remove');
done_testing();
