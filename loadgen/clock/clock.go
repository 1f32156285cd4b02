// Package clock is the monotonic nanosecond clock the load generator reads on
// its hot path.
//
// A storm cannot afford time.Now: on the 2-core VMs hprov is measured on,
// time.Now plus time.Since costs about 72-85 ns, several times the 10-20 ns of
// the engine operation being measured. Reading only the monotonic part, as
// time.Since does for a Time that carries a monotonic reading, costs about
// 30 ns (a vDSO clock_gettime), and runtime.nanotime reached through a
// linkname directive about 27 ns (BenchmarkClock in this package measures all
// three). The 10% gap does not justify an unsafe linkname: the harness reads
// the clock a couple of times per 64 operations, where 3 ns is 0.05 ns per
// operation, so Clock is built on time.Since.
package clock

import "time"

// A Clock reads nanoseconds elapsed since its creation on the monotonic
// clock. The zero Clock is not valid; use New. A Clock is a value and is safe
// for concurrent use.
type Clock struct {
	epoch time.Time
}

// New returns a Clock whose epoch is now.
func New() Clock {
	return Clock{epoch: time.Now()}
}

// Now returns the nanoseconds elapsed since the Clock's epoch. It never goes
// backwards and is unaffected by wall-clock changes.
func (c Clock) Now() int64 {
	return int64(time.Since(c.epoch))
}

// Time converts a reading of c back to a wall-clock time, for reports.
func (c Clock) Time(ns int64) time.Time {
	return c.epoch.Add(time.Duration(ns))
}

// Overhead estimates what one reading adds to an interval measured as the
// difference of two readings: the median gap between back-to-back reads over
// n pairs. Latency samples subtract it so that a 15 ns operation is not
// reported as 45 ns. n <= 0 means 10000 pairs (about 0.6 ms).
func (c Clock) Overhead(n int) int64 {
	if n <= 0 {
		n = 10000
	}
	// A small fixed histogram of gaps: the median of a few thousand reads
	// never needs more than 1 ns resolution below 1 µs, and a gap above that
	// is a preemption and only has to count against the median.
	var buckets [1024]int32
	for i := 0; i < n; i++ {
		a := c.Now()
		b := c.Now()
		if d := b - a; d >= 0 && d < int64(len(buckets)) {
			buckets[d]++
		}
	}
	half := n / 2
	seen := 0
	for d, k := range buckets {
		seen += int(k)
		if seen > half {
			return int64(d)
		}
	}
	return int64(len(buckets))
}
