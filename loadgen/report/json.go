package report

import (
	"encoding/json"
	"io"
	"time"

	"github.com/hprov/hprov/loadgen"
)

// jsonReport is the JSON document WriteJSON writes.
type jsonReport struct {
	Env     map[string]string `json:"env"`
	Results []jsonResult      `json:"results"`
}

type jsonResult struct {
	Name          string            `json:"name"` // the benchmark name, as in WriteBench
	Profile       string            `json:"profile"`
	Impl          string            `json:"impl,omitempty"`
	Workers       int               `json:"workers"`
	Params        map[string]string `json:"params,omitempty"`
	Loop          string            `json:"loop"` // "closed" or "open"
	TargetRate    float64           `json:"target_rate,omitempty"`
	DurationNs    int64             `json:"duration_ns,omitempty"`
	Ops           uint64            `json:"ops,omitempty"`
	WarmupNs      int64             `json:"warmup_ns"`
	Method        string            `json:"method"`
	SampleEvery   int               `json:"sample_every"`
	ClockOverhead int64             `json:"clock_overhead_ns"`

	Count      uint64            `json:"count"`
	ElapsedNs  int64             `json:"elapsed_ns"`
	Throughput float64           `json:"ops_per_sec"`
	NsPerOp    float64           `json:"ns_per_op"`
	Missed     uint64            `json:"missed,omitempty"`
	Ceiling    float64           `json:"generator_ceiling,omitempty"` // open loop: the generator's own limit, no-op workload
	Verdict    string            `json:"verdict,omitempty"`           // open loop: kept up or overloaded`
	Latency    jsonLatency       `json:"latency_ns"`
	Lag        *jsonLatency      `json:"lag_ns,omitempty"` // open loop: how late sampled arrivals were issued
	Outcomes   map[string]uint64 `json:"outcomes"`
	Refusals   uint64            `json:"refusals"`
	Violations uint64            `json:"violations"`
}

type jsonLatency struct {
	Samples int64 `json:"samples"`
	P50     int64 `json:"p50"`
	P90     int64 `json:"p90"`
	P99     int64 `json:"p99"`
	P999    int64 `json:"p99.9"`
	Max     int64 `json:"max"`
}

// WriteJSON writes rep as one indented JSON document. Durations and
// latencies are in nanoseconds.
func (rep *Report) WriteJSON(w io.Writer) error {
	doc := jsonReport{Env: map[string]string{}, Results: []jsonResult{}}
	for _, p := range rep.Env {
		doc.Env[p.Key] = p.Value
	}
	for _, r := range rep.Results {
		doc.Results = append(doc.Results, toJSON(r))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func toJSON(r *loadgen.Result) jsonResult {
	j := jsonResult{
		Name:          "Benchmark" + Name(r),
		Profile:       r.Workload,
		Impl:          Impl(r),
		Workers:       r.Workers,
		Loop:          "closed",
		TargetRate:    r.Rate,
		DurationNs:    int64(r.Duration),
		Ops:           r.Ops,
		WarmupNs:      int64(r.Warmup),
		Method:        Method(r),
		SampleEvery:   r.SampleEvery,
		ClockOverhead: int64(r.ClockOverhead),
		Count:         r.Count,
		ElapsedNs:     int64(r.Elapsed),
		Throughput:    r.Throughput,
		NsPerOp:       r.NsPerOp(),
		Missed:        r.Missed,
		Ceiling:       r.GeneratorCeiling,
		Verdict:       Verdict(r),
		Latency: jsonLatency{
			Samples: r.Samples(),
			P50:     ns(r.Quantile(0.5)),
			P90:     ns(r.Quantile(0.9)),
			P99:     ns(r.Quantile(0.99)),
			P999:    ns(r.Quantile(0.999)),
			Max:     ns(r.MaxLatency),
		},
		Outcomes:   map[string]uint64{},
		Refusals:   r.Refusals(),
		Violations: r.Violations(),
	}
	if r.Open() {
		j.Loop = "open"
		j.Lag = &jsonLatency{
			P50:  ns(r.LagQuantile(0.5)),
			P90:  ns(r.LagQuantile(0.9)),
			P99:  ns(r.LagQuantile(0.99)),
			P999: ns(r.LagQuantile(0.999)),
			Max:  ns(r.LagQuantile(1)),
		}
		if r.Lag != nil {
			j.Lag.Samples = r.Lag.TotalCount()
		}
	}
	for _, p := range r.Params {
		if j.Params == nil {
			j.Params = map[string]string{}
		}
		j.Params[p.Key] = p.Value
	}
	for _, o := range r.Outcomes {
		j.Outcomes[o.Name] = o.Count
	}
	return j
}

func ns(d time.Duration) int64 { return d.Nanoseconds() }
