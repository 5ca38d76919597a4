/*
 * runner.c — a tiny libuv-style test runner.
 *
 *   polyipc_tests              run every test
 *   polyipc_tests NAME...      run the named tests
 *   polyipc_tests --list       list the test names
 *   polyipc_tests --check-clean  fail if SysV objects exist (private IPC namespace only)
 *
 * Each test runs in a forked process (isolating signals, alarms and crashes)
 * with a watchdog. Objects it registers are removed afterwards whatever
 * happened. In a private IPC namespace (unshare --ipc) the runner also checks
 * that nothing at all is left in /proc/sysvipc after each test.
 */
#include "test_util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_list.h"
#include "test_registry.h"

#define DECLARE(name) int test_##name(void);
PIPC_TEST_LIST(DECLARE)

static const struct {
    const char *name;
    int (*fn)(void);
} tests[] = {
#define ENTRY(name) {#name, test_##name},
    PIPC_TEST_LIST(ENTRY)
};
#define NTESTS (sizeof tests / sizeof tests[0])

#define TEST_TIMEOUT_SECS 120

/* Removes what the test registered; returns how many still existed. */
static int cleanup(void) {
    int left = 0;
    int n = t_registry->count < T_REGISTRY_MAX ? t_registry->count : T_REGISTRY_MAX;
    for (int i = 0; i < n; i++) {
        int id = t_registry->items[i].id, rc = -1;
        switch (t_registry->items[i].kind) {
        case 's': rc = semctl(id, 0, IPC_RMID); break;
        case 'm': rc = shmctl(id, IPC_RMID, NULL); break;
        case 'q': rc = msgctl(id, IPC_RMID, NULL); break;
        }
        if (rc == 0) left++;
    }
    t_registry->count = 0;
    return left;
}

/* Runs one test in a child. Returns 0 pass, 1 fail, TEST_SKIP skip. */
static int run_one(size_t i, bool strict) {
    t_registry->count = 0;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        int rc = tests[i].fn();
        fflush(stdout);
        fflush(stderr);
        exit(rc);
    }
    int st = 0, status;
    double end = t_now() + TEST_TIMEOUT_SECS;
    pid_t r;
    struct timespec tick = {0, 2000000L};
    while ((r = waitpid(pid, &st, WNOHANG)) == 0 && t_now() < end) nanosleep(&tick, NULL);
    if (r == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        fprintf(stderr, "  timed out after %d s\n", TEST_TIMEOUT_SECS);
        status = 1;
    } else if (r < 0) {
        perror("waitpid");
        status = 1;
    } else if (WIFSIGNALED(st)) {
        fprintf(stderr, "  killed by signal %d (%s)\n", WTERMSIG(st), strsignal(WTERMSIG(st)));
        status = 1;
    } else {
        status = WEXITSTATUS(st);
        if (status != 0 && status != TEST_SKIP) status = 1;
    }
    cleanup();
    if (strict) {
        int n = t_sysvipc_count();
        if (n != 0) {
            fprintf(stderr, "  %d SysV object(s) left behind that the test did not register\n", n);
            status = 1;
        }
    }
    return status;
}

static int check_clean(void) {
    if (!t_private_ipc_namespace()) {
        printf("check-clean: skipped (not in a private IPC namespace; run under unshare --ipc)\n");
        return 0;
    }
    int n = t_sysvipc_count();
    if (n != 0) {
        printf("check-clean: %d SysV object(s) left in this IPC namespace\n", n);
        return 1;
    }
    printf("check-clean: no SysV object left\n");
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < NTESTS; i++) puts(tests[i].name);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "--check-clean") == 0) return check_clean();

    t_registry = mmap(NULL, sizeof *t_registry, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                      -1, 0);
    if (t_registry == MAP_FAILED) {
        perror("mmap");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    bool selected[NTESTS];
    bool all = argc < 2;
    memset(selected, all, sizeof selected);
    for (int a = 1; a < argc; a++) {
        size_t i;
        for (i = 0; i < NTESTS; i++)
            if (strcmp(argv[a], tests[i].name) == 0) break;
        if (i == NTESTS) {
            fprintf(stderr, "unknown test: %s (see --list)\n", argv[a]);
            return 2;
        }
        selected[i] = true;
    }
    /* Checking that /proc/sysvipc is empty is only meaningful when no one
     * else uses this namespace: a private one, running the tests serially. */
    bool strict = all && t_private_ipc_namespace() && t_sysvipc_count() == 0;

    int passed = 0, failed = 0, skipped = 0, n = 0;
    for (size_t i = 0; i < NTESTS; i++) {
        if (!selected[i]) continue;
        int rc = run_one(i, strict);
        n++;
        if (rc == 0) {
            passed++;
            printf("ok %d - %s\n", n, tests[i].name);
        } else if (rc == TEST_SKIP) {
            skipped++;
            printf("ok %d - %s # SKIP\n", n, tests[i].name);
        } else {
            failed++;
            printf("not ok %d - %s\n", n, tests[i].name);
        }
    }
    if (strict && check_clean() != 0) failed++;
    if (skipped)
        printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    else
        printf("%d passed, %d failed\n", passed, failed);
    munmap(t_registry, sizeof *t_registry);
    if (failed) return 1;
    if (skipped && passed == 0) return TEST_SKIP;
    return 0;
}
