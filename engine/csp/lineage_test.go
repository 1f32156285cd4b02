package csp

import (
	"fmt"
	"sync"
	"testing"

	"github.com/hprov/hprov/engine"
	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// Tests of the lineage: what a released key or hash answers once its slot has been reused and
// other records were written since. The contract: a key or hash whose context has been
// released answers NTE_BAD_UID to every call, even if it had been destroyed before.

// tableHandle is the engine handle behind a public key or hash handle.
func (c *CSP) tableHandle(h uint64, k kind) engine.Handle { return engine.Handle(h ^ c.masks[k]) }

func slotOf(h engine.Handle) uint32 { return uint32(h) & idxMask }

// A child is a key or a hash, so that each test runs on both kinds.
type child struct {
	k    kind
	name string
}

var children = []child{{kindKey, "key"}, {kindHash, "hash"}}

func (ch child) tryCreate(c *CSP, h ProvHandle) (uint64, error) {
	if ch.k == kindKey {
		k, err := c.GenKey(h, CALG_AES_128, 0)
		return uint64(k), err
	}
	hh, err := c.CreateHash(h, CALG_SHA_256, 0, 0)
	return uint64(hh), err
}

func (ch child) create(t testing.TB, c *CSP, h ProvHandle) uint64 {
	t.Helper()
	return csptest.Must(ch.tryCreate(c, h))(t)
}

// use is a call on the child that does not release it.
func (ch child) use(c *CSP, x uint64) error {
	if ch.k == kindKey {
		_, err := c.GetKeyParam(KeyHandle(x), KP_ALGID, 0)
		return err
	}
	return c.HashData(HashHandle(x), []byte("x"), 0)
}

func (ch child) destroy(c *CSP, x uint64) error {
	if ch.k == kindKey {
		return c.DestroyKey(KeyHandle(x))
	}
	return c.DestroyHash(HashHandle(x))
}

// childIn creates children of kind ch under h, keeping them, until one lands in slot idx, and
// returns them all (the one in idx last).
func (ch child) childIn(t testing.TB, c *CSP, h ProvHandle, idx uint32) []uint64 {
	t.Helper()
	var made []uint64
	for range 1 << 16 {
		x := ch.create(t, c, h)
		made = append(made, x)
		if slotOf(c.tableHandle(x, ch.k)) == idx {
			return made
		}
	}
	t.Fatalf("no %s landed in slot %d", ch.name, idx)
	return nil
}

// collider returns a new live child of kind ch under q whose record, once it is destroyed,
// lands in the cache entry of the child with table handle x. The handle a slot issues next is
// predictable (same index, generation + 1), so it cycles contexts through a slot until the
// slot's next handle collides with x, then creates the child there. Contexts leave no records:
// nothing is written to the cache meanwhile, except by children created where they were not
// expected, which are destroyed again.
func collider(t *testing.T, c *CSP, ch child, q ProvHandle, x engine.Handle) uint64 {
	t.Helper()
	target := c.lineage.deadEntry(x, true)
	for range 1 << 24 {
		ctx := verifyCtx(t, c)
		next := engine.Handle(uint64(ctx) + 1<<24) // generation + 1
		csptest.OK(t, c.ReleaseContext(ctx, 0))
		if uint64(next)>>tagShift != uint64(ctx)>>tagShift || c.lineage.deadEntry(next, true) != target {
			continue
		}
		z := ch.create(t, c, q)
		if c.tableHandle(z, ch.k) == next {
			return z
		}
		csptest.OK(t, ch.destroy(c, z))
	}
	t.Fatal("found no colliding handle")
	return 0
}

// An orphan's record must not depend on luck in a shared cache: here the very first record
// written after the orphan's slot was reused goes to the same cache entry as the orphan's. The
// orphan must still answer NTE_BAD_UID.
func TestFreshOrphanAfterCollidingRecord(t *testing.T) {
	for _, ch := range children {
		t.Run(ch.name, func(t *testing.T) {
			c := New()
			q := verifyCtx(t, c) // lives throughout: the later children's context
			p := verifyCtx(t, c)
			x := ch.create(t, c, p)
			ex := c.tableHandle(x, ch.k)

			z := collider(t, c, ch, q, ex)

			csptest.OK(t, c.ReleaseContext(p, 0)) // x is an orphan now
			c.tab.Reclaim()
			kept := ch.childIn(t, c, q, slotOf(ex)) // x's slot reused: its record moves
			csptest.OK(t, ch.destroy(c, z))         // one record later, in the same cache entry

			csptest.Is(t, "use of the fresh orphan", ch.use(c, x), NTE_BAD_UID)
			csptest.Is(t, "destroy of the fresh orphan", ch.destroy(c, x), NTE_BAD_UID)

			for _, y := range kept {
				csptest.OK(t, ch.destroy(c, y))
			}
			csptest.OK(t, c.ReleaseContext(q, 0))
			c.tab.Reclaim()
			if n := c.Len(); n != 0 {
				t.Fatalf("Len = %d; want 0", n)
			}
		})
	}
}

// Orphans storm: every worker acquires a context, creates keys and hashes, releases the
// context and checks each child, while the others reuse the swept slots. Every check must
// answer NTE_BAD_UID, whatever the other workers do meanwhile.
func TestConcurrentOrphans(t *testing.T) {
	rounds := 5000
	if testing.Short() {
		rounds = 1000
	}
	c := New()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var kids [8]uint64
			for i := range rounds {
				h, err := c.AcquireContext("", "", PROV_RSA_AES, CRYPT_VERIFYCONTEXT)
				if err != nil {
					errs <- err
					return
				}
				for j := range kids {
					if kids[j], err = children[j%2].tryCreate(c, h); err != nil {
						errs <- err
						return
					}
				}
				if err := c.ReleaseContext(h, 0); err != nil {
					errs <- err
					return
				}
				for j, x := range kids {
					ch := children[j%2]
					err := ch.use(c, x)
					if (i+j)%3 == 0 {
						err = ch.destroy(c, x)
					}
					if code(err) != NTE_BAD_UID {
						select {
						case errs <- fmt.Errorf("worker %d round %d: %s of a released context: %v; want NTE_BAD_UID", w, i, ch.name, err):
						default:
						}
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	c.tab.Reclaim()
	if n := c.Len(); n != 0 {
		t.Fatalf("Len = %d; want 0", n)
	}
}

// orphanCycle acquires a context, creates n children of kind ch under it, releases it and
// sweeps: the children are orphans and their slots free for the next cycle.
func orphanCycle(t testing.TB, c *CSP, ch child, n int) []uint64 {
	t.Helper()
	h := verifyCtx(t, c)
	kids := make([]uint64, n)
	for i := range kids {
		kids[i] = ch.create(t, c, h)
	}
	csptest.OK(t, c.ReleaseContext(h, 0))
	c.tab.Reclaim()
	return kids
}

// The same few slots orphaned again and again: each slot's chain of orphan records grows long,
// and its oldest orphan is still found, as are destroyed children among them.
func TestOrphanChainOfOneSlot(t *testing.T) {
	for _, ch := range children {
		t.Run(ch.name, func(t *testing.T) {
			c := New()
			live := verifyCtx(t, c)
			var orphans, destroyed []uint64
			for i := range 3000 {
				orphans = append(orphans, orphanCycle(t, c, ch, 1)...)
				if i%100 == 0 {
					x := ch.create(t, c, live)
					csptest.OK(t, ch.destroy(c, x))
					destroyed = append(destroyed, x)
				}
			}
			for i, x := range orphans {
				if err := ch.use(c, x); code(err) != NTE_BAD_UID {
					t.Fatalf("orphan %d of %d: %v; want NTE_BAD_UID", i, len(orphans), err)
				}
			}
			for i, x := range destroyed {
				csptest.Is(t, fmt.Sprintf("destroyed %d (context alive)", i), ch.use(c, x), zeroErr[ch.k])
			}
			csptest.OK(t, c.ReleaseContext(live, 0))
			for i, x := range destroyed {
				csptest.Is(t, fmt.Sprintf("destroyed %d (context released)", i), ch.use(c, x), NTE_BAD_UID)
			}
		})
	}
}

// An orphan's record lasts until a whole turn of the ring of orphan records has been written
// after it, however the slots are reused.
func TestOrphanRecordLastsATurn(t *testing.T) {
	c := New()
	first := orphanCycle(t, c, children[1], 4)
	// The next cycle reuses the first orphans' slots, and each cycle those of the one before.
	later := 0
	for later < orphanRing-16 {
		orphanCycle(t, c, children[later%2], 8)
		later += 8
	}
	for i, x := range first {
		csptest.Is(t, fmt.Sprintf("first orphan %d, %d orphans later", i, later), children[1].use(c, x), NTE_BAD_UID)
	}
}

// Once a whole turn of the ring has been written after an orphan's record, the orphan is still
// known for what it is if no child of its slot was destroyed since: only its context's release
// can have freed it.
func TestOrphanOutlivesItsRecord(t *testing.T) {
	c := New()
	first := orphanCycle(t, c, children[1], 4)
	later := 0
	for later < 2*orphanRing {
		orphanCycle(t, c, children[later%2], 8)
		later += 8
	}
	for i, x := range first {
		csptest.Is(t, fmt.Sprintf("first orphan %d, %d orphans later", i, later), children[1].use(c, x), NTE_BAD_UID)
	}
}

// A destroyed child of a live context whose cache entry a later destroy took is not taken for
// an orphan: it answers NTE_BAD_KEY or NTE_BAD_HASH, as it must while its context lives.
func TestDestroyedChildAfterCollidingRecord(t *testing.T) {
	for _, ch := range children {
		t.Run(ch.name, func(t *testing.T) {
			c := New()
			q := verifyCtx(t, c)
			x := ch.create(t, c, q)
			ex := c.tableHandle(x, ch.k)
			z := collider(t, c, ch, q, ex)
			csptest.OK(t, ch.destroy(c, x))
			// x's slot taken by another child: x's record is gone from there too.
			kept := ch.childIn(t, c, q, slotOf(ex))
			csptest.OK(t, ch.destroy(c, z)) // x's cache entry now holds z
			csptest.Is(t, "use of the destroyed child", ch.use(c, x), zeroErr[ch.k])
			csptest.Is(t, "destroy of the destroyed child", ch.destroy(c, x), zeroErr[ch.k])
			for _, y := range kept {
				csptest.OK(t, ch.destroy(c, y))
			}
			csptest.OK(t, c.ReleaseContext(q, 0))
		})
	}
}
