"""Python threads around every object kind (issue 12, "Threads").

Objects created in one thread, used in another, detached or removed in a
third; memoryviews of a segment crossing threads; a thread ending while it
holds a reference; waits blocked in a thread while another removes the
object. Blocking calls release the GIL, so threads make progress while one
waits. Threads are synchronised with the primitives themselves or with
threading.Event, and every wait is bounded."""
import threading
import time

import polyipc
import pytest

BOUND = 10.0  # seconds: every wait in this file ends by then at the latest


def run(fn, *args):
    """Runs fn(*args) in a thread; returns a function that joins it (bounded)
    and returns fn's result or re-raises its exception."""
    box = {}

    def body():
        try:
            box["result"] = fn(*args)
        except BaseException as e:  # handed to the joining thread
            box["error"] = e

    t = threading.Thread(target=body, daemon=True)  # a hung thread cannot hang the run
    t.start()

    def join():
        t.join(BOUND)
        assert not t.is_alive(), "the thread did not finish within %ss" % BOUND
        if "error" in box:
            raise box["error"]
        return box.get("result")

    join.thread = t
    return join


def wait_until(pred, what):
    deadline = time.monotonic() + BOUND
    while not pred():
        assert time.monotonic() < deadline, "timed out waiting for " + what
        time.sleep(0.0005)


def waits_in(what):
    """Is a thread of this process sleeping in msgrcv/msgsnd/semop?"""
    import glob
    for f in glob.glob("/proc/self/task/*/wchan"):
        try:
            with open(f) as fh:
                w = fh.read()
        except OSError:
            continue
        if "do_" + what in w or "sys_" + what in w:
            return True
    return False


# ---- every object kind: create, use, remove in different threads ----------

def test_semaphore_across_threads():
    s = run(lambda: polyipc.Semaphore(None, polyipc.IPC_CREX, initial_value=1))()
    try:
        def use():
            with s:
                inside = s.value
            s.release(2)
            return inside
        assert run(use)() == 0
        assert s.value == 3
        run(s.remove)()
        with pytest.raises(polyipc.ExistentialError):
            s.value
    finally:
        try:
            s.remove()
        except polyipc.ExistentialError:
            pass


def test_semaphore_set_across_threads():
    ss = run(lambda: polyipc.SemaphoreSet(None, 3, polyipc.IPC_CREX))()
    try:
        run(lambda: ss.op([(0, 1), (2, 4)]))()
        assert run(ss.get_values)() == [1, 0, 4]
        run(ss.remove)()
        with pytest.raises(polyipc.ExistentialError):
            ss.get_values()
    finally:
        try:
            ss.remove()
        except polyipc.ExistentialError:
            pass


def test_shared_memory_across_threads():
    m = run(lambda: polyipc.SharedMemory(None, polyipc.IPC_CREX, size=64))()
    try:
        run(lambda: m.write(b"from a thread", 3))()
        assert m.read(13, 3) == b"from a thread"
        run(m.detach)()
        assert not m.attached
        with pytest.raises(polyipc.NotAttachedError):
            m.read()
        run(m.attach)()
        assert m.read(13, 3) == b"from a thread"
        run(m.remove)()
        m.detach()
    finally:
        try:
            m.remove()
        except polyipc.ExistentialError:
            pass


def test_message_queue_across_threads():
    q = run(lambda: polyipc.MessageQueue(None, polyipc.IPC_CREX))()
    try:
        receiver = run(q.receive)
        run(lambda: q.send(b"across\0threads", type=7))()
        assert receiver() == (b"across\0threads", 7)
        run(q.remove)()
        with pytest.raises(polyipc.ExistentialError):
            q.send(b"x")
    finally:
        try:
            q.remove()
        except polyipc.ExistentialError:
            pass


# ---- memoryviews of a segment crossing threads ------------------------------

def test_memoryview_crosses_threads(shm):
    mv = run(lambda: memoryview(shm))()
    run(lambda: mv.__setitem__(slice(0, 5), b"hello"))()
    assert shm.read(5) == b"hello"
    # detach refuses while the view is alive, from any thread
    with pytest.raises(BufferError):
        run(shm.detach)()
    assert shm.attached and bytes(mv[:5]) == b"hello"
    run(mv.release)()
    run(shm.detach)()
    assert not shm.attached


def test_thread_ending_with_a_view_leaves_no_export(shm):
    def hold_and_end():
        view = memoryview(shm)
        return bytes(view[:1])  # the view goes with the thread's frame
    assert run(hold_and_end)() == b" "
    shm.detach()  # no export is left behind
    shm.attach()


def test_views_in_many_threads(shm):
    shm.write(b"z" * 64)
    errors = []
    start = threading.Barrier(4, timeout=BOUND)

    def worker():
        start.wait()
        for _ in range(500):
            with memoryview(shm) as mv:
                if bytes(mv[:64]) != b"z" * 64:
                    errors.append("bad read")
    joins = [run(worker) for _ in range(4)]
    for j in joins:
        j()
    assert errors == []
    shm.detach()  # every export was released
    shm.attach()


# ---- waits blocked in a thread while another removes the object ------------

@pytest.mark.parametrize("form", ["acquire", "with", "Z", "op", "receive", "send"])
def test_remove_wakes_a_waiting_thread(form):
    s = polyipc.Semaphore(None, polyipc.IPC_CREX)
    ss = polyipc.SemaphoreSet(None, 2, polyipc.IPC_CREX)
    q = polyipc.MessageQueue(None, polyipc.IPC_CREX)
    try:
        if form == "Z":
            s.value = 1
        if form == "send":
            q.max_size = 1
            q.send(b"x")

        def wait():
            if form == "acquire":
                s.acquire(timeout=BOUND)
            elif form == "with":
                with s:
                    pass
            elif form == "Z":
                s.Z(timeout=BOUND)
            elif form == "op":
                ss.op([(1, -1)], timeout=BOUND)
            elif form == "receive":
                q.receive()
            elif form == "send":
                q.send(b"y")
        join = run(wait)
        if form in ("acquire", "with"):
            wait_until(lambda: s.waiting_for_nonzero == 1, "the waiter")
        elif form == "Z":
            wait_until(lambda: s.waiting_for_zero == 1, "the waiter")
        elif form == "op":
            wait_until(lambda: ss.waiting_for_nonzero(1) == 1, "the waiter")
        else:
            wait_until(lambda: waits_in("msg"), "the waiter")
        {"op": ss, "receive": q, "send": q}.get(form, s).remove()
        with pytest.raises(polyipc.ExistentialError):
            join()
    finally:
        for o in (s, ss, q):
            try:
                o.remove()
            except polyipc.ExistentialError:
                pass


# ---- many threads on one semaphore: the GIL is released while waiting ----------

def test_threads_count_exactly_under_a_semaphore(shm):
    s = polyipc.Semaphore(None, polyipc.IPC_CREX, initial_value=1)
    try:
        shm.write(b"\0" * 8)

        def add(n):
            for _ in range(n):
                with s:
                    v = int.from_bytes(shm.read(8), "little")
                    time.sleep(0)  # invite a switch inside the critical section
                    shm.write((v + 1).to_bytes(8, "little"))
        joins = [run(add, 300) for _ in range(4)]
        for j in joins:
            j()
        assert int.from_bytes(shm.read(8), "little") == 1200
        assert s.value == 1
    finally:
        s.remove()
