package csp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"errors"
	"fmt"
	"hash"
)

// keyState is the mutable part of a key object. Its owner serialises access.
type keyState struct {
	alg uint32 // CALG_AES_*, CALG_RSA_KEYX or CALG_RSA_SIGN

	// AES session keys.
	raw   []byte       // key bytes (also the HMAC key when the key keys a CALG_HMAC hash)
	block cipher.Block // the expanded key
	iv    [aes.BlockSize]byte
	chain [aes.BlockSize]byte // CBC vector of the message in progress

	// RSA key pairs.
	priv *rsa.PrivateKey
}

func newAESKey(alg uint32, raw []byte) (*keyState, error) {
	b, err := aes.NewCipher(raw)
	if err != nil {
		return nil, fmt.Errorf("csp: AES key: %v: %w", err, NTE_BAD_KEY)
	}
	return &keyState{alg: alg, raw: raw, block: b}, nil
}

// bits returns the key length in bits (KP_KEYLEN).
func (k *keyState) bits() int {
	if k.priv != nil {
		return k.priv.N.BitLen()
	}
	return 8 * len(k.raw)
}

// cbcEncrypt encrypts one piece of a message in CBC mode, continuing from the vector left by
// the previous piece. A non-final piece must be whole blocks; the final piece gets PKCS#7
// padding (always 1 to 16 bytes) and the vector returns to the IV for the next message.
func (k *keyState) cbcEncrypt(data []byte, final bool) ([]byte, error) {
	const bs = aes.BlockSize
	if !final && len(data)%bs != 0 {
		return nil, fmt.Errorf("csp: non-final AES input of %d bytes is not whole blocks: %w", len(data), NTE_BAD_DATA)
	}
	n := len(data)
	if final {
		n = (len(data)/bs + 1) * bs
	}
	out := make([]byte, n)
	copy(out, data)
	for i := len(data); i < n; i++ {
		out[i] = byte(n - len(data))
	}
	if n > 0 {
		cipher.NewCBCEncrypter(k.block, k.chain[:]).CryptBlocks(out, out)
		copy(k.chain[:], out[n-bs:])
	}
	if final {
		k.chain = k.iv
	}
	return out, nil
}

// cbcDecrypt is the inverse of cbcEncrypt. Input that is not whole blocks, an empty final
// piece and bad padding are NTE_BAD_DATA; a final call resets the vector even then, so the key
// is ready for the next message.
func (k *keyState) cbcDecrypt(data []byte, final bool) ([]byte, error) {
	const bs = aes.BlockSize
	if final {
		defer func() { k.chain = k.iv }()
	}
	if len(data)%bs != 0 {
		return nil, fmt.Errorf("csp: AES ciphertext of %d bytes is not whole blocks: %w", len(data), NTE_BAD_DATA)
	}
	if final && len(data) == 0 {
		return nil, fmt.Errorf("csp: empty final AES ciphertext: %w", NTE_BAD_DATA)
	}
	out := make([]byte, len(data))
	if len(data) > 0 {
		var next [bs]byte
		copy(next[:], data[len(data)-bs:])
		cipher.NewCBCDecrypter(k.block, k.chain[:]).CryptBlocks(out, data)
		k.chain = next
	}
	if !final {
		return out, nil
	}
	p := int(out[len(out)-1])
	if p == 0 || p > bs {
		return nil, fmt.Errorf("csp: bad PKCS#7 padding: %w", NTE_BAD_DATA)
	}
	want := make([]byte, p)
	for i := range want {
		want[i] = byte(p)
	}
	if subtle.ConstantTimeCompare(out[len(out)-p:], want) != 1 {
		return nil, fmt.Errorf("csp: bad PKCS#7 padding: %w", NTE_BAD_DATA)
	}
	return out[:len(out)-p], nil
}

// deriveKeyBytes is CryptDeriveKey's construction: the key is the first keyLen bytes of the
// hash value; when the value is shorter than the key, it is first expanded to twice the hash
// size as H(ipad ^ value) || H(opad ^ value), with 64-byte buffers of 0x36 and 0x5C.
func deriveKeyBytes(newHash func() hash.Hash, value []byte, keyLen int) ([]byte, error) {
	if len(value) >= keyLen {
		return append([]byte(nil), value[:keyLen]...), nil
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
	return out[:keyLen], nil
}

// reversed returns b in the opposite byte order: CryptoAPI returns RSA signatures and
// ciphertexts little-endian, Go big-endian.
func reversed(b []byte) []byte {
	r := make([]byte, len(b))
	for i, v := range b {
		r[len(b)-1-i] = v
	}
	return r
}

func rsaEncrypt(pub *rsa.PublicKey, data []byte) ([]byte, error) {
	//lint:ignore SA1019 CryptoAPI's RSA key exchange is PKCS#1 v1.5 encryption; interoperability needs it.
	c, err := rsa.EncryptPKCS1v15(rand.Reader, pub, data)
	if errors.Is(err, rsa.ErrMessageTooLong) {
		return nil, fmt.Errorf("csp: %d bytes do not fit one RSA block: %w", len(data), NTE_BAD_LEN)
	}
	if err != nil {
		return nil, fmt.Errorf("csp: RSA encryption: %v: %w", err, NTE_BAD_KEY)
	}
	return reversed(c), nil
}

func rsaDecrypt(priv *rsa.PrivateKey, data []byte) ([]byte, error) {
	if len(data) != priv.Size() {
		return nil, fmt.Errorf("csp: RSA ciphertext of %d bytes, want %d: %w", len(data), priv.Size(), NTE_BAD_DATA)
	}
	//lint:ignore SA1019 CryptoAPI's RSA key exchange is PKCS#1 v1.5 encryption; interoperability needs it.
	p, err := rsa.DecryptPKCS1v15(nil, priv, reversed(data))
	if err != nil {
		return nil, fmt.Errorf("csp: RSA decryption: %w", NTE_BAD_DATA)
	}
	return p, nil
}
