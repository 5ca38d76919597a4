# The module: constants (real constant subs, exported with :all and
# individually) and functions (attach, ftok, remove_*).
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
ok(defined &WithAll::attach && defined &WithAll::ftok && defined &WithAll::remove_semaphore
   && defined &WithAll::remove_message_queue
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

# attach($id): a SharedMemory for an existing segment, with its real key
{
    my $m = PolyIPC::SharedMemory->new(undef, flags => PolyIPC::IPC_CREX, size => 32);
    $m->write("by id\0");
    my $a = PolyIPC::attach($m->id);
    isa_ok($a, 'PolyIPC::SharedMemory', 'attach($id)');
    is($a->key, $m->key, '... with the segment\'s real key');
    is($a->size, 32, '... and size');
    is($a->read(6), "by id\0", '... attached to the same memory');
    my $ro = PolyIPC::attach($m->id, flags => PolyIPC::SHM_RDONLY);
    my $e = eval { $ro->write('x'); 1 } ? undef : $@;
    ok(ref $e && $e->isa('PolyIPC::ReadOnlyError'), 'attach($id, flags => SHM_RDONLY)');
    $e = eval { PolyIPC::attach($m->id, bogus => 1); 1 } ? undef : $@;
    ok(ref $e && $e->isa('PolyIPC::WrongTypeError'), 'attach with an unknown named argument');
    $m->remove;
    $m->detach; $a->detach; $ro->detach;
    $e = eval { PolyIPC::attach($m->id); 1 } ? undef : $@;
    ok(ref $e && $e->isa('PolyIPC::ExistentialError'), 'attach to a removed segment');
    $e = eval { PolyIPC::attach('abc'); 1 } ? undef : $@;
    ok(ref $e && $e->isa('PolyIPC::WrongTypeError'), 'attach with a non-numeric id');
}

# ftok($path, $id): a key, with a warning unless silenced
{
    my @warnings;
    local $SIG{__WARN__} = sub { push @warnings, @_ };
    my $key = PolyIPC::ftok($0, 7);
    like($key, qr/^-?\d+$/, 'ftok returns an integer key');
    is(scalar @warnings, 1, 'ftok warns');
    like($warnings[0] // '', qr/ftok.* at \Q$0\E line \d+/, '... at the caller\'s line');
    @warnings = ();
    is(PolyIPC::ftok($0, 7, silence_warning => 1), $key, 'the same path and id give the same key');
    is(scalar @warnings, 0, 'silence_warning => 1 silences it');
    isnt(PolyIPC::ftok($0, 8, silence_warning => 1), $key, 'another id gives another key');
    my $e = eval { PolyIPC::ftok('/no/such/path', 1, silence_warning => 1); 1 } ? undef : $@;
    ok(ref $e && $e->isa('PolyIPC::SyscallError'), 'a missing path is a SyscallError');
    is(ref $e && $e->errno, 2, '... with errno ENOENT');
    $e = eval { PolyIPC::ftok($0, 256, silence_warning => 1); 1 } ? undef : $@;
    ok(ref $e && $e->isa('PolyIPC::InvalidArgumentError'), 'a project id past 255');
    $e = eval { PolyIPC::ftok("$0\0x", 1, silence_warning => 1); 1 } ? undef : $@;
    ok(ref $e && $e->isa('PolyIPC::InvalidArgumentError'), 'a path with a NUL byte');
    $e = eval { PolyIPC::ftok(undef, 1); 1 } ? undef : $@;
    ok(ref $e && $e->isa('PolyIPC::WrongTypeError'), 'an undef path');
    $e = eval { PolyIPC::ftok($0); 1 } ? undef : $@;
    ok(ref $e && $e->isa('PolyIPC::WrongTypeError'), 'a missing id');
    $e = eval { PolyIPC::ftok($0, 1, quiet => 1); 1 } ? undef : $@;
    ok(ref $e && $e->isa('PolyIPC::WrongTypeError'), 'an unknown named argument');
}

done_testing();
