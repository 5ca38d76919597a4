/*
 * test_util.h — helpers shared by the C tests: cleanup registration,
 * forking with a watchdog, dropping privileges.
 */
#ifndef PIPC_TEST_UTIL_H
#define PIPC_TEST_UTIL_H

#define _GNU_SOURCE
#include <stdbool.h>
#include <sys/types.h>

#include "test_assert.h"
#include "polyipc.h"
#include "polyipc/sys/binding.h" /* the tests also check the binding API */

/* Registers a kernel object for removal by the runner after the test,
 * whatever the outcome (the registry lives in memory shared with the runner). */
void t_cleanup_sem(int id);
void t_cleanup_shm(int id);
void t_cleanup_msg(int id);

/* Creates a private object and registers it. Return PIPC_OK or the error. */
int t_new_sem(pipc_sem_t *sem, int nsems, int initial_value);
int t_new_shm(pipc_shm_t *shm, int64_t size);
int t_new_msg(pipc_msg_t *q);

/* Forks; the child gets a 20 s alarm() so that it can never hang. */
pid_t t_fork(void);
/* Waits for a child; returns its exit status, 128+signal when killed, -1 on error. */
int t_wait(pid_t pid);
/* In a child: drops to uid/gid 65534 with no supplementary groups. 0 on success. */
int t_drop_privileges(void);
/* Runs fn(arg) in a forked unprivileged child; returns its exit status
 * (0 = every assertion in fn held). */
int t_run_unprivileged(int (*fn)(void *), void *arg);

/* Waits (bounded, 10 s) until `get(sem, index)` reports `want` waiters. */
int t_wait_for_waiters(const pipc_sem_t *sem, int index, bool zero, int want);
/* Waits (bounded, 10 s) until process pid sleeps in the kernel (state S). */
int t_wait_sleeping(pid_t pid);

/* Is this process in an IPC namespace other than init's? */
bool t_private_ipc_namespace(void);
/* Number of SysV objects visible in /proc/sysvipc, -1 when unreadable. */
int t_sysvipc_count(void);

double t_now(void);

#endif
