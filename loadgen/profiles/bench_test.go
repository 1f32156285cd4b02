package profiles

import (
	"context"
	"testing"

	"github.com/hprov/hprov/engine"
	"github.com/hprov/hprov/loadgen"
)

// BenchmarkHarnessOverhead measures what the storm harness costs on the
// cheapest operation it drives: engine Insert + Release on one worker, in a
// bare loop exactly like bench's BenchmarkInsertRelease/impl=hprov, and as a
// closed-loop storm of engine-insert-release (ns/op amortises the storm's
// set-up; storm-ns/op is the storm's own figure). Compare with benchstat:
// the ratio of the two is the harness overhead.
func BenchmarkHarnessOverhead(b *testing.B) {
	b.Run("run=direct", func(b *testing.B) {
		t := engine.New[obj]()
		o := new(obj)
		for b.Loop() {
			h, err := t.Insert(o)
			if err != nil {
				b.Fatal(err)
			}
			if freed, err := t.Release(h); !freed || err != nil {
				b.Fatal(freed, err)
			}
		}
	})
	for _, every := range []int{64, 256} {
		b.Run("run=storm/sample-every="+itoa(every), func(b *testing.B) {
			w, err := New("engine-insert-release", Options{Impl: "hprov"})
			if err != nil {
				b.Fatal(err)
			}
			res, err := loadgen.Run(context.Background(), w, loadgen.Config{Workers: 1, Ops: uint64(b.N), SampleEvery: every})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(res.NsPerOp(), "storm-ns/op")
		})
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
