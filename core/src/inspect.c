/*
 * inspect.c — enumeration of every System V object of the caller's IPC
 * namespace (*_STAT_ANY by index), per-semaphore values, and the derived
 * facts (liveness, age, idle, leaked, RemoveIPC risk).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "polyipc_inspect.h"

#ifndef SEM_STAT_ANY
#define SEM_STAT_ANY 20
#endif
#ifndef SHM_STAT_ANY
#define SHM_STAT_ANY 15
#endif
#ifndef MSG_STAT_ANY
#define MSG_STAT_ANY 13
#endif
#ifndef SHM_DEST
#define SHM_DEST 01000
#endif
#ifndef SHM_LOCKED
#define SHM_LOCKED 02000
#endif

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
    struct seminfo *__buf;
};

/* Idle time a set or queue on which no process was ever recorded must reach
 * before it counts as leaked (its creator is not recorded by the kernel). */
#define UNUSED_LEAK_IDLE 3600

const char *pipc_kind_name(int kind) {
    switch (kind) {
    case PIPC_KIND_SEM: return "sem";
    case PIPC_KIND_SHM: return "shm";
    case PIPC_KIND_MSG: return "msg";
    default: return NULL;
    }
}

int pipc_kind_parse(const char *name) {
    if (name == NULL) return 0;
    if (!strcmp(name, "sem") || !strcmp(name, "semaphore") || !strcmp(name, "semaphores"))
        return PIPC_KIND_SEM;
    if (!strcmp(name, "shm") || !strcmp(name, "shared_memory") || !strcmp(name, "shmems"))
        return PIPC_KIND_SHM;
    if (!strcmp(name, "msg") || !strcmp(name, "message_queue") || !strcmp(name, "queues"))
        return PIPC_KIND_MSG;
    return 0;
}

/* ---- a growing array of objects ---------------------------------------- */

static pipc_object_t *push(pipc_objects_t *out, size_t *cap) {
    if (out->count == *cap) {
        size_t n = *cap ? *cap * 2 : 64;
        pipc_object_t *p = realloc(out->items, n * sizeof *p);
        if (p == NULL) return NULL;
        out->items = p;
        *cap = n;
    }
    pipc_object_t *o = &out->items[out->count];
    memset(o, 0, sizeof *o);
    return o;
}

static bool wanted(const pipc_filter_t *f, int id, const struct ipc_perm *p) {
    if (f->uid >= 0 && (int64_t)p->uid != f->uid) return false;
    if (f->key != INT64_MIN && (int64_t)p->__key != f->key) return false;
    if (f->id >= 0 && (int64_t)id != f->id) return false;
    return true;
}

static void common(pipc_object_t *o, int kind, int id, const struct ipc_perm *p, time_t ctime) {
    o->kind = kind;
    o->id = id;
    o->key = p->__key;
    o->mode = p->mode;
    o->perms = p->mode & PIPC_MODE_MASK;
    o->uid = p->uid;
    o->gid = p->gid;
    o->cuid = p->cuid;
    o->cgid = p->cgid;
    o->ctime = ctime;
    o->creator_alive = PIPC_UNKNOWN;
    o->last_alive = PIPC_UNKNOWN;
    o->removeipc_risk = PIPC_UNKNOWN;
    o->waiters = PIPC_UNKNOWN;
}

/* Reads the per-semaphore values of set `id` into o->sems. Returns 0, or
 * -1 when the set vanished (the caller drops it); unreadable leaves NULL. */
static int read_sems(pipc_object_t *o) {
    int n = o->nsems;
    if (n <= 0) return 0;
    unsigned short *vals = malloc(sizeof *vals * (size_t)n);
    pipc_semval_t *sv = calloc((size_t)n, sizeof *sv);
    if (vals == NULL || sv == NULL) goto unreadable;
    union semun arg = {.array = vals};
    if (semctl(o->id, 0, GETALL, arg) < 0) goto gone_or_unreadable;
    for (int i = 0; i < n; i++) {
        int nc = semctl(o->id, i, GETNCNT), zc = semctl(o->id, i, GETZCNT),
            pid = semctl(o->id, i, GETPID);
        if (nc < 0 || zc < 0 || pid < 0) goto gone_or_unreadable;
        sv[i] = (pipc_semval_t){vals[i], nc, zc, pid};
    }
    free(vals);
    o->sems = sv;
    return 0;
gone_or_unreadable:
    if (errno == EINVAL || errno == EIDRM) {
        free(vals);
        free(sv);
        return -1;
    }
unreadable:
    free(vals);
    free(sv);
    return 0;
}

