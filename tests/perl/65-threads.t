# ithreads: every object kind created in one thread, used, detached or removed
# in another; views crossing threads; a thread ending while it holds a copy;
# a thread blocked in a wait while another removes the object.
#
# The rule (bindings/perl/lib/PolyIPC.pod, "THREADS"): a new ithread gets its
# own copy of every object, a new handle of the same kernel object
# (SharedMemory copies are attached anew), and views are not carried into new
# threads (the copy of a view is undef). Each case runs in a forked child with
# a deadline, so a crash (SIGSEGV, SIGABRT) or a hang fails it instead of the
# whole file.
use strict;
use warnings;
use Config;
use Test::More;
BEGIN {
    plan skip_all => 'perl built without ithreads' unless $Config{useithreads};
}
use threads;
use Thread::Queue;
use FindBin;
use lib "$FindBin::Bin/lib";
use PolyIPCTest;
use PolyIPC qw(:all);
use Time::HiRes ();

my $BOUND = 10;    # seconds: every wait in a case ends by then

# Runs a case in a child; it reports "ok" or what went wrong.
sub case_ok {
    my ($name, $code) = @_;
    my $r = in_child(sub {
        my $report = shift;
        my $got = $code->();
        $report->($got);
    }, 30);
    is($r->{signal}, 0, "$name: no crash");
    is($r->{exit}, 0, "$name: clean exit");
    is($r->{out}, 'ok', "$name: result");
}

# Polls until $cond is true, bounded.
sub wait_for {
    my ($cond, $what) = @_;
    my $deadline = now() + $BOUND;
    until ($cond->()) {
        die "timed out waiting for $what\n" if now() > $deadline;
        Time::HiRes::sleep(0.001);
    }
}

# Joins a thread within the bound (a hung thread fails instead of hanging).
sub join_bounded {
    my ($t) = @_;
    wait_for(sub { $t->is_joinable }, 'the thread to finish');
    return $t->join;
}

# Is some thread of this process sleeping in msgrcv/msgsnd/semop? (the
# thread's own wait is not visible to Perl)
sub a_thread_waits_in {
    my ($what) = @_;
    for my $f (glob "/proc/$$/task/*/wchan") {
        open my $w, '<', $f or next;
        my $wchan = <$w> // '';
        return 1 if $wchan =~ /(?:do|sys)_$what/;
    }
    return 0;
}

sub shm { my $m = PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, @_); $m->remove; $m }

# ---- issue 12's reproductions -------------------------------------------
case_ok('a view survives a thread that ends' => sub {
    my $m = shm(size => 100);
    my $v = $m->view;
    threads->create(sub { 1 })->join;
    defined $$v && length $$v == 100 ? 'ok' : 'the view went undef';
});
case_ok('a thread undefs its copy of a view' => sub {
    my $m = shm(size => 100, init_character => 'v');
    my $v = $m->view;
    threads->create(sub { undef $v; 1 })->join;
    $$v eq 'v' x 100 ? 'ok' : 'the parent view changed';
});
case_ok('threads read their copies of a view' => sub {
    my $m = shm(size => 100, init_character => 'w');
    my $v = $m->view;
    my @seen = map { $_->join } map { threads->create(sub { my $x = $$v; defined $x ? 'defined' : 'undef' }) } 1 .. 4;
    return "thread copies: @seen" if grep { $_ ne 'undef' } @seen;
    $$v eq 'w' x 100 ? 'ok' : 'the parent view changed';
});

# ---- views crossing threads -----------------------------------------------
case_ok('a view taken in a thread, of its own copy' => sub {
    my $m = shm(size => 64, init_character => 'a');
    my $t = threads->create(sub {
        my $v = $m->view;
        my $before = substr($$v, 0, 2);
        $m->write('bb');
        my $after = substr($$v, 0, 2);
        $m->detach;
        "$before$after" . (defined $$v ? '-defined' : '');
    });
    my $got = join_bounded($t);
    return "thread saw $got" unless $got eq 'aabb';
    $m->read(2) eq 'bb' && $m->attached ? 'ok' : 'the parent lost its attachment';
});
case_ok('a view returned from a thread arrives undef' => sub {
    my $m = shm(size => 32);
    my $v = threads->create(sub { $m->view })->join;
    return 'not a scalar ref' unless ref $v eq 'SCALAR';
    defined $$v ? 'defined' : 'ok';
});

