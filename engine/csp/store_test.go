package csp

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// storeContract runs the Store rules against a fresh store from mk.
func storeContract(t *testing.T, mk func(t *testing.T) Store) {
	k := testKeys()
	t.Run("lifecycle", func(t *testing.T) {
		s := mk(t)
		_, err := s.Load("a")
		csptest.Is(t, "Load of a missing container", err, NTE_BAD_KEYSET)
		csptest.Is(t, "Delete of a missing container", s.Delete("a"), NTE_BAD_KEYSET)
		csptest.Is(t, "SetKey on a missing container", s.SetKey("a", 1, AT_SIGNATURE, k[0]), NTE_BAD_KEYSET)
		csptest.OK(t, s.Create("a", 7))
		csptest.Is(t, "Create of an existing container", s.Create("a", 8), NTE_EXISTS)
		c := csptest.Must(s.Load("a"))(t)
		if c.ID != 7 || c.KeyExchange != nil || c.Signature != nil {
			t.Fatalf("new container = %+v", c)
		}
		csptest.Is(t, "SetKey with another incarnation's ID", s.SetKey("a", 8, AT_SIGNATURE, k[0]), NTE_BAD_KEYSET)
		csptest.Is(t, "SetKey with a bad spec", s.SetKey("a", 7, 3, k[0]), NTE_BAD_ALGID)
		csptest.OK(t, s.SetKey("a", 7, AT_SIGNATURE, k[1]))
		csptest.OK(t, s.SetKey("a", 7, AT_KEYEXCHANGE, k[0]))
		c = csptest.Must(s.Load("a"))(t)
		if !c.Signature.Equal(k[1]) || !c.KeyExchange.Equal(k[0]) {
			t.Fatal("key pairs not stored")
		}
		csptest.OK(t, s.SetKey("a", 7, AT_SIGNATURE, k[0])) // replaces
		if c = csptest.Must(s.Load("a"))(t); !c.Signature.Equal(k[0]) {
			t.Fatal("SetKey did not replace the pair")
		}
		csptest.OK(t, s.Delete("a"))
		_, err = s.Load("a")
		csptest.Is(t, "Load after Delete", err, NTE_BAD_KEYSET)
		csptest.OK(t, s.Create("a", 9))
		if c = csptest.Must(s.Load("a"))(t); c.ID != 9 || c.Signature != nil {
			t.Fatalf("recreated container = %+v", c)
		}
	})
	t.Run("names", func(t *testing.T) {
		s := mk(t)
		names := []string{"x", "X", ".", "..", "a b", "é", strings.Repeat("n", 260), `machine\x`}
		for i, n := range names {
			csptest.OK(t, s.Create(n, uint64(i+1)))
		}
		for i, n := range names {
			if c := csptest.Must(s.Load(n))(t); c.ID != uint64(i+1) {
				t.Errorf("%q: ID %d, want %d (names must not collide)", n, c.ID, i+1)
			}
		}
	})
	t.Run("concurrent", func(t *testing.T) {
		s := mk(t)
		csptest.OK(t, s.Create("c", 1))
		var wg sync.WaitGroup
		var mu sync.Mutex
		created := 0
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if s.Create("race", uint64(i+1)) == nil {
					mu.Lock()
					created++
					mu.Unlock()
				}
				spec := AT_SIGNATURE
				if i%2 == 0 {
					spec = AT_KEYEXCHANGE
				}
				if err := s.SetKey("c", 1, spec, k[i%2]); err != nil {
					t.Error(err)
				}
				if _, err := s.Load("c"); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if created != 1 {
			t.Errorf("%d concurrent Creates of one name succeeded; want 1", created)
		}
		c := csptest.Must(s.Load("c"))(t)
		if c.Signature == nil || c.KeyExchange == nil {
			t.Error("a concurrent SetKey was lost")
		}
	})
}

func TestMemStore(t *testing.T) {
	storeContract(t, func(*testing.T) Store { return MemStore() })
}

