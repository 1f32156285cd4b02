package benchcmp_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/hprov/hprov/cmd/hprov/internal/benchcmp"
	"github.com/hprov/hprov/cmd/hprov/internal/gate"
)

// FuzzRead feeds arbitrary bytes through reading, the tables (text and
// CSV) and the gate, comparing the input with itself. Nothing may panic;
// a file never regresses against itself; input with no results is bad
// input. The seed corpus is in testdata/fuzz/FuzzRead.
func FuzzRead(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := benchcmp.ReadSources([]benchcmp.Source{
			{Label: "a", R: bytes.NewReader(data)}, {Label: "b", R: bytes.NewReader(data)}})
		if err != nil {
			t.Fatalf("reading from memory: %v", err)
		}
		ts, err := benchcmp.Build(in, benchcmp.DefaultProjection(), benchcmp.DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if err := ts.WriteText(io.Discard); err != nil {
			t.Fatal(err)
		}
		if err := ts.WriteCSV(io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		code, _ := gate.Run("fuzz", in, benchcmp.DefaultProjection(), gate.DefaultConfig(), io.Discard, &stderr)
		switch {
		case code == gate.ExitRegression:
			t.Fatalf("input regresses against itself:\n%s", stderr.String())
		case len(in.Results) == 0 && code != gate.ExitBadInput:
			t.Fatalf("no results, exit %d", code)
		case len(in.Warnings) > 0 && code != gate.ExitBadInput:
			t.Fatalf("malformed lines, exit %d", code)
		}
	})
}
