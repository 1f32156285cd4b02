package engine

import (
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"unsafe"
)

// table is the engine itself, shared by Table[T] and AnyTable: it stores
// values as untyped pointer words, so that its code is compiled once and its
// fast paths are ordinary functions rather than generic instantiations (whose
// dictionaries kept Get from inlining). The typed wrappers only convert.
type table struct {
	// The header: read by every operation, written only when the table
	// reaches capacity or a sweep starts or ends. Its lines stay shared in
	// every core's cache.
	tag      uint64
	seed     uint64
	cold     []atomic.Pointer[parents]
	shards   []shard
	shift    uint   // log2 of the slot size
	startOff uint32 // first generation offset of a fresh slot
	max      uint32
	tight    atomic.Bool // capacity reached: slots are no longer cached per P
	sweeping atomic.Bool // a sweep for orphaned children is pending
	_        [cacheLine - 88]byte

	// The page directory, read-mostly like the header: kept in the table
	// rather than behind a pointer so that Get's address computation has
	// one dependent load fewer.
	dir [dirLen]unsafe.Pointer // page pi's slot 0, or &emptyPage; loaded atomically

	hwm atomic.Uint32 // slots handed out from pages so far
	_   [cacheLine - 4]byte

	free atomic.Uint64 // global stack of free batches: version<<32 | head index+1
	_    [cacheLine - 8]byte

	sweepTodo   atomic.Int64  // slots left to scan for orphaned children
	sweepCursor atomic.Uint64 // next slot the incremental sweep scans
	_           [cacheLine - 16]byte
}

// cacheLine is two 64-byte lines: adjacent-line prefetch pairs them on x86.
const cacheLine = 128

// Check that the header fills its padded lines exactly.
var _ [unsafe.Offsetof(table{}.dir) - cacheLine]byte
var _ [cacheLine - unsafe.Offsetof(table{}.dir)]byte

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

func (t *table) init(shift uint, opts []Option) {
	c := config{max: MaxHandles, shards: runtime.GOMAXPROCS(0)}
	for _, o := range opts {
		o(&c)
	}
	c.max = min(max(c.max, 1), MaxHandles)
	c.shards = min(max(c.shards, 0), 1024)
	pages := (c.max + pageSize - 1) / pageSize
	t.tag = uint64(1 + rand.IntN(255))
	t.seed = rand.Uint64()
	t.max = uint32(c.max)
	t.shift = shift
	for i := range t.dir {
		t.dir[i] = unsafe.Pointer(&emptyPage)
	}
	t.cold = make([]atomic.Pointer[parents], pages)
	if c.headroom > 0 && c.headroom < genSpan {
		t.startOff = genSpan - c.headroom
	}
	t.shards = make([]shard, c.shards)
	// A shard holds up to shardCap free slots; when the caches could hide a
	// sizeable share of a small table's capacity, ErrFull would become
	// approximate, so small tables never cache.
	if c.max < 8*shardCap*c.shards {
		t.tight.Store(true)
	}
}
