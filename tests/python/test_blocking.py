"""Blocking calls release the GIL and stay interruptible by signals.

Processes and threads are synchronised with the primitives themselves (a
waiter is seen through waiting_for_nonzero / the kernel's queue state), and
every wait is bounded."""
import os
import signal
import threading
import time
import tracemalloc

import polyipc
import pytest

BOUND = 10.0  # seconds: every wait in this file ends by then at the latest


class Alarm(Exception):
    pass


def wait_until(pred, what):
    """Polls pred() (cheap kernel reads) while another thread is blocked in C."""
    deadline = time.monotonic() + BOUND
    while not pred():
        assert time.monotonic() < deadline, "timed out waiting for " + what
        time.sleep(0)  # yield the GIL; no fixed delay


def test_gil_is_released_while_acquire_waits(sem):
    done = []
    t = threading.Thread(target=lambda: (sem.acquire(timeout=BOUND), done.append(True)))
    t.start()
    # This loop runs Python code while the other thread sits in semtimedop:
    # it could not if the wait held the GIL.
    counted = 0
    deadline = time.monotonic() + BOUND
    while sem.waiting_for_nonzero == 0:
        counted += 1
        assert time.monotonic() < deadline
    sem.release()
    t.join(BOUND)
    assert done == [True] and not t.is_alive()


def test_gil_is_released_while_receive_and_op_wait(mq):
    results = []
    t = threading.Thread(target=lambda: results.append(mq.receive()))
    t.start()
    s = polyipc.SemaphoreSet(None, 2, polyipc.IPC_CREX)
    try:
        t2 = threading.Thread(target=lambda: results.append(s.op([(0, -1), (1, -1)], timeout=BOUND)))
        t2.start()
        wait_until(lambda: s.waiting_for_nonzero(0) == 1, "the op() waiter")
        s.set_values([1, 1])
        t2.join(BOUND)
        # the receiver is blocked in msgrcv: send wakes it
        mq.send(b"wake", type=4)
        t.join(BOUND)
        assert (b"wake", 4) in results and None in results
    finally:
        s.remove()


def _with_alarm(seconds, handler):
    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    return old


def _restore(old):
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, old)


def _raise_alarm(signum, frame):
    raise Alarm()


@pytest.mark.parametrize("call", ["acquire", "Z", "enter", "receive", "send", "op"])
def test_raising_handler_interrupts_promptly(call, sem, mq):
    s = polyipc.SemaphoreSet(None, 1, polyipc.IPC_CREX)
    try:
        sem.value = 0
        if call == "Z":
            sem.value = 1
        if call == "send":
            mq.max_size = 1
            mq.send(b"x")
        fn = {
            "acquire": lambda: sem.acquire(),
            "Z": lambda: sem.Z(),
            "enter": lambda: sem.__enter__(),
            "receive": lambda: mq.receive(),
            "send": lambda: mq.send(b"y"),
            "op": lambda: s.op([(0, -1)]),
        }[call]
        old = _with_alarm(0.1, _raise_alarm)
        t0 = time.monotonic()
        try:
            with pytest.raises(Alarm):
                fn()
        finally:
            _restore(old)
        assert time.monotonic() - t0 < BOUND / 2
    finally:
        s.remove()


def test_keyboard_interrupt_propagates(sem):
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    pid = os.getpid()
    t = threading.Thread(target=lambda: (wait_until(lambda: sem.waiting_for_nonzero == 1, "the waiter"),
                                         os.kill(pid, signal.SIGINT)))
    try:
        t.start()
        with pytest.raises(KeyboardInterrupt):
            sem.acquire(timeout=BOUND)
    finally:
        t.join(BOUND)
        signal.signal(signal.SIGINT, old)


def test_non_raising_handler_resumes_the_wait(sem, mq):
    ran = threading.Event()

    def handler(signum, frame):
        ran.set()

    def releaser():
        # after the handler ran (the wait was interrupted and resumed), wake it
        assert ran.wait(BOUND)
        wait_until(lambda: sem.waiting_for_nonzero == 1, "the resumed waiter")
        sem.release()
        mq.send(b"after signal", type=2)

    old = _with_alarm(0.05, handler)
    t = threading.Thread(target=releaser)
    t.start()
    try:
        sem.acquire(timeout=BOUND)  # returns normally: the wait resumed
        assert ran.is_set()
        ran.clear()
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        assert mq.receive() == (b"after signal", 2)
    finally:
        t.join(BOUND)
        _restore(old)


def test_timeout_survives_a_non_raising_signal(sem):
    old = _with_alarm(0.02, lambda *a: None)
    t0 = time.monotonic()
    try:
        with pytest.raises(polyipc.BusyError):
            sem.acquire(timeout=0.2)
    finally:
        _restore(old)
    elapsed = time.monotonic() - t0
    assert 0.15 <= elapsed < BOUND / 2  # the remaining time, not a fresh full timeout each retry


