"""The no-crash cases of test_no_crash.py and their fork server.

Kept free of pytest so that the fork server stays small (forking a process
that imported pytest costs several times more here).

No input ever crashes the interpreter.

Every public callable (module functions, methods, constructors) is called
with bad values in each parameter, and every attribute is read, assigned bad
values and deleted, in every object state (fresh, removed, detached,
uninitialised). Each case runs in its own forked child, so a crash fails that
case instead of killing the run; the child must end with a clean exception
of a sensible class (never SystemError) or a normal return."""
import inspect
import os
import signal
import sys

import polyipc

BAD = [None, True, 1.5, float("nan"), -1, 2**31, 2**63, 2**64, -2**64, "x", "\udcff", b"\x00\xff",
       bytearray(b"x"), memoryview(b"xy"), object(), [(0, 1)], (1, 2), len]
# sizes that would make the kernel hand out (and the fill touch) gigabytes
HUGE_OK = {"size"}
STATES = ["fresh", "removed", "detached", "uninitialised"]
CLASSES = [polyipc.Semaphore, polyipc.SharedMemory, polyipc.MessageQueue, polyipc.SemaphoreSet]

GOOD = {  # valid, non-blocking values for the parameters not under test
    "key": None, "flags": polyipc.IPC_CREX, "mode": 0o600, "initial_value": 1, "size": 64,
    "init_character": b" ", "max_message_size": 64, "nsems": 2, "timeout": 0, "delta": 1,
    "byte_count": 1, "offset": 0, "s": b"x", "message": b"x", "block": False, "type": 0,
    "address": None, "id": 0, "path": "/", "silence_warning": True, "ops": [(0, 1)], "index": 0,
    "value": 1, "values": [1, 1], "exc_type": None, "exc_value": None, "traceback": None,
}

ALLOWED = (polyipc.Error, TypeError, ValueError, AttributeError, BufferError, OSError, ArithmeticError,
           UnicodeError)


class Blocked(Exception):
    pass


_ARMED = [False]


def _on_alarm(signum, frame):
    if _ARMED[0]:  # a late signal (after the call) is ignored
        _ARMED[0] = False
        raise Blocked()


def _bounded(call):
    """Runs call(); if it blocks, it is cut short after 0.1 s with Blocked."""
    _ARMED[0] = True
    signal.setitimer(signal.ITIMER_REAL, 0.1)
    try:
        return call()
    finally:
        _ARMED[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)


def _make(cls, state):
    """A fresh object of cls in `state` (creates kernel objects: see _cleanup)."""
    if state == "uninitialised":
        return cls.__new__(cls)
    if state == "detached" and cls is not polyipc.SharedMemory:
        raise ValueError("only SharedMemory can be detached")
    if cls is polyipc.Semaphore:
        obj = cls(None, polyipc.IPC_CREX, initial_value=5)
    elif cls is polyipc.SharedMemory:
        obj = cls(None, polyipc.IPC_CREX, size=64)
    elif cls is polyipc.MessageQueue:
        obj = cls(None, polyipc.IPC_CREX, max_message_size=64)
        for t in (1, 2, 3):
            obj.send(b"m", type=t)
    else:
        obj = cls(None, 2, polyipc.IPC_CREX, initial_value=5)
    if state == "removed":
        obj.remove()
    elif state == "detached":
        obj.detach()
    return obj


def _cleanup(objs):
    for o in objs:
        for step in ("remove", "detach"):
            try:
                getattr(o, step)()
            except BaseException:
                pass


def _check(fn):
    """Runs fn in this (child) process; exit status 0 when it behaved."""
    signal.signal(signal.SIGALRM, _on_alarm)
    try:
        fn()
    except Blocked:
        return 0
    except SystemError as e:
        sys.stderr.write("SystemError: %r\n" % (e,))
        return 4
    except ALLOWED as e:
        if not str(e) and not isinstance(e, (polyipc.NotAttachedError,)):
            sys.stderr.write("empty message: %r\n" % (e,))
            return 5
        return 0
    except Exception as e:
        sys.stderr.write("unexpected exception class: %r\n" % (e,))
        return 6
    return 0


def _params(func):
    try:
        return [p for p in inspect.signature(func).parameters.values() if p.name != "self"]
    except (ValueError, TypeError):
        return []


