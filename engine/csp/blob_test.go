package csp

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"math/big"
	"testing"

	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// le returns x little-endian in n bytes, written out independently of the package's encoder.
func le(x *big.Int, n int) []byte {
	b := x.Bytes()
	out := make([]byte, n)
	for i := range b {
		out[i] = b[len(b)-1-i]
	}
	return out
}

// Contract: PUBLICKEYBLOB and PRIVATEKEYBLOB are Windows' layout byte for byte, and a blob
// exported by one provider imports into another.
func TestRSABlobs(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)
	sig := csptest.Must(c.GenKey(h, AT_SIGNATURE, 1024<<16|CRYPT_EXPORTABLE))(t)
	priv := c.side[engineHandle(h)].keys.Signature

	pub := csptest.Must(c.ExportKey(sig, 0, PUBLICKEYBLOB, 0))(t)
	want := []byte{0x06, 0x02, 0, 0, 0x00, 0x24, 0, 0, 'R', 'S', 'A', '1', 0x00, 0x04, 0, 0, 0x01, 0x00, 0x01, 0x00}
	want = append(want, le(priv.N, 128)...)
	if !bytes.Equal(pub, want) {
		t.Fatalf("PUBLICKEYBLOB:\n%x\nwant\n%x", pub, want)
	}
	pk := csptest.Must(c.ExportKey(sig, 0, PRIVATEKEYBLOB, 0))(t)
	want = []byte{0x07, 0x02, 0, 0, 0x00, 0x24, 0, 0, 'R', 'S', 'A', '2', 0x00, 0x04, 0, 0, 0x01, 0x00, 0x01, 0x00}
	want = append(want, le(priv.N, 128)...)
	for _, x := range []*big.Int{priv.Primes[0], priv.Primes[1], priv.Precomputed.Dp, priv.Precomputed.Dq, priv.Precomputed.Qinv} {
		want = append(want, le(x, 64)...)
	}
	want = append(want, le(priv.D, 128)...)
	if !bytes.Equal(pk, want) {
		t.Fatalf("PRIVATEKEYBLOB:\n%x\nwant\n%x", pk, want)
	}

	// Another provider imports both: the private blob becomes its signature pair, the public
	// one verifies what that pair signs.
	c2 := New()
	h2 := containerWithKeys(t, c2, "other")
	defer c2.ReleaseContext(h2, 0)
	k2 := csptest.Must(c2.ImportKey(h2, pk, 0, 0))(t)
	if a := csptest.Must(c2.GetKeyParam(k2, KP_ALGID, 0))(t); binary.LittleEndian.Uint32(a) != CALG_RSA_SIGN {
		t.Errorf("imported KP_ALGID %x", a)
	}
	_, err := c2.ExportKey(k2, 0, PRIVATEKEYBLOB, 0)
	csptest.Is(t, "re-export of a pair imported without CRYPT_EXPORTABLE", err, NTE_BAD_KEY_STATE)
	s := csptest.Must(c2.SignHash(hashOf(t, c2, h2, CALG_SHA1, "msg"), AT_SIGNATURE, 0))(t)
	pubKey := csptest.Must(c2.ImportKey(h2, pub, 0, 0))(t)
	csptest.OK(t, c2.VerifySignature(hashOf(t, c2, h2, CALG_SHA1, "msg"), s, pubKey, 0))
	// And Go agrees: the signature is PKCS#1 v1.5, little-endian.
	d := sha1.Sum([]byte("msg"))
	if err := rsa.VerifyPKCS1v15(&priv.PublicKey, crypto.SHA1, d[:], reversed(s)); err != nil {
		t.Errorf("Go does not verify the signature: %v", err)
	}
	// A public key cannot decrypt, sign or be exported as a private blob.
	_, err = c2.ExportKey(pubKey, 0, PRIVATEKEYBLOB, 0)
	csptest.Is(t, "PRIVATEKEYBLOB of a public key", err, NTE_BAD_KEY)
	_, err = c2.Decrypt(pubKey, 0, true, 0, make([]byte, 128))
	csptest.Is(t, "Decrypt with a signature public key", err, NTE_BAD_KEY)
	// The pair replaced the container's: GetUserKey gives it, exportable since it was imported so.
	k3 := csptest.Must(c2.ImportKey(h2, pk, 0, CRYPT_EXPORTABLE))(t)
	_ = k3
	u := csptest.Must(c2.GetUserKey(h2, AT_SIGNATURE))(t)
	if got := csptest.Must(c2.ExportKey(u, 0, PRIVATEKEYBLOB, 0))(t); !bytes.Equal(got, pk) {
		t.Error("GetUserKey after ImportKey(PRIVATEKEYBLOB) does not give the imported pair")
	}
}

