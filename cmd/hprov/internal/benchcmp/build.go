package benchcmp

import (
	"errors"
	"slices"
	"sort"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchproc"
)

// Options are the statistical settings of a Build.
type Options struct {
	// Alpha is the significance level: benchstat's -alpha (0.05).
	Alpha float64
	// Confidence is the level of the intervals: benchstat's
	// -confidence (0.95).
	Confidence float64
	// Mark is an optional benchproc filter. Cell.Marked reports
	// whether any value in the cell matches it (the gate's -gate). It
	// selects nothing: unlike Filter, it never changes the tables.
	Mark string
}

// DefaultOptions are benchstat's defaults.
func DefaultOptions() Options {
	return Options{Alpha: benchmath.DefaultThresholds.CompareAlpha, Confidence: 0.95, Mark: "*"}
}

// cellKey indexes a cell of a table.
type cellKey struct{ row, col benchproc.Key }

// building accumulates one table.
type building struct {
	rows, cols map[benchproc.Key]struct{}
	cells      map[cellKey]*acc
}

// acc accumulates one cell: its values (float and exact, in parallel),
// the residue keys it mixes, and whether a value matched Mark.
type acc struct {
	values  []float64
	exact   []benchfmt.Value // the measurements as read, for exact values
	residue map[benchproc.Key]struct{}
	marked  bool
}

// Build groups the input as benchstat does with the same flags and
// computes every summary and comparison. The error is a projection or
// filter that does not parse, worded as benchstat words it.
//
// The grouping follows benchstat's: each result's filtered values go to
// the table of its Table key and unit, the row of its Row key and the
// column of its Col key; rows, columns and tables are ordered by first
// appearance unless the projection gives an order; each cell is compared
// with the first column of its own table; a cell whose results differ in
// a key no projection uses warns "benchmarks vary in ...".
func Build(in *Input, p Projection, o Options) (*Tables, error) {
	pp, err := p.parse()
	if err != nil {
		return nil, err
	}
	var mark *benchproc.Filter
	if o.Mark != "" && o.Mark != "*" {
		if mark, err = benchproc.NewFilter(o.Mark); err != nil {
			return nil, &MarkError{errors.New(oneLine(err))}
		}
	}
	tables := make(map[benchproc.Key]*building)
	allCols := make(map[benchproc.Key]struct{})
	for _, orig := range in.Results {
		res := *orig
		res.Values = slices.Clone(orig.Values)
		if ok, _ := pp.filter.Apply(&res); !ok {
			continue
		}
		var m benchproc.Match
		if mark != nil {
			m, _ = mark.Match(&res)
		}
		rowKey, colKey := pp.row.Project(&res), pp.col.Project(&res)
		resKey := pp.residue.Project(&res)
		allCols[colKey] = struct{}{}
		for i, tk := range pp.table.ProjectValues(&res) {
			t := tables[tk]
			if t == nil {
				t = &building{rows: map[benchproc.Key]struct{}{}, cols: map[benchproc.Key]struct{}{}, cells: map[cellKey]*acc{}}
				tables[tk] = t
			}
			ck := cellKey{rowKey, colKey}
			c := t.cells[ck]
			if c == nil {
				c = &acc{residue: map[benchproc.Key]struct{}{}}
				t.cells[ck] = c
				t.rows[rowKey] = struct{}{}
				t.cols[colKey] = struct{}{}
			}
			c.values = append(c.values, res.Values[i].Value)
			c.exact = append(c.exact, res.Values[i])
			c.residue[resKey] = struct{}{}
			if mark == nil || m.Test(i) {
				c.marked = true
			}
		}
	}

	th := benchmath.DefaultThresholds
	th.CompareAlpha = o.Alpha
	out := &Tables{Keys: sortedKeys(tables), Cols: sortedKeys(allCols)}
	for _, tk := range out.Keys {
		out.Tables = append(out.Tables, finish(tk, tables[tk], pp.unitField, in.Units, &th, o.Confidence))
	}
	return out, nil
}

// MarkError is a Mark filter that does not parse.
type MarkError struct{ Err error }

func (e *MarkError) Error() string { return e.Err.Error() }
func (e *MarkError) Unwrap() error { return e.Err }

func finish(tk benchproc.Key, b *building, unitField *benchproc.Field, units benchfmt.UnitMetadataMap, th *benchmath.Thresholds, confidence float64) *Table {
	unit := tk.Get(unitField)
	t := &Table{
		Key:        tk,
		Unit:       unit,
		Assumption: units.GetAssumption(unit),
		Better:     units.GetBetter(unit),
		Rows:       sortedKeys(b.rows),
		Cols:       sortedKeys(b.cols),
		cells:      make(map[cellKey]*Cell, len(b.cells)),
	}
	for k, a := range b.cells {
		sortTogether(a.values, a.exact)
		t.cells[k] = &Cell{
			Sample:      benchmath.NewSample(a.values, th),
			exact:       a.exact,
			assumeExact: t.Assumption == benchmath.AssumeExact,
			Marked:      a.marked,
		}
	}
	base := t.Cols[0]
	for k, a := range b.cells {
		c := t.cells[k]
		c.Summary = t.Assumption.Summary(c.Sample, confidence)
		if k.col != base {
			if bc := t.cells[cellKey{k.row, base}]; bc != nil {
				c.Baseline = bc
				c.Comparison = t.Assumption.Compare(bc.Sample, c.Sample)
			}
		}
		if vary := benchproc.NonSingularFields(sortedKeys(a.residue)); len(vary) > 0 {
			names := make([]string, len(vary))
			for i, f := range vary {
				names[i] = f.Name
			}
			c.Sample.Warnings = append(c.Sample.Warnings, errors.New("benchmarks vary in "+strings.Join(names, ", ")))
		}
	}
	t.summarize()
	return t
}

func sortedKeys[V any](m map[benchproc.Key]V) []benchproc.Key {
	keys := make([]benchproc.Key, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	benchproc.SortKeys(keys)
	return keys
}

// sortTogether sorts vs ascending and applies the same permutation to xs,
// so that each measurement as read stays beside its float. (NewSample then
// finds vs already sorted.)
func sortTogether(vs []float64, xs []benchfmt.Value) {
	sort.Sort(pairs{vs, xs})
}

type pairs struct {
	v []float64
	x []benchfmt.Value
}

func (p pairs) Len() int           { return len(p.v) }
func (p pairs) Less(i, j int) bool { return p.v[i] < p.v[j] }
func (p pairs) Swap(i, j int) {
	p.v[i], p.v[j] = p.v[j], p.v[i]
	p.x[i], p.x[j] = p.x[j], p.x[i]
}
