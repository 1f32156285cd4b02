package main

import (
	"fmt"
	"io"
	"runtime"

	"github.com/hprov/hprov/loadgen/report"
)

// version prints what the binary was built from, as the commit: line of
// its results files records it.
func version(stdout io.Writer) int {
	fmt.Fprintf(stdout, "hprov %s %s %s/%s\n", report.Commit(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}
