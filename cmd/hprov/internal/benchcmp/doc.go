// Package benchcmp is benchstat in-process: it reads Go benchmark results,
// groups them into tables, rows and columns, summarises and compares them,
// and prints them exactly as golang.org/x/perf's cmd/benchstat does, byte
// for byte, for the same inputs and flags.
//
// Everything statistical and structural is x/perf's own: benchfmt reads
// the format (unit tidying, ".file" labels, unit metadata), benchproc
// parses the -filter/-table/-row/-col/-ignore projections, orders keys and
// detects keys a cell mixes, benchmath computes medians, confidence
// intervals and Mann-Whitney U tests (or exact comparisons for
// assume=exact units), benchunit scales numbers. What benchstat keeps in
// its unimportable internal packages (building the tables, the text and
// CSV layouts) is done here to the same rules; benchstat's ten golden
// tests and more command lines of our own, replayed against the real
// benchstat's output, hold the two together.
//
// Invariants:
//   - A Tables is immutable once built; an Input may be shared by
//     concurrent Builds.
//   - Each cell keeps, beside benchmath's float values, the exact
//     rational value of every measurement as the input wrote it (see
//     exact.go), so that callers can judge thresholds without float
//     rounding; the floats alone decide everything printed.
//   - Reading never fails on content: malformed lines (and NaN or
//     infinite values, on which benchstat hangs) are skipped into
//     Input.Warnings, as benchstat skips them; inputs without results are
//     listed in Input.Empty. Callers decide what that means.
package benchcmp
