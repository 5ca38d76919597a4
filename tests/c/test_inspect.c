/*
 * test_inspect.c — the host inspector of the core: enumeration fields,
 * filters, the leaked verdict, limits, the LimitError numbers, RemoveIPC.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "polyipc_inspect.h"
#include "test_assert.h"
#include "test_util.h"

static const pipc_object_t *find(const pipc_objects_t *o, int kind, int id) {
    for (size_t i = 0; i < o->count; i++)
        if (o->items[i].kind == kind && o->items[i].id == id) return &o->items[i];
    return NULL;
}

int test_inspect_list_fields(void) {
    pipc_sem_t s;
    pipc_shm_t m;
    pipc_msg_t q;
    ASSERT_OK(t_new_sem(&s, 3, 2));
    ASSERT_OK(t_new_shm(&m, 10000));
    ASSERT_OK(pipc_shm_attach(&m, 0, 0));
    ASSERT_OK(t_new_msg(&q));
    ASSERT_OK(pipc_msg_send(&q, 1, "hello", 5, 0));
    pipc_objects_t objs;
    ASSERT_OK(pipc_inspect_list(NULL, PIPC_INSPECT_ALL, &objs));
    const pipc_object_t *os = find(&objs, PIPC_KIND_SEM, s.id), *om = find(&objs, PIPC_KIND_SHM, m.id),
                        *oq = find(&objs, PIPC_KIND_MSG, q.id);
    ASSERT(os && om && oq);
    ASSERT_EQ(os->nsems, 3);
    ASSERT(os->sems != NULL);
    ASSERT_EQ(os->sems[2].value, 2);
    ASSERT_EQ(os->sems[0].pid, getpid());
    ASSERT_EQ(os->perms, 0600);
    ASSERT_EQ(os->last_alive, 1);
    ASSERT(!os->leaked);
    ASSERT_EQ(om->size, 10000);
    ASSERT_EQ(om->nattch, 1);
    ASSERT_EQ(om->cpid, getpid());
    ASSERT_EQ(om->creator_alive, 1);
    ASSERT_EQ(om->nattached, 1);
    ASSERT_EQ(om->attached[0].pid, getpid());
    char comm[32] = "";
    FILE *cf = fopen("/proc/self/comm", "r");
    ASSERT(cf != NULL && fgets(comm, sizeof comm, cf) != NULL);
    fclose(cf);
    comm[strcspn(comm, "\n")] = '\0';
    ASSERT_STR_EQ(om->attached[0].command, comm);
    ASSERT_EQ(oq->messages, 1);
    ASSERT_EQ(oq->used_bytes, 5);
    ASSERT_EQ(oq->lspid, getpid());
    ASSERT(oq->stime > 0 && oq->rtime == 0);
    ASSERT_EQ(oq->removeipc_risk, 0); /* root's objects are not at risk */
    pipc_objects_free(&objs);
    /* filters: kind, key, id, owner */
    pipc_filter_t f = PIPC_FILTER_ANY;
    f.kinds = PIPC_KIND_MSG;
    f.id = q.id;
    ASSERT_OK(pipc_inspect_list(&f, 0, &objs));
    ASSERT_EQ(objs.count, 1);
    ASSERT_EQ(objs.items[0].kind, PIPC_KIND_MSG);
    pipc_objects_free(&objs);
    f = PIPC_FILTER_ANY;
    f.uid = 4242;
    ASSERT_OK(pipc_inspect_list(&f, 0, &objs));
    ASSERT_EQ(objs.count, 0);
    pipc_objects_free(&objs);
    f = PIPC_FILTER_ANY;
    f.kinds = 8;
    ASSERT_INVALID(pipc_inspect_list(&f, 0, &objs));
    ASSERT_OK(pipc_shm_detach(&m));
    return 0;
}

