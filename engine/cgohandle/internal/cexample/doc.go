// Package cexample is the worked example for package cgohandle: a Go callback
// travels through C as a cgohandle.Handle and C calls back into Go, which
// turns the handle into the callback again.
//
// The cgo code is in a regular .go file because _test.go files cannot use
// cgo. That file and its test build only when cgo is enabled; without cgo the
// package holds only this documentation and a test that reports the skip.
package cexample
