package csp

import (
	"iter"
	"sync/atomic"

	"github.com/hprov/hprov/engine"
)

// lineage remembers the context of keys and hashes, because a released key's table slot no
// longer says which context it had, and the table soon reuses the slot.
//
// It has three parts, all written without a lock:
//
//   - slots, indexed like the table, holds the newest key or hash created in each slot and its
//     context. The record stays until the next child created in the slot replaces it, which
//     happens only after the child died: destroyed, or swept as an orphan of a released
//     context.
//   - dead, a direct-mapped cache keyed by the child's handle, takes the record of every child
//     that DestroyKey or DestroyHash frees (and the slot's record is marked destroyed). It is
//     on the hot path of every hash session, so it is one hashed entry and two stores: an
//     entry lasts until a later destroy lands in the same entry, on average tens of thousands
//     of destroys later, but possibly the next one.
//   - orphans, a ring of the records that the next child in a slot found not destroyed: the
//     orphans that a context's release left behind. Nothing but orphanRing later such records
//     can overwrite one, so a fresh orphan's record is there whatever other goroutines do,
//     however fast other contexts reuse its slot (a direct-mapped cache could lose it to the
//     next colliding write). Each slot's records are chained newest first from the slot's
//     entry, so a lookup walks only the slot's own orphans. Orphans appear only when a context
//     dies with children, off the hot path, where one shared counter per record is affordable.
//
// Besides, each slot's entry keeps the newest of its children that a destroy was begun on. A
// released child newer than that was not destroyed, so its context was released: NTE_BAD_UID
// without any record, however long ago. Only a child older than a destroyed one of the same
// slot, with its records overwritten, has no exact answer.
//
// A reader looks in that order: the slot, then dead, then the slot's chain of orphans, then the
// slot's newest destroyed child. Writers keep every record findable at every instant: the next
// child's creation links the old record into the ring before it replaces it in the slot, a
// destroy marks the slot's newest destroyed child before the release and writes dead before it
// marks the slot's record; the reader's loads, in the opposite order, see the record in the
// slot or find it where it went.
type lineage struct {
	slots   [engine.MaxHandles / linPage]atomic.Pointer[[linPage]slotEntry]
	dead    atomic.Pointer[[linSize]linEntry]
	orphans atomic.Pointer[[orphanRing]ringEntry]
	seq     atomic.Uint64 // orphan records claimed; record s lives in orphans[s%orphanRing]
}

const (
	linPage    = 1 << 12
	linBits    = 16
	linSize    = 1 << linBits // dead: 1 MiB, allocated with the first destroy
	orphanRing = 1 << 16      // orphans: 2 MiB, allocated with the first reused orphan slot
)

// linEntry is a record of dead, and the record part of a slot's entry: the child's table
// handle, and its context's table handle XORed with a mix of the child's. A reader that finds
// its child in the first word unmixes the second; if a concurrent writer of another child
// changed the second word meanwhile, the result is a number the table does not know, which the
// caller treats like a missing record. In a slot's entry a second word of 0 marks a child that
// was destroyed (its record is in dead).
type linEntry struct {
	child  atomic.Uint64
	parent atomic.Uint64
}

// slotEntry is a slot's record, the head of its chain of orphan records, and its newest
// destroyed child.
type slotEntry struct {
	linEntry
	orphans atomic.Uint64 // sequence number of the slot's newest orphan record; 0: none
	// destroyed is the newest child of the slot that DestroyKey or DestroyHash was called on;
	// 0: none. A released child newer than it was never destroyed, so its context was
	// released: that needs no record, and stays true however many records come after it.
	destroyed atomic.Uint64
}

// ringEntry is an orphan record. Only the writer that claimed an entry writes its fields: it
// swaps stamp from an older, complete record's to busy (odd) first and stores the complete
// stamp last, so a reader that sees the stamp it expects before and after reading the fields
// read one record whole.
type ringEntry struct {
	stamp  atomic.Uint64 // sequence number << 1, | 1 while being written; 0: never written
	child  atomic.Uint64
	parent atomic.Uint64
	prev   atomic.Uint64 // sequence number of the slot's previous orphan record; 0: none
}

