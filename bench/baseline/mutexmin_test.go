package baseline

import (
	"errors"
	"testing"

	"github.com/hprov/hprov/engine"
)

func TestMutexMin(t *testing.T) {
	tb := NewMutexMin[int]()
	vals := make([]int, 100)
	var hs []uint64
	for i := range vals {
		h, err := tb.Insert(&vals[i])
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
	for i, h := range hs {
		if v, ok := tb.Get(h); !ok || v != &vals[i] {
			t.Fatalf("Get(%#x) = %p, %v; want %p", h, v, ok, &vals[i])
		}
	}
	for _, h := range hs[:50] {
		if freed, err := tb.Release(h); !freed || err != nil {
			t.Fatalf("Release(%#x) = %v, %v", h, freed, err)
		}
		if _, ok := tb.Get(h); ok {
			t.Fatalf("Get of released %#x succeeded", h)
		}
		if _, err := tb.Release(h); !errors.Is(err, engine.ErrStale) {
			t.Fatalf("second Release(%#x) = %v; want ErrStale", h, err)
		}
	}
	// Reused slots get new generations: the old handles stay dead.
	for i := range 50 {
		h, err := tb.Insert(&vals[i])
		if err != nil {
			t.Fatal(err)
		}
		if uint32(h) > 100 {
			t.Fatalf("Insert grew the table (%#x) with 50 free slots", h)
		}
	}
	for _, h := range hs[:50] {
		if _, ok := tb.Get(h); ok {
			t.Fatalf("stale %#x reaches a reused slot", h)
		}
	}
	if n := tb.Len(); n != 100 {
		t.Fatalf("Len = %d, want 100", n)
	}
	for _, h := range []uint64{0, 1 << 40, 101} {
		if _, err := tb.Release(h); !errors.Is(err, engine.ErrInvalidHandle) {
			t.Fatalf("Release(%#x) = %v; want ErrInvalidHandle", h, err)
		}
	}
}
