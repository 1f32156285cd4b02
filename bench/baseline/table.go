package baseline

import (
	"fmt"
	"strings"
)

// Table is the operation set shared by hprov's engine and every baseline.
// Handles are plain uint64 values; 0 is never a valid handle.
type Table[T any] interface {
	// Insert stores v under a new handle with reference count 1.
	Insert(v *T) (uint64, error)
	// InsertChild stores v under a new handle that dies with parent. A child
	// cannot have children of its own.
	InsertChild(parent uint64, v *T) (uint64, error)
	// Get returns the value of a live handle. It has no side effect.
	Get(h uint64) (*T, bool)
	// Pin marks a live handle as in use (a child pins its parent too) and
	// returns its value; its last Release fails with ErrBusy until Unpin.
	Pin(h uint64) (*T, error)
	// Unpin undoes one Pin. Unpinning a handle that is not pinned does nothing.
	Unpin(h uint64)
	// Release drops one reference and frees the handle, and its children, at
	// zero.
	Release(h uint64) (freed bool, err error)
	// Len counts live handles, children included. It is meant for leak checks,
	// not hot paths.
	Len() int
}

// Impls names the implementations New knows, the engine first.
var Impls = []string{"hprov", "syncmap", "xsync", "mutex"}

// New returns a new, empty table of the named implementation (one of Impls).
func New[T any](impl string) (Table[T], error) {
	switch impl {
	case "hprov":
		return NewHprov[T](), nil
	case "syncmap":
		return NewSyncMap[T](), nil
	case "xsync":
		return NewXSync[T](), nil
	case "mutex":
		return NewMutex[T](), nil
	}
	return nil, fmt.Errorf("baseline: unknown implementation %q (valid: %s)", impl, strings.Join(Impls, ", "))
}

// Limits shared with the engine, so that ErrOverflow strikes at the same
// counts everywhere.
const (
	maxRefs = 1<<15 - 1 // 32767
	maxPins = 1<<14 - 1 // 16383
)
