package csp

import (
	"crypto/rsa"
	"strconv"
	"sync"

	"github.com/hprov/hprov/engine"
)

// exportMarks remembers which stored key pairs were generated or imported with
// CRYPT_EXPORTABLE, since a Store keeps key pairs but not their permissions. A mark names the
// container (its store name, or a verify context) and the pair's modulus, which survives a
// DirStore's reload and changes when a later GenKey or ImportKey replaces the pair. Marks of a
// container go when the container is deleted (or the verify context released), and a replaced
// pair's mark goes with it.
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
	_, ok := e.m[markOf(container, priv)]
	e.mu.Unlock()
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

// markName is the container part of the marks of context ctx (table handle eh): its store name,
// or for a verify context a name no store name can take (store names have no NUL).
func markName(eh engine.Handle, ctx *context) string {
	if ctx.verify {
		return "\x00" + strconv.FormatUint(uint64(eh), 16)
	}
	return ctx.store
}

// storeKey puts a new key pair in the context's container, or a verify context's ephemeral
// one, and remembers whether it is exportable.
func (c *CSP) storeKey(eh engine.Handle, ctx *context, spec uint32, priv *rsa.PrivateKey, exportable bool) error {
	name := markName(eh, ctx)
	var old *rsa.PrivateKey
	if ctx.verify {
		err := c.withSide(eh, func(s *sideState) error {
			old = s.keys.key(spec)
			return s.keys.set(spec, priv)
		})
		if err != nil {
			return err
		}
	} else {
		if cont, err := c.store.Load(ctx.store); err == nil {
			old = cont.key(spec)
		}
		if err := c.store.SetKey(ctx.store, ctx.id, spec, priv); err != nil {
			return err
		}
	}
	c.exports.drop(name, old) // the replaced pair is gone
	if exportable {
		c.exports.set(name, priv)
	}
	return nil
}

// isExportable reports whether the stored pair priv of context ctx may be exported.
func (c *CSP) isExportable(eh engine.Handle, ctx *context, priv *rsa.PrivateKey) bool {
	return c.exports.has(markName(eh, ctx), priv)
}
