package abrun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrNoBenchmarks: no package has a benchmark the -bench pattern selects.
var ErrNoBenchmarks = errors.New("no benchmark matched")

// A Package is one package with benchmarks selected by the pattern.
type Package struct {
	ImportPath string
	Dir        string // source directory
	// Benchmarks are the top-level benchmark functions whose names
	// match the pattern's first element, in source order. A package
	// with a test file that does not parse is listed even without any,
	// so that building it reports go's own error.
	Benchmarks []string
}

// ListBenchmarks returns the packages matching patterns (resolved in dir)
// with benchmarks that bench, a go test -bench pattern, selects at the top
// level. It reads the test files' syntax instead of building every package:
// go test finds benchmarks the same way, by name, in the files go list
// reports for the current build configuration.
//
// A pattern that names no directory in this checkout (a package added or
// removed between the two revisions) is not an error: it is returned in
// unresolved, pattern to go's message, for the caller to judge against
// the other side.
func ListBenchmarks(ctx context.Context, dir string, patterns []string, bench string, tags string) (pkgs []Package, unresolved map[string]string, err error) {
	top, err := topLevelPattern(bench)
	if err != nil {
		return nil, nil, err
	}
	args := []string{"list", "-e", "-json=ImportPath,Dir,TestGoFiles,XTestGoFiles,Error"}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	args = append(args, "--")
	cmd := exec.CommandContext(ctx, "go", append(args, patterns...)...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, fmt.Errorf("go list %s: %s", strings.Join(patterns, " "), orErr(firstLine(stderr.String()), err))
	}
	dec := json.NewDecoder(&stdout)
	for {
		var p struct {
			ImportPath, Dir           string
			TestGoFiles, XTestGoFiles []string
			Error                     *struct{ Err string }
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, nil, fmt.Errorf("go list: %v", err)
		}
		if p.Dir == "" {
			// A pattern naming no directory here.
			if p.Error != nil {
				if unresolved == nil {
					unresolved = make(map[string]string)
				}
				unresolved[p.ImportPath] = firstLine(p.Error.Err)
			}
			continue
		}
		pkg := Package{ImportPath: p.ImportPath, Dir: p.Dir}
		unparsed := false
		for _, f := range append(p.TestGoFiles, p.XTestGoFiles...) {
			names, err := benchmarkFuncs(filepath.Join(p.Dir, f))
			if err != nil {
				unparsed = true
				continue
			}
			for _, n := range names {
				if top == nil || top.MatchString(n) {
					pkg.Benchmarks = append(pkg.Benchmarks, n)
				}
			}
		}
		if len(pkg.Benchmarks) > 0 || unparsed {
			pkgs = append(pkgs, pkg)
		}
	}
	return pkgs, unresolved, nil
}

func orErr(msg string, err error) string {
	if msg != "" {
		return msg
	}
	return err.Error()
}

// benchmarkFuncs lists the functions in a test file that go test runs as
// benchmarks: top-level, named Benchmark or BenchmarkX where X is not a
// lower-case letter (testing's isTest rule).
func benchmarkFuncs(path string) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv != nil || fd.Type.Params.NumFields() != 1 {
			continue
		}
		if isTest(fd.Name.Name, "Benchmark") {
			names = append(names, fd.Name.Name)
		}
	}
	return names, nil
}

func isTest(name, prefix string) bool {
	if !strings.HasPrefix(name, prefix) {
		return false
	}
	if len(name) == len(prefix) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(name[len(prefix):])
	return !unicode.IsLower(r)
}

// ValidateBench checks a -bench pattern the way the testing package
// compiles it: every "/"-separated element must be a regular expression.
func ValidateBench(bench string) error {
	for _, alt := range splitRegexp(bench) {
		for _, e := range alt {
			if _, err := regexp.Compile(e); err != nil {
				return fmt.Errorf("-bench %q: %v", bench, err)
			}
		}
	}
	return nil
}

// A topMatcher matches top-level benchmark names against the first
// element of each alternative of a -bench pattern.
type topMatcher []*regexp.Regexp

func (m topMatcher) MatchString(name string) bool {
	for _, re := range m {
		if re == nil || re.MatchString(name) {
			return true
		}
	}
	return false
}

// topLevelPattern compiles the first element of each alternative of a
// -bench pattern, which testing matches against top-level benchmark names;
// nil matches all.
func topLevelPattern(bench string) (topMatcher, error) {
	if err := ValidateBench(bench); err != nil {
		return nil, err
	}
	var m topMatcher
	for _, alt := range splitRegexp(bench) {
		if alt[0] == "" {
			return nil, nil
		}
		m = append(m, regexp.MustCompile(alt[0]))
	}
	return m, nil
}

// splitRegexp splits a -bench pattern into its top-level alternatives
// ("|") and each into its levels ("/"), ignoring both inside brackets and
// parentheses, as testing/match.go does.
func splitRegexp(s string) [][]string {
	if s == "" {
		return nil
	}
	var alts [][]string
	var cur []string
	cs, cp := 0, 0 // depth of [] and ()
	for i := 0; i < len(s); {
		switch s[i] {
		case '[':
			cs++
		case ']':
			if cs--; cs < 0 { // an unmatched ']' is legal
				cs = 0
			}
		case '(':
			if cs == 0 {
				cp++
			}
		case ')':
			if cs == 0 {
				cp--
			}
		case '\\':
			i++
		case '/', '|':
			if cs == 0 && cp == 0 {
				cur = append(cur, s[:i])
				if s[i] == '|' {
					alts = append(alts, cur)
					cur = nil
				}
				s = s[i+1:]
				i = 0
				continue
			}
		}
		i++
	}
	return append(alts, append(cur, s))
}

// ExactPattern returns a -bench pattern selecting exactly the benchmark
// whose full name (without the "Benchmark" prefix and "-N" suffix, as
// benchfmt names it) is name: every level anchored and quoted.
func ExactPattern(name string) string {
	parts := strings.Split(name, "/")
	parts[0] = "Benchmark" + parts[0]
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}
