package main

// ab.go is "hprov ab": flags and the order of the steps. The machinery
// (worktrees, test binaries, interleaved runs, profiles) is in
// internal/abrun; the verdict is the gate of hprov compare (ab_gate.go).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hprov/hprov/cmd/hprov/internal/abrun"
	"github.com/hprov/hprov/cmd/hprov/internal/gate"
	"golang.org/x/perf/benchfmt"
	"golang.org/x/term"
)

const abSynopsis = `-base REV [-head REV] [flags] [packages]

Did my change make it slower? Builds "go test -c" binaries of the packages
(default ./...) whose benchmarks -bench selects, for the base revision (checked
out in a temporary git worktree, removed afterwards whatever happens) and for
the head (the working tree as it is, uncommitted changes included, or -head
REV), runs the two sides interleaved in a balanced order (Thue-Morse: A B B A
B A A B ...) -count times each, writes base.txt and head.txt in Go benchmark
format into -o DIR, and compares them with the gate of hprov compare.

For every benchmark that regressed in time per operation, it then runs that
benchmark again on both sides with -cpuprofile, interleaved, the same number of
iterations on each side, until each has about -explain-samples samples (for a
large regression, until both have twice that together, the faster side at
least an eighth of it); it
writes the profiles into DIR/profiles and prints the functions whose flat and
cumulative time grew most (go tool pprof -top -diff_base), with the go tool
pprof command to explore the difference.

-aa first runs the base against itself the same way and reports the noise:
the largest |delta| and how many rows came out significant by chance.

Exit status: the gate's (0 no regression, 1 a regression, 3 inconclusive),
2 when the comparison could not be made (not a git repository, an unknown
revision, a package that does not build on one side, no benchmark matched, a
failing benchmark), 130 on SIGINT or SIGTERM. In every case the worktree is
gone, and the results measured so far stay in DIR.`

// abOptions is everything the flags say.
type abOptions struct {
	base, head string
	patterns   []string
	settings   abrun.Settings
	count      int
	tags       string
	outDir     string
	aa         bool
	samples    int // CPU samples per side when explaining; 0: none
	verbose    bool
	gate       gate.Config // the flags of hprov compare's gate
}

