package benchcmp

import (
	"errors"
	"math"

	"github.com/aclements/go-moremath/stats"
	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchproc"
)

// Tables is what benchstat prints: one Table per table key (the -table
// projection plus the unit), in benchstat's order.
type Tables struct {
	Tables []*Table
	// Keys are the table keys, one per table; the last field of each is
	// ".unit".
	Keys []benchproc.Key
	// Cols is every column key seen in any table, in benchstat's
	// column order. A table shows only its own columns; comparing the
	// two tells which columns a table lacks altogether (a benchmark
	// missing from a whole input).
	Cols []benchproc.Key
}

// A Table compares the cells of each row with the row's cell in the
// table's first column, the baseline.
type Table struct {
	Key        benchproc.Key
	Unit       string
	Assumption benchmath.Assumption
	// Better is +1 when higher values of Unit are better, -1 when lower
	// ones are, 0 when the unit metadata does not say and benchfmt has
	// no default.
	Better     int
	Rows, Cols []benchproc.Key
	// Summary is the geomean row, by column.
	Summary map[benchproc.Key]*ColSummary

	cells map[cellKey]*Cell
}

// Cell returns the cell at (row, col), or nil when the table has no
// result there.
func (t *Table) Cell(row, col benchproc.Key) *Cell {
	return t.cells[cellKey{row, col}]
}

// Config returns the table key's fields other than the unit, as
// benchstat prints them above tables ("key: value").
func (t *Table) Config() []ConfigValue {
	var out []ConfigValue
	for _, f := range t.Key.Projection().FlattenedFields() {
		if f.Name != ".unit" {
			out = append(out, ConfigValue{f.Name, t.Key.Get(f)})
		}
	}
	return out
}

// ConfigValue is one field of a table key.
type ConfigValue struct{ Key, Value string }

// A Cell is the sample of one row in one column.
type Cell struct {
	// Sample holds the values in ascending order and warnings such as
	// "benchmarks vary in .fullname".
	Sample *benchmath.Sample
	// Summary is the center (the median, or the value under
	// assume=exact) and its confidence interval.
	Summary benchmath.Summary
	// Baseline is the row's cell in the table's first column, nil for
	// that column itself and for rows the first column lacks.
	Baseline *Cell
	// Comparison tests this cell against Baseline; meaningless when
	// Baseline is nil.
	Comparison benchmath.Comparison
	// Marked reports whether any value of the cell matched
	// Options.Mark.
	Marked bool

	exact       []benchfmt.Value // as read, parallel to Sample.Values
	assumeExact bool
}

// N returns the number of values.
func (c *Cell) N() int { return len(c.Sample.Values) }

// ColSummary is a column's cell in the geomean row.
type ColSummary struct {
	HasSummary bool
	Summary    float64 // geomean of the column's centers
	HasRatio   bool
	Ratio      float64 // geomean of the column's center/baseline ratios
	Warnings   []error
}

// summarize computes the geomean row as benchstat does: the geomean of
// each column's centers, and the geomean of the per-row ratios to the
// baseline rather than the ratio of geomeans, so that mismatched
// benchmark sets still give a column average (with a warning) instead of
// comparing unrelated sets. 0/0 counts as 1; x/0 makes the ratio
// undefined.
func (t *Table) summarize() {
	t.Summary = make(map[benchproc.Key]*ColSummary, len(t.Cols))
	nBase := 0
	for _, r := range t.Rows {
		if t.Cell(r, t.Cols[0]) != nil {
			nBase++
		}
	}
	for i, col := range t.Cols {
		s := &ColSummary{}
		t.Summary[col] = s
		var centers, ratios []float64
		badRatio := false
		for _, r := range t.Rows {
			c := t.Cell(r, col)
			if c == nil {
				continue
			}
			centers = append(centers, c.Summary.Center)
			if c.Baseline == nil {
				continue
			}
			a, b := c.Summary.Center, c.Baseline.Summary.Center
			switch {
			case a == b:
				ratios = append(ratios, 1)
			case b == 0:
				badRatio = true
				ratios = append(ratios, 0)
			default:
				ratios = append(ratios, a/b)
			}
		}
		isBase := i == 0
		if !isBase && nBase != len(ratios) {
			s.Warnings = append(s.Warnings, errors.New("benchmark set differs from baseline; geomeans may not be comparable"))
		}
		if gm := stats.GeoMean(centers); math.IsNaN(gm) {
			s.Warnings = append(s.Warnings, errors.New("summaries must be >0 to compute geomean"))
		} else {
			s.HasSummary, s.Summary = true, gm
		}
		if !isBase && !badRatio {
			if gm := stats.GeoMean(ratios); math.IsNaN(gm) {
				s.Warnings = append(s.Warnings, errors.New("ratios must be >0 to compute geomean"))
			} else {
				s.HasRatio, s.Ratio = true, gm
			}
		}
	}
}
