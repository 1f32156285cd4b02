package loadgen

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fake is a workload whose operation cycles through its outcomes and counts
// every call, warm-up included.
type fake struct {
	calls    atomic.Uint64
	closed   atomic.Bool
	closeErr error
	delay    time.Duration
	cycle    []Outcome // outcomes returned in turn; nil means always 0
}

var fakeOutcomes = []OutcomeInfo{{"ok", Success}, {"busy", Refused}, {"stale-accepted", Violation}}

func (f *fake) workload(name string) Workload {
	return Workload{
		Name:     name,
		Params:   []Param{{"fake-param", "1"}},
		Outcomes: fakeOutcomes,
		Setup:    func(int) (Instance, error) { return f, nil },
	}
}

func (f *fake) NewOp(int) Op {
	var n uint64
	var calls uint64
	return func() Outcome {
		calls++
		if calls&1023 == 0 {
			f.calls.Add(1024)
		}
		if f.delay > 0 {
			time.Sleep(f.delay)
		}
		if f.cycle == nil {
			return 0
		}
		n++
		return f.cycle[n%uint64(len(f.cycle))]
	}
}

func (f *fake) Close() error {
	f.closed.Store(true)
	return f.closeErr
}

func sumOutcomes(r *Result) uint64 {
	var n uint64
	for _, o := range r.Outcomes {
		n += o.Count
	}
	return n
}

