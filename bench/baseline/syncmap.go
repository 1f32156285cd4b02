package baseline

import (
	"sync"
	"sync/atomic"

	"github.com/hprov/hprov/engine"
)

// SyncMap is a handle table in the style of runtime/cgo.Handle: a sync.Map
// keyed by an atomic counter whose values are never reused, so a deleted key
// is stale forever and a key above the counter was never issued.
type SyncMap[T any] struct {
	m    sync.Map // uint64 -> *entry[T]
	last atomic.Uint64
}

// NewSyncMap returns an empty SyncMap.
func NewSyncMap[T any]() *SyncMap[T] { return new(SyncMap[T]) }

func (t *SyncMap[T]) load(h uint64) (*entry[T], error) {
	if e, ok := t.m.Load(h); ok {
		return e.(*entry[T]), nil
	}
	return nil, missing(h, t.last.Load())
}

// missing tells a never-issued key from a deleted one.
func missing(h, last uint64) error {
	if h == 0 || h > last {
		return engine.ErrInvalidHandle
	}
	return engine.ErrStale
}

// Insert stores v under a new handle with reference count 1.
func (t *SyncMap[T]) Insert(v *T) (uint64, error) {
	h := t.last.Add(1)
	t.m.Store(h, newEntry(h, v, nil))
	return h, nil
}

// InsertChild stores v under a new handle that dies with parent.
func (t *SyncMap[T]) InsertChild(parent uint64, v *T) (uint64, error) {
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
func (t *SyncMap[T]) Get(h uint64) (*T, bool) {
	e, ok := t.m.Load(h)
	if !ok {
		return nil, false
	}
	en := e.(*entry[T])
	if !en.valid() {
		return nil, false
	}
	return en.val, true
}

// AddRef adds a reference to a live handle.
func (t *SyncMap[T]) AddRef(h uint64) error {
	e, err := t.load(h)
	if err != nil {
		return err
	}
	return addRefEntry(e)
}

// Pin marks a live handle as in use and returns its value.
func (t *SyncMap[T]) Pin(h uint64) (*T, error) {
	e, err := t.load(h)
	if err != nil {
		return nil, err
	}
	return pinEntry(e)
}

// Unpin undoes one Pin; it does nothing if h is not pinned.
func (t *SyncMap[T]) Unpin(h uint64) {
	if e, ok := t.m.Load(h); ok {
		unpinEntry(e.(*entry[T]))
	}
}

// Release drops one reference; at zero it deletes h and every child of it.
func (t *SyncMap[T]) Release(h uint64) (freed bool, err error) {
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
func (t *SyncMap[T]) Len() int {
	n := 0
	t.m.Range(func(_, e any) bool {
		if e.(*entry[T]).valid() {
			n++
		}
		return true
	})
	return n
}
