package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Two result files give a line each, named by their labels, on a log axis
// with -logy.
func TestPlotTwoFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, ns float64) string {
		var b strings.Builder
		for i := range 6 {
			for _, w := range []string{"1", "2"} {
				b.WriteString("BenchmarkStorm/impl=hprov/workers=" + w + "-2 1000 " + ftoa(ns*(1+float64(i)/100)) + " ns/op 40 p50-ns\n")
			}
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	before, after := write("before.txt", 35), write("after.txt", 65)
	svg := filepath.Join(dir, "both.svg")
	if code, stdout, stderr := hprov(t, "plot", "-logy", "before="+before, "after="+after, "-o", svg); code != exitOK || stdout != "" || stderr != "" {
		t.Fatalf("exit %d, %q, %q", code, stdout, stderr)
	}
	data, err := os.ReadFile(svg)
	if err != nil || !bytes.Contains(data, []byte("before: Storm")) || !bytes.Contains(data, []byte("after: Storm")) {
		t.Fatalf("plot lacks a series per file: %v", err)
	}
	if code, _, stderr := hprov(t, "plot", "x="+filepath.Join(dir, "missing.txt"), "-o", svg); code != exitUsage || !strings.Contains(stderr, "missing.txt") {
		t.Errorf("missing labelled file: exit %d, %q", code, stderr)
	}
}
