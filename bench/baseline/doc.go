// Package baseline holds the handle tables that hprov's engine is measured
// against, behind one operation set, Table, that the engine satisfies too.
//
// Every implementation follows the engine's semantics, so that a benchmark
// compares like with like: Insert returns a handle with reference count 1,
// Release drops one reference and frees the handle at zero, a last Release that
// meets a pin (on the handle or on any of its children) returns ErrBusy and
// changes nothing, children die with their parent, and a released handle is
// rejected forever after. Errors are the engine's own values (engine.ErrStale,
// engine.ErrBusy, ...), so errors.Is reads the same whichever table produced
// them.
//
// What differs is the design, each one done as well as that design allows:
//
//   - Hprov adapts *engine.Table: generational slots, lock-free, children
//     invalidated in O(1) by their parent's generation.
//   - SyncMap is the runtime/cgo.Handle design: a sync.Map from an
//     ever-increasing counter to an entry. Values are never reused, so a deleted
//     key is stale for good.
//   - XSync is the same design over github.com/puzpuzpuz/xsync/v3's MapOf, a
//     faster concurrent hash map.
//   - Mutex is the classic handle table (Wine's rsaenh handle.c, with
//     generations added): one slice of slots, a free list and one sync.Mutex
//     around everything.
//
// The map tables and the mutex table keep each parent's children in a list and
// free them one by one in the parent's last Release: O(children), their natural
// design, which is what the engine's O(1) invalidation is compared with.
package baseline
