package csp

import (
	"bytes"
	"crypto/rsa"
	"fmt"
	"math/big"

	"github.com/hprov/hprov/engine"
)

// pinHashOpt pins an optional hash: zero means none.
func (c *CSP) pinHashOpt(hh HashHandle) (engine.Handle, *object, error) {
	if hh == 0 {
		return 0, nil, nil
	}
	return c.pin(uint64(hh), kindHash)
}

// Encrypt encrypts data with key k and returns the ciphertext. If hh is not zero, the
// plaintext is also added to that hash. A message may take several calls; final marks its
// last piece, after which the key starts the next message afresh.
//
// Block ciphers (DES, 3DES, AES) work in the key's KP_MODE: CBC (the default), ECB or 8-bit
// CFB, chaining across non-final calls, whose data must be whole blocks (NTE_BAD_DATA); the
// final call adds PKCS#5 padding. KP_MODE OFB or CTS gives NTE_BAD_ALGID here, as on Windows.
// RC4 continues its keystream across non-final calls. RSA key-exchange keys encrypt one block
// (final is ignored) of at most the modulus length minus 11 bytes (minus 42 with CRYPT_OAEP,
// NTE_BAD_LEN otherwise), PKCS#1 v1.5 or, with CRYPT_OAEP, OAEP (SHA-1), and return it
// little-endian, as CryptoAPI does; signature keys give NTE_BAD_KEY. Flags other than
// CRYPT_OAEP on an RSA key give NTE_BAD_FLAGS.
func (c *CSP) Encrypt(k KeyHandle, hh HashHandle, final bool, flags uint32, data []byte) ([]byte, error) {
	return c.crypt(k, hh, final, flags, data, true)
}

// Decrypt reverses Encrypt. Block ciphertext that is not whole blocks, an empty final call and
// bad padding give NTE_BAD_DATA, as does an RSA block that is not the modulus length or does
// not decrypt. If hh is not zero, the plaintext is added to that hash.
func (c *CSP) Decrypt(k KeyHandle, hh HashHandle, final bool, flags uint32, data []byte) ([]byte, error) {
	return c.crypt(k, hh, final, flags, data, false)
}

