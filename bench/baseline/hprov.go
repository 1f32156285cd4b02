package baseline

import "github.com/hprov/hprov/engine"

// Hprov adapts hprov's engine to Table: handles convert to and from uint64,
// errors are the engine's own.
type Hprov[T any] struct {
	t *engine.Table[T]
}

// NewHprov returns an adapter around a new engine table built with opts.
func NewHprov[T any](opts ...engine.Option) *Hprov[T] {
	return &Hprov[T]{t: engine.New[T](opts...)}
}

// Engine returns the adapted table, for operations outside Table (Reclaim).
func (a *Hprov[T]) Engine() *engine.Table[T] { return a.t }

// Insert stores v under a new handle with reference count 1.
func (a *Hprov[T]) Insert(v *T) (uint64, error) {
	h, err := a.t.Insert(v)
	return uint64(h), err
}

// InsertChild stores v under a new handle that dies with parent.
func (a *Hprov[T]) InsertChild(parent uint64, v *T) (uint64, error) {
	h, err := a.t.InsertChild(engine.Handle(parent), v)
	return uint64(h), err
}

// Get returns the value of a live handle.
func (a *Hprov[T]) Get(h uint64) (*T, bool) { return a.t.Get(engine.Handle(h)) }

// AddRef adds a reference to a live handle.
func (a *Hprov[T]) AddRef(h uint64) error { return a.t.AddRef(engine.Handle(h)) }

// Pin marks a live handle as in use and returns its value.
func (a *Hprov[T]) Pin(h uint64) (*T, error) { return a.t.Pin(engine.Handle(h)) }

// Unpin undoes one Pin.
func (a *Hprov[T]) Unpin(h uint64) { a.t.Unpin(engine.Handle(h)) }

// Release drops one reference and frees the handle, and its children, at zero.
func (a *Hprov[T]) Release(h uint64) (bool, error) { return a.t.Release(engine.Handle(h)) }

// Len counts live handles (an O(capacity) scan in the engine).
func (a *Hprov[T]) Len() int { return a.t.Len() }
