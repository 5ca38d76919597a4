/* test_sem.c — semaphore sets. */
#include "test_util.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/time.h>
#include <unistd.h>

#define SEMVMX_TEXT "The semaphore's value must remain between 0 and SEMVMX"

int test_sem_open_private(void) {
    pipc_sem_t s;
    ASSERT_OK(t_new_sem(&s, 3, 5));
    ASSERT_EQ(s.key, 0);
    ASSERT(s.id >= 0);
    ASSERT_EQ(s.nsems, 3);
    ASSERT(s.created);
    ASSERT(s.block);
    ASSERT(!s.undo);
    int v[3] = {-1, -1, -1};
    ASSERT_OK(pipc_sem_get_all(&s, v, 3));
    ASSERT_EQ(v[0], 5);
    ASSERT_EQ(v[1], 5);
    ASSERT_EQ(v[2], 5);
    pipc_sem_info_t info;
    ASSERT_OK(pipc_sem_stat(&s, &info));
    ASSERT_EQ(info.nsems, 3);
    ASSERT_EQ(info.o_time, 0); /* SETALL does not count as an operation */
    ASSERT(info.c_time > 0);
    ASSERT_EQ(info.perm.mode & 0777, 0600);
    ASSERT_EQ(info.perm.uid, geteuid());
    ASSERT_EQ(info.perm.cuid, geteuid());
    ASSERT_EQ(info.perm.gid, getegid());
    ASSERT_EQ(info.perm.key, 0);
    /* A one-semaphore set with an initial value (SETVAL path). */
    pipc_sem_t one;
    ASSERT_OK(t_new_sem(&one, 1, PIPC_SEMVMX));
    int x = -1;
    ASSERT_OK(pipc_sem_get_value(&one, 0, &x));
    ASSERT_EQ(x, PIPC_SEMVMX);
    ASSERT_OK(pipc_sem_stat(&one, &info));
    ASSERT_EQ(info.o_time, 0);
    /* mode is masked to 0777: flags never leak in through it. */
    pipc_sem_t m;
    ASSERT_OK(pipc_sem_open(&m, 0, 1, 0, 010640 | PIPC_IPC_CREAT, 0));
    t_cleanup_sem(m.id);
    ASSERT_OK(pipc_sem_stat(&m, &info));
    ASSERT_EQ(info.perm.mode & 07777, 0640);
    ASSERT_OK(pipc_sem_remove(&m));
    ASSERT_OK(pipc_sem_remove(&one));
    ASSERT_OK(pipc_sem_remove(&s));
    return 0;
}

int test_sem_initial_value_not_reset(void) {
    pipc_sem_t a, b, c;
    ASSERT_OK(pipc_sem_open(&a, PIPC_KEY_RANDOM, 2, PIPC_IPC_CREX, 0600, 3));
    t_cleanup_sem(a.id);
    ASSERT(a.created);
    ASSERT_OK(pipc_sem_acquire(&a, 1, 1, NULL));
    /* IPC_CREAT on an existing set opens it and does not reset it. */
    ASSERT_OK(pipc_sem_open(&b, a.key, 2, PIPC_IPC_CREAT, 0600, 7));
    ASSERT(!b.created);
    ASSERT_EQ(b.id, a.id);
    ASSERT_EQ(b.key, a.key);
    int v[2];
    ASSERT_OK(pipc_sem_get_all(&b, v, 2));
    ASSERT_EQ(v[0], 3);
    ASSERT_EQ(v[1], 2);
    /* Opening without flags, nsems 0: the real nsems is learned. */
    ASSERT_OK(pipc_sem_open(&c, a.key, 0, 0, 0600, 9));
    ASSERT(!c.created);
    ASSERT_EQ(c.nsems, 2);
    ASSERT_OK(pipc_sem_open(&c, a.key, 1, 0, 0600, 9));
    ASSERT_EQ(c.nsems, 2);
    ASSERT_OK(pipc_sem_get_all(&c, v, 2));
    ASSERT_EQ(v[0], 3);
    /* Asking for more semaphores than the set has. */
    ASSERT_FAILS(pipc_sem_open(&c, a.key, 3, 0, 0600, 0), PIPC_E_INVALID_ARGUMENT, EINVAL);
    ASSERT_CONTAINS(pipc_error_last()->message, "semget");
    ASSERT_OK(pipc_sem_remove(&a));
    return 0;
}

