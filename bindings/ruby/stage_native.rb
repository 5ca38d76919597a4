# frozen_string_literal: true

# Stages what the gem's extension is compiled from, below the gemspec (a gem
# may only contain files below its gemspec), into
# ext/polyipc_native/generated/ (gitignored, never committed):
#
#   VERSION                      copied from the repository root
#   core/build.json              the one build definition of the C core
#   core/<sources>               the sources build.json lists, the headers
#                                beside them and every header of its
#                                include_dirs
#   core/<include>/polyipc_version.h   made from the template in build.json
#   polyipc_wrap.c               SWIG's Ruby wrapper, with the module name
#                                and flags of build.json
#   error_classes.rb             RDoc of the error classes, made from the
#                                core's PIPC_ERROR_TABLE (documentation only)
#
# so that installing the gem needs a C compiler and ruby-dev, not SWIG; and
# the repository's README.md, LICENSE and CHANGELOG.md beside the gemspec
# (gitignored there too).
# Used by polyipc.gemspec in a source checkout; not shipped in the gem.
require "fileutils"
require "json"
require "open3"

module PolyIPCStage
  HERE = File.expand_path(__dir__)
  ROOT = File.expand_path("../..", HERE)
  OUT = File.join(HERE, "ext", "polyipc_native", "generated")
  # The repository's documents the gem ships at its root.
  DOCS = %w[README.md LICENSE CHANGELOG.md].freeze

  module_function

  # True in a source checkout (the gemspec then stages before listing files).
  def checkout?
    File.file?(File.join(ROOT, "core", "build.json")) && File.file?(File.join(ROOT, "swig", "polyipc.i"))
  end

  # Replaces OUT with a fresh copy; raises with a clear message on any failure.
  def run
    missing = DOCS.reject { |f| File.file?(File.join(ROOT, f)) }
    raise "polyipc gem build: #{missing.join(', ')} missing at the repository root (#{ROOT})" unless missing.empty?

    core = File.join(ROOT, "core")
    build = JSON.parse(File.read(File.join(core, "build.json")))
    version = File.read(File.join(ROOT, "VERSION")).strip
    tmp = "#{OUT}.tmp"
    FileUtils.rm_rf(tmp)
    FileUtils.mkdir_p(tmp)
    copy = lambda do |rel_from_root|
      dest = File.join(tmp, rel_from_root)
      FileUtils.mkdir_p(File.dirname(dest))
      FileUtils.cp(File.join(ROOT, rel_from_root), dest)
    end
    copy.call("VERSION")
    copy.call("core/build.json")
    build.fetch("sources").each do |src|
      copy.call("core/#{src}")
      Dir[File.join(core, File.dirname(src), "*.h")].each { |h| copy.call(h.delete_prefix("#{ROOT}/")) }
    end
    build.fetch("include_dirs").each do |inc|
      Dir[File.join(core, inc, "**", "*.h")].each { |h| copy.call(h.delete_prefix("#{ROOT}/")) }
    end
    header_dir = File.join(tmp, "core", build.fetch("include_dirs").first)
    write_version_header(File.join(core, build.dig("version_header", "template")),
                         File.join(header_dir, build.dig("version_header", "output")), version)
    swig_wrapper(build, core, header_dir, File.join(tmp, "polyipc_wrap.c"))
    File.write(File.join(tmp, "error_classes.rb"), error_classes_doc(File.join(core, "include", "polyipc.h")))
    FileUtils.rm_rf(OUT)
    FileUtils.mv(tmp, OUT)
    DOCS.each { |f| FileUtils.cp(File.join(ROOT, f), File.join(HERE, f)) }
  ensure
    FileUtils.rm_rf(tmp) if tmp
  end

  def write_version_header(template, output, version)
    major, minor, patch = version.split(".")
    text = File.read(template)
                .gsub("@PIPC_VERSION@", version).gsub("@PIPC_VERSION_MAJOR@", major)
                .gsub("@PIPC_VERSION_MINOR@", minor).gsub("@PIPC_VERSION_PATCH@", patch)
    File.write(output, text)
  end

  # SWIG 4.1 or later: $SWIG, else swig4.0 or swig on PATH.
  def swig_executable
    candidates = [ENV["SWIG"], *ENV.fetch("PATH", "").split(File::PATH_SEPARATOR).flat_map do |d|
      [File.join(d, "swig4.0"), File.join(d, "swig")]
    end]
    swig = candidates.compact.find { |f| !f.empty? && File.executable?(f) && !File.directory?(f) }
    raise "polyipc gem build: SWIG 4.1 or later is needed to build the gem (Debian: apt-get install swig)" unless swig

    out, = Open3.capture2e(swig, "-version")
    found = out[/SWIG Version (\d+\.\d+)/, 1]
    unless found && Gem::Version.new(found) >= Gem::Version.new("4.1")
      raise "polyipc gem build: #{swig} is SWIG #{found || '?'}; 4.1 or later is needed"
    end
    swig
  end

  # The error classes the extension defines at load from PIPC_ERROR_TABLE
  # (polyipc.h), as Ruby class declarations RDoc documents: one per row,
  # with the row's Ruby base class and description.
  def error_classes_doc(header)
    table = File.read(header)[/#define PIPC_ERROR_TABLE\(X\)(.*?)\n\n/m, 1]
    raise "polyipc gem build: no PIPC_ERROR_TABLE in #{header}" unless table

    rows = table.gsub("\\\n", " ").scan(/X\(\s*(-\d+),\s*\w+,\s*(\w+),\s*\w+,\s*(\w+),\s*"((?:[^"\\]|\\.)*)"\s*\)/)
    raise "polyipc gem build: PIPC_ERROR_TABLE has no rows" if rows.empty?

    classes = rows.map do |code, name, base, doc|
      base = base == "StandardError" ? "Error" : "::#{base}"
      tag = base == "Error" ? "" : "\n  #\n  # Also a PolyIPC::Error (it includes PolyIPC::Error::Tag)."
      "  # #{doc[0].upcase}#{doc[1..]} (Error#code #{code}).#{tag}\n  class #{name} < #{base}; end\n"
    end
    "# frozen_string_literal: true\n\n#--\n# Generated by stage_native.rb from PIPC_ERROR_TABLE " \
      "(core/include/polyipc.h): documentation only, never loaded.\n#++\n" \
      "module PolyIPC\n#{classes.join("\n")}end\n"
  end

  def swig_wrapper(build, core, header_dir, output)
    swig = build.fetch("swig")
    args = [swig_executable, "-ruby", "-module", swig.dig("module", "ruby"), *swig.dig("flags", "ruby"),
            *build.fetch("include_dirs").map { |d| "-I#{File.join(core, d)}" }, "-I#{header_dir}",
            "-o", output, File.expand_path(swig.fetch("interface"), core)]
    out, status = Open3.capture2e(*args)
    raise "polyipc gem build: #{args.join(' ')} failed:\n#{out}" unless status.success?
  end
end
