# Run under valgrind by the ctest perl_valgrind (not by prove): exercises the
# C paths with the trickiest ownership — receive interrupted by dying and by
# returning %SIG handlers, views invalidated by detach/attach/destruction,
# SemaphoreSet buffers, argument errors — so memcheck sees any invalid read or
# write and any C-level leak. (A Perl-level refcount leak is not visible here:
# global destruction frees leaked SVs; 60-signals.t measures growth instead.)
# Exits non-zero if a check fails.
use strict;
use warnings;
use PolyIPC qw(:all);
use Time::HiRes qw(setitimer ITIMER_REAL);

my @cleanup;
END { local ($@, $?); eval { $_->remove } for @cleanup }
sub check { my ($ok, $what) = @_; die "valgrind.pl: FAILED: $what\n" unless $ok }

my $q = PolyIPC::MessageQueue->new(undef, flags => IPC_CREX, max_message_size => 4096);
push @cleanup, $q;
my ($armed, $on) = (0, undef);
$SIG{ALRM} = sub { return unless $armed; $armed = 0; setitimer(ITIMER_REAL, 0); $on->() };
sub arm { ($on, $armed) = ($_[1], 1); setitimer(ITIMER_REAL, $_[0], $_[0]) }

for (1 .. 20) {
    eval { arm(0.01, sub { die "out\n" }); $q->receive };
    check($@ eq "out\n", 'a dying handler ends receive');
}
my $fired = 0;
arm(0.01, sub { $fired++; $q->send("x\0y", type => 3) });
my ($d, $t) = $q->receive;
check($d eq "x\0y" && $t == 3 && $fired == 1, 'a returning handler lets receive complete');

my $m = PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, size => 64, init_character => 'v');
push @cleanup, $m;
my $v = $m->view;
my $copy = $$v;
$m->detach;
check(!defined $$v && $copy eq 'v' x 64, 'detach invalidates a view');
$m->attach;
my $v2 = $m->view;
$m->attach;
check(!defined $$v2, 'attach invalidates a view');
my $v3 = $m->view;
undef $m;
check(length $$v3 == 64, 'a view keeps its object alive');
undef $v3;

my $s = PolyIPC::SemaphoreSet->new(undef, nsems => 3, flags => IPC_CREX, initial_value => 1);
push @cleanup, $s;
$s->set_values(2, 0, 5);
$s->op([[0, -2], [1, 4], [2, -5]], timeout => 0);
check(join(',', $s->values) eq '0,4,0', 'SemaphoreSet values');
eval { $s->op([[0, -1]], timeout => 0.01) };
check(ref $@ && $@->isa('PolyIPC::BusyError'), 'op timeout');

# the inspector's results (JSON decoded in the wrapper, its text freed there)
my @recs = PolyIPC::list(kind => 'msg');
check(@recs == 1 && $recs[0]{id} == $q->id && scalar(PolyIPC::list()) == (() = PolyIPC::list()), 'list');
check(PolyIPC::info('sem', $s->id)->{semaphores}[2]{value} == 0 && PolyIPC::limits() == 12, 'info, limits');

for my $bad (sub { $q->send("\x{100}") }, sub { $q->receive(bogus => 1) }, sub { $s->op([['x']]) },
             sub { PolyIPC::Semaphore->new(undef, flags => IPC_CREAT) }, sub { $s->value(1, 2) },
             sub { PolyIPC::list(owner => 'root', bogus => 1) }, sub { PolyIPC::list(kind => "s\0") },
             sub { PolyIPC::info('sem') }, sub { PolyIPC::ftok('/', 1, 1) }) {
    eval { $bad->() };
    check(ref $@ && $@->isa('PolyIPC::Error'), 'argument errors are objects');
}
print "valgrind.pl: ok\n";
