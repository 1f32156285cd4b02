package csp

import (
	"encoding/binary"
	"fmt"
)

// CreateHash creates a hash object under context h. alg is a hash algorithm (CALG_MD4,
// CALG_MD5, CALG_SHA1, and under PROV_RSA_AES CALG_SHA_256, CALG_SHA_384, CALG_SHA_512) or
// CALG_HMAC, which needs key: a session key whose bytes key the HMAC (NTE_BAD_KEY otherwise,
// in both error models: advapi32 passes the optional key, 0 included, to the provider, which
// rejects it). For other algorithms key is ignored, as in CryptoAPI. flags must be 0.
func (c *CSP) CreateHash(h ProvHandle, alg uint32, key KeyHandle, flags uint32) (HashHandle, error) {
	eh, ctx, err := c.pin(uint64(h), kindCtx)
	if err != nil {
		return 0, err
	}
	defer c.tab.Unpin(eh)
	if flags != 0 {
		return 0, fmt.Errorf("csp: CreateHash flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	a, ok := lookupAlg(ctx.ctx.pers, alg)
	if !ok || (a.class != classHash && a.class != classHMAC) {
		return 0, fmt.Errorf("csp: hash algorithm %#x: %w", alg, NTE_BAD_ALGID)
	}
	var hmacKey []byte
	if a.class == classHMAC {
		if key == 0 {
			return 0, fmt.Errorf("csp: CALG_HMAC needs a key: %w", NTE_BAD_KEY)
		}
		kh, ko, err := c.pin(uint64(key), kindKey)
		if err != nil {
			return 0, err
		}
		raw := ko.key.raw // immutable once the key exists
		c.tab.Unpin(kh)
		if raw == nil {
			return 0, fmt.Errorf("csp: CALG_HMAC needs a session key, not a key pair: %w", NTE_BAD_KEY)
		}
		hmacKey = raw
	}
	o := &object{kind: kindHash, ctx: ctx.ctx}
	o.hash.init(alg, a, hmacKey)
	hh, err := c.insertChild(eh, o)
	return HashHandle(hh), err
}

// HashData adds data to the hash. After the value was read (HP_HASHVAL, SignHash,
// VerifySignature, DeriveKey) or set (SetHashParam HP_HASHVAL) it returns NTE_BAD_HASH_STATE.
// flags must be 0 or CRYPT_USERDATA, which Microsoft's providers accept and which changes
// nothing here.
func (c *CSP) HashData(hh HashHandle, data []byte, flags uint32) error {
	eh, o, err := c.pin(uint64(hh), kindHash)
	if err != nil {
		return err
	}
	defer c.tab.Unpin(eh)
	if flags&^CRYPT_USERDATA != 0 {
		return fmt.Errorf("csp: HashData flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.hash.write(data)
}

// GetHashParam returns a parameter of the hash: HP_ALGID (4 bytes, little-endian),
// HP_HASHSIZE (4 bytes, little-endian) or HP_HASHVAL (the value; reading it finishes the hash,
// after which HashData fails with NTE_BAD_HASH_STATE). Other params give NTE_BAD_TYPE; flags
// must be 0.
func (c *CSP) GetHashParam(hh HashHandle, param, flags uint32) ([]byte, error) {
	eh, o, err := c.pin(uint64(hh), kindHash)
	if err != nil {
		return nil, err
	}
	defer c.tab.Unpin(eh)
	if flags != 0 {
		return nil, fmt.Errorf("csp: GetHashParam flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	switch param {
	case HP_ALGID:
		return binary.LittleEndian.AppendUint32(nil, o.hash.alg), nil
	case HP_HASHSIZE:
		return binary.LittleEndian.AppendUint32(nil, uint32(o.hash.size)), nil
	case HP_HASHVAL:
		v, err := o.hash.value()
		return append([]byte(nil), v...), err
	}
	return nil, fmt.Errorf("csp: hash parameter %d: %w", param, NTE_BAD_TYPE)
}

// SetHashParam sets a parameter of the hash. HP_HASHVAL sets the hash's value (exactly the
// hash size, NTE_BAD_DATA otherwise) and finishes it, so that SignHash signs a value computed
// elsewhere. HP_HMAC_INFO is for CALG_HMAC
// hashes before their first data: data is the inner hash's ALG_ID as 4 little-endian bytes
// (the HashAlgid field of Windows' HMAC_INFO, see HMACInfo; custom inner and outer pad
// strings are not supported). It must name a hash algorithm the context's provider
// offers (NTE_BAD_ALGID). Without it, CALG_HMAC uses SHA-256, under every provider.
// After data was hashed it returns NTE_BAD_HASH_STATE; on a hash that is not CALG_HMAC, or
// for another param, NTE_BAD_TYPE. flags must be 0.
func (c *CSP) SetHashParam(hh HashHandle, param uint32, data []byte, flags uint32) error {
	eh, o, err := c.pin(uint64(hh), kindHash)
	if err != nil {
		return err
	}
	defer c.tab.Unpin(eh)
	if flags != 0 {
		return fmt.Errorf("csp: SetHashParam flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	switch param {
	case HP_HMAC_INFO:
		return o.hash.setHMACInfo(o.ctx.pers, data)
	case HP_HASHVAL:
		return o.hash.setValue(data)
	}
	return fmt.Errorf("csp: hash parameter %d: %w", param, NTE_BAD_TYPE)
}

// DestroyHash releases the hash object. A hash whose context was released gives NTE_BAD_UID
// (its memory is reclaimed with the context); one destroyed before gives NTE_BAD_HASH; one
// another goroutine is using gives ERROR_BUSY.
func (c *CSP) DestroyHash(hh HashHandle) error {
	return c.destroy(uint64(hh), kindHash)
}

func (c *CSP) destroy(h uint64, k kind) error {
	eh, o, err := c.get(h, k)
	if err != nil {
		return err
	}
	c.lineage.destroying(eh)
	if _, err := c.tab.Release(eh); err != nil {
		return c.explain(h, k, err)
	}
	c.lineage.destroyed(eh, o.parent)
	return nil
}

// HMACInfo returns the HP_HMAC_INFO data that selects inner as the inner hash of an HMAC.
func HMACInfo(inner uint32) []byte { return binary.LittleEndian.AppendUint32(nil, inner) }
