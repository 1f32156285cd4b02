package csp

import (
	"bytes"
	"crypto/cipher"
	"crypto/des"
	"crypto/md5"
	"crypto/rc4"
	"encoding/binary"
	"testing"

	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// importKey imports a PLAINTEXTKEYBLOB of alg and key under h.
func importKey(t testing.TB, c *CSP, h ProvHandle, alg uint32, key []byte, flags uint32) KeyHandle {
	t.Helper()
	return csptest.Must(c.ImportKey(h, plaintextBlob(alg, key), 0, flags))(t)
}

func dword(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// Known-answer vectors for the new ciphers and modes, through the public calls.
func TestCipherVectors(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)

	// NIST SP 800-38A F.1.1, ECB-AES128, first block.
	k := importKey(t, c, h, CALG_AES_128, nistKey, 0)
	csptest.OK(t, c.SetKeyParam(k, KP_MODE, dword(CRYPT_MODE_ECB), 0))
	ct := csptest.Must(c.Encrypt(k, 0, false, 0, nistPlain[:16]))(t)
	if want := unhex("3ad77bb40d7a3660a89ecaf32466ef97"); !bytes.Equal(ct, want) {
		t.Errorf("ECB-AES128 = %x; want %x", ct, want)
	}

	// NIST SP 800-38A F.3.7, CFB8-AES128: 18 bytes; the final call pads to two blocks, and
	// CFB-8 being byte-wise, the first 18 bytes are the vector's.
	csptest.OK(t, c.SetKeyParam(k, KP_MODE, dword(CRYPT_MODE_CFB), 0))
	csptest.OK(t, c.SetKeyParam(k, KP_IV, nistIV, 0))
	ct = csptest.Must(c.Encrypt(k, 0, true, 0, nistPlain[:18]))(t)
	if want := unhex("3b79424c9c0dd436bace9e0ed4586a4f32b9"); len(ct) != 32 || !bytes.Equal(ct[:18], want) {
		t.Errorf("CFB8-AES128 = %x; want %x and padding", ct, want)
	}
	pt := csptest.Must(c.Decrypt(k, 0, true, 0, ct))(t)
	if !bytes.Equal(pt, nistPlain[:18]) {
		t.Errorf("CFB8 decrypt = %x", pt)
	}

	// The classic DES vector (key 133457799BBCDFF1), ECB.
	d := importKey(t, c, h, CALG_DES, unhex("133457799bbcdff1"), 0)
	csptest.OK(t, c.SetKeyParam(d, KP_MODE, dword(CRYPT_MODE_ECB), 0))
	ct = csptest.Must(c.Encrypt(d, 0, false, 0, unhex("0123456789abcdef")))(t)
	if want := unhex("85e813540f0ab405"); !bytes.Equal(ct, want) {
		t.Errorf("DES = %x; want %x", ct, want)
	}

	// RFC 6229, RC4 with the 40-bit key 0102030405: the first 16 bytes of keystream. Without
	// CRYPT_NO_SALT a 40-bit key gets 11 zero bytes of salt, appended to the RC4 key.
	r := importKey(t, c, h, CALG_RC4, unhex("0102030405"), CRYPT_NO_SALT)
	ks := csptest.Must(c.Encrypt(r, 0, true, 0, make([]byte, 16)))(t)
	if want := unhex("b2396305f03dc027ccc3524a0a1118a8"); !bytes.Equal(ks, want) {
		t.Errorf("RC4 keystream = %x; want %x", ks, want)
	}
	salted := importKey(t, c, h, CALG_RC4, unhex("0102030405"), 0)
	if s := csptest.Must(c.GetKeyParam(salted, KP_SALT, 0))(t); !bytes.Equal(s, make([]byte, 11)) {
		t.Errorf("default salt of a 40-bit key = %x; want 11 zero bytes", s)
	}
	rc, _ := rc4.NewCipher(append(unhex("0102030405"), make([]byte, 11)...))
	want := make([]byte, 16)
	rc.XORKeyStream(want, want)
	if got := csptest.Must(c.Encrypt(salted, 0, true, 0, make([]byte, 16)))(t); !bytes.Equal(got, want) {
		t.Errorf("salted RC4 = %x; want %x", got, want)
	}
}

// 3DES in both key sizes and the stream continuity of RC4, against Go's ciphers.
func TestTripleDESAndRC4(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)
	key := unhex("0123456789abcdef23456789abcdef01456789abcdef0123")
	plain := []byte("The quick brown fox jumps")
	for _, tc := range []struct {
		alg  uint32
		key  []byte
		full []byte // the 24-byte key Go's TripleDES takes
	}{
		{CALG_3DES, key, key},
		{CALG_3DES_112, key[:16], append(append([]byte(nil), key[:16]...), key[:8]...)},
	} {
		k := importKey(t, c, h, tc.alg, tc.key, 0)
		got := csptest.Must(c.Encrypt(k, 0, true, 0, plain))(t)
		b, _ := des.NewTripleDESCipher(tc.full)
		padded := append(append([]byte(nil), plain...), bytes.Repeat([]byte{7}, 7)...)
		want := make([]byte, len(padded))
		cipher.NewCBCEncrypter(b, make([]byte, 8)).CryptBlocks(want, padded)
		if !bytes.Equal(got, want) {
			t.Errorf("alg %#x: %x; want %x", tc.alg, got, want)
		}
		if bl := csptest.Must(c.GetKeyParam(k, KP_BLOCKLEN, 0))(t); binary.LittleEndian.Uint32(bl) != 64 {
			t.Errorf("alg %#x: KP_BLOCKLEN %x", tc.alg, bl)
		}
	}
	// RC4 continues its keystream over non-final calls and restarts after the final one.
	r := importKey(t, c, h, CALG_RC4, key[:16], 0)
	a := csptest.Must(c.Encrypt(r, 0, false, 0, plain[:10]))(t)
	b := csptest.Must(c.Encrypt(r, 0, true, 0, plain[10:]))(t)
	whole := csptest.Must(c.Encrypt(r, 0, true, 0, plain))(t)
	if !bytes.Equal(append(a, b...), whole) {
		t.Error("RC4 pieces differ from the whole message")
	}
	if p := csptest.Must(c.Decrypt(r, 0, true, 0, whole))(t); !bytes.Equal(p, plain) {
		t.Errorf("RC4 round trip: %q", p)
	}
}

