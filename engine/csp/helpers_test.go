package csp

import (
	"crypto/rsa"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/big"
	"sync"
	"testing"

	"github.com/hprov/hprov/engine"
	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// code returns the Errno err carries, or 0.
func code(err error) Errno {
	var e Errno
	if errors.As(err, &e) {
		return e
	}
	return 0
}

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// Shared RSA keys: generating 2048-bit pairs costs ~50 ms each, so the tests that only need
// some pair put these into containers through the Store.
var testKeys = sync.OnceValue(func() [2]*rsa.PrivateKey {
	var k [2]*rsa.PrivateKey
	for i := range k {
		var err error
		if k[i], err = rsa.GenerateKey(nil, rsaBits); err != nil {
			panic(err)
		}
	}
	return k
})

// verifyCtx acquires a PROV_RSA_AES verify context.
func verifyCtx(t testing.TB, c *CSP) ProvHandle {
	t.Helper()
	return csptest.Must(c.AcquireContext("", "", PROV_RSA_AES, CRYPT_VERIFYCONTEXT))(t)
}

// containerWithKeys creates container name holding the shared test keys and opens it.
func containerWithKeys(t testing.TB, c *CSP, name string) ProvHandle {
	t.Helper()
	h := csptest.Must(c.AcquireContext(name, "", PROV_RSA_AES, CRYPT_NEWKEYSET))(t)
	cont := csptest.Must(c.store.Load(name))(t)
	k := testKeys()
	csptest.OK(t, c.store.SetKey(name, cont.ID, AT_KEYEXCHANGE, k[0]))
	csptest.OK(t, c.store.SetKey(name, cont.ID, AT_SIGNATURE, k[1]))
	return h
}

// hashOf creates a hash of alg over data under h.
func hashOf(t testing.TB, c *CSP, h ProvHandle, alg uint32, data string) HashHandle {
	t.Helper()
	hh := csptest.Must(c.CreateHash(h, alg, 0, 0))(t)
	csptest.OK(t, c.HashData(hh, []byte(data), 0))
	return hh
}

// derivedKey returns an AES key derived from SHA-256("password") under h, and its bytes.
func derivedKey(t testing.TB, c *CSP, h ProvHandle, alg uint32) KeyHandle {
	t.Helper()
	hh := hashOf(t, c, h, CALG_SHA_256, "password")
	k := csptest.Must(c.DeriveKey(h, alg, hh, 0))(t)
	csptest.OK(t, c.DestroyHash(hh))
	return k
}

// plaintextBlob builds a PLAINTEXTKEYBLOB by hand (BLOBHEADER, dwKeySize, key), independently
// of ExportKey.
func plaintextBlob(alg uint32, key []byte) []byte {
	b := []byte{byte(PLAINTEXTKEYBLOB), 2, 0, 0}
	b = binary.LittleEndian.AppendUint32(b, alg)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(key)))
	return append(b, key...)
}

// engineHandle is the table handle of context h (context handles are table handles).
func engineHandle(h ProvHandle) engine.Handle { return engine.Handle(h) }

// privateBlob builds the PRIVATEKEYBLOB (CALG_RSA_KEYX) of k by hand, independently of
// ExportKey.
func privateBlob(k *rsa.PrivateKey) []byte {
	n := k.Size()
	b := []byte{byte(PRIVATEKEYBLOB), 2, 0, 0}
	b = binary.LittleEndian.AppendUint32(b, CALG_RSA_KEYX)
	b = append(b, 'R', 'S', 'A', '2')
	b = binary.LittleEndian.AppendUint32(b, uint32(8*n))
	b = binary.LittleEndian.AppendUint32(b, uint32(k.E))
	b = append(b, le(k.N, n)...)
	for _, x := range []*big.Int{k.Primes[0], k.Primes[1], k.Precomputed.Dp, k.Precomputed.Dq, k.Precomputed.Qinv} {
		b = append(b, le(x, n/2)...)
	}
	return append(b, le(k.D, n)...)
}
