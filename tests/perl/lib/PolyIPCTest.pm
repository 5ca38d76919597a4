# Helpers shared by the Perl tests.
package PolyIPCTest;
use strict;
use warnings;
use Test::More;
use POSIX ();
use Time::HiRes ();
use Exporter 'import';
our @EXPORT = qw(error_ok track in_child now);

# Every test file fails when it leaves a new System V object behind (checked
# at exit, after the cleanup below; built on PolyIPC::list). Loaded first, so
# that its END block runs after this file's.
use PolyIPC::Testing ();
PolyIPC::Testing::leak_guard();

# Objects created by a test; removed at exit even when the test fails.
my @tracked;
sub track { push @tracked, @_; return wantarray ? @_ : $_[0] }
END {
    local ($@, $?);
    for my $o (@tracked) { eval { $o->remove } }
}

# error_ok(sub { ... }, 'PolyIPC::BusyError', 'name') -> the error object
sub error_ok {
    my ($code, $class, $name) = @_;
    my $ok = eval { $code->(); 1 };
    my $e = $@;
    my $tb = Test::More->builder;
    if ($ok) {
        $tb->ok(0, $name);
        $tb->diag("  expected $class, but nothing died");
        return undef;
    }
    unless (ref $e && eval { $e->isa($class) }) {
        $tb->ok(0, $name);
        $tb->diag("  expected $class, got: " . (ref $e ? ref($e) . ": $e" : $e));
        return $e;
    }
    $tb->ok(1, $name);
    return $e;
}

sub now { Time::HiRes::clock_gettime(Time::HiRes::CLOCK_MONOTONIC()) }

# Runs $code in a forked child with a bounded run time. Returns a hash:
# signal (0 if none), exit, out (what the child printed to the pipe via the
# `report` callback it receives).
sub in_child {
    my ($code, $timeout) = @_;
    pipe(my $r, my $w) or die "pipe: $!";
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        close $r;
        my $report = sub { syswrite $w, join('', @_) };
        alarm($timeout // 20);
        my $rc = eval { $code->($report); 0 } // do { syswrite $w, "died: $@"; 3 };
        POSIX::_exit($rc);
    }
    close $w;
    my $out = do { local $/; <$r> } // '';
    close $r;
    waitpid($pid, 0);
    return { signal => $? & 127, exit => $? >> 8, out => $out };
}

1;
