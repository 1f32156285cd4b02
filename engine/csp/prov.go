package csp

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
)

// GenRandom fills buf with random bytes from crypto/rand, under context h (which must be live,
// as for every call).
func (c *CSP) GenRandom(h ProvHandle, buf []byte) error {
	eh, _, err := c.pin(uint64(h), kindCtx)
	if err != nil {
		return err
	}
	defer c.tab.Unpin(eh)
	_, _ = rand.Read(buf) // never fails (crypto/rand's contract since Go 1.24)
	return nil
}

// GetProvParam returns a parameter of the provider behind context h, in Windows' layout:
//   - PP_NAME: the provider's name; PP_CONTAINER and PP_UNIQUE_CONTAINER: the container's
//     name ("" for a verify context); both NUL-terminated.
//   - PP_PROVTYPE, PP_KEYSPEC (AT_KEYEXCHANGE|AT_SIGNATURE), PP_IMPTYPE
//     (CRYPT_IMPL_SOFTWARE), PP_KEYSTORAGE (CRYPT_SEC_DESCR, as Microsoft's providers say), PP_VERSION (0x200), PP_KEYSET_TYPE (CRYPT_MACHINE_KEYSET or 0),
//     PP_SIG_KEYSIZE_INC and PP_KEYX_KEYSIZE_INC (8): 4 bytes little-endian.
//   - PP_ENUMALGS (PROV_ENUMALGS, 32 bytes) and PP_ENUMALGS_EX (PROV_ENUMALGS_EX, 88 bytes):
//     one algorithm the provider offers per call, from the first with CRYPT_FIRST, then the
//     next; ERROR_NO_MORE_ITEMS after the last.
//   - PP_ENUMCONTAINERS: one container name per call (NUL-terminated), the user's, or with
//     CRYPT_MACHINE_KEYSET the machine's, as CRYPT_FIRST found them (sorted); then
//     ERROR_NO_MORE_ITEMS. A Store that does not implement Lister has none to enumerate.
//
// The enumeration cursors belong to the context. Other params give NTE_BAD_TYPE; flags other
// than CRYPT_FIRST (and CRYPT_MACHINE_KEYSET for PP_ENUMCONTAINERS) give NTE_BAD_FLAGS.
func (c *CSP) GetProvParam(h ProvHandle, param, flags uint32) ([]byte, error) {
	eh, o, err := c.pin(uint64(h), kindCtx)
	if err != nil {
		return nil, err
	}
	defer c.tab.Unpin(eh)
	ctx := o.ctx
	allowed := uint32(0)
	switch param {
	case PP_ENUMALGS, PP_ENUMALGS_EX:
		allowed = CRYPT_FIRST
	case PP_ENUMCONTAINERS:
		allowed = CRYPT_FIRST | CRYPT_MACHINE_KEYSET
	}
	if flags&^allowed != 0 {
		return nil, fmt.Errorf("csp: GetProvParam flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	dword := func(v uint32) ([]byte, error) { return binary.LittleEndian.AppendUint32(nil, v), nil }
	switch param {
	case PP_NAME:
		return cString(providers[ctx.pers].name), nil
	case PP_CONTAINER, PP_UNIQUE_CONTAINER:
		name, _ := ctx.container()
		return cString(name), nil
	case PP_PROVTYPE:
		return dword(ctx.provType)
	case PP_KEYSPEC:
		return dword(AT_KEYEXCHANGE | AT_SIGNATURE)
	case PP_IMPTYPE:
		return dword(CRYPT_IMPL_SOFTWARE)
	case PP_KEYSTORAGE:
		return dword(CRYPT_SEC_DESCR)
	case PP_VERSION:
		return dword(0x200)
	case PP_KEYSET_TYPE:
		if _, machine := ctx.container(); machine {
			return dword(CRYPT_MACHINE_KEYSET)
		}
		return dword(0)
	case PP_SIG_KEYSIZE_INC, PP_KEYX_KEYSIZE_INC:
		return dword(8)
	case PP_ENUMALGS, PP_ENUMALGS_EX:
		var out []byte
		err := c.withSide(eh, func(s *sideState) error {
			if flags&CRYPT_FIRST != 0 {
				s.enumAlgs = 0
			}
			tab := algTables[ctx.pers]
			if s.enumAlgs >= len(tab) {
				return fmt.Errorf("csp: no more algorithms: %w", ERROR_NO_MORE_ITEMS)
			}
			out = enumAlg(tab[s.enumAlgs], param == PP_ENUMALGS_EX)
			s.enumAlgs++
			return nil
		})
		return out, err
	case PP_ENUMCONTAINERS:
		var names []string
		if flags&CRYPT_FIRST != 0 {
			if names, err = c.containerNames(flags&CRYPT_MACHINE_KEYSET != 0); err != nil {
				return nil, err
			}
		}
		var out []byte
		err := c.withSide(eh, func(s *sideState) error {
			if flags&CRYPT_FIRST != 0 {
				s.enumConts, s.contsNext = names, 0
			}
			if s.contsNext >= len(s.enumConts) {
				return fmt.Errorf("csp: no more containers: %w", ERROR_NO_MORE_ITEMS)
			}
			out = cString(s.enumConts[s.contsNext])
			s.contsNext++
			return nil
		})
		return out, err
	}
	return nil, fmt.Errorf("csp: provider parameter %d: %w", param, NTE_BAD_TYPE)
}

// A Lister is a Store that can list its container names (for PP_ENUMCONTAINERS). MemStore and
// DirStore are Listers. Names are the Store's: machine containers start with `machine\`.
type Lister interface {
	Names() ([]string, error)
}

// containerNames lists the user's or the machine's containers, sorted.
func (c *CSP) containerNames(machine bool) ([]string, error) {
	l, ok := c.store.(Lister)
	if !ok {
		return nil, nil
	}
	all, err := l.Names()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, n := range all {
		rest, isMachine := strings.CutPrefix(n, machinePrefix)
		if isMachine == machine {
			names = append(names, rest)
		}
	}
	sort.Strings(names)
	return names, nil
}

// cString returns s NUL-terminated, as the Windows API returns strings.
func cString(s string) []byte { return append([]byte(s), 0) }

// enumAlg encodes PROV_ENUMALGS (ALG_ID, dwBitLen, dwNameLen, szName[20]) or
// PROV_ENUMALGS_EX (ALG_ID, dwDefaultLen, dwMinLen, dwMaxLen, dwProtocols, dwNameLen,
// szName[20], dwLongNameLen, szLongName[40]); name lengths count the NUL.
func enumAlg(a *algInfo, ex bool) []byte {
	le := binary.LittleEndian
	b := le.AppendUint32(nil, a.id)
	b = le.AppendUint32(b, a.defLen)
	if ex {
		b = le.AppendUint32(b, a.minLen)
		b = le.AppendUint32(b, a.maxLen)
		b = le.AppendUint32(b, a.protocols)
	}
	b = le.AppendUint32(b, uint32(len(a.name)+1))
	b = append(b, fixedString(a.name, 20)...)
	if ex {
		b = le.AppendUint32(b, uint32(len(a.longName)+1))
		b = append(b, fixedString(a.longName, 40)...)
	}
	return b
}

func fixedString(s string, n int) []byte {
	b := make([]byte, n)
	copy(b[:n-1], s)
	return b
}

// SetProvParam sets a parameter of the provider behind context h. The provider has no user
// interface, no hardware and no access control lists, so the parameters that configure those
// are accepted and change nothing: PP_CLIENT_HWND (a window handle, 4 or 8 bytes) and
// PP_KEYSET_SEC_DESCR (a security descriptor, any bytes; flags are the SECURITY_INFORMATION
// bits). PP_USE_HARDWARE_RNG gives NTE_BAD_TYPE, as on Windows without a hardware generator,
// and so do all other params. For the others flags must be 0 (NTE_BAD_FLAGS).
func (c *CSP) SetProvParam(h ProvHandle, param uint32, data []byte, flags uint32) error {
	eh, _, err := c.pin(uint64(h), kindCtx)
	if err != nil {
		return err
	}
	defer c.tab.Unpin(eh)
	switch param {
	case PP_KEYSET_SEC_DESCR:
		return nil
	case PP_CLIENT_HWND:
		if flags != 0 {
			return fmt.Errorf("csp: SetProvParam flags %#x: %w", flags, NTE_BAD_FLAGS)
		}
		if len(data) != 4 && len(data) != 8 {
			return fmt.Errorf("csp: PP_CLIENT_HWND of %d bytes: %w", len(data), NTE_BAD_DATA)
		}
		return nil
	}
	if flags != 0 {
		return fmt.Errorf("csp: SetProvParam flags %#x: %w", flags, NTE_BAD_FLAGS)
	}
	return fmt.Errorf("csp: provider parameter %d cannot be set: %w", param, NTE_BAD_TYPE)
}
