package engine

import (
	"errors"
	"math/rand/v2"
	"testing"
)

type obj struct{ id int }

func mustInsert(t *testing.T, tb *Table[obj], v *obj) Handle {
	t.Helper()
	h, err := tb.Insert(v)
	if err != nil {
		t.Fatalf("Insert: %v", err)
	}
	return h
}

func mustChild(t *testing.T, tb *Table[obj], p Handle, v *obj) Handle {
	t.Helper()
	h, err := tb.InsertChild(p, v)
	if err != nil {
		t.Fatalf("InsertChild: %v", err)
	}
	return h
}

// checkDead asserts that every operation on h reports want.
func checkDead(t *testing.T, tb *Table[obj], h Handle, want error) {
	t.Helper()
	if v, ok := tb.Get(h); ok {
		t.Errorf("Get(%v) = %v, true; want false", h, v)
	}
	if _, err := tb.Pin(h); !errors.Is(err, want) {
		t.Errorf("Pin(%v) = %v; want %v", h, err, want)
	}
	if err := tb.AddRef(h); !errors.Is(err, want) {
		t.Errorf("AddRef(%v) = %v; want %v", h, err, want)
	}
	if freed, err := tb.Release(h); freed || !errors.Is(err, want) {
		t.Errorf("Release(%v) = %v, %v; want false, %v", h, freed, err, want)
	}
	if _, err := tb.InsertChild(h, &obj{}); !errors.Is(err, want) {
		t.Errorf("InsertChild(%v) = %v; want %v", h, err, want)
	}
	tb.Unpin(h) // must be a harmless no-op
}

func TestInsertGetRelease(t *testing.T) {
	tb := New[obj]()
	a, b := &obj{1}, &obj{2}
	ha, hb := mustInsert(t, tb, a), mustInsert(t, tb, b)
	if ha == 0 || hb == 0 || ha == hb {
		t.Fatalf("handles %v %v: want distinct and non-zero", ha, hb)
	}
	if v, ok := tb.Get(ha); !ok || v != a {
		t.Fatalf("Get(a) = %v, %v", v, ok)
	}
	if v, ok := tb.Get(hb); !ok || v != b {
		t.Fatalf("Get(b) = %v, %v", v, ok)
	}
	if n := tb.Len(); n != 2 {
		t.Fatalf("Len = %d, want 2", n)
	}
	if freed, err := tb.Release(ha); !freed || err != nil {
		t.Fatalf("Release(a) = %v, %v; want true, nil", freed, err)
	}
	checkDead(t, tb, ha, ErrStale)
	if v, ok := tb.Get(hb); !ok || v != b {
		t.Fatalf("Get(b) after releasing a = %v, %v", v, ok)
	}
	if _, err := tb.Release(hb); err != nil {
		t.Fatal(err)
	}
	if n := tb.Len(); n != 0 {
		t.Fatalf("Len = %d, want 0", n)
	}
}

func TestRefCount(t *testing.T) {
	tb := New[obj]()
	h := mustInsert(t, tb, &obj{})
	for range 3 {
		if err := tb.AddRef(h); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		if freed, err := tb.Release(h); freed || err != nil {
			t.Fatalf("Release %d = %v, %v; want false, nil", i, freed, err)
		}
		if _, ok := tb.Get(h); !ok {
			t.Fatalf("handle dead after %d of 4 releases", i+1)
		}
	}
	if freed, err := tb.Release(h); !freed || err != nil {
		t.Fatalf("last Release = %v, %v; want true, nil", freed, err)
	}
	checkDead(t, tb, h, ErrStale)
}

func TestStaleAfterReuse(t *testing.T) {
	tb := New[obj](WithShards(1))
	old := mustInsert(t, tb, &obj{1})
	if _, err := tb.Release(old); err != nil {
		t.Fatal(err)
	}
	// Reuse the slot many times; the old handle must stay stale and must
	// never reach any of the new objects.
	for i := range 10000 {
		v := &obj{i}
		h := mustInsert(t, tb, v)
		if h == old {
			t.Fatalf("handle %v issued twice", h)
		}
		if got, ok := tb.Get(old); ok {
			t.Fatalf("stale handle reached %v", got)
		}
		if _, err := tb.Release(h); err != nil {
			t.Fatal(err)
		}
	}
	checkDead(t, tb, old, ErrStale)
}

