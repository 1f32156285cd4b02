package csp

import (
	"crypto/rsa"
	"encoding/binary"
	"fmt"
	"math/big"
)

// Key blobs, byte for byte as Windows writes them (wincrypt.h; all integers little-endian):
//
//	BLOBHEADER  bType byte, bVersion byte (2), reserved uint16 (0), aiKeyAlg uint32
//	PLAINTEXTKEYBLOB  BLOBHEADER, dwKeySize uint32, key [dwKeySize]byte
//	SIMPLEBLOB        BLOBHEADER, algid uint32 (the exchange key's, CALG_RSA_KEYX),
//	                  the key encrypted with the exchange key [modulus length]byte,
//	                  little-endian (PKCS#1 v1.5, or OAEP under CRYPT_OAEP)
//	PUBLICKEYBLOB     BLOBHEADER, RSAPUBKEY{magic "RSA1", bitlen uint32, pubexp uint32},
//	                  modulus [bitlen/8]byte
//	PRIVATEKEYBLOB    BLOBHEADER, RSAPUBKEY{magic "RSA2", bitlen, pubexp}, modulus
//	                  [bitlen/8], prime1, prime2, exponent1, exponent2, coefficient
//	                  [bitlen/16 each], privateExponent [bitlen/8]
//
// Every number is little-endian and zero-padded to its field.
const (
	blobHeaderLen = 8
	rsaPubKeyLen  = 12
	magicRSA1     = 0x31415352
	magicRSA2     = 0x32415352
)

func blobHeader(bType, alg uint32) []byte {
	b := []byte{byte(bType), byte(CUR_BLOB_VERSION), 0, 0}
	return binary.LittleEndian.AppendUint32(b, alg)
}

// appendLE appends x little-endian in exactly n bytes (x must fit).
func appendLE(b []byte, x *big.Int, n int) []byte {
	f := make([]byte, n)
	x.FillBytes(f)
	return append(b, reversed(f)...)
}

func leInt(b []byte) *big.Int { return new(big.Int).SetBytes(reversed(b)) }

