package gate

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/hprov/hprov/cmd/hprov/internal/benchcmp"
	"golang.org/x/perf/benchfmt"
)

// bench writes n results of one benchmark, value v in unit, with a
// deterministic spread of a few tenths of a percent that keeps the median
// exactly v (the spread is symmetric around it).
func bench(name string, n int, v float64, unit string) string {
	var b strings.Builder
	for i := range n {
		// offsets -k..+k around the center, in tenths of a percent;
		// for even n the two middle ones are ±0.5 step around v.
		off := float64(2*i-(n-1)) / 2 * 0.001
		fmt.Fprintf(&b, "Benchmark%s 1000 %s %s\n", name, trim(v*(1+off)), unit)
	}
	return b.String()
}

func trim(v float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.6f", v), "0"), ".")
}

// run gates OLD against NEW with the given flags, as hprov compare and
// hprov ab do.
func run(t *testing.T, old, new string, flags ...string) (code int, stdout, stderr string) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg := DefaultConfig()
	cfg.RegisterFlags(fs)
	if err := fs.Parse(flags); err != nil {
		t.Fatalf("flags %q: %v", flags, err)
	}
	in, err := benchcmp.ReadSources([]benchcmp.Source{{Label: "old", R: strings.NewReader(old)}, {Label: "new", R: strings.NewReader(new)}})
	if err != nil {
		t.Fatal(err)
	}
	var o, e bytes.Buffer
	code, _ = Run("hprov compare", in, benchcmp.DefaultProjection(), cfg, &o, &e)
	return code, o.String(), e.String()
}

