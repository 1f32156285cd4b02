package main

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

var diffBenchstat = flag.Bool("benchstat", false, "build benchstat (the x/perf version in go.mod) and compare hprov compare's stdout with its own on many command lines")

// TestAgainstBenchstat runs the real benchstat and hprov compare side by
// side on benchstat's test inputs and this repository's results files,
// with projections, filters, orders, labels, several inputs, malformed
// lines and CSV, and requires the same stdout. It builds benchstat, so it
// runs only with -benchstat:
//
//	go test -run TestAgainstBenchstat ./cmd/hprov -args -benchstat
func TestAgainstBenchstat(t *testing.T) {
	if !*diffBenchstat {
		t.Skip("needs -benchstat (builds golang.org/x/perf/cmd/benchstat)")
	}
	bin := filepath.Join(t.TempDir(), "benchstat")
	if out, err := exec.Command("go", "build", "-o", bin, "golang.org/x/perf/cmd/benchstat").CombinedOutput(); err != nil {
		t.Fatalf("building benchstat: %v\n%s", err, out)
	}
	results, err := filepath.Abs("../../results")
	if err != nil {
		t.Fatal(err)
	}
	fixtures, err := filepath.Abs("internal/benchcmp/testdata")
	if err != nil {
		t.Fatal(err)
	}
	malformed := filepath.Join(t.TempDir(), "mal.txt")
	if err := os.WriteFile(malformed, []byte("goos: linux\nBenchmarkA 10 100 ns/op\nBenchmarkA 10 abc ns/op\n"+
		"Unit ns/op better=higher\nUnit ns/op better=lower\nBenchmarkA 10 101 ns/op\nBenchmarkA 10 3 x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(benchstatTestdata(t))
	cases := [][]string{
		{"old.txt", "new.txt"}, {"-format", "csv", "old.txt", "new.txt"}, {"O=old.txt", "N=new.txt"},
		{"old.txt", "new.txt", "old.txt"}, {"old.txt", "old.txt"}, {"-col", "/format", "new.txt"},
		{"-col", "/format@(gob json)", "-row", ".name", "-ignore", ".file", "new.txt"},
		{"-filter", "/format:json goos:linux .unit:(ns/op OR B/op)", "old.txt", "new.txt"},
		{"-alpha", "0", "old.txt", "new.txt"}, {"-alpha", "1", "old.txt", "new.txt"},
		{"-confidence", "0", "old.txt", "new.txt"}, {"-confidence", "1", "old.txt", "new.txt"},
		{"-table", "", "old.txt", "new.txt"}, {"-table", ".fullname", "-row", ".file", "-col", ".unit", "old.txt", "new.txt"},
		{"-col", "/poly,/align", "-row", "/size", "crc-new.txt"}, {"-col", "/align", "-table", "/poly", "crc-new.txt"},
		{"-format", "csv", "-col", "/poly,/align", "-row", "/size", "crc-new.txt"},
		{"-format", "csv", "crc-old.txt", "crc-new.txt"}, {"-col", "/size@num", "-row", "/poly", "crc-new.txt"},
		{"-col", "note", "-row", "/size", "-filter", "/poly:IEEE /align:0", "crc-old.txt", "crc-new.txt"},
		{"-format", "csv", "-col", "note", "zero.txt"}, {"units.txt"}, {"zero.txt"},
		{filepath.Join(results, "baseline.txt")},
		{"-ignore", "commit,date,command", filepath.Join(results, "baseline.txt"), filepath.Join(results, "2026-11-24-13d0dd8532bf-storm-suite.txt")},
		{"-ignore", "date,commit,command", "-col", "/impl", "-filter", ".unit:sec/op", filepath.Join(results, "2026-11-24-13d0dd8532bf-engine.txt")},
		{"-ignore", "commit", filepath.Join(fixtures, "storm-old.txt"), filepath.Join(fixtures, "storm-new.txt")},
		{"-format", "csv", filepath.Join(fixtures, "gotest-old.txt"), filepath.Join(fixtures, "gotest-new.txt")},
		{malformed, "old.txt"}, {"-format", "csv", malformed, malformed},
	}
	for _, args := range cases {
		var want bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Stdout = &want
		if err := cmd.Run(); err != nil {
			t.Fatalf("benchstat %q: %v", args, err)
		}
		_, got, stderr := hprov(t, append([]string{"compare"}, args...)...)
		if got != want.String() {
			t.Errorf("compare %q: stdout differs from benchstat's:\n--- hprov:\n%s--- benchstat:\n%s--- stderr:\n%s",
				args, got, want.String(), stderr)
		}
	}
	t.Logf("%d command lines, same stdout as benchstat: %v", len(cases), !t.Failed())
}
