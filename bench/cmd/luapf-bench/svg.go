package main

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// A small SVG plotter for the report: horizontal bar charts and line
// charts, both on logarithmic axes (the figures span several orders of
// magnitude), with the interquartile range drawn as whiskers.

const (
	fontStyle = `font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12"`
	gridColor = "#dddddd"
	axisColor = "#444444"
)

// bar is one bar: a median with its spread.
type bar struct {
	Label      string
	Value      float64
	Lo, Hi     float64 // spread drawn as a whisker (0, 0: none)
	Color      string
	ValueLabel string // printed after the bar
}

// barChart is a horizontal bar chart on a log axis.
type barChart struct {
	Title  string
	Axis   string // axis label, with unit
	Bars   []bar
	Format func(float64) string // tick labels
}

// logRange returns the decades [lo, hi] covering all values > 0.
func logRange(values []float64) (float64, float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if v > 0 && !math.IsInf(v, 0) && !math.IsNaN(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if math.IsInf(lo, 1) {
		return 0, 1
	}
	l, h := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if h <= l {
		h = l + 1
	}
	return l, h
}

// logTicks returns the tick values between decades lo and hi: each power of
// ten, plus 2 and 5 times it when the range is narrow enough for their
// labels to fit.
func logTicks(lo, hi float64) []float64 {
	var ticks []float64
	for e := lo; e <= hi; e++ {
		base := math.Pow(10, e)
		ticks = append(ticks, base)
		if hi-lo <= 2 && e < hi {
			ticks = append(ticks, 2*base, 5*base)
		}
	}
	return ticks
}

type svgDoc struct{ b strings.Builder }

func newSVG(w, h int) *svgDoc {
	d := &svgDoc{}
	fmt.Fprintf(&d.b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" %s>`+"\n", w, h, w, h, fontStyle)
	fmt.Fprintf(&d.b, `<rect width="%d" height="%d" fill="white"/>`+"\n", w, h)
	return d
}

func (d *svgDoc) line(x1, y1, x2, y2 float64, color string, width float64, pattern string) {
	dash := ""
	if pattern != "" {
		dash = ` stroke-dasharray="` + pattern + `"`
	}
	fmt.Fprintf(&d.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="%.1f"%s/>`+"\n", x1, y1, x2, y2, color, width, dash)
}

func (d *svgDoc) text(x, y float64, anchor, s string, extra string) {
	fmt.Fprintf(&d.b, `<text x="%.1f" y="%.1f" text-anchor="%s"%s>%s</text>`+"\n", x, y, anchor, extra, html.EscapeString(s))
}

func (d *svgDoc) rect(x, y, w, h float64, color string) {
	fmt.Fprintf(&d.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`+"\n", x, y, w, h, color)
}

func (d *svgDoc) String() string { return d.b.String() + "</svg>\n" }

// svg renders the chart.
func (c barChart) svg() string {
	const (
		width, left, right, top, barH, gap, bottom = 820, 290, 110, 40, 18, 7, 45
	)
	height := top + len(c.Bars)*(barH+gap) + bottom
	var values []float64
	for _, b := range c.Bars {
		values = append(values, b.Value, b.Lo, b.Hi)
	}
	lo, hi := logRange(values)
	plotW := float64(width - left - right)
	x := func(v float64) float64 {
		if v <= 0 {
			return left
		}
		return left + (math.Log10(v)-lo)/(hi-lo)*plotW
	}
	d := newSVG(width, height)
	d.text(width/2, 22, "middle", c.Title, ` font-size="15" font-weight="bold"`)
	axisY := float64(top + len(c.Bars)*(barH+gap))
	for _, t := range logTicks(lo, hi) {
		d.line(x(t), top-4, x(t), axisY, gridColor, 1, "")
		d.text(x(t), axisY+15, "middle", c.Format(t), ` fill="`+axisColor+`"`)
	}
	d.line(left, axisY, left+plotW, axisY, axisColor, 1, "")
	d.text(left+plotW/2, axisY+35, "middle", c.Axis, "")
	for i, b := range c.Bars {
		y := float64(top + i*(barH+gap))
		d.text(left-8, y+barH-4, "end", b.Label, "")
		if b.Value <= 0 || math.IsNaN(b.Value) {
			continue
		}
		d.rect(left, y, x(b.Value)-left, barH, b.Color)
		if b.Hi > b.Lo {
			mid := y + barH/2
			d.line(x(b.Lo), mid, x(b.Hi), mid, axisColor, 1.5, "")
			d.line(x(b.Lo), mid-4, x(b.Lo), mid+4, axisColor, 1.5, "")
			d.line(x(b.Hi), mid-4, x(b.Hi), mid+4, axisColor, 1.5, "")
		}
		d.text(math.Max(x(b.Value), x(b.Hi))+6, y+barH-4, "start", b.ValueLabel, "")
	}
	return d.String()
}

// point is one measurement on a line chart.
type point struct {
	X, Y   float64
	Lo, Hi float64 // spread of Y (0, 0: none)
}

// series is one line.
type series struct {
	Name   string
	Color  string
	Dashed bool
	Dotted bool // instead of dashed
	Points []point
}

// pattern is the series' stroke-dasharray, "" for a solid line.
func (s series) pattern() string {
	switch {
	case s.Dotted:
		return "2,3"
	case s.Dashed:
		return "6,4"
	}
	return ""
}

// lineChart plots series on log-log axes.
type lineChart struct {
	Title          string
	XAxis, YAxis   string
	Series         []series
	FormatX, FormY func(float64) string
}

// svg renders the chart.
func (c lineChart) svg() string {
	const (
		width, height, left, right, top, bottom = 820, 500, 80, 250, 45, 60
	)
	var xs, ys []float64
	for _, s := range c.Series {
		for _, p := range s.Points {
			xs = append(xs, p.X)
			ys = append(ys, p.Y, p.Lo, p.Hi)
		}
	}
	xlo, xhi := logRange(xs)
	ylo, yhi := logRange(ys)
	plotW, plotH := float64(width-left-right), float64(height-top-bottom)
	px := func(v float64) float64 { return left + (math.Log10(v)-xlo)/(xhi-xlo)*plotW }
	py := func(v float64) float64 { return top + plotH - (math.Log10(v)-ylo)/(yhi-ylo)*plotH }
	d := newSVG(width, height)
	d.text(float64(left)+plotW/2, 24, "middle", c.Title, ` font-size="15" font-weight="bold"`)
	for _, t := range logTicks(xlo, xhi) {
		d.line(px(t), top, px(t), top+plotH, gridColor, 1, "")
		d.text(px(t), top+plotH+16, "middle", c.FormatX(t), ` fill="`+axisColor+`"`)
	}
	for _, t := range logTicks(ylo, yhi) {
		d.line(left, py(t), left+plotW, py(t), gridColor, 1, "")
		d.text(left-6, py(t)+4, "end", c.FormY(t), ` fill="`+axisColor+`"`)
	}
	d.line(left, top+plotH, left+plotW, top+plotH, axisColor, 1, "")
	d.line(left, top, left, top+plotH, axisColor, 1, "")
	d.text(float64(left)+plotW/2, height-15, "middle", c.XAxis, "")
	fmt.Fprintf(&d.b, `<text x="18" y="%.1f" text-anchor="middle" transform="rotate(-90 18 %.1f)">%s</text>`+"\n",
		top+plotH/2, top+plotH/2, html.EscapeString(c.YAxis))
	for i, s := range c.Series {
		var pts []string
		for _, p := range s.Points {
			if p.Y <= 0 {
				continue
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(p.X), py(p.Y)))
			if p.Hi > p.Lo && p.Lo > 0 {
				d.line(px(p.X), py(p.Lo), px(p.X), py(p.Hi), s.Color, 1.2, "")
				d.line(px(p.X)-4, py(p.Lo), px(p.X)+4, py(p.Lo), s.Color, 1.2, "")
				d.line(px(p.X)-4, py(p.Hi), px(p.X)+4, py(p.Hi), s.Color, 1.2, "")
			}
			fmt.Fprintf(&d.b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/>`+"\n", px(p.X), py(p.Y), s.Color)
		}
		dash := ""
		if p := s.pattern(); p != "" {
			dash = ` stroke-dasharray="` + p + `"`
		}
		fmt.Fprintf(&d.b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", strings.Join(pts, " "), s.Color, dash)
		ly := float64(top + 10 + i*22)
		d.line(left+plotW+15, ly, left+plotW+45, ly, s.Color, 2, s.pattern())
		d.text(left+plotW+52, ly+4, "start", s.Name, "")
	}
	return d.String()
}
