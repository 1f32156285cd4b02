package csp

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"hash"
	"testing"

	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// FIPS 180 / RFC 1321 vectors for "abc".
var abcVectors = []struct {
	alg  uint32
	new  func() hash.Hash
	want string
}{
	{CALG_MD5, md5.New, "900150983cd24fb0d6963f7d28e17f72"},
	{CALG_SHA1, sha1.New, "a9993e364706816aba3e25717850c26c9cd0d89d"},
	{CALG_SHA_256, sha256.New, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	{CALG_SHA_384, sha512.New384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"},
	{CALG_SHA_512, sha512.New, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
}

func TestHashVectors(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)
	long := bytes.Repeat([]byte("0123456789"), 1000)
	for _, v := range abcVectors {
		hh := csptest.Must(c.CreateHash(h, v.alg, 0, 0))(t)
		csptest.OK(t, c.HashData(hh, []byte("a"), 0))
		csptest.OK(t, c.HashData(hh, []byte("bc"), 0)) // data in pieces hashes as one
		got := csptest.Must(c.GetHashParam(hh, HP_HASHVAL, 0))(t)
		if !bytes.Equal(got, unhex(v.want)) {
			t.Errorf("alg %#x: %x; want %s", v.alg, got, v.want)
		}
		if again := csptest.Must(c.GetHashParam(hh, HP_HASHVAL, 0))(t); !bytes.Equal(again, got) {
			t.Errorf("alg %#x: second HP_HASHVAL %x differs", v.alg, again)
		}
		algid := csptest.Must(c.GetHashParam(hh, HP_ALGID, 0))(t)
		size := csptest.Must(c.GetHashParam(hh, HP_HASHSIZE, 0))(t)
		if binary.LittleEndian.Uint32(algid) != v.alg || int(binary.LittleEndian.Uint32(size)) != len(got) {
			t.Errorf("alg %#x: HP_ALGID %x HP_HASHSIZE %x", v.alg, algid, size)
		}
		csptest.OK(t, c.DestroyHash(hh))

		// Byte-identical to Go's crypto on longer input.
		hh = hashOf(t, c, h, v.alg, string(long))
		ref := v.new()
		ref.Write(long)
		if got := csptest.Must(c.GetHashParam(hh, HP_HASHVAL, 0))(t); !bytes.Equal(got, ref.Sum(nil)) {
			t.Errorf("alg %#x on 10000 bytes differs from Go", v.alg)
		}
		csptest.OK(t, c.DestroyHash(hh))
	}
}

// RFC 2202 and RFC 4231 vectors with 16-, 20- and 25-byte keys, through the hash object's
// state directly (session keys have AES sizes only).
func TestHMACVectors(t *testing.T) {
	for _, tc := range []struct {
		inner uint32
		key   []byte
		data  string
		want  string
	}{
		{CALG_MD5, bytes.Repeat([]byte{0x0b}, 16), "Hi There", "9294727a3638bb1c13f48ef8158bfc9d"},
		{CALG_SHA1, bytes.Repeat([]byte{0x0b}, 20), "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00"},
		{CALG_SHA_256, []byte("Jefe"), "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
		{CALG_SHA_512, []byte("Jefe"), "what do ya want for nothing?", "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
	} {
		var s hashState
		a, _ := lookupAlg(persAES, CALG_HMAC)
		s.init(CALG_HMAC, a, tc.key)
		if tc.inner != hmacDefault {
			if err := s.setHMACInfo(persAES, HMACInfo(tc.inner)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.write([]byte(tc.data)); err != nil {
			t.Fatal(err)
		}
		if got, err := s.value(); err != nil || !bytes.Equal(got, unhex(tc.want)) {
			t.Errorf("HMAC inner %#x: %x; want %s", tc.inner, got, tc.want)
		}
	}
}

// HMAC through the API, keyed by a derived AES-256 key whose bytes are SHA-256("password").
func TestHMACThroughAPI(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)
	k := derivedKey(t, c, h, CALG_AES_256)
	keyBytes := unhex("5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8")
	for _, tc := range []struct {
		info []byte // nil: default inner hash
		new  func() hash.Hash
	}{
		{nil, sha256.New},
		{HMACInfo(CALG_SHA1), sha1.New},
		{HMACInfo(CALG_SHA_384), sha512.New384},
		{HMACInfo(CALG_MD5), md5.New},
	} {
		hh := csptest.Must(c.CreateHash(h, CALG_HMAC, k, 0))(t)
		if tc.info != nil {
			csptest.OK(t, c.SetHashParam(hh, HP_HMAC_INFO, tc.info, 0))
		}
		csptest.OK(t, c.HashData(hh, []byte("message"), 0))
		// HP_HMAC_INFO once data is in: the inner hash is fixed.
		csptest.Is(t, "HP_HMAC_INFO after HashData", c.SetHashParam(hh, HP_HMAC_INFO, HMACInfo(CALG_SHA1), 0), NTE_BAD_HASH_STATE)
		ref := hmac.New(tc.new, keyBytes)
		ref.Write([]byte("message"))
		want := ref.Sum(nil)
		if got := csptest.Must(c.GetHashParam(hh, HP_HASHVAL, 0))(t); !bytes.Equal(got, want) {
			t.Errorf("HMAC %x: %x; want %x", tc.info, got, want)
		}
		size := csptest.Must(c.GetHashParam(hh, HP_HASHSIZE, 0))(t)
		algid := csptest.Must(c.GetHashParam(hh, HP_ALGID, 0))(t)
		if int(binary.LittleEndian.Uint32(size)) != len(want) || binary.LittleEndian.Uint32(algid) != CALG_HMAC {
			t.Errorf("HMAC %x: HP_HASHSIZE %x HP_ALGID %x", tc.info, size, algid)
		}
		csptest.OK(t, c.DestroyHash(hh))
	}
}

func TestHMACErrors(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)
	k := derivedKey(t, c, h, CALG_AES_128)
	hh := csptest.Must(c.CreateHash(h, CALG_HMAC, k, 0))(t)
	plain := hashOf(t, c, h, CALG_SHA1, "x")
	for _, tc := range []struct {
		name string
		err  error
		want Errno
	}{
		{"HMAC without a key", func() error { _, err := c.CreateHash(h, CALG_HMAC, 0, 0); return err }(), NTE_BAD_KEY},
		{"short HP_HMAC_INFO", c.SetHashParam(hh, HP_HMAC_INFO, []byte{4, 0x80}, 0), NTE_BAD_DATA},
		{"HP_HMAC_INFO naming a cipher", c.SetHashParam(hh, HP_HMAC_INFO, HMACInfo(CALG_AES_128), 0), NTE_BAD_ALGID},
		{"HP_HMAC_INFO naming HMAC", c.SetHashParam(hh, HP_HMAC_INFO, HMACInfo(CALG_HMAC), 0), NTE_BAD_ALGID},
		{"HP_HMAC_INFO on SHA-1", c.SetHashParam(plain, HP_HMAC_INFO, HMACInfo(CALG_MD5), 0), NTE_BAD_TYPE},
		{"unknown hash param", c.SetHashParam(hh, 99, nil, 0), NTE_BAD_TYPE},
		{"HP_HASHVAL of the wrong size", c.SetHashParam(hh, HP_HASHVAL, nil, 0), NTE_BAD_DATA},
		{"SetHashParam flags", c.SetHashParam(hh, HP_HMAC_INFO, HMACInfo(CALG_MD5), 1), NTE_BAD_FLAGS},
		{"GetHashParam unknown", func() error { _, err := c.GetHashParam(hh, 99, 0); return err }(), NTE_BAD_TYPE},
		{"SignHash of an HMAC", func() error { _, err := c.SignHash(hh, AT_SIGNATURE, 0); return err }(), NTE_BAD_ALGID},
	} {
		csptest.Is(t, tc.name, tc.err, tc.want)
	}
	// HMAC with a key pair instead of a session key.
	kp := csptest.Must(c.GenKey(h, AT_KEYEXCHANGE, 0))(t)
	_, err := c.CreateHash(h, CALG_HMAC, kp, 0)
	csptest.Is(t, "HMAC keyed by an RSA pair", err, NTE_BAD_KEY)

	// Under PROV_RSA_FULL the inner hash must be one that provider offers.
	full := csptest.Must(c.AcquireContext("", "", PROV_RSA_FULL, CRYPT_VERIFYCONTEXT))(t)
	defer c.ReleaseContext(full, 0)
	fh := csptest.Must(c.CreateHash(full, CALG_HMAC, k, 0))(t)
	csptest.Is(t, "SHA-256 inner hash under PROV_RSA_FULL", c.SetHashParam(fh, HP_HMAC_INFO, HMACInfo(CALG_SHA_256), 0), NTE_BAD_ALGID)
	csptest.Is(t, "SHA-1 inner hash under PROV_RSA_FULL", c.SetHashParam(fh, HP_HMAC_INFO, HMACInfo(CALG_SHA1), 0), Errno(0))
}

// NIST SP 800-38A F.2.1/F.2.2: CBC-AES128.
var (
	nistKey   = unhex("2b7e151628aed2a6abf7158809cf4f3c")
	nistIV    = unhex("000102030405060708090a0b0c0d0e0f")
	nistPlain = unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710")
	nistCiph  = unhex("7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7")
)

func nistKeyState(t *testing.T) *keyState {
	ks, err := newSessionKey(&algAES128, nistKey, nil, defaultPerms)
	if err != nil {
		t.Fatal(err)
	}
	copy(ks.iv, nistIV)
	ks.reset()
	return ks
}

func TestAESCBCVectors(t *testing.T) {
	ks := nistKeyState(t)
	// Non-final pieces chain: two calls of two blocks give the four-block vector.
	a, err := ks.encryptBlocks(nistPlain[:32], false)
	csptest.OK(t, err)
	b, err := ks.encryptBlocks(nistPlain[32:], false)
	csptest.OK(t, err)
	if got := append(a, b...); !bytes.Equal(got, nistCiph) {
		t.Fatalf("chained CBC: %x; want %x", got, nistCiph)
	}
	// The final call pads with a whole block of 16s and returns to the IV.
	fin, err := ks.encryptBlocks(nil, true)
	csptest.OK(t, err)
	blk, _ := aes.NewCipher(nistKey)
	want := make([]byte, 16)
	for i := range want {
		want[i] = 16 ^ nistCiph[48+i]
	}
	blk.Encrypt(want, want)
	if !bytes.Equal(fin, want) {
		t.Fatalf("padding block %x; want %x", fin, want)
	}
	if !bytes.Equal(ks.chain, ks.iv) {
		t.Fatal("final call did not reset the chaining vector")
	}

	ks = nistKeyState(t)
	p1, err := ks.decryptBlocks(nistCiph[:16], false)
	csptest.OK(t, err)
	p2, err := ks.decryptBlocks(append(nistCiph[16:], fin...), true)
	csptest.OK(t, err)
	if got := append(p1, p2...); !bytes.Equal(got, nistPlain) {
		t.Fatalf("CBC decrypt: %x", got)
	}
}

func TestAESCBCErrors(t *testing.T) {
	ks := nistKeyState(t)
	good, err := ks.encryptBlocks([]byte("attack at dawn"), true)
	csptest.OK(t, err)
	corrupt := append([]byte(nil), good...)
	corrupt[len(corrupt)-1] ^= 0x40 // last block decrypts to garbage padding
	for _, tc := range []struct {
		name  string
		data  []byte
		final bool
		enc   bool
	}{
		{"non-final encrypt of a partial block", []byte("short"), false, true},
		{"decrypt of a partial block", good[:15], true, false},
		{"truncated ciphertext", good[:len(good)-1], true, false},
		{"empty final ciphertext", nil, true, false},
		{"bad padding", corrupt, true, false},
		{"non-final partial ciphertext", good[:5], false, false},
	} {
		var err error
		if tc.enc {
			_, err = ks.encryptBlocks(tc.data, tc.final)
		} else {
			_, err = ks.decryptBlocks(tc.data, tc.final)
		}
		csptest.Is(t, tc.name, err, NTE_BAD_DATA)
		if !bytes.Equal(ks.chain, ks.iv) {
			t.Errorf("%s: chaining vector changed", tc.name)
		}
	}
	// After the errors the key still decrypts a whole message.
	p, err := ks.decryptBlocks(good, true)
	if err != nil || string(p) != "attack at dawn" {
		t.Fatalf("decrypt after errors: %q, %v", p, err)
	}
}

// goCBC is the reference: CBC with PKCS#7 padding from Go's crypto.
func goCBC(key, iv, plain []byte) []byte {
	blk, _ := aes.NewCipher(key)
	n := len(plain)/16*16 + 16
	buf := make([]byte, n)
	copy(buf, plain)
	for i := len(plain); i < n; i++ {
		buf[i] = byte(n - len(plain))
	}
	cipher.NewCBCEncrypter(blk, iv).CryptBlocks(buf, buf)
	return buf
}

func TestAESThroughAPI(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)
	sha := unhex("5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8") // SHA-256("password")
	msg := bytes.Repeat([]byte("The quick brown fox jumps. "), 5)                    // 135 bytes
	for _, tc := range []struct {
		alg uint32
		n   int
	}{{CALG_AES_128, 16}, {CALG_AES_192, 24}, {CALG_AES_256, 32}} {
		k := derivedKey(t, c, h, tc.alg)
		zero := make([]byte, 16)
		want := goCBC(sha[:tc.n], zero, msg)
		got := csptest.Must(c.Encrypt(k, 0, true, 0, msg))(t)
		if !bytes.Equal(got, want) {
			t.Errorf("alg %#x: Encrypt differs from Go's CBC", tc.alg)
		}
		// The same message again: the final call reset the vector.
		if again := csptest.Must(c.Encrypt(k, 0, true, 0, msg))(t); !bytes.Equal(again, want) {
			t.Errorf("alg %#x: second message did not restart from the IV", tc.alg)
		}
		// In pieces: non-final whole blocks chain into the same ciphertext.
		p1 := csptest.Must(c.Encrypt(k, 0, false, 0, msg[:64]))(t)
		p2 := csptest.Must(c.Encrypt(k, 0, false, 0, msg[64:128]))(t)
		p3 := csptest.Must(c.Encrypt(k, 0, true, 0, msg[128:]))(t)
		if got := append(append(p1, p2...), p3...); !bytes.Equal(got, want) {
			t.Errorf("alg %#x: chained pieces differ", tc.alg)
		}
		d1 := csptest.Must(c.Decrypt(k, 0, false, 0, want[:32]))(t)
		d2 := csptest.Must(c.Decrypt(k, 0, true, 0, want[32:]))(t)
		if got := append(d1, d2...); !bytes.Equal(got, msg) {
			t.Errorf("alg %#x: Decrypt in pieces: %q", tc.alg, got)
		}
		// A set IV is where every message starts.
		iv := []byte("0123456789abcdef")
		csptest.OK(t, c.SetKeyParam(k, KP_IV, iv, 0))
		if got := csptest.Must(c.Encrypt(k, 0, true, 0, msg))(t); !bytes.Equal(got, goCBC(sha[:tc.n], iv, msg)) {
			t.Errorf("alg %#x: with KP_IV differs from Go", tc.alg)
		}
		if got := csptest.Must(c.GetKeyParam(k, KP_IV, 0))(t); !bytes.Equal(got, iv) {
			t.Errorf("KP_IV = %x", got)
		}
		if got := csptest.Must(c.GetKeyParam(k, KP_KEYLEN, 0))(t); binary.LittleEndian.Uint32(got) != uint32(8*tc.n) {
			t.Errorf("KP_KEYLEN = %x", got)
		}
		if got := csptest.Must(c.GetKeyParam(k, KP_ALGID, 0))(t); binary.LittleEndian.Uint32(got) != tc.alg {
			t.Errorf("KP_ALGID = %x", got)
		}
		csptest.Is(t, "short KP_IV", c.SetKeyParam(k, KP_IV, iv[:8], 0), NTE_BAD_DATA)
		csptest.Is(t, "unknown key param", c.SetKeyParam(k, KP_ALGID, iv, 0), NTE_BAD_TYPE)
		csptest.Is(t, "SetKeyParam flags", c.SetKeyParam(k, KP_IV, iv, 1), NTE_BAD_FLAGS)
		_, err := c.GetKeyParam(k, 1234, 0)
		csptest.Is(t, "unknown GetKeyParam", err, NTE_BAD_TYPE)
		_, err = c.Encrypt(k, 0, false, 0, msg[:20])
		csptest.Is(t, "non-final partial block", err, NTE_BAD_DATA)
		_, err = c.Encrypt(k, 0, true, 1, msg)
		csptest.Is(t, "Encrypt flags", err, NTE_BAD_FLAGS)
		csptest.OK(t, c.DestroyKey(k))
	}
}

func TestDecryptBadData(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)
	k := derivedKey(t, c, h, CALG_AES_128)
	ct := csptest.Must(c.Encrypt(k, 0, true, 0, []byte("sixteen bytes!!!")))(t) // 32 bytes
	bad := append([]byte(nil), ct...)
	bad[len(bad)-17] ^= 1 // flips the last plaintext byte: the padding
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"truncated", ct[:len(ct)-1]},
		{"one block short of whole", ct[:20]},
		{"wrong padding", bad},
		{"empty", nil},
	} {
		_, err := c.Decrypt(k, 0, true, 0, tc.data)
		csptest.Is(t, tc.name, err, NTE_BAD_DATA)
	}
	// The key is still usable afterwards.
	if p, err := c.Decrypt(k, 0, true, 0, ct); err != nil || string(p) != "sixteen bytes!!!" {
		t.Fatalf("Decrypt = %q, %v", p, err)
	}
}

