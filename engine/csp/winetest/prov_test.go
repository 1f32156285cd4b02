package winetest

import (
	"bytes"
	"testing"

	"github.com/hprov/hprov/engine/csp"
	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// rsaenh.c test_prov: RSA key lengths go in steps of 8 bits, for both key specs.
func TestRsaenhProv(t *testing.T) {
	eachBase(t, func(t *testing.T, b *base) {
		for _, p := range []uint32{csp.PP_SIG_KEYSIZE_INC, csp.PP_KEYX_KEYSIZE_INC} {
			if v := dword(t, csptest.Must(b.c.GetProvParam(b.prov, p, 0))(t)); v != 8 {
				t.Errorf("GetProvParam(%d) = %d, want 8", p, v)
			}
		}
	})
}

// rsaenh.c test_gen_random: two 16-byte draws differ.
func TestRsaenhGenRandom(t *testing.T) {
	eachBase(t, func(t *testing.T, b *base) {
		r1, r2 := make([]byte, 16), make([]byte, 16)
		csptest.Is(t, "GenRandom", b.c.GenRandom(b.prov, r1), csp.Errno(0))
		csptest.Is(t, "GenRandom", b.c.GenRandom(b.prov, r2), csp.Errno(0))
		if bytes.Equal(r1, r2) {
			t.Error("GenRandom gave the same 16 bytes twice")
		}
	})
}

// rsaenh.c test_enum_container: PP_ENUMCONTAINERS with CRYPT_FIRST, then without, lists the
// open container and ends with ERROR_NO_MORE_ITEMS. Wine's size query with a NULL buffer
// (MAX_PATH + 1) is CryptoAPI's buffer protocol, which csp's API does not have.
func TestRsaenhEnumContainer(t *testing.T) {
	eachBase(t, func(t *testing.T, b *base) {
		found := false
		name, err := b.c.GetProvParam(b.prov, csp.PP_ENUMCONTAINERS, csp.CRYPT_FIRST)
		// The provider holds one container; a few more rounds than that prove the end is reached.
		for n := 0; err == nil; name, err = b.c.GetProvParam(b.prov, csp.PP_ENUMCONTAINERS, 0) {
			if string(bytes.TrimRight(name, "\x00")) == container {
				found = true
			}
			if n++; n > 10 {
				t.Fatal("PP_ENUMCONTAINERS does not end")
			}
		}
		csptest.Is(t, "PP_ENUMCONTAINERS past the end", err, csp.ERROR_NO_MORE_ITEMS)
		if !found {
			t.Errorf("PP_ENUMCONTAINERS did not list %q", container)
		}
	})
}