static int scan_sem(const pipc_filter_t *f, int what, pipc_objects_t *out, size_t *cap) {
    struct seminfo info;
    union semun arg = {.__buf = &info};
    int max = semctl(0, 0, SEM_INFO, arg);
    int cmd = SEM_STAT_ANY;
    for (int pass = 0; pass < 2 && max >= 0; pass++) {
        size_t found = 0;
        for (int i = 0; i <= max; i++) {
            struct semid_ds ds = {0}; /* valgrind does not know *_STAT_ANY fills it */
            union semun a = {.buf = &ds};
            int id = semctl(i, 0, cmd, a);
            if (id < 0) continue; /* unused index, removed meanwhile, or not readable */
            found++;
            if (!wanted(f, id, &ds.sem_perm)) continue;
            pipc_object_t *o = push(out, cap);
            if (o == NULL) return PIPC_E_NO_MEMORY;
            common(o, PIPC_KIND_SEM, id, &ds.sem_perm, ds.sem_ctime);
            o->nsems = (int)ds.sem_nsems;
            o->otime = ds.sem_otime;
            if (what & PIPC_INSPECT_SEMS) {
                if (read_sems(o) < 0) continue; /* vanished: not pushed */
            }
            out->count++;
        }
        /* A kernel without SEM_STAT_ANY (before 4.17) refuses every index:
         * then list what SEM_STAT shows (the readable sets). */
        if (found > 0 || info.semusz == 0 || cmd == SEM_STAT) break;
        cmd = SEM_STAT;
    }
    return PIPC_OK;
}

static int scan_shm(const pipc_filter_t *f, pipc_objects_t *out, size_t *cap) {
    struct shm_info info;
    int max = shmctl(0, SHM_INFO, (struct shmid_ds *)&info);
    int cmd = SHM_STAT_ANY;
    for (int pass = 0; pass < 2 && max >= 0; pass++) {
        size_t found = 0;
        for (int i = 0; i <= max; i++) {
            struct shmid_ds ds = {0};
            int id = shmctl(i, cmd, &ds);
            if (id < 0) continue;
            found++;
            if (!wanted(f, id, &ds.shm_perm)) continue;
            pipc_object_t *o = push(out, cap);
            if (o == NULL) return PIPC_E_NO_MEMORY;
            common(o, PIPC_KIND_SHM, id, &ds.shm_perm, ds.shm_ctime);
            o->size = ds.shm_segsz;
            o->nattch = ds.shm_nattch;
            o->cpid = ds.shm_cpid;
            o->lpid = ds.shm_lpid;
            o->atime = ds.shm_atime;
            o->dtime = ds.shm_dtime;
            o->dest = (ds.shm_perm.mode & SHM_DEST) != 0;
            o->locked = (ds.shm_perm.mode & SHM_LOCKED) != 0;
            o->hugetlb = (ds.shm_perm.mode & SHM_HUGETLB) != 0;
            o->noreserve = (ds.shm_perm.mode & SHM_NORESERVE) != 0;
            out->count++;
        }
        if (found > 0 || info.used_ids == 0 || cmd == SHM_STAT) break;
        cmd = SHM_STAT;
    }
    return PIPC_OK;
}

