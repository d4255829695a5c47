package main

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// summary describes repeated measurements of one figure: never one sample,
// always its median and spread.
type summary struct {
	N        int
	Median   float64
	P25, P75 float64 // interquartile range
	Min, Max float64
}

// summarise computes the summary of samples (any unit). It needs at least
// one sample; the harness always takes several.
func summarise(samples []float64) summary {
	if len(samples) == 0 {
		return summary{}
	}
	s := append([]float64(nil), samples...)
	sort.Float64s(s)
	return summary{
		N:      len(s),
		Median: quantile(s, 0.5),
		P25:    quantile(s, 0.25),
		P75:    quantile(s, 0.75),
		Min:    s[0],
		Max:    s[len(s)-1],
	}
}

// quantile interpolates linearly between the closest ranks of sorted.
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 1 {
		return sorted[0]
	}
	pos := q * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	frac := pos - float64(lo)
	return sorted[lo]*(1-frac) + sorted[hi]*frac
}

// valid reports whether the summary holds measurements.
func (s summary) valid() bool { return s.N > 0 }

// inverse turns a summary of seconds per call into calls per second (the
// quartiles swap places).
func (s summary) inverse() summary {
	inv := func(x float64) float64 {
		if x <= 0 {
			return math.Inf(1)
		}
		return 1 / x
	}
	return summary{N: s.N, Median: inv(s.Median), P25: inv(s.P75), P75: inv(s.P25), Min: inv(s.Max), Max: inv(s.Min)}
}

// seconds returns durations as seconds.
func seconds(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = d.Seconds()
	}
	return out
}

// formatSeconds prints a duration in seconds with a unit that suits it.
func formatSeconds(s float64) string {
	switch {
	case s >= 1:
		return fmt.Sprintf("%.2f s", s)
	case s >= 0.1:
		return fmt.Sprintf("%.0f ms", s*1e3)
	case s >= 0.01:
		return fmt.Sprintf("%.1f ms", s*1e3)
	case s >= 0.001:
		return fmt.Sprintf("%.2f ms", s*1e3)
	default:
		return fmt.Sprintf("%.0f µs", s*1e6)
	}
}

// formatTime prints a summary of seconds: median, IQR and range.
func (s summary) formatTime() string {
	if !s.valid() {
		return "—"
	}
	return fmt.Sprintf("%s [%s–%s]", formatSeconds(s.Median), formatSeconds(s.P25), formatSeconds(s.P75))
}

// formatRate prints a summary of a rate: median and IQR.
func (s summary) formatRate(unit string) string {
	if !s.valid() {
		return "—"
	}
	return fmt.Sprintf("%.0f %s [%.0f–%.0f]", s.Median, unit, s.P25, s.P75)
}

// formatCount prints a count for an axis: 500, 10k, 1M.
func formatCount(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%gk", v/1e3)
	}
	return fmt.Sprintf("%g", v)
}

// formatTick prints an axis tick in seconds: 2 ms, 500 µs, 1 s.
func formatTick(s float64) string {
	switch {
	case s >= 1:
		return fmt.Sprintf("%g s", s)
	case s >= 0.001:
		return fmt.Sprintf("%g ms", math.Round(s*1e6)/1e3)
	default:
		return fmt.Sprintf("%g µs", math.Round(s*1e9)/1e3)
	}
}
