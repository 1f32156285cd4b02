package loadgen

import (
	"context"
	"testing"
)

// The harness's own cost per operation is the difference between these
// two: the same trivial operation run by a closed-loop storm (batches,
// clock reads, a sampled latency, outcome counting, through an Op func
// value) and by a bare loop calling it through the same func value.

var sinkOutcome Outcome

// trivialOp is not inlined, so that neither loop can see through the func
// value and inline the operation.
//
//go:noinline
func trivialOp() Op {
	var n uint32
	return func() Outcome {
		n++
		return Outcome(n >> 31)
	}
}

func BenchmarkHarness(b *testing.B) {
	b.Run("loop=bare", func(b *testing.B) {
		op := trivialOp()
		var counts [MaxOutcomes]uint64
		for b.Loop() {
			counts[op()]++
		}
		sinkOutcome = Outcome(counts[0])
	})
	b.Run("loop=storm", func(b *testing.B) {
		w := Workload{
			Name:     "trivial",
			Outcomes: []OutcomeInfo{{"ok", Success}, {"other", Refused}},
			Setup:    func(int) (Instance, error) { return constOp{trivialOp()}, nil },
		}
		b.ResetTimer()
		res, err := Run(context.Background(), w, Config{Workers: 1, Ops: uint64(b.N)})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		// The storm's own figure excludes its set-up (histograms, the clock
		// calibration), which the benchmark's ns/op amortises.
		b.ReportMetric(res.NsPerOp(), "storm-ns/op")
	})
}

type constOp struct{ op Op }

func (c constOp) NewOp(int) Op { return c.op }
func (constOp) Close() error   { return nil }
