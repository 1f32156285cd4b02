package csp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Names implements Lister.
func (s *memStore) Names() ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.m))
	for n := range s.m {
		names = append(names, n)
	}
	return names, nil
}

// Names implements Lister: the names recorded in the directory's container files. A file that
// is unreadable, damaged or not where its name leads is left out, as Load would refuse it.
func (s *dirStore) Names() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("csp: DirStore: %v: %w", err, NTE_BAD_KEYSET)
	}
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), fileSuffix) || strings.HasPrefix(e.Name(), tmpPrefix) {
			continue
		}
		file := filepath.Join(s.dir, e.Name())
		data, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		name, ok := storedName(data)
		if ok && s.path(name) == file {
			names = append(names, name)
		}
	}
	return names, nil
}

// storedName returns the container name recorded in a container file that passes openFile's
// checks (see the format at the top of dirstore.go).
func storedName(data []byte) (string, bool) {
	r, _, err := openFile(data)
	if err != nil {
		return "", false
	}
	r.u64()
	name := string(r.bytes(int(r.u16())))
	return name, r.err == nil
}
