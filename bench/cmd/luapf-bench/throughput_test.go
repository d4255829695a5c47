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

func TestShare(t *testing.T) {
	tests := []struct {
		runs, rounds int
		want         []int
	}{
		{30, 3, []int{10, 10, 10}},
		{10, 3, []int{4, 3, 3}},
		{5, 3, []int{3, 2, 0}},
		{3, 3, []int{3, 0, 0}},
		{3, 1, []int{3}},
	}
	for _, tt := range tests {
		total := 0
		for round, want := range tt.want {
			got := share(tt.runs, tt.rounds, round)
			if got != want {
				t.Errorf("share(%d, %d, %d) = %d, want %d", tt.runs, tt.rounds, round, got, want)
			}
			total += got
		}
		if total != tt.runs {
			t.Errorf("share(%d, %d, ·) adds up to %d", tt.runs, tt.rounds, total)
		}
	}
}
