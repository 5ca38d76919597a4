/*
 * error.c — the error table's runtime side: thread-local error detail,
 * names/summaries, and the ONE place where errno values are interpreted.
 */
#include "internal.h"

#include "polyipc_inspect.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static _Thread_local pipc_error_t tls_error = {.subject = PIPC_SUBJECT_NONE};

const pipc_error_t *pipc_error_last(void) { return &tls_error; }

const char *pipc_error_name(int code) {
    switch (code) {
#define PIPC_X_NAME(c, ENUM, Name, py, rb, doc)                                                    \
    case c:                                                                                        \
        return #Name;
        PIPC_ERROR_TABLE(PIPC_X_NAME)
#undef PIPC_X_NAME
    default:
        return NULL;
    }
}

const char *pipc_error_summary(int code) {
    switch (code) {
#define PIPC_X_DOC(c, ENUM, Name, py, rb, doc)                                                     \
    case c:                                                                                        \
        return doc;
        PIPC_ERROR_TABLE(PIPC_X_DOC)
#undef PIPC_X_DOC
    default:
        return NULL;
    }
}

static int set_va(int code, int sys_errno, const char *fmt, va_list ap) {
    tls_error.code = code;
    tls_error.sys_errno = sys_errno;
    tls_error.site = PIPC_SITE_NONE;
    tls_error.subject = PIPC_SUBJECT_NONE;
    if (fmt == NULL) {
        tls_error.message[0] = '\0';
    } else {
        vsnprintf(tls_error.message, sizeof tls_error.message, fmt, ap);
    }
    return code;
}

int pipc_error_set(int code, int sys_errno, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    set_va(code, sys_errno, fmt, ap);
    va_end(ap);
    return code;
}

int pipc__at(int site, int rc) {
    tls_error.site = site;
    return rc;
}

int pipc__about(int64_t subject, int rc) {
    tls_error.subject = subject;
    return rc;
}

void pipc_error_restore(const pipc_error_t *saved) {
    if (saved != NULL && saved != &tls_error) tls_error = *saved;
}

void pipc_error_clear(void) {
    tls_error.code = PIPC_OK;
    tls_error.sys_errno = 0;
    tls_error.site = PIPC_SITE_NONE;
    tls_error.subject = PIPC_SUBJECT_NONE;
    tls_error.message[0] = '\0';
}

long pipc_page_size(void) {
    static long page;
    long p = __atomic_load_n(&page, __ATOMIC_RELAXED);
    if (p <= 0) {
        p = sysconf(_SC_PAGESIZE);
        if (p <= 0) p = 4096;
        __atomic_store_n(&page, p, __ATOMIC_RELAXED);
    }
    return p;
}

const char *pipc_version(void) { return PIPC_VERSION; }

/* ------------------------------------------------------------------ */
/* errno interpretation                                                */
/* ------------------------------------------------------------------ */

/* Does the object with this id still exist? 1 when IPC_STAT succeeds, 0 when
 * the id is gone, -1 when it exists but the caller may not read it. Used to
 * tell an EINVAL about an argument from an EINVAL about a vanished id. */
static int id_exists(pipc_ctx_e ctx, int id) {
    int rc;
    if (id < 0) return 0;
    switch (ctx) {
    case PIPC_CTX_SEMCTL_SET: {
        struct semid_ds ds;
        rc = semctl(id, 0, IPC_STAT, &ds);
        break;
    }
    case PIPC_CTX_SHMAT:
    case PIPC_CTX_SHMCTL_SET: {
        struct shmid_ds ds;
        rc = shmctl(id, IPC_STAT, &ds);
        break;
    }
    default: {
        struct msqid_ds ds;
        rc = msgctl(id, IPC_STAT, &ds);
        break;
    }
    }
    if (rc == 0) return 1;
    return errno == EACCES ? -1 : 0;
}

/* Reads one number from a /proc/sys file; -1 when unreadable. */
static long long read_sysctl(const char *path) {
    long long v = -1;
    FILE *f = fopen(path, "re");
    if (f != NULL) {
        if (fscanf(f, "%lld", &v) != 1) v = -1;
        fclose(f);
    }
    return v;
}

static const char *errno_name(int err) {
    const char *n = strerrorname_np(err);
    return n != NULL ? n : "unknown errno";
}

static const char *object_of(pipc_ctx_e ctx) {
    switch (ctx) {
    case PIPC_CTX_SEMGET:
    case PIPC_CTX_SEMOP:
    case PIPC_CTX_SEMTIMEDOP:
    case PIPC_CTX_SEMCTL:
    case PIPC_CTX_SEMCTL_SET:
        return "semaphore set";
    case PIPC_CTX_SHMGET:
    case PIPC_CTX_SHMAT:
    case PIPC_CTX_SHMDT:
    case PIPC_CTX_SHMCTL:
    case PIPC_CTX_SHMCTL_SET:
        return "shared memory segment";
    case PIPC_CTX_MSGGET:
    case PIPC_CTX_MSGSND:
    case PIPC_CTX_MSGRCV:
    case PIPC_CTX_MSGRCV_COPY:
    case PIPC_CTX_MSGCTL:
    case PIPC_CTX_MSGCTL_SET:
        return "message queue";
    default:
        return "object";
    }
}

