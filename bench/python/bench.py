"""The Python side of polyipc's benchmark suite.

    python3 bench.py MODULE WORKLOAD COUNT [WARMUP]

MODULE is "sysv_ipc" (the incumbent, Debian's python3-sysv-ipc) or "polyipc".
The workload code is the SAME for both: polyipc is a drop-in for sysv_ipc, so
only the imported module differs. Creates private objects, runs WARMUP operations (default COUNT/10, at least 10),
times COUNT operations with time.perf_counter_ns (a monotonic clock), checks
the data, removes what it created and prints "RESULT <ns per op>". A wrong
datum exits with status 1.
"""
import importlib
import os
import sys
import time

MSG_CAP = 4096


def payload(n):
    return bytes((7 * i + 3) & 0xFF for i in range(n))


def fail(msg):
    sys.stderr.write("bench python/%s %s: check failed: %s\n" % (MODULE, WORKLOAD, msg))
    sys.exit(1)


def timed(step, count, warmup):
    """Runs step(n) for the warm-up, then times step(count); returns ns/op."""
    step(warmup)
    t0 = time.perf_counter_ns()
    step(count)
    return (time.perf_counter_ns() - t0) / count


def wait_child(pid):
    _, status = os.waitpid(pid, 0)
    if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
        fail("child exit status %r" % status)


def run(ipc, workload, count, warmup):
    crex = ipc.IPC_CREX
    if workload == "sem_value":
        sem = ipc.Semaphore(ipc.IPC_PRIVATE, crex, initial_value=7)
        try:
            def step(n):
                v = 0
                for _ in range(n):
                    v = sem.value
                if v != 7:
                    fail("value %r != 7" % v)
            return timed(step, count, warmup)
        finally:
            sem.remove()

    if workload == "sem_acquire_release":
        sem = ipc.Semaphore(ipc.IPC_PRIVATE, crex, initial_value=1)
        try:
            def step(n):
                for _ in range(n):
                    sem.acquire()
                    sem.release()
            ns = timed(step, count, warmup)
            if sem.value != 1:
                fail("value back to 1")
            return ns
        finally:
            sem.remove()

    if workload in ("msg_64", "msg_4k"):
        data = payload(64 if workload == "msg_64" else 4096)
        q = ipc.MessageQueue(ipc.IPC_PRIVATE, crex, max_message_size=MSG_CAP)
        try:
            got = [None]

            def step(n):
                r = None
                for _ in range(n):
                    q.send(data)
                    r = q.receive()
                got[0] = r
            ns = timed(step, count, warmup)
            if got[0] != (data, 1):
                fail("message round trip")
            return ns
        finally:
            q.remove()

    if workload == "msg_pingpong":
        data = payload(64)
        q = ipc.MessageQueue(ipc.IPC_PRIVATE, crex, max_message_size=MSG_CAP)
        try:
            pid = os.fork()
            if pid == 0:
                code = 2
                try:
                    for _ in range(warmup + count):
                        m, _t = q.receive(type=1)
                        q.send(m, type=2)
                    code = 0
                finally:
                    os._exit(code)
            got = [None]

            def step(n):
                r = None
                for _ in range(n):
                    q.send(data, type=1)
                    r = q.receive(type=2)
                got[0] = r
            ns = timed(step, count, warmup)
            wait_child(pid)
            if got[0] != (data, 2):
                fail("echoed message")
            return ns
        finally:
            q.remove()

    if workload == "sem_handoff":
        a = ipc.Semaphore(ipc.IPC_PRIVATE, crex, initial_value=0)
        b = ipc.Semaphore(ipc.IPC_PRIVATE, crex, initial_value=0)
        try:
            pid = os.fork()
            if pid == 0:
                code = 2
                try:
                    for _ in range(warmup + count):
                        a.acquire()
                        b.release()
                    code = 0
                finally:
                    os._exit(code)
            def step(n):
                for _ in range(n):
                    a.release()
                    b.acquire()
            ns = timed(step, count, warmup)
            wait_child(pid)
            if a.value != 0 or b.value != 0:
                fail("values back to 0")
            return ns
        finally:
            a.remove()
            b.remove()

    if workload in ("shm_64", "shm_1m"):
        size = 64 if workload == "shm_64" else 1 << 20
        data = payload(size)
        shm = ipc.SharedMemory(ipc.IPC_PRIVATE, crex, size=size)
        try:
            got = [None]

            def step(n):
                r = None
                for _ in range(n):
                    shm.write(data)
                    r = shm.read(size)
                got[0] = r
            ns = timed(step, count, warmup)
            if got[0] != data:
                fail("read back what was written")
            return ns
        finally:
            shm.detach()
            shm.remove()

    fail("unknown workload %s" % workload)


if __name__ == "__main__":
    MODULE, WORKLOAD, COUNT = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ipc = importlib.import_module(MODULE)
    WARMUP = int(sys.argv[4]) if len(sys.argv) > 4 else max(COUNT // 10, 10)
    ns = run(ipc, WORKLOAD, COUNT, WARMUP)
    print("RESULT %.1f" % ns)
