# Interop agent, Ruby side (see driver.py for the protocol). Uses polyipc's
# public API only (docs/ruby.md).
require "polyipc"

def plan(path) = File.readlines(path, chomp: true).reject(&:empty?).map { |l| l.split(" ", -1) }
def unhex(s) = [s.to_s].pack("H*")
def hex(s) = s.unpack1("H*")

# Bounded poll of the kernel's count of blocked waiters (GETNCNT).
def wait_for_waiter(sem)
  deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + 30
  while sem.waiting_for_nonzero < 1
    abort "ERROR timeout: no waiter blocked on the semaphore" if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline
    sleep 0.001
  end
end

def main(cmd, *a)
  case cmd
  when "mq-send"
    q = PolyIPC::MessageQueue.new(Integer(a[0]), max_message_size: Integer(a[1]))
    plan(a[2]).each { |_, type, data| q.send(unhex(data), type: Integer(type)) }
    puts "ok"
  when "mq-recv"
    q = PolyIPC::MessageQueue.new(Integer(a[0]), max_message_size: Integer(a[1]))
    plan(a[2]).each do |_, type|
      data, got = q.receive(type: Integer(type))
      puts "#{got} #{hex(data)}"
    end
  when "shm-write"
    shm = PolyIPC::SharedMemory.new(Integer(a[0]))
    sem = PolyIPC::Semaphore.new(Integer(a[1]))
    plan(a[2]).each { |_, off, data| shm.write(unhex(data), offset: Integer(off)) }
    shm.detach
    sem.release
    puts "ok"
  when "shm-read"
    shm = PolyIPC::SharedMemory.new(Integer(a[0]))
    sem = PolyIPC::Semaphore.new(Integer(a[1]))
    sem.acquire(timeout: 30)
    puts shm.size
    plan(a[2]).each { |_, off, count| puts hex(shm.read(Integer(count), offset: Integer(off))) }
    shm.detach
  when "sem-wait"
    first = PolyIPC::Semaphore.new(Integer(a[0]))
    second = PolyIPC::Semaphore.new(Integer(a[1]))
    first.acquire(timeout: 30)
    puts "woken"
    begin
      second.acquire(timeout: 30)
      puts "acquired"
    rescue PolyIPC::Error => e
      puts e.class.name.split("::").last
    end
  when "sem-post"
    first = PolyIPC::Semaphore.new(Integer(a[0]))
    second = PolyIPC::Semaphore.new(Integer(a[1]))
    wait_for_waiter(first)
    first.release
    wait_for_waiter(second)
    second.remove
    puts "ok"
  else
    abort "ERROR usage: unknown command #{cmd}"
  end
end

begin
  $stdout.sync = true
  main(*ARGV)
rescue PolyIPC::Error => e
  puts "ERROR #{e.class.name.split('::').last}: #{e.message}"
  exit 1
end
