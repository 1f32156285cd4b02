// Package report writes storm results in three forms: the Go benchmark
// format (golang.org/x/perf/benchfmt), JSON, and a table for people.
//
// The benchmark format is the one that matters for tooling: benchstat and
// hprov compare read it unmodified. Each storm is one result line,
//
//	BenchmarkStorm/profile=acquire-release/impl=hprov/workers=2 N ns/op ops/s p50-ns p99-ns p99.9-ns max-ns violations [<outcome>/op...]
//
// (/impl=I only for a workload with an "impl" parameter: a workload of the
// user's own is named by its name alone),
// with /rate=R added for an open-loop storm, which also reports missed/op
// (arrivals never issued) and lag-p99-ns (how late arrivals were issued: the
// load generator's share of the latency).
// N is the number of measured operations; ns/op is wall-clock time per
// operation over all workers, as testing.B reports it for parallel
// benchmarks. Refusals appear per outcome as a fraction of operations
// (ERROR_BUSY/op), only where they occurred. Everything that is the same for
// every storm of a file (environment, measurement method, the profiles'
// parameters, prefixed by the profile name) goes in configuration lines, so
// benchstat puts a file in one table; what varies (profile, impl, workers,
// rate) is in the name, so "benchstat -col /impl" sets implementations side
// by side. Every unit beyond benchfmt's built-in ones carries "Unit"
// metadata lines saying which direction is better.
package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hprov/hprov/loadgen"
)

// Units of the benchmark format, beyond ns/op.
const (
	UnitThroughput = "ops/s"
	UnitP50        = "p50-ns"
	UnitP99        = "p99-ns"
	UnitP999       = "p99.9-ns"
	UnitMax        = "max-ns"
	UnitViolations = "violations"
	UnitMissed     = "missed/op"
	UnitLagP99     = "lag-p99-ns" // open loop: p99 of how late arrivals were issued
)

// A Report is a set of storms run together and the environment they ran in.
type Report struct {
	// Env is written first among the configuration lines, in order;
	// Environment gives the standard set.
	Env []loadgen.Param
	// Results are the storms, in the order they ran.
	Results []*loadgen.Result
	// Verbose makes WriteTable print every storm on a row of its own
	// rather than one row per configuration over its rounds.
	Verbose bool
}

// Impl returns the implementation a storm ran on: its workload's "impl"
// parameter, or "" if it has none (a workload of the user's own, say).
func Impl(r *loadgen.Result) string {
	for _, p := range r.Params {
		if p.Key == "impl" {
			return p.Value
		}
	}
	return ""
}

// Name returns the benchmark name of a storm, without the "Benchmark"
// prefix: Storm/profile=P/impl=I/workers=W, plus /rate=R in an open loop;
// /impl=I only when the workload names its implementation.
func Name(r *loadgen.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Storm/profile=%s", r.Workload)
	if impl := Impl(r); impl != "" {
		fmt.Fprintf(&b, "/impl=%s", impl)
	}
	fmt.Fprintf(&b, "/workers=%d", r.Workers)
	if r.Open() {
		fmt.Fprintf(&b, "/rate=%s", formatRate(r.Rate))
	}
	return b.String()
}

