#!/usr/bin/env ruby
# frozen_string_literal: true

# Builds the polyipc gem: stages the gem's files in a directory and runs
# `gem build` there. Usage: ruby bindings/ruby/build_gem.rb [OUTDIR]
# (default: ./pkg). Prints the path of the .gem.
#
# Staged layout (everything a gem contains must be below its gemspec):
#   polyipc.gemspec, lib/polyipc.rb, README.md, LICENSE
#   ext/polyipc_native/extconf.rb        runs SWIG at install time
#   ext/polyipc_native/core/{include,src} the C core (copied from core/)
#   ext/polyipc_native/swig/             the SWIG interface (copied from swig/)
require "fileutils"
require "tmpdir"

root = File.expand_path("../..", __dir__)
here = File.expand_path(__dir__)
outdir = File.expand_path(ARGV[0] || "pkg")
FileUtils.mkdir_p(outdir)

Dir.mktmpdir("polyipc-gem") do |stage|
  FileUtils.cp(File.join(here, "polyipc.gemspec"), stage)
  FileUtils.cp_r(File.join(here, "lib"), stage)
  FileUtils.cp_r(File.join(here, "ext"), stage)
  ext = File.join(stage, "ext", "polyipc_native")
  FileUtils.mkdir_p(File.join(ext, "core"))
  FileUtils.cp_r(File.join(root, "core", "include"), File.join(ext, "core"))
  FileUtils.cp_r(File.join(root, "core", "src"), File.join(ext, "core"))
  FileUtils.cp_r(File.join(root, "swig"), ext)
  FileUtils.cp(File.join(root, "core", "build.json"), File.join(ext, "core"))
  %w[README.md LICENSE VERSION].each { |f| FileUtils.cp(File.join(root, f), stage) }
  Dir.chdir(stage) do
    system(Gem.ruby, "-S", "gem", "build", "--quiet", "polyipc.gemspec", exception: true)
  end
  gem = Dir[File.join(stage, "polyipc-*.gem")].first or abort("gem build made no .gem")
  FileUtils.mv(gem, outdir)
  puts File.join(outdir, File.basename(gem))
end
