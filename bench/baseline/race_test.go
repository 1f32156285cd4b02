package baseline

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hprov/hprov/engine"
)

// TestConcurrent hammers every implementation from several goroutines; run it
// with -race. Each worker checks what it can know for sure about its own
// handles, and the shared-parent part checks that a parent's last Release,
// racing with InsertChild, leaves no child of it alive.
func TestConcurrent(t *testing.T) {
	const workers = 4
	rounds := 2000
	if testing.Short() {
		rounds = 200
	}
	forEach(t, func(t *testing.T, tab Table[obj]) {
		var wg sync.WaitGroup
		errc := make(chan error, workers*4)
		fail := func(err error) {
			select {
			case errc <- err:
			default:
			}
		}

		// Private handles: insert, read, pin, release, then check staleness.
		for range workers {
			wg.Go(func() {
				vals := make([]obj, 8)
				for r := range rounds {
					p := &vals[r%len(vals)]
					h, err := tab.Insert(p)
					if err != nil {
						fail(err)
						return
					}
					c, err := tab.InsertChild(h, p)
					if err != nil {
						fail(err)
						return
					}
					if v, ok := tab.Get(c); !ok || v != p {
						fail(errors.New("child lost before its parent's release"))
						return
					}
					if v, err := tab.Pin(h); err != nil || v != p {
						fail(errors.Join(errors.New("Pin of a private handle"), err))
						return
					}
					if _, err := tab.Release(h); !errors.Is(err, engine.ErrBusy) {
						fail(errors.Join(errors.New("release of a pinned handle not busy"), err))
						return
					}
					tab.Unpin(h)
					if freed, err := tab.Release(h); !freed || err != nil {
						fail(errors.Join(errors.New("release of a private handle"), err))
						return
					}
					if _, ok := tab.Get(c); ok {
						fail(errors.New("child alive after its parent's release"))
						return
					}
				}
			})
		}

		// Two goroutines release a handle holding two references: exactly one
		// of them frees it.
		wg.Go(func() {
			for range rounds / 4 {
				h, err := tab.Insert(&obj{})
				if err == nil {
					err = tab.(refCounter).AddRef(h)
				}
				if err != nil {
					fail(err)
					return
				}
				var frees atomic.Int32
				var inner sync.WaitGroup
				for range 2 {
					inner.Go(func() {
						freed, err := tab.Release(h)
						if err != nil {
							fail(err)
						}
						if freed {
							frees.Add(1)
						}
					})
				}
				inner.Wait()
				if n := frees.Load(); n != 1 {
					fail(errors.New("a doubly referenced handle was not freed exactly once"))
					return
				}
			}
		})

		// A shared parent: one goroutine adds and pins children while another
		// releases the parent, retrying on ErrBusy.
		wg.Go(func() {
			for range rounds / 20 {
				p, err := tab.Insert(&obj{})
				if err != nil {
					fail(err)
					return
				}
				var kids []uint64
				done := make(chan struct{})
				var inner sync.WaitGroup
				inner.Go(func() {
					for {
						c, err := tab.InsertChild(p, &obj{})
						switch {
						case err == nil:
							kids = append(kids, c)
							if _, err := tab.Pin(c); err == nil {
								tab.Unpin(c)
							} else if !errors.Is(err, engine.ErrStale) {
								fail(err)
							}
							continue
						case errors.Is(err, engine.ErrBusy), errors.Is(err, engine.ErrStale):
						default:
							fail(err)
						}
						select {
						case <-done:
							return
						default:
						}
					}
				})
				for {
					freed, err := tab.Release(p)
					if freed {
						break
					}
					if !errors.Is(err, engine.ErrBusy) {
						fail(errors.Join(errors.New("release of the shared parent"), err))
						break
					}
				}
				close(done)
				inner.Wait()
				for _, c := range kids {
					if _, ok := tab.Get(c); ok {
						fail(errors.New("child outlived its released parent"))
						return
					}
				}
			}
		})

		wg.Wait()
		close(errc)
		for err := range errc {
			t.Error(err)
		}
		if h, ok := tab.(*Hprov[obj]); ok {
			h.Engine().Reclaim()
		}
		wantLen(t, tab, 0)
	})
}
