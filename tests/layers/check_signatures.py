#!/usr/bin/env python3
"""Every language's calling convention checked against the one definition.

The shared interface (swig/polyipc.i and its object files) declares each
constructor and method once, with its parameter names and C defaults. Three
places restate part of that for a language's idioms:

  - Python: the text signatures of the docstrings (swig/python/docs.swg),
    which `inspect.signature` and IDEs read;
  - Ruby: the keyword methods of bindings/ruby/lib/polyipc.rb, whose keyword
    names and default values Ruby itself evaluates, and the order in which
    each passes its parameters to its positional native method (_native_*);
    and the parameters of _native_initialize (swig/ruby/idioms.swg: Ruby has
    no SWIG constructor), which must be the constructor's, in order;
  - Perl: the method table of swig/perl/idioms.swg (PIPC_PL_NAMED ...), which
    gives the named arguments, in the wrapper's positional order.

SWIG parses the interface for each language (`-xmlout`: its own parse tree,
with that language's layer included); this script compares each restatement
with it: the same parameter names, in the same order, the same required
positional parameters, and (Python, Ruby) the same default values. Where a
language deliberately differs, the difference is listed in EXCEPTIONS with its
reason. Exit status 1 on any mismatch.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))

# Parameters a typemap consumes without a language argument (numinputs=0), or
# the second half of a two-argument typemap such as (const void *data, size_t len).
HIDDEN = {"len", "nops", "count", "VALUES_OUT", "VALUES_COUNT", "PIPC_PY_SELF", "PL_SELF",
          "PL_MSGTYPE", "DESCRIPTION", "my_perl", "RB_NEW", "rb_self"}

# Deliberate differences: (language, class or "" for a module function,
# method, parameter) -> the reason. A parameter listed here may be added by
# that language or differ in default; nothing else may.
_NONE_IS_ZERO = "%s's default is %s (the kernel chooses), which its typemap reads as the C default 0"
EXCEPTIONS = {
    ("python", "SharedMemory", "attach", "address"): _NONE_IS_ZERO % ("Python", "None"),
    ("python", "", "attach", "address"): _NONE_IS_ZERO % ("Python", "None"),
    ("python", "SharedMemory", "__init__", "init_character"):
        "Python passes the fill byte as bytes (b' '), the C default is the character ' '",
    ("python", "", "list", "key"):
        "Python's default is None (no key filter), which its typemap reads as PIPC_KEY_RANDOM",
    ("ruby", "SharedMemory", "attach", "address"): _NONE_IS_ZERO % ("Ruby", "nil"),
    ("ruby", "", "attach", "address"): _NONE_IS_ZERO % ("Ruby", "nil"),
    ("ruby", "SharedMemory", "initialize", "init_character"):
        "Ruby passes the fill byte as a one-character String (' '), the C default is the character ' '",
    ("ruby", "", "ftok", "silence_warning"):
        "Ruby warns in Ruby (lib/polyipc.rb, with FTOK_WARNING), so the flag never reaches C",
}

PERL_ENTRY = re.compile(r'^\s*PIPC_PL_(NAMED|NEW|FUNCTION)\((.*)\),?\s*$')


def swig_tree(lang, args, workdir):
    """SWIG's parse tree of the interface for `lang`: python, ruby or perl."""
    build = json.load(open(os.path.join(ROOT, "core", "build.json")))
    option = {"python": "-python", "ruby": "-ruby", "perl": "-perl5"}[lang]
    xml = os.path.join(workdir, lang + ".xml")
    cmd = [args.swig, option, "-module", build["swig"]["module"][lang]] + build["swig"]["flags"][lang]
    cmd += ["-I" + d for d in args.include]
    cmd += ["-outdir", workdir, "-o", os.path.join(workdir, lang + "_wrap.c"), "-xmlout", xml,
            os.path.join(ROOT, "swig", "polyipc.i")]
    subprocess.run(cmd, check=True)
    return ET.parse(xml)


def attributes(node):
    a = node.find("attributelist")
    return {} if a is None else {x.get("name"): x.get("value") for x in a.findall("attribute")}


def parameters(node):
    """[(name, C default text or None)] of a declaration, as a language sees them."""
    out = []
    plist = node.find("attributelist/parmlist")
    for p in [] if plist is None else plist.findall("parm"):
        a = attributes(p)
        if a.get("name") and a["name"] not in HIDDEN and a["name"] != "self":
            out.append((a["name"], a.get("value")))
    return out