func TestInvalidHandles(t *testing.T) {
	tb := New[obj]()
	other := New[obj]()
	h := mustInsert(t, tb, &obj{})
	foreign := mustInsert(t, other, &obj{})
	cases := map[string]Handle{
		"zero":         0,
		"foreign":      foreign,
		"index range":  Handle(tb.tag<<tagShift | uint64(h)&(0xffffffff<<genShift) | idxMask),
		"future gen":   h + 1<<genShift,
		"all ones":     ^Handle(0),
		"tag only":     Handle(tb.tag << tagShift),
		"wrong tag":    h ^ 1<<tagShift,
		"unissued gen": Handle(tb.tag<<tagShift | 1),
	}
	if other.tag == tb.tag {
		delete(cases, "foreign") // covered by TestForeignTableSameTag
	}
	for name, bad := range cases {
		t.Run(name, func(t *testing.T) { checkDead(t, tb, bad, ErrInvalidHandle) })
	}
	if v, ok := tb.Get(h); !ok || v == nil {
		t.Fatal("bad handles disturbed a live one")
	}
}

func TestCorruptedHandle(t *testing.T) {
	tb := New[obj]()
	var hs []Handle
	for range 100 {
		hs = append(hs, mustInsert(t, tb, &obj{}))
	}
	for _, h := range hs {
		for bit := range 64 {
			bad := h ^ 1<<bit
			if _, ok := tb.Get(bad); ok {
				t.Fatalf("handle %v with bit %d flipped (%v) validated", h, bit, bad)
			}
			if _, err := tb.Pin(bad); !errors.Is(err, ErrInvalidHandle) {
				t.Fatalf("Pin(%v, bit %d flipped) = %v; want ErrInvalidHandle", bad, bit, err)
			}
		}
	}
}

// A foreign table whose tag collides must still be rejected: every slot starts
// at a seeded pseudo-random generation.
func TestForeignTableSameTag(t *testing.T) {
	a, b := New[obj](), New[obj]()
	b.tag = a.tag
	for range 1000 {
		h := mustInsert(t, b, &obj{})
		if _, ok := a.Get(h); ok {
			t.Fatalf("handle %v of another table validated", h)
		}
	}
	for range 1000 {
		mustInsert(t, a, &obj{})
	}
	for range 1000 {
		h := mustInsert(t, b, &obj{})
		if _, ok := a.Get(h); ok {
			t.Fatalf("handle %v of another table validated", h)
		}
	}
}

