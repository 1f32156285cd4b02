package csp

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hprov/hprov/engine"
)

// Handles to contexts, keys and hash objects. The zero value is never a valid handle.
type (
	ProvHandle uint64
	KeyHandle  uint64
	HashHandle uint64
)

// kind tells the three kinds of objects apart.
type kind uint8

const (
	kindCtx kind = iota
	kindKey
	kindHash
	numKinds
)

var kindNames = [numKinds]string{"context", "key", "hash"}

// object is what the handle table stores for every kind of handle.
type object struct {
	kind   kind
	ctx    *context      // contexts: their own description; keys and hashes: their context's
	parent engine.Handle // keys and hashes: the context's table handle

	// Keys and hashes carry mutable state; mu serialises concurrent calls on the same object.
	mu   sync.Mutex
	hash hashState // kindHash (inline: one allocation per hash object)
	key  *keyState // kindKey
}

// context describes a provider context. It is immutable once the handle is issued, which is
// what lets every CRYPT_VERIFYCONTEXT context of one provider share one object.
type context struct {
	provType uint32
	pers     personality // which provider name it was opened on
	verify   bool        // CRYPT_VERIFYCONTEXT: no container; GenKey(AT_*) pairs are ephemeral
	store    string      // the container's name in the Store (see container)
	id       uint64      // the container incarnation the context opened
}

