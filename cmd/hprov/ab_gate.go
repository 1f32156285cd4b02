package main

// ab_gate.go judges hprov ab's measurements with the gate of hprov
// compare (internal/gate): the same statistics, thresholds, exit statuses
// and formats. The column labels are "base" and "head"; the revision and
// go configuration lines, which differ between the sides by design, are
// left out of the grouping (benchstat's -ignore), or benchstat would put
// each side in a table of its own and compare nothing.

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"slices"
	"strings"

	"github.com/hprov/hprov/cmd/hprov/internal/benchcmp"
	"github.com/hprov/hprov/cmd/hprov/internal/gate"
)

// abProjection is benchstat's default grouping without the keys that
// name a side.
func abProjection() benchcmp.Projection {
	p := benchcmp.DefaultProjection()
	p.Ignore = "revision,go"
	return p
}

// readSides reads the two sides' files as the columns "base" and "head"
// (or the labels given).
func readSides(paths, labels [2]string) (*benchcmp.Input, error) {
	var srcs []benchcmp.Source
	for i, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, benchcmp.Source{Label: labels[i], R: bytes.NewReader(data)})
	}
	return benchcmp.ReadSources(srcs)
}

type abVerdict struct {
	code        int
	regressions []abRegression
}

// gateAB prints the comparison of the two files in the chosen format, the
// verdict on stderr, and returns the exit status with the regressed rows.
func gateAB(basePath, headPath string, g gate.Config, stdout, stderr io.Writer) abVerdict {
	in, err := readSides([2]string{basePath, headPath}, [2]string{"base", "head"})
	if err != nil {
		return abVerdict{code: fail(stderr, "ab", usagef("%v", err))}
	}
	code, rep := gate.Run("hprov ab", in, abProjection(), g, stdout, stderr)
	v := abVerdict{code: code}
	if code != gate.ExitRegression {
		return v
	}
	for _, r := range rep.Rows {
		if !r.Gated || r.Verdict != gate.Regression {
			continue
		}
		reg := abRegression{name: r.Benchmark, unit: r.Unit, delta: ratFloat(r.Delta), slowCenter: max(r.Old.Summary.Center, r.New.Summary.Center)}
		for _, c := range r.Table.Config() {
			if c.Key == "pkg" {
				reg.pkg = c.Value
			}
		}
		v.regressions = append(v.regressions, reg)
	}
	return v
}

// ratFloat is a delta as a float; nil (a change from 0) is +Inf.
func ratFloat(r *big.Rat) float64 {
	if r == nil {
		return math.Inf(1)
	}
	f, _ := r.Float64()
	return f
}

// reportNoise judges the A/A run and prints, per unit, the largest
// |delta| and how many rows the test found significant by chance; it
// warns when -threshold is below the noise in time per operation.
func reportNoise(path1, path2 string, g gate.Config, stderr io.Writer) error {
	in, err := readSides([2]string{path1, path2}, [2]string{"base", "base-again"})
	if err != nil {
		return err
	}
	// Every row is tested for the noise, whatever -gate selects.
	all := g
	all.Gate = "*"
	ts, err := benchcmp.Build(in, abProjection(), benchcmp.Options{Alpha: all.Alpha, Confidence: all.Confidence, Mark: all.Gate})
	if err != nil {
		return err
	}
	rep := gate.Judge(ts, all)
	type noise struct {
		rows, significant int
		max               float64
		where             string
	}
	var units []string
	byUnit := make(map[string]*noise)
	for _, r := range rep.Rows {
		if r.New == nil {
			continue
		}
		n := byUnit[r.Unit]
		if n == nil {
			n = &noise{}
			byUnit[r.Unit] = n
			units = append(units, r.Unit)
		}
		n.rows++
		// A zero delta (all values equal) is no difference at all.
		if rep.Significant(r) && (r.Delta == nil || r.Delta.Sign() != 0) {
			n.significant++
		}
		if d := math.Abs(ratFloat(r.Delta)); d > n.max || n.where == "" {
			n.max, n.where = d, r.Benchmark
		}
	}
	if len(units) == 0 {
		return fmt.Errorf("A/A: no benchmark compared")
	}
	// Time first: it is what the threshold is usually about.
	slices.SortStableFunc(units, func(a, b string) int {
		switch {
		case a == "sec/op" && b != "sec/op":
			return -1
		case b == "sec/op" && a != "sec/op":
			return 1
		}
		return 0
	})
	level := fmt.Sprintf("alpha %v", g.Alpha)
	if g.Correct == gate.CorrectHolm {
		level += ", Holm-corrected"
	}
	var parts []string
	for _, u := range units {
		n := byUnit[u]
		parts = append(parts, fmt.Sprintf("%s: largest |delta| %.2f%% (%s), %d of %d rows significant", u, 100*n.max, n.where, n.significant, n.rows))
	}
	fmt.Fprintf(stderr, "hprov ab: A/A noise (the base against itself, at %s): %s\n", level, strings.Join(parts, "; "))
	if n := byUnit["sec/op"]; n != nil && g.Threshold.Float() < n.max {
		fmt.Fprintf(stderr, "hprov ab: warning: -threshold %s is below the measured noise in sec/op (%.2f%%): a change that small may be noise\n", g.Threshold, 100*n.max)
	}
	return nil
}
