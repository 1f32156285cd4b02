package csp

import (
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// Linearizability of contexts and their hash objects, checked like the
// engine's table (engine/linearizability_test.go): storms of goroutines on a
// few shared handles record every call with its interval, and porcupine
// looks for an order, consistent with real time, that the sequential
// specification below accepts. The specification is the package doc's, in
// the default error model, with the documented concession to concurrency: a
// last ReleaseContext may fail with ERROR_BUSY only while another call on the
// context or on one of its hashes is in flight, and DestroyHash only while
// another call on that hash is; such calls overlapping in real time mark the
// release "excused". HashData calls on one hash add distinct chunks, so the
// value HP_HASHVAL returns shows in which order they took effect.

var soak = flag.Bool("soak", false, "run the long reliability soaks (linearizability histories, crash-restart cycles)")

func soaking() bool { return *soak || os.Getenv("HPROV_SOAK") != "" }

type cspKind uint8

const (
	cspAcquire cspKind = iota
	cspAddRef
	cspRelease
	cspCreateHash
	cspHashData
	cspHashVal
	cspDestroyHash
)

var cspKindNames = [...]string{"AcquireContext", "ContextAddRef", "ReleaseContext", "CreateHash", "HashData", "GetHashParam(HP_HASHVAL)", "DestroyHash"}

type cspIn struct {
	kind    cspKind
	h       uint64 // the context or hash operand
	chunk   string // HashData
	excused bool   // ReleaseContext, DestroyHash: another call on the handle was in flight
}

type cspOut struct {
	h   uint64 // AcquireContext, CreateHash
	val string // HP_HASHVAL
	err Errno  // 0: success
}

type cspEntry struct {
	h, parent uint64 // parent: the context of a hash, 0 for a context
	refs      int
	dead      bool
	finished  bool   // a hash whose value was read
	data      string // a hash's input so far
}

// cspState is a set of entries sorted by handle, never modified in place.
type cspState []cspEntry

func (s cspState) find(h uint64) (int, bool) {
	return slices.BinarySearchFunc(s, h, func(e cspEntry, h uint64) int {
		switch {
		case e.h < h:
			return -1
		case e.h > h:
			return 1
		}
		return 0
	})
}

func (s cspState) with(i int, e cspEntry) cspState {
	c := slices.Clone(s)
	c[i] = e
	return c
}

// ctx returns the entry of context h, or the error a call taking a context
// handle must return.
func (s cspState) ctx(h uint64) (int, Errno) {
	if h == 0 {
		return 0, NTE_BAD_UID
	}
	i, ok := s.find(h)
	switch {
	case !ok:
		return 0, ERROR_INVALID_PARAMETER
	case s[i].parent != 0:
		return 0, ERROR_INVALID_HANDLE // a hash handle, live or not
	case s[i].dead:
		return 0, NTE_BAD_UID
	}
	return i, 0
}

// hash returns the entry of hash h, or the error a call taking a hash handle
// must return.
func (s cspState) hash(h uint64) (int, Errno) {
	if h == 0 {
		return 0, NTE_BAD_HASH
	}
	i, ok := s.find(h)
	if !ok {
		return 0, ERROR_INVALID_PARAMETER
	}
	e := s[i]
	if e.parent == 0 {
		return 0, ERROR_INVALID_HANDLE // a context handle, live or not
	}
	if p, _ := s.find(e.parent); s[p].dead {
		return 0, NTE_BAD_UID // even if the hash was destroyed before
	}
	if e.dead {
		return 0, NTE_BAD_HASH
	}
	return i, 0
}

func cspDigest(data string) string {
	sum := sha256.Sum256([]byte(data))
	return string(sum[:])
}

func cspStep(state, input, output any) (bool, any) {
	s, in, out := state.(cspState), input.(cspIn), output.(cspOut)
	switch in.kind {
	case cspAcquire, cspCreateHash:
		var parent uint64
		if in.kind == cspCreateHash {
			if _, err := s.ctx(in.h); err != 0 {
				return out.err == err && out.h == 0, s
			}
			parent = in.h
		}
		if out.err != 0 || out.h == 0 {
			return false, s
		}
		i, dup := s.find(out.h)
		if dup {
			return false, s // a handle issued twice
		}
		e := cspEntry{h: out.h, parent: parent, refs: 1}
		return true, slices.Insert(slices.Clone(s), i, e)
	case cspAddRef:
		i, err := s.ctx(in.h)
		if out.err != err {
			return false, s
		}
		if err != 0 {
			return true, s
		}
		e := s[i]
		e.refs++
		return true, s.with(i, e)
	case cspRelease:
		i, err := s.ctx(in.h)
		if err != 0 {
			return out.err == err, s
		}
		e := s[i]
		switch {
		case e.refs > 1:
			if out.err != 0 {
				return false, s
			}
			e.refs--
			return true, s.with(i, e)
		case out.err == ERROR_BUSY:
			return in.excused, s
		case out.err != 0:
			return false, s
		}
		e.refs, e.dead = 0, true
		return true, s.with(i, e)
	case cspHashData:
		i, err := s.hash(in.h)
		if err == 0 && s[i].finished {
			err = NTE_BAD_HASH_STATE
		}
		if out.err != err {
			return false, s
		}
		if err != 0 {
			return true, s
		}
		e := s[i]
		e.data += in.chunk
		return true, s.with(i, e)
	case cspHashVal:
		i, err := s.hash(in.h)
		if out.err != err {
			return false, s
		}
		if err != 0 {
			return true, s
		}
		if out.val != cspDigest(s[i].data) {
			return false, s
		}
		e := s[i]
		e.finished = true
		return true, s.with(i, e)
	case cspDestroyHash:
		i, err := s.hash(in.h)
		if err != 0 {
			return out.err == err, s
		}
		switch out.err {
		case ERROR_BUSY:
			return in.excused, s
		case 0:
			e := s[i]
			e.dead = true
			return true, s.with(i, e)
		}
		return false, s
	}
	return false, s
}

func cspHash(state any) uint64 {
	h := fnv.New64a()
	for _, e := range state.(cspState) {
		fmt.Fprint(h, e.h, e.parent, e.refs, e.dead, e.finished, e.data)
	}
	return h.Sum64()
}

// cspPartition splits a history into families: a context with its hashes.
// A handle used as the wrong kind stays with the family that issued it.
func cspPartition(history []porcupine.Operation) [][]porcupine.Operation {
	root := map[uint64]uint64{}
	for _, op := range history {
		in, out := op.Input.(cspIn), op.Output.(cspOut)
		switch {
		case in.kind == cspAcquire && out.h != 0:
			root[out.h] = out.h
		case in.kind == cspCreateHash && out.h != 0:
			root[out.h] = in.h
		}
	}
	groups := map[uint64][]porcupine.Operation{}
	var order []uint64
	for _, op := range history {
		in, out := op.Input.(cspIn), op.Output.(cspOut)
		h := in.h
		if in.kind == cspAcquire {
			h = out.h
		}
		key, ok := root[h]
		if !ok {
			key = h // zero, forged: alone
		}
		if _, seen := groups[key]; !seen {
			order = append(order, key)
		}
		groups[key] = append(groups[key], op)
	}
	parts := make([][]porcupine.Operation, 0, len(order))
	for _, k := range order {
		parts = append(parts, groups[k])
	}
	return parts
}

func cspDescribe(input, output any) string {
	in, out := input.(cspIn), output.(cspOut)
	var b strings.Builder
	fmt.Fprintf(&b, "%s(%#x", cspKindNames[in.kind], in.h)
	if in.kind == cspHashData {
		fmt.Fprintf(&b, ", %x", in.chunk)
	}
	b.WriteString(") ->")
	if out.h != 0 {
		fmt.Fprintf(&b, " %#x", out.h)
	}
	if out.val != "" {
		fmt.Fprintf(&b, " %x", out.val[:4])
	}
	if out.err != 0 {
		fmt.Fprintf(&b, " %s", out.err.Name())
	} else {
		b.WriteString(" ok")
	}
	if in.excused {
		b.WriteString(" [excused]")
	}
	return b.String()
}

var cspModel = porcupine.Model{
	Init:              func() any { return cspState(nil) },
	Step:              cspStep,
	Equal:             func(a, b any) bool { return slices.Equal(a.(cspState), b.(cspState)) },
	Hash:              cspHash,
	Partition:         cspPartition,
	DescribeOperation: cspDescribe,
}

func errnoOf(err error) Errno {
	if err == nil {
		return 0
	}
	var e Errno
	if !errors.As(err, &e) || e == 0 {
		return 0xffffffff // not an Errno: never matches the specification
	}
	return e
}

// cspExec performs one call.
func cspExec(c *CSP, in cspIn) cspOut {
	switch in.kind {
	case cspAcquire:
		h, err := c.AcquireContext("", "", PROV_RSA_AES, CRYPT_VERIFYCONTEXT)
		return cspOut{h: uint64(h), err: errnoOf(err)}
	case cspAddRef:
		return cspOut{err: errnoOf(c.ContextAddRef(ProvHandle(in.h), 0))}
	case cspRelease:
		return cspOut{err: errnoOf(c.ReleaseContext(ProvHandle(in.h), 0))}
	case cspCreateHash:
		h, err := c.CreateHash(ProvHandle(in.h), CALG_SHA_256, 0, 0)
		return cspOut{h: uint64(h), err: errnoOf(err)}
	case cspHashData:
		return cspOut{err: errnoOf(c.HashData(HashHandle(in.h), []byte(in.chunk), 0))}
	case cspHashVal:
		v, err := c.GetHashParam(HashHandle(in.h), HP_HASHVAL, 0)
		return cspOut{val: string(v), err: errnoOf(err)}
	}
	return cspOut{err: errnoOf(c.DestroyHash(HashHandle(in.h)))}
}

type cspConfig struct{ workers, ops, cells int }

// cspStorm runs one storm on c and returns its history.
func cspStorm(c *CSP, cfg cspConfig, seed uint64) []porcupine.Operation {
	start := time.Now()
	now := func() int64 { return int64(time.Since(start)) }
	hist := make([][]porcupine.Operation, cfg.workers)
	rec := func(w int, in cspIn, call int64, out cspOut) {
		hist[w] = append(hist[w], porcupine.Operation{ClientId: w, Input: in, Call: call, Output: out, Return: now()})
	}
	ctxs := make([]atomic.Uint64, cfg.cells)
	hashes := make([]atomic.Uint64, cfg.cells)
	// A sequential prelude (client 0) opens the contexts and hashes the
	// storm starts from.
	for i := range cfg.cells {
		call := now()
		in := cspIn{kind: cspAcquire}
		out := cspExec(c, in)
		rec(0, in, call, out)
		ctxs[i].Store(out.h)
		call = now()
		in = cspIn{kind: cspCreateHash, h: out.h}
		out = cspExec(c, in)
		rec(0, in, call, out)
		hashes[i].Store(out.h)
	}
	round := newCSPRounds(cfg.workers, now)
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for w := range cfg.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(w)))
			var seen []uint64
			pick := func(cells []atomic.Uint64, other []atomic.Uint64) uint64 {
				switch n := r.IntN(20); {
				case n == 0:
					return r.Uint64()
				case n == 1:
					return 0
				case n == 2:
					return other[r.IntN(len(other))].Load() // the wrong kind
				case n < 6 && len(seen) > 0:
					return seen[r.IntN(len(seen))]
				}
				return cells[r.IntN(len(cells))].Load()
			}
			<-gate
			for i := range cfg.ops {
				var in cspIn
				switch n := r.IntN(100); {
				case n < 10:
					in = cspIn{kind: cspAcquire}
				case n < 20:
					in = cspIn{kind: cspAddRef, h: pick(ctxs, hashes)}
				case n < 34:
					in = cspIn{kind: cspRelease, h: pick(ctxs, hashes)}
				case n < 48:
					in = cspIn{kind: cspCreateHash, h: pick(ctxs, hashes)}
				case n < 74:
					in = cspIn{kind: cspHashData, h: pick(hashes, ctxs), chunk: string([]byte{byte(w), byte(i)})}
				case n < 86:
					in = cspIn{kind: cspHashVal, h: pick(hashes, ctxs)}
				default:
					in = cspIn{kind: cspDestroyHash, h: pick(hashes, ctxs)}
				}
				if r.IntN(10) != 0 {
					round.wait(r.Int64N(100))
				}
				call := now()
				out := cspExec(c, in)
				rec(w, in, call, out)
				switch {
				case in.kind == cspAcquire && out.h != 0:
					ctxs[r.IntN(len(ctxs))].Store(out.h)
					seen = append(seen, out.h)
				case in.kind == cspCreateHash && out.h != 0:
					hashes[r.IntN(len(hashes))].Store(out.h)
					seen = append(seen, out.h)
				case in.kind == cspRelease || in.kind == cspDestroyHash:
					seen = append(seen, in.h)
				}
			}
			round.leave()
		}()
	}
	time.Sleep(50 * time.Microsecond) // let them all reach the gate
	close(gate)
	wg.Wait()
	return cspExcuse(slices.Concat(hist...))
}

