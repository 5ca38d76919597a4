/*
 * polyipc.h — the one public header of libpolyipc, the C core of polyipc.
 *
 * System V semaphore sets, shared memory segments and message queues, with one
 * error taxonomy shared by every language binding.
 *
 * Conventions (libgit2 style):
 *   - Every fallible function returns an int status: PIPC_OK (0) or a negative
 *     PIPC_E_* kind from the table below.
 *   - On failure the detail (kind, errno, message) is left in thread-local
 *     storage; read it with pipc_error_last() before the next polyipc call on
 *     the same thread.
 *   - Numbers that come from a user (keys, sizes, offsets, deltas, modes ...)
 *     are taken as int64_t and range-checked here, so that every binding only
 *     has to turn "a language integer" into an int64_t. Nothing is ever silently
 *     truncated.
 *   - Handles (pipc_sem_t, pipc_shm_t, pipc_msg_t) are plain structs owned by the
 *     caller. They hold no heap memory; a mapped segment is the only resource
 *     (released by pipc_shm_detach). Kernel objects are never removed implicitly.
 *   - Blocking syscalls (semop/semtimedop, msgsnd, msgrcv) make ONE attempt and
 *     go through the blocking runner (see pipc_set_blocking_runner); EINTR is
 *     reported as PIPC_E_INTERRUPTED so a binding can run its signal handlers
 *     and call again.
 *
 * No interpreter header is ever included by the core.
 *
 * This header is the user API. What only a language binding needs (recording
 * its own errors, the blocking runner, the retry-after-signal loop, buffer
 * sizes) is in <polyipc/sys/binding.h>, as libgit2's git2/sys/ headers.
 */
#ifndef POLYIPC_H
#define POLYIPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* PIPC_VERSION ("major.minor.patch") and PIPC_VERSION_MAJOR/_MINOR/_PATCH. */
#include "polyipc_version.h"

/* PIPC_API marks every public function. The core is compiled with
 * -fvisibility=hidden; the build of the shared library (and only it) defines
 * PIPC_BUILD_SHARED, so that these functions, and nothing else, are exported
 * from libpolyipc.so. Everywhere else (users, the static libraries, the
 * language modules) it expands to nothing. */
#if defined(PIPC_BUILD_SHARED) && defined(__GNUC__)
#define PIPC_API __attribute__((visibility("default")))
#else
#define PIPC_API
#endif

/* ================================================================== */
/* Error taxonomy: the ONE definition.                                 */
/* ================================================================== */
/*
 * X(code, ENUM, ClassName, python_base, ruby_base, summary)
 *
 * Every language builds its exception classes from this table:
 *   - ClassName is the class name in Python, Ruby and Perl (all inherit
 *     from the language's polyipc "Error" base class).
 *   - python_base is the built-in exception class(es) the Python class ALSO
 *     derives from (for sysv_ipc compatibility): one name, two names joined
 *     by '_' (e.g. ValueError_OverflowError), or `none`.
 *   - ruby_base is the built-in Ruby class the Ruby class derives from
 *     (PolyIPC::Error is then mixed in as a tag module where it is not
 *     StandardError).
 * The core never uses the last three columns; they are tokens, not headers.
 */
#define PIPC_ERROR_TABLE(X)                                                                        \
    X(-1, EXISTENTIAL, ExistentialError, none, StandardError,                                      \
      "the object does not exist, already exists, or was removed")                                \
    X(-2, PERMISSIONS, PermissionsError, none, StandardError,                                      \
      "the caller lacks the permission (EACCES, EPERM)")                                            \
    X(-3, BUSY, BusyError, none, StandardError,                                                    \
      "the call would block, or its timeout expired")                                               \
    X(-4, NOT_ATTACHED, NotAttachedError, none, StandardError,                                     \
      "a shared-memory operation on a segment that is not attached")                              \
    X(-5, INTERNAL, InternalError, none, StandardError, "a state that should be impossible")        \
    X(-6, INVALID_ARGUMENT, InvalidArgumentError, ValueError_OverflowError, ArgumentError,         \
      "an argument is out of range or not allowed here")                                           \
    X(-7, WRONG_TYPE, WrongTypeError, TypeError, TypeError,                                        \
      "an argument has the wrong type (raised by bindings)")                                       \
    X(-8, MESSAGE_SIZE, MessageSizeError, ValueError_OSError, ArgumentError,                       \
      "a message is larger than the queue or the receive buffer allows")                          \
    X(-9, LIMIT, LimitError, OSError, StandardError,                                               \
      "a kernel limit was reached (ENOSPC); the message names the sysctl")                         \
    X(-10, NO_MEMORY, OutOfMemoryError, MemoryError, StandardError,                                \
      "the kernel or the process is out of memory (ENOMEM)")                                       \
    X(-11, READ_ONLY, ReadOnlyError, OSError, StandardError,                                       \
      "a write to a segment attached read-only")                                                   \
    X(-12, SYSCALL, SyscallError, OSError, StandardError,                                          \
      "a system call failed for a reason not listed above (e.g. ftok on a missing path)")         \
    X(-13, INTERRUPTED, InterruptError, InterruptedError, StandardError,                           \
      "a blocking call was interrupted by a signal (bindings retry after running handlers)")

