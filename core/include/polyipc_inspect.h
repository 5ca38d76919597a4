/*
 * polyipc_inspect.h — the host inspector of libpolyipc: enumerate every
 * System V object of the caller's IPC namespace, read the kernel's limits and
 * usage, and derive facts the kernel does not state (liveness of the processes
 * it names, attached processes, a `leaked` verdict, the systemd-logind
 * RemoveIPC risk).
 *
 * The inspector's records have ONE serialised form, the JSON of schema
 * PIPC_INSPECT_SCHEMA (documented in docs/inspector.md), produced here and
 * used by the `polyipc` command line (--json) and by every language binding
 * (which turns it into native records), so the field names are the same
 * everywhere.
 */
#ifndef POLYIPC_INSPECT_H
#define POLYIPC_INSPECT_H

#include "polyipc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the JSON schema; raised only for incompatible changes. */
#define PIPC_INSPECT_SCHEMA 1

/* Object kinds, usable as a bit set in filters. */
typedef enum pipc_kind_e { PIPC_KIND_SEM = 1, PIPC_KIND_SHM = 2, PIPC_KIND_MSG = 4 } pipc_kind_e;
#define PIPC_KIND_ALL (PIPC_KIND_SEM | PIPC_KIND_SHM | PIPC_KIND_MSG)

/* Returns "sem", "shm" or "msg" for one kind, NULL otherwise. Static storage. */
PIPC_API const char *pipc_kind_name(int kind);

/* Parses "sem"/"shm"/"msg" (also "semaphore", "shared_memory", "message_queue")
 * into a kind; 0 when unknown. */
PIPC_API int pipc_kind_parse(const char *name);

/* What a scan computes beyond the kernel's own record (bit set). */
enum {
    PIPC_INSPECT_SEMS = 1,     /* per-semaphore value, ncount, zcount, pid */
    PIPC_INSPECT_DERIVED = 2,  /* liveness, age, idle, leaked, RemoveIPC risk (reads per-semaphore
                                  pids, and waiters only where the verdict needs them) */
    PIPC_INSPECT_ATTACHED = 4, /* processes attaching a segment, from /proc/<pid>/maps (slow) */
    PIPC_INSPECT_ALL = 7
};

/* A tri-state for facts that may be unknowable. */
#define PIPC_UNKNOWN (-1)

/* One semaphore of a set. */
typedef struct pipc_semval_t {
    int value, ncount, zcount, pid;
} pipc_semval_t;

/* One process attaching a segment. */
typedef struct pipc_attacher_t {
    int pid;
    char command[32]; /* /proc/<pid>/comm ("" when unreadable) */
} pipc_attacher_t;

/* One object. Fields of another kind are 0. Times are Unix seconds, 0 = never. */
typedef struct pipc_object_t {
    int kind; /* PIPC_KIND_* */
    int id;
    int32_t key;
    uint32_t perms; /* permission bits (mode & 0777) */
    uint32_t mode;  /* the kernel's whole mode word (status bits included) */
    uint32_t uid, gid, cuid, cgid;
    int64_t ctime;
    /* shm */
    uint64_t size, nattch;
    int cpid, lpid;
    int64_t atime, dtime;
    bool dest, locked, hugetlb, noreserve; /* status bits of the mode word */
    /* msg */
    uint64_t used_bytes, messages, max_bytes;
    int lspid, lrpid;
    int64_t stime, rtime;
    /* sem */
    int nsems;
    int64_t otime;
    pipc_semval_t *sems; /* PIPC_INSPECT_SEMS: nsems entries; NULL when not read or unreadable */
    int waiters;         /* sem, DERIVED: processes waiting (sum of ncount and zcount), or
                            PIPC_UNKNOWN when not read (not needed for the verdict, or unreadable) */
    /* derived (PIPC_INSPECT_DERIVED), PIPC_UNKNOWN where unknowable */
    int creator_alive;  /* shm: cpid alive; sem/msg: the kernel records no creator (UNKNOWN) */
    int last_alive;     /* any recorded last-user pid alive (lpid; lspid/lrpid; sempids); UNKNOWN if none */
    int64_t age;        /* now - ctime (seconds since creation or the last IPC_SET) */
    int64_t idle;       /* now - the latest of every recorded time */
    bool leaked;        /* see pipc_inspect_leaked */
    int removeipc_risk; /* 1, 0 or UNKNOWN: see pipc_removeipc_enabled */
    /* PIPC_INSPECT_ATTACHED (shm): nattached entries; NULL when not scanned */
    pipc_attacher_t *attached;
    size_t nattached;
} pipc_object_t;

/* A scan's result: objects ordered by kind (sem, shm, msg) then id. */
typedef struct pipc_objects_t {
    pipc_object_t *items;
    size_t count;
    int64_t now; /* the time the derived facts were computed against */
} pipc_objects_t;

