package benchcmp

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

// The *.benchstat files are the real benchstat's output for the fixture
// pairs (testdata/README.md says how they were made): the storm format
// with configuration and unit metadata lines, and go test -bench output
// over two packages with benchmarks removed and added.
func TestFixturesMatchBenchstat(t *testing.T) {
	t.Chdir("testdata")
	cases := []struct {
		golden string
		args   []string
		proj   func(*Projection)
	}{
		{"storm.benchstat", []string{"storm-old.txt", "storm-new.txt"}, func(p *Projection) { p.Ignore = "commit" }},
		{"gotest.benchstat", []string{"gotest-old.txt", "gotest-new.txt"}, func(*Projection) {}},
	}
	for _, c := range cases {
		in, err := ReadFiles(c.args)
		if err != nil {
			t.Fatal(err)
		}
		p := DefaultProjection()
		c.proj(&p)
		ts, err := Build(in, p, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := ts.WriteText(&got); err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(c.golden)
		if err != nil {
			t.Fatal(err)
		}
		if got.String() != string(want) {
			t.Errorf("%s differs:\n--- got:\n%s--- want:\n%s", c.golden, got.String(), want)
		}
	}
}

// Exact values undo the float rounding of unit tidying: 105 ns/op is
// exactly 105/10^9 s/op, although 105*1e-9 in float64 is not.
func TestExactValues(t *testing.T) {
	in, err := ReadSources([]Source{{"x", strings.NewReader(
		"BenchmarkA 1 105 ns/op 0.1 MB/s 3 widgets\n" +
			"BenchmarkA 1 100 ns/op 0.3 MB/s 4 widgets\n" +
			"BenchmarkA 1 101 ns/op 0.2 MB/s 5 widgets\n" +
			"BenchmarkA 1 110 ns/op 0.2 MB/s 6 widgets\n")}})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := Build(in, DefaultProjection(), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"sec/op": "103/1000000000", "B/s": "200000", "widgets": "9/2"}
	for _, tab := range ts.Tables {
		c := tab.Cell(tab.Rows[0], tab.Cols[0])
		if got := c.ExactCenter().RatString(); got != want[tab.Unit] {
			t.Errorf("%s: exact median %s, want %s (float median %v)", tab.Unit, got, want[tab.Unit], c.Summary.Center)
		}
	}
	if v := exactValue(benchfmt.Value{Value: 105 * 1e-9, Unit: "sec/op", OrigValue: 105, OrigUnit: "ns/op"}); v.RatString() != "21/200000000" {
		t.Errorf("105 ns/op = %s s/op", v.RatString())
	}
}

func TestCellName(t *testing.T) {
	for col, want := range map[int]string{0: "A", 1: "B", 5: "F", 25: "Z", 26: "BA", 27: "BB"} {
		if got := cellName(col); got != want {
			t.Errorf("cellName(%d) = %s, want %s", col, got, want)
		}
	}
}

func TestSyntaxErrorsOnOneLine(t *testing.T) {
	in, _ := ReadSources([]Source{{"x", strings.NewReader("BenchmarkA 1 1 ns/op\n")}})
	p := DefaultProjection()
	p.Col = "/impl@(x"
	_, err := Build(in, p, DefaultOptions())
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), `parsing -col: syntax error: missing ) at column 9 of "/impl@(x"`) {
		t.Errorf("error %q", err)
	}
	if err := CheckFilter("(("); err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("CheckFilter: %v", err)
	}
}

// An Input is shared by concurrent Builds (run with -race).
func TestConcurrentBuilds(t *testing.T) {
	in, err := ReadFiles([]string{"testdata/storm-old.txt", "testdata/storm-new.txt"})
	if err != nil {
		t.Fatal(err)
	}
	outs := make(chan string, 2)
	for range 2 {
		go func() {
			p := DefaultProjection()
			p.Ignore = "commit"
			ts, err := Build(in, p, DefaultOptions())
			var b bytes.Buffer
			if err == nil {
				err = ts.WriteText(&b)
			}
			if err != nil {
				b.WriteString(err.Error())
			}
			outs <- b.String()
		}()
	}
	if a, b := <-outs, <-outs; a != b || a == "" {
		t.Errorf("concurrent builds differ:\n%s\n---\n%s", a, b)
	}
}
