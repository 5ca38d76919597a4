/*
 * sem.c — semaphore sets.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

/* Sets up to this many semaphores use a stack array for GETALL/SETALL. */
#define STACK_SEMS 256
/* Up to this many operations live on the stack in pipc_sem_op. */
#define STACK_OPS 64
/* A sanity bound for nops (the kernel's SEMOPM is far lower by default). */
#define MAX_OPS (1u << 20)
/* Timeouts at or above this many seconds (~31700 years) wait forever. */
#define TIMEOUT_FOREVER_SECS 1e12

#define CHECK_HANDLE(h, what)                                                                      \
    do {                                                                                           \
        if ((h) == NULL) return pipc__invalid("%s: the semaphore handle is NULL", what);           \
    } while (0)

static int sem_get(key_t key, size_t nsems, int flags) { return semget(key, (int)nsems, flags); }

static int check_index(const pipc_sem_t *sem, const char *what, int64_t index) {
    if (index < 0 || index >= sem->nsems)
        return pipc__invalid("%s: semaphore index %lld is out of range for a set of %d", what,
                             (long long)index, sem->nsems);
    return PIPC_OK;
}

/* A value outside 0..SEMVMX is refused with sysv_ipc 1.2.0's exact text, the
 * text of the kernel's ERANGE for the same condition (error.c). */
static int check_value(int64_t value) {
    if (value < 0 || value > PIPC_SEMVMX)
        return pipc__invalid("The semaphore's value must remain between 0 and SEMVMX");
    return PIPC_OK;
}

static int check_timeout(const char *what, const double *timeout) {
    if (timeout != NULL && (isnan(*timeout) || *timeout < 0))
        return pipc__invalid("%s: the timeout must be a non-negative number of seconds", what);
    return PIPC_OK;
}

/* Fills a semid_ds; records the error on failure. */
static inline int stat_id(int id, struct semid_ds *ds, const char *what) {
    union semun arg = {.buf = ds};
    if (semctl(id, 0, IPC_STAT, arg) < 0)
        return pipc__sys_error(PIPC_CTX_SEMCTL, id, 0, errno, "%s(id=%d)", what, id);
    return PIPC_OK;
}

/* SETVAL/SETALL of `value` on every semaphore (keeps sem_otime at 0). */
static int set_every(int id, int nsems, int value) {
    union semun arg;
    if (nsems == 1) {
        arg.val = value;
        if (semctl(id, 0, SETVAL, arg) < 0)
            return pipc__sys_error(PIPC_CTX_SEMCTL, id, 0, errno, "semctl(id=%d, SETVAL)", id);
        return PIPC_OK;
    }
    unsigned short stack[STACK_SEMS];
    unsigned short *vals = stack;
    if (nsems > STACK_SEMS) {
        vals = malloc(sizeof *vals * (size_t)nsems);
        if (vals == NULL)
            return pipc_error_set(PIPC_E_NO_MEMORY, ENOMEM, "semctl(id=%d, SETALL): out of memory",
                                  id);
    }
    for (int i = 0; i < nsems; i++) vals[i] = (unsigned short)value;
    arg.array = vals;
    int rc = PIPC_OK;
    if (semctl(id, 0, SETALL, arg) < 0)
        rc = pipc__sys_error(PIPC_CTX_SEMCTL, id, 0, errno, "semctl(id=%d, SETALL)", id);
    if (vals != stack) free(vals);
    return rc;
}

