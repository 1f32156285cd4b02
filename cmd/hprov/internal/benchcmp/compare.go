// Package benchcmp compares two sets of Go benchmark results the way
// benchstat does, in-process, and turns the comparison into a regression
// verdict.
//
// The statistics are golang.org/x/perf's own: results are read with
// benchfmt, grouped with benchproc (a table per file configuration and
// unit, a row per full benchmark name), and each row is summarised with
// benchmath under the unit's distributional assumption (by default
// median, a confidence interval for the median and a Mann-Whitney U test).
// WriteText lays the tables out as cmd/benchstat does, so the numbers can
// be checked against benchstat itself.
//
// Two things go beyond benchstat. First, a file configuration key whose
// values on the two sides have nothing in common (typically "commit", but
// also "date" or a different "cpu") is left out of the grouping, as
// "benchstat -ignore KEY" would do; otherwise comparing two commits would
// yield two unrelated tables and no comparison at all. Second, Regressions
// applies a direction (from "Unit X better=higher|lower" metadata, or
// benchfmt's defaults for sec/op, B/op, allocs/op and B/s) and a minimum
// size to the significant changes, which is what a CI gate needs.
package benchcmp

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchproc"
)

// Options tunes a comparison. The zero value gives benchstat's defaults
// and counts any significant worsening as a regression.
type Options struct {
	// Alpha is the significance level of the comparison test: a change
	// is significant when its p-value is at most Alpha (benchstat shows
	// "~" otherwise). 0 means 0.05.
	Alpha float64
	// Confidence is the level of the intervals around each median.
	// 0 means 0.95.
	Confidence float64
	// Threshold is the smallest worsening, as a fraction of the old
	// value (0.05 for 5%), that Regressions reports. Changes are measured
	// as benchstat's delta, new/old - 1, with its sign flipped for units
	// where higher is better.
	Threshold float64
}

func (o Options) normalize() (Options, error) {
	if o.Alpha == 0 {
		o.Alpha = benchmath.DefaultThresholds.CompareAlpha
	}
	if o.Confidence == 0 {
		o.Confidence = 0.95
	}
	if !(o.Alpha > 0 && o.Alpha <= 1) {
		return o, fmt.Errorf("benchcmp: alpha %v is not in (0, 1]", o.Alpha)
	}
	if !(o.Confidence > 0 && o.Confidence < 1) {
		return o, fmt.Errorf("benchcmp: confidence %v is not in (0, 1)", o.Confidence)
	}
	if !(o.Threshold >= 0) || math.IsInf(o.Threshold, 0) {
		return o, fmt.Errorf("benchcmp: threshold %v is not a finite fraction >= 0", o.Threshold)
	}
	return o, nil
}

// ParseThreshold parses a threshold given as a percentage ("5%") or as a
// fraction ("0.05"), as a command line would take it.
func ParseThreshold(s string) (float64, error) {
	t := strings.TrimSpace(s)
	scale := 1.0
	if strings.HasSuffix(t, "%") {
		t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
		scale = 0.01
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || !(v >= 0) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("benchcmp: invalid threshold %q: want a percentage like 5%% or a fraction like 0.05", s)
	}
	return v * scale, nil
}

// A Report is the comparison of two Results.
type Report struct {
	// Old and New are the names of the two sides (column headings).
	Old, New string
	// Tables holds one table per file configuration and unit, in the
	// order benchstat prints them.
	Tables []*Table
	// Ignored lists the file configuration keys left out of the grouping
	// because their values differ entirely between the two sides.
	Ignored []IgnoredKey

	opts  Options
	notes []string
}

// IgnoredKey is a configuration key whose values on the two sides share
// nothing, such as "commit".
type IgnoredKey struct {
	Key      string
	Old, New []string // distinct values on each side, "" where a result lacks the key
}

