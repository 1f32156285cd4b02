package winetest

import (
	"encoding/hex"
	"testing"
)

// md2 is MD2 (RFC 1319), which csp does not offer and Go does not provide. The suite needs it
// only to rebuild the keys Wine derives from MD2 hashes (see derive_test.go); TestMD2 checks it
// against the RFC's test suite and Wine's own MD2 vector.
func md2(msg []byte) []byte {
	// Pad to a multiple of 16 bytes with n bytes of value n (n = 16 when already aligned).
	n := 16 - len(msg)%16
	m := append(append([]byte(nil), msg...), make([]byte, n)...)
	for i := len(msg); i < len(m); i++ {
		m[i] = byte(n)
	}
	// Append the checksum of the padded message.
	var sum [16]byte
	var l byte
	for i := 0; i < len(m); i += 16 {
		for j := range 16 {
			sum[j] ^= md2S[m[i+j]^l]
			l = sum[j]
		}
	}
	m = append(m, sum[:]...)
	// 18 rounds over a 48-byte state per block.
	var x [48]byte
	for i := 0; i < len(m); i += 16 {
		for j := range 16 {
			x[16+j] = m[i+j]
			x[32+j] = x[16+j] ^ x[j]
		}
		var t byte
		for r := range 18 {
			for k := range x {
				x[k] ^= md2S[t]
				t = x[k]
			}
			t += byte(r)
		}
	}
	return x[:16:16]
}

// md2S is RFC 1319's permutation of 0..255 built from the digits of pi.
var md2S = [256]byte{
	41, 46, 67, 201, 162, 216, 124, 1, 61, 54, 84, 161, 236, 240, 6, 19,
	98, 167, 5, 243, 192, 199, 115, 140, 152, 147, 43, 217, 188, 76, 130, 202,
	30, 155, 87, 60, 253, 212, 224, 22, 103, 66, 111, 24, 138, 23, 229, 18,
	190, 78, 196, 214, 218, 158, 222, 73, 160, 251, 245, 142, 187, 47, 238, 122,
	169, 104, 121, 145, 21, 178, 7, 63, 148, 194, 16, 137, 11, 34, 95, 33,
	128, 127, 93, 154, 90, 144, 50, 39, 53, 62, 204, 231, 191, 247, 151, 3,
	255, 25, 48, 179, 72, 165, 181, 209, 215, 94, 146, 42, 172, 86, 170, 198,
	79, 184, 56, 210, 150, 164, 125, 182, 118, 252, 107, 226, 156, 116, 4, 241,
	69, 157, 112, 89, 100, 113, 135, 32, 134, 91, 207, 101, 230, 45, 168, 2,
	27, 96, 37, 173, 174, 176, 185, 246, 28, 70, 97, 105, 52, 64, 126, 15,
	85, 71, 163, 35, 221, 81, 175, 58, 195, 92, 249, 206, 186, 197, 234, 38,
	44, 83, 13, 110, 133, 40, 132, 9, 211, 223, 205, 244, 65, 129, 77, 82,
	106, 220, 55, 200, 108, 193, 171, 250, 36, 225, 123, 8, 12, 189, 177, 74,
	120, 136, 149, 139, 227, 99, 232, 109, 233, 203, 213, 254, 59, 0, 29, 57,
	242, 239, 183, 14, 102, 88, 208, 228, 166, 119, 114, 248, 235, 117, 75, 10,
	49, 68, 80, 180, 143, 237, 31, 26, 219, 153, 141, 51, 159, 17, 131, 20,
}

func TestMD2(t *testing.T) {
	var seen [256]bool
	for _, v := range md2S {
		seen[v] = true
	}
	for v, ok := range seen {
		if !ok {
			t.Fatalf("md2S is not a permutation: %d missing", v)
		}
	}
	for _, tc := range []struct{ in, want string }{
		// RFC 1319, A.5.
		{"", "8350e5a3e24c153df2275c9f80692773"},
		{"a", "32ec01ec4a6dac72c0ab96fb34c0b5d1"},
		{"abc", "da853b0d3f88d99b30283a69e6ded6bb"},
		{"message digest", "ab4f496bfb2a530b219ff33031fe06b0"},
		{"abcdefghijklmnopqrstuvwxyz", "4e8ddff3650292ab5a4108c3aa47940b"},
		// rsaenh.c test_hashes: MD2 of the bytes 0, 1, ..., 255, 0, ... (2048 of them).
		{string(seq(2048, 0)), "12cb1b08c848a4a9aaf3f19ffc292868"},
	} {
		if got := hex.EncodeToString(md2([]byte(tc.in))); got != tc.want {
			t.Errorf("md2(%.20q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
