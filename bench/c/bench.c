/*
 * bench.c — the C side of polyipc's benchmark suite (see bench/README section
 * "Benchmarks" in the top-level README).
 *
 *   polyipc_bench_c IMPL WORKLOAD COUNT [WARMUP]
 *
 * IMPL is "raw" (plain System V syscalls: the limit) or "polyipc" (the C core,
 * libpolyipc). WORKLOAD is one of the names in bench/bench.py. The program
 * creates private objects, runs WARMUP operations (default COUNT/10, at least
 * 10), times COUNT operations with CLOCK_MONOTONIC, checks the data, removes everything it created and
 * prints "RESULT <ns per op>". Any wrong datum exits with status 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "polyipc.h"

#define MSG_CAP 4096 /* the receive capacity (max_message_size) of every queue */

static const char *g_impl, *g_workload;

static void fail(const char *fmt, const char *detail) {
    fprintf(stderr, "bench c/%s %s: ", g_impl, g_workload);
    fprintf(stderr, fmt, detail);
    fputc('\n', stderr);
    exit(1);
}
#define CHECK(cond, what)                                                                          \
    do {                                                                                           \
        if (!(cond)) fail("check failed: %s", what);                                               \
    } while (0)
#define SYS(call)                                                                                  \
    do {                                                                                           \
        if ((call) < 0) fail("%s", strerror(errno));                                               \
    } while (0)
#define PIPC(call)                                                                                 \
    do {                                                                                           \
        if ((call) != PIPC_OK) fail("%s", pipc_error_last()->message);                             \
    } while (0)
/* Keeps the compiler from merging or dropping copies between iterations. */
#define BARRIER() __asm__ volatile("" ::: "memory")

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The payload every language uses: byte i is (7*i + 3) mod 256 (has NUL and 0xFF). */
static unsigned char *payload(size_t n) {
    unsigned char *p = malloc(n ? n : 1);
    if (!p) fail("%s", "out of memory");
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)((7 * i + 3) & 0xff);
    return p;
}

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

typedef struct {
    long type;
    char text[MSG_CAP];
} msgbuf_t;

static long g_count, g_warmup;
static double g_ns;

#define TIMED(body)                                                                                \
    do {                                                                                           \
        for (long i_ = 0; i_ < g_warmup; i_++) { body; }                                           \
        uint64_t t0_ = now_ns();                                                                   \
        for (long i_ = 0; i_ < g_count; i_++) { body; }                                            \
        g_ns = (double)(now_ns() - t0_) / (double)g_count;                                         \
    } while (0)

/* ---------------- raw syscalls ---------------- */

static int raw_sem(int value) {
    int id = semget(IPC_PRIVATE, 1, IPC_CREAT | IPC_EXCL | 0600);
    SYS(id);
    union semun a = {.val = value};
    SYS(semctl(id, 0, SETVAL, a));
    return id;
}

