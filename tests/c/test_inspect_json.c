/*
 * test_inspect_json.c — the inspector's JSON against its C records: every
 * field's value, read back from the JSON, is the value of its C member as the
 * field tables PIPC_INSPECT_*_FIELDS of polyipc_inspect.h say it is written
 * (kinds, how), for synthetic records (edge values) and a populated namespace.
 */
#define _GNU_SOURCE
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "polyipc_inspect.h"
#include "test_assert.h"
#include "test_util.h"

/* ---- reading JSON back (only what the writer produces) ------------------ */

/* The end of the JSON value that starts at p. */
static const char *json_skip(const char *p) {
    if (*p == '"') {
        for (p++; *p && *p != '"'; p += (*p == '\\' && p[1]) ? 2 : 1) continue;
        return *p ? p + 1 : p;
    }
    if (*p == '{' || *p == '[') {
        int depth = 0;
        while (*p) {
            if (*p == '"') {
                p = json_skip(p);
                continue;
            }
            if (*p == '{' || *p == '[') depth++;
            if ((*p == '}' || *p == ']') && --depth == 0) return p + 1;
            p++;
        }
        return p;
    }
    while (*p && *p != ',' && *p != '}' && *p != ']') p++;
    return p;
}

/* The value of `key` in the JSON object at obj, *n characters long; NULL when
 * absent. *count (when not NULL) receives the object's number of keys. */
static const char *json_get(const char *obj, const char *key, size_t *n, int *count) {
    const char *found = NULL, *p = obj + 1;
    size_t klen = strlen(key);
    int keys = 0;
    if (*obj != '{') return NULL;
    while (*p == '"') {
        const char *colon = json_skip(p);
        if (*colon != ':') return NULL;
        const char *end = json_skip(colon + 1);
        keys++;
        if (found == NULL && (size_t)(colon - p - 2) == klen && memcmp(p + 1, key, klen) == 0) {
            found = colon + 1;
            *n = (size_t)(end - found);
        }
        if (*end != ',') break;
        p = end + 1;
    }
    if (count) *count = keys;
    return found;
}

/* Element i of the JSON array at arr; NULL when it has fewer. */
static const char *json_elem(const char *arr, size_t i) {
    const char *p = arr + 1;
    if (*arr != '[' || *p == ']') return NULL;
    for (;; i--) {
        const char *end = json_skip(p);
        if (i == 0) return p;
        if (*end != ',') return NULL;
        for (p = end + 1; *p == '\n' || *p == ' '; p++) continue;
    }
}

static bool is_text(const char *v, size_t n, const char *want) {
    return strlen(want) == n && memcmp(v, want, n) == 0;
}
static bool is_int(const char *v, size_t n, long long want) {
    char s[32];
    snprintf(s, sizeof s, "%lld", want);
    return is_text(v, n, s);
}
static bool is_uint(const char *v, size_t n, unsigned long long want) {
    char s[32];
    snprintf(s, sizeof s, "%llu", want);
    return is_text(v, n, s);
}

/* Is the JSON string v (n characters) valid and, decoded, `want`? */
static bool is_string(const char *v, size_t n, const char *want) {
    if (n < 2 || v[0] != '"' || v[n - 1] != '"') return false;
    for (size_t i = 1; i < n - 1; i++, want++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c == '"') return false; /* must be escaped */
        if (c == '\\') {
            unsigned code;
            c = (unsigned char)v[++i];
            if (c == 'u' && i + 4 < n - 1 && sscanf(v + i + 1, "%4x", &code) == 1 && code < 0x80)
                c = (unsigned char)code, i += 4;
            else if (c == 'n')
                c = '\n';
            else if (c == 't')
                c = '\t';
            else if (c != '"' && c != '\\' && c != '/')
                return false;
        }
        if ((unsigned char)*want != c) return false;
    }
    return *want == '\0';
}

/* ---- the expectations, from the tables ---------------------------------- */

