package gate

import (
	"errors"
	"fmt"
	"io"

	"github.com/hprov/hprov/cmd/hprov/internal/benchcmp"
)

// Run is a whole gated comparison: it validates cfg, builds benchstat's
// tables from in with projection p, writes them to stdout in cfg.Format
// (text and csv exactly as benchstat prints them), writes the verdict
// block to stderr and returns the exit status with the report it judged
// (nil when the input could not be judged: bad configuration, no results,
// a bad -gate). prog prefixes stderr lines ("hprov compare").
//
// As benchstat does, malformed input lines are skipped with one line
// each on stderr (and CSV warnings go to stderr), and inputs without any
// result are ignored; the tables are still printed, but the exit status
// is then ExitBadInput: a gate that passed over results it could not read
// would vouch for data it never saw.
func Run(prog string, in *benchcmp.Input, p benchcmp.Projection, cfg Config, stdout, stderr io.Writer) (int, *Report) {
	fail := func(err error) (int, *Report) {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return ExitBadInput, nil
	}
	if err := cfg.Validate(); err != nil {
		return fail(err)
	}
	if len(in.Results) == 0 {
		err := benchcmp.ErrNoResults
		if len(in.Warnings) > 0 {
			err = fmt.Errorf("%w: %v (and %d more malformed line(s))", err, in.Warnings[0], len(in.Warnings)-1)
		}
		return fail(err)
	}
	opts := benchcmp.Options{Alpha: cfg.Alpha, Confidence: cfg.Confidence, Mark: cfg.gate()}
	ts, err := benchcmp.Build(in, p, opts)
	if err != nil {
		var me *benchcmp.MarkError
		if errors.As(err, &me) {
			err = fmt.Errorf("parsing -gate: %v", me.Err)
		}
		return fail(err)
	}
	for _, w := range in.Warnings {
		fmt.Fprintln(stderr, w)
	}
	for _, name := range in.Empty {
		fmt.Fprintf(stderr, "%s: %s: %v\n", prog, name, benchcmp.ErrNoResults)
	}
	rep := Judge(ts, cfg)
	rep.BadInput = len(in.Warnings) + len(in.Empty)
	switch cfg.Format {
	case FormatText:
		err = ts.WriteText(stdout)
	case FormatCSV:
		err = ts.WriteCSV(stdout, stderr)
	case FormatJSON:
		err = rep.WriteJSON(stdout)
	case FormatMarkdown:
		err = rep.WriteMarkdown(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return ExitBadInput, rep
	}
	if err := rep.WriteVerdict(stderr, prog); err != nil {
		return ExitBadInput, rep
	}
	return rep.ExitCode(), rep
}
