#!/usr/bin/env python3
"""Runs every example in the project's documentation.

Extracts each fenced block tagged python, ruby, perl, c or sh (bash is read as
sh) from README.md and docs/**/*.md and runs it on its own: in a private IPC
namespace (`unshare --ipc`), in an empty temporary directory, with a timeout.
A block fails when it exits non-zero, does not finish in time, or leaves a
System V object behind in its namespace.

A block that cannot run on its own is preceded (blank lines aside) by

    <!-- doctest: skip (the reason) -->

and is counted and listed as skipped, with its reason. A block that works on
the source tree (an install or build command, run verbatim as a user would in
a fresh clone) is preceded by

    <!-- doctest: source-tree -->

and runs in its own copy of the checkout (the files git tracks, plus untracked
ones it does not ignore), with --source-timeout. Blocks tagged anything else
(text, console, json, ...) are not examples and are not counted.

How a block finds polyipc (the environment each block gets):
  python  /usr/bin/python3 with PYTHONPATH=--python-path
  ruby    ruby with RUBYLIB=--ruby-lib
  perl    perl with PERL5LIB=--perl-lib
  c       cc -std=c11 -Wall -Werror, compiled against --prefix through
          pkg-config when a prefix is given, else against --c-include and
          --c-lib; then run
  every   HOME is an empty directory of the block's own
  sh      bash -euo pipefail, with all of the above in the environment and
          --prefix/bin first on PATH (PKG_CONFIG_PATH, CMAKE_PREFIX_PATH and
          LD_LIBRARY_PATH point into the prefix)

Usage:
  run_doctests.py [--root DIR] [paths options] [--install-from BUILD] [FILE.md ...]
  run_doctests.py --self-test [paths options]   the runner's own check: a
      failing, a hanging, a leaking and a passing block must be told apart
Ends with the line `doctest: N passed, N failed, N skipped`; exits 1 when a
block failed or when no block ran.
"""
import argparse
import atexit
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import sysvipc_proc  # noqa: E402

LANGS = {"python": "python", "ruby": "ruby", "perl": "perl", "c": "c", "sh": "sh", "bash": "sh"}
SKIP_RE = re.compile(r"^\s*<!--\s*doctest:\s*skip\s*\((.+)\)\s*-->\s*$")
SOURCE_RE = re.compile(r"^\s*<!--\s*doctest:\s*source-tree\s*-->\s*$")
FENCE_RE = re.compile(r"^(\s*)(```+|~~~+)\s*([A-Za-z0-9_+-]*)")


class Block:
    def __init__(self, path, line, lang, code, skip, in_source):
        self.path, self.line, self.lang, self.code, self.skip = path, line, lang, code, skip
        self.in_source = in_source

    def where(self, root):
        return f"{os.path.relpath(self.path, root)}:{self.line}"


