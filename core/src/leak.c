/*
 * leak.c — the leak guard of test suites, written once for every language:
 * a snapshot of the (kind, id) of every object of the IPC namespace, the
 * objects new since it (removed segments still attached excepted), their
 * removal and the one-line report the guards fail a test with.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "polyipc_inspect.h"

/* One object of a snapshot. */
typedef struct leak_entry_t {
    int kind, id;
} leak_entry_t;

/* The entries, sorted by (kind, id) for bsearch. */
struct pipc_leak_snapshot_t {
    size_t count;
    leak_entry_t entries[];
};

static int entry_cmp(const void *a, const void *b) {
    const leak_entry_t *x = a, *y = b;
    if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static bool snapshot_has(const pipc_leak_snapshot_t *snap, int kind, int id) {
    leak_entry_t key = {kind, id};
    return bsearch(&key, snap->entries, snap->count, sizeof key, entry_cmp) != NULL;
}

int pipc_leak_snapshot_take(pipc_leak_snapshot_t **out) {
    pipc_objects_t objs;
    if (out == NULL) return pipc__invalid("leak snapshot: the output is NULL");
    *out = NULL;
    if (pipc_inspect_list(NULL, 0, &objs) != PIPC_OK) return pipc_error_last()->code;
    pipc_leak_snapshot_t *snap = malloc(sizeof *snap + objs.count * sizeof(leak_entry_t));
    if (snap == NULL) {
        pipc_objects_free(&objs);
        return pipc_error_set(PIPC_E_NO_MEMORY, ENOMEM, "leak snapshot: out of memory");
    }
    snap->count = objs.count;
    for (size_t i = 0; i < objs.count; i++)
        snap->entries[i] = (leak_entry_t){objs.items[i].kind, objs.items[i].id};
    pipc_objects_free(&objs);
    qsort(snap->entries, snap->count, sizeof(leak_entry_t), entry_cmp);
    *out = snap;
    return PIPC_OK;
}

void pipc_leak_snapshot_free(pipc_leak_snapshot_t *snap) { free(snap); }

pipc_leak_snapshot_t *pipc_leak_snapshot_copy(const pipc_leak_snapshot_t *snap) {
    if (snap == NULL) {
        pipc__invalid("leak snapshot: the snapshot is NULL");
        return NULL;
    }
    size_t size = sizeof *snap + snap->count * sizeof(leak_entry_t);
    pipc_leak_snapshot_t *copy = malloc(size);
    if (copy == NULL) {
        pipc_error_set(PIPC_E_NO_MEMORY, ENOMEM, "leak snapshot: out of memory");
        return NULL;
    }
    memcpy(copy, snap, size);
    return copy;
}

int pipc_leak_snapshot_new(const pipc_leak_snapshot_t *snap, int what, pipc_objects_t *out) {
    if (out == NULL) return pipc__invalid("leak snapshot: the output is NULL");
    *out = (pipc_objects_t){0};
    if (snap == NULL) return pipc__invalid("leak snapshot: the snapshot is NULL");
    if (pipc_inspect_list(NULL, what, out) != PIPC_OK) return pipc_error_last()->code;
    size_t kept = 0;
    for (size_t i = 0; i < out->count; i++) {
        pipc_object_t *o = &out->items[i];
        if (o->dest || snapshot_has(snap, o->kind, o->id)) {
            free(o->sems);
            free(o->attached);
            continue;
        }
        out->items[kept++] = *o;
    }
    out->count = kept;
    return PIPC_OK;
}

int pipc_object_remove(int kind, int64_t id) {
    pipc_error_t before = *pipc_error_last();
    int rc;
    switch (kind) {
    case PIPC_KIND_SEM: rc = pipc_sem_remove_id(id); break;
    case PIPC_KIND_SHM: rc = pipc_shm_remove_id(id); break;
    case PIPC_KIND_MSG: rc = pipc_msg_remove_id(id); break;
    default: return pipc__invalid("remove: unknown object kind %d", kind);
    }
    if (rc == PIPC_E_EXISTENTIAL) { /* already gone: no error, and the record as it was */
        pipc_error_restore(&before);
        return PIPC_OK;
    }
    return rc;
}

char *pipc_leak_report(const pipc_objects_t *objs) {
    if (objs == NULL) {
        pipc__invalid("leak report: the objects are NULL");
        return NULL;
    }
    /* one object: "sem " + id + " (key 0x" + 8 + ", owner " + name + "), ": 64 bytes
     * besides the name, which may be longer than the estimate (then it grows) */
    size_t cap = 64 + objs->count * 96, len;
    char *s = malloc(cap);
    if (s == NULL) goto no_memory;
    len = (size_t)snprintf(s, cap, "left %zu new System V object(s) behind: ", objs->count);
    for (size_t i = 0; i < objs->count; i++) {
        const pipc_object_t *o = &objs->items[i];
        const char *owner = pipc_owner_name(o->uid);
        for (;;) {
            size_t n = (size_t)snprintf(s + len, cap - len, "%s%s %d (key 0x%08x, owner %s)", i ? ", " : "",
                                        pipc_kind_name(o->kind), o->id, (unsigned)(uint32_t)o->key, owner);
            if (n < cap - len) {
                len += n;
                break;
            }
            char *grown = realloc(s, cap = 2 * cap + n);
            if (grown == NULL) goto no_memory;
            s = grown;
        }
    }
    return s;
no_memory:
    free(s);
    pipc_error_set(PIPC_E_NO_MEMORY, ENOMEM, "leak report: out of memory");
    return NULL;
}

int pipc_leak_snapshot_check(const pipc_leak_snapshot_t *snap, int flags, char **report) {
    pipc_objects_t left;
    pipc_error_t first = {0};
    int rc = PIPC_OK;
    if (report == NULL) return pipc__invalid("leak check: the report output is NULL");
    *report = NULL;
    if (pipc_leak_snapshot_new(snap, 0, &left) != PIPC_OK) return pipc_error_last()->code;
    if (left.count == 0) {
        pipc_objects_free(&left);
        return PIPC_OK;
    }
    for (size_t i = 0; (flags & PIPC_LEAK_REMOVE) && i < left.count; i++) {
        int r = pipc_object_remove(left.items[i].kind, left.items[i].id);
        if (r != PIPC_OK && rc == PIPC_OK) {
            rc = r;
            first = *pipc_error_last();
        }
    }
    *report = pipc_leak_report(&left);
    pipc_objects_free(&left);
    if (*report == NULL) return pipc_error_last()->code;
    if (rc != PIPC_OK) pipc_error_restore(&first);
    return rc;
}
