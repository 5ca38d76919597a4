# PolyIPC::Semaphore: construction, named arguments, accessors, waits,
# synchronize, subclassing.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::Bin/lib";
use PolyIPCTest;
use PolyIPC qw(:all);
use POSIX ();
use Time::HiRes ();

sub new_sem { track(PolyIPC::Semaphore->new(undef, flags => IPC_CREX, @_)) }

subtest 'construction' => sub {
    my $s = new_sem(mode => 0640, initial_value => 3);
    isa_ok($s, 'PolyIPC::Semaphore');
    cmp_ok($s->key, '>=', 1, 'a random key is >= 1');
    cmp_ok($s->key, '<=', 32766, '... and <= 32766');
    ok($s->id >= 0, 'id');
    is($s->value, 3, 'initial_value');
    is($s->mode, 0640, 'mode');

    my $same = PolyIPC::Semaphore->new($s->key, flags => IPC_CREAT, initial_value => 7);
    is($same->id, $s->id, 'opening by key finds the same semaphore');
    is($same->value, 3, 'initial_value is not applied when the semaphore exists');
    my $plain = PolyIPC::Semaphore->new($s->key);
    is($plain->id, $s->id, 'opening with no flags');

    my $m = track(PolyIPC::Semaphore->new(undef, flags => IPC_CREX, mode => 0100777));
    is($m->mode, 0777, 'mode is masked to 0777');
    my $p = track(PolyIPC::Semaphore->new(IPC_PRIVATE, flags => IPC_CREAT));
    is($p->key, 0, 'IPC_PRIVATE');
    is($p->value, 0, 'initial_value defaults to 0');

    error_ok(sub { PolyIPC::Semaphore->new($s->key, flags => IPC_CREX) }, 'PolyIPC::ExistentialError',
             'IPC_CREX on an existing key');
    my $e = error_ok(sub { PolyIPC::Semaphore->new(undef, flags => IPC_CREAT) },
                     'PolyIPC::InvalidArgumentError', 'a random key needs IPC_EXCL');
    error_ok(sub { PolyIPC::Semaphore->new(12345, flags => IPC_EXCL) }, 'PolyIPC::InvalidArgumentError',
             'IPC_EXCL without IPC_CREAT');
    $s->remove;
    error_ok(sub { PolyIPC::Semaphore->new($s->key) }, 'PolyIPC::ExistentialError',
             'opening a key that does not exist');
    error_ok(sub { PolyIPC::Semaphore->new(2**31) }, 'PolyIPC::InvalidArgumentError',
             'a key past KEY_MAX is refused, not truncated');
    error_ok(sub { PolyIPC::Semaphore->new(KEY_MIN - 1) }, 'PolyIPC::InvalidArgumentError',
             'a key below KEY_MIN');
    error_ok(sub { PolyIPC::Semaphore->new(undef, flags => IPC_CREX, initial_value => 32768) },
             'PolyIPC::InvalidArgumentError', 'initial_value past SEMVMX');
};

subtest 'acquire, release, P, V, Z' => sub {
    my $s = new_sem(initial_value => 2);
    $s->acquire;
    is($s->value, 1, 'acquire subtracts 1');
    $s->acquire(delta => 1, timeout => 1);
    is($s->value, 0, 'acquire(delta => 1, timeout => 1)');
    $s->release(delta => 5);
    is($s->value, 5, 'release(delta => 5)');
    $s->P(delta => 2);
    $s->V;
    is($s->value, 4, 'P and V are aliases');
    $s->acquire(delta => 4);
    $s->Z(timeout => 0);
    pass('Z returns at once on zero');
    $s->release;
    my $t0 = now();
    error_ok(sub { $s->Z(timeout => 0.1) }, 'PolyIPC::BusyError', 'Z times out');
    error_ok(sub { $s->acquire(timeout => 0.1, delta => 2) }, 'PolyIPC::BusyError',
             'acquire times out with a BusyError');
    cmp_ok(now() - $t0, '>=', 0.15, 'the timeouts waited');
    error_ok(sub { $s->acquire(delta => 2, timeout => 0) }, 'PolyIPC::BusyError', 'timeout 0 is one try');
    error_ok(sub { $s->acquire(delta => 0) }, 'PolyIPC::InvalidArgumentError', 'delta 0 is refused');
    error_ok(sub { $s->release(delta => -1) }, 'PolyIPC::InvalidArgumentError', 'negative delta');
    $s->set_value(32767);
    my $e = error_ok(sub { $s->release }, 'PolyIPC::InvalidArgumentError', 'release past SEMVMX');
    like($e->message, qr/The semaphore's value must remain between 0 and SEMVMX/, '... with sysv_ipc\'s text')
        if ref $e;
    is($s->value, 32767, 'the value did not change');
};