// Contract: a key made without CRYPT_EXPORTABLE refuses PRIVATEKEYBLOB, PLAINTEXTKEYBLOB and
// SIMPLEBLOB with NTE_BAD_KEY_STATE; its public part is always exportable; the permission
// survives GetUserKey.
func TestNotExportable(t *testing.T) {
	c := New()
	h := csptest.Must(c.AcquireContext("x", "", PROV_RSA_AES, CRYPT_NEWKEYSET))(t)
	defer c.ReleaseContext(h, 0)
	kx := csptest.Must(c.GenKey(h, AT_KEYEXCHANGE, 1024<<16))(t)
	_, err := c.ExportKey(kx, 0, PRIVATEKEYBLOB, 0)
	csptest.Is(t, "PRIVATEKEYBLOB", err, NTE_BAD_KEY_STATE)
	_ = csptest.Must(c.ExportKey(kx, 0, PUBLICKEYBLOB, 0))(t)
	_, err = c.ExportKey(csptest.Must(c.GetUserKey(h, AT_KEYEXCHANGE))(t), 0, PRIVATEKEYBLOB, 0)
	csptest.Is(t, "PRIVATEKEYBLOB via GetUserKey", err, NTE_BAD_KEY_STATE)
	s := csptest.Must(c.GenKey(h, CALG_AES_256, 0))(t)
	_, err = c.ExportKey(s, 0, PLAINTEXTKEYBLOB, 0)
	csptest.Is(t, "PLAINTEXTKEYBLOB", err, NTE_BAD_KEY_STATE)
	_, err = c.ExportKey(s, kx, SIMPLEBLOB, 0)
	csptest.Is(t, "SIMPLEBLOB", err, NTE_BAD_KEY_STATE)

	sg := csptest.Must(c.GenKey(h, AT_SIGNATURE, 1024<<16|CRYPT_EXPORTABLE))(t)
	_ = csptest.Must(c.ExportKey(sg, 0, PRIVATEKEYBLOB, 0))(t)
	_ = csptest.Must(c.ExportKey(csptest.Must(c.GetUserKey(h, AT_SIGNATURE))(t), 0, PRIVATEKEYBLOB, 0))(t)
	// Replacing the pair with a non-exportable one takes the permission away.
	_ = csptest.Must(c.GenKey(h, AT_SIGNATURE, 1024<<16))(t)
	_, err = c.ExportKey(csptest.Must(c.GetUserKey(h, AT_SIGNATURE))(t), 0, PRIVATEKEYBLOB, 0)
	csptest.Is(t, "replaced pair", err, NTE_BAD_KEY_STATE)
}

