/*
 * fuzz_ops.c — libFuzzer target over the C core (core/include/polyipc.h).
 *
 * Each input is a program: a sequence of operations (open, attach, read,
 * write, send, receive, op, set value, set perm, stat, remove, detach ...)
 * on a few handle slots of each kind, with arguments chosen by the fuzzer
 * (absurd sizes, offsets, indices, types, flags and timeouts included).
 * Every call is checked against a small model of the kernel objects the
 * input created (model.h):
 *   - a failure has a kind from the error table, the same code in
 *     pipc_error_last(), a non-empty message, and a subject as its site
 *     says (a key, an id, max_message_size, or PIPC_SUBJECT_NONE);
 *   - a call the model can decide gets exactly the decided outcome (an
 *     argument out of range is INVALID_ARGUMENT, a removed object is
 *     EXISTENTIAL, a semop that would block is BUSY ...);
 *   - what was written is read back (semaphore values, segment bytes,
 *     message types and bytes, in the kernel's selection order);
 *   - a failing open or attach leaves the handle untouched;
 *   - nothing blocks: blocking forms are only used when the model says they
 *     can complete at once (a wrong model shows as a libFuzzer timeout);
 *   - at the end of the input everything it created is removed and detached,
 *     and /proc/sysvipc holds exactly what it held before.
 * A violated invariant aborts with a description (a libFuzzer crash).
 *
 * It creates System V objects with fixed keys near a random base, so it
 * refuses to run in the machine's own IPC namespace: run it under
 * `unshare --ipc` (ctest already runs inside one).
 */
#define _GNU_SOURCE /* readlink, getrandom */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "polyipc.h"

/* ---------------------------------------------------------------- input */

typedef struct {
    const uint8_t *p;
    size_t n;
} input_t;

static uint8_t u8(input_t *in) {
    if (in->n == 0) return 0;
    in->n--;
    return *in->p++;
}

static uint16_t u16(input_t *in) { return (uint16_t)(u8(in) | (u8(in) << 8)); }

static uint64_t u64(input_t *in) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)u8(in) << (8 * i);
    return v;
}

static const int64_t SPECIAL[] = {
    0, 1, -1, 2, 255, 256, 32767, 32768, 65535, 65536, INT32_MAX, INT32_MIN, (int64_t)1 << 31,
    (int64_t)1 << 32, -((int64_t)1 << 32), INT64_MAX, INT64_MIN, INT64_MIN + 1, 64 << 20,
    (64 << 20) + 1, 8192, 8193, 16384, 4096, 4095, 4097, -32768, -32769, 1000000000000LL};
#define NSPECIAL (sizeof SPECIAL / sizeof SPECIAL[0])

/* A number in the plausible range [lo, hi] most of the time, else an absurd
 * one (a boundary value or 64 random bits). */
static int64_t pick(input_t *in, int64_t lo, int64_t hi) {
    uint8_t sel = u8(in);
    if (sel < 0xC0) {
        uint64_t span = (uint64_t)(hi - lo) + 1;
        uint64_t r = sel < 0x80 ? u8(in) : u16(in);
        return span == 0 ? lo + (int64_t)r : lo + (int64_t)(r % span);
    }
    if (sel < 0xF8) return SPECIAL[(sel - 0xC0) % NSPECIAL];
    return (int64_t)u64(in);
}

/* ---------------------------------------------------------------- failure */

static char g_trace[8192]; /* the operations of the current input, for reports */
static size_t g_trace_len;

static bool g_trace_live; /* POLYIPC_FUZZ_TRACE set: also print each step as it runs */

static void trace(const char *fmt, ...) {
    va_list ap;
    if (g_trace_live) {
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
    }
    va_start(ap, fmt);
    if (g_trace_len < sizeof g_trace - 1) {
        int k = vsnprintf(g_trace + g_trace_len, sizeof g_trace - g_trace_len, fmt, ap);
        if (k > 0) g_trace_len += (size_t)k;
        if (g_trace_len > sizeof g_trace - 1) g_trace_len = sizeof g_trace - 1;
    }
    va_end(ap);
}

__attribute__((noreturn, format(printf, 1, 2))) static void fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "\n==== polyipc fuzz invariant violated: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    const pipc_error_t *e = pipc_error_last();
    fprintf(stderr,
            "\nlast error: code %d errno %d site %d subject %lld \"%s\"\noperations of this "
            "input:\n%s\n",
            e->code, e->sys_errno, e->site, (long long)e->subject, e->message, g_trace);
    abort();
}

/* Outcome sets: bit 0 is success, bit k is error code -k. */
#define OK_ (1u << 0)
#define K(e) (1u << (unsigned)(-(PIPC_E_##e)))
#define ANY_ERR (((1u << (PIPC_ERROR_KIND_COUNT + 1)) - 1) & ~1u)
#define ANY (ANY_ERR | OK_)

static const char *kind_name(int rc) { return rc == 0 ? "OK" : pipc_error_name(rc); }

/* pipc_error_t.subject is what its site says it is (polyipc.h). */
static bool subject_fits_site(const pipc_error_t *e) {
    switch (e->site) {
    case PIPC_SITE_SEMGET:
    case PIPC_SITE_SHMGET:
    case PIPC_SITE_MSGGET:
        return e->subject >= PIPC_KEY_MIN && e->subject <= PIPC_KEY_MAX;
    case PIPC_SITE_SEMOP:
    case PIPC_SITE_SEMCTL:
    case PIPC_SITE_SEMCTL_SET:
    case PIPC_SITE_SHMAT:
    case PIPC_SITE_SHMDT:
    case PIPC_SITE_SHMCTL:
    case PIPC_SITE_SHMCTL_SET:
    case PIPC_SITE_MSGSND:
    case PIPC_SITE_MSGRCV:
    case PIPC_SITE_MSGCTL:
    case PIPC_SITE_MSGCTL_SET:
    case PIPC_SITE_OTHER:
        return e->subject >= 0 && e->subject <= INT_MAX;
    case PIPC_SITE_MSG_TOO_LONG:
        return e->subject >= 1;
    default:
        return e->subject == PIPC_SUBJECT_NONE;
    }
}

/* Checks the error invariants of a result, then that it is in `allowed`. */
static int check(const char *what, int rc, unsigned allowed) {
    if (rc != PIPC_OK) {
        if (rc >= 0 || rc < PIPC_E_LAST || pipc_error_name(rc) == NULL)
            fail("%s returned %d, not a kind of the table", what, rc);
        const pipc_error_t *e = pipc_error_last();
        if (e->code != rc) fail("%s returned %d but pipc_error_last()->code is %d", what, rc, e->code);
        if (e->message[0] == '\0') fail("%s failed (%s) with an empty message", what, kind_name(rc));
        if (memchr(e->message, '\0', sizeof e->message) == NULL)
            fail("%s: the message is not NUL-terminated", what);
        if (!subject_fits_site(e))
            fail("%s: subject %lld does not fit site %d", what, (long long)e->subject, e->site);
    }
    unsigned bit = rc == 0 ? 1u : 1u << (unsigned)(-rc);
    if (!(allowed & bit)) fail("%s returned %s (%d), not an allowed outcome (mask 0x%x)", what, kind_name(rc), rc, allowed);
    trace(" -> %s\n", kind_name(rc));
    return rc;
}

/* ---------------------------------------------------------------- model */

enum { SLOTS = 4, MAX_OBJS = 64, MAX_MSGS = 2048, SHADOW_MAX = 1 << 20, BUF = 1 << 16 };
enum kind { SEM, SHM, MSG };

typedef struct {
    long type;
    size_t len;
    uint8_t seed; /* byte i of the text is seed + 31*i */
} mmsg_t;