func TestDirStore(t *testing.T) {
	storeContract(t, func(t *testing.T) Store { return csptest.Must(DirStore(t.TempDir()))(t) })
}

func TestDirStoreFiles(t *testing.T) {
	dir := t.TempDir()
	s := csptest.Must(DirStore(dir))(t)
	csptest.OK(t, s.Create("../../etc/passwd", 1))
	csptest.OK(t, s.SetKey("../../etc/passwd", 1, AT_SIGNATURE, testKeys()[0]))
	ents, err := os.ReadDir(dir)
	csptest.OK(t, err)
	if len(ents) != 1 {
		t.Fatalf("%d files; want one per container and no temporary file left", len(ents))
	}
	sum := sha256.Sum256([]byte("../../etc/passwd"))
	if want := hex.EncodeToString(sum[:]) + fileSuffix; ents[0].Name() != want {
		t.Fatalf("file %q; want %q", ents[0].Name(), want)
	}
	fi, err := ents[0].Info()
	csptest.OK(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v; private keys need 0600", fi.Mode().Perm())
	}
	// Leftovers of an interrupted write are removed when the store is opened.
	csptest.OK(t, os.WriteFile(filepath.Join(dir, tmpPrefix+"123"), []byte("half"), 0o600))
	_ = csptest.Must(DirStore(dir))(t)
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d files after reopening; the temporary file should be gone", len(ents))
	}
	// Not a directory.
	f := filepath.Join(dir, "file")
	csptest.OK(t, os.WriteFile(f, nil, 0o600))
	_, err = DirStore(f)
	csptest.Is(t, "DirStore on a file", err, ERROR_INVALID_PARAMETER)
	_, err = DirStore("")
	csptest.Is(t, "DirStore of an empty path", err, ERROR_INVALID_PARAMETER)
}

// Every kind of damage to one container's file gives NTE_BAD_KEYSET for that container, never
// a panic, and the other containers are unaffected.
func TestDirStoreDamage(t *testing.T) {
	k := testKeys()
	for _, tc := range []struct {
		name   string
		damage func(b []byte) []byte
		reason string
	}{
		{"truncated to nothing", func(b []byte) []byte { return nil }, "truncated"},
		{"truncated header", func(b []byte) []byte { return b[:7] }, "truncated"},
		{"truncated body", func(b []byte) []byte { return b[:len(b)/2] }, "truncated"},
		{"one byte short", func(b []byte) []byte { return b[:len(b)-1] }, "truncated"},
		{"extended", func(b []byte) []byte { return append(b, 0) }, "truncated or extended"},
		{"flipped key byte", func(b []byte) []byte { b[len(b)/2] ^= 1; return b }, "checksum"},
		{"flipped checksum", func(b []byte) []byte { b[len(b)-1] ^= 1; return b }, "checksum"},
		{"bad magic", func(b []byte) []byte { copy(b, "XXXX"); return b }, "magic"},
		{"future version", func(b []byte) []byte { b[5] = 9; return b }, "version"},
		{"zeroed", func(b []byte) []byte { return make([]byte, len(b)) }, "magic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := csptest.Must(DirStore(dir))(t)
			for _, n := range []string{"good", "bad"} {
				csptest.OK(t, s.Create(n, 1))
				csptest.OK(t, s.SetKey(n, 1, AT_SIGNATURE, k[0]))
			}
			file := s.(*dirStore).path("bad")
			b, err := os.ReadFile(file)
			csptest.OK(t, err)
			csptest.OK(t, os.WriteFile(file, tc.damage(b), 0o600))

			s = csptest.Must(DirStore(dir))(t) // as after a restart
			_, err = s.Load("bad")
			csptest.Is(t, "Load of the damaged container", err, NTE_BAD_KEYSET)
			if err != nil && !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("error %q does not say %q", err, tc.reason)
			}
			csptest.Is(t, "SetKey on the damaged container", s.SetKey("bad", 1, AT_KEYEXCHANGE, k[1]), NTE_BAD_KEYSET)
			if c, err := s.Load("good"); err != nil || !c.Signature.Equal(k[0]) {
				t.Errorf("the other container: %v", err)
			}
			// The damaged container can be deleted and created again.
			csptest.OK(t, s.Delete("bad"))
			csptest.OK(t, s.Create("bad", 2))
		})
	}
	// A file swapped in from another container's name is detected too.
	dir := t.TempDir()
	s := csptest.Must(DirStore(dir))(t).(*dirStore)
	csptest.OK(t, s.Create("one", 1))
	csptest.OK(t, s.Create("two", 2))
	b, err := os.ReadFile(s.path("one"))
	csptest.OK(t, err)
	csptest.OK(t, os.WriteFile(s.path("two"), b, 0o600))
	_, err = s.Load("two")
	csptest.Is(t, "a file of another container", err, NTE_BAD_KEYSET)
}

