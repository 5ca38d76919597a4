"""Module-level API of the sysv_ipc drop-in: constants, functions, error
classes, what the classes look like (docs/errors.md, docs/api.md)."""
import copy
import errno
import os
import pathlib
import pickle
import resource
import sys
import warnings

import polyipc
import pytest
from conftest import _remove

CLASSES = [polyipc.Semaphore, polyipc.SharedMemory, polyipc.MessageQueue, polyipc.SemaphoreSet]


def test_constants():
    assert polyipc.IPC_CREX == polyipc.IPC_CREAT | polyipc.IPC_EXCL
    assert (polyipc.IPC_CREAT, polyipc.IPC_EXCL, polyipc.IPC_NOWAIT, polyipc.IPC_PRIVATE) == (0o1000, 0o2000, 0o4000, 0)
    assert polyipc.SEM_UNDO == 0x1000
    assert (polyipc.SHM_RDONLY, polyipc.SHM_RND, polyipc.SHM_REMAP) == (0o10000, 0o20000, 0o40000)
    assert (polyipc.SHM_HUGETLB, polyipc.SHM_NORESERVE) == (0o4000, 0o10000)
    assert (polyipc.MSG_NOERROR, polyipc.MSG_EXCEPT, polyipc.MSG_COPY) == (0o10000, 0o20000, 0o40000)
    assert polyipc.KEY_MIN == -2**31 and polyipc.KEY_MAX == 2**31 - 1
    assert polyipc.PAGE_SIZE == resource.getpagesize() == polyipc.page_size()
    assert polyipc.SEMAPHORE_VALUE_MAX == 32767
    assert polyipc.SEMAPHORE_TIMEOUT_SUPPORTED is True
    assert polyipc.VERSION == polyipc.__version__
    for name in ("__author__", "__license__", "__copyright__", "__version__"):
        assert isinstance(getattr(polyipc, name), str) and getattr(polyipc, name)


def test_all_lists_every_public_name():
    public = sorted(n for n in vars(polyipc) if not n.startswith("_"))
    assert sorted(polyipc.__all__) == public
    ns = {}
    exec("from polyipc import *", ns)
    assert set(public) <= set(ns)
    # the private names are the leak guard's only: the other languages' inspector
    # plumbing (_inspect_list, ...) is not wrapped for Python
    private = sorted(n for n in vars(polyipc) if n.startswith("_") and not n.startswith("__"))
    assert private == ["_remove_object"], private


def test_classes_print_like_c_types():
    for cls in CLASSES:
        assert str(cls) == "<class 'polyipc.%s'>" % cls.__name__
        assert cls.__module__ == "polyipc"


def test_str_and_repr(sem, shm, mq):
    for obj, name in ((sem, "Semaphore"), (shm, "SharedMemory"), (mq, "MessageQueue")):
        assert str(obj) == "Key=%d, id=%d" % (obj.key, obj.id)
        assert repr(obj) == "polyipc.%s(%d)" % (name, obj.key)


def test_objects_are_not_picklable(sem, shm, mq):
    for obj in (sem, shm, mq):
        for proto in range(pickle.HIGHEST_PROTOCOL + 1):
            with pytest.raises(TypeError):
                pickle.dumps(obj, proto)
        with pytest.raises(TypeError):
            copy.copy(obj)


def test_objects_compare_and_hash_by_identity(sem, shm, mq):
    """As sysv_ipc's: == is identity, no ordering, and the hash is the object's
    own (it does not change when __init__ runs, so a dict can hold it)."""
    classes = (polyipc.Semaphore, polyipc.SharedMemory, polyipc.MessageQueue, polyipc.SemaphoreSet)
    for cls in classes:
        a, b = cls.__new__(cls), cls.__new__(cls)
        assert a != b and not (a == b) and a == a
        assert hash(a) == object.__hash__(a) and hash(a) != hash(b)
        assert a.__eq__(b) is NotImplemented
        with pytest.raises(TypeError):
            a < b  # noqa: B015
    for obj in (sem, shm, mq):
        assert hash(obj) == object.__hash__(obj)
        assert obj == obj and obj != 1
    s = polyipc.Semaphore.__new__(polyipc.Semaphore)
    seen = {s: "before"}
    s.__init__(None, polyipc.IPC_CREX)
    try:
        assert seen[s] == "before"
    finally:
        s.remove()


def test_objects_have_no_swig_internals(sem, shm, mq):
    for obj in (sem, shm, mq):
        for name in ("this", "thisown", "own", "disown", "append", "next", "__dict__"):
            assert not hasattr(obj, name), name
        with pytest.raises((TypeError, ValueError)):  # int(shm) parses its bytes, as int(bytes) does
            int(obj)
        with pytest.raises(AttributeError):
            obj.no_such_attribute = 1
    assert not hasattr(shm, "acquire") and not hasattr(mq, "acquire")


