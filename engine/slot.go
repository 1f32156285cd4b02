package engine

import (
	"sync/atomic"
	"unsafe"
)

// Slots and pages.
//
// A slot is one 64-bit state word followed by the value: one pointer word
// for a Table (16 bytes, four slots to a 64-byte line), or the two words of
// an interface for an AnyTable (padded to 32 bytes, two to a line). Slots are
// aligned to their size inside a page, so a slot never straddles a cache line
// and Get touches exactly one line of slot memory.
//
// Everything a slot needs only off the hot path lives elsewhere: a child's
// parent reference is in a per-page side array allocated with the page's
// first child, and the links of the global free stack reuse the free state
// word's low bits. Keeping them out of the slot is what makes a slot 16
// bytes, so a table of 1<<16 handles is 1 MiB, not 1.5.
//
// Pages hold 1<<pageBits slots and are reached through a directory of
// atomic pointers, one per page, sized for the table's capacity at New. A
// page is published once, by a compare-and-swap on its directory entry, and
// never moved or freed while the table lives, so a reader that loaded a
// slot's address may use it forever: there is no copying on growth and no
// reader ever waits.

type slot struct {
	state atomic.Uint64
	val   unsafe.Pointer // loaded and stored atomically only
}

// wideSlot is an AnyTable's slot: aux holds the interface's type word.
type wideSlot struct {
	slot
	aux unsafe.Pointer // loaded and stored atomically only
	_   uint64
}

const (
	pageBits = 12
	pageSize = 1 << pageBits
	pageMask = pageSize - 1

	slotShift     = 4 // log2(unsafe.Sizeof(slot{}))
	wideSlotShift = 5 // log2(unsafe.Sizeof(wideSlot{}))
)

// Compile-time checks that the shifts match the sizes.
var (
	_ [unsafe.Sizeof(slot{}) - 1<<slotShift]byte
	_ [1<<slotShift - unsafe.Sizeof(slot{})]byte
	_ [unsafe.Sizeof(wideSlot{}) - 1<<wideSlotShift]byte
	_ [1<<wideSlotShift - unsafe.Sizeof(wideSlot{})]byte
)

// parents is a page's side array of parent references, gen<<32 | index,
// valid while the slot of the same offset is a live child.
type parents [pageSize]atomic.Uint64

// newPage allocates the slots of page pi, each at its first generation, and
// returns the address of slot 0. Pages are typed arrays so that the garbage
// collector sees their pointer words; the rest of the engine reaches slots
// by address arithmetic within the page (slotAt).
func (t *table) newPage(pi uint32) unsafe.Pointer {
	var first *slot
	if t.shift == wideSlotShift {
		p := new([pageSize]wideSlot)
		first = &p[0].slot
	} else {
		p := new([pageSize]slot)
		first = &p[0]
	}
	for i := range uint32(pageSize) {
		idx := pi<<pageBits | i
		s := (*slot)(unsafe.Add(unsafe.Pointer(first), uintptr(i)<<t.shift))
		s.state.Store(uint64(t.base(idx)+t.startOff) << 32)
	}
	return unsafe.Pointer(first)
}

// The directory has an entry for every page a table of MaxHandles could
// have (32 KiB), so that Get indexes it without a bounds check; entries of
// pages not allocated yet point to emptyPage, whose state words are all zero
// (dead), so that Get rejects them without a nil check. emptyPage is never
// written: it is the one package-level variable, and it is constant.
const dirLen = MaxHandles / pageSize

var emptyPage [pageSize]slot

// page returns the address of slot 0 of page pi, or nil if the page does not
// exist.
func (t *table) page(pi uint32) unsafe.Pointer {
	p := atomic.LoadPointer(&t.dir[pi%dirLen])
	if p == unsafe.Pointer(&emptyPage) {
		return nil
	}
	return p
}

// slotAt returns the slot of an index whose page is known to exist.
func (t *table) slotAt(idx uint32) *slot {
	return (*slot)(unsafe.Add(t.page(idx>>pageBits), uintptr(idx&pageMask)<<t.shift))
}

// wide returns s as the AnyTable slot it is part of.
func wide(s *slot) *wideSlot { return (*wideSlot)(unsafe.Pointer(s)) }

// lookup decodes h and returns its slot, index and generation, or ok=false if
// the tag or the index is invalid.
func (t *table) lookup(h Handle) (s *slot, idx, gen uint32, ok bool) {
	idx = uint32(h) & idxMask
	if uint64(h)>>tagShift != t.tag {
		return nil, 0, 0, false
	}
	p := t.page(idx >> pageBits)
	if p == nil {
		return nil, 0, 0, false
	}
	return (*slot)(unsafe.Add(p, uintptr(idx&pageMask)<<t.shift)), idx, uint32(h >> genShift), true
}

// base is the pseudo-random first generation of slot idx. Release computes it
// to spot the last generation, so it is one multiply (Fibonacci hashing of the
// seeded index) rather than a full mixer: what it must give is unrelated
// bases for neighbouring indexes and for tables with different seeds.
func (t *table) base(idx uint32) uint32 {
	return uint32((uint64(idx)^t.seed)*0x9e3779b97f4a7c15>>32) ^ uint32(t.seed>>32)
}

func (t *table) handle(idx, gen uint32) Handle {
	return Handle(t.tag<<tagShift | uint64(gen)<<genShift | uint64(idx))
}

// classify explains why a handle of generation gen does not match state st.
func (t *table) classify(idx, gen uint32, st uint64) error {
	base := t.base(idx)
	off, cur := gen-base, uint32(st>>32)-base
	switch {
	case off < t.startOff:
		return ErrInvalidHandle // below the first generation this table issues
	case off < cur, off == cur && st&liveBit != 0:
		// Released, or live but its parent is gone.
		return ErrStale
	}
	return ErrInvalidHandle // a generation not issued yet
}

// lastGen reports whether gen is the generation at which slot idx retires.
func (t *table) lastGen(idx, gen uint32) bool { return gen-t.base(idx) == genSpan }

func (s *slot) load() unsafe.Pointer        { return atomic.LoadPointer(&s.val) }
func (s *wideSlot) loadAux() unsafe.Pointer { return atomic.LoadPointer(&s.aux) }
