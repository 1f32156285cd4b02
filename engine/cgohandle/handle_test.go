package cgohandle

import (
	"fmt"
	"sync"
	"testing"

	"github.com/hprov/hprov/engine"
)

// panicValue runs f and returns what it panicked with, or nil.
func panicValue(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

func wantPanic(t *testing.T, what string, want string, f func()) {
	t.Helper()
	if got := panicValue(f); got != want {
		t.Errorf("%s: panicked with %#v, want %#v", what, got, want)
	}
}

// requireDead checks every way a caller can observe that h is not a live
// handle of tb, and that none of them disturbs live, a handle that is.
func requireDead(t *testing.T, tb *engine.AnyTable, h, live Handle, liveValue any) {
	t.Helper()
	if v, ok := tryValueIn(tb, h); ok {
		t.Fatalf("TryValue(%#x) = %v, true; want false", h, v)
	}
	wantPanic(t, fmt.Sprintf("Value(%#x)", h), msgInvalid, func() { valueIn(tb, h) })
	wantPanic(t, fmt.Sprintf("Delete(%#x)", h), msgInvalid, func() { deleteIn(tb, h) })
	if live != 0 {
		if v, ok := tryValueIn(tb, live); !ok || v != liveValue {
			t.Fatalf("after misusing %#x, live handle %#x: TryValue = %v, %v; want %v, true", h, live, v, ok, liveValue)
		}
	}
}

// With room for one handle, every New after the first must reuse the same
// slot, so each handle issued below is a stale handle to the slot that now
// holds a newer value.
func TestDeletedHandleNeverValidatesAfterReuse(t *testing.T) {
	tb := engine.NewAny(engine.WithMaxHandles(1))
	var old []Handle
	for i := range 200 {
		h := newIn(tb, i)
		if got := valueIn(tb, h); got != i {
			t.Fatalf("round %d: Value = %v, want %d", i, got, i)
		}
		for _, o := range old {
			if o == h {
				t.Fatalf("round %d: handle %#x issued twice", i, h)
			}
			requireDead(t, tb, o, h, i)
		}
		deleteIn(tb, h)
		requireDead(t, tb, h, 0, nil)
		old = append(old, h)
	}
	if n := tb.Len(); n != 0 {
		t.Errorf("Len = %d after deleting every handle, want 0", n)
	}
}

// The same through the package-level table, where the slots a churn reuses
// are chosen by the engine.
func TestDeletedHandleNeverValidatesPackageTable(t *testing.T) {
	live := New("live")
	defer live.Delete()
	var old []Handle
	seen := map[Handle]bool{}
	for i := range 2000 {
		h := New(i)
		if seen[h] {
			t.Fatalf("round %d: handle %#x issued twice", i, h)
		}
		seen[h] = true
		h.Delete()
		old = append(old, h)
	}
	for _, h := range old {
		requireDead(t, table, h, live, "live")
	}
}

func TestNewPanicsWhenTableIsFull(t *testing.T) {
	const max = 4
	tb := engine.NewAny(engine.WithMaxHandles(max))
	var hs []Handle
	for i := range max {
		hs = append(hs, newIn(tb, i))
	}
	wantPanic(t, "New on a full table", msgFull, func() { newIn(tb, "one too many") })
	// The failed New took nothing: everything still works, and deleting
	// one handle makes room for exactly one more.
	for i, h := range hs {
		if got := valueIn(tb, h); got != i {
			t.Errorf("Value(hs[%d]) = %v after the failed New, want %d", i, got, i)
		}
	}
	deleteIn(tb, hs[0])
	h := newIn(tb, "fits")
	if got := valueIn(tb, h); got != "fits" {
		t.Errorf("Value = %v, want fits", got)
	}
	wantPanic(t, "New on a full table", msgFull, func() { newIn(tb, "one too many") })
	requireDead(t, tb, hs[0], h, "fits")
}

// A slot whose generation is about to wrap is retired, not reused: with one
// slot and little generation headroom the table runs out of handle space after
// a few rounds instead of ever issuing an old handle value again.
func TestRetiredSlotRunsOutOfHandleSpace(t *testing.T) {
	const headroom = 5
	tb := engine.NewAny(engine.WithMaxHandles(1), engine.WithGenerationHeadroom(headroom))
	var old []Handle
	for i := 0; ; i++ {
		if i > 10*headroom {
			t.Fatalf("still issuing handles after %d rounds with a generation headroom of %d", i, headroom)
		}
		var h Handle
		if r := panicValue(func() { h = newIn(tb, i) }); r != nil {
			if r != msgFull {
				t.Fatalf("round %d: New panicked with %#v, want %#v", i, r, msgFull)
			}
			if i == 0 {
				t.Fatal("the first New already ran out of handle space")
			}
			break
		}
		for _, o := range old {
			if o == h {
				t.Fatalf("round %d: handle %#x issued twice", i, h)
			}
		}
		deleteIn(tb, h)
		old = append(old, h)
	}
	for _, o := range old {
		requireDead(t, tb, o, 0, nil)
	}
}

func TestTryValue(t *testing.T) {
	p := &struct{ n int }{1}
	h := New(p)
	if v, ok := TryValue(h); !ok || v != p {
		t.Errorf("TryValue(live) = %v, %v; want %p, true", v, ok, p)
	}
	hnil := New(nil)
	if v, ok := TryValue(hnil); !ok || v != nil {
		t.Errorf("TryValue(handle of nil) = %v, %v; want nil, true", v, ok)
	}
	hnil.Delete()
	h.Delete()
	for _, bad := range []Handle{0, h, hnil, ^Handle(0), h ^ forgeTagBit, h ^ forgeGenBit} {
		if v, ok := TryValue(bad); ok || v != nil {
			t.Errorf("TryValue(%#x) = %v, %v; want nil, false", bad, v, ok)
		}
	}
}

// Goroutines create and delete handles while others look up handles that
// may be stale by then. A lookup may fail, but if it succeeds it must return
// the value that handle was created for, never the value of a later handle
// that reuses the slot.
func TestConcurrentStaleLookupsNeverSeeNewValues(t *testing.T) {
	type issuedHandle struct {
		h Handle
		v int
	}
	const (
		writers = 4
		rounds  = 5000
	)
	ch := make(chan issuedHandle, 64)
	var stale, fresh int
	var wg, readers sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range rounds {
				v := w*rounds + i
				h := New(v)
				select {
				case ch <- issuedHandle{h, v}:
				default:
				}
				if got := h.Value(); got != v {
					t.Errorf("Value of own live handle = %v, want %d", got, v)
					return
				}
				h.Delete()
			}
		})
	}
	readers.Go(func() {
		for ih := range ch {
			// Look the handle up several times while its writer
			// deletes it and reuses the slot.
			for range 8 {
				v, ok := TryValue(ih.h)
				if !ok {
					stale++
					continue
				}
				fresh++
				if v != ih.v {
					t.Errorf("TryValue(%#x) = %v, want %d or a failure", ih.h, v, ih.v)
					return
				}
			}
		}
	})
	wg.Wait()
	close(ch)
	readers.Wait()
	t.Logf("lookups: %d of a live handle, %d of a stale one", fresh, stale)
	if stale == 0 {
		t.Log("no lookup hit a stale handle; the race this test looks for did not happen this run")
	}
}

// Every handle a test creates is deleted again, so the package table ends
// as it started.
func TestNewDeleteLeavesTableEmpty(t *testing.T) {
	before := table.Len()
	var hs []Handle
	for i := range 1000 {
		hs = append(hs, New(i))
	}
	if got := table.Len(); got != before+1000 {
		t.Errorf("Len = %d with 1000 more handles, want %d", got, before+1000)
	}
	for _, h := range hs {
		h.Delete()
	}
	if got := table.Len(); got != before {
		t.Errorf("Len = %d after deleting them, want %d", got, before)
	}
}

func ExampleHandle() {
	h := New("hello, C")
	// h is an integer: C code can keep it and pass it back to Go.
	fmt.Println(h.Value())
	h.Delete()
	_, ok := TryValue(h)
	fmt.Println(ok)
	// Output:
	// hello, C
	// false
}
