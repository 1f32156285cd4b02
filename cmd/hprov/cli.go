package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// usageError is bad input: reported in one line, exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// fail prints err as the one line the command says about it and returns
// the exit status it calls for.
func fail(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "hprov %s: %s\n", cmd, oneLine(err.Error()))
	var ue *usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitFailure
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// newFlagSet returns a flag set that reports errors through parse instead
// of printing them with the whole usage.
func newFlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("hprov "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "usage: hprov %s %s\n\nflags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args with fs, allowing flags after positional arguments
// ("hprov compare OLD NEW -threshold 5%"), and returns the positional ones.
// -h prints the usage to stdout and returns errHelp.
func parse(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(stdout)
				fs.Usage()
				return nil, errHelp
			}
			return nil, usagef("%v (see -h)", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

var errHelp = errors.New("help requested")

// flagSet reports whether the flag called name was given.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// parseList splits a comma-separated list, dropping empty items.
func parseList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// parseWorkers parses "1,2,4". An empty item ("1,,2") is an error: it is
// more likely a typo than a wish.
func parseWorkers(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, usagef("-workers: empty list (want counts like 1,2,4)")
	}
	var ws []int
	for _, it := range strings.Split(s, ",") {
		it = strings.TrimSpace(it)
		n, err := strconv.Atoi(it)
		if err != nil || n <= 0 || n > 1<<16 {
			return nil, usagef("-workers: %q is not a worker count between 1 and 65536", it)
		}
		ws = append(ws, n)
	}
	return ws, nil
}

// parseRate parses an arrival rate in operations per second, with an
// optional k, M or G suffix ("250k", "1M").
func parseRate(s string) (float64, error) {
	t := strings.TrimSpace(s)
	scale := 1.0
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'k', 'K':
			scale, t = 1e3, t[:n-1]
		case 'M':
			scale, t = 1e6, t[:n-1]
		case 'G':
			scale, t = 1e9, t[:n-1]
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	v *= scale
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, usagef("-rate: %q is not a rate in operations per second (like 100000 or 250k)", s)
	}
	if v <= 0 || v > 1e9 {
		return 0, usagef("-rate: %v ops/s is out of range: want more than 0 and at most 1G", v)
	}
	return v, nil
}

// A mixPart is one "name=weight" item of -mix.
type mixPart struct {
	name   string
	weight int
}

// parseMix parses "acquire-release=70,hash-session=30".
func parseMix(s string) ([]mixPart, error) {
	items := parseList(s)
	if len(items) == 0 {
		return nil, usagef("-mix: empty (want name=weight,... like acquire-release=70,hash-session=30)")
	}
	var parts []mixPart
	seen := map[string]bool{}
	for _, it := range items {
		name, w, ok := strings.Cut(it, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, usagef("-mix: %q is not name=weight", it)
		}
		n, err := strconv.Atoi(strings.TrimSpace(w))
		if err != nil || n <= 0 {
			return nil, usagef("-mix: weight %q of %s is not a positive integer", w, name)
		}
		if seen[name] {
			return nil, usagef("-mix: %s named twice", name)
		}
		seen[name] = true
		parts = append(parts, mixPart{name, n})
	}
	return parts, nil
}

// An outputFile is written in full or not at all: content goes to a
// temporary file beside the destination, renamed over it on Commit.
// Creating it early checks that the destination is writable before a long
// storm runs.
type outputFile struct {
	*os.File
	dest string
}

func createOutput(flagName, dest string) (*outputFile, error) {
	dir, base := filepath.Split(dest)
	if dir == "" {
		dir = "."
	}
	if base == "" {
		return nil, usagef("%s: %q names a directory, not a file", flagName, dest)
	}
	// An existing target must be a regular file this process may write:
	// the rename at the end would fail on a directory, and replacing a
	// read-only file would go against its owner's wish.
	if st, err := os.Stat(dest); err == nil {
		if st.IsDir() {
			return nil, usagef("%s: %s is a directory, not a file", flagName, dest)
		}
		if !st.Mode().IsRegular() {
			return nil, usagef("%s: %s is not a regular file", flagName, dest)
		}
		f, err := os.OpenFile(dest, os.O_WRONLY, 0)
		if err != nil {
			return nil, usagef("%s: cannot write %s: %v", flagName, dest, unwrapPath(err))
		}
		f.Close()
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return nil, usagef("%s: cannot write %s: %v", flagName, dest, unwrapPath(err))
	}
	// CreateTemp makes the file private; results are for sharing.
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &outputFile{File: f, dest: dest}, nil
}

// Commit closes the file and moves it into place.
func (o *outputFile) Commit() error {
	if err := o.File.Sync(); err != nil {
		o.Abort()
		return err
	}
	if err := o.File.Close(); err != nil {
		os.Remove(o.File.Name())
		return err
	}
	if err := os.Rename(o.File.Name(), o.dest); err != nil {
		os.Remove(o.File.Name())
		return err
	}
	return nil
}

// Abort discards the file; nothing is left behind.
func (o *outputFile) Abort() {
	o.File.Close()
	os.Remove(o.File.Name())
}

// unwrapPath drops the *PathError wrapping, whose path is the temporary
// file's.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// unwrapPathKeep turns "open x: no such file" into a message that names
// the file once.
func unwrapPathKeep(err error, path string) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", path, pe.Err)
	}
	return err
}
