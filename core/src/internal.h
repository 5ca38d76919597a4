/*
 * internal.h — private declarations shared by the core's translation units.
 * Never installed, never included by a binding.
 */
#ifndef POLYIPC_INTERNAL_H
#define POLYIPC_INTERNAL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* semtimedop, MSG_EXCEPT, MSG_COPY, strerrorname_np */
#endif

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/types.h>
#include <time.h>

#include "polyipc/sys/binding.h" /* includes polyipc.h */

/* ---- the public constants equal the system ones ---------------------- */
_Static_assert(PIPC_IPC_CREAT == IPC_CREAT, "IPC_CREAT");
_Static_assert(PIPC_IPC_EXCL == IPC_EXCL, "IPC_EXCL");
_Static_assert(PIPC_IPC_NOWAIT == IPC_NOWAIT, "IPC_NOWAIT");
_Static_assert(PIPC_IPC_PRIVATE == IPC_PRIVATE, "IPC_PRIVATE");
_Static_assert(PIPC_SEM_UNDO == SEM_UNDO, "SEM_UNDO");
_Static_assert(PIPC_SHM_RDONLY == SHM_RDONLY, "SHM_RDONLY");
_Static_assert(PIPC_SHM_RND == SHM_RND, "SHM_RND");
_Static_assert(PIPC_SHM_REMAP == SHM_REMAP, "SHM_REMAP");
_Static_assert(PIPC_SHM_HUGETLB == SHM_HUGETLB, "SHM_HUGETLB");
_Static_assert(PIPC_SHM_NORESERVE == SHM_NORESERVE, "SHM_NORESERVE");
_Static_assert(PIPC_MSG_NOERROR == MSG_NOERROR, "MSG_NOERROR");
_Static_assert(PIPC_MSG_EXCEPT == MSG_EXCEPT, "MSG_EXCEPT");
_Static_assert(PIPC_MSG_COPY == MSG_COPY, "MSG_COPY");
_Static_assert(sizeof(key_t) == sizeof(int32_t), "key_t is 32-bit");
_Static_assert(PIPC_SEMVMX <= SHRT_MAX, "SEMVMX fits a short");
_Static_assert(offsetof(pipc_msgbuf_t, text) == sizeof(long), "msgbuf layout");

/* Permission bits of a mode. */
#define PIPC_MODE_MASK 0777

/* ---- errors ---------------------------------------------------------- */

/* The operation whose errno is being interpreted; errno means different
 * things for different syscalls (see error.c, the only place that reads it). */
typedef enum pipc_ctx_e {
    PIPC_CTX_SEMGET,
    PIPC_CTX_SEMOP,      /* semop, maybe with IPC_NOWAIT */
    PIPC_CTX_SEMTIMEDOP, /* semtimedop: EAGAIN means the timeout expired */
    PIPC_CTX_SEMCTL,
    PIPC_CTX_SEMCTL_SET, /* IPC_SET: EINVAL is re-diagnosed (uid/gid vs. gone) */
    PIPC_CTX_SHMGET,
    PIPC_CTX_SHMAT, /* EINVAL is re-diagnosed (address vs. gone) */
    PIPC_CTX_SHMDT,
    PIPC_CTX_SHMCTL,
    PIPC_CTX_SHMCTL_SET,
    PIPC_CTX_MSGGET,
    PIPC_CTX_MSGSND, /* EINVAL/EAGAIN re-diagnosed against msgmax/msg_qbytes */
    PIPC_CTX_MSGRCV,
    PIPC_CTX_MSGRCV_COPY, /* msgrcv with MSG_COPY */
    PIPC_CTX_MSGCTL,
    PIPC_CTX_MSGCTL_SET,
    PIPC_CTX_FTOK,
    PIPC_CTX_OTHER
} pipc_ctx_e;

