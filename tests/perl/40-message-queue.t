# PolyIPC::MessageQueue: send/receive with named arguments, list and scalar
# context, type selection, binary data, limits, accessors.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::Bin/lib";
use PolyIPCTest;
use PolyIPC qw(:all);
use POSIX ();

sub new_q { track(PolyIPC::MessageQueue->new(undef, flags => IPC_CREX, @_)) }

subtest 'construction' => sub {
    my $q = new_q(mode => 0640, max_message_size => 100);
    isa_ok($q, 'PolyIPC::MessageQueue');
    is($q->mode, 0640, 'mode');
    is($q->max_message_size, 100, 'max_message_size');
    is(new_q()->max_message_size, 2048, 'max_message_size defaults to 2048');
    my $o = PolyIPC::MessageQueue->new($q->key, flags => IPC_CREAT);
    is($o->id, $q->id, 'opening by key');
    error_ok(sub { new_q(max_message_size => 0) }, 'PolyIPC::InvalidArgumentError', 'max_message_size 0');
    error_ok(sub { PolyIPC::MessageQueue->new($q->key, flags => IPC_CREX) }, 'PolyIPC::ExistentialError',
             'IPC_CREX on an existing key');
};

subtest 'send and receive' => sub {
    my $q = new_q();
    my $bin = join '', map { chr } 0 .. 255;
    $q->send($bin, type => 7);
    my ($data, $type) = $q->receive;
    is($data, $bin, 'every byte value round-trips (NUL, 0xFF)');
    is($type, 7, 'the type');
    $q->send('scalar');
    my $s = $q->receive;
    is($s, 'scalar', 'scalar context returns the data');
    $q->send('');
    is(scalar $q->receive, '', 'an empty message');

    $q->send("t$_", type => $_) for 3, 1, 2, 5;
    is(($q->receive(type => 2))[1], 2, 'type > 0 takes the first of that type');
    is_deeply([$q->receive(type => -4)], ['t1', 1], 'type < 0 takes the lowest type <= |type|');
    is_deeply([$q->receive(type => 5, flags => MSG_EXCEPT)], ['t3', 3], 'flags => MSG_EXCEPT');
    is_deeply([$q->receive(type => 0, block => 0)], ['t5', 5], 'type 0 takes the first');
    error_ok(sub { $q->receive(block => 0) }, 'PolyIPC::BusyError', 'empty queue with block => 0');
    error_ok(sub { $q->receive(type => 9, block => 0) }, 'PolyIPC::BusyError', 'no message of that type');

    $q->send('copied', type => 4);
    is(scalar $q->receive(type => 0, flags => MSG_COPY), 'copied', 'MSG_COPY reads without removing')
        or diag('MSG_COPY needs CONFIG_CHECKPOINT_RESTORE');
    is($q->current_messages, 1, '... the message is still there');
    $q->receive;
};

subtest 'limits and bad values' => sub {
    my $q = new_q(max_message_size => 8);
    error_ok(sub { $q->send('x' x 9) }, 'PolyIPC::MessageSizeError', 'longer than max_message_size');
    error_ok(sub { $q->send('x', type => 0) }, 'PolyIPC::InvalidArgumentError', 'type 0');
    error_ok(sub { $q->send('x', type => -1) }, 'PolyIPC::InvalidArgumentError', 'negative type');
    error_ok(sub { $q->send('x', type => 1.5) }, 'PolyIPC::WrongTypeError', 'a fractional type');
    error_ok(sub { $q->send('x', type => 'abc') }, 'PolyIPC::WrongTypeError', 'a non-numeric type');
    error_ok(sub { $q->send('x', type => 2**64) }, 'PolyIPC::InvalidArgumentError', 'a huge type');
    error_ok(sub { $q->send("\x{263a}") }, 'PolyIPC::WrongTypeError', 'wide characters are refused');
    my $e = error_ok(sub { $q->send("\x{263a}") }, 'PolyIPC::Error', '...');
    like($e->message, qr/Wide character/, '... with a clear message') if ref $e;

    my $big = new_q(max_message_size => 16);
    $big->send('y' x 16);
    my $small = PolyIPC::MessageQueue->new($big->key, max_message_size => 4);
    error_ok(sub { $small->receive(block => 0) }, 'PolyIPC::MessageSizeError',
             'a message longer than the receive buffer');
    is(scalar $small->receive(flags => MSG_NOERROR), 'yyyy', 'flags => MSG_NOERROR truncates');

    my $full = new_q(max_message_size => 100);
    $full->set_max_size(200);
    is($full->max_size, 200, 'set_max_size');
    $full->send('z' x 100, block => 0) for 1 .. 2;
    error_ok(sub { $full->send('z', block => 0) }, 'PolyIPC::BusyError', 'a full queue with block => 0');
};

subtest 'accessors' => sub {
    my $q = new_q();
    is($q->current_messages, 0, 'current_messages');
    is($q->last_send_time, 0, 'last_send_time before any send');
    $q->send('x');
    ok($q->last_send_time > 0, 'last_send_time');
    is($q->last_send_pid, $$, 'last_send_pid');
    my $r = in_child(sub { $q->receive; 0 });
    ok($q->last_receive_time > 0, 'last_receive_time');
    ok($q->last_receive_pid > 0 && $q->last_receive_pid != $$, 'last_receive_pid is the child');
    ok($q->last_change_time > 0, 'last_change_time');
    is($q->uid, $<, 'uid');
    is($q->cuid, $<, 'cuid');
    is($q->gid, (split ' ', $()[0], 'gid');
    is($q->cgid, (split ' ', $()[0], 'cgid');
    $q->set_mode(0620);
    is($q->mode, 0620, 'set_mode');
    $q->set_uid($<);
    $q->set_gid((split ' ', $()[0]);
    ok($q->max_size > 0, 'max_size');
    $q->remove;
    error_ok(sub { $q->current_messages }, 'PolyIPC::ExistentialError', 'a live attribute after remove');
    error_ok(sub { $q->send('x') }, 'PolyIPC::ExistentialError', 'send after remove');
    error_ok(sub { $q->receive(block => 0) }, 'PolyIPC::ExistentialError', 'receive after remove');
};

subtest 'between processes; remove wakes a blocked receiver' => sub {
    my $q = new_q();
    my $back = new_q();
    my $pid = fork // die;
    if (!$pid) {
        my $rc = eval {
            my ($d, $t) = $q->receive(type => 2);
            $back->send(scalar reverse($d), type => $t + 1);
            0;
        } // 1;
        POSIX::_exit($rc);
    }
    $q->send("ab\0c", type => 2);
    is_deeply([$back->receive], ["c\0ba", 3], 'a child answered');
    waitpid $pid, 0;
    is($?, 0, 'child ok');

    $pid = fork // die;
    if (!$pid) {
        alarm 10;
        $back->send('ready');
        my $ok = eval { $q->receive; 1 };
        POSIX::_exit(!$ok && ref $@ && $@->isa('PolyIPC::ExistentialError') ? 0 : 1);
    }
    is(scalar $back->receive, 'ready', 'the receiver is about to block');
    # (msgrcv has no waiter count; whether it is already blocked or not, the
    # child gets EIDRM or EINVAL, both ExistentialError)
    $q->remove;
    waitpid $pid, 0;
    is($?, 0, 'the receiver got an ExistentialError');
};

done_testing();
