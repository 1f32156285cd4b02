package profsum

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
)

// WriteText writes the summary as text: a header like pprof's, the top n
// functions by flat weight and by cumulative weight in pprof -top's
// columns (flat, flat%, sum%, cum, cum%, name), then the group shares.
// n <= 0 prints every function.
func (s *Summary) WriteText(w io.Writer, n int) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "Type: %s\n", s.SampleType)
	if s.Diff {
		s.writeDiffHeader(bw)
	} else if s.Duration != 0 {
		ratio := ""
		if ns, ok := s.nanoseconds(s.Total); ok && ns != 0 {
			ratio = " (" + percentage(int64(ns), s.Duration) + ")"
		}
		fmt.Fprintf(bw, "Duration: %s, Total samples = %s%s\n", label(s.Duration, "nanoseconds"), s.label(s.Total), ratio)
	} else {
		fmt.Fprintf(bw, "Total samples = %s\n", s.label(s.Total))
	}
	if s.Total == 0 && s.Net == 0 {
		fmt.Fprintln(bw, "No samples.")
		return bw.Flush()
	}

	flat, cum := s.TopFlat(n), s.TopCum(n)
	s.writeFuncs(bw, fmt.Sprintf("Top %d of %d functions by flat", len(flat), len(s.Funcs)), flat)
	fmt.Fprintln(bw)
	s.writeFuncs(bw, fmt.Sprintf("Top %d of %d functions by cum", len(cum), len(s.Funcs)), cum)

	fmt.Fprintln(bw)
	fmt.Fprintln(bw, "Share by package group")
	fmt.Fprintln(bw, "flat: the sample's innermost frame in a group, walking up from the leaf past packages in no group")
	fmt.Fprintf(bw, "      (sync/atomic, internal/..., other standard packages)%s\n", s.supportNote())
	fmt.Fprintln(bw, "cum:  a function of the group anywhere on the stack")
	width := len("group")
	for _, g := range s.Shares {
		width = max(width, len(g.Name))
	}
	fmt.Fprintf(bw, "%-*s %10s %5s%% %10s %5s%%\n", width, "group", "flat", "flat", "cum", "cum")
	for _, g := range s.Shares {
		fmt.Fprintf(bw, "%-*s %10s %s %10s %s\n", width, g.Name,
			s.label(g.Flat), percentage(g.Flat, s.Total), s.label(g.Cum), percentage(g.Cum, s.Total))
	}
	return bw.Flush()
}

// supportNote says which groups count flat weight only where no other
// group is above them on the stack.
func (s *Summary) supportNote() string {
	var names []string
	for _, g := range s.Shares {
		if g.Support {
			names = append(names, g.Name)
		}
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return " and past " + names[0] + ",\n      which keeps only the samples no other group called"
	}
	return " and past " + strings.Join(names, ", ") + ",\n      which keep only the samples no other group called"
}

func (s *Summary) writeFuncs(w io.Writer, title string, fs []Func) {
	var shown int64
	for _, f := range fs {
		shown += f.Flat
	}
	fmt.Fprintf(w, "%s, accounting for %s, %s of %s total\n", title,
		s.label(shown), strings.TrimSpace(percentage(shown, s.Total)), s.label(s.Total))
	fmt.Fprintf(w, "%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum", "cum", "cum")
	var sum int64
	for _, f := range fs {
		sum += f.Flat
		fmt.Fprintf(w, "%10s %s %s %10s %s  %s\n", s.label(f.Flat), percentage(f.Flat, s.Total),
			percentage(sum, s.Total), s.label(f.Cum), percentage(f.Cum, s.Total), f.Name)
	}
}

func (s *Summary) label(v int64) string { return label(v, s.Unit) }

func (s *Summary) nanoseconds(v int64) (float64, bool) {
	u := findUnit(s.Unit)
	if u == nil || u.kind != "time" {
		return 0, false
	}
	return float64(v) * u.factor, true
}

// percentage is pprof's measurement.Percentage: at least two significant
// digits, in a five-character field.
func percentage(value, total int64) string {
	var ratio float64
	if total != 0 {
		ratio = math.Abs(float64(value)/float64(total)) * 100
	}
	switch {
	case ratio >= 99.95 && ratio <= 100.05:
		return "  100%"
	case ratio >= 1.0:
		return fmt.Sprintf("%5.2f%%", ratio)
	default:
		return fmt.Sprintf("%5.2g%%", ratio)
	}
}

