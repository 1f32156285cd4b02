package csp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The crash test: a child process (this test binary, re-executed with
// crashChildEnv set) creates containers in a DirStore as fast as it can,
// empty ones and ones with a freshly generated signature pair, and rewrites
// older containers with new key-exchange pairs, from several goroutines. It
// prints a container's name only after the calls that made it returned
// success. The parent SIGKILLs it at a random moment, then, as a restarted
// process would, opens the directory again and checks that every container
// ever reported is there and works (a signature made with its key verifies),
// and that every file in the directory is a whole container: no temporary or
// half-written file is left. Then it starts the next child on the same
// directory.

const (
	crashChildEnv  = "HPROV_CRASH_CHILD"  // the store directory, in the child
	crashPrefixEnv = "HPROV_CRASH_PREFIX" // the child's container name prefix
	crashWorkers   = 3
)

// crashChild is the child's role. It never returns: the parent kills it.
func crashChild(dir, prefix string) {
	fail := func(format string, args ...any) {
		fmt.Printf("CHILD-ERROR "+format+"\n", args...)
		os.Exit(3)
	}
	st, err := DirStore(dir)
	if err != nil {
		fail("DirStore: %v", err)
	}
	c := New(WithStore(st))
	var mu sync.Mutex
	var keyed []string // containers with a signature pair, to rewrite
	for w := range crashWorkers {
		go func() {
			r := rand.New(rand.NewPCG(uint64(w), uint64(len(prefix))))
			for i := 0; ; i++ {
				name := fmt.Sprintf("%s-w%d-%d", prefix, w, i)
				h, err := c.AcquireContext(name, "", PROV_RSA_AES, CRYPT_NEWKEYSET)
				if err != nil {
					fail("create %s: %v", name, err)
				}
				kind := "E"
				if w == 0 || r.IntN(8) == 0 {
					k, err := c.GenKey(h, AT_SIGNATURE, 0)
					if err != nil {
						fail("GenKey(AT_SIGNATURE) in %s: %v", name, err)
					}
					if err := c.DestroyKey(k); err != nil {
						fail("DestroyKey: %v", err)
					}
					kind = "K"
				}
				if err := c.ReleaseContext(h, 0); err != nil {
					fail("ReleaseContext: %v", err)
				}
				fmt.Printf("CREATED %s %s\n", kind, name) // one write: whole lines on the pipe
				mu.Lock()
				if kind == "K" {
					keyed = append(keyed, name)
				}
				var old string
				if len(keyed) > 0 && r.IntN(8) == 0 {
					old = keyed[r.IntN(len(keyed))]
				}
				mu.Unlock()
				if old != "" {
					// Rewrite a reported container: a crash now must leave
					// its old content or its new one.
					h, err := c.AcquireContext(old, "", PROV_RSA_AES, 0)
					if err != nil {
						fail("open %s: %v", old, err)
					}
					k, err := c.GenKey(h, AT_KEYEXCHANGE, 0)
					if err != nil {
						fail("GenKey(AT_KEYEXCHANGE) in %s: %v", old, err)
					}
					_ = c.DestroyKey(k)
					_ = c.ReleaseContext(h, 0)
				}
			}
		}()
	}
	time.Sleep(time.Minute) // the parent kills it long before
	fail("not killed")
}

// crashRun starts a child on dir and kills it a random delay after its first
// report (so that a slow start does not eat the window); it returns the containers the child reported, by kind ("E" empty, "K" with a
// signature pair).
func crashRun(t *testing.T, dir, prefix string, delay time.Duration) map[string]string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashSafeContainers$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, crashPrefixEnv+"="+prefix)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	reported := map[string]string{}
	done := make(chan error, 1)
	first := make(chan struct{}) // closed at the first report, or at the end
	go func() {
		signalled := false
		defer func() {
			if !signalled {
				close(first)
			}
		}()
		br := bufio.NewReader(out)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				// A line cut short by the kill does not count.
				if errors.Is(err, io.EOF) {
					err = nil
				}
				done <- err
				return
			}
			line = strings.TrimSuffix(line, "\n")
			switch f := strings.Fields(line); {
			case len(f) == 3 && f[0] == "CREATED":
				if !signalled {
					signalled = true
					close(first)
				}
				reported[f[2]] = f[1]
			case strings.HasPrefix(line, "CHILD-ERROR"):
				done <- errors.New(line)
				return
			}
		}
	}()
	select {
	case <-first:
	case <-time.After(time.Minute):
	}
	time.Sleep(delay)
	if err := cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatal(err)
	}
	readErr := <-done
	io.Copy(io.Discard, out) // the child is dead: this ends at once
	waitErr := cmd.Wait()
	if readErr != nil {
		t.Fatalf("child: %v", readErr)
	}
	if ws, ok := cmd.ProcessState.Sys().(interface{ Signaled() bool }); !ok || !ws.Signaled() {
		t.Fatalf("child ended by itself (%v) before it was killed", waitErr)
	}
	return reported
}

