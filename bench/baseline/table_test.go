package baseline

import (
	"errors"
	"strings"
	"testing"

	"github.com/hprov/hprov/engine"
)

type obj struct{ id int }

// refCounter is the one operation the baselines share with the engine beyond
// Table.
type refCounter interface{ AddRef(h uint64) error }

// forEach runs f as a subtest against a new table of every implementation.
func forEach(t *testing.T, f func(t *testing.T, tab Table[obj])) {
	t.Helper()
	for _, impl := range Impls {
		t.Run(impl, func(t *testing.T) {
			tab, err := New[obj](impl)
			if err != nil {
				t.Fatal(err)
			}
			f(t, tab)
		})
	}
}

func mustInsert(t *testing.T, tab Table[obj], v *obj) uint64 {
	t.Helper()
	h, err := tab.Insert(v)
	if err != nil || h == 0 {
		t.Fatalf("Insert = %#x, %v", h, err)
	}
	return h
}

func mustChild(t *testing.T, tab Table[obj], parent uint64, v *obj) uint64 {
	t.Helper()
	h, err := tab.InsertChild(parent, v)
	if err != nil || h == 0 {
		t.Fatalf("InsertChild(%#x) = %#x, %v", parent, h, err)
	}
	return h
}

func wantRelease(t *testing.T, tab Table[obj], h uint64, wantFreed bool, wantErr error) {
	t.Helper()
	freed, err := tab.Release(h)
	if freed != wantFreed || !errors.Is(err, wantErr) || (wantErr == nil && err != nil) {
		t.Fatalf("Release(%#x) = %v, %v; want %v, %v", h, freed, err, wantFreed, wantErr)
	}
}

func wantGet(t *testing.T, tab Table[obj], h uint64, want *obj) {
	t.Helper()
	v, ok := tab.Get(h)
	if v != want || ok != (want != nil) {
		t.Fatalf("Get(%#x) = %p, %v; want %p", h, v, ok, want)
	}
}

func wantPinErr(t *testing.T, tab Table[obj], h uint64, wantErr error) {
	t.Helper()
	v, err := tab.Pin(h)
	if !errors.Is(err, wantErr) || v != nil {
		t.Fatalf("Pin(%#x) = %p, %v; want nil, %v", h, v, err, wantErr)
	}
}

func wantLen(t *testing.T, tab Table[obj], n int) {
	t.Helper()
	if got := tab.Len(); got != n {
		t.Fatalf("Len = %d, want %d", got, n)
	}
}

func TestNewUnknown(t *testing.T) {
	_, err := New[obj]("bogus")
	if err == nil {
		t.Fatal("New(bogus) succeeded")
	}
	for _, impl := range Impls {
		if !strings.Contains(err.Error(), impl) {
			t.Errorf("error %q does not list %q", err, impl)
		}
	}
}