# ---- every object kind across threads ---------------------------------------
case_ok('Semaphore: created in one thread, used and removed in another' => sub {
    my $s = PolyIPC::Semaphore->new(undef, flags => IPC_CREX, initial_value => 1);
    my $got = join_bounded(threads->create(sub {
        $s->acquire(timeout => $BOUND);
        my $v = $s->value;
        $s->release(delta => 2);
        $s->remove;
        $v;
    }));
    return "value in thread $got" unless $got == 0;
    my $e = eval { $s->value; 1 } ? undef : $@;
    ref $e && $e->isa('PolyIPC::ExistentialError') ? 'ok' : 'removed in the thread, still there: ' . ($e // 'no error');
});
case_ok('Semaphore: created in a thread, used and removed in the parent' => sub {
    my $key = join_bounded(threads->create(sub {
        my $s = PolyIPC::Semaphore->new(undef, flags => IPC_CREX, initial_value => 3);
        $s->key;
    }));
    my $s = PolyIPC::Semaphore->new($key);
    my $v = $s->value;
    $s->remove;
    $v == 3 ? 'ok' : "value $v";
});
case_ok('SemaphoreSet: op in a thread, remove in the parent' => sub {
    my $set = PolyIPC::SemaphoreSet->new(undef, nsems => 2, flags => IPC_CREX);
    join_bounded(threads->create(sub { $set->op([[0, 2], [1, 1]]); 1 }));
    my @v = $set->values;
    $set->remove;
    "@v" eq '2 1' ? 'ok' : "values @v";
});
case_ok('SharedMemory: a thread\'s copy is its own attachment' => sub {
    my $m = PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, size => 64, init_character => 'x');
    my $q = Thread::Queue->new;
    my $t = threads->create(sub {
        my $n = $m->number_attached;    # the parent's and this copy's
        $m->write('from thread');
        $m->detach;                     # this copy's attachment only
        $q->dequeue;                    # the parent checks, then lets the thread end
        "$n";
    });
    wait_for(sub { $m->read(11) eq 'from thread' }, 'the thread\'s write');
    wait_for(sub { $m->number_attached == 1 }, 'the thread\'s detach');
    my $attached = $m->attached;
    $q->enqueue(1);
    my $n = join_bounded($t);
    my $left = $m->number_attached;
    $m->remove;
    $n == 2 && $attached && $left == 1 ? 'ok' : "in thread $n, parent attached $attached, after $left";
});
case_ok('SharedMemory: a thread ends holding an attached copy' => sub {
    my $m = PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, size => 64);
    join_bounded(threads->create(sub { $m->attached ? 1 : 0 })) or return 'copy not attached';
    my $n = $m->number_attached;
    $m->write('still mine');
    my $ok = $m->read(10) eq 'still mine';
    $m->remove;
    $n == 1 && $ok ? 'ok' : "number_attached $n after the thread ended";
});
case_ok('SharedMemory: the parent drops its object while a thread uses its copy' => sub {
    my $m = PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, size => 64, init_character => 'p');
    my $id = $m->id;
    my $q = Thread::Queue->new;
    my $t = threads->create(sub { $q->dequeue; my $r = $m->read(3); $m->remove; $r });
    undef $m;    # the parent's handle is freed and detached
    $q->enqueue(1);
    my $r = join_bounded($t);
    my $gone = !eval { PolyIPC::attach($id); 1 };
    $r eq 'ppp' && $gone ? 'ok' : "thread read '$r', segment gone: $gone";
});
case_ok('SharedMemory: an object returned from a thread' => sub {
    my $m = join_bounded(threads->create(sub {
        my $o = PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, size => 16, init_character => 'r');
        $o->remove;
        $o;
    }));
    # the thread's interpreter is gone; this copy is the parent's own
    $m->attached && $m->read(2) eq 'rr' ? 'ok' : 'not usable';
});
case_ok('MessageQueue: send in one thread, receive and remove in another' => sub {
    my $mq = PolyIPC::MessageQueue->new(undef, flags => IPC_CREX);
    my $t = threads->create(sub { my ($d, $type) = $mq->receive; $mq->remove; "$d/$type" });
    $mq->send("across\0threads", type => 7);
    my $got = join_bounded($t);
    my $e = eval { $mq->current_messages; 1 } ? undef : $@;
    $got eq "across\0threads/7" && ref $e && $e->isa('PolyIPC::ExistentialError') ? 'ok' : "got '$got'";
});

