package csp

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"

	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// Contract: the refusals of issue 14's calls that no other test reaches give their documented
// codes.
func TestIssue14Refusals(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)
	des := importKey(t, c, h, CALG_DES, []byte{1, 2, 3, 4, 5, 6, 7, 8}, 0)

	_, err := c.GetKeyParam(des, KP_PADDING, 1)
	csptest.Is(t, "GetKeyParam with flags", err, NTE_BAD_FLAGS)
	pad := csptest.Must(c.GetKeyParam(des, KP_PADDING, 0))(t)
	if len(pad) != 4 || binary.LittleEndian.Uint32(pad) != PKCS5_PADDING {
		t.Errorf("KP_PADDING of a session key = %x; want PKCS5_PADDING", pad)
	}

	// A final block whose last byte is a valid pad length but whose other pad bytes differ.
	ct := csptest.Must(c.Encrypt(des, 0, false, 0, []byte{1, 2, 3, 4, 5, 6, 7, 3}))(t)
	dec := importKey(t, c, h, CALG_DES, []byte{1, 2, 3, 4, 5, 6, 7, 8}, 0)
	_, err = c.Decrypt(dec, 0, true, 0, ct)
	csptest.Is(t, "Decrypt with bad padding bytes", err, NTE_BAD_DATA)

	pair := csptest.Must(c.GenKey(h, AT_KEYEXCHANGE, 1024<<16))(t)
	pub := csptest.Must(c.ImportKey(h, csptest.Must(c.ExportKey(pair, 0, PUBLICKEYBLOB, 0))(t), 0, 0))(t)
	sealed := csptest.Must(c.Encrypt(pub, 0, true, 0, []byte("secret")))(t)
	_, err = c.Decrypt(pub, 0, true, 0, sealed)
	csptest.Is(t, "Decrypt with a public key", err, NTE_BAD_KEY)
	if got := csptest.Must(c.Decrypt(pair, 0, true, 0, sealed))(t); !bytes.Equal(got, []byte("secret")) {
		t.Errorf("the pair decrypts %q", got)
	}

	aes := importKey(t, c, h, CALG_AES_128, bytes.Repeat([]byte{0x0b}, 16), 0)
	mac := csptest.Must(c.CreateHash(h, CALG_HMAC, aes, 0))(t)
	csptest.OK(t, c.HashData(mac, []byte("abc"), 0))
	csptest.Is(t, "VerifySignature of an HMAC", c.VerifySignature(mac, make([]byte, 128), pub, 0), NTE_BAD_ALGID)
}

// Contract: PP_ENUMCONTAINERS has nothing to enumerate with a Store that cannot list its
// names, and reports a DirStore whose directory went away.
func TestEnumContainersStoreRefusals(t *testing.T) {
	c := New(WithStore(plainStore{MemStore()}))
	csptest.OK(t, c.ReleaseContext(csptest.Must(c.AcquireContext("a", "", PROV_RSA_AES, CRYPT_NEWKEYSET))(t), 0))
	h := verifyCtx(t, c)
	defer c.ReleaseContext(h, 0)
	_, err := c.GetProvParam(h, PP_ENUMCONTAINERS, CRYPT_FIRST)
	csptest.Is(t, "a Store that is not a Lister", err, ERROR_NO_MORE_ITEMS)

	dir := t.TempDir()
	d := New(WithStore(csptest.Must(DirStore(dir))(t)))
	dh := verifyCtx(t, d)
	defer d.ReleaseContext(dh, 0)
	csptest.OK(t, os.RemoveAll(dir))
	_, err = d.GetProvParam(dh, PP_ENUMCONTAINERS, CRYPT_FIRST)
	csptest.Is(t, "DirStore without its directory", err, NTE_BAD_KEYSET)
}
