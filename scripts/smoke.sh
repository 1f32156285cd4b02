#!/usr/bin/env bash
# smoke.sh: the storm harness end to end in about 2 seconds, for CI.
#   storm (closed loop: three profiles, two impls; plus one open-loop
#   storm) -> benchmark-format results file -> benchstat reads it (when
#   installed) -> hprov compare of the file against itself (exit 0) ->
#   hprov profile of the storm's CPU profile.
# Any violation, failure or unexpected exit status fails the script.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

results="$HPROV_TMP/smoke.txt"
open="$HPROV_TMP/open.txt"
cpu="$HPROV_TMP/cpu.pprof"

echo "== storm"
"$HPROV" storm -profile acquire-release,release-race,engine-insert-release -impl hprov,mutex \
	-workers 2 -duration 250ms -o "$results" -cpuprofile "$cpu"
"$HPROV" storm -profile engine-insert-release -workers 2 -rate 200k -duration 250ms -o "$open"
for f in "$results" "$open"; do
	n=$(grep -c '^BenchmarkStorm/' "$f")
	[ "$n" -gt 0 ] || { echo "smoke: no results in $f" >&2; exit 1; }
done

bs=$(command -v benchstat || true)
[ -n "$bs" ] || bs="$(go env GOPATH)/bin/benchstat"
if [ -x "$bs" ]; then
	echo "== benchstat reads the results unmodified"
	"$bs" "$results" >/dev/null
fi

echo "== compare the results with themselves (must pass)"
"$HPROV" compare "$results" "$results" >/dev/null

echo "== profile"
"$HPROV" profile -top 5 "$cpu"
echo "smoke: ok"
