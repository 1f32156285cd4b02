package benchcmp

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"golang.org/x/perf/benchproc"
)

// A Projection says how results are grouped, in benchstat's terms: into
// tables by Table (plus the unit), within a table into rows by Row and
// columns by Col; Ignore names keys left out of every grouping; Filter
// selects the results (and units) used at all. The syntax is benchproc's
// (https://pkg.go.dev/golang.org/x/perf/benchproc/syntax).
type Projection struct {
	Table, Row, Col, Ignore, Filter string
}

// DefaultProjection is benchstat's default: a table per file
// configuration, a row per full benchmark name, a column per input.
func DefaultProjection() Projection {
	return Projection{Table: ".config", Row: ".fullname", Col: ".file", Ignore: "", Filter: "*"}
}

// RegisterFlags binds benchstat's -table, -row, -col, -ignore and -filter
// to p, with p's current values as defaults (start from
// DefaultProjection).
func (p *Projection) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&p.Table, "table", p.Table, "split results into tables by distinct values of `projection`")
	fs.StringVar(&p.Row, "row", p.Row, "split results into rows by distinct values of `projection`")
	fs.StringVar(&p.Col, "col", p.Col, "split results into columns by distinct values of `projection`")
	fs.StringVar(&p.Ignore, "ignore", p.Ignore, "ignore variations in `keys`")
	fs.StringVar(&p.Filter, "filter", p.Filter, "use only benchmarks matching benchfilter `query`")
}

// parsed is a Projection turned into benchproc objects.
type parsed struct {
	filter                   *benchproc.Filter
	table, row, col, residue *benchproc.Projection
	unitField                *benchproc.Field
}

// parse follows benchstat's order (filter, then -table, -row, -col,
// -ignore through one parser, whose residue is what is left), so the
// error for a bad flag is the one benchstat reports first.
func (p Projection) parse() (*parsed, error) {
	filter, err := benchproc.NewFilter(p.Filter)
	if err != nil {
		return nil, fmt.Errorf("parsing -filter: %s", oneLine(err))
	}
	out := &parsed{filter: filter}
	var parser benchproc.ProjectionParser
	var firstErr error
	keep := func(name string, err error) {
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("parsing %s: %s", name, oneLine(err))
		}
	}
	out.table, _, err = parser.ParseWithUnit(p.Table, filter)
	keep("-table", err)
	out.row, err = parser.Parse(p.Row, filter)
	keep("-row", err)
	out.col, err = parser.Parse(p.Col, filter)
	keep("-col", err)
	_, err = parser.Parse(p.Ignore, filter)
	keep("-ignore", err)
	if firstErr != nil {
		return nil, firstErr
	}
	out.residue = parser.Residue()
	fields := out.table.Fields()
	out.unitField = fields[len(fields)-1]
	return out, nil
}

// CheckFilter reports whether query is a valid benchproc filter, with
// the error on one line.
func CheckFilter(query string) error {
	if _, err := benchproc.NewFilter(query); err != nil {
		return errors.New(oneLine(err))
	}
	return nil
}

// oneLine rewrites benchproc's three-line syntax error ("syntax error:
// MSG", the query, a caret under the column) as one line that names the
// column, so that bad input stays one line on stderr.
func oneLine(err error) string {
	parts := strings.Split(err.Error(), "\n\t")
	if len(parts) != 3 || !strings.HasSuffix(parts[2], "^") {
		return strings.Join(strings.Fields(err.Error()), " ")
	}
	return fmt.Sprintf("%s at column %d of %q", parts[0], len(parts[2]), parts[1])
}
