"""Shared fixtures of the Python tests (also used by minipytest.py).

Every fixture removes what it creates, even when the test fails."""
import os
import signal
import sys

import polyipc
import pytest

# Every test fails when it leaves a new System V object behind (the plugin
# shipped with the module, built on polyipc.list()).
pytest_plugins = ["polyipc_testing"]


def _remove(obj):
    try:
        obj.remove()
    except polyipc.ExistentialError:
        pass


@pytest.fixture
def sem():
    s = polyipc.Semaphore(None, polyipc.IPC_CREX)
    yield s
    _remove(s)


@pytest.fixture
def shm():
    m = polyipc.SharedMemory(None, polyipc.IPC_CREX, size=64)
    yield m
    _remove(m)
    if m.attached:
        try:
            m.detach()
        except BufferError:
            pass


@pytest.fixture
def mq():
    q = polyipc.MessageQueue(None, polyipc.IPC_CREX)
    yield q
    _remove(q)


def in_child(fn, timeout=20):
    """Runs fn() in a forked child; returns (exit status, None), or (None,
    signal number) when the child was killed by a signal, or (None, "timeout").
    fn's return value is the exit status (None -> 0); an exception prints it
    and exits with 3. The child's exit is awaited through a pipe (EOF when it
    exits), bounded by `timeout` seconds."""
    import select
    sys.stdout.flush()
    sys.stderr.flush()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(r)
            rc = fn()
            code = 0 if rc is None else int(rc)
        except BaseException as e:  # report and exit: never run the parent's code
            sys.stderr.write("child: %r\n" % (e,))
            code = 3
        finally:
            sys.stderr.flush()
            os._exit(code)
    os.close(w)
    try:
        ready, _, _ = select.select([r], [], [], timeout)
    finally:
        os.close(r)
    if not ready:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return (None, "timeout")
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return (None, os.WTERMSIG(status))
    return (os.WEXITSTATUS(status), None)
