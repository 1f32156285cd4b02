package winetest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/hprov/hprov/engine/csp"
	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// rsaenh.c test_rc4, first half: a 56-bit RC4 key (from MD2, see md2Key) has no block, IV or
// mode; it encrypts Windows' vector; setting KP_SALT gives the base and strong providers 11
// bytes of salt and leaves the enhanced provider's at 0; KP_SALT_EX takes 0 to 24 bytes (Wine
// tries 0..23 and 25).
func TestRsaenhRC4(t *testing.T) {
	eachBase(t, func(t *testing.T, b *base) {
		k := md2Key(t, b, csp.CALG_RC4, 56)
		for _, p := range []struct {
			param uint32
			want  uint32
		}{{csp.KP_KEYLEN, 56}, {csp.KP_BLOCKLEN, 0}, {csp.KP_MODE, 0}} {
			t.Run(fmt.Sprint("param", p.param), func(t *testing.T) {
				if v := dword(t, csptest.Must(b.c.GetKeyParam(k, p.param, 0))(t)); v != p.want {
					t.Errorf("GetKeyParam(%d) = %d, want %d", p.param, v, p.want)
				}
			})
		}
		_, err := b.c.GetKeyParam(k, csp.KP_SALT, 0)
		csptest.Is(t, "GetKeyParam(KP_SALT) of RC4", err, csp.Errno(0))
		t.Run("KP_IV", func(t *testing.T) {
			iv, err := b.c.GetKeyParam(k, csp.KP_IV, 0)
			csptest.Is(t, "GetKeyParam(KP_IV) of RC4", err, csp.Errno(0))
			if len(iv) != 0 {
				t.Errorf("KP_IV of RC4: %x, want empty", iv)
			}
		})
		data := seq(2000, 0)
		enc := csptest.Must(b.c.Encrypt(k, 0, true, 0, data[:16]))(t)
		if want := unhex("170c448eae90cdb07f87f57aecb22e35"); !bytes.Equal(enc, want) {
			t.Errorf("RC4 ciphertext %x, want %x", enc, want)
		}
		if dec := csptest.Must(b.c.Decrypt(k, 0, true, 0, enc))(t); !bytes.Equal(dec, data[:16]) {
			t.Errorf("RC4 decrypted %x", dec)
		}
		csptest.Is(t, "SetKeyParam(KP_SALT)", b.c.SetKeyParam(k, csp.KP_SALT, data[:11], 0), csp.Errno(0))
		t.Run("KP_SALT", func(t *testing.T) {
			want := 11
			if b.enhanced() {
				want = 0
			}
			if salt := csptest.Must(b.c.GetKeyParam(k, csp.KP_SALT, 0))(t); len(salt) != want {
				t.Errorf("salt length after KP_SALT: %d, want %d", len(salt), want)
			}
		})
		for n := range 24 {
			csptest.Is(t, "SetKeyParam(KP_SALT_EX)", b.c.SetKeyParam(k, csp.KP_SALT_EX, data[:n], 0), csp.Errno(0))
			if salt := csptest.Must(b.c.GetKeyParam(k, csp.KP_SALT, 0))(t); len(salt) != n {
				t.Errorf("salt length after KP_SALT_EX of %d bytes: %d", n, len(salt))
			}
		}
		if err := b.c.SetKeyParam(k, csp.KP_SALT_EX, data[:25], 0); err == nil {
			t.Error("SetKeyParam(KP_SALT_EX) of 25 bytes succeeded")
		}
		csptest.Is(t, "DestroyKey", b.c.DestroyKey(k), csp.Errno(0))
	})
}

