# No bad input crashes the interpreter: the Perl runner of the no-crash table
# (tests/nocrash/cases.json; the schema is tests/nocrash/SCHEMA.md). The table
# is expanded exactly as the Python and Ruby runners do; every case runs in its
# own forked child, so a crash fails that case, and its outcome (a normal
# return, a PolyIPC error object of a kind, a plain die, or a call still
# waiting after 0.5 s) must be the one the table expects. Perl's own probes
# that the table cannot express (forged invocants, the tied-hash plumbing,
# views) follow, each required to end normally or die with an error object.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::Bin/lib";
use JSON::PP ();
use POSIX ();
use Scalar::Util qw(blessed);
use Time::HiRes ();
use PolyIPCTest;
use PolyIPC qw(:all);

my $LANG = 'perl';
my $TABLE = do {
    open my $fh, '<', "$FindBin::Bin/../nocrash/cases.json" or die "cases.json: $!";
    local $/;
    JSON::PP->new->decode(<$fh>);
};
my $BLOCK_USEC = 500_000;    # a call still waiting after this long is "blocked"

sub applies { my ($e) = @_; return !$e->{only} || grep { $_ eq $LANG } @{ $e->{only} } }

# ---- the expansion (the same algorithm in every runner) --------------------
# JSON objects keep their order only in the file, so every runner walks the
# keys of an object in sorted order... except that the table's order is not
# needed: cases are identified by id, and the count is compared per language.
sub expect_of {
    my ($kind, $value) = @_;
    for my $o (@{ $TABLE->{overrides} }) {
        return $o->{expect} if $o->{lang} eq $LANG && grep({ $_ eq $kind } @{ $o->{kinds} }) && grep { $_ eq $value } @{ $o->{values} };
    }
    my $exp = $TABLE->{kinds}{$kind}{expect};
    return exists $exp->{$value} ? $exp->{$value} : $exp->{'*'};
}

sub bad_values {
    my ($few) = @_;
    my @names = grep { applies($TABLE->{values}{$_}) } sort keys %{ $TABLE->{values} };
    return $few ? grep { my $n = $_; grep { $_ eq $n } @{ $TABLE->{few} } } @names : @names;
}

sub call_cases {
    my ($base, $slots, $positional, $few, $skip) = @_;
    my @out;
    for my $i (0 .. $#$slots) {
        my ($name, $kind) = @{ $slots->[$i] };
        for my $v (bad_values($few)) {
            next if grep { $_ eq $v } @{ $skip->{$name} || [] };
            my @args = map { ['good', $_->[0]] } @$slots;
            $args[$i] = ['bad', $v];
            push @out, { %$base, id => "$base->{id} $name=$v", args => \@args, positional => $positional,
                         expect => $few ? 'any' : expect_of($kind, $v) };
        }
    }
    if (@$slots && !$few) {
        my @good = map { ['good', $_->[0]] } @$slots;
        push @out, { %$base, id => "$base->{id} unknown keyword", args => \@good, positional => $positional,
                     extra_kw => 1, expect => 'error' };
        push @out, { %$base, id => "$base->{id} extra positional", args => \@good, positional => scalar @$slots,
                     extra_pos => 1, expect => 'error' };
    }
    return @out;
}

