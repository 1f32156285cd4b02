package winetest

import (
	"testing"

	"github.com/hprov/hprov/engine/csp"
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
		prov := must(c.AcquireContext("wine_test_bad_keyset", csp.MS_DEF_PROV, csp.PROV_RSA_FULL, csp.CRYPT_NEWKEYSET))(t)
		hash := must(c.CreateHash(prov, csp.CALG_SHA, 0, 0))(t)

		_, err := c.DeriveKey(0, csp.CALG_RC4, hash, 0)
		is(t, "DeriveKey(prov 0)", err, m.code(zeroProv))
		_, err = c.DeriveKey(prov, csp.CALG_RC4, 0, 0)
		is(t, "DeriveKey(hash 0)", err, m.code(zeroHash))
		is(t, "HashData(0)", c.HashData(0, one, 0), m.code(zeroHash))

		key := must(c.GenKey(prov, csp.CALG_RC4, 0))(t)
		is(t, "HashSessionKey(hash, key 0)", c.HashSessionKey(hash, 0, 0), m.code(zeroKey))
		is(t, "HashSessionKey(hash 0, key)", c.HashSessionKey(0, key, 0), m.code(zeroHash))
		is(t, "DestroyHash(hash)", c.DestroyHash(hash), 0)
		is(t, "DestroyHash(0)", c.DestroyHash(0), m.code(zeroHash))
		_, err = c.CreateHash(deadbeef, csp.CALG_SHA, 0, 0)
		is(t, "CreateHash(prov 0xdeadbeef)", err, m.code(forged))
		_, err = c.CreateHash(0, csp.CALG_SHA, 0, 0)
		is(t, "CreateHash(prov 0)", err, m.code(zeroProv))
		_, err = c.GenKey(0, csp.CALG_RC4, 0)
		is(t, "GenKey(prov 0)", err, m.code(zeroProv))

		for _, dir := range []struct {
			name string
			f    func(csp.KeyHandle, csp.HashHandle, bool, uint32, []byte) ([]byte, error)
		}{{"Decrypt", c.Decrypt}, {"Encrypt", c.Encrypt}} {
			_, err = dir.f(key, 0, true, 0, one)
			is(t, dir.name+"(key)", err, 0)
			_, err = dir.f(key, deadbeef, true, 0, one)
			is(t, dir.name+"(key, hash 0xdeadbeef)", err, m.code(forged))
			_, err = dir.f(0, 0, true, 0, one)
			is(t, dir.name+"(key 0)", err, m.code(zeroKey))
			_, err = dir.f(deadbeef, 0, true, 0, one)
			is(t, dir.name+"(key 0xdeadbeef)", err, m.code(forged))
		}
		_, err = c.ExportKey(key, deadbeef, 0, 0)
		is(t, "ExportKey(key, exporter 0xdeadbeef)", err, m.code(forged))
		is(t, "DestroyKey(key)", c.DestroyKey(key), 0)

		key2 := must(c.GenKey(prov, csp.CALG_RC4, 0))(t)
		is(t, "DestroyKey(key2)", c.DestroyKey(key2), 0)
		is(t, "DestroyKey(0)", c.DestroyKey(0), m.code(zeroKey))
		is(t, "SetKeyParam(destroyed key, KP_MODE)", c.SetKeyParam(key2, csp.KP_MODE, le32(csp.CRYPT_MODE_ECB), 0), m.code(destroyedKey))

		h2, err := c.AcquireContext("wine_test_bad_keyset", "", csp.PROV_RSA_FULL, csp.CRYPT_DELETEKEYSET)
		is(t, "CRYPT_DELETEKEYSET", err, 0)
		if h2 != 0 {
			t.Errorf("CRYPT_DELETEKEYSET returned handle %#x, want 0", h2)
		}
		is(t, "ReleaseContext(prov)", c.ReleaseContext(prov, 0), 0)

		// From here prov is released, and with it hash and key (both destroyed before).
		is(t, "GenRandom(0)", c.GenRandom(0, one), m.code(zeroProv))
		is(t, "GenRandom(released)", c.GenRandom(prov, one), m.code(releasedProv))
		is(t, "ContextAddRef(released)", c.ContextAddRef(prov, 0), m.code(releasedProv))
		_, err = c.CreateHash(prov, csp.CALG_SHA, 0, 0)
		is(t, "CreateHash(released)", err, m.code(releasedProv))
		_, err = c.Decrypt(key, 0, true, 0, one)
		is(t, "Decrypt(orphan key)", err, m.code(orphan))
		_, err = c.Encrypt(key, 0, true, 0, one)
		is(t, "Encrypt(orphan key)", err, m.code(orphan))
		_, err = c.DeriveKey(prov, csp.CALG_RC4, hash, 0)
		is(t, "DeriveKey(released)", err, m.code(releasedProv))
		_, err = c.DuplicateHash(hash, 0)
		is(t, "DuplicateHash(orphan)", err, m.code(orphan))
		_, err = c.DuplicateKey(key, 0)
		is(t, "DuplicateKey(orphan)", err, m.code(orphan))
		_, err = c.ExportKey(key, 0, 0, 0)
		is(t, "ExportKey(orphan)", err, m.code(orphan))
		_, err = c.GenKey(prov, csp.CALG_RC4, 0)
		is(t, "GenKey(released)", err, m.code(releasedProv))
		_, err = c.GetHashParam(hash, 0, 0)
		is(t, "GetHashParam(orphan)", err, m.code(orphan))
		_, err = c.GetKeyParam(key, 0, 0)
		is(t, "GetKeyParam(orphan)", err, m.code(orphan))
		_, err = c.GetProvParam(prov, 0, 0)
		is(t, "GetProvParam(released)", err, m.code(releasedProv))
		_, err = c.GetUserKey(0, 0)
		is(t, "GetUserKey(0)", err, m.code(zeroProv))
		_, err = c.GetUserKey(prov, 0)
		is(t, "GetUserKey(released)", err, m.code(releasedProv))
		is(t, "HashData(orphan)", c.HashData(hash, one, 0), m.code(orphan))
		is(t, "HashSessionKey(orphans)", c.HashSessionKey(hash, key, 0), m.code(orphan))
		_, err = c.ImportKey(prov, one, 0, 0)
		is(t, "ImportKey(released)", err, m.code(releasedProv))
		for range 2 {
			_, err = c.SignHash(hash, 0, 0)
			is(t, "SignHash(orphan)", err, m.code(orphan))
		}
		is(t, "SetKeyParam(orphan)", c.SetKeyParam(key, 0, one, 0), m.code(orphan))
		is(t, "SetHashParam(orphan)", c.SetHashParam(hash, 0, one, 0), m.code(orphan))
		is(t, "SetProvParam(0)", c.SetProvParam(0, 0, one, 0), m.code(zeroProv))
		is(t, "SetProvParam(released)", c.SetProvParam(prov, 0, one, 0), m.code(releasedProv))
		is(t, "VerifySignature(orphans)", c.VerifySignature(hash, one, key, 0), m.code(orphan))
		is(t, "DestroyHash(orphan)", c.DestroyHash(hash), m.code(orphan))
		is(t, "DestroyKey(orphan)", c.DestroyKey(key), m.code(orphan))
	})
}

