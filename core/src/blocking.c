/*
 * blocking.c — the runner hook around syscalls that may block.
 */
#include "internal.h"

static pipc_blocking_runner g_runner; /* NULL: call fn directly */

void pipc_set_blocking_runner(pipc_blocking_runner runner) { g_runner = runner; }

double pipc__now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The step handed to the runner: one syscall, result and errno stored. */
static void step(void *ctx) {
    pipc_call_t *c = ctx;
    ssize_t rc;
    switch (c->kind) {
    case PIPC_CALL_SEMOP:
        rc = semop(c->id, c->ops, c->nops);
        break;
    case PIPC_CALL_SEMTIMEDOP:
        rc = semtimedop(c->id, c->ops, c->nops, c->timeout);
        break;
    case PIPC_CALL_MSGSND:
        rc = msgsnd(c->id, c->buf, c->size, c->flags);
        break;
    case PIPC_CALL_MSGRCV:
        rc = msgrcv(c->id, c->buf, c->size, c->type, c->flags);
        break;
    default:
        rc = -1;
        errno = EINVAL;
        break;
    }
    c->rc = rc;
    c->err = rc < 0 ? errno : 0;
}

/* Largest semop that gets the no-wait try (its flags are saved on the stack). */
enum { TRY_MAX_OPS = 8 };

/* The no-wait try of a call that may block (see pipc_set_blocking_runner):
 * returns true when it settled the call (success, or an error the waiting
 * call would report the same way), false when the call would have to wait. */
static bool try_without_waiting(pipc_call_t *call) {
    short saved[TRY_MAX_OPS];
    int hint = __atomic_load_n(call->wait_hint, __ATOMIC_RELAXED);
    if (hint > 0) { /* waited recently: skip the try */
        __atomic_store_n(call->wait_hint, hint - 1, __ATOMIC_RELAXED);
        return false;
    }
    switch (call->kind) {
    case PIPC_CALL_SEMOP:
    case PIPC_CALL_SEMTIMEDOP:
        if (call->nops > TRY_MAX_OPS) return false;
        for (size_t i = 0; i < call->nops; i++) {
            saved[i] = call->ops[i].sem_flg;
            call->ops[i].sem_flg |= IPC_NOWAIT;
        }
        step(call);
        for (size_t i = 0; i < call->nops; i++) call->ops[i].sem_flg = saved[i];
        break;
    case PIPC_CALL_MSGRCV:
        call->flags |= IPC_NOWAIT;
        step(call);
        call->flags &= ~IPC_NOWAIT;
        break;
    default:
        return false;
    }
    if (call->rc >= 0 || (call->err != EAGAIN && call->err != ENOMSG)) return true;
    __atomic_store_n(call->wait_hint, PIPC_WAIT_HINT_SKIP, __ATOMIC_RELAXED);
    return false;
}

ssize_t pipc__call(pipc_call_t *call, bool may_block) {
    pipc_blocking_runner runner = g_runner;
    if (may_block && runner != NULL) {
        if (call->wait_hint != NULL && try_without_waiting(call)) return call->rc;
        /* Pre-initialised to "interrupted": a runner that skips the step (an
         * interrupt is pending) makes the call report PIPC_E_INTERRUPTED. */
        call->rc = -1;
        call->err = EINTR;
        runner(step, call);
    } else {
        step(call);
    }
    return call->rc;
}
