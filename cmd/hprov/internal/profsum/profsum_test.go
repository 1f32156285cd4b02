package profsum

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

const thisPkg = "github.com/hprov/hprov/cmd/hprov/internal/profsum"

// synthetic builds a small CPU-style profile with known weights:
//
//	sample 1 (10ns): engine.Insert <- harness.worker <- runtime.goexit
//	sample 2 (20ns): atomic.CAS inlined into engine.Release <- engine.Release(recursive) <- harness.worker
//	sample 3 (5ns):  runtime.mallocgc <- engine.Insert <- harness.worker
//	sample 4 (7ns):  unsymbolized 0x1234 <- harness.worker
//	sample 5 (0ns):  ignored
func synthetic() *profile.Profile {
	fn := func(id uint64, name string) *profile.Function {
		return &profile.Function{ID: id, Name: name, SystemName: name, Filename: name + ".go"}
	}
	insert := fn(1, "example.com/m/engine.(*Table).Insert")
	release := fn(2, "example.com/m/engine.(*Table).Release")
	cas := fn(3, "sync/atomic.(*Uint64).CompareAndSwap")
	worker := fn(4, "example.com/m/harness.worker")
	goexit := fn(5, "runtime.goexit")
	malloc := fn(6, "runtime.mallocgc")
	loc := func(id uint64, fns ...*profile.Function) *profile.Location {
		l := &profile.Location{ID: id, Address: 0x1000 + id}
		for _, f := range fns {
			l.Line = append(l.Line, profile.Line{Function: f, Line: 1})
		}
		return l
	}
	lInsert, lRelCAS, lRelease, lWorker, lGoexit, lMalloc := loc(1, insert), loc(2, cas, release), loc(3, release), loc(4, worker), loc(5, goexit), loc(6, malloc)
	lRaw := &profile.Location{ID: 7, Address: 0x1234}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10,
		Sample: []*profile.Sample{
			{Location: []*profile.Location{lInsert, lWorker, lGoexit}, Value: []int64{1, 10}},
			{Location: []*profile.Location{lRelCAS, lRelease, lWorker}, Value: []int64{2, 20}},
			{Location: []*profile.Location{lMalloc, lInsert, lWorker}, Value: []int64{1, 5}},
			{Location: []*profile.Location{lRaw, lWorker}, Value: []int64{1, 7}},
			{Location: []*profile.Location{lInsert}, Value: []int64{0, 0}},
		},
		Location:      []*profile.Location{lInsert, lRelCAS, lRelease, lWorker, lGoexit, lMalloc, lRaw},
		Function:      []*profile.Function{insert, release, cas, worker, goexit, malloc},
		DurationNanos: 100,
	}
	return p
}

var engineGroups = Options{
	Groups: []Group{{Name: "engine", Prefixes: []string{"example.com/m/engine"}}},
	Rest:   "harness",
}