/* Number of error kinds in PIPC_ERROR_TABLE (counted from the table). */
#define PIPC_X_PLUS_ONE(code, ENUM, Name, py, rb, doc) +1
#define PIPC_ERROR_KIND_COUNT (0 PIPC_ERROR_TABLE(PIPC_X_PLUS_ONE))

/* Status codes. PIPC_OK is success; every PIPC_E_* is negative. */
typedef enum pipc_status_e {
    PIPC_OK = 0,
#define PIPC_X_ENUM(code, ENUM, Name, py, rb, doc) PIPC_E_##ENUM = code,
    PIPC_ERROR_TABLE(PIPC_X_ENUM)
#undef PIPC_X_ENUM
    PIPC_E_LAST = -PIPC_ERROR_KIND_COUNT /* the codes are -1 .. -PIPC_ERROR_KIND_COUNT */
} pipc_status_e;

/* Where a failure was detected (pipc_error_t.site): the system call that
 * failed, or one of the argument checks below, so that a binding can word a
 * situation its own way (the Python module uses sysv_ipc's texts) without
 * parsing the message. Stable values; most failures are PIPC_SITE_NONE. */
typedef enum pipc_site_e {
    PIPC_SITE_NONE = 0, /* any other check */
    /* system calls (with pipc_error_t.sys_errno) */
    PIPC_SITE_SEMGET = 1,
    PIPC_SITE_SEMOP = 2, /* semop or semtimedop */
    PIPC_SITE_SEMCTL = 3, /* semctl, except IPC_SET */
    PIPC_SITE_SHMGET = 4,
    PIPC_SITE_SHMAT = 5,
    PIPC_SITE_SHMDT = 6,
    PIPC_SITE_SHMCTL = 7, /* shmctl, except IPC_SET */
    PIPC_SITE_MSGGET = 8,
    PIPC_SITE_MSGSND = 9,
    PIPC_SITE_MSGRCV = 10, /* without MSG_COPY */
    PIPC_SITE_MSGCTL = 11, /* msgctl, except IPC_SET */
    PIPC_SITE_FTOK = 12,
    PIPC_SITE_OTHER = 13, /* msgrcv with MSG_COPY, or another call */
    PIPC_SITE_SEMCTL_SET = 14, /* semctl IPC_SET */
    PIPC_SITE_SHMCTL_SET = 15, /* shmctl IPC_SET */
    PIPC_SITE_MSGCTL_SET = 16, /* msgctl IPC_SET */
    /* argument and state checks */
    PIPC_SITE_EXCL_WITHOUT_CREAT = 32, /* IPC_EXCL without IPC_CREAT */
    PIPC_SITE_RANDOM_KEY_FLAGS = 33,   /* a random key without IPC_CREAT | IPC_EXCL */
    PIPC_SITE_DELTA_ZERO = 34,         /* a semaphore delta of 0 */
    PIPC_SITE_MSG_TYPE = 35,           /* a message type below 1 */
    PIPC_SITE_MSG_TOO_LONG = 36,       /* a message longer than max_message_size */
    PIPC_SITE_READ_NOT_ATTACHED = 37,  /* read of a detached segment */
    PIPC_SITE_WRITE_NOT_ATTACHED = 38, /* write to a detached segment */
    PIPC_SITE_WRITE_READ_ONLY = 39,    /* write to a segment attached SHM_RDONLY */
    PIPC_SITE_READ_COUNT = 40,         /* a negative byte count */
    PIPC_SITE_READ_OFFSET = 41,        /* a read offset outside the segment */
    PIPC_SITE_WRITE_RANGE = 42         /* a write offset or length outside the segment */
} pipc_site_e;

