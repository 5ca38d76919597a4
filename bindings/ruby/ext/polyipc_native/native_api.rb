# frozen_string_literal: true

# The RDoc of what the C extension polyipc_native defines: the class
# descriptions and every public method written in C (the SWIG wrappers of
# swig/*.swg and swig/ruby/idioms.swg). RDoc cannot
# read the generated wrapper usefully, so each method is described here once,
# with RDoc's +:method:+ / +:singleton-method:+ directives; the methods written
# in Ruby are described where they are defined, in lib/polyipc.rb; the error
# classes in generated/error_classes.rb, made from the core's error table
# when the gem is built.
#
# This file is documentation only: it is never loaded (it is not on the load
# path) and defines nothing; rdoc parses it (ext/polyipc_native/.document),
# both for `gem install` (ri) and for `rake rdoc`.

# = polyipc
#
# System V semaphores, shared memory segments and message queues, from the
# same C core and SWIG interface as polyipc's Python and Perl modules: one
# behaviour, one error taxonomy, and the same kernel objects in every
# language.
#
#   require "polyipc"
#   sem = PolyIPC::Semaphore.new(nil, flags: PolyIPC::IPC_CREX, initial_value: 1)
#   sem.synchronize { puts "one process at a time" }
#   sem.remove
#
# Classes: PolyIPC::Semaphore, PolyIPC::SemaphoreSet, PolyIPC::SharedMemory,
# PolyIPC::MessageQueue; errors: PolyIPC::Error and its subclasses.
#
# == Constants
#
# IPC_CREAT:: create the object if it does not exist (+flags:+)
# IPC_EXCL:: with IPC_CREAT: fail with ExistentialError if it exists
# IPC_CREX:: IPC_CREAT | IPC_EXCL: create a new object
# IPC_NOWAIT:: do not wait (SemaphoreSet#op operation flag)
# IPC_PRIVATE:: the key of an object only reachable through its id
# SEM_UNDO:: undo the operation when the process exits (SemaphoreSet#op)
# SHM_RDONLY, SHM_RND, SHM_REMAP:: SharedMemory#attach flags
# SHM_HUGETLB, SHM_NORESERVE:: SharedMemory.new creation flags
# FTOK_WARNING:: the warning PolyIPC.ftok gives unless +silence_warning+ (the same text in every language)
# MSG_NOERROR, MSG_EXCEPT, MSG_COPY:: MessageQueue#receive flags
# KEY_MIN, KEY_MAX:: the range of keys; +nil+ as a key picks a random unused one
# SEMAPHORE_VALUE_MAX:: the largest value of a semaphore (SEMVMX)
# PAGE_SIZE:: the system's page size in bytes
# VERSION:: the version of polyipc, a String such as "0.1.0"
module PolyIPC
  # A System V semaphore (a semaphore set of one). Opening or creating one
  # does not acquire it; dropping the object never removes the kernel object
  # (#remove does). The handle cannot be copied (+dup+ / +clone+ raise
  # TypeError): open the key or id again instead.
  #
  #   sem = PolyIPC::Semaphore.new(nil, flags: PolyIPC::IPC_CREX, initial_value: 1)
  #   sem.acquire(timeout: 2)
  #   sem.release
  #   sem.remove
  class Semaphore
    ##
    # :method: to_s
    # :call-seq: to_s -> String
    #
    # "Key=<key>, id=<id>": the same string form as Python's str() and
    # Perl's "$object" (one description, in swig/polyipc.i). #inspect wraps
    # it: <tt>#<PolyIPC::Semaphore Key=..., id=...></tt>.

    ##
    # :method: remove
    # :call-seq: remove -> nil
    #
    # Removes the semaphore from the kernel (IPC_RMID); processes waiting on
    # it wake with ExistentialError, and so does any later call.

    ##
    # :method: key
    # :call-seq: key -> Integer
    #
    # The key it was opened with (the random key chosen for a +nil+ key).

    ##
    # :method: id
    # :call-seq: id -> Integer
    #
    # The kernel's id of the semaphore.

    ##
    # :method: value
    # :call-seq: value -> Integer
    #
    # The current value (GETVAL).

    ##
    # :method: value=
    # :call-seq: value = integer
    #
    # Sets the value (SETVAL, 0..SEMAPHORE_VALUE_MAX).

    ##
    # :method: block
    # :call-seq: block -> true or false
    #
    # +true+ (the default) when #acquire and #Z wait; +false+ adds IPC_NOWAIT.
    # Also #block?.

    ##
    # :method: undo
    # :call-seq: undo -> true or false
    #
    # +true+ when every operation uses SEM_UNDO (default +false+). Also #undo?.

    ##
    # :method: block=
    # :call-seq: block = true_or_false
    #
    # +false+ makes #acquire and #Z raise BusyError instead of waiting.

    ##
    # :method: undo=
    # :call-seq: undo = true_or_false
    #
    # +true+ makes every operation use SEM_UNDO (undone when the process exits).

    ##
    # :method: mode
    # :call-seq: mode -> Integer
    #
    # The permission bits (read from the kernel on every call).

    ##
    # :method: mode=
    # :call-seq: mode = integer
    #
    # Sets the permission bits (IPC_SET).

    ##
    # :method: uid
    # :call-seq: uid -> Integer
    #
    # The owner's user id (read from the kernel on every call).

    ##
    # :method: uid=
    # :call-seq: uid = integer
    #
    # Sets the owner's user id (IPC_SET).

    ##
    # :method: gid
    # :call-seq: gid -> Integer
    #
    # The owner's group id (read from the kernel on every call).

    ##
    # :method: gid=
    # :call-seq: gid = integer
    #
    # Sets the owner's group id (IPC_SET).

    ##
    # :method: cuid
    # :call-seq: cuid -> Integer
    #
    # The creator's user id.

    ##
    # :method: cgid
    # :call-seq: cgid -> Integer
    #
    # The creator's group id.

    ##
    # :method: o_time
    # :call-seq: o_time -> Integer
    #
    # When the last operation was made, in seconds since the epoch (0 if never).

    ##
    # :method: last_pid
    # :call-seq: last_pid -> Integer
    #
    # The pid of the last process that operated on the semaphore (GETPID).

    ##
    # :method: waiting_for_nonzero
    # :call-seq: waiting_for_nonzero -> Integer
    #
    # The number of processes waiting for the value to increase (GETNCNT).

    ##
    # :method: waiting_for_zero
    # :call-seq: waiting_for_zero -> Integer
    #
    # The number of processes waiting for the value to become zero (GETZCNT).
  end

  class SemaphoreSet
    ##
    # :method: to_s
    # :call-seq: to_s -> String
    #
    # "Key=<key>, id=<id>, nsems=<n>": the same string form as Python's str() and
    # Perl's "$object" (one description, in swig/polyipc.i). #inspect wraps
    # it: <tt>#<PolyIPC::SemaphoreSet Key=..., id=...></tt>.

    ##
    # :method: get_value
    # :call-seq: get_value(index) -> Integer
    #
    # The value of semaphore +index+ (GETVAL); also SemaphoreSet#[].

    ##
    # :method: set_value
    # :call-seq: set_value(index, value) -> nil
    #
    # Sets semaphore +index+ to +value+ (SETVAL, 0..SEMAPHORE_VALUE_MAX);
    # also SemaphoreSet#[]=.

    ##
    # :method: get_values
    # :call-seq: get_values -> Array of Integer
    #
    # All values at once (GETALL); also #values.

    ##
    # :method: set_values
    # :call-seq: set_values(values) -> nil
    #
    # Sets all values at once (SETALL); +values+ is an Array of +nsems+
    # Integers. Also #values=.

    ##
    # :method: last_pid
    # :call-seq: last_pid(index) -> Integer
    #
    # The pid of the last process that operated on semaphore +index+ (GETPID).

    ##
    # :method: waiting_for_nonzero
    # :call-seq: waiting_for_nonzero(index) -> Integer
    #
    # The number of processes waiting for semaphore +index+ to increase
    # (GETNCNT).

    ##
    # :method: waiting_for_zero
    # :call-seq: waiting_for_zero(index) -> Integer
    #
    # The number of processes waiting for semaphore +index+ to become zero
    # (GETZCNT).

    ##
    # :method: remove
    # :call-seq: remove -> nil
    #
    # Removes the set from the kernel (IPC_RMID); waiters wake with
    # ExistentialError.

    ##
    # :method: key
    # :call-seq: key -> Integer
    #
    # The key it was opened with.

    ##
    # :method: id
    # :call-seq: id -> Integer
    #
    # The kernel's id of the set.

    ##
    # :method: nsems
    # :call-seq: nsems -> Integer
    #
    # The number of semaphores in the set; also #size and #length.

    ##
    # :method: mode
    # :call-seq: mode -> Integer
    #
    # The permission bits (read from the kernel on every call).

    ##
    # :method: mode=
    # :call-seq: mode = integer
    #
    # Sets the permission bits (IPC_SET).

    ##
    # :method: uid
    # :call-seq: uid -> Integer
    #
    # The owner's user id (read from the kernel on every call).

    ##
    # :method: uid=
    # :call-seq: uid = integer
    #
    # Sets the owner's user id (IPC_SET).

    ##
    # :method: gid
    # :call-seq: gid -> Integer
    #
    # The owner's group id (read from the kernel on every call).

    ##
    # :method: gid=
    # :call-seq: gid = integer
    #
    # Sets the owner's group id (IPC_SET).

    ##
    # :method: cuid
    # :call-seq: cuid -> Integer
    #
    # The creator's user id.

    ##
    # :method: cgid
    # :call-seq: cgid -> Integer
    #
    # The creator's group id.

    ##
    # :method: o_time
    # :call-seq: o_time -> Integer
    #
    # When the last operation was made, in seconds since the epoch (0 if never).
  end

  # A System V shared memory segment and (at most) one attachment of it by
  # this object. ::new attaches, read-only when +mode+ lacks 0o200. #read and
  # #write make no system call; #buffer is a zero-copy IO::Buffer view.
  # Garbage collection detaches the object's attachment; it never removes the
  # segment (#remove does). The handle cannot be copied (+dup+ / +clone+
  # raise TypeError).
  #
  #   shm = PolyIPC::SharedMemory.new(nil, flags: PolyIPC::IPC_CREX, size: 4096)
  #   shm.write("hello", offset: 10)
  #   shm.read(5, offset: 10)   # => "hello"
  #   shm.detach
  #   shm.remove
  class SharedMemory
    ##
    # :method: buffer
    # :call-seq: buffer -> IO::Buffer
    #
    # A zero-copy IO::Buffer over the whole attached segment (Ruby 3.1+;
    # IO::Buffer is experimental there). Read-only when attached read-only.
    # The same buffer is returned until #detach or #attach, which invalidate
    # it: using it afterwards raises instead of touching unmapped memory.
    # NotAttachedError when detached.

    ##
    # :method: to_s
    # :call-seq: to_s -> String
    #
    # "Key=<key>, id=<id>": the same string form as Python's str() and
    # Perl's "$object" (one description, in swig/polyipc.i). #inspect wraps
    # it: <tt>#<PolyIPC::SharedMemory Key=..., id=...></tt>.

    ##
    # :method: remove
    # :call-seq: remove -> nil
    #
    # Removes the segment (IPC_RMID); it disappears after its last detach.

    ##
    # :method: key
    # :call-seq: key -> Integer
    #
    # The key it was opened with (the segment's real key after PolyIPC.attach).

    ##
    # :method: id
    # :call-seq: id -> Integer
    #
    # The kernel's id of the segment.

    ##
    # :method: size
    # :call-seq: size -> Integer
    #
    # The size of the segment in bytes.

    ##
    # :method: attached
    # :call-seq: attached -> true or false
    #
    # +true+ while attached; also #attached?.

    ##
    # :method: address
    # :call-seq: address -> Integer
    #
    # The address of the attachment (0 when detached).

    ##
    # :method: mode
    # :call-seq: mode -> Integer
    #
    # The permission bits (read from the kernel on every call).

    ##
    # :method: mode=
    # :call-seq: mode = integer
    #
    # Sets the permission bits (IPC_SET).

    ##
    # :method: uid
    # :call-seq: uid -> Integer
    #
    # The owner's user id (read from the kernel on every call).

    ##
    # :method: uid=
    # :call-seq: uid = integer
    #
    # Sets the owner's user id (IPC_SET).

    ##
    # :method: gid
    # :call-seq: gid -> Integer
    #
    # The owner's group id (read from the kernel on every call).

    ##
    # :method: gid=
    # :call-seq: gid = integer
    #
    # Sets the owner's group id (IPC_SET).

    ##
    # :method: cuid
    # :call-seq: cuid -> Integer
    #
    # The creator's user id.

    ##
    # :method: cgid
    # :call-seq: cgid -> Integer
    #
    # The creator's group id.

    ##
    # :method: last_attach_time
    # :call-seq: last_attach_time -> Integer
    #
    # When a process last attached, in seconds since the epoch (0 if never).

    ##
    # :method: last_detach_time
    # :call-seq: last_detach_time -> Integer
    #
    # When a process last detached, in seconds since the epoch (0 if never).

    ##
    # :method: last_change_time
    # :call-seq: last_change_time -> Integer
    #
    # When the segment was created or its permissions last changed, in
    # seconds since the epoch.

    ##
    # :method: creator_pid
    # :call-seq: creator_pid -> Integer
    #
    # The pid of the process that created the segment.

    ##
    # :method: last_pid
    # :call-seq: last_pid -> Integer
    #
    # The pid of the last process that attached or detached.

    ##
    # :method: number_attached
    # :call-seq: number_attached -> Integer
    #
    # The number of attachments of the segment, by any process.
  end

  # A System V message queue. Messages are binary Strings with a type (an
  # Integer >= 1). Dropping the object never removes the queue (#remove
  # does). The handle cannot be copied (+dup+ / +clone+ raise TypeError).
  #
  #   q = PolyIPC::MessageQueue.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX)
  #   q.send("job 1", type: 2)
  #   data, type = q.receive(block: false)   # => ["job 1", 2]
  #   q.remove
  class MessageQueue
    ##
    # :method: to_s
    # :call-seq: to_s -> String
    #
    # "Key=<key>, id=<id>": the same string form as Python's str() and
    # Perl's "$object" (one description, in swig/polyipc.i). #inspect wraps
    # it: <tt>#<PolyIPC::MessageQueue Key=..., id=...></tt>.

    ##
    # :method: close
    # :call-seq: close -> nil
    #
    # Forgets the handle; the queue stays in the kernel. Later calls on this
    # object raise ExistentialError ("the handle is closed"; an object that
    # was never initialised raises WrongTypeError instead). A #send or
    # #receive waiting in another thread finishes safely.

    ##
    # :method: closed?
    # :call-seq: closed? -> true or false
    #
    # +true+ after #close; WrongTypeError on a queue that was never
    # initialised (+allocate+ without +initialize+).

    ##
    # :method: remove
    # :call-seq: remove -> nil
    #
    # Removes the queue from the kernel (IPC_RMID); waiters wake with
    # ExistentialError.

    ##
    # :method: key
    # :call-seq: key -> Integer
    #
    # The key it was opened with.

    ##
    # :method: id
    # :call-seq: id -> Integer
    #
    # The kernel's id of the queue.

    ##
    # :method: max_message_size
    # :call-seq: max_message_size -> Integer
    #
    # The largest message, in bytes, #send accepts and #receive can return
    # (given to ::new).

    ##
    # :method: max_size
    # :call-seq: max_size -> Integer
    #
    # The queue's capacity in bytes (msg_qbytes; read from the kernel).

    ##
    # :method: max_size=
    # :call-seq: max_size = integer
    #
    # Sets the queue's capacity in bytes (IPC_SET; raising it above
    # kernel.msgmnb needs privilege).

    ##
    # :method: current_messages
    # :call-seq: current_messages -> Integer
    #
    # The number of messages in the queue.

    ##
    # :method: mode
    # :call-seq: mode -> Integer
    #
    # The permission bits (read from the kernel on every call).

    ##
    # :method: mode=
    # :call-seq: mode = integer
    #
    # Sets the permission bits (IPC_SET).

    ##
    # :method: uid
    # :call-seq: uid -> Integer
    #
    # The owner's user id (read from the kernel on every call).

    ##
    # :method: uid=
    # :call-seq: uid = integer
    #
    # Sets the owner's user id (IPC_SET).

    ##
    # :method: gid
    # :call-seq: gid -> Integer
    #
    # The owner's group id (read from the kernel on every call).

    ##
    # :method: gid=
    # :call-seq: gid = integer
    #
    # Sets the owner's group id (IPC_SET).

    ##
    # :method: cuid
    # :call-seq: cuid -> Integer
    #
    # The creator's user id.

    ##
    # :method: cgid
    # :call-seq: cgid -> Integer
    #
    # The creator's group id.

    ##
    # :method: last_send_time
    # :call-seq: last_send_time -> Integer
    #
    # When a message was last sent, in seconds since the epoch (0 if never).

    ##
    # :method: last_receive_time
    # :call-seq: last_receive_time -> Integer
    #
    # When a message was last received, in seconds since the epoch (0 if never).

    ##
    # :method: last_change_time
    # :call-seq: last_change_time -> Integer
    #
    # When the queue was created or its settings last changed, in seconds
    # since the epoch.

    ##
    # :method: last_send_pid
    # :call-seq: last_send_pid -> Integer
    #
    # The pid of the last process that sent (0 if none).

    ##
    # :method: last_receive_pid
    # :call-seq: last_receive_pid -> Integer
    #
    # The pid of the last process that received (0 if none).
  end

  class Error
    ##
    # :method: errno
    # :call-seq: errno -> Integer
    #
    # The errno of the failing system call (0 when no system call failed).

    ##
    # :method: code
    # :call-seq: code -> Integer
    #
    # The core's error code (a negative Integer, one per error class).
  end

  # The core's leak guard (more in lib/polyipc/inspect.rb, where ::new and
  # #new_objects are defined; PolyIPC::Testing is Minitest glue over it).
  class LeakSnapshot
    ##
    # :method: check
    # :call-seq: check(remove = true) -> String or nil
    #
    # The report line of the objects new since the snapshot, "left N new
    # System V object(s) behind: sem 3 (key 0x00000000, owner root), ...", or
    # +nil+ when there are none. A segment removed while still attached
    # ("dest") is not counted: the kernel frees it at its last detach. With
    # +remove+ (the default) the new objects are removed first (ones already
    # gone are ignored); another failure to remove one (e.g. PermissionsError)
    # raises.
  end

  ##
  # :singleton-method: remove_semaphore
  # :call-seq: PolyIPC.remove_semaphore(id) -> nil
  #
  # Removes the semaphore (set) with kernel id +id+. ExistentialError when
  # there is none.

  ##
  # :singleton-method: remove_shared_memory
  # :call-seq: PolyIPC.remove_shared_memory(id) -> nil
  #
  # Removes the shared memory segment with kernel id +id+ (it disappears
  # after its last detach). ExistentialError when there is none.

  ##
  # :singleton-method: remove_message_queue
  # :call-seq: PolyIPC.remove_message_queue(id) -> nil
  #
  # Removes the message queue with kernel id +id+. ExistentialError when
  # there is none.

  ##
  # :singleton-method: page_size
  # :call-seq: PolyIPC.page_size -> Integer
  #
  # The system's page size in bytes (also the constant PAGE_SIZE).
end
