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

  def test_receive_into_a_buffer
    q = new_queue
    buf = +"previous content, in UTF-8: é"
    q.send(BINARY, type: 4)
    data, type = q.receive(buffer: buf)
    assert_same buf, data
    assert_equal [BINARY, 4], [buf, type]
    assert_equal Encoding::ASCII_8BIT, buf.encoding
    q.send("a", type: 2)
    q.send("b", type: 3)
    assert_equal ["b", 3], q.receive(type: 3, buffer: buf, block: false)
    assert_equal ["a", 2], q.receive(flags: PolyIPC::MSG_COPY, block: false, buffer: buf)
    assert_equal ["a", 2], q.receive(buffer: nil)
    # a failing receive leaves the buffer as it was
    before = buf.dup
    assert_raises(PolyIPC::BusyError) { q.receive(block: false, buffer: buf) }
    assert_equal before, buf
    assert_raises(FrozenError) { q.receive(block: false, buffer: "x".freeze) }
    e = assert_raises(TypeError) { q.receive(buffer: 1) }
    assert_instance_of PolyIPC::WrongTypeError, e
    parent = "P" * 100
    sub = parent[5, 60]
    q.send("shared")
    q.receive(buffer: sub)
    assert_equal ["shared", "P" * 100], [sub, parent]
  end

  # The buffer is checked when the call starts; another thread may freeze it
  # (or lock it, as IO#read does with its outbuf) while the receive waits.
  # The message, already taken from the queue, then comes in a new String and
  # the buffer is left as it is: never a FrozenError with the message lost.
  def test_receive_into_a_buffer_frozen_while_it_waits
    q = new_queue(max_message_size: 64)
    buf = +"before"
    t = Thread.new { q.receive(buffer: buf) }
    wait_blocked(t)
    buf.freeze
    q.send("precious", type: 7)
    data, type = t.value
    assert_equal ["precious", 7], [data, type]
    refute_same buf, data
    assert_equal "before", buf
    assert_raises(PolyIPC::BusyError) { q.receive(block: false) } # nothing left behind
    # above the stack size the buffer is locked while the receive waits: it cannot be frozen
    big = new_queue(max_message_size: 100_000)
    buf = +"before"
    t = Thread.new { big.receive(buffer: buf) }
    wait_blocked(t)
    assert_raises(RuntimeError) { buf.freeze }
    big.send("precious", type: 8)
    assert_equal [["precious", 8], true], [t.value, t.value[0].equal?(buf)]
  end

  def test_receive_into_a_buffer_above_the_stack_size
    q = new_queue(max_message_size: 100_000) # received straight into the (locked) buffer
    buf = +"x"
    q.send("y" * 8000, type: 9)
    assert_equal ["y" * 8000, 9], q.receive(buffer: buf)
    assert_equal 8000, buf.bytesize
    buf << "still modifiable" # unlocked again
    before = buf.dup
    assert_raises(PolyIPC::BusyError) { q.receive(block: false, buffer: buf) }
    assert_equal before, buf
    q.send("short")
    assert_equal ["short", 1], q.receive(buffer: buf)
    assert_equal ["", 1], (q.send(""); q.receive) # and without a buffer
  end

  def test_keyword_errors_are_rubys
    q = new_queue
    e = assert_raises(ArgumentError) { q.receive(tpye: 1) }
    assert_equal "unknown keyword: :tpye", e.message
    e = assert_raises(ArgumentError) { q.send("x", blok: false, typ: 2) }
    assert_equal "unknown keywords: :blok, :typ", e.message
    e = assert_raises(ArgumentError) { q.receive(1) }
    assert_equal "wrong number of arguments (given 1, expected 0)", e.message
    e = assert_raises(ArgumentError) { q.send }
    assert_equal "wrong number of arguments (given 0, expected 1)", e.message
    assert_equal 0, q.current_messages
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
    # closed, not "never initialised" (WrongTypeError, test_constructors.rb)
    e = assert_raises(PolyIPC::ExistentialError) { seen.receive }
    assert_equal "MessageQueue: the handle is closed", e.message
    assert_equal "#<PolyIPC::MessageQueue (closed)>", seen.inspect
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