typedef struct {
    bool used;
    enum kind kind;
    int id;
    int32_t key;     /* IPC_PRIVATE after removal */
    bool removed;
    /* semaphores */
    int nsems;
    int *vals;
    int *adj; /* this process's SEM_UNDO adjustment per semaphore */
    /* shared memory */
    uint64_t size;
    uint8_t *shadow; /* the first min(size, SHADOW_MAX) bytes */
    int nattch;      /* attachments through our handles */
    bool huge;       /* SHM_HUGETLB: touching an unreserved page may raise SIGBUS */
    /* message queues */
    mmsg_t *msgs;
    int nmsgs;
    uint64_t qbytes, cbytes;
} mobj_t;

static mobj_t g_obj[MAX_OBJS];
static pipc_sem_t g_sem[SLOTS];
static pipc_shm_t g_shm[SLOTS];
static pipc_msg_t g_msg[SLOTS];
static int g_sem_o[SLOTS], g_shm_o[SLOTS], g_msg_o[SLOTS]; /* model object index, -1 none */

static int32_t g_key_base;
static uint64_t g_msgmax = 8192, g_msgmnb = 16384;
static int g_semmsl = 32000, g_semopm = 500;
static long g_page;
static int g_baseline_objects;
static uint8_t g_src[BUF]; /* pattern source for writes and sends */
static uint8_t g_dst[BUF + 64];
static int64_t g_vals64[1024];
static int g_vals[1024];

static void pattern(uint8_t *dst, size_t n, uint8_t seed) {
    for (size_t i = 0; i < n; i++) dst[i] = (uint8_t)(seed + 31 * i);
}

static int find_obj(enum kind k, int id) {
    for (int i = 0; i < MAX_OBJS; i++)
        if (g_obj[i].used && g_obj[i].kind == k && g_obj[i].id == id) return i;
    return -1;
}

/* The live (not removed) object of kind k with this key, or -1. */
static int find_key(enum kind k, int32_t key) {
    if (key == 0) return -1;
    for (int i = 0; i < MAX_OBJS; i++)
        if (g_obj[i].used && g_obj[i].kind == k && !g_obj[i].removed && g_obj[i].key == key) return i;
    return -1;
}

/* The model tracks at most MAX_OBJS objects per input (removed ones
 * included, for id reuse): an open that could create one more is skipped
 * when the table is full, so a long input is not taken for a failure. */
static bool obj_table_full(void) {
    for (int i = 0; i < MAX_OBJS; i++)
        if (!g_obj[i].used) return false;
    return true;
}

static int new_obj(enum kind k, int id, int32_t key) {
    for (int i = 0; i < MAX_OBJS; i++)
        if (!g_obj[i].used) {
            memset(&g_obj[i], 0, sizeof g_obj[i]);
            g_obj[i].used = true;
            g_obj[i].kind = k;
            g_obj[i].id = id;
            g_obj[i].key = key;
            return i;
        }
    fail("more than %d objects in one input", MAX_OBJS);
}

static void free_obj(mobj_t *o) {
    free(o->vals);
    free(o->adj);
    free(o->shadow);
    free(o->msgs);
    memset(o, 0, sizeof *o);
}

static bool obj_gone(int o) { return o < 0 || g_obj[o].removed; }

/* Every object in this IPC namespace (/proc/sysvipc). */
static int count_objects(void) {
    static const char *files[] = {"/proc/sysvipc/sem", "/proc/sysvipc/shm", "/proc/sysvipc/msg"};
    int n = 0;
    char line[512];
    for (int i = 0; i < 3; i++) {
        FILE *f = fopen(files[i], "r");
        if (f == NULL) fail("cannot open %s", files[i]);
        bool header = true;
        while (fgets(line, sizeof line, f) != NULL) {
            if (!header) n++;
            header = false;
        }
        fclose(f);
    }
    return n;
}

/* Keys: a few fixed ones near a random base (so slots can meet on a key),
 * IPC_PRIVATE, the random-key sentinel, or an absurd number. */
static int64_t pick_key(input_t *in) {
    uint8_t s = u8(in);
    if (s < 0x80) return g_key_base + (s & 3);
    if (s < 0xB0) return PIPC_IPC_PRIVATE;
    if (s < 0xE0) return PIPC_KEY_RANDOM;
    return pick(in, 0, 0);
}

static int64_t pick_open_flags(input_t *in) {
    static const int64_t F[] = {PIPC_IPC_CREX, PIPC_IPC_CREAT, 0, PIPC_IPC_CREX | 0600, PIPC_IPC_EXCL};
    uint8_t s = u8(in);
    if (s < 0xE0) return F[s % 5];
    return pick(in, 0, 0xFFFF);
}

/* What an open call should do, from the model and the arguments (already
 * known to be valid): create, open existing object `o`, or fail with EXISTENTIAL. */
typedef struct {
    bool create;
    int existing;
    unsigned allowed;
} open_plan_t;

static open_plan_t plan_open(enum kind k, int64_t key, int64_t flags) {
    open_plan_t p = {false, -1, 0};
    bool creat = (flags & PIPC_IPC_CREAT) != 0, excl = (flags & PIPC_IPC_EXCL) != 0;
    if (key == PIPC_IPC_PRIVATE || key == PIPC_KEY_RANDOM) {
        p.create = true;
        p.allowed = OK_ | K(LIMIT) | K(NO_MEMORY) | K(INVALID_ARGUMENT);
        if (key == PIPC_KEY_RANDOM) p.allowed |= K(EXISTENTIAL); /* 1000 keys all taken: never here */
        return p;
    }
    int o = find_key(k, (int32_t)key);
    bool ours = key >= g_key_base && key < g_key_base + 4;
    if (o >= 0) {
        p.existing = o;
        p.allowed = excl ? K(EXISTENTIAL) : OK_ | K(INVALID_ARGUMENT); /* nsems/size larger than it */
    } else if (ours) {
        p.create = creat;
        p.allowed = creat ? OK_ | K(LIMIT) | K(NO_MEMORY) | K(INVALID_ARGUMENT) : K(EXISTENTIAL);
    } else {
        p.create = creat; /* some other key: nothing exists there in our namespace */
        p.allowed = creat ? OK_ | K(LIMIT) | K(NO_MEMORY) | K(INVALID_ARGUMENT) : K(EXISTENTIAL);
    }
    return p;
}

static bool open_args_ok(int64_t key, int64_t flags, int64_t mode, int64_t allowed_flags) {
    if (key != PIPC_KEY_RANDOM && (key < INT32_MIN || key > INT32_MAX)) return false;
    if (flags < 0 || (flags & ~(allowed_flags | 0777)) != 0) return false;
    if ((flags & PIPC_IPC_EXCL) && !(flags & PIPC_IPC_CREAT)) return false;
    if (key == PIPC_KEY_RANDOM && (flags & PIPC_IPC_CREX) != PIPC_IPC_CREX) return false;
    if (mode < 0) return false;
    return true;
}

/* Timeouts: 0, tiny, absurd (NaN, negative) or, only when `may_wait_forever`
 * (the model says the call completes at once), forever or NULL. */
static double *pick_timeout(input_t *in, double *slot, bool may_wait_forever, bool *bad) {
    uint8_t s = u8(in) % 8;
    *bad = false;
    switch (s) {
    case 0: case 1: *slot = 0; return slot;
    case 2: *slot = 1e-4; return slot;
    case 3: *slot = NAN; *bad = true; return slot;
    case 4: *slot = -1.5; *bad = true; return slot;
    case 5: if (may_wait_forever) { *slot = INFINITY; return slot; } *slot = 0; return slot;
    case 6: if (may_wait_forever) return NULL; *slot = 1e-5; return slot;
    default: if (may_wait_forever) { *slot = 1e13; return slot; } *slot = 0; return slot;
    }
}

/* ---------------------------------------------------------------- semaphores */

typedef struct { int64_t index, delta, flags; } sop_t;

/* The kernel's semop on the model: applied in order on a copy; the first op
 * that would block or go out of range decides. Returns 0 (applied to the
 * model), 1 (would block) or 2 (ERANGE). */
