package gate_test

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hprov/hprov/cmd/hprov/internal/benchcmp"
	"github.com/hprov/hprov/cmd/hprov/internal/gate"
)

// A gated A/B comparison, as hprov ab runs it: stdout gets benchstat's
// table (discarded here), stderr the verdict, and the exit status says
// whether B regressed.
func Example() {
	a := strings.Repeat("BenchmarkGet-2 1000 35.3 ns/op\nBenchmarkGet-2 1000 35.4 ns/op\n", 5)
	b := strings.Repeat("BenchmarkGet-2 1000 65.7 ns/op\nBenchmarkGet-2 1000 65.9 ns/op\n", 5)
	in, err := benchcmp.ReadSources([]benchcmp.Source{{Label: "A", R: strings.NewReader(a)}, {Label: "B", R: strings.NewReader(b)}})
	if err != nil {
		panic(err)
	}
	cfg := gate.DefaultConfig()
	cfg.Threshold, _ = gate.ParseThreshold("5%")
	code, _ := gate.Run("hprov ab", in, benchcmp.DefaultProjection(), cfg, io.Discard, os.Stdout)
	fmt.Println("exit status", code)
	// Output:
	// hprov ab: 1 gated row(s) (1 regression); 1 tested, each at alpha 0.05 (no correction); threshold: more than 5%
	//   regression  Get-2  sec/op  +86.14%  35.35n → 65.80n  p=0.000 n=10+10
	// hprov ab: verdict: regression (exit 1)
	// exit status 1
}
