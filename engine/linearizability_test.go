package engine

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// The linearizability tests record concurrent histories of a table (each
// operation with its arguments, its results and the interval between its call
// and its return) and ask porcupine whether some order of the operations, one
// that respects real time, is accepted by a sequential specification
// (linModel). The specification is the documented semantics of Table, with the
// one documented concession to concurrency: the last Release of a parent may
// return ErrBusy while an operation that pins the parent for its duration
// (InsertChild under it, or AddRef, Pin, Unpin or Release of one of its
// children) runs at the same time. A Release that overlapped such an
// operation in real time is marked excused, and only then may it fail with
// ErrBusy without a pin to explain it.

// linTable is what the harness drives: *Table[obj], or a broken table that
// the checker must reject.
type linTable interface {
	Insert(v *obj) (Handle, error)
	InsertChild(parent Handle, v *obj) (Handle, error)
	Get(h Handle) (*obj, bool)
	AddRef(h Handle) error
	Pin(h Handle) (*obj, error)
	Unpin(h Handle)
	Release(h Handle) (bool, error)
}

// drainable is a linTable that can also be emptied and counted.
type drainable interface {
	linTable
	Len() int
}

// anyLin drives an AnyTable through the harness, its values *obj in an any.
type anyLin struct{ *AnyTable }

func (a anyLin) Insert(v *obj) (Handle, error) { return a.AnyTable.Insert(v) }
func (a anyLin) InsertChild(p Handle, v *obj) (Handle, error) {
	return a.AnyTable.InsertChild(p, v)
}
func (a anyLin) Get(h Handle) (*obj, bool) {
	v, ok := a.AnyTable.Get(h)
	if !ok {
		return nil, false
	}
	return v.(*obj), true
}
func (a anyLin) Pin(h Handle) (*obj, error) {
	v, err := a.AnyTable.Pin(h)
	if err != nil {
		return nil, err
	}
	return v.(*obj), nil
}

type linKind uint8

const (
	linInsert linKind = iota
	linInsertChild
	linGet
	linAddRef
	linPin
	linUnpin
	linRelease
)

var linKindNames = [...]string{"Insert", "InsertChild", "Get", "AddRef", "Pin", "Unpin", "Release"}

// linErr is an error reduced to the class the specification talks about.
type linErr uint8

const (
	linOK linErr = iota
	linInvalid
	linStale
	linBusy
	linFull
	linOverflow
	linOther
)

var linErrNames = [...]string{"ok", "invalid", "stale", "busy", "full", "overflow", "other"}

func (e linErr) String() string { return linErrNames[e] }

func linClass(err error) linErr {
	switch {
	case err == nil:
		return linOK
	case errors.Is(err, ErrInvalidHandle):
		return linInvalid
	case errors.Is(err, ErrStale):
		return linStale
	case errors.Is(err, ErrBusy):
		return linBusy
	case errors.Is(err, ErrFull):
		return linFull
	case errors.Is(err, ErrOverflow):
		return linOverflow
	}
	return linOther
}

type linIn struct {
	kind    linKind
	h       Handle // the operand; the parent for InsertChild
	v       int    // Insert, InsertChild: the new value's id
	excused bool   // Release: overlapped an operation that pins h for its duration
}

type linOut struct {
	h     Handle // Insert, InsertChild: the new handle
	v     int    // Get, Pin: the value's id (0: none)
	ok    bool   // Get
	freed bool   // Release
	err   linErr
}

// linEntry is the specification's record of one issued handle.
type linEntry struct {
	h, parent  Handle // parent is 0 for a top-level handle
	v          int
	refs, pins int
	dead       bool
}

// linState is a set of entries sorted by handle. Step never modifies a state:
// it returns a changed copy.
type linState []linEntry

func (s linState) find(h Handle) (int, bool) {
	return slices.BinarySearchFunc(s, h, func(e linEntry, h Handle) int {
		switch {
		case e.h < h:
			return -1
		case e.h > h:
			return 1
		}
		return 0
	})
}

// live returns the index of h's entry if h is valid, or why it is not.
func (s linState) live(h Handle) (int, linErr) {
	i, ok := s.find(h)
	if !ok {
		return 0, linInvalid
	}
	e := s[i]
	if e.dead {
		return 0, linStale
	}
	if e.parent != 0 {
		if p, ok := s.find(e.parent); !ok || s[p].dead {
			return 0, linStale
		}
	}
	return i, linOK
}

