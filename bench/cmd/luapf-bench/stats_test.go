package main

import (
	"math"
	"testing"
)

func TestSummarise(t *testing.T) {
	tests := []struct {
		name    string
		samples []float64
		want    summary
	}{
		{"one", []float64{2}, summary{N: 1, Median: 2, P25: 2, P75: 2, Min: 2, Max: 2}},
		{"odd", []float64{5, 1, 3}, summary{N: 3, Median: 3, P25: 2, P75: 4, Min: 1, Max: 5}},
		{"even", []float64{4, 1, 3, 2}, summary{N: 4, Median: 2.5, P25: 1.75, P75: 3.25, Min: 1, Max: 4}},
		{"ties", []float64{7, 7, 7, 7, 100}, summary{N: 5, Median: 7, P25: 7, P75: 7, Min: 7, Max: 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summarise(tt.samples)
			if got != tt.want {
				t.Errorf("summarise(%v) = %+v, want %+v", tt.samples, got, tt.want)
			}
		})
	}
}

func TestSummariseLeavesInputAlone(t *testing.T) {
	in := []float64{3, 1, 2}
	summarise(in)
	if in[0] != 3 || in[1] != 1 || in[2] != 2 {
		t.Errorf("summarise reordered its input: %v", in)
	}
}

func TestInverse(t *testing.T) {
	s := summarise([]float64{0.5, 0.25, 1}).inverse()
	if s.Median != 2 || s.Min != 1 || s.Max != 4 || !(s.P25 < s.Median && s.Median < s.P75) {
		t.Errorf("inverse = %+v", s)
	}
	if z := summarise([]float64{0}).inverse(); !math.IsInf(z.Median, 1) {
		t.Errorf("inverse of 0 = %v, want +Inf", z.Median)
	}
}

func TestFormatSeconds(t *testing.T) {
	tests := map[float64]string{2.5: "2.50 s", 0.25: "250 ms", 0.0345: "34.5 ms", 0.00123: "1.23 ms", 0.00045: "450 µs"}
	for in, want := range tests {
		if got := formatSeconds(in); got != want {
			t.Errorf("formatSeconds(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatTick(t *testing.T) {
	tests := map[float64]string{1: "1 s", 10: "10 s", 0.5: "500 ms", 0.002: "2 ms", 0.0005: "500 µs", 0.0001: "100 µs"}
	for in, want := range tests {
		if got := formatTick(in); got != want {
			t.Errorf("formatTick(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatCount(t *testing.T) {
	tests := map[float64]string{1: "1", 500: "500", 1000: "1k", 20000: "20k", 1e6: "1M"}
	for in, want := range tests {
		if got := formatCount(in); got != want {
			t.Errorf("formatCount(%v) = %q, want %q", in, got, want)
		}
	}
}
