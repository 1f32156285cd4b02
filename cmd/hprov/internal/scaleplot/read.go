package scaleplot

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
)

// ErrNoResults is returned (wrapped with the input names) when the inputs
// hold no result with a throughput (ops/s, or ns/op to derive it from) or
// a latency percentile.
var ErrNoResults = errors.New("no usable benchmark results (need ops/s, ns/op or latency percentiles such as p99-ns)")

// Data is the plottable content of one or more results files: one series
// per file and benchmark configuration apart from the worker count.
type Data struct {
	// Series are in first-seen order.
	Series []*Series
	// Percentiles lists the latency metrics present in any series, in
	// increasing order: "p50", "p99", "p99.9", ..., "max".
	Percentiles []string
}

// A Series is one line of the throughput chart: one implementation (and
// profile, if several are plotted) across worker counts.
type Series struct {
	// Label is the legend text: the name parts that distinguish this
	// series from the others (impl and profile values, other keys as
	// key=value), or the base name when there is only one series.
	Label string
	// Points are ordered by Workers.
	Points []*Point

	// group numbers the series' benchmark configuration regardless of
	// file, and file its input, both in first-seen order: the charts
	// give a configuration one colour in every file and tell the files
	// apart by marker and dash.
	group, file int
}

// A Point holds the medians of every run of one series at one worker
// count.
type Point struct {
	Workers int
	// Throughput is the median of the runs' ops/s; for runs reporting
	// only ns/op it is 1e9/(ns/op). NaN when no run reports either.
	Throughput float64
	// ThroughputLo and ThroughputHi bound the 95% confidence interval
	// of that median, computed as benchstat computes its "± x%"
	// (benchmath, assume=nothing); NaN when the runs are too few for
	// an interval (benchstat's "± ∞": fewer than 6).
	ThroughputLo, ThroughputHi float64
	// Latency maps percentile names ("p99") to the median over runs, in
	// nanoseconds.
	Latency map[string]float64
	// Runs is the number of result lines pooled into the point.
	Runs int
}

// ReadFiles reads benchmark-format files. Each file gives series of its
// own (a before and an after line for the same benchmark), named after
// the file or, for an argument "label=path" as benchstat takes it, after
// the label. Runs of one benchmark within a file are pooled.
func ReadFiles(args ...string) (*Data, error) {
	var b builder
	var paths []string
	for _, arg := range args {
		label, path := arg, arg
		if l, p, ok := strings.Cut(arg, "="); ok {
			label, path = l, p
		}
		paths = append(paths, path)
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		err = b.read(f, path, label)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	return b.finish(strings.Join(paths, ", "))
}

// Read reads benchmark-format results from r; name is used in errors.
func Read(r io.Reader, name string) (*Data, error) {
	var b builder
	if err := b.read(r, name, name); err != nil {
		return nil, err
	}
	return b.finish(name)
}

// run is what one result line contributes to a point.
type run struct {
	opsPerSec float64 // NaN if absent
	latency   map[string]float64
}

type seriesKey struct {
	file  string // the input's label
	base  string
	parts string // "\x00"-joined name parts, workers excluded
}

type builder struct {
	order  []seriesKey
	parts  map[seriesKey][]namePart
	points map[seriesKey]map[int][]run
}

type namePart struct{ key, value string }

// latencyUnit matches the units of latency percentiles. benchfmt turns
// "p99-ns" into "p99-sec", scaling the value to seconds, except when the
// value is 0 (scaling leaves it unchanged, so the unit stays "p99-ns").
var latencyUnit = regexp.MustCompile(`^(p[0-9]+(?:\.[0-9]+)?|max|min|mean|median)-(sec|ns)$`)

func (b *builder) read(r io.Reader, name, file string) error {
	if b.points == nil {
		b.parts = make(map[seriesKey][]namePart)
		b.points = make(map[seriesKey]map[int][]run)
	}
	br := benchfmt.NewReader(r, name)
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			return rec
		case *benchfmt.Result:
			rn, ok := parseRun(rec)
			if !ok {
				continue
			}
			key, parts, workers := splitName(rec.Name)
			key.file = file
			if _, seen := b.points[key]; !seen {
				b.order = append(b.order, key)
				b.parts[key] = parts
				b.points[key] = make(map[int][]run)
			}
			b.points[key][workers] = append(b.points[key][workers], rn)
		}
	}
	return br.Err()
}

