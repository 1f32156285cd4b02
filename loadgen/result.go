package loadgen

import (
	"fmt"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// A Result is what one storm measured. Every figure excludes the warm-up.
type Result struct {
	Workload string
	Params   []Param
	Workers  int
	// Rate is the target arrival rate of an open-loop run; 0 for a closed
	// loop.
	Rate float64
	// Duration and Ops are the configured bounds of the measured phase (one
	// of them is zero); Warmup the configured warm-up.
	Duration time.Duration
	Ops      uint64
	Warmup   time.Duration
	// SampleEvery is the latency sampling period (one operation in
	// SampleEvery is timed); ClockOverhead what was subtracted from each
	// sample for the clock reads themselves.
	SampleEvery   int
	ClockOverhead time.Duration

	// Count is the number of measured operations.
	Count uint64
	// Elapsed is the wall-clock length of the measured phase: from the end
	// of the warm-up, the same instant for every worker, to the moment the
	// last worker that measured anything stopped. In an open loop bounded
	// by a duration it is that duration, the span of the schedule whose
	// arrivals are counted (issued) or missed; bounded by an operation
	// count, it ends no earlier than the last arrival's slot.
	Elapsed time.Duration
	// Throughput is Count / Elapsed, in operations per second, as
	// testing.B's RunParallel reports it: the same figure however many
	// workers share however few Ps. In an open loop it is the achieved
	// rate; it is zero only when no operation completed.
	Throughput float64
	// Missed counts open-loop arrivals of the measured phase that were never
	// issued because the workers fell behind: in duration mode Count +
	// Missed is the number of arrivals the schedule held in the phase.
	Missed uint64
	// GeneratorCeiling is, for an open loop, the arrival rate the load
	// generator itself reached with a no-op workload on as many workers
	// (see Ceiling), when the caller measured it; zero otherwise. A target
	// rate above it measures the generator, not the workload.
	GeneratorCeiling float64
	// Latency holds the sampled latencies in nanoseconds; in an open loop,
	// measured from each operation's intended start.
	Latency *hdrhistogram.Histogram
	// MaxLatency is the largest sample, exactly.
	MaxLatency time.Duration
	// Lag holds, for the sampled arrivals of an open loop, how late each was
	// issued, in nanoseconds: the part of its latency that is the load
	// generator's own delay. Nil for a closed loop.
	Lag *hdrhistogram.Histogram
	// Outcomes counts every outcome the workload declares, in its order.
	Outcomes []OutcomeCount
}

// OutcomeCount is how many measured operations had one outcome.
type OutcomeCount struct {
	OutcomeInfo
	Count uint64
}

// Open reports whether the run was open-loop.
func (r *Result) Open() bool { return r.Rate > 0 }

// NsPerOp is the wall-clock time per operation over all workers, the
// inverse of Throughput, as testing.B reports ns/op for parallel benchmarks.
func (r *Result) NsPerOp() float64 {
	if r.Throughput == 0 {
		return 0
	}
	return 1e9 / r.Throughput
}

// Quantile returns the latency at quantile q in [0, 1] of the samples.
func (r *Result) Quantile(q float64) time.Duration {
	if r.Latency == nil || r.Latency.TotalCount() == 0 {
		return 0
	}
	if q >= 1 {
		return r.MaxLatency
	}
	return time.Duration(r.Latency.ValueAtQuantile(q * 100))
}

// LagQuantile returns the schedule lag at quantile q in [0, 1] of an
// open-loop run's samples, 0 for a closed loop.
func (r *Result) LagQuantile(q float64) time.Duration {
	if r.Lag == nil || r.Lag.TotalCount() == 0 {
		return 0
	}
	return time.Duration(r.Lag.ValueAtQuantile(min(q, 1) * 100))
}

// Samples is the number of latency samples.
func (r *Result) Samples() int64 {
	if r.Latency == nil {
		return 0
	}
	return r.Latency.TotalCount()
}

// Count of outcomes of kind k.
func (r *Result) kindCount(k Kind) uint64 {
	var n uint64
	for _, o := range r.Outcomes {
		if o.Kind == k {
			n += o.Count
		}
	}
	return n
}

// Violations is the number of operations that broke a guarantee.
func (r *Result) Violations() uint64 { return r.kindCount(Violation) }

// Refusals is the number of operations that failed with an error code.
func (r *Result) Refusals() uint64 { return r.kindCount(Refused) }

// result merges the workers' state.
func (r *run) result(w Workload) (*Result, error) {
	res := &Result{
		Workload:      w.Name,
		Params:        append([]Param(nil), w.Params...),
		Workers:       r.cfg.Workers,
		Rate:          r.cfg.Rate,
		Duration:      r.cfg.Duration,
		Ops:           r.cfg.Ops,
		Warmup:        r.cfg.Warmup,
		SampleEvery:   r.cfg.SampleEvery,
		ClockOverhead: time.Duration(r.overhead),
		Latency:       hdrhistogram.New(1, histMax, histDigits),
		Outcomes:      make([]OutcomeCount, len(w.Outcomes)),
	}
	for i, o := range w.Outcomes {
		res.Outcomes[i].OutcomeInfo = o
	}
	// The window ends with the last worker that measured an operation; a
	// worker that found nothing left to do must not stretch it.
	last := r.warmEnd
	var maxLat int64
	for _, wk := range r.workers {
		for o, n := range wk.counts {
			if n == 0 {
				continue
			}
			if o >= len(w.Outcomes) {
				return nil, fmt.Errorf("%w: %s returned outcome %d, but declares only %d", ErrWorkload, w.Name, o, len(w.Outcomes))
			}
			res.Outcomes[o].Count += n
		}
		res.Count += wk.ops
		res.Missed += wk.missed
		res.Latency.Merge(wk.hist)
		if wk.lag != nil {
			if res.Lag == nil {
				res.Lag = hdrhistogram.New(1, histMax, histDigits)
			}
			res.Lag.Merge(wk.lag)
		}
		maxLat = max(maxLat, wk.maxLat)
		if wk.ops > 0 {
			last = max(last, wk.winEnd)
		}
	}
	res.MaxLatency = time.Duration(maxLat)
	res.Elapsed = time.Duration(last - r.warmEnd)
	if r.cfg.Rate > 0 && r.cfg.Duration > 0 {
		// The operations counted are the schedule's arrivals of the phase
		// (none is issued after its end but the last burst's): the window
		// is the phase itself, so that achieved and missed add up to the
		// whole schedule however late a worker stopped.
		res.Elapsed = r.cfg.Duration
	}
	if res.Count > 0 && res.Elapsed > 0 {
		res.Throughput = float64(res.Count) / res.Elapsed.Seconds()
	}
	return res, nil
}