/* pipc_error_t.subject when the failure is about no one number. No key, id
 * or size can take this value. */
#define PIPC_SUBJECT_NONE INT64_MIN

/* The detail of the last failure on this thread.
 *
 * `subject` is the number the failure is about, so that a caller (or a
 * binding wording the error its own way) need not parse `message`:
 *   - a failed semget/shmget/msgget (site PIPC_SITE_*GET): the key asked for
 *     (the random key drawn, for PIPC_KEY_RANDOM; 0 for IPC_PRIVATE);
 *   - every other failed system call on an object (the other syscall sites
 *     and PIPC_SITE_OTHER): the object's id;
 *   - PIPC_SITE_MSG_TOO_LONG: the queue's max_message_size, the limit the
 *     message exceeded;
 *   - anything else (PIPC_SITE_FTOK, the other checks, PIPC_SITE_NONE, and
 *     every error recorded with pipc_error_set): PIPC_SUBJECT_NONE.
 * So the site tells what the number is. Members: the kind first, then the
 * numbers, then the text; the layout is part of the ABI of a major version. */
typedef struct pipc_error_t {
    int code;          /* a PIPC_E_* value, or PIPC_OK if nothing failed yet */
    int sys_errno;     /* the errno of the failing syscall, 0 when none */
    int site;          /* where it was detected: a pipc_site_e */
    int64_t subject;   /* the key, id or limit it is about, or PIPC_SUBJECT_NONE */
    char message[256]; /* what was attempted and why it failed (NUL-terminated) */
} pipc_error_t;

/* Returns this thread's last error detail. Never NULL; the storage is
 * thread-local and owned by the core; valid until the next failing call. */
PIPC_API const pipc_error_t *pipc_error_last(void);

/* Returns the class name of an error code ("BusyError"), or NULL for a code
 * that is not in the table (including PIPC_OK). Static storage. */
PIPC_API const char *pipc_error_name(int code);

/* Returns the one-line summary of an error code, or NULL if unknown. */
PIPC_API const char *pipc_error_summary(int code);


/* ================================================================== */
/* Constants (values equal the Linux ones; checked at compile time).   */
/* ================================================================== */
#define PIPC_IPC_CREAT 001000
#define PIPC_IPC_EXCL 002000
#define PIPC_IPC_CREX (PIPC_IPC_CREAT | PIPC_IPC_EXCL)
#define PIPC_IPC_NOWAIT 004000
#define PIPC_IPC_PRIVATE 0
#define PIPC_SEM_UNDO 0x1000
#define PIPC_SHM_RDONLY 010000
#define PIPC_SHM_RND 020000
#define PIPC_SHM_REMAP 040000
#define PIPC_SHM_HUGETLB 04000
#define PIPC_SHM_NORESERVE 010000
#define PIPC_MSG_NOERROR 010000
#define PIPC_MSG_EXCEPT 020000
#define PIPC_MSG_COPY 040000
#define PIPC_KEY_MIN INT32_MIN /* key_t is a 32-bit int on Linux */
#define PIPC_KEY_MAX INT32_MAX
#define PIPC_SEMVMX 32767      /* the kernel's maximum semaphore value */

/* Key sentinel: "pick an unused random key" (requires IPC_CREAT|IPC_EXCL).
 * Random keys are drawn from [PIPC_RANDOM_KEY_MIN, PIPC_RANDOM_KEY_MAX]. */
#define PIPC_KEY_RANDOM INT64_MIN
#define PIPC_RANDOM_KEY_MIN 1
#define PIPC_RANDOM_KEY_MAX 32766
/* How many random keys are tried before giving up with PIPC_E_EXISTENTIAL. */
#define PIPC_RANDOM_KEY_TRIES 1000

/* Sentinel for pipc_*_set_perm: leave this field unchanged. */
#define PIPC_KEEP INT64_MIN

/* Returns the page size of this machine (sysconf, read once). */
PIPC_API long pipc_page_size(void);

/* Returns the library version string, PIPC_VERSION. Static storage. */
PIPC_API const char *pipc_version(void);

/* ================================================================== */
/* Keys                                                                */
/* ================================================================== */

/* Checks that `key` fits key_t. PIPC_OK, or PIPC_E_INVALID_ARGUMENT. */
PIPC_API int pipc_key_check(int64_t key);