// Contract: SIMPLEBLOB carries a session key from one provider to another under the
// receiver's key-exchange key, PKCS#1 v1.5 or OAEP, little-endian as on Windows.
func TestSimpleBlobExchange(t *testing.T) {
	recv, send := New(), New()
	hr := containerWithKeys(t, recv, "recv")
	defer recv.ReleaseContext(hr, 0)
	hs := verifyCtx(t, send)
	defer send.ReleaseContext(hs, 0)
	kx := csptest.Must(recv.GetUserKey(hr, AT_KEYEXCHANGE))(t)
	pubBlob := csptest.Must(recv.ExportKey(kx, 0, PUBLICKEYBLOB, 0))(t)
	exch := csptest.Must(send.ImportKey(hs, pubBlob, 0, 0))(t)
	for _, flags := range []uint32{0, CRYPT_OAEP} {
		for _, alg := range []uint32{CALG_RC4, CALG_3DES, CALG_AES_256} {
			k := csptest.Must(send.GenKey(hs, alg, CRYPT_EXPORTABLE))(t)
			blob := csptest.Must(send.ExportKey(k, exch, SIMPLEBLOB, flags))(t)
			if blob[0] != 1 || blob[1] != 2 || binary.LittleEndian.Uint32(blob[4:]) != alg ||
				binary.LittleEndian.Uint32(blob[8:]) != CALG_RSA_KEYX || len(blob) != 12+256 {
				t.Fatalf("SIMPLEBLOB header %x", blob[:12])
			}
			// Decrypted by Go, the key is the PLAINTEXTKEYBLOB's bytes.
			raw := csptest.Must(send.ExportKey(k, 0, PLAINTEXTKEYBLOB, 0))(t)[12:]
			var got []byte
			var err error
			if flags == CRYPT_OAEP {
				got, err = rsa.DecryptOAEP(sha1.New(), nil, testKeys()[0], reversed(blob[12:]), nil)
			} else {
				//lint:ignore SA1019 checking CryptoAPI's PKCS#1 v1.5 key exchange.
				got, err = rsa.DecryptPKCS1v15(nil, testKeys()[0], reversed(blob[12:]))
			}
			if err != nil || !bytes.Equal(got, raw) {
				t.Fatalf("alg %#x flags %#x: Go decrypts %x, %v; want %x", alg, flags, got, err, raw)
			}
			rk := csptest.Must(recv.ImportKey(hr, blob, kx, flags))(t)
			ct := csptest.Must(send.Encrypt(k, 0, true, 0, []byte("hello over the wire")))(t)
			if pt := csptest.Must(recv.Decrypt(rk, 0, true, 0, ct))(t); string(pt) != "hello over the wire" {
				t.Errorf("alg %#x: decrypted %q", alg, pt)
			}
			// Without CRYPT_OAEP an OAEP blob does not decrypt, and the reverse.
			_, err = recv.ImportKey(hr, blob, kx, flags^CRYPT_OAEP)
			csptest.Is(t, "wrong padding", err, NTE_BAD_DATA)
		}
	}
	// RSA encryption with OAEP through Encrypt, checked by Go.
	ct := csptest.Must(send.Encrypt(exch, 0, true, CRYPT_OAEP, []byte("secret")))(t)
	if p, err := rsa.DecryptOAEP(sha1.New(), nil, testKeys()[0], reversed(ct), nil); err != nil || string(p) != "secret" {
		t.Errorf("OAEP Encrypt: Go decrypts %q, %v", p, err)
	}
	if p := csptest.Must(recv.Decrypt(kx, 0, true, CRYPT_OAEP, ct))(t); string(p) != "secret" {
		t.Errorf("OAEP Decrypt: %q", p)
	}
	_, err := send.Encrypt(exch, 0, true, CRYPT_OAEP, make([]byte, 256-41))
	csptest.Is(t, "OAEP message too long", err, NTE_BAD_LEN)
	_, err = send.Encrypt(csptest.Must(send.GenKey(hs, CALG_RC4, 0))(t), 0, true, CRYPT_OAEP, nil)
	csptest.Is(t, "CRYPT_OAEP on a session key", err, NTE_BAD_FLAGS)
}

// Contract: ExportKey's errors.
func TestExportErrors(t *testing.T) {
	c := New()
	h := containerWithKeys(t, c, "e")
	defer c.ReleaseContext(h, 0)
	s := csptest.Must(c.GenKey(h, CALG_AES_128, CRYPT_EXPORTABLE))(t)
	kx := csptest.Must(c.GetUserKey(h, AT_KEYEXCHANGE))(t)
	sg := csptest.Must(c.GetUserKey(h, AT_SIGNATURE))(t)
	for _, tc := range []struct {
		name            string
		k, exp          KeyHandle
		blobType, flags uint32
		want            Errno
	}{
		{"unknown blob type", s, 0, 99, 0, NTE_BAD_TYPE},
		{"PUBLICKEYBLOB of a session key", s, 0, PUBLICKEYBLOB, 0, NTE_BAD_KEY},
		{"PLAINTEXTKEYBLOB of a key pair", kx, 0, PLAINTEXTKEYBLOB, 0, NTE_BAD_KEY},
		{"SIMPLEBLOB without an exchange key", s, 0, SIMPLEBLOB, 0, NTE_BAD_KEY},
		{"SIMPLEBLOB under a signature key", s, sg, SIMPLEBLOB, 0, NTE_BAD_KEY},
		{"SIMPLEBLOB under a session key", s, s, SIMPLEBLOB, 0, NTE_BAD_KEY},
		{"SIMPLEBLOB of a key pair", kx, kx, SIMPLEBLOB, 0, NTE_BAD_KEY},
		{"PUBLICKEYBLOB with an export key", kx, s, PUBLICKEYBLOB, 0, NTE_BAD_KEY},
		{"PRIVATEKEYBLOB under a key pair", csptest.Must(c.GenKey(h, CALG_RSA_KEYX, 1024<<16|CRYPT_EXPORTABLE))(t), sg, PRIVATEKEYBLOB, 0, NTE_BAD_KEY},
		{"CRYPT_OAEP on PUBLICKEYBLOB", kx, 0, PUBLICKEYBLOB, CRYPT_OAEP, NTE_BAD_FLAGS},
		{"unknown flag", s, kx, SIMPLEBLOB, 0x2, NTE_BAD_FLAGS},
		{"SIMPLEBLOB", s, kx, SIMPLEBLOB, 0, 0},
		{"SIMPLEBLOB with OAEP", s, kx, SIMPLEBLOB, CRYPT_OAEP, 0},
	} {
		_, err := c.ExportKey(tc.k, tc.exp, tc.blobType, tc.flags)
		csptest.Is(t, tc.name, err, tc.want)
	}
}

