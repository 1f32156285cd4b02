package winetest

import (
	"fmt"
	"testing"

	"github.com/hprov/hprov/engine/csp"
	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// nullProv is rsaenh.c test_null_provider's state: the provider under test with a NULL
// provider name, that is PROV_RSA_FULL's default provider.
type nullProv struct {
	t *testing.T
	m model
	c *csp.CSP
}

func (n nullProv) acquire(name string, flags uint32, want csp.Errno) csp.ProvHandle {
	n.t.Helper()
	h, err := n.c.AcquireContext(name, "", csp.PROV_RSA_FULL, flags)
	csptest.Is(n.t, "AcquireContext("+name+")", err, want)
	return h
}

// userKeys checks which of the context's pairs GetUserKey finds (NTE_NO_KEY for the others).
func (n nullProv) userKeys(prov csp.ProvHandle, kx, sig bool) {
	n.t.Helper()
	for _, tc := range []struct {
		spec uint32
		has  bool
	}{{csp.AT_KEYEXCHANGE, kx}, {csp.AT_SIGNATURE, sig}} {
		k, err := n.c.GetUserKey(prov, tc.spec)
		if !tc.has {
			csptest.Is(n.t, "GetUserKey of a missing pair", err, csp.NTE_NO_KEY)
			continue
		}
		csptest.Is(n.t, "GetUserKey", err, csp.Errno(0))
		if err == nil {
			csptest.OK(n.t, n.c.DestroyKey(k))
		}
	}
}

// rsaenh.c test_null_provider, part 1: containers that do not exist; the default container
// (an empty name) after its deletion; a verify context, which has PP_KEYSPEC
// AT_KEYEXCHANGE|AT_SIGNATURE but no pairs; a new default container without pairs. Wine's calls
// with a NULL phProv have no Go counterpart; their expected codes are those of the same calls
// with it (NTE_BAD_PROV_TYPE for type 0, NTE_BAD_KEYSET for a missing container).
func TestRsaenhNullProviderContainers(t *testing.T) {
	eachModel(t, func(t *testing.T, m model) {
		n := nullProv{t, m, m.newCSP()}
		_, err := n.c.AcquireContext(container, "", 0, 0)
		csptest.Is(t, "AcquireContext(type 0)", err, csp.NTE_BAD_PROV_TYPE)
		n.acquire(container, 0, csp.NTE_BAD_KEYSET)
		n.acquire(container, csp.CRYPT_DELETEKEYSET, csp.NTE_BAD_KEYSET)

		_, _ = n.c.AcquireContext("", "", csp.PROV_RSA_FULL, csp.CRYPT_DELETEKEYSET)
		n.acquire("", 0, csp.NTE_BAD_KEYSET)
		prov := n.acquire("", csp.CRYPT_VERIFYCONTEXT, 0)
		if spec := dword(t, csptest.Must(n.c.GetProvParam(prov, csp.PP_KEYSPEC, 0))(t)); spec != csp.AT_KEYEXCHANGE|csp.AT_SIGNATURE {
			t.Errorf("PP_KEYSPEC = %#x, want AT_KEYEXCHANGE|AT_SIGNATURE", spec)
		}
		n.userKeys(prov, false, false)
		csptest.OK(t, n.c.ReleaseContext(prov, 0))
		prov = n.acquire("", csp.CRYPT_NEWKEYSET, 0)
		n.userKeys(prov, false, false)
		csptest.OK(t, n.c.ReleaseContext(prov, 0))
		n.acquire("", csp.CRYPT_DELETEKEYSET, 0)
	})
}

// rsaenh.c test_null_provider, part 2: a named container cannot be a verify context; a new one
// answers the provider parameters (PP_PROVTYPE, PP_KEYSET_TYPE, PP_KEYSTORAGE, PP_KEYSPEC,
// PP_CONTAINER, PP_UNIQUE_CONTAINER: Windows' unique name, todo_wine in Wine, derives from the
// machine's GUID in the registry, so only success is checked) and has no pairs until a
// private key blob is imported: a key exchange blob gives only AT_KEYEXCHANGE, a signature
// blob only AT_SIGNATURE.
func TestRsaenhNullProviderParams(t *testing.T) {
	eachModel(t, func(t *testing.T, m model) {
		n := nullProv{t, m, m.newCSP()}
		n.acquire(container, 0, csp.NTE_BAD_KEYSET)
		n.acquire(container, csp.CRYPT_VERIFYCONTEXT, csp.NTE_BAD_FLAGS)
		prov := n.acquire(container, csp.CRYPT_NEWKEYSET, 0)
		for _, p := range []struct {
			param, want, mask uint32
		}{
			{csp.PP_PROVTYPE, csp.PROV_RSA_FULL, ^uint32(0)},
			{csp.PP_KEYSET_TYPE, 0, ^uint32(0)},
			{csp.PP_KEYSTORAGE, csp.CRYPT_SEC_DESCR, csp.CRYPT_SEC_DESCR},
			{csp.PP_KEYSPEC, csp.AT_KEYEXCHANGE | csp.AT_SIGNATURE, ^uint32(0)},
		} {
			t.Run(fmt.Sprint("param", p.param), func(t *testing.T) {
				if v := dword(t, csptest.Must(n.c.GetProvParam(prov, p.param, 0))(t)); v&p.mask != p.want {
					t.Errorf("GetProvParam(%d) = %#x, want %#x (mask %#x)", p.param, v, p.want, p.mask)
				}
			})
		}
		if name := csptest.Must(n.c.GetProvParam(prov, csp.PP_CONTAINER, 0))(t); string(name) != container+"\x00" {
			t.Errorf("PP_CONTAINER = %q, want %q with its NUL", name, container)
		}
		_, err := n.c.GetProvParam(prov, csp.PP_UNIQUE_CONTAINER, 0)
		csptest.Is(t, "PP_UNIQUE_CONTAINER", err, csp.Errno(0))
		n.userKeys(prov, false, false)
		csptest.OK(t, n.c.DestroyKey(csptest.Must(n.c.ImportKey(prov, plainPrivateKey, 0, 0))(t)))
		n.userKeys(prov, true, false)
		csptest.OK(t, n.c.ReleaseContext(prov, 0))
		n.acquire(container, csp.CRYPT_DELETEKEYSET, 0)

		prov = n.acquire(container, csp.CRYPT_NEWKEYSET, 0)
		csptest.OK(t, n.c.DestroyKey(csptest.Must(n.c.ImportKey(prov, signBlob, 0, 0))(t)))
		n.userKeys(prov, false, true)
		csptest.OK(t, n.c.ReleaseContext(prov, 0))
		n.acquire(container, csp.CRYPT_DELETEKEYSET, 0)
	})
}

// rsaenh.c test_null_provider, part 3: GenKey(CALG_RSA_SIGN) makes the signature pair,
// GenKey(CALG_RSA_KEYX) the key exchange pair, and a pair generated in one context is there
// for the next; Wine asks for the default length, the suite for 1024 bits (see
// TestRsaenhRSARoundTrip). Then the machine's key sets: a container created with
// CRYPT_MACHINE_KEYSET opens and deletes with it, and is gone after.
func TestRsaenhNullProviderGenKey(t *testing.T) {
	eachModel(t, func(t *testing.T, m model) {
		n := nullProv{t, m, m.newCSP()}
		for _, tc := range []struct {
			alg     uint32
			kx, sig bool
		}{{csp.CALG_RSA_SIGN, false, true}, {csp.CALG_RSA_KEYX, true, false}} {
			prov := n.acquire(container, csp.CRYPT_NEWKEYSET, 0)
			csptest.OK(t, n.c.DestroyKey(csptest.Must(n.c.GenKey(prov, tc.alg, 1024<<16))(t)))
			n.userKeys(prov, tc.kx, tc.sig)
			csptest.OK(t, n.c.ReleaseContext(prov, 0))
			n.acquire(container, csp.CRYPT_DELETEKEYSET, 0)
		}
		prov := n.acquire(container, csp.CRYPT_NEWKEYSET, 0)
		csptest.OK(t, n.c.DestroyKey(csptest.Must(n.c.GenKey(prov, csp.AT_KEYEXCHANGE, 1024<<16))(t)))
		csptest.OK(t, n.c.ReleaseContext(prov, 0))
		prov = n.acquire(container, 0, 0)
		n.userKeys(prov, true, false)
		csptest.OK(t, n.c.ReleaseContext(prov, 0))
		n.acquire(container, csp.CRYPT_DELETEKEYSET, 0)

		_, _ = n.c.AcquireContext(container, "", csp.PROV_RSA_FULL, csp.CRYPT_DELETEKEYSET|csp.CRYPT_MACHINE_KEYSET)
		csptest.OK(t, n.c.ReleaseContext(n.acquire(container, csp.CRYPT_NEWKEYSET|csp.CRYPT_MACHINE_KEYSET, 0), 0))
		csptest.OK(t, n.c.ReleaseContext(n.acquire(container, csp.CRYPT_MACHINE_KEYSET, 0), 0))
		n.acquire(container, csp.CRYPT_DELETEKEYSET|csp.CRYPT_MACHINE_KEYSET, 0)
		n.acquire(container, csp.CRYPT_MACHINE_KEYSET, csp.NTE_BAD_KEYSET)
	})
}
