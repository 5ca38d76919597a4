/*
 * test_util.c — helpers shared by the C tests, and the cleanup registry the
 * runner shares with each forked test.
 */
#include "test_util.h"

#include <errno.h>
#include <grp.h>
#include <signal.h>
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

#include "test_registry.h"

t_registry_t *t_registry;

static void reg(char kind, int id) {
    if (t_registry == NULL) return;
    int n = __atomic_fetch_add(&t_registry->count, 1, __ATOMIC_SEQ_CST);
    if (n < T_REGISTRY_MAX) {
        t_registry->items[n].kind = kind;
        t_registry->items[n].id = id;
    } else {
        fprintf(stderr, "  test registry full; object %c%d not registered\n", kind, id);
    }
}

void t_cleanup_sem(int id) { reg('s', id); }
void t_cleanup_shm(int id) { reg('m', id); }
void t_cleanup_msg(int id) { reg('q', id); }

int t_new_sem(pipc_sem_t *sem, int nsems, int initial_value) {
    int rc = pipc_sem_open(sem, PIPC_IPC_PRIVATE, nsems, 0, 0600, initial_value);
    if (rc == PIPC_OK) t_cleanup_sem(sem->id);
    return rc;
}

int t_new_shm(pipc_shm_t *shm, int64_t size) {
    int rc = pipc_shm_open(shm, PIPC_IPC_PRIVATE, size, 0, 0600, -1);
    if (rc == PIPC_OK) t_cleanup_shm(shm->id);
    return rc;
}

int t_new_msg(pipc_msg_t *q) {
    int rc = pipc_msg_open(q, PIPC_IPC_PRIVATE, 0, 0600, 65536);
    if (rc == PIPC_OK) t_cleanup_msg(q->id);
    return rc;
}

pid_t t_fork(void) {
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) alarm(20);
    return pid;
}

int t_wait(pid_t pid) {
    int st;
    pid_t r;
    do {
        r = waitpid(pid, &st, 0);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return -1;
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return -1;
}

int t_drop_privileges(void) {
    if (setgroups(0, NULL) != 0) return -1;
    if (setresgid(65534, 65534, 65534) != 0) return -1;
    if (setresuid(65534, 65534, 65534) != 0) return -1;
    return geteuid() == 65534 ? 0 : -1;
}

int t_run_unprivileged(int (*fn)(void *), void *arg) {
    pid_t pid = t_fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        if (t_drop_privileges() != 0) {
            fprintf(stderr, "  cannot drop privileges: %s\n", strerror(errno));
            _exit(99);
        }
        _exit(fn(arg));
    }
    return t_wait(pid);
}

double t_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pause_ms(int ms) {
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

int t_wait_for_waiters(const pipc_sem_t *sem, int index, bool zero, int want) {
    double end = t_now() + 10;
    while (t_now() < end) {
        int n = -1;
        int rc = zero ? pipc_sem_get_zcount(sem, index, &n) : pipc_sem_get_ncount(sem, index, &n);
        if (rc != PIPC_OK) return rc;
        if (n == want) return 0;
        pause_ms(1);
    }
    return -1;
}

int t_wait_sleeping(pid_t pid) {
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    double end = t_now() + 10;
    while (t_now() < end) {
        FILE *f = fopen(path, "re");
        if (f == NULL) return -1;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        char *p = strrchr(buf, ')');
        if (p != NULL && p[1] == ' ' && p[2] == 'S') return 0;
        pause_ms(1);
    }
    return -1;
}

static bool read_ns(pid_t pid, char *buf, size_t n) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/ipc", (int)pid);
    ssize_t r = readlink(path, buf, n - 1);
    if (r <= 0) return false;
    buf[r] = '\0';
    return true;
}

static pid_t parent_of(pid_t pid) {
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "re");
    if (f == NULL) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    int ppid = 0;
    if (p == NULL || sscanf(p + 1, " %*c %d", &ppid) != 1) return 0;
    return (pid_t)ppid;
}

/* True when some ancestor (or init) lives in another IPC namespace: this
 * process tree then has a namespace of its own (unshare --ipc). */
bool t_private_ipc_namespace(void) {
    char self[64], other[64];
    if (!read_ns(getpid(), self, sizeof self)) return false;
    if (read_ns(1, other, sizeof other) && strcmp(self, other) != 0) return true;
    for (pid_t p = getppid(); p > 1; p = parent_of(p)) {
        if (read_ns(p, other, sizeof other) && strcmp(self, other) != 0) return true;
    }
    return false;
}

int t_sysvipc_count(void) {
    static const char *const files[] = {"/proc/sysvipc/sem", "/proc/sysvipc/shm",
                                        "/proc/sysvipc/msg"};
    int total = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        FILE *f = fopen(files[i], "re");
        if (f == NULL) return -1;
        char line[512];
        int lines = 0;
        while (fgets(line, sizeof line, f) != NULL) lines++;
        fclose(f);
        if (lines > 0) total += lines - 1; /* minus the header line */
    }
    return total;
}