def extract(path):
    """Yields the fenced blocks of a Markdown file whose tag is one of LANGS."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    last_text = ""  # the last non-blank line outside a block
    while i < len(lines):
        m = FENCE_RE.match(lines[i])
        if not m:
            if lines[i].strip():
                last_text = lines[i]
            i += 1
            continue
        indent, fence, tag = m.group(1), m.group(2), m.group(3).lower()
        start = i + 1
        body = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
            i += 1
        i += 1  # the closing fence
        if tag in LANGS:
            sm = SKIP_RE.match(last_text)
            yield Block(path, start, LANGS[tag], "\n".join(body) + "\n", sm.group(1) if sm else None,
                        bool(SOURCE_RE.match(last_text)))
        last_text = ""


def block_environment(args):
    env = dict(os.environ)

    def prepend(var, *dirs):
        parts = [d for d in dirs if d] + ([env[var]] if env.get(var) else [])
        if parts:
            env[var] = os.pathsep.join(parts)

    prepend("PYTHONPATH", args.python_path)
    prepend("RUBYLIB", *(args.ruby_lib or []))
    prepend("PERL5LIB", args.perl_lib)
    if args.prefix:
        libdirs = [os.path.join(args.prefix, d) for d in ("lib", "lib64", "lib/x86_64-linux-gnu")]
        prepend("PATH", os.path.join(args.prefix, "bin"))
        prepend("PKG_CONFIG_PATH", *[os.path.join(d, "pkgconfig") for d in libdirs])
        prepend("LD_LIBRARY_PATH", *libdirs)
        prepend("CMAKE_PREFIX_PATH", args.prefix)
        prepend("MANPATH", os.path.join(args.prefix, "share", "man"))
    prepend("PATH", args.bin_dir)
    # `python3` in a sh block is the interpreter the module was built for
    # (its directory first on PATH; a venv made from it must outlive the run).
    prepend("PATH", os.path.dirname(os.path.realpath(args.python)))
    env.pop("PYTHONHOME", None)
    return env


def command_for(block, workdir, args):
    """The argv that runs the block (written into workdir)."""
    if block.lang == "python":
        src = os.path.join(workdir, "example.py")
        open(src, "w").write(block.code)
        return [args.python, src]
    if block.lang == "ruby":
        src = os.path.join(workdir, "example.rb")
        open(src, "w").write(block.code)
        return ["ruby", src]
    if block.lang == "perl":
        src = os.path.join(workdir, "example.pl")
        open(src, "w").write(block.code)
        return ["perl", src]
    if block.lang == "sh":
        src = os.path.join(workdir, "example.sh")
        open(src, "w").write(block.code)
        return ["bash", "-euo", "pipefail", src]
    src = os.path.join(workdir, "example.c")
    open(src, "w").write(block.code)
    exe = os.path.join(workdir, "example")
    if args.prefix:
        compile_cmd = f'cc -std=c11 -Wall -Werror -o "{exe}" "{src}" $(pkg-config --cflags --libs polyipc)'
    else:
        incs = " ".join(f'-I"{d}"' for d in (args.c_include or []))
        compile_cmd = f'cc -std=c11 -Wall -Werror {incs} -o "{exe}" "{src}" "{args.c_lib}" -lm'
    return ["bash", "-euo", "pipefail", "-c", f'{compile_cmd}\n"{exe}"']


def run_one(argv, timeout):
    """Child side (inside its own IPC namespace): runs argv, then checks leftovers.
    Exit status: the block's, or 124 on timeout, or 125 when objects were left."""
    proc = subprocess.Popen(argv, start_new_session=True)
    try:
        rc = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        print(f"doctest: timed out after {timeout} s", flush=True)
        return 124
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # background processes the block left running
    except ProcessLookupError:
        pass
    left = sysvipc_proc.count()
    if rc == 0 and left:
        print(f"doctest: {left} System V object(s) left behind:", flush=True)
        subprocess.run(["ipcs", "-a"])
        return 125
    return rc


def copy_source_tree(root, dest):
    """Copies the checkout's files (tracked, and untracked but not ignored) to dest."""
    names = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           check=True, stdout=subprocess.PIPE).stdout.decode().split("\0")
    for name in filter(None, names):
        src = os.path.join(root, name)
        if not os.path.lexists(src):
            continue  # deleted in the work tree
        os.makedirs(os.path.dirname(os.path.join(dest, name)), exist_ok=True)
        shutil.copy2(src, os.path.join(dest, name), follow_symlinks=False)


def run_blocks(blocks, args, root):
    env = block_environment(args)
    passed = failed = skipped = 0
    failures = []
    for b in blocks:
        where = b.where(root)
        if b.skip:
            skipped += 1
            print(f"skip  {where} [{b.lang}] ({b.skip})", flush=True)
            continue
        workdir = tempfile.mkdtemp(prefix="polyipc-doctest-")    # the block's cwd
        scriptdir = tempfile.mkdtemp(prefix="polyipc-doctest-src-")  # the block itself
        timeout = args.timeout
        home = os.path.join(scriptdir, "home")  # HOME: nothing a block installs "for the user" outlives it
        os.mkdir(home)
        try:
            if b.in_source:
                copy_source_tree(args.source or root, workdir)
                timeout = args.source_timeout
            argv = command_for(b, scriptdir, args)
            t0 = time.monotonic()
            proc = subprocess.run(
                ["unshare", "--ipc", "--", args.python, os.path.abspath(__file__), "--exec-one",
                 str(timeout), "--"] + argv,
                cwd=workdir, env=dict(env, HOME=home), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                timeout=timeout + 30)
            dt = time.monotonic() - t0
            out = proc.stdout.decode("utf-8", "replace")
            if proc.returncode == 0:
                passed += 1
                print(f"ok    {where} [{b.lang}] {dt:.2f} s", flush=True)
            else:
                failed += 1
                why = {124: "hang (timeout)", 125: "left System V objects"}.get(
                    proc.returncode, f"exit {proc.returncode}")
                failures.append(where)
                print(f"FAIL  {where} [{b.lang}] {why}\n" + "".join(f"    | {line}\n" for line in out.splitlines()[-40:]),
                      flush=True)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
            shutil.rmtree(scriptdir, ignore_errors=True)
    return passed, failed, skipped, failures