/* Filter of a scan. kinds: PIPC_KIND_* bits (0 = all); uid: -1 = any owner;
 * key: PIPC_KEY_RANDOM (INT64_MIN) = any key; id: -1 = any id. */
typedef struct pipc_filter_t {
    int kinds;
    int64_t uid;
    int64_t key;
    int64_t id;
} pipc_filter_t;
#define PIPC_FILTER_ANY ((pipc_filter_t){0, -1, INT64_MIN, -1})

/* Enumerates the objects of the caller's IPC namespace that match `filter`,
 * with the extra facts `what` asks for (PIPC_INSPECT_* bits), into *out
 * (which the caller frees with pipc_objects_free). Uses *_STAT_ANY (Linux
 * 4.17+; every object, whatever its permissions) and falls back to *_STAT
 * (the readable ones) on older kernels. Objects removed during the scan are
 * skipped; per-semaphore values the caller may not read leave `sems` NULL;
 * /proc entries that cannot be read are skipped. Fails only with
 * NO_MEMORY or INVALID_ARGUMENT (bad filter). */
PIPC_API int pipc_inspect_list(const pipc_filter_t *filter, int what, pipc_objects_t *out);

/* Frees what pipc_inspect_list allocated (safe on a zeroed struct). */
PIPC_API void pipc_objects_free(pipc_objects_t *objs);

/* The leaked verdict (computed into obj->leaked by PIPC_INSPECT_DERIVED):
 * true when no live process is known to use the object AND it has been idle
 * at least `min_idle` seconds:
 *   shm: nattch == 0, and neither cpid nor lpid is alive;
 *   sem: no waiter (every ncount and zcount 0), and no semaphore's last pid
 *        alive (the set must be readable, else false);
 *   msg: neither lspid nor lrpid is alive.
 * A segment marked for destruction (dest) is never leaked. */
PIPC_API bool pipc_inspect_leaked(const pipc_object_t *obj, int64_t min_idle);

/* Is pid alive (kill(pid, 0) succeeds or fails with EPERM)? 0 for pid <= 0. */
PIPC_API bool pipc_pid_alive(int pid);

/* systemd-logind's RemoveIPC: 1 (on, also its default when logind is
 * installed), 0 (off, or no logind), or PIPC_UNKNOWN (a config file cannot be
 * read). Reads logind.conf and its drop-ins (/etc, /run, /usr/local/lib,
 * /usr/lib; the last assignment wins) under the root directory named by the
 * environment variable POLYIPC_ROOT ("" = /). */
PIPC_API int pipc_removeipc_enabled(void);

/* Is `uid` a regular (login) user, whose objects RemoveIPC removes? True
 * above SYS_UID_MAX of /etc/login.defs (999 when unset), except 65534. */
PIPC_API bool pipc_uid_is_regular(uint32_t uid);

/* ------------------------------------------------------------------ */
/* Leak guard (for test suites)                                        */
/* ------------------------------------------------------------------ */

/* The (kind, id) of every object of the caller's IPC namespace at one moment,
 * which a test suite's leak guard compares the namespace against after a
 * test (docs/inspector.md, "Leak guards for test suites"). Opaque. */
typedef struct pipc_leak_snapshot_t pipc_leak_snapshot_t;

/* Takes a snapshot of the (kind, id) of every object now in the caller's IPC
 * namespace into *out: a new snapshot the caller owns and frees with
 * pipc_leak_snapshot_free (*out is NULL on failure). Fails with NO_MEMORY,
 * or INVALID_ARGUMENT when out is NULL. */
PIPC_API int pipc_leak_snapshot_take(pipc_leak_snapshot_t **out);

/* Frees a snapshot (NULL does nothing). Never touches a kernel object. */
PIPC_API void pipc_leak_snapshot_free(pipc_leak_snapshot_t *snap);

/* A new copy of `snap` the caller owns and frees with pipc_leak_snapshot_free
 * (for a binding that gives each thread its own object). NULL with
 * INVALID_ARGUMENT when snap is NULL, with NO_MEMORY when out of memory. */
PIPC_API pipc_leak_snapshot_t *pipc_leak_snapshot_copy(const pipc_leak_snapshot_t *snap);

/* Lists into *out the objects now in the namespace that are not in `snap`,
 * except removed segments still attached (status "dest": the kernel frees
 * them at their last detach), scanned with `what` (PIPC_INSPECT_* bits, as
 * pipc_inspect_list; 0 = the kernel's record only), in pipc_inspect_list's
 * order. The caller frees *out with pipc_objects_free. Fails (*out empty)
 * with NO_MEMORY, or INVALID_ARGUMENT when snap or out is NULL. */
PIPC_API int pipc_leak_snapshot_new(const pipc_leak_snapshot_t *snap, int what, pipc_objects_t *out);