func ab(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("ab", abSynopsis)
	o := abOptions{gate: gate.DefaultConfig()}
	o.gate.RegisterFlags(fs)
	fs.StringVar(&o.base, "base", "", "the base `revision` (required)")
	fs.StringVar(&o.head, "head", "", "the head `revision` (default: the working tree, uncommitted changes included)")
	fs.StringVar(&o.settings.Bench, "bench", ".", "run the benchmarks matching `regexp`, as go test -bench")
	fs.StringVar(&o.settings.Benchtime, "benchtime", "", "go test -benchtime `d` (like 1s or 1000x; default go test's 1s)")
	fs.IntVar(&o.count, "count", 10, "`runs` of each side")
	fs.StringVar(&o.settings.CPU, "cpu", "", "go test -cpu `list` of GOMAXPROCS values")
	fs.BoolVar(&o.settings.Benchmem, "benchmem", true, "go test -benchmem: report B/op and allocs/op")
	fs.DurationVar(&o.settings.Timeout, "timeout", 10*time.Minute, "limit for one run of one test binary, as go test -timeout")
	fs.StringVar(&o.tags, "tags", "", "build `tags` for both sides")
	fs.StringVar(&o.outDir, "o", "", "write base.txt, head.txt and profiles into `DIR` (default: a fresh temporary directory)")
	fs.BoolVar(&o.aa, "aa", false, "first run the base against itself and report the noise")
	fs.IntVar(&o.samples, "explain-samples", 2000, "CPU profile `samples` per side for each regression; 0: no profiles")
	fs.BoolVar(&o.verbose, "v", false, "print progress on stderr (the default when stderr is a terminal)")
	pos, err := parse(fs, args, stdout)
	if errors.Is(err, errHelp) {
		return exitOK
	}
	if err == nil {
		err = o.check(pos)
	}
	if err != nil {
		return fail(stderr, "ab", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runAB(ctx, o, stdout, stderr)
}

func (o *abOptions) check(pos []string) error {
	if o.base == "" {
		return usagef("-base is required: the revision to compare against, like -base main or -base HEAD~1")
	}
	o.patterns = pos
	if len(o.patterns) == 0 {
		o.patterns = []string{"./..."}
	}
	if err := abrun.ValidateBench(o.settings.Bench); err != nil {
		return usagef("%v", err)
	}
	if o.count <= 0 {
		return usagef("-count must be positive, got %d", o.count)
	}
	if bt := o.settings.Benchtime; bt != "" {
		if n, ok := strings.CutSuffix(bt, "x"); ok {
			if v, err := strconv.ParseInt(n, 10, 64); err != nil || v <= 0 {
				return usagef("-benchtime %q: want a duration like 1s or a count like 100x", bt)
			}
		} else if d, err := time.ParseDuration(bt); err != nil || d <= 0 {
			return usagef("-benchtime %q: want a duration like 1s or a count like 100x", bt)
		}
	}
	if o.settings.CPU != "" {
		for _, c := range strings.Split(o.settings.CPU, ",") {
			if n, err := strconv.Atoi(strings.TrimSpace(c)); err != nil || n <= 0 {
				return usagef("-cpu %q: want a list of positive GOMAXPROCS values like 1,2,4", o.settings.CPU)
			}
		}
	}
	if o.settings.Timeout < 0 {
		return usagef("-timeout must not be negative")
	}
	if o.samples < 0 {
		return usagef("-explain-samples must not be negative")
	}
	if err := o.gate.Validate(); err != nil {
		return usagef("%v", err)
	}
	return nil
}

// A side is one revision's checkout and binaries.
type abSide struct {
	name   string // "base" or "head"
	rev    string // as given ("" for the working tree)
	commit string // full hash
	dirty  bool   // the working tree, with uncommitted changes
	dir    string // where package patterns resolve
	pkgs   []abrun.Package
	bins   []*abrun.Binary
}

func (s *abSide) describe() string {
	switch {
	case s.rev == "":
		if s.dirty {
			return fmt.Sprintf("the working tree (%s with uncommitted changes)", abrun.Short(s.commit))
		}
		return fmt.Sprintf("the working tree (%s)", abrun.Short(s.commit))
	case strings.HasPrefix(s.commit, s.rev):
		return abrun.Short(s.commit)
	}
	return fmt.Sprintf("%s (%s)", abrun.Short(s.commit), s.rev)
}

// runAB does the work; every exit from it leaves no worktree behind.
func runAB(ctx context.Context, o abOptions, stdout, stderr io.Writer) (code int) {
	// say reports progress: wanted on a terminal, noise in a failure's
	// one-line report otherwise.
	verbose := o.verbose || isTerminal(stderr)
	say := func(format string, args ...any) {
		if verbose {
			fmt.Fprintf(stderr, "hprov ab: "+format+"\n", args...)
		}
	}
	failed := func(err error) int {
		if ctx.Err() != nil {
			// As hprov storm: the shell's status for SIGINT.
			fmt.Fprintf(stderr, "hprov ab: interrupted: %s\n", oneLine(err.Error()))
			return exitInterrupted
		}
		return fail(stderr, "ab", usagef("%v", err))
	}
	cwd, err := os.Getwd()
	if err != nil {
		return failed(err)
	}
	repo, err := abrun.OpenRepo(ctx, cwd)
	if err != nil {
		return failed(err)
	}
	base := &abSide{name: "base", rev: o.base}
	head := &abSide{name: "head", rev: o.head}
	if base.commit, err = repo.Resolve(ctx, o.base); err != nil {
		return failed(fmt.Errorf("-base: %w", err))
	}
	headRev := o.head
	if headRev == "" {
		headRev = "HEAD"
	}
	if head.commit, err = repo.Resolve(ctx, headRev); err != nil {
		if o.head == "" {
			// A repository without commits has no HEAD to describe.
			return failed(fmt.Errorf("the working tree has no commit (HEAD): %w", err))
		}
		return failed(fmt.Errorf("-head: %w", err))
	}
	if o.head == "" {
		if head.dirty, err = repo.Dirty(ctx); err != nil {
			return failed(err)
		}
		head.dir = filepath.Join(repo.Top, repo.Rel)
	}

	// The output directory comes before the worktree: a bad -o fails
	// with nothing to clean up, and is not seen as an uncommitted change.
	out, err := makeOutDir(o.outDir)
	if err != nil {
		return failed(err)
	}
	tmp, err := os.MkdirTemp("", "hprov-ab-")
	if err != nil {
		return failed(err)
	}
	defer os.RemoveAll(tmp)

	for _, s := range []*abSide{base, head} {
		if s.dir != "" {
			continue
		}
		wt, err := repo.AddWorktree(ctx, s.commit)
		if err != nil {
			return failed(fmt.Errorf("%s: %w", s.name, err))
		}
		defer func() {
			if err := wt.Remove(); err != nil {
				fmt.Fprintf(stderr, "hprov ab: removing the worktree %s: %v\n", wt.Dir, err)
				if code == exitOK {
					code = exitUsage
				}
			}
		}()
		s.dir = wt.PkgDir()
	}
	say("base: %s; head: %s", base.describe(), head.describe())

	// Packages with selected benchmarks, on each side, and those with a
	// test file that does not parse, for go test -c to say why.
	var unresolved [2]map[string]string
	for i, s := range []*abSide{base, head} {
		if s.pkgs, unresolved[i], err = abrun.ListBenchmarks(ctx, s.dir, o.patterns, o.settings.Bench, o.tags); err != nil {
			return failed(fmt.Errorf("%s: %w", s.name, err))
		}
	}
	// A package may exist on one side only; a pattern must name
	// something on at least one.
	for _, pat := range o.patterns {
		if msg, ok := unresolved[0][pat]; ok {
			if _, ok := unresolved[1][pat]; ok {
				return failed(fmt.Errorf("%s matches no package on either side: %s", pat, msg))
			}
		}
	}
	if len(base.pkgs)+len(head.pkgs) == 0 {
		return failed(fmt.Errorf("%w -bench %q in %s on either side", abrun.ErrNoBenchmarks, o.settings.Bench, strings.Join(o.patterns, " ")))
	}
	for _, s := range []*abSide{base, head} {
		for i, p := range s.pkgs {
			say("%s: building %s", s.name, p.ImportPath)
			bin, err := abrun.Build(ctx, s.dir, p, filepath.Join(tmp, fmt.Sprintf("%s-%d.test", s.name, i)), o.tags)
			if err != nil {
				return failed(fmt.Errorf("%s (%s): %w", s.name, s.describe(), err))
			}
			s.bins = append(s.bins, bin)
		}
	}

	files := func(name1, name2 string, s1, s2 *abSide) [2]*abrun.File {
		return [2]*abrun.File{
			{Path: filepath.Join(out, name1), Config: s1.config()},
			{Path: filepath.Join(out, name2), Config: s2.config()},
		}
	}
	if o.aa {
		aa := files("aa-base.txt", "aa-base-again.txt", base, base)
		again := *base
		again.name = "base again"
		say("A/A: the base against itself, %d runs of each", o.count)
		if err := interleave(ctx, [2]*abSide{base, &again}, aa, o, say); err != nil {
			return failed(fmt.Errorf("A/A: %w; measured so far in %s", err, out))
		}
		if err := reportNoise(aa[0].Path, aa[1].Path, o.gate, stderr); err != nil {
			return failed(err)
		}
	}
	ab := files("base.txt", "head.txt", base, head)
	say("A/B: %d runs of each side, interleaved", o.count)
	if err := interleave(ctx, [2]*abSide{base, head}, ab, o, say); err != nil {
		return failed(fmt.Errorf("%w; measured so far in %s", err, out))
	}
	fmt.Fprintf(stderr, "hprov ab: base %s, head %s: base.txt and head.txt in %s\n", base.describe(), head.describe(), out)
	verdict := gateAB(ab[0].Path, ab[1].Path, o.gate, stdout, stderr)
	if len(verdict.regressions) > 0 && o.samples > 0 {
		if err := explain(ctx, base, head, verdict.regressions, o, out, tmp, stdout, stderr); err != nil {
			if ctx.Err() != nil {
				return failed(err)
			}
			fmt.Fprintf(stderr, "hprov ab: could not profile the regression: %s\n", oneLine(err.Error()))
		}
	}
	return verdict.code
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// config is the file configuration written ahead of a side's results:
// the commit ("-dirty" for a working tree with uncommitted changes) and
// the Go version.
func (s *abSide) config() []benchfmt.Config {
	goVersion := ""
	if len(s.bins) > 0 {
		goVersion = s.bins[0].GoVersion
	}
	revision := s.commit
	if s.dirty {
		revision += "-dirty"
	}
	cfg := []benchfmt.Config{{Key: "revision", Value: []byte(revision), File: true}}
	if goVersion != "" {
		cfg = append(cfg, benchfmt.Config{Key: "go", Value: []byte(goVersion), File: true})
	}
	return cfg
}

// makeOutDir creates -o DIR, or a fresh temporary directory.
func makeOutDir(dir string) (string, error) {
	if dir == "" {
		return os.MkdirTemp("", "hprov-ab-results-")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("-o: %v", unwrapPath(err))
	}
	// Absolute, so that the go tool pprof commands printed work from
	// anywhere.
	return filepath.Abs(dir)
}

// interleave runs both sides' binaries o.count times each in Thue-Morse
// order and writes each side's file after every run, so an interrupt
// keeps what was measured.
func interleave(ctx context.Context, sides [2]*abSide, files [2]*abrun.File, o abOptions, say func(string, ...any)) error {
	total := 2 * o.count
	for i := range total {
		side := abrun.Side(i)
		start := time.Now()
		for _, bin := range sides[side].bins {
			recs, err := abrun.Run(ctx, bin, o.settings)
			if err != nil {
				return fmt.Errorf("%s: %w", sides[side].name, err)
			}
			files[side].Add(recs)
			if err := files[side].Write(); err != nil {
				return err
			}
		}
		say("run %d/%d: %s, %.1fs", i+1, total, sides[side].name, time.Since(start).Seconds())
	}
	for _, f := range files {
		if f.Results() == 0 {
			return fmt.Errorf("%w: the selected benchmarks printed no results (does -bench %q select sub-benchmarks that do not exist?)", abrun.ErrNoBenchmarks, o.settings.Bench)
		}
	}
	return nil
}
