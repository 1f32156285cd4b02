package engine

import (
	"sync/atomic"
	"unsafe"
)

// Free slots.
//
// Free slots are kept per P (the runtime's processor, the sharding sync.Pool
// uses). A shard is a fixed array of free-slot entries, each a slot's index
// and the generation its next occupant gets (gen<<32 | index), used as a
// stack without atomics while the goroutine is pinned to its P. Keeping the
// generation in the entry means Insert never reads the slot before writing
// it, and Release's push is one store to the P's own line.
//
// When a shard runs empty it refills with a batch of up to 'batch' slots
// from a global lock-free stack, or claims never-used slots from the pages;
// when it runs full it spills the newer half to the global stack. A P that
// inserts and releases in balance never touches the global stack, and Ps
// touch no shared cache line in steady state.
//
// The global stack is a Treiber stack of batches, chained through the free
// slots' state words (which a free slot does not otherwise need below the
// generation): within a batch each slot's low linkBits hold the next slot's
// index+1, the first slot also holds the batch's length, and the last slot's
// link is the next batch's first slot. The head word packs a version counter
// with the first slot's index+1, so a CAS fails if the top was popped and
// pushed again meanwhile (ABA). A pop walks the batch to find its end before
// its CAS; a concurrent pop may change the slots under it, so the walk
// checks every index it follows and the CAS, which then fails, discards it.
//
// Freshly claimed slots are handed out in a strided order, not lo, lo+1, ...:
// two slots taken one after the other often end up cycling on different Ps
// (two goroutines that shared a P for a moment each keep the slot they got),
// and neighbours share a cache line, which then bounces between the cores on
// every Insert and Release (seen while profiling: two Ps cycling neighbouring
// slots ran 3× slower than two Ps cycling slots three apart, on the project's
// earlier AMD EPYC machine; not re-measured on the current one).

const (
	// batch is the number of free slots moved at once between a shard and
	// the global stack, and claimed at once from fresh pages.
	batch = 32
	// shardCap is the number of free slots a shard holds.
	shardCap = 2 * batch
	// freshStride is the distance, in slots, between consecutive slots of a
	// fresh batch: 8 slots of 16 bytes are two cache lines.
	freshStride = 8
)

// shard is one P's cache of free slots. It is only touched by a goroutine
// pinned to that P, so its fields need no atomics.
type shard struct {
	n    uint32
	free [shardCap]uint64 // gen<<32 | index
	_    [cacheLine - 8]byte
}

func freeEntry(idx, gen uint32) uint64 { return uint64(gen)<<32 | uint64(idx) }

// takeSlow finds a free slot when this P's shard is empty: it refills the
// shard from the global stack or from fresh pages, or, without a shard (or in
// a table at capacity, whose free slots stay global), takes one slot from the
// global stack directly.
func (t *table) takeSlow() (uint64, error) {
	var got [countMask>>linkBits + 1]uint64
	n := t.popBatch(&got)
	if n == 0 {
		var err error
		if n, err = t.grow(&got); err != nil {
			return 0, err
		}
	}
	t.stash(got[:n-1])
	return got[n-1], nil
}

// stash puts free entries in this P's shard, or on the global stack what the
// shard has no room (or no use) for.
func (t *table) stash(es []uint64) {
	if len(es) == 0 {
		return
	}
	pid := procPin()
	if uint(pid) < uint(len(t.shards)) && !t.tight.Load() {
		sh := &t.shards[pid]
		raceAcquire(unsafe.Pointer(sh))
		k := copy(sh.free[sh.n:], es)
		sh.n += uint32(k)
		es = es[k:]
		raceRelease(unsafe.Pointer(sh))
	}
	procUnpin()
	for len(es) > 0 {
		k := min(len(es), batch)
		t.pushEntries(es[:k])
		es = es[k:]
	}
}

