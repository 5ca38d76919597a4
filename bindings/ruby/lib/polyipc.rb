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
# PolyIPC). This file reopens them, in the manner of Xapian's Ruby bindings,
# and defines every method that takes keyword arguments (the constructors,
# Semaphore#acquire, #release, #Z, SharedMemory#read, #write,
# MessageQueue#send, #receive ...), blocks, predicates and aliases. Each
# keyword method calls one positional native method (_native_*): Ruby passes
# keywords to a method defined in Ruby without allocating a Hash, so a call
# with keywords costs what the positional call does. No method of the
# extension is redefined here: the constructors too are _native_initialize in
# C (swig/ruby/idioms.swg), called by the initialize defined here.
# The methods written in C are documented (RDoc +:method:+ directives) in
# ext/polyipc_native/native_api.rb.
#
# Errors: everything polyipc raises is a PolyIPC::Error (a StandardError);
# see PolyIPC::Error. Blocking calls release the GVL and can be interrupted by
# Thread#kill, Thread#raise, Timeout.timeout and Interrupt (Ctrl-C); a trap
# handler that does not raise lets the wait resume.
require "polyipc_native"
require "polyipc/inspect"

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

  # The string forms of every class: #to_s is the one description written in
  # swig/polyipc.i (PIPC_DESCRIPTION), "Key=<key>, id=<id>" (plus
  # ", nsems=<n>" for a SemaphoreSet), as in Python and Perl.
  module Description
    def inspect # :nodoc:
      "#<#{self.class} #{self}>"
    rescue WrongTypeError
      "#<#{self.class} (not initialised)>"
    rescue Error
      "#<#{self.class} (closed)>"
    end
  end

  class Semaphore
    # :stopdoc:
    private :_native_initialize, :_native_acquire, :_native_release, :_native_Z, :_native_synchronize
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

    # :call-seq: acquire(timeout: nil, delta: 1) -> nil
    #
    # Waits until the value is at least +delta+, then subtracts +delta+.
    # +timeout+: +nil+ waits forever, a number is seconds (0 is one try).
    # Raises BusyError when the timeout expires or, with <tt>block = false</tt>,
    # when it would wait; ExistentialError when the semaphore is removed.
    # Releases the GVL while waiting; interruptible. Aliased as #P.
    def acquire(timeout: nil, delta: 1)
      _native_acquire(timeout, delta)
    end

    # :call-seq: release(delta: 1) -> nil
    #
    # Adds +delta+ to the value; never blocks. InvalidArgumentError past
    # SEMAPHORE_VALUE_MAX. Aliased as #V.
    def release(delta: 1)
      _native_release(delta)
    end

    # :call-seq: Z(timeout: nil) -> nil
    #
    # Waits until the value is zero (+timeout+ as for #acquire). Aliased as
    # #wait_for_zero.
    def Z(timeout: nil)
      _native_Z(timeout)
    end

    alias_method :P, :acquire
    alias_method :V, :release
    alias_method :wait_for_zero, :Z

    # Acquires, yields, and releases (in an +ensure+), returning the block's
    # value. An exception raised while waiting leaves nothing acquired; one
    # raised in the block still releases.
    def synchronize(timeout: nil, delta: 1, &block)
      # In C (ruby/idioms.swg): interrupts (Thread#raise, Timeout, a trap
      # handler that raises) are taken while acquire waits, or inside the
      # block, never between a successful acquire and the release.
      _native_synchronize(timeout, delta, &block)
    end

    # +true+ (the default) when #acquire and #Z wait; +false+ adds IPC_NOWAIT.
    alias_method :block?, :block

    # +true+ when every operation uses SEM_UNDO (default +false+).
    alias_method :undo?, :undo

    include Description
  end

  # A set of +nsems+ semaphores operated on atomically (beyond sysv_ipc).
  #
  #   set = PolyIPC::SemaphoreSet.new(nil, nsems: 3, flags: PolyIPC::IPC_CREX)
  #   set.values = [1, 0, 2]
  #   set.op([[0, -1], [1, 1], [2, 0, PolyIPC::IPC_NOWAIT]], timeout: 0.5)
  #   set[1]          # => 1
  class SemaphoreSet
    # :stopdoc:
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

    include Description
  end

  class SharedMemory
    # :stopdoc:
    private :_native_initialize, :_native_attach, :_native_detach, :_native_write
    # :startdoc:

    # Opens or creates a segment and attaches it (read-only when +mode+ lacks
    # 0o200).
    #
    # key:: an Integer, IPC_PRIVATE, or +nil+ (random key, needs IPC_EXCL)
    # size:: bytes; 0 means PAGE_SIZE when creating, "as it is" when opening
    # init_character:: a one-byte String a new segment is filled with
    def initialize(key, flags: 0, mode: 0o600, size: 0, init_character: " ")
      _native_initialize(key, flags, mode, size, init_character)
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
      _native_attach(address, flags)
    end

    # Detaches. Any IO::Buffer from #buffer is invalidated first (using it
    # raises). NotAttachedError when not attached.
    def detach
      _native_detach
    end

    # :call-seq:
    #   read(byte_count = 0, offset: 0) -> String
    #   read(byte_count = 0, offset: 0, buffer: string) -> string
    #
    # Reads +byte_count+ bytes (0: to the end; clamped at the end) at
    # +offset+. Returns a binary (ASCII-8BIT) String. No system call.
    # InvalidArgumentError when +offset+ is negative or past the end,
    # NotAttachedError when detached.
    #
    # With <tt>buffer:</tt> a String, the bytes go into that String instead,
    # as with IO#read's +outbuf+: it is resized to the bytes read (its
    # capacity is kept, never shrunk), becomes ASCII-8BIT and is returned. A
    # hot loop reusing one buffer allocates nothing:
    #
    #   buf = String.new(capacity: shm.size)
    #   loop { shm.read(buffer: buf); ... }
    #
    # WrongTypeError (a TypeError) when +buffer+ is not a String or nil,
    # FrozenError when it is frozen; a failing read leaves it unchanged.
    def read(byte_count = 0, offset: 0, buffer: nil)
      _native_read(byte_count, offset, buffer)
    end

    # :call-seq: write(data, offset: 0) -> nil
    #
    # Writes the bytes of the String +data+ (any encoding, NUL-safe) at
    # +offset+. WrongTypeError for a non-String (no implicit +to_s+),
    # InvalidArgumentError past the end, ReadOnlyError on a read-only attach.
    def write(data, offset: 0)
      _native_write(data, offset)
    end

    # +true+ while attached.
    alias_method :attached?, :attached

    include Description
  end

  class MessageQueue
    # :stopdoc:
    private :_native_initialize, :_native_send
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

    # :call-seq: send(message, block: true, type: 1) -> nil
    #
    # Sends the String +message+ (binary-safe) with +type+ (>= 1).
    # Note: this overrides Object#send; use +__send__+ for dynamic calls.
    # block:: +false+ raises BusyError instead of waiting when the queue is full
    # Raises WrongTypeError for a non-String, MessageSizeError when longer
    # than max_message_size, InvalidArgumentError for a bad type.
    # Releases the GVL while waiting; interruptible.
    def send(message, block: true, type: 1)
      _native_send(message, block, type)
    end

    # :call-seq:
    #   receive(block: true, type: 0, flags: 0) -> [data, type]
    #   receive(block: true, type: 0, flags: 0, buffer: string) -> [string, type]
    #
    # Receives one message: returns <tt>[data, type]</tt>, +data+ a binary
    # (ASCII-8BIT) String.
    # type:: 0 the first message, > 0 the first of that type, < 0 the first of
    #        the lowest type <= |type|
    # block:: +false+ raises BusyError instead of waiting on an empty queue
    # flags:: MSG_NOERROR, MSG_EXCEPT, MSG_COPY
    # buffer:: a String to receive into instead of a new one (IO#read's
    #          +outbuf+): resized to the message, made ASCII-8BIT, and
    #          returned as +data+; its capacity is kept, so reusing it
    #          allocates no String. WrongTypeError (a TypeError) for a
    #          non-String, FrozenError when frozen; a failing receive leaves
    #          its bytes unchanged. Above 8 KiB of max_message_size it is
    #          locked (as IO#read locks its outbuf) while the call waits.
    # Releases the GVL while waiting; interruptible.
    def receive(block: true, type: 0, flags: 0, buffer: nil)
      _native_receive(block, type, flags, buffer)
    end

    include Description
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
        warn("PolyIPC.ftok: #{FTOK_WARNING}", uplevel: 1)
      end
      _native_ftok(path, id)
    end
  end
end
