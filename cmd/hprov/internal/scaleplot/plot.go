// Package scaleplot draws the two charts of "hprov plot" from Go
// benchmark-format results, with gonum.org/v1/plot:
//
//   - throughput scaling: median ops/s against the worker count, one line
//     per series (implementation, and profile when several are plotted;
//     with several files, one line per file as well: before and after),
//     with the 95% confidence interval of each median as an error bar,
//     computed as benchstat computes its "± x%";
//   - latency percentiles: median p50, p99, p99.9, ... max for every
//     series and worker count, on a logarithmic axis, since tails sit
//     orders of magnitude above medians.
//
// Results are grouped by file and benchmark name with the "/workers=N"
// part (or, for parallel go test benchmarks run with -cpu, the "-N"
// suffix) taken as the x value; a sequential benchmark is one worker. Runs
// with the same name in a file are pooled and reduced to medians, the
// statistic benchstat reports, so a plot agrees with the tables.
package scaleplot

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Options sizes the output. Zero values mean 20cm wide and at least 10cm
// per chart.
type Options struct {
	Width vg.Length
	// ChartHeight is the minimum height of each chart; a chart grows to
	// fit its legend.
	ChartHeight vg.Length
	// Title, if set, heads the throughput chart.
	Title string
	// LogY draws throughput on a logarithmic axis, for series orders of
	// magnitude apart (hprov next to sync.Map, say).
	LogY bool
}

// ErrNothingToPlot is returned by a chart constructor when the data has
// nothing for that chart (no throughput, or no latency percentiles).
var ErrNothingToPlot = errors.New("nothing to plot")

// ThroughputPlot returns the scaling chart on a linear axis.
func (d *Data) ThroughputPlot() (*plot.Plot, error) { return d.throughputPlot(false) }

// throughputPlot draws each series' median throughput against workers,
// with its 95% confidence interval as an error bar where the runs allow
// one (six or more), on a logarithmic axis if logY.
func (d *Data) throughputPlot(logY bool) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Throughput scaling"
	p.X.Label.Text = "workers"
	p.Y.Label.Text = "ops/s (median, 95% CI)"
	p.Y.Min = 0
	p.Y.Tick.Marker = siTicks{}
	p.Legend.Top, p.Legend.Left = true, true
	p.Add(plotter.NewGrid())

	workers := map[int]bool{}
	n := 0
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range d.Series {
		var xys plotter.XYs
		var bars errorBars
		for _, pt := range s.Points {
			y := pt.Throughput
			if math.IsNaN(y) || (logY && !(y > 0)) {
				continue
			}
			x := float64(pt.Workers)
			xys = append(xys, plotter.XY{X: x, Y: y})
			workers[pt.Workers] = true
			lo, hi = math.Min(lo, y), math.Max(hi, y)
			if pt.ThroughputLo <= y && pt.ThroughputHi >= y && (!logY || pt.ThroughputLo > 0) {
				bars.XYs = append(bars.XYs, plotter.XY{X: x, Y: y})
				bars.YErrors = append(bars.YErrors, struct{ Low, High float64 }{y - pt.ThroughputLo, pt.ThroughputHi - y})
				lo, hi = math.Min(lo, pt.ThroughputLo), math.Max(hi, pt.ThroughputHi)
			}
		}
		if len(xys) == 0 {
			continue
		}
		if err := addLine(p, s, xys); err != nil {
			return nil, err
		}
		if len(bars.XYs) > 0 {
			eb, err := plotter.NewYErrorBars(bars)
			if err != nil {
				return nil, fmt.Errorf("series %q: %w", s.Label, err)
			}
			eb.Color = plotutil.Color(s.group)
			p.Add(eb)
		}
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("throughput chart: %w: no ops/s or ns/op", ErrNothingToPlot)
	}
	var ticks plot.ConstantTicks
	for w := range workers {
		ticks = append(ticks, plot.Tick{Value: float64(w), Label: strconv.Itoa(w)})
	}
	p.X.Tick.Marker = ticks
	if logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logSITicks{}
		p.Y.Min, p.Y.Max = decades(lo, hi)
	}
	return p, nil
}

// errorBars is what plotter.NewYErrorBars needs: points and, per point,
// how far the bar reaches below and above.
type errorBars struct {
	plotter.XYs
	plotter.YErrors
}

