package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/hprov/hprov/loadgen"
	"github.com/hprov/hprov/loadgen/profiles"
	"github.com/hprov/hprov/loadgen/report"
)

const stormSynopsis = `[flags]

Runs storms: every worker count (-workers) of every profile (-profile, or
the weighted mix -mix) on every table implementation (-impl, for
engine-insert-release), -count times, interleaved (A B A B ...) so that drift
on a shared machine does not pass for a difference between them. Prints a
table (or -json) on stdout; -o writes Go benchmark format for benchstat and
hprov compare. Without -profile, -mix or -impl it runs the standard suite:
every profile, engine-insert-release on every impl, on the default worker
counts, 500ms each after 100ms of warm-up (about 15 s in all); -duration,
-ops, -rate, -workers and -count still apply. Exit status 1 if any storm
finds a violation or fails its leak check.

profiles:
`

// Defaults of the standard suite and of explicit storms.
const (
	suiteDuration   = 500 * time.Millisecond
	suiteWarmup     = 100 * time.Millisecond
	defaultDuration = 2 * time.Second
	opsWarmup       = 100 * time.Millisecond
)

type stormFlags struct {
	profile, mix, workers, impl, rate string
	duration                          time.Duration
	ops                               uint64
	count                             int
	out                               string
	json                              bool
	cpuProfile, memProfile            string
	mutexProfile, blockProfile        string
}

func stormFlagSet(f *stormFlags) *flag.FlagSet {
	var b strings.Builder
	b.WriteString(stormSynopsis)
	for _, name := range profiles.Names() {
		fmt.Fprintf(&b, "  %-22s %s\n", name, profiles.Describe(name))
	}
	fmt.Fprintf(&b, "  %-22s %s\n", "mixed", "a weighted mix of the above (-mix)")
	fs := newFlagSet("storm", b.String())
	fs.StringVar(&f.profile, "profile", "", "profile(s) to run, comma-separated (default: the standard suite)")
	fs.StringVar(&f.mix, "mix", "", "run one weighted mix of profiles, `name=weight,...` (e.g. acquire-release=70,hash-session=30)")
	fs.StringVar(&f.workers, "workers", defaultWorkers(), "worker counts to run, comma-separated `list`")
	fs.DurationVar(&f.duration, "duration", defaultDuration, "measured `time` per storm, after a warm-up of a tenth of it (50ms to 1s)")
	fs.Uint64Var(&f.ops, "ops", 0, "measure this many operations per storm instead of a duration")
	fs.StringVar(&f.rate, "rate", "", "open loop: target arrival `rate` in ops/s over all workers (e.g. 250k); default closed loop")
	fs.StringVar(&f.impl, "impl", "", "table implementation(s) for engine-insert-release, comma-separated, or all: "+strings.Join(profiles.Impls(), ", "))
	fs.IntVar(&f.count, "count", 1, "run every storm `n` times, interleaved")
	fs.StringVar(&f.out, "o", "", "write results in Go benchmark format to `file`")
	fs.BoolVar(&f.json, "json", false, "print JSON instead of the table")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the storms to `file`")
	fs.StringVar(&f.memProfile, "memprofile", "", "write an allocation profile to `file` after the storms")
	fs.StringVar(&f.mutexProfile, "mutexprofile", "", "write a mutex contention profile to `file`")
	fs.StringVar(&f.blockProfile, "blockprofile", "", "write a goroutine blocking profile to `file`")
	return fs
}

func defaultWorkers() string {
	if p := runtime.GOMAXPROCS(0); p > 1 {
		return "1," + strconv.Itoa(p)
	}
	return "1"
}

// A stormPlan is the validated form of the flags.
type stormPlan struct {
	storms []plannedStorm // one round, in order
	count  int
	config loadgen.Config // Workers is set per storm
}

type plannedStorm struct {
	workload loadgen.Workload
	impl     string
	workers  int
}

func (p plannedStorm) String() string {
	return fmt.Sprintf("%s/impl=%s/workers=%d", p.workload.Name, p.impl, p.workers)
}

