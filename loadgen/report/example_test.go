package report_test

import (
	"os"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/hprov/hprov/loadgen"
	"github.com/hprov/hprov/loadgen/report"
)

// A storm's result in Go benchmark format: unit metadata (which direction
// is better), configuration lines (the environment, how the storm ran, the
// workload's parameters), then one line per storm. Here a result is made by
// hand; loadgen.Run returns real ones, and report.Environment("") gives the
// real environment.
func ExampleReport_WriteBench() {
	lat := hdrhistogram.New(1, int64(time.Minute), 3)
	for _, ns := range []int64{40, 41, 45, 120} {
		_ = lat.RecordValue(ns)
	}
	res := &loadgen.Result{
		Workload:    "sessions",
		Params:      []loadgen.Param{{Key: "store", Value: "mutex+map"}},
		Workers:     4,
		Duration:    time.Second,
		Warmup:      100 * time.Millisecond,
		SampleEvery: 64,
		Count:       2_000_000,
		Elapsed:     time.Second,
		Throughput:  2e6,
		Latency:     lat,
		MaxLatency:  120,
		Outcomes:    []loadgen.OutcomeCount{{OutcomeInfo: loadgen.OutcomeInfo{Name: "ok", Kind: loadgen.Success}, Count: 2_000_000}},
	}
	rep := &report.Report{
		Env:     []loadgen.Param{{Key: "goos", Value: "linux"}, {Key: "commit", Value: "0123456789ab"}},
		Results: []*loadgen.Result{res},
	}
	if err := rep.WriteBench(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// Unit ops/s better=higher
	// Unit ops/s assume=nothing
	// Unit p50-ns better=lower
	// Unit p50-ns assume=nothing
	// Unit p99-ns better=lower
	// Unit p99-ns assume=nothing
	// Unit p99.9-ns better=lower
	// Unit p99.9-ns assume=nothing
	// Unit max-ns better=lower
	// Unit max-ns assume=nothing
	// Unit violations better=lower
	// Unit violations assume=nothing
	// goos: linux
	// commit: 0123456789ab
	// duration: 1s
	// warmup: 100ms
	// sample-every: 64
	// sessions.store: mutex+map
	//
	// BenchmarkStorm/profile=sessions/workers=4 2000000 500 ns/op 2e+06 ops/s 41 p50-ns 120 p99-ns 120 p99.9-ns 120 max-ns 0 violations
}
