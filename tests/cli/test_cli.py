"""polyipc(1) against util-linux lsipc (the oracle) and its own promises.

Runs inside its own private IPC namespace (see CMakeLists.txt), so every
listing holds exactly the objects these tests make. The `clean` fixture checks
that each test starts in an empty namespace and removes, with `polyipc rm`,
whatever the test made."""
import datetime
import json
import os
import re
import subprocess
import sys

import pytest

CLI = os.environ["POLYIPC_CLI"]
PY = os.environ.get("POLYIPC_PYTHON", sys.executable)
RUBY = os.environ.get("POLYIPC_RUBY", "ruby")
RUBY_LIBS = os.environ.get("POLYIPC_RUBY_LIBS", "").split(":")
PERL = os.environ.get("POLYIPC_PERL", "perl")
PERL_LIB = os.environ.get("POLYIPC_PERL_LIB", "")
PROMTOOL = os.environ.get("PROMTOOL", "promtool")
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def run(args, *, check=True, user=None, stdin=None):
    cmd = (NOBODY if user == "nobody" else []) + list(args)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, stdin=stdin)
    if check and p.returncode != 0:
        raise AssertionError(f"{cmd} exited {p.returncode}: {p.stderr}")
    return p


def cli(*args, **kw):
    return run([CLI, *args], **kw)


def cli_json(*args, **kw):
    doc = json.loads(cli(*args, "--json", **kw).stdout)
    assert doc["schema"] == 1
    return doc


def py(code, **kw):
    return run([PY, "-c", "import polyipc\n" + code], **kw).stdout


def ruby(code, **kw):
    inc = [f"-I{d}" for d in RUBY_LIBS if d]
    return run([RUBY, *inc, "-rpolyipc", "-e", code], **kw).stdout


def perl(code, **kw):
    return run([PERL, f"-I{PERL_LIB}", "-MPolyIPC=:all", "-e", code], **kw).stdout


def ipc_count():
    n = 0
    for f in ("sem", "shm", "msg"):
        with open(f"/proc/sysvipc/{f}") as fh:
            n += len(fh.readlines()) - 1
    return n


def remove_all():
    for o in json.loads(cli("ls", "--json").stdout)["objects"]:
        cli("rm", f"{o['kind']}:{o['id']}")


@pytest.fixture(autouse=True)
def clean():
    assert ipc_count() == 0, "the namespace must start empty"
    yield
    remove_all()
    assert ipc_count() == 0


def make_objects():
    """Objects from Python, Ruby, Perl, and Python as nobody; returns their ids."""
    ids = {}
    ids["py_sem"] = int(py("s = polyipc.Semaphore(None, polyipc.IPC_CREX, initial_value=3, mode=0o640)\n"
                           "s.release(); print(s.id)"))
    ids["rb_msg"] = int(ruby('q = PolyIPC::MessageQueue.new(nil, flags: PolyIPC::IPC_CREX, mode: 0o600); '
                             'q.send("hello", type: 2); q.send("x"); print q.id'))
    ids["pl_shm"] = int(perl('my $m = PolyIPC::SharedMemory->new(undef, flags => IPC_CREX, size => 5000, '
                             'mode => 0604); print $m->id'))
    ids["nb_shm"] = int(py("m = polyipc.SharedMemory(polyipc.IPC_PRIVATE, polyipc.IPC_CREX, size=123)\n"
                           "m.attach(); m.write(b'x'); m.detach(); print(m.id)", user="nobody"))
    ids["nb_msg"] = int(py("q = polyipc.MessageQueue(None, polyipc.IPC_CREX, mode=0o622)\n"
                           "q.send(b'abc'); q.receive(); q.send(b'de'); print(q.id)", user="nobody"))
    return ids


