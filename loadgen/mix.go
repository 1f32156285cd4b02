package loadgen

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// A Weighted is a workload and its share of a mix.
type Weighted struct {
	Workload Workload
	Weight   int
}

// Mix returns a workload that runs parts side by side: each operation of
// each worker is one of the parts' operations, drawn at random in proportion
// to the weights. Outcomes with the same name in several parts are counted
// together. The mix is reported with a parameter "mix" listing the parts and
// their weights, plus the parts' own parameters (prefixed with the part's
// name where two parts disagree).
func Mix(name string, parts ...Weighted) (Workload, error) {
	if name == "" {
		return Workload{}, fmt.Errorf("%w: mix without a name", ErrWorkload)
	}
	if len(parts) == 0 {
		return Workload{}, fmt.Errorf("%w: mix %s has no parts", ErrWorkload, name)
	}
	var (
		total    uint64
		outcomes []OutcomeInfo
		index    = map[string]int{}
		remaps   = make([]*[MaxOutcomes]Outcome, len(parts))
		seen     = map[string]bool{}
		spec     []string
		params   []Param
		paramAt  = map[string]int{}
		conflict = map[string]bool{}
	)
	for i, p := range parts {
		w := p.Workload
		if err := w.Validate(); err != nil {
			return Workload{}, err
		}
		if p.Weight <= 0 {
			return Workload{}, fmt.Errorf("%w: mix %s: weight of %s is %d, want > 0", ErrWorkload, name, w.Name, p.Weight)
		}
		if seen[w.Name] {
			return Workload{}, fmt.Errorf("%w: mix %s names %s twice", ErrWorkload, name, w.Name)
		}
		seen[w.Name] = true
		total += uint64(p.Weight)
		if total > 1<<32 {
			return Workload{}, fmt.Errorf("%w: mix %s: weights add up to more than 2^32", ErrWorkload, name)
		}
		spec = append(spec, w.Name+"="+strconv.Itoa(p.Weight))
		remaps[i] = new([MaxOutcomes]Outcome)
		for j, o := range w.Outcomes {
			k, ok := index[o.Name]
			if !ok {
				k = len(outcomes)
				if k >= MaxOutcomes-1 {
					return Workload{}, fmt.Errorf("%w: mix %s has more than %d distinct outcomes", ErrWorkload, name, MaxOutcomes-1)
				}
				index[o.Name] = k
				outcomes = append(outcomes, o)
			} else if outcomes[k].Kind != o.Kind {
				return Workload{}, fmt.Errorf("%w: mix %s: outcome %s is a %v in one part and a %v in another", ErrWorkload, name, o.Name, outcomes[k].Kind, o.Kind)
			}
			remaps[i][j] = Outcome(k)
		}
		for _, pr := range w.Params {
			if at, ok := paramAt[pr.Key]; ok {
				if params[at].Value != pr.Value {
					conflict[pr.Key] = true
				}
				continue
			}
			paramAt[pr.Key] = len(params)
			params = append(params, pr)
		}
	}
	// Parameters two parts disagree on are reported per part.
	var merged []Param
	merged = append(merged, Param{"mix", strings.Join(spec, ",")})
	for _, pr := range params {
		if !conflict[pr.Key] {
			merged = append(merged, pr)
		}
	}
	for _, p := range parts {
		for _, pr := range p.Workload.Params {
			if conflict[pr.Key] {
				merged = append(merged, Param{p.Workload.Name + "." + pr.Key, pr.Value})
			}
		}
	}
	// An outcome a part does not declare maps to one the mix does not
	// declare either, so that Run reports the part's bug instead of
	// miscounting it.
	for i, p := range parts {
		for j := len(p.Workload.Outcomes); j < MaxOutcomes; j++ {
			remaps[i][j] = Outcome(len(outcomes))
		}
	}
	// Cumulative weights, drawn against with one 32-bit random number.
	cum := make([]uint32, len(parts))
	var acc uint64
	for i, p := range parts {
		acc += uint64(p.Weight)
		cum[i] = uint32(acc - 1)
	}
	parts = append([]Weighted(nil), parts...)
	return Workload{
		Name:     name,
		Params:   merged,
		Outcomes: outcomes,
		Setup: func(workers int) (Instance, error) {
			m := &mixInstance{parts: make([]Instance, 0, len(parts)), remaps: remaps, cum: cum, total: uint32(total - 1)}
			for _, p := range parts {
				inst, err := p.Workload.Setup(workers)
				if err != nil {
					return nil, errors.Join(fmt.Errorf("mix %s: setting up %s: %w", name, p.Workload.Name, err), m.Close())
				}
				m.parts = append(m.parts, inst)
			}
			return m, nil
		},
	}, nil
}

type mixInstance struct {
	parts  []Instance
	remaps []*[MaxOutcomes]Outcome
	cum    []uint32 // cum[i] is the last draw that selects part i
	total  uint32   // sum of weights - 1: draws are in [0, total]
}

func (m *mixInstance) NewOp(id int) Op {
	ops := make([]Op, len(m.parts))
	for i, p := range m.parts {
		ops[i] = p.NewOp(id)
	}
	cum, remaps, total := m.cum, m.remaps, uint64(m.total)+1
	return func() Outcome {
		// Lemire's multiply-shift maps a 32-bit draw onto [0, total).
		r := uint32((uint64(rand.Uint32()) * total) >> 32)
		i := 0
		for r > cum[i] {
			i++
		}
		return remaps[i][ops[i]()]
	}
}

func (m *mixInstance) Close() error {
	var errs []error
	for _, p := range m.parts {
		errs = append(errs, p.Close())
	}
	return errors.Join(errs...)
}