func TestSyntheticWeights(t *testing.T) {
	var buf bytes.Buffer
	if err := synthetic().Write(&buf); err != nil {
		t.Fatal(err)
	}
	p, err := ParseData(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	s, err := Summarize(p, engineGroups)
	if err != nil {
		t.Fatal(err)
	}
	if s.SampleType != "cpu" || s.Unit != "nanoseconds" || s.Total != 42 || s.Duration != 100 {
		t.Fatalf("summary header %+v", s)
	}
	want := []Func{
		{"sync/atomic.(*Uint64).CompareAndSwap", 20, 20},
		{"example.com/m/engine.(*Table).Insert", 10, 15},
		{"0x1234", 7, 7},
		{"runtime.mallocgc", 5, 5},
		// Release is twice on sample 2's stack but counts once.
		{"example.com/m/engine.(*Table).Release", 0, 20},
		{"example.com/m/harness.worker", 0, 42},
		{"runtime.goexit", 0, 10},
	}
	if !equalFuncs(s.Funcs, want) {
		t.Errorf("funcs:\n%v\nwant\n%v", s.Funcs, want)
	}
	wantCum := []string{"example.com/m/harness.worker", "example.com/m/engine.(*Table).Release", "sync/atomic.(*Uint64).CompareAndSwap", "example.com/m/engine.(*Table).Insert"}
	for i, f := range s.TopCum(4) {
		if f.Name != wantCum[i] {
			t.Errorf("TopCum[%d] = %s, want %s", i, f.Name, wantCum[i])
		}
	}
	if got := s.TopFlat(2); len(got) != 2 || got[1].Name != want[1].Name {
		t.Errorf("TopFlat(2) = %v", got)
	}
	// The CAS inlined into Release, and malloc called by Insert, work for
	// the engine; the unsymbolized frame under the harness does not.
	shares := []Share{{Name: "engine", Flat: 35, Cum: 35}, {Name: "harness", Flat: 7, Cum: 42}}
	if len(s.Shares) != 2 || s.Shares[0] != shares[0] || s.Shares[1] != shares[1] {
		t.Errorf("shares %v, want %v", s.Shares, shares)
	}

	// Another sample type by name, and pprof's legacy alias handling.
	s, err = Summarize(p, Options{SampleType: "samples"})
	if err != nil || s.Total != 5 || s.Unit != "count" || s.Shares[0].Name != "other" || s.Shares[0].Flat != 5 {
		t.Errorf("samples: %+v, %v", s, err)
	}
	if _, err := Summarize(p, Options{SampleType: "alloc_space"}); err == nil || !strings.Contains(err.Error(), "must be one of") {
		t.Errorf("unknown sample type: %v", err)
	}
	if _, err := Summarize(p, Options{Groups: []Group{{Name: "other"}}}); err == nil {
		t.Error("group named like the rest accepted")
	}
}

func TestDefaultSampleType(t *testing.T) {
	p := synthetic()
	// Without "cpu", pprof's rule: the declared default, else the last.
	p.SampleType = []*profile.ValueType{{Type: "alloc_objects", Unit: "count"}, {Type: "alloc_space", Unit: "bytes"}}
	s, err := Summarize(p, Options{})
	if err != nil || s.SampleType != "alloc_space" {
		t.Fatalf("%v %v", s, err)
	}
	p.DefaultSampleType = "alloc_objects"
	if s, err = Summarize(p, Options{}); err != nil || s.SampleType != "alloc_objects" {
		t.Fatalf("%v %v", s, err)
	}
	// "cpu" wins even over the last type.
	p.SampleType = []*profile.ValueType{{Type: "cpu", Unit: "nanoseconds"}, {Type: "samples", Unit: "count"}}
	p.DefaultSampleType = ""
	if s, err = Summarize(p, Options{}); err != nil || s.SampleType != "cpu" {
		t.Fatalf("%v %v", s, err)
	}
}

func TestPackagePrefix(t *testing.T) {
	for _, c := range []struct {
		name, prefix string
		want         bool
	}{
		{"example.com/m/engine.(*Table).Insert", "example.com/m/engine", true},
		{"example.com/m/engine/csp.Acquire", "example.com/m/engine", true},
		{"example.com/m/engine.New[...]", "example.com/m/engine", true},
		{"example.com/m/enginex.F", "example.com/m/engine", false},
		{"example.com/m/engine/csp.Acquire", "example.com/m/engine.", false},
		{"example.com/m/engine.F", "example.com/m/engine.", true},
		{"sync/atomic.(*Pointer[example.com/m/engine.slot]).Load", "example.com/m/engine", false},
		{"main.f", "", false},
	} {
		if got := hasPackagePrefix(c.name, c.prefix); got != c.want {
			t.Errorf("hasPackagePrefix(%q, %q) = %v", c.name, c.prefix, got)
		}
	}
}

//go:noinline
func burnCPU(n int) int {
	x := 1
	for i := 0; i < n; i++ {
		x = mix(x, i)
	}
	return x
}

// mix is small enough to be inlined into burnCPU, so the profile has
// inlined frames.
func mix(x, i int) int { return x*1664525 + 1013904223 + i }

// churn allocates, hashes and sorts: runtime, map and sort frames for the
// profile, on a stack unlike burnCPU's.
//
//go:noinline
func churn(n int) int {
	m := make(map[string]int)
	total := 0
	for i := 0; i < n; i++ {
		k := strconv.Itoa(i % 512)
		m[k]++
		xs := make([]int, 64)
		for j := range xs {
			xs[j] = (i * 7919 * (j + 1)) % 1000
		}
		sort.Ints(xs)
		total += xs[0] + len(m)
	}
	return total
}

//go:noinline
func burnDeep(depth, n int) int {
	if depth == 0 {
		return burnCPU(n)
	}
	return burnDeep(depth-1, n) + 1
}

// cpuProfile profiles this process burning CPU for about half a second
// per attempt until the burn function has samples.
func cpuProfile(t *testing.T) []byte {
	t.Helper()
	for attempt := 0; attempt < 5; attempt++ {
		var buf bytes.Buffer
		if err := pprof.StartCPUProfile(&buf); err != nil {
			t.Skipf("CPU profiling unavailable: %v", err)
		}
		sink := 0
		done := make(chan int)
		go func() {
			total := 0
			for start := time.Now(); time.Since(start) < 500*time.Millisecond; {
				total += churn(1000)
			}
			done <- total
		}()
		for start := time.Now(); time.Since(start) < 500*time.Millisecond; {
			sink += burnDeep(3, 1_000_000)
		}
		sink += <-done
		pprof.StopCPUProfile()
		if sink == 42 {
			t.Log("unlikely")
		}
		p, err := ParseData(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		s, err := Summarize(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range s.Funcs {
			if f.Name == thisPkg+".burnCPU" && f.Cum >= 10*1e7 { // ten 10ms samples
				return buf.Bytes()
			}
		}
	}
	t.Skip("the CPU profiler collected too few samples of the burn loop on this machine")
	return nil
}

func TestRealCPUProfile(t *testing.T) {
	data := cpuProfile(t)
	p, err := ParseData(data)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Summarize(p, Options{
		Groups: []Group{{Name: "burn", Prefixes: []string{thisPkg}}},
		Rest:   "rest",
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.SampleType != "cpu" || s.Unit != "nanoseconds" || s.Total <= 0 {
		t.Fatalf("header %s/%s total %d", s.SampleType, s.Unit, s.Total)
	}
	var burn, deep Func
	for _, f := range s.Funcs {
		switch f.Name {
		case thisPkg + ".burnCPU":
			burn = f
		case thisPkg + ".burnDeep":
			deep = f
		}
	}
	// burnDeep is on the stack 4 times per sample but must count once:
	// its cum can exceed neither the total nor its callees' plus its own.
	if burn.Cum < burn.Flat || deep.Cum < burn.Cum || deep.Cum > s.Total {
		t.Errorf("burnCPU %+v burnDeep %+v total %d", burn, deep, s.Total)
	}
	if s.Shares[0].Name != "burn" || s.Shares[0].Flat < burn.Flat || s.Shares[0].Flat+s.Shares[1].Flat != s.Total {
		t.Errorf("shares %+v (burnCPU flat %d, total %d)", s.Shares, burn.Flat, s.Total)
	}
	// Every function: on a loaded machine burnCPU need not be in a top 5.
	var out strings.Builder
	if err := s.WriteText(&out, 0); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Type: cpu", "      flat  flat%   sum%        cum   cum%", thisPkg + ".burnCPU", "burn ", "rest "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, out.String())
		}
	}
	t.Logf("\n%s", out.String())
}

// TestMatchesGoToolPprof checks flat and cum of every function against
// "go tool pprof -top" on the same profile.
func TestMatchesGoToolPprof(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go tool pprof")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	data := cpuProfile(t)
	path := filepath.Join(t.TempDir(), "cpu.pprof")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	// The test binary named in the profile still exists: without
	// -symbolize=none pprof would re-symbolize from it and lose the
	// inlined frames the profile records.
	out, err := exec.Command(goBin, "tool", "pprof", "-symbolize=none", "-top", "-nodecount=100000", "-nodefraction=0", "-edgefraction=0", path).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof: %v\n%s", err, out)
	}
	line := regexp.MustCompile(`^\s*(\S+)\s+(\S+%)\s+(\S+%)\s+(\S+)\s+(\S+%)\s+(.+?)\s*$`)
	want := map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil || m[1] == "flat" {
			continue
		}
		name := strings.TrimSuffix(m[6], " (inline)")
		want[name] = m[1] + " " + m[4]
	}
	if len(want) == 0 {
		t.Fatalf("no rows in go tool pprof output:\n%s", out)
	}
	p, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Summarize(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range s.Funcs {
		got[f.Name] = s.label(f.Flat) + " " + s.label(f.Cum)
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: flat cum = %q, go tool pprof %q", name, got[name], w)
		}
	}
	t.Logf("%d functions compared with go tool pprof", len(want))
	if len(got) != len(want) {
		t.Errorf("%d functions, go tool pprof lists %d", len(got), len(want))
	}
}

func TestNotAProfile(t *testing.T) {
	var good bytes.Buffer
	if err := synthetic().Write(&good); err != nil {
		t.Fatal(err)
	}
	inputs := map[string][]byte{
		"empty":     nil,
		"blank":     []byte("  \n"),
		"text":      []byte("BenchmarkA 1 1 ns/op\n"),
		"binary":    {0x00, 0x01, 0x02, 0xff, 0xfe},
		"truncated": good.Bytes()[:len(good.Bytes())/2],
		"bad gzip":  {0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02},
	}
	for name, data := range inputs {
		_, err := ParseData(data)
		if !errors.Is(err, ErrNotProfile) {
			t.Errorf("%s: err = %v, want ErrNotProfile", name, err)
		}
	}
	path := filepath.Join(t.TempDir(), "x.txt")
	os.WriteFile(path, []byte("hello"), 0o644)
	if _, err := ReadFile(path); !errors.Is(err, ErrNotProfile) || !strings.HasPrefix(err.Error(), path+": ") {
		t.Errorf("ReadFile garbage: %v", err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile missing: %v", err)
	}
	if _, err := Parse(bytes.NewReader(good.Bytes())); err != nil {
		t.Errorf("Parse good: %v", err)
	}
	// An in-memory profile that breaks pprof's invariants.
	bad := synthetic()
	bad.Sample[0].Value = []int64{1}
	if _, err := Summarize(bad, Options{}); !errors.Is(err, ErrNotProfile) {
		t.Errorf("invalid profile: %v", err)
	}
}

func TestEmptyProfile(t *testing.T) {
	p := synthetic()
	p.Sample = nil
	s, err := Summarize(p, engineGroups)
	if err != nil || s.Total != 0 || len(s.Funcs) != 0 {
		t.Fatalf("%+v %v", s, err)
	}
	var out strings.Builder
	s.WriteText(&out, 10)
	if !strings.Contains(out.String(), "No samples.") {
		t.Errorf("text:\n%s", out.String())
	}
}

func TestLabels(t *testing.T) {
	for _, c := range []struct {
		v    int64
		unit string
		want string
	}{
		{1_200_000_000, "nanoseconds", "1.20s"},
		{10_000_000, "nanoseconds", "10ms"},
		{1500, "nanoseconds", "1.50us"},
		{0, "nanoseconds", "0"},
		{3 << 20, "bytes", "3MB"},
		{512, "bytes", "512B"},
		{42, "count", "42"},
		{-10_000_000, "nanoseconds", "-10ms"},
	} {
		if got := label(c.v, c.unit); got != c.want {
			t.Errorf("label(%d, %s) = %q, want %q", c.v, c.unit, got, c.want)
		}
	}
	for _, c := range []struct {
		v, total int64
		want     string
	}{{1, 2, "50.00%"}, {1, 1, "  100%"}, {1, 1000, "  0.1%"}, {0, 0, "    0%"}} {
		if got := percentage(c.v, c.total); got != c.want {
			t.Errorf("percentage(%d, %d) = %q, want %q", c.v, c.total, got, c.want)
		}
	}
}

func equalFuncs(a, b []Func) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// stackProfile builds a CPU profile from stacks written leaf first, one
// location per frame unless frames are joined with "+" (inlined, innermost
// first). Sample i weighs weights[i] nanoseconds.
func stackProfile(t *testing.T, weights []int64, stacks ...[]string) *profile.Profile {
	t.Helper()
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     1,
	}
	funcs := map[string]*profile.Function{}
	locs := map[string]*profile.Location{}
	for i, stack := range stacks {
		smp := &profile.Sample{Value: []int64{weights[i]}}
		for _, frame := range stack {
			l := locs[frame]
			if l == nil {
				l = &profile.Location{ID: uint64(len(p.Location) + 1), Address: uint64(0x1000 + len(p.Location))}
				for _, name := range strings.Split(frame, "+") {
					f := funcs[name]
					if f == nil {
						f = &profile.Function{ID: uint64(len(p.Function) + 1), Name: name, SystemName: name}
						funcs[name] = f
						p.Function = append(p.Function, f)
					}
					l.Line = append(l.Line, profile.Line{Function: f, Line: 1})
				}
				locs[frame] = l
				p.Location = append(p.Location, l)
			}
			smp.Location = append(smp.Location, l)
		}
		p.Sample = append(p.Sample, smp)
	}
	if err := p.CheckValid(); err != nil {
		t.Fatal(err)
	}
	return p
}

// A sample counts, in the group shares, for the innermost frame of a
// group: frames of packages in no group, and of support groups, pass it on
// to their caller. Function weights do not change.
func TestSharesGoToTheInnermostGroup(t *testing.T) {
	const (
		eng     = "example.com/m/engine.(*Table).Insert"
		engInl  = "example.com/m/engine.want"
		harness = "example.com/m/loadgen.worker"
		store   = "sync/atomic.StorePointer"
		wb      = "runtime.gcWriteBarrier2"
		malloc  = "runtime.mallocgc"
		preempt = "runtime.asyncPreempt"
		atomicX = "internal/runtime/atomic.(*Uint32).Load"
		sha     = "crypto/sha256.block"
		gc      = "runtime.gcBgMarkWorker"
		goexit  = "runtime.goexit"
	)
	weights := []int64{1, 2, 4, 8, 16, 32, 64, 128, 256}
	p := stackProfile(t, weights,
		[]string{store, eng, harness, goexit},      // 1: atomic store called by the engine
		[]string{wb, store, eng, harness, goexit},  // 2: its write barrier
		[]string{malloc, eng, harness, goexit},     // 4: allocation by the engine
		[]string{preempt, eng, harness, goexit},    // 8: the engine, preempted
		[]string{atomicX, malloc, harness, goexit}, // 16: allocation by the harness
		[]string{sha, harness, goexit},             // 32: a standard library call from the harness
		[]string{engInl + "+" + harness, goexit},   // 64: engine code inlined into the harness
		[]string{gc, goexit},                       // 128: the runtime on its own
		[]string{"0x1234", "example.com/other.F"},  // 256: nothing claimed
	)
	groups := []Group{
		{Name: "engine", Prefixes: []string{"example.com/m/engine"}},
		{Name: "harness", Prefixes: []string{"example.com/m/loadgen"}},
		{Name: "runtime", Prefixes: []string{"runtime"}, Support: true},
	}
	s, err := Summarize(p, Options{Groups: groups})
	if err != nil {
		t.Fatal(err)
	}
	want := []Share{
		{Name: "engine", Flat: 1 + 2 + 4 + 8 + 64, Cum: 1 + 2 + 4 + 8 + 64},
		{Name: "harness", Flat: 16 + 32, Cum: 1 + 2 + 4 + 8 + 16 + 32 + 64},
		{Name: "runtime", Flat: 128, Cum: 1 + 2 + 4 + 8 + 16 + 32 + 64 + 128, Support: true},
		// The rest's cum counts every sample with an unclaimed function.
		{Name: "other", Flat: 256, Cum: 1 + 2 + 16 + 32 + 256},
	}
	if !slices.Equal(s.Shares, want) {
		t.Errorf("shares\n%+v\nwant\n%+v", s.Shares, want)
	}

	// Function weights are pprof's whatever the groups: flat for the
	// leaf frame only.
	flat := map[string]int64{store: 1, wb: 2, malloc: 4, preempt: 8, atomicX: 16, sha: 32, engInl: 64, gc: 128, "0x1234": 256}
	for _, f := range s.Funcs {
		if f.Flat != flat[f.Name] {
			t.Errorf("%s: flat %d, want %d", f.Name, f.Flat, flat[f.Name])
		}
	}
	bare, err := Summarize(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(bare.Funcs, s.Funcs) {
		t.Errorf("function weights depend on the groups:\n%v\n%v", bare.Funcs, s.Funcs)
	}

	// Without Support the runtime is a group like the others: its frames
	// keep what runs in them.
	groups[2].Support = false
	s, err = Summarize(p, Options{Groups: groups})
	if err != nil {
		t.Fatal(err)
	}
	if got := []int64{s.Shares[0].Flat, s.Shares[1].Flat, s.Shares[2].Flat, s.Shares[3].Flat}; !slices.Equal(got, []int64{1 + 64, 32, 2 + 4 + 8 + 16 + 128, 256}) {
		t.Errorf("runtime not support: flats %v", got)
	}

	var out strings.Builder
	groups[2].Support = true
	s, _ = Summarize(p, Options{Groups: groups})
	if err := s.WriteText(&out, 3); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"innermost frame", "past runtime,\n      which keeps only the samples no other group called"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("text lacks %q:\n%s", w, out.String())
		}
	}
}