// machinePrefix starts the Store names of CRYPT_MACHINE_KEYSET containers.
const machinePrefix = `machine\`

// container returns the container's name as the caller gave it (PP_CONTAINER) and whether it
// is a machine container (CRYPT_MACHINE_KEYSET): container names hold no '\' (validName), so
// the Store name's prefix tells.
func (x *context) container() (name string, machine bool) {
	return strings.CutPrefix(x.store, machinePrefix)
}

// CSP is one cryptographic service provider instance: its own handle table and container
// store. All methods are safe for concurrent use.
type CSP struct {
	tab      *engine.Table[object]
	store    Store
	advapi   bool
	defName  string
	verify   [numPers]*object // shared CRYPT_VERIFYCONTEXT objects, one per provider
	masks    [numKinds]uint64
	lineage  lineage
	afterPin func() // test hook: runs while an operation holds its pins

	// Per-context mutable state that the shared, immutable context objects cannot hold, by
	// context handle: the ephemeral key pairs of CRYPT_VERIFYCONTEXT contexts and the cursors
	// of GetProvParam's enumerations. Only GenKey of AT_KEYEXCHANGE or AT_SIGNATURE on a
	// verify context, ImportKey of a key pair into one, and an enumeration add to it, so
	// ReleaseContext looks at it only while sideN says it is not empty.
	exports exportMarks // which stored key pairs are exportable

	sideN  atomic.Int64
	sideMu sync.Mutex
	side   map[engine.Handle]*sideState
}

type config struct {
	advapi  bool
	store   Store
	defName string
	engine  []engine.Option
}

// An Option configures a CSP.
type Option func(*config)

// WithAdvapiErrors selects the error model of desktop Windows' advapi32 front end: every
// handle that is zero, forged, of the wrong kind, released, or whose context was released
// gives ERROR_INVALID_PARAMETER (instead of NTE_BAD_UID, NTE_BAD_KEY, NTE_BAD_HASH or
// ERROR_INVALID_HANDLE), which is what code ported from Windows, and Wine's tests, expect.
// ERROR_BUSY, NTE_BAD_FLAGS and all other codes are unchanged, and so is CreateHash's answer to
// a zero HMAC key (NTE_BAD_KEY), since advapi32 passes that optional handle to the provider.
func WithAdvapiErrors() Option { return func(c *config) { c.advapi = true } }

// WithStore keeps named containers in s instead of the default in-memory store.
func WithStore(s Store) Option { return func(c *config) { c.store = s } }

// WithDefaultContainer names the container AcquireContext opens when given an empty name
// without CRYPT_VERIFYCONTEXT; the default is "default".
func WithDefaultContainer(name string) Option { return func(c *config) { c.defName = name } }

// WithMaxHandles caps the number of live handles of all kinds (see engine.WithMaxHandles);
// beyond it, calls that create a handle fail with NTE_NO_MEMORY.
func WithMaxHandles(n int) Option {
	return func(c *config) { c.engine = append(c.engine, engine.WithMaxHandles(n)) }
}

// New returns a provider with its own handle table and, unless WithStore says otherwise, an
// empty in-memory container store.
func New(opts ...Option) *CSP {
	cfg := config{defName: "default"}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.store == nil {
		cfg.store = MemStore()
	}
	c := &CSP{
		tab:     engine.New[object](cfg.engine...),
		store:   cfg.store,
		advapi:  cfg.advapi,
		defName: cfg.defName,
		side:    make(map[engine.Handle]*sideState),
	}
	for i, p := range providers {
		c.verify[i] = &object{kind: kindCtx, ctx: &context{provType: p.provType, pers: p.pers, verify: true}}
	}
	// Key and hash handles differ from table handles in the top byte, which holds the table's
	// tag: a handle used as the wrong kind then fails the tag check, and the error path can
	// still tell which kind it was (see the package doc).
	var b [2]byte
	for b[0] == 0 || b[1] == 0 || b[0] == b[1] {
		_, _ = rand.Read(b[:])
	}
	c.masks[kindKey] = uint64(b[0]) << tagShift
	c.masks[kindHash] = uint64(b[1]) << tagShift
	return c
}

// Len returns the number of live handles of every kind; keys and hashes of a released context
// are not live. It scans the whole table: meant for leak checks, not for hot paths.
func (c *CSP) Len() int { return c.tab.Len() }

// Table handle layout (engine package doc): tag in the top byte, then a 32-bit generation and
// a 24-bit slot index.
const (
	tagShift = 56
	idxMask  = engine.MaxHandles - 1
)

// zeroErr is the code for a zero handle of each kind.
var zeroErr = [numKinds]Errno{NTE_BAD_UID, NTE_BAD_KEY, NTE_BAD_HASH}

// handleErr returns a handle error, collapsed into ERROR_INVALID_PARAMETER in advapi mode.
func (c *CSP) handleErr(code Errno, format string, args ...any) error {
	if c.advapi && code != ERROR_BUSY {
		code = ERROR_INVALID_PARAMETER
	}
	return fmt.Errorf("csp: "+format+": %w", append(args, code)...)
}

// pin pins the object behind public handle h, which the caller says is of kind k, and returns
// the table handle to unpin. The object's context is pinned with it.
func (c *CSP) pin(h uint64, k kind) (engine.Handle, *object, error) {
	if h == 0 {
		return 0, nil, c.handleErr(zeroErr[k], "zero %s handle", kindNames[k])
	}
	eh := engine.Handle(h ^ c.masks[k])
	o, err := c.tab.Pin(eh)
	if err != nil {
		return 0, nil, c.explain(h, k, err)
	}
	if o.kind != k {
		c.tab.Unpin(eh)
		return 0, nil, c.handleErr(ERROR_INVALID_PARAMETER, "%s handle %#x is forged", kindNames[k], h)
	}
	if c.afterPin != nil {
		c.afterPin()
	}
	return eh, o, nil
}

// get returns the object behind h without pinning it, for the calls that release a handle.
func (c *CSP) get(h uint64, k kind) (engine.Handle, *object, error) {
	if h == 0 {
		return 0, nil, c.handleErr(zeroErr[k], "zero %s handle", kindNames[k])
	}
	eh := engine.Handle(h ^ c.masks[k])
	o, ok := c.tab.Get(eh)
	if !ok {
		// Get does not say why; Pin does, and cannot succeed on a handle Get rejected unless
		// it was issued in between, which only a guessed number could be.
		_, err := c.tab.Pin(eh)
		if err == nil {
			c.tab.Unpin(eh)
			err = engine.ErrInvalidHandle
		}
		return 0, nil, c.explain(h, k, err)
	}
	if o.kind != k {
		return 0, nil, c.handleErr(ERROR_INVALID_PARAMETER, "%s handle %#x is forged", kindNames[k], h)
	}
	return eh, o, nil
}

// explain turns a table error for public handle h of kind k into the provider's code.
func (c *CSP) explain(h uint64, k kind, err error) error {
	switch {
	case errors.Is(err, engine.ErrStale):
		if k == kindCtx {
			return c.handleErr(NTE_BAD_UID, "context handle %#x was released", h)
		}
		return c.staleChild(h, k)
	case errors.Is(err, engine.ErrOverflow):
		return c.handleErr(ERROR_BUSY, "%s handle %#x: too many operations in flight", kindNames[k], h)
	case errors.Is(err, engine.ErrBusy):
		return c.handleErr(ERROR_BUSY, "%s handle %#x is in use", kindNames[k], h)
	}
	// Not a handle of kind k: perhaps one of another kind (live or released).
	for j := range numKinds {
		if j == k {
			continue
		}
		eh := engine.Handle(h ^ c.masks[j])
		o, ok := c.tab.Get(eh)
		if ok && o.kind == j {
			return c.handleErr(ERROR_INVALID_HANDLE, "%s handle %#x passed as a %s handle", kindNames[j], h, kindNames[k])
		}
		if !ok {
			if _, perr := c.tab.Pin(eh); perr == nil {
				c.tab.Unpin(eh)
			} else if errors.Is(perr, engine.ErrStale) {
				return c.handleErr(ERROR_INVALID_HANDLE, "released %s handle %#x passed as a %s handle", kindNames[j], h, kindNames[k])
			}
		}
	}
	return c.handleErr(ERROR_INVALID_PARAMETER, "%#x is not a %s handle", h, kindNames[k])
}

// staleChild explains a released key or hash handle: NTE_BAD_UID if its context is gone,
// else NTE_BAD_KEY or NTE_BAD_HASH.
func (c *CSP) staleChild(h uint64, k kind) error {
	code := NTE_BAD_KEY
	if k == kindHash {
		code = NTE_BAD_HASH
	}
	eh := engine.Handle(h ^ c.masks[k])
	for parent := range c.lineage.parents(eh) {
		if _, alive := c.tab.Get(parent); alive {
			return c.handleErr(code, "%s handle %#x was destroyed", kindNames[k], h)
		}
		_, err := c.tab.Pin(parent)
		if errors.Is(err, engine.ErrStale) {
			return c.handleErr(NTE_BAD_UID, "the context of %s handle %#x was released", kindNames[k], h)
		}
		if err == nil {
			c.tab.Unpin(parent)
			return c.handleErr(code, "%s handle %#x was destroyed", kindNames[k], h)
		}
		// A garbled record: try the next one.
	}
	if c.lineage.neverDestroyed(eh) {
		return c.handleErr(NTE_BAD_UID, "the context of %s handle %#x was released", kindNames[k], h)
	}
	return c.handleErr(code, "%s handle %#x was released long ago (destroyed, or its context released)", kindNames[k], h)
}

// insertErr maps the error of Insert or InsertChild.
func (c *CSP) insertErr(err error) error {
	switch {
	case errors.Is(err, engine.ErrFull):
		return fmt.Errorf("csp: handle table is full: %w", NTE_NO_MEMORY)
	case errors.Is(err, engine.ErrStale):
		return c.handleErr(NTE_BAD_UID, "context was released")
	case errors.Is(err, engine.ErrBusy), errors.Is(err, engine.ErrOverflow):
		return c.handleErr(ERROR_BUSY, "context has too many operations in flight")
	}
	return c.handleErr(ERROR_INVALID_PARAMETER, "%v", err)
}

// insertChild adds a key or hash object under the pinned context ctx and returns its public
// handle.
func (c *CSP) insertChild(ctx engine.Handle, o *object) (uint64, error) {
	o.parent = ctx
	eh, err := c.tab.InsertChild(ctx, o)
	if err != nil {
		return 0, c.insertErr(err)
	}
	c.lineage.created(eh, ctx)
	return uint64(eh) ^ c.masks[o.kind], nil
}

// newID returns a random container incarnation ID.
func newID() uint64 {
	var b [8]byte
	for {
		_, _ = rand.Read(b[:])
		if id := binary.LittleEndian.Uint64(b[:]); id != 0 {
			return id
		}
	}
}

// userKey returns the key pair of keySpec of the context ctx (table handle eh).
func (c *CSP) userKey(eh engine.Handle, ctx *context, keySpec uint32) (*rsa.PrivateKey, error) {
	k, _, err := c.userKeyExportable(eh, ctx, keySpec)
	return k, err
}

// userKeyExportable is userKey that also says whether the pair may be exported: as its
// Container records it, or as this CSP remembers it for a Store that does not.
func (c *CSP) userKeyExportable(eh engine.Handle, ctx *context, keySpec uint32) (*rsa.PrivateKey, bool, error) {
	if keySpec != AT_KEYEXCHANGE && keySpec != AT_SIGNATURE {
		return nil, false, fmt.Errorf("csp: key spec %d: %w", keySpec, NTE_NO_KEY)
	}
	var cont Container
	if ctx.verify {
		c.sideMu.Lock()
		if e := c.side[eh]; e != nil {
			cont = e.keys
		}
		c.sideMu.Unlock()
	} else {
		var err error
		if cont, err = c.loadContainer(ctx); err != nil {
			return nil, false, err
		}
	}
	k := cont.key(keySpec)
	if k == nil {
		return nil, false, fmt.Errorf("csp: no key pair for key spec %d: %w", keySpec, NTE_NO_KEY)
	}
	return k, cont.exportable(keySpec) || c.exports.has(ctx.store, k), nil
}

func (c *CSP) loadContainer(ctx *context) (Container, error) {
	cont, err := c.store.Load(ctx.store)
	if err != nil {
		return Container{}, err
	}
	if cont.ID != ctx.id {
		return Container{}, fmt.Errorf("csp: container %q was deleted since the context opened it: %w", ctx.store, NTE_BAD_KEYSET)
	}
	return cont, nil
}
