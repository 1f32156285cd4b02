package engine

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// storm runs f on workers goroutines and waits for all of them.
func storm(workers int, f func(w int)) {
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(w)
		}()
	}
	wg.Wait()
}

func iterations(n int) int {
	if testing.Short() || raceEnabled {
		return n / 10
	}
	return n
}

func workers() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

// Private handles: every worker inserts, reads and releases its own; a read
// must always return the worker's own object.
func TestConcurrentPrivate(t *testing.T) {
	for _, shards := range []int{0, 1, runtime.GOMAXPROCS(0)} {
		t.Run(fmt.Sprint("shards=", shards), func(t *testing.T) {
			tb := New[obj](WithShards(shards))
			n := iterations(20000)
			var bad atomic.Int64
			storm(workers(), func(w int) {
				var mine []Handle
				for i := range n {
					v := &obj{w<<32 | i}
					h, err := tb.Insert(v)
					if err != nil {
						bad.Add(1)
						return
					}
					if got, ok := tb.Get(h); !ok || got != v {
						bad.Add(1)
					}
					mine = append(mine, h)
					if i%3 == 0 {
						h := mine[0]
						mine = mine[1:]
						if freed, err := tb.Release(h); !freed || err != nil {
							bad.Add(1)
						}
						if _, ok := tb.Get(h); ok {
							bad.Add(1)
						}
					}
				}
				for _, h := range mine {
					if _, err := tb.Release(h); err != nil {
						bad.Add(1)
					}
				}
			})
			if bad.Load() != 0 {
				t.Fatalf("%d wrong results", bad.Load())
			}
			if got := tb.Len(); got != 0 {
				t.Fatalf("Len = %d after the storm, want 0", got)
			}
		})
	}
}

// Shared handles: readers look up handles that writers release and reuse.
// A reader may see a handle dead, but never another object than the one the
// handle was issued for.
func TestConcurrentSharedNoAliasing(t *testing.T) {
	tb := New[obj]()
	const pool = 64
	type issued struct {
		h Handle
		v *obj
	}
	var shared [pool]atomic.Pointer[issued]
	for i := range shared {
		v := &obj{i}
		h, _ := tb.Insert(v)
		shared[i].Store(&issued{h, v})
	}
	n := iterations(50000)
	var aliased, oddErr, stale, hits atomic.Int64
	storm(workers(), func(w int) {
		for i := range n {
			k := (w*7919 + i) % pool
			cur := shared[k].Load()
			if w%2 == 0 {
				// Writer: replace the entry, releasing the old handle.
				v := &obj{w<<32 | i}
				h, err := tb.Insert(v)
				if err != nil {
					oddErr.Add(1)
					continue
				}
				old := h
				if shared[k].CompareAndSwap(cur, &issued{h, v}) {
					old = cur.h
				}
				// Readers may hold a pin for a moment: retry ErrBusy.
				for {
					_, err := tb.Release(old)
					if err == nil {
						break
					}
					if !errors.Is(err, ErrBusy) {
						oddErr.Add(1)
						break
					}
					runtime.Gosched()
				}
				continue
			}
			// Reader: Get, and Pin/Unpin, through a possibly stale handle.
			if got, ok := tb.Get(cur.h); ok {
				hits.Add(1)
				if got != cur.v {
					aliased.Add(1)
				}
			} else {
				stale.Add(1)
			}
			if got, err := tb.Pin(cur.h); err == nil {
				if got != cur.v {
					aliased.Add(1)
				}
				tb.Unpin(cur.h)
			} else if !errors.Is(err, ErrStale) {
				oddErr.Add(1)
			}
		}
	})
	if aliased.Load() != 0 || oddErr.Load() != 0 {
		t.Fatalf("%d reads reached the wrong object; %d unexpected errors", aliased.Load(), oddErr.Load())
	}
	t.Logf("reads: %d live, %d stale", hits.Load(), stale.Load())
	for i := range shared {
		if _, err := tb.Release(shared[i].Load().h); err != nil {
			t.Fatal(err)
		}
	}
	if got := tb.Len(); got != 0 {
		t.Fatalf("Len = %d, want 0", got)
	}
}

