package cgohandle_test

import (
	"fmt"

	"github.com/hprov/hprov/engine/cgohandle"
)

// The drop-in for runtime/cgo.Handle: where C code holds a uintptr for a Go
// value and hands it back to a Go callback. Only the import and the package
// name change.
func Example_dropIn() {
	type request struct{ id int }
	// C side: void *userdata = (void *)h; ... goCallback(userdata);
	callback := func(userdata uintptr) {
		h := cgohandle.Handle(userdata)
		fmt.Println("request", h.Value().(*request).id)
	}
	h := cgohandle.NewHandle(&request{id: 42})
	callback(uintptr(h))
	h.Delete()
	// Unlike cgo's handles, a deleted one can be probed without a panic.
	_, ok := cgohandle.TryValue(h)
	fmt.Println(ok)
	// Output:
	// request 42
	// false
}
