package benchcmp

import (
	"encoding/csv"
	"fmt"
	"io"
)

// WriteCSV writes the tables as benchstat -format csv does, byte for
// byte: the changed table-key fields as one-field records, then per table
// a record per column-key field, a heading record (unit, CI, vs base, P),
// a record per row with raw (unscaled) centers, and the geomean record.
// Warnings go to warnings, one line each, prefixed with the spreadsheet
// cell they belong to ("B6: benchmarks vary in .fullname"), so that the
// CSV itself stays regular.
func (ts *Tables) WriteCSV(w, warnings io.Writer) error {
	o := csv.NewWriter(w)
	line := 1 // spreadsheet row of the next record
	ts.eachTable(func(hdr string) {
		o.Write([]string{hdr})
		line++
	}, func(t *Table) {
		line += t.writeCSV(o, line, warnings)
	})
	o.Flush()
	return o.Error()
}

// csvCol returns the first CSV column of table column exp: the label,
// then center and CI per column, plus delta and P for compared ones.
func csvCol(exp int) int {
	if exp == 0 {
		return 1
	}
	return 1 + 2 + (exp-1)*4
}

// writeCSV writes one table starting at spreadsheet row first and
// returns the number of records written.
func (t *Table) writeCSV(o *csv.Writer, first int, warnings io.Writer) int {
	n := 0
	var rec []string
	padTo := func(col int) {
		for len(rec) < col {
			rec = append(rec, "")
		}
	}
	emit := func() {
		o.Write(rec)
		rec = rec[:0]
		n++
	}
	warn := func(errs []error) {
		for _, e := range errs {
			fmt.Fprintf(warnings, "%s%d: %s\n", cellName(len(rec)), first+n, e)
		}
	}

	for _, f := range t.Cols[0].Projection().FlattenedFields() {
		for exp, col := range t.Cols {
			padTo(csvCol(exp))
			rec = append(rec, col.Get(f))
		}
		padTo(csvCol(len(t.Cols)))
		emit()
	}
	for exp := range t.Cols {
		padTo(csvCol(exp))
		rec = append(rec, t.Unit, "CI")
		if exp > 0 {
			rec = append(rec, "vs base", "P")
		}
	}
	emit()

	for _, row := range t.Rows {
		rec = append(rec, row.StringValues())
		for exp, col := range t.Cols {
			c := t.Cell(row, col)
			if c == nil {
				continue
			}
			padTo(csvCol(exp))
			warn(c.Sample.Warnings)
			warn(c.Summary.Warnings)
			rec = append(rec, fmt.Sprint(c.Summary.Center), c.Summary.PctRangeString())
			if exp > 0 && c.Baseline != nil {
				warn(c.Comparison.Warnings)
				rec = append(rec, c.Comparison.FormatDelta(c.Baseline.Summary.Center, c.Summary.Center), c.Comparison.String())
			}
		}
		emit()
	}

	rec = append(rec, "geomean")
	for exp, col := range t.Cols {
		s := t.Summary[col]
		padTo(csvCol(exp))
		warn(s.Warnings)
		if s.HasSummary {
			rec = append(rec, fmt.Sprint(s.Summary))
		}
		if exp > 0 {
			padTo(csvCol(exp) + 2)
			if s.HasRatio {
				rec = append(rec, fmt.Sprintf("%+.2f%%", (s.Ratio-1)*100))
			} else {
				rec = append(rec, "?")
			}
		}
	}
	padTo(csvCol(len(t.Cols)))
	emit()
	return n
}

// cellName names a 0-based column the way benchstat's CSV warnings do:
// digits in base 26 with A for 0 (so column 1 is B and column 26 is BA).
func cellName(col int) string {
	if col == 0 {
		return "A"
	}
	var b []byte
	for ; col > 0; col /= 26 {
		b = append([]byte{byte('A' + col%26)}, b...)
	}
	return string(b)
}
