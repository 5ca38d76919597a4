#!/usr/bin/env bash
# check_install.sh <build dir> <version> <cmake generator> — ctest c_install.
# `cmake --install <build dir> --prefix <temporary prefix>`, then: the files,
# symlinks and soname; the shared library exports exactly the functions of
# the installed headers; the static archive holds plain object code (no
# LTO-only objects); and the consumer program built against the prefix with
# pkg-config and find_package, gcc and clang, shared and static, runs.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$1 VERSION=$2 GENERATOR=$3
# shellcheck source=lib.sh
source "$HERE/lib.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/polyipc-c-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
major=${VERSION%%.*}

cmake --install "$BUILD" --prefix "$prefix" >"$work/install.log" \
    || { cat "$work/install.log"; fail "cmake --install failed"; }
if grep -v "^$prefix/" "$BUILD/install_manifest.txt"; then fail "installed outside the prefix (above)"; fi
(cd "$prefix" && find . \( -type f -o -type l \) | sort)

for f in include/polyipc.h include/polyipc_version.h lib/libpolyipc.so "lib/libpolyipc.so.$major" \
         "lib/libpolyipc.so.$VERSION" lib/libpolyipc.a lib/pkgconfig/polyipc.pc \
         lib/cmake/polyipc/polyipcConfig.cmake lib/cmake/polyipc/polyipcConfigVersion.cmake; do
    [ -e "$prefix/$f" ] || fail "$f is not installed"
done
[ "$(readlink "$prefix/lib/libpolyipc.so")" = "libpolyipc.so.$major" ] || fail "libpolyipc.so -> $(readlink "$prefix/lib/libpolyipc.so")"
[ "$(readlink "$prefix/lib/libpolyipc.so.$major")" = "libpolyipc.so.$VERSION" ] || fail "libpolyipc.so.$major is not a link to libpolyipc.so.$VERSION"
has "SONAME.*\[libpolyipc\.so\.$major\]" readelf -d "$prefix/lib/libpolyipc.so.$VERSION" \
    || fail "the soname is not libpolyipc.so.$major"
grep -q "^#define PIPC_VERSION \"$VERSION\"$" "$prefix/include/polyipc_version.h" \
    || fail "the installed polyipc_version.h is not $VERSION"

echo "--- the polyipc command (cli/)"
[ -x "$prefix/bin/polyipc" ] || fail "bin/polyipc is not installed"
[ -f "$prefix/share/man/man1/polyipc.1" ] || fail "share/man/man1/polyipc.1 is not installed"
[ "$("$prefix/bin/polyipc" --version)" = "polyipc $VERSION" ] || fail "bin/polyipc --version is not $VERSION"
unshare --ipc "$prefix/bin/polyipc" ls --json | grep -q '"schema":1' || fail "bin/polyipc ls --json failed"

echo "--- exports"
mapfile -t headers < <(find "$prefix/include" -name '*.h' | sort)
/usr/bin/python3 "$HERE/check_exports.py" "$prefix/lib/libpolyipc.so.$VERSION" "${headers[@]}"

echo "--- static archive"
if has '\.gnu\.lto_' readelf -S --wide "$prefix/lib/libpolyipc.a"; then
    fail "libpolyipc.a holds LTO objects"
fi
has " T pipc_sem_open$" nm "$prefix/lib/libpolyipc.a" || fail "libpolyipc.a does not define pipc_sem_open"

consumers "$prefix" "$work"
