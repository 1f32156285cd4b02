#!/usr/bin/env bash
# compare.sh OLD NEW [flags]: benchstat's comparison of two results files
# with a verdict (hprov compare). Flags pass through, e.g. -threshold 5%
# -gate /impl:hprov -correct holm -format markdown; stdout is benchstat's
# table, the verdict goes to stderr. Exit status: 0 no significant
# regression beyond the threshold, 1 a regression, 2 bad input,
# 3 inconclusive (too few runs, a benchmark missing from NEW).
set -euo pipefail
if [ $# -lt 2 ]; then
	echo "usage: scripts/compare.sh OLD NEW [-threshold 5%] [-gate FILTER] [-correct holm] [-format text|csv|json|markdown]" >&2
	exit 2
fi
# Resolve paths before lib.sh moves to the repository root.
old=$(realpath -- "$1")
new=$(realpath -- "$2")
shift 2
source "$(dirname "$0")/lib.sh"
"$HPROV" compare "$@" "$old" "$new"
