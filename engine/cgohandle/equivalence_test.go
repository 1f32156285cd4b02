package cgohandle

import (
	"fmt"
	"reflect"
	"testing"
)

// api is the surface runtime/cgo and this package share, over plain uintptrs
// so that one table of cases can drive both.
type api struct {
	name   string
	new    func(any) uintptr
	value  func(uintptr) any
	delete func(uintptr)
}

var hprov = &api{
	name:   "hprov",
	new:    func(v any) uintptr { return uintptr(NewHandle(v)) },
	value:  func(h uintptr) any { return Handle(h).Value() },
	delete: func(h uintptr) { Handle(h).Delete() },
}

// The panic message of a misused handle, spelled out here rather than taken
// from the package so that a typo there is caught even without cgo.
const cgoInvalidMessage = "runtime/cgo: misuse of an invalid Handle"

type opKind int

const (
	opNew opKind = iota
	opValue
	opDelete
)

func (k opKind) String() string {
	return [...]string{"new", "value", "delete"}[k]
}

// A ref names the handle an operation applies to: the i-th handle returned
// by New in the same case, or a value that neither implementation issued.
type ref struct {
	kind  refKind
	index int
}

type refKind int

const (
	refIssued refKind = iota
	refZero
	refAllOnes   // ^uintptr(0)
	refForgedTag // an issued handle with a bit of forgeTagBit flipped
	refForgedGen // an issued handle with forgeGenBit flipped
)

func issued(i int) ref { return ref{kind: refIssued, index: i} }

var (
	zero    = ref{kind: refZero}
	allOnes = ref{kind: refAllOnes}
)

func forgedTag(i int) ref { return ref{kind: refForgedTag, index: i} }
func forgedGen(i int) ref { return ref{kind: refForgedGen, index: i} }

// Forged handles are issued handles with one high bit flipped: runtime/cgo's
// counter never gets near those bits in a test run, so neither side has
// issued the result. In the engine's layout (tag 63-56, generation 55-24,
// index 23-0) forgeTagBit makes the handle look like another table's and
// forgeGenBit gives it a generation its slot is not at. Low bits are not
// flipped: for runtime/cgo, a neighbouring number may well be a live handle.
const (
	forgeTagBit = 1 << 62
	forgeGenBit = 1 << 40
)

type op struct {
	kind opKind
	ref  ref // opValue, opDelete
	v    any // opNew
	// wantPanic is the expected runtime/cgo behaviour; it keeps the table
	// of cases honest, since comparing the two implementations alone would
	// not notice a case that exercises nothing.
	wantPanic bool
}

func newOp(v any) op                        { return op{kind: opNew, v: v} }
func valueOp(r ref) op                      { return op{kind: opValue, ref: r} }
func deleteOp(r ref) op                     { return op{kind: opDelete, ref: r} }
func panics(o op) op                        { o.wantPanic = true; return o }
func repeat(n int, f func(i int) []op) []op { return repeatFrom(0, n, f) }

func repeatFrom(from, to int, f func(i int) []op) []op {
	var ops []op
	for i := from; i < to; i++ {
		ops = append(ops, f(i)...)
	}
	return ops
}

// outcome is what a caller can observe of one operation.
type outcome struct {
	panicked   bool
	panicValue any
	// sameValue: Value returned the very value New stored for that handle.
	sameValue bool
}

func (o outcome) String() string {
	if o.panicked {
		return fmt.Sprintf("panic(%#v)", o.panicValue)
	}
	return fmt.Sprintf("returned (same value: %v)", o.sameValue)
}

// identical reports whether got is the value that was stored: the same
// dynamic type and, for reference kinds, the same referent rather than an
// equal copy.
func identical(stored, got any) bool {
	if stored == nil || got == nil {
		return stored == nil && got == nil
	}
	s, g := reflect.ValueOf(stored), reflect.ValueOf(got)
	if s.Type() != g.Type() {
		return false
	}
	switch s.Kind() {
	case reflect.Func, reflect.Map, reflect.Chan, reflect.Pointer, reflect.UnsafePointer:
		return s.Pointer() == g.Pointer()
	case reflect.Slice:
		return s.Pointer() == g.Pointer() && s.Len() == g.Len() && s.Cap() == g.Cap()
	}
	if s.Comparable() {
		return stored == got
	}
	return reflect.DeepEqual(stored, got)
}

