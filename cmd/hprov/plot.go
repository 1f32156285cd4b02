package main

import (
	"errors"
	"io"
	"path/filepath"
	"strings"

	"github.com/hprov/hprov/cmd/hprov/internal/scaleplot"
)

const plotSynopsis = `RESULTS... -o FILE.svg

Draws, from benchmark-format results (hprov storm -o, go test -bench), a
throughput-versus-workers chart with one line per impl (and profile), and a
latency-percentile chart (p50 ... max, log scale). Runs of the same
benchmark in a file are pooled into a median, with its 95% confidence
interval as an error bar (benchstat's statistics; no bar under 6 runs).
Several files give a line each (before and after); name them with
label=path as for hprov compare. The worker count is /workers=N, or the
-N suffix of a parallel go test benchmark (named Parallel...); a
sequential benchmark is one worker at every -cpu. The format follows the
extension of -o: .svg or .png.`

func plot(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("plot", plotSynopsis)
	out := fs.String("o", "", "write the charts to `file` (.svg or .png)")
	title := fs.String("title", "", "title of the throughput chart")
	logY := fs.Bool("logy", false, "logarithmic throughput axis")
	pos, err := parse(fs, args, stdout)
	if errors.Is(err, errHelp) {
		return exitOK
	}
	if err == nil && len(pos) == 0 {
		err = usagef("want at least one results file (see -h)")
	}
	if err == nil && *out == "" {
		err = usagef("-o FILE.svg is required")
	}
	format := strings.ToLower(strings.TrimPrefix(filepath.Ext(*out), "."))
	if err == nil && format != "svg" && format != "png" {
		err = usagef("-o %s: want a .svg or .png file", *out)
	}
	if err != nil {
		return fail(stderr, "plot", err)
	}
	data, err := scaleplot.ReadFiles(pos...)
	if err != nil {
		return fail(stderr, "plot", usagef("%v", unwrapPathKeep(err, pathOf(err, pos))))
	}
	f, err := createOutput("-o", *out)
	if err != nil {
		return fail(stderr, "plot", err)
	}
	if err := data.Render(f, format, scaleplot.Options{Title: *title, LogY: *logY}); err != nil {
		f.Abort()
		return fail(stderr, "plot", err)
	}
	if err := f.Commit(); err != nil {
		return fail(stderr, "plot", err)
	}
	return exitOK
}

// pathOf returns the input an open error is about, for the message.
func pathOf(err error, paths []string) string {
	for _, p := range paths {
		if _, path, ok := strings.Cut(p, "="); ok {
			p = path
		}
		if strings.Contains(err.Error(), p) {
			return p
		}
	}
	return ""
}
