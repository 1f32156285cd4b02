package clock

import (
	"testing"
	"time"
	_ "unsafe" // for go:linkname in BenchmarkClock/nanotime
)

func TestNowMonotonic(t *testing.T) {
	c := New()
	prev := c.Now()
	for i := 0; i < 100000; i++ {
		now := c.Now()
		if now < prev {
			t.Fatalf("reading %d went backwards: %d after %d", i, now, prev)
		}
		prev = now
	}
}

func TestNowTracksSleep(t *testing.T) {
	c := New()
	a := c.Now()
	time.Sleep(20 * time.Millisecond)
	if d := c.Now() - a; d < int64(20*time.Millisecond) {
		t.Fatalf("20ms sleep measured as %v", time.Duration(d))
	}
}

func TestTimeRoundTrip(t *testing.T) {
	c := New()
	ns := c.Now()
	if got := c.Time(ns).Sub(c.epoch); got != time.Duration(ns) {
		t.Fatalf("Time(%d) is %v after the epoch", ns, got)
	}
}

func TestOverheadPositive(t *testing.T) {
	c := New()
	if o := c.Overhead(1000); o < 0 || o > 1024 {
		t.Fatalf("Overhead = %d ns, want within [0, 1024]", o)
	}
}

//go:linkname nanotime runtime.nanotime
func nanotime() int64

var sink int64

// BenchmarkClock compares the readings a harness could use; the package doc
// quotes its results.
func BenchmarkClock(b *testing.B) {
	b.Run("src=Clock.Now", func(b *testing.B) {
		c := New()
		for b.Loop() {
			sink += c.Now()
		}
	})
	b.Run("src=runtime.nanotime", func(b *testing.B) {
		for b.Loop() {
			sink += nanotime()
		}
	})
	b.Run("src=time.Now+Since", func(b *testing.B) {
		for b.Loop() {
			t := time.Now()
			sink += int64(time.Since(t))
		}
	})
}