// cspExcuse marks each ReleaseContext that overlapped another call on its
// context (other than an AddRef or a release, which pin nothing) or on one of
// its hashes, and each DestroyHash that overlapped another call on its hash.
func cspExcuse(history []porcupine.Operation) []porcupine.Operation {
	parentOf := map[uint64]uint64{}
	for _, op := range history {
		if in, out := op.Input.(cspIn), op.Output.(cspOut); in.kind == cspCreateHash && out.h != 0 {
			parentOf[out.h] = in.h
		}
	}
	for i, r := range history {
		in := r.Input.(cspIn)
		if in.kind != cspRelease && in.kind != cspDestroyHash {
			continue
		}
		for _, o := range history {
			if o.ClientId == r.ClientId || o.Call > r.Return || r.Call > o.Return {
				continue
			}
			oi := o.Input.(cspIn)
			var pins bool
			switch {
			case in.kind == cspRelease:
				pins = oi.kind == cspCreateHash && oi.h == in.h ||
					oi.kind >= cspHashData && parentOf[oi.h] == in.h && in.h != 0
			default:
				pins = (oi.kind == cspHashData || oi.kind == cspHashVal) && oi.h == in.h
			}
			if pins {
				in.excused = true
				history[i].Input = in
				break
			}
		}
	}
	return history
}