/* A segment and a queue whose creator exited are leaked; ones in use are not. */
int test_inspect_leaked(void) {
    int ids[2] = {-1, -1};
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = t_fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        pipc_shm_t m;
        pipc_msg_t q;
        int out[2] = {-1, -1};
        if (pipc_shm_open(&m, 0, 4096, 0, 0600, -1) == PIPC_OK) out[0] = m.id;
        if (pipc_msg_open(&q, 0, 0, 0600, 64) == PIPC_OK) {
            out[1] = q.id;
            pipc_msg_send(&q, 1, "x", 1, 0);
        }
        if (write(fds[1], out, sizeof out) != sizeof out) _exit(1);
        _exit(0);
    }
    ASSERT_EQ(t_wait(pid), 0);
    ASSERT_EQ(read(fds[0], ids, sizeof ids), (ssize_t)sizeof ids);
    close(fds[0]);
    close(fds[1]);
    ASSERT(ids[0] >= 0 && ids[1] >= 0);
    t_cleanup_shm(ids[0]);
    t_cleanup_msg(ids[1]);
    pipc_shm_t live;
    ASSERT_OK(t_new_shm(&live, 4096));
    pipc_objects_t objs;
    ASSERT_OK(pipc_inspect_list(NULL, PIPC_INSPECT_DERIVED, &objs));
    const pipc_object_t *dead_shm = find(&objs, PIPC_KIND_SHM, ids[0]),
                        *dead_msg = find(&objs, PIPC_KIND_MSG, ids[1]),
                        *alive = find(&objs, PIPC_KIND_SHM, live.id);
    ASSERT(dead_shm && dead_msg && alive);
    ASSERT_EQ(dead_shm->creator_alive, 0);
    ASSERT(dead_shm->leaked);
    ASSERT_EQ(dead_msg->last_alive, 0);
    ASSERT(dead_msg->leaked);
    ASSERT_EQ(alive->creator_alive, 1);
    ASSERT(!alive->leaked);
    /* a threshold the idle time has not reached */
    ASSERT(!pipc_inspect_leaked(dead_shm, 3600));
    pipc_objects_free(&objs);
    return 0;
}

int test_inspect_limits(void) {
    pipc_limits_t l;
    ASSERT_OK(pipc_inspect_limits(&l));
    char buf[64];
    FILE *f = fopen("/proc/sys/kernel/msgmni", "r");
    ASSERT(f != NULL);
    ASSERT(fgets(buf, sizeof buf, f) != NULL);
    fclose(f);
    ASSERT_EQ(l.msgmni, atoll(buf));
    ASSERT_EQ(l.semvmx, PIPC_SEMVMX);
    int before = (int)l.msg_queues;
    pipc_msg_t q;
    ASSERT_OK(t_new_msg(&q));
    ASSERT_OK(pipc_inspect_limits(&l));
    ASSERT_EQ(l.msg_queues, before + 1);
    pipc_limit_row_t rows[PIPC_LIMIT_ROWS];
    pipc_limit_rows(&l, rows);
    ASSERT_STR_EQ(rows[0].resource, "MSGMNI");
    ASSERT_EQ(rows[0].used, before + 1);
    char *j = pipc_inspect_limits_json();
    ASSERT(j != NULL);
    ASSERT_CONTAINS(j, "\"resource\":\"SEMMNI\"");
    free(j);
    return 0;
}

/* The keys of the JSON objects at nesting `depth` (1: the outermost object or
 * the array's elements when json is an array ... ), in order, joined by
 * spaces into out. Strings may hold escapes (commands). */
static void json_keys(const char *json, int depth, char *out, size_t n) {
    int d = 0;
    size_t len = 0;
    out[0] = '\0';
    for (const char *p = json; *p; p++) {
        if (*p == '{' || *p == '[') {
            d++;
        } else if (*p == '}' || *p == ']') {
            d--;
        } else if (*p == '"') {
            const char *start = ++p;
            while (*p && *p != '"') p += (*p == '\\' && p[1]) ? 2 : 1;
            if (!*p) return;
            if (p[1] == ':' && d == depth && len + (size_t)(p - start) + 2 < n) {
                len += (size_t)snprintf(out + len, n - len, "%s%.*s", len ? " " : "", (int)(p - start), start);
            }
        }
    }
}

/* The field list of a record table, as json_keys writes it, `times` times. */
#define FIELD_NAME(name, ...) " " #name
static void repeated(const char *fields, int times, char *out, size_t n) {
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < times; i++) len += (size_t)snprintf(out + len, n - len, "%s", fields + (len ? 0 : 1));
}

/* The JSON writer emits exactly the fields of the tables in polyipc_inspect.h
 * (PIPC_INSPECT_*_FIELDS), in their order, for every kind: the bindings
 * build their records from the tables. */
