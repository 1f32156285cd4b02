package csp

import (
	"crypto/rsa"
	"sync"

	"github.com/hprov/hprov/engine"
)

// exportMarks remembers which key pairs were generated or imported with CRYPT_EXPORTABLE into
// a Store that is not an ExportStore, which keeps key pairs but not their permissions. A mark
// names the container (its store name) and the pair's modulus, which changes when a later
// GenKey or ImportKey replaces the pair. A container's marks go when the container is deleted,
// and a replaced pair's mark goes with it. Marks last as long as the CSP.
type exportMarks struct {
	mu sync.Mutex
	m  map[exportMark]struct{}
}

type exportMark struct{ container, modulus string }

func markOf(container string, priv *rsa.PrivateKey) exportMark {
	return exportMark{container, string(priv.N.Bytes())}
}

func (e *exportMarks) set(container string, priv *rsa.PrivateKey) {
	e.mu.Lock()
	if e.m == nil {
		e.m = make(map[exportMark]struct{})
	}
	e.m[markOf(container, priv)] = struct{}{}
	e.mu.Unlock()
}

func (e *exportMarks) has(container string, priv *rsa.PrivateKey) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.m) == 0 {
		return false
	}
	_, ok := e.m[markOf(container, priv)]
	return ok
}

func (e *exportMarks) drop(container string, priv *rsa.PrivateKey) {
	if priv == nil {
		return
	}
	e.mu.Lock()
	delete(e.m, markOf(container, priv))
	e.mu.Unlock()
}

func (e *exportMarks) dropContainer(container string) {
	e.mu.Lock()
	for k := range e.m {
		if k.container == container {
			delete(e.m, k)
		}
	}
	e.mu.Unlock()
}

// storeKey puts a new key pair in the context's container, or a verify context's ephemeral
// one, with whether it is exportable.
func (c *CSP) storeKey(eh engine.Handle, ctx *context, spec uint32, priv *rsa.PrivateKey, exportable bool) error {
	if ctx.verify {
		return c.withSide(eh, func(s *sideState) error {
			return s.keys.setExportable(spec, priv, exportable)
		})
	}
	if es, ok := c.store.(ExportStore); ok {
		return es.SetKeyExportable(ctx.store, ctx.id, spec, priv, exportable)
	}
	var old *rsa.PrivateKey
	if cont, err := c.store.Load(ctx.store); err == nil {
		old = cont.key(spec)
	}
	if err := c.store.SetKey(ctx.store, ctx.id, spec, priv); err != nil {
		return err
	}
	c.exports.drop(ctx.store, old) // the replaced pair is gone
	if exportable {
		c.exports.set(ctx.store, priv)
	}
	return nil
}
