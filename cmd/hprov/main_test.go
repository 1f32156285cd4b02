package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/perf/benchfmt"
)

func TestMain(m *testing.M) {
	// The test binary doubles as the command, for the tests that need a
	// process of its own (signals, exit statuses).
	if os.Getenv("HPROV_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	// os/signal's watcher goroutine, started by the first signal.Notify,
	// lives as long as the process by design.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("os/signal.loop"))
}

// hprov runs the command in-process.
func hprov(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// Bad input: exit status 2, exactly one line on stderr, nothing on stdout,
// and no file left behind.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	notResults := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notResults, []byte("hello\nworld\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	malformed := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(malformed, []byte("BenchmarkX 10 abc ns/op\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.txt")
	if err := os.WriteFile(good, []byte("BenchmarkStorm/workers=1 10 100 ns/op 1e7 ops/s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.txt")
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	readOnly := filepath.Join(dir, "ro.txt")
	if err := os.WriteFile(readOnly, []byte("keep\n"), 0o444); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string // in the error line
	}{
		{"no command", nil, "usage"},
		{"unknown command", []string{"stomr"}, "unknown command"},
		{"unknown flag", []string{"storm", "-frobnicate"}, "frobnicate"},
		{"unknown profile", []string{"storm", "-profile", "nope", "-o", out}, `unknown profile "nope"`},
		{"unknown profile in list", []string{"storm", "-profile", "acquire-release,nope"}, `unknown profile "nope"`},
		{"empty profile", []string{"storm", "-profile", ""}, "-profile: empty"},
		{"mixed without mix", []string{"storm", "-profile", "mixed"}, "needs -mix"},
		{"unknown impl", []string{"storm", "-impl", "btree", "-o", out}, `unknown impl "btree"`},
		{"empty impl", []string{"storm", "-impl", ","}, "-impl: empty"},
		{"impl on csp profile", []string{"storm", "-profile", "acquire-release", "-impl", "mutex"}, "hprov only"},
		{"impl ignored by one profile of a list", []string{"storm", "-profile", "acquire-release,engine-insert-release", "-impl", "all", "-o", out}, "hprov only"},
		{"impl ignored by a mix", []string{"storm", "-mix", "acquire-release=1,hash-session=1", "-impl", "mutex"}, "hprov only"},
		{"workers with an empty item", []string{"storm", "-workers", "1,,2", "-o", out}, "-workers"},
		{"workers with a trailing comma", []string{"storm", "-workers", "2,"}, "-workers"},
		{"output is an existing dir", []string{"storm", "-profile", "acquire-release", "-o", sub}, "is a directory"},
		{"output is a device", []string{"storm", "-profile", "acquire-release", "-o", os.DevNull}, "not a regular file"},
		{"two outputs in one file", []string{"storm", "-profile", "acquire-release", "-o", out, "-cpuprofile", out}, "both name"},
		{"compare bare threshold above 1", []string{"compare", notResults, notResults, "-threshold", "500"}, "ambiguous threshold"},
		{"help for an unknown command", []string{"help", "stomr"}, "unknown command"},
		{"malformed mix", []string{"storm", "-mix", "acquire-release"}, "not name=weight"},
		{"mix zero weight", []string{"storm", "-mix", "acquire-release=0"}, "positive integer"},
		{"mix negative weight", []string{"storm", "-mix", "acquire-release=-3,hash-session=1"}, "positive integer"},
		{"mix bad weight", []string{"storm", "-mix", "acquire-release=lots"}, "positive integer"},
		{"mix unknown part", []string{"storm", "-mix", "acquire-release=1,nope=2"}, `unknown profile "nope"`},
		{"mix repeated part", []string{"storm", "-mix", "acquire-release=1,acquire-release=2"}, "twice"},
		{"mix empty", []string{"storm", "-mix", ""}, "-mix: empty"},
		{"mix with other profile", []string{"storm", "-mix", "acquire-release=1", "-profile", "orphans"}, "drop -profile"},
		{"zero duration", []string{"storm", "-duration", "0s", "-o", out}, "-duration must be positive"},
		{"negative duration", []string{"storm", "-duration", "-1s"}, "-duration must be positive"},
		{"malformed duration", []string{"storm", "-duration", "soon"}, "invalid value"},
		{"zero rate", []string{"storm", "-rate", "0"}, "-rate"},
		{"negative rate", []string{"storm", "-rate", "-100"}, "-rate"},
		{"malformed rate", []string{"storm", "-rate", "fast"}, "-rate"},
		{"huge rate", []string{"storm", "-rate", "5G"}, "-rate"},
		{"zero ops", []string{"storm", "-ops", "0"}, "-ops must be positive"},
		{"negative ops", []string{"storm", "-ops", "-5"}, "invalid value"},
		{"ops and duration", []string{"storm", "-ops", "10", "-duration", "1s"}, "exclusive"},
		{"zero count", []string{"storm", "-count", "0"}, "-count must be positive"},
		{"zero workers", []string{"storm", "-workers", "0"}, "-workers"},
		{"bad workers", []string{"storm", "-workers", "1,two"}, "-workers"},
		{"empty workers", []string{"storm", "-workers", ""}, "-workers"},
		{"stray argument", []string{"storm", "extra"}, "unexpected argument"},
		{"output in missing dir", []string{"storm", "-profile", "acquire-release", "-o", filepath.Join(dir, "no", "such", "dir", "x.txt")}, "-o: cannot write"},
		{"output is a dir", []string{"storm", "-profile", "acquire-release", "-o", dir + "/"}, "directory"},
		{"cpuprofile in missing dir", []string{"storm", "-profile", "acquire-release", "-o", out, "-cpuprofile", filepath.Join(dir, "no", "cpu.pprof")}, "-cpuprofile"},
		{"compare no file", []string{"compare"}, "want at least one input"},
		{"compare missing file", []string{"compare", filepath.Join(dir, "missing.txt"), notResults}, "missing.txt"},
		{"compare not results", []string{"compare", notResults, notResults}, "no benchmark results"},
		{"compare malformed", []string{"compare", malformed, malformed}, "bad.txt"},
		{"compare bad threshold", []string{"compare", notResults, notResults, "-threshold", "lots"}, "-threshold"},
		{"compare bad alpha", []string{"compare", notResults, notResults, "-alpha", "2"}, "-alpha"},
		{"compare bad format", []string{"compare", good, good, "-format", "xml"}, "-format"},
		{"compare bad filter", []string{"compare", good, good, "-filter", "/impl:("}, "parsing -filter"},
		{"compare bad col", []string{"compare", good, good, "-col", "/impl@(x"}, "parsing -col"},
		{"compare bad gate", []string{"compare", good, good, "-gate", "((("}, "parsing -gate"},
		{"compare bad correction", []string{"compare", good, good, "-correct", "sidak"}, "-correct"},
		{"compare bad min-samples", []string{"compare", good, good, "-min-samples", "0"}, "-min-samples"},
		{"profile no file", []string{"profile"}, "want one profile file"},
		{"profile two files", []string{"profile", notResults, malformed}, "want one profile file"},
		{"profile missing file", []string{"profile", filepath.Join(dir, "missing.pprof")}, "missing.pprof"},
		{"profile not a profile", []string{"profile", notResults}, "not a pprof profile"},
		{"profile bad top", []string{"profile", "-top", "0", notResults}, "-top must be positive"},
		{"plot no files", []string{"plot", "-o", filepath.Join(dir, "x.svg")}, "at least one results file"},
		{"plot no output", []string{"plot", notResults}, "-o FILE.svg is required"},
		{"plot bad extension", []string{"plot", notResults, "-o", filepath.Join(dir, "x.gif")}, "want a .svg or .png"},
		{"plot missing file", []string{"plot", filepath.Join(dir, "missing.txt"), "-o", filepath.Join(dir, "x.svg")}, "missing.txt"},
		{"plot not results", []string{"plot", notResults, "-o", filepath.Join(dir, "x.svg")}, "no usable benchmark results"},
		{"plot output in missing dir", []string{"plot", good, "-o", filepath.Join(dir, "no", "x.svg")}, "-o: cannot write"},
	}
	if os.Geteuid() != 0 { // root writes read-only files
		cases = append(cases, struct {
			name string
			args []string
			want string
		}{"output is read-only", []string{"storm", "-profile", "acquire-release", "-o", readOnly}, "cannot write"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := hprov(t, c.args...)
			if code != exitUsage {
				t.Errorf("exit status %d, want 2; stderr %q", code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if c.name != "no command" && strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr is not one line: %q", stderr)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr %q lacks %q", stderr, c.want)
			}
			assertOnly(t, dir, "notes.txt", "bad.txt", "good.txt", "sub", "ro.txt")
		})
	}
}

// assertOnly fails if dir holds anything but the named files.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !slices.Contains(names, e.Name()) {
			t.Errorf("%s left behind in %s", e.Name(), dir)
		}
	}
}

