"""The Python runner of the no-crash table (tests/nocrash/cases.json, see
tests/nocrash/SCHEMA.md) and its fork server.

Kept free of pytest so that the fork server stays small (forking a process
that imported pytest costs several times more here). expand() turns the table
into cases exactly as the Ruby and Perl runners do; each case runs in its own
forked child of the server, so a crash fails that case instead of the run.
"""
import json
import math
import os
import signal
import subprocess
import sys

import polyipc

LANG = "python"
TABLE_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nocrash", "cases.json")
# Exceptions a bad input may raise besides polyipc.Error (the language's own).
LANG_ERRORS = (TypeError, ValueError, AttributeError, BufferError, OSError, ArithmeticError, UnicodeError)
BLOCK_SECONDS = 0.5  # a call still waiting after this long is "blocked"


def load():
    with open(TABLE_PATH) as f:
        return json.load(f)


def _applies(entry):
    return LANG in entry.get("only", [LANG])


# ---- the expansion (the same algorithm in every runner) --------------------

def _expect(table, kind, value):
    for o in table["overrides"]:
        if o["lang"] == LANG and kind in o["kinds"] and value in o["values"]:
            return o["expect"]
    exp = table["kinds"][kind]["expect"]
    return exp.get(value, exp["*"])


def _values(table, few):
    names = [n for n, v in table["values"].items() if _applies(v)]
    return [n for n in names if n in table["few"]] if few else names


def _call_cases(table, base, slots, positional, few, skip):
    """Each slot with each bad value (the others good), then arity cases."""
    out = []
    for i, (name, kind, _good, *_r) in enumerate(slots):
        for v in _values(table, few):
            if v in skip.get(name, []):
                continue
            args = [["good", s[0]] for s in slots]
            args[i] = ["bad", v]
            out.append(dict(base, id="%s %s=%s" % (base["id"], name, v), args=args, positional=positional,
                            expect="any" if few else _expect(table, kind, v)))
    if slots and not few:
        good = [["good", s[0]] for s in slots]
        out.append(dict(base, id=base["id"] + " unknown keyword", args=good, positional=positional,
                        extra_kw=True, expect="error"))
        out.append(dict(base, id=base["id"] + " extra positional", args=good, positional=len(slots),
                        extra_pos=True, expect="error"))
    return out


def expand(table):
    """Every case of the table for this language, in the table's order."""
    cases = []
    states = {n: s for n, s in table["states"].items() if _applies(s)}
    for cls, obj in table["objects"].items():
        skip = obj.get("skip_values", {})
        ctor = [s for s in obj["ctor"]]
        base = {"id": cls + "()", "op": "ctor", "cls": cls, "state": "", "name": "", "slots": ctor}
        cases.append(dict(base, args=[["good", s[0]] for s in ctor], positional=1, expect="ok"))
        cases += _call_cases(table, base, ctor, 1, False, skip)
        for state, st in states.items():
            if "objects" in st and cls not in st["objects"]:
                continue
            few = state != "fresh"
            for name, m in obj["methods"].items():
                if not _applies(m):
                    continue
                slots = m["slots"]
                base = {"id": "%s.%s [%s]" % (cls, name, state), "op": "call", "cls": cls, "state": state,
                        "name": m.get("names", {}).get(LANG, name), "slots": slots}
                good = m.get(state, st.get("expect", "ok" if state == "fresh" else "any"))
                cases.append(dict(base, args=[["good", s[0]] for s in slots], positional=m.get("positional", 0),
                                  expect=good))
                cases += _call_cases(table, base, slots, m.get("positional", 0), few, skip)
            for name, a in obj["attributes"].items():
                base = {"id": "%s.%s [%s]" % (cls, name, state), "cls": cls, "state": state, "name": name,
                        "slots": [], "args": [], "positional": 0}
                default = st.get("expect", "ok" if state == "fresh" else "any")
                cases.append(dict(base, id=base["id"] + " get", op="get", expect=a.get(state, default)))
                if "set" in a:
                    kind, good = a["set"]
                    slot = [[name, kind, good]]
                    cases.append(dict(base, id=base["id"] + " set good", op="set", slots=slot,
                                      args=[["good", name]], expect=a.get(state, default)))
                    for v in _values(table, few):
                        cases.append(dict(base, id="%s set %s" % (base["id"], v), op="set", slots=slot,
                                          args=[["bad", v]], expect="any" if few else _expect(table, kind, v)))
                else:
                    cases.append(dict(base, id=base["id"] + " set read-only", op="set", slots=[[name, "any", 1]],
                                      args=[["good", name]], expect="read_only"))
                if table["deletable_attributes"].get(LANG):
                    cases.append(dict(base, id=base["id"] + " delete", op="del", expect="lang"))
    for name, f in table["functions"].items():
        slots = f["slots"]
        base = {"id": "%s()" % name, "op": "func", "cls": "", "state": "fresh", "name": name, "slots": slots}
        cases.append(dict(base, args=[["good", s[0]] for s in slots], positional=f.get("positional", 0),
                          expect=f.get("fresh", "ok")))
        cases += _call_cases(table, base, slots, f.get("positional", 0), False, f.get("skip_values", {}))
    return cases


