package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/hprov/hprov/loadgen"
	"github.com/hprov/hprov/loadgen/report"
)

// ceilingTime is how long the generator's own ceiling is measured, per
// worker count, before open-loop storms.
const ceilingTime = 200 * time.Millisecond

// storm is the storm subcommand.
//
// SIGINT or SIGTERM stops the storm running at the time; the storms
// finished before it are reported and written as if they were all that was
// asked for (the table, -o, the profiles, the CPU profile up to that
// moment), stderr says how far the run got, and the exit status is 130. A
// second signal kills the process.
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
	outs, err := openOutputs([][2]string{{"-o", f.out}, {"-cpuprofile", f.cpuProfile}, {"-memprofile", f.memProfile},
		{"-mutexprofile", f.mutexProfile}, {"-blockprofile", f.blockProfile}})
	if err != nil {
		return fail(stderr, "storm", err)
	}
	cpu := outs.get("-cpuprofile")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal, the next one gets the default action.
	context.AfterFunc(ctx, stop)
	// The generator's own ceiling, per worker count, before the profiles
	// start: it is not part of any storm.
	ceilings := map[int]float64{}
	if p.config.Rate > 0 {
		for _, s := range p.storms {
			if _, ok := ceilings[s.workers]; ok || ctx.Err() != nil {
				continue
			}
			if c, err := loadgen.Ceiling(ctx, s.workers, ceilingTime); err == nil {
				ceilings[s.workers] = c
			}
		}
	}

	if cpu != nil {
		if err := pprof.StartCPUProfile(cpu); err != nil {
			outs.abort()
			return fail(stderr, "storm", err)
		}
	}
	if outs.get("-mutexprofile") != nil {
		defer runtime.SetMutexProfileFraction(runtime.SetMutexProfileFraction(1))
	}
	if outs.get("-blockprofile") != nil {
		runtime.SetBlockProfileRate(1)
		defer runtime.SetBlockProfileRate(0)
	}

	var (
		done     []*loadgen.Result
		failures []string
	)
	total := p.count * len(p.storms)
	progress := newProgress(stderr, total)
	storms := make([]loadgen.Storm, len(p.storms))
	for i, s := range p.storms {
		storms[i] = loadgen.Storm{Workload: s.workload, Config: p.config}
		storms[i].Config.Workers = s.workers
		storms[i].Config.Progress = progress.update
		storms[i].Config.ProgressEvery = progress.every
	}
	n := 0           // storms finished
	stopped := false // a storm was stopped by the signal (not between two)
	progress.start(1, p.storms[0].String())
	_ = loadgen.Rounds(ctx, storms, p.count, func(round, i int, res *loadgen.Result, err error) error {
		progress.clear()
		if ctx.Err() != nil {
			stopped = true
			return nil // interrupted: Rounds returns ctx's error
		}
		n++
		s := p.storms[i]
		if res != nil {
			res.GeneratorCeiling = ceilings[s.workers]
			// A storm that completed nothing has no rate to report: a
			// result line of 0 operations would read as data (benchstat
			// accepts it), so it is a failure and is not written.
			if res.Count == 0 {
				failures = append(failures, fmt.Sprintf("%s: no operation completed in the measured phase", s))
			} else {
				done = append(done, res)
			}
		}
		if err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", s, err))
		}
		if n < total {
			progress.start(n+1, p.storms[n%len(p.storms)].String())
		}
		return nil
	})
	interrupted := ctx.Err() != nil
	if cpu != nil {
		pprof.StopCPUProfile()
	}
	for _, o := range []struct{ flag, name string }{{"-memprofile", "allocs"}, {"-mutexprofile", "mutex"}, {"-blockprofile", "block"}} {
		err := outs.write(o.flag, func(w io.Writer) error {
			if o.name == "allocs" {
				runtime.GC() // as testing does, so the profile is up to date
			}
			return pprof.Lookup(o.name).WriteTo(w, 0)
		})
		if err != nil {
			failures = append(failures, fmt.Sprintf("writing the %s profile: %v", o.name, err))
		}
	}

	rep := &report.Report{Env: report.Environment(""), Results: done, Verbose: f.verbose}
	if f.json {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteTable(stdout)
	}
	if err != nil {
		failures = append(failures, fmt.Sprintf("writing the report: %v", err))
	}
	if len(done) == 0 {
		// Nothing finished: leave whatever file is there alone.
		outs.discard("-o")
	} else if err := outs.write("-o", rep.WriteBench); err != nil {
		failures = append(failures, fmt.Sprintf("-o: %v", err))
	}
	failures = append(failures, outs.commit()...)
	for _, v := range rep.Verdicts() {
		fmt.Fprintf(stderr, "hprov storm: %s\n", v)
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
	status := exitOK
	for _, msg := range failures {
		fmt.Fprintf(stderr, "hprov storm: %s\n", oneLine(msg))
		status = exitFailure
	}
	if interrupted {
		written := "nothing written"
		if names := outs.written(); len(names) > 0 {
			written = "wrote " + strings.Join(names, ", ")
		}
		where := fmt.Sprintf("before the first storm of %d", total)
		switch {
		case stopped:
			where = fmt.Sprintf("during storm %d of %d (%s, %s in)", n+1, total, p.storms[n%len(p.storms)], time.Since(progress.started).Round(time.Millisecond))
		case n > 0:
			where = fmt.Sprintf("after storm %d of %d", n, total)
		}
		fmt.Fprintf(stderr, "hprov storm: interrupted %s; %d finished storms reported; %s\n", where, len(done), written)
		return exitInterrupted
	}
	return status
}

// progressState keeps the user informed while storms run: on a terminal, a
// status line redrawn four times a second; otherwise, a line every
// progressEvery for storms that last that long, so that a long storm in CI
// shows it is alive.
type progressState struct {
	w        io.Writer
	terminal bool
	every    time.Duration
	total    int
	n        int       // the storm running, from 1
	name     string    // its name
	started  time.Time // when it started
}

const progressEvery = 10 * time.Second

func newProgress(stderr io.Writer, total int) *progressState {
	p := &progressState{w: stderr, total: total, every: progressEvery}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.terminal, p.every = true, 250*time.Millisecond
	}
	return p
}

func (p *progressState) start(n int, name string) {
	p.n, p.name, p.started = n, name, time.Now()
}

func (p *progressState) update(pr loadgen.Progress) {
	phase := ""
	if pr.Warmup {
		phase = " (warm-up)"
	}
	line := fmt.Sprintf("[%d/%d] %s: %s in, %s ops/s, %d errors%s", p.n, p.total, p.name,
		pr.Elapsed.Round(time.Second/10), siRate(pr.Rate), pr.Errors, phase)
	if p.terminal {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
	} else {
		fmt.Fprintf(p.w, "hprov storm: %s\n", line)
	}
}

func (p *progressState) clear() {
	if p.terminal {
		fmt.Fprint(p.w, "\r\033[K")
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
