package engine

import (
	"sync/atomic"
	"unsafe"
)

// The operations on one handle. The cost of each fast path is counted in the
// package doc; the comments here say what keeps them correct.

// insert publishes v (and aux, in a wide table) in a free slot: the value
// (and, for a child, the parent reference parent, gen<<32 | index) first,
// then the state word with the live bit, so whoever sees the new generation
// sees them. bits is childBit for a child, 0 otherwise.
func (t *table) insert(v, aux unsafe.Pointer, bits, parent uint64) (Handle, error) {
	if t.sweeping.Load() {
		t.sweepStep()
	}
	// The pop from this P's shard, written out: a call here costs as much
	// as the pop.
	var e uint64
	ok := false
	pid := procPin()
	if uint(pid) < uint(len(t.shards)) {
		sh := &t.shards[pid]
		raceAcquire(unsafe.Pointer(sh))
		if n := sh.n; n > 0 {
			e, ok = sh.free[n-1], true
			sh.n = n - 1
		}
		raceRelease(unsafe.Pointer(sh))
	}
	procUnpin()
	if !ok {
		var err error
		if e, err = t.takeSlow(); err != nil {
			return 0, err
		}
	}
	idx, gen := uint32(e), uint32(e>>32)
	if bits != 0 {
		t.parentsFor(idx >> pageBits)[idx&pageMask].Store(parent)
	}
	s := t.slotAt(idx)
	atomic.StorePointer(&s.val, v)
	if t.shift == wideSlotShift {
		storeAux(wide(s), aux)
	}
	s.state.Store(want(gen) | bits | 1)
	return t.handle(idx, gen), nil
}

// storeAux stores an AnyTable slot's type word. A slot mostly gets a value
// of the type it held before (a P reuses the slots it freed, and a program's
// handles are mostly of a few types), and the word is then already right:
// one load saves an atomic store.
func storeAux(s *wideSlot, aux unsafe.Pointer) {
	if atomic.LoadPointer(&s.aux) != aux {
		atomic.StorePointer(&s.aux, aux)
	}
}

// get is Get for a Table. It is small enough to inline into the caller: a
// live top-level handle costs the tag check, one directory load, and the
// state, value and state loads of the seqlock (see the package doc for why
// that suffices), with no bounds or nil check (see dirLen) and no call;
// children and rejections take the call to getSlow.
func (t *table) get(h Handle) (unsafe.Pointer, bool) {
	if uint64(h)>>tagShift == t.tag {
		s := (*slot)(unsafe.Add(atomic.LoadPointer(&t.dir[uint32(h)>>pageBits%dirLen]), uintptr(h&pageMask)<<slotShift))
		w := uint64(h)>>genShift<<32 | liveBit
		st := s.state.Load()
		v := atomic.LoadPointer(&s.val)
		if st&(checkMask|childBit) == w && s.state.Load()&checkMask == w {
			return v, true
		}
	}
	return t.getSlow(h)
}

// getSlow is get for a child, or a rejection.
func (t *table) getSlow(h Handle) (unsafe.Pointer, bool) {
	s, idx, gen, ok := t.lookup(h)
	if !ok {
		return nil, false
	}
	w := want(gen)
	st := s.state.Load()
	if st&checkMask != w || st&childBit == 0 {
		return nil, false
	}
	v := atomic.LoadPointer(&s.val)
	p := t.parentOf(idx)
	if s.state.Load()&checkMask != w || !t.parentAlive(p) {
		return nil, false
	}
	return v, true
}

// getWide is get for an AnyTable: the same protocol with two value words,
// both loaded between the two state loads. It is a copy of get rather than
// a shared helper because get must stay free of calls.
func (t *table) getWide(h Handle) (v, aux unsafe.Pointer, ok bool) {
	s, idx, gen, ok := t.lookup(h)
	if !ok {
		return nil, nil, false
	}
	w := want(gen)
	st := s.state.Load()
	v = atomic.LoadPointer(&s.val)
	aux = atomic.LoadPointer(&wide(s).aux)
	if st&checkMask != w || s.state.Load()&checkMask != w ||
		st&childBit != 0 && !t.parentAlive(t.parentOf(idx)) {
		return nil, nil, false
	}
	return v, aux, true
}

// pin marks h as in use and returns its slot, whose value cannot change
// until the matching unpin.
func (t *table) pin(h Handle) (*slot, error) {
	s, idx, gen, ok := t.lookup(h)
	if !ok {
		return nil, ErrInvalidHandle
	}
	ps, err := t.enter(s, idx, gen)
	if err != nil {
		return nil, err
	}
	if err := t.modify(s, idx, gen, pinUnit, pinMask); err != nil {
		ps.drop()
		return nil, err
	}
	// A child keeps its parent's pin until Unpin.
	return s, nil
}

