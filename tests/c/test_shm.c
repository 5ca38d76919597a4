/* test_shm.c — shared memory segments. */
#include "test_util.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

int test_shm_open_attach_rw(void) {
    pipc_shm_t m;
    ASSERT_OK(t_new_shm(&m, 100));
    ASSERT(m.created);
    ASSERT(!m.attached);
    ASSERT(m.address == NULL);
    ASSERT_EQ(m.size, 100);
    ASSERT_EQ(m.key, 0);
    ASSERT_OK(pipc_shm_attach(&m, 0, 0));
    ASSERT(m.attached);
    ASSERT(!m.read_only);
    ASSERT(m.address != NULL);
    ASSERT_EQ((uintptr_t)m.address % (uintptr_t)pipc_page_size(), 0);
    /* new segments are zero-filled */
    unsigned char buf[256];
    size_t n = 0;
    ASSERT_OK(pipc_shm_read(&m, 0, 0, buf, sizeof buf, &n));
    ASSERT_EQ(n, 100);
    for (size_t i = 0; i < n; i++) ASSERT_EQ(buf[i], 0);
    static const unsigned char data[] = {'h', 'i', 0, 0xff, 0x80, 0};
    ASSERT_OK(pipc_shm_write(&m, 10, data, sizeof data));
    ASSERT_OK(pipc_shm_read(&m, 10, sizeof data, buf, sizeof buf, &n));
    ASSERT_EQ(n, sizeof data);
    ASSERT(memcmp(buf, data, sizeof data) == 0);
    ASSERT_EQ(((unsigned char *)m.address)[13], 0xff); /* it is the real memory */
    pipc_shm_info_t info;
    ASSERT_OK(pipc_shm_stat(&m, &info));
    ASSERT_EQ(info.size, 100);
    ASSERT_EQ(info.n_attached, 1);
    ASSERT_EQ(info.creator_pid, getpid());
    ASSERT_EQ(info.last_pid, getpid());
    ASSERT(info.a_time > 0);
    ASSERT_EQ(info.d_time, 0);
    ASSERT_EQ(info.perm.mode & 0777, 0600);
    ASSERT_EQ(info.perm.cuid, geteuid());
    ASSERT_OK(pipc_shm_detach(&m));
    ASSERT(!m.attached);
    ASSERT(m.address == NULL);
    ASSERT_OK(pipc_shm_stat(&m, &info));
    ASSERT_EQ(info.n_attached, 0);
    ASSERT(info.d_time > 0);
    ASSERT_FAILS(pipc_shm_detach(&m), PIPC_E_NOT_ATTACHED, 0);
    /* the data survives detach */
    ASSERT_OK(pipc_shm_attach(&m, 0, 0));
    ASSERT_OK(pipc_shm_read(&m, 10, 6, buf, 6, &n));
    ASSERT(memcmp(buf, data, sizeof data) == 0);
    ASSERT_OK(pipc_shm_detach(&m));
    ASSERT_OK(pipc_shm_remove(&m));
    return 0;
}

/* init_character's rule: exactly one byte, else WRONG_TYPE (sysv_ipc's TypeError). */
int test_shm_fill_byte(void) {
    int64_t fill = -7;
    ASSERT_OK(pipc_shm_fill_byte("\xab", 1, &fill));
    ASSERT_EQ(fill, 0xab);
    ASSERT_OK(pipc_shm_fill_byte("", 1, &fill)); /* the NUL byte */
    ASSERT_EQ(fill, 0);
    fill = -7;
    ASSERT_FAILS(pipc_shm_fill_byte("ab", 2, &fill), PIPC_E_WRONG_TYPE, 0);
    ASSERT_CONTAINS(pipc_error_last()->message, "init_character");
    ASSERT_FAILS(pipc_shm_fill_byte("", 0, &fill), PIPC_E_WRONG_TYPE, 0);
    ASSERT_FAILS(pipc_shm_fill_byte(NULL, 0, &fill), PIPC_E_WRONG_TYPE, 0);
    ASSERT_EQ(fill, -7); /* untouched on failure */
    ASSERT_INVALID(pipc_shm_fill_byte("a", 1, NULL)); /* no output: refused, not a crash */
    return 0;
}

