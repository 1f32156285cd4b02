package baseline

import (
	"math"
	"sync"

	"github.com/hprov/hprov/engine"
)

// Mutex is the classic handle table, one slice of slots with a free list under
// one sync.Mutex (the design of Wine's rsaenh handle.c), plus what hprov
// requires on top: a generation per slot so that a freed index never lets an
// old handle reach a new object.
//
// A handle is the slot's generation (high 32 bits) and its index + 1 (low 32
// bits). Freeing a slot advances its generation; a slot whose generation would
// wrap is retired instead of reused, so no generation is issued twice.
type Mutex[T any] struct {
	mu    sync.Mutex
	slots []mslot[T]
	free  uint32              // index + 1 of the first free slot; 0: none
	kids  map[uint32][]uint32 // parent index -> indexes of its children
	live  int
}

type mslot[T any] struct {
	val    *T
	gen    uint32
	refs   uint16 // 0 exactly when the slot is free (or retired)
	pins   uint16 // pin count, plus hasKids
	parent uint32 // index + 1 of the parent; 0 for a top-level handle
	link   uint32 // a live child's position in its parent's kids list; a free slot's next free index + 1
}

const (
	hasKids         = 1 << 15            // in mslot.pins
	maxMutexSlots   = math.MaxUint32 - 1 // index + 1 must fit 32 bits
	retiredGen      = math.MaxUint32     // never issued
	pinCountMaskU16 = uint16(pinMask)    // mslot.pins without hasKids
)

// NewMutex returns an empty Mutex table.
func NewMutex[T any]() *Mutex[T] { return new(Mutex[T]) }

func mhandle(i, gen uint32) uint64 { return uint64(gen)<<32 | uint64(i+1) }

// lookup returns the index and slot of a live handle; the caller holds t.mu.
func (t *Mutex[T]) lookup(h uint64) (uint32, *mslot[T], error) {
	i := uint32(h)
	if i == 0 || int(i) > len(t.slots) {
		return 0, nil, engine.ErrInvalidHandle
	}
	s := &t.slots[i-1]
	g := uint32(h >> 32)
	switch {
	case g == s.gen && s.refs != 0:
		return i - 1, s, nil
	case g < s.gen:
		return 0, nil, engine.ErrStale
	}
	return 0, nil, engine.ErrInvalidHandle // a generation this slot has not issued
}

// alloc takes a free slot, or a new one; the caller holds t.mu.
func (t *Mutex[T]) alloc(v *T) (uint32, error) {
	var i uint32
	if t.free != 0 {
		i = t.free - 1
		t.free = t.slots[i].link
	} else {
		if uint64(len(t.slots)) >= maxMutexSlots {
			return 0, engine.ErrFull
		}
		t.slots = append(t.slots, mslot[T]{})
		i = uint32(len(t.slots) - 1)
	}
	s := &t.slots[i]
	s.val, s.refs, s.pins, s.parent, s.link = v, 1, 0, 0, 0
	t.live++
	return i, nil
}

// release frees slot i; the caller holds t.mu.
func (t *Mutex[T]) release(i uint32) {
	s := &t.slots[i]
	s.val, s.refs, s.pins, s.parent = nil, 0, 0, 0
	t.live--
	s.gen++
	if s.gen == retiredGen {
		return
	}
	s.link = t.free
	t.free = i + 1
}

// Insert stores v under a new handle with reference count 1.
func (t *Mutex[T]) Insert(v *T) (uint64, error) {
	t.mu.Lock()
	i, err := t.alloc(v)
	if err != nil {
		t.mu.Unlock()
		return 0, err
	}
	h := mhandle(i, t.slots[i].gen)
	t.mu.Unlock()
	return h, nil
}

// InsertChild stores v under a new handle that dies with parent.
func (t *Mutex[T]) InsertChild(parent uint64, v *T) (uint64, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	pi, p, err := t.lookup(parent)
	if err != nil {
		return 0, err
	}
	if p.parent != 0 {
		return 0, engine.ErrInvalidHandle // a child cannot be a parent
	}
	ci, err := t.alloc(v) // may move t.slots: p is not used after this
	if err != nil {
		return 0, err
	}
	if t.kids == nil {
		t.kids = make(map[uint32][]uint32)
	}
	list := t.kids[pi]
	c := &t.slots[ci]
	c.parent, c.link = pi+1, uint32(len(list))
	t.kids[pi] = append(list, ci)
	t.slots[pi].pins |= hasKids
	return mhandle(ci, c.gen), nil
}

// Get returns the value of a live handle. A child of a released parent was
// freed with it, so the slot's own generation says everything.
func (t *Mutex[T]) Get(h uint64) (*T, bool) {
	t.mu.Lock()
	_, s, err := t.lookup(h)
	if err != nil {
		t.mu.Unlock()
		return nil, false
	}
	v := s.val
	t.mu.Unlock()
	return v, true
}

// AddRef adds a reference to a live handle.
func (t *Mutex[T]) AddRef(h uint64) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, s, err := t.lookup(h)
	if err != nil {
		return err
	}
	if s.refs == maxRefs {
		return engine.ErrOverflow
	}
	s.refs++
	return nil
}

// Pin marks a live handle (and the parent of a child) as in use and returns its
// value.
func (t *Mutex[T]) Pin(h uint64) (*T, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, s, err := t.lookup(h)
	if err != nil {
		return nil, err
	}
	if s.pins&pinCountMaskU16 == maxPins {
		return nil, engine.ErrOverflow
	}
	if s.parent != 0 {
		p := &t.slots[s.parent-1]
		if p.pins&pinCountMaskU16 == maxPins {
			return nil, engine.ErrOverflow
		}
		p.pins++
	}
	s.pins++
	return s.val, nil
}

// Unpin undoes one Pin; it does nothing if h is not pinned.
func (t *Mutex[T]) Unpin(h uint64) {
	t.mu.Lock()
	_, s, err := t.lookup(h)
	if err == nil && s.pins&pinCountMaskU16 != 0 {
		s.pins--
		if s.parent != 0 {
			t.slots[s.parent-1].pins--
		}
	}
	t.mu.Unlock()
}

// Release drops one reference; at zero it frees h and, one by one, every child
// of it.
func (t *Mutex[T]) Release(h uint64) (freed bool, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	i, s, err := t.lookup(h)
	switch {
	case err != nil:
		return false, err
	case s.refs > 1:
		s.refs--
		return false, nil
	case s.pins&pinCountMaskU16 != 0:
		return false, engine.ErrBusy
	}
	if s.parent != 0 {
		pi := s.parent - 1
		list := t.kids[pi]
		last := len(list) - 1
		moved := list[last]
		list[s.link] = moved
		t.slots[moved].link = s.link
		if last == 0 {
			delete(t.kids, pi)
			t.slots[pi].pins &^= hasKids
		} else {
			t.kids[pi] = list[:last]
		}
	} else if s.pins&hasKids != 0 {
		for _, c := range t.kids[i] {
			t.release(c)
		}
		delete(t.kids, i)
	}
	t.release(i)
	return true, nil
}

// Len returns the number of live handles.
func (t *Mutex[T]) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.live
}
