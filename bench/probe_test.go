package bench

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hprov/hprov/engine"
)

// Stale and forged handles at scale. A prober owns a few slots of a table and
// cycles them: each cycle releases its live handles (and so, with them, the
// children of some), inserts as many new ones, which the table puts in the
// same slots, and then probes every handle released in the last probeDepth
// cycles, plus forgeries, with every operation that takes a handle. Every
// probe must fail; one that succeeds is an accepted handle, which the
// benchmark and the test report as a failure.

var staleProbes = flag.Int64("stale.probes", 0,
	"probes for TestStaleProbe (0: a small default; HPROV_PROBES does the same)")

const (
	probeSlots = 64 // live top-level handles per prober
	probeDepth = 16 // cycles of released handles kept for probing
	// probeForged is the number of forged handles probed per cycle: half
	// random 64-bit values, half live handles with one bit of the index or
	// generation flipped.
	probeForged = 256
)

type probeVal struct{ n int }

type prober struct {
	tb    *engine.Table[probeVal]
	rng   *rand.Rand
	live  []engine.Handle
	kids  []engine.Handle        // children of live handles, orphaned by the next cycle
	ring  []engine.Handle        // handles released in the last probeDepth cycles
	pos   int                    // next ring entry to overwrite
	slots map[uint32]struct{}    // slot indexes seen (handle layout: see engine's doc)
	isNow map[engine.Handle]bool // live handles, to tell a forgery from a real handle

	probes, stale, forged, cycles int64
	accepted                      []string // what was accepted, for the failure message
}

func newProber(tb *engine.Table[probeVal], seed uint64) (*prober, error) {
	p := &prober{
		tb:    tb,
		rng:   rand.New(rand.NewPCG(seed, 0x9e37)),
		ring:  make([]engine.Handle, 0, probeDepth*probeSlots*5/4),
		slots: map[uint32]struct{}{},
		isNow: map[engine.Handle]bool{},
	}
	if err := p.fill(); err != nil {
		return nil, err
	}
	return p, nil
}

// fill inserts probeSlots handles, a quarter of them with one child.
func (p *prober) fill() error {
	for i := range probeSlots {
		h, err := p.tb.Insert(&probeVal{i})
		if err != nil {
			return err
		}
		p.live = append(p.live, h)
		p.isNow[h] = true
		p.slots[uint32(h)&(1<<24-1)] = struct{}{}
		if i%4 == 0 {
			c, err := p.tb.InsertChild(h, &probeVal{-i})
			if err != nil {
				return err
			}
			p.kids = append(p.kids, c)
			p.isNow[c] = true
			p.slots[uint32(c)&(1<<24-1)] = struct{}{}
		}
	}
	return nil
}

func (p *prober) retire(h engine.Handle) {
	delete(p.isNow, h)
	if len(p.ring) < cap(p.ring) {
		p.ring = append(p.ring, h)
		return
	}
	p.ring[p.pos] = h
	p.pos = (p.pos + 1) % len(p.ring)
}

// cycle releases every live handle (their children become stale with them),
// refills the slots, and probes.
func (p *prober) cycle() error {
	for _, c := range p.kids {
		p.retire(c)
	}
	p.kids = p.kids[:0]
	for _, h := range p.live {
		if freed, err := p.tb.Release(h); !freed || err != nil {
			return fmt.Errorf("release of live %v: freed=%v, %v", h, freed, err)
		}
		p.retire(h)
	}
	p.live = p.live[:0]
	if err := p.fill(); err != nil {
		return err
	}
	p.cycles++
	for i, h := range p.ring {
		p.probe(h, i, "stale")
	}
	p.stale += int64(len(p.ring))
	for i := range probeForged {
		var h engine.Handle
		if i%2 == 0 {
			h = engine.Handle(p.rng.Uint64())
		} else {
			// Index bits 0..23, generation bits 24..55.
			h = p.live[p.rng.IntN(len(p.live))] ^ 1<<p.rng.IntN(56)
		}
		if p.isNow[h] {
			continue // the flip landed on another live handle: not a forgery
		}
		p.probe(h, i, "forged")
		p.forged++
	}
	return nil
}