def declarations(tree):
    """{(class, method): [(name, default)]}: constructors as "__init__",
    module functions with class "". The language's own name (sym:name)."""
    out = {}
    for cls in tree.iter("class"):
        cname = attributes(cls).get("sym_name")
        for node in cls.iter():
            a = attributes(node)
            if node.tag == "constructor":
                out[(cname, "__init__")] = parameters(node)
            elif node.tag == "cdecl" and a.get("kind") == "function" and a.get("ismember") == "1" \
                    and a.get("sym_name") and "defaultargs" not in a:
                out[(cname, a["sym_name"])] = parameters(node)
    top = tree.getroot()
    for node in top.iter("cdecl"):
        a = attributes(node)
        if a.get("kind") == "function" and a.get("ismember") != "1" and a.get("sym_name") \
                and "defaultargs" not in a and a.get("storage") != "static":
            out.setdefault(("", a["sym_name"]), parameters(node))
    return out


C_CONSTANTS = {"NULL": None, "true": True, "false": False, "PIPC_KEY_RANDOM": "PIPC_KEY_RANDOM"}


def c_value(text):
    """A C default as a comparable value."""
    if text is None:
        raise ValueError("no default")
    text = text.strip()
    if text in C_CONSTANTS:
        return C_CONSTANTS[text]
    if re.fullmatch(r"'.'", text):
        return ord(text[1])
    if re.fullmatch(r"0[0-7]+", text):
        return int(text, 8)
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


class Report:
    def __init__(self):
        self.errors = []
        self.checked = {}

    def check(self, lang, where, ok, message):
        self.checked[lang] = self.checked.get(lang, 0) + 1
        if not ok:
            self.errors.append("%s %s: %s" % (lang, where, message))


def compare(report, lang, cls, meth, decl, given, defaults=None, extra_ok=()):
    """given: the language's [names] of all parameters after the required
    positional ones; decl: the declaration's parameters."""
    where = "%s.%s" % (cls or "(module)", meth)
    required = [n for n, d in decl if d is None]
    optional = [n for n, d in decl if d is not None]
    names_required, names_optional = given
    if lang == "python":  # any parameter can be passed by name
        report.check(lang, where, names_required == required,
                     "required parameters %s, the interface declares %s" % (names_required, required))
    else:  # positional parameters are passed by position only: their number matters
        report.check(lang, where, len(names_required) == len(required),
                     "required parameters %s, the interface declares %s" % (names_required, required))
    extra = [n for n in names_optional if n not in optional]
    unlisted = [n for n in extra if (lang, cls, meth, n) not in EXCEPTIONS]
    report.check(lang, where, not unlisted, "parameters %s are not in the interface (%s)" % (unlisted, optional))
    report.check(lang, where, [n for n in names_optional if n in optional] == optional,
                 "optional parameters %s, the interface declares %s in this order" % (names_optional, optional))
    for name, text in decl:
        if text is None or defaults is None or name not in defaults:
            continue
        if (lang, cls, meth, name) in EXCEPTIONS:
            continue
        want = c_value(text)
        report.check(lang, where + "(" + name + ")", defaults[name] == want,
                     "default %r, the interface's is %s" % (defaults[name], text))


def check_python(report, decls, python, path):
    script = r"""
import inspect, json, sys
import polyipc
out = {}
for cname in ("Semaphore", "SharedMemory", "MessageQueue", "SemaphoreSet", ""):
    owner = getattr(polyipc, cname) if cname else polyipc
    names = ["__init__"] + sorted(vars(owner)) if cname else sorted(vars(owner))
    for name in names:
        obj = owner if (cname and name == "__init__") else getattr(owner, name, None)
        if name.startswith("_") and name != "__init__" or not callable(obj):
            continue
        try:
            sig = inspect.signature(obj)
        except (TypeError, ValueError):
            out["%s.%s" % (cname, name)] = None
            continue
        params = [p for p in sig.parameters.values() if p.name != "self"]
        def value(v):
            if isinstance(v, bytes):
                return "bytes:" + v.decode("latin-1")
            return v
        out["%s.%s" % (cname, name)] = [[p.name, p.default is not p.empty, None if p.default is p.empty else value(p.default)]
                                        for p in params]
json.dump(out, sys.stdout)
"""
    env = dict(os.environ, PYTHONPATH=path)
    found = json.loads(subprocess.run([python, "-c", script], env=env, check=True,
                                      capture_output=True, text=True).stdout)
    for (cls, meth), decl in sorted(decls.items()):
        if meth.startswith("_") and meth != "__init__":
            continue
        key = "%s.%s" % (cls, meth)
        if key not in found:
            continue  # not public in Python (renamed away, or a SWIG internal)
        report.check("python", key, found[key] is not None, "no text signature (docstring)")
        if found[key] is None:
            continue
        params = found[key]
        required = [n for n, has, d in params if not has]
        optional = [n for n, has, d in params if has]
        defaults = {}
        for n, has, d in params:
            if has:
                defaults[n] = ord(d[6:]) if isinstance(d, str) and d.startswith("bytes:") and len(d) == 7 else d
        compare(report, "python", cls, meth, decl, (required, optional), defaults)


