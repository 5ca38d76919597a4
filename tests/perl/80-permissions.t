# PermissionsError: root bypasses IPC permission checks, so the checks run in
# a child that drops to uid/gid 65534.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::Bin/lib";
use PolyIPCTest;
use PolyIPC qw(:all);
use POSIX ();
use Errno qw(EACCES EPERM);

plan skip_all => 'needs root to drop to another uid' unless $> == 0;

my $sem = track(PolyIPC::Semaphore->new(undef, flags => IPC_CREX, mode => 0600));
my $q = track(PolyIPC::MessageQueue->new(undef, flags => IPC_CREX, mode => 0600));
my $shm = track(PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, mode => 0600, size => 16));
my $ro = track(PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, mode => 0644, size => 16));

my $r = in_child(sub {
    my $report = shift;
    POSIX::setgid(65534) or die "setgid: $!";
    $) = "65534 65534";
    POSIX::setuid(65534) or die "setuid: $!";
    die "still root" if $> == 0 || $< == 0;
    my @out;
    for my $c (
        [semaphore => sub { PolyIPC::Semaphore->new($sem->key) }],
        [queue     => sub { PolyIPC::MessageQueue->new($q->key) }],
        [segment   => sub { PolyIPC::SharedMemory->new($shm->key) }],
        [set_mode  => sub { $sem->set_mode(0666) }],
        [value     => sub { $sem->value }],
        [send      => sub { $q->send('x', block => 0) }],
        [remove    => sub { $q->remove }],
        [rw_attach => sub { PolyIPC::SharedMemory->new($ro->key, mode => 0600) }],
    ) {
        my ($name, $code) = @$c;
        my $ok = eval { $code->(); 1 };
        push @out, join ':', $name, $ok ? 'ok' : ref $@ ? (ref $@, $@->errno) : "plain $@";
    }
    my $r = eval { PolyIPC::SharedMemory->new($ro->key, mode => 0400)->read(1) } // "failed: $@";
    push @out, "ro_read:$r";
    $report->(join "\n", @out);
    0;
});
is($r->{signal}, 0, 'the child did not crash');
my %got = map { my ($n, @v) = split /:/; ($n => join ':', @v) } split /\n/, $r->{out};
is($got{semaphore}, 'PolyIPC::PermissionsError:' . EACCES, 'opening a semaphore without permission');
is($got{queue}, 'PolyIPC::PermissionsError:' . EACCES, 'opening a queue without permission');
is($got{segment}, 'PolyIPC::PermissionsError:' . EACCES, 'opening a segment without permission');
like($got{set_mode}, qr/^PolyIPC::PermissionsError:(${\EACCES()}|${\EPERM()})$/, 'set_mode as another user (EACCES: IPC_STAT first)');
is($got{value}, 'PolyIPC::PermissionsError:' . EACCES, 'reading a value without permission');
is($got{send}, 'PolyIPC::PermissionsError:' . EACCES, 'sending without permission');
is($got{remove}, 'PolyIPC::PermissionsError:' . EPERM, 'removing as another user');
like($got{rw_attach}, qr/^PolyIPC::PermissionsError:/, 'attaching read-write without write permission');
is($got{ro_read}, ' ', 'attaching read-only with read permission works');

done_testing();
