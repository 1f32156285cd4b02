#!/usr/bin/env bash
# smoke.sh: the harness end to end in about half a minute, for CI.
#   storm (closed loop: three profiles, two impls; plus one open-loop
#   storm) -> benchmark-format results file -> benchstat reads it (when
#   installed) -> hprov compare's verdicts on the file against itself
#   (exit 0, 3 with too few samples, 2 on garbage) -> hprov profile of
#   the storm's CPU profile -> hprov ab -aa of HEAD against the working
#   tree on two engine benchmarks (about 20 seconds).
# Any violation, failure or unexpected exit status fails the script.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
worktrees=$(git worktree list | wc -l)

results="$HPROV_TMP/smoke.txt"
open="$HPROV_TMP/open.txt"
cpu="$HPROV_TMP/cpu.pprof"

impls="$HPROV_TMP/impls.txt"

echo "== storm"
# -impl applies to engine-insert-release only (with a CryptoAPI profile it
# would be ignored, so the command refuses it): two storms.
"$HPROV" storm -profile acquire-release,release-race -workers 2 -duration 250ms -o "$results" -cpuprofile "$cpu"
"$HPROV" storm -profile engine-insert-release -impl hprov,mutex -workers 2 -duration 250ms -o "$impls"
"$HPROV" storm -profile engine-insert-release -workers 2 -rate 200k -duration 250ms -o "$open"
for f in "$results" "$impls" "$open"; do
	n=$(grep -c '^BenchmarkStorm/' "$f")
	[ "$n" -gt 0 ] || { echo "smoke: no results in $f" >&2; exit 1; }
done

bs=$(command -v benchstat || true)
[ -n "$bs" ] || bs="$(go env GOPATH)/bin/benchstat"
if [ -x "$bs" ]; then
	echo "== benchstat reads the results unmodified"
	"$bs" "$results" >/dev/null
fi

echo "== compare: the gate's verdicts and exit statuses"
# expect STATUS CMD...: run CMD (stdout discarded), require exit STATUS.
expect() {
	local want=$1 got=0
	shift
	"$@" >/dev/null 2>"$HPROV_TMP/verdict" || got=$?
	if [ "$got" -ne "$want" ]; then
		echo "smoke: exit $got, want $want: $*" >&2
		cat "$HPROV_TMP/verdict" >&2
		exit 1
	fi
	tail -n 1 "$HPROV_TMP/verdict"
}
# The results against themselves: no regression (0) once each side has
# enough runs to count; inconclusive (3) when it has fewer than -min-samples.
expect 0 "$HPROV" compare -min-samples 1 "$results" "$results"
expect 3 "$HPROV" compare -min-samples 1000 "$results" "$results"
# Machine-readable verdicts: one JSON object per compared row.
rows=$("$HPROV" compare -min-samples 1 -format json "$results" "$results" 2>/dev/null | grep -c '"verdict":"unchanged"')
[ "$rows" -gt 0 ] || { echo "smoke: no JSON verdicts" >&2; exit 1; }
# Garbage is bad input (2).
echo "not a benchmark" >"$HPROV_TMP/garbage.txt"
expect 2 "$HPROV" compare "$HPROV_TMP/garbage.txt" "$results"

echo "== profile"
"$HPROV" profile -top 5 "$cpu"

# hprov ab end to end on two small engine benchmarks: a temporary worktree
# of HEAD, both sides' test binaries, the A/A noise report, the interleaved
# A/B run of HEAD against the working tree, the gate. The two sides are the
# same code (CI's tree is clean), so anything but exit 0 is a failure; the
# threshold is wide because CI machines are noisy and the point here is the
# tool, not a verdict on the code.
echo "== ab -aa (HEAD against the working tree)"
ab_out="$HPROV_TMP/ab"
expect 0 "$HPROV" ab -base HEAD -aa -bench '^Benchmark(InsertRelease|Get)$/^impl=hprov$' \
	-count 6 -benchtime 50ms -threshold 50% -o "$ab_out" ./bench/
grep 'A/A noise' "$HPROV_TMP/verdict" || { echo "smoke: no A/A noise report" >&2; exit 1; }
for f in aa-base.txt aa-base-again.txt base.txt head.txt; do
	grep -q '^BenchmarkGet/impl=hprov' "$ab_out/$f" || { echo "smoke: no results in $f" >&2; exit 1; }
done
if [ "$(git worktree list | wc -l)" -ne "$worktrees" ]; then
	echo "smoke: hprov ab left a worktree behind:" >&2
	git worktree list >&2
	exit 1
fi
echo "smoke: ok"
