package abrun

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

// Every even prefix of the order is balanced, and so is every aligned
// block of four (A B B A or B A A B): a drift that is linear over four
// runs costs both sides the same.
func TestSideIsBalanced(t *testing.T) {
	n := [2]int{}
	for i := range 1024 {
		n[Side(i)]++
		if i%2 == 1 && n[0] != n[1] {
			t.Fatalf("after %d runs: %v", i+1, n)
		}
		if i%4 == 3 {
			var pos [2]int // sum of positions within the block
			for k := range 4 {
				pos[Side(i-3+k)] += k
			}
			if pos[0] != pos[1] {
				t.Fatalf("block ending at %d unbalanced: %v", i, pos)
			}
		}
	}
}

func ExampleSide() {
	for i := range 8 {
		fmt.Print("AB"[Side(i) : Side(i)+1])
	}
	fmt.Println()
	// Output: ABBABAAB
}

func TestBenchPatterns(t *testing.T) {
	for _, c := range []struct {
		bench string
		top   []string // top-level names it selects of Work, Same, Parallel
	}{
		{".", []string{"BenchmarkWork", "BenchmarkSame", "BenchmarkParallel"}},
		{"", []string{"BenchmarkWork", "BenchmarkSame", "BenchmarkParallel"}},
		{"Work", []string{"BenchmarkWork"}},
		{"Work/sub", []string{"BenchmarkWork"}},
		{"Work|Same", []string{"BenchmarkWork", "BenchmarkSame"}},
		{"Work/x|Same", []string{"BenchmarkWork", "BenchmarkSame"}},
		{"(Work|Same)/x", []string{"BenchmarkWork", "BenchmarkSame"}},
		{"[/]|Par", []string{"BenchmarkParallel"}},
		{"/x", []string{"BenchmarkWork", "BenchmarkSame", "BenchmarkParallel"}},
		{"^$", nil},
	} {
		m, err := topLevelPattern(c.bench)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range []string{"BenchmarkWork", "BenchmarkSame", "BenchmarkParallel"} {
			if m == nil || m.MatchString(n) {
				got = append(got, n)
			}
		}
		if !slices.Equal(got, c.top) {
			t.Errorf("-bench %q selects %v, want %v", c.bench, got, c.top)
		}
	}
	if err := ValidateBench("a/(b"); err == nil {
		t.Error("a/(b accepted")
	}
	p := ExactPattern("Get/size=1k/x.y")
	if p != `^BenchmarkGet$/^size=1k$/^x\.y$` {
		t.Errorf("ExactPattern: %s", p)
	}
	for i, e := range splitRegexp(p)[0] {
		if !regexp.MustCompile(e).MatchString([]string{"BenchmarkGet", "size=1k", "x.y"}[i]) {
			t.Errorf("level %d: %s", i, e)
		}
	}
}

func TestBenchmarkFuncs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x_test.go")
	src := `package x

import "testing"

func BenchmarkA(b *testing.B) {}
func Benchmark(b *testing.B) {}
func Benchmarkb(b *testing.B) {}
func BenchmarkÜber(b *testing.B) {}
func BenchmarkHelper() {}
type T struct{}
func (T) BenchmarkM(b *testing.B) {}
func TestX(t *testing.T) {}
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	names, err := benchmarkFuncs(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"BenchmarkA", "Benchmark", "BenchmarkÜber"}; !slices.Equal(names, want) {
		t.Errorf("benchmarks %v, want %v", names, want)
	}
}