// run applies ops to one implementation and returns one outcome per op.
// Handles left alive at the end are deleted so cases do not leak into each
// other.
func run(t *testing.T, a api, ops []op) []outcome {
	t.Helper()
	var hs []uintptr
	var vals []any
	deleted := map[int]bool{}
	resolve := func(r ref) uintptr {
		switch r.kind {
		case refZero:
			return 0
		case refAllOnes:
			return ^uintptr(0)
		case refForgedTag:
			return hs[r.index] ^ forgeTagBit
		case refForgedGen:
			return hs[r.index] ^ forgeGenBit
		}
		return hs[r.index]
	}
	outs := make([]outcome, len(ops))
	for i, o := range ops {
		func() {
			defer func() {
				if r := recover(); r != nil {
					outs[i] = outcome{panicked: true, panicValue: r}
				}
			}()
			switch o.kind {
			case opNew:
				h := a.new(o.v)
				if h == 0 {
					t.Errorf("%s: op %d: new returned the zero handle", a.name, i)
				}
				// Neither implementation ever issues a handle value twice,
				// not even after the first one was deleted.
				for j, old := range hs {
					if old == h {
						t.Errorf("%s: op %d: new returned %#x, issued before as handle %d", a.name, i, h, j)
					}
				}
				hs = append(hs, h)
				vals = append(vals, o.v)
			case opValue:
				got := a.value(resolve(o.ref))
				outs[i].sameValue = o.ref.kind == refIssued && identical(vals[o.ref.index], got)
			case opDelete:
				h := resolve(o.ref)
				a.delete(h)
				if o.ref.kind == refIssued {
					deleted[o.ref.index] = true
				}
			}
		}()
	}
	for j, h := range hs {
		if !deleted[j] {
			a.delete(h)
		}
	}
	return outs
}

type point struct{ x, y int }

func equivalenceCases() []struct {
	name string
	ops  []op
} {
	fn := func() int { return 42 }
	slice := []byte("abc")
	m := map[string]int{"a": 1}
	ch := make(chan int)
	p := &point{1, 2}
	var nilPtr *point
	var nilErr error

	return []struct {
		name string
		ops  []op
	}{
		{"new value delete", []op{newOp("hello"), valueOp(issued(0)), deleteOp(issued(0))}},
		{"value of zero", []op{panics(valueOp(zero))}},
		{"delete of zero", []op{panics(deleteOp(zero))}},
		{"value of all ones", []op{panics(valueOp(allOnes))}},
		{"delete of all ones", []op{panics(deleteOp(allOnes))}},
		{"double delete", []op{newOp(1), deleteOp(issued(0)), panics(deleteOp(issued(0)))}},
		{"value after delete", []op{newOp(1), deleteOp(issued(0)), panics(valueOp(issued(0)))}},
		{"value repeated", []op{newOp(p), valueOp(issued(0)), valueOp(issued(0)), valueOp(issued(0))}},
		{"forged value and delete", []op{
			newOp(p), panics(valueOp(forgedTag(0))), panics(deleteOp(forgedTag(0))),
			panics(valueOp(forgedGen(0))), panics(deleteOp(forgedGen(0))),
			valueOp(issued(0)), deleteOp(issued(0)),
		}},
		{"forged from a deleted handle", []op{
			newOp(1), deleteOp(issued(0)),
			panics(valueOp(forgedTag(0))), panics(deleteOp(forgedTag(0))),
			panics(valueOp(forgedGen(0))), panics(deleteOp(forgedGen(0))),
		}},
		{"nil value", []op{newOp(nil), valueOp(issued(0)), deleteOp(issued(0)), panics(valueOp(issued(0)))}},
		{"typed nil pointer", []op{newOp(nilPtr), valueOp(issued(0)), deleteOp(issued(0))}},
		{"nil error interface", []op{newOp(nilErr), valueOp(issued(0))}},
		{"values of every kind", []op{
			newOp(7), newOp("s"), newOp(point{3, 4}), newOp(p), newOp(fn), newOp(slice),
			newOp(m), newOp(ch), newOp(3.5), newOp(true), newOp([2]int{1, 2}),
			newOp(Handle(5)), newOp(uintptr(5)), newOp(struct{}{}),
			valueOp(issued(0)), valueOp(issued(1)), valueOp(issued(2)), valueOp(issued(3)),
			valueOp(issued(4)), valueOp(issued(5)), valueOp(issued(6)), valueOp(issued(7)),
			valueOp(issued(8)), valueOp(issued(9)), valueOp(issued(10)), valueOp(issued(11)),
			valueOp(issued(12)), valueOp(issued(13)),
		}},
		{"same value twice gets two handles", []op{
			newOp(p), newOp(p), deleteOp(issued(0)), valueOp(issued(1)),
			panics(valueOp(issued(0))), deleteOp(issued(1)), panics(deleteOp(issued(1))),
		}},
		{"delete one of two", []op{
			newOp("a"), newOp("b"), deleteOp(issued(0)), valueOp(issued(1)),
			panics(valueOp(issued(0))), deleteOp(issued(1)),
		}},
		// The slot freed by the first delete is the natural one for the
		// next New to take: the stale handle must stay dead and must not
		// disturb the live one.
		{"stale handle after reuse", []op{
			newOp("old"), deleteOp(issued(0)), newOp("new"),
			panics(valueOp(issued(0))), valueOp(issued(1)),
			panics(deleteOp(issued(0))), valueOp(issued(1)),
			deleteOp(issued(1)), panics(valueOp(issued(1))), panics(valueOp(issued(0))),
		}},
		{"churn through one slot", repeat(50, func(i int) []op {
			return []op{newOp(i), valueOp(issued(i)), deleteOp(issued(i)), panics(valueOp(issued(i)))}
		})},
		{"every stale handle after churn", append(
			repeat(50, func(i int) []op { return []op{newOp(i), deleteOp(issued(i))} }),
			repeat(50, func(i int) []op {
				return []op{panics(valueOp(issued(i))), panics(deleteOp(issued(i)))}
			})...)},
		{"many live then deleted in reverse", append(append(
			repeat(300, func(i int) []op { return []op{newOp(fmt.Sprint(i))} }),
			repeat(300, func(i int) []op { return []op{valueOp(issued(299 - i))} })...),
			repeat(300, func(i int) []op {
				return []op{deleteOp(issued(299 - i)), panics(valueOp(issued(299 - i)))}
			})...)},
		{"interleaved", append(
			repeat(100, func(i int) []op {
				ops := []op{newOp(i)}
				if i%3 == 0 {
					ops = append(ops, deleteOp(issued(i)))
				}
				return ops
			}),
			repeat(100, func(i int) []op {
				if i%3 == 0 {
					return []op{panics(valueOp(issued(i))), panics(deleteOp(issued(i)))}
				}
				return []op{valueOp(issued(i)), deleteOp(issued(i))}
			})...)},
		{"failed delete changes nothing", []op{
			newOp("a"), panics(deleteOp(zero)), panics(deleteOp(forgedTag(0))),
			panics(deleteOp(forgedGen(0))), panics(deleteOp(allOnes)),
			valueOp(issued(0)), deleteOp(issued(0)),
		}},
	}
}

