//go:build !(amd64 || arm64 || loong64 || mips64 || mips64le || ppc64 || ppc64le || riscv64 || s390x || wasm)

package cgohandle

// An engine handle is 64 bits and Handle is a uintptr, which has only 32
// here: truncating handles would let one handle stand for another, so the
// build fails instead, with an error that names the reason.
var _ = cgohandle_needs_a_64_bit_uintptr
