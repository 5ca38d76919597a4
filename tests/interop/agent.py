"""Interop agent, Python side (see driver.py for the protocol). Uses polyipc's
public API only (docs/api.md)."""
import sys
import time

import polyipc


def plan(path):
    with open(path) as f:
        return [line.rstrip("\n").split(" ") for line in f if line.strip()]


def wait_for_waiter(sem):
    """Bounded poll of the kernel's count of blocked waiters (GETNCNT)."""
    deadline = time.monotonic() + 30
    while sem.waiting_for_nonzero < 1:
        if time.monotonic() > deadline:
            raise SystemExit("ERROR timeout: no waiter blocked on the semaphore")
        time.sleep(0.001)


def main(cmd, *a):
    if cmd == "mq-send":
        q = polyipc.MessageQueue(int(a[0]), max_message_size=int(a[1]))
        for _, typ, *data in plan(a[2]):
            q.send(bytes.fromhex(data[0] if data else ""), type=int(typ))
        print("ok")
    elif cmd == "mq-recv":
        q = polyipc.MessageQueue(int(a[0]), max_message_size=int(a[1]))
        for _, typ in plan(a[2]):
            data, got = q.receive(type=int(typ))
            print(got, data.hex())
    elif cmd == "shm-write":
        shm, sem = polyipc.SharedMemory(int(a[0])), polyipc.Semaphore(int(a[1]))
        for _, off, *data in plan(a[2]):
            shm.write(bytes.fromhex(data[0] if data else ""), offset=int(off))
        shm.detach()
        sem.release()
        print("ok")
    elif cmd == "shm-read":
        shm, sem = polyipc.SharedMemory(int(a[0])), polyipc.Semaphore(int(a[1]))
        sem.acquire(timeout=30)
        print(shm.size)
        for _, off, count in plan(a[2]):
            print(shm.read(int(count), offset=int(off)).hex())
        shm.detach()
    elif cmd == "sem-wait":
        first, second = polyipc.Semaphore(int(a[0])), polyipc.Semaphore(int(a[1]))
        first.acquire(timeout=30)
        print("woken")
        try:
            second.acquire(timeout=30)
            print("acquired")
        except polyipc.Error as e:
            print(type(e).__name__)
    elif cmd == "sem-post":
        first, second = polyipc.Semaphore(int(a[0])), polyipc.Semaphore(int(a[1]))
        wait_for_waiter(first)
        first.release()
        wait_for_waiter(second)
        second.remove()
        print("ok")
    else:
        raise SystemExit("ERROR usage: unknown command " + cmd)


if __name__ == "__main__":
    try:
        main(*sys.argv[1:])
    except polyipc.Error as e:
        print("ERROR %s: %s" % (type(e).__name__, e))
        sys.exit(1)
