package winetest

import (
	"fmt"
	"strconv"
	"strings"
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
