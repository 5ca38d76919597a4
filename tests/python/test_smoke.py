"""Foundation smoke test: the module loads, exposes the error taxonomy, and
makes one real call on each primitive. The full API is tested elsewhere."""
import polyipc
import pytest


def test_error_classes_come_from_the_core_table():
    for name in ("ExistentialError", "PermissionsError", "BusyError", "NotAttachedError",
                 "InternalError", "InvalidArgumentError"):
        cls = getattr(polyipc, name)
        assert issubclass(cls, polyipc.Error)
    assert issubclass(polyipc.InvalidArgumentError, ValueError)


def test_semaphore_release_and_value():
    sem = polyipc.Semaphore(polyipc.IPC_PRIVATE, polyipc.IPC_CREX, initial_value=2)
    try:
        sem.release()
        assert sem.value == 3
        sem.block = False
        sem.acquire(delta=3)
        with pytest.raises(polyipc.BusyError):
            sem.acquire()
    finally:
        sem.remove()
    with pytest.raises(polyipc.ExistentialError):
        sem.value


def test_shared_memory_write_read():
    shm = polyipc.SharedMemory(None, polyipc.IPC_CREX, size=64)
    try:
        shm.write(b"a\x00b\xff", 10)
        assert shm.read(4, 10) == b"a\x00b\xff"
        assert shm.read(1, 0) == b" "
        with pytest.raises(polyipc.InvalidArgumentError):
            shm.read(1, 64)
    finally:
        shm.detach()
        shm.remove()


def test_message_queue_send_receive():
    q = polyipc.MessageQueue(polyipc.IPC_PRIVATE, polyipc.IPC_CREX)
    try:
        q.send(b"\x00hi\xff", True, 7)
        assert q.current_messages == 1
        assert q.receive() == (b"\x00hi\xff", 7)
        with pytest.raises(polyipc.BusyError):
            q.receive(False)
    finally:
        q.remove()
