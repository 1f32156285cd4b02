package csp

import "fmt"

// DuplicateHash returns a new hash object with the state of hh: data hashed so far, HMAC key
// and inner hash, and whether its value was read. The two then go their own ways; the copy
// belongs to hh's context and dies with it. flags must be 0 (NTE_BAD_FLAGS).
func (c *CSP) DuplicateHash(hh HashHandle, flags uint32) (HashHandle, error) {
	eh, o, err := c.pin(uint64(hh), kindHash)
	if err != nil {
		return 0, err
	}
	defer c.tab.Unpin(eh)
	if flags != 0 {
		return 0, fmt.Errorf("csp: DuplicateHash flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	o.mu.Lock()
	st, err := o.hash.clone()
	o.mu.Unlock()
	if err != nil {
		return 0, err
	}
	d := &object{kind: kindHash, ctx: o.ctx, hash: st}
	h, err := c.insertChild(o.parent, d) // the context is pinned with the hash
	return HashHandle(h), err
}

// DuplicateKey returns a new key with the state of k: key bytes, salt, mode, IV and the
// message in progress (chaining vector or RC4 keystream position), permissions; for a key
// pair, the same pair. The two then go their own ways; the copy belongs to k's context and
// dies with it. flags must be 0 (NTE_BAD_FLAGS).
func (c *CSP) DuplicateKey(k KeyHandle, flags uint32) (KeyHandle, error) {
	kh, ko, err := c.pin(uint64(k), kindKey)
	if err != nil {
		return 0, err
	}
	defer c.tab.Unpin(kh)
	if flags != 0 {
		return 0, fmt.Errorf("csp: DuplicateKey flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	ko.mu.Lock()
	ks := ko.key.clone()
	ko.mu.Unlock()
	h, err := c.insertChild(ko.parent, &object{kind: kindKey, ctx: ko.ctx, key: ks})
	return KeyHandle(h), err
}

// HashSessionKey adds the bytes of session key k to the hash hh: in reverse order (the key as
// a big-endian number, as CryptoAPI documents and Microsoft's providers do) unless flags is
// CRYPT_LITTLE_ENDIAN, which hashes them in memory order. The salt is not hashed. A key pair
// gives NTE_BAD_KEY; a hash whose value was read NTE_BAD_HASH_STATE; other flags
// NTE_BAD_FLAGS.
func (c *CSP) HashSessionKey(hh HashHandle, k KeyHandle, flags uint32) error {
	eh, o, err := c.pin(uint64(hh), kindHash)
	if err != nil {
		return err
	}
	defer c.tab.Unpin(eh)
	kh, ko, err := c.pin(uint64(k), kindKey)
	if err != nil {
		return err
	}
	defer c.tab.Unpin(kh)
	if flags&^CRYPT_LITTLE_ENDIAN != 0 {
		return fmt.Errorf("csp: HashSessionKey flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	raw := ko.key.raw // immutable once the key exists
	if raw == nil {
		return fmt.Errorf("csp: HashSessionKey of a key pair: %w", NTE_BAD_KEY)
	}
	if flags&CRYPT_LITTLE_ENDIAN == 0 {
		raw = reversed(raw)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.hash.write(raw)
}
