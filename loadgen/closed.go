package loadgen

import (
	"math/rand/v2"
	"runtime/pprof"
)

// closedLoop runs batches of SampleEvery operations back to back. Per batch:
// one stop check, one random position, two clock reads around the operation
// at that position (its latency sample; the second read also ends warm-up
// and the measured phase), and one histogram record.
//
// A worker that reaches the end of the warm-up only after the measured
// phase is over (descheduled throughout, as happens with many more workers
// than Ps) stops without measuring: it must not stretch the window with a
// batch of its own.
func (r *run) closedLoop(wk *worker) {
	c, run, batch := r.clock, wk.batch, r.cfg.SampleEvery
	opsMode := r.cfg.Ops > 0
	over := func(now int64) bool { return !opsMode && now >= r.end }
	measuring := false
	if now := c.Now(); now >= r.warmEnd {
		if over(now) {
			return
		}
		r.beginMeasure(wk)
		measuring = true
	} else {
		pprof.SetGoroutineLabels(r.warmupLabels)
	}
	for !r.stop.Load() {
		n := batch
		if measuring && opsMode {
			if n = r.claim(batch); n == 0 {
				break
			}
		}
		k := int(rand.Uint32N(uint32(n)))
		run(k, &wk.counts)
		t0 := c.Now()
		run(1, &wk.counts)
		t1 := c.Now()
		run(n-k-1, &wk.counts)
		wk.ops += uint64(n)
		if measuring {
			wk.record(t1 - t0 - r.overhead)
			if r.pub != nil {
				r.publish(wk)
			}
			if over(t1) {
				break
			}
		} else if t1 >= r.warmEnd {
			if over(t1) {
				wk.reset()
				return
			}
			r.beginMeasure(wk)
			measuring = true
		}
	}
	wk.winEnd = c.Now()
	if !measuring {
		wk.reset() // stopped during warm-up: nothing measured
	}
}
