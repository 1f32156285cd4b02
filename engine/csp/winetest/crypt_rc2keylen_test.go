package winetest

import (
	"bytes"
	"testing"

	"github.com/hprov/hprov/engine/csp"
	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// crypt.c test_rc2_keylen, its CRYPT_IPSEC_HMAC_KEY half: a 16-byte CALG_RC2 PLAINTEXTKEYBLOB
// imports with CRYPT_IPSEC_HMAC_KEY in the default PROV_RSA_FULL provider and in the base
// provider, and so does a 2048-byte one ("no apparent limit"). Wine lets Windows 2000 refuse
// CRYPT_IPSEC_HMAC_KEY with NTE_BAD_FLAGS (broken()); the suite follows current Windows. The
// other half, plain RC2 keys and the base provider's 56-bit limit, is left out with RC2.
func TestCryptRC2KeyLenHMAC(t *testing.T) {
	key16 := unhex("bff6834b3ea323dd9678708ea19d3b40")
	eachModel(t, func(t *testing.T, m model) {
		c := m.newCSP()
		for _, tc := range []struct {
			provider string
			key      []byte
		}{
			{"", key16},
			{csp.MS_DEF_PROV, key16},
			{"", key16},
			{"", bytes.Repeat(key16, 2048/16)},
		} {
			t.Run(tc.provider, func(t *testing.T) {
				prov := csptest.Must(c.AcquireContext("", tc.provider, csp.PROV_RSA_FULL, csp.CRYPT_VERIFYCONTEXT))(t)
				k, err := c.ImportKey(prov, plaintextKeyBlob(csp.CALG_RC2, tc.key), 0, csp.CRYPT_IPSEC_HMAC_KEY)
				csptest.Is(t, "ImportKey(CRYPT_IPSEC_HMAC_KEY)", err, csp.Errno(0))
				if err == nil {
					csptest.OK(t, c.DestroyKey(k))
				}
				csptest.Is(t, "ReleaseContext", c.ReleaseContext(prov, 0), csp.Errno(0))
			})
		}
	})
}
