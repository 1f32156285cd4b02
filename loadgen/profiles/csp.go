package profiles

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"

	"github.com/hprov/hprov/engine/csp"
	"github.com/hprov/hprov/loadgen"
)

// ErrLeak reports handles still live after a workload released everything
// it knew of.
var ErrLeak = errors.New("handles leaked")

// cspWorkload builds a CryptoAPI workload: a fresh provider per run, the
// shared outcome table, and a leak check after the workload's own cleanup.
func cspWorkload(name string, params []loadgen.Param, setup func(c *csp.CSP, workers int) (cspInstance, error)) loadgen.Workload {
	return loadgen.Workload{
		Name: name,
		// They run on the engine: say so, as engine-insert-release does
		// for its table.
		Params:   append([]loadgen.Param{{Key: "impl", Value: "hprov"}}, params...),
		Outcomes: cspOutcomes(),
		Setup: func(workers int) (loadgen.Instance, error) {
			c := csp.New()
			inst, err := setup(c, workers)
			if err != nil {
				return nil, err
			}
			return &leakChecked{name: name, c: c, inst: inst}, nil
		},
	}
}

// cspInstance is a workload's per-run state; cleanup releases what it
// holds.
type cspInstance interface {
	NewOp(id int) loadgen.Op
	cleanup() error
}

type leakChecked struct {
	name string
	c    *csp.CSP
	inst cspInstance
}

func (l *leakChecked) NewOp(id int) loadgen.Op { return l.inst.NewOp(id) }

func (l *leakChecked) Close() error {
	if err := l.inst.cleanup(); err != nil {
		return fmt.Errorf("%s: cleaning up: %w", l.name, err)
	}
	if n := l.c.Len(); n != 0 {
		return fmt.Errorf("%s: %d handles still live after the storm: %w", l.name, n, ErrLeak)
	}
	return nil
}

// verifyContext acquires the hot-path context every profile uses.
func verifyContext(c *csp.CSP) (csp.ProvHandle, error) {
	return c.AcquireContext("", "", csp.PROV_RSA_AES, csp.CRYPT_VERIFYCONTEXT)
}

// first keeps the first failure of a sequence of calls: a violation or an
// error code already recorded wins over a later one.
func first(o loadgen.Outcome, err error) loadgen.Outcome {
	if o != cspOK {
		return o
	}
	return cspOutcome(err)
}

var verifyParams = []loadgen.Param{{Key: "provider", Value: "PROV_RSA_AES CRYPT_VERIFYCONTEXT"}}

// ---- acquire-release ----

func acquireRelease() loadgen.Workload {
	return cspWorkload("acquire-release", verifyParams, func(c *csp.CSP, _ int) (cspInstance, error) {
		return acquireReleaseRun{c}, nil
	})
}

type acquireReleaseRun struct{ c *csp.CSP }

func (r acquireReleaseRun) NewOp(int) loadgen.Op {
	c := r.c
	return func() loadgen.Outcome {
		h, err := verifyContext(c)
		if err != nil {
			return cspOutcome(err)
		}
		return cspOutcome(c.ReleaseContext(h, 0))
	}
}

func (acquireReleaseRun) cleanup() error { return nil }

// ---- addref-contention ----

func addRefContention() loadgen.Workload {
	return cspWorkload("addref-contention", verifyParams, func(c *csp.CSP, _ int) (cspInstance, error) {
		h, err := verifyContext(c)
		if err != nil {
			return nil, err
		}
		return &addRefRun{c: c, h: h}, nil
	})
}

// addRefRun: one context every worker adds a reference to and drops it
// again, so that all of them hammer one slot's reference count.
type addRefRun struct {
	c *csp.CSP
	h csp.ProvHandle
}

func (r *addRefRun) NewOp(int) loadgen.Op {
	c, h := r.c, r.h
	return func() loadgen.Outcome {
		if err := c.ContextAddRef(h, 0); err != nil {
			return cspOutcome(err)
		}
		return cspOutcome(c.ReleaseContext(h, 0))
	}
}

func (r *addRefRun) cleanup() error { return r.c.ReleaseContext(r.h, 0) }

// ---- hash-session ----

func hashSession() loadgen.Workload {
	params := append(verifyParams[:len(verifyParams):len(verifyParams)], loadgen.Param{Key: "hash", Value: "CALG_SHA_256 of 64 bytes"})
	return cspWorkload("hash-session", params, func(c *csp.CSP, _ int) (cspInstance, error) {
		return hashSessionRun{c}, nil
	})
}

