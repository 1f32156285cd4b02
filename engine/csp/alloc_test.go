package csp

import (
	"testing"
)

// Contract: the hot path allocates only what the algorithm itself must: nothing for a verify
// context's acquire and release (the provider named or not) or for AddRef and release; for a
// hash session the hash object, the hash.Hash and the returned value.
func TestHotPathAllocs(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	c := New()
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)
	data := make([]byte, 64)
	acquireRelease := func(provider string, provType uint32) func() {
		return func() {
			v, err := c.AcquireContext("", provider, provType, CRYPT_VERIFYCONTEXT)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.ReleaseContext(v, 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name string
		max  float64
		f    func()
	}{
		{"AcquireContext(CRYPT_VERIFYCONTEXT)+ReleaseContext", 0, acquireRelease("", PROV_RSA_AES)},
		{"AcquireContext(CRYPT_VERIFYCONTEXT, a provider named in other case)+ReleaseContext", 0,
			acquireRelease("microsoft enhanced cryptographic provider v1.0", PROV_RSA_FULL)},
		{"ContextAddRef+ReleaseContext", 0, func() {
			if err := c.ContextAddRef(h, 0); err != nil {
				t.Fatal(err)
			}
			if err := c.ReleaseContext(h, 0); err != nil {
				t.Fatal(err)
			}
		}},
		{"hash session", 3, func() {
			hh, err := c.CreateHash(h, CALG_SHA_256, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			_ = c.HashData(hh, data, 0)
			if _, err := c.GetHashParam(hh, HP_HASHVAL, 0); err != nil {
				t.Fatal(err)
			}
			if err := c.DestroyHash(hh); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		got := testing.AllocsPerRun(1000, tc.f)
		t.Logf("%s: %v allocations", tc.name, got)
		if got > tc.max {
			t.Errorf("%s: %v allocations per run; want at most %v", tc.name, got, tc.max)
		}
	}
}
