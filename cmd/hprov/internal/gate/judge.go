package gate

import (
	"math/big"
	"slices"

	"github.com/hprov/hprov/cmd/hprov/internal/benchcmp"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchproc"
)

// A Verdict is the gate's judgement of one compared row.
type Verdict string

const (
	// Regression: significantly worse, in the unit's better-direction,
	// by more than the threshold.
	Regression Verdict = "regression"
	// Improvement: significantly better by more than the threshold.
	Improvement Verdict = "improvement"
	// Unchanged: not significant, or within the threshold.
	Unchanged Verdict = "unchanged"
	// Insufficient: the data cannot decide: fewer than MinSamples on a
	// side, or a significant change beyond the threshold in a unit
	// whose better-direction is unknown.
	Insufficient Verdict = "insufficient"
	// Missing: the baseline has the row, a later column does not.
	Missing Verdict = "missing"
)

// A Row is one comparison benchstat shows (a cell against its baseline),
// or one it cannot show because the new side lacks the row.
type Row struct {
	Table *benchcmp.Table
	// Benchmark is the row key's values (the full name by default).
	Benchmark string
	Unit      string
	// OldLabel and NewLabel are the two column keys' values (the file
	// names or labels by default).
	OldLabel, NewLabel string
	// Old is the baseline cell; New is nil for a missing row.
	Old, New *benchcmp.Cell
	// OldCenter and NewCenter are the exact centers (nil NewCenter for
	// a missing row).
	OldCenter, NewCenter *big.Rat
	// Delta is (new - old) / |old| of the exact centers: benchstat's
	// new/old - 1 for positive values. It is nil when old is 0 and new
	// is not (benchstat prints "?"): the change is unbounded, and counts
	// as beyond any threshold in the direction of new's sign.
	Delta *big.Rat
	// P is benchmath's p-value (0: an exact comparison); PAdjusted is
	// the Holm-adjusted p-value under CorrectHolm, else P.
	P, PAdjusted float64
	// Tested reports whether the row's p-value decides its verdict
	// (compared, with enough samples); the tested rows that are also
	// gated are the family Holm corrects over.
	Tested bool
	// Gated reports whether the row counts towards the exit status.
	Gated   bool
	Verdict Verdict
	// Why explains an insufficient verdict.
	Why string
}

// Report is the gate's judgement of a set of tables.
type Report struct {
	Rows []*Row
	// Tested is the number of rows whose p-values were tested (the
	// Holm family size).
	Tested int
	// Columns is the number of distinct columns; with fewer than two
	// there is nothing to compare.
	Columns int
	// Hints explain missing rows that come from whole tables without a
	// column (results split into separate tables by a key).
	Hints []string
	// BadInput counts malformed input lines; any makes the exit status
	// ExitBadInput.
	BadInput int

	cfg Config
}

// Judge applies the gate to tables built with benchcmp.Build (with
// Options.Mark set to cfg.Gate). cfg must be valid.
func Judge(ts *benchcmp.Tables, cfg Config) *Report {
	rep := &Report{Columns: len(ts.Cols), cfg: cfg}
	for _, t := range ts.Tables {
		base := t.Cols[0]
		later := ts.Cols[slices.Index(ts.Cols, base)+1:]
		for _, rk := range t.Rows {
			old := t.Cell(rk, base)
			for _, ck := range later {
				c := t.Cell(rk, ck)
				switch {
				case c != nil && c.Baseline != nil:
					rep.Rows = append(rep.Rows, compared(t, rk, base, ck, c, cfg))
				case c == nil && old != nil:
					rep.Rows = append(rep.Rows, &Row{Table: t, Benchmark: rk.StringValues(), Unit: t.Unit,
						OldLabel: base.StringValues(), NewLabel: ck.StringValues(), Old: old, OldCenter: old.ExactCenter(),
						P: 1, PAdjusted: 1, Gated: old.Marked, Verdict: Missing})
				}
			}
		}
	}
	rep.Hints = splitHints(ts)
	rep.decide()
	return rep
}

