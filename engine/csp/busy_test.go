package csp

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// gate makes the next operation that pins a handle stop while holding its pins, until open.
type gate struct {
	armed   atomic.Bool
	entered chan struct{}
	leave   chan struct{}
}

func hold(c *CSP) *gate {
	g := &gate{entered: make(chan struct{}), leave: make(chan struct{})}
	g.armed.Store(true)
	c.afterPin = func() {
		if g.armed.CompareAndSwap(true, false) {
			close(g.entered)
			<-g.leave
		}
	}
	return g
}

// Contract: ERROR_BUSY: the last ReleaseContext while another goroutine has an operation in
// flight on that context or on one of its keys or hashes fails with ERROR_BUSY and releases
// nothing, whatever the flags. A release that is not the last just drops its reference.
func TestBusy(t *testing.T) {
	ops := []struct {
		name string
		do   func(c *CSP, h ProvHandle, k KeyHandle, hh HashHandle) error
	}{
		{"CreateHash on the context", func(c *CSP, h ProvHandle, _ KeyHandle, _ HashHandle) error {
			_, err := c.CreateHash(h, CALG_SHA1, 0, 0)
			return err
		}},
		{"GetUserKey on the context", func(c *CSP, h ProvHandle, _ KeyHandle, _ HashHandle) error {
			_, err := c.GetUserKey(h, AT_SIGNATURE)
			return err
		}},
		{"Encrypt with a key", func(c *CSP, _ ProvHandle, k KeyHandle, _ HashHandle) error {
			_, err := c.Encrypt(k, 0, true, 0, []byte("x"))
			return err
		}},
		{"GetKeyParam of a key", func(c *CSP, _ ProvHandle, k KeyHandle, _ HashHandle) error {
			_, err := c.GetKeyParam(k, KP_ALGID, 0)
			return err
		}},
		{"HashData on a hash", func(c *CSP, _ ProvHandle, _ KeyHandle, hh HashHandle) error {
			return c.HashData(hh, []byte("x"), 0)
		}},
		{"SignHash of a hash", func(c *CSP, _ ProvHandle, _ KeyHandle, hh HashHandle) error {
			_, err := c.SignHash(hh, AT_SIGNATURE, 0)
			return err
		}},
		// Issue 14's calls.
		{"GenRandom on the context", func(c *CSP, h ProvHandle, _ KeyHandle, _ HashHandle) error {
			return c.GenRandom(h, make([]byte, 4))
		}},
		{"GetProvParam enumerating", func(c *CSP, h ProvHandle, _ KeyHandle, _ HashHandle) error {
			_, err := c.GetProvParam(h, PP_ENUMALGS, CRYPT_FIRST)
			return err
		}},
		{"SetProvParam", func(c *CSP, h ProvHandle, _ KeyHandle, _ HashHandle) error {
			return c.SetProvParam(h, PP_KEYSET_SEC_DESCR, nil, 0)
		}},
		{"ImportKey into the context", func(c *CSP, h ProvHandle, _ KeyHandle, _ HashHandle) error {
			_, err := c.ImportKey(h, plaintextBlob(CALG_DES, make([]byte, 8)), 0, 0)
			return err
		}},
		{"ExportKey of a key", func(c *CSP, _ ProvHandle, k KeyHandle, _ HashHandle) error {
			_, err := c.ExportKey(k, 0, PLAINTEXTKEYBLOB, 0)
			if code(err) == NTE_BAD_KEY_STATE {
				return nil // the key is not exportable: the call still held its pins
			}
			return err
		}},
		{"DuplicateKey", func(c *CSP, _ ProvHandle, k KeyHandle, _ HashHandle) error {
			_, err := c.DuplicateKey(k, 0)
			return err
		}},
		{"DuplicateHash", func(c *CSP, _ ProvHandle, _ KeyHandle, hh HashHandle) error {
			_, err := c.DuplicateHash(hh, 0)
			return err
		}},
		{"HashSessionKey", func(c *CSP, _ ProvHandle, k KeyHandle, hh HashHandle) error {
			return c.HashSessionKey(hh, k, 0)
		}},
	}
	for _, op := range ops {
		for _, refs := range []int{1, 2} {
			for _, flags := range []uint32{0, 1} {
				for _, advapi := range []bool{false, true} {
					var opts []Option
					if advapi {
						opts = append(opts, WithAdvapiErrors())
					}
					c := New(opts...)
					h := containerWithKeys(t, c, "busy")
					k := derivedKey(t, c, h, CALG_AES_128)
					hh := hashOf(t, c, h, CALG_SHA_256, "x")
					for range refs - 1 {
						csptest.OK(t, c.ContextAddRef(h, 0))
					}
					g := hold(c)
					done := make(chan error)
					go func() { done <- op.do(c, h, k, hh) }()
					<-g.entered
					err := c.ReleaseContext(h, flags)
					switch {
					case refs == 1:
						csptest.Is(t, op.name+": last release", err, ERROR_BUSY)
					case flags != 0:
						csptest.Is(t, op.name+": release with flags, not the last", err, NTE_BAD_FLAGS)
					default:
						csptest.Is(t, op.name+": release, not the last", err, Errno(0))
					}
					close(g.leave)
					if err := <-done; err != nil {
						t.Errorf("%s: the operation in flight failed: %v", op.name, err)
					}
					// Nothing was released by the busy call; one reference is left either way.
					if !alive(c, h) {
						t.Fatalf("%s refs=%d flags=%d: context released", op.name, refs, flags)
					}
					if _, err := c.GetKeyParam(k, KP_ALGID, 0); err != nil {
						t.Fatalf("%s: key lost: %v", op.name, err)
					}
					csptest.OK(t, c.ReleaseContext(h, 0))
					csptest.Is(t, "after", c.ContextAddRef(h, 0), map[bool]Errno{false: NTE_BAD_UID, true: ERROR_INVALID_PARAMETER}[advapi])
					c.tab.Reclaim()
					if n := c.Len(); n != 0 {
						t.Fatalf("Len = %d", n)
					}
				}
			}
		}
	}
}

