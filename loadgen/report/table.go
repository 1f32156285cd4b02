package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hprov/hprov/loadgen"
)

// WriteTable writes rep for people: the environment and method, then one
// row per storm configuration (profile, impl, workers, rate) with the median
// over its rounds and their spread, then a note per configuration that
// needs one: an open loop's verdict, refusals, violations. With rep.Verbose
// every round gets a row of its own instead.
//
// The spread (±) is the largest deviation of a round's throughput from the
// median, as a percentage of it: with the handful of rounds a storm runs,
// a confidence interval would be wider than the data. Latencies are
// medians over the rounds of each round's quantile, with 3 significant
// digits; max is the largest over all rounds. In an open loop ns/op is left
// out: it would only be the inverse of the achieved rate.
func (rep *Report) WriteTable(w io.Writer) error {
	var b strings.Builder
	var env []string
	for _, p := range rep.Env {
		env = append(env, p.Key+"="+p.Value)
	}
	if len(env) > 0 {
		fmt.Fprintf(&b, "%s\n", strings.Join(env, " "))
	}
	// One method line per distinct method (closed and open loops differ).
	var methods []string
	for _, r := range rep.Results {
		if m := methodSummary(r); !slices.Contains(methods, m) {
			methods = append(methods, m)
		}
	}
	for _, m := range methods {
		fmt.Fprintf(&b, "method: %s\n", m)
	}
	groups := rep.groups()
	if !rep.Verbose && len(groups) < len(rep.Results) {
		b.WriteString("rows: the median over each storm's rounds; ± is the largest deviation of a round from it (-v: every round)\n")
	}
	b.WriteString("\n")

	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "profile\timpl\tworkers\ttarget\trounds\tops/s\t±\tns/op\tp50\tp99\tp99.9\tmax\trefused\tviolations\t\n")
	rows := groups
	if rep.Verbose {
		rows = nil
		for _, r := range rep.Results {
			rows = append(rows, []*loadgen.Result{r})
		}
	}
	for _, g := range rows {
		s := summarise(g)
		r := g[0]
		impl, target, nsop := Impl(r), "closed", fmt.Sprintf("%.1f", 1e9/s.throughput)
		if impl == "" {
			impl = "-"
		}
		if r.Open() {
			target, nsop = si(r.Rate)+"/s", "-"
		} else if s.throughput == 0 {
			nsop = "-"
		}
		spread := "-"
		if len(g) > 1 {
			spread = fmt.Sprintf("%.1f%%", s.spread*100)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t\n",
			r.Workload, impl, r.Workers, target, len(g), si(s.throughput), spread, nsop,
			latency(s.p50), latency(s.p99), latency(s.p999), latency(float64(s.max)),
			percent(s.refused, s.count), s.violations)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	var notes []string
	for _, g := range groups {
		s := summarise(g)
		r := g[0]
		var parts []string
		if r.Open() {
			parts = append(parts, verdict(r.Rate, s.throughput, s.missed, s.count, s.ceiling, time.Duration(s.lagP99)))
		}
		for i, o := range r.Outcomes {
			if o.Kind != loadgen.Success && s.outcomes[i] > 0 {
				tag := ""
				if o.Kind == loadgen.Violation {
					tag = " VIOLATION"
				}
				parts = append(parts, fmt.Sprintf("%s%s %d (%s)", o.Name, tag, s.outcomes[i], percent(s.outcomes[i], s.count)))
			}
		}
		if len(parts) > 0 {
			notes = append(notes, fmt.Sprintf("  %s: %s", strings.TrimPrefix(Name(r), "Storm/profile="), strings.Join(parts, ", ")))
		}
	}
	if len(notes) > 0 {
		b.WriteString("\n")
		b.WriteString(strings.Join(notes, "\n"))
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// groups splits rep's results by benchmark name (profile, impl, workers,
// rate), in order of first appearance.
func (rep *Report) groups() [][]*loadgen.Result {
	var groups [][]*loadgen.Result
	at := map[string]int{}
	for _, r := range rep.Results {
		name := Name(r)
		i, ok := at[name]
		if !ok {
			i = len(groups)
			at[name] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], r)
	}
	return groups
}

// A summary is the rounds of one storm configuration in one row.
type summary struct {
	throughput, spread     float64 // median, largest relative deviation from it
	p50, p99, p999, lagP99 float64 // medians of the rounds' quantiles, ns
	max                    time.Duration
	count, missed, refused uint64 // totals over the rounds
	violations             uint64
	outcomes               []uint64 // per outcome, totals
	ceiling                float64  // median generator ceiling, 0 if not measured
}

func summarise(g []*loadgen.Result) summary {
	var s summary
	var tp, p50, p99, p999, lag, ceil []float64
	s.outcomes = make([]uint64, len(g[0].Outcomes))
	for _, r := range g {
		tp = append(tp, r.Throughput)
		p50 = append(p50, float64(r.Quantile(0.5)))
		p99 = append(p99, float64(r.Quantile(0.99)))
		p999 = append(p999, float64(r.Quantile(0.999)))
		lag = append(lag, float64(r.LagQuantile(0.99)))
		if r.GeneratorCeiling > 0 {
			ceil = append(ceil, r.GeneratorCeiling)
		}
		s.max = max(s.max, r.MaxLatency)
		s.count += r.Count
		s.missed += r.Missed
		s.refused += r.Refusals()
		s.violations += r.Violations()
		for i, o := range r.Outcomes {
			if i < len(s.outcomes) {
				s.outcomes[i] += o.Count
			}
		}
	}
	s.throughput = median(tp)
	for _, v := range tp {
		if s.throughput > 0 {
			s.spread = max(s.spread, abs(v-s.throughput)/s.throughput)
		}
	}
	s.p50, s.p99, s.p999, s.lagP99 = median(p50), median(p99), median(p999), median(lag)
	s.ceiling = median(ceil)
	return s
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if n := len(v); n%2 == 1 {
		return v[n/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// Verdict says in one line how an open-loop storm went against its target,
// over its rounds (medians, missed arrivals summed): "kept up: achieved
// 100% of 1M/s; issued late by p99 2.10µs" or "overloaded: achieved 31% of
// 50M/s; 69% of arrivals missed", with the generator's own ceiling when it
// was measured, and a warning when the target comes near it. It is "" for
// a closed loop or no rounds.
func Verdict(rounds ...*loadgen.Result) string {
	if len(rounds) == 0 || !rounds[0].Open() {
		return ""
	}
	s := summarise(rounds)
	return verdict(rounds[0].Rate, s.throughput, s.missed, s.count, s.ceiling, time.Duration(s.lagP99))
}

// Verdicts returns the verdict of every open-loop storm configuration of
// rep over its rounds, in order of first appearance, each after the
// configuration's name less its "Storm/profile=" prefix:
// "engine-insert-release/impl=hprov/workers=2/rate=1000000: kept up: ...".
func (rep *Report) Verdicts() []string {
	var out []string
	for _, g := range rep.groups() {
		if g[0].Open() {
			out = append(out, strings.TrimPrefix(Name(g[0]), "Storm/profile=")+": "+Verdict(g...))
		}
	}
	return out
}

func verdict(rate, achieved float64, missed, count uint64, ceiling float64, lagP99 time.Duration) string {
	share := achieved / rate
	var v string
	if missed == 0 && share >= 0.99 {
		v = fmt.Sprintf("kept up: achieved %s of %s/s; issued late by p99 %s", pct(share), si(rate), latency(float64(lagP99)))
	} else {
		v = fmt.Sprintf("overloaded: achieved %s of %s/s; %s of arrivals missed", pct(share), si(rate), pct(float64(missed)/float64(max(missed+count, 1))))
	}
	switch {
	case ceiling <= 0:
	case rate >= ceiling/2:
		v += fmt.Sprintf("; the target is %s of the generator's own ceiling (%s/s with a no-op workload): the generator, not the workload, may be the limit", pct(rate/ceiling), si(ceiling))
	default:
		v += fmt.Sprintf("; generator ceiling %s/s", si(ceiling))
	}
	return v
}

// pct formats a fraction as a percentage with up to 3 significant digits.
func pct(f float64) string {
	return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.3g", f*100), ".0"), ".00") + "%"
}

// methodSummary is Method without the per-run clock overhead, so that runs
// measured the same way share one line.
func methodSummary(r *loadgen.Result) string {
	return method(r, "the median of back-to-back reads, measured per run")
}

func percent(n, of uint64) string {
	if n == 0 {
		return "0"
	}
	return fmt.Sprintf("%.3g%%", 100*float64(n)/float64(max(of, 1)))
}