// ExportKey returns key k as a blob of blobType (SIMPLEBLOB, PUBLICKEYBLOB, PRIVATEKEYBLOB or
// PLAINTEXTKEYBLOB; others NTE_BAD_TYPE), in Windows' format (see the blob layouts above):
//   - SIMPLEBLOB: a session key encrypted with expKey, an RSA key-exchange key (its public
//     part is enough); expKey 0 or not such a key is NTE_BAD_KEY. CRYPT_OAEP selects OAEP.
//   - PLAINTEXTKEYBLOB: a session key's bytes in the clear; expKey must be 0.
//   - PUBLICKEYBLOB: an RSA key's public part; expKey must be 0 (NTE_BAD_KEY otherwise).
//   - PRIVATEKEYBLOB: an RSA key pair, in the clear with expKey 0, or encrypted with the
//     session key expKey: as Microsoft documents, everything after the BLOBHEADER is encrypted,
//     here as one message (Encrypt with final set, so block ciphers add their padding).
//     expKey a key pair is NTE_BAD_KEY.
//
// A session key or key pair made without CRYPT_EXPORTABLE refuses SIMPLEBLOB,
// PLAINTEXTKEYBLOB and PRIVATEKEYBLOB with NTE_BAD_KEY_STATE, as on Windows; a blob type that
// does not fit the key (a session key as PUBLICKEYBLOB, a key pair as PLAINTEXTKEYBLOB) is
// NTE_BAD_KEY. Flags other than CRYPT_OAEP (SIMPLEBLOB only) give NTE_BAD_FLAGS.
func (c *CSP) ExportKey(k KeyHandle, expKey KeyHandle, blobType, flags uint32) ([]byte, error) {
	kh, ko, err := c.pin(uint64(k), kindKey)
	if err != nil {
		return nil, err
	}
	defer c.tab.Unpin(kh)
	var eo *object
	if expKey != 0 {
		eh, o, err := c.pin(uint64(expKey), kindKey)
		if err != nil {
			return nil, err
		}
		defer c.tab.Unpin(eh)
		eo = o
	}
	if flags&^CRYPT_OAEP != 0 || (flags != 0 && blobType != SIMPLEBLOB) {
		return nil, fmt.Errorf("csp: ExportKey flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	ko.mu.Lock()
	ks := ko.key
	raw, perms, alg, pub, priv := ks.raw, ks.perms, ks.alg, ks.pub, ks.priv
	ko.mu.Unlock()
	exportable := perms&CRYPT_EXPORT != 0
	session := pub == nil
	switch blobType {
	case PUBLICKEYBLOB, PLAINTEXTKEYBLOB:
		if eo != nil {
			return nil, fmt.Errorf("csp: blob type %d takes no export key: %w", blobType, NTE_BAD_KEY)
		}
	}
	switch blobType {
	case SIMPLEBLOB:
		if !session {
			return nil, fmt.Errorf("csp: SIMPLEBLOB of a key pair: %w", NTE_BAD_KEY)
		}
		if eo == nil || eo.key.pub == nil || eo.key.alg != CALG_RSA_KEYX {
			return nil, fmt.Errorf("csp: SIMPLEBLOB needs an RSA key-exchange key to encrypt with: %w", NTE_BAD_KEY)
		}
		if !exportable {
			return nil, fmt.Errorf("csp: the key is not exportable (CRYPT_EXPORTABLE): %w", NTE_BAD_KEY_STATE)
		}
		ct, err := rsaEncrypt(eo.key.pub, raw, flags&CRYPT_OAEP != 0)
		if err != nil {
			return nil, err
		}
		b := blobHeader(SIMPLEBLOB, alg)
		b = binary.LittleEndian.AppendUint32(b, eo.key.alg)
		return append(b, ct...), nil
	case PLAINTEXTKEYBLOB:
		if !session {
			return nil, fmt.Errorf("csp: PLAINTEXTKEYBLOB of a key pair: %w", NTE_BAD_KEY)
		}
		if !exportable {
			return nil, fmt.Errorf("csp: the key is not exportable (CRYPT_EXPORTABLE): %w", NTE_BAD_KEY_STATE)
		}
		b := blobHeader(PLAINTEXTKEYBLOB, alg)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(raw)))
		return append(b, raw...), nil
	case PUBLICKEYBLOB:
		if session {
			return nil, fmt.Errorf("csp: PUBLICKEYBLOB of a session key: %w", NTE_BAD_KEY)
		}
		n := pub.Size()
		b := blobHeader(PUBLICKEYBLOB, alg)
		b = binary.LittleEndian.AppendUint32(b, magicRSA1)
		b = binary.LittleEndian.AppendUint32(b, uint32(8*n))
		b = binary.LittleEndian.AppendUint32(b, uint32(pub.E))
		return appendLE(b, pub.N, n), nil
	case PRIVATEKEYBLOB:
		if priv == nil {
			return nil, fmt.Errorf("csp: PRIVATEKEYBLOB of a session key or a public key: %w", NTE_BAD_KEY)
		}
		if !exportable {
			return nil, fmt.Errorf("csp: the key pair is not exportable (CRYPT_EXPORTABLE): %w", NTE_BAD_KEY_STATE)
		}
		if len(priv.Primes) != 2 {
			return nil, fmt.Errorf("csp: a multi-prime RSA key has no PRIVATEKEYBLOB: %w", NTE_BAD_KEY)
		}
		n, h := pub.Size(), (pub.Size()+1)/2
		b := blobHeader(PRIVATEKEYBLOB, alg)
		b = binary.LittleEndian.AppendUint32(b, magicRSA2)
		b = binary.LittleEndian.AppendUint32(b, uint32(8*n))
		b = binary.LittleEndian.AppendUint32(b, uint32(pub.E))
		b = appendLE(b, pub.N, n)
		b = appendLE(b, priv.Primes[0], h)
		b = appendLE(b, priv.Primes[1], h)
		b = appendLE(b, priv.Precomputed.Dp, h)
		b = appendLE(b, priv.Precomputed.Dq, h)
		b = appendLE(b, priv.Precomputed.Qinv, h)
		b = appendLE(b, priv.D, n)
		if eo == nil {
			return b, nil
		}
		// Encrypted under a session key: everything after the BLOBHEADER, as one message.
		body, err := sessionCrypt(eo, b[blobHeaderLen:], true)
		if err != nil {
			return nil, err
		}
		return append(b[:blobHeaderLen:blobHeaderLen], body...), nil
	}
	return nil, fmt.Errorf("csp: blob type %d: %w", blobType, NTE_BAD_TYPE)
}

