package gate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hprov/hprov/cmd/hprov/internal/benchcmp"
)

// ExitCode returns the exit status the report calls for. Bad input wins,
// then a regression (it is proven whatever else is unclear), then
// anything inconclusive; a single column (a summary, no comparison)
// passes.
func (rep *Report) ExitCode() int {
	code, _ := rep.outcome()
	return code
}

// outcome returns the exit status and, in a few words, why.
func (rep *Report) outcome() (int, string) {
	if rep.BadInput > 0 {
		return ExitBadInput, fmt.Sprintf("bad input: %d malformed line(s) or empty input(s) skipped", rep.BadInput)
	}
	n := rep.count()
	switch {
	case n[Regression] > 0:
		return ExitRegression, "regression"
	case n[Insufficient] > 0:
		return ExitInconclusive, "inconclusive: too little data"
	case n[Missing] > 0 && !rep.cfg.AllowMissing:
		return ExitInconclusive, "inconclusive: benchmarks missing"
	case rep.Columns == 0:
		return ExitInconclusive, "inconclusive: no results (after -filter)"
	case rep.Columns == 1:
		return ExitOK, "nothing to compare: one column"
	case rep.Tested == 0:
		return ExitInconclusive, "inconclusive: no gated row compared"
	}
	return ExitOK, "no regression"
}

// count tallies the gated rows by verdict.
func (rep *Report) count() map[Verdict]int {
	n := make(map[Verdict]int)
	for _, r := range rep.Rows {
		if r.Gated {
			n[r.Verdict]++
		}
	}
	return n
}

// splitHints explains columns missing from whole tables: benchstat puts
// results whose table keys differ (two "note:" values, say) in separate
// tables and compares nothing across them, which the user may not have
// meant. Each hint names the differing keys and the -ignore that would
// join them.
func splitHints(ts *benchcmp.Tables) []string {
	var hints []string
	seen := make(map[string]bool)
	for _, t := range ts.Tables {
		for _, col := range ts.Cols {
			if slices.Contains(t.Cols, col) {
				continue
			}
			for _, u := range ts.Tables {
				if u == t || u.Unit != t.Unit || !slices.Contains(u.Cols, col) {
					continue
				}
				var keys []string
				tc, uc := t.Config(), u.Config()
				for i := range tc {
					if i < len(uc) && tc[i] != uc[i] {
						keys = append(keys, tc[i].Key)
					}
				}
				k := strings.Join(keys, ",")
				if len(keys) == 0 || seen[k] {
					continue
				}
				seen[k] = true
				hints = append(hints, fmt.Sprintf("the inputs differ in %s, so their results are in separate tables and nothing is compared across them (as benchstat does); -ignore %s compares across it",
					strings.Join(keys, ", "), k))
			}
		}
	}
	return hints
}
