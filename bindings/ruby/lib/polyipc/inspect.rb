# frozen_string_literal: true

require "json"

# = The host inspector (docs/inspector.md)
#
#   PolyIPC.list(kind: :shm, owner: "alice", key: 0x1234)  # => [PolyIPC::IpcObject, ...]
#   PolyIPC.info(:sem, 3)                                 # => PolyIPC::IpcObject (every field)
#   PolyIPC.limits                                        # => [PolyIPC::IpcLimit, ...]
#
# The C core scans the IPC namespace and serialises the records as JSON
# (schema 1); this file only turns them into Structs, with the same field
# names as Python's dicts and Perl's hashes.
module PolyIPC
  # The members of a record, from the core's field tables (the JSON keys).
  def self._record(name) # :nodoc:
    Struct.new(*_inspect_fields(name).split.map(&:to_sym), keyword_init: true)
  end

  # One System V object, as PolyIPC.list and PolyIPC.info return it: the
  # fields of docs/inspector.md (the same names as Python's and Perl's
  # records); fields of another kind are nil.
  class IpcObject < _record("IpcObject")
  end

  # One semaphore of a set (IpcObject#semaphores): value, ncount, zcount, pid.
  class SemaphoreValue < _record("SemaphoreValue")
  end

  # One process attaching a segment (IpcObject#attached): pid, command.
  class Attacher < _record("Attacher")
  end

  # One kernel limit and its use (PolyIPC.limits): resource, description,
  # limit, used (nil when the kernel reports none), sysctl.
  class IpcLimit < _record("IpcLimit")
  end

  # The (kind, id) of every object of the IPC namespace when it was made
  # (the core's leak guard, used by PolyIPC::Testing):
  #
  #   before = PolyIPC::LeakSnapshot.new
  #   ...
  #   before.check(true)  # => "left 1 new System V object(s) behind: msg 3 (key 0x..., owner root)" or nil
  #
  # check(remove = true) returns the report line of the objects new since
  # (removed segments still attached excepted), after removing them when
  # +remove+; nil when there are none.
  class LeakSnapshot
    # Takes the (kind, id) of every System V object of the IPC namespace now.
    def initialize
      _native_initialize
    end

    # The objects (IpcObject, as PolyIPC.list) new since this snapshot, except
    # removed segments still attached.
    def new_objects
      JSON.parse(_new_objects_json).map { |h| PolyIPC.send(:_ipc_object, h) }
    end
    private :_native_initialize, :_new_objects_json
  end

  class << self
    # The objects of this IPC namespace, optionally only of +kind+ (:sem,
    # :shm, :msg), +owner+ (a user name or uid) and +key+.
    def list(kind: nil, owner: nil, key: nil)
      JSON.parse(_inspect_list(kind&.to_s, owner&.to_s, key)).map { |h| _ipc_object(h) }
    end

    # Every field of the object of +kind+ with +id+, per-semaphore values
    # and attached processes included; ExistentialError when there is none.
    def info(kind, id)
      _ipc_object(JSON.parse(_inspect_info(kind.to_s, id)))
    end

    # The kernel's limits and their use.
    def limits
      JSON.parse(_inspect_limits).map { |h| IpcLimit.new(**h.transform_keys(&:to_sym)) }
    end

    private :_inspect_list, :_inspect_info, :_inspect_limits, :_inspect_fields, :_record, :_remove_object

    private

    def _ipc_object(h) # :nodoc:
      h = h.transform_keys(&:to_sym)
      h[:semaphores] = h[:semaphores]&.map { |s| SemaphoreValue.new(**s.transform_keys(&:to_sym)) }
      h[:attached] = h[:attached]&.map { |a| Attacher.new(**a.transform_keys(&:to_sym)) }
      IpcObject.new(**h)
    end
  end
end
