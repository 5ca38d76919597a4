#!/usr/bin/env bash
# check_deb.sh <build dir> <version> <cmake generator> — ctest c_deb.
# Makes the .deb with cpack, checks its control fields and contents, installs
# it with dpkg -i, builds and runs the consumer against /usr (pkg-config and
# find_package, gcc and clang, shared and static), removes it with dpkg -r
# and checks that every file it installed is gone. Needs root (CI is root on a
# throwaway machine); skipped (77) otherwise. The package is removed on every
# exit, and a package left by an interrupted earlier run is removed first.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$1 VERSION=$2 GENERATOR=$3
# shellcheck source=lib.sh
source "$HERE/lib.sh"

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: installing a .deb needs root"; exit 77; fi

# One c_deb at a time on this machine: /usr and the dpkg database are shared
# by every checkout that may be running its suite.
lock=/run/lock/polyipc-c-deb.lock
[ -d /run/lock ] || lock=/tmp/polyipc-c-deb.lock
exec 9>"$lock"
flock -w 240 9 || fail "another c_deb run has held $lock for 240 s"

# dpkg_run <args...>: dpkg, tried again (at most 120 times, 1 s apart) while
# another dpkg or apt process holds dpkg's lock; any other failure is final.
dpkg_run() {
    local out rc tries=0
    while :; do
        rc=0
        out=$(dpkg "$@" 2>&1) || rc=$?
        if [ "$rc" -ne 0 ] && grep -q "lock" <<<"$out" && [ $((tries += 1)) -le 120 ]; then
            sleep 1
            continue
        fi
        printf '%s\n' "$out"
        return "$rc"
    done
}

# is_installed: dpkg knows polyipc in any state but not-installed (including
# config-files, which dpkg -r leaves until a purge).
is_installed() {
    local status
    status=$(dpkg-query -W -f='${db:Status-Status}' polyipc 2>/dev/null) || return 1
    [ -n "$status" ] && [ "$status" != not-installed ]
}
remove_package() { if is_installed; then dpkg_run --purge polyipc >/dev/null; fi; }

work=$(mktemp -d "${TMPDIR:-/tmp}/polyipc-c-deb.XXXXXX")
trap 'remove_package; rm -rf "$work"' EXIT
if is_installed; then echo "note: removing polyipc left installed by an earlier run"; remove_package; fi
for f in /usr/include/polyipc.h /usr/lib/libpolyipc.so /usr/lib/libpolyipc.a /usr/lib/pkgconfig/polyipc.pc; do
    [ ! -e "$f" ] || fail "$f exists but belongs to no installed polyipc package; remove it first"
done

echo "--- cpack"
cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.log" \
    || { cat "$work/cpack.log"; fail "cpack failed"; }
arch=$(dpkg --print-architecture)
deb=$work/pkg/polyipc_${VERSION}_$arch.deb
[ -f "$deb" ] || { ls "$work/pkg"; fail "cpack did not make polyipc_${VERSION}_$arch.deb"; }
dpkg-deb -I "$deb"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = polyipc ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$VERSION" ] || fail "Version: $(field Version)"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture: $(field Architecture)"
has '^libc6 \(>= [0-9.]+\)' field Depends || fail "Depends: $(field Depends)"
has '<.+@.+>' field Maintainer || fail "Maintainer: $(field Maintainer)"
[ -n "$(field Description)" ] || fail "no Description"
contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }')
for f in usr/include/polyipc.h usr/include/polyipc_version.h usr/lib/libpolyipc.so "usr/lib/libpolyipc.so.$VERSION" \
         usr/lib/libpolyipc.a usr/lib/pkgconfig/polyipc.pc usr/lib/cmake/polyipc/polyipcConfig.cmake \
         usr/bin/polyipc usr/share/man/man1/polyipc.1; do
    grep -qx "\./$f" <<<"$contents" || fail "the package lacks /$f"
done

echo "--- dpkg -i"
dpkg_run -i "$deb"
mapfile -t files < <(dpkg -L polyipc | while read -r f; do [ -d "$f" ] && [ ! -L "$f" ] || echo "$f"; done)
echo "${#files[@]} files installed"
mapfile -t headers < <(printf '%s\n' "${files[@]}" | grep '\.h$')
/usr/bin/python3 "$HERE/check_exports.py" "/usr/lib/libpolyipc.so.$VERSION" "${headers[@]}"
consumers /usr "$work"
[ "$(/usr/bin/polyipc --version)" = "polyipc $VERSION" ] || fail "/usr/bin/polyipc --version is not $VERSION"

echo "--- dpkg -r"
dpkg_run -r polyipc
status=$(dpkg-query -W -f='${db:Status-Status}' polyipc 2>/dev/null || true)
# config-files: dpkg keeps the maintainer scripts until a purge.
case "$status" in not-installed|config-files|"") ;; *) fail "polyipc is '$status' after dpkg -r" ;; esac
for f in "${files[@]}"; do
    if [ -e "$f" ] || [ -L "$f" ]; then fail "$f is still there after dpkg -r"; fi
done
[ ! -d /usr/lib/cmake/polyipc ] || fail "/usr/lib/cmake/polyipc is still there after dpkg -r"
if has libpolyipc ldconfig -p; then fail "the loader cache still lists libpolyipc after dpkg -r"; fi
echo "dpkg -r removed all ${#files[@]} files"
dpkg_run --purge polyipc
! is_installed || fail "dpkg still knows polyipc after dpkg --purge"
