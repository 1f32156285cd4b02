package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"golang.org/x/perf/benchfmt"

	"github.com/hprov/hprov/loadgen"
)

func result(profile, impl string, workers int, rate float64, lat ...int64) *loadgen.Result {
	h := hdrhistogram.New(1, int64(10*time.Minute), 3)
	var maxLat int64
	for _, v := range lat {
		_ = h.RecordValue(v)
		maxLat = max(maxLat, v)
	}
	r := &loadgen.Result{
		Workload:      profile,
		Params:        []loadgen.Param{{Key: "keys", Value: "4"}},
		Workers:       workers,
		Rate:          rate,
		Duration:      2 * time.Second,
		Warmup:        200 * time.Millisecond,
		SampleEvery:   64,
		ClockOverhead: 30,
		Count:         1_000_000,
		Elapsed:       2 * time.Second,
		Throughput:    500_000,
		Latency:       h,
		MaxLatency:    time.Duration(maxLat),
		Outcomes: []loadgen.OutcomeCount{
			{OutcomeInfo: loadgen.OutcomeInfo{Name: "ok", Kind: loadgen.Success}, Count: 999_000},
			{OutcomeInfo: loadgen.OutcomeInfo{Name: "ERROR_BUSY", Kind: loadgen.Refused}, Count: 1000},
			{OutcomeInfo: loadgen.OutcomeInfo{Name: "NTE_BAD_UID", Kind: loadgen.Refused}},
			{OutcomeInfo: loadgen.OutcomeInfo{Name: "stale-accepted", Kind: loadgen.Violation}},
		},
	}
	if impl != "" {
		r.Params = append(r.Params, loadgen.Param{Key: "impl", Value: impl})
	}
	return r
}

func sample() *Report {
	open := result("acquire-release", "", 2, 100_000, 100, 200, 300)
	open.Missed = 10
	open.Lag = hdrhistogram.New(1, int64(10*time.Minute), 3)
	for _, v := range []int64{5, 7, 9000} {
		_ = open.Lag.RecordValue(v)
	}
	return &Report{
		Env: Environment("abc123"),
		Results: []*loadgen.Result{
			result("engine-insert-release", "hprov", 1, 0, 10, 20, 30, 4000),
			result("engine-insert-release", "mutex", 1, 0, 12, 22, 32, 5000),
			open,
		},
	}
}

func TestNames(t *testing.T) {
	cases := map[string]*loadgen.Result{
		"Storm/profile=engine-insert-release/impl=mutex/workers=4": result("engine-insert-release", "mutex", 4, 0),
		"Storm/profile=acquire-release/impl=hprov/workers=2":       result("acquire-release", "hprov", 2, 0),
		"Storm/profile=orphans/impl=hprov/workers=1/rate=250000":   result("orphans", "hprov", 1, 250000),
		"Storm/profile=orphans/impl=hprov/workers=1/rate=0.5":      result("orphans", "hprov", 1, 0.5),
		// A workload of the user's own that names no impl has none.
		"Storm/profile=my-cache/workers=3": result("my-cache", "", 3, 0),
	}
	for want, r := range cases {
		if got := Name(r); got != want {
			t.Errorf("Name = %q, want %q", got, want)
		}
	}
}

// The environment comes from the binary and the machine, never from the
// working directory: a test binary stamps no revision, so commit is
// "unknown" even inside this git work tree.
func TestEnvironment(t *testing.T) {
	env := Environment("")
	var keys []string
	got := map[string]string{}
	for _, p := range env {
		keys = append(keys, p.Key)
		got[p.Key] = p.Value
		if p.Value == "" {
			t.Errorf("%s is empty", p.Key)
		}
	}
	want := "goos,goarch,cpu,cpu-id,ncpu,gomaxprocs,go,commit"
	if runtime.GOOS != "linux" {
		want = "goos,goarch,cpu,ncpu,gomaxprocs,go,commit"
	}
	if strings.Join(keys, ",") != want {
		t.Fatalf("Environment keys %v, want %s", keys, want)
	}
	if got["commit"] != "unknown" || got["go"] != runtime.Version() || got["ncpu"] != strconv.Itoa(runtime.NumCPU()) {
		t.Fatalf("Environment = %v", env)
	}
	if Environment("abc")[len(env)-1].Value != "abc" {
		t.Fatal("an explicit commit is not kept")
	}
}