sub expand {
    my @cases;
    my %states = map { $_ => $TABLE->{states}{$_} } grep { applies($TABLE->{states}{$_}) } keys %{ $TABLE->{states} };
    for my $cls (sort keys %{ $TABLE->{objects} }) {
        my $obj = $TABLE->{objects}{$cls};
        my $skip = $obj->{skip_values} || {};
        my $ctor = $obj->{ctor};
        my $base = { id => "$cls()", op => 'ctor', cls => $cls, state => '', name => '', slots => $ctor };
        push @cases, { %$base, args => [map { ['good', $_->[0]] } @$ctor], positional => 1, expect => 'ok' };
        push @cases, call_cases($base, $ctor, 1, 0, $skip);
        for my $state (sort keys %states) {
            my $st = $states{$state};
            next if $st->{objects} && !grep { $_ eq $cls } @{ $st->{objects} };
            my $few = $state ne 'fresh';
            my $default = $st->{expect} // ($few ? 'any' : 'ok');
            for my $name (sort keys %{ $obj->{methods} }) {
                my $m = $obj->{methods}{$name};
                next unless applies($m);
                my $slots = $m->{slots};
                my $b = { id => "$cls.$name [$state]", op => 'call', cls => $cls, state => $state,
                          name => ($m->{names} || {})->{$LANG} // $name, slots => $slots, flatten => $m->{flatten} };
                push @cases, { %$b, args => [map { ['good', $_->[0]] } @$slots], positional => $m->{positional} || 0,
                               expect => $m->{$state} // $default };
                push @cases, call_cases($b, $slots, $m->{positional} || 0, $few, $skip);
            }
            for my $name (sort keys %{ $obj->{attributes} }) {
                my $a = $obj->{attributes}{$name};
                my $b = { id => "$cls.$name [$state]", cls => $cls, state => $state, name => $name,
                          slots => [], args => [], positional => 0 };
                push @cases, { %$b, id => "$b->{id} get", op => 'get', expect => $a->{$state} // $default };
                if ($a->{set}) {
                    my ($kind, $good) = @{ $a->{set} };
                    my $slot = [[$name, $kind, $good]];
                    push @cases, { %$b, id => "$b->{id} set good", op => 'set', slots => $slot,
                                   args => [['good', $name]], expect => $a->{$state} // $default };
                    push @cases, map { { %$b, id => "$b->{id} set $_", op => 'set', slots => $slot,
                                         args => [['bad', $_]], expect => $few ? 'any' : expect_of($kind, $_) } }
                                 bad_values($few);
                } else {
                    push @cases, { %$b, id => "$b->{id} set read-only", op => 'set', slots => [[$name, 'any', 1]],
                                   args => [['good', $name]], expect => 'read_only' };
                }
                push @cases, { %$b, id => "$b->{id} delete", op => 'del', expect => 'lang' }
                    if $TABLE->{deletable_attributes}{$LANG};
            }
        }
    }
    for my $name (sort keys %{ $TABLE->{functions} }) {
        my $f = $TABLE->{functions}{$name};
        my $slots = $f->{slots};
        my $base = { id => "$name()", op => 'func', cls => '', state => 'fresh', name => $name, slots => $slots };
        push @cases, { %$base, args => [map { ['good', $_->[0]] } @$slots], positional => $f->{positional} || 0,
                       expect => $f->{fresh} // 'ok' };
        push @cases, call_cases($base, $slots, $f->{positional} || 0, 0, $f->{skip_values} || {});
    }
    return @cases;
}

# ---- running one case (in the forked child) ---------------------------------
sub value {
    my ($spec, $env) = @_;
    return [map { value($_, $env) } @$spec] if ref $spec eq 'ARRAY';
    return $spec ? 1 : 0 if JSON::PP::is_bool($spec);    # Perl's true and false are 1 and 0
    return $spec unless ref $spec eq 'HASH';
    return pack('H*', $spec->{hex}) if exists $spec->{hex};
    if (exists $spec->{float}) {
        my $inf = 9**9**9;
        return { nan => $inf - $inf, inf => $inf, '-inf' => -$inf }->{ $spec->{float} };
    }
    return $spec->{negative} ? -(2**$spec->{pow2}) : 2**$spec->{pow2} if exists $spec->{pow2};
    return PolyIPC->can($spec->{const})->() if exists $spec->{const};
    return $env->{ $spec->{var} } if exists $spec->{var};
    my $o = $spec->{object} // '';
    return bless({}, 'NoCrash::Foo') if $o eq 'plain';
    return sub { 1 } if $o eq 'callable';
    return {} if $o eq 'hash';
    die "unknown value form\n";
}

sub make {
    my ($cls, $state) = @_;
    return bless {}, "PolyIPC::$cls" if $state eq 'uninitialised';    # no constructor ran
    my $new = $TABLE->{objects}{$cls}{new};
    my $obj = "PolyIPC::$cls"->new(@{ value($new->{args}, {}) }, %{ value_hash($new->{kwargs}) });
    $obj->${\$_->[0]}(value($_->[1], {}), type => $_->[2]) for @{ $new->{then} || [] };
    if ($state eq 'removed') {
        $obj->remove;
        $obj->detach if $cls eq 'SharedMemory';
    } elsif ($state eq 'detached') {
        $obj->detach;
    } elsif ($state eq 'destroyed') {
        $obj->remove;
        $obj->DESTROY;
    }
    return $obj;
}

sub value_hash { my ($h) = @_; return { map { $_ => value($h->{$_}, {}) } keys %$h } }

sub invoke {
    my ($c, $objs) = @_;
    kill 'SEGV', $$ if $c->{op} eq 'func' && $c->{name} eq 'kill';    # the runner's self-test
    my %env;
    if ($c->{op} eq 'func') {
        my $shm = PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, size => 64);
        push @$objs, $shm;
        $env{shm_id} = $shm->id;
    }
    my %good = map { $_->[0] => value($_->[2], \%env) } @{ $c->{slots} };
    my @vals = map { $_->[0] eq 'good' ? $good{ $_->[1] } : value($TABLE->{values}{ $_->[1] }{v}, \%env) } @{ $c->{args} };
    my @names = map { $_->[0] } @{ $c->{slots} };
    my $npos = $c->{positional};
    $npos = @vals if $npos > @vals;    # a constructor without arguments (LeakSnapshot)
    my @args = @vals[0 .. $npos - 1];
    my @kw = map { ($names[$_], $vals[$_]) } $npos .. $#vals;
    push @kw, no_such_argument => 1 if $c->{extra_kw};
    push @args, 1 if $c->{extra_pos};
    # a list argument the Perl API takes as the argument list itself (set_values)
    @args = map { ref $_ eq 'ARRAY' ? @$_ : $_ } @args if $c->{flatten} && $c->{flatten}{perl};
    my $op = $c->{op};
    if ($op eq 'ctor') {
        push @$objs, "PolyIPC::$c->{cls}"->new(@args, @kw);
        return;
    }
    if ($op eq 'func') {
        my @r = PolyIPC->can($c->{name})->(@args, @kw);
        push @$objs, grep { blessed($_) && $_->isa('PolyIPC::SharedMemory') } @r;
        return;
    }
    my $obj = make($c->{cls}, $c->{state});
    push @$objs, $obj;
    my $name = $c->{name};
    if ($op eq 'call') { my @r = $obj->$name(@args, @kw) }
    elsif ($op eq 'get') { my $r = $obj->$name() }
    elsif ($op eq 'set') { my $setter = "set_$name"; $obj->$setter($vals[0]) }
    return;
}

sub outcome {
    my ($e) = @_;
    return ref($e) =~ /^PolyIPC::(\w+Error)$/ ? $1 : 'bad:' . ref($e) if blessed($e) && $e->isa('PolyIPC::Error');
    return 'lang:die';
}

sub run_case {
    my ($c) = @_;
    my @objs;
    local $SIG{__WARN__} = sub { };
    local $SIG{ALRM} = sub { die "NoCrash::blocked\n" };    # a call still waiting (the cleanup runs)
    Time::HiRes::ualarm($BLOCK_USEC);
    my $ok = eval { invoke($c, \@objs); 1 };
    my $e = $@;
    Time::HiRes::ualarm(0);
    for my $o (@objs) { eval { $o->remove }; eval { $o->detach } }
    return ['ok', ''] if $ok;
    return ['blocked', ''] if !ref $e && $e eq "NoCrash::blocked\n";
    return [outcome($e), blessed($e) ? ref($e) . ': ' . $e->message : "die: $e"];
}

sub run_in_child {
    my ($c) = @_;
    pipe(my $r, my $w) or die "pipe: $!";
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        close $r;
        open STDERR, '>', '/dev/null' if $c->{id} =~ /^selftest/;
        my $res = eval { run_case($c) } // ['bad:runner', "$@"];
        print {$w} JSON::PP->new->encode($res);
        close $w;
        POSIX::_exit(0);
    }
    close $w;
    my $data = do { local $/; <$r> } // '';
    close $r;
    waitpid($pid, 0);
    if (my $sig = $? & 127) {
        return ["crash:signal $sig", ''];
    }
    return $data eq '' ? ['bad:no result', ''] : JSON::PP->new->decode($data);
}

# Perl's contract is stricter than "any error": a bad input ends normally or
# dies with a PolyIPC::Error object, never a plain string (except a setter that
# does not exist: read_only).
sub matches {
    my ($expect, $outcome, $message) = @_;
    return 0 if $outcome =~ /^(bad:|crash)/;
    return 0 if $outcome =~ /Error$/ && $message !~ /: \S/;    # an error without a message
    return 1 if $expect eq 'any' && $outcome ne 'lang:die';
    return 0 if $outcome eq 'blocked' || $expect eq 'any';
    return $outcome eq 'ok' if $expect eq 'ok';
    return $outcome ne 'ok' && $outcome ne 'lang:die' if $expect eq 'error';
    return $outcome eq 'lang:die' if $expect eq 'lang';
    return $outcome eq 'lang:die' && $message =~ /Can't locate object method "set_/ if $expect eq 'read_only';
    return $outcome eq $expect;
}

my @CASES = expand();

# The runner's self-test: a crash and a wrong outcome are reported.
{
    my $crash = { id => 'selftest crash', op => 'func', cls => '', state => 'fresh', name => 'kill',
                  slots => [], args => [], positional => 0, expect => 'any' };
    my $r = run_in_child($crash);
    like($r->[0], qr/^crash:signal 11$/, 'selftest: a SIGSEGV in a case is seen as a crash');
    ok(!matches('any', @$r), 'selftest: ... and fails the case');
    my $wrong = { %{ $CASES[0] }, id => 'selftest wrong', expect => 'WrongTypeError' };    # a good constructor
    ok(!matches($wrong->{expect}, @{ run_in_child($wrong) }), 'selftest: a wrong outcome fails the case');
}

for my $c (@CASES) {
    my ($outcome, $message) = @{ run_in_child($c) };
    ok(matches($c->{expect}, $outcome, $message), "table: $c->{id}")
        or diag("  expected $c->{expect}, got $outcome $message");
}

# ---- Perl-only probes: each ends normally or dies with an error object ------
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
# The hot methods (acquire/P, release/V, value, read, write, send, receive)
# read a live invocant with pipc_pl_self (perl/binding.swg): every other kind
# of invocant must reach SWIG's checks unharmed.
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
            case("invocant check $cls->$m($arg) on $bad", "$call($bad$args)");
        }
        case("invocant check $cls->$m($arg) after remove", "$GONE{$cls}->$m($arg)");
        case("invocant check $cls->$m($arg) after DESTROY",
             "my \$o = PolyIPC::${cls}->new(undef, flags => IPC_CREX" . ($cls eq 'SharedMemory' ? ', size => 8' : '')
             . "); \$o->remove; \$o->DESTROY; \$o->$m($arg)");
        case("invocant check $cls->$m($arg) on a subclass object",
             "my \$o = My::Sub::${cls}->new(undef, flags => IPC_CREX" . ($cls eq 'SharedMemory' ? ', size => 8' : '')
             . ($cls eq 'Semaphore' ? ', initial_value => 1' : '') . "); "
             . ($m eq 'receive' ? "\$o->send('x'); " : '') . "\$o->$m($arg); \$o->remove");
    }
}
case('write of a wide string', '$main::M->write($main::WIDE)');
case('read of a huge count', '$main::M->read(2**62)');

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
# the module functions: the method table's entries, the inspector's results
case('list with a huge argument list', 'PolyIPC::list((kind => "sem") x 50000)');
case('list with a tied name and value', 'require Tie::Scalar; tie my $k, "Tie::StdScalar"; $k = "kind"; '
     . 'tie my $v, "Tie::StdScalar"; $v = "sem"; my @l = PolyIPC::list($k => $v)');
case('list in void, scalar and list context', 'PolyIPC::list(); my $n = PolyIPC::list(); my @l = PolyIPC::limits()');
case('info with an id past int32', 'PolyIPC::info("sem", 2**40)');
case('raw inspector wrappers with odd arguments', 'PolyIPCc::_inspect_info(); PolyIPCc::_inspect_list(1, 2, 3, 4)');
case('ftok with a huge id and a tied path', 'require Tie::Scalar; tie my $p, "Tie::StdScalar"; $p = "/"; '
     . 'PolyIPC::ftok($p, 2**62, silence_warning => 1)');
case('error class methods', 'PolyIPC::Error->message; PolyIPC::BusyError->errno; "" . bless({}, "PolyIPC::Error")', 'any');


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

done_testing;
