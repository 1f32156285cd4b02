package engine

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// Broken tables, each with one flaw that real handle tables have had. The
// linearizability harness must reject every one of them: a checker that
// cannot fail proves nothing.

// noGenTable skips the generation check: a handle is resolved to whatever
// live object now occupies its slot, as if the generation bits were ignored.
type noGenTable struct{ *Table[obj] }

func (b noGenTable) resolve(h Handle) Handle {
	s, idx, _, ok := b.lookup(h)
	if !ok {
		return h
	}
	if st := s.state.Load(); st&liveBit != 0 {
		return b.handle(idx, uint32(st>>32))
	}
	return h
}

func (b noGenTable) InsertChild(p Handle, v *obj) (Handle, error) {
	return b.Table.InsertChild(b.resolve(p), v)
}
func (b noGenTable) Get(h Handle) (*obj, bool)      { return b.Table.Get(b.resolve(h)) }
func (b noGenTable) AddRef(h Handle) error          { return b.Table.AddRef(b.resolve(h)) }
func (b noGenTable) Pin(h Handle) (*obj, error)     { return b.Table.Pin(b.resolve(h)) }
func (b noGenTable) Unpin(h Handle)                 { b.Table.Unpin(b.resolve(h)) }
func (b noGenTable) Release(h Handle) (bool, error) { return b.Table.Release(b.resolve(h)) }

// orphanTable forgets that a child dies with its parent: Get, Pin and AddRef
// check only the child's own slot, so an orphan stays usable until the lazy
// sweep frees its slot.
type orphanTable struct{ *Table[obj] }

// orphan returns the value of h if h is a child whose parent is gone but
// whose own slot has not been reclaimed yet.
func (b orphanTable) orphan(h Handle) (*obj, bool) {
	s, idx, gen, ok := b.lookup(h)
	if !ok {
		return nil, false
	}
	st := s.state.Load()
	if st&checkMask != want(gen) || st&childBit == 0 || b.parentAlive(b.parentOf(idx)) {
		return nil, false
	}
	return (*obj)(s.load()), true
}

func (b orphanTable) Get(h Handle) (*obj, bool) {
	if v, ok := b.orphan(h); ok {
		return v, true
	}
	return b.Table.Get(h)
}

func (b orphanTable) Pin(h Handle) (*obj, error) {
	if v, ok := b.orphan(h); ok {
		return v, nil
	}
	return b.Table.Pin(h)
}

func (b orphanTable) AddRef(h Handle) error {
	if _, ok := b.orphan(h); ok {
		return nil
	}
	return b.Table.AddRef(h)
}

// busyTable fails a last release with ErrBusy now and then although nothing
// is pinned: the spurious busy the specification excuses only while a child
// operation runs.
type busyTable struct{ *Table[obj] }

func (b busyTable) Release(h Handle) (bool, error) {
	if s, _, gen, ok := b.lookup(h); ok && rand.IntN(3) == 0 {
		if st := s.state.Load(); st&checkMask == want(gen) && st&refMask == 1 && st&pinMask == 0 {
			return false, ErrBusy
		}
	}
	return b.Table.Release(h)
}

// wineTable is a handle table in the style of Wine's rsaenh handle.c: a
// locked array whose free slots are reused most recently freed first, with
// the slot index as the handle and no generation at all.
type wineTable struct {
	mu    sync.Mutex
	slots []wineSlot
	free  []int
}

type wineSlot struct {
	v          *obj
	refs, pins int
	parent     Handle
	live       bool
}

func (w *wineTable) slot(h Handle) (*wineSlot, error) {
	i := int(h) - 1
	if i < 0 || i >= len(w.slots) {
		return nil, ErrInvalidHandle
	}
	if !w.slots[i].live {
		return nil, ErrStale // the best a table without generations can say
	}
	s := &w.slots[i]
	if s.parent != 0 {
		if p, err := w.slot(s.parent); err != nil || p.parent != 0 {
			return nil, ErrStale
		}
	}
	return s, nil
}

func (w *wineTable) insert(v *obj, parent Handle) Handle {
	var i int
	if n := len(w.free); n > 0 {
		i, w.free = w.free[n-1], w.free[:n-1]
	} else {
		i = len(w.slots)
		w.slots = append(w.slots, wineSlot{})
	}
	w.slots[i] = wineSlot{v: v, refs: 1, parent: parent, live: true}
	return Handle(i + 1)
}

func (w *wineTable) Insert(v *obj) (Handle, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.insert(v, 0), nil
}

func (w *wineTable) InsertChild(p Handle, v *obj) (Handle, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s, err := w.slot(p)
	if err != nil {
		return 0, err
	}
	if s.parent != 0 {
		return 0, ErrInvalidHandle
	}
	return w.insert(v, p), nil
}

func (w *wineTable) Get(h Handle) (*obj, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s, err := w.slot(h)
	if err != nil {
		return nil, false
	}
	return s.v, true
}

func (w *wineTable) AddRef(h Handle) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	s, err := w.slot(h)
	if err != nil {
		return err
	}
	s.refs++
	return nil
}

func (w *wineTable) Pin(h Handle) (*obj, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s, err := w.slot(h)
	if err != nil {
		return nil, err
	}
	s.pins++
	return s.v, nil
}

func (w *wineTable) Unpin(h Handle) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if s, err := w.slot(h); err == nil && s.pins > 0 {
		s.pins--
	}
}

func (w *wineTable) Release(h Handle) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s, err := w.slot(h)
	if err != nil {
		return false, err
	}
	if s.refs > 1 {
		s.refs--
		return false, nil
	}
	if s.pins > 0 {
		return false, ErrBusy
	}
	for i := range w.slots {
		if c := &w.slots[i]; c.live && c.parent == h && c.pins > 0 {
			return false, ErrBusy
		}
	}
	*s = wineSlot{}
	w.free = append(w.free, int(h)-1)
	return true, nil
}

func TestLinearizabilityCatchesBrokenTables(t *testing.T) {
	broken := []struct {
		name string
		make func() linTable
	}{
		{"no generation check", func() linTable { return noGenTable{New[obj]()} }},
		{"children outlive parent", func() linTable { return orphanTable{New[obj]()} }},
		{"spurious busy", func() linTable { return busyTable{New[obj]()} }},
		{"Wine-style index reuse", func() linTable { return &wineTable{} }},
	}
	// Each broken table gets at least minHistories, and more until one is
	// rejected: some flaws show only when a storm happens to use an orphan
	// before the sweep reclaims it.
	minHistories, maxHistories := 20, 100
	if testing.Short() || raceEnabled {
		minHistories = 6
	}
	for _, b := range broken {
		t.Run(b.name, func(t *testing.T) {
			base := rand.Uint64()
			illegal := 0
			histories := 0
			for i := 0; i < minHistories || illegal == 0 && i < maxHistories; i++ {
				histories++
				seed := base + uint64(i)
				cfg := linRandomConfig(rand.New(rand.NewPCG(seed, 0)))
				cfg.headroom = 0
				h := linStorm(b.make(), Handle(rand.Uint64()), cfg, seed)
				if porcupine.CheckOperationsTimeout(linModel, h, 5*time.Second) == porcupine.Illegal {
					illegal++
				}
			}
			t.Logf("%d of %d histories rejected (base seed %d)", illegal, histories, base)
			if illegal == 0 {
				t.Errorf("the checker accepted every history of a broken table")
			}
		})
	}
}
