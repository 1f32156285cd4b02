package benchcmp

import (
	"bufio"
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/perf/benchmath"
)

// TestBenchstatCases replays testdata/benchstat/cases.txt: each line is a
// benchstat command line on this package's fixtures (storm format with
// configuration and unit metadata, go test output over two packages), and
// NAME.stdout / NAME.stderr are what the real benchstat (the x/perf
// version in go.mod) printed for it. The projections, filters, fixed and
// numeric orders, labels, three inputs, a file given twice, and CSV with
// its cell-addressed warnings must all come out byte for byte.
func TestBenchstatCases(t *testing.T) {
	cases, err := os.ReadFile("testdata/benchstat/cases.txt")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir("testdata")
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(cases))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		name, args := fields[0], fields[1:]
		n++
		t.Run(name, func(t *testing.T) {
			stdout, stderr := benchstat(t, args)
			want, err := os.ReadFile(filepath.Join("benchstat", name+".stdout"))
			if err != nil {
				t.Fatal(err)
			}
			wantErr, err := os.ReadFile(filepath.Join("benchstat", name+".stderr"))
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if stdout != string(want) {
				t.Errorf("benchstat %q: stdout differs:\n--- got:\n%s--- want:\n%s", args, stdout, want)
			}
			if stderr != string(wantErr) {
				t.Errorf("benchstat %q: stderr differs:\n--- got:\n%s--- want:\n%s", args, stderr, wantErr)
			}
		})
	}
	if n < 20 {
		t.Fatalf("only %d cases read", n)
	}
}

// benchstat is benchstat's main on top of this package: its flags, its
// inputs, its output.
func benchstat(t *testing.T, args []string) (stdout, stderr string) {
	t.Helper()
	fs := flag.NewFlagSet("benchstat", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	p := DefaultProjection()
	p.RegisterFlags(fs)
	alpha := fs.Float64("alpha", benchmath.DefaultThresholds.CompareAlpha, "")
	confidence := fs.Float64("confidence", 0.95, "")
	format := fs.String("format", "text", "")
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	in, err := ReadFiles(fs.Args())
	if err != nil {
		t.Fatal(err)
	}
	ts, err := Build(in, p, Options{Alpha: *alpha, Confidence: *confidence})
	if err != nil {
		t.Fatal(err)
	}
	var o, e strings.Builder
	for _, w := range in.Warnings {
		e.WriteString(w.Error() + "\n")
	}
	switch *format {
	case "text":
		err = ts.WriteText(&o)
	case "csv":
		err = ts.WriteCSV(&o, &e)
	}
	if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String()
}
