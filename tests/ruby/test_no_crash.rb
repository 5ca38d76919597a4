# frozen_string_literal: true

require_relative "helper"

# Bad input never crashes: every case runs in its own forked child, so a
# segfault fails the case, and each must raise the right class.
class TestNoCrash < Minitest::Test
  include PolyIPCTest
  include PolyIPC

  E = PolyIPC
  CREX = PolyIPC::IPC_CREX

  # [name, expected class, proc run in the child]; objects are removed in the child.
  CASES = [
    # wrong types
    [:sem_key_string, E::WrongTypeError, -> { Semaphore.new("1") }],
    [:sem_key_float, E::WrongTypeError, -> { Semaphore.new(1.0) }],
    [:sem_key_true, E::WrongTypeError, -> { Semaphore.new(true) }],
    [:sem_flags_nil, E::WrongTypeError, -> { Semaphore.new(IPC_PRIVATE, flags: nil) }],
    [:sem_mode_string, E::WrongTypeError, -> { Semaphore.new(IPC_PRIVATE, flags: CREX, mode: "rw") }],
    [:shm_size_string, E::WrongTypeError, -> { SharedMemory.new(IPC_PRIVATE, flags: CREX, size: "8") }],
    [:shm_init_integer, E::WrongTypeError, -> { SharedMemory.new(IPC_PRIVATE, flags: CREX, init_character: 32) }],
    [:mq_size_float, E::WrongTypeError, -> { MessageQueue.new(IPC_PRIVATE, flags: CREX, max_message_size: 1.5) }],
    [:ftok_nil, E::WrongTypeError, -> { PolyIPC.ftok(nil, 1, silence_warning: true) }],
    [:attach_string, E::WrongTypeError, -> { PolyIPC.attach("1") }],
    [:remove_sem_nil, E::WrongTypeError, -> { PolyIPC.remove_semaphore(nil) }],
    # negative and huge numbers
    [:sem_key_huge, E::InvalidArgumentError, -> { Semaphore.new(2**31, flags: IPC_CREAT) }],
    [:sem_key_bignum, E::InvalidArgumentError, -> { Semaphore.new(2**64, flags: IPC_CREAT) }],
    [:sem_key_2_63, E::InvalidArgumentError, -> { Semaphore.new(2**63, flags: IPC_CREAT) }],
    [:sem_key_neg_bignum, E::InvalidArgumentError, -> { Semaphore.new(-2**80, flags: IPC_CREAT) }],
    [:sem_flags_negative, E::InvalidArgumentError, -> { Semaphore.new(IPC_PRIVATE, flags: -1) }],
    [:sem_random_without_excl, E::InvalidArgumentError, -> { Semaphore.new(nil, flags: IPC_CREAT) }],
    [:sem_excl_without_creat, E::InvalidArgumentError, -> { Semaphore.new(IPC_PRIVATE, flags: IPC_EXCL) }],
    [:sem_initial_huge, E::InvalidArgumentError, -> { Semaphore.new(IPC_PRIVATE, flags: CREX, initial_value: 2**40) }],
    [:sem_initial_negative, E::InvalidArgumentError, -> { Semaphore.new(IPC_PRIVATE, flags: CREX, initial_value: -1) }],
    [:shm_size_negative, E::InvalidArgumentError, -> { SharedMemory.new(IPC_PRIVATE, flags: CREX, size: -1) }],
    [:shm_init_two_bytes, E::WrongTypeError, -> { SharedMemory.new(IPC_PRIVATE, flags: CREX, init_character: "é") }],
    [:mq_size_zero, E::InvalidArgumentError, -> { MessageQueue.new(IPC_PRIVATE, flags: CREX, max_message_size: 0) }],
    [:mq_size_huge, E::InvalidArgumentError, -> { MessageQueue.new(IPC_PRIVATE, flags: CREX, max_message_size: 2**62) }],
    [:ftok_id_huge, E::InvalidArgumentError, -> { PolyIPC.ftok("/", 256, silence_warning: true) }],
    [:ftok_nul_byte, E::InvalidArgumentError, -> { PolyIPC.ftok("/\0x", 1, silence_warning: true) }],
    [:ftok_missing_path, E::SyscallError, -> { PolyIPC.ftok("/no/such/path", 1, silence_warning: true) }],
    [:attach_negative, E::InvalidArgumentError, -> { PolyIPC.attach(-1) }],
    [:remove_queue_huge, E::InvalidArgumentError, -> { PolyIPC.remove_message_queue(2**70) }],
    [:remove_shm_missing, E::ExistentialError, -> { PolyIPC.remove_shared_memory(0x7ffffff0) }],
  ].freeze

  # [name, expected class, proc taking (sem, shm, queue)]
  ON_OBJECTS = [
    [:acquire_delta_zero, E::InvalidArgumentError, ->(s, _, _) { s.acquire(delta: 0) }],
    [:acquire_delta_negative, E::InvalidArgumentError, ->(s, _, _) { s.acquire(delta: -1) }],
    [:acquire_delta_2_63, E::InvalidArgumentError, ->(s, _, _) { s.acquire(delta: 2**63) }],
    [:acquire_delta_float, E::WrongTypeError, ->(s, _, _) { s.acquire(delta: 1.0) }],
    [:acquire_timeout_negative, E::InvalidArgumentError, ->(s, _, _) { s.acquire(timeout: -1) }],
    [:acquire_timeout_nan, E::InvalidArgumentError, ->(s, _, _) { s.acquire(timeout: Float::NAN) }],
    [:acquire_timeout_string, E::WrongTypeError, ->(s, _, _) { s.acquire(timeout: "1") }],
    [:release_huge, E::InvalidArgumentError, ->(s, _, _) { s.release(delta: 40_000) }],
    [:value_negative, E::InvalidArgumentError, ->(s, _, _) { s.value = -1 }],
    [:value_nil, E::WrongTypeError, ->(s, _, _) { s.value = nil }],
    [:uid_negative, E::InvalidArgumentError, ->(s, _, _) { s.uid = -5 }],
    [:mode_string, E::WrongTypeError, ->(s, _, _) { s.mode = "0600" }],
    [:sem_after_remove, E::ExistentialError, ->(s, _, _) { s.remove; s.acquire }],
    [:sem_attr_after_remove, E::ExistentialError, ->(s, _, _) { s.remove; s.waiting_for_zero }],
    [:sem_unopened, E::ExistentialError, ->(_, _, _) { Semaphore.allocate.value }],
    [:sem_unopened_key, E::ExistentialError, ->(_, _, _) { Semaphore.allocate.key }],
    [:sem_dup, TypeError, ->(s, _, _) { s.dup.value }],
    [:read_negative_count, E::InvalidArgumentError, ->(_, m, _) { m.read(-1) }],
    [:read_offset_end, E::InvalidArgumentError, ->(_, m, _) { m.read(1, offset: m.size) }],
    [:read_offset_bignum, E::InvalidArgumentError, ->(_, m, _) { m.read(1, offset: 2**64) }],
    [:read_count_string, E::WrongTypeError, ->(_, m, _) { m.read("1") }],
    [:write_nil, E::WrongTypeError, ->(_, m, _) { m.write(nil) }],
    [:write_past_end, E::InvalidArgumentError, ->(_, m, _) { m.write("x" * (m.size + 1)) }],
    [:write_offset_negative, E::InvalidArgumentError, ->(_, m, _) { m.write("x", offset: -1) }],
    [:read_after_detach, E::NotAttachedError, ->(_, m, _) { m.detach; m.read(1) }],
    [:write_after_detach, E::NotAttachedError, ->(_, m, _) { m.detach; m.write("x") }],
    [:buffer_after_detach, E::NotAttachedError, ->(_, m, _) { m.detach; m.buffer }],
    [:old_buffer_after_detach, IO::Buffer::AllocationError, ->(_, m, _) { b = m.buffer; m.detach; b.get_string }],
    [:attach_after_remove_and_detach, E::ExistentialError, ->(_, _, _) { m = SharedMemory.new(IPC_PRIVATE, flags: CREX); m.remove; m.detach; m.attach }],
    [:shm_attr_after_remove, E::ExistentialError, ->(_, _, _) { m = SharedMemory.new(IPC_PRIVATE, flags: CREX); m.remove; m.detach; m.last_pid }],
    [:attach_bad_flags, E::InvalidArgumentError, ->(_, m, _) { m.attach(flags: -1) }],
    [:attach_bad_address, E::Error, ->(_, m, _) { m.attach(address: 12_345) }],
    [:shm_unopened, E::ExistentialError, ->(_, _, _) { SharedMemory.allocate.read }],
    [:send_nil, E::WrongTypeError, ->(_, _, q) { q.send(nil) }],
    [:send_integer, E::WrongTypeError, ->(_, _, q) { q.send(42) }],
    [:send_type_zero, E::InvalidArgumentError, ->(_, _, q) { q.send("x", type: 0) }],
    [:send_type_bignum, E::InvalidArgumentError, ->(_, _, q) { q.send("x", type: 2**64) }],
    [:send_too_long, E::MessageSizeError, ->(_, _, q) { q.send("x" * 4096) }],
    [:receive_type_bignum, E::InvalidArgumentError, ->(_, _, q) { q.receive(type: -2**64) }],
    [:receive_flags_negative, E::InvalidArgumentError, ->(_, _, q) { q.receive(flags: -1) }],
    [:receive_smaller_than_message, E::MessageSizeError, lambda { |_, _, _|
      big = MessageQueue.new(nil, flags: CREX, max_message_size: 64)
      begin
        big.send("x" * 64)
        MessageQueue.new(big.key, max_message_size: 8).receive
      ensure
        big.remove
      end
    }],
    [:max_size_negative, E::InvalidArgumentError, ->(_, _, q) { q.max_size = -1 }],
    [:queue_after_remove, E::ExistentialError, ->(_, _, q) { q.remove; q.receive(block: false) }],
    [:queue_after_close, E::ExistentialError, ->(_, _, q) { q.close; q.send("x") }],
    [:queue_unopened, E::ExistentialError, ->(_, _, _) { MessageQueue.allocate.receive }],
    [:queue_reinitialize, E::InvalidArgumentError, ->(_, _, q) { q.__send__(:initialize, nil) }],
    # the C keyword methods and buffer: arguments
    [:acquire_positional, ArgumentError, ->(s, _, _) { s.acquire(1) }],
    [:acquire_unknown_keyword, ArgumentError, ->(s, _, _) { s.acquire(delta: 1, tiemout: 1) }],
    [:acquire_string_keyword, ArgumentError, ->(s, _, _) { s.acquire(**{ "delta" => 1 }) }],
    [:release_hash_positional, ArgumentError, ->(s, _, _) { s.release({ delta: 1 }) }],
    [:z_timeout_symbol, E::WrongTypeError, ->(s, _, _) { s.Z(timeout: :now) }],
    [:acquire_foreign_receiver, TypeError, ->(_, _, _) { Semaphore.instance_method(:acquire).bind_call(Object.new) }],
    [:acquire_subclass_unopened, E::ExistentialError, ->(_, _, _) { Class.new(Semaphore).allocate.acquire }],
    [:read_subclass_unopened, E::ExistentialError, ->(_, _, _) { Class.new(SharedMemory).allocate.read(1, buffer: +"") }],
    [:receive_subclass_unopened, E::ExistentialError, ->(_, _, _) { Class.new(MessageQueue).allocate.receive(buffer: +"") }],
    [:read_buffer_frozen, FrozenError, ->(_, m, _) { m.read(1, buffer: "x".freeze) }],
    [:read_buffer_integer, E::WrongTypeError, ->(_, m, _) { m.read(1, buffer: 1) }],
    [:read_buffer_symbol, E::WrongTypeError, ->(_, m, _) { m.read(buffer: :b) }],
    [:read_buffer_after_detach, E::NotAttachedError, ->(_, m, _) { m.detach; m.read(1, buffer: +"") }],
    [:read_buffer_after_remove_detach, E::NotAttachedError, ->(_, m, _) { m.remove; m.detach; m.read(buffer: +"") }],
    [:read_buffer_bignum_count, E::InvalidArgumentError, ->(_, m, _) { m.read(2**64, buffer: +"") }],
    [:write_unknown_keyword, ArgumentError, ->(_, m, _) { m.write("x", ofset: 1) }],
    [:receive_buffer_frozen, FrozenError, ->(_, _, q) { q.send("x"); q.receive(buffer: "x".freeze) }],
    [:receive_buffer_array, E::WrongTypeError, ->(_, _, q) { q.receive(buffer: ["x"]) }],
    [:receive_buffer_after_close, E::ExistentialError, ->(_, _, q) { q.close; q.receive(buffer: +"") }],
    [:receive_buffer_after_remove, E::ExistentialError, ->(_, _, q) { q.remove; q.receive(buffer: +"") }],
    [:receive_buffer_big_after_remove, E::ExistentialError, lambda { |_, _, _|
      big = MessageQueue.new(nil, flags: CREX, max_message_size: 1 << 20)
      big.remove
      big.receive(buffer: "z" * (2 << 20))
    }],
    [:receive_unknown_keyword, ArgumentError, ->(_, _, q) { q.receive(buffer: +"", bufer: 1) }],
  ].freeze

  CASES.each do |name, klass, body|
    define_method(:"test_#{name}") { assert_child_raises(klass) { body.call } }
  end

  ON_OBJECTS.each do |name, klass, body|
    define_method(:"test_#{name}") do
      sem = new_sem
      shm = new_shm(size: 64)
      q = new_queue
      assert_child_raises(klass) { body.call(sem, shm, q) }
    end
  end
end