func TestRandomNumbersRejected(t *testing.T) {
	tb := New[obj]()
	for range 1 << 12 {
		mustInsert(t, tb, &obj{})
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1 << 20 {
		h := Handle(r.Uint64())
		if _, ok := tb.Get(h); ok {
			t.Fatalf("random number %v validated", h)
		}
		// The same with the right tag: only the generation check remains.
		h = Handle(tb.tag<<tagShift | r.Uint64()&(1<<tagShift-1)&^(idxMask^0xfff))
		if _, ok := tb.Get(h); ok {
			t.Fatalf("forged handle %v with a valid tag validated", h)
		}
	}
}

func TestBusy(t *testing.T) {
	tb := New[obj]()
	v := &obj{7}
	h := mustInsert(t, tb, v)
	if got, err := tb.Pin(h); err != nil || got != v {
		t.Fatalf("Pin = %v, %v", got, err)
	}
	if freed, err := tb.Release(h); freed || !errors.Is(err, ErrBusy) {
		t.Fatalf("Release of pinned = %v, %v; want ErrBusy", freed, err)
	}
	// Nothing changed: still one reference, still live.
	if got, ok := tb.Get(h); !ok || got != v {
		t.Fatal("busy release changed the handle")
	}
	// A release that is not the last one succeeds while pinned.
	if err := tb.AddRef(h); err != nil {
		t.Fatal(err)
	}
	if freed, err := tb.Release(h); freed || err != nil {
		t.Fatalf("non-last Release while pinned = %v, %v", freed, err)
	}
	tb.Unpin(h)
	tb.Unpin(h) // not pinned any more: no-op
	if freed, err := tb.Release(h); !freed || err != nil {
		t.Fatalf("Release after Unpin = %v, %v", freed, err)
	}
}

func TestPinNests(t *testing.T) {
	tb := New[obj]()
	h := mustInsert(t, tb, &obj{})
	for range 3 {
		if _, err := tb.Pin(h); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		if _, err := tb.Release(h); !errors.Is(err, ErrBusy) {
			t.Fatalf("Release with %d pins = %v; want ErrBusy", 3-i, err)
		}
		tb.Unpin(h)
	}
	if freed, err := tb.Release(h); !freed || err != nil {
		t.Fatalf("Release = %v, %v", freed, err)
	}
}

func TestChildren(t *testing.T) {
	tb := New[obj]()
	p := mustInsert(t, tb, &obj{})
	var kids []Handle
	for i := range 100 {
		kids = append(kids, mustChild(t, tb, p, &obj{i}))
	}
	for i, k := range kids {
		if v, ok := tb.Get(k); !ok || v.id != i {
			t.Fatalf("Get(child %d) = %v, %v", i, v, ok)
		}
	}
	// Some children are released, one gets an extra reference, one is
	// released before the parent.
	if err := tb.AddRef(kids[1]); err != nil {
		t.Fatal(err)
	}
	if freed, err := tb.Release(kids[0]); !freed || err != nil {
		t.Fatalf("Release(child) = %v, %v", freed, err)
	}
	if n := tb.Len(); n != 100 {
		t.Fatalf("Len = %d, want 100", n)
	}
	if freed, err := tb.Release(p); !freed || err != nil {
		t.Fatalf("Release(parent) = %v, %v", freed, err)
	}
	for _, k := range kids {
		checkDead(t, tb, k, ErrStale)
	}
	if n := tb.Len(); n != 0 {
		t.Fatalf("Len after parent release = %d, want 0", n)
	}
	if n := tb.Reclaim(); n != 99 {
		t.Fatalf("Reclaim freed %d slots, want 99", n)
	}
	for _, k := range kids {
		checkDead(t, tb, k, ErrStale)
	}
}

func TestChildCannotHaveChildren(t *testing.T) {
	tb := New[obj]()
	p := mustInsert(t, tb, &obj{})
	c := mustChild(t, tb, p, &obj{})
	if _, err := tb.InsertChild(c, &obj{}); !errors.Is(err, ErrInvalidHandle) {
		t.Fatalf("InsertChild(child) = %v; want ErrInvalidHandle", err)
	}
}

func TestPinnedChildMakesParentBusy(t *testing.T) {
	tb := New[obj]()
	p := mustInsert(t, tb, &obj{})
	c := mustChild(t, tb, p, &obj{})
	if _, err := tb.Pin(c); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Release(p); !errors.Is(err, ErrBusy) {
		t.Fatalf("Release(parent) with pinned child = %v; want ErrBusy", err)
	}
	if _, ok := tb.Get(c); !ok {
		t.Fatal("busy parent release killed the child")
	}
	tb.Unpin(c)
	if freed, err := tb.Release(p); !freed || err != nil {
		t.Fatalf("Release(parent) = %v, %v", freed, err)
	}
	checkDead(t, tb, c, ErrStale)
}

// Orphans are reclaimed by later Inserts even without Reclaim: the table does
// not grow when parents with children come and go.
func TestOrphansReclaimedLazily(t *testing.T) {
	tb := New[obj](WithShards(1))
	x := &obj{}
	for range 2000 {
		p := mustInsert(t, tb, x)
		for range 10 {
			mustChild(t, tb, p, x)
		}
		if _, err := tb.Release(p); err != nil {
			t.Fatal(err)
		}
	}
	if n := tb.Len(); n != 0 {
		t.Fatalf("Len = %d, want 0", n)
	}
	// 22,000 handles were issued; without reclamation the table would hold
	// as many slots.
	if hwm := tb.hwm.Load(); hwm > 2000 {
		t.Fatalf("table grew to %d slots: orphans are not being reclaimed", hwm)
	}
	tb.Reclaim()
	if n := tb.Reclaim(); n != 0 {
		t.Fatalf("second Reclaim freed %d", n)
	}
}

func TestFull(t *testing.T) {
	for _, shards := range []int{0, 1, 4} {
		tb := New[obj](WithMaxHandles(10), WithShards(shards))
		var hs []Handle
		p := mustInsert(t, tb, &obj{})
		hs = append(hs, p)
		for range 4 {
			hs = append(hs, mustChild(t, tb, p, &obj{}))
		}
		for range 5 {
			hs = append(hs, mustInsert(t, tb, &obj{}))
		}
		if _, err := tb.Insert(&obj{}); !errors.Is(err, ErrFull) {
			t.Fatalf("shards=%d: Insert into full table = %v; want ErrFull", shards, err)
		}
		if _, err := tb.InsertChild(p, &obj{}); !errors.Is(err, ErrFull) {
			t.Fatalf("shards=%d: InsertChild into full table = %v; want ErrFull", shards, err)
		}
		if _, err := tb.Release(hs[9]); err != nil {
			t.Fatal(err)
		}
		mustInsert(t, tb, &obj{})
		if _, err := tb.Insert(&obj{}); !errors.Is(err, ErrFull) {
			t.Fatalf("Insert = %v; want ErrFull", err)
		}
		// Releasing the parent frees its four children too.
		if _, err := tb.Release(p); err != nil {
			t.Fatal(err)
		}
		for range 5 {
			mustInsert(t, tb, &obj{})
		}
		if n := tb.Len(); n != 10 {
			t.Fatalf("Len = %d, want 10", n)
		}
	}
}

func TestWraparoundRetiresSlot(t *testing.T) {
	const headroom = 5
	tb := New[obj](WithGenerationHeadroom(headroom), WithShards(1), WithMaxHandles(64))
	issued := map[Handle]bool{}
	idx := func(h Handle) uint32 { return uint32(h) & idxMask }
	first := mustInsert(t, tb, &obj{})
	slot0 := idx(first)
	h := first
	for i := 0; ; i++ {
		if issued[h] {
			t.Fatalf("handle %v issued twice", h)
		}
		issued[h] = true
		if _, err := tb.Release(h); err != nil {
			t.Fatal(err)
		}
		h = mustInsert(t, tb, &obj{i})
		if idx(h) != slot0 {
			break
		}
		if i > headroom {
			t.Fatalf("slot %d served more than %d generations", slot0, headroom)
		}
	}
	if len(issued) != headroom {
		t.Fatalf("slot served %d generations, want %d", len(issued), headroom)
	}
	// The retired slot answers stale for every generation it issued, and its
	// next generation (the wrap point) was never issued.
	for old := range issued {
		checkDead(t, tb, old, ErrStale)
	}
	st := tb.slotAt(slot0).state.Load()
	if st&liveBit != 0 || uint32(st>>32)-tb.base(slot0) != genSpan {
		t.Fatalf("slot state %#x: want retired at offset %d", st, uint64(genSpan))
	}
	// The retired slot counts against capacity and is never handed out again.
	if _, err := tb.Release(h); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		h := mustInsert(t, tb, &obj{})
		if idx(h) == slot0 {
			t.Fatal("retired slot reused")
		}
		if _, err := tb.Release(h); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOverflow(t *testing.T) {
	tb := New[obj]()
	h := mustInsert(t, tb, &obj{})
	for i := 1; i < MaxRefs; i++ {
		if err := tb.AddRef(h); err != nil {
			t.Fatalf("AddRef %d: %v", i, err)
		}
	}
	if err := tb.AddRef(h); !errors.Is(err, ErrOverflow) {
		t.Fatalf("AddRef beyond MaxRefs = %v; want ErrOverflow", err)
	}
	for i := 0; i < MaxPins; i++ {
		if _, err := tb.Pin(h); err != nil {
			t.Fatalf("Pin %d: %v", i, err)
		}
	}
	if _, err := tb.Pin(h); !errors.Is(err, ErrOverflow) {
		t.Fatalf("Pin beyond MaxPins = %v; want ErrOverflow", err)
	}
	if _, err := tb.InsertChild(h, &obj{}); !errors.Is(err, ErrOverflow) {
		t.Fatalf("InsertChild under a parent at MaxPins = %v; want ErrOverflow", err)
	}
	for range MaxPins {
		tb.Unpin(h)
	}
	for range MaxRefs - 1 {
		if freed, err := tb.Release(h); freed || err != nil {
			t.Fatal(freed, err)
		}
	}
	if freed, err := tb.Release(h); !freed || err != nil {
		t.Fatal(freed, err)
	}
}

func TestOptionsClamped(t *testing.T) {
	tb := New[obj](WithMaxHandles(-5), WithShards(-1), WithGenerationHeadroom(0))
	mustInsert(t, tb, &obj{})
	if _, err := tb.Insert(&obj{}); !errors.Is(err, ErrFull) {
		t.Fatalf("capacity clamped to 1: second Insert = %v", err)
	}
	big := New[obj](WithMaxHandles(1 << 40))
	if got := big.max; got != MaxHandles {
		t.Fatalf("max = %d, want %d", got, MaxHandles)
	}
}

func TestZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	tb := New[obj]()
	v := &obj{}
	h := mustInsert(t, tb, v)
	check := func(name string, f func()) {
		f() // warm up: pages and caches
		if n := testing.AllocsPerRun(1000, f); n != 0 {
			t.Errorf("%s: %v allocs/op, want 0", name, n)
		}
	}
	check("Insert+Release", func() {
		h, _ := tb.Insert(v)
		tb.Release(h)
	})
	check("Get", func() { tb.Get(h) })
	check("Pin+Unpin", func() {
		tb.Pin(h)
		tb.Unpin(h)
	})
	check("InsertChild+Release", func() {
		c, _ := tb.InsertChild(h, v)
		tb.Release(c)
	})
}
