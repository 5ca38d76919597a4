/*
 * Interop agent, C side: the same protocol as agent.py/.rb/.pl (see
 * driver.py), written directly against libpolyipc (core/include/polyipc.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "polyipc.h"

#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void fail(void) {
    const pipc_error_t *e = pipc_error_last();
    printf("ERROR %s: %s\n", pipc_error_name(e->code) ? pipc_error_name(e->code) : "?", e->message);
    exit(1);
}
#define CHECK(call)                                                                                \
    do {                                                                                           \
        int rc_;                                                                                   \
        while ((rc_ = (call)) == PIPC_E_INTERRUPTED) {                                             \
        }                                                                                          \
        if (rc_ != PIPC_OK) fail();                                                                \
    } while (0)

static int64_t num(const char *s) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s) {
        printf("ERROR usage: not a number: %s\n", s);
        exit(2);
    }
    return v;
}

/* A plan line: "<verb> <number> [<hex or number>]". */
typedef struct { char verb[16]; int64_t a; char *b; } line_t;

static int next_line(FILE *f, line_t *l, char **buf, size_t *cap) {
    ssize_t n;
    while ((n = getline(buf, cap, f)) >= 0) {
        while (n > 0 && ((*buf)[n - 1] == '\n' || (*buf)[n - 1] == '\r')) (*buf)[--n] = '\0';
        if (n == 0) continue;
        char *sp1 = strchr(*buf, ' ');
        if (!sp1 || sp1 - *buf >= (ptrdiff_t)sizeof l->verb) { printf("ERROR bad plan line\n"); exit(2); }
        memcpy(l->verb, *buf, (size_t)(sp1 - *buf));
        l->verb[sp1 - *buf] = '\0';
        char *sp2 = strchr(sp1 + 1, ' ');
        if (sp2) *sp2 = '\0';
        l->a = num(sp1 + 1);
        l->b = sp2 ? sp2 + 1 : (char *)"";
        return 1;
    }
    return 0;
}

static size_t unhex(const char *h, unsigned char *out) {
    size_t n = strlen(h) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (unsigned char)v;
    }
    return n;
}

static void print_hex(const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
}

static FILE *open_plan(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) { printf("ERROR %s: %s\n", path, strerror(errno)); exit(2); }
    return f;
}

/* Bounded poll of the kernel's count of blocked waiters (GETNCNT). */
static void wait_for_waiter(const pipc_sem_t *s) {
    struct timespec start, now, ms = {0, 1000000};
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        int n = 0;
        CHECK(pipc_sem_get_ncount(s, 0, &n));
        if (n >= 1) return;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > 30) { printf("ERROR timeout: no waiter blocked\n"); exit(1); }
        nanosleep(&ms, NULL);
    }
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 4) { printf("ERROR usage: agent CMD ARGS...\n"); return 2; }
    const char *cmd = argv[1];
    char *buf = NULL;
    size_t cap = 0;
    line_t l;
    if (!strcmp(cmd, "mq-send") || !strcmp(cmd, "mq-recv")) {
        pipc_msg_t q;
        int64_t max = num(argv[3]);
        CHECK(pipc_msg_open(&q, num(argv[2]), 0, 0600, max));
        unsigned char *data = malloc(PIPC_MSGBUF_SIZE(max) + 1);
        FILE *f = open_plan(argv[4]);
        while (next_line(f, &l, &buf, &cap)) {
            if (!strcmp(cmd, "mq-send")) {
                size_t n = unhex(l.b, data);
                CHECK(pipc_msg_send(&q, l.a, data, n, 0));
            } else {
                pipc_msgbuf_t *mb = (pipc_msgbuf_t *)data;
                size_t n = 0;
                CHECK(pipc_msg_receive(&q, l.a, 0, mb, (size_t)max, &n));
                printf("%ld ", mb->type);
                print_hex((const unsigned char *)mb->text, n);
                printf("\n");
            }
        }
        if (!strcmp(cmd, "mq-send")) printf("ok\n");
        fclose(f);
        free(data);
    } else if (!strcmp(cmd, "shm-write") || !strcmp(cmd, "shm-read")) {
        pipc_shm_t m;
        pipc_sem_t s;
        CHECK(pipc_shm_open(&m, num(argv[2]), 0, 0, 0600, -1));
        CHECK(pipc_shm_attach(&m, 0, 0));
        CHECK(pipc_sem_open(&s, num(argv[3]), 1, 0, 0600, 0));
        if (!strcmp(cmd, "shm-read")) {
            double timeout = 30;
            CHECK(pipc_sem_acquire(&s, 0, 1, &timeout));
            printf("%zu\n", m.size);
        }
        unsigned char *data = malloc(m.size + 1);
        FILE *f = open_plan(argv[4]);
        while (next_line(f, &l, &buf, &cap)) {
            if (!strcmp(cmd, "shm-write")) {
                size_t n = unhex(l.b, data);
                CHECK(pipc_shm_write(&m, l.a, data, n));
            } else {
                size_t n = 0;
                CHECK(pipc_shm_read(&m, l.a, num(l.b), data, m.size, &n));
                print_hex(data, n);
                printf("\n");
            }
        }
        fclose(f);
        free(data);
        CHECK(pipc_shm_detach(&m));
        if (!strcmp(cmd, "shm-write")) {
            CHECK(pipc_sem_release(&s, 0, 1));
            printf("ok\n");
        }
    } else if (!strcmp(cmd, "sem-wait") || !strcmp(cmd, "sem-post")) {
        pipc_sem_t first, second;
        CHECK(pipc_sem_open(&first, num(argv[2]), 1, 0, 0600, 0));
        CHECK(pipc_sem_open(&second, num(argv[3]), 1, 0, 0600, 0));
        if (!strcmp(cmd, "sem-wait")) {
            double timeout = 30;
            CHECK(pipc_sem_acquire(&first, 0, 1, &timeout));
            printf("woken\n");
            timeout = 30;
            int rc;
            while ((rc = pipc_sem_acquire(&second, 0, 1, &timeout)) == PIPC_E_INTERRUPTED) {
            }
            printf("%s\n", rc == PIPC_OK ? "acquired" : pipc_error_name(rc));
        } else {
            wait_for_waiter(&first);
            CHECK(pipc_sem_release(&first, 0, 1));
            wait_for_waiter(&second);
            CHECK(pipc_sem_remove(&second));
            printf("ok\n");
        }
    } else {
        printf("ERROR usage: unknown command %s\n", cmd);
        return 2;
    }
    free(buf);
    return 0;
}
