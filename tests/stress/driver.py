#!/usr/bin/env python3
"""Signal-storm stress test: Python, Ruby and Perl workers on the same kernel
objects at once, while a separate process (signaller.py) sends SIGUSR1 and
SIGALRM to every worker every few milliseconds.

Objects (created here, removed here on every path):
  queue  one message queue, made small (max_size) so that senders block on a
         full queue; messages are  >HI id, seq + md5(body) + body  with
         bodies of 0 bytes, the maximum, or a random size in between, random
         bytes or all NUL, types 1..4; type 5 is the end marker.
  shm    16 bytes: a big-endian 64-bit counter, then the pid of the holder
         of the mutex (0 when free: a second holder is detected).
  mutex  a semaphore (value 1) guarding the counter, also opened as a
         SemaphoreSet for op().
  gate   the start barrier: every worker waits in Z until it is set to 0.
  ready  each worker releases it once its signal handlers are installed.
  tick   a counter worker releases it and waits in Z; a thread here takes
         it back (acquire), which ends the Z.

Workers (one of each role per language; worker.py, worker.rb, worker.pl):
  producer  sends (blocking; every other message first tries block=False to
            count how often the queue was full); reports "sent", "full".
  consumer  receives with type 0 and -5 (every third first tries block=False)
            until the end marker; writes one record per message to stdout
            (>HIIIB id, seq, type, length, body intact) and reports
            "received", "empty".
  counter   increments the counter under the mutex, taken in turn with
            acquire (with and without timeout), with/synchronize, P, and
            SemaphoreSet.op (with and without timeout); every fourth round
            also releases tick and waits in Z. Reports "increments".
Every worker's no-op handlers count the signals that arrived during each
blocking form ("hit.<form>"); the test requires every form of every language
to have been hit, so each was interrupted and resumed at least once.

Checks: every worker exits 0; every message sent is received exactly once,
intact, with its type and size; the counter equals the sum of increments and
nobody holds the mutex; the queue is empty; the queue was found full and
every blocking form was hit by signals in every language; after removal no
System V object is left in the (private) IPC namespace.

Bounds: a watchdog removes every object after --seconds + 90 s (which wakes
any blocked call) and kills the workers; every other wait has its own bound.
The run re-executes itself in a private IPC namespace (`unshare --ipc`).

    driver.py --paths <build>/tests/stress/stress_paths.json [--seconds 20]
              [--interval-ms 3] [--langs python,ruby,perl]
A soak: `./run stress --seconds 3600` (docs/testing.md).
"""
import argparse
import json
import os
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import sysvipc_proc  # noqa: E402

polyipc = None  # imported from --python-path in main()

HERE = os.path.dirname(os.path.abspath(__file__))
LANGS = ("python", "ruby", "perl")
ROLES = ("producer", "consumer", "counter")
FORMS = {
    "python": ("acquire", "with", "P", "op", "Z", "receive", "send"),
    "ruby": ("acquire", "synchronize", "P", "op", "Z", "receive", "send"),
    "perl": ("acquire", "synchronize", "P", "op", "Z", "receive", "send"),
}
HEADER = 22
END_TYPE = 5
RECORD = struct.Struct(">HIIIB")
GRACE = 90  # seconds beyond --seconds for start-up and draining


def exit_status(pid):
    """The exit status of an exited child without reaping it (so its pid
    cannot be reused while the signaller runs): None while it runs, else
    ("exit", code) or ("signal", number)."""
    info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    if info is None or info.si_pid == 0:
        return None
    return ("exit" if info.si_code == os.CLD_EXITED else "signal", info.si_status)


def read_report(path):
    report = {}
    try:
        with open(path) as f:
            for line in f:
                name, value = line.split()
                report[name] = int(value)
    except FileNotFoundError:
        pass
    return report


