#!/usr/bin/perl
# The Perl side of polyipc's benchmark suite.
#
#   perl bench.pl IMPL WORKLOAD COUNT [WARMUP]
#
# IMPL is "builtin" (perl's core semop/semctl/msgsnd/msgrcv/shmread/shmwrite),
# "ipcsysv" (IPC::SysV's IPC::Semaphore, IPC::Msg and IPC::SharedMem, the
# latter attached so it uses memread/memwrite), "polyipc" (positional calls:
# $q->send($data), $m->write($data)) or "polyipc_named" (the same with the
# named arguments users write: type =>, offset =>). Creates private
# objects, runs WARMUP operations (default COUNT/10, at least 10), times COUNT operations with CLOCK_MONOTONIC, checks
# the data, removes what it created and prints "RESULT <ns per op>". A wrong
# datum exits with status 1.
use strict;
use warnings;
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);
use IPC::SysV qw(IPC_PRIVATE IPC_CREAT IPC_EXCL IPC_RMID GETVAL SETVAL S_IRUSR S_IWUSR);
use POSIX ();

my ($IMPL, $WORKLOAD, $COUNT, $WARMUP) = @ARGV;
die "usage: $0 builtin|ipcsysv|polyipc|polyipc_named WORKLOAD COUNT [WARMUP]\n" unless defined $COUNT && $COUNT >= 1;
$WARMUP //= int($COUNT / 10) > 10 ? int($COUNT / 10) : 10;
my $MSG_CAP = 4096;
my $CREX = IPC_CREAT | IPC_EXCL | 0600;

sub fail { print STDERR "bench perl/$IMPL $WORKLOAD: check failed: $_[0]\n"; exit 1 }
sub payload { my $n = shift; pack("C*", map { (7 * $_ + 3) & 0xFF } 0 .. $n - 1) }

# Runs $step->(warm-up), then times $step->($COUNT); ns per op.
sub timed {
    my $step = shift;
    $step->($WARMUP);
    my $t0 = clock_gettime(CLOCK_MONOTONIC);
    $step->($COUNT);
    return (clock_gettime(CLOCK_MONOTONIC) - $t0) * 1e9 / $COUNT;
}
sub wait_child {
    waitpid($_[0], 0);
    fail("child exit status $?") if $?;
}
# Runs $body in a forked child, which exits 0 after it, 2 if it dies.
sub child {
    my $body = shift;
    my $pid = fork() // die "fork: $!";
    return $pid if $pid;
    my $ok = eval { $body->(); 1 };
    print STDERR "child: $@" unless $ok;
    POSIX::_exit($ok ? 0 : 2);
}

my %run;

# ---------------- perl's core builtins ----------------
{
    my $N = 'l!';    # the native long that starts a struct msgbuf
    my $down = pack("s!3", 0, -1, 0);
    my $up   = pack("s!3", 0, 1, 0);
    my $sem = sub { my $id = semget(IPC_PRIVATE, 1, $CREX) // die "semget: $!";
                    semctl($id, 0, SETVAL, $_[0]) or die "semctl: $!"; $id };
    $run{builtin} = {
        sem_value => sub {
            my $id = $sem->(7);
            my $ns = timed(sub { my $v; $v = semctl($id, 0, GETVAL, 0) for 1 .. $_[0]; fail("value $v") unless $v == 7 });
            semctl($id, 0, IPC_RMID, 0);
            $ns;
        },
        sem_acquire_release => sub {
            my $id = $sem->(1);
            my $ns = timed(sub { for (1 .. $_[0]) { semop($id, $down) or die "semop: $!"; semop($id, $up) or die "semop: $!" } });
            fail("value back to 1") unless semctl($id, 0, GETVAL, 0) == 1;
            semctl($id, 0, IPC_RMID, 0);
            $ns;
        },
        msg => sub {
            my $data = payload($_[0]);
            my $id = msgget(IPC_PRIVATE, $CREX) // die "msgget: $!";
            my ($got, $type);
            my $ns = timed(sub {
                my $buf;
                for (1 .. $_[0]) {
                    msgsnd($id, pack("$N a*", 1, $data), 0) or die "msgsnd: $!";
                    msgrcv($id, $buf, $MSG_CAP, 0, 0) or die "msgrcv: $!";
                    ($type, $got) = unpack("$N a*", $buf);
                }
            });
            fail("message round trip") unless $got eq $data && $type == 1;
            msgctl($id, IPC_RMID, 0);
            $ns;
        },
        msg_pingpong => sub {
            my $data = payload(64);
            my $id = msgget(IPC_PRIVATE, $CREX) // die "msgget: $!";
            my $pid = child(sub {
                my $buf;
                for (1 .. $WARMUP + $COUNT) {
                    msgrcv($id, $buf, $MSG_CAP, 1, 0) or die "msgrcv: $!";
                    my (undef, $m) = unpack("$N a*", $buf);
                    msgsnd($id, pack("$N a*", 2, $m), 0) or die "msgsnd: $!";
                }
            });
            my ($got, $type);
            my $ns = timed(sub {
                my $buf;
                for (1 .. $_[0]) {
                    msgsnd($id, pack("$N a*", 1, $data), 0) or die "msgsnd: $!";
                    msgrcv($id, $buf, $MSG_CAP, 2, 0) or die "msgrcv: $!";
                    ($type, $got) = unpack("$N a*", $buf);
                }
            });
            wait_child($pid);
            fail("echoed message") unless $got eq $data && $type == 2;
            msgctl($id, IPC_RMID, 0);
            $ns;
        },
        sem_handoff => sub {
            my ($a, $b) = ($sem->(0), $sem->(0));
            my $pid = child(sub {
                for (1 .. $WARMUP + $COUNT) { semop($a, $down) or die "semop: $!"; semop($b, $up) or die "semop: $!" }
            });
            my $ns = timed(sub { for (1 .. $_[0]) { semop($a, $up) or die "semop: $!"; semop($b, $down) or die "semop: $!" } });
            wait_child($pid);
            fail("values back to 0") unless semctl($a, 0, GETVAL, 0) == 0 && semctl($b, 0, GETVAL, 0) == 0;
            semctl($_, 0, IPC_RMID, 0) for $a, $b;
            $ns;
        },
        shm => sub {
            my $size = shift;
            my $data = payload($size);
            my $id = shmget(IPC_PRIVATE, $size, $CREX) // die "shmget: $!";
            my $got;
            my $ns = timed(sub {
                for (1 .. $_[0]) {
                    shmwrite($id, $data, 0, $size) or die "shmwrite: $!";
                    shmread($id, $got, 0, $size) or die "shmread: $!";
                }
            });
            fail("read back what was written") unless $got eq $data;
            shmctl($id, IPC_RMID, 0);
            $ns;
        },
    };
}

