/*
 * test_leak.c — the leak guard of the core (pipc_leak_snapshot_*): what is
 * new since a snapshot is found, reported with its kind, id, key and owner,
 * and removed; removed segments still attached and older objects are not.
 * The runner runs one test at a time, so the namespace holds only what the
 * test makes (run under unshare --ipc).
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

/* "<kind> <id> (key 0x<key>, owner <this process's user>)" */
static const char *described(char *buf, size_t n, const char *kind, int id, int32_t key) {
    struct passwd *pw = getpwuid(geteuid());
    char uid[16];
    snprintf(uid, sizeof uid, "%u", (unsigned)geteuid());
    snprintf(buf, n, "%s %d (key 0x%08x, owner %s)", kind, id, (unsigned)(uint32_t)key,
             pw ? pw->pw_name : uid);
    return buf;
}

/* A leaked set is found, reported with its id, key and owner, and removed;
 * a second check finds nothing. */
int test_leak_found_reported_removed(void) {
    pipc_leak_snapshot_t *snap = NULL;
    pipc_sem_t s;
    char *report = NULL, want[256];
    ASSERT_OK(pipc_leak_snapshot_take(&snap));
    ASSERT(snap != NULL);
    ASSERT_OK(pipc_sem_open(&s, PIPC_KEY_RANDOM, 1, PIPC_IPC_CREX, 0600, 0));
    t_cleanup_sem(s.id);
    ASSERT_OK(pipc_leak_snapshot_check(snap, PIPC_LEAK_REMOVE, &report));
    ASSERT(report != NULL);
    snprintf(want, sizeof want, "left 1 new System V object(s) behind: %s",
             described((char[160]){0}, 160, "sem", s.id, s.key));
    ASSERT_STR_EQ(report, want);
    free(report);
    pipc_sem_info_t info;
    ASSERT_FAILS(pipc_sem_stat(&s, &info), PIPC_E_EXISTENTIAL, -1); /* removed */
    report = (char *)1;
    ASSERT_OK(pipc_leak_snapshot_check(snap, PIPC_LEAK_REMOVE, &report));
    ASSERT(report == NULL);
    pipc_leak_snapshot_free(snap);
    return 0;
}

/* Every kind, in the report's order (sem, shm, msg); without
 * PIPC_LEAK_REMOVE they are reported and stay. */
int test_leak_every_kind_kept_without_remove(void) {
    pipc_leak_snapshot_t *snap = NULL;
    pipc_sem_t s;
    pipc_shm_t m;
    pipc_msg_t q;
    char *report = NULL, want[512], a[160], b[160], c[160];
    ASSERT_OK(pipc_leak_snapshot_take(&snap));
    ASSERT_OK(t_new_msg(&q));
    ASSERT_OK(t_new_shm(&m, 4096));
    ASSERT_OK(t_new_sem(&s, 2, 0));
    ASSERT_OK(pipc_leak_snapshot_check(snap, 0, &report));
    snprintf(want, sizeof want, "left 3 new System V object(s) behind: %s, %s, %s",
             described(a, sizeof a, "sem", s.id, 0), described(b, sizeof b, "shm", m.id, 0),
             described(c, sizeof c, "msg", q.id, 0));
    ASSERT_STR_EQ(report, want);
    free(report);
    pipc_objects_t left;
    ASSERT_OK(pipc_leak_snapshot_new(snap, PIPC_INSPECT_ALL, &left));
    ASSERT_EQ(left.count, 3); /* still there */
    ASSERT(left.items[0].sems != NULL); /* scanned as asked */
    ASSERT_EQ(left.items[0].sems[1].value, 0);
    ASSERT_EQ(left.items[2].kind, PIPC_KIND_MSG);
    ASSERT_EQ(left.items[2].id, q.id);
    pipc_objects_free(&left);
    pipc_leak_snapshot_free(snap);
    return 0;
}

/* A segment removed while still attached ("dest") is not reported: the
 * kernel frees it at its last detach. */
int test_leak_dest_segment_skipped(void) {
    pipc_leak_snapshot_t *snap = NULL;
    pipc_shm_t m;
    char *report = (char *)1;
    ASSERT_OK(pipc_leak_snapshot_take(&snap));
    ASSERT_OK(t_new_shm(&m, 4096));
    ASSERT_OK(pipc_shm_attach(&m, 0, 0));
    ASSERT_OK(pipc_shm_remove(&m));
    pipc_objects_t now;
    ASSERT_OK(pipc_inspect_list(NULL, 0, &now));
    ASSERT_EQ(now.count, 1); /* still listed, as dest */
    ASSERT(now.items[0].dest);
    pipc_objects_free(&now);
    ASSERT_OK(pipc_leak_snapshot_check(snap, PIPC_LEAK_REMOVE, &report));
    ASSERT(report == NULL);
    ASSERT_OK(pipc_shm_detach(&m));
    pipc_leak_snapshot_free(snap);
    return 0;
}

/* An object made before the snapshot is not reported (nor removed); with
 * nothing new there is no report. */
