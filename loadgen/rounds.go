package loadgen

import (
	"context"
	"fmt"
)

// A Storm is a workload and the configuration to run it with.
type Storm struct {
	Workload Workload
	Config   Config
}

// Rounds runs every storm count times, interleaved: storms[0], storms[1],
// ..., then the whole list again, count rounds in all. Drift on a shared
// machine (another job, a noisy neighbour, frequency scaling) then spreads
// over every storm instead of passing for a difference between them, which
// is why benchstat advises interleaving; medians over the rounds compare
// fairly.
//
// After each storm Rounds calls done with the round (from 0), the storm's
// index in storms and what Run returned. If done returns an error, Rounds
// stops and returns it. If ctx is done, the storm it interrupts reports
// ctx's error to done, and Rounds returns ctx's error without starting
// another.
func Rounds(ctx context.Context, storms []Storm, count int, done func(round, i int, res *Result, err error) error) error {
	if count <= 0 {
		return fmt.Errorf("%w: rounds must be positive, got %d", ErrConfig, count)
	}
	if done == nil {
		return fmt.Errorf("%w: Rounds needs a done function", ErrConfig)
	}
	for round := range count {
		for i, s := range storms {
			if err := ctx.Err(); err != nil {
				return err
			}
			res, err := Run(ctx, s.Workload, s.Config)
			if err := done(round, i, res, err); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}
