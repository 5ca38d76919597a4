/* test_subject.c — pipc_error_t.subject: the key, id or limit an error is
 * about (PIPC_SUBJECT_NONE when none), and pipc_error_restore. */
#include "test_util.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>

/* Ids that no object has: Linux ids are index + 32768 * sequence, and a test
 * namespace holds a handful of objects, so index 32767 is never in use. */
#define NO_ID_A ((int64_t)INT_MAX)
#define NO_ID_B ((int64_t)(32768 * 3 + 32767))

/* The last error has this site and subject. */
#define ASSERT_ABOUT(site_, subject_)                                                              \
    do {                                                                                           \
        ASSERT_EQ(pipc_error_last()->site, (site_));                                               \
        ASSERT_EQ(pipc_error_last()->subject, (subject_));                                         \
    } while (0)

int test_subject_shm_id(void) {
    pipc_shm_t m;
    pipc_shm_info_t info;
    ASSERT_FAILS(pipc_shm_open_id(&m, NO_ID_A), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_ABOUT(PIPC_SITE_SHMCTL, NO_ID_A);
    ASSERT_FAILS(pipc_shm_remove_id(NO_ID_B), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_ABOUT(PIPC_SITE_SHMCTL, NO_ID_B);
    /* a handle whose segment was removed: its own id, for every call */
    ASSERT_OK(t_new_shm(&m, 16));
    ASSERT_OK(pipc_shm_remove(&m));
    ASSERT_FAILS(pipc_shm_stat(&m, &info), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_ABOUT(PIPC_SITE_SHMCTL, m.id);
    ASSERT_FAILS(pipc_shm_set_perm(&m, PIPC_KEEP, PIPC_KEEP, 0600), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_ABOUT(PIPC_SITE_SHMCTL, m.id); /* its IPC_STAT fails first */
    ASSERT_FAILS(pipc_shm_attach(&m, 0, 0), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_ABOUT(PIPC_SITE_SHMAT, m.id);
    return 0;
}

/* EEXIST and ENOENT of a get call carry the key (as does every get failure). */
int test_subject_key(void) {
    pipc_shm_t m, m2;
    pipc_sem_t s, s2;
    pipc_msg_t q, q2;
    ASSERT_OK(pipc_shm_open(&m, PIPC_KEY_RANDOM, 16, PIPC_IPC_CREX, 0600, 0));
    t_cleanup_shm(m.id);
    ASSERT_FAILS(pipc_shm_open(&m2, m.key, 16, PIPC_IPC_CREX, 0600, 0), PIPC_E_EXISTENTIAL, EEXIST);
    ASSERT_ABOUT(PIPC_SITE_SHMGET, m.key);
    ASSERT_OK(pipc_shm_remove(&m));
    ASSERT_FAILS(pipc_shm_open(&m2, m.key, 0, 0, 0600, 0), PIPC_E_EXISTENTIAL, ENOENT);
    ASSERT_ABOUT(PIPC_SITE_SHMGET, m.key);

    ASSERT_OK(pipc_sem_open(&s, PIPC_KEY_RANDOM, 1, PIPC_IPC_CREX, 0600, 0));
    t_cleanup_sem(s.id);
    ASSERT_FAILS(pipc_sem_open(&s2, s.key, 1, PIPC_IPC_CREX, 0600, 0), PIPC_E_EXISTENTIAL, EEXIST);
    ASSERT_ABOUT(PIPC_SITE_SEMGET, s.key);
    ASSERT_OK(pipc_sem_remove(&s));
    ASSERT_FAILS(pipc_sem_open(&s2, s.key, 0, 0, 0600, 0), PIPC_E_EXISTENTIAL, ENOENT);
    ASSERT_ABOUT(PIPC_SITE_SEMGET, s.key);

    ASSERT_OK(pipc_msg_open(&q, PIPC_KEY_RANDOM, PIPC_IPC_CREX, 0600, 2048));
    t_cleanup_msg(q.id);
    ASSERT_FAILS(pipc_msg_open(&q2, q.key, PIPC_IPC_CREX, 0600, 2048), PIPC_E_EXISTENTIAL, EEXIST);
    ASSERT_ABOUT(PIPC_SITE_MSGGET, q.key);
    ASSERT_OK(pipc_msg_remove(&q));
    ASSERT_FAILS(pipc_msg_open(&q2, q.key, 0, 0600, 2048), PIPC_E_EXISTENTIAL, ENOENT);
    ASSERT_ABOUT(PIPC_SITE_MSGGET, q.key);
    /* a key is not an id: the same failure on two keys carries each */
    ASSERT_FAILS(pipc_msg_open(&q2, q.key + 1 > PIPC_RANDOM_KEY_MAX ? 1 : q.key + 1, 0, 0600, 2048),
                 PIPC_E_EXISTENTIAL, -1);
    ASSERT_ABOUT(PIPC_SITE_MSGGET, q.key + 1 > PIPC_RANDOM_KEY_MAX ? 1 : q.key + 1);
    return 0;
}

int test_subject_msg_id(void) {
    pipc_msg_t q;
    size_t len;
    static union {
        pipc_msgbuf_t m;
        char bytes[PIPC_MSGBUF_SIZE(16)];
    } rb;
    ASSERT_FAILS(pipc_msg_remove_id(NO_ID_A), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_ABOUT(PIPC_SITE_MSGCTL, NO_ID_A);
    ASSERT_FAILS(pipc_msg_remove_id(NO_ID_B), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_ABOUT(PIPC_SITE_MSGCTL, NO_ID_B);
    ASSERT_OK(t_new_msg(&q));
    ASSERT_OK(pipc_msg_remove(&q));
    ASSERT_FAILS(pipc_msg_send(&q, 1, "x", 1, PIPC_IPC_NOWAIT), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_ABOUT(PIPC_SITE_MSGSND, q.id);
    ASSERT_FAILS(pipc_msg_receive(&q, 0, PIPC_IPC_NOWAIT, &rb.m, 16, &len), PIPC_E_EXISTENTIAL,
                 EINVAL);
    ASSERT_ABOUT(PIPC_SITE_MSGRCV, q.id);
    ASSERT_FAILS(pipc_msg_set_max_bytes(&q, 4096), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_ABOUT(PIPC_SITE_MSGCTL, q.id);
    return 0;
}

int test_subject_sem_id(void) {
    pipc_sem_t s;
    int value;
    double timeout = 0;
    ASSERT_FAILS(pipc_sem_open_id(&s, NO_ID_A), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_ABOUT(PIPC_SITE_SEMCTL, NO_ID_A);
    ASSERT_FAILS(pipc_sem_remove_id(NO_ID_B), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_ABOUT(PIPC_SITE_SEMCTL, NO_ID_B);
    ASSERT_OK(t_new_sem(&s, 2, 1));
    ASSERT_OK(pipc_sem_remove(&s));
    ASSERT_FAILS(pipc_sem_get_value(&s, 1, &value), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_ABOUT(PIPC_SITE_SEMCTL, s.id);
    ASSERT_FAILS(pipc_sem_acquire(&s, 0, 1, &timeout), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_ABOUT(PIPC_SITE_SEMOP, s.id);
    ASSERT_FAILS(pipc_sem_release(&s, 1, 1), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_ABOUT(PIPC_SITE_SEMOP, s.id);
    return 0;
}

/* The one check that carries a number: the limit the message exceeded. */
int test_subject_max_message_size(void) {
    static const char data[200] = {0};
    static const int64_t limits[] = {1, 37, 199};
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        pipc_msg_t q;
        ASSERT_OK(pipc_msg_open(&q, PIPC_IPC_PRIVATE, PIPC_IPC_CREX, 0600, limits[i]));
        t_cleanup_msg(q.id);
        ASSERT_FAILS(pipc_msg_send(&q, 1, data, (size_t)limits[i] + 1, PIPC_IPC_NOWAIT),
                     PIPC_E_MESSAGE_SIZE, 0);
        ASSERT_ABOUT(PIPC_SITE_MSG_TOO_LONG, limits[i]);
        ASSERT_OK(pipc_msg_send(&q, 1, data, (size_t)limits[i], PIPC_IPC_NOWAIT));
        ASSERT_OK(pipc_msg_remove(&q));
    }
    return 0;
}

static void *first_error_of_thread(void *out) {
    *(int64_t *)out = pipc_error_last()->subject;
    return NULL;
}

/* Failures about no one number, and every way of recording or clearing. */
int test_subject_none(void) {
    int32_t k;
    pipc_sem_t s;
    /* a thread that has not failed yet */
    int64_t fresh = 0;
    pthread_t t;
    ASSERT_EQ(pthread_create(&t, NULL, first_error_of_thread, &fresh), 0);
    ASSERT_EQ(pthread_join(t, NULL), 0);
    ASSERT_EQ(fresh, PIPC_SUBJECT_NONE);
    /* a check (the key is out of range: a range error, not about an object) */
    ASSERT_FAILS(pipc_sem_open_id(&s, NO_ID_A), PIPC_E_EXISTENTIAL, EINVAL); /* has one */
    ASSERT_INVALID(pipc_key_check(-1LL + INT32_MIN));
    ASSERT_ABOUT(PIPC_SITE_NONE, PIPC_SUBJECT_NONE);
    /* a named check without a number */
    ASSERT_FAILS(pipc_sem_open_id(&s, NO_ID_A), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_INVALID(pipc_sem_open(&s, 5, 1, PIPC_IPC_EXCL, 0600, 0));
    ASSERT_ABOUT(PIPC_SITE_EXCL_WITHOUT_CREAT, PIPC_SUBJECT_NONE);
    /* ftok: a system call about a path */
    ASSERT_FAILS(pipc_sem_open_id(&s, NO_ID_A), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_FAILS(pipc_ftok("/nonexistent/polyipc/path", 1, &k), PIPC_E_SYSCALL, ENOENT);
    ASSERT_ABOUT(PIPC_SITE_FTOK, PIPC_SUBJECT_NONE);
    /* a binding's own error, and clearing */
    ASSERT_FAILS(pipc_sem_open_id(&s, NO_ID_A), PIPC_E_EXISTENTIAL, EINVAL);
    pipc_error_set(PIPC_E_WRONG_TYPE, 0, "an integer is required");
    ASSERT_ABOUT(PIPC_SITE_NONE, PIPC_SUBJECT_NONE);
    ASSERT_FAILS(pipc_sem_open_id(&s, NO_ID_A), PIPC_E_EXISTENTIAL, EINVAL);
    pipc_error_clear();
    ASSERT_EQ(pipc_error_last()->code, PIPC_OK);
    ASSERT_ABOUT(PIPC_SITE_NONE, PIPC_SUBJECT_NONE);
    return 0;
}

/* pipc_error_restore brings back every field of a saved detail. */
int test_error_restore(void) {
    pipc_sem_t s;
    ASSERT_FAILS(pipc_sem_open_id(&s, NO_ID_B), PIPC_E_EXISTENTIAL, EINVAL);
    const pipc_error_t saved = *pipc_error_last();
    pipc_error_set(PIPC_E_BUSY, EAGAIN, "another failure");
    pipc_error_restore(&saved);
    const pipc_error_t *e = pipc_error_last();
    ASSERT_EQ(e->code, PIPC_E_EXISTENTIAL);
    ASSERT_EQ(e->sys_errno, EINVAL);
    ASSERT_EQ(e->site, PIPC_SITE_SEMCTL);
    ASSERT_EQ(e->subject, NO_ID_B);
    ASSERT_STR_EQ(e->message, saved.message);
    ASSERT_CONTAINS(e->message, "semctl");
    /* NULL and the record itself change nothing */
    pipc_error_restore(NULL);
    pipc_error_restore(e);
    ASSERT_EQ(e->code, PIPC_E_EXISTENTIAL);
    ASSERT_EQ(e->subject, NO_ID_B);
    ASSERT_STR_EQ(e->message, saved.message);
    return 0;
}
