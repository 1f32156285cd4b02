package winetest

import (
	"testing"

	"github.com/hprov/hprov/engine/csp"
	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// plaintextKeyBlob builds a PLAINTEXTKEYBLOB: BLOBHEADER (bType, bVersion 2, reserved 0,
// aiKeyAlg), the key's length in bytes, the key.
func plaintextKeyBlob(alg uint32, key []byte) []byte {
	b := []byte{byte(csp.PLAINTEXTKEYBLOB), 2, 0, 0}
	b = append(b, le32(alg)...)
	b = append(b, le32(uint32(len(key)))...)
	return append(b, key...)
}

// deriveMaterial is CryptDeriveKey's construction as Windows applies it, for a hash function h
// whose value is v: the key is the first keyLen bytes of v, or, when v is shorter than the
// key or the key is AES or three-key 3DES (and h is not SHA-2, which the callers never pass),
// of csptest.Expand(h, v).
func deriveMaterial(h func([]byte) []byte, v []byte, alg uint32, keyLen int) []byte {
	expand := len(v) < keyLen
	switch alg {
	case csp.CALG_AES_128, csp.CALG_AES_192, csp.CALG_AES_256, csp.CALG_3DES:
		expand = true
	}
	if !expand {
		return v[:keyLen]
	}
	return csptest.Expand(h, v)[:keyLen]
}

// keyBytes is a session key's length in bytes: the algorithm's, or bits/8 when bits is set.
func keyBytes(alg uint32, bits int) int {
	if bits != 0 {
		return bits / 8
	}
	switch alg {
	case csp.CALG_DES:
		return 8
	case csp.CALG_3DES_112, csp.CALG_AES_128, csp.CALG_RC4:
		return 16
	case csp.CALG_3DES, csp.CALG_AES_192:
		return 24
	case csp.CALG_AES_256:
		return 32
	}
	panic("keyBytes: unexpected algorithm")
}

// md2Key is rsaenh.c derive_key: Wine derives alg from the MD2 hash of the 2000 bytes 0, 1, ...
// with the key length bits (0: the default) and CRYPT_EXPORTABLE. csp has no MD2, so the
// suite computes the same key (md2 and deriveMaterial) and imports it as an exportable
// PLAINTEXTKEYBLOB. DES's 56 bits are stored in 8 bytes, as in the DES key Windows derives.
func md2Key(t *testing.T, b *base, alg uint32, bits int) csp.KeyHandle {
	t.Helper()
	n := keyBytes(alg, bits)
	if alg == csp.CALG_DES {
		n = 8
	}
	key := deriveMaterial(md2, md2(seq(2000, 0)), alg, n)
	return csptest.Must(b.c.ImportKey(b.prov, plaintextKeyBlob(alg, key), 0, csp.CRYPT_EXPORTABLE))(t)
}

// TestDeriveMaterialMatchesProvider checks the suite's CryptDeriveKey construction against
// csp's DeriveKey for the hashes csp has, so that md2Key's keys are derived as csp would derive
// them had it MD2: the same key encrypts the same block.
func TestDeriveMaterialMatchesProvider(t *testing.T) {
	eachAES(t, func(t *testing.T, b *base) {
		data := seq(512, 7)
		for _, hashAlg := range []uint32{csp.CALG_MD5, csp.CALG_SHA1} {
			v := hashValue(t, b.c, b.prov, hashAlg, data)
			h := func(in []byte) []byte { return hashValue(t, b.c, b.prov, hashAlg, in) }
			for _, alg := range []uint32{csp.CALG_DES, csp.CALG_3DES_112, csp.CALG_3DES, csp.CALG_AES_128, csp.CALG_AES_192, csp.CALG_AES_256} {
				hh := csptest.Must(b.c.CreateHash(b.prov, hashAlg, 0, 0))(t)
				csptest.OK(t, b.c.HashData(hh, data, 0))
				derived := csptest.Must(b.c.DeriveKey(b.prov, alg, hh, 0))(t)
				csptest.OK(t, b.c.DestroyHash(hh))
				imported := csptest.Must(b.c.ImportKey(b.prov, plaintextKeyBlob(alg, deriveMaterial(h, v, alg, keyBytes(alg, 0))), 0, 0))(t)
				want := csptest.Must(b.c.Encrypt(derived, 0, true, 0, seq(4, 1)))(t)
				if got := csptest.Must(b.c.Encrypt(imported, 0, true, 0, seq(4, 1)))(t); string(got) != string(want) {
					t.Errorf("hash %#x, alg %#x: DeriveKey and the suite's construction give different keys", hashAlg, alg)
				}
				csptest.OK(t, b.c.DestroyKey(derived))
				csptest.OK(t, b.c.DestroyKey(imported))
			}
		}
	})
}