// cspRounds is the engine test's barrier (see rounds there): a start time
// shared by the workers, so that calls of a few hundred nanoseconds overlap.
type cspRounds struct {
	now   func() int64
	n     atomic.Int64
	state atomic.Uint64 // round<<32 | workers waiting
	at    atomic.Int64
}

func newCSPRounds(n int, now func() int64) *cspRounds {
	r := &cspRounds{now: now}
	r.n.Store(int64(n))
	return r
}

func (r *cspRounds) wait(jitter int64) {
	for {
		s := r.state.Load()
		if int64(s&(1<<32-1))+1 >= r.n.Load() {
			if r.open(s) {
				break
			}
			continue
		}
		if r.state.CompareAndSwap(s, s+1) {
			for spin := 1; ; spin++ {
				t := r.state.Load()
				if t>>32 != s>>32 {
					break
				}
				if int64(t&(1<<32-1)) >= r.n.Load() {
					r.open(t)
				}
				if spin%1000 == 0 {
					runtime.Gosched()
				}
			}
			break
		}
	}
	for at := r.at.Load() + jitter; r.now() < at; {
	}
}

func (r *cspRounds) open(s uint64) bool {
	r.at.Store(r.now() + 5000)
	return r.state.CompareAndSwap(s, (s>>32+1)<<32)
}

