package engine

import "testing"

// An Unpin with no matching Pin takes a pin someone else holds (here the one
// a pinned child holds on its parent), so the parent's Release no longer
// waits. What must not happen is damage to the table: the freed parent slot
// must not be decremented again when the child is unpinned, no handle may
// reach another's object, and everything drains.
func TestUnmatchedUnpinNeverCorrupts(t *testing.T) {
	for _, shards := range []int{0, 1} {
		tb := New[obj](WithShards(shards))
		p := mustInsert(t, tb, &obj{1})
		c := mustChild(t, tb, p, &obj{2})
		if _, err := tb.Pin(c); err != nil {
			t.Fatal(err)
		}
		ps, _, _, _ := tb.lookup(p)
		tb.Unpin(p) // misuse: p was never pinned
		if freed, err := tb.Release(p); !freed || err != nil {
			t.Fatalf("Release(parent) = %v, %v; the stolen pin no longer protects it", freed, err)
		}
		freeState := ps.state.Load()
		tb.Unpin(c) // must not touch the freed parent slot
		if got := ps.state.Load(); got != freeState {
			t.Fatalf("Unpin(child) changed the freed parent slot: %#x -> %#x", freeState, got)
		}
		checkDead(t, tb, p, ErrStale)
		checkDead(t, tb, c, ErrStale)
		var hs []Handle
		var vs []*obj
		seen := map[uint32]bool{}
		for i := range 200 {
			v := &obj{100 + i}
			h := mustInsert(t, tb, v)
			if seen[uint32(h)&idxMask] {
				t.Fatalf("slot %d handed out twice", uint32(h)&idxMask)
			}
			seen[uint32(h)&idxMask] = true
			hs, vs = append(hs, h), append(vs, v)
		}
		for i, h := range hs {
			if got, ok := tb.Get(h); !ok || got != vs[i] {
				t.Fatalf("Get(%v) = %v, %v; want its own object", h, got, ok)
			}
			if _, err := tb.Release(h); err != nil {
				t.Fatal(err)
			}
		}
		tb.Reclaim()
		if n := tb.Len(); n != 0 {
			t.Fatalf("Len = %d after draining", n)
		}
	}
}
