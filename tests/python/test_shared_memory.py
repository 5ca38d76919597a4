"""SharedMemory: sysv_ipc 1.2.0 behaviour plus the tracked buffer protocol (docs/api.md)."""
import gc
import os
import shutil
import subprocess
import sys
import textwrap

import polyipc
import pytest


def new(**kw):
    kw.setdefault("size", 16)
    return polyipc.SharedMemory(None, polyipc.IPC_CREX, **kw)


def drop(m):
    try:
        m.remove()
    except polyipc.ExistentialError:
        pass
    if m.attached:
        m.detach()


def test_size_zero_is_a_page_and_fill():
    m = polyipc.SharedMemory(None, polyipc.IPC_CREX)
    try:
        assert m.size == polyipc.PAGE_SIZE
        assert m.read() == b" " * polyipc.PAGE_SIZE
    finally:
        drop(m)
    m = new(init_character=b"\xff")
    try:
        assert m.read() == b"\xff" * 16
    finally:
        drop(m)
    for bad in (b"ab", b"", "a", 65, None):
        with pytest.raises(TypeError):
            new(init_character=bad)


def test_read_and_write(shm):
    assert shm.attached and shm.address != 0
    shm.write(b"a\x00b\xff", 10)
    assert shm.read(4, 10) == b"a\x00b\xff"
    shm.write(s=bytearray(b"xy"), offset=0)
    shm.write(memoryview(b"--zz--")[2:4], 2)
    assert shm.read(byte_count=4) == b"xyzz"
    shm.write("é", 62)  # str is UTF-8
    assert shm.read(offset=62) == "é".encode()
    assert shm.read(100, 60) == shm.read(0, 60)[:0] + shm.read(4, 60)  # clamped
    assert len(shm.read()) == 64
    for args in ((0, 64), (0, -1), (-1, 0), (0, 2**70)):
        with pytest.raises(ValueError):
            shm.read(*args)
    for data, off in ((b"x", 64), (b"xx", 63), (b"x", -1), (b"", 65)):
        with pytest.raises(ValueError):
            shm.write(data, off)
    for bad in (5, None, [1], 1.5):
        with pytest.raises(TypeError):
            shm.write(bad)
    # a view that is not one block: CPython's BufferError (sysv_ipc's "s*"), not a TypeError
    with pytest.raises(BufferError):
        shm.write(memoryview(b"abcd")[::2])


def test_read_only_attach_by_mode():
    m = new(mode=0o400)
    try:
        with pytest.raises(OSError) as info:
            m.write(b"x")
        assert isinstance(info.value, polyipc.ReadOnlyError)
        mv = memoryview(m)
        assert mv.readonly
        with pytest.raises(TypeError):
            mv[0] = 1
        mv.release()
    finally:
        drop(m)


def test_detach_attach(shm):
    shm.detach()
    assert not shm.attached and shm.address == 0
    with pytest.raises(polyipc.NotAttachedError):
        shm.detach()
    with pytest.raises(polyipc.NotAttachedError):
        shm.read()
    with pytest.raises(polyipc.NotAttachedError):
        shm.write(b"x")
    shm.attach(address=None, flags=0)
    shm.write(b"ok")
    shm.attach(flags=polyipc.SHM_RDONLY)  # re-attach replaces the old attachment
    assert shm.read(2) == b"ok"
    with pytest.raises(polyipc.ReadOnlyError):
        shm.write(b"x")
    for bad in ("0", 1.5):
        with pytest.raises(TypeError):
            shm.attach(bad)
    with pytest.raises(ValueError):
        shm.attach(-1)


def test_buffer_protocol_is_live_and_tracked(shm):
    mv = memoryview(shm)
    assert (mv.format, mv.ndim, mv.itemsize, mv.nbytes, mv.readonly) == ("B", 1, 1, 64, False)
    mv[0:3] = b"abc"
    assert shm.read(3) == b"abc"
    shm.write(b"Z", 1)
    assert bytes(mv[:3]) == b"aZc"
    with pytest.raises(BufferError):
        shm.detach()
    with pytest.raises(BufferError):
        shm.attach()
    with pytest.raises(BufferError):
        with shm:
            pass
    sub = mv[10:20]
    mv.release()
    with pytest.raises(BufferError):  # the slice still exports the buffer
        shm.detach()
    sub.release()
    shm.detach()
    with pytest.raises(polyipc.NotAttachedError):
        memoryview(shm)
    with pytest.raises(ValueError):
        mv[0]  # released views refuse access instead of touching unmapped memory
    shm.attach()


