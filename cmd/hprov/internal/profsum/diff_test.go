package profsum

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

const ms = 1_000_000 // nanoseconds

// diffPair is a base and a head profile: the head's Work calls a new
// function, slowPath, and Fast got a little slower.
func diffPair(t *testing.T) (base, head *profile.Profile) {
	const (
		runN   = "testing.(*B).runN"
		bench  = "example.com/m.BenchmarkWork"
		bench2 = "example.com/m.BenchmarkFast"
		work   = "example.com/m.Work"
		fast   = "example.com/m.Fast"
		slow   = "example.com/m.slowPath"
		malloc = "runtime.mallocgc"
	)
	base = stackProfile(t, []int64{100 * ms, 50 * ms, 20 * ms},
		[]string{work, bench, runN},
		[]string{fast, bench2, runN},
		[]string{malloc, work, bench, runN},
	)
	head = stackProfile(t, []int64{300 * ms, 100 * ms, 60 * ms, 10 * ms},
		[]string{slow, work, bench, runN},
		[]string{work, bench, runN},
		[]string{fast, bench2, runN},
		[]string{malloc, work, bench, runN},
	)
	return base, head
}

func TestDiff(t *testing.T) {
	base, head := diffPair(t)
	baseCopy, headCopy := base.Copy(), head.Copy()
	d, err := Diff(base, head)
	if err != nil {
		t.Fatal(err)
	}
	if base.String() != baseCopy.String() || head.String() != headCopy.String() {
		t.Error("Diff modified its arguments")
	}
	s, err := Summarize(d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Diff || s.Total != 170*ms || s.Net != 300*ms {
		t.Errorf("diff %v, total %d, net %d; want a diff of base total 170ms, net +300ms", s.Diff, s.Total, s.Net)
	}
	want := map[string][2]int64{ // flat, cum
		"example.com/m.slowPath":      {300 * ms, 300 * ms},
		"example.com/m.Fast":          {10 * ms, 10 * ms},
		"example.com/m.Work":          {0, 290 * ms},
		"runtime.mallocgc":            {-10 * ms, -10 * ms},
		"example.com/m.BenchmarkWork": {0, 290 * ms},
		"example.com/m.BenchmarkFast": {0, 10 * ms},
		"testing.(*B).runN":           {0, 300 * ms},
	}
	for _, f := range s.Funcs {
		if w, ok := want[f.Name]; !ok || w != [2]int64{f.Flat, f.Cum} {
			t.Errorf("%s: flat %d cum %d, want %v", f.Name, f.Flat, f.Cum, w)
		}
	}
	var names []string
	for _, f := range s.GrewFlat(0) {
		names = append(names, f.Name)
	}
	if !slices.Equal(names, []string{"example.com/m.slowPath", "example.com/m.Fast"}) {
		t.Errorf("GrewFlat: %v", names)
	}
	if g := s.GrewCum(2); len(g) != 2 || g[0].Name != "example.com/m.slowPath" || g[1].Name != "testing.(*B).runN" {
		t.Errorf("GrewCum(2): %v", g)
	}
	var out strings.Builder
	if err := s.WriteGrowth(&out, 3); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"base total = 170ms, head total = 470ms, change = +300ms (+176.5% of base)", "Top 2 functions by flat growth", "300ms 176.47% 176.47%      300ms 176.47%  example.com/m.slowPath"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("growth text lacks %q:\n%s", w, out.String())
		}
	}
}