/* Removes the object of `kind` (one PIPC_KIND_*) with `id` (IPC_RMID). An
 * object already gone is no error (PIPC_OK, nothing recorded). Fails with
 * INVALID_ARGUMENT (unknown kind, id out of range), PERMISSIONS, or another
 * kind from the taxonomy. */
PIPC_API int pipc_object_remove(int kind, int64_t id);

/* The guard's report of `objs`, one line:
 *   "left 2 new System V object(s) behind: sem 3 (key 0x00000000, owner root),
 *    msg 5 (key 0x000004d2, owner 1000)"
 * (the key as 8 hex digits of its 32 bits, the owner's user name or uid).
 * A new NUL-terminated string the caller frees; NULL with NO_MEMORY recorded
 * (or INVALID_ARGUMENT when objs is NULL). */
PIPC_API char *pipc_leak_report(const pipc_objects_t *objs);

/* Flags of pipc_leak_snapshot_check. */
#define PIPC_LEAK_REMOVE 1 /* remove the new objects found */

/* The one call of a leak guard: finds the objects new since `snap`
 * (pipc_leak_snapshot_new), removes them when `flags` has PIPC_LEAK_REMOVE
 * (ones already gone are ignored), and stores their report
 * (pipc_leak_report) in *report: a new string the caller frees, or NULL
 * when nothing is new. Returns PIPC_OK, or fails with NO_MEMORY or
 * INVALID_ARGUMENT (*report NULL), or with the first removal that failed
 * (e.g. PERMISSIONS; the others are still attempted, and *report is set: the
 * caller frees it in every case). */
PIPC_API int pipc_leak_snapshot_check(const pipc_leak_snapshot_t *snap, int flags, char **report);

/* ------------------------------------------------------------------ */
/* Limits                                                              */
/* ------------------------------------------------------------------ */

/* The kernel's limits and current use (IPC_INFO, SEM_INFO, MSG_INFO, SHM_INFO). */
typedef struct pipc_limits_t {
    int64_t semmsl, semmns, semopm, semmni, semvmx;
    int64_t msgmax, msgmnb, msgmni;
    uint64_t shmmax, shmall, shmmni, shmmin; /* shmall in pages */
    /* use */
    int64_t sem_sets, sem_semaphores; /* against semmni, semmns */
    int64_t msg_queues;               /* against msgmni */
    int64_t shm_segments;             /* against shmmni */
    uint64_t shm_pages;               /* against shmall */
} pipc_limits_t;

/* Reads the limits into *out. Fails with SYSCALL when a *_INFO call fails. */
PIPC_API int pipc_inspect_limits(pipc_limits_t *out);

/* One row of the limits table: name (e.g. "SEMMNI"), description, limit,
 * used (-1 when the kernel has no use figure for it), the sysctl to raise. */
typedef struct pipc_limit_row_t {
    const char *resource, *description, *sysctl;
    uint64_t limit;
    int64_t used;
} pipc_limit_row_t;
#define PIPC_LIMIT_ROWS 12

/* Fills rows[PIPC_LIMIT_ROWS] from *lim, in lsipc -g order (MSGMNI, MSGMAX,
 * MSGMNB, SHMMNI, SHMALL, SHMMAX, SHMMIN, SEMMNI, SEMMNS, SEMMSL, SEMOPM,
 * SEMVMX). The strings are static. */
PIPC_API void pipc_limit_rows(const pipc_limits_t *lim, pipc_limit_row_t rows[PIPC_LIMIT_ROWS]);

/* ------------------------------------------------------------------ */
/* JSON (schema PIPC_INSPECT_SCHEMA)                                   */
/* ------------------------------------------------------------------ */

/* The inspector's records, one table each, in the order the JSON writer
 * (core/src/inspect_json.c, generated from these tables) emits them; one
 * X(name, kinds, how) per field:
 *   name   the JSON key, the field name of every binding's record (Python's
 *          struct sequences, Ruby's Structs, Perl's hash keys, the stub), and
 *          the member of the C struct (pipc_object_t, pipc_semval_t,
 *          pipc_attacher_t, pipc_limit_row_t) the value is read from, except
 *          where `how` names other members;
 *   kinds  ALL, SEM, SHM or MSG (PIPC_KIND_<kinds>): the kinds of object that
 *          have the field; it is null in the others;
 *   how    how the value is written (the writer checks the member's type):
 *            INT          a signed decimal
 *            UINT         an unsigned decimal
 *            INT_OR_NULL  a signed decimal, null when negative (unknown)
 *            TIME         Unix seconds, null when 0 (never)
 *            TRI          true, false, or null for PIPC_UNKNOWN
 *            BOOL         true or false
 *            STR          a string (quotes, backslashes and controls escaped)
 *            KIND         "sem", "shm" or "msg" (pipc_kind_name), else null
 *            OWNER        the user name of `uid`, or the uid as a decimal string
 *            STATUS       a list of the names of PIPC_INSPECT_STATUS_FLAGS set
 *            LIST         a list of records, null when not read: semaphores
 *                         (nsems of `sems`, PIPC_INSPECT_SEMVAL_FIELDS), attached
 *                         (nattached of `attached`, PIPC_INSPECT_ATTACHER_FIELDS)
 * A user that needs only the names takes X(name, ...). A field is added
 * here (one entry), in its C struct, in docs/inspector.md and in the stub;
 * tests/c checks the writer's output against the tables. */
