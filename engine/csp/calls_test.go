package csp

import (
	"bytes"
	"crypto"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha1"
	"sync"
	"testing"

	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// Contract: HashSessionKey hashes the key's bytes reversed, or in memory order under
// CRYPT_LITTLE_ENDIAN; never the salt; only session keys; only open hashes.
func TestHashSessionKey(t *testing.T) {
	c := New()
	h := containerWithKeys(t, c, "hsk")
	defer c.ReleaseContext(h, 0)
	key := unhex("000102030405060708090a0b0c0d0e0f")
	k := importKey(t, c, h, CALG_AES_128, key, 0)
	for _, tc := range []struct {
		flags uint32
		want  []byte
	}{{0, reversed(key)}, {CRYPT_LITTLE_ENDIAN, key}} {
		hh := csptest.Must(c.CreateHash(h, CALG_MD5, 0, 0))(t)
		csptest.OK(t, c.HashSessionKey(hh, k, tc.flags))
		sum := md5.Sum(tc.want)
		if got := csptest.Must(c.GetHashParam(hh, HP_HASHVAL, 0))(t); !bytes.Equal(got, sum[:]) {
			t.Errorf("flags %#x: %x; want MD5(%x)", tc.flags, got, tc.want)
		}
	}
	// A 40-bit RC4 key's 11 bytes of salt are not hashed.
	r := importKey(t, c, h, CALG_RC4, unhex("0102030405"), 0)
	hh := csptest.Must(c.CreateHash(h, CALG_SHA1, 0, 0))(t)
	csptest.OK(t, c.HashSessionKey(hh, r, 0))
	if got, want := csptest.Must(c.GetHashParam(hh, HP_HASHVAL, 0))(t), sha1.Sum(unhex("0504030201")); !bytes.Equal(got, want[:]) {
		t.Errorf("RC4 key: %x", got)
	}
	csptest.Is(t, "finished hash", c.HashSessionKey(hh, k, 0), NTE_BAD_HASH_STATE)
	hh = csptest.Must(c.CreateHash(h, CALG_SHA1, 0, 0))(t)
	csptest.Is(t, "unknown flag", c.HashSessionKey(hh, k, 2), NTE_BAD_FLAGS)
	csptest.Is(t, "key pair", c.HashSessionKey(hh, csptest.Must(c.GetUserKey(h, AT_SIGNATURE))(t), 0), NTE_BAD_KEY)
	// The hash then signs like any other.
	csptest.OK(t, c.HashSessionKey(hh, k, 0))
	_ = csptest.Must(c.SignHash(hh, AT_SIGNATURE, 0))(t)
}

// Contract: DuplicateHash copies the state; the two then diverge; the copy dies with the
// context.
func TestDuplicateHash(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	k := importKey(t, c, h, CALG_AES_128, bytes.Repeat([]byte{0x0b}, 16), 0)
	for _, alg := range []uint32{CALG_MD4, CALG_MD5, CALG_SHA1, CALG_SHA_256, CALG_SHA_512, CALG_HMAC} {
		key := KeyHandle(0)
		if alg == CALG_HMAC {
			key = k
		}
		a := csptest.Must(c.CreateHash(h, alg, key, 0))(t)
		if alg == CALG_HMAC {
			csptest.OK(t, c.SetHashParam(a, HP_HMAC_INFO, HMACInfo(CALG_MD5), 0))
		}
		csptest.OK(t, c.HashData(a, []byte("abc"), 0))
		b := csptest.Must(c.DuplicateHash(a, 0))(t)
		csptest.OK(t, c.HashData(b, []byte("def"), 0))
		va := csptest.Must(c.GetHashParam(a, HP_HASHVAL, 0))(t)
		vb := csptest.Must(c.GetHashParam(b, HP_HASHVAL, 0))(t)
		ra := csptest.Must(c.CreateHash(h, alg, key, 0))(t)
		rb := csptest.Must(c.CreateHash(h, alg, key, 0))(t)
		if alg == CALG_HMAC {
			csptest.OK(t, c.SetHashParam(ra, HP_HMAC_INFO, HMACInfo(CALG_MD5), 0))
			csptest.OK(t, c.SetHashParam(rb, HP_HMAC_INFO, HMACInfo(CALG_MD5), 0))
		}
		csptest.OK(t, c.HashData(ra, []byte("abc"), 0))
		csptest.OK(t, c.HashData(rb, []byte("abcdef"), 0))
		if !bytes.Equal(va, csptest.Must(c.GetHashParam(ra, HP_HASHVAL, 0))(t)) || !bytes.Equal(vb, csptest.Must(c.GetHashParam(rb, HP_HASHVAL, 0))(t)) {
			t.Errorf("alg %#x: duplicate did not diverge from the original", alg)
		}
		// A finished hash duplicates finished.
		d := csptest.Must(c.DuplicateHash(a, 0))(t)
		csptest.Is(t, "HashData on a finished duplicate", c.HashData(d, nil, 0), NTE_BAD_HASH_STATE)
		if got := csptest.Must(c.GetHashParam(d, HP_HASHVAL, 0))(t); !bytes.Equal(got, va) {
			t.Errorf("alg %#x: finished duplicate value %x", alg, got)
		}
	}
	a := csptest.Must(c.CreateHash(h, CALG_SHA1, 0, 0))(t)
	_, err := c.DuplicateHash(a, 1)
	csptest.Is(t, "flags", err, NTE_BAD_FLAGS)
	d := csptest.Must(c.DuplicateHash(a, 0))(t)
	csptest.OK(t, c.ReleaseContext(h, 0))
	csptest.Is(t, "duplicate after the context's release", c.HashData(d, nil, 0), NTE_BAD_UID)
	if c.Len() != 0 {
		t.Fatal("duplicates outlived their context")
	}
}

// Contract: DuplicateKey copies the key in its current state, the message in progress
// included.
func TestDuplicateKey(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	plain := bytes.Repeat([]byte("0123456789abcdef"), 3)
	for _, tc := range []struct {
		alg  uint32
		mode uint32
	}{{CALG_AES_128, CRYPT_MODE_CBC}, {CALG_AES_128, CRYPT_MODE_CFB}, {CALG_DES, CRYPT_MODE_ECB}, {CALG_RC4, 0}} {
		k := csptest.Must(c.GenKey(h, tc.alg, CRYPT_EXPORTABLE))(t)
		if tc.mode != 0 {
			csptest.OK(t, c.SetKeyParam(k, KP_MODE, dword(tc.mode), 0))
		}
		first := csptest.Must(c.Encrypt(k, 0, false, 0, plain[:16]))(t)
		d := csptest.Must(c.DuplicateKey(k, 0))(t)
		a := csptest.Must(c.Encrypt(k, 0, true, 0, plain[16:]))(t)
		b := csptest.Must(c.Encrypt(d, 0, true, 0, plain[16:]))(t)
		if !bytes.Equal(a, b) {
			t.Errorf("alg %#x mode %d: the duplicate continued differently", tc.alg, tc.mode)
		}
		whole := csptest.Must(c.Decrypt(d, 0, true, 0, append(first, b...)))(t)
		if !bytes.Equal(whole, plain) {
			t.Errorf("alg %#x mode %d: duplicate decrypts %q", tc.alg, tc.mode, whole)
		}
		if !bytes.Equal(csptest.Must(c.ExportKey(k, 0, PLAINTEXTKEYBLOB, 0))(t), csptest.Must(c.ExportKey(d, 0, PLAINTEXTKEYBLOB, 0))(t)) {
			t.Errorf("alg %#x: the duplicate has other key bytes or is not exportable", tc.alg)
		}
	}
	// A key pair's duplicate is the same pair; destroying one leaves the other.
	kp := csptest.Must(c.GenKey(h, AT_KEYEXCHANGE, 1024<<16))(t)
	d := csptest.Must(c.DuplicateKey(kp, 0))(t)
	csptest.OK(t, c.DestroyKey(kp))
	ct := csptest.Must(c.Encrypt(d, 0, true, 0, []byte("x")))(t)
	if p := csptest.Must(c.Decrypt(csptest.Must(c.GetUserKey(h, AT_KEYEXCHANGE))(t), 0, true, 0, ct))(t); string(p) != "x" {
		t.Errorf("pair duplicate: %q", p)
	}
	_, err := c.DuplicateKey(d, 1)
	csptest.Is(t, "flags", err, NTE_BAD_FLAGS)
	csptest.OK(t, c.ReleaseContext(h, 0))
	_, err = c.GetKeyParam(d, KP_ALGID, 0)
	csptest.Is(t, "duplicate after the context's release", err, NTE_BAD_UID)
	if c.Len() != 0 {
		t.Fatal("duplicates outlived their context")
	}
}

// Duplicating, encrypting and hashing the same objects from several goroutines is safe
// (run under -race) and every duplicate starts from a consistent state.
func TestDuplicateConcurrent(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)
	k := csptest.Must(c.GenKey(h, CALG_RC4, 0))(t)
	hh := csptest.Must(c.CreateHash(h, CALG_SHA_256, 0, 0))(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				if _, err := c.Encrypt(k, 0, false, 0, []byte("data")); err != nil {
					t.Error(err)
				}
				d, err := c.DuplicateKey(k, 0)
				if err != nil {
					t.Error(err)
					return
				}
				_ = c.DestroyKey(d)
				if err := c.HashData(hh, []byte("x"), 0); err != nil {
					t.Error(err)
				}
				dh, err := c.DuplicateHash(hh, 0)
				if err != nil {
					t.Error(err)
					return
				}
				_ = c.DestroyHash(dh)
			}
		})
	}
	wg.Wait()
}

