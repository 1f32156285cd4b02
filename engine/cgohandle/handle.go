//go:build amd64 || arm64 || loong64 || mips64 || mips64le || ppc64 || ppc64le || riscv64 || s390x || wasm

package cgohandle

import (
	"errors"
	"runtime"

	"github.com/hprov/hprov/engine"
)

// The panic values are runtime/cgo's own strings, not errors wrapping them,
// so that code recovering from a misuse sees exactly what it saw before
// migrating.
const (
	msgInvalid = "runtime/cgo: misuse of an invalid Handle"
	msgFull    = "runtime/cgo: ran out of handle space"
)

// table holds every handle's value. See the package documentation for why a
// package-level table is unavoidable here.
//
// The engine sizes its per-P free-slot caches by GOMAXPROCS when the table is
// made, which for this table is during package initialization; the runtime
// may raise GOMAXPROCS later (up to the CPU count, when a container's CPU
// limit changes), and Ps without a cache fall back to the shared free stack.
// A cache is 640 bytes, so there is one per CPU from the start.
var table = engine.NewAny(engine.WithShards(max(runtime.GOMAXPROCS(0), runtime.NumCPU())))

// Handle provides a way to pass values that contain Go pointers between Go
// and C without breaking the cgo pointer passing rules, exactly like
// runtime/cgo.Handle. The zero Handle is never valid, so C code may use it as
// a sentinel.
type Handle uintptr

// NewHandle returns a handle for v. The handle is valid until Delete is called
// on it, so a program must call Delete once neither Go nor C needs the handle.
//
// NewHandle panics with runtime/cgo's message "ran out of handle space" if the
// table has no free slot.
func NewHandle(v any) Handle {
	return newIn(table, v)
}

// New is NewHandle.
func New(v any) Handle {
	return newIn(table, v)
}

// Value returns the value h was created for. It panics with runtime/cgo's
// message "misuse of an invalid Handle" if h is zero, deleted or was never
// issued.
func (h Handle) Value() any {
	return valueIn(table, h)
}

// Delete invalidates h for good. It panics with runtime/cgo's message
// "misuse of an invalid Handle" if h is zero, already deleted or was never
// issued; a failed Delete changes nothing.
func (h Handle) Delete() {
	deleteIn(table, h)
}

// TryValue is h.Value that reports an invalid h with ok == false instead of
// panicking.
func TryValue(h Handle) (v any, ok bool) {
	return tryValueIn(table, h)
}

// The functions below take the table as an argument so that tests can run
// them on small tables, to reach exhaustion and slot retirement cheaply.

func newIn(t *engine.AnyTable, v any) Handle {
	h, err := t.Insert(v)
	if err != nil {
		if errors.Is(err, engine.ErrFull) {
			panic(msgFull)
		}
		// Insert has no other documented failure; if the engine grows
		// one, say what happened rather than pretend the table is full.
		panic("cgohandle: " + err.Error())
	}
	return Handle(h)
}

func valueIn(t *engine.AnyTable, h Handle) any {
	v, ok := t.Get(engine.Handle(h))
	if !ok {
		panic(msgInvalid)
	}
	return v
}

func tryValueIn(t *engine.AnyTable, h Handle) (any, bool) {
	return t.Get(engine.Handle(h))
}

func deleteIn(t *engine.AnyTable, h Handle) {
	// Every handle is inserted with a reference count of one and never
	// pinned or referenced again, so Release either frees it or fails
	// because h is not a live handle (zero, stale, forged). ErrBusy and
	// ErrOverflow cannot occur.
	if _, err := t.Release(engine.Handle(h)); err != nil {
		panic(msgInvalid)
	}
}