// The key lengths and parameters each cipher reports, and GenKey's length rules.
func TestSessionKeyParams(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)
	for _, tc := range []struct {
		alg                      uint32
		flags                    uint32
		keylen, eff, block, mode uint32
	}{
		{CALG_DES, 0, 64, 56, 64, CRYPT_MODE_CBC},
		{CALG_DES, 56 << 16, 64, 56, 64, CRYPT_MODE_CBC},
		{CALG_DES, 64 << 16, 64, 56, 64, CRYPT_MODE_CBC},
		{CALG_3DES_112, 0, 128, 112, 64, CRYPT_MODE_CBC},
		{CALG_3DES, 168 << 16, 192, 168, 64, CRYPT_MODE_CBC},
		{CALG_RC4, 0, 128, 128, 0, 0},
		{CALG_RC4, 40 << 16, 40, 40, 0, 0},
		{CALG_AES_192, 0, 192, 192, 128, CRYPT_MODE_CBC},
	} {
		k := csptest.Must(c.GenKey(h, tc.alg, tc.flags))(t)
		for _, p := range []struct {
			param uint32
			want  uint32
		}{{KP_KEYLEN, tc.keylen}, {KP_EFFECTIVE_KEYLEN, tc.eff}, {KP_BLOCKLEN, tc.block}, {KP_PERMISSIONS, defaultPerms}} {
			got := csptest.Must(c.GetKeyParam(k, p.param, 0))(t)
			if binary.LittleEndian.Uint32(got) != p.want {
				t.Errorf("alg %#x flags %#x param %d = %x; want %d", tc.alg, tc.flags, p.param, got, p.want)
			}
		}
		if m := csptest.Must(c.GetKeyParam(k, KP_MODE, 0))(t); binary.LittleEndian.Uint32(m) != tc.mode {
			t.Errorf("alg %#x KP_MODE = %x", tc.alg, m)
		}
	}
	for _, tc := range []struct {
		name       string
		alg, flags uint32
	}{
		{"DES of 48 bits", CALG_DES, 48 << 16},
		{"RC4 of 36 bits", CALG_RC4, 36 << 16},
		{"RC4 of 132 bits", CALG_RC4, 132 << 16},
		{"RC4 of 44 bits: a multiple of 8 only", CALG_RC4, 44 << 16},
	} {
		_, err := c.GenKey(h, tc.alg, tc.flags)
		csptest.Is(t, tc.name, err, NTE_BAD_FLAGS)
	}
	_, err := c.GenKey(h, CALG_RC4, 48<<16)
	csptest.Is(t, "RC4 of 48 bits", err, Errno(0))
	// The base provider's RC4 is 40 to 56 bits, 40 by default, with 11 bytes of salt.
	base := csptest.Must(c.AcquireContext("", MS_DEF_PROV, PROV_RSA_FULL, CRYPT_VERIFYCONTEXT))(t)
	defer c.ReleaseContext(base, 0)
	k := csptest.Must(c.GenKey(base, CALG_RC4, 0))(t)
	if l := csptest.Must(c.GetKeyParam(k, KP_KEYLEN, 0))(t); binary.LittleEndian.Uint32(l) != 40 {
		t.Errorf("base RC4 KP_KEYLEN %x", l)
	}
	if s := csptest.Must(c.GetKeyParam(k, KP_SALT, 0))(t); len(s) != 11 {
		t.Errorf("base RC4 salt %x", s)
	}
	_, err = c.GenKey(base, CALG_RC4, 128<<16)
	csptest.Is(t, "base RC4 of 128 bits", err, NTE_BAD_FLAGS)
	_, err = c.GenKey(base, CALG_3DES, 0)
	csptest.Is(t, "base 3DES", err, NTE_BAD_ALGID)
	if s := csptest.Must(c.GetKeyParam(csptest.Must(c.GenKey(base, CALG_RC4, CRYPT_NO_SALT))(t), KP_SALT, 0))(t); len(s) != 0 {
		t.Errorf("CRYPT_NO_SALT salt %x", s)
	}
	// CRYPT_CREATE_SALT: 11 bytes in the base and strong providers, none in the enhanced ones.
	strong := csptest.Must(c.AcquireContext("", MS_STRONG_PROV, PROV_RSA_FULL, CRYPT_VERIFYCONTEXT))(t)
	defer c.ReleaseContext(strong, 0)
	enh := csptest.Must(c.AcquireContext("", MS_ENHANCED_PROV, PROV_RSA_FULL, CRYPT_VERIFYCONTEXT))(t)
	defer c.ReleaseContext(enh, 0)
	for _, tc := range []struct {
		h    ProvHandle
		bits uint32
		want int
	}{{base, 56, 11}, {strong, 128, 11}, {strong, 40, 11}, {enh, 40, 0}, {enh, 128, 0}, {h, 64, 0}} {
		k := csptest.Must(c.GenKey(tc.h, CALG_RC4, tc.bits<<16|CRYPT_CREATE_SALT))(t)
		if s := csptest.Must(c.GetKeyParam(k, KP_SALT, 0))(t); len(s) != tc.want {
			t.Errorf("CRYPT_CREATE_SALT, %d bits: salt %x; want %d bytes", tc.bits, s, tc.want)
		}
	}
	// Windows' answers that Wine's suite found (issue 14, F4, F6): CALG_AES is listed but is
	// no key algorithm; an RC4 key has KP_MODE 0 and an empty IV.
	_, err = c.GenKey(h, CALG_AES, 0)
	csptest.Is(t, "GenKey(CALG_AES)", err, NTE_BAD_ALGID)
	_, err = c.DeriveKey(h, CALG_AES, hashOf(t, c, h, CALG_MD5, "x"), 0)
	csptest.Is(t, "DeriveKey(CALG_AES)", err, NTE_BAD_ALGID)
	r := csptest.Must(c.GenKey(h, CALG_RC4, 0))(t)
	if iv := csptest.Must(c.GetKeyParam(r, KP_IV, 0))(t); len(iv) != 0 {
		t.Errorf("RC4 KP_IV %x", iv)
	}
	csptest.OK(t, c.SetKeyParam(r, KP_IV, nil, 0))
	if mb := csptest.Must(c.GetKeyParam(r, KP_MODE_BITS, 0))(t); binary.LittleEndian.Uint32(mb) != 0 {
		t.Errorf("RC4 KP_MODE_BITS %x", mb)
	}
}

