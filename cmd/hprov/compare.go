package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/hprov/hprov/cmd/hprov/internal/benchcmp"
)

const compareSynopsis = `[flags] OLD NEW

Compares two files of Go benchmark results as benchstat does (medians,
confidence intervals, Mann-Whitney U tests) and prints benchstat's table.
Exit status 1 when any benchmark is significantly worse (at -alpha) by more
than -threshold, in the direction its unit metadata gives; 2 when a file
cannot be read or holds no comparable results.`

func compare(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("compare", compareSynopsis)
	alpha := fs.Float64("alpha", 0.05, "significance level of the comparison test")
	threshold := fs.String("threshold", "0%", "smallest worsening that counts as a regression, as a `percentage` (5%) or fraction (0.05)")
	pos, err := parse(fs, args, stdout)
	if errors.Is(err, errHelp) {
		return exitOK
	}
	if err == nil && len(pos) != 2 {
		err = usagef("want two files, OLD and NEW; got %d argument(s) (see -h)", len(pos))
	}
	if err != nil {
		return fail(stderr, "compare", err)
	}
	if !(*alpha > 0 && *alpha <= 1) || math.IsNaN(*alpha) {
		return fail(stderr, "compare", usagef("-alpha %v: want a level in (0, 1]", *alpha))
	}
	th, err := benchcmp.ParseThreshold(*threshold)
	if err != nil {
		return fail(stderr, "compare", usagef("-threshold: %v", strings.TrimPrefix(err.Error(), "benchcmp: ")))
	}
	var sides [2]*benchcmp.Results
	for i, path := range pos {
		if sides[i], err = benchcmp.ReadFile(path); err != nil {
			return fail(stderr, "compare", usagef("%v", unwrapPathKeep(err, path)))
		}
	}
	rep, err := benchcmp.Compare(sides[0], sides[1], benchcmp.Options{Alpha: *alpha, Threshold: th})
	if err != nil {
		return fail(stderr, "compare", usagef("%v", err))
	}
	if err := rep.WriteText(stdout); err != nil {
		return fail(stderr, "compare", err)
	}
	regs := rep.Regressions()
	if len(regs) == 0 {
		return exitOK
	}
	var names []string
	for _, r := range regs {
		names = append(names, fmt.Sprintf("%s %s %+.1f%%", r.Name, r.Unit, 100*r.Delta()))
	}
	fmt.Fprintf(stderr, "hprov compare: %d regression(s) beyond %s: %s\n", len(regs), *threshold, strings.Join(names, "; "))
	return exitFailure
}

// unwrapPathKeep turns "open x: no such file" into a message that names
// the file once.
func unwrapPathKeep(err error, path string) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", path, pe.Err)
	}
	return err
}
