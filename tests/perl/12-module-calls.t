# The module functions are called as the methods are: each is SWIG's wrapper
# under its public name with its entry of the method table, so its
# positional and named forms, and every argument error (unknown name, odd
# list, a name given twice, a missing positional argument, one too many),
# come from the one fold in C, with the same class and message as a
# method's. list's kind and owner are read by their typemap (an owner may be
# a uid number); list, info and limits return Perl data.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::Bin/lib";
use PolyIPCTest;
use PolyIPC qw(:all);

# ---- exports ---------------------------------------------------------------
{
    package WithInspect;
    ::ok(eval 'use PolyIPC qw(:inspect); 1', 'the tag :inspect is exported') or ::diag($@);
    ::ok(defined &WithInspect::list && defined &WithInspect::info && defined &WithInspect::limits,
         '... with list, info and limits');
    package WithList;
    ::ok(eval 'use PolyIPC qw(list info limits); 1', 'list, info and limits are exported by name') or ::diag($@);
}

# ---- the forms users write -------------------------------------------------
my $s = track(PolyIPC::Semaphore->new(undef, flags => IPC_CREX, initial_value => 3));
my $q = track(PolyIPC::MessageQueue->new(undef, flags => IPC_CREX));
my $m = track(PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, size => 32));

my @mine = PolyIPC::list(key => $s->key);
is(scalar @mine, 1, 'list(key =>)');
is($mine[0]{id}, $s->id, '... is that semaphore');
is(ref $mine[0], 'HASH', '... as a hash reference');
is($mine[0]{last_alive}, 1, '... with booleans as 1/0');
my $all = () = PolyIPC::list();
is(scalar(PolyIPC::list()), $all, 'list in scalar context is the number of records');
is(scalar(my @one = PolyIPC::list(kind => 'msg', key => $q->key)), 1, 'list(kind =>, key =>)');
is(scalar(my @none = PolyIPC::list(kind => 'shm', key => $q->key)), 0, '... a filter that excludes it');
is(scalar(my @u = PolyIPC::list(owner => $<, key => $s->key)), 1, 'list(owner => $uid): a number');
is(scalar(my @us = PolyIPC::list(owner => "$<", key => $s->key)), 1, 'list(owner => "$uid"): a string');
is(scalar(my @n = PolyIPC::list(owner => scalar getpwuid($<), key => $s->key)), 1, 'list(owner => $name)');
is(scalar(my @o = PolyIPC::list(owner => 4242)), 0, 'list(owner => 4242): nobody here');
is(scalar(my @k = PolyIPC::list(kind => undef, owner => undef, key => undef)), $all, 'undef is no filter');

my $info = PolyIPC::info('sem', $s->id);
is($info->{semaphores}[0]{value}, 3, 'info($kind, $id) (positional)');
my @l = PolyIPC::limits();
is(scalar @l, 12, 'limits()');
is(scalar(PolyIPC::limits()), 12, 'limits in scalar context is the number of rows');

my $a1 = PolyIPC::attach($m->id);
is($a1->size, 32, 'attach($id)');
my $a2 = PolyIPC::attach($m->id, flags => SHM_RDONLY);
error_ok(sub { $a2->write('x') }, 'PolyIPC::ReadOnlyError', 'attach($id, flags => SHM_RDONLY)');
my $a3 = PolyIPC::attach($m->id, address => undef, flags => 0);
ok($a3->attached, 'attach($id, address => undef, flags => 0)');
$_->detach for $a1, $a2, $a3;

