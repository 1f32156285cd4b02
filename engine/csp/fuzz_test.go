package csp

import (
	"encoding/binary"
	"errors"
	"sync"
	"testing"
)

// FuzzCSP drives the provider's public calls with arbitrary handles (issued
// ones of every kind, live or not, zero, bit-flipped and raw numbers),
// flags, algorithm ids, parameters and data decoded from the input. No call
// may panic, every error must be one of the documented Errno codes (found
// with errors.As), and once every context is released no handle may be left.
//
// Issue 14's calls are in: HashSessionKey, DuplicateHash and DuplicateKey, ExportKey (whose
// blobs are imported back), ImportKey of valid blobs of every type with bytes changed and cut
// short (fuzzBlobs), GenRandom, GetProvParam and SetProvParam.
//
// GenKey with an RSA algorithm id is the one call left out: generating a
// 2048-bit pair takes tens of milliseconds, which would make the fuzzer all
// but stop. The container "k" holds the shared test pairs instead, so the
// calls that use key pairs (GetUserKey, SignHash, RSA Encrypt and Decrypt,
// VerifySignature) still run.
func FuzzCSP(f *testing.F) {
	for _, s := range fuzzCSPSeeds() {
		f.Add(s)
	}
	keys := testKeys()
	f.Fuzz(func(t *testing.T, data []byte) {
		st := MemStore()
		const id = 42
		if err := st.Create("k", id); err != nil {
			t.Fatal(err)
		}
		if err := st.SetKey("k", id, AT_KEYEXCHANGE, keys[0]); err != nil {
			t.Fatal(err)
		}
		if err := st.SetKey("k", id, AT_SIGNATURE, keys[1]); err != nil {
			t.Fatal(err)
		}
		var opts []Option
		if len(data) > 0 && data[0]&1 != 0 {
			opts = append(opts, WithAdvapiErrors())
		}
		if len(data) > 0 && data[0]&2 != 0 {
			opts = append(opts, WithMaxHandles(8))
		}
		c := New(append(opts, WithStore(st))...)
		runCSPFuzz(t, c, &fuzzInput{b: data[min(1, len(data)):]})
	})
}

// documented is every code the package doc lists.
var documented = map[Errno]bool{
	ERROR_INVALID_HANDLE: true, ERROR_INVALID_PARAMETER: true, ERROR_BUSY: true,
	ERROR_ARITHMETIC_OVERFLOW: true, NTE_BAD_UID: true, NTE_BAD_HASH: true, NTE_BAD_KEY: true,
	NTE_BAD_LEN: true, NTE_BAD_DATA: true, NTE_BAD_SIGNATURE: true, NTE_BAD_ALGID: true,
	NTE_BAD_FLAGS: true, NTE_BAD_TYPE: true, NTE_BAD_HASH_STATE: true, NTE_NO_KEY: true,
	NTE_NO_MEMORY: true, NTE_EXISTS: true, NTE_BAD_KEYSET: true, NTE_PROV_TYPE_NOT_DEF: true,
	NTE_KEYSET_NOT_DEF: true, NTE_BAD_KEYSET_PARAM: true,
	ERROR_MORE_DATA: true, ERROR_NO_MORE_ITEMS: true, NTE_BAD_KEY_STATE: true, NTE_PERM: true,
	NTE_BAD_PROV_TYPE: true, NTE_BAD_PUBLIC_KEY: true, NTE_PROV_TYPE_NO_MATCH: true,
}

