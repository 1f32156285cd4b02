package report

import (
	"bufio"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/hprov/hprov/loadgen"
)

// Environment returns the configuration lines that say where results were
// measured, all taken from the running binary and the machine, none from
// the working directory: goos, goarch and cpu (the processor's model
// string, as testing.B reports them), cpu-id (vendor, family, model and
// stepping, where the model string is as vague as "Intel(R) Xeon(R)
// Processor"; Linux only), ncpu (runtime.NumCPU), gomaxprocs, go (the
// toolchain that built the binary) and commit. An empty commit means the
// binary's own revision (Commit).
func Environment(commit string) []loadgen.Param {
	if commit == "" {
		commit = Commit()
	}
	cpu, id := cpuInfo()
	env := []loadgen.Param{
		{Key: "goos", Value: runtime.GOOS},
		{Key: "goarch", Value: runtime.GOARCH},
		{Key: "cpu", Value: cpu},
	}
	if id != "" {
		env = append(env, loadgen.Param{Key: "cpu-id", Value: id})
	}
	return append(env,
		loadgen.Param{Key: "ncpu", Value: strconv.Itoa(runtime.NumCPU())},
		loadgen.Param{Key: "gomaxprocs", Value: strconv.Itoa(runtime.GOMAXPROCS(0))},
		loadgen.Param{Key: "go", Value: runtime.Version()},
		loadgen.Param{Key: "commit", Value: commit},
	)
}

// Commit names the source the running binary was built from: the first 12
// hex digits of its vcs.revision, with "-dirty" when it was built from a
// modified tree (what go version -m shows); else the main module's version
// (go install module@version; the revision digits of a pseudo-version);
// else "unknown", as for go test and for builds with -buildvcs=false or
// outside a git clone (a git worktree's .git is a file, which the go
// command does not recognise).
func Commit() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	return commitOf(bi)
}

func commitOf(bi *debug.BuildInfo) string {
	var rev string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev != "" {
		rev = rev[:min(len(rev), 12)]
		if dirty {
			rev += "-dirty"
		}
		return rev
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		return "unknown"
	}
	// A pseudo-version (go install module@commit, or a build that read
	// the revision but stamped no vcs settings) ends in the revision's
	// first 12 hex digits, and "+dirty" for a modified tree.
	if m := pseudo.FindStringSubmatch(v); m != nil {
		if m[2] != "" {
			return m[1] + "-dirty"
		}
		return m[1]
	}
	return v
}

var pseudo = regexp.MustCompile(`^v\d+\.\d+\.\d+-(?:\w+\.)?(?:0\.)?\d{14}-([0-9a-f]{12})(\+dirty)?$`)

// cpuInfo reads the processor's model string and identity from
// /proc/cpuinfo (the first processor's), or "unknown" and "" elsewhere.
func cpuInfo() (model, id string) {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown", ""
	}
	defer f.Close()
	return parseCPUInfo(bufio.NewScanner(f))
}

func parseCPUInfo(s *bufio.Scanner) (model, id string) {
	fields := map[string]string{}
	for s.Scan() {
		line := s.Text()
		if strings.TrimSpace(line) == "" && len(fields) > 0 {
			break // end of the first processor
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			if k = strings.TrimSpace(k); fields[k] == "" {
				fields[k] = strings.TrimSpace(v)
			}
		}
	}
	model = fields["model name"]
	if model == "" {
		model = "unknown"
	}
	var parts []string
	for _, k := range []string{"vendor_id", "cpu family", "model", "stepping"} {
		if v := fields[k]; v != "" {
			if k != "vendor_id" {
				v = strings.TrimPrefix(k, "cpu ") + " " + v
			}
			parts = append(parts, v)
		}
	}
	return model, strings.Join(parts, " ")
}
