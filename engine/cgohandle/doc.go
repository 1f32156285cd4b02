// Package cgohandle is a drop-in replacement for [runtime/cgo.Handle] built on
// hprov's generational handle table ([github.com/hprov/hprov/engine]).
//
// A Handle is an integer that stands for a Go value, so that the value can
// travel through C code, which may not keep Go pointers, and come back to Go.
// runtime/cgo implements this with one global sync.Map and a counter; new
// keys take the map's mutex and every NewHandle allocates a map entry, which
// users of busy cgo bridges see as contention (golang/go#21035). This package
// keeps the API and the observable behaviour and replaces the map with an
// engine table: a handle names a slot directly, lookups take no lock, and
// freed slots are reused.
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
// # Limits
//
// Handle is a uintptr, like runtime/cgo's, and an engine handle is 64 bits
// wide (slot index plus generation). It fits only where uintptr has 64 bits,
// so the package builds only for 64-bit architectures; on a 32-bit one the
// build fails with an error that names this limitation rather than silently
// truncating handles. The number of handles alive at once is bounded by the
// table's capacity; [NewHandle] panics with runtime/cgo's "ran out of handle
// space" message when it is exhausted, where runtime/cgo would only run out
// after 2^64 handles in the life of the process.
package cgohandle
