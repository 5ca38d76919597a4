/* test_error.c — the error table and the thread-local error detail. */
#include "test_util.h"

#include <errno.h>
#include <pthread.h>
#include <unistd.h>

int test_error_names(void) {
    static const struct {
        int code;
        const char *name;
    } expected[] = {
        {PIPC_E_EXISTENTIAL, "ExistentialError"},   {PIPC_E_PERMISSIONS, "PermissionsError"},
        {PIPC_E_BUSY, "BusyError"},                 {PIPC_E_NOT_ATTACHED, "NotAttachedError"},
        {PIPC_E_INTERNAL, "InternalError"},         {PIPC_E_INVALID_ARGUMENT, "InvalidArgumentError"},
        {PIPC_E_WRONG_TYPE, "WrongTypeError"},      {PIPC_E_MESSAGE_SIZE, "MessageSizeError"},
        {PIPC_E_LIMIT, "LimitError"},               {PIPC_E_NO_MEMORY, "OutOfMemoryError"},
        {PIPC_E_READ_ONLY, "ReadOnlyError"},        {PIPC_E_SYSCALL, "SyscallError"},
        {PIPC_E_INTERRUPTED, "InterruptError"},
    };
    ASSERT_EQ(sizeof expected / sizeof expected[0], PIPC_ERROR_KIND_COUNT);
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        ASSERT_EQ(expected[i].code, -(int)(i + 1));
        ASSERT_STR_EQ(pipc_error_name(expected[i].code), expected[i].name);
        const char *s = pipc_error_summary(expected[i].code);
        ASSERT(s != NULL && s[0] != '\0');
    }
    ASSERT_CONTAINS(pipc_error_summary(PIPC_E_LIMIT), "ENOSPC");
    ASSERT_CONTAINS(pipc_error_summary(PIPC_E_PERMISSIONS), "EACCES");
    /* Codes outside the table. */
    ASSERT(pipc_error_name(PIPC_OK) == NULL);
    ASSERT(pipc_error_summary(PIPC_OK) == NULL);
    ASSERT(pipc_error_name(PIPC_E_LAST - 1) == NULL);
    ASSERT(pipc_error_summary(PIPC_E_LAST - 1) == NULL);
    ASSERT(pipc_error_name(1) == NULL);
    ASSERT_EQ(PIPC_E_LAST, -PIPC_ERROR_KIND_COUNT);
    return 0;
}

int test_error_set_clear(void) {
    const pipc_error_t *e = pipc_error_last();
    ASSERT(e != NULL);
    ASSERT_EQ(e->code, PIPC_OK); /* nothing failed yet in this process */
    ASSERT_EQ(pipc_error_set(PIPC_E_BUSY, EAGAIN, "waiting %d", 42), PIPC_E_BUSY);
    ASSERT(pipc_error_last() == e);
    ASSERT_EQ(e->code, PIPC_E_BUSY);
    ASSERT_EQ(e->sys_errno, EAGAIN);
    ASSERT_STR_EQ(e->message, "waiting 42");
    /* Long messages are truncated and stay NUL-terminated. */
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    pipc_error_set(PIPC_E_INTERNAL, 0, "%s", big);
    ASSERT_EQ(strlen(e->message), sizeof e->message - 1);
    pipc_error_clear();
    ASSERT_EQ(e->code, PIPC_OK);
    ASSERT_EQ(e->sys_errno, 0);
    ASSERT_STR_EQ(e->message, "");
    /* A successful call does not clobber the detail of an earlier failure. */
    ASSERT_INVALID(pipc_key_check(-1LL + INT32_MIN));
    char saved[sizeof e->message];
    memcpy(saved, e->message, sizeof saved);
    ASSERT_OK(pipc_key_check(5));
    ASSERT_EQ(e->code, PIPC_E_INVALID_ARGUMENT);
    ASSERT_STR_EQ(e->message, saved);
    /* site: the failing system call, a named check, or NONE. */
    ASSERT_EQ(e->site, PIPC_SITE_NONE);
    pipc_sem_t sem;
    ASSERT_EQ(pipc_sem_open_id(&sem, INT32_MAX - 1), PIPC_E_EXISTENTIAL); /* no such id */
    ASSERT_EQ(e->site, PIPC_SITE_SEMCTL);
    ASSERT_EQ(e->sys_errno, EINVAL);
    ASSERT_INVALID(pipc_sem_open(&sem, 5, 1, PIPC_IPC_EXCL, 0600, 0));
    ASSERT_EQ(e->site, PIPC_SITE_EXCL_WITHOUT_CREAT);
    pipc_error_set(PIPC_E_BUSY, EAGAIN, "again");
    ASSERT_EQ(e->site, PIPC_SITE_NONE);
    ASSERT_INVALID(pipc_sem_open(&sem, PIPC_KEY_RANDOM, 1, PIPC_IPC_CREAT, 0600, 0));
    ASSERT_EQ(e->site, PIPC_SITE_RANDOM_KEY_FLAGS);
    pipc_error_clear();
    ASSERT_EQ(e->site, PIPC_SITE_NONE);
    return 0;
}

int test_error_version_pagesize(void) {
    ASSERT_STR_EQ(pipc_version(), PIPC_VERSION);
    ASSERT_EQ(pipc_page_size(), sysconf(_SC_PAGESIZE));
    ASSERT_EQ(pipc_page_size(), sysconf(_SC_PAGESIZE)); /* cached value */
    return 0;
}

struct thread_arg {
    pthread_barrier_t *barrier;
    int code;
    int err;
    int ok;
};

static void *error_thread(void *p) {
    struct thread_arg *a = p;
    pipc_error_set(a->code, a->err, "thread %d", a->code);
    pthread_barrier_wait(a->barrier); /* both have set their error */
    const pipc_error_t *e = pipc_error_last();
    char want[32];
    snprintf(want, sizeof want, "thread %d", a->code);
    a->ok = e->code == a->code && e->sys_errno == a->err && strcmp(e->message, want) == 0;
    pthread_barrier_wait(a->barrier);
    return NULL;
}

int test_error_thread_local(void) {
    pthread_barrier_t barrier;
    ASSERT_EQ(pthread_barrier_init(&barrier, NULL, 2), 0);
    pipc_error_set(PIPC_E_INTERNAL, 5, "main");
    struct thread_arg a = {&barrier, PIPC_E_BUSY, EAGAIN, 0};
    struct thread_arg b = {&barrier, PIPC_E_LIMIT, ENOSPC, 0};
    pthread_t ta, tb;
    ASSERT_EQ(pthread_create(&ta, NULL, error_thread, &a), 0);
    ASSERT_EQ(pthread_create(&tb, NULL, error_thread, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_barrier_destroy(&barrier);
    ASSERT(a.ok);
    ASSERT(b.ok);
    ASSERT_EQ(pipc_error_last()->code, PIPC_E_INTERNAL);
    ASSERT_STR_EQ(pipc_error_last()->message, "main");
    return 0;
}