static bool is_get(pipc_ctx_e ctx) {
    return ctx == PIPC_CTX_SEMGET || ctx == PIPC_CTX_SHMGET || ctx == PIPC_CTX_MSGGET;
}

/* The reason of an ENOSPC from semget/shmget/msgget (`len`: nsems or the
 * segment size asked for), with the kernel's real numbers and the sysctl
 * that raises the limit that was hit. */
static void limit_reason(pipc_ctx_e ctx, size_t len, char *why, size_t n) {
    pipc_limits_t l;
    if (pipc_inspect_limits(&l) != PIPC_OK) {
        snprintf(why, n, "a system limit was reached (the limits cannot be read)");
        return;
    }
    if (ctx == PIPC_CTX_SEMGET) {
        if (l.sem_sets >= l.semmni)
            snprintf(why, n, "%lld of %lld semaphore sets in use (kernel.sem, 4th field)",
                     (long long)l.sem_sets, (long long)l.semmni);
        else
            snprintf(why, n,
                     "%lld of %lld semaphores in use, %zu more asked (kernel.sem, 2nd field)",
                     (long long)l.sem_semaphores, (long long)l.semmns, len);
    } else if (ctx == PIPC_CTX_SHMGET) {
        if ((uint64_t)l.shm_segments >= l.shmmni)
            snprintf(why, n, "%lld of %llu shared memory segments in use (kernel.shmmni)",
                     (long long)l.shm_segments, (unsigned long long)l.shmmni);
        else
            snprintf(why, n,
                     "%llu of %llu pages of shared memory in use, %llu more asked (kernel.shmall)",
                     (unsigned long long)l.shm_pages, (unsigned long long)l.shmall,
                     (unsigned long long)((len + (size_t)pipc_page_size() - 1) /
                                          (size_t)pipc_page_size()));
    } else {
        snprintf(why, n, "%lld of %lld message queues in use (kernel.msgmni)",
                 (long long)l.msg_queues, (long long)l.msgmni);
    }
}

/* Appends the RemoveIPC hint to an ExistentialError about an object that
 * vanished while in use, when this process's user is one whose objects
 * systemd-logind removes at logout and RemoveIPC is on. */
static void removeipc_hint(pipc_ctx_e ctx, char *why, size_t n) {
    if (is_get(ctx) || ctx == PIPC_CTX_FTOK) return;
    if (!pipc_uid_is_regular((uint32_t)geteuid()) || pipc_removeipc_enabled() != 1) return;
    size_t len = strlen(why);
    snprintf(why + len, n - len,
             "; systemd-logind RemoveIPC=yes removes a user's objects when its last session ends");
}

/* Decides the kind and writes the reason ("why") for err in ctx.
 * Returns the kind; *exact is set when `why` is the whole message. */
