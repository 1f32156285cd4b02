package main

import (
	"errors"
	"flag"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hprov/hprov/loadgen"
	"github.com/hprov/hprov/loadgen/profiles"
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
finds a violation, fails its leak check or completes no operation; 2 on bad
input, before anything runs; 130 after SIGINT or SIGTERM, which stops the
storm running and still reports and writes every storm finished before it.

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
	json, verbose                     bool
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
	fs.BoolVar(&f.verbose, "v", false, "print every round of every storm in the table, not one row per storm over its rounds")
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
	profile := func(name string) workloadImpls {
		return workloadImpls{name: name, build: func(impl string) (loadgen.Workload, error) {
			return profiles.New(name, profiles.Options{Impl: impl})
		}}
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
			wls = append(wls, profile(n))
		}
	case explicitImpl:
		wls = append(wls, profile("engine-insert-release"))
	default:
		for _, n := range profiles.Names() {
			wls = append(wls, profile(n))
		}
	}

	// Workloads on engine/csp run on hprov only, whatever -impl says: an
	// explicit -impl with one of them would be silently ignored, so it is
	// refused. In the standard suite they run once, on hprov.
	for _, wl := range wls {
		var built []plannedStorm
		for _, im := range impls {
			w, err := wl.build(im)
			if errors.Is(err, profiles.ErrImplNotSupported) && !explicitImpl {
				continue
			}
			if err != nil {
				return nil, usagef("%v", err)
			}
			if explicitImpl && w.Param("impl") != im {
				return nil, usagef("-impl %s: %s does not run on %s (-impl applies to engine-insert-release); drop -impl, or run it in a storm of its own", f.impl, wl.name, im)
			}
			built = append(built, plannedStorm{workload: w, impl: im})
		}
		if len(built) == 0 {
			return nil, usagef("%s runs on none of the impls %s", wl.name, strings.Join(impls, ", "))
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
