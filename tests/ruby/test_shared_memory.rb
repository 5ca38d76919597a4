# frozen_string_literal: true

require_relative "helper"

class TestSharedMemory < Minitest::Test
  include PolyIPCTest

  BINARY = "a\x00b\xFF\xFEz".b

  def test_read_write_keywords_binary_safe
    shm = new_shm(size: 64)
    assert_equal 64, shm.size
    shm.write(BINARY, offset: 10)
    data = shm.read(BINARY.bytesize, offset: 10)
    assert_equal BINARY, data
    assert_equal Encoding::ASCII_8BIT, data.encoding
    assert_equal 64, shm.read.bytesize # 0 = to the end
    assert_equal 4, shm.read(1000, offset: 60).bytesize # clamped
    shm.write("é") # any encoding: its bytes
    assert_equal "é".b, shm.read(2)
    assert_raises(PolyIPC::InvalidArgumentError) { shm.read(1, offset: 64) }
    assert_raises(PolyIPC::InvalidArgumentError) { shm.read(1, offset: -1) }
    assert_raises(PolyIPC::InvalidArgumentError) { shm.write("x", offset: 64) }
    assert_raises(PolyIPC::InvalidArgumentError) { shm.write("x" * 65) }
    assert_raises(TypeError) { shm.write(12) }
    assert_raises(TypeError) { shm.write(:sym) }
  end

  def test_read_into_a_buffer_like_io_read_outbuf
    shm = new_shm(size: 64)
    shm.write(BINARY, offset: 3)
    buf = +"previous content, longer than six bytes, in UTF-8: é"
    assert_same buf, shm.read(BINARY.bytesize, offset: 3, buffer: buf)
    assert_equal BINARY, buf
    assert_equal Encoding::ASCII_8BIT, buf.encoding
    assert_same buf, shm.read(buffer: buf) # byte_count 0: to the end, the buffer grows
    assert_equal 64, buf.bytesize
    assert_equal BINARY, buf.byteslice(3, BINARY.bytesize)
    assert_equal " " * 3, shm.read(3, buffer: buf) # shrinks to what was read
    assert_equal " " * 3, buf
    assert_equal BINARY, shm.read(BINARY.bytesize, offset: 3, buffer: nil) # nil: a new String
    # a shared substring is unshared first: its parent is untouched
    parent = "P" * 100
    sub = parent[10, 50]
    shm.read(6, offset: 3, buffer: sub)
    assert_equal BINARY, sub
    assert_equal "P" * 100, parent
    # a huge buffer is cut to the bytes read
    huge = "h" * (4 << 20)
    shm.read(2, offset: 3, buffer: huge)
    assert_equal BINARY[0, 2], huge
  end

  def test_read_buffer_errors_leave_it_unchanged
    shm = new_shm(size: 64)
    buf = +"keep é"
    assert_raises(PolyIPC::InvalidArgumentError) { shm.read(1, offset: 64, buffer: buf) }
    assert_raises(PolyIPC::InvalidArgumentError) { shm.read(-1, buffer: buf) }
    assert_equal "keep é", buf
    assert_equal Encoding::UTF_8, buf.encoding
    assert_raises(FrozenError) { shm.read(1, buffer: "frozen".freeze) }
    [1, :sym, ["a"], Object.new].each do |bad|
      e = assert_raises(TypeError) { shm.read(1, buffer: bad) }
      assert_instance_of PolyIPC::WrongTypeError, e
    end
    assert_raises(ArgumentError) { shm.read(1, buffr: buf) }
    shm.detach
    assert_raises(PolyIPC::NotAttachedError) { shm.read(1, buffer: buf) }
    assert_equal "keep é", buf
  end

  def test_reading_into_a_buffer_allocates_no_string
    shm = new_shm(size: 1 << 20)
    shm.write("z" * 100, offset: 5)
    buf = String.new(capacity: 1 << 20)
    shm.read(buffer: buf)
    before = GC.stat(:total_allocated_objects)
    100.times { shm.read(buffer: buf) }
    allocated = GC.stat(:total_allocated_objects) - before
    # only the keyword Hash Ruby builds for a C method's keywords (1 per call);
    # a new String per read would add another 100
    assert_operator allocated, :<=, 110
    assert_equal "z" * 100, buf.byteslice(5, 100)
    before = GC.stat(:total_allocated_objects)
    100.times { shm.read }
    assert_operator GC.stat(:total_allocated_objects) - before, :>=, 100 # the counter sees Strings
  end

  def test_keyword_errors_are_rubys
    shm = new_shm(size: 64)
    e = assert_raises(ArgumentError) { shm.read(1, ofset: 1) }
    assert_equal "unknown keyword: :ofset", e.message
    e = assert_raises(ArgumentError) { shm.write("x", 1) }
    assert_equal "wrong number of arguments (given 2, expected 1)", e.message
    e = assert_raises(ArgumentError) { shm.read(1, 2) }
    assert_equal "wrong number of arguments (given 2, expected 0..1)", e.message
    e = assert_raises(ArgumentError) { shm.write }
    assert_equal "wrong number of arguments (given 0, expected 1)", e.message
    options = { offset: 2 }
    shm.write("ab", **options)
    assert_equal "ab", shm.read(2, **options)
    assert_equal({ offset: 2 }, options) # the caller's Hash is not consumed
    # a Hash given positionally is a positional argument (Ruby 3), not keywords
    assert_raises(PolyIPC::WrongTypeError) { shm.read({ offset: 2 }) }
  end

  def test_new_segment_filled_with_init_character_and_default_size
    shm = new_shm(init_character: "\xAB".b)
    assert_equal PolyIPC::PAGE_SIZE, shm.size
    assert_equal "\xAB".b * PolyIPC::PAGE_SIZE, shm.read
    assert_raises(PolyIPC::WrongTypeError) { new_shm(init_character: "ab") }
    assert_raises(PolyIPC::WrongTypeError) { new_shm(init_character: 65) }
  end

  def test_read_only_attach
    shm = track(PolyIPC::SharedMemory.new(nil, flags: PolyIPC::IPC_CREX, size: 16))
    shm.write("hello")
    ro = PolyIPC.attach(shm.id, flags: PolyIPC::SHM_RDONLY)
    assert_equal "hello", ro.read(5)
    e = assert_raises(PolyIPC::ReadOnlyError) { ro.write("x") }
    assert_kind_of PolyIPC::Error, e
    ro.detach
    # a mode without owner write attaches read-only (sysv_ipc's rule)
    ro = PolyIPC::SharedMemory.new(shm.key, mode: 0o400)
    assert_equal "hello", ro.read(5)
    assert_raises(PolyIPC::ReadOnlyError) { ro.write("x") }
    ro.detach
  end

  def test_attach_detach_and_attached_predicate
    shm = new_shm(size: 16)
    assert_equal true, shm.attached?
    assert_operator shm.address, :>, 0
    shm.detach
    assert_equal false, shm.attached?
    assert_equal 0, shm.address
    assert_raises(PolyIPC::NotAttachedError) { shm.read }
    assert_raises(PolyIPC::NotAttachedError) { shm.write("x") }
    assert_raises(PolyIPC::NotAttachedError) { shm.detach }
    shm.attach
    assert shm.attached?
    shm.attach(flags: PolyIPC::SHM_RDONLY)
    assert_raises(PolyIPC::ReadOnlyError) { shm.write("x") }
  end

  def test_open_block_detaches_even_on_exception
    seen = nil
    named = track(PolyIPC::SharedMemory.new(nil, flags: PolyIPC::IPC_CREX, size: 32))
    named.write("via key")
    result = PolyIPC::SharedMemory.open(named.key) do |s|
      seen = s
      assert s.attached?
      s.read(7)
    end
    assert_equal "via key", result
    refute seen.attached?
    assert_raises(RuntimeError) do
      PolyIPC::SharedMemory.open(named.key) do |s|
        seen = s
        raise "boom"
      end
    end
    refute seen.attached?
    plain = PolyIPC::SharedMemory.open(named.key)
    assert plain.attached?
    plain.detach
  end

  def test_module_attach_by_id
    shm = new_shm(size: 16)
    shm.write("by id")
    other = PolyIPC.attach(shm.id)
    assert_equal shm.id, other.id
    assert_equal shm.key, other.key
    assert_equal "by id", other.read(5)
    other.detach
    assert_raises(PolyIPC::ExistentialError) { PolyIPC.attach(0x7ffffff0) }
    assert_raises(PolyIPC::WrongTypeError) { PolyIPC.attach("1") }
  end

  def test_attributes
    shm = new_shm(size: 16, mode: 0o640)
    assert_equal 0o640, shm.mode
    shm.mode = 0o600
    assert_equal 0o600, shm.mode
    assert_equal Process.uid, shm.uid
    assert_equal Process.gid, shm.gid
    assert_equal Process.uid, shm.cuid
    assert_equal Process.gid, shm.cgid
    assert_equal Process.pid, shm.creator_pid
    assert_equal Process.pid, shm.last_pid
    assert_equal 1, shm.number_attached
    assert_operator shm.last_attach_time, :>, 0
    assert_operator shm.last_change_time, :>, 0
    assert_kind_of Integer, shm.last_detach_time
    assert_equal "Key=#{shm.key}, id=#{shm.id}", shm.to_s
    assert_raises(NoMethodError) { shm.size = 3 }
  end

  def test_remove_keeps_the_attachment_usable
    shm = new_shm(size: 16)
    shm.write("still")
    shm.remove
    assert_equal "still", shm.read(5)
    shm.detach
    assert_raises(PolyIPC::ExistentialError) { shm.mode }
    assert_raises(PolyIPC::ExistentialError) { shm.attach }
  end

  def test_buffer_is_a_zero_copy_view
    shm = new_shm(size: 32)
    buf = shm.buffer
    assert_kind_of IO::Buffer, buf
    assert_equal 32, buf.size
    assert_same buf, shm.buffer
    shm.write("abc", offset: 4)
    assert_equal "abc", buf.get_string(4, 3)
    buf.set_string("XYZ", 10)
    assert_equal "XYZ", shm.read(3, offset: 10)
    # a second handle on the same segment sees the writes made through the view
    other = PolyIPC.attach(shm.id)
    assert_equal "XYZ", other.read(3, offset: 10)
    other.detach
    assert_raises(IO::Buffer::LockedError) { buf.free }
    assert_raises(IO::Buffer::LockedError) { buf.transfer }
  end

  def test_buffer_read_only_when_attached_read_only
    shm = new_shm(size: 16)
    shm.attach(flags: PolyIPC::SHM_RDONLY)
    buf = shm.buffer
    assert_equal " " * 16, buf.get_string
    assert_raises(IO::Buffer::AccessError) { buf.set_string("x") }
  end

  def test_buffer_after_detach_raises_instead_of_crashing
    shm = new_shm(size: 16)
    result = in_child do
      buf = shm.buffer
      slice = buf.slice(2, 4)
      shm.detach
      errors = []
      [-> { buf.get_string(0, 1) }, -> { buf.set_string("x") }, -> { slice.get_string },
       -> { buf.get_value(:U8, 0) }, -> { slice.set_value(:U8, 0, 1) }].each do |use|
        use.call
        errors << :no_error
      rescue StandardError => e
        errors << e.class.name
      end
      [errors, (shm.buffer rescue $!.class.name)]
    end
    assert_equal :ok, result[0], result.inspect
    errors, after = result[1]
    assert_equal 5, errors.size
    refute_includes errors, "no_error"
    assert_equal "PolyIPC::NotAttachedError", after
  end

  def test_buffer_invalidated_by_reattach_and_keeps_segment_alive
    shm = new_shm(size: 16)
    old = shm.buffer
    shm.attach
    assert_raises(StandardError) { old.get_string }
    fresh = shm.buffer
    refute_same old, fresh
    shm.write("ok")
    assert_equal "ok", fresh.get_string(0, 2)
    value = child_value do
      buf = PolyIPC.attach(shm.id).buffer # the SharedMemory object is unreferenced
      GC.start(full_mark: true, immediate_sweep: true)
      GC.compact if GC.respond_to?(:compact)
      buf.get_string(0, 2)
    end
    assert_equal "ok", value
  end
end