{
    my @warnings;
    local $SIG{__WARN__} = sub { push @warnings, @_ };
    my $key = PolyIPC::ftok($0, 3); my $line = __LINE__;
    is(scalar @warnings, 1, 'ftok($path, $id) warns');
    like($warnings[0], qr/^PolyIPC::ftok: Use of ftok\(\) is not recommended.* at \Q$0\E line $line\.$/,
         "... once, naming the caller's line");
    @warnings = ();
    is(PolyIPC::ftok($0, 3, silence_warning => 1), $key, 'ftok($path, $id, silence_warning => 1)');
    is(scalar @warnings, 0, '... does not warn');
    PolyIPC::ftok($0, 3, silence_warning => 0);
    is(scalar @warnings, 1, 'silence_warning => 0 warns');
    @warnings = ();
    error_ok(sub { PolyIPC::ftok('/no/such/path', 1) }, 'PolyIPC::SyscallError', 'a failing ftok');
    is(scalar @warnings, 0, '... does not warn');
}

my $gone = PolyIPC::Semaphore->new(undef, flags => IPC_CREX);
PolyIPC::remove_semaphore($gone->id);
error_ok(sub { $gone->value }, 'PolyIPC::ExistentialError', 'remove_semaphore($id)');

# ---- argument errors: the fold's, as for a method --------------------------
# [line, what, call, a method call with the same fault, message]: both die
# with a WrongTypeError whose message is "<function>: <fault> (named
# arguments: <names>)", the same fault text but for its names and numbers,
# naming the caller's line.
sub shape {
    my $msg = shift;
    $msg =~ s/^PolyIPC::[\w:]+: //;
    $msg =~ s/\(named arguments: [^)]*\)$/(named arguments: ...)/;
    $msg =~ s/'[^']*'/'...'/g;
    $msg =~ s/(\d+) positional arguments?/N positional argument(s)/;
    $msg =~ s/\d+/N/g;
    return $msg;
}
my @faults = (
    [__LINE__, 'an unknown name', sub { PolyIPC::list(bogus => 1) }, sub { $s->acquire(bogus => 1) },
     qr/^PolyIPC::list: unknown named argument 'bogus' \(named arguments: kind, owner, key\)$/],
    [__LINE__, 'an odd list', sub { PolyIPC::list('kind') }, sub { $s->acquire('timeout') },
     qr/^PolyIPC::list: named arguments must come in name => value pairs \(named arguments: kind, owner, key\)$/],
    [__LINE__, 'a name given twice', sub { PolyIPC::list(kind => 'sem', kind => 'shm') }, sub { $s->acquire(delta => 1, delta => 1) },
     qr/^PolyIPC::list: named argument given twice: 'kind' \(named arguments: kind, owner, key\)$/],
    [__LINE__, 'a name that is not a string', sub { PolyIPC::list(undef, 1) }, sub { $s->acquire(undef, 1) },
     qr/^PolyIPC::list: an argument name must be a string/],
    [__LINE__, 'a missing positional argument', sub { PolyIPC::info('sem') }, sub { $m->write },
     qr/^PolyIPC::info: expects 2 positional arguments before the named ones, got 1 \(named arguments: none\)$/],
    [__LINE__, 'no arguments', sub { PolyIPC::info() }, sub { $m->write },
     qr/^PolyIPC::info: expects 2 positional arguments before the named ones, got 0 \(named arguments: none\)$/],
    [__LINE__, 'one argument too many', sub { PolyIPC::info('sem', $s->id, 1) }, sub { $s->Z(1) },
     qr/^PolyIPC::info: named arguments must come in name => value pairs \(named arguments: none\)$/],
    [__LINE__, 'an argument to limits', sub { PolyIPC::limits(1) }, sub { $s->Z(1) },
     qr/^PolyIPC::limits: named arguments must come in name => value pairs \(named arguments: none\)$/],
    [__LINE__, 'a named argument to limits', sub { PolyIPC::limits(kind => 'sem') }, sub { $m->view(kind => 'sem') },
     qr/^PolyIPC::limits: unknown named argument 'kind' \(named arguments: none\)$/],
    [__LINE__, 'ftok without its id', sub { PolyIPC::ftok($0) }, sub { $m->write },
     qr/^PolyIPC::ftok: expects 2 positional arguments before the named ones, got 1 \(named arguments: silence_warning\)$/],
    [__LINE__, 'ftok with an unknown name', sub { PolyIPC::ftok($0, 1, quiet => 1) }, sub { $s->acquire(quiet => 1) },
     qr/^PolyIPC::ftok: unknown named argument 'quiet' \(named arguments: silence_warning\)$/],
    [__LINE__, 'ftok with silence_warning positional', sub { PolyIPC::ftok($0, 1, 1) }, sub { $s->acquire('timeout') },
     qr/^PolyIPC::ftok: named arguments must come in name => value pairs \(named arguments: silence_warning\)$/],
    [__LINE__, 'attach without its id', sub { PolyIPC::attach() }, sub { $m->write },
     qr/^PolyIPC::attach: expects 1 positional argument before the named ones, got 0 \(named arguments: address, flags\)$/],
    [__LINE__, 'attach with an unknown name', sub { PolyIPC::attach($m->id, bogus => 1) }, sub { $s->acquire(bogus => 1) },
     qr/^PolyIPC::attach: unknown named argument 'bogus' \(named arguments: address, flags\)$/],
    [__LINE__, 'remove_semaphore without its id', sub { PolyIPC::remove_semaphore() }, sub { $m->write },
     qr/^PolyIPC::remove_semaphore: expects 1 positional argument before the named ones, got 0 \(named arguments: none\)$/],
    [__LINE__, 'remove_message_queue with one too many', sub { PolyIPC::remove_message_queue($q->id, 1) }, sub { $s->Z(1) },
     qr/^PolyIPC::remove_message_queue: named arguments must come in name => value pairs \(named arguments: none\)$/],
);
for my $f (@faults) {
    my ($line, $what, $call, $method, $want) = @$f;
    my $e = error_ok($call, 'PolyIPC::WrongTypeError', "$what: WrongTypeError");
    my $me = error_ok($method, 'PolyIPC::WrongTypeError', "$what: the method's fault is one too");
    next unless ref $e && ref $me;
    like($e->message, $want, "$what: the message");
    is(shape($e->message), shape($me->message), "$what: the same message as the method's");
    is($e->line, $line, "$what: names the caller's line");
}
ok($q->id >= 0 && $s->value == 3, 'no failed call changed anything');