// decades widens [lo, hi] (positive) to whole powers of ten, keeping a log
// axis away from zero and infinity.
func decades(lo, hi float64) (float64, float64) {
	mn, mx := math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi)))
	if !(mn > 0) || math.IsInf(mx, 0) {
		mn, mx = lo, hi
	}
	if mx <= mn {
		mx = mn * 10
		if math.IsInf(mx, 0) {
			mn, mx = mn/10, mn
		}
	}
	return mn, mx
}

// LatencyPlot returns the percentile chart: the percentiles along x, one
// line per series and worker count. A series keeps its colour and marker
// from the throughput chart; worker counts are told apart by dash
// pattern, so the legend lists each series and each worker count once.
func (d *Data) LatencyPlot() (*plot.Plot, error) {
	if len(d.Percentiles) == 0 {
		return nil, fmt.Errorf("latency chart: %w: no latency percentiles", ErrNothingToPlot)
	}
	p := plot.New()
	p.Title.Text = "Latency percentiles"
	p.Y.Label.Text = "latency (median)"
	p.NominalX(d.Percentiles...)
	p.Legend.Top, p.Legend.Left = true, true

	var workers []int
	for _, s := range d.Series {
		for _, pt := range s.Points {
			if !slices.Contains(workers, pt.Workers) {
				workers = append(workers, pt.Workers)
			}
		}
	}
	slices.Sort(workers)

	lo, hi := math.Inf(1), math.Inf(-1)
	drawn := map[int]bool{} // worker counts with a line
	for _, s := range d.Series {
		seriesDrawn := false
		for _, pt := range s.Points {
			var xys plotter.XYs
			for x, name := range d.Percentiles {
				// A log axis cannot show zero; such a point is
				// left out rather than invented.
				if v, ok := pt.Latency[name]; ok && v > 0 {
					xys = append(xys, plotter.XY{X: float64(x), Y: v})
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
			}
			if len(xys) == 0 {
				continue
			}
			l, pts, err := plotter.NewLinePoints(xys)
			if err != nil {
				return nil, fmt.Errorf("series %q: %w", s.Label, err)
			}
			styleLine(l, pts, s)
			l.Dashes = plotutil.Dashes(slices.Index(workers, pt.Workers))
			p.Add(l, pts)
			drawn[pt.Workers] = true
			seriesDrawn = true
		}
		if seriesDrawn {
			l, pts := &plotter.Line{}, &plotter.Scatter{}
			styleLine(l, pts, s)
			// Here dashes mean worker counts (legend below); a
			// series is its colour and marker.
			l.Dashes = nil
			p.Legend.Add(s.Label, l, pts)
		}
	}
	if len(drawn) == 0 {
		return nil, fmt.Errorf("latency chart: %w: no positive latency values", ErrNothingToPlot)
	}
	if len(drawn) > 1 {
		for j, w := range workers {
			if !drawn[w] {
				continue
			}
			l := &plotter.Line{LineStyle: plotter.DefaultLineStyle}
			l.Color = color.Gray{Y: 96}
			l.Dashes = plotutil.Dashes(j)
			unit := "workers"
			if w == 1 {
				unit = "worker"
			}
			p.Legend.Add(fmt.Sprintf("%d %s", w, unit), l)
		}
	}
	// Pin the range to whole decades around the data so the log scale
	// never sees a non-positive bound.
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = durationTicks{}
	p.Y.Min, p.Y.Max = decades(lo, hi)
	p.Add(plotter.NewGrid())
	return p, nil
}

func addLine(p *plot.Plot, s *Series, xys plotter.XYs) error {
	l, pts, err := plotter.NewLinePoints(xys)
	if err != nil {
		return fmt.Errorf("series %q: %w", s.Label, err)
	}
	styleLine(l, pts, s)
	p.Add(l, pts)
	p.Legend.Add(s.Label, l, pts)
	return nil
}

// styleLine gives a series its colour, marker and dashes, the same in
// both charts (where the latency chart's dashes are its worker counts): a
// configuration has one colour in every file, so before and after read
// as a pair; a later file has its own marker and dash pattern. Past the
// palette, a dash pattern keeps configurations apart.
func styleLine(l *plotter.Line, pts *plotter.Scatter, s *Series) {
	c := plotutil.Color(s.group)
	l.LineStyle = plotter.DefaultLineStyle
	l.Color = c
	l.Dashes = plotutil.Dashes(s.group/len(plotutil.DefaultColors) + s.file)
	pts.GlyphStyle = plotter.DefaultGlyphStyle
	pts.Color = c
	pts.Shape = plotutil.Shape(s.group + s.file)
}

// Render draws the charts the data supports (throughput above latency)
// on one canvas and writes it in format: "svg", "png", or another format
// gonum's draw.NewFormattedCanvas knows (pdf, eps, jpg, tiff). Legends go
// to the right of each chart, where they cannot hide data, and a chart
// grows taller when its legend needs the room.
func (d *Data) Render(w io.Writer, format string, opts Options) error {
	var charts []*plot.Plot
	var errs []error
	throughput := func() (*plot.Plot, error) { return d.throughputPlot(opts.LogY) }
	for _, mk := range []func() (*plot.Plot, error){throughput, d.LatencyPlot} {
		p, err := mk()
		if err != nil {
			if !errors.Is(err, ErrNothingToPlot) {
				return err
			}
			errs = append(errs, err)
			continue
		}
		charts = append(charts, p)
	}
	if len(charts) == 0 {
		return errors.Join(errs...)
	}
	if opts.Title != "" {
		charts[0].Title.Text = opts.Title
	}
	width, minHeight := opts.Width, opts.ChartHeight
	if width <= 0 {
		width = 20 * vg.Centimeter
	}
	if minHeight <= 0 {
		minHeight = 10 * vg.Centimeter
	}
	const pad = 3 * vg.Millimeter

	type layout struct {
		p       *plot.Plot
		legend  plot.Legend
		lw, top vg.Length // legend width; title height above the data
		height  vg.Length
	}
	var ls []layout
	var total vg.Length
	for _, p := range charts {
		l := layout{p: p, legend: p.Legend}
		p.Legend = plot.NewLegend()
		l.legend.TextStyle.Font.Size = vg.Points(10)
		l.legend.Top, l.legend.Left = true, true
		r := l.legend.Rectangle(draw.Canvas{})
		l.lw = r.Size().X + 2*pad
		l.top = p.Title.TextStyle.Rectangle(p.Title.Text).Size().Y + p.Title.Padding
		l.height = max(minHeight, r.Size().Y+l.top+3*pad)
		total += l.height
		ls = append(ls, l)
	}
	for _, l := range ls {
		// Long labels widen the image rather than squeeze the chart
		// below half of it.
		width = max(width, 2*l.lw)
	}

	var c vg.CanvasWriterTo
	switch strings.ToLower(format) {
	case "svg":
		c = vgsvg.New(width, total)
	case "png":
		c = vgimg.PngCanvas{Canvas: vgimg.New(width, total)}
	default:
		var err error
		if c, err = draw.NewFormattedCanvas(width, total, strings.ToLower(format)); err != nil {
			return fmt.Errorf("scaleplot: %w", err)
		}
	}
	dc := draw.New(c)
	// An opaque background: transparent PNGs render black in some
	// viewers.
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	y := total
	for _, l := range ls {
		tile := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: pad, Y: y - l.height + pad},
			Max: vg.Point{X: width - pad, Y: y - pad},
		}}
		l.p.Draw(draw.Crop(tile, 0, -l.lw-pad, 0, 0))
		l.legend.Draw(draw.Crop(tile, tile.Size().X-l.lw, 0, 0, -l.top))
		y -= l.height
	}
	_, err := c.WriteTo(w)
	return err
}

