/* test_key.c — key checks, ftok, random keys, open-flag checks. */
#include "test_util.h"

#include <errno.h>
#include <sys/ipc.h>

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
