package engine

import (
	"errors"
	"fmt"
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

// Handle fields (see the package doc).
const (
	idxBits  = 24
	idxMask  = 1<<idxBits - 1
	genShift = idxBits
	tagShift = 56

	// MaxHandles is the largest capacity a table can have.
	MaxHandles = 1 << idxBits
)

// State word fields of a live slot (see the package doc).
const (
	refMask   = 1<<15 - 1
	pinShift  = 15
	pinUnit   = 1 << pinShift
	pinMask   = (1<<14 - 1) << pinShift
	kidsBit   = 1 << 29
	childBit  = 1 << 30
	liveBit   = 1 << 31
	stGenMask = 0xffffffff << 32
	checkMask = stGenMask | liveBit

	// MaxRefs and MaxPins are the largest reference and pin counts a handle
	// can hold; beyond them AddRef and Pin return ErrOverflow.
	MaxRefs = refMask
	MaxPins = pinMask >> pinShift
)

// State word fields of a free slot that is chained on the global free stack:
// the next slot's index+1 and, in the first slot of a batch, the batch's
// length.
const (
	linkBits  = idxBits + 1
	linkMask  = 1<<linkBits - 1
	countMask = (1<<6 - 1) << linkBits
)

// genSpan is the number of generations a slot issues before it is retired.
const genSpan = 1<<32 - 1

// want is the part of a state word a valid handle of generation gen matches.
func want(gen uint32) uint64 { return uint64(gen)<<32 | liveBit }
