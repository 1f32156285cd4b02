package benchcmp

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// ErrNoResults: the inputs hold no benchmark result at all (empty files,
// logs, another format). benchstat prints nothing for them and succeeds;
// a gate must not.
var ErrNoResults = errors.New("no benchmark results")

// An Input is everything read from the inputs of one comparison.
//
// Results keep input order, which is what benchstat's first-seen
// orderings (rows, columns, tables) are built from. Each carries the
// ".file" configuration key: the file name or the label the caller gave.
type Input struct {
	Results []*benchfmt.Result
	// Units is the unit metadata of every input, merged as one
	// benchfmt reader merges it (the first declaration wins; a
	// contradicting one is a syntax error in Warnings).
	Units benchfmt.UnitMetadataMap
	// Warnings are the malformed lines, as *benchfmt.SyntaxError, in
	// input order (a result with a NaN or infinite value is one). benchstat skips them with a message on stderr; so
	// does benchcmp, and the gate then reports bad input.
	Warnings []error
	// Empty names the inputs that hold no result at all (a log, a
	// file in another format, an empty file): benchstat ignores them
	// silently, which hides a broken pipeline; the gate reports them as
	// bad input.
	Empty []string
}

// A Source is one input given as a reader: Label becomes the results'
// ".file" value (the column heading) and names the input in error
// positions.
type Source struct {
	Label string
	R     io.Reader
}

// ReadSources reads the sources in order, as benchstat reads its files.
// It fails only on an I/O error; malformed lines go to Input.Warnings.
func ReadSources(srcs []Source) (*Input, error) {
	in := &Input{}
	var r benchfmt.Reader
	for _, s := range srcs {
		r.Reset(s.R, s.Label, ".file", s.Label)
		n := len(in.Results)
		if err := in.scan(&r); err != nil {
			return nil, err
		}
		if len(in.Results) == n {
			in.Empty = append(in.Empty, s.Label)
		}
	}
	in.Units = r.Units()
	return in, nil
}

// ReadFiles reads benchstat's input arguments: "path", "label=path" (the
// label replaces the path as ".file"), and "-" for standard input. The
// same path given twice is told apart as "path#0", "path#1", as
// benchstat does. It fails only when a file cannot be read.
func ReadFiles(args []string) (*Input, error) {
	in := &Input{}
	files := benchfmt.Files{Paths: args, AllowStdin: true, AllowLabels: true}
	for files.Scan() {
		in.add(files.Result())
	}
	if err := files.Err(); err != nil {
		return nil, unwrapPath(err)
	}
	in.Units = files.Units()
	// Files names each result's position after the path part of its
	// argument; an argument no result names was empty.
	seen := make(map[string]bool)
	for _, r := range in.Results {
		file, _ := r.Pos()
		seen[file] = true
	}
	for _, a := range args {
		if _, path, ok := strings.Cut(a, "="); ok {
			a = path
		}
		if !seen[a] && !slices.Contains(in.Empty, a) {
			in.Empty = append(in.Empty, a)
		}
	}
	return in, nil
}

func (in *Input) scan(r *benchfmt.Reader) error {
	for r.Scan() {
		in.add(r.Result())
	}
	return r.Err()
}

func (in *Input) add(rec benchfmt.Record) {
	switch rec := rec.(type) {
	case *benchfmt.SyntaxError:
		in.Warnings = append(in.Warnings, rec)
	case *benchfmt.Result:
		for _, v := range rec.Values {
			if math.IsNaN(v.Value) || math.IsInf(v.Value, 0) {
				// benchstat accepts NaN and hangs in its U test;
				// ±Inf has no median worth printing. Both are
				// malformed measurements here.
				file, line := rec.Pos()
				in.Warnings = append(in.Warnings, &benchfmt.SyntaxError{FileName: file, Line: line,
					Msg: fmt.Sprintf("non-finite measurement %v %s", v.Value, v.Unit)})
				return
			}
		}
		c := rec.Clone()
		// A clone indexes its configuration lazily, on first
		// lookup; doing it now keeps later lookups read-only, so
		// an Input can be shared by concurrent Builds.
		c.ConfigIndex("")
		in.Results = append(in.Results, c)
	}
}

// unwrapPath turns "open x.txt: no such file or directory" into an error
// that still says both, but is errors.Is-comparable to fs errors.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}
