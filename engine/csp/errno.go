package csp

import "fmt"

// Errno is a CryptoAPI error code, with its Win32 value. Every error the package returns is an
// Errno or wraps one (with fmt.Errorf's %w), so errors.Is(err, NTE_BAD_UID) and
// errors.As(err, &errno) work on all of them.
type Errno uint32

// The error codes, named as in winerror.h so ported code reads the same. ERROR_* codes are Win32
// system errors; NTE_* codes are the provider's.
const (
	ERROR_INVALID_HANDLE      Errno = 6
	ERROR_INVALID_PARAMETER   Errno = 87
	ERROR_BUSY                Errno = 170
	ERROR_MORE_DATA           Errno = 234
	ERROR_NO_MORE_ITEMS       Errno = 259
	ERROR_ARITHMETIC_OVERFLOW Errno = 534
	NTE_BAD_UID               Errno = 0x80090001
	NTE_BAD_HASH              Errno = 0x80090002
	NTE_BAD_KEY               Errno = 0x80090003
	NTE_BAD_LEN               Errno = 0x80090004
	NTE_BAD_DATA              Errno = 0x80090005
	NTE_BAD_SIGNATURE         Errno = 0x80090006
	NTE_BAD_VER               Errno = 0x80090007
	NTE_BAD_ALGID             Errno = 0x80090008
	NTE_BAD_FLAGS             Errno = 0x80090009
	NTE_BAD_TYPE              Errno = 0x8009000A
	NTE_BAD_KEY_STATE         Errno = 0x8009000B
	NTE_BAD_HASH_STATE        Errno = 0x8009000C
	NTE_NO_KEY                Errno = 0x8009000D
	NTE_NO_MEMORY             Errno = 0x8009000E
	NTE_EXISTS                Errno = 0x8009000F
	NTE_PERM                  Errno = 0x80090010
	NTE_BAD_PROV_TYPE         Errno = 0x80090014
	NTE_BAD_PUBLIC_KEY        Errno = 0x80090015
	NTE_BAD_KEYSET            Errno = 0x80090016
	NTE_PROV_TYPE_NOT_DEF     Errno = 0x80090017
	NTE_KEYSET_NOT_DEF        Errno = 0x80090019
	NTE_PROV_TYPE_NO_MATCH    Errno = 0x8009001B
	NTE_BAD_KEYSET_PARAM      Errno = 0x8009001F
)

var errnoText = map[Errno][2]string{
	ERROR_INVALID_HANDLE:      {"ERROR_INVALID_HANDLE", "the handle is of the wrong kind"},
	ERROR_INVALID_PARAMETER:   {"ERROR_INVALID_PARAMETER", "the parameter is incorrect"},
	ERROR_BUSY:                {"ERROR_BUSY", "the context is in use by another operation"},
	ERROR_MORE_DATA:           {"ERROR_MORE_DATA", "more data is available"},
	ERROR_NO_MORE_ITEMS:       {"ERROR_NO_MORE_ITEMS", "no more data is available"},
	ERROR_ARITHMETIC_OVERFLOW: {"ERROR_ARITHMETIC_OVERFLOW", "a counter is at its limit"},
	NTE_BAD_UID:               {"NTE_BAD_UID", "bad context handle"},
	NTE_BAD_HASH:              {"NTE_BAD_HASH", "bad hash object"},
	NTE_BAD_KEY:               {"NTE_BAD_KEY", "bad key"},
	NTE_BAD_LEN:               {"NTE_BAD_LEN", "bad length"},
	NTE_BAD_DATA:              {"NTE_BAD_DATA", "bad data"},
	NTE_BAD_SIGNATURE:         {"NTE_BAD_SIGNATURE", "invalid signature"},
	NTE_BAD_VER:               {"NTE_BAD_VER", "bad version of provider or blob"},
	NTE_BAD_ALGID:             {"NTE_BAD_ALGID", "invalid algorithm specified"},
	NTE_BAD_FLAGS:             {"NTE_BAD_FLAGS", "invalid flags specified"},
	NTE_BAD_TYPE:              {"NTE_BAD_TYPE", "invalid type specified"},
	NTE_BAD_KEY_STATE:         {"NTE_BAD_KEY_STATE", "key not valid for use in specified state"},
	NTE_BAD_HASH_STATE:        {"NTE_BAD_HASH_STATE", "hash not valid for use in specified state"},
	NTE_NO_KEY:                {"NTE_NO_KEY", "key does not exist"},
	NTE_NO_MEMORY:             {"NTE_NO_MEMORY", "insufficient memory available for the operation"},
	NTE_EXISTS:                {"NTE_EXISTS", "object already exists"},
	NTE_PERM:                  {"NTE_PERM", "access denied"},
	NTE_BAD_PROV_TYPE:         {"NTE_BAD_PROV_TYPE", "invalid provider type specified"},
	NTE_BAD_PUBLIC_KEY:        {"NTE_BAD_PUBLIC_KEY", "provider's public key is invalid"},
	NTE_BAD_KEYSET:            {"NTE_BAD_KEYSET", "keyset does not exist"},
	NTE_PROV_TYPE_NOT_DEF:     {"NTE_PROV_TYPE_NOT_DEF", "provider type not defined"},
	NTE_KEYSET_NOT_DEF:        {"NTE_KEYSET_NOT_DEF", "the keyset is not defined"},
	NTE_PROV_TYPE_NO_MATCH:    {"NTE_PROV_TYPE_NO_MATCH", "provider type does not match registered value"},
	NTE_BAD_KEYSET_PARAM:      {"NTE_BAD_KEYSET_PARAM", "the keyset parameter is invalid"},
}

// Error returns the code's name, its value in hex and a description, for example
// "NTE_BAD_UID (0x80090001): bad context handle" or "ERROR_BUSY (0xAA): ...".
func (e Errno) Error() string {
	if t, ok := errnoText[e]; ok {
		return fmt.Sprintf("%s (0x%X): %s", t[0], uint32(e), t[1])
	}
	return fmt.Sprintf("Errno (0x%X): unknown error code", uint32(e))
}

// Name returns the code's symbolic name, such as "NTE_BAD_UID", or "" for an unknown code.
func (e Errno) Name() string { return errnoText[e][0] }
