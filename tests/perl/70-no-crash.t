# No bad input crashes the interpreter: each case runs in a forked child, so
# a segfault fails that case instead of killing the run. Every case must end
# normally or die with a PolyIPC::Error object (never a plain string).
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::Bin/lib";
use PolyIPCTest;
use PolyIPC qw(:all);

# Fixtures shared (by fork) with every child; removed by the parent at exit.
our $S = track(PolyIPC::Semaphore->new(undef, flags => IPC_CREX, initial_value => 1));
our $Q = track(PolyIPC::MessageQueue->new(undef, flags => IPC_CREX));
our $M = track(PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, size => 64));
our $GONE_S = PolyIPC::Semaphore->new(undef, flags => IPC_CREX); $GONE_S->remove;
our $GONE_Q = PolyIPC::MessageQueue->new(undef, flags => IPC_CREX); $GONE_Q->remove;
our $GONE_M = PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, size => 64); $GONE_M->remove; $GONE_M->detach;
our $SET = track(PolyIPC::SemaphoreSet->new(undef, nsems => 2, flags => IPC_CREX, initial_value => 1));
our $GONE_SET = PolyIPC::SemaphoreSet->new(undef, nsems => 2, flags => IPC_CREX); $GONE_SET->remove;
our $INF = 9**9**9;
our $NAN = $INF - $INF;
our $BIG = 2**64;
our $WIDE = "\x{263a}";
our @BAD = ('abc', 1.5, $BIG, -$BIG, $INF, $NAN, [], sub {}, undef, -1, 2**63, "1\0", $WIDE);

my @cases;
sub case { push @cases, [@_] }

# every integer-taking argument with every bad value
for my $i (0 .. $#BAD) {
    my $v = "\$main::BAD[$i]";
    case("Semaphore->new(bad key $i)", "PolyIPC::Semaphore->new($v)");
    case("Semaphore->new(flags $i)", "PolyIPC::Semaphore->new(undef, flags => $v)");
    case("Semaphore->new(mode $i)", "PolyIPC::Semaphore->new(undef, flags => IPC_CREX, mode => $v)->remove");
    case("Semaphore->new(initial_value $i)", "PolyIPC::Semaphore->new(undef, flags => IPC_CREX, initial_value => $v)->remove");
    case("acquire(delta $i)", "\$main::S->set_block(0); \$main::S->acquire(delta => $v)");
    case("acquire(timeout $i)", "\$main::S->set_block(0); \$main::S->acquire(timeout => $v)");
    case("release(delta $i)", "\$main::S->release(delta => $v)");
    case("Z(timeout $i)", "\$main::S->set_block(0); \$main::S->Z(timeout => $v)");
    case("set_value($i)", "\$main::S->set_value($v)");
    case("set_mode($i)", "\$main::S->set_mode($v)");
    case("set_uid($i)", "\$main::S->set_uid($v)");
    case("set_block($i)", "\$main::S->set_block($v)");
    case("SharedMemory->new(size $i)", "PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, size => $v)->remove");
    case("SharedMemory->new(init_character $i)", "PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, size => 8, init_character => $v)->remove");
    case("read(byte_count $i)", "\$main::M->read($v)");
    case("read(offset $i)", "\$main::M->read(1, offset => $v)");
    case("write(data $i)", "\$main::M->write($v)");
    case("write(offset $i)", "\$main::M->write('x', offset => $v)");
    case("attach(flags $i)", "\$main::M->attach(flags => $v)");
    case("attach(address $i)", "\$main::M->attach(address => $v)");
    case("set_mode shm($i)", "\$main::M->set_mode($v)");
    case("MessageQueue->new(max_message_size $i)", "PolyIPC::MessageQueue->new(undef, flags => IPC_CREX, max_message_size => $v)->remove");
    case("send(data $i)", "\$main::Q->send($v, block => 0)");
    case("send(type $i)", "\$main::Q->send('x', type => $v, block => 0)");
    case("receive(type $i)", "\$main::Q->receive(type => $v, block => 0)");
    case("receive(flags $i)", "\$main::Q->receive(flags => $v, block => 0)");
    case("set_max_size($i)", "\$main::Q->set_max_size($v)");
    case("attach($i)", "PolyIPC::attach($v)");
    case("attach(address $i)", "PolyIPC::attach(\$main::M->id, address => $v)");
    case("ftok(path $i)", "PolyIPC::ftok($v, 1, silence_warning => 1)");
    case("ftok(id $i)", "PolyIPC::ftok('/', $v, silence_warning => 1)");
    case("remove_semaphore($i)", "PolyIPC::remove_semaphore($v)");
    case("remove_shared_memory($i)", "PolyIPC::remove_shared_memory($v)");
    case("remove_message_queue($i)", "PolyIPC::remove_message_queue($v)");
    case("synchronize($i)", "\$main::S->set_block(0); \$main::S->synchronize($v)");
    case("name $i", "\$main::S->acquire($v => 1)");
    case("SemaphoreSet->new(nsems $i)", "PolyIPC::SemaphoreSet->new(undef, flags => IPC_CREX, nsems => $v)->remove");
    case("op(ops $i)", "\$main::SET->op($v, timeout => 0)");
    case("op([op $i])", "\$main::SET->op([$v], timeout => 0)");
    case("op([[index $i, 1]])", "\$main::SET->op([[$v, 1]], timeout => 0)");
    case("op([[0, delta $i]])", "\$main::SET->op([[0, $v]], timeout => 0)");
    case("op([[0, 1, flags $i]])", "\$main::SET->op([[0, 1, $v]], timeout => 0)");
    case("op(timeout $i)", "\$main::SET->op([[0, 0, IPC_NOWAIT]], timeout => $v)");
    case("set value($i)", "\$main::SET->value($v)");
    case("set set_value($i)", "\$main::SET->set_value(0, $v)");
    case("set_values($i)", "\$main::SET->set_values($v, $v)");
    case("last_pid($i)", "\$main::SET->last_pid($v)");
}

