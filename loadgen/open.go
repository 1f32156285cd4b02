package loadgen

import (
	"math"
	"math/rand/v2"
	"runtime/pprof"

	"github.com/hprov/hprov/loadgen/pace"
)

// maxBurst bounds how many due arrivals an open-loop worker issues per clock
// read, so that a worker that fell behind still notices the end of the run.
const maxBurst = 64

// openLoop issues the arrivals of its stripe of the schedule: after each
// clock read, every arrival already due (up to maxBurst), then a wait for the
// next. A random arrival in SampleEvery, on average, is timed from its
// intended start; how late it was issued is recorded too, to tell the
// generator's own lateness (a descheduled worker) from the operation's.
//
// Overload is reported, not hidden:
//   - Warm-up arrivals still due when the warm-up ends are dropped. A system
//     that cannot keep up would otherwise spend the measured phase working
//     off the warm-up's backlog, uncounted, and report nothing at all.
//   - Arrivals of the measured phase are issued in order, however late,
//     and their latency runs from their intended start (no coordinated
//     omission); those still not issued when the phase ends are missed.
//     So in duration mode, operations + missed = the arrivals the schedule
//     holds in the measured phase.
func (r *run) openLoop(wk *worker) {
	c, run := r.clock, wk.batch
	all, _ := pace.New(r.start, r.cfg.Rate) // rate checked by Validate
	s := all.Stripe(wk.id, r.cfg.Workers)
	warmIdx := s.Before(r.warmEnd)
	var endIdx uint64
	deadline := int64(math.MaxInt64)
	if n := r.cfg.Ops; n > 0 {
		share := n / uint64(r.cfg.Workers)
		if uint64(wk.id) < n%uint64(r.cfg.Workers) {
			share++
		}
		endIdx = warmIdx + share
	} else {
		endIdx = s.Before(r.end)
		deadline = r.end
	}
	sampleMean := uint32(r.cfg.SampleEvery)
	nextSample := func() uint32 { return 1 + rand.Uint32N(2*sampleMean-1) } // mean SampleEvery
	countdown := nextSample()
	measuring := false
	pprof.SetGoroutineLabels(r.warmupLabels)
	i := uint64(0)
	for !r.stop.Load() {
		now := c.Now()
		if !measuring && now >= r.warmEnd {
			i = max(i, warmIdx) // drop the warm-up's backlog
			r.beginMeasure(wk)
			measuring = true
		}
		if now >= deadline || i >= endIdx {
			break // what is still due is missed: the storm is over
		}
		due := min(s.Due(now), endIdx, i+maxBurst)
		if !measuring {
			due = min(due, warmIdx)
		}
		if due <= i {
			pace.Until(c, s.At(i), &r.stop)
			continue
		}
		// Issue arrivals i to due; the countdown-th from here is timed.
		for i < due {
			if left := due - i; uint64(countdown) > left {
				run(int(left), &wk.counts)
				countdown -= uint32(left)
				i = due
				break
			}
			run(int(countdown-1), &wk.counts)
			i += uint64(countdown - 1)
			issued := c.Now()
			run(1, &wk.counts)
			if measuring {
				at := s.At(i)
				wk.record(c.Now() - at)
				_ = wk.lag.RecordValue(min(max(issued-at, 0), histMax))
			}
			i++
			countdown = nextSample()
		}
		if measuring {
			wk.ops = i - warmIdx
			if r.pub != nil {
				r.publish(wk)
			}
		}
	}
	wk.winEnd = c.Now()
	if !measuring {
		wk.reset() // stopped before the measured phase
		return
	}
	wk.ops = i - warmIdx
	wk.missed = endIdx - i
	if r.cfg.Ops > 0 {
		// The nominal end is the last arrival's slot; a late worker
		// stretches the window.
		wk.winEnd = max(wk.winEnd, s.At(endIdx))
	}
}
