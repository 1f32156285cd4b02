package gate

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/big"
	"strings"
	"text/tabwriter"

	"golang.org/x/perf/benchunit"
)

// maxListed bounds the rows listed per verdict on stderr; -format json
// lists them all.
const maxListed = 25

// WriteVerdict writes the verdict block for stderr: a summary line, one
// aligned line per gated row that decides the outcome (regressions,
// insufficient, missing), hints, and the final verdict with its exit
// status. Every line starts with prog ("hprov compare: ...") or with
// spaces, so none can be mistaken for a "key: value" configuration line
// of the benchmark format if stderr is mixed into results.
func (rep *Report) WriteVerdict(w io.Writer, prog string) error {
	bw := bufio.NewWriter(w)
	code, why := rep.outcome()
	if rep.Columns >= 2 {
		fmt.Fprintf(bw, "%s: %s\n", prog, rep.summary())
	}
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	rep.list(tw, Regression, func(r *Row) string { return rep.change(r) })
	rep.list(tw, Insufficient, func(r *Row) string {
		if r.Why == "too few samples" {
			return fmt.Sprintf("n=%d+%d\tfewer than %d samples on a side (-min-samples)", r.Old.N(), r.New.N(), rep.cfg.MinSamples)
		}
		return rep.change(r) + fmt.Sprintf("\tunit %s has no better=higher|lower direction: declare it (Unit %s better=...)", r.Unit, r.Unit)
	})
	rep.listMissing(tw)
	tw.Flush()
	for _, h := range rep.Hints {
		fmt.Fprintf(bw, "%s: hint: %s\n", prog, h)
	}
	fmt.Fprintf(bw, "%s: verdict: %s (exit %d)\n", prog, why, code)
	return bw.Flush()
}

// summary counts the gated rows by verdict and states the test settings.
func (rep *Report) summary() string {
	n := rep.count()
	gated, all := 0, len(rep.Rows)
	for _, r := range rep.Rows {
		if r.Gated {
			gated++
		}
	}
	var parts []string
	for _, v := range []Verdict{Regression, Improvement, Unchanged, Insufficient, Missing} {
		if n[v] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[v], v))
		}
	}
	s := fmt.Sprintf("%d gated row(s)", gated)
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	if all > gated {
		s += fmt.Sprintf(", %d not gated (-gate)", all-gated)
	}
	if rep.cfg.Correct == CorrectHolm {
		s += fmt.Sprintf("; %d tested at family-wise alpha %v (Holm–Bonferroni)", rep.Tested, rep.cfg.Alpha)
	} else {
		s += fmt.Sprintf("; %d tested, each at alpha %v (no correction)", rep.Tested, rep.cfg.Alpha)
	}
	return s + fmt.Sprintf("; threshold: more than %s", rep.cfg.Threshold)
}

// list writes one line per gated row with verdict v.
func (rep *Report) list(w io.Writer, v Verdict, detail func(*Row) string) {
	k := 0
	for _, r := range rep.Rows {
		if !r.Gated || r.Verdict != v {
			continue
		}
		if k++; k > maxListed {
			continue
		}
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s%s\n", v, r.Benchmark, r.Unit, detail(r), rep.pair(r))
	}
	if k > maxListed {
		fmt.Fprintf(w, "  %s\t... and %d more (-format json lists every row)\n", v, k-maxListed)
	}
}

// listMissing writes one line per missing benchmark and column, with
// its units together.
func (rep *Report) listMissing(w io.Writer) {
	type key struct{ bench, old, new string }
	var order []key
	units := make(map[key][]string)
	for _, r := range rep.Rows {
		if !r.Gated || r.Verdict != Missing {
			continue
		}
		k := key{r.Benchmark, r.OldLabel, r.NewLabel}
		if _, ok := units[k]; !ok {
			order = append(order, k)
		}
		units[k] = append(units[k], r.Unit)
	}
	for i, k := range order {
		if i == maxListed {
			fmt.Fprintf(w, "  missing\t... and %d more (-format json lists every row)\n", len(order)-maxListed)
			break
		}
		fmt.Fprintf(w, "  missing\t%s\t%s\tin %s, not in %s\n", k.bench, strings.Join(units[k], ","), k.old, k.new)
	}
}

// pair names the two columns compared ("\tsyncmap vs hprov") when the
// report compares more than one pair, so that a line says which.
func (rep *Report) pair(r *Row) string {
	for _, o := range rep.Rows {
		if o.OldLabel != r.OldLabel || o.NewLabel != r.NewLabel {
			return "\t" + r.NewLabel + " vs " + r.OldLabel
		}
	}
	return ""
}

// change describes a compared row's change: "+86.12%  35.30n → 65.70n
// p=0.000 n=10+10".
func (rep *Report) change(r *Row) string {
	class := benchunit.ClassOf(r.Unit)
	o, n := r.Old.Summary.Center, r.New.Summary.Center
	sc := benchunit.CommonScale([]float64{o, n}, class)
	return fmt.Sprintf("%s\t%s → %s\tp=%s n=%d+%d", formatDelta(r.Delta, r.NewCenter), sc.Format(o), sc.Format(n),
		formatP(r), r.Old.N(), r.New.N())
}

// formatDelta prints an exact delta as a signed percentage; a change
// from 0 has no percentage and says so.
func formatDelta(d, newCenter *big.Rat) string {
	if d == nil {
		if newCenter.Sign() > 0 {
			return "up from 0"
		}
		return "down from 0"
	}
	f, _ := d.Float64()
	if p := 100 * f; p != 0 && math.Abs(p) < 0.005 {
		// benchstat would print +0.00%; say how small instead.
		return fmt.Sprintf("%+.2g%%", p)
	}
	return fmt.Sprintf("%+.2f%%", 100*f)
}

func formatP(r *Row) string {
	if r.P == 0 {
		return "exact"
	}
	if r.PAdjusted != r.P {
		return fmt.Sprintf("%.3f (Holm %.3f)", r.P, r.PAdjusted)
	}
	return fmt.Sprintf("%.3f", r.P)
}
