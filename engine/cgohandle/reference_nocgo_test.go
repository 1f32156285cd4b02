//go:build !cgo

package cgohandle

// reference is nil without cgo: see reference_cgo_test.go.
var reference *api