func parseRun(rec *benchfmt.Result) (run, bool) {
	rn := run{opsPerSec: math.NaN()}
	secPerOp := math.NaN()
	for _, v := range rec.Values {
		if math.IsNaN(v.Value) || math.IsInf(v.Value, 0) {
			continue
		}
		switch {
		case v.Unit == "ops/s":
			rn.opsPerSec = v.Value
		case v.Unit == "sec/op":
			secPerOp = v.Value
		default:
			if m := latencyUnit.FindStringSubmatch(v.Unit); m != nil {
				if rn.latency == nil {
					rn.latency = make(map[string]float64)
				}
				ns := v.Value
				if m[2] == "sec" {
					ns *= 1e9
				}
				rn.latency[m[1]] = ns
			}
		}
	}
	if math.IsNaN(rn.opsPerSec) && secPerOp > 0 {
		rn.opsPerSec = 1 / secPerOp
	}
	return rn, !math.IsNaN(rn.opsPerSec) || len(rn.latency) > 0
}

// splitName separates the worker count from the rest of a benchmark name.
// The count comes from a "/workers=N" part; else, for a parallel go test
// benchmark (b.RunParallel, named "Parallel..." by Go's convention), from
// the "-N" GOMAXPROCS suffix of go test -cpu runs, which sets how many
// goroutines it runs; else it is 1: a sequential benchmark runs on one
// goroutine whatever GOMAXPROCS is, so its -N stays part of the series
// ("gomaxprocs=2") instead of posing as a worker count. The suffix also
// stays when /workers= is present, so runs at different GOMAXPROCS are
// not pooled.
func splitName(name benchfmt.Name) (seriesKey, []namePart, int) {
	base, raw := name.Parts()
	var parts []namePart
	workers, haveWorkers := 1, false
	procs := ""
	for _, p := range raw {
		s := string(p)
		if strings.HasPrefix(s, "-") {
			procs = s[1:]
			continue
		}
		s = strings.TrimPrefix(s, "/")
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			k, v = "", s
		}
		if k == "workers" && !haveWorkers {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				workers, haveWorkers = n, true
				continue
			}
		}
		parts = append(parts, namePart{k, v})
	}
	parallel := strings.Contains(string(base), "Parallel")
	if procs != "" {
		if n, err := strconv.Atoi(procs); err == nil && n > 0 && !haveWorkers && parallel {
			workers = n
		} else {
			parts = append(parts, namePart{"gomaxprocs", procs})
		}
	}
	var key strings.Builder
	for _, p := range parts {
		key.WriteString(p.key + "=" + p.value + "\x00")
	}
	return seriesKey{base: string(base), parts: key.String()}, parts, workers
}

