package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/hprov/hprov/loadgen/clock"
	"github.com/hprov/hprov/loadgen/pace"
)

// Config says how to run a storm. Exactly one of Duration and Ops bounds the
// measured phase.
type Config struct {
	// Workers is the number of goroutines running the workload (> 0).
	Workers int
	// Duration is the length of the measured phase.
	Duration time.Duration
	// Ops is the number of measured operations, over all workers.
	Ops uint64
	// Warmup runs the workload before measuring; nothing from it is
	// reported.
	Warmup time.Duration
	// Rate > 0 selects the open loop: arrivals per second over all workers,
	// on a fixed schedule. Zero selects the closed loop.
	Rate float64
	// SampleEvery is the latency sampling period: one operation in
	// SampleEvery is timed. It is also the closed loop's batch size between
	// clock reads. A power of two from 1 to 65536; 0 means 64.
	SampleEvery int
	// Progress, if set, is called about every ProgressEvery (default 250ms)
	// from a goroutine of its own while the storm runs.
	Progress      func(Progress)
	ProgressEvery time.Duration
}

// DefaultSampleEvery is the latency sampling period when Config.SampleEvery
// is zero.
const DefaultSampleEvery = 64

// ErrConfig reports an invalid Config.
var ErrConfig = errors.New("loadgen: invalid config")

// Validate reports whether c describes a run.
func (c Config) Validate() error {
	switch {
	case c.Workers <= 0:
		return fmt.Errorf("%w: workers must be positive, got %d", ErrConfig, c.Workers)
	case c.Duration < 0:
		return fmt.Errorf("%w: negative duration %v", ErrConfig, c.Duration)
	case c.Duration == 0 && c.Ops == 0:
		return fmt.Errorf("%w: need a duration or an operation count", ErrConfig)
	case c.Duration > 0 && c.Ops > 0:
		return fmt.Errorf("%w: a duration and an operation count are exclusive", ErrConfig)
	case c.Ops > math.MaxInt64:
		return fmt.Errorf("%w: operation count %d too large", ErrConfig, c.Ops)
	case c.Warmup < 0:
		return fmt.Errorf("%w: negative warm-up %v", ErrConfig, c.Warmup)
	case c.Rate < 0 || math.IsNaN(c.Rate) || math.IsInf(c.Rate, 0) || c.Rate > 1e9:
		return fmt.Errorf("%w: rate must be in (0, 1e9] ops/s, or 0 for a closed loop; got %v", ErrConfig, c.Rate)
	case c.SampleEvery < 0 || c.SampleEvery > 1<<16 || c.SampleEvery&(c.SampleEvery-1) != 0:
		return fmt.Errorf("%w: SampleEvery must be a power of two up to 65536, got %d", ErrConfig, c.SampleEvery)
	case c.ProgressEvery < 0:
		return fmt.Errorf("%w: negative progress period %v", ErrConfig, c.ProgressEvery)
	}
	return nil
}

// Progress is a snapshot of a running storm.
type Progress struct {
	Elapsed time.Duration // since the run started, warm-up included
	Warmup  bool          // still warming up
	Ops     uint64        // measured operations so far
	Errors  uint64        // of which did not succeed
	Rate    float64       // measured operations per second so far
}

// Latency histograms span 0 to 10 minutes at 3 significant digits; a sample
// beyond is recorded as 10 minutes (and Result.MaxLatency keeps the truth).
const (
	histMax    = int64(10 * time.Minute)
	histDigits = 3
)

