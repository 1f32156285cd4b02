package main

import (
	"errors"
	"io"

	"github.com/hprov/hprov/cmd/hprov/internal/benchcmp"
	"github.com/hprov/hprov/cmd/hprov/internal/gate"
)

const compareSynopsis = `[flags] INPUT...

benchstat with a verdict. Takes benchstat's flags and inputs (files,
label=path, - for standard input; the first column is the baseline) and
prints exactly benchstat's output on stdout; with -format json or
markdown, one row per comparison with its verdict instead.

Verdicts go to stderr, and the exit status is:
  0  no gated row is significantly worse by more than -threshold
  1  at least one is (worse in its unit's better-direction)
  2  bad input: bad flags, an unreadable file, malformed lines, no results
  3  inconclusive: a gated row with fewer than -min-samples values on a
     side, a benchmark of the baseline missing from a later column
     (unless -allow-missing), or nothing compared at all

Gated rows are all rows, or those matching -gate (benchproc filter
syntax, as -filter). Significant means p <= -alpha (with -correct holm,
the Holm-Bonferroni adjusted p across the gated rows, so that -alpha is
the family-wise error rate). A significant change beyond -threshold is a
regression when worse in the unit's direction and an improvement when
better; anything else is unchanged. Units declared assume=exact need one
sample a side, not -min-samples. The threshold is exclusive and exact,
computed on the input's decimals: at 5%, a change of exactly +5.00% is
not a regression. A change from 0 to a
non-zero value has no percentage (benchstat prints ?) and counts as
beyond any threshold in its direction. A significant change beyond the
threshold in a unit whose better-direction is unknown (no
"Unit X better=higher|lower" line, no built-in default) is
insufficient: declare it.`

func compare(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("compare", compareSynopsis)
	proj := benchcmp.DefaultProjection()
	proj.RegisterFlags(fs)
	cfg := gate.DefaultConfig()
	cfg.RegisterFlags(fs)
	pos, err := parse(fs, args, stdout)
	if errors.Is(err, errHelp) {
		return exitOK
	}
	if err == nil && len(pos) == 0 {
		err = usagef("want at least one input file (see -h)")
	}
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		return fail(stderr, "compare", usagef("%v", err))
	}
	in, err := benchcmp.ReadFiles(pos)
	if err != nil {
		return fail(stderr, "compare", usagef("%v", err))
	}
	code, _ := gate.Run("hprov compare", in, proj, cfg, stdout, stderr)
	return code
}