// Contract: a malformed blob is NTE_BAD_DATA or NTE_BAD_TYPE (NTE_BAD_ALGID for an algorithm
// the provider does not offer), never a panic, and leaves no handle behind.
func TestImportMalformed(t *testing.T) {
	c, h, kx, simple := simpleBlobFixture(t, CALG_AES_128)
	defer c.ReleaseContext(h, 0)
	pair := csptest.Must(c.GenKey(h, AT_SIGNATURE, 1024<<16|CRYPT_EXPORTABLE))(t)
	priv := csptest.Must(c.ExportKey(pair, 0, PRIVATEKEYBLOB, 0))(t)
	pub := csptest.Must(c.ExportKey(pair, 0, PUBLICKEYBLOB, 0))(t)
	csptest.OK(t, c.DestroyKey(pair))
	live := c.Len()
	patch := func(b []byte, off int, v ...byte) []byte {
		b = append([]byte(nil), b...)
		copy(b[off:], v)
		return b
	}
	for _, tc := range []struct {
		name string
		blob []byte
		imp  KeyHandle
		want Errno
	}{
		{"empty", nil, 0, NTE_BAD_DATA},
		{"header only, 7 bytes", plaintextBlob(CALG_AES_128, nil)[:7], 0, NTE_BAD_DATA},
		{"version 1", patch(plaintextBlob(CALG_AES_128, make([]byte, 16)), 1, 1), 0, NTE_BAD_DATA},
		{"reserved set", patch(plaintextBlob(CALG_AES_128, make([]byte, 16)), 2, 1), 0, NTE_BAD_DATA},
		{"unknown blob type", patch(plaintextBlob(CALG_AES_128, make([]byte, 16)), 0, 0x42), 0, NTE_BAD_TYPE},
		{"plaintext without length", plaintextBlob(CALG_AES_128, nil)[:10], 0, NTE_BAD_DATA},
		{"plaintext length too long", patch(plaintextBlob(CALG_AES_128, make([]byte, 16)), 8, 17), 0, NTE_BAD_DATA},
		{"plaintext length too short", patch(plaintextBlob(CALG_AES_128, make([]byte, 16)), 8, 15), 0, NTE_BAD_DATA},
		{"AES key of 15 bytes", plaintextBlob(CALG_AES_128, make([]byte, 15)), 0, NTE_BAD_DATA},
		{"DES key of 7 bytes", plaintextBlob(CALG_DES, make([]byte, 7)), 0, NTE_BAD_DATA},
		{"RC4 key of 4 bytes", plaintextBlob(CALG_RC4, make([]byte, 4)), 0, NTE_BAD_DATA},
		{"RC2 key", plaintextBlob(CALG_RC2, make([]byte, 16)), 0, NTE_BAD_ALGID},
		{"hash algorithm", plaintextBlob(CALG_SHA1, make([]byte, 16)), 0, NTE_BAD_ALGID},
		{"SIMPLEBLOB without a key", simple, 0, NTE_BAD_PUBLIC_KEY},
		{"SIMPLEBLOB truncated", simple[:100], kx, NTE_BAD_DATA},
		{"SIMPLEBLOB without algid", simple[:10], kx, NTE_BAD_DATA},
		{"SIMPLEBLOB corrupted", patch(simple, 20, simple[20]^0xff), kx, NTE_BAD_DATA},
		{"PUBLICKEYBLOB wrong magic", patch(pub, 8, 'X'), 0, NTE_BAD_DATA},
		{"PUBLICKEYBLOB truncated", pub[:len(pub)-1], 0, NTE_BAD_DATA},
		{"PUBLICKEYBLOB bitlen 0", patch(pub, 12, 0, 0, 0, 0), 0, NTE_BAD_DATA},
		{"PUBLICKEYBLOB bitlen 4 GiB", patch(pub, 12, 0, 0, 0, 0x80), 0, NTE_BAD_DATA},
		{"PUBLICKEYBLOB even exponent", patch(pub, 16, 2, 0, 1, 0), 0, NTE_BAD_DATA},
		{"PUBLICKEYBLOB of a session algorithm", patch(pub, 4, 0x0e, 0x66), 0, NTE_BAD_ALGID},
		{"PRIVATEKEYBLOB with RSA1 magic", patch(priv, 11, '1'), 0, NTE_BAD_DATA},
		{"PRIVATEKEYBLOB cut in the coefficient", priv[:20+128+5*64-1], 0, NTE_BAD_DATA},
		{"PRIVATEKEYBLOB wrong d", patch(priv, len(priv)-1, priv[len(priv)-1]^1), 0, NTE_BAD_DATA},
		{"PRIVATEKEYBLOB wrong p", patch(priv, 20+128, priv[20+128]^1), 0, NTE_BAD_DATA},
		{"PRIVATEKEYBLOB with a key pair as import key", priv, kx, NTE_BAD_KEY},
	} {
		_, err := c.ImportKey(h, tc.blob, tc.imp, 0)
		csptest.Is(t, tc.name, err, tc.want)
	}
	// Every truncation of every kind of blob fails cleanly.
	for _, b := range [][]byte{simple, priv, pub, plaintextBlob(CALG_3DES, make([]byte, 24))} {
		for n := range b {
			if &b[0] == &priv[0] && n >= 20+128+5*64 {
				break // the private exponent may be cut (TestPrivateBlobWithoutExponent)
			}
			if _, err := c.ImportKey(h, b[:n], kx, 0); err == nil {
				t.Fatalf("truncated to %d bytes: imported", n)
			}
		}
	}
	if n := c.Len(); n != live {
		t.Errorf("failed imports left handles: %d, was %d", n, live)
	}
	_, err := c.ImportKey(h, plaintextBlob(CALG_AES_128, make([]byte, 16)), 0, 0x4000)
	csptest.Is(t, "unknown ImportKey flag", err, NTE_BAD_FLAGS)
}

