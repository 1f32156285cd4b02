// Package csptest holds the assertions that engine/csp's own tests and its Wine conformance
// suite (engine/csp/winetest) share. It imports nothing of csp, so that csp's internal tests
// can use it without an import cycle: error codes come in as any comparable error type (csp's
// Errno), whose zero value means success.
package csptest

import (
	"errors"
	"testing"
)

// Is checks that err carries the code want (errors.Is), or is nil when want is the zero code.
// A mismatch fails the test and lets it go on, so that a table reports every wrong case.
func Is[E interface {
	comparable
	error
}](t testing.TB, what string, err error, want E) {
	t.Helper()
	var success E
	if want == success {
		if err != nil {
			t.Errorf("%s: %v; want success", what, err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Errorf("%s: %v; want %v", what, err, want)
	}
}

// Must(f())(t) returns f's value, failing the test at once if f failed.
func Must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// OK fails the test at once if err is not nil.
func OK(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
