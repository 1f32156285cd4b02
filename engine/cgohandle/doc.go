// Package cgohandle is a drop-in replacement for [runtime/cgo.Handle] built on
// hprov's generational handle table ([github.com/hprov/hprov/engine]).
//
// A Handle is an integer that stands for a Go value, so that the value can
// travel through C code, which may not keep Go pointers, and come back to Go.
// runtime/cgo implements this with a global sync.Map keyed by a global atomic
// counter: every NewHandle adds to the one shared counter, locks a node of the
// map and allocates an entry, and every Value hashes the key and walks the
// map's trie. Before Go 1.24 sync.Map took a single mutex for new keys, and
// users of busy cgo bridges reported the contention (golang/go#21035). This
// package keeps the API and the observable behaviour and replaces the map with
// an engine table: a handle names its slot directly, no operation takes a
// lock, New and Delete in steady state touch only their CPU's free-slot cache,
// and freed slots are reused.
//
// # Migrating
//
// Change the import
//
//	import "runtime/cgo"
//
// to
//
//	import "github.com/hprov/hprov/engine/cgohandle"
//
// and the qualifier cgo. to cgohandle. in the code that uses handles:
// cgohandle.NewHandle, cgohandle.Handle, h.Value and h.Delete behave as their
// runtime/cgo namesakes, including the panics and their messages. Nothing
// else changes. (If the file also uses other runtime/cgo names, such as
// cgo.Incomplete, keep that import for them.) A program may use both packages
// at once, but a handle only means something to the package that issued it.
// [New] is the same as NewHandle under a shorter name.
//
// # What this package adds
//
// runtime/cgo never reuses a handle value, so a deleted handle simply stays
// absent from its map. This package reuses slots, and every slot carries a
// generation that advances when its handle is deleted: a deleted handle never
// validates again, not even after its slot holds a newer value, so a stale
// handle passed back from C panics instead of reaching somebody else's value.
// A slot whose generation would wrap around is retired rather than reused, so
// no handle value is ever issued twice. [TryValue] reports an invalid handle
// with a boolean instead of a panic, for callers that would rather return an
// error to C than crash.
//
// # Global state
//
// The one package-level table in this package is the only global state in
// hprov, and it is here because the API it copies demands it: h.Value() and
// h.Delete() receive nothing but the integer, and C code can hand that
// integer to any goroutine, so the table they consult cannot be passed in and
// has to be reachable from the package itself, exactly like runtime/cgo's
// sync.Map. Code that can pass a table around should use the engine directly.
//
// # Limits and differences
//
// Handle is a uintptr, like runtime/cgo's, and an engine handle is 64 bits
// wide (tag, generation and slot index). It fits only where uintptr has 64
// bits, so the package builds only for 64-bit architectures; on a 32-bit one
// the build fails with an error that names this limitation rather than
// silently truncating handles.
//
// runtime/cgo's handles are a counter, so in practice they are small numbers
// and C code that stored them in an int got away with it. These handles use
// all 64 bits (the top byte is never zero): C code must keep them in a
// uintptr_t, which is what runtime/cgo documents anyway.
//
// At most 2^24 (16,777,216) handles can be alive at once; [NewHandle] panics
// with runtime/cgo's "ran out of handle space" message beyond that, where
// runtime/cgo is limited only by memory. Each live handle costs a 32-byte
// slot of an [engine.AnyTable], which holds both words of the interface value
// itself, so NewHandle allocates nothing of its own (runtime/cgo allocates
// twice: a sync.Map entry and a box for its integer key). What Go itself
// allocates is unchanged: passing a non-pointer value (an int, a struct) to
// NewHandle converts it to an interface, which boxes it on the heap in the
// caller, with either package; a pointer, map, channel or func value is
// stored as it is. A lookup racing with a Delete reads both words between
// two checks of the slot's generation, so it returns the old value or
// nothing, never half of another handle's value. Slots are allocated 4096 at
// a time as needed and the table never shrinks.
package cgohandle