func mix(x uint64) uint64 { // splitmix64's finalizer
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

func (e *linEntry) set(child, parent engine.Handle) {
	e.child.Store(uint64(child))
	e.parent.Store(uint64(parent) ^ mix(uint64(child)))
}

// get returns the parent recorded for child in e, if e describes child.
func (e *linEntry) get(child engine.Handle) (engine.Handle, bool) {
	if e.child.Load() != uint64(child) {
		return 0, false
	}
	w := e.parent.Load()
	if e.child.Load() != uint64(child) || w == 0 {
		return 0, false
	}
	return engine.Handle(w ^ mix(uint64(child))), true
}

// generation returns the generation field of a table handle (see the engine's handle layout).
func generation(h engine.Handle) uint32 { return uint32(uint64(h) / engine.MaxHandles) }

func (l *lineage) slot(child engine.Handle, create bool) *slotEntry {
	idx := uint32(child) & idxMask
	pg := &l.slots[idx/linPage]
	p := pg.Load()
	if p == nil {
		if !create {
			return nil
		}
		pg.CompareAndSwap(nil, new([linPage]slotEntry))
		p = pg.Load()
	}
	return &p[idx%linPage]
}

func (l *lineage) deadEntry(child engine.Handle, create bool) *linEntry {
	t := l.dead.Load()
	if t == nil {
		if !create {
			return nil
		}
		l.dead.CompareAndSwap(nil, new([linSize]linEntry))
		t = l.dead.Load()
	}
	return &t[uint64(child)*0x9e3779b97f4a7c15>>(64-linBits)]
}

// created records a new child, which the caller has just received from InsertChild. Calls for
// one slot never overlap: the slot's previous child is dead, and the new one cannot die before
// created returns, because its context is pinned by the caller and its handle not yet known.
func (l *lineage) created(child, parent engine.Handle) {
	e := l.slot(child, true)
	if old := engine.Handle(e.child.Load()); old != 0 {
		// The slot's previous child was freed without DestroyKey or DestroyHash (or that call
		// has not recorded it yet): keep its record among the orphans before replacing it.
		if p, ok := e.get(old); ok {
			l.orphan(e, old, p)
		}
	}
	e.set(child, parent)
}

// orphan appends the record of child to the ring and links it into the chain of e, its slot.
func (l *lineage) orphan(e *slotEntry, child, parent engine.Handle) {
	r := l.orphans.Load()
	if r == nil {
		l.orphans.CompareAndSwap(nil, new([orphanRing]ringEntry))
		r = l.orphans.Load()
	}
	for {
		s := l.seq.Add(1)
		re := &r[s%orphanRing]
		// An entry another writer is still writing (it stalled for a whole turn of the ring),
		// or one a later record already took, is left alone: take the next number instead.
		old := re.stamp.Load()
		if old&1 != 0 || old>>1 >= s || !re.stamp.CompareAndSwap(old, s<<1|1) {
			continue
		}
		re.child.Store(uint64(child))
		re.parent.Store(uint64(parent))
		re.prev.Store(e.orphans.Load())
		re.stamp.Store(s << 1)
		e.orphans.Store(s)
		return
	}
}

// destroying records that DestroyKey or DestroyHash is about to release child: it becomes
// its slot's newest destroyed child, before the release can succeed, so that a reader who
// finds a released child newer than that knows no destroy freed it. A destroy that then fails
// leaves the mark too high, which only makes readers rely on records for a few more children.
func (l *lineage) destroying(child engine.Handle) {
	e := l.slot(child, false)
	if e == nil {
		return
	}
	for {
		old := e.destroyed.Load()
		// Destroys of one slot's children may come out of order; keep the newest.
		if old != 0 && !newer(e, child, engine.Handle(old)) {
			return
		}
		if e.destroyed.CompareAndSwap(old, uint64(child)) {
			return
		}
	}
}

// destroyed records a child that DestroyKey or DestroyHash freed: into dead, then the slot's
// record is marked, unless the slot has moved on to another child.
func (l *lineage) destroyed(child, parent engine.Handle) {
	l.deadEntry(child, true).set(child, parent)
	if e := l.slot(child, false); e != nil {
		e.parent.CompareAndSwap(uint64(parent)^mix(uint64(child)), 0)
	}
}

// newer reports whether child a of the slot with entry e came after child b. Generations
// grow by one per occupant of a slot, modulo 2^32; both are at most as new as the slot's newest
// child, so their distances back from it compare without wraparound.
func newer(e *slotEntry, a, b engine.Handle) bool {
	newest := generation(engine.Handle(e.child.Load()))
	return newest-generation(a) < newest-generation(b)
}

// neverDestroyed reports whether the released child cannot have been destroyed, being newer
// than every child of its slot that a destroy was begun on: then only its context's release
// can have freed it.
func (l *lineage) neverDestroyed(child engine.Handle) bool {
	e := l.slot(child, false)
	if e == nil || e.child.Load() == 0 {
		return false // no child was ever created in the slot: a forged handle
	}
	d := engine.Handle(e.destroyed.Load())
	return d == 0 || newer(e, child, d)
}

// parents yields the contexts recorded for a released child, most reliable first: the slot's
// record if it is still the child's, then dead's, then the orphan ring's. A record from dead
// may be garbage (see linEntry); the caller goes on to the next one if the table does not know
// the number.
func (l *lineage) parents(child engine.Handle) iter.Seq[engine.Handle] {
	return func(yield func(engine.Handle) bool) {
		e := l.slot(child, false)
		if e == nil {
			return
		}
		if p, ok := e.get(child); ok && !yield(p) {
			return
		}
		if d := l.deadEntry(child, false); d != nil {
			if p, ok := d.get(child); ok && !yield(p) {
				return
			}
		}
		if p, ok := l.orphanParent(e, child); ok {
			yield(p)
		}
	}
}

// orphanParent looks for child in the chain of orphan records of its slot, whose entry is e.
func (l *lineage) orphanParent(e *slotEntry, child engine.Handle) (engine.Handle, bool) {
	r := l.orphans.Load()
	if r == nil {
		return 0, false
	}
	// The chain runs from the slot's newest orphan to older ones, in the order of the slot's
	// generations; newest is loaded after the chain's head, so no record in it is newer. A
	// record older than child ends the search.
	s := e.orphans.Load()
	newest := generation(engine.Handle(e.child.Load()))
	age := newest - generation(child)
	for range orphanRing {
		if s == 0 {
			break
		}
		re := &r[s%orphanRing]
		if re.stamp.Load() != s<<1 {
			break // overwritten by a later turn of the ring, as older records are
		}
		c, p, prev := re.child.Load(), re.parent.Load(), re.prev.Load()
		if re.stamp.Load() != s<<1 {
			break
		}
		if c == uint64(child) {
			return engine.Handle(p), true
		}
		if newest-generation(engine.Handle(c)) > age || prev >= s {
			break
		}
		s = prev
	}
	return 0, false
}