RUBY_SCRIPT = r"""
require "json"
require "polyipc"

result = {}
%w[Semaphore SharedMemory MessageQueue SemaphoreSet LeakSnapshot].each do |cname|
  klass = PolyIPC.const_get(cname)
  names = klass.public_instance_methods(false) + [:initialize]
  names.each do |name|
    meth = klass.instance_method(name)
    loc = meth.source_location
    next unless loc # written in C: SWIG's positional wrapper, C defaults
    params = meth.parameters
    result["#{cname}.#{name}"] = { "file" => loc[0], "line" => loc[1], "parameters" => params.map { |k, n| [k.to_s, n.to_s] } }
  end
end
%w[attach ftok list info limits].each do |name|
  next unless PolyIPC.respond_to?(name)
  meth = PolyIPC.method(name)
  loc = meth.source_location
  next unless loc
  result[".#{name}"] = { "file" => loc[0], "line" => loc[1], "parameters" => meth.parameters.map { |k, n| [k.to_s, n.to_s] } }
end
puts JSON.generate(result)
"""

# Evaluates the default expression of each keyword parameter of the Ruby
# method at file:line (by running `binding.local_variable_get` inside a copy
# of the method whose body returns its parameters).
RUBY_DEFAULTS = r"""
require "json"
require "polyipc"
file, line, names = ARGV[0], Integer(ARGV[1]), JSON.parse(ARGV[2])
lines = File.readlines(file)
head = lines[line - 1]
# the def line may continue over several lines until its closing parenthesis
text = head.dup
i = line
depth = head.count("(") - head.count(")")
while depth > 0
  text << lines[i]
  depth += lines[i].count("(") - lines[i].count(")")
  i += 1
end
sig = text[/def\s+(?:self\.)?[\w?!=]+\s*(\(.*\))/m, 1] or abort("no signature at #{file}:#{line}")
PolyIPC.module_eval("def self.__pipc_probe#{sig}; binding; end")
required = JSON.parse(ARGV[3])
b = PolyIPC.send(:__pipc_probe, *required.map { nil })
out = {}
names.each { |n| out[n] = b.local_variable_get(n) }
puts JSON.generate(out)
"""


def ruby_native_call(path, line, native):
    """The argument names of the call `native(...)` in the body of the Ruby
    method defined at path:line (up to its `end`), or None if it makes none."""
    lines = open(path).read().splitlines()[line - 1:]
    indent = len(lines[0]) - len(lines[0].lstrip())
    body = []
    for text in lines[1:]:
        if text.strip() == "end" and len(text) - len(text.lstrip()) == indent:
            break
        body.append(text)
    m = re.search(r"\b%s\b(?:\(([^()]*)\))?" % re.escape(native), "\n".join(body))
    if not m:
        return None
    # a block passed on (&block) is no positional argument
    return [x.strip() for x in (m.group(1) or "").split(",") if x.strip() and not x.strip().startswith("&")]


