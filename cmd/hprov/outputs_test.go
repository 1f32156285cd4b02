package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// A write that fails discards its file: the destination keeps what it
// had, no temporary file is left, and the other outputs are still
// committed.
func TestOutputsWriteErrorDiscards(t *testing.T) {
	dir := t.TempDir()
	keep, fresh := filepath.Join(dir, "keep.txt"), filepath.Join(dir, "fresh.txt")
	if err := os.WriteFile(keep, []byte("keep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	outs, err := openOutputs([][2]string{{"-o", keep}, {"-memprofile", fresh}, {"-cpuprofile", ""}})
	if err != nil {
		t.Fatal(err)
	}
	full := errors.New("disk full")
	if err := outs.write("-o", func(w io.Writer) error {
		io.WriteString(w, "half a")
		return full
	}); !errors.Is(err, full) {
		t.Fatalf("write: %v, want the fill's error", err)
	}
	if err := outs.write("-memprofile", func(w io.Writer) error {
		_, err := io.WriteString(w, "whole\n")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := outs.write("-cpuprofile", func(io.Writer) error { return full }); err != nil {
		t.Fatalf("an output not asked for was filled: %v", err)
	}
	if failed := outs.commit(); len(failed) > 0 {
		t.Fatal(failed)
	}
	if got := outs.written(); !slices.Equal(got, []string{fresh}) {
		t.Errorf("written %q, want only %s", got, fresh)
	}
	for path, want := range map[string]string{keep: "keep\n", fresh: "whole\n"} {
		if data, err := os.ReadFile(path); err != nil || string(data) != want {
			t.Errorf("%s: %q, %v; want %q", path, data, err, want)
		}
	}
	assertOnly(t, dir, "keep.txt", "fresh.txt")
}