// plan turns the flags into storms, or a usage error.
func plan(fs *flag.FlagSet, f *stormFlags) (*stormPlan, error) {
	suite := !flagSet(fs, "profile") && !flagSet(fs, "mix") && !flagSet(fs, "impl")
	p := &stormPlan{count: f.count}
	if f.count <= 0 {
		return nil, usagef("-count must be positive, got %d", f.count)
	}
	workers, err := parseWorkers(f.workers)
	if err != nil {
		return nil, err
	}

	// How long each storm runs.
	switch {
	case flagSet(fs, "ops") && flagSet(fs, "duration"):
		return nil, usagef("-ops and -duration are exclusive")
	case flagSet(fs, "ops"):
		if f.ops == 0 {
			return nil, usagef("-ops must be positive")
		}
		p.config.Ops, p.config.Warmup = f.ops, opsWarmup
	case f.duration <= 0:
		return nil, usagef("-duration must be positive, got %v", f.duration)
	case suite && !flagSet(fs, "duration"):
		p.config.Duration, p.config.Warmup = suiteDuration, suiteWarmup
	default:
		p.config.Duration = f.duration
		p.config.Warmup = min(max(f.duration/10, 50*time.Millisecond), time.Second)
	}
	if flagSet(fs, "rate") {
		if p.config.Rate, err = parseRate(f.rate); err != nil {
			return nil, err
		}
	}

	// Which implementations.
	impls := parseList(f.impl)
	explicitImpl := len(impls) > 0
	switch {
	case slices.Equal(impls, []string{"all"}):
		impls = profiles.Impls()
	case flagSet(fs, "impl") && len(impls) == 0:
		return nil, usagef("-impl: empty list")
	case len(impls) == 0 && suite:
		impls = profiles.Impls()
	case len(impls) == 0:
		impls = []string{"hprov"}
	}
	for _, im := range impls {
		if !slices.Contains(profiles.Impls(), im) {
			return nil, usagef("unknown impl %q (valid: %s, or all)", im, strings.Join(profiles.Impls(), ", "))
		}
	}

	// Which workloads, each with the impls it runs on.
	type workloadImpls struct {
		build func(impl string) (loadgen.Workload, error)
		name  string
	}
	var wls []workloadImpls
	switch {
	case flagSet(fs, "mix"):
		if flagSet(fs, "profile") && f.profile != "mixed" {
			return nil, usagef("-mix runs the profile mixed; drop -profile %s", f.profile)
		}
		parts, err := parseMix(f.mix)
		if err != nil {
			return nil, err
		}
		for _, pt := range parts {
			if !slices.Contains(profiles.Names(), pt.name) {
				return nil, usagef("-mix: unknown profile %q (valid: %s)", pt.name, strings.Join(profiles.Names(), ", "))
			}
		}
		wls = append(wls, workloadImpls{name: "mixed", build: func(impl string) (loadgen.Workload, error) {
			var ws []loadgen.Weighted
			for _, pt := range parts {
				w, err := profiles.New(pt.name, profiles.Options{Impl: impl})
				if err != nil {
					return loadgen.Workload{}, err
				}
				ws = append(ws, loadgen.Weighted{Workload: w, Weight: pt.weight})
			}
			return loadgen.Mix("mixed", ws...)
		}})
	case flagSet(fs, "profile"):
		names := parseList(f.profile)
		if len(names) == 0 {
			return nil, usagef("-profile: empty")
		}
		for _, n := range names {
			if n == "mixed" {
				return nil, usagef("-profile mixed needs -mix name=weight,...")
			}
			if !slices.Contains(profiles.Names(), n) {
				return nil, usagef("unknown profile %q (valid: %s, mixed)", n, strings.Join(profiles.Names(), ", "))
			}
		}
		for _, n := range names {
			wls = append(wls, workloadImpls{name: n, build: func(impl string) (loadgen.Workload, error) {
				return profiles.New(n, profiles.Options{Impl: impl})
			}})
		}
	case explicitImpl:
		wls = append(wls, workloadImpls{name: "engine-insert-release", build: func(impl string) (loadgen.Workload, error) {
			return profiles.New("engine-insert-release", profiles.Options{Impl: impl})
		}})
	default:
		for _, n := range profiles.Names() {
			wls = append(wls, workloadImpls{name: n, build: func(impl string) (loadgen.Workload, error) {
				return profiles.New(n, profiles.Options{Impl: impl})
			}})
		}
	}

	// Workloads on engine/csp run on hprov only: they take part when hprov
	// is among the impls, and are an error when asked for alone on another.
	for _, wl := range wls {
		var built []plannedStorm
		var firstErr error
		for _, im := range impls {
			w, err := wl.build(im)
			if errors.Is(err, profiles.ErrImplNotSupported) && (!explicitImpl || slices.Contains(impls, "hprov")) {
				continue
			}
			if err != nil {
				firstErr = err
				break
			}
			built = append(built, plannedStorm{workload: w, impl: im})
		}
		if firstErr != nil {
			return nil, usagef("%v", firstErr)
		}
		if len(built) == 0 {
			return nil, usagef("%s runs on impl hprov only (it drives engine/csp); -impl %s applies to engine-insert-release", wl.name, f.impl)
		}
		// Interleave: every impl of one worker count back to back.
		for _, n := range workers {
			for _, b := range built {
				b.workers = n
				p.storms = append(p.storms, b)
			}
		}
	}
	return p, nil
}