// SetKeyParam's rules: modes, padding, mode bits, salt, permissions.
func TestSetKeyParams(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)
	k := csptest.Must(c.GenKey(h, CALG_AES_128, 0))(t)
	r := csptest.Must(c.GenKey(h, CALG_RC4, 0))(t)
	kp := csptest.Must(c.GenKey(h, AT_SIGNATURE, 1024<<16))(t)
	for _, tc := range []struct {
		name string
		err  error
		want Errno
	}{
		{"KP_MODE ECB", c.SetKeyParam(k, KP_MODE, dword(CRYPT_MODE_ECB), 0), 0},
		{"KP_MODE OFB is accepted", c.SetKeyParam(k, KP_MODE, dword(CRYPT_MODE_OFB), 0), 0},
		{"Encrypt in OFB", func() error { _, err := c.Encrypt(k, 0, true, 0, []byte("x")); return err }(), NTE_BAD_ALGID},
		{"KP_MODE 9", c.SetKeyParam(k, KP_MODE, dword(9), 0), NTE_BAD_DATA},
		{"KP_MODE short", c.SetKeyParam(k, KP_MODE, []byte{1}, 0), NTE_BAD_DATA},
		{"KP_MODE of RC4", c.SetKeyParam(r, KP_MODE, dword(CRYPT_MODE_ECB), 0), NTE_BAD_TYPE},
		{"KP_IV of RC4", c.SetKeyParam(r, KP_IV, make([]byte, 16), 0), NTE_BAD_TYPE},
		{"KP_PADDING PKCS5", c.SetKeyParam(k, KP_PADDING, dword(PKCS5_PADDING), 0), 0},
		{"KP_PADDING zero", c.SetKeyParam(k, KP_PADDING, dword(ZERO_PADDING), 0), NTE_BAD_DATA},
		{"KP_MODE_BITS 8", c.SetKeyParam(k, KP_MODE_BITS, dword(8), 0), 0},
		{"KP_MODE_BITS 64", c.SetKeyParam(k, KP_MODE_BITS, dword(64), 0), NTE_BAD_DATA},
		{"KP_SALT_EX of 25 bytes", c.SetKeyParam(r, KP_SALT_EX, make([]byte, 25), 0), NTE_BAD_DATA},
		{"KP_SALT_EX", c.SetKeyParam(r, KP_SALT_EX, []byte{1, 2, 3}, 0), 0},
		{"KP_SALT shorter than the salt", c.SetKeyParam(r, KP_SALT, []byte{1, 2}, 0), NTE_BAD_DATA},
		{"KP_SALT of the salt's length", c.SetKeyParam(r, KP_SALT, []byte{4, 5, 6, 7}, 0), 0},
		{"KP_PERMISSIONS adding CRYPT_EXPORT", c.SetKeyParam(k, KP_PERMISSIONS, dword(defaultPerms|CRYPT_EXPORT), 0), NTE_BAD_DATA},
		{"KP_PERMISSIONS removing CRYPT_MAC", c.SetKeyParam(k, KP_PERMISSIONS, dword(CRYPT_ENCRYPT|CRYPT_DECRYPT), 0), 0},
		{"KP_PERMISSIONS of a key pair", c.SetKeyParam(kp, KP_PERMISSIONS, dword(CRYPT_ENCRYPT), 0), 0},
		{"KP_IV of a key pair", c.SetKeyParam(kp, KP_IV, make([]byte, 16), 0), NTE_BAD_TYPE},
		{"unknown param", c.SetKeyParam(k, 99, nil, 0), NTE_BAD_TYPE},
	} {
		csptest.Is(t, tc.name, tc.err, tc.want)
	}
	if s := csptest.Must(c.GetKeyParam(r, KP_SALT, 0))(t); !bytes.Equal(s, []byte{4, 5, 6}) {
		t.Errorf("KP_SALT = %x", s)
	}
	if p := csptest.Must(c.GetKeyParam(k, KP_PERMISSIONS, 0))(t); binary.LittleEndian.Uint32(p) != CRYPT_ENCRYPT|CRYPT_DECRYPT {
		t.Errorf("KP_PERMISSIONS = %x", p)
	}
	// In the base and strong providers KP_SALT makes an 11-byte salt whatever the key had; in
	// the enhanced ones it keeps the salt's length (issue 14 F10, F14).
	for _, tc := range []struct {
		prov string
		want int
	}{{MS_DEF_PROV, 11}, {MS_STRONG_PROV, 11}, {MS_ENHANCED_PROV, 0}} {
		p := csptest.Must(c.AcquireContext("", tc.prov, PROV_RSA_FULL, CRYPT_VERIFYCONTEXT))(t)
		k := importKey(t, c, p, CALG_RC4, make([]byte, 7), 0)
		csptest.OK(t, c.SetKeyParam(k, KP_SALT, make([]byte, 11), 0))
		if s := csptest.Must(c.GetKeyParam(k, KP_SALT, 0))(t); len(s) != tc.want {
			t.Errorf("%s: salt of %d bytes after KP_SALT; want %d", tc.prov, len(s), tc.want)
		}
		if tc.want > 0 {
			csptest.Is(t, tc.prov+": KP_SALT too short", c.SetKeyParam(k, KP_SALT, make([]byte, tc.want-1), 0), NTE_BAD_DATA)
		}
		csptest.OK(t, c.ReleaseContext(p, 0))
	}
	// Removing CRYPT_EXPORT is ignored: an exportable key stays exportable.
	e := csptest.Must(c.GenKey(h, CALG_AES_128, CRYPT_EXPORTABLE))(t)
	csptest.OK(t, c.SetKeyParam(e, KP_PERMISSIONS, dword(CRYPT_ENCRYPT), 0))
	if p := csptest.Must(c.GetKeyParam(e, KP_PERMISSIONS, 0))(t); binary.LittleEndian.Uint32(p) != CRYPT_ENCRYPT|CRYPT_EXPORT {
		t.Errorf("KP_PERMISSIONS after removing CRYPT_EXPORT = %x", p)
	}
	_ = csptest.Must(c.ExportKey(e, 0, PLAINTEXTKEYBLOB, 0))(t)
}

