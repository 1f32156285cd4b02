package csp

import (
	"fmt"
	"hash"
)

// deriveMaterial is CryptDeriveKey's construction (Microsoft's CryptDeriveKey page): the key
// is the first bytes of the hash value, except that the value is first expanded to
// H(value ^ 0x36 pad) || H(value ^ 0x5C pad), over 64-byte buffers, with the base's hash
// algorithm, when it is shorter than the key or when expand is set (see deriveExpands). It
// returns the whole material: the bytes after the key are the salt CRYPT_CREATE_SALT takes.
func deriveMaterial(newHash func() hash.Hash, value []byte, keyLen int, expand bool) ([]byte, error) {
	if len(value) >= keyLen && !expand {
		return append([]byte(nil), value...), nil
	}
	if len(value) > 64 {
		return nil, fmt.Errorf("csp: hash value of %d bytes: %w", len(value), NTE_BAD_HASH)
	}
	if newHash == nil { // CALG_SSL3_SHAMD5 has no hash function to expand with
		return nil, fmt.Errorf("csp: a CALG_SSL3_SHAMD5 value cannot be expanded for this key: %w", NTE_BAD_ALGID)
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

// deriveExpands reports whether CryptDeriveKey expands the hash value of hashAlg for a key of
// alg whatever its length. The page says it does for AES and 3DES keys from a hash outside
// the SHA-2 family; Windows' ciphertexts in Wine's test_key_derivation show that "3DES" means
// three-key 3DES (CALG_3DES, 24 bytes, longer than MD5 and SHA-1 values anyway), not two-key
// CALG_3DES_112, whose key is the first 16 bytes of the value as for other ciphers. So the
// rule changes keys only for AES from MD4, MD5 and SHA-1 (AES-128: 16 bytes, which those
// values would cover): Wine's rsaenh once expanded only values shorter than the key, and gave
// other AES-128 keys than Windows.
func deriveExpands(alg, hashAlg uint32) bool {
	switch alg {
	case CALG_AES, CALG_AES_128, CALG_AES_192, CALG_AES_256, CALG_3DES:
		return !isSHA2(hashAlg)
	}
	return false
}