// busy reports whether the last release of entry i must fail: it or one of
// its live children is pinned.
func (s linState) busy(i int) bool {
	if s[i].pins > 0 {
		return true
	}
	for _, e := range s {
		if e.parent == s[i].h && !e.dead && e.pins > 0 {
			return true
		}
	}
	return false
}

func (s linState) with(i int, e linEntry) linState {
	c := slices.Clone(s)
	c[i] = e
	return c
}

func (s linState) add(e linEntry) linState {
	i, _ := s.find(e.h)
	return slices.Insert(slices.Clone(s), i, e)
}

// linStep is the sequential specification of Table.
func linStep(state, input, output any) (bool, any) {
	s, in, out := state.(linState), input.(linIn), output.(linOut)
	switch in.kind {
	case linInsert, linInsertChild:
		var parent Handle
		if in.kind == linInsertChild {
			parent = in.h
			i, err := s.live(parent)
			if err == linOK && s[i].parent != 0 {
				err = linInvalid // a child cannot have children
			}
			if err != linOK {
				return out.err == err && out.h == 0, s
			}
		}
		// The table's capacity is far above what a history inserts, and
		// a handle is never issued twice.
		if out.err != linOK || out.h == 0 {
			return false, s
		}
		if _, dup := s.find(out.h); dup {
			return false, s
		}
		return true, s.add(linEntry{h: out.h, parent: parent, v: in.v, refs: 1})
	case linGet:
		i, err := s.live(in.h)
		if err != linOK {
			return !out.ok && out.v == 0, s
		}
		return out.ok && out.v == s[i].v, s
	case linAddRef:
		i, err := s.live(in.h)
		if err == linOK && s[i].refs == MaxRefs {
			err = linOverflow
		}
		if out.err != err {
			return false, s
		}
		if err != linOK {
			return true, s
		}
		e := s[i]
		e.refs++
		return true, s.with(i, e)
	case linPin:
		i, err := s.live(in.h)
		if err == linOK && s[i].pins == MaxPins {
			err = linOverflow
		}
		if out.err != err {
			return false, s
		}
		if err != linOK {
			return true, s
		}
		if out.v != s[i].v {
			return false, s
		}
		e := s[i]
		e.pins++
		return true, s.with(i, e)
	case linUnpin:
		i, err := s.live(in.h)
		if err != linOK || s[i].pins == 0 {
			return true, s // a no-op
		}
		e := s[i]
		e.pins--
		return true, s.with(i, e)
	case linRelease:
		i, err := s.live(in.h)
		if err != linOK {
			return out.err == err && !out.freed, s
		}
		e := s[i]
		switch {
		case e.refs > 1:
			if out.err != linOK || out.freed {
				return false, s
			}
			e.refs--
			return true, s.with(i, e)
		case s.busy(i):
			return out.err == linBusy && !out.freed, s
		case out.err == linBusy && in.excused:
			return !out.freed, s // a transient pin held by a racing child operation
		}
		if out.err != linOK || !out.freed {
			return false, s
		}
		e.refs, e.dead = 0, true
		return true, s.with(i, e)
	}
	return false, s
}

func linHash(state any) uint64 {
	h := fnv.New64a()
	for _, e := range state.(linState) {
		fmt.Fprint(h, e.h, e.parent, e.v, e.refs, e.pins, e.dead)
	}
	return h.Sum64()
}

