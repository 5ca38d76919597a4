#!/usr/bin/env python3
"""The cross-language interop matrix: for every (writer, reader) pair among C,
Python, Ruby and Perl (16 pairs) and each primitive, two real processes use
the same kernel object at the same time:

  mq   the writer sends a sequence of messages (types 1..7, sizes 0 bytes up
       to the kernel's msgmax, binary with NUL and 0xFF); the reader receives
       them byte-identical and in the right order, first with exact-type
       receives while the writer is still sending, then (after the writer's
       end marker) with type 0 and negative-type receives.
  shm  the writer writes binary chunks at offsets up to the last byte and
       releases a semaphore; the reader, blocked on that semaphore, reads the
       same bytes back (also reads clamped at the end).
  sem  the reader blocks in acquire() on semaphore A and is woken by the
       writer's release(); then it blocks on semaphore B and the writer's
       remove() wakes it with ExistentialError.

Synchronisation is done with the primitives themselves: blocking receives,
a semaphore, and the kernel's count of blocked waiters (GETNCNT, polled).
Every wait is bounded (semaphore timeouts; a process timeout after which the
driver removes the objects, which wakes any blocked receive).

Agents (same protocol in each language): agent.c, agent.py, agent.rb, agent.pl
    mq-send  KEY MSGMAX PLAN    lines "send <type> <hex>"
    mq-recv  KEY MSGMAX PLAN    lines "recv <type>"; prints "<type> <hex>" each
    shm-write SHM SEM PLAN      lines "write <offset> <hex>"; then releases SEM
    shm-read  SHM SEM PLAN      acquires SEM; prints the size, then for lines
                                "read <offset> <count>" the hex read
    sem-wait  A B               acquire A, print "woken"; acquire B, print the
                                error kind that ended it
    sem-post  A B               wait for a waiter on A, release A; wait for a
                                waiter on B, remove B
It re-executes itself in a private IPC namespace (`unshare --ipc`, root) and
fails if any System V object is left behind.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import sysvipc_proc  # noqa: E402

import polyipc

LANGS = ("c", "python", "ruby", "perl")
PRIMS = ("mq", "shm", "sem")
TIMEOUT = 60


def pattern(n, seed):
    """n bytes that contain NUL and 0xFF (for n >= 256) and differ per seed."""
    return bytes((i * 31 + seed * 7 + (i >> 8)) % 256 for i in range(n))


# ---------------------------------------------------------------- plans
def mq_plan(msgmax):
    END = 99
    msgs = [(1, b""), (2, bytes(range(256))), (1, b"\x00"), (3, b"\xff"), (5, pattern(1000, 1)),
            (2, b""), (7, pattern(msgmax, 2)), (1, pattern(4095, 3)), (3, pattern(msgmax - 1, 4)),
            (4, b"\x00\xff" * 17), (6, b"\xff" * 300), (END, b"end")]
    # Exact types first (deterministic while the writer is still sending), then
    # the end marker (everything has been sent), then type 0 and negative types.
    selectors = [2, 7, 2, 1, 6, END, -3, -3, -3, 0, 0, -10]
    remaining, expected = list(msgs), []
    for sel in selectors:
        if sel == 0:
            i = 0
        elif sel > 0:
            i = next(i for i, m in enumerate(remaining) if m[0] == sel)
        else:
            low = min(m[0] for m in remaining if m[0] <= -sel)
            i = next(i for i, m in enumerate(remaining) if m[0] == low)
        expected.append(remaining.pop(i))
    assert not remaining
    return msgs, selectors, expected


def shm_plan(size, page):
    writes = [(0, pattern(100, 5)), (100, b"\x00"), (page - 1, b"\xff\x00\xff"),
              (page + 7, b""), (2 * page, pattern(3000, 6)), (size - 256, bytes(range(256))),
              (size - 1, b"\xee")]
    reads = [(0, 101), (page - 2, 5), (page + 7, 1), (2 * page, 3000), (size - 300, 0),
             (size - 10, 1000), (0, 0)]
    model = bytearray(b" " * size)
    for off, data in writes:
        model[off:off + len(data)] = data
    expected = [bytes(model[off:(off + n if n else size)]) for off, n in reads]
    return writes, reads, expected


# ---------------------------------------------------------------- running
def agent_cmd(lang, a):
    here = os.path.dirname(os.path.abspath(__file__))
    return {
        "c": [a.c_agent],
        "python": [a.python, os.path.join(here, "agent.py")],
        "ruby": [a.ruby] + ["-I" + d for d in a.ruby_libs.split(os.pathsep)] + [os.path.join(here, "agent.rb")],
        "perl": [a.perl, "-I" + a.perl_lib, os.path.join(here, "agent.pl")],
    }[lang]


def run_pair(a, writer, reader, wargs, rargs, cleanup):
    """Starts both agents at once; returns (writer_out, reader_out, problems)."""
    env = dict(os.environ, PYTHONPATH=a.python_path)
    procs = [subprocess.Popen(agent_cmd(lang, a) + args, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, env=env)
             for lang, args in ((writer, wargs), (reader, rargs))]
    outs, problems = [], []
    deadline = time.monotonic() + TIMEOUT
    for p, role in zip(procs, ("writer", "reader")):
        try:
            out, _ = p.communicate(timeout=max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            problems.append("%s timed out" % role)
            cleanup()  # removing the objects wakes a blocked waiter
            try:
                out, _ = p.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                out, _ = p.communicate()
        if p.returncode != 0:
            problems.append("%s exited %s: %s" % (role, p.returncode, out.strip()[-300:]))
        outs.append(out)
    return outs[0], outs[1], problems


def write_plan(path, lines):
    with open(path, "w") as f:
        f.write("".join(l + "\n" for l in lines))


def check_mq(a, tmp, writer, reader):
    msgmax = int(open("/proc/sys/kernel/msgmax").read())
    msgs, selectors, expected = mq_plan(msgmax)
    q = polyipc.MessageQueue(None, polyipc.IPC_CREX)
    try:
        if q.max_size < sum(len(m) for _, m in msgs):
            raise RuntimeError("the queue cannot hold every message (see raise_msgmnb)")
        sp, rp = os.path.join(tmp, "mq.send"), os.path.join(tmp, "mq.recv")
        write_plan(sp, ["send %d %s" % (t, m.hex()) for t, m in msgs])
        write_plan(rp, ["recv %d" % s for s in selectors])
        key = str(q.key)
        wout, rout, problems = run_pair(a, writer, reader, ["mq-send", key, str(msgmax), sp],
                                        ["mq-recv", key, str(msgmax), rp], q.remove)
        got = [l.split(" ") for l in rout.splitlines()]
        want = [[str(t), m.hex()] for t, m in expected]
        if not problems:
            if got != want:
                bad = next((i for i, (g, w) in enumerate(zip(got, want)) if g != w), min(len(got), len(want)))
                problems.append("message %d differs (got %d messages, want %d)" % (bad, len(got), len(want)))
            if q.current_messages != 0:
                problems.append("%d messages left in the queue" % q.current_messages)
        return problems, "%d msgs, %d..%d bytes" % (len(msgs), 0, msgmax)
    finally:
        try:
            q.remove()
        except polyipc.ExistentialError:
            pass


def check_shm(a, tmp, writer, reader):
    page = polyipc.PAGE_SIZE
    size = 3 * page + 100
    writes, reads, expected = shm_plan(size, page)
    shm = polyipc.SharedMemory(None, polyipc.IPC_CREX, size=size)
    shm.detach()
    sem = polyipc.Semaphore(None, polyipc.IPC_CREX)

    def cleanup():
        for obj in (shm, sem):
            try:
                obj.remove()
            except polyipc.ExistentialError:
                pass
    try:
        wp, rp = os.path.join(tmp, "shm.write"), os.path.join(tmp, "shm.read")
        write_plan(wp, ["write %d %s" % (o, d.hex()) for o, d in writes])
        write_plan(rp, ["read %d %d" % r for r in reads])
        wout, rout, problems = run_pair(a, writer, reader, ["shm-write", str(shm.key), str(sem.key), wp],
                                        ["shm-read", str(shm.key), str(sem.key), rp], cleanup)
        lines = rout.splitlines()
        if not problems:
            if not lines or lines[0] != str(size):
                problems.append("reader saw size %r, want %d" % (lines[:1], size))
            elif lines[1:] != [e.hex() for e in expected]:
                bad = next((i for i, (g, w) in enumerate(zip(lines[1:], expected)) if g != w.hex()), None)
                problems.append("read %r differs" % (reads[bad],) if bad is not None else "wrong number of reads")
        return problems, "%d bytes, last byte at %d" % (size, size - 1)
    finally:
        cleanup()


def check_sem(a, tmp, writer, reader):
    first = polyipc.Semaphore(None, polyipc.IPC_CREX)
    second = polyipc.Semaphore(None, polyipc.IPC_CREX)

    def cleanup():
        for obj in (first, second):
            try:
                obj.remove()
            except polyipc.ExistentialError:
                pass
    try:
        keys = [str(first.key), str(second.key)]
        wout, rout, problems = run_pair(a, writer, reader, ["sem-post"] + keys, ["sem-wait"] + keys, cleanup)
        if not problems:
            if rout.split() != ["woken", "ExistentialError"]:
                problems.append("waiter said %r, want woken then ExistentialError" % rout.split())
            if first.value != 0:
                problems.append("semaphore A is %d after the handoff" % first.value)
            try:
                second.value
                problems.append("semaphore B still exists")
            except polyipc.ExistentialError:
                pass
        return problems, "release wakes; remove wakes with ExistentialError"
    finally:
        cleanup()


CHECKS = {"mq": check_mq, "shm": check_shm, "sem": check_sem}


def raise_msgmnb(needed):
    """Lets a new queue hold the whole sequence, so the writer never blocks on a
    full queue while the reader waits for a later type. kernel.msgmnb belongs to
    the IPC namespace: only changed inside a private one."""
    path = "/proc/sys/kernel/msgmnb"
    if int(open(path).read()) >= needed:
        return
    if os.readlink("/proc/self/ns/ipc") == os.environ["POLYIPC_OUTER_IPC_NS"]:
        raise SystemExit("not in a private IPC namespace: refusing to raise kernel.msgmnb")
    with open(path, "w") as f:
        f.write(str(needed))


def main():
    if "POLYIPC_OUTER_IPC_NS" not in os.environ:
        # Run in a private IPC namespace of our own: nothing collides, nothing leaks.
        os.environ["POLYIPC_OUTER_IPC_NS"] = os.readlink("/proc/self/ns/ipc")
        os.execvp("unshare", ["unshare", "--ipc", "--", sys.executable] + sys.argv)
    ap = argparse.ArgumentParser()
    ap.add_argument("--c-agent", required=True)
    ap.add_argument("--python", required=True)
    ap.add_argument("--python-path", required=True)
    ap.add_argument("--ruby", required=True)
    ap.add_argument("--ruby-libs", required=True)
    ap.add_argument("--perl", required=True)
    ap.add_argument("--perl-lib", required=True)
    ap.add_argument("--langs", default=",".join(LANGS))
    ap.add_argument("--prims", default=",".join(PRIMS))
    a = ap.parse_args()
    langs, prims = a.langs.split(","), a.prims.split(",")
    msgmax = int(open("/proc/sys/kernel/msgmax").read())
    raise_msgmnb(sum(len(m) for _, m in mq_plan(msgmax)[0]) + 4096)
    before = sysvipc_proc.count()
    results, failures = {}, []
    with tempfile.TemporaryDirectory() as tmp:
        for prim in prims:
            for writer in langs:
                for reader in langs:
                    t0 = time.monotonic()
                    try:
                        problems, what = CHECKS[prim](a, tmp, writer, reader)
                    except Exception as exc:  # noqa: BLE001 - a driver error fails the cell
                        problems, what = ["driver: %s: %s" % (type(exc).__name__, exc)], ""
                    ok = not problems
                    results[prim, writer, reader] = ok
                    print("%-4s %-6s -> %-6s %s  %.2fs  %s%s" % (
                        prim, writer, reader, "ok  " if ok else "FAIL", time.monotonic() - t0, what,
                        "" if ok else "\n      " + "\n      ".join(problems)), flush=True)
                    if not ok:
                        failures.append((prim, writer, reader))
    for prim in prims:
        print("\n%s: writer (rows) -> reader (columns)" % {
            "mq": "message queues", "shm": "shared memory", "sem": "semaphores (release / remove wake the waiter)"}[prim])
        print("%-8s" % "" + "".join("%-8s" % r for r in langs))
        for w in langs:
            print("%-8s" % w + "".join("%-8s" % ("ok" if results[prim, w, r] else "FAIL") for r in langs))
    left = sysvipc_proc.count() - before
    total = len(results)
    passed = sum(results.values())
    print("\ninterop: %d/%d cells passed (%d pairs x %d primitives)" % (passed, total, len(langs) ** 2, len(prims)))
    if left:
        print("FAIL: %d System V object(s) left behind" % left)
        return 1
    return 0 if passed == total else 1


if __name__ == "__main__":
    sys.exit(main())
