package gate

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/hprov/hprov/cmd/hprov/internal/benchcmp"
	"golang.org/x/perf/benchunit"
)

// WriteMarkdown writes a GitHub-flavoured Markdown table of the compared
// rows with their verdicts, under a one-line summary: what a pull-request
// comment needs. The Old and New columns are headed by the input labels
// when every row compares the same two; a Config column appears when the
// rows come from tables with different keys, and shows the keys that
// differ.
func (rep *Report) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	code, why := rep.outcome()
	fmt.Fprintf(bw, "**%s** (exit %d): %s\n\n", mdEscape(why), code, mdEscape(rep.summary()))
	if len(rep.Rows) == 0 {
		return bw.Flush()
	}
	oldH, newH := rep.Rows[0].OldLabel, rep.Rows[0].NewLabel
	sameLabels := true
	varying := make(map[string]bool) // config keys whose values differ between rows
	cfg0 := rep.Rows[0].Table.Config()
	for _, r := range rep.Rows {
		sameLabels = sameLabels && r.OldLabel == oldH && r.NewLabel == newH
		for i, c := range r.Table.Config() {
			if i >= len(cfg0) || c != cfg0[i] {
				varying[c.Key] = true
			}
		}
	}
	sameConfig := len(varying) == 0
	if !sameLabels {
		oldH, newH = "Old", "New"
	}
	head := []string{"Benchmark", "Unit", oldH, newH, "Δ", "p (n)", "Verdict"}
	align := []string{":--", ":--", "--:", "--:", "--:", ":--", ":--"}
	if !sameConfig {
		head = append([]string{"Config"}, head...)
		align = append([]string{":--"}, align...)
	}
	mdRow(bw, head)
	mdRow(bw, align)
	for _, r := range rep.Rows {
		class := benchunit.ClassOf(r.Unit)
		centers := []float64{r.Old.Summary.Center}
		if r.New != nil {
			centers = append(centers, r.New.Summary.Center)
		}
		sc := benchunit.CommonScale(centers, class)
		cell := func(label string, c *benchcmp.Cell) string {
			if c == nil {
				return "—"
			}
			s := sc.Format(c.Summary.Center) + " ± " + c.Summary.PctRangeString()
			if !sameLabels {
				s = label + ": " + s
			}
			return s
		}
		d, p := "", ""
		if r.New != nil {
			d = formatDelta(r.Delta, r.NewCenter)
			p = fmt.Sprintf("%s (%d+%d)", formatP(r), r.Old.N(), r.New.N())
		}
		v := string(r.Verdict)
		switch {
		case !r.Gated:
			v += " (not gated)"
		case r.Verdict == Regression:
			v = "**" + v + "**"
		case r.Verdict == Insufficient || r.Verdict == Missing:
			v = "*" + v + "*"
		}
		cells := []string{"`" + r.Benchmark + "`", r.Unit, cell(r.OldLabel, r.Old), cell(r.NewLabel, r.New), d, p, v}
		if !sameConfig {
			cells = append([]string{configString(r.Table, varying)}, cells...)
		}
		mdRow(bw, cells)
	}
	return bw.Flush()
}

// configString shows a table's values of the keys that vary.
func configString(t *benchcmp.Table, keys map[string]bool) string {
	var parts []string
	for _, c := range t.Config() {
		if keys[c.Key] {
			parts = append(parts, c.Key+": "+c.Value)
		}
	}
	return strings.Join(parts, ", ")
}

func mdRow(w io.Writer, cells []string) {
	for i, c := range cells {
		cells[i] = mdEscape(c)
	}
	fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
}

// mdEscape keeps a cell inside its column: a pipe would end it, a
// newline the row.
func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}