# ---- running one case (in the forked child) ---------------------------------

class _Plain:
    pass


def _value(spec, table, env):
    if isinstance(spec, list):
        return [_value(x, table, env) for x in spec]
    if not isinstance(spec, dict):
        return spec
    if "hex" in spec:
        return bytes.fromhex(spec["hex"])
    if "float" in spec:
        return float(spec["float"])
    if "pow2" in spec:
        return -2 ** spec["pow2"] if spec.get("negative") else 2 ** spec["pow2"]
    if "const" in spec:
        return getattr(polyipc, spec["const"])
    if "var" in spec:
        return env[spec["var"]]
    if "object" in spec:
        return {"plain": _Plain(), "callable": len, "surrogate": "\udcff", "bytearray": bytearray(b"x"),
                "memoryview": memoryview(b"xy")}[spec["object"]]
    raise ValueError("unknown value form %r" % (spec,))


def _make(table, cls, state):
    obj_t = table["objects"][cls]
    klass = getattr(polyipc, cls)
    if state == "uninitialised":
        return klass.__new__(klass)
    new = obj_t["new"]
    obj = klass(*[_value(a, table, {}) for a in new["args"]],
                **{k: _value(v, table, {}) for k, v in new["kwargs"].items()})
    for name, data, t in new.get("then", []):
        getattr(obj, name)(_value(data, table, {}), type=t)
    if state == "removed":
        obj.remove()
        if cls == "SharedMemory":
            obj.detach()
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


class _Blocked(Exception):
    """Raised by the SIGALRM handler in a call still waiting (the cleanup runs)."""


def _on_alarm(signum, frame):
    raise _Blocked()


def _invoke(table, case, objs):
    if case["op"] == "func" and case["name"] == "kill":  # the runner's self-test
        os.kill(os.getpid(), signal.SIGSEGV)
    env = {}
    if case["op"] == "func":
        shm = polyipc.SharedMemory(None, polyipc.IPC_CREX, size=64)
        objs.append(shm)
        env["shm_id"] = shm.id
    good = {s[0]: _value(s[2], table, env) for s in case["slots"]}
    vals = [(n, good[n] if kind == "good" else _value(table["values"][n]["v"], table, env)) for kind, n in
            ([a[0], a[1]] for a in case["args"])]
    names = [s[0] for s in case["slots"]]
    vals = [v for _, v in vals]
    npos = case["positional"]
    args = vals[:npos]
    kwargs = dict(zip(names[npos:], vals[npos:]))
    if case.get("extra_kw"):
        kwargs["no_such_argument"] = 1
    if case.get("extra_pos"):
        args.append(1)
    op = case["op"]
    if op == "ctor":
        objs.append(getattr(polyipc, case["cls"])(*args, **kwargs))
        return
    if op == "func":
        r = getattr(polyipc, case["name"])(*args, **kwargs)
        if isinstance(r, polyipc.SharedMemory):
            objs.append(r)
        return
    obj = _make(table, case["cls"], case["state"])
    objs.append(obj)
    if op == "call":
        getattr(obj, case["name"])(*args, **kwargs)
    elif op == "get":
        getattr(obj, case["name"])
    elif op == "set":
        setattr(obj, case["name"], vals[0])
    elif op == "del":
        delattr(obj, case["name"])


