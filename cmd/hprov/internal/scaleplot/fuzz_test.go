package scaleplot

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

// FuzzRender: any input either fails to read with a clear error or
// renders without panicking (gonum's log scale panics on non-positive
// bounds, so extreme values must be kept away from it).
func FuzzRender(f *testing.F) {
	for _, path := range []string{"testdata/storm.txt", "testdata/gotest-cpu.txt"} {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("BenchmarkA/workers=1 1 1e308 p50-ns 1e-320 p99-ns 1e308 ops/s\n"))
	f.Add([]byte("BenchmarkA/workers=3 1 -5 ns/op 0 max-ns\nBenchmarkA/workers=0 1 5 ns/op\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return // rendering is the slow part; large inputs add nothing
		}
		d, err := Read(strings.NewReader(string(data)), "fuzz.txt")
		if err != nil {
			var syn *benchfmt.SyntaxError
			if !errors.Is(err, ErrNoResults) && !errors.As(err, &syn) && !strings.HasPrefix(err.Error(), "fuzz.txt:") {
				t.Fatalf("unexplained error: %v", err)
			}
			return
		}
		if err := d.Render(io.Discard, "svg", Options{}); err != nil && !errors.Is(err, ErrNothingToPlot) {
			t.Fatalf("Render: %v", err)
		}
	})
}
