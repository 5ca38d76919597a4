#!/usr/bin/python3
"""polyipc's benchmark driver: every implementation, every workload, one run.

    bench.py [--quick] [--reps N] [--scale F] [--paths FILE] [--out DIR]

Runs each (implementation, workload) pair as its own process, REPS times,
interleaved: repetition -> workload -> implementation, with the order of the
implementations rotated every repetition so no one always runs first. Each
process times a fixed COUNT of operations after a warm-up, with a monotonic
clock, and checks its data (it exits non-zero on a wrong datum). The driver
reports the median ns/op and the median of the per-repetition ratios to raw C
(measured in the same repetition, seconds apart), writes a Markdown table and a
JSON file with the versions and the machine's load, and checks the targets of
issue 7.

--quick is the correctness mode of the test suite: tiny counts, one
repetition, nothing written, no timing assertion; it fails only when a
program fails (wrong data, crash, leak of the child, timeout).
"""
import argparse
import datetime
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"  # Debian's: python3-sysv-ipc lives there

# (id, title, count in the full run)
WORKLOADS = [
    ("sem_value", "semaphore value read", 20000),
    ("sem_acquire_release", "semaphore acquire+release", 10000),
    ("msg_64", "message send+receive, 64 B", 10000),
    ("msg_4k", "message send+receive, 4 KiB", 5000),
    ("msg_pingpong", "2-process message ping-pong, 64 B (round trip)", 2000),
    ("sem_handoff", "2-process semaphore hand-off (round trip)", 2000),
    ("shm_64", "shared memory write+read, 64 B", 200000),
    ("shm_1m", "shared memory write+read, 1 MiB", 1000),
]
QUICK_COUNT = {"shm_1m": 3}  # every other workload: 20
# Warm-up operations in the full run (default: a tenth of the count), the same
# in every language. A first-touch page fault costs ~12 us on this VM
# (README, "What the profiles found"), and a garbage-collected heap touches new memory
# until its first collections: 1 MiB reads freed only at GC grew Ruby's heap
# to ~190 MiB (~48,000 faults), so 1 MiB warms up for 400 operations. Ruby's
# msg_4k allocates a 4 KiB String per receive; until malloc_limit (16 MiB)
# triggers GC and glibc reuses the freed chunks, ~every message touches a
# fresh page (+7 us/op over the 5,500 operations of a run with the default
# warm-up; steady only after ~20,000). The ping-pong's forked partner pays
# ~550-700 copy-on-write faults of Ruby's heap in its first few thousand
# round trips (42 us/op with 2,000 of warm-up, 26 with 10,000).
WARMUP = {"shm_1m": 400, "msg_4k": 20000, "msg_pingpong": 10000}

# (id, language, label, is_polyipc)
IMPLS = [
    ("c-raw", "C", "raw syscalls", False),
    ("c-polyipc", "C", "libpolyipc", True),
    ("py-sysv_ipc", "Python", "sysv_ipc", False),
    ("py-polyipc", "Python", "polyipc", True),
    ("pl-builtin", "Perl", "core builtins", False),
    ("pl-ipcsysv", "Perl", "IPC::SysV classes", False),
    ("pl-polyipc", "Perl", "PolyIPC", True),
    ("pl-polyipc_named", "Perl", "PolyIPC named args", True),
    ("rb-polyipc", "Ruby", "PolyIPC", True),
    ("rb-polyipc_kw", "Ruby", "PolyIPC keywords", True),
]

# Targets of issue 7, as ratios to raw C in the same run.
CLOSE_TO_C = {"Python": 1.10, "Perl": 1.10, "Ruby": 1.20}
TWO_PROCESS = ("msg_pingpong", "sem_handoff")
SHM_64_NS = 250.0