func (r *cspRounds) leave() {
	r.n.Add(-1)
	for {
		s := r.state.Load()
		if c := int64(s & (1<<32 - 1)); c == 0 || c < r.n.Load() || r.open(s) {
			return
		}
	}
}

func cspFormat(history []porcupine.Operation) string {
	sorted := slices.Clone(history)
	slices.SortFunc(sorted, func(a, b porcupine.Operation) int { return int(a.Call - b.Call) })
	var b strings.Builder
	for _, op := range sorted {
		fmt.Fprintf(&b, "  c%d [%d,%d] %s\n", op.ClientId, op.Call, op.Return, cspDescribe(op.Input, op.Output))
	}
	return b.String()
}

func TestContextsLinearizable(t *testing.T) {
	histories, minHistories, budget := 100, 20, 3*time.Second
	if testing.Short() {
		histories = 30
	}
	if soaking() {
		histories, minHistories, budget = 10000, 10000, time.Hour
	}
	base := rand.Uint64()
	t.Logf("base seed %d", base)
	deadline := time.Now().Add(budget)
	var checked, ops, overlapped, busy, excused, unknown int
	outcomes := map[Errno]int{}
	for i := range histories {
		if i >= minHistories && time.Now().After(deadline) {
			break
		}
		seed := base + uint64(i)
		r := rand.New(rand.NewPCG(seed, 1))
		cfg := cspConfig{workers: 2 + r.IntN(7), cells: 2 + r.IntN(3)}
		cfg.ops = max(8, (40+r.IntN(120))/cfg.workers)
		c := New()
		h := cspStorm(c, cfg, seed)
		switch porcupine.CheckOperationsTimeout(cspModel, h, 5*time.Second) {
		case porcupine.Illegal:
			t.Fatalf("seed %d: history not linearizable:\n%s", seed, cspFormat(h))
		case porcupine.Unknown:
			unknown++
		}
		checked++
		ops += len(h)
		for j, op := range h {
			out := op.Output.(cspOut)
			outcomes[out.err]++
			if out.err == ERROR_BUSY {
				busy++
			}
			if op.Input.(cspIn).excused {
				excused++
			}
			for k, o := range h {
				if k != j && o.ClientId != op.ClientId && o.Call <= op.Return && op.Call <= o.Return {
					overlapped++
					break
				}
			}
		}
		cspDrain(t, c, h)
	}
	var codes []string
	for e, n := range outcomes {
		name := "ok"
		if e != 0 {
			name = e.Name()
		}
		codes = append(codes, fmt.Sprintf("%s %d", name, n))
	}
	slices.Sort(codes)
	t.Logf("%d histories, %d calls (%d concurrent with another), unknown %d; ERROR_BUSY %d, excused calls %d; outcomes: %s",
		checked, ops, overlapped, unknown, busy, excused, strings.Join(codes, ", "))
	// The storms must have reached the handle errors of every kind.
	for _, e := range []Errno{NTE_BAD_UID, NTE_BAD_HASH, NTE_BAD_HASH_STATE, ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER} {
		if outcomes[e] == 0 {
			t.Errorf("no call returned %s: the storms missed a case", e.Name())
		}
	}
	if unknown > checked/100 {
		t.Errorf("%d of %d histories timed out in the checker", unknown, checked)
	}
}