static const char *kind_name(int kind) {
    return kind == PIPC_KIND_SEM ? "sem" : kind == PIPC_KIND_SHM ? "shm" : kind == PIPC_KIND_MSG ? "msg" : NULL;
}
static const char *owner_name(uint32_t uid, char *buf, size_t n) {
    struct passwd *pw = getpwuid(uid);
    if (pw != NULL)
        snprintf(buf, n, "%s", pw->pw_name);
    else
        snprintf(buf, n, "%u", uid);
    return buf;
}
/* The status list as the writer writes it: the flags set, in table order. */
static bool is_status(const char *v, size_t n, const pipc_object_t *o) {
    char want[128] = "[";
#define STATUS_NAME(name)                                                                          \
    if (o->name) snprintf(want + strlen(want), sizeof want - strlen(want), "%s\"" #name "\"", want[1] ? "," : "");
    PIPC_INSPECT_STATUS_FLAGS(STATUS_NAME)
#undef STATUS_NAME
    strcat(want, "]");
    return is_text(v, n, want);
}

static int check_list_semaphores(const char *v, size_t n, const pipc_object_t *o, const char *what);
static int check_list_attached(const char *v, size_t n, const pipc_object_t *o, const char *what);

/* Is JSON value v (n characters) field `name` of record r, written as `how`? */
#define OK_INT(v, n, r, name) is_int(v, n, (long long)(r)->name)
#define OK_UINT(v, n, r, name) is_uint(v, n, (unsigned long long)(r)->name)
#define OK_INT_OR_NULL(v, n, r, name) ((r)->name >= 0 ? OK_INT(v, n, r, name) : is_text(v, n, "null"))
#define OK_TIME(v, n, r, name) ((r)->name > 0 ? OK_INT(v, n, r, name) : is_text(v, n, "null"))
#define OK_TRI(v, n, r, name)                                                                      \
    is_text(v, n, (r)->name == PIPC_UNKNOWN ? "null" : (r)->name ? "true" : "false")
#define OK_BOOL(v, n, r, name) is_text(v, n, (r)->name ? "true" : "false")
#define OK_STR(v, n, r, name) is_string(v, n, (r)->name)
#define OK_KIND(v, n, r, name)                                                                     \
    (kind_name((r)->name) ? is_string(v, n, kind_name((r)->name)) : is_text(v, n, "null"))
#define OK_OWNER(v, n, r, name) is_string(v, n, owner_name((r)->uid, buf, sizeof buf))
#define OK_STATUS(v, n, r, name) is_status(v, n, r)
#define OK_LIST(v, n, r, name) (check_list_##name(v, n, r, what) == 0)

#define IN_ALL(r) 1
#define IN_SEM(r) ((r)->kind == PIPC_KIND_SEM)
#define IN_SHM(r) ((r)->kind == PIPC_KIND_SHM)
#define IN_MSG(r) ((r)->kind == PIPC_KIND_MSG)

/* Field `name` of record r is in the JSON object `json` with its value, or
 * null when the record's kind lacks it. */
#define CHECK_FIELD(name, kinds, how)                                                              \
    {                                                                                              \
        size_t n_ = 0;                                                                             \
        const char *v_ = json_get(json, #name, &n_, NULL);                                         \
        if (v_ == NULL) TEST_FAIL_("%s: no key \"%s\" in %s", what, #name, json);                  \
        if (!(IN_##kinds(r) ? OK_##how(v_, n_, r, name) : is_text(v_, n_, "null")))                \
            TEST_FAIL_("%s: \"%s\" (%s, %s) is %.*s", what, #name, #kinds, #how, (int)n_, v_);     \
    }
#define COUNT_FIELD(name, kinds, how) +1

/* ... and the object has no other key. */
#define CHECK_KEY_COUNT(table)                                                                     \
    {                                                                                              \
        int keys = 0;                                                                              \
        size_t n_;                                                                                 \
        json_get(json, "", &n_, &keys);                                                            \
        if (keys != 0 table(COUNT_FIELD)) TEST_FAIL_("%s: %d keys in %s", what, keys, json);       \
    }

static int check_semval(const char *json, const pipc_semval_t *r, const char *what) {
    PIPC_INSPECT_SEMVAL_FIELDS(CHECK_FIELD)
    CHECK_KEY_COUNT(PIPC_INSPECT_SEMVAL_FIELDS)
    return 0;
}

static int check_attacher(const char *json, const pipc_attacher_t *r, const char *what) {
    PIPC_INSPECT_ATTACHER_FIELDS(CHECK_FIELD)
    CHECK_KEY_COUNT(PIPC_INSPECT_ATTACHER_FIELDS)
    return 0;
}

static int check_limit(const char *json, const pipc_limit_row_t *r, const char *what) {
    PIPC_INSPECT_LIMIT_FIELDS(CHECK_FIELD)
    CHECK_KEY_COUNT(PIPC_INSPECT_LIMIT_FIELDS)
    return 0;
}

static int check_object(const char *json, const pipc_object_t *r, const char *what) {
    char buf[64];
    PIPC_INSPECT_OBJECT_FIELDS(CHECK_FIELD)
    CHECK_KEY_COUNT(PIPC_INSPECT_OBJECT_FIELDS)
    return 0;
}

/* A list of `count` records at items (NULL: the JSON is null). */
#define CHECK_LIST(check, items, count)                                                            \
    if ((items) == NULL) {                                                                         \
        if (!is_text(v, n, "null")) TEST_FAIL_("%s: %.*s is not null", what, (int)n, v);           \
        return 0;                                                                                  \
    }                                                                                              \
    if (v[0] != '[' || json_skip(v) != v + n) TEST_FAIL_("%s: %.*s is not a list", what, (int)n, v); \
    for (size_t i = 0; i < (size_t)(count); i++) {                                                 \
        const char *e = json_elem(v, i);                                                           \
        if (e == NULL) TEST_FAIL_("%s: %.*s lacks element %zu", what, (int)n, v, i);               \
        if (check(e, &(items)[i], what)) return 1;                                                 \
    }                                                                                              \
    if (json_elem(v, (size_t)(count)) != NULL) TEST_FAIL_("%s: %.*s is too long", what, (int)n, v); \
    return 0;

static int check_list_semaphores(const char *v, size_t n, const pipc_object_t *o, const char *what) {
    CHECK_LIST(check_semval, o->sems, o->nsems)
}

static int check_list_attached(const char *v, size_t n, const pipc_object_t *o, const char *what) {
    CHECK_LIST(check_attacher, o->attached, o->nattached)
}

/* pipc_object_json(o) and pipc_objects_json of objs[0..count) match the records. */
static int check_objects(const pipc_object_t *objs, size_t count, const char *what) {
    char label[96];
    for (size_t i = 0; i < count; i++) {
        char *j = pipc_object_json(&objs[i]);
        ASSERT(j != NULL);
        const char *kind = kind_name(objs[i].kind);
        snprintf(label, sizeof label, "%s, object %zu (%s %d)", what, i, kind ? kind : "?", objs[i].id);
        int rc = check_object(j, &objs[i], label);
        free(j);
        if (rc) return rc;
    }
    pipc_objects_t all = {(pipc_object_t *)objs, count, 0};
    char *j = pipc_objects_json(&all);
    ASSERT(j != NULL && json_skip(j) == j + strlen(j));
    for (size_t i = 0; i <= count; i++) {
        const char *e = json_elem(j, i);
        snprintf(label, sizeof label, "%s, element %zu of the array", what, i);
        if (i == count ? e != NULL : e == NULL || check_object(e, &objs[i], label)) {
            free(j);
            TEST_FAIL_("%s: the array does not match", label);
        }
    }
    free(j);
    return 0;
}

/* Records with edge values: every status bit, unknown tri-states, negative
 * and extreme numbers, times 0 and negative, escapes in commands, empty and
 * NULL lists, fields of another kind set (the JSON must still say null). */
static pipc_semval_t syn_sems[3] = {{-1, 2, 3, 2147483647}, {0, 0, 0, 0}, {32767, 0, 5, 1}};
static pipc_attacher_t syn_attached[3] = {{1, "a\"b\\c"}, {-5, "\x01tab\there\n\x1f\xc3\xa9"}, {0, ""}};
static const pipc_object_t syn[] = {
    {.kind = PIPC_KIND_SHM, .id = 7, .key = INT32_MIN, .uid = 4294967294u, .gid = 123456, .cuid = 1,
     .cgid = 2, .perms = 0777, .ctime = -5, .size = UINT64_MAX, .nattch = 0, .cpid = -1,
     .lpid = 2147483647, .atime = 1, .dtime = 0, .dest = true, .locked = true, .hugetlb = true,
     .noreserve = true, .used_bytes = 9, .nsems = 4, .waiters = 3, .creator_alive = PIPC_UNKNOWN,
     .last_alive = 1, .age = INT64_MIN, .idle = INT64_MAX, .leaked = true, .removeipc_risk = 0,
     .attached = syn_attached, .nattached = 3},
    {.kind = PIPC_KIND_SHM, .hugetlb = true, .attached = syn_attached, .nattached = 0},
    {.kind = PIPC_KIND_SHM, .noreserve = true, .locked = true, .key = -1},
    {.kind = PIPC_KIND_SEM, .id = 2147483647, .nsems = 3, .sems = syn_sems, .waiters = -1, .otime = 99,
     .creator_alive = 0, .last_alive = PIPC_UNKNOWN, .removeipc_risk = PIPC_UNKNOWN, .size = 5,
     .stime = 5, .dest = true},
    {.kind = PIPC_KIND_SEM, .nsems = 5, .sems = NULL, .waiters = 0, .uid = 65534},
    {.kind = PIPC_KIND_MSG, .used_bytes = UINT64_MAX, .messages = 1, .max_bytes = 16384, .lspid = -3,
     .lrpid = 4, .stime = 1700000000, .rtime = -1, .attached = syn_attached, .nattached = 1,
     .otime = 3, .nattch = 2, .sems = syn_sems},
    {.kind = 0, .id = 1},
};

/* The JSON writer writes every field of the tables as they say (kinds,
 * how), for every kind, nested records and limits. */
int test_inspect_json_values(void) {
    size_t nsyn = sizeof syn / sizeof *syn;
    ASSERT_EQ(check_objects(syn, nsyn, "synthetic"), 0);

    /* a populated namespace: a set with a waiter, an attached segment, a
     * removed-but-attached one, a queue with messages */
    pipc_sem_t s;
    pipc_shm_t m, dest;
    pipc_msg_t q;
    int64_t values[3] = {5, 0, 7};
    ASSERT_OK(t_new_sem(&s, 3, 0));
    ASSERT_OK(pipc_sem_set_all(&s, values, 3));
    ASSERT_OK(t_new_shm(&m, 4096));
    ASSERT_OK(pipc_shm_attach(&m, 0, 0));
    ASSERT_OK(t_new_shm(&dest, 100));
    ASSERT_OK(pipc_shm_attach(&dest, 0, 0));
    ASSERT_OK(pipc_shm_remove(&dest));
    ASSERT_OK(t_new_msg(&q));
    for (int i = 0; i < 3; i++) ASSERT_OK(pipc_msg_send(&q, 1 + i, "hello", 5, 0));
    pid_t pid = t_fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        double t = 15;
        _exit(pipc_sem_acquire(&s, 1, 1, &t) == PIPC_OK ? 0 : 1);
    }
    int waited = t_wait_for_waiters(&s, 1, false, 1);
    pipc_objects_t objs;
    int rc = pipc_inspect_list(NULL, PIPC_INSPECT_ALL, &objs);
    ASSERT_OK(pipc_sem_release(&s, 1, 1));
    ASSERT_EQ(t_wait(pid), 0);
    ASSERT_EQ(waited, 0);
    ASSERT_OK(rc);
    int seen = 0;
    for (size_t i = 0; i < objs.count; i++) {
        const pipc_object_t *o = &objs.items[i];
        if (o->kind == PIPC_KIND_SEM && o->id == s.id && o->waiters == 1 && o->sems != NULL) seen |= 1;
        if (o->kind == PIPC_KIND_SHM && o->id == m.id && o->nattached >= 1) seen |= 2;
        if (o->kind == PIPC_KIND_SHM && o->id == dest.id && o->dest) seen |= 4;
        if (o->kind == PIPC_KIND_MSG && o->id == q.id && o->messages == 3) seen |= 8;
    }
    rc = check_objects(objs.items, objs.count, "namespace");
    pipc_objects_free(&objs);
    ASSERT_OK(pipc_shm_detach(&dest));
    ASSERT_EQ(seen, 15); /* each made object listed, with its set-up state */
    ASSERT_EQ(rc, 0);

    /* the limit rows */
    pipc_limits_t lim;
    pipc_limit_row_t rows[PIPC_LIMIT_ROWS];
    ASSERT_OK(pipc_inspect_limits(&lim));
    pipc_limit_rows(&lim, rows);
    char *j = pipc_limits_json(&lim);
    ASSERT(j != NULL);
    for (size_t i = 0; i <= PIPC_LIMIT_ROWS; i++) {
        const char *e = json_elem(j, i);
        char label[32];
        snprintf(label, sizeof label, "limit row %zu", i);
        rc = i == PIPC_LIMIT_ROWS ? e != NULL : e == NULL || check_limit(e, &rows[i], label);
        if (rc) break;
    }
    free(j);
    ASSERT_EQ(rc, 0);

    /* the check can fail: a changed value, a missing or extra key, a bad escape */
    j = pipc_object_json(&syn[0]);
    ASSERT(j != NULL);
    char *p = strstr(j, "\"nattch\":0");
    ASSERT(p != NULL);
    p[9] = '1';
    fprintf(stderr, "  (expected failures of the self-check follow)\n");
    ASSERT(check_object(j, &syn[0], "changed nattch") != 0);
    p[9] = '0';
    ASSERT_EQ(check_object(j, &syn[0], "restored"), 0);
    memcpy(strstr(j, "\"cgid\""), "\"cgiX\"", 6);
    ASSERT(check_object(j, &syn[0], "renamed cgid") != 0);
    free(j);
    ASSERT(check_semval("{\"value\":-1,\"ncount\":2,\"zcount\":3,\"pid\":2147483647,\"x\":1}", &syn_sems[0],
                        "extra key") != 0);
    ASSERT_EQ(check_semval("{\"value\":-1,\"ncount\":2,\"zcount\":3,\"pid\":2147483647}", &syn_sems[0], "semval"), 0);
    ASSERT(check_attacher("{\"pid\":1,\"command\":\"a\"b\\\\c\"}", &syn_attached[0], "unescaped quote") != 0);
    ASSERT_EQ(check_attacher("{\"pid\":1,\"command\":\"a\\\"b\\\\c\"}", &syn_attached[0], "attacher"), 0);
    return 0;
}