def command(impl, paths, workload, count, warmup=None):
    """The argv and environment that run one implementation on one workload."""
    env = dict(os.environ)
    lang = impl.split("-")[0]
    tail = [workload, str(count)] + ([str(warmup)] if warmup else [])
    if lang == "c":
        return [paths["c"], impl.split("-")[1]] + tail, env
    if lang == "py":
        env["PYTHONPATH"] = paths["python"]
        return [PYTHON, os.path.join(HERE, "python", "bench.py"), impl.split("-")[1]] + tail, env
    if lang == "pl":
        return ["perl", "-I" + paths["perl"], os.path.join(HERE, "perl", "bench.pl"),
                impl.split("-")[1]] + tail, env
    if lang == "rb":
        incs = ["-I" + d for d in paths["ruby"]]
        return ["ruby"] + incs + [os.path.join(HERE, "ruby", "bench.rb"), impl.split("-")[1]] + tail, env
    raise ValueError(impl)


def run_one(impl, paths, workload, count, timeout, warmup=None):
    """Runs one program; returns ns/op, or raises RuntimeError with its output."""
    argv, env = command(impl, paths, workload, count, warmup)
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the program and its forked child
        out, err = proc.communicate()
        raise RuntimeError("%s %s: timed out after %ss\n%s" % (impl, workload, timeout, err))
    lines = [l for l in out.splitlines() if l.startswith("RESULT ")]
    if proc.returncode != 0 or len(lines) != 1:
        raise RuntimeError("%s %s: exit status %s\n%s%s" % (impl, workload, proc.returncode, out, err))
    return float(lines[0].split()[1])


# Workloads counted under callgrind: every one but shm_1m (a memcpy, whose
# payload is slow to build under valgrind; its instructions are the 2 MiB the
# two copies move, in every implementation). The two-process workloads count
# both processes (valgrind follows the fork), with fewer operations: each
# round trip is two context switches under valgrind's scheduler.
CG_WORKLOADS = ("sem_value", "sem_acquire_release", "msg_64", "msg_4k", "msg_pingpong",
                "sem_handoff", "shm_64")
CG_COUNTS = (10000, 30000)
CG_COUNTS_TWO_PROCESS = (2000, 6000)


def total_ops(n):
    return n + max(n // 10, 10)  # the programs' warm-up is max(count/10, 10)


def instructions(impl, paths, workload):
    """User-space instructions per operation, from two callgrind runs of the
    program (the difference cancels start-up), summed over every process of a
    run. Deterministic: unlike the clock, it does not depend on the machine's
    load; it does not see the kernel's share of a syscall, which is the same
    for every implementation."""
    counts = []
    ns = CG_COUNTS_TWO_PROCESS if workload in TWO_PROCESS else CG_COUNTS
    for n in ns:
        argv, env = command(impl, paths, workload, n)
        # fixed hash seeds: otherwise Perl's hash randomisation moves a Perl
        # cell by up to 2% from one run of the same build to the next
        env.update(PYTHONHASHSEED="0", PERL_HASH_SEED="0", PERL_PERTURB_KEYS="0")
        p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + argv,
                           env=env, capture_output=True, text=True, timeout=600)
        # one "==pid== Collected : N" line per process (parent and forked child)
        refs = [l for l in p.stderr.splitlines() if l.startswith("==") and "Collected :" in l]
        if p.returncode != 0 or not refs:
            raise RuntimeError("%s %s under callgrind: exit status %s\n%s" % (impl, workload, p.returncode,
                                                                            p.stderr[-2000:]))
        counts.append(sum(int(l.split()[-1].replace(",", "")) for l in refs))
    return (counts[1] - counts[0]) / (total_ops(ns[1]) - total_ops(ns[0]))


