package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// benchstatGolden are benchstat's own golden tests: the arguments of each
// case in golang.org/x/perf's cmd/benchstat/main_test.go (the version in
// go.mod), whose expected stdout (and stderr) are in
// cmd/benchstat/testdata. hprov compare must print the same stdout byte
// for byte, and begin stderr with benchstat's stderr; exit is the gate's
// verdict on the case.
var benchstatGolden = []struct {
	name string
	args []string
	exit int
}{
	// TestCSV
	{"csvOldNew", []string{"-format", "csv", "old.txt", "new.txt"}, exitOK},
	{"csvErrors", []string{"-format", "csv", "-row", ".name", "new.txt"}, exitOK}, // one column: nothing to gate
	// TestCRC: a "note" splits the tables, so nothing is compared
	// (inconclusive: every benchmark of crc-old.txt is missing from
	// crc-new.txt's tables); -ignore note joins them.
	{"crcOldNew", []string{"crc-old.txt", "crc-new.txt"}, exitInconclusive},
	{"crcIgnore", []string{"-ignore", "note", "crc-old.txt", "crc-new.txt"}, exitFailure},
	{"crcSizeVsPoly", []string{"-filter", "/align:0", "-row", "/size", "-col", "/poly", "crc-new.txt"}, exitFailure},
	// TestUnits: text-bytes has no direction and changes: insufficient.
	{"units", []string{"-col", "note", "units.txt"}, exitInconclusive},
	// TestZero: tiny exact changes in units without a direction.
	{"zero", []string{"-col", "note", "zero.txt"}, exitInconclusive},
	// TestSmallSample: n=1.
	{"smallSample", []string{"-col", "note", "smallSample.txt"}, exitInconclusive},
	// TestIssue19565: B is missing from "after".
	{"issue19565", []string{"-col", "note", "issue19565.txt"}, exitInconclusive},
	// TestIssue19634: n=5 < -min-samples.
	{"issue19634", []string{"-col", "note", "issue19634.txt"}, exitInconclusive},
}

const exitInconclusive = 3

// benchstatTestdata returns x/perf's cmd/benchstat/testdata in the module
// cache.
func benchstatTestdata(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "golang.org/x/perf").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Fatalf("golang.org/x/perf is not in the module cache (go mod download golang.org/x/perf): %v", err)
	}
	return filepath.Join(dir, "cmd", "benchstat", "testdata")
}

func TestBenchstatGolden(t *testing.T) {
	// benchstat names columns after its arguments, run in testdata.
	t.Chdir(benchstatTestdata(t))
	for _, c := range benchstatGolden {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := hprov(t, append([]string{"compare"}, c.args...)...)
			want, err := os.ReadFile(c.name + ".stdout")
			if err != nil {
				t.Fatal(err)
			}
			if stdout != string(want) {
				t.Errorf("stdout differs from benchstat's %s.stdout:\n--- got:\n%s--- want:\n%s", c.name, stdout, want)
			}
			wantErr, err := os.ReadFile(c.name + ".stderr")
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if !strings.HasPrefix(stderr, string(wantErr)) {
				t.Errorf("stderr does not begin with benchstat's %q:\n%s", wantErr, stderr)
			}
			if rest := strings.TrimPrefix(stderr, string(wantErr)); !strings.HasPrefix(rest, "hprov compare: ") {
				t.Errorf("verdict block missing after benchstat's stderr:\n%s", stderr)
			}
			if code != c.exit {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, c.exit, stderr)
			}
		})
	}
}