func TestClosedLoopCountsExactlyTheRequestedOps(t *testing.T) {
	for _, workers := range []int{1, 2, 3} {
		f := &fake{cycle: []Outcome{0, 0, 1}}
		res, err := Run(context.Background(), f.workload("fake"), Config{Workers: workers, Ops: 100_003, Warmup: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if res.Count != 100_003 || sumOutcomes(res) != res.Count {
			t.Fatalf("workers=%d: Count = %d, outcomes sum to %d; want 100003", workers, res.Count, sumOutcomes(res))
		}
		if !f.closed.Load() {
			t.Fatal("instance not closed")
		}
		if res.Throughput <= 0 || res.NsPerOp() <= 0 || res.Elapsed <= 0 {
			t.Fatalf("throughput %v, ns/op %v, elapsed %v", res.Throughput, res.NsPerOp(), res.Elapsed)
		}
		// One sample per batch of 64, a batch cut short at the end of the
		// budget included.
		if s := res.Samples(); s < int64(res.Count/64) || s > int64(res.Count/64)+int64(workers)+1 {
			t.Fatalf("%d samples for %d ops", s, res.Count)
		}
		if res.Outcomes[1].Count == 0 || res.Refusals() != res.Outcomes[1].Count || res.Violations() != 0 {
			t.Fatalf("outcomes %+v", res.Outcomes)
		}
	}
}

func TestWarmupIsExcluded(t *testing.T) {
	f := &fake{}
	res, err := Run(context.Background(), f.workload("fake"), Config{Workers: 2, Ops: 50_000, Warmup: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// The warm-up ran operations (far more than 50000 in 50 ms), none of them
	// counted.
	if res.Count != 50_000 {
		t.Fatalf("Count = %d", res.Count)
	}
	if calls := f.calls.Load(); calls <= 50_000+2*1024 {
		t.Fatalf("only %d calls: the warm-up did not run", calls)
	}
}

func TestDurationMode(t *testing.T) {
	f := &fake{}
	d, warm := 100*time.Millisecond, 10*time.Millisecond
	start := time.Now()
	res, err := Run(context.Background(), f.workload("fake"), Config{Workers: 2, Duration: d, Warmup: warm})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < d+warm {
		t.Fatalf("run took %v, want at least warm-up + duration = %v", took, d+warm)
	}
	if res.Elapsed <= 0 {
		t.Fatalf("Elapsed = %v", res.Elapsed)
	}
	if res.Count == 0 || sumOutcomes(res) != res.Count {
		t.Fatalf("Count %d, outcomes %d", res.Count, sumOutcomes(res))
	}
	if res.Duration != d || res.Ops != 0 || res.Workers != 2 || res.Open() {
		t.Fatalf("result config %+v", res)
	}
}

func TestViolationsAreCounted(t *testing.T) {
	f := &fake{cycle: []Outcome{0, 2}}
	res, err := Run(context.Background(), f.workload("fake"), Config{Workers: 1, Ops: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if res.Violations() != 500 {
		t.Fatalf("Violations = %d, want 500", res.Violations())
	}
}

func TestUndeclaredOutcomeIsAnError(t *testing.T) {
	f := &fake{cycle: []Outcome{7}}
	_, err := Run(context.Background(), f.workload("fake"), Config{Workers: 1, Ops: 100})
	if !errors.Is(err, ErrWorkload) {
		t.Fatalf("err = %v, want ErrWorkload", err)
	}
}

func TestCloseErrorComesWithTheResult(t *testing.T) {
	leak := errors.New("3 handles still live")
	f := &fake{closeErr: leak}
	res, err := Run(context.Background(), f.workload("fake"), Config{Workers: 1, Ops: 100})
	if !errors.Is(err, leak) || res == nil || res.Count != 100 {
		t.Fatalf("res %v, err %v", res, err)
	}
}

func TestSetupErrorStopsTheRun(t *testing.T) {
	boom := errors.New("boom")
	w := Workload{Name: "x", Outcomes: fakeOutcomes, Setup: func(int) (Instance, error) { return nil, boom }}
	if _, err := Run(context.Background(), w, Config{Workers: 1, Ops: 1}); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
}

func TestCancelStopsEveryWorker(t *testing.T) {
	f := &fake{}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(30*time.Millisecond, cancel)
	for _, rate := range []float64{0, 1000} {
		_, err := Run(ctx, f.workload("fake"), Config{Workers: 3, Duration: time.Hour, Rate: rate})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("rate %v: err = %v, want context.Canceled", rate, err)
		}
	}
	// goleak in TestMain checks that no worker outlived Run.
}

func TestInvalidConfig(t *testing.T) {
	f := &fake{}
	for _, c := range []Config{
		{Workers: 0, Ops: 1},
		{Workers: -1, Ops: 1},
		{Workers: 1},
		{Workers: 1, Ops: 1, Duration: time.Second},
		{Workers: 1, Duration: -time.Second},
		{Workers: 1, Ops: 1, Warmup: -1},
		{Workers: 1, Ops: 1, Rate: -5},
		{Workers: 1, Ops: 1, Rate: 2e9},
		{Workers: 1, Ops: 1, SampleEvery: 3},
		{Workers: 1, Ops: 1, SampleEvery: 1 << 17},
		{Workers: 1, Ops: 1, ProgressEvery: -1},
	} {
		if _, err := Run(context.Background(), f.workload("fake"), c); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: err = %v, want ErrConfig", c, err)
		}
	}
	if f.closed.Load() {
		t.Error("an invalid config reached Setup")
	}
}

func TestInvalidWorkload(t *testing.T) {
	setup := func(int) (Instance, error) { return &fake{}, nil }
	for _, w := range []Workload{
		{Outcomes: fakeOutcomes, Setup: setup},
		{Name: "x", Outcomes: fakeOutcomes},
		{Name: "x", Setup: setup},
		{Name: "x", Outcomes: []OutcomeInfo{{"a", Success}, {"a", Refused}}, Setup: setup},
		{Name: "x", Outcomes: []OutcomeInfo{{"", Success}}, Setup: setup},
		{Name: "x", Outcomes: []OutcomeInfo{{"a", Kind(9)}}, Setup: setup},
	} {
		if _, err := Run(context.Background(), w, Config{Workers: 1, Ops: 1}); !errors.Is(err, ErrWorkload) {
			t.Errorf("%+v: err = %v, want ErrWorkload", w, err)
		}
	}
}

func TestOpenLoopIssuesTheScheduleExactly(t *testing.T) {
	f := &fake{}
	start := time.Now()
	const ops, rate = 4000, 20000.0
	res, err := Run(context.Background(), f.workload("fake"), Config{Workers: 2, Ops: ops, Rate: rate, SampleEvery: 8})
	if err != nil {
		t.Fatal(err)
	}
	// The schedule cannot be run faster than it is written.
	if took := time.Since(start); took < time.Duration(float64(ops-2)/rate*float64(time.Second)) {
		t.Fatalf("%d arrivals at %v/s took only %v", ops, rate, took)
	}
	if res.Count != ops || res.Missed != 0 || !res.Open() {
		t.Fatalf("Count %d, Missed %d", res.Count, res.Missed)
	}
	if res.Throughput > rate*1.01 {
		t.Fatalf("throughput %v above the target %v", res.Throughput, rate)
	}
}

// A stall must be charged to every arrival it delays: with arrivals every
// 1 ms and operations taking at least 2 ms, the backlog grows by at least
// 1 ms per operation, and latencies from the intended start show it.
func TestOpenLoopAvoidsCoordinatedOmission(t *testing.T) {
	f := &fake{delay: 2 * time.Millisecond}
	const ops = 60
	res, err := Run(context.Background(), f.workload("fake"), Config{Workers: 1, Ops: ops, Rate: 1000, SampleEvery: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Samples() != ops {
		t.Fatalf("%d samples, want every one of %d", res.Samples(), ops)
	}
	if want := time.Duration(ops-1) * time.Millisecond; res.MaxLatency < want {
		t.Fatalf("max latency %v: the backlog (at least %v) went unmeasured", res.MaxLatency, want)
	}
	if p50 := res.Quantile(0.5); p50 < time.Duration(ops/2-1)*time.Millisecond {
		t.Fatalf("median latency %v: the backlog went unmeasured", p50)
	}
	// The backlog is lag: arrivals issued late because the worker was busy.
	if lag := res.LagQuantile(1); lag < time.Duration(ops-2)*time.Millisecond || res.Lag.TotalCount() != ops {
		t.Fatalf("max lag %v over %d samples: the backlog is not seen as lag", lag, res.Lag.TotalCount())
	}
}

// A closed loop with the same operation measures the service time only.
func TestClosedLoopSamplesServiceTime(t *testing.T) {
	f := &fake{delay: 2 * time.Millisecond}
	res, err := Run(context.Background(), f.workload("fake"), Config{Workers: 1, Ops: 20, SampleEvery: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Samples() != 20 || res.Quantile(0.5) < 2*time.Millisecond {
		t.Fatalf("%d samples, median %v", res.Samples(), res.Quantile(0.5))
	}
	if res.Lag != nil || res.LagQuantile(0.5) != 0 {
		t.Fatal("a closed loop reports schedule lag")
	}
}

func TestOpenLoopDurationMode(t *testing.T) {
	f := &fake{}
	res, err := Run(context.Background(), f.workload("fake"), Config{Workers: 2, Duration: 100 * time.Millisecond, Rate: 10000, Warmup: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// 1000 arrivals are scheduled in the measured phase; a worker preempted
	// at the very end may miss a few, which are then reported as missed.
	if res.Count+res.Missed != 1000 {
		t.Fatalf("Count %d + Missed %d, want 1000 scheduled", res.Count, res.Missed)
	}
}

func TestProgressIsReported(t *testing.T) {
	f := &fake{}
	var calls, sawOps atomic.Int64
	_, err := Run(context.Background(), f.workload("fake"), Config{
		Workers: 2, Duration: 120 * time.Millisecond, ProgressEvery: 10 * time.Millisecond,
		Progress: func(p Progress) {
			calls.Add(1)
			if p.Ops > 0 && !p.Warmup {
				sawOps.Add(1)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() == 0 || sawOps.Load() == 0 {
		t.Fatalf("progress called %d times, %d with operations", calls.Load(), sawOps.Load())
	}

	// Errors are the operations that did not succeed: here every other one.
	f = &fake{cycle: []Outcome{0, 1}}
	var last atomic.Pointer[Progress]
	_, err = Run(context.Background(), f.workload("fake"), Config{
		Workers: 2, Duration: 120 * time.Millisecond, ProgressEvery: 10 * time.Millisecond,
		Progress: func(p Progress) {
			if p.Ops > 0 && !p.Warmup {
				last.Store(&p)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if p := last.Load(); p == nil || p.Errors < p.Ops/4 || p.Errors > p.Ops*3/4 {
		t.Fatalf("last progress %+v: want about half the operations as errors", p)
	}
}

// The harness allocates nothing per operation: a run a hundred times longer
// allocates about the same.
func TestNoAllocationPerOperation(t *testing.T) {
	mallocs := func(ops uint64) uint64 {
		f := &fake{}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := Run(context.Background(), f.workload("fake"), Config{Workers: 2, Ops: ops}); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.Mallocs - before.Mallocs
	}
	small, large := mallocs(10_000), mallocs(1_000_000)
	if large > small+200 {
		t.Fatalf("%d allocations for 10k ops, %d for 1M ops", small, large)
	}
}

func TestMixDrawsByWeight(t *testing.T) {
	a := Workload{Name: "a", Params: []Param{{"shared", "1"}, {"size", "8"}}, Outcomes: []OutcomeInfo{{"ok", Success}, {"a-only", Refused}},
		Setup: func(int) (Instance, error) { return constInstance(1), nil }}
	b := Workload{Name: "b", Params: []Param{{"shared", "1"}, {"size", "9"}}, Outcomes: []OutcomeInfo{{"b-only", Refused}, {"ok", Success}},
		Setup: func(int) (Instance, error) { return constInstance(0), nil }}
	m, err := Mix("mixed", Weighted{a, 70}, Weighted{b, 30})
	if err != nil {
		t.Fatal(err)
	}
	wantOutcomes := []string{"ok", "a-only", "b-only"}
	for i, o := range m.Outcomes {
		if o.Name != wantOutcomes[i] {
			t.Fatalf("mix outcomes %v", m.Outcomes)
		}
	}
	got := map[string]string{}
	for _, p := range m.Params {
		got[p.Key] = p.Value
	}
	want := map[string]string{"mix": "a=70,b=30", "shared": "1", "a.size": "8", "b.size": "9"}
	if len(got) != len(want) {
		t.Fatalf("mix params %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("mix params %v, want %v", got, want)
		}
	}
	res, err := Run(context.Background(), m, Config{Workers: 2, Ops: 200_000})
	if err != nil {
		t.Fatal(err)
	}
	// Binomial: 200000 draws at p = 0.7 have a standard deviation of 0.1%.
	if share := float64(res.Outcomes[1].Count) / float64(res.Count); share < 0.68 || share > 0.72 {
		t.Fatalf("part a drew %.3f of the operations, want 0.70", share)
	}
	if res.Outcomes[0].Count != 0 || res.Outcomes[2].Count+res.Outcomes[1].Count != res.Count {
		t.Fatalf("outcomes %+v", res.Outcomes)
	}
}

type constInstance Outcome

func (c constInstance) NewOp(int) Op { return func() Outcome { return Outcome(c) } }
func (constInstance) Close() error   { return nil }

func TestMixRejectsBadParts(t *testing.T) {
	ok := (&fake{}).workload("a")
	clash := Workload{Name: "b", Outcomes: []OutcomeInfo{{"ok", Violation}}, Setup: ok.Setup}
	cases := map[string]func() (Workload, error){
		"no parts":      func() (Workload, error) { return Mix("m") },
		"no name":       func() (Workload, error) { return Mix("", Weighted{ok, 1}) },
		"zero weight":   func() (Workload, error) { return Mix("m", Weighted{ok, 0}) },
		"repeated part": func() (Workload, error) { return Mix("m", Weighted{ok, 1}, Weighted{ok, 2}) },
		"kind clash":    func() (Workload, error) { return Mix("m", Weighted{ok, 1}, Weighted{clash, 1}) },
		"bad part":      func() (Workload, error) { return Mix("m", Weighted{Workload{Name: "x"}, 1}) },
	}
	for name, f := range cases {
		if _, err := f(); !errors.Is(err, ErrWorkload) {
			t.Errorf("%s: err = %v, want ErrWorkload", name, err)
		}
	}
}

func TestMixSetupFailureClosesTheOthers(t *testing.T) {
	first := &fake{}
	boom := errors.New("boom")
	bad := Workload{Name: "bad", Outcomes: fakeOutcomes, Setup: func(int) (Instance, error) { return nil, boom }}
	m, err := Mix("m", Weighted{first.workload("first"), 1}, Weighted{bad, 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), m, Config{Workers: 1, Ops: 10}); !errors.Is(err, boom) || !strings.Contains(err.Error(), "bad") {
		t.Fatalf("err = %v", err)
	}
	if !first.closed.Load() {
		t.Fatal("the part already set up was not closed")
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Success: "success", Refused: "refused", Violation: "violation", Kind(7): "Kind(7)"} {
		if k.String() != want {
			t.Errorf("%d: %q", k, k.String())
		}
	}
}

// Workers carry the caller's profiler labels plus their phase.
func TestWorkersCarryProfilerLabels(t *testing.T) {
	// The worker dumps the goroutine profile on its first call (in the
	// 50 ms warm-up) and then every 20 ms: whatever a loaded machine does
	// to the timing, some dump falls in the 200 ms measured phase.
	var dumps []string
	w := Workload{
		Name:     "labels",
		Outcomes: fakeOutcomes,
		Setup: func(int) (Instance, error) {
			return constOpInstance(func() Op {
				var last time.Time
				return func() Outcome {
					if len(dumps) == 0 || time.Since(last) > 20*time.Millisecond {
						var b bytes.Buffer
						_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
						dumps = append(dumps, b.String())
						last = time.Now()
					}
					return 0
				}
			}), nil
		},
	}
	pprof.Do(context.Background(), pprof.Labels("storm", "x"), func(ctx context.Context) {
		if _, err := Run(ctx, w, Config{Workers: 1, Duration: 200 * time.Millisecond, Warmup: 50 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
	})
	if len(dumps) == 0 {
		t.Fatal("the workload never ran")
	}
	if first := dumps[0]; !strings.Contains(first, `"phase":"warmup"`) || !strings.Contains(first, `"storm":"x"`) {
		t.Errorf("first call: no goroutine labelled phase=warmup and storm=x in:\n%.2000s", first)
	}
	measured := false
	for _, d := range dumps[1:] {
		measured = measured || strings.Contains(d, `"phase":"measure"`) && strings.Contains(d, `"storm":"x"`)
	}
	if !measured {
		t.Errorf("none of %d later dumps has a goroutine labelled phase=measure and storm=x; last:\n%.2000s", len(dumps)-1, dumps[len(dumps)-1])
	}
}

// constOpInstance gives every worker an Op from newOp.
type constOpInstance func() Op

func (f constOpInstance) NewOp(int) Op { return f() }
func (constOpInstance) Close() error   { return nil }

// batcher runs its operations in batches; every operation succeeds but
// each 10th, which is refused.
type batcher struct {
	batches, singles atomic.Int64
	usedOp           atomic.Bool
}

func (b *batcher) NewOp(int) Op {
	b.usedOp.Store(true)
	return func() Outcome { return 0 }
}

func (b *batcher) NewBatch(int) Batch {
	var n uint64
	return func(k int, counts *Counts) {
		b.batches.Add(1)
		if k == 1 {
			b.singles.Add(1)
		}
		for range k {
			n++
			if n%10 == 0 {
				counts[1]++
			} else {
				counts[0]++
			}
		}
	}
}

func (*batcher) Close() error { return nil }

func TestRunUsesBatches(t *testing.T) {
	for _, rate := range []float64{0, 200_000} {
		b := &batcher{}
		w := Workload{Name: "batched", Outcomes: fakeOutcomes, Setup: func(int) (Instance, error) { return b, nil }}
		res, err := Run(context.Background(), w, Config{Workers: 2, Ops: 20_000, Rate: rate})
		if err != nil {
			t.Fatal(err)
		}
		if b.usedOp.Load() || b.batches.Load() == 0 || b.singles.Load() == 0 {
			t.Fatalf("rate %v: NewOp used %v, %d batches, %d timed singles", rate, b.usedOp.Load(), b.batches.Load(), b.singles.Load())
		}
		if res.Count != 20_000 || sumOutcomes(res) != 20_000 {
			t.Fatalf("rate %v: Count %d, outcomes %d", rate, res.Count, sumOutcomes(res))
		}
		// Each worker refuses every 10th of its operations (warm-up none).
		if r := res.Refusals(); r < 1990 || r > 2000 {
			t.Fatalf("rate %v: %d refusals, want about 2000", rate, r)
		}
		if res.Samples() == 0 {
			t.Fatalf("rate %v: no latency samples", rate)
		}
	}
}
