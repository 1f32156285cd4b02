package engine_test

import (
	"errors"
	"fmt"

	"github.com/hprov/hprov/engine"
)

type conn struct{ addr string }
type stmt struct{ sql string }

// A table hands out handles to values; a released handle is stale from that
// instant, in every copy, and so are its children.
func Example() {
	conns := engine.New[conn]()
	h, _ := conns.Insert(&conn{addr: "db:5432"})
	c, _ := conns.Get(h)
	fmt.Println(c.addr)

	freed, err := conns.Release(h) // reference count 1 -> 0
	fmt.Println(freed, err)
	_, ok := conns.Get(h)
	fmt.Println(ok)
	_, err = conns.Release(h)
	fmt.Println(err != nil)
	// Output:
	// db:5432
	// true <nil>
	// false
	// true
}

// A pinned handle is in use: its last Release fails with ErrBusy and
// changes nothing until the pin is dropped.
func ExampleTable_Pin() {
	t := engine.New[conn]()
	h, _ := t.Insert(&conn{addr: "db:5432"})
	c, _ := t.Pin(h)
	_, err := t.Release(h)
	fmt.Println(c.addr, errors.Is(err, engine.ErrBusy))
	t.Unpin(h)
	freed, err := t.Release(h)
	fmt.Println(freed, err, t.Len())
	// Output:
	// db:5432 true
	// true <nil> 0
}

// Children die with their parent, in one step however many there are.
func ExampleTable_InsertChild() {
	t := engine.New[any]()
	var parent any = &conn{addr: "db:5432"}
	p, _ := t.Insert(&parent)
	var kids []engine.Handle
	for i := range 3 {
		var s any = &stmt{sql: fmt.Sprint("SELECT ", i)}
		k, _ := t.InsertChild(p, &s)
		kids = append(kids, k)
	}
	_, ok := t.Get(kids[2])
	fmt.Println(ok)
	t.Release(p)
	for _, k := range kids {
		_, ok := t.Get(k)
		fmt.Print(ok, " ")
	}
	fmt.Println()
	// Output:
	// true
	// false false false
}

// An AnyTable keeps interface values in its slots, so a handle can stand for
// a value of any type, as a cgo.Handle does, and storing a pointer allocates
// nothing.
func ExampleAnyTable() {
	t := engine.NewAny()
	type session struct{ user string }
	h1, _ := t.Insert(&session{user: "alice"})
	h2, _ := t.Insert(42)
	v1, _ := t.Get(h1)
	v2, _ := t.Get(h2)
	fmt.Println(v1.(*session).user, v2.(int))
	t.Release(h1)
	_, ok := t.Get(h1)
	fmt.Println("after release:", ok)
	// Output:
	// alice 42
	// after release: false
}
