package winetest

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/hprov/hprov/engine/csp"
	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// seq returns n bytes counting up from start, wrapping at 256: Wine's "for (i...) pbData[i] = i"
// buffers.
func seq(n int, start byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = start + byte(i)
	}
	return b
}

// bs parses a byte vector written as Wine writes its arrays, "0x07, 0x02, ...": every
// whitespace- or comma-separated field is one byte in hex with a 0x prefix.
func bs(s string) []byte {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
	b := make([]byte, len(f))
	for i, x := range f {
		v, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(x), "0x"), 16, 8)
		if err != nil {
			panic(fmt.Sprintf("bs: field %d %q: %v", i, x, err))
		}
		b[i] = byte(v)
	}
	return b
}

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
	hh := csptest.Must(c.CreateHash(h, alg, 0, 0))(t)
	csptest.OK(t, c.HashData(hh, data, 0))
	v := csptest.Must(c.GetHashParam(hh, csp.HP_HASHVAL, 0))(t)
	csptest.OK(t, c.DestroyHash(hh))
	return v
}