static void raw_run(const char *w) {
    if (!strcmp(w, "sem_value")) {
        int id = raw_sem(7), v = 0;
        TIMED(v = semctl(id, 0, GETVAL); if (v != 7) fail("%s", "GETVAL != 7"));
        SYS(semctl(id, 0, IPC_RMID));
    } else if (!strcmp(w, "sem_acquire_release")) {
        int id = raw_sem(1);
        struct sembuf down = {0, -1, 0}, up = {0, 1, 0};
        TIMED(SYS(semop(id, &down, 1)); SYS(semop(id, &up, 1)));
        CHECK(semctl(id, 0, GETVAL) == 1, "value back to 1");
        SYS(semctl(id, 0, IPC_RMID));
    } else if (!strcmp(w, "msg_64") || !strcmp(w, "msg_4k")) {
        size_t n = !strcmp(w, "msg_64") ? 64 : 4096;
        int id = msgget(IPC_PRIVATE, IPC_CREAT | IPC_EXCL | 0600);
        SYS(id);
        unsigned char *p = payload(n);
        static msgbuf_t s, r;
        s.type = 1;
        ssize_t got = 0;
        TIMED(memcpy(s.text, p, n); SYS(msgsnd(id, &s, n, 0));
              SYS(got = msgrcv(id, &r, MSG_CAP, 0, 0)); BARRIER());
        CHECK(got == (ssize_t)n && r.type == 1 && !memcmp(r.text, p, n), "message round trip");
        SYS(msgctl(id, IPC_RMID, NULL));
        free(p);
    } else if (!strcmp(w, "msg_pingpong")) {
        int id = msgget(IPC_PRIVATE, IPC_CREAT | IPC_EXCL | 0600);
        SYS(id);
        unsigned char *p = payload(64);
        static msgbuf_t s, r;
        pid_t pid = fork();
        SYS(pid);
        if (pid == 0) {
            for (long i = 0; i < g_warmup + g_count; i++) {
                ssize_t got = msgrcv(id, &r, MSG_CAP, 1, 0);
                if (got < 0) _exit(2);
                r.type = 2;
                if (msgsnd(id, &r, (size_t)got, 0) < 0) _exit(3);
            }
            _exit(0);
        }
        ssize_t got = 0;
        s.type = 1;
        TIMED(memcpy(s.text, p, 64); SYS(msgsnd(id, &s, 64, 0));
              SYS(got = msgrcv(id, &r, MSG_CAP, 2, 0)); BARRIER());
        int st;
        SYS(waitpid(pid, &st, 0));
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child exit status");
        CHECK(got == 64 && r.type == 2 && !memcmp(r.text, p, 64), "echoed message");
        SYS(msgctl(id, IPC_RMID, NULL));
        free(p);
    } else if (!strcmp(w, "sem_handoff")) {
        int a = raw_sem(0), b = raw_sem(0);
        struct sembuf down = {0, -1, 0}, up = {0, 1, 0};
        pid_t pid = fork();
        SYS(pid);
        if (pid == 0) {
            for (long i = 0; i < g_warmup + g_count; i++)
                if (semop(a, &down, 1) < 0 || semop(b, &up, 1) < 0) _exit(2);
            _exit(0);
        }
        TIMED(SYS(semop(a, &up, 1)); SYS(semop(b, &down, 1)));
        int st;
        SYS(waitpid(pid, &st, 0));
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child exit status");
        CHECK(semctl(a, 0, GETVAL) == 0 && semctl(b, 0, GETVAL) == 0, "values back to 0");
        SYS(semctl(a, 0, IPC_RMID));
        SYS(semctl(b, 0, IPC_RMID));
    } else if (!strcmp(w, "shm_64") || !strcmp(w, "shm_1m")) {
        size_t n = !strcmp(w, "shm_64") ? 64 : 1 << 20;
        int id = shmget(IPC_PRIVATE, n, IPC_CREAT | IPC_EXCL | 0600);
        SYS(id);
        unsigned char *seg = shmat(id, NULL, 0);
        if (seg == (void *)-1) fail("%s", strerror(errno));
        unsigned char *p = payload(n), *dst = malloc(n);
        TIMED(memcpy(seg, p, n); BARRIER(); memcpy(dst, seg, n); BARRIER());
        CHECK(!memcmp(dst, p, n), "read back what was written");
        SYS(shmdt(seg));
        SYS(shmctl(id, IPC_RMID, NULL));
        free(p);
        free(dst);
    } else {
        fail("unknown workload %s", w);
    }
}

/* ---------------- libpolyipc ---------------- */

static void pipc_sem(pipc_sem_t *s, int value) {
    PIPC(pipc_sem_open(s, PIPC_IPC_PRIVATE, 1, PIPC_IPC_CREX, 0600, value));
}