type hashSessionRun struct{ c *csp.CSP }

// message returns 64 bytes particular to worker id and their SHA-256.
func message(id int) (data [64]byte, sum [32]byte) {
	for i := range data {
		data[i] = byte(id*131 + i*7)
	}
	return data, sha256.Sum256(data[:])
}

func (r hashSessionRun) NewOp(id int) loadgen.Op {
	c := r.c
	data, want := message(id)
	return func() loadgen.Outcome {
		h, err := verifyContext(c)
		if err != nil {
			return cspOutcome(err)
		}
		o := cspOK
		if hh, err := c.CreateHash(h, csp.CALG_SHA_256, 0, 0); err != nil {
			o = cspOutcome(err)
		} else {
			o = first(o, c.HashData(hh, data[:], 0))
			if o == cspOK {
				v, err := c.GetHashParam(hh, csp.HP_HASHVAL, 0)
				if o = first(o, err); o == cspOK && !bytes.Equal(v, want[:]) {
					o = cspWrongValue
				}
			}
			o = first(o, c.DestroyHash(hh))
		}
		return first(o, c.ReleaseContext(h, 0))
	}
}

func (hashSessionRun) cleanup() error { return nil }

// ---- orphans ----

// orphanKids is the number of keys, and of hashes, each orphans operation
// creates under its context.
const orphanKids = 4

func orphans() loadgen.Workload {
	params := append(verifyParams[:len(verifyParams):len(verifyParams)], loadgen.Param{Key: "children", Value: fmt.Sprintf("%d CALG_AES_128 keys + %d CALG_SHA_256 hashes", orphanKids, orphanKids)})
	return cspWorkload("orphans", params, func(c *csp.CSP, _ int) (cspInstance, error) {
		return orphansRun{c}, nil
	})
}

type orphansRun struct{ c *csp.CSP }

// An orphans operation succeeds when every child of the released context
// answers NTE_BAD_UID, as the contract says; a child that still answers, or
// answers another error, is a violation.
func (r orphansRun) NewOp(id int) loadgen.Op {
	c := r.c
	data, _ := message(id)
	var keys [orphanKids]csp.KeyHandle
	var hashes [orphanKids]csp.HashHandle
	check := func(o loadgen.Outcome, err error) loadgen.Outcome {
		if o != cspOK {
			return o
		}
		return releasedChild(err)
	}
	return func() loadgen.Outcome {
		h, err := verifyContext(c)
		if err != nil {
			return cspOutcome(err)
		}
		for i := range orphanKids {
			if keys[i], err = c.GenKey(h, csp.CALG_AES_128, 0); err != nil {
				return first(cspOutcome(err), c.ReleaseContext(h, 0))
			}
			if hashes[i], err = c.CreateHash(h, csp.CALG_SHA_256, 0, 0); err != nil {
				return first(cspOutcome(err), c.ReleaseContext(h, 0))
			}
		}
		if err := c.ReleaseContext(h, 0); err != nil {
			return cspOutcome(err)
		}
		o := cspOK
		for i := range orphanKids {
			o = check(o, c.DestroyKey(keys[i]))
			o = check(o, c.HashData(hashes[i], data[:], 0))
		}
		return o
	}
}

func (orphansRun) cleanup() error { return nil }

// releasedChild judges the answer of a call on a key or hash whose context
// was released (and which nobody destroyed): NTE_BAD_UID and nothing else,
// however soon after the release and whatever other workers do meanwhile.
func releasedChild(err error) loadgen.Outcome {
	switch {
	case err == nil:
		return cspReleasedAccepted
	case errors.Is(err, csp.NTE_BAD_UID):
		return cspOK
	}
	return cspReleasedWrongErr
}

// ---- release-race ----

// Shape of release-race: the pool size and the percentages of operations
// that use a pooled context, replace (and release) one, and probe one
// already released.
const (
	racePool     = 4
	raceUse      = 70
	raceReplace  = 20
	raceMaxTries = 1000 // cleanup's attempts at a release that keeps failing
)

func releaseRace() loadgen.Workload {
	params := append(verifyParams[:len(verifyParams):len(verifyParams)],
		loadgen.Param{Key: "pool", Value: fmt.Sprint(racePool)},
		loadgen.Param{Key: "use-replace-probe", Value: fmt.Sprintf("%d/%d/%d", raceUse, raceReplace, 100-raceUse-raceReplace)},
	)
	return cspWorkload("release-race", params, func(c *csp.CSP, workers int) (cspInstance, error) {
		r := &raceRun{c: c, pending: make([][]csp.ProvHandle, workers)}
		for i := range r.slots {
			h, err := verifyContext(c)
			if err != nil {
				return nil, errors.Join(err, r.cleanup())
			}
			r.slots[i].Store(uint64(h))
		}
		return r, nil
	})
}