static int model_semop(mobj_t *o, const sop_t *ops, size_t n, bool apply) {
    int vals[64], adj[64];
    int idx[64];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) { /* copy-on-touch of the touched semaphores */
        size_t j;
        for (j = 0; j < m && idx[j] != ops[i].index; j++) {}
        if (j == m) { idx[m] = (int)ops[i].index; vals[m] = o->vals[ops[i].index]; adj[m] = o->adj[ops[i].index]; m++; }
    }
    for (size_t i = 0; i < n; i++) {
        size_t j;
        for (j = 0; idx[j] != ops[i].index; j++) {}
        int d = (int)ops[i].delta;
        if (d == 0 && vals[j] != 0) return 1;
        int r = vals[j] + d;
        if (r < 0) return 1;
        if (r > PIPC_SEMVMX) return 2;
        if (ops[i].flags & PIPC_SEM_UNDO) {
            int u = adj[j] - d;
            if (u < -32768 || u > 32767) return 2;
            adj[j] = u;
        }
        vals[j] = r;
    }
    if (apply)
        for (size_t j = 0; j < m; j++) { o->vals[idx[j]] = vals[j]; o->adj[idx[j]] = adj[j]; }
    return 0;
}

/* A semop (any of acquire/release/wait_zero/op) whose arguments were valid:
 * the outcome the model decides. */
static unsigned semop_outcome(int o, int verdict) {
    if (obj_gone(o)) return K(EXISTENTIAL);
    /* A call that waits (a tiny timeout) can meet a signal: libFuzzer's own
     * SIGALRM watchdog. Nothing was applied then. */
    if (verdict == 1) return K(BUSY) | K(INTERRUPTED);
    if (verdict == 2) return K(INVALID_ARGUMENT);
    return OK_;
}

static void sem_verify(int s) {
    int o = g_sem_o[s];
    if (o < 0 || g_obj[o].removed) return;
    mobj_t *m = &g_obj[o];
    if (m->nsems > 1024) return;
    trace("verify sem[%d] GETALL", s);
    check("GETALL", pipc_sem_get_all(&g_sem[s], g_vals, 1024), OK_);
    for (int i = 0; i < m->nsems; i++)
        if (g_vals[i] != m->vals[i])
            fail("semaphore %d of set %d is %d, the model says %d", i, m->id, g_vals[i], m->vals[i]);
}

static void op_sem_open(input_t *in) {
    if (obj_table_full()) return;
    int s = u8(in) % SLOTS;
    int64_t key = pick_key(in), flags = pick_open_flags(in);
    int64_t nsems = pick(in, 0, 8), init = pick(in, 0, 3), mode = pick(in, 0, 0777);
    if (u8(in) & 1) mode = 0600;
    trace("sem[%d] open key=%lld nsems=%lld flags=0%llo mode=0%llo init=%lld", s, (long long)key,
          (long long)nsems, (unsigned long long)flags, (unsigned long long)mode, (long long)init);
    bool args = open_args_ok(key, flags, mode, PIPC_IPC_CREX);
    bool may_create = key == PIPC_KEY_RANDOM || key == 0 || (flags & PIPC_IPC_CREAT);
    if (nsems < (may_create ? 1 : 0) || nsems > INT32_MAX) args = false;
    if (init < 0 || init > PIPC_SEMVMX) args = false;
    open_plan_t p = args ? plan_open(SEM, key, flags) : (open_plan_t){false, -1, K(INVALID_ARGUMENT)};
    if (args && p.existing >= 0 && !(flags & PIPC_IPC_EXCL) && nsems > g_obj[p.existing].nsems) p.allowed = K(INVALID_ARGUMENT);
    if (args && p.existing >= 0 && !(flags & PIPC_IPC_EXCL) && nsems <= g_obj[p.existing].nsems) p.allowed = OK_;
    if (args && nsems > g_semmsl) p.allowed = K(INVALID_ARGUMENT); /* checked before the key */
    pipc_sem_t h, before;
    memset(&h, 0xA5, sizeof h);
    before = h;
    int rc = check("sem_open", pipc_sem_open(&h, key, nsems, flags, mode, init), p.allowed);
    if (rc != PIPC_OK) {
        if (memcmp(&h, &before, sizeof h) != 0) fail("a failing sem_open changed the handle");
        return;
    }
    int o;
    if (p.existing >= 0) {
        if (h.created || h.id != g_obj[p.existing].id) fail("sem_open did not open the existing set %d", g_obj[p.existing].id);
        o = p.existing;
    } else {
        if (!h.created) fail("sem_open should have created a set");
        if (find_obj(SEM, h.id) >= 0 && !g_obj[find_obj(SEM, h.id)].removed) fail("a new set has the id of a live one");
        int old = find_obj(SEM, h.id);
        if (old >= 0) free_obj(&g_obj[old]);
        o = new_obj(SEM, h.id, h.key);
        g_obj[o].nsems = (int)nsems;
        g_obj[o].vals = calloc((size_t)nsems, sizeof(int));
        g_obj[o].adj = calloc((size_t)nsems, sizeof(int));
        for (int i = 0; i < nsems; i++) g_obj[o].vals[i] = (int)init;
    }
    if (h.nsems != g_obj[o].nsems) fail("sem_open: nsems %d, the model says %d", h.nsems, g_obj[o].nsems);
    if (!h.block || h.undo) fail("sem_open: block/undo defaults wrong");
    g_sem[s] = h;
    g_sem_o[s] = o;
}

static void op_sem_open_id(input_t *in) {
    int s = u8(in) % SLOTS, src = u8(in) % SLOTS;
    int64_t id = g_sem_o[src] >= 0 ? g_obj[g_sem_o[src]].id : 0;
    if (u8(in) & 1) id = pick(in, id, id + 2);
    trace("sem[%d] open_id %lld", s, (long long)id);
    int o = id >= 0 && id <= INT32_MAX ? find_obj(SEM, (int)id) : -1;
    unsigned allowed = id < 0 || id > INT32_MAX ? K(INVALID_ARGUMENT) : obj_gone(o) ? K(EXISTENTIAL) : OK_;
    pipc_sem_t h;
    memset(&h, 0x5A, sizeof h);
    pipc_sem_t before = h;
    int rc = check("sem_open_id", pipc_sem_open_id(&h, id), allowed);
    if (rc != PIPC_OK) {
        if (memcmp(&h, &before, sizeof h) != 0) fail("a failing sem_open_id changed the handle");
        return;
    }
    if (h.nsems != g_obj[o].nsems || h.key != g_obj[o].key) fail("sem_open_id: wrong nsems/key");
    g_sem[s] = h;
    g_sem_o[s] = o;
}

static void op_sem_acquire_release(input_t *in, int which) {
    int s = u8(in) % SLOTS, o = g_sem_o[s];
    if (o < 0) return;
    pipc_sem_t *h = &g_sem[s];
    if (u8(in) & 1) { h->block = u8(in) & 1; h->undo = u8(in) & 1; }
    int64_t index = pick(in, 0, h->nsems - 1), delta = pick(in, 1, 3);
    bool idx_ok = index >= 0 && index < h->nsems;
    int64_t d = delta >= 1 && delta <= 32767 ? delta : 1; /* only used when valid */
    sop_t op = {index, which == 0 ? -d : which == 1 ? d : 0,
                (h->undo && which != 2 ? PIPC_SEM_UNDO : 0) | (h->block || which == 1 ? 0 : PIPC_IPC_NOWAIT)};
    bool delta_ok = which == 2 || (delta >= 1 && delta <= 32767);
    int verdict = idx_ok && delta_ok && !obj_gone(o) ? model_semop(&g_obj[o], &op, 1, false) : 0;
    double tslot, *t = NULL;
    bool bad = false;
    if (which != 1) t = pick_timeout(in, &tslot, verdict != 1 || !h->block, &bad);
    trace("sem[%d] %s index=%lld delta=%lld block=%d undo=%d timeout=%s%g", s,
          which == 0 ? "acquire" : which == 1 ? "release" : "wait_zero", (long long)index, (long long)delta,
          h->block, h->undo, t ? "" : "NULL ", t ? *t : 0.0);
    unsigned allowed = !idx_ok || !delta_ok || bad ? K(INVALID_ARGUMENT) : semop_outcome(o, verdict);
    int rc;
    if (which == 0) rc = pipc_sem_acquire(h, index, delta, t);
    else if (which == 1) rc = pipc_sem_release(h, index, delta);
    else rc = pipc_sem_wait_zero(h, index, t);
    rc = check("sem acquire/release/wait_zero", rc, allowed);
    if (rc == PIPC_OK) model_semop(&g_obj[o], &op, 1, true);
}

