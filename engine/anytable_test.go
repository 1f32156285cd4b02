package engine

import (
	"errors"
	"sync"
	"testing"
)

func TestAnyTableValues(t *testing.T) {
	tb := NewAny()
	type pair struct{ a, b int }
	p := &pair{1, 2}
	vals := []any{nil, 0, 42, "hello", pair{3, 4}, p, []int{5}, map[string]int{"x": 6}, error(nil), errors.New("e")}
	var hs []Handle
	for _, v := range vals {
		h, err := tb.Insert(v)
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
	for i, h := range hs {
		got, ok := tb.Get(h)
		if !ok {
			t.Fatalf("Get(%v) failed", h)
		}
		switch want := vals[i].(type) {
		case []int:
			if g, ok := got.([]int); !ok || &g[0] != &want[0] {
				t.Fatalf("Get = %#v, want %#v", got, want)
			}
		case map[string]int:
			if g, ok := got.(map[string]int); !ok || g["x"] != 6 {
				t.Fatalf("Get = %#v, want %#v", got, want)
			}
		default:
			if got != want {
				t.Fatalf("Get = %#v, want %#v", got, want)
			}
		}
		if v, err := tb.Pin(h); err != nil || v == nil && vals[i] != nil {
			t.Fatalf("Pin = %v, %v", v, err)
		}
		tb.Unpin(h)
	}
	if got, _ := tb.Get(hs[5]); got.(*pair) != p {
		t.Fatal("pointer value not returned as the same pointer")
	}
	c, err := tb.InsertChild(hs[1], "child")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := tb.Get(c); !ok || v != "child" {
		t.Fatalf("Get(child) = %v, %v", v, ok)
	}
	if err := tb.AddRef(hs[0]); err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		if _, err := tb.Release(h); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := tb.Get(c); ok {
		t.Fatal("child outlived its parent")
	}
	if n := tb.Len(); n != 1 { // hs[0] had two references
		t.Fatalf("Len = %d, want 1", n)
	}
	if v, ok := tb.Get(hs[1]); ok {
		t.Fatalf("released handle returned %v", v)
	}
}

// Inserting a pointer (or any value already in an interface) allocates
// nothing: both words go into the slot.
func TestAnyTableZeroAllocs(t *testing.T) {
	tb := NewAny()
	var v any = new(obj)
	allocs := testing.AllocsPerRun(1000, func() {
		h, err := tb.Insert(v)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := tb.Get(h); !ok || got != v {
			t.Fatal("Get failed")
		}
		if _, err := tb.Release(h); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("Insert+Get+Release of a pointer: %v allocs, want 0", allocs)
	}
}

// Goroutines cycle handles of their own values (of two types, so that a torn
// read of the two interface words would show as a wrong type or value) and
// probe every handle any goroutine has released: a stale handle must never
// return anything, and a live one only its own value.
func TestAnyTableStaleNeverSeesOthers(t *testing.T) {
	tb := NewAny()
	const workers, rounds = 4, 3000
	var mu sync.Mutex
	var stale []Handle
	var wg sync.WaitGroup
	errs := make(chan string, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				var v any = w*rounds + i
				if i%2 == 1 {
					v = &obj{w*rounds + i}
				}
				h, err := tb.Insert(v)
				if err != nil {
					errs <- err.Error()
					return
				}
				if got, ok := tb.Get(h); !ok || !sameValue(got, v) {
					errs <- "live handle returned another value"
					return
				}
				mu.Lock()
				probe := stale[max(0, len(stale)-8):]
				probe = append([]Handle(nil), probe...)
				mu.Unlock()
				for _, s := range probe {
					if got, ok := tb.Get(s); ok {
						errs <- "stale handle returned " + typeName(got)
						return
					}
				}
				if _, err := tb.Release(h); err != nil {
					errs <- err.Error()
					return
				}
				mu.Lock()
				stale = append(stale, h)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

func sameValue(got, want any) bool {
	if p, ok := want.(*obj); ok {
		q, ok := got.(*obj)
		return ok && q == p
	}
	return got == want
}

func typeName(v any) string {
	switch v.(type) {
	case int:
		return "an int"
	case *obj:
		return "a *obj"
	}
	return "something"
}