// linPartition splits a history into families, a top-level handle with its
// children (and anything that was ever given one of their values), which the
// specification treats independently: no operation on one family changes
// what an operation on another may return. Two families that shared a handle
// value would be merged, so reuse of a handle is still seen by the model.
func linPartition(history []porcupine.Operation) [][]porcupine.Operation {
	up := map[Handle]Handle{}
	var find func(Handle) Handle
	find = func(h Handle) Handle {
		p, ok := up[h]
		if !ok || p == h {
			return h
		}
		r := find(p)
		up[h] = r
		return r
	}
	union := func(a, b Handle) {
		if ra, rb := find(a), find(b); ra != rb {
			up[rb] = ra
		}
	}
	for _, op := range history {
		in, out := op.Input.(linIn), op.Output.(linOut)
		if in.kind == linInsertChild && out.h != 0 {
			union(in.h, out.h)
		}
	}
	groups := map[Handle][]porcupine.Operation{}
	var order []Handle
	for _, op := range history {
		in, out := op.Input.(linIn), op.Output.(linOut)
		key := find(in.h)
		if in.kind == linInsert {
			key = find(out.h)
		}
		if _, ok := groups[key]; !ok {
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

func linDescribe(input, output any) string {
	in, out := input.(linIn), output.(linOut)
	var b strings.Builder
	b.WriteString(linKindNames[in.kind])
	switch in.kind {
	case linInsert:
		fmt.Fprintf(&b, "(v%d) -> %v %v", in.v, out.h, out.err)
	case linInsertChild:
		fmt.Fprintf(&b, "(%v, v%d) -> %v %v", in.h, in.v, out.h, out.err)
	case linGet:
		fmt.Fprintf(&b, "(%v) -> v%d %v", in.h, out.v, out.ok)
	case linPin:
		fmt.Fprintf(&b, "(%v) -> v%d %v", in.h, out.v, out.err)
	case linUnpin:
		fmt.Fprintf(&b, "(%v)", in.h)
	case linRelease:
		fmt.Fprintf(&b, "(%v) -> freed=%v %v", in.h, out.freed, out.err)
		if in.excused {
			b.WriteString(" [excused]")
		}
	default:
		fmt.Fprintf(&b, "(%v) -> %v", in.h, out.err)
	}
	return b.String()
}

var linModel = porcupine.Model{
	Init:      func() any { return linState(nil) },
	Step:      linStep,
	Equal:     func(a, b any) bool { return slices.Equal(a.(linState), b.(linState)) },
	Hash:      linHash,
	Partition: linPartition,
	DescribeOperation: func(input, output any) string {
		return linDescribe(input, output)
	},
}

// linConfig shapes one storm.
type linConfig struct {
	workers int // goroutines, 2..8
	ops     int // operations per worker
	cells   int // shared handle cells the workers pick operands from
	shards  int
	// headroom, when non-zero, starts slots this many generations before
	// retirement, so histories also see slots retired.
	headroom uint32
}

// linStorm runs one storm on tb and returns its history. Each worker picks
// operands from a few shared cells (current handles, live or not), from the
// handles it has seen before (mostly stale by now, often on slots reused
// since) and from forgeries, and records every call. Unpin is only used on
// handles the worker pinned itself, as a correct caller would.
func linStorm(tb linTable, foreign Handle, cfg linConfig, seed uint64) []porcupine.Operation {
	start := time.Now()
	now := func() int64 { return int64(time.Since(start)) }
	var ids atomic.Int64
	cells := make([]atomic.Uint64, cfg.cells)
	histories := make([][]porcupine.Operation, cfg.workers)

	// A sequential prelude (client 0) churns the slots the storm will use,
	// so that the storm's stale handles include ones whose slots were
	// reused before it started.
	var prelude []Handle
	rec := func(w int, in linIn, call int64, out linOut) {
		histories[w] = append(histories[w], porcupine.Operation{
			ClientId: w, Input: in, Call: call, Output: out, Return: now(),
		})
	}
	for range 4 {
		v := int(ids.Add(1))
		c := now()
		h, err := tb.Insert(&obj{v})
		rec(0, linIn{kind: linInsert, v: v}, c, linOut{h: h, err: linClass(err)})
		c = now()
		freed, err := tb.Release(h)
		rec(0, linIn{kind: linRelease, h: h}, c, linOut{freed: freed, err: linClass(err)})
		prelude = append(prelude, h)
	}
	for i := range cells {
		v := int(ids.Add(1))
		c := now()
		h, err := tb.Insert(&obj{v})
		rec(0, linIn{kind: linInsert, v: v}, c, linOut{h: h, err: linClass(err)})
		cells[i].Store(uint64(h))
	}

	var wg sync.WaitGroup
	round := newRounds(cfg.workers, now)
	// The workers wait at a gate: readying them all at once wakes idle Ps,
	// which take some of them, where goroutines merely started would all
	// queue on this one.
	gate := make(chan struct{})
	for w := range cfg.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(w)))
			seen := slices.Clone(prelude)
			var pinned []Handle
			pick := func() Handle {
				switch n := r.IntN(20); {
				case n == 0:
					return Handle(r.Uint64())
				case n == 1:
					return []Handle{0, foreign}[r.IntN(2)]
				case n < 6 && len(seen) > 0:
					return seen[r.IntN(len(seen))]
				}
				return Handle(cells[r.IntN(len(cells))].Load())
			}
			remember := func(h Handle) {
				if h != 0 {
					seen = append(seen, h)
				}
			}
			<-gate
			for range cfg.ops {
				var in linIn
				switch n := r.IntN(100); {
				case n < 12:
					in = linIn{kind: linInsert, v: int(ids.Add(1))}
				case n < 24:
					in = linIn{kind: linInsertChild, h: pick(), v: int(ids.Add(1))}
				case n < 42:
					in = linIn{kind: linGet, h: pick()}
				case n < 52:
					in = linIn{kind: linAddRef, h: pick()}
				case n < 64:
					in = linIn{kind: linPin, h: pick()}
				case n < 78:
					in = linIn{kind: linUnpin, h: Handle(r.Uint64())} // a forgery: a no-op
					if len(pinned) > 0 {
						k := r.IntN(len(pinned))
						in.h = pinned[k]
						pinned = slices.Delete(pinned, k, k+1)
					}
				default:
					in = linIn{kind: linRelease, h: pick()}
				}
				// Operations this short rarely overlap on their own:
				// the workers start most of them together, each after a
				// short random delay so that any may go first.
				if r.IntN(10) != 0 {
					round.wait(r.Int64N(100))
				}
				call := now()
				out := linExec(tb, in)
				rec(w, in, call, out)
				switch {
				case (in.kind == linInsert || in.kind == linInsertChild) && out.h != 0:
					cells[r.IntN(len(cells))].Store(uint64(out.h))
					remember(out.h)
				case in.kind == linPin && out.err == linOK:
					pinned = append(pinned, in.h)
				case in.kind == linRelease:
					remember(in.h)
				}
			}
			round.leave()
			for _, h := range pinned {
				call := now()
				tb.Unpin(h)
				rec(w, linIn{kind: linUnpin, h: h}, call, linOut{})
			}
		}()
	}
	time.Sleep(50 * time.Microsecond) // let them all reach the gate
	close(gate)
	wg.Wait()
	return excuse(slices.Concat(histories...))
}

