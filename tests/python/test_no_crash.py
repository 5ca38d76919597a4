"""No input ever crashes the interpreter.

Every public callable (module functions, methods, constructors) is called
with bad values in each parameter, and every attribute is read, assigned bad
values and deleted, in every object state (fresh, removed, detached,
uninitialised). Each case runs in its own forked child (of a small fork
server, see _nocrash.py), so a crash fails that case instead of killing the
run; the child must end with a clean exception of a sensible class (never
SystemError) or a normal return."""
import polyipc
import pytest
from _nocrash import BAD, CLASSES, FEW, _calls, _members, _run_specs, _states
from conftest import in_child

METHOD_CASES = [(cls, m) for cls in CLASSES for m in _members(cls)[0]]
ATTR_CASES = [(cls, a) for cls in CLASSES for a in _members(cls)[1]]


@pytest.mark.parametrize("cls, name", METHOD_CASES, ids=["%s.%s" % (c.__name__, n) for c, n in METHOD_CASES])
def test_methods_never_crash(cls, name):
    specs = []
    for state in _states(cls):
        for desc, args, kwargs in _calls(getattr(cls, name), full=state != "uninitialised",
                                         bad=None if state == "fresh" else FEW):
            specs.append(("%s %s(%s)" % (state, name, desc),
                          ["method", cls.__name__, state, name, args, kwargs]))
    _run_specs(specs)


@pytest.mark.parametrize("cls, name", ATTR_CASES, ids=["%s.%s" % (c.__name__, n) for c, n in ATTR_CASES])
def test_attributes_never_crash(cls, name):
    specs = []
    for state in _states(cls):
        specs.append(("%s get %s" % (state, name), ["get", cls.__name__, state, name, [], {}]))
        specs.append(("%s del %s" % (state, name), ["del", cls.__name__, state, name, [], {}]))
        bads = range(len(BAD)) if state == "fresh" else FEW
        specs += [("%s set %s=BAD[%d]" % (state, name, i), ["set", cls.__name__, state, name, [["bad", i]], {}])
                  for i in bads]
    _run_specs(specs)


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
def test_constructors_never_crash(cls):
    _run_specs([("%s(%s)" % (cls.__name__, desc), ["ctor", cls.__name__, "", "", args, kwargs])
                for desc, args, kwargs in _calls(cls)])


FUNCS = ["attach", "ftok", "remove_semaphore", "remove_shared_memory", "remove_message_queue", "page_size"]


@pytest.mark.parametrize("name", FUNCS)
def test_module_functions_never_crash(name):
    specs = []
    for desc, args, kwargs in _calls(getattr(polyipc, name)):
        if name.startswith("remove_") and ("id" not in kwargs or kwargs["id"] in (["good", "id"], ["bad", 1])):
            continue  # would remove whatever object has id 0 in this namespace
        specs.append(("%s(%s)" % (name, desc), ["func", name, "", "", args, kwargs]))
    _run_specs(specs)


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


def _seq_use_after_remove_everything():
    s = polyipc.Semaphore(None, polyipc.IPC_CREX)
    q = polyipc.MessageQueue(None, polyipc.IPC_CREX)
    s.remove()
    q.remove()
    for call in (s.acquire, s.release, s.Z, q.receive, lambda: q.send(b"x"), s.__enter__):
        try:
            call()
        except polyipc.ExistentialError:
            pass


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


@pytest.mark.parametrize("seq", [_seq_view_past_detach, _seq_write_through_read_only_view,
                                 _seq_use_after_remove_everything, _seq_subclass_and_gc])
def test_sequences_never_crash(seq):
    assert in_child(seq) == (0, None)


def test_the_harness_detects_a_crash():
    with pytest.raises(AssertionError) as info:
        _run_specs([("segfault", ["selftest-crash", "", "", "", [], {}])])
    assert "segfault" in str(info.value) and "11" in str(info.value)
