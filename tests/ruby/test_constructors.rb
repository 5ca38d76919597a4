# frozen_string_literal: true

# The constructors: lib/polyipc.rb's initialize (keywords) calls the private
# native _native_initialize (swig/ruby/idioms.swg); no method of the
# extension is replaced when lib/polyipc.rb loads; a handle is never leaked
# or dropped by a second initialize.
require_relative "helper"
require "open3"
require "rbconfig"

class TestConstructors < Minitest::Test
  include PolyIPCTest

  CREX = PolyIPC::IPC_CREX
  CLASSES = [PolyIPC::Semaphore, PolyIPC::SemaphoreSet, PolyIPC::SharedMemory, PolyIPC::MessageQueue].freeze
  ALL = CLASSES + [PolyIPC::LeakSnapshot]

  # Every method the extension defines (instance methods of the four classes
  # and the module's functions) is still the extension's after
  # lib/polyipc.rb has loaded: lib/polyipc.rb adds methods, and never
  # redefines or aliases over one.
  SNAPSHOT = <<~'RUBY'
    require "polyipc_native"
    classes = %w[Semaphore SemaphoreSet SharedMemory MessageQueue LeakSnapshot].map { |n| PolyIPC.const_get(n) }
    native = classes.flat_map do |k|
      (k.public_instance_methods(false) + k.private_instance_methods(false)).map { |m| [k, m, k.instance_method(m)] }
    end
    native += PolyIPC.singleton_methods(false).map { |m| [PolyIPC.singleton_class, m, PolyIPC.method(m).unbind] }
    abort "only #{native.size} native methods seen" if native.size < 60
    require "polyipc"
    changed = native.reject { |k, m, um| k.instance_method(m) == um }.map { |k, m, _| "#{k}##{m}" }
    puts changed.empty? ? "unchanged #{native.size}" : "replaced: #{changed.join(' ')}"
  RUBY

  def test_no_native_method_is_replaced_at_load
    out, status = Open3.capture2e(RbConfig.ruby, *$LOAD_PATH.map { |d| "-I#{d}" }, "-e", SNAPSHOT)
    assert status.success?, out
    assert_match(/\Aunchanged \d+\n\z/, out)
  end

  def test_initialize_is_ruby_and_calls_the_private_native_one
    ALL.each do |klass|
      assert_includes %w[polyipc.rb inspect.rb], File.basename(klass.instance_method(:initialize).source_location[0])
      assert_nil klass.instance_method(:_native_initialize).source_location # written in C
      assert_includes klass.private_instance_methods(false), :_native_initialize
      refute_includes klass.public_instance_methods, :_native_initialize
    end
  end

  def kwargs_for(klass)
    { PolyIPC::SharedMemory => { size: 64 }, PolyIPC::SemaphoreSet => { nsems: 2 } }.fetch(klass, {})
  end

  # A second initialize on an object that holds a handle raises (as Python's
  # __init__) before anything is created: the first handle stays usable and
  # no kernel object is made (the leak guard fails the test otherwise).
  def test_initialize_twice_is_refused
    CLASSES.each do |klass|
      obj = track(klass.new(nil, flags: CREX, **kwargs_for(klass)))
      id = obj.id
      before = PolyIPC::LeakSnapshot.new
      e = assert_raises(PolyIPC::WrongTypeError) { obj.__send__(:initialize, nil, flags: CREX, **kwargs_for(klass)) }
      assert_equal "the object is already initialised", e.message
      assert_kind_of TypeError, e
      assert_empty before.new_objects
      assert_equal id, obj.id
      assert_includes obj.to_s, ", id=#{id}"
      obj.mode # a kernel call through the first handle
      # the check comes after the arguments are converted, as in Python
      e = assert_raises(PolyIPC::WrongTypeError) { obj.__send__(:initialize, "x") }
      assert_match(/an Integer is required/, e.message)
      assert_raises(PolyIPC::InvalidArgumentError) { obj.__send__(:initialize, 2**64) }
      assert_raises(ArgumentError) { obj.__send__(:initialize) }
    end
  end

  def test_leak_snapshot_initialize_twice_is_refused
    snap = PolyIPC::LeakSnapshot.new
    e = assert_raises(PolyIPC::WrongTypeError) { snap.__send__(:initialize) }
    assert_equal "the object is already initialised", e.message
    assert_nil snap.check(false)
    e = assert_raises(PolyIPC::WrongTypeError) { PolyIPC::LeakSnapshot.allocate.check(false) }
    assert_equal "the object is not initialised (its initialize was not called)", e.message
  end

  # No object of any class can be copied: a copy would share (and free again)
  # the original's C handle.
  def test_no_class_can_be_copied
    ALL.each do |klass|
      obj = klass == PolyIPC::LeakSnapshot ? klass.new : track(klass.new(nil, flags: CREX, **kwargs_for(klass)))
      %i[dup clone].each do |how|
        e = assert_raises(TypeError, "#{klass}##{how}") { obj.public_send(how) }
        assert_match(/can't copy #{klass}/, e.message)
      end
      obj.detach if obj.is_a?(PolyIPC::SharedMemory)
    end
  end

  # An object that was never initialised raises WrongTypeError (as Python's
  # cls.__new__(cls) and Perl's bless {}): the nocrash table's
  # "uninitialised" state probes every member; here the message, inspect and
  # a later initialize.
  def test_allocate_then_initialize
    CLASSES.each do |klass|
      obj = klass.allocate
      e = assert_raises(PolyIPC::WrongTypeError) { obj.id }
      assert_equal "the object is not initialised (its initialize was not called)", e.message
      assert_kind_of TypeError, e
      assert_equal "#<#{klass} (not initialised)>", obj.inspect
      # a failing initialize leaves it unopened
      assert_raises(PolyIPC::InvalidArgumentError) { obj.__send__(:initialize, nil) }
      assert_raises(PolyIPC::WrongTypeError) { obj.id }
      obj.__send__(:initialize, PolyIPC::IPC_PRIVATE, flags: CREX, **kwargs_for(klass))
      track(obj)
      assert_operator obj.id, :>=, 0
    end
  end

  # Ruby's own members (outside the nocrash table, which probes the shared
  # ones) raise the same WrongTypeError on an object never initialised.
  def test_ruby_only_members_of_a_never_initialised_object
    calls = {
      PolyIPC::Semaphore => { synchronize: ->(o) { o.synchronize { flunk "the block ran" } },
                              wait_for_zero: ->(o) { o.wait_for_zero } },
      PolyIPC::SemaphoreSet => { "[]": ->(o) { o[0] }, "[]=": ->(o) { o[0] = 1 }, size: ->(o) { o.size },
                                 length: ->(o) { o.length }, to_a: ->(o) { o.to_a }, values: ->(o) { o.values },
                                 "values=": ->(o) { o.values = [1] } },
      PolyIPC::SharedMemory => { buffer: ->(o) { o.buffer } },
      PolyIPC::MessageQueue => { close: ->(o) { o.close }, closed?: ->(o) { o.closed? } },
    }
    calls.each do |klass, members|
      members.each do |name, call|
        e = assert_raises(PolyIPC::WrongTypeError, "#{klass}##{name}") { call.call(klass.allocate) }
        assert_equal "the object is not initialised (its initialize was not called)", e.message
      end
    end
  end

  def test_subclasses_initialize_through_super
    sub = Class.new(PolyIPC::MessageQueue) do
      attr_reader :label

      def initialize(label)
        @label = label
        super(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX, max_message_size: 16)
      end
    end
    q = track(sub.new("mine"))
    assert_equal "mine", q.label
    assert_equal 16, q.max_message_size
    q.send("ab", type: 3)
    assert_equal ["ab", 3], q.receive
    assert_raises(TypeError) { q.dup }
    shm_sub = Class.new(PolyIPC::SharedMemory)
    shm = track(shm_sub.new(nil, flags: CREX, size: 8, init_character: "z"))
    assert_equal "zzzzzzzz", shm.read
    shm.detach
  end

  # Objects that were initialised, refused a second initialize, failed to
  # initialise or were never initialised are all collected without a crash
  # (each handle is freed once: valgrind/ASan runs of this suite check it).
  def test_collection
    in_child_ok = child_value do
      200.times do |i|
        sem = PolyIPC::Semaphore.new(PolyIPC::IPC_PRIVATE, flags: CREX)
        begin
          sem.__send__(:initialize, PolyIPC::IPC_PRIVATE, flags: CREX) if i.even?
        rescue PolyIPC::WrongTypeError
          nil
        end
        sem.remove
        PolyIPC::Semaphore.allocate
        begin
          PolyIPC::SharedMemory.new(nil)
        rescue PolyIPC::InvalidArgumentError
          nil
        end
      end
      GC.start
      :ok
    end
    assert_equal :ok, in_child_ok
  end
end