// fuzzValues are the numbers the calls give meaning to; a selector byte
// picks one, or reads a raw 32-bit value.
var fuzzValues = []uint32{
	0, 1, 2, 3, 4, 5, 7, 9, 16, 0xffffffff,
	PROV_RSA_FULL, PROV_RSA_AES,
	CRYPT_VERIFYCONTEXT, CRYPT_NEWKEYSET, CRYPT_DELETEKEYSET, CRYPT_MACHINE_KEYSET, CRYPT_SILENT,
	CRYPT_VERIFYCONTEXT | CRYPT_SILENT, CRYPT_NEWKEYSET | CRYPT_MACHINE_KEYSET,
	CALG_MD5, CALG_SHA1, CALG_HMAC, CALG_SHA_256, CALG_SHA_384, CALG_SHA_512,
	CALG_AES_128, CALG_AES_192, CALG_AES_256, CALG_RSA_KEYX, CALG_RSA_SIGN,
	AT_KEYEXCHANGE, AT_SIGNATURE, HP_ALGID, HP_HASHVAL, HP_HASHSIZE, HP_HMAC_INFO,
	KP_IV, KP_ALGID, KP_KEYLEN, CRYPT_EXPORTABLE, 128 << 16, 256<<16 | CRYPT_EXPORTABLE, 0x8000,
	// Issue 14's algorithms, blob types, parameters and flags.
	CALG_MD4, CALG_RC4, CALG_DES, CALG_3DES, CALG_3DES_112, CALG_AES, CALG_RC2,
	SIMPLEBLOB, PUBLICKEYBLOB, PRIVATEKEYBLOB, PLAINTEXTKEYBLOB, CRYPT_OAEP, CRYPT_LITTLE_ENDIAN,
	CRYPT_IPSEC_HMAC_KEY, CRYPT_CREATE_SALT, CRYPT_NO_SALT, CRYPT_USERDATA, CRYPT_NOHASHOID,
	KP_SALT, KP_SALT_EX, KP_PADDING, KP_MODE, KP_MODE_BITS, KP_PERMISSIONS, KP_BLOCKLEN,
	KP_EFFECTIVE_KEYLEN, CRYPT_MODE_ECB, CRYPT_MODE_CFB, CRYPT_MODE_OFB, PKCS5_PADDING,
	PP_NAME, PP_CONTAINER, PP_ENUMALGS, PP_ENUMALGS_EX, PP_ENUMCONTAINERS, PP_KEYSPEC,
	PP_PROVTYPE, PP_KEYSTORAGE, PP_KEYSET_SEC_DESCR, PP_CLIENT_HWND, CRYPT_FIRST,
	CRYPT_FIRST | CRYPT_MACHINE_KEYSET, 40 << 16, 56 << 16, 1000, MAXPROVTYPES,
}

var fuzzNames = []string{"", "k", "x", "k/", "machine\\k", MS_ENH_RSA_AES_PROV, "\x00", MS_DEF_PROV, MS_ENHANCED_PROV, MS_STRONG_PROV}

type fuzzInput struct{ b []byte }

func (in *fuzzInput) more() bool { return len(in.b) > 0 }

func (in *fuzzInput) byte() byte {
	if len(in.b) == 0 {
		return 0
	}
	c := in.b[0]
	in.b = in.b[1:]
	return c
}

func (in *fuzzInput) u32() uint32 {
	sel := in.byte()
	if int(sel) < len(fuzzValues) {
		return fuzzValues[sel]
	}
	if sel < 0xf0 {
		return uint32(sel)
	}
	var buf [4]byte
	n := copy(buf[:], in.b)
	in.b = in.b[n:]
	return binary.LittleEndian.Uint32(buf[:])
}

func (in *fuzzInput) bytes() []byte {
	n := int(in.byte())
	switch {
	case n == 0xff:
		n = 245 // the largest RSA plaintext, and then some below
	case n == 0xfe:
		n = 256 // an RSA block
	default:
		n %= 80
	}
	b := make([]byte, n)
	copy(b, in.b)
	in.b = in.b[min(n, len(in.b)):]
	return b
}

// blob returns a key blob: a valid one of every type (fuzzBlobs) with some bytes changed and
// perhaps cut short, or raw bytes.
func (in *fuzzInput) blob() []byte {
	sel := in.byte()
	tmpl := fuzzBlobs()
	if int(sel) >= len(tmpl) {
		return in.bytes()
	}
	b := append([]byte(nil), tmpl[sel]...)
	for n := in.byte() % 4; n > 0; n-- {
		pos := int(binary.LittleEndian.Uint16([]byte{in.byte(), in.byte()}))
		b[pos%len(b)] ^= in.byte()
	}
	if cut := in.byte(); cut&0x80 != 0 {
		b = b[:int(cut&0x7f)*len(b)/128]
	}
	return b
}