int test_sem_creat_creates(void) {
    /* IPC_CREAT alone on an unused key creates and applies the initial value. */
    pipc_sem_t a, b;
    ASSERT_OK(pipc_sem_open(&a, PIPC_KEY_RANDOM, 1, PIPC_IPC_CREX, 0600, 0));
    t_cleanup_sem(a.id);
    int32_t key = a.key;
    ASSERT_OK(pipc_sem_remove(&a));
    ASSERT_OK(pipc_sem_open(&b, key, 1, PIPC_IPC_CREAT, 0600, 4));
    t_cleanup_sem(b.id);
    ASSERT(b.created);
    ASSERT_EQ(b.key, key);
    int x;
    ASSERT_OK(pipc_sem_get_value(&b, 0, &x));
    ASSERT_EQ(x, 4);
    pipc_sem_info_t info;
    ASSERT_OK(pipc_sem_stat(&b, &info));
    ASSERT_EQ(info.o_time, 0);
    /* IPC_CREX on it now collides. */
    ASSERT_FAILS(pipc_sem_open(&a, key, 1, PIPC_IPC_CREX, 0600, 0), PIPC_E_EXISTENTIAL, EEXIST);
    ASSERT_CONTAINS(pipc_error_last()->message, "semget");
    ASSERT_CONTAINS(pipc_error_last()->message, "EEXIST");
    ASSERT_OK(pipc_sem_remove(&b));
    /* Gone: opening without IPC_CREAT fails. */
    ASSERT_FAILS(pipc_sem_open(&a, key, 1, 0, 0600, 0), PIPC_E_EXISTENTIAL, ENOENT);
    ASSERT_CONTAINS(pipc_error_last()->message, "ENOENT");
    return 0;
}

int test_sem_open_bad_args(void) {
    pipc_sem_t s;
    ASSERT_INVALID(pipc_sem_open(&s, 0, 0, 0, 0600, 0)); /* creating needs nsems >= 1 */
    ASSERT_INVALID(pipc_sem_open(&s, 0, -1, 0, 0600, 0));
    ASSERT_INVALID(pipc_sem_open(&s, 1234, -1, 0, 0600, 0));
    ASSERT_INVALID(pipc_sem_open(&s, 1234, 0, PIPC_IPC_CREAT, 0600, 0));
    ASSERT_INVALID(pipc_sem_open(&s, 0, (int64_t)INT32_MAX + 1, 0, 0600, 0));
    ASSERT_INVALID(pipc_sem_open(&s, 0, INT64_MAX, 0, 0600, 0));
    ASSERT_INVALID(pipc_sem_open(&s, 0, 1, 0, 0600, -1));
    ASSERT_INVALID(pipc_sem_open(&s, 0, 1, 0, 0600, PIPC_SEMVMX + 1));
    ASSERT_INVALID(pipc_sem_open(&s, 0, 1, 0, 0600, INT64_MIN));
    ASSERT_CONTAINS(pipc_error_last()->message, "SEMVMX");
    /* Above SEMMSL: refused by the kernel (EINVAL from semget). */
    ASSERT_FAILS(pipc_sem_open(&s, 0, 10000000, 0, 0600, 0), PIPC_E_INVALID_ARGUMENT, EINVAL);
    ASSERT_CONTAINS(pipc_error_last()->message, "kernel.sem");
    /* open_id */
    ASSERT_INVALID(pipc_sem_open_id(&s, -1));
    ASSERT_INVALID(pipc_sem_open_id(&s, (int64_t)INT32_MAX + 1));
    ASSERT_INVALID(pipc_sem_open_id(NULL, 0));
    return 0;
}

