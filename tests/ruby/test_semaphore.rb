# frozen_string_literal: true

require_relative "helper"

class TestSemaphore < Minitest::Test
  include PolyIPCTest

  def test_keywords_aliases_and_value
    sem = new_sem(initial_value: 2)
    assert_equal 2, sem.value
    sem.acquire(delta: 2)
    assert_equal 0, sem.value
    sem.release(delta: 3)
    assert_equal 3, sem.value
    sem.P
    sem.V(delta: 2)
    assert_equal 4, sem.value
    sem.P(delta: 4, timeout: 0)
    sem.Z(timeout: 0)
    sem.wait_for_zero
    sem.value = 3
    assert_equal 3, sem.value
    assert_raises(PolyIPC::BusyError) { sem.Z(timeout: 0) }
  end

  def test_timeout_expiry_is_busy_error
    sem = new_sem
    t0 = now
    assert_raises(PolyIPC::BusyError) { sem.acquire(timeout: 0.05) }
    assert_operator now - t0, :>=, 0.04
    assert_raises(PolyIPC::BusyError) { sem.acquire(timeout: 0) }
  end

  def test_block_and_undo_predicates
    sem = new_sem
    assert_equal true, sem.block?
    assert_equal false, sem.undo?
    sem.block = false
    assert_equal false, sem.block?
    assert_equal false, sem.block
    t0 = now
    assert_raises(PolyIPC::BusyError) { sem.acquire(timeout: 5) } # block = false wins
    assert_operator now - t0, :<, 1
    sem.undo = true
    assert_equal true, sem.undo?
    sem.block = nil # Ruby truthiness
    assert_equal false, sem.block?
  end

  def test_undo_is_reverted_at_process_exit
    sem = new_sem
    child_value do
      sem.undo = true
      sem.release(delta: 2)
      sem.value
    end.then { |v| assert_equal 2, v }
    assert_equal 0, sem.value
  end

  def test_synchronize_acquires_releases_and_returns_the_block_value
    sem = new_sem(initial_value: 1)
    result = sem.synchronize do |s|
      assert_same sem, s
      assert_equal 0, sem.value
      :done
    end
    assert_equal :done, result
    assert_equal 1, sem.value
    assert_raises(RuntimeError) { sem.synchronize { raise "boom" } }
    assert_equal 1, sem.value
    sem.synchronize(delta: 1, timeout: 0) { assert_equal 0, sem.value }
    sem.value = 0
    assert_raises(PolyIPC::BusyError) { sem.synchronize(timeout: 0) { flunk "must not run" } }
    assert_equal 0, sem.value
  end

  def test_initial_value_only_when_created_and_random_keys
    sem = track(PolyIPC::Semaphore.new(nil, flags: PolyIPC::IPC_CREX, initial_value: 5))
    assert_operator sem.key, :>, 0
    assert_equal 0, sem.o_time
    again = PolyIPC::Semaphore.new(sem.key, flags: PolyIPC::IPC_CREAT, initial_value: 9)
    assert_equal sem.id, again.id
    assert_equal 5, again.value
    assert_raises(PolyIPC::ExistentialError) { PolyIPC::Semaphore.new(sem.key, flags: PolyIPC::IPC_CREX) }
    assert_raises(PolyIPC::InvalidArgumentError) { PolyIPC::Semaphore.new(nil) }
    assert_raises(PolyIPC::InvalidArgumentError) { PolyIPC::Semaphore.new(nil, flags: PolyIPC::IPC_CREAT) }
  end

  def test_release_past_semvmx
    sem = new_sem(initial_value: PolyIPC::SEMAPHORE_VALUE_MAX)
    e = assert_raises(PolyIPC::InvalidArgumentError) { sem.release }
    assert_match(/The semaphore's value must remain between 0 and SEMVMX/, e.message)
    assert_raises(PolyIPC::InvalidArgumentError) { sem.acquire(delta: 0) }
  end

  def test_attributes
    sem = new_sem(mode: 0o640)
    assert_equal 0o640, sem.mode
    sem.mode = 0o600
    assert_equal 0o600, sem.mode
    assert_equal Process.uid, sem.uid
    assert_equal Process.gid, sem.gid
    assert_equal Process.uid, sem.cuid
    assert_equal Process.gid, sem.cgid
    sem.uid = Process.uid
    sem.gid = Process.gid
    sem.release
    assert_equal Process.pid, sem.last_pid
    assert_operator sem.o_time, :>, 0
    assert_equal 0, sem.waiting_for_nonzero
    assert_equal 0, sem.waiting_for_zero
    assert_equal "Key=#{sem.key}, id=#{sem.id}", sem.to_s
    assert_match(/\A#<PolyIPC::Semaphore Key=0, id=#{sem.id}>\z/, sem.inspect)
    assert_raises(NoMethodError) { sem.key = 3 }
    assert_raises(NoMethodError) { sem.id = 3 }
  end

  def test_remove_and_use_after_remove
    sem = new_sem
    sem.remove
    assert_raises(PolyIPC::ExistentialError) { sem.value }
    assert_raises(PolyIPC::ExistentialError) { sem.release }
    assert_raises(PolyIPC::ExistentialError) { sem.mode }
    assert_raises(PolyIPC::ExistentialError) { sem.remove }
    assert_equal sem.id, sem.id # key and id stay readable
  end

  def test_remove_by_id_and_copy_refused
    sem = PolyIPC::Semaphore.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX)
    assert_raises(TypeError) { sem.dup }
    assert_raises(TypeError) { sem.clone }
    assert_raises(TypeError) { Marshal.dump(sem) }
    PolyIPC.remove_semaphore(sem.id)
    assert_raises(PolyIPC::ExistentialError) { sem.value }
  end
end