// probe tries one operation, chosen by k, on a handle that must be rejected.
func (p *prober) probe(h engine.Handle, k int, kind string) {
	p.probes++
	var err error
	op := k % 5
	switch op {
	case 0:
		if _, ok := p.tb.Get(h); ok {
			err = errors.New("Get accepted it")
		}
	case 1:
		if _, e := p.tb.Pin(h); e == nil {
			p.tb.Unpin(h)
			err = errors.New("Pin accepted it")
		}
	case 2:
		if e := p.tb.AddRef(h); e == nil {
			err = errors.New("AddRef accepted it")
		}
	case 3:
		if _, e := p.tb.Release(h); e == nil {
			err = errors.New("Release accepted it")
		}
	case 4:
		if c, e := p.tb.InsertChild(h, &probeVal{}); e == nil {
			p.tb.Release(c)
			err = errors.New("InsertChild accepted it as a parent")
		}
	}
	if err != nil {
		p.accepted = append(p.accepted, fmt.Sprintf("%s handle %v: %v", kind, h, err))
	}
}

// close releases the prober's live handles.
func (p *prober) close() {
	for _, h := range p.live {
		p.tb.Release(h)
	}
}

func BenchmarkStaleProbe(b *testing.B) {
	tb := engine.New[probeVal]()
	p, err := newProber(tb, 1)
	if err != nil {
		b.Fatal(err)
	}
	defer p.close()
	// Fill the ring before timing, so that every cycle probes as much.
	for range probeDepth {
		if err := p.cycle(); err != nil {
			b.Fatal(err)
		}
	}
	p.probes = 0
	b.ResetTimer()
	for range b.N {
		if err := p.cycle(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(p.probes)/float64(b.N), "probes/op")
	b.ReportMetric(float64(len(p.accepted)), "accepted")
	if len(p.accepted) > 0 {
		b.Fatalf("%d handles accepted, first: %s", len(p.accepted), p.accepted[0])
	}
}

// TestStaleProbe runs probers on every P against one shared table, so that
// the cycles of one prober reuse slots while others probe, until the total
// number of probes reaches the target: a small one by default,
// -stale.probes=N or HPROV_PROBES=N for a long run (the README's figure is
// from -stale.probes=100000000).
func TestStaleProbe(t *testing.T) {
	target := int64(200_000)
	if testing.Short() {
		target = 50_000
	}
	if *staleProbes > 0 {
		target = *staleProbes
	} else if s := os.Getenv("HPROV_PROBES"); s != "" {
		n, err := strconv.ParseFloat(s, 64)
		if err != nil || n < 1 {
			t.Fatalf("HPROV_PROBES=%q: want a positive number", s)
		}
		target = int64(n)
	}
	tb := engine.New[probeVal]()
	workers := runtime.GOMAXPROCS(0)
	probers := make([]*prober, workers)
	for w := range probers {
		p, err := newProber(tb, uint64(w))
		if err != nil {
			t.Fatal(err)
		}
		probers[w] = p
	}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w, p := range probers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p.probes < target/int64(workers)+1 && len(p.accepted) == 0 {
				if err := p.cycle(); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var probes, stale, forged, cycles, accepted int64
	slots := map[uint32]struct{}{}
	for w, p := range probers {
		if errs[w] != nil {
			t.Fatal(errs[w])
		}
		probes += p.probes
		stale += p.stale
		forged += p.forged
		cycles += p.cycles
		accepted += int64(len(p.accepted))
		for i := range p.slots {
			slots[i] = struct{}{}
		}
		for _, a := range p.accepted {
			t.Errorf("accepted: %s", a)
		}
		p.close()
	}
	t.Logf("%d probes (%d stale, %d forged), %d accepted, in %v (%.1f ns/probe per core); "+
		"%d probers, %d reuse cycles of %d slots (%.0f uses per slot)",
		probes, stale, forged, accepted,
		elapsed.Round(time.Millisecond), float64(elapsed.Nanoseconds())*float64(workers)/float64(probes),
		workers, cycles, len(slots), float64(cycles)*float64(probeSlots*5/4)/float64(len(slots)))
	if n := tb.Len(); n != 0 {
		t.Errorf("Len = %d after the probers released everything", n)
	}
}