int test_leak_older_objects_not_reported(void) {
    pipc_leak_snapshot_t *snap = NULL;
    pipc_msg_t q;
    pipc_sem_t s;
    char *report = (char *)1;
    ASSERT_OK(t_new_msg(&q));
    ASSERT_OK(t_new_sem(&s, 2, 1));
    ASSERT_OK(pipc_leak_snapshot_take(&snap));
    ASSERT_OK(pipc_leak_snapshot_check(snap, PIPC_LEAK_REMOVE, &report));
    ASSERT(report == NULL);
    pipc_msg_info_t info;
    ASSERT_OK(pipc_msg_stat(&q, &info)); /* not removed */
    pipc_objects_t left;
    ASSERT_OK(pipc_leak_snapshot_new(snap, PIPC_INSPECT_ALL, &left)); /* what it skips is freed */
    ASSERT_EQ(left.count, 0);
    pipc_objects_free(&left);
    /* removed and made again: a new id, so new */
    ASSERT_OK(pipc_msg_remove(&q));
    ASSERT_OK(t_new_msg(&q));
    ASSERT_OK(pipc_leak_snapshot_check(snap, PIPC_LEAK_REMOVE, &report));
    ASSERT(report != NULL);
    char want[64];
    snprintf(want, sizeof want, "behind: msg %d (", q.id);
    ASSERT_CONTAINS(report, want);
    free(report);
    pipc_leak_snapshot_free(snap);
    return 0;
}

/* pipc_object_remove: removes, ignores one already gone, refuses a bad kind
 * or id; the arguments of the other calls are checked. */
int test_leak_remove_and_bad_args(void) {
    pipc_shm_t m;
    ASSERT_OK(t_new_shm(&m, 100));
    ASSERT_OK(pipc_object_remove(PIPC_KIND_SHM, m.id));
    pipc_shm_info_t info;
    ASSERT_FAILS(pipc_shm_stat(&m, &info), PIPC_E_EXISTENTIAL, -1);
    pipc_error_clear();
    ASSERT_OK(pipc_object_remove(PIPC_KIND_SHM, m.id)); /* already gone */
    ASSERT_EQ(pipc_error_last()->code, PIPC_OK);        /* nothing recorded */
    ASSERT_INVALID(pipc_object_remove(3, 0));
    ASSERT_INVALID(pipc_object_remove(PIPC_KIND_SEM, -1));
    ASSERT_INVALID(pipc_leak_snapshot_take(NULL));
    char *report = (char *)1;
    ASSERT_INVALID(pipc_leak_snapshot_check(NULL, 0, &report));
    ASSERT(report == NULL);
    pipc_objects_t objs;
    ASSERT_INVALID(pipc_leak_snapshot_new(NULL, 0, &objs));
    ASSERT_EQ(objs.count, 0);
    pipc_leak_snapshot_free(NULL);
    return 0;
}

/* A copy holds the same objects as its original and outlives it: an object
 * older than both is not new to the copy, one made after is. */
int test_leak_copy_outlives_original(void) {
    pipc_leak_snapshot_t *snap = NULL, *copy;
    pipc_sem_t old, s;
    char *report = NULL;
    ASSERT_OK(pipc_sem_open(&old, PIPC_KEY_RANDOM, 1, PIPC_IPC_CREX, 0600, 0));
    t_cleanup_sem(old.id);
    ASSERT_OK(pipc_leak_snapshot_take(&snap));
    copy = pipc_leak_snapshot_copy(snap);
    ASSERT(copy != NULL);
    pipc_leak_snapshot_free(snap);
    ASSERT_OK(pipc_sem_open(&s, PIPC_KEY_RANDOM, 1, PIPC_IPC_CREX, 0600, 0));
    t_cleanup_sem(s.id);
    ASSERT_OK(pipc_leak_snapshot_check(copy, 0, &report));
    char want[256];
    snprintf(want, sizeof want, "left 1 new System V object(s) behind: %s",
             described((char[160]){0}, 160, "sem", s.id, s.key));
    ASSERT_STR_EQ(report, want);
    free(report);
    pipc_leak_snapshot_free(copy);
    pipc_error_clear();
    ASSERT(pipc_leak_snapshot_copy(NULL) == NULL);
    ASSERT_EQ(pipc_error_last()->code, PIPC_E_INVALID_ARGUMENT);
    return 0;
}

static int remove_as_nobody(void *arg) {
    char *report = NULL;
    int rc = pipc_leak_snapshot_check(arg, PIPC_LEAK_REMOVE, &report);
    ASSERT_EQ(rc, PIPC_E_PERMISSIONS);
    ASSERT_EQ(pipc_error_last()->code, PIPC_E_PERMISSIONS);
    ASSERT_CONTAINS(report, "left 1 new System V object(s) behind: msg ");
    free(report);
    return 0;
}

/* A removal that fails (root's queue, removed by nobody) fails the check
 * with its error, and the report is still made. */
int test_leak_remove_fails_with_report(void) {
    pipc_leak_snapshot_t *snap = NULL;
    pipc_msg_t q;
    ASSERT_OK(pipc_leak_snapshot_take(&snap));
    ASSERT_OK(t_new_msg(&q));
    if (geteuid() != 0) {
        pipc_leak_snapshot_free(snap);
        return TEST_SKIP;
    }
    ASSERT_EQ(t_run_unprivileged(remove_as_nobody, snap), 0);
    pipc_msg_info_t info;
    ASSERT_OK(pipc_msg_stat(&q, &info)); /* still there */
    pipc_leak_snapshot_free(snap);
    return 0;
}
