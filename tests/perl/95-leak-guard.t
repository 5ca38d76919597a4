# PolyIPC::Testing: no_leaks_ok fails exactly a block that leaves objects,
# and leak_guard fails a test file that does; both remove what was left.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use PolyIPC qw(:all);
use PolyIPC::Testing qw(no_leaks_ok snapshot new_objects remove_objects);

no_leaks_ok { PolyIPC::Semaphore->new(undef, flags => IPC_CREX)->remove } 'a clean block passes';

# A block that dies: its error goes on, and what it made is removed.
{
    my $q;
    my $ok = eval {
        no_leaks_ok { $q = PolyIPC::MessageQueue->new(undef, flags => IPC_CREX); die "the block's own error\n" } 'unreached';
        1;
    };
    is($ok, undef, 'a dying block dies');
    is($@, "the block's own error\n", '... with its own error');
    ok(!grep({ $_->{kind} eq 'msg' && $_->{id} == $q->id } PolyIPC::list()), '... and its queue is removed');
    eval { $q->remove };
}

my $dir = tempdir(CLEANUP => 1);
my $inc = join ' ', map { "-I$_" } grep { !ref } @INC;
my $before = snapshot();

# A block that leaks: its test fails, the object is removed.
open my $fh, '>', "$dir/block.t" or die $!;
print $fh <<'T';
use Test::More; use PolyIPC qw(:all); use PolyIPC::Testing qw(no_leaks_ok);
no_leaks_ok { PolyIPC::MessageQueue->new(undef, flags => IPC_CREX) } 'leaks a queue';
done_testing;
T
close $fh;
my $out = `$^X $inc $dir/block.t 2>&1`;
isnt($? >> 8, 0, 'the leaking block fails its file');
like($out, qr/not ok 1 - leaks a queue/, '... as a failed test');
like($out, qr/left 1 new System V object\(s\) behind: msg \d+/, '... naming the object');

# A file that leaks under leak_guard: its exit status is non-zero.
open $fh, '>', "$dir/file.t" or die $!;
print $fh <<'T';
use Test::More; use PolyIPC qw(:all); use PolyIPC::Testing ();
PolyIPC::Testing::leak_guard();
ok(PolyIPC::Semaphore->new(undef, flags => IPC_CREX), 'made a set and left it');
done_testing;
T
close $fh;
$out = `$^X $inc $dir/file.t 2>&1`;
isnt($? >> 8, 0, 'a file that leaks fails under leak_guard');
like($out, qr/this test file left 1 new System V object\(s\) behind: sem \d+/, '... naming the object');

# check takes $remove positionally or named, as every method with an optional argument.
{
    my $snap = PolyIPC::LeakSnapshot->new;
    my $sem = PolyIPC::Semaphore->new(undef, flags => IPC_CREX);
    my $id = $sem->id;
    like($snap->check(remove => 0), qr/left 1 new System V object\(s\) behind: sem \Q$id\E /, 'check(remove => 0) reports');
    like($snap->check(0), qr/sem \Q$id\E /, 'check(0) reports and keeps it too');
    eval { $snap->check(keep => 1) };
    isa_ok($@, 'PolyIPC::WrongTypeError', 'check with an unknown name');
    like($@->{message}, qr/named arguments: remove/, '... naming the one it takes');
    like($snap->check(remove => 1), qr/sem \Q$id\E /, 'check(remove => 1) reports');
    is($snap->check, undef, '... and removed it');
}

# A destroyed snapshot is refused, never read after it is freed.
{
    my $snap = PolyIPC::LeakSnapshot->new;
    $snap->DESTROY;
    for my $call ([check => sub { $snap->check }], [new_objects => sub { $snap->new_objects }]) {
        eval { $call->[1]->() };
        isa_ok($@, 'PolyIPC::WrongTypeError', "$call->[0] on a destroyed LeakSnapshot");
    }
}

# The constructor follows the rule of every other one: the class must be
# PolyIPC::LeakSnapshot or a subclass of it; the object is blessed into it.
{
    for my $cls ('Foo', 'PolyIPC::Semaphore', '42', '') {
        my $snap = eval { PolyIPC::LeakSnapshot::new($cls) };
        is($snap, undef, "PolyIPC::LeakSnapshot::new('$cls') makes nothing");
        isa_ok($@, 'PolyIPC::WrongTypeError', '... and dies');
        like(ref $@ ? $@->message : '', qr/^PolyIPC::LeakSnapshot::new: the class is not this class or a subclass of it: '\Q$cls\E'/,
             '... naming the class');
    }
    eval { PolyIPC::LeakSnapshot->new(1) };
    isa_ok($@, 'PolyIPC::WrongTypeError', 'new with an argument');
    eval { PolyIPC::LeakSnapshot->new(remove => 1) };
    isa_ok($@, 'PolyIPC::WrongTypeError', 'new with a named argument');
    package My::Snap { our @ISA = ('PolyIPC::LeakSnapshot'); sub label { 'mine' } }
    my $snap = My::Snap->new;
    isa_ok($snap, 'My::Snap', 'a subclass constructs');
    is($snap->label, 'mine', '... with its own methods');
    is($snap->check, undef, '... and the inherited ones');
    $snap = PolyIPC::LeakSnapshot::new('My::Snap');
    is(ref $snap, 'My::Snap', 'new called as a function with a subclass blesses into it');
    is(ref PolyIPC::LeakSnapshot->new, 'PolyIPC::LeakSnapshot', 'the class itself');
}

# An object blessed into the class without new is not initialised, as in
# Python and Ruby (the nocrash table probes every member of every class).
{
    my $e = eval { (bless {}, 'PolyIPC::LeakSnapshot')->check; 1 } ? undef : $@;
    isa_ok($e, 'PolyIPC::WrongTypeError', 'check on a LeakSnapshot no constructor made');
    is(ref $e ? $e->message : '', 'the object is not initialised (its new was not called)', '... says so');
}

my @left = new_objects($before);
is(scalar @left, 0, 'the guards removed what was left') or remove_objects(@left);
done_testing;
