/*
 * msg.c — message queues.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Largest max_message_size accepted by pipc_msg_open. */
#define MAX_MESSAGE_SIZE_LIMIT (64 * 1024 * 1024)
/* Messages up to this size are assembled on the stack for msgsnd. */

#define CHECK_HANDLE(h, what)                                                                      \
    do {                                                                                           \
        if ((h) == NULL) return pipc__invalid("%s: the message queue handle is NULL", what);       \
    } while (0)

static int msg_get(key_t key, size_t unused, int flags) {
    (void)unused;
    return msgget(key, flags);
}

static inline int stat_id(int id, struct msqid_ds *ds, const char *what) {
    if (msgctl(id, IPC_STAT, ds) < 0)
        return pipc__sys_error(PIPC_CTX_MSGCTL, id, 0, errno, "%s(id=%d)", what, id);
    return PIPC_OK;
}

int pipc_msg_open(pipc_msg_t *q, int64_t key, int64_t flags, int64_t mode,
                  int64_t max_message_size) {
    CHECK_HANDLE(q, "msgget");
    int rc = pipc__check_open("msgget", key, flags, IPC_CREAT | IPC_EXCL, mode);
    if (rc != PIPC_OK) return rc;
    if (max_message_size < 1 || max_message_size > MAX_MESSAGE_SIZE_LIMIT)
        return pipc__invalid("msgget: max_message_size %lld is out of range (1..%d)",
                             (long long)max_message_size, MAX_MESSAGE_SIZE_LIMIT);
    int id;
    int32_t k;
    bool created;
    rc = pipc__get(PIPC_CTX_MSGGET, "msgget", msg_get, key, 0, 0, flags, mode, &id, &k, &created);
    if (rc != PIPC_OK) return rc;
    q->key = k;
    q->id = id;
    q->created = created;
    q->max_message_size = (size_t)max_message_size;
    q->wait_hint = 0;
    return PIPC_OK;
}

/* A blocking send first tries without waiting (no runner, no GIL release
 * when the queue has room). Only when that would block is the message
 * checked against msg_qbytes — a message larger than the queue can hold
 * would otherwise wait forever — and the waiting send made through the
 * runner. */
int pipc_msg_send(const pipc_msg_t *q, int64_t type, const void *data, size_t len, int64_t flags) {
    CHECK_HANDLE(q, "msgsnd");
    if (type < 1 || type > LONG_MAX)
        return pipc__at(type < 1 ? PIPC_SITE_MSG_TYPE : PIPC_SITE_NONE,
                        pipc__invalid("msgsnd: the message type must be between 1 and %ld, "
                                      "not %lld",
                                      LONG_MAX, (long long)type));
    if (flags < 0 || (flags & ~(int64_t)IPC_NOWAIT) != 0)
        return pipc__invalid("msgsnd: flags 0%llo are not IPC_NOWAIT", (unsigned long long)flags);
    if (data == NULL && len > 0) return pipc__invalid("msgsnd: the data pointer is NULL");
    if (len > q->max_message_size)
        return pipc__about((int64_t)q->max_message_size,
                           pipc__at(PIPC_SITE_MSG_TOO_LONG,
                                    pipc_error_set(PIPC_E_MESSAGE_SIZE, 0,
                                                   "msgsnd(id=%d): the message (%zu bytes) is "
                                                   "longer than max_message_size (%zu bytes)",
                                                   q->id, len, q->max_message_size)));

    union {
        long type;
        char bytes[PIPC_MSGBUF_SIZE(PIPC_MSG_STACK_TEXT)];
    } stack;
    pipc_msgbuf_t *buf = (pipc_msgbuf_t *)&stack;
    if (len > PIPC_MSG_STACK_TEXT) {
        buf = malloc(PIPC_MSGBUF_SIZE(len));
        if (buf == NULL)
            return pipc_error_set(PIPC_E_NO_MEMORY, ENOMEM, "msgsnd(id=%d): out of memory for %zu bytes",
                                  q->id, len);
    }
    buf->type = (long)type;
    if (len > 0) memcpy(buf->text, data, len);

    pipc_call_t call = {.kind = PIPC_CALL_MSGSND, .id = q->id, .buf = buf, .size = len,
                        .flags = IPC_NOWAIT};
    pipc__call(&call, false);
    if (call.rc < 0 && call.err == EAGAIN && !(flags & IPC_NOWAIT)) {
        struct msqid_ds ds;
        bool never_fits = msgctl(q->id, IPC_STAT, &ds) == 0 && len > ds.msg_qbytes;
        if (!never_fits) {
            call.flags = 0;
            pipc__call(&call, true);
        }
    }
    int rc = PIPC_OK;
    if (call.rc < 0)
        rc = pipc__sys_error(PIPC_CTX_MSGSND, q->id, len, call.err, "msgsnd(id=%d)", q->id);
    if (buf != (pipc_msgbuf_t *)&stack) free(buf);
    return rc;
}

