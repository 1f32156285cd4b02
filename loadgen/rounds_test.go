package loadgen

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
)

func TestRoundsInterleave(t *testing.T) {
	f := &fake{}
	storms := []Storm{
		{Workload: f.workload("a"), Config: Config{Workers: 1, Ops: 100}},
		{Workload: f.workload("b"), Config: Config{Workers: 2, Ops: 100}},
	}
	var order []string
	err := Rounds(context.Background(), storms, 3, func(round, i int, res *Result, err error) error {
		if err != nil {
			return err
		}
		order = append(order, fmt.Sprintf("%d:%s/%d", round, res.Workload, res.Workers))
		return nil
	})
	want := []string{"0:a/1", "0:b/2", "1:a/1", "1:b/2", "2:a/1", "2:b/2"}
	if err != nil || !slices.Equal(order, want) {
		t.Fatalf("order %v, err %v; want %v", order, err, want)
	}

	// done's error stops the rounds; so does a cancelled context.
	stop := errors.New("stop")
	n := 0
	err = Rounds(context.Background(), storms, 3, func(int, int, *Result, error) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("after done's error: %d storms, err %v", n, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n = 0
	err = Rounds(ctx, storms, 3, func(int, int, *Result, error) error { n++; cancel(); return nil })
	if !errors.Is(err, context.Canceled) || n != 1 {
		t.Fatalf("after cancel: %d storms, err %v", n, err)
	}
	if err := Rounds(context.Background(), storms, 0, func(int, int, *Result, error) error { return nil }); !errors.Is(err, ErrConfig) {
		t.Fatalf("zero rounds: %v", err)
	}
}
