package loadgen

import (
	"runtime"
	"testing"
)

// Benchmark runs a storm of w inside a Go benchmark, so that go test
// -bench, benchstat and hprov compare work on any workload unchanged.
//
// The storm measures exactly b.N operations (cfg.Ops is set to b.N and
// cfg.Duration cleared); w's set-up, cfg.Warmup and the leak check of
// Instance.Close run outside the benchmark timer, which covers the measured
// phase alone, so ns/op is the phase's wall-clock time over b.N, as
// RunParallel reports it. Zero cfg.Workers means GOMAXPROCS workers;
// cfg.Rate > 0 runs an open loop of b.N arrivals. Benchmark reports ops/s,
// p50-ns, p99-ns, p99.9-ns and violations with b.ReportMetric (and
// missed/op in an open loop), and fails the benchmark on any violation or
// error.
func Benchmark(b *testing.B, w Workload, cfg Config) {
	b.Helper()
	if cfg.Workers == 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	cfg.Ops, cfg.Duration = uint64(b.N), 0
	b.StopTimer()
	res, err := runStorm(b.Context(), w, cfg, hooks{measure: b.StartTimer, stop: b.StopTimer})
	if res == nil {
		b.Fatal(err)
	}
	b.ReportMetric(res.Throughput, "ops/s")
	b.ReportMetric(float64(res.Quantile(0.50).Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(res.Quantile(0.99).Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(res.Quantile(0.999).Nanoseconds()), "p99.9-ns")
	b.ReportMetric(float64(res.Violations()), "violations")
	if res.Open() {
		b.ReportMetric(float64(res.Missed)/float64(max(res.Count+res.Missed, 1)), "missed/op")
	}
	if v := res.Violations(); v > 0 {
		b.Errorf("%s: %d violations in %d operations", w.Name, v, res.Count)
	}
	if err != nil {
		b.Error(err)
	}
}
