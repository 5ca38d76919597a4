#!/usr/bin/env python3
"""Runs the corpus in Python, Ruby and Perl, each in its own private IPC
namespace, and fails unless every runner executed and passed every scenario
that applies to its language (tests/corpus/SCHEMA.md). Prints the per-language
totals. Registered as the ctest test `corpus` (tests/corpus/CMakeLists.txt).

Each runner writes one line "corpus <lang>: total=T executed=E passed=P
not_applicable=N" to $POLYIPC_CORPUS_REPORT; a runner that did not write it, or
whose numbers do not add up, fails the check (silently skipping is a failure)."""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LANGS = ("python", "ruby", "perl")

# Inside the namespace: run the runner, then fail if it left any System V object.
IN_NAMESPACE = r'''
"$@"; rc=$?
left=$(cat /proc/sysvipc/sem /proc/sysvipc/shm /proc/sysvipc/msg | grep -cv '^ *key')
if [ "$left" -ne 0 ]; then echo "LEAK: $left System V object(s) left behind"; ipcs -a; rc=1; fi
exit $rc
'''


def load_scenarios():
    out = []
    for path in sorted(glob.glob(os.path.join(HERE, "*.json"))):
        with open(path) as f:
            out.extend(json.load(f)["scenarios"])
    return out


def validate(scenarios):
    """Schema checks that make a silent skip impossible to write by accident."""
    errors, names = [], set()
    for sc in scenarios:
        name = sc.get("name")
        if not name or name in names:
            errors.append("missing or duplicate scenario name %r" % name)
        names.add(name)
        if not sc.get("steps"):
            errors.append("%s: no steps" % name)
        if "only" in sc and not sc.get("reason"):
            errors.append("%s: 'only' without a 'reason'" % name)
        for lang, reason in sc.get("skip", {}).items():
            if lang not in LANGS or not reason:
                errors.append("%s: skip for %r needs a known language and a reason" % (name, lang))
        unknown = set(sc) - {"name", "doc", "steps", "cleanup", "skip", "only", "reason"}
        if unknown:
            errors.append("%s: unknown keys %s" % (name, sorted(unknown)))
    return errors


def applies(sc, lang):
    if "only" in sc and lang not in sc["only"]:
        return False
    return lang not in sc.get("skip", {})


def commands(a):
    return {
        "python": ([a.python, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                    os.path.join(ROOT, "tests/python/test_corpus.py")],
                   {"PYTHONPATH": a.python_path}),
        "ruby": ([a.ruby] + ["-I" + d for d in a.ruby_libs.split(os.pathsep)] +
                 [os.path.join(ROOT, "tests/ruby/test_corpus.rb")], {}),
        "perl": ([a.prove, "-I" + a.perl_lib, os.path.join(ROOT, "tests/perl/corpus.t")], {}),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", required=True)
    ap.add_argument("--python-path", required=True)
    ap.add_argument("--ruby", required=True)
    ap.add_argument("--ruby-libs", required=True)
    ap.add_argument("--prove", required=True)
    ap.add_argument("--perl-lib", required=True)
    ap.add_argument("--only", choices=LANGS, action="append", help="run only these languages")
    a = ap.parse_args()

    scenarios = load_scenarios()
    problems = validate(scenarios)
    total = len(scenarios)
    outer_ns = os.readlink("/proc/self/ns/ipc")
    results = {}
    for lang, (cmd, extra_env) in commands(a).items():
        if a.only and lang not in a.only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            report = os.path.join(tmp, "report")
            env = dict(os.environ, POLYIPC_CORPUS_REPORT=report, POLYIPC_OUTER_IPC_NS=outer_ns,
                       **extra_env)
            print("=" * 72 + "\n%s: %s\n" % (lang, " ".join(cmd)) + "=" * 72, flush=True)
            try:
                proc = subprocess.run(["unshare", "--ipc", "--", "/bin/sh", "-c", IN_NAMESPACE, "sh"] + cmd,
                                      env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True, timeout=600)
                output, rc = proc.stdout, proc.returncode
            except subprocess.TimeoutExpired as exc:
                output, rc = (exc.stdout or b"").decode(errors="replace") + "\nTIMEOUT", -1
            print(output, flush=True)
            line = open(report).read() if os.path.exists(report) else ""
        m = re.search(r"total=(\d+) executed=(\d+) passed=(\d+) not_applicable=(\d+)", line)
        counts = tuple(int(x) for x in m.groups()) if m else None
        results[lang] = (rc, counts)

    print("\ncorpus: %d scenarios in %s" % (total, os.path.relpath(HERE, ROOT)))
    print("%-8s %10s %9s %7s %15s %6s  %s" % ("language", "applicable", "executed", "passed",
                                               "not applicable", "exit", "verdict"))
    executed_plus_na = set()
    for lang, (rc, counts) in results.items():
        applicable = sum(applies(sc, lang) for sc in scenarios)
        verdict = []
        if counts is None:
            verdict.append("no count reported")
            counts = (0, 0, 0, 0)
        t, e, p, n = counts
        if t != total:
            verdict.append("saw %d scenarios, not %d" % (t, total))
        if e != applicable:
            verdict.append("executed %d of %d applicable" % (e, applicable))
        if n != total - applicable:
            verdict.append("%d not applicable, the corpus says %d" % (n, total - applicable))
        if p != e:
            verdict.append("%d failed" % (e - p))
        if rc != 0:
            verdict.append("exit status %d" % rc)
        executed_plus_na.add(e + n)
        print("%-8s %10d %9d %7d %15d %6d  %s" % (lang, applicable, e, p, n, rc,
                                                   "; ".join(verdict) or "ok"))
        problems += ["%s: %s" % (lang, v) for v in verdict]
    if len(executed_plus_na) > 1:
        problems.append("the runners' counts differ from each other")
    if problems:
        print("\nFAIL:\n  " + "\n  ".join(problems))
        return 1
    print("\nOK: every runner executed and passed every applicable scenario")
    return 0


if __name__ == "__main__":
    sys.exit(main())
