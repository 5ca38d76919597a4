#!/usr/bin/env python3
"""Writes the hand-made seed inputs of fuzz_ops into tests/fuzz/corpus/.

Each seed is a short program in fuzz_ops.c's input encoding, written here
with names so that a reader can see what it does. Run it after changing the
encoding (the files are committed; libFuzzer only reads them).
"""
import os
import sys

# Operation bytes (fuzz_ops.c: LLVMFuzzerTestOneInput dispatches on op % 20;
# an op byte with op % 20 == 19 is set_perm, or remove when its 0x80 bit is set: 19 and 179).
SEM_OPEN, SEM_OPEN_ID, ACQUIRE, RELEASE, WAIT_ZERO, SEM_OP, SEM_SET, SEM_GET = range(8)
SHM_OPEN, SHM_OPEN_ID, ATTACH, DETACH, SHM_RW, _, SHM_STAT = range(8, 15)
MSG_OPEN, SEND, RECEIVE, MSG_CTL, SET_PERM = range(15, 20)
REMOVE = 179  # 179 % 20 == 19, with 0x80 (19 | 0x80 would be 147, i.e. op 7)
SEM, SHM, MSG = 0, 1, 2


def v(x):
    """pick(): a plausible value lo + x (x < 256)."""
    return [0x00, x]


def v16(x):
    """pick(): a plausible value lo + x (x < 65536)."""
    return [0x80, x & 0xFF, x >> 8]


def special(i):
    """pick(): SPECIAL[i] (0, 1, -1, 2, 255, 256, 32767, 32768, 65535, 65536,
    INT32_MAX, INT32_MIN, 2^31, 2^32, -2^32, INT64_MAX, INT64_MIN, ...)."""
    return [0xC0 + i]


KEY0, KEY1, PRIVATE, RANDOM = [0x00], [0x01], [0x80], [0xB0]
CREX, CREAT, NOFLAGS, EXCL_ONLY = [0x00], [0x01], [0x02], [0x04]
T0, TNAN, TNEG, TFOREVER = [0x00], [0x03], [0x04], [0x05]


def sem_open(slot, key, flags, nsems, init=v(0)):
    return [SEM_OPEN, slot] + key + flags + nsems + init + v(0o600) + [1]


def shm_open(slot, key, flags, size, fill=v(0)):
    return [SHM_OPEN, slot] + key + flags + size + fill + [0]


def msg_open(slot, key, flags, maxsize=v16(8192 - 1)):
    return [MSG_OPEN, slot] + key + flags + maxsize


def remove(kind, slot, by_id=False):
    return [REMOVE, kind, slot, 0x00 if by_id else 0x80] + ([0] if by_id else [])


def rw_write(slot, offset, length, seed=0x41):
    return [SHM_RW, slot] + offset + [0, 0] + length + [seed]


def rw_read(slot, offset, count, mode=1):
    return [SHM_RW, slot] + offset + [0, mode] + count + [1]