int test_shm_size_and_fill(void) {
    pipc_shm_t a, b;
    ASSERT_OK(pipc_shm_open(&a, PIPC_KEY_RANDOM, 0, PIPC_IPC_CREX, 0600, 'A'));
    t_cleanup_shm(a.id);
    ASSERT_EQ(a.size, pipc_page_size()); /* size 0 with IPC_CREX: one page */
    pipc_shm_info_t info;
    ASSERT_OK(pipc_shm_stat(&a, &info));
    ASSERT_EQ(info.size, pipc_page_size());
    ASSERT_EQ(info.n_attached, 0); /* the fill attachment is gone */
    ASSERT_OK(pipc_shm_attach(&a, 0, 0));
    for (long i = 0; i < pipc_page_size(); i++) ASSERT_EQ(((unsigned char *)a.address)[i], 'A');
    ((unsigned char *)a.address)[5] = 'z';
    /* Opening it again (IPC_CREAT) neither creates nor refills it. */
    ASSERT_OK(pipc_shm_open(&b, a.key, 0, PIPC_IPC_CREAT, 0600, 'B'));
    ASSERT(!b.created);
    ASSERT_EQ(b.id, a.id);
    ASSERT_EQ(b.size, 0); /* learned at attach */
    ASSERT_OK(pipc_shm_attach(&b, 0, PIPC_SHM_RDONLY));
    ASSERT_EQ(b.size, pipc_page_size());
    ASSERT_EQ(((unsigned char *)b.address)[5], 'z');
    ASSERT_EQ(((unsigned char *)b.address)[6], 'A');
    ASSERT_OK(pipc_shm_stat(&a, &info));
    ASSERT_EQ(info.n_attached, 2);
    ASSERT_OK(pipc_shm_detach(&b));
    ASSERT_OK(pipc_shm_detach(&a));
    /* Opening with a size no larger than the segment is fine; larger is not. */
    ASSERT_OK(pipc_shm_open(&b, a.key, 10, 0, 0600, -1));
    ASSERT_FAILS(pipc_shm_open(&b, a.key, pipc_page_size() + 1, 0, 0600, -1),
                 PIPC_E_INVALID_ARGUMENT, EINVAL);
    ASSERT_CONTAINS(pipc_error_last()->message, "shmget");
    ASSERT_FAILS(pipc_shm_open(&b, a.key, 0, PIPC_IPC_CREX, 0600, -1), PIPC_E_EXISTENTIAL, EEXIST);
    ASSERT_OK(pipc_shm_remove(&a));
    ASSERT_FAILS(pipc_shm_open(&b, a.key, 0, 0, 0600, -1), PIPC_E_EXISTENTIAL, ENOENT);
    /* IPC_CREAT alone on a free key creates (size 0 -> a page) and fills */
    ASSERT_OK(pipc_shm_open(&b, a.key, 0, PIPC_IPC_CREAT, 0600, 0xff));
    t_cleanup_shm(b.id);
    ASSERT(b.created);
    ASSERT_EQ(b.size, pipc_page_size());
    ASSERT_OK(pipc_shm_attach(&b, 0, 0));
    ASSERT_EQ(((unsigned char *)b.address)[pipc_page_size() - 1], 0xff);
    ASSERT_OK(pipc_shm_detach(&b));
    ASSERT_OK(pipc_shm_remove(&b));
    /* fill 0 and an odd size */
    ASSERT_OK(pipc_shm_open(&b, 0, 5000, 0, 0600, 0));
    t_cleanup_shm(b.id);
    ASSERT_OK(pipc_shm_attach(&b, 0, 0));
    ASSERT_EQ(b.size, 5000);
    unsigned char buf[5000];
    size_t n;
    ASSERT_OK(pipc_shm_read(&b, 0, 0, buf, sizeof buf, &n));
    ASSERT_EQ(n, 5000);
    ASSERT_EQ(buf[4999], 0);
    ASSERT_OK(pipc_shm_detach(&b));
    ASSERT_OK(pipc_shm_remove(&b));
    return 0;
}