# use after remove / detach / DESTROY
for my $m (qw(acquire release Z remove value set_value mode uid gid cuid cgid o_time last_pid
              waiting_for_nonzero waiting_for_zero key id block undo)) {
    my $arg = $m =~ /^set_/ ? '1' : '';
    case("removed semaphore: $m", "\$main::GONE_S->$m($arg)");
    case("destroyed semaphore: $m", "my \$s = PolyIPC::Semaphore->new(undef, flags => IPC_CREX); \$s->remove; \$s->DESTROY; \$s->$m($arg)");
    case("undef invocant: Semaphore::$m", "PolyIPC::Semaphore::$m(undef)");
    case("class invocant: Semaphore::$m", "PolyIPC::Semaphore->$m($arg)");
    case("wrong class: Semaphore::$m", "PolyIPC::Semaphore::$m(\$main::Q)");
    case("forged hash: Semaphore::$m", "PolyIPC::Semaphore::$m(bless {}, 'PolyIPC::Semaphore')");
}
for my $m (qw(read write view attach detach remove mode uid gid size attached address cuid cgid
              last_attach_time last_detach_time last_change_time creator_pid last_pid number_attached)) {
    my $arg = $m eq 'write' ? "'x'" : '';
    case("removed+detached segment: $m", "\$main::GONE_M->$m($arg)");
    case("destroyed segment: $m", "my \$m = PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, size => 8); \$m->remove; \$m->DESTROY; \$m->$m($arg)");
    case("undef invocant: SharedMemory::$m", "PolyIPC::SharedMemory::$m(undef)");
    case("wrong class: SharedMemory::$m", "PolyIPC::SharedMemory::$m(\$main::S)");
}
for my $m (qw(send receive remove current_messages max_size mode uid gid cuid cgid last_send_time
              last_receive_time last_change_time last_send_pid last_receive_pid key id max_message_size)) {
    my $arg = $m eq 'send' ? "'x', block => 0" : $m eq 'receive' ? 'block => 0' : '';
    case("removed queue: $m", "\$main::GONE_Q->$m($arg)");
    case("destroyed queue: $m", "my \$q = PolyIPC::MessageQueue->new(undef, flags => IPC_CREX); \$q->remove; \$q->DESTROY; \$q->$m($arg)");
    case("undef invocant: MessageQueue::$m", "PolyIPC::MessageQueue::$m(undef)");
}

