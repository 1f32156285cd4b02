package csp_test

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"github.com/hprov/hprov/engine/csp"
)

// Hashing with a verify context: no key container involved.
func Example() {
	c := csp.New()
	h, err := c.AcquireContext("", "", csp.PROV_RSA_AES, csp.CRYPT_VERIFYCONTEXT)
	if err != nil {
		panic(err)
	}
	defer c.ReleaseContext(h, 0)

	hh, _ := c.CreateHash(h, csp.CALG_SHA_256, 0, 0)
	defer c.DestroyHash(hh)
	_ = c.HashData(hh, []byte("abc"), 0)
	sum, _ := c.GetHashParam(hh, csp.HP_HASHVAL, 0)
	fmt.Println(hex.EncodeToString(sum))
	// Output: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
}

// Each ContextAddRef needs one more ReleaseContext; the last one invalidates the context and
// every hash and key created under it.
func ExampleCSP_ReleaseContext() {
	c := csp.New()
	h, _ := c.AcquireContext("", "", csp.PROV_RSA_AES, csp.CRYPT_VERIFYCONTEXT)
	hh, _ := c.CreateHash(h, csp.CALG_SHA1, 0, 0)
	_ = c.ContextAddRef(h, 0)

	fmt.Println(c.ReleaseContext(h, 0)) // one reference left
	fmt.Println(c.HashData(hh, []byte("still usable"), 0))
	fmt.Println(c.ReleaseContext(h, 0)) // the last one

	err := c.HashData(hh, []byte("too late"), 0)
	fmt.Println(errors.Is(err, csp.NTE_BAD_UID))
	err = c.ReleaseContext(h, 0)
	fmt.Println(errors.Is(err, csp.NTE_BAD_UID))
	fmt.Println(c.Len())
	// Output:
	// <nil>
	// <nil>
	// <nil>
	// true
	// true
	// 0
}

// Nonzero flags are an error, but the reference is dropped all the same, as on Windows.
func ExampleCSP_ReleaseContext_flags() {
	c := csp.New()
	h, _ := c.AcquireContext("", "", csp.PROV_RSA_FULL, csp.CRYPT_VERIFYCONTEXT)
	err := c.ReleaseContext(h, 1)
	fmt.Println(errors.Is(err, csp.NTE_BAD_FLAGS), c.Len())
	// Output: true 0
}

// A desktop-Windows port can ask for advapi32's error model.
func ExampleWithAdvapiErrors() {
	c := csp.New(csp.WithAdvapiErrors())
	err := c.ReleaseContext(0, 0)
	var e csp.Errno
	if errors.As(err, &e) {
		fmt.Println(e.Name())
	}
	// Output: ERROR_INVALID_PARAMETER
}

// An AES-256 key derived from a password hash (CryptDeriveKey), encrypting in CBC mode with
// PKCS#7 padding.
func ExampleCSP_DeriveKey() {
	c := csp.New()
	h, _ := c.AcquireContext("", "", csp.PROV_RSA_AES, csp.CRYPT_VERIFYCONTEXT)
	defer c.ReleaseContext(h, 0)
	hh, _ := c.CreateHash(h, csp.CALG_SHA_256, 0, 0)
	_ = c.HashData(hh, []byte("password"), 0)
	k, err := c.DeriveKey(h, csp.CALG_AES_256, hh, 0)
	if err != nil {
		panic(err)
	}
	ct, _ := c.Encrypt(k, 0, true, 0, []byte("attack at dawn"))
	pt, _ := c.Decrypt(k, 0, true, 0, ct)
	fmt.Println(len(ct), string(pt))
	// Output: 16 attack at dawn
}

// Key containers in a directory survive the process; a signature made before a restart
// verifies after it.
func ExampleDirStore() {
	dir, _ := os.MkdirTemp("", "containers")
	defer os.RemoveAll(dir)

	store, _ := csp.DirStore(dir)
	c := csp.New(csp.WithStore(store))
	h, _ := c.AcquireContext("signer", "", csp.PROV_RSA_AES, csp.CRYPT_NEWKEYSET)
	_, _ = c.GenKey(h, csp.AT_SIGNATURE, 0)
	hh, _ := c.CreateHash(h, csp.CALG_SHA_256, 0, 0)
	_ = c.HashData(hh, []byte("contract"), 0)
	sig, _ := c.SignHash(hh, csp.AT_SIGNATURE, 0)
	_ = c.ReleaseContext(h, 0)

	// Later, in another process:
	store, _ = csp.DirStore(dir)
	c = csp.New(csp.WithStore(store))
	h, _ = c.AcquireContext("signer", "", csp.PROV_RSA_AES, 0)
	pub, _ := c.GetUserKey(h, csp.AT_SIGNATURE)
	hh, _ = c.CreateHash(h, csp.CALG_SHA_256, 0, 0)
	_ = c.HashData(hh, []byte("contract"), 0)
	fmt.Println(len(sig), c.VerifySignature(hh, sig, pub, 0))
	// Output: 256 <nil>
}

func ExampleErrno() {
	err := fmt.Errorf("opening container: %w", csp.NTE_BAD_KEYSET)
	fmt.Println(errors.Is(err, csp.NTE_BAD_KEYSET))
	fmt.Println(csp.ERROR_BUSY)
	// Output:
	// true
	// ERROR_BUSY (0xAA): the context is in use by another operation
}

