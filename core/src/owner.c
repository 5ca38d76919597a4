/*
 * owner.c — user names of the inspector's records and filters: the owner
 * of an object by uid (pipc_owner_name) and an owner given as a name or a
 * uid (pipc_owner_parse). Names come through whole, whatever their length:
 * the passwd lookups grow their buffer on ERANGE.
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "polyipc_inspect.h"

#ifndef LOGIN_NAME_MAX
#define LOGIN_NAME_MAX 256
#endif
/* The largest buffer a passwd lookup grows to (an entry is a few hundred
 * bytes; glibc's own getpwuid grows without a limit). */
#define PW_BUFFER_MAX ((size_t)1 << 20)

/* The passwd entry of `name` (getpwnam_r), or of `uid` when `name` is NULL
 * (getpwuid_r), in *pw and its strings in `stack` (of `size` bytes) or, when
 * that is too small (ERANGE), in a heap buffer left in *heap for the caller
 * to free (NULL when none was needed). Returns pw, or NULL when there is no
 * entry or it cannot be read (out of memory, larger than PW_BUFFER_MAX). */
static struct passwd *pw_lookup(const char *name, uint32_t uid, struct passwd *pw, char *stack, size_t size,
                                char **heap) {
    struct passwd *res = NULL;
    char *buf = stack;
    int rc;
    *heap = NULL;
    for (;;) {
        rc = name ? getpwnam_r(name, pw, buf, size, &res) : getpwuid_r((uid_t)uid, pw, buf, size, &res);
        if (rc != ERANGE || size >= PW_BUFFER_MAX) break;
        size *= 2;
        char *grown = realloc(*heap, size);
        if (grown == NULL) break;
        *heap = buf = grown;
    }
    return rc == 0 ? res : NULL;
}

/* A thread's last name longer than its cache holds: freed when the thread
 * ends (the key's destructor), or when a later name replaces it. */
static pthread_key_t long_name_key;
static pthread_once_t long_name_once = PTHREAD_ONCE_INIT;
static bool long_name_key_made;
static void long_name_key_make(void) { long_name_key_made = pthread_key_create(&long_name_key, free) == 0; }

const char *pipc_owner_name(uint32_t uid) {
    /* consecutive objects mostly share an owner: the last answer is kept */
    static _Thread_local uint32_t last_uid;
    static _Thread_local const char *last;               /* NULL: nothing kept */
    static _Thread_local char last_name[LOGIN_NAME_MAX]; /* any user name Linux allows, NUL included */
    static _Thread_local char *long_name;                /* a longer one (never made by useradd) */
    if (last != NULL && uid == last_uid) return last;
    struct passwd pw, *res;
    char buf[1024], *heap;
    size_t len;
    last = NULL;
    last_uid = uid;
    res = pw_lookup(NULL, uid, &pw, buf, sizeof buf, &heap);
    if (res != NULL && (len = strlen(res->pw_name)) < sizeof last_name) {
        memcpy(last_name, res->pw_name, len + 1);
        last = last_name;
    } else if (res != NULL) {
        pthread_once(&long_name_once, long_name_key_make);
        char *copy = realloc(long_name, len + 1);
        if (copy != NULL) {
            memcpy(copy, res->pw_name, len + 1);
            long_name = copy;
            if (long_name_key_made) pthread_setspecific(long_name_key, long_name);
            last = long_name;
        }
    }
    free(heap);
    if (last == NULL) { /* no entry (or out of memory: then not kept, asked again next time) */
        snprintf(last_name, sizeof last_name, "%u", uid);
        if (res == NULL) last = last_name;
        return last_name;
    }
    return last;
}

int pipc_owner_parse(const char *owner, int64_t *uid) {
    struct passwd pw, *res;
    char buf[1024], *heap, *end;
    if (owner == NULL || *owner == '\0') return pipc__invalid("owner: an empty user name");
    res = pw_lookup(owner, 0, &pw, buf, sizeof buf, &heap);
    if (res != NULL) *uid = res->pw_uid;
    free(heap);
    if (res != NULL) return PIPC_OK;
    errno = 0;
    unsigned long long v = strtoull(owner, &end, 10);
    if (errno || end == owner || *end || owner[0] == '-' || v > UINT32_MAX - 1)
        return pipc__invalid("owner: no such user '%.64s'", owner);
    *uid = (int64_t)v;
    return PIPC_OK;
}
