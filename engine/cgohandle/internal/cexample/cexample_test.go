//go:build cgo

package cexample

import (
	"slices"
	"testing"
)

func TestEachCallsBackThroughC(t *testing.T) {
	for _, n := range []int{0, 1, 5, 1000} {
		var got []int
		Each(n, func(i int) { got = append(got, i) })
		want := make([]int, n)
		for i := range want {
			want[i] = i
		}
		if !slices.Equal(got, want) {
			t.Errorf("Each(%d) called back with %v, want %v", n, got, want)
		}
	}
}

// Callbacks nest: a callback may itself call through C again, each level
// with its own handle.
func TestEachNested(t *testing.T) {
	sum := 0
	Each(3, func(i int) {
		Each(4, func(j int) { sum += i*10 + j })
	})
	// sum over i<3, j<4 of 10i+j = 4*10*(0+1+2) + 3*(0+1+2+3)
	if want := 4*10*3 + 3*6; sum != want {
		t.Errorf("sum = %d, want %d", sum, want)
	}
}