// Release racing Pin: pinners hold the handle while one goroutine tries the
// last release. The release either fails with ErrBusy and changes nothing,
// or succeeds, after which no Pin succeeds.
func TestConcurrentReleaseRacingPin(t *testing.T) {
	tb := New[obj]()
	rounds := iterations(2000)
	for round := range rounds {
		v := &obj{round}
		h, _ := tb.Insert(v)
		var released atomic.Bool
		var wrong atomic.Int64
		storm(4, func(w int) {
			if w == 0 {
				for {
					freed, err := tb.Release(h)
					if err == nil {
						if !freed {
							wrong.Add(1)
						}
						released.Store(true)
						return
					}
					if !errors.Is(err, ErrBusy) {
						wrong.Add(1)
						return
					}
					runtime.Gosched()
				}
			}
			for range 50 {
				got, err := tb.Pin(h)
				if err != nil {
					// The release may have succeeded without having set
					// the flag yet: only the kind of error is checked.
					if !errors.Is(err, ErrStale) {
						wrong.Add(1)
					}
					return
				}
				if got != v || released.Load() {
					wrong.Add(1) // pinned after a successful release
				}
				tb.Unpin(h)
			}
		})
		if wrong.Load() != 0 {
			t.Fatalf("round %d: %d wrong outcomes", round, wrong.Load())
		}
	}
	if got := tb.Len(); got != 0 {
		t.Fatalf("Len = %d, want 0", got)
	}
}

// Parent release racing child use: workers create, pin, read and release
// children while the parent is released. After the parent's release no child
// operation succeeds, and nothing leaks.
func TestConcurrentParentReleaseRacingChildren(t *testing.T) {
	tb := New[obj]()
	rounds := iterations(500)
	for round := range rounds {
		p, _ := tb.Insert(&obj{})
		var dead atomic.Bool
		var wrong atomic.Int64
		storm(4, func(w int) {
			if w == 0 {
				for {
					_, err := tb.Release(p)
					if err == nil {
						dead.Store(true)
						return
					}
					if !errors.Is(err, ErrBusy) {
						wrong.Add(1)
						return
					}
					runtime.Gosched()
				}
			}
			for i := 0; i < 100; i++ {
				v := &obj{i}
				c, err := tb.InsertChild(p, v)
				if err != nil {
					if !errors.Is(err, ErrStale) {
						wrong.Add(1)
					}
					return
				}
				got, err := tb.Pin(c)
				if err == nil {
					if got != v || dead.Load() {
						wrong.Add(1)
					}
					tb.Unpin(c)
				} else if !errors.Is(err, ErrStale) {
					wrong.Add(1)
				}
				if i%2 == 0 {
					if _, err := tb.Release(c); err != nil && !errors.Is(err, ErrStale) {
						wrong.Add(1)
					}
				}
			}
		})
		if wrong.Load() != 0 || !dead.Load() {
			t.Fatalf("round %d: %d wrong outcomes (parent released: %v)", round, wrong.Load(), dead.Load())
		}
		if got := tb.Len(); got != 0 {
			t.Fatalf("round %d: Len = %d after parent release, want 0", round, got)
		}
	}
	tb.Reclaim()
	if n := tb.Reclaim(); n != 0 {
		t.Fatalf("orphans left after Reclaim: %d", n)
	}
}

// AddRef racing the last Release: either AddRef wins (and the handle lives
// until one more Release) or it fails with ErrStale.
func TestConcurrentAddRefRacingRelease(t *testing.T) {
	tb := New[obj]()
	for range iterations(5000) {
		h, _ := tb.Insert(&obj{})
		var added atomic.Bool
		var wrong atomic.Int64
		storm(2, func(w int) {
			if w == 0 {
				if err := tb.AddRef(h); err == nil {
					added.Store(true)
				} else if !errors.Is(err, ErrStale) {
					wrong.Add(1)
				}
				return
			}
			if _, err := tb.Release(h); err != nil {
				wrong.Add(1)
			}
		})
		if wrong.Load() != 0 {
			t.Fatal("wrong outcome")
		}
		_, alive := tb.Get(h)
		if alive != added.Load() {
			t.Fatalf("alive=%v but AddRef succeeded=%v", alive, added.Load())
		}
		if alive {
			if freed, err := tb.Release(h); !freed || err != nil {
				t.Fatal(freed, err)
			}
		}
	}
	if got := tb.Len(); got != 0 {
		t.Fatalf("Len = %d", got)
	}
}

// Many goroutines growing the table at once: pages are added while readers
// validate handles on existing ones.
func TestConcurrentGrowth(t *testing.T) {
	tb := New[obj]()
	per := iterations(40000)
	hs := make([][]Handle, workers())
	storm(workers(), func(w int) {
		for i := range per {
			h, err := tb.Insert(&obj{i})
			if err != nil {
				t.Error(err)
				return
			}
			hs[w] = append(hs[w], h)
			if _, ok := tb.Get(hs[w][i/2]); !ok {
				t.Error("live handle rejected during growth")
				return
			}
		}
	})
	if got, want := tb.Len(), workers()*per; got != want {
		t.Fatalf("Len = %d, want %d", got, want)
	}
	storm(workers(), func(w int) {
		for _, h := range hs[w] {
			if _, err := tb.Release(h); err != nil {
				t.Error(err)
				return
			}
		}
	})
	if got := tb.Len(); got != 0 {
		t.Fatalf("Len = %d", got)
	}
}
