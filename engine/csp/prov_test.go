package csp

import (
	"encoding/binary"
	"errors"
	"slices"
	"testing"

	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// Contract: GetProvParam's fixed parameters, per provider.
func TestGetProvParam(t *testing.T) {
	c := New()
	u32 := func(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }
	for _, tc := range []struct {
		name     string
		provType uint32
	}{{MS_DEF_PROV, PROV_RSA_FULL}, {MS_STRONG_PROV, PROV_RSA_FULL}, {MS_ENHANCED_PROV, PROV_RSA_FULL}, {MS_ENH_RSA_AES_PROV, PROV_RSA_AES}} {
		h := csptest.Must(c.AcquireContext("", tc.name, tc.provType, CRYPT_VERIFYCONTEXT))(t)
		if got := string(csptest.Must(c.GetProvParam(h, PP_NAME, 0))(t)); got != tc.name+"\x00" {
			t.Errorf("PP_NAME = %q", got)
		}
		if got := u32(csptest.Must(c.GetProvParam(h, PP_PROVTYPE, 0))(t)); got != tc.provType {
			t.Errorf("%s: PP_PROVTYPE = %d", tc.name, got)
		}
		csptest.OK(t, c.ReleaseContext(h, 0))
	}
	def := csptest.Must(c.AcquireContext("", "", PROV_RSA_FULL, CRYPT_VERIFYCONTEXT))(t)
	if got := string(csptest.Must(c.GetProvParam(def, PP_NAME, 0))(t)); got != MS_STRONG_PROV+"\x00" {
		t.Errorf("default PROV_RSA_FULL provider %q", got)
	}
	h := csptest.Must(c.AcquireContext("cont", "", PROV_RSA_AES, CRYPT_NEWKEYSET|CRYPT_MACHINE_KEYSET))(t)
	for _, tc := range []struct {
		param uint32
		want  []byte
	}{
		{PP_CONTAINER, []byte("cont\x00")},
		{PP_UNIQUE_CONTAINER, []byte("cont\x00")},
		{PP_KEYSPEC, dword(AT_KEYEXCHANGE | AT_SIGNATURE)},
		{PP_IMPTYPE, dword(CRYPT_IMPL_SOFTWARE)},
		{PP_VERSION, dword(0x200)},
		{PP_KEYSET_TYPE, dword(CRYPT_MACHINE_KEYSET)},
		{PP_SIG_KEYSIZE_INC, dword(8)},
		{PP_KEYX_KEYSIZE_INC, dword(8)},
	} {
		if got := csptest.Must(c.GetProvParam(h, tc.param, 0))(t); !slices.Equal(got, tc.want) {
			t.Errorf("param %d = %x; want %x", tc.param, got, tc.want)
		}
	}
	if got := csptest.Must(c.GetProvParam(def, PP_CONTAINER, 0))(t); string(got) != "\x00" {
		t.Errorf("verify context PP_CONTAINER %q", got)
	}
	_, err := c.GetProvParam(h, 12345, 0)
	csptest.Is(t, "unknown param", err, NTE_BAD_TYPE)
	_, err = c.GetProvParam(h, PP_NAME, CRYPT_FIRST)
	csptest.Is(t, "CRYPT_FIRST on PP_NAME", err, NTE_BAD_FLAGS)
	_, err = c.GetProvParam(h, PP_ENUMALGS, 0x100)
	csptest.Is(t, "unknown flag", err, NTE_BAD_FLAGS)
	csptest.OK(t, c.ReleaseContext(h, 0))
	csptest.OK(t, c.ReleaseContext(def, 0))
}

// Contract: PP_ENUMALGS and PP_ENUMALGS_EX list the provider's algorithms in Windows' record
// layouts, per context, restarting with CRYPT_FIRST.
func TestEnumAlgs(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	h2 := verifyCtx(t, c)
	enum := func(h ProvHandle, param uint32) (ids []uint32) {
		flags := CRYPT_FIRST
		for {
			b, err := c.GetProvParam(h, param, flags)
			if errors.Is(err, ERROR_NO_MORE_ITEMS) {
				return ids
			}
			csptest.OK(t, err)
			want := 32
			if param == PP_ENUMALGS_EX {
				want = 88
			}
			if len(b) != want {
				t.Fatalf("record of %d bytes, want %d", len(b), want)
			}
			ids = append(ids, binary.LittleEndian.Uint32(b))
			flags = 0
		}
	}
	var want []uint32
	for _, a := range algTables[persAES] {
		want = append(want, a.id)
	}
	if got := enum(h, PP_ENUMALGS); !slices.Equal(got, want) {
		t.Errorf("PP_ENUMALGS: %x; want %x", got, want)
	}
	if got := enum(h, PP_ENUMALGS_EX); !slices.Equal(got, want) {
		t.Errorf("PP_ENUMALGS_EX: %x", got)
	}
	// One record in full: RC4 under the AES provider.
	b := csptest.Must(c.GetProvParam(h2, PP_ENUMALGS_EX, CRYPT_FIRST))(t)
	le := binary.LittleEndian
	if le.Uint32(b) != CALG_RC4 || le.Uint32(b[4:]) != 128 || le.Uint32(b[8:]) != 40 || le.Uint32(b[12:]) != 128 ||
		le.Uint32(b[20:]) != 4 || string(b[24:28]) != "RC4\x00" || le.Uint32(b[44:]) != 24 ||
		string(b[48:72]) != "RSA Data Security's RC4\x00" {
		t.Errorf("PROV_ENUMALGS_EX of RC4: %x", b)
	}
	// Without CRYPT_FIRST a context's first call starts at the first algorithm too, and each
	// context has its own cursor.
	h3 := verifyCtx(t, c)
	if b := csptest.Must(c.GetProvParam(h3, PP_ENUMALGS, 0))(t); le.Uint32(b) != want[0] {
		t.Errorf("first PP_ENUMALGS without CRYPT_FIRST: %x", b)
	}
	if b := csptest.Must(c.GetProvParam(h2, PP_ENUMALGS, 0))(t); le.Uint32(b) != want[1] {
		t.Errorf("second record of h2: %x", b)
	}
	// The base provider lists its own, smaller set.
	base := csptest.Must(c.AcquireContext("", MS_DEF_PROV, PROV_RSA_FULL, CRYPT_VERIFYCONTEXT))(t)
	if got := enum(base, PP_ENUMALGS); len(got) != len(algTables[persBase]) || slices.Contains(got, CALG_3DES) {
		t.Errorf("base provider algorithms %x", got)
	}
	for _, x := range []ProvHandle{h, h2, h3, base} {
		csptest.OK(t, c.ReleaseContext(x, 0))
	}
	if c.sideN.Load() != 0 || c.Len() != 0 {
		t.Fatal("enumeration state outlived its context")
	}
}

// Contract: PP_ENUMCONTAINERS lists the user's or the machine's containers, for MemStore and
// DirStore.
func TestEnumContainers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store func(t *testing.T) Store
	}{
		{"MemStore", func(*testing.T) Store { return MemStore() }},
		{"DirStore", func(t *testing.T) Store { return csptest.Must(DirStore(t.TempDir()))(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := New(WithStore(tc.store(t)))
			for _, n := range []string{"b", "a"} {
				csptest.OK(t, c.ReleaseContext(csptest.Must(c.AcquireContext(n, "", PROV_RSA_AES, CRYPT_NEWKEYSET))(t), 0))
			}
			csptest.OK(t, c.ReleaseContext(csptest.Must(c.AcquireContext("m", "", PROV_RSA_AES, CRYPT_NEWKEYSET|CRYPT_MACHINE_KEYSET))(t), 0))
			h := verifyCtx(t, c)
			defer c.ReleaseContext(h, 0)
			list := func(flags uint32) (names []string) {
				for f := CRYPT_FIRST | flags; ; f = flags {
					b, err := c.GetProvParam(h, PP_ENUMCONTAINERS, f)
					if errors.Is(err, ERROR_NO_MORE_ITEMS) {
						return names
					}
					csptest.OK(t, err)
					names = append(names, string(b[:len(b)-1]))
				}
			}
			if got := list(0); !slices.Equal(got, []string{"a", "b"}) {
				t.Errorf("user containers %q", got)
			}
			if got := list(CRYPT_MACHINE_KEYSET); !slices.Equal(got, []string{"m"}) {
				t.Errorf("machine containers %q", got)
			}
			_, err := c.AcquireContext("a", "", PROV_RSA_AES, CRYPT_DELETEKEYSET)
			csptest.OK(t, err)
			if got := list(0); !slices.Equal(got, []string{"b"}) {
				t.Errorf("after deleting a: %q", got)
			}
		})
	}
}

// Contract: SetProvParam accepts the parameters that configure what the provider does not
// have, and refuses the rest.
func TestSetProvParam(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)
	for _, tc := range []struct {
		name  string
		param uint32
		data  []byte
		flags uint32
		want  Errno
	}{
		{"security descriptor", PP_KEYSET_SEC_DESCR, []byte{1, 0, 4, 0x80}, 4, 0},
		{"window handle", PP_CLIENT_HWND, make([]byte, 8), 0, 0},
		{"window handle of 3 bytes", PP_CLIENT_HWND, make([]byte, 3), 0, NTE_BAD_DATA},
		{"window handle with flags", PP_CLIENT_HWND, make([]byte, 8), 1, NTE_BAD_FLAGS},
		{"hardware RNG", PP_USE_HARDWARE_RNG, nil, 0, NTE_BAD_TYPE},
		{"PP_NAME", PP_NAME, []byte("x"), 0, NTE_BAD_TYPE},
		{"unknown with flags", 12345, nil, 1, NTE_BAD_FLAGS},
	} {
		csptest.Is(t, tc.name, c.SetProvParam(h, tc.param, tc.data, tc.flags), tc.want)
	}
}
