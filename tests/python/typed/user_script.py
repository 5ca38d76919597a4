"""A user's typed program: `mypy --strict` must accept it against an installed
polyipc (tests/python/run_matrix.py checks it against each venv with
--python-executable, no MYPYPATH), and it runs: it asserts what it uses."""
import sys
from typing import List, Optional, Tuple

import polyipc


def round_trip(payload: bytes, mtype: int = 3) -> Tuple[bytes, int]:
    q: polyipc.MessageQueue = polyipc.MessageQueue(None, polyipc.IPC_CREX)
    try:
        q.send(payload, type=mtype)
        return q.receive(block=False)
    finally:
        q.remove()


def counted(start: int) -> int:
    sem = polyipc.Semaphore(None, polyipc.IPC_CREX, initial_value=start)
    try:
        with sem:
            inside: int = sem.value
        sem.release(delta=2)
        return inside + sem.value
    finally:
        sem.remove()


def shared(text: str) -> bytes:
    shm = polyipc.SharedMemory(None, polyipc.IPC_CREX, size=polyipc.PAGE_SIZE)
    try:
        shm.write(text, offset=1)
        data: bytes = shm.read(len(text.encode()), offset=1)
        return data
    finally:
        shm.detach()
        shm.remove()


def values(n: int) -> List[int]:
    sems = polyipc.SemaphoreSet(None, n, polyipc.IPC_CREX)
    try:
        sems.set_values(list(range(n)))
        sems.op([(0, 1), (1, 1, polyipc.IPC_NOWAIT)], timeout=1.5)
        return sems.get_values()
    finally:
        sems.remove()


def missing_errno(key: int) -> Optional[int]:
    try:
        polyipc.Semaphore(key)
    except polyipc.ExistentialError as e:
        code: int = e.errno
        return code
    return None


def main() -> int:
    assert round_trip(b"\x00hi") == (b"\x00hi", 3)
    assert counted(1) == 0 + 3
    assert shared("h\u00e9") == "h\u00e9".encode()
    assert values(3) == [1, 2, 2]
    assert missing_errno(polyipc.KEY_MAX - 7) is not None
    version: str = polyipc.VERSION
    print("polyipc", version, "typed user script: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