int test_sem_open_id(void) {
    pipc_sem_t a, b;
    ASSERT_OK(pipc_sem_open(&a, PIPC_KEY_RANDOM, 4, PIPC_IPC_CREX, 0600, 1));
    t_cleanup_sem(a.id);
    ASSERT_OK(pipc_sem_open_id(&b, a.id));
    ASSERT_EQ(b.id, a.id);
    ASSERT_EQ(b.key, a.key);
    ASSERT_EQ(b.nsems, 4);
    ASSERT(!b.created);
    ASSERT(b.block);
    ASSERT_OK(pipc_sem_release(&b, 3, 1));
    int x;
    ASSERT_OK(pipc_sem_get_value(&a, 3, &x));
    ASSERT_EQ(x, 2);
    ASSERT_OK(pipc_sem_remove_id(a.id));
    ASSERT_FAILS(pipc_sem_open_id(&b, a.id), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_FAILS(pipc_sem_remove_id(a.id), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_INVALID(pipc_sem_remove_id(-5));
    return 0;
}

int test_sem_acquire_release(void) {
    pipc_sem_t s;
    ASSERT_OK(t_new_sem(&s, 2, 2));
    int x = -1, pid = -1;
    ASSERT_OK(pipc_sem_get_pid(&s, 0, &pid));
    ASSERT(pid == 0 || pid == getpid()); /* newer kernels record SETALL's pid */
    ASSERT_OK(pipc_sem_acquire(&s, 0, 1, NULL));
    ASSERT_OK(pipc_sem_get_value(&s, 0, &x));
    ASSERT_EQ(x, 1);
    ASSERT_OK(pipc_sem_release(&s, 0, 3));
    ASSERT_OK(pipc_sem_get_value(&s, 0, &x));
    ASSERT_EQ(x, 4);
    double t = PIPC_FOREVER;
    ASSERT_OK(pipc_sem_acquire(&s, 0, 4, &t));
    ASSERT_OK(pipc_sem_get_value(&s, 0, &x));
    ASSERT_EQ(x, 0);
    t = 5.0; /* a finite timeout that does not expire */
    ASSERT_OK(pipc_sem_acquire(&s, 1, 2, &t));
    ASSERT_OK(pipc_sem_get_value(&s, 1, &x));
    ASSERT_EQ(x, 0);
    ASSERT_OK(pipc_sem_get_pid(&s, 0, &pid));
    ASSERT_EQ(pid, getpid());
    pipc_sem_info_t info;
    ASSERT_OK(pipc_sem_stat(&s, &info));
    ASSERT(info.o_time > 0);
    /* wait_zero on a zero semaphore returns at once. */
    ASSERT_OK(pipc_sem_wait_zero(&s, 0, NULL));
    t = 0;
    ASSERT_OK(pipc_sem_wait_zero(&s, 1, &t));
    ASSERT_OK(pipc_sem_remove(&s));
    return 0;
}

int test_sem_nowait_busy(void) {
    pipc_sem_t s;
    ASSERT_OK(t_new_sem(&s, 1, 0));
    double t = 0;
    ASSERT_FAILS(pipc_sem_acquire(&s, 0, 1, &t), PIPC_E_BUSY, EAGAIN);
    ASSERT_CONTAINS(pipc_error_last()->message, "semop");
    s.block = false;
    ASSERT_FAILS(pipc_sem_acquire(&s, 0, 1, NULL), PIPC_E_BUSY, EAGAIN);
    /* block == false wins over a timeout: no waiting at all. */
    t = 5.0;
    double t0 = t_now();
    ASSERT_FAILS(pipc_sem_acquire(&s, 0, 1, &t), PIPC_E_BUSY, EAGAIN);
    ASSERT(t_now() - t0 < 1.0);
    ASSERT_OK(pipc_sem_release(&s, 0, 1));
    ASSERT_FAILS(pipc_sem_wait_zero(&s, 0, NULL), PIPC_E_BUSY, EAGAIN);
    s.block = true;
    t = 0;
    ASSERT_FAILS(pipc_sem_wait_zero(&s, 0, &t), PIPC_E_BUSY, EAGAIN);
    ASSERT_OK(pipc_sem_remove(&s));
    return 0;
}

int test_sem_timeout_expiry(void) {
    pipc_sem_t s;
    ASSERT_OK(t_new_sem(&s, 1, 0));
    double t = 0.2;
    double t0 = t_now();
    ASSERT_FAILS(pipc_sem_acquire(&s, 0, 1, &t), PIPC_E_BUSY, EAGAIN);
    double el = t_now() - t0;
    ASSERT(el >= 0.15);
    ASSERT(el < 5.0);
    ASSERT_CONTAINS(pipc_error_last()->message, "semtimedop");
    ASSERT_CONTAINS(pipc_error_last()->message, "timeout");
    ASSERT_OK(pipc_sem_release(&s, 0, 1));
    t = 0.2;
    t0 = t_now();
    ASSERT_FAILS(pipc_sem_wait_zero(&s, 0, &t), PIPC_E_BUSY, EAGAIN);
    ASSERT(t_now() - t0 >= 0.15);
    ASSERT_OK(pipc_sem_remove(&s));
    return 0;
}

int test_sem_bad_args(void) {
    pipc_sem_t s;
    ASSERT_OK(t_new_sem(&s, 2, 1));
    double t;
    ASSERT_INVALID(pipc_sem_acquire(&s, 0, 0, NULL));
    ASSERT_CONTAINS(pipc_error_last()->message, "delta");
    ASSERT_INVALID(pipc_sem_acquire(&s, 0, -1, NULL));
    ASSERT_INVALID(pipc_sem_acquire(&s, 0, 32768, NULL));
    ASSERT_INVALID(pipc_sem_acquire(&s, 0, INT64_MAX, NULL));
    ASSERT_INVALID(pipc_sem_release(&s, 0, 0));
    ASSERT_INVALID(pipc_sem_release(&s, 0, INT64_MIN));
    ASSERT_INVALID(pipc_sem_release(&s, 0, 1LL << 32));
    ASSERT_INVALID(pipc_sem_acquire(&s, -1, 1, NULL));
    ASSERT_CONTAINS(pipc_error_last()->message, "index");
    ASSERT_INVALID(pipc_sem_acquire(&s, 2, 1, NULL));
    ASSERT_INVALID(pipc_sem_release(&s, INT64_MIN, 1));
    ASSERT_INVALID(pipc_sem_wait_zero(&s, 2, NULL));
    t = NAN;
    ASSERT_INVALID(pipc_sem_acquire(&s, 0, 1, &t));
    ASSERT_CONTAINS(pipc_error_last()->message, "timeout");
    t = -1;
    ASSERT_INVALID(pipc_sem_acquire(&s, 0, 1, &t));
    t = -INFINITY;
    ASSERT_INVALID(pipc_sem_wait_zero(&s, 0, &t));
    ASSERT_INVALID(pipc_sem_get_value(&s, 2, &(int){0}));
    ASSERT_INVALID(pipc_sem_get_value(&s, 0, NULL));
    ASSERT_INVALID(pipc_sem_get_pid(&s, -1, &(int){0}));
    ASSERT_INVALID(pipc_sem_get_ncount(&s, 5, &(int){0}));
    ASSERT_INVALID(pipc_sem_get_zcount(&s, 5, &(int){0}));
    ASSERT_INVALID(pipc_sem_set_value(&s, 0, -1));
    ASSERT_INVALID(pipc_sem_set_value(&s, 0, PIPC_SEMVMX + 1));
    ASSERT_INVALID(pipc_sem_set_value(&s, 7, 1));
    ASSERT_INVALID(pipc_sem_stat(&s, NULL));
    /* Nothing was changed by any of these. */
    int v[2];
    ASSERT_OK(pipc_sem_get_all(&s, v, 2));
    ASSERT_EQ(v[0], 1);
    ASSERT_EQ(v[1], 1);
    /* NULL handles never crash. */
    ASSERT_INVALID(pipc_sem_acquire(NULL, 0, 1, NULL));
    ASSERT_INVALID(pipc_sem_release(NULL, 0, 1));
    ASSERT_INVALID(pipc_sem_wait_zero(NULL, 0, NULL));
    ASSERT_INVALID(pipc_sem_op(NULL, NULL, 0, NULL));
    ASSERT_INVALID(pipc_sem_get_value(NULL, 0, &(int){0}));
    ASSERT_INVALID(pipc_sem_set_value(NULL, 0, 0));
    ASSERT_INVALID(pipc_sem_get_all(NULL, v, 2));
    ASSERT_INVALID(pipc_sem_set_all(NULL, (int64_t[]){0, 0}, 2));
    ASSERT_INVALID(pipc_sem_get_pid(NULL, 0, &(int){0}));
    ASSERT_INVALID(pipc_sem_get_ncount(NULL, 0, &(int){0}));
    ASSERT_INVALID(pipc_sem_get_zcount(NULL, 0, &(int){0}));
    ASSERT_INVALID(pipc_sem_stat(NULL, &(pipc_sem_info_t){0}));
    ASSERT_INVALID(pipc_sem_set_perm(NULL, PIPC_KEEP, PIPC_KEEP, 0600));
    ASSERT_INVALID(pipc_sem_remove(NULL));
    ASSERT_OK(pipc_sem_remove(&s));
    return 0;
}

int test_sem_semvmx_overflow(void) {
    pipc_sem_t s;
    ASSERT_OK(t_new_sem(&s, 1, PIPC_SEMVMX - 1));
    ASSERT_OK(pipc_sem_release(&s, 0, 1));
    ASSERT_FAILS(pipc_sem_release(&s, 0, 1), PIPC_E_INVALID_ARGUMENT, ERANGE);
    ASSERT_STR_EQ(pipc_error_last()->message, SEMVMX_TEXT);
    ASSERT_OK(pipc_sem_set_value(&s, 0, 100));
    ASSERT_FAILS(pipc_sem_release(&s, 0, PIPC_SEMVMX), PIPC_E_INVALID_ARGUMENT, ERANGE);
    ASSERT_STR_EQ(pipc_error_last()->message, SEMVMX_TEXT);
    int x;
    ASSERT_OK(pipc_sem_get_value(&s, 0, &x));
    ASSERT_EQ(x, 100);
    ASSERT_OK(pipc_sem_remove(&s));
    return 0;
}

int test_sem_values(void) {
    pipc_sem_t s;
    ASSERT_OK(t_new_sem(&s, 3, 0));
    ASSERT_OK(pipc_sem_set_value(&s, 1, 42));
    ASSERT_OK(pipc_sem_set_value(&s, 2, PIPC_SEMVMX));
    int x;
    ASSERT_OK(pipc_sem_get_value(&s, 1, &x));
    ASSERT_EQ(x, 42);
    int v[4] = {-1, -1, -1, -1};
    ASSERT_OK(pipc_sem_get_all(&s, v, 4)); /* a larger array is fine */
    ASSERT_EQ(v[0], 0);
    ASSERT_EQ(v[1], 42);
    ASSERT_EQ(v[2], PIPC_SEMVMX);
    ASSERT_EQ(v[3], -1);
    ASSERT_INVALID(pipc_sem_get_all(&s, v, 2));
    ASSERT_INVALID(pipc_sem_get_all(&s, NULL, 3));
    int64_t nv[3] = {7, 8, 9};
    ASSERT_OK(pipc_sem_set_all(&s, nv, 3));
    ASSERT_OK(pipc_sem_get_all(&s, v, 3));
    ASSERT_EQ(v[0], 7);
    ASSERT_EQ(v[1], 8);
    ASSERT_EQ(v[2], 9);
    ASSERT_INVALID(pipc_sem_set_all(&s, nv, 2));
    ASSERT_INVALID(pipc_sem_set_all(&s, nv, 4));
    ASSERT_INVALID(pipc_sem_set_all(&s, NULL, 3));
    int64_t bad[3] = {1, -1, 1};
    ASSERT_INVALID(pipc_sem_set_all(&s, bad, 3));
    bad[1] = PIPC_SEMVMX + 1;
    ASSERT_INVALID(pipc_sem_set_all(&s, bad, 3));
    ASSERT_OK(pipc_sem_get_all(&s, v, 3));
    ASSERT_EQ(v[1], 8); /* unchanged */
    pipc_sem_info_t info;
    ASSERT_OK(pipc_sem_stat(&s, &info));
    ASSERT_EQ(info.o_time, 0); /* SETVAL/SETALL are not operations */
    /* A big set (heap path of GETALL/SETALL) */
    pipc_sem_t big;
    ASSERT_OK(t_new_sem(&big, 300, 11));
    int *bv = calloc(300, sizeof *bv);
    int64_t *bn = calloc(300, sizeof *bn);
    ASSERT(bv != NULL && bn != NULL);
    int rc = pipc_sem_get_all(&big, bv, 300);
    int ok = rc == PIPC_OK && bv[0] == 11 && bv[299] == 11;
    for (int i = 0; i < 300; i++) bn[i] = i;
    rc = pipc_sem_set_all(&big, bn, 300);
    ok = ok && rc == PIPC_OK;
    rc = pipc_sem_get_all(&big, bv, 300);
    ok = ok && rc == PIPC_OK && bv[0] == 0 && bv[299] == 299;
    free(bv);
    free(bn);
    ASSERT(ok);
    ASSERT_OK(pipc_sem_remove(&big));
    ASSERT_OK(pipc_sem_remove(&s));
    return 0;
}

int test_sem_op_multi(void) {
    pipc_sem_t s;
    ASSERT_OK(t_new_sem(&s, 2, 0));
    ASSERT_OK(pipc_sem_set_value(&s, 0, 1));
    pipc_sem_op_t ops[2] = {{0, -1, 0}, {1, 1, 0}};
    ASSERT_OK(pipc_sem_op(&s, ops, 2, NULL));
    int v[2];
    ASSERT_OK(pipc_sem_get_all(&s, v, 2));
    ASSERT_EQ(v[0], 0);
    ASSERT_EQ(v[1], 1);
    /* Atomic: the first would block, so the second does not happen either. */
    pipc_sem_op_t ops2[2] = {{1, 1, 0}, {0, -1, PIPC_IPC_NOWAIT}};
    ASSERT_FAILS(pipc_sem_op(&s, ops2, 2, NULL), PIPC_E_BUSY, EAGAIN);
    ASSERT_OK(pipc_sem_get_all(&s, v, 2));
    ASSERT_EQ(v[1], 1);
    double t = 0;
    pipc_sem_op_t ops3[1] = {{0, -1, 0}};
    ASSERT_FAILS(pipc_sem_op(&s, ops3, 1, &t), PIPC_E_BUSY, EAGAIN);
    /* wait-for-zero and acquire together, with a timeout that does not expire */
    pipc_sem_op_t ops4[2] = {{0, 0, 0}, {1, -1, PIPC_SEM_UNDO}};
    t = 3;
    ASSERT_OK(pipc_sem_op(&s, ops4, 2, &t));
    ASSERT_OK(pipc_sem_get_all(&s, v, 2));
    ASSERT_EQ(v[1], 0);
    /* Many operations (heap path) */
    pipc_sem_op_t many[100];
    for (int i = 0; i < 100; i++) many[i] = (pipc_sem_op_t){i % 2, 1, 0};
    int rc = pipc_sem_op(&s, many, 100, NULL);
    if (rc == PIPC_E_INVALID_ARGUMENT) {
        /* more than SEMOPM: E2BIG is an argument error naming kernel.sem */
        ASSERT_EQ(pipc_error_last()->sys_errno, E2BIG);
        ASSERT_CONTAINS(pipc_error_last()->message, "kernel.sem");
    } else {
        ASSERT_EQ(rc, PIPC_OK);
        ASSERT_OK(pipc_sem_get_all(&s, v, 2));
        ASSERT_EQ(v[0], 50);
    }
    /* Argument checks */
    ASSERT_INVALID(pipc_sem_op(&s, ops, 0, NULL));
    ASSERT_INVALID(pipc_sem_op(&s, NULL, 1, NULL));
    pipc_sem_op_t bad[1] = {{0, -32769, 0}};
    ASSERT_INVALID(pipc_sem_op(&s, bad, 1, NULL));
    bad[0] = (pipc_sem_op_t){0, 32768, 0};
    ASSERT_INVALID(pipc_sem_op(&s, bad, 1, NULL));
    bad[0] = (pipc_sem_op_t){2, 1, 0};
    ASSERT_INVALID(pipc_sem_op(&s, bad, 1, NULL));
    bad[0] = (pipc_sem_op_t){-1, 1, 0};
    ASSERT_INVALID(pipc_sem_op(&s, bad, 1, NULL));
    bad[0] = (pipc_sem_op_t){0, 1, PIPC_IPC_CREAT};
    ASSERT_INVALID(pipc_sem_op(&s, bad, 1, NULL));
    bad[0] = (pipc_sem_op_t){0, 1, -1};
    ASSERT_INVALID(pipc_sem_op(&s, bad, 1, NULL));
    t = NAN;
    ASSERT_INVALID(pipc_sem_op(&s, ops, 1, &t));
    ASSERT_OK(pipc_sem_remove(&s));
    return 0;
}

int test_sem_wake_by_other_process(void) {
    pipc_sem_t s;
    ASSERT_OK(t_new_sem(&s, 1, 0));
    pid_t pid = t_fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        double t = 15;
        int rc = pipc_sem_acquire(&s, 0, 2, &t);
        _exit(rc == PIPC_OK ? 0 : 10 - rc);
    }
    ASSERT_EQ(t_wait_for_waiters(&s, 0, false, 1), 0);
    int n = -1;
    ASSERT_OK(pipc_sem_get_ncount(&s, 0, &n));
    ASSERT_EQ(n, 1);
    ASSERT_OK(pipc_sem_release(&s, 0, 1)); /* not enough for delta 2 */
    ASSERT_OK(pipc_sem_release(&s, 0, 1));
    ASSERT_EQ(t_wait(pid), 0);
    int x;
    ASSERT_OK(pipc_sem_get_value(&s, 0, &x));
    ASSERT_EQ(x, 0);
    ASSERT_OK(pipc_sem_get_pid(&s, 0, &n));
    ASSERT_EQ(n, pid); /* the child did the last operation */
    /* wait_zero woken by another process */
    ASSERT_OK(pipc_sem_set_value(&s, 0, 1));
    pid = t_fork();
    ASSERT(pid >= 0);
    if (pid == 0) _exit(pipc_sem_wait_zero(&s, 0, NULL) == PIPC_OK ? 0 : 1);
    ASSERT_EQ(t_wait_for_waiters(&s, 0, true, 1), 0);
    ASSERT_OK(pipc_sem_get_zcount(&s, 0, &n));
    ASSERT_EQ(n, 1);
    ASSERT_OK(pipc_sem_acquire(&s, 0, 1, NULL));
    ASSERT_EQ(t_wait(pid), 0);
    ASSERT_OK(pipc_sem_get_zcount(&s, 0, &n));
    ASSERT_EQ(n, 0);
    ASSERT_OK(pipc_sem_remove(&s));
    return 0;
}

int test_sem_removed_while_waiting(void) {
    pipc_sem_t s;
    ASSERT_OK(t_new_sem(&s, 1, 0));
    pid_t pid = t_fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        double t = 15;
        int rc = pipc_sem_acquire(&s, 0, 1, &t);
        _exit(rc == PIPC_E_EXISTENTIAL && pipc_error_last()->sys_errno == EIDRM ? 0 : 1);
    }
    ASSERT_EQ(t_wait_for_waiters(&s, 0, false, 1), 0);
    ASSERT_OK(pipc_sem_remove(&s));
    ASSERT_EQ(t_wait(pid), 0);
    return 0;
}