// fuzzBlobs are valid blobs of every type, for the shared test key pairs.
var fuzzBlobs = sync.OnceValue(func() [][]byte {
	c := New()
	h, _ := c.AcquireContext("", "", PROV_RSA_AES, CRYPT_VERIFYCONTEXT)
	pair := testKeys()[0]
	var out [][]byte
	for _, p := range []struct {
		alg uint32
		key []byte
	}{{CALG_AES_128, make([]byte, 16)}, {CALG_DES, make([]byte, 8)}, {CALG_3DES_112, make([]byte, 16)}, {CALG_RC4, make([]byte, 5)}, {CALG_RC2, make([]byte, 20)}} {
		out = append(out, plaintextBlob(p.alg, p.key))
	}
	k, _ := c.ImportKey(h, privateBlob(pair), 0, CRYPT_EXPORTABLE)
	pub, _ := c.ExportKey(k, 0, PUBLICKEYBLOB, 0)
	s, _ := c.GenKey(h, CALG_3DES, CRYPT_EXPORTABLE)
	simple, _ := c.ExportKey(s, k, SIMPLEBLOB, 0)
	return append(out, privateBlob(pair), pub, simple)
})

func (in *fuzzInput) name() string {
	sel := in.byte()
	if int(sel) < len(fuzzNames) {
		return fuzzNames[sel]
	}
	return string(in.bytes())
}

