# frozen_string_literal: true

require_relative "helper"

# The error hierarchy is generated from the core's one table.
class TestErrors < Minitest::Test
  include PolyIPCTest

  HEADER = File.expand_path("../../core/include/polyipc.h", __dir__)

  # [code, ClassName, ruby_base] rows of PIPC_ERROR_TABLE, read from the header.
  def table
    File.read(HEADER).scan(/X\((-\d+), \w+, (\w+), \w+, (\w+),/).map { |c, n, b| [Integer(c), n, b] }
  end

  def test_every_kind_of_the_core_table_is_a_class
    rows = table
    assert_equal 13, rows.size
    rows.each do |_code, name, base|
      cls = PolyIPC.const_get(name)
      assert_kind_of Class, cls
      assert_operator cls, :<, Object.const_get(base), name
      assert_operator cls, :<, PolyIPC::Error, name
      assert_operator cls, :<=, PolyIPC::Error, name
      e = cls.new("x")
      assert_kind_of PolyIPC::Error, e
      assert_kind_of StandardError, e
      assert_equal 0, e.errno
      assert(PolyIPC::Error === e, name)
    end
    assert_operator PolyIPC::Error, :<, StandardError
  end

  def test_argument_errors_are_also_builtin_argument_and_type_errors
    assert_operator PolyIPC::InvalidArgumentError, :<, ArgumentError
    assert_operator PolyIPC::MessageSizeError, :<, ArgumentError
    assert_operator PolyIPC::WrongTypeError, :<, TypeError
    sem = new_sem
    e = assert_raises(ArgumentError) { sem.acquire(delta: 0) }
    assert_instance_of PolyIPC::InvalidArgumentError, e
    e = assert_raises(TypeError) { sem.acquire(delta: "1") }
    assert_instance_of PolyIPC::WrongTypeError, e
    # ... and still caught by rescue PolyIPC::Error
    caught = begin
      sem.release(delta: nil)
    rescue PolyIPC::Error => e
      e
    end
    assert_instance_of PolyIPC::WrongTypeError, caught
    q = new_queue(max_message_size: 4)
    e = assert_raises(PolyIPC::Error) { q.send("12345") }
    assert_instance_of PolyIPC::MessageSizeError, e
    assert_kind_of ArgumentError, e
  end

  def test_subclass_checks_stay_exact
    refute(PolyIPC::BusyError === PolyIPC::InvalidArgumentError.new("x"))
    refute(PolyIPC::InvalidArgumentError === PolyIPC::BusyError.new("x"))
    refute_operator PolyIPC::BusyError, :<, ArgumentError
    refute PolyIPC::BusyError.new("x").is_a?(PolyIPC::ExistentialError)
    refute(PolyIPC::Error === ArgumentError.new("plain"))
    assert_nil(PolyIPC::WrongTypeError <=> String)
  end

  def test_errno_code_and_message_come_from_the_core
    sem = new_sem
    sem.block = false
    e = assert_raises(PolyIPC::BusyError) { sem.acquire }
    assert_equal Errno::EAGAIN::Errno, e.errno
    assert_equal(-3, e.code)
    assert_match(/semop/, e.message)
    e = assert_raises(PolyIPC::ExistentialError) { PolyIPC::MessageQueue.new(0x7ffffff0) }
    assert_equal Errno::ENOENT::Errno, e.errno
    assert_match(/msgget/, e.message)
  end

  def test_nothing_returns_nil_for_a_failure
    q = new_queue
    assert_raises(PolyIPC::BusyError) { q.receive(block: false) }
    shm = new_shm(size: 16)
    shm.detach
    assert_raises(PolyIPC::NotAttachedError) { shm.read(1) }
    assert_raises(PolyIPC::NotAttachedError) { shm.detach }
  end
end
