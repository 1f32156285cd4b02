#!/usr/bin/env bash
# bench.sh [REGEXP]: run the bench/ suite (-count 10 -cpu 1,2) and write
# results/<date>-<commit>.txt in Go benchmark format, with date and commit
# configuration lines ahead of go test's own (goos, goarch, pkg, cpu).
# REGEXP selects benchmarks as go test -bench does (default: all).
# COUNT, CPU and BENCHTIME override -count, -cpu and -benchtime; SUFFIX
# names the file results/<date>-<commit>-SUFFIX.txt (several runs of one
# commit, e.g. a slow benchmark run with a smaller count).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

regexp=${1:-.}
count=${COUNT:-10}
cpu=${CPU:-1,2}
benchtime=${BENCHTIME:-1s}
commit=$(commit_id)
out="results/$(date -u +%Y-%m-%d)-$commit${SUFFIX:+-$SUFFIX}.txt"
mkdir -p results
tmp="$HPROV_TMP/bench.txt"
{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "commit: $commit"
	echo "go: $(go env GOVERSION)"
	echo "command: COUNT=$count CPU=$cpu BENCHTIME=$benchtime scripts/bench.sh '$regexp'"
	echo
	go test -run '^$' -bench "$regexp" -benchmem -count "$count" -cpu "$cpu" -benchtime "$benchtime" -timeout 0 ./bench/
} | tee "$tmp"
mv "$tmp" "$out"
echo "wrote $out" >&2
