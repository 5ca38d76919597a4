# frozen_string_literal: true

require "polyipc"

module PolyIPC
  # Test-suite leak guards: Minitest glue over the core's leak guard
  # (PolyIPC::LeakSnapshot).
  #
  #   require "polyipc/testing"
  #   class MyTest < Minitest::Test
  #     include PolyIPC::Testing::LeakGuard
  #   end
  #
  # A test that leaves new System V objects behind (after its teardown) fails;
  # what it left is removed. Set +@polyipc_allow_leaks = true+ in a test to
  # skip the check. The guard sees the whole IPC namespace: run the suite where
  # nothing else creates objects meanwhile (e.g. `unshare --ipc`).
  module Testing
    # A PolyIPC::LeakSnapshot: the [kind, id] of every object now in the IPC
    # namespace.
    def self.snapshot
      LeakSnapshot.new
    end

    # The objects (IpcObject) that are not in the snapshot +before+, except
    # removed segments still attached ("dest": freed at the last detach).
    def self.new_objects(before)
      before.new_objects
    end

    # Removes the objects; ones already gone are ignored.
    def self.remove(objects)
      objects.each { |o| PolyIPC.__send__(:_remove_object, o.kind, o.id) }
    end

    # Raises Minitest::Assertion (or RuntimeError without minitest) when the
    # block leaves new objects behind; removes them first. A block that raises
    # has its new objects removed too, and its exception goes on.
    def self.no_leaks
      before = LeakSnapshot.new
      begin
        result = yield
      rescue Exception
        before.check(true) # a block that raises: its objects are removed, its exception goes on
        raise
      end
      report = before.check(true)
      if report
        error = defined?(Minitest::Assertion) ? Minitest::Assertion : RuntimeError
        raise error, report
      end
      result
    end

    # Include in a Minitest::Test: every test is checked after its teardown.
    module LeakGuard
      # Takes the snapshot before the test's setup.
      def before_setup
        super
        @polyipc_before = LeakSnapshot.new
      end

      # After the test's teardown: fails it when it left new objects (removed).
      def after_teardown
        super
        return if @polyipc_allow_leaks || @polyipc_before.nil?

        report = @polyipc_before.check(true)
        flunk report if report
      end
    end
  end
end
