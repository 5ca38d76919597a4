#!/usr/bin/env python3
"""A wrapper without a failure rule does not compile (swig/polyipc.i,
"Failure rules"): generates the Python wrapper of swig/polyipc.i plus one
unmarked function, compiles it (syntax only) and expects the compiler to name
that function in `pipc_wrapper_needs_a_failure_rule_<name>`. Fails when the
unmarked function compiles (a default rule is back) or when the compiler
fails for another reason."""
import argparse
import os
import subprocess
import sys
import sysconfig
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
PROBE = """
%inline %{
static char *pipc_probe_unmarked(void) { return NULL; }
%}
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--swig", required=True)
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--include", action="append", default=[], help="C include dirs of the core")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        iface = os.path.join(tmp, "probe.i")
        with open(os.path.join(ROOT, "swig", "polyipc.i"), encoding="utf-8") as f:
            text = f.read()
        with open(iface, "w", encoding="utf-8") as f:
            f.write(text + PROBE)
        wrap = os.path.join(tmp, "probe_wrap.c")
        incs = [f"-I{d}" for d in args.include]
        subprocess.run([args.swig, "-python", "-builtin", "-module", "polyipc", f"-I{ROOT}/swig", *incs,
                        "-o", wrap, iface], check=True)
        cc = subprocess.run([args.cc, "-std=c11", "-fsyntax-only", *incs,
                             f"-I{sysconfig.get_paths()['include']}", wrap],
                            capture_output=True, text=True)
    marker = "pipc_wrapper_needs_a_failure_rule_pipc_probe_unmarked"
    errors = [line for line in cc.stderr.splitlines() if "error" in line]
    if cc.returncode == 0:
        print("FAIL: a wrapper without a failure rule compiled (is there a default %exception again?)")
        return 1
    if not errors or not all(marker in line for line in errors):
        print("FAIL: the compiler did not (only) name the unmarked wrapper:\n" + "\n".join(errors[:20]))
        return 1
    print(f"ok: the unmarked wrapper does not compile ({errors[0].strip()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
