package profsum_test

import (
	"fmt"
	"os"

	"github.com/google/pprof/profile"
	"github.com/hprov/hprov/cmd/hprov/internal/profsum"
)

// cpuProfile builds a CPU profile of a benchmark loop: ms milliseconds in
// each stack (innermost function first).
func cpuProfile(stacks map[string][]string, ms map[string]int64) *profile.Profile {
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10_000_000,
	}
	funcs := map[string]*profile.Function{}
	for _, key := range []string{"work", "slow"} {
		stack, ok := stacks[key]
		if !ok {
			continue
		}
		s := &profile.Sample{Value: []int64{ms[key] * 1_000_000}}
		for _, name := range stack {
			f := funcs[name]
			if f == nil {
				f = &profile.Function{ID: uint64(len(p.Function) + 1), Name: name}
				funcs[name] = f
				p.Function = append(p.Function, f)
			}
			l := &profile.Location{ID: uint64(len(p.Location) + 1), Line: []profile.Line{{Function: f}}}
			p.Location = append(p.Location, l)
			s.Location = append(s.Location, l)
		}
		p.Sample = append(p.Sample, s)
	}
	return p
}

// Where does the head spend time the base did not? Diff subtracts the
// base profile as go tool pprof -diff_base does; GrewFlat lists the
// functions whose own time grew.
func ExampleDiff() {
	work := []string{"example.com/m.Work", "example.com/m.BenchmarkWork", "testing.(*B).runN"}
	slow := append([]string{"example.com/m.addedSlowPath"}, work...)
	base := cpuProfile(map[string][]string{"work": work}, map[string]int64{"work": 100})
	head := cpuProfile(map[string][]string{"work": work, "slow": slow}, map[string]int64{"work": 100, "slow": 250})

	diff, err := profsum.Diff(base, head)
	if err != nil {
		fmt.Println(err)
		return
	}
	sum, err := profsum.Summarize(diff, profsum.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range sum.GrewFlat(3) {
		fmt.Printf("%s flat %+dms cum %+dms\n", f.Name, f.Flat/1e6, f.Cum/1e6)
	}
	sum.WriteGrowth(os.Stdout, 2)
	// Output:
	// example.com/m.addedSlowPath flat +250ms cum +250ms
	// Diff: head - base (pprof -diff_base); base total = 100ms, head total = 350ms, change = +250ms (+250.0% of base)
	// Weights are head minus base; percentages are of the base's total.
	// Top 1 functions by flat growth, accounting for 250ms, 250.00% of 100ms total
	//       flat  flat%   sum%        cum   cum%
	//      250ms 250.00% 250.00%      250ms 250.00%  example.com/m.addedSlowPath
	//
	// Top 2 functions by cum growth, accounting for 250ms, 250.00% of 100ms total
	//       flat  flat%   sum%        cum   cum%
	//      250ms 250.00% 250.00%      250ms 250.00%  example.com/m.addedSlowPath
	//          0     0% 250.00%      250ms 250.00%  example.com/m.BenchmarkWork
}