// Run runs one storm of w as configured and returns what it measured.
//
// Run returns when the measured phase is over and every goroutine it started
// has stopped, or early if ctx is done (with ctx's error). If the only
// failure is the one Instance.Close reports (a leak), Run returns the result
// together with that error.
func Run(ctx context.Context, w Workload, cfg Config) (*Result, error) {
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.SampleEvery == 0 {
		cfg.SampleEvery = DefaultSampleEvery
	}
	if cfg.ProgressEvery == 0 {
		cfg.ProgressEvery = 250 * time.Millisecond
	}
	inst, err := w.Setup(cfg.Workers)
	if err != nil {
		return nil, fmt.Errorf("loadgen: setting up %s: %w", w.Name, err)
	}
	r := &run{cfg: cfg, clock: clock.New(), workers: make([]*worker, cfg.Workers)}
	batcher, _ := inst.(Batcher)
	for i := range r.workers {
		wk := &worker{id: i, hist: hdrhistogram.New(1, histMax, histDigits)}
		if cfg.Rate > 0 {
			wk.lag = hdrhistogram.New(1, histMax, histDigits)
		}
		if batcher != nil {
			wk.batch = batcher.NewBatch(i)
		} else {
			wk.batch = batchOf(inst.NewOp(i))
		}
		r.workers[i] = wk
	}
	r.success = make([]Outcome, 0, len(w.Outcomes))
	for i, o := range w.Outcomes {
		if o.Kind == Success {
			r.success = append(r.success, Outcome(i))
		}
	}
	if cfg.Progress != nil {
		r.pub = make([]published, cfg.Workers)
	}
	r.overhead = r.clock.Overhead(0)

	// Workers carry a pprof label for their phase, on top of the caller's
	// labels, so that a CPU profile can be focused on the measured phase
	// (go tool pprof -tagfocus phase=measure).
	r.warmupLabels = pprof.WithLabels(ctx, pprof.Labels("phase", "warmup"))
	r.measureLabels = pprof.WithLabels(ctx, pprof.Labels("phase", "measure"))
	stopOnCancel := context.AfterFunc(ctx, func() { r.stop.Store(true) })
	r.start = r.clock.Now()
	r.warmEnd = r.start + int64(cfg.Warmup)
	r.end = r.warmEnd + int64(cfg.Duration)
	if cfg.Rate == 0 {
		r.remaining.Store(int64(cfg.Ops))
	}

	var wg sync.WaitGroup
	for _, wk := range r.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if cfg.Rate > 0 {
				r.openLoop(wk)
			} else {
				r.closedLoop(wk)
			}
		}()
	}
	monitorDone := make(chan struct{})
	var monitor sync.WaitGroup
	if cfg.Progress != nil {
		monitor.Add(1)
		go func() {
			defer monitor.Done()
			r.monitor(monitorDone)
		}()
	}
	wg.Wait()
	close(monitorDone)
	monitor.Wait()
	stopOnCancel()

	closeErr := inst.Close()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("loadgen: %s interrupted: %w", w.Name, errors.Join(err, closeErr))
	}
	res, err := r.result(w)
	if err != nil {
		return nil, err
	}
	if closeErr != nil {
		return res, fmt.Errorf("loadgen: %s: %w", w.Name, closeErr)
	}
	return res, nil
}

// run is the state of one storm shared by its workers.
type run struct {
	cfg      Config
	clock    clock.Clock
	workers  []*worker
	success  []Outcome
	pub      []published // nil unless progress is reported
	overhead int64       // ns one clock read adds to an interval

	start, warmEnd, end int64 // clock readings; end only in duration mode

	// Profiler labels of the two phases (contexts only carry them).
	warmupLabels, measureLabels context.Context

	stop      atomic.Bool  // context cancelled
	remaining atomic.Int64 // closed loop, op count mode: operations left to claim
}

// A worker's state, owned by its goroutine until Run merges it. The padding
// keeps two workers' counters off a shared cache line.
type worker struct {
	_      [128]byte
	counts Counts
	ops    uint64 // measured operations
	hist   *hdrhistogram.Histogram
	maxLat int64
	// Open loop: how late the sampled arrivals were issued.
	lag *hdrhistogram.Histogram
	// Measured window, as clock readings.
	winStart, winEnd int64
	// Open loop: arrivals of the measured phase never issued.
	missed uint64
	id     int
	batch  Batch
	_      [128]byte
}

// published carries a worker's running totals to the progress monitor.
type published struct {
	ops, errs atomic.Uint64
	_         [128 - 16]byte
}

func (wk *worker) reset() {
	wk.counts = Counts{}
	wk.ops = 0
	wk.hist.Reset()
	wk.maxLat = 0
	if wk.lag != nil {
		wk.lag.Reset()
	}
}

func (wk *worker) record(ns int64) {
	if ns < 0 {
		ns = 0
	}
	if ns > wk.maxLat {
		wk.maxLat = ns
	}
	_ = wk.hist.RecordValue(min(ns, histMax)) // in range by construction
}

func (r *run) publish(wk *worker) {
	ok := uint64(0)
	for _, o := range r.success {
		ok += wk.counts[o]
	}
	p := &r.pub[wk.id]
	p.ops.Store(wk.ops)
	p.errs.Store(wk.ops - ok)
}

// claim takes up to n operations from the shared budget of an op-count run.
func (r *run) claim(n int) int {
	left := r.remaining.Add(-int64(n)) + int64(n)
	if left <= 0 {
		return 0
	}
	return int(min(left, int64(n)))
}