int test_inspect_json_fields(void) {
    static const char object[] = PIPC_INSPECT_OBJECT_FIELDS(FIELD_NAME),
                      semval[] = PIPC_INSPECT_SEMVAL_FIELDS(FIELD_NAME),
                      attacher[] = PIPC_INSPECT_ATTACHER_FIELDS(FIELD_NAME),
                      limit[] = PIPC_INSPECT_LIMIT_FIELDS(FIELD_NAME);
    char keys[2048], want[2048];
    pipc_sem_t s;
    pipc_shm_t m;
    pipc_msg_t q;
    ASSERT_OK(t_new_sem(&s, 2, 1));
    ASSERT_OK(t_new_shm(&m, 100));
    ASSERT_OK(pipc_shm_attach(&m, 0, 0));
    ASSERT_OK(t_new_msg(&q));
    pipc_objects_t objs;
    ASSERT_OK(pipc_inspect_list(NULL, PIPC_INSPECT_ALL, &objs));
    const pipc_object_t *os = find(&objs, PIPC_KIND_SEM, s.id), *om = find(&objs, PIPC_KIND_SHM, m.id),
                        *oq = find(&objs, PIPC_KIND_MSG, q.id);
    ASSERT(os && om && oq && os->sems != NULL && om->nattached == 1);
    const pipc_object_t *each[] = { os, om, oq };
    for (int i = 0; i < 3; i++) {
        char *j = pipc_object_json(each[i]);
        ASSERT(j != NULL);
        json_keys(j, 1, keys, sizeof keys);
        ASSERT_STR_EQ(keys, object + 1);
        json_keys(j, 3, keys, sizeof keys);
        repeated(each[i] == os ? semval : attacher, each[i] == os ? 2 : each[i] == om ? 1 : 0, want, sizeof want);
        ASSERT_STR_EQ(keys, want);
        free(j);
    }
    pipc_objects_free(&objs);
    char *j = pipc_inspect_limits_json();
    ASSERT(j != NULL);
    json_keys(j, 2, keys, sizeof keys);
    repeated(limit, PIPC_LIMIT_ROWS, want, sizeof want);
    ASSERT_STR_EQ(keys, want);
    free(j);
    /* the check can fail: a missing field is seen */
    json_keys("{\"kind\":\"sem\",\"i\\\"d\":1}", 1, keys, sizeof keys);
    ASSERT_STR_EQ(keys, "kind i\\\"d");
    ASSERT(strcmp(keys, object + 1) != 0);
    return 0;
}

/* The LimitError message states the real numbers and the sysctl. */
int test_inspect_limit_error_numbers(void) {
    if (!t_private_ipc_namespace() || geteuid() != 0) {
        printf("  skipped: needs root in a private IPC namespace (unshare --ipc)\n");
        return TEST_SKIP;
    }
    char saved[64];
    FILE *f = fopen("/proc/sys/kernel/msgmni", "r");
    ASSERT(f && fgets(saved, sizeof saved, f));
    fclose(f);
    pipc_limits_t l;
    ASSERT_OK(pipc_inspect_limits(&l));
    char want[128], lowered[32];
    snprintf(lowered, sizeof lowered, "%lld\n", (long long)l.msg_queues);
    f = fopen("/proc/sys/kernel/msgmni", "w");
    ASSERT(f != NULL);
    fputs(lowered, f);
    fclose(f);
    pipc_msg_t q;
    int rc = pipc_msg_open(&q, 0, 0, 0600, 64);
    pipc_error_t e = *pipc_error_last();
    if (rc == PIPC_OK) t_cleanup_msg(q.id);
    f = fopen("/proc/sys/kernel/msgmni", "w");
    ASSERT(f != NULL);
    fputs(saved, f);
    fclose(f);
    ASSERT_EQ(rc, PIPC_E_LIMIT);
    snprintf(want, sizeof want, "%lld of %lld message queues in use (kernel.msgmni)",
             (long long)l.msg_queues, (long long)l.msg_queues);
    ASSERT_CONTAINS(e.message, want);
    return 0;
}

static int write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (f == NULL) return -1;
    fputs(text, f);
    return fclose(f);
}

/* logind.conf and drop-ins under POLYIPC_ROOT decide RemoveIPC; the
 * ExistentialError of a regular user mentions it. */
