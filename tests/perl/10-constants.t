# Constants: real constant subs, exported with :all and individually; the
# module's functions.
use strict;
use warnings;
use Test::More;
use B ();
use POSIX ();

my @constants = qw(IPC_CREAT IPC_EXCL IPC_CREX IPC_PRIVATE IPC_NOWAIT SEM_UNDO SHM_RDONLY
                   SHM_RND SHM_HUGETLB SHM_NORESERVE SHM_REMAP MSG_NOERROR MSG_EXCEPT MSG_COPY
                   KEY_MIN KEY_MAX PAGE_SIZE);

{
    package WithAll;
    use PolyIPC qw(:all);
}
{
    package WithOne;
    use PolyIPC qw(IPC_CREX);
}
{
    package WithNone;
    use PolyIPC;
}

for my $c (@constants, 'SEMAPHORE_VALUE_MAX') {
    ok(defined &{"WithAll::$c"}, ":all exports $c");
    my $cv = B::svref_2object(\&{"PolyIPC::$c"});
    ok($cv->CvFLAGS & B::CVf_CONST(), "$c is a constant sub (inlined)");
    is(prototype("PolyIPC::$c"), '', "$c has an empty prototype");
}
ok(defined &WithAll::remove_semaphore && defined &WithAll::remove_message_queue
   && defined &WithAll::remove_shared_memory && defined &WithAll::page_size,
   ':all exports the functions');
ok(defined &WithOne::IPC_CREX, 'a constant can be imported by name');
ok(!defined &WithOne::IPC_CREAT, '... and only that one');
ok(!defined &WithNone::IPC_CREX, 'nothing is exported by default');

eval "package WithBad; use PolyIPC qw(NO_SUCH_THING); 1";
like($@, qr/NO_SUCH_THING/, 'an unknown import is refused');

is(PolyIPC::IPC_CREAT, 01000, 'IPC_CREAT');
is(PolyIPC::IPC_EXCL, 02000, 'IPC_EXCL');
is(PolyIPC::IPC_CREX, 03000, 'IPC_CREX = IPC_CREAT|IPC_EXCL');
is(PolyIPC::IPC_PRIVATE, 0, 'IPC_PRIVATE');
is(PolyIPC::IPC_NOWAIT, 04000, 'IPC_NOWAIT');
is(PolyIPC::SEM_UNDO, 0x1000, 'SEM_UNDO');
is(PolyIPC::SHM_RDONLY, 010000, 'SHM_RDONLY');
is(PolyIPC::MSG_NOERROR, 010000, 'MSG_NOERROR');
is(PolyIPC::MSG_EXCEPT, 020000, 'MSG_EXCEPT');
is(PolyIPC::MSG_COPY, 040000, 'MSG_COPY');
is(PolyIPC::KEY_MIN, -2**31, 'KEY_MIN is the true key_t minimum');
is(PolyIPC::KEY_MAX, 2**31 - 1, 'KEY_MAX is the true key_t maximum');
is(PolyIPC::SEMAPHORE_VALUE_MAX, 32767, 'SEMAPHORE_VALUE_MAX');
is(PolyIPC::PAGE_SIZE, POSIX::sysconf(POSIX::_SC_PAGESIZE()), 'PAGE_SIZE is read at run time');
is(PolyIPC::page_size(), PolyIPC::PAGE_SIZE, 'page_size()');
is($PolyIPC::VERSION, '0.1.0', '$PolyIPC::VERSION');
ok(eval { PolyIPC->VERSION('v0.1.0'); 1 }, 'PolyIPC->VERSION works (use PolyIPC v0.1.0)');

eval { my $x = WithAll::IPC_CREX(); $x = 1; };
is($@, '', 'a constant returns a plain value');

# the functions: remove by id
{
    my $sem = PolyIPC::Semaphore->new(undef, flags => PolyIPC::IPC_CREX);
    PolyIPC::remove_semaphore($sem->id);
    my $e = eval { $sem->value; 1 } ? undef : $@;
    ok(ref $e && $e->isa('PolyIPC::ExistentialError'), 'remove_semaphore($id)');
    my $q = PolyIPC::MessageQueue->new(undef, flags => PolyIPC::IPC_CREX);
    PolyIPC::remove_message_queue($q->id);
    $e = eval { $q->current_messages; 1 } ? undef : $@;
    ok(ref $e && $e->isa('PolyIPC::ExistentialError'), 'remove_message_queue($id)');
    my $shm = PolyIPC::SharedMemory->new(undef, flags => PolyIPC::IPC_CREX, size => 16);
    PolyIPC::remove_shared_memory($shm->id);
    $shm->detach;
    $e = eval { $shm->mode; 1 } ? undef : $@;
    ok(ref $e && $e->isa('PolyIPC::ExistentialError'), 'remove_shared_memory($id)');
    $e = eval { PolyIPC::remove_semaphore($sem->id); 1 } ? undef : $@;
    ok(ref $e && $e->isa('PolyIPC::Error'), 'removing twice dies with an object');
}

done_testing();