for my $m (qw(op value set_value values set_values last_pid waiting_for_nonzero waiting_for_zero remove
              mode uid gid cuid cgid o_time key id nsems)) {
    my $arg = $m eq 'op' ? '[[0, 1]]' : $m eq 'set_value' ? '0, 1' : $m eq 'set_values' ? '1, 1'
            : $m =~ /^(value|last_pid|waiting_)/ ? '0' : '';
    case("removed set: $m", "\$main::GONE_SET->$m($arg)");
    case("destroyed set: $m", "my \$s = PolyIPC::SemaphoreSet->new(undef, flags => IPC_CREX); \$s->remove; \$s->DESTROY; \$s->$m($arg)");
    case("undef invocant: SemaphoreSet::$m", "PolyIPC::SemaphoreSet::$m(undef)");
    case("wrong class: SemaphoreSet::$m", "PolyIPC::SemaphoreSet::$m(\$main::S, $arg)");
}
# The one-frame fast paths (acquire/P, release/V, value, read, write, send,
# receive called with exactly their positional arguments) read the invocant
# themselves: every other kind of invocant must reach SWIG's checks unharmed.
{
    package My::Tie;   # a hash tied to a forged "tie object" of the SWIG class
    sub TIEHASH { my ($c, $v, $cls) = @_; bless \$v, $cls }
    package My::Magic; # a tied scalar inside the forged tie object
    sub TIESCALAR { my $v = $_[1]; bless \$v } sub FETCH { ${$_[0]} }
    package My::Sub::Semaphore;    our @ISA = ('PolyIPC::Semaphore');
    package My::Sub::SharedMemory; our @ISA = ('PolyIPC::SharedMemory');
    package My::Sub::MessageQueue; our @ISA = ('PolyIPC::MessageQueue');
}
our %FAST = (Semaphore => [[acquire => ''], [P => ''], [release => ''], [V => ''], [value => '']],
             SharedMemory => [[read => ''], [read => '1'], [write => "'x'"]],
             MessageQueue => [[send => "'x'"], [receive => '']]);
our %OTHER = (Semaphore => '$main::Q', SharedMemory => '$main::S', MessageQueue => '$main::M');
our %GONE = (Semaphore => '$main::GONE_S', SharedMemory => '$main::GONE_M', MessageQueue => '$main::GONE_Q');
for my $cls (sort keys %FAST) {
    for my $f (@{ $FAST{$cls} }) {
        my ($m, $arg) = @$f;
        my $args = length $arg ? ", $arg" : '';
        my $call = "PolyIPC::${cls}::$m";
        for my $bad ('{}', '[]', 'sub {}', '\\1', '\\"abc"', '\\*STDOUT', '"PolyIPC::Semaphore"', '42',
                     'bless({}, "Foo")', 'bless([], "Foo")', 'bless(sub {}, "Foo")', 'bless(\\(my $x = 1), "Foo")',
                     "bless({}, 'PolyIPC::$cls')", "bless([], 'PolyIPC::$cls')", "bless(sub {}, 'PolyIPC::$cls')",
                     "bless(\\(my \$x = 'abc'), 'PolyIPC::$cls')", "bless(\\(my \$x), 'PolyIPC::$cls')",
                     "do { tie my %h, 'My::Tie', 'abc', 'PolyIPC::$cls'; bless \\%h, 'PolyIPC::$cls' }",
                     "do { tie my %h, 'My::Tie', undef, 'PolyIPC::$cls'; bless \\%h, 'Foo' }",
                     "do { tie my %h, 'My::Tie', 0, 'PolyIPC::$cls'; bless \\%h, 'PolyIPC::$cls' }",
                     "do { tie my %h, 'My::Tie', 1, 'Foo'; bless \\%h, 'PolyIPC::$cls' }",
                     "do { tie my %h, 'My::Tie', 0, 'PolyIPC::$cls'; tie \${tied %h}, 'My::Magic', 0; bless \\%h, 'PolyIPC::$cls' }",
                     "do { my \$o = $OTHER{$cls}; bless \$o, 'PolyIPC::$cls' }",
                     $OTHER{$cls}, 'undef') {
            case("fast path $cls->$m($arg) on $bad", "$call($bad$args)");
        }
        case("fast path $cls->$m($arg) after remove", "$GONE{$cls}->$m($arg)");
        case("fast path $cls->$m($arg) after DESTROY",
             "my \$o = PolyIPC::${cls}->new(undef, flags => IPC_CREX" . ($cls eq 'SharedMemory' ? ', size => 8' : '')
             . "); \$o->remove; \$o->DESTROY; \$o->$m($arg)");
        case("fast path $cls->$m($arg) on a subclass object",
             "my \$o = My::Sub::${cls}->new(undef, flags => IPC_CREX" . ($cls eq 'SharedMemory' ? ', size => 8' : '')
             . ($cls eq 'Semaphore' ? ', initial_value => 1' : '') . "); "
             . ($m eq 'receive' ? "\$o->send('x'); " : '') . "\$o->$m($arg); \$o->remove");
    }
}
case('fast path write of a wide string', '$main::M->write($main::WIDE)');
case('fast path read of a huge count', '$main::M->read(2**62)');

