package scaleplot

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

func TestReadStorm(t *testing.T) {
	d, err := ReadFiles("testdata/storm.txt")
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, s := range d.Series {
		labels = append(labels, s.Label)
	}
	want := "acquire-release hprov|acquire-release mutex|acquire-release syncmap|hash-session hprov|hash-session mutex|hash-session syncmap"
	if got := strings.Join(labels, "|"); got != want {
		t.Errorf("labels %s\nwant   %s", got, want)
	}
	if got := strings.Join(d.Percentiles, " "); got != "p50 p99 p99.9 max" {
		t.Errorf("percentiles %q", got)
	}
	s := d.Series[0]
	if len(s.Points) != 3 || s.Points[0].Workers != 1 || s.Points[2].Workers != 4 || s.Points[1].Runs != 3 {
		t.Fatalf("points %+v", s.Points)
	}
	// The median of the three runs' ops/s for hprov, 1 worker, straight
	// from the fixture's first column of that benchmark.
	runs := valuesOf(t, "testdata/storm.txt", "Storm/profile=acquire-release/impl=hprov/workers=1-2", "ops/s")
	if got, want := s.Points[0].Throughput, runs[1]; got != want {
		t.Errorf("throughput %v, want median %v of %v", got, want, runs)
	}
	p99 := valuesOf(t, "testdata/storm.txt", "Storm/profile=acquire-release/impl=hprov/workers=1-2", "p99-sec")
	if got := s.Points[0].Latency["p99"]; math.Abs(got-p99[1]*1e9) > 1e-6 {
		t.Errorf("p99 %v ns, want %v", got, p99[1]*1e9)
	}
}

func TestNsPerOpFallback(t *testing.T) {
	d, err := ReadFiles("testdata/gotest-cpu.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Series) != 2 || d.Series[0].Label != "hprov" || d.Series[1].Label != "xsync" || len(d.Percentiles) != 0 {
		t.Fatalf("series %v %v", d.Series, d.Percentiles)
	}
	pts := d.Series[0].Points
	if len(pts) != 3 || pts[0].Workers != 1 || pts[1].Workers != 2 || pts[2].Workers != 4 {
		t.Fatalf("workers from the -N suffix: %+v", pts)
	}
	ns := valuesOf(t, "testdata/gotest-cpu.txt", "ParallelInsertRelease/impl=hprov-2", "sec/op")
	want := median([]float64{1 / ns[0], 1 / ns[1], 1 / ns[2], 1 / ns[3], 1 / ns[4]})
	if got := pts[1].Throughput; math.Abs(got-want) > 1e-6*want {
		t.Errorf("throughput %v, want %v", got, want)
	}
	// Only the throughput chart can be drawn; Render still succeeds.
	if _, err := d.LatencyPlot(); !errors.Is(err, ErrNothingToPlot) {
		t.Errorf("LatencyPlot: %v", err)
	}
	var svg bytes.Buffer
	if err := d.Render(&svg, "svg", Options{}); err != nil {
		t.Fatal(err)
	}
	checkSVG(t, svg.Bytes(), "Throughput scaling", "hprov", "xsync")
	if strings.Contains(svg.String(), "Latency percentiles") {
		t.Error("latency chart drawn without latency data")
	}
}

func TestRenderSVG(t *testing.T) {
	d, err := ReadFiles("testdata/storm.txt")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "scaling.svg")
	if err := d.WriteFile(path, Options{Title: "Storm scaling"}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkSVG(t, data, "Storm scaling", "Latency percentiles",
		"acquire-release hprov", "hash-session syncmap", "1 worker", "4 workers", "10µs",
		"p50", "p99.9", "max", "ops/s (median, 95% CI)")
}

func TestRenderPNG(t *testing.T) {
	d, err := ReadFiles("testdata/storm.txt")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "scaling.PNG")
	if err := d.WriteFile(path, Options{Width: 400, ChartHeight: 300}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	b := img.Bounds()
	// 400pt by 2x300pt at vgimg's 96 dpi.
	if b.Dx() != 533 || b.Dy() != 800 {
		t.Errorf("size %v", b)
	}
	colors := map[[4]uint32]bool{}
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, a := img.At(x, y).RGBA()
			colors[[4]uint32{r, g, bl, a}] = true
		}
	}
	if len(colors) < 5 {
		t.Errorf("only %d distinct colours: blank image?", len(colors))
	}
}

func TestErrors(t *testing.T) {
	for name, text := range map[string]string{
		"empty":     "",
		"no units":  "BenchmarkA 10 100 B/op 1 allocs/op\n",
		"only text": "PASS\nok  \tpkg\t1s\n",
	} {
		if _, err := Read(strings.NewReader(text), name); !errors.Is(err, ErrNoResults) || !strings.HasPrefix(err.Error(), name+": ") {
			t.Errorf("%s: %v", name, err)
		}
	}
	var syn *benchfmt.SyntaxError
	if _, err := Read(strings.NewReader("BenchmarkA 10 x ns/op\n"), "bad.txt"); !errors.As(err, &syn) || !strings.HasPrefix(err.Error(), "bad.txt:1: ") {
		t.Errorf("malformed: %v", err)
	}
	if _, err := ReadFiles("testdata/storm.txt", filepath.Join(t.TempDir(), "missing.txt")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	d, err := ReadFiles("testdata/storm.txt")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"plot", "plot.xyz"} {
		path := filepath.Join(dir, name)
		if err := d.WriteFile(path, Options{}); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: file left behind", name)
		}
	}
	// Latency only, all zero: nothing at all can be drawn.
	d, err = Read(strings.NewReader("BenchmarkA/workers=1 1 0 p50-ns\n"), "zero")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Render(io.Discard, "svg", Options{}); !errors.Is(err, ErrNothingToPlot) {
		t.Errorf("zero latencies: %v", err)
	}
	// benchfmt leaves a 0 in "p50-ns" but turns the others into
	// seconds; both must land in the same metric, in nanoseconds.
	d, err = Read(strings.NewReader("BenchmarkA 1 0 p50-ns\nBenchmarkA 1 4 p50-ns\nBenchmarkA 1 6 p50-ns\n"), "mixed")
	if err != nil || d.Series[0].Points[0].Latency["p50"] != 4 {
		t.Errorf("0 ns next to nonzero: %+v, %v", d, err)
	}
}