// RFC 2202's HMAC vectors through a PLAINTEXTKEYBLOB imported with CRYPT_IPSEC_HMAC_KEY, the
// way Windows code keys an HMAC with given bytes.
func TestHMACImportedKey(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)
	for _, tc := range []struct {
		inner      uint32
		key        []byte
		data, want string
	}{
		{CALG_MD5, bytes.Repeat([]byte{0x0b}, 16), "Hi There", "9294727a3638bb1c13f48ef8158bfc9d"},
		{CALG_MD5, []byte("Jefe"), "what do ya want for nothing?", "750c783e6ab0b503eaa86e310a5db738"},
		{CALG_MD5, bytes.Repeat([]byte{0xaa}, 80), "Test Using Larger Than Block-Size Key - Hash Key First", "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd"},
		{CALG_SHA1, bytes.Repeat([]byte{0x0b}, 20), "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00"},
		{CALG_SHA1, bytes.Repeat([]byte{0xaa}, 80), "Test Using Larger Than Block-Size Key - Hash Key First", "aa4ae5e15272d00e95705637ce8a3b55ed402112"},
	} {
		k := csptest.Must(c.ImportKey(h, plaintextBlob(CALG_RC2, tc.key), 0, CRYPT_IPSEC_HMAC_KEY))(t)
		hh := csptest.Must(c.CreateHash(h, CALG_HMAC, k, 0))(t)
		csptest.OK(t, c.SetHashParam(hh, HP_HMAC_INFO, HMACInfo(tc.inner), 0))
		csptest.OK(t, c.HashData(hh, []byte(tc.data), 0))
		if got := csptest.Must(c.GetHashParam(hh, HP_HASHVAL, 0))(t); !bytes.Equal(got, unhex(tc.want)) {
			t.Errorf("HMAC %#x key %x: %x; want %s", tc.inner, tc.key, got, tc.want)
		}
		_, err := c.Encrypt(k, 0, true, 0, []byte("x"))
		csptest.Is(t, "Encrypt with an RC2 HMAC key", err, NTE_BAD_ALGID)
	}
	_, err := c.ImportKey(h, plaintextBlob(CALG_RC2, nil), 0, CRYPT_IPSEC_HMAC_KEY)
	csptest.Is(t, "empty HMAC key", err, NTE_BAD_DATA)
	// Any session key keys an HMAC with its bytes.
	k := importKey(t, c, h, CALG_3DES, bytes.Repeat([]byte{0x0b}, 24), 0)
	hh := csptest.Must(c.CreateHash(h, CALG_HMAC, k, 0))(t)
	csptest.OK(t, c.HashData(hh, []byte("Hi There"), 0))
	hm := sha256HMAC(bytes.Repeat([]byte{0x0b}, 24), []byte("Hi There"))
	if got := csptest.Must(c.GetHashParam(hh, HP_HASHVAL, 0))(t); !bytes.Equal(got, hm) {
		t.Errorf("HMAC keyed by 3DES bytes: %x; want %x", got, hm)
	}
}

