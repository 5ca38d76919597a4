# Foundation smoke test: the extension loads, exposes the error taxonomy, and
# makes one real call on each primitive.
require "minitest/autorun"
require "polyipc"

class TestSmoke < Minitest::Test
  def test_error_classes_come_from_the_core_table
    %w[ExistentialError PermissionsError BusyError NotAttachedError InternalError].each do |n|
      assert_operator PolyIPC.const_get(n), :<, PolyIPC::Error
    end
    assert_operator PolyIPC::Error, :<, StandardError
  end

  def test_semaphore_release_and_value
    sem = PolyIPC::Semaphore.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX, initial_value: 2)
    begin
      sem.release
      assert_equal 3, sem.value
      sem.block = false
      sem.acquire(delta: 3)
      e = assert_raises(PolyIPC::BusyError) { sem.acquire }
      assert_equal Errno::EAGAIN::Errno, e.errno
    ensure
      sem.remove
    end
    assert_raises(PolyIPC::ExistentialError) { sem.value }
  end

  def test_shared_memory_write_read
    shm = PolyIPC::SharedMemory.new(nil, flags: PolyIPC::IPC_CREX, size: 64)
    begin
      shm.write("a\x00b\xff".b, offset: 10)
      data = shm.read(4, offset: 10)
      assert_equal "a\x00b\xff".b, data
      assert_equal Encoding::ASCII_8BIT, data.encoding
    ensure
      shm.detach
      shm.remove
    end
  end

  def test_message_queue_send_receive
    q = PolyIPC::MessageQueue.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX)
    begin
      q.send("\x00hi\xff".b, type: 7)
      assert_equal 1, q.current_messages
      assert_equal ["\x00hi\xff".b, 7], q.receive
      assert_raises(PolyIPC::BusyError) { q.receive(block: false) }
    ensure
      q.remove
    end
  end
end
