package baseline

import (
	"sync"
	"sync/atomic"

	"github.com/hprov/hprov/engine"
)

// entry is one handle of a map table (SyncMap, XSync). Its state word packs
// the reference count, the pin count and a dead bit, so that "free only if
// nothing is pinned" is one compare-and-swap, as in the engine.
//
// A child is valid while it and its parent are alive: reading both state words
// (child first) makes a parent's death kill every child at once for readers,
// while the parent's Release still deletes the children's keys one by one.
// Entries are never reused, so a dead entry stays dead.
type entry[T any] struct {
	val    *T
	key    uint64
	parent *entry[T] // nil for a top-level handle
	state  atomic.Uint32
	pos    int                        // index in parent.kids.list, guarded by parent.kids.mu
	kids   atomic.Pointer[kidList[T]] // created by the first InsertChild
}

type kidList[T any] struct {
	mu   sync.Mutex
	list []*entry[T]
}

const (
	refOne   = 1
	refMask  = 1<<15 - 1
	pinShift = 15
	pinOne   = 1 << pinShift
	pinMask  = 1<<14 - 1
	deadBit  = 1 << 31
)

func (e *entry[T]) valid() bool {
	if e.state.Load()&deadBit != 0 {
		return false
	}
	p := e.parent
	return p == nil || p.state.Load()&deadBit == 0
}

// pin adds one pin to e alone.
func (e *entry[T]) pin() error {
	for {
		s := e.state.Load()
		switch {
		case s&deadBit != 0:
			return engine.ErrStale
		case s>>pinShift&pinMask == maxPins:
			return engine.ErrOverflow
		}
		if e.state.CompareAndSwap(s, s+pinOne) {
			return nil
		}
	}
}

// unpin removes one pin from e alone and reports whether there was one.
func (e *entry[T]) unpin() bool {
	for {
		s := e.state.Load()
		if s&deadBit != 0 || s>>pinShift&pinMask == 0 {
			return false
		}
		if e.state.CompareAndSwap(s, s-pinOne) {
			return true
		}
	}
}

func (e *entry[T]) addRef() error {
	for {
		s := e.state.Load()
		switch {
		case s&deadBit != 0:
			return engine.ErrStale
		case s&refMask == maxRefs:
			return engine.ErrOverflow
		}
		if e.state.CompareAndSwap(s, s+refOne) {
			return nil
		}
	}
}

// release drops one reference of e alone; at zero it marks e dead.
func (e *entry[T]) release() (freed bool, err error) {
	for {
		s := e.state.Load()
		switch {
		case s&deadBit != 0:
			return false, engine.ErrStale
		case s&refMask > 1:
			if e.state.CompareAndSwap(s, s-refOne) {
				return false, nil
			}
			continue
		case s>>pinShift&pinMask != 0:
			return false, engine.ErrBusy
		}
		if e.state.CompareAndSwap(s, deadBit) {
			return true, nil
		}
	}
}

// The functions below implement the handle operations on an entry that has
// been looked up; the tables add only the map access. Every operation that
// changes a child pins its parent first, so the parent cannot die half-way
// through it (its last Release returns ErrBusy meanwhile), exactly as in the
// engine.

func newEntry[T any](key uint64, v *T, parent *entry[T]) *entry[T] {
	e := &entry[T]{val: v, key: key, parent: parent}
	e.state.Store(refOne)
	return e
}

func pinEntry[T any](e *entry[T]) (*T, error) {
	p := e.parent
	if p == nil {
		if err := e.pin(); err != nil {
			return nil, err
		}
		return e.val, nil
	}
	if err := p.pin(); err != nil {
		return nil, err
	}
	if err := e.pin(); err != nil {
		p.unpin()
		return nil, err
	}
	return e.val, nil
}

func unpinEntry[T any](e *entry[T]) {
	if e.unpin() && e.parent != nil {
		e.parent.unpin()
	}
}

func addRefEntry[T any](e *entry[T]) error {
	p := e.parent
	if p == nil {
		return e.addRef()
	}
	if err := p.pin(); err != nil {
		return err
	}
	err := e.addRef()
	p.unpin()
	return err
}

// releaseEntry drops one reference of e. When a parent is freed it returns the
// children whose keys the table must now delete (the list is no longer shared:
// a dead parent cannot be pinned, so no InsertChild or child Release can reach
// it any more).
func releaseEntry[T any](e *entry[T]) (freed bool, orphans []*entry[T], err error) {
	p := e.parent
	if p == nil {
		freed, err = e.release()
		if freed {
			if kl := e.kids.Load(); kl != nil {
				kl.mu.Lock()
				orphans, kl.list = kl.list, nil
				kl.mu.Unlock()
			}
		}
		return freed, orphans, err
	}
	if err := p.pin(); err != nil {
		return false, nil, err
	}
	freed, err = e.release()
	if freed {
		kl := p.kids.Load()
		kl.mu.Lock()
		last := len(kl.list) - 1
		moved := kl.list[last]
		kl.list[e.pos] = moved
		moved.pos = e.pos
		kl.list[last] = nil
		kl.list = kl.list[:last]
		kl.mu.Unlock()
	}
	p.unpin()
	return freed, nil, err
}

// pinParent validates parent for InsertChild and pins it, so that it cannot
// die before linkChild; a child cannot be a parent.
func pinParent[T any](parent *entry[T]) (*kidList[T], error) {
	if parent.parent != nil {
		return nil, engine.ErrInvalidHandle
	}
	if err := parent.pin(); err != nil {
		return nil, err
	}
	kl := parent.kids.Load()
	if kl == nil {
		kl = new(kidList[T])
		if !parent.kids.CompareAndSwap(nil, kl) {
			kl = parent.kids.Load()
		}
	}
	return kl, nil
}

// linkChild records child (already published in the table's map) in its
// parent's list and drops the pin pinParent took.
func linkChild[T any](kl *kidList[T], child *entry[T]) {
	kl.mu.Lock()
	child.pos = len(kl.list)
	kl.list = append(kl.list, child)
	kl.mu.Unlock()
	child.parent.unpin()
}
