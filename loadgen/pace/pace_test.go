package pace

import (
	"errors"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hprov/hprov/loadgen/clock"
)

func TestNewRejectsBadRates(t *testing.T) {
	for _, r := range []float64{0, -1, math.NaN(), math.Inf(1), 2e9} {
		if _, err := New(0, r); !errors.Is(err, ErrRate) {
			t.Errorf("New(0, %v) error = %v, want ErrRate", r, err)
		}
	}
}

func TestAtAndDueAgree(t *testing.T) {
	for _, rate := range []float64{1, 3, 7e3, 333333, 1e6, 3e8, 1e9} {
		s, err := New(12345, rate)
		if err != nil {
			t.Fatal(err)
		}
		for i := uint64(0); i < 5000; i++ {
			at := s.At(i)
			if got := s.Due(at); got <= i {
				t.Fatalf("rate %v: Due(At(%d)=%d) = %d, want > %d", rate, i, at, got, i)
			}
			if got := s.Due(at - 1); got > i {
				t.Fatalf("rate %v: Due(At(%d)-1) = %d, want <= %d", rate, i, got, i)
			}
			if got := s.Before(at); got > i {
				t.Fatalf("rate %v: Before(At(%d)) = %d, want <= %d", rate, i, got, i)
			}
		}
		if got := s.Due(s.Start() - 1); got != 0 {
			t.Fatalf("rate %v: Due before start = %d", rate, got)
		}
	}
}

func TestDueCountsArrivals(t *testing.T) {
	s, _ := New(0, 1e6) // one per µs
	cases := []struct {
		now  int64
		want uint64
	}{{-1, 0}, {0, 1}, {999, 1}, {1000, 2}, {1_000_000_000, 1_000_001}}
	for _, c := range cases {
		if got := s.Due(c.now); got != c.want {
			t.Errorf("Due(%d) = %d, want %d", c.now, got, c.want)
		}
	}
}

func TestStripesPartitionTheSchedule(t *testing.T) {
	s, _ := New(100, 7e5)
	const n = 3
	var stripes [n]Schedule
	for k := range stripes {
		stripes[k] = s.Stripe(k, n)
	}
	// Merged arrivals of the stripes are the arrivals of s, to within the
	// nanosecond rounding of one multiplication.
	for i := uint64(0); i < 3000; i++ {
		want := s.At(i)
		got := stripes[i%n].At(i / n)
		if d := got - want; d < -1 || d > 1 {
			t.Fatalf("arrival %d: stripe says %d, schedule says %d", i, got, want)
		}
	}
	// Over a window, the stripes' counts add up to the schedule's.
	for _, end := range []int64{0, 101, 12345, 1e9 + 7} {
		var sum uint64
		for _, st := range stripes {
			sum += st.Due(end)
		}
		if d := int64(sum) - int64(s.Due(end)); d < -1 || d > 1 {
			t.Errorf("window to %d: stripes count %d, schedule %d", end, sum, s.Due(end))
		}
	}
}

func TestStripePanicsOutOfRange(t *testing.T) {
	s, _ := New(0, 1)
	defer func() {
		if recover() == nil {
			t.Fatal("Stripe(2, 2) did not panic")
		}
	}()
	s.Stripe(2, 2)
}

func TestUntilWaitsAndStops(t *testing.T) {
	c := clock.New()
	var stop atomic.Bool
	target := c.Now() + int64(3*time.Millisecond)
	if got := Until(c, target, &stop); got < target {
		t.Fatalf("Until returned at %d, before %d", got, target)
	}
	stop.Store(true)
	far := c.Now() + int64(time.Hour)
	if got := Until(c, far, &stop); got >= far {
		t.Fatal("Until ignored stop")
	}
}

func TestUntilStopsWhileSleeping(t *testing.T) {
	c := clock.New()
	var stop atomic.Bool
	go func() {
		time.Sleep(30 * time.Millisecond)
		stop.Store(true)
	}()
	far := c.Now() + int64(time.Hour)
	if got := Until(c, far, &stop); got >= far {
		t.Fatal("Until did not return on stop")
	}
}