int test_shm_bounds(void) {
    pipc_shm_t m;
    ASSERT_OK(t_new_shm(&m, 10));
    unsigned char buf[32];
    size_t n = 99;
    void *p;
    size_t len;
    /* not attached yet */
    ASSERT_FAILS(pipc_shm_read(&m, 0, 1, buf, sizeof buf, &n), PIPC_E_NOT_ATTACHED, 0);
    ASSERT_FAILS(pipc_shm_write(&m, 0, "x", 1), PIPC_E_NOT_ATTACHED, 0);
    ASSERT_FAILS(pipc_shm_span(&m, 0, 0, false, &p, &len), PIPC_E_NOT_ATTACHED, 0);
    ASSERT_OK(pipc_shm_attach(&m, 0, 0));
    ASSERT_OK(pipc_shm_write(&m, 0, "0123456789", 10));
    /* reads clamp */
    ASSERT_OK(pipc_shm_read(&m, 5, 100, buf, sizeof buf, &n));
    ASSERT_EQ(n, 5);
    ASSERT(memcmp(buf, "56789", 5) == 0);
    ASSERT_OK(pipc_shm_read(&m, 9, 0, buf, sizeof buf, &n));
    ASSERT_EQ(n, 1);
    ASSERT_EQ(buf[0], '9');
    ASSERT_OK(pipc_shm_read(&m, 2, 3, buf, 3, &n));
    ASSERT_EQ(n, 3);
    ASSERT(memcmp(buf, "234", 3) == 0);
    ASSERT_OK(pipc_shm_read(&m, 0, INT64_MAX, buf, sizeof buf, &n));
    ASSERT_EQ(n, 10);
    /* read offsets: == size, past, negative; negative count; small buffer */
    ASSERT_INVALID(pipc_shm_read(&m, 10, 1, buf, sizeof buf, &n));
    ASSERT_CONTAINS(pipc_error_last()->message, "offset");
    ASSERT_INVALID(pipc_shm_read(&m, 11, 0, buf, sizeof buf, &n));
    ASSERT_INVALID(pipc_shm_read(&m, -1, 1, buf, sizeof buf, &n));
    ASSERT_INVALID(pipc_shm_read(&m, INT64_MIN, 1, buf, sizeof buf, &n));
    ASSERT_INVALID(pipc_shm_read(&m, 0, -1, buf, sizeof buf, &n));
    ASSERT_INVALID(pipc_shm_read(&m, 0, 0, buf, 9, &n));
    ASSERT_INVALID(pipc_shm_read(&m, 0, 0, NULL, 10, &n));
    ASSERT_INVALID(pipc_shm_read(&m, 0, 0, buf, 10, NULL));
    ASSERT_INVALID(pipc_shm_read(NULL, 0, 0, buf, 10, &n));
    /* writes do not clamp */
    ASSERT_INVALID(pipc_shm_write(&m, 6, "abcde", 5));
    ASSERT_CONTAINS(pipc_error_last()->message, "past the end");
    ASSERT_INVALID(pipc_shm_write(&m, 11, "", 0));
    ASSERT_INVALID(pipc_shm_write(&m, -1, "a", 1));
    ASSERT_INVALID(pipc_shm_write(&m, 0, NULL, 1));
    ASSERT_INVALID(pipc_shm_write(&m, 0, "a", (size_t)INT64_MAX + 1));
    ASSERT_INVALID(pipc_shm_write(NULL, 0, "a", 1));
    ASSERT_OK(pipc_shm_write(&m, 10, "", 0)); /* offset == size, nothing written */
    ASSERT_OK(pipc_shm_write(&m, 5, "abcde", 5));
    ASSERT_OK(pipc_shm_read(&m, 0, 0, buf, sizeof buf, &n));
    ASSERT(memcmp(buf, "01234abcde", 10) == 0);
    /* span */
    ASSERT_OK(pipc_shm_span(&m, 4, 0, true, &p, &len));
    ASSERT(p == (char *)m.address + 4);
    ASSERT_EQ(len, 6);
    ASSERT_OK(pipc_shm_span(&m, 10, 0, true, &p, &len));
    ASSERT_EQ(len, 0);
    ASSERT_OK(pipc_shm_span(&m, 3, 50, false, &p, &len));
    ASSERT_EQ(len, 7);
    ASSERT_INVALID(pipc_shm_span(&m, 3, 50, true, &p, &len));
    ASSERT_INVALID(pipc_shm_span(&m, 10, 0, false, &p, &len));
    /* a read wrong in offset and count reports the offset first (sysv_ipc's order) */
    ASSERT_INVALID(pipc_shm_span(&m, 10, -1, false, &p, &len));
    ASSERT_EQ(pipc_error_last()->site, PIPC_SITE_READ_OFFSET);
    ASSERT_INVALID(pipc_shm_span(&m, 0, -1, false, &p, &len));
    ASSERT_EQ(pipc_error_last()->site, PIPC_SITE_READ_COUNT);
    ASSERT_INVALID(pipc_shm_span(&m, 0, 0, false, NULL, &len));
    ASSERT_INVALID(pipc_shm_span(&m, 0, 0, false, &p, NULL));
    ASSERT_OK(pipc_shm_detach(&m));
    ASSERT_FAILS(pipc_shm_read(&m, 0, 1, buf, sizeof buf, &n), PIPC_E_NOT_ATTACHED, 0);
    ASSERT_OK(pipc_shm_remove(&m));
    return 0;
}