// Contract: GenRandom fills the buffer; it needs a live context.
func TestGenRandom(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	a, b := make([]byte, 32), make([]byte, 32)
	csptest.OK(t, c.GenRandom(h, a))
	csptest.OK(t, c.GenRandom(h, b))
	csptest.OK(t, c.GenRandom(h, nil))
	if bytes.Equal(a, b) || bytes.Equal(a, make([]byte, 32)) {
		t.Fatalf("not random: %x %x", a, b)
	}
	csptest.OK(t, c.ReleaseContext(h, 0))
	csptest.Is(t, "released context", c.GenRandom(h, a), NTE_BAD_UID)
}

// Contract: SetHashParam(HP_HASHVAL) sets the value SignHash signs; MD4 hashes and signs;
// HashData takes CRYPT_USERDATA.
func TestHashValueAndMD4(t *testing.T) {
	c := New()
	h := containerWithKeys(t, c, "hv")
	defer c.ReleaseContext(h, 0)
	hh := csptest.Must(c.CreateHash(h, CALG_MD4, 0, 0))(t)
	csptest.OK(t, c.HashData(hh, []byte("abc"), CRYPT_USERDATA))
	// RFC 1320's test suite: MD4("abc").
	if v := csptest.Must(c.GetHashParam(hh, HP_HASHVAL, 0))(t); !bytes.Equal(v, unhex("a448017aaf21d8525fc10ae87aa6729d")) {
		t.Errorf("MD4(abc) = %x", v)
	}
	sig := csptest.Must(c.SignHash(hh, AT_SIGNATURE, 0))(t)
	pub := csptest.Must(c.GetUserKey(h, AT_SIGNATURE))(t)
	hv := csptest.Must(c.CreateHash(h, CALG_MD4, 0, 0))(t)
	csptest.OK(t, c.HashData(hv, []byte("abc"), 0))
	csptest.OK(t, c.VerifySignature(hv, sig, pub, 0))

	value := sha1.Sum([]byte("computed elsewhere"))
	hs := csptest.Must(c.CreateHash(h, CALG_SHA1, 0, 0))(t)
	csptest.OK(t, c.SetHashParam(hs, HP_HASHVAL, value[:], 0))
	csptest.Is(t, "HashData after HP_HASHVAL was set", c.HashData(hs, []byte("x"), 0), NTE_BAD_HASH_STATE)
	sig = csptest.Must(c.SignHash(hs, AT_SIGNATURE, 0))(t)
	if err := rsa.VerifyPKCS1v15(&testKeys()[1].PublicKey, crypto.SHA1, value[:], reversed(sig)); err != nil {
		t.Errorf("signature of a set value: %v", err)
	}
	csptest.Is(t, "HP_HASHVAL of 19 bytes", c.SetHashParam(csptest.Must(c.CreateHash(h, CALG_SHA1, 0, 0))(t), HP_HASHVAL, value[:19], 0), NTE_BAD_DATA)
}

