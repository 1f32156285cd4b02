package csp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/rc4"
	"crypto/rsa"
	"crypto/subtle"
	"fmt"
)

// keyState is the mutable part of a key object. Its owner serialises access (object.mu).
//
// A session key follows the model of Microsoft's providers (and Wine's rsaenh): key bytes and
// a salt; for block ciphers a mode (KP_MODE), an IV and a chaining vector; for RC4 a running
// keystream. A message may span several Encrypt or Decrypt calls; its final piece puts the key
// back into its idle state (vector = IV, keystream restarted from key and salt), so the next
// message starts afresh. A key pair has its public key and, unless it was imported from a
// PUBLICKEYBLOB, its private key.
type keyState struct {
	alg   uint32
	info  *algInfo // nil for CALG_RC2 HMAC keys (see hmacOnly)
	perms uint32   // KP_PERMISSIONS

	// Session keys.
	raw      []byte // key bytes (DES 8, 3DES_112 16, 3DES 24); also an HMAC's key
	salt     []byte // RC4: appended to the key bytes when the keystream starts
	hmacOnly bool   // a CALG_RC2 key imported with CRYPT_IPSEC_HMAC_KEY: it only keys HMACs
	block    cipher.Block
	mode     uint32
	iv       []byte // block ciphers: block length
	chain    []byte // the vector of the message in progress (CFB: the shift register)
	stream   *rc4.Cipher

	// Key pairs.
	pub  *rsa.PublicKey
	priv *rsa.PrivateKey // nil for a public key alone
}

// defaultPerms are a new key's KP_PERMISSIONS, as Microsoft's providers set them; CRYPT_EXPORT
// is added for CRYPT_EXPORTABLE keys.
const defaultPerms = CRYPT_ENCRYPT | CRYPT_DECRYPT | CRYPT_READ | CRYPT_WRITE | CRYPT_MAC

func permsFor(flags uint32) uint32 {
	if flags&CRYPT_EXPORTABLE != 0 {
		return defaultPerms | CRYPT_EXPORT
	}
	return defaultPerms
}

// keyBytesLen returns the storage length in bytes of a session key of a with bits bits
// (0: the default), or an error if a does not offer that length. DES and 3DES accept their
// effective lengths (56, 112, 168) and their storage lengths (64, 128, 192).
func keyBytesLen(a *algInfo, bits uint32) (int, error) {
	if bits == 0 {
		bits = a.defLen
	}
	switch a.id {
	case CALG_DES, CALG_3DES_112, CALG_3DES:
		eff := a.defLen
		if bits == eff || bits == eff/7*8 {
			return int(eff / 7), nil
		}
	default:
		if bits%8 == 0 && bits >= a.minLen && bits <= a.maxLen {
			return int(bits / 8), nil
		}
	}
	return 0, fmt.Errorf("csp: a %s key of %d bits: %w", a.name, bits, NTE_BAD_FLAGS)
}

// newSessionKey makes a session key of algorithm a (classBlock or classStream) from raw, whose
// length the caller has checked.
func newSessionKey(a *algInfo, raw, salt []byte, perms uint32) (*keyState, error) {
	k := &keyState{alg: a.id, info: a, perms: perms, raw: raw, salt: salt}
	var err error
	switch a.id {
	case CALG_DES:
		k.block, err = des.NewCipher(raw)
	case CALG_3DES_112:
		k.block, err = des.NewTripleDESCipher(append(append(make([]byte, 0, 24), raw...), raw[:8]...))
	case CALG_3DES:
		k.block, err = des.NewTripleDESCipher(raw)
	case CALG_RC4:
	default:
		k.block, err = aes.NewCipher(raw)
	}
	if err != nil {
		return nil, fmt.Errorf("csp: %s key: %v: %w", a.name, err, NTE_BAD_KEY)
	}
	if k.block != nil {
		k.mode = CRYPT_MODE_CBC
		k.iv = make([]byte, k.block.BlockSize())
		k.chain = make([]byte, k.block.BlockSize())
	}
	k.reset()
	return k, nil
}

// reset returns the key to its idle state: the next piece of data starts a new message.
func (k *keyState) reset() {
	copy(k.chain, k.iv)
	if k.alg == CALG_RC4 && !k.hmacOnly {
		keyed := append(append(make([]byte, 0, len(k.raw)+len(k.salt)), k.raw...), k.salt...)
		k.stream, _ = rc4.NewCipher(keyed) // 5 to 40 bytes: always accepted
	}
}

// clone returns an independent copy of the key in its current state (DuplicateKey).
func (k *keyState) clone() *keyState {
	d := *k
	d.raw = append([]byte(nil), k.raw...)
	d.salt = append([]byte(nil), k.salt...)
	d.iv = append([]byte(nil), k.iv...)
	d.chain = append([]byte(nil), k.chain...)
	if k.stream != nil {
		s := *k.stream // rc4.Cipher is a plain value: copying it forks the keystream
		d.stream = &s
	}
	return &d
}

