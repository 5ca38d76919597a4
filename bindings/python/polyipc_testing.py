"""polyipc_testing — a pytest plugin that fails a test which leaves new System V
objects behind (built on polyipc.list()).

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

_REMOVE = {"sem": polyipc.remove_semaphore, "shm": polyipc.remove_shared_memory,
           "msg": polyipc.remove_message_queue}


def snapshot():
    """The (kind, id) of every object now in the IPC namespace."""
    return {(o.kind, o.id) for o in polyipc.list()}


def new_objects(before):
    """The objects (IpcObject records) that are not in the snapshot `before`,
    except removed segments still attached ("dest": freed at the last detach)."""
    return [o for o in polyipc.list()
            if (o.kind, o.id) not in before and "dest" not in (o.status or ())]


def remove(objects):
    """Removes the objects (records); ones already gone are ignored."""
    for o in objects:
        try:
            _REMOVE[o.kind](o.id)
        except polyipc.ExistentialError:
            pass


def describe(objects):
    return ", ".join("%s %d (key 0x%08x, owner %s)" % (o.kind, o.id, o.key & 0xFFFFFFFF, o.owner)
                     for o in objects)


@contextlib.contextmanager
def no_leaks():
    """Raises AssertionError (after removing them) when the block leaves new objects."""
    before = snapshot()
    yield
    left = new_objects(before)
    if left:
        remove(left)
        raise AssertionError("left %d new System V object(s) behind: %s" % (len(left), describe(left)))


def pytest_configure(config):
    config.addinivalue_line("markers",
                            "polyipc_allow_leaks: do not fail this test for leaving System V objects")


@pytest.fixture(autouse=True)
def polyipc_leak_guard(request):
    """Autouse: fails the test when it leaves new System V objects behind."""
    if request.node.get_closest_marker("polyipc_allow_leaks"):
        yield
        return
    before = snapshot()
    yield
    left = new_objects(before)
    if left:
        remove(left)
        pytest.fail("left %d new System V object(s) behind: %s" % (len(left), describe(left)),
                    pytrace=False)
