// Package csp is a CryptoAPI-shaped cryptographic service provider on the engine's handle
// table: contexts (CryptAcquireContext, CryptContextAddRef, CryptReleaseContext), key
// containers that outlive them, and session keys and hash objects that die with them. The Win32
// names are kept for constants and error codes, so ported code reads the same.
//
// # Lifecycle
//
// ReleaseContext drops one reference (ContextAddRef adds one); the last one invalidates the
// context handle and, in the same atomic step, every key and hash created under it: later calls
// on any of them return NTE_BAD_UID and their memory is reclaimed without further calls. The
// key container and its key pairs stay; only AcquireContext with CRYPT_DELETEKEYSET deletes a
// container. ReleaseContext with flags != 0 returns NTE_BAD_FLAGS but releases all the same, as
// desktop Windows documents. A last release while another goroutine has an operation in flight
// on the context, or on one of its keys or hashes, returns ERROR_BUSY and releases nothing.
//
// # Errors
//
// Every error is an Errno or wraps one, so errors.Is(err, NTE_BAD_UID) works. Handle checks
// come before flag checks, and ERROR_BUSY before NTE_BAD_FLAGS. The default error model is the
// provider's (the seed page's table): a zero or released context handle is NTE_BAD_UID; a
// released key or hash is NTE_BAD_KEY or NTE_BAD_HASH while its context lives and NTE_BAD_UID
// once the context is gone (even if the key or hash had been destroyed before); a zero key or
// hash handle is NTE_BAD_KEY or NTE_BAD_HASH; a handle of the wrong kind, live or released, is
// ERROR_INVALID_HANDLE; a number that was never a handle of this provider is
// ERROR_INVALID_PARAMETER. WithAdvapiErrors selects desktop advapi32's model instead, which
// answers ERROR_INVALID_PARAMETER to all of those, except a zero HMAC key in CreateHash, which
// advapi32 passes to the provider (NTE_BAD_KEY in both models). Optional handles (the hash of
// Encrypt and Decrypt, the keys of ExportKey and ImportKey) may be zero: none.
//
// # Design
//
// One engine.Table holds every object. Contexts are inserted with Insert, keys and hashes with
// InsertChild under their context, so a context's last Release invalidates all of them in O(1).
// Every call pins the handles it uses for its duration (pinning a key or hash pins its context
// too), which is what makes a racing last release fail with ERROR_BUSY instead of pulling an
// object from under a running operation. The calls that release a handle (ReleaseContext,
// DestroyKey, DestroyHash) read it with Get to check its kind and then Release it: a handle
// never changes kind, so the check cannot go stale.
//
// Kinds. The table stores one object type with its kind recorded, but that alone cannot say
// what a released handle was. So the public handles of keys and hashes are table handles with
// the top byte, where the table keeps its random tag (see the engine's handle layout), XORed
// with a per-provider random byte, one for keys and another for hashes; context handles are
// table handles unchanged. A key handle given as a context therefore fails the table's tag
// check like a forged number would, and only then, off the hot path, the provider decodes it as
// each other kind: if the table knows it (live or released) the answer is ERROR_INVALID_HANDLE,
// otherwise ERROR_INVALID_PARAMETER. A decoded handle whose object has another kind than its
// tag says could only be forged, and is ERROR_INVALID_PARAMETER.
//
// Released keys and hashes. A released key's own slot says nothing about its context, and the
// table soon reuses it, so the provider keeps a lineage beside the table, written without a
// lock. Its first part, indexed like the table, records each key or hash and its context when
// the child is created, and keeps the record until the next child created in that slot
// replaces it. When a child is destroyed its record is also written to a direct-mapped cache
// of 65536 entries (1 MiB) keyed by the child's handle: a single hashed entry, cheap enough for
// the hot path of every hash session. A child that was never destroyed, an orphan of a
// released context, is the one the contract cares most about, and its slot may be taken by
// another context's child microseconds after the release; at that moment its record moves to
// a ring of the last 65536 orphan records (2 MiB, allocated with the first), chained per slot
// so that a lookup walks only its own slot's orphans. Unlike a cache entry, a ring entry can
// only be overwritten by the records of 65536 later orphans, whatever other goroutines do in
// between. Each slot also remembers its newest child that a destroy was begun on: a released
// child newer than that was never destroyed, so its context is gone, record or not. A released
// key or hash is NTE_BAD_UID when its record names a context that is gone, or when no record
// is left and it is newer than its slot's last destroyed child; else NTE_BAD_KEY or
// NTE_BAD_HASH. So the answer is exact for every key and hash that a context's release left
// behind, forever, unless a later child of the same slot was destroyed; then until 65536 later
// orphans have been recorded, however soon and however often its slot is reused. It is exact
// for every destroyed one until a later destroy lands in its cache entry (on average tens of
// thousands of destroys later, though it may be the next one). Past that, a released key or
// hash whose context is also gone answers NTE_BAD_KEY or NTE_BAD_HASH instead of NTE_BAD_UID:
// still true (the handle is bad), but no longer saying why. Exact answers for every old handle
// would need more handle bits than the table leaves, or memory that grows with every hash ever
// destroyed.
//
// Hot path. AcquireContext(CRYPT_VERIFYCONTEXT) inserts a shared, immutable object (one per
// provider), so acquiring and releasing a verify context allocates nothing and takes no lock.
// The per-context state a context can gain, ephemeral key pairs from GenKey(AT_SIGNATURE or
// AT_KEYEXCHANGE) or ImportKey(PRIVATEKEYBLOB) and the cursors of GetProvParam's enumerations,
// lives in a side map that ReleaseContext consults only while it is not empty (one atomic load
// otherwise). A hash session allocates the hash object
// (with the hash state inline), the hash.Hash the algorithm needs and the returned value; the
// only lock is the object's own mutex, uncontended unless the caller shares one hash or key
// between goroutines, which it serialises.
//
// # Providers and algorithms
//
// AcquireContext knows Microsoft's four software providers by name, each with its own table of
// algorithms and key lengths (PP_ENUMALGS_EX lists it): MS_DEF_PROV (the base provider: RC4 of
// 40 to 56 bits, DES, MD4, MD5, SHA-1, HMAC, RSA), MS_STRONG_PROV and MS_ENHANCED_PROV (adding
// 3DES of two and three keys and RC4 up to 128 bits; MS_STRONG_PROV is PROV_RSA_FULL's
// default), and MS_ENH_RSA_AES_PROV (PROV_RSA_AES: adding AES and SHA-2). Everything comes
// from Go's standard library and golang.org/x/crypto (MD4), so hash, HMAC and cipher output is
// identical to theirs; MD2, RC2 and CALG_MAC, which neither provides, are not offered.
//
// Session keys follow Windows: block ciphers in CBC (the default), ECB or 8-bit CFB mode with
// PKCS#5 padding and a vector that chains across non-final calls, RC4 with an optional salt,
// CryptDeriveKey's construction (Windows' rules for when the hash value is expanded), and
// permissions of which CRYPT_EXPORT, set by CRYPT_EXPORTABLE, guards export. Key pairs are RSA
// (2048 bits by default), with PKCS#1 v1.5 signatures, PKCS#1 v1.5 or OAEP encryption, and
// everything little-endian as CryptoAPI returns it. ExportKey and ImportKey read and write
// Windows' blobs byte for byte (PLAINTEXTKEYBLOB, SIMPLEBLOB, PUBLICKEYBLOB, PRIVATEKEYBLOB),
// so keys move between this package and Windows in both directions.
//
// The package follows Windows where Wine's rsaenh differs, as Wine's tests (run against
// Windows) show; engine/csp/winetest ports those tests.
//
// # Containers
//
// Named containers live in a Store: MemStore (the default) or DirStore, which keeps each
// container in its own checksummed file written atomically, so containers survive a restart and
// a damaged file affects only its own container (NTE_BAD_KEYSET).
package csp
