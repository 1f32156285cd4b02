package baseline

import (
	"sync"

	"github.com/hprov/hprov/engine"
)

// MutexMin is the handle table a Go engineer writes in ten minutes: a slice
// of slots, a free list and a generation per slot, under one sync.Mutex. It
// has no reference counts, pins or children, so it is the floor for what a
// lock-based table can do, where Mutex is the same design with hprov's full
// semantics. It is not in Impls: it cannot run the benchmarks and storms
// that need the missing operations, only Insert, Get and Release.
//
// A handle is the slot's generation (high 32 bits) and its index + 1 (low 32
// bits). Like the engine, it never issues a generation twice: a slot whose
// generation would wrap is retired.
type MutexMin[T any] struct {
	mu    sync.Mutex
	slots []minSlot[T]
	free  uint32 // index + 1 of the first free slot; 0: none
	live  int
}

type minSlot[T any] struct {
	val  *T
	gen  uint32
	next uint32 // a free slot's next free index + 1; ^0 while live
}

const minLive = ^uint32(0)

// NewMutexMin returns an empty MutexMin table.
func NewMutexMin[T any]() *MutexMin[T] { return new(MutexMin[T]) }

// Insert stores v under a new handle.
func (t *MutexMin[T]) Insert(v *T) (uint64, error) {
	t.mu.Lock()
	var i uint32
	if t.free != 0 {
		i = t.free - 1
		t.free = t.slots[i].next
	} else {
		if len(t.slots) >= maxMutexSlots {
			t.mu.Unlock()
			return 0, engine.ErrFull
		}
		i = uint32(len(t.slots))
		t.slots = append(t.slots, minSlot[T]{})
	}
	s := &t.slots[i]
	s.val, s.next = v, minLive
	t.live++
	h := uint64(s.gen)<<32 | uint64(i+1)
	t.mu.Unlock()
	return h, nil
}

// Get returns the value of a live handle.
func (t *MutexMin[T]) Get(h uint64) (*T, bool) {
	i := uint32(h)
	t.mu.Lock()
	if i == 0 || int(i) > len(t.slots) {
		t.mu.Unlock()
		return nil, false
	}
	s := &t.slots[i-1]
	if s.gen != uint32(h>>32) || s.next != minLive {
		t.mu.Unlock()
		return nil, false
	}
	v := s.val
	t.mu.Unlock()
	return v, true
}

// Release frees a live handle: there are no reference counts, so it always
// frees.
func (t *MutexMin[T]) Release(h uint64) (freed bool, err error) {
	i := uint32(h)
	t.mu.Lock()
	if i == 0 || int(i) > len(t.slots) {
		t.mu.Unlock()
		return false, engine.ErrInvalidHandle
	}
	s := &t.slots[i-1]
	if s.gen != uint32(h>>32) || s.next != minLive {
		t.mu.Unlock()
		return false, engine.ErrStale
	}
	s.val = nil
	t.live--
	if s.gen++; s.gen == retiredGen {
		s.next = 0 // retired: never back on the free list
	} else {
		s.next = t.free
		t.free = i // i is the index + 1
	}
	t.mu.Unlock()
	return true, nil
}

// Len returns the number of live handles.
func (t *MutexMin[T]) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.live
}
