#!/usr/bin/env bash
# compare.sh BASE [flags] [packages]: did the working tree (uncommitted
# changes included) make the benchmarks slower than revision BASE? A thin
# wrapper of
#   hprov ab -base BASE [flags] [packages]
# which builds both sides' test binaries, runs them interleaved (-count 10
# each by default), writes base.txt and head.txt, gates the comparison like
# hprov compare and, for each regression, prints the profile diff that
# explains it. Flags and packages pass through (hprov ab -h lists them),
# e.g. scripts/compare.sh main -bench 'Get' -threshold 5% ./bench/
#
# compare.sh OLD NEW [flags], with two files of results, is hprov compare
# OLD NEW: benchstat's table on stdout, the verdict on stderr. Flags pass
# through, e.g. -threshold 5% -gate /impl:hprov -correct holm -format markdown.
#
# Exit status, either way: 0 no significant regression beyond the
# threshold, 1 a regression, 2 bad input (or, for ab, a comparison that
# could not be made), 3 inconclusive (too few runs, a benchmark missing).
set -euo pipefail
if [ $# -lt 1 ] || [[ $1 == -* ]]; then
	echo "usage: scripts/compare.sh BASE [hprov ab flags] [packages]" >&2
	echo "       scripts/compare.sh OLD.txt NEW.txt [hprov compare flags]" >&2
	exit 2
fi
if [ $# -ge 2 ] && [ -f "$1" ] && [ -f "$2" ]; then
	# Resolve paths before lib.sh moves to the repository root.
	old=$(realpath -- "$1")
	new=$(realpath -- "$2")
	shift 2
	source "$(dirname "$0")/lib.sh"
	"$HPROV" compare "$@" "$old" "$new"
	exit
fi
base=$1
shift
source "$(dirname "$0")/lib.sh"
"$HPROV" ab -base "$base" "$@"