/* ftok(3): derives a key from an existing path and a project id (only its
 * low 8 bits are used by ftok; ids outside 0..255 are PIPC_E_INVALID_ARGUMENT,
 * 0 is allowed but discouraged by ftok(3)). On success stores the key in
 * *key_out. Fails with PIPC_E_SYSCALL (errno ENOENT, EACCES ...) when the path
 * cannot be stat'ed. */
PIPC_API int pipc_ftok(const char *path, int64_t proj_id, int32_t *key_out);


/* Seconds value meaning "wait forever" for timeouts. */
#define PIPC_FOREVER (__builtin_inf())

/* ================================================================== */
/* Common stat data                                                    */
/* ================================================================== */

/* Ownership and permissions of an IPC object (struct ipc_perm). */
typedef struct pipc_perm_t {
    int32_t key;
    uint32_t uid, gid;   /* owner */
    uint32_t cuid, cgid; /* creator */
    uint32_t mode;       /* the low 9 bits are the permissions */
} pipc_perm_t;

/* ================================================================== */
/* Semaphore sets                                                      */
/* ================================================================== */

/* A handle to a semaphore set. A single semaphore is a set of one. */
typedef struct pipc_sem_t {
    int32_t key;  /* the key it was opened with (IPC_PRIVATE = 0) */
    int id;       /* the kernel id */
    int nsems;    /* number of semaphores in the set */
    bool created; /* true when the open call created the set */
    bool block;   /* false adds IPC_NOWAIT to acquire/wait_zero (default true) */
    bool undo;    /* true adds SEM_UNDO to acquire/release (default false) */
    int wait_hint; /* private to the core: see pipc_set_blocking_runner (0 when opened) */
} pipc_sem_t;

/* One operation of an atomic multi-operation call (struct sembuf, range-checked). */
typedef struct pipc_sem_op_t {
    int64_t index; /* 0 .. nsems-1 */
    int64_t delta; /* -32768 .. 32767; <0 acquire, >0 release, 0 wait for zero */
    int64_t flags; /* IPC_NOWAIT and/or SEM_UNDO */
} pipc_sem_op_t;

/* Semaphore set status (IPC_STAT). */
typedef struct pipc_sem_info_t {
    pipc_perm_t perm;
    int nsems;
    int64_t o_time; /* last semop time, 0 if never */
    int64_t c_time; /* last change time */
} pipc_sem_info_t;

/* Opens or creates a semaphore set and fills *sem.
 * key: a key_t value, IPC_PRIVATE, or PIPC_KEY_RANDOM (needs IPC_CREX).
 * nsems: 1..SEMMSL (0 allowed when opening an existing set without IPC_CREAT).
 * flags: IPC_CREAT, IPC_EXCL (IPC_EXCL without IPC_CREAT is invalid). For
 * every open call, permission bits (0777) in flags are ignored and other
 * unknown bits are INVALID_ARGUMENT; `mode` is passed to the kernel also when
 * opening an existing object (as sysv_ipc does), so it is checked against it.
 * mode: masked to 0777. initial_value: 0..SEMVMX, applied (SETVAL/SETALL)
 * to every semaphore ONLY when this call created the set; if applying it
 * fails the new set is removed again. Fails with EXISTENTIAL (no such key,
 * or IPC_EXCL and it exists), PERMISSIONS, LIMIT, INVALID_ARGUMENT. */
PIPC_API int pipc_sem_open(pipc_sem_t *sem, int64_t key, int64_t nsems, int64_t flags, int64_t mode,
                           int64_t initial_value);

/* Fills *sem for an existing set known by id (IPC_STAT to learn key and
 * nsems). EXISTENTIAL when no such id. */
PIPC_API int pipc_sem_open_id(pipc_sem_t *sem, int64_t id);

/* Applies `nops` operations atomically (semop / semtimedop).
 * timeout: in/out seconds; NULL or PIPC_FOREVER waits forever, 0 is one try
 * (IPC_NOWAIT). On PIPC_E_INTERRUPTED *timeout is reduced by the time spent,
 * so calling again continues the same wait. Fails with BUSY (IPC_NOWAIT would
 * block, or timeout expired), EXISTENTIAL (set removed, also while waiting),
 * INVALID_ARGUMENT (index/delta/nops out of range, or a value would pass
 * SEMVMX), PERMISSIONS, INTERRUPTED, NO_MEMORY. */
