package profsum

import (
	"fmt"
	"slices"

	"github.com/google/pprof/profile"
)

// baseLabel marks the samples of a diff's base, as pprof's -diff_base
// does; Summarize takes percentages against their total.
const baseLabel = "pprof::base"

// Diff returns head minus base as one profile, the way
// "go tool pprof -diff_base BASE HEAD" builds it: the base's samples are
// negated, labelled pprof::base=true and merged with the head's. In its
// Summary a function's flat and cum are head minus base (positive where
// the head spends more), and percentages are of the base's total.
// Neither argument is modified. The two must have the same sample types.
func Diff(base, head *profile.Profile) (*profile.Profile, error) {
	if err := base.CheckValid(); err != nil {
		return nil, fmt.Errorf("%w: base: %v", ErrNotProfile, err)
	}
	if err := head.CheckValid(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotProfile, err)
	}
	b := base.Copy()
	b.SetLabel(baseLabel, []string{"true"})
	b.Scale(-1)
	p, err := profile.Merge([]*profile.Profile{head.Copy(), b})
	if err != nil {
		return nil, fmt.Errorf("profsum: -diff_base: %v", err)
	}
	return p, nil
}

func isBaseSample(s *profile.Sample) bool {
	for _, v := range s.Label[baseLabel] {
		if v == "true" {
			return true
		}
	}
	return false
}

// GrewFlat returns up to n functions whose flat weight grew (positive in a
// diff), largest growth first. n <= 0 means all of them.
func (s *Summary) GrewFlat(n int) []Func {
	return grew(s.Funcs, n, func(f Func) int64 { return f.Flat })
}

// GrewCum returns up to n functions whose cumulative weight grew, largest
// growth first. n <= 0 means all of them.
func (s *Summary) GrewCum(n int) []Func {
	return grew(s.Funcs, n, func(f Func) int64 { return f.Cum })
}

func grew(fs []Func, n int, key func(Func) int64) []Func {
	var out []Func
	for _, f := range fs {
		if key(f) > 0 {
			out = append(out, f)
		}
	}
	// Stable on the pprof order the functions come in: ties keep it.
	slices.SortStableFunc(out, func(a, b Func) int { return cmpDesc(key(a), key(b)) })
	return top(out, n)
}