func sha256HMAC(key, data []byte) []byte {
	var ipad, opad [64]byte
	copy(ipad[:], key)
	copy(opad[:], key)
	for i := range ipad {
		ipad[i] ^= 0x36
		opad[i] ^= 0x5c
	}
	in := sha256.Sum256(append(ipad[:], data...))
	out := sha256.Sum256(append(opad[:], in[:]...))
	return out[:]
}

// Windows imports a PRIVATEKEYBLOB whose private exponent is cut short or left out (Wine's
// test_import_private, issue 14 F12): the key works, its exponent recomputed from the primes.
func TestPrivateBlobWithoutExponent(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)
	pair := csptest.Must(c.GenKey(h, AT_KEYEXCHANGE, 1024<<16|CRYPT_EXPORTABLE))(t)
	blob := csptest.Must(c.ExportKey(pair, 0, PRIVATEKEYBLOB, 0))(t)
	ct := csptest.Must(c.Encrypt(pair, 0, true, 0, []byte("kept")))(t)
	for _, n := range []int{20 + 128 + 5*64, 20 + 128 + 5*64 + 1, len(blob) - 1} {
		c2 := New()
		h2 := verifyCtx(t, c2)
		k := csptest.Must(c2.ImportKey(h2, blob[:n], 0, 0))(t)
		if p, err := c2.Decrypt(k, 0, true, 0, ct); err != nil || string(p) != "kept" {
			t.Errorf("cut to %d bytes: decrypts %q, %v", n, p, err)
		}
		csptest.OK(t, c2.ReleaseContext(h2, 0))
	}
}

// Windows reads a SIMPLEBLOB's modulus length and ignores what follows (issue 14 F7); a
// signature verifies with or without the hash's DigestInfo, and CRYPT_NOHASHOID signs the
// bare hash (F8).
func TestWindowsLeniency(t *testing.T) {
	c, h, kx, blob := simpleBlobFixture(t, CALG_RC4)
	defer c.ReleaseContext(h, 0)
	_ = csptest.Must(c.ImportKey(h, append(blob, 1, 2, 3, 4, 5, 6, 7, 8), kx, 0))(t)

	pub := csptest.Must(c.GetUserKey(h, AT_SIGNATURE))(t)
	for _, alg := range []uint32{CALG_MD4, CALG_MD5, CALG_SHA1, CALG_SHA_256, CALG_SHA_512} {
		for _, sf := range []uint32{0, CRYPT_NOHASHOID} {
			sig := csptest.Must(c.SignHash(hashOf(t, c, h, alg, "m"), AT_SIGNATURE, sf))(t)
			for _, vf := range []uint32{0, CRYPT_NOHASHOID} {
				csptest.OK(t, c.VerifySignature(hashOf(t, c, h, alg, "m"), sig, pub, vf))
			}
			csptest.Is(t, "other data", c.VerifySignature(hashOf(t, c, h, alg, "n"), sig, pub, 0), NTE_BAD_SIGNATURE)
		}
		// A bare signature is the PKCS#1 block of the value alone, as Go makes it.
		sig := csptest.Must(c.SignHash(hashOf(t, c, h, alg, "m"), AT_SIGNATURE, CRYPT_NOHASHOID))(t)
		v := csptest.Must(c.GetHashParam(hashOf(t, c, h, alg, "m"), HP_HASHVAL, 0))(t)
		if err := rsa.VerifyPKCS1v15(&testKeys()[1].PublicKey, 0, v, reversed(sig)); err != nil {
			t.Errorf("alg %#x: bare signature: %v", alg, err)
		}
	}
	csptest.Is(t, "VerifySignature flags", c.VerifySignature(hashOf(t, c, h, CALG_MD5, "m"), make([]byte, 256), pub, 2), NTE_BAD_FLAGS)
	if v := csptest.Must(c.GetProvParam(h, PP_KEYSTORAGE, 0))(t); binary.LittleEndian.Uint32(v) != CRYPT_SEC_DESCR {
		t.Errorf("PP_KEYSTORAGE %x", v)
	}
	_, err := c.GetKeyParam(pub, KP_SALT, 0)
	csptest.Is(t, "KP_SALT of a key pair", err, NTE_BAD_KEY)
	// CRYPT_IPSEC_HMAC_KEY takes keys of any length.
	_ = csptest.Must(c.ImportKey(h, plaintextBlob(CALG_RC2, make([]byte, 2048)), 0, CRYPT_IPSEC_HMAC_KEY))(t)
}

