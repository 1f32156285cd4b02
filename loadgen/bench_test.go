package loadgen

import (
	"context"
	"testing"
)

// The harness's own cost per operation is the difference between a bare
// loop and a storm running the same trivial operation: loop=storm calls it
// through an Op func value, as the bare loop does, and counts outcomes;
// loop=storm-batch runs it in the workload's own loop (a Batcher), which
// counts. Both add the batches, clock reads and the sampled latency.

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
	b.Run("loop=storm-batch", func(b *testing.B) {
		w := Workload{
			Name:     "trivial",
			Outcomes: []OutcomeInfo{{"ok", Success}, {"other", Refused}},
			Setup:    func(int) (Instance, error) { return trivialBatcher{}, nil },
		}
		b.ResetTimer()
		res, err := Run(context.Background(), w, Config{Workers: 1, Ops: uint64(b.N)})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric(res.NsPerOp(), "storm-ns/op")
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

type trivialBatcher struct{}

func (trivialBatcher) NewOp(int) Op { return trivialOp() }
func (trivialBatcher) Close() error { return nil }

func (trivialBatcher) NewBatch(int) Batch {
	var n uint32
	return func(k int, counts *Counts) {
		var ok uint64
		for range k {
			n++
			if n>>31 == 0 {
				ok++
			} else {
				counts[1]++
			}
		}
		counts[0] += ok
	}
}
