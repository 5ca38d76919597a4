/*
 * shm.c — shared memory segments. Reads and writes are plain memory
 * accesses into the attachment: no syscall after attach.
 */
#include "internal.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define CHECK_HANDLE(h, what)                                                                      \
    do {                                                                                           \
        if ((h) == NULL) return pipc__invalid("%s: the shared memory handle is NULL", what);       \
    } while (0)

static int shm_get(key_t key, size_t size, int flags) { return shmget(key, size, flags); }

static inline int stat_id(int id, struct shmid_ds *ds, const char *what) {
    if (shmctl(id, IPC_STAT, ds) < 0)
        return pipc__sys_error(PIPC_CTX_SHMCTL, id, 0, errno, "%s(id=%d)", what, id);
    return PIPC_OK;
}

/* Fills a freshly created segment with `fill` (attach, memset, detach).
 * A huge-page segment created with SHM_NORESERVE has no pages reserved, and
 * touching one when the pool is empty raises SIGBUS: its pages are first
 * populated with madvise(MADV_POPULATE_WRITE), which fails instead. */
static int fill_new(int id, size_t size, int fill, bool huge_noreserve) {
    void *p = shmat(id, NULL, 0);
    if (p == (void *)-1)
        return pipc__sys_error(PIPC_CTX_SHMAT, id, 0, errno, "shmat(id=%d) to fill the new segment",
                               id);
    if (huge_noreserve && madvise(p, size, MADV_POPULATE_WRITE) < 0) {
        int err = errno;
        shmdt(p);
        if (err == EINVAL)
            return pipc_error_set(PIPC_E_INVALID_ARGUMENT, err,
                                  "shmget(id=%d): this kernel cannot populate a SHM_HUGETLB | "
                                  "SHM_NORESERVE segment to fill it (MADV_POPULATE_WRITE, Linux 5.14)",
                                  id);
        return pipc_error_set(PIPC_E_NO_MEMORY, err,
                              "shmget(id=%d): no huge pages to fill the new SHM_HUGETLB | "
                              "SHM_NORESERVE segment (vm.nr_hugepages)",
                              id);
    }
    memset(p, fill, size);
    if (shmdt(p) < 0) return pipc__sys_error(PIPC_CTX_SHMDT, id, 0, errno, "shmdt(id=%d)", id);
    return PIPC_OK;
}

int pipc_shm_open(pipc_shm_t *shm, int64_t key, int64_t size, int64_t flags, int64_t mode,
                  int64_t fill) {
    CHECK_HANDLE(shm, "shmget");
    int rc = pipc__check_open("shmget", key, flags, IPC_CREAT | IPC_EXCL | SHM_HUGETLB | SHM_NORESERVE,
                              mode);
    if (rc != PIPC_OK) return rc;
    if (size < 0 || (uint64_t)size > SIZE_MAX)
        return pipc__invalid("shmget: size %lld is out of range", (long long)size);
    if (fill < -1 || fill > 255)
        return pipc__invalid("shmget: the fill byte must be -1 (none) or 0..255, not %lld",
                             (long long)fill);
    /* A size of 0 means one page whenever this call creates the segment. */
    size_t create_size = size == 0 ? (size_t)pipc_page_size() : (size_t)size;
    int id;
    int32_t k;
    bool created;
    rc = pipc__get(PIPC_CTX_SHMGET, "shmget", shm_get, key, create_size, (size_t)size, flags, mode,
                   &id, &k, &created);
    if (rc != PIPC_OK) return rc;
    const bool huge_noreserve = (flags & (SHM_HUGETLB | SHM_NORESERVE)) == (SHM_HUGETLB | SHM_NORESERVE);
    if (created && fill > 0 &&
        (rc = fill_new(id, create_size, (int)fill, huge_noreserve)) != PIPC_OK) {
        shmctl(id, IPC_RMID, NULL); /* undo the creation; the error is already recorded */
        return rc;
    }
    shm->key = k;
    shm->id = id;
    shm->created = created;
    shm->attached = false;
    shm->read_only = false;
    shm->address = NULL;
    shm->size = created ? create_size : 0; /* learned at attach otherwise */
    return PIPC_OK;
}

