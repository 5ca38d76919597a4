# frozen_string_literal: true

# = polyipc for Ruby
#
# System V semaphores, shared memory and message queues, from the same C core
# and SWIG interface as the Python and Perl modules: one behaviour, one error
# taxonomy, and the same kernel objects in every language.
#
#   require "polyipc"
#   sem = PolyIPC::Semaphore.new(nil, flags: PolyIPC::IPC_CREX, initial_value: 1)
#   sem.synchronize { ... }
#   q = PolyIPC::MessageQueue.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX)
#   q.send("bytes", type: 2)
#   data, type = q.receive(block: false)
#
# The classes come from the SWIG-generated extension +polyipc_native+ (module
# PolyIPC). The hot methods (Semaphore#acquire, #release, #Z,
# SharedMemory#read, #write, MessageQueue#send, #receive) are defined in C
# with their keyword arguments (swig/ruby/idioms.swg), so a call costs one C
# method call. Every method written in C is documented (RDoc +:method:+
# directives) in ext/polyipc_native/native_api.rb; those written in Ruby here.
# This file reopens the classes, in the manner of Xapian's Ruby bindings, to
# add the rest: keyword constructors, blocks, predicates and aliases. Each of
# these keyword methods calls the native method directly (no option hashes).
#
# Errors: everything polyipc raises is a PolyIPC::Error (a StandardError);
# see PolyIPC::Error. Blocking calls release the GVL and can be interrupted by
# Thread#kill, Thread#raise, Timeout.timeout and Interrupt (Ctrl-C); a trap
# handler that does not raise lets the wait resume.
require "polyipc_native"

