# frozen_string_literal: true

require_relative "helper"

# Ruby threads around every object kind (issue 12, "Threads"): objects created
# in one thread, used in another, closed, detached or removed in a third; the
# IO::Buffer view of a segment crossing threads; a thread ending while it
# holds a reference; waits blocked in a thread while another removes the
# object (ExistentialError, not a hang). Blocking calls release the GVL, so
# the other threads run meanwhile. Every wait is bounded.
class TestThreads < Minitest::Test
  include PolyIPCTest

  # Runs the block in a thread and returns its value, bounded.
  def in_thread(&block)
    t = Thread.new(&block)
    t.report_on_exception = false
    assert t.join(DEADLINE), "the thread did not finish within #{DEADLINE}s"
    t.value
  end

  # Is a thread of this process sleeping in msgrcv/msgsnd/semop?
  def waits_in?(what)
    Dir["/proc/self/task/*/wchan"].any? do |f|
      w = File.read(f) rescue ""
      w.include?("do_#{what}") || w.include?("sys_#{what}")
    end
  end

  def test_semaphore_across_threads
    sem = in_thread { track(PolyIPC::Semaphore.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX, initial_value: 1)) }
    inside = in_thread { sem.synchronize { sem.value } }
    assert_equal 0, inside
    in_thread { sem.release(delta: 2) }
    assert_equal 3, sem.value
    in_thread { sem.remove }
    assert_raises(PolyIPC::ExistentialError) { sem.value }
  end

  def test_semaphore_set_across_threads
    set = in_thread { track(PolyIPC::SemaphoreSet.new(PolyIPC::IPC_PRIVATE, nsems: 3, flags: PolyIPC::IPC_CREX)) }
    in_thread { set.op([[0, 1], [2, 4]]) }
    assert_equal [1, 0, 4], in_thread { set.values }
    in_thread { set.remove }
    assert_raises(PolyIPC::ExistentialError) { set.values }
  end

  def test_shared_memory_across_threads
    shm = in_thread { new_shm(size: 64) }
    in_thread { shm.write("from a thread", offset: 3) }
    assert_equal "from a thread", shm.read(13, offset: 3)
    in_thread { shm.detach }
    refute shm.attached?
    assert_raises(PolyIPC::NotAttachedError) { shm.read }
    in_thread { shm.attach }
    assert_equal "from a thread", shm.read(13, offset: 3)
  end

  def test_message_queue_across_threads_and_close
    named = track(PolyIPC::MessageQueue.new(nil, flags: PolyIPC::IPC_CREX)) # removed by teardown
    q = in_thread { PolyIPC::MessageQueue.new(named.key) } # the handle that gets closed
    receiver = Thread.new { q.receive }
    wait_blocked(receiver)
    in_thread { q.send("across\0threads", type: 7) }
    assert receiver.join(DEADLINE)
    assert_equal ["across\0threads", 7], receiver.value
    in_thread { q.close }
    assert q.closed?
    assert_raises(PolyIPC::ExistentialError) { q.send("x") }
    in_thread { named.remove }
    assert_raises(PolyIPC::ExistentialError) { named.current_messages }
  end

  def test_buffer_crosses_threads
    skip "IO::Buffer needs Ruby 3.1" unless defined?(IO::Buffer)
    shm = new_shm(size: 64)
    buf = in_thread { shm.buffer }
    in_thread { shm.write("hello") }
    assert_equal "hello", buf.get_string(0, 5)
    assert_equal "hello", in_thread { buf.get_string(0, 5) }
    in_thread { shm.detach }
    # the buffer was invalidated before the detach, in whichever thread
    assert_raises(IO::Buffer::AllocationError) { buf.get_string(0, 5) }
    assert_raises(IO::Buffer::AllocationError) { in_thread { buf.get_string(0, 5) } }
    in_thread { shm.attach }
    assert_equal "hello", in_thread { shm.buffer.get_string(0, 5) }
  end

  def test_thread_ending_with_a_buffer
    skip "IO::Buffer needs Ruby 3.1" unless defined?(IO::Buffer)
    shm = new_shm(size: 16, init_character: "t")
    got = in_thread { b = shm.buffer; b.get_string(0, 2) }
    assert_equal "tt", got
    GC.start
    shm.detach # the thread's buffer is the object's one: invalidated, no crash
    shm.attach
    assert_equal "tt", shm.read(2)
  end

  def test_buffers_and_detach_in_many_threads
    skip "IO::Buffer needs Ruby 3.1" unless defined?(IO::Buffer)
    shm = new_shm(size: 256, init_character: "z")
    mutex = Mutex.new # attach/detach and buffer reads of one object are serialised
    threads = 4.times.map do |i|
      Thread.new do
        bad = 0
        300.times do |n|
          mutex.synchronize do
            shm.attach unless shm.attached?
            bad += 1 unless shm.buffer.get_string(0, 256) == "z" * 256
            shm.detach if (n + i) % 50 == 0
          end
          Thread.pass
        end
        bad
      end
    end
    assert_equal [0, 0, 0, 0], threads.map { |t| t.join(DEADLINE) && t.value }
  end

  FORMS = %i[acquire synchronize Z op receive send].freeze

  FORMS.each do |form|
    define_method("test_remove_wakes_a_thread_waiting_in_#{form}") do
      sem = new_sem
      set = track(PolyIPC::SemaphoreSet.new(PolyIPC::IPC_PRIVATE, nsems: 2, flags: PolyIPC::IPC_CREX))
      q = new_queue
      sem.value = 1 if form == :Z
      if form == :send
        q.max_size = 1
        q.send("x")
      end
      waiter = Thread.new do
        case form
        when :acquire then sem.acquire(timeout: DEADLINE)
        when :synchronize then sem.synchronize(timeout: DEADLINE) { :ran }
        when :Z then sem.Z(timeout: DEADLINE)
        when :op then set.op([[1, -1]], timeout: DEADLINE)
        when :receive then q.receive
        when :send then q.send("y")
        end
        :returned
      rescue PolyIPC::Error => e
        e.class
      end
      case form
      when :acquire, :synchronize then wait_until { sem.waiting_for_nonzero == 1 }
      when :Z then wait_until { sem.waiting_for_zero == 1 }
      when :op then wait_until { waits_in?("sem") }
      else wait_until { waits_in?("msg") }
      end
      { op: set, receive: q, send: q }.fetch(form, sem).remove
      assert waiter.join(DEADLINE), "#{form}: the waiter did not wake"
      assert_equal PolyIPC::ExistentialError, waiter.value
    end
  end

  def test_threads_count_exactly_under_a_semaphore
    sem = new_sem(initial_value: 1)
    shm = new_shm(size: 8)
    shm.write([0].pack("Q<"))
    threads = 4.times.map do
      Thread.new do
        300.times do
          sem.synchronize do
            v = shm.read(8).unpack1("Q<")
            Thread.pass
            shm.write([v + 1].pack("Q<"))
          end
        end
      end
    end
    threads.each { |t| assert t.join(DEADLINE) }
    assert_equal 1200, shm.read(8).unpack1("Q<")
    assert_equal 1, sem.value
  end
end
