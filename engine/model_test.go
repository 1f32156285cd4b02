package engine

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// model is the sequential specification of a Table: the obvious map-based
// implementation, with no concurrency and no slot reuse.
type model struct {
	entries map[Handle]*entry
	max     int
}

type entry struct {
	v      *obj
	refs   int
	pins   int
	parent Handle // 0 for a top-level handle
	dead   bool
}

func (m *model) live(h Handle) (*entry, error) {
	e, ok := m.entries[h]
	if !ok {
		return nil, ErrInvalidHandle
	}
	if e.dead || (e.parent != 0 && m.entries[e.parent].dead) {
		return nil, ErrStale
	}
	return e, nil
}

func (m *model) count() int {
	n := 0
	for h := range m.entries {
		if _, err := m.live(h); err == nil {
			n++
		}
	}
	return n
}

func (m *model) busy(h Handle) bool {
	if m.entries[h].pins > 0 {
		return true
	}
	for _, e := range m.entries {
		if e.parent == h && !e.dead && e.pins > 0 {
			return true
		}
	}
	return false
}

// runModel applies a random sequence of operations, chosen by r, to a table
// and to the model, and fails at the first difference.
func runModel(t *testing.T, r *rand.Rand, steps int) {
	max := 1 + r.IntN(40)
	tb := New[obj](WithMaxHandles(max), WithShards(r.IntN(3)), WithGenerationHeadroom(uint32(r.IntN(8))))
	m := &model{entries: map[Handle]*entry{}, max: max}
	var known []Handle // every handle ever issued, plus forgeries
	pick := func() Handle {
		if len(known) == 0 || r.IntN(10) == 0 {
			return Handle(r.Uint64())
		}
		return known[r.IntN(len(known))]
	}
	fail := func(step int, op string, h Handle, got, want any) {
		t.Helper()
		t.Fatalf("step %d: %s(%v) = %v, model says %v", step, op, h, got, want)
	}
	for step := range steps {
		switch op := r.IntN(9); op {
		case 0, 1: // Insert or InsertChild
			v := &obj{step}
			var h Handle
			var err error
			var parent Handle
			if op == 1 {
				parent = pick()
				h, err = tb.InsertChild(parent, v)
			} else {
				h, err = tb.Insert(v)
			}
			var want error
			if op == 1 {
				if pe, perr := m.live(parent); perr != nil {
					want = perr
				} else if pe.parent != 0 {
					want = ErrInvalidHandle
				}
			}
			if want == nil && m.count() >= max {
				// Retired slots make a full table fill earlier than the
				// model; only check that the table is not fuller than max.
				want = ErrFull
			}
			switch {
			case want == nil && errors.Is(err, ErrFull):
				// A slot may be retired (headroom): accepted only then.
				if tb.hwm.Load() < tb.max {
					fail(step, "Insert", parent, err, want)
				}
			case want != nil:
				if !errors.Is(err, want) {
					fail(step, "Insert", parent, err, want)
				}
			case err != nil:
				fail(step, "Insert", parent, err, want)
			default:
				if _, dup := m.entries[h]; dup {
					t.Fatalf("step %d: handle %v issued twice", step, h)
				}
				m.entries[h] = &entry{v: v, refs: 1, parent: parent}
				known = append(known, h)
			}
		case 2: // Get
			h := pick()
			got, ok := tb.Get(h)
			e, err := m.live(h)
			if ok != (err == nil) || (ok && got != e.v) {
				fail(step, "Get", h, fmt.Sprint(got, ok), err)
			}
		case 3: // AddRef
			h := pick()
			err := tb.AddRef(h)
			e, want := m.live(h)
			if !errors.Is(err, want) || (want == nil && err != nil) {
				fail(step, "AddRef", h, err, want)
			}
			if err == nil {
				e.refs++
			}
		case 4: // Pin
			h := pick()
			got, err := tb.Pin(h)
			e, want := m.live(h)
			if !errors.Is(err, want) || (want == nil && (err != nil || got != e.v)) {
				fail(step, "Pin", h, err, want)
			}
			if err == nil {
				e.pins++
			}
		case 5, 6: // Unpin: only of pinned handles, as a correct caller would
			var pinned []Handle
			for _, h := range known {
				if e, err := m.live(h); err == nil && e.pins > 0 {
					pinned = append(pinned, h)
				}
			}
			if len(pinned) > 0 {
				h := pinned[r.IntN(len(pinned))]
				tb.Unpin(h)
				m.entries[h].pins--
			}
		case 7, 8: // Release
			h := pick()
			freed, err := tb.Release(h)
			e, want := m.live(h)
			wantFreed := false
			if want == nil {
				switch {
				case e.refs > 1:
					e.refs--
				case m.busy(h):
					want = ErrBusy
				default:
					e.refs, e.dead, wantFreed = 0, true, true
				}
			}
			if freed != wantFreed || !errors.Is(err, want) || (want == nil && err != nil) {
				fail(step, "Release", h, fmt.Sprint(freed, err), fmt.Sprint(wantFreed, want))
			}
		}
		if step%16 == 0 {
			if got, want := tb.Len(), m.count(); got != want {
				t.Fatalf("step %d: Len = %d, model says %d", step, got, want)
			}
		}
	}
	// Unpin and release everything: the table must empty out.
	for h, e := range m.entries {
		if _, err := m.live(h); err == nil {
			for ; e.pins > 0; e.pins-- {
				tb.Unpin(h)
			}
		}
	}
	for h, e := range m.entries {
		if _, err := m.live(h); err == nil && e.parent == 0 {
			for ; e.refs > 0; e.refs-- {
				if _, err := tb.Release(h); err != nil {
					t.Fatalf("final Release(%v): %v", h, err)
				}
			}
			e.dead = true
		}
	}
	if n := tb.Len(); n != 0 {
		t.Fatalf("Len after releasing everything = %d", n)
	}
	tb.Reclaim()
	if n := tb.Reclaim(); n != 0 {
		t.Fatalf("Reclaim found %d orphans after a full sweep", n)
	}
}

func TestAgainstModel(t *testing.T) {
	seeds := 300
	if testing.Short() {
		seeds = 50
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			runModel(t, rand.New(rand.NewPCG(uint64(seed), 42)), 400)
		})
	}
}
