/*
 * procfs.c — what the inspector learns outside the IPC syscalls: process
 * liveness, the processes attaching a segment (/proc/<pid>/maps), the regular
 * user range (/etc/login.defs) and systemd-logind's RemoveIPC setting.
 */
#include "internal.h"

#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "polyipc_inspect.h"

bool pipc_pid_alive(int pid) {
    if (pid <= 0) return false;
    return kill(pid, 0) == 0 || errno == EPERM;
}

/* POLYIPC_ROOT + path, into buf. */
static const char *rooted(char *buf, size_t n, const char *path) {
    const char *root = getenv("POLYIPC_ROOT");
    snprintf(buf, n, "%s%s", root ? root : "", path);
    return buf;
}

bool pipc_uid_is_regular(uint32_t uid) {
    static long sys_uid_max = -2;
    long max = __atomic_load_n(&sys_uid_max, __ATOMIC_RELAXED);
    if (max == -2) {
        char path[4096], line[256];
        max = 999;
        FILE *f = fopen(rooted(path, sizeof path, "/etc/login.defs"), "re");
        if (f != NULL) {
            while (fgets(line, sizeof line, f)) {
                long v;
                if (sscanf(line, " SYS_UID_MAX %ld", &v) == 1) max = v;
            }
            fclose(f);
        }
        __atomic_store_n(&sys_uid_max, max, __ATOMIC_RELAXED);
    }
    return (long)uid > max && uid != 65534u;
}

/* ---- RemoveIPC --------------------------------------------------------- */

/* Parses a systemd boolean; -1 when not one. */
static int parse_bool(const char *v) {
    static const char *const yes[] = {"1", "yes", "y", "true", "t", "on"};
    static const char *const no[] = {"0", "no", "n", "false", "f", "off"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        if (!strcasecmp(v, yes[i])) return 1;
        if (!strcasecmp(v, no[i])) return 0;
    }
    return -1;
}

/* Applies RemoveIPC= assignments of the [Login] section of one file to *val.
 * Returns false when the file exists but cannot be read. */
static bool read_logind_conf(const char *path, int *val) {
    FILE *f = fopen(path, "re");
    if (f == NULL) return errno == ENOENT || errno == ENOTDIR;
    char line[512];
    bool in_login = false;
    while (fgets(line, sizeof line, f)) {
        char *s = line;
        while (isspace((unsigned char)*s)) s++;
        char *e = s + strlen(s);
        while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
        if (*s == '[') {
            in_login = !strcmp(s, "[Login]");
            continue;
        }
        if (!in_login || strncmp(s, "RemoveIPC", 9) != 0) continue;
        s += 9;
        while (*s == ' ' || *s == '\t') s++;
        if (*s != '=') continue;
        s++;
        while (*s == ' ' || *s == '\t') s++;
        int b = parse_bool(s);
        if (b >= 0) *val = b;
    }
    bool ok = !ferror(f);
    fclose(f);
    return ok;
}

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int pipc_removeipc_enabled(void) {
    static const char *const dropin_dirs[] = {
        "/etc/systemd/logind.conf.d", "/run/systemd/logind.conf.d",
        "/usr/local/lib/systemd/logind.conf.d", "/usr/lib/systemd/logind.conf.d"};
    char path[4096];
    /* Without logind nothing removes objects. */
    if (access(rooted(path, sizeof path, "/lib/systemd/systemd-logind"), F_OK) != 0 &&
        access(rooted(path, sizeof path, "/usr/lib/systemd/systemd-logind"), F_OK) != 0)
        return 0;
    int val = 1; /* logind's built-in default */
    if (!read_logind_conf(rooted(path, sizeof path, "/etc/systemd/logind.conf"), &val))
        return PIPC_UNKNOWN;
    /* Drop-ins: every *.conf of the four directories, by file name; a name in
     * an earlier directory masks the same name in a later one. */
    char *names[256];
    const char *dirs_of[256];
    size_t n = 0;
    int result = PIPC_OK;
    for (size_t d = 0; d < sizeof dropin_dirs / sizeof *dropin_dirs; d++) {
        DIR *dir = opendir(rooted(path, sizeof path, dropin_dirs[d]));
        if (dir == NULL) {
            if (errno != ENOENT && errno != ENOTDIR) result = PIPC_UNKNOWN;
            continue;
        }
        struct dirent *de;
        while ((de = readdir(dir)) != NULL && n < 256) {
            size_t len = strlen(de->d_name);
            if (len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0) continue;
            bool masked = false;
            for (size_t i = 0; i < n; i++)
                if (!strcmp(names[i], de->d_name)) masked = true;
            if (masked) continue;
            names[n] = strdup(de->d_name);
            if (names[n] == NULL) break;
            dirs_of[n] = dropin_dirs[d];
            n++;
        }
        closedir(dir);
    }
    /* sort names, carrying their directories along */
    char *keyed[256];
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]) + strlen(dirs_of[i]) + 2;
        keyed[i] = malloc(len);
        if (keyed[i] != NULL) snprintf(keyed[i], len, "%s%c%s", names[i], '\0', dirs_of[i]);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    qsort(keyed, n, sizeof *keyed, cmp_names);
    for (size_t i = 0; i < n; i++) {
        if (keyed[i] == NULL) {
            result = PIPC_UNKNOWN;
            continue;
        }
        const char *name = keyed[i], *dir = name + strlen(name) + 1;
        char file[4096];
        snprintf(file, sizeof file, "%s/%s", dir, name);
        if (!read_logind_conf(rooted(path, sizeof path, file), &val)) result = PIPC_UNKNOWN;
        free(keyed[i]);
    }
    return result == PIPC_UNKNOWN ? PIPC_UNKNOWN : val;
}