int pipc_sem_open(pipc_sem_t *sem, int64_t key, int64_t nsems, int64_t flags, int64_t mode,
                  int64_t initial_value) {
    CHECK_HANDLE(sem, "semget");
    int rc = pipc__check_open("semget", key, flags, IPC_CREAT | IPC_EXCL, mode);
    if (rc != PIPC_OK) return rc;
    const bool may_create = key == PIPC_KEY_RANDOM || key == IPC_PRIVATE || (flags & IPC_CREAT);
    if (nsems < (may_create ? 1 : 0) || nsems > INT_MAX)
        return pipc__invalid("semget: nsems %lld is out of range (%d..SEMMSL)", (long long)nsems,
                             may_create ? 1 : 0);
    rc = check_value(initial_value);
    if (rc != PIPC_OK) return rc;

    int id;
    int32_t k;
    bool created;
    rc = pipc__get(PIPC_CTX_SEMGET, "semget", sem_get, key, (size_t)nsems, (size_t)nsems, flags,
                   mode, &id, &k, &created);
    if (rc != PIPC_OK) return rc;

    int n = (int)nsems;
    if (created) {
        if (initial_value != 0 && (rc = set_every(id, n, (int)initial_value)) != PIPC_OK) {
            semctl(id, 0, IPC_RMID); /* undo the creation; the error is already recorded */
            return rc;
        }
    } else {
        /* Learn the real size: nsems may be 0 or smaller than the set. */
        struct semid_ds ds;
        union semun arg = {.buf = &ds};
        if (semctl(id, 0, IPC_STAT, arg) == 0)
            n = (int)ds.sem_nsems;
        else if (errno != EACCES || n == 0)
            return pipc__sys_error(PIPC_CTX_SEMCTL, id, 0, errno, "semctl(id=%d, IPC_STAT)", id);
    }
    sem->key = k;
    sem->id = id;
    sem->nsems = n;
    sem->created = created;
    sem->block = true;
    sem->undo = false;
    sem->wait_hint = 0;
    return PIPC_OK;
}

int pipc_sem_open_id(pipc_sem_t *sem, int64_t id) {
    CHECK_HANDLE(sem, "semctl");
    int rc = pipc__check_id("semctl", id);
    if (rc != PIPC_OK) return rc;
    struct semid_ds ds;
    if ((rc = stat_id((int)id, &ds, "semctl(IPC_STAT)")) != PIPC_OK) return rc;
    sem->key = (int32_t)ds.sem_perm.__key;
    sem->id = (int)id;
    sem->nsems = (int)ds.sem_nsems;
    sem->created = false;
    sem->block = true;
    sem->undo = false;
    sem->wait_hint = 0;
    return PIPC_OK;
}

/* Runs validated operations. timeout semantics as documented for pipc_sem_op. */
__attribute__((always_inline)) static inline int run_ops(const pipc_sem_t *sem, struct sembuf *ops, size_t nops,
                                                         double *timeout) {
    bool forever = timeout == NULL || *timeout >= TIMEOUT_FOREVER_SECS;
    if (!forever && *timeout == 0) {
        for (size_t i = 0; i < nops; i++) ops[i].sem_flg |= IPC_NOWAIT;
    }
    bool can_block = false;
    for (size_t i = 0; i < nops; i++)
        if (ops[i].sem_op <= 0 && !(ops[i].sem_flg & IPC_NOWAIT)) can_block = true;

    struct timespec ts;
    /* the hint is the core's own scratch in the caller's handle (never const
     * storage: handles are caller-allocated), written with relaxed atomics */
    pipc_call_t call = {.kind = PIPC_CALL_SEMOP, .id = sem->id, .ops = ops, .nops = nops,
                        .wait_hint = (int *)&sem->wait_hint};
    if (can_block && !forever) {
        double secs = floor(*timeout);
        ts.tv_sec = (time_t)secs;
        ts.tv_nsec = (long)((*timeout - secs) * 1e9);
        if (ts.tv_nsec > 999999999L) ts.tv_nsec = 999999999L;
        call.kind = PIPC_CALL_SEMTIMEDOP;
        call.timeout = &ts;
    }
    double t0 = can_block && !forever ? pipc__now() : 0;
    if (pipc__call(&call, can_block) == 0) return PIPC_OK;
    if (call.err == EINTR && call.kind == PIPC_CALL_SEMTIMEDOP) {
        double left = *timeout - (pipc__now() - t0);
        *timeout = left > 0 ? left : 0;
    }
    return pipc__sys_error(call.kind == PIPC_CALL_SEMTIMEDOP ? PIPC_CTX_SEMTIMEDOP : PIPC_CTX_SEMOP,
                           sem->id, 0, call.err, "%s(id=%d)",
                           call.kind == PIPC_CALL_SEMTIMEDOP ? "semtimedop" : "semop", sem->id);
}