// benchstat's documented command lines (doc comment of cmd/benchstat),
// on its old.txt and new.txt: the projections, fixed orders, filters and
// labels.
func TestBenchstatDocExamples(t *testing.T) {
	t.Chdir(benchstatTestdata(t))
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-filter", "/format:json goos:linux .unit:(ns/op OR B/op)", "old.txt", "new.txt"},
			"Encode/format=json-48   1.718µ ± 1%   1.423µ ± 1%  -17.20% (p=0.000 n=10)\n"},
		{[]string{"-col", "/format", "new.txt"}, "Encode-48   1.423µ ± 1%   3.070µ ± 2%  +115.82% (p=0.000 n=10)\n"},
		{[]string{"-col", "/format@(gob json)", "-row", ".name", "-ignore", ".file", "new.txt"},
			"Encode   3.070µ ± 2%   1.423µ ± 1%  -53.66% (p=0.000 n=10)\n"},
		{[]string{"O=old.txt", "N=new.txt"}, "│      O      │                  N                  │\n"},
		{[]string{"-row", ".name", "new.txt"}, "¹ benchmarks vary in .fullname\n"},
	}
	for _, c := range cases {
		_, stdout, stderr := hprov(t, append([]string{"compare"}, c.args...)...)
		if !strings.Contains(stdout, c.want) {
			t.Errorf("compare %q: stdout lacks %q:\n%s\n%s", c.args, c.want, stdout, stderr)
		}
	}
}

// The Done-when cases through the command line: flags after the inputs,
// label=path, the exit statuses.
func TestCompareExitStatus(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, lines ...string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Join(lines, "")), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	runs := func(name string, n int, ns ...float64) string {
		var b strings.Builder
		for i := range n {
			b.WriteString("Benchmark" + name + " 1000 " + ftoa(ns[i%len(ns)]) + " ns/op\n")
		}
		return b.String()
	}
	base := write("base.txt", runs("Storm/impl=hprov/workers=2-2", 10, 35.2, 35.3, 35.4), runs("Storm/impl=mutex/workers=2-2", 10, 20, 20.1))
	one := write("one.txt", runs("Storm/impl=hprov/workers=2-2", 1, 65.7), runs("Storm/impl=mutex/workers=2-2", 1, 20))
	noMutex := write("nomutex.txt", runs("Storm/impl=hprov/workers=2-2", 10, 35.2, 35.3, 35.4))
	five := write("five.txt", runs("X", 10, 100, 100, 100), runs("Y", 10, 1))
	fivePlus := write("fiveplus.txt", runs("X", 10, 105, 105, 105), runs("Y", 10, 1))
	mutexWorse := write("mutexworse.txt", runs("Storm/impl=hprov/workers=2-2", 10, 35.2, 35.3, 35.4), runs("Storm/impl=mutex/workers=2-2", 10, 40, 40.1))
	garbage := write("garbage.txt", "\x7fELF\x02\x01\x01 binary junk\n")
	cases := []struct {
		args []string
		want int
	}{
		{[]string{base, one, "-threshold", "5%"}, exitInconclusive}, // +86% with n=1
		{[]string{base, noMutex}, exitInconclusive},                 // mutex missing
		{[]string{base, noMutex, "-allow-missing"}, exitOK},
		{[]string{five, fivePlus, "-threshold", "5%"}, exitOK}, // exactly +5.00%
		{[]string{five, fivePlus, "-threshold", "4%"}, exitFailure},
		{[]string{"old=" + base, "new=" + mutexWorse}, exitFailure},
		{[]string{"old=" + base, "new=" + mutexWorse, "-gate", "/impl:hprov"}, exitOK},
		{[]string{garbage, garbage}, exitUsage},
		{[]string{base, garbage}, exitUsage},
	}
	for _, c := range cases {
		code, _, stderr := hprov(t, append([]string{"compare"}, c.args...)...)
		if code != c.want {
			t.Errorf("compare %q: exit %d, want %d\n%s", c.args, code, c.want, stderr)
		}
	}
}

// "-" reads standard input, as in benchstat.
func TestCompareStdin(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.txt")
	if err := os.WriteFile(old, []byte(strings.Repeat("BenchmarkA 1 100 ns/op\n", 6)), 0o644); err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		w.WriteString(strings.Repeat("BenchmarkA 1 200 ns/op\n", 6))
		w.Close()
	}()
	stdin := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = stdin; r.Close() }()
	code, stdout, stderr := hprov(t, "compare", "old="+old, "new=-")
	if code != exitFailure || !strings.Contains(stdout, "+100.00% (p=0.002 n=6)") {
		t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
	}
}
