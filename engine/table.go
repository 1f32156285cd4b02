package engine

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"unsafe"
)

// Handle is an opaque reference to a value in a Table. The zero Handle is never
// valid.
type Handle uint64

// String formats the handle as a hexadecimal number, the way handles are
// usually printed in logs.
func (h Handle) String() string { return fmt.Sprintf("%#016x", uint64(h)) }

// Errors returned by Table operations; compare them with errors.Is.
var (
	// ErrInvalidHandle: zero, a handle of another table, an index out of range,
	// or a generation this slot never issued.
	ErrInvalidHandle = errors.New("engine: invalid handle")
	// ErrStale: the handle was valid once, but it (or its parent) was released.
	ErrStale = errors.New("engine: stale handle")
	// ErrBusy: the last release of a handle that, or a child of which, is pinned.
	ErrBusy = errors.New("engine: handle is in use")
	// ErrFull: the table holds as many handles as its capacity allows.
	ErrFull = errors.New("engine: table is full")
	// ErrOverflow: the reference count or the pin count is at its limit.
	ErrOverflow = errors.New("engine: reference or pin count overflow")
)

// Handle fields.
const (
	idxBits  = 24
	idxMask  = 1<<idxBits - 1
	genShift = idxBits
	tagShift = 56

	// MaxHandles is the largest capacity a table can have.
	MaxHandles = 1 << idxBits
)

// State word fields (see the package doc).
const (
	refMask   = 1<<15 - 1
	pinShift  = 15
	pinUnit   = 1 << pinShift
	pinMask   = (1<<14 - 1) << pinShift
	kidsBit   = 1 << 29
	childBit  = 1 << 30
	liveBit   = 1 << 31
	linkMask  = 1<<31 - 1
	stGenMask = 0xffffffff << 32
	checkMask = stGenMask | liveBit

	// MaxRefs and MaxPins are the largest reference and pin counts a handle
	// can hold; beyond them AddRef and Pin return ErrOverflow.
	MaxRefs = refMask
	MaxPins = pinMask >> pinShift
)

// genSpan is the number of generations a slot issues before it is retired.
const genSpan = 1<<32 - 1

const (
	pageBits = 12
	pageSize = 1 << pageBits
	pageMask = pageSize - 1

	// magazine is the number of free slots moved at once between a P's cache
	// and the global stack, and claimed at once from fresh pages.
	magazine = 32

	cacheLine = 128 // two lines: adjacent-line prefetch pairs them on x86

	// freshStride is the distance, in slots, between consecutive slots of a
	// fresh magazine's free list: 8 slots are 192 bytes, three cache lines.
	freshStride = 8
)

type slot[T any] struct {
	state atomic.Uint64
	value atomic.Pointer[T]
	// parent is the parent's index and generation (gen<<32 | index) while
	// the slot is a live child; while the slot heads a batch on the global
	// free stack it links to the next batch (count<<32 | next index+1).
	parent atomic.Uint64
}

// page is a block of slots. The leading pad is never written: the nil check
// the compiler puts before &p.slots[i] where it cannot prove p non-nil is a
// load from the page's first byte, made by every core on every operation,
// and a slot in that cache line, cycled by one P, made the line bounce
// between cores: bench's ParallelInsertRelease-2 went from 45.6 to 16.6
// ns/op with the pad (results/2026-11-24-{67fd497b74a2,13d0dd8532bf}-engine.txt).
type page[T any] struct {
	_     [cacheLine]byte
	slots [pageSize]slot[T]
}

// list is a chain of free slots linked through their state words.
type list struct {
	head uint32 // index+1 of the first slot; 0 when empty
	n    uint32
}

// shard is one P's cache of free slots. It is only touched by a goroutine
// pinned to that P, so its fields need no atomics.
type shard struct {
	cur, spare list
	_          [cacheLine - 16]byte
}

