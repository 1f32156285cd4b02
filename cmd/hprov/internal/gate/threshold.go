package gate

import (
	"fmt"
	"math/big"
	"strings"
)

// A Threshold is the smallest change that counts, as an exact
// non-negative fraction of the old value. It is exclusive: at 5%, a change
// of exactly +5.00% is not a regression; +5.01% is.
//
// It is kept as the decimal the user wrote ("5%" is exactly 1/20), and
// compared with deltas computed exactly from the input's decimals (see
// benchcmp's exact values), so no float rounding can move a change across
// it.
type Threshold struct {
	r    *big.Rat
	text string
}

// ParseThreshold parses a percentage ("5%", "2.5%") or a fraction
// ("0.05").
func ParseThreshold(s string) (Threshold, error) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
	r, ok := new(big.Rat).SetString(t)
	// big.Rat also takes "1/3"; a threshold is a decimal.
	if !ok || t == "" || strings.ContainsAny(t, "/") || r.Sign() < 0 {
		return Threshold{}, fmt.Errorf("invalid threshold %q: want a percentage like 5%% or a fraction like 0.05", s)
	}
	// A bare number above 1 is almost surely a percentage without its
	// sign (is "500" 500% or 5.00%?): refuse to guess.
	if !pct && r.Cmp(big.NewRat(1, 1)) > 0 {
		return Threshold{}, fmt.Errorf("ambiguous threshold %q: a fraction is at most 1; write %s%% for a percentage", s, t)
	}
	if pct {
		r.Quo(r, big.NewRat(100, 1))
	}
	return Threshold{r: r, text: strings.TrimSpace(s)}, nil
}

// Rat returns the threshold as a fraction (0.05 for 5%).
func (t Threshold) Rat() *big.Rat {
	if t.r == nil {
		return new(big.Rat)
	}
	return new(big.Rat).Set(t.r)
}

// Float returns the threshold as a float64 fraction, for display and
// JSON.
func (t Threshold) Float() float64 {
	f, _ := t.Rat().Float64()
	return f
}

// String returns the threshold as given, or as a percentage.
func (t Threshold) String() string {
	if t.text != "" {
		return t.text
	}
	return pct(t.Rat())
}

// Set implements flag.Value.
func (t *Threshold) Set(s string) error {
	v, err := ParseThreshold(s)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// pct formats an exact fraction as a percentage with two decimals, the
// way benchstat prints deltas ("+5.00%").
func pct(r *big.Rat) string {
	f, _ := r.Float64()
	return fmt.Sprintf("%.2f%%", 100*f)
}
