# frozen_string_literal: true

# The minitest leak guard (PolyIPC::Testing::LeakGuard) fails exactly the tests
# that leave new System V objects behind, and removes what they left.
require_relative "helper"
require "open3"
require "rbconfig"
require "tmpdir"

class TestLeakGuard < Minitest::Test
  include PolyIPCTest

  INNER = <<~RUBY
    require "minitest/autorun"
    require "polyipc/testing"
    class Inner < Minitest::Test
      include PolyIPC::Testing::LeakGuard
      def test_clean
        PolyIPC::Semaphore.new(nil, flags: PolyIPC::IPC_CREX).remove
      end

      def test_leaks_a_queue
        PolyIPC::MessageQueue.new(nil, flags: PolyIPC::IPC_CREX)
      end

      def test_allowed
        @polyipc_allow_leaks = true
        File.write(ENV.fetch("LEFT"), PolyIPC::MessageQueue.new(nil, flags: PolyIPC::IPC_CREX).id.to_s)
      end
    end
  RUBY

  def test_a_leaking_test_fails_and_its_objects_are_removed
    Dir.mktmpdir do |dir|
      File.write(File.join(dir, "inner.rb"), INNER)
      left = File.join(dir, "left")
      before = PolyIPC::Testing.snapshot
      begin
        out, status = Open3.capture2e({ "LEFT" => left }, RbConfig.ruby, *$LOAD_PATH.map { |d| "-I#{d}" },
                                      File.join(dir, "inner.rb"))
        refute status.success?, out
        assert_match(/3 runs, \d+ assertions, 1 failures, 0 errors/, out)
        assert_match(/test_leaks_a_queue.*\n.*left 1 new System V object\(s\) behind: msg/, out)
        allowed = Integer(File.read(left))
        assert_equal [["msg", allowed]], PolyIPC::Testing.new_objects(before).map { |o| [o.kind, o.id] }
      ensure
        PolyIPC::Testing.remove(PolyIPC::Testing.new_objects(before))
      end
    end
  end

  def test_no_leaks_block
    assert_equal 1, PolyIPC::Testing.no_leaks { 1 }
    q = nil
    e = assert_raises(Minitest::Assertion) do
      PolyIPC::Testing.no_leaks { q = PolyIPC::MessageQueue.new(nil, flags: PolyIPC::IPC_CREX) }
    end
    assert_includes e.message, "msg #{q.id}"
    refute_includes PolyIPC.list.map { |o| [o.kind, o.id] }, ["msg", q.id]
  end

  def test_no_leaks_removes_what_a_raising_block_left
    q = nil
    e = assert_raises(KeyError) do
      PolyIPC::Testing.no_leaks do
        q = PolyIPC::MessageQueue.new(nil, flags: PolyIPC::IPC_CREX)
        raise KeyError, "the block's own error"
      end
    end
    assert_equal "the block's own error", e.message
    refute_includes PolyIPC.list.map { |o| [o.kind, o.id] }, ["msg", q.id]
  ensure
    PolyIPC::Testing.remove(PolyIPC.list.select { |o| q && [o.kind, o.id] == ["msg", q.id] })
  end
end