// linExec applies one operation to tb.
func linExec(tb linTable, in linIn) linOut {
	switch in.kind {
	case linInsert:
		h, err := tb.Insert(&obj{in.v})
		return linOut{h: h, err: linClass(err)}
	case linInsertChild:
		h, err := tb.InsertChild(in.h, &obj{in.v})
		return linOut{h: h, err: linClass(err)}
	case linGet:
		v, ok := tb.Get(in.h)
		out := linOut{ok: ok}
		if v != nil {
			out.v = v.id
		}
		return out
	case linAddRef:
		return linOut{err: linClass(tb.AddRef(in.h))}
	case linPin:
		v, err := tb.Pin(in.h)
		out := linOut{err: linClass(err)}
		if v != nil {
			out.v = v.id
		}
		return out
	case linUnpin:
		tb.Unpin(in.h)
		return linOut{}
	}
	freed, err := tb.Release(in.h)
	return linOut{freed: freed, err: linClass(err)}
}

// rounds is a reusable barrier. The worker that completes a round sets a
// start time a little in the future, and every worker starts its operation at
// that instant (plus a small random jitter), so that operations of a few tens
// of nanoseconds really overlap on different cores. Waiters spin, yielding
// now and then, and never sleep: a P whose goroutines sleep goes idle, and the
// runtime would keep the workers together on the remaining P. A worker that
// leaves no longer counts.
type rounds struct {
	now   func() int64
	n     atomic.Int64 // workers still taking part
	state atomic.Uint64
	at    atomic.Int64 // the latest round's start time
}

// The state word holds the round number and the workers waiting in it, so
// that a round opens and its count resets in one step.
const roundCount = 1<<32 - 1

// roundLead is how far ahead a round's start time is set: more than it
// takes the other cores to see the round open.
const roundLead = 5000 // ns