# ------------------------------------------------------------- the oracle
LSIPC_COLS = {
    "shm": ("-m", "sharedmemory", "KEY,ID,OWNER,PERMS,CUID,CGID,UID,GID,SIZE,NATTCH,STATUS,ATTACH,"
            "DETACH,CTIME,CPID,LPID"),
    "msg": ("-q", "messages", "KEY,ID,OWNER,PERMS,CUID,CGID,UID,GID,USEDBYTES,MSGS,SEND,RECV,LSPID,"
            "LRPID,CTIME"),
    "sem": ("-s", "semaphores", "KEY,ID,OWNER,PERMS,CUID,CGID,UID,GID,NSEMS,OTIME,CTIME"),
}
# lsipc column -> polyipc field
FIELD = {"key": "key", "id": "id", "owner": "owner", "perms": "perms", "cuid": "cuid", "cgid": "cgid",
         "uid": "uid", "gid": "gid", "size": "size", "nattch": "nattch", "status": "status",
         "attach": "atime", "detach": "dtime", "ctime": "ctime", "cpid": "cpid", "lpid": "lpid",
         "usedbytes": "used_bytes", "msgs": "messages", "send": "stime", "recv": "rtime",
         "lspid": "lspid", "lrpid": "lrpid", "nsems": "nsems", "otime": "otime"}
TIMES = {"attach", "detach", "ctime", "send", "recv", "otime"}


def lsipc(kind, user=None):
    opt, top, cols = LSIPC_COLS[kind]
    out = run(["lsipc", opt, "-b", "-P", "--json", "--time-format=iso", "-o", cols], user=user).stdout
    return json.loads(out).get(top, []) if out.strip() else []  # none of this kind: {} or nothing


def as_lsipc(col, value):
    """A polyipc value in lsipc's JSON form."""
    if value is None:
        return None
    if col == "key":
        return "0x%08x" % (value & 0xFFFFFFFF)
    if col == "perms":
        return "%04o" % value
    if col in TIMES:
        return datetime.datetime.fromtimestamp(value).astimezone().isoformat()
    if col == "status":
        return ",".join(value) or None
    return str(value)


def compare_with_lsipc(user=None):
    ours = cli_json("ls", user=user)["objects"]
    compared = 0
    for kind in ("sem", "shm", "msg"):
        theirs = {r["id"]: r for r in lsipc(kind, user=user)}
        mine = {str(o["id"]): o for o in ours if o["kind"] == kind}
        assert sorted(theirs) == sorted(mine), (kind, theirs, mine)
        for oid, row in theirs.items():
            for col, want in row.items():
                if want is None and col == "perms":
                    continue  # lsipc 2.38 prints no numeric perms for queues
                got = as_lsipc(col, mine[oid][FIELD[col]])
                assert got == want, f"{kind} {oid} {col}: polyipc {got!r}, lsipc {want!r}"
                compared += 1
    return compared


