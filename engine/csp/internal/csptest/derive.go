package csptest

// Expand is CryptDeriveKey's expansion of a hash value v, written out for the tests (an oracle
// apart from csp's own code): h(v ^ 0x36 pad) || h(v ^ 0x5C pad) over 64-byte buffers, for the
// hash function h.
func Expand(h func([]byte) []byte, v []byte) []byte {
	var in, out [64]byte
	for i := range in {
		in[i], out[i] = 0x36, 0x5c
		if i < len(v) {
			in[i] ^= v[i]
			out[i] ^= v[i]
		}
	}
	return append(h(in[:]), h(out[:])...)
}
