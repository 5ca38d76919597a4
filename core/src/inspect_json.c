/*
 * inspect_json.c — the inspector's one serialised form: JSON of schema
 * PIPC_INSPECT_SCHEMA (field list in docs/inspector.md). Used by the CLI's
 * --json and by every language binding.
 */
#include "internal.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "polyipc_inspect.h"

/* A growing string; `failed` once an allocation failed. */
typedef struct sbuf_t {
    char *s;
    size_t len, cap;
    bool failed;
} sbuf_t;

static void put(sbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sbuf_t *b, const char *fmt, ...) {
    if (b->failed) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = true;
            return;
        }
        if (b->s && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap : 1024;
        while (cap <= b->len + (size_t)n) cap *= 2;
        char *s = realloc(b->s, cap);
        if (s == NULL) {
            b->failed = true;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

static char *finish(sbuf_t *b) {
    if (b->failed || b->s == NULL) {
        free(b->s);
        pipc_error_set(PIPC_E_NO_MEMORY, ENOMEM, "json: out of memory");
        return NULL;
    }
    return b->s;
}

/* A JSON string of s (names and commands: escapes quotes, backslashes, controls). */
static void put_str(sbuf_t *b, const char *s) {
    put(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            put(b, "\\%c", c);
        else if (c < 0x20)
            put(b, "\\u%04x", c);
        else
            put(b, "%c", c);
    }
    put(b, "\"");
}

static void put_time(sbuf_t *b, const char *name, int64_t t) {
    if (t > 0)
        put(b, ",\"%s\":%lld", name, (long long)t);
    else
        put(b, ",\"%s\":null", name);
}

static void put_tri(sbuf_t *b, const char *name, int v) {
    put(b, ",\"%s\":%s", name, v == PIPC_UNKNOWN ? "null" : v ? "true" : "false");
}

/* The user name of uid (cached: consecutive objects mostly share an owner). */
static void put_owner(sbuf_t *b, uint32_t uid) {
    static _Thread_local uint32_t last_uid = UINT32_MAX;
    static _Thread_local char last_name[64];
    if (uid != last_uid) {
        struct passwd pw, *res = NULL;
        char buf[1024];
        if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res != NULL)
            snprintf(last_name, sizeof last_name, "%s", res->pw_name);
        else
            snprintf(last_name, sizeof last_name, "%u", uid);
        last_uid = uid;
    }
    put_str(b, last_name);
}

static void put_object(sbuf_t *b, const pipc_object_t *o) {
    bool shm = o->kind == PIPC_KIND_SHM, msg = o->kind == PIPC_KIND_MSG,
         sem = o->kind == PIPC_KIND_SEM;
    put(b, "{\"kind\":\"%s\",\"id\":%d,\"key\":%d,\"owner\":", pipc_kind_name(o->kind), o->id,
        (int)o->key);
    put_owner(b, o->uid);
    put(b, ",\"uid\":%u,\"gid\":%u,\"cuid\":%u,\"cgid\":%u,\"perms\":%u", o->uid, o->gid, o->cuid,
        o->cgid, o->perms);
    put_time(b, "ctime", o->ctime);
    if (shm) {
        put(b, ",\"size\":%llu,\"nattch\":%llu,\"cpid\":%d,\"lpid\":%d",
            (unsigned long long)o->size, (unsigned long long)o->nattch, o->cpid, o->lpid);
        put_time(b, "atime", o->atime);
        put_time(b, "dtime", o->dtime);
        put(b, ",\"status\":[");
        const char *sep = "";
        if (o->dest) put(b, "%s\"dest\"", sep), sep = ",";
        if (o->locked) put(b, "%s\"locked\"", sep), sep = ",";
        if (o->hugetlb) put(b, "%s\"hugetlb\"", sep), sep = ",";
        if (o->noreserve) put(b, "%s\"noreserve\"", sep);
        put(b, "]");
    } else {
        put(b, ",\"size\":null,\"nattch\":null,\"cpid\":null,\"lpid\":null,\"atime\":null,"
               "\"dtime\":null,\"status\":null");
    }
    if (msg) {
        put(b, ",\"used_bytes\":%llu,\"messages\":%llu,\"max_bytes\":%llu,\"lspid\":%d,\"lrpid\":%d",
            (unsigned long long)o->used_bytes, (unsigned long long)o->messages,
            (unsigned long long)o->max_bytes, o->lspid, o->lrpid);
        put_time(b, "stime", o->stime);
        put_time(b, "rtime", o->rtime);
    } else {
        put(b, ",\"used_bytes\":null,\"messages\":null,\"max_bytes\":null,\"lspid\":null,"
               "\"lrpid\":null,\"stime\":null,\"rtime\":null");
    }
    if (sem) {
        put(b, ",\"nsems\":%d", o->nsems);
        if (o->waiters >= 0)
            put(b, ",\"waiters\":%d", o->waiters);
        else
            put(b, ",\"waiters\":null");
        put_time(b, "otime", o->otime);
        if (o->sems != NULL) {
            put(b, ",\"semaphores\":[");
            for (int i = 0; i < o->nsems; i++)
                put(b, "%s{\"value\":%d,\"ncount\":%d,\"zcount\":%d,\"pid\":%d}", i ? "," : "",
                    o->sems[i].value, o->sems[i].ncount, o->sems[i].zcount, o->sems[i].pid);
            put(b, "]");
        } else {
            put(b, ",\"semaphores\":null");
        }
    } else {
        put(b, ",\"nsems\":null,\"waiters\":null,\"otime\":null,\"semaphores\":null");
    }
    put_tri(b, "creator_alive", o->creator_alive);
    put_tri(b, "last_alive", o->last_alive);
    put(b, ",\"age\":%lld,\"idle\":%lld,\"leaked\":%s", (long long)o->age, (long long)o->idle,
        o->leaked ? "true" : "false");
    put_tri(b, "removeipc_risk", o->removeipc_risk);
    if (o->attached != NULL) {
        put(b, ",\"attached\":[");
        for (size_t i = 0; i < o->nattached; i++) {
            put(b, "%s{\"pid\":%d,\"command\":", i ? "," : "", o->attached[i].pid);
            put_str(b, o->attached[i].command);
            put(b, "}");
        }
        put(b, "]}");
    } else {
        put(b, ",\"attached\":null}");
    }
}

char *pipc_object_json(const pipc_object_t *obj) {
    sbuf_t b = {0};
    if (obj == NULL) {
        pipc__invalid("json: the object is NULL");
        return NULL;
    }
    put_object(&b, obj);
    return finish(&b);
}

char *pipc_objects_json(const pipc_objects_t *objs) {
    sbuf_t b = {0};
    put(&b, "[");
    for (size_t i = 0; objs != NULL && i < objs->count; i++) {
        if (i) put(&b, ",\n");
        put_object(&b, &objs->items[i]);
    }
    put(&b, "]");
    return finish(&b);
}

char *pipc_limits_json(const pipc_limits_t *lim) {
    pipc_limit_row_t rows[PIPC_LIMIT_ROWS];
    sbuf_t b = {0};
    pipc_limit_rows(lim, rows);
    put(&b, "[");
    for (int i = 0; i < PIPC_LIMIT_ROWS; i++) {
        put(&b, "%s{\"resource\":\"%s\",\"description\":\"%s\",\"limit\":%llu,\"used\":", i ? ",\n" : "",
            rows[i].resource, rows[i].description, (unsigned long long)rows[i].limit);
        if (rows[i].used >= 0)
            put(&b, "%lld", (long long)rows[i].used);
        else
            put(&b, "null");
        put(&b, ",\"sysctl\":\"%s\"}", rows[i].sysctl);
    }
    put(&b, "]");
    return finish(&b);
}

int pipc_owner_parse(const char *owner, int64_t *uid) {
    struct passwd pw, *res = NULL;
    char buf[1024], *end;
    if (owner == NULL || *owner == '\0') return pipc__invalid("owner: an empty user name");
    if (getpwnam_r(owner, &pw, buf, sizeof buf, &res) == 0 && res != NULL) {
        *uid = res->pw_uid;
        return PIPC_OK;
    }
    errno = 0;
    unsigned long long v = strtoull(owner, &end, 10);
    if (errno || end == owner || *end || owner[0] == '-' || v > UINT32_MAX - 1)
        return pipc__invalid("owner: no such user '%.64s'", owner);
    *uid = (int64_t)v;
    return PIPC_OK;
}

char *pipc_inspect_list_json(const char *kind, const char *owner, int64_t key, int64_t id, int what) {
    pipc_filter_t f = PIPC_FILTER_ANY;
    pipc_objects_t objs;
    if (kind != NULL && *kind) {
        f.kinds = pipc_kind_parse(kind);
        if (f.kinds == 0) {
            pipc__invalid("list: unknown kind '%.40s' (sem, shm or msg)", kind);
            return NULL;
        }
    }
    if (owner != NULL && pipc_owner_parse(owner, &f.uid) != PIPC_OK) return NULL;
    f.key = key;
    f.id = id;
    if (pipc_inspect_list(&f, what, &objs) != PIPC_OK) return NULL;
    char *s = pipc_objects_json(&objs);
    pipc_objects_free(&objs);
    return s;
}

char *pipc_inspect_limits_json(void) {
    pipc_limits_t lim;
    if (pipc_inspect_limits(&lim) != PIPC_OK) return NULL;
    return pipc_limits_json(&lim);
}