// Table is a concurrent table of handles to values of type *T. All methods
// are safe for concurrent use and none of them takes a lock.
type Table[T any] struct {
	// Read-mostly fields, shared by every core.
	tag      uint64
	seed     uint64
	startOff uint32 // first generation offset of a fresh slot
	max      uint32
	dir      []atomic.Pointer[page[T]]
	shards   []shard
	tight    atomic.Bool // capacity reached: slots are no longer cached per P
	_        [cacheLine]byte

	hwm atomic.Uint32 // slots handed out from pages so far
	_   [cacheLine - 4]byte

	free atomic.Uint64 // global stack of free batches: version<<32 | head index+1
	_    [cacheLine - 8]byte

	sweepTodo   atomic.Int64  // slots left to scan for orphaned children
	sweepCursor atomic.Uint64 // next slot the incremental sweep scans
	_           [cacheLine - 16]byte
}

type config struct {
	max      int
	shards   int
	headroom uint32
}

// An Option configures a Table.
type Option func(*config)

// WithMaxHandles sets the table's capacity: Insert returns ErrFull while it
// holds n live handles (children included). Values are clamped to
// [1, MaxHandles]; the default is MaxHandles. Retired slots (see the package
// doc) count against the capacity.
func WithMaxHandles(n int) Option { return func(c *config) { c.max = n } }

// WithShards sets the number of per-P free-slot caches. The default is
// runtime.GOMAXPROCS(0) at New; goroutines on Ps beyond the last shard use the
// global free stack, correct but slower. Values are clamped to [0, 1024]; 0
// disables the caches.
func WithShards(n int) Option { return func(c *config) { c.shards = n } }

// WithGenerationHeadroom starts every slot n generations before the limit at
// which it is retired, so that tests can drive a slot through its whole
// generation range quickly. n = 0 (the default) gives each slot the full
// 2^32-1 generations.
func WithGenerationHeadroom(n uint32) Option { return func(c *config) { c.headroom = n } }

// New returns an empty table.
func New[T any](opts ...Option) *Table[T] {
	c := config{max: MaxHandles, shards: runtime.GOMAXPROCS(0)}
	for _, o := range opts {
		o(&c)
	}
	c.max = min(max(c.max, 1), MaxHandles)
	c.shards = min(max(c.shards, 0), 1024)
	t := &Table[T]{
		tag:  uint64(1 + rand.IntN(255)),
		seed: rand.Uint64(),
		max:  uint32(c.max),
		dir:  make([]atomic.Pointer[page[T]], (c.max+pageSize-1)/pageSize),
	}
	if c.headroom > 0 && c.headroom < genSpan {
		t.startOff = genSpan - c.headroom
	}
	t.shards = make([]shard, c.shards)
	// Per-P caches hold up to 2*magazine slots each; when they could hide a
	// sizeable share of a small table's capacity, ErrFull would become
	// approximate, so small tables never cache.
	if c.max < 8*2*magazine*c.shards {
		t.tight.Store(true)
	}
	return t
}

// base is the pseudo-random first generation of slot idx. Release computes it
// to spot the last generation, so it is one multiply (Fibonacci hashing of the
// seeded index) rather than a full mixer: what it must give is unrelated
// bases for neighbouring indexes and for tables with different seeds.
func (t *Table[T]) base(idx uint32) uint32 {
	return uint32((uint64(idx)^t.seed)*0x9e3779b97f4a7c15>>32) ^ uint32(t.seed>>32)
}

func (t *Table[T]) handle(idx, gen uint32) Handle {
	return Handle(t.tag<<tagShift | uint64(gen)<<genShift | uint64(idx))
}

// slotAt returns the slot of an index known to be allocated.
func (t *Table[T]) slotAt(idx uint32) *slot[T] {
	return &t.dir[idx>>pageBits].Load().slots[idx&pageMask]
}

// lookup decodes h and returns its slot, index and generation, or ok=false if
// the tag or the index is invalid.
func (t *Table[T]) lookup(h Handle) (s *slot[T], idx, gen uint32, ok bool) {
	if uint64(h)>>tagShift != t.tag {
		return nil, 0, 0, false
	}
	idx = uint32(h) & idxMask
	if pi := idx >> pageBits; pi < uint32(len(t.dir)) {
		if p := t.dir[pi].Load(); p != nil {
			return &p.slots[idx&pageMask], idx, uint32(h >> genShift), true
		}
	}
	return nil, 0, 0, false
}

