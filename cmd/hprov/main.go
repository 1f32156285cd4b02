// Command hprov runs storms against hprov's handle engine and its CryptoAPI
// layer, and reads their results.
//
//	hprov storm   [flags]                  run storms, print a table, write results
//	hprov compare [flags] INPUT...         benchstat's output, plus a verdict (exit 0/1/2/3)
//	hprov profile [flags] FILE             top functions of a pprof profile, engine vs harness
//	hprov plot    RESULTS... -o FILE.svg   scaling and latency charts
//	hprov ab      -base REV [flags] [pkgs] two revisions' benchmarks, interleaved and gated
//	hprov version                          the revision and Go version of this binary
//
// Every subcommand takes -h (or: hprov help CMD). Exit status: 0 on success, 1 when a storm
// finds a violation or fails, or when compare finds a regression, 2 on
// bad input (unknown profile or impl, malformed mix, a duration or rate
// that is not positive, a file that cannot be read or is malformed), which
// is reported in one line on stderr, 3 when compare is inconclusive
// (too few runs, a benchmark missing from NEW, nothing compared), and 130
// when SIGINT or SIGTERM stops a storm (the finished ones are still
// reported and written).
//
// The command is a thin layer: flags are parsed here and turned into
// loadgen, report, benchcmp, profsum and scaleplot calls, which know
// nothing of the command line.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // a violation, a regression, a failed storm
	exitUsage   = 2 // bad input

	// exitInterrupted is the status after SIGINT or SIGTERM, as a shell
	// reports a process killed by SIGINT (128+2).
	exitInterrupted = 130
)

const usage = `usage: hprov <command> [flags] [args]

commands:
  storm     run storms (no flags: a short standard suite) and print a table
  compare   benchstat's comparison of result files, with a regression verdict
  profile   summarise a pprof profile: top functions, engine vs harness
  plot      chart throughput against workers, and latency percentiles
  ab        did my change make it slower? two revisions' benchmarks, interleaved and gated
  version   the revision and Go version this binary was built from

Run 'hprov help <command>' or 'hprov <command> -h' for a command's flags.
`

// run is the whole command, minus the process: tests call it in-process.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "storm":
		return storm(rest, stdout, stderr)
	case "compare":
		return compare(rest, stdout, stderr)
	case "profile":
		return profile(rest, stdout, stderr)
	case "plot":
		return plot(rest, stdout, stderr)
	case "ab":
		return ab(rest, stdout, stderr)
	case "help":
		if len(rest) > 0 { // hprov help storm = hprov storm -h
			return run([]string{rest[0], "-h"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return exitOK
	case "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "version", "-version", "--version":
		return version(stdout)
	}
	fmt.Fprintf(stderr, "hprov: unknown command %q (want storm, compare, profile, plot, ab or version; see hprov -h)\n", cmd)
	return exitUsage
}