def check_ruby(report, decls, ruby, rubylib, perl_decls):
    """Ruby's methods against the positional wrappers they call (_native_*).
    read and receive call hand-registered C functions that SWIG does not
    declare; their declaration in the Perl layer (the same parameters, the
    caller's buffer included) stands in."""
    env = dict(os.environ, RUBYLIB=rubylib)
    found = json.loads(subprocess.run([ruby, "-e", RUBY_SCRIPT], env=env, check=True,
                                      capture_output=True, text=True).stdout)
    public = {}
    for (cls, meth), decl in decls.items():
        if meth == "_native_initialize":
            continue  # checked against the constructor below
        if meth.startswith("_native_"):
            public[(cls, meth[len("_native_"):])] = decl
        elif meth == "__init__":
            public[(cls, "initialize")] = decl
    # Ruby has no SWIG constructor (SWIG would name it initialize):
    # _native_initialize restates the constructor's parameters, in order.
    for cls in ("Semaphore", "SemaphoreSet", "SharedMemory", "MessageQueue", "LeakSnapshot"):
        ctor, native = decls.get((cls, "__init__")), decls.get((cls, "_native_initialize"))
        report.check("ruby", cls + ".initialize", ctor is not None and native is not None,
                     "SWIG's parse has no constructor or no _native_initialize to compare")
        if ctor is not None and native is not None:
            report.check("ruby", cls + "._native_initialize", [n for n, d in native] == [n for n, d in ctor],
                         "parameters %s, the constructor declares %s" % ([n for n, d in native], [n for n, d in ctor]))
    for cls, meth in (("SharedMemory", "read"), ("MessageQueue", "receive")):
        if (cls, meth) not in public and (cls, "_" + meth) in perl_decls:
            public[(cls, meth)] = perl_decls[(cls, "_" + meth)]
        report.check("ruby", cls + "." + meth, (cls, meth) in public, "no declaration to check it against")
    for key, info in sorted(found.items()):
        cls, meth = key.split(".", 1)
        if (cls, meth) not in public:
            continue  # a Ruby idiom with no native counterpart (block?, synchronize ...)
        decl = public[(cls, meth)]
        required = [n for k, n in info["parameters"] if k == "req"]
        optional = [n for k, n in info["parameters"] if k in ("key", "opt")]
        defaults = json.loads(subprocess.run(
            [ruby, "-e", RUBY_DEFAULTS, info["file"], str(info["line"]), json.dumps(optional),
             json.dumps(required)], env=env, check=True, capture_output=True, text=True).stdout) if optional else {}
        compare(report, "ruby", cls, meth, decl, (required, optional), defaults)
        # the positional call: the required parameters, then the
        # declaration's optional ones in its order
        args = ruby_native_call(info["file"], info["line"], "_native_" + meth)
        want = required + [n for n, d in decl if d is not None]
        report.check("ruby", key, args == want, "calls _native_%s(%s), the declaration's order is (%s)"
                     % (meth, ", ".join(args or []), ", ".join(want)))


def check_perl(report, decls, idioms=os.path.join(ROOT, "swig", "perl", "idioms.swg")):
    """The method table's names against the Perl wrappers' parameters."""
    source = open(idioms).read()
    by_raw = {}
    for (cls, meth), decl in decls.items():
        raw = ("%s_%s" % (cls, meth)) if cls else meth
        if meth == "__init__":
            raw = "new_" + cls
        by_raw[raw] = decl
    n = 0
    for line in source.splitlines():
        m = PERL_ENTRY.match(line)
        if not m or "#define" in line:
            continue
        fields = [f.strip().strip('"') for f in m.group(2).split(",")]
        kind = m.group(1)
        if kind == "NEW":
            cls, meth, raw, npos, names = fields[0], "new", "new_" + fields[0], 2, fields[1:]
        elif kind == "NAMED":
            cls, meth, raw, npos, names = fields[0], fields[1], fields[2], int(fields[3]), fields[5:]
        else:
            cls, meth, raw, npos, names = "", fields[0], fields[1], int(fields[2]), fields[3:]
        names = [x for x in names if x and x != "NULL"]
        decl = by_raw.get(raw)
        where = "%s.%s" % (cls or "(module)", meth)
        if decl is None and 'newXS("PolyIPCc::%s",' % raw in source:
            # a hand-written XSUB of idioms.swg (synchronize): no SWIG declaration
            # to compare; its names are those of the method it stands for
            twin = by_raw.get(raw.replace("__synchronize", "__acquire"))
            report.check("perl", where, twin is not None and names == [x for x, d in twin if d is not None],
                         "named arguments %s, acquire declares %s" % (names, twin and [x for x, d in twin if d is not None]))
            continue
        report.check("perl", where, decl is not None, "the table names the wrapper %s, which SWIG does not make" % raw)
        if decl is None:
            continue
        n += 1
        required = [x for x, d in decl if d is None]
        optional = [x for x, d in decl if d is not None]
        # npos counts the invocant (the class for `new`, which SWIG's
        # constructor does not take, or the object for a method)
        positional = npos - (1 if cls else 0)
        report.check("perl", where, positional == len(required),
                     "%d positional arguments, the interface declares %s" % (positional, required))
        report.check("perl", where, names == optional,
                     "named arguments %s, the interface declares %s" % (names, optional))
    report.check("perl", "method table", n >= 10, "only %d entries found: the table's format changed?" % n)