int pipc_sem_op(const pipc_sem_t *sem, const pipc_sem_op_t *ops, size_t nops, double *timeout) {
    CHECK_HANDLE(sem, "semop");
    if (ops == NULL || nops == 0) return pipc__invalid("semop: at least one operation is needed");
    if (nops > MAX_OPS) return pipc__invalid("semop: too many operations (%zu)", nops);
    int rc = check_timeout("semop", timeout);
    if (rc != PIPC_OK) return rc;
    for (size_t i = 0; i < nops; i++) {
        if ((rc = check_index(sem, "semop", ops[i].index)) != PIPC_OK) return rc;
        if (ops[i].delta < SHRT_MIN || ops[i].delta > SHRT_MAX)
            return pipc__invalid("semop: delta %lld of operation %zu is out of range (%d..%d)",
                                 (long long)ops[i].delta, i, SHRT_MIN, SHRT_MAX);
        if (ops[i].flags < 0 || (ops[i].flags & ~(int64_t)(IPC_NOWAIT | SEM_UNDO)) != 0)
            return pipc__invalid("semop: flags 0%llo of operation %zu are not IPC_NOWAIT/SEM_UNDO",
                                 (unsigned long long)ops[i].flags, i);
    }
    struct sembuf stack[STACK_OPS];
    struct sembuf *buf = stack;
    if (nops > STACK_OPS) {
        buf = malloc(sizeof *buf * nops);
        if (buf == NULL) return pipc_error_set(PIPC_E_NO_MEMORY, ENOMEM, "semop: out of memory");
    }
    for (size_t i = 0; i < nops; i++) {
        buf[i].sem_num = (unsigned short)ops[i].index;
        buf[i].sem_op = (short)ops[i].delta;
        buf[i].sem_flg = (short)ops[i].flags;
    }
    rc = run_ops(sem, buf, nops, timeout);
    if (buf != stack) free(buf);
    return rc;
}

static int check_delta(const char *what, int64_t delta) {
    if (delta < 1 || delta > SHRT_MAX)
        return pipc__invalid("%s: delta %lld is out of range (1..%d)", what, (long long)delta,
                             SHRT_MAX);
    return PIPC_OK;
}

int pipc_sem_acquire(const pipc_sem_t *sem, int64_t index, int64_t delta, double *timeout) {
    CHECK_HANDLE(sem, "acquire");
    int rc;
    if ((rc = check_index(sem, "acquire", index)) != PIPC_OK) return rc;
    if ((rc = check_delta("acquire", delta)) != PIPC_OK) return rc;
    if ((rc = check_timeout("acquire", timeout)) != PIPC_OK) return rc;
    struct sembuf op = {.sem_num = (unsigned short)index,
                        .sem_op = (short)-delta,
                        .sem_flg = (short)((sem->block ? 0 : IPC_NOWAIT) | (sem->undo ? SEM_UNDO : 0))};
    return run_ops(sem, &op, 1, timeout);
}

int pipc_sem_release(const pipc_sem_t *sem, int64_t index, int64_t delta) {
    CHECK_HANDLE(sem, "release");
    int rc;
    if ((rc = check_index(sem, "release", index)) != PIPC_OK) return rc;
    if ((rc = check_delta("release", delta)) != PIPC_OK) return rc;
    struct sembuf op = {.sem_num = (unsigned short)index,
                        .sem_op = (short)delta,
                        .sem_flg = (short)(sem->undo ? SEM_UNDO : 0)};
    return run_ops(sem, &op, 1, NULL);
}

int pipc_sem_wait_zero(const pipc_sem_t *sem, int64_t index, double *timeout) {
    CHECK_HANDLE(sem, "wait_zero");
    int rc;
    if ((rc = check_index(sem, "wait_zero", index)) != PIPC_OK) return rc;
    if ((rc = check_timeout("wait_zero", timeout)) != PIPC_OK) return rc;
    struct sembuf op = {
        .sem_num = (unsigned short)index, .sem_op = 0, .sem_flg = (short)(sem->block ? 0 : IPC_NOWAIT)};
    return run_ops(sem, &op, 1, timeout);
}

