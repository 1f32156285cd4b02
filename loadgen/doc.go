// Package loadgen runs storms: many goroutines hammering one workload at
// once, measured honestly.
//
// # Workloads are data
//
// A Workload is a name, the outcomes its operation can have, a few reported
// parameters, and a Setup function that builds the shared state of one run
// (an Instance). Each worker asks the Instance for its own Op, a func that
// performs one operation and returns its Outcome: an index into the
// workload's outcome table, counted per worker with no shared counter on the
// hot path. Outcomes of kind Violation (a released handle accepted, a forged
// one honoured) are what a storm exists to find; Result.Violations sums them.
// Mix combines workloads by weight. An Instance whose operation is as cheap
// as the raw engine's can also be a Batcher: its workers then loop over
// operations themselves, with direct calls, and the harness calls one Batch
// per batch instead of one Op per operation. The built-in profiles live in
// loadgen/profiles; this package knows nothing of the engine, the CryptoAPI
// layer or the command line.
//
// # Closed and open loop
//
// In a closed loop (Config.Rate == 0) each of the W workers runs operations
// back to back. In an open loop (Config.Rate > 0) arrivals follow a schedule
// fixed in advance (loadgen/pace), striped across the workers, and an
// operation's latency is measured from its intended start, so a stall is
// charged to every operation it delayed rather than silently postponing them
// (coordinated omission). A run has a warm-up, excluded from every figure,
// then a measured phase bounded by a duration or by an operation count.
// Under overload an open loop says so rather than hiding it: the warm-up's
// unissued arrivals are dropped at its end (they never eat into the measured
// phase), arrivals of the phase still unissued at its end are counted as
// missed, and Ceiling measures the generator's own limit with a no-op
// workload, so that a target beyond it is not mistaken for the workload's.
//
// # Your own code
//
// A Workload is all it takes to storm any Go code: see the package examples.
// Run runs one storm, Rounds runs several interleaved -count times, and
// Benchmark runs one inside a Go benchmark, so that go test -bench,
// benchstat and hprov compare work on it unchanged. Package loadgen/report
// writes results in the Go benchmark format, as JSON or as a table.
//
// # What is measured, and how
//
// Reading the clock costs about 30 ns here (see loadgen/clock), two to three
// times the engine operation under test, so the harness does not time every
// operation:
//
//   - Throughput: a closed-loop worker runs operations in batches of
//     Config.SampleEvery (64 by default) and reads the clock twice per batch.
//     The measured phase is one window for every worker, as in testing.B's
//     RunParallel: from the end of the warm-up (one instant for all) to the
//     moment the last worker stops; throughput is the operations of the
//     phase over its length, so it stays right with far more workers than
//     Ps. In an open loop the same figure is the achieved rate.
//   - Latency: one operation per batch, at a random position in the batch, is
//     timed on its own and recorded in the worker's HDR histogram
//     (github.com/HdrHistogram/hdrhistogram-go, 3 significant digits); the
//     histograms are merged at the end. The median cost of a back-to-back pair
//     of clock reads, measured at the start of each run, is subtracted from
//     every sample (Result.ClockOverhead). In an open loop one arrival in
//     SampleEvery on average, chosen at random, is timed from its intended
//     start to its completion, and how late it was issued is recorded apart
//     (Result.Lag): the load generator's own share of that latency, such as
//     a worker descheduled by a busy machine.
//   - Outcomes: a per-worker array indexed by Outcome (Counts), incremented
//     per operation, merged at the end.
//
// In a closed loop a batch is three calls of the worker's Batch: the
// operations before the timed one, the timed one, the rest. The timed
// sample therefore includes one Batch call (about 2 ns), which the clock
// calibration does not remove.
//
// Nothing on the hot path allocates, so memory stays flat however long a
// storm runs; every goroutine Run starts has stopped when it returns.
//
// Workers run with the profiler labels of Run's context plus a label
// phase=warmup or phase=measure, so a CPU profile of a storm can be narrowed
// to its measured phase (go tool pprof -tagfocus phase=measure).
package loadgen
