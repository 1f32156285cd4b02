package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
)

// FuzzTable decodes a sequence of operations from the input, applies it to a
// Table and to the sequential model (model_test.go), and fails at the first
// difference, and if a table emptied of its handles does not report Len 0.
//
// Input layout: two bytes of configuration (capacity; shards and generation
// headroom), then operations of two bytes each, an opcode and an operand
// selector; some selectors consume more bytes (a bit to flip, a raw handle).
// Operands are handles issued so far (live or not), handles with one bit
// flipped, zero, a foreign table's handle, or arbitrary 64-bit values.
func FuzzTable(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add(seed)
	}
	// One foreign handle for every execution: a table costs a page of
	// slots, which would double the cost of each.
	foreign, err := New[obj](WithMaxHandles(1)).Insert(&obj{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		runFuzz(t, data, foreign)
	})
}

// fuzzSeeds are inputs for the cases the model test reaches by chance: slot
// reuse, children and orphans, busy releases, retirement, a full table, and
// forged handles of every kind. They are also committed under
// testdata/fuzz/FuzzTable.
func fuzzSeeds() [][]byte {
	const (
		insert, child, get, addref, pin, unpin, release = 0, 1, 2, 3, 4, 5, 6
	)
	op := func(code, sel byte, more ...byte) []byte { return append([]byte{code, sel}, more...) }
	cat := func(cfg uint16, ops ...[]byte) []byte {
		b := []byte{byte(cfg >> 8), byte(cfg)}
		for _, o := range ops {
			b = append(b, o...)
		}
		return b
	}
	return [][]byte{
		// Insert, release, reuse the slot, probe the stale handle.
		cat(0x00, op(insert, 0), op(release, 0), op(insert, 0), op(get, 0), op(pin, 0), op(addref, 0), op(release, 0), op(get, 1)),
		// Parent with children; pinned child makes the parent busy; parent
		// release orphans the rest.
		cat(0x00, op(insert, 0), op(child, 0), op(child, 0), op(pin, 1), op(release, 0), op(unpin, 1),
			op(release, 0), op(get, 1), op(get, 2), op(child, 1), op(insert, 0), op(insert, 0)),
		// Child of a child, refcounts, busy parent by its own pin.
		cat(0x00, op(insert, 0), op(child, 0), op(child, 1), op(addref, 0), op(pin, 0), op(release, 0),
			op(release, 0), op(unpin, 0), op(release, 0), op(release, 0)),
		// A table of capacity 3 filled up.
		cat(0x0300, op(insert, 0), op(insert, 0), op(insert, 0), op(insert, 0), op(release, 1), op(insert, 0)),
		// Headroom 1: every slot retires after one use; two shards.
		cat(0x0005, op(insert, 0), op(release, 0), op(insert, 0), op(release, 1), op(insert, 0), op(get, 0)),
		// Forgeries: zero, foreign, flipped bits, raw values.
		cat(0x00, op(insert, 0), op(get, 0xf8), op(get, 0xf9), op(get, 0xf0, 63), op(get, 0xf0, 30),
			op(release, 0xf0, 0), op(pin, 0xfa, 1, 2, 3, 4, 5, 6, 7, 8), op(addref, 0xf0, 24), op(child, 0xf0, 56)),
	}
}

// fuzzDecoder hands out bytes; past the end it returns zeros, so every input
// decodes.
type fuzzDecoder struct{ b []byte }

func (d *fuzzDecoder) more() bool { return len(d.b) > 0 }

func (d *fuzzDecoder) byte() byte {
	if len(d.b) == 0 {
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *fuzzDecoder) u64() uint64 {
	var buf [8]byte
	n := copy(buf[:], d.b)
	d.b = d.b[n:]
	return binary.LittleEndian.Uint64(buf[:])
}

func runFuzz(t *testing.T, data []byte, foreign Handle) {
	d := &fuzzDecoder{b: data}
	// Large enough for the per-P caches (see New), small enough that a
	// new table costs little per execution.
	capacity := 4096
	if c := d.byte(); c != 0 {
		capacity = 1 + int(c)%48
	}
	cfg := d.byte()
	shards, headroom := int(cfg%3), uint32(cfg>>2%4)
	tb := New[obj](WithMaxHandles(capacity), WithShards(shards), WithGenerationHeadroom(headroom))
	m := &model{entries: map[Handle]*entry{}, max: capacity}
	var known []Handle
	operand := func() Handle {
		switch sel := d.byte(); {
		case sel < 0xf0:
			if len(known) == 0 {
				return 0
			}
			return known[int(sel)%len(known)]
		case sel < 0xf8:
			if len(known) == 0 {
				return 0
			}
			return known[int(sel-0xf0)%len(known)] ^ 1<<(d.byte()%64)
		case sel == 0xf8:
			return 0
		case sel == 0xf9:
			return foreign
		default:
			return Handle(d.u64())
		}
	}
	fail := func(step int, op string, h Handle, got, want any) {
		t.Helper()
		t.Fatalf("step %d: %s(%v) = %v, model says %v", step, op, h, got, want)
	}
	for step := 0; d.more() && step < 256; step++ {
		switch code := d.byte() % 7; code {
		case 0, 1: // Insert, InsertChild
			v := &obj{step}
			var parent Handle
			var h Handle
			var err error
			if code == 1 {
				parent = operand()
				h, err = tb.InsertChild(parent, v)
			} else {
				d.byte() // operand selector, unused
				h, err = tb.Insert(v)
			}
			var want error
			if code == 1 {
				if pe, perr := m.live(parent); perr != nil {
					want = perr
				} else if pe.parent != 0 {
					want = ErrInvalidHandle
				}
			}
			if want == nil && m.count() >= capacity {
				want = ErrFull
			}
			switch {
			case want == nil && errors.Is(err, ErrFull):
				// Retired slots and unswept orphans hold capacity the
				// model does not count; a full table must have used
				// all of it.
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
		case 2:
			h := operand()
			got, ok := tb.Get(h)
			e, err := m.live(h)
			if ok != (err == nil) || (ok && got != e.v) {
				fail(step, "Get", h, fmt.Sprint(got, ok), err)
			}
		case 3:
			h := operand()
			err := tb.AddRef(h)
			e, want := m.live(h)
			if want == nil && e.refs == MaxRefs {
				want = ErrOverflow
			}
			if !errors.Is(err, want) || (want == nil && err != nil) {
				fail(step, "AddRef", h, err, want)
			}
			if err == nil {
				e.refs++
			}
		case 4:
			h := operand()
			got, err := tb.Pin(h)
			e, want := m.live(h)
			if want == nil && e.pins == MaxPins {
				want = ErrOverflow
			}
			if !errors.Is(err, want) || (want == nil && (err != nil || got != e.v)) {
				fail(step, "Pin", h, err, want)
			}
			if err == nil {
				e.pins++
			}
		case 5:
			h := operand()
			e, err := m.live(h)
			if err == nil && e.pins == 0 && m.busy(h) {
				// Unpin of a parent the caller never pinned while one of
				// its children is pinned takes the child's pin on it (see
				// Unpin's doc); the model does not track whose pin is
				// whose, and TestUnmatchedUnpinNeverCorrupts covers it.
				continue
			}
			tb.Unpin(h)
			if err == nil && e.pins > 0 {
				e.pins--
			}
		case 6:
			h := operand()
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
		if step%8 == 0 {
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
