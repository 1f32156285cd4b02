package engine

import "unsafe"

// Table is a concurrent table of handles to values of type *T. All methods
// are safe for concurrent use and none of them takes a lock.
//
// Table is a thin typed face of the untyped engine: each method converts and
// calls, so it inlines into the caller and the engine's code is not
// instantiated per type.
type Table[T any] struct{ table }

// New returns an empty table.
func New[T any](opts ...Option) *Table[T] {
	t := new(Table[T])
	t.init(slotShift, opts)
	return t
}

// Insert stores v and returns a new handle to it with reference count 1.
func (t *Table[T]) Insert(v *T) (Handle, error) { return t.insert(unsafe.Pointer(v), nil, 0, 0) }

// InsertChild stores v as a child of parent and returns its handle. The child
// is invalidated when parent is released for the last time, whether or not it
// was released itself. A child cannot be a parent.
func (t *Table[T]) InsertChild(parent Handle, v *T) (Handle, error) {
	return t.insertChild(parent, unsafe.Pointer(v), nil)
}

// Get returns the value of h, or false if h is not valid. It has no side
// effects and never blocks.
func (t *Table[T]) Get(h Handle) (*T, bool) {
	p, ok := t.get(h)
	return (*T)(p), ok
}

// Pin marks h as in use and returns its value: until the matching Unpin, the
// last Release of h (or, for a child, of its parent) returns ErrBusy. Pins
// nest.
func (t *Table[T]) Pin(h Handle) (*T, error) {
	s, err := t.pin(h)
	if err != nil {
		return nil, err
	}
	return (*T)(s.load()), nil
}

// Unpin undoes one Pin of h. Unpin of a handle that is not pinned, or not
// valid, does nothing. Like a counting semaphore's release, an Unpin with no
// matching Pin cannot be told apart from a legitimate one when h is pinned
// by someone else, and a parent is pinned by its children's operations: it
// then takes one of those pins, and the last Release of h no longer waits
// for it. The table itself stays consistent whatever the calls.
func (t *Table[T]) Unpin(h Handle) { t.unpin(h) }

// AddRef adds one reference to h: one more Release is needed to free it.
func (t *Table[T]) AddRef(h Handle) error { return t.addRef(h) }

// Release drops one reference to h. At zero the handle, and every child of
// it, becomes stale and freed reports true; if h or one of its children is
// pinned at that point, Release returns ErrBusy and changes nothing.
func (t *Table[T]) Release(h Handle) (freed bool, err error) { return t.release(h) }

// Len returns the number of live handles, children included (children of a
// released parent are not live). It walks the whole table: it is meant for
// leak checks and tests, and keeping a count instead would put a shared
// counter on every Insert and Release. Under concurrent use the result is a
// snapshot of no single instant.
func (t *Table[T]) Len() int { return t.len() }

// Reclaim frees the slots of every child whose parent has been released and
// returns how many it freed. Insert does this work a few slots at a time after
// a parent with children is released; Reclaim finishes it at once.
func (t *Table[T]) Reclaim() int { return t.reclaim() }
