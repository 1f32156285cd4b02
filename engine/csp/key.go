package csp

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"

	"github.com/hprov/hprov/engine"
)

// sessionFlags are the GenKey and DeriveKey flags in the low 16 bits that the provider
// accepts. CRYPT_USER_PROTECTED asks for a user interface the provider never shows, so it
// changes nothing, as CRYPT_SILENT does not either.
const sessionFlags = CRYPT_EXPORTABLE | CRYPT_USER_PROTECTED | CRYPT_CREATE_SALT | CRYPT_NO_SALT

// saltLen returns the salt length of a new session key of n bytes under personality p, by
// Windows' rules (Wine's test_RC4_salt and test_rc4, run on Windows): CRYPT_CREATE_SALT gives
// 11 bytes in the base and strong providers whatever the key length, and nothing in the
// enhanced ones (Enhanced, and RSA and AES); without it a 40-bit key has 11 bytes unless
// CRYPT_NO_SALT, and other keys none.
func saltLen(p personality, n int, flags uint32) int {
	switch {
	case flags&CRYPT_CREATE_SALT != 0:
		if p == persBase || p == persStrong {
			return 11
		}
		return 0
	case n == 5 && flags&CRYPT_NO_SALT == 0:
		return 11
	}
	return 0
}

// GenKey creates a key under context h. A session key algorithm the context's provider
// offers (CALG_RC4, CALG_DES, CALG_3DES_112, CALG_3DES, and under PROV_RSA_AES CALG_AES_128,
// CALG_AES_192, CALG_AES_256; see GetProvParam's PP_ENUMALGS_EX) makes a random session key.
// AT_SIGNATURE or CALG_RSA_SIGN, and AT_KEYEXCHANGE or CALG_RSA_KEYX, make an RSA key pair
// (2048 bits by default) and store it in the context's container, replacing the pair of that
// spec (NTE_BAD_KEYSET if the container was deleted); on a CRYPT_VERIFYCONTEXT context the
// pair is ephemeral and lives as long as the context. Other algorithms give NTE_BAD_ALGID.
//
// Flags: CRYPT_EXPORTABLE lets ExportKey export the key's secret (SIMPLEBLOB,
// PLAINTEXTKEYBLOB, PRIVATEKEYBLOB); CRYPT_CREATE_SALT gives a session key of the base and
// strong providers 11 bytes of random salt (the enhanced providers ignore it, as on Windows);
// CRYPT_NO_SALT keeps a 40-bit key from the default 11 zero bytes of salt (see saltLen);
// CRYPT_USER_PROTECTED is accepted. CALG_AES, which PP_ENUMALGS lists, is no key algorithm
// (NTE_BAD_ALGID), as on Windows. The upper 16 bits may give the key length in bits
// (0: the provider's default), which must be one the provider offers; RSA keys below 1024
// bits need GODEBUG=rsa1024min=0, as Go refuses them otherwise. Other flags: NTE_BAD_FLAGS.
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
	if flags&0xFFFF&^sessionFlags != 0 {
		return 0, fmt.Errorf("csp: key flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	a, ok := lookupAlg(ctx.ctx.pers, alg)
	if ok && a.class != classRSA {
		a, ok = keyAlg(ctx.ctx.pers, alg)
	}
	if !ok {
		return 0, fmt.Errorf("csp: key algorithm %#x: %w", alg, NTE_BAD_ALGID)
	}
	if a.class == classRSA {
		bits, err := rsaKeyBits(a, flags>>16)
		if err != nil {
			return 0, err
		}
		priv, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			return 0, fmt.Errorf("csp: RSA key generation: %v: %w", err, NTE_BAD_FLAGS)
		}
		exportable := flags&CRYPT_EXPORTABLE != 0
		if err := c.storeKey(eh, ctx.ctx, spec, priv, exportable); err != nil {
			return 0, err
		}
		return c.newKey(eh, ctx.ctx, rsaKeyState(alg, &priv.PublicKey, priv, permsFor(flags)))
	}
	n, err := keyBytesLen(a, flags>>16)
	if err != nil {
		return 0, err
	}
	buf := make([]byte, n+saltLen(ctx.ctx.pers, n, flags))
	_, _ = rand.Read(buf)
	salt := buf[n:]
	if flags&CRYPT_CREATE_SALT == 0 {
		clear(salt) // the default salt of a 40-bit key is zero
	}
	ks, err := newSessionKey(a, buf[:n:n], salt, permsFor(flags))
	if err != nil {
		return 0, err
	}
	return c.newKey(eh, ctx.ctx, ks)
}