// cspDrain releases every context a storm left open and checks that no
// handle is left.
func cspDrain(t *testing.T, c *CSP, history []porcupine.Operation) {
	t.Helper()
	for _, op := range history {
		in, out := op.Input.(cspIn), op.Output.(cspOut)
		if in.kind != cspAcquire || out.h == 0 {
			continue
		}
		for range 1 << 16 {
			if err := c.ReleaseContext(ProvHandle(out.h), 0); err != nil {
				if !errors.Is(err, NTE_BAD_UID) {
					t.Fatalf("draining %#x: %v", out.h, err)
				}
				break
			}
		}
	}
	if n := c.Len(); n != 0 {
		t.Fatalf("Len = %d after every context was released", n)
	}
}

// The specification must reject what the provider must never do.
func TestContextsSpecRejects(t *testing.T) {
	op := func(c int, call, ret int64, in cspIn, out cspOut) porcupine.Operation {
		return porcupine.Operation{ClientId: c, Input: in, Call: call, Output: out, Return: ret}
	}
	const p, q, hh = 0x100, 0x200, 0x300
	acq := op(0, 0, 1, cspIn{kind: cspAcquire}, cspOut{h: p})
	mk := op(0, 2, 3, cspIn{kind: cspCreateHash, h: p}, cspOut{h: hh})
	cases := map[string][]porcupine.Operation{
		"context handle issued twice": {acq,
			op(0, 2, 3, cspIn{kind: cspRelease, h: p}, cspOut{}),
			op(0, 4, 5, cspIn{kind: cspAcquire}, cspOut{h: p})},
		"hash usable after its context's release": {acq, mk,
			op(0, 4, 5, cspIn{kind: cspRelease, h: p}, cspOut{}),
			op(1, 6, 7, cspIn{kind: cspHashData, h: hh, chunk: "x"}, cspOut{})},
		"destroyed hash of a released context is not NTE_BAD_UID": {acq, mk,
			op(0, 4, 5, cspIn{kind: cspDestroyHash, h: hh}, cspOut{}),
			op(0, 6, 7, cspIn{kind: cspRelease, h: p}, cspOut{}),
			op(1, 8, 9, cspIn{kind: cspDestroyHash, h: hh}, cspOut{err: NTE_BAD_HASH})},
		"unexcused ERROR_BUSY": {acq,
			op(0, 2, 3, cspIn{kind: cspRelease, h: p}, cspOut{err: ERROR_BUSY})},
		"hash value misses data": {acq, mk,
			op(0, 4, 5, cspIn{kind: cspHashData, h: hh, chunk: "a"}, cspOut{}),
			op(1, 6, 7, cspIn{kind: cspHashVal, h: hh}, cspOut{val: cspDigest("")})},
		"data after the value was read": {acq, mk,
			op(0, 4, 5, cspIn{kind: cspHashVal, h: hh}, cspOut{val: cspDigest("")}),
			op(1, 6, 7, cspIn{kind: cspHashData, h: hh, chunk: "a"}, cspOut{})},
		"hash handle taken as a context": {acq, mk,
			op(0, 4, 5, cspIn{kind: cspAddRef, h: hh}, cspOut{})},
		"forged context": {acq,
			op(0, 4, 5, cspIn{kind: cspAddRef, h: q}, cspOut{err: NTE_BAD_UID})},
	}
	for name, h := range cases {
		if res := porcupine.CheckOperationsTimeout(cspModel, h, time.Second); res != porcupine.Illegal {
			t.Errorf("%s: checker says %v, want Illegal", name, res)
		}
	}
	// Concurrent data in either order, the value reflecting one of them.
	okHist := []porcupine.Operation{acq, mk,
		op(0, 4, 10, cspIn{kind: cspHashData, h: hh, chunk: "a"}, cspOut{}),
		op(1, 4, 10, cspIn{kind: cspHashData, h: hh, chunk: "b"}, cspOut{}),
		op(1, 11, 12, cspIn{kind: cspHashVal, h: hh}, cspOut{val: cspDigest("ba")}),
	}
	if res := porcupine.CheckOperationsTimeout(cspModel, okHist, time.Second); res != porcupine.Ok {
		t.Errorf("linearizable history: checker says %v, want Ok", res)
	}
}