func (b *builder) finish(names string) (*Data, error) {
	if len(b.order) == 0 {
		return nil, fmt.Errorf("%s: %w", names, ErrNoResults)
	}
	d := &Data{}
	labels := b.labels()
	groups, files := make(map[string]int), make(map[string]int)
	for _, k := range b.order {
		if _, ok := groups[k.base+"\x00"+k.parts]; !ok {
			groups[k.base+"\x00"+k.parts] = len(groups)
		}
		if _, ok := files[k.file]; !ok {
			files[k.file] = len(files)
		}
	}
	pcts := make(map[string]bool)
	for i, key := range b.order {
		s := &Series{Label: labels[i], group: groups[key.base+"\x00"+key.parts], file: files[key.file]}
		byWorkers := b.points[key]
		ws := make([]int, 0, len(byWorkers))
		for w := range byWorkers {
			ws = append(ws, w)
		}
		sort.Ints(ws)
		for _, w := range ws {
			runs := byWorkers[w]
			pt := &Point{Workers: w, Runs: len(runs), Latency: make(map[string]float64)}
			var ops []float64
			lat := make(map[string][]float64)
			for _, r := range runs {
				if !math.IsNaN(r.opsPerSec) {
					ops = append(ops, r.opsPerSec)
				}
				for k, v := range r.latency {
					lat[k] = append(lat[k], v)
				}
			}
			pt.Throughput, pt.ThroughputLo, pt.ThroughputHi = summarize(ops)
			for k, vs := range lat {
				pt.Latency[k] = median(vs)
				pcts[k] = true
			}
			s.Points = append(s.Points, pt)
		}
		d.Series = append(d.Series, s)
	}
	for p := range pcts {
		d.Percentiles = append(d.Percentiles, p)
	}
	slices.SortFunc(d.Percentiles, comparePercentiles)
	return d, nil
}

// labels names each series by what distinguishes it: name parts whose
// value differs between series (impl and profile shown by value alone,
// other keys as key=value), prefixed by the base name when bases differ.
func (b *builder) labels() []string {
	varies := func(get func(seriesKey) string) bool {
		first := get(b.order[0])
		for _, k := range b.order[1:] {
			if get(k) != first {
				return true
			}
		}
		return false
	}
	keyOrder := []string{}
	seen := map[string]bool{}
	for _, k := range b.order {
		for _, p := range b.parts[k] {
			if !seen[p.key] {
				seen[p.key] = true
				keyOrder = append(keyOrder, p.key)
			}
		}
	}
	valueOf := func(k seriesKey, key string) string {
		for _, p := range b.parts[k] {
			if p.key == key {
				return p.value
			}
		}
		return ""
	}
	showBase := varies(func(k seriesKey) string { return k.base })
	showFile := varies(func(k seriesKey) string { return k.file })
	var show []string
	for _, key := range keyOrder {
		if varies(func(k seriesKey) string { return valueOf(k, key) }) {
			show = append(show, key)
		}
	}
	labels := make([]string, len(b.order))
	for i, k := range b.order {
		var words []string
		if showBase {
			words = append(words, k.base)
		}
		for _, key := range show {
			v := valueOf(k, key)
			switch {
			case v == "":
			case key == "impl" || key == "profile" || key == "":
				words = append(words, v)
			default:
				words = append(words, key+"="+v)
			}
		}
		if len(words) == 0 {
			words = append(words, k.base)
		}
		labels[i] = strings.Join(words, " ")
		if showFile {
			labels[i] = k.file + ": " + labels[i]
		}
	}
	return labels
}

// comparePercentiles orders "p50" < "p99" < "p99.9" < "max", with other
// names (min, mean, median) before the percentiles.
func comparePercentiles(a, b string) int {
	rank := func(s string) float64 {
		switch s {
		case "min":
			return -3
		case "mean":
			return -2
		case "median":
			return 50
		case "max":
			return 1000
		}
		v, err := strconv.ParseFloat(strings.TrimPrefix(s, "p"), 64)
		if err != nil {
			return 999
		}
		return v
	}
	ra, rb := rank(a), rank(b)
	switch {
	case ra < rb:
		return -1
	case ra > rb:
		return 1
	}
	return strings.Compare(a, b)
}

// summarize returns the median of xs and its 95% confidence interval as
// benchstat computes them, with NaN bounds where benchstat shows "± ∞".
func summarize(xs []float64) (center, lo, hi float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	s := benchmath.NewSample(slices.Clone(xs), &benchmath.DefaultThresholds)
	sum := benchmath.AssumeNothing.Summary(s, 0.95)
	lo, hi = sum.Lo, sum.Hi
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		lo, hi = math.NaN(), math.NaN()
	}
	return sum.Center, lo, hi
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
