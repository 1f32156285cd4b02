package benchcmp

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

// series writes n results of one benchmark whose value in unit moves
// around center by up to ±2%, deterministically.
func series(name string, n int, center float64, unit string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		jitter := 1 + 0.02*float64((i*7)%5-2)/2
		fmt.Fprintf(&b, "Benchmark%s-2\t1000000\t%.3f %s\n", name, center*jitter, unit)
	}
	return b.String()
}

func mustRead(t *testing.T, name, text string) *Results {
	t.Helper()
	r, err := Read(strings.NewReader(text), name)
	if err != nil {
		t.Fatalf("Read(%s): %v", name, err)
	}
	return r
}

func mustCompare(t *testing.T, old, new string, opts Options) *Report {
	t.Helper()
	rep, err := Compare(mustRead(t, "old", old), mustRead(t, "new", new), opts)
	if err != nil {
		t.Fatalf("Compare: %v", err)
	}
	return rep
}

func TestSlowdownFlagged(t *testing.T) {
	rep := mustCompare(t, series("Op", 10, 100, "ns/op"), series("Op", 10, 120, "ns/op"), Options{Threshold: 0.05})
	regs := rep.Regressions()
	if len(regs) != 1 {
		t.Fatalf("got %d regressions, want 1", len(regs))
	}
	r := regs[0]
	if r.Name != "Op-2" || r.Unit != "sec/op" || r.Better != -1 {
		t.Errorf("row = %q %q better=%d", r.Name, r.Unit, r.Better)
	}
	if math.Abs(r.Delta()-0.2) > 1e-9 || r.Worsening() != r.Delta() {
		t.Errorf("delta %v worsening %v, want 0.2", r.Delta(), r.Worsening())
	}
	if r.Comparison.P > 0.001 || r.Old.N() != 10 || r.New.N() != 10 {
		t.Errorf("p=%v n=%d+%d", r.Comparison.P, r.Old.N(), r.New.N())
	}
	if w := rep.Warnings(); len(w) != 0 {
		t.Errorf("unexpected warnings %q", w)
	}
	var out strings.Builder
	if err := rep.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "+20.00% (p=0.000 n=10)") {
		t.Errorf("text lacks the delta:\n%s", out.String())
	}

	// The same slowdown is below a 25% threshold.
	rep = mustCompare(t, series("Op", 10, 100, "ns/op"), series("Op", 10, 120, "ns/op"), Options{Threshold: 0.25})
	if n := len(rep.Regressions()); n != 0 {
		t.Errorf("threshold 25%%: %d regressions, want 0", n)
	}
	// A speed-up is significant but never a regression.
	rep = mustCompare(t, series("Op", 10, 120, "ns/op"), series("Op", 10, 100, "ns/op"), Options{})
	if r := rep.Rows()[0]; !r.Significant() || len(rep.Regressions()) != 0 {
		t.Errorf("speed-up: significant=%v regressions=%d", r.Significant(), len(rep.Regressions()))
	}
}

func TestIdenticalNotFlagged(t *testing.T) {
	text := series("A", 10, 100, "ns/op") + series("B", 10, 5, "ns/op")
	rep := mustCompare(t, text, text, Options{})
	if n := len(rep.Regressions()); n != 0 {
		t.Errorf("%d regressions comparing identical input", n)
	}
	for _, r := range rep.Rows() {
		if r.Significant() || r.Comparison.P != 1 || r.Delta() != 0 {
			t.Errorf("%s: significant=%v p=%v delta=%v", r.Name, r.Significant(), r.Comparison.P, r.Delta())
		}
	}
	var out strings.Builder
	rep.WriteText(&out)
	if strings.Count(out.String(), "~ (p=1.000 n=10)") != 2 {
		t.Errorf("want two '~' rows:\n%s", out.String())
	}
}

