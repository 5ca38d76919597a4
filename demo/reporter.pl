# Demo, Perl side: the reporter. Shows a progress line while the others work,
# then checks the totals in the shared segment and prints the summary.
#   reporter.pl SHM SEM ITEMS WORKERS
use strict;
use warnings;
use Time::HiRes qw(time sleep);
use Scalar::Util qw(blessed);
use PolyIPC;

my ($shm_key, $sem_key, $items, $workers) = @ARGV;
my $shm = PolyIPC::SharedMemory->new($shm_key);
my $sem = PolyIPC::Semaphore->new($sem_key);
my $tty = -t STDOUT;
$SIG{INT} = sub { print "\n"; exit 130 };

# A consistent snapshot of the header, taken under the semaphore.
sub snapshot {
    $sem->acquire(timeout => 5);
    my @v = unpack 'Q<*', $shm->read(96, offset => 0);
    my $bitmap = $shm->read(($items + 7) >> 3, offset => 128);
    $sem->release;
    return (\@v, $bitmap);
}

my $t0 = time;
my ($v, $bitmap);
my $last_print = 0;
my ($last_count, $last_change) = (-1, $t0);
while (1) {
    ($v, $bitmap) = snapshot();
    my $done = $v->[0] >= $items;
    my $now = time;
    if ($done || $now - $last_print >= ($tty ? 0.1 : 0.5)) {
        my $rate = $v->[0] / (($now - $t0) || 1e-9);
        my $line = sprintf "progress: sent %6d  processed %6d/%d  per worker [%s]  %7.0f items/s",
            $v->[11], $v->[0], $items, join(' ', map { $v->[4 + $_] } 0 .. $workers - 1), $rate;
        print $tty ? "\r$line" : "$line\n";
        $last_print = $now;
    }
    last if $done;
    if ($v->[0] != $last_count) { ($last_count, $last_change) = ($v->[0], $now) }
    die "reporter: no progress for 10 s\n" if $now - $last_change > 10;
    sleep 0.02;
}
my $elapsed = time - $t0;
print "\n" if $tty;

# Verification: every item processed exactly once, and the results add up.
my ($sum_i, $sum_r) = (0, 0);
for my $i (0 .. $items - 1) { $sum_i += $i; $sum_r += ($i * 2654435761) % 4294967296 }
my $seen = unpack '%32b*', $bitmap;    # number of distinct items seen
my $per_worker = 0; $per_worker += $v->[4 + $_] for 0 .. $workers - 1;
my @checks = (
    ['items processed',            $v->[0], $items],
    ['distinct items (bitmap)',    $seen,   $items],
    ['duplicates',                 $v->[1], 0],
    ['sum of item numbers',        $v->[2], $sum_i],
    ['sum of results',             $v->[3], $sum_r],
    ['per-worker counts add up',   $per_worker, $items],
);
my $ok = 1;
print "\nsummary (Perl reporter)\n";
for my $c (@checks) {
    my $good = $c->[1] == $c->[2];
    $ok &&= $good;
    printf "  %-26s %12s  %s\n", $c->[0], $c->[1], $good ? 'ok' : "WRONG, expected $c->[2]";
}
printf "  %-26s %12s\n", 'workers (Ruby)', join(' + ', map { $v->[4 + $_] } 0 .. $workers - 1);
printf "  %-26s %12.2f s, %.0f items/s\n", 'time', $elapsed, $items / ($elapsed || 1e-9);
print $ok ? "verified: nothing lost, nothing duplicated\n" : "VERIFICATION FAILED\n";
$shm->detach;
exit($ok ? 0 : 1);
