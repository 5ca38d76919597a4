# Signal-storm stress worker, Ruby side (protocol: see driver.py; the same
# roles and forms as worker.py).
#
#   worker.rb ROLE ID SECONDS OUT Q SHM MUTEX GATE READY TICK MAXBODY
require "digest/md5"
require "polyipc"

$phase = nil
$hits = Hash.new(0)
def now = Process.clock_gettime(Process::CLOCK_MONOTONIC)

def producer(a, q, out)
  rnd = Random.new(a[:id])
  seq = full = 0
  deadline = now + a[:seconds]
  while now < deadline
    n = [0, a[:maxbody], rnd.rand(a[:maxbody] + 1)][seq % 3]
    body = seq % 7 == 0 ? "\0".b * n : rnd.bytes(n)
    msg = [a[:id], seq].pack("nN") + Digest::MD5.digest(body) + body
    type = 1 + seq % 4
    if seq.odd?
      begin # proves the queue fills up: a later blocking send waits
        q.send(msg, block: false, type: type)
        seq += 1
        next
      rescue PolyIPC::BusyError
        full += 1
      end
    end
    $phase = "send"
    q.send(msg, type: type)
    $phase = nil
    seq += 1
  end
  out.write("sent #{seq}\nfull #{full}\n")
end

def consumer(a, q, out)
  got = empty = 0
  $stdout.binmode.then do |msgs|
    loop do
      selector = [0, -5][got % 2]
      data = nil
      if got % 3 == 0
        begin
          data, type = q.receive(block: false, type: selector)
        rescue PolyIPC::BusyError
          empty += 1
        end
      end
      if data.nil?
        $phase = "receive"
        data, type = q.receive(type: selector)
        $phase = nil
      end
      break if type == 5
      if data.bytesize < 22
        id, seq, intact = 0, 0, 0
      else
        id, seq = data.unpack("nN")
        intact = Digest::MD5.digest(data.byteslice(22..)) == data.byteslice(6, 16) ? 1 : 0
      end
      msgs.write([id, seq, type, data.bytesize, intact].pack("nNNNC"))
      got += 1
    end
    msgs.flush
  end
  out.write("received #{got}\nempty #{empty}\n")
end

def counter(a, mutex, muset, shm, tick, out)
  critical = lambda do
    owner = shm.read(8, offset: 8).unpack1("Q>")
    raise "mutual exclusion violated: pid #{owner} holds the mutex too" if owner != 0
    shm.write([Process.pid].pack("Q>"), offset: 8)
    value = shm.read(8, offset: 0).unpack1("Q>")
    shm.write([value + 1].pack("Q>"), offset: 0)
    shm.write("\0".b * 8, offset: 8)
  end
  i = 0
  deadline = now + a[:seconds]
  while now < deadline
    case i % 4
    when 0
      $phase = "acquire"
      mutex.acquire(timeout: i % 8 == 0 ? nil : 60)
      $phase = nil
      critical.call
      mutex.release
    when 1
      $phase = "synchronize"
      mutex.synchronize do
        $phase = nil
        critical.call
      end
    when 2
      $phase = "P"
      mutex.P
      $phase = nil
      critical.call
      mutex.V
    else
      $phase = "op"
      muset.op([[0, -1]], timeout: i % 8 == 3 ? 60 : nil)
      $phase = nil
      critical.call
      muset.op([[0, 1]])
    end
    if i % 4 == 3
      tick.release # the driver's ticker takes it back; Z waits for that
      $phase = "Z"
      tick.Z(timeout: 60)
      $phase = nil
    end
    i += 1
  end
  out.write("increments #{i}\n")
end

def main(argv)
  role, id, seconds, outpath, *keys, maxbody = argv
  qk, shmk, mutexk, gatek, readyk, tickk = keys.map { |k| Integer(k) }
  a = { role: role, id: Integer(id), seconds: Float(seconds), out: outpath, maxbody: Integer(maxbody) }
  %w[USR1 ALRM].each { |s| trap(s) { $hits[$phase] += 1 } }
  q = PolyIPC::MessageQueue.new(qk, max_message_size: 22 + a[:maxbody])
  shm = PolyIPC::SharedMemory.new(shmk)
  mutex = PolyIPC::Semaphore.new(mutexk)
  tick = PolyIPC::Semaphore.new(tickk)
  muset = PolyIPC::SemaphoreSet.new(mutexk, nsems: 0)
  gate = PolyIPC::Semaphore.new(gatek)
  PolyIPC::Semaphore.new(readyk).release # handlers are installed: the signaller may start
  $phase = "gate"
  gate.Z(timeout: 60)
  $phase = nil
  File.open(outpath, "w") do |out|
    case role
    when "producer" then producer(a, q, out)
    when "consumer" then consumer(a, q, out)
    when "counter" then counter(a, mutex, muset, shm, tick, out)
    else abort "unknown role #{role}"
    end
    %w[USR1 ALRM].each { |s| trap(s, "IGNORE") } # the storm goes on: count no more
    shm.detach
    $hits.each { |p, n| out.write("hit.#{p} #{n}\n") if p }
    out.write("signals #{$hits.values.sum}\n")
  end
end

begin
  main(ARGV)
rescue PolyIPC::Error => e
  warn "ERROR #{e.class.name.split('::').last} in #{$phase}: #{e.message}"
  exit 1
ensure # the storm may outlast us: never die of it on the way out
  %w[USR1 ALRM].each { |s| trap(s, "IGNORE") }
end
