# SemaphoreSet: atomic multi-operation sets.
use strict;
use warnings;
use Test::More;
use PolyIPC;

my $s = PolyIPC::SemaphoreSet->new($PolyIPC::IPC_PRIVATE, 3, $PolyIPC::IPC_CREX, 0600, 1);
END { eval { $s->remove } if $s }

is_deeply($s->get_values, [1, 1, 1], 'initial values applied to every semaphore');
$s->set_values([2, 0, 5]);
eval { $s->op([[0, -1], [1, -1, $PolyIPC::IPC_NOWAIT], [2, 3]]) };
ok(ref $@ && $@->isa('PolyIPC::BusyError'), 'an operation that would block fails whole') or diag("$@");
is_deeply($s->get_values, [2, 0, 5], 'nothing changed');
$s->op([[0, -2], [1, 4], [2, -5]], 0);
is_deeply($s->get_values, [0, 4, 0], 'all operations applied at once');
is($s->get_value(1), 4, 'get_value');

for my $bad (['nope', 'WrongTypeError'], [[[0]], 'WrongTypeError'], [[['x', 1]], 'WrongTypeError'],
             [[[3, 1]], 'InvalidArgumentError']) {
    eval { $s->op($bad->[0]) };
    ok(ref $@ && $@->isa("PolyIPC::$bad->[1]"), "bad ops refused with $bad->[1]") or diag("$@");
}
eval { $s->set_values([1, 2]) };
ok(ref $@ && $@->isa('PolyIPC::InvalidArgumentError'), 'set_values needs nsems items');
is_deeply($s->get_values, [0, 4, 0], 'bad input changed nothing');

$s->remove;
eval { $s->get_values };
ok(ref $@ && $@->isa('PolyIPC::ExistentialError'), 'use after remove');
undef $s;
done_testing();
