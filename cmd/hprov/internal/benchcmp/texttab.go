// The layout algorithm in this file follows golang.org/x/perf's
// cmd/benchstat/internal/texttab (Copyright 2020 The Go Authors, BSD-style
// license), which cannot be imported from outside x/perf. It is kept
// step for step so that tables come out character for character as
// benchstat prints them.

package benchcmp

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

type align int

const (
	alignLeft align = iota
	alignCenter
	alignRight
)

func (a align) pad(s string, w int) string {
	switch a {
	case alignCenter:
		l := (w - utf8.RuneCountInString(s)) / 2
		return fmt.Sprintf("%*s%s", l, "", s)
	case alignRight:
		return fmt.Sprintf("%*s", w, s)
	}
	return s
}

type textCell struct {
	row, col, span int
	value          string
	leftMargin     string
	align          align
}

// textTable lays out cells on a grid. Cells may span columns; "shrink"
// columns are never widened to fit a spanning cell, so spanning headings
// widen the outer columns of a group instead of pushing its parts apart.
type textTable struct {
	cells          []textCell
	cols           int
	shrink         []bool
	curRow, curCol int
}

func (t *textTable) row() *textTable {
	if len(t.cells) > 0 {
		t.curRow++
	}
	t.curCol = 0
	return t
}

// col moves to column c. Moving backwards would be a bug in the caller
// (the callers in this package only move right); it is ignored rather
// than allowed to corrupt the layout.
func (t *textTable) col(c int) *textTable {
	if c > t.curCol {
		t.curCol = c
	}
	return t
}

// cell adds a one-column cell. The optional alignment and left margin
// override the defaults: left aligned, a one-space margin except in the
// first column or for empty cells.
func (t *textTable) cell(value string, opts ...any) *textTable {
	return t.span(1, value, opts...)
}

func (t *textTable) span(cols int, value string, opts ...any) *textTable {
	margin := " "
	if t.curCol == 0 || value == "" {
		margin = ""
	}
	c := textCell{t.curRow, t.curCol, cols, value, margin, alignLeft}
	for _, o := range opts {
		switch o := o.(type) {
		case align:
			c.align = o
		case string:
			c.leftMargin = o
		}
	}
	t.cells = append(t.cells, c)
	t.curCol += cols
	t.cols = max(t.cols, t.curCol)
	return t
}

func (t *textTable) setShrink(col int) {
	for len(t.shrink) < col+1 {
		t.shrink = append(t.shrink, false)
	}
	t.shrink[col] = true
}

func (t *textTable) format(w io.Writer) {
	shrink := func(col int) bool { return col < len(t.shrink) && t.shrink[col] }

	lmargin := make([]int, t.cols)
	for _, c := range t.cells {
		lmargin[c.col] = max(utf8.RuneCountInString(c.leftMargin), lmargin[c.col])
	}

	// Widths, left margins included. Narrow cells first, so that a
	// spanning cell only widens columns that are still too narrow.
	ws := make([]int, t.cols)
	sort.Slice(t.cells, func(i, j int) bool { return t.cells[i].span < t.cells[j].span })
	var spanCols []int
	for _, c := range t.cells {
		need := utf8.RuneCountInString(c.value) + lmargin[c.col]
		if c.span == 1 {
			ws[c.col] = max(ws[c.col], need)
			continue
		}
		have := 0
		for col := c.col; col < c.col+c.span; col++ {
			have += ws[col]
		}
		if have >= need {
			continue
		}
		// Spread the missing width over the non-shrink columns, widest
		// first, each to the running average (rounded up).
		spanCols = spanCols[:0]
		for col := c.col; col < c.col+c.span; col++ {
			if shrink(col) {
				need -= ws[col]
			} else {
				spanCols = append(spanCols, col)
			}
		}
		sort.Slice(spanCols, func(i, j int) bool { return ws[spanCols[i]] > ws[spanCols[j]] })
		n := len(spanCols)
		for _, col := range spanCols {
			avg := (need + n - 1) / n
			ws[col] = max(ws[col], avg)
			need -= ws[col]
			n--
		}
	}

	offs := make([]int, t.cols+1)
	off := 0
	for i, w := range ws {
		offs[i] = off
		off += w
	}
	offs[len(ws)] = off

	sort.Slice(t.cells, func(i, j int) bool {
		if t.cells[i].row != t.cells[j].row {
			return t.cells[i].row < t.cells[j].row
		}
		return t.cells[i].col < t.cells[j].col
	})
	var b strings.Builder
	row, off := 0, 0
	for _, c := range t.cells {
		// Skipping blank cells avoids trailing spaces.
		if strings.TrimSpace(c.value) == "" && strings.TrimSpace(c.leftMargin) == "" {
			continue
		}
		for c.row > row {
			b.WriteString("\n")
			row++
			off = 0
		}
		spaces := offs[c.col] - off
		fmt.Fprintf(&b, "%*s%*s", spaces, "", lmargin[c.col], c.leftMargin)
		off += spaces + lmargin[c.col]
		tw := offs[c.col+c.span] - offs[c.col] - lmargin[c.col]
		s := c.align.pad(c.value, tw)
		b.WriteString(s)
		off += utf8.RuneCountInString(s)
	}
	if len(t.cells) > 0 {
		b.WriteString("\n")
	}
	io.WriteString(w, b.String())
}
