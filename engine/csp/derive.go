package csp

import (
	"fmt"
	"hash"
)

// deriveMaterial is CryptDeriveKey's construction (Microsoft's CryptDeriveKey page): the key
// is the first bytes of the hash value, except that the value is first expanded to
// H(value ^ 0x36 pad) || H(value ^ 0x5C pad), over 64-byte buffers, with the base's hash
// algorithm, when it is shorter than the key or when expand is set. DeriveKey sets expand for
// AES and 3DES keys (two and three keys) from a hash outside the SHA-2 family, as Windows
// does; Wine's rsaenh expands only when the value is too short, which gives other AES keys
// from MD5 or SHA-1 than Windows. It returns the whole material: the bytes after the key are
// the salt CRYPT_CREATE_SALT takes.
func deriveMaterial(newHash func() hash.Hash, value []byte, keyLen int, expand bool) ([]byte, error) {
	if len(value) >= keyLen && !expand {
		return append([]byte(nil), value...), nil
	}
	if len(value) > 64 {
		return nil, fmt.Errorf("csp: hash value of %d bytes: %w", len(value), NTE_BAD_HASH)
	}
	var b1, b2 [64]byte
	for i := range b1 {
		b1[i], b2[i] = 0x36, 0x5C
	}
	for i, v := range value {
		b1[i] ^= v
		b2[i] ^= v
	}
	h := newHash()
	h.Write(b1[:])
	out := h.Sum(nil)
	h = newHash()
	h.Write(b2[:])
	out = h.Sum(out)
	if len(out) < keyLen {
		return nil, fmt.Errorf("csp: a %d-byte hash cannot derive a %d-byte key: %w", len(value), keyLen, NTE_BAD_ALGID)
	}
	return out, nil
}

// deriveExpands reports whether CryptDeriveKey expands the hash value of hashAlg whatever its
// length, for a key of alg.
func deriveExpands(alg, hashAlg uint32) bool {
	switch alg {
	case CALG_AES, CALG_AES_128, CALG_AES_192, CALG_AES_256, CALG_3DES, CALG_3DES_112:
		return !isSHA2(hashAlg)
	}
	return false
}