static int scan_msg(const pipc_filter_t *f, pipc_objects_t *out, size_t *cap) {
    struct msginfo info;
    int max = msgctl(0, MSG_INFO, (struct msqid_ds *)&info);
    int cmd = MSG_STAT_ANY;
    for (int pass = 0; pass < 2 && max >= 0; pass++) {
        size_t found = 0;
        for (int i = 0; i <= max; i++) {
            struct msqid_ds ds = {0};
            int id = msgctl(i, cmd, &ds);
            if (id < 0) continue;
            found++;
            if (!wanted(f, id, &ds.msg_perm)) continue;
            pipc_object_t *o = push(out, cap);
            if (o == NULL) return PIPC_E_NO_MEMORY;
            common(o, PIPC_KIND_MSG, id, &ds.msg_perm, ds.msg_ctime);
            o->used_bytes = ds.__msg_cbytes;
            o->messages = ds.msg_qnum;
            o->max_bytes = ds.msg_qbytes;
            o->lspid = ds.msg_lspid;
            o->lrpid = ds.msg_lrpid;
            o->stime = ds.msg_stime;
            o->rtime = ds.msg_rtime;
            out->count++;
        }
        if (found > 0 || info.msgpool == 0 || cmd == MSG_STAT) break;
        cmd = MSG_STAT;
    }
    return PIPC_OK;
}

/* ---- derived facts --------------------------------------------------- */

/* A small direct-mapped cache of kill(pid, 0) answers for one scan. */
typedef struct alive_cache_t {
    int pid[256];
    signed char alive[256];
} alive_cache_t;

static int alive_cached(alive_cache_t *c, int pid) {
    if (pid <= 0) return PIPC_UNKNOWN;
    unsigned slot = (unsigned)pid % 256u;
    if (c->pid[slot] != pid) {
        c->pid[slot] = pid;
        c->alive[slot] = (signed char)pipc_pid_alive(pid);
    }
    return c->alive[slot];
}

/* Combines the liveness of recorded pids: 1 if any alive, 0 if all dead,
 * UNKNOWN if none recorded. */
static int any_alive(int acc, int one) {
    if (one == PIPC_UNKNOWN) return acc;
    if (acc == 1 || one == 1) return 1;
    return 0;
}

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

bool pipc_inspect_leaked(const pipc_object_t *o, int64_t min_idle) {
    if (o == NULL || o->idle < min_idle) return false;
    switch (o->kind) {
    case PIPC_KIND_SHM:
        return !o->dest && o->nattch == 0 && o->creator_alive != 1 && o->last_alive != 1;
    case PIPC_KIND_SEM:
        if (o->sems != NULL) {
            for (int i = 0; i < o->nsems; i++)
                if (o->sems[i].ncount || o->sems[i].zcount) return false;
        } else if (o->waiters != 0) {
            return false; /* waiting, or not known */
        }
        break;
    case PIPC_KIND_MSG:
        break;
    default:
        return false;
    }
    if (o->last_alive == 1) return false;
    /* never used: the creator is unknown, so only a long idle time counts */
    if (o->last_alive == PIPC_UNKNOWN && o->idle < max64(min_idle, UNUSED_LEAK_IDLE)) return false;
    return true;
}

/* A set's last_alive and waiters, with as few semctl calls as the verdict
 * needs: the pids (GETPID, or the values already read); the waiters only
 * when no pid is alive and the set could otherwise be judged leaked. */
static void derive_sem(pipc_object_t *o, alive_cache_t *cache) {
    bool any_pid = false;
    o->waiters = PIPC_UNKNOWN;
    if (o->sems != NULL) {
        o->waiters = 0;
        for (int i = 0; i < o->nsems; i++) o->waiters += o->sems[i].ncount + o->sems[i].zcount;
    }
    for (int i = 0; i < o->nsems; i++) {
        int pid = o->sems ? o->sems[i].pid : semctl(o->id, i, GETPID);
        if (pid < 0) { /* unreadable, or gone meanwhile */
            o->last_alive = PIPC_UNKNOWN;
            return;
        }
        any_pid |= pid > 0;
        o->last_alive = any_alive(o->last_alive, alive_cached(cache, pid));
        if (o->last_alive == 1) return;
    }
    if (!any_pid && o->idle < UNUSED_LEAK_IDLE) return; /* cannot be leaked yet */
    int w = 0;
    for (int i = 0; i < o->nsems; i++) {
        int nc = o->sems ? o->sems[i].ncount : semctl(o->id, i, GETNCNT);
        int zc = o->sems ? o->sems[i].zcount : semctl(o->id, i, GETZCNT);
        if (nc < 0 || zc < 0) return;
        w += nc + zc;
    }
    o->waiters = w;
}

