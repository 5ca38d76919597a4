/*
 * polyipc — the command line of the host inspector: list, show, limits,
 * remove and export (Prometheus) the System V objects of this IPC namespace.
 * Everything it knows comes from the core (polyipc_inspect.h); this file only
 * parses arguments and formats. See polyipc(1) and docs/inspector.md.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "polyipc_inspect.h"

/* Exit codes (stable, documented in polyipc(1)). */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_NOT_FOUND = 3 };

static const char usage_text[] =
    "usage: polyipc <command> [options]\n"
    "\n"
    "Inspect the System V semaphore sets, shared memory segments and message\n"
    "queues of this IPC namespace.\n"
    "\n"
    "commands:\n"
    "  ls [-t KIND] [--owner USER] [--key KEY] [--leaked] [--older-than DUR] [--json]\n"
    "                      list objects (an aligned table, or JSON)\n"
    "  show [-t KIND] ID [--json]  (ID or KIND:ID)\n"
    "                      every field of the object(s) with this id, per-semaphore\n"
    "                      values and attached processes\n"
    "  limits [--json]     kernel limits, use and use%%, and the sysctl to raise\n"
    "  rm [-t KIND] ID...  remove these objects (ID or KIND:ID)\n"
    "  rm --leaked [-t KIND] [--owner USER] [--older-than DUR] [--dry-run]\n"
    "                      remove the objects judged leaked (never everything)\n"
    "  metrics             Prometheus text exposition (node_exporter textfile)\n"
    "\n"
    "options:\n"
    "  -t, --type KIND     sem, shm or msg\n"
    "  -u, --owner USER    a user name or uid\n"
    "  -k, --key KEY       a key (decimal, or 0x hex)\n"
    "  -l, --leaked        only objects judged leaked (see polyipc(1))\n"
    "  -o, --older-than DUR  idle at least DUR (e.g. 90s, 30m, 12h, 7d; default 0)\n"
    "  -n, --dry-run       rm: print what would be removed, remove nothing\n"
    "  -j, --json          JSON of schema %d (docs/inspector.md)\n"
    "  -h, --help          this help\n"
    "  -V, --version       the version\n"
    "\n"
    "exit codes: 0 success, 1 an operation failed, 2 usage error, 3 no such object\n";

typedef struct opts_t {
    pipc_filter_t filter;
    bool leaked, dry_run, json;
    int64_t older_than;
} opts_t;

static void die_usage(const char *fmt, const char *arg) {
    fprintf(stderr, "polyipc: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'polyipc --help'.\n");
    exit(EXIT_USAGE);
}

static void fail_core(const char *what) {
    fprintf(stderr, "polyipc: %s: %s\n", what, pipc_error_last()->message);
    exit(EXIT_FAIL);
}

/* "90", "90s", "30m", "12h", "7d" -> seconds; -1 when malformed. */
static int64_t parse_duration(const char *s) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || v < 0) return -1;
    int64_t mul = 1;
    if (*end == 's') mul = 1, end++;
    else if (*end == 'm') mul = 60, end++;
    else if (*end == 'h') mul = 3600, end++;
    else if (*end == 'd') mul = 86400, end++;
    if (*end != '\0' || v > INT64_MAX / mul) return -1;
    return (int64_t)v * mul;
}

static int64_t parse_uid(const char *s) {
    int64_t uid;
    if (pipc_owner_parse(s, &uid) != PIPC_OK) die_usage("no such user: %s", s);
    return uid;
}

static int64_t parse_key(const char *s) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (errno || end == s || *end) die_usage("not a key: %s", s);
    if (v > UINT32_MAX || v < INT32_MIN) die_usage("key out of range: %s", s);
    return v > INT32_MAX ? (int64_t)(int32_t)(uint32_t)v : v; /* 0xffffffff is -1 */
}

static int parse_kind(const char *s) {
    int k = pipc_kind_parse(s);
    if (k == 0) die_usage("unknown type '%s' (sem, shm or msg)", s);
    return k;
}

