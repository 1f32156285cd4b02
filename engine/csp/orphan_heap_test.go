package csp_test

import (
	"errors"
	"runtime"
	"sync"
	"testing"

	"github.com/hprov/hprov/engine/csp"
)

// orphanStorm runs rounds of: acquire a context, create keys and hashes,
// release the context without destroying them, check they are rejected.
// The children are released only through their context.
func orphanStorm(t *testing.T, c *csp.CSP, workers, rounds int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			data := make([]byte, 64)
			for range rounds {
				h, err := c.AcquireContext("", "", csp.PROV_RSA_AES, csp.CRYPT_VERIFYCONTEXT)
				if err != nil {
					errs <- err
					return
				}
				var keys []csp.KeyHandle
				var hashes []csp.HashHandle
				for range 4 {
					k, err := c.GenKey(h, csp.CALG_AES_128, 0)
					if err != nil {
						errs <- err
						return
					}
					hh, err := c.CreateHash(h, csp.CALG_SHA_256, 0, 0)
					if err != nil {
						errs <- err
						return
					}
					if err := c.HashData(hh, data, 0); err != nil {
						errs <- err
						return
					}
					keys, hashes = append(keys, k), append(hashes, hh)
				}
				if err := c.ReleaseContext(h, 0); err != nil {
					errs <- err
					return
				}
				for i := range keys {
					if _, err := c.Encrypt(keys[i], 0, true, 0, data); !errors.Is(err, csp.NTE_BAD_UID) {
						errs <- err
						return
					}
					if err := c.HashData(hashes[i], data, 0); !errors.Is(err, csp.NTE_BAD_UID) {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("orphan storm: %v", err)
	}
	if n := c.Len(); n != 0 {
		t.Fatalf("Len = %d after the storm, want 0", n)
	}
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// After a long storm of orphans the heap is back near where a short storm
// left it: orphaned keys and hashes (their objects, their slots) are
// reclaimed although nobody destroyed them. A leak of even one small object
// per context would add megabytes over the long storm.
func TestOrphanStormHeapReturns(t *testing.T) {
	rounds := 20000
	if testing.Short() || raceEnabled {
		rounds = 4000
	}
	c := csp.New()
	orphanStorm(t, c, 4, rounds/10) // reach the steady state: pages, caches
	short := heapInUse()
	orphanStorm(t, c, 4, rounds) // ten times as many orphans
	long := heapInUse()
	t.Logf("heap after %d orphaned children: %d KiB; after %d more: %d KiB", 4*8*rounds/10, short>>10, 4*8*rounds, long>>10)
	const slack = 1 << 20
	if long > short+slack {
		t.Fatalf("heap grew by %d KiB over %d orphaned children: they are not reclaimed", (long-short)>>10, 4*8*rounds)
	}
}
