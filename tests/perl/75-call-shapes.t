# Every method is SWIG's wrapper, reached in two shapes: with exactly its
# positional arguments (acquire/P, release/V, value; read, write, send,
# receive), and with named arguments (offset =>, byte_count =>, block =>,
# type =>, flags =>), which the wrapper's prologue folds into positional
# order; the invocant is read by pipc_pl_self when it is a live object as
# SWIG made it, and by SWIG's conversion otherwise (undef, a class name, a
# destroyed or foreign object). Every shape must behave the same: same
# results, same errors, and results that are independent values even
# though value/read/receive return their pad target.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::Bin/lib";
use PolyIPCTest;
use PolyIPC qw(:all);

{ package My::Semaphore; our @ISA = ('PolyIPC::Semaphore'); }

my $s = track(PolyIPC::Semaphore->new(undef, flags => IPC_CREX, initial_value => 2));
$s->acquire;                       is($s->value, 1, 'acquire (positional)');
$s->acquire(delta => 1);           is($s->value, 0, 'acquire (named)');
$s->release;                       is($s->value, 1, 'release (positional)');
$s->release(delta => 2);           is(PolyIPC::Semaphore::value($s), 3, 'release (named), value as a function');
$s->P; $s->V; $s->V;               is($s->value, 4, 'P and V');
is_deeply([$s->acquire], [], 'acquire returns an empty list');
is_deeply([$s->release], [], 'release returns an empty list');
my @v = map { $s->release; $s->value } 1 .. 3;
is("@v", '5 6 7', 'values from one call site are independent');
my $ref = \$s->value;
$s->release;
is($$ref, 7, 'a reference to a result keeps its value');
is($s->value, 8, '... while the next call sees the new value');

my $sub = track(My::Semaphore->new(undef, flags => IPC_CREX, initial_value => 1));
isa_ok($sub, 'My::Semaphore');
$sub->acquire; $sub->release; $sub->release;
is($sub->value, 2, 'a subclass object is read by pipc_pl_self');

my $m = track(PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, size => 16));
$m->write('abcd');
is($m->read(4), 'abcd', 'read($n) (positional)');
is($m->read(4, offset => 0), 'abcd', 'read($n, offset => 0) (named)');
is(length $m->read, $m->size, 'read of everything (positional)');
my @r = map { $m->write($_ x 4); $m->read(4) } qw(a b c);
is("@r", 'aaaa bbbb cccc', 'reads from one call site are independent');
my $first = $m->read(2);
$m->write('zz');
is($first, 'cc', 'a read result is a copy');
sub last_two { $m->read(2) }
my @pair = (last_two(), do { $m->write('yy'); last_two() });
is("@pair", 'zz yy', 'results returned through a sub are independent');
$m->write("\x{e9}t\x{e9}");        # a character string with code points < 256
is($m->read(3), "\xe9t\xe9", 'a downgradable string is written as bytes');
ok(!utf8::is_utf8($m->read(3)), 'a read result is a byte string');
error_ok(sub { $m->write("\x{263a}") }, 'PolyIPC::WrongTypeError', 'write of a wide string (positional)');
my $e1 = error_ok(sub { $m->read(-1) }, 'PolyIPC::InvalidArgumentError', 'read of a negative count (positional)');
my $e2 = error_ok(sub { $m->read(-1, offset => 0) }, 'PolyIPC::InvalidArgumentError', 'read of a negative count (named)');
is($e1->message, $e2->message, 'same message on both paths');
is($e1->line, __LINE__ - 3, "the error names the caller's line");

my $q = track(PolyIPC::MessageQueue->new(undef, flags => IPC_CREX, max_message_size => 64));
$q->send("one\0\xff");
$q->send('two', type => 3);
my ($data, $type) = $q->receive;
is($data, "one\0\xff", 'receive (positional) in list context: data');
is($type, 1, 'receive (positional) in list context: type');
my $just = $q->receive;
is($just, 'two', 'receive (positional) in scalar context');
my @msgs = map { $q->send("m$_"); scalar $q->receive } 1 .. 3;
is("@msgs", 'm1 m2 m3', 'received messages from one call site are independent');
$q->send('x' x 64);
is(length scalar $q->receive, 64, 'a message of max_message_size');
$q->send('short');
is(scalar $q->receive, 'short', 'a shorter message after a longer one');
my $big = track(PolyIPC::MessageQueue->new(undef, flags => IPC_CREX, max_message_size => 8192));
sub recv_big { scalar $big->receive }
$big->send('b' x 5000); my $b1 = recv_big();
$big->send('c' x 5000); my $b2 = recv_big();
ok($b1 eq 'b' x 5000 && $b2 eq 'c' x 5000, 'large messages from one call site are independent');
my $e3 = error_ok(sub { $q->send("\x{263a}") }, 'PolyIPC::WrongTypeError', 'send of a wide string (positional)');
my $e4 = error_ok(sub { $q->send("\x{263a}", type => 1) }, 'PolyIPC::WrongTypeError', 'send of a wide string (named)');
is($e3->message, $e4->message, 'same message on both paths');