# ---- the values: kind and owner by their typemap ---------------------------
error_ok(sub { PolyIPC::list(kind => []) }, 'PolyIPC::WrongTypeError', 'list(kind => []): not a name');
error_ok(sub { PolyIPC::list(owner => {}) }, 'PolyIPC::WrongTypeError', 'list(owner => {}): not a name');
error_ok(sub { PolyIPC::info(\'sem', $s->id) }, 'PolyIPC::WrongTypeError', 'info(\\"sem", $id): not a name');
error_ok(sub { PolyIPC::list(kind => 'pipes') }, 'PolyIPC::InvalidArgumentError', 'list(kind => "pipes")');
error_ok(sub { PolyIPC::list(kind => 5) }, 'PolyIPC::InvalidArgumentError', 'list(kind => 5): the name "5"');
error_ok(sub { PolyIPC::list(owner => "root\0x") }, 'PolyIPC::InvalidArgumentError', 'an owner with a NUL byte');
error_ok(sub { PolyIPC::info('sem', 'one') }, 'PolyIPC::WrongTypeError', 'info($kind, "one")');
error_ok(sub { PolyIPC::info(undef, $s->id) }, 'PolyIPC::InvalidArgumentError', 'info(undef, $id)');
error_ok(sub { PolyIPC::list(key => 'k') }, 'PolyIPC::WrongTypeError', 'list(key => "k")');
{
    package Counted;
    require Tie::Scalar;
    our @ISA = ('Tie::StdScalar');
    our $fetches = 0;
    sub FETCH { $fetches++; ${ $_[0] } }
}
tie my $kind, 'Counted';
$kind = 'sem';
is(scalar(my @t = PolyIPC::list(kind => $kind, key => $s->key)), 1, 'a tied kind');
is($Counted::fetches, 1, '... is read once');

done_testing();