type unit struct {
	name    string
	aliases []string
	factor  float64 // in the kind's base unit (bytes, nanoseconds)
	kind    string
}

// units are pprof's time and memory units (internal/measurement), which
// cannot be imported from outside pprof.
var units = []unit{
	{"B", []string{"b", "byte"}, 1, "memory"},
	{"kB", []string{"kb", "kbyte", "kilobyte"}, 1 << 10, "memory"},
	{"MB", []string{"mb", "mbyte", "megabyte"}, 1 << 20, "memory"},
	{"GB", []string{"gb", "gbyte", "gigabyte"}, 1 << 30, "memory"},
	{"TB", []string{"tb", "tbyte", "terabyte"}, 1 << 40, "memory"},
	{"PB", []string{"pb", "pbyte", "petabyte"}, 1 << 50, "memory"},
	{"ns", []string{"ns", "nanosecond"}, 1, "time"},
	{"us", []string{"μs", "us", "microsecond"}, 1e3, "time"},
	{"ms", []string{"ms", "millisecond"}, 1e6, "time"},
	{"s", []string{"s", "sec", "second"}, 1e9, "time"},
	{"hrs", []string{"hour", "hr"}, 3600e9, "time"},
}

func findUnit(name string) *unit {
	name = strings.ToLower(name)
	if len([]rune(name)) > 2 {
		name = strings.TrimSuffix(name, "s")
	}
	for i := range units {
		for _, a := range units[i].aliases {
			if a == name {
				return &units[i]
			}
		}
	}
	return nil
}

// label formats a value as pprof's measurement.Label does: scaled to the
// largest unit of its kind that keeps it >= 1, two decimals, ".00"
// dropped; unknown units print the bare number.
func label(v int64, unitName string) string {
	if v < 0 && -v > 0 {
		return "-" + label(-v, unitName)
	}
	x, suffix := float64(v), ""
	if u := findUnit(unitName); u != nil {
		base := x * u.factor
		var best *unit
		for i := range units {
			c := &units[i]
			if c.kind == u.kind && base/c.factor >= 1 && (best == nil || c.factor >= best.factor) {
				best = c
			}
		}
		if best == nil {
			// Below the smallest unit (zero): pprof uses the default
			// unit of the kind.
			best = &units[0]
			if u.kind == "time" {
				best = findUnit("s")
			}
		}
		x, suffix = base/best.factor, best.name
	}
	sv := strings.TrimSuffix(fmt.Sprintf("%.2f", x), ".00")
	if sv == "0" || sv == "-0" {
		return "0"
	}
	return sv + suffix
}

// writeDiffHeader says what a diff's numbers are: head minus base, in
// percent of the base's total, as pprof -diff_base prints them.
func (s *Summary) writeDiffHeader(w io.Writer) {
	head := s.Total + s.Net
	fmt.Fprintf(w, "Diff: head - base (pprof -diff_base); base total = %s, head total = %s, change = %s (%s of base)\n",
		s.label(s.Total), s.label(head), signed(s.label(s.Net), s.Net), signedPct(s.Net, s.Total))
	fmt.Fprintln(w, "Weights are head minus base; percentages are of the base's total.")
}

// WriteGrowth writes the n functions whose flat weight grew most and the
// n whose cumulative weight grew most, in pprof -top's columns, for a
// diff (see Diff): where the head spends the time the base did not.
func (s *Summary) WriteGrowth(w io.Writer, n int) error {
	bw := bufio.NewWriter(w)
	s.writeDiffHeader(bw)
	flat, cum := s.GrewFlat(n), s.GrewCum(n)
	if len(flat) == 0 && len(cum) == 0 {
		fmt.Fprintln(bw, "No function grew.")
		return bw.Flush()
	}
	s.writeFuncs(bw, fmt.Sprintf("Top %d functions by flat growth", len(flat)), flat)
	fmt.Fprintln(bw)
	s.writeFuncs(bw, fmt.Sprintf("Top %d functions by cum growth", len(cum)), cum)
	return bw.Flush()
}

func signed(label string, v int64) string {
	if v > 0 {
		return "+" + label
	}
	return label
}

func signedPct(v, total int64) string {
	if total == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%+.1f%%", 100*float64(v)/float64(total))
}
