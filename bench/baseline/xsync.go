package baseline

import (
	"sync/atomic"

	"github.com/puzpuzpuz/xsync/v3"
)

// XSync is SyncMap's design over xsync.MapOf, a concurrent hash map with
// lock-free reads and per-bucket locks for writes, which avoids sync.Map's
// interface boxing and scales better under concurrent inserts.
type XSync[T any] struct {
	m    *xsync.MapOf[uint64, *entry[T]]
	last atomic.Uint64
}

// NewXSync returns an empty XSync.
func NewXSync[T any]() *XSync[T] {
	return &XSync[T]{m: xsync.NewMapOf[uint64, *entry[T]]()}
}

func (t *XSync[T]) load(h uint64) (*entry[T], error) {
	if e, ok := t.m.Load(h); ok {
		return e, nil
	}
	return nil, missing(h, t.last.Load())
}

// Insert stores v under a new handle with reference count 1.
func (t *XSync[T]) Insert(v *T) (uint64, error) {
	h := t.last.Add(1)
	t.m.Store(h, newEntry(h, v, nil))
	return h, nil
}

// InsertChild stores v under a new handle that dies with parent.
func (t *XSync[T]) InsertChild(parent uint64, v *T) (uint64, error) {
	p, err := t.load(parent)
	if err != nil {
		return 0, err
	}
	kl, err := pinParent(p)
	if err != nil {
		return 0, err
	}
	h := t.last.Add(1)
	c := newEntry(h, v, p)
	t.m.Store(h, c)
	linkChild(kl, c)
	return h, nil
}

// Get returns the value of a live handle.
func (t *XSync[T]) Get(h uint64) (*T, bool) {
	e, ok := t.m.Load(h)
	if !ok {
		return nil, false
	}
	if !e.valid() {
		return nil, false
	}
	return e.val, true
}

// AddRef adds a reference to a live handle.
func (t *XSync[T]) AddRef(h uint64) error {
	e, err := t.load(h)
	if err != nil {
		return err
	}
	return addRefEntry(e)
}

// Pin marks a live handle as in use and returns its value.
func (t *XSync[T]) Pin(h uint64) (*T, error) {
	e, err := t.load(h)
	if err != nil {
		return nil, err
	}
	return pinEntry(e)
}

// Unpin undoes one Pin; it does nothing if h is not pinned.
func (t *XSync[T]) Unpin(h uint64) {
	if e, ok := t.m.Load(h); ok {
		unpinEntry(e)
	}
}

// Release drops one reference; at zero it deletes h and every child of it.
func (t *XSync[T]) Release(h uint64) (freed bool, err error) {
	e, err := t.load(h)
	if err != nil {
		return false, err
	}
	freed, orphans, err := releaseEntry(e)
	if freed {
		t.m.Delete(h)
		for _, c := range orphans {
			t.m.Delete(c.key)
		}
	}
	return freed, err
}

// Len counts live handles by a full Range.
func (t *XSync[T]) Len() int {
	n := 0
	t.m.Range(func(_ uint64, e *entry[T]) bool {
		if e.valid() {
			n++
		}
		return true
	})
	return n
}