func (c *CSP) newKey(eh engine.Handle, ctx *context, ks *keyState) (KeyHandle, error) {
	kh, err := c.insertChild(eh, &object{kind: kindKey, ctx: ctx, key: ks})
	return KeyHandle(kh), err
}

// GetUserKey returns a new handle to the context's key pair of keySpec (AT_KEYEXCHANGE or
// AT_SIGNATURE): NTE_NO_KEY if there is none (or keySpec is neither), NTE_BAD_KEYSET if the
// container was deleted or cannot be read. Destroying the handle leaves the pair in place. The
// key is exportable if the pair was generated or imported with CRYPT_EXPORTABLE (an
// ExportStore, such as MemStore and DirStore, keeps that with the pair; with another Store
// only this CSP remembers it).
func (c *CSP) GetUserKey(h ProvHandle, keySpec uint32) (KeyHandle, error) {
	eh, ctx, err := c.pin(uint64(h), kindCtx)
	if err != nil {
		return 0, err
	}
	defer c.tab.Unpin(eh)
	priv, exportable, err := c.userKeyExportable(eh, ctx.ctx, keySpec)
	if err != nil {
		return 0, err
	}
	alg := CALG_RSA_KEYX
	if keySpec == AT_SIGNATURE {
		alg = CALG_RSA_SIGN
	}
	perms := defaultPerms
	if exportable {
		perms |= CRYPT_EXPORT
	}
	return c.newKey(eh, ctx.ctx, rsaKeyState(alg, &priv.PublicKey, priv, perms))
}

// DeriveKey creates a session key (any session key algorithm the context's provider offers,
// else NTE_BAD_ALGID) from the value of the hash base, by CryptDeriveKey's construction: the
// key is the first bytes of the hash value, expanded first (see deriveMaterial) when the value
// is too short, or always for AES and three-key 3DES keys from a hash outside the SHA-2
// family, as on Windows. Deriving finishes the hash. The key's IV is zero; CRYPT_CREATE_SALT takes the salt
// from the hash bytes after the key. Flags as in GenKey.
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
	if flags&0xFFFF&^sessionFlags != 0 {
		return 0, fmt.Errorf("csp: key flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	a, ok := keyAlg(ctx.ctx.pers, alg)
	if !ok {
		return 0, fmt.Errorf("csp: DeriveKey algorithm %#x: %w", alg, NTE_BAD_ALGID)
	}
	n, err := keyBytesLen(a, flags>>16)
	if err != nil {
		return 0, err
	}
	bo.mu.Lock()
	value, err := bo.hash.value()
	inner := bo.hash.alg
	if inner == CALG_HMAC {
		inner = bo.hash.inner
	}
	var material []byte
	if err == nil {
		material, err = deriveMaterial(hashAlg(inner).newHash, value, n, deriveExpands(alg, inner))
	}
	bo.mu.Unlock()
	if err != nil {
		return 0, err
	}
	salt := make([]byte, saltLen(ctx.ctx.pers, n, flags))
	if flags&CRYPT_CREATE_SALT != 0 {
		copy(salt, material[n:]) // the hash bytes after the key, zero beyond the value
	}
	ks, err := newSessionKey(a, material[:n:n], salt, permsFor(flags))
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
