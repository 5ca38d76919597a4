# frozen_string_literal: true

# The gem: `gem build` (via bindings/ruby/build_gem.rb) produces a gem that
# installs into an empty GEM_HOME, compiles the extension (SWIG at build
# time), and works when required from there. Run by ctest as `ruby_gem`.
require "minitest/autorun"
require "rbconfig"
require "tmpdir"
require "open3"

class TestGemInstall < Minitest::Test
  ROOT = File.expand_path("../..", __dir__)

  def run_ok(env, *cmd)
    out, status = Open3.capture2e(env, *cmd)
    assert status.success?, "#{cmd.join(' ')} failed:\n#{out}"
    out
  end

  def test_build_install_and_require
    Dir.mktmpdir("polyipc-gem-test") do |tmp|
      ruby = RbConfig.ruby
      built = run_ok({}, ruby, File.join(ROOT, "bindings/ruby/build_gem.rb"), File.join(tmp, "pkg"))
      gem = built.lines.last.strip
      assert_match(/polyipc-\d+\.\d+\.\d+\.gem\z/, gem)
      files = run_ok({}, "sh", "-c", "tar -xOf \"$0\" data.tar.gz | tar -tz", gem).lines.map(&:strip)
      %w[lib/polyipc.rb ext/polyipc_native/extconf.rb ext/polyipc_native/core/include/polyipc.h
         ext/polyipc_native/core/src/msg.c ext/polyipc_native/swig/polyipc.i
         ext/polyipc_native/swig/ruby/binding.swg].each { |f| assert_includes files, f }
      refute files.any? { |f| f.end_with?(".so", "_wrap.c") }, "no generated or compiled file in the gem"
      home = File.join(tmp, "home")
      env = { "GEM_HOME" => home, "GEM_PATH" => home, "RUBYLIB" => nil, "RUBYOPT" => nil }
      run_ok(env, ruby, "-S", "gem", "install", "--local", "--no-document", "--install-dir", home, gem)
      script = <<~'RUBY'
        require "polyipc"
        loaded = $LOADED_FEATURES.grep(/polyipc/)
        raise "loaded from outside the gem: #{loaded}" unless loaded.size == 2 && loaded.all? { |f| f.start_with?(ENV["GEM_HOME"]) }
        q = PolyIPC::MessageQueue.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX)
        s = PolyIPC::Semaphore.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX, initial_value: 1)
        m = PolyIPC::SharedMemory.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX, size: 16)
        begin
          q.send("a\0\xFF".b, type: 5)
          s.synchronize { m.write("gem", offset: 2) }
          puts [q.receive, m.read(3, offset: 2), m.buffer.size, Gem.loaded_specs["polyipc"].version.to_s].inspect
        ensure
          q.remove; s.remove; m.detach; m.remove
        end
      RUBY
      out = run_ok(env, ruby, "-e", script)
      version = File.read(File.join(ROOT, "VERSION")).strip
      assert_equal [["a\0\xFF".b, 5], "gem", 16, version].inspect, out.strip
    end
  end
end
