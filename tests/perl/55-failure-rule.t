# Every wrapper decides failure by the status or NULL result of its call,
# never by the thread's error record (docs/architecture.md, "Failure
# rules"): after a failed call leaves its error recorded, each of these
# calls succeeds without raising it, and destroying objects warns nothing.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::Bin/lib";
use PolyIPCTest;
use PolyIPC qw(:all :inspect);

# The objects are removed at the end (no track: the test destroys them).

my $MISSING_ID = 0x7FFF_FFFF; # no segment has this id
sub stale_error { error_ok(sub { PolyIPC::attach($MISSING_ID) }, 'PolyIPC::ExistentialError', 'a failed call') }

my @warnings;
local $SIG{__WARN__} = sub { push @warnings, @_ };

stale_error();
my $sem = PolyIPC::Semaphore->new(undef, flags => IPC_CREX);
stale_error();
my $shm = PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, size => PAGE_SIZE);
stale_error();
my $set = PolyIPC::SemaphoreSet->new(undef, nsems => 2, flags => IPC_CREX);
stale_error();
is_deeply([$set->values], [0, 0], 'SemaphoreSet values');
stale_error();
ok((grep { $_->{id} == $shm->id } PolyIPC::list(kind => 'shm')), 'list');
stale_error();
is(PolyIPC::info('sem', $sem->id)->{id}, $sem->id, 'info');
stale_error();
ok(scalar(PolyIPC::limits()) > 0, 'limits');
stale_error();
my $snap = PolyIPC::LeakSnapshot->new;
stale_error();
is(scalar($snap->new_objects), 0, 'LeakSnapshot new_objects');
stale_error();
is($snap->check(remove => 0), undef, 'LeakSnapshot check');
$_->remove for $sem, $set, $shm;
for my $o (\$snap, \$set, \$sem) {
    stale_error();
    undef $$o;
}
stale_error();
undef $shm; # destroys an attached SharedMemory: detaches
is_deeply(\@warnings, [], 'destroying objects warns nothing');
done_testing;