static void op_sem_op(input_t *in) {
    int s = u8(in) % SLOTS, o = g_sem_o[s];
    if (o < 0) return;
    pipc_sem_t *h = &g_sem[s];
    sop_t ops[64];
    pipc_sem_op_t pops[64];
    size_t n = u8(in) % 9;
    if (u8(in) == 0xFF) n = 64; /* many operations: the heap path */
    bool args = n > 0;
    for (size_t i = 0; i < n; i++) {
        ops[i].index = pick(in, 0, h->nsems - 1);
        ops[i].delta = pick(in, -3, 3);
        uint8_t f = u8(in);
        ops[i].flags = f < 0xF0 ? (f & 1 ? PIPC_IPC_NOWAIT : 0) | (f & 2 ? PIPC_SEM_UNDO : 0) : pick(in, 0, 0xFFFF);
        if (ops[i].index < 0 || ops[i].index >= h->nsems || ops[i].delta < -32768 || ops[i].delta > 32767 ||
            ops[i].flags < 0 || (ops[i].flags & ~(int64_t)(PIPC_IPC_NOWAIT | PIPC_SEM_UNDO)))
            args = false;
        pops[i] = (pipc_sem_op_t){ops[i].index, ops[i].delta, ops[i].flags};
    }
    int verdict = args && !obj_gone(o) && n <= (size_t)g_semopm ? model_semop(&g_obj[o], ops, n, false) : 0;
    bool all_nowait = true;
    for (size_t i = 0; i < n; i++)
        if (ops[i].delta <= 0 && !(ops[i].flags & PIPC_IPC_NOWAIT)) all_nowait = false;
    double tslot;
    bool bad;
    double *t = pick_timeout(in, &tslot, verdict != 1 || all_nowait, &bad);
    trace("sem[%d] op n=%zu timeout=%s%g ops:", s, n, t ? "" : "NULL ", t ? *t : 0.0);
    for (size_t i = 0; i < n && i < 8; i++)
        trace(" (%lld,%lld,0%llo)", (long long)ops[i].index, (long long)ops[i].delta, (unsigned long long)ops[i].flags);
    unsigned allowed = !args || bad ? K(INVALID_ARGUMENT) : semop_outcome(o, verdict);
    int rc = check("sem_op", pipc_sem_op(h, n ? pops : NULL, n, t), allowed);
    if (rc == PIPC_OK) model_semop(&g_obj[o], ops, n, true);
}

static void op_sem_set(input_t *in) {
    int s = u8(in) % SLOTS, o = g_sem_o[s];
    if (o < 0) return;
    pipc_sem_t *h = &g_sem[s];
    if (u8(in) & 1) {
        int64_t index = pick(in, 0, h->nsems - 1), value = pick(in, 0, 5);
        trace("sem[%d] set_value index=%lld value=%lld", s, (long long)index, (long long)value);
        bool ok = index >= 0 && index < h->nsems && value >= 0 && value <= PIPC_SEMVMX;
        int rc = check("sem_set_value", pipc_sem_set_value(h, index, value),
                       !ok ? K(INVALID_ARGUMENT) : obj_gone(o) ? K(EXISTENTIAL) : OK_);
        if (rc == PIPC_OK) { g_obj[o].vals[index] = (int)value; g_obj[o].adj[index] = 0; }
    } else {
        size_t count = (size_t)h->nsems;
        if (u8(in) < 0x20) count = u8(in) % 10;
        bool ok = count == (size_t)h->nsems && count <= 1024;
        if (count > 1024) return;
        for (size_t i = 0; i < count; i++) {
            g_vals64[i] = pick(in, 0, 5);
            if (g_vals64[i] < 0 || g_vals64[i] > PIPC_SEMVMX) ok = false;
        }
        trace("sem[%d] set_all count=%zu", s, count);
        int rc = check("sem_set_all", pipc_sem_set_all(h, g_vals64, count),
                       !ok ? K(INVALID_ARGUMENT) : obj_gone(o) ? K(EXISTENTIAL) : OK_);
        if (rc == PIPC_OK)
            for (size_t i = 0; i < count; i++) { g_obj[o].vals[i] = (int)g_vals64[i]; g_obj[o].adj[i] = 0; }
    }
}

static void op_sem_get(input_t *in) {
    int s = u8(in) % SLOTS, o = g_sem_o[s];
    if (o < 0) return;
    pipc_sem_t *h = &g_sem[s];
    int64_t index = pick(in, 0, h->nsems - 1);
    bool ok = index >= 0 && index < h->nsems;
    unsigned allowed = !ok ? K(INVALID_ARGUMENT) : obj_gone(o) ? K(EXISTENTIAL) : OK_;
    int v = -7, which = u8(in) % 5;
    trace("sem[%d] get%d index=%lld", s, which, (long long)index);
    switch (which) {
    case 0:
        if (check("sem_get_value", pipc_sem_get_value(h, index, &v), allowed) == PIPC_OK && v != g_obj[o].vals[index])
            fail("GETVAL %d, the model says %d", v, g_obj[o].vals[index]);
        break;
    case 1:
        if (check("sem_get_pid", pipc_sem_get_pid(h, index, &v), allowed) == PIPC_OK && v != 0 && v != getpid())
            fail("GETPID %d is neither 0 nor us", v);
        break;
    case 2:
        if (check("sem_get_ncount", pipc_sem_get_ncount(h, index, &v), allowed) == PIPC_OK && v != 0)
            fail("GETNCNT %d with nobody waiting", v);
        break;
    case 3:
        if (check("sem_get_zcount", pipc_sem_get_zcount(h, index, &v), allowed) == PIPC_OK && v != 0)
            fail("GETZCNT %d with nobody waiting", v);
        break;
    default: {
        pipc_sem_info_t info;
        if (check("sem_stat", pipc_sem_stat(h, &info), obj_gone(o) ? K(EXISTENTIAL) : OK_) == PIPC_OK &&
            (info.nsems != g_obj[o].nsems || info.perm.key != g_obj[o].key))
            fail("sem_stat: nsems %d key %d, the model says %d %d", info.nsems, info.perm.key, g_obj[o].nsems, g_obj[o].key);
        size_t count = u8(in) % 10;
        if (!obj_gone(o) && g_obj[o].nsems <= 1024) {
            bool fits = count >= (size_t)g_obj[o].nsems;
            trace("sem[%d] get_all count=%zu", s, count);
            if (check("sem_get_all", pipc_sem_get_all(h, g_vals, count), fits ? OK_ : K(INVALID_ARGUMENT)) == PIPC_OK)
                for (int i = 0; i < g_obj[o].nsems; i++)
                    if (g_vals[i] != g_obj[o].vals[i]) fail("GETALL[%d] %d, the model says %d", i, g_vals[i], g_obj[o].vals[i]);
        }
    }
    }
}

/* ---------------------------------------------------------------- shared memory */

static void shm_detach_quiet(int s) {
    if (g_shm[s].attached) {
        int o = g_shm_o[s];
        pipc_shm_detach(&g_shm[s]);
        if (o >= 0) g_obj[o].nattch--;
    }
}