def test_big_receive_resumes_after_a_handler_and_a_raising_one_leaks_nothing():
    """Above 8 KiB of capacity receive waits in the bytes object it returns:
    a handler that returns keeps it for the retry, a raising one frees it."""
    q = polyipc.MessageQueue(None, polyipc.IPC_CREX, max_message_size=1 << 20)
    try:
        data = bytes(range(256)) * 24  # 6 KiB (msgmax is 8 KiB by default)

        def send_from_handler(signum, frame):
            q.send(data, type=7)

        old = _with_alarm(0.05, send_from_handler)
        try:
            assert q.receive() == (data, 7)
        finally:
            _restore(old)

        def interrupted(n):
            for _ in range(n):
                old = _with_alarm(0.002, _raise_alarm)
                try:
                    with pytest.raises(Alarm):
                        q.receive(type=3)
                finally:
                    _restore(old)

        tracemalloc.start()
        try:
            interrupted(3)
            before = tracemalloc.get_traced_memory()[0]
            interrupted(20)  # a leaked receive buffer would be 1 MiB each
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        assert grown < 1 << 20, "20 interrupted 1 MiB receives kept %d bytes" % grown
    finally:
        q.remove()


def test_remove_wakes_a_blocked_waiter(sem):
    errors = []

    def waiter():
        try:
            sem.acquire(timeout=BOUND)
        except polyipc.ExistentialError as e:
            errors.append(e)

    t = threading.Thread(target=waiter)
    t.start()
    wait_until(lambda: sem.waiting_for_nonzero == 1, "the waiter")
    sem.remove()
    t.join(BOUND)
    assert len(errors) == 1


# ---- a handled signal never turns a successful wait into an error (issue 12) ----
# A no-op handler runs while the call waits; the retry then succeeds. The
# result must be the success, not the EINTR recorded by the first attempt.
# A forked child waits until this process sleeps in the System V call
# (/proc/<pid>/wchan), sends SIGUSR1, waits until the signal has been taken
# (no longer pending in /proc/<pid>/status, so the first attempt has returned
# EINTR) and only then does what lets the call complete.

def _blocked_in_ipc(pid):
    try:
        with open("/proc/%d/wchan" % pid) as f:
            wchan = f.read()
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    if any(w in wchan for w in ("do_sem", "do_msg", "sys_sem", "sys_msg")):
        return True
    return wchan in ("", "0") and state == "S"  # wchan hidden: any sleep


def _sigusr1_pending(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(("SigPnd:", "ShdPnd:")) and int(line.split()[1], 16) & (1 << (signal.SIGUSR1 - 1)):
                return True
    return False


def _signal_then(complete):
    """Forks the signaller; returns its pid. complete() runs in the child."""
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            deadline = time.monotonic() + BOUND
            while not _blocked_in_ipc(parent) and time.monotonic() < deadline:
                time.sleep(0.001)  # polling the kernel's state, not a synchronising delay
            os.kill(parent, signal.SIGUSR1)
            while _sigusr1_pending(parent) and time.monotonic() < deadline:
                time.sleep(0.001)
            complete()
            code = 0
        finally:
            os._exit(code)
    return pid


def _reap(pid):
    deadline = time.monotonic() + BOUND
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError("the signaller did not finish")


@pytest.mark.parametrize("form", ["acquire", "P", "with", "enter", "Z", "op", "receive", "send"])
def test_handled_signal_keeps_a_successful_wait(form, sem, mq):
    s = polyipc.SemaphoreSet(None, 1, polyipc.IPC_CREX)
    handled = []
    old = signal.signal(signal.SIGUSR1, lambda *a: handled.append(True))
    # a watchdog: a wait that never completes ends in Alarm, not a hang
    old_alarm = _with_alarm(BOUND, _raise_alarm)
    ran = []
    try:
        if form == "Z":
            sem.value = 1
        if form == "send":
            mq.max_size = 1
            mq.send(b"x")
        complete = {
            "Z": lambda: sem.acquire(timeout=BOUND),
            "op": lambda: s.op([(0, 1)]),
            "receive": lambda: mq.send(b"after signal", type=5),
            "send": lambda: mq.receive(),
        }.get(form, lambda: sem.release())
        pid = _signal_then(complete)
        try:
            if form == "acquire":
                sem.acquire()
            elif form == "P":
                sem.P(timeout=BOUND)
            elif form == "with":
                with sem:
                    ran.append(sem.value)
                assert ran == [0]  # the block ran while holding the semaphore
            elif form == "enter":
                assert sem.__enter__() is sem
            elif form == "Z":
                sem.Z()
            elif form == "op":
                s.op([(0, -1)], timeout=BOUND)
            elif form == "receive":
                assert mq.receive() == (b"after signal", 5)
            elif form == "send":
                mq.send(b"y")
        finally:
            assert os.WIFEXITED(_reap(pid))
        assert handled, "the signal was not handled during the wait"
        if form == "with":
            assert sem.value == 1  # __exit__ released it
        elif form in ("acquire", "P", "enter", "Z"):
            assert sem.value == 0
        elif form == "op":
            assert s.get_value(0) == 0
        elif form == "send":
            assert mq.receive(block=False) == (b"y", 1)
    finally:
        _restore(old_alarm)
        signal.signal(signal.SIGUSR1, old)
        s.remove()