PIPC_API int pipc_sem_op(const pipc_sem_t *sem, const pipc_sem_op_t *ops, size_t nops,
                         double *timeout);

/* Decrements semaphore `index` by `delta` (>= 1), waiting as needed.
 * sem->block == false adds IPC_NOWAIT (it wins over any timeout);
 * sem->undo adds SEM_UNDO. timeout as in pipc_sem_op. delta < 1 is
 * INVALID_ARGUMENT. Other failures as in pipc_sem_op. */
PIPC_API int pipc_sem_acquire(const pipc_sem_t *sem, int64_t index, int64_t delta, double *timeout);

/* Increments semaphore `index` by `delta` (>= 1); never blocks. A result past
 * SEMVMX is INVALID_ARGUMENT with "The semaphore's value must remain between
 * 0 and SEMVMX". sem->undo adds SEM_UNDO. */
PIPC_API int pipc_sem_release(const pipc_sem_t *sem, int64_t index, int64_t delta);

/* Waits until semaphore `index` is zero (sem->block and timeout as for acquire). */
PIPC_API int pipc_sem_wait_zero(const pipc_sem_t *sem, int64_t index, double *timeout);

/* GETVAL into *value. EXISTENTIAL after removal; INVALID_ARGUMENT bad index. */
PIPC_API int pipc_sem_get_value(const pipc_sem_t *sem, int64_t index, int *value);

/* SETVAL: value 0..SEMVMX else INVALID_ARGUMENT ("The semaphore's value must
 * remain between 0 and SEMVMX", as for every out-of-range value). */
PIPC_API int pipc_sem_set_value(const pipc_sem_t *sem, int64_t index, int64_t value);

/* GETALL into values[0..sem->nsems-1]; the caller provides the array, of
 * count >= the set's real size (checked with IPC_STAT first). */
PIPC_API int pipc_sem_get_all(const pipc_sem_t *sem, int *values, size_t count);

/* SETALL from values[0..count-1]; count must equal sem->nsems, each 0..SEMVMX. */
PIPC_API int pipc_sem_set_all(const pipc_sem_t *sem, const int64_t *values, size_t count);

/* GETPID: pid of the last process that operated on semaphore `index` (0 if none). */
PIPC_API int pipc_sem_get_pid(const pipc_sem_t *sem, int64_t index, int *pid);

/* GETNCNT: number of processes waiting for semaphore `index` to increase. */
PIPC_API int pipc_sem_get_ncount(const pipc_sem_t *sem, int64_t index, int *count);

/* GETZCNT: number of processes waiting for semaphore `index` to become zero. */
PIPC_API int pipc_sem_get_zcount(const pipc_sem_t *sem, int64_t index, int *count);

/* IPC_STAT into *info. EXISTENTIAL after removal, PERMISSIONS without read. */
PIPC_API int pipc_sem_stat(const pipc_sem_t *sem, pipc_sem_info_t *info);

/* IPC_SET of owner uid/gid and mode (PIPC_KEEP leaves a field as it is).
 * uid/gid must fit uid_t/gid_t (0..2^32-2); mode is masked to 0777.
 * PERMISSIONS unless the caller owns/created it or is privileged. */
PIPC_API int pipc_sem_set_perm(const pipc_sem_t *sem, int64_t uid, int64_t gid, int64_t mode);

/* IPC_RMID; wakes every waiter with EXISTENTIAL. */
PIPC_API int pipc_sem_remove(const pipc_sem_t *sem);

/* IPC_RMID by id, for code that has only the id. */
PIPC_API int pipc_sem_remove_id(int64_t id);

/* ================================================================== */
/* Shared memory                                                       */
/* ================================================================== */

/* A handle to a shared memory segment and (at most) one attachment of it. */
typedef struct pipc_shm_t {
    int32_t key;
    int id;
    bool created;   /* true when the open call created the segment */
    bool attached;  /* true between a successful attach and detach */
    bool read_only; /* the current attachment is SHM_RDONLY */
    void *address;  /* the attachment's address, NULL when detached */
    size_t size;    /* the segment's size in bytes, learned once (0 before) */
} pipc_shm_t;

/* Shared memory status (IPC_STAT). */
typedef struct pipc_shm_info_t {
    pipc_perm_t perm;
    uint64_t size;
    int64_t a_time, d_time, c_time; /* last attach, detach, change (0 if never) */
    int creator_pid, last_pid;
    uint64_t n_attached;
} pipc_shm_info_t;

