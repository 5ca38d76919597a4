# frozen_string_literal: true

# Every wrapper decides failure by the status or NULL result of its call,
# never by the thread's error record (docs/architecture.md, "Failure
# rules"): after a failed call leaves its error recorded, each of these
# calls succeeds without raising it.
require_relative "helper"

class TestFailureRule < Minitest::Test
  include PolyIPCTest

  MISSING_ID = 0x7FFF_FFFF # no segment has this id

  def stale_error
    assert_raises(PolyIPC::ExistentialError) { PolyIPC.attach(MISSING_ID) }
  end

  def test_calls_succeed_after_a_stale_error
    stale_error
    sem = new_sem
    stale_error
    shm = new_shm(size: PolyIPC::PAGE_SIZE)
    stale_error
    set = track(PolyIPC::SemaphoreSet.new(PolyIPC::IPC_PRIVATE, nsems: 2, flags: PolyIPC::IPC_CREX))
    stale_error
    assert_equal [0, 0], set.values
    stale_error
    assert(PolyIPC.list(kind: :shm).any? { |r| r.id == shm.id })
    stale_error
    assert_equal sem.id, PolyIPC.info(:sem, sem.id).id
    stale_error
    refute_empty PolyIPC.limits
    stale_error
    snap = PolyIPC::LeakSnapshot.new
    stale_error
    assert_equal [], snap.new_objects
    stale_error
    assert_nil snap.check(remove: false)
  end
end
