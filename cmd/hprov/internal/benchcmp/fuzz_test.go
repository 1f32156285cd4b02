package benchcmp

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"golang.org/x/perf/benchfmt"
)

// FuzzRead feeds arbitrary bytes to the reading path and, when they parse,
// through the whole comparison of the file against itself. Nothing may
// panic; a rejected input must say why with one of the package's errors;
// an accepted one always compares with itself without a regression.
// The seed corpus is in testdata/fuzz/FuzzRead.
func FuzzRead(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Read(bytes.NewReader(data), "fuzz.txt")
		if err != nil {
			var syn *benchfmt.SyntaxError
			if !errors.Is(err, ErrNoResults) && !errors.As(err, &syn) && !bytes.Contains([]byte(err.Error()), []byte("fuzz.txt:")) {
				t.Fatalf("unexplained error %v", err)
			}
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if res.Len() == 0 {
			t.Fatal("accepted input with no results")
		}
		rep, err := Compare(res, res, Options{})
		if err != nil {
			t.Fatalf("comparing a file with itself: %v", err)
		}
		if regs := rep.Regressions(); len(regs) != 0 {
			t.Fatalf("file regresses against itself: %s %s", regs[0].Name, regs[0].Unit)
		}
		if err := rep.WriteText(io.Discard); err != nil {
			t.Fatal(err)
		}
	})
}
