package bench

import (
	"math"
	"slices"
	"testing"
)

func TestReadOrderIsPermutation(t *testing.T) {
	order := slices.Clone(readOrder())
	if len(order) != getHandles {
		t.Fatalf("len = %d, want %d", len(order), getHandles)
	}
	if slices.IsSorted(order) {
		t.Fatal("read order is not shuffled")
	}
	slices.Sort(order)
	for i, v := range order {
		if int(v) != i {
			t.Fatalf("not a permutation: sorted[%d] = %d", i, v)
		}
	}
}

// The fills behind MemoryPerHandle work, at a size a unit test can afford,
// for every implementation.
func TestFillSmall(t *testing.T) {
	if len(implBenches) != 5 {
		t.Fatalf("%d implementations, want hprov, syncmap, xsync, mutex, mutexmin", len(implBenches))
	}
	for _, im := range implBenches {
		res, err := im.fill(20000)
		if err != nil {
			t.Fatalf("%s: %v", im.name, err)
		}
		for _, x := range []float64{res.retained, res.allocated, res.allocs, res.ns} {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				t.Fatalf("%s: fill result %+v", im.name, res)
			}
		}
		if res.allocated <= 0 {
			t.Errorf("%s: a 20000-handle table allocated %v B/handle", im.name, res.allocated)
		}
	}
}

func TestClockOverhead(t *testing.T) {
	if d := clockOverhead(); d < 0 {
		t.Fatalf("clock overhead %v", d)
	}
}
