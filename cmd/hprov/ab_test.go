package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	regexpPkg "regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests of hprov ab build throwaway git repositories: a module whose
// package calc (in a subdirectory, as packages usually are) has two
// benchmarks, BenchmarkWork and BenchmarkSame, in two commits; the
// second makes Work call a new function, addedSlowPath, that makes Work
// about ten times slower (a margin that survives a loaded machine), and
// leaves Same alone.

const (
	abGoMod = "module example.com/m\n\ngo 1.26\n"
	abFast  = `package calc

// Fast sums the first n integers the slow way.
func Fast(n int) int {
	s := 0
	for i := range n {
		s += i
	}
	return s
}
`
	abWorkOld = `package calc

func Work(n int) int { return Fast(n) }
`
	abWorkNew = `package calc

//go:noinline
func addedSlowPath(n int) int {
	s := 0
	for i := range 10 * n {
		s ^= i * i
	}
	return s
}

func Work(n int) int { return Fast(n) + addedSlowPath(n) }
`
	abBench = `package calc

import "testing"

var sink int

func BenchmarkWork(b *testing.B) {
	for b.Loop() {
		sink = Work(200)
	}
}

func BenchmarkSame(b *testing.B) {
	for b.Loop() {
		sink = Fast(200)
	}
}
`
)

// abRepo makes the throwaway repository, moves the test into it, and
// points TMPDIR at a directory of its own so that leftovers can be seen.
// It returns the repository's directory.
func abRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	t.Setenv("TMPDIR", t.TempDir())
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	gitT(t, dir, "init", "-q")
	gitT(t, dir, "config", "user.email", "ab@example.com")
	gitT(t, dir, "config", "user.name", "ab test")
	writeT(t, dir, "go.mod", abGoMod)
	writeT(t, dir, "calc/fast.go", abFast)
	writeT(t, dir, "calc/work.go", abWorkOld)
	writeT(t, dir, "calc/calc_test.go", abBench)
	gitT(t, dir, "add", "-A")
	gitT(t, dir, "commit", "-q", "-m", "one")
	writeT(t, dir, "calc/work.go", abWorkNew)
	gitT(t, dir, "commit", "-q", "-a", "-m", "two: Work calls addedSlowPath")
	t.Chdir(dir)
	return dir
}

func gitT(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func writeT(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkNoWorktree fails unless git knows only the main work tree and the
// temporary directory holds nothing of hprov's.
func checkNoWorktree(t *testing.T, repo string) {
	t.Helper()
	list := gitT(t, repo, "worktree", "list", "--porcelain")
	if n := strings.Count(list, "worktree "); n != 1 {
		t.Errorf("git worktree list shows %d work trees:\n%s", n, list)
	}
	left, _ := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "hprov-ab-*"))
	for _, l := range left {
		if !strings.Contains(filepath.Base(l), "results") {
			t.Errorf("left behind: %s", l)
		}
	}
}

// Quick settings: enough runs for the gate, short runs, few samples.
var abQuick = []string{"-count", "6", "-benchtime", "20ms", "-explain-samples", "100", "-threshold", "30%"}