// Windows' rows of Wine's test_key_derivation (found by the suite's port, issue 14): two-key
// 3DES from MD5 takes the first 16 bytes of the value, unexpanded; three-key 3DES and AES
// from MD5 expand it.
func TestDeriveKeyRules(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)
	data := make([]byte, 512)
	for j := range data {
		data[j] = byte(j + 25)
	}
	sum := md5.Sum(data)
	if want := unhex("d2a2d7873229f9e0450dec8db5bc8ad9"); !bytes.Equal(sum[:], want) {
		t.Fatalf("MD5 = %x", sum)
	}
	hh := csptest.Must(c.CreateHash(h, CALG_MD5, 0, 0))(t)
	csptest.OK(t, c.HashData(hh, data, 0))
	k := csptest.Must(c.DeriveKey(h, CALG_3DES_112, hh, 0))(t)
	ct := csptest.Must(c.Encrypt(k, 0, true, 0, []byte{0x19, 0x1a, 0x1b, 0x1c}))(t)
	if want := unhex("5170e0b7000d3e21"); !bytes.Equal(ct, want) {
		t.Errorf("3DES_112 from MD5: %x; want %x", ct, want)
	}
	for _, tc := range []struct {
		alg    uint32
		expand bool
	}{{CALG_3DES_112, false}, {CALG_3DES, true}, {CALG_AES_128, true}, {CALG_DES, false}, {CALG_RC4, false}} {
		hh := csptest.Must(c.CreateHash(h, CALG_MD5, 0, 0))(t)
		csptest.OK(t, c.HashData(hh, data, 0))
		k := csptest.Must(c.DeriveKey(h, tc.alg, hh, CRYPT_EXPORTABLE))(t)
		blob := csptest.Must(c.ExportKey(k, 0, PLAINTEXTKEYBLOB, 0))(t)
		key := blob[12:]
		var want []byte
		if tc.expand {
			want = csptest.Expand(func(b []byte) []byte { s := md5.Sum(b); return s[:] }, sum[:])
		} else {
			want = sum[:]
		}
		if !bytes.Equal(key, want[:len(key)]) {
			t.Errorf("alg %#x from MD5: key %x; expanded %v", tc.alg, key, tc.expand)
		}
	}
}