int test_inspect_removeipc(void) {
    char root[] = "/tmp/pipc-root-XXXXXX", p[256];
    ASSERT(mkdtemp(root) != NULL);
    ASSERT_EQ(chmod(root, 0755), 0); /* readable by the uid-1000 child */
    setenv("POLYIPC_ROOT", root, 1);
    int none = pipc_removeipc_enabled(); /* no logind at all */
    snprintf(p, sizeof p, "%s/lib", root), mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/lib/systemd", root), mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/lib/systemd/systemd-logind", root), write_file(p, "");
    int dflt = pipc_removeipc_enabled(); /* logind, no config: its default */
    snprintf(p, sizeof p, "%s/etc", root), mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/etc/systemd", root), mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/etc/systemd/logind.conf", root);
    write_file(p, "[Login]\n#RemoveIPC=yes\nRemoveIPC = no\n");
    int off = pipc_removeipc_enabled();
    snprintf(p, sizeof p, "%s/etc/systemd/logind.conf.d", root), mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/etc/systemd/logind.conf.d/50-ipc.conf", root);
    write_file(p, "[Login]\nRemoveIPC=yes\n");
    int dropin = pipc_removeipc_enabled();
    /* the hint, from a regular user (uid 1000) whose queue is removed */
    int hinted = -1;
    pipc_msg_t q;
    ASSERT_OK(t_new_msg(&q));
    ASSERT_OK(pipc_msg_set_perm(&q, 1000, 1000, 0600));
    pid_t pid = t_fork();
    if (pid == 0) {
        if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000)) _exit(99);
        pipc_msg_remove(&q);
        int rc = pipc_msg_send(&q, 1, "x", 1, PIPC_IPC_NOWAIT);
        _exit(rc == PIPC_E_EXISTENTIAL &&
                      strstr(pipc_error_last()->message, "RemoveIPC=yes") != NULL
                  ? 0
                  : 1);
    }
    hinted = t_wait(pid);
    unsetenv("POLYIPC_ROOT");
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    ASSERT_EQ(system(cmd), 0);
    ASSERT_EQ(none, 0);
    ASSERT_EQ(dflt, 1);
    ASSERT_EQ(off, 0);
    ASSERT_EQ(dropin, 1);
    ASSERT(pipc_uid_is_regular(1000) || access("/etc/login.defs", F_OK) == 0);
    ASSERT(!pipc_uid_is_regular(0));
    ASSERT(!pipc_uid_is_regular(65534));
    ASSERT_EQ(hinted, 0);
    return 0;
}

/* Owners: pipc_owner_name gives a uid's user name (the uid in decimal when
 * the user database has none), also when uids alternate (its kept answer is
 * per uid); pipc_owner_parse takes a name or a decimal uid and refuses
 * anything else. (Names longer than 63 characters: tests/cli, which
 * bind-mounts a passwd file with such users.) */
int test_inspect_owner_names(void) {
    struct passwd *pw = getpwuid(0);
    ASSERT(pw != NULL);
    char root[256];
    snprintf(root, sizeof root, "%s", pw->pw_name);
    uint32_t none = 3999000;
    while (getpwuid(none) != NULL) none++;
    char none_text[16];
    snprintf(none_text, sizeof none_text, "%u", none);
    for (int i = 0; i < 3; i++) {
        ASSERT_STR_EQ(pipc_owner_name(0), root);
        ASSERT_STR_EQ(pipc_owner_name(0), root);
        ASSERT_STR_EQ(pipc_owner_name(none), none_text);
    }
    int64_t uid = -1;
    ASSERT_OK(pipc_owner_parse(root, &uid));
    ASSERT_EQ(uid, 0);
    ASSERT_OK(pipc_owner_parse(none_text, &uid));
    ASSERT_EQ(uid, (int64_t)none);
    ASSERT_OK(pipc_owner_parse("0", &uid));
    ASSERT_EQ(uid, 0);
    ASSERT_INVALID(pipc_owner_parse("", &uid));
    ASSERT_INVALID(pipc_owner_parse(NULL, &uid));
    ASSERT_INVALID(pipc_owner_parse("polyipc_no_such_user", &uid));
    ASSERT_INVALID(pipc_owner_parse("-1", &uid));
    ASSERT_INVALID(pipc_owner_parse("4294967295", &uid)); /* (uid_t)-1 is no uid */
    ASSERT_INVALID(pipc_owner_parse("12x", &uid));
    return 0;
}

/* The maps line of the mapping of `path` in /proc/self/maps (whole, without
 * its newline) into buf; the offset of the path in it into *path_at. */