// rsaenh.c test_rc4, second half: a 40-bit RC4 key derived from MD5 with CRYPT_CREATE_SALT
// encrypts Windows' vector (one for the enhanced provider, one for the others), has 40 bits,
// and reports 11 bytes of salt, or none in the enhanced provider.
func TestRsaenhRC4SaltFromMD5(t *testing.T) {
	eachBase(t, func(t *testing.T, b *base) {
		hh := csptest.Must(b.c.CreateHash(b.prov, csp.CALG_MD5, 0, 0))(t)
		csptest.OK(t, b.c.HashData(hh, seq(2000, 0), 0))
		k := csptest.Must(b.c.DeriveKey(b.prov, csp.CALG_RC4, hh, 40<<16|csp.CRYPT_CREATE_SALT))(t)
		enc := csptest.Must(b.c.Encrypt(k, 0, true, 0, bytes.Repeat([]byte{0xaf}, 16)))(t)
		if n := dword(t, csptest.Must(b.c.GetKeyParam(k, csp.KP_KEYLEN, 0))(t)); n != 40 {
			t.Errorf("KP_KEYLEN = %d, want 40", n)
		}
		salt := csptest.Must(b.c.GetKeyParam(k, csp.KP_SALT, 0))(t)
		t.Run("salt", func(t *testing.T) {
			want, saltLen := unhex("2faceaeaff687e77f4b9487c4e79a6b5"), 11 // rc4_40_salt_base
			if b.enhanced() {
				want, saltLen = unhex("41e633c950a1bf88124dd3e347886da5"), 0 // rc4_40_salt
			}
			if !bytes.Equal(enc, want) {
				t.Errorf("ciphertext %x, want %x", enc, want)
			}
			if len(salt) != saltLen {
				t.Errorf("KP_SALT = %x, want %d bytes", salt, saltLen)
			}
		})
		csptest.Is(t, "DestroyKey", b.c.DestroyKey(k), csp.Errno(0))
		csptest.Is(t, "DestroyHash", b.c.DestroyHash(hh), csp.Errno(0))
	})
}

// rsaenh.c test_RC4_salt: a generated RC4 key's length (the default: 40 bits in the base
// provider, 128 in the enhanced one) and salt per provider and flags, then a SIMPLEBLOB round
// trip through Wine's 512-bit exchange pair, after which the salt is 11 zero bytes for a 40-bit
// key (the base provider's default included) and empty otherwise: KP_SALT_EX's salt does not
// travel. Rows 4 and 9 are todo_wine in Wine; the suite follows Windows.
func TestRsaenhRC4Salt(t *testing.T) {
	for i, tc := range []rc4SaltRow{
		{csp.MS_DEF_PROV, 0, 0, 11},
		{csp.MS_DEF_PROV, 0, 40, 11},
		{csp.MS_DEF_PROV, csp.CRYPT_NO_SALT, 40, 0},
		{csp.MS_DEF_PROV, 0, 56, 0},
		{csp.MS_DEF_PROV, csp.CRYPT_CREATE_SALT, 56, 11},
		{csp.MS_ENHANCED_PROV, 0, 0, 0},
		{csp.MS_ENHANCED_PROV, 0, 40, 11},
		{csp.MS_ENHANCED_PROV, csp.CRYPT_NO_SALT, 40, 0},
		{csp.MS_ENHANCED_PROV, csp.CRYPT_CREATE_SALT, 40, 0},
		{csp.MS_ENHANCED_PROV, csp.CRYPT_CREATE_SALT, 56, 0},
		{csp.MS_ENHANCED_PROV, csp.CRYPT_CREATE_SALT, 128, 0},
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) { rc4SaltCase(t, tc) })
	}
}

// An rc4SaltRow is a row of Wine's test_RC4_salt: the provider, GenKey's flags and length, and
// the salt length the new key has.
type rc4SaltRow struct {
	prov          string
	flags         uint32
	bits, wantLen int
}