static void op_shm_open(input_t *in) {
    if (obj_table_full()) return;
    int s = u8(in) % SLOTS;
    int64_t key = pick_key(in), flags = pick_open_flags(in), mode = 0600;
    int64_t size = pick(in, 0, 9000), fill = pick(in, -1, 255);
    if (u8(in) == 0xFF) flags |= u8(in) & 1 ? 04000 /* SHM_HUGETLB */ : 010000 /* SHM_NORESERVE */;
    /* A huge new segment is allowed (NORESERVE makes it cheap), but filling
     * one would touch every page: the harness fills small ones only. */
    if (size > SHADOW_MAX && fill > 0) fill = -1;
    trace("shm[%d] open key=%lld size=%lld flags=0%llo fill=%lld", s, (long long)key, (long long)size,
          (unsigned long long)flags, (long long)fill);
    bool args = open_args_ok(key, flags, mode, PIPC_IPC_CREX | 04000 | 010000) && size >= 0 && fill >= -1 && fill <= 255;
    open_plan_t p = args ? plan_open(SHM, key, flags) : (open_plan_t){false, -1, K(INVALID_ARGUMENT)};
    if (args && p.existing >= 0 && !(flags & PIPC_IPC_EXCL))
        p.allowed = size <= (int64_t)g_obj[p.existing].size ? OK_ : K(INVALID_ARGUMENT);
    if (args && (flags & 04000)) p.allowed |= ANY_ERR; /* hugetlb pages may not exist */
    shm_detach_quiet(s);
    pipc_shm_t h, before;
    memset(&h, 0xA5, sizeof h);
    before = h;
    int rc = check("shm_open", pipc_shm_open(&h, key, size, flags, mode, fill), p.allowed);
    if (rc != PIPC_OK) {
        if (memcmp(&h, &before, sizeof h) != 0) fail("a failing shm_open changed the handle");
        return;
    }
    int o;
    if (h.attached || h.address != NULL) fail("shm_open attached");
    if (p.existing >= 0) {
        if (h.created || h.id != g_obj[p.existing].id) fail("shm_open did not open the existing segment");
        o = p.existing;
    } else {
        if (!h.created) fail("shm_open should have created a segment");
        int old = find_obj(SHM, h.id);
        if (old >= 0) {
            if (!g_obj[old].removed || g_obj[old].nattch > 0) fail("a new segment has the id of a live one");
            free_obj(&g_obj[old]);
        }
        o = new_obj(SHM, h.id, h.key);
        uint64_t sz = size == 0 ? (uint64_t)g_page : (uint64_t)size;
        if (h.size != sz) fail("shm_open: size %zu, expected %llu", h.size, (unsigned long long)sz);
        g_obj[o].size = sz;
        g_obj[o].huge = (flags & 04000) != 0;
        size_t sh = sz < SHADOW_MAX ? (size_t)sz : SHADOW_MAX;
        g_obj[o].shadow = malloc(sh ? sh : 1);
        memset(g_obj[o].shadow, fill > 0 ? (int)fill : 0, sh);
    }
    g_shm[s] = h;
    g_shm_o[s] = o;
}

static void op_shm_open_id(input_t *in) {
    int s = u8(in) % SLOTS, src = u8(in) % SLOTS;
    int64_t id = g_shm_o[src] >= 0 ? g_obj[g_shm_o[src]].id : 0;
    if (u8(in) & 1) id = pick(in, id, id + 2);
    trace("shm[%d] open_id %lld", s, (long long)id);
    int o = id >= 0 && id <= INT32_MAX ? find_obj(SHM, (int)id) : -1;
    /* A removed segment lives on while attached (IPC_STAT still works). */
    unsigned allowed = id < 0 || id > INT32_MAX ? K(INVALID_ARGUMENT)
                       : o < 0 ? K(EXISTENTIAL)
                       : !g_obj[o].removed ? OK_
                       : g_obj[o].nattch > 0 ? OK_ | K(EXISTENTIAL) : K(EXISTENTIAL);
    shm_detach_quiet(s);
    pipc_shm_t h;
    memset(&h, 0x5A, sizeof h);
    pipc_shm_t before = h;
    int rc = check("shm_open_id", pipc_shm_open_id(&h, id), allowed);
    if (rc != PIPC_OK) {
        if (memcmp(&h, &before, sizeof h) != 0) fail("a failing shm_open_id changed the handle");
        return;
    }
    if (h.size != g_obj[o].size || h.attached) fail("shm_open_id: size %zu, the model says %llu", h.size, (unsigned long long)g_obj[o].size);
    g_shm[s] = h;
    g_shm_o[s] = o;
}

static void op_shm_attach(input_t *in) {
    int s = u8(in) % SLOTS, o = g_shm_o[s];
    if (o < 0) return;
    pipc_shm_t *h = &g_shm[s];
    uint8_t f = u8(in);
    int64_t flags = f < 0xF0 ? (f & 1 ? PIPC_SHM_RDONLY : 0) | (f & 2 ? PIPC_SHM_RND : 0) : pick(in, 0, 0xFFFFF);
    uint64_t address = 0;
    uint8_t a = u8(in) % 8;
    bool own = false;
    if (a == 1 && h->attached) { address = (uintptr_t)h->address; own = true; }
    else if (a == 2 && h->attached) { address = (uintptr_t)h->address + 1; own = true; flags |= PIPC_SHM_RND; }
    else if (a == 3) address = (uint64_t)pick(in, 0, 0);   /* absurd, never SHM_REMAP */
    else if (a == 4 && h->attached) { address = (uintptr_t)h->address; own = true; flags |= PIPC_SHM_REMAP; }
    /* SHM_REMAP over memory the harness does not own would clobber it: the
     * core cannot prevent that (it is the point of SHM_REMAP). */
    if ((flags & PIPC_SHM_REMAP) && !own) flags &= ~(int64_t)PIPC_SHM_REMAP;
    trace("shm[%d] attach address=0x%llx flags=0%llo", s, (unsigned long long)address, (unsigned long long)flags);
    bool args = flags >= 0 && !(flags & ~(int64_t)(PIPC_SHM_RDONLY | PIPC_SHM_RND | PIPC_SHM_REMAP));
    unsigned allowed;
    if (!args || ((flags & PIPC_SHM_RND) && address != 0 && address < (uint64_t)g_page))
        allowed = K(INVALID_ARGUMENT); /* rounds down to 0: refused by the core */
    else if (g_obj[o].removed) /* still attached somewhere: attachable, and the kernel decides on addresses */
        allowed = g_obj[o].nattch > 0 ? OK_ | K(EXISTENTIAL) | K(INVALID_ARGUMENT) | K(NO_MEMORY) : K(EXISTENTIAL);
    else if (address == 0) allowed = OK_ | K(NO_MEMORY);
    else allowed = OK_ | K(INVALID_ARGUMENT) | K(NO_MEMORY); /* the kernel decides on addresses */
    if (own && !(flags & PIPC_SHM_REMAP) && args && !g_obj[o].removed) allowed = K(INVALID_ARGUMENT); /* occupied */
    pipc_shm_t before = *h;
    int rc = check("shm_attach", pipc_shm_attach(h, address, flags), allowed);
    if (rc != PIPC_OK) {
        if (memcmp(h, &before, sizeof *h) != 0) fail("a failing shm_attach changed the handle");
        return;
    }
    if (!before.attached) g_obj[o].nattch++;
    if (!h->attached || h->size != g_obj[o].size || h->read_only != ((flags & PIPC_SHM_RDONLY) != 0))
        fail("shm_attach: handle state wrong (size %zu, model %llu)", h->size, (unsigned long long)g_obj[o].size);
    if (own && (flags & (PIPC_SHM_REMAP)) && (uintptr_t)h->address != (address & ~(uint64_t)(g_page - 1)))
        fail("SHM_REMAP attached elsewhere");
}