// roundSpin is how many times a waiter checks for the round's end before
// it yields its P to another worker.
const roundSpin = 1000

func newRounds(n int, now func() int64) *rounds {
	r := &rounds{now: now}
	r.n.Store(int64(n))
	return r
}

// wait blocks until every worker still taking part has called it, then
// until the round's start time plus jitter nanoseconds.
func (r *rounds) wait(jitter int64) {
	var mine uint64
	for {
		s := r.state.Load()
		if int64(s&roundCount)+1 >= r.n.Load() {
			if r.open(s) {
				break
			}
			continue
		}
		if r.state.CompareAndSwap(s, s+1) {
			mine = s >> 32
			for spin := 1; ; spin++ {
				s := r.state.Load()
				if s>>32 != mine {
					break
				}
				if int64(s&roundCount) >= r.n.Load() {
					r.open(s) // workers left: the waiting ones are all
				}
				if spin%roundSpin == 0 {
					runtime.Gosched()
				}
			}
			break
		}
	}
	for at := r.at.Load() + jitter; r.now() < at; {
	}
}

// open starts the next round if the state is still s.
func (r *rounds) open(s uint64) bool {
	r.at.Store(r.now() + roundLead)
	return r.state.CompareAndSwap(s, (s>>32+1)<<32)
}

func (r *rounds) leave() {
	r.n.Add(-1)
	for {
		s := r.state.Load()
		if c := int64(s & roundCount); c == 0 || c < r.n.Load() || r.open(s) {
			return
		}
	}
}

// excuse marks each Release that overlapped, in real time, an operation that
// pins its operand for its duration: InsertChild under it, or a change to one
// of its children.
func excuse(history []porcupine.Operation) []porcupine.Operation {
	parentOf := map[Handle]Handle{}
	for _, op := range history {
		if in, out := op.Input.(linIn), op.Output.(linOut); in.kind == linInsertChild && out.h != 0 {
			parentOf[out.h] = in.h
		}
	}
	for i, r := range history {
		in := r.Input.(linIn)
		if in.kind != linRelease {
			continue
		}
		for _, o := range history {
			if o.ClientId == r.ClientId || o.Call > r.Return || r.Call > o.Return {
				continue
			}
			oi := o.Input.(linIn)
			pinsParent := false
			switch oi.kind {
			case linInsertChild:
				pinsParent = oi.h == in.h
			case linAddRef, linPin, linUnpin, linRelease:
				p, ok := parentOf[oi.h]
				pinsParent = ok && p == in.h
			}
			if pinsParent {
				in.excused = true
				history[i].Input = in
				break
			}
		}
	}
	return history
}

// linStats counts what the storms exercised, so that a test can insist the
// interesting cases happened rather than pass on histories that never reach
// them.
type linStats struct {
	histories, ops, unknown         int
	overlapped                      int // operations concurrent with another
	staleReused                     int // stale operands whose slot was reused
	busy, excusedBusy, freed, stale int
	childOps, orphanStale           int
}

func (s *linStats) add(history []porcupine.Operation) {
	s.histories++
	s.ops += len(history)
	issued := map[Handle]bool{}
	slotUses := map[uint32]int{}
	parentOf := map[Handle]Handle{}
	for _, op := range history {
		in, out := op.Input.(linIn), op.Output.(linOut)
		if (in.kind == linInsert || in.kind == linInsertChild) && out.h != 0 {
			issued[out.h] = true
			slotUses[uint32(out.h)&idxMask]++
			if in.kind == linInsertChild {
				parentOf[out.h] = in.h
			}
		}
	}
	for i, op := range history {
		in, out := op.Input.(linIn), op.Output.(linOut)
		for j, o := range history {
			if j != i && o.ClientId != op.ClientId && o.Call <= op.Return && op.Call <= o.Return {
				s.overlapped++
				break
			}
		}
		if _, child := parentOf[in.h]; child && in.kind != linInsertChild {
			s.childOps++
		}
		switch out.err {
		case linStale:
			s.stale++
			if slotUses[uint32(in.h)&idxMask] > 1 {
				s.staleReused++
			}
			if _, child := parentOf[in.h]; child {
				s.orphanStale++
			}
		case linBusy:
			s.busy++
			if in.excused {
				s.excusedBusy++
			}
		}
		if out.freed {
			s.freed++
		}
	}
}