// DestroyKey and DestroyHash of an object in use by another goroutine are ERROR_BUSY too, and
// an operation in flight on another context's objects does not make a context busy.
func TestBusyObjects(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	other := verifyCtx(t, c)
	k := derivedKey(t, c, h, CALG_AES_128)
	hh := hashOf(t, c, h, CALG_SHA_256, "x")
	ok_ := hashOf(t, c, other, CALG_SHA_256, "x")
	for _, tc := range []struct {
		name    string
		op      func() error
		destroy func() error
	}{
		{"hash", func() error { return c.HashData(hh, nil, 0) }, func() error { return c.DestroyHash(hh) }},
		{"key", func() error { _, err := c.GetKeyParam(k, KP_IV, 0); return err }, func() error { return c.DestroyKey(k) }},
	} {
		g := hold(c)
		done := make(chan error)
		go func() { done <- tc.op() }()
		<-g.entered
		csptest.Is(t, "Destroy of a "+tc.name+" in use", tc.destroy(), ERROR_BUSY)
		csptest.Is(t, "last release of an idle context", c.ReleaseContext(other, 0), Errno(0))
		other = verifyCtx(t, c)
		close(g.leave)
		csptest.OK(t, <-done)
		csptest.OK(t, tc.destroy())
	}
	_ = ok_
	csptest.OK(t, c.ReleaseContext(h, 0))
	csptest.OK(t, c.ReleaseContext(other, 0))
}

// A release racing many operations: every outcome is one the contract allows, an operation
// that starts after the release returned fails with NTE_BAD_UID, and no handle leaks.
func TestReleaseRacingUse(t *testing.T) {
	busy := 0
	for round := range 20 {
		c := New()
		h := verifyCtx(t, c)
		k := derivedKey(t, c, h, CALG_AES_128)
		shared := csptest.Must(c.CreateHash(h, CALG_SHA_256, 0, 0))(t)
		var released atomic.Bool
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 150 {
					after := released.Load()
					var err error
					switch (w + i) % 4 {
					case 0:
						err = c.HashData(shared, []byte("x"), 0)
					case 1:
						var hh HashHandle
						if hh, err = c.CreateHash(h, CALG_SHA_256, 0, 0); err == nil {
							_ = c.HashData(hh, []byte("y"), 0)
							_, _ = c.GetHashParam(hh, HP_HASHVAL, 0)
							_ = c.DestroyHash(hh)
						}
					case 2:
						_, err = c.Encrypt(k, 0, true, 0, []byte("z"))
					case 3:
						_, err = c.GetKeyParam(k, KP_ALGID, 0)
					}
					switch {
					case err == nil && after:
						t.Errorf("round %d: an operation started after the release succeeded", round)
						return
					case err != nil && code(err) != NTE_BAD_UID:
						t.Errorf("round %d: unexpected %v", round, err)
						return
					}
				}
			}()
		}
		// Release at a different moment each round, retrying while busy; once the workers
		// are done it cannot be busy.
		for range round * 20 {
			runtime.Gosched()
		}
		for {
			err := c.ReleaseContext(h, 0)
			if err == nil {
				released.Store(true)
				break
			}
			if code(err) != ERROR_BUSY {
				t.Fatalf("ReleaseContext: %v", err)
			}
			busy++
			runtime.Gosched()
		}
		wg.Wait()
		if n := c.Len(); n != 0 {
			t.Fatalf("round %d: Len = %d", round, n)
		}
		csptest.Is(t, "the shared hash", c.HashData(shared, nil, 0), NTE_BAD_UID)
		csptest.Is(t, "the key", c.DestroyKey(k), NTE_BAD_UID)
	}
	t.Logf("%d ERROR_BUSY answers before releases went through", busy)
}