case('op with a huge list', '$main::SET->op([([0, 0, IPC_NOWAIT]) x 100000], timeout => 0)');
case('op with an empty list', '$main::SET->op([], timeout => 0)');

# the tied-hash plumbing and other odd calls
case('delete an attribute', 'delete $main::S->{value}');
case('store a read-only attribute', '$main::S->{key} = 1');
case('store an unknown attribute', '$main::S->{nope} = 1');
case('fetch an unknown attribute', 'my $x = $main::M->{nope}');
case('clear the hash', '%$main::Q = ()');
case('double DESTROY', 'my $s = PolyIPC::Semaphore->new(undef, flags => IPC_CREX); $s->remove; $s->DESTROY; $s->DESTROY');
case('raw wrapper with a placeholder-free short list', 'PolyIPCc::Semaphore__acquire($main::S, undef, 0)');
case('raw constructor without arguments', 'PolyIPCc::new_Semaphore()');
case('a huge message', '$main::Q->send("x" x (1 << 24), block => 0)');
case('read a huge count', '$main::M->read(2**62)');
case('write at offset == size', '$main::M->write("", offset => 64)');
case('view then detach then read', 'my $v = $main::M->view; $main::M->detach; my $x = $$v; $main::M->attach');
case('tie a scalar to the view', 'my $v = $main::M->view; tie $$v, "Tie::StdScalar"', 'any');
case('write into a view', 'my $v = $main::M->view; $$v = "x"', 'any');
case('error class methods', 'PolyIPC::Error->message; PolyIPC::BusyError->errno; "" . bless({}, "PolyIPC::Error")', 'any');

plan tests => 2 * @cases;

for my $c (@cases) {
    my ($name, $code, $expect) = @$c;
    $expect //= 'object';
    my $r = in_child(sub {
        my $report = shift;
        local $SIG{__WARN__} = sub { };
        my $ok = eval "package main; no strict; $code; 1";
        my $e = $@;
        $report->($ok ? 'ok' : ref $e && eval { $e->isa('PolyIPC::Error') } ? 'object: ' . ref $e
                                                                            : "plain: $e");
        0;
    }, 20);
    is($r->{signal}, 0, "$name: no crash") or diag("killed by signal $r->{signal}");
    if ($expect eq 'object') {
        like($r->{out}, qr/^(ok|object: PolyIPC::\w+)$/, "$name: returns or dies with an error object")
            or diag("child said: $r->{out}");
    } else {
        ok($r->{exit} == 0 || $r->{out} ne '', "$name: ends normally") or diag("child said: $r->{out}");
    }
}
