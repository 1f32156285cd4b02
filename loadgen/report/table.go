package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/hprov/hprov/loadgen"
)

// WriteTable writes rep for people: the environment and method, one row per
// storm, then the refusals and violations of each storm that had any.
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
	b.WriteString("\n")

	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "profile\timpl\tworkers\ttarget\tops/s\tns/op\tp50\tp99\tp99.9\tmax\trefused\tviolations\t\n")
	for _, r := range rep.Results {
		target := "closed"
		if r.Open() {
			target = si(r.Rate) + "/s"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%.1f\t%s\t%s\t%s\t%s\t%s\t%d\t\n",
			r.Workload, Impl(r), r.Workers, target, si(r.Throughput), r.NsPerOp(),
			elapsed(r.Quantile(0.5)), elapsed(r.Quantile(0.99)), elapsed(r.Quantile(0.999)), elapsed(r.MaxLatency),
			percent(r.Refusals(), r.Count), r.Violations())
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	var notes []string
	for _, r := range rep.Results {
		var parts []string
		if r.Open() {
			achieved := 0.0
			if r.Rate > 0 {
				achieved = r.Throughput / r.Rate * 100
			}
			line := fmt.Sprintf("achieved %.2f%% of the target rate", achieved)
			if r.Missed > 0 {
				line += fmt.Sprintf(", %d arrivals missed", r.Missed)
			}
			line += fmt.Sprintf(", issued late by p50 %s p99 %s max %s", elapsed(r.LagQuantile(0.5)), elapsed(r.LagQuantile(0.99)), elapsed(r.LagQuantile(1)))
			parts = append(parts, line)
		}
		for _, o := range r.Outcomes {
			if o.Kind != loadgen.Success && o.Count > 0 {
				tag := ""
				if o.Kind == loadgen.Violation {
					tag = " VIOLATION"
				}
				parts = append(parts, fmt.Sprintf("%s%s %d (%s)", o.Name, tag, o.Count, percent(o.Count, r.Count)))
			}
		}
		if len(parts) > 0 {
			notes = append(notes, fmt.Sprintf("  %s/%s/workers=%d: %s", r.Workload, Impl(r), r.Workers, strings.Join(parts, ", ")))
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
