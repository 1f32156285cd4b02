package benchcmp

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"

	"golang.org/x/perf/benchunit"
)

// WriteText writes the report as benchstat's text output: configuration
// header lines, then per table the column headings, one line per benchmark
// with "center ± CI%" for each side and, on the new side, the delta and
// "(p=… n=…)" ("~" when not significant), a geomean line when the table
// has several rows, and numbered footnotes for warnings. Notes follow the
// tables, one "note:" line each.
func (rep *Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	var prev []ConfigValue
	for i, t := range rep.Tables {
		if i > 0 {
			bw.WriteString("\n")
		}
		// As benchstat does, print only the configuration lines
		// that changed since the previous table.
		for j, c := range t.Config {
			if i == 0 || j >= len(prev) || prev[j] != c {
				fmt.Fprintf(bw, "%s: %s\n", c.Key, c.Value)
			}
		}
		prev = t.Config
		rep.writeTable(bw, t)
	}
	for _, n := range rep.notes {
		fmt.Fprintf(bw, "note: %s\n", n)
	}
	return bw.Flush()
}

// writeTable follows the layout of benchstat's internal benchtab
// Table.ToText for two columns, old (the baseline) and new.
func (rep *Report) writeTable(w io.Writer, t *Table) {
	var o textTable
	// Each side occupies centerCols columns (center, "± CI", footnotes),
	// plus deltaCols (delta, "(p= n=)", footnotes) when compared to a
	// baseline.
	const labelCols, centerCols, deltaCols = 1, 3, 3
	startCol := func(exp int) int {
		if exp == 0 {
			return labelCols
		}
		return labelCols + centerCols + (exp-1)*(centerCols+deltaCols)
	}

	// The columns are the sides that have any result in this table; the
	// first is the baseline.
	type column struct {
		name string
		cell func(*Row) *Cell
		gm   float64
		warn []error
	}
	var cols []column
	if hasSide(t, func(r *Row) *Cell { return r.Old }) {
		cols = append(cols, column{rep.Old, func(r *Row) *Cell { return r.Old }, t.Geomean.Old, t.Geomean.OldWarnings})
	}
	if hasSide(t, func(r *Row) *Cell { return r.New }) {
		cols = append(cols, column{rep.New, func(r *Row) *Cell { return r.New }, t.Geomean.New, t.Geomean.NewWarnings})
	}

	var warnList []string
	warnIndex := make(map[string]int)
	warn := func(lists ...[]error) {
		var marks []string
		for _, l := range lists {
			for _, e := range l {
				s := e.Error()
				i, ok := warnIndex[s]
				if !ok {
					i = len(warnList)
					warnIndex[s] = i
					warnList = append(warnList, s)
				}
				marks = append(marks, superscript(i+1))
			}
		}
		o.cell(strings.Join(marks, " "))
	}

	rEdge := startCol(len(cols) + 1)
	o.row()
	for i, c := range cols {
		l, r := startCol(i), startCol(i+1)
		o.col(l).span(r-l, c.name, alignCenter, " │ ")
	}
	o.col(rEdge).cell("", alignLeft, " │")

	o.row()
	for i := range cols {
		l := startCol(i)
		o.col(l)
		o.span(centerCols, t.Unit, alignCenter, " │ ")
		if i > 0 {
			o.span(deltaCols, "vs base", alignLeft, "  ")
		}
		for j := l + 1; j < o.curCol; j++ {
			o.setShrink(j)
		}
	}
	o.col(rEdge).cell("", alignLeft, " │")

	class := benchunit.ClassOf(t.Unit)
	for _, row := range t.Rows {
		o.row()
		o.cell(row.Name)
		var centers []float64
		for _, c := range cols {
			if cell := c.cell(row); cell != nil {
				centers = append(centers, cell.Summary.Center)
			}
		}
		scaler := benchunit.CommonScale(centers, class)
		for exp, c := range cols {
			cell := c.cell(row)
			if cell == nil {
				continue
			}
			o.col(startCol(exp))
			o.cell(scaler.Format(cell.Summary.Center), alignRight)
			o.cell(cell.Summary.PctRangeString(), alignRight, " ± ")
			warn(cell.Sample.Warnings, cell.Summary.Warnings)
			if exp > 0 && cols[0].cell(row) != nil {
				base := cols[0].cell(row)
				o.cell(row.Comparison.FormatDelta(base.Summary.Center, cell.Summary.Center), alignRight)
				o.cell("(" + row.Comparison.String() + ")")
				warn(row.Comparison.Warnings)
			}
		}
	}

	if len(t.Rows) > 1 {
		o.row()
		o.cell("geomean")
		for exp, c := range cols {
			if !math.IsNaN(c.gm) {
				o.col(startCol(exp))
				o.cell(benchunit.Scale(c.gm, class), alignRight)
			}
			if exp > 0 {
				o.col(startCol(exp) + centerCols)
				if !math.IsNaN(t.Geomean.Ratio) {
					o.cell(fmt.Sprintf("%+.2f%%", (t.Geomean.Ratio-1)*100), alignRight)
				} else {
					o.cell("?")
				}
			}
			o.col(startCol(exp+1) - 1)
			warn(c.warn)
		}
	}

	o.format(w)
	for i, msg := range warnList {
		fmt.Fprintf(w, "%s %s\n", superscript(i+1), msg)
	}
}

func hasSide(t *Table, side func(*Row) *Cell) bool {
	for _, r := range t.Rows {
		if side(r) != nil {
			return true
		}
	}
	return false
}

func superscript(i int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	d := []rune(digits)
	if i == 0 {
		return string(d[0])
	}
	var buf []rune
	for ; i > 0; i /= 10 {
		buf = append([]rune{d[i%10]}, buf...)
	}
	return string(buf)
}
