# frozen_string_literal: true

# The Ruby side of polyipc's benchmark suite.
#
#   ruby bench.rb IMPL WORKLOAD COUNT [WARMUP]
#
# IMPL is "polyipc" (positional calls: q.send(data), shm.write(data)) or
# "polyipc_kw" (the same with the keywords users write: type:, offset:).
# Debian packages no System V IPC library for Ruby, and Ruby's standard
# library has none, so there is no incumbent to compare.
# Creates private objects, runs WARMUP operations (default COUNT/10, at least 10), times COUNT operations with
# CLOCK_MONOTONIC, checks the data, removes what it created and prints
# "RESULT <ns per op>". A wrong datum exits with status 1.
require "polyipc"

IMPL, WORKLOAD, COUNT_S, WARMUP_S = ARGV
COUNT = Integer(COUNT_S || 0)
abort "usage: ruby bench.rb polyipc|polyipc_kw WORKLOAD COUNT [WARMUP]" unless %w[polyipc polyipc_kw].include?(IMPL) && COUNT >= 1
KW = IMPL == "polyipc_kw"
WARMUP = WARMUP_S ? Integer(WARMUP_S) : [COUNT / 10, 10].max
MSG_CAP = 4096

def fail!(msg)
  warn "bench ruby/#{IMPL} #{WORKLOAD}: check failed: #{msg}"
  exit 1
end

def payload(n) = Array.new(n) { |i| (7 * i + 3) & 0xFF }.pack("C*")

# Runs the block for the warm-up, then times it for COUNT; ns per op.
def timed
  yield WARMUP
  t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond)
  yield COUNT
  (Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond) - t0).fdiv(COUNT)
end

def wait_child(pid)
  _, status = Process.wait2(pid)
  fail!("child exit status #{status.inspect}") unless status.success?
end

# PolyIPC's constructors (docs/api.md): key first, keyword arguments.
def semaphore(value) = PolyIPC::Semaphore.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX, initial_value: value)
def queue = PolyIPC::MessageQueue.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX, max_message_size: MSG_CAP)
def segment(size) = PolyIPC::SharedMemory.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX, size: size)

def run(workload)
  case workload
  when "sem_value"
    sem = semaphore(7)
    begin
      timed do |n|
        v = nil
        n.times { v = sem.value }
        fail!("value #{v}") unless v == 7
      end
    ensure
      sem.remove
    end
  when "sem_acquire_release"
    sem = semaphore(1)
    begin
      ns = timed { |n| n.times { sem.acquire; sem.release } }
      fail!("value back to 1") unless sem.value == 1
      ns
    ensure
      sem.remove
    end
  when "msg_64", "msg_4k"
    data = payload(workload == "msg_64" ? 64 : 4096)
    q = queue
    begin
      got = nil
      ns = if KW
             timed { |n| n.times { q.send(data, type: 1); got = q.receive(type: 0) } }
           else
             timed { |n| n.times { q.send(data); got = q.receive } }
           end
      fail!("message round trip") unless got == [data, 1]
      ns
    ensure
      q.remove
    end
  when "msg_pingpong"
    data = payload(64)
    q = queue
    begin
      pid = fork do
        (WARMUP + COUNT).times do
          m, = q.receive(type: 1)
          q.send(m, type: 2)
        end
        exit!(0)
      rescue Exception => e # rubocop:disable Lint/RescueException
        warn "child: #{e.full_message}"
        exit!(2)
      end
      got = nil
      ns = timed { |n| n.times { q.send(data, type: 1); got = q.receive(type: 2) } }
      wait_child(pid)
      fail!("echoed message") unless got == [data, 2]
      ns
    ensure
      q.remove
    end
  when "sem_handoff"
    a = semaphore(0)
    b = semaphore(0)
    begin
      pid = fork do
        (WARMUP + COUNT).times { a.acquire; b.release }
        exit!(0)
      rescue Exception => e # rubocop:disable Lint/RescueException
        warn "child: #{e.full_message}"
        exit!(2)
      end
      ns = timed { |n| n.times { a.release; b.acquire } }
      wait_child(pid)
      fail!("values back to 0") unless a.value.zero? && b.value.zero?
      ns
    ensure
      a.remove
      b.remove
    end
  when "shm_64", "shm_1m"
    size = workload == "shm_64" ? 64 : 1 << 20
    data = payload(size)
    shm = segment(size)
    begin
      got = nil
      ns = if workload == "shm_1m"
             # What a Ruby user writes for a hot loop of large reads: IO#read's
             # outbuf idiom. read fills one String; nothing is allocated per
             # read (a new 1 MiB String per read is freed only at GC).
             got = String.new(capacity: size)
             if KW
               timed { |n| n.times { shm.write(data, offset: 0); shm.read(size, offset: 0, buffer: got) } }
             else
               timed { |n| n.times { shm.write(data); shm.read(size, buffer: got) } }
             end
           elsif KW
             timed { |n| n.times { shm.write(data, offset: 0); got = shm.read(size, offset: 0) } }
           else
             timed { |n| n.times { shm.write(data); got = shm.read(size) } }
           end
      fail!("read back what was written") unless got == data
      ns
    ensure
      shm.detach
      shm.remove
    end
  else
    fail!("unknown workload #{workload}")
  end
end

printf("RESULT %.1f\n", run(WORKLOAD))
