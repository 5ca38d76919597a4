"""The Python build of polyipc (setuptools; metadata in pyproject.toml).

What the extension is made of comes from core/build.json (sources, include
directories, C flags, defines, libraries, the SWIG module name and flags) and
the version from VERSION: the files CMake reads too (core/CMakeLists.txt,
bindings/python/CMakeLists.txt), so the two builds cannot drift apart.

    python3 -m build --no-isolation     dist/polyipc-<version>.tar.gz and a wheel

The distribution holds two top-level names, the layout of the CMake build tree
(<build>/bindings/python/lib) and of site-packages alike (plus the pure-Python
leak-guard plugin polyipc_testing.py):
    polyipc.<SOABI>.so          the module: one C extension, SWIG -builtin
    polyipc-stubs/__init__.pyi  its type stub, as a PEP 561 stub-only package

SWIG runs when the sdist is made (the generated wrapper goes into the sdist,
never into git) and when building from a git checkout; building from an sdist
needs only a C compiler and the Python headers. docs/python.md explains why.
"""
import json
import os
import shutil
import subprocess
import tempfile

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.install import install
from setuptools.command.sdist import sdist

HERE = os.path.dirname(os.path.abspath(__file__))
CORE = "core"
BUILD = json.load(open(os.path.join(HERE, CORE, "build.json")))
VERSION = open(os.path.join(HERE, "VERSION")).read().strip()
MODULE = BUILD["swig"]["module"]["python"]
STUBS = "bindings/python/polyipc-stubs"
# The wrapper's place in an sdist (generated into the release tree only).
WRAPPER = "bindings/python/%s_wrap.c" % MODULE


def _core(path):
    return os.path.join(CORE, path)


def write_version_header(directory):
    """Writes the version header (build.json's version_header) from its
    template and VERSION into `directory`; returns `directory`."""
    spec = BUILD["version_header"]
    major, minor, patch = (VERSION.split(".") + ["0", "0"])[:3]
    with open(_core(spec["template"])) as f:
        text = f.read()
    for token, value in (("@PIPC_VERSION@", VERSION), ("@PIPC_VERSION_MAJOR@", major),
                         ("@PIPC_VERSION_MINOR@", minor), ("@PIPC_VERSION_PATCH@", patch)):
        text = text.replace(token, value)
    os.makedirs(directory, exist_ok=True)
    out = os.path.join(directory, spec["output"])
    if not os.path.exists(out) or open(out).read() != text:
        with open(out, "w") as f:
            f.write(text)
    return directory


def _swig():
    swig = os.environ.get("SWIG") or shutil.which("swig4.0") or shutil.which("swig")
    if not swig:
        raise SystemExit("polyipc: SWIG (4.1 or later) is needed to build from a git checkout. "
                         "Install it (Debian: apt-get install swig), or build from the sdist "
                         "(dist/polyipc-%s.tar.gz), which holds the generated wrapper." % VERSION)
    return swig


def run_swig(output, generated_include):
    """Generates the Python wrapper into `output` with build.json's module name
    and flags. `-interface <module>` names the init function after the module
    itself (no Python proxy file), as CMake's UseSWIG does for this target."""
    with tempfile.TemporaryDirectory() as proxy_dir:  # SWIG's unused .py proxy
        cmd = ([_swig(), "-python", "-module", MODULE, "-interface", MODULE]
               + BUILD["swig"]["flags"]["python"]
               + ["-I" + _core(d) for d in BUILD["include_dirs"]]
               + ["-I" + generated_include, "-outdir", proxy_dir, "-o", output,
                  _core(BUILD["swig"]["interface"])])
        os.makedirs(os.path.dirname(output) or ".", exist_ok=True)
        print(" ".join(cmd))
        subprocess.check_call(cmd)


def _in_sdist():
    # An unpacked sdist has PKG-INFO at its root; a git checkout has not.
    return os.path.exists(os.path.join(HERE, "PKG-INFO"))


class BuildExt(build_ext):
    """Adds the wrapper and the generated version header to the extension:
    the sdist's wrapper, or (in a git checkout) one SWIG makes now."""

    def run(self):
        generated = write_version_header(os.path.join(self.build_temp, "polyipc-generated"))
        if _in_sdist():
            if not os.path.exists(WRAPPER):
                raise SystemExit("polyipc: this sdist lacks %s" % WRAPPER)
            wrapper = WRAPPER
        else:
            wrapper = os.path.join(self.build_temp, os.path.basename(WRAPPER))
            run_swig(wrapper, generated)
        for ext in self.extensions:
            if wrapper not in ext.sources:
                ext.sources.append(wrapper)
            ext.include_dirs.append(generated)
        super().run()


class Sdist(sdist):
    """Puts the SWIG-generated wrapper into the release tree (not the
    source tree, so it can never be committed)."""

    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        with tempfile.TemporaryDirectory() as tmp:
            run_swig(os.path.join(base_dir, WRAPPER), write_version_header(tmp))


class Install(install):
    """Debian's setuptools (also its wheel in /usr/share/python-wheels, pip's
    offline build backend for any CPython here) reads the options
    `install_layout` and `prefix_option`, which only Debian's own distutils
    defines; without them, building a wheel for another interpreter fails
    with AttributeError. Unset, they mean the standard layout."""

    def initialize_options(self):
        super().initialize_options()
        for option in ("install_layout", "prefix_option"):
            if not hasattr(self, option):
                setattr(self, option, None)


def _define(d):
    name, _, value = d.partition("=")
    return (name, value or None)


extension = Extension(
    MODULE,
    sources=[_core(s) for s in BUILD["sources"]],
    include_dirs=[_core(d) for d in BUILD["include_dirs"]],
    define_macros=[_define(d) for d in BUILD["defines"]],
    extra_compile_args=list(BUILD["cflags"]),
    libraries=list(BUILD["libraries"]),
)

setup(
    version=VERSION,
    ext_modules=[extension],
    packages=["polyipc-stubs"],
    package_dir={"": "bindings/python", "polyipc-stubs": STUBS},
    package_data={"polyipc-stubs": ["__init__.pyi"]},
    # the leak-guard pytest plugin (pytest -p polyipc_testing, docs/inspector.md)
    py_modules=["polyipc_testing"],
    zip_safe=False,
    cmdclass={"build_ext": BuildExt, "sdist": Sdist, "install": Install},
)
