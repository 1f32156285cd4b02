package csp

import (
	"crypto/rsa"
	"fmt"
	"sync"
)

// A Container is the content of a key container: at most one RSA key pair per key spec.
type Container struct {
	// ID identifies one incarnation of a container name: it is chosen when the container is
	// created and never changes, so a context opened on a container that was deleted and then
	// created again under the same name does not reach the new container's keys.
	ID          uint64
	KeyExchange *rsa.PrivateKey // AT_KEYEXCHANGE pair, nil if none
	Signature   *rsa.PrivateKey // AT_SIGNATURE pair, nil if none

	// Whether each pair was made or imported with CRYPT_EXPORTABLE: kept by an ExportStore,
	// false from other Stores.
	KeyExchangeExportable bool
	SignatureExportable   bool
}

// A Store keeps key containers by name. The CSP validates names before it calls a Store (at
// most 260 bytes, no NUL, '/' or '\'), except that containers opened with
// CRYPT_MACHINE_KEYSET are passed as `machine\` + name, which keeps the two namespaces apart.
// Names are case-sensitive. Implementations must be safe for concurrent use, and must return
// the Errno codes below (or errors wrapping them).
type Store interface {
	// Create makes an empty container; NTE_EXISTS if the name is taken.
	Create(name string, id uint64) error
	// Load returns the container; NTE_BAD_KEYSET if it does not exist or cannot be read.
	Load(name string) (Container, error)
	// SetKey stores the key pair for keySpec (AT_KEYEXCHANGE or AT_SIGNATURE), replacing any
	// earlier one; NTE_BAD_KEYSET if the container does not exist or its ID is not id.
	SetKey(name string, id uint64, keySpec uint32, key *rsa.PrivateKey) error
	// Delete removes the container; NTE_BAD_KEYSET if it does not exist.
	Delete(name string) error
}

// An ExportStore is a Store that also keeps whether each key pair may be exported
// (CRYPT_EXPORTABLE), and returns it in Container. MemStore and DirStore are ExportStores;
// with another Store the CSP remembers it for its own lifetime only, so a key pair that a new
// CSP loads from such a Store is not exportable.
type ExportStore interface {
	Store
	// SetKeyExportable is SetKey that also records whether the pair may be exported.
	SetKeyExportable(name string, id uint64, keySpec uint32, key *rsa.PrivateKey, exportable bool) error
}

// MemStore returns an empty in-memory Store, the default of New. Its containers live as long
// as the Store.
func MemStore() Store { return &memStore{m: make(map[string]Container)} }

type memStore struct {
	mu sync.RWMutex
	m  map[string]Container
}

func (s *memStore) Create(name string, id uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[name]; ok {
		return fmt.Errorf("csp: container %q already exists: %w", name, NTE_EXISTS)
	}
	s.m[name] = Container{ID: id}
	return nil
}

func (s *memStore) Load(name string) (Container, error) {
	s.mu.RLock()
	c, ok := s.m[name]
	s.mu.RUnlock()
	if !ok {
		return Container{}, fmt.Errorf("csp: container %q: %w", name, NTE_BAD_KEYSET)
	}
	return c, nil
}

func (s *memStore) SetKey(name string, id uint64, keySpec uint32, key *rsa.PrivateKey) error {
	return s.SetKeyExportable(name, id, keySpec, key, false)
}

func (s *memStore) SetKeyExportable(name string, id uint64, keySpec uint32, key *rsa.PrivateKey, exportable bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.m[name]
	if !ok || c.ID != id {
		return fmt.Errorf("csp: container %q: %w", name, NTE_BAD_KEYSET)
	}
	if err := c.setExportable(keySpec, key, exportable); err != nil {
		return err
	}
	s.m[name] = c
	return nil
}

func (s *memStore) Delete(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[name]; !ok {
		return fmt.Errorf("csp: container %q: %w", name, NTE_BAD_KEYSET)
	}
	delete(s.m, name)
	return nil
}

// key returns the pair for keySpec, or nil.
func (c *Container) key(keySpec uint32) *rsa.PrivateKey {
	switch keySpec {
	case AT_KEYEXCHANGE:
		return c.KeyExchange
	case AT_SIGNATURE:
		return c.Signature
	}
	return nil
}

// setExportable replaces the pair for keySpec and its exportability.
func (c *Container) setExportable(keySpec uint32, key *rsa.PrivateKey, exportable bool) error {
	switch keySpec {
	case AT_KEYEXCHANGE:
		c.KeyExchange, c.KeyExchangeExportable = key, exportable
	case AT_SIGNATURE:
		c.Signature, c.SignatureExportable = key, exportable
	default:
		return fmt.Errorf("csp: key spec %d: %w", keySpec, NTE_BAD_ALGID)
	}
	return nil
}

// exportable reports whether the pair for keySpec was recorded exportable.
func (c *Container) exportable(keySpec uint32) bool {
	if keySpec == AT_KEYEXCHANGE {
		return c.KeyExchangeExportable
	}
	return keySpec == AT_SIGNATURE && c.SignatureExportable
}

var (
	_ ExportStore = (*memStore)(nil)
	_ ExportStore = (*dirStore)(nil)
)