func (s linStats) String() string {
	return fmt.Sprintf("%d histories, %d operations (%d concurrent with another), unknown %d; "+
		"stale %d (on a reused slot %d, child %d), busy %d (excused %d), freed %d, child operations %d",
		s.histories, s.ops, s.overlapped, s.unknown, s.stale, s.staleReused, s.orphanStale,
		s.busy, s.excusedBusy, s.freed, s.childOps)
}

// linCheck checks one history and reports a violation with the history.
func linCheck(t *testing.T, history []porcupine.Operation, seed uint64) porcupine.CheckResult {
	t.Helper()
	res := porcupine.CheckOperationsTimeout(linModel, history, 5*time.Second)
	if res == porcupine.Illegal {
		t.Errorf("seed %d: history not linearizable:\n%s", seed, linFormat(history))
	}
	return res
}

func linFormat(history []porcupine.Operation) string {
	sorted := slices.Clone(history)
	slices.SortFunc(sorted, func(a, b porcupine.Operation) int { return int(a.Call - b.Call) })
	var b strings.Builder
	for _, op := range sorted {
		fmt.Fprintf(&b, "  c%d [%d,%d] %s\n", op.ClientId, op.Call, op.Return, linDescribe(op.Input, op.Output))
	}
	return b.String()
}

func linRandomConfig(r *rand.Rand) linConfig {
	cfg := linConfig{
		workers: 2 + r.IntN(7),
		cells:   2 + r.IntN(5),
		shards:  []int{0, 1, runtime.GOMAXPROCS(0)}[r.IntN(3)],
	}
	cfg.ops = max(8, (40+r.IntN(160))/cfg.workers)
	if r.IntN(4) == 0 {
		cfg.headroom = uint32(1 + r.IntN(3))
	}
	return cfg
}

// drain releases everything a finished storm left behind (no pins remain:
// the workers unpinned theirs) and checks that the table is empty.
func drain(t *testing.T, tb drainable, history []porcupine.Operation) {
	t.Helper()
	for _, op := range history {
		in, out := op.Input.(linIn), op.Output.(linOut)
		if in.kind != linInsert || out.h == 0 {
			continue
		}
		for range MaxRefs + 1 {
			if _, err := tb.Release(out.h); err != nil {
				if !errors.Is(err, ErrStale) {
					t.Fatalf("draining %v: %v", out.h, err)
				}
				break
			}
		}
	}
	if n := tb.Len(); n != 0 {
		t.Fatalf("Len = %d after the storm was drained", n)
	}
}

func TestLinearizable(t *testing.T) {
	// Storms cost more on a loaded machine and under the race detector:
	// past the time budget the test stops early, but always checks at
	// least minHistories.
	histories, minHistories, budget := 150, 30, 3*time.Second
	if testing.Short() || raceEnabled {
		histories = 60
	}
	if soaking() {
		histories, minHistories, budget = 20000, 20000, time.Hour
	}
	base := rand.Uint64()
	t.Logf("base seed %d", base)
	var st linStats
	deadline := time.Now().Add(budget)
	for i := range histories {
		if i >= minHistories && time.Now().After(deadline) {
			break
		}
		seed := base + uint64(i)
		r := rand.New(rand.NewPCG(seed, 0))
		cfg := linRandomConfig(r)
		opts := []Option{WithShards(cfg.shards)}
		if cfg.headroom > 0 {
			opts = append(opts, WithGenerationHeadroom(cfg.headroom))
		}
		// Every other history runs on an AnyTable, whose slots hold the
		// value's two interface words instead of one pointer.
		var tb drainable = New[obj](opts...)
		if i%2 == 1 {
			tb = anyLin{NewAny(opts...)}
		}
		other := New[obj]()
		foreign, _ := other.Insert(&obj{})
		h := linStorm(tb, foreign, cfg, seed)
		switch linCheck(t, h, seed) {
		case porcupine.Illegal:
			t.FailNow()
		case porcupine.Unknown:
			st.unknown++
		}
		st.add(h)
		drain(t, tb, h)
	}
	t.Log(st)
	// A storm that never reached these cases would prove little.
	if st.staleReused == 0 || st.busy == 0 || st.freed == 0 || st.orphanStale == 0 || st.overlapped == 0 {
		t.Errorf("the storms missed a case: %v", st)
	}
	if st.unknown > histories/100 {
		t.Errorf("%d of %d histories timed out in the checker", st.unknown, histories)
	}
}

