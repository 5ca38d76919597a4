# frozen_string_literal: true

# Builds polyipc_native.so for the polyipc gem from what the gem ships in
# generated/ (staged by stage_native.rb when the gem was built): SWIG's
# wrapper polyipc_wrap.c and the C core, compiled as core/build.json says
# (sources, include_dirs, cflags, defines, libraries). Never runs SWIG.
require "mkmf"
require "json"

generated = File.join(File.expand_path(__dir__), "generated")
wrapper = File.join(generated, "polyipc_wrap.c")
core = File.join(generated, "core")
unless File.file?(wrapper) && File.file?(File.join(core, "build.json"))
  abort "polyipc: #{generated} lacks polyipc_wrap.c or core/build.json; " \
        "build the gem with `gem build polyipc.gemspec` in bindings/ruby of a polyipc checkout"
end
build = JSON.parse(File.read(File.join(core, "build.json")))

build.fetch("libraries").each do |lib|
  have_library(lib) or abort "polyipc: the C library -l#{lib} is missing"
end
build.fetch("include_dirs").each { |d| $INCFLAGS << " -I#{File.join(core, d)}" }
$CFLAGS << " " << build.fetch("cflags").join(" ") << " -Wall"
build.fetch("defines").each { |d| $defs << "-D#{d}" }

# The wrapper and the core sources, compiled from where they are (VPATH).
sources = [wrapper] + build.fetch("sources").map { |s| File.join(core, s) }
$srcs = sources.map { |f| File.basename(f) }
if $srcs.uniq.size != $srcs.size
  abort "polyipc: two sources share a file name (#{$srcs.tally.select { |_, n| n > 1 }.keys.join(', ')})"
end
sources.map { |f| File.dirname(f) }.uniq.each { |d| $VPATH << d }
create_makefile("polyipc_native")