func runCSPFuzz(t *testing.T, c *CSP, in *fuzzInput) {
	var pool []uint64 // every handle any call returned
	var ctxs []ProvHandle
	handle := func() uint64 {
		switch sel := in.byte(); {
		case sel < 0xf0:
			if len(pool) == 0 {
				return 0
			}
			return pool[int(sel)%len(pool)]
		case sel == 0xf0:
			return 0
		case sel < 0xf8:
			if len(pool) == 0 {
				return 0
			}
			return pool[int(sel)%len(pool)] ^ 1<<(in.byte()%64)
		default:
			var buf [8]byte
			n := copy(buf[:], in.b)
			in.b = in.b[n:]
			return binary.LittleEndian.Uint64(buf[:])
		}
	}
	check := func(call string, err error) bool {
		t.Helper()
		if err == nil {
			return true
		}
		var e Errno
		if !errors.As(err, &e) || !documented[e] {
			t.Fatalf("%s: error %v (%T) is not a documented Errno", call, err, err)
		}
		return false
	}
	issued := func(call string, h uint64, err error) {
		t.Helper()
		if check(call, err) {
			if h == 0 {
				t.Fatalf("%s: success with handle 0", call)
			}
			pool = append(pool, h)
		} else if h != 0 {
			t.Fatalf("%s: handle %#x with error %v", call, h, err)
		}
	}
	for step := 0; in.more() && step < 200; step++ {
		switch in.byte() % 30 {
		case 0:
			name, prov, typ, flags := in.name(), in.name(), in.u32(), in.u32()
			h, err := c.AcquireContext(name, prov, typ, flags)
			if flags&CRYPT_DELETEKEYSET != 0 && err == nil {
				// Deleting a container returns handle 0.
				if h != 0 {
					t.Fatalf("AcquireContext(CRYPT_DELETEKEYSET) = %#x, want 0", uint64(h))
				}
				continue
			}
			issued("AcquireContext", uint64(h), err)
			if err == nil {
				ctxs = append(ctxs, h)
			}
		case 1:
			h, err := c.AcquireContext("", "", PROV_RSA_AES, CRYPT_VERIFYCONTEXT)
			issued("AcquireContext(verify)", uint64(h), err)
			if err == nil {
				ctxs = append(ctxs, h)
			}
		case 2:
			check("ContextAddRef", c.ContextAddRef(ProvHandle(handle()), in.u32()))
		case 3:
			check("ReleaseContext", c.ReleaseContext(ProvHandle(handle()), in.u32()))
		case 4:
			h, err := c.CreateHash(ProvHandle(handle()), in.u32(), KeyHandle(handle()), in.u32())
			issued("CreateHash", uint64(h), err)
		case 5:
			check("HashData", c.HashData(HashHandle(handle()), in.bytes(), in.u32()))
		case 6:
			_, err := c.GetHashParam(HashHandle(handle()), in.u32(), in.u32())
			check("GetHashParam", err)
		case 7:
			check("SetHashParam", c.SetHashParam(HashHandle(handle()), in.u32(), in.bytes(), in.u32()))
		case 8:
			check("DestroyHash", c.DestroyHash(HashHandle(handle())))
		case 9:
			h, alg, flags := ProvHandle(handle()), in.u32(), in.u32()
			switch alg {
			case AT_KEYEXCHANGE, AT_SIGNATURE, CALG_RSA_KEYX, CALG_RSA_SIGN:
				continue // see the doc comment
			}
			k, err := c.GenKey(h, alg, flags)
			issued("GenKey", uint64(k), err)
		case 10:
			k, err := c.DeriveKey(ProvHandle(handle()), in.u32(), HashHandle(handle()), in.u32())
			issued("DeriveKey", uint64(k), err)
		case 11:
			k, err := c.GetUserKey(ProvHandle(handle()), in.u32())
			issued("GetUserKey", uint64(k), err)
		case 12:
			check("DestroyKey", c.DestroyKey(KeyHandle(handle())))
		case 13:
			_, err := c.GetKeyParam(KeyHandle(handle()), in.u32(), in.u32())
			check("GetKeyParam", err)
		case 14:
			check("SetKeyParam", c.SetKeyParam(KeyHandle(handle()), in.u32(), in.bytes(), in.u32()))
		case 15:
			_, err := c.Encrypt(KeyHandle(handle()), HashHandle(handle()), in.byte()&1 != 0, in.u32(), in.bytes())
			check("Encrypt", err)
		case 16:
			_, err := c.Decrypt(KeyHandle(handle()), HashHandle(handle()), in.byte()&1 != 0, in.u32(), in.bytes())
			check("Decrypt", err)
		case 17:
			_, err := c.SignHash(HashHandle(handle()), in.u32(), in.u32())
			check("SignHash", err)
		case 18:
			check("VerifySignature", c.VerifySignature(HashHandle(handle()), in.bytes(), KeyHandle(handle()), in.u32()))
		case 19:
			// Encrypt, then decrypt what came out: the round trip must
			// give the plaintext back when both succeed.
			k, hh := KeyHandle(handle()), HashHandle(0)
			plain := in.bytes()
			ct, err := c.Encrypt(k, hh, true, 0, plain)
			if !check("Encrypt", err) {
				continue
			}
			if err := c.SetKeyParam(k, KP_IV, make([]byte, 16), 0); err != nil && !errors.Is(err, NTE_BAD_TYPE) {
				check("SetKeyParam", err)
			}
			pt, err := c.Decrypt(k, hh, true, 0, ct)
			if check("Decrypt", err) && string(pt) != string(plain) {
				t.Fatalf("Decrypt(Encrypt(%x)) = %x", plain, pt)
			}
		case 20:
			check("HashSessionKey", c.HashSessionKey(HashHandle(handle()), KeyHandle(handle()), in.u32()))
		case 21:
			h, err := c.DuplicateHash(HashHandle(handle()), in.u32())
			issued("DuplicateHash", uint64(h), err)
		case 22:
			k, err := c.DuplicateKey(KeyHandle(handle()), in.u32())
			issued("DuplicateKey", uint64(k), err)
		case 23:
			// Export, then import what came out, into any context: only documented errors.
			k, exp, typ, flags := KeyHandle(handle()), KeyHandle(handle()), in.u32(), in.u32()
			blob, err := c.ExportKey(k, exp, typ, flags)
			if !check("ExportKey", err) {
				continue
			}
			ctx := ProvHandle(handle())
			imp := KeyHandle(0)
			if typ == SIMPLEBLOB {
				if imp, err = c.GetUserKey(ctx, AT_KEYEXCHANGE); !check("GetUserKey", err) {
					continue
				}
				pool = append(pool, uint64(imp))
			}
			k2, err := c.ImportKey(ctx, blob, imp, flags|CRYPT_EXPORTABLE)
			if errors.Is(err, NTE_BAD_DATA) && typ == SIMPLEBLOB {
				continue // exported under another context's exchange key
			}
			issued("ImportKey(exported)", uint64(k2), err)
		case 24:
			k, err := c.ImportKey(ProvHandle(handle()), in.blob(), KeyHandle(handle()), in.u32())
			issued("ImportKey", uint64(k), err)
		case 25:
			check("GenRandom", c.GenRandom(ProvHandle(handle()), in.bytes()))
		case 26:
			_, err := c.GetProvParam(ProvHandle(handle()), in.u32(), in.u32())
			check("GetProvParam", err)
		case 27:
			check("SetProvParam", c.SetProvParam(ProvHandle(handle()), in.u32(), in.bytes(), in.u32()))
		case 28:
			// A session key's PLAINTEXTKEYBLOB imports back with documented errors only, as a
			// key that, imported without CRYPT_EXPORTABLE, refuses to be exported.
			k := KeyHandle(handle())
			blob, err := c.ExportKey(k, 0, PLAINTEXTKEYBLOB, 0)
			if !check("ExportKey(PLAINTEXTKEYBLOB)", err) {
				continue
			}
			k2, err := c.ImportKey(ProvHandle(handle()), blob, 0, 0)
			issued("ImportKey(PLAINTEXTKEYBLOB)", uint64(k2), err)
			if err != nil {
				continue
			}
			b2, err := c.ExportKey(k2, 0, PLAINTEXTKEYBLOB, 0)
			if !errors.Is(err, NTE_BAD_KEY_STATE) {
				t.Fatalf("a key imported without CRYPT_EXPORTABLE exported: %x, %v", b2, err)
			}
		case 29:
			_, err := c.GetKeyParam(KeyHandle(handle()), in.u32(), 0)
			check("GetKeyParam", err)
		}
	}
	for _, h := range ctxs {
		for range 1 << 16 {
			if err := c.ReleaseContext(h, 0); err != nil {
				if !errors.Is(err, NTE_BAD_UID) && !errors.Is(err, ERROR_INVALID_PARAMETER) {
					t.Fatalf("final ReleaseContext(%#x): %v", uint64(h), err)
				}
				break
			}
		}
	}
	if n := c.Len(); n != 0 {
		t.Fatalf("Len = %d after every context was released", n)
	}
}