int pipc_shm_fill_byte(const void *bytes, size_t len, int64_t *fill) {
    if (fill == NULL) return pipc__invalid("init_character: the output pointer is NULL");
    if (len != 1 || bytes == NULL)
        return pipc_error_set(PIPC_E_WRONG_TYPE, 0,
                              "init_character must be a string of exactly one byte, not %zu bytes", len);
    *fill = *(const unsigned char *)bytes;
    return PIPC_OK;
}

int pipc_shm_open_id(pipc_shm_t *shm, int64_t id) {
    CHECK_HANDLE(shm, "shmctl");
    int rc = pipc__check_id("shmctl", id);
    if (rc != PIPC_OK) return rc;
    struct shmid_ds ds;
    if ((rc = stat_id((int)id, &ds, "shmctl(IPC_STAT)")) != PIPC_OK) return rc;
    shm->key = (int32_t)ds.shm_perm.__key;
    shm->id = (int)id;
    shm->created = false;
    shm->attached = false;
    shm->read_only = false;
    shm->address = NULL;
    shm->size = (size_t)ds.shm_segsz;
    return PIPC_OK;
}

int pipc_shm_attach(pipc_shm_t *shm, uint64_t address, int64_t flags) {
    CHECK_HANDLE(shm, "shmat");
    if (flags < 0 || (flags & ~(int64_t)(SHM_RDONLY | SHM_RND | SHM_REMAP)) != 0)
        return pipc__invalid("shmat: flags 0%llo are not SHM_RDONLY/SHM_RND/SHM_REMAP",
                             (unsigned long long)flags);
    if (address > UINTPTR_MAX) return pipc__invalid("shmat: the address does not fit a pointer");
    if ((flags & SHM_REMAP) && address == 0)
        return pipc__invalid("shmat: SHM_REMAP needs an address");
    /* SHM_RND rounds down to SHMLBA, then the kernel maps at that address
     * (MAP_FIXED): below SHMLBA that is address 0, which a privileged process
     * gets, and which no handle can then use or detach. */
    if ((flags & SHM_RND) && address != 0 && address < (uint64_t)SHMLBA)
        return pipc__invalid("shmat: address 0x%llx rounds down to 0 with SHM_RND (SHMLBA is %llu)",
                             (unsigned long long)address, (unsigned long long)SHMLBA);
    int rc;
    size_t size = shm->size;
    if (size == 0) {
        struct shmid_ds ds;
        if ((rc = stat_id(shm->id, &ds, "shmctl(IPC_STAT)")) != PIPC_OK) return rc;
        size = (size_t)ds.shm_segsz;
    }
    void *p = shmat(shm->id, (void *)(uintptr_t)address, (int)flags);
    if (p == (void *)-1)
        return pipc__sys_error(PIPC_CTX_SHMAT, shm->id, 0, errno, "shmat(id=%d)", shm->id);
    /* The old attachment goes after the new one succeeded (unless SHM_REMAP
     * replaced it in place). */
    if (shm->attached && shm->address != NULL && shm->address != p) shmdt(shm->address);
    shm->size = size;
    shm->address = p;
    shm->attached = true;
    shm->read_only = (flags & SHM_RDONLY) != 0;
    return PIPC_OK;
}

int pipc_shm_detach(pipc_shm_t *shm) {
    CHECK_HANDLE(shm, "shmdt");
    if (!shm->attached || shm->address == NULL)
        return pipc_error_set(PIPC_E_NOT_ATTACHED, 0, "shmdt(id=%d): the segment is not attached",
                              shm->id);
    int rc = shmdt(shm->address);
    int err = errno;
    shm->attached = false;
    shm->address = NULL;
    shm->read_only = false;
    if (rc < 0) return pipc__sys_error(PIPC_CTX_SHMDT, shm->id, 0, err, "shmdt(id=%d)", shm->id);
    return PIPC_OK;
}

