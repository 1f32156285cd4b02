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
// Each slot holds one 64-bit state word, changed only by atomic compare-and-swap
// (or, where noted, by an atomic add that cannot change the generation), next to
// the value pointer and a parent reference:
//
//	 63                    32  31   30    29   28      15 14       0
//	+------------------------+----+-----+----+----------+----------+
//	|     generation (32)    |live|child|kids| pins(14) | refs(15) |   live slot
//	+------------------------+----+-----+----+----------+----------+
//	|     generation (32)    |  0 |         next free index + 1    |   free slot
//	+------------------------+----+--------------------------------+
//
// A handle is valid exactly when its generation equals the slot's and the live
// bit is set (and, for a child, its parent is valid). Release at reference count
// zero advances the generation in the same CAS that clears the live bit, so from
// that instant every copy of the handle fails validation. Because pins and the
// reference count live in the same word, "release only if nothing is pinned" is
// one atomic decision: Release returns ErrBusy and changes nothing while any pin
// is held. Free slots reuse the low bits as the free-list link, which keeps a
// slot at 24 bytes.
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
// The value pointer is written by Insert before the CAS (or store) that sets the
// live bit with the new generation, and cleared by Release after the CAS that
// advances it. Get loads the state, then the value, then the state again, and
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
// InsertChild records the parent's index and generation in the child's slot. A
// child is valid only while that parent generation is current, so releasing the
// parent invalidates every child with the one CAS that advances the parent's
// generation: O(1) however many children there are. Every operation that changes
// a child (Pin, AddRef, Release) first pins the parent, so a parent cannot die
// half-way through one, and a parent's last Release while a child is pinned
// returns ErrBusy. The slots of children that were not released before their
// parent ("orphans") are reclaimed lazily: the parent's death requests a sweep,
// and subsequent Inserts each scan a few slots until a full pass is done; Reclaim
// finishes the sweep at once. Children are one level deep: a child cannot have
// children of its own.
//
// # Free lists
//
// Free slots are kept per P (the runtime's processor, the same sharding
// sync.Pool uses): each shard holds two small magazines of free slots used
// without atomics while the goroutine is pinned to its P, and full magazines move
// to and from a global lock-free stack (a Treiber stack with a version counter
// against ABA). Insert and Release on different cores therefore touch no shared
// cache line in steady state; two details keep it so: a fresh magazine links its
// slots 8 apart, so slots handed out back to back (which may end up cycling on
// two Ps) do not share a line, and each page starts with a line that is only
// ever read, because the compiler's nil check before indexing a page loads its
// first byte on every operation. New pages of slots are allocated as needed and
// published with an atomic pointer store: live slots are never copied and readers
// never wait. A table that reaches its capacity stops caching slots per P so that
// ErrFull means what it says.
package engine