static int interpret(pipc_ctx_e ctx, int id, size_t len, int err, char *why, size_t n,
                     bool *exact) {
    const char *obj = object_of(ctx);
    if (ctx == PIPC_CTX_FTOK) {
        /* ftok only stats a path: every failure is a plain syscall failure. */
        snprintf(why, n, "cannot stat the path: %s", strerror(err));
        return PIPC_E_SYSCALL;
    }
    switch (err) {
    case ENOENT:
        snprintf(why, n, "no %s exists with this key (use IPC_CREAT to create one)", obj);
        return PIPC_E_EXISTENTIAL;
    case EEXIST:
        snprintf(why, n, "a %s with this key already exists (IPC_EXCL)", obj);
        return PIPC_E_EXISTENTIAL;
    case EIDRM:
        snprintf(why, n, "the %s was removed", obj);
        removeipc_hint(ctx, why, n);
        return PIPC_E_EXISTENTIAL;
    case EACCES:
    case EPERM:
        if (ctx == PIPC_CTX_MSGCTL_SET && err == EPERM) {
            snprintf(why, n,
                     "permission denied (only the owner, creator or a privileged process may "
                     "change it; raising msg_qbytes above kernel.msgmnb needs CAP_SYS_RESOURCE)");
        } else if (ctx == PIPC_CTX_SHMAT && err == EACCES) {
            snprintf(why, n, "permission denied (attaching needs read, and write unless SHM_RDONLY)");
        } else {
            snprintf(why, n, "permission denied for this %s", obj);
        }
        return PIPC_E_PERMISSIONS;
    case EAGAIN:
        if (ctx == PIPC_CTX_SEMTIMEDOP) {
            snprintf(why, n, "the timeout expired");
            return PIPC_E_BUSY;
        }
        if (ctx == PIPC_CTX_MSGSND) {
            struct msqid_ds ds;
            if (msgctl(id, IPC_STAT, &ds) == 0 && len > ds.msg_qbytes) {
                snprintf(why, n,
                         "the message (%zu bytes) is larger than the queue's msg_qbytes (%lu) "
                         "and can never be sent",
                         len, (unsigned long)ds.msg_qbytes);
                return PIPC_E_MESSAGE_SIZE;
            }
            snprintf(why, n, "the queue is full and IPC_NOWAIT was given");
            return PIPC_E_BUSY;
        }
        if (ctx == PIPC_CTX_SEMOP) {
            snprintf(why, n, "the operation would block and IPC_NOWAIT was given");
            return PIPC_E_BUSY;
        }
        snprintf(why, n, "resource temporarily unavailable");
        return PIPC_E_BUSY;
    case ENOMSG:
        if (ctx == PIPC_CTX_MSGRCV_COPY)
            snprintf(why, n, "no message at that position in the queue");
        else
            snprintf(why, n, "no message of the requested type and IPC_NOWAIT was given");
        return PIPC_E_BUSY;
    case E2BIG:
        if (ctx == PIPC_CTX_SEMOP || ctx == PIPC_CTX_SEMTIMEDOP) {
            snprintf(why, n, "more operations than SEMOPM allows (raise kernel.sem)");
            return PIPC_E_INVALID_ARGUMENT;
        }
        snprintf(why, n,
                 "the message is longer than the receive buffer (%zu bytes) and MSG_NOERROR "
                 "was not given",
                 len);
        return PIPC_E_MESSAGE_SIZE;
    case ENOSPC:
        switch (ctx) {
        case PIPC_CTX_SEMGET:
        case PIPC_CTX_SHMGET:
        case PIPC_CTX_MSGGET:
            limit_reason(ctx, len, why, n);
            break;
        case PIPC_CTX_SEMOP:
        case PIPC_CTX_SEMTIMEDOP:
            snprintf(why, n, "no space for the SEM_UNDO structure; raise kernel.sem");
            break;
        default:
            snprintf(why, n, "a system limit was reached");
            break;
        }
        return PIPC_E_LIMIT;
    case ENOMEM:
        snprintf(why, n, "out of memory");
        return PIPC_E_NO_MEMORY;
    case EINTR:
        snprintf(why, n, "interrupted by a signal");
        return PIPC_E_INTERRUPTED;
    case EFAULT:
        snprintf(why, n, "a bad address was passed to the kernel (a bug in polyipc)");
        return PIPC_E_INTERNAL;
    case ERANGE:
        if (ctx == PIPC_CTX_SEMOP || ctx == PIPC_CTX_SEMTIMEDOP || ctx == PIPC_CTX_SEMCTL) {
            snprintf(why, n, "The semaphore's value must remain between 0 and SEMVMX");
            *exact = true; /* sysv_ipc's exact text, no prefix */
            return PIPC_E_INVALID_ARGUMENT;
        }
        snprintf(why, n, "a value is out of range");
        return PIPC_E_INVALID_ARGUMENT;
    case EFBIG:
        snprintf(why, n, "the semaphore index is out of range for this set");
        return PIPC_E_INVALID_ARGUMENT;
    case ENOSYS:
        if (ctx == PIPC_CTX_MSGRCV_COPY) {
            snprintf(why, n, "MSG_COPY is not supported by this kernel (CONFIG_CHECKPOINT_RESTORE)");
            return PIPC_E_INVALID_ARGUMENT;
        }
        snprintf(why, n, "not supported by this kernel");
        return PIPC_E_SYSCALL;
    case EINVAL:
        if (is_get(ctx)) {
            if (ctx == PIPC_CTX_SEMGET)
                snprintf(why, n,
                         "nsems is out of range (above SEMMSL, kernel.sem) or larger than the "
                         "existing set's");
            else if (ctx == PIPC_CTX_SHMGET)
                snprintf(why, n,
                         "the size is outside SHMMIN..SHMMAX (kernel.shmmax) or larger than the "
                         "existing segment's");
            else
                snprintf(why, n, "invalid argument");
            return PIPC_E_INVALID_ARGUMENT;
        }
        if (ctx == PIPC_CTX_SHMDT) {
            snprintf(why, n, "no segment is attached at that address");
            return PIPC_E_NOT_ATTACHED;
        }
        if (ctx == PIPC_CTX_MSGRCV_COPY) {
            /* MSG_COPY needs IPC_NOWAIT (added) and excludes MSG_EXCEPT
             * (checked); on a queue that exists, EINVAL is the kernel
             * refusing to copy a message longer than the buffer, which it
             * does even with MSG_NOERROR. */
            if (id_exists(ctx, id) != 0) {
                snprintf(why, n,
                         "MSG_COPY cannot copy a message longer than the buffer (%zu bytes), "
                         "even with MSG_NOERROR",
                         len);
                return PIPC_E_INVALID_ARGUMENT;
            }
            snprintf(why, n, "no message queue exists with this id (it may have been removed)");
            return PIPC_E_EXISTENTIAL;
        }
        if (ctx == PIPC_CTX_MSGSND || ctx == PIPC_CTX_SHMAT || ctx == PIPC_CTX_SEMCTL_SET ||
            ctx == PIPC_CTX_SHMCTL_SET || ctx == PIPC_CTX_MSGCTL_SET) {
            int exists = id_exists(ctx, id);
            if (exists < 0 && ctx == PIPC_CTX_SHMAT) {
                /* shmat needs read permission, which the caller lacks
                 * (seen e.g. under valgrind, which stats before attaching) */
                snprintf(why, n, "permission denied (the caller may not read the segment)");
                return PIPC_E_PERMISSIONS;
            }
            if (exists != 0) {
                if (ctx == PIPC_CTX_MSGSND) {
                    long long mx = read_sysctl("/proc/sys/kernel/msgmax");
                    snprintf(why, n,
                             "the message (%zu bytes) is larger than msgmax (%lld); raise "
                             "kernel.msgmax",
                             len, mx);
                    return PIPC_E_MESSAGE_SIZE;
                }
                if (ctx == PIPC_CTX_SHMAT)
                    snprintf(why, n,
                             "the address is not page-aligned (use SHM_RND) or cannot be used");
                else
                    snprintf(why, n, "the uid or gid is not valid (in this user namespace)");
                return PIPC_E_INVALID_ARGUMENT;
            }
        }
        /* Every argument was validated before the call, so EINVAL on an id
         * means the id does not (or no longer) exist. */
        snprintf(why, n, "no %s exists with this id (it may have been removed)", obj);
        removeipc_hint(ctx, why, n);
        return PIPC_E_EXISTENTIAL;
    default:
        snprintf(why, n, "%s", strerror(err));
        return PIPC_E_SYSCALL;
    }
}

