package benchcmp

import (
	"math/big"
	"strconv"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchunit"
)

// Exact values.
//
// A gate that says "more than 5%" must not call 105 against 100 a
// regression because 105e-9/100e-9 - 1 is 0.05000000000000004 in
// float64. benchfmt keeps each measurement's value as parsed from the
// input (OrigValue) beside its tidied float (ns/op turned into sec/op);
// the shortest decimal that parses to that float is the input's own
// decimal whenever the input has at most 15 significant digits, which Go
// benchmark output always has. The exact value is that decimal times the
// tidying factor, itself a power of ten (shortest decimal of 1e-9 is
// "1e-09"). Medians and deltas over these are exact rationals, computed
// on demand for the one or two values a center needs.

// exactValue returns v's value as an exact rational.
func exactValue(v benchfmt.Value) *big.Rat {
	if v.OrigUnit == "" {
		return decimal(v.Value)
	}
	factor, _ := benchunit.Tidy(1, v.OrigUnit)
	r := decimal(v.OrigValue)
	return r.Mul(r, decimal(factor))
}

// decimal returns the rational value of f's shortest decimal form.
func decimal(f float64) *big.Rat {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	if !ok {
		// Only NaN and ±Inf have no decimal form; benchfmt rejects
		// them as measurements. Fall back to the float itself.
		r = new(big.Rat)
		if r.SetFloat64(f) == nil {
			return new(big.Rat)
		}
	}
	return r
}

// ExactCenter returns the cell's center computed on exact values: the
// median (the mean of the two middle values for an even count) under
// assume=nothing, the most frequent value under assume=exact. It is the
// exact counterpart of Summary.Center.
func (c *Cell) ExactCenter() *big.Rat {
	vs := c.Sample.Values
	n := len(vs)
	if n == 0 {
		return new(big.Rat)
	}
	// Under assume=exact, Summary.Center is one of the values; find it.
	if c.assumeExact {
		for i, v := range vs {
			if v == c.Summary.Center {
				return exactValue(c.exact[i])
			}
		}
	}
	if n%2 == 1 {
		return exactValue(c.exact[n/2])
	}
	m := new(big.Rat).Add(exactValue(c.exact[n/2-1]), exactValue(c.exact[n/2]))
	return m.Quo(m, big.NewRat(2, 1))
}
