package benchcmp

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// Errors returned by Read, ReadFile and Compare. They are wrapped with the
// input's name, so test them with errors.Is. A malformed line is reported
// as a *benchfmt.SyntaxError (errors.As), whose message carries file:line.
var (
	// ErrNoResults: the input holds no benchmark result lines at all (an
	// empty file, a log, a file in some other format).
	ErrNoResults = errors.New("no benchmark results")
	// ErrNoCommon: the two sides share no benchmark (same name, same
	// configuration, same unit), so nothing can be compared.
	ErrNoCommon = errors.New("no benchmark in common")
	// ErrUnitConflict: the inputs disagree on a unit's metadata (for
	// example better=higher in one file, better=lower in the other), so
	// the direction of a change would be ambiguous.
	ErrUnitConflict = errors.New("conflicting unit metadata")
)

// Results is one side of a comparison: every benchmark result read from
// one input, kept in input order. It is immutable once read and safe to
// use from several goroutines.
type Results struct {
	name    string
	results []*benchfmt.Result
	units   benchfmt.UnitMetadataMap
}

// Name returns the name the results were read under; Report uses it as the
// column heading, as benchstat uses the file name.
func (r *Results) Name() string { return r.name }

// Len returns the number of result lines read.
func (r *Results) Len() int { return len(r.results) }

// ReadFile reads a benchmark-format file, naming the results after its path.
func ReadFile(path string) (*Results, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f, path)
}

// Read parses the Go benchmark format from r. name is used as the column
// heading and in error positions.
//
// Unlike benchstat, which prints a malformed line as a warning and carries
// on, Read fails on the first one: a regression gate that silently drops
// results could pass a build it should have stopped. Lines that are not
// results, configuration or unit metadata ("PASS", "ok ...", logs) are
// skipped, as the format specifies. Non-finite values (NaN, Inf) are
// rejected because no median or rank test is meaningful over them.
func Read(r io.Reader, name string) (*Results, error) {
	if name == "" {
		name = "<unknown>"
	}
	br := benchfmt.NewReader(r, name)
	res := &Results{name: name}
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			if isUnitConflict(rec) {
				return nil, fmt.Errorf("%w: %w", ErrUnitConflict, rec)
			}
			return nil, rec
		case *benchfmt.Result:
			for _, v := range rec.Values {
				if math.IsNaN(v.Value) || math.IsInf(v.Value, 0) {
					file, line := rec.Pos()
					return nil, &benchfmt.SyntaxError{FileName: file, Line: line,
						Msg: fmt.Sprintf("non-finite measurement %v %s", v.Value, v.Unit)}
				}
			}
			c := rec.Clone()
			// A clone indexes its configuration lazily, on first
			// lookup; doing it now keeps later lookups read-only,
			// so Results can be shared by concurrent Compares.
			c.ConfigIndex("")
			res.results = append(res.results, c)
		}
	}
	if err := br.Err(); err != nil {
		return nil, err
	}
	if len(res.results) == 0 {
		return nil, fmt.Errorf("%s: %w", name, ErrNoResults)
	}
	res.units = br.Units()
	return res, nil
}

// isUnitConflict recognises benchfmt's report of a unit line that
// contradicts an earlier one; benchfmt has no distinct type for it.
func isUnitConflict(e *benchfmt.SyntaxError) bool {
	return strings.HasPrefix(e.Msg, "metadata ") && strings.Contains(e.Msg, " already set to ")
}

// mergeUnits combines the unit metadata of both sides. benchstat reads all
// its inputs through one reader, so metadata declared in either file
// applies to both; a contradiction is an error rather than first-wins.
func mergeUnits(old, new *Results) (benchfmt.UnitMetadataMap, error) {
	m := make(benchfmt.UnitMetadataMap, len(old.units)+len(new.units))
	for k, v := range old.units {
		m[k] = v
	}
	for k, v := range new.units {
		have, ok := m[k]
		if !ok {
			m[k] = v
			continue
		}
		if have.Value != v.Value {
			hf, hl := have.Pos()
			nf, nl := v.Pos()
			return nil, fmt.Errorf("%w: unit %s: %s=%s at %s:%d but %s=%s at %s:%d",
				ErrUnitConflict, k.Unit, k.Key, have.Value, hf, hl, k.Key, v.Value, nf, nl)
		}
	}
	return m, nil
}