// fuzzCSPSeeds reach the main paths: hashing, HMAC, AES round trips, key
// pairs from the container, and wrong-kind and stale handles.
func fuzzCSPSeeds() [][]byte {
	v := func(x uint32) byte {
		for i, y := range fuzzValues {
			if y == x {
				return byte(i)
			}
		}
		panic("not in fuzzValues")
	}
	const verify, addref, release, mkhash, data, getparam, sethp, dhash, genkey, derive, userkey, dkey, _, _, encrypt, decrypt, sign, verifysig, roundtrip = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19
	return [][]byte{
		// Hash, read the value, hash more (bad state), destroy twice.
		{0, verify, mkhash, 0, v(CALG_SHA_256), 0xf0, v(0), data, 1, 3, 'a', 'b', 'c', v(0),
			getparam, 1, v(HP_HASHVAL), v(0), data, 1, 1, 'x', v(0), dhash, 1, dhash, 1},
		// Release the context, then use its hash and its handle.
		{0, verify, mkhash, 0, v(CALG_SHA1), 0xf0, v(0), release, 0, v(0), data, 1, 1, 'x', v(0),
			addref, 0, v(0), dhash, 1, release, 0, v(0)},
		// AES key from a derived hash, round trip, HMAC keyed by it.
		{0, verify, mkhash, 0, v(CALG_SHA_256), 0xf0, v(0), data, 1, 8, 'p', 'a', 's', 's', 'w', 'o', 'r', 'd', v(0),
			derive, 0, v(CALG_AES_256), 1, v(0), roundtrip, 2, 5, 'h', 'e', 'l', 'l', 'o',
			mkhash, 0, v(CALG_HMAC), 2, v(0), sethp, 3, v(HP_HMAC_INFO), 4, 4, 0x80, 0, 0, v(0)},
		// The container's key pairs: sign, verify, RSA round trip.
		{0, 0, 1, 0, v(PROV_RSA_AES), v(0), mkhash, 0, v(CALG_SHA_256), 0xf0, v(0),
			userkey, 0, v(AT_SIGNATURE), sign, 1, v(AT_SIGNATURE), v(0),
			userkey, 0, v(AT_KEYEXCHANGE), roundtrip, 3, 10, '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
			dkey, 2, dkey, 2, release, 0, v(0), dkey, 3},
		// Wrong kinds, flags and forgeries.
		{1, verify, genkey, 0, v(CALG_AES_128), v(CRYPT_EXPORTABLE), mkhash, 1, v(CALG_MD5), 0xf0, v(0),
			addref, 1, v(0), release, 2, v(1), dhash, 0, dkey, 2, getparam, 0xf1, 1, 2, 3, 4, 5, 6, 7, 8, v(HP_ALGID), v(0),
			verifysig, 2, 0xfe, 2, v(0), encrypt, 0, 0xf0, 1, v(0), 3, 'a', 'b', 'c', decrypt, 1, 0, 1, v(0), 5},
		// Issue 14: a key exported and imported back in every blob type, a hash of a session
		// key duplicated, provider parameters, and mutated blobs.
		{0, 0, 1, 0, v(PROV_RSA_AES), v(0), genkey, 0, v(CALG_AES_128), v(CRYPT_EXPORTABLE),
			userkey, 0, v(AT_KEYEXCHANGE), 23, 1, 2, v(SIMPLEBLOB), v(0), 0,
			23, 1, 0xf0, v(PLAINTEXTKEYBLOB), v(0), 0, 23, 2, 0xf0, v(PUBLICKEYBLOB), v(0), 0,
			mkhash, 0, v(CALG_SHA1), 0xf0, v(0), 20, 5, 1, v(0), 21, 5, v(0), 22, 1, v(0),
			26, 0, v(PP_ENUMALGS_EX), v(CRYPT_FIRST), 26, 0, v(PP_ENUMALGS), v(0), 26, 0, v(PP_NAME), v(0),
			27, 0, v(PP_KEYSET_SEC_DESCR), 0, v(0), 25, 0, 9, 28, 1, 0, 29, 1, v(KP_SALT)},
		{1, verify, 24, 0, 0, 2, 3, 0, 0x10, 5, 0x80, 0xf0, v(0), 24, 0, 5, 0, 0, 0xf0, v(CRYPT_EXPORTABLE),
			24, 0, 7, 1, 0, 0, 0x55, 0, 0xf0, v(0), 24, 0, 6, 0, 0xc0, 0xf0, v(0),
			24, 0, 4, 0, 0, 0xf0, v(CRYPT_IPSEC_HMAC_KEY), mkhash, 0, v(CALG_HMAC), 4, v(0)},
		// A table of 8 handles filled up.
		{2, verify, verify, verify, verify, mkhash, 0, v(CALG_MD5), 0xf0, v(0), mkhash, 1, v(CALG_MD5), 0xf0, v(0),
			verify, verify, verify, verify, mkhash, 0, v(CALG_MD5), 0xf0, v(0)},
	}
}