#define PIPC_INSPECT_OBJECT_FIELDS(X)                                                              \
    X(kind, ALL, KIND) X(id, ALL, INT) X(key, ALL, INT) X(owner, ALL, OWNER)                       \
    X(uid, ALL, UINT) X(gid, ALL, UINT) X(cuid, ALL, UINT) X(cgid, ALL, UINT)                      \
    X(perms, ALL, UINT) X(ctime, ALL, TIME)                                                        \
    X(size, SHM, UINT) X(nattch, SHM, UINT) X(cpid, SHM, INT) X(lpid, SHM, INT)                    \
    X(atime, SHM, TIME) X(dtime, SHM, TIME) X(status, SHM, STATUS)                                 \
    X(used_bytes, MSG, UINT) X(messages, MSG, UINT) X(max_bytes, MSG, UINT)                        \
    X(lspid, MSG, INT) X(lrpid, MSG, INT) X(stime, MSG, TIME) X(rtime, MSG, TIME)                  \
    X(nsems, SEM, INT) X(waiters, SEM, INT_OR_NULL) X(otime, SEM, TIME) X(semaphores, SEM, LIST)   \
    X(creator_alive, ALL, TRI) X(last_alive, ALL, TRI) X(age, ALL, INT) X(idle, ALL, INT)          \
    X(leaked, ALL, BOOL) X(removeipc_risk, ALL, TRI) X(attached, ALL, LIST)
/* one element of an object's "semaphores" (pipc_semval_t) */
#define PIPC_INSPECT_SEMVAL_FIELDS(X)                                                              \
    X(value, ALL, INT) X(ncount, ALL, INT) X(zcount, ALL, INT) X(pid, ALL, INT)
/* one element of an object's "attached" (pipc_attacher_t) */
#define PIPC_INSPECT_ATTACHER_FIELDS(X) X(pid, ALL, INT) X(command, ALL, STR)
/* one limit row (pipc_limit_row_t) */
#define PIPC_INSPECT_LIMIT_FIELDS(X)                                                               \
    X(resource, ALL, STR) X(description, ALL, STR) X(limit, ALL, UINT) X(used, ALL, INT_OR_NULL)   \
    X(sysctl, ALL, STR)
/* The names of "status" (the bool members of pipc_object_t), in order: X(name). */
#define PIPC_INSPECT_STATUS_FLAGS(X) X(dest) X(locked) X(hugetlb) X(noreserve)

/* Serialises one object as a JSON object into a new NUL-terminated string
 * (malloc'ed; the caller frees it). NULL with NO_MEMORY recorded on failure. */
PIPC_API char *pipc_object_json(const pipc_object_t *obj);

/* A JSON array of every object of *objs; as pipc_object_json. */
PIPC_API char *pipc_objects_json(const pipc_objects_t *objs);

/* A JSON array of the limit rows ({resource, description, limit, used, sysctl}). */
PIPC_API char *pipc_limits_json(const pipc_limits_t *lim);

/* Resolves an owner given as a user name (of any length) or a decimal uid
 * into *uid. INVALID_ARGUMENT when it is neither. */
PIPC_API int pipc_owner_parse(const char *owner, int64_t *uid);

/* The user name of `uid` (the "owner" of the inspector's records), whole
 * whatever its length, or the uid in decimal when the user database has no
 * entry for it. Thread-local storage, valid until the next call on this
 * thread; never NULL, never fails. Consecutive calls with the same uid
 * answer from the thread's last answer without asking the user database. */
PIPC_API const char *pipc_owner_name(uint32_t uid);

/* Convenience for the bindings: the JSON array of the objects matching
 * (kind name or NULL, owner name/uid or NULL, key or INT64_MIN, id or -1),
 * scanned with `what`. NULL with the error recorded on failure (unknown kind
 * or owner is INVALID_ARGUMENT). */
PIPC_API char *pipc_inspect_list_json(const char *kind, const char *owner, int64_t key, int64_t id, int what);

/* Convenience for the bindings: pipc_limits_json of pipc_inspect_limits. */
PIPC_API char *pipc_inspect_limits_json(void);

#ifdef __cplusplus
}
#endif
#endif /* POLYIPC_INSPECT_H */
