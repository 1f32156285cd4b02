package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	pprofile "github.com/google/pprof/profile"

	"github.com/hprov/hprov/loadgen"
)

// The environment lines of a results file come from the binary and the
// machine, never from the working directory: a test binary stamps no
// revision, so commit is "unknown" although the test runs inside a git
// work tree.
func TestStormEnvironmentFromTheBinary(t *testing.T) {
	out := filepath.Join(t.TempDir(), "env.txt")
	if code, _, stderr := hprov(t, "storm", "-profile", "engine-insert-release", "-workers", "1", "-ops", "1000", "-o", out); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	r := readBench(t, out)[0]
	want := map[string]string{"commit": "unknown", "go": runtime.Version(), "goos": runtime.GOOS, "goarch": runtime.GOARCH,
		"ncpu": strconv.Itoa(runtime.NumCPU()), "gomaxprocs": strconv.Itoa(runtime.GOMAXPROCS(0))}
	for k, v := range want {
		if got := r.GetConfig(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if r.GetConfig("cpu") == "" {
		t.Error("no cpu line")
	}
	code, stdout, _ := hprov(t, "version")
	if code != exitOK || stdout != "hprov unknown "+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH+"\n" {
		t.Errorf("version: exit %d, %q", code, stdout)
	}
}

// -count rounds of a storm make one table row, median and spread; -v shows
// each round.
func TestStormTableRounds(t *testing.T) {
	args := []string{"storm", "-profile", "engine-insert-release", "-impl", "hprov,mutex", "-workers", "1", "-ops", "5000", "-count", "3"}
	code, stdout, stderr := hprov(t, args...)
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	rows := regexp.MustCompile(`(?m)^\s*engine-insert-release\s+(hprov|mutex)\s+1\s+closed\s+3\s+\S+\s+\d+\.\d%`).FindAllString(stdout, -1)
	if len(rows) != 2 || !strings.Contains(stdout, "the median over each storm's rounds") {
		t.Fatalf("want one row per impl over 3 rounds, got %d:\n%s", len(rows), stdout)
	}
	_, stdout, _ = hprov(t, append(args, "-v")...)
	if n := strings.Count(stdout, "engine-insert-release  "); n != 6 {
		t.Fatalf("-v: %d rows, want 6:\n%s", n, stdout)
	}
}

// SIGINT (and SIGTERM) stops the storm that is running; the finished ones
// are printed and written to -o, the CPU profile up to that point too,
// stderr says how far it got, and the exit status is 130.
func TestStormInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command for a few seconds")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			out, cpu := filepath.Join(dir, "out.txt"), filepath.Join(dir, "cpu.pprof")
			cmd := exec.Command(os.Args[0], "storm", "-profile", "engine-insert-release", "-impl", "hprov,mutex", "-workers", "1",
				"-duration", "150ms", "-count", "50", "-o", out, "-cpuprofile", cpu)
			cmd.Env = append(os.Environ(), "HPROV_TEST_MAIN=1")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Each storm takes 200ms with its warm-up: a few finish.
			time.Sleep(1500 * time.Millisecond)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
				t.Fatalf("exit %d (%v), want 130; stderr %q", code, err, stderr.String())
			}
			// Almost always during a storm; rarely between two.
			m := regexp.MustCompile(`interrupted (during storm (\d+) of 100 \(engine-insert-release/impl=\w+/workers=1, \d+ms in\)|after storm (\d+) of 100); (\d+) finished storms reported; wrote ` +
				regexp.QuoteMeta(out) + ", " + regexp.QuoteMeta(cpu) + "\n$").FindStringSubmatch(stderr.String())
			if m == nil {
				t.Fatalf("stderr %q", stderr.String())
			}
			finished := atoi(t, m[4])
			if m[2] != "" && atoi(t, m[2]) != finished+1 || m[3] != "" && atoi(t, m[3]) != finished || finished == 0 {
				t.Fatalf("%q: %d finished", m[1], finished)
			}
			if got := len(readBench(t, out)); got != finished {
				t.Errorf("%d results written, want the %d finished", got, finished)
			}
			if got := strings.Count(stdout.String(), "engine-insert-release  "); got != min(finished, 2) {
				t.Errorf("table has %d rows for %d finished storms:\n%s", got, finished, stdout.String())
			}
			f, err := os.Open(cpu)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := pprofile.Parse(f); err != nil {
				t.Errorf("partial CPU profile: %v", err)
			}
		})
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Off a terminal, progress is a plain line per report (every 10 s, so only
// long storms print any); on one, a status line redrawn in place.
func TestProgressLine(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, 4)
	if p.terminal || p.every != progressEvery {
		t.Fatalf("progress on a buffer: %+v", p)
	}
	p.start(3, "engine-insert-release/impl=hprov/workers=2")
	p.update(loadgen.Progress{Elapsed: 20 * time.Second, Ops: 1e9, Rate: 5e7})
	p.clear()
	if want := "hprov storm: [3/4] engine-insert-release/impl=hprov/workers=2: 20s in, 50M ops/s, 0 errors\n"; b.String() != want {
		t.Fatalf("progress %q, want %q", b.String(), want)
	}
}

// Interrupted before any storm finished, a storm leaves an existing -o
// file as it was: nothing to write is not an empty file.
func TestStormInterruptedBeforeAnyFinished(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.txt")
	if err := os.WriteFile(out, []byte("keep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "storm", "-profile", "engine-insert-release", "-workers", "1", "-duration", "1m", "-o", out)
	cmd.Env = append(os.Environ(), "HPROV_TEST_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted ||
		!regexp.MustCompile(`interrupted (during storm 1 of 1 \(.*\)|before the first storm of 1); 0 finished storms reported; nothing written\n$`).MatchString(stderr.String()) {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	if data, err := os.ReadFile(out); err != nil || string(data) != "keep\n" {
		t.Fatalf("-o file now %q, %v", data, err)
	}
	assertOnly(t, filepath.Dir(out), "out.txt")
}