// storm is the storm subcommand.
func storm(args []string, stdout, stderr io.Writer) int {
	var f stormFlags
	fs := stormFlagSet(&f)
	pos, err := parse(fs, args, stdout)
	if errors.Is(err, errHelp) {
		return exitOK
	}
	if err == nil && len(pos) > 0 {
		err = usagef("unexpected argument %q (flags only; see -h)", pos[0])
	}
	if err != nil {
		return fail(stderr, "storm", err)
	}
	p, err := plan(fs, &f)
	if err != nil {
		return fail(stderr, "storm", err)
	}

	// Every output file is created before the first storm, so that a bad
	// path fails at once, and committed only at the end.
	var outputs []*outputFile
	abort := func() {
		for _, o := range outputs {
			o.Abort()
		}
	}
	open := func(flagName, path string) (*outputFile, error) {
		if path == "" {
			return nil, nil
		}
		o, err := createOutput(flagName, path)
		if err == nil {
			outputs = append(outputs, o)
		}
		return o, err
	}
	var results, cpu, mem, mutex, block *outputFile
	for _, o := range []struct {
		dst        **outputFile
		flag, path string
	}{{&results, "-o", f.out}, {&cpu, "-cpuprofile", f.cpuProfile}, {&mem, "-memprofile", f.memProfile},
		{&mutex, "-mutexprofile", f.mutexProfile}, {&block, "-blockprofile", f.blockProfile}} {
		if *o.dst, err = open(o.flag, o.path); err != nil {
			abort()
			return fail(stderr, "storm", err)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if cpu != nil {
		if err := pprof.StartCPUProfile(cpu); err != nil {
			abort()
			return fail(stderr, "storm", err)
		}
	}
	if mutex != nil {
		defer runtime.SetMutexProfileFraction(runtime.SetMutexProfileFraction(1))
	}
	if block != nil {
		runtime.SetBlockProfileRate(1)
		defer runtime.SetBlockProfileRate(0)
	}

	progress := progressLine(stderr)
	var (
		done     []*loadgen.Result
		failures []string
		status   = exitOK
	)
	total := p.count * len(p.storms)
	interrupted := false
rounds:
	for round := 0; round < p.count; round++ {
		for i, s := range p.storms {
			cfg := p.config
			cfg.Workers = s.workers
			if progress != nil {
				n, name := round*len(p.storms)+i+1, s.String()
				cfg.Progress = func(pr loadgen.Progress) { progress(n, total, name, pr) }
			}
			var res *loadgen.Result
			var runErr error
			labels := pprof.Labels("profile", s.workload.Name, "impl", s.impl, "workers", strconv.Itoa(s.workers))
			pprof.Do(ctx, labels, func(ctx context.Context) {
				res, runErr = loadgen.Run(ctx, s.workload, cfg)
			})
			if progress != nil {
				progress(0, 0, "", loadgen.Progress{})
			}
			if ctx.Err() != nil {
				interrupted = true
				break rounds
			}
			if res != nil {
				done = append(done, res)
			}
			if runErr != nil {
				failures = append(failures, fmt.Sprintf("%s: %v", s, runErr))
			}
		}
	}
	if cpu != nil {
		pprof.StopCPUProfile()
	}
	for _, o := range []struct {
		file *outputFile
		name string
	}{{mem, "allocs"}, {mutex, "mutex"}, {block, "block"}} {
		if o.file == nil {
			continue
		}
		if o.name == "allocs" {
			runtime.GC() // as testing does, so the profile is up to date
		}
		if err := pprof.Lookup(o.name).WriteTo(o.file, 0); err != nil {
			failures = append(failures, fmt.Sprintf("writing the %s profile: %v", o.name, err))
		}
	}

	rep := &report.Report{Env: report.Environment(commit()), Results: done}
	if f.json {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteTable(stdout)
	}
	if err != nil {
		failures = append(failures, fmt.Sprintf("writing the report: %v", err))
	}
	if results != nil && !interrupted {
		if err := rep.WriteBench(results); err != nil {
			failures = append(failures, fmt.Sprintf("-o: %v", err))
		}
	}

	if interrupted {
		abort()
		fmt.Fprintf(stderr, "hprov storm: interrupted after %d of %d storms; no files written\n", len(done), total)
		return exitFailure
	}
	for _, o := range outputs {
		if err := o.Commit(); err != nil {
			failures = append(failures, fmt.Sprintf("writing %s: %v", o.dest, err))
		}
	}
	var violations uint64
	var where []string
	for _, r := range done {
		if v := r.Violations(); v > 0 {
			violations += v
			where = append(where, fmt.Sprintf("%s (%d)", report.Name(r), v))
		}
	}
	if violations > 0 {
		failures = append(failures, fmt.Sprintf("%d violations: %s", violations, strings.Join(where, ", ")))
	}
	for _, msg := range failures {
		fmt.Fprintf(stderr, "hprov storm: %s\n", oneLine(msg))
		status = exitFailure
	}
	return status
}

// progressLine returns a function that keeps one status line on stderr
// while storms run, or nil when stderr is not a terminal. A call with n == 0
// clears the line.
func progressLine(stderr io.Writer) func(n, total int, name string, p loadgen.Progress) {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return func(n, total int, name string, p loadgen.Progress) {
		if n == 0 {
			fmt.Fprint(f, "\r\033[K")
			return
		}
		phase := ""
		if p.Warmup {
			phase = " (warm-up)"
		}
		fmt.Fprintf(f, "\r\033[K[%d/%d] %s: %s ops/s, %d errors%s", n, total, name, siRate(p.Rate), p.Errors, phase)
	}
}

// siRate formats a rate with an SI prefix and three significant digits.
func siRate(v float64) string {
	for _, u := range []struct {
		scale  float64
		suffix string
	}{{1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if v >= u.scale {
			return strconv.FormatFloat(v/u.scale, 'g', 3, 64) + u.suffix
		}
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// commit names the source revision for the report: git's short hash of
// HEAD, with "-dirty" when tracked files have uncommitted changes (as
// scripts/bench.sh names its files), or "unknown" outside a work tree.
func commit() string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "--short=12", "HEAD").Output()
	c := strings.TrimSpace(string(out))
	if err != nil || c == "" {
		return "unknown"
	}
	status, err := exec.CommandContext(ctx, "git", "status", "--porcelain", "--untracked-files=no").Output()
	if err == nil && len(strings.TrimSpace(string(status))) > 0 {
		c += "-dirty"
	}
	return c
}
