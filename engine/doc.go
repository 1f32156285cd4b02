// Package engine is a lock-free table of opaque 64-bit handles with generation
// counters: validation in a few nanoseconds, no locks on any operation, and safe
// invalidation, so that a released or stale handle never reaches a live object
// again and releasing a parent invalidates all of its children at once.
//
// # Handle layout
//
// A Handle packs three fields:
//
//	 63      56 55                              24 23                    0
//	+----------+----------------------------------+-----------------------+
//	|  tag (8) |          generation (32)         |       index (24)      |
//	+----------+----------------------------------+-----------------------+
//
// The fields:
//
//   - tag: drawn at random (non-zero) by New, the same for every handle of one
//     table. Zero, and most handles of another table, fail this check alone.
//   - index: the slot, at most 1<<24 slots per table.
//   - generation: the slot's generation when the handle was issued. Each slot
//     starts at its own pseudo-random base generation (a hash of a per-table seed
//     and the index), so a handle with corrupted index bits, or a handle of
//     another table whose tag happens to match, names a slot whose current
//     generation it matches only with probability 2^-32. A random 64-bit number
//     is accepted with probability about 2^-40.
//
// # Slot state
//
// A slot is 16 bytes: one 64-bit state word, changed only by atomic
// compare-and-swap or store, and the value pointer (an AnyTable's slot adds
// the interface's type word and is 32 bytes). Slots are aligned to their size,
// so a slot never straddles a cache line. What only slow paths need lives
// elsewhere: a child's parent reference in a per-page side array allocated
// with the page's first child, and the global free stack's links in the free
// state word itself. A table of 10 million top-level handles costs 16 bytes
// per handle plus about 100 KB per table (bench's MemoryPerHandle: 16.01).
//
//	 63                    32  31   30    29   28      15 14       0
//	+------------------------+----+-----+----+----------+----------+
//	|     generation (32)    |live|child|kids| pins(14) | refs(15) |   live slot
//	+------------------------+----+-----+----+----------+----------+
//	|     generation (32)    |  0 |count(6)| next index + 1 (25) |   free slot
//	+------------------------+----+--------+---------------------+
//
// A handle is valid exactly when its generation equals the slot's and the live
// bit is set (and, for a child, its parent is valid). Release at reference count
// zero advances the generation in the same CAS that clears the live bit, so from
// that instant every copy of the handle fails validation. Because pins and the
// reference count live in the same word, "release only if nothing is pinned" is
// one atomic decision: Release returns ErrBusy and changes nothing while any pin
// is held. A free slot's low bits are used only while it sits on the global
// free stack (see free.go): the next slot's index and, in a batch's first slot,
// the batch's length.
//
// # Cost of each operation
//
// Counted on the fast paths (a top-level handle; Insert and Release finding
// their P's free-slot cache neither empty nor full), from the code and its
// amd64 assembly. "RMW" is a locked instruction: a CAS, or Go's atomic store,
// which on amd64 is an XCHG and costs as much. No fast path writes a cache
// line that another P's fast path writes.
//
//	operation  RMW  procPin pairs  cache lines touched                      calls
//	Get        0    0              header, directory entry, slot (3 loads)   1
//	Insert     2    1              header, P's cache, slot                   4
//	Release    1    1              header, directory entry, slot, P's cache  4
//	Pin        1    0              header, directory entry, slot             3
//	Unpin      1    0              header, directory entry, slot             1
//	AddRef     1    0              header, directory entry, slot             3
//
// Calls are counted from the typed method, which inlines into the caller:
// Get calls the engine's get; Insert calls insert, which calls procPin,
// procUnpin and the runtime's pointer store; Release calls release, which
// calls give, which calls procPin and procUnpin; Pin and AddRef call their
// core function, enter and modify.
//
// Insert's two RMWs are the value store (a call into the runtime, for the
// write barrier) and the store of the live state word; Release's is the CAS
// that advances the generation. A mutex table pays four (Lock and Unlock
// around Insert and around Release) and shares one line among all cores.
// The table's header and directory are written only when a page is added,
// the table fills, or a sweep starts or ends, so they stay shared in every
// core's cache. Get is a small function (Table.Get inlines into the caller
// and calls it): with the child check it stays above the inliner's budget,
// and the slow paths are kept out of it. A child's Get adds the side-array
// load and its parent's state word; a child's Pin, AddRef and Release pin
// and unpin the parent around the change (two more RMWs).
//
// # Generations never wrap
//
// A slot issues generations base, base+1, ... (mod 2^32); when the next
// generation would be base+2^32-1 the slot is retired instead of reused: it stays
// dead forever and is never put back on a free list. So a generation value is
// issued at most once per slot and a stale handle can never alias a later
// occupant. Retiring costs one 24-byte slot per 2^32-1 reuses of that slot; at
// 10^8 releases per second of one slot that is one slot every 43 seconds, and the
// 2^24-slot index space is exhausted only after 2^56 releases (about 22 years at
// that rate). WithGenerationHeadroom starts slots near the limit so tests can
// reach it.
//
// # Why a stale handle never observes a reused slot's new object
//
// The value pointer (both words, in an AnyTable) is written by Insert before
// the store that sets the live bit with the new generation; Release leaves it
// in place after the CAS that advances the generation, until the slot is
// reused or leaves its P's cache. Get loads the state, then the value, then the state again, and
// accepts only if both state loads carry the handle's generation with the live
// bit. Go's atomics are sequentially consistent, so if the value load saw an
// object written by a later occupant, that write followed the generation advance,
// and the second state load, which follows the value load, sees the advanced
// generation and Get rejects. Generations of a slot only grow (see above), so
// seeing the handle's generation twice means no release happened in between.
// Pin and the other mutating operations validate inside their CAS, which fails if
// the word changed since it was read.
//
// # Children
//
// InsertChild records the parent's index and generation for the child. A
// child is valid only while that parent generation is current, so releasing
// the parent invalidates every child with the one CAS that advances the
// parent's generation: O(1) however many children there are. Every operation
// that changes a child (Pin, AddRef, Release) first pins the parent, so a
// parent cannot die half-way through one, and a parent's last Release while a
// child is pinned returns ErrBusy. The slots of children that were not
// released before their parent ("orphans") are reclaimed lazily: the parent's
// death raises a flag in the table's header, and while it is up each Insert
// scans a few slots until a full pass is done; Reclaim finishes the sweep at
// once. Children are one level deep: a child cannot have children of its own.
// The details are in children.go.
//
// # Free lists
//
// Free slots are kept per P (the runtime's processor, the same sharding
// sync.Pool uses): each P has a fixed array of free slots, used without
// atomics while the goroutine is pinned to its P, which records each slot's
// next generation so that Insert writes the slot without reading it first.
// Batches move between the arrays and a global lock-free stack (a Treiber
// stack with a version counter against ABA) only when an array runs empty or
// full. New pages of slots are allocated as needed and published with an
// atomic pointer store in a directory that covers every possible page: live
// slots are never copied and readers never wait. A table that reaches its
// capacity stops caching slots per P so that ErrFull means what it says. The
// details, and why fresh slots are handed out 8 apart, are in free.go.
//
// # Files
//
// handle.go has the bit layouts; slot.go the slots, pages and directory;
// core.go the table and its options; ops.go the operations; children.go
// children and sweeps; free.go the free lists; table.go and anytable.go the
// typed faces, Table[T] for pointers and AnyTable for interface values.
package engine