/* Opens or creates a segment and fills *shm (not attached).
 * key: as for pipc_sem_open. size: bytes; 0 means PIPC page size whenever
 * this call creates the segment, and "whatever it is" when opening. Negative, or
 * larger than the kernel allows, is INVALID_ARGUMENT. flags: IPC_CREAT,
 * IPC_EXCL, SHM_HUGETLB, SHM_NORESERVE. mode: masked to 0777.
 * fill: -1 for none, else 0..255; a NEW segment is filled with it (the kernel
 * already zero-fills, so 0 costs nothing). If filling fails the new segment
 * is removed again. A SHM_HUGETLB | SHM_NORESERVE segment is populated first
 * (madvise MADV_POPULATE_WRITE), so an empty huge-page pool is NO_MEMORY
 * instead of SIGBUS (later writes to such a segment can still get SIGBUS:
 * that is what SHM_NORESERVE means for huge pages). */
PIPC_API int pipc_shm_open(pipc_shm_t *shm, int64_t key, int64_t size, int64_t flags, int64_t mode,
                           int64_t fill);

/* The fill byte of pipc_shm_open from a language's init_character: stores
 * the one byte of (bytes, len) in *fill and returns PIPC_OK. Any other length
 * (0, 2 ...) is WRONG_TYPE, as sysv_ipc's TypeError for a "byte string of
 * length 1"; bytes may be NULL when len is 0. Bindings call this after
 * turning their string/bytes object into bytes, so the rule is written once.
 * A NULL `fill` is INVALID_ARGUMENT. */
PIPC_API int pipc_shm_fill_byte(const void *bytes, size_t len, int64_t *fill);

/* Fills *shm for an existing segment known by id (IPC_STAT: real key and size). */
PIPC_API int pipc_shm_open_id(pipc_shm_t *shm, int64_t id);

/* Attaches the segment (shmat). address: 0 lets the kernel choose. flags:
 * SHM_RDONLY, SHM_RND, SHM_REMAP (SHM_REMAP needs an address; with SHM_RND a
 * non-zero address must not round down to 0, i.e. be below SHMLBA: both
 * INVALID_ARGUMENT). If already attached, the old attachment is
 * detached first. Learns the size once (IPC_STAT) if not yet known. */
PIPC_API int pipc_shm_attach(pipc_shm_t *shm, uint64_t address, int64_t flags);

/* Detaches (shmdt). NOT_ATTACHED when not attached. */
PIPC_API int pipc_shm_detach(pipc_shm_t *shm);

/* Bounds-checks a range of the attachment WITHOUT any syscall and returns a
 * pointer into the segment and the usable length.
 * count: 0 means "to the end"; counts past the end are clamped for reads.
 * for_write: true checks that the segment is writable (else READ_ONLY) and
 * that offset+count fits (else INVALID_ARGUMENT; no clamping for writes).
 * offset < 0 or offset >= size (reads) / offset > size (writes) is
 * INVALID_ARGUMENT; NOT_ATTACHED when detached. The pointer is valid until detach. */
PIPC_API int pipc_shm_span(const pipc_shm_t *shm, int64_t offset, int64_t count, bool for_write,
                           void **ptr, size_t *len);

/* Copies up to `count` bytes (0 = to the end, clamped) at `offset` into
 * dst (capacity dst_size, which must hold the clamped length, else
 * INVALID_ARGUMENT); dst may overlap the segment. Stores the number copied in
 * *n. No syscall. */
PIPC_API int pipc_shm_read(const pipc_shm_t *shm, int64_t offset, int64_t count, void *dst,
                           size_t dst_size, size_t *n);

/* Copies len bytes from src to `offset`; src may overlap the segment (a
 * view of the attachment itself). No syscall. Errors as pipc_shm_span. */
PIPC_API int pipc_shm_write(const pipc_shm_t *shm, int64_t offset, const void *src, size_t len);

/* IPC_STAT into *info. EXISTENTIAL after removal. */
PIPC_API int pipc_shm_stat(const pipc_shm_t *shm, pipc_shm_info_t *info);

/* IPC_SET of uid/gid/mode; as pipc_sem_set_perm. */
PIPC_API int pipc_shm_set_perm(const pipc_shm_t *shm, int64_t uid, int64_t gid, int64_t mode);

/* IPC_RMID: the segment disappears once the last process detaches. An
 * existing attachment stays usable. */
