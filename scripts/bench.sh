#!/usr/bin/env bash
# bench.sh [REGEXP]: run the bench/ suite and write results/<date>-<commit>.txt
# in Go benchmark format, with configuration lines ahead of go test's own
# (goos, goarch, pkg, cpu): date, commit, go version, the CPU model with its
# family/model/stepping, the number of CPUs, and the command.
#
# The test binary is built once and run COUNT times with -count 1, so the
# implementations alternate (hprov syncmap ... mutexmin, hprov syncmap ...):
# go test -count N would run each sub-benchmark N times in a row, and drift
# during the run (25-50% here) would land between implementations instead of
# inside each one's spread.
#
# REGEXP selects benchmarks as go test -bench does (default: all).
# COUNT, CPU and BENCHTIME override -count (default 10), -cpu (1,2) and
# -benchtime (1s); SUFFIX names the file results/<date>-<commit>-SUFFIX.txt
# (several runs of one commit, e.g. a slow benchmark with a smaller count).
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
go test -c -o "$HPROV_TMP/bench.test" ./bench/
{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "commit: $commit"
	echo "go: $(go env GOVERSION)"
	echo "cpu-model: $(cpu_model)"
	echo "ncpu: $(getconf _NPROCESSORS_ONLN)"
	echo "command: COUNT=$count CPU=$cpu BENCHTIME=$benchtime scripts/bench.sh '$regexp'"
	echo
	for round in $(seq "$count"); do
		echo "round $round of $count" >&2
		(cd bench && "$HPROV_TMP/bench.test" -test.run '^$' -test.bench "$regexp" -test.benchmem \
			-test.count 1 -test.cpu "$cpu" -test.benchtime "$benchtime" -test.timeout 0) |
			if [ "$round" -eq 1 ]; then cat; else grep -v -E '^(goos|goarch|pkg|cpu):'; fi |
			grep -v -E '^(PASS|ok )'
	done
} | tee "$tmp"
mv "$tmp" "$out"
echo "wrote $out" >&2
