package engine

import (
	"fmt"
	"unsafe"
)

// Children.
//
// A child's slot carries the child bit, and its parent's index and
// generation (gen<<32 | index) sit in the page's side array of parent
// references, written before the state word that makes the child live, so
// whoever sees the child sees its parent reference. A child is valid only
// while that parent generation is current: the one CAS that advances the
// parent's generation invalidates every child at once.
//
// Every operation that changes a child (Pin, AddRef, Release) first pins the
// parent (enter), so a parent cannot die half-way through one, and a parent's
// last Release while a child is pinned returns ErrBusy.
//
// The slots of children not released before their parent ("orphans") are
// reclaimed lazily. A parent that ever had children carries the kids bit, and
// its death requests a sweep: the sweeping flag, in the header every Insert
// reads anyway, makes each Insert scan a few slots until a full pass is done.
// Reclaim finishes the pass at once. Once a parent is dead nothing else can
// change its orphans (every change pins the parent first), so a sweeper's
// CAS on an orphan fails only if another sweeper freed it first.

// parentOf returns the parent reference of slot idx, which the caller knows
// is (or was, a moment ago) a live child.
func (t *table) parentOf(idx uint32) uint64 {
	return t.cold[idx>>pageBits].Load()[idx&pageMask].Load()
}

// parentsFor returns page pi's side array, allocating it with the page's
// first child.
func (t *table) parentsFor(pi uint32) *parents {
	if p := t.cold[pi].Load(); p != nil {
		return p
	}
	t.cold[pi].CompareAndSwap(nil, new(parents))
	return t.cold[pi].Load()
}

// parentAlive reports whether the parent recorded in p is still live.
func (t *table) parentAlive(p uint64) bool {
	return t.slotAt(uint32(p)&idxMask).state.Load()&checkMask == want(uint32(p>>32))
}

func (t *table) insertChild(parent Handle, v, aux unsafe.Pointer) (Handle, error) {
	ps, pidx, pgen, ok := t.lookup(parent)
	if !ok {
		return 0, ErrInvalidHandle
	}
	if err := t.pinParent(ps, pidx, pgen); err != nil {
		return 0, err
	}
	defer unpinSlot(ps, pgen)
	return t.insert(v, aux, childBit, uint64(pgen)<<32|uint64(pidx))
}

// pinParent pins a parent for the duration of InsertChild, marking it as
// having had children in the same CAS.
func (t *table) pinParent(s *slot, idx, gen uint32) error {
	w := want(gen)
	for {
		st := s.state.Load()
		switch {
		case st&checkMask != w:
			return t.classify(idx, gen, st)
		case st&childBit != 0:
			p := t.parentOf(idx)
			if s.state.Load()&checkMask != w {
				continue // changed under us: look again
			}
			if !t.parentAlive(p) {
				return ErrStale // an orphan: stale like any use of it
			}
			return fmt.Errorf("%w: a child cannot have children", ErrInvalidHandle)
		case st&pinMask == pinMask:
			return ErrOverflow
		}
		if s.state.CompareAndSwap(st, st+pinUnit|kidsBit) {
			return nil
		}
	}
}

// held is a parent pinned for the duration of an operation on its child.
type held struct {
	s   *slot
	gen uint32
}

func (p held) drop() {
	if p.s != nil {
		unpinSlot(p.s, p.gen)
	}
}

// enter validates h's slot and, for a child, pins its parent for the duration
// of a change; the caller drops the returned hold.
func (t *table) enter(s *slot, idx, gen uint32) (held, error) {
	st := s.state.Load()
	if st&checkMask != want(gen) {
		return held{}, t.classify(idx, gen, st)
	}
	if st&childBit == 0 {
		return held{}, nil
	}
	p := t.parentOf(idx)
	// The parent reference belongs to generation gen only if the slot
	// still has it.
	if st := s.state.Load(); st&checkMask != want(gen) {
		return held{}, t.classify(idx, gen, st)
	}
	pgen := uint32(p >> 32)
	ps := t.slotAt(uint32(p) & idxMask)
	w := want(pgen)
	for {
		st := ps.state.Load()
		if st&checkMask != w {
			return held{}, ErrStale
		}
		if st&pinMask == pinMask {
			return held{}, ErrOverflow
		}
		if ps.state.CompareAndSwap(st, st+pinUnit) {
			return held{ps, pgen}, nil
		}
	}
}