func TestTooFewRuns(t *testing.T) {
	// A 50% slowdown, but with 3 runs a side no rank test can reach
	// p <= 0.05: benchstat's warning, and no regression.
	rep := mustCompare(t, series("Op", 3, 100, "ns/op"), series("Op", 3, 150, "ns/op"), Options{})
	if n := len(rep.Regressions()); n != 0 {
		t.Errorf("%d regressions with 3 runs per side", n)
	}
	const want = "need >= 4 samples to detect a difference at alpha level 0.05"
	if !containsString(rep.Warnings(), want) {
		t.Errorf("warnings %q lack %q", rep.Warnings(), want)
	}
	var out strings.Builder
	rep.WriteText(&out)
	if !strings.Contains(out.String(), want) || !strings.Contains(out.String(), "~ (p=0.100 n=3)") {
		t.Errorf("text:\n%s", out.String())
	}

	// 4 runs a side are enough for a clear difference.
	rep = mustCompare(t, series("Op", 4, 100, "ns/op"), series("Op", 4, 150, "ns/op"), Options{})
	if n := len(rep.Regressions()); n != 1 {
		t.Errorf("%d regressions with 4 runs per side, want 1", n)
	}
}

func TestHigherIsBetter(t *testing.T) {
	const meta = "Unit ops/s better=higher\n"
	rep := mustCompare(t, meta+series("Storm", 10, 8e6, "ops/s"), meta+series("Storm", 10, 6e6, "ops/s"), Options{Threshold: 0.05})
	regs := rep.Regressions()
	if len(regs) != 1 || regs[0].Better != 1 || math.Abs(regs[0].Worsening()-0.25) > 1e-9 {
		t.Fatalf("ops/s drop: regressions %v", regs)
	}
	// Rising throughput is fine.
	rep = mustCompare(t, meta+series("Storm", 10, 6e6, "ops/s"), meta+series("Storm", 10, 8e6, "ops/s"), Options{})
	if n := len(rep.Regressions()); n != 0 {
		t.Errorf("ops/s rise: %d regressions", n)
	}
	// Metadata in only one file applies to both, as in benchstat.
	rep = mustCompare(t, series("Storm", 10, 8e6, "ops/s"), meta+series("Storm", 10, 6e6, "ops/s"), Options{})
	if n := len(rep.Regressions()); n != 1 {
		t.Errorf("metadata in new file only: %d regressions, want 1", n)
	}
	// MB/s has a built-in direction (tidied to B/s).
	rep = mustCompare(t, series("Copy", 10, 900, "MB/s"), series("Copy", 10, 600, "MB/s"), Options{})
	if regs := rep.Regressions(); len(regs) != 1 || regs[0].Unit != "B/s" || regs[0].Better != 1 {
		t.Errorf("MB/s drop: %v", regs)
	}
}

func TestUnknownDirection(t *testing.T) {
	rep := mustCompare(t, series("Op", 10, 100, "widgets"), series("Op", 10, 200, "widgets"), Options{})
	r := rep.Rows()[0]
	if !r.Significant() || r.Better != 0 || !math.IsNaN(r.Worsening()) || len(rep.Regressions()) != 0 {
		t.Errorf("significant=%v better=%d worsening=%v regressions=%d", r.Significant(), r.Better, r.Worsening(), len(rep.Regressions()))
	}
	if !containsPrefix(rep.Notes(), "unit widgets has no better=higher|lower metadata") {
		t.Errorf("notes %q", rep.Notes())
	}
}

func TestMismatchedSets(t *testing.T) {
	old := series("A", 10, 100, "ns/op") + series("Gone", 10, 100, "ns/op")
	new := series("A", 10, 100, "ns/op") + series("Fresh", 10, 100, "ns/op")
	rep := mustCompare(t, old, new, Options{})
	notes := rep.Notes()
	if !containsString(notes, "only in old: Gone-2") || !containsString(notes, "only in new: Fresh-2") {
		t.Errorf("notes %q", notes)
	}
	if !containsString(rep.Warnings(), "benchmark set differs from baseline; geomeans may not be comparable") {
		t.Errorf("warnings %q", rep.Warnings())
	}
	for _, r := range rep.Rows() {
		if (r.Name == "Gone-2") != (r.New == nil) || (r.Name == "Fresh-2") != (r.Old == nil) {
			t.Errorf("%s: old=%v new=%v", r.Name, r.Old != nil, r.New != nil)
		}
	}
}