// A destroy racing use of the same hash: the user sees success until the destroy, then
// NTE_BAD_HASH; the destroyer sees ERROR_BUSY until it succeeds.
func TestDestroyRacingUse(t *testing.T) {
	c := New()
	h := verifyCtx(t, c)
	for range 50 {
		hh := csptest.Must(c.CreateHash(h, CALG_SHA1, 0, 0))(t)
		var destroyed atomic.Bool
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			for {
				after := destroyed.Load()
				err := c.HashData(hh, []byte("x"), 0)
				if err != nil {
					if code(err) != NTE_BAD_HASH {
						t.Errorf("HashData: %v", err)
					}
					return
				}
				if after {
					t.Error("HashData succeeded after DestroyHash returned")
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for {
				err := c.DestroyHash(hh)
				if err == nil {
					destroyed.Store(true)
					return
				}
				if code(err) != ERROR_BUSY {
					t.Errorf("DestroyHash: %v", err)
					return
				}
			}
		}()
		wg.Wait()
	}
	csptest.OK(t, c.ReleaseContext(h, 0))
	if c.Len() != 0 {
		t.Fatal("leak")
	}
}

// Many goroutines sharing one context by reference counting, each with its own hashes and
// keys, plus concurrent use of one hash object: all references balance, no leak, and the
// shared hash serialises its writers.
func TestConcurrentStorm(t *testing.T) {
	c := New()
	shared := verifyCtx(t, c)
	sk := derivedKey(t, c, shared, CALG_AES_256)
	sh := csptest.Must(c.CreateHash(shared, CALG_SHA_256, 0, 0))(t)
	const G, N = 8, 200
	var wg sync.WaitGroup
	for range G {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range N {
				if err := c.ContextAddRef(shared, 0); err != nil {
					t.Error(err)
					return
				}
				own, err := c.AcquireContext("", "", PROV_RSA_AES, CRYPT_VERIFYCONTEXT)
				if err != nil {
					t.Error(err)
					return
				}
				hh, err := c.CreateHash(own, CALG_HMAC, sk, 0)
				if err != nil {
					t.Error(err)
					return
				}
				_ = c.HashData(hh, []byte("data"), 0)
				if _, err := c.GetHashParam(hh, HP_HASHVAL, 0); err != nil {
					t.Error(err)
				}
				if err := c.HashData(sh, []byte("a"), 0); err != nil {
					t.Error(err)
				}
				if i%2 == 0 {
					_ = c.DestroyHash(hh)
				} // else: reclaimed with own
				if err := c.ReleaseContext(own, 0); err != nil {
					t.Error(err)
				}
				if err := c.ReleaseContext(shared, 0); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	v := csptest.Must(c.GetHashParam(sh, HP_HASHVAL, 0))(t)
	ref := csptest.Must(c.CreateHash(shared, CALG_SHA_256, 0, 0))(t)
	for range G * N {
		csptest.OK(t, c.HashData(ref, []byte("a"), 0))
	}
	if w := csptest.Must(c.GetHashParam(ref, HP_HASHVAL, 0))(t); string(w) != string(v) {
		t.Fatal("concurrent HashData on one hash lost or garbled data")
	}
	csptest.OK(t, c.ReleaseContext(shared, 0))
	if n := c.Len(); n != 0 {
		t.Fatalf("Len = %d", n)
	}
}

// Containers under concurrent use: opening, signing and a concurrent delete.
func TestConcurrentContainers(t *testing.T) {
	c := New()
	h := containerWithKeys(t, c, "shared")
	csptest.OK(t, c.ReleaseContext(h, 0))
	var wg sync.WaitGroup
	var deleting atomic.Bool
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				if w == 0 && i == 15 {
					deleting.Store(true) // from here on, NTE_BAD_KEYSET is allowed
					if _, err := c.AcquireContext("shared", "", PROV_RSA_AES, CRYPT_DELETEKEYSET); err != nil {
						t.Error(err)
					}
					continue
				}
				ctx, err := c.AcquireContext("shared", "", PROV_RSA_AES, 0)
				if err != nil {
					if code(err) != NTE_BAD_KEYSET || !deleting.Load() {
						t.Errorf("AcquireContext: %v", err)
					}
					continue
				}
				hh, _ := c.CreateHash(ctx, CALG_SHA_256, 0, 0)
				_, err = c.SignHash(hh, AT_SIGNATURE, 0)
				if err != nil && code(err) != NTE_BAD_KEYSET {
					t.Errorf("SignHash: %v", err)
				}
				if err := c.ReleaseContext(ctx, 0); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if n := c.Len(); n != 0 {
		t.Fatalf("Len = %d", n)
	}
}