/* Interprets `err` (an errno value) for operation `ctx` about `subject` (the
 * key for PIPC_CTX_*GET, else the object's id; PIPC_SUBJECT_NONE when none;
 * `len` is the message length for PIPC_CTX_MSGSND), records
 * (kind, err, "<what>: <why> (<ERRNO>)") where <what> is the printf-formatted
 * description of the attempted call, with site and subject (pipc_error_t),
 * and returns the kind. May issue an IPC_STAT on the id to tell "argument
 * refused" from "object gone"; errno is preserved for the caller either way. */
int pipc__sys_error(pipc_ctx_e ctx, int64_t subject, size_t len, int err, const char *what_fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* Records `site` (a pipc_site_e) for the error just recorded; returns rc. */
int pipc__at(int site, int rc);

/* Records `subject` (pipc_error_t.subject) for the error just recorded;
 * returns rc. */
int pipc__about(int64_t subject, int rc);

/* Shorthand for an INVALID_ARGUMENT with a message. */
#define pipc__invalid(...) pipc_error_set(PIPC_E_INVALID_ARGUMENT, 0, __VA_ARGS__)

/* ---- argument checks (return PIPC_OK or record INVALID_ARGUMENT) ----- */

/* Checks key / flags for an open call: key in key_t range or PIPC_KEY_RANDOM
 * (with IPC_CREX); flags only within `allowed` (plus permission bits, which
 * are ignored); IPC_EXCL needs IPC_CREAT. `what` names the call. */
int pipc__check_open(const char *what, int64_t key, int64_t flags, int64_t allowed, int64_t mode);

/* Checks a kernel id (0..INT_MAX). */
int pipc__check_id(const char *what, int64_t id);

/* Checks uid/gid/mode arguments of a set_perm call. */
int pipc__check_perm_args(const char *what, int64_t uid, int64_t gid, int64_t mode);

/* Draws a random key in [PIPC_RANDOM_KEY_MIN, PIPC_RANDOM_KEY_MAX]. */
key_t pipc__random_key(void);

/* The generic "get" step shared by the three open calls:
 *   get(key, arg, flags) is semget/shmget/msgget (arg is nsems or size).
 * Handles PIPC_KEY_RANDOM (bounded retries on EEXIST), IPC_PRIVATE (always
 * creates) and IPC_CREAT without IPC_EXCL (tells reliably whether this call
 * created the object: IPC_CREX first, then a plain open; bounded retries
 * against a concurrent remove). `create_arg` is used when creating, `open_arg`
 * when opening an existing object. Records the error and returns it, or
 * PIPC_OK with *id_out, *key_out and *created set. */
typedef int (*pipc_get_fn)(key_t key, size_t arg, int flags);
int pipc__get(pipc_ctx_e ctx, const char *what, pipc_get_fn get, int64_t key, size_t create_arg,
              size_t open_arg, int64_t flags, int64_t mode, int *id_out, int32_t *key_out,
              bool *created);

/* Copies a struct ipc_perm into the public form. */
void pipc__perm_from(pipc_perm_t *out, const struct ipc_perm *in);

/* Sets uid, gid and mode (permission bits) of `perm`, each unless PIPC_KEEP;
 * the values were checked by pipc__check_perm_args. */
void pipc__perm_apply(struct ipc_perm *perm, int64_t uid, int64_t gid, int64_t mode);

/* ---- blocking calls -------------------------------------------------- */

typedef enum pipc_call_kind_e {
    PIPC_CALL_SEMOP,
    PIPC_CALL_SEMTIMEDOP,
    PIPC_CALL_MSGSND,
    PIPC_CALL_MSGRCV
} pipc_call_kind_e;

/* One syscall that may block. pipc__call() pre-initialises rc=-1/err=EINTR,
 * so a runner that skips the step yields EINTR, i.e. PIPC_E_INTERRUPTED. */
typedef struct pipc_call_t {
    pipc_call_kind_e kind;
    int id;
    struct sembuf *ops; /* semop/semtimedop */
    size_t nops;
    const struct timespec *timeout; /* semtimedop */
    void *buf;                      /* msgsnd/msgrcv: a struct msgbuf */
    size_t size;                    /* msgsnd/msgrcv: text size */
    long type;                      /* msgrcv */
    int flags;                      /* msgsnd/msgrcv */
    int *wait_hint;                 /* the handle's, for the no-wait try (NULL: no try) */
    ssize_t rc;                     /* result of the syscall */
    int err;                        /* its errno (0 on success) */
} pipc_call_t;

/* The installed runner (blocking.c) and the step it is handed. */
extern pipc_blocking_runner pipc__runner;
void pipc__step(void *ctx);

/* One syscall, result and errno stored. */
__attribute__((always_inline)) static inline void pipc__do_step(pipc_call_t *c) {
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
enum { PIPC_TRY_MAX_OPS = 8 };

/* The no-wait try of a call that may block (see pipc_set_blocking_runner):
 * returns true when it settled the call (success, or an error the waiting
 * call would report the same way), false when the call would have to wait. */
__attribute__((always_inline)) static inline bool pipc__try_without_waiting(pipc_call_t *call) {
    short saved[PIPC_TRY_MAX_OPS];
    int hint = __atomic_load_n(call->wait_hint, __ATOMIC_RELAXED);
    if (hint > 0) { /* waited recently: skip the try */
        __atomic_store_n(call->wait_hint, hint - 1, __ATOMIC_RELAXED);
        return false;
    }
    switch (call->kind) {
    case PIPC_CALL_SEMOP:
    case PIPC_CALL_SEMTIMEDOP:
        if (call->nops > PIPC_TRY_MAX_OPS) return false;
        for (size_t i = 0; i < call->nops; i++) {
            saved[i] = call->ops[i].sem_flg;
            call->ops[i].sem_flg |= IPC_NOWAIT;
        }
        pipc__do_step(call);
        for (size_t i = 0; i < call->nops; i++) call->ops[i].sem_flg = saved[i];
        break;
    case PIPC_CALL_MSGRCV:
        call->flags |= IPC_NOWAIT;
        pipc__do_step(call);
        call->flags &= ~IPC_NOWAIT;
        break;
    default:
        return false;
    }
    if (call->rc >= 0 || (call->err != EAGAIN && call->err != ENOMSG)) return true;
    __atomic_store_n(call->wait_hint, PIPC_WAIT_HINT_SKIP, __ATOMIC_RELAXED);
    return false;
}

/* pipc__call performs the call. When `may_block`, it goes through the
 * installed runner (after the no-wait try described at
 * pipc_set_blocking_runner, when call->wait_hint is set); otherwise it is
 * made directly. Returns call->rc (errno in call->err). Inline: the kind is a
 * constant at every call site, so the switch folds away. */
__attribute__((always_inline)) static inline ssize_t pipc__call(pipc_call_t *call, bool may_block) {
    pipc_blocking_runner runner = pipc__runner;
    if (may_block && runner != NULL) {
        if (call->wait_hint != NULL && pipc__try_without_waiting(call)) return call->rc;
        /* Pre-initialised to "interrupted": a runner that skips the step (an
         * interrupt is pending) makes the call report PIPC_E_INTERRUPTED. */
        call->rc = -1;
        call->err = EINTR;
        runner(pipc__step, call);
    } else {
        pipc__do_step(call);
    }
    return call->rc;
}

/* ---- inspector ------------------------------------------------------- */

struct pipc_objects_t;
/* Fills the processes attaching each segment of *objs from /proc/<pid>/maps
 * (procfs.c); PIPC_E_NO_MEMORY on allocation failure, unreadable entries are
 * skipped. */
int pipc__scan_attached(struct pipc_objects_t *objs);

/* CLOCK_MONOTONIC seconds. */
double pipc__now(void);

#endif /* POLYIPC_INTERNAL_H */