def _members(cls):
    methods, attrs = [], []
    for name in sorted(dir(cls)):
        if name.startswith("_") and name not in ("__enter__", "__exit__", "__str__", "__repr__"):
            continue
        (methods if callable(getattr(cls, name)) else attrs).append(name)
    return methods, attrs


# ---- the cases, as data, so that a small fork server can run them --------
# A spec: [kind, class name or function name, state, member, args, kwargs]
# where every value is ["bad", index into BAD] or ["good", parameter name] or
# ["int", n] (for wrong arities).

def _value(v):
    return BAD[v[1]] if v[0] == "bad" else GOOD.get(v[1], 0) if v[0] == "good" else v[1]


def _calls(func, full=True, bad=None):
    """(description, args, kwargs) specs: each parameter with each bad value
    (or those listed in `bad`), plus wrong arities and an unknown keyword
    (only good values when not full)."""
    params = _params(func)
    base = {p.name: ["good", p.name] for p in params}
    cases = [("good", [], dict(base)), ("no args", [], {})]
    if not full:
        return cases
    cases += [("too many", [["int", i] for i in range(len(params) + 2)], {}),
              ("unknown kw", [], dict(base, nope=["int", 1]))]
    for p in params:
        for i, value in enumerate(BAD):
            if bad is not None and i not in bad:
                continue
            if p.name in HUGE_OK and isinstance(value, int) and not isinstance(value, bool) and value > 2**24:
                continue
            kwargs = dict(base)
            kwargs[p.name] = ["bad", i]
            cases.append(("%s=BAD[%d]" % (p.name, i), [], kwargs))
    return cases


def _run_spec(spec):
    kind, owner, state, name, args, kwargs = spec
    if kind == "selftest-crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    args = [_value(a) for a in args]
    kwargs = {k: _value(v) for k, v in kwargs.items()}
    if kind == "func":
        r = getattr(polyipc, owner)(*args, **kwargs)
        if isinstance(r, polyipc.SharedMemory):
            r.detach()
        return
    cls = getattr(polyipc, owner)
    objs = []
    try:
        if kind == "ctor":
            objs.append(cls(*args, **kwargs))
            return
        obj = _make(cls, state)
        objs.append(obj)
        if kind == "method":
            method = getattr(obj, name)
            _bounded(lambda: method(*args, **kwargs))
        elif kind == "get":
            getattr(obj, name)
        elif kind == "del":
            delattr(obj, name)
        else:
            setattr(obj, name, args[0])
    finally:
        _cleanup(objs)


def _serve():
    """The fork server: one spec per stdin line, one status per stdout line."""
    import json
    for line in sys.stdin:
        spec = json.loads(line)
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 7
            try:
                code = _check(lambda: _run_spec(spec))
            finally:
                os._exit(code)
        _, st = os.waitpid(pid, 0)  # a wait that blocks is cut short by _check's timer
        status = [None, os.WTERMSIG(st)] if os.WIFSIGNALED(st) else [os.WEXITSTATUS(st), None]
        sys.stdout.write(json.dumps(status) + "\n")
        sys.stdout.flush()


def _run_specs(specs):
    """Runs every spec in its own forked child of a small fork server (a
    fresh interpreter: forking it is much cheaper than forking pytest)."""
    import json
    import subprocess
    every = int(os.environ.get("POLYIPC_NOCRASH_EVERY", "1"))  # the version matrix samples
    specs = specs[::every]
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--serve"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            cwd=os.path.dirname(os.path.abspath(__file__)))
    failures = []
    try:
        for desc, spec in specs:
            proc.stdin.write(json.dumps(spec) + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
            assert line, "the fork server died at %s" % desc
            status = json.loads(line)
            if status != [0, None]:
                failures.append((desc, status))
    finally:
        proc.stdin.close()
        proc.wait(60)
    assert len(specs) > 0
    assert not failures, failures[:20]


# Other states than "fresh" get these bad values only: what they test is the
# state, and the conversions are the same.
FEW = (0, 2, 9, 14)


def _states(cls):
    return [s for s in STATES if s != "detached" or cls is polyipc.SharedMemory]




if __name__ == "__main__" and sys.argv[1:] == ["--serve"]:
    _serve()
