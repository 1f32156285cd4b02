package bench

import (
	"testing"

	"github.com/hprov/hprov/engine/csp"
)

// Benchmarks of the CryptoAPI layer's hot paths (engine/csp). AcquireReleaseContext is the
// one the issue compares with InsertRelease (impl=hprov): a verify context is one engine
// Insert and Release plus the layer's checks. The Parallel variants give each goroutine its
// own context, so they measure how the layer scales, not contention on one slot.

func BenchmarkAcquireReleaseContext(b *testing.B) {
	c := csp.New()
	b.ReportAllocs()
	for b.Loop() {
		h, err := c.AcquireContext("", "", csp.PROV_RSA_AES, csp.CRYPT_VERIFYCONTEXT)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.ReleaseContext(h, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkContextAddRefRelease(b *testing.B) {
	c := csp.New()
	h := cspAcquireVerify(b, c)
	b.ReportAllocs()
	for b.Loop() {
		if err := c.ContextAddRef(h, 0); err != nil {
			b.Fatal(err)
		}
		if err := c.ReleaseContext(h, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// cspHashData is what each hash session hashes.
var cspHashData = make([]byte, 64)

func BenchmarkHashSession(b *testing.B) {
	c := csp.New()
	h := cspAcquireVerify(b, c)
	cspWarmUp(b, c, h)
	b.ReportAllocs()
	for b.Loop() {
		if err := cspHashSession(c, h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParallelAcquireReleaseContext(b *testing.B) {
	c := csp.New()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			h, err := c.AcquireContext("", "", csp.PROV_RSA_AES, csp.CRYPT_VERIFYCONTEXT)
			if err != nil {
				b.Error(err)
				return
			}
			if err := c.ReleaseContext(h, 0); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkParallelContextAddRefRelease(b *testing.B) {
	c := csp.New()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		h, err := c.AcquireContext("", "", csp.PROV_RSA_AES, csp.CRYPT_VERIFYCONTEXT)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.ReleaseContext(h, 0)
		for pb.Next() {
			if err := c.ContextAddRef(h, 0); err != nil {
				b.Error(err)
				return
			}
			if err := c.ReleaseContext(h, 0); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkParallelHashSession(b *testing.B) {
	c := csp.New()
	cspWarmUp(b, c, cspAcquireVerify(b, c))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		h, err := c.AcquireContext("", "", csp.PROV_RSA_AES, csp.CRYPT_VERIFYCONTEXT)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.ReleaseContext(h, 0)
		for pb.Next() {
			if err := cspHashSession(c, h); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func cspAcquireVerify(b *testing.B, c *csp.CSP) csp.ProvHandle {
	b.Helper()
	h, err := c.AcquireContext("", "", csp.PROV_RSA_AES, csp.CRYPT_VERIFYCONTEXT)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.ReleaseContext(h, 0) })
	return h
}

// cspWarmUp runs one hash session so that the provider's one-time allocations (its 1 MiB
// lineage cache, made by the first destroy) are not charged to the first iterations.
func cspWarmUp(b *testing.B, c *csp.CSP, h csp.ProvHandle) {
	b.Helper()
	if err := cspHashSession(c, h); err != nil {
		b.Fatal(err)
	}
}

// cspHashSession creates a SHA-256 hash, hashes 64 bytes, reads the value and destroys the hash.
func cspHashSession(c *csp.CSP, h csp.ProvHandle) error {
	hh, err := c.CreateHash(h, csp.CALG_SHA_256, 0, 0)
	if err != nil {
		return err
	}
	if err := c.HashData(hh, cspHashData, 0); err != nil {
		return err
	}
	if _, err := c.GetHashParam(hh, csp.HP_HASHVAL, 0); err != nil {
		return err
	}
	return c.DestroyHash(hh)
}
