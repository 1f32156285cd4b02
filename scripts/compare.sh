#!/usr/bin/env bash
# compare.sh OLD NEW [flags]: benchstat-style comparison of two results
# files (hprov compare). Flags pass through, e.g. -threshold 5% -alpha 0.01.
# Exit status: 0 no regression, 1 a significant regression beyond the
# threshold, 2 bad input.
set -euo pipefail
if [ $# -lt 2 ]; then
	echo "usage: scripts/compare.sh OLD NEW [-threshold 5%] [-alpha 0.05]" >&2
	exit 2
fi
# Resolve paths before lib.sh moves to the repository root.
old=$(realpath -- "$1")
new=$(realpath -- "$2")
shift 2
source "$(dirname "$0")/lib.sh"
"$HPROV" compare "$@" "$old" "$new"