func TestNoCommon(t *testing.T) {
	_, err := Compare(mustRead(t, "a.txt", series("A", 5, 1, "ns/op")), mustRead(t, "b.txt", series("B", 5, 1, "ns/op")), Options{})
	if !errors.Is(err, ErrNoCommon) || !strings.Contains(err.Error(), "a.txt and b.txt") {
		t.Errorf("err = %v, want ErrNoCommon naming both files", err)
	}
	// Same benchmark, but no unit in common.
	_, err = Compare(mustRead(t, "a", series("A", 5, 1, "ns/op")), mustRead(t, "b", series("A", 5, 1, "B/op")), Options{})
	if !errors.Is(err, ErrNoCommon) {
		t.Errorf("disjoint units: err = %v, want ErrNoCommon", err)
	}
}

func TestConfigGrouping(t *testing.T) {
	// commit differs entirely: compared across it.
	rep := mustCompare(t, "commit: aaa\n"+series("A", 10, 100, "ns/op"), "commit: bbb\n"+series("A", 10, 130, "ns/op"), Options{})
	if len(rep.Ignored) != 1 || rep.Ignored[0].Key != "commit" || len(rep.Regressions()) != 1 {
		t.Fatalf("ignored %v, regressions %d", rep.Ignored, len(rep.Regressions()))
	}
	// pkg overlaps between the sides: it still separates tables, so
	// same-named benchmarks of different packages are not mixed.
	two := func(a, b float64) string {
		return "pkg: x\n" + series("A", 10, a, "ns/op") + "pkg: y\n" + series("A", 10, b, "ns/op")
	}
	rep = mustCompare(t, two(100, 10), two(100, 13), Options{})
	if len(rep.Ignored) != 0 || len(rep.Tables) != 2 {
		t.Fatalf("ignored %v, %d tables, want 0 and 2", rep.Ignored, len(rep.Tables))
	}
	regs := rep.Regressions()
	if len(regs) != 1 || rep.Tables[1].Rows[0] != regs[0] || rep.Tables[1].Config[0] != (ConfigValue{"pkg", "y"}) {
		t.Errorf("regressions %v, tables %+v", regs, rep.Tables)
	}
	// Keys are arbitrary text up to the colon; none may break grouping.
	rep = mustCompare(t, "a\\\"b,@(x\\: 1\n"+series("A", 10, 100, "ns/op"), "a\\\"b,@(x\\: 2\n"+series("A", 10, 130, "ns/op"), Options{})
	if len(rep.Ignored) != 1 || rep.Ignored[0].Key != `a\"b,@(x\` || len(rep.Regressions()) != 1 {
		t.Errorf("odd key: ignored %v, regressions %d", rep.Ignored, len(rep.Regressions()))
	}
	// A side that mixes commits is compared, with benchstat's warning.
	rep = mustCompare(t, "commit: a1\n"+series("A", 5, 100, "ns/op")+"commit: a2\n"+series("A", 5, 100, "ns/op"),
		"commit: b\n"+series("A", 10, 100, "ns/op"), Options{})
	if !containsString(rep.Warnings(), "benchmarks vary in commit") {
		t.Errorf("warnings %q", rep.Warnings())
	}
}

func TestReadErrors(t *testing.T) {
	var syn *benchfmt.SyntaxError
	_, err := Read(strings.NewReader("goos: linux\nBenchmarkA 10 1 ns/op\nBenchmarkA x 1 ns/op\n"), "bad.txt")
	if !errors.As(err, &syn) || syn.Line != 3 || err.Error() != "bad.txt:3: parsing iteration count: invalid syntax" {
		t.Errorf("malformed: %v", err)
	}
	_, err = Read(strings.NewReader("BenchmarkA 10 1\n"), "bad.txt")
	if !errors.As(err, &syn) || !strings.HasPrefix(err.Error(), "bad.txt:1: ") {
		t.Errorf("missing unit: %v", err)
	}
	_, err = Read(strings.NewReader("BenchmarkA 10 NaN ns/op\n"), "nan.txt")
	if !errors.As(err, &syn) || !strings.Contains(err.Error(), "nan.txt:1: non-finite") {
		t.Errorf("NaN: %v", err)
	}
	for name, text := range map[string]string{
		"empty":  "",
		"log":    "PASS\nok  \tpkg\t0.1s\n",
		"binary": "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\x00\x01",
		"config": "goos: linux\nUnit ops/s better=higher\n",
	} {
		_, err := Read(strings.NewReader(text), name)
		if !errors.Is(err, ErrNoResults) || !strings.HasPrefix(err.Error(), name+": ") {
			t.Errorf("%s: err = %v, want ErrNoResults", name, err)
		}
	}
	_, err = Read(strings.NewReader("Unit x better=higher\nUnit x better=lower\nBenchmarkA 1 1 x\n"), "u.txt")
	if !errors.Is(err, ErrUnitConflict) || !errors.As(err, &syn) {
		t.Errorf("conflict within a file: %v", err)
	}
	_, err = Compare(mustRead(t, "a", "Unit x better=higher\n"+series("A", 5, 1, "x")),
		mustRead(t, "b", "Unit x better=lower\n"+series("A", 5, 1, "x")), Options{})
	if !errors.Is(err, ErrUnitConflict) || !strings.Contains(err.Error(), "a:1") || !strings.Contains(err.Error(), "b:1") {
		t.Errorf("conflict across files: %v", err)
	}
	_, err = Read(strings.NewReader("BenchmarkA 1 1 ns/op "+strings.Repeat("x", 70000)+"\n"), "long.txt")
	if err == nil || !strings.HasPrefix(err.Error(), "long.txt:") {
		t.Errorf("overlong line: %v", err)
	}
}

func TestReadFile(t *testing.T) {
	_, err := ReadFile(filepath.Join(t.TempDir(), "missing.txt"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	path := filepath.Join(t.TempDir(), "r.txt")
	if err := os.WriteFile(path, []byte(series("A", 3, 1, "ns/op")), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := ReadFile(path)
	if err != nil || r.Name() != path || r.Len() != 3 {
		t.Errorf("ReadFile = %v, %v", r, err)
	}
}

func TestOptions(t *testing.T) {
	a := mustRead(t, "a", series("A", 10, 100, "ns/op"))
	for _, o := range []Options{{Alpha: -1}, {Alpha: 2}, {Confidence: 1}, {Threshold: -0.1}, {Threshold: math.NaN()}, {Threshold: math.Inf(1)}} {
		if _, err := Compare(a, a, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	// A stricter alpha turns a borderline difference into "~".
	rep := mustCompare(t, series("Op", 4, 100, "ns/op"), series("Op", 4, 150, "ns/op"), Options{Alpha: 0.01})
	if r := rep.Rows()[0]; r.Significant() || r.Comparison.Alpha != 0.01 {
		t.Errorf("alpha 0.01: significant=%v alpha=%v", r.Significant(), r.Comparison.Alpha)
	}
}

func TestParseThreshold(t *testing.T) {
	for in, want := range map[string]float64{"5%": 0.05, " 12.5 % ": 0.125, "0.05": 0.05, "0": 0} {
		if got, err := ParseThreshold(in); err != nil || math.Abs(got-want) > 1e-12 {
			t.Errorf("ParseThreshold(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "%", "-5%", "five", "NaN", "Inf%"} {
		if _, err := ParseThreshold(in); err == nil {
			t.Errorf("ParseThreshold(%q) accepted", in)
		}
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsPrefix(list []string, p string) bool {
	for _, x := range list {
		if strings.HasPrefix(x, p) {
			return true
		}
	}
	return false
}

func TestConcurrentCompare(t *testing.T) {
	old := mustRead(t, "old", "commit: a\n"+series("A", 10, 100, "ns/op"))
	new := mustRead(t, "new", "commit: b\n"+series("A", 10, 120, "ns/op"))
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			rep, err := Compare(old, new, Options{})
			if err == nil && len(rep.Regressions()) != 1 {
				err = fmt.Errorf("%d regressions", len(rep.Regressions()))
			}
			errs <- err
		}()
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
