"""The type stub (the stub-only package polyipc-stubs, installed beside the
module) matches the module, checked by mypy's stubtest; what stubtest cannot
see is checked here: attribute writability (stubtest does not check it for C
getset descriptors), the version gate of __buffer__ (stubtest runs only where
mypy runs, Debian's 3.11) and every public name's docstring.

stubtest runs where mypy is importable (Debian's python, or a venv made with
--system-site-packages); POLYIPC_REQUIRE_STUBTEST=1 makes its absence a
failure instead of a skip."""
import ast
import inspect
import os
import subprocess
import sys
import tempfile

import polyipc
import pytest

STUB_PATH = os.path.join(os.path.dirname(os.path.abspath(polyipc.__file__)), "polyipc-stubs", "__init__.pyi")
TYPES = ["Semaphore", "SharedMemory", "MessageQueue", "SemaphoreSet"]


def _stub():
    with open(STUB_PATH) as f:
        return ast.parse(f.read())


def _have_mypy():
    if os.environ.get("POLYIPC_REQUIRE_STUBTEST"):
        return True
    return subprocess.run([sys.executable, "-c", "import mypy.stubtest"], capture_output=True).returncode == 0


needs_mypy = pytest.mark.skipif(not _have_mypy(), reason="mypy is not importable by this interpreter")


def _stubtest(env_extra=None):
    env = dict(os.environ)
    env.pop("MYPYPATH", None)
    env.update(env_extra or {})
    with tempfile.TemporaryDirectory() as cache:
        # run from an empty directory: nothing there can shadow the module or its stub
        return subprocess.run([sys.executable, "-m", "mypy.stubtest", "polyipc"], cwd=cache, env=env,
                              capture_output=True, text=True, timeout=300)


def test_stub_is_installed_beside_the_module():
    # the layout of site-packages (wheel) and of the CMake build tree alike
    assert os.path.isfile(STUB_PATH), STUB_PATH


@needs_mypy
def test_stubtest_passes():
    r = _stubtest()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Success" in r.stdout, r.stdout


@needs_mypy
def test_stubtest_can_fail():
    # the same stub without Semaphore.release, as polyipc.pyi in MYPYPATH
    # (which mypy searches before site-packages): stubtest must report it
    with tempfile.TemporaryDirectory() as tmp:
        with open(STUB_PATH) as f:
            text = f.read()
        broken = text.replace("    def release(self, delta: int = 1) -> None: ...\n", "", 1)
        assert broken != text
        with open(os.path.join(tmp, "polyipc.pyi"), "w") as f:
            f.write(broken)
        r = _stubtest({"MYPYPATH": tmp})
    assert r.returncode != 0
    assert "polyipc.Semaphore.release" in r.stdout, r.stdout


def test_buffer_method_matches_the_stub_version_gate():
    # the stub declares __buffer__ for 3.12+ only (PEP 688): the runtime must agree
    assert hasattr(polyipc.SharedMemory, "__buffer__") == (sys.version_info >= (3, 12))
    src = open(STUB_PATH).read()
    assert "if sys.version_info >= (3, 12):\n        def __buffer__" in src


def _stub_members(name):
    cls = next(n for n in _stub().body if isinstance(n, ast.ClassDef) and n.name == name)
    out = {}
    for node in cls.body:
        if isinstance(node, ast.FunctionDef):
            is_prop = any(isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list)
            if is_prop:
                out[node.name] = "property"
        elif isinstance(node, ast.AnnAssign):
            out[node.target.id] = "attribute"
    return out


def test_read_only_and_writable_attributes_match():
    objs = [polyipc.Semaphore(None, polyipc.IPC_CREX), polyipc.SharedMemory(None, polyipc.IPC_CREX, size=8),
            polyipc.MessageQueue(None, polyipc.IPC_CREX), polyipc.SemaphoreSet(None, 2, polyipc.IPC_CREX)]
    try:
        for obj in objs:
            members = _stub_members(type(obj).__name__)
            assert "id" in members and "mode" in members
            for mname, kind in members.items():
                if kind == "attribute":
                    setattr(obj, mname, getattr(obj, mname))  # writable: same value back
                else:
                    with pytest.raises(AttributeError):
                        setattr(obj, mname, getattr(obj, mname))
    finally:
        for obj in objs:
            obj.remove()
        objs[1].detach()


def test_every_public_name_has_a_docstring():
    assert polyipc.__doc__
    missing = []
    for n in dir(polyipc):
        if n.startswith("_"):
            continue
        v = getattr(polyipc, n)
        if callable(v) and not (getattr(v, "__doc__", None) or "").strip():
            missing.append(n)
        if isinstance(v, type) and n in TYPES:
            for m in dir(v):
                if m.startswith("_") and m not in ("__enter__", "__exit__"):
                    continue
                doc = getattr(inspect.getattr_static(v, m), "__doc__", None)
                if not (doc or "").strip():
                    missing.append("%s.%s" % (n, m))
    assert not missing, missing


RECORDS = ["IpcObject", "SemaphoreValue", "Attacher", "IpcLimit"]


def _stub_properties(name):
    """The stub's properties of class `name`, in their order."""
    return [m for m, kind in _stub_members(name).items() if kind == "property"]


def _runtime_fields(record):
    """A record type's fields in order (its member descriptors: struct sequences
    have no _fields, and __match_args__ only from 3.10)."""
    return [n for n, v in vars(record).items() if type(v).__name__ == "member_descriptor"]


def test_record_fields_match_the_stub_and_the_json():
    # the module's records come from the core's field tables (polyipc_inspect.h);
    # the stub restates them, with their types: they must stay the same, in order
    m = polyipc.SharedMemory(None, polyipc.IPC_CREX, size=8)
    try:
        obj = polyipc.info("shm", m.id)
    finally:
        m.remove()
    for name in RECORDS:
        fields = _runtime_fields(getattr(polyipc, name))
        assert len(fields) == getattr(polyipc, name).n_fields, name
        assert _stub_properties(name) == fields, name
        if sys.version_info >= (3, 10):
            assert list(getattr(polyipc, name).__match_args__) == fields, name
    # and the records are filled by those names: every field of a shm is read
    assert obj.kind == "shm" and obj.size == 8 and obj.attached and obj.attached[0].pid == os.getpid()


def test_record_fields_check_can_fail():
    assert _stub_properties("IpcLimit") != _runtime_fields(polyipc.SemaphoreValue)
    assert "resource" in _stub_properties("IpcLimit")
