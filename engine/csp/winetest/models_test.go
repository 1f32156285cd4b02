package winetest

import (
	"errors"
	"testing"

	"github.com/hprov/hprov/engine/csp"
	"go.uber.org/goleak"
)

// No test leaves a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// A model is one of csp's two error models; every case runs under both (see the package doc).
type model struct {
	name   string
	advapi bool
}

var models = []model{{"advapi", true}, {"provider", false}}

// newCSP returns a provider with m's error model and the given extra options.
func (m model) newCSP(opts ...csp.Option) *csp.CSP {
	if m.advapi {
		opts = append(opts, csp.WithAdvapiErrors())
	}
	return csp.New(opts...)
}

// eachModel runs f as a subtest per error model.
func eachModel(t *testing.T, f func(t *testing.T, m model)) {
	t.Helper()
	for _, m := range models {
		t.Run(m.name, func(t *testing.T) { f(t, m) })
	}
}

// A fault is a kind of bad handle. advapi32 answers ERROR_INVALID_PARAMETER to every one of
// them; the provider answers each with its own code (csp's package doc, "Errors").
type fault int

const (
	zeroProv      fault = iota // context handle 0
	releasedProv               // a context after its last release
	forged                     // a number that was never a handle (Wine's 0xdeadbeef)
	zeroKey                    // key handle 0
	destroyedKey               // a key destroyed while its context lives
	zeroHash                   // hash handle 0
	destroyedHash              // a hash destroyed while its context lives
	orphan                     // a key or hash whose context was released
)

// code returns the code m answers to fault f.
func (m model) code(f fault) csp.Errno {
	if m.advapi {
		return csp.ERROR_INVALID_PARAMETER
	}
	switch f {
	case zeroProv, releasedProv, orphan:
		return csp.NTE_BAD_UID
	case zeroKey, destroyedKey:
		return csp.NTE_BAD_KEY
	case zeroHash, destroyedHash:
		return csp.NTE_BAD_HASH
	}
	return csp.ERROR_INVALID_PARAMETER
}

// deadbeef is the forged handle Wine's tests pass; csp handles are 64-bit, and this one was
// never issued by any provider.
const deadbeef = 0xdeadbeef

// is2 reports whether err carries one of two codes Windows versions answer alike (where Wine
// accepts either without calling one broken).
func is2(err error, a, b csp.Errno) bool { return errors.Is(err, a) || errors.Is(err, b) }