// CryptDeriveKey vectors computed with Python's hashlib (an implementation independent of
// Go's): the key from the hash of "password", expanded where the hash is shorter than the key.
func TestDeriveKeyVectors(t *testing.T) {
	vec := []struct {
		hash uint32
		alg  uint32
		want string
	}{
		// Windows expands a non-SHA-2 hash for AES whatever its length (Wine's rsaenh would
		// give the hash value itself here: 5f4dcc3b5aa765d61d8327deb882cf99).
		{CALG_MD5, CALG_AES_128, "9181a42f85ca981b6e71333dd231aa3c"},
		{CALG_MD5, CALG_AES_192, "9181a42f85ca981b6e71333dd231aa3c0febe61d54a40b73"},
		{CALG_MD5, CALG_AES_256, "9181a42f85ca981b6e71333dd231aa3c0febe61d54a40b733d5555856ff65b7c"},
		{CALG_SHA1, CALG_AES_128, "a3bc508753274827cf2515600eaea32c"},
		{CALG_SHA1, CALG_AES_192, "a3bc508753274827cf2515600eaea32c226a7895c0533fcc"},
		{CALG_SHA1, CALG_AES_256, "a3bc508753274827cf2515600eaea32c226a7895c0533fcc0a67de054e4822f0"},
		{CALG_SHA_256, CALG_AES_256, "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"},
	}
	c := New()
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)
	for _, v := range vec {
		hh := hashOf(t, c, h, v.hash, "password")
		k := csptest.Must(c.DeriveKey(h, v.alg, hh, CRYPT_EXPORTABLE))(t)
		key := unhex(v.want)
		// The derived key's bytes show in its ciphertext: compare with Go's CBC under them.
		got := csptest.Must(c.Encrypt(k, 0, true, 0, []byte("probe")))(t)
		if want := goCBC(key, make([]byte, 16), []byte("probe")); !bytes.Equal(got, want) {
			t.Errorf("hash %#x alg %#x: derived key is not %s", v.hash, v.alg, v.want)
		}
		// Deriving finished the hash.
		csptest.Is(t, "HashData after DeriveKey", c.HashData(hh, []byte("more"), 0), NTE_BAD_HASH_STATE)
		raw, err := deriveMaterial(mapHash(v.hash), csptest.Must(c.GetHashParam(hh, HP_HASHVAL, 0))(t), len(key), deriveExpands(v.alg, v.hash))
		if err != nil || !bytes.Equal(raw[:len(key)], key) {
			t.Errorf("deriveMaterial = %x, %v", raw, err)
		}
	}
	// Key length in the flags' upper 16 bits must match.
	hh := hashOf(t, c, h, CALG_SHA_256, "password")
	_, err := c.DeriveKey(h, CALG_AES_128, hh, 128<<16)
	csptest.Is(t, "matching key length", err, Errno(0))
	_, err = c.DeriveKey(h, CALG_AES_128, hh, 256<<16)
	csptest.Is(t, "mismatched key length", err, NTE_BAD_FLAGS)
	_, err = c.DeriveKey(h, CALG_AES_128, hh, 0x200)
	csptest.Is(t, "unknown DeriveKey flag", err, NTE_BAD_FLAGS)
	_, err = c.DeriveKey(h, CALG_SHA1, hh, 0)
	csptest.Is(t, "DeriveKey of a hash algorithm", err, NTE_BAD_ALGID)
	_, err = c.DeriveKey(h, CALG_RSA_SIGN, hh, 0)
	csptest.Is(t, "DeriveKey of RSA", err, NTE_BAD_ALGID)
}

