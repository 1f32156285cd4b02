// Package profsum summarises a pprof profile the way "go tool pprof -top"
// does, and splits its samples between groups of packages (for hprov:
// the engine versus the harness driving it).
//
// Profiles are parsed with github.com/google/pprof/profile. Function
// weights follow pprof's default "functions" granularity: inlined calls
// are functions of their own, flat is the weight of samples whose
// innermost frame is the function, cum the weight of samples with the
// function anywhere on the stack, counted once per sample however often
// it recurs.
//
// Group shares answer a different question, "whose work was the CPU
// doing?", so a sample's flat weight goes to the group of the innermost
// frame that belongs to a group: walking up the stack from the leaf, past
// frames of standard packages no group claims (sync/atomic, internal/...,
// the rest of the standard library, unsymbolized addresses) and past
// frames of groups marked Support (meant for the runtime: allocation,
// write barriers, preemption), which count only the samples no other
// group is found above. An atomic store, a write barrier or a hash block
// called from the engine then counts for the engine, not for "other" or
// the runtime. The walk stops at a frame of a package outside the
// standard library that no group claims: the user's own code keeps its
// samples (as "other") instead of handing them to the test harness that
// called it. A group's cum share is the weight of samples with any of its
// functions on the stack.
package profsum

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/google/pprof/profile"
)

// ErrNotProfile is returned (wrapped, with the parser's reason) for input
// that is not a pprof profile.
var ErrNotProfile = errors.New("not a pprof profile")

// ReadFile reads and parses the profile at path.
func ReadFile(path string) (*profile.Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p, err := ParseData(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// Parse reads a profile, gzipped or not, from r.
func Parse(r io.Reader) (*profile.Profile, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return ParseData(data)
}

// ParseData parses a profile held in memory. Any input that the pprof
// parser rejects, or that panics it, yields an error wrapping
// ErrNotProfile.
func ParseData(data []byte) (p *profile.Profile, err error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: empty input", ErrNotProfile)
	}
	// The parser decodes untrusted bytes; a panic in it must surface
	// as bad input, not bring the command down.
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("%w: parser failed: %v", ErrNotProfile, r)
		}
	}()
	p, err = profile.ParseData(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotProfile, err)
	}
	if len(p.SampleType) == 0 {
		return nil, fmt.Errorf("%w: no sample types", ErrNotProfile)
	}
	return p, nil
}

// A Group names a set of packages by import-path prefix. A prefix covers
// the package and its subpackages: "example.com/m/engine" matches
// "example.com/m/engine.(*Table).Insert" and
// "example.com/m/engine/csp.Acquire" but not "example.com/m/enginex.F".
type Group struct {
	Name     string
	Prefixes []string
	// Regexp, when set, also claims every function whose name it
	// matches (unanchored, like pprof's -focus).
	Regexp *regexp.Regexp
	// Support marks code that works on behalf of its callers, like the Go
	// runtime: the flat weight of a sample running it goes to the nearest
	// caller in a group that is not support, and to this group only if
	// there is none (a GC worker, the scheduler).
	Support bool
}

// Options selects what to summarise.
type Options struct {
	// SampleType picks the value to weigh samples by, by type name
	// ("cpu", "samples", "alloc_space", "inuse_space"...) or index, as
	// pprof's -sample_index does. Empty means "cpu" when the profile has
	// it, else pprof's default (the profile's default type, else the
	// last one).
	SampleType string
	// Groups are matched in order; a function belongs to the first group
	// with a matching prefix.
	Groups []Group
	// Rest names the functions no group claims. Empty means "other".
	Rest string
}

// Func is one function's weight.
type Func struct {
	Name      string
	Flat, Cum int64
}

// Share is one group's weight.
type Share struct {
	Name string
	// Flat: samples whose innermost frame in a group is in this one,
	// support groups counting only where no other group is on the stack
	// (see the package doc). Over all groups and the rest these add up to
	// the total.
	Flat int64
	// Cum: samples with any function of the group on the stack.
	Cum int64
	// Support: the group was given as support (see Group).
	Support bool
}

