package benchcmp

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"golang.org/x/perf/benchproc"
	"golang.org/x/perf/benchunit"
)

// WriteText writes the tables as benchstat's default text output, byte
// for byte: before each table the table-key fields that changed since the
// previous one ("goos: linux"), then the column header (one line per
// field of the -col projection, then the unit and "vs base"), one line
// per row with "center ± CI%" per column and, for every column but the
// first, the delta ("~" when not significant) and "(p=… n=…)", a geomean
// line when the table has several rows, and the table's numbered
// footnotes. Tables are separated by a blank line.
func (ts *Tables) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	ts.eachTable(func(line string) { bw.WriteString(line + "\n") }, func(t *Table) { t.writeText(bw) })
	return bw.Flush()
}

// eachTable calls hdr for the lines printed before each table (a blank
// line between tables, then the changed key fields) and body for the
// table itself.
func (ts *Tables) eachTable(hdr func(string), body func(*Table)) {
	for i, t := range ts.Tables {
		if i > 0 {
			hdr("")
		}
		for _, f := range t.Key.Projection().FlattenedFields() {
			if f.Name == ".unit" {
				continue // the unit heads the table's columns
			}
			v := t.Key.Get(f)
			if i == 0 || v != ts.Keys[i-1].Get(f) {
				hdr(f.Name + ": " + v)
			}
		}
		body(t)
	}
}

// Column groups of the text layout: the row label; per column the
// center, "± CI" and footnote marks; and for each compared column the
// delta, "(p= n=)" and footnote marks.
const (
	labelCols  = 1
	centerCols = 3
	deltaCols  = 3
)

// textCol returns the first layout column of table column exp.
func textCol(exp int) int {
	if exp == 0 {
		return labelCols
	}
	return labelCols + centerCols + (exp-1)*(centerCols+deltaCols)
}

func (t *Table) writeText(w io.Writer) {
	var o textTable
	var notes []string
	noteIndex := make(map[string]int)
	marks := func(lists ...[]error) {
		var ms []string
		for _, l := range lists {
			for _, e := range l {
				s := e.Error()
				i, ok := noteIndex[s]
				if !ok {
					i = len(notes)
					noteIndex[s] = i
					notes = append(notes, s)
				}
				ms = append(ms, superscript(i+1))
			}
		}
		o.cell(strings.Join(ms, " "))
	}

	// Header: a level per field of the column projection, each value
	// spanning the columns that share it, then the unit.
	rEdge := textCol(len(t.Cols) + 1)
	for nodes := benchproc.NewKeyHeader(t.Cols).Top; len(nodes) > 0; {
		var next []*benchproc.KeyHeaderNode
		o.row()
		for _, n := range nodes {
			l, r := textCol(n.Start), textCol(n.Start+n.Len)
			o.col(l).span(r-l, n.Value, alignCenter, " │ ")
			next = append(next, n.Children...)
		}
		o.col(rEdge).cell("", " │")
		nodes = next
	}
	o.row()
	for i := range t.Cols {
		l := textCol(i)
		o.col(l)
		o.span(centerCols, t.Unit, alignCenter, " │ ")
		if i > 0 {
			o.span(deltaCols, "vs base", alignLeft, "  ")
		}
		// Only the outer columns of a group stretch under a wide
		// heading; the inner ones keep their natural width.
		for j := l + 1; j < o.curCol; j++ {
			o.setShrink(j)
		}
	}
	o.col(rEdge).cell("", " │")

	class := benchunit.ClassOf(t.Unit)
	for _, row := range t.Rows {
		o.row()
		o.cell(row.StringValues())
		scaler := t.rowScaler(row, class)
		for exp, col := range t.Cols {
			c := t.Cell(row, col)
			if c == nil {
				continue
			}
			o.col(textCol(exp))
			o.cell(scaler.Format(c.Summary.Center), alignRight)
			// The ± sits in the margin so that the signs line up
			// and the geomean lines up with the centers.
			o.cell(c.Summary.PctRangeString(), alignRight, " ± ")
			marks(c.Sample.Warnings, c.Summary.Warnings)
			if exp > 0 && c.Baseline != nil {
				o.cell(c.Comparison.FormatDelta(c.Baseline.Summary.Center, c.Summary.Center), alignRight)
				o.cell("(" + c.Comparison.String() + ")")
				marks(c.Comparison.Warnings)
			}
		}
	}

	if len(t.Rows) > 1 {
		o.row()
		o.cell("geomean")
		for exp, col := range t.Cols {
			s := t.Summary[col]
			if s.HasSummary {
				o.col(textCol(exp))
				o.cell(benchunit.Scale(s.Summary, class), alignRight)
			}
			if exp > 0 {
				o.col(textCol(exp) + centerCols)
				if s.HasRatio {
					o.cell(fmt.Sprintf("%+.2f%%", (s.Ratio-1)*100), alignRight)
				} else {
					o.cell("?")
				}
			}
			o.col(textCol(exp+1) - 1)
			marks(s.Warnings)
		}
	}

	o.format(w)
	for i, n := range notes {
		fmt.Fprintf(w, "%s %s\n", superscript(i+1), n)
	}
}

// rowScaler picks one scale for the centers of a row, so that its cells
// read in the same prefix (ns, µs, Mi, ...).
func (t *Table) rowScaler(row benchproc.Key, class benchunit.Class) benchunit.Scaler {
	var centers []float64
	for _, col := range t.Cols {
		if c := t.Cell(row, col); c != nil {
			centers = append(centers, c.Summary.Center)
		}
	}
	return benchunit.CommonScale(centers, class)
}

// superscript renders a footnote number.
func superscript(i int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	d := []rune(digits)
	if i == 0 {
		return string(d[0])
	}
	var out []rune
	for ; i > 0; i /= 10 {
		out = append([]rune{d[i%10]}, out...)
	}
	return string(out)
}