func mapHash(alg uint32) func() hash.Hash {
	return hashAlg(alg).newHash
}

func TestRSASignatureLittleEndian(t *testing.T) {
	c := New()
	h := containerWithKeys(t, c, "rsa")
	defer c.ReleaseContext(h, 0)
	k := testKeys()
	for _, tc := range []struct {
		alg    uint32
		crypto crypto.Hash
		new    func() hash.Hash
		spec   uint32
		priv   *rsa.PrivateKey
	}{
		{CALG_SHA_256, crypto.SHA256, sha256.New, AT_SIGNATURE, k[1]},
		{CALG_SHA1, crypto.SHA1, sha1.New, AT_KEYEXCHANGE, k[0]},
		{CALG_MD5, crypto.MD5, md5.New, AT_SIGNATURE, k[1]},
		{CALG_SHA_512, crypto.SHA512, sha512.New, AT_SIGNATURE, k[1]},
	} {
		hh := hashOf(t, c, h, tc.alg, "signed message")
		sig := csptest.Must(c.SignHash(hh, tc.spec, 0))(t)
		d := tc.new()
		d.Write([]byte("signed message"))
		ref, err := rsa.SignPKCS1v15(nil, tc.priv, tc.crypto, d.Sum(nil))
		csptest.OK(t, err)
		// PKCS#1 v1.5 is deterministic: CryptoAPI's bytes are Go's, reversed.
		if !bytes.Equal(sig, reversed(ref)) {
			t.Errorf("alg %#x: signature is not Go's reversed", tc.alg)
		}
		csptest.Is(t, "HashData after SignHash", c.HashData(hh, []byte("x"), 0), NTE_BAD_HASH_STATE)

		pub := csptest.Must(c.GetUserKey(h, tc.spec))(t)
		vh := hashOf(t, c, h, tc.alg, "signed message")
		csptest.Is(t, "VerifySignature", c.VerifySignature(vh, sig, pub, 0), Errno(0))
		vh = hashOf(t, c, h, tc.alg, "signed message")
		csptest.Is(t, "big-endian signature", c.VerifySignature(vh, ref, pub, 0), NTE_BAD_SIGNATURE)
		vh = hashOf(t, c, h, tc.alg, "other message")
		csptest.Is(t, "other message", c.VerifySignature(vh, sig, pub, 0), NTE_BAD_SIGNATURE)
		vh = hashOf(t, c, h, tc.alg, "signed message")
		csptest.Is(t, "short signature", c.VerifySignature(vh, sig[:100], pub, 0), NTE_BAD_SIGNATURE)
	}
}

