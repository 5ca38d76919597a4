# Foundation smoke test: the module loads, exposes the error taxonomy, and
# makes one real call on each primitive.
use strict;
use warnings;
use Test::More;
use PolyIPC;

for my $n (qw(ExistentialError PermissionsError BusyError NotAttachedError InternalError)) {
    ok("PolyIPC::$n"->isa('PolyIPC::Error'), "$n isa PolyIPC::Error");
}

{
    my $sem = PolyIPC::Semaphore->new($PolyIPC::IPC_PRIVATE, $PolyIPC::IPC_CREX, 0600, 2);
    $sem->release();
    is($sem->{value}, 3, 'release adds one');
    $sem->remove();
    eval { my $v = $sem->{value} };
    ok(ref $@ && $@->isa('PolyIPC::ExistentialError'), 'value after remove dies with ExistentialError')
        or diag("got: $@");
}

{
    my $shm = PolyIPC::SharedMemory->new(undef, $PolyIPC::IPC_CREX, 0600, 64);
    $shm->write("a\0b\xff", 10);
    is($shm->read(4, 10), "a\0b\xff", 'binary bytes round-trip');
    eval { $shm->read(1, 64) };
    ok(ref $@ && $@->isa('PolyIPC::InvalidArgumentError'), 'read at the end is refused');
    like("$@", qr/at \S+ line \d+/, 'error stringifies with a file and line');
    $shm->detach();
    $shm->remove();
}

{
    my $q = PolyIPC::MessageQueue->new($PolyIPC::IPC_PRIVATE, $PolyIPC::IPC_CREX);
    $q->send("\0hi\xff", 1, 7);
    is($q->{current_messages}, 1, 'one message queued');
    is_deeply($q->receive(), ["\0hi\xff", 7], 'receive returns bytes and type');
    eval { $q->receive(0) };
    ok(ref $@ && $@->isa('PolyIPC::BusyError'), 'empty queue without blocking is BusyError');
    $q->remove();
}

done_testing();
