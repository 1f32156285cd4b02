//go:build race

package engine

import (
	"runtime"
	"unsafe"
)

// A shard is used only by the goroutine pinned to its P, so its plain fields
// are never accessed concurrently; but the race detector cannot see the
// exclusion procPin gives. These annotations tell it that consecutive users of
// one shard are ordered, which the scheduler's hand-off of the P guarantees.
func raceAcquire(p unsafe.Pointer) { runtime.RaceAcquire(p) }
func raceRelease(p unsafe.Pointer) { runtime.RaceRelease(p) }
