package main

import (
	"errors"
	"io"

	"github.com/hprov/hprov/cmd/hprov/internal/profsum"
)

const profileSynopsis = `[flags] FILE

Summarises a pprof profile (hprov storm -cpuprofile, go test -cpuprofile):
the top functions by flat and by cumulative weight, as "go tool pprof -top"
ranks them, and the share of samples in each part of hprov: the CryptoAPI
layer (engine/csp), the engine, the baseline tables, the harness (loadgen
and cmd/hprov for storms, package testing for go test), the Go runtime, and
the rest. A sample counts for the innermost part of hprov on its stack:
sync/atomic, other standard packages and the runtime working for the engine
(an atomic store, a write barrier, an allocation) count for the engine; the
runtime keeps only the samples no part of hprov called (GC workers, the
scheduler).`

// The package groups a profile is split into, most specific first (a
// function counts for the first group that claims it).
var profileGroups = []profsum.Group{
	{Name: "csp", Prefixes: []string{"github.com/hprov/hprov/engine/csp"}},
	{Name: "engine", Prefixes: []string{"github.com/hprov/hprov/engine"}},
	{Name: "baseline", Prefixes: []string{"github.com/hprov/hprov/bench/baseline", "github.com/puzpuzpuz/xsync"}},
	// The storm harness, and testing.B's loop for go test profiles.
	{Name: "harness", Prefixes: []string{"github.com/hprov/hprov/loadgen", "github.com/hprov/hprov/cmd/hprov", "testing"}},
	{Name: "runtime", Prefixes: []string{"runtime"}, Support: true},
}

func profile(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("profile", profileSynopsis)
	top := fs.Int("top", 10, "show the top `n` functions by flat and by cum")
	pos, err := parse(fs, args, stdout)
	if errors.Is(err, errHelp) {
		return exitOK
	}
	if err == nil && len(pos) != 1 {
		err = usagef("want one profile file; got %d argument(s) (see -h)", len(pos))
	}
	if err == nil && *top <= 0 {
		err = usagef("-top must be positive, got %d", *top)
	}
	if err != nil {
		return fail(stderr, "profile", err)
	}
	p, err := profsum.ReadFile(pos[0])
	if err != nil {
		return fail(stderr, "profile", usagef("%v", unwrapPathKeep(err, pos[0])))
	}
	sum, err := profsum.Summarize(p, profsum.Options{Groups: profileGroups, Rest: "other"})
	if err != nil {
		return fail(stderr, "profile", usagef("%s: %v", pos[0], err))
	}
	if err := sum.WriteText(stdout, *top); err != nil {
		return fail(stderr, "profile", err)
	}
	return exitOK
}