// The exit statuses, one case per rule of the gate.
func TestExitStatus(t *testing.T) {
	const units = "Unit ops/s better=higher\n"
	storm := func(impl string, n int, ns float64) string {
		return bench("Storm/impl="+impl+"/workers=2-2", n, ns, "ns/op")
	}
	cases := []struct {
		name     string
		old, new string
		flags    []string
		want     int
		stderr   string // in stderr
	}{
		{"same", storm("hprov", 10, 35.3), storm("hprov", 10, 35.3), nil, ExitOK, "1 unchanged"},
		{"regression", storm("hprov", 10, 35.3), storm("hprov", 10, 65.7), []string{"-threshold", "5%"}, ExitRegression, "regression  Storm/impl=hprov/workers=2-2  sec/op  +86.12%"},
		{"regression within threshold", storm("hprov", 10, 35.3), storm("hprov", 10, 65.7), []string{"-threshold", "90%"}, ExitOK, "1 unchanged"},
		{"improvement", storm("hprov", 10, 65.7), storm("hprov", 10, 35.3), nil, ExitOK, "1 improvement"},
		// A storm with -count 1 against a 10-run baseline: +86% can
		// never be significant with n=1; the gate says so.
		{"n=1 against n=10", storm("hprov", 10, 35.3), storm("hprov", 1, 65.7), []string{"-threshold", "5%"}, ExitInconclusive, "n=10+1  fewer than 6 samples"},
		{"n=5 each", storm("hprov", 5, 35.3), storm("hprov", 5, 65.7), nil, ExitInconclusive, "insufficient"},
		{"n=5 with -min-samples 5", storm("hprov", 5, 35.3), storm("hprov", 5, 65.7), []string{"-min-samples", "5"}, ExitRegression, "regression"},
		{"missing", storm("hprov", 10, 35.3) + storm("mutex", 10, 20), storm("hprov", 10, 35.3), nil, ExitInconclusive, "missing  Storm/impl=mutex/workers=2-2  sec/op  in old, not in new"},
		{"missing allowed", storm("hprov", 10, 35.3) + storm("mutex", 10, 20), storm("hprov", 10, 35.3), []string{"-allow-missing"}, ExitOK, "1 missing"},
		{"added is not missing", storm("hprov", 10, 35.3), storm("hprov", 10, 35.3) + storm("mutex", 10, 20), nil, ExitOK, "1 unchanged"},
		// Exactly +5.00%: 100 -> 105 (in float64, 105e-9/100e-9-1 > 0.05).
		{"exactly 5% at 5%", bench("X", 10, 100, "ns/op"), bench("X", 10, 105, "ns/op"), []string{"-threshold", "5%"}, ExitOK, "1 unchanged"},
		{"exactly 5% at 0.05", bench("X", 10, 100, "ns/op"), bench("X", 10, 105, "ns/op"), []string{"-threshold", "0.05"}, ExitOK, "1 unchanged"},
		{"exactly 5% at 4%", bench("X", 10, 100, "ns/op"), bench("X", 10, 105, "ns/op"), []string{"-threshold", "4%"}, ExitRegression, "+5.00%"},
		{"5.01% at 5%", bench("X", 10, 100, "ns/op"), bench("X", 10, 105.01, "ns/op"), []string{"-threshold", "5%"}, ExitRegression, "+5.01%"},
		{"exactly -5% of higher-better at 5%", units + bench("X", 10, 100, "ops/s"), units + bench("X", 10, 95, "ops/s"), []string{"-threshold", "5%"}, ExitOK, "1 unchanged"},
		{"higher-better drop", units + bench("X", 10, 100, "ops/s"), units + bench("X", 10, 90, "ops/s"), []string{"-threshold", "5%"}, ExitRegression, "-10.00%"},
		// -gate: the baselines regress, the gated impl does not.
		{"gate one impl", storm("hprov", 10, 35.3) + storm("mutex", 10, 20), storm("hprov", 10, 35.3) + storm("mutex", 10, 40),
			[]string{"-gate", "/impl:hprov"}, ExitOK, "1 not gated"},
		{"gate all", storm("hprov", 10, 35.3) + storm("mutex", 10, 20), storm("hprov", 10, 35.3) + storm("mutex", 10, 40),
			nil, ExitRegression, "regression  Storm/impl=mutex"},
		{"gate other impl", storm("hprov", 10, 35.3) + storm("mutex", 10, 20), storm("hprov", 10, 35.3) + storm("mutex", 10, 40),
			[]string{"-gate", "/impl:mutex"}, ExitRegression, "regression  Storm/impl=mutex"},
		{"gate matching nothing", storm("hprov", 10, 35.3), storm("hprov", 10, 36), []string{"-gate", "/impl:nope"}, ExitInconclusive, "no gated row compared"},
		// Regression wins over inconclusive.
		{"regression and missing", storm("hprov", 10, 35.3) + storm("mutex", 10, 20), storm("hprov", 10, 65.7), nil, ExitRegression, "missing"},
		// From 0 to non-zero: unbounded, never "+Inf%".
		{"from zero", bench("X", 10, 0, "allocs/op"), bench("X", 10, 1, "allocs/op"), []string{"-threshold", "50%"}, ExitRegression, "up from 0"},
		{"to zero", bench("X", 10, 1, "allocs/op"), bench("X", 10, 0, "allocs/op"), nil, ExitOK, "1 improvement"},
		// No direction known: a significant change cannot be judged.
		{"unknown direction", bench("X", 10, 100, "widgets"), bench("X", 10, 200, "widgets"), nil, ExitInconclusive, "no better=higher|lower direction"},
		{"unknown direction unchanged", bench("X", 10, 100, "widgets"), bench("X", 10, 100, "widgets"), nil, ExitOK, "1 unchanged"},
		// Exact units need one sample.
		{"exact unit", "Unit B better=lower assume=exact\n" + bench("Size", 1, 100, "B"), bench("Size", 1, 110, "B"), []string{"-threshold", "5%"}, ExitRegression, "p=exact n=1+1"},
		{"garbage", "\x00\x01 not a benchmark\n", "random words\n", nil, ExitBadInput, "no benchmark results"},
		{"one garbage input", "random words\n", bench("X", 10, 1, "ns/op"), nil, ExitBadInput, "hprov compare: old: no benchmark results"},
		{"malformed line", storm("hprov", 10, 35.3), storm("hprov", 10, 35.3) + "BenchmarkBroken 10 abc ns/op\n", nil, ExitBadInput, "new:11: parsing measurement"},
		{"bad gate", storm("hprov", 10, 35.3), storm("hprov", 10, 35.3), []string{"-gate", "/impl:("}, ExitBadInput, "parsing -gate"},
		{"bad correction", storm("hprov", 10, 35.3), storm("hprov", 10, 35.3), []string{"-correct", "bonferroni"}, ExitBadInput, "-correct"},
		{"bad format", storm("hprov", 10, 35.3), storm("hprov", 10, 35.3), []string{"-format", "xml"}, ExitBadInput, "-format must be"},
		{"bad alpha", storm("hprov", 10, 35.3), storm("hprov", 10, 35.3), []string{"-alpha", "2"}, ExitBadInput, "-alpha must be in range [0, 1]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := run(t, c.old, c.new, c.flags...)
			if code != c.want || !strings.Contains(stderr, c.stderr) {
				t.Errorf("exit %d, want %d; stderr lacks %q?\n--- stdout:\n%s--- stderr:\n%s", code, c.want, c.stderr, stdout, stderr)
			}
			if code != ExitBadInput && !strings.Contains(stderr, fmt.Sprintf("(exit %d)\n", code)) {
				t.Errorf("stderr does not state the exit status %d:\n%s", code, stderr)
			}
		})
	}
}