func compared(t *benchcmp.Table, rk, base, ck benchproc.Key, c *benchcmp.Cell, cfg Config) *Row {
	r := &Row{Table: t, Benchmark: rk.StringValues(), Unit: t.Unit,
		OldLabel: base.StringValues(), NewLabel: ck.StringValues(),
		Old: c.Baseline, New: c, OldCenter: c.Baseline.ExactCenter(), NewCenter: c.ExactCenter(),
		P: c.Comparison.P, PAdjusted: c.Comparison.P, Gated: c.Marked || c.Baseline.Marked}
	r.Delta = delta(r.OldCenter, r.NewCenter)
	exact := t.Assumption == benchmath.AssumeExact
	if !exact && (r.Old.N() < cfg.MinSamples || r.New.N() < cfg.MinSamples) {
		r.Verdict, r.Why = Insufficient, "too few samples"
		return r
	}
	r.Tested = true
	return r
}

// delta returns (n - o) / |o|, 0 when equal, nil when o is 0 and n not.
func delta(o, n *big.Rat) *big.Rat {
	d := new(big.Rat).Sub(n, o)
	if d.Sign() == 0 {
		return d
	}
	if o.Sign() == 0 {
		return nil
	}
	return d.Quo(d, new(big.Rat).Abs(o))
}

// decide corrects the tested rows' p-values, gives every row its
// verdict.
func (rep *Report) decide() {
	var family []*Row
	for _, r := range rep.Rows {
		if r.Tested && r.Gated {
			family = append(family, r)
		}
	}
	rep.Tested = len(family)
	if rep.cfg.Correct == CorrectHolm {
		holm(family)
	}
	th := rep.cfg.Threshold.Rat()
	for _, r := range rep.Rows {
		if !r.Tested {
			continue
		}
		if !rep.Significant(r) || !beyond(r.Delta, th) {
			r.Verdict = Unchanged
			continue
		}
		worse := sign(r.Delta, r.NewCenter) * -r.Table.Better
		switch {
		case r.Table.Better == 0:
			r.Verdict, r.Why = Insufficient, "unit has no better=higher|lower direction"
		case worse > 0:
			r.Verdict = Regression
		default:
			r.Verdict = Improvement
		}
	}
}

// Significant reports whether the test found the row's change
// significant: tested, with a (corrected) p-value no greater than alpha.
// A significant row beyond the threshold is a regression or an
// improvement.
func (rep *Report) Significant(r *Row) bool {
	return r.Tested && !(r.PAdjusted > rep.cfg.Alpha)
}

// beyond reports whether |delta| > th; an unbounded delta (nil) is
// beyond any threshold.
func beyond(d, th *big.Rat) bool {
	if d == nil {
		return true
	}
	return new(big.Rat).Abs(d).Cmp(th) > 0
}

// sign returns the direction of the change: the delta's sign, or for an
// unbounded delta (from 0) the sign of the new value.
func sign(d, newCenter *big.Rat) int {
	if d == nil {
		return newCenter.Sign()
	}
	return d.Sign()
}

// holm replaces each row's PAdjusted with its Holm–Bonferroni adjusted
// p-value: sorted ascending, p(i) times (m - i), made monotone, capped at
// 1. Rejecting where the adjusted p is at most alpha is exactly Holm's
// step-down procedure, and keeps the family-wise error rate at alpha.
func holm(rows []*Row) {
	sorted := slices.Clone(rows)
	slices.SortStableFunc(sorted, func(a, b *Row) int {
		switch {
		case a.P < b.P:
			return -1
		case a.P > b.P:
			return 1
		}
		return 0
	})
	m, run := len(sorted), 0.0
	for i, r := range sorted {
		adj := min(1, float64(m-i)*r.P)
		run = max(run, adj)
		r.PAdjusted = run
	}
}
