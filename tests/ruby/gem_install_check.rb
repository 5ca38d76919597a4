# frozen_string_literal: true

# The gem as a user gets it (ctest `ruby_gem`, also `rake test` in
# bindings/ruby): from a clean copy of the tree, `gem build polyipc.gemspec`;
# then `gem install` of that .gem into an empty GEM_HOME with SWIG hidden
# from PATH (a fake swig that records being called); then, against the
# INSTALLED gem only: a smoke test, the shared corpus runner
# (tests/ruby/test_corpus.rb) and the ri documentation `gem install` made.
require "minitest/autorun"
require "fileutils"
require "json"
require "open3"
require "rbconfig"
require "rubygems/package"
require "rdoc"
require "tmpdir"

class TestGemInstall < Minitest::Test
  ROOT = File.expand_path("../..", __dir__)
  RUBY = RbConfig.ruby
  VERSION = File.read(File.join(ROOT, "VERSION")).strip
  # What a source checkout has that the gem is built from (a clean copy of
  # these, without build output or anything staged before).
  TREE = %w[VERSION LICENSE README.md CHANGELOG.md core swig bindings/ruby tests/ruby tests/corpus].freeze
  # The classes whose every public method must have ri documentation.
  CLASSES = %w[Semaphore SemaphoreSet SharedMemory MessageQueue LeakSnapshot].freeze

  def self.run_ok(env, *cmd, chdir: Dir.pwd)
    out, status = Open3.capture2e(env, *cmd, chdir: chdir)
    raise "#{cmd.join(' ')} failed (#{status}):\n#{out}" unless status.success?

    out
  end

  # Builds and installs once for all the tests below; returns a Hash.
  def self.installed
    @installed ||= begin
      tmp = Dir.mktmpdir("polyipc-gem-test")
      Minitest.after_run { FileUtils.rm_rf(tmp) }
      src = clean_copy(File.join(tmp, "src"))
      run_ok({}, RUBY, "-S", "gem", "build", "polyipc.gemspec", chdir: File.join(src, "bindings/ruby"))
      gem = File.join(src, "bindings/ruby/polyipc-#{VERSION}.gem")
      home = File.join(tmp, "home")
      bin = path_without_swig(File.join(tmp, "bin"))
      # GEM_PATH keeps the system's gems (Debian's minitest) after the new home.
      gem_path = [home, *Gem.path].join(File::PATH_SEPARATOR)
      env = { "GEM_HOME" => home, "GEM_PATH" => gem_path, "PATH" => bin, "SWIG" => nil,
              "RUBYLIB" => nil, "RUBYOPT" => nil }
      # `gem install` as documented: the default makes ri docs.
      install_log = run_ok(env, RUBY, "-S", "gem", "install", "--local", gem)
      { tmp: tmp, src: src, gem: gem, home: home, bin: bin, env: env, install_log: install_log,
        ri: File.join(home, "doc", "polyipc-#{VERSION}", "ri") }
    end
  end

  def self.clean_copy(dest)
    TREE.each do |rel|
      from = File.join(ROOT, rel)
      raise "#{rel} is missing from the source tree" unless File.exist?(from)

      FileUtils.mkdir_p(File.dirname(File.join(dest, rel)))
      FileUtils.cp_r(from, File.join(dest, rel))
    end
    # whatever a previous build left in the checkout (all gitignored)
    ruby = File.join(dest, "bindings/ruby")
    FileUtils.rm_rf(Dir[File.join(ruby, "{ext/polyipc_native/generated,pkg,*.gem,README.md,LICENSE,CHANGELOG.md}")])
    dest
  end

  # A PATH directory with every program of PATH except SWIG, plus a fake
  # swig/swig4.0 that records its use and fails.
  def self.path_without_swig(bin)
    FileUtils.mkdir_p(bin)
    ENV.fetch("PATH").split(File::PATH_SEPARATOR).each do |dir|
      Dir.glob(File.join(dir, "*")).each do |prog|
        name = File.basename(prog)
        next if name.start_with?("swig") || File.exist?(File.join(bin, name))
        next unless File.file?(prog) && File.executable?(prog)

        File.symlink(prog, File.join(bin, name))
      end
    end
    %w[swig swig4.0].each do |name|
      File.write(File.join(bin, name), "#!/bin/sh\necho \"$0 $*\" >> '#{bin}/swig-called'\nexit 1\n")
      File.chmod(0o755, File.join(bin, name))
    end
    bin
  end

  def inst
    self.class.installed
  end

  def run_installed(*args)
    self.class.run_ok(inst[:env], RUBY, *args)
  end

  # Ruby code that fails unless polyipc is loaded from the temporary GEM_HOME.
  FROM_GEM = <<~'RUBY'
    require "polyipc"
    loaded = $LOADED_FEATURES.grep(/polyipc/)
    unless loaded.size >= 2 && loaded.all? { |f| f.start_with?(ENV["GEM_HOME"]) } # polyipc.rb, polyipc/*.rb, the extension
      abort "polyipc loaded from outside the installed gem: #{loaded}"
    end
  RUBY

  # Runs "$@", then fails if it left a System V object in its namespace.
  IN_NAMESPACE = <<~'SH'
    "$@"; rc=$?
    left=$(cat /proc/sysvipc/sem /proc/sysvipc/shm /proc/sysvipc/msg | grep -cv '^ *key')
    if [ "$left" -ne 0 ]; then echo "LEAK: $left System V object(s) left behind"; ipcs -a; rc=1; fi
    exit $rc
  SH

  def test_the_gem_holds_the_generated_wrapper_and_the_core
    files = Gem::Package.new(inst[:gem]).contents
    build = JSON.parse(File.read(File.join(ROOT, "core/build.json")))
    gen = "ext/polyipc_native/generated"
    expected = %w[lib/polyipc.rb ext/polyipc_native/extconf.rb ext/polyipc_native/native_api.rb
                  README.md LICENSE CHANGELOG.md] +
               ["#{gen}/polyipc_wrap.c", "#{gen}/VERSION", "#{gen}/core/build.json",
                "#{gen}/core/include/polyipc.h", "#{gen}/core/include/polyipc_version.h",
                "#{gen}/error_classes.rb"] +
               build["sources"].map { |s| "#{gen}/core/#{s}" }
    expected.each { |f| assert_includes files, f }
    refute files.any? { |f| f.end_with?(".so", ".o", ".i", ".swg") }, "nothing compiled, no SWIG input: #{files}"
    assert files.all? { |f| f.start_with?("lib/", "ext/polyipc_native/") || %w[README.md LICENSE CHANGELOG.md].include?(f) }
  end

  def test_metadata
    spec = Gem::Package.new(inst[:gem]).spec
    assert_equal VERSION, spec.version.to_s
    assert_equal ["BSD-3-Clause"], spec.licenses
    assert_equal "https://github.com/polyipc/polyipc", spec.homepage
    %w[source_code_uri changelog_uri documentation_uri].each do |k|
      assert_match %r{\Ahttps://github\.com/polyipc/polyipc}, spec.metadata[k], k
    end
    assert_equal Gem::Requirement.new(">= 3.1"), spec.required_ruby_version
    assert spec.required_ruby_version.satisfied_by?(Gem::Version.new(RUBY_VERSION))
    refute_empty spec.summary
    assert_operator spec.description.size, :>, spec.summary.size
  end

  def test_install_never_ran_swig
    refute File.exist?(File.join(inst[:bin], "swig-called")),
           "extconf.rb ran SWIG: #{File.read(File.join(inst[:bin], 'swig-called')) rescue nil}"
    out = self.class.run_ok(inst[:env], "sh", "-c", "command -v swig; command -v swig4.0")
    assert out.lines.all? { |l| l.start_with?(inst[:bin]) }, "only the fake swig is on PATH: #{out}"
    assert_match(/Successfully installed polyipc-#{Regexp.escape(VERSION)}/, inst[:install_log])
  end

  def test_smoke_against_the_installed_gem
    script = FROM_GEM + <<~'RUBY'
      q = PolyIPC::MessageQueue.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX)
      s = PolyIPC::Semaphore.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX, initial_value: 1)
      m = PolyIPC::SharedMemory.new(PolyIPC::IPC_PRIVATE, flags: PolyIPC::IPC_CREX, size: 16)
      begin
        q.send("a\0\xFF".b, type: 5)
        s.synchronize { m.write("gem", offset: 2) }
        puts [q.receive, m.read(3, offset: 2), m.buffer.size, PolyIPC::VERSION,
              Gem.loaded_specs["polyipc"].version.to_s].inspect
      ensure
        q.remove; s.remove; m.detach; m.remove
      end
    RUBY
    out = run_installed("-e", script)
    assert_equal [["a\0\xFF".b, 5], "gem", 16, VERSION, VERSION].inspect, out.strip
  end

  def test_corpus_against_the_installed_gem
    report = File.join(inst[:tmp], "corpus-report")
    corpus = File.join(inst[:src], "tests/ruby/test_corpus.rb")
    # As tests/corpus/check_counts.py runs it: in a private IPC namespace of
    # its own (where its sysctl steps may change limits), leak-checked.
    env = inst[:env].merge("POLYIPC_CORPUS_REPORT" => report,
                           "POLYIPC_CORPUS_DIR" => File.join(inst[:src], "tests/corpus"),
                           "POLYIPC_OUTER_IPC_NS" => File.readlink("/proc/self/ns/ipc"))
    out = self.class.run_ok(env, "unshare", "--ipc", "--", "sh", "-c", IN_NAMESPACE, "sh",
                            RUBY, "-e", FROM_GEM + "load ARGV.shift", corpus)
    assert_match(/ 0 failures, 0 errors/, out)
    counts = File.read(report)[/total=(\d+) executed=(\d+) passed=(\d+)/] && [$1, $2, $3].map(&:to_i)
    refute_nil counts, "the corpus runner reported no counts"
    total, executed, passed = counts
    assert_operator total, :>, 0
    assert_operator executed, :>, 0
    assert_equal executed, passed, "every applicable scenario passed"
  end

  # Every public method of the installed classes and module, and every class
  # (the error classes too), has ri docs with a description; no private or
  # _native_ method is documented.
  def test_ri_documents_every_public_method
    assert File.directory?(inst[:ri]), "gem install made no ri docs at #{inst[:ri]}"
    listing = run_installed("-e", FROM_GEM + <<~'RUBY', *CLASSES)
      names = ARGV.flat_map do |c|
        k = PolyIPC.const_get(c)
        (k.public_instance_methods(false) - [:inspect]).map { |m| "PolyIPC::#{c}##{m}" } +
          (k.singleton_methods(false) + [:new]).map { |m| "PolyIPC::#{c}::#{m}" }
      end
      names += PolyIPC.singleton_methods(false).map { |m| "PolyIPC::#{m}" }
      names += %w[errno code].map { |m| "PolyIPC::Error##{m}" }
      classes = PolyIPC.constants.sort.map { |c| PolyIPC.const_get(c) }.grep(Class).map(&:name)
      puts names, "--", classes
    RUBY
    store = RDoc::Store.new(inst[:ri])
    store.load_cache
    methods, classes = listing.split("--\n").map(&:split)
    assert_includes classes, "PolyIPC::BusyError"
    undocumented = methods.reject do |full|
      klass, sep, meth = full.rpartition(/#|::/)
      documented?(store, klass, sep == "#" ? "#" : "::", meth)
    end
    assert_empty undocumented, "public methods without ri documentation"
    (["PolyIPC"] + classes).each do |c|
      refute_empty text(store.load_class(c).comment), "#{c} has no description"
    rescue RDoc::Store::MissingFileError
      flunk "#{c} is not in the ri docs"
    end
    hidden = store.cache[:instance_methods].merge(store.cache[:class_methods]) { |_, a, b| a + b }
                  .flat_map { |k, ms| ms.map { |m| "#{k}##{m}" } }.grep(/#_/)
    assert_empty hidden, "private methods are documented"
  end

  # The plain text of an RDoc comment (a Markup::Document, or a String).
  def text(comment)
    (comment.is_a?(String) ? comment : RDoc::Markup::ToRdoc.new.convert(comment)).strip
  end

  # A method is documented when it (or, for an alias, its original) has a
  # description in the ri store.
  def documented?(store, klass, sep, name, depth = 0)
    method = begin
      store.load_method(klass, "#{sep}#{name}")
    rescue RDoc::Store::MissingFileError
      return false
    end
    return documented?(store, klass, sep, method.is_alias_for.name, depth + 1) if method.is_alias_for && depth < 3

    !text(method.comment).empty?
  end

  def test_ri_shows_call_seq_and_description
    {
      "PolyIPC::Semaphore#acquire" => ["acquire(timeout: nil, delta: 1)", "Waits until the value"],
      "PolyIPC::Semaphore#release" => ["release(delta: 1)", "never blocks"],
      "PolyIPC::MessageQueue#receive" => ["receive(block: true, type: 0, flags: 0)", "Receives one message"],
      "PolyIPC::SharedMemory#buffer" => ["buffer", "IO::Buffer"],
      "PolyIPC::SemaphoreSet#op" => ["op(ops, timeout: nil)", "atomically"],
    }.each do |name, expected|
      out = self.class.run_ok(inst[:env], RUBY, "-S", "ri", "--no-standard-docs", "--no-site", "--no-home",
                              "--no-gems", "-d", inst[:ri], "-T", "-f", "rdoc", name)
      expected.each { |text| assert_includes out, text, "ri #{name}" }
    end
  end

  def test_rdoc_coverage_is_complete
    dir = File.join(inst[:home], "gems", "polyipc-#{VERSION}")
    spec = Gem::Package.new(inst[:gem]).spec
    args = spec.rdoc_options + spec.require_paths + ["ext/polyipc_native"] + spec.extra_rdoc_files
    out = self.class.run_ok(inst[:env], RUBY, "-S", "rdoc", "-C", "--dry-run", *args, chdir: dir)
    puts out[/^\s*Total:.*\n.*documented/]
    assert_match(/Total:\s+\d+ \(0 undocumented\)/, out)
  end
end