// abPasses runs hprov ab with the quick settings, only the allocations
// gated (always 0 here, so that the verdict cannot be noise), and requires
// exit status 0 and no worktree left.
func abPasses(t *testing.T, repo string, args ...string) (stdout, stderr string) {
	t.Helper()
	// Flags given later win: the caller's over the quick settings.
	args = append(append(append([]string{"ab"}, abQuick...), "-gate", ".unit:allocs/op"), args...)
	code, stdout, stderr := hprov(t, args...)
	if code != exitOK {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	checkNoWorktree(t, repo)
	return stdout, stderr
}

func TestABFindsAndExplainsRegression(t *testing.T) {
	repo := abRepo(t)
	out := filepath.Join(t.TempDir(), "out")
	// Work gets about ten times slower (+900%); a 200% threshold keeps
	// Same, whose 20 ms runs can drift by +100% on a loaded machine (seen
	// once under -race beside other jobs), from being flagged by noise.
	args := append(append([]string{"ab", "-base", "HEAD~1", "-o", out}, abQuick...), "-threshold", "200%")
	code, stdout, stderr := hprov(t, args...)
	if code != exitFailure {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	checkNoWorktree(t, repo)
	// The gate names Work, not Same.
	if !mustRE(`Work-\d+.*regress|regress.*Work`).MatchString(stderr) {
		t.Errorf("Work not reported as a regression:\n%s", stderr)
	}
	if mustRE(`Same-\d+.*regress|regress.*Same`).MatchString(stderr) {
		t.Errorf("Same reported as a regression:\n%s", stderr)
	}
	// The profile diff names the new function, first by flat growth.
	flat := stdout[strings.Index(stdout, "by flat growth"):]
	if lines := strings.SplitN(flat, "\n", 4); len(lines) < 3 || !strings.HasSuffix(lines[2], "example.com/m/calc.addedSlowPath") {
		t.Errorf("addedSlowPath does not lead the flat growth:\n%s", stdout)
	}
	if !strings.Contains(stdout, "go tool pprof -diff_base "+filepath.Join(out, "profiles")) {
		t.Errorf("no go tool pprof command:\n%s", stdout)
	}
	for _, f := range []string{"base.txt", "head.txt", "profiles/calc.Work-base.pprof", "profiles/calc.Work-head.pprof", "profiles/calc.Work-diff.txt"} {
		matches, _ := filepath.Glob(filepath.Join(out, strings.Replace(f, "Work", "Work*", 1)))
		if len(matches) == 0 {
			t.Errorf("%s not written", f)
		}
	}
	// Go benchmark format with the revision and Go version as
	// configuration lines, six results of each benchmark.
	want := map[string]string{"base.txt": gitT(t, repo, "rev-parse", "HEAD~1"), "head.txt": gitT(t, repo, "rev-parse", "HEAD")}
	for name, rev := range want {
		data, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(data)
		if !strings.HasPrefix(s, "revision: "+strings.TrimSpace(rev)+"\ngo: go1.") {
			t.Errorf("%s does not start with its revision and Go version:\n%.200s", name, s)
		}
		for _, b := range []string{"BenchmarkWork", "BenchmarkSame"} {
			if n := strings.Count(s, "\n"+b); n != 6 {
				t.Errorf("%s: %d results of %s, want 6", name, n, b)
			}
		}
		if !strings.Contains(s, "pkg: example.com/m/calc\n") || !strings.Contains(s, " B/op ") {
			t.Errorf("%s lacks pkg or -benchmem results:\n%s", name, s)
		}
	}
}

func TestABAANoiseExitsZero(t *testing.T) {
	repo := abRepo(t)
	// From the package's directory: "." means calc in both checkouts.
	t.Chdir(filepath.Join(repo, "calc"))
	out := filepath.Join(t.TempDir(), "out")
	// Threshold 0%, to see the warning about the noise.
	stdout, stderr := abPasses(t, repo, "-base", "HEAD", "-aa", "-bench", "Same", "-o", out, ".", "-threshold", "0%")
	m := mustRE(`A/A noise \(the base against itself, at alpha 0.05\): sec/op: largest \|delta\| (\d+\.\d+)% \(Same-\d+\), [01] of 1 rows significant; B/op: .*; allocs/op: largest \|delta\| 0.00% \(Same-\d+\), 0 of 1 rows significant\n`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no noise report:\n%s", stderr)
	}
	if warned := strings.Contains(stderr, "warning: -threshold 0% is below the measured noise in sec/op ("+m[1]+"%)"); warned != (m[1] != "0.00") {
		t.Errorf("noise %s%%, threshold 0%%, warned %v:\n%s", m[1], warned, stderr)
	}
	for _, f := range []string{"aa-base.txt", "aa-base-again.txt", "base.txt", "head.txt"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	if strings.Contains(stdout, "Work") {
		t.Errorf("-bench Same ran Work:\n%s", stdout)
	}
}

// A package that exists on one side only (new in the working tree) is
// measured there, and named by its pattern without an error.
func TestABPackageOnOneSide(t *testing.T) {
	repo := abRepo(t)
	writeT(t, repo, "extra/extra_test.go", "package extra\n\nimport \"testing\"\n\nfunc BenchmarkExtra(b *testing.B) {\n\tfor b.Loop() {\n\t}\n}\n")
	out := filepath.Join(t.TempDir(), "out")
	abPasses(t, repo, "-base", "HEAD", "-bench", "Same|Extra", "-o", out, "./calc", "./extra")
	base, _ := os.ReadFile(filepath.Join(out, "base.txt"))
	head, _ := os.ReadFile(filepath.Join(out, "head.txt"))
	if bytes.Contains(base, []byte("BenchmarkExtra")) || !bytes.Contains(head, []byte("BenchmarkExtra")) || !bytes.Contains(base, []byte("BenchmarkSame")) {
		t.Errorf("base.txt:\n%s\nhead.txt:\n%s", base, head)
	}
	if !bytes.Contains(head, []byte("-dirty\n")) {
		t.Errorf("the working tree with an untracked package is not marked -dirty:\n%s", head)
	}
}

// -head REV: both sides from temporary worktrees, both removed.
func TestABHeadRevision(t *testing.T) {
	repo := abRepo(t)
	writeT(t, repo, "calc/work.go", "package calc\n\nfunc Work(n int) int { return -1 }\n") // not measured
	out := filepath.Join(t.TempDir(), "out")
	abPasses(t, repo, "-base", "HEAD~1", "-head", "HEAD", "-bench", "Same", "-o", out)
	head, _ := os.ReadFile(filepath.Join(out, "head.txt"))
	if want := "revision: " + strings.TrimSpace(gitT(t, repo, "rev-parse", "HEAD")) + "\n"; !bytes.HasPrefix(head, []byte(want)) {
		t.Errorf("head.txt does not start with %q:\n%s", want, head)
	}
}

// Every failure: exit 2, one line on stderr, no worktree left.
func TestABFailures(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, repo string) // after abRepo
		args  []string
		want  string
	}{
		{"not a repository", func(t *testing.T, repo string) {
			t.Chdir(t.TempDir())
		}, []string{"-base", "HEAD"}, "not a git repository"},
		{"unknown base", nil, []string{"-base", "no-such-rev"}, `-base: unknown revision "no-such-rev"`},
		{"unknown head", nil, []string{"-base", "HEAD", "-head", "v9.9"}, `-head: unknown revision "v9.9"`},
		{"head does not build", func(t *testing.T, repo string) {
			writeT(t, repo, "calc/work.go", "package calc\n\nfunc Work(n int) int { return Fast(n) +  }\n")
		}, []string{"-base", "HEAD"}, "head (the working tree"},
		{"base does not build", func(t *testing.T, repo string) {
			writeT(t, repo, "calc/work.go", "package calc\n\nfunc Work(n int) int { return undefinedThing(n) }\n")
			gitT(t, repo, "commit", "-q", "-a", "-m", "broken")
			writeT(t, repo, "calc/work.go", abWorkOld)
		}, []string{"-base", "HEAD"}, "base ("},
		{"test file does not parse", func(t *testing.T, repo string) {
			// Kept although no benchmark can be read from it, so
			// that go says what is wrong.
			writeT(t, repo, "broken/broken_test.go", "package broken\n\nfunc BenchmarkX(b *testing.B) {\n")
		}, []string{"-base", "HEAD", "./broken"}, "example.com/m/broken does not build"},
		{"no benchmark matched", nil, []string{"-base", "HEAD~1", "-bench", "NoSuchBenchmark"}, `no benchmark matched -bench "NoSuchBenchmark"`},
		{"no sub-benchmark matched", nil, []string{"-base", "HEAD~1", "-bench", "Work/nosub"}, "printed no results"},
		{"benchmark fails", func(t *testing.T, repo string) {
			writeT(t, repo, "calc/fail_test.go", "package calc\n\nimport \"testing\"\n\nfunc BenchmarkFails(b *testing.B) { b.Fatal(\"broken on purpose\") }\n")
		}, []string{"-base", "HEAD", "-bench", "Fails"}, "broken on purpose"},
		{"no base", nil, nil, "-base is required"},
		{"bad -o", nil, []string{"-base", "HEAD", "-o", "/dev/null/out"}, "-o: not a directory"},
		{"bad bench pattern", nil, []string{"-base", "HEAD", "-bench", "a/(b"}, "-bench"},
		{"bad count", nil, []string{"-base", "HEAD", "-count", "0"}, "-count"},
		{"bad benchtime", nil, []string{"-base", "HEAD", "-benchtime", "fast"}, "-benchtime"},
		{"bad cpu", nil, []string{"-base", "HEAD", "-cpu", "1,x"}, "-cpu"},
		{"bad package", nil, []string{"-base", "HEAD", "./nosuchdir"}, "./nosuchdir matches no package on either side"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			repo := abRepo(t)
			if c.setup != nil {
				c.setup(t, repo)
			}
			args := append([]string{"ab", "-count", "2", "-benchtime", "1x", "-o", filepath.Join(t.TempDir(), "out")}, c.args...)
			code, stdout, stderr := hprov(t, args...)
			if code != exitUsage {
				t.Errorf("exit %d, want 2\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			if n := strings.Count(stderr, "\n"); n != 1 || !strings.Contains(stderr, c.want) {
				t.Errorf("stderr (%d lines) lacks %q:\n%s", n, c.want, stderr)
			}
			checkNoWorktree(t, repo)
		})
	}
}

// SIGINT while the benchmarks run: exit 130 (as hprov storm), the worktree
// removed, and what was measured kept.
func TestABInterrupt(t *testing.T) {
	repo := abRepo(t)
	out := filepath.Join(t.TempDir(), "out")
	cmd := exec.Command(os.Args[0], "-test.run=^TestABHelperProcess$")
	cmd.Env = append(os.Environ(), "HPROV_AB_HELPER="+strings.Join([]string{"ab", "-base", "HEAD~1", "-count", "1000", "-benchtime", "20ms", "-o", out}, "\x1f"))
	cmd.Dir = repo
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait for the first results, then interrupt.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		data, _ := os.ReadFile(filepath.Join(out, "base.txt"))
		if bytes.Contains(data, []byte("BenchmarkWork")) {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("no results after 2 minutes:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
		t.Errorf("exit %v, want status 130\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr does not say interrupted:\n%s", stderr.String())
	}
	checkNoWorktree(t, repo)
	data, err := os.ReadFile(filepath.Join(out, "base.txt"))
	if err != nil || !bytes.Contains(data, []byte("BenchmarkWork")) {
		t.Errorf("measured results not kept: %v\n%s", err, data)
	}
}

// SIGINT while a test binary builds: go is killed, and its work directory
// goes with hprov's temporary directory instead of staying in TMPDIR.
func TestABInterruptDuringBuild(t *testing.T) {
	repo := abRepo(t)
	tmp := os.Getenv("TMPDIR") // abRepo's, for this test alone
	cmd := exec.Command(os.Args[0], "-test.run=^TestABHelperProcess$")
	cmd.Env = append(os.Environ(), "HPROV_AB_HELPER="+strings.Join([]string{"ab", "-base", "HEAD~1", "-count", "2", "-benchtime", "1x", "-o", filepath.Join(t.TempDir(), "out")}, "\x1f"))
	cmd.Dir = repo
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// Wait for the go command's work directory, wherever it is.
	var err error
	for caught := false; !caught; {
		select {
		case err = <-done:
			t.Skipf("hprov ab finished (%v) before a build could be interrupted", err)
		case <-time.After(time.Millisecond):
		}
		for _, pat := range []string{"go-build*", "*/go-build*"} {
			if m, _ := filepath.Glob(filepath.Join(tmp, pat)); len(m) > 0 {
				caught = true
			}
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err = <-done
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
		// Interrupted too late: the build was over.
		t.Skipf("exit %v, not interrupted during the build\n%s", err, stderr.String())
	}
	checkNoWorktree(t, repo)
	if left, _ := filepath.Glob(filepath.Join(tmp, "go-build*")); len(left) > 0 {
		t.Errorf("the go command's work directory left behind: %v", left)
	}
}

// TestABHelperProcess is hprov itself when TestABInterrupt runs this test
// binary as a child process to interrupt it.
func TestABHelperProcess(t *testing.T) {
	args := os.Getenv("HPROV_AB_HELPER")
	if args == "" {
		t.Skip("run by TestABInterrupt as a child process")
	}
	os.Exit(run(strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
}

func mustRE(expr string) *regexpPkg.Regexp { return regexpPkg.MustCompile(expr) }