def capture(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def versions(paths):
    v = {
        "python": capture([PYTHON, "-c", "import sys; print(sys.version.split()[0])"]),
        "sysv_ipc": capture([PYTHON, "-c", "import sysv_ipc; print(sysv_ipc.VERSION)"]),
        "perl": capture(["perl", "-e", "print substr($^V, 1)"]),
        "IPC::SysV": capture(["perl", "-MIPC::SysV", "-e", "print $IPC::SysV::VERSION"]),
        "ruby": capture(["ruby", "-e", "print RUBY_VERSION"]),
        "cc": (capture(["cc", "--version"]).splitlines() or ["unknown"])[0],
        "kernel": platform.release(),
        "git": capture(["git", "-C", ROOT, "describe", "--always", "--dirty"]),
    }
    env = dict(os.environ, PYTHONPATH=paths["python"] or "")
    v["polyipc"] = subprocess.run([PYTHON, "-c", "import polyipc; print(polyipc.VERSION)"], env=env,
                                  capture_output=True, text=True).stdout.strip() or "unknown"
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    v["cpu"] = "%s, %d CPUs" % (cpu, os.cpu_count() or 0)
    return v


def fmt_ns(ns):
    if ns >= 100000:
        return "%.0f µs" % (ns / 1000)
    if ns >= 10000:
        return "%.1f µs" % (ns / 1000)
    if ns >= 1000:
        return "%.2f µs" % (ns / 1000)
    return "%.0f ns" % ns


def paired(per_rep, a, b, w):
    """Median over repetitions of a's time / b's time on workload w (same repetition)."""
    r = [this[a] / this[b] for ww, this in per_rep if ww == w and a in this and b in this]
    return statistics.median(r) if r else float("nan")


def check_targets(res, impls, per_rep):
    """Evaluates issue 7's targets; returns a list of (target, language, workload, value, ok)."""
    out = []
    langs = sorted({l for i, l, _, p in IMPLS if p and l != "C" and i in impls})
    for lang, poly in [(l, i) for i, l, _, p in IMPLS if p and l in langs and i in impls]:
        incumbents = [i for i, l, _, p in IMPLS if l == lang and not p and i in impls]
        who = lang if "_" not in poly else "%s (%s)" % (lang, poly.split("_", 1)[1])
        for w, _, _ in WORKLOADS:
            r = res.get((poly, w))
            if r is None:
                continue
            if incumbents:
                # paired against every incumbent; the worst ratio is the one against the best
                rel, best = max((paired(per_rep, poly, i, w), i) for i in incumbents)
                out.append(("at least as fast as every incumbent (worst: %s)" % best, who, w,
                            "%.2f×" % rel, rel <= 1.0))
            if w in ("sem_acquire_release", "msg_64"):
                lim = CLOSE_TO_C[lang]
                out.append(("within %.2f× of raw C" % lim, who, w, "%.2f×" % r["ratio"],
                            r["ratio"] <= lim))
            if w in TWO_PROCESS:
                out.append(("within 1.05× of raw C", who, w, "%.2f×" % r["ratio"], r["ratio"] <= 1.05))
            if w == "shm_1m":
                out.append(("within 1.10× of raw C", who, w, "%.2f×" % r["ratio"], r["ratio"] <= 1.10))
            if w == "shm_64":
                out.append(("under 250 ns", who, w, fmt_ns(r["ns"]), r["ns"] < SHM_64_NS))
    return out


def markdown_instructions(instr, impls):
    lines = ["", "User-space instructions per operation under callgrind (deterministic, whatever the "
             "load; the kernel's share of each syscall is not counted and is the same for every "
             "implementation), and in parentheses the instructions added to raw C's:", ""]
    cols = [i for i, _, _, _ in IMPLS if i in impls]
    label = {i: "%s %s" % (l, lab) for i, l, lab, _ in IMPLS}
    lines.append("| workload | " + " | ".join(label[c] for c in cols) + " |")
    lines.append("| --- |" + " ---: |" * len(cols))
    titles = {w: t for w, t, _ in WORKLOADS}
    for w in CG_WORKLOADS:
        if (("c-raw", w)) not in instr:
            continue
        base = instr[("c-raw", w)]
        cells = []
        for c in cols:
            v = instr.get((c, w))
            cells.append("—" if v is None else ("%.0f" % v if c == "c-raw" else "%.0f (%s)" % (v, ("%+.0f" % (v - base)).replace("-", "−"))))
        lines.append("| %s | %s |" % (titles[w], " | ".join(cells)))
    return "\n".join(lines) + "\n"


def markdown_best(res, instr, impls, per_rep):
    """The targets of issue 15: each polyipc implementation of a language
    against the best existing library of that language, on every workload:
    user-space instructions (the fewest of the incumbents) where callgrind
    counts them, and the median over repetitions of the time ratio to the
    fastest incumbent of the same repetition (the largest paired ratio)."""
    titles = {w: t for w, t, _ in WORKLOADS}
    label = {i: lab for i, _, lab, _ in IMPLS}
    lines = ["", "Against the best existing library of each language (target: at most 1.00×; "
             "instructions are the noise-free check, the clock ratio is paired within each repetition):",
             "", "| polyipc | workload | instructions | best existing (instructions) | met by instructions "
             "| time ratio to the best existing | met by the clock |",
             "| --- | --- | ---: | ---: | :---: | ---: | :---: |"]
    none = []
    for poly, lang, lab, _ in [x for x in IMPLS if x[3] and x[1] != "C" and x[0] in impls]:
        incumbents = [i for i, l, _, p in IMPLS if l == lang and not p and i in impls]
        if not incumbents:
            none.append("%s %s" % (lang, lab))
            continue
        for w, _, _ in WORKLOADS:
            if (poly, w) not in res:
                continue
            mine = instr.get((poly, w))
            theirs = sorted((instr[(i, w)], i) for i in incumbents if (i, w) in instr)
            if mine is not None and theirs:
                v, who = theirs[0]
                ins = ("%.0f" % mine, "%.0f (%s)" % (v, label[who]), "yes" if mine <= v else "**no**")
            else:
                ins = ("—", "—", "—")
            ratios = [(paired(per_rep, poly, i, w), i) for i in incumbents if (i, w) in res]
            ratios = [x for x in ratios if x[0] == x[0]]  # not NaN
            if ratios:
                r, who = max(ratios)
                clock = ("%.2f× (%s)" % (r, label[who]), "yes" if r <= 1.0 else "**no**")
            else:
                clock = ("—", "—")
            lines.append("| %s %s | %s | %s | %s | %s | %s | %s |" % ((lang, lab, titles[w]) + ins + clock))
    if none:
        lines += ["", "No existing library to compare with: %s." % ", ".join(none)]
    return "\n".join(lines) + "\n"


def markdown(res, impls, meta, targets):
    lines = []
    lines.append("Measured %s on %s; load average %s before, %s after; %d interleaved "
                 "repetitions; git %s." % (meta["date"], meta["versions"]["cpu"],
                                            meta["load_before"], meta["load_after"], meta["reps"],
                                            meta["versions"]["git"]))
    v = meta["versions"]
    lines.append("Versions: polyipc %s, Python %s with sysv_ipc %s, Perl %s with IPC::SysV %s, "
                 "Ruby %s, %s, Linux %s." % (v["polyipc"], v["python"], v["sysv_ipc"], v["perl"],
                                             v["IPC::SysV"], v["ruby"], v["cc"], v["kernel"]))
    lines.append("")
    lines.append("Median time per operation, and in parentheses the median ratio to raw C "
                 "measured in the same repetition (lower is better).")
    lines.append("")
    cols = [i for i, _, _, _ in IMPLS if i in impls]
    label = {i: "%s %s" % (l if l != "C" else "C", lab) for i, l, lab, _ in IMPLS}
    lines.append("| workload | " + " | ".join(label[c] for c in cols) + " |")
    lines.append("| --- |" + " ---: |" * len(cols))
    for w, title, count in WORKLOADS:
        cells = []
        for c in cols:
            r = res.get((c, w))
            if r is None:
                cells.append("—")
            elif c == "c-raw":
                cells.append(fmt_ns(r["ns"]))
            else:
                cells.append("%s (%.2f×)" % (fmt_ns(r["ns"]), r["ratio"]))
        lines.append("| %s | %s |" % (title, " | ".join(cells)))
    lines.append("")
    lines.append("Targets of issue 7 (ratios to raw C from the same run):")
    lines.append("")
    lines.append("| language | workload | target | measured | met |")
    lines.append("| --- | --- | --- | ---: | :---: |")
    titles = {w: t for w, t, _ in WORKLOADS}
    for target, lang, w, value, ok in targets:
        lines.append("| %s | %s | %s | %s | %s |" % (lang, titles[w], target, value,
                                                     "yes" if ok else "**no**"))
    return "\n".join(lines) + "\n"


README_BEGIN = "<!-- bench:begin (written by bench/bench.py --update-readme) -->"
README_END = "<!-- bench:end -->"


def update_readme(md):
    """Replaces the text between the bench markers of README.md with the table."""
    path = os.path.join(ROOT, "README.md")
    with open(path) as f:
        text = f.read()
    a, b = text.find(README_BEGIN), text.find(README_END)
    if a < 0 or b < a:
        print("README.md has no bench markers; not updated", file=sys.stderr)
        return
    text = text[:a + len(README_BEGIN)] + "\n" + md + text[b:]
    with open(path, "w") as f:
        f.write(text)


def render(args):
    """Rebuilds latest.md (and the README table) from a results JSON file."""
    with open(args.render) as f:
        doc = json.load(f)
    impls = [i for i, _, _, _ in IMPLS if i in doc["implementations"]]
    res, per_rep = {}, []
    for r in doc["results"]:
        res[(r["implementation"], r["workload"])] = r
    reps = doc["reps"]
    for rep in range(reps):
        for w, _, _ in WORKLOADS:
            this = {i: res[(i, w)]["samples"][rep] for i in impls
                    if (i, w) in res and len(res[(i, w)]["samples"]) == reps}
            if this:
                per_rep.append((w, this))
    targets = check_targets(res, impls, per_rep)
    md = markdown(res, impls, doc, targets)
    instr = {(d["implementation"], d["workload"]): d["instructions"] for d in doc.get("instructions_per_op", [])}
    if instr:
        md += markdown_instructions(instr, impls)
    md += markdown_best(res, instr, impls, per_rep)
    doc["targets"] = [dict(target=t, language=l, workload=w, measured=v, met=ok) for t, l, w, v, ok in targets]
    with open(args.render, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    with open(os.path.join(os.path.dirname(os.path.abspath(args.render)), "latest.md"), "w") as f:
        f.write(md)
    print(md)
    if args.update_readme:
        update_readme(md)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="correctness mode: tiny counts, one repetition")
    ap.add_argument("--reps", type=int, default=9, help="interleaved repetitions (default 9)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every count")
    ap.add_argument("--paths", default=os.path.join(ROOT, "build", "bench", "bench_paths.json"),
                    help="bench_paths.json written by CMake")
    ap.add_argument("--out", default=os.path.join(HERE, "results"), help="where latest.{md,json} go")
    ap.add_argument("--only", help="comma-separated implementation ids")
    ap.add_argument("--workloads", help="comma-separated workload ids")
    ap.add_argument("--render", metavar="JSON",
                    help="re-render the tables from a results JSON file, without running anything")
    ap.add_argument("--no-instructions", action="store_true",
                    help="skip the callgrind instruction counts")
    ap.add_argument("--update-readme", action="store_true",
                    help="also put the table into README.md, between the bench markers")
    args = ap.parse_args()

    if args.render:
        return render(args)
    with open(args.paths) as f:
        paths = json.load(f)
    impls = [i for i, l, _, _ in IMPLS
             if (i.startswith("c-") or paths.get({"py": "python", "pl": "perl", "rb": "ruby"}[i[:2]]))]
    if args.only:
        impls = [i for i in impls if i in args.only.split(",") or i == "c-raw"]
    workloads = [w for w in WORKLOADS if not args.workloads or w[0] in args.workloads.split(",")]
    reps = 1 if args.quick else args.reps
    timeout = 60 if args.quick else 300

    samples = {}  # (impl, workload) -> [ns per rep]
    ratios = {}   # (impl, workload) -> [ns / raw C's ns, per rep]
    per_rep = []  # [(workload, {impl: ns})], for paired comparisons
    failures = []
    load_before = "%.2f %.2f %.2f" % os.getloadavg()
    t_start = time.time()
    for rep in range(reps):
        for w, title, count in workloads:
            n = QUICK_COUNT.get(w, 20) if args.quick else max(1, int(count * args.scale))
            k = rep % len(impls)
            order = impls[k:] + impls[:k]
            this = {}
            for impl in order:
                try:
                    this[impl] = run_one(impl, paths, w, n, timeout,
                                         None if args.quick else WARMUP.get(w))
                except RuntimeError as e:
                    failures.append(str(e))
                    print("FAIL " + str(e).splitlines()[0], flush=True)
                    for line in str(e).splitlines()[1:]:
                        print("    " + line)
                    continue
                samples.setdefault((impl, w), []).append(this[impl])
                if args.quick:
                    print("ok   %-12s %-20s %s" % (impl, w, fmt_ns(this[impl])), flush=True)
            per_rep.append((w, this))
            if "c-raw" in this:
                for impl, ns in this.items():
                    ratios.setdefault((impl, w), []).append(ns / this["c-raw"])
        if not args.quick:
            print("repetition %d/%d done (%.0f s)" % (rep + 1, reps, time.time() - t_start),
                  file=sys.stderr, flush=True)
    load_after = "%.2f %.2f %.2f" % os.getloadavg()

    if args.quick:
        if failures:
            print("%d program(s) failed" % len(failures))
            return 1
        print("all %d programs checked their data" % len(samples))
        return 0

    res = {}
    for key, ns in samples.items():
        res[key] = {"ns": statistics.median(ns), "samples": ns,
                    "ratio": statistics.median(ratios[key]) if ratios.get(key) else float("nan"),
                    "ratios": ratios.get(key, [])}
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "reps": reps, "scale": args.scale,
        "load_before": load_before, "load_after": load_after,
        "uptime": capture(["uptime"]),
        "versions": versions(paths),
        "counts": {w: max(1, int(c * args.scale)) for w, _, c in workloads},
        "warmups": {w: WARMUP.get(w, max(max(1, int(c * args.scale)) // 10, 10)) for w, _, c in workloads},
    }
    targets = check_targets(res, impls, per_rep)
    md = markdown(res, impls, meta, targets)
    instr = {}
    if not args.no_instructions:
        for w in CG_WORKLOADS:
            if w not in [x for x, _, _ in workloads]:
                continue
            for impl in impls:
                try:
                    instr[(impl, w)] = instructions(impl, paths, w)
                except (RuntimeError, subprocess.SubprocessError, OSError) as e:
                    failures.append(str(e))
                    print("FAIL " + str(e).splitlines()[0], flush=True)
        print("instruction counts done (%.0f s)" % (time.time() - t_start), file=sys.stderr, flush=True)
        md += markdown_instructions(instr, impls)
    md += markdown_best(res, instr, impls, per_rep)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "latest.md"), "w") as f:
        f.write(md)
    doc = dict(meta, workloads={w: t for w, t, _ in workloads},
               implementations={i: "%s %s" % (l, lab) for i, l, lab, _ in IMPLS if i in impls},
               results=[dict(implementation=i, workload=w, **r) for (i, w), r in sorted(res.items())],
               targets=[dict(target=t, language=l, workload=w, measured=v, met=ok)
                        for t, l, w, v, ok in targets],
               instructions_per_op=[dict(implementation=i, workload=w, instructions=v)
                                    for (i, w), v in sorted(instr.items())],
               failures=failures)
    with open(os.path.join(args.out, "latest.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(md)
    if args.update_readme:
        update_readme(md)
    if failures:
        print("%d program(s) failed" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
