#!/usr/bin/python3
"""check_exports.py <libpolyipc.so> <header>...: the shared library exports
exactly the functions declared in the installed headers, nothing else.

The declared functions are every `pipc_<name>(` outside comments and
preprocessor lines of the headers given (static inline functions
excepted); the exported ones are what `nm -D --defined-only` lists. Prints
both differences and exits 1 when the sets differ or when a non-pipc_ symbol
is exported."""
import pathlib
import re
import subprocess
import sys


def declared_functions(headers):
    names = set()
    for header in headers:
        text = pathlib.Path(header).read_text()
        text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        text = re.sub(r"//[^\n]*", " ", text)
        text = re.sub(r"^\s*#(?:[^\n]*\\\n)*[^\n]*", " ", text, flags=re.M)
        inline = set(re.findall(r"\bstatic\s+inline\b[^;{(]*\b(pipc_\w+)\s*\(", text))
        names |= set(re.findall(r"\b(pipc_[a-z][a-z0-9_]*)\s*\(", text)) - inline
    return names


def exported_symbols(library):
    out = subprocess.run(["nm", "-D", "--defined-only", library], check=True,
                         capture_output=True, text=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def main():
    library, headers = sys.argv[1], sys.argv[2:]
    declared = declared_functions(headers)
    exported = exported_symbols(library)
    print(f"{len(headers)} header(s): {', '.join(headers)}")
    print(f"{len(declared)} functions declared, {len(exported)} symbols exported")
    ok = bool(declared)
    for name in sorted(exported - declared):
        print(f"FAIL: exported but not declared in a public header: {name}")
        ok = False
    for name in sorted(declared - exported):
        print(f"FAIL: declared in a public header but not exported: {name}")
        ok = False
    if not declared:
        print("FAIL: no pipc_ function found in the headers")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