READ_ONLY = {
    polyipc.Semaphore: ["key", "cuid", "cgid", "last_pid", "waiting_for_nonzero", "waiting_for_zero", "o_time"],
    polyipc.SharedMemory: ["key", "size", "address", "attached", "last_attach_time", "last_detach_time",
                           "last_change_time", "creator_pid", "last_pid", "number_attached", "cuid", "cgid"],
    polyipc.MessageQueue: ["key", "current_messages", "last_send_time", "last_receive_time", "last_change_time",
                           "last_send_pid", "last_receive_pid", "cuid", "cgid", "max_message_size"],
}


def test_read_only_attributes_use_cpythons_wording(sem, shm, mq):
    for obj in (sem, shm, mq):
        cls = type(obj)
        for name in READ_ONLY[cls]:
            with pytest.raises(AttributeError) as info:
                setattr(obj, name, 1)
            assert str(info.value) == "attribute '%s' of '%s' objects is not writable" % (
                name, str(cls)[8:-2]), name
        with pytest.raises(AttributeError) as info:
            obj.id = 1
        assert str(info.value) == "readonly attribute"
        with pytest.raises(AttributeError) as info:
            del obj.id
        assert str(info.value) == "readonly attribute"


def test_deleting_any_attribute_raises_attribute_error(sem, shm, mq):
    for obj in (sem, shm, mq):
        for name in [n for n in dir(obj) if not n.startswith("_")]:
            with pytest.raises(AttributeError):
                delattr(obj, name)


def test_error_classes():
    E = polyipc
    for name in ("ExistentialError", "PermissionsError", "BusyError", "NotAttachedError", "InternalError",
                 "InvalidArgumentError", "WrongTypeError", "MessageSizeError", "LimitError",
                 "OutOfMemoryError", "ReadOnlyError", "SyscallError", "InterruptError"):
        cls = getattr(E, name)
        assert issubclass(cls, E.Error) and cls.__module__ == "polyipc" and cls.__doc__
    assert issubclass(E.Error, Exception)
    assert issubclass(E.InvalidArgumentError, ValueError) and issubclass(E.InvalidArgumentError, OverflowError)
    assert issubclass(E.WrongTypeError, TypeError)
    assert issubclass(E.MessageSizeError, ValueError) and issubclass(E.MessageSizeError, OSError)
    assert issubclass(E.OutOfMemoryError, MemoryError)
    for name in ("LimitError", "ReadOnlyError", "SyscallError"):
        assert issubclass(getattr(E, name), OSError)


def test_errors_carry_errno_and_message():
    with pytest.raises(polyipc.ExistentialError) as info:
        polyipc.Semaphore(0x7ff0_1234)
    assert info.value.errno == errno.ENOENT
    # str(e) is sysv_ipc 1.2.0's text; e.detail is the core's (call, reason, errno)
    assert str(info.value) == "No semaphore exists with the specified key"
    assert info.value.detail.startswith("semget(key=%d): " % 0x7ff0_1234)
    assert info.value.detail.endswith("(ENOENT)")
    with pytest.raises(polyipc.InvalidArgumentError) as info:
        polyipc.Semaphore(None, polyipc.IPC_CREAT)
    assert info.value.errno == 0
    assert str(info.value) == "Key can only be None if IPC_EXCL is set"
    assert info.value.detail == "semget: a random key needs IPC_CREAT | IPC_EXCL"
    # where sysv_ipc has no text of its own, str(e) is the core's message and detail equals it
    with pytest.raises(polyipc.InvalidArgumentError) as info:
        polyipc.ftok("/", 300, silence_warning=True)
    assert info.value.detail == str(info.value) and "255" in str(info.value)


def test_ftok(tmp_path):
    with pytest.warns(Warning, match="ftok"):
        k = polyipc.ftok(str(tmp_path), 7)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert polyipc.ftok(str(tmp_path), 7, silence_warning=True) == k
        assert polyipc.ftok(path=os.fsencode(str(tmp_path)), id=7, silence_warning=True) == k
        assert polyipc.ftok(pathlib.Path(tmp_path), 7, True) == k
        assert polyipc.ftok(str(tmp_path), 8, True) != k
        assert polyipc.KEY_MIN <= k <= polyipc.KEY_MAX


def test_ftok_missing_path_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        polyipc.ftok(str(tmp_path / "missing"), 1, True)
    e = info.value
    assert isinstance(e, polyipc.SyscallError) and isinstance(e, polyipc.Error)
    assert e.errno == errno.ENOENT
    with pytest.raises(NotADirectoryError):
        polyipc.ftok(__file__ + "/x", 1, True)