func TestRSAEncryptLittleEndian(t *testing.T) {
	c := New()
	h := containerWithKeys(t, c, "rsa")
	defer c.ReleaseContext(h, 0)
	kx := csptest.Must(c.GetUserKey(h, AT_KEYEXCHANGE))(t)
	ct := csptest.Must(c.Encrypt(kx, 0, true, 0, []byte("session key bytes")))(t)
	if len(ct) != 256 {
		t.Fatalf("RSA block of %d bytes", len(ct))
	}
	// Go decrypts the reversed (big-endian) block.
	//lint:ignore SA1019 checking interoperability of PKCS#1 v1.5 encryption
	p, err := rsa.DecryptPKCS1v15(nil, testKeys()[0], reversed(ct))
	if err != nil || string(p) != "session key bytes" {
		t.Fatalf("Go's DecryptPKCS1v15 of the reversed block: %q, %v", p, err)
	}
	if p := csptest.Must(c.Decrypt(kx, 0, true, 0, ct))(t); string(p) != "session key bytes" {
		t.Fatalf("Decrypt = %q", p)
	}
	_, err = c.Decrypt(kx, 0, true, 0, reversed(ct))
	csptest.Is(t, "big-endian block", err, NTE_BAD_DATA)
	_, err = c.Decrypt(kx, 0, true, 0, ct[:255])
	csptest.Is(t, "short block", err, NTE_BAD_DATA)
	_, err = c.Encrypt(kx, 0, true, 0, make([]byte, 246))
	csptest.Is(t, "too long for one block", err, NTE_BAD_LEN)
	sk := csptest.Must(c.GetUserKey(h, AT_SIGNATURE))(t)
	_, err = c.Encrypt(sk, 0, true, 0, []byte("x"))
	csptest.Is(t, "signature pair encrypting", err, NTE_BAD_KEY)
	if got := csptest.Must(c.GetKeyParam(kx, KP_KEYLEN, 0))(t); binary.LittleEndian.Uint32(got) != 2048 {
		t.Errorf("KP_KEYLEN = %x", got)
	}
	_, err = c.GetKeyParam(kx, KP_IV, 0)
	csptest.Is(t, "KP_IV of RSA", err, NTE_BAD_TYPE)
}