func TestLabelsAndWorkers(t *testing.T) {
	text := strings.Join([]string{
		"BenchmarkStorm/profile=mixed/impl=hprov/rate=1000/workers=2-2 1 10 ns/op",
		"BenchmarkStorm/profile=mixed/impl=hprov/rate=2000/workers=2-2 1 10 ns/op",
		"BenchmarkStorm/profile=mixed/impl=hprov/rate=2000/workers=2-4 1 10 ns/op",
		"BenchmarkOther-2 1 20 ns/op",
		"BenchmarkParallelOther-2 1 20 ns/op",
	}, "\n")
	d, err := Read(strings.NewReader(text), "x")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range d.Series {
		got = append(got, s.Label)
	}
	want := "Storm mixed hprov rate=1000 gomaxprocs=2|Storm mixed hprov rate=2000 gomaxprocs=2|Storm mixed hprov rate=2000 gomaxprocs=4|Other gomaxprocs=2|ParallelOther"
	if strings.Join(got, "|") != want {
		t.Errorf("labels %q\nwant %q", strings.Join(got, "|"), want)
	}
	// A sequential benchmark runs one goroutine whatever -cpu says; a
	// parallel one runs GOMAXPROCS of them.
	if w := d.Series[3].Points[0].Workers; w != 1 {
		t.Errorf("Other: workers %d, want 1 (not parallel)", w)
	}
	if w := d.Series[4].Points[0].Workers; w != 2 {
		t.Errorf("ParallelOther: workers %d from -2", w)
	}
}

func TestSI(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 150e6: "150M", 2.5e7: "25M", 1.2e6: "1.2M", 3000: "3k", 12: "12", 7e9: "7G"} {
		if got := si(v); got != want {
			t.Errorf("si(%v) = %q, want %q", v, got, want)
		}
	}
}

// checkSVG parses data as XML, requires an <svg> root and the given texts.
func checkSVG(t *testing.T, data []byte, texts ...string) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	root := ""
	var chars strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("invalid SVG: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
		case xml.CharData:
			chars.Write(tok)
			chars.WriteByte('\n')
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q, want svg", root)
	}
	for _, s := range texts {
		if !strings.Contains(chars.String(), s) {
			t.Errorf("SVG text lacks %q", s)
		}
	}
}

// valuesOf returns the values of one benchmark and unit in file order.
func valuesOf(t *testing.T, path, name, unit string) []float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var vs []float64
	r := benchfmt.NewReader(f, path)
	for r.Scan() {
		if res, ok := r.Result().(*benchfmt.Result); ok && string(res.Name) == name {
			if v, ok := res.Value(unit); ok {
				vs = append(vs, v)
			}
		}
	}
	if len(vs) == 0 {
		t.Fatalf("%s: no %s values for %s", path, unit, name)
	}
	sort.Float64s(vs)
	return vs
}

// Several files: a line per file (before, after), named by label=path
// labels; error bars from benchmath's interval where there are enough
// runs, none where benchstat prints "± ∞"; -logy renders.
func TestFilesAsSeries(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, n int, ns float64) string {
		var b strings.Builder
		for i := range n {
			for _, w := range []int{1, 2} {
				fmt.Fprintf(&b, "BenchmarkStorm/impl=hprov/workers=%d-2 1000 %v ns/op\n", w, ns*(1+float64(i)/100)/float64(w))
			}
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	before, after := write("old.txt", 10, 100), write("new.txt", 3, 50)
	d, err := ReadFiles("before="+before, "after="+after)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Series) != 2 || d.Series[0].Label != "before: Storm" || d.Series[1].Label != "after: Storm" {
		t.Fatalf("series %q %q", d.Series[0].Label, d.Series[len(d.Series)-1].Label)
	}
	p := d.Series[0].Points[0]
	if !(p.ThroughputLo < p.Throughput && p.Throughput < p.ThroughputHi) {
		t.Errorf("before, 1 worker: CI [%v, %v] around %v", p.ThroughputLo, p.ThroughputHi, p.Throughput)
	}
	if q := d.Series[1].Points[0]; !math.IsNaN(q.ThroughputLo) || !math.IsNaN(q.ThroughputHi) {
		t.Errorf("after (3 runs): CI [%v, %v], want none", q.ThroughputLo, q.ThroughputHi)
	}
	for _, logY := range []bool{false, true} {
		var svg bytes.Buffer
		if err := d.Render(&svg, "svg", Options{LogY: logY}); err != nil {
			t.Fatal(err)
		}
		checkSVG(t, svg.Bytes(), "before: Storm", "after: Storm")
	}
}