// requestSweep asks for a full pass over the table, because a parent with
// children died and its orphans are somewhere in it.
func (t *table) requestSweep() {
	n := int64(t.hwm.Load())
	for {
		old := t.sweepTodo.Load()
		if old >= n || t.sweepTodo.CompareAndSwap(old, n) {
			break
		}
	}
	if !t.sweeping.Load() {
		t.sweeping.Store(true)
	}
}

// sweepChunk is how many slots each Insert scans while a sweep is pending.
const sweepChunk = 16

func (t *table) sweepStep() {
	for {
		old := t.sweepTodo.Load()
		if old <= 0 {
			// Done. A request that raced with the last step re-raises
			// the flag after we lower it: requestSweep raises todo
			// before the flag, and we check todo after.
			t.sweeping.Store(false)
			if t.sweepTodo.Load() > 0 {
				t.sweeping.Store(true)
			}
			return
		}
		if t.sweepTodo.CompareAndSwap(old, max(old-sweepChunk, 0)) {
			break
		}
	}
	hi := t.hwm.Load()
	start := t.sweepCursor.Add(sweepChunk) - sweepChunk
	var o orphans
	for k := uint64(0); k < sweepChunk; k++ {
		idx := uint32((start + k) % uint64(hi))
		if p := t.page(idx >> pageBits); p != nil {
			s := (*slot)(unsafe.Add(p, uintptr(idx&pageMask)<<t.shift))
			t.reclaimOrphan(s, idx, s.state.Load(), &o)
		}
	}
	o.flush(t)
}

// orphans collects freed orphans for the global free stack: a sweep does not
// pass millions of slots through one P's shard (which would leave it full,
// and the next Release on that P paying a spill of cold slots).
type orphans struct {
	n  int
	es [batch]uint64
}

func (o *orphans) flush(t *table) {
	if o.n > 0 {
		t.pushEntries(o.es[:o.n])
		o.n = 0
	}
}

// reclaimOrphan frees s if it is a live child whose parent is dead.
func (t *table) reclaimOrphan(s *slot, idx uint32, st uint64, o *orphans) bool {
	if st&(liveBit|childBit) != liveBit|childBit {
		return false
	}
	p := t.parentOf(idx)
	if s.state.Load() != st || t.parentAlive(p) {
		return false
	}
	gen := uint32(st>>32) + 1
	if !s.state.CompareAndSwap(st, uint64(gen)<<32) {
		return false
	}
	if t.lastGen(idx, gen) {
		t.clear(s) // retired
		return true
	}
	o.es[o.n] = freeEntry(idx, gen)
	if o.n++; o.n == batch {
		o.flush(t)
	}
	return true
}

// reclaim is Reclaim.
func (t *table) reclaim() int {
	// This pass covers every request made so far; a parent that dies
	// during it asks again.
	t.sweepTodo.Store(0)
	var o orphans
	n := 0
	t.scan(func(s *slot, idx uint32, st uint64) {
		if t.reclaimOrphan(s, idx, st, &o) {
			n++
		}
	})
	o.flush(t)
	return n
}

// len is Len.
func (t *table) len() int {
	n := 0
	t.scan(func(s *slot, idx uint32, st uint64) {
		if st&liveBit == 0 {
			return
		}
		if st&childBit != 0 {
			p := t.parentOf(idx)
			if s.state.Load()&checkMask != st&checkMask || !t.parentAlive(p) {
				return
			}
		}
		n++
	})
	return n
}

// scan calls f for every slot handed out from the pages so far.
func (t *table) scan(f func(s *slot, idx uint32, st uint64)) {
	hi := t.hwm.Load()
	for i := uint32(0); i < hi; {
		p := t.page(i >> pageBits)
		end := min(hi, (i|pageMask)+1)
		for ; i < end; i++ {
			if p != nil {
				s := (*slot)(unsafe.Add(p, uintptr(i&pageMask)<<t.shift))
				f(s, i, s.state.Load())
			}
		}
	}
}
