package main

import (
	"fmt"
	"io"
)

// outputs are the files a storm writes, each created before the first
// storm (so that a bad path fails in a second, not after an hour) and
// committed, or discarded, together at the end.
type outputs struct {
	files map[string]*outputFile // by flag
	order []string
}

// openOutputs creates the (flag, path) outputs whose path is not empty. Two
// flags naming one file, or any that cannot be created, are a usage error;
// nothing is left behind.
func openOutputs(specs [][2]string) (*outputs, error) {
	o := &outputs{files: map[string]*outputFile{}}
	byPath := map[string]string{}
	for _, s := range specs {
		flagName, path := s[0], s[1]
		if path == "" {
			continue
		}
		if other, ok := byPath[path]; ok {
			o.abort()
			return nil, usagef("%s and %s both name %s", other, flagName, path)
		}
		byPath[path] = flagName
		f, err := createOutput(flagName, path)
		if err != nil {
			o.abort()
			return nil, err
		}
		o.files[flagName] = f
		o.order = append(o.order, flagName)
	}
	return o, nil
}

// get returns the file of flagName, or nil if it was not asked for.
func (o *outputs) get(flagName string) *outputFile { return o.files[flagName] }

func (o *outputs) abort() {
	for _, f := range o.files {
		f.Abort()
	}
}

// discard drops the file of flagName: it will not be written.
func (o *outputs) discard(flagName string) {
	if f, ok := o.files[flagName]; ok {
		f.Abort()
		delete(o.files, flagName)
	}
}

// write fills the file of flagName, if it was asked for. If fill fails the
// file is discarded, so that nothing half-written is committed (an
// existing file stays as it was), and the error is returned.
func (o *outputs) write(flagName string, fill func(io.Writer) error) error {
	f := o.get(flagName)
	if f == nil {
		return nil
	}
	if err := fill(f); err != nil {
		o.discard(flagName)
		return err
	}
	return nil
}

// commit moves every file into place and returns what failed.
func (o *outputs) commit() []string {
	var failed []string
	for _, flagName := range o.order {
		f, ok := o.files[flagName]
		if !ok {
			continue // discarded
		}
		if err := f.Commit(); err != nil {
			failed = append(failed, fmt.Sprintf("%s: writing %s: %v", flagName, f.dest, err))
			delete(o.files, flagName)
		}
	}
	return failed
}

// written lists the files committed, in flag order.
func (o *outputs) written() []string {
	var names []string
	for _, flagName := range o.order {
		if f, ok := o.files[flagName]; ok {
			names = append(names, f.dest)
		}
	}
	return names
}