/* The public pipc_site_e of an internal context. */
static int site_of(pipc_ctx_e ctx) {
    switch (ctx) {
    case PIPC_CTX_SEMGET: return PIPC_SITE_SEMGET;
    case PIPC_CTX_SEMOP:
    case PIPC_CTX_SEMTIMEDOP: return PIPC_SITE_SEMOP;
    case PIPC_CTX_SEMCTL: return PIPC_SITE_SEMCTL;
    case PIPC_CTX_SEMCTL_SET: return PIPC_SITE_SEMCTL_SET;
    case PIPC_CTX_SHMGET: return PIPC_SITE_SHMGET;
    case PIPC_CTX_SHMAT: return PIPC_SITE_SHMAT;
    case PIPC_CTX_SHMDT: return PIPC_SITE_SHMDT;
    case PIPC_CTX_SHMCTL: return PIPC_SITE_SHMCTL;
    case PIPC_CTX_SHMCTL_SET: return PIPC_SITE_SHMCTL_SET;
    case PIPC_CTX_MSGGET: return PIPC_SITE_MSGGET;
    case PIPC_CTX_MSGSND: return PIPC_SITE_MSGSND;
    case PIPC_CTX_MSGRCV: return PIPC_SITE_MSGRCV;
    case PIPC_CTX_MSGCTL: return PIPC_SITE_MSGCTL;
    case PIPC_CTX_MSGCTL_SET: return PIPC_SITE_MSGCTL_SET;
    case PIPC_CTX_FTOK: return PIPC_SITE_FTOK;
    default: return PIPC_SITE_OTHER;
    }
}

int pipc__sys_error(pipc_ctx_e ctx, int64_t subject, size_t len, int err, const char *what_fmt,
                    ...) {
    /* the object's id, when the subject is one (-1: none, never an IPC_STAT) */
    const int id = is_get(ctx) || ctx == PIPC_CTX_FTOK || subject < 0 || subject > INT_MAX
                       ? -1
                       : (int)subject;
    char what[128];
    char why[200];
    va_list ap;
    int saved = errno;
    va_start(ap, what_fmt);
    vsnprintf(what, sizeof what, what_fmt, ap);
    va_end(ap);
    bool exact = false;
    int kind = interpret(ctx, id, len, err, why, sizeof why, &exact);
    if (exact) {
        pipc_error_set(kind, err, "%s", why);
    } else {
        pipc_error_set(kind, err, "%s: %s (%s)", what, why, errno_name(err));
    }
    tls_error.site = site_of(ctx);
    tls_error.subject = subject;
    errno = saved;
    return kind;
}
