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

ssize_t pipc__call(pipc_call_t *call, bool may_block) {
    /* Pre-initialised to "interrupted": a runner that skips the step (an
     * interrupt is pending) makes the call report PIPC_E_INTERRUPTED. */
    call->rc = -1;
    call->err = EINTR;
    pipc_blocking_runner runner = g_runner;
    if (may_block && runner != NULL)
        runner(step, call);
    else
        step(call);
    return call->rc;
}
