package engine

import _ "unsafe" // for go:linkname

// procPin pins the goroutine to its P (no preemption) and returns the P's id;
// it is what sync.Pool uses for per-P state. The runtime keeps it linkable
// for outside packages ("hall of shame" list in runtime/proc.go).
//
//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()