static void op_shm_detach(input_t *in) {
    int s = u8(in) % SLOTS, o = g_shm_o[s];
    if (o < 0) return;
    pipc_shm_t *h = &g_shm[s];
    trace("shm[%d] detach", s);
    bool was = h->attached;
    check("shm_detach", pipc_shm_detach(h), was ? OK_ : K(NOT_ATTACHED));
    if (was) g_obj[o].nattch--;
    if (h->attached || h->address) fail("detach left the handle attached");
}

static void op_shm_rw(input_t *in) {
    int s = u8(in) % SLOTS, o = g_shm_o[s];
    if (o < 0) return;
    pipc_shm_t *h = &g_shm[s];
    mobj_t *m = &g_obj[o];
    /* Huge pages created with SHM_NORESERVE may not exist: any access can
     * raise SIGBUS (the kernel's semantics, not the core's to prevent). */
    if (m->huge) return;
    uint64_t size = m->size;
    int64_t offset = pick(in, 0, (int64_t)(size < 70000 ? size : 70000));
    if (u8(in) == 0xEE && size > 16) offset = (int64_t)size - (u8(in) % 16); /* the end of a big one */
    uint8_t mode = u8(in) % 3;
    if (mode == 0) { /* write */
        int64_t len = pick(in, 0, 300);
        uint8_t seed = u8(in);
        bool fits = offset >= 0 && len >= 0 && (uint64_t)offset <= size && (uint64_t)len <= size - (uint64_t)offset;
        unsigned allowed = !h->attached ? K(NOT_ATTACHED) : h->read_only ? K(READ_ONLY)
                           : len < 0 ? K(INVALID_ARGUMENT) : fits ? OK_ : K(INVALID_ARGUMENT);
        /* A length the source does not hold is only passed when it must be refused. */
        if (allowed == OK_ && len > BUF) return;
        size_t ulen = (size_t)len;
        if (len < 0) { /* absurd as a size_t: past INT64_MAX is refused first */
            ulen = u8(in) & 1 ? SIZE_MAX : (size_t)INT64_MAX;
            if (ulen == SIZE_MAX) allowed = K(INVALID_ARGUMENT);
        }
        trace("shm[%d] write offset=%lld len=%lld", s, (long long)offset, (long long)len);
        pattern(g_src, ulen < BUF ? ulen : BUF, seed);
        if (check("shm_write", pipc_shm_write(h, offset, g_src, ulen), allowed) == PIPC_OK) {
            for (int64_t i = 0; i < len && (uint64_t)(offset + i) < SHADOW_MAX; i++) m->shadow[offset + i] = g_src[i];
        }
    } else { /* read, or span */
        int64_t count = pick(in, 0, 300);
        size_t dst_size = u8(in) & 1 ? BUF : (size_t)pick(in, 0, 400) % (BUF + 1);
        unsigned allowed;
        uint64_t n = 0;
        if (!h->attached) allowed = K(NOT_ATTACHED);
        else if (count < 0 || offset < 0 || (uint64_t)offset >= size) allowed = K(INVALID_ARGUMENT);
        else {
            uint64_t avail = size - (uint64_t)offset;
            n = count == 0 || (uint64_t)count > avail ? avail : (uint64_t)count;
            allowed = mode == 2 || n <= dst_size ? OK_ : K(INVALID_ARGUMENT);
        }
        trace("shm[%d] %s offset=%lld count=%lld dst=%zu", s, mode == 1 ? "read" : "span", (long long)offset,
              (long long)count, dst_size);
        const uint8_t *got;
        size_t len = 0;
        if (mode == 1) {
            memset(g_dst, 0xCC, 64);
            if (check("shm_read", pipc_shm_read(h, offset, count, g_dst, dst_size, &len), allowed) != PIPC_OK) return;
            got = g_dst;
        } else {
            void *ptr;
            if (check("shm_span", pipc_shm_span(h, offset, count, false, &ptr, &len), allowed) != PIPC_OK) return;
            got = ptr;
            if (len > BUF) len = BUF; /* compare a prefix of huge spans */
            else if (len != n) fail("span length %zu, expected %llu", len, (unsigned long long)n);
        }
        if (mode == 1 && len != n) fail("read %zu bytes, expected %llu", len, (unsigned long long)n);
        for (size_t i = 0; i < len && (uint64_t)offset + i < SHADOW_MAX; i++)
            if (got[i] != m->shadow[offset + i])
                fail("byte %lld of segment %d reads 0x%02x, the model says 0x%02x", (long long)(offset + (int64_t)i), m->id,
                     got[i], m->shadow[offset + i]);
    }
}

static void op_shm_stat(input_t *in) {
    int s = u8(in) % SLOTS, o = g_shm_o[s];
    if (o < 0) return;
    trace("shm[%d] stat", s);
    pipc_shm_info_t info;
    unsigned allowed = !g_obj[o].removed ? OK_ : g_obj[o].nattch > 0 ? OK_ | K(EXISTENTIAL) : K(EXISTENTIAL);
    if (check("shm_stat", pipc_shm_stat(&g_shm[s], &info), allowed) == PIPC_OK &&
        (info.size != g_obj[o].size || info.n_attached != (uint64_t)g_obj[o].nattch))
        fail("shm_stat: size %llu nattch %llu, the model says %llu %d", (unsigned long long)info.size,
             (unsigned long long)info.n_attached, (unsigned long long)g_obj[o].size, g_obj[o].nattch);
}

/* ---------------------------------------------------------------- message queues */

static int model_find_msg(mobj_t *m, long type, int64_t flags) {
    if (flags & PIPC_MSG_COPY) return type >= 0 && type < m->nmsgs ? (int)type : -1;
    if (type == 0) return m->nmsgs ? 0 : -1;
    if (type > 0) {
        for (int i = 0; i < m->nmsgs; i++)
            if ((flags & PIPC_MSG_EXCEPT) ? m->msgs[i].type != type : m->msgs[i].type == type) return i;
        return -1;
    }
    long limit = type == LONG_MIN ? LONG_MAX : -type;
    int best = -1;
    for (int i = 0; i < m->nmsgs; i++)
        if (m->msgs[i].type <= limit && (best < 0 || m->msgs[i].type < m->msgs[best].type)) best = i;
    return best;
}

static void op_msg_open(input_t *in) {
    if (obj_table_full()) return;
    int s = u8(in) % SLOTS;
    int64_t key = pick_key(in), flags = pick_open_flags(in), mode = 0600;
    int64_t maxsize = pick(in, 1, 20000);
    trace("msg[%d] open key=%lld flags=0%llo max_message_size=%lld", s, (long long)key,
          (unsigned long long)flags, (long long)maxsize);
    bool args = open_args_ok(key, flags, mode, PIPC_IPC_CREX) && maxsize >= 1 && maxsize <= (64 << 20);
    open_plan_t p = args ? plan_open(MSG, key, flags) : (open_plan_t){false, -1, K(INVALID_ARGUMENT)};
    if (args && p.existing >= 0 && !(flags & PIPC_IPC_EXCL)) p.allowed = OK_;
    pipc_msg_t h, before;
    memset(&h, 0xA5, sizeof h);
    before = h;
    int rc = check("msg_open", pipc_msg_open(&h, key, flags, mode, maxsize), p.allowed);
    if (rc != PIPC_OK) {
        if (memcmp(&h, &before, sizeof h) != 0) fail("a failing msg_open changed the handle");
        return;
    }
    int o;
    if (p.existing >= 0) {
        if (h.created || h.id != g_obj[p.existing].id) fail("msg_open did not open the existing queue");
        o = p.existing;
    } else {
        if (!h.created) fail("msg_open should have created a queue");
        int old = find_obj(MSG, h.id);
        if (old >= 0) {
            if (!g_obj[old].removed) fail("a new queue has the id of a live one");
            free_obj(&g_obj[old]);
        }
        o = new_obj(MSG, h.id, h.key);
        g_obj[o].msgs = calloc(MAX_MSGS, sizeof(mmsg_t));
        g_obj[o].qbytes = g_msgmnb;
    }
    if (h.max_message_size != (size_t)maxsize) fail("msg_open: max_message_size not kept");
    g_msg[s] = h;
    g_msg_o[s] = o;
}