# ---------------- IPC::SysV's object classes ----------------
{
    require IPC::Semaphore;
    require IPC::Msg;
    require IPC::SharedMem;
    my $sem = sub { my $s = IPC::Semaphore->new(IPC_PRIVATE, 1, $CREX) // die "semget: $!";
                    $s->setval(0, $_[0]) or die "setval: $!"; $s };
    $run{ipcsysv} = {
        sem_value => sub {
            my $s = $sem->(7);
            my $ns = timed(sub { my $v; $v = $s->getval(0) for 1 .. $_[0]; fail("value $v") unless $v == 7 });
            $s->remove;
            $ns;
        },
        sem_acquire_release => sub {
            my $s = $sem->(1);
            my $ns = timed(sub { for (1 .. $_[0]) { $s->op(0, -1, 0) or die "op: $!"; $s->op(0, 1, 0) or die "op: $!" } });
            fail("value back to 1") unless $s->getval(0) == 1;
            $s->remove;
            $ns;
        },
        msg => sub {
            my $data = payload($_[0]);
            my $q = IPC::Msg->new(IPC_PRIVATE, $CREX) // die "msgget: $!";
            my ($got, $type);
            my $ns = timed(sub {
                for (1 .. $_[0]) {
                    $q->snd(1, $data, 0) or die "snd: $!";
                    $type = $q->rcv($got, $MSG_CAP, 0, 0) // die "rcv: $!";
                }
            });
            fail("message round trip") unless $got eq $data && $type == 1;
            $q->remove;
            $ns;
        },
        msg_pingpong => sub {
            my $data = payload(64);
            my $q = IPC::Msg->new(IPC_PRIVATE, $CREX) // die "msgget: $!";
            my $pid = child(sub {
                my $m;
                for (1 .. $WARMUP + $COUNT) {
                    $q->rcv($m, $MSG_CAP, 1, 0) // die "rcv: $!";
                    $q->snd(2, $m, 0) or die "snd: $!";
                }
            });
            my ($got, $type);
            my $ns = timed(sub {
                for (1 .. $_[0]) {
                    $q->snd(1, $data, 0) or die "snd: $!";
                    $type = $q->rcv($got, $MSG_CAP, 2, 0) // die "rcv: $!";
                }
            });
            wait_child($pid);
            fail("echoed message") unless $got eq $data && $type == 2;
            $q->remove;
            $ns;
        },
        sem_handoff => sub {
            my ($a, $b) = ($sem->(0), $sem->(0));
            my $pid = child(sub {
                for (1 .. $WARMUP + $COUNT) { $a->op(0, -1, 0) or die "op: $!"; $b->op(0, 1, 0) or die "op: $!" }
            });
            my $ns = timed(sub { for (1 .. $_[0]) { $a->op(0, 1, 0) or die "op: $!"; $b->op(0, -1, 0) or die "op: $!" } });
            wait_child($pid);
            fail("values back to 0") unless $a->getval(0) == 0 && $b->getval(0) == 0;
            $_->remove for $a, $b;
            $ns;
        },
        shm => sub {
            my $size = shift;
            my $data = payload($size);
            my $m = IPC::SharedMem->new(IPC_PRIVATE, $size, $CREX) // die "shmget: $!";
            $m->attach or die "attach: $!";
            my $got;
            my $ns = timed(sub {
                for (1 .. $_[0]) {
                    $m->write($data, 0, $size) or die "write: $!";
                    $got = $m->read(0, $size) // die "read: $!";
                }
            });
            fail("read back what was written") unless $got eq $data;
            $m->detach;
            $m->remove;
            $ns;
        },
    };
}

