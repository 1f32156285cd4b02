package csp

import (
	"encoding/binary"
	"fmt"
)

// SetKeyParam sets a parameter of a session key (NTE_BAD_TYPE on a key pair, or for another
// param):
//   - KP_IV: the vector every message starts from, exactly the block length (NTE_BAD_DATA
//     otherwise); it also restarts the message in progress. RC4 has none (NTE_BAD_TYPE).
//   - KP_MODE (4 bytes little-endian): CRYPT_MODE_CBC, CRYPT_MODE_ECB, CRYPT_MODE_CFB, or
//     CRYPT_MODE_OFB and CRYPT_MODE_CTS, which Windows also accepts here and then fails at
//     Encrypt with NTE_BAD_ALGID; other values NTE_BAD_DATA. Block ciphers only.
//   - KP_MODE_BITS: 8, the only CFB feedback width (NTE_BAD_DATA otherwise).
//   - KP_PADDING: PKCS5_PADDING, the only padding (NTE_BAD_DATA otherwise).
//   - KP_PERMISSIONS: the CRYPT_ENCRYPT ... CRYPT_ARCHIVE bits. Adding CRYPT_EXPORT to a key
//     that does not have it is NTE_BAD_DATA; removing it is ignored, as Windows does, so an
//     exportable key stays exportable.
//   - KP_SALT: new bytes for the key's salt: in the base and strong providers 11 bytes (their
//     salt length, whatever the key had before), in the enhanced ones the salt's current
//     length (a key made without salt keeps none), as Windows does (Wine's test_rc4). Data
//     shorter than that is NTE_BAD_DATA; bytes beyond it are ignored, since Windows reads
//     only the salt's length.
//     KP_SALT_EX: the salt itself, of any length up to 24 bytes (NTE_BAD_DATA otherwise). RC4
//     appends the salt to the key bytes; setting it restarts the message in progress.
//
// Integers are 4 bytes little-endian (NTE_BAD_DATA otherwise). flags must be 0.
func (c *CSP) SetKeyParam(k KeyHandle, param uint32, data []byte, flags uint32) error {
	kh, ko, err := c.pin(uint64(k), kindKey)
	if err != nil {
		return err
	}
	defer c.tab.Unpin(kh)
	if flags != 0 {
		return fmt.Errorf("csp: SetKeyParam flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	ks := ko.key
	if ks.pub != nil && param != KP_PERMISSIONS {
		return fmt.Errorf("csp: key parameter %d of a key pair: %w", param, NTE_BAD_TYPE)
	}
	if param == KP_IV && ks.block == nil && ks.pub == nil && len(data) == 0 {
		return nil // RC4's IV is empty: Windows takes a zero-length one
	}
	dword := func() (uint32, error) {
		if len(data) != 4 {
			return 0, fmt.Errorf("csp: key parameter %d takes 4 bytes, got %d: %w", param, len(data), NTE_BAD_DATA)
		}
		return binary.LittleEndian.Uint32(data), nil
	}
	ko.mu.Lock()
	defer ko.mu.Unlock()
	switch param {
	case KP_IV:
		if ks.block == nil {
			return fmt.Errorf("csp: KP_IV of a stream cipher key: %w", NTE_BAD_TYPE)
		}
		if len(data) != len(ks.iv) {
			return fmt.Errorf("csp: KP_IV of %d bytes, want %d: %w", len(data), len(ks.iv), NTE_BAD_DATA)
		}
		copy(ks.iv, data)
		ks.reset()
		return nil
	case KP_MODE:
		v, err := dword()
		if err != nil {
			return err
		}
		if ks.block == nil {
			return fmt.Errorf("csp: KP_MODE of a stream cipher key: %w", NTE_BAD_TYPE)
		}
		if v < CRYPT_MODE_CBC || v > CRYPT_MODE_CTS {
			return fmt.Errorf("csp: cipher mode %d: %w", v, NTE_BAD_DATA)
		}
		ks.mode = v
		ks.reset()
		return nil
	case KP_MODE_BITS:
		if v, err := dword(); err != nil || v != 8 {
			return fmt.Errorf("csp: KP_MODE_BITS %x: only 8: %w", data, NTE_BAD_DATA)
		}
		return nil
	case KP_PADDING:
		if v, err := dword(); err != nil || v != PKCS5_PADDING {
			return fmt.Errorf("csp: KP_PADDING %x: only PKCS5_PADDING: %w", data, NTE_BAD_DATA)
		}
		return nil
	case KP_PERMISSIONS:
		v, err := dword()
		if err != nil {
			return err
		}
		if v&CRYPT_EXPORT != 0 && ks.perms&CRYPT_EXPORT == 0 {
			return fmt.Errorf("csp: KP_PERMISSIONS cannot make a key exportable: %w", NTE_BAD_DATA)
		}
		ks.perms = v | ks.perms&CRYPT_EXPORT
		return nil
	case KP_SALT:
		n := len(ks.salt)
		if p := ko.ctx.pers; p == persBase || p == persStrong {
			n = 11 // these providers' salt length, whatever the key had
		}
		if len(data) < n {
			return fmt.Errorf("csp: KP_SALT of %d bytes for a salt of %d: %w", len(data), n, NTE_BAD_DATA)
		}
		ks.salt = append(ks.salt[:0:0], data[:n]...)
		ks.reset()
		return nil
	case KP_SALT_EX:
		if len(data) > 24 {
			return fmt.Errorf("csp: salt of %d bytes, at most 24: %w", len(data), NTE_BAD_DATA)
		}
		ks.salt = append([]byte(nil), data...)
		ks.reset()
		return nil
	}
	return fmt.Errorf("csp: key parameter %d: %w", param, NTE_BAD_TYPE)
}

// GetKeyParam returns a parameter of the key: KP_ALGID, KP_KEYLEN (the storage length in bits:
// 64 for DES, 128 for 3DES_112, 192 for 3DES, the modulus length for RSA),
// KP_EFFECTIVE_KEYLEN (the key length in bits), KP_BLOCKLEN (bits: the cipher's block, the
// modulus for RSA, 0 for RC4), KP_PERMISSIONS, and for session keys KP_MODE (0 for RC4),
// KP_MODE_BITS (8 for block ciphers, 0 for RC4), KP_PADDING (PKCS5_PADDING), KP_SALT (the
// salt bytes) and KP_IV (empty for RC4), as Windows answers. Integers are 4 bytes
// little-endian. KP_SALT of a key pair is NTE_BAD_KEY, as on Windows; other params give
// NTE_BAD_TYPE. flags must be 0.
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
	ks := ko.key
	dword := func(v int) ([]byte, error) { return binary.LittleEndian.AppendUint32(nil, uint32(v)), nil }
	session := ks.pub == nil
	switch {
	case param == KP_ALGID:
		return dword(int(ks.alg))
	case param == KP_KEYLEN:
		return dword(ks.bits())
	case param == KP_EFFECTIVE_KEYLEN:
		if ks.info != nil && (ks.alg == CALG_DES || ks.alg == CALG_3DES_112 || ks.alg == CALG_3DES) {
			return dword(int(ks.info.defLen))
		}
		return dword(ks.bits())
	case param == KP_BLOCKLEN:
		return dword(8 * ks.blockLen())
	case param == KP_PERMISSIONS:
		return dword(int(ks.perms))
	case param == KP_MODE && session:
		return dword(int(ks.mode))
	case param == KP_MODE_BITS && session:
		if ks.block == nil {
			return dword(0)
		}
		return dword(8)
	case param == KP_PADDING && session:
		return dword(int(PKCS5_PADDING))
	case param == KP_SALT && session:
		return append([]byte{}, ks.salt...), nil
	case param == KP_SALT:
		return nil, fmt.Errorf("csp: KP_SALT of a key pair: %w", NTE_BAD_KEY)
	case param == KP_IV && session:
		return append([]byte{}, ks.iv...), nil
	}
	return nil, fmt.Errorf("csp: key parameter %d: %w", param, NTE_BAD_TYPE)
}
