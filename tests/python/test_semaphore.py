"""Semaphore: sysv_ipc 1.2.0 behaviour (docs/api.md)."""
import os
import time

import polyipc
import pytest
from conftest import _remove, in_child


def test_initial_value_only_when_created():
    s = polyipc.Semaphore(None, polyipc.IPC_CREX, initial_value=5)
    try:
        assert s.value == 5
        assert s.o_time == 0  # SETVAL, not semop
        s.value = 2
        again = polyipc.Semaphore(s.key, polyipc.IPC_CREAT, initial_value=9)
        assert again.value == 2 and again.id == s.id
        with pytest.raises(polyipc.ExistentialError):
            polyipc.Semaphore(s.key, polyipc.IPC_CREX)
    finally:
        s.remove()


@pytest.mark.parametrize("value", [-1, 32768, 2**40])
def test_initial_value_range(value):
    with pytest.raises(ValueError):
        polyipc.Semaphore(None, polyipc.IPC_CREX, initial_value=value)


def test_acquire_release_aliases_and_kwargs(sem):
    sem.release()
    sem.V(delta=2)
    assert sem.value == 3
    sem.acquire(timeout=0, delta=2)
    sem.P(0)
    assert sem.value == 0
    assert sem.last_pid == os.getpid()
    assert sem.o_time > 0


def test_busy_and_timeouts(sem):
    with pytest.raises(polyipc.BusyError):
        sem.acquire(0)
    t0 = time.monotonic()
    with pytest.raises(polyipc.BusyError):
        sem.acquire(0.05)
    assert time.monotonic() - t0 >= 0.04
    sem.block = False
    t0 = time.monotonic()
    with pytest.raises(polyipc.BusyError):
        sem.acquire(timeout=30)  # block=False wins over any timeout
    assert time.monotonic() - t0 < 5
    sem.release()
    with pytest.raises(polyipc.BusyError):
        sem.Z()
    sem.block = True
    with pytest.raises(polyipc.BusyError):
        sem.Z(timeout=0.01)
    sem.acquire()
    sem.Z()  # value is 0: returns at once


@pytest.mark.parametrize("timeout", [-1, -0.5, "1", b"1", [], float("nan")])
def test_bad_timeouts(sem, timeout):
    with pytest.raises((TypeError, ValueError)):
        sem.acquire(timeout)


def test_delta_rules(sem):
    with pytest.raises(ValueError):
        sem.acquire(delta=0)
    with pytest.raises(ValueError):
        sem.release(delta=0)
    with pytest.raises(OverflowError):
        sem.release(delta=2**40)
    with pytest.raises(TypeError):
        sem.release(delta=1.0)
    sem.value = polyipc.SEMAPHORE_VALUE_MAX
    with pytest.raises(ValueError) as info:
        sem.release()
    assert "The semaphore's value must remain between 0 and SEMVMX" in str(info.value)
    assert sem.value == polyipc.SEMAPHORE_VALUE_MAX


def test_value_attribute(sem):
    sem.value = 7
    assert sem.value == 7
    for bad, exc in ((-1, ValueError), (32768, ValueError), (1.5, TypeError), ("1", TypeError), (None, TypeError)):
        with pytest.raises(exc):
            sem.value = bad
    assert sem.value == 7


def test_block_and_undo_take_any_truth_value(sem):
    assert sem.block is True and sem.undo is False
    sem.block = 0
    sem.undo = "yes"
    assert sem.block is False and sem.undo is True


def test_undo_is_reverted_when_the_process_exits(sem):
    sem.value = 3
    def child():
        sem.undo = True
        sem.acquire(0, delta=2)
        return 0 if sem.value == 1 else 1
    assert in_child(child) == (0, None)
    assert sem.value == 3


def test_permission_attributes(sem):
    assert sem.mode == 0o600
    sem.mode = 0o640
    assert sem.mode == 0o640
    assert sem.uid == os.geteuid() and sem.cuid == os.geteuid()
    assert sem.gid == os.getegid() and sem.cgid == os.getegid()
    sem.uid = 65534
    sem.gid = 65534
    assert (sem.uid, sem.gid, sem.cuid) == (65534, 65534, os.geteuid())
    for name in ("mode", "uid", "gid"):
        with pytest.raises(TypeError):
            setattr(sem, name, "0")
    with pytest.raises(ValueError):
        sem.uid = -5
    assert sem.waiting_for_nonzero == 0 and sem.waiting_for_zero == 0


def test_context_manager(sem):
    sem.value = 1
    with sem as s:
        assert s is sem and sem.value == 0
    assert sem.value == 1
    with pytest.raises(KeyError):
        with sem:
            raise KeyError("not swallowed")
    assert sem.value == 1


def test_after_remove(sem):
    sem.remove()
    for name in ("value", "mode", "uid", "gid", "cuid", "cgid", "last_pid", "waiting_for_nonzero",
                 "waiting_for_zero", "o_time"):
        with pytest.raises(polyipc.ExistentialError):
            getattr(sem, name)
    assert sem.key and sem.id >= 0 and sem.block is True and sem.undo is False
    for call in (sem.release, sem.remove, lambda: sem.acquire(0), sem.Z):
        with pytest.raises(polyipc.ExistentialError):
            call()
    with pytest.raises(polyipc.ExistentialError):
        sem.value = 1


def test_permissions_error_for_another_user():
    s = polyipc.Semaphore(None, polyipc.IPC_CREX, mode=0o600)
    try:
        def child():
            os.setgroups([])
            os.setresgid(65534, 65534, 65534)
            os.setresuid(65534, 65534, 65534)
            try:
                polyipc.Semaphore(s.key)
            except polyipc.PermissionsError as e:
                return 0 if e.errno in (13, 1) else 2
            return 1
        assert in_child(child) == (0, None)
    finally:
        s.remove()
