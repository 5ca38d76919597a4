# frozen_string_literal: true

# Builds polyipc_native.so for the polyipc gem: runs SWIG on the one interface
# (swig/polyipc.i) and compiles the wrapper together with the C core. The gem
# carries both next to this file (ext/polyipc_native/{core,swig}), copied there
# by bindings/ruby/build_gem.rb when the gem is built.
require "mkmf"

here = File.expand_path(__dir__)
core = File.join(here, "core")
interface = File.join(here, "swig", "polyipc.i")
unless File.exist?(interface) && File.exist?(File.join(core, "include", "polyipc.h"))
  abort "polyipc: the C core and SWIG files are missing next to extconf.rb; " \
        "build the gem with bindings/ruby/build_gem.rb"
end

swig = find_executable("swig4.0") || find_executable("swig")
abort "polyipc: SWIG 4 is needed to build the extension (Debian: apt-get install swig)" unless swig

# polyipc_version.h from the gem's VERSION file (../../VERSION).
version = File.read(File.expand_path("../../VERSION", here)).strip
major, minor, patch = version.split(".")
File.write("polyipc_version.h",
           File.read(File.join(core, "include", "polyipc_version.h.in"))
               .gsub("@PIPC_VERSION@", version).gsub("@PIPC_VERSION_MAJOR@", major)
               .gsub("@PIPC_VERSION_MINOR@", minor).gsub("@PIPC_VERSION_PATCH@", patch))

wrapper = "polyipc_wrap.c"
args = [swig, "-ruby", "-I#{core}/include", "-module", "PolyIPC", "-initname", "polyipc_native",
        "-o", wrapper, interface]
message("running #{args.join(' ')}\n")
system(*args) || abort("polyipc: SWIG failed")

have_header("ruby/io/buffer.h") # IO::Buffer views need Ruby 3.1+
have_library("m")
$INCFLAGS << " -I. -I#{core}/include"
$VPATH << File.join(core, "src")
$srcs = [wrapper] + Dir[File.join(core, "src", "*.c")].sort.map { |f| File.basename(f) }
$CFLAGS << " -std=gnu11 -Wall"
create_makefile("polyipc_native")
