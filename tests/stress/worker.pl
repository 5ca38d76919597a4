# Signal-storm stress worker, Perl side (protocol: see driver.py; the same
# roles and forms as worker.py).
#
#   worker.pl ROLE ID SECONDS OUT Q SHM MUTEX GATE READY TICK MAXBODY
use strict;
use warnings;
use Digest::MD5 qw(md5);
use Scalar::Util qw(blessed);
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);
use PolyIPC;

my $phase = '';
my %hits;
sub now { return clock_gettime(CLOCK_MONOTONIC) }
sub busy { my ($e) = @_; return blessed $e && $e->isa('PolyIPC::BusyError') }

sub producer {
    my ($a, $q, $out) = @_;
    srand $a->{id};
    my ($seq, $full) = (0, 0);
    my $deadline = now() + $a->{seconds};
    while (now() < $deadline) {
        my $n = (0, $a->{maxbody}, int rand($a->{maxbody} + 1))[$seq % 3];
        my $body = $seq % 7 == 0 ? "\0" x $n : pack 'C*', map { int rand 256 } 1 .. $n;
        my $msg = pack('nN', $a->{id}, $seq) . md5($body) . $body;
        my $type = 1 + $seq % 4;
        if ($seq % 2) {    # proves the queue fills up: a later blocking send waits
            if (eval { $q->send($msg, block => 0, type => $type); 1 }) {
                $seq++;
                next;
            }
            die $@ unless busy($@);
            $full++;
        }
        $phase = 'send';
        $q->send($msg, type => $type);
        $phase = '';
        $seq++;
    }
    print {$out} "sent $seq\nfull $full\n";
}

sub consumer {
    my ($a, $q, $out) = @_;
    my ($got, $empty) = (0, 0);
    my $msgs = \*STDOUT;
    binmode $msgs;
    while (1) {
        my $selector = (0, -5)[$got % 2];
        my ($data, $type);
        if ($got % 3 == 0) {
            if (!eval { ($data, $type) = $q->receive(block => 0, type => $selector); 1 }) {
                die $@ unless busy($@);
                $empty++;
            }
        }
        if (!defined $data) {
            $phase = 'receive';
            ($data, $type) = $q->receive(type => $selector);
            $phase = '';
        }
        last if $type == 5;
        my ($id, $seq, $intact) = (0, 0, 0);
        if (length $data >= 22) {
            ($id, $seq) = unpack 'nN', $data;
            $intact = md5(substr $data, 22) eq substr($data, 6, 16) ? 1 : 0;
        }
        print {$msgs} pack('nNNNC', $id, $seq, $type, length $data, $intact);
        $got++;
    }
    close $msgs or die "stdout: $!\n";
    print {$out} "received $got\nempty $empty\n";
}

sub counter {
    my ($a, $mutex, $muset, $shm, $tick, $out) = @_;
    my $critical = sub {
        my $owner = unpack 'Q>', $shm->read(8, offset => 8);
        die "mutual exclusion violated: pid $owner holds the mutex too\n" if $owner;
        $shm->write(pack('Q>', $$), offset => 8);
        my $value = unpack 'Q>', $shm->read(8, offset => 0);
        $shm->write(pack('Q>', $value + 1), offset => 0);
        $shm->write("\0" x 8, offset => 8);
    };
    my $i = 0;
    my $deadline = now() + $a->{seconds};
    while (now() < $deadline) {
        my $form = $i % 4;
        if ($form == 0) {
            $phase = 'acquire';
            $mutex->acquire(timeout => $i % 8 ? 60 : undef);
            $phase = '';
            $critical->();
            $mutex->release;
        } elsif ($form == 1) {
            $phase = 'synchronize';
            $mutex->synchronize(sub { $phase = ''; $critical->() });
        } elsif ($form == 2) {
            $phase = 'P';
            $mutex->P;
            $phase = '';
            $critical->();
            $mutex->V;
        } else {
            $phase = 'op';
            $muset->op([[0, -1]], timeout => $i % 8 == 3 ? 60 : undef);
            $phase = '';
            $critical->();
            $muset->op([[0, 1]]);
        }
        if ($i % 4 == 3) {
            $tick->release;    # the driver's ticker takes it back; Z waits for that
            $phase = 'Z';
            $tick->Z(timeout => 60);
            $phase = '';
        }
        $i++;
    }
    print {$out} "increments $i\n";
}

sub main {
    my ($role, $id, $seconds, $outpath, $qk, $shmk, $mutexk, $gatek, $readyk, $tickk, $maxbody) = @_;
    my $a = { id => $id, seconds => $seconds, out => $outpath, maxbody => $maxbody };
    $SIG{$_} = sub { $hits{$phase}++ } for qw(USR1 ALRM);
    my $q = PolyIPC::MessageQueue->new($qk, max_message_size => 22 + $maxbody);
    my $shm = PolyIPC::SharedMemory->new($shmk);
    my $mutex = PolyIPC::Semaphore->new($mutexk);
    my $tick = PolyIPC::Semaphore->new($tickk);
    my $muset = PolyIPC::SemaphoreSet->new($mutexk, nsems => 0);
    my $gate = PolyIPC::Semaphore->new($gatek);
    PolyIPC::Semaphore->new($readyk)->release;    # handlers are installed: the signaller may start
    $phase = 'gate';
    $gate->Z(timeout => 60);
    $phase = '';
    open my $out, '>', $outpath or die "$outpath: $!\n";
    if ($role eq 'producer') { producer($a, $q, $out) }
    elsif ($role eq 'consumer') { consumer($a, $q, $out) }
    elsif ($role eq 'counter') { counter($a, $mutex, $muset, $shm, $tick, $out) }
    else { die "unknown role $role\n" }
    $SIG{$_} = 'IGNORE' for qw(USR1 ALRM);    # the storm goes on: count no more
    $shm->detach;
    my $total = 0;
    for my $p (sort keys %hits) {
        $total += $hits{$p};
        print {$out} "hit.$p $hits{$p}\n" if $p ne '';
    }
    print {$out} "signals $total\n";
    close $out or die "$outpath: $!\n";
}

my $ok = eval { main(@ARGV); 1 };
$SIG{$_} = 'IGNORE' for qw(USR1 ALRM);    # the storm may outlast us: never die of it on the way out
if (!$ok) {
    my $e = $@;
    print STDERR blessed $e && $e->isa('PolyIPC::Error')
        ? "ERROR " . (ref $e) . " in $phase: " . $e->message . "\n" : "ERROR in $phase: $e";
    exit 1;
}
