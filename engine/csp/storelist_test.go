package csp

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// Contract: DirStore's Names leaves out what Load would refuse: a damaged file, a file moved
// away from where its name leads, a temporary file, a file that is not a container's.
func TestDirStoreNamesSkipsBadFiles(t *testing.T) {
	dir := t.TempDir()
	s := csptest.Must(DirStore(dir))(t)
	for i, n := range []string{"good", "damaged", "moved"} {
		csptest.OK(t, s.Create(n, uint64(i+1)))
	}
	ds := s.(*dirStore)
	damaged := csptest.Must(os.ReadFile(ds.path("damaged")))(t)
	damaged[len(damaged)-1] ^= 1 // the checksum no longer matches
	csptest.OK(t, os.WriteFile(ds.path("damaged"), damaged, 0o600))
	moved := filepath.Join(dir, "elsewhere"+fileSuffix)
	csptest.OK(t, os.Rename(ds.path("moved"), moved))
	good := csptest.Must(os.ReadFile(ds.path("good")))(t)
	csptest.OK(t, os.WriteFile(filepath.Join(dir, tmpPrefix+"1"+fileSuffix), good, 0o600))
	csptest.OK(t, os.WriteFile(filepath.Join(dir, "notes.txt"), good, 0o600))

	names := csptest.Must(s.(Lister).Names())(t)
	if !slices.Equal(names, []string{"good"}) {
		t.Errorf("Names() = %q; want [\"good\"]", names)
	}
	for _, n := range []string{"damaged", "moved"} {
		_, err := s.Load(n)
		csptest.Is(t, "Load "+n, err, NTE_BAD_KEYSET)
	}
}