// A PRIVATEKEYBLOB may be protected with a session key: everything after the BLOBHEADER is
// encrypted, and ImportKey with that key takes it back.
func TestEncryptedPrivateBlob(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)
	pair := csptest.Must(c.GenKey(h, AT_KEYEXCHANGE, 1024<<16|CRYPT_EXPORTABLE))(t)
	clear := csptest.Must(c.ExportKey(pair, 0, PRIVATEKEYBLOB, 0))(t)
	for _, alg := range []uint32{CALG_RC4, CALG_3DES, CALG_AES_256} {
		wrap := csptest.Must(c.GenKey(h, alg, CRYPT_EXPORTABLE))(t)
		enc := csptest.Must(c.ExportKey(pair, wrap, PRIVATEKEYBLOB, 0))(t)
		if !bytes.Equal(enc[:8], clear[:8]) || bytes.Equal(enc[8:20], clear[8:20]) {
			t.Fatalf("alg %#x: header %x, RSAPUBKEY not encrypted %x", alg, enc[:8], enc[8:20])
		}
		// The body is the clear blob's, encrypted as one message.
		want := csptest.Must(c.Encrypt(wrap, 0, true, 0, clear[8:]))(t)
		if !bytes.Equal(enc[8:], want) {
			t.Errorf("alg %#x: body is not Encrypt(final) of the clear body", alg)
		}
		c2 := New()
		h2 := verifyCtx(t, c2)
		w2 := csptest.Must(c2.ImportKey(h2, csptest.Must(c.ExportKey(wrap, 0, PLAINTEXTKEYBLOB, 0))(t), 0, 0))(t)
		k := csptest.Must(c2.ImportKey(h2, enc, w2, CRYPT_EXPORTABLE))(t)
		if got := csptest.Must(c2.ExportKey(k, 0, PRIVATEKEYBLOB, 0))(t); !bytes.Equal(got, clear) {
			t.Errorf("alg %#x: imported pair differs", alg)
		}
		other := csptest.Must(c2.GenKey(h2, alg, 0))(t)
		if _, err := c2.ImportKey(h2, enc, other, 0); err == nil {
			t.Errorf("alg %#x: imported under the wrong key", alg)
		}
		csptest.OK(t, c2.ReleaseContext(h2, 0))
	}
}

// plainStore is a Store that is not an ExportStore: the CSP must remember exportability.
type plainStore struct{ Store }

// Contract: a pair's CRYPT_EXPORTABLE survives a restart with DirStore (it is in the file), and
// lasts the CSP's lifetime with a Store that cannot keep it.
func TestExportableKeptByStore(t *testing.T) {
	dir := t.TempDir()
	c := New(WithStore(csptest.Must(DirStore(dir))(t)))
	h := csptest.Must(c.AcquireContext("persist", "", PROV_RSA_AES, CRYPT_NEWKEYSET))(t)
	_ = csptest.Must(c.GenKey(h, AT_KEYEXCHANGE, 1024<<16|CRYPT_EXPORTABLE))(t)
	_ = csptest.Must(c.GenKey(h, AT_SIGNATURE, 1024<<16))(t)
	csptest.OK(t, c.ReleaseContext(h, 0))

	c2 := New(WithStore(csptest.Must(DirStore(dir))(t))) // a restart
	h2 := csptest.Must(c2.AcquireContext("persist", "", PROV_RSA_AES, 0))(t)
	defer c2.ReleaseContext(h2, 0)
	_ = csptest.Must(c2.ExportKey(csptest.Must(c2.GetUserKey(h2, AT_KEYEXCHANGE))(t), 0, PRIVATEKEYBLOB, 0))(t)
	_, err := c2.ExportKey(csptest.Must(c2.GetUserKey(h2, AT_SIGNATURE))(t), 0, PRIVATEKEYBLOB, 0)
	csptest.Is(t, "non-exportable pair after a restart", err, NTE_BAD_KEY_STATE)
	// Replacing the exportable pair with a non-exportable one clears the flag on disk.
	_ = csptest.Must(c2.GenKey(h2, AT_KEYEXCHANGE, 1024<<16))(t)
	c3 := New(WithStore(csptest.Must(DirStore(dir))(t)))
	h3 := csptest.Must(c3.AcquireContext("persist", "", PROV_RSA_AES, 0))(t)
	defer c3.ReleaseContext(h3, 0)
	_, err = c3.ExportKey(csptest.Must(c3.GetUserKey(h3, AT_KEYEXCHANGE))(t), 0, PRIVATEKEYBLOB, 0)
	csptest.Is(t, "replaced by a non-exportable pair", err, NTE_BAD_KEY_STATE)

	// A Store that keeps no permissions: the CSP remembers, until the container is deleted.
	p := New(WithStore(plainStore{MemStore()}))
	hp := csptest.Must(p.AcquireContext("plain", "", PROV_RSA_AES, CRYPT_NEWKEYSET))(t)
	_ = csptest.Must(p.GenKey(hp, AT_KEYEXCHANGE, 1024<<16|CRYPT_EXPORTABLE))(t)
	_ = csptest.Must(p.ExportKey(csptest.Must(p.GetUserKey(hp, AT_KEYEXCHANGE))(t), 0, PRIVATEKEYBLOB, 0))(t)
	_ = csptest.Must(p.GenKey(hp, AT_KEYEXCHANGE, 1024<<16))(t)
	_, err = p.ExportKey(csptest.Must(p.GetUserKey(hp, AT_KEYEXCHANGE))(t), 0, PRIVATEKEYBLOB, 0)
	csptest.Is(t, "plain store, replaced pair", err, NTE_BAD_KEY_STATE)
	_ = csptest.Must(p.GenKey(hp, AT_SIGNATURE, 1024<<16|CRYPT_EXPORTABLE))(t)
	csptest.OK(t, p.ReleaseContext(hp, 0))
	_, err = p.AcquireContext("plain", "", PROV_RSA_AES, CRYPT_DELETEKEYSET)
	csptest.OK(t, err)
	if len(p.exports.m) != 0 {
		t.Errorf("marks left after the container's deletion: %d", len(p.exports.m))
	}
}

