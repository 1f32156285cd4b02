package winetest

import (
	"errors"
	"fmt"

	"github.com/hprov/hprov/engine/csp"
)

// Every case of the suite runs under both error models: here the Uru installer's mistake from
// crypt.c test_incorrect_api_usage, a hash destroyed after its context's release, answered
// with advapi32's code and with the provider's.
func Example() {
	for _, m := range models {
		c := m.newCSP()
		h, _ := c.AcquireContext("", "", csp.PROV_RSA_FULL, csp.CRYPT_VERIFYCONTEXT)
		hh, _ := c.CreateHash(h, csp.CALG_SHA, 0, 0)
		_ = c.ReleaseContext(h, 0)
		var code csp.Errno
		errors.As(c.DestroyHash(hh), &code)
		fmt.Println(m.name, code.Name(), code == m.code(orphan))
	}
	// Output:
	// advapi ERROR_INVALID_PARAMETER true
	// provider NTE_BAD_UID true
}