static void op_msg_send(input_t *in) {
    int s = u8(in) % SLOTS, o = g_msg_o[s];
    if (o < 0) return;
    pipc_msg_t *h = &g_msg[s];
    mobj_t *m = &g_obj[o];
    int64_t type = pick(in, 1, 4), len = pick(in, 0, 200);
    uint8_t f = u8(in), seed = u8(in);
    int64_t flags = f < 0xF0 ? (f & 1 ? PIPC_IPC_NOWAIT : 0) : pick(in, 0, 0xFFFF);
    size_t ulen = (size_t)len; /* a negative length is a huge size_t */
    bool args = type >= 1 && flags >= 0 && !(flags & ~(int64_t)PIPC_IPC_NOWAIT);
    unsigned allowed;
    if (!args) allowed = K(INVALID_ARGUMENT);
    else if (ulen > h->max_message_size) allowed = K(MESSAGE_SIZE);
    else if (m->removed) allowed = K(EXISTENTIAL);
    else if (ulen > g_msgmax || ulen > m->qbytes) allowed = K(MESSAGE_SIZE);
    else {
        if (m->nmsgs >= MAX_MSGS) return; /* the model's own limit */
        bool fits = m->cbytes + ulen <= m->qbytes && (uint64_t)m->nmsgs + 1 <= m->qbytes;
        allowed = fits ? OK_ : K(BUSY);
        if (!fits) flags |= PIPC_IPC_NOWAIT; /* never wait for room nobody makes */
    }
    /* A length the source does not hold is only passed when the core must
     * refuse it before reading the data. */
    if (ulen > BUF && args && ulen <= h->max_message_size) return;
    trace("msg[%d] send type=%lld len=%lld flags=0%llo", s, (long long)type, (long long)len, (unsigned long long)flags);
    pattern(g_src, ulen < BUF ? ulen : BUF, seed);
    if (check("msg_send", pipc_msg_send(h, type, g_src, ulen, flags), allowed) == PIPC_OK) {
        m->msgs[m->nmsgs++] = (mmsg_t){(long)type, ulen, seed};
        m->cbytes += ulen;
    }
}

static void op_msg_receive(input_t *in) {
    int s = u8(in) % SLOTS, o = g_msg_o[s];
    if (o < 0) return;
    pipc_msg_t *h = &g_msg[s];
    mobj_t *m = &g_obj[o];
    int64_t type = pick(in, -5, 5);
    uint8_t f = u8(in);
    int64_t flags = f < 0xF0 ? (f & 1 ? PIPC_IPC_NOWAIT : 0) | (f & 2 ? PIPC_MSG_NOERROR : 0) |
                                   (f & 4 ? PIPC_MSG_EXCEPT : 0) | ((f & 0x38) == 0x38 ? PIPC_MSG_COPY : 0)
                             : pick(in, 0, 0xFFFFF);
    size_t cap = (size_t)pick(in, 0, 300);
    bool huge_cap = cap > BUF;
    static union { long type; uint8_t bytes[PIPC_MSGBUF_SIZE(BUF)]; } rbuf;
    pipc_msgbuf_t *buf = (pipc_msgbuf_t *)&rbuf;
    const int64_t known = PIPC_IPC_NOWAIT | PIPC_MSG_NOERROR | PIPC_MSG_EXCEPT | PIPC_MSG_COPY;
    bool args = flags >= 0 && !(flags & ~known) && cap <= (size_t)LONG_MAX;
    bool copy = (flags & PIPC_MSG_COPY) != 0;
    if (copy && ((flags & PIPC_MSG_EXCEPT) || type < 0)) args = false;
    unsigned allowed;
    int at = -1;
    if (!args) allowed = K(INVALID_ARGUMENT);
    else if (huge_cap) return; /* a capacity larger than the buffer is a caller bug, not ours to test */
    else if (m->removed) allowed = K(EXISTENTIAL);
    else {
        at = model_find_msg(m, (long)type, flags);
        if (at < 0) {
            allowed = K(BUSY);
            flags |= PIPC_IPC_NOWAIT; /* nothing will come */
        } else if (m->msgs[at].len > cap && !(flags & PIPC_MSG_NOERROR)) {
            allowed = K(MESSAGE_SIZE);
        } else if (copy && m->msgs[at].len > cap) {
            allowed = K(INVALID_ARGUMENT); /* the kernel never truncates a copy */
        } else {
            allowed = OK_;
        }
        if (copy) allowed |= K(INVALID_ARGUMENT); /* kernels without CONFIG_CHECKPOINT_RESTORE */
    }
    trace("msg[%d] receive type=%lld flags=0%llo cap=%zu (model: message %d)", s, (long long)type,
          (unsigned long long)flags, cap, at);
    size_t len = 0;
    if (check("msg_receive", pipc_msg_receive(h, type, flags, buf, huge_cap ? SIZE_MAX : cap, &len), allowed) != PIPC_OK)
        return;
    mmsg_t *want = &m->msgs[at];
    size_t n = want->len < cap ? want->len : cap;
    if (buf->type != want->type || len != n)
        fail("received type %ld len %zu, the model says type %ld len %zu", buf->type, len, want->type, n);
    pattern(g_src, n, want->seed);
    if (memcmp(buf->text, g_src, n) != 0) fail("received bytes differ from the sent ones");
    if (!copy) {
        m->cbytes -= want->len;
        memmove(&m->msgs[at], &m->msgs[at + 1], sizeof(mmsg_t) * (size_t)(m->nmsgs - at - 1));
        m->nmsgs--;
    }
}

static void op_msg_ctl(input_t *in) {
    int s = u8(in) % SLOTS, o = g_msg_o[s];
    if (o < 0) return;
    pipc_msg_t *h = &g_msg[s];
    mobj_t *m = &g_obj[o];
    if (u8(in) & 1) {
        int64_t mb = pick(in, 0, 40000);
        trace("msg[%d] set_max_bytes %lld", s, (long long)mb);
        /* The kernel takes an int; raising it past msgmnb needs CAP_SYS_RESOURCE. */
        unsigned allowed = mb < 1 || mb > INT32_MAX ? K(INVALID_ARGUMENT) : m->removed ? K(EXISTENTIAL)
                           : (uint64_t)mb <= g_msgmnb ? OK_ : OK_ | K(PERMISSIONS);
        if (check("msg_set_max_bytes", pipc_msg_set_max_bytes(h, mb), allowed) == PIPC_OK) m->qbytes = (uint64_t)mb;
    } else {
        trace("msg[%d] stat", s);
        pipc_msg_info_t info;
        if (check("msg_stat", pipc_msg_stat(h, &info), m->removed ? K(EXISTENTIAL) : OK_) == PIPC_OK &&
            (info.n_messages != (uint64_t)m->nmsgs || info.max_bytes != m->qbytes))
            fail("msg_stat: %llu messages, qbytes %llu; the model says %d, %llu", (unsigned long long)info.n_messages,
                 (unsigned long long)info.max_bytes, m->nmsgs, (unsigned long long)m->qbytes);
    }
}

/* ---------------------------------------------------------------- common */

