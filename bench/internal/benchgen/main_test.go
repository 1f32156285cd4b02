package main

import (
	"bytes"
	"os"
	"testing"
)

// The generated file must be what the generator makes today.
func TestGeneratedUpToDate(t *testing.T) {
	want, err := generate()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../impls_gen_test.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("bench/impls_gen_test.go is stale: run go generate ./bench")
	}
}
