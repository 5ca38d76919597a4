/*
 * limits.c — the kernel's System V limits and their current use
 * (IPC_INFO, SEM_INFO, MSG_INFO, SHM_INFO), and the table of them.
 */
#include "internal.h"

#include "polyipc_inspect.h"

#include <string.h>

int pipc_inspect_limits(pipc_limits_t *out) {
    struct seminfo si;
    struct msginfo mi;
    struct shminfo shi;
    struct shm_info su;
    if (out == NULL) return pipc__invalid("limits: the output is NULL");
    *out = (pipc_limits_t){0};
    if (semctl(0, 0, IPC_INFO, (struct seminfo *)&si) < 0)
        return pipc_error_set(PIPC_E_SYSCALL, errno, "semctl(IPC_INFO): %s", strerror(errno));
    out->semmsl = si.semmsl;
    out->semmns = si.semmns;
    out->semopm = si.semopm;
    out->semmni = si.semmni;
    out->semvmx = si.semvmx;
    if (semctl(0, 0, SEM_INFO, (struct seminfo *)&si) < 0)
        return pipc_error_set(PIPC_E_SYSCALL, errno, "semctl(SEM_INFO): %s", strerror(errno));
    out->sem_sets = si.semusz;
    out->sem_semaphores = si.semaem;
    if (msgctl(0, IPC_INFO, (struct msqid_ds *)&mi) < 0)
        return pipc_error_set(PIPC_E_SYSCALL, errno, "msgctl(IPC_INFO): %s", strerror(errno));
    out->msgmax = mi.msgmax;
    out->msgmnb = mi.msgmnb;
    out->msgmni = mi.msgmni;
    if (msgctl(0, MSG_INFO, (struct msqid_ds *)&mi) < 0)
        return pipc_error_set(PIPC_E_SYSCALL, errno, "msgctl(MSG_INFO): %s", strerror(errno));
    out->msg_queues = mi.msgpool;
    if (shmctl(0, IPC_INFO, (struct shmid_ds *)&shi) < 0)
        return pipc_error_set(PIPC_E_SYSCALL, errno, "shmctl(IPC_INFO): %s", strerror(errno));
    out->shmmax = shi.shmmax;
    out->shmall = shi.shmall;
    out->shmmni = shi.shmmni;
    out->shmmin = shi.shmmin;
    if (shmctl(0, SHM_INFO, (struct shmid_ds *)&su) < 0)
        return pipc_error_set(PIPC_E_SYSCALL, errno, "shmctl(SHM_INFO): %s", strerror(errno));
    out->shm_segments = su.used_ids;
    out->shm_pages = su.shm_tot;
    return PIPC_OK;
}

void pipc_limit_rows(const pipc_limits_t *l, pipc_limit_row_t r[PIPC_LIMIT_ROWS]) {
    const pipc_limit_row_t rows[PIPC_LIMIT_ROWS] = {
        {"MSGMNI", "Number of message queues", "kernel.msgmni", (uint64_t)l->msgmni, l->msg_queues},
        {"MSGMAX", "Max size of message (bytes)", "kernel.msgmax", (uint64_t)l->msgmax, -1},
        {"MSGMNB", "Default max size of queue (bytes)", "kernel.msgmnb", (uint64_t)l->msgmnb, -1},
        {"SHMMNI", "Shared memory segments", "kernel.shmmni", l->shmmni, l->shm_segments},
        {"SHMALL", "Shared memory pages", "kernel.shmall", l->shmall, (int64_t)l->shm_pages},
        {"SHMMAX", "Max size of shared memory segment (bytes)", "kernel.shmmax", l->shmmax, -1},
        {"SHMMIN", "Min size of shared memory segment (bytes)", "(fixed)", l->shmmin, -1},
        {"SEMMNI", "Number of semaphore identifiers", "kernel.sem (4th field)", (uint64_t)l->semmni,
         l->sem_sets},
        {"SEMMNS", "Total number of semaphores", "kernel.sem (2nd field)", (uint64_t)l->semmns,
         l->sem_semaphores},
        {"SEMMSL", "Max semaphores per semaphore set", "kernel.sem (1st field)", (uint64_t)l->semmsl,
         -1},
        {"SEMOPM", "Max number of operations per semop(2)", "kernel.sem (3rd field)",
         (uint64_t)l->semopm, -1},
        {"SEMVMX", "Semaphore max value", "(fixed)", (uint64_t)l->semvmx, -1},
    };
    for (int i = 0; i < PIPC_LIMIT_ROWS; i++) r[i] = rows[i];
}
