# shellcheck shell=bash
# lib.sh — sourced by check_install.sh and check_deb.sh: builds
# tests/install/consumer.c against an installed libpolyipc in every way a user
# would, runs each program and checks how it is linked.
#
# Needs: HERE (this directory), VERSION (the release), GENERATOR (CMake's).

fail() { echo "FAIL: $*" >&2; exit 1; }

# has <grep -E pattern> <command...>: the command succeeds and its output matches
# (captured first: `cmd | grep -q` fails by SIGPIPE under pipefail).
has() {
    local pattern=$1 out
    shift
    out=$("$@") || fail "$* failed"
    grep -Eq -- "$pattern" <<<"$out"
}

# check_run <exe>: the consumer runs and prints the release's version.
check_run() {
    local out
    out=$("$1" "$VERSION") || fail "$1 exited with $?"
    [ "$out" = "polyipc $VERSION" ] || fail "$1 printed '$out', not 'polyipc $VERSION'"
}

# check_shared <exe> <libdir>: <exe> needs libpolyipc.so.<major> and the
# dynamic loader resolves it to <libdir>.
check_shared() {
    local exe=$1 libdir=$2 major=${VERSION%%.*} resolved
    has "NEEDED.*\[libpolyipc\.so\.$major\]" readelf -d "$exe" \
        || fail "$exe does not need libpolyipc.so.$major"
    resolved=$(ldd "$exe" | awk -v lib="libpolyipc.so.$major" '$1 == lib { print $3 }')
    [ -n "$resolved" ] || fail "ldd does not resolve libpolyipc.so.$major for $exe"
    [ "$(realpath "$resolved")" = "$(realpath "$libdir/libpolyipc.so.$VERSION")" ] \
        || fail "$exe uses $resolved, not the one in $libdir"
    check_run "$exe"
}

# check_static <exe>: the core is inside <exe>, which needs no libpolyipc.
check_static() {
    local exe=$1
    if has libpolyipc readelf -d "$exe"; then fail "$exe (static) needs libpolyipc"; fi
    if has libpolyipc ldd "$exe"; then fail "$exe (static) loads libpolyipc"; fi
    has " [Tt] pipc_sem_open$" nm "$exe" || fail "$exe (static) does not contain pipc_sem_open"
    check_run "$exe"
}

# consumers <prefix> <workdir>: with gcc and with clang, builds the consumer
# shared and static with pkg-config, and shared and static with
# find_package(polyipc) (tests/install/consumer), runs all eight. For /usr the
# default search paths must find everything (no PKG_CONFIG_PATH, no
# CMAKE_PREFIX_PATH, no rpath).
consumers() {
    local prefix=$1 work=$2 cc libdir cflags pcpath="" cmake_prefix=() rpath=()
    if [ "$prefix" != /usr ]; then
        pcpath=$prefix/lib/pkgconfig
        cmake_prefix=(-DCMAKE_PREFIX_PATH="$prefix")
    fi
    pc() { PKG_CONFIG_PATH=$pcpath pkg-config "$@" polyipc; }
    [ "$(pc --modversion)" = "$VERSION" ] || fail "pkg-config finds polyipc $(pc --modversion), not $VERSION"
    libdir=$(pc --variable=libdir)
    [ "$(realpath "$libdir")" = "$(realpath "$prefix/lib")" ] || fail "pkg-config's libdir is $libdir"
    has "(^| )-lm( |$)" pc --static --libs || fail "pkg-config --static --libs lacks -lm: $(pc --static --libs)"
    cflags=$(pc --cflags)
    # shellcheck disable=SC2054  # one linker option, commas included
    [ "$prefix" = /usr ] || rpath=(-Wl,-rpath,"$libdir")
    for cc in gcc clang; do
        echo "--- $cc, pkg-config"
        # shellcheck disable=SC2046,SC2086  # pkg-config's output is a list of words
        "$cc" -std=c11 -Wall -Wextra -Werror -pedantic -o "$work/pc-$cc-shared" "$HERE/consumer.c" \
            $cflags $(pc --libs) "${rpath[@]}" || fail "$cc: pkg-config shared build failed"
        check_shared "$work/pc-$cc-shared" "$libdir"
        # shellcheck disable=SC2086
        "$cc" -std=c11 -Wall -Wextra -Werror -pedantic -o "$work/pc-$cc-static" "$HERE/consumer.c" \
            $cflags "$libdir/libpolyipc.a" -lm || fail "$cc: pkg-config static build failed"
        check_static "$work/pc-$cc-static"
        echo "--- $cc, find_package(polyipc)"
        cmake -S "$HERE/consumer" -B "$work/cmake-$cc" -G "$GENERATOR" -DCMAKE_C_COMPILER="$cc" \
            "${cmake_prefix[@]}" -DPOLYIPC_EXPECTED_VERSION="$VERSION" >"$work/cmake-$cc.log" 2>&1 \
            || { cat "$work/cmake-$cc.log"; fail "$cc: configuring the find_package consumer failed"; }
        cmake --build "$work/cmake-$cc" >>"$work/cmake-$cc.log" 2>&1 \
            || { cat "$work/cmake-$cc.log"; fail "$cc: building the find_package consumer failed"; }
        check_shared "$work/cmake-$cc/consumer_shared" "$libdir"
        check_static "$work/cmake-$cc/consumer_static"
    done
    echo "8 consumers built against $prefix and run: pkg-config and find_package, gcc and clang, shared and static"
}
