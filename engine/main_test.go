package engine

import (
	"flag"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// soak selects the long runs of the reliability tests (more linearizability
// histories, longer fuzz-like storms). HPROV_SOAK=1 does the same, for runs
// over several packages where a test flag is not defined in all of them.
var soak = flag.Bool("soak", false, "run the long reliability soaks")

func soaking() bool { return *soak || os.Getenv("HPROV_SOAK") != "" }

// The storms start goroutines; every one of them must be gone when the tests
// end.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
