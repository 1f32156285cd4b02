package winetest

import (
	"bytes"
	"testing"

	"github.com/hprov/hprov/engine/csp"
	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// rsaenh.c test_hashes vectors: hashes of the 2048 bytes 0, 1, ..., 255, 0, ...
var (
	md4Hash      = unhex("8e2a58bff2f5262379d292361b23e381")
	md5Hash      = unhex("1576a94d6cb334dd126cb1c27f19e0f2")
	emptyMD5Hash = unhex("d41d8cd98f00b204e9800998ecf8427e")
	sha1Hash     = unhex("f10ccfde60c17db26e7d85d35665c7661dbbeb2c")
)

// wantHash checks hh's HP_HASHSIZE and HP_HASHVAL.
func wantHash(t *testing.T, c *csp.CSP, hh csp.HashHandle, want []byte) {
	t.Helper()
	if n := dword(t, csptest.Must(c.GetHashParam(hh, csp.HP_HASHSIZE, 0))(t)); int(n) != len(want) {
		t.Errorf("HP_HASHSIZE = %d, want %d", n, len(want))
	}
	if got := csptest.Must(c.GetHashParam(hh, csp.HP_HASHVAL, 0))(t); !bytes.Equal(got, want) {
		t.Errorf("HP_HASHVAL = %x, want %x", got, want)
	}
}

// rsaenh.c test_hashes, MD4 and MD5: flags ~0 are NTE_BAD_FLAGS, CRYPT_USERDATA is accepted;
// the size is known before any data.
func TestRsaenhHashesMD4MD5(t *testing.T) {
	data := seq(2048, 0)
	eachBase(t, func(t *testing.T, b *base) {
		for _, tc := range []struct {
			alg  uint32
			want []byte
		}{{csp.CALG_MD4, md4Hash}, {csp.CALG_MD5, md5Hash}} {
			hh := csptest.Must(b.c.CreateHash(b.prov, tc.alg, 0, 0))(t)
			if n := dword(t, csptest.Must(b.c.GetHashParam(hh, csp.HP_HASHSIZE, 0))(t)); n != 16 {
				t.Errorf("alg %#x: HP_HASHSIZE before data = %d, want 16", tc.alg, n)
			}
			csptest.Is(t, "HashData(flags ~0)", b.c.HashData(hh, data, ^uint32(0)), csp.NTE_BAD_FLAGS)
			csptest.Is(t, "HashData(CRYPT_USERDATA)", b.c.HashData(hh, data, csp.CRYPT_USERDATA), csp.Errno(0))
			wantHash(t, b.c, hh, tc.want)
			csptest.Is(t, "DestroyHash", b.c.DestroyHash(hh), csp.Errno(0))
		}
	})
}

// rsaenh.c test_hashes, the empty MD5: the value is there without any HashData, reading it
// twice gives the same, data after it is NTE_BAD_HASH_STATE, and the value stays.
func TestRsaenhHashesEmptyMD5(t *testing.T) {
	eachBase(t, func(t *testing.T, b *base) {
		hh := csptest.Must(b.c.CreateHash(b.prov, csp.CALG_MD5, 0, 0))(t)
		wantHash(t, b.c, hh, emptyMD5Hash)
		wantHash(t, b.c, hh, emptyMD5Hash)
		csptest.Is(t, "HashData after HP_HASHVAL", b.c.HashData(hh, seq(2048, 0), 0), csp.NTE_BAD_HASH_STATE)
		wantHash(t, b.c, hh, emptyMD5Hash)
		csptest.Is(t, "DestroyHash", b.c.DestroyHash(hh), csp.Errno(0))
	})
}

// rsaenh.c test_hashes, SHA-1 with DuplicateHash: the clone continues from the original's
// state (5 bytes hashed with CRYPT_USERDATA), and both are destroyed independently.
func TestRsaenhHashesSHA1Duplicate(t *testing.T) {
	data := seq(2048, 0)
	eachBase(t, func(t *testing.T, b *base) {
		hh := csptest.Must(b.c.CreateHash(b.prov, csp.CALG_SHA, 0, 0))(t)
		csptest.Is(t, "HashData(5 bytes, CRYPT_USERDATA)", b.c.HashData(hh, data[:5], csp.CRYPT_USERDATA), csp.Errno(0))
		clone := csptest.Must(b.c.DuplicateHash(hh, 0))(t)
		csptest.Is(t, "HashData(clone, the rest)", b.c.HashData(clone, data[5:], 0), csp.Errno(0))
		wantHash(t, b.c, clone, sha1Hash)
		csptest.Is(t, "DestroyHash(clone)", b.c.DestroyHash(clone), csp.Errno(0))
		csptest.Is(t, "DestroyHash(original)", b.c.DestroyHash(hh), csp.Errno(0))
	})
}

// rsaenh.c test_hashes: the SHA-2 hashes are not offered by a PROV_RSA_FULL provider.
func TestRsaenhHashesNoSHA2InRSAFull(t *testing.T) {
	eachBase(t, func(t *testing.T, b *base) {
		for _, alg := range []uint32{csp.CALG_SHA_256, csp.CALG_SHA_384, csp.CALG_SHA_512} {
			_, err := b.c.CreateHash(b.prov, alg, 0, 0)
			csptest.Is(t, "CreateHash(SHA-2) in PROV_RSA_FULL", err, csp.NTE_BAD_ALGID)
		}
	})
}

// rsaenh.c test_hashes: a hash whose context was released is unusable, even to destroy it;
// and a hash that was duplicated and read through its clone still takes data.
func TestRsaenhHashesReleaseAndDuplicate(t *testing.T) {
	eachBase(t, func(t *testing.T, b *base) {
		prov := b.verifyCtx(t)
		hh := csptest.Must(b.c.CreateHash(prov, csp.CALG_SHA1, 0, 0))(t)
		csptest.Is(t, "ReleaseContext", b.c.ReleaseContext(prov, 0), csp.Errno(0))
		csptest.Is(t, "HashData(orphan)", b.c.HashData(hh, []byte("data\x00"), 0), b.m.code(orphan))
		csptest.Is(t, "DestroyHash(orphan)", b.c.DestroyHash(hh), b.m.code(orphan))

		// Wine acquires a second verify context here but creates the hash on hProv.
		prov = b.verifyCtx(t)
		hh = csptest.Must(b.c.CreateHash(b.prov, csp.CALG_SHA1, 0, 0))(t)
		csptest.Is(t, "HashData", b.c.HashData(hh, []byte("data\x00"), 0), csp.Errno(0))
		clone := csptest.Must(b.c.DuplicateHash(hh, 0))(t)
		_, err := b.c.GetHashParam(clone, csp.HP_HASHVAL, 0)
		csptest.Is(t, "GetHashParam(clone, HP_HASHVAL)", err, csp.Errno(0))
		csptest.Is(t, "HashData(original) after the clone was read", b.c.HashData(hh, []byte("more data\x00"), 0), csp.Errno(0))
		csptest.Is(t, "DestroyHash(original)", b.c.DestroyHash(hh), csp.Errno(0))
		csptest.Is(t, "DestroyHash(clone)", b.c.DestroyHash(clone), csp.Errno(0))
		csptest.Is(t, "ReleaseContext", b.c.ReleaseContext(prov, 0), csp.Errno(0))
	})
}

// rsaenh.c test_sha2 (PROV_RSA_AES): SHA-256, -384 and -512 of the 2048 bytes, and their sizes
// before any data.
func TestRsaenhSHA2(t *testing.T) {
	data := seq(2048, 0)
	eachAES(t, func(t *testing.T, b *base) {
		for _, tc := range []struct {
			alg  uint32
			want []byte
		}{
			{csp.CALG_SHA_256, unhex("10fc3c51a152e90e5b90319b601d92ccf37290ef53c35ff92507687d8a911a08")},
			{csp.CALG_SHA_384, unhex(`98d33f890b23334461325a7ca30389b511d741c8546b120c4015b62a0343e564
				7f101eae47a939056f406094d6ad8055`)},
			{csp.CALG_SHA_512, unhex(`37860e7d25d9f9843e3dc71395734204fd13ad233916325f993e3cee3f1136f9
				c9660870cc49d8e07da1576271a6c9a42460fcde9db2f1d2c2fb2dbfb7f481d4`)},
		} {
			hh := csptest.Must(b.c.CreateHash(b.prov, tc.alg, 0, 0))(t)
			if n := dword(t, csptest.Must(b.c.GetHashParam(hh, csp.HP_HASHSIZE, 0))(t)); int(n) != len(tc.want) {
				t.Errorf("alg %#x: HP_HASHSIZE = %d, want %d", tc.alg, n, len(tc.want))
			}
			csptest.Is(t, "HashData", b.c.HashData(hh, data, 0), csp.Errno(0))
			wantHash(t, b.c, hh, tc.want)
			csptest.Is(t, "DestroyHash", b.c.DestroyHash(hh), csp.Errno(0))
		}
	})
}

// rsaenh.c test_hashes, its CALG_SSL3_SHAMD5 case: a hash that takes no data (NTE_BAD_ALGID)
// but a 36-byte value, MD5 || SHA-1 of the 2048 bytes, set with HP_HASHVAL; signed with
// abPlainPrivateKey's key exchange pair it gives Windows' signature (PKCS#1 v1.5 of the bare
// value, no hash OID).
func TestRsaenhHashesSSL3SHAMD5(t *testing.T) {
	// Wine's signed_ssl3_shamd5_hash.
	want := bs(`0x4f,0xcc,0x2f,0x33,0x44,0x60,0x76,0x16,0x13,0xc8,0xff,0xd4,0x59,0x19,
0xde,0x85,0x44,0x72,0x47,0x98,0x01,0xfb,0x67,0x5c,0x5b,0x35,0x15,0x0f,
0x91,0xda,0xc7,0x7c,0xfb,0xe2,0x18,0xef,0xac,0x31,0x40,0x7b,0xa9,0x83,
0xdb,0x30,0xcd,0x94,0x4b,0x8e,0x3b,0x6c,0x7a,0x86,0x59,0xf0,0xd1,0xd2,
0x5e,0xce,0xd4,0x1b,0x7f,0xed,0x24,0xee,0x53,0x5c,0x15,0x97,0x21,0x7c,
0x5c,0xea,0xab,0xf5,0xd6,0x4b,0xb3,0xbb,0x14,0xf5,0x59,0x9e,0x21,0x90,
0x21,0x99,0x19,0xad,0xa2,0xa6,0xea,0x61,0xc1,0x41,0xe2,0x70,0x77,0xf7,
0x15,0x68,0x96,0x1e,0x5c,0x84,0x97,0xe3,0x5c,0xd2,0xd9,0xfb,0x87,0x6f,
0x11,0x21,0x82,0x43,0x76,0x32,0xa4,0x38,0x7b,0x85,0x22,0x30,0x1e,0x55,
0x79,0x93`)
	data := seq(2048, 0)
	eachBase(t, func(t *testing.T, b *base) {
		prov := b.verifyCtx(t)
		value := append(hashValue(t, b.c, b.prov, csp.CALG_MD5, data), hashValue(t, b.c, b.prov, csp.CALG_SHA, data)...)
		hh := csptest.Must(b.c.CreateHash(b.prov, csp.CALG_SSL3_SHAMD5, 0, 0))(t)
		csptest.Is(t, "HashData(CALG_SSL3_SHAMD5)", b.c.HashData(hh, data, 0), csp.NTE_BAD_ALGID)
		csptest.Is(t, "SetHashParam(HP_HASHVAL)", b.c.SetHashParam(hh, csp.HP_HASHVAL, value, 0), csp.Errno(0))
		kx := csptest.Must(b.c.ImportKey(b.prov, plainPrivateKey, 0, 0))(t)
		sig := csptest.Must(b.c.SignHash(hh, csp.AT_KEYEXCHANGE, 0))(t)
		if !bytes.Equal(sig, want) {
			t.Errorf("signature\n got %x\nwant %x", sig, want)
		}
		csptest.Is(t, "DestroyKey", b.c.DestroyKey(kx), csp.Errno(0))
		csptest.Is(t, "DestroyHash", b.c.DestroyHash(hh), csp.Errno(0))
		csptest.Is(t, "ReleaseContext", b.c.ReleaseContext(prov, 0), csp.Errno(0))
	})
}