// crashVerify opens dir as a restarted process would and checks every
// reported container, and every file in the directory. It returns the
// containers that are lost, and how many files an interrupted write had
// left behind before the store was opened again (which removes them).
func crashVerify(t *testing.T, dir string, reported map[string]string, prefixes []string) (lost []string, leftovers int) {
	t.Helper()
	// Every file must be a whole container of a name a child could have
	// used: a reported one, or one whose creation the kill interrupted
	// after the file was in place but before the name was printed.
	files := map[string]string{} // file -> container
	paths := &dirStore{dir: dir}
	for _, p := range prefixes {
		for w := range crashWorkers {
			top := -1
			for name := range reported {
				if i, ok := strings.CutPrefix(name, fmt.Sprintf("%s-w%d-", p, w)); ok {
					n, _ := strconv.Atoi(i)
					top = max(top, n)
				}
			}
			for i := 0; i <= top+1; i++ {
				name := fmt.Sprintf("%s-w%d-%d", p, w, i)
				files[filepath.Base(paths.path(name))] = name
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := files[e.Name()]; !ok {
			leftovers++
		}
	}

	st, err := DirStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	c := New(WithStore(st))
	for name, kind := range reported {
		if err := crashCheckContainer(c, name, kind == "K"); err != nil {
			t.Errorf("container %s (%s) reported as created: %v", name, kind, err)
			lost = append(lost, name)
		}
	}
	if entries, err = os.ReadDir(dir); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name, ok := files[e.Name()]
		if !ok {
			t.Errorf("stray file %s in the store after it was opened again", e.Name())
			continue
		}
		if _, err := st.Load(name); err != nil {
			t.Errorf("file %s of container %s: %v", e.Name(), name, err)
		}
	}
	return lost, leftovers
}

// crashCheckContainer opens a container and, if it should have a signature
// pair, signs with it and verifies the signature.
func crashCheckContainer(c *CSP, name string, keyed bool) error {
	h, err := c.AcquireContext(name, "", PROV_RSA_AES, 0)
	if err != nil {
		return err
	}
	defer c.ReleaseContext(h, 0)
	k, err := c.GetUserKey(h, AT_SIGNATURE)
	if !keyed {
		if !errors.Is(err, NTE_NO_KEY) {
			return fmt.Errorf("GetUserKey of an empty container: %v, want NTE_NO_KEY", err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("GetUserKey: %w", err)
	}
	msg := []byte("crash-safe " + name)
	hh, err := c.CreateHash(h, CALG_SHA_256, 0, 0)
	if err != nil {
		return err
	}
	if err := c.HashData(hh, msg, 0); err != nil {
		return err
	}
	sig, err := c.SignHash(hh, AT_SIGNATURE, 0)
	if err != nil {
		return fmt.Errorf("SignHash: %w", err)
	}
	hv, err := c.CreateHash(h, CALG_SHA_256, 0, 0)
	if err != nil {
		return err
	}
	if err := c.HashData(hv, msg, 0); err != nil {
		return err
	}
	if err := c.VerifySignature(hv, sig, k, 0); err != nil {
		return fmt.Errorf("VerifySignature: %w", err)
	}
	return nil
}

func TestCrashSafeContainers(t *testing.T) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir, os.Getenv(crashPrefixEnv))
		return
	}
	if testing.Short() {
		t.Skip("starts child processes")
	}
	cycles := 5
	if soaking() {
		cycles = 100
	}
	dir := filepath.Join(t.TempDir(), "store")
	reported := map[string]string{}
	var prefixes []string
	var lost []string
	interrupted := 0 // cycles whose kill left a temporary file
	start := time.Now()
	// More cycles if none reported a container with a key pair yet: slow
	// machines can kill every child before its first key pair is done.
	keyed := 0
	cycle := 0
	for ; cycle < cycles || keyed == 0 && cycle < cycles+20; cycle++ {
		prefix := fmt.Sprintf("c%d", cycle)
		prefixes = append(prefixes, prefix)
		// RSA key generation takes tens of milliseconds per pair.
		delay := time.Duration(rand.IntN(500)) * time.Millisecond
		for name, kind := range crashRun(t, dir, prefix, delay) {
			reported[name] = kind
			if kind == "K" {
				keyed++
			}
		}
		var leftovers int
		lost, leftovers = crashVerify(t, dir, reported, prefixes)
		if leftovers > 0 {
			interrupted++
		}
		if t.Failed() {
			t.FailNow()
		}
	}
	t.Logf("%d crash-restart cycles in %v (%d killed a write half-way, leaving a temporary file): "+
		"%d containers reported (%d with a signature pair), %d lost",
		cycle, time.Since(start).Round(time.Millisecond), interrupted, len(reported), keyed, len(lost))
	if keyed == 0 || len(reported) == keyed {
		t.Errorf("the children made %d keyed of %d containers: both kinds are needed", keyed, len(reported))
	}

	// Damage two containers: each fails alone, with NTE_BAD_KEYSET.
	st, err := DirStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(reported))
	for name := range reported {
		names = append(names, name)
	}
	slices.Sort(names)
	truncated, corrupted := names[0], names[len(names)-1]
	file := st.(*dirStore).path(truncated)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b[:len(b)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	file = st.(*dirStore).path(corrupted)
	if b, err = os.ReadFile(file); err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x40
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err = DirStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	c := New(WithStore(st))
	for _, name := range names {
		err := crashCheckContainer(c, name, reported[name] == "K")
		if name == truncated || name == corrupted {
			if !errors.Is(err, NTE_BAD_KEYSET) {
				t.Errorf("damaged container %s: %v, want NTE_BAD_KEYSET", name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("container %s, next to damaged ones: %v", name, err)
		}
	}
}