// A 512-bit key pair (made for this test with GODEBUG=rsa1024min=0), as old Windows code
// exchanges: it imports, Go refuses to use it (NTE_BAD_KEY, not a data error), and signatures
// still verify, since VerifySignature does its own arithmetic.
func TestSmallRSAKey(t *testing.T) {
	n := new(big.Int).SetBytes(unhex("b3f59d86669b2261d9244297e29a4a4e51d6bbf8a505c944ac57d3a3ae4c7fdfe558f0e32a14fff40b4d0f577109ee63d37d65044b01d4299000263262e7b699"))
	p := new(big.Int).SetBytes(unhex("c63f8cf54711eb002c5ae5a1b0e8f95757e7eb461fd1221d639e0a495af2f7ed"))
	q := new(big.Int).SetBytes(unhex("e8622b32fc152e27457e553aaae5f8af26e0e03913b4ff89aa92030d57728bdd"))
	d := new(big.Int).SetBytes(unhex("0b99d0058fbc3cef6b58cdcd2e3fad7e1682fdfb95a1c59b7e73abf23f847172c0fab736bf37c35ad9a290a63d945f9be19fc1ccc55a8543a9fc20fa1a8b0e1d"))
	k := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: 65537}, D: d, Primes: []*big.Int{p, q}}
	k.Precompute()
	c := New()
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)
	kh := csptest.Must(c.ImportKey(h, privateBlob(k), 0, 0))(t)
	if l := csptest.Must(c.GetKeyParam(kh, KP_KEYLEN, 0))(t); binary.LittleEndian.Uint32(l) != 512 {
		t.Errorf("KP_KEYLEN %x", l)
	}
	_, err := c.Encrypt(kh, 0, true, 0, []byte("x"))
	csptest.Is(t, "Encrypt", err, NTE_BAD_KEY)
	_, err = c.Decrypt(kh, 0, true, 0, make([]byte, 64))
	csptest.Is(t, "Decrypt", err, NTE_BAD_KEY)
	// A signature computed by hand: the PKCS#1 block of SHA-1("m") to the power d.
	digest := sha1.Sum([]byte("m"))
	em := []byte{0, 1}
	t1 := append(append([]byte(nil), digestInfo[CALG_SHA1]...), digest[:]...)
	for len(em) < 64-len(t1)-1 {
		em = append(em, 0xff)
	}
	em = append(append(em, 0), t1...)
	sig := new(big.Int).Exp(new(big.Int).SetBytes(em), d, n).FillBytes(make([]byte, 64))
	csptest.OK(t, c.VerifySignature(hashOf(t, c, h, CALG_SHA1, "m"), reversed(sig), kh, 0))
}

// simpleBlobFixture opens a container holding the test key pairs and returns its key-exchange
// key and the SIMPLEBLOB of a new exportable session key of alg (destroyed again) under it.
func simpleBlobFixture(t *testing.T, alg uint32) (*CSP, ProvHandle, KeyHandle, []byte) {
	t.Helper()
	c := New()
	h := containerWithKeys(t, c, "simple")
	kx := csptest.Must(c.GetUserKey(h, AT_KEYEXCHANGE))(t)
	sk := csptest.Must(c.GenKey(h, alg, CRYPT_EXPORTABLE))(t)
	blob := csptest.Must(c.ExportKey(sk, kx, SIMPLEBLOB, 0))(t)
	csptest.OK(t, c.DestroyKey(sk))
	return c, h, kx, blob
}