# ---- a thread blocked in a wait while another removes the object ------------
case_ok('acquire blocked in a thread, the semaphore removed' => sub {
    my $s = PolyIPC::Semaphore->new(undef, flags => IPC_CREX);
    my $t = threads->create(sub {
        my $ok = eval { $s->acquire(timeout => $BOUND); 1 };
        $ok ? 'acquired' : ref $@ ? ref $@ : $@;
    });
    wait_for(sub { $s->waiting_for_nonzero == 1 }, 'the waiter');
    $s->remove;
    my $got = join_bounded($t);
    $got eq 'PolyIPC::ExistentialError' ? 'ok' : $got;
});
case_ok('op blocked in a thread, the set removed' => sub {
    my $set = PolyIPC::SemaphoreSet->new(undef, nsems => 2, flags => IPC_CREX);
    my $t = threads->create(sub {
        my $ok = eval { $set->op([[1, -1]]); 1 };
        $ok ? 'done' : ref $@ ? ref $@ : $@;
    });
    wait_for(sub { $set->waiting_for_nonzero(1) == 1 }, 'the waiter') if $set->can('waiting_for_nonzero');
    wait_for(sub { a_thread_waits_in('sem') }, 'the waiter');
    $set->remove;
    my $got = join_bounded($t);
    $got eq 'PolyIPC::ExistentialError' ? 'ok' : $got;
});
case_ok('receive blocked in a thread, the queue removed' => sub {
    my $mq = PolyIPC::MessageQueue->new(undef, flags => IPC_CREX);
    my $t = threads->create(sub {
        my $ok = eval { $mq->receive; 1 };
        $ok ? 'received' : ref $@ ? ref $@ : $@;
    });
    wait_for(sub { a_thread_waits_in('msg') }, 'the receiver');
    $mq->remove;
    my $got = join_bounded($t);
    $got eq 'PolyIPC::ExistentialError' ? 'ok' : $got;
});

# ---- many threads at once: the locked view list ----------------------------
case_ok('views made and dropped in many threads at once' => sub {
    my $m = shm(size => 4096, init_character => 'z');
    my @t = map {
        threads->create(sub {
            my $bad = 0;
            for (1 .. 200) {
                my @v = map { $m->view } 1 .. 3;
                $bad++ unless ${ $v[1] } eq 'z' x 4096;
                $m->detach if $_ % 50 == 0;
                $m->attach unless $m->attached;
            }
            $bad;
        })
    } 1 .. 4;
    my @bad = map { join_bounded($_) } @t;
    my $v = $m->view;
    (grep { $_ } @bad) ? "bad reads: @bad" : $$v eq 'z' x 4096 ? 'ok' : 'parent view wrong';
});

# ---- LeakSnapshot across threads --------------------------------------------
case_ok('LeakSnapshot: a thread keeps its copy after the parent frees its own' => sub {
    my $q = Thread::Queue->new;
    my $snap = PolyIPC::LeakSnapshot->new;
    my $t = threads->create(sub {
        $q->dequeue;
        my $m = PolyIPC::MessageQueue->new(undef, flags => IPC_CREX);
        my $id = $m->id;
        my $report = eval { $snap->check } // "undef ($@)";
        $report =~ /^left 1 new System V object\(s\) behind: msg $id / ? 'ok' : "thread's check: $report";
    });
    undef $snap;
    PolyIPC::LeakSnapshot->new for 1 .. 8;    # reuses what was freed
    $q->enqueue(1);
    join_bounded($t);
});
case_ok('LeakSnapshot: a thread that ends frees only its own copy' => sub {
    my $snap = PolyIPC::LeakSnapshot->new;
    threads->create(sub { my $r = $snap->check(0); 1 })->join;
    PolyIPC::LeakSnapshot->new for 1 .. 8;
    my $m = PolyIPC::MessageQueue->new(undef, flags => IPC_CREX);
    my $id = $m->id;
    my $report = $snap->check // 'undef';
    $report =~ /^left 1 new System V object\(s\) behind: msg $id / ? 'ok' : "parent's check: $report";
});

done_testing();