func TestParseThreshold(t *testing.T) {
	for in, want := range map[string]string{"5%": "1/20", "0.05": "1/20", " 2.5 % ": "1/40", "0": "0", "150%": "3/2", "1e-2": "1/100"} {
		th, err := ParseThreshold(in)
		if err != nil || th.Rat().RatString() != want {
			t.Errorf("ParseThreshold(%q) = %v, %v; want %s", in, th.Rat(), err, want)
		}
	}
	for _, in := range []string{"", "%", "-5%", "lots", "1/3", "NaN", "Inf"} {
		if _, err := ParseThreshold(in); err == nil {
			t.Errorf("ParseThreshold(%q) accepted", in)
		}
	}
}

// Holm–Bonferroni adjusted p-values: sorted ascending, p(i) times the
// number of hypotheses left (m - i), made non-decreasing, capped at 1.
// Rejecting where the adjusted p <= alpha is Holm's step-down test.
func TestHolm(t *testing.T) {
	rows := []*Row{{P: 0.01}, {P: 0.04}, {P: 0.03}, {P: 0.005}}
	holm(rows)
	// Sorted: 0.005*4=0.02, 0.01*3=0.03, 0.03*2=0.06, 0.04*1=0.04 -> max-so-far 0.06.
	want := []float64{0.03, 0.06, 0.06, 0.02}
	for i, r := range rows {
		if d := r.PAdjusted - want[i]; d > 1e-12 || d < -1e-12 {
			t.Errorf("row %d (p=%v): adjusted %v, want %v", i, r.P, r.PAdjusted, want[i])
		}
	}
}

// With many small regressions of modest significance, -correct holm
// keeps the ones that survive the family-wise correction only.
func TestCorrectHolm(t *testing.T) {
	var old, new strings.Builder
	// 20 benchmarks: one 50% slower (p tiny), 19 barely different
	// (3 of 6 values shifted).
	old.WriteString(bench("Big", 10, 100, "ns/op"))
	new.WriteString(bench("Big", 10, 150, "ns/op"))
	for i := range 19 {
		old.WriteString(bench(fmt.Sprintf("Small%d", i), 6, 100, "ns/op"))
		new.WriteString(bench(fmt.Sprintf("Small%d", i), 6, 100.4, "ns/op"))
	}
	code, _, stderr := run(t, old.String(), new.String())
	if code != ExitRegression || !strings.Contains(stderr, "20 regression") {
		t.Fatalf("uncorrected: exit %d\n%s", code, stderr)
	}
	code, _, stderr = run(t, old.String(), new.String(), "-correct", "holm")
	if code != ExitRegression || !strings.Contains(stderr, "1 regression, 19 unchanged") ||
		!strings.Contains(stderr, "20 tested at family-wise alpha 0.05 (Holm–Bonferroni)") {
		t.Fatalf("holm: exit %d\n%s", code, stderr)
	}
}

func TestJSON(t *testing.T) {
	old := bench("A", 10, 100, "ns/op") + bench("Gone", 10, 5, "ns/op") + bench("Z", 10, 0, "B/op")
	new := bench("A", 10, 105, "ns/op") + bench("Z", 10, 8, "B/op")
	code, stdout, _ := run(t, old, new, "-format", "json", "-threshold", "5%")
	if code != ExitRegression {
		t.Errorf("exit %d, want 1 (Z went up from 0)", code)
	}
	var rows []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		rows = append(rows, m)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3:\n%s", len(rows), stdout)
	}
	a, gone, z := rows[0], rows[1], rows[2]
	if a["benchmark"] != "A" || a["unit"] != "sec/op" || a["verdict"] != "unchanged" || a["delta"] != 0.05 ||
		a["threshold"] != 0.05 || a["alpha"] != 0.05 || a["gated"] != true {
		t.Errorf("A: %v", a)
	}
	o, n := a["old"].(map[string]any), a["new"].(map[string]any)
	if o["median"] != 100e-9 || o["n"] != 10.0 || o["label"] != "old" || n["median"] != 105e-9 || !(o["lo"].(float64) < 100e-9) || !(o["hi"].(float64) > 100e-9) {
		t.Errorf("A sides: %v %v", o, n)
	}
	if p, ok := a["p"].(float64); !ok || p > 0.001 {
		t.Errorf("A p: %v", a["p"])
	}
	if gone["verdict"] != "missing" || gone["new"] != nil || gone["delta"] != nil || gone["p"] != nil {
		t.Errorf("Gone: %v", gone)
	}
	if z["verdict"] != "regression" || z["delta"] != nil || z["from_zero"] != true {
		t.Errorf("Z: %v", z)
	}
	// Too few samples for an interval: null bounds, not ±Inf.
	_, stdout, _ = run(t, bench("A", 3, 100, "ns/op"), bench("A", 3, 100, "ns/op"), "-format", "json")
	if !strings.Contains(stdout, `"lo":null,"hi":null,"n":3`) || !strings.Contains(stdout, `"warnings":["need >= 6 samples for confidence interval at level 0.95","need >= 4 samples to detect a difference at alpha level 0.05"]`) {
		t.Errorf("n=3: %s", stdout)
	}
}

