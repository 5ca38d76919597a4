# Smoke test: the module loads, exposes the error taxonomy, and makes one
# real call on each primitive.
use strict;
use warnings;
use Test::More;
use PolyIPC qw(:all);

for my $n (qw(ExistentialError PermissionsError BusyError NotAttachedError InternalError)) {
    ok("PolyIPC::$n"->isa('PolyIPC::Error'), "$n isa PolyIPC::Error");
}

{
    my $sem = PolyIPC::Semaphore->new(IPC_PRIVATE, flags => IPC_CREX, initial_value => 2);
    $sem->release;
    is($sem->value, 3, 'release adds one');
    $sem->remove;
    eval { $sem->value };
    ok(ref $@ && $@->isa('PolyIPC::ExistentialError'), 'value after remove dies with ExistentialError')
        or diag("got: $@");
}

{
    my $shm = PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, size => 64);
    $shm->write("a\0b\xff", offset => 10);
    is($shm->read(4, offset => 10), "a\0b\xff", 'binary bytes round-trip');
    eval { $shm->read(1, offset => 64) };
    ok(ref $@ && $@->isa('PolyIPC::InvalidArgumentError'), 'read at the end is refused');
    like("$@", qr/ at \Q${\__FILE__}\E line \d+\.$/, 'error stringifies with the caller file and line');
    $shm->detach;
    $shm->remove;
}

{
    my $q = PolyIPC::MessageQueue->new(IPC_PRIVATE, flags => IPC_CREX);
    $q->send("\0hi\xff", type => 7);
    is($q->current_messages, 1, 'one message queued');
    is_deeply([$q->receive], ["\0hi\xff", 7], 'receive returns bytes and type');
    eval { $q->receive(block => 0) };
    ok(ref $@ && $@->isa('PolyIPC::BusyError'), 'empty queue without blocking is BusyError');
    $q->remove;
}

done_testing();