// bits returns the key length in bits (KP_KEYLEN).
func (k *keyState) bits() int {
	if k.pub != nil {
		return k.pub.N.BitLen()
	}
	return 8 * len(k.raw)
}

// blockLen returns the block length in bytes (KP_BLOCKLEN): the cipher's block, an RSA key's
// modulus, 0 for RC4.
func (k *keyState) blockLen() int {
	switch {
	case k.block != nil:
		return k.block.BlockSize()
	case k.pub != nil:
		return k.pub.Size()
	}
	return 0
}

// encryptBlocks encrypts one piece of a message with a block cipher. A non-final piece must
// be whole blocks (NTE_BAD_DATA); the final piece gets PKCS#5 padding (always 1 to a block).
func (k *keyState) encryptBlocks(data []byte, final bool) ([]byte, error) {
	bs := k.block.BlockSize()
	if !final && len(data)%bs != 0 {
		return nil, fmt.Errorf("csp: non-final input of %d bytes is not whole %d-byte blocks: %w", len(data), bs, NTE_BAD_DATA)
	}
	if err := k.checkMode(); err != nil {
		return nil, err
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
	for i := 0; i < n; i += bs {
		b := out[i : i+bs]
		switch k.mode {
		case CRYPT_MODE_ECB:
			k.block.Encrypt(b, b)
		case CRYPT_MODE_CBC:
			subtle.XORBytes(b, b, k.chain)
			k.block.Encrypt(b, b)
			copy(k.chain, b)
		case CRYPT_MODE_CFB:
			k.cfb8(b, true)
		}
	}
	if final {
		k.reset()
	}
	return out, nil
}

// decryptBlocks is the inverse of encryptBlocks. Input that is not whole blocks, an empty final
// piece and bad padding are NTE_BAD_DATA; a final call resets the key even then.
func (k *keyState) decryptBlocks(data []byte, final bool) ([]byte, error) {
	bs := k.block.BlockSize()
	if final {
		defer k.reset()
	}
	if err := k.checkMode(); err != nil {
		return nil, err
	}
	if len(data)%bs != 0 {
		return nil, fmt.Errorf("csp: ciphertext of %d bytes is not whole %d-byte blocks: %w", len(data), bs, NTE_BAD_DATA)
	}
	if final && len(data) == 0 {
		return nil, fmt.Errorf("csp: empty final ciphertext: %w", NTE_BAD_DATA)
	}
	out := make([]byte, len(data))
	next := make([]byte, bs)
	for i := 0; i < len(data); i += bs {
		in, b := data[i:i+bs], out[i:i+bs]
		switch k.mode {
		case CRYPT_MODE_ECB:
			k.block.Decrypt(b, in)
		case CRYPT_MODE_CBC:
			copy(next, in)
			k.block.Decrypt(b, in)
			subtle.XORBytes(b, b, k.chain)
			copy(k.chain, next)
		case CRYPT_MODE_CFB:
			copy(b, in)
			k.cfb8(b, false)
		}
	}
	if !final {
		return out, nil
	}
	p := int(out[len(out)-1])
	if p == 0 || p > bs {
		return nil, fmt.Errorf("csp: bad padding: %w", NTE_BAD_DATA)
	}
	bad := 0
	for _, v := range out[len(out)-p:] {
		bad |= int(v) ^ p
	}
	if bad != 0 {
		return nil, fmt.Errorf("csp: bad padding: %w", NTE_BAD_DATA)
	}
	return out[:len(out)-p], nil
}

// checkMode rejects the modes the provider does not implement (OFB and CTS, like Microsoft's
// providers, which accept them in KP_MODE and fail at Encrypt).
func (k *keyState) checkMode() error {
	switch k.mode {
	case CRYPT_MODE_ECB, CRYPT_MODE_CBC, CRYPT_MODE_CFB:
		return nil
	}
	return fmt.Errorf("csp: cipher mode %d is not supported: %w", k.mode, NTE_BAD_ALGID)
}

// cfb8 runs 8-bit cipher feedback over b in place, the only feedback width Microsoft's
// providers implement (KP_MODE_BITS is 8): each byte is XORed with the first byte of the
// encrypted shift register, which then shifts in the ciphertext byte.
func (k *keyState) cfb8(b []byte, encrypt bool) {
	var o [aes.BlockSize]byte
	bs := len(k.chain)
	for j := range b {
		k.block.Encrypt(o[:bs], k.chain)
		c := b[j]
		b[j] ^= o[0]
		if encrypt {
			c = b[j]
		}
		copy(k.chain, k.chain[1:])
		k.chain[bs-1] = c
	}
}

// streamXOR encrypts or decrypts one piece of an RC4 message; the final piece restarts the
// keystream for the next message.
func (k *keyState) streamXOR(data []byte, final bool) []byte {
	out := make([]byte, len(data))
	k.stream.XORKeyStream(out, data)
	if final {
		k.reset()
	}
	return out
}