int test_shm_binary_data(void) {
    pipc_shm_t m;
    ASSERT_OK(t_new_shm(&m, 512));
    ASSERT_OK(pipc_shm_attach(&m, 0, 0));
    unsigned char all[512], back[512];
    for (int i = 0; i < 512; i++) all[i] = (unsigned char)(255 - i % 256);
    ASSERT_OK(pipc_shm_write(&m, 0, all, sizeof all));
    /* another process sees the same bytes */
    pid_t pid = t_fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        pipc_shm_t c;
        size_t n;
        if (pipc_shm_open_id(&c, m.id) != PIPC_OK || pipc_shm_attach(&c, 0, PIPC_SHM_RDONLY) != PIPC_OK)
            _exit(1);
        if (pipc_shm_read(&c, 0, 0, back, sizeof back, &n) != PIPC_OK || n != 512) _exit(2);
        if (memcmp(back, all, sizeof all) != 0) _exit(3);
        _exit(pipc_shm_detach(&c) == PIPC_OK ? 0 : 4);
    }
    ASSERT_EQ(t_wait(pid), 0);
    size_t n;
    ASSERT_OK(pipc_shm_read(&m, 0, 0, back, sizeof back, &n));
    ASSERT(memcmp(back, all, sizeof all) == 0);
    ASSERT_OK(pipc_shm_detach(&m));
    ASSERT_OK(pipc_shm_remove(&m));
    return 0;
}

/* write's source and read's destination may lie in the segment itself (a
 * language's view of the attachment): the copy is an overlapping move
 * (the ASan build reports a memcpy here). */
int test_shm_overlapping_copy(void) {
    pipc_shm_t m;
    static unsigned char ref[4096]; /* the same moves, made by memmove */
    ASSERT_OK(t_new_shm(&m, 4096));
    ASSERT_OK(pipc_shm_attach(&m, 0, 0));
    unsigned char *seg = m.address;
    for (int i = 0; i < 4096; i++) seg[i] = ref[i] = (unsigned char)(i % 251);
    /* forwards: bytes 0..999 to 1..1000 */
    ASSERT_OK(pipc_shm_write(&m, 1, seg, 1000));
    memmove(ref + 1, ref, 1000);
    ASSERT(memcmp(seg, ref, 4096) == 0);
    ASSERT_EQ(seg[1000], 999 % 251);
    /* backwards: bytes 2..1001 to 0..999 */
    ASSERT_OK(pipc_shm_write(&m, 0, seg + 2, 1000));
    memmove(ref, ref + 2, 1000);
    ASSERT(memcmp(seg, ref, 4096) == 0);
    /* a read whose destination is in the segment */
    size_t n = 0;
    ASSERT_OK(pipc_shm_read(&m, 0, 1000, seg + 3, 4096 - 3, &n));
    memmove(ref + 3, ref, 1000);
    ASSERT_EQ(n, 1000);
    ASSERT(memcmp(seg, ref, 4096) == 0);
    ASSERT_OK(pipc_shm_detach(&m));
    ASSERT_OK(pipc_shm_remove(&m));
    return 0;
}

