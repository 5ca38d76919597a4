/*
 * consumer.c — a program that uses the INSTALLED libpolyipc, built by
 * tests/install/check_*.sh against an install prefix (pkg-config and
 * find_package, gcc and clang, shared and static).
 *
 * Usage: consumer <expected version>. Creates a semaphore set, a shared
 * memory segment and a message queue with IPC_PRIVATE, uses and removes
 * them, checks an error report, and prints "polyipc <version>". Exits 1 on
 * the first failed check, after removing what it created.
 */
#include <polyipc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pipc_sem_t sem;
static pipc_shm_t shm;
static pipc_msg_t queue;
static int have_sem, have_shm, have_queue;

/* Removes whatever is still there (the segment detached first). */
static void cleanup(void) {
    if (have_shm && shm.attached) pipc_shm_detach(&shm);
    if (have_shm) pipc_shm_remove(&shm);
    if (have_sem) pipc_sem_remove(&sem);
    if (have_queue) pipc_msg_remove(&queue);
    have_sem = have_shm = have_queue = 0;
}

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            const pipc_error_t *e_ = pipc_error_last();                                            \
            fprintf(stderr, "consumer.c:%d: check failed: %s (last error %d: %s)\n", __LINE__,    \
                    #cond, e_->code, e_->message);                                                 \
            cleanup();                                                                             \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

int main(int argc, char **argv) {
    CHECK(argc == 2);
    /* The library, the header it was compiled with and the release agree. */
    CHECK(strcmp(pipc_version(), PIPC_VERSION) == 0);
    CHECK(strcmp(pipc_version(), argv[1]) == 0);

    /* A semaphore set of two, initial value 1. */
    CHECK(pipc_sem_open(&sem, PIPC_IPC_PRIVATE, 2, PIPC_IPC_CREAT, 0600, 1) == PIPC_OK);
    have_sem = 1;
    CHECK(sem.created && sem.nsems == 2);
    CHECK(pipc_sem_acquire(&sem, 0, 1, NULL) == PIPC_OK);
    double no_wait = 0;
    CHECK(pipc_sem_acquire(&sem, 0, 1, &no_wait) == PIPC_E_BUSY);
    CHECK(pipc_error_last()->code == PIPC_E_BUSY);
    CHECK(strcmp(pipc_error_name(PIPC_E_BUSY), "BusyError") == 0);
    CHECK(pipc_sem_release(&sem, 1, 2) == PIPC_OK);
    int values[2] = {-1, -1};
    CHECK(pipc_sem_get_all(&sem, values, 2) == PIPC_OK);
    CHECK(values[0] == 0 && values[1] == 3);

    /* A shared memory segment: write, read back, detach. */
    CHECK(pipc_shm_open(&shm, PIPC_IPC_PRIVATE, 4096, PIPC_IPC_CREAT, 0600, -1) == PIPC_OK);
    have_shm = 1;
    CHECK(pipc_shm_attach(&shm, 0, 0) == PIPC_OK);
    CHECK(pipc_shm_write(&shm, 100, "installed", 9) == PIPC_OK);
    char text[16] = {0};
    size_t n = 0;
    CHECK(pipc_shm_read(&shm, 100, 9, text, sizeof text, &n) == PIPC_OK);
    CHECK(n == 9 && memcmp(text, "installed", 9) == 0);
    CHECK(pipc_shm_detach(&shm) == PIPC_OK);
    CHECK(pipc_shm_write(&shm, 0, "x", 1) == PIPC_E_NOT_ATTACHED);

    /* A message queue: one message there and back, NUL bytes included. */
    CHECK(pipc_msg_open(&queue, PIPC_IPC_PRIVATE, PIPC_IPC_CREAT, 0600, 2048) == PIPC_OK);
    have_queue = 1;
    CHECK(pipc_msg_send(&queue, 7, "a\0b", 3, 0) == PIPC_OK);
    union {
        pipc_msgbuf_t m;
        char bytes[PIPC_MSGBUF_SIZE(64)];
    } buf;
    size_t len = 0;
    CHECK(pipc_msg_receive(&queue, 0, PIPC_IPC_NOWAIT, &buf.m, 64, &len) == PIPC_OK);
    CHECK(buf.m.type == 7 && len == 3 && memcmp(buf.m.text, "a\0b", 3) == 0);

    /* Removal, then the same set is reported gone. */
    int sem_id = sem.id;
    CHECK(pipc_sem_remove(&sem) == PIPC_OK);
    have_sem = 0;
    CHECK(pipc_sem_remove_id(sem_id) == PIPC_E_EXISTENTIAL);
    CHECK(pipc_shm_remove(&shm) == PIPC_OK);
    have_shm = 0;
    CHECK(pipc_msg_remove(&queue) == PIPC_OK);
    have_queue = 0;

    printf("polyipc %s\n", pipc_version());
    return 0;
}