// unpin undoes one pin of h; see Table.Unpin for what an unmatched one does.
func (t *table) unpin(h Handle) {
	s, idx, gen, ok := t.lookup(h)
	if !ok {
		return
	}
	w := want(gen)
	for {
		st := s.state.Load()
		if st&checkMask != w || st&pinMask == 0 {
			return
		}
		var p uint64
		if st&childBit != 0 {
			// While pinned the slot cannot be freed, so the parent
			// reference is ours.
			p = t.parentOf(idx)
		}
		if s.state.CompareAndSwap(st, st-pinUnit) {
			if st&childBit != 0 {
				unpinSlot(t.slotAt(uint32(p)&idxMask), uint32(p>>32))
			}
			return
		}
	}
}

// unpinSlot drops a pin the caller took on s at generation gen. It checks the
// generation and the count rather than subtracting blindly: a caller's
// unmatched Unpin may have taken this very pin and let the slot be freed
// (see Table.Unpin), and a blind subtraction would then corrupt a free slot.
func unpinSlot(s *slot, gen uint32) {
	w := want(gen)
	for {
		st := s.state.Load()
		if st&checkMask != w || st&pinMask == 0 || s.state.CompareAndSwap(st, st-pinUnit) {
			return
		}
	}
}

func (t *table) addRef(h Handle) error {
	s, idx, gen, ok := t.lookup(h)
	if !ok {
		return ErrInvalidHandle
	}
	ps, err := t.enter(s, idx, gen)
	if err != nil {
		return err
	}
	err = t.modify(s, idx, gen, 1, refMask)
	ps.drop()
	return err
}

// modify adds unit to the field under mask of a live slot, failing with
// ErrOverflow at the field's limit.
func (t *table) modify(s *slot, idx, gen uint32, unit, mask uint64) error {
	w := want(gen)
	for {
		st := s.state.Load()
		if st&checkMask != w {
			return t.classify(idx, gen, st)
		}
		if st&mask == mask {
			return ErrOverflow
		}
		if s.state.CompareAndSwap(st, st+unit) {
			return nil
		}
	}
}

// release drops one reference to h. Its fast path is the common last
// release of a top-level handle with one reference and no pins: the state
// word is then exactly want(gen)|1, plus the kids bit if it ever had
// children, and one CAS to the next generation's free state frees it (and
// its children, whose sweep it requests).
func (t *table) release(h Handle) (bool, error) {
	s, idx, gen, ok := t.lookup(h)
	if !ok {
		return false, ErrInvalidHandle
	}
	if st := s.state.Load(); st&^kidsBit == want(gen)|1 && !t.lastGen(idx, gen+1) &&
		s.state.CompareAndSwap(st, uint64(gen+1)<<32) {
		if st&kidsBit != 0 {
			t.requestSweep()
		}
		t.give(idx, gen+1)
		return true, nil
	}
	ps, err := t.enter(s, idx, gen)
	if err != nil {
		return false, err
	}
	freed, err := t.releaseSlow(s, idx, gen)
	ps.drop()
	return freed, err
}

func (t *table) releaseSlow(s *slot, idx, gen uint32) (bool, error) {
	w := want(gen)
	for {
		st := s.state.Load()
		switch {
		case st&checkMask != w:
			return false, t.classify(idx, gen, st)
		case st&refMask > 1:
			if s.state.CompareAndSwap(st, st-1) {
				return false, nil
			}
		case st&pinMask != 0:
			return false, ErrBusy
		default:
			if t.kill(s, idx, st) {
				return true, nil
			}
		}
	}
}

// kill frees the live slot s if its state is still st: one CAS advances the
// generation (invalidating the handle and all its children), then the slot
// goes back to a free list, or is retired if its generations are used up.
func (t *table) kill(s *slot, idx uint32, st uint64) bool {
	gen := uint32(st>>32) + 1
	if !s.state.CompareAndSwap(st, uint64(gen)<<32) {
		return false
	}
	if t.lastGen(idx, gen) {
		t.clear(s) // retired: never handed out again
	} else {
		t.give(idx, gen)
	}
	if st&kidsBit != 0 {
		t.requestSweep()
	}
	return true
}

// clear drops the value words of a slot that is leaving use.
func (t *table) clear(s *slot) {
	atomic.StorePointer(&s.val, nil)
	if t.shift == wideSlotShift {
		atomic.StorePointer(&wide(s).aux, nil)
	}
}