class Worker:
    def __init__(self, lang, role, ident, tmp):
        self.lang, self.role, self.id = lang, role, ident
        self.name = "%s-%s" % (lang, role)
        self.out = os.path.join(tmp, self.name + ".out")
        self.log = os.path.join(tmp, self.name + ".log")
        self.proc = None
        self.status = None

    def start(self, a, keys):
        cmd = {
            "python": [a.python, os.path.join(HERE, "worker.py")],
            "ruby": [a.ruby] + ["-I" + d for d in a.ruby_libs] + [os.path.join(HERE, "worker.rb")],
            "perl": [a.perl, "-I" + a.perl_lib, os.path.join(HERE, "worker.pl")],
        }[self.lang]
        args = [self.role, str(self.id), str(a.seconds), self.out] + [str(k) for k in keys] + [str(a.max_body)]
        env = dict(os.environ, PYTHONPATH=a.python_path)
        with open(self.log, "wb") as log:
            # A consumer's records come on stdout (read by a thread: Tally).
            stdout = subprocess.PIPE if self.role == "consumer" else log
            self.proc = subprocess.Popen(cmd + args, stdin=subprocess.DEVNULL, stdout=stdout,
                                         stderr=log, env=env)

    def poll(self):
        if self.status is None and self.proc is not None:
            self.status = exit_status(self.proc.pid)
        return self.status

    def log_tail(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read().strip()[-600:]
        except FileNotFoundError:
            return ""


class Tally:
    """Reads the records of one consumer (its stdout) as they come and marks
    each (producer, seq) in a bitmap per producer: a mark found already set
    is a duplicate. Memory: one bit per message sent."""

    def __init__(self, maxbody):
        self.maxbody = maxbody
        self.bitmaps = {}
        self.lock = threading.Lock()
        self.records = {}
        self.dups = self.bad = self.wrong = self.torn = 0
        self.sizes = set()

    def read(self, name, pipe):
        n, rest = 0, b""
        while True:
            chunk = pipe.read(RECORD.size * 4096)
            if not chunk:
                break
            data = rest + chunk
            cut = len(data) - len(data) % RECORD.size
            rest = data[cut:]
            with self.lock:
                n += self.add(data[:cut])
        with self.lock:
            self.records[name] = n
            self.torn += bool(rest)

    def add(self, data):
        n = 0
        for ident, seq, typ, length, intact in RECORD.iter_unpack(data):
            n += 1
            if not intact or ident == 0:
                self.bad += 1
                continue
            want_len = (HEADER, HEADER + self.maxbody, None)[seq % 3]
            if typ != 1 + seq % 4 or length != (want_len or length) or length > HEADER + self.maxbody:
                self.wrong += 1
            self.sizes.add(length - HEADER)
            bm = self.bitmaps.setdefault(ident, bytearray())
            byte, bit = seq >> 3, 1 << (seq & 7)
            if byte >= len(bm):
                bm.extend(bytes(byte - len(bm) + 65536))
            if bm[byte] & bit:
                self.dups += 1
            else:
                bm[byte] |= bit
        return n

    def check(self, sent):
        """(received, lost, stray) for {producer id: messages sent}."""
        lost = stray = 0
        for ident in set(sent) | set(self.bitmaps):
            bits = int.from_bytes(self.bitmaps.get(ident, b""), "little")
            n = sent.get(ident, 0)
            lost += n - (bits & ((1 << n) - 1)).bit_count()
            stray += (bits >> n).bit_count()
        return sum(self.records.values()), lost, stray


class Stress:
    def __init__(self, a, tmp):
        self.a, self.tmp = a, tmp
        self.problems = []
        self.objects = []
        self.workers = []
        self.signaller = None
        self.ticker = None
        self.stop_ticker = threading.Event()
        self.lock = threading.Lock()
        self.tally = Tally(a.max_body)
        self.readers = []

    def fail(self, what):
        with self.lock:
            self.problems.append(what)

    # ------------------------------------------------------------ objects
    def create(self):
        a = self.a
        self.q = polyipc.MessageQueue(None, polyipc.IPC_CREX, max_message_size=HEADER + a.max_body)
        self.objects.append(self.q)
        self.q.max_size = a.queue_bytes
        self.shm = polyipc.SharedMemory(None, polyipc.IPC_CREX, size=16, init_character=b"\0")
        self.objects.append(self.shm)
        sems = {}
        for name, value in (("mutex", 1), ("gate", 1), ("ready", 0), ("tick", 0)):
            sems[name] = polyipc.Semaphore(None, polyipc.IPC_CREX, initial_value=value)
            self.objects.append(sems[name])
        self.mutex, self.gate, self.ready, self.tick = (sems[n] for n in ("mutex", "gate", "ready", "tick"))
        return [self.q.key, self.shm.key] + [sems[n].key for n in ("mutex", "gate", "ready", "tick")]

    def remove_objects(self):
        """Removes every object (idempotent; also wakes every blocked call)."""
        for obj in self.objects:
            try:
                obj.remove()
            except polyipc.ExistentialError:
                pass
        if self.objects:  # a removed segment lives on while attached
            try:
                self.shm.detach()
            except polyipc.NotAttachedError:
                pass

    # ------------------------------------------------------------ processes
    def dead_workers(self):
        return [w for w in self.workers if w.poll() not in (None, ("exit", 0))]

    def wait_workers(self, workers, deadline, what):
        """Waits until `workers` have exited; stops early when any worker
        fails. Polls exit statuses (50 ms) without reaping."""
        while True:
            bad = self.dead_workers()
            if bad:
                self.fail("%s: %s" % (what, ", ".join("%s %s %s" % (w.name, *w.status) for w in bad)))
                return False
            if all(w.poll() for w in workers):
                return True
            if time.monotonic() > deadline:
                self.fail("%s: timed out (%s still running)" % (what, ", ".join(w.name for w in workers if not w.poll())))
                return False
            time.sleep(0.05)

    def tick_loop(self):
        while not self.stop_ticker.is_set():
            try:
                self.tick.acquire(timeout=0.2)
            except polyipc.BusyError:
                pass
            except polyipc.ExistentialError:
                return

    def watchdog(self):
        self.fail("watchdog: the run exceeded %d s; objects removed, workers killed" % (self.a.seconds + GRACE))
        self.remove_objects()
        time.sleep(5)
        self.kill_all()

    def kill_all(self):
        """SIGKILL to the signaller, then to every worker. os.kill, not
        Popen.kill, which reaps first: a worker stays unreaped until the
        signaller is gone, so its pid still names it (or its zombie)."""
        procs = [self.signaller] if self.signaller else []
        procs += [w.proc for w in self.workers if w.proc]
        for p in procs:
            if p.returncode is None:
                try:
                    os.kill(p.pid, signal.SIGKILL)
                except ProcessLookupError:  # reaped meanwhile by cleanup()
                    pass

    # ------------------------------------------------------------ the run
    def run(self):
        a = self.a
        keys = self.create()
        langs = a.langs.split(",")
        ident = 0
        for lang in langs:
            for role in ROLES:
                ident += 1
                self.workers.append(Worker(lang, role, ident, self.tmp))
        t0 = time.monotonic()
        for w in self.workers:
            w.start(a, keys)
            if w.role == "consumer":
                t = threading.Thread(target=self.tally.read, args=(w.name, w.proc.stdout), daemon=True)
                t.start()
                self.readers.append(t)
        # Every worker has installed its handlers once `ready` reached N.
        deadline = time.monotonic() + 60
        while True:
            try:
                self.ready.acquire(timeout=0.5, delta=len(self.workers))
                break
            except polyipc.BusyError:
                if self.dead_workers() or time.monotonic() > deadline:
                    self.wait_workers(self.workers, 0, "start-up")
                    self.fail("start-up: not every worker became ready")
                    return
        started = time.monotonic()
        self.signaller = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "signaller.py"), str(a.interval_ms / 1000.0)]
            + [str(w.proc.pid) for w in self.workers], stdout=subprocess.PIPE, text=True)
        self.ticker = threading.Thread(target=self.tick_loop, daemon=True)
        self.ticker.start()
        self.gate.value = 0
        print("stress: %d workers (%s) started in %.1fs; storm every %g ms for %g s"
              % (len(self.workers), ", ".join(langs), started - t0, a.interval_ms, a.seconds), flush=True)

        end = started + a.seconds + GRACE - 10
        busy = [w for w in self.workers if w.role != "consumer"]
        consumers = [w for w in self.workers if w.role == "consumer"]
        if not self.wait_workers(busy, end, "producers and counters"):
            return
        for _ in consumers:  # after every message: each consumer takes one and stops
            self.q.send(b"STOP", type=END_TYPE)
        if not self.wait_workers(consumers, end, "consumers"):
            return
        for t in self.readers:
            t.join(30)
        self.signaller.send_signal(signal.SIGTERM)
        out, _ = self.signaller.communicate(timeout=30)
        if self.signaller.returncode != 0:
            self.fail("signaller exited %d" % self.signaller.returncode)
        self.signals_sent = int(out.strip() or 0)
        self.stop_ticker.set()
        self.ticker.join(5)
        print("stress: ran %.1fs; the signaller sent %d signals" % (time.monotonic() - started, self.signals_sent))
        self.check()

    # ------------------------------------------------------------ checks
    def check(self):
        a = self.a
        reports = {w.name: read_report(w.out) for w in self.workers}
        producers = {w.id: w for w in self.workers if w.role == "producer"}
        sent = {i: reports[w.name].get("sent", 0) for i, w in producers.items()}
        t = self.tally
        received, lost, stray = t.check(sent)
        for w in self.workers:
            if w.role == "consumer" and t.records.get(w.name) != reports[w.name].get("received"):
                self.fail("%s: %s records, but it reported %s" % (w.name, t.records.get(w.name), reports[w.name].get("received")))
        total = sum(sent.values())
        print("messages: %d sent, %d received, %d lost, %d duplicated, %d corrupt, %d wrong type/size, %d unknown; "
              "%d distinct body sizes (0..%d)" % (total, received, lost, t.dups, t.bad, t.wrong, stray, len(t.sizes), a.max_body))
        if total == 0 or lost or t.dups or t.bad or t.wrong or stray or t.torn or received != total:
            self.fail("messages: not every message received exactly once and intact")
        if 0 not in t.sizes or a.max_body not in t.sizes:
            self.fail("messages: the empty and the largest body were not both seen")
        if self.q.current_messages:
            self.fail("queue: %d messages left" % self.q.current_messages)

        increments = sum(reports[w.name].get("increments", 0) for w in self.workers if w.role == "counter")
        counter, owner = struct.unpack(">QQ", self.shm.read(16, 0))
        print("counter: %d (sum of increments %d); mutex %d, tick %d"
              % (counter, increments, self.mutex.value, self.tick.value))
        if counter != increments or increments == 0:
            self.fail("counter: %d, but the workers incremented it %d times" % (counter, increments))
        if owner or self.mutex.value != 1:
            self.fail("mutex: left held (owner pid %d, value %d)" % (owner, self.mutex.value))

        print("%-8s %8s %8s %8s  signals during each blocking form" % ("", "signals", "full", "empty"))
        for lang in a.langs.split(","):
            mine = [reports[w.name] for w in self.workers if w.lang == lang]
            hits = {f: sum(r.get("hit." + f, 0) for r in mine) for f in FORMS[lang]}
            got = sum(r.get("signals", 0) for r in mine)
            full = sum(r.get("full", 0) for r in mine)
            empty = sum(r.get("empty", 0) for r in mine)
            print("%-8s %8d %8d %8d  %s" % (lang, got, full, empty, " ".join("%s=%d" % kv for kv in hits.items())))
            missed = [f for f, n in hits.items() if n == 0]
            if missed:
                self.fail("%s: no signal arrived during %s (run longer: --seconds)" % (lang, ", ".join(missed)))
            if full == 0:
                self.fail("%s: the producer never found the queue full" % lang)
            for w in self.workers:
                if w.lang == lang and reports[w.name].get("signals", 0) == 0:
                    self.fail("%s: received no signal" % w.name)

    # ------------------------------------------------------------ cleanup
    def cleanup(self):
        """Removes the objects (which wakes every blocked call), stops the
        signaller, and only then reaps the workers (killing any that has not
        ended 10 s later)."""
        failed_before, ended = bool(self.problems), []
        self.stop_ticker.set()
        self.remove_objects()
        if self.signaller and self.signaller.returncode is None:
            self.signaller.send_signal(signal.SIGTERM)
            try:
                self.signaller.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                self.signaller.kill()
                self.signaller.communicate()
        for w in self.workers:
            if w.proc is None:
                continue
            try:
                w.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                w.proc.kill()
                w.proc.wait()
            if w.proc.returncode != 0 and not any(w.name in p for p in self.problems):
                if failed_before:
                    ended.append(w.name)
                else:
                    self.fail("%s exited %d" % (w.name, w.proc.returncode))
        if ended:
            self.fail("ended by the removal of the objects after that: " + ", ".join(ended))
        if self.ticker:
            self.ticker.join(5)
        for t in self.readers:
            t.join(5)


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--paths", required=True,
                    help="JSON file of the interpreters and module directories (CMake writes "
                         "<build>/tests/stress/stress_paths.json)")
    ap.add_argument("--langs", default=",".join(LANGS))
    ap.add_argument("--seconds", type=float, default=20,
                    help="how long producers and counters run (default 20; e.g. 3600 for a soak)")
    ap.add_argument("--interval-ms", type=float, default=3, help="pause between two rounds of signals (default 3)")
    ap.add_argument("--max-body", type=int, default=1000, help="largest message body in bytes (default 1000)")
    ap.add_argument("--queue-bytes", type=int, default=4096,
                    help="the queue's max_size (default 4096: small, so that senders block)")
    a = ap.parse_args()
    with open(a.paths) as f:
        paths = json.load(f)
    a.python, a.python_path = paths["python"], paths["python_path"]
    a.ruby, a.ruby_libs = paths["ruby"], paths["ruby_libs"]
    a.perl, a.perl_lib = paths["perl"], paths["perl_lib"]
    return a