int pipc_shm_detach_to_placeholder(pipc_shm_t *shm, void **address, size_t *len) {
    CHECK_HANDLE(shm, "detach");
    if (address == NULL || len == NULL) return pipc__invalid("detach: NULL output pointer");
    if (!shm->attached || shm->address == NULL)
        return pipc_error_set(PIPC_E_NOT_ATTACHED, 0, "shmdt(id=%d): the segment is not attached",
                              shm->id);
    size_t page = (size_t)pipc_page_size();
    size_t n = (shm->size + page - 1) / page * page;
    if (n == 0) n = page;
    /* MAP_FIXED replaces the segment's pages by zeros in one step: no moment
     * where the range is unmapped (another thread could map something else
     * there); unmapping them detaches the segment */
    if (mmap(shm->address, n, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
        return pipc__sys_error(PIPC_CTX_OTHER, shm->id, 0, errno,
                               "mmap(MAP_FIXED) over the attachment of id=%d", shm->id);
    *address = shm->address;
    *len = n;
    shm->attached = false;
    shm->address = NULL;
    shm->read_only = false;
    return PIPC_OK;
}

void pipc_shm_placeholder_release(void *address, size_t len) {
    if (address != NULL && len != 0) munmap(address, len);
}

int pipc_shm_span(const pipc_shm_t *shm, int64_t offset, int64_t count, bool for_write, void **ptr,
                  size_t *len) {
    const char *what = for_write ? "write" : "read";
    CHECK_HANDLE(shm, what);
    if (ptr == NULL || len == NULL) return pipc__invalid("%s: NULL output pointer", what);
    if (!shm->attached || shm->address == NULL)
        return pipc__at(for_write ? PIPC_SITE_WRITE_NOT_ATTACHED : PIPC_SITE_READ_NOT_ATTACHED,
                        pipc_error_set(PIPC_E_NOT_ATTACHED, 0,
                                       "%s(id=%d): the segment is not attached", what, shm->id));
    if (for_write && shm->read_only)
        return pipc__at(PIPC_SITE_WRITE_READ_ONLY,
                        pipc_error_set(PIPC_E_READ_ONLY, 0,
                                       "write(id=%d): the segment is attached read-only "
                                       "(SHM_RDONLY)",
                                       shm->id));
    /* the offset first, then the count (sysv_ipc's order, so a read that is
     * wrong in both reports the offset) */
    const uint64_t size = shm->size;
    if (offset < 0 || (for_write ? (uint64_t)offset > size : (uint64_t)offset >= size))
        return pipc__at(for_write ? PIPC_SITE_WRITE_RANGE : PIPC_SITE_READ_OFFSET,
                        pipc__invalid("%s: offset %lld is out of range for a segment of %llu bytes",
                                      what, (long long)offset, (unsigned long long)size));
    if (count < 0)
        return pipc__at(for_write ? PIPC_SITE_WRITE_RANGE : PIPC_SITE_READ_COUNT,
                        pipc__invalid("%s: the byte count must not be negative", what));
    uint64_t avail = size - (uint64_t)offset;
    uint64_t n;
    if (count == 0 || (uint64_t)count <= avail) {
        n = count == 0 ? avail : (uint64_t)count;
    } else if (!for_write) {
        n = avail; /* reads are clamped */
    } else {
        return pipc__at(PIPC_SITE_WRITE_RANGE,
                        pipc__invalid("write: %lld bytes at offset %lld go past the end of the "
                                      "segment (%llu bytes)",
                                      (long long)count, (long long)offset,
                                      (unsigned long long)size));
    }
    *ptr = (char *)shm->address + offset;
    *len = (size_t)n;
    return PIPC_OK;
}

int pipc_shm_read(const pipc_shm_t *shm, int64_t offset, int64_t count, void *dst, size_t dst_size,
                  size_t *n) {
    if (n == NULL) return pipc__invalid("read: NULL output pointer");
    void *p = NULL;
    size_t len = 0;
    int rc = pipc_shm_span(shm, offset, count, false, &p, &len);
    if (rc != PIPC_OK) return rc;
    if (len > dst_size)
        return pipc__invalid("read: the buffer (%zu bytes) is smaller than the %zu bytes to read",
                             dst_size, len);
    if (dst == NULL) return pipc__invalid("read: the buffer is NULL");
    memmove(dst, p, len); /* dst may itself lie in the segment */
    *n = len;
    return PIPC_OK;
}

int pipc_shm_write(const pipc_shm_t *shm, int64_t offset, const void *src, size_t len) {
    if (len > INT64_MAX) return pipc__invalid("write: %zu bytes is too much", len);
    if (len > 0 && src == NULL) return pipc__invalid("write: the source is NULL");
    void *p = NULL;
    size_t n = 0;
    /* len == 0 only validates (count 0 would mean "to the end"). */
    int rc = pipc_shm_span(shm, offset, (int64_t)len, true, &p, &n);
    if (rc != PIPC_OK) return rc;
    if (len > 0) memmove(p, src, len); /* src may be a view of the segment itself */
    return PIPC_OK;
}

int pipc_shm_stat(const pipc_shm_t *shm, pipc_shm_info_t *info) {
    CHECK_HANDLE(shm, "IPC_STAT");
    if (info == NULL) return pipc__invalid("IPC_STAT: the info pointer is NULL");
    struct shmid_ds ds;
    int rc = stat_id(shm->id, &ds, "shmctl(IPC_STAT)");
    if (rc != PIPC_OK) return rc;
    pipc__perm_from(&info->perm, &ds.shm_perm);
    info->size = (uint64_t)ds.shm_segsz;
    info->a_time = (int64_t)ds.shm_atime;
    info->d_time = (int64_t)ds.shm_dtime;
    info->c_time = (int64_t)ds.shm_ctime;
    info->creator_pid = (int)ds.shm_cpid;
    info->last_pid = (int)ds.shm_lpid;
    info->n_attached = (uint64_t)ds.shm_nattch;
    return PIPC_OK;
}

int pipc_shm_set_perm(const pipc_shm_t *shm, int64_t uid, int64_t gid, int64_t mode) {
    CHECK_HANDLE(shm, "IPC_SET");
    int rc = pipc__check_perm_args("shmctl(IPC_SET)", uid, gid, mode);
    if (rc != PIPC_OK) return rc;
    struct shmid_ds ds;
    if ((rc = stat_id(shm->id, &ds, "shmctl(IPC_STAT)")) != PIPC_OK) return rc;
    pipc__perm_apply(&ds.shm_perm, uid, gid, mode);
    if (shmctl(shm->id, IPC_SET, &ds) < 0)
        return pipc__sys_error(PIPC_CTX_SHMCTL_SET, shm->id, 0, errno, "shmctl(id=%d, IPC_SET)",
                               shm->id);
    return PIPC_OK;
}

int pipc_shm_remove(const pipc_shm_t *shm) {
    CHECK_HANDLE(shm, "IPC_RMID");
    return pipc_shm_remove_id(shm->id);
}

int pipc_shm_remove_id(int64_t id) {
    int rc = pipc__check_id("shmctl(IPC_RMID)", id);
    if (rc != PIPC_OK) return rc;
    if (shmctl((int)id, IPC_RMID, NULL) < 0)
        return pipc__sys_error(PIPC_CTX_SHMCTL, (int)id, 0, errno, "shmctl(id=%d, IPC_RMID)", (int)id);
    return PIPC_OK;
}
