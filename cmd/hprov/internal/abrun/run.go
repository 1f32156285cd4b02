package abrun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/bits"
	"os/exec"
	"strings"
	"time"

	"golang.org/x/perf/benchfmt"
)

// ErrRun: a test binary exited with an error (a benchmark failed or
// panicked, or the run timed out).
var ErrRun = errors.New("benchmark run failed")

// Settings are the go test flags every run of a binary gets.
type Settings struct {
	Bench     string // -bench
	Benchtime string // -benchtime; empty for go test's default
	CPU       string // -cpu; empty for the current GOMAXPROCS
	Benchmem  bool   // -benchmem
	// Timeout bounds one run (-timeout); 0 means none.
	Timeout time.Duration
}

// args turns the settings into test binary flags for one run: -run '^$'
// so that no test runs, and -count 1 because the caller repeats runs.
func (s Settings) args() []string {
	a := []string{"-test.run=^$", "-test.bench=" + s.Bench, "-test.count=1"}
	if s.Benchtime != "" {
		a = append(a, "-test.benchtime="+s.Benchtime)
	}
	if s.CPU != "" {
		a = append(a, "-test.cpu="+s.CPU)
	}
	if s.Benchmem {
		a = append(a, "-test.benchmem")
	}
	a = append(a, "-test.timeout="+s.Timeout.String())
	return a
}

// Run runs the binary once with the settings, then extra flags (which
// override them), and returns its benchmark results and any unit
// metadata it printed.
func Run(ctx context.Context, b *Binary, s Settings, extra ...string) ([]benchfmt.Record, error) {
	cmd := exec.CommandContext(ctx, b.Path, append(s.args(), extra...)...)
	cmd.Dir = b.Dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %s", b.Package, ErrRun, runError(stdout.String()+stderr.String(), err))
	}
	var recs []benchfmt.Record
	r := benchfmt.NewReader(&stdout, b.Package)
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.Result:
			recs = append(recs, rec.Clone())
		case *benchfmt.UnitMetadata:
			m := *rec
			recs = append(recs, &m)
		}
	}
	return recs, r.Err()
}

// runError picks the lines that say why a run failed: go test's
// "--- FAIL" and panic lines, else the last line of output.
func runError(out string, err error) string {
	var picked []string
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i, l := range lines {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "--- FAIL"), strings.HasPrefix(l, "panic:"), strings.HasPrefix(l, "fatal error:"):
			picked = append(picked, l)
			// The line after a FAIL is usually the message.
			if i+1 < len(lines) && strings.HasPrefix(l, "--- FAIL") {
				picked = append(picked, strings.TrimSpace(lines[i+1]))
			}
		}
		if len(picked) >= 2 {
			break
		}
	}
	if len(picked) == 0 {
		if last := strings.TrimSpace(lines[len(lines)-1]); last != "" {
			picked = append(picked, last)
		}
	}
	return strings.Join(append(picked, err.Error()), "; ")
}

// Side is which side a run in a balanced order belongs to: the Thue–Morse
// sequence 0 1 1 0 1 0 0 1 ..., the parity of the number of set bits of i.
// Every even-length prefix holds as many 0s as 1s, and a linear drift
// over any block of 4 runs (A B B A) costs both sides the same.
func Side(i int) int { return bits.OnesCount(uint(i)) & 1 }
