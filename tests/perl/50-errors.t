# Exceptions as objects: the taxonomy from the core's table, the object's
# methods, the caller's file and line, and argument errors.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::Bin/lib";
use PolyIPCTest;
use PolyIPC qw(:all);
use Errno qw(ENOENT EAGAIN ENOMSG);

my @kinds = qw(ExistentialError PermissionsError BusyError NotAttachedError InternalError
               InvalidArgumentError WrongTypeError MessageSizeError LimitError OutOfMemoryError
               ReadOnlyError SyscallError InterruptError);

subtest 'the taxonomy' => sub {
    is_deeply([sort @PolyIPC::_ERROR_KINDS], [sort @kinds],
              'the classes generated from PIPC_ERROR_TABLE are those of docs/errors.md');
    for my $k (@kinds) {
        ok("PolyIPC::$k"->isa('PolyIPC::Error'), "PolyIPC::$k isa PolyIPC::Error");
        ok("PolyIPC::$k"->can('errno') && "PolyIPC::$k"->can('message'), "PolyIPC::$k has errno and message");
    }
};

subtest 'the error object' => sub {
    eval { PolyIPC::Semaphore->new(undef, flags => IPC_CREX)->remove; PolyIPC::Semaphore->new(-77) };
    my $line = __LINE__ - 1;
    my $e = $@;
    ok(ref $e, 'dies with an object');
    isa_ok($e, 'PolyIPC::ExistentialError');
    isa_ok($e, 'PolyIPC::Error');
    is($e->errno, ENOENT, 'errno');
    is($e->kind, 'ExistentialError', 'kind');
    ok($e->code < 0, 'code is the core\'s negative code');
    like($e->message, qr/semget/, 'the message says what was attempted');
    is($e->file, __FILE__, 'file is the caller\'s');
    is($e->line, $line, 'line is the caller\'s');
    is("$e", $e->message . " at " . __FILE__ . " line $line.\n", 'stringifies like die');
    is($e->as_string, "$e", 'as_string');
    ok(!!$e, 'true in boolean context');

    my $q = track(PolyIPC::MessageQueue->new(undef, flags => IPC_CREX));
    $e = error_ok(sub { $q->receive(block => 0) }, 'PolyIPC::BusyError', 'BusyError');
    is($e->errno, ENOMSG, '... errno ENOMSG') if ref $e;
    my $s = track(PolyIPC::Semaphore->new(undef, flags => IPC_CREX));
    $e = error_ok(sub { $s->acquire(timeout => 0.01) }, 'PolyIPC::BusyError', 'timeout');
    is($e->errno, EAGAIN, '... errno EAGAIN') if ref $e;
    $e = error_ok(sub { $s->acquire(bogus => 1) }, 'PolyIPC::WrongTypeError', 'argument error');
    is($e->errno, 0, '... errno 0 when no system call failed') if ref $e;
};

subtest 'the caller\'s file and line, whatever the path' => sub {
    my $s = track(PolyIPC::Semaphore->new(undef, flags => IPC_CREX));
    $s->remove;
    my %line;
    eval { $s->acquire(timeout => 1) }; $line{named} = __LINE__;
    is($@->line, $line{named}, 'a named-argument method');
    eval { $s->value }; $line{acc} = __LINE__;
    is($@->line, $line{acc}, 'an accessor');
    eval { $s->value(1) }; $line{count} = __LINE__;
    is($@->line, $line{count}, 'a wrong argument count');
    eval { $s->acquire(nope => 1) }; $line{unknown} = __LINE__;
    is($@->line, $line{unknown}, 'an unknown named argument');
    eval { $s->synchronize(sub { 1 }) }; $line{sync} = __LINE__;
    is($@->line, $line{sync}, 'synchronize (Perl code inside PolyIPC)');
    is($@->file, __FILE__, '... and the file');
    {
        package PolyIPCX;    # a user package whose name starts like ours
        sub poke { $_[0]->value }
    }
    eval { PolyIPCX::poke($s) }; 
    is($@->line, __LINE__ - 3, 'a user package named PolyIPCX is not mistaken for PolyIPC');

    my $inc = join ' ', map { "-I$_" } grep { !ref } @INC;
    my $err = `$^X $inc -e 'use PolyIPC; PolyIPC::MessageQueue->new(-99)' 2>&1`;
    like($err, qr/^msgget.* at -e line 1\.$/, 'an uncaught error prints its message with the caller\'s place');
};

