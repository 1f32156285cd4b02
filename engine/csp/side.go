package csp

import "github.com/hprov/hprov/engine"

// sideState is the mutable state of one context that its context object cannot hold, because
// context objects are immutable (every verify context of a provider shares one). It lives in
// CSP.side from the first call that needs it until the context's last release.
type sideState struct {
	keys Container // a verify context's ephemeral key pairs and their exportability (ID unused)

	// GetProvParam enumerations: the next index to return, and the container names that
	// PP_ENUMCONTAINERS took at CRYPT_FIRST (a snapshot, so that the enumeration is stable).
	enumAlgs  int
	enumConts []string
	contsNext int
}

// withSide runs f on the side state of context eh, creating it if needed, under sideMu.
func (c *CSP) withSide(eh engine.Handle, f func(*sideState) error) error {
	c.sideMu.Lock()
	defer c.sideMu.Unlock()
	s := c.side[eh]
	if s == nil {
		s = &sideState{}
		c.side[eh] = s
		c.sideN.Add(1)
	}
	return f(s)
}

// dropSide forgets the side state of a released context.
func (c *CSP) dropSide(eh engine.Handle) {
	c.sideMu.Lock()
	if _, ok := c.side[eh]; ok {
		delete(c.side, eh)
		c.sideN.Add(-1)
	}
	c.sideMu.Unlock()
}
