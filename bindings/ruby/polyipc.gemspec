# frozen_string_literal: true

# The polyipc gem:  cd bindings/ruby && gem build polyipc.gemspec
#
# In a source checkout, evaluating this file first stages what the gem's
# extension is compiled from (stage_native.rb): the C core, core/build.json,
# VERSION, the generated polyipc_version.h and SWIG's Ruby wrapper into
# ext/polyipc_native/generated/, and README.md, LICENSE, CHANGELOG.md beside
# this file (all gitignored). Building the gem needs SWIG 4.1+; installing it
# needs only a C compiler and ruby-dev (extconf.rb never runs SWIG).
require_relative "stage_native" if File.file?(File.join(__dir__, "stage_native.rb"))
PolyIPCStage.run if defined?(PolyIPCStage) && PolyIPCStage.checkout?

Gem::Specification.new do |s|
  project = "https://github.com/polyipc/polyipc"
  s.name = "polyipc"
  s.version = File.read(File.join(__dir__, "ext", "polyipc_native", "generated", "VERSION")).strip
  s.summary = "System V semaphores, shared memory and message queues"
  s.description = "polyipc gives Ruby (and Python and Perl, from the same C core and SWIG " \
                  "interface) the System V IPC semaphores, semaphore sets, shared memory segments " \
                  "and message queues, with keyword arguments, blocks, one error taxonomy, " \
                  "GVL-releasing interruptible waits and zero-copy IO::Buffer views."
  s.authors = ["the polyipc authors"]
  s.license = "BSD-3-Clause"
  s.homepage = project
  s.metadata = {
    "homepage_uri" => project,
    "source_code_uri" => project,
    "changelog_uri" => "#{project}/blob/main/CHANGELOG.md",
    "documentation_uri" => "#{project}/blob/main/docs/ruby.md",
    "bug_tracker_uri" => "#{project}/issues",
  }
  # SharedMemory#buffer returns an IO::Buffer, which Ruby 3.1 introduced.
  s.required_ruby_version = ">= 3.1"
  s.requirements << "Linux (System V IPC), a C compiler and the Ruby headers (Debian: ruby-dev)"
  s.files = Dir.chdir(__dir__) do
    Dir["lib/**/*.rb", "ext/polyipc_native/{extconf.rb,native_api.rb,.document}",
        "ext/polyipc_native/generated/**/*", "README.md", "LICENSE", "CHANGELOG.md"]
      .select { |f| File.file?(f) }.sort
  end
  s.require_paths = ["lib"]
  s.extensions = ["ext/polyipc_native/extconf.rb"]
  # ri/rdoc (made by `gem install`): lib/ and ext/polyipc_native/ (where
  # .document selects native_api.rb, the docs of the methods written in C).
  s.extra_rdoc_files = ["README.md", "CHANGELOG.md", "LICENSE"]
  s.rdoc_options = ["--title", "polyipc #{s.version}", "--main", "README.md"]
end