static void polyipc_run(const char *w) {
    if (!strcmp(w, "sem_value")) {
        pipc_sem_t s;
        pipc_sem(&s, 7);
        int v = 0;
        TIMED(PIPC(pipc_sem_get_value(&s, 0, &v)); if (v != 7) fail("%s", "value != 7"));
        PIPC(pipc_sem_remove(&s));
    } else if (!strcmp(w, "sem_acquire_release")) {
        pipc_sem_t s;
        pipc_sem(&s, 1);
        TIMED(PIPC(pipc_sem_acquire(&s, 0, 1, NULL)); PIPC(pipc_sem_release(&s, 0, 1)));
        int v = 0;
        PIPC(pipc_sem_get_value(&s, 0, &v));
        CHECK(v == 1, "value back to 1");
        PIPC(pipc_sem_remove(&s));
    } else if (!strcmp(w, "msg_64") || !strcmp(w, "msg_4k")) {
        size_t n = !strcmp(w, "msg_64") ? 64 : 4096, got = 0;
        pipc_msg_t q;
        PIPC(pipc_msg_open(&q, PIPC_IPC_PRIVATE, PIPC_IPC_CREX, 0600, MSG_CAP));
        unsigned char *p = payload(n);
        static msgbuf_t r;
        pipc_msgbuf_t *rb = (pipc_msgbuf_t *)&r;
        TIMED(PIPC(pipc_msg_send(&q, 1, p, n, 0)); PIPC(pipc_msg_receive(&q, 0, 0, rb, MSG_CAP, &got));
              BARRIER());
        CHECK(got == n && rb->type == 1 && !memcmp(rb->text, p, n), "message round trip");
        PIPC(pipc_msg_remove(&q));
        free(p);
    } else if (!strcmp(w, "msg_pingpong")) {
        pipc_msg_t q;
        PIPC(pipc_msg_open(&q, PIPC_IPC_PRIVATE, PIPC_IPC_CREX, 0600, MSG_CAP));
        unsigned char *p = payload(64);
        static msgbuf_t r;
        pipc_msgbuf_t *rb = (pipc_msgbuf_t *)&r;
        size_t got = 0;
        pid_t pid = fork();
        SYS(pid);
        if (pid == 0) {
            for (long i = 0; i < g_warmup + g_count; i++) {
                if (pipc_msg_receive(&q, 1, 0, rb, MSG_CAP, &got) != PIPC_OK) _exit(2);
                if (pipc_msg_send(&q, 2, rb->text, got, 0) != PIPC_OK) _exit(3);
            }
            _exit(0);
        }
        TIMED(PIPC(pipc_msg_send(&q, 1, p, 64, 0)); PIPC(pipc_msg_receive(&q, 2, 0, rb, MSG_CAP, &got));
              BARRIER());
        int st;
        SYS(waitpid(pid, &st, 0));
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child exit status");
        CHECK(got == 64 && rb->type == 2 && !memcmp(rb->text, p, 64), "echoed message");
        PIPC(pipc_msg_remove(&q));
        free(p);
    } else if (!strcmp(w, "sem_handoff")) {
        pipc_sem_t a, b;
        pipc_sem(&a, 0);
        pipc_sem(&b, 0);
        pid_t pid = fork();
        SYS(pid);
        if (pid == 0) {
            for (long i = 0; i < g_warmup + g_count; i++)
                if (pipc_sem_acquire(&a, 0, 1, NULL) != PIPC_OK || pipc_sem_release(&b, 0, 1) != PIPC_OK)
                    _exit(2);
            _exit(0);
        }
        TIMED(PIPC(pipc_sem_release(&a, 0, 1)); PIPC(pipc_sem_acquire(&b, 0, 1, NULL)));
        int st, va = -1, vb = -1;
        SYS(waitpid(pid, &st, 0));
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child exit status");
        PIPC(pipc_sem_get_value(&a, 0, &va));
        PIPC(pipc_sem_get_value(&b, 0, &vb));
        CHECK(va == 0 && vb == 0, "values back to 0");
        PIPC(pipc_sem_remove(&a));
        PIPC(pipc_sem_remove(&b));
    } else if (!strcmp(w, "shm_64") || !strcmp(w, "shm_1m")) {
        size_t n = !strcmp(w, "shm_64") ? 64 : 1 << 20, got = 0;
        pipc_shm_t m;
        PIPC(pipc_shm_open(&m, PIPC_IPC_PRIVATE, (int64_t)n, PIPC_IPC_CREX, 0600, -1));
        PIPC(pipc_shm_attach(&m, 0, 0));
        unsigned char *p = payload(n), *dst = malloc(n);
        TIMED(PIPC(pipc_shm_write(&m, 0, p, n)); BARRIER();
              PIPC(pipc_shm_read(&m, 0, (int64_t)n, dst, n, &got)); BARRIER());
        CHECK(got == n && !memcmp(dst, p, n), "read back what was written");
        PIPC(pipc_shm_detach(&m));
        PIPC(pipc_shm_remove(&m));
        free(p);
        free(dst);
    } else {
        fail("unknown workload %s", w);
    }
}

int main(int argc, char **argv) {
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: %s raw|polyipc WORKLOAD COUNT [WARMUP]\n", argv[0]);
        return 2;
    }
    g_impl = argv[1];
    g_workload = argv[2];
    g_count = atol(argv[3]);
    if (g_count < 1) fail("%s", "COUNT must be >= 1");
    g_warmup = argc == 5 ? atol(argv[4]) : (g_count / 10 > 10 ? g_count / 10 : 10);
    if (g_warmup < 1) fail("%s", "WARMUP must be >= 1");
    if (!strcmp(g_impl, "raw"))
        raw_run(g_workload);
    else if (!strcmp(g_impl, "polyipc"))
        polyipc_run(g_workload);
    else
        fail("unknown implementation %s", g_impl);
    printf("RESULT %.1f\n", g_ns);
    return 0;
}