// A Table holds the rows of one unit under one file configuration.
type Table struct {
	// Config is the file configuration shared by the table's results,
	// in first-seen order. Keys some results lack have an empty value.
	Config []ConfigValue
	// Unit is the tidied unit ("sec/op" for ns/op, "B/s" for MB/s).
	Unit string
	// Better is +1 when higher values are better, -1 when lower values
	// are better, 0 when the unit has no known direction.
	Better int
	// Rows are in first-seen order, old side first.
	Rows []*Row
	// Geomean summarises the columns, as benchstat's last row does.
	Geomean Geomean
}

// ConfigValue is one "key: value" file configuration line.
type ConfigValue struct{ Key, Value string }

// A Row compares one benchmark in one unit.
type Row struct {
	// Name is the full benchmark name without the "Benchmark" prefix,
	// including "/key=value" parts and the "-N" GOMAXPROCS suffix.
	Name   string
	Unit   string
	Better int
	// Old and New summarise each side; one of them is nil when the
	// benchmark appears on one side only.
	Old, New *Cell
	// Comparison is the test of New against Old (p-value, sample sizes,
	// warnings); meaningful only when Compared reports true.
	Comparison benchmath.Comparison
}

// A Cell is one side's sample of a benchmark and its summary.
type Cell struct {
	// Sample holds the measurements in ascending order, and warnings
	// such as "benchmarks vary in commit".
	Sample *benchmath.Sample
	// Summary is the center (median unless the unit says assume=exact)
	// and its confidence interval, with any warnings about them.
	Summary benchmath.Summary
}

// N returns the number of measurements.
func (c *Cell) N() int { return len(c.Sample.Values) }

// Geomean is the summary row of a table. Fields are NaN when undefined.
type Geomean struct {
	// Old and New are the geometric means of each column's centers.
	Old, New float64
	// Ratio is the geometric mean of the per-row New/Old center ratios:
	// benchstat's geomean delta is Ratio - 1.
	Ratio float64
	// OldWarnings and NewWarnings are benchstat's footnotes for each
	// column, such as "benchmark set differs from baseline".
	OldWarnings, NewWarnings []error
}

// Compared reports whether the benchmark has results on both sides.
func (r *Row) Compared() bool { return r.Old != nil && r.New != nil }

// Significant reports whether the two sides differ at the report's alpha,
// which is exactly when benchstat shows a delta instead of "~".
func (r *Row) Significant() bool {
	return r.Compared() && !(r.Comparison.P > r.Comparison.Alpha)
}

// Delta returns new/old - 1 of the centers, the number benchstat prints as
// a percentage. It is 0 when both are equal (0/0 included) and ±Inf when
// only the old center is 0. It is NaN when the row is not compared.
func (r *Row) Delta() float64 {
	if !r.Compared() {
		return math.NaN()
	}
	o, n := r.Old.Summary.Center, r.New.Summary.Center
	switch {
	case o == n:
		return 0
	case o == 0:
		return math.Inf(int(math.Copysign(1, n)))
	}
	return n/o - 1
}

// Worsening returns how much worse New is than Old as a fraction: Delta
// for lower-is-better units, -Delta for higher-is-better units. It is
// negative for an improvement and NaN when the direction is unknown or the
// row is not compared.
func (r *Row) Worsening() float64 {
	switch r.Better {
	case -1:
		return r.Delta()
	case 1:
		return -r.Delta()
	}
	return math.NaN()
}

// Rows returns every row of every table, in report order.
func (rep *Report) Rows() []*Row {
	var rows []*Row
	for _, t := range rep.Tables {
		rows = append(rows, t.Rows...)
	}
	return rows
}

// Regressions returns the rows that are significantly worse, in the
// unit's better direction, by more than the threshold. Units without a
// known direction never count.
func (rep *Report) Regressions() []*Row {
	var out []*Row
	for _, r := range rep.Rows() {
		if r.Significant() && r.Worsening() > rep.opts.Threshold {
			out = append(out, r)
		}
	}
	return out
}

// Notes returns remarks about the comparison that benchstat would not
// print: benchmarks found on one side only, configuration keys ignored for
// grouping, and units that have no direction and so cannot regress.
// WriteText prints them after the tables.
func (rep *Report) Notes() []string { return slices.Clone(rep.notes) }

