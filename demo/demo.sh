#!/usr/bin/env bash
# The polyglot demo (./run demo runs it inside `unshare --ipc`):
#   Python  producer  puts ITEMS work items into a message queue,
#   Ruby    workers   (WORKERS of them) take items, compute a result and
#                     accumulate it in shared memory under a semaphore,
#   Perl    reporter  shows progress, then checks the totals: nothing lost,
#                     nothing duplicated.
# All run at once. Every kernel object is removed at the end, also on Ctrl-C.
# Usage: demo/demo.sh BUILD_DIR     (env: DEMO_ITEMS, default 100000; DEMO_WORKERS, default 3)
set -euo pipefail
B=${1:?usage: demo.sh BUILD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
ITEMS=${DEMO_ITEMS:-100000}
WORKERS=${DEMO_WORKERS:-3}
(( WORKERS >= 1 && WORKERS <= 7 )) || { echo "DEMO_WORKERS must be 1..7" >&2; exit 2; }
PY=/usr/bin/python3
export PYTHONPATH=$B/bindings/python/lib${PYTHONPATH:+:$PYTHONPATH}
export RUBYLIB=$B/bindings/ruby/lib:$HERE/../bindings/ruby/lib${RUBYLIB:+:$RUBYLIB}
export PERL5LIB=$B/bindings/perl/lib${PERL5LIB:+:$PERL5LIB}

ipc_objects() { cat /proc/sysvipc/sem /proc/sysvipc/shm /proc/sysvipc/msg | grep -cv '^ *key' || true; }

baseline=$(ipc_objects)
read -r MQ SHM SEM < <($PY "$HERE/producer.py" create "$ITEMS" "$WORKERS")
echo "Python created: message queue key=$MQ, shared memory key=$SHM, semaphore key=$SEM"

pids=()
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    # Removing the objects wakes anyone blocked on them (ExistentialError).
    ipcrm -Q "$MQ" -M "$SHM" -S "$SEM" 2>/dev/null || true
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    local left=$(( $(ipc_objects) - baseline ))
    echo "cleanup: removed the queue, the segment and the semaphore; System V objects left: $left"
    if ((left != 0)); then rc=1; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'echo; echo "interrupted"; exit 130' INT TERM

for ((w = 0; w < WORKERS; w++)); do
    ruby "$HERE/worker.rb" "$MQ" "$SHM" "$SEM" "$w" & pids+=($!)
done
echo "Ruby:   $WORKERS workers started"
perl "$HERE/reporter.pl" "$SHM" "$SEM" "$ITEMS" "$WORKERS" & reporter=$!; pids+=($reporter)
echo "Perl:   reporter started"
echo "Python: producing $ITEMS work items"
$PY "$HERE/producer.py" produce "$MQ" "$SHM" "$SEM" "$ITEMS" "$WORKERS" & pids+=($!)

# Wait for all of them; if any fails, stop the others (the EXIT trap cleans up).
running=("${pids[@]}")
while ((${#running[@]})); do
    rc=0
    wait -n -p done "${running[@]}" || rc=$?
    running=("${running[@]/$done}")
    running=(${running[@]})
    if ((rc != 0)); then
        echo "FAILED: a demo process ($done) exited with status $rc; stopping the others" >&2
        exit 1
    fi
done