int test_shm_read_only(void) {
    pipc_shm_t m;
    ASSERT_OK(t_new_shm(&m, 64));
    ASSERT_OK(pipc_shm_attach(&m, 0, PIPC_SHM_RDONLY));
    ASSERT(m.read_only);
    ASSERT_FAILS(pipc_shm_write(&m, 0, "x", 1), PIPC_E_READ_ONLY, 0);
    ASSERT_CONTAINS(pipc_error_last()->message, "read-only");
    void *p;
    size_t len;
    ASSERT_FAILS(pipc_shm_span(&m, 0, 1, true, &p, &len), PIPC_E_READ_ONLY, 0);
    ASSERT_OK(pipc_shm_span(&m, 0, 1, false, &p, &len));
    char c;
    size_t n;
    ASSERT_OK(pipc_shm_read(&m, 0, 1, &c, 1, &n));
    ASSERT_EQ(c, 0);
    /* re-attaching read-write replaces the attachment */
    void *old = m.address;
    ASSERT_OK(pipc_shm_attach(&m, 0, 0));
    ASSERT(!m.read_only);
    ASSERT_OK(pipc_shm_write(&m, 0, "x", 1));
    pipc_shm_info_t info;
    ASSERT_OK(pipc_shm_stat(&m, &info));
    ASSERT_EQ(info.n_attached, 1); /* the old attachment was detached */
    (void)old;
    ASSERT_OK(pipc_shm_detach(&m));
    ASSERT(!m.read_only);
    ASSERT_OK(pipc_shm_remove(&m));
    return 0;
}

int test_shm_attach_flags(void) {
    pipc_shm_t m;
    ASSERT_OK(t_new_shm(&m, 4096));
    ASSERT_INVALID(pipc_shm_attach(&m, 0, PIPC_IPC_CREAT));
    ASSERT_INVALID(pipc_shm_attach(&m, 0, -1));
    ASSERT_INVALID(pipc_shm_attach(&m, 0, PIPC_SHM_REMAP)); /* needs an address */
    /* An address below SHMLBA rounds down to 0 with SHM_RND, which the kernel
     * maps at address 0 for root (found by tests/fuzz): refused, no attachment. */
    ASSERT_INVALID(pipc_shm_attach(&m, 2, PIPC_SHM_RND));
    ASSERT_CONTAINS(pipc_error_last()->message, "rounds down to 0");
    ASSERT_INVALID(pipc_shm_attach(&m, 4095, PIPC_SHM_RND | PIPC_SHM_RDONLY));
    ASSERT(!m.attached);
    pipc_shm_info_t info0;
    ASSERT_OK(pipc_shm_stat(&m, &info0));
    ASSERT_EQ(info0.n_attached, 0);
    ASSERT_INVALID(pipc_shm_attach(NULL, 0, 0));
    ASSERT_INVALID(pipc_shm_detach(NULL));
    /* Pick a free page-aligned address: attach, note it, detach. */
    ASSERT_OK(pipc_shm_attach(&m, 0, 0));
    uint64_t addr = (uint64_t)(uintptr_t)m.address;
    ASSERT_OK(pipc_shm_detach(&m));
    /* unaligned without SHM_RND: refused by the kernel */
    ASSERT_FAILS(pipc_shm_attach(&m, addr + 1, 0), PIPC_E_INVALID_ARGUMENT, EINVAL);
    ASSERT_CONTAINS(pipc_error_last()->message, "shmat");
    ASSERT(!m.attached);
    /* with SHM_RND it rounds down (SHMLBA is the page size on x86) */
    ASSERT_OK(pipc_shm_attach(&m, addr + 1, PIPC_SHM_RND));
    ASSERT_EQ((uint64_t)(uintptr_t)m.address, addr);
    ASSERT_OK(pipc_shm_write(&m, 0, "q", 1));
    /* SHM_REMAP over the same address replaces the mapping in place */
    ASSERT_OK(pipc_shm_attach(&m, addr, PIPC_SHM_REMAP));
    ASSERT_EQ((uint64_t)(uintptr_t)m.address, addr);
    pipc_shm_info_t info;
    ASSERT_OK(pipc_shm_stat(&m, &info));
    ASSERT_EQ(info.n_attached, 1);
    char c;
    size_t n;
    ASSERT_OK(pipc_shm_read(&m, 0, 1, &c, 1, &n));
    ASSERT_EQ(c, 'q');
    ASSERT_OK(pipc_shm_detach(&m));
    ASSERT_OK(pipc_shm_remove(&m));
    return 0;
}

