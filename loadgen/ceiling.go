package loadgen

import (
	"context"
	"time"
)

// Ceiling measures the load generator's own limit: the arrival rate an open
// loop of this many workers achieves for d (after a tenth of d of warm-up)
// when the workload does nothing at all, asked for the highest rate a
// Config accepts. An open-loop storm whose target is near or above it
// measures the generator rather than the workload; reports say so.
func Ceiling(ctx context.Context, workers int, d time.Duration) (float64, error) {
	res, err := Run(ctx, noop, Config{Workers: workers, Duration: d, Warmup: d / 10, Rate: maxRate})
	if err != nil {
		return 0, err
	}
	return res.Throughput, nil
}

// maxRate is the highest open-loop rate Config.Validate accepts.
const maxRate = 1e9

// noop is the workload of Ceiling: a Batcher whose batches only count, so
// that what is measured is the generator's clock reads, schedule arithmetic
// and latency samples.
var noop = Workload{
	Name:     "noop",
	Outcomes: []OutcomeInfo{{Name: "ok", Kind: Success}},
	Setup:    func(int) (Instance, error) { return noopInstance{}, nil },
}

type noopInstance struct{}

func (noopInstance) NewOp(int) Op { return func() Outcome { return 0 } }
func (noopInstance) Close() error { return nil }
func (noopInstance) NewBatch(int) Batch {
	return func(n int, counts *Counts) { counts[0] += uint64(n) }
}
