package engine

import (
	"encoding/binary"
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
	c := newChecked(t, capacity, WithShards(shards), WithGenerationHeadroom(headroom))
	operand := func() Handle {
		switch sel := d.byte(); {
		case sel < 0xf0:
			if len(c.known) == 0 {
				return 0
			}
			return c.known[int(sel)%len(c.known)]
		case sel < 0xf8:
			if len(c.known) == 0 {
				return 0
			}
			return c.known[int(sel-0xf0)%len(c.known)] ^ 1<<(d.byte()%64)
		case sel == 0xf8:
			return 0
		case sel == 0xf9:
			return foreign
		default:
			return Handle(d.u64())
		}
	}
	for step := 0; d.more() && step < 256; step++ {
		switch d.byte() % 7 {
		case 0:
			d.byte() // operand selector, unused
			c.insert(step, false, 0)
		case 1:
			c.insert(step, true, operand())
		case 2:
			c.get(step, operand())
		case 3:
			c.addRef(step, operand())
		case 4:
			c.pin(step, operand())
		case 5:
			c.unpin(operand())
		case 6:
			c.release(step, operand())
		}
		if step%8 == 0 {
			c.checkLen(step)
		}
	}
	c.drain()
}