// Encrypt and Decrypt with a hash add the plaintext to it.
func TestCryptWithHash(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)
	k := derivedKey(t, c, h, CALG_AES_128)
	msg := []byte("hash me while you encrypt me")
	he := csptest.Must(c.CreateHash(h, CALG_SHA_256, 0, 0))(t)
	ct := csptest.Must(c.Encrypt(k, he, true, 0, msg))(t)
	hd := csptest.Must(c.CreateHash(h, CALG_SHA_256, 0, 0))(t)
	pt := csptest.Must(c.Decrypt(k, hd, true, 0, ct))(t)
	want := sha256.Sum256(msg)
	for _, hh := range []HashHandle{he, hd} {
		if got := csptest.Must(c.GetHashParam(hh, HP_HASHVAL, 0))(t); !bytes.Equal(got, want[:]) {
			t.Errorf("hash of plaintext = %x", got)
		}
	}
	if !bytes.Equal(pt, msg) {
		t.Fatalf("plaintext %q", pt)
	}
	// A finished hash: nothing is encrypted and the key's state is unchanged.
	_, err := c.Encrypt(k, he, false, 0, msg[:16])
	csptest.Is(t, "Encrypt into a finished hash", err, NTE_BAD_HASH_STATE)
	if again := csptest.Must(c.Encrypt(k, 0, true, 0, msg))(t); !bytes.Equal(again, ct) {
		t.Fatal("a failed Encrypt changed the key's chaining state")
	}
}