int test_sem_use_after_remove(void) {
    pipc_sem_t s;
    ASSERT_OK(t_new_sem(&s, 2, 1));
    ASSERT_OK(pipc_sem_remove(&s));
    int x;
    double t = 1;
    ASSERT_FAILS(pipc_sem_get_value(&s, 0, &x), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_CONTAINS(pipc_error_last()->message, "GETVAL");
    ASSERT_FAILS(pipc_sem_set_value(&s, 0, 1), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_FAILS(pipc_sem_acquire(&s, 0, 1, NULL), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_FAILS(pipc_sem_acquire(&s, 0, 1, &t), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_FAILS(pipc_sem_release(&s, 0, 1), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_FAILS(pipc_sem_wait_zero(&s, 0, NULL), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_FAILS(pipc_sem_get_pid(&s, 0, &x), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_FAILS(pipc_sem_get_ncount(&s, 0, &x), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_FAILS(pipc_sem_get_zcount(&s, 0, &x), PIPC_E_EXISTENTIAL, EINVAL);
    int v[2];
    ASSERT_FAILS(pipc_sem_get_all(&s, v, 2), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_FAILS(pipc_sem_set_all(&s, (int64_t[]){1, 1}, 2), PIPC_E_EXISTENTIAL, EINVAL);
    pipc_sem_info_t info;
    ASSERT_FAILS(pipc_sem_stat(&s, &info), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_FAILS(pipc_sem_set_perm(&s, PIPC_KEEP, PIPC_KEEP, 0600), PIPC_E_EXISTENTIAL, EINVAL);
    pipc_sem_op_t op = {0, 1, 0};
    ASSERT_FAILS(pipc_sem_op(&s, &op, 1, NULL), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_FAILS(pipc_sem_remove(&s), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_CONTAINS(pipc_error_last()->message, "IPC_RMID");
    return 0;
}

static volatile sig_atomic_t alarms;
static void on_alarm(int sig) {
    (void)sig;
    alarms++;
}

/* Installs on_alarm without SA_RESTART and arms a one-shot 100 ms timer. */
static void arm_alarm(struct sigaction *old) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART */
    sigaction(SIGALRM, &sa, old);
    struct itimerval it = {{0, 0}, {0, 100000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

static void disarm_alarm(const struct sigaction *old) {
    struct itimerval it = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &it, NULL);
    sigaction(SIGALRM, old, NULL);
}

int test_sem_eintr(void) {
    pipc_sem_t s;
    ASSERT_OK(t_new_sem(&s, 1, 0));
    struct sigaction old;
    alarms = 0;
    double t = 5.0;
    arm_alarm(&old);
    double t0 = t_now();
    int rc = pipc_sem_acquire(&s, 0, 1, &t);
    double el = t_now() - t0;
    disarm_alarm(&old);
    ASSERT_FAILS(rc, PIPC_E_INTERRUPTED, EINTR);
    ASSERT_EQ(alarms, 1);
    ASSERT(el < 4.0);
    /* the timeout was reduced by the time spent, not more */
    ASSERT(t < 5.0);
    ASSERT(t > 5.0 - el - 0.5);
    ASSERT(t <= 5.0 - el + 0.05);
    /* calling again continues the same wait: it now expires after ~t */
    double t_left = 0.1;
    ASSERT_FAILS(pipc_sem_acquire(&s, 0, 1, &t_left), PIPC_E_BUSY, EAGAIN);
    /* Without timeout (semop) */
    alarms = 0;
    arm_alarm(&old);
    rc = pipc_sem_acquire(&s, 0, 1, NULL);
    disarm_alarm(&old);
    ASSERT_FAILS(rc, PIPC_E_INTERRUPTED, EINTR);
    ASSERT_EQ(alarms, 1);
    ASSERT_CONTAINS(pipc_error_last()->message, "interrupted");
    ASSERT_OK(pipc_sem_remove(&s));
    return 0;
}

int test_sem_undo(void) {
    pipc_sem_t s;
    ASSERT_OK(t_new_sem(&s, 1, 1));
    pid_t pid = t_fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        pipc_sem_t c = s;
        c.undo = true;
        int rc = pipc_sem_acquire(&c, 0, 1, NULL);
        int x = -1;
        pipc_sem_get_value(&c, 0, &x);
        _exit(rc == PIPC_OK && x == 0 ? 0 : 1); /* exit undoes the acquire */
    }
    ASSERT_EQ(t_wait(pid), 0);
    int x;
    ASSERT_OK(pipc_sem_get_value(&s, 0, &x));
    ASSERT_EQ(x, 1);
    /* release with undo is undone too */
    pid = t_fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        pipc_sem_t c = s;
        c.undo = true;
        _exit(pipc_sem_release(&c, 0, 5) == PIPC_OK ? 0 : 1);
    }
    ASSERT_EQ(t_wait(pid), 0);
    ASSERT_OK(pipc_sem_get_value(&s, 0, &x));
    ASSERT_EQ(x, 1);
    ASSERT_OK(pipc_sem_remove(&s));
    return 0;
}

int test_sem_set_perm_stat(void) {
    pipc_sem_t s;
    ASSERT_OK(t_new_sem(&s, 1, 0));
    pipc_sem_info_t info;
    ASSERT_OK(pipc_sem_set_perm(&s, PIPC_KEEP, PIPC_KEEP, 0640));
    ASSERT_OK(pipc_sem_stat(&s, &info));
    ASSERT_EQ(info.perm.mode & 0777, 0640);
    ASSERT_EQ(info.perm.uid, geteuid());
    ASSERT_OK(pipc_sem_set_perm(&s, 65534, 65534, 0100444)); /* masked to 0444 */
    ASSERT_OK(pipc_sem_stat(&s, &info));
    ASSERT_EQ(info.perm.mode & 0777, 0444);
    ASSERT_EQ(info.perm.uid, 65534);
    ASSERT_EQ(info.perm.gid, 65534);
    ASSERT_EQ(info.perm.cuid, geteuid()); /* the creator does not change */
    ASSERT_OK(pipc_sem_set_perm(&s, 0, PIPC_KEEP, PIPC_KEEP));
    ASSERT_OK(pipc_sem_stat(&s, &info));
    ASSERT_EQ(info.perm.uid, 0);
    ASSERT_EQ(info.perm.gid, 65534);
    ASSERT_EQ(info.perm.mode & 0777, 0444);
    ASSERT_INVALID(pipc_sem_set_perm(&s, -2, PIPC_KEEP, PIPC_KEEP));
    ASSERT_INVALID(pipc_sem_set_perm(&s, 4294967295LL, PIPC_KEEP, PIPC_KEEP));
    ASSERT_INVALID(pipc_sem_set_perm(&s, PIPC_KEEP, 1LL << 32, PIPC_KEEP));
    ASSERT_INVALID(pipc_sem_set_perm(&s, PIPC_KEEP, PIPC_KEEP, -1));
    ASSERT_OK(pipc_sem_remove(&s));
    return 0;
}

static int sem_unprivileged(void *arg) {
    const pipc_sem_t *s = arg;
    pipc_sem_t o;
    ASSERT_FAILS(pipc_sem_open(&o, s->key, 1, 0, 0600, 0), PIPC_E_PERMISSIONS, EACCES);
    ASSERT_CONTAINS(pipc_error_last()->message, "semget");
    ASSERT_FAILS(pipc_sem_open_id(&o, s->id), PIPC_E_PERMISSIONS, EACCES);
    int x;
    ASSERT_FAILS(pipc_sem_get_value(s, 0, &x), PIPC_E_PERMISSIONS, EACCES);
    ASSERT_FAILS(pipc_sem_release(s, 0, 1), PIPC_E_PERMISSIONS, EACCES);
    ASSERT_FAILS(pipc_sem_acquire(s, 0, 1, NULL), PIPC_E_PERMISSIONS, EACCES);
    pipc_sem_info_t info;
    ASSERT_FAILS(pipc_sem_stat(s, &info), PIPC_E_PERMISSIONS, EACCES);
    ASSERT_FAILS(pipc_sem_set_perm(s, PIPC_KEEP, PIPC_KEEP, 0666), PIPC_E_PERMISSIONS, -1);
    ASSERT_FAILS(pipc_sem_remove(s), PIPC_E_PERMISSIONS, EPERM);
    return 0;
}

int test_sem_permissions(void) {
    pipc_sem_t s;
    ASSERT_OK(pipc_sem_open(&s, PIPC_KEY_RANDOM, 1, PIPC_IPC_CREX, 0600, 1));
    t_cleanup_sem(s.id);
    if (geteuid() != 0) {
        printf("  skipped: needs root to switch to an unprivileged user\n");
        pipc_sem_remove(&s);
        return TEST_SKIP;
    }
    ASSERT_EQ(t_run_unprivileged(sem_unprivileged, &s), 0);
    int x;
    ASSERT_OK(pipc_sem_get_value(&s, 0, &x));
    ASSERT_EQ(x, 1); /* nothing happened */
    ASSERT_OK(pipc_sem_remove(&s));
    return 0;
}