// raceRun: a pool of contexts that workers use and, at the same time,
// replace: the replacing worker swaps a fresh context into the slot and
// releases the old one, which fails with ERROR_BUSY while a user has an
// operation in flight on it (the context is then kept and released later).
type raceRun struct {
	c      *csp.CSP
	slots  [racePool]atomic.Uint64 // the contexts in use
	graves [racePool]atomic.Uint64 // the last context released from each slot
	// pending[w] holds worker w's contexts whose release met ERROR_BUSY.
	pending [][]csp.ProvHandle
}

func (r *raceRun) NewOp(id int) loadgen.Op {
	c := r.c
	data, _ := message(id)
	r.pending[id] = make([]csp.ProvHandle, 0, 16)
	pending := &r.pending[id]
	use := func(i int) loadgen.Outcome {
		h := csp.ProvHandle(r.slots[i].Load())
		// If the slot's last release already finished with this very
		// handle, everything from here on happens after it and must fail.
		dead := r.graves[i].Load() == uint64(h)
		hh, err := c.CreateHash(h, csp.CALG_SHA_256, 0, 0)
		if err != nil {
			return cspOutcome(err)
		}
		// Only this worker has hh, so either call fails only because a
		// replacing worker released the context in between: NTE_BAD_UID.
		o := raceChild(c.HashData(hh, data[:], 0))
		if d := raceChild(c.DestroyHash(hh)); o == cspOK {
			o = d
		}
		if dead {
			return cspReleasedAccepted
		}
		return o
	}
	return func() loadgen.Outcome {
		i := rand.IntN(racePool)
		switch x := rand.IntN(100); {
		case x < raceUse:
			return use(i)
		case x < raceUse+raceReplace:
			// A context that was busy earlier has no user left (it left
			// its slot), so its release is retried first.
			if n := len(*pending); n > 0 {
				old := (*pending)[n-1]
				if err := c.ReleaseContext(old, 0); err == nil {
					*pending = (*pending)[:n-1]
					r.graves[i].Store(uint64(old))
				}
			}
			h, err := verifyContext(c)
			if err != nil {
				return cspOutcome(err)
			}
			old := csp.ProvHandle(r.slots[i].Swap(uint64(h)))
			err = c.ReleaseContext(old, 0)
			switch {
			case err == nil:
				r.graves[i].Store(uint64(old))
			case errors.Is(err, csp.ERROR_BUSY):
				*pending = append(*pending, old)
			}
			return cspOutcome(err)
		default:
			g := csp.ProvHandle(r.graves[i].Load())
			if g == 0 {
				return use(i) // nothing released from this slot yet
			}
			hh, err := c.CreateHash(g, csp.CALG_SHA_256, 0, 0)
			if err == nil {
				_ = c.DestroyHash(hh)
				return cspReleasedAccepted
			}
			return cspOutcome(err)
		}
	}
}

// raceChild judges the answer of a call on a hash that only its caller
// holds, whose context may have been released meanwhile: success, or
// NTE_BAD_UID (counted as such), and no other error.
func raceChild(err error) loadgen.Outcome {
	if err != nil && !errors.Is(err, csp.NTE_BAD_UID) {
		return cspReleasedWrongErr
	}
	return cspOutcome(err)
}

func (r *raceRun) cleanup() error {
	var errs []error
	release := func(h csp.ProvHandle) {
		for range raceMaxTries {
			err := r.c.ReleaseContext(h, 0)
			if !errors.Is(err, csp.ERROR_BUSY) {
				errs = append(errs, err)
				return
			}
		}
		errs = append(errs, fmt.Errorf("context %#x still busy after the storm", uint64(h)))
	}
	for _, p := range r.pending {
		for _, h := range p {
			release(h)
		}
	}
	for i := range r.slots {
		if h := r.slots[i].Swap(0); h != 0 {
			release(csp.ProvHandle(h))
		}
	}
	return errors.Join(errs...)
}

// ---- stale-probe ----

// staleGraveyard is the number of released contexts (each with a key and a
// hash) stale-probe prepares.
const staleGraveyard = 64

