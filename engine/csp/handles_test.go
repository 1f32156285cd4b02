package csp

import (
	"fmt"
	"testing"

	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// fixture is a provider with one handle of every kind in every state.
type fixture struct {
	t    *testing.T
	c    *CSP
	ctx  ProvHandle // live, on a container holding both test key pairs
	key  KeyHandle  // live AES-128 session key
	pub  KeyHandle  // live RSA signature pair
	hash HashHandle // live SHA-256 hash with data

	staleCtx  ProvHandle // released
	staleKey  KeyHandle  // destroyed, context alive
	staleHash HashHandle // destroyed, context alive
	orphKey   KeyHandle  // context released, never destroyed
	orphHash  HashHandle
	deadKey   KeyHandle // destroyed, then its context released
	deadHash  HashHandle
}

func newFixture(t *testing.T, opts ...Option) *fixture {
	t.Helper()
	f := &fixture{t: t, c: New(opts...)}
	c := f.c
	f.ctx = containerWithKeys(t, c, "fixture")
	f.key = derivedKey(t, c, f.ctx, CALG_AES_128)
	f.pub = csptest.Must(c.GetUserKey(f.ctx, AT_SIGNATURE))(t)
	f.hash = hashOf(t, c, f.ctx, CALG_SHA_256, "data")

	f.staleCtx = verifyCtx(t, c)
	csptest.OK(t, c.ReleaseContext(f.staleCtx, 0))
	f.staleKey = derivedKey(t, c, f.ctx, CALG_AES_128)
	f.staleHash = hashOf(t, c, f.ctx, CALG_SHA1, "data")

	o := verifyCtx(t, c)
	f.orphKey = derivedKey(t, c, o, CALG_AES_128)
	f.orphHash = hashOf(t, c, o, CALG_SHA1, "data")
	f.deadKey = derivedKey(t, c, o, CALG_AES_128)
	f.deadHash = hashOf(t, c, o, CALG_SHA1, "data")
	csptest.OK(t, c.DestroyKey(f.deadKey))
	csptest.OK(t, c.DestroyHash(f.deadHash))
	csptest.OK(t, c.ReleaseContext(o, 0))

	csptest.OK(t, c.DestroyKey(f.staleKey))
	csptest.OK(t, c.DestroyHash(f.staleHash))
	return f
}

// retag turns the table handle of an object of kind from into a public handle of kind to: a
// number a careful forger could make, never one the provider issued.
func (f *fixture) retag(h uint64, from, to kind) uint64 {
	return h ^ f.c.masks[from] ^ f.c.masks[to]
}

// A handle argument variant and the code it must give in each argument position.
type variant struct {
	name string
	h    func(f *fixture) uint64
	want [numKinds]Errno // by the kind the argument position expects; 0 = success
}

var (
	invHandle = ERROR_INVALID_HANDLE
	invParam  = ERROR_INVALID_PARAMETER
)

var variants = []variant{
	{"zero", func(f *fixture) uint64 { return 0 }, [numKinds]Errno{NTE_BAD_UID, NTE_BAD_KEY, NTE_BAD_HASH}},
	{"live context", func(f *fixture) uint64 { return uint64(f.ctx) }, [numKinds]Errno{0, invHandle, invHandle}},
	{"live key", func(f *fixture) uint64 { return uint64(f.key) }, [numKinds]Errno{invHandle, 0, invHandle}},
	{"live hash", func(f *fixture) uint64 { return uint64(f.hash) }, [numKinds]Errno{invHandle, invHandle, 0}},
	{"released context", func(f *fixture) uint64 { return uint64(f.staleCtx) }, [numKinds]Errno{NTE_BAD_UID, invHandle, invHandle}},
	{"destroyed key", func(f *fixture) uint64 { return uint64(f.staleKey) }, [numKinds]Errno{invHandle, NTE_BAD_KEY, invHandle}},
	{"destroyed hash", func(f *fixture) uint64 { return uint64(f.staleHash) }, [numKinds]Errno{invHandle, invHandle, NTE_BAD_HASH}},
	{"key of a released context", func(f *fixture) uint64 { return uint64(f.orphKey) }, [numKinds]Errno{invHandle, NTE_BAD_UID, invHandle}},
	{"hash of a released context", func(f *fixture) uint64 { return uint64(f.orphHash) }, [numKinds]Errno{invHandle, invHandle, NTE_BAD_UID}},
	{"key destroyed, then its context released", func(f *fixture) uint64 { return uint64(f.deadKey) }, [numKinds]Errno{invHandle, NTE_BAD_UID, invHandle}},
	{"hash destroyed, then its context released", func(f *fixture) uint64 { return uint64(f.deadHash) }, [numKinds]Errno{invHandle, invHandle, NTE_BAD_UID}},
	{"random number", func(f *fixture) uint64 { return 0x0123456789abcdef }, [numKinds]Errno{invParam, invParam, invParam}},
	{"index out of range", func(f *fixture) uint64 { return uint64(f.ctx) | idxMask }, [numKinds]Errno{invParam, invParam, invParam}},
	{"generation never issued", func(f *fixture) uint64 { return uint64(f.ctx) + 1<<40 }, [numKinds]Errno{invParam, invParam, invParam}},
	{"wrong tag", func(f *fixture) uint64 {
		// A top byte that is no kind's.
		for b := uint64(1); ; b++ {
			h := uint64(f.ctx) ^ b<<tagShift
			if h>>tagShift != uint64(f.ctx)>>tagShift && b<<tagShift != f.c.masks[kindKey] && b<<tagShift != f.c.masks[kindHash] {
				return h
			}
		}
	}, [numKinds]Errno{invParam, invParam, invParam}},
	{"context's table handle retagged as key", func(f *fixture) uint64 { return f.retag(uint64(f.ctx), kindCtx, kindKey) }, [numKinds]Errno{invParam, invParam, invParam}},
	{"key's table handle retagged as context", func(f *fixture) uint64 { return f.retag(uint64(f.key), kindKey, kindCtx) }, [numKinds]Errno{invParam, invParam, invParam}},
	{"hash's table handle retagged as key", func(f *fixture) uint64 { return f.retag(uint64(f.hash), kindHash, kindKey) }, [numKinds]Errno{invParam, invParam, invParam}},
	{"key's table handle retagged as hash", func(f *fixture) uint64 { return f.retag(uint64(f.key), kindKey, kindHash) }, [numKinds]Errno{invParam, invParam, invParam}},
}

// A call with one handle argument under test; the others are valid.
type call struct {
	name     string
	pos      kind
	optional bool // zero means "none" here (Encrypt's and Decrypt's hash)
	// zeroKey: advapi32 passes a zero key here to the provider, which answers NTE_BAD_KEY in
	// both error models (CreateHash's HMAC key).
	zeroKey bool
	do      func(f *fixture, h uint64) error
}

var calls = []call{
	{"ContextAddRef", kindCtx, false, false, func(f *fixture, h uint64) error { return f.c.ContextAddRef(ProvHandle(h), 0) }},
	{"ReleaseContext", kindCtx, false, false, func(f *fixture, h uint64) error { return f.c.ReleaseContext(ProvHandle(h), 0) }},
	{"CreateHash", kindCtx, false, false, func(f *fixture, h uint64) error {
		_, err := f.c.CreateHash(ProvHandle(h), CALG_SHA1, 0, 0)
		return err
	}},
	{"GenKey", kindCtx, false, false, func(f *fixture, h uint64) error { _, err := f.c.GenKey(ProvHandle(h), CALG_AES_256, 0); return err }},
	{"GetUserKey", kindCtx, false, false, func(f *fixture, h uint64) error { _, err := f.c.GetUserKey(ProvHandle(h), AT_SIGNATURE); return err }},
	{"DeriveKey(context)", kindCtx, false, false, func(f *fixture, h uint64) error {
		_, err := f.c.DeriveKey(ProvHandle(h), CALG_AES_128, f.hash, 0)
		return err
	}},
	{"CreateHash(HMAC key)", kindKey, false, true, func(f *fixture, h uint64) error {
		_, err := f.c.CreateHash(f.ctx, CALG_HMAC, KeyHandle(h), 0)
		return err
	}},
	{"Encrypt(key)", kindKey, false, false, func(f *fixture, h uint64) error {
		_, err := f.c.Encrypt(KeyHandle(h), 0, true, 0, []byte("x"))
		return err
	}},
	{"Decrypt(key)", kindKey, false, false, func(f *fixture, h uint64) error {
		_, err := f.c.Decrypt(KeyHandle(h), 0, false, 0, nil)
		return err
	}},
	{"SetKeyParam", kindKey, false, false, func(f *fixture, h uint64) error {
		return f.c.SetKeyParam(KeyHandle(h), KP_IV, make([]byte, 16), 0)
	}},
	{"GetKeyParam", kindKey, false, false, func(f *fixture, h uint64) error { _, err := f.c.GetKeyParam(KeyHandle(h), KP_ALGID, 0); return err }},
	{"VerifySignature(key)", kindKey, false, false, func(f *fixture, h uint64) error {
		sig := csptest.Must(f.c.SignHash(hashOf(f.t, f.c, f.ctx, CALG_SHA_256, "m"), AT_SIGNATURE, 0))(f.t)
		err := f.c.VerifySignature(hashOf(f.t, f.c, f.ctx, CALG_SHA_256, "m"), sig, KeyHandle(h), 0)
		if code(err) == NTE_BAD_KEY && h == uint64(f.key) {
			return nil // a session key is a valid handle that cannot verify
		}
		return err
	}},
	{"DestroyKey", kindKey, false, false, func(f *fixture, h uint64) error { return f.c.DestroyKey(KeyHandle(h)) }},
	{"HashData", kindHash, false, false, func(f *fixture, h uint64) error { return f.c.HashData(HashHandle(h), []byte("x"), 0) }},
	{"GetHashParam", kindHash, false, false, func(f *fixture, h uint64) error {
		_, err := f.c.GetHashParam(HashHandle(h), HP_HASHVAL, 0)
		return err
	}},
	{"SetHashParam", kindHash, false, false, func(f *fixture, h uint64) error {
		err := f.c.SetHashParam(HashHandle(h), HP_HMAC_INFO, HMACInfo(CALG_SHA1), 0)
		if code(err) == NTE_BAD_TYPE && h == uint64(f.hash) {
			return nil // a valid SHA-256 hash that has no HMAC info
		}
		return err
	}},
	{"SignHash", kindHash, false, false, func(f *fixture, h uint64) error { _, err := f.c.SignHash(HashHandle(h), AT_SIGNATURE, 0); return err }},
	{"VerifySignature(hash)", kindHash, false, false, func(f *fixture, h uint64) error {
		sig := csptest.Must(f.c.SignHash(hashOf(f.t, f.c, f.ctx, CALG_SHA_256, "data"), AT_SIGNATURE, 0))(f.t)
		return f.c.VerifySignature(HashHandle(h), sig, f.pub, 0)
	}},
	{"DeriveKey(base)", kindHash, false, false, func(f *fixture, h uint64) error {
		_, err := f.c.DeriveKey(f.ctx, CALG_AES_128, HashHandle(h), 0)
		return err
	}},
	{"Encrypt(hash)", kindHash, true, false, func(f *fixture, h uint64) error {
		_, err := f.c.Encrypt(f.key, HashHandle(h), true, 0, []byte("x"))
		return err
	}},
	{"Decrypt(hash)", kindHash, true, false, func(f *fixture, h uint64) error {
		ct := csptest.Must(f.c.Encrypt(f.key, 0, true, 0, []byte("x")))(f.t)
		_, err := f.c.Decrypt(f.key, HashHandle(h), true, 0, ct)
		return err
	}},
	{"DestroyHash", kindHash, false, false, func(f *fixture, h uint64) error { return f.c.DestroyHash(HashHandle(h)) }},

	// The calls of issue 14.
	{"GenRandom", kindCtx, false, false, func(f *fixture, h uint64) error { return f.c.GenRandom(ProvHandle(h), make([]byte, 8)) }},
	{"GetProvParam", kindCtx, false, false, func(f *fixture, h uint64) error { _, err := f.c.GetProvParam(ProvHandle(h), PP_NAME, 0); return err }},
	{"SetProvParam", kindCtx, false, false, func(f *fixture, h uint64) error {
		return f.c.SetProvParam(ProvHandle(h), PP_KEYSET_SEC_DESCR, nil, 0)
	}},
	{"ImportKey(context)", kindCtx, false, false, func(f *fixture, h uint64) error {
		_, err := f.c.ImportKey(ProvHandle(h), plaintextBlob(CALG_AES_128, make([]byte, 16)), 0, 0)
		return err
	}},
	{"ImportKey(impKey)", kindKey, true, false, func(f *fixture, h uint64) error {
		_, err := f.c.ImportKey(f.ctx, plaintextBlob(CALG_AES_128, make([]byte, 16)), KeyHandle(h), 0)
		if code(err) == NTE_BAD_KEY && h == uint64(f.key) {
			return nil // a valid key that a PLAINTEXTKEYBLOB does not take
		}
		return err
	}},
	{"ExportKey(key)", kindKey, false, false, func(f *fixture, h uint64) error {
		_, err := f.c.ExportKey(KeyHandle(h), 0, PLAINTEXTKEYBLOB, 0)
		if code(err) == NTE_BAD_KEY_STATE && h == uint64(f.key) {
			return nil // a valid key that is not exportable
		}
		return err
	}},
	{"ExportKey(expKey)", kindKey, true, false, func(f *fixture, h uint64) error {
		_, err := f.c.ExportKey(f.pub, KeyHandle(h), PUBLICKEYBLOB, 0)
		if code(err) == NTE_BAD_KEY && h == uint64(f.key) {
			return nil // a valid key that a PUBLICKEYBLOB does not take
		}
		return err
	}},
	{"DuplicateKey", kindKey, false, false, func(f *fixture, h uint64) error { _, err := f.c.DuplicateKey(KeyHandle(h), 0); return err }},
	{"DuplicateHash", kindHash, false, false, func(f *fixture, h uint64) error { _, err := f.c.DuplicateHash(HashHandle(h), 0); return err }},
	{"HashSessionKey(hash)", kindHash, false, false, func(f *fixture, h uint64) error {
		return f.c.HashSessionKey(HashHandle(h), f.key, 0)
	}},
	{"HashSessionKey(key)", kindKey, false, false, func(f *fixture, h uint64) error {
		return f.c.HashSessionKey(f.hash, KeyHandle(h), 0)
	}},
}

// Every call, with every kind of handle in every state in each handle position, gives the code
// of the contract, in the provider's model and in advapi32's; a failed call changes nothing
// (the fixture's live handles still work).
func TestHandleErrors(t *testing.T) {
	for _, model := range []struct {
		name string
		opts []Option
	}{{"provider", nil}, {"advapi", []Option{WithAdvapiErrors()}}} {
		t.Run(model.name, func(t *testing.T) {
			for _, cl := range calls {
				t.Run(cl.name, func(t *testing.T) {
					// Failed calls change nothing (checkLive), so the error cases share one
					// fixture; a call that must succeed gets its own.
					shared := newFixture(t, model.opts...)
					for _, v := range variants {
						want := v.want[cl.pos]
						if cl.optional && v.name == "zero" {
							want = 0
						}
						zeroKey := cl.zeroKey && v.name == "zero"
						if model.opts != nil && want != 0 && !zeroKey {
							want = ERROR_INVALID_PARAMETER
						}
						f := shared
						if want == 0 {
							f = newFixture(t, model.opts...)
						}
						err := cl.do(f, v.h(f))
						csptest.Is(t, fmt.Sprintf("%s(%s)", cl.name, v.name), err, want)
						if want != 0 {
							f.checkLive(t)
						}
					}
				})
			}
		})
	}
}

// checkLive fails if one of the fixture's live handles stopped working.
func (f *fixture) checkLive(t *testing.T) {
	t.Helper()
	c := f.c
	if err := c.ContextAddRef(f.ctx, 0); err != nil {
		t.Errorf("context: %v", err)
	} else {
		csptest.OK(t, c.ReleaseContext(f.ctx, 0))
	}
	if _, err := c.GetKeyParam(f.key, KP_ALGID, 0); err != nil {
		t.Errorf("key: %v", err)
	}
	if _, err := c.GetKeyParam(f.pub, KP_ALGID, 0); err != nil {
		t.Errorf("key pair: %v", err)
	}
	if _, err := c.GetHashParam(f.hash, HP_ALGID, 0); err != nil {
		t.Errorf("hash: %v", err)
	}
}