// A Summary is the digest of one profile for one sample type.
type Summary struct {
	SampleType string // e.g. "cpu"
	Unit       string // e.g. "nanoseconds", "count", "bytes"
	// Total is the sum of the chosen value over all samples; for a diff
	// (see Diff), the base's total, which percentages are taken of, as
	// pprof does.
	Total int64
	// Diff reports that the profile is a diff: weights are head minus
	// base, and Net is the head's total minus the base's.
	Diff bool
	Net  int64
	// Duration is the profile's duration in nanoseconds, 0 if unknown.
	Duration int64
	// Funcs holds every function, ordered by flat weight as pprof -top
	// orders them (|flat| descending, then name, then |cum|).
	Funcs []Func
	// Shares holds the groups in the order given, then the rest.
	Shares []Share
}

// ErrOverflow reports sample values whose sum does not fit in an int64.
var ErrOverflow = errors.New("sample values overflow int64")

// Summarize computes the summary of p.
func Summarize(p *profile.Profile, opts Options) (*Summary, error) {
	// A profile built in memory rather than parsed has not been
	// validated; the indexing below relies on it.
	if err := p.CheckValid(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotProfile, err)
	}
	idx, err := sampleIndex(p, opts.SampleType)
	if err != nil {
		return nil, err
	}
	st := p.SampleType[idx]
	rest := opts.Rest
	if rest == "" {
		rest = "other"
	}
	for _, g := range opts.Groups {
		if g.Name == "" || g.Name == rest {
			return nil, fmt.Errorf("profsum: group name %q is empty or clashes with the rest", g.Name)
		}
	}
	s := &Summary{SampleType: st.Type, Unit: st.Unit, Duration: p.DurationNanos}
	s.Shares = make([]Share, len(opts.Groups)+1)
	for i, g := range opts.Groups {
		s.Shares[i].Name, s.Shares[i].Support = g.Name, g.Support
	}
	s.Shares[len(opts.Groups)].Name = rest

	type weight struct{ flat, cum int64 }
	funcs := make(map[string]*weight)
	var order []string
	get := func(name string) *weight {
		w := funcs[name]
		if w == nil {
			w = new(weight)
			funcs[name] = w
			order = append(order, name)
		}
		return w
	}
	groupOf := make(map[string]int) // function name -> index into Shares
	group := func(name string) int {
		g, ok := groupOf[name]
		if !ok {
			g = matchGroup(name, opts.Groups)
			groupOf[name] = g
		}
		return g
	}
	add := func(dst *int64, v int64) error {
		if (v > 0 && *dst > math.MaxInt64-v) || (v < 0 && *dst < math.MinInt64-v) {
			return ErrOverflow
		}
		*dst += v
		return nil
	}

	var baseTotal int64
	seen := make(map[string]bool)
	inGroup := make([]bool, len(s.Shares))
	for _, smp := range p.Sample {
		v := smp.Value[idx]
		if v == 0 {
			continue
		}
		if err := add(&s.Net, v); err != nil {
			return nil, err
		}
		if isBaseSample(smp) {
			s.Diff = true
			if err := add(&baseTotal, abs64(v)); err != nil {
				return nil, err
			}
		}
		clear(seen)
		clear(inGroup)
		// owner: the sample's flat group, the innermost frame of a group
		// that is not support; failing that, of a support group; failing
		// that, the rest.
		owner, support := -1, -1
		for li, loc := range smp.Location {
			names := frameNames(loc)
			for ni, name := range names {
				if li == 0 && ni == 0 {
					if err := add(&get(name).flat, v); err != nil {
						return nil, err
					}
				}
				g := group(name)
				switch {
				case owner >= 0:
				case g == len(opts.Groups):
					// Code of the user's own (a package outside the
					// standard library no group claims) keeps the
					// sample: it is nobody's helper.
					if !passesOn(name) {
						owner = g
					}
				case !opts.Groups[g].Support:
					owner = g
				case support < 0:
					support = g
				}
				if !seen[name] {
					seen[name] = true
					if err := add(&get(name).cum, v); err != nil {
						return nil, err
					}
					inGroup[g] = true
				}
			}
		}
		if owner < 0 {
			owner = support
		}
		if owner < 0 {
			owner = len(opts.Groups)
		}
		if err := add(&s.Shares[owner].Flat, v); err != nil {
			return nil, err
		}
		for g, in := range inGroup {
			if in {
				if err := add(&s.Shares[g].Cum, v); err != nil {
					return nil, err
				}
			}
		}
	}
	s.Total = s.Net
	if s.Diff {
		s.Total = baseTotal
	} else {
		s.Net = 0
	}
	for _, name := range order {
		w := funcs[name]
		s.Funcs = append(s.Funcs, Func{name, w.flat, w.cum})
	}
	slices.SortStableFunc(s.Funcs, byFlat)
	return s, nil
}

