package csp

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hprov/hprov/engine"
)

// maxNameLen is the longest container name, in bytes (MAX_PATH).
const maxNameLen = 260

const acquireFlags = CRYPT_VERIFYCONTEXT | CRYPT_NEWKEYSET | CRYPT_DELETEKEYSET | CRYPT_MACHINE_KEYSET | CRYPT_SILENT

// AcquireContext opens a context on the key container named container, or, with
// CRYPT_VERIFYCONTEXT, a context with no container (for hashing, session keys and ephemeral
// key pairs). provType 0 or above MAXPROVTYPES is NTE_BAD_PROV_TYPE. provider "" selects the
// type's default provider: MS_STRONG_PROV for PROV_RSA_FULL (no AES, no SHA-2, as on
// Windows), MS_ENH_RSA_AES_PROV for PROV_RSA_AES; any other type is NTE_PROV_TYPE_NOT_DEF.
// Otherwise provider must name one of MS_DEF_PROV, MS_STRONG_PROV, MS_ENHANCED_PROV
// (PROV_RSA_FULL) or MS_ENH_RSA_AES_PROV (PROV_RSA_AES), case-insensitively as Windows looks
// names up (NTE_KEYSET_NOT_DEF otherwise), whose type must be provType
// (NTE_PROV_TYPE_NO_MATCH). The provider decides the algorithms and key lengths offered (see
// GetProvParam's PP_ENUMALGS_EX).
//
// Flags: CRYPT_NEWKEYSET creates the container (NTE_EXISTS if it exists); CRYPT_DELETEKEYSET
// deletes it and returns handle 0 (NTE_BAD_KEYSET if missing; contexts still open on it then
// get NTE_BAD_KEYSET from calls that need its key pairs); neither opens an existing container
// (NTE_BAD_KEYSET if missing or unreadable). CRYPT_MACHINE_KEYSET selects the machine's
// containers, a namespace apart from the user's. CRYPT_SILENT is accepted and changes nothing,
// since the provider never shows a user interface. CRYPT_VERIFYCONTEXT with a container name,
// or with CRYPT_DELETEKEYSET, and any other flag are NTE_BAD_FLAGS.
//
// An empty name without CRYPT_VERIFYCONTEXT means the default container (see
// WithDefaultContainer). Names are at most 260 bytes, with no NUL, '/' or '\'
// (NTE_BAD_KEYSET_PARAM), and case-sensitive.
func (c *CSP) AcquireContext(container, provider string, provType, flags uint32) (ProvHandle, error) {
	p, err := findProvider(provider, provType)
	if err != nil {
		return 0, err
	}
	shared := c.verify[p.pers]
	if flags&^acquireFlags != 0 {
		return 0, fmt.Errorf("csp: AcquireContext flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	if v := flags & CRYPT_VERIFYCONTEXT; v != 0 {
		if v != CRYPT_VERIFYCONTEXT || flags&CRYPT_DELETEKEYSET != 0 {
			return 0, fmt.Errorf("csp: AcquireContext flags %#x: %w", flags, NTE_BAD_FLAGS)
		}
		if container != "" {
			return 0, fmt.Errorf("csp: CRYPT_VERIFYCONTEXT with container %q: %w", container, NTE_BAD_FLAGS)
		}
		// Every verify context of a provider shares one immutable object: the hot path
		// allocates nothing.
		h, err := c.tab.Insert(shared)
		if err != nil {
			return 0, c.insertErr(err)
		}
		return ProvHandle(h), nil
	}
	if flags&CRYPT_NEWKEYSET != 0 && flags&CRYPT_DELETEKEYSET != 0 {
		return 0, fmt.Errorf("csp: CRYPT_NEWKEYSET with CRYPT_DELETEKEYSET: %w", NTE_BAD_FLAGS)
	}
	if container == "" {
		container = c.defName
	}
	if err := validName(container); err != nil {
		return 0, err
	}
	name := container
	if flags&CRYPT_MACHINE_KEYSET != 0 {
		name = machinePrefix + container
	}
	ctx := &context{provType: provType, pers: p.pers, store: name}
	switch {
	case flags&CRYPT_DELETEKEYSET != 0:
		if err := c.store.Delete(name); err != nil {
			return 0, err
		}
		c.exports.dropContainer(name)
		return 0, nil
	case flags&CRYPT_NEWKEYSET != 0:
		ctx.id = newID()
		if err := c.store.Create(name, ctx.id); err != nil {
			return 0, err
		}
	default:
		cont, err := c.store.Load(name)
		if err != nil {
			return 0, err
		}
		ctx.id = cont.ID
	}
	h, err := c.tab.Insert(&object{kind: kindCtx, ctx: ctx})
	if err != nil {
		return 0, c.insertErr(err)
	}
	return ProvHandle(h), nil
}

func validName(name string) error {
	if len(name) > maxNameLen {
		return fmt.Errorf("csp: container name of %d bytes, at most %d: %w", len(name), maxNameLen, NTE_BAD_KEYSET_PARAM)
	}
	if strings.ContainsAny(name, "\x00/\\") {
		return fmt.Errorf("csp: container name %q contains NUL or a path separator: %w", name, NTE_BAD_KEYSET_PARAM)
	}
	return nil
}

// ContextAddRef adds a reference to h: one more ReleaseContext is then needed to release it.
// With flags != 0 it returns NTE_BAD_FLAGS and adds nothing. More than 32767 references give
// ERROR_ARITHMETIC_OVERFLOW.
func (c *CSP) ContextAddRef(h ProvHandle, flags uint32) error {
	eh, _, err := c.get(uint64(h), kindCtx)
	if err != nil {
		return err
	}
	if flags != 0 {
		return fmt.Errorf("csp: ContextAddRef flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	if err := c.tab.AddRef(eh); err != nil {
		if errors.Is(err, engine.ErrOverflow) {
			return fmt.Errorf("csp: context %#x has the most references it can hold: %w", uint64(h), ERROR_ARITHMETIC_OVERFLOW)
		}
		return c.explain(uint64(h), kindCtx, err)
	}
	return nil
}

// ReleaseContext drops one reference to h. The last one releases the context: from then on
// every use of h returns NTE_BAD_UID, and so does every use of the keys and hash objects
// created under it (which are reclaimed without further calls). The key container and its key
// pairs are not touched: only CRYPT_DELETEKEYSET deletes a container.
//
// If another goroutine has an operation in flight on the context or on one of its keys or
// hashes, the last release fails with ERROR_BUSY and releases nothing, whatever the flags.
//
// With flags != 0 ReleaseContext returns NTE_BAD_FLAGS but drops the reference all the same:
// desktop Windows documents exactly this ("returns FALSE but the CSP is released"), Wine's
// tests assert it, and code ported from Windows relies on it.
func (c *CSP) ReleaseContext(h ProvHandle, flags uint32) error {
	eh, _, err := c.get(uint64(h), kindCtx)
	if err != nil {
		return err
	}
	freed, err := c.tab.Release(eh)
	if err != nil {
		return c.explain(uint64(h), kindCtx, err)
	}
	if freed && c.sideN.Load() != 0 {
		c.dropSide(eh)
	}
	if flags != 0 {
		return fmt.Errorf("csp: ReleaseContext flags %#x (the context was released): %w", flags, NTE_BAD_FLAGS)
	}
	return nil
}

// findProvider resolves AcquireContext's provider name and type in advapi32's order: the
// type's range, then the name (or the type's default), then the name's type.
func findProvider(name string, provType uint32) (*provider, error) {
	if provType == 0 || provType > MAXPROVTYPES {
		return nil, fmt.Errorf("csp: provider type %d: %w", provType, NTE_BAD_PROV_TYPE)
	}
	if name == "" {
		switch provType {
		case PROV_RSA_FULL:
			return &providers[persStrong], nil
		case PROV_RSA_AES:
			return &providers[persAES], nil
		}
		return nil, fmt.Errorf("csp: provider type %d: %w", provType, NTE_PROV_TYPE_NOT_DEF)
	}
	for i := range providers {
		if strings.EqualFold(providers[i].name, name) {
			if providers[i].provType != provType {
				return nil, fmt.Errorf("csp: provider %q is of type %d, not %d: %w", name, providers[i].provType, provType, NTE_PROV_TYPE_NO_MATCH)
			}
			return &providers[i], nil
		}
	}
	return nil, fmt.Errorf("csp: provider %q: %w", name, NTE_KEYSET_NOT_DEF)
}