/* ---- attached processes ------------------------------------------------ */

static pipc_object_t *find_segment(pipc_objects_t *objs, unsigned long id) {
    for (size_t i = 0; i < objs->count; i++)
        if (objs->items[i].kind == PIPC_KIND_SHM && (unsigned long)objs->items[i].id == id)
            return &objs->items[i];
    return NULL;
}

static int add_attacher(pipc_object_t *o, int pid) {
    for (size_t i = 0; i < o->nattached; i++)
        if (o->attached[i].pid == pid) return PIPC_OK;
    pipc_attacher_t *p = realloc(o->attached, (o->nattached + 1) * sizeof *p);
    if (p == NULL) return PIPC_E_NO_MEMORY;
    o->attached = p;
    p[o->nattached] = (pipc_attacher_t){.pid = pid};
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/comm", pid);
    FILE *f = fopen(path, "re");
    if (f != NULL) {
        if (fgets(p[o->nattached].command, sizeof p->command, f)) {
            char *nl = strchr(p[o->nattached].command, '\n');
            if (nl) *nl = '\0';
        }
        fclose(f);
    }
    o->nattached++;
    return PIPC_OK;
}

int pipc__scan_attached(pipc_objects_t *objs) {
    bool any = false;
    for (size_t i = 0; i < objs->count; i++) {
        if (objs->items[i].kind != PIPC_KIND_SHM) continue;
        any = true;
        /* scanned: an empty list (not NULL) */
        objs->items[i].attached = malloc(sizeof(pipc_attacher_t));
        if (objs->items[i].attached == NULL) return PIPC_E_NO_MEMORY;
    }
    if (!any) return PIPC_OK;
    /* Segment ids are per IPC namespace: only processes of ours count. */
    char self_ns[64] = "", ns[64];
    ssize_t nl = readlink("/proc/self/ns/ipc", self_ns, sizeof self_ns - 1);
    if (nl > 0) self_ns[nl] = '\0';
    DIR *proc = opendir("/proc");
    if (proc == NULL) return PIPC_OK;
    struct dirent *de;
    char path[64], line[1024];
    int rc = PIPC_OK;
    while (rc == PIPC_OK && (de = readdir(proc)) != NULL) {
        if (!isdigit((unsigned char)de->d_name[0])) continue;
        int pid = atoi(de->d_name);
        snprintf(path, sizeof path, "/proc/%d/ns/ipc", pid);
        nl = readlink(path, ns, sizeof ns - 1);
        if (nl <= 0) continue; /* gone, or not ours to inspect */
        ns[nl] = '\0';
        if (strcmp(ns, self_ns) != 0) continue;
        snprintf(path, sizeof path, "/proc/%d/maps", pid);
        FILE *f = fopen(path, "re");
        if (f == NULL) continue; /* gone, or not ours to read */
        bool line_start = true;
        while (fgets(line, sizeof line, f)) {
            /* start-end perms offset dev inode path; SysV segments are
             * "/SYSV<key> (deleted)" with the shmid as the inode. The rest
             * of a line longer than the buffer (a long path) is skipped. */
            bool at_start = line_start;
            line_start = strchr(line, '\n') != NULL;
            if (!at_start) continue;
            char perms[8];
            unsigned long inode;
            int off = 0;
            if (sscanf(line, "%*s %7s %*s %*s %lu %n", perms, &inode, &off) < 2 || off == 0)
                continue;
            if (strlen(perms) < 4 || perms[3] != 's' || strncmp(line + off, "/SYSV", 5) != 0) continue;
            pipc_object_t *o = find_segment(objs, inode);
            if (o != NULL && add_attacher(o, pid) != PIPC_OK) rc = PIPC_E_NO_MEMORY;
        }
        fclose(f);
    }
    closedir(proc);
    return rc;
}