func TestSemantics(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, tab Table[obj])
	}{
		{"InsertGetRelease", func(t *testing.T, tab Table[obj]) {
			a, b := &obj{1}, &obj{2}
			ha, hb := mustInsert(t, tab, a), mustInsert(t, tab, b)
			if ha == hb {
				t.Fatalf("two inserts returned the same handle %#x", ha)
			}
			wantGet(t, tab, ha, a)
			wantGet(t, tab, hb, b)
			wantLen(t, tab, 2)
			wantRelease(t, tab, ha, true, nil)
			wantGet(t, tab, ha, nil)
			wantGet(t, tab, hb, b)
			wantLen(t, tab, 1)
		}},
		{"Stale", func(t *testing.T, tab Table[obj]) {
			h := mustInsert(t, tab, &obj{})
			wantRelease(t, tab, h, true, nil)
			wantRelease(t, tab, h, false, engine.ErrStale)
			wantPinErr(t, tab, h, engine.ErrStale)
			if _, err := tab.InsertChild(h, &obj{}); !errors.Is(err, engine.ErrStale) {
				t.Fatalf("InsertChild(stale) = %v", err)
			}
			tab.Unpin(h) // no-op, must not panic
			wantLen(t, tab, 0)
		}},
		{"ReuseNeverAliases", func(t *testing.T, tab Table[obj]) {
			// Tables that reuse slots must still reject the old handles.
			var old []uint64
			for i := range 100 {
				h := mustInsert(t, tab, &obj{i})
				wantRelease(t, tab, h, true, nil)
				old = append(old, h)
			}
			v := &obj{-1}
			h := mustInsert(t, tab, v)
			for _, o := range old {
				if o == h {
					t.Fatalf("handle %#x issued twice", h)
				}
				wantGet(t, tab, o, nil)
				wantRelease(t, tab, o, false, engine.ErrStale)
			}
			wantGet(t, tab, h, v)
		}},
		{"Zero", func(t *testing.T, tab Table[obj]) {
			wantGet(t, tab, 0, nil)
			wantRelease(t, tab, 0, false, engine.ErrInvalidHandle)
			wantPinErr(t, tab, 0, engine.ErrInvalidHandle)
			if _, err := tab.InsertChild(0, &obj{}); !errors.Is(err, engine.ErrInvalidHandle) {
				t.Fatalf("InsertChild(0) = %v", err)
			}
			tab.Unpin(0)
		}},
		{"RefCount", func(t *testing.T, tab Table[obj]) {
			v := &obj{}
			h := mustInsert(t, tab, v)
			if err := tab.(refCounter).AddRef(h); err != nil {
				t.Fatal(err)
			}
			wantRelease(t, tab, h, false, nil)
			wantGet(t, tab, h, v)
			wantRelease(t, tab, h, true, nil)
			if err := tab.(refCounter).AddRef(h); !errors.Is(err, engine.ErrStale) {
				t.Fatalf("AddRef(stale) = %v", err)
			}
		}},
		{"RefOverflow", func(t *testing.T, tab Table[obj]) {
			h := mustInsert(t, tab, &obj{})
			for range maxRefs - 1 {
				if err := tab.(refCounter).AddRef(h); err != nil {
					t.Fatal(err)
				}
			}
			if err := tab.(refCounter).AddRef(h); !errors.Is(err, engine.ErrOverflow) {
				t.Fatalf("AddRef at the limit = %v", err)
			}
			for range maxRefs - 1 {
				wantRelease(t, tab, h, false, nil)
			}
			wantRelease(t, tab, h, true, nil)
		}},
		{"Busy", func(t *testing.T, tab Table[obj]) {
			v := &obj{}
			h := mustInsert(t, tab, v)
			if got, err := tab.Pin(h); got != v || err != nil {
				t.Fatalf("Pin = %p, %v", got, err)
			}
			wantRelease(t, tab, h, false, engine.ErrBusy)
			wantGet(t, tab, h, v) // ErrBusy changed nothing
			tab.Unpin(h)
			tab.Unpin(h) // not pinned any more: no-op
			wantRelease(t, tab, h, true, nil)
		}},
		{"BusyOnlyAtLastRelease", func(t *testing.T, tab Table[obj]) {
			h := mustInsert(t, tab, &obj{})
			if err := tab.(refCounter).AddRef(h); err != nil {
				t.Fatal(err)
			}
			if _, err := tab.Pin(h); err != nil {
				t.Fatal(err)
			}
			wantRelease(t, tab, h, false, nil) // 2 -> 1 while pinned is fine
			wantRelease(t, tab, h, false, engine.ErrBusy)
			tab.Unpin(h)
			wantRelease(t, tab, h, true, nil)
		}},
		{"PinOverflow", func(t *testing.T, tab Table[obj]) {
			h := mustInsert(t, tab, &obj{})
			for range maxPins {
				if _, err := tab.Pin(h); err != nil {
					t.Fatal(err)
				}
			}
			wantPinErr(t, tab, h, engine.ErrOverflow)
			for range maxPins {
				tab.Unpin(h)
			}
			wantRelease(t, tab, h, true, nil)
		}},
		{"ChildrenDieWithParent", func(t *testing.T, tab Table[obj]) {
			p := mustInsert(t, tab, &obj{})
			kids := make([]uint64, 100)
			vals := make([]obj, len(kids))
			for i := range kids {
				kids[i] = mustChild(t, tab, p, &vals[i])
			}
			other := mustInsert(t, tab, &obj{})
			wantGet(t, tab, kids[42], &vals[42])
			wantLen(t, tab, 102)
			wantRelease(t, tab, p, true, nil)
			for _, c := range kids {
				wantGet(t, tab, c, nil)
				wantPinErr(t, tab, c, engine.ErrStale)
				wantRelease(t, tab, c, false, engine.ErrStale)
			}
			wantLen(t, tab, 1)
			wantRelease(t, tab, other, true, nil)
		}},
		{"ChildReleasedAlone", func(t *testing.T, tab Table[obj]) {
			p := mustInsert(t, tab, &obj{})
			vals := make([]obj, 6)
			kids := make([]uint64, len(vals))
			for i := range kids {
				kids[i] = mustChild(t, tab, p, &vals[i])
			}
			// Middle, last, first: every position of a swap-remove.
			for _, i := range []int{2, 5, 0} {
				wantRelease(t, tab, kids[i], true, nil)
				wantGet(t, tab, kids[i], nil)
			}
			for _, i := range []int{1, 3, 4} {
				wantGet(t, tab, kids[i], &vals[i])
			}
			wantLen(t, tab, 4)
			c := mustChild(t, tab, p, &vals[0])
			wantRelease(t, tab, p, true, nil)
			for _, h := range append(kids, c) {
				wantGet(t, tab, h, nil)
			}
			wantLen(t, tab, 0)
		}},
		{"PinnedChildMakesParentBusy", func(t *testing.T, tab Table[obj]) {
			pv, cv := &obj{1}, &obj{2}
			p := mustInsert(t, tab, pv)
			c := mustChild(t, tab, p, cv)
			if got, err := tab.Pin(c); got != cv || err != nil {
				t.Fatalf("Pin(child) = %p, %v", got, err)
			}
			wantRelease(t, tab, p, false, engine.ErrBusy)
			wantRelease(t, tab, c, false, engine.ErrBusy)
			wantGet(t, tab, p, pv)
			wantGet(t, tab, c, cv)
			tab.Unpin(c)
			wantRelease(t, tab, p, true, nil)
			wantGet(t, tab, c, nil)
		}},
		{"UnpinChildNotPinned", func(t *testing.T, tab Table[obj]) {
			// Unpin of an unpinned child must not take the parent's pin.
			p := mustInsert(t, tab, &obj{})
			c := mustChild(t, tab, p, &obj{})
			if _, err := tab.Pin(p); err != nil {
				t.Fatal(err)
			}
			tab.Unpin(c)
			wantRelease(t, tab, p, false, engine.ErrBusy)
			tab.Unpin(p)
			wantRelease(t, tab, p, true, nil)
		}},
		{"NoGrandchildren", func(t *testing.T, tab Table[obj]) {
			p := mustInsert(t, tab, &obj{})
			c := mustChild(t, tab, p, &obj{})
			if _, err := tab.InsertChild(c, &obj{}); !errors.Is(err, engine.ErrInvalidHandle) {
				t.Fatalf("InsertChild(child) = %v, want ErrInvalidHandle", err)
			}
			wantLen(t, tab, 2)
			wantRelease(t, tab, p, true, nil)
		}},
		{"ChildRefCount", func(t *testing.T, tab Table[obj]) {
			p := mustInsert(t, tab, &obj{})
			cv := &obj{}
			c := mustChild(t, tab, p, cv)
			if err := tab.(refCounter).AddRef(c); err != nil {
				t.Fatal(err)
			}
			wantRelease(t, tab, c, false, nil)
			wantGet(t, tab, c, cv)
			wantRelease(t, tab, p, true, nil) // the child's remaining reference dies too
			wantGet(t, tab, c, nil)
			if err := tab.(refCounter).AddRef(c); !errors.Is(err, engine.ErrStale) {
				t.Fatalf("AddRef(orphan) = %v", err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { forEach(t, tc.run) })
	}
}

// Handles a table never issued are invalid, not stale. How to forge one
// depends on the design.
func TestNeverIssued(t *testing.T) {
	t.Run("syncmap", func(t *testing.T) {
		tab := NewSyncMap[obj]()
		h := mustInsert(t, tab, &obj{})
		wantRelease(t, tab, h+1, false, engine.ErrInvalidHandle)
	})
	t.Run("xsync", func(t *testing.T) {
		tab := NewXSync[obj]()
		h := mustInsert(t, tab, &obj{})
		wantPinErr(t, tab, h+1, engine.ErrInvalidHandle)
	})
	t.Run("mutex", func(t *testing.T) {
		tab := NewMutex[obj]()
		h := mustInsert(t, tab, &obj{})
		wantRelease(t, tab, h+1<<32, false, engine.ErrInvalidHandle) // next generation
		wantRelease(t, tab, h+1, false, engine.ErrInvalidHandle)     // next index
		wantRelease(t, tab, h, true, nil)
		wantRelease(t, tab, h+1<<32, false, engine.ErrInvalidHandle) // free slot, not issued yet
		wantRelease(t, tab, h, false, engine.ErrStale)
	})
	t.Run("hprov", func(t *testing.T) {
		tab := NewHprov[obj]()
		h := mustInsert(t, tab, &obj{})
		wantRelease(t, tab, h+1<<24, false, engine.ErrInvalidHandle) // next generation
		wantRelease(t, tab, h, true, nil)
	})
}

// A slot whose generations are used up is retired, never reused.
func TestMutexRetiresSlot(t *testing.T) {
	tab := NewMutex[obj]()
	h := mustInsert(t, tab, &obj{})
	wantRelease(t, tab, h, true, nil)
	tab.slots[0].gen = retiredGen - 1 // as if the slot had been reused 2^32-2 times
	last := mustInsert(t, tab, &obj{})
	if uint32(last) != 1 {
		t.Fatalf("slot 0 not reused: %#x", last)
	}
	wantRelease(t, tab, last, true, nil)
	next := mustInsert(t, tab, &obj{})
	if uint32(next) == 1 {
		t.Fatalf("retired slot 0 reused: %#x", next)
	}
	wantRelease(t, tab, last, false, engine.ErrStale)
}
