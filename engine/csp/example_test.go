package csp_test

import (
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
