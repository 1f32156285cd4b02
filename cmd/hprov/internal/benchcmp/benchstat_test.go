package benchcmp

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The *.benchstat files are the real benchstat's output for the fixture
// pairs (see testdata/README.md). benchcmp must reproduce the tables
// exactly, then add only its own notes.
func TestMatchesBenchstat(t *testing.T) {
	cases := []struct {
		old, new, golden string
		notes            []string
	}{
		{"storm-old.txt", "storm-new.txt", "storm.benchstat", []string{
			"note: compared across commit, which differs: 1111111 in storm-old.txt, 2222222 in storm-new.txt",
		}},
		{"gotest-old.txt", "gotest-new.txt", "gotest.benchstat", []string{
			"note: only in gotest-old.txt: Removed-2",
			"note: only in gotest-new.txt: Added-2",
		}},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			rep := compareFixtures(t, c.old, c.new, Options{})
			want, err := os.ReadFile(filepath.Join("testdata", c.golden))
			if err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			if err := rep.WriteText(&got); err != nil {
				t.Fatal(err)
			}
			wantAll := string(want) + strings.Join(c.notes, "\n") + "\n"
			if got.String() != wantAll {
				t.Errorf("output differs from benchstat's.\n--- got:\n%s\n--- want:\n%s", got.String(), wantAll)
			}
		})
	}
}

// rowRE matches a compared row of benchstat's text output.
var rowRE = regexp.MustCompile(`^(\S+)\s.*?\s(~|\?|[+-]\d+\.\d+%)\s+\((?:p=(\d\.\d{3}) )?n=(\d+)(?:\+(\d+))?\)`)

// TestNumbersMatchBenchstat checks the p-value, delta and sample sizes of
// every compared row against benchstat's, value by value, independently of
// the layout.
func TestNumbersMatchBenchstat(t *testing.T) {
	for _, c := range [][3]string{
		{"storm-old.txt", "storm-new.txt", "storm.benchstat"},
		{"gotest-old.txt", "gotest-new.txt", "gotest.benchstat"},
	} {
		rep := compareFixtures(t, c[0], c[1], Options{})
		golden := goldenRows(t, c[2])
		var got []string
		for _, r := range rep.Rows() {
			if r.Compared() {
				got = append(got, describe(r))
			}
		}
		if len(got) != len(golden) {
			t.Fatalf("%s: %d compared rows, benchstat has %d", c[2], len(got), len(golden))
		}
		for i := range got {
			if got[i] != golden[i] {
				t.Errorf("%s row %d: got %s, benchstat %s", c[2], i, got[i], golden[i])
			}
		}
	}
}

func goldenRows(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := rowRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		n := m[4]
		if m[5] != "" {
			n += "+" + m[5]
		}
		p := m[3]
		if p == "" {
			p = "exact"
		}
		rows = append(rows, fmt.Sprintf("%s delta=%s p=%s n=%s", m[1], m[2], p, n))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no compared rows found", name)
	}
	return rows
}

// describe renders a row's numbers from the Row API, not from WriteText.
func describe(r *Row) string {
	delta := "~"
	switch {
	case !r.Significant():
	case r.Old.Summary.Center == 0 && r.New.Summary.Center != 0:
		delta = "?"
	default:
		delta = fmt.Sprintf("%+.2f%%", r.Delta()*100)
	}
	p := fmt.Sprintf("%.3f", r.Comparison.P)
	if r.Comparison.P == 0 {
		p = "exact"
	}
	n := fmt.Sprint(r.Old.N())
	if r.New.N() != r.Old.N() {
		n += fmt.Sprintf("+%d", r.New.N())
	}
	return fmt.Sprintf("%s delta=%s p=%s n=%s", r.Name, delta, p, n)
}

func compareFixtures(t *testing.T, old, new string, opts Options) *Report {
	t.Helper()
	// benchstat names columns after its arguments; it ran in testdata.
	read := func(name string) *Results {
		f, err := os.Open(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r, err := Read(f, name)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	rep, err := Compare(read(old), read(new), opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestFixtureRegressions(t *testing.T) {
	rep := compareFixtures(t, "storm-old.txt", "storm-new.txt", Options{Threshold: 0.05})
	var got []string
	for _, r := range rep.Regressions() {
		got = append(got, r.Name+" "+r.Unit)
	}
	const hprov2 = "Storm/profile=engine-insert-release/impl=hprov/workers=2-2"
	want := []string{
		hprov2 + " sec/op",
		hprov2 + " ops/s",
		hprov2 + " p50-sec",
		hprov2 + " p99-sec",
		hprov2 + " p99.9-sec",
		"Storm/profile=engine-insert-release/impl=mutex/workers=2-2 max-sec",
		"InsertRelease/impl=xsync-2 B/op",
		"InsertRelease/impl=xsync-2 allocs/op",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("regressions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The 15% improvement of impl=mutex/workers=1 is significant but
	// better, in both directions of unit.
	for _, r := range rep.Rows() {
		if strings.Contains(r.Name, "impl=mutex/workers=1") && (r.Unit == "sec/op" || r.Unit == "ops/s") {
			if !r.Significant() || !(r.Worsening() < -0.1) {
				t.Errorf("%s %s: significant=%v worsening=%v, want a significant improvement", r.Name, r.Unit, r.Significant(), r.Worsening())
			}
		}
	}
}