func TestMarkdown(t *testing.T) {
	old := bench("A|B", 10, 100, "ns/op") + bench("C", 10, 100, "ns/op")
	new := bench("A|B", 10, 120, "ns/op") + bench("C", 10, 100, "ns/op")
	code, stdout, _ := run(t, old, new, "-format", "markdown", "-threshold", "5%")
	want := "**regression** (exit 1): 2 gated row(s) (1 regression, 1 unchanged); 2 tested, each at alpha 0.05 (no correction); threshold: more than 5%\n\n" +
		"| Benchmark | Unit | old | new | Δ | p (n) | Verdict |\n" +
		"| :-- | :-- | --: | --: | --: | :-- | :-- |\n" +
		"| `A\\|B` | sec/op | 100.0n ± 0% | 120.0n ± 0% | +20.00% | 0.000 (10+10) | **regression** |\n" +
		"| `C` | sec/op | 100.0n ± 0% | 100.0n ± 0% | +0.00% | 1.000 (10+10) | unchanged |\n"
	if code != ExitRegression || stdout != want {
		t.Errorf("exit %d\n--- got:\n%s--- want:\n%s", code, stdout, want)
	}
}

// The verdict block is one line per row, and none of its lines reads as
// benchmark data: fed to benchfmt, it yields no result, no
// configuration and no syntax error.
func TestVerdictIsNotBenchmarkData(t *testing.T) {
	var old, new strings.Builder
	for i := range 40 {
		old.WriteString(bench(fmt.Sprintf("Storm/profile=engine-insert-release/impl=hprov/workers=%d-2", i), 10, 35.3, "ns/op"))
		new.WriteString(bench(fmt.Sprintf("Storm/profile=engine-insert-release/impl=hprov/workers=%d-2", i), 10, 65.7, "ns/op"))
	}
	old.WriteString(bench("Gone", 10, 1, "ns/op"))
	_, _, stderr := run(t, "commit: 1111111\n"+old.String(), "commit: 1111111\n"+new.String())
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if len(lines) < 10 {
		t.Fatalf("too few lines:\n%s", stderr)
	}
	for _, l := range lines {
		if len(l) > 200 {
			t.Errorf("line of %d characters: %q", len(l), l)
		}
	}
	r := benchfmt.NewReader(strings.NewReader(stderr+"BenchmarkProbe 1 1 ns/op\n"), "stderr")
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			t.Errorf("stderr line parses as a malformed result: %v", rec)
		case *benchfmt.Result:
			if rec.Name.String() != "Probe" || len(rec.Config) != 0 {
				t.Errorf("stderr reads as benchmark data: %s with config %v", rec.Name, rec.Config)
			}
		}
	}
}

// Rows from tables with different keys get a Config column with only the
// keys that differ; several column pairs put the labels in the cells.
func TestMarkdownConfigAndPairs(t *testing.T) {
	side := func(ns float64) string {
		return "goos: linux\npkg: a\n" + bench("X", 6, ns, "ns/op") + "pkg: b\n" + bench("X", 6, ns, "ns/op")
	}
	_, stdout, _ := run(t, side(100), side(100), "-format", "markdown")
	if !strings.Contains(stdout, "| Config | Benchmark |") || !strings.Contains(stdout, "| pkg: b | `X` |") || strings.Contains(stdout, "goos") {
		t.Errorf("config column:\n%s", stdout)
	}
	in, err := benchcmp.ReadSources([]benchcmp.Source{{Label: "f", R: strings.NewReader(
		bench("Y/impl=a", 6, 100, "ns/op") + bench("Y/impl=b", 6, 100, "ns/op") + bench("Y/impl=c", 6, 200, "ns/op"))}})
	if err != nil {
		t.Fatal(err)
	}
	p := benchcmp.DefaultProjection()
	p.Col = "/impl"
	cfg := DefaultConfig()
	cfg.Format = FormatMarkdown
	var o, e strings.Builder
	code, _ := Run("hprov compare", in, p, cfg, &o, &e)
	if code != ExitRegression || !strings.Contains(o.String(), "| Benchmark | Unit | Old | New |") ||
		!strings.Contains(o.String(), "| a: 100.0n ± 0% | c: 200.0n ± 0% | +100.00% |") || !strings.Contains(e.String(), "c vs a") {
		t.Errorf("exit %d\n%s\n%s", code, o.String(), e.String())
	}
}