func formatRate(r float64) string {
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// Method describes, in one line, how the figures of r were measured.
func Method(r *loadgen.Result) string {
	return method(r, r.ClockOverhead.String())
}

// method is Method with the clock-read cost given as text.
func method(r *loadgen.Result, overhead string) string {
	if r.Open() {
		return fmt.Sprintf("open loop: arrivals on a fixed schedule striped across workers, warm-up arrivals still due at its end dropped; "+
			"throughput is operations completed over the measured phase (the achieved rate), arrivals of the phase never issued are missed; "+
			"latency: 1 arrival in %d on average timed from its intended start, HDR histograms per worker merged", r.SampleEvery)
	}
	return fmt.Sprintf("closed loop: throughput is the operations of the measured phase over its wall-clock length (end of warm-up to the last worker's stop), the clock read twice per batch of %d; "+
		"latency: 1 operation per batch timed at a random position, minus the clock-read cost (%s), HDR histograms per worker merged", r.SampleEvery, overhead)
}

// config returns the configuration lines every result of rep shares: the
// environment, the run configuration and the workloads' parameters. A
// key whose value differs between results (a duration, say) keeps the value
// of the first and is set per result by resultConfig.
func (rep *Report) config() []loadgen.Param {
	cfg := slices.Clone(rep.Env)
	seen := map[string]bool{}
	for _, p := range cfg {
		seen[p.Key] = true
	}
	add := func(k, v string) {
		if !seen[k] {
			seen[k] = true
			cfg = append(cfg, loadgen.Param{Key: k, Value: v})
		}
	}
	for _, r := range rep.Results {
		for _, p := range runConfig(r) {
			add(p.Key, p.Value)
		}
	}
	for _, r := range rep.Results {
		for _, p := range r.Params {
			if p.Key != "impl" {
				add(r.Workload+"."+p.Key, p.Value)
			}
		}
	}
	return cfg
}

// runConfig is how a storm was run, as configuration lines.
func runConfig(r *loadgen.Result) []loadgen.Param {
	var ps []loadgen.Param
	if r.Ops > 0 {
		ps = append(ps, loadgen.Param{Key: "ops", Value: strconv.FormatUint(r.Ops, 10)})
	} else {
		ps = append(ps, loadgen.Param{Key: "duration", Value: r.Duration.String()})
	}
	ps = append(ps,
		loadgen.Param{Key: "warmup", Value: r.Warmup.String()},
		loadgen.Param{Key: "sample-every", Value: strconv.Itoa(r.SampleEvery)},
	)
	return ps
}

// metrics returns the values of the result line of r, in order.
func metrics(r *loadgen.Result) []metric {
	ms := []metric{
		{"ns/op", round(r.NsPerOp(), 3)},
		{UnitThroughput, round(r.Throughput, 0)},
		{UnitP50, float64(r.Quantile(0.50).Nanoseconds())},
		{UnitP99, float64(r.Quantile(0.99).Nanoseconds())},
		{UnitP999, float64(r.Quantile(0.999).Nanoseconds())},
		{UnitMax, float64(r.MaxLatency.Nanoseconds())},
		{UnitViolations, float64(r.Violations())},
	}
	if r.Open() {
		ms = append(ms,
			metric{UnitMissed, fraction(r.Missed, r.Count+r.Missed)},
			metric{UnitLagP99, float64(r.LagQuantile(0.99).Nanoseconds())})
	}
	for _, o := range r.Outcomes {
		if o.Kind != loadgen.Success && o.Count > 0 {
			ms = append(ms, metric{o.Name + "/op", fraction(o.Count, r.Count)})
		}
	}
	return ms
}

type metric struct {
	unit  string
	value float64
}

func fraction(n, of uint64) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// round keeps d decimals, so that result lines stay readable.
func round(v float64, d int) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', d, 64), 64)
	return f
}

// better gives the direction of each unit beyond benchfmt's defaults.
func better(unit string) string {
	switch {
	case unit == UnitThroughput:
		return "higher"
	case unit == UnitP50, unit == UnitP99, unit == UnitP999, unit == UnitMax, unit == UnitViolations, unit == UnitMissed, unit == UnitLagP99:
		return "lower"
	}
	return "" // outcome fractions: more refusals is not better or worse per se
}

// units lists the units of rep beyond ns/op, in order of first use.
func (rep *Report) units() []string {
	var units []string
	seen := map[string]bool{}
	for _, r := range rep.Results {
		for _, m := range metrics(r) {
			if !seen[m.unit] && m.unit != "ns/op" {
				seen[m.unit] = true
				units = append(units, m.unit)
			}
		}
	}
	return units
}

// latency formats nanoseconds with three significant digits: 48.0ns,
// 1.23µs, 12.3ms.
func latency(ns float64) string {
	switch {
	case ns == 0:
		return "0"
	case ns < 1e3:
		return trim3(ns) + "ns"
	case ns < 1e6:
		return trim3(ns/1e3) + "µs"
	case ns < 1e9:
		return trim3(ns/1e6) + "ms"
	}
	return trim3(ns/1e9) + "s"
}

func trim3(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// si formats a count with an SI suffix and three significant figures.
func si(v float64) string {
	switch {
	case v >= 1e9:
		return trim3(v/1e9) + "G"
	case v >= 1e6:
		return trim3(v/1e6) + "M"
	case v >= 1e3:
		return trim3(v/1e3) + "k"
	}
	return trim3(v)
}
