package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/hprov/hprov/loadgen/clock"
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
	case c.Rate < 0 || math.IsNaN(c.Rate) || math.IsInf(c.Rate, 0) || c.Rate > maxRate:
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
	return runStorm(ctx, w, cfg, hooks{})
}

// hooks let Benchmark put a testing.B's timer around the measured phase.
type hooks struct {
	measure func() // the measured phase begins
	stop    func() // every worker has stopped, before Instance.Close
}

func runStorm(ctx context.Context, w Workload, cfg Config, hk hooks) (*Result, error) {
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

	// Workers carry pprof labels naming the storm and its phase, on top of
	// the caller's labels, so that a CPU profile can be split by storm and
	// focused on the measured phase (go tool pprof -tagfocus phase=measure).
	labels := []string{"profile", w.Name, "workers", strconv.Itoa(cfg.Workers)}
	if impl := w.Param("impl"); impl != "" {
		labels = append(labels, "impl", impl)
	}
	r.warmupLabels = pprof.WithLabels(ctx, pprof.Labels(append(labels, "phase", "warmup")...))
	r.measureLabels = pprof.WithLabels(ctx, pprof.Labels(append(labels, "phase", "measure")...))
	// The function AfterFunc runs on cancellation is a goroutine of Run's
	// too: if it started, Run waits for it before returning.
	cancelled := make(chan struct{})
	stopOnCancel := context.AfterFunc(ctx, func() {
		r.stop.Store(true)
		close(cancelled)
	})
	if cfg.Rate == 0 {
		r.remaining.Store(int64(cfg.Ops))
	}
	// Without a warm-up the measured phase starts before the first worker
	// does, as RunParallel's timer does; otherwise the first worker to
	// reach the end of the warm-up starts it.
	if hk.measure != nil && cfg.Warmup == 0 {
		hk.measure()
	} else if hk.measure != nil {
		r.measureHook = hk.measure
	}
	r.start = r.clock.Now()
	r.warmEnd = r.start + int64(cfg.Warmup)
	r.end = r.warmEnd + int64(cfg.Duration)

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
	if hk.stop != nil {
		hk.stop()
	}
	close(monitorDone)
	monitor.Wait()
	if !stopOnCancel() {
		<-cancelled
	}

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
//
// The measured phase is one window for all workers, as in RunParallel: it
// starts at the clock reading warmEnd (the end of the warm-up, the same
// instant for every worker) and ends when the last worker that measured
// anything stops. A worker counts the operations it runs from its first
// batch that starts at or after warmEnd; throughput is their sum over the
// window. Summing each worker's rate over a window of its own instead
// inflates throughput many times over when there are more workers than Ps,
// because a descheduled worker's window then covers little of the phase.
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

	// measureHook, if set, is called once, by the first worker that starts
	// measuring.
	measureHook func()
	measureOnce sync.Once

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
	// winEnd is the clock reading at which the worker stopped. A worker
	// that stops before measuring is reset, so ops > 0 tells one that
	// measured.
	winEnd int64
	// Open loop: arrivals of the measured phase never issued.
	missed uint64
	id     int
	batch  Batch
	_      [128]byte
}

// beginMeasure switches wk from warm-up to the measured phase.
func (r *run) beginMeasure(wk *worker) {
	wk.reset()
	pprof.SetGoroutineLabels(r.measureLabels)
	if r.measureHook != nil {
		r.measureOnce.Do(r.measureHook)
	}
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

// publish runs once per batch while progress is reported. Errors change
// rarely, so they are stored only when they did: a batch pays one atomic
// store (a locked exchange on amd64), not two; the load of the worker's own
// slot is a plain read.
func (r *run) publish(wk *worker) {
	ok := uint64(0)
	for _, o := range r.success {
		ok += wk.counts[o]
	}
	p := &r.pub[wk.id]
	p.ops.Store(wk.ops)
	if errs := wk.ops - ok; errs != p.errs.Load() {
		p.errs.Store(errs)
	}
}

// claim takes up to n operations from the shared budget of an op-count run.
func (r *run) claim(n int) int {
	left := r.remaining.Add(-int64(n)) + int64(n)
	if left <= 0 {
		return 0
	}
	return int(min(left, int64(n)))
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