// give returns a slot freed by the caller (its state already dead at
// generation gen) to this P's shard, spilling half of a full shard to the
// global stack.
func (t *table) give(idx, gen uint32) {
	pid := procPin()
	if uint(pid) < uint(len(t.shards)) && !t.tight.Load() {
		sh := &t.shards[pid]
		raceAcquire(unsafe.Pointer(sh))
		n := sh.n
		if n == shardCap {
			// Spilling while pinned: pushEntries neither allocates nor
			// blocks, and this keeps the shard's half ours meanwhile.
			t.pushEntries(sh.free[batch:])
			n = batch
		}
		// The slot's value is left in place: Insert overwrites it when
		// this P reuses the slot, and a spill clears it when the slot
		// leaves the P. Clearing here would cost an atomic store per
		// Insert+Release, and what a shard keeps alive is bounded by its
		// size, as with sync.Pool.
		sh.free[n] = freeEntry(idx, gen)
		sh.n = n + 1
		raceRelease(unsafe.Pointer(sh))
		procUnpin()
		return
	}
	procUnpin()
	e := freeEntry(idx, gen)
	t.pushEntries([]uint64{e})
}

// pushEntries chains free slots, clearing their values, and pushes them on
// the global stack as one batch. The slots are free and owned by the caller
// until the push publishes them.
func (t *table) pushEntries(es []uint64) {
	n := len(es)
	for i, e := range es {
		s := t.slotAt(uint32(e))
		t.clear(s)
		if i+1 < n {
			st := e&stGenMask | (es[i+1]&idxMask + 1)
			if i == 0 {
				st |= uint64(n) << linkBits
			}
			s.state.Store(st)
		}
	}
	last, first := es[n-1], uint32(es[0])
	tail := t.slotAt(uint32(last))
	head := last & stGenMask
	if n == 1 {
		head |= 1 << linkBits
	}
	for {
		old := t.free.Load()
		tail.state.Store(head | old&linkMask)
		if t.free.CompareAndSwap(old, (old>>32+1)<<32|uint64(first+1)) {
			return
		}
	}
}

// popBatch pops a batch from the global stack into dst and returns its
// length, 0 if the stack is empty.
func (t *table) popBatch(dst *[countMask>>linkBits + 1]uint64) int {
	for {
		old := t.free.Load()
		top := uint32(old & linkMask)
		if top == 0 {
			return 0
		}
		if n, next, ok := t.walk(top-1, dst); ok &&
			t.free.CompareAndSwap(old, (old>>32+1)<<32|next) {
			return n
		}
	}
}

// walk reads the batch that starts at slot idx into dst and returns its
// length and the link to the next batch. ok is false if the chain is not a
// well-formed batch, which happens only when another pop took it meanwhile.
func (t *table) walk(idx uint32, dst *[countMask>>linkBits + 1]uint64) (n int, next uint64, ok bool) {
	st := t.slotAt(idx).state.Load()
	n = int(st & countMask >> linkBits)
	if n == 0 || st&liveBit != 0 {
		return 0, 0, false
	}
	for i := 0; ; i++ {
		dst[i] = freeEntry(idx, uint32(st>>32))
		link := st & linkMask
		if i == n-1 {
			return n, link, true
		}
		if link == 0 || link > uint64(t.hwm.Load()) {
			return 0, 0, false
		}
		idx = uint32(link - 1)
		if t.page(idx>>pageBits) == nil {
			return 0, 0, false
		}
		st = t.slotAt(idx).state.Load()
		if st&liveBit != 0 {
			return 0, 0, false
		}
	}
}

// grow claims up to a batch of never-used slots, allocating pages as needed,
// and writes their entries into dst in the order they should be handed out
// (last first).
func (t *table) grow(dst *[countMask>>linkBits + 1]uint64) (int, error) {
	for {
		lo := t.hwm.Load()
		if lo >= t.max {
			if !t.tight.Load() {
				t.tight.Store(true)
			}
			// Slots freed into shards before the switch can still come
			// back through take on their P.
			return 0, ErrFull
		}
		n := min(uint32(batch), t.max-lo)
		if !t.hwm.CompareAndSwap(lo, lo+n) {
			continue
		}
		for pi := lo >> pageBits; pi <= (lo+n-1)>>pageBits; pi++ {
			if t.page(pi) == nil {
				atomic.CompareAndSwapPointer(&t.dir[pi], unsafe.Pointer(&emptyPage), t.newPage(pi))
			}
		}
		k := int(n)
		for r := uint32(0); r < freshStride; r++ {
			for i := lo + r; i < lo+n; i += freshStride {
				k--
				dst[k] = freeEntry(i, t.base(i)+t.startOff)
			}
		}
		return int(n), nil
	}
}
