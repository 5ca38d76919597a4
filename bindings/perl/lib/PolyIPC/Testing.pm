package PolyIPC::Testing;
# Test-suite leak guards for Test::More, built on PolyIPC::list (POD below).
use strict;
use warnings;
use PolyIPC ();
use Test::Builder ();
use Exporter 'import';
our @EXPORT_OK = qw(no_leaks_ok leak_guard snapshot new_objects remove_objects);

my %REMOVE = (sem => \&PolyIPC::remove_semaphore, shm => \&PolyIPC::remove_shared_memory,
              msg => \&PolyIPC::remove_message_queue);

sub snapshot { return { map { ("$_->{kind}:$_->{id}" => 1) } PolyIPC::list() } }

sub new_objects {
    my ($before) = @_;
    # a removed segment still attached somewhere ("dest") goes at its last detach
    return grep { !$before->{"$_->{kind}:$_->{id}"} && !grep({ $_ eq 'dest' } @{ $_->{status} || [] }) }
        PolyIPC::list();
}

sub remove_objects {
    for my $o (@_) { eval { $REMOVE{$o->{kind}}->($o->{id}); 1 } }
    return;
}

sub _describe {
    join ', ', map { sprintf '%s %d (key 0x%08x, owner %s)', $_->{kind}, $_->{id},
                     $_->{key} & 0xFFFFFFFF, $_->{owner} } @_;
}

sub _leaks_message {
    my @left = @_;
    return sprintf 'left %d new System V object(s) behind: %s', scalar @left, _describe(@left);
}

sub no_leaks_ok (&;$) {
    my ($code, $name) = @_;
    my $tb = Test::Builder->new;
    my $before = snapshot();
    $code->();
    my @left = new_objects($before);
    remove_objects(@left);
    my $ok = $tb->ok(!@left, $name // 'no System V objects left behind');
    $tb->diag(_leaks_message(@left)) if @left;
    return $ok;
}

my ($guard_before, $guard_pid);

sub leak_guard {
    $guard_before = snapshot();
    $guard_pid = $$;
    return;
}

END {
    if (defined $guard_before && $$ == $guard_pid) {
        local ($@, $!);
        my $status = $?;
        my @left = eval { new_objects($guard_before) };
        if (@left) {
            remove_objects(@left);
            my $tb = Test::Builder->new;
            $tb->diag('PolyIPC::Testing: this test file ' . _leaks_message(@left));
            $status ||= 255;
        }
        $? = $status;
    }
}

1;

__END__

=head1 NAME

PolyIPC::Testing - fail tests that leave System V objects behind

=head1 SYNOPSIS

    use Test::More;
    use PolyIPC::Testing qw(no_leaks_ok leak_guard);

    leak_guard();    # the whole test file: fails at exit if it left objects

    no_leaks_ok {
        my $q = PolyIPC::MessageQueue->new(undef, flags => PolyIPC::IPC_CREX);
        $q->remove;
    } 'the queue is removed';

    done_testing;

=head1 DESCRIPTION

Leak guards built on L<PolyIPC/list>: they compare the System V objects of the
IPC namespace before and after, report the new ones, remove them, and fail.
They see the whole namespace: run the suite where nothing else creates
objects meanwhile (e.g. C<unshare --ipc>).

=over 4

=item no_leaks_ok { ... } $name

Runs the block and adds one test: ok when the block left no new object.

=item leak_guard()

Takes a snapshot now; when the test file's process exits (not a forked
child), new objects are reported with diag, removed, and the exit status
becomes non-zero (255), which fails the file. Run it after loading modules
whose END blocks clean up, so that their cleanup runs first.

=item snapshot()

A hash reference whose keys are C<"kind:id"> of every object now.

=item new_objects($snapshot)

The records (hash references, as L<PolyIPC/list> returns) of the objects not in
C<$snapshot>, except removed segments that are still attached (status
C<dest>), which the kernel frees at their last detach.

=item remove_objects(@records)

Removes these objects; ones already gone are ignored.

=back

=cut
