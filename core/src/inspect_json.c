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

/* Makes room for n more bytes (plus the NUL); false once an allocation failed. */
static bool reserve(sbuf_t *b, size_t n) {
    if (b->failed) return false;
    if (b->len + n < b->cap) return true;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap <= b->len + n) cap *= 2;
    char *s = realloc(b->s, cap);
    if (s == NULL) {
        b->failed = true;
        return false;
    }
    b->s = s;
    b->cap = cap;
    return true;
}

/* Appends n bytes (the hot path: no format parsing). */
static void put_raw(sbuf_t *b, const char *s, size_t n) {
    if (!reserve(b, n)) return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}
#define PUT_LIT(b, lit) put_raw((b), "" lit, sizeof(lit) - 1)

/* Appends a decimal integer. */
static void put_i64(sbuf_t *b, int64_t v) {
    char tmp[24], *p = tmp + sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *--p = '-';
    put_raw(b, p, (size_t)(tmp + sizeof tmp - p));
}
static void put_u64(sbuf_t *b, uint64_t u) {
    char tmp[24], *p = tmp + sizeof tmp;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    put_raw(b, p, (size_t)(tmp + sizeof tmp - p));
}

/* ,"name":value — `field` is the literal ',"name":' */
#define PUT_I64(b, field, v) (PUT_LIT(b, field), put_i64((b), (v)))
#define PUT_U64(b, field, v) (PUT_LIT(b, field), put_u64((b), (v)))

/* A JSON string of s (names and commands: escapes quotes, backslashes, controls). */
static void put_str(sbuf_t *b, const char *s) {
    PUT_LIT(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            put(b, "\\%c", c);
        else if (c < 0x20)
            put(b, "\\u%04x", c);
        else
            put_raw(b, s, 1);
    }
    PUT_LIT(b, "\"");
}

/* ,"name":<seconds> or null when 0 */
#define PUT_TIME(b, field, t)                                                                      \
    ((t) > 0 ? PUT_I64(b, field, (t)) : PUT_LIT(b, field "null"))

/* ,"name":true|false|null */
#define PUT_TRI(b, field, v)                                                                       \
    ((v) == PIPC_UNKNOWN ? PUT_LIT(b, field "null")                                                \
                         : (v) ? PUT_LIT(b, field "true") : PUT_LIT(b, field "false"))

const char *pipc__owner_name(uint32_t uid) {
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
    return last_name;
}

/* The owner of an object: its user name, or its uid in decimal. */
static void put_owner(sbuf_t *b, uint32_t uid) { put_str(b, pipc__owner_name(uid)); }

