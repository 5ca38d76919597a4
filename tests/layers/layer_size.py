#!/usr/bin/env python3
"""The size of the shared interface against each language layer.

Shared: swig/polyipc.i and the object files swig/*.swg (written once for
every language). A language layer: swig/<lang>/*.swg plus the library code
the language loads from bindings/<lang>/ (Ruby's lib/**/*.rb, Perl's
lib/**/*.pm, Python's polyipc_testing.py). Not counted: packaging scripts
(gemspec, Makefile.PL, setup.py, stage scripts, CMake), documentation (POD,
Ruby's docs-only native_api.rb, the .pyi stub) and tests.

Two numbers per file set: all lines, and code lines (neither blank nor only a
comment). Prints a table; --json for a machine-readable form.
"""
import argparse
import glob
import json
import os
import re

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

SETS = {
    "shared": ["swig/polyipc.i", "swig/*.swg"],
    "python": ["swig/python/*.swg", "bindings/python/polyipc_testing.py"],
    "ruby": ["swig/ruby/*.swg", "bindings/ruby/lib/**/*.rb"],
    "perl": ["swig/perl/*.swg", "bindings/perl/lib/**/*.pm"],
}


def files(patterns, root):
    out = []
    for p in patterns:
        out += sorted(glob.glob(os.path.join(root, p), recursive=True))
    return out


def count(path):
    """(all lines, code lines) of one file."""
    text = open(path, encoding="utf-8").read()
    lines = text.splitlines()
    code = 0
    in_block = False
    hash_comments = path.endswith((".rb", ".pm", ".py"))
    in_pod = False
    for line in lines:
        s = line.strip()
        if hash_comments:
            if path.endswith(".pm") and re.match(r"^=(\w+)", line):
                in_pod = not line.startswith("=cut")
                continue
            if in_pod or not s or s.startswith("#"):
                continue
            code += 1
            continue
        if in_block:
            if "*/" in s:
                in_block = False
                rest = s.split("*/", 1)[1].strip()
                if rest:
                    code += 1
            continue
        if not s or s.startswith("//"):
            continue
        if s.startswith("/*"):
            if "*/" not in s:
                in_block = True
                continue
            if not s.split("*/", 1)[1].strip():
                continue
        code += 1
    return len(lines), code


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--root", default=ROOT, help="the source tree (default: this one)")
    a = ap.parse_args()
    result = {}
    for name, patterns in SETS.items():
        fs = files(patterns, a.root)
        total = [0, 0]
        for f in fs:
            n, c = count(f)
            total[0] += n
            total[1] += c
        result[name] = {"files": len(fs), "lines": total[0], "code": total[1]}
    if a.json:
        print(json.dumps(result, indent=1))
        return
    print("| part | files | lines | code lines |")
    print("| --- | ---: | ---: | ---: |")
    for name, r in result.items():
        print("| %s | %d | %d | %d |" % (name, r["files"], r["lines"], r["code"]))
    langs = [r for n, r in result.items() if n != "shared"]
    print("| all three languages | %d | %d | %d |" % (sum(r["files"] for r in langs),
                                                     sum(r["lines"] for r in langs),
                                                     sum(r["code"] for r in langs)))


if __name__ == "__main__":
    main()
