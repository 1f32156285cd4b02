package abrun

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/google/pprof/profile"
)

// A ProfileTarget is one benchmark to profile on both sides.
type ProfileTarget struct {
	// Name is the benchmark's name without the "Benchmark" prefix and
	// the "-N" GOMAXPROCS suffix ("Get/size=1k").
	Name string
	// Procs is the GOMAXPROCS it ran with (the -cpu value).
	Procs int
	// NsPerOp is the slower side's time per operation, to size the
	// first pair of runs: sized by the faster side, a regression of 16x
	// would give the slower side 16 times the samples wanted from it.
	NsPerOp float64
	// Samples is the number of CPU samples wanted on each side.
	Samples int
}

// cpuSampleNs is the CPU time one sample stands for at runtime/pprof's
// 100 Hz.
const cpuSampleNs = 1e7

// maxProfilePairs bounds the runs, whatever the estimates say.
const maxProfilePairs = 16

// Profile runs target on both sides with -cpuprofile, interleaved in pairs
// (base head, head base, ...), until each side holds at least
// target.Samples samples, and returns each side's profiles merged. A large
// regression would make that costly (ten times slower: ten times the
// samples on the head side) and needs fewer samples to show, so the runs
// also stop once the two sides hold twice target.Samples together and the
// faster side at least an eighth of it.
//
// Both runs of a pair execute the same number of iterations
// (-benchtime Nx), so the two merged profiles describe the same work and
// their difference (pprof's -diff_base) is the time the head spends on
// it beyond the base, function by function. The first pair is sized
// from the slower side's time per operation as if the benchmark kept
// one CPU busy, so that neither side gets more than a quarter of
// target.Samples from it; later pairs from the samples actually
// collected.
func Profile(ctx context.Context, base, head *Binary, s Settings, t ProfileTarget, tmp string) (baseProf, headProf *profile.Profile, err error) {
	if t.Samples <= 0 {
		return nil, nil, fmt.Errorf("abrun: %d samples wanted", t.Samples)
	}
	s.Bench = ExactPattern(t.Name)
	s.CPU = strconv.Itoa(t.Procs)
	s.Benchmem = false
	chunk := float64(t.Samples) / 4
	nsPerOp := t.NsPerOp
	if !(nsPerOp > 0) || math.IsInf(nsPerOp, 0) {
		nsPerOp = 1
	}
	iters := chunk * cpuSampleNs / nsPerOp
	bins := [2]*Binary{base, head}
	var profs [2][]*profile.Profile
	var got [2]int64
	var total float64 // iterations run on each side
	for pair := 0; pair < maxProfilePairs; pair++ {
		n := int64(math.Min(math.Max(math.Ceil(iters), 1), 1e12))
		first := Side(pair)
		for k := range 2 {
			side := first ^ k
			path := filepath.Join(tmp, fmt.Sprintf("cpu-%d-%d.pprof", side, pair))
			if _, err := Run(ctx, bins[side], s, "-test.benchtime="+strconv.FormatInt(n, 10)+"x", "-test.cpuprofile="+path); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", sideName(side), err)
			}
			p, err := readProfile(path)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %s: %v", sideName(side), bins[side].Package, err)
			}
			profs[side] = append(profs[side], p)
			got[side] += sampleCount(p)
		}
		total += float64(n)
		want := float64(t.Samples)
		least, sum := float64(min(got[0], got[1])), float64(got[0]+got[1])
		if least >= want || (sum >= 2*want && least >= want/8) {
			break
		}
		if least == 0 {
			iters = float64(n) * 10 // too short to see: grow fast
			continue
		}
		// Iterations still needed by either stopping rule, at most a
		// quarter of the target on the faster side per pair.
		each := (want - least) * total / least
		both := math.Max((2*want-sum)*total/sum, (want/8-least)*total/least)
		iters = math.Min(math.Min(each, both), chunk*total/least)
	}
	var out [2]*profile.Profile
	for side := range 2 {
		m, err := profile.Merge(profs[side])
		if err != nil {
			return nil, nil, fmt.Errorf("%s: merging profiles: %v", sideName(side), err)
		}
		out[side] = m
	}
	return out[0], out[1], nil
}

func sideName(side int) string {
	if side == 0 {
		return "base"
	}
	return "head"
}

func readProfile(path string) (*profile.Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return profile.Parse(f)
}

// sampleCount sums the profile's first value, "samples/count" in a CPU
// profile.
func sampleCount(p *profile.Profile) int64 {
	var n int64
	for _, s := range p.Sample {
		if len(s.Value) > 0 {
			n += s.Value[0]
		}
	}
	return n
}