# after remove: both forms raise the same error
$s->remove; $q->remove;
for my $c ([acquire => sub { $s->acquire }, sub { $s->acquire(delta => 1) }],
           [release => sub { $s->release }, sub { $s->release(delta => 1) }],
           [value => sub { $s->value }, sub { PolyIPC::Semaphore::value($s) }],
           [send => sub { $q->send('x') }, sub { $q->send('x', type => 1) }],
           [receive => sub { $q->receive }, sub { $q->receive(type => 0) }]) {
    my ($name, $fast, $slow) = @$c;
    my $ef = error_ok($fast, 'PolyIPC::ExistentialError', "$name after remove (positional)");
    my $es = error_ok($slow, 'PolyIPC::ExistentialError', "$name after remove (named)");
    is(ref($ef) . ' ' . $ef->message, ref($es) . ' ' . $es->message, "$name after remove: same error");
}
$m->remove; $m->detach;
my $ef = error_ok(sub { $m->read }, 'PolyIPC::NotAttachedError', 'read after detach (positional)');
my $es = error_ok(sub { $m->read(0, offset => 0) }, 'PolyIPC::NotAttachedError', 'read after detach (named)');
is($ef->message, $es->message, 'read after detach: same error');

# the named forms users write
{
    my $mm = track(PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, size => 8, init_character => '.'));
    $mm->write('ab', offset => 3);
    is($mm->read(4, offset => 2), '.ab.', 'write/read with offset =>');
    is($mm->read(byte_count => 2, offset => 3), 'ab', 'read(byte_count =>, offset =>)');
    is($mm->read(offset => 6), '..', 'read(offset =>) reads to the end');
    error_ok(sub { $mm->write('x', offset => 8) }, 'PolyIPC::InvalidArgumentError', 'write offset past the end');
    error_ok(sub { $mm->read(1, offset => 'far') }, 'PolyIPC::WrongTypeError', 'read offset not a number');
    error_ok(sub { $mm->read(1, byte_count => 1) }, 'PolyIPC::WrongTypeError', 'byte_count given twice');
    error_ok(sub { $mm->write('x', offset => undef) }, 'PolyIPC::WrongTypeError', 'offset => undef');
    error_ok(sub { $mm->write('x', ofset => 1) }, 'PolyIPC::WrongTypeError', 'an unknown name');
    error_ok(sub { $mm->write('x', 'offset') }, 'PolyIPC::WrongTypeError', 'an odd list');
    $mm->detach; $mm->remove;

    my $qq = track(PolyIPC::MessageQueue->new(undef, flags => IPC_CREX));
    $qq->send('one', type => 5);
    $qq->send('two', type => 7, block => 0);
    is_deeply([$qq->receive(type => 7)], ['two', 7], 'receive(type =>) picks the type');
    is_deeply([$qq->receive(type => -6, block => 1, flags => 0)], ['one', 5], 'receive(type => -6, ...)');
    error_ok(sub { $qq->receive(block => 0) }, 'PolyIPC::BusyError', 'receive(block => 0) on an empty queue');
    error_ok(sub { $qq->send('x', type => 0) }, 'PolyIPC::InvalidArgumentError', 'send(type => 0)');
    error_ok(sub { $qq->send('x', type => 'a') }, 'PolyIPC::WrongTypeError', 'send(type => "a")');
    my @r = map { scalar $qq->receive(type => 0) } map { $qq->send("m$_", type => 1); $_ } 1 .. 2;
    is("@r", 'm1 m2', 'named receive results from one call site are independent');
    # buffer => \$buf: received and read into the caller's variable
    my $buf = 'stale';
    $qq->send('abc', type => 4);
    is_deeply([$qq->receive(buffer => \$buf)], ['abc', 4], 'receive(buffer =>) returns the data and type');
    is($buf, 'abc', '... and fills the buffer');
    $qq->send('de');
    is(scalar $qq->receive(type => 0, buffer => \$buf), 'de', 'a second receive into the same buffer');
    is($buf, 'de', '... replaces its contents');
    $qq->send('f');
    is(scalar $qq->receive(buffer => undef), 'f', 'buffer => undef is as if not given');
    error_ok(sub { $qq->receive(block => 0, buffer => 'x') }, 'PolyIPC::WrongTypeError', 'buffer not a reference');
    error_ok(sub { $qq->receive(block => 0, buffer => \'ro') }, 'PolyIPC::WrongTypeError', 'buffer read-only');
    error_ok(sub { $qq->receive(block => 0, buffer => []) }, 'PolyIPC::WrongTypeError', 'buffer an array ref');
    $buf = 'kept';
    error_ok(sub { $qq->receive(block => 0, buffer => \$buf) }, 'PolyIPC::BusyError', 'empty queue');
    is($buf, '', '... leaves the buffer empty (never stale data)');
    $qq->remove;

    my $ms = track(PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, size => 4, init_character => 'q'));
    my $rb;
    is($ms->read(2, offset => 1, buffer => \$rb), 'qq', 'read(buffer =>) returns the bytes');
    is($rb, 'qq', '... in the buffer');
    $ms->detach; $ms->remove;
}