int test_shm_open_id(void) {
    pipc_shm_t a, b;
    ASSERT_OK(pipc_shm_open(&a, PIPC_KEY_RANDOM, 300, PIPC_IPC_CREX, 0600, 'k'));
    t_cleanup_shm(a.id);
    ASSERT_OK(pipc_shm_open_id(&b, a.id));
    ASSERT_EQ(b.key, a.key);
    ASSERT_EQ(b.id, a.id);
    ASSERT_EQ(b.size, 300);
    ASSERT(!b.created);
    ASSERT(!b.attached);
    ASSERT_OK(pipc_shm_attach(&b, 0, 0));
    ASSERT_EQ(((char *)b.address)[299], 'k');
    ASSERT_OK(pipc_shm_detach(&b));
    ASSERT_OK(pipc_shm_remove_id(a.id));
    ASSERT_FAILS(pipc_shm_open_id(&b, a.id), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_FAILS(pipc_shm_remove_id(a.id), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_INVALID(pipc_shm_open_id(&b, -1));
    ASSERT_INVALID(pipc_shm_open_id(&b, INT64_MAX));
    ASSERT_INVALID(pipc_shm_open_id(NULL, 0));
    ASSERT_INVALID(pipc_shm_remove_id(-1));
    return 0;
}

int test_shm_open_bad_args(void) {
    pipc_shm_t m;
    ASSERT_INVALID(pipc_shm_open(&m, 0, -1, 0, 0600, -1));
    ASSERT_INVALID(pipc_shm_open(&m, 0, INT64_MIN, 0, 0600, -1));
    ASSERT_INVALID(pipc_shm_open(&m, 0, 4096, 0, 0600, 256));
    ASSERT_INVALID(pipc_shm_open(&m, 0, 4096, 0, 0600, -2));
    ASSERT_CONTAINS(pipc_error_last()->message, "fill");
    return 0;
}

int test_shm_use_after_remove(void) {
    pipc_shm_t m;
    ASSERT_OK(t_new_shm(&m, 16));
    ASSERT_OK(pipc_shm_attach(&m, 0, 0));
    ASSERT_OK(pipc_shm_remove(&m));
    /* an existing attachment stays usable */
    ASSERT_OK(pipc_shm_write(&m, 0, "still", 5));
    char buf[5];
    size_t n;
    ASSERT_OK(pipc_shm_read(&m, 0, 5, buf, 5, &n));
    ASSERT(memcmp(buf, "still", 5) == 0);
    pipc_shm_info_t info;
    ASSERT_OK(pipc_shm_stat(&m, &info)); /* exists until the last detach */
    ASSERT_EQ(info.n_attached, 1);
    ASSERT_OK(pipc_shm_detach(&m));
    ASSERT_FAILS(pipc_shm_stat(&m, &info), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_FAILS(pipc_shm_attach(&m, 0, 0), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_FAILS(pipc_shm_set_perm(&m, PIPC_KEEP, PIPC_KEEP, 0600), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_FAILS(pipc_shm_remove(&m), PIPC_E_EXISTENTIAL, EINVAL);
    ASSERT_INVALID(pipc_shm_remove(NULL));
    ASSERT_INVALID(pipc_shm_stat(NULL, &info));
    ASSERT_INVALID(pipc_shm_stat(&m, NULL));
    /* a fresh handle that has not learned its size learns it at attach,
     * which fails once the segment is gone */
    pipc_shm_t fresh = m;
    fresh.size = 0;
    ASSERT_FAILS(pipc_shm_attach(&fresh, 0, 0), PIPC_E_EXISTENTIAL, EINVAL);
    return 0;
}

int test_shm_set_perm_stat(void) {
    pipc_shm_t m;
    ASSERT_OK(t_new_shm(&m, 16));
    pipc_shm_info_t info;
    ASSERT_OK(pipc_shm_set_perm(&m, 65534, 65534, 0604));
    ASSERT_OK(pipc_shm_stat(&m, &info));
    ASSERT_EQ(info.perm.mode & 0777, 0604);
    ASSERT_EQ(info.perm.uid, 65534);
    ASSERT_EQ(info.perm.gid, 65534);
    ASSERT_EQ(info.perm.cuid, geteuid());
    ASSERT_EQ(info.perm.cgid, getegid());
    ASSERT_OK(pipc_shm_set_perm(&m, PIPC_KEEP, PIPC_KEEP, 01600));
    ASSERT_OK(pipc_shm_stat(&m, &info));
    ASSERT_EQ(info.perm.mode & 0777, 0600);
    ASSERT_EQ(info.perm.uid, 65534);
    ASSERT_INVALID(pipc_shm_set_perm(&m, -1, PIPC_KEEP, PIPC_KEEP));
    ASSERT_INVALID(pipc_shm_set_perm(&m, PIPC_KEEP, -7, PIPC_KEEP));
    ASSERT_INVALID(pipc_shm_set_perm(NULL, PIPC_KEEP, PIPC_KEEP, 0));
    ASSERT_OK(pipc_shm_remove(&m));
    return 0;
}

static int shm_unprivileged(void *arg) {
    const pipc_shm_t *m = arg;
    pipc_shm_t o, c = *m;
    ASSERT_FAILS(pipc_shm_open(&o, m->key, 0, 0, 0600, -1), PIPC_E_PERMISSIONS, EACCES);
    ASSERT_FAILS(pipc_shm_open_id(&o, m->id), PIPC_E_PERMISSIONS, EACCES);
    c.size = 4096;
    /* errno: EACCES from the kernel; valgrind's shmat wrapper says EINVAL */
    ASSERT_FAILS(pipc_shm_attach(&c, 0, 0), PIPC_E_PERMISSIONS, -1);
    ASSERT_CONTAINS(pipc_error_last()->message, "shmat");
    ASSERT_FAILS(pipc_shm_attach(&c, 0, PIPC_SHM_RDONLY), PIPC_E_PERMISSIONS, -1);
    ASSERT_FAILS(pipc_shm_set_perm(m, PIPC_KEEP, PIPC_KEEP, 0666), PIPC_E_PERMISSIONS, -1);
    ASSERT_FAILS(pipc_shm_remove(m), PIPC_E_PERMISSIONS, EPERM);
    return 0;
}

static int shm_unprivileged_readonly(void *arg) {
    const pipc_shm_t *m = arg;
    pipc_shm_t c;
    ASSERT_OK(pipc_shm_open_id(&c, m->id));
    ASSERT_FAILS(pipc_shm_attach(&c, 0, 0), PIPC_E_PERMISSIONS, EACCES);
    ASSERT_OK(pipc_shm_attach(&c, 0, PIPC_SHM_RDONLY));
    char x;
    size_t n;
    ASSERT_OK(pipc_shm_read(&c, 0, 1, &x, 1, &n));
    ASSERT_EQ(x, 'r');
    ASSERT_FAILS(pipc_shm_write(&c, 0, "w", 1), PIPC_E_READ_ONLY, 0);
    ASSERT_OK(pipc_shm_detach(&c));
    return 0;
}

int test_shm_permissions(void) {
    if (geteuid() != 0) {
        printf("  skipped: needs root to switch to an unprivileged user\n");
        return TEST_SKIP;
    }
    pipc_shm_t m;
    ASSERT_OK(pipc_shm_open(&m, PIPC_KEY_RANDOM, 4096, PIPC_IPC_CREX, 0600, 'r'));
    t_cleanup_shm(m.id);
    ASSERT_EQ(t_run_unprivileged(shm_unprivileged, &m), 0);
    ASSERT_OK(pipc_shm_set_perm(&m, PIPC_KEEP, PIPC_KEEP, 0644));
    ASSERT_EQ(t_run_unprivileged(shm_unprivileged_readonly, &m), 0);
    ASSERT_OK(pipc_shm_remove(&m));
    return 0;
}

/* A huge-page segment created with SHM_NORESERVE has no pages reserved; the
 * fill used to touch them and die of SIGBUS when the pool was empty (found by
 * tests/fuzz). Now the fill either succeeds or fails with OutOfMemoryError;
 * run in a child so that a regression fails the test instead of the runner. */
int test_shm_hugetlb_noreserve_fill(void) {
    pid_t pid = t_fork();
    if (pid == 0) {
        pipc_shm_t m;
        const int64_t flags = PIPC_IPC_CREX | PIPC_SHM_HUGETLB | PIPC_SHM_NORESERVE;
        const int before = t_sysvipc_count();
        int rc = pipc_shm_open(&m, PIPC_IPC_PRIVATE, 31, flags, 0600, 0x20);
        if (rc == PIPC_OK) { /* huge pages were available: it is filled */
            t_cleanup_shm(m.id);
            int ok = pipc_shm_attach(&m, 0, 0) == PIPC_OK && ((char *)m.address)[30] == 0x20;
            pipc_shm_detach(&m);
            pipc_shm_remove(&m);
            _exit(ok ? 0 : 1);
        }
        if (rc != PIPC_E_NO_MEMORY && rc != PIPC_E_INVALID_ARGUMENT) _exit(2);
        if (t_sysvipc_count() != before) _exit(3); /* the new segment was removed again */
        _exit(0);
    }
    ASSERT_EQ(t_wait(pid), 0);
    return 0;
}

int test_shm_detach_to_placeholder(void) {
    pipc_shm_t m;
    void *hold = NULL;
    size_t len = 0;
    ASSERT_OK(t_new_shm(&m, 100));
    ASSERT_FAILS(pipc_shm_detach_to_placeholder(&m, &hold, &len), PIPC_E_NOT_ATTACHED, 0);
    ASSERT_OK(pipc_shm_attach(&m, 0, 0));
    ASSERT_OK(pipc_shm_write(&m, 0, "\x7f", 1));
    volatile unsigned char *p = m.address;
    ASSERT_EQ(p[0], 0x7f);
    ASSERT_INVALID(pipc_shm_detach_to_placeholder(&m, NULL, &len));
    ASSERT(m.attached); /* a failing call leaves the attachment */
    ASSERT_OK(pipc_shm_detach_to_placeholder(&m, &hold, &len));
    ASSERT(hold == (void *)p);
    ASSERT_EQ(len, (size_t)pipc_page_size()); /* 100 bytes: one page */
    ASSERT(!m.attached);
    ASSERT(m.address == NULL);
    /* the old range still reads, as zeros, and the kernel has detached the segment */
    ASSERT_EQ(p[0], 0);
    ASSERT_EQ(p[len - 1], 0);
    pipc_shm_info_t info;
    ASSERT_OK(pipc_shm_stat(&m, &info));
    ASSERT_EQ(info.n_attached, 0);
    ASSERT_FAILS(pipc_shm_detach(&m), PIPC_E_NOT_ATTACHED, 0);
    /* the segment keeps its data; attaching again sees it */
    ASSERT_OK(pipc_shm_attach(&m, 0, 0));
    ASSERT_EQ(((unsigned char *)m.address)[0], 0x7f);
    ASSERT_OK(pipc_shm_detach(&m));
    pipc_shm_placeholder_release(hold, len);
    pipc_shm_placeholder_release(NULL, 0); /* nothing to do */
    ASSERT_OK(pipc_shm_remove(&m));
    return 0;
}
