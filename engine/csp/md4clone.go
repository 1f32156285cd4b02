package csp

import (
	"errors"
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

// Clone implements hash.Cloner. It refuses, rather than share state between
// the copies, if a future x/crypto gives the digest anything but plain
// values (a pointer, slice or map inside it).
func (h md4Hash) Clone() (hash.Cloner, error) {
	v := reflect.ValueOf(h.Hash) // *md4.digest
	if v.Kind() != reflect.Pointer || !plainValue(v.Type().Elem()) {
		return nil, errors.New("csp: x/crypto's md4 digest is not a plain value; cannot duplicate it")
	}
	c := reflect.New(v.Type().Elem())
	c.Elem().Set(v.Elem())
	return md4Hash{c.Interface().(hash.Hash)}, nil
}

// plainValue reports whether a value of type t is copied whole by assignment:
// no pointers, slices, maps, channels, funcs, interfaces or strings in it.
func plainValue(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Array:
		return plainValue(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !plainValue(t.Field(i).Type) {
				return false
			}
		}
		return true
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	}
	return false
}