# ---------------- polyipc ----------------
# Written against PolyIPC's Perl API (docs/perl.md: key first, named arguments, accessor
# methods, receive returning ($data, $type) in list context).
if ($IMPL eq 'polyipc' || $IMPL eq 'polyipc_named') {
    my $named = $IMPL eq 'polyipc_named';
    require PolyIPC;
    my $X = PolyIPC::IPC_CREX();
    my $P = PolyIPC::IPC_PRIVATE();
    my $sem = sub { PolyIPC::Semaphore->new($P, flags => $X, initial_value => $_[0]) };
    $run{$IMPL} = {
        sem_value => sub {
            my $s = $sem->(7);
            my $ns = timed(sub { my $v; $v = $s->value for 1 .. $_[0]; fail("value $v") unless $v == 7 });
            $s->remove;
            $ns;
        },
        sem_acquire_release => sub {
            my $s = $sem->(1);
            my $ns = timed(sub { for (1 .. $_[0]) { $s->acquire; $s->release } });
            fail("value back to 1") unless $s->value == 1;
            $s->remove;
            $ns;
        },
        msg => sub {
            my $data = payload($_[0]);
            my $q = PolyIPC::MessageQueue->new($P, flags => $X, max_message_size => $MSG_CAP);
            my ($got, $type);
            my $ns = timed(sub {
                if ($named) {
                    for (1 .. $_[0]) {
                        $q->send($data, type => 1);
                        ($got, $type) = $q->receive(type => 0);
                    }
                } else {
                    for (1 .. $_[0]) {
                        $q->send($data);
                        ($got, $type) = $q->receive;
                    }
                }
            });
            fail("message round trip") unless $got eq $data && $type == 1;
            $q->remove;
            $ns;
        },
        msg_pingpong => sub {
            my $data = payload(64);
            my $q = PolyIPC::MessageQueue->new($P, flags => $X, max_message_size => $MSG_CAP);
            my $pid = child(sub {
                for (1 .. $WARMUP + $COUNT) {
                    my $m = $q->receive(type => 1);
                    $q->send($m, type => 2);
                }
            });
            my ($got, $type);
            my $ns = timed(sub {
                for (1 .. $_[0]) {
                    $q->send($data, type => 1);
                    ($got, $type) = $q->receive(type => 2);
                }
            });
            wait_child($pid);
            fail("echoed message") unless $got eq $data && $type == 2;
            $q->remove;
            $ns;
        },
        sem_handoff => sub {
            my ($a, $b) = ($sem->(0), $sem->(0));
            my $pid = child(sub { for (1 .. $WARMUP + $COUNT) { $a->acquire; $b->release } });
            my $ns = timed(sub { for (1 .. $_[0]) { $a->release; $b->acquire } });
            wait_child($pid);
            fail("values back to 0") unless $a->value == 0 && $b->value == 0;
            $_->remove for $a, $b;
            $ns;
        },
        shm => sub {
            my $size = shift;
            my $data = payload($size);
            my $m = PolyIPC::SharedMemory->new($P, flags => $X, size => $size);
            my $got;
            my $ns = timed(sub {
                if ($named) {
                    for (1 .. $_[0]) {
                        $m->write($data, offset => 0);
                        $got = $m->read($size, offset => 0);
                    }
                } else {
                    for (1 .. $_[0]) {
                        $m->write($data);
                        $got = $m->read($size);
                    }
                }
            });
            fail("read back what was written") unless $got eq $data;
            $m->detach;
            $m->remove;
            $ns;
        },
    };
}

my $impl = $run{$IMPL} or die "unknown implementation $IMPL\n";
my %arg = (msg_64 => ['msg', 64], msg_4k => ['msg', 4096], shm_64 => ['shm', 64], shm_1m => ['shm', 1 << 20]);
my ($name, @args) = $arg{$WORKLOAD} ? @{ $arg{$WORKLOAD} } : ($WORKLOAD);
my $code = $impl->{$name} or die "unknown workload $WORKLOAD\n";
printf "RESULT %.1f\n", $code->(@args);