// WriteFile renders to path, choosing the format from its extension.
func (d *Data) WriteFile(path string, opts Options) error {
	format := strings.TrimPrefix(filepath.Ext(path), ".")
	if format == "" {
		return fmt.Errorf("scaleplot: %s: no file extension to choose the format (.svg or .png)", path)
	}
	// Render into memory first, so a failure leaves no partial file.
	var buf bytes.Buffer
	if err := d.Render(&buf, format, opts); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// durationTicks are log ticks labelled as durations (100ns, 1µs, 10ms)
// for values in nanoseconds.
type durationTicks struct{}

func (durationTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.LogTicks{Prec: -1}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = time.Duration(ticks[i].Value).String()
		}
	}
	return ticks
}

// siTicks labels a linear axis with SI prefixes (150M rather than 1.5e+08).
type siTicks struct{}

func (siTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = si(ticks[i].Value)
		}
	}
	return ticks
}

// logSITicks are log ticks labelled with SI prefixes.
type logSITicks struct{}

func (logSITicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.LogTicks{Prec: -1}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = si(ticks[i].Value)
		}
	}
	return ticks
}

func si(v float64) string {
	a := math.Abs(v)
	for _, u := range []struct {
		f float64
		s string
	}{{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if a >= u.f {
			return strconv.FormatFloat(v/u.f, 'g', 4, 64) + u.s
		}
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}
