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

  def test_new_segment_filled_with_init_character_and_default_size
    shm = new_shm(init_character: "\xAB".b)
    assert_equal PolyIPC::PAGE_SIZE, shm.size
    assert_equal "\xAB".b * PolyIPC::PAGE_SIZE, shm.read
    assert_raises(PolyIPC::InvalidArgumentError) { new_shm(init_character: "ab") }
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
