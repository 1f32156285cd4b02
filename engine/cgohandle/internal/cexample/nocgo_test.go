//go:build !cgo

package cexample

import "testing"

func TestEachCallsBackThroughC(t *testing.T) {
	t.Skip("the example needs cgo; CGO_ENABLED=0 builds it without its cgo file")
}