subtest 'block and undo' => sub {
    my $s = new_sem();
    ok($s->block, 'block defaults to true');
    ok(!$s->undo, 'undo defaults to false');
    $s->set_block(0);
    ok(!$s->block, 'set_block(0)');
    my $t0 = now();
    error_ok(sub { $s->acquire(timeout => 5) }, 'PolyIPC::BusyError', 'block false wins over a timeout');
    cmp_ok(now() - $t0, '<', 1, '... without waiting');
    $s->set_block(1);
    $s->set_undo(1);
    ok($s->undo, 'set_undo(1)');
    my $r = in_child(sub { $s->release(delta => 3); $_[0]->($s->value) });
    is($r->{out}, 3, 'a child released with SEM_UNDO');
    is($s->value, 0, 'the kernel undid it when the child exited');
};

subtest 'accessors' => sub {
    my $s = new_sem(initial_value => 1);
    is($s->uid, $<, 'uid');
    is($s->gid, (split ' ', $()[0], 'gid');
    is($s->cuid, $<, 'cuid');
    is($s->cgid, (split ' ', $()[0], 'cgid');
    is($s->o_time, 0, 'o_time is 0 before any operation (initial_value uses SETVAL)');
    $s->acquire;
    ok($s->o_time > 0, 'o_time after an operation');
    is($s->last_pid, $$, 'last_pid');
    is($s->waiting_for_nonzero, 0, 'waiting_for_nonzero');
    is($s->waiting_for_zero, 0, 'waiting_for_zero');
    $s->set_mode(0604);
    is($s->mode, 0604, 'set_mode');
    $s->set_uid($<);
    $s->set_gid((split ' ', $()[0]);
    is($s->uid, $<, 'set_uid');
    $s->set_value(9);
    is($s->value, 9, 'set_value');
    error_ok(sub { $s->set_value(-1) }, 'PolyIPC::InvalidArgumentError', 'set_value(-1)');
    error_ok(sub { $s->set_value(32768) }, 'PolyIPC::InvalidArgumentError', 'set_value past SEMVMX');
    error_ok(sub { $s->set_uid(-5) }, 'PolyIPC::InvalidArgumentError', 'set_uid(-5)');
    ok(!$s->can('set_key') && !$s->can('set_id') && !$s->can('set_cuid'),
       'read-only attributes have no setter');
};

subtest 'another process wakes a waiter; remove wakes it with ExistentialError' => sub {
    my $s = new_sem();
    my $go = new_sem();
    my $pid = fork // die;
    if (!$pid) {
        my $rc = eval { $go->acquire(timeout => 10); $s->release(delta => 2); 0 } // 1;
        POSIX::_exit($rc);
    }
    $go->release;
    $s->acquire(delta => 2, timeout => 10);
    pass('woken by the child');
    waitpid $pid, 0;
    is($?, 0, 'child ok');

    $pid = fork // die;
    if (!$pid) {
        my $ok = eval { $s->acquire(timeout => 10); 1 };
        POSIX::_exit(!$ok && ref $@ && $@->isa('PolyIPC::ExistentialError') ? 0 : 1);
    }
    my $deadline = now() + 10;
    Time::HiRes::sleep(0.001) while $s->waiting_for_nonzero == 0 && now() < $deadline;
    is($s->waiting_for_nonzero, 1, 'the child is waiting');
    $s->remove;
    waitpid $pid, 0;
    is($?, 0, 'the waiter woke with an ExistentialError');
    error_ok(sub { $s->acquire }, 'PolyIPC::ExistentialError', 'acquire after remove');
    error_ok(sub { $s->release }, 'PolyIPC::ExistentialError', 'release after remove');
    error_ok(sub { $s->value }, 'PolyIPC::ExistentialError', 'value after remove');
    error_ok(sub { $s->mode }, 'PolyIPC::ExistentialError', 'mode after remove');
    error_ok(sub { $s->remove }, 'PolyIPC::ExistentialError', 'remove twice');
    like($s->key, qr/^\d+$/, 'key still answers after remove (not a kernel read)');
};

subtest 'synchronize' => sub {
    my $s = new_sem(initial_value => 1);
    my $inside;
    my $r = $s->synchronize(sub { $inside = $s->value; 'result' });
    is($inside, 0, 'held inside the block');
    is($s->value, 1, 'released after it');
    is($r, 'result', 'returns the block\'s result (scalar context)');
    my @r = $s->synchronize(sub { (1, 2, 3) });
    is_deeply(\@r, [1, 2, 3], 'list context');
    my $want;
    $s->synchronize(sub { $want = wantarray });
    ok(!defined $want, 'void context');

    eval { $s->synchronize(sub { die "boom\n" }) };
    is($@, "boom\n", 'the block\'s exception is rethrown');
    is($s->value, 1, 'released even though the block died');
    my $obj = bless {}, 'My::Exception';
    eval { $s->synchronize(sub { die $obj }) };
    is($@, $obj, 'exception objects pass through unchanged');

    $s->set_value(0);
    my $ran = 0;
    error_ok(sub { $s->synchronize(sub { $ran++ }, timeout => 0.05) }, 'PolyIPC::BusyError',
             'named arguments go to acquire');
    is($ran, 0, 'the block did not run');
    $s->set_value(1);

    $s->set_value(3);
    $s->synchronize(sub { $inside = $s->value }, delta => 3);
    is($inside, 0, 'delta => 3: all three held inside the block');
    is($s->value, 3, '... and all three released after it');
    eval { $s->synchronize(sub { die "boom\n" }, timeout => 1, delta => 2) };
    is($s->value, 3, '... also when the block dies');
    $s->set_value(1);

    my $e = error_ok(sub { $s->synchronize('not code') }, 'PolyIPC::WrongTypeError',
                     'a non-code argument');
    like("$e", qr/ at \Q${\__FILE__}\E line \d+\.$/, '... naming the caller');

    eval { $s->synchronize(sub { $s->remove; 42 }) };
    ok(ref $@ && $@->isa('PolyIPC::ExistentialError'), 'a failing release is reported when the block succeeded');
    my $line = __LINE__; eval { $s->synchronize(sub { 1 }) };
    ok(ref $@ && $@->isa('PolyIPC::ExistentialError'), 'synchronize on a removed semaphore');
    is(ref $@ && $@->line, $line, '... the error names the caller\'s line, not the module\'s');
    is(ref $@ && $@->file, __FILE__, '... and file');
};

subtest 'subclasses' => sub {
    package My::Sem {
        our @ISA = ('PolyIPC::Semaphore');
        sub double_release { $_[0]->release(delta => 2) }
    }
    my $s = track(My::Sem->new(undef, flags => IPC_CREX));
    isa_ok($s, 'My::Sem');
    isa_ok($s, 'PolyIPC::Semaphore');
    $s->double_release;
    is($s->value, 2, 'methods work on a subclass object');
    require PolyIPC::Semaphore;
    pass('require PolyIPC::Semaphore works (for `use parent`)');
};

done_testing();