// TestEquivalentToRuntimeCgo runs every case against runtime/cgo and this
// package and requires the same observable outcome for every operation:
// whether it panicked, with which value, and whether Value returned the
// stored value itself. Both are also held to the outcome the case expects, so
// that a case which exercises nothing is noticed; without cgo that is all
// that is checked.
func TestEquivalentToRuntimeCgo(t *testing.T) {
	if reference == nil {
		t.Log("built without cgo: runtime/cgo cannot be linked, so only the cases' expected outcomes are checked")
	}
	for _, c := range equivalenceCases() {
		t.Run(c.name, func(t *testing.T) {
			if reference != nil {
				checkExpected(t, reference, c.ops, run(t, *reference, c.ops))
			}
			got := run(t, *hprov, c.ops)
			checkExpected(t, hprov, c.ops, got)
			if reference == nil {
				return
			}
			want := run(t, *reference, c.ops)
			for i, o := range c.ops {
				if got[i] != want[i] {
					t.Errorf("op %d (%v %v): hprov %v, runtime/cgo %v", i, o.kind, o.ref, got[i], want[i])
				}
			}
		})
	}
}

// checkExpected holds one implementation's outcomes to what the case says
// runtime/cgo does.
func checkExpected(t *testing.T, a *api, ops []op, outs []outcome) {
	t.Helper()
	for i, o := range ops {
		want := outcome{panicked: o.wantPanic}
		if o.wantPanic {
			want.panicValue = cgoInvalidMessage
		} else if o.kind == opValue {
			want.sameValue = true
		}
		if outs[i] != want {
			t.Errorf("%s: op %d (%v %v): %v, the case expects %v", a.name, i, o.kind, o.ref, outs[i], want)
		}
	}
}
