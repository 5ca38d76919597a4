# frozen_string_literal: true

# The polyipc gem. Build it with bindings/ruby/build_gem.rb, which stages this
# file, lib/, ext/ and a copy of the C core and SWIG files (into
# ext/polyipc_native/) in a directory and runs `gem build` there: a gem may
# only contain files below its gemspec. Installing the gem runs SWIG and
# compiles the extension (needs swig, a C compiler and ruby-dev).
unless File.exist?(File.join(__dir__, "ext", "polyipc_native", "core", "include", "polyipc.h"))
  raise "polyipc.gemspec: the C core is not staged next to it; run bindings/ruby/build_gem.rb"
end

Gem::Specification.new do |s|
  s.name = "polyipc"
  s.version = File.read(File.join(__dir__, "VERSION")).strip
  s.summary = "System V semaphores, shared memory and message queues"
  s.description = "polyipc gives Ruby (and Python and Perl, from the same C core and SWIG " \
                  "interface) the System V IPC semaphores, shared memory segments and message " \
                  "queues, with keyword arguments, blocks, one error taxonomy, GVL-releasing " \
                  "interruptible waits and zero-copy IO::Buffer views."
  s.authors = ["the polyipc authors"]
  s.license = "BSD-3-Clause"
  s.required_ruby_version = ">= 3.0"
  s.files = Dir.chdir(__dir__) do
    Dir["lib/**/*.rb", "ext/**/*.{rb,c,h,i,swg,in,json}", "README.md", "LICENSE", "VERSION"].sort
  end
  s.require_paths = ["lib"]
  s.extensions = ["ext/polyipc_native/extconf.rb"]
end