int pipc_msg_receive(const pipc_msg_t *q, int64_t type, int64_t flags, pipc_msgbuf_t *buf,
                     size_t cap, size_t *len) {
    CHECK_HANDLE(q, "msgrcv");
    if (buf == NULL || len == NULL) return pipc__invalid("msgrcv: NULL buffer or length pointer");
    if (cap > LONG_MAX) return pipc__invalid("msgrcv: the capacity %zu is too large", cap);
    if (type < LONG_MIN || type > LONG_MAX)
        return pipc__invalid("msgrcv: the type %lld does not fit a long", (long long)type);
    const int64_t allowed = IPC_NOWAIT | MSG_NOERROR | MSG_EXCEPT | MSG_COPY;
    if (flags < 0 || (flags & ~allowed) != 0)
        return pipc__invalid("msgrcv: flags 0%llo are not IPC_NOWAIT/MSG_NOERROR/MSG_EXCEPT/MSG_COPY",
                             (unsigned long long)flags);
    const bool copy = (flags & MSG_COPY) != 0;
    if (copy) {
        if (flags & MSG_EXCEPT) return pipc__invalid("msgrcv: MSG_COPY cannot be combined with MSG_EXCEPT");
        if (type < 0)
            return pipc__invalid("msgrcv: with MSG_COPY the type is a position and must be >= 0, not %lld",
                                 (long long)type);
        flags |= IPC_NOWAIT; /* the kernel requires it */
    }
    pipc_call_t call = {.kind = PIPC_CALL_MSGRCV, .id = q->id, .buf = buf, .size = cap,
                        .type = (long)type, .flags = (int)flags,
                        .wait_hint = (int *)&q->wait_hint}; /* see run_ops in sem.c */
    if (pipc__call(&call, !(flags & IPC_NOWAIT)) < 0)
        return pipc__sys_error(copy ? PIPC_CTX_MSGRCV_COPY : PIPC_CTX_MSGRCV, q->id, cap, call.err,
                               "msgrcv(id=%d)", q->id);
    *len = (size_t)call.rc;
    return PIPC_OK;
}

int pipc_msg_stat(const pipc_msg_t *q, pipc_msg_info_t *info) {
    CHECK_HANDLE(q, "IPC_STAT");
    if (info == NULL) return pipc__invalid("IPC_STAT: the info pointer is NULL");
    struct msqid_ds ds;
    int rc = stat_id(q->id, &ds, "msgctl(IPC_STAT)");
    if (rc != PIPC_OK) return rc;
    pipc__perm_from(&info->perm, &ds.msg_perm);
    info->s_time = (int64_t)ds.msg_stime;
    info->r_time = (int64_t)ds.msg_rtime;
    info->c_time = (int64_t)ds.msg_ctime;
    info->n_messages = (uint64_t)ds.msg_qnum;
    info->max_bytes = (uint64_t)ds.msg_qbytes;
    info->last_send_pid = (int)ds.msg_lspid;
    info->last_receive_pid = (int)ds.msg_lrpid;
    return PIPC_OK;
}

int pipc_msg_set_perm(const pipc_msg_t *q, int64_t uid, int64_t gid, int64_t mode) {
    CHECK_HANDLE(q, "IPC_SET");
    int rc = pipc__check_perm_args("msgctl(IPC_SET)", uid, gid, mode);
    if (rc != PIPC_OK) return rc;
    struct msqid_ds ds;
    if ((rc = stat_id(q->id, &ds, "msgctl(IPC_STAT)")) != PIPC_OK) return rc;
    pipc__perm_apply(&ds.msg_perm, uid, gid, mode);
    if (msgctl(q->id, IPC_SET, &ds) < 0)
        return pipc__sys_error(PIPC_CTX_MSGCTL_SET, q->id, 0, errno, "msgctl(id=%d, IPC_SET)", q->id);
    return PIPC_OK;
}

int pipc_msg_set_max_bytes(const pipc_msg_t *q, int64_t max_bytes) {
    CHECK_HANDLE(q, "IPC_SET");
    /* The kernel's IPC_SET takes msg_qbytes as an int: a larger value would
     * be silently truncated (2^32+5 becomes 5), so it is refused here. */
    if (max_bytes < 1 || max_bytes > INT_MAX)
        return pipc__invalid("msgctl(IPC_SET): max_bytes must be between 1 and %d, not %lld",
                             INT_MAX, (long long)max_bytes);
    struct msqid_ds ds;
    int rc = stat_id(q->id, &ds, "msgctl(IPC_STAT)");
    if (rc != PIPC_OK) return rc;
    ds.msg_qbytes = (msglen_t)max_bytes;
    if (msgctl(q->id, IPC_SET, &ds) < 0)
        return pipc__sys_error(PIPC_CTX_MSGCTL_SET, q->id, 0, errno, "msgctl(id=%d, IPC_SET msg_qbytes)",
                               q->id);
    return PIPC_OK;
}

int pipc_msg_remove(const pipc_msg_t *q) {
    CHECK_HANDLE(q, "IPC_RMID");
    return pipc_msg_remove_id(q->id);
}

int pipc_msg_remove_id(int64_t id) {
    int rc = pipc__check_id("msgctl(IPC_RMID)", id);
    if (rc != PIPC_OK) return rc;
    if (msgctl((int)id, IPC_RMID, NULL) < 0)
        return pipc__sys_error(PIPC_CTX_MSGCTL, (int)id, 0, errno, "msgctl(id=%d, IPC_RMID)", (int)id);
    return PIPC_OK;
}
