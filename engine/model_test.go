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

// checked drives a table and the model with the same operations and fails
// the test at the first difference. The property test and the fuzz target
// choose the operations; checked is the specification they share.
type checked struct {
	t     *testing.T
	tb    *Table[obj]
	m     *model
	known []Handle // every handle ever issued
}

func newChecked(t *testing.T, max int, opts ...Option) *checked {
	opts = append([]Option{WithMaxHandles(max)}, opts...)
	return &checked{t: t, tb: New[obj](opts...), m: &model{entries: map[Handle]*entry{}, max: max}}
}

func (c *checked) fail(step int, op string, h Handle, got, want any) {
	c.t.Helper()
	c.t.Fatalf("step %d: %s(%v) = %v, model says %v", step, op, h, got, want)
}

// insert is Insert, or InsertChild under parent when child is set.
func (c *checked) insert(step int, child bool, parent Handle) {
	c.t.Helper()
	v := &obj{step}
	var h Handle
	var err, want error
	if child {
		h, err = c.tb.InsertChild(parent, v)
		if pe, perr := c.m.live(parent); perr != nil {
			want = perr
		} else if pe.parent != 0 {
			want = ErrInvalidHandle
		}
	} else {
		parent = 0
		h, err = c.tb.Insert(v)
	}
	if want == nil && c.m.count() >= c.m.max {
		want = ErrFull
	}
	switch {
	case want == nil && errors.Is(err, ErrFull):
		// Retired slots and unswept orphans hold capacity the model does
		// not count; a full table must have used all of it.
		if c.tb.hwm.Load() < c.tb.max {
			c.fail(step, "Insert", parent, err, want)
		}
	case want != nil:
		if !errors.Is(err, want) {
			c.fail(step, "Insert", parent, err, want)
		}
	case err != nil:
		c.fail(step, "Insert", parent, err, want)
	default:
		if _, dup := c.m.entries[h]; dup {
			c.t.Fatalf("step %d: handle %v issued twice", step, h)
		}
		c.m.entries[h] = &entry{v: v, refs: 1, parent: parent}
		c.known = append(c.known, h)
	}
}

func (c *checked) get(step int, h Handle) {
	c.t.Helper()
	got, ok := c.tb.Get(h)
	e, err := c.m.live(h)
	if ok != (err == nil) || (ok && got != e.v) {
		c.fail(step, "Get", h, fmt.Sprint(got, ok), err)
	}
}

func (c *checked) addRef(step int, h Handle) {
	c.t.Helper()
	err := c.tb.AddRef(h)
	e, want := c.m.live(h)
	if want == nil && e.refs == MaxRefs {
		want = ErrOverflow
	}
	if !errors.Is(err, want) || (want == nil && err != nil) {
		c.fail(step, "AddRef", h, err, want)
	}
	if err == nil {
		e.refs++
	}
}

func (c *checked) pin(step int, h Handle) {
	c.t.Helper()
	got, err := c.tb.Pin(h)
	e, want := c.m.live(h)
	if want == nil && e.pins == MaxPins {
		want = ErrOverflow
	}
	if !errors.Is(err, want) || (want == nil && (err != nil || got != e.v)) {
		c.fail(step, "Pin", h, err, want)
	}
	if err == nil {
		e.pins++
	}
}

func (c *checked) unpin(h Handle) {
	e, err := c.m.live(h)
	if err == nil && e.pins == 0 && c.m.busy(h) {
		// Unpin of a parent the caller never pinned while one of its
		// children is pinned takes the child's pin on it (see Unpin's
		// doc); the model does not track whose pin is whose, and
		// TestUnmatchedUnpinNeverCorrupts covers it.
		return
	}
	c.tb.Unpin(h)
	if err == nil && e.pins > 0 {
		e.pins--
	}
}

func (c *checked) release(step int, h Handle) {
	c.t.Helper()
	freed, err := c.tb.Release(h)
	e, want := c.m.live(h)
	wantFreed := false
	if want == nil {
		switch {
		case e.refs > 1:
			e.refs--
		case c.m.busy(h):
			want = ErrBusy
		default:
			e.refs, e.dead, wantFreed = 0, true, true
		}
	}
	if freed != wantFreed || !errors.Is(err, want) || (want == nil && err != nil) {
		c.fail(step, "Release", h, fmt.Sprint(freed, err), fmt.Sprint(wantFreed, want))
	}
}

func (c *checked) checkLen(step int) {
	c.t.Helper()
	if got, want := c.tb.Len(), c.m.count(); got != want {
		c.t.Fatalf("step %d: Len = %d, model says %d", step, got, want)
	}
}

// drain unpins and releases everything: the table must empty out, and a
// full sweep must leave no orphan behind.
func (c *checked) drain() {
	c.t.Helper()
	for h, e := range c.m.entries {
		if _, err := c.m.live(h); err == nil {
			for ; e.pins > 0; e.pins-- {
				c.tb.Unpin(h)
			}
		}
	}
	for h, e := range c.m.entries {
		if _, err := c.m.live(h); err == nil && e.parent == 0 {
			for ; e.refs > 0; e.refs-- {
				if _, err := c.tb.Release(h); err != nil {
					c.t.Fatalf("final Release(%v): %v", h, err)
				}
			}
			e.dead = true
		}
	}
	if n := c.tb.Len(); n != 0 {
		c.t.Fatalf("Len after releasing everything = %d", n)
	}
	c.tb.Reclaim()
	if n := c.tb.Reclaim(); n != 0 {
		c.t.Fatalf("Reclaim found %d orphans after a full sweep", n)
	}
}

// runModel applies a random sequence of operations, chosen by r.
func runModel(t *testing.T, r *rand.Rand, steps int) {
	c := newChecked(t, 1+r.IntN(40), WithShards(r.IntN(3)), WithGenerationHeadroom(uint32(r.IntN(8))))
	pick := func() Handle {
		if len(c.known) == 0 || r.IntN(10) == 0 {
			return Handle(r.Uint64())
		}
		return c.known[r.IntN(len(c.known))]
	}
	for step := range steps {
		switch r.IntN(9) {
		case 0:
			c.insert(step, false, 0)
		case 1:
			c.insert(step, true, pick())
		case 2:
			c.get(step, pick())
		case 3:
			c.addRef(step, pick())
		case 4:
			c.pin(step, pick())
		case 5, 6: // Unpin: only of pinned handles, as a correct caller would
			var pinned []Handle
			for _, h := range c.known {
				if e, err := c.m.live(h); err == nil && e.pins > 0 {
					pinned = append(pinned, h)
				}
			}
			if len(pinned) > 0 {
				c.unpin(pinned[r.IntN(len(pinned))])
			}
		case 7, 8:
			c.release(step, pick())
		}
		if step%16 == 0 {
			c.checkLen(step)
		}
	}
	c.drain()
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
