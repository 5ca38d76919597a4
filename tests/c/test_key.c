/* test_key.c — key checks, ftok, random keys, open-flag checks. */
#include "test_util.h"

#include <errno.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <unistd.h>

int test_key_check(void) {
    ASSERT_OK(pipc_key_check(0));
    ASSERT_OK(pipc_key_check(INT32_MIN));
    ASSERT_OK(pipc_key_check(INT32_MAX));
    ASSERT_OK(pipc_key_check(-1));
    ASSERT_INVALID(pipc_key_check((int64_t)INT32_MAX + 1));
    ASSERT_CONTAINS(pipc_error_last()->message, "2147483648");
    ASSERT_INVALID(pipc_key_check((int64_t)INT32_MIN - 1));
    ASSERT_INVALID(pipc_key_check(INT64_MAX));
    ASSERT_INVALID(pipc_key_check(PIPC_KEY_RANDOM)); /* the sentinel is not a key */
    ASSERT_INVALID(pipc_key_check(1LL << 32));        /* would truncate to 0 */
    return 0;
}

int test_key_ftok(void) {
    int32_t k1 = 0, k2 = 0;
    ASSERT_OK(pipc_ftok("/tmp", 1, &k1));
    ASSERT_EQ(k1, ftok("/tmp", 1));
    ASSERT_OK(pipc_ftok("/tmp", 2, &k2));
    ASSERT(k1 != k2);
    ASSERT_OK(pipc_ftok("/", 0, &k2));
    ASSERT_EQ(k2, ftok("/", 0));
    ASSERT_OK(pipc_ftok("/tmp", 255, &k2));
    ASSERT_EQ(k2, ftok("/tmp", 255));
    return 0;
}

int test_key_ftok_errors(void) {
    int32_t k = 12345;
    ASSERT_FAILS(pipc_ftok("/nonexistent/polyipc/path", 1, &k), PIPC_E_SYSCALL, ENOENT);
    ASSERT_CONTAINS(pipc_error_last()->message, "/nonexistent/polyipc/path");
    ASSERT_CONTAINS(pipc_error_last()->message, "ENOENT");
    ASSERT_EQ(k, 12345); /* untouched on failure */
    ASSERT_INVALID(pipc_ftok("/tmp", 256, &k));
    ASSERT_INVALID(pipc_ftok("/tmp", -1, &k));
    ASSERT_INVALID(pipc_ftok("/tmp", INT64_MIN, &k));
    ASSERT_INVALID(pipc_ftok(NULL, 1, &k));
    ASSERT_INVALID(pipc_ftok("/tmp", 1, NULL));
    return 0;
}

int test_key_random(void) {
    pipc_sem_t s[20];
    for (int i = 0; i < 20; i++) {
        ASSERT_OK(pipc_sem_open(&s[i], PIPC_KEY_RANDOM, 1, PIPC_IPC_CREX, 0600, 0));
        t_cleanup_sem(s[i].id);
        ASSERT(s[i].key >= PIPC_RANDOM_KEY_MIN && s[i].key <= PIPC_RANDOM_KEY_MAX);
        ASSERT(s[i].created);
        pipc_sem_info_t info;
        ASSERT_OK(pipc_sem_stat(&s[i], &info));
        ASSERT_EQ(info.perm.key, s[i].key);
        for (int j = 0; j < i; j++) ASSERT(s[j].key != s[i].key);
    }
    for (int i = 0; i < 20; i++) ASSERT_OK(pipc_sem_remove(&s[i]));
    pipc_shm_t m;
    ASSERT_OK(pipc_shm_open(&m, PIPC_KEY_RANDOM, 0, PIPC_IPC_CREX, 0600, -1));
    t_cleanup_shm(m.id);
    ASSERT(m.key >= PIPC_RANDOM_KEY_MIN && m.key <= PIPC_RANDOM_KEY_MAX);
    ASSERT_OK(pipc_shm_remove(&m));
    pipc_msg_t q;
    ASSERT_OK(pipc_msg_open(&q, PIPC_KEY_RANDOM, PIPC_IPC_CREX, 0600, 16));
    t_cleanup_msg(q.id);
    ASSERT(q.key >= PIPC_RANDOM_KEY_MIN && q.key <= PIPC_RANDOM_KEY_MAX);
    ASSERT_OK(pipc_msg_remove(&q));
    /* A random key needs IPC_CREAT | IPC_EXCL. */
    ASSERT_INVALID(pipc_sem_open(&s[0], PIPC_KEY_RANDOM, 1, PIPC_IPC_CREAT, 0600, 0));
    ASSERT_CONTAINS(pipc_error_last()->message, "random key");
    ASSERT_INVALID(pipc_sem_open(&s[0], PIPC_KEY_RANDOM, 1, 0, 0600, 0));
    ASSERT_INVALID(pipc_shm_open(&m, PIPC_KEY_RANDOM, 0, 0, 0600, -1));
    ASSERT_INVALID(pipc_msg_open(&q, PIPC_KEY_RANDOM, PIPC_IPC_CREAT, 0600, 16));
    return 0;
}

