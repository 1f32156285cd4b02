package csp

import (
	"reflect"
	"testing"
)

// The guard that keeps Clone from sharing state accepts x/crypto's digest
// today and refuses the shapes a copy would share.
func TestPlainValue(t *testing.T) {
	if v := reflect.ValueOf(newMD4().(md4Hash).Hash); !plainValue(v.Type().Elem()) {
		t.Fatalf("x/crypto's md4 digest %v is not a plain value: DuplicateHash of MD4 fails", v.Type())
	}
	type plain struct {
		_ [4]uint32
		_ [64]byte
		_ int
	}
	type withSlice struct {
		_ []byte
		_ int
	}
	type withPtr struct{ _ *[4]uint32 }
	type nested struct{ _ [2]withSlice }
	for _, c := range []struct {
		v    any
		want bool
	}{{plain{}, true}, {withSlice{}, false}, {withPtr{}, false}, {nested{}, false}, {"", false}} {
		if got := plainValue(reflect.TypeOf(c.v)); got != c.want {
			t.Errorf("plainValue(%T) = %v, want %v", c.v, got, c.want)
		}
	}
}