func rc4SaltCase(t *testing.T, tc rc4SaltRow) {
	name, wantLen := tc.prov, tc.wantLen
	eachModel(t, func(t *testing.T, m model) {
		c := m.newCSP()
		prov := csptest.Must(c.AcquireContext("", name, csp.PROV_RSA_FULL, csp.CRYPT_VERIFYCONTEXT))(t)
		k := csptest.Must(c.GenKey(prov, csp.CALG_RC4, uint32(tc.bits)<<16|tc.flags|csp.CRYPT_EXPORTABLE))(t)
		wantBits := tc.bits
		if wantBits == 0 && name == csp.MS_DEF_PROV {
			wantBits = 40
		} else if wantBits == 0 {
			wantBits = 128
		}
		if n := dword(t, csptest.Must(c.GetKeyParam(k, csp.KP_KEYLEN, 0))(t)); int(n) != wantBits {
			t.Errorf("flags %#x bits %d: KP_KEYLEN = %d", tc.flags, tc.bits, n)
		}
		salt := csptest.Must(c.GetKeyParam(k, csp.KP_SALT, 0))(t)
		t.Run("salt", func(t *testing.T) {
			if len(salt) != wantLen {
				t.Errorf("flags %#x bits %d: salt of %d bytes, want %d", tc.flags, tc.bits, len(salt), wantLen)
			}
			if len(salt) > 0 && tc.flags&csp.CRYPT_CREATE_SALT == 0 && !bytes.Equal(salt, make([]byte, len(salt))) {
				t.Errorf("default salt %x, want zeros", salt)
			}
		})
		csptest.Is(t, "SetKeyParam(KP_SALT_EX)", c.SetKeyParam(k, csp.KP_SALT_EX, []byte("0123456789A"), 0), csp.Errno(0))
		pub := csptest.Must(c.ImportKey(prov, publicExchBlob, 0, 0))(t)
		blob := csptest.Must(c.ExportKey(k, pub, csp.SIMPLEBLOB, 0))(t)
		csptest.OK(t, c.DestroyKey(k))
		csptest.OK(t, c.DestroyKey(pub))
		csptest.OK(t, c.ReleaseContext(prov, 0))

		prov = csptest.Must(c.AcquireContext("", name, csp.PROV_RSA_FULL, csp.CRYPT_VERIFYCONTEXT))(t)
		priv := csptest.Must(c.ImportKey(prov, privateExchBlob, 0, 0))(t)
		k = csptest.Must(c.ImportKey(prov, blob, priv, 0))(t)
		want := 0
		if tc.bits == 40 || tc.bits == 0 && name == csp.MS_DEF_PROV {
			want = 11
		}
		salt = csptest.Must(c.GetKeyParam(k, csp.KP_SALT, 0))(t)
		if len(salt) != want || !bytes.Equal(salt, make([]byte, want)) {
			t.Errorf("flags %#x bits %d: imported key's salt %x, want %d zero bytes", tc.flags, tc.bits, salt, want)
		}
		csptest.OK(t, c.ReleaseContext(prov, 0))
	})
}

// rsaenh.c test_RC4_session_key (MS_DEF_PROV): a client generates an RC4 session key (40 bits
// and 11 zero bytes of salt by default), exports it to the server's public key as a SIMPLEBLOB
// and encrypts; the server imports the blob with its private key, has the same salt, and
// decrypts.
func TestRsaenhRC4SessionKey(t *testing.T) {
	hello := []byte("Hello World!")
	eachModel(t, func(t *testing.T, m model) {
		c := m.newCSP()
		prov := csptest.Must(c.AcquireContext("", csp.MS_DEF_PROV, csp.PROV_RSA_FULL, csp.CRYPT_VERIFYCONTEXT))(t)
		k := csptest.Must(c.GenKey(prov, csp.CALG_RC4, csp.CRYPT_EXPORTABLE))(t)
		if salt := csptest.Must(c.GetKeyParam(k, csp.KP_SALT, 0))(t); !bytes.Equal(salt, make([]byte, 11)) {
			t.Errorf("client key's salt %x, want 11 zero bytes", salt)
		}
		pub := csptest.Must(c.ImportKey(prov, publicExchBlob, 0, 0))(t)
		blob := csptest.Must(c.ExportKey(k, pub, csp.SIMPLEBLOB, 0))(t)
		enc := csptest.Must(c.Encrypt(k, 0, true, 0, hello))(t)
		csptest.OK(t, c.ReleaseContext(prov, 0))

		prov = csptest.Must(c.AcquireContext("", csp.MS_DEF_PROV, csp.PROV_RSA_FULL, csp.CRYPT_VERIFYCONTEXT))(t)
		priv := csptest.Must(c.ImportKey(prov, privateExchBlob, 0, 0))(t)
		k = csptest.Must(c.ImportKey(prov, blob, priv, 0))(t)
		if salt := csptest.Must(c.GetKeyParam(k, csp.KP_SALT, 0))(t); !bytes.Equal(salt, make([]byte, 11)) {
			t.Errorf("server key's salt %x, want 11 zero bytes", salt)
		}
		if dec := csptest.Must(c.Decrypt(k, 0, true, 0, enc))(t); !bytes.Equal(dec, hello) {
			t.Errorf("decrypted %q, want %q", dec, hello)
		}
		csptest.OK(t, c.ReleaseContext(prov, 0))
	})
}
