#!/bin/sh
# Builds and tests the PolyIPC Perl distribution the way a user does
# (perl Makefile.PL && make && make test), in a temporary copy of the
# source tree, so nothing is written into the checkout.
# Usage: test-distribution.sh <source root> [swig]
set -eu
root=$1
[ $# -ge 2 ] && export SWIG="$2"
work=$(mktemp -d "${TMPDIR:-/tmp}/polyipc-perl-dist.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/bindings"
cp -R "$root/core" "$root/swig" "$root/tests" "$root/LICENSE" "$root/VERSION" "$work/"
cp -R "$root/bindings/perl" "$work/bindings/perl"
cd "$work/bindings/perl"
# only what a fresh checkout would have
rm -rf Makefile Makefile.old MYMETA.* blib pm_to_blib PolyIPC.pm PolyIPC_wrap.c ./*.o ./*.bs
perl Makefile.PL
make -j2
make test
test -f blib/arch/auto/PolyIPC/PolyIPC.so
test -f blib/lib/PolyIPC.pm
echo "perl distribution: built and tested in $work"
