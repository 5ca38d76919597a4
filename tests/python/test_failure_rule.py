"""Every wrapper decides failure by the status or NULL result of its call,
never by the thread's error record (docs/architecture.md, "Failure rules").

A call that succeeds raises nothing even when an error was recorded during
it: here the recorded error comes from Python code the call runs itself (an
owner's __index__ that makes a polyipc call fail and catches its error).
"""
import os
import sys

import polyipc
import pytest


class _OwnerRecordingAnError:
    """An owner (a uid) whose conversion records an error in the thread."""

    def __init__(self):
        self.calls = 0

    def __index__(self):
        self.calls += 1
        with pytest.raises(polyipc.ExistentialError):
            polyipc.attach(-1 & 0x7FFFFFFF)  # no segment has this id
        return os.getuid()


def test_list_succeeds_after_an_error_recorded_during_the_call():
    owner = _OwnerRecordingAnError()
    records = polyipc.list(owner=owner)
    assert owner.calls == 1
    assert isinstance(records, list)


def test_calls_succeed_after_a_stale_error():
    shm = polyipc.SharedMemory(None, polyipc.IPC_CREX, size=polyipc.PAGE_SIZE)
    try:
        with pytest.raises(polyipc.ExistentialError):
            polyipc.attach(-1 & 0x7FFFFFFF)  # leaves the error recorded
        assert any(r.id == shm.id for r in polyipc.list(kind="shm"))
        with pytest.raises(polyipc.ExistentialError):
            polyipc.attach(-1 & 0x7FFFFFFF)
        assert polyipc.info("shm", shm.id).id == shm.id
        with pytest.raises(polyipc.ExistentialError):
            polyipc.attach(-1 & 0x7FFFFFFF)
        assert len(polyipc.limits()) > 0
        snap = polyipc.LeakSnapshot()
        with pytest.raises(polyipc.ExistentialError):
            polyipc.attach(-1 & 0x7FFFFFFF)
        assert snap.new_objects() == []
        with pytest.raises(polyipc.ExistentialError):
            polyipc.attach(-1 & 0x7FFFFFFF)
        del snap
    finally:
        shm.detach()
        shm.remove()


def test_destructors_report_nothing_after_a_stale_error():
    unraisable = []
    hook, sys.unraisablehook = sys.unraisablehook, unraisable.append
    try:
        objs = [polyipc.Semaphore(None, polyipc.IPC_CREX), polyipc.MessageQueue(None, polyipc.IPC_CREX),
                polyipc.SemaphoreSet(None, 2, polyipc.IPC_CREX),
                polyipc.SharedMemory(None, polyipc.IPC_CREX, size=polyipc.PAGE_SIZE)]
        for o in objs:
            o.remove()
        snap = polyipc.LeakSnapshot()
        while objs:
            with pytest.raises(polyipc.ExistentialError):
                polyipc.attach(-1 & 0x7FFFFFFF)
            objs.pop()  # the last reference: its destructor runs (a SharedMemory detaches)
        with pytest.raises(polyipc.ExistentialError):
            polyipc.attach(-1 & 0x7FFFFFFF)
        del snap
    finally:
        sys.unraisablehook = hook
    assert unraisable == []
