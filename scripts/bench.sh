#!/usr/bin/env bash
# bench.sh [REGEXP]: run the bench/ suite (-count 10 -cpu 1,2) and write
# results/<date>-<commit>.txt in Go benchmark format, with date and commit
# configuration lines ahead of go test's own (goos, goarch, pkg, cpu).
# REGEXP selects benchmarks as go test -bench does (default: all).
# COUNT and CPU override -count and -cpu.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

regexp=${1:-.}
count=${COUNT:-10}
cpu=${CPU:-1,2}
commit=$(commit_id)
out="results/$(date -u +%Y-%m-%d)-$commit.txt"
mkdir -p results
tmp="$HPROV_TMP/bench.txt"
{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "commit: $commit"
	echo "go: $(go env GOVERSION)"
	echo
	go test -run '^$' -bench "$regexp" -benchmem -count "$count" -cpu "$cpu" -timeout 0 ./bench/
} | tee "$tmp"
mv "$tmp" "$out"
echo "wrote $out" >&2
