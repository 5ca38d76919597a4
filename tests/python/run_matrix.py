"""The Python distribution test (ctest `python-dist`): what users install is
what is tested.

    run_matrix.py --source ROOT --work DIR --build-tree LIBDIR --versions "3.9;3.10;..."

1. Copies the tree (its git files: what a fresh clone has) into DIR/src and
   runs `python3 -m build --no-isolation` there (Debian's python, setuptools
   and build): an sdist and a wheel. Checks what each holds.
2. The issue's "Done when": a fresh venv, `pip install --no-index` of that
   wheel, `import polyipc`; a typed user script (tests/python/typed/) passes
   `mypy --strict` against the venv (mypy --python-executable, no MYPYPATH)
   and runs, and mypy reports exactly the marked errors of bad_script.py.
3. Installs the sdist into a venv of Debian's python (--system-site-packages:
   pytest, mypy and the sysv_ipc oracle) with SWIG hidden from PATH and the
   build backend taken offline from /usr/share/python-wheels; runs the test
   suite, the corpus and stubtest (test_stub.py) from the unpacked sdist.
4. For every CPython of --versions found on the machine (pyenv's, then
   /usr/bin/pythonX.Y; it needs Python.h): builds a wheel from the sdist with
   that interpreter's pip (SWIG hidden, offline), installs it into a fresh
   venv of that version, and runs the suite and the corpus with
   minipytest.py (pyenv's interpreters have no pytest), the no-crash
   enumeration sampled (every 7th case), and the typed user script.
5. `import polyipc` is the same from every cp311 install as from the CMake
   build tree (LIBDIR): names, types, reprs, docstrings, drop-in use.
A version that is not installed is a printed skip, not a failure; every
other problem fails the test. Prints a summary with timings.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SYSTEM_PYTHON = "/usr/bin/python3"
DEBIAN_WHEELS = "/usr/share/python-wheels"  # python3-setuptools-whl, python3-wheel-whl
NOCRASH_EVERY = "7"

FINGERPRINT = r'''
import json, os, pickle, sys
import polyipc
out = {"__name__": polyipc.__name__, "file": os.path.basename(polyipc.__file__),
       "module type": type(polyipc).__name__, "package": polyipc.__package__,
       "spec origin": os.path.basename(polyipc.__spec__.origin), "doc": polyipc.__doc__}
for name in sorted(dir(polyipc)):
    if name in ("__file__", "__spec__", "__loader__", "__path__", "__cached__"):
        continue
    v = getattr(polyipc, name)
    row = [type(v).__name__, repr(v) if isinstance(v, (int, str, bool)) else None]
    if isinstance(v, type):
        row += [v.__module__, v.__qualname__, repr(v), type(v).__name__, [b.__name__ for b in v.__mro__],
                (v.__doc__ or "")[:200], sorted(n for n in dir(v))]
    elif callable(v):
        row += [v.__doc__]
    out[name] = row
sem = polyipc.Semaphore(None, polyipc.IPC_CREX)
try:
    out["repr"] = repr(sem).replace(str(sem.key), "KEY")
    try:
        pickle.dumps(sem)
    except Exception as e:
        out["pickle"] = "%s: %s" % (type(e).__name__, e)
    try:
        polyipc.Semaphore(sem.key, polyipc.IPC_CREX)
    except polyipc.ExistentialError as e:
        out["error"] = [type(e).__module__, type(e).__qualname__, str(e).replace(str(sem.key), "KEY"), e.errno]
finally:
    sem.remove()
sys.modules["sysv_ipc"] = polyipc
import sysv_ipc
out["drop-in"] = sysv_ipc is polyipc and sysv_ipc.Semaphore is polyipc.Semaphore
print(json.dumps(out, sort_keys=True))
'''


class Failure(Exception):
    pass


def log(msg):
    print(msg, flush=True)


def run(cmd, env=None, cwd=None, check=True, capture=False):
    log("$ " + " ".join(cmd))
    r = subprocess.run(cmd, env=env, cwd=cwd, text=True,
                       stdout=subprocess.PIPE if capture else None,
                       stderr=subprocess.STDOUT if capture else None)
    if check and r.returncode != 0:
        if capture:
            log(r.stdout)
        raise Failure("exit status %d: %s" % (r.returncode, " ".join(cmd)))
    return r


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "MYPYPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_FIND_LINKS")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PIP_NO_CACHE_DIR"] = "1"
    env.update(extra)
    return env


def copy_tree(source, dest):
    """The files a clone has (git-tracked, plus untracked files not ignored)."""
    r = subprocess.run(["git", "-C", source, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                       capture_output=True)
    if r.returncode != 0:
        raise Failure("%s is not a git checkout: %s" % (source, r.stderr.decode()))
    n = 0
    for rel in sorted(set(r.stdout.decode().split("\0")) - {""}):
        src = os.path.join(source, rel)
        if not os.path.isfile(src):  # deleted in the work tree
            continue
        os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
        shutil.copy2(src, os.path.join(dest, rel))
        n += 1
    log("copied %d files of %s to %s" % (n, source, dest))


def path_without_swig(work):
    """A directory of links to every program on PATH except SWIG: the PATH of
    the builds that must not need SWIG."""
    farm = os.path.join(work, "path-without-swig")
    os.makedirs(farm)
    for d in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep):
        if not os.path.isdir(d):
            continue
        for name in os.listdir(d):
            target = os.path.join(d, name)
            if name.startswith("swig") or os.path.lexists(os.path.join(farm, name)):
                continue
            if os.path.isfile(target) and os.access(target, os.X_OK):
                os.symlink(target, os.path.join(farm, name))
    for name in ("swig", "swig4.0"):
        if shutil.which(name, path=farm):
            raise Failure("SWIG is still on the hidden PATH")
    if not shutil.which("cc", path=farm) and not shutil.which("gcc", path=farm):
        raise Failure("no C compiler on PATH")
    return farm


def check_sdist(sdist, version):
    with tarfile.open(sdist) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    build = json.load(open(os.path.join(HERE, "..", "..", "core", "build.json")))
    want = {"PKG-INFO", "pyproject.toml", "setup.py", "LICENSE", "README.md", "VERSION", "core/build.json",
            "core/include/polyipc.h", "core/" + build["version_header"]["template"],
            "bindings/python/polyipc_wrap.c", "bindings/python/polyipc-stubs/__init__.pyi",
            "bindings/python/polyipc_testing.py",
            "tests/python/minipytest.py", "tests/python/conftest.py", "tests/python/test_corpus.py",
            "tests/python/typed/user_script.py", "tests/nocrash/cases.json",
            "tests/support/sysvipc_proc.py"}
    want |= {"core/" + s for s in build["sources"]}
    want |= {"tests/python/" + os.path.basename(p) for p in glob.glob(os.path.join(HERE, "test_*.py"))}
    want |= {"tests/corpus/" + os.path.basename(p) for p in glob.glob(os.path.join(HERE, "..", "corpus", "*.json"))}
    missing = sorted(want - names)
    if missing:
        raise Failure("the sdist lacks %s" % missing)
    built = sorted(n for n in names if n.endswith((".so", ".o", ".whl")) or n.startswith("build/"))
    if built:
        raise Failure("the sdist holds build output: %s" % built)
    log("sdist %s: %d files, with the generated wrapper, the core, the tests and the corpus" %
        (os.path.basename(sdist), len(names)))


def check_wheel(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
    other = [n for n in names if not (re.fullmatch(r"polyipc\.cpython-\d+-[^/]+\.so", n)
                                      or n in ("polyipc-stubs/__init__.pyi", "polyipc_testing.py")
                                      or n.startswith("polyipc-%s.dist-info/" % VERSION))]
    if (other or "polyipc-stubs/__init__.pyi" not in names or "polyipc_testing.py" not in names
            or not any(n.endswith(".so") for n in names)):
        raise Failure("wheel %s holds %s (unexpected: %s)" % (wheel, names, other))
    log("wheel %s: %s" % (os.path.basename(wheel), ", ".join(n for n in names if "dist-info" not in n)))


def make_venv(python, venv, system_site=False):
    cmd = [python, "-m", "venv"] + (["--system-site-packages"] if system_site else []) + [venv]
    run(cmd, env=clean_env())
    return os.path.join(venv, "bin", "python")


def where_polyipc(python):
    r = subprocess.run([python, "-c", "import sys, polyipc; print(sys.version.split()[0]); print(polyipc.__file__)"],
                       env=clean_env(), capture_output=True, text=True, cwd="/")
    if r.returncode != 0:
        raise Failure("polyipc does not import in %s:\n%s" % (python, r.stderr))
    version, path = r.stdout.split()
    venv = os.path.dirname(os.path.dirname(python))
    if not os.path.realpath(path).startswith(os.path.realpath(venv) + os.sep):
        raise Failure("%s imports polyipc from %s, not from its venv" % (python, path))
    return version, path


def run_suite(python, tests, runner, extra_env):
    """The suite in a nested private IPC namespace, so that the corpus's
    sysctl scenarios run too (test_corpus.py compares namespaces)."""
    env = clean_env(POLYIPC_OUTER_IPC_NS=os.readlink("/proc/self/ns/ipc"), **extra_env)
    if runner == "pytest":
        cmd = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", tests]
    else:
        cmd = [python, os.path.join(tests, "minipytest.py"), tests]
    run(["unshare", "--ipc", "--"] + cmd, env=env, cwd=tests)


def typed_checks(venv_python, typed_dir, work):
    """mypy (Debian's) against the venv: the user script passes --strict,
    bad_script.py fails on exactly its lines marked `E:`; then the script runs."""
    cache = os.path.join(work, "mypy-cache")
    mypy = [SYSTEM_PYTHON, "-m", "mypy", "--strict", "--python-executable", venv_python, "--cache-dir", cache]
    run(mypy + [os.path.join(typed_dir, "user_script.py")], env=clean_env(), cwd=work)
    bad = os.path.join(typed_dir, "bad_script.py")
    r = run(mypy + [bad], env=clean_env(), cwd=work, check=False, capture=True)
    want = {i for i, line in enumerate(open(bad), 1) if re.search(r"#\s*E:", line)}
    got = {int(m) for m in re.findall(r"bad_script\.py:(\d+): error", r.stdout)}
    if r.returncode == 0 or got != want:
        raise Failure("mypy on bad_script.py: errors on lines %s, expected %s:\n%s" % (sorted(got), sorted(want),
                                                                                      r.stdout))
    log("mypy: the typed script passes --strict; bad_script.py fails on lines %s as marked" % sorted(want))
    run([venv_python, os.path.join(typed_dir, "user_script.py")], env=clean_env(), cwd=work)


def fingerprint(python, env):
    r = subprocess.run([python, "-c", FINGERPRINT], env=env, capture_output=True, text=True, cwd="/")
    if r.returncode != 0:
        raise Failure("fingerprint in %s failed:\n%s" % (python, r.stderr))
    return json.loads(r.stdout)


def find_interpreter(version):
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    cands = sorted(glob.glob(os.path.join(root, "versions", version + ".*", "bin", "python3")),
                   key=lambda p: [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", p)], reverse=True)
    cands.append("/usr/bin/python" + version)
    for py in cands:
        if not os.path.exists(py):
            continue
        r = subprocess.run([py, "-c", "import sys, sysconfig, os; print('%d.%d' % sys.version_info[:2]); "
                            "print(os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))"],
                           capture_output=True, text=True, env=clean_env())
        if r.returncode == 0 and r.stdout.split() == [version, "True"]:
            return py, None
    return None, "no CPython %s with headers in %s/versions or /usr/bin" % (version, root)


def main():
    global VERSION
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--build-tree", required=True)
    ap.add_argument("--versions", default="3.9;3.10;3.11;3.12;3.13")
    args = ap.parse_args()
    t_start = time.monotonic()
    timings, covered, skipped = [], [], []

    def step(name, t0):
        timings.append("%s %.0fs" % (name, time.monotonic() - t0))

    work = os.path.abspath(args.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    VERSION = open(os.path.join(args.source, "VERSION")).read().strip()

    # 1. sdist and wheel from a copy of the tree
    t0 = time.monotonic()
    src = os.path.join(work, "src")
    copy_tree(args.source, src)
    dist = os.path.join(work, "dist")
    run([SYSTEM_PYTHON, "-m", "build", "--no-isolation", "--outdir", dist, src], env=clean_env())
    sdist = os.path.join(dist, "polyipc-%s.tar.gz" % VERSION)
    wheels = glob.glob(os.path.join(dist, "polyipc-%s-*.whl" % VERSION))
    if not os.path.exists(sdist) or len(wheels) != 1:
        raise Failure("python3 -m build made %s" % os.listdir(dist))
    check_sdist(sdist, VERSION)
    check_wheel(wheels[0])
    if glob.glob(os.path.join(src, "**", "*_wrap.c"), recursive=True):
        raise Failure("building the sdist wrote a wrapper into the source tree")
    step("build", t0)

    unpacked = os.path.join(work, "sdist")
    with tarfile.open(sdist) as t:
        t.extractall(unpacked)
    unpacked = os.path.join(unpacked, "polyipc-" + VERSION)
    tests = os.path.join(unpacked, "tests", "python")
    typed = os.path.join(tests, "typed")
    noswig = path_without_swig(work)

    # 2. the "Done when": a venv, the wheel, import, mypy
    t0 = time.monotonic()
    done_py = make_venv(SYSTEM_PYTHON, os.path.join(work, "venv-wheel"))
    run([done_py, "-m", "pip", "install", "--no-index", wheels[0]], env=clean_env())
    run([done_py, "-c", "import polyipc"], env=clean_env(), cwd="/")
    version, _ = where_polyipc(done_py)
    typed_checks(done_py, typed, work)
    covered.append("%s wheel from `python3 -m build` (import, mypy, typed script)" % version)
    step("wheel+mypy", t0)

    # 3. the sdist, SWIG hidden, into Debian's python: the whole suite
    t0 = time.monotonic()
    sdist_py = make_venv(SYSTEM_PYTHON, os.path.join(work, "venv-sdist"), system_site=True)
    run([sdist_py, "-m", "pip", "install", "--no-index", "--find-links", DEBIAN_WHEELS, sdist],
        env=clean_env(PATH=noswig))
    version, _ = where_polyipc(sdist_py)
    run_suite(sdist_py, tests, "pytest", {"POLYIPC_REQUIRE_ORACLE": "1", "POLYIPC_REQUIRE_STUBTEST": "1"})
    covered.append("%s from the sdist without SWIG (pytest: suite, corpus, differential, stubtest)" % version)
    step("sdist", t0)

    # 5 (reference). the build tree's import
    reference = fingerprint(SYSTEM_PYTHON, clean_env(PYTHONPATH=args.build_tree))
    same_as_tree = []
    for py in (done_py, sdist_py):
        if fingerprint(py, clean_env()) != reference:
            raise Failure("import polyipc differs between the build tree and %s" % py)
        same_as_tree.append(py)

    # 4. a wheel per CPython version, built from the sdist, in its own venv
    for ver in [v for v in re.split(r"[;,\s]+", args.versions) if v]:
        t0 = time.monotonic()
        py, why = find_interpreter(ver)
        if not py:
            log("==> CPython %s skipped: %s" % (ver, why))
            skipped.append("%s (%s)" % (ver, why))
            continue
        log("\n==> CPython %s (%s): wheel from the sdist" % (ver, py))
        wheel_dir = os.path.join(work, "wheels", ver)
        run([py, "-m", "pip", "wheel", "--no-index", "--find-links", DEBIAN_WHEELS, "--no-deps", "-w", wheel_dir,
             sdist], env=clean_env(PATH=noswig))
        built = glob.glob(os.path.join(wheel_dir, "polyipc-*.whl"))
        if len(built) != 1:
            raise Failure("pip wheel made %s" % built)
        check_wheel(built[0])
        vpy = make_venv(py, os.path.join(work, "venv-" + ver))
        run([vpy, "-m", "pip", "install", "--no-index", built[0]], env=clean_env())
        full, where = where_polyipc(vpy)
        log("==> CPython %s: polyipc from %s" % (full, where))
        run_suite(vpy, tests, "minipytest", {"POLYIPC_NOCRASH_EVERY": NOCRASH_EVERY})
        run([vpy, os.path.join(typed, "user_script.py")], env=clean_env(), cwd=work)
        if ver == "%d.%d" % sys.version_info[:2]:
            if fingerprint(vpy, clean_env()) != reference:
                raise Failure("import polyipc differs between the build tree and %s" % vpy)
            same_as_tree.append(vpy)
        covered.append("%s [%s] wheel %s (minipytest: suite, corpus; typed script)" %
                       (full, py, os.path.basename(built[0])))
        step(ver, t0)

    log("\nPython distribution:")
    for c in covered:
        log("  covered: " + c)
    for s in skipped:
        log("  skipped: " + s)
    log("  import polyipc identical to the build tree's in: " + ", ".join(same_as_tree))
    log("  time: %s; total %.0fs" % (", ".join(timings), time.monotonic() - t_start))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failure as e:
        print("FAIL: %s" % e, flush=True)
        sys.exit(1)
