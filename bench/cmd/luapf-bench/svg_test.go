package main

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// wellFormed fails t unless doc parses as XML.
func wellFormed(t *testing.T, doc string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(doc))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, doc)
		}
	}
}

func TestBarChart(t *testing.T) {
	c := barChart{Title: "latency <hello> & more", Axis: "ms", Format: formatSeconds, Bars: []bar{
		{Label: "luapf warm", Value: 0.004, Lo: 0.003, Hi: 0.005, Color: "#1f77b4", ValueLabel: "4 ms"},
		{Label: "lua5.4 cold", Value: 0.25, Color: "#2ca02c", ValueLabel: "250 ms"},
		{Label: "unmeasured", Value: 0},
	}}
	doc := c.svg()
	wellFormed(t, doc)
	for _, want := range []string{"latency &lt;hello&gt; &amp; more", "luapf warm", "250 ms", "<rect"} {
		if !strings.Contains(doc, want) {
			t.Errorf("bar chart lacks %q", want)
		}
	}
	if n := strings.Count(doc, `fill="#1f77b4"`) + strings.Count(doc, `fill="#2ca02c"`); n != 2 {
		t.Errorf("bar chart draws %d coloured bars, want 2", n)
	}
}

func TestLineChart(t *testing.T) {
	c := lineChart{Title: "scaling", XAxis: "rows", YAxis: "time", FormatX: func(v float64) string { return "x" }, FormY: formatSeconds,
		Series: []series{
			{Name: "pool hit", Color: "#1f77b4", Points: []point{{X: 1e3, Y: 0.004, Lo: 0.003, Hi: 0.005}, {X: 1e6, Y: 0.006}}},
			{Name: "restore", Color: "#d62728", Dashed: true, Points: []point{{X: 1e3, Y: 0.001}, {X: 1e6, Y: 1.3}}},
		}}
	doc := c.svg()
	wellFormed(t, doc)
	if n := strings.Count(doc, "<polyline"); n != 2 {
		t.Errorf("line chart draws %d lines, want 2", n)
	}
	if n := strings.Count(doc, "<circle"); n != 4 {
		t.Errorf("line chart draws %d points, want 4", n)
	}
}

func TestLogTicks(t *testing.T) {
	lo, hi := logRange([]float64{0.0031, 0.25, 0, -1})
	if lo != -3 || hi != 0 {
		t.Fatalf("logRange = %v, %v; want -3, 0", lo, hi)
	}
	ticks := logTicks(lo, hi)
	if ticks[0] != 0.001 || ticks[len(ticks)-1] != 1 {
		t.Errorf("logTicks(-3, 0) = %v", ticks)
	}
}
