"""Signal-storm stress worker, Python side (protocol: see driver.py).

    worker.py ROLE ID SECONDS OUT Q SHM MUTEX GATE READY TICK MAXBODY

Installs no-op SIGUSR1/SIGALRM handlers that count, per blocking form, the
signals that arrived while the worker was in that call; then plays ROLE
(producer, consumer or counter) until SECONDS have passed after the start
gate opened, and writes "name value" lines to OUT. A consumer also writes
one record per message it received to stdout (see driver.py)."""
import hashlib
import os
import random
import signal
import struct
import sys
import time

import polyipc

phase = None
hits = {}


def on_signal(signum, frame):
    hits[phase] = hits.get(phase, 0) + 1


def producer(a, q, out):
    rnd = random.Random(a.id)
    seq = full = 0
    deadline = time.monotonic() + a.seconds
    global phase
    while time.monotonic() < deadline:
        n = (0, a.maxbody, rnd.randrange(a.maxbody + 1))[seq % 3]
        body = bytes(n) if seq % 7 == 0 else rnd.randbytes(n)
        msg = struct.pack(">HI", a.id, seq) + hashlib.md5(body).digest() + body
        typ = 1 + seq % 4
        if seq % 2:
            try:  # proves the queue fills up: a later blocking send waits
                q.send(msg, block=False, type=typ)
                seq += 1
                continue
            except polyipc.BusyError:
                full += 1
        phase = "send"
        q.send(msg, type=typ)
        phase = None
        seq += 1
    out.write("sent %d\nfull %d\n" % (seq, full))


def consumer(a, q, out):
    got = empty = 0
    global phase
    with open(sys.stdout.fileno(), "wb", closefd=False) as msgs:
        while True:
            selector = (0, -5)[got % 2]
            if got % 3 == 0:
                try:
                    data, typ = q.receive(block=False, type=selector)
                except polyipc.BusyError:
                    empty += 1
                    data = None
            else:
                data = None
            if data is None:
                phase = "receive"
                data, typ = q.receive(type=selector)
                phase = None
            if typ == 5:
                break
            if len(data) < 22:
                ident, seq, intact = 0, 0, False
            else:
                ident, seq = struct.unpack(">HI", data[:6])
                intact = hashlib.md5(data[22:]).digest() == data[6:22]
            msgs.write(struct.pack(">HIIIB", ident, seq, typ, len(data), intact))
            got += 1
    out.write("received %d\nempty %d\n" % (got, empty))


def counter(a, mutex, muset, shm, tick, out):
    global phase
    pid = os.getpid()

    def critical():
        owner = struct.unpack(">Q", shm.read(8, 8))[0]
        if owner != 0:
            raise SystemExit("mutual exclusion violated: pid %d holds the mutex too" % owner)
        shm.write(struct.pack(">Q", pid), 8)
        value = struct.unpack(">Q", shm.read(8, 0))[0]
        shm.write(struct.pack(">Q", value + 1), 0)
        shm.write(bytes(8), 8)

    i = 0
    deadline = time.monotonic() + a.seconds
    while time.monotonic() < deadline:
        form = i % 4
        if form == 0:
            phase = "acquire"
            mutex.acquire(timeout=60 if i % 8 else None)
            phase = None
            critical()
            mutex.release()
        elif form == 1:
            phase = "with"
            with mutex:
                phase = None
                critical()
        elif form == 2:
            phase = "P"
            mutex.P()
            phase = None
            critical()
            mutex.V()
        else:
            phase = "op"
            muset.op([(0, -1)], timeout=60 if i % 8 == 3 else None)
            phase = None
            critical()
            muset.op([(0, 1)])
        if i % 4 == 3:
            tick.release()  # the driver's ticker takes it back; Z waits for that
            phase = "Z"
            tick.Z(timeout=60)
            phase = None
        i += 1
    out.write("increments %d\n" % i)


class Args:
    def __init__(self, argv):
        (self.role, ident, seconds, self.out, q, shm, mutex, gate, ready, tick, maxbody) = argv
        self.id, self.seconds, self.maxbody = int(ident), float(seconds), int(maxbody)
        self.keys = dict(q=int(q), shm=int(shm), mutex=int(mutex), gate=int(gate), ready=int(ready), tick=int(tick))


def main(argv):
    global phase
    a = Args(argv)
    signal.signal(signal.SIGUSR1, on_signal)
    signal.signal(signal.SIGALRM, on_signal)
    k = a.keys
    q = polyipc.MessageQueue(k["q"], max_message_size=22 + a.maxbody)
    shm = polyipc.SharedMemory(k["shm"])
    mutex, tick = polyipc.Semaphore(k["mutex"]), polyipc.Semaphore(k["tick"])
    muset = polyipc.SemaphoreSet(k["mutex"], 0)
    gate, ready = polyipc.Semaphore(k["gate"]), polyipc.Semaphore(k["ready"])
    ready.release()  # handlers are installed: the signaller may start
    phase = "gate"
    gate.Z(timeout=60)
    phase = None
    with open(a.out, "w") as out:
        if a.role == "producer":
            producer(a, q, out)
        elif a.role == "consumer":
            consumer(a, q, out)
        elif a.role == "counter":
            counter(a, mutex, muset, shm, tick, out)
        else:
            raise SystemExit("unknown role " + a.role)
        for s in (signal.SIGUSR1, signal.SIGALRM):  # the storm goes on: count no more
            signal.signal(s, signal.SIG_IGN)
        shm.detach()
        out.write("".join("hit.%s %d\n" % (p, n) for p, n in hits.items() if p))
        out.write("signals %d\n" % sum(hits.values()))


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except polyipc.Error as e:
        print("ERROR %s in %s: %s" % (type(e).__name__, phase, e), file=sys.stderr)
        sys.exit(1)
    finally:  # the storm may outlast us: never die of it on the way out
        for s in (signal.SIGUSR1, signal.SIGALRM):
            signal.signal(s, signal.SIG_IGN)