// want is the part of a state word a valid handle of generation gen matches.
func want(gen uint32) uint64 { return uint64(gen)<<32 | liveBit }

// classify explains why a handle of generation gen does not match state st.
func (t *Table[T]) classify(idx, gen uint32, st uint64) error {
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

// Insert stores v and returns a new handle to it with reference count 1.
func (t *Table[T]) Insert(v *T) (Handle, error) { return t.insert(v, 0, 0) }

// insert publishes v in a free slot: the value (and parent) first, then the
// state word with the live bit, so whoever sees the new generation sees them.
func (t *Table[T]) insert(v *T, parent, bits uint64) (Handle, error) {
	if t.sweepTodo.Load() > 0 {
		t.sweepStep()
	}
	s, idx, st, err := t.alloc()
	if err != nil {
		return 0, err
	}
	s.value.Store(v)
	if bits&childBit != 0 {
		s.parent.Store(parent)
	}
	gen := uint32(st >> 32)
	s.state.Store(want(gen) | bits | 1)
	return t.handle(idx, gen), nil
}

// InsertChild stores v as a child of parent and returns its handle. The child
// is invalidated when parent is released for the last time, whether or not it
// was released itself. A child cannot be a parent.
func (t *Table[T]) InsertChild(parent Handle, v *T) (Handle, error) {
	ps, pidx, pgen, ok := t.lookup(parent)
	if !ok {
		return 0, ErrInvalidHandle
	}
	if err := t.pinParent(ps, pidx, pgen, kidsBit); err != nil {
		return 0, err
	}
	defer unpin(ps, pgen)
	return t.insert(v, uint64(pgen)<<32|uint64(pidx), childBit)
}

// pinParent pins a parent for the duration of an operation on one of its
// children, setting the extra state bits in the same CAS.
func (t *Table[T]) pinParent(s *slot[T], idx, gen uint32, bits uint64) error {
	w := want(gen)
	for {
		st := s.state.Load()
		switch {
		case st&checkMask != w:
			return t.classify(idx, gen, st)
		case st&childBit != 0:
			p := s.parent.Load()
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
		if s.state.CompareAndSwap(st, st+pinUnit|bits) {
			return nil
		}
	}
}

// unpin drops a pin the caller took on s at generation gen. It checks the
// generation and the count rather than subtracting blindly: a caller's
// unmatched Unpin may have taken this very pin and let the slot be freed
// (see Unpin), and a blind subtraction would then corrupt a free slot.
func unpin[T any](s *slot[T], gen uint32) {
	w := want(gen)
	for {
		st := s.state.Load()
		if st&checkMask != w || st&pinMask == 0 || s.state.CompareAndSwap(st, st-pinUnit) {
			return
		}
	}
}

// held is a parent pinned for the duration of an operation on its child.
type held[T any] struct {
	s   *slot[T]
	gen uint32
}

func (p held[T]) drop() {
	if p.s != nil {
		unpin(p.s, p.gen)
	}
}

// holdParent pins the parent of the live child in s (generation gen), so that
// the parent cannot die while the caller changes the child. It fails with
// ErrStale if the parent is already gone.
func (t *Table[T]) holdParent(s *slot[T], idx, gen uint32) (held[T], error) {
	p := s.parent.Load()
	// The parent field belongs to generation gen only if the slot still has it.
	if st := s.state.Load(); st&checkMask != want(gen) {
		return held[T]{}, t.classify(idx, gen, st)
	}
	pidx, pgen := uint32(p)&idxMask, uint32(p>>32)
	ps := t.slotAt(pidx)
	w := want(pgen)
	for {
		st := ps.state.Load()
		if st&checkMask != w {
			return held[T]{}, ErrStale
		}
		if st&pinMask == pinMask {
			return held[T]{}, ErrOverflow
		}
		if ps.state.CompareAndSwap(st, st+pinUnit) {
			return held[T]{ps, pgen}, nil
		}
	}
}

// parentAlive reports whether the parent recorded in p is still live.
func (t *Table[T]) parentAlive(p uint64) bool {
	return t.slotAt(uint32(p)&idxMask).state.Load()&checkMask == want(uint32(p>>32))
}

// Get returns the value of h, or false if h is not valid. It has no side
// effects and never blocks.
//
// The path for a top-level handle is straight-line code with no calls;
// children (and rejections) take the call to getChild.
func (t *Table[T]) Get(h Handle) (*T, bool) {
	idx := uint32(h) & idxMask
	if uint64(h)>>tagShift != t.tag || idx>>pageBits >= uint32(len(t.dir)) {
		return nil, false
	}
	p := t.dir[idx>>pageBits].Load()
	if p == nil {
		return nil, false
	}
	s := &p.slots[idx&pageMask]
	w := uint64(h)>>genShift<<32 | liveBit
	st := s.state.Load()
	v := s.value.Load()
	if st&(checkMask|childBit) != w || s.state.Load()&checkMask != w {
		return t.getChild(s, w, st)
	}
	return v, true
}

// getChild is Get for a child (or a handle Get's fast path rejected).
func (t *Table[T]) getChild(s *slot[T], w, st uint64) (*T, bool) {
	if st&checkMask != w || st&childBit == 0 {
		return nil, false
	}
	v := s.value.Load()
	p := s.parent.Load()
	if s.state.Load()&checkMask != w || !t.parentAlive(p) {
		return nil, false
	}
	return v, true
}

// Pin marks h as in use and returns its value: until the matching Unpin, the
// last Release of h (or, for a child, of its parent) returns ErrBusy. Pins
// nest.
func (t *Table[T]) Pin(h Handle) (*T, error) {
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
	// The child keeps its parent's pin until Unpin.
	return s.value.Load(), nil
}

// Unpin undoes one Pin of h. Unpin of a handle that is not pinned, or not
// valid, does nothing. Like a counting semaphore's release, an Unpin with no
// matching Pin cannot be told apart from a legitimate one when h is pinned
// by someone else, and a parent is pinned by its children's operations: it
// then takes one of those pins, and the last Release of h no longer waits
// for it. The table itself stays consistent whatever the calls.
func (t *Table[T]) Unpin(h Handle) {
	s, _, gen, ok := t.lookup(h)
	if !ok {
		return
	}
	w := want(gen)
	for {
		st := s.state.Load()
		if st&checkMask != w || st&pinMask == 0 {
			return
		}
		// While pinned the slot cannot be freed, so the parent field is ours.
		p := s.parent.Load()
		if s.state.CompareAndSwap(st, st-pinUnit) {
			if st&childBit != 0 {
				unpin(t.slotAt(uint32(p)&idxMask), uint32(p>>32))
			}
			return
		}
	}
}

// AddRef adds one reference to h: one more Release is needed to free it.
func (t *Table[T]) AddRef(h Handle) error {
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

// enter validates h's slot and, for a child, pins its parent for the duration
// of a change; the caller drops the returned hold.
func (t *Table[T]) enter(s *slot[T], idx, gen uint32) (held[T], error) {
	st := s.state.Load()
	if st&checkMask != want(gen) {
		return held[T]{}, t.classify(idx, gen, st)
	}
	if st&childBit == 0 {
		return held[T]{}, nil
	}
	return t.holdParent(s, idx, gen)
}

// modify adds unit to the field under mask of a live slot, failing with
// ErrOverflow at the field's limit.
func (t *Table[T]) modify(s *slot[T], idx, gen uint32, unit, mask uint64) error {
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

// Release drops one reference to h. At zero the handle, and every child of
// it, becomes stale and freed reports true; if h or one of its children is
// pinned at that point, Release returns ErrBusy and changes nothing.
func (t *Table[T]) Release(h Handle) (freed bool, err error) {
	s, idx, gen, ok := t.lookup(h)
	if !ok {
		return false, ErrInvalidHandle
	}
	ps, err := t.enter(s, idx, gen)
	if err != nil {
		return false, err
	}
	freed, err = t.release(s, idx, gen)
	ps.drop()
	return freed, err
}

func (t *Table[T]) release(s *slot[T], idx, gen uint32) (bool, error) {
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
func (t *Table[T]) kill(s *slot[T], idx uint32, st uint64) bool {
	gen := uint32(st>>32) + 1
	dead := uint64(gen) << 32
	switch {
	case gen-t.base(idx) == genSpan:
		if !s.state.CompareAndSwap(st, dead) {
			return false
		}
		s.value.Store(nil)
	default:
		if pushed, cached := t.pushLocal(s, idx, st, dead); cached {
			if !pushed {
				return false
			}
			break
		}
		if !s.state.CompareAndSwap(st, dead) {
			return false
		}
		s.value.Store(nil)
		t.pushBatch(list{head: idx + 1, n: 1})
	}
	if st&kidsBit != 0 {
		t.requestSweep()
	}
	return true
}

// pushLocal frees s into the current P's cache with a CAS from st to dead
// (plus the free-list link). cached is false if this P has no cache (or the
// table stopped caching); pushed is false if the CAS failed.
func (t *Table[T]) pushLocal(s *slot[T], idx uint32, st, dead uint64) (pushed, cached bool) {
	pid := procPin()
	if pid >= len(t.shards) || t.tight.Load() {
		procUnpin()
		return false, false
	}
	sh := &t.shards[pid]
	raceAcquire(unsafe.Pointer(sh))
	if sh.cur.n == magazine {
		if sh.spare.n > 0 {
			t.spill(sh.spare)
		}
		sh.spare, sh.cur = sh.cur, list{}
	}
	// The value is left in place: Insert overwrites it when this P reuses
	// the slot, and spill clears it if the slot leaves the P. Clearing here
	// would cost a third atomic store per Insert+Release, and what a cache
	// keeps alive is bounded by its size, as with sync.Pool.
	ok := s.state.CompareAndSwap(st, dead|uint64(sh.cur.head))
	if ok {
		sh.cur.head = idx + 1
		sh.cur.n++
	}
	raceRelease(unsafe.Pointer(sh))
	procUnpin()
	return ok, true
}

// alloc takes a free slot and returns it with its index and (free) state.
func (t *Table[T]) alloc() (*slot[T], uint32, uint64, error) {
	for {
		if s, idx, st, ok := t.popLocal(); ok {
			return s, idx, st, nil
		}
		if b, ok := t.popBatch(); ok {
			idx := b.head - 1
			s := t.slotAt(idx)
			st := s.state.Load()
			if b.n > 1 {
				// Keep one, give the rest back.
				t.pushBatch(list{head: uint32(st & linkMask), n: b.n - 1})
			}
			return s, idx, st, nil
		}
		b, err := t.grow()
		if err != nil {
			return nil, 0, 0, err
		}
		t.pushBatch(b)
	}
}

// popLocal takes a slot from this P's cache, refilling it from the global
// stack when empty.
func (t *Table[T]) popLocal() (*slot[T], uint32, uint64, bool) {
	pid := procPin()
	if pid >= len(t.shards) {
		procUnpin()
		return nil, 0, 0, false
	}
	sh := &t.shards[pid]
	raceAcquire(unsafe.Pointer(sh))
	if sh.cur.n == 0 {
		var b list
		if sh.spare.n > 0 {
			b, sh.spare = sh.spare, list{}
		} else if !t.tight.Load() {
			// A table at capacity keeps free slots global, visible to all Ps.
			b, _ = t.popBatch()
		}
		if b.n == 0 {
			raceRelease(unsafe.Pointer(sh))
			procUnpin()
			return nil, 0, 0, false
		}
		sh.cur = b
	}
	idx := sh.cur.head - 1
	s := t.slotAt(idx)
	st := s.state.Load()
	sh.cur.head = uint32(st & linkMask)
	sh.cur.n--
	raceRelease(unsafe.Pointer(sh))
	procUnpin()
	return s, idx, st, true
}

// spill moves a magazine from a P's cache to the global stack, clearing the
// values its slots still hold (see pushLocal). The slots are free and owned
// by this P until pushBatch publishes them.
func (t *Table[T]) spill(b list) {
	for i, next := uint32(0), b.head; i < b.n; i++ {
		s := t.slotAt(next - 1)
		s.value.Store(nil)
		next = uint32(s.state.Load() & linkMask)
	}
	t.pushBatch(b)
}

// pushBatch pushes a chain of free slots on the global stack.
func (t *Table[T]) pushBatch(b list) {
	hs := t.slotAt(b.head - 1)
	for {
		old := t.free.Load()
		hs.parent.Store(uint64(b.n)<<32 | old&0xffffffff)
		if t.free.CompareAndSwap(old, (old>>32+1)<<32|uint64(b.head)) {
			return
		}
	}
}

// popBatch pops a chain of free slots from the global stack. The version in
// the head word makes the CAS fail if the top was popped and pushed again
// meanwhile (ABA).
func (t *Table[T]) popBatch() (list, bool) {
	for {
		old := t.free.Load()
		top := uint32(old)
		if top == 0 {
			return list{}, false
		}
		link := t.slotAt(top - 1).parent.Load()
		if t.free.CompareAndSwap(old, (old>>32+1)<<32|link&0xffffffff) {
			return list{head: top, n: uint32(link >> 32)}, true
		}
	}
}

// grow claims up to a magazine of never-used slots, allocating pages as
// needed, and returns them linked as a free chain.
func (t *Table[T]) grow() (list, error) {
	for {
		lo := t.hwm.Load()
		if lo >= t.max {
			if !t.tight.Load() {
				t.tight.Store(true)
			}
			// Slots freed into per-P caches before the switch can still
			// come back through popLocal on their P.
			return list{}, ErrFull
		}
		n := min(uint32(magazine), t.max-lo)
		if !t.hwm.CompareAndSwap(lo, lo+n) {
			continue
		}
		for pi := lo >> pageBits; pi <= (lo+n-1)>>pageBits; pi++ {
			if t.dir[pi].Load() == nil {
				t.dir[pi].CompareAndSwap(nil, t.newPage(pi))
			}
		}
		// Link the slots in a strided order, not lo, lo+1, ...: two slots
		// popped one after the other often end up cycling on different Ps
		// (two goroutines that shared a P for a moment each keep the slot
		// they got), and neighbours share a cache line, which then bounces
		// between the cores on every Insert and Release (seen while
		// profiling: two Ps cycling neighbouring slots ran 3× slower than
		// two Ps cycling slots three apart).
		var order [magazine]uint32
		k := 0
		for r := uint32(0); r < freshStride; r++ {
			for i := lo + r; i < lo+n; i += freshStride {
				order[k] = i
				k++
			}
		}
		for j := range k {
			next := uint64(0)
			if j+1 < k {
				next = uint64(order[j+1]) + 1
			}
			s := t.slotAt(order[j])
			s.state.Store(s.state.Load()&stGenMask | next)
		}
		return list{head: order[0] + 1, n: n}, nil
	}
}

func (t *Table[T]) newPage(pi uint32) *page[T] {
	p := new(page[T])
	for i := range p.slots {
		idx := pi<<pageBits | uint32(i)
		p.slots[i].state.Store(uint64(t.base(idx)+t.startOff) << 32)
	}
	return p
}

// Len returns the number of live handles, children included (children of a
// released parent are not live). It walks the whole table: it is meant for
// leak checks and tests, and keeping a count instead would put a shared
// counter on every Insert and Release. Under concurrent use the result is a
// snapshot of no single instant.
func (t *Table[T]) Len() int {
	n := 0
	t.scan(0, t.hwm.Load(), func(s *slot[T], _ uint32, st uint64) {
		if st&liveBit == 0 {
			return
		}
		if st&childBit != 0 {
			p := s.parent.Load()
			if s.state.Load()&checkMask != st&checkMask || !t.parentAlive(p) {
				return
			}
		}
		n++
	})
	return n
}

// Reclaim frees the slots of every child whose parent has been released and
// returns how many it freed. Insert does this work a few slots at a time after
// a parent with children is released; Reclaim finishes it at once.
func (t *Table[T]) Reclaim() int {
	// This pass covers every request made so far; a parent that dies
	// during it asks again.
	t.sweepTodo.Store(0)
	var freed list
	n := 0
	t.scan(0, t.hwm.Load(), func(s *slot[T], idx uint32, st uint64) {
		if t.reclaimOrphan(s, idx, st, &freed) {
			n++
		}
	})
	if freed.n > 0 {
		t.pushBatch(freed)
	}
	return n
}

// scan calls f for every allocated slot with index in [lo, hi).
func (t *Table[T]) scan(lo, hi uint32, f func(s *slot[T], idx uint32, st uint64)) {
	for i := lo; i < hi; {
		p := t.dir[i>>pageBits].Load()
		end := min(hi, (i|pageMask)+1)
		for ; i < end; i++ {
			if p != nil {
				s := &p.slots[i&pageMask]
				f(s, i, s.state.Load())
			}
		}
	}
}

// reclaimOrphan frees s if it is a live child whose parent is dead. Once the
// parent is dead nothing else can change the child (every change pins the
// parent first), so the CAS fails only if another sweeper freed it.
//
// Freed slots are chained into freed, and each full magazine goes to the
// global stack: a sweep does not pass millions of slots through one P's
// cache (which would leave it full, and the next Release on that P paying a
// spill of cold slots), and it clears each orphan's value at once.
func (t *Table[T]) reclaimOrphan(s *slot[T], idx uint32, st uint64, freed *list) bool {
	if st&(liveBit|childBit) != liveBit|childBit {
		return false
	}
	p := s.parent.Load()
	if s.state.Load() != st || t.parentAlive(p) {
		return false
	}
	gen := uint32(st>>32) + 1
	if gen-t.base(idx) == genSpan {
		if !s.state.CompareAndSwap(st, uint64(gen)<<32) {
			return false
		}
		s.value.Store(nil) // retired
		return true
	}
	if !s.state.CompareAndSwap(st, uint64(gen)<<32|uint64(freed.head)) {
		return false
	}
	s.value.Store(nil)
	freed.head = idx + 1
	freed.n++
	if freed.n == magazine {
		t.pushBatch(*freed)
		*freed = list{}
	}
	return true
}

// requestSweep asks for a full pass over the table, because a parent with
// children died and its orphans are somewhere in it.
func (t *Table[T]) requestSweep() {
	n := int64(t.hwm.Load())
	for {
		old := t.sweepTodo.Load()
		if old >= n || t.sweepTodo.CompareAndSwap(old, n) {
			return
		}
	}
}

// sweepChunk is how many slots each Insert scans while a sweep is pending.
const sweepChunk = 16

func (t *Table[T]) sweepStep() {
	for {
		old := t.sweepTodo.Load()
		if old <= 0 {
			return
		}
		if t.sweepTodo.CompareAndSwap(old, max(old-sweepChunk, 0)) {
			break
		}
	}
	hi := t.hwm.Load()
	start := t.sweepCursor.Add(sweepChunk) - sweepChunk
	var freed list
	for k := uint64(0); k < sweepChunk; k++ {
		idx := uint32((start + k) % uint64(hi))
		if p := t.dir[idx>>pageBits].Load(); p != nil {
			s := &p.slots[idx&pageMask]
			t.reclaimOrphan(s, idx, s.state.Load(), &freed)
		}
	}
	if freed.n > 0 {
		t.pushBatch(freed)
	}
}
