# frozen_string_literal: true

# SemaphoreSet: atomic multi-operation sets, with Ruby keywords and accessors.
require_relative "helper"

class TestSemaphoreSet < Minitest::Test
  include PolyIPCTest

  def setup
    super
    @s = track(PolyIPC::SemaphoreSet.new(PolyIPC::IPC_PRIVATE, nsems: 3, flags: PolyIPC::IPC_CREX,
                                                               initial_value: 1))
  end

  def test_op_is_atomic_all_or_nothing
    @s.values = [2, 0, 5]
    assert_raises(PolyIPC::BusyError) { @s.op([[0, -1], [1, -1, PolyIPC::IPC_NOWAIT], [2, 3]]) }
    assert_equal [2, 0, 5], @s.values
    @s.op([[0, -2], [1, 4], [2, -5]], timeout: 0)
    assert_equal [0, 4, 0], @s.to_a
    assert_equal 4, @s[1]
    assert_equal 4, @s.get_value(1)
  end

  def test_accessors_and_attributes
    assert_equal [1, 1, 1], @s.values
    assert_equal 3, @s.nsems
    assert_equal 3, @s.size
    @s[2] = 7
    assert_equal [1, 1, 7], @s.values
    @s.set_value(0, 0)
    assert_equal 0, @s[0]
    @s.op([[1, 1]])
    assert_equal Process.pid, @s.last_pid(1)
    assert_equal 0, @s.waiting_for_nonzero(0)
    assert_equal 0, @s.waiting_for_zero(0)
    assert_equal 0o600, @s.mode
    @s.mode = 0o640
    assert_equal 0o640, @s.mode
    assert_equal Process.uid, @s.uid
    assert_equal Process.uid, @s.cuid
    assert_operator @s.o_time, :>, 0
    assert_equal "Key=0, id=#{@s.id}, nsems=#{@s.nsems}", @s.to_s
    assert_equal "#<PolyIPC::SemaphoreSet Key=0, id=#{@s.id}, nsems=#{@s.nsems}>", @s.inspect
    assert_raises(TypeError) { @s.dup }
  end

  def test_timeout_and_interrupt
    t0 = now
    assert_raises(PolyIPC::BusyError) { @s.op([[0, -2]], timeout: 0.05) }
    assert_operator now - t0, :>=, 0.04
    value = child_value do
      waiter = Thread.new do
        @s.op([[0, -1], [1, -2]])
        :returned
      rescue IOError
        :interrupted
      end
      wait_until { @s.waiting_for_nonzero(1) == 1 }
      waiter.raise(IOError)
      [waiter.join(2)&.value, @s.values]
    end
    assert_equal [:interrupted, [1, 1, 1]], value
  end

  def test_bad_operations_are_refused
    assert_raises(PolyIPC::WrongTypeError) { @s.op("nope") }
    assert_raises(PolyIPC::WrongTypeError) { @s.op([[0]]) }
    assert_raises(PolyIPC::WrongTypeError) { @s.op([["0", 1]]) }
    assert_raises(PolyIPC::InvalidArgumentError) { @s.op([[3, 1]]) }
    assert_raises(PolyIPC::InvalidArgumentError) { @s.op([[0, 1 << 70]]) }
    assert_raises(PolyIPC::InvalidArgumentError) { @s.values = [1, 2] }
    assert_raises(PolyIPC::InvalidArgumentError) { @s[5] }
    assert_raises(PolyIPC::WrongTypeError) { @s.op([[0, 1]], timeout: "soon") }
    assert_equal [1, 1, 1], @s.values
    assert_child_raises(PolyIPC::WrongTypeError) { PolyIPC::SemaphoreSet.allocate.values }
    assert_child_raises(PolyIPC::WrongTypeError) { @s.op([[0, 1]] * 3 + [nil]) }
  end

  def test_use_after_remove
    @s.remove
    assert_raises(PolyIPC::ExistentialError) { @s.values }
    assert_raises(PolyIPC::ExistentialError) { @s.op([[0, 1]]) }
  end
end