// TopFlat returns the n functions with the largest flat weight (all of
// them if n <= 0 or n exceeds their number).
func (s *Summary) TopFlat(n int) []Func {
	return top(s.Funcs, n)
}

// TopCum returns the n functions with the largest cumulative weight,
// ordered as pprof -top -cum orders them.
func (s *Summary) TopCum(n int) []Func {
	fs := slices.Clone(s.Funcs)
	slices.SortStableFunc(fs, byCum)
	return top(fs, n)
}

func top(fs []Func, n int) []Func {
	if n <= 0 || n > len(fs) {
		n = len(fs)
	}
	return slices.Clone(fs[:n])
}

// sampleIndex picks the value index for a sample type name.
func sampleIndex(p *profile.Profile, name string) (int, error) {
	if len(p.SampleType) == 0 {
		return 0, fmt.Errorf("%w: no sample types", ErrNotProfile)
	}
	if name == "" {
		for i, st := range p.SampleType {
			if st.Type == "cpu" {
				return i, nil
			}
		}
	}
	i, err := p.SampleIndexByName(name)
	if err != nil {
		return 0, fmt.Errorf("profsum: %w", err)
	}
	return i, nil
}

// frameNames lists the functions of one location, innermost first, as
// pprof names them. An unsymbolized frame is named by its address.
func frameNames(loc *profile.Location) []string {
	if len(loc.Line) == 0 {
		return []string{fmt.Sprintf("%#x", loc.Address)}
	}
	names := make([]string, 0, len(loc.Line))
	for _, l := range loc.Line {
		if l.Function != nil && l.Function.Name != "" {
			names = append(names, l.Function.Name)
		} else {
			names = append(names, fmt.Sprintf("%#x", loc.Address))
		}
	}
	return names
}

// passesOn reports whether a frame no group claims hands its sample on to
// its caller: an unsymbolized address, or a function of the standard
// library (its import path's first element has no dot, and it is not
// package main).
func passesOn(name string) bool {
	if strings.HasPrefix(name, "0x") {
		return true
	}
	pkg := packageOf(name)
	if pkg == "main" {
		return false
	}
	first, _, _ := strings.Cut(pkg, "/")
	return !strings.Contains(first, ".")
}

// packageOf returns the import path of a function named as pprof names
// it ("example.com/m/pkg.(*T).Method", "sync/atomic.AddInt64",
// "pkg.F[...]").
func packageOf(name string) string {
	if i := strings.IndexByte(name, '['); i >= 0 {
		name = name[:i]
	}
	slash := strings.LastIndexByte(name, '/')
	if dot := strings.IndexByte(name[slash+1:], '.'); dot >= 0 {
		return name[:slash+1+dot]
	}
	return name
}

// matchGroup returns the index of the first group claiming name, or
// len(groups) for the rest.
func matchGroup(name string, groups []Group) int {
	for i, g := range groups {
		for _, p := range g.Prefixes {
			if hasPackagePrefix(name, p) {
				return i
			}
		}
		if g.Regexp != nil && g.Regexp.MatchString(name) {
			return i
		}
	}
	return len(groups)
}

// hasPackagePrefix reports whether function name is in package prefix or
// below it. The byte after the prefix must end a path element: '.' before
// the function name, '/' before a subpackage.
func hasPackagePrefix(name, prefix string) bool {
	if prefix == "" || !strings.HasPrefix(name, prefix) {
		return false
	}
	if len(name) == len(prefix) || strings.HasSuffix(prefix, "/") || strings.HasSuffix(prefix, ".") {
		return true
	}
	c := name[len(prefix)]
	return c == '.' || c == '/'
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func byFlat(a, b Func) int {
	if x, y := abs64(a.Flat), abs64(b.Flat); x != y {
		return cmpDesc(x, y)
	}
	if a.Name != b.Name {
		return strings.Compare(a.Name, b.Name)
	}
	return cmpDesc(abs64(a.Cum), abs64(b.Cum))
}

func byCum(a, b Func) int {
	if x, y := abs64(a.Cum), abs64(b.Cum); x != y {
		return cmpDesc(x, y)
	}
	if a.Name != b.Name {
		return strings.Compare(a.Name, b.Name)
	}
	return cmpDesc(abs64(a.Flat), abs64(b.Flat))
}

func cmpDesc(x, y int64) int {
	switch {
	case x > y:
		return -1
	case x < y:
		return 1
	}
	return 0
}
