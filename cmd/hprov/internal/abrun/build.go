package abrun

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrBuild: a test binary could not be built.
var ErrBuild = errors.New("does not build")

// A Binary is one package's test binary on one side.
type Binary struct {
	Package string // import path
	Path    string // the executable
	// Dir is the package's source directory: go test runs a test
	// binary there, and benchmarks may read testdata relative to it.
	Dir string
	// GoVersion is the toolchain that built it ("go1.26.8").
	GoVersion string
}

// Build compiles pkg's test binary with "go test -c", resolving the
// import path from dir (a checkout's PkgDir), and writes it to out. The
// go command's work directory goes beside out (GOTMPDIR): cancelling ctx
// kills go, which leaves its work directory behind, and it must be where
// the caller removes out's directory, not in the system's temporary
// directory.
func Build(ctx context.Context, dir string, pkg Package, out, tags string) (*Binary, error) {
	args := []string{"test", "-c", "-o", out}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	// No "--": go test would take what follows for test binary flags.
	cmd := exec.CommandContext(ctx, "go", append(args, pkg.ImportPath)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOTMPDIR="+filepath.Dir(out))
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%s %w: %s", pkg.ImportPath, ErrBuild, buildError(output.String(), err))
	}
	info, err := buildinfo.ReadFile(out)
	if err != nil {
		return nil, fmt.Errorf("%s: reading the test binary's build info: %v", pkg.ImportPath, err)
	}
	return &Binary{Package: pkg.ImportPath, Path: out, Dir: pkg.Dir, GoVersion: info.GoVersion}, nil
}

// buildError keeps the first lines of go's complaint, without the
// "# package" headers, for a one-line message.
func buildError(out string, err error) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, "FAIL") {
			continue
		}
		lines = append(lines, l)
		if len(lines) == 3 {
			break
		}
	}
	if len(lines) == 0 {
		return err.Error()
	}
	return strings.Join(lines, "; ")
}
