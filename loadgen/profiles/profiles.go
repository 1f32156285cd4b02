// Package profiles holds the built-in storm workloads: CryptoAPI-shaped
// lifecycles driven through engine/csp, and the raw handle tables of
// bench/baseline for harness-overhead and implementation comparisons.
//
//	acquire-release        AcquireContext(CRYPT_VERIFYCONTEXT) + ReleaseContext
//	addref-contention      every worker ContextAddRef + ReleaseContext on one shared context (one hot slot)
//	hash-session           acquire, SHA-256 of 64 bytes, read the value, destroy, release
//	orphans                acquire, K keys and K hashes, release the context, check every child is now NTE_BAD_UID
//	release-race           workers share a pool of contexts, using, replacing and releasing them at once
//	stale-probe            released, forged and wrong-kind handles probed: any acceptance is a violation
//	engine-insert-release  Insert + Release on a bench/baseline table (Options.Impl)
//
// Each workload checks what it can observe: a value that differs from Go's
// own SHA-256, a released context or child that answers, a forged or
// wrong-kind handle accepted, a Release of a single reference that does not
// free. Those outcomes are violations. Every error code is an outcome of its
// own (ERROR_BUSY, NTE_BAD_UID, ...), counted per worker. At the end each
// workload releases what it holds and fails the run if handles are still
// live.
//
// A workload keeps its scratch state per worker and allocates nothing for the
// harness; what an operation allocates is what the provider allocates.
package profiles

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hprov/hprov/bench/baseline"
	"github.com/hprov/hprov/loadgen"
)

// Errors New returns, wrapped with the offending name.
var (
	ErrUnknownProfile = errors.New("unknown profile")
	ErrUnknownImpl    = errors.New("unknown impl")
	// ErrImplNotSupported: the CryptoAPI profiles run on engine/csp, which is
	// built on the engine alone.
	ErrImplNotSupported = errors.New("profile runs on impl hprov only")
)

// Options parameterise a profile.
type Options struct {
	// Impl names the handle table of engine-insert-release, one of
	// Impls(); "" means "hprov". The other profiles accept only "" and
	// "hprov".
	Impl string
}

type profile struct {
	name, doc string
	engine    bool // runs on a bench/baseline table: accepts every impl
	build     func(impl string) loadgen.Workload
}

var builtins = []profile{
	{"acquire-release", "AcquireContext(CRYPT_VERIFYCONTEXT) + ReleaseContext", false, func(string) loadgen.Workload { return acquireRelease() }},
	{"addref-contention", "ContextAddRef + ReleaseContext by every worker on one shared context", false, func(string) loadgen.Workload { return addRefContention() }},
	{"hash-session", "acquire, SHA-256 of 64 bytes, read the value, destroy the hash, release", false, func(string) loadgen.Workload { return hashSession() }},
	{"orphans", fmt.Sprintf("acquire, %d keys and %d hashes, release, check every child is rejected", orphanKids, orphanKids), false, func(string) loadgen.Workload { return orphans() }},
	{"release-race", "workers use, replace and release a shared pool of contexts at once", false, func(string) loadgen.Workload { return releaseRace() }},
	{"stale-probe", "probe released, forged and wrong-kind handles; any acceptance is a violation", false, func(string) loadgen.Workload { return staleProbe() }},
	{"engine-insert-release", "Insert + Release on a raw bench/baseline table (-impl)", true, engineInsertRelease},
}

// Names lists the built-in profiles.
func Names() []string {
	names := make([]string, len(builtins))
	for i, p := range builtins {
		names[i] = p.name
	}
	return names
}

// Describe returns a one-line description of a built-in profile, or "".
func Describe(name string) string {
	for _, p := range builtins {
		if p.name == name {
			return p.doc
		}
	}
	return ""
}

// Impls lists the table implementations engine-insert-release accepts.
func Impls() []string { return slices.Clone(baseline.Impls) }

// New returns the built-in profile called name.
func New(name string, opts Options) (loadgen.Workload, error) {
	impl := opts.Impl
	if impl == "" {
		impl = "hprov"
	}
	if !slices.Contains(baseline.Impls, impl) {
		return loadgen.Workload{}, fmt.Errorf("%w %q (valid: %s)", ErrUnknownImpl, opts.Impl, strings.Join(baseline.Impls, ", "))
	}
	for _, p := range builtins {
		if p.name != name {
			continue
		}
		if !p.engine && impl != "hprov" {
			return loadgen.Workload{}, fmt.Errorf("%s: %w (it drives engine/csp); use engine-insert-release to compare impls", name, ErrImplNotSupported)
		}
		return p.build(impl), nil
	}
	return loadgen.Workload{}, fmt.Errorf("%w %q (valid: %s)", ErrUnknownProfile, name, strings.Join(Names(), ", "))
}
