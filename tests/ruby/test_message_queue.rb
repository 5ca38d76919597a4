# frozen_string_literal: true

require_relative "helper"

class TestMessageQueue < Minitest::Test
  include PolyIPCTest

  BINARY = "\x00head\xFFtail\x00".b

  def test_send_receive_binary_safe_ascii_8bit
    q = new_queue
    q.send(BINARY, type: 7)
    data, type = q.receive
    assert_equal BINARY, data
    assert_equal 7, type
    assert_equal Encoding::ASCII_8BIT, data.encoding
    q.send("é") # a String in any encoding is sent as its bytes
    assert_equal ["é".b, 1], q.receive(block: false)
    q.send("")
    assert_equal ["".b, 1], q.receive
  end

  def test_send_refuses_non_strings
    q = new_queue
    [nil, 12, :sym, ["a"], 1.5].each do |bad|
      e = assert_raises(TypeError) { q.send(bad) }
      assert_instance_of PolyIPC::WrongTypeError, e
    end
    assert_equal 0, q.current_messages
  end

  def test_type_selection_and_flags
    q = new_queue
    [3, 1, 2, 1].each_with_index { |t, i| q.send("m#{i}", type: t) }
    assert_equal ["m2", 2], q.receive(type: 2)
    assert_equal ["m1", 1], q.receive(type: -2)
    assert_equal ["m0", 3], q.receive(type: 1, flags: PolyIPC::MSG_EXCEPT)
    assert_equal ["m3", 1], q.receive(flags: PolyIPC::MSG_COPY, block: false)
    assert_equal 1, q.current_messages # MSG_COPY leaves it
    q.receive
    q.send("toolongmessage")
    assert_equal ["toolongmessage", 1], q.receive(flags: PolyIPC::MSG_NOERROR)
  end

  def test_non_blocking_and_sizes
    q = new_queue(max_message_size: 8)
    assert_equal 8, q.max_message_size
    assert_raises(PolyIPC::BusyError) { q.receive(block: false) }
    e = assert_raises(PolyIPC::MessageSizeError) { q.send("123456789") }
    assert_kind_of ArgumentError, e
    assert_raises(PolyIPC::InvalidArgumentError) { q.send("x", type: 0) }
    assert_raises(PolyIPC::InvalidArgumentError) { q.send("x", type: -1) }
    q.max_size = 16 # msg_qbytes: room for two 8-byte messages
    assert_equal 16, q.max_size
    q.send("12345678", block: false)
    q.send("12345678", block: false)
    assert_raises(PolyIPC::BusyError) { q.send("12345678", block: false) }
  end

  def test_open_block_closes_even_on_exception
    named = track(PolyIPC::MessageQueue.new(nil, flags: PolyIPC::IPC_CREX))
    seen = nil
    result = PolyIPC::MessageQueue.open(named.key) do |q|
      seen = q
      q.send("via open")
      :value
    end
    assert_equal :value, result
    assert seen.closed?
    e = assert_raises(PolyIPC::ExistentialError) { seen.receive }
    assert_match(/closed/, e.message)
    assert_raises(RuntimeError) { PolyIPC::MessageQueue.open(named.key) { |q| seen = q; raise "boom" } }
    assert seen.closed?
    assert_equal ["via open", 1], named.receive # the queue itself stays
    q = PolyIPC::MessageQueue.open(named.key, flags: PolyIPC::IPC_CREAT)
    refute q.closed?
    q.close
    assert q.closed?
  end

  def test_attributes
    q = new_queue(mode: 0o640)
    assert_equal 0o640, q.mode
    q.mode = 0o600
    assert_equal 0o600, q.mode
    assert_equal Process.uid, q.uid
    assert_equal Process.gid, q.gid
    assert_equal Process.uid, q.cuid
    assert_equal Process.gid, q.cgid
    assert_equal 0, q.last_send_time
    q.send("x")
    assert_equal 1, q.current_messages
    assert_equal Process.pid, q.last_send_pid
    assert_operator q.last_send_time, :>, 0
    q.receive
    assert_equal Process.pid, q.last_receive_pid
    assert_operator q.last_receive_time, :>, 0
    assert_operator q.last_change_time, :>, 0
    assert_equal "Key=#{q.key}, id=#{q.id}", q.to_s
    assert_raises(NoMethodError) { q.current_messages = 1 }
  end

  def test_remove_and_use_after_remove
    q = new_queue
    q.remove
    assert_raises(PolyIPC::ExistentialError) { q.send("x") }
    assert_raises(PolyIPC::ExistentialError) { q.receive }
    assert_raises(PolyIPC::ExistentialError) { q.current_messages }
    other = PolyIPC::MessageQueue.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX)
    PolyIPC.remove_message_queue(other.id)
    assert_raises(PolyIPC::ExistentialError) { other.receive(block: false) }
  end

  def test_cross_process
    q = new_queue
    q.send(BINARY, type: 4)
    pid = child_value do
      data, type = q.receive
      q.send(data.reverse, type: type + 1)
      Process.pid
    end
    assert_equal [BINARY.reverse, 5], q.receive(block: false)
    assert_equal pid, q.last_send_pid
  end
end
