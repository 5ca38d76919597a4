/*
 * polyipc/sys/binding.h — what a language binding of libpolyipc needs beyond
 * the user API of polyipc.h (libgit2's git2/sys/ pattern): recording the
 * binding's own argument errors in the core's taxonomy, the blocking runner
 * that releases an interpreter lock around waiting syscalls, the one
 * retry-after-signal loop, and the receive stack buffer size.
 *
 * A C program that only uses polyipc needs none of it.
 */
#ifndef POLYIPC_SYS_BINDING_H
#define POLYIPC_SYS_BINDING_H

#include "polyipc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ================================================================== */
/* Errors recorded by a binding                                        */
/* ================================================================== */

/* Records an error detail on this thread (printf-style message) and returns
 * `code`, so callers can write `return pipc_error_set(...)`. Bindings use it
 * for their own argument errors so those carry the same (kind, errno, message);
 * site is PIPC_SITE_NONE and subject PIPC_SUBJECT_NONE. */
PIPC_API int pipc_error_set(int code, int sys_errno, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Clears this thread's error detail (code PIPC_OK, errno 0, empty message,
 * site PIPC_SITE_NONE, subject PIPC_SUBJECT_NONE). */
PIPC_API void pipc_error_clear(void);

/* Makes *saved (a copy of *pipc_error_last() taken earlier on any thread)
 * this thread's error detail again, every field included: a binding that
 * cleans up after a failure (a call that may fail in turn) restores the
 * first failure before raising it. NULL does nothing. */
PIPC_API void pipc_error_restore(const pipc_error_t *saved);

/* ================================================================== */
/* Detaching under readers                                             */
/* ================================================================== */

/* Detaches `shm` while its address range stays readable, for a binding whose
 * users may still hold pointers into the attachment (Perl's views): the
 * attachment is replaced in one step (mmap with MAP_FIXED, the range is never
 * unmapped in between) by a private read-only mapping of zeros, `*len` bytes
 * (the size rounded up to whole pages) at `*address`. The kernel detaches the
 * segment (its attach count drops); the handle is detached as by
 * pipc_shm_detach. The caller owns the placeholder and releases it with
 * pipc_shm_placeholder_release once no reader is left. Returns PIPC_OK, or
 * < 0 with the attachment unchanged: PIPC_E_NOT_ATTACHED, or the mapping's
 * failure (e.g. huge pages whose size does not divide the length). */
PIPC_API int pipc_shm_detach_to_placeholder(pipc_shm_t *shm, void **address, size_t *len);

/* Unmaps a placeholder made by pipc_shm_detach_to_placeholder. */
PIPC_API void pipc_shm_placeholder_release(void *address, size_t len);

/* ================================================================== */
/* Blocking runner                                                     */
/* ================================================================== */

/* A blocking step; the core passes its own context. */
typedef void (*pipc_blocking_fn)(void *ctx);
/* A runner must call fn(ctx) at most once, typically after releasing its
 * interpreter lock, and return after fn returns. It MAY skip the call (e.g.
 * an interrupt is already pending): the core then reports PIPC_E_INTERRUPTED. */
typedef void (*pipc_blocking_runner)(pipc_blocking_fn fn, void *ctx);

/* Installs the process-wide runner used around every syscall that can block
 * (semop without IPC_NOWAIT, semtimedop, msgsnd/msgrcv without IPC_NOWAIT).
 * A blocking msgsnd first tries once without waiting (no runner); only when
 * the queue is full does the waiting msgsnd go through the runner. Calls that
 * cannot block (IPC_NOWAIT, timeout 0, block == false, release) never do.
 * With a runner installed, a semop or msgrcv that may block is first tried
 * once with IPC_NOWAIT, without the runner: when it does not have to wait (an
 * uncontended acquire, a message already queued) the interpreter lock is
 * never released, which costs more than the rest of the call. When the try
 * finds it would wait, the call goes through the runner as usual, and the
 * next PIPC_WAIT_HINT_SKIP blocking calls on the same handle skip the try
 * (a handle that usually waits, e.g. a hand-off between processes, pays one
 * failing syscall per PIPC_WAIT_HINT_SKIP waits). The results are the same
 * either way: the kernel applies an operation at once whenever it can.
 * NULL restores the default (call fn directly). Not thread-safe against
 * concurrent polyipc calls: install it once, at module load. */
#define PIPC_WAIT_HINT_SKIP 64
PIPC_API void pipc_set_blocking_runner(pipc_blocking_runner runner);

/* The one retry-after-signal loop of every binding: runs `call` (an
 * expression giving a core status) and stores its status in `rc`; while that
 * is PIPC_E_INTERRUPTED (a signal arrived while waiting), runs `on_signal`
 * (a statement: the language runs its signal handlers, and leaves the loop
 * by raising, returning or jumping when a handler raised) and calls again.
 * Blocking core calls update their timeout in place, so a retry waits only
 * for what is left of it. */
#define PIPC_RETRY_INTERRUPTED(rc, call, on_signal)                                                \
    while (((rc) = (call)) == PIPC_E_INTERRUPTED) {                                                \
        on_signal;                                                                                 \
    }

/* ================================================================== */
/* Message buffers                                                     */
/* ================================================================== */

/* Messages up to this many bytes (msgmax's default) are built or received in
 * a stack buffer, by the core's send and by the bindings' receive; larger
 * ones in heap memory. */
#define PIPC_MSG_STACK_TEXT 8192

#ifdef __cplusplus
}
#endif

#endif /* POLYIPC_SYS_BINDING_H */
