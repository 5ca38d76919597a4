/*
 * test_list.h — every C test, once. X(name) runs `int test_<name>(void)`.
 * CMake reads this file to register one ctest per name; keep one X per line.
 */
#ifndef PIPC_TEST_LIST_H
#define PIPC_TEST_LIST_H

#define PIPC_TEST_LIST(X) \
    X(error_names) \
    X(inspect_list_fields) \
    X(inspect_leaked) \
    X(inspect_limits) \
    X(inspect_json_fields) \
    X(inspect_json_values) \
    X(inspect_limit_error_numbers) \
    X(inspect_removeipc) \
    X(inspect_owner_names) \
    X(inspect_attachers_long_maps_line) \
    X(leak_found_reported_removed) \
    X(leak_every_kind_kept_without_remove) \
    X(leak_dest_segment_skipped) \
    X(leak_older_objects_not_reported) \
    X(leak_remove_and_bad_args) \
    X(leak_copy_outlives_original) \
    X(leak_remove_fails_with_report) \
    X(error_set_clear) \
    X(error_version_pagesize) \
    X(error_thread_local) \
    X(error_restore) \
    X(subject_shm_id) \
    X(subject_key) \
    X(subject_msg_id) \
    X(subject_sem_id) \
    X(subject_max_message_size) \
    X(subject_none) \
    X(key_check) \
    X(key_ftok) \
    X(key_ftok_errors) \
    X(key_random) \
    X(key_open_flag_checks) \
    X(key_limits_enospc) \
    X(sem_open_private) \
    X(sem_initial_value_not_reset) \
    X(sem_creat_creates) \
    X(sem_open_bad_args) \
    X(sem_open_id) \
    X(sem_acquire_release) \
    X(sem_nowait_busy) \
    X(sem_timeout_expiry) \
    X(sem_bad_args) \
    X(sem_semvmx_overflow) \
    X(sem_values) \
    X(sem_op_multi) \
    X(sem_wake_by_other_process) \
    X(sem_removed_while_waiting) \
    X(sem_use_after_remove) \
    X(sem_eintr) \
    X(sem_undo) \
    X(sem_set_perm_stat) \
    X(sem_permissions) \
    X(shm_open_attach_rw) \
    X(shm_detach_to_placeholder) \
    X(shm_fill_byte) \
    X(shm_size_and_fill) \
    X(shm_bounds) \
    X(shm_binary_data) \
    X(shm_overlapping_copy) \
    X(shm_read_only) \
    X(shm_attach_flags) \
    X(shm_open_id) \
    X(shm_open_bad_args) \
    X(shm_use_after_remove) \
    X(shm_hugetlb_noreserve_fill) \
    X(shm_set_perm_stat) \
    X(shm_permissions) \
    X(msg_send_receive) \
    X(msg_type_selection) \
    X(msg_noerror_e2big) \
    X(msg_copy) \
    X(msg_size_limits) \
    X(msg_bad_args) \
    X(msg_open_existing) \
    X(msg_use_after_remove) \
    X(msg_removed_while_waiting) \
    X(msg_blocking_send_woken) \
    X(msg_eintr) \
    X(msg_set_perm_max_bytes) \
    X(msg_permissions) \
    X(runner_called_for_blocking_calls) \
    X(runner_no_wait_try_is_adaptive) \
    X(runner_skip_is_interrupted) \
    /* end */

#endif
