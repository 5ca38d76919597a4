"""polyipc_testing — a pytest plugin that fails a test which leaves new System V
objects behind (glue over the core's leak guard, polyipc.LeakSnapshot).

    pytest -p polyipc_testing            # or: pytest_plugins = ["polyipc_testing"]

Every test is checked: the objects listed after it (and after its fixtures'
teardown) that were not there before it are reported, removed, and the test
fails. Mark a test @pytest.mark.polyipc_allow_leaks to skip the check.
Outside pytest, `with polyipc_testing.no_leaks(): ...` raises AssertionError.

The check sees the whole IPC namespace: run the suite in a namespace where
nothing else creates objects meanwhile (e.g. `unshare --ipc`).
"""
import contextlib

import polyipc
import pytest


def snapshot():
    """A polyipc.LeakSnapshot: the (kind, id) of every object now in the IPC namespace."""
    return polyipc.LeakSnapshot()


def new_objects(before):
    """The objects (IpcObject records) that are not in the snapshot `before`,
    except removed segments still attached ("dest": freed at the last detach)."""
    return before.new_objects()


def remove(objects):
    """Removes the objects (records); ones already gone are ignored."""
    for o in objects:
        polyipc._remove_object(o.kind, o.id)


@contextlib.contextmanager
def no_leaks():
    """Raises AssertionError (after removing them) when the block leaves new objects.
    A block that raises has its new objects removed too, and its exception goes on."""
    before = polyipc.LeakSnapshot()
    try:
        yield
    except BaseException:
        before.check(True)
        raise
    report = before.check(True)
    if report:
        raise AssertionError(report)


def pytest_configure(config):
    config.addinivalue_line("markers",
                            "polyipc_allow_leaks: do not fail this test for leaving System V objects")


@pytest.fixture(autouse=True)
def polyipc_leak_guard(request):
    """Autouse: fails the test when it leaves new System V objects behind."""
    if request.node.get_closest_marker("polyipc_allow_leaks"):
        yield
        return
    before = polyipc.LeakSnapshot()
    yield
    report = before.check(True)
    if report:
        pytest.fail(report, pytrace=False)