SEEDS = {
    "sem_private_acquire_release": sem_open(0, PRIVATE, CREX, v(1)) + [RELEASE, 0, 0] + v(0) + v(1)
    + [ACQUIRE, 0, 0] + v(0) + v(0) + T0 + [ACQUIRE, 0, 0] + v(0) + v(0) + T0 + [SEM_GET, 0] + v(0) + [0]
    + remove(SEM, 0),
    "sem_set_of_four_ops": sem_open(1, RANDOM, CREX, v(4), v(2)) + [SEM_OP, 1, 3] + v(0) + v(2) + [1]
    + v(3) + v(4) + [2] + v(1) + v(3) + [0] + T0 + [SEM_SET, 1, 0, 0x40] + v(1) + v(2) + v(3) + v(4)
    + [SEM_GET, 1] + v(0) + [4, 4] + remove(SEM, 1),
    "sem_wait_zero_and_undo": sem_open(2, KEY0, CREX, v(2), v(1)) + [WAIT_ZERO, 2, 0] + v(1) + T0
    + [ACQUIRE, 2, 1, 1, 1] + v(0) + v(0) + T0 + [WAIT_ZERO, 2, 0] + v(0) + TFOREVER + [SEM_GET, 2] + v(0) + [1]
    + remove(SEM, 2),
    "sem_bad_arguments": sem_open(0, PRIVATE, CREX, v(1)) + [SEM_OP, 0, 1] + special(16) + v(0) + [0] + T0
    + [ACQUIRE, 0, 0] + special(2) + v(0) + T0 + [ACQUIRE, 0, 0] + v(0) + special(15) + TNAN
    + [SEM_SET, 0, 1] + v(0) + special(7) + [SEM_GET, 0] + special(10) + [0] + remove(SEM, 0),
    "sem_use_after_remove": sem_open(0, KEY1, CREX, v(3)) + remove(SEM, 0) + [RELEASE, 0, 0] + v(0) + v(0)
    + [SEM_GET, 0] + v(0) + [4, 5] + remove(SEM, 0) + remove(SEM, 0, by_id=True),
    "sem_same_key_two_slots": sem_open(0, KEY0, CREX, v(2)) + sem_open(1, KEY0, CREAT, v(0))
    + sem_open(2, KEY0, CREX, v(2)) + sem_open(3, KEY0, NOFLAGS, v(5)) + [RELEASE, 1, 0] + v(1) + v(0)
    + [SEM_GET, 0] + v(1) + [0] + [SEM_OPEN_ID, 3, 0, 0] + remove(SEM, 1) + sem_open(2, KEY0, NOFLAGS, v(0)),
    "sem_bad_open": sem_open(0, special(15), CREX, v(1)) + sem_open(0, KEY0, EXCL_ONLY, v(1))
    + sem_open(0, RANDOM, CREAT, v(1)) + sem_open(0, PRIVATE, CREX, v(0)) + sem_open(0, PRIVATE, CREX, special(8))
    + sem_open(0, KEY1, NOFLAGS, v(1)) + sem_open(0, PRIVATE, CREX, v(1), special(7)),
    "shm_write_read": shm_open(0, PRIVATE, CREX, v16(4096)) + [ATTACH, 0, 0, 0] + rw_write(0, v(10), v(20))
    + rw_read(0, v(0), v(40)) + rw_read(0, v(5), v(0), mode=2) + [SHM_STAT, 0] + [DETACH, 0] + remove(SHM, 0),
    "shm_bounds": shm_open(1, RANDOM, CREX, v(100), v(0x7F)) + [ATTACH, 1, 0, 0] + rw_write(1, v(90), v(11))
    + rw_write(1, v(100), v(0)) + rw_write(1, special(2), v(1)) + rw_read(1, v(100), v(1))
    + rw_read(1, special(16), v(1)) + rw_read(1, v(0), special(2)) + rw_read(1, v(99), v(200)) + remove(SHM, 1),
    "shm_read_only_and_detach": shm_open(0, KEY0, CREX, v(200)) + [ATTACH, 0, 1, 0] + rw_write(0, v(0), v(1))
    + rw_read(0, v(0), v(10)) + [DETACH, 0, DETACH, 0] + rw_read(0, v(0), v(1)) + rw_write(0, v(0), v(1))
    + remove(SHM, 0),
    "shm_remove_while_attached": shm_open(2, PRIVATE, CREX, v(64)) + [ATTACH, 2, 0, 0] + remove(SHM, 2)
    + rw_write(2, v(0), v(64)) + rw_read(2, v(0), v(64)) + [SHM_STAT, 2, SHM_OPEN_ID, 3, 2, 0] + [DETACH, 2]
    + [SHM_STAT, 2, ATTACH, 2, 0, 0],
    "shm_attach_addresses": shm_open(0, PRIVATE, CREX, v16(4096)) + [ATTACH, 0, 0, 0, ATTACH, 0, 0, 1]
    + [ATTACH, 0, 0, 2, ATTACH, 0, 0, 4] + [ATTACH, 0, 0, 3] + special(1) + [ATTACH, 0, 0xF0] + special(2)
    + [0] + [DETACH, 0] + remove(SHM, 0),
    "shm_same_key": shm_open(0, KEY1, CREX, v(100)) + shm_open(1, KEY1, CREAT, v(0)) + shm_open(2, KEY1, NOFLAGS, v(200))
    + [ATTACH, 1, 0, 0] + rw_write(1, v(3), v(4)) + [ATTACH, 0, 0, 0] + rw_read(0, v(0), v(10)) + remove(SHM, 0, by_id=True),
    "shm_bad_open": shm_open(0, PRIVATE, CREX, special(2)) + shm_open(0, PRIVATE, CREX, v(1), special(5))
    + shm_open(0, PRIVATE, CREX, special(15)) + shm_open(0, KEY0, NOFLAGS, v(1)),
    "msg_send_receive": msg_open(0, PRIVATE, CREX) + [SEND, 0] + v(0) + v(5) + [0, 1] + [SEND, 0] + v(2) + v(7)
    + [1, 2] + [RECEIVE, 0] + v(5) + [1] + v(100) + [RECEIVE, 0] + v(5) + [1] + v(100) + [RECEIVE, 0] + v(5)
    + [1] + v(100) + remove(MSG, 0),
    "msg_type_selection": msg_open(1, KEY0, CREX) + sum(([SEND, 1] + v(t) + v(3) + [1, t] for t in (3, 1, 2, 0)), [])
    + [RECEIVE, 1] + v(2) + [1] + v(10) + [RECEIVE, 1] + v(3) + [5] + v(10) + [RECEIVE, 1] + v(7) + [1] + v(10)
    + [MSG_CTL, 1, 0] + remove(MSG, 1),
    "msg_sizes": msg_open(0, PRIVATE, CREX, v(99)) + [SEND, 0] + v(0) + v(100) + [1, 0] + [SEND, 0] + v(0) + v(50)
    + [1, 0] + [RECEIVE, 0] + v(5) + [1] + v(10) + [RECEIVE, 0] + v(5) + [3] + v(10) + [SEND, 0] + v(0) + special(2)
    + [1, 0] + remove(MSG, 0),
    "msg_copy_and_max_bytes": msg_open(2, RANDOM, CREX) + [SEND, 2] + v(0) + v(9) + [1, 9] + [RECEIVE, 2] + v(5)
    + [0x39] + v(50) + [RECEIVE, 2] + v(6) + [0x39] + v(50) + [MSG_CTL, 2, 1] + v(4) + [SEND, 2] + v(0) + v(9)
    + [1, 9] + [MSG_CTL, 2, 1] + special(13) + [MSG_CTL, 2, 0] + remove(MSG, 2),
    "msg_use_after_remove": msg_open(0, KEY1, CREX) + msg_open(1, KEY1, CREAT) + remove(MSG, 0) + [SEND, 1] + v(0)
    + v(1) + [0, 0] + [RECEIVE, 1] + v(5) + [0] + v(10) + [MSG_CTL, 1, 0] + msg_open(2, KEY1, NOFLAGS),
    "msg_bad_args": msg_open(0, PRIVATE, CREX, special(0)) + msg_open(0, PRIVATE, CREX) + [SEND, 0] + special(2)
    + v(1) + [1, 0] + [SEND, 0] + v(0) + v(1) + [0xF0] + special(2) + [0] + [RECEIVE, 0] + v(5) + [0xF0]
    + special(2) + v(1) + [RECEIVE, 0] + v(5) + [1] + special(15) + remove(MSG, 0),
    "set_perm_all_kinds": sem_open(0, PRIVATE, CREX, v(1)) + shm_open(0, PRIVATE, CREX, v(10)) + msg_open(0, PRIVATE, CREX)
    + [SET_PERM, 0, 0, 0] + v(1) + [1, 1] + [SET_PERM, 1, 0, 1, 0] + special(2) + [1] + [SET_PERM, 2, 0, 1, 1, 0]
    + v(0o640) + remove(SEM, 0) + remove(SHM, 0) + remove(MSG, 0) + [SET_PERM, 0, 0, 1, 1, 1],
    "remove_by_absurd_id": sem_open(0, PRIVATE, CREX, v(1)) + [REMOVE, 0, 0, 0x00, 1] + special(2)
    + [REMOVE, 1, 0, 0x00, 1] + special(16) + [REMOVE, 2, 0, 0x00, 2, 0] + [SEM_OPEN_ID, 1, 0, 1] + special(15),
    "mixed_everything": sem_open(0, RANDOM, CREX, v(3), v(1)) + shm_open(1, RANDOM, CREX, v16(5000))
    + msg_open(2, RANDOM, CREX) + [ATTACH, 1, 0, 0] + rw_write(1, v(0), v(200)) + [SEND, 2] + v(0) + v(200)
    + [1, 3] + [SEM_OP, 0, 2] + v(0) + v(2) + [2] + v(2) + v(4) + [1] + T0 + [RECEIVE, 2] + v(5) + [1]
    + v16(300) + rw_read(1, v(0), v(0)) + [0x1F, 1],
    # an address at the top of the address space (SHM_RND) for a removed segment still
    # attached: the kernel's ENOMEM (NO_MEMORY) is an allowed outcome there too
    "shm_removed_attach_high_address": shm_open(0, PRIVATE, CREX, v(10)) + [ATTACH, 0, 0, 0] + remove(SHM, 0)
    + [ATTACH, 0, 2, 3, 0xF8] + list((0xFFFFFFFFFFFF7FFF).to_bytes(8, "little")),
    # more objects than the model's table holds (MAX_OBJS): the opens past it are skipped
    "many_objects": sum((msg_open(i % 4, PRIVATE, CREX) for i in range(70)), []),
}


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(bytes(b & 0xFF for b in data))
    print(f"{len(SEEDS)} seeds in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