/* GETVAL / GETPID / GETNCNT / GETZCNT. */
/* The failure path of get_one, out of line: which check failed, or the
 * semctl errno (still intact: nothing ran since). */
__attribute__((cold, noinline)) static int get_one_failed(const pipc_sem_t *sem, int64_t index,
                                                          const char *name, bool out_is_null) {
    int err = errno;
    CHECK_HANDLE(sem, name);
    int rc = check_index(sem, name, index);
    if (rc != PIPC_OK) return rc;
    if (out_is_null) return pipc__invalid("%s: the output pointer is NULL", name);
    return pipc__sys_error(PIPC_CTX_SEMCTL, sem->id, 0, err, "semctl(id=%d, %s)", sem->id, name);
}

/* GETVAL/GETPID/GETNCNT/GETZCNT: one semctl; the checks are the same as
 * check_index's, written inline so the common path is a handful of
 * instructions (sem.value is a hot attribute). */
static inline int get_one(const pipc_sem_t *sem, int64_t index, int cmd, const char *name, int *out) {
    if (__builtin_expect(sem != NULL && out != NULL && (uint64_t)index < (uint64_t)sem->nsems, 1)) {
        int v = semctl(sem->id, (int)index, cmd);
        if (__builtin_expect(v >= 0, 1)) {
            *out = v;
            return PIPC_OK;
        }
    }
    return get_one_failed(sem, index, name, out == NULL); /* `out` does not escape */
}

int pipc_sem_get_value(const pipc_sem_t *sem, int64_t index, int *value) {
    return get_one(sem, index, GETVAL, "GETVAL", value);
}

int pipc_sem_get_pid(const pipc_sem_t *sem, int64_t index, int *pid) {
    return get_one(sem, index, GETPID, "GETPID", pid);
}

int pipc_sem_get_ncount(const pipc_sem_t *sem, int64_t index, int *count) {
    return get_one(sem, index, GETNCNT, "GETNCNT", count);
}

int pipc_sem_get_zcount(const pipc_sem_t *sem, int64_t index, int *count) {
    return get_one(sem, index, GETZCNT, "GETZCNT", count);
}

int pipc_sem_set_value(const pipc_sem_t *sem, int64_t index, int64_t value) {
    CHECK_HANDLE(sem, "SETVAL");
    int rc;
    if ((rc = check_index(sem, "SETVAL", index)) != PIPC_OK) return rc;
    if ((rc = check_value(value)) != PIPC_OK) return rc;
    union semun arg = {.val = (int)value};
    if (semctl(sem->id, (int)index, SETVAL, arg) < 0)
        return pipc__sys_error(PIPC_CTX_SEMCTL, sem->id, 0, errno, "semctl(id=%d, SETVAL)", sem->id);
    return PIPC_OK;
}

/* The kernel reads/writes sem_nsems shorts, whatever the handle says, so
 * GETALL/SETALL size their buffer from a fresh IPC_STAT. */
int pipc_sem_get_all(const pipc_sem_t *sem, int *values, size_t count) {
    CHECK_HANDLE(sem, "GETALL");
    if (values == NULL) return pipc__invalid("GETALL: the values array is NULL");
    struct semid_ds ds;
    int rc = stat_id(sem->id, &ds, "semctl(GETALL)");
    if (rc != PIPC_OK) return rc;
    size_t n = (size_t)ds.sem_nsems;
    if (count < n)
        return pipc__invalid("GETALL: the array holds %zu values but the set has %zu", count, n);
    unsigned short stack[STACK_SEMS];
    unsigned short *vals = stack;
    if (n > STACK_SEMS && (vals = malloc(sizeof *vals * n)) == NULL)
        return pipc_error_set(PIPC_E_NO_MEMORY, ENOMEM, "GETALL: out of memory");
    union semun arg = {.array = vals};
    if (semctl(sem->id, 0, GETALL, arg) < 0) {
        rc = pipc__sys_error(PIPC_CTX_SEMCTL, sem->id, 0, errno, "semctl(id=%d, GETALL)", sem->id);
    } else {
        for (size_t i = 0; i < n; i++) values[i] = vals[i];
    }
    if (vals != stack) free(vals);
    return rc;
}

