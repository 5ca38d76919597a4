"""The polyipc.pyi stub matches the module (names, parameters, defaults,
read-only vs writable attributes), and every public name has a docstring."""
import ast
import inspect
import os

import polyipc
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CANDIDATES = [os.path.join(os.path.dirname(polyipc.__file__), "polyipc.pyi"),
              os.path.join(HERE, "..", "..", "bindings", "python", "polyipc.pyi")]
STUB_PATH = next(p for p in CANDIDATES if os.path.exists(p))
STUB = ast.parse(open(STUB_PATH).read())
TYPES = ["Semaphore", "SharedMemory", "MessageQueue", "SemaphoreSet"]
DUNDER_METHODS = {"__init__", "__enter__", "__exit__"}


def _stub_module_names():
    names = set()
    for node in STUB.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            names.add(node.target.id)
    return names


def _stub_class(name):
    return next(n for n in STUB.body if isinstance(n, ast.ClassDef) and n.name == name)


def _stub_members(cls_node):
    """{name: ("method", FunctionDef) | ("property", ...) | ("attribute", ...)}"""
    out = {}
    for node in cls_node.body:
        if isinstance(node, ast.FunctionDef):
            is_prop = any(isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list)
            out[node.name] = ("property" if is_prop else "method", node)
        elif isinstance(node, ast.AnnAssign):
            out[node.target.id] = ("attribute", node)
    return out


def _stub_params(fn):
    args = fn.args.args
    defaults = [None] * (len(args) - len(fn.args.defaults)) + list(fn.args.defaults)
    out = []
    for a, d in zip(args, defaults):
        if a.arg == "self":
            continue
        out.append((a.arg, inspect.Parameter.empty if d is None else ast.literal_eval(d)))
    return out


def _live_params(obj):
    sig = inspect.signature(obj)
    return [(p.name, p.default) for p in sig.parameters.values() if p.name != "self"]


def test_module_names_match():
    public = {n for n in vars(polyipc) if not n.startswith("_")}
    stub = _stub_module_names()
    assert {n for n in stub if not n.startswith("_")} == public
    for n in stub:
        assert hasattr(polyipc, n), n


def test_exception_bases_match():
    for node in STUB.body:
        if isinstance(node, ast.ClassDef) and node.name not in TYPES:
            cls = getattr(polyipc, node.name)
            assert [b.id for b in node.bases] == [b.__name__ for b in cls.__bases__], node.name


@pytest.mark.parametrize("name", TYPES)
def test_class_members_and_signatures_match(name):
    cls = getattr(polyipc, name)
    members = _stub_members(_stub_class(name))
    live = {n for n in dir(cls) if not n.startswith("_") or n in DUNDER_METHODS}
    live.discard("__init__")
    stub_names = {n for n in members if n != "__buffer__"} - {"__init__"}
    assert stub_names == live
    assert _stub_params(members["__init__"][1]) == _live_params(cls)
    for mname, (kind, node) in members.items():
        if kind == "method" and mname not in ("__init__", "__buffer__"):
            assert _stub_params(node) == _live_params(getattr(cls, mname)), mname


def test_function_signatures_match():
    for node in STUB.body:
        if isinstance(node, ast.FunctionDef):
            assert _stub_params(node) == _live_params(getattr(polyipc, node.name)), node.name


def _live_objects():
    objs = [polyipc.Semaphore(None, polyipc.IPC_CREX), polyipc.SharedMemory(None, polyipc.IPC_CREX, size=8),
            polyipc.MessageQueue(None, polyipc.IPC_CREX), polyipc.SemaphoreSet(None, 2, polyipc.IPC_CREX)]
    return objs


def test_read_only_and_writable_attributes_match():
    objs = _live_objects()
    try:
        for obj in objs:
            for mname, (kind, _) in _stub_members(_stub_class(type(obj).__name__)).items():
                if kind == "attribute":
                    setattr(obj, mname, getattr(obj, mname))  # writable: same value back
                elif kind == "property":
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
