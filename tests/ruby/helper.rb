# frozen_string_literal: true

# Shared helpers of the Ruby tests: cleanup of every kernel object a test
# creates, bounded waits, and running a case in a forked child so that a crash
# (or a hang) fails the test instead of killing the run.
require "minitest/autorun"
require "polyipc"
require "polyipc/testing"

module PolyIPCTest
  # Every test fails when it leaves a new System V object behind (after the
  # cleanup below); built on PolyIPC.list.
  include PolyIPC::Testing::LeakGuard

  # How long any single wait in a test may take before it fails.
  DEADLINE = 10

  def setup
    @created = []
  end

  # Removes everything the test registered with #track, even when it failed.
  def teardown
    @created.reverse_each do |obj|
      obj.detach if obj.is_a?(PolyIPC::SharedMemory) && obj.attached?
      obj.remove
    rescue PolyIPC::Error
      nil # already removed by the test
    end
  end

  # Registers a kernel object for removal in teardown; returns it.
  def track(obj)
    @created << obj
    obj
  end

  def new_sem(**kw)
    track(PolyIPC::Semaphore.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX, **kw))
  end

  def new_shm(**kw)
    track(PolyIPC::SharedMemory.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX, **kw))
  end

  def new_queue(**kw)
    track(PolyIPC::MessageQueue.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX, **kw))
  end

  def self.now
    Process.clock_gettime(Process::CLOCK_MONOTONIC)
  end

  def now
    PolyIPCTest.now
  end

  # Spins (yielding the GVL) until the block is true; raises after `limit`
  # seconds. Used to wait for another thread to be blocked in a call.
  def self.wait_until(limit = DEADLINE)
    deadline = now + limit
    until yield
      raise "condition not reached within #{limit}s" if now > deadline

      sleep 0.001 # a native sleep: lets this thread process pending signals for the VM
    end
  end

  def wait_until(limit = DEADLINE, &block)
    PolyIPCTest.wait_until(limit, &block)
  end

  # Waits until `thread` is blocked (sleeping) in a call.
  def wait_blocked(thread)
    wait_until { thread.status == "sleep" || thread.status.nil? || thread.status == false }
  end

  # Runs the block in a forked child and returns [:ok, value] or
  # [:raised, class_name, message, errno]. Fails the test if the child is
  # killed by a signal (a crash) or does not finish within `timeout` seconds.
  # The child never runs at_exit hooks (exit!), so minitest does not rerun.
  def in_child(timeout: DEADLINE)
    reader, writer = IO.pipe
    pid = fork do
      reader.close
      result = begin
        [:ok, yield]
      rescue Exception => e # rubocop:disable Lint/RescueException
        [:raised, e.class.name, e.message, e.respond_to?(:errno) ? e.errno : nil]
      end
      data = begin
        Marshal.dump(result)
      rescue TypeError
        Marshal.dump([:ok, result[1].inspect])
      end
      writer.write(data)
      writer.close
      exit!(0)
    end
    writer.close
    ready = IO.select([reader], nil, nil, timeout)
    data = ready ? reader.read : nil
    reader.close
    unless data
      Process.kill(:KILL, pid)
      Process.wait(pid)
      flunk "child did not finish within #{timeout}s"
    end
    _, status = Process.wait2(pid)
    flunk "child crashed: #{status.inspect}" if status.signaled?
    flunk "child exited #{status.exitstatus} without a result" if data.empty?
    Marshal.load(data) # rubocop:disable Security/MarshalLoad
  end

  # Runs the block in a child and returns its value; fails if it raised.
  def child_value(timeout: DEADLINE, &block)
    result = in_child(timeout: timeout, &block)
    assert_equal :ok, result[0], "child raised: #{result.inspect}"
    result[1]
  end

  # Asserts that the block, run in a child, raises `klass` (or a subclass).
  def assert_child_raises(klass, &block)
    result = in_child(&block)
    assert_equal :raised, result[0], "expected #{klass}, child returned #{result.inspect}"
    raised = Object.const_get(result[1])
    assert raised <= klass, "expected #{klass}, child raised #{result[1]}: #{result[2]}"
    result
  end
end