// Warnings returns every distinct warning that WriteText shows as a
// footnote (too few samples for an interval or for a significant
// difference, mixed configurations, mismatched benchmark sets).
func (rep *Report) Warnings() []string {
	var out []string
	seen := make(map[string]bool)
	add := func(errs []error) {
		for _, e := range errs {
			if s := e.Error(); !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	for _, t := range rep.Tables {
		for _, r := range t.Rows {
			for _, c := range []*Cell{r.Old, r.New} {
				if c != nil {
					add(c.Sample.Warnings)
					add(c.Summary.Warnings)
				}
			}
			if r.Compared() {
				add(r.Comparison.Warnings)
			}
		}
		add(t.Geomean.OldWarnings)
		add(t.Geomean.NewWarnings)
	}
	return out
}

// cell accumulates one side's values for one (table, row).
type cell struct {
	values []float64
	// ignored holds, per ignored configuration key, the values seen,
	// to warn when one side mixes them (say, two commits).
	ignored []map[string]bool
}

type tableBuild struct {
	rows  map[benchproc.Key]struct{}
	cells [2]map[benchproc.Key]*cell // by side, by row
}

// Compare compares new against old.
//
// It fails with ErrNoCommon when no benchmark has results in the same
// unit on both sides, and with ErrUnitConflict when the two inputs
// declare contradictory unit metadata.
func Compare(old, new *Results, opts Options) (*Report, error) {
	opts, err := opts.normalize()
	if err != nil {
		return nil, err
	}
	units, err := mergeUnits(old, new)
	if err != nil {
		return nil, err
	}
	sides := [2]*Results{old, new}
	ignored := differingConfig(old, new)

	// The projections below use no filter terms, but benchproc wants a
	// filter to attach any implied by fixed sort orders.
	filter, err := benchproc.NewFilter("*")
	if err != nil {
		return nil, fmt.Errorf("benchcmp: %w", err)
	}
	var parser benchproc.ProjectionParser
	tableBy, _, err := parser.ParseWithUnit(".config", filter)
	if err != nil {
		return nil, fmt.Errorf("benchcmp: %w", err)
	}
	rowBy, err := parser.Parse(".fullname", filter)
	if err != nil {
		return nil, fmt.Errorf("benchcmp: %w", err)
	}

	tables := make(map[benchproc.Key]*tableBuild)
	for side, rs := range sides {
		for _, res := range rs.results {
			// benchstat -ignore would name the keys in a projection
			// of their own; dropping them from a copy of the
			// result has the same effect on ".config" without
			// passing arbitrary key text through the projection
			// syntax.
			res, ignVals := stripConfig(res, ignored)
			rowKey := rowBy.Project(res)
			for i, tk := range tableBy.ProjectValues(res) {
				tb := tables[tk]
				if tb == nil {
					tb = &tableBuild{rows: make(map[benchproc.Key]struct{})}
					tables[tk] = tb
				}
				if tb.cells[side] == nil {
					tb.cells[side] = make(map[benchproc.Key]*cell)
				}
				c := tb.cells[side][rowKey]
				if c == nil {
					c = &cell{ignored: make([]map[string]bool, len(ignored))}
					for j := range c.ignored {
						c.ignored[j] = make(map[string]bool)
					}
					tb.cells[side][rowKey] = c
					tb.rows[rowKey] = struct{}{}
				}
				c.values = append(c.values, res.Values[i].Value)
				for j, v := range ignVals {
					c.ignored[j][v] = true
				}
			}
		}
	}

	tableKeys := sortedKeys(tables)
	thresholds := &benchmath.Thresholds{CompareAlpha: opts.Alpha}
	rep := &Report{Old: old.Name(), New: new.Name(), Ignored: ignored, opts: opts}
	compared := 0
	for _, tk := range tableKeys {
		tb := tables[tk]
		t := &Table{Unit: unitOf(tk)}
		for _, f := range tk.Projection().FlattenedFields() {
			if f.Name != ".unit" {
				t.Config = append(t.Config, ConfigValue{f.Name, tk.Get(f)})
			}
		}
		t.Better = units.GetBetter(t.Unit)
		assumption := units.GetAssumption(t.Unit)
		for _, rk := range sortedKeys(tb.rows) {
			row := &Row{Name: rk.StringValues(), Unit: t.Unit, Better: t.Better}
			for side, dst := range []**Cell{&row.Old, &row.New} {
				if c := tb.cells[side][rk]; c != nil {
					*dst = summarize(c, ignored, thresholds, assumption, opts.Confidence)
				}
			}
			if row.Compared() {
				row.Comparison = assumption.Compare(row.Old.Sample, row.New.Sample)
				compared++
			}
			t.Rows = append(t.Rows, row)
		}
		t.Geomean = geomean(t.Rows)
		rep.Tables = append(rep.Tables, t)
	}
	if compared == 0 {
		return nil, fmt.Errorf("%s and %s: %w", old.Name(), new.Name(), ErrNoCommon)
	}
	rep.notes = notes(rep)
	return rep, nil
}

func summarize(c *cell, ignored []IgnoredKey, th *benchmath.Thresholds, a benchmath.Assumption, confidence float64) *Cell {
	s := benchmath.NewSample(c.values, th)
	var vary []string
	for j, vals := range c.ignored {
		if len(vals) > 1 {
			vary = append(vary, ignored[j].Key)
		}
	}
	if len(vary) > 0 {
		// benchstat's wording for a cell whose results differ in a
		// key that was not used to group them.
		s.Warnings = append(s.Warnings, fmt.Errorf("benchmarks vary in %s", strings.Join(vary, ", ")))
	}
	return &Cell{Sample: s, Summary: a.Summary(s, confidence)}
}

// geomean follows benchstat's summary row: the geomean of each column's
// centers, and the geomean of per-row ratios rather than the ratio of
// geomeans, so that a mismatched benchmark set still yields a column
// average (with a warning) instead of comparing unrelated sets.
func geomean(rows []*Row) Geomean {
	g := Geomean{Old: math.NaN(), New: math.NaN(), Ratio: math.NaN()}
	var olds, news, ratios []float64
	nBase, badRatio := 0, false
	for _, r := range rows {
		if r.Old != nil {
			olds = append(olds, r.Old.Summary.Center)
			nBase++
		}
		if r.New == nil {
			continue
		}
		news = append(news, r.New.Summary.Center)
		if r.Old == nil {
			continue
		}
		a, b := r.New.Summary.Center, r.Old.Summary.Center
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
	colMean := func(xs []float64, dst *float64, warn *[]error) {
		if m := geoMean(xs); math.IsNaN(m) {
			*warn = append(*warn, fmt.Errorf("summaries must be >0 to compute geomean"))
		} else {
			*dst = m
		}
	}
	if len(olds) > 0 {
		colMean(olds, &g.Old, &g.OldWarnings)
	}
	if len(news) > 0 {
		// Without an old column the new column is the baseline,
		// as in benchstat, and has no ratio.
		if len(olds) == 0 {
			colMean(news, &g.New, &g.NewWarnings)
			return g
		}
		if nBase != len(ratios) {
			g.NewWarnings = append(g.NewWarnings, fmt.Errorf("benchmark set differs from baseline; geomeans may not be comparable"))
		}
		colMean(news, &g.New, &g.NewWarnings)
		if !badRatio {
			if m := geoMean(ratios); math.IsNaN(m) {
				g.NewWarnings = append(g.NewWarnings, fmt.Errorf("ratios must be >0 to compute geomean"))
			} else {
				g.Ratio = m
			}
		}
	}
	return g
}

// geoMean is go-moremath's stats.GeoMean (a running mean of logs), so the
// geomean row matches benchstat to the last digit.
func geoMean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	m := 0.0
	for i, x := range xs {
		if x <= 0 {
			return math.NaN()
		}
		m += (math.Log(x) - m) / float64(i+1)
	}
	return math.Exp(m)
}

func unitOf(k benchproc.Key) string {
	fields := k.Projection().Fields()
	return k.Get(fields[len(fields)-1])
}

func sortedKeys[V any](m map[benchproc.Key]V) []benchproc.Key {
	keys := make([]benchproc.Key, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	benchproc.SortKeys(keys)
	return keys
}

// stripConfig returns res without the ignored file configuration keys,
// and the values it had for them ("" when absent).
func stripConfig(res *benchfmt.Result, ignored []IgnoredKey) (*benchfmt.Result, []string) {
	if len(ignored) == 0 {
		return res, nil
	}
	vals := make([]string, len(ignored))
	// A Result built from its exported fields indexes its
	// configuration afresh on first lookup.
	out := &benchfmt.Result{Name: res.Name, Iters: res.Iters, Values: res.Values}
	for _, c := range res.Config {
		j := slices.IndexFunc(ignored, func(k IgnoredKey) bool { return k.Key == c.Key })
		if j >= 0 && c.File {
			vals[j] = string(c.Value)
			continue
		}
		out.Config = append(out.Config, c)
	}
	return out, vals
}

// differingConfig finds the file configuration keys whose value sets on
// the two sides are disjoint. Disjointness, rather than mere difference,
// keeps keys such as "pkg" that legitimately vary within a side (a run
// over several packages) and overlap across sides.
func differingConfig(old, new *Results) []IgnoredKey {
	var order []string
	seen := make(map[string]bool)
	for _, rs := range []*Results{old, new} {
		for _, r := range rs.results {
			for _, c := range r.Config {
				if c.File && !seen[c.Key] {
					seen[c.Key] = true
					order = append(order, c.Key)
				}
			}
		}
	}
	var out []IgnoredKey
	for _, key := range order {
		ov, nv := configValues(old, key), configValues(new, key)
		disjoint := true
		for _, v := range ov {
			if slices.Contains(nv, v) {
				disjoint = false
				break
			}
		}
		if disjoint {
			out = append(out, IgnoredKey{Key: key, Old: ov, New: nv})
		}
	}
	return out
}

// configValues returns the distinct values of a file configuration key in
// first-seen order, with "" for results that lack it.
func configValues(rs *Results, key string) []string {
	var vals []string
	for _, r := range rs.results {
		v := ""
		if i, ok := r.ConfigIndex(key); ok && r.Config[i].File {
			v = string(r.Config[i].Value)
		}
		if !slices.Contains(vals, v) {
			vals = append(vals, v)
		}
	}
	return vals
}

func notes(rep *Report) []string {
	var out []string
	for _, k := range rep.Ignored {
		out = append(out, fmt.Sprintf("compared across %s, which differs: %s in %s, %s in %s",
			k.Key, listValues(k.Old), rep.Old, listValues(k.New), rep.New))
	}
	var onlyOld, onlyNew []string
	var noDir []string
	for _, t := range rep.Tables {
		dir := false
		for _, r := range t.Rows {
			switch {
			case r.Compared():
				dir = true
			case r.New == nil:
				onlyOld = appendNew(onlyOld, r.Name)
			default:
				onlyNew = appendNew(onlyNew, r.Name)
			}
		}
		if dir && t.Better == 0 {
			noDir = appendNew(noDir, t.Unit)
		}
	}
	if len(onlyOld) > 0 {
		out = append(out, fmt.Sprintf("only in %s: %s", rep.Old, listNames(onlyOld)))
	}
	if len(onlyNew) > 0 {
		out = append(out, fmt.Sprintf("only in %s: %s", rep.New, listNames(onlyNew)))
	}
	switch len(noDir) {
	case 0:
	case 1:
		out = append(out, fmt.Sprintf("unit %s has no better=higher|lower metadata, so it is not checked for regressions", noDir[0]))
	default:
		out = append(out, fmt.Sprintf("units %s have no better=higher|lower metadata, so they are not checked for regressions", listNames(noDir)))
	}
	return out
}

func listValues(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		if v == "" {
			q[i] = "(unset)"
		} else {
			q[i] = v
		}
	}
	return listNames(q)
}

func listNames(names []string) string {
	const max = 5
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:max], ", "), len(names)-max)
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
