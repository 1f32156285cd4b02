// Package pace holds the fixed arrival schedule of an open-loop storm.
//
// An open-loop load generator must not let a slow operation delay the ones
// scheduled after it: a stall then goes unmeasured ("coordinated omission",
// as wrk2 puts it). So arrivals follow a schedule fixed in advance, arrival i
// at Start + i*Period, and each operation's latency is measured from its
// intended start, not from the moment a busy worker got round to it.
//
// A Schedule is pure arithmetic on clock readings; Until is the one place that
// waits. At a million arrivals per second the gap between arrivals (1 µs) is
// far below what time.Sleep can resolve (about 1 ms on a Linux VM), so a
// worker issues every arrival already due after each clock read, in a small
// batch, and sleeps only when the next arrival is milliseconds away.
package pace

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/hprov/hprov/loadgen/clock"
)

// ErrRate reports a rate that is not a positive, finite number of arrivals
// per second, or too high to schedule with nanosecond readings.
var ErrRate = errors.New("pace: rate must be positive and finite, at most 1e9/s")

// A Schedule is a fixed sequence of arrivals, arrival i due at clock reading
// Start + i*Period. The zero Schedule is not valid; use New.
type Schedule struct {
	start  int64
	period float64 // nanoseconds between arrivals, >= 1
}

// New returns the schedule of rate arrivals per second whose first arrival is
// due at clock reading start.
func New(start int64, rate float64) (Schedule, error) {
	if !(rate > 0) || math.IsInf(rate, 0) || rate > 1e9 {
		return Schedule{}, fmt.Errorf("%w: got %v", ErrRate, rate)
	}
	return Schedule{start: start, period: 1e9 / rate}, nil
}

// Start returns the clock reading at which arrival 0 is due.
func (s Schedule) Start() int64 { return s.start }

// Period returns the nanoseconds between two arrivals.
func (s Schedule) Period() float64 { return s.period }

// Rate returns the arrivals per second.
func (s Schedule) Rate() float64 { return 1e9 / s.period }

// At returns the clock reading at which arrival i is due.
func (s Schedule) At(i uint64) int64 {
	return s.start + int64(float64(i)*s.period)
}

// Due returns how many arrivals are due at or before clock reading now, that
// is the index of the first arrival still in the future. It agrees exactly
// with At: At(i) <= now if and only if i < Due(now).
func (s Schedule) Due(now int64) uint64 {
	return s.Before(now + 1)
}

// Before returns how many arrivals are due strictly before clock reading t:
// the index of the first arrival at or after t.
func (s Schedule) Before(t int64) uint64 {
	if t <= s.start {
		return 0
	}
	n := uint64(float64(t-s.start) / s.period)
	// The division and At round independently; settle the boundary with At
	// itself so the two never disagree by one arrival.
	for n > 0 && s.At(n-1) >= t {
		n--
	}
	for s.At(n) < t {
		n++
	}
	return n
}

// Stripe returns the part of s that one of n workers serves: arrivals k,
// k+n, k+2n, ... of s, as a schedule of its own. Striping keeps the merged
// arrivals of all workers exactly those of s, evenly interleaved.
func (s Schedule) Stripe(k, n int) Schedule {
	if n <= 0 || k < 0 || k >= n {
		panic(fmt.Sprintf("pace: Stripe(%d, %d) out of range", k, n))
	}
	return Schedule{start: s.At(uint64(k)), period: s.period * float64(n)}
}

// SleepSlack is how far before a deadline Until stops sleeping and starts
// polling the clock. time.Sleep on a busy Linux VM typically overshoots by
// about 1 ms; the slack absorbs that.
const SleepSlack = 2 * time.Millisecond

// maxSleep bounds one sleep so that a stop request is seen promptly.
const maxSleep = 20 * time.Millisecond

// Until waits until clock c reads at least t, or stop becomes true, and
// returns the last reading. Far from t it sleeps; within SleepSlack it polls
// the clock, yielding the processor between reads so that other workers on
// the same P still run.
func Until(c clock.Clock, t int64, stop *atomic.Bool) int64 {
	now := c.Now()
	for spins := 0; now < t && !stop.Load(); spins++ {
		if wait := time.Duration(t - now); wait > SleepSlack {
			time.Sleep(min(wait-SleepSlack, maxSleep))
		} else if spins%yieldEvery == yieldEvery-1 {
			runtime.Gosched()
		}
		now = c.Now()
	}
	return now
}

// yieldEvery is how many clock reads Until polls between two yields of the
// processor. A yield costs about a microsecond, far more than the 30 ns of a
// clock read: yielding on every read would make every arrival that much
// late; never yielding would starve the other workers of the same P.
const yieldEvery = 16