// Many goroutines with contexts of their own using issue 14's calls, which leave per-context
// state beside the table (enumeration cursors, imported ephemeral key pairs and their export
// marks), and a shared key and hash: after the releases nothing is left anywhere.
func TestConcurrentSideState(t *testing.T) {
	c := New()
	shared := verifyCtx(t, c)
	sk := csptest.Must(c.GenKey(shared, CALG_RC4, CRYPT_EXPORTABLE))(t)
	sh := csptest.Must(c.CreateHash(shared, CALG_SHA1, 0, 0))(t)
	priv := privateBlob(testKeys()[0])
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 20 {
				own, err := c.AcquireContext("", "", PROV_RSA_AES, CRYPT_VERIFYCONTEXT)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := c.GetProvParam(own, PP_ENUMALGS_EX, CRYPT_FIRST); err != nil {
					t.Error(err)
				}
				if _, err := c.ImportKey(own, priv, 0, CRYPT_EXPORTABLE); err != nil {
					t.Error(err)
				}
				u, err := c.GetUserKey(own, AT_KEYEXCHANGE)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := c.ExportKey(u, 0, PRIVATEKEYBLOB, 0); err != nil {
					t.Error(err)
				}
				blob, err := c.ExportKey(sk, u, SIMPLEBLOB, 0)
				if err != nil {
					t.Error(err)
					return
				}
				k, err := c.ImportKey(own, blob, u, 0)
				if err != nil {
					t.Error(err)
				}
				if err := c.HashSessionKey(sh, k, 0); err != nil {
					t.Error(err)
				}
				if _, err := c.DuplicateHash(sh, 0); err != nil {
					t.Error(err)
				}
				if err := c.ReleaseContext(own, 0); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	csptest.OK(t, c.ReleaseContext(shared, 0))
	c.exports.mu.Lock()
	marks := len(c.exports.m)
	c.exports.mu.Unlock()
	if c.Len() != 0 || c.sideN.Load() != 0 || len(c.side) != 0 || marks != 0 {
		t.Fatalf("left: %d handles, %d side states, %d export marks", c.Len(), c.sideN.Load(), marks)
	}
}

// CALG_SSL3_SHAMD5 takes its 36-byte value, never data, and signs it bare (Wine's test_hashes,
// issue 14 F15).
func TestSSL3SHAMD5(t *testing.T) {
	c := New()
	h := containerWithKeys(t, c, "ssl3")
	defer c.ReleaseContext(h, 0)
	hh := csptest.Must(c.CreateHash(h, CALG_SSL3_SHAMD5, 0, 0))(t)
	if n := csptest.Must(c.GetHashParam(hh, HP_HASHSIZE, 0))(t); !bytes.Equal(n, dword(36)) {
		t.Errorf("HP_HASHSIZE %x", n)
	}
	csptest.Is(t, "HashData", c.HashData(hh, []byte("x"), 0), NTE_BAD_ALGID)
	_, err := c.GetHashParam(hh, HP_HASHVAL, 0)
	csptest.Is(t, "value never set", err, NTE_BAD_HASH_STATE)
	_, err = c.SignHash(hh, AT_SIGNATURE, 0)
	csptest.Is(t, "SignHash of no value", err, NTE_BAD_HASH_STATE)
	k := csptest.Must(c.GenKey(h, CALG_AES_128, 0))(t)
	_, err = c.Encrypt(k, hh, true, 0, []byte("x"))
	csptest.Is(t, "Encrypt feeding it", err, NTE_BAD_ALGID)
	csptest.Is(t, "HashSessionKey", c.HashSessionKey(hh, k, 0), NTE_BAD_ALGID)
	m, s := md5.Sum([]byte("tls")), sha1.Sum([]byte("tls"))
	value := append(m[:], s[:]...)
	csptest.OK(t, c.SetHashParam(hh, HP_HASHVAL, value, 0))
	dup := csptest.Must(c.DuplicateHash(hh, 0))(t)
	sig := csptest.Must(c.SignHash(hh, AT_SIGNATURE, 0))(t)
	if err := rsa.VerifyPKCS1v15(&testKeys()[1].PublicKey, 0, value, reversed(sig)); err != nil {
		t.Errorf("signature is not PKCS#1 of the bare value: %v", err)
	}
	csptest.OK(t, c.VerifySignature(dup, sig, csptest.Must(c.GetUserKey(h, AT_SIGNATURE))(t), 0))
	// DeriveKey takes the value's first bytes; the expansion AES asks for has no hash to use.
	d := csptest.Must(c.CreateHash(h, CALG_SSL3_SHAMD5, 0, 0))(t)
	csptest.OK(t, c.SetHashParam(d, HP_HASHVAL, value, 0))
	_, err = c.DeriveKey(h, CALG_AES_128, d, 0)
	csptest.Is(t, "DeriveKey(AES)", err, NTE_BAD_ALGID)
	rk := csptest.Must(c.DeriveKey(h, CALG_RC4, d, CRYPT_EXPORTABLE))(t)
	if b := csptest.Must(c.ExportKey(rk, 0, PLAINTEXTKEYBLOB, 0))(t); !bytes.Equal(b[12:], value[:16]) {
		t.Errorf("RC4 key from SSL3_SHAMD5: %x", b[12:])
	}
	hm := csptest.Must(c.CreateHash(h, CALG_HMAC, k, 0))(t)
	csptest.Is(t, "HMAC over SSL3_SHAMD5", c.SetHashParam(hm, HP_HMAC_INFO, HMACInfo(CALG_SSL3_SHAMD5), 0), NTE_BAD_ALGID)
}
