package abrun

import (
	"bytes"
	"os"
	"path/filepath"

	"golang.org/x/perf/benchfmt"
)

// A File accumulates one side's results and writes them in the Go
// benchmark format. Write replaces the file whole (a temporary file renamed
// over it), so a reader never sees half a file, and an interrupted run
// keeps everything measured up to its last Write.
type File struct {
	Path string
	// Config lines written ahead of the results' own (goos, goarch, pkg,
	// cpu), such as the revision and the Go version.
	Config []benchfmt.Config
	recs   []benchfmt.Record
	units  map[string]bool
}

// Add appends the records of one run.
func (f *File) Add(recs []benchfmt.Record) {
	for _, rec := range recs {
		switch rec := rec.(type) {
		case *benchfmt.Result:
			res := rec.Clone()
			res.Config = append(append([]benchfmt.Config(nil), f.Config...), withoutKeys(res.Config, f.Config)...)
			f.recs = append(f.recs, res)
		case *benchfmt.UnitMetadata:
			k := rec.OrigUnit + " " + rec.Key + "=" + rec.Value
			if f.units == nil {
				f.units = make(map[string]bool)
			}
			if !f.units[k] {
				f.units[k] = true
				f.recs = append(f.recs, rec)
			}
		}
	}
}

// Results returns the number of results added.
func (f *File) Results() int {
	n := 0
	for _, r := range f.recs {
		if _, ok := r.(*benchfmt.Result); ok {
			n++
		}
	}
	return n
}

// Write writes every result added so far.
func (f *File) Write() error {
	var buf bytes.Buffer
	w := benchfmt.NewWriter(&buf)
	for _, rec := range f.recs {
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	return writeFileAtomic(f.Path, buf.Bytes())
}

func withoutKeys(cfg, drop []benchfmt.Config) []benchfmt.Config {
	var out []benchfmt.Config
	for _, c := range cfg {
		keep := true
		for _, d := range drop {
			keep = keep && c.Key != d.Key
		}
		if keep {
			out = append(out, c)
		}
	}
	return out
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it over path.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