// A session key travels to another provider in a SIMPLEBLOB, encrypted with the receiver's
// key-exchange key, whose public part the sender imported from a PUBLICKEYBLOB: the blobs are
// Windows' own format, so either side could be Windows.
func ExampleCSP_ExportKey() {
	receiver, sender := csp.New(), csp.New()
	hr, _ := receiver.AcquireContext("", "", csp.PROV_RSA_AES, csp.CRYPT_VERIFYCONTEXT)
	hs, _ := sender.AcquireContext("", "", csp.PROV_RSA_AES, csp.CRYPT_VERIFYCONTEXT)
	defer receiver.ReleaseContext(hr, 0)
	defer sender.ReleaseContext(hs, 0)

	exch, _ := receiver.GenKey(hr, csp.AT_KEYEXCHANGE, 0)
	pubBlob, _ := receiver.ExportKey(exch, 0, csp.PUBLICKEYBLOB, 0)
	pub, _ := sender.ImportKey(hs, pubBlob, 0, 0)

	session, _ := sender.GenKey(hs, csp.CALG_AES_256, csp.CRYPT_EXPORTABLE)
	blob, _ := sender.ExportKey(session, pub, csp.SIMPLEBLOB, csp.CRYPT_OAEP)
	ciphertext, _ := sender.Encrypt(session, 0, true, 0, []byte("attack at dawn"))

	key, _ := receiver.ImportKey(hr, blob, exch, csp.CRYPT_OAEP)
	plain, err := receiver.Decrypt(key, 0, true, 0, ciphertext)
	fmt.Printf("%s %v\n", plain, err)

	// Without CRYPT_EXPORTABLE a key's secret stays inside.
	kept, _ := sender.GenKey(hs, csp.CALG_AES_256, 0)
	_, err = sender.ExportKey(kept, pub, csp.SIMPLEBLOB, 0)
	fmt.Println(errors.Is(err, csp.NTE_BAD_KEY_STATE))
	// Output:
	// attack at dawn <nil>
	// true
}

// HashSessionKey hashes a key's bytes as a big-endian number, the reverse of their order in
// the key; DuplicateHash forks a hash in progress.
func ExampleCSP_HashSessionKey() {
	c := csp.New()
	h, _ := c.AcquireContext("", "", csp.PROV_RSA_AES, csp.CRYPT_VERIFYCONTEXT)
	defer c.ReleaseContext(h, 0)

	// A PLAINTEXTKEYBLOB: BLOBHEADER{PLAINTEXTKEYBLOB, 2, 0, CALG_DES}, length 8, key bytes.
	blob := []byte{8, 2, 0, 0, 0x01, 0x66, 0, 0, 8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}
	k, _ := c.ImportKey(h, blob, 0, 0)

	hh, _ := c.CreateHash(h, csp.CALG_MD5, 0, 0)
	_ = c.HashSessionKey(hh, k, 0) // hashes 08 07 06 05 04 03 02 01
	fork, _ := c.DuplicateHash(hh, 0)
	_ = c.HashData(fork, []byte("more"), 0)

	a, _ := c.GetHashParam(hh, csp.HP_HASHVAL, 0)
	b, _ := c.GetHashParam(fork, csp.HP_HASHVAL, 0)
	fmt.Println(hex.EncodeToString(a))
	fmt.Println(hex.EncodeToString(b) != hex.EncodeToString(a))
	// Output:
	// 8a7334bacf760ff26b99fad472ded851
	// true
}

// GetProvParam enumerates what the provider offers, one PROV_ENUMALGS_EX record per call.
func ExampleCSP_GetProvParam() {
	c := csp.New()
	h, _ := c.AcquireContext("", csp.MS_DEF_PROV, csp.PROV_RSA_FULL, csp.CRYPT_VERIFYCONTEXT)
	defer c.ReleaseContext(h, 0)
	name, _ := c.GetProvParam(h, csp.PP_NAME, 0)
	fmt.Printf("%s\n", name[:len(name)-1])
	for flags := csp.CRYPT_FIRST; ; flags = 0 {
		rec, err := c.GetProvParam(h, csp.PP_ENUMALGS_EX, flags)
		if errors.Is(err, csp.ERROR_NO_MORE_ITEMS) {
			break
		}
		// ALG_ID, default, minimum and maximum length, protocols, name length, name[20], ...
		le := func(i int) uint32 { return binary.LittleEndian.Uint32(rec[i:]) }
		n := le(20)
		fmt.Printf("%#x %s %d..%d bits\n", le(0), rec[24:24+n-1], le(8), le(12))
	}
	// Output:
	// Microsoft Base Cryptographic Provider v1.0
	// 0x6801 RC4 40..56 bits
	// 0x6601 DES 56..56 bits
	// 0x8004 SHA-1 160..160 bits
	// 0x8002 MD4 128..128 bits
	// 0x8003 MD5 128..128 bits
	// 0x8008 SSL3 SHAMD5 288..288 bits
	// 0x2400 RSA_SIGN 384..16384 bits
	// 0xa400 RSA_KEYX 384..1024 bits
	// 0x8009 HMAC 0..0 bits
}
