"""A minimal stand-in for pytest, for interpreters that have no pytest (Debian's
pytest 7.2 needs exceptiongroup/tomli below 3.11, which are not installable
here). It runs the same test files: it provides the subset of the pytest API
they use (fixture with yield, mark.parametrize, mark.skipif, raises, warns,
skip, fail, importorskip, the tmp_path fixture and conftest.py fixtures) and a
runner.

    python minipytest.py DIR [-k SUBSTRING]

Exit status 0 when every test passed or was skipped and at least one ran.
"""
import contextlib
import importlib.util
import inspect
import itertools
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
import types
import warnings


class _Skipped(Exception):
    pass


class _Failed(AssertionError):
    pass


def skip(reason=""):
    raise _Skipped(reason)


def fail(msg=""):
    raise _Failed(msg)


def importorskip(name, reason=None):
    try:
        return __import__(name)
    except ImportError as e:
        raise _Skipped(reason or "could not import %r: %s" % (name, e))


class ExceptionInfo:
    def __init__(self):
        self.value = None
        self.type = None

    def match(self, pattern):
        assert re.search(pattern, str(self.value)), "%r does not match %r" % (str(self.value), pattern)
        return True


@contextlib.contextmanager
def raises(expected, match=None):
    info = ExceptionInfo()
    try:
        yield info
    except expected as e:
        info.value, info.type = e, type(e)
        if match is not None:
            info.match(match)
    else:
        raise _Failed("DID NOT RAISE %r" % (expected,))


@contextlib.contextmanager
def warns(category, match=None):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        yield record
    hits = [w for w in record if issubclass(w.category, category)
            and (match is None or re.search(match, str(w.message)))]
    if not hits:
        raise _Failed("DID NOT WARN %r" % (category,))


def fixture(func=None, **kwargs):
    def mark(f):
        f._minipytest_fixture = True
        return f
    return mark(func) if func is not None else mark


class _Mark:
    @staticmethod
    def parametrize(argnames, argvalues, ids=None):
        names = [n.strip() for n in argnames.split(",")] if isinstance(argnames, str) else list(argnames)

        def deco(f):
            f.__dict__.setdefault("_minipytest_params", []).insert(0, (names, list(argvalues)))
            return f
        return deco

    @staticmethod
    def skipif(condition, reason=""):
        def deco(f):
            if condition:
                f._minipytest_skip = reason
            return f
        return deco

    def __getattr__(self, name):  # unknown marks are no-ops
        return lambda *a, **k: (a[0] if len(a) == 1 and callable(a[0]) and not k else (lambda f: f))


mark = _Mark()


def _tmp_path():
    d = tempfile.mkdtemp(prefix="minipytest-")
    try:
        import pathlib
        yield pathlib.Path(d)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _cases(func):
    """(id, {param: value}) for every combination of stacked parametrize marks."""
    layers = getattr(func, "_minipytest_params", [])
    if not layers:
        return [("", {})]
    per_layer = []
    for names, values in layers:
        rows = []
        for i, v in enumerate(values):
            vals = (v,) if len(names) == 1 else tuple(v)
            rows.append((str(i), dict(zip(names, vals))))
        per_layer.append(rows)
    out = []
    for combo in itertools.product(*per_layer):
        params = {}
        for _, p in combo:
            params.update(p)
        out.append(("[" + "-".join(i for i, _ in combo) + "]", params))
    return out


def _call_with_fixtures(func, params, fixtures, stack):
    kwargs = {}
    for name in inspect.signature(func).parameters:
        if name in params:
            kwargs[name] = params[name]
        elif name in fixtures:
            fx = fixtures[name]
            value = _call_with_fixtures(fx, params, fixtures, stack)
            if inspect.isgenerator(value):
                gen = value
                value = next(gen)
                stack.callback(lambda g=gen: next(g, None))
            kwargs[name] = value
        else:
            raise _Failed("unknown fixture %r" % name)
    return func(**kwargs)


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def main(argv):
    directory = argv[1] if len(argv) > 1 else "."
    select = argv[argv.index("-k") + 1] if "-k" in argv else None
    sys.modules["pytest"] = sys.modules[__name__]
    sys.path.insert(0, directory)
    fixtures = {"tmp_path": _tmp_path}
    conftest = os.path.join(directory, "conftest.py")
    if os.path.exists(conftest):
        mod = _load(conftest, "conftest")
        fixtures.update({n: f for n, f in vars(mod).items() if getattr(f, "_minipytest_fixture", False)})
    passed = failed = skipped = 0
    start = time.monotonic()
    for fname in sorted(os.listdir(directory)):
        if not (fname.startswith("test_") and fname.endswith(".py")):
            continue
        try:
            mod = _load(os.path.join(directory, fname), fname[:-3])
        except _Skipped as e:
            print("SKIP %s: %s" % (fname, e))
            skipped += 1
            continue
        except Exception:
            print("ERROR collecting %s\n%s" % (fname, traceback.format_exc()))
            failed += 1
            continue
        local = dict(fixtures)
        local.update({n: f for n, f in vars(mod).items() if getattr(f, "_minipytest_fixture", False)})
        for name, func in list(vars(mod).items()):
            if not (name.startswith("test_") and inspect.isfunction(func)):
                continue
            for case_id, params in _cases(func):
                test_id = "%s::%s%s" % (fname, name, case_id)
                if select and select not in test_id:
                    continue
                if getattr(func, "_minipytest_skip", None) is not None:
                    skipped += 1
                    continue
                try:
                    with contextlib.ExitStack() as stack:
                        _call_with_fixtures(func, params, local, stack)
                    passed += 1
                except _Skipped:
                    skipped += 1
                except BaseException as e:
                    if isinstance(e, (SystemExit, KeyboardInterrupt)) and not isinstance(e, Exception):
                        if isinstance(e, KeyboardInterrupt):
                            raise
                    failed += 1
                    print("FAILED %s\n%s" % (test_id, traceback.format_exc()))
    total = passed + failed
    print("minipytest: %d passed, %d failed, %d skipped in %.1fs (Python %s)"
          % (passed, failed, skipped, time.monotonic() - start, sys.version.split()[0]))
    return 0 if failed == 0 and total > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
