/* test_blocking.c — the blocking runner hook. */
#include "test_util.h"

#include <errno.h>
#include <unistd.h>

static int runs;

static void counting_runner(pipc_blocking_fn fn, void *ctx) {
    runs++;
    fn(ctx);
}

static void skipping_runner(pipc_blocking_fn fn, void *ctx) {
    (void)fn;
    (void)ctx;
    runs++;
}

typedef union {
    pipc_msgbuf_t m;
    char bytes[PIPC_MSGBUF_SIZE(64)];
} rbuf_t;

int test_runner_called_for_blocking_calls(void) {
    pipc_sem_t s;
    pipc_msg_t q;
    rbuf_t rb;
    size_t len;
    ASSERT_OK(t_new_sem(&s, 1, 10));
    ASSERT_OK(t_new_msg(&q));
    pipc_set_blocking_runner(counting_runner);
    runs = 0;
    int rc = pipc_sem_acquire(&s, 0, 1, NULL); /* can block: through the runner */
    int r1 = runs;
    double t = 2;
    int rc2 = pipc_sem_acquire(&s, 0, 1, &t); /* semtimedop: through the runner */
    int r2 = runs;
    t = 0.2;
    rc2 = rc2 == PIPC_OK ? pipc_sem_wait_zero(&s, 0, &t) : rc2; /* expires: BUSY */
    int r3 = runs;
    /* these never block: no runner */
    t = 0;
    int rc3 = pipc_sem_acquire(&s, 0, 1, &t);
    rc3 = rc3 == PIPC_OK ? pipc_sem_release(&s, 0, 1) : rc3;
    s.block = false;
    rc3 = rc3 == PIPC_OK ? pipc_sem_acquire(&s, 0, 1, NULL) : rc3;
    int v;
    rc3 = rc3 == PIPC_OK ? pipc_sem_get_value(&s, 0, &v) : rc3;
    pipc_sem_op_t nowait[2] = {{0, -1, PIPC_IPC_NOWAIT}, {0, 2, 0}};
    rc3 = rc3 == PIPC_OK ? pipc_sem_op(&s, nowait, 2, NULL) : rc3;
    rc3 = rc3 == PIPC_OK ? pipc_msg_send(&q, 1, "a", 1, 0) : rc3; /* room: no wait */
    rc3 = rc3 == PIPC_OK ? pipc_msg_send(&q, 1, "b", 1, PIPC_IPC_NOWAIT) : rc3;
    rc3 = rc3 == PIPC_OK ? pipc_msg_receive(&q, 0, PIPC_IPC_NOWAIT, &rb.m, 64, &len) : rc3;
    int r4 = runs;
    int rc4 = pipc_msg_receive(&q, 0, 0, &rb.m, 64, &len); /* can block */
    int r5 = runs;
    pipc_set_blocking_runner(NULL);
    ASSERT_OK(rc);
    ASSERT_EQ(r1, 1);
    ASSERT_EQ(r2, 2);
    ASSERT_FAILS(rc2, PIPC_E_BUSY, EAGAIN);
    ASSERT_EQ(r3, 3);
    ASSERT_OK(rc3);
    ASSERT_EQ(r4, 3);
    ASSERT_OK(rc4);
    ASSERT_EQ(rb.m.text[0], 'b');
    ASSERT_EQ(r5, 4);
    /* NULL restored the default: still works, no runner */
    runs = 0;
    s.block = true;
    ASSERT_OK(pipc_sem_acquire(&s, 0, 1, NULL));
    ASSERT_EQ(runs, 0);
    ASSERT_OK(pipc_sem_remove(&s));
    ASSERT_OK(pipc_msg_remove(&q));
    return 0;
}

int test_runner_skip_is_interrupted(void) {
    pipc_sem_t s;
    pipc_msg_t q;
    rbuf_t rb;
    size_t len;
    ASSERT_OK(t_new_sem(&s, 1, 1));
    ASSERT_OK(t_new_msg(&q));
    ASSERT_OK(pipc_msg_send(&q, 1, "m", 1, 0));
    pipc_set_blocking_runner(skipping_runner);
    runs = 0;
    int rc1 = pipc_sem_acquire(&s, 0, 1, NULL);
    int e1 = pipc_error_last()->sys_errno;
    double t = 3;
    int rc2 = pipc_sem_acquire(&s, 0, 1, &t);
    int rc3 = pipc_msg_receive(&q, 0, 0, &rb.m, 64, &len);
    ASSERT_OK(pipc_msg_set_max_bytes(&q, 1));
    int rc4 = pipc_msg_send(&q, 1, "n", 1, 0); /* full: would wait, runner skips */
    pipc_set_blocking_runner(NULL);
    ASSERT_EQ(rc1, PIPC_E_INTERRUPTED);
    ASSERT_EQ(e1, EINTR);
    ASSERT_EQ(rc2, PIPC_E_INTERRUPTED);
    ASSERT(t <= 3 && t > 2); /* reduced by the (tiny) time spent */
    ASSERT_EQ(rc3, PIPC_E_INTERRUPTED);
    ASSERT_FAILS(rc4, PIPC_E_INTERRUPTED, EINTR);
    ASSERT_EQ(runs, 4);
    /* nothing happened: value and queue unchanged */
    int v;
    ASSERT_OK(pipc_sem_get_value(&s, 0, &v));
    ASSERT_EQ(v, 1);
    pipc_msg_info_t info;
    ASSERT_OK(pipc_msg_stat(&q, &info));
    ASSERT_EQ(info.n_messages, 1);
    ASSERT_OK(pipc_sem_remove(&s));
    ASSERT_OK(pipc_msg_remove(&q));
    return 0;
}