/* ---- formatting ------------------------------------------------------- */

static void perms_string(uint32_t mode, char out[10]) {
    const char *rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) out[i] = (mode & (0400u >> i)) ? rwx[i] : '-';
    out[9] = '\0';
}

static void human_duration(int64_t s, char *out, size_t n) {
    if (s < 120) snprintf(out, n, "%llds", (long long)s);
    else if (s < 7200) snprintf(out, n, "%lldm", (long long)(s / 60));
    else if (s < 172800) snprintf(out, n, "%lldh", (long long)(s / 3600));
    else snprintf(out, n, "%lldd", (long long)(s / 86400));
}

static void time_string(int64_t t, char *out, size_t n) {
    if (t <= 0) {
        snprintf(out, n, "never");
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%S%z", &tm);
}

static const char *tri(int v) { return v == PIPC_UNKNOWN ? "unknown" : v ? "yes" : "no"; }

static void print_json_envelope(const char *name, const char *array, int64_t now) {
    printf("{\"schema\":%d,\"version\":\"%s\",\"now\":%lld,\"%s\":%s}\n", PIPC_INSPECT_SCHEMA,
           pipc_version(), (long long)now, name, array);
}

/* Scans with the options' filter; keeps only leaked ones when asked. */
static void scan(const opts_t *o, int what, pipc_objects_t *objs) {
    if (pipc_inspect_list(&o->filter, what, objs) != PIPC_OK) fail_core("list");
    size_t k = 0;
    for (size_t i = 0; i < objs->count; i++) {
        pipc_object_t *it = &objs->items[i];
        bool keep = o->leaked ? pipc_inspect_leaked(it, o->older_than) : it->idle >= o->older_than;
        if (keep) {
            objs->items[k++] = *it;
        } else {
            free(it->sems);
            free(it->attached);
        }
    }
    objs->count = k;
}

/* ---- ls ---------------------------------------------------------------- */

enum { NCOLS = 10 };

static int cmd_ls(const opts_t *o) {
    pipc_objects_t objs;
    scan(o, PIPC_INSPECT_DERIVED, &objs);
    if (o->json) {
        char *j = pipc_objects_json(&objs);
        if (j == NULL) fail_core("json");
        print_json_envelope("objects", j, objs.now);
        free(j);
        pipc_objects_free(&objs);
        return EXIT_OK;
    }
    static const char *const head[NCOLS] = {"KIND", "ID", "KEY", "OWNER", "PERMS",
                                             "BYTES", "COUNT", "LPID", "IDLE", "LEAKED"};
    size_t rows = objs.count + 1;
    char(*cell)[NCOLS][24] = calloc(rows, sizeof *cell);
    int width[NCOLS] = {0};
    if (cell == NULL) {
        fprintf(stderr, "polyipc: out of memory\n");
        return EXIT_FAIL;
    }
    for (int c = 0; c < NCOLS; c++) snprintf(cell[0][c], 24, "%s", head[c]);
    for (size_t i = 0; i < objs.count; i++) {
        const pipc_object_t *it = &objs.items[i];
        char(*r)[24] = cell[i + 1];
        snprintf(r[0], 24, "%s", pipc_kind_name(it->kind));
        snprintf(r[1], 24, "%d", it->id);
        snprintf(r[2], 24, "0x%08x", (uint32_t)it->key);
        /* r[3], the owner, stays empty: see cell_text (a name may not fit a cell) */
        perms_string(it->perms, r[4]);
        int lpid = 0;
        switch (it->kind) {
        case PIPC_KIND_SHM:
            snprintf(r[5], 24, "%llu", (unsigned long long)it->size);
            snprintf(r[6], 24, "%llu", (unsigned long long)it->nattch);
            lpid = it->lpid;
            break;
        case PIPC_KIND_MSG:
            snprintf(r[5], 24, "%llu", (unsigned long long)it->used_bytes);
            snprintf(r[6], 24, "%llu", (unsigned long long)it->messages);
            lpid = it->lspid > it->lrpid ? it->lspid : it->lrpid;
            break;
        default:
            snprintf(r[5], 24, "-");
            snprintf(r[6], 24, "%d", it->nsems);
            for (int s = 0; it->sems && s < it->nsems; s++)
                if (it->sems[s].pid > lpid) lpid = it->sems[s].pid;
            break;
        }
        if (it->kind == PIPC_KIND_SEM && it->sems == NULL)
            snprintf(r[7], 24, "-");
        else
            snprintf(r[7], 24, "%d", lpid);
        human_duration(it->idle, r[8], 24);
        snprintf(r[9], 24, "%s", it->leaked ? "yes" : "no");
    }
    /* the text of row i, column c: the owner's name comes whole (any length) */
#define cell_text(i, c) ((c) == 3 && (i) > 0 ? pipc_owner_name(objs.items[(i) - 1].uid) : cell[i][c])
    for (size_t i = 0; i < rows; i++)
        for (int c = 0; c < NCOLS; c++) {
            int l = (int)strlen(cell_text(i, c));
            if (l > width[c]) width[c] = l;
        }
    for (size_t i = 0; i < rows; i++) {
        for (int c = 0; c < NCOLS; c++) {
            bool right = c == 1 || c == 5 || c == 6 || c == 7 || c == 8;
            const char *sep = c + 1 < NCOLS ? " " : "\n";
            if (c + 1 == NCOLS && !right)
                printf("%s%s", cell_text(i, c), sep);
            else
                printf(right ? "%*s%s" : "%-*s%s", width[c], cell_text(i, c), sep);
        }
    }
#undef cell_text
    free(cell);
    pipc_objects_free(&objs);
    return EXIT_OK;
}

/* ---- show -------------------------------------------------------------- */

static void show_one(const pipc_object_t *it) {
    char perms[10], t[64];
    perms_string(it->perms, perms);
    printf("%s %d\n", pipc_kind_name(it->kind), it->id);
    printf("  key            0x%08x (%d)\n", (uint32_t)it->key, (int)it->key);
    /* one name per printf: pipc_owner_name's answer lasts until its next call */
    printf("  owner          %s (uid %u, gid %u)\n", pipc_owner_name(it->uid), it->uid, it->gid);
    printf("  creator        %s (uid %u, gid %u)\n", pipc_owner_name(it->cuid), it->cuid, it->cgid);
    printf("  perms          %s (%04o)\n", perms, it->perms);
    time_string(it->ctime, t, sizeof t);
    printf("  ctime          %s\n", t);
    if (it->kind == PIPC_KIND_SHM) {
        printf("  size           %llu\n", (unsigned long long)it->size);
        printf("  nattch         %llu\n", (unsigned long long)it->nattch);
        printf("  cpid           %d (%s)\n", it->cpid, pipc_pid_alive(it->cpid) ? "alive" : "dead");
        printf("  lpid           %d%s\n", it->lpid,
               it->lpid <= 0 ? "" : pipc_pid_alive(it->lpid) ? " (alive)" : " (dead)");
        time_string(it->atime, t, sizeof t);
        printf("  atime          %s\n", t);
        time_string(it->dtime, t, sizeof t);
        printf("  dtime          %s\n", t);
        printf("  status        %s%s%s%s%s\n", it->dest ? " dest" : "", it->locked ? " locked" : "",
               it->hugetlb ? " hugetlb" : "", it->noreserve ? " noreserve" : "",
               it->dest || it->locked || it->hugetlb || it->noreserve ? "" : " -");
    } else if (it->kind == PIPC_KIND_MSG) {
        printf("  used_bytes     %llu\n", (unsigned long long)it->used_bytes);
        printf("  messages       %llu\n", (unsigned long long)it->messages);
        printf("  max_bytes      %llu\n", (unsigned long long)it->max_bytes);
        printf("  lspid          %d\n", it->lspid);
        printf("  lrpid          %d\n", it->lrpid);
        time_string(it->stime, t, sizeof t);
        printf("  stime          %s\n", t);
        time_string(it->rtime, t, sizeof t);
        printf("  rtime          %s\n", t);
    } else {
        printf("  nsems          %d\n", it->nsems);
        if (it->waiters >= 0) printf("  waiters        %d\n", it->waiters);
        time_string(it->otime, t, sizeof t);
        printf("  otime          %s\n", t);
        if (it->sems == NULL) {
            printf("  semaphores     (not readable)\n");
        } else {
            printf("  semaphores     %5s %6s %6s %6s %8s\n", "INDEX", "VALUE", "NCOUNT", "ZCOUNT", "PID");
            for (int s = 0; s < it->nsems; s++)
                printf("                 %5d %6d %6d %6d %8d\n", s, it->sems[s].value,
                       it->sems[s].ncount, it->sems[s].zcount, it->sems[s].pid);
        }
    }
    char d1[24], d2[24];
    human_duration(it->age, d1, sizeof d1);
    human_duration(it->idle, d2, sizeof d2);
    printf("  creator_alive  %s\n", tri(it->creator_alive));
    printf("  last_alive     %s\n", tri(it->last_alive));
    printf("  age            %s\n", d1);
    printf("  idle           %s\n", d2);
    printf("  leaked         %s\n", it->leaked ? "yes" : "no");
    printf("  removeipc_risk %s\n", tri(it->removeipc_risk));
    if (it->kind == PIPC_KIND_SHM) {
        printf("  attached       %s\n", it->attached && it->nattached ? "" : "none found in /proc");
        for (size_t a = 0; it->attached && a < it->nattached; a++)
            printf("                 %d %s\n", it->attached[a].pid, it->attached[a].command);
    }
}

/* An id argument: "ID" or "KIND:ID". */
static void parse_target(const char *arg, int default_kinds, int *kinds, int64_t *id) {
    const char *colon = strchr(arg, ':');
    const char *num = arg;
    *kinds = default_kinds;
    if (colon != NULL) {
        char k[32];
        size_t n = (size_t)(colon - arg);
        if (n >= sizeof k) die_usage("not an id: %s", arg);
        memcpy(k, arg, n);
        k[n] = '\0';
        *kinds = parse_kind(k);
        num = colon + 1;
    }
    char *end;
    errno = 0;
    long long v = strtoll(num, &end, 10);
    if (errno || end == num || *end || v < 0 || v > INT32_MAX) die_usage("not an id: %s", arg);
    *id = v;
}

static int cmd_show(opts_t *o, int argc, char **argv) {
    if (argc != 1) die_usage("show takes one id%s", "");
    int64_t id;
    parse_target(argv[0], o->filter.kinds, &o->filter.kinds, &id);
    o->filter.id = id;
    pipc_objects_t objs;
    if (pipc_inspect_list(&o->filter, PIPC_INSPECT_ALL, &objs) != PIPC_OK) fail_core("show");
    if (objs.count == 0) {
        fprintf(stderr, "polyipc: no object with id %s\n", argv[0]);
        pipc_objects_free(&objs);
        return EXIT_NOT_FOUND;
    }
    if (o->json) {
        char *j = pipc_objects_json(&objs);
        if (j == NULL) fail_core("json");
        print_json_envelope("objects", j, objs.now);
        free(j);
    } else {
        for (size_t i = 0; i < objs.count; i++) {
            if (i) printf("\n");
            show_one(&objs.items[i]);
        }
    }
    pipc_objects_free(&objs);
    return EXIT_OK;
}

/* ---- limits ------------------------------------------------------------ */

static int cmd_limits(const opts_t *o) {
    pipc_limits_t lim;
    if (pipc_inspect_limits(&lim) != PIPC_OK) fail_core("limits");
    if (o->json) {
        char *j = pipc_limits_json(&lim);
        if (j == NULL) fail_core("json");
        print_json_envelope("limits", j, (int64_t)time(NULL));
        free(j);
        return EXIT_OK;
    }
    pipc_limit_row_t rows[PIPC_LIMIT_ROWS];
    pipc_limit_rows(&lim, rows);
    printf("%-8s %-42s %20s %10s %8s  %s\n", "RESOURCE", "DESCRIPTION", "LIMIT", "USED", "USE%",
           "SYSCTL");
    for (int i = 0; i < PIPC_LIMIT_ROWS; i++) {
        char used[24] = "-", pct[16] = "-";
        if (rows[i].used >= 0) {
            snprintf(used, sizeof used, "%lld", (long long)rows[i].used);
            if (rows[i].limit > 0)
                snprintf(pct, sizeof pct, "%.2f%%", 100.0 * (double)rows[i].used / (double)rows[i].limit);
        }
        printf("%-8s %-42s %20llu %10s %8s  %s\n", rows[i].resource, rows[i].description,
               (unsigned long long)rows[i].limit, used, pct, rows[i].sysctl);
    }
    return EXIT_OK;
}

/* ---- rm ---------------------------------------------------------------- */

static int remove_one(const pipc_object_t *it, bool dry_run) {
    char perms[10];
    perms_string(it->perms, perms);
    printf("%s %s %d (key 0x%08x, owner %s, idle %llds%s)\n", dry_run ? "would remove" : "removed",
           pipc_kind_name(it->kind), it->id, (uint32_t)it->key, pipc_owner_name(it->uid),
           (long long)it->idle, it->leaked ? ", leaked" : "");
    if (dry_run) return PIPC_OK;
    int rc = it->kind == PIPC_KIND_SEM   ? pipc_sem_remove_id(it->id)
             : it->kind == PIPC_KIND_SHM ? pipc_shm_remove_id(it->id)
                                         : pipc_msg_remove_id(it->id);
    if (rc != PIPC_OK) {
        fflush(stdout);
        fprintf(stderr, "polyipc: %s\n", pipc_error_last()->message);
    }
    return rc;
}

static int cmd_rm(opts_t *o, int argc, char **argv) {
    int status = EXIT_OK;
    if (o->leaked) {
        if (argc != 0) die_usage("rm --leaked takes no ids%s", "");
        pipc_objects_t objs;
        scan(o, PIPC_INSPECT_DERIVED, &objs);
        for (size_t i = 0; i < objs.count; i++)
            if (remove_one(&objs.items[i], o->dry_run) != PIPC_OK) status = EXIT_FAIL;
        pipc_objects_free(&objs);
        return status;
    }
    if (argc == 0) die_usage("rm needs ids, or --leaked (polyipc never removes everything)%s", "");
    /* resolve every id first: nothing is removed when one is wrong */
    pipc_objects_t *found = calloc((size_t)argc, sizeof *found);
    if (found == NULL) fail_core("rm");
    for (int a = 0; a < argc && status == EXIT_OK; a++) {
        pipc_filter_t f = o->filter;
        int64_t id;
        parse_target(argv[a], o->filter.kinds, &f.kinds, &id);
        f.id = id;
        if (pipc_inspect_list(&f, PIPC_INSPECT_DERIVED, &found[a]) != PIPC_OK) fail_core("rm");
        if (found[a].count == 0) {
            fprintf(stderr, "polyipc: no object with id %s\n", argv[a]);
            status = EXIT_NOT_FOUND;
        } else if (found[a].count > 1) {
            fprintf(stderr, "polyipc: id %s names %zu objects of different kinds; use -t KIND or KIND:ID\n",
                    argv[a], found[a].count);
            status = EXIT_USAGE;
        }
    }
    for (int a = 0; a < argc; a++) {
        if (status == EXIT_OK || status == EXIT_FAIL)
            if (found[a].count == 1 && remove_one(&found[a].items[0], o->dry_run) != PIPC_OK)
                status = EXIT_FAIL;
        pipc_objects_free(&found[a]);
    }
    free(found);
    return status;
}

/* ---- metrics ----------------------------------------------------------- */

typedef struct group_t {
    int kind;
    uint32_t uid;
    uint64_t objects, bytes, leaked;
} group_t;

static void label_value(const char *s) {
    for (; *s; s++) {
        if (*s == '\\' || *s == '"') putchar('\\');
        if (*s == '\n') {
            fputs("\\n", stdout);
            continue;
        }
        putchar(*s);
    }
}

static int cmd_metrics(const opts_t *o) {
    pipc_objects_t objs;
    pipc_limits_t lim;
    if (pipc_inspect_list(&o->filter, PIPC_INSPECT_DERIVED, &objs) != PIPC_OK) fail_core("metrics");
    if (pipc_inspect_limits(&lim) != PIPC_OK) fail_core("metrics");
    group_t *g = calloc(objs.count + 1, sizeof *g);
    size_t ng = 0;
    uint64_t leaked[3] = {0};
    if (g == NULL) fail_core("metrics");
    for (size_t i = 0; i < objs.count; i++) {
        const pipc_object_t *it = &objs.items[i];
        size_t k;
        for (k = 0; k < ng; k++)
            if (g[k].kind == it->kind && g[k].uid == it->uid) break;
        if (k == ng) g[ng++] = (group_t){.kind = it->kind, .uid = it->uid};
        g[k].objects++;
        g[k].bytes += it->kind == PIPC_KIND_SHM ? it->size : it->kind == PIPC_KIND_MSG ? it->used_bytes : 0;
        if (it->leaked) {
            g[k].leaked++;
            leaked[it->kind == PIPC_KIND_SEM ? 0 : it->kind == PIPC_KIND_SHM ? 1 : 2]++;
        }
    }
    printf("# HELP polyipc_objects System V IPC objects in this IPC namespace, by kind and owner.\n");
    printf("# TYPE polyipc_objects gauge\n");
    for (size_t k = 0; k < ng; k++) {
        printf("polyipc_objects{kind=\"%s\",owner=\"", pipc_kind_name(g[k].kind));
        label_value(pipc_owner_name(g[k].uid));
        printf("\"} %llu\n", (unsigned long long)g[k].objects);
    }
    printf("# HELP polyipc_bytes Bytes held: segment sizes (shm) and queued message bytes (msg).\n");
    printf("# TYPE polyipc_bytes gauge\n");
    for (size_t k = 0; k < ng; k++) {
        if (g[k].kind == PIPC_KIND_SEM) continue;
        printf("polyipc_bytes{kind=\"%s\",owner=\"", pipc_kind_name(g[k].kind));
        label_value(pipc_owner_name(g[k].uid));
        printf("\"} %llu\n", (unsigned long long)g[k].bytes);
    }
    printf("# HELP polyipc_leaked_objects Objects judged leaked (no live user known; see polyipc(1)).\n");
    printf("# TYPE polyipc_leaked_objects gauge\n");
    for (int k = 0; k < 3; k++)
        printf("polyipc_leaked_objects{kind=\"%s\"} %llu\n", pipc_kind_name(1 << k),
               (unsigned long long)leaked[k]);
    pipc_limit_row_t rows[PIPC_LIMIT_ROWS];
    pipc_limit_rows(&lim, rows);
    printf("# HELP polyipc_limit Kernel System V IPC limit (IPC_INFO), by resource.\n");
    printf("# TYPE polyipc_limit gauge\n");
    for (int i = 0; i < PIPC_LIMIT_ROWS; i++)
        printf("polyipc_limit{resource=\"%s\"} %llu\n", rows[i].resource, (unsigned long long)rows[i].limit);
    printf("# HELP polyipc_used Current use of a kernel System V IPC limit (*_INFO), by resource.\n");
    printf("# TYPE polyipc_used gauge\n");
    for (int i = 0; i < PIPC_LIMIT_ROWS; i++)
        if (rows[i].used >= 0)
            printf("polyipc_used{resource=\"%s\"} %lld\n", rows[i].resource, (long long)rows[i].used);
    printf("# HELP polyipc_use_ratio Use of a kernel System V IPC limit, from 0 to 1.\n");
    printf("# TYPE polyipc_use_ratio gauge\n");
    for (int i = 0; i < PIPC_LIMIT_ROWS; i++)
        if (rows[i].used >= 0 && rows[i].limit > 0)
            printf("polyipc_use_ratio{resource=\"%s\"} %.6g\n", rows[i].resource,
                   (double)rows[i].used / (double)rows[i].limit);
    free(g);
    pipc_objects_free(&objs);
    return EXIT_OK;
}

/* ---- main -------------------------------------------------------------- */

static const char shortopts[] = "+t:u:k:lo:njhV";
static const struct option longopts[] = {
    {"type", required_argument, NULL, 't'},       {"owner", required_argument, NULL, 'u'},
    {"key", required_argument, NULL, 'k'},        {"leaked", no_argument, NULL, 'l'},
    {"older-than", required_argument, NULL, 'o'}, {"dry-run", no_argument, NULL, 'n'},
    {"json", no_argument, NULL, 'j'},             {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},          {NULL, 0, NULL, 0}};

/* Applies one option; exits for --help, --version and bad options. */
static void apply_option(opts_t *o, int c) {
    switch (c) {
    case 't': o->filter.kinds |= parse_kind(optarg); break;
    case 'u': o->filter.uid = parse_uid(optarg); break;
    case 'k': o->filter.key = parse_key(optarg); break;
    case 'l': o->leaked = true; break;
    case 'o':
        o->older_than = parse_duration(optarg);
        if (o->older_than < 0) die_usage("not a duration: %s (e.g. 90s, 30m, 12h, 7d)", optarg);
        break;
    case 'n': o->dry_run = true; break;
    case 'j': o->json = true; break;
    case 'h': printf(usage_text, PIPC_INSPECT_SCHEMA); exit(EXIT_OK);
    case 'V': printf("polyipc %s\n", pipc_version()); exit(EXIT_OK);
    default: fprintf(stderr, "Try 'polyipc --help'.\n"); exit(EXIT_USAGE);
    }
}

int main(int argc, char **argv) {
    opts_t o = {.filter = PIPC_FILTER_ANY};
    char **args = calloc((size_t)argc + 1, sizeof *args);
    const char *cmd = NULL;
    int nargs = 0, c;
    if (args == NULL) return EXIT_FAIL;
    /* options before and after the command, in any order with its arguments */
    while (optind < argc) {
        c = getopt_long(argc, argv, shortopts, longopts, NULL);
        if (c != -1) {
            apply_option(&o, c);
        } else if (optind < argc) {
            if (cmd == NULL) cmd = argv[optind++];
            else args[nargs++] = argv[optind++];
        }
    }
    if (cmd == NULL) die_usage("no command given%s", "");
    int rc;
    if (!strcmp(cmd, "ls") || !strcmp(cmd, "list")) {
        if (nargs) die_usage("ls takes no arguments: %s", args[0]);
        rc = cmd_ls(&o);
    } else if (!strcmp(cmd, "show")) {
        rc = cmd_show(&o, nargs, args);
    } else if (!strcmp(cmd, "limits")) {
        if (nargs) die_usage("limits takes no arguments: %s", args[0]);
        rc = cmd_limits(&o);
    } else if (!strcmp(cmd, "rm")) {
        rc = cmd_rm(&o, nargs, args);
    } else if (!strcmp(cmd, "metrics")) {
        if (nargs) die_usage("metrics takes no arguments: %s", args[0]);
        rc = cmd_metrics(&o);
    } else if (!strcmp(cmd, "help")) {
        printf(usage_text, PIPC_INSPECT_SCHEMA);
        rc = EXIT_OK;
    } else {
        die_usage("unknown command '%s'", cmd);
        rc = EXIT_USAGE;
    }
    free(args);
    if (fflush(stdout) != 0) return EXIT_FAIL;
    return rc;
}
