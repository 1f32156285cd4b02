package profiles

import (
	"fmt"

	"github.com/hprov/hprov/bench/baseline"
	"github.com/hprov/hprov/loadgen"
)

// obj is the value engine-insert-release stores: the same size as in
// bench's BenchmarkInsertRelease, so the two measure the same thing.
type obj struct{ _ [2]uint64 }

func engineInsertRelease(impl string) loadgen.Workload {
	return loadgen.Workload{
		Name:     "engine-insert-release",
		Params:   []loadgen.Param{{Key: "impl", Value: impl}},
		Outcomes: engineOutcomes(),
		Setup: func(int) (loadgen.Instance, error) {
			t, err := baseline.New[obj](impl)
			if err != nil {
				return nil, fmt.Errorf("%w: %v", ErrUnknownImpl, err)
			}
			return &engineRun{t: t}, nil
		},
	}
}

type engineRun struct{ t baseline.Table[obj] }

// NewOp calls the concrete table's methods directly rather than through
// baseline.Table: an interface (or generic) call per operation would add a
// few nanoseconds to a 10-20 ns operation and count them against the table.
// Storms of this profile alone use NewBatch; NewOp serves mixes.
func (e *engineRun) NewOp(int) loadgen.Op {
	v := new(obj) // one value per worker, reused: the table's allocations only
	switch t := e.t.(type) {
	case *baseline.Hprov[obj]:
		et := t.Engine()
		return func() loadgen.Outcome {
			h, err := et.Insert(v)
			if err != nil {
				return engineOutcome(err)
			}
			return released(et.Release(h))
		}
	case *baseline.SyncMap[obj]:
		return func() loadgen.Outcome {
			h, err := t.Insert(v)
			if err != nil {
				return engineOutcome(err)
			}
			return released(t.Release(h))
		}
	case *baseline.XSync[obj]:
		return func() loadgen.Outcome {
			h, err := t.Insert(v)
			if err != nil {
				return engineOutcome(err)
			}
			return released(t.Release(h))
		}
	case *baseline.Mutex[obj]:
		return func() loadgen.Outcome {
			h, err := t.Insert(v)
			if err != nil {
				return engineOutcome(err)
			}
			return released(t.Release(h))
		}
	}
	t := e.t
	return func() loadgen.Outcome {
		h, err := t.Insert(v)
		if err != nil {
			return engineOutcome(err)
		}
		return released(t.Release(h))
	}
}

// released judges the Release of a handle's only reference.
func released(freed bool, err error) loadgen.Outcome {
	switch {
	case err != nil:
		return engineOutcome(err)
	case !freed:
		return engNotFreed
	}
	return engOK
}

// NewBatch runs the operations in the workload's own loop, with direct
// calls on the concrete table, the way bench's BenchmarkInsertRelease does:
// the harness then adds only its per-batch work, not an indirect call per
// operation. Successes are summed in a register and added once per batch.
func (e *engineRun) NewBatch(int) loadgen.Batch {
	v := new(obj)
	switch t := e.t.(type) {
	case *baseline.Hprov[obj]:
		et := t.Engine()
		return func(n int, counts *loadgen.Counts) {
			var ok uint64
			for range n {
				h, err := et.Insert(v)
				if err != nil {
					counts[engineOutcome(err)]++
					continue
				}
				if o := released(et.Release(h)); o != engOK {
					counts[o]++
					continue
				}
				ok++
			}
			counts[engOK] += ok
		}
	case *baseline.SyncMap[obj]:
		return func(n int, counts *loadgen.Counts) {
			var ok uint64
			for range n {
				h, err := t.Insert(v)
				if err != nil {
					counts[engineOutcome(err)]++
					continue
				}
				if o := released(t.Release(h)); o != engOK {
					counts[o]++
					continue
				}
				ok++
			}
			counts[engOK] += ok
		}
	case *baseline.XSync[obj]:
		return func(n int, counts *loadgen.Counts) {
			var ok uint64
			for range n {
				h, err := t.Insert(v)
				if err != nil {
					counts[engineOutcome(err)]++
					continue
				}
				if o := released(t.Release(h)); o != engOK {
					counts[o]++
					continue
				}
				ok++
			}
			counts[engOK] += ok
		}
	case *baseline.Mutex[obj]:
		return func(n int, counts *loadgen.Counts) {
			var ok uint64
			for range n {
				h, err := t.Insert(v)
				if err != nil {
					counts[engineOutcome(err)]++
					continue
				}
				if o := released(t.Release(h)); o != engOK {
					counts[o]++
					continue
				}
				ok++
			}
			counts[engOK] += ok
		}
	}
	op := e.NewOp(0)
	return func(n int, counts *loadgen.Counts) {
		for range n {
			counts[op()]++
		}
	}
}

func (e *engineRun) Close() error {
	if n := e.t.Len(); n != 0 {
		return fmt.Errorf("engine-insert-release: %d handles still live after the storm: %w", n, ErrLeak)
	}
	return nil
}
