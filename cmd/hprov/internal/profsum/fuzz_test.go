package profsum

import (
	"errors"
	"io"
	"testing"
)

// FuzzParse: no input may panic the parser or the summary, and every
// rejection is ErrNotProfile (or an overflow of absurd sample values).
// The seed corpus in testdata/fuzz/FuzzParse holds a real CPU profile,
// a synthetic one, truncations of both, a legacy text profile and
// garbage.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseData(data)
		if err != nil {
			if !errors.Is(err, ErrNotProfile) {
				t.Fatalf("error %v does not wrap ErrNotProfile", err)
			}
			return
		}
		s, err := Summarize(p, Options{Groups: []Group{{Name: "runtime", Prefixes: []string{"runtime"}}}})
		if err != nil {
			if !errors.Is(err, ErrOverflow) && !errors.Is(err, ErrNotProfile) {
				t.Fatalf("Summarize: %v", err)
			}
			return
		}
		var flat int64
		for _, g := range s.Shares {
			flat += g.Flat
		}
		if flat != s.Total {
			t.Fatalf("group flats add up to %d, total %d", flat, s.Total)
		}
		if err := s.WriteText(io.Discard, 10); err != nil {
			t.Fatal(err)
		}
	})
}