func (c *CSP) crypt(k KeyHandle, hh HashHandle, final bool, flags uint32, data []byte, encrypt bool) ([]byte, error) {
	kh, ko, err := c.pin(uint64(k), kindKey)
	if err != nil {
		return nil, err
	}
	defer c.tab.Unpin(kh)
	hph, ho, err := c.pinHashOpt(hh)
	if err != nil {
		return nil, err
	}
	if ho != nil {
		defer c.tab.Unpin(hph)
	}
	ks := ko.key // the pointer never changes; its fields are guarded by ko.mu
	if flags&^CRYPT_OAEP != 0 || (flags != 0 && ks.pub == nil) {
		return nil, fmt.Errorf("csp: Encrypt/Decrypt flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	// Lock order: key, then hash. No other call holds two object locks.
	ko.mu.Lock()
	defer ko.mu.Unlock()
	if ho != nil {
		ho.mu.Lock()
		defer ho.mu.Unlock()
		if err := ho.hash.writable(); err != nil {
			return nil, err
		}
	}
	var out []byte
	oaep := flags&CRYPT_OAEP != 0
	switch {
	case ks.hmacOnly:
		return nil, fmt.Errorf("csp: an RC2 key imported for HMAC cannot encrypt (RC2 is not offered): %w", NTE_BAD_ALGID)
	case ks.pub != nil && ks.alg == CALG_RSA_SIGN:
		return nil, fmt.Errorf("csp: a signature key pair cannot encrypt: %w", NTE_BAD_KEY)
	case ks.pub != nil && encrypt:
		out, err = rsaEncrypt(ks.pub, data, oaep)
	case ks.pub != nil && ks.priv == nil:
		return nil, fmt.Errorf("csp: a public key cannot decrypt: %w", NTE_BAD_KEY)
	case ks.pub != nil:
		out, err = rsaDecrypt(ks.priv, data, oaep)
	case ks.stream != nil:
		out = ks.streamXOR(data, final)
	case encrypt:
		out, err = ks.encryptBlocks(data, final)
	default:
		out, err = ks.decryptBlocks(data, final)
	}
	if err != nil {
		return nil, err
	}
	if ho != nil {
		plain := data
		if !encrypt {
			plain = out
		}
		_ = ho.hash.write(plain) // cannot fail: checked above under the same lock
	}
	return out, nil
}

// SignHash signs the hash's value with the context's key pair of keySpec (AT_SIGNATURE or
// AT_KEYEXCHANGE, else NTE_BAD_ALGID), PKCS#1 v1.5 over the hash's DigestInfo, or over the
// bare value with CRYPT_NOHASHOID, and returns the signature (the modulus length)
// little-endian, as CryptoAPI does. NTE_NO_KEY if the context has no such pair;
// NTE_BAD_KEYSET if its container was deleted; NTE_BAD_ALGID for a CALG_HMAC hash. Signing
// finishes the hash. Other flags give NTE_BAD_FLAGS.
func (c *CSP) SignHash(hh HashHandle, keySpec, flags uint32) ([]byte, error) {
	eh, o, err := c.pin(uint64(hh), kindHash)
	if err != nil {
		return nil, err
	}
	defer c.tab.Unpin(eh)
	if flags&^CRYPT_NOHASHOID != 0 {
		return nil, fmt.Errorf("csp: SignHash flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	if keySpec != AT_SIGNATURE && keySpec != AT_KEYEXCHANGE {
		return nil, fmt.Errorf("csp: key spec %d: %w", keySpec, NTE_BAD_ALGID)
	}
	if o.hash.alg == CALG_HMAC {
		return nil, fmt.Errorf("csp: an HMAC cannot be signed: %w", NTE_BAD_ALGID)
	}
	priv, err := c.userKey(o.parent, o.ctx, keySpec)
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	v, err := o.hash.value()
	t := append([]byte(nil), v...)
	o.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if flags&CRYPT_NOHASHOID == 0 {
		t = append(append([]byte(nil), digestInfo[o.hash.alg]...), t...)
	}
	// Hash 0: Go signs t as given (a DigestInfo built here, or the bare value).
	sig, err := rsa.SignPKCS1v15(nil, priv, 0, t)
	if err != nil {
		return nil, fmt.Errorf("csp: signing: %v: %w", err, NTE_BAD_KEY)
	}
	return reversed(sig), nil
}

// VerifySignature checks a little-endian PKCS#1 v1.5 signature of the hash's value with the
// RSA key pub: NTE_BAD_SIGNATURE if it does not verify, NTE_BAD_KEY if pub is not an RSA key,
// NTE_BAD_ALGID for a CALG_HMAC hash. As on Windows, a signature verifies whether it was made
// over the hash's DigestInfo or over the bare value, and flags may be 0 or CRYPT_NOHASHOID
// (NTE_BAD_FLAGS otherwise) to the same effect. Verifying finishes the hash.
func (c *CSP) VerifySignature(hh HashHandle, sig []byte, pub KeyHandle, flags uint32) error {
	eh, o, err := c.pin(uint64(hh), kindHash)
	if err != nil {
		return err
	}
	defer c.tab.Unpin(eh)
	kh, ko, err := c.pin(uint64(pub), kindKey)
	if err != nil {
		return err
	}
	defer c.tab.Unpin(kh)
	if flags&^CRYPT_NOHASHOID != 0 {
		return fmt.Errorf("csp: VerifySignature flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	pk := ko.key.pub // immutable once the key exists
	if pk == nil {
		return fmt.Errorf("csp: a session key cannot verify signatures: %w", NTE_BAD_KEY)
	}
	if o.hash.alg == CALG_HMAC {
		return fmt.Errorf("csp: an HMAC has no signature: %w", NTE_BAD_ALGID)
	}
	o.mu.Lock()
	v, err := o.hash.value()
	digest := append([]byte(nil), v...)
	o.mu.Unlock()
	if err != nil {
		return err
	}
	if len(sig) != pk.Size() {
		return fmt.Errorf("csp: signature of %d bytes, want %d: %w", len(sig), pk.Size(), NTE_BAD_SIGNATURE)
	}
	t, ok := pkcs1Unpad(pk, reversed(sig))
	if !ok || !(bytes.Equal(t, digest) || bytes.Equal(t, append(append([]byte(nil), digestInfo[o.hash.alg]...), digest...))) {
		return fmt.Errorf("csp: the signature does not match the hash: %w", NTE_BAD_SIGNATURE)
	}
	return nil
}

// digestInfo holds the DER prefix of each hash's PKCS#1 DigestInfo (RFC 8017, section 9.2
// notes), which the signed block carries before the hash value.
var digestInfo = map[uint32][]byte{
	CALG_MD4:     {0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x04, 0x05, 0x00, 0x04, 0x10},
	CALG_MD5:     {0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05, 0x05, 0x00, 0x04, 0x10},
	CALG_SHA1:    {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14},
	CALG_SHA_256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	CALG_SHA_384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	CALG_SHA_512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// pkcs1Unpad applies the public key to the big-endian signature s and returns what the
// PKCS#1 v1.5 signature block 00 01 FF..FF 00 T carries (at least 8 bytes of FF), or false.
// The operands are public, so the checks need not be constant-time.
func pkcs1Unpad(pk *rsa.PublicKey, s []byte) ([]byte, bool) {
	m := new(big.Int).SetBytes(s)
	if m.Cmp(pk.N) >= 0 {
		return nil, false
	}
	em := m.Exp(m, big.NewInt(int64(pk.E)), pk.N).FillBytes(make([]byte, pk.Size()))
	if em[0] != 0 || em[1] != 1 {
		return nil, false
	}
	i := 2
	for i < len(em) && em[i] == 0xff {
		i++
	}
	if i-2 < 8 || i >= len(em) || em[i] != 0 {
		return nil, false
	}
	return em[i+1:], true
}
