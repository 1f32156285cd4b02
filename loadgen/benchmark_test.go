package loadgen

import (
	"errors"
	"flag"
	"sync/atomic"
	"testing"
	"time"
)

// counted is a workload whose set-up takes setup and whose operations are
// counted; with violate, every operation is a violation.
func counted(calls *atomic.Int64, setup time.Duration, violate bool) Workload {
	outcome := Outcome(0)
	if violate {
		outcome = 2
	}
	return Workload{
		Name:     "counted",
		Outcomes: fakeOutcomes,
		Setup: func(int) (Instance, error) {
			time.Sleep(setup)
			return constOpInstance(func() Op {
				return func() Outcome {
					calls.Add(1)
					return outcome
				}
			}), nil
		},
	}
}

// withBenchtime runs f with -test.benchtime set to v.
func withBenchtime(t *testing.T, v string, f func()) {
	t.Helper()
	bt := flag.Lookup("test.benchtime")
	old := bt.Value.String()
	if err := bt.Value.Set(v); err != nil {
		t.Fatal(err)
	}
	defer bt.Value.Set(old)
	f()
}

// Benchmark runs exactly b.N measured operations, with set-up and warm-up
// outside the timer, and reports the storm's metrics.
func TestBenchmarkRunsBNOperations(t *testing.T) {
	var calls atomic.Int64
	var last int64
	const setup = 200 * time.Millisecond
	var res testing.BenchmarkResult
	withBenchtime(t, "5000x", func() {
		res = testing.Benchmark(func(b *testing.B) {
			calls.Store(0)
			Benchmark(b, counted(&calls, setup, false), Config{Workers: 3})
			last = calls.Load()
		})
	})
	if res.N != 5000 || last != 5000 {
		t.Fatalf("b.N = %d, operations run %d: want 5000 and 5000", res.N, last)
	}
	// The timer saw the measured phase only: 5000 trivial operations, far
	// less than the set-up's sleep.
	if res.T >= setup {
		t.Errorf("timer read %v: the set-up (%v) was timed", res.T, setup)
	}
	for _, unit := range []string{"ops/s", "p50-ns", "p99-ns", "p99.9-ns", "violations"} {
		if _, ok := res.Extra[unit]; !ok {
			t.Errorf("no %s metric in %v", unit, res.Extra)
		}
	}
	if res.Extra["ops/s"] <= 0 || res.Extra["violations"] != 0 {
		t.Errorf("metrics %v", res.Extra)
	}

	// With a warm-up, the operations beyond b.N are the warm-up's, and
	// the timer still excludes it.
	withBenchtime(t, "2000x", func() {
		res = testing.Benchmark(func(b *testing.B) {
			Benchmark(b, counted(&calls, 0, false), Config{Workers: 2, Warmup: 200 * time.Millisecond})
		})
	})
	if res.N != 2000 || res.T >= 200*time.Millisecond {
		t.Errorf("with warm-up: N %d, timer %v", res.N, res.T)
	}
}

// A violation fails the benchmark (testing.Benchmark then reports nothing).
func TestBenchmarkFailsOnViolation(t *testing.T) {
	var calls atomic.Int64
	var res testing.BenchmarkResult
	withBenchtime(t, "100x", func() {
		res = testing.Benchmark(func(b *testing.B) {
			Benchmark(b, counted(&calls, 0, true), Config{Workers: 1})
		})
	})
	if res.N != 0 || calls.Load() == 0 {
		t.Fatalf("a violating storm passed: %+v after %d calls", res, calls.Load())
	}
}

// An error fails the benchmark too: a leak that Instance.Close reports
// (Run returns the result with it), and a storm that cannot run at all.
func TestBenchmarkFailsOnError(t *testing.T) {
	for name, run := range map[string]func(b *testing.B){
		"leak": func(b *testing.B) {
			f := &fake{closeErr: errors.New("2 handles leaked")}
			Benchmark(b, f.workload("leaky"), Config{Workers: 1})
		},
		"bad workload": func(b *testing.B) {
			Benchmark(b, Workload{Name: "no-setup", Outcomes: fakeOutcomes}, Config{Workers: 1})
		},
	} {
		var res testing.BenchmarkResult
		withBenchtime(t, "100x", func() { res = testing.Benchmark(run) })
		if res.N != 0 {
			t.Errorf("%s: the benchmark passed: %+v", name, res)
		}
	}
}
