#!/usr/bin/python3
"""Listing many objects: `polyipc ls --json` against util-linux `lsipc --json`.

    inspect_bench.py --cli PATH [--count N] [--reps R] [--quick] [--out FILE]

Creates COUNT objects of each kind (semaphore sets, segments, queues) in an
IPC namespace of its own (it re-executes itself under `unshare --ipc`, so the
objects vanish with it; the namespace's own kernel.shmmni is raised for the
run, since the IPC namespace owns it), then times, side by side and interleaved, for each kind:
    lsipc -s|-m|-q --json            and   polyipc ls -t sem|shm|msg --json
and, for everything at once, the three lsipc runs against one `polyipc ls
--json`. Each timing is a whole process (exec, scan, format, write to a
pipe), the median of REPS. Both outputs are checked to list the same ids.
--quick (the ctest bench_inspect_quick): 200 objects, one repetition, no
timing claim; it fails only when the two listings differ.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

KINDS = {"sem": ("-s", "semaphores"), "shm": ("-m", "sharedmemory"), "msg": ("-q", "messages")}


def write_sysctl(name, value):
    with open("/proc/sys/kernel/" + name, "w") as f:
        f.write(str(value))


def read_sysctl(name):
    with open("/proc/sys/kernel/" + name) as f:
        return f.read().split()


def create(count):
    """COUNT IPC_PRIVATE objects of each kind, by raw syscalls through ctypes."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    IPC_CREAT = 0o1000
    for i in range(count):
        for rc in (libc.semget(0, 2, IPC_CREAT | 0o600), libc.shmget(0, 4096, IPC_CREAT | 0o600),
                   libc.msgget(0, IPC_CREAT | 0o600)):
            if rc < 0:
                raise OSError(ctypes.get_errno(), "creating object %d" % i)


def timed(argv):
    t0 = time.perf_counter()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    return time.perf_counter() - t0, p.stdout


def ids_lsipc(out, kind):
    return sorted(int(r["id"]) for r in json.loads(out)[KINDS[kind][1]])


def ids_polyipc(out, kind=None):
    return sorted(o["id"] for o in json.loads(out)["objects"] if kind is None or o["kind"] == kind)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out")
    a = ap.parse_args()
    if a.quick:
        a.count, a.reps = 200, 1
    # Always a namespace of its own (also inside the test suite's): its
    # objects and sysctls vanish with it, whatever happens here.
    if not os.environ.get("POLYIPC_BENCH_UNSHARED"):
        os.environ["POLYIPC_BENCH_UNSHARED"] = "1"
        os.execvp("unshare", ["unshare", "--ipc", sys.executable, *sys.argv])
    # the private namespace's own limits
    shmmni = int(read_sysctl("shmmni")[0])
    if shmmni < a.count:
        write_sysctl("shmmni", a.count)
    sem = read_sysctl("sem")
    if int(sem[3]) < a.count:
        write_sysctl("sem", " ".join(sem[:3] + [str(a.count)]))
    if int(read_sysctl("msgmni")[0]) < a.count:
        write_sysctl("msgmni", a.count)
    t0 = time.perf_counter()
    create(a.count)
    print(f"created {a.count} semaphore sets, {a.count} segments and {a.count} queues "
          f"in {time.perf_counter() - t0:.2f} s", flush=True)
    rows = []
    for kind, (opt, _) in KINDS.items():
        ours, theirs = [], []
        for rep in range(a.reps):
            order = [0, 1] if rep % 2 == 0 else [1, 0]
            for which in order:
                if which == 0:
                    t, out = timed(["lsipc", opt, "--json"])
                    theirs.append(t)
                    want = ids_lsipc(out, kind)
                else:
                    t, out = timed([a.cli, "ls", "-t", kind, "--json"])
                    ours.append(t)
                    got = ids_polyipc(out)
            if got != want or len(got) != a.count:
                sys.exit(f"{kind}: polyipc listed {len(got)} ids, lsipc {len(want)}: they differ")
        rows.append((kind, statistics.median(theirs), statistics.median(ours)))
    # everything: one polyipc run against three lsipc runs
    ours, theirs = [], []
    for rep in range(a.reps):
        t = sum(timed(["lsipc", opt, "--json"])[0] for opt, _ in KINDS.values())
        theirs.append(t)
        t, out = timed([a.cli, "ls", "--json"])
        ours.append(t)
        if len(ids_polyipc(out)) != 3 * a.count:
            sys.exit("polyipc ls --json did not list every object")
    rows.append(("all", statistics.median(theirs), statistics.median(ours)))
    lines = [f"| objects | lsipc --json (ms) | polyipc ls --json (ms) | lsipc / polyipc |",
             "| --- | ---: | ---: | ---: |"]
    for kind, lt, pt in rows:
        n = a.count * (3 if kind == "all" else 1)
        lines.append(f"| {n} {kind} | {lt * 1e3:.1f} | {pt * 1e3:.1f} | {lt / pt:.2f}x |")
    table = "\n".join(lines)
    print(table)
    if a.out:
        with open(a.out, "w") as f:
            f.write(table + "\n")
    if not a.quick:
        slower = [k for k, lt, pt in rows if pt >= lt]
        if slower:
            print("NOTE: polyipc was not faster for: " + ", ".join(slower))


if __name__ == "__main__":
    main()