// crypt.c test_verify_sig: VerifySignature's argument checks (a zero hash, a zero key: bad
// handles) and a bad signature of each length. Wine's NULL signature with a length has no Go
// counterpart; a nil signature is an empty one, which Wine lets Windows answer with
// NTE_BAD_SIGNATURE or ERROR_INVALID_PARAMETER.
func TestCryptVerifySig(t *testing.T) {
	eachModel(t, func(t *testing.T, m model) {
		c := m.newCSP()
		is(t, "VerifySignature(all zero)", c.VerifySignature(0, nil, 0, 0), m.code(zeroHash))
		prov := must(c.AcquireContext("wine_test_keyset", "", csp.PROV_RSA_FULL, csp.CRYPT_NEWKEYSET))(t)
		key := must(c.ImportKey(prov, cryptPrivKey, 0, 0))(t)
		hash := must(c.CreateHash(prov, csp.CALG_MD5, 0, 0))(t)
		is(t, "VerifySignature(key 0)", c.VerifySignature(hash, nil, 0, 0), m.code(zeroKey))
		is(t, "VerifySignature(hash 0)", c.VerifySignature(0, nil, key, 0), m.code(zeroHash))
		if err := c.VerifySignature(hash, nil, key, 0); !is2(err, csp.NTE_BAD_SIGNATURE, csp.ERROR_INVALID_PARAMETER) {
			t.Errorf("VerifySignature(nil signature): %v, want NTE_BAD_SIGNATURE or ERROR_INVALID_PARAMETER", err)
		}
		is(t, "VerifySignature(empty signature)", c.VerifySignature(hash, []byte{}, key, 0), csp.NTE_BAD_SIGNATURE)
		// broken(): NT4 answered NTE_BAD_HASH_STATE; Windows since answers NTE_BAD_SIGNATURE.
		is(t, "VerifySignature(1-byte signature)", c.VerifySignature(hash, []byte{0}, key, 0), csp.NTE_BAD_SIGNATURE)
		ok(t, c.DestroyKey(key))
		ok(t, c.DestroyHash(hash))
		ok(t, c.ReleaseContext(prov, 0))
	})
}
