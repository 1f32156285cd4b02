package gate

import (
	"bufio"
	"encoding/json"
	"io"
	"math"
	"slices"

	"github.com/hprov/hprov/cmd/hprov/internal/benchcmp"
)

// jsonRow is the -format json object of one row. Numbers are in the
// table's unit as benchstat tidies it (sec/op for ns/op, B/s for MB/s).
type jsonRow struct {
	Benchmark string            `json:"benchmark"`
	Unit      string            `json:"unit"`
	Config    map[string]string `json:"config,omitempty"`
	Old       *jsonSide         `json:"old"`
	New       *jsonSide         `json:"new"`
	// Delta is (new-old)/|old| as a fraction; null for a missing row
	// and for a change from 0 (then FromZero is true).
	Delta     *float64 `json:"delta"`
	FromZero  bool     `json:"from_zero,omitempty"`
	P         *float64 `json:"p"`
	PAdjusted *float64 `json:"p_adjusted,omitempty"`
	Alpha     float64  `json:"alpha"`
	Threshold float64  `json:"threshold"`
	Gated     bool     `json:"gated"`
	Verdict   Verdict  `json:"verdict"`
	// Warnings are benchstat's footnotes for the row's cells and
	// comparison ("need >= 6 samples for confidence interval ...").
	Warnings []string `json:"warnings,omitempty"`
}

type jsonSide struct {
	Label  string   `json:"label"`
	Median float64  `json:"median"`
	Lo     *float64 `json:"lo"`
	Hi     *float64 `json:"hi"`
	N      int      `json:"n"`
}

// WriteJSON writes one JSON object per row, one per line (JSON Lines):
// benchmark, unit, config (the table's key fields), old and new (label,
// median, lo, hi, n; new is null when missing), delta, p (null when
// missing), p_adjusted (with -correct holm), alpha, threshold, gated,
// verdict and benchstat's warnings for the row. lo and hi bound the
// confidence interval of the median; they are null where benchstat
// prints "± ∞" (too few samples for an interval).
func (rep *Report) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, r := range rep.Rows {
		j := jsonRow{Benchmark: r.Benchmark, Unit: r.Unit, Old: side(r.OldLabel, r.Old), New: side(r.NewLabel, r.New),
			Alpha: rep.cfg.Alpha, Threshold: rep.cfg.Threshold.Float(), Gated: r.Gated, Verdict: r.Verdict}
		if cfg := r.Table.Config(); len(cfg) > 0 {
			j.Config = make(map[string]string, len(cfg))
			for _, c := range cfg {
				j.Config[c.Key] = c.Value
			}
		}
		if r.New != nil {
			if r.Delta != nil {
				f, _ := r.Delta.Float64()
				j.Delta = &f
			} else {
				j.FromZero = true
			}
			p := r.P
			j.P = &p
			if rep.cfg.Correct == CorrectHolm && r.Tested && r.Gated {
				pa := r.PAdjusted
				j.PAdjusted = &pa
			}
		}
		j.Warnings = warnings(r)
		if err := enc.Encode(j); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func side(label string, c *benchcmp.Cell) *jsonSide {
	if c == nil {
		return nil
	}
	bound := func(v float64) *float64 {
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return nil
		}
		return &v
	}
	return &jsonSide{Label: label, Median: c.Summary.Center, Lo: bound(c.Summary.Lo), Hi: bound(c.Summary.Hi), N: c.N()}
}

// warnings collects, without repeats, the footnotes benchstat attaches to
// a row's cells and its comparison.
func warnings(r *Row) []string {
	var out []string
	add := func(errs []error) {
		for _, e := range errs {
			if !slices.Contains(out, e.Error()) {
				out = append(out, e.Error())
			}
		}
	}
	for _, c := range []*benchcmp.Cell{r.Old, r.New} {
		if c != nil {
			add(c.Sample.Warnings)
			add(c.Summary.Warnings)
		}
	}
	if r.New != nil {
		add(r.New.Comparison.Warnings)
	}
	return out
}