static void put_object(sbuf_t *b, const pipc_object_t *o) {
    bool shm = o->kind == PIPC_KIND_SHM, msg = o->kind == PIPC_KIND_MSG,
         sem = o->kind == PIPC_KIND_SEM;
    if (!reserve(b, 1024)) return; /* one object's usual size at once */
    PUT_LIT(b, "{\"kind\":\"");
    put_raw(b, pipc_kind_name(o->kind), 3);
    PUT_I64(b, "\",\"id\":", o->id);
    PUT_I64(b, ",\"key\":", o->key);
    PUT_LIT(b, ",\"owner\":");
    put_owner(b, o->uid);
    PUT_U64(b, ",\"uid\":", o->uid);
    PUT_U64(b, ",\"gid\":", o->gid);
    PUT_U64(b, ",\"cuid\":", o->cuid);
    PUT_U64(b, ",\"cgid\":", o->cgid);
    PUT_U64(b, ",\"perms\":", o->perms);
    PUT_TIME(b, ",\"ctime\":", o->ctime);
    if (shm) {
        PUT_U64(b, ",\"size\":", o->size);
        PUT_U64(b, ",\"nattch\":", o->nattch);
        PUT_I64(b, ",\"cpid\":", o->cpid);
        PUT_I64(b, ",\"lpid\":", o->lpid);
        PUT_TIME(b, ",\"atime\":", o->atime);
        PUT_TIME(b, ",\"dtime\":", o->dtime);
        PUT_LIT(b, ",\"status\":[");
        bool sep = false;
        if (o->dest) PUT_LIT(b, "\"dest\""), sep = true;
        if (o->locked) sep ? PUT_LIT(b, ",\"locked\"") : PUT_LIT(b, "\"locked\""), sep = true;
        if (o->hugetlb) sep ? PUT_LIT(b, ",\"hugetlb\"") : PUT_LIT(b, "\"hugetlb\""), sep = true;
        if (o->noreserve) sep ? PUT_LIT(b, ",\"noreserve\"") : PUT_LIT(b, "\"noreserve\"");
        PUT_LIT(b, "]");
    } else {
        PUT_LIT(b, ",\"size\":null,\"nattch\":null,\"cpid\":null,\"lpid\":null,\"atime\":null,"
                   "\"dtime\":null,\"status\":null");
    }
    if (msg) {
        PUT_U64(b, ",\"used_bytes\":", o->used_bytes);
        PUT_U64(b, ",\"messages\":", o->messages);
        PUT_U64(b, ",\"max_bytes\":", o->max_bytes);
        PUT_I64(b, ",\"lspid\":", o->lspid);
        PUT_I64(b, ",\"lrpid\":", o->lrpid);
        PUT_TIME(b, ",\"stime\":", o->stime);
        PUT_TIME(b, ",\"rtime\":", o->rtime);
    } else {
        PUT_LIT(b, ",\"used_bytes\":null,\"messages\":null,\"max_bytes\":null,\"lspid\":null,"
                   "\"lrpid\":null,\"stime\":null,\"rtime\":null");
    }
    if (sem) {
        PUT_I64(b, ",\"nsems\":", o->nsems);
        if (o->waiters >= 0)
            PUT_I64(b, ",\"waiters\":", o->waiters);
        else
            PUT_LIT(b, ",\"waiters\":null");
        PUT_TIME(b, ",\"otime\":", o->otime);
        if (o->sems != NULL) {
            PUT_LIT(b, ",\"semaphores\":[");
            for (int i = 0; i < o->nsems; i++) {
                if (i) PUT_LIT(b, ",");
                PUT_I64(b, "{\"value\":", o->sems[i].value);
                PUT_I64(b, ",\"ncount\":", o->sems[i].ncount);
                PUT_I64(b, ",\"zcount\":", o->sems[i].zcount);
                PUT_I64(b, ",\"pid\":", o->sems[i].pid);
                PUT_LIT(b, "}");
            }
            PUT_LIT(b, "]");
        } else {
            PUT_LIT(b, ",\"semaphores\":null");
        }
    } else {
        PUT_LIT(b, ",\"nsems\":null,\"waiters\":null,\"otime\":null,\"semaphores\":null");
    }
    PUT_TRI(b, ",\"creator_alive\":", o->creator_alive);
    PUT_TRI(b, ",\"last_alive\":", o->last_alive);
    PUT_I64(b, ",\"age\":", o->age);
    PUT_I64(b, ",\"idle\":", o->idle);
    o->leaked ? PUT_LIT(b, ",\"leaked\":true") : PUT_LIT(b, ",\"leaked\":false");
    PUT_TRI(b, ",\"removeipc_risk\":", o->removeipc_risk);
    if (o->attached != NULL) {
        PUT_LIT(b, ",\"attached\":[");
        for (size_t i = 0; i < o->nattached; i++) {
            if (i) PUT_LIT(b, ",");
            PUT_I64(b, "{\"pid\":", o->attached[i].pid);
            PUT_LIT(b, ",\"command\":");
            put_str(b, o->attached[i].command);
            PUT_LIT(b, "}");
        }
        PUT_LIT(b, "]}");
    } else {
        PUT_LIT(b, ",\"attached\":null}");
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
        if (i) PUT_LIT(&b, ",\n");
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
