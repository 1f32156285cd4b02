package csp

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/binary"
	"fmt"

	"github.com/hprov/hprov/engine"
)

// keyFlags checks GenKey and DeriveKey flags: CRYPT_EXPORTABLE (accepted; the provider has no
// key export) and, in the upper 16 bits, 0 or the key's length in bits.
func keyFlags(flags uint32, bits int) error {
	if flags&0xFFFF&^CRYPT_EXPORTABLE != 0 {
		return fmt.Errorf("csp: key flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	if l := flags >> 16; l != 0 && int(l) != bits {
		return fmt.Errorf("csp: key length %d bits, this algorithm has %d: %w", l, bits, NTE_BAD_FLAGS)
	}
	return nil
}

// GenKey creates a key under context h. alg CALG_AES_128, CALG_AES_192 or CALG_AES_256
// (PROV_RSA_AES only) makes a random session key. AT_SIGNATURE or CALG_RSA_SIGN, and
// AT_KEYEXCHANGE or CALG_RSA_KEYX, make a 2048-bit RSA key pair and store it in the context's
// container, replacing the pair of that spec (NTE_BAD_KEYSET if the container was deleted); on
// a CRYPT_VERIFYCONTEXT context the pair is ephemeral and lives as long as the context. Other
// algorithms give NTE_BAD_ALGID. See keyFlags for flags.
func (c *CSP) GenKey(h ProvHandle, alg, flags uint32) (KeyHandle, error) {
	eh, ctx, err := c.pin(uint64(h), kindCtx)
	if err != nil {
		return 0, err
	}
	defer c.tab.Unpin(eh)
	spec := uint32(0)
	switch alg {
	case AT_SIGNATURE, CALG_RSA_SIGN:
		spec, alg = AT_SIGNATURE, CALG_RSA_SIGN
	case AT_KEYEXCHANGE, CALG_RSA_KEYX:
		spec, alg = AT_KEYEXCHANGE, CALG_RSA_KEYX
	}
	if flags&0xFFFF&^CRYPT_EXPORTABLE != 0 {
		return 0, fmt.Errorf("csp: key flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	a, ok := lookupAlg(ctx.ctx.provType, alg)
	if !ok || (a.class != classAES && a.class != classRSA) {
		return 0, fmt.Errorf("csp: key algorithm %#x: %w", alg, NTE_BAD_ALGID)
	}
	var ks *keyState
	if a.class == classAES {
		if err := keyFlags(flags, 8*a.size); err != nil {
			return 0, err
		}
		raw := make([]byte, a.size)
		if _, err := rand.Read(raw); err != nil {
			return 0, fmt.Errorf("csp: random key: %v: %w", err, NTE_NO_MEMORY)
		}
		if ks, err = newAESKey(alg, raw); err != nil {
			return 0, err
		}
	} else {
		if err := keyFlags(flags, rsaBits); err != nil {
			return 0, err
		}
		priv, err := rsa.GenerateKey(rand.Reader, rsaBits)
		if err != nil {
			return 0, fmt.Errorf("csp: RSA key generation: %v: %w", err, NTE_NO_MEMORY)
		}
		if err := c.storeKey(eh, ctx.ctx, spec, priv); err != nil {
			return 0, err
		}
		ks = &keyState{alg: alg, priv: priv}
	}
	return c.newKey(eh, ctx.ctx, ks)
}

func (c *CSP) newKey(eh engine.Handle, ctx *context, ks *keyState) (KeyHandle, error) {
	kh, err := c.insertChild(eh, &object{kind: kindKey, ctx: ctx, key: ks})
	return KeyHandle(kh), err
}

// storeKey puts a new key pair in the context's container, or its ephemeral one.
func (c *CSP) storeKey(eh engine.Handle, ctx *context, spec uint32, priv *rsa.PrivateKey) error {
	if !ctx.verify {
		return c.store.SetKey(ctx.store, ctx.id, spec, priv)
	}
	c.ephemeralMu.Lock()
	defer c.ephemeralMu.Unlock()
	e := c.ephemeral[eh]
	if e == nil {
		e = &Container{}
		c.ephemeral[eh] = e
		c.ephemeralN.Add(1)
	}
	return e.set(spec, priv)
}

// GetUserKey returns a new handle to the context's key pair of keySpec (AT_KEYEXCHANGE or
// AT_SIGNATURE): NTE_NO_KEY if there is none (or keySpec is neither), NTE_BAD_KEYSET if the
// container was deleted or cannot be read. Destroying the handle leaves the pair in place.
func (c *CSP) GetUserKey(h ProvHandle, keySpec uint32) (KeyHandle, error) {
	eh, ctx, err := c.pin(uint64(h), kindCtx)
	if err != nil {
		return 0, err
	}
	defer c.tab.Unpin(eh)
	priv, err := c.userKey(eh, ctx.ctx, keySpec)
	if err != nil {
		return 0, err
	}
	alg := CALG_RSA_KEYX
	if keySpec == AT_SIGNATURE {
		alg = CALG_RSA_SIGN
	}
	return c.newKey(eh, ctx.ctx, &keyState{alg: alg, priv: priv})
}

// DeriveKey creates an AES session key (alg CALG_AES_128/192/256, PROV_RSA_AES only, else
// NTE_BAD_ALGID) from the value of the hash base, by CryptDeriveKey's construction: the key is
// the first bytes of the hash value, and when the value is shorter than the key it is first
// expanded to H(value ^ 0x36 pad) || H(value ^ 0x5C pad) over 64-byte buffers, with the
// base's hash algorithm (an HMAC's inner hash). Deriving finishes the hash. The key's IV is
// zero. See keyFlags for flags.
func (c *CSP) DeriveKey(h ProvHandle, alg uint32, base HashHandle, flags uint32) (KeyHandle, error) {
	eh, ctx, err := c.pin(uint64(h), kindCtx)
	if err != nil {
		return 0, err
	}
	defer c.tab.Unpin(eh)
	bh, bo, err := c.pin(uint64(base), kindHash)
	if err != nil {
		return 0, err
	}
	defer c.tab.Unpin(bh)
	if flags&0xFFFF&^CRYPT_EXPORTABLE != 0 {
		return 0, fmt.Errorf("csp: key flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	a, ok := lookupAlg(ctx.ctx.provType, alg)
	if !ok || a.class != classAES {
		return 0, fmt.Errorf("csp: DeriveKey algorithm %#x: %w", alg, NTE_BAD_ALGID)
	}
	if err := keyFlags(flags, 8*a.size); err != nil {
		return 0, err
	}
	bo.mu.Lock()
	value := bo.hash.value()
	inner := bo.hash.alg
	if inner == CALG_HMAC {
		inner = bo.hash.inner
	}
	ha, _ := lookupAlg(PROV_RSA_AES, inner)
	raw, err := deriveKeyBytes(ha.newHash, value, a.size)
	bo.mu.Unlock()
	if err != nil {
		return 0, err
	}
	ks, err := newAESKey(alg, raw)
	if err != nil {
		return 0, err
	}
	return c.newKey(eh, ctx.ctx, ks)
}

// DestroyKey releases the key handle; a key pair stays in its container. A key whose context
// was released gives NTE_BAD_UID (its memory is reclaimed with the context); one destroyed
// before gives NTE_BAD_KEY; one another goroutine is using gives ERROR_BUSY.
func (c *CSP) DestroyKey(k KeyHandle) error {
	return c.destroy(uint64(k), kindKey)
}

// pinHashOpt pins an optional hash: zero means none.
func (c *CSP) pinHashOpt(hh HashHandle) (engine.Handle, *object, error) {
	if hh == 0 {
		return 0, nil, nil
	}
	return c.pin(uint64(hh), kindHash)
}

// Encrypt encrypts data with key k and returns the ciphertext. If hh is not zero, the
// plaintext is also added to that hash. AES keys work in CBC mode and keep the chaining vector
// across non-final calls, whose data must be whole 16-byte blocks (NTE_BAD_DATA); the final
// call adds PKCS#7 padding and resets the vector to the key's IV. RSA key-exchange keys
// encrypt one PKCS#1 v1.5 block (final is ignored) of at most 245 bytes (NTE_BAD_LEN) and
// return it little-endian, as CryptoAPI does; signature keys give NTE_BAD_KEY. flags must be 0.
func (c *CSP) Encrypt(k KeyHandle, hh HashHandle, final bool, flags uint32, data []byte) ([]byte, error) {
	return c.crypt(k, hh, final, flags, data, true)
}

// Decrypt reverses Encrypt. Ciphertext that is not whole blocks, an empty final call and bad
// padding give NTE_BAD_DATA, as does an RSA block that is not 256 bytes or does not decrypt.
// If hh is not zero, the plaintext is added to that hash.
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
	if flags != 0 {
		return nil, fmt.Errorf("csp: Encrypt/Decrypt flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	// Lock order: key, then hash. No other call holds two object locks.
	ko.mu.Lock()
	defer ko.mu.Unlock()
	if ho != nil {
		ho.mu.Lock()
		defer ho.mu.Unlock()
		if ho.hash.finished {
			return nil, fmt.Errorf("csp: hash value already read: %w", NTE_BAD_HASH_STATE)
		}
	}
	ks := ko.key
	var out []byte
	switch {
	case ks.priv != nil && ks.alg == CALG_RSA_SIGN:
		return nil, fmt.Errorf("csp: a signature key pair cannot encrypt: %w", NTE_BAD_KEY)
	case ks.priv != nil && encrypt:
		if out, err = rsaEncrypt(&ks.priv.PublicKey, data); err != nil {
			return nil, err
		}
	case ks.priv != nil:
		if out, err = rsaDecrypt(ks.priv, data); err != nil {
			return nil, err
		}
	case encrypt:
		if out, err = ks.cbcEncrypt(data, final); err != nil {
			return nil, err
		}
	default:
		if out, err = ks.cbcDecrypt(data, final); err != nil {
			return nil, err
		}
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
// AT_KEYEXCHANGE, else NTE_BAD_ALGID), PKCS#1 v1.5, and returns the 256-byte signature
// little-endian, as CryptoAPI does. NTE_NO_KEY if the context has no such pair; NTE_BAD_KEYSET
// if its container was deleted; NTE_BAD_ALGID for a CALG_HMAC hash. Signing finishes the hash.
// flags must be 0.
func (c *CSP) SignHash(hh HashHandle, keySpec, flags uint32) ([]byte, error) {
	eh, o, err := c.pin(uint64(hh), kindHash)
	if err != nil {
		return nil, err
	}
	defer c.tab.Unpin(eh)
	if flags != 0 {
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
	a, _ := lookupAlg(PROV_RSA_AES, o.hash.alg)
	o.mu.Lock()
	digest := append([]byte(nil), o.hash.value()...)
	o.mu.Unlock()
	sig, err := rsa.SignPKCS1v15(nil, priv, a.crypto, digest)
	if err != nil {
		return nil, fmt.Errorf("csp: signing: %v: %w", err, NTE_BAD_KEY)
	}
	return reversed(sig), nil
}

// VerifySignature checks a little-endian PKCS#1 v1.5 signature of the hash's value with the
// RSA key pub: NTE_BAD_SIGNATURE if it does not verify, NTE_BAD_KEY if pub is not an RSA key,
// NTE_BAD_ALGID for a CALG_HMAC hash. Verifying finishes the hash. flags must be 0.
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
	if flags != 0 {
		return fmt.Errorf("csp: VerifySignature flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	if ko.key.priv == nil {
		return fmt.Errorf("csp: a session key cannot verify signatures: %w", NTE_BAD_KEY)
	}
	if o.hash.alg == CALG_HMAC {
		return fmt.Errorf("csp: an HMAC has no signature: %w", NTE_BAD_ALGID)
	}
	a, _ := lookupAlg(PROV_RSA_AES, o.hash.alg)
	o.mu.Lock()
	digest := append([]byte(nil), o.hash.value()...)
	o.mu.Unlock()
	pk := &ko.key.priv.PublicKey
	if len(sig) != pk.Size() {
		return fmt.Errorf("csp: signature of %d bytes, want %d: %w", len(sig), pk.Size(), NTE_BAD_SIGNATURE)
	}
	if err := rsa.VerifyPKCS1v15(pk, a.crypto, digest, reversed(sig)); err != nil {
		return fmt.Errorf("csp: %v: %w", err, NTE_BAD_SIGNATURE)
	}
	return nil
}

// SetKeyParam sets KP_IV of an AES key (16 bytes, NTE_BAD_DATA otherwise): the vector every
// message starts from; it also restarts the message in progress. Other params, or KP_IV of an
// RSA key, give NTE_BAD_TYPE. flags must be 0.
func (c *CSP) SetKeyParam(k KeyHandle, param uint32, data []byte, flags uint32) error {
	kh, ko, err := c.pin(uint64(k), kindKey)
	if err != nil {
		return err
	}
	defer c.tab.Unpin(kh)
	if flags != 0 {
		return fmt.Errorf("csp: SetKeyParam flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	if param != KP_IV || ko.key.priv != nil {
		return fmt.Errorf("csp: key parameter %d: %w", param, NTE_BAD_TYPE)
	}
	if len(data) != len(ko.key.iv) {
		return fmt.Errorf("csp: KP_IV of %d bytes, want %d: %w", len(data), len(ko.key.iv), NTE_BAD_DATA)
	}
	ko.mu.Lock()
	copy(ko.key.iv[:], data)
	ko.key.chain = ko.key.iv
	ko.mu.Unlock()
	return nil
}

// GetKeyParam returns KP_ALGID (4 bytes little-endian), KP_KEYLEN (the length in bits, 4 bytes
// little-endian) or, for AES keys, KP_IV. Other params give NTE_BAD_TYPE; flags must be 0.
func (c *CSP) GetKeyParam(k KeyHandle, param, flags uint32) ([]byte, error) {
	kh, ko, err := c.pin(uint64(k), kindKey)
	if err != nil {
		return nil, err
	}
	defer c.tab.Unpin(kh)
	if flags != 0 {
		return nil, fmt.Errorf("csp: GetKeyParam flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	ko.mu.Lock()
	defer ko.mu.Unlock()
	switch {
	case param == KP_ALGID:
		return binary.LittleEndian.AppendUint32(nil, ko.key.alg), nil
	case param == KP_KEYLEN:
		return binary.LittleEndian.AppendUint32(nil, uint32(ko.key.bits())), nil
	case param == KP_IV && ko.key.priv == nil:
		return append([]byte(nil), ko.key.iv[:]...), nil
	}
	return nil, fmt.Errorf("csp: key parameter %d: %w", param, NTE_BAD_TYPE)
}