func TestContainerEncoding(t *testing.T) {
	k := testKeys()
	for _, c := range []Container{{ID: 1}, {ID: 2, Signature: k[0]}, {ID: ^uint64(0), KeyExchange: k[0], Signature: k[1]}} {
		b, err := encodeContainer("name", c)
		csptest.OK(t, err)
		got, err := decodeContainer("name", b)
		csptest.OK(t, err)
		if got.ID != c.ID || (c.Signature != nil) != (got.Signature != nil) || (c.KeyExchange != nil) != (got.KeyExchange != nil) {
			t.Errorf("round trip of %+v gave %+v", c, got)
		}
		if c.Signature != nil && !got.Signature.Equal(c.Signature) {
			t.Error("signature pair changed")
		}
		// Every prefix is rejected, never a panic.
		for n := range len(b) {
			if _, err := decodeContainer("name", b[:n]); err == nil {
				t.Fatalf("prefix of %d bytes accepted", n)
			}
		}
		if !bytes.Equal(b[:4], []byte(fileMagic)) {
			t.Error("magic missing")
		}
	}
}

// A file whose checksum is right but whose payload is not (as a buggy writer could leave) is
// rejected with a reason, never a panic.
func TestDecodeMalformedPayload(t *testing.T) {
	seal := func(payload []byte) []byte {
		b := append([]byte(fileMagic), 0, fileVersion, 0, 0)
		b = binary.BigEndian.AppendUint32(b, uint32(len(payload)))
		b = append(b, payload...)
		sum := sha256.Sum256(b)
		return append(b, sum[:]...)
	}
	payload := func(name string, kx, sig []byte, extra ...byte) []byte {
		p := binary.BigEndian.AppendUint64(nil, 1)
		p = binary.BigEndian.AppendUint16(p, uint16(len(name)))
		p = append(p, name...)
		p = binary.BigEndian.AppendUint32(p, uint32(len(kx)))
		p = append(p, kx...)
		p = binary.BigEndian.AppendUint32(p, uint32(len(sig)))
		p = append(p, sig...)
		return append(p, extra...)
	}
	good := payload("n", nil, nil)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"well formed", seal(good), ""},
		{"short payload", seal(good[:9]), "malformed"},
		{"trailing bytes", seal(payload("n", nil, nil, 7)), "malformed"},
		{"length beyond the payload", seal(append(binary.BigEndian.AppendUint64(nil, 1), 0xff, 0xff)), "malformed"},
		{"bad key DER", seal(payload("n", []byte("not DER"), nil)), "key exchange pair"},
		{"bad signature DER", seal(payload("n", nil, []byte{0x30, 0x01})), "signature pair"},
		{"other name", seal(payload("m", nil, nil)), "belongs to"},
	} {
		_, err := decodeContainer("n", tc.data)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v; want an error saying %q", tc.name, err, tc.want)
		}
	}
}
