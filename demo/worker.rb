# Demo, Ruby side: a worker. Takes work items from the queue until it gets a
# stop message, computes each item's result and accumulates it in the shared
# segment under the semaphore.
#   worker.rb MQ SHM SEM WORKER_INDEX
require "polyipc"

mq_key, shm_key, sem_key, me = ARGV.map { |a| Integer(a) }
q = PolyIPC::MessageQueue.new(mq_key)
shm = PolyIPC::SharedMemory.new(shm_key)
sem = PolyIPC::Semaphore.new(sem_key)

# Layout (little-endian uint64): 0 processed, 8 duplicates, 16 sum of items,
# 24 sum of results, 32 + 8*w per-worker counts, 88 items sent; bitmap at 128.
def add(shm, offset, n)
  shm.write([shm.read(8, offset: offset).unpack1("Q<") + n].pack("Q<"), offset: offset)
end

begin
  loop do
    data, type = q.receive
    break if type == 2

    i = data.unpack1("Q<")
    result = (i * 2_654_435_761) % 4_294_967_296 # the "work": a multiplicative hash
    sem.synchronize do
      byte = 128 + i / 8
      bits = shm.read(1, offset: byte).ord
      if bits[i % 8] == 1
        add(shm, 8, 1) # duplicate
      else
        shm.write((bits | (1 << (i % 8))).chr, offset: byte)
      end
      add(shm, 0, 1)
      add(shm, 16, i)
      add(shm, 24, result)
      add(shm, 32 + 8 * me, 1)
    end
  end
rescue Interrupt, PolyIPC::ExistentialError
  exit 130 # Ctrl-C, or the demo removed the objects while we waited
end
