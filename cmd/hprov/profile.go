package main

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/hprov/hprov/cmd/hprov/internal/profsum"
)

const profileSynopsis = `[flags] FILE

Summarises a pprof profile (hprov storm -cpuprofile, go test -cpuprofile):
the top functions by flat and by cumulative weight, as "go tool pprof -top"
ranks them, and the share of samples in each group of packages. Without
-group the groups are hprov's: the CryptoAPI layer (engine/csp), the engine,
the baseline tables, the harness (loadgen and cmd/hprov for storms, package
testing for go test), the Go runtime, and the rest. With -group (repeatable)
they are yours, plus the runtime. A sample counts for the innermost group
on its stack: sync/atomic, other standard packages and the runtime working
for a group (an atomic store, a write barrier, an allocation) count for it;
code outside the standard library that no group claims counts as "other";
the runtime keeps only the samples no group called (GC workers, the
scheduler).

-diff_base, -focus, -ignore, -tagfocus and -sample_index are pprof's: with
-diff_base the weights are FILE minus OLD and percentages are of OLD's
total, as "go tool pprof -top -diff_base OLD FILE" prints them.`

// The package groups a profile is split into, most specific first (a
// function counts for the first group that claims it).
var profileGroups = []profsum.Group{
	{Name: "csp", Prefixes: []string{"github.com/hprov/hprov/engine/csp"}},
	{Name: "engine", Prefixes: []string{"github.com/hprov/hprov/engine"}},
	{Name: "baseline", Prefixes: []string{"github.com/hprov/hprov/bench/baseline", "github.com/puzpuzpuz/xsync"}},
	// The storm harness, and testing.B's loop for go test profiles.
	{Name: "harness", Prefixes: []string{"github.com/hprov/hprov/loadgen", "github.com/hprov/hprov/cmd/hprov", "testing"}},
	runtimeGroup,
}

// runtimeGroup works for whoever called it; it follows user groups too.
var runtimeGroup = profsum.Group{Name: "runtime", Prefixes: []string{"runtime"}, Support: true}

// groupFlag collects -group name=regexp.
type groupFlag struct{ groups []profsum.Group }

func (g *groupFlag) String() string { return "" }

func (g *groupFlag) Set(s string) error {
	name, expr, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" || expr == "" {
		return fmt.Errorf("%q is not name=regexp", s)
	}
	if name == "other" {
		return fmt.Errorf("%q: the name other is kept for functions no group claims", s)
	}
	for _, have := range g.groups {
		if have.Name == name {
			return fmt.Errorf("group %s named twice", name)
		}
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return fmt.Errorf("%q: %v", s, err)
	}
	g.groups = append(g.groups, profsum.Group{Name: name, Regexp: re})
	return nil
}

// withRuntime appends the runtime as a support group unless the user
// named a group runtime.
func (g *groupFlag) withRuntime() []profsum.Group {
	for _, have := range g.groups {
		if have.Name == runtimeGroup.Name {
			return g.groups
		}
	}
	return append(g.groups, runtimeGroup)
}

func profile(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("profile", profileSynopsis)
	top := fs.Int("top", 10, "show the top `n` functions by flat and by cum")
	diffBase := fs.String("diff_base", "", "subtract the `OLD.pprof` profile, as go tool pprof -diff_base")
	focus := fs.String("focus", "", "keep only samples with a frame whose function or file name matches `regexp`")
	ignore := fs.String("ignore", "", "drop samples with a frame whose function or file name matches `regexp`")
	tagfocus := fs.String("tagfocus", "", "keep only samples whose labels match `[key=]regexp[,regexp]` (e.g. phase=measure)")
	sampleIndex := fs.String("sample_index", "", "weigh samples by this sample `type` or index (default cpu if present)")
	var groups groupFlag
	fs.Var(&groups, "group", "a package group `name=regexp` on function names (repeatable; replaces hprov's groups)")
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
	var filter profsum.Filter
	for _, rx := range []struct {
		name, expr string
		dst        **regexp.Regexp
	}{{"-focus", *focus, &filter.Focus}, {"-ignore", *ignore, &filter.Ignore}} {
		if err == nil && rx.expr != "" {
			if *rx.dst, err = regexp.Compile(rx.expr); err != nil {
				err = usagef("%s: %v", rx.name, err)
			}
		}
	}
	if err == nil && *tagfocus != "" {
		if filter.TagFocus, err = profsum.ParseTagFocus(*tagfocus); err != nil {
			err = usagef("-%v", err)
		}
	}
	if err != nil {
		return fail(stderr, "profile", err)
	}
	p, err := profsum.ReadFile(pos[0])
	if err != nil {
		return fail(stderr, "profile", usagef("%v", unwrapPathKeep(err, pos[0])))
	}
	if *diffBase != "" {
		base, err := profsum.ReadFile(*diffBase)
		if err != nil {
			return fail(stderr, "profile", usagef("-diff_base: %v", unwrapPathKeep(err, *diffBase)))
		}
		if p, err = profsum.Diff(base, p); err != nil {
			return fail(stderr, "profile", usagef("%v", err))
		}
	}
	for _, f := range filter.Apply(p) {
		fmt.Fprintf(stderr, "hprov profile: %s matched no samples\n", f)
	}
	opts := profsum.Options{Groups: profileGroups, Rest: "other", SampleType: *sampleIndex}
	if len(groups.groups) > 0 {
		opts.Groups = groups.withRuntime()
	}
	sum, err := profsum.Summarize(p, opts)
	if err != nil {
		return fail(stderr, "profile", usagef("%s: %v", pos[0], strings.TrimPrefix(err.Error(), "profsum: ")))
	}
	if err := sum.WriteText(stdout, *top); err != nil {
		return fail(stderr, "profile", err)
	}
	return exitOK
}