int pipc_sem_set_all(const pipc_sem_t *sem, const int64_t *values, size_t count) {
    CHECK_HANDLE(sem, "SETALL");
    if (values == NULL) return pipc__invalid("SETALL: the values array is NULL");
    if (count != (size_t)(sem->nsems > 0 ? sem->nsems : 0))
        return pipc__invalid("SETALL: %zu values given for a set of %d", count, sem->nsems);
    int rc;
    for (size_t i = 0; i < count; i++)
        if ((rc = check_value(values[i])) != PIPC_OK) return rc;
    struct semid_ds ds;
    if ((rc = stat_id(sem->id, &ds, "semctl(SETALL)")) != PIPC_OK) return rc;
    if ((size_t)ds.sem_nsems != count)
        return pipc__invalid("SETALL: %zu values given for a set of %lu", count,
                             (unsigned long)ds.sem_nsems);
    unsigned short stack[STACK_SEMS];
    unsigned short *vals = stack;
    if (count > STACK_SEMS && (vals = malloc(sizeof *vals * count)) == NULL)
        return pipc_error_set(PIPC_E_NO_MEMORY, ENOMEM, "SETALL: out of memory");
    for (size_t i = 0; i < count; i++) vals[i] = (unsigned short)values[i];
    union semun arg = {.array = vals};
    if (semctl(sem->id, 0, SETALL, arg) < 0)
        rc = pipc__sys_error(PIPC_CTX_SEMCTL, sem->id, 0, errno, "semctl(id=%d, SETALL)", sem->id);
    if (vals != stack) free(vals);
    return rc;
}

int pipc_sem_stat(const pipc_sem_t *sem, pipc_sem_info_t *info) {
    CHECK_HANDLE(sem, "IPC_STAT");
    if (info == NULL) return pipc__invalid("IPC_STAT: the info pointer is NULL");
    struct semid_ds ds;
    int rc = stat_id(sem->id, &ds, "semctl(IPC_STAT)");
    if (rc != PIPC_OK) return rc;
    pipc__perm_from(&info->perm, &ds.sem_perm);
    info->nsems = (int)ds.sem_nsems;
    info->o_time = (int64_t)ds.sem_otime;
    info->c_time = (int64_t)ds.sem_ctime;
    return PIPC_OK;
}

int pipc_sem_set_perm(const pipc_sem_t *sem, int64_t uid, int64_t gid, int64_t mode) {
    CHECK_HANDLE(sem, "IPC_SET");
    int rc = pipc__check_perm_args("semctl(IPC_SET)", uid, gid, mode);
    if (rc != PIPC_OK) return rc;
    struct semid_ds ds;
    if ((rc = stat_id(sem->id, &ds, "semctl(IPC_STAT)")) != PIPC_OK) return rc;
    pipc__perm_apply(&ds.sem_perm, uid, gid, mode);
    union semun arg = {.buf = &ds};
    if (semctl(sem->id, 0, IPC_SET, arg) < 0)
        return pipc__sys_error(PIPC_CTX_SEMCTL_SET, sem->id, 0, errno, "semctl(id=%d, IPC_SET)",
                               sem->id);
    return PIPC_OK;
}

int pipc_sem_remove(const pipc_sem_t *sem) {
    CHECK_HANDLE(sem, "IPC_RMID");
    return pipc_sem_remove_id(sem->id);
}

int pipc_sem_remove_id(int64_t id) {
    int rc = pipc__check_id("semctl(IPC_RMID)", id);
    if (rc != PIPC_OK) return rc;
    if (semctl((int)id, 0, IPC_RMID) < 0)
        return pipc__sys_error(PIPC_CTX_SEMCTL, (int)id, 0, errno, "semctl(id=%d, IPC_RMID)", (int)id);
    return PIPC_OK;
}