// closedLoop runs batches of SampleEvery operations back to back. Per batch:
// one stop check, one random position, two clock reads around the operation
// at that position (its latency sample; the second read also ends warm-up
// and the measured phase), and one histogram record.
func (r *run) closedLoop(wk *worker) {
	c, run, batch := r.clock, wk.batch, r.cfg.SampleEvery
	opsMode := r.cfg.Ops > 0
	measuring := false
	if now := c.Now(); now >= r.warmEnd {
		measuring, wk.winStart = true, now
		pprof.SetGoroutineLabels(r.measureLabels)
	} else {
		pprof.SetGoroutineLabels(r.warmupLabels)
	}
	for !r.stop.Load() {
		n := batch
		if measuring && opsMode {
			if n = r.claim(batch); n == 0 {
				break
			}
		}
		k := int(rand.Uint32N(uint32(n)))
		run(k, &wk.counts)
		t0 := c.Now()
		run(1, &wk.counts)
		t1 := c.Now()
		run(n-k-1, &wk.counts)
		wk.ops += uint64(n)
		if measuring {
			wk.record(t1 - t0 - r.overhead)
			if r.pub != nil {
				r.publish(wk)
			}
			if !opsMode && t1 >= r.end {
				break
			}
		} else if t1 >= r.warmEnd {
			wk.reset()
			pprof.SetGoroutineLabels(r.measureLabels)
			measuring, wk.winStart = true, c.Now()
		}
	}
	wk.winEnd = c.Now()
	if !measuring {
		wk.reset() // stopped during warm-up: nothing measured
		wk.winStart = wk.winEnd
	}
}

// maxBurst bounds how many due arrivals an open-loop worker issues per clock
// read, so that a worker that fell behind still notices the end of the run.
const maxBurst = 64

// openLoop issues the arrivals of its stripe of the schedule: after each
// clock read, every arrival already due (up to maxBurst), then a wait for the
// next. A random arrival in SampleEvery, on average, is timed from its
// intended start; how late it was issued is recorded too, to tell the
// generator's own lateness (a descheduled worker) from the operation's.
func (r *run) openLoop(wk *worker) {
	c, run := r.clock, wk.batch
	all, _ := pace.New(r.start, r.cfg.Rate) // rate checked by Validate
	s := all.Stripe(wk.id, r.cfg.Workers)
	warmIdx := s.Before(r.warmEnd)
	endIdx := uint64(math.MaxUint64)
	deadline := int64(math.MaxInt64)
	if n := r.cfg.Ops; n > 0 {
		share := n / uint64(r.cfg.Workers)
		if uint64(wk.id) < n%uint64(r.cfg.Workers) {
			share++
		}
		endIdx = warmIdx + share
	} else {
		endIdx = s.Before(r.end)
		deadline = r.end
	}
	sampleMean := uint32(r.cfg.SampleEvery)
	nextSample := func() uint32 { return 1 + rand.Uint32N(2*sampleMean-1) } // mean SampleEvery
	countdown := nextSample()
	measuring := warmIdx == 0
	if measuring {
		pprof.SetGoroutineLabels(r.measureLabels)
	} else {
		pprof.SetGoroutineLabels(r.warmupLabels)
	}
	i := uint64(0)
	for i < endIdx && !r.stop.Load() {
		now := c.Now()
		if now >= deadline {
			break // what is still due is missed: the storm is over
		}
		due := min(s.Due(now), endIdx, i+maxBurst)
		if !measuring {
			due = min(due, warmIdx)
		}
		if due <= i {
			pace.Until(c, s.At(i), &r.stop)
			continue
		}
		// Issue arrivals i to due; the countdown-th from here is timed.
		for i < due {
			if left := due - i; uint64(countdown) > left {
				run(int(left), &wk.counts)
				countdown -= uint32(left)
				i = due
				break
			}
			run(int(countdown-1), &wk.counts)
			i += uint64(countdown - 1)
			issued := c.Now()
			run(1, &wk.counts)
			if measuring {
				at := s.At(i)
				wk.record(c.Now() - at)
				_ = wk.lag.RecordValue(min(max(issued-at, 0), histMax))
			}
			i++
			countdown = nextSample()
		}
		if measuring {
			wk.ops = i - warmIdx
			if r.pub != nil {
				r.publish(wk)
			}
		} else if i >= warmIdx {
			wk.reset()
			pprof.SetGoroutineLabels(r.measureLabels)
			measuring = true
		}
	}
	wk.winEnd = c.Now()
	if measuring {
		wk.ops = i - warmIdx
		wk.missed = endIdx - i
		if r.cfg.Ops > 0 {
			// The nominal end is the last arrival's slot; a late worker
			// stretches the window.
			wk.winEnd = max(wk.winEnd, s.At(endIdx))
		}
	} else {
		wk.reset()
	}
	wk.winStart = r.warmEnd
}

// monitor reports progress until done is closed.
func (r *run) monitor(done <-chan struct{}) {
	t := time.NewTicker(r.cfg.ProgressEvery)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		now := r.clock.Now()
		p := Progress{Elapsed: time.Duration(now - r.start), Warmup: now < r.warmEnd}
		for i := range r.pub {
			p.Ops += r.pub[i].ops.Load()
			p.Errors += r.pub[i].errs.Load()
		}
		if d := now - r.warmEnd; d > 0 {
			p.Rate = float64(p.Ops) / (float64(d) / 1e9)
		}
		r.cfg.Progress(p)
	}
}
