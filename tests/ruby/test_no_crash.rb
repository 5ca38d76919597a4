# frozen_string_literal: true

# No input ever crashes the interpreter: the Ruby runner of the no-crash table
# (tests/nocrash/cases.json; the schema is tests/nocrash/SCHEMA.md). The table
# is expanded exactly as the Python and Perl runners do; every case runs in its
# own forked child, so a crash fails that case, and its outcome (a normal
# return, a PolyIPC error of a kind, a Ruby error, or a call still waiting
# after 0.5 s) must be the one the table expects. The few probes the table
# cannot express (Ruby's buffer: arguments, dup, foreign receivers) follow.
require_relative "helper"
require "json"

module NoCrash
  LANG = "ruby"
  TABLE = JSON.parse(File.read(File.expand_path("../nocrash/cases.json", __dir__)))
  # Errors a bad input may raise besides PolyIPC::Error (Ruby's own).
  LANG_ERRORS = [TypeError, ArgumentError, RangeError, NoMethodError, FrozenError, EncodingError,
                 FloatDomainError].freeze
  BLOCK_SECONDS = 0.5
  # Raised by the SIGALRM handler in a call still waiting (the cleanup runs).
  class Blocked < Exception; end # rubocop:disable Lint/InheritException

  module_function

  def applies?(entry)
    entry.fetch("only", [LANG]).include?(LANG)
  end

  # ---- the expansion (the same algorithm in every runner) ------------------

  def expect_of(kind, value)
    TABLE["overrides"].each do |o|
      return o["expect"] if o["lang"] == LANG && o["kinds"].include?(kind) && o["values"].include?(value)
    end
    exp = TABLE["kinds"][kind]["expect"]
    exp.fetch(value) { exp["*"] }
  end

  def values(few)
    names = TABLE["values"].select { |_, v| applies?(v) }.keys
    few ? names.select { |n| TABLE["few"].include?(n) } : names
  end

  def call_cases(base, slots, positional, few, skip)
    out = []
    slots.each_with_index do |(name, kind), i|
      values(few).each do |v|
        next if skip.fetch(name, []).include?(v)

        args = slots.map { |s| ["good", s[0]] }
        args[i] = ["bad", v]
        out << base.merge("id" => "#{base['id']} #{name}=#{v}", "args" => args, "positional" => positional,
                          "expect" => few ? "any" : expect_of(kind, v))
      end
    end
    if !slots.empty? && !few
      good = slots.map { |s| ["good", s[0]] }
      out << base.merge("id" => "#{base['id']} unknown keyword", "args" => good, "positional" => positional,
                        "extra_kw" => true, "expect" => "error")
      out << base.merge("id" => "#{base['id']} extra positional", "args" => good, "positional" => slots.size,
                        "extra_pos" => true, "expect" => "error")
    end
    out
  end

  def expand
    cases = []
    states = TABLE["states"].select { |_, s| applies?(s) }
    TABLE["objects"].each do |cls, obj|
      skip = obj.fetch("skip_values", {})
      ctor = obj["ctor"]
      base = { "id" => "#{cls}()", "op" => "ctor", "cls" => cls, "state" => "", "name" => "", "slots" => ctor }
      cases << base.merge("args" => ctor.map { |s| ["good", s[0]] }, "positional" => 1, "expect" => "ok")
      cases.concat(call_cases(base, ctor, 1, false, skip))
      states.each do |state, st|
        next if st.key?("objects") && !st["objects"].include?(cls)

        few = state != "fresh"
        default = st.fetch("expect") { few ? "any" : "ok" }
        obj["methods"].each do |name, m|
          next unless applies?(m)

          slots = m["slots"]
          base = { "id" => "#{cls}.#{name} [#{state}]", "op" => "call", "cls" => cls, "state" => state,
                   "name" => m.fetch("names", {}).fetch(LANG, name), "slots" => slots }
          cases << base.merge("args" => slots.map { |s| ["good", s[0]] }, "positional" => m.fetch("positional", 0),
                              "expect" => m.fetch(state, default))
          cases.concat(call_cases(base, slots, m.fetch("positional", 0), few, skip))
        end
        obj["attributes"].each do |name, a|
          base = { "id" => "#{cls}.#{name} [#{state}]", "cls" => cls, "state" => state, "name" => name,
                   "slots" => [], "args" => [], "positional" => 0 }
          cases << base.merge("id" => "#{base['id']} get", "op" => "get",
                              "expect" => a.fetch(state, default))
          if a.key?("set")
            kind, good = a["set"]
            slot = [[name, kind, good]]
            cases << base.merge("id" => "#{base['id']} set good", "op" => "set", "slots" => slot,
                                "args" => [["good", name]], "expect" => a.fetch(state, default))
            values(few).each do |v|
              cases << base.merge("id" => "#{base['id']} set #{v}", "op" => "set", "slots" => slot,
                                  "args" => [["bad", v]], "expect" => few ? "any" : expect_of(kind, v))
            end
          else
            cases << base.merge("id" => "#{base['id']} set read-only", "op" => "set", "slots" => [[name, "any", 1]],
                                "args" => [["good", name]], "expect" => "read_only")
          end
          if TABLE["deletable_attributes"][LANG]
            cases << base.merge("id" => "#{base['id']} delete", "op" => "del", "expect" => "lang")
          end
        end
      end
    end
    TABLE["functions"].each do |name, f|
      slots = f["slots"]
      base = { "id" => "#{name}()", "op" => "func", "cls" => "", "state" => "fresh", "name" => name, "slots" => slots }
      cases << base.merge("args" => slots.map { |s| ["good", s[0]] }, "positional" => f.fetch("positional", 0),
                          "expect" => f.fetch("fresh", "ok"))
      cases.concat(call_cases(base, slots, f.fetch("positional", 0), false, f.fetch("skip_values", {})))
    end
    cases
  end

  # ---- running one case (in the forked child) -------------------------------

  def value(spec, env)
    return spec.map { |x| value(x, env) } if spec.is_a?(Array)
    return spec unless spec.is_a?(Hash)
    return [spec["hex"]].pack("H*") if spec.key?("hex")
    return { "nan" => Float::NAN, "inf" => Float::INFINITY, "-inf" => -Float::INFINITY }.fetch(spec["float"]) if spec.key?("float")
    return spec["negative"] ? -(2**spec["pow2"]) : 2**spec["pow2"] if spec.key?("pow2")
    return PolyIPC.const_get(spec["const"]) if spec.key?("const")
    return env.fetch(spec["var"]) if spec.key?("var")

    case spec["object"]
    when "plain" then Object.new
    when "callable" then -> {}
    when "symbol" then :x
    when "hash" then {}
    else raise "unknown value form #{spec.inspect}"
    end
  end

  def make(cls, state)
    klass = PolyIPC.const_get(cls)
    return klass.allocate if state == "uninitialised"

    new = TABLE["objects"][cls]["new"]
    obj = klass.new(*value(new["args"], {}), **new["kwargs"].to_h { |k, v| [k.to_sym, value(v, {})] })
    new.fetch("then", []).each { |name, data, type| obj.public_send(name, value(data, {}), type: type) }
    case state
    when "removed"
      obj.remove
      obj.detach if cls == "SharedMemory"
    when "detached" then obj.detach
    end
    obj
  end

  def cleanup(objs)
    objs.each do |o|
      %i[remove detach].each do |step|
        o.public_send(step) if o.respond_to?(step)
      rescue StandardError
        nil
      end
    end
  end

  def invoke(c, objs)
    Process.kill(:SEGV, Process.pid) if c["name"] == "kill" # the runner's self-test
    env = {}
    if c["op"] == "func"
      shm = PolyIPC::SharedMemory.new(nil, flags: PolyIPC::IPC_CREX, size: 64)
      objs << shm
      env["shm_id"] = shm.id
    end
    good = c["slots"].to_h { |s| [s[0], value(s[2], env)] }
    vals = c["args"].map { |kind, n| kind == "good" ? good[n] : value(TABLE["values"][n]["v"], env) }
    names = c["slots"].map(&:first)
    npos = [c["positional"], vals.size].min # a constructor without arguments (LeakSnapshot)
    args = vals[0, npos]
    kwargs = names[npos..].zip(vals[npos..]).to_h { |k, v| [k.to_sym, v] }
    kwargs[:no_such_argument] = 1 if c["extra_kw"]
    args << 1 if c["extra_pos"]
    case c["op"]
    when "ctor" then objs << PolyIPC.const_get(c["cls"]).new(*args, **kwargs)
    when "func"
      r = PolyIPC.public_send(c["name"], *args, **kwargs)
      objs << r if r.is_a?(PolyIPC::SharedMemory)
    else
      obj = make(c["cls"], c["state"])
      objs << obj
      name = c["name"]
      case c["op"]
      when "call" then obj.public_send(name, *args, **kwargs)
      when "get" then obj.respond_to?(name) ? obj.public_send(name) : obj.public_send("#{name}?")
      when "set" then obj.public_send("#{name}=", vals[0])
      end
    end
  end

  def outcome(exc)
    if exc.is_a?(PolyIPC::Error)
      kind = exc.class.ancestors.find { |a| a.is_a?(Class) && a.name.to_s.match?(/\APolyIPC::\w+Error\z/) }
      return kind.name.sub("PolyIPC::", "") if kind
    end
    return "lang:#{exc.class}" if LANG_ERRORS.any? { |k| exc.is_a?(k) }

    "bad:#{exc.class}"
  end

  # In the child: [outcome, message].
  def run_case(c)
    objs = []
    trap("ALRM") { raise Blocked }
    Thread.new do
      sleep BLOCK_SECONDS
      Process.kill(:ALRM, Process.pid)
    end
    begin
      invoke(c, objs)
      ["ok", ""]
    rescue Blocked
      ["blocked", ""]
    rescue Exception => e # rubocop:disable Lint/RescueException
      [outcome(e), "#{e.class}: #{e.message}"]
    ensure
      cleanup(objs)
    end
  end

  def run_in_child(c)
    r, w = IO.pipe
    pid = fork do
      r.close
      $stderr.reopen(File::NULL) if c["id"].start_with?("selftest") # Ruby's [BUG] report of the SIGSEGV
      res = begin
        run_case(c)
      rescue Exception => e # rubocop:disable Lint/RescueException
        ["bad:#{e.class}", e.message]
      end
      w.write(JSON.generate(res))
      w.close
      exit!(0)
    end
    w.close
    data = r.read
    r.close
    Process.wait(pid)
    st = $?
    return ["crash:signal #{st.termsig}", ""] if st.signaled?

    data.empty? ? ["bad:no result", ""] : JSON.parse(data)
  end

  def matches?(expect, outcome, message)
    return false if outcome.start_with?("bad:", "crash")
    if !%w[ok blocked].include?(outcome) && !outcome.start_with?("lang:") && message.split(": ", 2).last.to_s.empty?
      return false # an error without a message
    end
    return true if expect == "any"
    return false if outcome == "blocked"

    case expect
    when "ok" then outcome == "ok"
    when "error" then outcome != "ok"
    when "lang" then outcome.start_with?("lang:")
    when "read_only" then outcome == "lang:NoMethodError"
    else outcome == expect
    end
  end

  def failures(results)
    results.reject { |c, o, m| matches?(c["expect"], o, m) }
           .map { |c, o, m| "#{c['id']}: expected #{c['expect']}, got #{o} #{m[0, 200]}" }
  end