def doc_files(root):
    files = [os.path.join(root, "README.md")]
    for dirpath, _, names in os.walk(os.path.join(root, "docs")):
        files += [os.path.join(dirpath, n) for n in sorted(names) if n.endswith(".md")]
    return sorted(f for f in files if os.path.exists(f))


SELF_TEST_DOC = """\
A passing block:
```sh
echo fine
```
A failing block:
```python
raise SystemExit(3)
```
A hanging block:
```sh
sleep 600
```
A leaking block:
```python
import ctypes, ctypes.util
libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
assert libc.semget(0, 1, 0o1600) >= 0
```
<!-- doctest: source-tree -->
```sh
test -f marker.txt
```
<!-- doctest: skip (the self-test's skipped block) -->
```ruby
raise "never run"
```
Not an example:
```text
ignored
```
"""


def self_test(args):
    """The runner must tell a passing, a failing, a hanging and a leaking block apart."""
    tmp = tempfile.mkdtemp(prefix="polyipc-doctest-self-")
    try:
        doc = os.path.join(tmp, "self.md")
        open(doc, "w").write(SELF_TEST_DOC)
        open(os.path.join(tmp, "marker.txt"), "w").write("a file of the source tree\n")
        subprocess.run(["git", "init", "-q", tmp], check=True)
        args.source = tmp
        args.timeout = 3
        blocks = list(extract(doc))
        langs = [b.lang for b in blocks]
        assert langs == ["sh", "python", "sh", "python", "sh", "ruby"], langs
        passed, failed, skipped, failures = run_blocks(blocks, args, tmp)
        want_fail = ["self.md:6", "self.md:10", "self.md:14"]
        ok = (passed, failed, skipped) == (2, 3, 1) and failures == want_fail
        print(f"self-test: {'ok' if ok else 'FAILED'} (passed {passed}, failed {failed} at {failures}, "
              f"skipped {skipped}; expected 2, 3 at {want_fail}, 1)")
        return 0 if ok else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    if len(sys.argv) > 3 and sys.argv[1] == "--exec-one":
        return run_one(sys.argv[4:], float(sys.argv[2]))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..")))
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--python-path")
    ap.add_argument("--ruby-lib", action="append")
    ap.add_argument("--perl-lib")
    ap.add_argument("--c-include", action="append")
    ap.add_argument("--c-lib")
    ap.add_argument("--prefix", help="an install prefix of libpolyipc (pkg-config, CMake, the CLI)")
    ap.add_argument("--bin-dir", help="a directory put first on PATH (e.g. the built CLI)")
    ap.add_argument("--install-from", metavar="BUILD_DIR",
                    help="install that CMake build into a temporary prefix and use it as --prefix")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--source-timeout", type=float, default=900.0,
                    help="the timeout of source-tree blocks (install and build commands)")
    ap.add_argument("--source", help="the checkout copied for source-tree blocks (default: --root)")
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    for name in ("python_path", "perl_lib", "c_lib", "prefix", "bin_dir"):
        if getattr(args, name):
            setattr(args, name, os.path.abspath(getattr(args, name)))
    for name in ("ruby_lib", "c_include"):
        if getattr(args, name):
            setattr(args, name, [os.path.abspath(d) for d in getattr(args, name)])
    if args.self_test:
        return self_test(args)
    if args.install_from:
        args.prefix = tempfile.mkdtemp(prefix="polyipc-doctest-prefix-")
        atexit.register(shutil.rmtree, args.prefix, True)
        subprocess.run(["cmake", "--install", args.install_from, "--prefix", args.prefix],
                       check=True, stdout=subprocess.DEVNULL)
    root = os.path.abspath(args.root)
    files = [os.path.abspath(f) for f in args.files] or doc_files(root)
    blocks = [b for f in files for b in extract(f)]
    passed, failed, skipped, failures = run_blocks(blocks, args, root)
    by_lang = {}
    for b in blocks:
        by_lang[b.lang] = by_lang.get(b.lang, 0) + 1
    print(f"blocks per language: " + ", ".join(f"{k} {v}" for k, v in sorted(by_lang.items())))
    if skipped:
        print(f"{skipped} block(s) marked skip (listed above with their reasons)")
    print(f"doctest: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