static void op_set_perm(input_t *in) {
    uint8_t k = u8(in) % 3;
    int s = u8(in) % SLOTS;
    int o = k == SEM ? g_sem_o[s] : k == SHM ? g_shm_o[s] : g_msg_o[s];
    if (o < 0) return;
    int64_t uid = u8(in) & 1 ? PIPC_KEEP : pick(in, 0, 2), gid = u8(in) & 1 ? PIPC_KEEP : pick(in, 0, 2);
    int64_t mode = u8(in) & 1 ? PIPC_KEEP : pick(in, 0, 0777);
    const int64_t maxid = (int64_t)UINT32_MAX - 1;
    bool ok = (uid == PIPC_KEEP || (uid >= 0 && uid <= maxid)) && (gid == PIPC_KEEP || (gid >= 0 && gid <= maxid)) &&
              (mode == PIPC_KEEP || mode >= 0);
    trace("%s[%d] set_perm uid=%lld gid=%lld mode=%lld", k == SEM ? "sem" : k == SHM ? "shm" : "msg", s,
          (long long)uid, (long long)gid, (long long)mode);
    unsigned allowed = !ok ? K(INVALID_ARGUMENT) : !g_obj[o].removed ? OK_
                       : k == SHM && g_obj[o].nattch > 0 ? OK_ | K(EXISTENTIAL) : K(EXISTENTIAL);
    /* a uid/gid unknown to this user namespace is refused by the kernel */
    if (ok && allowed & OK_) allowed |= K(INVALID_ARGUMENT);
    int rc = k == SEM ? pipc_sem_set_perm(&g_sem[s], uid, gid, mode)
             : k == SHM ? pipc_shm_set_perm(&g_shm[s], uid, gid, mode)
                        : pipc_msg_set_perm(&g_msg[s], uid, gid, mode);
    check("set_perm", rc, allowed);
}

static void op_remove(input_t *in) {
    uint8_t k = u8(in) % 3;
    int s = u8(in) % SLOTS;
    int o = k == SEM ? g_sem_o[s] : k == SHM ? g_shm_o[s] : g_msg_o[s];
    bool by_id = u8(in) < 0x40;
    int64_t id = o >= 0 ? g_obj[o].id : 0;
    if (by_id) {
        uint8_t a = u8(in) % 4;
        if (a == 1) id = pick(in, 0, 0);
        else if (a == 2) id = id + 1 + u8(in) % 3;
        o = id >= 0 && id <= INT32_MAX ? find_obj((enum kind)k, (int)id) : -1;
    } else if (o < 0) {
        return;
    }
    trace("%s[%d] remove%s %lld", k == SEM ? "sem" : k == SHM ? "shm" : "msg", s, by_id ? "_id" : "", (long long)id);
    unsigned allowed = id < 0 || id > INT32_MAX ? K(INVALID_ARGUMENT) : o < 0 ? K(EXISTENTIAL)
                       : !g_obj[o].removed ? OK_
                       : k == SHM && g_obj[o].nattch > 0 ? OK_ | K(EXISTENTIAL) : K(EXISTENTIAL);
    int rc;
    if (by_id) rc = k == SEM ? pipc_sem_remove_id(id) : k == SHM ? pipc_shm_remove_id(id) : pipc_msg_remove_id(id);
    else rc = k == SEM ? pipc_sem_remove(&g_sem[s]) : k == SHM ? pipc_shm_remove(&g_shm[s]) : pipc_msg_remove(&g_msg[s]);
    if (check("remove", rc, allowed) == PIPC_OK) {
        g_obj[o].removed = true;
        g_obj[o].key = 0;
    }
}

/* ---------------------------------------------------------------- driver */

static void setup_once(void) {
    static bool done;
    if (done) return;
    done = true;
    g_trace_live = getenv("POLYIPC_FUZZ_TRACE") != NULL;
    char mine[64] = "", init[64] = "";
    ssize_t a = readlink("/proc/self/ns/ipc", mine, sizeof mine - 1);
    ssize_t b = readlink("/proc/1/ns/ipc", init, sizeof init - 1);
    if (a > 0 && b > 0 && strcmp(mine, init) == 0 && getenv("POLYIPC_FUZZ_ANY_NAMESPACE") == NULL) {
        fprintf(stderr, "fuzz_ops: refusing to run in the machine's own IPC namespace; run it as\n"
                        "  unshare --ipc %s ...\n", "fuzz_ops");
        exit(2);
    }
    uint32_t r = 0;
    if (getrandom(&r, sizeof r, 0) != sizeof r) r = (uint32_t)getpid();
    g_key_base = 0x10000000 + (int32_t)(r % 0x40000000u);
    g_page = pipc_page_size();
    FILE *f;
    unsigned long long v;
    if ((f = fopen("/proc/sys/kernel/msgmax", "r")) && fscanf(f, "%llu", &v) == 1) g_msgmax = v;
    if (f) fclose(f);
    if ((f = fopen("/proc/sys/kernel/msgmnb", "r")) && fscanf(f, "%llu", &v) == 1) g_msgmnb = v;
    if (f) fclose(f);
    int semmsl, semmns, semopm;
    if ((f = fopen("/proc/sys/kernel/sem", "r")) && fscanf(f, "%d %d %d", &semmsl, &semmns, &semopm) == 3) {
        g_semmsl = semmsl;
        g_semopm = semopm;
    }
    if (f) fclose(f);
    g_baseline_objects = count_objects();
}

/* Removes and detaches everything the input created; checks nothing is left. */
static void cleanup(void) {
    for (int s = 0; s < SLOTS; s++) {
        if (g_shm[s].attached && pipc_shm_detach(&g_shm[s]) != PIPC_OK) fail("cleanup: detach failed");
    }
    for (int i = 0; i < MAX_OBJS; i++) {
        mobj_t *o = &g_obj[i];
        if (!o->used) continue;
        if (!o->removed) {
            int rc = o->kind == SEM ? pipc_sem_remove_id(o->id) : o->kind == SHM ? pipc_shm_remove_id(o->id)
                                                                              : pipc_msg_remove_id(o->id);
            if (rc != PIPC_OK) fail("cleanup: removing %d (kind %d) failed: %s", o->id, o->kind, pipc_error_last()->message);
        }
        free_obj(o);
    }
    memset(g_sem, 0, sizeof g_sem);
    memset(g_shm, 0, sizeof g_shm);
    memset(g_msg, 0, sizeof g_msg);
    int left = count_objects();
    if (left != g_baseline_objects)
        fail("%d System V objects in the namespace after the input, %d before", left, g_baseline_objects);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    setup_once();
    if (size > 4096) return -1; /* long programs add time, not coverage */
    g_trace_len = 0;
    g_trace[0] = 0;
    for (int s = 0; s < SLOTS; s++) g_sem_o[s] = g_shm_o[s] = g_msg_o[s] = -1;
    input_t in = {data, size};
    while (in.n > 0) {
        uint8_t op = u8(&in);
        switch (op % 20) {
        case 0: op_sem_open(&in); break;
        case 1: op_sem_open_id(&in); break;
        case 2: op_sem_acquire_release(&in, 0); break;
        case 3: op_sem_acquire_release(&in, 1); break;
        case 4: op_sem_acquire_release(&in, 2); break;
        case 5: op_sem_op(&in); break;
        case 6: op_sem_set(&in); break;
        case 7: op_sem_get(&in); break;
        case 8: op_shm_open(&in); break;
        case 9: op_shm_open_id(&in); break;
        case 10: op_shm_attach(&in); break;
        case 11: op_shm_detach(&in); break;
        case 12: case 13: op_shm_rw(&in); break;
        case 14: op_shm_stat(&in); break;
        case 15: op_msg_open(&in); break;
        case 16: op_msg_send(&in); break;
        case 17: op_msg_receive(&in); break;
        case 18: op_msg_ctl(&in); break;
        default: if (op & 0x80) op_remove(&in); else op_set_perm(&in); break;
        }
        if ((op & 0x1F) == 0x1F) for (int s = 0; s < SLOTS; s++) sem_verify(s);
    }
    for (int s = 0; s < SLOTS; s++) sem_verify(s);
    cleanup();
    return 0;
}
