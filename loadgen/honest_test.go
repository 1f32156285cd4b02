package loadgen

import (
	"context"
	"math"
	"runtime"
	"testing"
	"time"
)

// Throughput is the operations of the measured phase over its wall-clock
// length, as RunParallel reports it, however many more workers there are
// than Ps: ops/s times the phase's duration is the operation count.
func TestThroughputWithMoreWorkersThanPs(t *testing.T) {
	for _, procs := range []int{2, 1} {
		prev := runtime.GOMAXPROCS(procs)
		f := &fake{}
		cfg := Config{Workers: 64, Duration: 300 * time.Millisecond, Warmup: 30 * time.Millisecond}
		res, err := Run(context.Background(), f.workload("fake"), cfg)
		runtime.GOMAXPROCS(prev)
		if err != nil {
			t.Fatal(err)
		}
		implied := res.Throughput * cfg.Duration.Seconds()
		t.Logf("GOMAXPROCS=%d: %d ops, %.4g ops/s over %v measured (%v configured): ops/s x duration = %.4g",
			procs, res.Count, res.Throughput, res.Elapsed, cfg.Duration, implied)
		if math.Abs(implied/float64(res.Count)-1) > 0.10 {
			t.Errorf("GOMAXPROCS=%d, 64 workers: ops/s x duration = %.4g, but %d operations ran", procs, implied, res.Count)
		}
	}
}

// spin is a workload whose operation busy-waits for d: a system under test
// with a known capacity of one operation per d per worker.
func spin(d time.Duration) Workload {
	return Workload{
		Name:     "spin",
		Outcomes: []OutcomeInfo{{"ok", Success}},
		Setup: func(int) (Instance, error) {
			return constOpInstance(func() Op {
				return func() Outcome {
					for start := time.Now(); time.Since(start) < d; {
					}
					return 0
				}
			}), nil
		},
	}
}

// Under ten times more arrivals than the workload can take, an open loop
// reports what ran: a non-zero achieved rate close to the closed loop's
// capacity (neither the generator nor the warm-up's backlog in the way),
// every arrival it could not issue as missed, and latencies that include
// the backlog, measured from each arrival's intended start.
func TestOpenLoopOverloadIsReported(t *testing.T) {
	w := spin(20 * time.Microsecond)
	closed, err := Run(context.Background(), w, Config{Workers: 1, Duration: 150 * time.Millisecond, Warmup: 15 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rate := 10 * closed.Throughput
	cfg := Config{Workers: 1, Duration: 300 * time.Millisecond, Warmup: 60 * time.Millisecond, Rate: rate}
	res, err := Run(context.Background(), w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	scheduled := rate * cfg.Duration.Seconds()
	t.Logf("closed loop %.4g ops/s; open loop at %.4g/s: %d ops, %d missed (%.0f scheduled), achieved %.4g ops/s over %v, p50 %v, max %v",
		closed.Throughput, rate, res.Count, res.Missed, scheduled, res.Throughput, res.Elapsed, res.Quantile(0.5), res.MaxLatency)
	if res.Count == 0 || res.Throughput == 0 {
		t.Fatalf("overloaded open loop measured %d ops at %v ops/s", res.Count, res.Throughput)
	}
	if got := float64(res.Count + res.Missed); math.Abs(got-scheduled) > 2 {
		t.Errorf("ops + missed = %.0f, want the %.0f arrivals of the phase", got, scheduled)
	}
	if res.Missed < 5*res.Count {
		t.Errorf("%d missed against %d issued at ten times the capacity", res.Missed, res.Count)
	}
	if math.Abs(res.Throughput*res.Elapsed.Seconds()/float64(res.Count)-1) > 1e-9 {
		t.Errorf("achieved rate %v is not ops %d over the window %v", res.Throughput, res.Count, res.Elapsed)
	}
	if res.Throughput < closed.Throughput/2 {
		t.Errorf("achieved %.4g ops/s against a capacity of %.4g: the generator or the warm-up got in the way", res.Throughput, closed.Throughput)
	}
	if res.MaxLatency < cfg.Duration/3 {
		t.Errorf("max latency %v: the backlog of a %v phase went unmeasured", res.MaxLatency, cfg.Duration)
	}
}

// The generator's own ceiling is measured with a no-op workload.
func TestCeiling(t *testing.T) {
	c, err := Ceiling(context.Background(), 2, 50*time.Millisecond)
	if err != nil || !(c > 0) {
		t.Fatalf("Ceiling = %v, %v", c, err)
	}
	t.Logf("generator ceiling, 2 workers: %.4g arrivals/s", c)
}