# names with get magic (a regex capture, a tied scalar) are read as their value
{
    package My::TiedName; sub TIESCALAR { my $n = $_[1]; bless \$n } sub FETCH { ${$_[0]} } sub STORE {}
}
{
    my $sm = track(PolyIPC::Semaphore->new(undef, flags => IPC_CREX, initial_value => 3));
    'delta' =~ /(\w+)/;
    ok(eval { $sm->acquire($1 => 2); 1 }, 'a regex capture as an argument name') or diag $@;
    is($sm->value, 1, '... is that name');
    tie my $name, 'My::TiedName', 'delta';
    ok(eval { $sm->release($name => 2); 1 }, 'a tied scalar as an argument name') or diag $@;
    is($sm->value, 3, '... is its value');
    tie my $bad, 'My::TiedName', undef;
    error_ok(sub { $sm->release($bad => 1) }, 'PolyIPC::WrongTypeError', 'a tied name that is undef');
    $sm->remove;
}

# Argument values with get magic (tied scalars, also inside an op list) run
# Perl code when read. Each is read once, before any argument is converted:
# a FETCH that frees the invocant, or that reallocates the string of another
# argument, never leaves the call a freed handle or a freed string (the ASan
# build reports those).
{
    package My::TiedHook;
    sub TIESCALAR { my (undef, $value, $hook) = @_; bless { value => $value, hook => $hook } }
    sub FETCH { my $t = shift; if (my $h = delete $t->{hook}) { $h->() } $t->{value} }
    sub STORE {}
}
{
    my $sm = PolyIPC::Semaphore->new(undef, flags => IPC_CREX);
    my $sid = $sm->id;
    tie my $delta, 'My::TiedHook', 1, sub { undef $sm };
    error_ok(sub { $sm->release(delta => $delta) }, 'PolyIPC::WrongTypeError',
             'a tied argument that frees the invocant: the call refuses');
    $sm = PolyIPC::Semaphore->new(undef, flags => IPC_CREX);
    my $sid2 = $sm->id;
    tie my $timeout, 'My::TiedHook', 0, sub { $sm->DESTROY };
    error_ok(sub { $sm->acquire(timeout => $timeout) }, 'PolyIPC::WrongTypeError',
             '... or DESTROYs it');
    PolyIPC::remove_semaphore($_) for $sid, $sid2;

    my $ms = PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, size => 64);
    my $mid = $ms->id;
    tie my $count, 'My::TiedHook', 4, sub { undef $ms };
    error_ok(sub { $ms->read($count) }, 'PolyIPC::WrongTypeError', 'read: a tied count that frees the invocant');
    PolyIPC::remove_shared_memory($mid);

    $ms = track(PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, size => 1 << 20));
    my $data = 'abc';
    tie my $offset, 'My::TiedHook', 0, sub { $data = 'y' x 500_000 };
    $ms->write($data, offset => $offset);
    is($ms->read(3), 'yyy', 'write: a tied offset that reallocates the data: the data as it is after the FETCH');

    my $mq = track(PolyIPC::MessageQueue->new(undef, flags => IPC_CREX, max_message_size => 1 << 16));
    $data = 'abc';
    tie my $type, 'My::TiedHook', 2, sub { $data = 'z' x 6_000 };
    $mq->send($data, type => $type);
    is_deeply([$mq->receive(block => 0)], ['z' x 6_000, 2], 'send: a tied type that reallocates the data');

    my $set = PolyIPC::SemaphoreSet->new(undef, nsems => 2, flags => IPC_CREX);
    my $setid = $set->id;
    my @op = (1, 0);
    tie $op[1], 'My::TiedHook', 1, sub { undef $set };
    error_ok(sub { $set->op([\@op]) }, 'PolyIPC::WrongTypeError', 'op: a tied delta that frees the invocant');
    $set = track(PolyIPC::SemaphoreSet->new(undef, nsems => 2, flags => IPC_CREX));
    my @ops = ([0, 1], [1, 1]);
    tie $ops[0][1], 'My::TiedHook', 2, sub { @ops = () };
    error_ok(sub { $set->op(\@ops) }, 'PolyIPC::WrongTypeError',
             'op: a tied delta that empties the op list: the operations that are gone are missing');
    is(join(',', $set->values), '0,0', '... and none was applied');
    PolyIPC::remove_semaphore($setid);
}

# a destroyed object: pipc_pl_self declines, SWIG's check raises
my $d = PolyIPC::Semaphore->new(undef, flags => IPC_CREX);
$d->remove; $d->DESTROY;
error_ok(sub { $d->acquire }, 'PolyIPC::WrongTypeError', 'acquire on a destroyed object');
error_ok(sub { PolyIPC::Semaphore::value(bless {}, 'PolyIPC::Semaphore') }, 'PolyIPC::WrongTypeError',
         'value on a forged hash');
error_ok(sub { PolyIPC::Semaphore::acquire($m) }, 'PolyIPC::WrongTypeError', 'acquire on a SharedMemory');

done_testing;
