# frozen_string_literal: true

# The shared corpus (tests/corpus/*.json, see tests/corpus/SCHEMA.md) run through
# polyipc's public Ruby API. No scenario logic lives here: this file only
# interprets the step language. One minitest test per scenario.
#
# When POLYIPC_CORPUS_REPORT names a file, the counts are written there at the
# end (tests/corpus/check_counts.py compares the three languages).
require "minitest/autorun"
require "json"
require "etc"
require "polyipc"

module CorpusRuby
  LANG = "ruby"
  DIR = ENV["POLYIPC_CORPUS_DIR"] || File.expand_path("../corpus", __dir__)

  class Fail < StandardError; end

  # -------------------------------------------------------------------------
  # The mapping layer: everything Ruby-specific about the API is here.
  # -------------------------------------------------------------------------
  module Api
    module_function

    def new(cls, args, kwargs)
      PolyIPC.const_get(cls).new(*args, **kwargs)
    end

    def call(obj, name, args, kwargs)
      (obj || PolyIPC).public_send(name, *args, **kwargs)
    end

    # `attached` is `attached?` in Ruby (docs/ruby.md); plain names otherwise.
    def get(obj, name)
      obj.respond_to?(name) ? obj.public_send(name) : obj.public_send("#{name}?")
    end

    def set(obj, name, value)
      obj.public_send("#{name}=", value)
    end

    def const(name)
      PolyIPC.const_get(name)
    end

    def error_matches?(exc, kind)
      return exc.is_a?(NoMethodError) && !exc.is_a?(PolyIPC::Error) if kind == "AttributeNotWritable"

      PolyIPC.const_defined?(kind) && exc.is_a?(PolyIPC.const_get(kind)) && exc.is_a?(PolyIPC::Error)
    end

    def error_errno(exc)
      exc.respond_to?(:errno) ? exc.errno : nil
    end

    def self_value(what)
      case what
      when "pid" then Process.pid
      when "uid" then Process.euid
      when "gid" then Process.egid
      when "page_size" then Etc.sysconf(Etc::SC_PAGESIZE)
      when "msgmax", "msgmnb" then Integer(File.read("/proc/sys/kernel/#{what}"))
      else raise Fail, "unknown self value #{what}"
      end
    end

    def drop_privileges(user)
      raise Fail, "unknown user #{user}" unless user == "nobody"

      Process.groups = []
      Process::Sys.setresgid(65_534, 65_534, 65_534)
      Process::Sys.setresuid(65_534, 65_534, 65_534)
    end
  end

  # -------------------------------------------------------------------------
  # The step interpreter (the same in every language's runner).
  # -------------------------------------------------------------------------
  module_function

  def value(v, env)
    return v.map { |x| value(x, env) } if v.is_a?(Array)
    return v unless v.is_a?(Hash)

    if v.key?("hex") then [v["hex"]].pack("H*") * value(v.fetch("repeat", 1), env)
    elsif v.key?("var")
      raise Fail, "variable #{v['var'].inspect} is not set" unless env.key?(v["var"])

      v.key?("plus") ? env[v["var"]] + v["plus"] : env[v["var"]]
    elsif v.key?("join") then v["join"].map { |x| value(x, env).to_s }.join
    elsif v.key?("const") then Array(v["const"]).reduce(0) { |r, n| r | Api.const(n) }
    elsif v.key?("oct") then Integer(v["oct"], 8)
    elsif v.key?("self") then Api.self_value(v["self"]) + v.fetch("plus", 0)
    else raise Fail, "unknown value form #{v.inspect}"
    end
  end

  # The `pick` modifier (SCHEMA.md): record fields, list indices, "#" = length.
  def pick(got, path)
    path.each { |p| got = p == "#" ? got.size : got[p.is_a?(String) ? p.to_sym : p] }
    got
  end

  def matches?(got, exp, env)
    if exp.is_a?(Hash) && (exp.key?("gt") || exp.key?("ge"))
      return false unless got.is_a?(Integer)

      return exp.key?("gt") ? got > value(exp["gt"], env) : got >= value(exp["ge"], env)
    end
    if exp.is_a?(Array)
      return got.is_a?(Array) && got.size == exp.size && got.zip(exp).all? { |g, e| matches?(g, e, env) }
    end

    want = value(exp, env)
    case want
    when true, false then got.equal?(want)
    when Integer then got.is_a?(Integer) && got == want
    when String
      if exp.is_a?(Hash) && !exp.key?("join") # bytes: binary strings (docs/ruby.md)
        got.is_a?(String) && got.encoding == Encoding::ASCII_8BIT && got == want
      else
        got.is_a?(String) && got.b == want.b
      end
    else got == want
    end
  end

  def show(v)
    s = v.inspect
    s.size <= 120 ? s : "#{s[0, 117]}..."
  end

  def perform(step, env)
    args = step.fetch("args", []).map { |a| value(a, env) }
    kwargs = step.fetch("kwargs", {}).to_h { |k, v| [k.to_sym, value(v, env)] }
    on = step.key?("on") ? value({ "var" => step["on"] }, env) : nil
    if step.key?("new") then Api.new(step["new"], args, kwargs)
    elsif step.key?("call") then Api.call(on, step["call"], args, kwargs)
    elsif step.key?("get") then Api.get(on, step["get"])
    elsif step.key?("set") then Api.set(on, step["set"], value(step["value"], env)) && nil
    elsif step.key?("const") then Api.const(step["const"])
    elsif step.key?("str") then value({ "var" => step["str"] }, env).to_s
    else raise Fail, "step has no action: #{step.inspect}"
    end
  end

  def check_step(step, env)
    what = step["note"] || JSON.generate(step)[0, 100]
    begin
      got = perform(step, env)
    rescue Fail
      raise
    rescue StandardError, ScriptError => e
      raise Fail, "#{what}: unexpected #{e.class}: #{e.message}" unless step.key?("raises")
      unless Api.error_matches?(e, step["raises"])
        raise Fail, "#{what}: expected #{step['raises']}, got #{e.class}: #{e.message}"
      end
      if step.key?("errno") && Api.error_errno(e) != step["errno"]
        raise Fail, "#{what}: expected errno #{step['errno']}, got #{Api.error_errno(e).inspect} (#{e.message})"
      end

      return
    end
    if step.key?("raises")
      begin
        got.remove if step.key?("new") # never leak what an unexpectedly successful constructor made
      rescue StandardError
        nil
      end
      raise Fail, "#{what}: expected #{step['raises']}, but it returned #{show(got)}"
    end
    got = pick(got, step["pick"]) if step.key?("pick")
    if step.key?("expect") && !matches?(got, step["expect"], env)
      raise Fail, "#{what}: expected #{show(step['expect'])}, got #{show(got)}"
    end

    env[step["save"]] = got if step.key?("save")
  end

  def in_child(step, env)
    r, w = IO.pipe
    pid = fork do
      r.close
      code = 0
      msg = ""
      begin
        Api.drop_privileges(step["as_user"]) if step.key?("as_user")
        check_step(step, env)
      rescue Exception => e # rubocop:disable Lint/RescueException
        code = 1
        msg = e.message
      end
      w.write(msg)
      w.close
      exit!(code)
    end
    w.close
    msg = r.read
    r.close
    Process.wait(pid)
    return if $?.success?

    who = step.key?("as_user") ? " as #{step['as_user']}" : ""
    raise Fail, "in a child#{who}: #{msg.empty? ? $?.inspect : msg}"
  end

  def private_ipc_namespace?
    outer = ENV["POLYIPC_OUTER_IPC_NS"]
    outer = File.readlink("/proc/1/ns/ipc") if outer.nil? || outer.empty?
    File.readlink("/proc/self/ns/ipc") != outer
  rescue SystemCallError
    false
  end

  def run_step(test, step, env, restore)
    if step.key?("sysctl")
      test.skip("sysctl steps run only in a private IPC namespace (unshare --ipc)") unless private_ipc_namespace?
      path = "/proc/sys/#{step['sysctl'].tr('.', '/')}"
      restore << [path, File.read(path)]
      File.write(path, step["value"])
    elsif step.key?("as_user") || step["child"]
      in_child(step, env)
    else
      check_step(step, env)
    end
  end

  def run_scenario(test, sc)
    env = {}
    restore = []
    begin
      sc["steps"].each { |step| run_step(test, step, env, restore) }
    ensure
      sc.fetch("cleanup", []).each do |step|
        perform(step, env)
      rescue StandardError, Fail
        nil # cleanup never fails a scenario
      end
      restore.reverse_each { |path, old| File.write(path, old) }
    end
  end

  # -------------------------------------------------------------------------
  # Collection and counting.
  # -------------------------------------------------------------------------
  SCENARIOS = Dir[File.join(DIR, "*.json")].sort.flat_map { |f| JSON.parse(File.read(f))["scenarios"] }
  COUNTS = { total: SCENARIOS.size, executed: 0, passed: 0, not_applicable: 0 }

  def not_applicable(sc)
    return "only for #{sc['only'].join(', ')}: #{sc['reason']}" if sc.key?("only") && !sc["only"].include?(LANG)

    sc.fetch("skip", {})[LANG]
  end
end

class TestCorpus < Minitest::Test
  CorpusRuby::SCENARIOS.each do |sc|
    define_method("test_#{sc['name'].tr('.', '_')}") do
      reason = CorpusRuby.not_applicable(sc)
      if reason
        CorpusRuby::COUNTS[:not_applicable] += 1
        skip("not applicable to ruby: #{reason}")
      end
      CorpusRuby::COUNTS[:executed] += 1
      begin
        CorpusRuby.run_scenario(self, sc)
      rescue CorpusRuby::Fail => e
        flunk(e.message)
      end
      CorpusRuby::COUNTS[:passed] += 1
      pass
    end
  end
end

Minitest.after_run do
  c = CorpusRuby::COUNTS
  line = "corpus ruby: total=#{c[:total]} executed=#{c[:executed]} passed=#{c[:passed]} " \
         "not_applicable=#{c[:not_applicable]}"
  puts line
  File.write(ENV["POLYIPC_CORPUS_REPORT"], "#{line}\n") if ENV["POLYIPC_CORPUS_REPORT"] && !ENV["POLYIPC_CORPUS_REPORT"].empty?
end
