package bench

import (
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"
	_ "unsafe" // for go:linkname
)

// The costs of the engine's building blocks on the machine at hand, for the
// cost count in the engine's package doc: an Insert+Release is one
// StorePointer, one Store, one CompareAndSwap and two procPin pairs; a mutex
// table's is two Lock+Unlock pairs. Run with -cpu 1.

//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()

var (
	costWord atomic.Uint64
	costPtr  unsafe.Pointer
	costSink uint64
)

func BenchmarkCost(b *testing.B) {
	b.Run("op=Store", func(b *testing.B) {
		for i := range b.N {
			costWord.Store(uint64(i))
		}
	})
	b.Run("op=CompareAndSwap", func(b *testing.B) {
		for i := range b.N {
			costWord.CompareAndSwap(uint64(i), uint64(i+1))
		}
	})
	b.Run("op=Load", func(b *testing.B) {
		s := uint64(0)
		for range b.N {
			s += costWord.Load()
		}
		costSink = s
	})
	b.Run("op=StorePointer", func(b *testing.B) {
		p := unsafe.Pointer(&costSink)
		for range b.N {
			atomic.StorePointer(&costPtr, p)
		}
	})
	b.Run("op=procPin", func(b *testing.B) {
		for range b.N {
			procPin()
			procUnpin()
		}
	})
	b.Run("op=MutexLockUnlock", func(b *testing.B) {
		var mu sync.Mutex
		for range b.N {
			mu.Lock()
			//lint:ignore SA2001 the empty critical section is what is measured
			mu.Unlock()
		}
	})
}