def test_every_field_equals_lsipc_for_objects_from_every_language_and_user():
    make_objects()
    # a live attachment too: nattch, atime, lpid
    holder = subprocess.Popen([PY, "-c", "import polyipc, sys\n"
                               "m = polyipc.SharedMemory(None, polyipc.IPC_CREX, size=8192)\n"
                               "m.attach(); print(m.id, flush=True); sys.stdin.read()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        holder_id = int(holder.stdout.readline())
        n = compare_with_lsipc()
        assert n >= 80
        owners = {o["owner"] for o in cli_json("ls")["objects"]}
        assert owners == {"root", "nobody"}
        shown = cli_json("show", f"shm:{holder_id}")["objects"]
        assert len(shown) == 1 and shown[0]["nattch"] == 1
        assert shown[0]["attached"] == [{"pid": holder.pid, "command": "python3"}]
        assert shown[0]["creator_alive"] is True and shown[0]["leaked"] is False
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_a_user_sees_what_the_kernel_lets_it_see():
    ids = make_objects()
    n = compare_with_lsipc(user="nobody")
    assert n >= 60
    objs = {(o["kind"], o["id"]): o for o in cli_json("ls", user="nobody")["objects"]}
    # root's 0640 set: listed (SEM_STAT_ANY), values not readable by nobody
    assert objs[("sem", ids["py_sem"])]["semaphores"] is None
    assert cli_json("show", f"sem:{ids['py_sem']}", user="nobody")["objects"][0]["semaphores"] is None
    assert cli_json("show", f"sem:{ids['py_sem']}")["objects"][0]["semaphores"][0]["value"] == 4
    # filters
    mine = cli_json("ls", "--owner", "nobody", user="nobody")["objects"]
    assert sorted((o["kind"], o["id"]) for o in mine) == sorted(
        [("shm", ids["nb_shm"]), ("msg", ids["nb_msg"])])
    assert [o["id"] for o in cli_json("ls", "-t", "msg", "--owner", "65534")["objects"]] == [ids["nb_msg"]]


def test_limits_equal_lsipc_global():
    make_objects()
    ours = cli_json("limits")["limits"]
    theirs = json.loads(run(["lsipc", "-g", "-b", "--json"]).stdout)["ipclimits"]
    assert [r["resource"] for r in ours] == [r["resource"] for r in theirs]
    page = os.sysconf("SC_PAGE_SIZE")
    sizes = [o["size"] for o in cli_json("ls", "-t", "shm")["objects"]]
    for a, b in zip(ours, theirs):
        assert str(a["limit"]) == b["limit"], (a, b)
        if a["resource"] == "SHMALL":
            # polyipc reports the kernel's own count (SHM_INFO shm_tot: each
            # segment rounded up to whole pages, what SHMALL is enforced
            # against); lsipc divides the sum of the sizes by the page size.
            assert a["used"] == sum(-(-s // page) for s in sizes) == 3
            assert b["used"] == str(sum(sizes) // page) == "1"
            continue
        assert (str(a["used"]) if a["used"] is not None else "-") == b["used"], (a, b)
    table = cli("limits").stdout
    assert re.search(r"^MSGMNI +Number of message queues +\d+ +2 +[0-9.]+% +kernel.msgmni$", table, re.M)


# ------------------------------------------------------------- leaked
def test_a_creator_that_exits_leaves_a_leaked_object_and_rm_leaked_removes_exactly_those():
    dead = py("s = polyipc.Semaphore(None, polyipc.IPC_CREX, initial_value=1)\n"
              "m = polyipc.SharedMemory(None, polyipc.IPC_CREX, size=4096)\n"
              "q = polyipc.MessageQueue(None, polyipc.IPC_CREX); q.send(b'left behind')\n"
              "print(s.id, m.id, q.id)").split()
    dead = {("sem", int(dead[0])), ("shm", int(dead[1])), ("msg", int(dead[2]))}
    live = subprocess.Popen([PY, "-c", "import polyipc, sys\n"
                             "s = polyipc.Semaphore(None, polyipc.IPC_CREX, initial_value=1)\n"
                             "m = polyipc.SharedMemory(None, polyipc.IPC_CREX, size=4096)\n"
                             "q = polyipc.MessageQueue(None, polyipc.IPC_CREX); q.send(b'in use')\n"
                             "print(s.id, m.id, q.id, flush=True); sys.stdin.read()\n"
                             "s.remove(); m.remove(); q.remove()"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        ids = live.stdout.readline().split()
        alive = {("sem", int(ids[0])), ("shm", int(ids[1])), ("msg", int(ids[2]))}
        listed = {(o["kind"], o["id"]): o for o in cli_json("ls")["objects"]}
        assert set(listed) == dead | alive
        assert {k for k, o in listed.items() if o["leaked"]} == dead
        assert {(o["kind"], o["id"]) for o in cli_json("ls", "--leaked")["objects"]} == dead
        # older-than: none is idle for an hour yet
        assert cli_json("ls", "--leaked", "--older-than", "1h")["objects"] == []
        dry = cli("rm", "--leaked", "--dry-run").stdout.splitlines()
        assert len(dry) == 3 and all(line.startswith("would remove ") for line in dry)
        assert ipc_count() == 6
        out = cli("rm", "--leaked").stdout.splitlines()
        assert sorted((line.split()[1], int(line.split()[2])) for line in out) == sorted(dead)
        assert all(line.startswith("removed ") for line in out)
        assert {(o["kind"], o["id"]) for o in cli_json("ls")["objects"]} == alive
    finally:
        live.stdin.close()
        live.wait(timeout=30)
    assert live.returncode == 0


# ------------------------------------------------------------- long user names
@pytest.fixture
def long_users(tmp_path):
    """Two users whose names are longer than the 63 characters the inspector
    once kept: one of 100 characters, and one of 300 (beyond LOGIN_NAME_MAX)
    whose passwd entry (a long GECOS field) does not fit a 1024-byte lookup
    buffer. They exist only in a copy of /etc/passwd bind-mounted over
    it in this test run's private mount namespace (CMakeLists.txt: unshare
    --mount), unmounted after the test; the namespace ends with the run in
    any case. Returns {name: uid}."""
    # unshare --mount execs this interpreter: its parent (ctest) is outside
    assert os.readlink("/proc/self/ns/mnt") != os.readlink(f"/proc/{os.getppid()}/ns/mnt"), \
        "refusing to mount over /etc/passwd outside a private mount namespace (run under unshare --mount)"
    with open("/etc/passwd") as f:
        original = f.read()
    taken = {int(line.split(":")[2]) for line in original.splitlines() if line.count(":") == 6}
    uids = [u for u in range(3_900_000, 3_900_100) if u not in taken][:2]
    users = {("polyipc_long_" + "a" * 100)[:100]: uids[0], ("polyipc_longer_" + "b" * 300)[:300]: uids[1]}
    gecos = ["a user", "g" * 3000]  # the second entry does not fit a 1024-byte buffer (ERANGE)
    copy = tmp_path / "passwd"
    copy.write_text(original + "".join(f"{name}:x:{uid}:{uid}:{g}:/nonexistent:/usr/sbin/nologin\n"
                                       for (name, uid), g in zip(users.items(), gecos)))
    copy.chmod(0o644)
    run(["mount", "--bind", str(copy), "/etc/passwd"])
    try:
        yield users
    finally:
        run(["umount", "/etc/passwd"])


def test_long_owner_names_come_through_whole(long_users):
    """Every place an owner's name appears gives it whole: the inspector's
    JSON (lsipc agreeing), the owner filter, the table, show, the metrics, and
    list/info/the leak report in every language."""
    ids = {}
    for name, uid in long_users.items():
        out = py("snap = polyipc.LeakSnapshot()\n"
                 f"s = polyipc.Semaphore(None, polyipc.IPC_CREX)\ns.uid = {uid}\n"
                 "print(s.id)\nprint(snap.check(remove=False))")
        sid, report = out.splitlines()
        ids[name] = int(sid)
        assert report.endswith(f", owner {name})"), report
    assert compare_with_lsipc() >= 2 * 11  # lsipc (the oracle) shows the same owners
    objs = {o["id"]: o for o in cli_json("ls")["objects"]}
    table, metrics = cli("ls").stdout, cli("metrics").stdout
    for name, uid in long_users.items():
        sid = ids[name]
        assert objs[sid]["owner"] == name
        assert [o["id"] for o in cli_json("ls", "--owner", name)["objects"]] == [sid]
        assert [row.split()[3] for row in table.splitlines() if row.split()[1] == str(sid)] == [name]
        assert f"owner          {name} (uid {uid}, gid 0)" in cli("show", f"sem:{sid}").stdout
        assert f'polyipc_objects{{kind="sem",owner="{name}"}} 1' in metrics
        assert py(f"print([(o.id, o.owner) for o in polyipc.list(owner={name!r})])\n"
                  f"print(polyipc.info('sem', {sid}).owner)") == f"[({sid}, {name!r})]\n{name}\n"
        assert ruby(f"p PolyIPC.list(owner: {name!r}).map {{ |o| [o.id, o.owner] }}; "
                    f"puts PolyIPC.info(:sem, {sid}).owner") == f'[[{sid}, "{name}"]]\n{name}\n'
        perl_code = ('print join(",", map { "$_->{id} $_->{owner}" } PolyIPC::list(owner => "%s")), "\\n", '
                     'PolyIPC::info("sem", %d)->{owner}, "\\n";' % (name, sid))
        assert perl(perl_code) == f"{sid} {name}\n{name}\n"


# ------------------------------------------------------------- metrics
def test_metrics_pass_promtool_and_count_the_objects():
    make_objects()
    text = cli("metrics").stdout
    p = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert 'polyipc_objects{kind="shm",owner="nobody"} 1\n' in text
    assert 'polyipc_objects{kind="msg",owner="root"} 1\n' in text
    assert 'polyipc_bytes{kind="shm",owner="root"} 5000\n' in text
    assert 'polyipc_bytes{kind="msg",owner="root"} 6\n' in text
    assert 'polyipc_used{resource="SEMMNI"} 1\n' in text
    assert re.search(r'^polyipc_limit\{resource="MSGMNI"\} \d+$', text, re.M)


# ------------------------------------------------------------- show, rm, exit codes
def test_show_every_field_and_per_semaphore_values():
    ids = make_objects()
    out = cli("show", "-t", "sem", str(ids["py_sem"])).stdout
    assert re.search(r"^  nsems +1$", out, re.M)
    assert re.search(r"^ +0 +4 +0 +0 +\d+$", out, re.M)  # index value ncount zcount pid
    rec = cli_json("show", f"sem:{ids['py_sem']}")["objects"][0]
    assert rec["semaphores"][0]["value"] == 4 and rec["perms"] == 0o640
    out = cli("show", f"msg:{ids['rb_msg']}").stdout
    assert re.search(r"^  messages +2$", out, re.M) and re.search(r"^  used_bytes +6$", out, re.M)


def test_rm_ids_and_exit_codes():
    ids = make_objects()
    assert cli("show", "msg:4242", check=False).returncode == 3
    assert cli("rm", check=False).returncode == 2          # never everything
    assert cli("ls", "--bogus", check=False).returncode == 2
    assert cli("ls", "-t", "pipes", check=False).returncode == 2
    assert cli("frobnicate", check=False).returncode == 2
    for command in ("ls", "limits", "metrics"):  # an extra argument is a usage error, not ignored
        p = cli(command, "extra", check=False)
        assert p.returncode == 2 and "takes no arguments: extra" in p.stderr, (command, p.stderr)
    h = cli("--help")
    assert h.returncode == 0 and "rm --leaked" in h.stdout
    assert cli("--version").stdout.startswith("polyipc ")
    # in a fresh namespace the first queue and segment both have id 0: an
    # id without a kind is ambiguous, and nothing is removed
    p = run(["unshare", "--ipc", "sh", "-c",
             f"ipcmk -Q >/dev/null && ipcmk -M 64 >/dev/null && {CLI} rm 0; echo rc=$?; {CLI} ls --json"])
    assert "rc=2" in p.stdout and "ambiguous" not in p.stdout and "use -t KIND" in p.stderr
    assert len(json.loads(p.stdout.split("\n", 1)[1])["objects"]) == 2
    before = ipc_count()
    # one missing id: nothing is removed
    assert cli("rm", f"shm:{ids['pl_shm']}", "sem:4242", check=False).returncode == 3
    assert ipc_count() == before
    out = cli("rm", f"shm:{ids['pl_shm']}", "-t", "msg", str(ids["rb_msg"])).stdout
    assert "removed shm %d" % ids["pl_shm"] in out and "removed msg %d" % ids["rb_msg"] in out
    assert ipc_count() == before - 2
    # removing another user's object as that user: refused, exit 1
    assert cli("rm", f"sem:{ids['py_sem']}", check=False, user="nobody").returncode == 1
