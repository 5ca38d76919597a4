/*
 * blocking.c — the runner hook around syscalls that may block.
 */
#include "internal.h"

pipc_blocking_runner pipc__runner; /* NULL: call fn directly */

void pipc_set_blocking_runner(pipc_blocking_runner runner) { pipc__runner = runner; }

/* The step handed to the runner (pipc__call in internal.h is inlined into
 * each caller, so the direct path has no call, switch or return chain). */
void pipc__step(void *ctx) { pipc__do_step(ctx); }

double pipc__now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