// importFlags are the ImportKey flags the provider accepts.
const importFlags = CRYPT_EXPORTABLE | CRYPT_OAEP | CRYPT_NO_SALT | CRYPT_IPSEC_HMAC_KEY | CRYPT_USER_PROTECTED

// ImportKey makes a key under context h from a blob in Windows' format (see ExportKey):
//   - PLAINTEXTKEYBLOB: a session key of an algorithm the provider offers, of a length it
//     offers; or, with CRYPT_IPSEC_HMAC_KEY, a CALG_RC2 key of any length (at least a byte;
//     Windows sets no limit either) that only keys HMACs (CreateHash(CALG_HMAC)), since RC2 itself is not offered:
//     this is how Windows code imports HMAC keys.
//   - SIMPLEBLOB: a session key encrypted with impKey, which must be an RSA key-exchange key
//     pair (NTE_BAD_PUBLIC_KEY otherwise); CRYPT_OAEP if it was encrypted with OAEP. Bytes
//     after the modulus length are ignored, as Windows does.
//   - PUBLICKEYBLOB: an RSA public key (CALG_RSA_KEYX or CALG_RSA_SIGN), for Encrypt and
//     VerifySignature.
//   - PRIVATEKEYBLOB: an RSA key pair, which also becomes the context's key pair of its spec
//     (AT_KEYEXCHANGE for CALG_RSA_KEYX, AT_SIGNATURE for CALG_RSA_SIGN), stored in its
//     container (ephemeral on a verify context), as Windows does.
//
// impKey must be 0 except for SIMPLEBLOB, and for a PRIVATEKEYBLOB encrypted with a session key
// (see ExportKey), which impKey then decrypts (NTE_BAD_DATA if it does not). CRYPT_EXPORTABLE makes the key exportable. A blob
// that is truncated, has another version than 2, a non-zero reserved field, a bad magic, bad
// numbers or a key that does not decrypt is NTE_BAD_DATA; an unknown blob type NTE_BAD_TYPE;
// an algorithm the provider does not offer NTE_BAD_ALGID. Keys below 1024 bits need
// GODEBUG=rsa1024min=0 to be used, as Go refuses them otherwise (they import, and then fail
// with NTE_BAD_KEY).
func (c *CSP) ImportKey(h ProvHandle, blob []byte, impKey KeyHandle, flags uint32) (KeyHandle, error) {
	eh, ctx, err := c.pin(uint64(h), kindCtx)
	if err != nil {
		return 0, err
	}
	defer c.tab.Unpin(eh)
	var io *object
	if impKey != 0 {
		ih, o, err := c.pin(uint64(impKey), kindKey)
		if err != nil {
			return 0, err
		}
		defer c.tab.Unpin(ih)
		io = o
	}
	if flags&^importFlags != 0 {
		return 0, fmt.Errorf("csp: ImportKey flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	if len(blob) < blobHeaderLen {
		return 0, fmt.Errorf("csp: key blob of %d bytes: %w", len(blob), NTE_BAD_DATA)
	}
	if blob[1] != byte(CUR_BLOB_VERSION) || blob[2] != 0 || blob[3] != 0 {
		return 0, fmt.Errorf("csp: key blob version %d, reserved %#x: %w", blob[1], blob[2:4], NTE_BAD_DATA)
	}
	bType, alg := uint32(blob[0]), binary.LittleEndian.Uint32(blob[4:8])
	body := blob[blobHeaderLen:]
	if io != nil && bType != SIMPLEBLOB && bType != PRIVATEKEYBLOB {
		return 0, fmt.Errorf("csp: blob type %d takes no import key: %w", bType, NTE_BAD_KEY)
	}
	if io != nil && bType == PRIVATEKEYBLOB {
		// Encrypted under the session key impKey: everything after the BLOBHEADER.
		plain, err := sessionCrypt(io, body, false)
		if err != nil {
			return 0, err
		}
		body = plain
	}
	var ks *keyState
	switch bType {
	case PLAINTEXTKEYBLOB:
		ks, err = importPlaintext(ctx.ctx.pers, alg, body, flags)
	case SIMPLEBLOB:
		ks, err = importSimple(ctx.ctx.pers, alg, body, io, flags)
	case PUBLICKEYBLOB:
		ks, err = importPublic(alg, body, flags)
	case PRIVATEKEYBLOB:
		ks, err = importPrivate(alg, body, flags)
		if err == nil {
			spec := AT_KEYEXCHANGE
			if ks.alg == CALG_RSA_SIGN {
				spec = AT_SIGNATURE
			}
			err = c.storeKey(eh, ctx.ctx, spec, ks.priv, flags&CRYPT_EXPORTABLE != 0)
		}
	default:
		return 0, fmt.Errorf("csp: key blob type %d: %w", bType, NTE_BAD_TYPE)
	}
	if err != nil {
		return 0, err
	}
	return c.newKey(eh, ctx.ctx, ks)
}

func importPlaintext(p personality, alg uint32, body []byte, flags uint32) (*keyState, error) {
	if len(body) < 4 {
		return nil, fmt.Errorf("csp: PLAINTEXTKEYBLOB without a key length: %w", NTE_BAD_DATA)
	}
	n := binary.LittleEndian.Uint32(body)
	if uint64(n) != uint64(len(body)-4) {
		return nil, fmt.Errorf("csp: PLAINTEXTKEYBLOB says %d key bytes, has %d: %w", n, len(body)-4, NTE_BAD_DATA)
	}
	raw := append([]byte(nil), body[4:]...)
	if alg == CALG_RC2 && flags&CRYPT_IPSEC_HMAC_KEY != 0 {
		if len(raw) == 0 {
			return nil, fmt.Errorf("csp: empty HMAC key: %w", NTE_BAD_DATA)
		}
		return &keyState{alg: alg, perms: permsFor(flags), raw: raw, hmacOnly: true}, nil
	}
	return sessionFromBytes(p, alg, raw, flags)
}

// sessionFromBytes makes an imported session key of alg from its bytes, checking the length.
func sessionFromBytes(p personality, alg uint32, raw []byte, flags uint32) (*keyState, error) {
	a, ok := keyAlg(p, alg)
	if !ok {
		return nil, fmt.Errorf("csp: session key algorithm %#x: %w", alg, NTE_BAD_ALGID)
	}
	if n, err := keyBytesLen(a, uint32(8*len(raw))); err != nil || n != len(raw) {
		return nil, fmt.Errorf("csp: a %s key of %d bytes: %w", a.name, len(raw), NTE_BAD_DATA)
	}
	salt := make([]byte, saltLen(p, len(raw), flags&CRYPT_NO_SALT))
	return newSessionKey(a, raw, salt, permsFor(flags))
}

func importSimple(p personality, alg uint32, body []byte, io *object, flags uint32) (*keyState, error) {
	if io == nil || io.key.priv == nil || io.key.alg != CALG_RSA_KEYX {
		return nil, fmt.Errorf("csp: SIMPLEBLOB needs an RSA key-exchange key pair to decrypt with: %w", NTE_BAD_PUBLIC_KEY)
	}
	if len(body) < 4 {
		return nil, fmt.Errorf("csp: SIMPLEBLOB without an algorithm: %w", NTE_BAD_DATA)
	}
	ct := body[4:]
	if n := io.key.priv.Size(); len(ct) > n {
		ct = ct[:n] // Windows reads the modulus length and ignores trailing bytes
	}
	raw, err := rsaDecrypt(io.key.priv, ct, flags&CRYPT_OAEP != 0)
	if err != nil {
		return nil, err
	}
	return sessionFromBytes(p, alg, raw, flags)
}

// rsaHeader parses RSAPUBKEY and checks that body holds want(bitlen) bytes after it.
func rsaHeader(body []byte, magic uint32, want func(n, h int) int) (bits, e int, rest []byte, err error) {
	if len(body) < rsaPubKeyLen || binary.LittleEndian.Uint32(body) != magic {
		return 0, 0, nil, fmt.Errorf("csp: RSA key blob without its RSAPUBKEY (magic %#x): %w", magic, NTE_BAD_DATA)
	}
	b := binary.LittleEndian.Uint32(body[4:])
	e64 := binary.LittleEndian.Uint32(body[8:])
	if b == 0 || b%8 != 0 || b > 16384 || e64 < 3 || e64%2 == 0 {
		return 0, 0, nil, fmt.Errorf("csp: RSA key of %d bits, exponent %d: %w", b, e64, NTE_BAD_DATA)
	}
	n := int(b / 8)
	rest = body[rsaPubKeyLen:]
	if len(rest) < want(n, (n+1)/2) {
		return 0, 0, nil, fmt.Errorf("csp: RSA key blob of %d bytes for %d bits: %w", len(body), b, NTE_BAD_DATA)
	}
	return int(b), int(e64), rest, nil
}

func rsaAlg(alg uint32) (uint32, error) {
	switch alg {
	case CALG_RSA_KEYX, AT_KEYEXCHANGE:
		return CALG_RSA_KEYX, nil
	case CALG_RSA_SIGN, AT_SIGNATURE:
		return CALG_RSA_SIGN, nil
	}
	return 0, fmt.Errorf("csp: RSA key blob for algorithm %#x: %w", alg, NTE_BAD_ALGID)
}

func importPublic(alg uint32, body []byte, flags uint32) (*keyState, error) {
	alg, err := rsaAlg(alg)
	if err != nil {
		return nil, err
	}
	bits, e, rest, err := rsaHeader(body, magicRSA1, func(n, _ int) int { return n })
	if err != nil {
		return nil, err
	}
	nBytes := bits / 8
	pub := &rsa.PublicKey{N: leInt(rest[:nBytes]), E: e}
	if pub.N.BitLen() < bits-7 || pub.N.Bit(0) == 0 {
		return nil, fmt.Errorf("csp: RSA modulus is not a %d-bit odd number: %w", bits, NTE_BAD_DATA)
	}
	return rsaKeyState(alg, pub, nil, permsFor(flags)), nil
}

func importPrivate(alg uint32, body []byte, flags uint32) (*keyState, error) {
	alg, err := rsaAlg(alg)
	if err != nil {
		return nil, err
	}
	// The private exponent may be cut short or left out, as Windows allows: its length is
	// inferred from the blob's, and it is recomputed from the primes when incomplete.
	bits, e, rest, err := rsaHeader(body, magicRSA2, func(n, h int) int { return n + 5*h })
	if err != nil {
		return nil, err
	}
	n, h := bits/8, (bits/8+1)/2
	field := func(l int) *big.Int {
		v := leInt(rest[:l])
		rest = rest[l:]
		return v
	}
	priv := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: field(n), E: e}}
	p, q := field(h), field(h)
	field(h) // exponent1, exponent2 and coefficient are recomputed and checked by Precompute
	field(h)
	field(h)
	priv.Primes = []*big.Int{p, q}
	if len(rest) >= n {
		priv.D = field(n)
	} else if priv.D = privateExponent(p, q, e); priv.D == nil {
		return nil, fmt.Errorf("csp: PRIVATEKEYBLOB primes admit no private exponent: %w", NTE_BAD_DATA)
	}
	if err := priv.Validate(); err != nil {
		return nil, fmt.Errorf("csp: PRIVATEKEYBLOB is not a valid RSA key: %v: %w", err, NTE_BAD_DATA)
	}
	priv.Precompute()
	return rsaKeyState(alg, &priv.PublicKey, priv, permsFor(flags)), nil
}

// privateExponent returns e's inverse modulo (p-1)(q-1), or nil if there is none.
func privateExponent(p, q *big.Int, e int) *big.Int {
	one := big.NewInt(1)
	if p.Cmp(one) <= 0 || q.Cmp(one) <= 0 {
		return nil
	}
	phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
	return new(big.Int).ModInverse(big.NewInt(int64(e)), phi)
}

// sessionCrypt encrypts or decrypts data as one whole message with the session key in o,
// under its lock: key blobs that Windows protects with a session key.
func sessionCrypt(o *object, data []byte, encrypt bool) ([]byte, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	ks := o.key
	switch {
	case ks.pub != nil || ks.hmacOnly:
		return nil, fmt.Errorf("csp: a key blob is protected with a session key, not this key: %w", NTE_BAD_KEY)
	case ks.stream != nil:
		return ks.streamXOR(data, true), nil
	case encrypt:
		return ks.encryptBlocks(data, true)
	}
	return ks.decryptBlocks(data, true)
}
