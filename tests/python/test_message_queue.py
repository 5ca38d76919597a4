"""MessageQueue: sysv_ipc 1.2.0 behaviour plus receive(flags=) (docs/api.md)."""
import errno
import os

import polyipc
import pytest


def test_send_receive_binary_and_types(mq):
    mq.send(b"\x00hi\xff", True, 7)
    mq.send(message="é", type=2)
    mq.send(bytearray(b"3"), block=False, type=3)
    assert mq.current_messages == 3
    assert mq.receive(type=3) == (b"3", 3)
    assert mq.receive() == (b"\x00hi\xff", 7)
    assert mq.receive(block=False) == ("é".encode(), 2)
    with pytest.raises(polyipc.BusyError):
        mq.receive(False)
    assert mq.last_send_pid == os.getpid() == mq.last_receive_pid
    assert mq.last_send_time > 0 and mq.last_receive_time > 0 and mq.last_change_time > 0


def test_type_selection(mq):
    for t in (5, 2, 9, 2):
        mq.send(str(t), type=t)
    assert mq.receive(type=-4) == (b"2", 2)  # lowest type <= 4
    assert mq.receive(type=9) == (b"9", 9)
    assert mq.receive(type=0) == (b"5", 5)
    assert mq.receive() == (b"2", 2)


def test_receive_flags(mq):
    for t in (1, 2, 3):
        mq.send(b"m%d" % t, type=t)
    assert mq.receive(type=1, flags=polyipc.MSG_EXCEPT) == (b"m2", 2)
    assert mq.receive(type=1, flags=polyipc.MSG_COPY) == (b"m3", 3)  # position 1, not removed
    assert mq.current_messages == 2
    small = polyipc.MessageQueue(mq.key, max_message_size=1)
    assert small.receive(flags=polyipc.MSG_NOERROR) == (b"m", 1)
    with pytest.raises(polyipc.MessageSizeError) as info:
        small.receive()
    assert isinstance(info.value, OSError) and info.value.errno == errno.E2BIG
    assert isinstance(info.value, ValueError)
    with pytest.raises(ValueError):
        mq.receive(flags=-1)


def test_send_rules(mq):
    for t in (0, -1):
        with pytest.raises(ValueError):
            mq.send(b"x", type=t)
    with pytest.raises(ValueError):
        mq.send(b"x" * 2049)
    with pytest.raises(OverflowError):
        mq.send(b"x", type=2**70)
    for bad in (5, None, 1.5, [b"x"]):
        with pytest.raises(TypeError):
            mq.send(bad)
    # a view that is not one block: CPython's BufferError (sysv_ipc's "s*"), not a TypeError
    with pytest.raises(BufferError):
        mq.send(memoryview(b"abcd")[::2])
    mq.send(b"x" * 2048)
    assert mq.receive()[0] == b"x" * 2048


def test_max_message_size_rules():
    for bad in (0, -1, 2**40):
        with pytest.raises(ValueError):
            polyipc.MessageQueue(None, polyipc.IPC_CREX, max_message_size=bad)


def test_full_queue_nonblocking_send_is_busy(mq):
    mq.max_size = 10
    assert mq.max_size == 10
    mq.send(b"x" * 10)
    with pytest.raises(polyipc.BusyError):
        mq.send(b"y", block=False)


def test_attributes(mq):
    assert mq.mode == 0o600 and mq.uid == os.geteuid() and mq.cuid == os.geteuid()
    assert mq.cgid == os.getegid() and mq.gid == os.getegid()
    mq.mode = 0o620
    mq.gid = 65534
    assert mq.mode == 0o620 and mq.gid == 65534
    assert mq.max_message_size == 2048


def test_context_manager_and_remove(mq):
    with mq as q:
        assert q is mq
        q.send(b"x")
    assert mq.current_messages == 1  # exit does not remove
    mq.remove()
    for name in ("current_messages", "max_size", "mode", "last_send_pid"):
        with pytest.raises(polyipc.ExistentialError):
            getattr(mq, name)
    with pytest.raises(polyipc.ExistentialError):
        mq.send(b"x")
    with pytest.raises(polyipc.ExistentialError):
        mq.receive(block=False)