func TestHelp(t *testing.T) {
	for _, cmd := range [][]string{{"-h"}, {"help"}, {"storm", "-h"}, {"help", "storm"}, {"compare", "-h"}, {"help", "compare"}, {"profile", "-h"}, {"plot", "-h"}, {"ab", "-h"}, {"help", "ab"}, {"storm", "-help"}} {
		code, stdout, stderr := hprov(t, cmd...)
		if code != exitOK || !strings.Contains(stdout, "usage: hprov") || stderr != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", cmd, code, stdout, stderr)
		}
	}
	if _, stdout, _ := hprov(t, "help", "storm"); !strings.Contains(stdout, "usage: hprov storm") {
		t.Errorf("hprov help storm printed %q", stdout)
	}
	_, stdout, _ := hprov(t, "storm", "-h")
	for _, want := range []string{"-profile", "-mix", "-workers", "-duration", "-ops", "-rate", "-impl", "-count", "-o", "-json", "-v",
		"-cpuprofile", "-memprofile", "-mutexprofile", "-blockprofile", "release-race", "engine-insert-release"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("storm -h lacks %s", want)
		}
	}
}

func readBench(t *testing.T, path string) []*benchfmt.Result {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := benchfmt.NewReader(f, path)
	var out []*benchfmt.Result
	for rd.Scan() {
		switch r := rd.Result().(type) {
		case *benchfmt.SyntaxError:
			t.Fatal(r)
		case *benchfmt.Result:
			out = append(out, r.Clone())
		}
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Several impls and -count > 1 run interleaved: A B A B.
func TestStormInterleavesAndWritesResults(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "storm.txt")
	code, stdout, stderr := hprov(t, "storm", "-profile", "engine-insert-release", "-impl", "hprov,mutex", "-workers", "1,2",
		"-ops", "20000", "-count", "2", "-o", out)
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(stdout, "engine-insert-release") || !strings.Contains(stdout, "method: closed loop") {
		t.Fatalf("table:\n%s", stdout)
	}
	var names []string
	for _, r := range readBench(t, out) {
		names = append(names, r.Name.String())
		if r.GetConfig("commit") == "" || r.GetConfig("ops") != "20000" || r.GetConfig("gomaxprocs") == "" {
			t.Errorf("config of %s: %v", r.Name, r.Config)
		}
	}
	p := "Storm/profile=engine-insert-release/impl="
	want := []string{p + "hprov/workers=1", p + "mutex/workers=1", p + "hprov/workers=2", p + "mutex/workers=2"}
	want = append(want, want...)
	if !slices.Equal(names, want) {
		t.Fatalf("results in order\n%v\nwant\n%v", names, want)
	}
	assertOnly(t, dir, "storm.txt")
}

func TestStormJSONAndProfiles(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "mem.pprof")
	mutex, block := filepath.Join(dir, "mutex.pprof"), filepath.Join(dir, "block.pprof")
	code, stdout, stderr := hprov(t, "storm", "-mix", "acquire-release=70,hash-session=30", "-workers", "2", "-duration", "100ms",
		"-json", "-cpuprofile", cpu, "-memprofile", mem, "-mutexprofile", mutex, "-blockprofile", block)
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var doc struct {
		Env     map[string]string
		Results []struct {
			Profile    string
			Count      uint64
			Violations uint64
			Params     map[string]string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if len(doc.Results) != 1 || doc.Results[0].Profile != "mixed" || doc.Results[0].Count == 0 ||
		doc.Results[0].Params["mix"] != "acquire-release=70,hash-session=30" || doc.Env["goos"] == "" {
		t.Fatalf("JSON %+v", doc)
	}
	for _, p := range []string{cpu, mem, mutex, block} {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", p, err)
		}
	}
	// Every one of them is a profile hprov profile reads.
	for _, p := range []string{cpu, mem, mutex, block} {
		code, stdout, stderr := hprov(t, "profile", "-top", "5", p)
		if code != exitOK || stderr != "" || !strings.Contains(stdout, "Total samples") {
			t.Errorf("profile %s: exit %d, stderr %q\n%s", filepath.Base(p), code, stderr, stdout)
		}
	}
	if _, stdout, _ := hprov(t, "profile", cpu); !strings.Contains(stdout, "No samples") && !strings.Contains(stdout, "harness") {
		t.Errorf("CPU profile summary lacks the group shares:\n%s", stdout)
	}
	assertOnly(t, dir, "cpu.pprof", "mem.pprof", "mutex.pprof", "block.pprof")
}

func TestStormOpenLoop(t *testing.T) {
	out := filepath.Join(t.TempDir(), "open.txt")
	code, stdout, stderr := hprov(t, "storm", "-profile", "acquire-release", "-workers", "2", "-rate", "20k", "-ops", "2000", "-o", out)
	// The verdict, one line on stderr, with the generator's own ceiling.
	if code != exitOK || strings.Count(stderr, "\n") != 1 ||
		!regexp.MustCompile(`^hprov storm: acquire-release/impl=hprov/workers=2/rate=20000: (kept up|overloaded): achieved .* of 20.0k/s.*; generator ceiling .*/s\n$`).MatchString(stderr) {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(stdout, "20.0k/s") || !strings.Contains(stdout, "method: open loop") || !strings.Contains(stdout, "achieved") {
		t.Fatalf("table:\n%s", stdout)
	}
	// The open-loop results plot, into a file of its own.
	svg := filepath.Join(filepath.Dir(out), "open.svg")
	if code, stdout, stderr := hprov(t, "plot", out, "-o", svg, "-title", "open loop"); code != exitOK || stdout != "" || stderr != "" {
		t.Fatalf("plot: exit %d, %q, %q", code, stdout, stderr)
	}
	if data, err := os.ReadFile(svg); err != nil || !strings.Contains(string(data), "<svg") || !strings.Contains(string(data), "open loop") {
		t.Fatalf("plot wrote %.200q, %v", data, err)
	}
	assertOnly(t, filepath.Dir(out), "open.txt", "open.svg")
	rs := readBench(t, out)
	if len(rs) != 1 || rs[0].Name.String() != "Storm/profile=acquire-release/impl=hprov/workers=2/rate=20000" || rs[0].Iters != 2000 {
		t.Fatalf("results %v", rs)
	}
	if _, ok := rs[0].Value("missed/op"); !ok {
		t.Fatal("no missed/op")
	}
}

// The standard suite, as planned without running it: every profile,
// engine-insert-release on every impl, workers 1 and 2, short storms.
func TestSuitePlan(t *testing.T) {
	var f stormFlags
	fs := stormFlagSet(&f)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	f.workers = "1,2"
	p, err := plan(fs, &f)
	if err != nil {
		t.Fatal(err)
	}
	if p.config.Duration != suiteDuration || p.config.Warmup != suiteWarmup || p.count != 1 {
		t.Fatalf("config %+v", p.config)
	}
	var names []string
	var total time.Duration
	for _, s := range p.storms {
		names = append(names, s.String())
		total += p.config.Duration + p.config.Warmup
	}
	if len(names) != 20 || !slices.Contains(names, "engine-insert-release/impl=xsync/workers=2") || !slices.Contains(names, "release-race/impl=hprov/workers=1") {
		t.Fatalf("suite %v", names)
	}
	if total < 10*time.Second || total > 20*time.Second {
		t.Fatalf("suite runs for %v, want 10-20 s", total)
	}
	// Timing flags apply to the suite.
	fs = stormFlagSet(&f)
	if err := fs.Parse([]string{"-duration", "1s", "-workers", "4"}); err != nil {
		t.Fatal(err)
	}
	if p, err = plan(fs, &f); err != nil || p.config.Duration != time.Second || p.storms[0].workers != 4 {
		t.Fatalf("suite with flags: %+v, %v", p, err)
	}
}

// -impl alone selects engine-insert-release; csp profiles take an -impl
// only when it is hprov, which they run on (TestBadInput has the rest).
func TestPlanImpls(t *testing.T) {
	plannedNames := func(args ...string) []string {
		var f stormFlags
		fs := stormFlagSet(&f)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		p, err := plan(fs, &f)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range p.storms {
			names = append(names, s.String())
		}
		return names
	}
	got := plannedNames("-impl", "syncmap", "-workers", "3")
	if !slices.Equal(got, []string{"engine-insert-release/impl=syncmap/workers=3"}) {
		t.Errorf("-impl syncmap: %v", got)
	}
	got = plannedNames("-profile", "acquire-release,engine-insert-release", "-impl", "hprov", "-workers", "1")
	want := []string{"acquire-release/impl=hprov/workers=1", "engine-insert-release/impl=hprov/workers=1"}
	if !slices.Equal(got, want) {
		t.Errorf("mixed list on hprov: %v", got)
	}
}

func TestCompare(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, opsPerSec float64) string {
		var b strings.Builder
		b.WriteString("Unit ops/s better=higher\ngoos: linux\n\n")
		for i := range 10 {
			v := opsPerSec * (1 + float64(i)/1000)
			b.WriteString("BenchmarkStorm/profile=x/impl=hprov/workers=1 1000 " + ftoa(1e9/v) + " ns/op " + ftoa(v) + " ops/s\n")
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	old, same, worse := write("old.txt", 1e6), write("same.txt", 1e6), write("worse.txt", 5e5)
	if code, stdout, stderr := hprov(t, "compare", old, same); code != exitOK || !strings.Contains(stdout, "ops/s") || !strings.HasSuffix(stderr, "verdict: no regression (exit 0)\n") {
		t.Errorf("same: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr := hprov(t, "compare", old, worse, "-threshold", "5%")
	if code != exitFailure || !strings.Contains(stdout, "-50.00%") || !strings.Contains(stderr, "regression") {
		t.Errorf("worse: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// A worsening below the threshold passes (ns/op is 100% worse).
	if code, _, _ := hprov(t, "compare", "-threshold", "150%", old, worse); code != exitOK {
		t.Errorf("worse within threshold: exit %d", code)
	}
	// Better is not a regression.
	if code, _, _ := hprov(t, "compare", worse, old); code != exitOK {
		t.Errorf("improvement: exit %d", code)
	}
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func TestSIRate(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 950: "950", 1500: "1.5k", 11_534_000: "11.5M", 2e9: "2G"} {
		if got := siRate(v); got != want {
			t.Errorf("siRate(%v) = %q, want %q", v, got, want)
		}
	}
}
