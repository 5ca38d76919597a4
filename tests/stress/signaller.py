"""The storm: sends SIGUSR1 and SIGALRM, alternately, to every worker every
INTERVAL seconds until it receives SIGTERM; then prints how many it sent.

    signaller.py INTERVAL PID...

The driver keeps every worker unreaped (a zombie at worst) while this runs,
so a pid here never names another process."""
import os
import signal
import sys
import time

stop = False


def on_term(signum, frame):
    global stop
    stop = True


def main(argv):
    interval, pids = float(argv[0]), [int(p) for p in argv[1:]]
    signal.signal(signal.SIGTERM, on_term)
    sent, n = 0, 0
    while not stop:
        sig = (signal.SIGUSR1, signal.SIGALRM)[n % 2]
        for pid in pids:
            os.kill(pid, sig)
            sent += 1
        n += 1
        time.sleep(interval)
    print(sent, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
