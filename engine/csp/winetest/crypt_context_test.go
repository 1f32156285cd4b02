package winetest

import (
	"testing"

	"github.com/hprov/hprov/engine/csp"
	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// Wine's NON_DEF_PROV_TYPE: a provider type no provider is registered for.
const nonDefProvType = 999

// crypt.c init_environment: the container "wine_test_keyset" exists before the tests run.
func withKeySet(t *testing.T, c *csp.CSP) {
	t.Helper()
	csptest.OK(t, c.ReleaseContext(csptest.Must(c.AcquireContext("wine_test_keyset", csp.MS_DEF_PROV, csp.PROV_RSA_FULL, csp.CRYPT_NEWKEYSET))(t), 0))
}

// crypt.c test_CryptReleaseContext: a zero context, an extra reference, nonzero flags (which
// fail but release all the same) and a context used after its last release.
func TestCryptReleaseContext(t *testing.T) {
	eachModel(t, func(t *testing.T, m model) {
		c := m.newCSP()
		withKeySet(t, c)
		csptest.Is(t, "ReleaseContext(0, 0)", c.ReleaseContext(0, 0), m.code(zeroProv))
		// The handle is checked before the flags.
		csptest.Is(t, "ReleaseContext(0, ~0)", c.ReleaseContext(0, ^uint32(0)), m.code(zeroProv))

		prov := csptest.Must(c.AcquireContext("wine_test_keyset", csp.MS_DEF_PROV, csp.PROV_RSA_FULL, 0))(t)
		csptest.Is(t, "ContextAddRef(prov)", c.ContextAddRef(prov, 0), csp.Errno(0))
		csptest.Is(t, "ContextAddRef(0)", c.ContextAddRef(0, 0), m.code(zeroProv))
		csptest.Is(t, "ContextAddRef(0xdeadbeef)", c.ContextAddRef(deadbeef, 0), m.code(forged))
		csptest.Is(t, "ReleaseContext(prov) with two references", c.ReleaseContext(prov, 0), csp.Errno(0))

		// Nonzero flags fail, and release the last reference nonetheless.
		csptest.Is(t, "ReleaseContext(prov, ~0)", c.ReleaseContext(prov, ^uint32(0)), csp.NTE_BAD_FLAGS)
		csptest.Is(t, "ReleaseContext(released, 0)", c.ReleaseContext(prov, 0), m.code(releasedProv))
		csptest.Is(t, "ReleaseContext(released, ~0)", c.ReleaseContext(prov, ^uint32(0)), m.code(releasedProv))
	})
}

// crypt.c test_acquire_context: the errors AcquireContext reports for bad provider types and
// names, in Wine's order, then real acquisitions by the base provider's name (szRsaBaseProv)
// and by an empty name.
func TestCryptAcquireContext(t *testing.T) {
	eachModel(t, func(t *testing.T, m model) {
		c := m.newCSP()
		withKeySet(t, c)
		for _, tc := range []struct {
			what      string
			container string
			provider  string
			provType  uint32
			want      csp.Errno
		}{
			{"type 0", "", "", 0, csp.NTE_BAD_PROV_TYPE},
			{"type 1000", "", "", 1000, csp.NTE_BAD_PROV_TYPE},
			{"an undefined type", "", "", nonDefProvType, csp.NTE_PROV_TYPE_NOT_DEF},
			{"an unknown provider", "wine_test_keyset", "Wine Nonexistent Cryptographic Provider v11.2", csp.PROV_RSA_FULL, csp.NTE_KEYSET_NOT_DEF},
			{"a named provider with another type", "wine_test_keyset", csp.MS_DEF_PROV, nonDefProvType, csp.NTE_PROV_TYPE_NO_MATCH},
			{"the base provider", "wine_test_keyset", csp.MS_DEF_PROV, csp.PROV_RSA_FULL, 0},
			{"an empty provider name", "wine_test_keyset", "", csp.PROV_RSA_FULL, 0},
		} {
			t.Run(tc.what, func(t *testing.T) {
				h, err := c.AcquireContext(tc.container, tc.provider, tc.provType, 0)
				csptest.Is(t, "AcquireContext", err, tc.want)
				if err == nil {
					csptest.OK(t, c.ReleaseContext(h, 0))
				}
			})
		}
	})
}

// crypt.c test_container_sd, without its subject: a machine container is created, released
// and deleted (which returns handle 0). Its security descriptor (PP_KEYSET_SEC_DESCR) is left
// out: csp keeps no access control lists.
func TestCryptContainerSD(t *testing.T) {
	eachModel(t, func(t *testing.T, m model) {
		c := m.newCSP()
		prov, err := c.AcquireContext("winetest", csp.MS_ENHANCED_PROV, csp.PROV_RSA_FULL, csp.CRYPT_MACHINE_KEYSET|csp.CRYPT_NEWKEYSET)
		csptest.Is(t, "AcquireContext(CRYPT_MACHINE_KEYSET|CRYPT_NEWKEYSET)", err, csp.Errno(0))
		csptest.Is(t, "ReleaseContext", c.ReleaseContext(prov, 0), csp.Errno(0))
		prov, err = c.AcquireContext("winetest", csp.MS_ENHANCED_PROV, csp.PROV_RSA_FULL, csp.CRYPT_MACHINE_KEYSET|csp.CRYPT_DELETEKEYSET)
		csptest.Is(t, "AcquireContext(CRYPT_MACHINE_KEYSET|CRYPT_DELETEKEYSET)", err, csp.Errno(0))
		if prov != 0 {
			t.Errorf("CRYPT_DELETEKEYSET returned handle %#x, want 0", prov)
		}
	})
}