def _outcome(exc):
    """The outcome class of an exception: the polyipc kind, or lang:<class>."""
    if isinstance(exc, polyipc.Error):
        for k in type(exc).__mro__:
            if k.__module__ == polyipc.Error.__module__ and getattr(polyipc, k.__name__, None) is k:
                return k.__name__
    if isinstance(exc, LANG_ERRORS) and not isinstance(exc, SystemError):
        return "lang:" + type(exc).__name__
    return "bad:" + type(exc).__name__


def run_case(table, case):
    """In the child: (outcome, message)."""
    objs = []
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, BLOCK_SECONDS)
    try:
        _invoke(table, case, objs)
        return "ok", ""
    except _Blocked:
        return "blocked", ""
    except BaseException as e:  # noqa: BLE001 - everything is classified
        return _outcome(e), "%s: %s" % (type(e).__name__, e)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _cleanup(objs)


def matches(expect, outcome, message):
    """Whether an outcome satisfies an expectation (SCHEMA.md, "Outcomes")."""
    if outcome.startswith("bad:") or outcome.startswith("crash"):
        return False
    if outcome not in ("ok", "blocked") and not outcome.startswith("lang:") and not message.split(": ", 1)[-1] \
            and outcome != "NotAttachedError":
        return False  # an error without a message
    if expect == "any":
        return True
    if outcome == "blocked":
        return False
    if expect == "ok":
        return outcome == "ok"
    if expect == "error":
        return outcome != "ok"
    if expect == "lang":
        return outcome.startswith("lang:")
    if expect == "read_only":
        return outcome in ("lang:AttributeError", "lang:TypeError")
    return outcome == expect


def _serve():
    """The fork server: one case per stdin line, one [outcome, message] per stdout line."""
    table = load()
    for line in sys.stdin:
        case = json.loads(line)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                res = run_case(table, case)
            except BaseException as e:  # noqa: BLE001
                res = ("bad:" + type(e).__name__, str(e))
            os.write(w, json.dumps(res).encode())
            os._exit(0)
        os.close(w)
        data = b""
        while True:
            chunk = os.read(r, 65536)
            if not chunk:
                break
            data += chunk
        os.close(r)
        _, st = os.waitpid(pid, 0)
        if os.WIFSIGNALED(st):
            res = ["crash:signal %d" % os.WTERMSIG(st), ""]
        else:
            res = json.loads(data) if data else ["bad:no result", ""]
        sys.stdout.write(json.dumps(res) + "\n")
        sys.stdout.flush()


def run_cases(cases, sample=True):
    """Runs every case in its own forked child of a small fork server (a
    fresh interpreter: forking it is much cheaper than forking pytest).
    The version matrix runs every POLYIPC_NOCRASH_EVERY-th case only (unless
    not `sample`). Returns [(case, outcome, message)]."""
    if sample:
        cases = cases[::int(os.environ.get("POLYIPC_NOCRASH_EVERY", "1"))]
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--serve"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            cwd=os.path.dirname(os.path.abspath(__file__)))
    results = []
    try:
        for case in cases:
            proc.stdin.write(json.dumps(case) + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
            assert line, "the fork server died at %s" % case["id"]
            outcome, message = json.loads(line)
            results.append((case, outcome, message))
    finally:
        proc.stdin.close()
        proc.wait(60)
    return results


def failures(results):
    return ["%s: expected %s, got %s %s" % (c["id"], c["expect"], o, m[:200])
            for c, o, m in results if not matches(c["expect"], o, m)]


if __name__ == "__main__" and sys.argv[1:] == ["--serve"]:
    _serve()
elif __name__ == "__main__":
    # Discovery: print every case's outcome (python3 _nocrash.py [filter]).
    want = sys.argv[1] if len(sys.argv) > 1 else ""
    for c, o, m in run_cases([c for c in expand(load()) if want in c["id"]]):
        print("%s\t%s\t%s\t%s" % ("ok " if matches(c["expect"], o, m) else "BAD", c["id"], o, m[:150]))
