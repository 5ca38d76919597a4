"""Demo, Python side: creates the three kernel objects, or produces the work.

    producer.py create ITEMS WORKERS   create the queue, segment and mutex; print their keys
    producer.py produce MQ SHM SEM ITEMS WORKERS
                                       send ITEMS work items (type 1), then one stop
                                       message (type 2) per worker
"""
import struct
import sys

import polyipc

HEADER = 128  # counters; the bitmap of items seen follows (layout: see worker.rb)


def main(cmd, *a):
    if cmd == "create":
        items, workers = int(a[0]), int(a[1])
        q = polyipc.MessageQueue(None, polyipc.IPC_CREX, mode=0o600)
        shm = polyipc.SharedMemory(None, polyipc.IPC_CREX, size=HEADER + (items + 7) // 8)
        shm.write(bytes(shm.size))  # all counters and the bitmap start at zero
        sem = polyipc.Semaphore(None, polyipc.IPC_CREX, initial_value=1)
        shm.detach()
        print(q.key, shm.key, sem.key)
    elif cmd == "produce":
        q = polyipc.MessageQueue(int(a[0]))
        shm = polyipc.SharedMemory(int(a[1]))
        sem = polyipc.Semaphore(int(a[2]))
        items, workers = int(a[3]), int(a[4])
        for i in range(items):
            q.send(struct.pack("<Q", i), type=1)        # blocks while the queue is full
            if i % 256 == 255 or i == items - 1:
                with sem:                               # acquire ... release
                    shm.write(struct.pack("<Q", i + 1), offset=88)  # items sent so far
        for _ in range(workers):
            q.send(b"stop", type=2)
        shm.detach()


if __name__ == "__main__":
    try:
        main(*sys.argv[1:])
    except KeyboardInterrupt:
        sys.exit(130)
    except polyipc.ExistentialError:
        sys.exit(0)  # the demo is being torn down
