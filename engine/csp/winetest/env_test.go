package winetest

import (
	"testing"

	"github.com/hprov/hprov/engine/csp"
	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// A base is rsaenh.c's test environment: a provider and a context hProv on the container
// "winetest", which holds a key exchange pair and a signature pair.
type base struct {
	m        model
	c        *csp.CSP
	prov     csp.ProvHandle
	name     string // the provider's name, Wine's szProvider ("" for the AES provider)
	provType uint32
}

// enhanced and baseProv are Wine's ENHANCED_PROV and BASE_PROV.
func (b *base) enhanced() bool { return b.name == csp.MS_ENHANCED_PROV }
func (b *base) baseProv() bool { return b.name == csp.MS_DEF_PROV }

// verifyCtx acquires a verify context of b's provider, as Wine's tests do with szProvider.
func (b *base) verifyCtx(t *testing.T) csp.ProvHandle {
	t.Helper()
	return csptest.Must(b.c.AcquireContext("", b.name, b.provType, csp.CRYPT_VERIFYCONTEXT))(t)
}

// rsaFullProviders are rsaenh.c szProviders: START_TEST runs most tests once per provider.
var rsaFullProviders = []string{csp.MS_ENHANCED_PROV, csp.MS_DEF_PROV, csp.MS_STRONG_PROV}

const container = "winetest" // rsaenh.c szContainer

// newBase is rsaenh.c init_base_environment (provType PROV_RSA_FULL, with the provider named
// name) and init_aes_environment (PROV_RSA_AES, name "") with their checks: a verify context
// cannot name a container, the container does not exist yet, and the new container gets both
// key pairs. Windows generates them; the suite imports Wine's 1024-bit pairs instead
// (abPlainPrivateKey and priv_key_with_high_bit), which is as fast under -race as without
// (TestRsaenhInitBaseEnvironmentGenKey generates them). keyFlags is Wine's dwKeyFlags (0 or
// CRYPT_EXPORTABLE). The environment is cleaned up when t ends.
func newBase(t *testing.T, m model, name string, provType, keyFlags uint32) *base {
	t.Helper()
	c := m.newCSP()
	_, err := c.AcquireContext(container, name, provType, csp.CRYPT_VERIFYCONTEXT)
	csptest.Is(t, "AcquireContext(container, CRYPT_VERIFYCONTEXT)", err, csp.NTE_BAD_FLAGS)
	_, err = c.AcquireContext(container, name, provType, 0)
	csptest.Is(t, "AcquireContext(missing container)", err, csp.NTE_BAD_KEYSET)
	prov := csptest.Must(c.AcquireContext(container, name, provType, csp.CRYPT_NEWKEYSET))(t)
	for _, blob := range [][]byte{plainPrivateKey, privKeyWithHighBit} {
		k := csptest.Must(c.ImportKey(prov, blob, 0, keyFlags))(t)
		csptest.OK(t, c.DestroyKey(k))
	}
	b := &base{m: m, c: c, prov: prov, name: name, provType: provType}
	t.Cleanup(func() { b.cleanUp(t) })
	return b
}

// cleanUp is rsaenh.c clean_up_base_environment: a release with flags fails with
// NTE_BAD_FLAGS but releases the context all the same (Win98 did too), and the container is
// deleted.
func (b *base) cleanUp(t *testing.T) {
	csptest.Is(t, "ReleaseContext(hProv, 1)", b.c.ReleaseContext(b.prov, 1), csp.NTE_BAD_FLAGS)
	csptest.Is(t, "ReleaseContext(hProv, 0) after it", b.c.ReleaseContext(b.prov, 0), b.m.code(releasedProv))
	_, err := b.c.AcquireContext(container, b.name, b.provType, csp.CRYPT_DELETEKEYSET)
	csptest.Is(t, "AcquireContext(CRYPT_DELETEKEYSET)", err, csp.Errno(0))
}

// eachBase runs f per PROV_RSA_FULL provider of rsaFullProviders and per error model, on a
// fresh base environment, as START_TEST runs its loop. f may return early for the providers a
// Wine test skips.
func eachBase(t *testing.T, f func(t *testing.T, b *base)) {
	t.Helper()
	for _, name := range rsaFullProviders {
		t.Run(name, func(t *testing.T) {
			eachModel(t, func(t *testing.T, m model) { f(t, newBase(t, m, name, csp.PROV_RSA_FULL, 0)) })
		})
	}
}

// eachAES runs f per error model on a fresh PROV_RSA_AES environment (init_aes_environment,
// which names no provider).
func eachAES(t *testing.T, f func(t *testing.T, b *base)) {
	t.Helper()
	eachModel(t, func(t *testing.T, m model) { f(t, newBase(t, m, "", csp.PROV_RSA_AES, 0)) })
}

// rsaenh.c init_aes_environment: CALG_AES (no length) is not a key algorithm, whatever length
// the flags ask for; CALG_AES_128 is.
func TestRsaenhInitAESEnvironment(t *testing.T) {
	eachAES(t, func(t *testing.T, b *base) {
		t.Run("CALG_AES", func(t *testing.T) {
			_, err := b.c.GenKey(b.prov, csp.CALG_AES, 0)
			csptest.Is(t, "GenKey(CALG_AES)", err, csp.NTE_BAD_ALGID)
			_, err = b.c.GenKey(b.prov, csp.CALG_AES, 128<<16)
			csptest.Is(t, "GenKey(CALG_AES, 128 bits)", err, csp.NTE_BAD_ALGID)
		})
		// The container's pairs, generated (1024 bits: see TestRsaenhInitBaseEnvironmentGenKey).
		for _, spec := range []uint32{csp.AT_KEYEXCHANGE, csp.AT_SIGNATURE} {
			k, err := b.c.GenKey(b.prov, spec, 1024<<16)
			csptest.Is(t, "GenKey(key pair)", err, csp.Errno(0))
			if err == nil {
				csptest.OK(t, b.c.DestroyKey(k))
			}
		}
		k, err := b.c.GenKey(b.prov, csp.CALG_AES_128, 0)
		csptest.Is(t, "GenKey(CALG_AES_128)", err, csp.Errno(0))
		if err == nil {
			csptest.OK(t, b.c.DestroyKey(k))
		}
	})
}

// rsaenh.c init_base_environment as Wine runs it, once per PROV_RSA_FULL provider: the
// container's pairs are generated (1024 bits, the enhanced provider's default; csp's 2048 cost
// seconds under -race) and have that length.
func TestRsaenhInitBaseEnvironmentGenKey(t *testing.T) {
	for _, name := range rsaFullProviders {
		t.Run(name, func(t *testing.T) {
			eachModel(t, func(t *testing.T, m model) {
				c := m.newCSP()
				_, err := c.AcquireContext(container, name, csp.PROV_RSA_FULL, csp.CRYPT_VERIFYCONTEXT)
				csptest.Is(t, "AcquireContext(container, CRYPT_VERIFYCONTEXT)", err, csp.NTE_BAD_FLAGS)
				_, err = c.AcquireContext(container, name, csp.PROV_RSA_FULL, 0)
				csptest.Is(t, "AcquireContext(missing container)", err, csp.NTE_BAD_KEYSET)
				prov := csptest.Must(c.AcquireContext(container, name, csp.PROV_RSA_FULL, csp.CRYPT_NEWKEYSET))(t)
				for _, spec := range []uint32{csp.AT_KEYEXCHANGE, csp.AT_SIGNATURE} {
					k, err := c.GenKey(prov, spec, 1024<<16)
					csptest.Is(t, "GenKey", err, csp.Errno(0))
					if err != nil {
						continue
					}
					csptest.OK(t, c.DestroyKey(k))
					u := csptest.Must(c.GetUserKey(prov, spec))(t)
					if n := dword(t, csptest.Must(c.GetKeyParam(u, csp.KP_KEYLEN, 0))(t)); n != 1024 {
						t.Errorf("KP_KEYLEN = %d, want 1024", n)
					}
					csptest.OK(t, c.DestroyKey(u))
				}
				csptest.OK(t, c.ReleaseContext(prov, 0))
			})
		})
	}
}
