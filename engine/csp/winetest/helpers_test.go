//go:build wineapi

package winetest

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/hprov/hprov/engine/csp"
)

// unhex decodes a hex vector; spaces and newlines are ignored, so long vectors can be laid out
// as Wine lays them out.
func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}

// dword decodes a 4-byte little-endian parameter value.
func dword(t testing.TB, b []byte) uint32 {
	t.Helper()
	if len(b) != 4 {
		t.Fatalf("parameter of %d bytes, want a DWORD", len(b))
	}
	return binary.LittleEndian.Uint32(b)
}

// le32 encodes a DWORD parameter value.
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// hashValue returns alg's value over data, computed by c under h.
func hashValue(t testing.TB, c *csp.CSP, h csp.ProvHandle, alg uint32, data []byte) []byte {
	t.Helper()
	hh := must(c.CreateHash(h, alg, 0, 0))(t)
	defer c.DestroyHash(hh)
	ok(t, c.HashData(hh, data, 0))
	return must(c.GetHashParam(hh, csp.HP_HASHVAL, 0))(t)
}

// is2 reports whether err carries one of two codes Windows versions answer alike (where Wine
// accepts either without calling one broken).
func is2(err error, a, b csp.Errno) bool { return errors.Is(err, a) || errors.Is(err, b) }
