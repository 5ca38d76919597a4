# Interop agent, Perl side (see driver.py for the protocol). Uses polyipc's
# public API only (docs/perl.md).
use strict;
use warnings;
use Time::HiRes qw(sleep time);
use Scalar::Util qw(blessed);
use PolyIPC;

$| = 1;

sub plan {
    my ($path) = @_;
    open my $fh, '<', $path or die "ERROR $path: $!\n";
    return map { chomp; [split / /, $_, -1] } grep { /\S/ } <$fh>;
}
sub unhex { return pack 'H*', defined $_[0] ? $_[0] : '' }
sub hex_of { return unpack 'H*', $_[0] }
sub kind { my ($e) = @_; (my $k = ref $e) =~ s/.*:://; return $k }

# Bounded poll of the kernel's count of blocked waiters (GETNCNT).
sub wait_for_waiter {
    my ($sem) = @_;
    my $deadline = time + 30;
    while ($sem->waiting_for_nonzero < 1) {
        die "ERROR timeout: no waiter blocked on the semaphore\n" if time > $deadline;
        sleep 0.001;
    }
}

sub main {
    my ($cmd, @a) = @_;
    if ($cmd eq 'mq-send') {
        my $q = PolyIPC::MessageQueue->new($a[0], max_message_size => $a[1]);
        $q->send(unhex($_->[2]), type => $_->[1]) for plan($a[2]);
        print "ok\n";
    } elsif ($cmd eq 'mq-recv') {
        my $q = PolyIPC::MessageQueue->new($a[0], max_message_size => $a[1]);
        for my $p (plan($a[2])) {
            my ($data, $type) = $q->receive(type => $p->[1]);
            print "$type ", hex_of($data), "\n";
        }
    } elsif ($cmd eq 'shm-write') {
        my $shm = PolyIPC::SharedMemory->new($a[0]);
        my $sem = PolyIPC::Semaphore->new($a[1]);
        $shm->write(unhex($_->[2]), offset => $_->[1]) for plan($a[2]);
        $shm->detach;
        $sem->release;
        print "ok\n";
    } elsif ($cmd eq 'shm-read') {
        my $shm = PolyIPC::SharedMemory->new($a[0]);
        my $sem = PolyIPC::Semaphore->new($a[1]);
        $sem->acquire(timeout => 30);
        print $shm->size, "\n";
        print hex_of($shm->read($_->[2], offset => $_->[1])), "\n" for plan($a[2]);
        $shm->detach;
    } elsif ($cmd eq 'sem-wait') {
        my $first = PolyIPC::Semaphore->new($a[0]);
        my $second = PolyIPC::Semaphore->new($a[1]);
        $first->acquire(timeout => 30);
        print "woken\n";
        if (eval { $second->acquire(timeout => 30); 1 }) {
            print "acquired\n";
        } else {
            die $@ unless blessed $@ && $@->isa('PolyIPC::Error');
            print kind($@), "\n";
        }
    } elsif ($cmd eq 'sem-post') {
        my $first = PolyIPC::Semaphore->new($a[0]);
        my $second = PolyIPC::Semaphore->new($a[1]);
        wait_for_waiter($first);
        $first->release;
        wait_for_waiter($second);
        $second->remove;
        print "ok\n";
    } else {
        die "ERROR usage: unknown command $cmd\n";
    }
}

if (!eval { main(@ARGV); 1 }) {
    my $e = $@;
    print blessed $e && $e->isa('PolyIPC::Error') ? "ERROR " . kind($e) . ": " . $e->message . "\n" : $e;
    exit 1;
}