def test_write_from_a_view_of_the_segment_itself(shm):
    # The source overlaps the destination: an overlapping move, never a
    # memcpy (the ASan build reports one).
    shm.write(bytes(range(64)))
    with memoryview(shm) as mv:
        shm.write(mv[0:40], 1)
        assert shm.read(41) == bytes([0]) + bytes(range(40))
        shm.write(mv[2:41], 0)
        assert shm.read(39) == bytes(range(1, 40))


def test_view_kept_past_detach_attempt_never_segfaults(shm):
    views = [memoryview(shm) for _ in range(3)]
    for v in views:
        with pytest.raises(BufferError):
            shm.detach()
        v.release()
    shm.detach()
    for v in views:
        with pytest.raises(ValueError):
            v[0]


def test_context_manager_detaches():
    m = new()
    try:
        with m as same:
            assert same is m and m.attached
        assert not m.attached
        with m:
            pass  # already detached: nothing to do
        m.attach()
        with pytest.raises(KeyError):
            with m:
                raise KeyError("not swallowed")
        assert not m.attached
    finally:
        drop(m)


def test_attributes(shm):
    st = os.getpid()
    assert shm.size == 64 and shm.number_attached == 1
    assert shm.creator_pid == st and shm.last_pid == st
    assert shm.last_attach_time > 0 and shm.last_detach_time >= 0 and shm.last_change_time > 0
    assert shm.cuid == os.geteuid() and shm.cgid == os.getegid()
    assert shm.mode == 0o600
    shm.mode = 0o644
    shm.uid = 65534
    assert shm.mode == 0o644 and shm.uid == 65534
    shm.remove()
    shm.write(b"still attached")  # IPC_RMID keeps existing attachments usable
    assert shm.read(5) == b"still"
    assert shm.number_attached == 1  # the kernel keeps it until the last detach
    shm.detach()
    with pytest.raises(polyipc.ExistentialError):
        shm.number_attached
    assert shm.key and shm.id >= 0 and shm.size == 64 and not shm.attached


def test_garbage_collection_detaches_but_never_removes():
    m = new()
    key, mid = m.key, m.id
    m.write(b"kept")
    del m
    gc.collect()
    again = polyipc.SharedMemory(key)
    try:
        assert again.id == mid and again.read(4) == b"kept" and again.number_attached == 1
    finally:
        drop(again)


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_read_and_write_make_no_syscall(tmp_path):
    """A read+write loop under strace: no shmctl/shmat/shmdt after the setup."""
    script = tmp_path / "rw.py"
    script.write_text(textwrap.dedent("""
        import os, polyipc
        m = polyipc.SharedMemory(None, polyipc.IPC_CREX, size=64)
        try:
            os.getppid()  # marker
            for i in range(1000):
                m.write(b"abc", 5)
                m.read(3, 5)
            os.getppid()  # marker
        finally:
            m.remove()
    """))
    env = dict(os.environ)
    out = subprocess.run(["strace", "-f", "-e", "trace=getppid,shmctl,shmat,shmdt,ipc", sys.executable,
                          str(script)], env=env, capture_output=True, text=True, timeout=60)
    if out.returncode != 0 and "ptrace" in out.stderr:
        pytest.skip("strace cannot trace here: " + out.stderr.strip()[:200])
    assert out.returncode == 0, out.stderr
    lines = [l for l in out.stderr.splitlines() if "getppid" in l or "shm" in l]
    first = next(i for i, l in enumerate(lines) if "getppid" in l)
    last = max(i for i, l in enumerate(lines) if "getppid" in l)
    assert last > first
    assert not any("shm" in l for l in lines[first:last]), lines[first:last]