end

class TestNoCrash < Minitest::Test
  include PolyIPCTest
  include PolyIPC

  CASES = NoCrash.expand
  GROUPS = CASES.map { |c| c["cls"].empty? ? "functions" : c["cls"] }.uniq

  GROUPS.each do |group|
    define_method(:"test_table_#{group}_never_crashes") do
      cases = CASES.select { |c| (c["cls"].empty? ? "functions" : c["cls"]) == group }
      results = cases.map { |c| [c, *NoCrash.run_in_child(c)] }
      refute_empty results
      bad = NoCrash.failures(results)
      assert_empty bad, "#{bad.size} of #{results.size} cases:\n#{bad.first(30).join("\n")}"
    end
  end

  def test_the_runner_detects_a_crash_and_a_wrong_outcome
    crash = { "id" => "selftest crash", "op" => "func", "cls" => "", "state" => "fresh", "name" => "kill",
              "slots" => [], "args" => [], "positional" => 0, "expect" => "any" }
    wrong = CASES.first.merge("id" => "selftest wrong", "expect" => "WrongTypeError") # a good constructor: ok
    bad = NoCrash.failures([crash, wrong].map { |c| [c, *NoCrash.run_in_child(c)] })
    assert_equal 2, bad.size, bad.inspect
    assert_match(/crash:signal/, bad[0]) # Ruby turns SIGSEGV into a [BUG] report and SIGABRT
    assert_match(/got ok/, bad[1])
  end

  def test_every_public_member_is_in_the_table
    missing = []
    NoCrash::TABLE["objects"].each do |cls, obj|
      listed = obj["methods"].flat_map { |n, m| [n, m.fetch("names", {})["ruby"]] } + obj["attributes"].keys
      klass = PolyIPC.const_get(cls)
      (klass.public_instance_methods - Object.public_instance_methods).each do |m|
        name = m.to_s.delete_suffix("=").delete_suffix("?")
        missing << "#{cls}##{m}" unless listed.include?(name) || NoCrash::RUBY_ONLY_MEMBERS.include?("#{cls}##{name}")
      end
    end
    assert_empty missing
  end

  E = PolyIPC
  CREX = PolyIPC::IPC_CREX

  # Ruby-only probes the table cannot express, [name, expected class, proc
  # taking (sem, shm, queue)]: each runs in a forked child.
  RUBY_ONLY = [
    [:sem_dup, TypeError, ->(s, _, _) { s.dup.value }],
    [:acquire_string_keyword, ArgumentError, ->(s, _, _) { s.acquire(**{ "delta" => 1 }) }],
    [:release_hash_positional, ArgumentError, ->(s, _, _) { s.release({ delta: 1 }) }],
    [:acquire_foreign_receiver, TypeError, ->(_, _, _) { Semaphore.instance_method(:acquire).bind_call(Object.new) }],
    [:acquire_subclass_unopened, E::WrongTypeError, ->(_, _, _) { Class.new(Semaphore).allocate.acquire }],
    [:old_buffer_after_detach, IO::Buffer::AllocationError, ->(_, m, _) { b = m.buffer; m.detach; b.get_string }],
    [:buffer_after_detach, E::NotAttachedError, ->(_, m, _) { m.detach; m.buffer }],
    # the native methods behind detach/attach (private) invalidate the view themselves
    [:old_buffer_after_private_detach, IO::Buffer::AllocationError,
     ->(_, m, _) { b = m.buffer; m.send(:_native_detach); b.get_string }],
    [:old_buffer_after_private_attach, IO::Buffer::AllocationError,
     ->(_, m, _) { b = m.buffer; m.send(:_native_attach, nil, 0); b.get_string }],
    [:read_subclass_unopened, E::WrongTypeError, ->(_, _, _) { Class.new(SharedMemory).allocate.read(1, buffer: +"") }],
    [:read_buffer_frozen, FrozenError, ->(_, m, _) { m.read(1, buffer: "x".freeze) }],
    [:read_buffer_integer, E::WrongTypeError, ->(_, m, _) { m.read(1, buffer: 1) }],
    [:read_buffer_symbol, E::WrongTypeError, ->(_, m, _) { m.read(buffer: :b) }],
    [:read_buffer_after_detach, E::NotAttachedError, ->(_, m, _) { m.detach; m.read(1, buffer: +"") }],
    [:read_buffer_after_remove_detach, E::NotAttachedError, ->(_, m, _) { m.remove; m.detach; m.read(buffer: +"") }],
    [:read_buffer_bignum_count, E::InvalidArgumentError, ->(_, m, _) { m.read(2**64, buffer: +"") }],
    [:receive_subclass_unopened, E::WrongTypeError, ->(_, _, _) { Class.new(MessageQueue).allocate.receive(buffer: +"") }],
    [:receive_buffer_frozen, FrozenError, ->(_, _, q) { q.send("x"); q.receive(buffer: "x".freeze) }],
    [:receive_buffer_array, E::WrongTypeError, ->(_, _, q) { q.receive(buffer: ["x"]) }],
    [:receive_buffer_after_close, E::ExistentialError, ->(_, _, q) { q.close; q.receive(buffer: +"") }],
    [:receive_buffer_after_remove, E::ExistentialError, ->(_, _, q) { q.remove; q.receive(buffer: +"") }],
    [:receive_buffer_big_after_remove, E::ExistentialError, lambda { |_, _, _|
      big = MessageQueue.new(nil, flags: CREX, max_message_size: 1 << 20)
      big.remove
      big.receive(buffer: "z" * (2 << 20))
    }],
    [:queue_after_close, E::ExistentialError, ->(_, _, q) { q.close; q.send("x") }],
    [:queue_close_twice, E::ExistentialError, ->(_, _, q) { q.close; q.close }],
    [:close_unopened, E::WrongTypeError, ->(_, _, _) { MessageQueue.allocate.close }],
    [:closed_p_unopened, E::WrongTypeError, ->(_, _, _) { MessageQueue.allocate.closed? }],
    [:queue_reinitialize, E::WrongTypeError, ->(_, _, q) { q.__send__(:initialize, nil) }],
    # a closed queue was initialised: refused before the arguments are used
    # (flags: 0 with a random key would be an InvalidArgumentError)
    [:queue_reinitialize_after_close, E::WrongTypeError, ->(_, _, q) { q.close; q.__send__(:initialize, nil, flags: 0) }],
    [:z_timeout_symbol, E::WrongTypeError, ->(s, _, _) { s.Z(timeout: :now) }],
  ].freeze

  RUBY_ONLY.each do |name, klass, body|
    define_method(:"test_ruby_only_#{name}") do
      sem = new_sem
      shm = new_shm(size: 64)
      q = new_queue
      assert_child_raises(klass) { body.call(sem, shm, q) }
    end
  end
end

module NoCrash
  # Ruby-only public members, probed by TestNoCrash::RUBY_ONLY instead of the table.
  RUBY_ONLY_MEMBERS = %w[Semaphore#synchronize Semaphore#wait_for_zero SharedMemory#buffer MessageQueue#close
                         MessageQueue#closed SemaphoreSet#[] SemaphoreSet#length SemaphoreSet#size
                         SemaphoreSet#to_a SemaphoreSet#values].freeze
end