// TestDiffMatchesGoToolPprof checks every function's flat and cum in a
// diff against "go tool pprof -top -diff_base" on the same two files.
func TestDiffMatchesGoToolPprof(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go tool pprof")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	base, head := diffPair(t)
	dir := t.TempDir()
	paths := [2]string{filepath.Join(dir, "base.pprof"), filepath.Join(dir, "head.pprof")}
	for i, p := range []*profile.Profile{base, head} {
		f, err := os.Create(paths[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Write(f); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	out, err := exec.Command(goBin, "tool", "pprof", "-symbolize=none", "-top", "-nodecount=100000", "-nodefraction=0", "-edgefraction=0", "-diff_base", paths[0], paths[1]).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof: %v\n%s", err, out)
	}
	line := regexp.MustCompile(`^\s*(\S+)\s+(\S+%)\s+(\S+%)\s+(\S+)\s+(\S+%)\s+(.+?)\s*$`)
	want := map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		if m := line.FindStringSubmatch(l); m != nil && m[1] != "flat" {
			want[m[6]] = m[1] + " " + m[2] + " " + m[4] + " " + m[5]
		}
	}
	if len(want) == 0 {
		t.Fatalf("no rows in go tool pprof output:\n%s", out)
	}
	d, err := Diff(base, head)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Summarize(d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range s.Funcs {
		got := s.label(f.Flat) + " " + strings.TrimSpace(percentage(f.Flat, s.Total)) + " " + s.label(f.Cum) + " " + strings.TrimSpace(percentage(f.Cum, s.Total))
		if want[f.Name] != got {
			t.Errorf("%s: %q, go tool pprof %q", f.Name, got, want[f.Name])
		}
		delete(want, f.Name)
	}
	for name, w := range want {
		t.Errorf("go tool pprof lists %s (%s), we do not", name, w)
	}
}

func TestFilter(t *testing.T) {
	_, head := diffPair(t)
	head.Sample[0].Label = map[string][]string{"phase": {"measure"}}
	head.Sample[1].Label = map[string][]string{"phase": {"warmup"}}
	total := func(p *profile.Profile) int64 {
		s, err := Summarize(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s.Total
	}
	tag := func(expr string) func(*profile.Sample) bool {
		f, err := ParseTagFocus(expr)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	for _, c := range []struct {
		name      string
		f         Filter
		want      int64
		unmatched []string
	}{
		{"none", Filter{}, 470 * ms, nil},
		{"focus", Filter{Focus: regexp.MustCompile(`Work$`)}, 410 * ms, nil},
		{"focus on file name", Filter{Focus: regexp.MustCompile(`^example.com/m.slowPath\.go$`)}, 0, []string{"-focus"}},
		{"ignore", Filter{Ignore: regexp.MustCompile(`slowPath`)}, 170 * ms, nil},
		{"focus and ignore", Filter{Focus: regexp.MustCompile(`Work`), Ignore: regexp.MustCompile(`mallocgc`)}, 400 * ms, nil},
		{"tagfocus key", Filter{TagFocus: tag("phase=measure")}, 300 * ms, nil},
		{"tagfocus alternatives", Filter{TagFocus: tag("phase=meas,warm")}, 400 * ms, nil},
		{"tagfocus without key", Filter{TagFocus: tag("phase:warm")}, 100 * ms, nil},
		{"tagfocus unmatched", Filter{TagFocus: tag("phase=gc")}, 0, []string{"-tagfocus"}},
		{"nothing ignored", Filter{Ignore: regexp.MustCompile(`nowhere`)}, 470 * ms, []string{"-ignore"}},
	} {
		p := head.Copy()
		un := c.f.Apply(p)
		if got := total(p); got != c.want || !slices.Equal(un, c.unmatched) {
			t.Errorf("%s: total %d, unmatched %v; want %d, %v", c.name, got, un, c.want, c.unmatched)
		}
	}
	for _, bad := range []string{"", "phase=", "1kb:2kb", "phase=(", "bytes=64"} {
		if _, err := ParseTagFocus(bad); err == nil {
			t.Errorf("ParseTagFocus(%q) accepted", bad)
		}
	}
}

// A user's profile of their own benchmark: with hprov's default groups
// the user's code keeps its samples ("other") instead of handing them to
// package testing ("harness"); with -group style regexp groups it is
// theirs.
func TestUserCodeIsNotHarness(t *testing.T) {
	base, _ := diffPair(t)
	hprovGroups := []Group{
		{Name: "harness", Prefixes: []string{"testing"}},
		{Name: "runtime", Prefixes: []string{"runtime"}, Support: true},
	}
	s, err := Summarize(base, Options{Groups: hprovGroups})
	if err != nil {
		t.Fatal(err)
	}
	if s.Shares[0].Flat != 0 || s.Shares[2].Flat != 170*ms {
		t.Errorf("shares %+v: want harness 0, other 170ms", s.Shares)
	}
	user := []Group{
		{Name: "fast", Regexp: regexp.MustCompile(`\.Fast$`)},
		{Name: "mine", Regexp: regexp.MustCompile(`^example\.com/m\.`)},
		{Name: "runtime", Prefixes: []string{"runtime"}, Support: true},
	}
	s, err = Summarize(base, Options{Groups: user})
	if err != nil {
		t.Fatal(err)
	}
	want := []Share{
		{Name: "fast", Flat: 50 * ms, Cum: 50 * ms},
		{Name: "mine", Flat: 120 * ms, Cum: 170 * ms},
		{Name: "runtime", Flat: 0, Cum: 20 * ms, Support: true},
		{Name: "other", Flat: 0, Cum: 170 * ms},
	}
	if !slices.Equal(s.Shares, want) {
		t.Errorf("shares\n%+v\nwant\n%+v", s.Shares, want)
	}
	for name, want := range map[string]bool{
		"sync/atomic.AddInt64": true, "runtime.mallocgc": true, "0x1234": true,
		"crypto/sha256.block": true, "main.main": false, "example.com/m.F": false,
		"github.com/a/b.(*T).M": false, "example.com/m/pkg.F[...]": false, "internal/x.F": true,
	} {
		if got := passesOn(name); got != want {
			t.Errorf("passesOn(%s) = %v", name, got)
		}
	}
}
