package csptest_test

import (
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/hprov/hprov/engine/csp/internal/csptest"
)

// code is a stand-in for csp.Errno: an error code whose zero value means success.
type code uint32

func (c code) Error() string { return "code " + strconv.Itoa(int(c)) }

const badKey code = 0x80090003

// recorder is a testing.TB that records failures instead of failing the real test.
type recorder struct {
	testing.TB
	failed, fatal bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatal(...any)          { r.failed, r.fatal = true, true }

func TestIs(t *testing.T) {
	wrapped := fmt.Errorf("csp: key: %w", badKey)
	for _, tc := range []struct {
		name string
		err  error
		want code
		fail bool
	}{
		{"success wanted and got", nil, 0, false},
		{"success wanted, error got", wrapped, 0, true},
		{"code wanted and got, wrapped", wrapped, badKey, false},
		{"code wanted, success got", nil, badKey, true},
		{"code wanted, another got", errors.New("other"), badKey, true},
	} {
		r := &recorder{TB: t}
		csptest.Is(r, tc.name, tc.err, tc.want)
		if r.failed != tc.fail || r.fatal {
			t.Errorf("%s: failed %v, fatal %v; want failed %v, not fatal", tc.name, r.failed, r.fatal, tc.fail)
		}
	}
}

func TestMustOK(t *testing.T) {
	r := &recorder{TB: t}
	if v := csptest.Must(7, nil)(r); v != 7 || r.failed {
		t.Errorf("Must(7, nil) = %d, failed %v; want 7, not failed", v, r.failed)
	}
	csptest.Must(0, badKey)(r)
	if !r.fatal {
		t.Error("Must(0, err) did not fail the test at once")
	}
	r = &recorder{TB: t}
	csptest.OK(r, nil)
	if r.failed {
		t.Error("OK(nil) failed the test")
	}
	csptest.OK(r, badKey)
	if !r.fatal {
		t.Error("OK(err) did not fail the test at once")
	}
}

// Is passes a wrapped code, and success as the code's zero value.
func ExampleIs() {
	r := &recorder{}
	csptest.Is(r, "wrapped", fmt.Errorf("csp: %w", badKey), badKey)
	csptest.Is(r, "success", nil, code(0))
	fmt.Println(r.failed)
	// Output: false
}