subtest 'argument errors are objects too' => sub {
    my $s = track(PolyIPC::Semaphore->new(undef, flags => IPC_CREX, initial_value => 1));
    my $q = track(PolyIPC::MessageQueue->new(undef, flags => IPC_CREX));
    my $m = track(PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, size => 16));
    my $e = error_ok(sub { $s->acquire(timout => 1) }, 'PolyIPC::WrongTypeError', 'unknown named argument');
    like($e->message, qr/unknown named argument 'timout'.*timeout, delta/, '... naming it and the known ones')
        if ref $e;
    error_ok(sub { $s->acquire('timeout') }, 'PolyIPC::WrongTypeError', 'an odd name/value list');
    error_ok(sub { $s->acquire(timeout => 1, timeout => 2) }, 'PolyIPC::WrongTypeError', 'a name given twice');
    error_ok(sub { $s->acquire(undef, 1) }, 'PolyIPC::WrongTypeError', 'an undef name');
    error_ok(sub { $s->acquire([] => 1) }, 'PolyIPC::WrongTypeError', 'a reference as a name');
    error_ok(sub { PolyIPC::Semaphore->new }, 'PolyIPC::WrongTypeError', 'new without a key');
    error_ok(sub { $q->send }, 'PolyIPC::WrongTypeError', 'send without data');
    error_ok(sub { $s->value(1) }, 'PolyIPC::WrongTypeError', 'an accessor with an argument');
    error_ok(sub { $s->set_value }, 'PolyIPC::WrongTypeError', 'a setter without one');
    error_ok(sub { $s->set_value(1, 2) }, 'PolyIPC::WrongTypeError', 'a setter with two');
    error_ok(sub { $m->detach(1) }, 'PolyIPC::WrongTypeError', 'detach with an argument');
    error_ok(sub { PolyIPC::Semaphore::acquire($q) }, 'PolyIPC::WrongTypeError', 'the wrong class of invocant');
    error_ok(sub { PolyIPC::Semaphore->value }, 'PolyIPC::WrongTypeError', 'a class as the invocant');
    error_ok(sub { PolyIPC::Semaphore::remove(undef) }, 'PolyIPC::WrongTypeError', 'undef as the invocant');
    # a constructor called as a function with a class that is not its own (or a
    # subclass): refused before an object is made, which nothing could remove
    my $before = () = PolyIPC::list();
    for my $cls ('PolyIPC::MessageQueue', '42', '') {
        error_ok(sub { PolyIPC::Semaphore::new($cls, undef, flags => IPC_CREX) }, 'PolyIPC::WrongTypeError',
                 "PolyIPC::Semaphore::new('$cls', ...)");
    }
    is(scalar(() = PolyIPC::list()), $before, '... and no object was made');
    for my $call (['PolyIPC::Semaphore::acquire', sub { PolyIPC::Semaphore::acquire() }],
                  ['PolyIPC::SharedMemory::write', sub { PolyIPC::SharedMemory::write() }],
                  ['PolyIPC::Semaphore::new', sub { PolyIPC::Semaphore::new() }]) {
        my $e = error_ok($call->[1], 'PolyIPC::WrongTypeError', "$call->[0]() without an invocant");
        like("$e", qr/^\Q$call->[0]\E: called without its invocant \(a class or an object\)/, '... says so');
    }
    error_ok(sub { PolyIPC::Semaphore::value(bless {}, 'PolyIPC::Semaphore') }, 'PolyIPC::WrongTypeError',
             'a forged object');

    my %bad = ('abc' => 'PolyIPC::WrongTypeError', '1.5' => 'PolyIPC::WrongTypeError',
               '1e30' => 'PolyIPC::InvalidArgumentError', '-1e30' => 'PolyIPC::InvalidArgumentError',
               'inf' => 'PolyIPC::InvalidArgumentError', 'nan' => 'PolyIPC::InvalidArgumentError',
               '18446744073709551615' => 'PolyIPC::InvalidArgumentError');
    for my $v (sort keys %bad) {
        my $n = $v =~ /^(inf|nan)$/ ? 9**9**9 * ($v eq 'nan' ? 0 : 1) : $v;
        error_ok(sub { $s->release(delta => $n) }, $bad{$v}, "delta => $v");
    }
    error_ok(sub { $s->release(delta => undef) }, 'PolyIPC::WrongTypeError', 'delta => undef');
    error_ok(sub { $s->release(delta => []) }, 'PolyIPC::WrongTypeError', 'delta => []');
    error_ok(sub { $s->release(delta => {}) }, 'PolyIPC::WrongTypeError', 'delta => {}');
    error_ok(sub { $s->acquire(timeout => 'soon') }, 'PolyIPC::WrongTypeError', 'timeout => "soon"');
    error_ok(sub { $s->acquire(timeout => [1]) }, 'PolyIPC::WrongTypeError', 'timeout => [1]');
    error_ok(sub { $s->acquire(timeout => -1) }, 'PolyIPC::InvalidArgumentError', 'timeout => -1');
    error_ok(sub { PolyIPC::Semaphore->new('abc') }, 'PolyIPC::WrongTypeError', 'a non-numeric key');
    error_ok(sub { PolyIPC::Semaphore->new(1.5) }, 'PolyIPC::WrongTypeError', 'a fractional key');
    error_ok(sub { PolyIPC::Semaphore->new(undef, flags => IPC_CREX | 0x40000000) },
             'PolyIPC::InvalidArgumentError', 'unknown flag bits');
    is($s->value, 1, 'none of these changed anything');
    # a numeric string and a big-but-valid integer are fine
    $s->release(delta => '2');
    is($s->value, 3, 'a numeric string is a number');
};

done_testing();
