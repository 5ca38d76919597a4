/*
 * key.c — key checks, ftok, random keys, and the shared open logic.
 */
#include "internal.h"

#include <string.h>
#include <sys/random.h>
#include <unistd.h>

/* Retries of the IPC_CREX-then-open dance when the object keeps appearing
 * and disappearing under us. */
#define PIPC_OPEN_RACE_TRIES 100

int pipc_key_check(int64_t key) {
    if (key < PIPC_KEY_MIN || key > PIPC_KEY_MAX)
        return pipc__invalid("key %lld is out of range: a key must be between %d and %d",
                             (long long)key, PIPC_KEY_MIN, PIPC_KEY_MAX);
    return PIPC_OK;
}

int pipc_ftok(const char *path, int64_t proj_id, int32_t *key_out) {
    if (path == NULL || key_out == NULL) return pipc__invalid("ftok: path and key_out must not be NULL");
    if (proj_id < 0 || proj_id > 255)
        return pipc__invalid("ftok: the project id must be between 0 and 255, not %lld",
                             (long long)proj_id);
    errno = 0;
    key_t k = ftok(path, (int)proj_id);
    if (k == (key_t)-1) {
        int err = errno;
        /* ftok(3) fails only when stat(2) fails, which always sets errno;
         * -1 can also be a genuine key, so check errno. */
        if (err != 0) return pipc__sys_error(PIPC_CTX_FTOK, PIPC_SUBJECT_NONE, 0, err, "ftok(\"%.80s\")", path);
    }
    *key_out = (int32_t)k;
    return PIPC_OK;
}

key_t pipc__random_key(void) {
    uint32_t r;
    const uint32_t span = (uint32_t)(PIPC_RANDOM_KEY_MAX - PIPC_RANDOM_KEY_MIN + 1);
    const uint32_t limit = UINT32_MAX - UINT32_MAX % span; /* reject for uniformity */
    do {
        if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r) {
            /* getrandom cannot fail for 4 bytes with a ready pool; fall back
             * to something that still varies between calls and processes. */
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            r = (uint32_t)ts.tv_nsec ^ ((uint32_t)getpid() << 16);
            r %= limit;
        }
    } while (r >= limit);
    return (key_t)(PIPC_RANDOM_KEY_MIN + (int32_t)(r % span));
}

int pipc__check_open(const char *what, int64_t key, int64_t flags, int64_t allowed, int64_t mode) {
    if (key != PIPC_KEY_RANDOM && pipc_key_check(key) != PIPC_OK)
        return pipc__invalid("%s: key %lld is out of range: a key must be between %d and %d", what,
                             (long long)key, PIPC_KEY_MIN, PIPC_KEY_MAX);
    if (flags < 0 || (flags & ~(allowed | PIPC_MODE_MASK)) != 0)
        return pipc__invalid("%s: unsupported flags 0%llo", what, (unsigned long long)flags);
    if ((flags & IPC_EXCL) && !(flags & IPC_CREAT))
        return pipc__at(PIPC_SITE_EXCL_WITHOUT_CREAT,
                        pipc__invalid("%s: IPC_EXCL needs IPC_CREAT", what));
    if (key == PIPC_KEY_RANDOM && (flags & (IPC_CREAT | IPC_EXCL)) != (IPC_CREAT | IPC_EXCL))
        return pipc__at(PIPC_SITE_RANDOM_KEY_FLAGS,
                        pipc__invalid("%s: a random key needs IPC_CREAT | IPC_EXCL", what));
    if (mode < 0) return pipc__invalid("%s: mode must not be negative", what);
    return PIPC_OK;
}

int pipc__check_id(const char *what, int64_t id) {
    if (id < 0 || id > INT_MAX)
        return pipc__invalid("%s: id %lld is out of range (0..%d)", what, (long long)id, INT_MAX);
    return PIPC_OK;
}

