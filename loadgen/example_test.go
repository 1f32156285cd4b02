package loadgen_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/hprov/hprov/loadgen"
	"github.com/hprov/hprov/loadgen/report"
)

// sessions is the code under test, the user's own: a session store under
// a mutex.
type sessions struct {
	mu   sync.Mutex
	m    map[uint64]string
	next uint64
}

func (s *sessions) open(user string) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	s.m[s.next] = user
	return s.next
}

func (s *sessions) lookup(id uint64) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.m[id]
	return u, ok
}

func (s *sessions) close(id uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}

// The outcomes a storm counts: an index into this table is what each
// operation returns. Violations fail the storm.
var sessionOutcomes = []loadgen.OutcomeInfo{
	{Name: "ok", Kind: loadgen.Success},
	{Name: "wrong-user", Kind: loadgen.Violation},
	{Name: "closed-session-found", Kind: loadgen.Violation},
}

// sessionsInstance is one run's shared state: the store, and a check at
// the end that nothing leaked.
type sessionsInstance struct{ s *sessions }

// NewOp gives worker id its operation: open a session, look it up, close
// it, and check that it is gone.
func (in sessionsInstance) NewOp(id int) loadgen.Op {
	user := fmt.Sprintf("user-%d", id) // per-worker state: no allocation per operation
	return func() loadgen.Outcome {
		sid := in.s.open(user)
		if u, ok := in.s.lookup(sid); !ok || u != user {
			return 1
		}
		in.s.close(sid)
		if _, ok := in.s.lookup(sid); ok {
			return 2
		}
		return 0
	}
}

func (in sessionsInstance) Close() error {
	if n := len(in.s.m); n != 0 {
		return fmt.Errorf("%d sessions left open", n)
	}
	return nil
}

func sessionsWorkload() loadgen.Workload {
	return loadgen.Workload{
		Name:     "sessions",
		Outcomes: sessionOutcomes,
		Setup: func(workers int) (loadgen.Instance, error) {
			return sessionsInstance{&sessions{m: map[uint64]string{}}}, nil
		},
	}
}

// Storm your own code: a Workload says what one operation is and which of
// its outcomes are violations; Run runs it on many goroutines at once; the
// report package writes the result in Go benchmark format, for benchstat
// and hprov compare (or as a table, or JSON). The workload names no
// "impl", so its results are named by the workload alone.
func Example() {
	res, err := loadgen.Run(context.Background(), sessionsWorkload(), loadgen.Config{Workers: 4, Ops: 20_000})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Count, "operations,", res.Violations(), "violations")

	rep := &report.Report{Env: report.Environment(""), Results: []*loadgen.Result{res}}
	var out bytes.Buffer
	if err := rep.WriteBench(&out); err != nil { // or WriteTable, WriteJSON
		fmt.Println(err)
		return
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "Benchmark") {
			f := strings.Fields(line)
			fmt.Println(f[0], f[1]) // name and operation count; timings follow
		}
	}
	// Output:
	// 20000 operations, 0 violations
	// BenchmarkStorm/profile=sessions/workers=4 20000
}

// Interleaved rounds, as hprov storm -count runs them: A B A B ...
func ExampleRounds() {
	storms := []loadgen.Storm{
		{Workload: sessionsWorkload(), Config: loadgen.Config{Workers: 1, Ops: 5000}},
		{Workload: sessionsWorkload(), Config: loadgen.Config{Workers: 2, Ops: 5000}},
	}
	err := loadgen.Rounds(context.Background(), storms, 2, func(round, i int, res *loadgen.Result, err error) error {
		if err != nil {
			return err
		}
		fmt.Printf("round %d: %d workers, %d ops\n", round, res.Workers, res.Count)
		return nil
	})
	fmt.Println(err)
	// Output:
	// round 0: 1 workers, 5000 ops
	// round 0: 2 workers, 5000 ops
	// round 1: 1 workers, 5000 ops
	// round 1: 2 workers, 5000 ops
	// <nil>
}

// In a _test.go file, a storm is a Go benchmark:
//
//	func BenchmarkSessions(b *testing.B) {
//		loadgen.Benchmark(b, sessionsWorkload(), loadgen.Config{Workers: 8})
//	}
//
// go test -bench Sessions then prints b.N, ns/op over the measured phase,
// and ops/s, p50-ns, p99-ns, p99.9-ns and violations; benchstat and hprov
// compare read that output. Here testing.Benchmark runs it in-process.
func ExampleBenchmark() {
	res := testing.Benchmark(func(b *testing.B) {
		loadgen.Benchmark(b, sessionsWorkload(), loadgen.Config{Workers: 8})
	})
	fmt.Println(res.N > 0, res.Extra["ops/s"] > 0, res.Extra["violations"])
	// Output: true true 0
}

func BenchmarkSessions(b *testing.B) {
	loadgen.Benchmark(b, sessionsWorkload(), loadgen.Config{Workers: 8})
}