func TestCommitOf(t *testing.T) {
	setting := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	const rev = "0123456789abcdef0123456789abcdef01234567"
	cases := []struct {
		bi   debug.BuildInfo
		want string
	}{
		{debug.BuildInfo{Settings: setting("vcs", "git", "vcs.revision", rev, "vcs.modified", "false")}, "0123456789ab"},
		{debug.BuildInfo{Settings: setting("vcs.revision", rev, "vcs.modified", "true")}, "0123456789ab-dirty"},
		{debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3"},
		{debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261130122849-f01502f981e5"}}, "f01502f981e5"},
		{debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261130122849-f01502f981e5+dirty"}}, "f01502f981e5-dirty"},
		{debug.BuildInfo{Main: debug.Module{Version: "v1.2.4-0.20261130122849-f01502f981e5"}}, "f01502f981e5"},
		{debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "unknown"},
		{debug.BuildInfo{}, "unknown"},
	}
	for _, c := range cases {
		if got := commitOf(&c.bi); got != c.want {
			t.Errorf("commitOf(%v) = %q, want %q", c.bi.Settings, got, c.want)
		}
	}
}

func TestParseCPUInfo(t *testing.T) {
	const info = "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 207\nmodel name\t: Intel(R) Xeon(R) Processor\nstepping\t: 2\n\nprocessor\t: 1\nmodel name\t: other\n"
	model, id := parseCPUInfo(bufio.NewScanner(strings.NewReader(info)))
	if model != "Intel(R) Xeon(R) Processor" || id != "GenuineIntel family 6 model 207 stepping 2" {
		t.Fatalf("parseCPUInfo = %q, %q", model, id)
	}
	if model, id := parseCPUInfo(bufio.NewScanner(strings.NewReader(""))); model != "unknown" || id != "" {
		t.Fatalf("empty cpuinfo: %q, %q", model, id)
	}
}

// The benchmark file must read back, unmodified, with x/perf's own reader:
// every storm a result with the name, configuration and units we meant.
func TestBenchReadsBack(t *testing.T) {
	var buf bytes.Buffer
	rep := sample()
	if err := rep.WriteBench(&buf); err != nil {
		t.Fatal(err)
	}
	rd := benchfmt.NewReader(&buf, "storm.txt")
	var results []*benchfmt.Result
	for rd.Scan() {
		switch rec := rd.Result().(type) {
		case *benchfmt.SyntaxError:
			t.Fatalf("syntax error: %v\n%s", rec, buf.String())
		case *benchfmt.Result:
			results = append(results, rec.Clone())
		}
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	if len(results) != 3 {
		t.Fatalf("read %d results, want 3:\n%s", len(results), buf.String())
	}
	for i, r := range results {
		if got, want := string(r.Name.Full()), Name(rep.Results[i]); got != want {
			t.Errorf("result %d named %q, want %q", i, got, want)
		}
		if r.Iters != 1_000_000 {
			t.Errorf("iterations %d", r.Iters)
		}
		for k, want := range map[string]string{"goos": "linux", "commit": "abc123", "duration": "2s", "warmup": "200ms",
			"sample-every": "64", "engine-insert-release.keys": "4", "acquire-release.keys": "4"} {
			if k == "goos" {
				want = rep.Env[0].Value
			}
			if got := r.GetConfig(k); got != want {
				t.Errorf("result %d: config %s = %q, want %q", i, k, got, want)
			}
		}
		if got := r.GetConfig("engine-insert-release.impl"); got != "" {
			t.Errorf("impl leaked into the configuration: %q", got)
		}
		if v, ok := r.Value("ops/s"); !ok || v != 500_000 {
			t.Errorf("result %d: ops/s = %v, %v", i, v, ok)
		}
		if v, ok := r.Value("sec/op"); !ok || math.Abs(v-2e-6) > 1e-15 {
			t.Errorf("result %d: sec/op = %v, %v", i, v, ok)
		}
		if v, ok := r.Value("ERROR_BUSY/op"); !ok || v != 0.001 {
			t.Errorf("result %d: ERROR_BUSY/op = %v, %v", i, v, ok)
		}
		if _, ok := r.Value("NTE_BAD_UID/op"); ok {
			t.Errorf("result %d: an outcome that never happened is reported", i)
		}
		if v, ok := r.Value("violations"); !ok || v != 0 {
			t.Errorf("result %d: violations = %v, %v", i, v, ok)
		}
	}
	// benchfmt tidies units, as benchstat prints them: max-ns is read as
	// max-sec.
	if v, ok := results[0].Value("max-sec"); !ok || v < 4000e-9 || v > 4010e-9 {
		t.Errorf("max-sec = %v", v)
	}
	if _, ok := results[0].Value("missed/op"); ok {
		t.Error("closed loop reports missed arrivals")
	}
	if v, ok := results[2].Value("missed/op"); !ok || v != 10.0/1_000_010 {
		t.Errorf("missed/op = %v, %v", v, ok)
	}
	if v, ok := results[2].Value("lag-p99-sec"); !ok || v < 9000e-9 || v > 9010e-9 {
		t.Errorf("lag-p99 = %v, %v", v, ok)
	}
	if _, ok := results[0].Value("lag-p99-sec"); ok {
		t.Error("closed loop reports lag")
	}
	units := rd.Units()
	for unit, want := range map[string]int{"ops/s": 1, "p50-ns": -1, "p99.9-ns": -1, "max-ns": -1, "violations": -1, "missed/op": -1, "lag-p99-ns": -1, "sec/op": -1, "ERROR_BUSY/op": 0} {
		if got := units.GetBetter(unit); got != want {
			t.Errorf("unit %s: better = %d, want %d", unit, got, want)
		}
	}
	if m := units.Get("ops/s", "assume"); m == nil || m.Value != "nothing" {
		t.Errorf("ops/s assume = %v", m)
	}
}

// benchstat itself, when installed, must read the file without a warning.
func TestBenchstatReadsIt(t *testing.T) {
	bs, err := exec.LookPath("benchstat")
	if err != nil {
		if gp, gerr := exec.Command("go", "env", "GOPATH").Output(); gerr == nil {
			bs = filepath.Join(strings.TrimSpace(string(gp)), "bin", "benchstat")
		}
	}
	if _, err := os.Stat(bs); err != nil {
		t.Skip("benchstat not installed (go install golang.org/x/perf/cmd/benchstat)")
	}
	path := filepath.Join(t.TempDir(), "storm.txt")
	var buf bytes.Buffer
	if err := sample().WriteBench(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bs, path).CombinedOutput()
	if err != nil {
		t.Fatalf("benchstat: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{"Storm/profile=engine-insert-release/impl=mutex/workers=1", "ops/s", "p99.9-sec", "violations", "commit: abc123"} {
		if !strings.Contains(text, want) {
			t.Errorf("benchstat output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "parsing") || strings.Contains(text, "syntax") {
		t.Errorf("benchstat complained:\n%s", text)
	}
}

func TestJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := sample().WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc jsonReport
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Env["commit"] != "abc123" || len(doc.Results) != 3 {
		t.Fatalf("doc %+v", doc)
	}
	r := doc.Results[2]
	if r.Loop != "open" || r.TargetRate != 100_000 || r.Impl != "" || r.Missed != 10 || r.Outcomes["ERROR_BUSY"] != 1000 ||
		r.Latency.Samples != 3 || r.Latency.Max != 300 || r.Refusals != 1000 || r.Name != "BenchmarkStorm/profile=acquire-release/workers=2/rate=100000" || !strings.HasPrefix(r.Verdict, "overloaded") {
		t.Fatalf("open-loop result %+v", r)
	}
	if r.Lag == nil || r.Lag.Samples != 3 || r.Lag.Max < 9000 || r.Lag.P50 != 7 {
		t.Fatalf("lag %+v", r.Lag)
	}
	if doc.Results[0].Lag != nil {
		t.Fatal("closed loop has a lag")
	}
	if doc.Results[0].Loop != "closed" || doc.Results[0].Impl != "hprov" || doc.Results[1].Impl != "mutex" || doc.Results[0].ClockOverhead != 30 {
		t.Fatalf("closed-loop results %+v", doc.Results[:2])
	}
}

func TestTable(t *testing.T) {
	rep := sample()
	rep.Results[1].Outcomes[3].Count = 2
	var buf bytes.Buffer
	if err := rep.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	for _, want := range []string{
		"commit=abc123", "method: closed loop", "method: open loop", "profile", "engine-insert-release", "mutex",
		"100k/s", "500k", "stale-accepted VIOLATION 2", "ERROR_BUSY 1000 (0.1%)",
		"acquire-release/workers=2/rate=100000: overloaded: achieved 500% of 100k/s; 0.001% of arrivals missed",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, text)
		}
	}
}

// fields returns the cells of the table row whose first cells are prefix.
func row(t *testing.T, table string, prefix ...string) []string {
	t.Helper()
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if len(f) >= len(prefix) && slices.Equal(f[:len(prefix)], prefix) {
			return f
		}
	}
	t.Fatalf("no row %v in\n%s", prefix, table)
	return nil
}

// Rounds of one storm make one row: medians, the spread, summed counts;
// -v gives every round. An open loop's ns/op would only be 1/rate: it is
// left out. Latencies have 3 significant digits.
func TestTableSummarisesRounds(t *testing.T) {
	rep := &Report{}
	for i, tp := range []float64{100e3, 110e3, 80e3} {
		r := result("engine-insert-release", "hprov", 2, 0, 33, 33, 34+int64(i), 1234)
		r.Throughput = tp
		r.Outcomes[3].Count = 1
		rep.Results = append(rep.Results, r, result("engine-insert-release", "mutex", 2, 0, 40))
	}
	open := result("mine", "", 1, 1e6, 7)
	open.Throughput, open.Count = 1e6, 1000
	rep.Results = append(rep.Results, open)
	var buf bytes.Buffer
	if err := rep.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	if n := strings.Count(text, "engine-insert-release  "); n != 2 {
		t.Errorf("%d rows for engine-insert-release, want 2 (one per impl):\n%s", n, text)
	}
	got := row(t, text, "engine-insert-release", "hprov")
	// profile impl workers target rounds ops/s ± ns/op p50 p99 p99.9 max refused violations
	want := []string{"engine-insert-release", "hprov", "2", "closed", "3", "100k", "20.0%", "10000.0", "33.0ns", "1.23µs", "1.23µs", "1.23µs", "0.1%", "3"}
	if !slices.Equal(got, want) {
		t.Errorf("row %v\nwant %v", got, want)
	}
	if got := row(t, text, "mine"); got[1] != "-" || got[3] != "1.00M/s" || got[7] != "-" {
		t.Errorf("open-loop row of a workload without impl: %v", got)
	}
	if !strings.Contains(text, "mine/workers=1/rate=1000000: kept up: achieved 100% of 1.00M/s") {
		t.Errorf("no verdict for the open loop:\n%s", text)
	}
	rep.Verbose = true
	buf.Reset()
	if err := rep.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "engine-insert-release  hprov"); n != 3 {
		t.Errorf("-v: %d hprov rows, want 3:\n%s", n, buf.String())
	}
}

func TestVerdict(t *testing.T) {
	r := result("x", "", 2, 50e6)
	r.Throughput, r.Count, r.Missed = 15.5e6, 31, 69
	if got, want := Verdict(r), "overloaded: achieved 31% of 50.0M/s; 69% of arrivals missed"; got != want {
		t.Errorf("Verdict = %q\nwant %q", got, want)
	}
	r.GeneratorCeiling = 60e6
	if got := Verdict(r); !strings.Contains(got, "83.3% of the generator's own ceiling (60.0M/s with a no-op workload)") {
		t.Errorf("near the ceiling: %q", got)
	}
	r.GeneratorCeiling = 400e6
	if got := Verdict(r); !strings.HasSuffix(got, "; generator ceiling 400M/s") {
		t.Errorf("far from the ceiling: %q", got)
	}
	if Verdict(result("x", "", 1, 0)) != "" {
		t.Error("a closed loop has a verdict")
	}
}

// Verdicts gives one line per open-loop configuration, over its rounds,
// and none for a closed loop.
func TestReportVerdicts(t *testing.T) {
	a1, a2 := result("a", "hprov", 2, 1e6), result("a", "hprov", 2, 1e6)
	a1.Throughput, a1.Count, a1.Missed = 1e6, 2_000_000, 0
	a2.Throughput, a2.Count, a2.Missed = 0.5e6, 1_000_000, 1_000_000
	b := result("b", "", 1, 2e6)
	b.Throughput, b.Count, b.Missed = 0.2e6, 400_000, 3_600_000
	rep := &Report{Results: []*loadgen.Result{a1, result("a", "hprov", 2, 0), b, a2}}
	want := []string{
		"a/impl=hprov/workers=2/rate=1000000: overloaded: achieved 75% of 1.00M/s; 25% of arrivals missed",
		"b/workers=1/rate=2000000: overloaded: achieved 10% of 2.00M/s; 90% of arrivals missed",
	}
	if got := rep.Verdicts(); !slices.Equal(got, want) {
		t.Errorf("Verdicts =\n%q\nwant\n%q", got, want)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrorsAreReturned(t *testing.T) {
	rep := sample()
	for name, write := range map[string]func() error{
		"bench": func() error { return rep.WriteBench(failWriter{}) },
		"json":  func() error { return rep.WriteJSON(failWriter{}) },
		"table": func() error { return rep.WriteTable(failWriter{}) },
	} {
		if err := write(); err == nil {
			t.Errorf("%s: no error from a failing writer", name)
		}
	}
}

func TestFormatting(t *testing.T) {
	for ns, want := range map[float64]string{0: "0", 7: "7.00ns", 15: "15.0ns", 33.5: "33.5ns", 123: "123ns", 1500: "1.50µs", 25e6: "25.0ms", 3e9: "3.00s"} {
		if got := latency(ns); got != want {
			t.Errorf("latency(%v) = %q, want %q", ns, got, want)
		}
	}
	for v, want := range map[float64]string{12: "12.0", 1500: "1.50k", 63_200_000: "63.2M", 2e9: "2.00G"} {
		if got := si(v); got != want {
			t.Errorf("si(%v) = %q, want %q", v, got, want)
		}
	}
	if configKey("Model Name:x") != "model-name-x" || configValue(" a \n b ") != "a b" || configValue("") != "none" {
		t.Error("config sanitising")
	}
}
