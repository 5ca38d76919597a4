"""Runs the Python test suite on every CPython of the version matrix.

Arguments (written by bindings/python/CMakeLists.txt at configure time):
    run:<version>:<interpreter>:<directory holding that build of polyipc>
    skip:<version>:<reason>

Each interpreter runs tests/python with Debian's pytest when it can import it
(via /usr/lib/python3/dist-packages, e.g. 3.11-3.13), else with minipytest.py
(same files). The no-crash enumeration is sampled (every Nth case) here; the
system python runs it in full in the `python` test. Prints which interpreters
were covered, and fails if any run failed; a missing interpreter is a skip.
"""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DIST = "/usr/lib/python3/dist-packages"
NOCRASH_EVERY = "7"


def run(version, python, libdir):
    env = dict(os.environ)
    env["POLYIPC_NOCRASH_EVERY"] = NOCRASH_EVERY
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONPATH"] = os.pathsep.join([libdir, DIST])
    probe = subprocess.run([python, "-c", "import pytest"], env=env, capture_output=True)
    if probe.returncode == 0:
        runner = "pytest"
        cmd = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
               "-W", "ignore::DeprecationWarning:_pytest.assertion.rewrite", HERE]
    else:
        runner = "minipytest"
        env["PYTHONPATH"] = libdir
        cmd = [python, os.path.join(HERE, "minipytest.py"), HERE]
    real = subprocess.run([python, "-c", "import sys, polyipc; print(sys.version.split()[0], polyipc.__file__)"],
                          env=env, capture_output=True, text=True)
    if real.returncode != 0:
        print("polyipc does not import on %s:\n%s" % (python, real.stderr))
        return False, runner, "?"
    full_version = real.stdout.split()[0]
    print("\n==> CPython %s (%s) with %s; polyipc from %s" % (full_version, python, runner, real.stdout.split()[1]),
          flush=True)
    t0 = time.monotonic()
    rc = subprocess.run(cmd, env=env, cwd=HERE).returncode
    print("==> CPython %s: %s in %.0fs" % (full_version, "passed" if rc == 0 else "FAILED", time.monotonic() - t0),
          flush=True)
    return rc == 0, runner, full_version


def main(args):
    covered, skipped, failed = [], [], []
    for arg in args:
        kind, version, rest = arg.split(":", 2)
        if kind == "skip":
            print("==> CPython %s skipped: %s" % (version, rest))
            skipped.append("%s (%s)" % (version, rest))
            continue
        python, libdir = rest.split(":", 1)
        ok, runner, full = run(version, python, libdir)
        (covered if ok else failed).append("%s [%s, %s]" % (full, python, runner))
    print("\nPython version matrix:")
    print("  covered: " + ("; ".join(covered) or "none"))
    if failed:
        print("  FAILED:  " + "; ".join(failed))
    if skipped:
        print("  skipped: " + "; ".join(skipped))
    print("  (the system python, /usr/bin/python3, runs the full suite in the `python` test)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