func staleProbe() loadgen.Workload {
	params := append(verifyParams[:len(verifyParams):len(verifyParams)],
		loadgen.Param{Key: "probes", Value: fmt.Sprintf("churned context, %d released contexts/keys/hashes, random forgeries, wrong-kind live handles", staleGraveyard)})
	return cspWorkload("stale-probe", params, func(c *csp.CSP, _ int) (cspInstance, error) {
		s := &staleRun{c: c}
		var err error
		if s.live, s.liveKey, s.liveHash, err = family(c); err != nil {
			return nil, err
		}
		for i := range s.ctxs {
			if s.ctxs[i], s.keys[i], s.hashes[i], err = family(c); err != nil {
				return nil, errors.Join(err, s.cleanup())
			}
			if err = c.ReleaseContext(s.ctxs[i], 0); err != nil {
				return nil, errors.Join(err, s.cleanup())
			}
		}
		return s, nil
	})
}

// family acquires a context with one AES key and one SHA-256 hash.
func family(c *csp.CSP) (csp.ProvHandle, csp.KeyHandle, csp.HashHandle, error) {
	h, err := verifyContext(c)
	if err != nil {
		return 0, 0, 0, err
	}
	k, err := c.GenKey(h, csp.CALG_AES_128, 0)
	if err != nil {
		return 0, 0, 0, errors.Join(err, c.ReleaseContext(h, 0))
	}
	hh, err := c.CreateHash(h, csp.CALG_SHA_256, 0, 0)
	if err != nil {
		return 0, 0, 0, errors.Join(err, c.ReleaseContext(h, 0))
	}
	return h, k, hh, nil
}

// staleRun: handles that must all be refused. Each operation probes one,
// taking turns between four sources: a context the worker has just
// acquired and released (its slot is reused at once, by this worker or
// another), the graveyard prepared at setup, random 64-bit numbers, and live
// handles passed as the wrong kind.
type staleRun struct {
	c        *csp.CSP
	live     csp.ProvHandle
	liveKey  csp.KeyHandle
	liveHash csp.HashHandle
	ctxs     [staleGraveyard]csp.ProvHandle
	keys     [staleGraveyard]csp.KeyHandle
	hashes   [staleGraveyard]csp.HashHandle
}

func (s *staleRun) NewOp(id int) loadgen.Op {
	c := s.c
	data, _ := message(id)
	turn := id
	// probe calls one operation on a handle of the given kind; accepted
	// reports whether it succeeded (undoing what it created).
	probe := func(kind int, h uint64) error {
		switch kind {
		case 0:
			hh, err := c.CreateHash(csp.ProvHandle(h), csp.CALG_SHA_256, 0, 0)
			if err == nil {
				_ = c.DestroyHash(hh)
			}
			return err
		case 1:
			return c.DestroyKey(csp.KeyHandle(h))
		}
		return c.HashData(csp.HashHandle(h), data[:], 0)
	}
	verdict := func(err error, violation loadgen.Outcome) loadgen.Outcome {
		if err == nil {
			return violation
		}
		return cspOutcome(err)
	}
	return func() loadgen.Outcome {
		turn++
		switch turn % 4 {
		case 0: // churn
			h, err := verifyContext(c)
			if err != nil {
				return cspOutcome(err)
			}
			if err := c.ReleaseContext(h, 0); err != nil {
				return cspOutcome(err)
			}
			return verdict(probe(0, uint64(h)), cspReleasedAccepted)
		case 1: // graveyard
			j := rand.IntN(staleGraveyard)
			switch kind := rand.IntN(3); kind {
			case 0:
				return verdict(probe(0, uint64(s.ctxs[j])), cspReleasedAccepted)
			case 1:
				return verdict(probe(1, uint64(s.keys[j])), cspReleasedAccepted)
			default:
				return verdict(probe(2, uint64(s.hashes[j])), cspReleasedAccepted)
			}
		case 2: // forged
			return verdict(probe(rand.IntN(3), rand.Uint64()), cspForgedAccepted)
		default: // wrong kind: a live key as a context, a live hash as a key, a live context as a hash
			switch rand.IntN(3) {
			case 0:
				return verdict(probe(0, uint64(s.liveKey)), cspForgedAccepted)
			case 1:
				return verdict(probe(1, uint64(s.liveHash)), cspForgedAccepted)
			default:
				return verdict(probe(2, uint64(s.live)), cspForgedAccepted)
			}
		}
	}
}

func (s *staleRun) cleanup() error {
	if s.live == 0 {
		return nil
	}
	err := s.c.ReleaseContext(s.live, 0)
	s.live = 0
	return err
}