module PolyIPC
  # Base of every error polyipc raises (a StandardError). The subclasses
  # are generated at load from the C core's one table (PIPC_ERROR_TABLE):
  # ExistentialError, PermissionsError, BusyError, NotAttachedError,
  # InternalError, InvalidArgumentError, WrongTypeError, MessageSizeError,
  # LimitError, OutOfMemoryError, ReadOnlyError, SyscallError, InterruptError.
  #
  # InvalidArgumentError and MessageSizeError are also ArgumentErrors, and
  # WrongTypeError is also a TypeError: they inherit the built-in class and
  # include the tag module PolyIPC::Error::Tag, so +rescue PolyIPC::Error+,
  # +is_a?(PolyIPC::Error)+ and <tt>PolyIPC::WrongTypeError < PolyIPC::Error</tt>
  # all hold for them too (only +ancestors+ shows the difference).
  #
  # #errno is the errno of the failing system call (0 when none); #message
  # says what was attempted and why it failed.
  class Error
  end

  class Semaphore
    # :stopdoc:
    alias_method :_native_initialize, :initialize
    alias_method :_native_block_get, :block
    alias_method :_native_undo_get, :undo
    private :_native_initialize, :_native_block_get, :_native_undo_get
    # :startdoc:

    # Opens or creates a semaphore.
    #
    # key:: an Integer, PolyIPC::IPC_PRIVATE, or +nil+ for a random unused key
    #       (needs IPC_EXCL, i.e. <tt>flags: IPC_CREX</tt>)
    # flags:: 0 (open an existing one), IPC_CREAT, or IPC_CREX
    # mode:: permission bits (masked to 0o777)
    # initial_value:: applied only when this call creates the semaphore
    #
    # Raises ExistentialError (no such key / already exists), PermissionsError,
    # InvalidArgumentError, WrongTypeError.
    def initialize(key, flags: 0, mode: 0o600, initial_value: 0)
      _native_initialize(key, flags, mode, initial_value)
    end

    alias_method :P, :acquire
    alias_method :V, :release
    alias_method :wait_for_zero, :Z

    # Acquires, yields, and releases (in an +ensure+), returning the block's
    # value. An exception raised while waiting leaves nothing acquired; one
    # raised in the block still releases.
    def synchronize(timeout: nil, delta: 1)
      # Asynchronous interrupts (Thread#raise, Timeout) are delivered while
      # acquire waits, or inside the block, but never between a successful
      # acquire and the ensure that releases it.
      Thread.handle_interrupt(Object => :on_blocking) do
        _native_acquire(timeout, delta)
        begin
          Thread.handle_interrupt(Object => :immediate) { yield self }
        ensure
          _native_release(delta)
        end
      end
    end

    # +true+ (the default) when #acquire and #Z wait; +false+ adds IPC_NOWAIT.
    def block?
      _native_block_get
    end
    alias_method :block, :block?

    # +true+ when every operation uses SEM_UNDO (default +false+).
    def undo?
      _native_undo_get
    end
    alias_method :undo, :undo?

    # "Key=<key>, id=<id>", as in Python.
    def to_s
      "Key=#{key}, id=#{id}"
    end

    def inspect # :nodoc:
      "#<#{self.class} key=#{key} id=#{id}>"
    rescue Error
      "#<#{self.class} (not open)>"
    end
  end

  # A set of +nsems+ semaphores operated on atomically (beyond sysv_ipc).
  #
  #   set = PolyIPC::SemaphoreSet.new(nil, nsems: 3, flags: PolyIPC::IPC_CREX)
  #   set.values = [1, 0, 2]
  #   set.op([[0, -1], [1, 1], [2, 0, PolyIPC::IPC_NOWAIT]], timeout: 0.5)
  #   set[1]          # => 1
  class SemaphoreSet
    # :stopdoc:
    alias_method :_native_initialize, :initialize
    alias_method :_native_op, :op
    private :_native_initialize, :_native_op
    # :startdoc:

    # Opens or creates a set of +nsems+ semaphores (+nsems+ may be 0 when
    # opening an existing set). +initial_value+ is given to every semaphore,
    # only when this call creates the set. Other arguments as Semaphore.new.
    def initialize(key, nsems: 1, flags: 0, mode: 0o600, initial_value: 0)
      _native_initialize(key, nsems, flags, mode, initial_value)
    end

    # Applies every operation atomically, all or none. +ops+ is an Array of
    # <tt>[index, delta]</tt> or <tt>[index, delta, flags]</tt>: a negative
    # delta waits until it can be subtracted, a positive one adds, 0 waits
    # for zero; flags IPC_NOWAIT / SEM_UNDO. +timeout+ as Semaphore#acquire
    # (BusyError on expiry). Releases the GVL while waiting; interruptible.
    def op(ops, timeout: nil)
      _native_op(ops, timeout)
    end

    # The value of semaphore +index+.
    def [](index)
      get_value(index)
    end

    # Sets semaphore +index+ to +value+ (0..SEMAPHORE_VALUE_MAX).
    def []=(index, value)
      set_value(index, value)
    end

    # All values, as an Array of +nsems+ Integers (GETALL).
    def values
      get_values
    end
    alias_method :to_a, :values

    # Sets all values at once (SETALL); +values+ must have +nsems+ items.
    def values=(values)
      set_values(values)
    end

    alias_method :size, :nsems
    alias_method :length, :nsems

    # "Key=<key>, id=<id>", as the other classes.
    def to_s
      "Key=#{key}, id=#{id}"
    end

    def inspect # :nodoc:
      "#<#{self.class} key=#{key} id=#{id} nsems=#{nsems}>"
    rescue Error
      "#<#{self.class} (not open)>"
    end
  end

  class SharedMemory
    # :stopdoc:
    alias_method :_native_initialize, :initialize
    alias_method :_native_attach, :attach
    alias_method :_native_detach, :detach
    alias_method :_native_buffer, :buffer
    private :_native_initialize, :_native_attach, :_native_detach, :_native_buffer,
            :_invalidate_views
    # :startdoc:

    # Opens or creates a segment and attaches it (read-only when +mode+ lacks
    # 0o200).
    #
    # key:: an Integer, IPC_PRIVATE, or +nil+ (random key, needs IPC_EXCL)
    # size:: bytes; 0 means PAGE_SIZE when creating, "as it is" when opening
    # init_character:: a one-byte String a new segment is filled with
    def initialize(key, flags: 0, mode: 0o600, size: 0, init_character: " ")
      _native_initialize(key, flags, mode, size, PolyIPC.__send__(:byte_of, init_character))
    end

    # Opens (or creates) a segment like ::new. With a block, yields it and
    # detaches at the end of the block (also on exceptions), returning the
    # block's value; the segment itself stays in the kernel. Without a block,
    # returns the attached SharedMemory.
    def self.open(key, **options)
      shm = new(key, **options)
      return shm unless block_given?

      begin
        yield shm
      ensure
        shm.detach if shm.attached?
      end
    end

    # Attaches again (detaching first if attached), at +address+ (nil: the
    # kernel chooses) with +flags+ SHM_RDONLY / SHM_RND / SHM_REMAP.
    # Invalidates any IO::Buffer from #buffer.
    def attach(address: nil, flags: 0)
      _invalidate_views
      _native_attach(address, flags)
    end

    # Detaches. Any IO::Buffer from #buffer is invalidated first (using it
    # raises). NotAttachedError when not attached.
    def detach
      _invalidate_views
      _native_detach
    end

    # A zero-copy IO::Buffer over the whole attached segment (Ruby 3.1+;
    # IO::Buffer is experimental there). Read-only when attached read-only.
    # The same buffer is returned until #detach or #attach, which invalidate
    # it: using it afterwards raises instead of touching unmapped memory.
    # NotAttachedError when detached.
    def buffer
      _native_buffer
    end

    # +true+ while attached.
    def attached?
      attached
    end

    # "Key=<key>, id=<id>", as in Python.
    def to_s
      "Key=#{key}, id=#{id}"
    end

    def inspect # :nodoc:
      "#<#{self.class} key=#{key} id=#{id} size=#{size}#{attached ? '' : ' detached'}>"
    rescue Error
      "#<#{self.class} (not open)>"
    end
  end

  class MessageQueue
    # :stopdoc:
    alias_method :_native_initialize, :initialize
    private :_native_initialize
    # :startdoc:

    # Opens or creates a queue.
    # max_message_size:: the largest message #send accepts and #receive
    #                    can return (bytes)
    def initialize(key, flags: 0, mode: 0o600, max_message_size: 2048)
      _native_initialize(key, flags, mode, max_message_size)
    end

    # Opens (or creates) a queue like ::new. With a block, yields it and
    # closes the handle at the end of the block (also on exceptions),
    # returning the block's value; the queue itself stays in the kernel.
    def self.open(key, **options)
      queue = new(key, **options)
      return queue unless block_given?

      begin
        yield queue
      ensure
        queue.close unless queue.closed?
      end
    end

    # "Key=<key>, id=<id>", as in Python.
    def to_s
      "Key=#{key}, id=#{id}"
    end

    def inspect # :nodoc:
      closed? ? "#<#{self.class} closed>" : "#<#{self.class} key=#{key} id=#{id}>"
    end
  end

  class << self
    private :_native_attach, :_native_ftok

    # A new SharedMemory attached to the existing segment +id+; its +key+ is
    # the segment's real key.
    def attach(id, address: nil, flags: 0)
      _native_attach(id, address, flags)
    end

    # ftok(3): a key derived from an existing +path+ (String or Pathname) and
    # +id+ (0..255). Warns, as sysv_ipc does, because ftok keys can collide,
    # unless +silence_warning+. SyscallError (errno ENOENT, ...) when the
    # path cannot be stat'ed.
    def ftok(path, id, silence_warning: false)
      unless silence_warning
        warn("PolyIPC.ftok: keys from ftok can collide; pass silence_warning: true to hide this",
             uplevel: 1)
      end
      _native_ftok(path, id)
    end

    private

    # The byte value of a one-byte String (init_character).
    def byte_of(char)
      raise WrongTypeError, "init_character must be a String, not #{char.class}" unless char.is_a?(String)
      raise InvalidArgumentError, "init_character must be exactly one byte" unless char.bytesize == 1

      char.getbyte(0)
    end
  end
end
