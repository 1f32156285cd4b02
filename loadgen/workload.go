package loadgen

import (
	"errors"
	"fmt"
)

// An Outcome is the result of one operation: an index into the Outcomes
// table of the workload that produced it.
type Outcome uint8

// MaxOutcomes bounds the size of a workload's outcome table.
const MaxOutcomes = 256

// A Kind classifies an outcome.
type Kind uint8

const (
	// Success is an operation that did what it was asked.
	Success Kind = iota
	// Refused is an operation that failed with an error code. Under a race
	// some refusals are expected (ERROR_BUSY, NTE_BAD_UID); they are counted,
	// not judged.
	Refused
	// Violation is a broken guarantee: a released or forged handle accepted,
	// a wrong value returned. Any violation fails a storm.
	Violation
)

func (k Kind) String() string {
	switch k {
	case Success:
		return "success"
	case Refused:
		return "refused"
	case Violation:
		return "violation"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// OutcomeInfo names an outcome and gives its kind.
type OutcomeInfo struct {
	Name string // short and without spaces: "ok", "ERROR_BUSY", "stale-accepted"
	Kind Kind
}

// A Param is a fixed parameter of a workload, reported with its results
// (as a configuration line in benchmark format).
type Param struct {
	Key, Value string
}

// An Op performs one operation and reports its outcome. Each worker calls
// its own Op from a single goroutine, so an Op may keep unsynchronised
// per-worker state; it must not allocate on behalf of the harness.
type Op func() Outcome

// Counts holds the number of operations per Outcome.
type Counts [MaxOutcomes]uint64

// A Batch performs n operations (n >= 0) and adds the outcome of each to
// counts. Like an Op it belongs to one worker.
type Batch func(n int, counts *Counts)

// A Batcher is an Instance whose operation is so cheap (the raw engine's
// 10-20 ns) that one indirect call per operation would weigh on the
// measurement: its workers run batches, looping inside the workload with
// direct calls, the way a testing.B loop does. Run uses NewBatch when the
// Instance has it; NewOp is still required, for mixes.
type Batcher interface {
	Instance
	NewBatch(id int) Batch
}

// batchOf loops over an Op: the Batch of an Instance that is not a
// Batcher.
func batchOf(op Op) Batch {
	return func(n int, counts *Counts) {
		for range n {
			counts[op()]++
		}
	}
}

// An Instance is the shared state of one run of a workload.
type Instance interface {
	// NewOp returns the operation worker id (0 <= id < workers) runs. It is
	// called for every worker before any of them starts.
	NewOp(id int) Op
	// Close releases the shared state after every worker has stopped. It
	// reports an error if the run leaked (handles still live) or found a
	// problem only visible at the end.
	Close() error
}

// A Workload is a named operation run by each worker of a storm.
type Workload struct {
	// Name identifies the workload in reports ("acquire-release").
	Name string
	// Params are reported with the results; they must describe everything
	// that distinguishes this workload from another of the same name. The
	// key "impl" is special: it names the implementation under test, and
	// reports put it in the storm's name (impl=...) rather than among the
	// configuration lines. A workload without it is reported by its name
	// alone.
	Params []Param
	// Outcomes is the table Outcome values index. It must be non-empty and
	// hold unique names.
	Outcomes []OutcomeInfo
	// Setup builds the shared state of one run for the given number of
	// workers.
	Setup func(workers int) (Instance, error)
}

// ErrWorkload reports a malformed Workload.
var ErrWorkload = errors.New("loadgen: invalid workload")

// Validate reports whether w can be run.
func (w Workload) Validate() error {
	if w.Name == "" {
		return fmt.Errorf("%w: no name", ErrWorkload)
	}
	if w.Setup == nil {
		return fmt.Errorf("%w: %s has no Setup", ErrWorkload, w.Name)
	}
	if len(w.Outcomes) == 0 || len(w.Outcomes) > MaxOutcomes {
		return fmt.Errorf("%w: %s declares %d outcomes, want 1 to %d", ErrWorkload, w.Name, len(w.Outcomes), MaxOutcomes)
	}
	seen := make(map[string]bool, len(w.Outcomes))
	for _, o := range w.Outcomes {
		if o.Name == "" || seen[o.Name] {
			return fmt.Errorf("%w: %s: outcome name %q empty or repeated", ErrWorkload, w.Name, o.Name)
		}
		if o.Kind > Violation {
			return fmt.Errorf("%w: %s: outcome %s has unknown kind %d", ErrWorkload, w.Name, o.Name, o.Kind)
		}
		seen[o.Name] = true
	}
	return nil
}

// Param returns the value of w's parameter key, or "" if it has none.
func (w Workload) Param(key string) string {
	for _, p := range w.Params {
		if p.Key == key {
			return p.Value
		}
	}
	return ""
}
