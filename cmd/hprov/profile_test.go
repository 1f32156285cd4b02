package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	pprof "github.com/google/pprof/profile"
)

// writeProfiles writes two small CPU profiles of a user's module (not
// hprov's) with a phase label: the head's Work calls a new function.
func writeProfiles(t *testing.T) (base, head string) {
	t.Helper()
	mk := func(slow bool) *pprof.Profile {
		fn := func(id uint64, name string) *pprof.Function {
			return &pprof.Function{ID: id, Name: name, SystemName: name, Filename: "m.go"}
		}
		runN, work, slowFn := fn(1, "testing.(*B).runN"), fn(2, "example.com/m.Work"), fn(3, "example.com/m.addedSlowPath")
		loc := func(id uint64, f *pprof.Function) *pprof.Location {
			return &pprof.Location{ID: id, Address: 0x1000 + id, Line: []pprof.Line{{Function: f, Line: 1}}}
		}
		lRunN, lWork, lSlow := loc(1, runN), loc(2, work), loc(3, slowFn)
		p := &pprof.Profile{
			SampleType: []*pprof.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
			PeriodType: &pprof.ValueType{Type: "cpu", Unit: "nanoseconds"},
			Period:     10_000_000,
			Sample: []*pprof.Sample{
				{Location: []*pprof.Location{lWork, lRunN}, Value: []int64{10, 100_000_000}, Label: map[string][]string{"phase": {"measure"}}},
				{Location: []*pprof.Location{lWork, lRunN}, Value: []int64{5, 50_000_000}, Label: map[string][]string{"phase": {"warmup"}}},
			},
			Location: []*pprof.Location{lRunN, lWork},
			Function: []*pprof.Function{runN, work},
		}
		if slow {
			p.Sample = append(p.Sample, &pprof.Sample{Location: []*pprof.Location{lSlow, lWork, lRunN}, Value: []int64{30, 300_000_000}, Label: map[string][]string{"phase": {"measure"}}})
			p.Location = append(p.Location, lSlow)
			p.Function = append(p.Function, slowFn)
		}
		return p
	}
	dir := t.TempDir()
	for i, path := range []*string{&base, &head} {
		*path = filepath.Join(dir, []string{"base.pprof", "head.pprof"}[i])
		f, err := os.Create(*path)
		if err != nil {
			t.Fatal(err)
		}
		if err := mk(i == 1).Write(f); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return base, head
}

func TestProfileFlags(t *testing.T) {
	base, head := writeProfiles(t)
	for _, c := range []struct {
		name string
		args []string
		want []string
		not  []string
	}{
		// The user's code is not "harness" because testing called it.
		{"default groups", []string{head}, []string{"harness 0 0% 450ms 100%", "other 450ms 100% 450ms 100%"}, nil},
		{"user groups", []string{"-group", "slow=addedSlowPath", "-group", "mine=^example\\.com/m\\.", head},
			[]string{"slow 300ms 66.67% 300ms 66.67%", "mine 150ms 33.33% 450ms 100%", "runtime 0 0% 0 0%"}, []string{"harness", "engine"}},
		{"diff", []string{"-diff_base", base, head},
			[]string{"base total = 150ms, head total = 450ms, change = +300ms (+200.0% of base)", "300ms 200.00% 200.00% 300ms 200.00% example.com/m.addedSlowPath"}, nil},
		{"focus", []string{"-focus", "addedSlowPath", head}, []string{"Total samples = 300ms"}, nil},
		{"ignore", []string{"-ignore", "addedSlowPath", head}, []string{"Total samples = 150ms"}, []string{"addedSlowPath"}},
		{"tagfocus", []string{"-tagfocus", "phase=measure", head}, []string{"Total samples = 400ms"}, nil},
		{"sample_index", []string{"-sample_index", "samples", head}, []string{"Type: samples", "Total samples = 45"}, nil},
		{"sample_index by number", []string{"-sample_index", "0", head}, []string{"Type: samples"}, nil},
	} {
		code, stdout, stderr := hprov(t, append([]string{"profile"}, c.args...)...)
		if code != exitOK {
			t.Errorf("%s: exit %d: %s", c.name, code, stderr)
			continue
		}
		// Compare with runs of spaces collapsed: the columns' widths
		// are not the point.
		flat := oneLine(stdout)
		for _, w := range c.want {
			if !strings.Contains(flat, oneLine(w)) {
				t.Errorf("%s: output lacks %q:\n%s", c.name, w, stdout)
			}
		}
		for _, w := range c.not {
			if strings.Contains(stdout, w) {
				t.Errorf("%s: output has %q:\n%s", c.name, w, stdout)
			}
		}
	}
	// A focus that matches nothing is a warning, as in pprof.
	code, stdout, stderr := hprov(t, "profile", "-focus", "nowhere", head)
	if code != exitOK || !strings.Contains(stderr, "-focus matched no samples") || !strings.Contains(stdout, "No samples") {
		t.Errorf("unmatched focus: exit %d, stderr %q\n%s", code, stderr, stdout)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-group", "noequals", head}, "not name=regexp"},
		{[]string{"-group", "a=(", head}, "missing closing"},
		{[]string{"-group", "a=x", "-group", "a=y", head}, "named twice"},
		{[]string{"-group", "other=x", head}, "other"},
		{[]string{"-focus", "(", head}, "-focus"},
		{[]string{"-ignore", "[", head}, "-ignore"},
		{[]string{"-tagfocus", "bytes=1kb:2kb", head}, "numeric label ranges"},
		{[]string{"-sample_index", "alloc_space", head}, "alloc_space"},
		{[]string{"-diff_base", filepath.Join(t.TempDir(), "missing.pprof"), head}, "-diff_base"},
	} {
		code, stdout, stderr := hprov(t, append([]string{"profile"}, c.args...)...)
		if code != exitUsage || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, c.want) || stdout != "" {
			t.Errorf("%v: exit %d, stderr %q (want %q), stdout %q", c.args, code, stderr, c.want, stdout)
		}
	}
}
