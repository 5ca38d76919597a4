# frozen_string_literal: true

require_relative "helper"
require "pathname"

class TestModule < Minitest::Test
  include PolyIPCTest

  def test_constants
    assert_equal 0o1000, PolyIPC::IPC_CREAT
    assert_equal 0o2000, PolyIPC::IPC_EXCL
    assert_equal PolyIPC::IPC_CREAT | PolyIPC::IPC_EXCL, PolyIPC::IPC_CREX
    assert_equal 0, PolyIPC::IPC_PRIVATE
    %i[IPC_NOWAIT SEM_UNDO SHM_RDONLY SHM_RND SHM_HUGETLB SHM_NORESERVE SHM_REMAP
       MSG_NOERROR MSG_EXCEPT MSG_COPY].each { |c| assert_kind_of Integer, PolyIPC.const_get(c), c }
    assert_equal(-2**31, PolyIPC::KEY_MIN)
    assert_equal 2**31 - 1, PolyIPC::KEY_MAX
    assert_equal 32_767, PolyIPC::SEMAPHORE_VALUE_MAX
    assert_equal Integer(`getconf PAGESIZE`), PolyIPC::PAGE_SIZE
    assert_match(/\A\d+\.\d+\.\d+\z/, PolyIPC::VERSION)
  end

  def test_keys_outside_key_t_are_rejected_not_truncated
    assert_raises(PolyIPC::InvalidArgumentError) { PolyIPC::Semaphore.new(PolyIPC::KEY_MAX + 1, flags: PolyIPC::IPC_CREAT) }
    assert_raises(PolyIPC::InvalidArgumentError) { PolyIPC::Semaphore.new(PolyIPC::KEY_MIN - 1, flags: PolyIPC::IPC_CREAT) }
  end

  def test_ftok
    key = PolyIPC.ftok(__FILE__, 7, silence_warning: true)
    assert_kind_of Integer, key
    assert_equal key, PolyIPC.ftok(Pathname(__FILE__), 7, silence_warning: true)
    _, err = capture_io { PolyIPC.ftok(__FILE__, 7) }
    assert_match(/ftok/, err)
    e = assert_raises(PolyIPC::SyscallError) { PolyIPC.ftok("/no/such/file", 1, silence_warning: true) }
    assert_equal Errno::ENOENT::Errno, e.errno
  end

  def test_remove_functions
    sem = PolyIPC::Semaphore.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX)
    shm = PolyIPC::SharedMemory.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX)
    q = PolyIPC::MessageQueue.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX)
    PolyIPC.remove_semaphore(sem.id)
    PolyIPC.remove_shared_memory(shm.id)
    PolyIPC.remove_message_queue(q.id)
    shm.detach
    assert_raises(PolyIPC::ExistentialError) { sem.value }
    assert_raises(PolyIPC::ExistentialError) { shm.mode }
    assert_raises(PolyIPC::ExistentialError) { q.mode }
    assert_raises(PolyIPC::ExistentialError) { PolyIPC.remove_semaphore(sem.id) }
  end

  # Root bypasses IPC permission checks: the child drops to nobody first.
  def test_permissions_error_as_another_user
    sem = track(PolyIPC::Semaphore.new(nil, flags: PolyIPC::IPC_CREX, mode: 0o600))
    shm = track(PolyIPC::SharedMemory.new(nil, flags: PolyIPC::IPC_CREX, mode: 0o600, size: 16))
    q = track(PolyIPC::MessageQueue.new(nil, flags: PolyIPC::IPC_CREX, mode: 0o600))
    shm.detach
    value = child_value do
      Process.groups = []
      Process::GID.change_privilege(65_534)
      Process::UID.change_privilege(65_534)
      [-> { PolyIPC::Semaphore.new(sem.key) }, -> { sem.value }, -> { sem.mode = 0o666 },
       -> { PolyIPC::SharedMemory.new(shm.key) }, -> { shm.attach },
       -> { PolyIPC::MessageQueue.new(q.key) }, -> { q.receive(block: false) }, -> { q.send("x") }].map do |call|
        call.call
        :no_error
      rescue PolyIPC::Error => e
        [e.class.name, e.errno]
      end
    end
    assert_equal 8, value.size
    value.each do |name, errno|
      assert_equal "PolyIPC::PermissionsError", name
      assert_includes [Errno::EACCES::Errno, Errno::EPERM::Errno], errno
    end
  end
end