// TestLinearizableSpecRejects checks the specification itself on small
// sequential histories the table must never produce, so that a model too
// lax to reject anything cannot pass unnoticed.
func TestLinearizableSpecRejects(t *testing.T) {
	op := func(c int, call, ret int64, in linIn, out linOut) porcupine.Operation {
		return porcupine.Operation{ClientId: c, Input: in, Call: call, Output: out, Return: ret}
	}
	const a, b, c Handle = 0x0100000001000001, 0x0100000002000001, 0x0100000001000002
	cases := map[string][]porcupine.Operation{
		"handle issued twice": {
			op(0, 0, 1, linIn{kind: linInsert, v: 1}, linOut{h: a}),
			op(0, 2, 3, linIn{kind: linRelease, h: a}, linOut{freed: true}),
			op(0, 4, 5, linIn{kind: linInsert, v: 2}, linOut{h: a}),
		},
		"stale handle reads the new object": {
			op(0, 0, 1, linIn{kind: linInsert, v: 1}, linOut{h: a}),
			op(0, 2, 3, linIn{kind: linRelease, h: a}, linOut{freed: true}),
			op(1, 4, 5, linIn{kind: linInsert, v: 2}, linOut{h: b}),
			op(0, 6, 7, linIn{kind: linGet, h: a}, linOut{v: 2, ok: true}),
		},
		"release of a pinned handle": {
			op(0, 0, 1, linIn{kind: linInsert, v: 1}, linOut{h: a}),
			op(0, 2, 3, linIn{kind: linPin, h: a}, linOut{v: 1}),
			op(1, 4, 5, linIn{kind: linRelease, h: a}, linOut{freed: true}),
		},
		"unexcused busy": {
			op(0, 0, 1, linIn{kind: linInsert, v: 1}, linOut{h: a}),
			op(1, 4, 5, linIn{kind: linRelease, h: a}, linOut{err: linBusy}),
		},
		"child outlives its parent": {
			op(0, 0, 1, linIn{kind: linInsert, v: 1}, linOut{h: a}),
			op(0, 2, 3, linIn{kind: linInsertChild, h: a, v: 2}, linOut{h: c}),
			op(0, 4, 5, linIn{kind: linRelease, h: a}, linOut{freed: true}),
			op(1, 6, 7, linIn{kind: linPin, h: c}, linOut{v: 2}),
		},
		"released twice": {
			op(0, 0, 1, linIn{kind: linInsert, v: 1}, linOut{h: a}),
			op(0, 2, 3, linIn{kind: linRelease, h: a}, linOut{freed: true}),
			op(1, 4, 5, linIn{kind: linRelease, h: a}, linOut{freed: true}),
		},
		"concurrent last releases both free": {
			op(0, 0, 1, linIn{kind: linInsert, v: 1}, linOut{h: a}),
			op(0, 2, 3, linIn{kind: linAddRef, h: a}, linOut{}),
			op(0, 4, 9, linIn{kind: linRelease, h: a}, linOut{freed: true}),
			op(1, 4, 9, linIn{kind: linRelease, h: a}, linOut{freed: true}),
		},
	}
	for name, h := range cases {
		if res := porcupine.CheckOperationsTimeout(linModel, h, time.Second); res != porcupine.Illegal {
			t.Errorf("%s: checker says %v, want Illegal", name, res)
		}
	}
	// And a concurrent history that is fine only in one order.
	ok := []porcupine.Operation{
		op(0, 0, 1, linIn{kind: linInsert, v: 1}, linOut{h: a}),
		op(0, 2, 9, linIn{kind: linRelease, h: a}, linOut{freed: true}),
		op(1, 3, 4, linIn{kind: linGet, h: a}, linOut{v: 1, ok: true}),
		op(1, 5, 6, linIn{kind: linAddRef, h: a}, linOut{err: linStale}),
	}
	if res := porcupine.CheckOperationsTimeout(linModel, ok, time.Second); res != porcupine.Ok {
		t.Errorf("linearizable history: checker says %v, want Ok", res)
	}
}
