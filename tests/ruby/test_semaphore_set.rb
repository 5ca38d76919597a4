# SemaphoreSet: atomic multi-operation sets.
require "minitest/autorun"
require "polyipc"

class TestSemaphoreSet < Minitest::Test
  def setup
    @s = PolyIPC::SemaphoreSet.new(PolyIPC::IPC_PRIVATE, 3, PolyIPC::IPC_CREX, 0o600, 1)
  end

  def teardown
    @s.remove
  rescue PolyIPC::ExistentialError
    nil
  end

  def test_op_is_atomic_all_or_nothing
    @s.set_values([2, 0, 5])
    assert_raises(PolyIPC::BusyError) { @s.op([[0, -1], [1, -1, PolyIPC::IPC_NOWAIT], [2, 3]]) }
    assert_equal [2, 0, 5], @s.get_values
    @s.op([[0, -2], [1, 4], [2, -5]], 0)
    assert_equal [0, 4, 0], @s.get_values
    assert_equal 4, @s.get_value(1)
  end

  def test_bad_operations_are_refused
    assert_raises(PolyIPC::WrongTypeError) { @s.op("nope") }
    assert_raises(PolyIPC::WrongTypeError) { @s.op([[0]]) }
    assert_raises(PolyIPC::WrongTypeError) { @s.op([["0", 1]]) }
    assert_raises(PolyIPC::InvalidArgumentError) { @s.op([[3, 1]]) }
    assert_raises(PolyIPC::InvalidArgumentError) { @s.op([[0, 1 << 70]]) }
    assert_raises(PolyIPC::InvalidArgumentError) { @s.set_values([1, 2]) }
    assert_equal [1, 1, 1], @s.get_values
  end

  def test_use_after_remove
    @s.remove
    assert_raises(PolyIPC::ExistentialError) { @s.get_values }
  end
end
