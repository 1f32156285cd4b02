package csp

import (
	"bytes"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hprov/hprov/engine"
	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// alive reports whether context h still works.
func alive(c *CSP, h ProvHandle) bool {
	hh, err := c.CreateHash(h, CALG_SHA1, 0, 0)
	if err != nil {
		return false
	}
	_ = c.DestroyHash(hh)
	return true
}

// Contract: ReleaseContext drops one reference (ContextAddRef adds one); the last one
// invalidates the handle: every later use returns NTE_BAD_UID.
func TestReleaseDropsOneReference(t *testing.T) {
	for _, refs := range []int{1, 2, 3, 10} {
		for _, verify := range []bool{true, false} {
			c := New()
			var h ProvHandle
			if verify {
				h = verifyCtx(t, c)
			} else {
				h = csptest.Must(c.AcquireContext("refs", "", PROV_RSA_AES, CRYPT_NEWKEYSET))(t)
			}
			for range refs - 1 {
				csptest.OK(t, c.ContextAddRef(h, 0))
			}
			for i := range refs {
				if !alive(c, h) {
					t.Fatalf("refs=%d verify=%v: dead after %d releases", refs, verify, i)
				}
				csptest.OK(t, c.ReleaseContext(h, 0))
			}
			if alive(c, h) {
				t.Fatalf("refs=%d: alive after the last release", refs)
			}
			csptest.Is(t, "ReleaseContext after the last", c.ReleaseContext(h, 0), NTE_BAD_UID)
			csptest.Is(t, "ContextAddRef after the last", c.ContextAddRef(h, 0), NTE_BAD_UID)
			_, err := c.CreateHash(h, CALG_SHA1, 0, 0)
			csptest.Is(t, "CreateHash after the last", err, NTE_BAD_UID)
			_, err = c.GenKey(h, CALG_AES_128, 0)
			csptest.Is(t, "GenKey after the last", err, NTE_BAD_UID)
			_, err = c.GetUserKey(h, AT_SIGNATURE)
			csptest.Is(t, "GetUserKey after the last", err, NTE_BAD_UID)
			if n := c.Len(); n != 0 {
				t.Fatalf("Len = %d after the last release", n)
			}
		}
	}
}

// Contract: with flags != 0 ReleaseContext returns NTE_BAD_FLAGS but releases all the same;
// ContextAddRef with flags != 0 returns NTE_BAD_FLAGS and adds nothing.
func TestReleaseAndAddRefFlags(t *testing.T) {
	for _, flags := range []uint32{1, 0x80000000, ^uint32(0)} {
		c := New()
		h := verifyCtx(t, c)
		csptest.Is(t, "ContextAddRef with flags", c.ContextAddRef(h, flags), NTE_BAD_FLAGS)
		csptest.OK(t, c.ContextAddRef(h, 0)) // now two references
		csptest.Is(t, "ReleaseContext with flags (not the last)", c.ReleaseContext(h, flags), NTE_BAD_FLAGS)
		if !alive(c, h) {
			t.Fatal("one release with bad flags dropped two references")
		}
		// The AddRef with flags added nothing: this is the last reference.
		csptest.Is(t, "last ReleaseContext with flags", c.ReleaseContext(h, flags), NTE_BAD_FLAGS)
		if alive(c, h) {
			t.Fatalf("flags %#x: the context was not released", flags)
		}
		csptest.Is(t, "ReleaseContext after", c.ReleaseContext(h, 0), NTE_BAD_UID)
		if c.Len() != 0 {
			t.Fatal("leak")
		}
	}
}

// Wine's test_CryptReleaseContext, in the advapi32 error model.
func TestWineReleaseSequence(t *testing.T) {
	c := New(WithAdvapiErrors())
	csptest.Is(t, "ReleaseContext(0)", c.ReleaseContext(0, 0), ERROR_INVALID_PARAMETER)
	h := csptest.Must(c.AcquireContext("", "", PROV_RSA_FULL, CRYPT_VERIFYCONTEXT))(t)
	csptest.OK(t, c.ContextAddRef(h, 0))
	csptest.OK(t, c.ReleaseContext(h, 0))
	csptest.Is(t, "ReleaseContext(~0): released nonetheless", c.ReleaseContext(h, ^uint32(0)), NTE_BAD_FLAGS)
	csptest.Is(t, "a further release", c.ReleaseContext(h, 0), ERROR_INVALID_PARAMETER)
	csptest.Is(t, "ContextAddRef after", c.ContextAddRef(h, 0), ERROR_INVALID_PARAMETER)
}

// Contract: after the last release every session key and hash object of the context is
// invalid at once: every call returns NTE_BAD_UID (ERROR_INVALID_PARAMETER in the advapi
// model), DestroyKey/DestroyHash too and free nothing twice, and their memory is reclaimed.
func TestReleaseInvalidatesChildren(t *testing.T) {
	for _, advapi := range []bool{false, true} {
		var opts []Option
		want := NTE_BAD_UID
		if advapi {
			opts, want = []Option{WithAdvapiErrors()}, ERROR_INVALID_PARAMETER
		}
		c := New(opts...)
		live := verifyCtx(t, c) // another context, to show nothing else is affected
		liveHash := hashOf(t, c, live, CALG_SHA_256, "x")
		h := containerWithKeys(t, c, "children")
		k := derivedKey(t, c, h, CALG_AES_256)
		pub := csptest.Must(c.GetUserKey(h, AT_SIGNATURE))(t)
		hh := hashOf(t, c, h, CALG_SHA_256, "data")
		hmacHash := csptest.Must(c.CreateHash(h, CALG_HMAC, k, 0))(t)
		sig := csptest.Must(c.SignHash(hashOf(t, c, h, CALG_SHA_256, "data"), AT_SIGNATURE, 0))(t)
		ct := csptest.Must(c.Encrypt(k, 0, true, 0, []byte("secret")))(t)
		before := c.Len()
		csptest.OK(t, c.ReleaseContext(h, 0))
		if n := c.Len(); n != 2 {
			t.Fatalf("Len = %d after release (was %d); want the other context and its hash", n, before)
		}
		for _, tc := range []struct {
			name string
			err  func() error
		}{
			{"HashData", func() error { return c.HashData(hh, []byte("x"), 0) }},
			{"GetHashParam", func() error { _, err := c.GetHashParam(hh, HP_HASHVAL, 0); return err }},
			{"SetHashParam", func() error { return c.SetHashParam(hmacHash, HP_HMAC_INFO, HMACInfo(CALG_SHA1), 0) }},
			{"SignHash", func() error { _, err := c.SignHash(hh, AT_SIGNATURE, 0); return err }},
			{"VerifySignature(hash)", func() error { return c.VerifySignature(hh, sig, pub, 0) }},
			{"VerifySignature(key)", func() error {
				return c.VerifySignature(hashOf(t, c, live, CALG_SHA_256, "data"), sig, pub, 0)
			}},
			{"DeriveKey(base)", func() error { _, err := c.DeriveKey(live, CALG_AES_128, hh, 0); return err }},
			{"Encrypt", func() error { _, err := c.Encrypt(k, 0, true, 0, []byte("x")); return err }},
			{"Decrypt", func() error { _, err := c.Decrypt(k, 0, true, 0, ct); return err }},
			{"Encrypt(hash)", func() error {
				lk := derivedKey(t, c, live, CALG_AES_128)
				_, err := c.Encrypt(lk, hh, true, 0, []byte("x"))
				return err
			}},
			{"SetKeyParam", func() error { return c.SetKeyParam(k, KP_IV, make([]byte, 16), 0) }},
			{"GetKeyParam", func() error { _, err := c.GetKeyParam(pub, KP_KEYLEN, 0); return err }},
			{"CreateHash(HMAC key)", func() error { _, err := c.CreateHash(live, CALG_HMAC, k, 0); return err }},
			{"DestroyKey", func() error { return c.DestroyKey(k) }},
			{"DestroyKey again", func() error { return c.DestroyKey(k) }},
			{"DestroyKey(pair)", func() error { return c.DestroyKey(pub) }},
			{"DestroyHash", func() error { return c.DestroyHash(hh) }},
			{"DestroyHash again", func() error { return c.DestroyHash(hh) }},
		} {
			csptest.Is(t, tc.name, tc.err(), want)
		}
		// Nothing else was touched, nothing was freed twice.
		csptest.OK(t, c.HashData(liveHash, []byte("y"), 0))
		csptest.OK(t, c.ReleaseContext(live, 0))
		c.tab.Reclaim()
		if n := c.Len(); n != 0 {
			t.Fatalf("Len = %d; want 0", n)
		}
	}
}

// Contract: the memory of the keys and hashes of a released context is reclaimed without
// any call on them.
func TestChildrenMemoryReclaimed(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	const n = 2000
	var freed atomic.Int64
	for range n {
		hh := hashOf(t, c, h, CALG_SHA_256, "x")
		o, _ := c.tab.Get(engineOf(c, uint64(hh), kindHash))
		runtime.AddCleanup(o, func(*atomic.Int64) { freed.Add(1) }, &freed)
	}
	csptest.OK(t, c.ReleaseContext(h, 0))
	// The engine sweeps orphans as later handles are inserted; Reclaim finishes at once.
	if got := c.tab.Reclaim(); got != n {
		t.Fatalf("Reclaim freed %d slots; want %d", got, n)
	}
	for i := 0; i < 50 && freed.Load() < n*9/10; i++ {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	// The table's per-processor free-slot caches may keep a few dozen objects alive until
	// their slots are reused (see engine.pushLocal); everything else must be collected.
	if got := freed.Load(); got < n*9/10 {
		t.Fatalf("%d of %d hash objects collected", got, n)
	}
	if c.Len() != 0 {
		t.Fatal("leak")
	}
}

func engineOf(c *CSP, h uint64, k kind) engine.Handle { return engine.Handle(h ^ c.masks[k]) }

// Contract: the container and its key pairs outlive the context: a later AcquireContext of
// the same container gets the same pairs (GetUserKey + a signature that verifies with the old
// key). Only CRYPT_DELETEKEYSET deletes a container.
func TestContainerOutlivesContext(t *testing.T) {
	for _, store := range []string{"mem", "dir"} {
		t.Run(store, func(t *testing.T) {
			var opts []Option
			if store == "dir" {
				opts = append(opts, WithStore(csptest.Must(DirStore(t.TempDir()))(t)))
			}
			c := New(opts...)
			h1 := csptest.Must(c.AcquireContext("keep", "", PROV_RSA_AES, CRYPT_NEWKEYSET))(t)
			k1 := csptest.Must(c.GenKey(h1, AT_SIGNATURE, 0))(t)
			sig := csptest.Must(c.SignHash(hashOf(t, c, h1, CALG_SHA_256, "message"), AT_SIGNATURE, 0))(t)
			csptest.OK(t, c.ReleaseContext(h1, 0))
			csptest.Is(t, "old key handle", c.DestroyKey(k1), NTE_BAD_UID)

			h2 := csptest.Must(c.AcquireContext("keep", "", PROV_RSA_AES, 0))(t)
			k2 := csptest.Must(c.GetUserKey(h2, AT_SIGNATURE))(t)
			csptest.OK(t, c.VerifySignature(hashOf(t, c, h2, CALG_SHA_256, "message"), sig, k2, 0))
			// PKCS#1 v1.5 is deterministic: the same pair signs identically.
			if again := csptest.Must(c.SignHash(hashOf(t, c, h2, CALG_SHA_256, "message"), AT_SIGNATURE, 0))(t); !bytes.Equal(again, sig) {
				t.Fatal("the reopened container signs differently")
			}
			_, err := c.GetUserKey(h2, AT_KEYEXCHANGE)
			csptest.Is(t, "GetUserKey of a spec never generated", err, NTE_NO_KEY)
			csptest.OK(t, c.ReleaseContext(h2, 0))

			// Deleting is the only way to lose it.
			del, err := c.AcquireContext("keep", "", PROV_RSA_AES, CRYPT_DELETEKEYSET)
			if del != 0 || err != nil {
				t.Fatalf("CRYPT_DELETEKEYSET = %#x, %v; want 0, nil", del, err)
			}
			_, err = c.AcquireContext("keep", "", PROV_RSA_AES, 0)
			csptest.Is(t, "open after delete", err, NTE_BAD_KEYSET)
			_, err = c.AcquireContext("keep", "", PROV_RSA_AES, CRYPT_DELETEKEYSET)
			csptest.Is(t, "delete twice", err, NTE_BAD_KEYSET)
			if c.Len() != 0 {
				t.Fatal("leak")
			}
		})
	}
}

// Contract: CRYPT_VERIFYCONTEXT contexts have no container: their key pairs are ephemeral.
func TestVerifyContextHasNoContainer(t *testing.T) {
	store := MemStore()
	c := New(WithStore(store))
	h := verifyCtx(t, c)
	_, err := c.GetUserKey(h, AT_SIGNATURE)
	csptest.Is(t, "GetUserKey before GenKey", err, NTE_NO_KEY)
	k := csptest.Must(c.GenKey(h, AT_SIGNATURE, 0))(t)
	pub := csptest.Must(c.GetUserKey(h, AT_SIGNATURE))(t)
	sig := csptest.Must(c.SignHash(hashOf(t, c, h, CALG_SHA1, "m"), AT_SIGNATURE, 0))(t)
	csptest.OK(t, c.VerifySignature(hashOf(t, c, h, CALG_SHA1, "m"), sig, pub, 0))
	csptest.OK(t, c.VerifySignature(hashOf(t, c, h, CALG_SHA1, "m"), sig, k, 0))
	_, err = c.SignHash(hashOf(t, c, h, CALG_SHA1, "m"), AT_KEYEXCHANGE, 0)
	csptest.Is(t, "SignHash with a spec never generated", err, NTE_NO_KEY)
	// Another verify context does not see it, and nothing reached the store.
	h2 := verifyCtx(t, c)
	_, err = c.GetUserKey(h2, AT_SIGNATURE)
	csptest.Is(t, "another verify context", err, NTE_NO_KEY)
	for _, name := range []string{"", "default"} {
		if _, err := store.Load(name); err == nil {
			t.Errorf("container %q appeared in the store", name)
		}
	}
	csptest.OK(t, c.ReleaseContext(h, 0))
	csptest.OK(t, c.ReleaseContext(h2, 0))
	if n := c.sideN.Load(); n != 0 || len(c.side) != 0 {
		t.Fatalf("ephemeral pairs left: %d", n)
	}
	if c.Len() != 0 {
		t.Fatal("leak")
	}
}

// Contexts still open on a deleted container get NTE_BAD_KEYSET from the calls that need its
// key pairs, even after a container of the same name is created again.
func TestDeletedContainer(t *testing.T) {
	c := New()
	h := containerWithKeys(t, c, "gone")
	hh := hashOf(t, c, h, CALG_SHA_256, "m")
	_ = csptest.Must(c.AcquireContext("gone", "", PROV_RSA_AES, CRYPT_DELETEKEYSET))(t)
	_, err := c.GetUserKey(h, AT_SIGNATURE)
	csptest.Is(t, "GetUserKey", err, NTE_BAD_KEYSET)
	_, err = c.SignHash(hh, AT_SIGNATURE, 0)
	csptest.Is(t, "SignHash", err, NTE_BAD_KEYSET)
	h2 := csptest.Must(c.AcquireContext("gone", "", PROV_RSA_AES, CRYPT_NEWKEYSET))(t)
	_, err = c.GetUserKey(h, AT_SIGNATURE)
	csptest.Is(t, "GetUserKey after the name was reused", err, NTE_BAD_KEYSET)
	_, err = c.GenKey(h, AT_KEYEXCHANGE, 0)
	csptest.Is(t, "GenKey into the deleted container", err, NTE_BAD_KEYSET)
	_, err = c.GetUserKey(h2, AT_KEYEXCHANGE)
	csptest.Is(t, "the new container did not receive it", err, NTE_NO_KEY)
	// The context itself still works for what needs no container.
	csptest.OK(t, c.HashData(hashOf(t, c, h, CALG_SHA1, "x"), []byte("y"), 0))
}

// Precedence: an empty name without CRYPT_VERIFYCONTEXT is the default container, its name an
// option; CRYPT_MACHINE_KEYSET is a namespace apart.
func TestDefaultAndMachineContainers(t *testing.T) {
	store := MemStore()
	c := New(WithStore(store), WithDefaultContainer("me"))
	h := csptest.Must(c.AcquireContext("", "", PROV_RSA_FULL, CRYPT_NEWKEYSET))(t)
	if _, err := store.Load("me"); err != nil {
		t.Fatalf("the default container is not named by the option: %v", err)
	}
	_, err := c.AcquireContext("me", "", PROV_RSA_FULL, CRYPT_NEWKEYSET)
	csptest.Is(t, "the default container by name", err, NTE_EXISTS)
	m := csptest.Must(c.AcquireContext("me", "", PROV_RSA_FULL, CRYPT_NEWKEYSET|CRYPT_MACHINE_KEYSET))(t)
	_, err = c.AcquireContext("other", "", PROV_RSA_FULL, CRYPT_MACHINE_KEYSET)
	csptest.Is(t, "missing machine container", err, NTE_BAD_KEYSET)
	csptest.OK(t, c.ReleaseContext(h, 0))
	csptest.OK(t, c.ReleaseContext(m, 0))
	_ = csptest.Must(c.AcquireContext("me", "", PROV_RSA_FULL, CRYPT_DELETEKEYSET|CRYPT_MACHINE_KEYSET))(t)
	_ = csptest.Must(c.AcquireContext("", "", PROV_RSA_FULL, CRYPT_SILENT))(t) // the user's is still there
	d := New()
	_ = csptest.Must(d.AcquireContext("", "", PROV_RSA_FULL, CRYPT_NEWKEYSET))(t)
	_ = csptest.Must(d.AcquireContext("default", "", PROV_RSA_FULL, 0))(t)
}

// Contract lines on AcquireContext and on algorithm errors, and the precedence rules on names,
// providers and flags.
func TestAcquireErrors(t *testing.T) {
	c := New()
	_ = csptest.Must(c.AcquireContext("exists", "", PROV_RSA_AES, CRYPT_NEWKEYSET))(t)
	for _, tc := range []struct {
		name            string
		container, prov string
		provType, flags uint32
		want            Errno
	}{
		{"missing container", "missing", "", PROV_RSA_AES, 0, NTE_BAD_KEYSET},
		{"new existing", "exists", "", PROV_RSA_AES, CRYPT_NEWKEYSET, NTE_EXISTS},
		{"261-byte name", strings.Repeat("n", 261), "", PROV_RSA_AES, CRYPT_NEWKEYSET, NTE_BAD_KEYSET_PARAM},
		{"260-byte name", strings.Repeat("n", 260), "", PROV_RSA_AES, CRYPT_NEWKEYSET, 0},
		{"NUL in name", "a\x00b", "", PROV_RSA_AES, CRYPT_NEWKEYSET, NTE_BAD_KEYSET_PARAM},
		{"slash in name", "a/b", "", PROV_RSA_AES, CRYPT_NEWKEYSET, NTE_BAD_KEYSET_PARAM},
		{"backslash in name", `a\b`, "", PROV_RSA_AES, CRYPT_NEWKEYSET, NTE_BAD_KEYSET_PARAM},
		{"dot-dot name is just a name", "..", "", PROV_RSA_AES, CRYPT_NEWKEYSET, 0},
		{"invalid name when opening", "a/b", "", PROV_RSA_AES, 0, NTE_BAD_KEYSET_PARAM},
		{"invalid name when deleting", "a/b", "", PROV_RSA_AES, CRYPT_DELETEKEYSET, NTE_BAD_KEYSET_PARAM},
		{"provider type 0", "", "", 0, CRYPT_VERIFYCONTEXT, NTE_BAD_PROV_TYPE},
		{"provider type 1000", "", "", 1000, CRYPT_VERIFYCONTEXT, NTE_BAD_PROV_TYPE},
		{"provider type 1000 with a name", "", MS_ENHANCED_PROV, 1000, CRYPT_VERIFYCONTEXT, NTE_BAD_PROV_TYPE},
		{"provider type MAXPROVTYPES", "", "", MAXPROVTYPES, CRYPT_VERIFYCONTEXT, NTE_PROV_TYPE_NOT_DEF},
		{"provider type PROV_RSA_SIG", "", "", 2, CRYPT_VERIFYCONTEXT, NTE_PROV_TYPE_NOT_DEF},
		{"AES provider name", "", MS_ENH_RSA_AES_PROV, PROV_RSA_AES, CRYPT_VERIFYCONTEXT, 0},
		{"AES provider name, any case", "", strings.ToUpper(MS_ENH_RSA_AES_PROV), PROV_RSA_AES, CRYPT_VERIFYCONTEXT, 0},
		{"AES provider name as PROV_RSA_FULL", "", MS_ENH_RSA_AES_PROV, PROV_RSA_FULL, CRYPT_VERIFYCONTEXT, NTE_PROV_TYPE_NO_MATCH},
		{"base provider", "", MS_DEF_PROV, PROV_RSA_FULL, CRYPT_VERIFYCONTEXT, 0},
		{"enhanced provider", "", MS_ENHANCED_PROV, PROV_RSA_FULL, CRYPT_VERIFYCONTEXT, 0},
		{"strong provider", "", MS_STRONG_PROV, PROV_RSA_FULL, CRYPT_VERIFYCONTEXT, 0},
		{"enhanced provider as PROV_RSA_AES", "", MS_ENHANCED_PROV, PROV_RSA_AES, CRYPT_VERIFYCONTEXT, NTE_PROV_TYPE_NO_MATCH},
		{"unknown provider name", "", "Microsoft RSA SChannel Cryptographic Provider", PROV_RSA_FULL, CRYPT_VERIFYCONTEXT, NTE_KEYSET_NOT_DEF},
		{"verify context with a name", "exists", "", PROV_RSA_AES, CRYPT_VERIFYCONTEXT, NTE_BAD_FLAGS},
		{"verify context deleting", "", "", PROV_RSA_AES, CRYPT_VERIFYCONTEXT | CRYPT_DELETEKEYSET, NTE_BAD_FLAGS},
		{"verify context with NEWKEYSET", "", "", PROV_RSA_AES, CRYPT_VERIFYCONTEXT | CRYPT_NEWKEYSET, 0},
		{"part of CRYPT_VERIFYCONTEXT", "", "", PROV_RSA_AES, 0x10000000, NTE_BAD_FLAGS},
		{"unknown flag", "exists", "", PROV_RSA_AES, 0x4, NTE_BAD_FLAGS},
		{"new and delete", "exists", "", PROV_RSA_AES, CRYPT_NEWKEYSET | CRYPT_DELETEKEYSET, NTE_BAD_FLAGS},
		{"silent and machine", "", "", PROV_RSA_AES, CRYPT_VERIFYCONTEXT | CRYPT_SILENT | CRYPT_MACHINE_KEYSET, 0},
	} {
		h, err := c.AcquireContext(tc.container, tc.prov, tc.provType, tc.flags)
		csptest.Is(t, tc.name, err, tc.want)
		if (err == nil) != (h != 0) {
			t.Errorf("%s: handle %#x with error %v", tc.name, h, err)
		}
		if h != 0 {
			csptest.OK(t, c.ReleaseContext(h, 0))
		}
	}
}

// Precedence: PROV_RSA_FULL offers neither AES nor SHA-2 (NTE_BAD_ALGID), PROV_RSA_AES all;
// unknown algorithms are NTE_BAD_ALGID everywhere.
func TestAlgorithmsByProviderType(t *testing.T) {
	c := New()
	full := csptest.Must(c.AcquireContext("", "", PROV_RSA_FULL, CRYPT_VERIFYCONTEXT))(t)
	aes := verifyCtx(t, c)
	for _, tc := range []struct {
		alg        uint32
		hash       bool
		full, aesT Errno
	}{
		{CALG_MD5, true, 0, 0},
		{CALG_SHA1, true, 0, 0},
		{CALG_SHA_256, true, NTE_BAD_ALGID, 0},
		{CALG_SHA_384, true, NTE_BAD_ALGID, 0},
		{CALG_SHA_512, true, NTE_BAD_ALGID, 0},
		{0x8001, true, NTE_BAD_ALGID, NTE_BAD_ALGID}, // CALG_MD2
		{CALG_AES_128, true, NTE_BAD_ALGID, NTE_BAD_ALGID},
		{CALG_AES_128, false, NTE_BAD_ALGID, 0},
		{CALG_AES_192, false, NTE_BAD_ALGID, 0},
		{CALG_AES_256, false, NTE_BAD_ALGID, 0},
		{CALG_RC4, false, 0, 0},
		{CALG_DES, false, 0, 0},
		{CALG_3DES, false, 0, 0},
		{CALG_3DES_112, false, 0, 0},
		{CALG_MD4, true, 0, 0},
		{CALG_RC2, false, NTE_BAD_ALGID, NTE_BAD_ALGID}, // not offered: no RC2 in Go
		{CALG_SHA1, false, NTE_BAD_ALGID, NTE_BAD_ALGID},
		{CALG_HMAC, false, NTE_BAD_ALGID, NTE_BAD_ALGID},
	} {
		for _, p := range []struct {
			h    ProvHandle
			want Errno
		}{{full, tc.full}, {aes, tc.aesT}} {
			var err error
			if tc.hash {
				_, err = c.CreateHash(p.h, tc.alg, 0, 0)
			} else {
				_, err = c.GenKey(p.h, tc.alg, 0)
			}
			csptest.Is(t, "algorithm "+string(rune('0'+int(tc.alg%10))), err, p.want)
		}
		hh := hashOf(t, c, aes, CALG_SHA1, "x")
		if !tc.hash {
			_, err := c.DeriveKey(full, tc.alg, hh, 0)
			want := tc.full
			csptest.Is(t, "DeriveKey under PROV_RSA_FULL", err, want)
		}
	}
	_, err := c.GenKey(aes, CALG_AES_128, 256<<16)
	csptest.Is(t, "GenKey key length mismatch", err, NTE_BAD_FLAGS)
	_, err = c.GenKey(aes, CALG_AES_128, 128<<16|CRYPT_EXPORTABLE)
	csptest.Is(t, "GenKey key length match", err, Errno(0))
	_, err = c.GenKey(aes, AT_SIGNATURE, 1020<<16)
	csptest.Is(t, "RSA key length not a multiple of 8", err, NTE_BAD_FLAGS)
	_, err = c.GenKey(aes, AT_SIGNATURE, 16392<<16)
	csptest.Is(t, "RSA key length beyond the maximum", err, NTE_BAD_FLAGS)
	_, err = c.GenKey(aes, CALG_AES_128, 0x200)
	csptest.Is(t, "GenKey unknown flag", err, NTE_BAD_FLAGS)
	_, err = c.CreateHash(aes, CALG_SHA1, 0, 1)
	csptest.Is(t, "CreateHash flags", err, NTE_BAD_FLAGS)
	_, err = c.GetUserKey(aes, 3)
	csptest.Is(t, "GetUserKey of an unknown spec", err, NTE_NO_KEY)
	_, err = c.SignHash(hashOf(t, c, aes, CALG_SHA1, "x"), 3, 0)
	csptest.Is(t, "SignHash with an unknown spec", err, NTE_BAD_ALGID)
	_, err = c.SignHash(hashOf(t, c, aes, CALG_SHA1, "x"), AT_SIGNATURE, 2)
	csptest.Is(t, "SignHash flags", err, NTE_BAD_FLAGS)
}

// Contract: HashData after HP_HASHVAL was read is NTE_BAD_HASH_STATE.
func TestHashState(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	hh := hashOf(t, c, h, CALG_SHA_256, "abc")
	_ = csptest.Must(c.GetHashParam(hh, HP_HASHSIZE, 0))(t) // not the value: still open
	csptest.OK(t, c.HashData(hh, nil, 0))
	_ = csptest.Must(c.GetHashParam(hh, HP_HASHVAL, 0))(t)
	csptest.Is(t, "HashData after HP_HASHVAL", c.HashData(hh, []byte("x"), 0), NTE_BAD_HASH_STATE)
	csptest.Is(t, "HashData flags", c.HashData(hh, []byte("x"), 2), NTE_BAD_FLAGS)
	_, err := c.GetHashParam(hh, HP_HASHVAL, 1)
	csptest.Is(t, "GetHashParam flags", err, NTE_BAD_FLAGS)
	// The value of an empty hash is the hash of nothing.
	e := csptest.Must(c.CreateHash(h, CALG_MD5, 0, 0))(t)
	if v := csptest.Must(c.GetHashParam(e, HP_HASHVAL, 0))(t); !bytes.Equal(v, unhex("d41d8cd98f00b204e9800998ecf8427e")) {
		t.Fatalf("MD5 of nothing = %x", v)
	}
}

// Precedence: handle checks come before flag checks; a busy last release is ERROR_BUSY
// whatever the flags (see TestBusy); a key passed as a hash or the reverse is
// ERROR_INVALID_HANDLE; zero key and hash handles are NTE_BAD_KEY and NTE_BAD_HASH.
func TestPrecedence(t *testing.T) {
	f := newFixture(t)
	c := f.c
	for _, tc := range []struct {
		name string
		err  error
		want Errno
	}{
		{"released context and bad flags", c.ReleaseContext(f.staleCtx, 1), NTE_BAD_UID},
		{"AddRef of a released context and bad flags", c.ContextAddRef(f.staleCtx, 1), NTE_BAD_UID},
		{"zero context and bad flags", c.ReleaseContext(0, 1), NTE_BAD_UID},
		{"key as context and bad flags", c.ReleaseContext(ProvHandle(f.key), 1), ERROR_INVALID_HANDLE},
		{"destroyed hash and bad flags", c.HashData(f.staleHash, nil, 1), NTE_BAD_HASH},
		{"orphan hash and bad flags", c.HashData(f.orphHash, nil, 1), NTE_BAD_UID},
		{"destroyed key and bad flags", func() error { _, err := c.Encrypt(f.staleKey, 0, true, 1, nil); return err }(), NTE_BAD_KEY},
		{"key as hash", c.HashData(HashHandle(f.key), nil, 0), ERROR_INVALID_HANDLE},
		{"hash as key", c.DestroyKey(KeyHandle(f.hash)), ERROR_INVALID_HANDLE},
		{"zero key", c.DestroyKey(0), NTE_BAD_KEY},
		{"zero hash", c.DestroyHash(0), NTE_BAD_HASH},
		{"destroyed before, context released", c.DestroyHash(f.deadHash), NTE_BAD_UID},
		{"bad hash and bad key: the first handle wins", c.VerifySignature(f.staleHash, nil, f.staleKey, 1), NTE_BAD_HASH},
		{"live handles, bad flags", c.HashData(f.hash, nil, 2), NTE_BAD_FLAGS},
	} {
		csptest.Is(t, tc.name, tc.err, tc.want)
	}
	f.checkLive(t)
}

// Contract: the directory store keeps containers across a restart, and a damaged file is a
// clear error for its container alone.
func TestDirStoreRestart(t *testing.T) {
	dir := t.TempDir()
	c := New(WithStore(csptest.Must(DirStore(dir))(t)))
	h := csptest.Must(c.AcquireContext("persist", "", PROV_RSA_AES, CRYPT_NEWKEYSET))(t)
	_ = csptest.Must(c.GenKey(h, AT_KEYEXCHANGE, 0))(t)
	ct := csptest.Must(c.Encrypt(csptest.Must(c.GetUserKey(h, AT_KEYEXCHANGE))(t), 0, true, 0, []byte("across restarts")))(t)
	_ = csptest.Must(c.AcquireContext("other", "", PROV_RSA_AES, CRYPT_NEWKEYSET))(t)
	// "Restart": a new provider on the same directory.
	c2 := New(WithStore(csptest.Must(DirStore(dir))(t)))
	h2 := csptest.Must(c2.AcquireContext("persist", "", PROV_RSA_AES, 0))(t)
	kx := csptest.Must(c2.GetUserKey(h2, AT_KEYEXCHANGE))(t)
	if p := csptest.Must(c2.Decrypt(kx, 0, true, 0, ct))(t); string(p) != "across restarts" {
		t.Fatalf("decrypted %q", p)
	}
	// Damage the file of "persist".
	file := c2.store.(*dirStore).path("persist")
	b, err := os.ReadFile(file)
	csptest.OK(t, err)
	csptest.OK(t, os.WriteFile(file, b[:len(b)-40], 0o600))
	c3 := New(WithStore(csptest.Must(DirStore(dir))(t)))
	_, err = c3.AcquireContext("persist", "", PROV_RSA_AES, 0)
	csptest.Is(t, "opening a truncated container", err, NTE_BAD_KEYSET)
	if err != nil && !strings.Contains(err.Error(), "unreadable") {
		t.Errorf("error %q is not clear about the damage", err)
	}
	_, err = c2.GetUserKey(h2, AT_KEYEXCHANGE) // a context opened before the damage
	csptest.Is(t, "a context on the damaged container", err, NTE_BAD_KEYSET)
	_ = csptest.Must(c3.AcquireContext("other", "", PROV_RSA_AES, 0))(t)
}

// Limits of the table: more than 32767 references, or more handles than the capacity.
func TestLimits(t *testing.T) {
	c := New(WithMaxHandles(3))
	h := verifyCtx(t, c)
	for i := 1; i < engine.MaxRefs; i++ {
		if err := c.ContextAddRef(h, 0); err != nil {
			t.Fatalf("AddRef %d: %v", i, err)
		}
	}
	csptest.Is(t, "AddRef beyond the limit", c.ContextAddRef(h, 0), ERROR_ARITHMETIC_OVERFLOW)
	for range engine.MaxRefs - 1 {
		csptest.OK(t, c.ReleaseContext(h, 0))
	}
	if !alive(c, h) {
		t.Fatal("the failed AddRef dropped a reference")
	}
	_ = hashOf(t, c, h, CALG_SHA1, "x")
	_ = verifyCtx(t, c)
	_, err := c.AcquireContext("", "", PROV_RSA_AES, CRYPT_VERIFYCONTEXT)
	csptest.Is(t, "AcquireContext in a full table", err, NTE_NO_MEMORY)
	_, err = c.CreateHash(h, CALG_SHA1, 0, 0)
	csptest.Is(t, "CreateHash in a full table", err, NTE_NO_MEMORY)
}
