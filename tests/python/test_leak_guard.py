"""The leak-guard plugin (-p polyipc_testing) fails exactly the tests that
leave new System V objects behind, and removes what they left."""
import os
import subprocess
import sys
import textwrap

import polyipc
import polyipc_testing
import pytest

INNER = textwrap.dedent('''
    import polyipc, pytest

    def test_clean():
        s = polyipc.Semaphore(None, polyipc.IPC_CREX)
        s.remove()

    def test_leaks_a_queue():
        polyipc.MessageQueue(None, polyipc.IPC_CREX)

    @pytest.mark.polyipc_allow_leaks
    def test_allowed(tmp_path):
        q = polyipc.MessageQueue(None, polyipc.IPC_CREX)
        open(LEFT, "w").write(str(q.id))
''')


def test_the_plugin_fails_a_leaking_test_and_removes_what_it_left(tmp_path):
    if subprocess.run([sys.executable, "-c", "import pytest"], capture_output=True).returncode != 0:
        pytest.skip("pytest is not importable by %s (the version matrix runs minipytest)" % sys.executable)
    left = tmp_path / "left"
    (tmp_path / "test_inner.py").write_text("LEFT = %r\n" % str(left) + INNER)
    before = polyipc_testing.snapshot()
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "polyipc_testing",
                        str(tmp_path / "test_inner.py")], capture_output=True, text=True,
                       env=dict(os.environ), cwd=str(tmp_path), timeout=120)
    try:
        assert p.returncode == 1, p.stdout + p.stderr
        assert "3 passed, 1 error" in p.stdout, p.stdout  # a teardown error: the test passed, then erred
        assert "test_leaks_a_queue" in p.stdout and "left 1 new System V object(s) behind: msg" in p.stdout
        allowed = int(left.read_text())
        # the leak was removed by the plugin; the allowed one is still there
        assert [(o.kind, o.id) for o in polyipc_testing.new_objects(before)] == [("msg", allowed)]
    finally:
        polyipc_testing.remove(polyipc_testing.new_objects(before))


def test_no_leaks_context_manager():
    with polyipc_testing.no_leaks():
        polyipc.Semaphore(None, polyipc.IPC_CREX).remove()
    try:
        with polyipc_testing.no_leaks():
            q = polyipc.MessageQueue(None, polyipc.IPC_CREX)
    except AssertionError as e:
        assert "msg %d" % q.id in str(e)
    else:
        raise AssertionError("no_leaks() did not notice the queue")
    assert ("msg", q.id) not in {(o.kind, o.id) for o in polyipc.list()}


def test_no_leaks_removes_what_a_raising_block_left():
    q = None
    with pytest.raises(KeyError, match="the block's own error"):
        with polyipc_testing.no_leaks():
            q = polyipc.MessageQueue(None, polyipc.IPC_CREX)
            raise KeyError("the block's own error")
    try:
        assert ("msg", q.id) not in {(o.kind, o.id) for o in polyipc.list()}
    finally:
        polyipc_testing.remove([o for o in polyipc.list() if (o.kind, o.id) == ("msg", q.id)])


def test_remove_object_refuses_a_kind_with_a_nul_byte():
    # "sem\0x" is not "sem": the object it would name stays
    s = polyipc.Semaphore(None, polyipc.IPC_CREX)
    try:
        with pytest.raises(polyipc.InvalidArgumentError, match="NUL"):
            polyipc._remove_object("sem\0x", s.id)
        assert polyipc.info("sem", s.id).id == s.id
    finally:
        s.remove()
