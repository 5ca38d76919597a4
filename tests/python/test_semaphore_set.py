"""SemaphoreSet: atomic multi-operation sets (beyond sysv_ipc)."""
import polyipc
import pytest


@pytest.fixture
def sems():
    s = polyipc.SemaphoreSet(polyipc.IPC_PRIVATE, 3, polyipc.IPC_CREX, initial_value=1)
    yield s
    try:
        s.remove()
    except polyipc.ExistentialError:
        pass


def test_created_with_initial_values(sems):
    assert sems.nsems == 3
    assert sems.get_values() == [1, 1, 1]
    assert sems.o_time == 0


def test_op_is_atomic_all_or_nothing(sems):
    sems.set_values([2, 0, 5])
    # semaphore 1 is 0, so the whole operation would block: nothing changes
    with pytest.raises(polyipc.BusyError):
        sems.op([(0, -1), (1, -1, polyipc.IPC_NOWAIT), (2, 3)])
    assert sems.get_values() == [2, 0, 5]
    sems.op([(0, -2), (1, 4), (2, -5)], timeout=0)
    assert sems.get_values() == [0, 4, 0]
    assert sems.get_value(1) == 4


def test_timeout_expires_with_busy(sems):
    sems.set_value(0, 0)
    with pytest.raises(polyipc.BusyError):
        sems.op([(0, -1)], timeout=0.05)


def test_pid_and_wait_counts(sems):
    import os
    sems.op([(2, 1)])
    assert sems.last_pid(2) == os.getpid()
    assert sems.waiting_for_nonzero(0) == 0
    assert sems.waiting_for_zero(0) == 0


@pytest.mark.parametrize("ops, exc", [
    ("nope", polyipc.WrongTypeError),
    ([(0,)], polyipc.WrongTypeError),
    ([(0, 1, 0, 0)], polyipc.WrongTypeError),
    ([("0", 1)], polyipc.WrongTypeError),
    ([(3, 1)], polyipc.InvalidArgumentError),
    ([(0, 1 << 70)], polyipc.InvalidArgumentError),
    ([], polyipc.InvalidArgumentError),
])
def test_bad_operations_are_refused(sems, ops, exc):
    with pytest.raises(exc):
        sems.op(ops)
    assert sems.get_values() == [1, 1, 1]


def test_set_values_needs_nsems_items(sems):
    with pytest.raises(polyipc.InvalidArgumentError):
        sems.set_values([1, 2])
    with pytest.raises(polyipc.InvalidArgumentError):
        sems.set_values([1, 2, polyipc.SEMAPHORE_VALUE_MAX + 1])
    assert sems.get_values() == [1, 1, 1]


def test_use_after_remove(sems):
    sems.remove()
    with pytest.raises(polyipc.ExistentialError):
        sems.get_values()
    with pytest.raises(polyipc.ExistentialError):
        sems.op([(0, 1)])
