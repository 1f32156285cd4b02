package profiles

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/hprov/hprov/engine"
	"github.com/hprov/hprov/engine/csp"
	"github.com/hprov/hprov/loadgen"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func run(t *testing.T, name, impl string, workers int, ops uint64) *loadgen.Result {
	t.Helper()
	w, err := New(name, Options{Impl: impl})
	if err != nil {
		t.Fatal(err)
	}
	res, err := loadgen.Run(context.Background(), w, loadgen.Config{Workers: workers, Ops: ops, Warmup: 5 * time.Millisecond, SampleEvery: 16})
	if err != nil {
		t.Fatalf("%s/%s: %v", name, impl, err)
	}
	if res.Violations() != 0 {
		t.Fatalf("%s/%s: %d violations: %+v", name, impl, res.Violations(), res.Outcomes)
	}
	return res
}

func count(r *loadgen.Result, outcome string) uint64 {
	for _, o := range r.Outcomes {
		if o.Name == outcome {
			return o.Count
		}
	}
	panic("no outcome " + outcome)
}

// Profiles whose every operation must succeed on a correct provider.
func TestProfilesSucceed(t *testing.T) {
	for _, name := range []string{"acquire-release", "addref-contention", "hash-session"} {
		for _, workers := range []int{1, 3} {
			r := run(t, name, "", workers, 3000)
			if ok := count(r, "ok"); ok != r.Count {
				t.Errorf("%s workers=%d: %d of %d operations succeeded: %+v", name, workers, ok, r.Count, r.Outcomes)
			}
		}
	}
}

// orphans: every child of a released context answers NTE_BAD_UID, however
// soon and often other workers reuse its slot (see engine/csp's doc for the
// one case where an old orphan's answer is not exact).
func TestOrphansAreRefused(t *testing.T) {
	for _, workers := range []int{1, 3} {
		r := run(t, "orphans", "", workers, 3000)
		if ok := count(r, "ok"); ok != r.Count {
			t.Errorf("workers=%d: %d of %d operations had every child answer NTE_BAD_UID: %+v", workers, ok, r.Count, r.Outcomes)
		}
	}
}

func TestEngineInsertReleaseEveryImpl(t *testing.T) {
	for _, impl := range Impls() {
		r := run(t, "engine-insert-release", impl, 2, 20000)
		if ok := count(r, "ok"); ok != r.Count {
			t.Errorf("%s: %d of %d operations succeeded: %+v", impl, ok, r.Count, r.Outcomes)
		}
		if len(r.Params) != 1 || r.Params[0] != (loadgen.Param{Key: "impl", Value: impl}) {
			t.Errorf("%s: params %v", impl, r.Params)
		}
	}
}

// release-race: only success, ERROR_BUSY (a release that met a user) and
// NTE_BAD_UID (a use or probe that met a release) are legitimate.
func TestReleaseRaceOutcomes(t *testing.T) {
	r := run(t, "release-race", "", 4, 40000)
	var other []string
	for _, o := range r.Outcomes {
		switch o.Name {
		case "ok", "ERROR_BUSY", "NTE_BAD_UID":
		default:
			if o.Count > 0 {
				other = append(other, fmt.Sprintf("%s=%d", o.Name, o.Count))
			}
		}
	}
	if len(other) > 0 {
		t.Fatalf("unexpected outcomes %v", other)
	}
	if count(r, "ok") == 0 || count(r, "NTE_BAD_UID") == 0 {
		t.Fatalf("no successes or no refused probes: %+v", r.Outcomes)
	}
}

// stale-probe: every probe must be refused, and for the right reason.
func TestStaleProbeRefusesEverything(t *testing.T) {
	r := run(t, "stale-probe", "", 2, 20000)
	if ok := count(r, "ok"); ok != 0 {
		t.Fatalf("%d probes accepted", ok)
	}
	// Released contexts answer NTE_BAD_UID, wrong kinds ERROR_INVALID_HANDLE,
	// random numbers ERROR_INVALID_PARAMETER; released keys and hashes whose
	// slot was reused may answer NTE_BAD_KEY or NTE_BAD_HASH (see csp's doc).
	for _, code := range []string{"NTE_BAD_UID", "ERROR_INVALID_HANDLE", "ERROR_INVALID_PARAMETER"} {
		if count(r, code) == 0 {
			t.Errorf("no probe answered %s: %+v", code, r.Outcomes)
		}
	}
	if n := count(r, "other-error"); n != 0 {
		t.Errorf("%d probes failed with an error that is not an Errno", n)
	}
}

