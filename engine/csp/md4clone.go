package csp

import (
	"hash"
	"reflect"

	//lint:ignore SA1019 MD4 is broken, and offered only because CryptoAPI code still uses it.
	"golang.org/x/crypto/md4"
)

// md4Hash is golang.org/x/crypto/md4 made cloneable (DuplicateHash), which that package does
// not offer: the digest is a plain struct of arrays and integers, so a copy of it is an
// independent digest. The standard library's hashes, and crypto/hmac over cloneable hashes,
// implement hash.Cloner themselves.
type md4Hash struct{ hash.Hash }

func newMD4() hash.Hash { return md4Hash{md4.New()} }

// Clone implements hash.Cloner.
func (h md4Hash) Clone() (hash.Cloner, error) {
	v := reflect.ValueOf(h.Hash) // *md4.digest
	c := reflect.New(v.Type().Elem())
	c.Elem().Set(v.Elem())
	return md4Hash{c.Interface().(hash.Hash)}, nil
}
