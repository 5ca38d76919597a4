# frozen_string_literal: true

require "set"
require "polyipc"

module PolyIPC
  # Test-suite leak guards, built on PolyIPC.list.
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
    # The module function that removes an object of each kind by id.
    REMOVE = { "sem" => :remove_semaphore, "shm" => :remove_shared_memory,
               "msg" => :remove_message_queue }.freeze

    # The [kind, id] of every object now in the IPC namespace.
    def self.snapshot
      PolyIPC.list.map { |o| [o.kind, o.id] }.to_set
    end

    # The objects (IpcObject) that are not in the snapshot +before+, except
    # removed segments still attached ("dest": freed at the last detach).
    def self.new_objects(before)
      PolyIPC.list.reject { |o| before.include?([o.kind, o.id]) || o.status&.include?("dest") }
    end

    # Removes the objects; ones already gone are ignored.
    def self.remove(objects)
      objects.each do |o|
        PolyIPC.send(REMOVE.fetch(o.kind), o.id)
      rescue PolyIPC::ExistentialError
        nil
      end
    end

    # One line naming the objects (kind, id, key, owner), for a failure message.
    def self.describe(objects)
      objects.map { |o| format("%s %d (key 0x%08x, owner %s)", o.kind, o.id, o.key & 0xFFFFFFFF, o.owner) }
             .join(", ")
    end

    # Raises Minitest::Assertion (or RuntimeError without minitest) when the
    # block leaves new objects behind; removes them first.
    def self.no_leaks
      before = snapshot
      result = yield
      left = new_objects(before)
      unless left.empty?
        remove(left)
        error = defined?(Minitest::Assertion) ? Minitest::Assertion : RuntimeError
        raise error, "left #{left.size} new System V object(s) behind: #{describe(left)}"
      end
      result
    end

    # Include in a Minitest::Test: every test is checked after its teardown.
    module LeakGuard
      # Takes the snapshot before the test's setup.
      def before_setup
        super
        @polyipc_before = Testing.snapshot
      end

      # After the test's teardown: fails it when it left new objects (removed).
      def after_teardown
        super
        return if @polyipc_allow_leaks || @polyipc_before.nil?

        left = Testing.new_objects(@polyipc_before)
        return if left.empty?

        Testing.remove(left)
        flunk "left #{left.size} new System V object(s) behind: #{Testing.describe(left)}"
      end
    end
  end
end