int test_key_open_flag_checks(void) {
    pipc_sem_t s;
    pipc_shm_t m;
    pipc_msg_t q;
    /* IPC_EXCL without IPC_CREAT. */
    ASSERT_INVALID(pipc_sem_open(&s, 1234, 1, PIPC_IPC_EXCL, 0600, 0));
    ASSERT_CONTAINS(pipc_error_last()->message, "IPC_EXCL");
    ASSERT_INVALID(pipc_shm_open(&m, 1234, 4096, PIPC_IPC_EXCL, 0600, -1));
    ASSERT_INVALID(pipc_msg_open(&q, 1234, PIPC_IPC_EXCL, 0600, 16));
    /* Keys that do not fit key_t are refused, never truncated. */
    ASSERT_INVALID(pipc_sem_open(&s, (1LL << 32) + 5, 1, PIPC_IPC_CREX, 0600, 0));
    ASSERT_INVALID(pipc_shm_open(&m, (int64_t)INT32_MAX + 1, 4096, PIPC_IPC_CREX, 0600, -1));
    ASSERT_INVALID(pipc_msg_open(&q, (int64_t)INT32_MIN - 1, PIPC_IPC_CREX, 0600, 16));
    /* Unknown flags and negative modes. */
    ASSERT_INVALID(pipc_sem_open(&s, 0, 1, PIPC_IPC_NOWAIT, 0600, 0));
    ASSERT_INVALID(pipc_sem_open(&s, 0, 1, -1, 0600, 0));
    ASSERT_INVALID(pipc_shm_open(&m, 0, 4096, PIPC_SHM_RND, 0600, -1));
    ASSERT_INVALID(pipc_msg_open(&q, 0, PIPC_MSG_NOERROR, 0600, 16));
    ASSERT_INVALID(pipc_sem_open(&s, 0, 1, 0, -1, 0));
    ASSERT_INVALID(pipc_shm_open(&m, 0, 4096, 0, -0600, -1));
    ASSERT_INVALID(pipc_msg_open(&q, 0, 0, INT64_MIN, 16));
    /* NULL handles. */
    ASSERT_INVALID(pipc_sem_open(NULL, 0, 1, 0, 0600, 0));
    ASSERT_INVALID(pipc_shm_open(NULL, 0, 4096, 0, 0600, -1));
    ASSERT_INVALID(pipc_msg_open(NULL, 0, 0, 0600, 16));
    return 0;
}

static int write_sysctl(const char *path, const char *value) {
    FILE *f = fopen(path, "we");
    if (f == NULL) return -1;
    fputs(value, f);
    return fclose(f) == 0 ? 0 : -1;
}

static int read_sysctl(const char *path, char *buf, size_t n) {
    FILE *f = fopen(path, "re");
    if (f == NULL) return -1;
    size_t r = fread(buf, 1, n - 1, f);
    fclose(f);
    buf[r] = '\0';
    return r > 0 ? 0 : -1;
}

/* ENOSPC -> LIMIT naming the sysctl. Lowering the limits is only done inside
 * a private IPC namespace, where the sysctls are private too. */
int test_key_limits_enospc(void) {
    if (!t_private_ipc_namespace() || geteuid() != 0) {
        printf("  skipped: needs root in a private IPC namespace (unshare --ipc)\n");
        return TEST_SKIP;
    }
    char sem[128], shmmni[64], msgmni[64];
    ASSERT_EQ(read_sysctl("/proc/sys/kernel/sem", sem, sizeof sem), 0);
    ASSERT_EQ(read_sysctl("/proc/sys/kernel/shmmni", shmmni, sizeof shmmni), 0);
    ASSERT_EQ(read_sysctl("/proc/sys/kernel/msgmni", msgmni, sizeof msgmni), 0);
    int semmsl, semmns, semopm, semmni;
    ASSERT_EQ(sscanf(sem, "%d %d %d %d", &semmsl, &semmns, &semopm, &semmni), 4);
    char lowered[128];
    snprintf(lowered, sizeof lowered, "%d %d %d 0\n", semmsl, semmns, semopm);
    int w1 = write_sysctl("/proc/sys/kernel/sem", lowered);
    int w2 = write_sysctl("/proc/sys/kernel/shmmni", "0\n");
    int w3 = write_sysctl("/proc/sys/kernel/msgmni", "0\n");
    pipc_sem_t s;
    pipc_shm_t m;
    pipc_msg_t q;
    int r1 = pipc_sem_open(&s, 0, 1, 0, 0600, 0);
    pipc_error_t e1 = *pipc_error_last();
    if (r1 == PIPC_OK) t_cleanup_sem(s.id);
    int r2 = pipc_shm_open(&m, 0, 4096, 0, 0600, -1);
    pipc_error_t e2 = *pipc_error_last();
    if (r2 == PIPC_OK) t_cleanup_shm(m.id);
    int r3 = pipc_msg_open(&q, PIPC_KEY_RANDOM, PIPC_IPC_CREX, 0600, 10);
    pipc_error_t e3 = *pipc_error_last();
    if (r3 == PIPC_OK) t_cleanup_msg(q.id);
    write_sysctl("/proc/sys/kernel/sem", sem);
    write_sysctl("/proc/sys/kernel/shmmni", shmmni);
    write_sysctl("/proc/sys/kernel/msgmni", msgmni);
    ASSERT_EQ(w1, 0);
    ASSERT_EQ(w2, 0);
    ASSERT_EQ(w3, 0);
    ASSERT_EQ(r1, PIPC_E_LIMIT);
    ASSERT_EQ(e1.sys_errno, ENOSPC);
    ASSERT_CONTAINS(e1.message, "semget");
    ASSERT_CONTAINS(e1.message, "kernel.sem");
    ASSERT_CONTAINS(e1.message, "ENOSPC");
    ASSERT_EQ(r2, PIPC_E_LIMIT);
    ASSERT_EQ(e2.sys_errno, ENOSPC);
    ASSERT_CONTAINS(e2.message, "kernel.shmmni");
    ASSERT_EQ(r3, PIPC_E_LIMIT);
    ASSERT_EQ(e3.sys_errno, ENOSPC);
    ASSERT_CONTAINS(e3.message, "kernel.msgmni");
    /* restored: creating works again */
    ASSERT_OK(pipc_msg_open(&q, 0, 0, 0600, 10));
    t_cleanup_msg(q.id);
    ASSERT_OK(pipc_msg_remove(&q));
    return 0;
}
