package benchcmp_test

import (
	"os"
	"strings"

	"github.com/hprov/hprov/cmd/hprov/internal/benchcmp"
)

// Two runs of one benchmark, compared as "benchstat old new" would.
func Example() {
	old := "BenchmarkEncode-2 1000 100 ns/op\n"
	new := "BenchmarkEncode-2 1000 80 ns/op\n"
	in, err := benchcmp.ReadSources([]benchcmp.Source{
		{Label: "old", R: strings.NewReader(strings.Repeat(old, 6))},
		{Label: "new", R: strings.NewReader(strings.Repeat(new, 6))},
	})
	if err != nil {
		panic(err)
	}
	ts, err := benchcmp.Build(in, benchcmp.DefaultProjection(), benchcmp.DefaultOptions())
	if err != nil {
		panic(err)
	}
	ts.WriteText(os.Stdout)
	// Output:
	//          │     old      │                new                 │
	//          │    sec/op    │   sec/op     vs base               │
	// Encode-2   100.00n ± 0%   80.00n ± 0%  -20.00% (p=0.002 n=6)
}
