//go:build cgo

package bench

import (
	"math/rand/v2"
	"runtime/cgo"
	"sync/atomic"
	"testing"

	"github.com/hprov/hprov/engine/cgohandle"
)

// Benchmarks of engine/cgohandle against runtime/cgo.Handle, the type it
// replaces. Each has the sub-benchmarks impl=hprov and impl=cgo so that
// benchstat can compare them with -col /impl. The two sub-benchmarks repeat
// the same loop instead of sharing one through func values: callers use the
// packages directly, and an indirect call would hide the inlining they get.
// The file needs cgo only because a binary that imports runtime/cgo does not
// link with CGO_ENABLED=0.

// handleValue is boxed once, outside the timed loops, so that allocations
// reported per New are the table's own, not the conversion to any.
var handleValue any = &struct{ payload [4]int }{}

// liveHandles is how many handles the Value benchmarks look up, in a
// shuffled order fixed before the timer starts: a lookup lands on a slot (or
// map entry) unrelated to the previous one, as in a program with many live
// handles, not on the next slot of one hot cache line.
const liveHandles = 4096

// handleSink keeps the looked-up values observable, so that the lookups
// cannot be optimized away.
var handleSink atomic.Pointer[any]

func BenchmarkHandleNewDelete(b *testing.B) {
	b.Run("impl=hprov", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			cgohandle.NewHandle(handleValue).Delete()
		}
	})
	b.Run("impl=cgo", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			cgo.NewHandle(handleValue).Delete()
		}
	})
}

func BenchmarkHandleValue(b *testing.B) {
	b.Run("impl=hprov", func(b *testing.B) {
		hs := liveHprovHandles(b)
		b.ReportAllocs()
		var v any
		i := 0
		for b.Loop() {
			v = hs[i%liveHandles].Value()
			i++
		}
		handleSink.Store(&v)
	})
	b.Run("impl=cgo", func(b *testing.B) {
		hs := liveCgoHandles(b)
		b.ReportAllocs()
		var v any
		i := 0
		for b.Loop() {
			v = hs[i%liveHandles].Value()
			i++
		}
		handleSink.Store(&v)
	})
}

func BenchmarkParallelHandleNewDelete(b *testing.B) {
	b.Run("impl=hprov", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				cgohandle.NewHandle(handleValue).Delete()
			}
		})
	})
	b.Run("impl=cgo", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				cgo.NewHandle(handleValue).Delete()
			}
		})
	})
}

func BenchmarkParallelHandleValue(b *testing.B) {
	// Goroutines start at different handles so that they do not walk the
	// handles in lockstep.
	b.Run("impl=hprov", func(b *testing.B) {
		hs := liveHprovHandles(b)
		var start atomic.Int64
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := int(start.Add(liveHandles / 8))
			var v any
			for pb.Next() {
				v = hs[i%liveHandles].Value()
				i++
			}
			handleSink.Store(&v)
		})
	})
	b.Run("impl=cgo", func(b *testing.B) {
		hs := liveCgoHandles(b)
		var start atomic.Int64
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := int(start.Add(liveHandles / 8))
			var v any
			for pb.Next() {
				v = hs[i%liveHandles].Value()
				i++
			}
			handleSink.Store(&v)
		})
	})
}

// liveHprovHandles and liveCgoHandles create liveHandles handles and delete
// them when b ends, so that one sub-benchmark's handles do not linger in
// the next one's table.
func liveHprovHandles(b *testing.B) []cgohandle.Handle {
	hs := make([]cgohandle.Handle, liveHandles)
	for i := range hs {
		hs[i] = cgohandle.NewHandle(handleValue)
	}
	shuffleHandles(hs)
	b.Cleanup(func() {
		for _, h := range hs {
			h.Delete()
		}
	})
	return hs
}

func liveCgoHandles(b *testing.B) []cgo.Handle {
	hs := make([]cgo.Handle, liveHandles)
	for i := range hs {
		hs[i] = cgo.NewHandle(handleValue)
	}
	shuffleHandles(hs)
	b.Cleanup(func() {
		for _, h := range hs {
			h.Delete()
		}
	})
	return hs
}

// shuffleHandles puts handles in the same pseudo-random order for both
// implementations.
func shuffleHandles[H any](hs []H) {
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(hs), func(i, j int) { hs[i], hs[j] = hs[j], hs[i] })
}
