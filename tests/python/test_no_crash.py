"""No input ever crashes the interpreter: the Python runner of the no-crash
table (tests/nocrash/cases.json; the schema is tests/nocrash/SCHEMA.md).

Every case of the table runs in its own forked child (of a small fork server,
see _nocrash.py), so a crash fails that case instead of killing the run; its
outcome (a normal return, a polyipc error of a kind, a language error, or a
call still waiting after 0.5 s) must be the one the table expects. The few
probes the table cannot express (buffer views, subclasses) follow."""
import os

import polyipc
import pytest
from _nocrash import expand, failures, load, run_cases
from conftest import in_child

TABLE = load()
CASES = expand(TABLE)
GROUPS = sorted({c["cls"] or "functions" for c in CASES})


@pytest.mark.parametrize("group", GROUPS)
def test_table_cases_never_crash(group):
    cases = [c for c in CASES if (c["cls"] or "functions") == group]
    results = run_cases(cases)
    assert len(results) == len(cases[::int(os.environ.get("POLYIPC_NOCRASH_EVERY", "1"))]) > 0
    bad = failures(results)
    assert not bad, "%d of %d cases:\n%s" % (len(bad), len(results), "\n".join(bad[:30]))


def test_every_public_member_is_in_the_table():
    """A new method or attribute must get its row (introspection only checks
    the table is complete; the cases come from the table)."""
    missing = []
    for name, obj in TABLE["objects"].items():
        cls = getattr(polyipc, name)
        listed = set(obj["methods"]) | set(obj["attributes"])
        for member in dir(cls):
            if member.startswith("_") and member not in ("__enter__", "__exit__", "__str__", "__repr__"):
                continue
            if member not in listed:
                missing.append("%s.%s" % (name, member))
    for f in ("attach", "ftok", "remove_semaphore", "remove_shared_memory", "remove_message_queue", "page_size"):
        if f not in TABLE["functions"]:
            missing.append(f)
    assert not missing, missing


def test_the_runner_detects_a_crash_and_a_wrong_outcome():
    """A case that crashes, and one whose outcome is not the expected one,
    are reported."""
    crash = {"id": "selftest crash", "op": "func", "cls": "", "state": "fresh", "name": "kill",
             "slots": [], "args": [], "positional": 0, "expect": "any"}
    wrong = dict(CASES[0], id="selftest wrong", expect="WrongTypeError")  # a good constructor call: ok
    results = run_cases([crash, wrong], sample=False)
    bad = failures(results)
    assert len(bad) == 2, bad
    assert "crash:signal 11" in bad[0] and "got ok" in bad[1]


def _seq_view_past_detach():
    m = polyipc.SharedMemory(None, polyipc.IPC_CREX, size=64)
    m.remove()
    mv = memoryview(m)
    try:
        m.detach()
    except BufferError:
        pass
    del m  # the view keeps the object (and its attachment) alive
    mv[0] = 1
    assert mv[0] == 1
    mv.release()


def _seq_write_through_read_only_view():
    m = polyipc.SharedMemory(None, polyipc.IPC_CREX, size=64, mode=0o400)
    try:
        mv = memoryview(m)
        try:
            mv[0] = 1
        except TypeError:
            pass
        mv.release()
        import ctypes
        try:
            (ctypes.c_char * 64).from_buffer(m)  # asks for a writable buffer
        except (TypeError, BufferError):
            pass
    finally:
        m.remove()


def _seq_subclass_and_gc():
    class Mine(polyipc.SharedMemory):
        pass
    m = Mine(None, polyipc.IPC_CREX, size=8)
    m.remove()
    views = [memoryview(m) for _ in range(5)]
    del m
    for v in views:
        v.release()
    import gc
    gc.collect()


@pytest.mark.parametrize("seq", [_seq_view_past_detach, _seq_write_through_read_only_view, _seq_subclass_and_gc])
def test_python_only_sequences_never_crash(seq):
    assert in_child(seq) == (0, None)