def selftest(a, work, decls_ruby, decls_perl):
    """The checker must see a drift: a changed Ruby default (of a keyword or
    of an optional positional parameter), a Ruby keyword left out, two
    arguments swapped in a Ruby method's call of its native method, two
    parameters swapped in _native_initialize's declaration, and two Perl
    names swapped each give a mismatch."""
    failures = []
    rb_src = os.path.join(ROOT, "bindings", "ruby", "lib")
    drifts = [("mode: 0o600, initial_value: 0)", "mode: 0o644, initial_value: 0)"),
              ("def release(delta: 1)", "def release(delta: 2)"),
              ("def acquire(timeout: nil, delta: 1)", "def acquire(timeout: nil)"),
              ("def read(byte_count = 0,", "def read(byte_count = 1,"),
              ("_native_initialize(key, flags, mode, initial_value)",
               "_native_initialize(key, mode, flags, initial_value)")]
    for old, new in drifts:
        copy = os.path.join(work, "rblib")
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(rb_src, copy)
        path = os.path.join(copy, "polyipc.rb")
        text = open(path).read()
        if old not in text:
            failures.append("selftest: %r is not in lib/polyipc.rb any more" % old)
            continue
        open(path, "w").write(text.replace(old, new, 1))
        r = Report()
        check_ruby(r, decls_ruby, a.ruby, copy + ":" + a.ruby_lib, decls_perl)
        if not r.errors:
            failures.append("selftest: the Ruby drift %r -> %r was not seen" % (old, new))
    swapped = dict(decls_ruby)
    native = list(swapped.get(("Semaphore", "_native_initialize"), []))
    native[2:4] = native[3:1:-1]
    swapped[("Semaphore", "_native_initialize")] = native
    r = Report()
    check_ruby(r, swapped, a.ruby, rb_src + ":" + a.ruby_lib, decls_perl)
    if len(native) < 4 or not any("_native_initialize" in e for e in r.errors):
        failures.append("selftest: the drift of _native_initialize's declaration was not seen")
    idioms = open(os.path.join(ROOT, "swig", "perl", "idioms.swg")).read()
    old = '"timeout", "delta"'
    path = os.path.join(work, "idioms.swg")
    open(path, "w").write(idioms.replace(old, '"delta", "timeout"', 1))
    r = Report()
    check_perl(r, decls_perl, path)
    if old not in idioms or not r.errors:
        failures.append("selftest: the Perl drift (names swapped) was not seen")
    for f in failures:
        print(f)
    print("selftest: %d drifts, %d not seen" % (len(drifts) + 2, len(failures)))
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--swig", default="swig")
    ap.add_argument("--include", action="append", default=[], help="SWIG -I directories")
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--python-path", required=True, help="where the built polyipc module is")
    ap.add_argument("--ruby", default="ruby")
    ap.add_argument("--ruby-lib", required=True, help="RUBYLIB for the built extension and lib/")
    ap.add_argument("--selftest", action="store_true", help="check that drifts are seen")
    a = ap.parse_args()
    report = Report()
    with tempfile.TemporaryDirectory(prefix="pipc-signatures-") as work:
        if a.selftest:
            return selftest(a, work, declarations(swig_tree("ruby", a, work)),
                            declarations(swig_tree("perl", a, work)))
        decls_perl = declarations(swig_tree("perl", a, work))
        check_python(report, declarations(swig_tree("python", a, work)), a.python, a.python_path)
        check_ruby(report, declarations(swig_tree("ruby", a, work)), a.ruby, a.ruby_lib, decls_perl)
        check_perl(report, decls_perl)
    for lang in ("python", "ruby", "perl"):
        print("%s: %d checks" % (lang, report.checked.get(lang, 0)))
        if report.checked.get(lang, 0) < 10:
            report.errors.append("%s: only %d checks ran" % (lang, report.checked.get(lang, 0)))
    for e in report.errors:
        print("MISMATCH " + e)
    if report.errors:
        return 1
    print("every restated signature matches the interface")
    return 0


if __name__ == "__main__":
    sys.exit(main())
