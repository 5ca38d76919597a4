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
    double t = 0.2;
    int rc1 = pipc_sem_wait_zero(&s, 0, &t); /* must wait: the try fails, then the runner; expires */
    int r1 = runs;
    t = 2;
    int rc2 = pipc_sem_acquire(&s, 0, 1, &t); /* just waited on this handle: straight to the runner */
    int r2 = runs;
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
    int r3 = runs;
    int rc4 = pipc_msg_receive(&q, 0, 0, &rb.m, 64, &len); /* can block, but "b" is there: the try takes it */
    int r4 = runs;
    pipc_set_blocking_runner(NULL);
    ASSERT_FAILS(rc1, PIPC_E_BUSY, EAGAIN);
    ASSERT_EQ(r1, 1);
    ASSERT_OK(rc2);
    ASSERT_EQ(r2, 2);
    ASSERT_OK(rc3);
    ASSERT_EQ(r3, 2);
    ASSERT_OK(rc4);
    ASSERT_EQ(rb.m.text[0], 'b');
    ASSERT_EQ(r4, 2);
    /* NULL restored the default: still works, no runner */
    runs = 0;
    s.block = true;
    ASSERT_OK(pipc_sem_acquire(&s, 0, 1, NULL));
    ASSERT_EQ(runs, 0);
    ASSERT_OK(pipc_sem_remove(&s));
    ASSERT_OK(pipc_msg_remove(&q));
    return 0;
}

/* The no-wait try: a blocking call that need not wait never reaches the
 * runner; after a call that had to wait, the next PIPC_WAIT_HINT_SKIP
 * blocking calls on that handle go straight to the runner, then the try
 * resumes. A try that fails for another reason reports that error. */
int test_runner_no_wait_try_is_adaptive(void) {
    pipc_sem_t s, other;
    pipc_msg_t q;
    rbuf_t rb;
    size_t len;
    ASSERT_OK(t_new_sem(&s, 1, 1000));
    ASSERT_OK(t_new_msg(&q));
    pipc_set_blocking_runner(counting_runner);
    runs = 0;
    int rc = PIPC_OK;
    for (int i = 0; i < 100 && rc == PIPC_OK; i++) rc = pipc_sem_acquire(&s, 0, 1, NULL);
    int r_free = runs; /* 100 uncontended acquires */
    double t = 0.05;
    int rc_wait = pipc_sem_wait_zero(&s, 0, &t); /* waits (900 != 0): the hint is set */
    int r_wait = runs;
    for (int i = 0; i < PIPC_WAIT_HINT_SKIP && rc == PIPC_OK; i++) rc = pipc_sem_acquire(&s, 0, 1, NULL);
    int r_skip = runs; /* each of these skipped the try */
    for (int i = 0; i < 10 && rc == PIPC_OK; i++) rc = pipc_sem_acquire(&s, 0, 1, NULL);
    int r_after = runs; /* the try is back */
    /* the hint is per handle: another handle of the same set still tries */
    ASSERT_OK(pipc_sem_open_id(&other, s.id));
    t = 0.05;
    int rc_w2 = pipc_sem_wait_zero(&s, 0, &t);
    int before_other = runs;
    int rc_other = pipc_sem_acquire(&other, 0, 1, NULL);
    int r_other = runs;
    /* a try that fails for another reason than "would wait" is the answer */
    ASSERT_OK(pipc_msg_send(&q, 1, "long message", 12, 0));
    int rc_big = pipc_msg_receive(&q, 0, 0, &rb.m, 4, &len); /* E2BIG without MSG_NOERROR */
    int r_big = runs;
    pipc_set_blocking_runner(NULL);
    ASSERT_OK(rc);
    ASSERT_EQ(r_free, 0);
    ASSERT_EQ(rc_wait, PIPC_E_BUSY);
    ASSERT_EQ(r_wait, 1);
    ASSERT_EQ(r_skip, 1 + PIPC_WAIT_HINT_SKIP);
    ASSERT_EQ(r_after, r_skip);
    ASSERT_EQ(rc_w2, PIPC_E_BUSY);
    ASSERT_OK(rc_other);
    ASSERT_EQ(r_other, before_other);
    ASSERT_EQ(rc_big, PIPC_E_MESSAGE_SIZE);
    ASSERT_EQ(pipc_error_last()->sys_errno, E2BIG);
    ASSERT_EQ(r_big, r_other);
    int v;
    ASSERT_OK(pipc_sem_get_value(&s, 0, &v));
    ASSERT_EQ(v, 1000 - 100 - PIPC_WAIT_HINT_SKIP - 10 - 1);
    ASSERT_OK(pipc_sem_remove(&s));
    ASSERT_OK(pipc_msg_remove(&q));
    return 0;
}

int test_runner_skip_is_interrupted(void) {
    pipc_sem_t s;
    pipc_msg_t q;
    rbuf_t rb;
    size_t len;
    ASSERT_OK(t_new_sem(&s, 1, 0)); /* every call below has to wait: the no-wait try fails */
    ASSERT_OK(t_new_msg(&q));
    pipc_set_blocking_runner(skipping_runner);
    runs = 0;
    int rc1 = pipc_sem_acquire(&s, 0, 1, NULL);
    int e1 = pipc_error_last()->sys_errno;
    double t = 3;
    int rc2 = pipc_sem_acquire(&s, 0, 1, &t);
    int rc3 = pipc_msg_receive(&q, 0, 0, &rb.m, 64, &len);
    ASSERT_OK(pipc_msg_send(&q, 1, "m", 1, PIPC_IPC_NOWAIT));
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
    ASSERT_EQ(v, 0);
    pipc_msg_info_t info;
    ASSERT_OK(pipc_msg_stat(&q, &info));
    ASSERT_EQ(info.n_messages, 1);
    ASSERT_OK(pipc_sem_remove(&s));
    ASSERT_OK(pipc_msg_remove(&q));
    return 0;
}
