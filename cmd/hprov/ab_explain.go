package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/hprov/hprov/cmd/hprov/internal/abrun"
	"github.com/hprov/hprov/cmd/hprov/internal/profsum"
	"golang.org/x/perf/benchfmt"
)

// An abRegression is one row the gate found worse.
type abRegression struct {
	pkg  string // import path (the table's pkg configuration)
	name string // full name without "Benchmark", with the -N suffix
	unit string // tidied unit: sec/op, B/op, ...
	// delta is new/old - 1 of the medians.
	delta float64
	// slowCenter is the slower side's median in the unit (seconds for
	// sec/op): the head's, for a regression in time.
	slowCenter float64
}

// explainTop is how many functions each growth table shows.
const explainTop = 10

// explain profiles every benchmark that regressed in time per operation
// and prints where the head spends the extra time: to stdout with the
// text and markdown formats, and always to a file beside the profiles.
func explain(ctx context.Context, base, head *abSide, regs []abRegression, o abOptions, out, tmp string, stdout, stderr io.Writer) error {
	profDir := filepath.Join(out, "profiles")
	seen := make(map[string]bool)
	for _, r := range regs {
		if r.unit != "sec/op" {
			// A CPU profile says where time goes, not bytes or
			// allocations.
			fmt.Fprintf(stderr, "hprov ab: Benchmark%s (%s) regressed in %s: not profiled (a CPU profile explains time; for memory, go test -memprofile)\n", r.name, r.pkg, r.unit)
			continue
		}
		key := r.pkg + "\x00" + r.name
		if seen[key] {
			continue
		}
		seen[key] = true
		bb, hb := binaryFor(base, r.pkg), binaryFor(head, r.pkg)
		if bb == nil || hb == nil {
			continue
		}
		target, err := profileTarget(r, o.samples)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "hprov ab: profiling Benchmark%s (%s) on both sides, about %d samples each\n", r.name, r.pkg, o.samples)
		chunks, err := os.MkdirTemp(tmp, "prof-")
		if err != nil {
			return err
		}
		bp, hp, err := abrun.Profile(ctx, bb, hb, o.settings, target, chunks)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(profDir, 0o755); err != nil {
			return err
		}
		stem := filepath.Join(profDir, fileStem(r.pkg, r.name))
		basePath, headPath := stem+"-base.pprof", stem+"-head.pprof"
		for _, pp := range []struct {
			path string
			p    interface{ Write(io.Writer) error }
		}{{basePath, bp}, {headPath, hp}} {
			// Whole or not at all, as every output of hprov.
			f, err := createOutput("-o", pp.path)
			if err != nil {
				return err
			}
			if err := pp.p.Write(f); err != nil {
				f.Abort()
				return err
			}
			if err := f.Commit(); err != nil {
				return err
			}
		}
		diff, err := profsum.Diff(bp, hp)
		if err != nil {
			return err
		}
		sum, err := profsum.Summarize(diff, profsum.Options{Groups: []profsum.Group{runtimeGroup}})
		if err != nil {
			return err
		}
		var text strings.Builder
		fmt.Fprintf(&text, "Benchmark%s (%s): sec/op %+.1f%%; CPU profiles of the same work on each side\n", r.name, r.pkg, 100*r.delta)
		if err := sum.WriteGrowth(&text, explainTop); err != nil {
			return err
		}
		fmt.Fprintf(&text, "\ngo tool pprof -diff_base %s %s\n", shellQuote(basePath), shellQuote(headPath))
		f, err := createOutput("-o", stem+"-diff.txt")
		if err != nil {
			return err
		}
		if _, err := f.WriteString(text.String()); err != nil {
			f.Abort()
			return err
		}
		if err := f.Commit(); err != nil {
			return err
		}
		switch o.gate.Format {
		case "text":
			fmt.Fprintf(stdout, "\n%s", text.String())
		case "markdown":
			fmt.Fprintf(stdout, "\n```text\n%s```\n", text.String())
		default:
			fmt.Fprintf(stderr, "hprov ab: profile diff of Benchmark%s in %s-diff.txt\n", r.name, stem)
		}
	}
	return nil
}

func binaryFor(s *abSide, pkg string) *abrun.Binary {
	for _, b := range s.bins {
		if b.Package == pkg {
			return b
		}
	}
	return nil
}

// profileTarget turns a row into the benchmark to rerun: its name
// without the GOMAXPROCS suffix, which becomes -cpu.
func profileTarget(r abRegression, samples int) (abrun.ProfileTarget, error) {
	baseName, parts := benchfmt.Name(r.name).Parts()
	name, procs := string(baseName), 1
	for _, p := range parts {
		if s := string(p); strings.HasPrefix(s, "-") {
			n, err := strconv.Atoi(s[1:])
			if err != nil {
				return abrun.ProfileTarget{}, fmt.Errorf("benchmark %s: bad GOMAXPROCS suffix %q", r.name, s)
			}
			procs = n
		} else {
			name += s
		}
	}
	return abrun.ProfileTarget{Name: name, Procs: procs, NsPerOp: r.slowCenter * 1e9, Samples: samples}, nil
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9_.=-]+`)

// fileStem names a benchmark's profile files.
func fileStem(pkg, name string) string {
	return unsafeFileChars.ReplaceAllString(filepath.Base(pkg)+"."+name, "_")
}

// shellQuote quotes a path for a command the user copies.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
