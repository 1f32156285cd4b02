// Package bench measures hprov's engine against the baselines of
// bench/baseline (sync.Map as in runtime/cgo.Handle, xsync.MapOf, and one
// mutex around a slice of slots). Every benchmark has one sub-benchmark per
// implementation, impl=hprov|syncmap|xsync|mutex, for benchstat -col /impl,
// and impl=mutexmin (bench/baseline.MutexMin: no refcounts, pins or
// children) where the benchmark needs only Insert, Get and Release.
//
// The benchmark bodies live in impls_gen_test.go, one copy per implementation
// generated from a single template by internal/benchgen: written once as
// generic code, every table call would be an indirect call through the
// generic dictionary (see benchgen's doc), which would slow the fast tables
// most and hide what inlining gives them.
//
// Reading the results:
//   - Get, ParallelGet and PinUnpin look up 1<<16 live handles in a fixed
//     pseudo-random order, computed before the timer starts; SliceRead is the
//     same walk over a plain slice of pointers, the floor for Get.
//   - ReleaseWithChildren times the parent's last Release alone (see
//     releaseTimer), which is where the engine's O(1) child invalidation and
//     the baselines' O(children) deletion differ.
//   - MemoryPerHandle fills a table with 10,000,000 handles once and reports
//     the heap the table retains per handle (B/handle), the bytes and
//     allocations per Insert (B/op, allocs/op) and the time per Insert at that
//     size (ns/op).
package bench

//go:generate go run ./internal/benchgen -o impls_gen_test.go

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	// getHandles is the number of live handles Get, ParallelGet, PinUnpin and
	// SliceRead walk through (a power of two: the walk wraps with a mask).
	getHandles = 1 << 16
	// parallelStride separates the starting points of RunParallel's
	// goroutines, so that they do not walk the handles in lockstep.
	parallelStride = getHandles/16 + 1
	// releaseBatch is the number of parents whose Releases one
	// ReleaseWithChildren iteration times, whatever the number of children.
	releaseBatch = 8
	// memoryHandles is the number of handles MemoryPerHandle fills.
	memoryHandles = 10_000_000
)

// obj is the value type of every table. The benchmarks allocate objects
// outside the timed loops (or reuse one), so only the tables' own
// allocations are reported.
type obj struct{ _ [2]uint64 }

// benches holds the generated bodies of one implementation.
type benches struct {
	name                  string
	insertRelease         func(*testing.B)
	get                   func(*testing.B)
	parallelInsertRelease func(*testing.B)
	parallelGet           func(*testing.B)
	pinUnpin              func(*testing.B)
	releaseWithChildren   func(b *testing.B, children int)
	fill                  func(n int) (fillResult, error)
}

// forImpls runs body's benchmark for every implementation that has it
// (impl=mutexmin has no pins or children).
func forImpls(b *testing.B, body func(benches) func(*testing.B)) {
	for _, im := range implBenches {
		if f := body(im); f != nil {
			b.Run("impl="+im.name, f)
		}
	}
}

func BenchmarkInsertRelease(b *testing.B) {
	forImpls(b, func(im benches) func(*testing.B) { return im.insertRelease })
}

func BenchmarkGet(b *testing.B) {
	forImpls(b, func(im benches) func(*testing.B) { return im.get })
}

func BenchmarkParallelInsertRelease(b *testing.B) {
	forImpls(b, func(im benches) func(*testing.B) { return im.parallelInsertRelease })
}

func BenchmarkParallelGet(b *testing.B) {
	forImpls(b, func(im benches) func(*testing.B) { return im.parallelGet })
}

func BenchmarkPinUnpin(b *testing.B) {
	forImpls(b, func(im benches) func(*testing.B) { return im.pinUnpin })
}

func BenchmarkReleaseWithChildren(b *testing.B) {
	for _, children := range []int{0, 1000, 1000000} {
		b.Run(fmt.Sprintf("children=%d", children), func(b *testing.B) {
			forImpls(b, func(im benches) func(*testing.B) {
				if im.releaseWithChildren == nil {
					return nil
				}
				return func(b *testing.B) { im.releaseWithChildren(b, children) }
			})
		})
	}
}

// BenchmarkSliceRead is Get's walk over a plain []*obj: the cost of the
// memory access alone, which no handle table can beat.
func BenchmarkSliceRead(b *testing.B) {
	objs := make([]obj, getHandles)
	ptrs := make([]*obj, getHandles)
	for i := range ptrs {
		ptrs[i] = &objs[i]
	}
	order := readOrder()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if ptrs[order[i&(getHandles-1)]] == nil {
			b.Fatal("nil pointer in a full slice")
		}
	}
}

// BenchmarkSlotRead is Get's walk over an array of 16-byte slots laid out
// like the engine's (a state word, then a pointer), reading the state word
// atomically: the memory access a Get cannot avoid, the floor it is held to.
// The slots total 1 MiB for getHandles, where SliceRead's pointers total
// 512 KiB.
func BenchmarkSlotRead(b *testing.B) {
	type slot struct {
		state atomic.Uint64
		val   *obj
	}
	objs := make([]obj, getHandles)
	slots := make([]slot, getHandles)
	for i := range slots {
		slots[i].state.Store(uint64(i)<<32 | 1<<31)
		slots[i].val = &objs[i]
	}
	order := readOrder()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if slots[order[i&(getHandles-1)]].state.Load()&(1<<31) == 0 {
			b.Fatal("dead slot in a full array")
		}
	}
}

