package main

import (
	"testing"
	"time"
)

func TestWindowFraction(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	tests := []struct {
		name                 string
		start, end, deadline int
		want                 float64
	}{
		{"inside", 0, 100, 1000, 1},
		{"straddling", 900, 1100, 1000, 0.5},
		{"after", 1100, 1200, 1000, 0},
		{"instant", 500, 500, 1000, 1},
	}
	for _, tt := range tests {
		if got := windowFraction(at(tt.start), at(tt.end), at(tt.deadline)); got != tt.want {
			t.Errorf("%s: windowFraction = %v, want %v", tt.name, got, tt.want)
		}
	}
}
