/* test_registry.h — objects to remove after a test, in memory shared
 * between the runner and the forked test process. */
#ifndef PIPC_TEST_REGISTRY_H
#define PIPC_TEST_REGISTRY_H

#define T_REGISTRY_MAX 512

typedef struct t_registry_t {
    int count;
    struct {
        char kind; /* 's' semaphore set, 'm' shared memory, 'q' message queue */
        int id;
    } items[T_REGISTRY_MAX];
} t_registry_t;

extern t_registry_t *t_registry;

#endif
