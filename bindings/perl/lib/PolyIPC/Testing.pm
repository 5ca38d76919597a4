package PolyIPC::Testing;
# Test-suite leak guards for Test::More: glue over the core's leak guard,
# PolyIPC::LeakSnapshot (POD below).
use strict;
use warnings;
use PolyIPC ();
use Test::Builder ();
use Exporter 'import';
our @EXPORT_OK = qw(no_leaks_ok leak_guard snapshot new_objects remove_objects);

sub snapshot { return PolyIPC::LeakSnapshot->new }

sub new_objects { return $_[0]->new_objects }

sub remove_objects {
    PolyIPC::_remove_object($_->{kind}, $_->{id}) for @_;
    return;
}

sub no_leaks_ok (&;$) {
    my ($code, $name) = @_;
    my $tb = Test::Builder->new;
    my $before = PolyIPC::LeakSnapshot->new;
    unless (eval { $code->(); 1 }) {
        my $error = $@;
        $before->check(1);    # a block that dies: its objects are removed, the error goes on
        die $error;
    }
    my $report = $before->check(1);
    my $ok = $tb->ok(!defined $report, $name // 'no System V objects left behind');
    $tb->diag($report) if defined $report;
    return $ok;
}

my ($guard_before, $guard_pid);

sub leak_guard {
    $guard_before = PolyIPC::LeakSnapshot->new;
    $guard_pid = $$;
    return;
}

END {
    if (defined $guard_before && $$ == $guard_pid) {
        local ($@, $!);
        my $status = $?;
        my $report = eval { $guard_before->check(1) } // ($@ ? "could not be checked: $@" : undef);
        if (defined $report) {
            Test::Builder->new->diag("PolyIPC::Testing: this test file $report");
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

Leak guards over the core's leak guard, C<PolyIPC::LeakSnapshot> (the same
code as Python's and Ruby's): they compare the System V objects of the IPC
namespace before and after, report the new ones, remove them, and fail.
They see the whole namespace: run the suite where nothing else creates
objects meanwhile (e.g. C<unshare --ipc>).

=over 4

=item no_leaks_ok { ... } $name

Runs the block and adds one test: ok when the block left no new object.
A block that dies has its new objects removed, and its error goes on (no
test is added).

=item leak_guard()

Takes a snapshot now; when the test file's process exits (not a forked
child), new objects are reported with diag, removed, and the exit status
becomes non-zero (255), which fails the file. Run it after loading modules
whose END blocks clean up, so that their cleanup runs first.

=item snapshot()

A C<PolyIPC::LeakSnapshot> of the (kind, id) of every object now (an object,
no longer a hash reference of C<"kind:id"> keys). C<< $snapshot->check($remove) >>
returns the report line of the objects new since it (removing them first when
C<$remove> is true), or undef when there are none; C<< $snapshot->new_objects >>
is C<new_objects($snapshot)>.

=item new_objects($snapshot)

The records (hash references, as L<PolyIPC/list> returns) of the objects not in
C<$snapshot>, except removed segments that are still attached (status
C<dest>), which the kernel frees at their last detach.

=item remove_objects(@records)

Removes these objects; ones already gone are ignored, any other failure
(e.g. C<PolyIPC::PermissionsError>) dies.

=back

=cut