def main():
    if "POLYIPC_STRESS_OUTER_NS" not in os.environ:
        # A private IPC namespace of our own: nothing collides, and the final
        # check can require the namespace to be empty.
        os.environ["POLYIPC_STRESS_OUTER_NS"] = os.readlink("/proc/self/ns/ipc")
        os.execvp("unshare", ["unshare", "--ipc", "--", sys.executable] + sys.argv)
    a = parse_args()
    global polyipc
    sys.path.insert(0, a.python_path)
    import polyipc
    if sysvipc_proc.count():
        print("FAIL: the private IPC namespace is not empty at the start")
        return 1
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="polyipc-stress-") as tmp:
        s = Stress(a, tmp)
        dog = threading.Timer(a.seconds + GRACE, s.watchdog)
        dog.daemon = True
        dog.start()
        try:
            s.run()
        except Exception as exc:  # noqa: BLE001 - a driver error fails the run, after cleanup
            s.fail("driver: %s: %s" % (type(exc).__name__, exc))
        finally:
            s.cleanup()
            dog.cancel()
        left = sysvipc_proc.count()
        if left:
            s.fail("%d System V object(s) left behind" % left)
        for w in s.workers:
            tail = w.log_tail()
            if tail:
                print("--- %s (exit %s):\n%s" % (w.name, w.proc.returncode if w.proc else "-", tail))
    if s.problems:
        print("\nstress: FAIL after %.1fs\n  %s" % (time.monotonic() - t0, "\n  ".join(s.problems)))
        return 1
    print("\nstress: ok (%.1fs; nothing left behind)" % (time.monotonic() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
