package winetest

import (
	"bytes"
	"testing"

	"github.com/hprov/hprov/engine/csp"
	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// hmacKey imports key as an HMAC key: a PLAINTEXTKEYBLOB of CALG_RC2 with CRYPT_IPSEC_HMAC_KEY,
// which is how Windows takes raw HMAC keys of any length (rsaenh.c test_import_hmac).
func hmacKey(t *testing.T, c *csp.CSP, prov csp.ProvHandle, key []byte) csp.KeyHandle {
	t.Helper()
	return csptest.Must(c.ImportKey(prov, plaintextKeyBlob(csp.CALG_RC2, key), 0, csp.CRYPT_IPSEC_HMAC_KEY))(t)
}

// hmacOf returns HMAC(inner hash alg) of data keyed by k.
func hmacOf(t *testing.T, c *csp.CSP, prov csp.ProvHandle, k csp.KeyHandle, alg uint32, data []byte) []byte {
	t.Helper()
	hh := csptest.Must(c.CreateHash(prov, csp.CALG_HMAC, k, 0))(t)
	defer c.DestroyHash(hh)
	csptest.Is(t, "SetHashParam(HP_HMAC_INFO)", c.SetHashParam(hh, csp.HP_HMAC_INFO, csp.HMACInfo(alg), 0), csp.Errno(0))
	csptest.Is(t, "HashData", c.HashData(hh, data, 0), csp.Errno(0))
	return csptest.Must(c.GetHashParam(hh, csp.HP_HASHVAL, 0))(t)
}

// rsaenh.c test_hmac: HMAC-MD5 of the bytes 0..255 keyed by Wine's 56-bit RC2 key derived from
// MD2 (derive_key), which keys the HMAC with its 7 bytes; csp has no RC2 cipher, so the suite
// imports those bytes as an HMAC key. Then CALG_HMAC without a key: Windows hands the zero
// key to the provider, which answers NTE_BAD_KEY, in both models.
func TestRsaenhHMAC(t *testing.T) {
	eachBase(t, func(t *testing.T, b *base) {
		k := hmacKey(t, b.c, b.prov, md2(seq(2000, 0))[:7])
		if got, want := hmacOf(t, b.c, b.prov, k, csp.CALG_MD5, seq(256, 0)), unhex("1a7d49c59b2d0b9ccf106bb67d0f1332"); !bytes.Equal(got, want) {
			t.Errorf("HMAC = %x, want %x", got, want)
		}
		csptest.Is(t, "DestroyKey", b.c.DestroyKey(k), csp.Errno(0))
		_, err := b.c.CreateHash(b.prov, csp.CALG_HMAC, 0, 0)
		csptest.Is(t, "CreateHash(CALG_HMAC, key 0)", err, csp.NTE_BAD_KEY)
	})
}

// rsaenh.c test_import_hmac: RFC 2202's HMAC-SHA-1 test cases with keys imported as
// PLAINTEXTKEYBLOBs under CRYPT_IPSEC_HMAC_KEY (of 4 to 80 bytes: no RC2 length limit applies).
func TestRsaenhImportHMAC(t *testing.T) {
	rep := func(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }
	cases := []struct {
		key, data []byte
		digest    string
	}{
		{rep(0x0b, 20), []byte("Hi There"), "b617318655057264e28bc0b6fb378c8ef146be00"},
		{[]byte("Jefe"), []byte("what do ya want for nothing?"), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
		{rep(0xaa, 20), rep(0xdd, 50), "125d7342b9ac11cd91a39af48aa17b4f63f175d3"},
		{seq(25, 1), rep(0xcd, 50), "4c9007f4026250c6bc8414f9bf50c86c2d7235da"},
		{rep(0x0c, 20), []byte("Test With Truncation"), "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"},
		{rep(0xaa, 80), []byte("Test Using Larger Than Block-Size Key - Hash Key First"), "aa4ae5e15272d00e95705637ce8a3b55ed402112"},
		{rep(0xaa, 80), []byte("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"), "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"},
	}
	eachBase(t, func(t *testing.T, b *base) {
		for i, tc := range cases {
			k := hmacKey(t, b.c, b.prov, tc.key)
			if got := hmacOf(t, b.c, b.prov, k, csp.CALG_SHA1, tc.data); !bytes.Equal(got, unhex(tc.digest)) {
				t.Errorf("case %d: HMAC = %x, want %s", i, got, tc.digest)
			}
			csptest.OK(t, b.c.DestroyKey(k))
		}
	})
}