int pipc__check_perm_args(const char *what, int64_t uid, int64_t gid, int64_t mode) {
    const int64_t max_id = (int64_t)UINT32_MAX - 1; /* (uid_t)-1 means "no change" to the kernel */
    if (uid != PIPC_KEEP && (uid < 0 || uid > max_id))
        return pipc__invalid("%s: uid %lld is out of range (0..%lld)", what, (long long)uid,
                             (long long)max_id);
    if (gid != PIPC_KEEP && (gid < 0 || gid > max_id))
        return pipc__invalid("%s: gid %lld is out of range (0..%lld)", what, (long long)gid,
                             (long long)max_id);
    if (mode != PIPC_KEEP && mode < 0)
        return pipc__invalid("%s: mode must not be negative", what);
    return PIPC_OK;
}

void pipc__perm_apply(struct ipc_perm *perm, int64_t uid, int64_t gid, int64_t mode) {
    if (uid != PIPC_KEEP) perm->uid = (uid_t)uid;
    if (gid != PIPC_KEEP) perm->gid = (gid_t)gid;
    if (mode != PIPC_KEEP) perm->mode = (__typeof__(perm->mode))(mode & PIPC_MODE_MASK);
}

void pipc__perm_from(pipc_perm_t *out, const struct ipc_perm *in) {
    out->key = (int32_t)in->__key;
    out->uid = (uint32_t)in->uid;
    out->gid = (uint32_t)in->gid;
    out->cuid = (uint32_t)in->cuid;
    out->cgid = (uint32_t)in->cgid;
    out->mode = (uint32_t)in->mode;
}

int pipc__get(pipc_ctx_e ctx, const char *what, pipc_get_fn get, int64_t key, size_t create_arg,
              size_t open_arg, int64_t flags, int64_t mode, int *id_out, int32_t *key_out,
              bool *created) {
    const int perm = (int)(mode & PIPC_MODE_MASK);
    const int extra = (int)(flags & ~(int64_t)(IPC_CREAT | IPC_EXCL | PIPC_MODE_MASK));
    const int crex = IPC_CREAT | IPC_EXCL | extra | perm;
    int id;

    if (key == PIPC_KEY_RANDOM) {
        for (int i = 0; i < PIPC_RANDOM_KEY_TRIES; i++) {
            key_t k = pipc__random_key();
            id = get(k, create_arg, crex);
            if (id >= 0) {
                *id_out = id;
                *key_out = (int32_t)k;
                *created = true;
                return PIPC_OK;
            }
            if (errno != EEXIST) return pipc__sys_error(ctx, k, create_arg, errno, "%s(key=%d)", what, (int)k);
        }
        return pipc_error_set(PIPC_E_EXISTENTIAL, EEXIST,
                              "%s: no unused random key was found in %d tries", what,
                              PIPC_RANDOM_KEY_TRIES);
    }

    const key_t k = (key_t)key;
    if (k == IPC_PRIVATE || (flags & IPC_EXCL)) {
        /* IPC_PRIVATE always creates a new object, whatever the flags. */
        id = get(k, create_arg, crex);
        if (id < 0) return pipc__sys_error(ctx, k, create_arg, errno, "%s(key=%d)", what, (int)k);
        *created = true;
    } else if (!(flags & IPC_CREAT)) {
        id = get(k, open_arg, extra | perm);
        if (id < 0) return pipc__sys_error(ctx, k, create_arg, errno, "%s(key=%d)", what, (int)k);
        *created = false;
    } else {
        /* IPC_CREAT alone: create exclusively, else open; the object may be
         * removed between the two, so retry a bounded number of times. */
        int i;
        for (i = 0; i < PIPC_OPEN_RACE_TRIES; i++) {
            id = get(k, create_arg, crex);
            if (id >= 0) {
                *created = true;
                break;
            }
            if (errno != EEXIST) return pipc__sys_error(ctx, k, create_arg, errno, "%s(key=%d)", what, (int)k);
            id = get(k, open_arg, extra | perm);
            if (id >= 0) {
                *created = false;
                break;
            }
            if (errno != ENOENT) return pipc__sys_error(ctx, k, create_arg, errno, "%s(key=%d)", what, (int)k);
        }
        if (i == PIPC_OPEN_RACE_TRIES)
            return pipc_error_set(PIPC_E_EXISTENTIAL, ENOENT,
                                  "%s(key=%d): the object kept disappearing while being opened",
                                  what, (int)k);
    }
    *id_out = id;
    *key_out = (int32_t)k;
    return PIPC_OK;
}