// BenchmarkMemoryPerHandle fills each table with memoryHandles handles. The
// fill is slow, so it runs once per sub-benchmark invocation whatever b.N the
// framework asks for, and the results are reported with ReportMetric, which
// replaces ns/op, B/op and allocs/op with per-handle values.
func BenchmarkMemoryPerHandle(b *testing.B) {
	for _, im := range implBenches {
		var res *fillResult
		b.Run("impl="+im.name, func(b *testing.B) {
			if res == nil {
				r, err := im.fill(memoryHandles)
				if err != nil {
					b.Fatal(err)
				}
				res = &r
			}
			b.ReportAllocs()
			b.ReportMetric(res.retained, "B/handle")
			b.ReportMetric(res.ns, "ns/op")
			b.ReportMetric(res.allocated, "B/op")
			b.ReportMetric(res.allocs, "allocs/op")
		})
	}
}

// readOrder is the fixed pseudo-random order in which the read benchmarks
// visit their handles: a permutation of [0, getHandles), the same for every
// implementation and every run.
var readOrder = sync.OnceValue(func() []int32 {
	rng := rand.New(rand.NewPCG(1, 2))
	order := make([]int32, getHandles)
	for i := range order {
		order[i] = int32(i)
	}
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	return order
})

// clockOverhead is what time.Since(time.Now()) reports around nothing: the
// median of many empty measurements, taken once.
var clockOverhead = sync.OnceValue(func() time.Duration {
	ds := make([]time.Duration, 10001)
	for i := range ds {
		start := time.Now()
		ds[i] = time.Since(start)
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
})

// releaseTimer measures ReleaseWithChildren. Building releaseBatch parents
// with up to 10^6 children each is far costlier than releasing them, and
// stopping the benchmark timer around the build would make the framework
// pick an enormous b.N (it sizes b.N by timed work only) and run for hours.
// So the benchmark timer keeps running, which sizes b.N by the real cost of
// an iteration, and each iteration times only its batch of parent Releases
// with time.Now/time.Since, minus the calibrated clockOverhead. report then
// replaces ns/op with that time per parent Release, and B/op and allocs/op
// with what the Releases alone allocated (runtime.MemStats read outside the
// timed window). The batch has the same size for every number of children,
// so the clock overhead weighs the same in each.
type releaseTimer struct {
	overhead        time.Duration
	total           time.Duration
	batches         int
	before          runtime.MemStats
	bytes, mallocs  uint64
	scratchMemStats runtime.MemStats
}

func newReleaseTimer() *releaseTimer {
	return &releaseTimer{overhead: clockOverhead()}
}

// begin is called just before the timed batch.
func (rt *releaseTimer) begin() { runtime.ReadMemStats(&rt.before) }

// end records the batch's elapsed time, just after it.
func (rt *releaseTimer) end(elapsed time.Duration) {
	runtime.ReadMemStats(&rt.scratchMemStats)
	rt.total += elapsed - rt.overhead
	rt.bytes += rt.scratchMemStats.TotalAlloc - rt.before.TotalAlloc
	rt.mallocs += rt.scratchMemStats.Mallocs - rt.before.Mallocs
	rt.batches++
}

func (rt *releaseTimer) report(b *testing.B) {
	if rt.batches == 0 {
		return
	}
	n := float64(rt.batches * releaseBatch)
	b.ReportMetric(float64(rt.total.Nanoseconds())/n, "ns/op")
	b.ReportMetric(float64(rt.bytes)/n, "B/op")
	b.ReportMetric(float64(rt.mallocs)/n, "allocs/op")
}

// fillResult is what MemoryPerHandle reports, per handle.
type fillResult struct {
	retained  float64 // heap retained by the table
	allocated float64 // bytes allocated while filling
	allocs    float64 // allocations while filling
	ns        float64 // time per Insert
}

// memStats returns the memory statistics right after a full collection.
func memStats() runtime.MemStats {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}

func fillStats(n int, before, after runtime.MemStats, elapsed time.Duration) fillResult {
	fn := float64(n)
	return fillResult{
		retained:  (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / fn,
		allocated: float64(after.TotalAlloc-before.TotalAlloc) / fn,
		allocs:    float64(after.Mallocs-before.Mallocs) / fn,
		ns:        float64(elapsed.Nanoseconds()) / fn,
	}
}

// checkFilled spot-checks a filled table (and keeps it, its objects and its
// handles alive until the memory has been measured).
func checkFilled[H any](objs []obj, hs []H, get func(H) (*obj, bool)) error {
	for i := 0; i < len(hs); i += 4093 {
		if v, ok := get(hs[i]); !ok || v != &objs[i] {
			return fmt.Errorf("handle %d of a filled table: Get = %p, %v; want %p", i, v, ok, &objs[i])
		}
	}
	return nil
}
