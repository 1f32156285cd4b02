package csp

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrnoError(t *testing.T) {
	for _, tc := range []struct {
		e    Errno
		want string
	}{
		{NTE_BAD_UID, "NTE_BAD_UID (0x80090001): bad context handle"},
		{ERROR_BUSY, "ERROR_BUSY (0xAA): the context is in use by another operation"},
		{ERROR_INVALID_HANDLE, "ERROR_INVALID_HANDLE (0x6): the handle is of the wrong kind"},
		{ERROR_INVALID_PARAMETER, "ERROR_INVALID_PARAMETER (0x57): the parameter is incorrect"},
		{NTE_BAD_KEYSET_PARAM, "NTE_BAD_KEYSET_PARAM (0x8009001F): the keyset parameter is invalid"},
		{Errno(0x1234), "Errno (0x1234): unknown error code"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Errno(%#x).Error() = %q; want %q", uint32(tc.e), got, tc.want)
		}
	}
}

func TestErrnoValues(t *testing.T) {
	// The Win32 values the issue fixes.
	for _, tc := range []struct {
		e    Errno
		v    uint32
		name string
	}{
		{ERROR_INVALID_HANDLE, 6, "ERROR_INVALID_HANDLE"},
		{ERROR_INVALID_PARAMETER, 87, "ERROR_INVALID_PARAMETER"},
		{ERROR_BUSY, 170, "ERROR_BUSY"},
		{NTE_BAD_UID, 0x80090001, "NTE_BAD_UID"},
		{NTE_BAD_HASH, 0x80090002, "NTE_BAD_HASH"},
		{NTE_BAD_KEY, 0x80090003, "NTE_BAD_KEY"},
		{NTE_BAD_DATA, 0x80090005, "NTE_BAD_DATA"},
		{NTE_BAD_SIGNATURE, 0x80090006, "NTE_BAD_SIGNATURE"},
		{NTE_BAD_ALGID, 0x80090008, "NTE_BAD_ALGID"},
		{NTE_BAD_FLAGS, 0x80090009, "NTE_BAD_FLAGS"},
		{NTE_BAD_TYPE, 0x8009000A, "NTE_BAD_TYPE"},
		{NTE_BAD_HASH_STATE, 0x8009000C, "NTE_BAD_HASH_STATE"},
		{NTE_NO_KEY, 0x8009000D, "NTE_NO_KEY"},
		{NTE_EXISTS, 0x8009000F, "NTE_EXISTS"},
		{NTE_BAD_KEYSET, 0x80090016, "NTE_BAD_KEYSET"},
		{NTE_PROV_TYPE_NOT_DEF, 0x80090017, "NTE_PROV_TYPE_NOT_DEF"},
		{NTE_KEYSET_NOT_DEF, 0x80090019, "NTE_KEYSET_NOT_DEF"},
		{NTE_BAD_KEYSET_PARAM, 0x8009001F, "NTE_BAD_KEYSET_PARAM"},
	} {
		if uint32(tc.e) != tc.v || tc.e.Name() != tc.name {
			t.Errorf("%s = %#x (%q); want %#x", tc.name, uint32(tc.e), tc.e.Name(), tc.v)
		}
	}
}

func TestErrnoWrapping(t *testing.T) {
	err := fmt.Errorf("csp: context 0x1 was released: %w", NTE_BAD_UID)
	if !errors.Is(err, NTE_BAD_UID) || errors.Is(err, NTE_BAD_KEY) {
		t.Fatalf("errors.Is on %v is wrong", err)
	}
	var e Errno
	if !errors.As(err, &e) || e != NTE_BAD_UID {
		t.Fatalf("errors.As = %v", e)
	}
}
