package winetest

import (
	"testing"

	"github.com/hprov/hprov/engine/csp"
	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// crypt.c test_incorrect_api_usage: every call on zero and forged handles, on destroyed keys
// and hashes, and on a context released with its keys and hashes (the "Uru - Ages beyond Myst
// Demo" installer destroys a hash after releasing its context; Windows answers
// ERROR_INVALID_PARAMETER, the provider NTE_BAD_UID). The checks are in Wine's order. Wine
// accepts ERROR_CALL_NOT_IMPLEMENTED from SignHash and VerifySignature too (for systems
// without the W calls); the suite asks for the bad-handle code.
func TestCryptIncorrectAPIUsage(t *testing.T) {
	eachModel(t, func(t *testing.T, m model) {
		c := m.newCSP()
		one := []byte{0}
		prov := csptest.Must(c.AcquireContext("wine_test_bad_keyset", csp.MS_DEF_PROV, csp.PROV_RSA_FULL, csp.CRYPT_NEWKEYSET))(t)
		hash := csptest.Must(c.CreateHash(prov, csp.CALG_SHA, 0, 0))(t)

		_, err := c.DeriveKey(0, csp.CALG_RC4, hash, 0)
		csptest.Is(t, "DeriveKey(prov 0)", err, m.code(zeroProv))
		_, err = c.DeriveKey(prov, csp.CALG_RC4, 0, 0)
		csptest.Is(t, "DeriveKey(hash 0)", err, m.code(zeroHash))
		csptest.Is(t, "HashData(0)", c.HashData(0, one, 0), m.code(zeroHash))

		key := csptest.Must(c.GenKey(prov, csp.CALG_RC4, 0))(t)
		csptest.Is(t, "HashSessionKey(hash, key 0)", c.HashSessionKey(hash, 0, 0), m.code(zeroKey))
		csptest.Is(t, "HashSessionKey(hash 0, key)", c.HashSessionKey(0, key, 0), m.code(zeroHash))
		csptest.Is(t, "DestroyHash(hash)", c.DestroyHash(hash), csp.Errno(0))
		csptest.Is(t, "DestroyHash(0)", c.DestroyHash(0), m.code(zeroHash))
		_, err = c.CreateHash(deadbeef, csp.CALG_SHA, 0, 0)
		csptest.Is(t, "CreateHash(prov 0xdeadbeef)", err, m.code(forged))
		_, err = c.CreateHash(0, csp.CALG_SHA, 0, 0)
		csptest.Is(t, "CreateHash(prov 0)", err, m.code(zeroProv))
		_, err = c.GenKey(0, csp.CALG_RC4, 0)
		csptest.Is(t, "GenKey(prov 0)", err, m.code(zeroProv))

		for _, dir := range []struct {
			name string
			f    func(csp.KeyHandle, csp.HashHandle, bool, uint32, []byte) ([]byte, error)
		}{{"Decrypt", c.Decrypt}, {"Encrypt", c.Encrypt}} {
			_, err = dir.f(key, 0, true, 0, one)
			csptest.Is(t, dir.name+"(key)", err, csp.Errno(0))
			_, err = dir.f(key, deadbeef, true, 0, one)
			csptest.Is(t, dir.name+"(key, hash 0xdeadbeef)", err, m.code(forged))
			_, err = dir.f(0, 0, true, 0, one)
			csptest.Is(t, dir.name+"(key 0)", err, m.code(zeroKey))
			_, err = dir.f(deadbeef, 0, true, 0, one)
			csptest.Is(t, dir.name+"(key 0xdeadbeef)", err, m.code(forged))
		}
		_, err = c.ExportKey(key, deadbeef, 0, 0)
		csptest.Is(t, "ExportKey(key, exporter 0xdeadbeef)", err, m.code(forged))
		csptest.Is(t, "DestroyKey(key)", c.DestroyKey(key), csp.Errno(0))

		key2 := csptest.Must(c.GenKey(prov, csp.CALG_RC4, 0))(t)
		csptest.Is(t, "DestroyKey(key2)", c.DestroyKey(key2), csp.Errno(0))
		csptest.Is(t, "DestroyKey(0)", c.DestroyKey(0), m.code(zeroKey))
		csptest.Is(t, "SetKeyParam(destroyed key, KP_MODE)", c.SetKeyParam(key2, csp.KP_MODE, le32(csp.CRYPT_MODE_ECB), 0), m.code(destroyedKey))

		h2, err := c.AcquireContext("wine_test_bad_keyset", "", csp.PROV_RSA_FULL, csp.CRYPT_DELETEKEYSET)
		csptest.Is(t, "CRYPT_DELETEKEYSET", err, csp.Errno(0))
		if h2 != 0 {
			t.Errorf("CRYPT_DELETEKEYSET returned handle %#x, want 0", h2)
		}
		csptest.Is(t, "ReleaseContext(prov)", c.ReleaseContext(prov, 0), csp.Errno(0))

		// From here prov is released, and with it hash and key (both destroyed before).
		csptest.Is(t, "GenRandom(0)", c.GenRandom(0, one), m.code(zeroProv))
		csptest.Is(t, "GenRandom(released)", c.GenRandom(prov, one), m.code(releasedProv))
		csptest.Is(t, "ContextAddRef(released)", c.ContextAddRef(prov, 0), m.code(releasedProv))
		_, err = c.CreateHash(prov, csp.CALG_SHA, 0, 0)
		csptest.Is(t, "CreateHash(released)", err, m.code(releasedProv))
		_, err = c.Decrypt(key, 0, true, 0, one)
		csptest.Is(t, "Decrypt(orphan key)", err, m.code(orphan))
		_, err = c.Encrypt(key, 0, true, 0, one)
		csptest.Is(t, "Encrypt(orphan key)", err, m.code(orphan))
		_, err = c.DeriveKey(prov, csp.CALG_RC4, hash, 0)
		csptest.Is(t, "DeriveKey(released)", err, m.code(releasedProv))
		_, err = c.DuplicateHash(hash, 0)
		csptest.Is(t, "DuplicateHash(orphan)", err, m.code(orphan))
		_, err = c.DuplicateKey(key, 0)
		csptest.Is(t, "DuplicateKey(orphan)", err, m.code(orphan))
		_, err = c.ExportKey(key, 0, 0, 0)
		csptest.Is(t, "ExportKey(orphan)", err, m.code(orphan))
		_, err = c.GenKey(prov, csp.CALG_RC4, 0)
		csptest.Is(t, "GenKey(released)", err, m.code(releasedProv))
		_, err = c.GetHashParam(hash, 0, 0)
		csptest.Is(t, "GetHashParam(orphan)", err, m.code(orphan))
		_, err = c.GetKeyParam(key, 0, 0)
		csptest.Is(t, "GetKeyParam(orphan)", err, m.code(orphan))
		_, err = c.GetProvParam(prov, 0, 0)
		csptest.Is(t, "GetProvParam(released)", err, m.code(releasedProv))
		_, err = c.GetUserKey(0, 0)
		csptest.Is(t, "GetUserKey(0)", err, m.code(zeroProv))
		_, err = c.GetUserKey(prov, 0)
		csptest.Is(t, "GetUserKey(released)", err, m.code(releasedProv))
		csptest.Is(t, "HashData(orphan)", c.HashData(hash, one, 0), m.code(orphan))
		csptest.Is(t, "HashSessionKey(orphans)", c.HashSessionKey(hash, key, 0), m.code(orphan))
		_, err = c.ImportKey(prov, one, 0, 0)
		csptest.Is(t, "ImportKey(released)", err, m.code(releasedProv))
		for range 2 {
			_, err = c.SignHash(hash, 0, 0)
			csptest.Is(t, "SignHash(orphan)", err, m.code(orphan))
		}
		csptest.Is(t, "SetKeyParam(orphan)", c.SetKeyParam(key, 0, one, 0), m.code(orphan))
		csptest.Is(t, "SetHashParam(orphan)", c.SetHashParam(hash, 0, one, 0), m.code(orphan))
		csptest.Is(t, "SetProvParam(0)", c.SetProvParam(0, 0, one, 0), m.code(zeroProv))
		csptest.Is(t, "SetProvParam(released)", c.SetProvParam(prov, 0, one, 0), m.code(releasedProv))
		csptest.Is(t, "VerifySignature(orphans)", c.VerifySignature(hash, one, key, 0), m.code(orphan))
		csptest.Is(t, "DestroyHash(orphan)", c.DestroyHash(hash), m.code(orphan))
		csptest.Is(t, "DestroyKey(orphan)", c.DestroyKey(key), m.code(orphan))
	})
}

// crypt.c test_verify_sig: VerifySignature's argument checks (a zero hash, a zero key: bad
// handles) and a bad signature of each length. Wine's NULL signature with a length has no Go
// counterpart; a nil signature is an empty one, which Wine lets Windows answer with
// NTE_BAD_SIGNATURE or ERROR_INVALID_PARAMETER.
func TestCryptVerifySig(t *testing.T) {
	eachModel(t, func(t *testing.T, m model) {
		c := m.newCSP()
		csptest.Is(t, "VerifySignature(all zero)", c.VerifySignature(0, nil, 0, 0), m.code(zeroHash))
		prov := csptest.Must(c.AcquireContext("wine_test_keyset", "", csp.PROV_RSA_FULL, csp.CRYPT_NEWKEYSET))(t)
		key := csptest.Must(c.ImportKey(prov, cryptPrivKey, 0, 0))(t)
		hash := csptest.Must(c.CreateHash(prov, csp.CALG_MD5, 0, 0))(t)
		csptest.Is(t, "VerifySignature(key 0)", c.VerifySignature(hash, nil, 0, 0), m.code(zeroKey))
		csptest.Is(t, "VerifySignature(hash 0)", c.VerifySignature(0, nil, key, 0), m.code(zeroHash))
		if err := c.VerifySignature(hash, nil, key, 0); !is2(err, csp.NTE_BAD_SIGNATURE, csp.ERROR_INVALID_PARAMETER) {
			t.Errorf("VerifySignature(nil signature): %v, want NTE_BAD_SIGNATURE or ERROR_INVALID_PARAMETER", err)
		}
		csptest.Is(t, "VerifySignature(empty signature)", c.VerifySignature(hash, []byte{}, key, 0), csp.NTE_BAD_SIGNATURE)
		// broken(): NT4 answered NTE_BAD_HASH_STATE; Windows since answers NTE_BAD_SIGNATURE.
		csptest.Is(t, "VerifySignature(1-byte signature)", c.VerifySignature(hash, []byte{0}, key, 0), csp.NTE_BAD_SIGNATURE)
		csptest.OK(t, c.DestroyKey(key))
		csptest.OK(t, c.DestroyHash(hash))
		csptest.OK(t, c.ReleaseContext(prov, 0))
	})
}
