//go:build cgo

package cgohandle

import "runtime/cgo"

// reference is the implementation this package must behave like. It is nil
// when the test is built without cgo (reference_nocgo_test.go), because a
// binary that imports runtime/cgo does not link with CGO_ENABLED=0.
var reference = &api{
	name:   "runtime/cgo",
	new:    func(v any) uintptr { return uintptr(cgo.NewHandle(v)) },
	value:  func(h uintptr) any { return cgo.Handle(h).Value() },
	delete: func(h uintptr) { cgo.Handle(h).Delete() },
}