static int maps_line_of(const char *path, char *buf, size_t n, size_t *path_at) {
    FILE *f = fopen("/proc/self/maps", "re");
    if (f == NULL) return -1;
    int found = -1;
    while (found < 0 && fgets(buf, (int)n, f)) {
        char *at = strstr(buf, path);
        if (at != NULL) {
            buf[strcspn(buf, "\n")] = '\0';
            *path_at = (size_t)(at - buf);
            found = 0;
        }
    }
    fclose(f);
    return found;
}

/* Makes the directories of `path` below `base` and the file itself (one page),
 * and maps it; the mapping into *map. */
static int map_new_file(const char *base, const char *path, void **map) {
    char dir[4096];
    size_t len = strlen(base);
    for (const char *p = path + len + 1; (p = strchr(p, '/')) != NULL; p++) {
        snprintf(dir, sizeof dir, "%.*s", (int)(p - path), path);
        if (mkdir(dir, 0700) < 0 && errno != EEXIST) return -1;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    int rc = ftruncate(fd, 4096);
    *map = rc == 0 ? mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
    close(fd);
    return *map == MAP_FAILED ? -1 : 0;
}

enum { READER_LINE = 1024 }; /* procfs.c's line buffer: fgets reads 1023 bytes */

/* The body of test_inspect_attachers_long_maps_line; its caller cleans up
 * `base` (a new directory), `path` and *map whatever this returns. */
static int long_maps_line_check(const pipc_shm_t *m, const char *base, char *path, void **map) {
    char fake[96], line[8192];
    snprintf(fake, sizeof fake, "x rw-s 0 0 %d /SYSV00000000", m->id);
    /* the path's offset in its maps line, from a first mapping */
    size_t path_at = 0;
    snprintf(path, 4096, "%s/probe", base);
    ASSERT_OK(map_new_file(base, path, map));
    ASSERT_OK(maps_line_of(path, line, sizeof line, &path_at));
    munmap(*map, 4096);
    *map = NULL;
    unlink(path);
    /* base/ddd.../ddd.../dd<fake>: <fake> starts at the line's byte READER_LINE - 1 */
    size_t pad = READER_LINE - 1 - path_at - strlen(base), used = strlen(base);
    while (pad > 0) {
        size_t part = pad > 201 ? 200 : pad; /* a '/' and a component (what is left: >= 2) */
        path[used++] = '/';
        memset(path + used, 'd', part - 1);
        used += part - 1;
        pad -= part;
    }
    snprintf(path + used, 4096 - used, "%s", fake);
    ASSERT_OK(map_new_file(base, path, map));
    ASSERT_OK(maps_line_of(path, line, sizeof line, &path_at));
    ASSERT(strlen(line) > READER_LINE);
    ASSERT(strncmp(line + READER_LINE - 1, fake, strlen(fake)) == 0); /* the trap is set */
    pipc_objects_t objs;
    ASSERT_OK(pipc_inspect_list(NULL, PIPC_INSPECT_ALL, &objs));
    const pipc_object_t *om = find(&objs, PIPC_KIND_SHM, m->id);
    int nattch = om ? (int)om->nattch : -1, nattached = om ? (int)om->nattached : -1;
    pipc_objects_free(&objs);
    ASSERT_EQ(nattch, 0);
    ASSERT_EQ(nattached, 0);
    return 0;
}

/* A maps line longer than the reader's line buffer: its rest is not read as a
 * line of its own. The path of a mapped file is made so that the rest, from
 * the buffer's end, reads as a SysV attachment of an unattached segment. */
int test_inspect_attachers_long_maps_line(void) {
    pipc_shm_t m;
    char base[] = "/tmp/pipc-maps-XXXXXX", path[4096] = "";
    void *map = NULL;
    ASSERT_OK(t_new_shm(&m, 4096));
    if (mkdtemp(base) == NULL) {
        pipc_shm_remove(&m);
        ASSERT(!"mkdtemp");
    }
    int rc = long_maps_line_check(&m, base, path, &map);
    if (map != NULL) munmap(map, 4096);
    if (path[0]) unlink(path);
    for (char *slash; (slash = strrchr(path, '/')) != NULL && slash > path + strlen(base);) {
        *slash = '\0';
        rmdir(path);
    }
    rmdir(base);
    ASSERT_OK(pipc_shm_remove(&m));
    return rc;
}
