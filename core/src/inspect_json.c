/*
 * inspect_json.c — the inspector's one serialised form: JSON of schema
 * PIPC_INSPECT_SCHEMA (field list in docs/inspector.md). Used by the CLI's
 * --json and by every language binding. The records are written from the
 * field tables PIPC_INSPECT_*_FIELDS of polyipc_inspect.h: one entry there
 * is one field here.
 */
#include "internal.h"

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
    b->s[b->len] = '\0'; /* there is always room for it (reserve) */
    return b->s;
}

/* Makes room for n more bytes (plus the NUL); false once an allocation failed. */
static bool reserve(sbuf_t *b, size_t n) {
    if (b->len + n < b->cap) return !b->failed;
    if (b->failed) return false;
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

/* Appends n bytes (the hot path: no format parsing; finish adds the NUL). */
static inline void put_raw(sbuf_t *b, const char *s, size_t n) {
    if (b->len + n >= b->cap && !reserve(b, n)) return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
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

/* The owner of an object: its user name, or its uid in decimal. */
static void put_owner(sbuf_t *b, uint32_t uid) { put_str(b, pipc_owner_name(uid)); }

/* "sem", "shm" or "msg" (pipc_kind_name), or null for another kind. */
static void put_kind(sbuf_t *b, int kind) {
    const char *name = pipc_kind_name(kind);
    if (name == NULL) {
        PUT_LIT(b, "null");
        return;
    }
    PUT_LIT(b, "\"");
    put_raw(b, name, strlen(name)); /* no character to escape */
    PUT_LIT(b, "\"");
}

/* Turns the comma that begins what was written since offset `at` into
 * `open` (or appends `open` when nothing was), then appends `close`: records
 * and the status list write each element with a leading comma. */
static void enclose(sbuf_t *b, size_t at, char open, char close) {
    if (b->len == at)
        put_raw(b, &open, 1);
    else if (!b->failed)
        b->s[at] = open;
    put_raw(b, &close, 1);
}

/* The names of the status bits set (PIPC_INSPECT_STATUS_FLAGS), as a list. */
static void put_status(sbuf_t *b, const pipc_object_t *o) {
    size_t at = b->len;
#define PUT_FLAG(name)                                                                             \
    if (o->name) PUT_LIT(b, ",\"" #name "\"");
    PIPC_INSPECT_STATUS_FLAGS(PUT_FLAG)
#undef PUT_FLAG
    enclose(b, at, '[', ']');
}

/* ---- the records, from the tables PIPC_INSPECT_*_FIELDS --------------- */

/* How each `how` of the tables writes the value of field `name` of record r. */
#define PUT_INT(b, r, name) put_i64((b), (r)->name)
#define PUT_UINT(b, r, name) put_u64((b), (r)->name)
#define PUT_INT_OR_NULL(b, r, name) ((r)->name >= 0 ? put_i64((b), (r)->name) : PUT_LIT(b, "null"))
#define PUT_TIME(b, r, name) ((r)->name > 0 ? put_i64((b), (r)->name) : PUT_LIT(b, "null"))
#define PUT_TRI(b, r, name)                                                                        \
    ((r)->name == PIPC_UNKNOWN ? PUT_LIT(b, "null") : (r)->name ? PUT_LIT(b, "true") : PUT_LIT(b, "false"))
#define PUT_BOOL(b, r, name) ((r)->name ? PUT_LIT(b, "true") : PUT_LIT(b, "false"))
#define PUT_STR(b, r, name) put_str((b), (r)->name)
#define PUT_KIND(b, r, name) put_kind((b), (r)->name)
#define PUT_OWNER(b, r, name) put_owner((b), (r)->uid)
#define PUT_STATUS(b, r, name) put_status((b), (r))
#define PUT_LIST(b, r, name) put_list_##name((b), (r))

/* Does record r have the fields of `kinds`? (Only objects have kinds other than ALL.) */
#define IN_ALL(r) 1
#define IN_SEM(r) ((r)->kind == PIPC_KIND_SEM)
#define IN_SHM(r) ((r)->kind == PIPC_KIND_SHM)
#define IN_MSG(r) ((r)->kind == PIPC_KIND_MSG)

/* One field of record r: ,"name":value, or ,"name":null in a record of
 * another kind (the record's first comma becomes its '{', see enclose). */
#define PUT_FIELD(name, kinds, how)                                                                \
    if (IN_##kinds(r)) {                                                                           \
        PUT_LIT(b, ",\"" #name "\":");                                                             \
        PUT_##how(b, r, name);                                                                     \
    } else {                                                                                       \
        PUT_LIT(b, ",\"" #name "\":null");                                                         \
    }

/* The C type of each `how` (checked at compile time against every member a
 * table names, so that a signed member cannot be written as UINT). */
#define TYPE_OK_INT(x) _Generic((x), int: 1, long: 1, long long: 1, default: 0)
#define TYPE_OK_UINT(x) _Generic((x), unsigned: 1, unsigned long: 1, unsigned long long: 1, default: 0)
#define TYPE_OK_INT_OR_NULL TYPE_OK_INT
#define TYPE_OK_TIME(x) (TYPE_OK_INT(x) && sizeof(x) == 8)
#define TYPE_OK_TRI(x) _Generic((x), int: 1, default: 0)
#define TYPE_OK_BOOL(x) _Generic((x), bool: 1, default: 0)
#define TYPE_OK_STR(x) _Generic((x), char *: 1, const char *: 1, default: 0)
#define TYPE_OK_KIND(x) _Generic((x), int: 1, default: 0)
#define TYPE_OK_OWNER(x) 1  /* reads uid */
#define TYPE_OK_STATUS(x) 1 /* reads PIPC_INSPECT_STATUS_FLAGS */
#define TYPE_OK_LIST(x) 1   /* put_list_<name> */
#define CHECK_TYPE(T, name, how)                                                                   \
    _Static_assert(TYPE_OK_##how(((T *)0)->name), #T "." #name " cannot be written as " #how);
#define CHECK_OBJECT(name, kinds, how) CHECK_TYPE(pipc_object_t, name, how)
#define CHECK_SEMVAL(name, kinds, how) CHECK_TYPE(pipc_semval_t, name, how)
#define CHECK_ATTACHER(name, kinds, how) CHECK_TYPE(pipc_attacher_t, name, how)
#define CHECK_LIMIT(name, kinds, how) CHECK_TYPE(pipc_limit_row_t, name, how)
PIPC_INSPECT_OBJECT_FIELDS(CHECK_OBJECT)
PIPC_INSPECT_SEMVAL_FIELDS(CHECK_SEMVAL)
PIPC_INSPECT_ATTACHER_FIELDS(CHECK_ATTACHER)
PIPC_INSPECT_LIMIT_FIELDS(CHECK_LIMIT)

static void put_semval(sbuf_t *b, const pipc_semval_t *r) {
    size_t at = b->len;
    PIPC_INSPECT_SEMVAL_FIELDS(PUT_FIELD)
    enclose(b, at, '{', '}');
}

static void put_attacher(sbuf_t *b, const pipc_attacher_t *r) {
    size_t at = b->len;
    PIPC_INSPECT_ATTACHER_FIELDS(PUT_FIELD)
    enclose(b, at, '{', '}');
}

static void put_limit(sbuf_t *b, const pipc_limit_row_t *r) {
    size_t at = b->len;
    PIPC_INSPECT_LIMIT_FIELDS(PUT_FIELD)
    enclose(b, at, '{', '}');
}

/* "semaphores": the nsems values, or null when not read. */
static void put_list_semaphores(sbuf_t *b, const pipc_object_t *o) {
    if (o->sems == NULL) {
        PUT_LIT(b, "null");
        return;
    }
    PUT_LIT(b, "[");
    for (int i = 0; i < o->nsems; i++) {
        if (i) PUT_LIT(b, ",");
        put_semval(b, &o->sems[i]);
    }
    PUT_LIT(b, "]");
}

/* "attached": the processes attaching a segment, or null when not scanned. */
static void put_list_attached(sbuf_t *b, const pipc_object_t *o) {
    if (o->attached == NULL) {
        PUT_LIT(b, "null");
        return;
    }
    PUT_LIT(b, "[");
    for (size_t i = 0; i < o->nattached; i++) {
        if (i) PUT_LIT(b, ",");
        put_attacher(b, &o->attached[i]);
    }
    PUT_LIT(b, "]");
}

static void put_object(sbuf_t *b, const pipc_object_t *r) {
    if (!reserve(b, 1024)) return; /* one object's usual size at once */
    size_t at = b->len;
    PIPC_INSPECT_OBJECT_FIELDS(PUT_FIELD)
    enclose(b, at, '{', '}');
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
    PUT_LIT(&b, "[");
    for (size_t i = 0; objs != NULL && i < objs->count; i++) {
        if (i) PUT_LIT(&b, ",\n");
        put_object(&b, &objs->items[i]);
    }
    PUT_LIT(&b, "]");
    return finish(&b);
}

char *pipc_limits_json(const pipc_limits_t *lim) {
    pipc_limit_row_t rows[PIPC_LIMIT_ROWS];
    sbuf_t b = {0};
    pipc_limit_rows(lim, rows);
    PUT_LIT(&b, "[");
    for (int i = 0; i < PIPC_LIMIT_ROWS; i++) {
        if (i) PUT_LIT(&b, ",\n");
        put_limit(&b, &rows[i]);
    }
    PUT_LIT(&b, "]");
    return finish(&b);
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
