#!/usr/bin/env bash
# profile.sh BENCH [PKG]: CPU-profile the benchmarks matching BENCH in PKG
# (default ./bench/) and summarise the profile with hprov profile: top
# functions and the share of engine versus harness. The profile is kept
# (its path is printed last) for go tool pprof. TOP sets the number of
# functions, BENCHTIME go test's -benchtime.
set -euo pipefail
if [ $# -lt 1 ]; then
	echo "usage: scripts/profile.sh BENCH [PKG]" >&2
	exit 2
fi
bench=$1
pkg=${2:-./bench/}
source "$(dirname "$0")/lib.sh"

name=$(echo "$bench" | tr -c 'A-Za-z0-9_.-' '_' | sed 's/_*$//')
prof="${TMPDIR:-/tmp}/hprov-$name-$(commit_id).pprof"
go test -run '^$' -bench "$bench" -benchmem -benchtime "${BENCHTIME:-1s}" \
	-cpuprofile "$HPROV_TMP/cpu.pprof" -o "$HPROV_TMP/bench.test" "$pkg"
mv "$HPROV_TMP/cpu.pprof" "$prof"
echo
"$HPROV" profile -top "${TOP:-15}" "$prof"
echo
echo "profile kept in $prof (go tool pprof $prof)" >&2
