//go:build cgo

package cexample

/*
#include <stdint.h>

// Defined in Go below. C sees only an integer, never a Go pointer.
extern void goCallback(uintptr_t handle, int i);

// The C side of a C API that calls back with a user-supplied context: it
// calls back n times and, like most such APIs, keeps the context only for the
// duration of the call.
//
// static because a file with //export directives has its preamble compiled
// twice: a non-static definition here would be defined twice.
static inline void each(uintptr_t handle, int n) {
	for (int i = 0; i < n; i++) {
		goCallback(handle, i);
	}
}
*/
import "C"

import "github.com/hprov/hprov/engine/cgohandle"

// Each calls fn(i) for i in [0, n), from C. fn may be a closure: it reaches C
// only as a handle.
func Each(n int, fn func(i int)) {
	h := cgohandle.NewHandle(fn)
	defer h.Delete()
	C.each(C.uintptr_t(h), C.int(n))
}

//export goCallback
func goCallback(handle C.uintptr_t, i C.int) {
	// A handle C made up, or one deleted already, panics here with
	// runtime/cgo's message, as it would with runtime/cgo.Handle.
	fn := cgohandle.Handle(handle).Value().(func(int))
	fn(int(i))
}
