package engine

import "unsafe"

// AnyTable is a Table whose slots hold an interface value itself rather than
// a pointer to one: both words of the interface live in the slot (32 bytes
// instead of 16), so storing a value costs no allocation beyond the one Go
// makes when it converts a non-pointer value to an interface. It is what a
// cgo.Handle-style registry of arbitrary values needs; its rules and
// guarantees are Table's, and Get reads both words between the same two
// state loads, so a stale handle never sees another handle's value.
type AnyTable struct{ table }

// NewAny returns an empty AnyTable.
func NewAny(opts ...Option) *AnyTable {
	t := new(AnyTable)
	t.init(wideSlotShift, opts)
	return t
}

// eface is the layout of an interface value with no methods (the runtime's
// eface): its type word and its data word. Go has kept this layout since
// 1.0, and code outside the runtime (reflect's own tests, unsafe-based
// serialisers) depends on it.
type eface struct {
	typ, data unsafe.Pointer
}

func split(v any) (data, typ unsafe.Pointer) {
	e := (*eface)(unsafe.Pointer(&v))
	return e.data, e.typ
}

func join(data, typ unsafe.Pointer) any {
	var v any
	e := (*eface)(unsafe.Pointer(&v))
	e.typ, e.data = typ, data
	return v
}

// Insert stores v and returns a new handle to it with reference count 1.
func (t *AnyTable) Insert(v any) (Handle, error) {
	data, typ := split(v)
	return t.insert(data, typ, 0, 0)
}

// InsertChild stores v as a child of parent; see Table.InsertChild.
func (t *AnyTable) InsertChild(parent Handle, v any) (Handle, error) {
	data, typ := split(v)
	return t.insertChild(parent, data, typ)
}

// Get returns the value of h, or false if h is not valid.
func (t *AnyTable) Get(h Handle) (any, bool) {
	data, typ, ok := t.getWide(h)
	if !ok {
		return nil, false
	}
	return join(data, typ), true
}

// Pin marks h as in use and returns its value; see Table.Pin.
func (t *AnyTable) Pin(h Handle) (any, error) {
	s, err := t.pin(h)
	if err != nil {
		return nil, err
	}
	return join(s.load(), wide(s).loadAux()), nil
}

// Unpin undoes one Pin of h; see Table.Unpin.
func (t *AnyTable) Unpin(h Handle) { t.unpin(h) }

// AddRef adds one reference to h; see Table.AddRef.
func (t *AnyTable) AddRef(h Handle) error { return t.addRef(h) }

// Release drops one reference to h; see Table.Release.
func (t *AnyTable) Release(h Handle) (freed bool, err error) { return t.release(h) }

// Len returns the number of live handles; see Table.Len.
func (t *AnyTable) Len() int { return t.len() }

// Reclaim frees the slots of orphaned children; see Table.Reclaim.
func (t *AnyTable) Reclaim() int { return t.reclaim() }
