"""The shared corpus (tests/corpus/*.json, see tests/corpus/SCHEMA.md) run through
polyipc's public Python API. No scenario logic lives here: this file only
interprets the step language. One pytest test per scenario.

When POLYIPC_CORPUS_REPORT names a file, the counts are written there at the
end (tests/corpus/check_counts.py compares the three languages)."""
import atexit
import glob
import inspect
import json
import os
import sys
import warnings

import pytest

import polyipc

LANG = "python"
CORPUS = os.environ.get("POLYIPC_CORPUS_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "corpus")


# ---------------------------------------------------------------------------
# The mapping layer: everything Python-specific about the API is here.
# ---------------------------------------------------------------------------
def api_new(cls, args, kwargs):
    return getattr(polyipc, cls)(*args, **kwargs)


def api_call(obj, name, args, kwargs):
    target = polyipc if obj is None else obj
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ftok() warns by design (sysv_ipc)
        result = getattr(target, name)(*args, **kwargs)
    return list(result) if type(result) is tuple else result  # records (tuple subclasses) stay


def api_get(obj, name):
    return getattr(obj, name)


def api_set(obj, name, value):
    setattr(obj, name, value)


def api_const(name):
    return getattr(polyipc, name)


def error_matches(exc, kind):
    """True when exception `exc` is of corpus error kind `kind`."""
    if kind == "AttributeNotWritable":
        return isinstance(exc, AttributeError)
    cls = getattr(polyipc, kind, None)
    return cls is not None and isinstance(exc, cls) and isinstance(exc, polyipc.Error)


def error_errno(exc):
    return getattr(exc, "errno", None)


def self_value(what):
    return {"pid": os.getpid, "uid": os.geteuid, "gid": os.getegid,
            "page_size": lambda: os.sysconf("SC_PAGE_SIZE"),
            "msgmax": lambda: int(open("/proc/sys/kernel/msgmax").read()),
            "msgmnb": lambda: int(open("/proc/sys/kernel/msgmnb").read())}[what]()


def drop_privileges(user):
    assert user == "nobody"
    os.setgroups([])
    os.setresgid(65534, 65534, 65534)
    os.setresuid(65534, 65534, 65534)


# ---------------------------------------------------------------------------
# The step interpreter (the same in every language's runner).
# ---------------------------------------------------------------------------
class Fail(Exception):
    pass


def value(v, env):
    if isinstance(v, list):
        return [value(x, env) for x in v]
    if not isinstance(v, dict):
        return v
    if "hex" in v:
        return bytes.fromhex(v["hex"]) * value(v.get("repeat", 1), env)
    if "var" in v:
        if v["var"] not in env:
            raise Fail("variable %r is not set" % v["var"])
        return env[v["var"]] + v["plus"] if "plus" in v else env[v["var"]]
    if "join" in v:
        return "".join(str(value(x, env)) for x in v["join"])
    if "const" in v:
        names = v["const"] if isinstance(v["const"], list) else [v["const"]]
        r = 0
        for n in names:
            r |= api_const(n)
        return r
    if "oct" in v:
        return int(v["oct"], 8)
    if "self" in v:
        return self_value(v["self"]) + v.get("plus", 0)
    raise Fail("unknown value form %r" % v)


def matches(got, exp, env):
    if isinstance(exp, dict) and ("gt" in exp or "ge" in exp):
        if not isinstance(got, int) or isinstance(got, bool):
            return False
        return got > value(exp["gt"], env) if "gt" in exp else got >= value(exp["ge"], env)
    if isinstance(exp, list):
        return isinstance(got, list) and len(got) == len(exp) and all(
            matches(g, e, env) for g, e in zip(got, exp))
    want = value(exp, env)
    if isinstance(want, bool):
        return isinstance(got, bool) and got == want
    if isinstance(want, bytes):
        return isinstance(got, bytes) and got == want
    if isinstance(want, int):
        return isinstance(got, int) and not isinstance(got, bool) and got == want
    return got == want


def pick(got, path):
    """The `pick` modifier (SCHEMA.md): record fields, list indices, "#" = length."""
    for p in path:
        got = len(got) if p == "#" else got[p] if isinstance(p, int) else getattr(got, p)
    return got


def show(v):
    r = repr(v)
    return r if len(r) <= 120 else r[:117] + "..."


def perform(step, env):
    args = [value(a, env) for a in step.get("args", [])]
    kwargs = {k: value(v, env) for k, v in step.get("kwargs", {}).items()}
    on = value({"var": step["on"]}, env) if "on" in step else None
    if "new" in step:
        return api_new(step["new"], args, kwargs)
    if "call" in step:
        return api_call(on, step["call"], args, kwargs)
    if "get" in step:
        return api_get(on, step["get"])
    if "set" in step:
        api_set(on, step["set"], value(step["value"], env))
        return None
    if "const" in step:
        return api_const(step["const"])
    if "str" in step:
        return str(value({"var": step["str"]}, env))
    raise Fail("step has no action: %r" % step)


def check_step(step, env):
    """Runs one step in this process and checks its outcome."""
    what = step.get("note") or json.dumps(step)[:100]
    try:
        got = perform(step, env)
    except Fail:
        raise
    except Exception as exc:  # noqa: BLE001 - any exception is an outcome
        if "raises" not in step:
            raise Fail("%s: unexpected %s: %s" % (what, type(exc).__name__, exc)) from None
        if not error_matches(exc, step["raises"]):
            raise Fail("%s: expected %s, got %s: %s" % (what, step["raises"], type(exc).__name__, exc)) from None
        if "errno" in step and error_errno(exc) != step["errno"]:
            raise Fail("%s: expected errno %s, got %s (%s)" % (what, step["errno"], error_errno(exc), exc))
        return
    if "raises" in step:
        if "new" in step:
            try:
                got.remove()  # never leak what an unexpectedly successful constructor made
            except Exception:  # noqa: BLE001
                pass
        raise Fail("%s: expected %s, but it returned %s" % (what, step["raises"], show(got)))
    if "pick" in step:
        got = pick(got, step["pick"])
    if "expect" in step and not matches(got, step["expect"], env):
        raise Fail("%s: expected %s, got %s" % (what, show(step["expect"]), show(got)))
    if "save" in step:
        env[step["save"]] = got


def in_child(step, env):
    """Runs a step in a forked child (dropping privileges for as_user)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        code, msg = 0, b""
        try:
            if "as_user" in step:
                drop_privileges(step["as_user"])
            check_step(step, env)
        except BaseException as exc:  # noqa: BLE001
            code, msg = 1, str(exc).encode()
        os.write(w, msg)
        os._exit(code)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        msg = f.read().decode()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise Fail("in a child%s: %s" % (
            " as " + step["as_user"] if "as_user" in step else "", msg or "exit status %d" % status))


def private_ipc_namespace():
    """True inside a private IPC namespace: the harness passes the namespace it
    started in (POLYIPC_OUTER_IPC_NS); otherwise compare with pid 1's."""
    try:
        outer = os.environ.get("POLYIPC_OUTER_IPC_NS") or os.readlink("/proc/1/ns/ipc")
        return os.readlink("/proc/self/ns/ipc") != outer
    except OSError:
        return False


def run_step(step, env, restore):
    if "sysctl" in step:
        if not private_ipc_namespace():
            pytest.skip("sysctl steps run only in a private IPC namespace (unshare --ipc)")
        path = "/proc/sys/" + step["sysctl"].replace(".", "/")
        with open(path) as f:
            restore.append((path, f.read()))
        with open(path, "w") as f:
            f.write(step["value"])
    elif "as_user" in step or step.get("child"):
        in_child(step, env)
    else:
        check_step(step, env)


def run_scenario(sc):
    env, restore = {}, []
    try:
        for step in sc["steps"]:
            run_step(step, env, restore)
    finally:
        for step in sc.get("cleanup", []):
            try:
                perform(step, env)
            except Exception:  # noqa: BLE001 - cleanup never fails a scenario
                pass
        for path, old in reversed(restore):
            with open(path, "w") as f:
                f.write(old)


# ---------------------------------------------------------------------------
# Collection and counting.
# ---------------------------------------------------------------------------
def load():
    out = []
    for path in sorted(glob.glob(os.path.join(CORPUS, "*.json"))):
        with open(path) as f:
            for sc in json.load(f)["scenarios"]:
                out.append(sc)
    return out


SCENARIOS = load()
COUNTS = {"total": len(SCENARIOS), "executed": 0, "passed": 0, "not_applicable": 0}


def not_applicable(sc):
    if "only" in sc and LANG not in sc["only"]:
        return "only for %s: %s" % (", ".join(sc["only"]), sc["reason"])
    if LANG in sc.get("skip", {}):
        return sc["skip"][LANG]
    return None


@atexit.register
def _report():
    """At exit (after the test runner's own summary): the counts, on stdout and
    in $POLYIPC_CORPUS_REPORT. Plain atexit, so any pytest-like runner works."""
    if COUNTS["executed"] + COUNTS["not_applicable"] == 0:
        return
    line = "corpus %s: total=%d executed=%d passed=%d not_applicable=%d" % (
        LANG, COUNTS["total"], COUNTS["executed"], COUNTS["passed"], COUNTS["not_applicable"])
    print(line, file=sys.__stdout__, flush=True)
    if os.environ.get("POLYIPC_CORPUS_REPORT"):
        with open(os.environ["POLYIPC_CORPUS_REPORT"], "w") as f:
            f.write(line + "\n")


# pytest's fail() can hide its own traceback; stand-ins may not take the argument.
FAIL_KW = {"pytrace": False} if "pytrace" in inspect.signature(pytest.fail).parameters else {}


@pytest.mark.parametrize("sc", SCENARIOS, ids=[sc["name"] for sc in SCENARIOS])
def test_scenario(sc):
    reason = not_applicable(sc)
    if reason:
        COUNTS["not_applicable"] += 1
        pytest.skip("not applicable to %s: %s" % (LANG, reason))
    COUNTS["executed"] += 1
    failure = None
    try:
        run_scenario(sc)
    except Fail as exc:
        failure = str(exc)
    if failure:
        pytest.fail(failure, **FAIL_KW)
    COUNTS["passed"] += 1