static void derive(pipc_object_t *o, alive_cache_t *cache, int64_t now, int removeipc) {
    int64_t last = o->ctime;
    switch (o->kind) {
    case PIPC_KIND_SHM:
        o->creator_alive = alive_cached(cache, o->cpid);
        o->last_alive = alive_cached(cache, o->lpid);
        last = max64(last, max64(o->atime, o->dtime));
        break;
    case PIPC_KIND_MSG:
        o->last_alive = any_alive(alive_cached(cache, o->lspid), alive_cached(cache, o->lrpid));
        last = max64(last, max64(o->stime, o->rtime));
        break;
    case PIPC_KIND_SEM:
        last = max64(last, o->otime);
        break;
    }
    o->age = o->ctime > 0 ? max64(0, now - o->ctime) : 0;
    o->idle = max64(0, now - last);
    if (o->kind == PIPC_KIND_SEM) derive_sem(o, cache);
    o->leaked = pipc_inspect_leaked(o, 0);
    o->removeipc_risk = pipc_uid_is_regular(o->uid) ? removeipc : 0;
}


void pipc_objects_free(pipc_objects_t *objs) {
    if (objs == NULL) return;
    for (size_t i = 0; i < objs->count; i++) {
        free(objs->items[i].sems);
        free(objs->items[i].attached);
    }
    free(objs->items);
    objs->items = NULL;
    objs->count = 0;
}

int pipc_inspect_list(const pipc_filter_t *filter, int what, pipc_objects_t *out) {
    pipc_filter_t f = filter ? *filter : PIPC_FILTER_ANY;
    size_t cap = 0;
    if (out == NULL) return pipc__invalid("inspect: the output is NULL");
    *out = (pipc_objects_t){0};
    if (f.kinds == 0) f.kinds = PIPC_KIND_ALL;
    if (f.kinds & ~PIPC_KIND_ALL) return pipc__invalid("inspect: unknown kind bits %#x", f.kinds);
    if (f.key != INT64_MIN && pipc_key_check(f.key) != PIPC_OK) return PIPC_E_INVALID_ARGUMENT;
    if (f.uid > (int64_t)UINT32_MAX) return pipc__invalid("inspect: uid %lld is out of range", (long long)f.uid);
    int rc = PIPC_OK;
    if (f.kinds & PIPC_KIND_SEM) rc = scan_sem(&f, what, out, &cap);
    if (rc == PIPC_OK && (f.kinds & PIPC_KIND_SHM)) rc = scan_shm(&f, out, &cap);
    if (rc == PIPC_OK && (f.kinds & PIPC_KIND_MSG)) rc = scan_msg(&f, out, &cap);
    if (rc != PIPC_OK) {
        pipc_objects_free(out);
        return pipc_error_set(PIPC_E_NO_MEMORY, ENOMEM, "inspect: out of memory");
    }
    out->now = time(NULL);
    if (what & PIPC_INSPECT_DERIVED) {
        alive_cache_t *cache = calloc(1, sizeof *cache);
        if (cache == NULL) {
            pipc_objects_free(out);
            return pipc_error_set(PIPC_E_NO_MEMORY, ENOMEM, "inspect: out of memory");
        }
        int removeipc = PIPC_UNKNOWN;
        bool removeipc_read = false;
        for (size_t i = 0; i < out->count; i++) {
            if (!removeipc_read && pipc_uid_is_regular(out->items[i].uid)) {
                removeipc = pipc_removeipc_enabled();
                removeipc_read = true;
            }
            derive(&out->items[i], cache, out->now, removeipc);
        }
        free(cache);
    }
    if ((what & PIPC_INSPECT_ATTACHED) && pipc__scan_attached(out) != PIPC_OK) {
        pipc_objects_free(out);
        return pipc_error_set(PIPC_E_NO_MEMORY, ENOMEM, "inspect: out of memory");
    }
    return PIPC_OK;
}