@pytest.mark.parametrize("args, exc", [
    ((1, 1), polyipc.WrongTypeError), ((None, 1), TypeError), (("/", 256), ValueError),
    (("/", -1), ValueError), (("/", 1.0), TypeError), (("/", 2**70), OverflowError),
])
def test_ftok_bad_arguments(args, exc):
    with pytest.raises(exc):
        polyipc.ftok(*args, silence_warning=True)


def test_attach_by_id(shm):
    shm.write(b"hello")
    other = polyipc.attach(shm.id)
    assert other.key == shm.key and other.id == shm.id and other.size == shm.size
    assert other.read(5) == b"hello" and other.attached
    ro = polyipc.attach(id=shm.id, address=None, flags=polyipc.SHM_RDONLY)
    with pytest.raises(OSError):
        ro.write(b"x")
    assert memoryview(ro).readonly
    other.detach()
    ro.detach()
    with pytest.raises(polyipc.ExistentialError):
        polyipc.attach(0x7fffffff)
    with pytest.raises(ValueError):
        polyipc.attach(-1)
    with pytest.raises(TypeError):
        polyipc.attach("1")


def test_remove_functions():
    s = polyipc.Semaphore(None, polyipc.IPC_CREX)
    m = polyipc.SharedMemory(None, polyipc.IPC_CREX, size=1)
    q = polyipc.MessageQueue(None, polyipc.IPC_CREX)
    polyipc.remove_semaphore(s.id)
    polyipc.remove_shared_memory(m.id)
    polyipc.remove_message_queue(q.id)
    m.detach()
    for f, obj in ((polyipc.remove_semaphore, s), (polyipc.remove_message_queue, q)):
        with pytest.raises(polyipc.ExistentialError):
            f(obj.id)


@pytest.mark.parametrize("cls", [polyipc.Semaphore, polyipc.SharedMemory, polyipc.MessageQueue])
def test_key_rules(cls):
    obj = cls(None, polyipc.IPC_CREX)
    try:
        assert 1 <= obj.key <= 32766
    finally:
        obj.remove()
        if cls is polyipc.SharedMemory:
            obj.detach()
    with pytest.raises(ValueError):
        cls(None, polyipc.IPC_CREAT)
    with pytest.raises(ValueError):
        cls(None)
    with pytest.raises(ValueError):
        cls(1234, polyipc.IPC_EXCL)
    for bad in ("1", 1.0, b"1", [1]):
        with pytest.raises(TypeError):
            cls(bad)
    for bad in (2**31, -2**31 - 1, 2**32 + 5, 2**64):
        with pytest.raises(ValueError):  # never truncated to a key that might exist
            cls(bad, polyipc.IPC_CREAT)


@pytest.mark.parametrize("cls", [polyipc.Semaphore, polyipc.SharedMemory, polyipc.MessageQueue])
def test_mode_is_masked_and_flags_never_leak_through_mode(cls):
    obj = cls(None, polyipc.IPC_CREX, mode=0o7640)
    try:
        assert obj.mode == 0o640
        # IPC_CREAT hidden in mode must not create anything
        with pytest.raises(polyipc.ExistentialError):
            cls(0x7ff0_4321, mode=0o600 | polyipc.IPC_CREAT)
    finally:
        obj.remove()
        if cls is polyipc.SharedMemory:
            obj.detach()


def test_sys_modules_alias_runs_sysv_ipc_code():
    saved = sys.modules.get("sysv_ipc")
    sys.modules["sysv_ipc"] = polyipc
    try:
        import sysv_ipc
        s = sysv_ipc.Semaphore(None, sysv_ipc.IPC_CREX, initial_value=1)
        try:
            with s:
                assert s.value == 0
            assert s.value == 1
        finally:
            s.remove()
    finally:
        if saved is None:
            del sys.modules["sysv_ipc"]
        else:
            sys.modules["sysv_ipc"] = saved


def test_uninitialised_and_reinitialised_objects(sem):
    for cls in CLASSES:
        obj = cls.__new__(cls)
        with pytest.raises(polyipc.WrongTypeError):
            obj.key
        with pytest.raises(polyipc.WrongTypeError):
            obj.remove()
        # every attribute, the direct getters included (they read the handle themselves)
        attributes = [n for n, d in vars(cls).items() if type(d).__name__ == "getset_descriptor"]
        assert "key" in attributes and "mode" in attributes
        for name in attributes:
            with pytest.raises(polyipc.WrongTypeError):
                getattr(obj, name)
            # the descriptor itself refuses an object of another type
            with pytest.raises(TypeError):
                vars(cls)[name].__get__(object())
        # repr() and str() never raise (debuggers, tracebacks and logs call them)
        text = "<polyipc.%s object (not initialised)>" % cls.__name__
        assert repr(obj) == str(obj) == text
    with pytest.raises(polyipc.WrongTypeError):
        sem.__init__(None, polyipc.IPC_CREX)
