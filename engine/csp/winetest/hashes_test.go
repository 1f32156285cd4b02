package winetest

import (
	"bytes"
	"testing"

	"github.com/hprov/hprov/engine/csp"
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
	if n := dword(t, must(c.GetHashParam(hh, csp.HP_HASHSIZE, 0))(t)); int(n) != len(want) {
		t.Errorf("HP_HASHSIZE = %d, want %d", n, len(want))
	}
	if got := must(c.GetHashParam(hh, csp.HP_HASHVAL, 0))(t); !bytes.Equal(got, want) {
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
			hh := must(b.c.CreateHash(b.prov, tc.alg, 0, 0))(t)
			if n := dword(t, must(b.c.GetHashParam(hh, csp.HP_HASHSIZE, 0))(t)); n != 16 {
				t.Errorf("alg %#x: HP_HASHSIZE before data = %d, want 16", tc.alg, n)
			}
			is(t, "HashData(flags ~0)", b.c.HashData(hh, data, ^uint32(0)), csp.NTE_BAD_FLAGS)
			is(t, "HashData(CRYPT_USERDATA)", b.c.HashData(hh, data, csp.CRYPT_USERDATA), 0)
			wantHash(t, b.c, hh, tc.want)
			is(t, "DestroyHash", b.c.DestroyHash(hh), 0)
		}
	})
}

// rsaenh.c test_hashes, the empty MD5: the value is there without any HashData, reading it
// twice gives the same, data after it is NTE_BAD_HASH_STATE, and the value stays.
func TestRsaenhHashesEmptyMD5(t *testing.T) {
	eachBase(t, func(t *testing.T, b *base) {
		hh := must(b.c.CreateHash(b.prov, csp.CALG_MD5, 0, 0))(t)
		wantHash(t, b.c, hh, emptyMD5Hash)
		wantHash(t, b.c, hh, emptyMD5Hash)
		is(t, "HashData after HP_HASHVAL", b.c.HashData(hh, seq(2048, 0), 0), csp.NTE_BAD_HASH_STATE)
		wantHash(t, b.c, hh, emptyMD5Hash)
		is(t, "DestroyHash", b.c.DestroyHash(hh), 0)
	})
}

// rsaenh.c test_hashes, SHA-1 with DuplicateHash: the clone continues from the original's
// state (5 bytes hashed with CRYPT_USERDATA), and both are destroyed independently.
func TestRsaenhHashesSHA1Duplicate(t *testing.T) {
	data := seq(2048, 0)
	eachBase(t, func(t *testing.T, b *base) {
		hh := must(b.c.CreateHash(b.prov, csp.CALG_SHA, 0, 0))(t)
		is(t, "HashData(5 bytes, CRYPT_USERDATA)", b.c.HashData(hh, data[:5], csp.CRYPT_USERDATA), 0)
		clone := must(b.c.DuplicateHash(hh, 0))(t)
		is(t, "HashData(clone, the rest)", b.c.HashData(clone, data[5:], 0), 0)
		wantHash(t, b.c, clone, sha1Hash)
		is(t, "DestroyHash(clone)", b.c.DestroyHash(clone), 0)
		is(t, "DestroyHash(original)", b.c.DestroyHash(hh), 0)
	})
}

// rsaenh.c test_hashes: the SHA-2 hashes are not offered by a PROV_RSA_FULL provider.
func TestRsaenhHashesNoSHA2InRSAFull(t *testing.T) {
	eachBase(t, func(t *testing.T, b *base) {
		for _, alg := range []uint32{csp.CALG_SHA_256, csp.CALG_SHA_384, csp.CALG_SHA_512} {
			_, err := b.c.CreateHash(b.prov, alg, 0, 0)
			is(t, "CreateHash(SHA-2) in PROV_RSA_FULL", err, csp.NTE_BAD_ALGID)
		}
	})
}

// rsaenh.c test_hashes: a hash whose context was released is unusable, even to destroy it;
// and a hash that was duplicated and read through its clone still takes data.
func TestRsaenhHashesReleaseAndDuplicate(t *testing.T) {
	eachBase(t, func(t *testing.T, b *base) {
		prov := b.verifyCtx(t)
		hh := must(b.c.CreateHash(prov, csp.CALG_SHA1, 0, 0))(t)
		is(t, "ReleaseContext", b.c.ReleaseContext(prov, 0), 0)
		is(t, "HashData(orphan)", b.c.HashData(hh, []byte("data\x00"), 0), b.m.code(orphan))
		is(t, "DestroyHash(orphan)", b.c.DestroyHash(hh), b.m.code(orphan))

		// Wine acquires a second verify context here but creates the hash on hProv.
		prov = b.verifyCtx(t)
		hh = must(b.c.CreateHash(b.prov, csp.CALG_SHA1, 0, 0))(t)
		is(t, "HashData", b.c.HashData(hh, []byte("data\x00"), 0), 0)
		clone := must(b.c.DuplicateHash(hh, 0))(t)
		_, err := b.c.GetHashParam(clone, csp.HP_HASHVAL, 0)
		is(t, "GetHashParam(clone, HP_HASHVAL)", err, 0)
		is(t, "HashData(original) after the clone was read", b.c.HashData(hh, []byte("more data\x00"), 0), 0)
		is(t, "DestroyHash(original)", b.c.DestroyHash(hh), 0)
		is(t, "DestroyHash(clone)", b.c.DestroyHash(clone), 0)
		is(t, "ReleaseContext", b.c.ReleaseContext(prov, 0), 0)
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
			hh := must(b.c.CreateHash(b.prov, tc.alg, 0, 0))(t)
			if n := dword(t, must(b.c.GetHashParam(hh, csp.HP_HASHSIZE, 0))(t)); int(n) != len(tc.want) {
				t.Errorf("alg %#x: HP_HASHSIZE = %d, want %d", tc.alg, n, len(tc.want))
			}
			is(t, "HashData", b.c.HashData(hh, data, 0), 0)
			wantHash(t, b.c, hh, tc.want)
			is(t, "DestroyHash", b.c.DestroyHash(hh), 0)
		}
	})
}

// rsaenh.c test_hashes, the first steps of its CALG_SSL3_SHAMD5 case: MD5 and SHA-1 of the 2048
// bytes, whose 36 bytes Wine then sets as the value of a CALG_SSL3_SHAMD5 hash and signs with
// abPlainPrivateKey. csp has no CALG_SSL3_SHAMD5, so the rest is left out.
func TestRsaenhHashesSSL3SHAMD5Inputs(t *testing.T) {
	eachBase(t, func(t *testing.T, b *base) {
		prov := b.verifyCtx(t)
		for _, tc := range []struct {
			alg  uint32
			want []byte
		}{{csp.CALG_MD5, md5Hash}, {csp.CALG_SHA, sha1Hash}} {
			hh := must(b.c.CreateHash(b.prov, tc.alg, 0, 0))(t)
			is(t, "HashData", b.c.HashData(hh, seq(2048, 0), 0), 0)
			if got := must(b.c.GetHashParam(hh, csp.HP_HASHVAL, 0))(t); !bytes.Equal(got, tc.want) {
				t.Errorf("alg %#x: %x, want %x", tc.alg, got, tc.want)
			}
			is(t, "DestroyHash", b.c.DestroyHash(hh), 0)
		}
		ok(t, b.c.ReleaseContext(prov, 0))
	})
}