PIPC_API int pipc_shm_remove(const pipc_shm_t *shm);

/* IPC_RMID by id. */
PIPC_API int pipc_shm_remove_id(int64_t id);

/* ================================================================== */
/* Message queues                                                      */
/* ================================================================== */

/* A handle to a message queue. */
typedef struct pipc_msg_t {
    int32_t key;
    int id;
    bool created;
    size_t max_message_size; /* largest message send accepts, and the default receive capacity */
    int wait_hint;           /* private to the core: see pipc_set_blocking_runner (0 when opened) */
} pipc_msg_t;

/* The layout msgrcv writes: the type, then the text. A receive buffer for
 * `cap` bytes of text is PIPC_MSGBUF_SIZE(cap) bytes. */
typedef struct pipc_msgbuf_t {
    long type;
    char text[];
} pipc_msgbuf_t;
#define PIPC_MSGBUF_SIZE(cap) (offsetof(pipc_msgbuf_t, text) + (size_t)(cap))

/* Message queue status (IPC_STAT). */
typedef struct pipc_msg_info_t {
    pipc_perm_t perm;
    int64_t s_time, r_time, c_time; /* last send, receive, change (0 if never) */
    uint64_t n_messages;             /* msg_qnum */
    uint64_t max_bytes;              /* msg_qbytes */
    int last_send_pid, last_receive_pid;
} pipc_msg_info_t;

/* Opens or creates a queue and fills *q. key/flags/mode as pipc_sem_open.
 * max_message_size: 1..(a sane upper bound, 64 MiB); INVALID_ARGUMENT else. */
PIPC_API int pipc_msg_open(pipc_msg_t *q, int64_t key, int64_t flags, int64_t mode,
                           int64_t max_message_size);

/* Sends len bytes with `type` (>= 1, fits a long). flags: IPC_NOWAIT.
 * MESSAGE_SIZE when len > q->max_message_size or larger than the queue's
 * msg_qbytes/msgmax allows (EINVAL from msgsnd); BUSY when IPC_NOWAIT and the
 * queue is full; EXISTENTIAL when removed (also while waiting); INTERRUPTED. */
PIPC_API int pipc_msg_send(const pipc_msg_t *q, int64_t type, const void *data, size_t len,
                           int64_t flags);

/* Receives one message into the caller's buffer `buf` (PIPC_MSGBUF_SIZE(cap)
 * bytes) with no intermediate copy; *len gets the text length and buf->type
 * the message type. type: 0 first message, >0 first of that type (with
 * MSG_EXCEPT: first NOT of that type), <0 first of the lowest type <= |type|.
 * With MSG_COPY, `type` is the 0-based position and IPC_NOWAIT is required
 * (it is added); the message is not removed.
 * flags: IPC_NOWAIT, MSG_NOERROR (truncate to cap), MSG_EXCEPT, MSG_COPY.
 * Fails with BUSY (empty with IPC_NOWAIT), MESSAGE_SIZE (E2BIG: longer than
 * cap without MSG_NOERROR), EXISTENTIAL, PERMISSIONS, INTERRUPTED,
 * INVALID_ARGUMENT (bad flags; MSG_COPY unsupported by this kernel). */
PIPC_API int pipc_msg_receive(const pipc_msg_t *q, int64_t type, int64_t flags, pipc_msgbuf_t *buf,
                              size_t cap, size_t *len);

/* IPC_STAT into *info. */
PIPC_API int pipc_msg_stat(const pipc_msg_t *q, pipc_msg_info_t *info);

/* IPC_SET of uid/gid/mode; as pipc_sem_set_perm. */
PIPC_API int pipc_msg_set_perm(const pipc_msg_t *q, int64_t uid, int64_t gid, int64_t mode);

/* IPC_SET of msg_qbytes (1..INT_MAX: the kernel takes it as an int and would
 * truncate a larger value; anything else is INVALID_ARGUMENT): raising it
 * above msgmnb needs privilege (PERMISSIONS). */
PIPC_API int pipc_msg_set_max_bytes(const pipc_msg_t *q, int64_t max_bytes);

/* IPC_RMID; waiters wake with EXISTENTIAL. */
PIPC_API int pipc_msg_remove(const pipc_msg_t *q);

/* IPC_RMID by id. */
PIPC_API int pipc_msg_remove_id(int64_t id);

#ifdef __cplusplus
}
#endif
#endif /* POLYIPC_H */