func TestMixOfProfiles(t *testing.T) {
	a, _ := New("acquire-release", Options{})
	h, _ := New("hash-session", Options{})
	m, err := loadgen.Mix("mixed", loadgen.Weighted{Workload: a, Weight: 70}, loadgen.Weighted{Workload: h, Weight: 30})
	if err != nil {
		t.Fatal(err)
	}
	res, err := loadgen.Run(context.Background(), m, loadgen.Config{Workers: 2, Ops: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if count(res, "ok") != res.Count {
		t.Fatalf("outcomes %+v", res.Outcomes)
	}
}

func TestNewRejectsBadNames(t *testing.T) {
	cases := []struct {
		name, impl string
		want       error
	}{
		{"nope", "", ErrUnknownProfile},
		{"", "", ErrUnknownProfile},
		{"mixed", "", ErrUnknownProfile},
		{"engine-insert-release", "btree", ErrUnknownImpl},
		{"acquire-release", "btree", ErrUnknownImpl},
		{"acquire-release", "mutex", ErrImplNotSupported},
	}
	for _, c := range cases {
		if _, err := New(c.name, Options{Impl: c.impl}); !errors.Is(err, c.want) {
			t.Errorf("New(%q, %q) = %v, want %v", c.name, c.impl, err, c.want)
		}
	}
	for _, name := range Names() {
		if _, err := New(name, Options{Impl: "hprov"}); err != nil {
			t.Errorf("New(%q, hprov): %v", name, err)
		}
		if Describe(name) == "" {
			t.Errorf("%s has no description", name)
		}
	}
	if Describe("nope") != "" {
		t.Error("description of an unknown profile")
	}
}

func TestOutcomeMapping(t *testing.T) {
	outs := cspOutcomes()
	for i, code := range cspCodes {
		o := cspOutcome(fmt.Errorf("wrapped: %w", code))
		if int(o) != 1+i || outs[o].Name != code.Name() || outs[o].Kind != loadgen.Refused {
			t.Errorf("%v maps to %d (%v)", code, o, outs[o])
		}
	}
	for o, want := range map[loadgen.Outcome]string{cspOK: "ok", cspOther: "other-error", cspReleasedAccepted: "released-accepted", cspForgedAccepted: "forged-accepted", cspWrongValue: "wrong-value", cspReleasedWrongErr: "released-wrong-error"} {
		if outs[o].Name != want {
			t.Errorf("outcome %d is %q, want %q", o, outs[o].Name, want)
		}
	}
	if cspOutcome(errors.New("x")) != cspOther || cspOutcome(csp.Errno(1234)) != cspOther || cspOutcome(nil) != cspOK {
		t.Error("unknown errors")
	}
	if outs[cspReleasedWrongErr].Kind != loadgen.Violation ||
		releasedChild(nil) != cspReleasedAccepted || releasedChild(fmt.Errorf("w: %w", csp.NTE_BAD_UID)) != cspOK ||
		releasedChild(csp.NTE_BAD_HASH) != cspReleasedWrongErr || releasedChild(csp.NTE_BAD_KEY) != cspReleasedWrongErr ||
		raceChild(nil) != cspOK || raceChild(csp.NTE_BAD_UID) != cspOutcome(csp.NTE_BAD_UID) || raceChild(csp.NTE_BAD_HASH) != cspReleasedWrongErr {
		t.Error("answers of children of released contexts")
	}
	eng := engineOutcomes()
	for err, want := range map[error]string{nil: "ok", engine.ErrInvalidHandle: "ErrInvalidHandle", engine.ErrStale: "ErrStale",
		engine.ErrBusy: "ErrBusy", engine.ErrFull: "ErrFull", engine.ErrOverflow: "ErrOverflow", errors.New("x"): "other-error"} {
		if got := eng[engineOutcome(err)].Name; got != want {
			t.Errorf("%v maps to %s, want %s", err, got, want)
		}
	}
	if released(false, nil) != engNotFreed || eng[engNotFreed].Kind != loadgen.Violation || released(true, nil) != engOK || released(false, engine.ErrBusy) != engBusy {
		t.Error("released")
	}
}

// The workloads' outcome tables are valid and shared, so mixes merge them.
func TestWorkloadsValidate(t *testing.T) {
	for _, name := range Names() {
		w, _ := New(name, Options{})
		if err := w.Validate(); err != nil {
			t.Error(err)
		}
	}
}

// engine-insert-release runs in batches when alone, as single operations
// in a mix; both count the same.
func TestEngineBatchAndOpAgree(t *testing.T) {
	for _, impl := range Impls() {
		w, err := New("engine-insert-release", Options{Impl: impl})
		if err != nil {
			t.Fatal(err)
		}
		inst, err := w.Setup(1)
		if err != nil {
			t.Fatal(err)
		}
		b, ok := inst.(loadgen.Batcher)
		if !ok {
			t.Fatalf("%s: not a Batcher", impl)
		}
		var counts loadgen.Counts
		b.NewBatch(0)(1000, &counts)
		op := inst.NewOp(0)
		for range 500 {
			counts[op()]++
		}
		if counts[engOK] != 1500 {
			t.Errorf("%s: counts %v", impl, counts[:len(w.Outcomes)])
		}
		if err := inst.Close(); err != nil {
			t.Errorf("%s: %v", impl, err)
		}
	}
}
