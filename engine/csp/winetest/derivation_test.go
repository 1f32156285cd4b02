package winetest

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"slices"
	"testing"

	"github.com/hprov/hprov/engine/csp"
	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// rsaenh.c test_key_derivation, run as Wine runs it for the enhanced and strong providers
// (PROV_RSA_FULL) and the AES provider (PROV_RSA_AES): each row's hash value, then DeriveKey with flags 0 (or
// NTE_BAD_ALGID for a key the provider does not offer), the key's KP_MODE and Windows'
// ciphertext. For the MD2 rows the suite checks its own MD2 value against Windows' and builds
// the key itself (see md2Key), so they test the cipher and CryptDeriveKey's construction as the
// suite applies it, not csp's DeriveKey.
func TestRsaenhKeyDerivation(t *testing.T) {
	run := func(t *testing.T, b *base) {
		for _, r := range slices.Concat(derivationRows, wineSkippedRows) {
			if r.hash == csp.CALG_SHA_256 && b.provType != csp.PROV_RSA_AES {
				continue
			}
			name := fmt.Sprint(r.row)
			if r.wineSkips {
				name += "-wine-skips"
			}
			t.Run(name, func(t *testing.T) { derivationCase(t, b, r) })
		}
	}
	eachBase(t, func(t *testing.T, b *base) {
		if !b.baseProv() { // START_TEST: if (!BASE_PROV) test_key_derivation(...)
			run(t, b)
		}
	})
	eachAES(t, run)
}

func derivationCase(t *testing.T, b *base, r derivationRow) {
	data := seq(512, byte(r.row))
	bad := slices.Contains(r.bad, b.provType)
	var k csp.KeyHandle
	if r.hash == calgMD2 {
		if got := hex.EncodeToString(md2(data)); got != r.value {
			t.Fatalf("MD2 value %s, want %s", got, r.value)
		}
		if bad {
			return // the check is DeriveKey's, which needs an MD2 hash object
		}
		v := md2(data)
		key := deriveMaterial(md2, v, r.crypt, keyBytes(r.crypt, 0))
		k = csptest.Must(b.c.ImportKey(b.prov, plaintextKeyBlob(r.crypt, key), 0, 0))(t)
	} else {
		hh := csptest.Must(b.c.CreateHash(b.prov, r.hash, 0, 0))(t)
		defer b.c.DestroyHash(hh)
		csptest.Is(t, "HashData", b.c.HashData(hh, data, 0), csp.Errno(0))
		if got := hex.EncodeToString(csptest.Must(b.c.GetHashParam(hh, csp.HP_HASHVAL, 0))(t)); got != r.value {
			t.Errorf("hash value %s, want %s", got, r.value)
		}
		var err error
		k, err = b.c.DeriveKey(b.prov, r.crypt, hh, 0)
		if bad {
			csptest.Is(t, "DeriveKey of an algorithm the provider does not offer", err, csp.NTE_BAD_ALGID)
			return
		}
		csptest.Is(t, "DeriveKey", err, csp.Errno(0))
		if err != nil {
			return
		}
	}
	defer b.c.DestroyKey(k)
	if mode := dword(t, csptest.Must(b.c.GetKeyParam(k, csp.KP_MODE, 0))(t)); mode != r.mode {
		t.Errorf("KP_MODE = %d, want %d", mode, r.mode)
	}
	enc := csptest.Must(b.c.Encrypt(k, 0, true, 0, data[:4]))(t)
	if len(enc) != r.blocklen || !bytes.Equal(enc, unhex(r.enc)) {
		t.Errorf("ciphertext %x, want %s", enc, r.enc)
	}
}
